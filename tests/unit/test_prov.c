/*
 * test_prov: provider adapters. The local provider renders real files into a
 * temp directory (libgd, espeak-ng, ffmpeg); the remote adapters' response
 * parsers are fed canned bodies from providers.md. No network: the only
 * remote calls go to an unconfigured key or a closed local port.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gd.h>
#include <json-c/json.h>

#include "mg_buf.h"
#include "mg_crypto.h"
#include "../lib/mgtest.h"
#include "prov.h"
#include "prov_int.h"

static char tdir[256];

static int
rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int
suite_init(void)
{
	snprintf(tdir, sizeof(tdir), "/tmp/test_prov.XXXXXX");
	if (mkdtemp(tdir) == NULL)
		return -1;
	return 0;
}

static int
suite_clean(void)
{
	nftw(tdir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* A valid local job of kind k in tdir. */
static struct prov_job
job_of(enum prov_kind k, const char *prompt)
{
	struct prov_job j;

	memset(&j, 0, sizeof(j));
	j.kind = k;
	j.prompt = prompt;
	j.out_dir = tdir;
	j.width = 64;
	j.height = 48;
	j.duration_s = 2;
	return j;
}

static unsigned char *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p;
	long sz;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	rewind(f);
	p = malloc((size_t)sz + 1);
	if (p != NULL && fread(p, 1, (size_t)sz, f) != (size_t)sz) {
		free(p);
		p = NULL;
	}
	fclose(f);
	*n = (size_t)sz;
	if (p != NULL)
		p[sz] = '\0';
	return p;
}

/* Submit to local, expecting success with nfiles files. */
static int
local_ok(const struct prov_job *j, struct prov_result *res, size_t nfiles)
{
	struct prov_error err;
	enum prov_err rc = prov_table[PROV_LOCAL].submit(j, res, &err);

	if (rc != PROV_OK)
		fprintf(stderr, "local submit: %s: %s\n", prov_strerror(rc), err.msg);
	return rc == PROV_OK && res->state == PROV_STATE_SUCCEEDED &&
	    res->nfiles == nfiles;
}

/* Submit to local, expecting error e. */
static enum prov_err
local_err(const struct prov_job *j)
{
	struct prov_result res;
	struct prov_error err;

	return prov_table[PROV_LOCAL].submit(j, &res, &err);
}

/* ---- common ---- */

static void
t_table_names(void)
{
	CU_ASSERT_EQUAL(prov_by_name("local"), PROV_LOCAL);
	CU_ASSERT_EQUAL(prov_by_name("fal"), PROV_FAL);
	CU_ASSERT_EQUAL(prov_by_name("replicate"), PROV_REPLICATE);
	CU_ASSERT_EQUAL(prov_by_name("elevenlabs"), PROV_ELEVENLABS);
	CU_ASSERT_EQUAL(prov_by_name("openai"), PROV__MAX);
	CU_ASSERT_EQUAL(prov_by_name(NULL), PROV__MAX);
	for (int i = 0; i < PROV__MAX; i++) {
		CU_ASSERT_PTR_NOT_NULL(prov_table[i].submit);
		CU_ASSERT_PTR_NOT_NULL(prov_table[i].poll);
		CU_ASSERT_PTR_NOT_NULL(prov_table[i].cancel);
	}
	CU_ASSERT_STRING_EQUAL(prov_strerror(PROV_E_MODERATION), "blocked by moderation");
	CU_ASSERT_STRING_EQUAL(prov_strerror((enum prov_err)999), "unknown error");
}

static void
t_retry_classes(void)
{
	/* never sent / refused before work: always retryable */
	CU_ASSERT_EQUAL(prov_err_retry(PROV_E_CONNECT, PROV_OP_SUBMIT), PROV_RETRY_YES);
	CU_ASSERT_EQUAL(prov_err_retry(PROV_E_RATE_LIMIT, PROV_OP_SUBMIT), PROV_RETRY_YES);
	CU_ASSERT_EQUAL(prov_err_retry(PROV_E_UNAVAILABLE, PROV_OP_SUBMIT), PROV_RETRY_YES);
	/* ambiguous create: reconcile, don't resend */
	CU_ASSERT_EQUAL(prov_err_retry(PROV_E_TIMEOUT, PROV_OP_SUBMIT), PROV_RETRY_UNKNOWN);
	CU_ASSERT_EQUAL(prov_err_retry(PROV_E_SERVER, PROV_OP_SUBMIT), PROV_RETRY_UNKNOWN);
	CU_ASSERT_EQUAL(prov_err_retry(PROV_E_TIMEOUT, PROV_OP_POLL), PROV_RETRY_YES);
	CU_ASSERT_EQUAL(prov_err_retry(PROV_E_SERVER, PROV_OP_CANCEL), PROV_RETRY_YES);
	/* final */
	CU_ASSERT_EQUAL(prov_err_retry(PROV_E_REJECTED, PROV_OP_SUBMIT), PROV_RETRY_NO);
	CU_ASSERT_EQUAL(prov_err_retry(PROV_E_MODERATION, PROV_OP_POLL), PROV_RETRY_NO);
	CU_ASSERT_EQUAL(prov_err_retry(PROV_E_FAILED, PROV_OP_POLL), PROV_RETRY_NO);
	CU_ASSERT_EQUAL(prov_err_retry(PROV_E_AUTH, PROV_OP_POLL), PROV_RETRY_NO);
	CU_ASSERT_EQUAL(prov_err_retry(PROV_E_INVALID, PROV_OP_SUBMIT), PROV_RETRY_NO);
}

static void
t_check_bad_kind(void)
{
	struct prov_job j = job_of(PROV_KIND_IMAGE, "x");
	struct prov_error e;

	j.kind = PROV_KIND__MAX;
	CU_ASSERT_EQUAL(prov_job_check(&j, &e), PROV_E_INVALID);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "kind"));
}

static void
t_check_no_out_dir(void)
{
	struct prov_job j = job_of(PROV_KIND_IMAGE, "x");
	struct prov_error e;

	j.out_dir = NULL;
	CU_ASSERT_EQUAL(prov_job_check(&j, &e), PROV_E_INVALID);
	j.out_dir = "/nonexistent/dir";
	CU_ASSERT_EQUAL(prov_job_check(&j, &e), PROV_E_INVALID);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "out_dir"));
}

static void
t_check_bad_name(void)
{
	struct prov_job j = job_of(PROV_KIND_IMAGE, "x");
	struct prov_error e;

	j.name = "../evil";
	CU_ASSERT_EQUAL(prov_job_check(&j, &e), PROV_E_INVALID);
	j.name = "";
	CU_ASSERT_EQUAL(prov_job_check(&j, &e), PROV_E_INVALID);
	j.name = "job_1-a";
	CU_ASSERT_EQUAL(prov_job_check(&j, &e), PROV_OK);
}

static void
t_check_oversized_dims(void)
{
	struct prov_job j = job_of(PROV_KIND_IMAGE, "x");
	struct prov_error e;

	j.width = PROV_DIM_MAX + 1;
	CU_ASSERT_EQUAL(prov_job_check(&j, &e), PROV_E_INVALID);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "width"));
	j.width = 64;
	j.height = PROV_DIM_MAX + 1;
	CU_ASSERT_EQUAL(prov_job_check(&j, &e), PROV_E_INVALID);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "height"));
	j.height = -1;
	CU_ASSERT_EQUAL(prov_job_check(&j, &e), PROV_E_INVALID);
}

static void
t_check_bad_duration_count_seed(void)
{
	struct prov_job j = job_of(PROV_KIND_VIDEO, "x");
	struct prov_error e;

	j.duration_s = PROV_DURATION_MAX + 1;
	CU_ASSERT_EQUAL(prov_job_check(&j, &e), PROV_E_INVALID);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "duration"));
	j.duration_s = 2;
	j.count = PROV_COUNT_MAX + 1;
	CU_ASSERT_EQUAL(prov_job_check(&j, &e), PROV_E_INVALID);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "count"));
	j.count = 1;
	j.has_seed = 1;
	j.seed = -5;
	CU_ASSERT_EQUAL(prov_job_check(&j, &e), PROV_E_INVALID);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "seed"));
}

static void
t_check_prompt_too_long(void)
{
	struct prov_job j = job_of(PROV_KIND_IMAGE, NULL);
	struct prov_error e;
	char *p = malloc(PROV_PROMPT_MAX + 2);

	memset(p, 'a', PROV_PROMPT_MAX + 1);
	p[PROV_PROMPT_MAX + 1] = '\0';
	j.prompt = p;
	CU_ASSERT_EQUAL(prov_job_check(&j, &e), PROV_E_INVALID);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "prompt"));
	p[PROV_PROMPT_MAX] = '\0';
	CU_ASSERT_EQUAL(prov_job_check(&j, &e), PROV_OK);
	free(p);
}

static void
t_check_empty_prompt(void)
{
	struct prov_job j = job_of(PROV_KIND_IMAGE, "");
	struct prov_error e;

	CU_ASSERT_EQUAL(prov_job_check(&j, &e), PROV_E_INVALID);
	j.prompt = NULL;
	CU_ASSERT_EQUAL(prov_job_check(&j, &e), PROV_E_INVALID);
}

static void
t_check_empty_text(void)
{
	struct prov_job j = job_of(PROV_KIND_AUDIO, "");
	struct prov_error e;

	CU_ASSERT_EQUAL(prov_job_check(&j, &e), PROV_E_INVALID);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "text"));
	CU_ASSERT_EQUAL(local_err(&j), PROV_E_INVALID);
}

static void
t_check_compose_inputs(void)
{
	struct prov_job j = job_of(PROV_KIND_COMPOSE, NULL);
	struct prov_error e;
	const char *one[] = { "/etc/hostname" };

	j.compose = PROV_COMPOSE_CONCAT;
	CU_ASSERT_EQUAL(prov_job_check(&j, &e), PROV_E_INVALID);	/* none */
	j.inputs = one;
	j.ninputs = 1;
	CU_ASSERT_EQUAL(prov_job_check(&j, &e), PROV_E_INVALID);	/* concat of 1 */
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "at least 2"));
	j.ninputs = PROV_MAX_INPUTS + 1;
	CU_ASSERT_EQUAL(prov_job_check(&j, &e), PROV_E_INVALID);
	j.ninputs = 1;
	j.compose = PROV_COMPOSE__MAX;
	CU_ASSERT_EQUAL(prov_job_check(&j, &e), PROV_E_INVALID);
	j.compose = PROV_COMPOSE_RESIZE;
	CU_ASSERT_EQUAL(prov_job_check(&j, &e), PROV_OK);
}

/* ---- local: images ---- */

static void
check_image(const char *fmt, const unsigned char *magic, size_t mlen,
    int off)
{
	struct prov_job j = job_of(PROV_KIND_IMAGE, "a red fox in the snow");
	struct prov_result res;
	unsigned char *p;
	size_t n;
	int w = 0, h = 0;

	j.format = fmt;
	j.width = 200;
	j.height = 120;
	j.name = fmt;
	CU_ASSERT_FATAL(local_ok(&j, &res, 1));
	p = slurp(res.files[0].path, &n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT(n > (size_t)off + mlen);
	CU_ASSERT_EQUAL(memcmp(p + off, magic, mlen), 0);
	CU_ASSERT_EQUAL((int64_t)n, res.files[0].size);
	free(p);
	CU_ASSERT_EQUAL(prov_image_dims(res.files[0].path, &w, &h), 0);
	CU_ASSERT_EQUAL(w, 200);
	CU_ASSERT_EQUAL(h, 120);
	CU_ASSERT_EQUAL(res.files[0].width, 200);
	CU_ASSERT_EQUAL(res.files[0].height, 120);
	CU_ASSERT_EQUAL(res.units.images, 1);
	CU_ASSERT_EQUAL(res.units.pixels, 200 * 120);
}

static void
t_local_png(void)
{
	check_image("png", (const unsigned char *)"\x89PNG\r\n\x1a\n", 8, 0);
}

static void
t_local_webp(void)
{
	check_image("webp", (const unsigned char *)"WEBP", 4, 8);
}

static void
t_local_jpeg(void)
{
	check_image("jpeg", (const unsigned char *)"\xFF\xD8\xFF", 3, 0);
}

static void
t_local_image_mime_and_path(void)
{
	struct prov_job j = job_of(PROV_KIND_IMAGE, "mime");
	struct prov_result res;

	j.format = "jpeg";
	j.name = "mimecheck";
	CU_ASSERT_FATAL(local_ok(&j, &res, 1));
	CU_ASSERT_STRING_EQUAL(res.files[0].mime, "image/jpeg");
	CU_ASSERT_PTR_NOT_NULL(strstr(res.files[0].path, "/mimecheck-0.jpeg"));
	CU_ASSERT_EQUAL(access(res.files[0].path, R_OK), 0);
}

static void
t_local_image_deterministic(void)
{
	struct prov_job j = job_of(PROV_KIND_IMAGE, "deterministic cat");
	struct prov_result r1, r2;
	unsigned char *a, *b;
	size_t na, nb;

	j.has_seed = 1;
	j.seed = 42;
	j.name = "det1";
	CU_ASSERT_FATAL(local_ok(&j, &r1, 1));
	j.name = "det2";
	CU_ASSERT_FATAL(local_ok(&j, &r2, 1));
	a = slurp(r1.files[0].path, &na);
	b = slurp(r2.files[0].path, &nb);
	CU_ASSERT_FATAL(a != NULL && b != NULL);
	CU_ASSERT_EQUAL(na, nb);
	CU_ASSERT(na == nb && memcmp(a, b, na) == 0);
	free(a);
	free(b);
}

static void
t_local_image_varies(void)
{
	struct prov_job j = job_of(PROV_KIND_IMAGE, "seeded");
	struct prov_result r1, r2, r3;
	unsigned char *a, *b, *c;
	size_t na, nb, nc;

	j.name = "var1";
	CU_ASSERT_FATAL(local_ok(&j, &r1, 1));
	j.name = "var2";
	j.has_seed = 1;
	j.seed = 7;
	CU_ASSERT_FATAL(local_ok(&j, &r2, 1));
	j.name = "var3";
	j.prompt = "seeded!";
	CU_ASSERT_FATAL(local_ok(&j, &r3, 1));
	a = slurp(r1.files[0].path, &na);
	b = slurp(r2.files[0].path, &nb);
	c = slurp(r3.files[0].path, &nc);
	CU_ASSERT_FATAL(a && b && c);
	CU_ASSERT(na != nb || memcmp(a, b, na) != 0);	/* seed changes it */
	CU_ASSERT(nb != nc || memcmp(b, c, nb) != 0);	/* prompt changes it */
	free(a);
	free(b);
	free(c);
}

static void
t_local_image_count(void)
{
	struct prov_job j = job_of(PROV_KIND_IMAGE, "three");
	struct prov_result res;

	j.count = 3;
	j.name = "multi";
	CU_ASSERT_FATAL(local_ok(&j, &res, 3));
	CU_ASSERT_EQUAL(res.units.images, 3);
	CU_ASSERT_EQUAL(res.units.pixels, 3 * 64 * 48);
	CU_ASSERT_STRING_NOT_EQUAL(res.files[0].path, res.files[2].path);
}

static void
t_local_zero_dims(void)
{
	struct prov_job j = job_of(PROV_KIND_IMAGE, "zero");

	j.width = 0;
	CU_ASSERT_EQUAL(local_err(&j), PROV_E_INVALID);
	j.width = 64;
	j.height = 0;
	CU_ASSERT_EQUAL(local_err(&j), PROV_E_INVALID);
	j.height = 15;	/* below the local minimum */
	CU_ASSERT_EQUAL(local_err(&j), PROV_E_INVALID);
}

static void
t_local_oversized_dims(void)
{
	struct prov_job j = job_of(PROV_KIND_IMAGE, "huge");
	struct prov_result res;
	struct prov_error e;

	j.width = 5000;
	CU_ASSERT_EQUAL(prov_table[PROV_LOCAL].submit(&j, &res, &e), PROV_E_INVALID);
	CU_ASSERT_EQUAL(res.state, PROV_STATE_FAILED);
	CU_ASSERT_EQUAL(res.nfiles, 0);
}

static void
t_local_bad_image_format(void)
{
	struct prov_job j = job_of(PROV_KIND_IMAGE, "fmt");

	j.format = "bmp";
	CU_ASSERT_EQUAL(local_err(&j), PROV_E_INVALID);
}

/* ---- local: markers ---- */

static void
t_local_marker_fail(void)
{
	struct prov_job j = job_of(PROV_KIND_IMAGE, "please [[fail]]");
	struct prov_result res;
	struct prov_error e;

	CU_ASSERT_EQUAL(prov_table[PROV_LOCAL].submit(&j, &res, &e), PROV_E_FAILED);
	CU_ASSERT_EQUAL(e.code, PROV_E_FAILED);
	CU_ASSERT_EQUAL(res.state, PROV_STATE_FAILED);
	CU_ASSERT_EQUAL(prov_err_retry(e.code, PROV_OP_SUBMIT), PROV_RETRY_NO);
}

static void
t_local_marker_nsfw(void)
{
	struct prov_job j = job_of(PROV_KIND_VIDEO, "[[nsfw]] thing");
	struct prov_result res;
	struct prov_error e;

	CU_ASSERT_EQUAL(prov_table[PROV_LOCAL].submit(&j, &res, &e), PROV_E_MODERATION);
	CU_ASSERT_STRING_EQUAL(e.type, "nsfw_blocked");
	CU_ASSERT_EQUAL(res.state, PROV_STATE_FAILED);
	CU_ASSERT_EQUAL(res.nfiles, 0);
	CU_ASSERT_EQUAL(prov_err_retry(e.code, PROV_OP_POLL), PROV_RETRY_NO);
}

static void
t_local_marker_retry(void)
{
	struct prov_job j = job_of(PROV_KIND_IMAGE, "[[retry]]");
	struct prov_result res;
	struct prov_error e;

	CU_ASSERT_EQUAL(prov_table[PROV_LOCAL].submit(&j, &res, &e), PROV_E_UNAVAILABLE);
	CU_ASSERT_EQUAL(res.state, PROV_STATE_UNKNOWN);
	CU_ASSERT_EQUAL(prov_err_retry(e.code, PROV_OP_SUBMIT), PROV_RETRY_YES);
}

static void
t_local_marker_parse(void)
{
	struct prov_markers m;

	CU_ASSERT_EQUAL(prov_local_markers("x [[slow:12]] y", &m), 0);
	CU_ASSERT_EQUAL(m.slow_s, 12);
	CU_ASSERT_EQUAL(m.fail, 0);
	CU_ASSERT_EQUAL(prov_local_markers("plain", &m), 0);
	CU_ASSERT_EQUAL(m.slow_s, -1);
	CU_ASSERT_EQUAL(prov_local_markers("[[slow:x]]", &m), -1);
	CU_ASSERT_EQUAL(prov_local_markers("[[slow:5000]]", &m), -1);
	CU_ASSERT_EQUAL(prov_local_markers("[[slow:3", &m), -1);
}

static void
t_local_marker_slow_malformed(void)
{
	struct prov_job j = job_of(PROV_KIND_IMAGE, "[[slow:-1]]");

	CU_ASSERT_EQUAL(local_err(&j), PROV_E_INVALID);
}

static void
t_local_marker_slow_timeout(void)
{
	struct prov_job j = job_of(PROV_KIND_IMAGE, "[[slow:5]]");
	struct prov_result res;
	struct prov_error e;

	setenv("MG_LOCAL_RENDER_TIMEOUT_S", "1", 1);
	CU_ASSERT_EQUAL(prov_table[PROV_LOCAL].submit(&j, &res, &e), PROV_E_TIMEOUT);
	unsetenv("MG_LOCAL_RENDER_TIMEOUT_S");
	CU_ASSERT_EQUAL(prov_err_retry(e.code, PROV_OP_POLL), PROV_RETRY_YES);
}

static void
t_local_marker_slow_short(void)
{
	struct prov_job j = job_of(PROV_KIND_IMAGE, "[[slow:1]] then fine");
	struct prov_result res;

	j.name = "slow";
	CU_ASSERT(local_ok(&j, &res, 1));
}

/* ---- local: child processes ---- */

static void
t_run_kills_on_timeout(void)
{
	const char *argv[] = { "sleep", "30", NULL };
	struct prov_error e;

	CU_ASSERT_EQUAL(prov_local_run(argv, 1, NULL, &e), PROV_E_TIMEOUT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "killed"));
}

static void
t_run_exit_status(void)
{
	const char *f[] = { "false", NULL };
	const char *missing[] = { "/nonexistent/mediagate-tool", NULL };
	const char *echo[] = { "echo", "-n", "hi there", NULL };
	struct prov_error e;
	struct mg_buf out;

	CU_ASSERT_EQUAL(prov_local_run(f, 5, NULL, &e), PROV_E_FAILED);
	CU_ASSERT_EQUAL(prov_local_run(missing, 5, NULL, &e), PROV_E_SYSTEM);
	mg_buf_init(&out, NULL);
	CU_ASSERT_EQUAL(prov_local_run(echo, 5, &out, &e), PROV_OK);
	CU_ASSERT(out.len == 8 && memcmp(out.data, "hi there", 8) == 0);
	mg_buf_free(&out);
}

/* ---- local: audio, video, 3d, compose ---- */

static void
t_local_wav(void)
{
	struct prov_job j = job_of(PROV_KIND_AUDIO, "Hello from mediagate.");
	struct prov_result res;
	unsigned char *p;
	size_t n;

	j.name = "speech";
	j.voice = "female";
	CU_ASSERT_FATAL(local_ok(&j, &res, 1));
	CU_ASSERT_STRING_EQUAL(res.files[0].mime, "audio/wav");
	p = slurp(res.files[0].path, &n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT(n > 44);
	CU_ASSERT_EQUAL(memcmp(p, "RIFF", 4), 0);
	CU_ASSERT_EQUAL(memcmp(p + 8, "WAVE", 4), 0);
	free(p);
	CU_ASSERT(res.files[0].duration_ms > 0);
	CU_ASSERT(res.units.seconds >= 1);
	CU_ASSERT_EQUAL(res.units.characters, 21);
}

static void
t_local_mp3(void)
{
	struct prov_job j = job_of(PROV_KIND_AUDIO, "Short mp3.");
	struct prov_result res;
	unsigned char *p;
	size_t n;

	j.name = "speechmp3";
	j.format = "mp3";
	CU_ASSERT_FATAL(local_ok(&j, &res, 1));
	CU_ASSERT_STRING_EQUAL(res.files[0].mime, "audio/mpeg");
	p = slurp(res.files[0].path, &n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	/* ID3 tag or an MPEG frame sync */
	CU_ASSERT(n > 100 && (memcmp(p, "ID3", 3) == 0 ||
	    (p[0] == 0xFF && (p[1] & 0xE0) == 0xE0)));
	free(p);
}

static void
t_local_bad_voice(void)
{
	struct prov_job j = job_of(PROV_KIND_AUDIO, "hi");

	j.voice = "-v/etc/passwd";
	CU_ASSERT_EQUAL(local_err(&j), PROV_E_INVALID);
	j.voice = "en us";
	CU_ASSERT_EQUAL(local_err(&j), PROV_E_INVALID);
}

static void
t_local_bad_audio_format(void)
{
	struct prov_job j = job_of(PROV_KIND_AUDIO, "hi");

	j.format = "flac";
	CU_ASSERT_EQUAL(local_err(&j), PROV_E_INVALID);
}

/* width/height of the first video stream via ffprobe; 0 or -1. */
static int
probe_dims(const char *path, int *w, int *h)
{
	const char *argv[] = { "ffprobe", "-v", "error", "-select_streams", "v:0",
	    "-show_entries", "stream=width,height", "-of", "csv=p=0:s=x", path, NULL };
	struct mg_buf out;
	struct prov_error e;
	int rc = -1;

	mg_buf_init(&out, NULL);
	if (prov_local_run(argv, 30, &out, &e) == PROV_OK && out.data != NULL &&
	    sscanf(out.data, "%dx%d", w, h) == 2)
		rc = 0;
	mg_buf_free(&out);
	return rc;
}

static char video_a[512], video_b[512];

static void
t_local_mp4(void)
{
	struct prov_job j = job_of(PROV_KIND_VIDEO, "a drone shot of hills");
	struct prov_result res;
	unsigned char *p;
	size_t n;
	int64_t ms;
	int w = 0, h = 0;

	j.name = "clipa";
	j.width = 160;
	j.height = 96;
	CU_ASSERT_FATAL(local_ok(&j, &res, 1));
	snprintf(video_a, sizeof(video_a), "%s", res.files[0].path);
	CU_ASSERT_STRING_EQUAL(res.files[0].mime, "video/mp4");
	p = slurp(res.files[0].path, &n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT(n > 12 && memcmp(p + 4, "ftyp", 4) == 0);
	free(p);
	ms = prov_media_duration_ms(res.files[0].path);
	CU_ASSERT(ms >= 1800 && ms <= 2300);
	CU_ASSERT(res.files[0].duration_ms >= 1800 && res.files[0].duration_ms <= 2300);
	CU_ASSERT_EQUAL(res.units.seconds, (res.files[0].duration_ms + 999) / 1000);
	CU_ASSERT_EQUAL(probe_dims(res.files[0].path, &w, &h), 0);
	CU_ASSERT_EQUAL(w, 160);
	CU_ASSERT_EQUAL(h, 96);

	j.name = "clipb";
	j.prompt = "second clip";
	j.duration_s = 1;
	CU_ASSERT_FATAL(local_ok(&j, &res, 1));
	snprintf(video_b, sizeof(video_b), "%s", res.files[0].path);
}

static void
t_local_video_encoder(void)
{
	const char *enc = prov_local_video_encoder();

	CU_ASSERT(strcmp(enc, "libx264") == 0 || strcmp(enc, "mpeg4") == 0);
}

static void
t_local_video_odd_dims(void)
{
	struct prov_job j = job_of(PROV_KIND_VIDEO, "odd");

	j.width = 65;
	CU_ASSERT_EQUAL(local_err(&j), PROV_E_INVALID);
}

static void
t_local_video_zero_duration(void)
{
	struct prov_job j = job_of(PROV_KIND_VIDEO, "still");

	j.duration_s = 0;
	CU_ASSERT_EQUAL(local_err(&j), PROV_E_INVALID);
	j.duration_s = 121;
	CU_ASSERT_EQUAL(local_err(&j), PROV_E_INVALID);
}

static void
t_local_video_count(void)
{
	struct prov_job j = job_of(PROV_KIND_VIDEO, "two");

	j.count = 2;
	CU_ASSERT_EQUAL(local_err(&j), PROV_E_INVALID);
}

static void
t_local_concat(void)
{
	struct prov_job j = job_of(PROV_KIND_COMPOSE, NULL);
	struct prov_result res;
	const char *in[2];
	int64_t ms;

	CU_ASSERT_FATAL(video_a[0] != '\0' && video_b[0] != '\0');
	in[0] = video_a;
	in[1] = video_b;
	j.compose = PROV_COMPOSE_CONCAT;
	j.inputs = in;
	j.ninputs = 2;
	j.name = "joined";
	CU_ASSERT_FATAL(local_ok(&j, &res, 1));
	ms = prov_media_duration_ms(res.files[0].path);
	CU_ASSERT(ms >= 2700 && ms <= 3400);
	CU_ASSERT_EQUAL(res.units.duration_ms, res.files[0].duration_ms);
}

static void
t_local_concat_missing_input(void)
{
	struct prov_job j = job_of(PROV_KIND_COMPOSE, NULL);
	const char *in[] = { video_a, "/nonexistent/x.mp4" };

	j.compose = PROV_COMPOSE_CONCAT;
	j.inputs = in;
	j.ninputs = 2;
	CU_ASSERT_EQUAL(local_err(&j), PROV_E_INVALID);
}

static void
t_local_resize_video(void)
{
	struct prov_job j = job_of(PROV_KIND_COMPOSE, NULL);
	struct prov_result res;
	const char *in[1];
	int w = 0, h = 0;

	in[0] = video_a;
	j.compose = PROV_COMPOSE_RESIZE;
	j.inputs = in;
	j.ninputs = 1;
	j.width = 80;
	j.height = 48;
	j.name = "small";
	CU_ASSERT_FATAL(local_ok(&j, &res, 1));
	CU_ASSERT_EQUAL(probe_dims(res.files[0].path, &w, &h), 0);
	CU_ASSERT_EQUAL(w, 80);
	CU_ASSERT_EQUAL(h, 48);
}

static void
t_local_resize_image(void)
{
	struct prov_job j = job_of(PROV_KIND_IMAGE, "to be resized");
	struct prov_result res;
	const char *in[1];
	char src[512];
	int w = 0, h = 0;

	j.name = "big";
	j.width = 300;
	j.height = 200;
	CU_ASSERT_FATAL(local_ok(&j, &res, 1));
	snprintf(src, sizeof(src), "%s", res.files[0].path);
	j = job_of(PROV_KIND_COMPOSE, NULL);
	in[0] = src;
	j.compose = PROV_COMPOSE_RESIZE;
	j.inputs = in;
	j.ninputs = 1;
	j.width = 30;
	j.height = 20;
	j.format = "webp";
	j.name = "thumb";
	CU_ASSERT_FATAL(local_ok(&j, &res, 1));
	CU_ASSERT_STRING_EQUAL(res.files[0].mime, "image/webp");
	CU_ASSERT_EQUAL(prov_image_dims(res.files[0].path, &w, &h), 0);
	CU_ASSERT_EQUAL(w, 30);
	CU_ASSERT_EQUAL(h, 20);
}

static void
t_local_bad_formats(void)
{
	struct prov_job j = job_of(PROV_KIND_VIDEO, "fmt");
	const char *in[2];

	j.format = "webm";
	CU_ASSERT_EQUAL(local_err(&j), PROV_E_INVALID);
	j = job_of(PROV_KIND_3D, "fmt");
	j.format = "glb";
	CU_ASSERT_EQUAL(local_err(&j), PROV_E_INVALID);
	j = job_of(PROV_KIND_COMPOSE, NULL);
	in[0] = video_a;
	in[1] = video_b;
	j.inputs = in;
	j.ninputs = 2;
	j.compose = PROV_COMPOSE_CONCAT;
	j.format = "webm";
	CU_ASSERT_EQUAL(local_err(&j), PROV_E_INVALID);
	j.ninputs = 1;
	j.compose = PROV_COMPOSE_RESIZE;
	j.format = "png";	/* a video input resizes to mp4 only */
	CU_ASSERT_EQUAL(local_err(&j), PROV_E_INVALID);
}

static void
t_local_resize_bad_dims(void)
{
	struct prov_job j = job_of(PROV_KIND_COMPOSE, NULL);
	const char *in[1];

	in[0] = video_a;
	j.inputs = in;
	j.ninputs = 1;
	j.compose = PROV_COMPOSE_RESIZE;
	j.width = 1;	/* below the minimum (2 for video) */
	j.height = 48;
	CU_ASSERT_EQUAL(local_err(&j), PROV_E_INVALID);
	j.width = 81;	/* odd, for video */
	CU_ASSERT_EQUAL(local_err(&j), PROV_E_INVALID);
}

static void
t_local_resize_not_media(void)
{
	struct prov_job j = job_of(PROV_KIND_COMPOSE, NULL);
	const char *in[] = { "/etc/hostname" };

	j.inputs = in;
	j.ninputs = 1;
	j.compose = PROV_COMPOSE_RESIZE;
	j.name = "notmedia";
	/* not an image: handed to ffmpeg, which fails for good */
	CU_ASSERT_EQUAL(local_err(&j), PROV_E_FAILED);
}

static void
t_local_gltf(void)
{
	struct prov_job j = job_of(PROV_KIND_3D, "a cube");
	struct prov_result res;
	struct json_object *o, *a, *v, *bufs, *b0, *uri = NULL, *bl = NULL;
	const char *u, *comma;
	unsigned char bin[512];
	unsigned char *p;
	size_t n;
	int len;

	j.name = "model";
	CU_ASSERT_FATAL(local_ok(&j, &res, 1));
	CU_ASSERT_STRING_EQUAL(res.files[0].mime, "model/gltf+json");
	p = slurp(res.files[0].path, &n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	o = json_tokener_parse((const char *)p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_FATAL(json_object_object_get_ex(o, "asset", &a));
	CU_ASSERT_FATAL(json_object_object_get_ex(a, "version", &v));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "2.0");
	CU_ASSERT_FATAL(json_object_object_get_ex(o, "buffers", &bufs));
	b0 = json_object_array_get_idx(bufs, 0);
	CU_ASSERT_FATAL(b0 != NULL && json_object_object_get_ex(b0, "uri", &uri) &&
	    json_object_object_get_ex(b0, "byteLength", &bl));
	u = json_object_get_string(uri);
	comma = strchr(u, ',');
	CU_ASSERT_FATAL(comma != NULL);
	len = mg_unb64(comma + 1, strlen(comma + 1), 1, bin, sizeof(bin));
	CU_ASSERT_EQUAL(len, json_object_get_int(bl));
	CU_ASSERT_EQUAL(len, 72 + 96);
	json_object_put(o);
	free(p);
}

static void
t_local_poll_cancel(void)
{
	struct prov_job j = job_of(PROV_KIND_IMAGE, "poll me");
	struct prov_result r1, r2;
	struct prov_error e;

	j.name = "poll";
	CU_ASSERT_FATAL(local_ok(&j, &r1, 1));
	CU_ASSERT(strncmp(r1.request_id, "local-", 6) == 0);
	CU_ASSERT_EQUAL(prov_table[PROV_LOCAL].poll(&j, r1.request_id, &r2, &e), PROV_OK);
	CU_ASSERT_EQUAL(r2.state, PROV_STATE_SUCCEEDED);
	CU_ASSERT_STRING_EQUAL(r1.files[0].path, r2.files[0].path);
	CU_ASSERT_EQUAL(r1.files[0].size, r2.files[0].size);
	CU_ASSERT_EQUAL(prov_table[PROV_LOCAL].cancel(&j, r1.request_id, &e), PROV_OK);
}

/* ---- fal parsers ---- */

#define S(x)	x, strlen(x)

static void
t_fal_app(void)
{
	char b[64];

	CU_ASSERT_EQUAL(prov_fal_app("fal-ai/flux/schnell", b, sizeof(b)), 0);
	CU_ASSERT_STRING_EQUAL(b, "fal-ai/flux");
	CU_ASSERT_EQUAL(prov_fal_app("fal-ai/kling-video/v2.1/pro/image-to-video", b, sizeof(b)), 0);
	CU_ASSERT_STRING_EQUAL(b, "fal-ai/kling-video");
	CU_ASSERT_EQUAL(prov_fal_app("fal-ai/fast-sdxl", b, sizeof(b)), 0);
	CU_ASSERT_STRING_EQUAL(b, "fal-ai/fast-sdxl");
}

static void
t_fal_app_bad(void)
{
	char b[64];

	CU_ASSERT_EQUAL(prov_fal_app("flux", b, sizeof(b)), -1);
	CU_ASSERT_EQUAL(prov_fal_app("fal-ai//x", b, sizeof(b)), -1);
	CU_ASSERT_EQUAL(prov_fal_app("fal-ai/../x", b, sizeof(b)), -1);
	CU_ASSERT_EQUAL(prov_fal_app("/fal-ai/x", b, sizeof(b)), -1);
	CU_ASSERT_EQUAL(prov_fal_app("fal-ai/x?y=1", b, sizeof(b)), -1);
	CU_ASSERT_EQUAL(prov_fal_app(NULL, b, sizeof(b)), -1);
}

static void
t_fal_submit_full(void)
{
	struct prov_result r;
	struct prov_error e;

	prov_result_init(&r);
	prov_error_init(&e);
	CU_ASSERT_EQUAL(prov_fal_parse_submit(S("{\"request_id\":\"764cabcf-b745-4b3e-ae38-1200304cf45b\","
	    "\"response_url\":\"https://queue.fal.run/fal-ai/flux/requests/764cabcf\","
	    "\"status\":\"IN_QUEUE\",\"queue_position\":3}"), &r, &e), PROV_OK);
	CU_ASSERT_STRING_EQUAL(r.request_id, "764cabcf-b745-4b3e-ae38-1200304cf45b");
	CU_ASSERT_EQUAL(r.state, PROV_STATE_QUEUED);
	CU_ASSERT_EQUAL(r.queue_position, 3);
}

static void
t_fal_submit_minimal(void)
{
	struct prov_result r;
	struct prov_error e;

	prov_result_init(&r);
	CU_ASSERT_EQUAL(prov_fal_parse_submit(S("{\"request_id\":\"abc-1\"}"), &r, &e), PROV_OK);
	CU_ASSERT_EQUAL(r.state, PROV_STATE_QUEUED);
	CU_ASSERT_EQUAL(r.queue_position, -1);
}

static void
t_fal_submit_bad(void)
{
	struct prov_result r;
	struct prov_error e;

	prov_result_init(&r);
	CU_ASSERT_EQUAL(prov_fal_parse_submit(S("{\"status\":\"IN_QUEUE\"}"), &r, &e), PROV_E_PROTOCOL);
	CU_ASSERT_EQUAL(prov_fal_parse_submit(S("not json"), &r, &e), PROV_E_PROTOCOL);
	CU_ASSERT_EQUAL(prov_fal_parse_submit(S("[1,2]"), &r, &e), PROV_E_PROTOCOL);
	CU_ASSERT_EQUAL(prov_fal_parse_submit(S("{\"request_id\":\"a/../b\"}"), &r, &e), PROV_E_PROTOCOL);
	CU_ASSERT_EQUAL(prov_fal_parse_submit(NULL, 0, &r, &e), PROV_E_PROTOCOL);
}

static enum prov_err
fal_status(long http, const char *body, struct prov_result *r, int *done,
    struct prov_error *e)
{
	prov_result_init(r);
	prov_error_init(e);
	return prov_fal_parse_status(http, body, body ? strlen(body) : 0, r, done, e);
}

static void
t_fal_status_shapes(void)
{
	struct prov_result r;
	struct prov_error e;
	int done;

	CU_ASSERT_EQUAL(fal_status(202, "{\"status\":\"IN_QUEUE\",\"queue_position\":0}", &r, &done, &e), PROV_OK);
	CU_ASSERT_EQUAL(r.state, PROV_STATE_QUEUED);
	CU_ASSERT_EQUAL(r.queue_position, 0);
	CU_ASSERT_EQUAL(done, 0);
	CU_ASSERT_EQUAL(fal_status(202, "{\"status\":\"IN_PROGRESS\",\"logs\":[{\"message\":\"step 1\",\"level\":\"INFO\"}]}",
	    &r, &done, &e), PROV_OK);
	CU_ASSERT_EQUAL(r.state, PROV_STATE_RUNNING);
	CU_ASSERT_EQUAL(done, 0);
	CU_ASSERT_EQUAL(fal_status(200, "{\"status\":\"COMPLETED\",\"logs\":null,\"metrics\":{\"inference_time\":null}}",
	    &r, &done, &e), PROV_OK);
	CU_ASSERT_EQUAL(done, 1);
	CU_ASSERT_STRING_EQUAL(r.status, "COMPLETED");
}

static void
t_fal_status_tolerant(void)
{
	struct prov_result r;
	struct prov_error e;
	int done;

	/* 200 without a body or status: completed */
	CU_ASSERT_EQUAL(fal_status(200, "", &r, &done, &e), PROV_OK);
	CU_ASSERT_EQUAL(done, 1);
	/* 202 with an unknown word: still running */
	CU_ASSERT_EQUAL(fal_status(202, "{\"status\":\"WARMING_UP\"}", &r, &done, &e), PROV_OK);
	CU_ASSERT_EQUAL(done, 0);
	CU_ASSERT_EQUAL(r.state, PROV_STATE_RUNNING);
	/* 202 not JSON: still running */
	CU_ASSERT_EQUAL(fal_status(202, "<html>", &r, &done, &e), PROV_OK);
	CU_ASSERT_EQUAL(done, 0);
}

static void
t_fal_status_failed(void)
{
	struct prov_result r;
	struct prov_error e;
	int done;

	CU_ASSERT_EQUAL(fal_status(200, "{\"status\":\"FAILED\",\"error\":\"boom\"}", &r, &done, &e), PROV_E_FAILED);
	CU_ASSERT_EQUAL(r.state, PROV_STATE_FAILED);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "boom"));
	CU_ASSERT_EQUAL(fal_status(200, "{\"status\":\"CANCELED\"}", &r, &done, &e), PROV_E_CANCELED);
	CU_ASSERT_EQUAL(fal_status(200, "{\"status\":\"COMPLETED\",\"error\":\"Request timed out\","
	    "\"error_type\":\"request_timeout\"}", &r, &done, &e), PROV_E_FAILED);
	CU_ASSERT_EQUAL(done, 0);
	CU_ASSERT_STRING_EQUAL(e.type, "request_timeout");
	CU_ASSERT_EQUAL(fal_status(200, "{\"status\":\"COMPLETED\",\"error_type\":\"content_policy_violation\"}",
	    &r, &done, &e), PROV_E_MODERATION);
	CU_ASSERT_EQUAL(fal_status(500, "", &r, &done, &e), PROV_E_PROTOCOL);
}

static void
t_fal_result_images(void)
{
	struct prov_outs o;
	struct prov_error e;

	memset(&o, 0, sizeof(o));
	CU_ASSERT_EQUAL(prov_fal_parse_result(S("{\"images\":[{\"url\":\"https://v3.fal.media/files/a.jpeg\","
	    "\"content_type\":\"image/jpeg\",\"width\":1024,\"height\":768},"
	    "{\"url\":\"https://v3.fal.media/files/b.jpeg\",\"content_type\":\"image/jpeg\"}],"
	    "\"seed\":42,\"has_nsfw_concepts\":[false,false],\"timings\":{\"inference\":0.3}}"), &o, &e), PROV_OK);
	CU_ASSERT_EQUAL(o.n, 2);
	CU_ASSERT_STRING_EQUAL(o.o[0].url, "https://v3.fal.media/files/a.jpeg");
	CU_ASSERT_STRING_EQUAL(o.o[0].mime, "image/jpeg");
	CU_ASSERT_EQUAL(o.o[0].width, 1024);
	CU_ASSERT_EQUAL(o.o[0].height, 768);
	CU_ASSERT_EQUAL(o.o[1].width, 0);
	prov_outs_free(&o);
}

static void
t_fal_result_video(void)
{
	struct prov_outs o;
	struct prov_error e;

	memset(&o, 0, sizeof(o));
	CU_ASSERT_EQUAL(prov_fal_parse_result(S("{\"video\":{\"url\":\"https://v3.fal.media/files/out.mp4\","
	    "\"content_type\":\"video/mp4\",\"file_name\":\"out.mp4\",\"file_size\":123}}"), &o, &e), PROV_OK);
	CU_ASSERT_EQUAL(o.n, 1);
	CU_ASSERT_STRING_EQUAL(o.o[0].mime, "video/mp4");
	prov_outs_free(&o);
}

static void
t_fal_result_nsfw(void)
{
	struct prov_outs o;
	struct prov_error e;

	memset(&o, 0, sizeof(o));
	prov_error_init(&e);
	CU_ASSERT_EQUAL(prov_fal_parse_result(S("{\"images\":[{\"url\":\"https://x/a.png\"}],"
	    "\"has_nsfw_concepts\":[true]}"), &o, &e), PROV_E_MODERATION);
	CU_ASSERT_STRING_EQUAL(e.type, "nsfw_blocked");
	CU_ASSERT_EQUAL(o.n, 0);
	/* one of two flagged: dropped, the other kept */
	memset(&o, 0, sizeof(o));
	CU_ASSERT_EQUAL(prov_fal_parse_result(S("{\"images\":[{\"url\":\"https://x/a.png\"},"
	    "{\"url\":\"https://x/b.png\"}],\"has_nsfw_concepts\":[true,false]}"), &o, &e), PROV_OK);
	CU_ASSERT_EQUAL(o.n, 1);
	CU_ASSERT_EQUAL(o.nsfw_dropped, 1);
	CU_ASSERT_STRING_EQUAL(o.o[0].url, "https://x/b.png");
	prov_outs_free(&o);
}

static void
t_fal_result_bad(void)
{
	struct prov_outs o;
	struct prov_error e;

	memset(&o, 0, sizeof(o));
	CU_ASSERT_EQUAL(prov_fal_parse_result(S("{\"images\":"), &o, &e), PROV_E_PROTOCOL);
	CU_ASSERT_EQUAL(prov_fal_parse_result(S("{\"text\":\"no files\"}"), &o, &e), PROV_OK);
	CU_ASSERT_EQUAL(o.n, 0);
}

static void
t_fal_error_validation(void)
{
	struct prov_error e;

	prov_error_init(&e);
	CU_ASSERT_EQUAL(prov_fal_parse_error(422, NULL, S("{\"detail\":[{\"loc\":[\"body\",\"prompt\"],"
	    "\"msg\":\"field required\",\"type\":\"value_error.missing\"}]}"), 0, &e), PROV_E_REJECTED);
	CU_ASSERT_STRING_EQUAL(e.type, "value_error.missing");
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "prompt"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "field required"));
	CU_ASSERT_EQUAL(e.http_status, 422);
	CU_ASSERT_EQUAL(prov_fal_parse_error(400, NULL, S("{\"detail\":\"bad\"}"), 0, &e), PROV_E_REJECTED);
}

static void
t_fal_error_infra(void)
{
	struct prov_error e;

	/* result with an infrastructure error type: the request's outcome */
	CU_ASSERT_EQUAL(prov_fal_parse_error(504, "request_timeout", S("{\"detail\":\"Request timed out\","
	    "\"error_type\":\"request_timeout\"}"), 1, &e), PROV_E_FAILED);
	CU_ASSERT_STRING_EQUAL(e.type, "request_timeout");
	CU_ASSERT_EQUAL(prov_fal_parse_error(500, NULL, S("{\"detail\":\"x\",\"error_type\":\"runner_server_error\"}"),
	    1, &e), PROV_E_FAILED);
	CU_ASSERT_EQUAL(prov_fal_parse_error(499, "client_cancelled", S(""), 1, &e), PROV_E_CANCELED);
	/* a bare gateway 502 on result: transient */
	CU_ASSERT_EQUAL(prov_fal_parse_error(502, NULL, S("<html>bad gateway</html>"), 1, &e), PROV_E_SERVER);
	CU_ASSERT_EQUAL(prov_err_retry(e.code, PROV_OP_POLL), PROV_RETRY_YES);
	/* on submit: HTTP class decides */
	CU_ASSERT_EQUAL(prov_fal_parse_error(503, "runner_scheduling_failure", S("{}"), 0, &e), PROV_E_UNAVAILABLE);
	CU_ASSERT_EQUAL(prov_err_retry(e.code, PROV_OP_SUBMIT), PROV_RETRY_YES);
	CU_ASSERT_EQUAL(prov_fal_parse_error(500, NULL, S("{}"), 0, &e), PROV_E_SERVER);
	CU_ASSERT_EQUAL(prov_err_retry(e.code, PROV_OP_SUBMIT), PROV_RETRY_UNKNOWN);
}

static void
t_fal_error_auth_rate_moderation(void)
{
	struct prov_error e;

	CU_ASSERT_EQUAL(prov_fal_parse_error(401, NULL, S("{\"detail\":\"Invalid key\"}"), 0, &e), PROV_E_AUTH);
	CU_ASSERT_EQUAL(prov_fal_parse_error(403, NULL, S(""), 0, &e), PROV_E_AUTH);
	CU_ASSERT_EQUAL(prov_fal_parse_error(429, NULL, S(""), 0, &e), PROV_E_RATE_LIMIT);
	CU_ASSERT_EQUAL(prov_fal_parse_error(422, NULL, S("{\"detail\":[{\"loc\":[\"body\",\"prompt\"],"
	    "\"msg\":\"flagged\",\"type\":\"content_policy_violation\"}]}"), 1, &e), PROV_E_MODERATION);
	CU_ASSERT_EQUAL(prov_fal_parse_error(404, NULL, S("{\"detail\":\"Request not found\"}"), 0, &e),
	    PROV_E_NOT_FOUND);
}

static void
t_fal_cancel_bodies(void)
{
	struct prov_error e;

	prov_error_init(&e);
	CU_ASSERT_EQUAL(prov_fal_parse_cancel(200, S("{\"status\":\"OK\"}"), &e), PROV_OK);
	CU_ASSERT_STRING_EQUAL(e.type, "OK");
	CU_ASSERT_EQUAL(prov_fal_parse_cancel(202, S("{\"status\":\"CANCELLATION_REQUESTED\"}"), &e), PROV_OK);
	CU_ASSERT_EQUAL(prov_fal_parse_cancel(400, S("{\"status\":\"ALREADY_COMPLETED\"}"), &e), PROV_OK);
	CU_ASSERT_STRING_EQUAL(e.type, "ALREADY_COMPLETED");
	CU_ASSERT_EQUAL(prov_fal_parse_cancel(404, S("{\"status\":\"NOT_FOUND\"}"), &e), PROV_OK);
	CU_ASSERT_EQUAL(prov_fal_parse_cancel(401, S("{\"detail\":\"no\"}"), &e), PROV_E_AUTH);
	CU_ASSERT_EQUAL(prov_fal_parse_cancel(503, S(""), &e), PROV_E_UNAVAILABLE);
}

/* ---- Replicate parsers ---- */

static enum prov_err
rep_pred(const char *body, struct prov_result *r, struct prov_outs *o,
    struct prov_error *e)
{
	prov_result_init(r);
	prov_error_init(e);
	memset(o, 0, sizeof(*o));
	return prov_rep_parse_prediction(body, strlen(body), r, o, e);
}

static void
t_rep_pending(void)
{
	struct prov_result r;
	struct prov_outs o;
	struct prov_error e;

	CU_ASSERT_EQUAL(rep_pred("{\"id\":\"gm3qorzdhgbfurvjtvhg6dckhu\",\"model\":\"black-forest-labs/flux-schnell\","
	    "\"version\":\"hidden\",\"input\":{},\"output\":null,\"error\":null,\"logs\":\"\","
	    "\"status\":\"starting\",\"urls\":{\"get\":\"https://api.replicate.com/v1/predictions/gm3q\"}}",
	    &r, &o, &e), PROV_OK);
	CU_ASSERT_STRING_EQUAL(r.request_id, "gm3qorzdhgbfurvjtvhg6dckhu");
	CU_ASSERT_EQUAL(r.state, PROV_STATE_QUEUED);
	CU_ASSERT_EQUAL(rep_pred("{\"id\":\"p1\",\"status\":\"processing\"}", &r, &o, &e), PROV_OK);
	CU_ASSERT_EQUAL(r.state, PROV_STATE_RUNNING);
	CU_ASSERT_EQUAL(rep_pred("{\"id\":\"p1\",\"status\":\"booting_new\"}", &r, &o, &e), PROV_OK);
	CU_ASSERT_EQUAL(r.state, PROV_STATE_RUNNING);
	CU_ASSERT_EQUAL(o.n, 0);
}

static void
t_rep_succeeded(void)
{
	struct prov_result r;
	struct prov_outs o;
	struct prov_error e;

	CU_ASSERT_EQUAL(rep_pred("{\"id\":\"p2\",\"status\":\"succeeded\",\"output\":"
	    "[\"https://replicate.delivery/a/out-0.webp\",\"https://replicate.delivery/a/out-1.webp\"],"
	    "\"metrics\":{\"predict_time\":5.2,\"total_time\":5.4,\"image_count\":2}}", &r, &o, &e), PROV_OK);
	CU_ASSERT_EQUAL(r.state, PROV_STATE_SUCCEEDED);
	CU_ASSERT_EQUAL(o.n, 2);
	CU_ASSERT_STRING_EQUAL(o.o[1].url, "https://replicate.delivery/a/out-1.webp");
	CU_ASSERT_EQUAL(r.units.compute_ms, 5200);
	prov_outs_free(&o);
	CU_ASSERT_EQUAL(rep_pred("{\"id\":\"p3\",\"status\":\"succeeded\",\"output\":"
	    "\"https://replicate.delivery/b/video.mp4\",\"metrics\":{\"predict_time\":12}}", &r, &o, &e), PROV_OK);
	CU_ASSERT_EQUAL(o.n, 1);
	CU_ASSERT_EQUAL(r.units.compute_ms, 12000);
	prov_outs_free(&o);
}

static void
t_rep_failed(void)
{
	struct prov_result r;
	struct prov_outs o;
	struct prov_error e;

	CU_ASSERT_EQUAL(rep_pred("{\"id\":\"p4\",\"status\":\"failed\",\"output\":null,"
	    "\"error\":\"CUDA out of memory\",\"metrics\":{\"predict_time\":1.5}}", &r, &o, &e), PROV_E_FAILED);
	CU_ASSERT_EQUAL(r.state, PROV_STATE_FAILED);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "CUDA out of memory"));
	CU_ASSERT_EQUAL(r.units.compute_ms, 1500);
	CU_ASSERT_EQUAL(rep_pred("{\"id\":\"p5\",\"status\":\"failed\",\"error\":"
	    "\"NSFW content detected. Try running it again, or try a different prompt.\"}",
	    &r, &o, &e), PROV_E_MODERATION);
	CU_ASSERT_STRING_EQUAL(e.type, "nsfw_blocked");
}

static void
t_rep_canceled_aborted(void)
{
	struct prov_result r;
	struct prov_outs o;
	struct prov_error e;

	CU_ASSERT_EQUAL(rep_pred("{\"id\":\"p6\",\"status\":\"canceled\"}", &r, &o, &e), PROV_E_CANCELED);
	CU_ASSERT_STRING_EQUAL(e.type, "canceled");
	CU_ASSERT_EQUAL(rep_pred("{\"id\":\"p7\",\"status\":\"aborted\"}", &r, &o, &e), PROV_E_CANCELED);
	CU_ASSERT_STRING_EQUAL(e.type, "aborted");
	CU_ASSERT_EQUAL(r.state, PROV_STATE_FAILED);
}

static void
t_rep_data_removed(void)
{
	struct prov_result r;
	struct prov_outs o;
	struct prov_error e;

	CU_ASSERT_EQUAL(rep_pred("{\"id\":\"p8\",\"status\":\"succeeded\",\"output\":null,"
	    "\"data_removed\":true}", &r, &o, &e), PROV_E_FAILED);
	CU_ASSERT_STRING_EQUAL(e.type, "data_removed");
}

static void
t_rep_malformed(void)
{
	struct prov_result r;
	struct prov_outs o;
	struct prov_error e;

	CU_ASSERT_EQUAL(rep_pred("{\"status\":\"starting\"}", &r, &o, &e), PROV_E_PROTOCOL);
	CU_ASSERT_EQUAL(rep_pred("{\"id\":\"p9\"}", &r, &o, &e), PROV_E_PROTOCOL);
	CU_ASSERT_EQUAL(rep_pred("{\"id\":\"../x\",\"status\":\"starting\"}", &r, &o, &e), PROV_E_PROTOCOL);
	CU_ASSERT_EQUAL(rep_pred("nope", &r, &o, &e), PROV_E_PROTOCOL);
}

static void
t_rep_errors(void)
{
	struct prov_error e;

	prov_error_init(&e);
	CU_ASSERT_EQUAL(prov_rep_parse_error(401, S("{\"title\":\"Unauthenticated\",\"detail\":"
	    "\"You did not pass a valid authentication token\",\"status\":401}"), &e), PROV_E_AUTH);
	CU_ASSERT_STRING_EQUAL(e.type, "Unauthenticated");
	CU_ASSERT_EQUAL(prov_rep_parse_error(422, S("{\"title\":\"Input validation failed\",\"detail\":"
	    "\"- input.width: Must be less than or equal to 1440\",\"status\":422}"), &e), PROV_E_REJECTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "input.width"));
	CU_ASSERT_EQUAL(prov_rep_parse_error(422, S("{\"title\":\"Invalid version or not permitted\","
	    "\"status\":422}"), &e), PROV_E_REJECTED);
	CU_ASSERT_EQUAL(prov_rep_parse_error(429, S("{\"detail\":\"Request was throttled. Your rate limit "
	    "resets in ~30s.\",\"status\":429}"), &e), PROV_E_RATE_LIMIT);
	CU_ASSERT_EQUAL(prov_rep_parse_error(402, S("{\"title\":\"Insufficient credit\",\"detail\":"
	    "\"You have insufficient credit to run this model.\"}"), &e), PROV_E_QUOTA);
	CU_ASSERT_EQUAL(prov_rep_parse_error(400, S("{\"detail\":\"You have insufficient credit to run "
	    "this model.\"}"), &e), PROV_E_QUOTA);
	CU_ASSERT_EQUAL(prov_rep_parse_error(500, S("oops"), &e), PROV_E_SERVER);
	CU_ASSERT_EQUAL(prov_rep_parse_error(404, S("{\"detail\":\"Not found.\"}"), &e), PROV_E_NOT_FOUND);
}

/* ---- ElevenLabs parsers ---- */

static void
t_el_error_shapes(void)
{
	struct prov_error e;

	prov_error_init(&e);
	CU_ASSERT_EQUAL(prov_el_parse_error(400, S("{\"detail\":{\"type\":\"validation_error\","
	    "\"code\":\"invalid_parameters\",\"message\":\"text is too short\",\"request_id\":\"r1\","
	    "\"param\":\"text\"}}"), &e), PROV_E_REJECTED);
	CU_ASSERT_STRING_EQUAL(e.type, "invalid_parameters");
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "text is too short"));
	CU_ASSERT_EQUAL(prov_el_parse_error(401, S("{\"detail\":{\"status\":\"invalid_api_key\","
	    "\"message\":\"Invalid API key\"}}"), &e), PROV_E_AUTH);
	CU_ASSERT_STRING_EQUAL(e.type, "invalid_api_key");
	CU_ASSERT_EQUAL(prov_el_parse_error(422, S("{\"detail\":[{\"loc\":[\"body\",\"text\"],"
	    "\"msg\":\"field required\",\"type\":\"value_error.missing\"}]}"), &e), PROV_E_REJECTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "field required"));
	CU_ASSERT_EQUAL(prov_el_parse_error(500, S("{\"detail\":\"Internal error\"}"), &e), PROV_E_SERVER);
	CU_ASSERT_EQUAL(prov_el_parse_error(502, S("<html>"), &e), PROV_E_SERVER);
}

static void
t_el_error_codes(void)
{
	struct prov_error e;

	/* the 400-or-401 family is keyed on the word, not the code */
	CU_ASSERT_EQUAL(prov_el_parse_error(401, S("{\"detail\":{\"status\":\"quota_exceeded\","
	    "\"message\":\"This request exceeds your quota\"}}"), &e), PROV_E_QUOTA);
	CU_ASSERT_EQUAL(prov_el_parse_error(400, S("{\"detail\":{\"status\":\"voice_not_found\","
	    "\"message\":\"A voice with the voice_id x was not found.\"}}"), &e), PROV_E_NOT_FOUND);
	CU_ASSERT_EQUAL(prov_el_parse_error(401, S("{\"detail\":{\"status\":\"max_character_limit_exceeded\"}}"),
	    &e), PROV_E_REJECTED);
	CU_ASSERT_EQUAL(prov_el_parse_error(429, S("{\"detail\":{\"status\":\"system_busy\"}}"), &e),
	    PROV_E_RATE_LIMIT);
	CU_ASSERT_EQUAL(prov_el_parse_error(429, S("{\"detail\":{\"type\":\"rate_limit_error\","
	    "\"code\":\"concurrent_limit_exceeded\",\"message\":\"too many\"}}"), &e), PROV_E_RATE_LIMIT);
	CU_ASSERT_STRING_EQUAL(e.type, "concurrent_limit_exceeded");
	CU_ASSERT_EQUAL(prov_el_parse_error(429, S("{\"detail\":{\"status\":\"too_many_concurrent_requests\"}}"),
	    &e), PROV_E_RATE_LIMIT);
	CU_ASSERT_EQUAL(prov_err_retry(e.code, PROV_OP_SUBMIT), PROV_RETRY_YES);
}

static void
t_el_format(void)
{
	CU_ASSERT_STRING_EQUAL(prov_el_format(NULL), "mp3_44100_128");
	CU_ASSERT_STRING_EQUAL(prov_el_format("mp3"), "mp3_44100_128");
	CU_ASSERT_STRING_EQUAL(prov_el_format("pcm_16000"), "pcm_16000");
	CU_ASSERT_STRING_EQUAL(prov_el_format("opus_48000_64"), "opus_48000_64");
	CU_ASSERT_STRING_EQUAL(prov_el_format("ulaw_8000"), "ulaw_8000");
}

static void
t_el_format_bad(void)
{
	CU_ASSERT_PTR_NULL(prov_el_format("wav"));
	CU_ASSERT_PTR_NULL(prov_el_format("mp3_"));
	CU_ASSERT_PTR_NULL(prov_el_format("mp3_44100_128_1"));
	CU_ASSERT_PTR_NULL(prov_el_format("mp3_44100&x=1"));
	CU_ASSERT_PTR_NULL(prov_el_format("flac_44100"));
}

/* ---- remote adapters without network ---- */

static void
t_remote_unconfigured(void)
{
	struct prov_job j = job_of(PROV_KIND_IMAGE, "x");
	struct prov_result r;
	struct prov_error e;

	unsetenv("MG_FAL_KEY");
	j.model = "fal-ai/flux/schnell";
	CU_ASSERT_EQUAL(prov_table[PROV_FAL].submit(&j, &r, &e), PROV_E_AUTH);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "fal_key"));
	j.model = "black-forest-labs/flux-schnell";
	unsetenv("MG_REPLICATE_TOKEN");
	CU_ASSERT_EQUAL(prov_table[PROV_REPLICATE].submit(&j, &r, &e), PROV_E_AUTH);
	j = job_of(PROV_KIND_AUDIO, "hello");
	j.voice = "21m00Tcm4TlvDq8ikWAM";
	unsetenv("MG_ELEVENLABS_KEY");
	CU_ASSERT_EQUAL(prov_table[PROV_ELEVENLABS].submit(&j, &r, &e), PROV_E_AUTH);
}

static void
t_remote_bad_models(void)
{
	struct prov_job j = job_of(PROV_KIND_IMAGE, "x");
	struct prov_result r;
	struct prov_error e;

	j.model = "flux";
	CU_ASSERT_EQUAL(prov_table[PROV_FAL].submit(&j, &r, &e), PROV_E_INVALID);
	j.model = "owner/name:nothex";
	CU_ASSERT_EQUAL(prov_table[PROV_REPLICATE].submit(&j, &r, &e), PROV_E_INVALID);
	j.model = "owner/../x";
	CU_ASSERT_EQUAL(prov_table[PROV_REPLICATE].submit(&j, &r, &e), PROV_E_INVALID);
	j = job_of(PROV_KIND_AUDIO, "hello");
	j.voice = "../../v1/user";
	CU_ASSERT_EQUAL(prov_table[PROV_ELEVENLABS].submit(&j, &r, &e), PROV_E_INVALID);
	j.voice = "abc";
	j.format = "wav";
	CU_ASSERT_EQUAL(prov_table[PROV_ELEVENLABS].submit(&j, &r, &e), PROV_E_INVALID);
	j.format = NULL;
	j.extra_json = "[1]";
	setenv("MG_ELEVENLABS_KEY", "k", 1);
	CU_ASSERT_EQUAL(prov_table[PROV_ELEVENLABS].submit(&j, &r, &e), PROV_E_INVALID);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "extra_json"));
	unsetenv("MG_ELEVENLABS_KEY");
}

static void
t_remote_unsupported(void)
{
	struct prov_job j = job_of(PROV_KIND_COMPOSE, NULL);
	struct prov_result r;
	struct prov_error e;
	const char *in[] = { "/etc/hostname" };

	j.compose = PROV_COMPOSE_RESIZE;
	j.inputs = in;
	j.ninputs = 1;
	j.model = "fal-ai/x";
	CU_ASSERT_EQUAL(prov_table[PROV_FAL].submit(&j, &r, &e), PROV_E_UNSUPPORTED);
	j = job_of(PROV_KIND_IMAGE, "x");
	j.voice = "abc";
	CU_ASSERT_EQUAL(prov_table[PROV_ELEVENLABS].submit(&j, &r, &e), PROV_E_UNSUPPORTED);
	CU_ASSERT_EQUAL(prov_table[PROV_ELEVENLABS].poll(&j, "x", &r, &e), PROV_E_UNSUPPORTED);
}

static void
t_remote_connect_refused(void)
{
	struct prov_job j = job_of(PROV_KIND_IMAGE, "x");
	struct prov_result r;
	struct prov_error e;

	/* port 1 on loopback: refused, provably never sent → retry */
	setenv("MG_FAL_BASE_URL", "http://127.0.0.1:1", 1);
	setenv("MG_FAL_KEY", "test-key", 1);
	j.model = "fal-ai/flux/schnell";
	CU_ASSERT_EQUAL(prov_table[PROV_FAL].submit(&j, &r, &e), PROV_E_CONNECT);
	CU_ASSERT_EQUAL(prov_err_retry(e.code, PROV_OP_SUBMIT), PROV_RETRY_YES);
	CU_ASSERT_EQUAL(r.state, PROV_STATE_UNKNOWN);
	CU_ASSERT_PTR_NULL(strstr(e.msg, "test-key"));
	CU_ASSERT_EQUAL(prov_table[PROV_FAL].poll(&j, "req-1", &r, &e), PROV_E_CONNECT);
	CU_ASSERT_EQUAL(prov_table[PROV_FAL].poll(&j, "../x", &r, &e), PROV_E_INVALID);
	/* the id may live in the result being filled (caller polls in a loop) */
	snprintf(r.request_id, sizeof(r.request_id), "req-2");
	CU_ASSERT_EQUAL(prov_table[PROV_FAL].poll(&j, r.request_id, &r, &e), PROV_E_CONNECT);
	CU_ASSERT_STRING_EQUAL(r.request_id, "req-2");
	{
		char longid[200];

		memset(longid, 'a', sizeof(longid) - 1);
		longid[sizeof(longid) - 1] = '\0';
		CU_ASSERT_EQUAL(prov_table[PROV_FAL].poll(&j, longid, &r, &e), PROV_E_INVALID);
	}
	unsetenv("MG_FAL_BASE_URL");
	unsetenv("MG_FAL_KEY");
	setenv("MG_REPLICATE_BASE_URL", "ftp://127.0.0.1:1", 1);
	setenv("MG_REPLICATE_TOKEN", "t", 1);
	CU_ASSERT_EQUAL(prov_table[PROV_REPLICATE].poll(&j, "p1", &r, &e), PROV_E_INVALID);
	unsetenv("MG_REPLICATE_BASE_URL");
	unsetenv("MG_REPLICATE_TOKEN");
}

static void
t_outs_fetch_data_uri(void)
{
	struct prov_job j = job_of(PROV_KIND_IMAGE, "remote");
	struct prov_result src, res;
	struct prov_outs o;
	struct prov_error e;
	struct mg_buf uri;
	unsigned char *p;
	size_t n;
	char *b64;

	/* a real PNG from the local renderer, served as a data URI */
	j.name = "srcimg";
	j.width = 40;
	j.height = 30;
	CU_ASSERT_FATAL(local_ok(&j, &src, 1));
	p = slurp(src.files[0].path, &n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	b64 = malloc(n * 4 / 3 + 8);
	mg_b64(p, n, b64, n * 4 / 3 + 8);
	mg_buf_init(&uri, NULL);
	mg_buf_printf(&uri, "data:image/png;base64,%s", b64);
	memset(&o, 0, sizeof(o));
	CU_ASSERT_EQUAL(prov_outs_add(&o, uri.data, NULL, 0, 0), 0);
	prov_result_init(&res);
	j.name = "fetched";
	CU_ASSERT_EQUAL(prov_outs_fetch(&j, &o, &res, &e), PROV_OK);
	CU_ASSERT_EQUAL(res.nfiles, 1);
	CU_ASSERT_STRING_EQUAL(res.files[0].mime, "image/png");
	CU_ASSERT_EQUAL(res.files[0].size, (int64_t)n);
	CU_ASSERT_EQUAL(res.files[0].width, 40);
	CU_ASSERT_EQUAL(res.files[0].height, 30);
	CU_ASSERT_EQUAL(res.units.images, 1);
	CU_ASSERT_EQUAL(res.units.pixels, 1200);
	prov_outs_free(&o);
	mg_buf_free(&uri);
	free(b64);
	free(p);
}

static void
t_outs_fetch_bad(void)
{
	struct prov_job j = job_of(PROV_KIND_IMAGE, "remote");
	struct prov_result res;
	struct prov_outs o;
	struct prov_error e;

	memset(&o, 0, sizeof(o));
	prov_result_init(&res);
	CU_ASSERT_EQUAL(prov_outs_fetch(&j, &o, &res, &e), PROV_E_FAILED);	/* no outputs */
	prov_outs_add(&o, "file:///etc/passwd", NULL, 0, 0);
	CU_ASSERT_EQUAL(prov_outs_fetch(&j, &o, &res, &e), PROV_E_PROTOCOL);
	prov_outs_free(&o);
	prov_outs_add(&o, "http://127.0.0.1:1/a.png", NULL, 0, 0);
	CU_ASSERT_EQUAL(prov_outs_fetch(&j, &o, &res, &e), PROV_E_PROTOCOL);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "plain http"));
	o.allow_http = 1;	/* then it is tried: nothing listens there */
	CU_ASSERT_EQUAL(prov_outs_fetch(&j, &o, &res, &e), PROV_E_CONNECT);
	prov_outs_free(&o);
	o.allow_http = 0;
	prov_outs_add(&o, "data:text/plain,hello", NULL, 0, 0);
	CU_ASSERT_EQUAL(prov_outs_fetch(&j, &o, &res, &e), PROV_E_PROTOCOL);
	prov_outs_free(&o);
	setenv("MG_PROV_DOWNLOAD_MAX_BYTES", "4", 1);
	prov_outs_add(&o, "data:image/png;base64,AAAAAAAAAAAAAAAA", NULL, 0, 0);
	CU_ASSERT_EQUAL(prov_outs_fetch(&j, &o, &res, &e), PROV_E_TOO_LARGE);
	unsetenv("MG_PROV_DOWNLOAD_MAX_BYTES");
	prov_outs_free(&o);
}

static const struct mgt_case common_cases[] = {
	{ "table_names", t_table_names },
	{ "retry_classes", t_retry_classes },
	{ "check_bad_kind", t_check_bad_kind },
	{ "check_no_out_dir", t_check_no_out_dir },
	{ "check_bad_name", t_check_bad_name },
	{ "check_oversized_dims", t_check_oversized_dims },
	{ "check_bad_duration_count_seed", t_check_bad_duration_count_seed },
	{ "check_prompt_too_long", t_check_prompt_too_long },
	{ "check_empty_prompt", t_check_empty_prompt },
	{ "check_empty_text", t_check_empty_text },
	{ "check_compose_inputs", t_check_compose_inputs },
	{ NULL, NULL }
};

static const struct mgt_case local_cases[] = {
	{ "png_magic_dims", t_local_png },
	{ "webp_magic_dims", t_local_webp },
	{ "jpeg_magic_dims", t_local_jpeg },
	{ "image_mime_and_path", t_local_image_mime_and_path },
	{ "image_deterministic", t_local_image_deterministic },
	{ "image_varies_with_seed_prompt", t_local_image_varies },
	{ "image_count", t_local_image_count },
	{ "zero_dims_rejected", t_local_zero_dims },
	{ "oversized_dims_rejected", t_local_oversized_dims },
	{ "bad_image_format_rejected", t_local_bad_image_format },
	{ "marker_fail_final", t_local_marker_fail },
	{ "marker_nsfw_moderation", t_local_marker_nsfw },
	{ "marker_retry_retryable", t_local_marker_retry },
	{ "marker_parse", t_local_marker_parse },
	{ "marker_slow_malformed", t_local_marker_slow_malformed },
	{ "marker_slow_timeout", t_local_marker_slow_timeout },
	{ "marker_slow_short", t_local_marker_slow_short },
	{ "run_kills_on_timeout", t_run_kills_on_timeout },
	{ "run_exit_status", t_run_exit_status },
	{ "wav_riff", t_local_wav },
	{ "mp3", t_local_mp3 },
	{ "bad_voice_rejected", t_local_bad_voice },
	{ "bad_audio_format_rejected", t_local_bad_audio_format },
	{ "mp4_ftyp_duration_dims", t_local_mp4 },
	{ "video_encoder", t_local_video_encoder },
	{ "video_odd_dims_rejected", t_local_video_odd_dims },
	{ "video_bad_duration_rejected", t_local_video_zero_duration },
	{ "video_count_rejected", t_local_video_count },
	{ "concat", t_local_concat },
	{ "concat_missing_input_rejected", t_local_concat_missing_input },
	{ "resize_video", t_local_resize_video },
	{ "resize_image", t_local_resize_image },
	{ "bad_formats_rejected", t_local_bad_formats },
	{ "resize_bad_dims_rejected", t_local_resize_bad_dims },
	{ "resize_not_media_fails", t_local_resize_not_media },
	{ "gltf_json", t_local_gltf },
	{ "poll_and_cancel", t_local_poll_cancel },
	{ NULL, NULL }
};

static const struct mgt_case fal_cases[] = {
	{ "app_from_model", t_fal_app },
	{ "app_bad_model", t_fal_app_bad },
	{ "submit_full", t_fal_submit_full },
	{ "submit_minimal", t_fal_submit_minimal },
	{ "submit_malformed", t_fal_submit_bad },
	{ "status_202_200", t_fal_status_shapes },
	{ "status_tolerant", t_fal_status_tolerant },
	{ "status_failed", t_fal_status_failed },
	{ "result_images", t_fal_result_images },
	{ "result_video", t_fal_result_video },
	{ "result_nsfw", t_fal_result_nsfw },
	{ "result_malformed", t_fal_result_bad },
	{ "error_validation_422", t_fal_error_validation },
	{ "error_infrastructure", t_fal_error_infra },
	{ "error_auth_rate_moderation", t_fal_error_auth_rate_moderation },
	{ "cancel_bodies", t_fal_cancel_bodies },
	{ NULL, NULL }
};

static const struct mgt_case rep_cases[] = {
	{ "pending_statuses", t_rep_pending },
	{ "succeeded_outputs_metrics", t_rep_succeeded },
	{ "failed_prediction", t_rep_failed },
	{ "canceled_aborted", t_rep_canceled_aborted },
	{ "data_removed", t_rep_data_removed },
	{ "malformed", t_rep_malformed },
	{ "problem_json_errors", t_rep_errors },
	{ NULL, NULL }
};

static const struct mgt_case el_cases[] = {
	{ "error_shapes", t_el_error_shapes },
	{ "error_codes", t_el_error_codes },
	{ "output_format", t_el_format },
	{ "output_format_rejected", t_el_format_bad },
	{ NULL, NULL }
};

static const struct mgt_case remote_cases[] = {
	{ "unconfigured_key", t_remote_unconfigured },
	{ "bad_model_voice_extra", t_remote_bad_models },
	{ "unsupported_kinds", t_remote_unsupported },
	{ "connect_refused_retryable", t_remote_connect_refused },
	{ "fetch_data_uri", t_outs_fetch_data_uri },
	{ "fetch_rejects", t_outs_fetch_bad },
	{ NULL, NULL }
};

int
main(void)
{
	if (mg_crypto_init() != 0 || prov_init() != 0)
		return 2;
	mgt_suite("prov_common", suite_init, suite_clean, common_cases);
	mgt_suite("prov_local", suite_init, suite_clean, local_cases);
	mgt_suite("prov_fal_parse", NULL, NULL, fal_cases);
	mgt_suite("prov_replicate_parse", NULL, NULL, rep_cases);
	mgt_suite("prov_elevenlabs_parse", NULL, NULL, el_cases);
	mgt_suite("prov_remote", suite_init, suite_clean, remote_cases);
	return mgt_run();
}
