/*
 * it_tasks: the prepaid tasks without a prompt run to success offline on
 * the local provider: trellis.generate (inline PNG → glTF 2.0),
 * audio.annotation.reference (inline WAV → annotation JSON) and
 * video.resize (sourceVideoUrl → MP4 of the requested size). Each job is
 * polled to "succeeded", its output downloaded through the signed link
 * and checked, and the ledger shows one hold and one capture equal to it.
 *
 * Needs from tests/it.sh: MG_ALLOW_PRIVATE_CALLBACKS=1 (the resize source
 * is this stack's own signed link on 127.0.0.1). Media are made with
 * ffmpeg and espeak-ng into a temp directory and sent inline (base64).
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "it.h"
#include "it_job.h"
#include "mg_crypto.h"
#include "mgtest.h"

static struct it_ws	P;		/* prepaid workspace */
static struct it_ws	W;		/* studio workspace (the resize source) */
static char		tdir[64];

static void
msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int
rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(p);
}

/* A whole file, malloc'd and NUL-terminated; NULL on error. */
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
	p = sz > 0 ? malloc((size_t)sz + 1) : NULL;
	if (p != NULL && fread(p, 1, (size_t)sz, f) != (size_t)sz) {
		free(p);
		p = NULL;
	}
	fclose(f);
	if (p != NULL) {
		p[sz] = '\0';
		*n = (size_t)sz;
	}
	return p;
}

/* The file tdir/name as standard base64 (malloc'd); NULL on error. */
static char *
file_b64(const char *name)
{
	char path[256], *out;
	unsigned char *p;
	size_t n = 0, cap;

	snprintf(path, sizeof(path), "%s/%s", tdir, name);
	if ((p = slurp(path, &n)) == NULL)
		return NULL;
	cap = (n + 2) / 3 * 4 + 1;
	out = malloc(cap);
	if (out != NULL && mg_b64(p, n, out, cap) == 0) {
		free(out);
		out = NULL;
	}
	free(p);
	return out;
}

/*
 * Submit a prepaid media job; its id into id (37), the held price into
 * *quote. 0 on success.
 */
static int
prepaid_submit(const char *body, char *id, long long *quote)
{
	struct it_resp r;
	int rc = -1;

	if (it_post(&r, "/api/v1/media/jobs", P.key, body) != 0)
		return -1;
	if ((r.status == 200 || r.status == 201 || r.status == 202) &&
	    it_str(&r, "externalJobId") != NULL) {
		snprintf(id, 37, "%s", it_str(&r, "externalJobId"));
		*quote = it_int(&r, "usdChargedMicros", -1);
		rc = 0;
	} else
		fprintf(stderr, "submit: %ld %.300s\n", r.status, r.body);
	it_free(&r);
	return rc;
}

/*
 * Poll a prepaid job until terminal (secs). Status into st, the first
 * downloadable URL into url, the error code (if any) into code.
 */
static int
prepaid_wait(const char *id, int secs, char *st, size_t stcap, char *url,
    size_t ucap, char *code, size_t ccap)
{
	char path[160];
	struct it_resp r;
	json_object *a;
	const char *s;
	int i;

	snprintf(path, sizeof(path), "/api/v1/media/jobs?jobId=%s", id);
	for (i = 0; i < secs * 10; i++) {
		if (it_get(&r, path, P.key) != 0)
			return -1;
		s = it_str(&r, "status");
		if (s != NULL && (strcmp(s, "succeeded") == 0 ||
		    strcmp(s, "failed") == 0 || strcmp(s, "canceled") == 0)) {
			snprintf(st, stcap, "%s", s);
			url[0] = '\0';
			if (r.json != NULL && json_object_object_get_ex(r.json,
			    "downloadableOutputUrls", &a) && json_object_is_type(a,
			    json_type_array) && json_object_array_length(a) > 0)
				snprintf(url, ucap, "%s", json_object_get_string(
				    json_object_array_get_idx(a, 0)));
			snprintf(code, ccap, "%s", it_str(&r, "result.error.code") ?
			    it_str(&r, "result.error.code") : "");
			it_free(&r);
			return 0;
		}
		it_free(&r);
		msleep(100);
	}
	return -1;
}

/* Run a prepaid job to success; its output downloaded into *body. */
static int
run_job(const char *req, char *id, long long *quote, char **body, size_t *len)
{
	char st[32], url[1024], code[64];

	*body = NULL;
	if (prepaid_submit(req, id, quote) != 0)
		return -1;
	if (prepaid_wait(id, 120, st, sizeof(st), url, sizeof(url), code,
	    sizeof(code)) != 0)
		return -1;
	if (strcmp(st, "succeeded") != 0) {
		fprintf(stderr, "job %s: %s %s\n", id, st, code);
		return -1;
	}
	if (url[0] == '\0' || it_fetch(url, body, len) != 200)
		return -1;
	return 0;
}

/* One hold of quote, one capture of the same amount. */
static void
check_captured_hold(const char *id, long long quote)
{
	struct it_money m;

	CU_ASSERT(quote > 0);
	CU_ASSERT_FATAL(it_job_money(&P, id, &m) == 0);
	CU_ASSERT_EQUAL(m.holds, 1);
	CU_ASSERT_EQUAL(m.hold, quote);
	CU_ASSERT_EQUAL(m.settles, 1);
	CU_ASSERT_STRING_EQUAL(m.settle_type, "capture");
	CU_ASSERT_EQUAL(m.settle_amount, -quote);
}

static void
test_trellis_generate_inline_png_gltf(void)
{
	char id[37], *img, *req, *body = NULL;
	size_t len = 0, cap;
	long long quote = -1;
	json_object *o = NULL, *a, *v;

	img = file_b64("src.png");
	CU_ASSERT_PTR_NOT_NULL_FATAL(img);
	cap = strlen(img) + 256;
	req = malloc(cap);
	snprintf(req, cap, "{\"task\":\"trellis.generate\",\"input\":{\"sourceImage\":"
	    "{\"dataBase64\":\"data:image/png;base64,%s\"},\"seed\":42}}", img);
	free(img);
	CU_ASSERT(run_job(req, id, &quote, &body, &len) == 0);
	free(req);
	CU_ASSERT_FATAL(body != NULL);
	o = json_tokener_parse(body);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_FATAL(json_object_object_get_ex(o, "asset", &a) &&
	    json_object_object_get_ex(a, "version", &v));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "2.0");
	CU_ASSERT(json_object_object_get_ex(o, "meshes", &v) &&
	    json_object_array_length(v) == 1);
	json_object_put(o);
	free(body);
	check_captured_hold(id, quote);
}

static void
test_audio_annotation_inline_wav_json(void)
{
	char id[37], *wav, *req, *body = NULL;
	size_t len = 0, cap;
	long long quote = -1;
	json_object *o, *v;

	wav = file_b64("src.wav");
	CU_ASSERT_PTR_NOT_NULL_FATAL(wav);
	cap = strlen(wav) + 256;
	req = malloc(cap);
	snprintf(req, cap, "{\"task\":\"audio.annotation.reference\",\"input\":"
	    "{\"sourceAudio\":{\"dataBase64\":\"%s\",\"mimeType\":\"audio/wav\"},"
	    "\"transcript\":\"hello from mediagate\",\"language\":\"en\"}}", wav);
	free(wav);
	CU_ASSERT(run_job(req, id, &quote, &body, &len) == 0);
	free(req);
	CU_ASSERT_FATAL(body != NULL);
	o = json_tokener_parse(body);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT(json_object_object_get_ex(o, "format", &v) && strcmp(
	    json_object_get_string(v), "mediagate-local-annotation-v1") == 0);
	/* espeak-ng says three words in well under ten seconds */
	CU_ASSERT(json_object_object_get_ex(o, "durationMs", &v) &&
	    json_object_get_int64(v) > 200 && json_object_get_int64(v) < 10000);
	CU_ASSERT(json_object_object_get_ex(o, "words", &v) &&
	    json_object_array_length(v) == 3);
	CU_ASSERT(json_object_object_get_ex(o, "transcript", &v) && strcmp(
	    json_object_get_string(v), "hello from mediagate") == 0);
	json_object_put(o);
	free(body);
	check_captured_hold(id, quote);
}

/* An MP4's first video track size from its tkhd box (16.16 fixed point). */
static int
mp4_dims(const unsigned char *p, size_t n, unsigned *w, unsigned *h)
{
	size_t i;
	const unsigned char *b;

	for (i = 4; i + 4 <= n; i++) {
		if (memcmp(p + i, "tkhd", 4) != 0)
			continue;
		/* version 0: 4 flags + 20 + 8 + 52 bytes, then width, height */
		b = p + i + 4;
		if ((size_t)(b - p) + 1 > n)
			return -1;
		b += b[0] == 1 ? 88 : 76;	/* version 1: 64-bit times */
		if ((size_t)(b - p) + 8 > n)
			return -1;
		*w = ((unsigned)b[0] << 8) | b[1];
		*h = ((unsigned)b[4] << 8) | b[5];
		if (*w != 0 && *h != 0)
			return 0;
	}
	return -1;
}

static void
test_video_resize_source_url_mp4_size(void)
{
	char vid[37], id[37], st[32], url[1024], code[64], req[2048];
	char *body = NULL;
	size_t len = 0;
	long long quote = -1;
	unsigned w = 0, h = 0;
	struct it_resp r;
	json_object *a;
	int i;

	/* The source: a studio video of this stack, by its signed link. */
	CU_ASSERT_FATAL(it_post(&r, "/v1/videos/generate", W.key,
	    "{\"model\":\"fal-ai/kling-3.0\",\"prompt\":\"a clip to resize\","
	    "\"duration_s\":5}") == 0);
	CU_ASSERT_FATAL(it_str(&r, "job_id") != NULL);
	snprintf(vid, sizeof(vid), "%s", it_str(&r, "job_id"));
	it_free(&r);
	url[0] = '\0';
	snprintf(req, sizeof(req), "/v1/jobs/%s", vid);
	for (i = 0; i < 1200 && url[0] == '\0'; i++) {
		CU_ASSERT_FATAL(it_get(&r, req, W.key) == 0);
		snprintf(st, sizeof(st), "%s", it_str(&r, "status") ?
		    it_str(&r, "status") : "");
		if (strcmp(st, "completed") == 0 && json_object_object_get_ex(r.json,
		    "output_urls", &a) && json_object_array_length(a) > 0)
			snprintf(url, sizeof(url), "%s%s", it_base(),
			    json_object_get_string(json_object_array_get_idx(a, 0)));
		it_free(&r);
		if (strcmp(st, "failed") == 0)
			break;
		if (url[0] == '\0')
			msleep(100);
	}
	CU_ASSERT_FATAL(url[0] != '\0');
	snprintf(req, sizeof(req), "{\"task\":\"video.resize\",\"input\":"
	    "{\"sourceVideoUrl\":\"%s\",\"width\":96,\"height\":64,"
	    "\"sourceDurationSeconds\":5}}", url);
	CU_ASSERT_FATAL(prepaid_submit(req, id, &quote) == 0);
	CU_ASSERT_FATAL(prepaid_wait(id, 120, st, sizeof(st), url, sizeof(url),
	    code, sizeof(code)) == 0);
	if (strcmp(st, "succeeded") != 0)
		fprintf(stderr, "resize %s: %s %s\n", id, st, code);
	CU_ASSERT_STRING_EQUAL_FATAL(st, "succeeded");
	CU_ASSERT_FATAL(it_fetch(url, &body, &len) == 200);
	CU_ASSERT_FATAL(len > 12);
	CU_ASSERT(memcmp(body + 4, "ftyp", 4) == 0);
	CU_ASSERT_EQUAL(mp4_dims((unsigned char *)body, len, &w, &h), 0);
	CU_ASSERT_EQUAL(w, 96);
	CU_ASSERT_EQUAL(h, 64);
	free(body);
	check_captured_hold(id, quote);
}

static void
test_video_resize_tiny_2x2(void)
{
	char id[37], st[32], url[1024], code[64], req[2048], vurl[1024];
	char *body = NULL;
	size_t len = 0;
	long long quote = -1;
	unsigned w = 0, h = 0;
	struct it_resp r;
	json_object *a;
	int i;

	/* The source: another studio video, by its signed link. */
	vurl[0] = '\0';
	CU_ASSERT_FATAL(it_post(&r, "/v1/videos/generate", W.key,
	    "{\"model\":\"fal-ai/kling-3.0\",\"prompt\":\"a clip to shrink\","
	    "\"duration_s\":5}") == 0);
	CU_ASSERT_FATAL(it_str(&r, "job_id") != NULL);
	snprintf(req, sizeof(req), "/v1/jobs/%s", it_str(&r, "job_id"));
	it_free(&r);
	for (i = 0; i < 1200 && vurl[0] == '\0'; i++) {
		CU_ASSERT_FATAL(it_get(&r, req, W.key) == 0);
		if (it_str(&r, "status") != NULL && strcmp(it_str(&r, "status"),
		    "completed") == 0 && json_object_object_get_ex(r.json,
		    "output_urls", &a) && json_object_array_length(a) > 0)
			snprintf(vurl, sizeof(vurl), "%s%s", it_base(),
			    json_object_get_string(json_object_array_get_idx(a, 0)));
		it_free(&r);
		if (vurl[0] == '\0')
			msleep(100);
	}
	CU_ASSERT_FATAL(vurl[0] != '\0');
	snprintf(req, sizeof(req), "{\"task\":\"video.resize\",\"input\":"
	    "{\"sourceVideoUrl\":\"%s\",\"width\":2,\"height\":2}}", vurl);
	CU_ASSERT_FATAL(prepaid_submit(req, id, &quote) == 0);
	CU_ASSERT_FATAL(prepaid_wait(id, 120, st, sizeof(st), url, sizeof(url),
	    code, sizeof(code)) == 0);
	if (strcmp(st, "succeeded") != 0)
		fprintf(stderr, "resize 2x2 %s: %s %s\n", id, st, code);
	CU_ASSERT_STRING_EQUAL_FATAL(st, "succeeded");
	CU_ASSERT_FATAL(it_fetch(url, &body, &len) == 200);
	CU_ASSERT_FATAL(len > 12);
	CU_ASSERT(memcmp(body + 4, "ftyp", 4) == 0);
	CU_ASSERT_EQUAL(mp4_dims((unsigned char *)body, len, &w, &h), 0);
	CU_ASSERT_EQUAL(w, 2);
	CU_ASSERT_EQUAL(h, 2);
	free(body);
	check_captured_hold(id, quote);
}

static int
setup(void)
{
	char cmd[512];

	mg_crypto_init();
	snprintf(tdir, sizeof(tdir), "/tmp/it_tasks.XXXXXX");
	if (mkdtemp(tdir) == NULL)
		return 1;
	snprintf(cmd, sizeof(cmd), "ffmpeg -v error -y -f lavfi -i "
	    "color=c=orange:size=32x32 -frames:v 1 %s/src.png && "
	    "espeak-ng -w %s/src.wav 'hello from mediagate'", tdir, tdir);
	if (system(cmd) != 0)
		return 1;
	if (it_workspace(&P, NULL, "prepaid") != 0 ||
	    it_workspace(&W, NULL, "studio") != 0)
		return 1;
	if (it_mgctl_status("wallet grant %s 20.00 --reason it-tasks", P.ws) != 0 ||
	    it_mgctl_status("wallet grant %s 20.00 --reason it-tasks", W.ws) != 0)
		return 1;
	return 0;
}

static int
clean(void)
{
	nftw(tdir, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

int
main(void)
{
	static const struct mgt_case cases[] = {
		{ "trellis_generate_inline_png_gltf_captured", test_trellis_generate_inline_png_gltf },
		{ "audio_annotation_reference_inline_wav_json_captured", test_audio_annotation_inline_wav_json },
		{ "video_resize_source_url_mp4_96x64_captured", test_video_resize_source_url_mp4_size },
		{ "video_resize_2x2_mp4_captured", test_video_resize_tiny_2x2 },
		{ NULL, NULL }
	};

	mgt_suite("prepaid tasks offline", setup, clean, cases);
	return mgt_run();
}
