#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gen_files.h"
#include "mg_config.h"
#include "mg_log.h"
#include "mg_util.h"

static const char *const errs[GEN_FILES_E__MAX] = {
	"ok",					/* GEN_FILES_OK */
	"unacceptable name",			/* GEN_FILES_E_NAME */
	"path too long",			/* GEN_FILES_E_TOOLONG */
	"file system error",			/* GEN_FILES_E_IO */
};

const char *
gen_files_strerror(enum gen_files_err e)
{
	return e < GEN_FILES_E__MAX ? errs[e] : "unknown";
}

const char *
gen_files_root(void)
{
	return mg_cfg_str("outputs_dir", "var/outputs");
}

static int
name_char(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c == '_' || c == '-';
}

int
gen_files_id_ok(const char *s)
{
	return mg_token_ok(s, 64, "_-");
}

int
gen_files_rel_ok(const char *rel)
{
	size_t i, start = 0, n;

	if (rel == NULL || rel[0] == '\0' || rel[0] == '/')
		return 0;
	n = strlen(rel);
	if (n > 400)
		return 0;
	for (i = 0; i <= n; i++) {
		if (i == n || rel[i] == '/') {
			/* component rel[start..i) */
			if (i == start)
				return 0;
			if (i - start == 1 && rel[start] == '.')
				return 0;
			if (i - start == 2 && rel[start] == '.' &&
			    rel[start + 1] == '.')
				return 0;
			start = i + 1;
			continue;
		}
		if (!name_char((unsigned char)rel[i]) && rel[i] != '.')
			return 0;
	}
	return 1;
}

/* mkdir path if missing (mode 0755). 0 or -1. */
static int
mkdir_one(const char *path)
{
	if (mkdir(path, 0755) == 0 || errno == EEXIST)
		return 0;
	return -1;
}

/* Remove every non-directory entry of the open directory fd (not recursive). */
static int
empty_dir(int dfd)
{
	DIR *d;
	struct dirent *de;
	int rc = 0, fd2;

	if ((fd2 = dup(dfd)) < 0)
		return -1;
	if ((d = fdopendir(fd2)) == NULL) {
		close(fd2);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(dfd, de->d_name, 0) != 0 && errno != ENOENT) {
			/* a sub-directory: leave it, report */
			rc = -1;
		}
	}
	closedir(d);
	return rc;
}

enum gen_files_err
gen_files_job_dir(const char *ws, const char *job, int create, char *buf,
    size_t cap)
{
	const char *root = gen_files_root();
	char wsdir[1024];
	int n, dfd;

	if (!gen_files_id_ok(ws) || !gen_files_id_ok(job))
		return GEN_FILES_E_NAME;
	n = snprintf(buf, cap, "%s/%s/%s", root, ws, job);
	if (n < 0 || (size_t)n >= cap)
		return GEN_FILES_E_TOOLONG;
	if (!create)
		return GEN_FILES_OK;
	n = snprintf(wsdir, sizeof(wsdir), "%s/%s", root, ws);
	if (n < 0 || (size_t)n >= sizeof(wsdir))
		return GEN_FILES_E_TOOLONG;
	if (mkdir_one(root) != 0 || mkdir_one(wsdir) != 0 || mkdir_one(buf) != 0) {
		mg_log(MG_LOG_ERROR, "outputs: mkdir %s: %s", buf, strerror(errno));
		return GEN_FILES_E_IO;
	}
	if ((dfd = open(buf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return GEN_FILES_E_IO;
	n = empty_dir(dfd);
	close(dfd);
	return n == 0 ? GEN_FILES_OK : GEN_FILES_E_IO;
}

enum gen_files_err
gen_files_rel(const char *abs, char *buf, size_t cap)
{
	const char *root = gen_files_root();
	size_t rn = strlen(root);
	int n;

	while (rn > 1 && root[rn - 1] == '/')
		rn--;
	if (strncmp(abs, root, rn) != 0 || abs[rn] != '/')
		return GEN_FILES_E_NAME;
	n = snprintf(buf, cap, "%s", abs + rn + 1);
	if (n < 0 || (size_t)n >= cap)
		return GEN_FILES_E_TOOLONG;
	return gen_files_rel_ok(buf) ? GEN_FILES_OK : GEN_FILES_E_NAME;
}

enum gen_files_err
gen_files_remove_job(const char *ws, const char *job)
{
	char dir[1024];
	enum gen_files_err e;
	int dfd, rc;

	if ((e = gen_files_job_dir(ws, job, 0, dir, sizeof(dir))) != GEN_FILES_OK)
		return e;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? GEN_FILES_OK : GEN_FILES_E_IO;
	rc = empty_dir(dfd);
	close(dfd);
	if (rc != 0 || (rmdir(dir) != 0 && errno != ENOENT)) {
		mg_log(MG_LOG_WARN, "outputs: cannot remove %s: %s", dir,
		    strerror(errno));
		return GEN_FILES_E_IO;
	}
	return GEN_FILES_OK;
}
