/*
 * prov_local: the built-in offline provider. Renders real files,
 * deterministically from (prompt, seed, size):
 *
 *	image	libgd gradient + shapes derived from SHA-256 of the inputs,
 *		with the prompt drawn in (png, webp, jpeg)
 *	audio	espeak-ng speech (wav; mp3 through ffmpeg)
 *	video	ffmpeg testsrc2 + sine track (mp4, libx264 or mpeg4)
 *	3d	a glTF 2.0 cube with an embedded base64 buffer (colour from
 *		the prompt/seed and the source image's bytes)
 *	annotation  a JSON document for a reference audio: duration
 *		(ffprobe), the given transcript with word timings
 *	compose	concat (ffmpeg concat demuxer) or resize (libgd for images,
 *		ffmpeg scale for video)
 *
 * External programs run through posix_spawnp with an argv (never a shell),
 * stdin from /dev/null, in their own process group, killed after
 * local_render_timeout_s. Test markers in the prompt are listed in prov.h.
 * Config: local_render_timeout_s (120), ffmpeg_path, ffprobe_path,
 * espeak_path.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gd.h>
#include <gdfontmb.h>
#include <json-c/json.h>

#include "mg_buf.h"
#include "mg_config.h"
#include "mg_crypto.h"
#include "mg_util.h"
#include "prov.h"
#include "prov_int.h"

#define LOCAL_IMG_MIN		16
#define LOCAL_VIDEO_DIM_MAX	1920
#define LOCAL_VIDEO_SEC_MAX	120
#define LOCAL_READ_MAX		(64 * 1024 * 1024)	/* image files read back */
#define LOCAL_CAPTURE_MAX	(1024 * 1024)		/* child stdout kept */

static const struct {
	const char	*ext;
	const char	*mime;
} mimes[] = {
	{ "png", "image/png" },
	{ "webp", "image/webp" },
	{ "jpeg", "image/jpeg" },
	{ "jpg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "wav", "audio/wav" },
	{ "mp3", "audio/mpeg" },
	{ "pcm", "audio/L16" },
	{ "ogg", "audio/ogg" },
	{ "opus", "audio/opus" },
	{ "mp4", "video/mp4" },
	{ "webm", "video/webm" },
	{ "mov", "video/quicktime" },
	{ "gltf", "model/gltf+json" },
	{ "glb", "model/gltf-binary" },
	{ "obj", "model/obj" },
	{ "json", "application/json" },
};

const char *
prov_ext_mime(const char *ext)
{
	size_t i;

	for (i = 0; ext != NULL && i < sizeof(mimes) / sizeof(mimes[0]); i++)
		if (strcasecmp(mimes[i].ext, ext) == 0)
			return mimes[i].mime;
	return "application/octet-stream";
}

const char *
prov_mime_ext(const char *mime)
{
	size_t i, n;

	if (mime == NULL)
		return NULL;
	n = strcspn(mime, "; ");
	if (n == 10 && strncasecmp(mime, "audio/mp3", 9) == 0)
		return "mp3";
	if (n == 9 && strncasecmp(mime, "audio/x-wav", 9) == 0)
		return "wav";
	for (i = 0; i < sizeof(mimes) / sizeof(mimes[0]); i++)
		if (strlen(mimes[i].mime) == n &&
		    strncasecmp(mimes[i].mime, mime, n) == 0)
			return mimes[i].ext;
	return NULL;
}

/*
 * Read a whole file of at most max bytes into a malloc'd buffer (caller
 * frees). Returns NULL on error or when too large.
 */
static unsigned char *
read_file(const char *path, size_t max, size_t *len)
{
	FILE *f;
	unsigned char *p = NULL;
	struct stat st;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size <= 0 || (uint64_t)st.st_size > max)
		goto err;
	if ((p = malloc((size_t)st.st_size)) == NULL)
		goto err;
	if (fread(p, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
		goto err;
	*len = (size_t)st.st_size;
	fclose(f);
	return p;
err:
	free(p);
	fclose(f);
	return NULL;
}

enum img_type { IMG_NONE, IMG_PNG, IMG_JPEG, IMG_WEBP };

static enum img_type
img_sniff(const unsigned char *p, size_t n)
{
	if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return IMG_PNG;
	if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
		return IMG_JPEG;
	if (n >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
		return IMG_WEBP;
	return IMG_NONE;
}

/* Decode an image from memory with libgd; NULL if not png/jpeg/webp. */
static gdImagePtr
img_decode(unsigned char *p, size_t n)
{
	if (n > INT_MAX)
		return NULL;
	switch (img_sniff(p, n)) {
	case IMG_PNG:
		return gdImageCreateFromPngPtr((int)n, p);
	case IMG_JPEG:
		return gdImageCreateFromJpegPtr((int)n, p);
	case IMG_WEBP:
		return gdImageCreateFromWebpPtr((int)n, p);
	default:
		return NULL;
	}
}

int
prov_image_dims(const char *path, int *w, int *h)
{
	unsigned char *p;
	size_t n;
	gdImagePtr im;

	if ((p = read_file(path, LOCAL_READ_MAX, &n)) == NULL)
		return -1;
	im = img_decode(p, n);
	free(p);
	if (im == NULL)
		return -1;
	*w = gdImageSX(im);
	*h = gdImageSY(im);
	gdImageDestroy(im);
	return 0;
}

/* Write data to path through path.tmp + rename. PROV_OK or PROV_E_SYSTEM. */
static enum prov_err
write_atomic(const char *path, const void *data, size_t len,
    struct prov_error *err)
{
	char tmp[600];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "wb")) == NULL)
		return prov_fail(err, PROV_E_SYSTEM, "create output: %s", strerror(errno));
	if (fwrite(data, 1, len, f) != len) {
		fclose(f);
		unlink(tmp);
		return prov_fail(err, PROV_E_SYSTEM, "write output: %s", strerror(errno));
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return prov_fail(err, PROV_E_SYSTEM, "save output: %s", strerror(errno));
	}
	return PROV_OK;
}

/* Append a file entry to res (path, mime, size from stat). */
static enum prov_err
add_file(struct prov_result *res, const char *path, const char *mime,
    int w, int h, int64_t ms, struct prov_error *err)
{
	struct prov_file *f;
	struct stat st;

	if (res->nfiles >= PROV_MAX_FILES)
		return prov_fail(err, PROV_E_SYSTEM, "too many output files");
	if (stat(path, &st) != 0)
		return prov_fail(err, PROV_E_SYSTEM, "output missing: %s", strerror(errno));
	f = &res->files[res->nfiles++];
	snprintf(f->path, sizeof(f->path), "%s", path);
	snprintf(f->mime, sizeof(f->mime), "%s", mime);
	f->size = (int64_t)st.st_size;
	f->width = w;
	f->height = h;
	f->duration_ms = ms;
	return PROV_OK;
}

/*
 * Save a built text output (j, freed here either way) to path and list it
 * in res: out of memory while building, the write, or the listing fails.
 */
static enum prov_err
save_buf(struct prov_result *res, const char *path, struct mg_buf *j,
    const char *mime, int64_t ms, struct prov_error *err)
{
	enum prov_err rc;

	if (j->oom) {
		mg_buf_free(j);
		return prov_fail(err, PROV_E_SYSTEM, "out of memory");
	}
	rc = write_atomic(path, j->data, j->len, err);
	mg_buf_free(j);
	if (rc != PROV_OK)
		return rc;
	return add_file(res, path, mime, 0, 0, ms, err);
}

int
prov_local_markers(const char *prompt, struct prov_markers *m)
{
	const char *p, *e;
	int64_t v;

	memset(m, 0, sizeof(*m));
	m->slow_s = -1;
	if (prompt == NULL)
		return 0;
	m->fail = strstr(prompt, "[[fail]]") != NULL;
	m->nsfw = strstr(prompt, "[[nsfw]]") != NULL;
	m->retry = strstr(prompt, "[[retry]]") != NULL;
	if ((p = strstr(prompt, "[[slow:")) != NULL) {
		p += 7;
		if ((e = strstr(p, "]]")) == NULL ||
		    mg_parse_i64(p, (size_t)(e - p), 0, 3600, &v) != 0)
			return -1;
		m->slow_s = (int)v;
	}
	return 0;
}

static long
local_timeout(void)
{
	return (long)mg_cfg_int("local_render_timeout_s", 120);
}

/*
 * Run argv[0] (PATH lookup) with argv, stdin /dev/null, stdout captured into
 * out (or discarded), stderr's first bytes kept for the error message. The
 * child gets its own process group and default signal dispositions; after
 * timeout_s it and its group are killed with SIGKILL.
 * Returns PROV_OK on exit status 0; PROV_E_TIMEOUT; PROV_E_FAILED on a
 * non-zero exit (message = first stderr line); PROV_E_SYSTEM otherwise.
 */
enum prov_err
prov_local_run(const char *const *argv, long timeout_s, struct mg_buf *out,
    struct prov_error *err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	int opipe[2] = { -1, -1 }, epipe[2] = { -1, -1 };
	int fa_ok = 0, at_ok = 0, status = 0, rc, reaped = 0;
	pid_t pid = -1;
	char ebuf[512], rbuf[8192];
	size_t elen = 0;
	int64_t deadline;
	struct pollfd pfd[2];
	nfds_t nfd;
	ssize_t r;
	enum prov_err ret;

	ebuf[0] = '\0';
	if (pipe2(epipe, O_CLOEXEC) != 0 ||
	    (out != NULL && pipe2(opipe, O_CLOEXEC) != 0)) {
		ret = prov_fail(err, PROV_E_SYSTEM, "pipe: %s", strerror(errno));
		goto err;
	}
	if (posix_spawn_file_actions_init(&fa) != 0) {
		ret = prov_fail(err, PROV_E_SYSTEM, "spawn init");
		goto err;
	}
	fa_ok = 1;
	if (posix_spawnattr_init(&at) != 0) {
		ret = prov_fail(err, PROV_E_SYSTEM, "spawn init");
		goto err;
	}
	at_ok = 1;
	sigemptyset(&none);
	sigfillset(&all);
	if (posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) != 0 ||
	    (out != NULL ? posix_spawn_file_actions_adddup2(&fa, opipe[1], 1) :
	    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0)) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, epipe[1], 2) != 0 ||
	    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) != 0 ||
	    posix_spawnattr_setpgroup(&at, 0) != 0 ||
	    posix_spawnattr_setsigmask(&at, &none) != 0 ||
	    posix_spawnattr_setsigdefault(&at, &all) != 0) {
		ret = prov_fail(err, PROV_E_SYSTEM, "spawn setup");
		goto err;
	}
	if ((rc = posix_spawnp(&pid, argv[0], &fa, &at, (char *const *)argv,
	    environ)) != 0) {
		pid = -1;
		ret = prov_fail(err, PROV_E_SYSTEM, "%s: %s", argv[0], strerror(rc));
		goto err;
	}
	close(epipe[1]);
	epipe[1] = -1;
	if (opipe[1] != -1) {
		close(opipe[1]);
		opipe[1] = -1;
	}

	/* Read both pipes until EOF and the child exits, or the deadline. */
	deadline = mg_now_us() + (int64_t)timeout_s * 1000000;
	for (;;) {
		int64_t left = deadline - mg_now_us();
		int ms;

		if (left <= 0)
			break;
		ms = left > 100000 ? 100 : (int)(left / 1000) + 1;
		nfd = 0;
		if (epipe[0] != -1) {
			pfd[nfd].fd = epipe[0];
			pfd[nfd++].events = POLLIN;
		}
		if (opipe[0] != -1) {
			pfd[nfd].fd = opipe[0];
			pfd[nfd++].events = POLLIN;
		}
		if (nfd == 0) {
			rc = waitpid(pid, &status, WNOHANG);
			if (rc == pid) {
				reaped = 1;
				break;
			}
			if (rc < 0 && errno != EINTR) {
				ret = prov_fail(err, PROV_E_SYSTEM, "waitpid: %s", strerror(errno));
				goto err;
			}
			poll(NULL, 0, ms > 20 ? 20 : ms);
			continue;
		}
		if (poll(pfd, nfd, ms) < 0 && errno != EINTR) {
			ret = prov_fail(err, PROV_E_SYSTEM, "poll: %s", strerror(errno));
			goto err;
		}
		for (nfds_t i = 0; i < nfd; i++) {
			if (pfd[i].revents == 0)
				continue;
			r = read(pfd[i].fd, rbuf, sizeof(rbuf));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				close(pfd[i].fd);
				if (pfd[i].fd == epipe[0])
					epipe[0] = -1;
				else
					opipe[0] = -1;
				continue;
			}
			if (pfd[i].fd == epipe[0]) {
				size_t k = (size_t)r;

				if (k > sizeof(ebuf) - 1 - elen)
					k = sizeof(ebuf) - 1 - elen;
				memcpy(ebuf + elen, rbuf, k);
				elen += k;
				ebuf[elen] = '\0';
			} else if (out->len + (size_t)r <= LOCAL_CAPTURE_MAX)
				mg_buf_append(out, rbuf, (size_t)r);
		}
	}
	if (!reaped) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		pid = -1;
		ret = prov_fail(err, PROV_E_TIMEOUT, "%s: killed after %ld s",
		    argv[0], timeout_s);
		goto err;
	}
	pid = -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		ret = PROV_OK;
	else if (WIFEXITED(status)) {
		ebuf[strcspn(ebuf, "\r\n")] = '\0';
		ret = prov_fail(err, PROV_E_FAILED, "%s exited %d: %s", argv[0],
		    WEXITSTATUS(status), ebuf);
	} else
		ret = prov_fail(err, PROV_E_SYSTEM, "%s: killed by signal", argv[0]);
	if (ret == PROV_OK && out != NULL && out->oom)
		ret = prov_fail(err, PROV_E_SYSTEM, "out of memory");
	/* FALLTHROUGH: release everything */
err:
	if (pid > 0) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	for (int i = 0; i < 2; i++) {
		if (opipe[i] != -1)
			close(opipe[i]);
		if (epipe[i] != -1)
			close(epipe[i]);
	}
	if (fa_ok)
		posix_spawn_file_actions_destroy(&fa);
	if (at_ok)
		posix_spawnattr_destroy(&at);
	return ret;
}

/*
 * SHA-256 over (prompt, seed, w, h, index): the seed of every pattern. 3d
 * and annotation jobs work from their inputs (a prompt is optional), so
 * the SHA-256 of each input file's bytes is mixed in too ("-" for an
 * unreadable one): another source image gives another model.
 */
static void
job_hash(const struct prov_job *job, size_t index, unsigned char h[32])
{
	struct mg_buf b;
	unsigned char d[32], *p;
	char hex[65];
	size_t i, n;

	mg_buf_init(&b, NULL);
	mg_buf_printf(&b, "%s%c%lld%c%d%c%d%c%zu", job->prompt ? job->prompt : "",
	    0, (long long)(job->has_seed ? job->seed : 0), 0, job->width, 0,
	    job->height, 0, index);
	if (job->kind == PROV_KIND_3D || job->kind == PROV_KIND_ANNOTATION) {
		for (i = 0; i < job->ninputs && job->inputs != NULL; i++) {
			p = job->inputs[i] != NULL ? read_file(job->inputs[i],
			    LOCAL_READ_MAX, &n) : NULL;
			if (p == NULL) {
				mg_buf_puts(&b, "|-");
				continue;
			}
			mg_sha256(p, n, d);
			free(p);
			mg_hex(d, sizeof(d), hex);
			mg_buf_printf(&b, "|%s", hex);
		}
	}
	mg_sha256(b.data != NULL ? b.data : "", b.len, h);
	mg_buf_free(&b);
}

/*
 * Draw the deterministic picture: a two-colour gradient in one of four
 * directions, a checker modulation, translucent discs, and the prompt text
 * (ASCII; other bytes as '?') on a dark band. Returns the image (caller
 * destroys) or NULL on OOM.
 */
static gdImagePtr
draw_image(const unsigned char *h, int w, int ht, const char *prompt)
{
	gdImagePtr im;
	gdFontPtr font = gdFontGetMediumBold();
	int x, y, t, k, den, cw, ch, cols, lines, line;
	int sx = 8 + h[7] % 24, sy = 8 + h[8] % 24;
	unsigned char txt[600];
	size_t plen, off;

	if ((im = gdImageCreateTrueColor(w, ht)) == NULL)
		return NULL;
	den = (h[6] % 4 < 2) ? (h[6] % 2 ? ht : w) : w + ht;
	for (y = 0; y < ht; y++)
		for (x = 0; x < w; x++) {
			int r, g, b, d;

			switch (h[6] % 4) {
			case 0: d = x; break;
			case 1: d = y; break;
			case 2: d = x + y; break;
			default: d = x + (ht - 1 - y); break;
			}
			t = d * 255 / (den > 1 ? den - 1 : 1);
			r = (h[0] * (255 - t) + h[3] * t) / 255;
			g = (h[1] * (255 - t) + h[4] * t) / 255;
			b = (h[2] * (255 - t) + h[5] * t) / 255;
			if (((x / sx) + (y / sy)) % 2) {
				r = r > 239 ? 255 : r + 16;
				g = g > 239 ? 255 : g + 16;
				b = b > 239 ? 255 : b + 16;
			}
			im->tpixels[y][x] = gdTrueColor(r, g, b);
		}
	gdImageAlphaBlending(im, 1);
	for (k = 0; k < 3 + h[9] % 4; k++) {
		const unsigned char *c = h + 10 + k * 3;
		int m = w < ht ? w : ht;

		gdImageFilledEllipse(im, c[0] * w / 255, c[1] * ht / 255,
		    8 + c[2] * m / 384, 8 + c[2] * m / 384,
		    gdTrueColorAlpha(h[(k + 20) % 32], h[(k + 21) % 32],
		    h[(k + 22) % 32], 64));
	}

	/* Prompt text, wrapped, on a translucent band at the bottom. */
	cw = font->w;
	ch = font->h + 2;
	cols = (w - 8) / cw;
	plen = prompt != NULL ? strlen(prompt) : 0;
	if (cols < 1 || plen == 0)
		return im;
	if (plen > sizeof(txt) - 1)
		plen = sizeof(txt) - 1;
	for (off = 0; off < plen; off++) {
		unsigned char c = (unsigned char)prompt[off];
		txt[off] = (c >= 0x20 && c < 0x7f) ? c : '?';
	}
	txt[plen] = '\0';
	lines = (int)((plen + (size_t)cols - 1) / (size_t)cols);
	if (lines > (ht - 8) / ch)
		lines = (ht - 8) / ch;
	if (lines > 8)
		lines = 8;
	if (lines < 1)
		return im;
	gdImageFilledRectangle(im, 0, ht - 6 - lines * ch, w - 1, ht - 1,
	    gdTrueColorAlpha(0, 0, 0, 48));
	for (line = 0; line < lines; line++) {
		unsigned char save;
		size_t s = (size_t)line * (size_t)cols, e = s + (size_t)cols;

		if (e > plen)
			e = plen;
		save = txt[e];
		txt[e] = '\0';
		gdImageString(im, font, 4, ht - 4 - (lines - line) * ch,
		    txt + s, gdTrueColor(255, 255, 255));
		txt[e] = save;
	}
	return im;
}

/* Normalised image format: "png", "webp", "jpeg", or NULL if unsupported. */
static const char *
image_format(const char *fmt)
{
	if (fmt == NULL || strcmp(fmt, "png") == 0)
		return "png";
	if (strcmp(fmt, "webp") == 0)
		return "webp";
	if (strcmp(fmt, "jpeg") == 0 || strcmp(fmt, "jpg") == 0)
		return "jpeg";
	return NULL;
}

/* Encode im as fmt and write it to path; adds the file to res. */
static enum prov_err
save_image(gdImagePtr im, const char *fmt, const char *path,
    struct prov_result *res, struct prov_error *err)
{
	void *data;
	int size = 0;
	enum prov_err rc;

	if (strcmp(fmt, "webp") == 0)
		data = gdImageWebpPtrEx(im, &size, 80);
	else if (strcmp(fmt, "jpeg") == 0)
		data = gdImageJpegPtr(im, &size, 90);
	else
		data = gdImagePngPtrEx(im, &size, 6);
	if (data == NULL || size <= 0) {
		if (data != NULL)
			gdFree(data);
		return prov_fail(err, PROV_E_SYSTEM, "encode %s failed", fmt);
	}
	rc = write_atomic(path, data, (size_t)size, err);
	gdFree(data);
	if (rc != PROV_OK)
		return rc;
	return add_file(res, path, prov_ext_mime(fmt), gdImageSX(im),
	    gdImageSY(im), 0, err);
}

static enum prov_err
render_image(const struct prov_job *job, struct prov_result *res,
    struct prov_error *err)
{
	const char *fmt = image_format(job->format);
	int i, n = job->count > 0 ? job->count : 1;
	unsigned char h[32];
	char path[512];
	gdImagePtr im;
	enum prov_err rc;

	for (i = 0; i < n; i++) {
		job_hash(job, (size_t)i, h);
		if (prov_out_path(job, (size_t)i, fmt, path, sizeof(path)) != 0)
			return prov_fail(err, PROV_E_INVALID, "out_dir: too long");
		if ((im = draw_image(h, job->width, job->height, job->prompt)) == NULL)
			return prov_fail(err, PROV_E_SYSTEM, "out of memory");
		rc = save_image(im, fmt, path, res, err);
		gdImageDestroy(im);
		if (rc != PROV_OK)
			return rc;
	}
	return PROV_OK;
}

/*
 * ffmpeg's own CPU-time limit (-timelimit), equal to the render timeout:
 * bounds a child orphaned by a crashed dispatcher (it runs in its own
 * process group). Returns a static string.
 */
static const char *
timelimit(void)
{
	static char buf[24];

	snprintf(buf, sizeof(buf), "%ld", local_timeout());
	return buf;
}

static const char *
tool(const char *key, const char *def)
{
	return mg_cfg_str(key, def);
}

/*
 * The arguments every ffmpeg run starts with: the binary, no stdin, the
 * CPU time limit, quiet, overwrite. Returns how many were written to argv.
 */
static size_t
ffmpeg_argv_start(const char **argv)
{
	size_t n = 0;

	argv[n++] = tool("ffmpeg_path", "ffmpeg");
	argv[n++] = "-nostdin";
	argv[n++] = "-timelimit";
	argv[n++] = timelimit();
	argv[n++] = "-hide_banner";
	argv[n++] = "-loglevel";
	argv[n++] = "error";
	argv[n++] = "-y";
	return n;
}

/*
 * Duration of a WAV file in ms from its "fmt " byte rate and "data" size
 * (clamped to the bytes present). Returns -1 if not a RIFF/WAVE file.
 */
static int64_t
wav_duration_ms(const char *path)
{
	unsigned char *p;
	size_t n, off = 12;
	uint32_t rate = 0, data = 0, sz;
	int64_t ms = -1;

	if ((p = read_file(path, LOCAL_READ_MAX, &n)) == NULL)
		return -1;
	if (n < 12 || memcmp(p, "RIFF", 4) != 0 || memcmp(p + 8, "WAVE", 4) != 0)
		goto out;
	while (off + 8 <= n) {
		sz = (uint32_t)p[off + 4] | (uint32_t)p[off + 5] << 8 |
		    (uint32_t)p[off + 6] << 16 | (uint32_t)p[off + 7] << 24;
		if (memcmp(p + off, "fmt ", 4) == 0 && off + 20 <= n)
			rate = (uint32_t)p[off + 16] | (uint32_t)p[off + 17] << 8 |
			    (uint32_t)p[off + 18] << 16 | (uint32_t)p[off + 19] << 24;
		if (memcmp(p + off, "data", 4) == 0) {
			data = sz;
			if (data > n - off - 8)
				data = (uint32_t)(n - off - 8);
			break;
		}
		if (sz > n - off - 8)
			break;
		off += 8 + sz + (sz & 1);
	}
	if (rate > 0)
		ms = (int64_t)data * 1000 / rate;
out:
	free(p);
	return ms;
}

/*
 * Media duration in ms via ffprobe (format=duration, "12.345678"), parsed
 * without floating point. Returns -1 when unknown.
 */
int64_t
prov_media_duration_ms(const char *path)
{
	const char *argv[] = { tool("ffprobe_path", "ffprobe"), "-v", "error",
	    "-show_entries", "format=duration", "-of",
	    "default=noprint_wrappers=1:nokey=1", path, NULL };
	struct mg_buf out;
	struct prov_error e;
	int64_t sec, frac = 0, ms = -1;
	size_t i, dot, end;
	int d;

	mg_buf_init(&out, NULL);
	if (prov_local_run(argv, 30, &out, &e) != PROV_OK || out.len == 0)
		goto done;
	end = strcspn(out.data, "\r\n");
	dot = strcspn(out.data, ".\r\n");
	if (mg_parse_i64(out.data, dot, 0, INT64_MAX / 1000, &sec) != 0)
		goto done;
	for (i = dot + 1, d = 0; dot < end && i < end && d < 3; i++, d++) {
		if (out.data[i] < '0' || out.data[i] > '9')
			goto done;
		frac = frac * 10 + (out.data[i] - '0');
	}
	for (; d < 3; d++)
		frac *= 10;
	ms = sec * 1000 + frac;
done:
	mg_buf_free(&out);
	return ms;
}

/* espeak-ng voice for job->voice; NULL if the name is not acceptable. */
static const char *
espeak_voice(const char *v)
{
	static const struct {
		const char *name, *espeak;
	} map[] = {
		{ "default", "en-us" }, { "alloy", "en-us" },
		{ "male", "en-us+m3" }, { "female", "en-us+f3" },
		{ "narrator", "en-gb+m1" }, { "child", "en-us+f5" },
	};
	size_t i;

	if (v == NULL || *v == '\0')
		return "en-us";
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].name, v) == 0)
			return map[i].espeak;
	/* An espeak voice name itself: [a-z] then [a-z0-9+-], at most 32. */
	if (strlen(v) > 32 || v[0] < 'a' || v[0] > 'z')
		return NULL;
	for (i = 0; v[i] != '\0'; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= '0' &&
		    v[i] <= '9') || v[i] == '+' || v[i] == '-'))
			return NULL;
	return v;
}

static enum prov_err
render_audio(const struct prov_job *job, struct prov_result *res,
    struct prov_error *err)
{
	const char *fmt = job->format != NULL ? job->format : "wav";
	const char *voice = espeak_voice(job->voice);
	char wav[512], mp3[512], tmp[600];
	int64_t ms;
	enum prov_err rc;

	if (voice == NULL)
		return prov_fail(err, PROV_E_INVALID, "voice: unknown");
	if (prov_out_path(job, 0, "wav", wav, sizeof(wav)) != 0 ||
	    prov_out_path(job, 0, "mp3", mp3, sizeof(mp3)) != 0)
		return prov_fail(err, PROV_E_INVALID, "out_dir: too long");
	snprintf(tmp, sizeof(tmp), "%s.tmp", wav);
	{
		const char *argv[] = { tool("espeak_path", "espeak-ng"), "-v",
		    voice, "-w", tmp, "--", job->prompt, NULL };

		if ((rc = prov_local_run(argv, local_timeout(), NULL, err)) != PROV_OK)
			goto err;
	}
	if ((ms = wav_duration_ms(tmp)) <= 0) {
		rc = prov_fail(err, PROV_E_FAILED, "espeak-ng wrote no audio");
		goto err;
	}
	if (strcmp(fmt, "mp3") == 0) {
		char mtmp[600];
		const char *argv[] = { tool("ffmpeg_path", "ffmpeg"), "-nostdin",
		    "-timelimit", timelimit(),
		    "-hide_banner", "-loglevel", "error", "-y", "-i", tmp,
		    "-c:a", "libmp3lame", "-b:a", "128k", "-map_metadata", "-1",
		    "-fflags", "+bitexact", "-f", "mp3", mtmp, NULL };

		snprintf(mtmp, sizeof(mtmp), "%s.tmp", mp3);
		rc = prov_local_run(argv, local_timeout(), NULL, err);
		unlink(tmp);
		if (rc != PROV_OK || rename(mtmp, mp3) != 0) {
			unlink(mtmp);
			return rc != PROV_OK ? rc : prov_fail(err, PROV_E_SYSTEM,
			    "save output: %s", strerror(errno));
		}
		return add_file(res, mp3, "audio/mpeg", 0, 0, ms, err);
	}
	if (rename(tmp, wav) != 0) {
		rc = prov_fail(err, PROV_E_SYSTEM, "save output: %s", strerror(errno));
		goto err;
	}
	return add_file(res, wav, "audio/wav", 0, 0, ms, err);
err:
	unlink(tmp);
	return rc;
}

/*
 * Whether ffmpeg has libx264 (`ffmpeg -encoders`), asked once per process.
 * Returns 1 for libx264, 0 for the mpeg4 fallback.
 */
static int
have_x264(void)
{
	static int cached = -1;
	const char *argv[] = { tool("ffmpeg_path", "ffmpeg"), "-hide_banner",
	    "-encoders", NULL };
	struct mg_buf out;
	struct prov_error e;

	if (cached != -1)
		return cached;
	mg_buf_init(&out, NULL);
	cached = prov_local_run(argv, 30, &out, &e) == PROV_OK &&
	    out.data != NULL && strstr(out.data, " libx264 ") != NULL;
	mg_buf_free(&out);
	return cached;
}

const char *
prov_local_video_encoder(void)
{
	return have_x264() ? "libx264" : "mpeg4";
}

/* Append the video codec arguments to argv at *n. */
static void
video_codec_args(const char **argv, size_t *n)
{
	if (have_x264()) {
		argv[(*n)++] = "-c:v";
		argv[(*n)++] = "libx264";
		argv[(*n)++] = "-preset";
		argv[(*n)++] = "veryfast";
		argv[(*n)++] = "-pix_fmt";
		argv[(*n)++] = "yuv420p";
	} else {
		argv[(*n)++] = "-c:v";
		argv[(*n)++] = "mpeg4";
		argv[(*n)++] = "-q:v";
		argv[(*n)++] = "5";
		argv[(*n)++] = "-pix_fmt";
		argv[(*n)++] = "yuv420p";
	}
}

/* Run ffmpeg writing tmp, then rename to path and record the file. */
static enum prov_err
ffmpeg_finish(const char **argv, const char *tmp, const char *path,
    const char *mime, int w, int h, int64_t known_ms, struct prov_result *res,
    struct prov_error *err)
{
	enum prov_err rc;
	int64_t ms;

	if ((rc = prov_local_run(argv, local_timeout(), NULL, err)) != PROV_OK) {
		unlink(tmp);
		return rc;
	}
	if (rename(tmp, path) != 0) {
		unlink(tmp);
		return prov_fail(err, PROV_E_SYSTEM, "save output: %s", strerror(errno));
	}
	ms = prov_media_duration_ms(path);
	if (ms < 0)
		ms = known_ms;
	return add_file(res, path, mime, w, h, ms, err);
}

static enum prov_err
render_video(const struct prov_job *job, struct prov_result *res,
    struct prov_error *err)
{
	unsigned char h[32];
	char path[512], tmp[600], src[96], sine[96], hue[32];
	const char *argv[48];
	size_t n = 0;

	job_hash(job, 0, h);
	if (prov_out_path(job, 0, "mp4", path, sizeof(path)) != 0)
		return prov_fail(err, PROV_E_INVALID, "out_dir: too long");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(src, sizeof(src), "testsrc2=size=%dx%d:rate=24:duration=%d",
	    job->width, job->height, job->duration_s);
	snprintf(sine, sizeof(sine), "sine=frequency=%d:sample_rate=44100:duration=%d",
	    220 + (h[0] << 8 | h[1]) % 660, job->duration_s);
	snprintf(hue, sizeof(hue), "hue=h=%d", (h[2] << 8 | h[3]) % 360);
	n = ffmpeg_argv_start(argv);
	argv[n++] = "-f";
	argv[n++] = "lavfi";
	argv[n++] = "-i";
	argv[n++] = src;
	argv[n++] = "-f";
	argv[n++] = "lavfi";
	argv[n++] = "-i";
	argv[n++] = sine;
	argv[n++] = "-vf";
	argv[n++] = hue;
	video_codec_args(argv, &n);
	argv[n++] = "-c:a";
	argv[n++] = "aac";
	argv[n++] = "-b:a";
	argv[n++] = "64k";
	argv[n++] = "-shortest";
	argv[n++] = "-map_metadata";
	argv[n++] = "-1";
	argv[n++] = "-fflags";
	argv[n++] = "+bitexact";
	argv[n++] = "-movflags";
	argv[n++] = "+faststart";
	argv[n++] = "-f";
	argv[n++] = "mp4";
	argv[n++] = tmp;
	argv[n] = NULL;
	return ffmpeg_finish(argv, tmp, path, "video/mp4", job->width,
	    job->height, (int64_t)job->duration_s * 1000, res, err);
}

/* Little-endian helpers for the glTF buffer. */
static void
put_u16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v & 0xFF);
	p[1] = (unsigned char)(v >> 8);
}

static void
put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/*
 * A glTF 2.0 unit cube (glTF 2.0 spec §3.6-3.7): 36 uint16 indices then 8
 * float VEC3 positions in one embedded base64 buffer, one material whose
 * base colour comes from the job hash. Floats are written as IEEE-754 bit
 * patterns (±0.5 = 0x3F000000 / 0xBF000000).
 */
static enum prov_err
render_3d(const struct prov_job *job, struct prov_result *res,
    struct prov_error *err)
{
	static const unsigned char idx[36] = {
		0, 2, 3, 0, 3, 1,	/* -z */
		4, 5, 7, 4, 7, 6,	/* +z */
		0, 1, 5, 0, 5, 4,	/* -y */
		2, 6, 7, 2, 7, 3,	/* +y */
		0, 4, 6, 0, 6, 2,	/* -x */
		1, 3, 7, 1, 7, 5,	/* +x */
	};
	unsigned char bin[72 + 96], h[32];
	char b64[256], path[512];
	struct mg_buf j;
	int i, c, v[3];

	for (i = 0; i < 36; i++)
		put_u16(bin + 2 * i, idx[i]);
	for (i = 0; i < 8; i++)
		for (c = 0; c < 3; c++)
			put_u32(bin + 72 + 12 * i + 4 * c,
			    (i >> c) & 1 ? 0x3F000000u : 0xBF000000u);
	if (mg_b64(bin, sizeof(bin), b64, sizeof(b64)) == 0)
		return prov_fail(err, PROV_E_SYSTEM, "base64 failed");
	job_hash(job, 0, h);
	for (c = 0; c < 3; c++)
		v[c] = h[c] * 1000 / 255;
	if (prov_out_path(job, 0, "gltf", path, sizeof(path)) != 0)
		return prov_fail(err, PROV_E_INVALID, "out_dir: too long");
	mg_buf_init(&j, NULL);
	mg_buf_printf(&j,
	    "{\"asset\":{\"version\":\"2.0\",\"generator\":\"mediagate local\"},"
	    "\"scene\":0,\"scenes\":[{\"nodes\":[0]}],"
	    "\"nodes\":[{\"mesh\":0,\"name\":\"cube\"}],"
	    "\"meshes\":[{\"primitives\":[{\"attributes\":{\"POSITION\":1},"
	    "\"indices\":0,\"material\":0}]}],"
	    "\"materials\":[{\"pbrMetallicRoughness\":{\"baseColorFactor\":"
	    "[%d.%03d,%d.%03d,%d.%03d,1.0],\"metallicFactor\":0.0,"
	    "\"roughnessFactor\":0.8}}],"
	    "\"buffers\":[{\"byteLength\":%zu,\"uri\":"
	    "\"data:application/octet-stream;base64,%s\"}],"
	    "\"bufferViews\":[{\"buffer\":0,\"byteOffset\":0,\"byteLength\":72,"
	    "\"target\":34963},{\"buffer\":0,\"byteOffset\":72,"
	    "\"byteLength\":96,\"target\":34962}],"
	    "\"accessors\":[{\"bufferView\":0,\"componentType\":5123,"
	    "\"count\":36,\"type\":\"SCALAR\"},{\"bufferView\":1,"
	    "\"componentType\":5126,\"count\":8,\"type\":\"VEC3\","
	    "\"min\":[-0.5,-0.5,-0.5],\"max\":[0.5,0.5,0.5]}]}\n",
	    v[0] / 1000, v[0] % 1000, v[1] / 1000, v[1] % 1000,
	    v[2] / 1000, v[2] % 1000, sizeof(bin), b64);
	return save_buf(res, path, &j, "model/gltf+json", 0, err);
}

/*
 * A character "training" run offline: a small, deterministic adapter file
 * (JSON: the character's name and a 16-value signature derived from the
 * job hash), so a training job completes end to end with no GPU. A real
 * trainer replaces this through a remote adapter.
 */
static enum prov_err
render_training(const struct prov_job *job, struct prov_result *res,
    struct prov_error *err)
{
	unsigned char h[32];
	char path[512];
	struct mg_buf j;
	int i;

	job_hash(job, 0, h);
	if (prov_out_path(job, 0, "json", path, sizeof(path)) != 0)
		return prov_fail(err, PROV_E_INVALID, "out_dir: too long");
	mg_buf_init(&j, NULL);
	mg_buf_puts(&j, "{\"format\":\"mediagate-local-adapter-v1\",\"name\":\"");
	mg_buf_json_escape(&j, job->prompt != NULL ? job->prompt : "");
	mg_buf_printf(&j, "\",\"references\":%zu,\"signature\":[", job->ninputs);
	for (i = 0; i < 16; i++)
		mg_buf_printf(&j, "%s%u", i ? "," : "", (unsigned)h[i]);
	mg_buf_puts(&j, "]}\n");
	return save_buf(res, path, &j, "application/json", 0, err);
}

/*
 * The annotation document (pure; see prov_int.h). Words are the
 * whitespace-separated tokens of transcript, spread evenly over
 * duration_ms with integer arithmetic: word i of n spans
 * [d*i/n, d*(i+1)/n). Returns 0, or -1 on OOM.
 */
int
prov_annotation_json(struct mg_buf *b, const char *transcript,
    const char *language, int64_t duration_ms, size_t ninputs,
    const char *signature)
{
	char *t = NULL, *w, *save = NULL;
	size_t n = 0, i;

	mg_buf_puts(b, "{\"format\":\"mediagate-local-annotation-v1\",\"language\":\"");
	mg_buf_json_escape(b, language != NULL ? language : "en");
	mg_buf_printf(b, "\",\"sources\":%zu,\"durationMs\":", ninputs);
	if (duration_ms >= 0)
		mg_buf_printf(b, "%lld", (long long)duration_ms);
	else
		mg_buf_puts(b, "null");
	if (transcript != NULL && transcript[0] != '\0') {
		mg_buf_puts(b, ",\"transcriptSource\":\"provided\",\"transcript\":\"");
		mg_buf_json_escape(b, transcript);
		mg_buf_puts(b, "\"");
		if ((t = strdup(transcript)) == NULL)
			return -1;
		for (w = strtok_r(t, " \t\r\n", &save); w != NULL;
		    w = strtok_r(NULL, " \t\r\n", &save))
			n++;
		free(t);
	} else
		mg_buf_puts(b, ",\"transcriptSource\":\"none\",\"transcript\":null");
	mg_buf_puts(b, ",\"words\":[");
	if (n > 0) {
		if ((t = strdup(transcript)) == NULL)
			return -1;
		save = NULL;
		for (i = 0, w = strtok_r(t, " \t\r\n", &save); w != NULL;
		    i++, w = strtok_r(NULL, " \t\r\n", &save)) {
			mg_buf_printf(b, "%s{\"word\":\"", i ? "," : "");
			mg_buf_json_escape(b, w);
			if (duration_ms >= 0)
				mg_buf_printf(b, "\",\"startMs\":%lld,\"endMs\":%lld}",
				    (long long)(duration_ms * (int64_t)i / (int64_t)n),
				    (long long)(duration_ms * (int64_t)(i + 1) / (int64_t)n));
			else
				mg_buf_puts(b, "\",\"startMs\":null,\"endMs\":null}");
		}
		free(t);
	}
	mg_buf_puts(b, "],\"signature\":\"");
	mg_buf_json_escape(b, signature != NULL ? signature : "");
	mg_buf_puts(b, "\"}\n");
	return b->oom ? -1 : 0;
}

/*
 * Annotate a reference audio offline: no ASR, but a real document: the
 * source's duration measured with ffprobe (WAV header as a fallback), the
 * caller's transcript (extra_json "transcript", "language") with evenly
 * spread word timings, and a signature from the job hash (prompt, seed,
 * input bytes). Writes <name>-0.json (application/json).
 */
static enum prov_err
render_annotation(const struct prov_job *job, struct prov_result *res,
    struct prov_error *err)
{
	unsigned char h[32];
	char path[512], sig[33];
	struct mg_buf j;
	json_object *x = NULL, *v;
	const char *tr = NULL, *lang = NULL;
	int64_t ms = -1;

	if (job->ninputs > 0 && job->inputs != NULL && job->inputs[0] != NULL) {
		ms = prov_media_duration_ms(job->inputs[0]);
		if (ms < 0)
			ms = wav_duration_ms(job->inputs[0]);
	}
	if (job->extra_json != NULL &&
	    (x = json_tokener_parse(job->extra_json)) != NULL) {
		if (json_object_object_get_ex(x, "transcript", &v) &&
		    json_object_is_type(v, json_type_string))
			tr = json_object_get_string(v);
		if (json_object_object_get_ex(x, "language", &v) &&
		    json_object_is_type(v, json_type_string))
			lang = json_object_get_string(v);
	}
	job_hash(job, 0, h);
	mg_hex(h, 16, sig);
	if (prov_out_path(job, 0, "json", path, sizeof(path)) != 0) {
		json_object_put(x);
		return prov_fail(err, PROV_E_INVALID, "out_dir: too long");
	}
	mg_buf_init(&j, NULL);
	if (prov_annotation_json(&j, tr, lang, ms, job->ninputs, sig) != 0) {
		json_object_put(x);
		mg_buf_free(&j);
		return prov_fail(err, PROV_E_SYSTEM, "out of memory");
	}
	json_object_put(x);
	return save_buf(res, path, &j, "application/json", ms > 0 ? ms : 0, err);
}

/* Concatenate inputs with the ffmpeg concat demuxer, stream copy. */
static enum prov_err
compose_concat(const struct prov_job *job, struct prov_result *res,
    struct prov_error *err)
{
	char path[512], tmp[600], list[600], real[PATH_MAX];
	struct mg_buf b;
	const char *argv[32];
	size_t i, n = 0;
	enum prov_err rc;

	if (prov_out_path(job, 0, "mp4", path, sizeof(path)) != 0)
		return prov_fail(err, PROV_E_INVALID, "out_dir: too long");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(list, sizeof(list), "%s.concat.txt", path);
	mg_buf_init(&b, NULL);
	/* ffmpeg concat demuxer list: file '<path>' with ' escaped as '\'' */
	for (i = 0; i < job->ninputs; i++) {
		const char *p;

		if (realpath(job->inputs[i], real) == NULL) {
			mg_buf_free(&b);
			return prov_fail(err, PROV_E_INVALID, "inputs[%zu]: not found", i);
		}
		if (strpbrk(real, "\r\n") != NULL) {
			mg_buf_free(&b);
			return prov_fail(err, PROV_E_INVALID, "inputs[%zu]: bad name", i);
		}
		mg_buf_puts(&b, "file '");
		for (p = real; *p != '\0'; p++)
			if (*p == '\'')
				mg_buf_puts(&b, "'\\''");
			else
				mg_buf_append(&b, p, 1);
		mg_buf_puts(&b, "'\n");
	}
	if (b.oom) {
		mg_buf_free(&b);
		return prov_fail(err, PROV_E_SYSTEM, "out of memory");
	}
	rc = write_atomic(list, b.data, b.len, err);
	mg_buf_free(&b);
	if (rc != PROV_OK)
		return rc;
	n = ffmpeg_argv_start(argv);
	argv[n++] = "-f";
	argv[n++] = "concat";
	argv[n++] = "-safe";
	argv[n++] = "0";
	argv[n++] = "-i";
	argv[n++] = list;
	argv[n++] = "-c";
	argv[n++] = "copy";
	argv[n++] = "-map_metadata";
	argv[n++] = "-1";
	argv[n++] = "-movflags";
	argv[n++] = "+faststart";
	argv[n++] = "-f";
	argv[n++] = "mp4";
	argv[n++] = tmp;
	argv[n] = NULL;
	rc = ffmpeg_finish(argv, tmp, path, "video/mp4", 0, 0, 0, res, err);
	unlink(list);
	return rc;
}

/* Resize inputs[0]: images with libgd (gdImageScale), video with ffmpeg. */
static enum prov_err
compose_resize(const struct prov_job *job, struct prov_result *res,
    struct prov_error *err)
{
	unsigned char *p;
	size_t n = 0;
	enum img_type t;
	char path[512], tmp[600], scale[64];
	const char *argv[40];
	enum prov_err rc;

	/* Video may shrink to 2x2 (seed 003 video.resize: even, >= 2). */
	if (job->width < 2 || job->height < 2)
		return prov_fail(err, PROV_E_INVALID, "width/height: at least 2");
	if ((p = read_file(job->inputs[0], LOCAL_READ_MAX, &n)) == NULL)
		return prov_fail(err, PROV_E_INVALID, "inputs[0]: unreadable");
	t = img_sniff(p, n);
	if (t != IMG_NONE) {
		const char *fmt = image_format(job->format != NULL ? job->format :
		    t == IMG_PNG ? "png" : t == IMG_JPEG ? "jpeg" : "webp");
		gdImagePtr im, sc;

		if (job->width < LOCAL_IMG_MIN || job->height < LOCAL_IMG_MIN) {
			free(p);
			return prov_fail(err, PROV_E_INVALID, "width/height: at least %d",
			    LOCAL_IMG_MIN);
		}
		im = img_decode(p, n);
		free(p);
		if (fmt == NULL) {
			if (im != NULL)
				gdImageDestroy(im);
			return prov_fail(err, PROV_E_INVALID, "format: unsupported for images");
		}
		if (im == NULL)
			return prov_fail(err, PROV_E_INVALID, "inputs[0]: undecodable image");
		gdImageSetInterpolationMethod(im, GD_BILINEAR_FIXED);
		sc = gdImageScale(im, (unsigned)job->width, (unsigned)job->height);
		gdImageDestroy(im);
		if (sc == NULL)
			return prov_fail(err, PROV_E_SYSTEM, "scale failed");
		if (prov_out_path(job, 0, fmt, path, sizeof(path)) != 0)
			rc = prov_fail(err, PROV_E_INVALID, "out_dir: too long");
		else
			rc = save_image(sc, fmt, path, res, err);
		gdImageDestroy(sc);
		return rc;
	}
	free(p);
	if (job->format != NULL && strcmp(job->format, "mp4") != 0)
		return prov_fail(err, PROV_E_INVALID, "format: video resize writes mp4");
	if (job->width % 2 || job->height % 2)
		return prov_fail(err, PROV_E_INVALID, "width/height: must be even for video");
	if (prov_out_path(job, 0, "mp4", path, sizeof(path)) != 0)
		return prov_fail(err, PROV_E_INVALID, "out_dir: too long");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	/* Square pixels: the output displays at exactly width x height. */
	snprintf(scale, sizeof(scale), "scale=%d:%d,setsar=1", job->width,
	    job->height);
	n = ffmpeg_argv_start(argv);
	argv[n++] = "-i";
	argv[n++] = job->inputs[0];
	argv[n++] = "-vf";
	argv[n++] = scale;
	video_codec_args(argv, &n);
	argv[n++] = "-c:a";
	argv[n++] = "copy";
	argv[n++] = "-map_metadata";
	argv[n++] = "-1";
	argv[n++] = "-movflags";
	argv[n++] = "+faststart";
	argv[n++] = "-f";
	argv[n++] = "mp4";
	argv[n++] = tmp;
	argv[n] = NULL;
	return ffmpeg_finish(argv, tmp, path, "video/mp4", job->width,
	    job->height, 0, res, err);
}

/*
 * Local-only rules on top of prov_job_check: image sizes in
 * [LOCAL_IMG_MIN, PROV_DIM_MAX]; video sizes even, in [LOCAL_IMG_MIN,
 * LOCAL_VIDEO_DIM_MAX], duration 1..LOCAL_VIDEO_SEC_MAX; count > 1 only for
 * images; formats each kind can write; every compose input readable.
 */
static enum prov_err
local_check(const struct prov_job *job, struct prov_error *err)
{
	const char *f = job->format;
	size_t i;

	if (job->count > 1 && job->kind != PROV_KIND_IMAGE)
		return prov_fail(err, PROV_E_INVALID, "count: only images may have count > 1");
	switch (job->kind) {
	case PROV_KIND_IMAGE:
		if (job->width < LOCAL_IMG_MIN || job->height < LOCAL_IMG_MIN)
			return prov_fail(err, PROV_E_INVALID, "width/height: at least %d", LOCAL_IMG_MIN);
		if (image_format(f) == NULL)
			return prov_fail(err, PROV_E_INVALID, "format: png, webp or jpeg");
		break;
	case PROV_KIND_VIDEO:
		if (job->width < LOCAL_IMG_MIN || job->height < LOCAL_IMG_MIN ||
		    job->width > LOCAL_VIDEO_DIM_MAX || job->height > LOCAL_VIDEO_DIM_MAX)
			return prov_fail(err, PROV_E_INVALID, "width/height: %d..%d for video",
			    LOCAL_IMG_MIN, LOCAL_VIDEO_DIM_MAX);
		if (job->width % 2 || job->height % 2)
			return prov_fail(err, PROV_E_INVALID, "width/height: must be even for video");
		if (job->duration_s < 1 || job->duration_s > LOCAL_VIDEO_SEC_MAX)
			return prov_fail(err, PROV_E_INVALID, "duration: 1..%d s", LOCAL_VIDEO_SEC_MAX);
		if (f != NULL && strcmp(f, "mp4") != 0)
			return prov_fail(err, PROV_E_INVALID, "format: mp4");
		break;
	case PROV_KIND_AUDIO:
		if (f != NULL && strcmp(f, "wav") != 0 && strcmp(f, "mp3") != 0)
			return prov_fail(err, PROV_E_INVALID, "format: wav or mp3");
		break;
	case PROV_KIND_3D:
		if (f != NULL && strcmp(f, "gltf") != 0)
			return prov_fail(err, PROV_E_INVALID, "format: gltf");
		break;
	case PROV_KIND_TRAINING:
	case PROV_KIND_ANNOTATION:
		if (f != NULL && strcmp(f, "json") != 0)
			return prov_fail(err, PROV_E_INVALID, "format: json");
		break;
	case PROV_KIND_COMPOSE:
		for (i = 0; i < job->ninputs; i++)
			if (job->inputs[i] == NULL || access(job->inputs[i], R_OK) != 0)
				return prov_fail(err, PROV_E_INVALID, "inputs[%zu]: not readable", i);
		if (job->compose == PROV_COMPOSE_CONCAT && f != NULL &&
		    strcmp(f, "mp4") != 0)
			return prov_fail(err, PROV_E_INVALID, "format: concat writes mp4");
		break;
	default:
		break;
	}
	return PROV_OK;
}

/* Sleep s seconds, at most until timeout_s; 1 if the timeout cut it short. */
static int
slow_sleep(int s, long timeout_s)
{
	struct timespec ts;
	int cut = s > timeout_s;

	ts.tv_sec = cut ? timeout_s : s;
	ts.tv_nsec = 0;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	return cut;
}

/*
 * Render synchronously. On success res->state is SUCCEEDED and res->files
 * lists the outputs (owned by the caller's out_dir); request_id is
 * "local-" + hex of the job hash.
 */
enum prov_err
prov_local_submit(const struct prov_job *job, struct prov_result *res,
    struct prov_error *err)
{
	struct prov_markers m;
	unsigned char h[32];
	char hex[65];
	enum prov_err rc;

	prov_result_init(res);
	prov_error_init(err);
	if ((rc = prov_job_check(job, err)) != PROV_OK ||
	    (rc = local_check(job, err)) != PROV_OK)
		goto done;
	if (prov_local_markers(job->prompt, &m) != 0) {
		rc = prov_fail(err, PROV_E_INVALID, "prompt: malformed [[slow:N]] marker");
		goto done;
	}
	job_hash(job, 0, h);
	mg_hex(h, 16, hex);
	snprintf(res->request_id, sizeof(res->request_id), "local-%s", hex);
	if (m.slow_s > 0 && slow_sleep(m.slow_s, local_timeout())) {
		rc = prov_fail(err, PROV_E_TIMEOUT, "render exceeded local_render_timeout_s");
		goto done;
	}
	if (m.nsfw) {
		snprintf(err->type, sizeof(err->type), "nsfw_blocked");
		rc = prov_fail(err, PROV_E_MODERATION, "content blocked by moderation");
		goto done;
	}
	if (m.fail) {
		snprintf(err->type, sizeof(err->type), "forced_failure");
		rc = prov_fail(err, PROV_E_FAILED, "forced failure ([[fail]] marker)");
		goto done;
	}
	if (m.retry) {
		snprintf(err->type, sizeof(err->type), "forced_retry");
		rc = prov_fail(err, PROV_E_UNAVAILABLE, "forced retryable failure ([[retry]] marker)");
		goto done;
	}
	switch (job->kind) {
	case PROV_KIND_IMAGE:
		rc = render_image(job, res, err);
		break;
	case PROV_KIND_AUDIO:
		rc = render_audio(job, res, err);
		res->units.characters = prov_utf8_len(job->prompt);
		break;
	case PROV_KIND_VIDEO:
		rc = render_video(job, res, err);
		break;
	case PROV_KIND_3D:
		rc = render_3d(job, res, err);
		break;
	case PROV_KIND_TRAINING:
		rc = render_training(job, res, err);
		break;
	case PROV_KIND_ANNOTATION:
		rc = render_annotation(job, res, err);
		break;
	case PROV_KIND_COMPOSE:
		rc = job->compose == PROV_COMPOSE_CONCAT ?
		    compose_concat(job, res, err) : compose_resize(job, res, err);
		break;
	default:
		rc = prov_fail(err, PROV_E_INVALID, "kind: unknown");
		break;
	}
done:
	if (rc == PROV_OK) {
		res->state = PROV_STATE_SUCCEEDED;
		snprintf(res->status, sizeof(res->status), "succeeded");
		prov_units_from_files(res, job->kind);
		err->code = PROV_OK;
	} else
		res->state = prov_err_retry(rc, PROV_OP_POLL) == PROV_RETRY_NO ?
		    PROV_STATE_FAILED : PROV_STATE_UNKNOWN;
	return rc;
}

/*
 * Local jobs finish inside submit; a poll (e.g. after a dispatcher crash)
 * renders again, which is idempotent: same inputs, same output names.
 */
enum prov_err
prov_local_poll(const struct prov_job *job, const char *request_id,
    struct prov_result *res, struct prov_error *err)
{
	return prov_local_submit(job, res, err);
}

/* Nothing runs in the background: cancel always succeeds. */
enum prov_err
prov_local_cancel(const struct prov_job *job, const char *request_id,
    struct prov_error *err)
{
	prov_error_init(err);
	return PROV_OK;
}
