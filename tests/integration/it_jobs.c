/*
 * it_jobs: job submit / poll / cancel against a running stack (tests/it.sh).
 *
 * No dispatcher runs here, so submitted jobs stay queued: these tests check
 * what a submit does to money (one hold of exactly the quoted price, or
 * nothing at all), validation, guards, idempotency, cancel and tenancy.
 * tests/it.sh sets MG_PROMPT_BLOCKLIST (tests/integration/
 * prompt_blocklist.txt) and MG_MAX_CONCURRENT_JOBS_PER_WORKSPACE (25).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "db.h"
#include "gen_link.h"
#include "it.h"
#include "mg_config.h"
#include "mgtest.h"

/*
 * The dispatcher runs in the test stack: "[[slow:N]]" (prov_local test
 * marker) keeps a local job running for N seconds, so its hold stays
 * open while a test looks at it; every test cancels what it made.
 */
#define SLOW		"[[slow:100]] "
#define IMG_BODY	"{\"model\":\"fal-ai/flux/schnell\",\"prompt\":\"" SLOW "a red fox\"}"

/* A 2x2 PNG and a short silent WAV, base64 (generated with python3). */
static const char png_b64[] =
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4"
    "z8AARAwQCgAf7gP9i18U1AAAAABJRU5ErkJggg==";
static char wav_b64[4096];

static int64_t img_price;	/* price of IMG_BODY, learnt from a probe */

/* ---- helpers ---------------------------------------------------------- */

/* A fresh workspace with usd (a decimal string, NULL: none) granted. */
static void
ws_new(struct it_ws *w, const char *usd)
{
	CU_ASSERT_EQUAL_FATAL(it_workspace(w, NULL, NULL), 0);
	if (usd != NULL)
		CU_ASSERT_EQUAL_FATAL(it_mgctl_status("wallet grant %s %s "
		    "--reason it-jobs", w->ws, usd), 0);
}

/* Format micros as the decimal USD mgctl accepts. */
static void
usd_of(int64_t micros, char *buf, size_t cap)
{
	snprintf(buf, cap, "%lld.%06lld", (long long)(micros / 1000000),
	    (long long)(micros % 1000000));
}

/* POST JSON with a key and an optional Idempotency-Key. */
static void
post(struct it_resp *r, const char *path, const char *key, const char *body,
    const char *idem)
{
	char url[1024], auth[300], ik[300];
	const char *h[4] = { auth, "Content-Type: application/json", NULL, NULL };

	snprintf(url, sizeof(url), "%s%s", it_base(), path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
	if (idem != NULL) {
		snprintf(ik, sizeof(ik), "Idempotency-Key: %s", idem);
		h[2] = ik;
	}
	CU_ASSERT_EQUAL_FATAL(it_req(r, "POST", url, h, body, strlen(body)), 0);
}

static void
del(struct it_resp *r, const char *path, const char *key)
{
	char url[1024], auth[300];
	const char *h[2] = { auth, NULL };

	snprintf(url, sizeof(url), "%s%s", it_base(), path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
	CU_ASSERT_EQUAL_FATAL(it_req(r, "DELETE", url, h, NULL, 0), 0);
}

/* Jobs made by the running test, canceled by cleanup(). */
static struct {
	char	key[128];
	char	id[40];
} made[512];
static size_t nmade;

static void
track(const char *key, const char *id)
{
	if (id == NULL || *id == '\0' || nmade >= sizeof(made) / sizeof(made[0]))
		return;
	snprintf(made[nmade].key, sizeof(made[nmade].key), "%s", key);
	snprintf(made[nmade].id, sizeof(made[nmade].id), "%s", id);
	nmade++;
}

/* Cancel every tracked job (queued: now; running: by the dispatcher). */
static void
cleanup(void)
{
	struct it_resp r;
	char url[128];
	size_t i;

	for (i = 0; i < nmade; i++) {
		snprintf(url, sizeof(url), "/v1/jobs/%s", made[i].id);
		del(&r, url, made[i].key);
		it_free(&r);
	}
	nmade = 0;
}

static int
suite_clean(void)
{
	cleanup();
	return 0;
}

/* The studio status of a job. */
static void
status_of(const char *key, const char *id, char *buf, size_t cap)
{
	struct it_resp r;
	char url[128];

	snprintf(url, sizeof(url), "/v1/jobs/%s", id);
	buf[0] = '\0';
	if (it_get(&r, url, key) == 0 && it_str(&r, "status") != NULL)
		snprintf(buf, cap, "%s", it_str(&r, "status"));
	it_free(&r);
}

/* 1 for the states of a job nobody finished yet. */
static int
open_state(const char *s)
{
	return strcmp(s, "queued") == 0 || strcmp(s, "running") == 0;
}

/* Wait (≤ 60 s) until a job reaches a terminal studio status. */
static void
wait_terminal(const char *key, const char *id, char *buf, size_t cap)
{
	int i;

	for (i = 0; i < 600; i++) {
		status_of(key, id, buf, cap);
		if (*buf != '\0' && !open_state(buf))
			return;
		usleep(100000);
	}
}

/* Ledger facts of a workspace through GET /v1/wallet. */
struct ledger_view {
	int64_t		reserved;
	int64_t		balance;
	int		rows;		/* recent transactions (≤ 200) */
	int		holds;		/* hold rows of the job asked for */
	int64_t		hold_amount;	/* their reserved delta */
	int		settles;	/* capture/release rows of the job */
	int64_t		released;	/* -reserved delta of those */
};

static void
ledger(const char *key, const char *job, struct ledger_view *v)
{
	struct it_resp r;
	json_object *txs, *t, *x;
	size_t i, n;
	const char *type, *jid;

	memset(v, 0, sizeof(*v));
	CU_ASSERT_EQUAL_FATAL(it_get(&r, "/v1/wallet?limit=200", key), 0);
	CU_ASSERT_EQUAL_FATAL(r.status, 200);
	v->reserved = it_int(&r, "balance.reserved_micros", -1);
	v->balance = it_int(&r, "balance.balance_micros", -1);
	if (r.json && json_object_object_get_ex(r.json, "recent_transactions",
	    &txs)) {
		n = json_object_array_length(txs);
		v->rows = (int)n;
		for (i = 0; i < n; i++) {
			t = json_object_array_get_idx(txs, i);
			type = json_object_object_get_ex(t, "type", &x) ?
			    json_object_get_string(x) : "";
			jid = json_object_object_get_ex(t, "job_id", &x) && x ?
			    json_object_get_string(x) : "";
			if (job == NULL || strcmp(jid, job) != 0)
				continue;
			json_object_object_get_ex(t, "reserved_delta_micros", &x);
			if (strcmp(type, "hold") == 0) {
				v->holds++;
				v->hold_amount += json_object_get_int64(x);
			} else if (strcmp(type, "release") == 0 ||
			    strcmp(type, "capture") == 0) {
				v->settles++;
				v->released += -json_object_get_int64(x);
			}
		}
	}
	it_free(&r);
}

/* Assert a refusal left the wallet untouched (same reserved, same rows). */
static void
assert_untouched(const char *key, const struct ledger_view *before)
{
	struct ledger_view after;

	ledger(key, NULL, &after);
	CU_ASSERT_EQUAL(after.reserved, before->reserved);
	CU_ASSERT_EQUAL(after.rows, before->rows);
}

/* Learn the price of IMG_BODY once (a probe workspace). */
static int
suite_init(void)
{
	struct it_ws w;
	struct it_resp r;
	char wav[1024 + 44];
	size_t i, n = 0;
	static const char tbl[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	/* WAV: RIFF header + 1000 zero bytes of 8 kHz mono 16-bit PCM. */
	memset(wav, 0, sizeof(wav));
	memcpy(wav, "RIFF\x04\x04\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00"
	    "\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x10\x00" "data\xe8\x03\x00\x00",
	    44);
	for (i = 0; i + 3 <= 1044; i += 3) {
		unsigned v = ((unsigned char)wav[i] << 16) |
		    ((unsigned char)wav[i + 1] << 8) | (unsigned char)wav[i + 2];

		wav_b64[n++] = tbl[(v >> 18) & 63];
		wav_b64[n++] = tbl[(v >> 12) & 63];
		wav_b64[n++] = tbl[(v >> 6) & 63];
		wav_b64[n++] = tbl[v & 63];
	}
	wav_b64[n] = '\0';	/* 1044 = 3 * 348: no padding needed */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	mg_cfg_load(NULL);
	if (it_workspace(&w, NULL, NULL) != 0 ||
	    it_mgctl_status("wallet grant %s 1 --reason probe", w.ws) != 0)
		return -1;
	if (it_post(&r, "/v1/images/generate", w.key, IMG_BODY) != 0 ||
	    r.status != 202)
		return -1;
	img_price = it_int(&r, "estimated_cost_usd_micros", -1);
	track(w.key, it_str(&r, "job_id"));
	it_free(&r);
	return img_price > 0 ? 0 : -1;
}

/* ---- studio submits ----------------------------------------------------- */

/*
 * Submit body to path, expect 202, and check one hold row of exactly the
 * quoted amount (field price_path of the answer) and a queued job.
 */
static void
studio_ok(const char *path, const char *body, const char *id_path,
    const char *price_path, int slow)
{
	struct it_ws w;
	struct it_resp r;
	struct ledger_view v;
	char id[64], url[128];
	int64_t price;

	ws_new(&w, "5");
	post(&r, path, w.key, body, NULL);
	CU_ASSERT_EQUAL(r.status, 202);
	CU_ASSERT_PTR_NOT_NULL_FATAL(it_str(&r, id_path));
	snprintf(id, sizeof(id), "%s", it_str(&r, id_path));
	price = it_int(&r, price_path, -1);
	CU_ASSERT(price > 0);
	it_free(&r);
	track(w.key, id);
	ledger(w.key, id, &v);
	CU_ASSERT_EQUAL(v.holds, 1);
	CU_ASSERT_EQUAL(v.hold_amount, price);
	if (slow)
		CU_ASSERT_EQUAL(v.reserved, price);
	snprintf(url, sizeof(url), "/v1/jobs/%s", id);
	CU_ASSERT_EQUAL_FATAL(it_get(&r, url, w.key), 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "job_id") ? it_str(&r, "job_id") : "", id);
	if (slow)
		CU_ASSERT(open_state(it_str(&r, "status") ? it_str(&r, "status") : ""));
	CU_ASSERT_EQUAL(it_int(&r, "estimated_cost_usd_micros", -1), price);
	it_free(&r);
	cleanup();
}

static void
test_studio_image(void)
{
	studio_ok("/v1/images/generate", IMG_BODY, "job_id",
	    "estimated_cost_usd_micros", 1);
}

static void
test_studio_video(void)
{
	studio_ok("/v1/videos/generate", "{\"model\":\"fal-ai/kling-3.0\","
	    "\"prompt\":\"" SLOW "waves\",\"duration_s\":5}", "job_id",
	    "estimated_cost_usd_micros", 1);
}

static void
test_studio_audio(void)
{
	studio_ok("/v1/audio/generate", "{\"text\":\"" SLOW "Hello from the "
	    "test.\"}", "job_id", "estimated_cost_usd_micros", 1);
}

static void
test_studio_compose(void)
{
	studio_ok("/v1/compose", "{\"segments\":[{\"asset_id\":\"a1\","
	    "\"start_time\":0,\"duration\":30},{\"asset_id\":\"a2\","
	    "\"start_time\":2,\"duration\":45}]}", "id",
	    "estimated_cost_usd_micros", 0);
}

static void
test_studio_generate_legacy(void)
{
	struct it_ws w;
	struct it_resp r;
	char dep[32];

	studio_ok("/v1/generate", IMG_BODY, "generation_id", "cost.usd_micros", 1);
	ws_new(&w, "1");
	post(&r, "/v1/generate", w.key, IMG_BODY, NULL);
	CU_ASSERT_EQUAL(r.status, 202);
	CU_ASSERT_EQUAL(it_header(&r, "Deprecation", dep, sizeof(dep)), 0);
	CU_ASSERT_STRING_EQUAL(dep, "true");
	track(w.key, it_str(&r, "generation_id"));
	it_free(&r);
	cleanup();
}

static void
test_studio_image_price_is_hold(void)
{
	struct it_ws w;
	struct it_resp r;
	struct ledger_view v;
	char id[64];

	ws_new(&w, "1");
	post(&r, "/v1/images/generate", w.key, IMG_BODY, NULL);
	CU_ASSERT_EQUAL(r.status, 202);
	CU_ASSERT_EQUAL(it_int(&r, "estimated_cost_usd_micros", -1), img_price);
	snprintf(id, sizeof(id), "%s", it_str(&r, "job_id") ? it_str(&r, "job_id") : "");
	it_free(&r);
	track(w.key, id);
	ledger(w.key, id, &v);
	CU_ASSERT_EQUAL(v.hold_amount, img_price);
	CU_ASSERT_EQUAL(v.balance, 1000000);
	cleanup();
}

/* ---- prepaid submits ---------------------------------------------------- */

static void
prepaid_ok(const char *body)
{
	struct it_ws w;
	struct it_resp r;
	struct ledger_view v;
	char id[64], url[160];
	int64_t price;

	ws_new(&w, "5");
	post(&r, "/api/v1/media/jobs", w.key, body, NULL);
	CU_ASSERT_EQUAL(r.status, 201);
	if (r.status != 201)
		fprintf(stderr, "prepaid_ok: %s\n", r.body);
	CU_ASSERT_PTR_NOT_NULL_FATAL(it_str(&r, "externalJobId"));
	snprintf(id, sizeof(id), "%s", it_str(&r, "externalJobId"));
	price = it_int(&r, "usdChargedMicros", -1);
	CU_ASSERT(price > 0);
	CU_ASSERT_EQUAL(it_int(&r, "billing.usdChargedMicros", -1), price);
	CU_ASSERT_EQUAL(it_int(&r, "usdBalanceMicros", -1), 5000000 - price);
	it_free(&r);
	track(w.key, id);
	ledger(w.key, id, &v);
	CU_ASSERT_EQUAL(v.holds, 1);
	CU_ASSERT_EQUAL(v.hold_amount, price);
	snprintf(url, sizeof(url), "/api/v1/media/jobs?jobId=%s&includeDetails=true",
	    id);
	CU_ASSERT_EQUAL_FATAL(it_get(&r, url, w.key), 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "externalJobId") ?
	    it_str(&r, "externalJobId") : "", id);
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "status"));
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "createdAt"));
	/* Held, or settled by the dispatcher meanwhile: never above the hold. */
	CU_ASSERT(it_int(&r, "billing.usdChargedMicros", -1) >= 0 &&
	    it_int(&r, "billing.usdChargedMicros", -1) <= price);
	it_free(&r);
	cleanup();
}

static void
test_prepaid_image_generate(void)
{
	char body[1024];

	snprintf(body, sizeof(body), "{\"task\":\"image.generate\",\"input\":"
	    "{\"prompt\":\"" SLOW "a lighthouse\",\"aspectRatio\":\"16:9\","
	    "\"referenceImages\":[{\"dataBase64\":\"%s\",\"mimeType\":"
	    "\"image/png\"},\"https://example.com/ref.png\"]}}", png_b64);
	prepaid_ok(body);
}

static void
test_prepaid_image_edit(void)
{
	char body[1024];

	snprintf(body, sizeof(body), "{\"task\":\"image.edit\",\"input\":"
	    "{\"prompt\":\"" SLOW "make it blue\",\"sourceImage\":{\"dataBase64\":"
	    "\"data:image/png;base64,%s\"}}}", png_b64);
	prepaid_ok(body);
}

static void
test_prepaid_video_generate(void)
{
	prepaid_ok("{\"task\":\"video.generate\",\"input\":{\"prompt\":\"" SLOW "a river\","
	    "\"durationSeconds\":5}}");
}

static void
test_prepaid_video_combine(void)
{
	prepaid_ok("{\"task\":\"video.combine\",\"input\":{\"videoUrls\":"
	    "[\"https://example.com/1.mp4\",\"https://example.com/2.mp4\"]}}");
}

static void
test_prepaid_video_resize(void)
{
	prepaid_ok("{\"task\":\"video.resize\",\"input\":{\"sourceVideoUrl\":"
	    "\"https://example.com/1.mp4\",\"width\":640,\"height\":360}}");
}

static void
test_prepaid_audio_speak(void)
{
	char body[8192];

	snprintf(body, sizeof(body), "{\"task\":\"audio.speak\",\"input\":"
	    "{\"text\":\"" SLOW "Hello there\",\"referenceAudio\":{\"dataBase64\":\"%s\","
	    "\"mimeType\":\"audio/x-wav\"}}}", wav_b64);
	prepaid_ok(body);
}

static void
test_prepaid_audio_annotation(void)
{
	char body[8192];

	snprintf(body, sizeof(body), "{\"task\":\"audio.annotation.reference\","
	    "\"input\":{\"sourceAudio\":{\"dataBase64\":\"%s\"}}}", wav_b64);
	prepaid_ok(body);
}

static void
test_prepaid_ace_step(void)
{
	prepaid_ok("{\"task\":\"ace.step.create\",\"input\":{\"tags\":\"lofi\","
	    "\"lyrics\":\"la la la\"}}");
}

static void
test_prepaid_moss_sfx(void)
{
	prepaid_ok("{\"task\":\"moss.sound.effect\",\"input\":{\"prompt\":"
	    "\"door slam\"}}");
}

static void
test_prepaid_trellis(void)
{
	char body[1024];

	snprintf(body, sizeof(body), "{\"task\":\"trellis.generate\",\"input\":"
	    "{\"sourceImage\":{\"dataBase64\":\"%s\",\"mimeType\":\"image/png\"}}}",
	    png_b64);
	prepaid_ok(body);
}

static void
test_prepaid_staged_and_adjusted(void)
{
	struct it_ws w;
	struct it_resp r;
	char body[8192];
	json_object *a;

	ws_new(&w, "1");
	snprintf(body, sizeof(body), "{\"task\":\"audio.speak\",\"input\":"
	    "{\"text\":\"" SLOW "hi\",\"referenceAudio\":{\"dataBase64\":\"%s\","
	    "\"mimeType\":\"audio/x-wav\"}}}", wav_b64);
	post(&r, "/api/v1/media/jobs", w.key, body, NULL);
	CU_ASSERT_EQUAL(r.status, 201);
	CU_ASSERT_EQUAL(it_int(&r, "stagedInputCount", -1), 1);
	/* audio/x-wav is normalised: one MediaInputAdjustment. */
	CU_ASSERT(r.json && json_object_object_get_ex(r.json, "inputAdjustments",
	    &a) && json_object_array_length(a) == 1);
	/* The inline bytes are not echoed back. */
	CU_ASSERT_PTR_NULL(strstr(r.body, wav_b64));
	CU_ASSERT_STRING_EQUAL(it_str(&r, "effectiveInput.referenceAudio.mimeType") ?
	    it_str(&r, "effectiveInput.referenceAudio.mimeType") : "", "audio/wav");
	track(w.key, it_str(&r, "externalJobId"));
	it_free(&r);
	cleanup();
}

/* ---- validation negatives (prepaid; each charges nothing) --------------- */

static void
prepaid_bad(const char *body, int status, const char *code)
{
	static struct it_ws w;
	static int have;
	struct ledger_view before;
	struct it_resp r;

	if (!have) {
		ws_new(&w, "1");
		have = 1;
	}
	ledger(w.key, NULL, &before);
	post(&r, "/api/v1/media/jobs", w.key, body, NULL);
	CU_ASSERT_EQUAL(r.status, status);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "error.code") ? it_str(&r, "error.code") :
	    "(none)", code);
	if (r.status != status)
		fprintf(stderr, "prepaid_bad: %ld %s\n", r.status, r.body);
	it_free(&r);
	assert_untouched(w.key, &before);
}

static void
test_bad_aspect_ratio(void)
{
	prepaid_bad("{\"task\":\"image.generate\",\"input\":{\"prompt\":\"a\","
	    "\"aspectRatio\":\"5:4\"}}", 400, "invalid_parameter");
}

static void
test_width_not_multiple_of_32(void)
{
	prepaid_bad("{\"task\":\"image.generate\",\"input\":{\"prompt\":\"a\","
	    "\"width\":1000,\"height\":1024}}", 400, "invalid_parameter");
}

static void
test_over_4_megapixels(void)
{
	prepaid_bad("{\"task\":\"image.generate\",\"input\":{\"prompt\":\"a\","
	    "\"width\":4096,\"height\":2048}}", 400, "invalid_parameter");
}

static void
test_too_many_reference_images(void)
{
	prepaid_bad("{\"task\":\"image.generate\",\"input\":{\"prompt\":\"a\","
	    "\"referenceImages\":[\"https://a.example/1\",\"https://a.example/2\","
	    "\"https://a.example/3\",\"https://a.example/4\",\"https://a.example/5\","
	    "\"https://a.example/6\"]}}", 400, "invalid_parameter");
}

static void
test_too_many_reference_images_combined(void)
{
	prepaid_bad("{\"task\":\"image.generate\",\"input\":{\"prompt\":\"a\","
	    "\"referenceImages\":[\"https://a.example/1\",\"https://a.example/2\","
	    "\"https://a.example/3\"],\"referenceImageUrls\":[\"https://a.example/4\","
	    "\"https://a.example/5\",\"https://a.example/6\"]}}", 400,
	    "invalid_parameter");
}

static void
test_bad_base64(void)
{
	prepaid_bad("{\"task\":\"image.edit\",\"input\":{\"prompt\":\"a\","
	    "\"sourceImage\":{\"dataBase64\":\"!!not*base64!!\"}}}", 400,
	    "invalid_base64");
}

static void
test_mime_mismatch(void)
{
	char body[1024];

	snprintf(body, sizeof(body), "{\"task\":\"image.edit\",\"input\":"
	    "{\"prompt\":\"a\",\"sourceImage\":{\"dataBase64\":\"%s\","
	    "\"mimeType\":\"image/webp\"}}}", png_b64);
	prepaid_bad(body, 400, "mime_mismatch");
}

static void
test_audio_not_audio(void)
{
	char body[1024];

	snprintf(body, sizeof(body), "{\"task\":\"audio.annotation.reference\","
	    "\"input\":{\"sourceAudio\":{\"dataBase64\":\"%s\"}}}", png_b64);
	prepaid_bad(body, 400, "unsupported_mime_type");
}

static void
test_disallowed_mime_type(void)
{
	char body[1024];

	snprintf(body, sizeof(body), "{\"task\":\"image.edit\",\"input\":"
	    "{\"prompt\":\"a\",\"sourceImage\":{\"dataBase64\":\"%s\","
	    "\"mimeType\":\"image/gif\"}}}", png_b64);
	prepaid_bad(body, 400, "unsupported_mime_type");
}

static void
test_source_url_and_data(void)
{
	char body[1024];

	snprintf(body, sizeof(body), "{\"task\":\"image.edit\",\"input\":"
	    "{\"prompt\":\"a\",\"sourceImage\":{\"url\":\"https://a.example/x.png\","
	    "\"dataBase64\":\"%s\"}}}", png_b64);
	prepaid_bad(body, 400, "invalid_parameter");
}

static void
test_source_url_not_http(void)
{
	prepaid_bad("{\"task\":\"video.resize\",\"input\":{\"sourceVideoUrl\":"
	    "\"file:///etc/passwd\",\"width\":640,\"height\":360}}", 400,
	    "invalid_parameter");
}

static void
test_prompt_too_long(void)
{
	char body[5000];

	snprintf(body, sizeof(body), "{\"task\":\"image.generate\",\"input\":"
	    "{\"prompt\":\"%04000d%s\"}}", 0, "x");
	prepaid_bad(body, 400, "invalid_parameter");
}

static void
test_unknown_task(void)
{
	prepaid_bad("{\"task\":\"image.dream\",\"input\":{\"prompt\":\"a\"}}", 400,
	    "unknown_task");
}

static void
test_missing_prompt(void)
{
	prepaid_bad("{\"task\":\"image.generate\",\"input\":{}}", 400,
	    "invalid_parameter");
}

static void
test_missing_input(void)
{
	prepaid_bad("{\"task\":\"image.generate\"}", 400, "invalid_parameter");
}

static void
test_unknown_top_level_field(void)
{
	prepaid_bad("{\"task\":\"image.generate\",\"input\":{\"prompt\":\"a\"},"
	    "\"priority\":\"high\"}", 400, "invalid_parameter");
}

static void
test_bad_callback_url(void)
{
	prepaid_bad("{\"task\":\"image.generate\",\"input\":{\"prompt\":\"a\"},"
	    "\"completionCallbackUrl\":\"not a url\"}", 400, "invalid_parameter");
}

static void
test_studio_prompt_too_long(void)
{
	struct it_ws w;
	struct it_resp r;
	struct ledger_view before;
	char body[2200];

	ws_new(&w, "1");
	ledger(w.key, NULL, &before);
	snprintf(body, sizeof(body), "{\"model\":\"fal-ai/flux/schnell\","
	    "\"prompt\":\"%02001d\"}", 0);
	post(&r, "/v1/images/generate", w.key, body, NULL);
	CU_ASSERT_EQUAL(r.status, 400);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "error.code") ? it_str(&r, "error.code") :
	    "", "invalid_parameter");
	it_free(&r);
	assert_untouched(w.key, &before);
}

static void
test_studio_unknown_model(void)
{
	struct it_ws w;
	struct it_resp r;
	struct ledger_view before;

	ws_new(&w, "1");
	ledger(w.key, NULL, &before);
	post(&r, "/v1/images/generate", w.key,
	    "{\"model\":\"no/such-model\",\"prompt\":\"a\"}", NULL);
	CU_ASSERT_EQUAL(r.status, 400);
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "error.code"));
	it_free(&r);
	assert_untouched(w.key, &before);
}

static void
test_studio_video_model_on_image_route(void)
{
	struct it_ws w;
	struct it_resp r;

	ws_new(&w, "1");
	post(&r, "/v1/images/generate", w.key,
	    "{\"model\":\"fal-ai/kling-3.0\",\"prompt\":\"a\"}", NULL);
	CU_ASSERT_EQUAL(r.status, 400);
	it_free(&r);
}

/* ---- guards ------------------------------------------------------------- */

static void
test_prompt_blocked_charges_nothing(void)
{
	struct it_ws w;
	struct it_resp r;
	struct ledger_view before;

	ws_new(&w, "1");
	ledger(w.key, NULL, &before);
	post(&r, "/v1/images/generate", w.key, "{\"model\":\"fal-ai/flux/schnell\","
	    "\"prompt\":\"tell me about the FORBIDDEN TOPIC please\"}", NULL);
	CU_ASSERT_EQUAL(r.status, 422);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "error.code") ? it_str(&r, "error.code") :
	    "", "prompt_blocked");
	it_free(&r);
	post(&r, "/api/v1/media/jobs", w.key, "{\"task\":\"audio.speak\","
	    "\"input\":{\"text\":\"blocked-entirely\"}}", NULL);
	CU_ASSERT_EQUAL(r.status, 422);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "error.code") ? it_str(&r, "error.code") :
	    "", "prompt_blocked");
	it_free(&r);
	assert_untouched(w.key, &before);
	/* A near miss passes. */
	post(&r, "/v1/images/generate", w.key, "{\"model\":\"fal-ai/flux/schnell\","
	    "\"prompt\":\"" SLOW "a forbiddenness of topics\"}", NULL);
	CU_ASSERT_EQUAL(r.status, 202);
	track(w.key, it_str(&r, "job_id"));
	it_free(&r);
	cleanup();
}

static void
test_spend_cap_402(void)
{
	struct it_ws w;
	struct it_resp r;
	json_object *o;
	char capkey[256] = "";
	const char *k;
	int accepted = 0, i, last = 0;
	int64_t cap = 10000;	/* $0.01 */

	ws_new(&w, "1");
	o = it_mgctl("key create %s --daily-cap 0.01 --label capped", w.ws);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	k = json_object_get_string(json_object_object_get(o, "key"));
	snprintf(capkey, sizeof(capkey), "%s", k ? k : "");
	json_object_put(o);
	for (i = 0; i < 20; i++) {
		post(&r, "/v1/images/generate", capkey, IMG_BODY, NULL);
		last = (int)r.status;
		track(capkey, it_str(&r, "job_id"));
		if (r.status == 202)
			accepted++;
		else {
			CU_ASSERT_STRING_EQUAL(it_str(&r, "error.code") ?
			    it_str(&r, "error.code") : "", "spend_cap_exceeded");
			it_free(&r);
			break;
		}
		it_free(&r);
	}
	CU_ASSERT_EQUAL(last, 402);
	CU_ASSERT_EQUAL(accepted, (int)(cap / img_price));
	/* The cap is per key: the workspace's other key still submits. */
	post(&r, "/v1/images/generate", w.key, IMG_BODY, NULL);
	CU_ASSERT_EQUAL(r.status, 202);
	track(w.key, it_str(&r, "job_id"));
	it_free(&r);
	cleanup();
}

static int64_t
conc_cap(void)
{
	const char *v = getenv("MG_MAX_CONCURRENT_JOBS_PER_WORKSPACE");
	long long n = v ? strtoll(v, NULL, 10) : 8;

	return n > 0 && n < 1000 ? n : 8;
}

static void
test_concurrency_cap_429(void)
{
	struct it_ws w;
	struct it_resp r;
	char ra[32], first[64] = "", url[128], st[32];
	int64_t i, cap = conc_cap();

	ws_new(&w, "5");
	for (i = 0; i < cap; i++) {
		post(&r, "/v1/images/generate", w.key, IMG_BODY, NULL);
		CU_ASSERT_EQUAL(r.status, 202);
		if (i == 0 && it_str(&r, "job_id"))
			snprintf(first, sizeof(first), "%s", it_str(&r, "job_id"));
		track(w.key, it_str(&r, "job_id"));
		it_free(&r);
	}
	post(&r, "/v1/images/generate", w.key, IMG_BODY, NULL);
	CU_ASSERT_EQUAL(r.status, 429);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "error.code") ? it_str(&r, "error.code") :
	    "", "concurrency_limit");
	CU_ASSERT_EQUAL(it_header(&r, "Retry-After", ra, sizeof(ra)), 0);
	CU_ASSERT(atoi(ra) >= 1);
	it_free(&r);
	/* A finished (canceled) job frees a slot. */
	snprintf(url, sizeof(url), "/v1/jobs/%s", first);
	del(&r, url, w.key);
	CU_ASSERT_EQUAL(r.status, 200);
	it_free(&r);
	wait_terminal(w.key, first, st, sizeof(st));
	CU_ASSERT(!open_state(st));
	post(&r, "/v1/images/generate", w.key, IMG_BODY, NULL);
	CU_ASSERT_EQUAL(r.status, 202);
	track(w.key, it_str(&r, "job_id"));
	it_free(&r);
	cleanup();
}

/* ---- money: 402 shapes, 200 concurrent submits -------------------------- */

static void
test_402_shape_studio(void)
{
	struct it_ws w;
	struct it_resp r;
	struct ledger_view v;

	ws_new(&w, NULL);
	post(&r, "/v1/images/generate", w.key, IMG_BODY, NULL);
	CU_ASSERT_EQUAL(r.status, 402);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "error.code") ? it_str(&r, "error.code") :
	    "", "insufficient_funds");
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "error.message"));
	it_free(&r);
	ledger(w.key, NULL, &v);
	CU_ASSERT_EQUAL(v.rows, 0);
	CU_ASSERT_EQUAL(v.reserved, 0);
}

static void
test_402_shape_prepaid(void)
{
	struct it_ws w;
	struct it_resp r;
	struct ledger_view v;

	ws_new(&w, NULL);
	post(&r, "/api/v1/media/jobs", w.key, "{\"task\":\"image.generate\","
	    "\"input\":{\"prompt\":\"a\"}}", NULL);
	CU_ASSERT_EQUAL(r.status, 402);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "error.code") ? it_str(&r, "error.code") :
	    "", "insufficient_funds");
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "error.message"));
	it_free(&r);
	ledger(w.key, NULL, &v);
	CU_ASSERT_EQUAL(v.rows, 0);
}

struct sink {
	char	buf[512];
	size_t	len;
};

static size_t
sink_write(char *p, size_t sz, size_t n, void *u)
{
	struct sink *s = u;
	size_t k = sz * n, room = sizeof(s->buf) - 1 - s->len;

	memcpy(s->buf + s->len, p, k < room ? k : room);
	s->len += k < room ? k : room;
	s->buf[s->len] = '\0';
	return k;
}

#define NCONC	200

static void
test_200_concurrent_submits_20_accepted(void)
{
	struct it_ws w;
	struct ledger_view v;
	static struct sink sinks[NCONC];
	CURL *e[NCONC];
	CURLM *m;
	CURLMsg *msg;
	struct curl_slist *h = NULL;
	char usd[32], url[512], auth[300];
	int running, left, i, ok = 0, funds = 0, other = 0;
	long code;

	ws_new(&w, NULL);
	usd_of(20 * img_price, usd, sizeof(usd));
	CU_ASSERT_EQUAL_FATAL(it_mgctl_status("wallet grant %s %s --reason "
	    "exactly-20", w.ws, usd), 0);
	snprintf(url, sizeof(url), "%s/v1/images/generate", it_base());
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", w.key);
	h = curl_slist_append(h, auth);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");
	m = curl_multi_init();
	curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)NCONC);
	for (i = 0; i < NCONC; i++) {
		sinks[i].len = 0;
		e[i] = curl_easy_init();
		curl_easy_setopt(e[i], CURLOPT_URL, url);
		curl_easy_setopt(e[i], CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(e[i], CURLOPT_POSTFIELDS, IMG_BODY);
		curl_easy_setopt(e[i], CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(e[i], CURLOPT_TIMEOUT, 120L);
		curl_easy_setopt(e[i], CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(e[i], CURLOPT_WRITEFUNCTION, sink_write);
		curl_easy_setopt(e[i], CURLOPT_WRITEDATA, &sinks[i]);
		curl_multi_add_handle(m, e[i]);
	}
	do {
		curl_multi_perform(m, &running);
		if (running)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	} while (running);
	while ((msg = curl_multi_info_read(m, &left)) != NULL)
		CU_ASSERT_EQUAL(msg->data.result, CURLE_OK);
	for (i = 0; i < NCONC; i++) {
		code = 0;
		curl_easy_getinfo(e[i], CURLINFO_RESPONSE_CODE, &code);
		if (code == 202) {
			json_object *o = json_tokener_parse(sinks[i].buf), *x;

			ok++;
			if (o != NULL && json_object_object_get_ex(o, "job_id", &x))
				track(w.key, json_object_get_string(x));
			json_object_put(o);
		}
		else if (code == 402 && strstr(sinks[i].buf,
		    "\"insufficient_funds\"") != NULL)
			funds++;
		else {
			other++;
			if (other < 3)
				fprintf(stderr, "concurrent: %ld %s\n", code,
				    sinks[i].buf);
		}
		curl_multi_remove_handle(m, e[i]);
		curl_easy_cleanup(e[i]);
	}
	curl_multi_cleanup(m);
	curl_slist_free_all(h);
	CU_ASSERT_EQUAL(ok, 20);
	CU_ASSERT_EQUAL(funds, NCONC - 20);
	CU_ASSERT_EQUAL(other, 0);
	ledger(w.key, NULL, &v);
	CU_ASSERT_EQUAL(v.reserved, 20 * img_price);
	CU_ASSERT(v.rows >= 21);	/* the grant + 20 holds (+ settles) */
	CU_ASSERT_EQUAL(it_mgctl_status("ledger verify"), 0);
	cleanup();
	CU_ASSERT_EQUAL(it_mgctl_status("ledger verify"), 0);
}

/* ---- idempotency ---------------------------------------------------------- */

static void
test_idempotency_studio(void)
{
	struct it_ws w;
	struct it_resp r;
	struct ledger_view v;
	char id1[64] = "", id2[64] = "", rep[16] = "";

	ws_new(&w, "1");
	post(&r, "/v1/images/generate", w.key, IMG_BODY, "it-jobs-idem-1");
	CU_ASSERT_EQUAL(r.status, 202);
	snprintf(id1, sizeof(id1), "%s", it_str(&r, "job_id") ? it_str(&r, "job_id") : "x");
	it_free(&r);
	post(&r, "/v1/images/generate", w.key, IMG_BODY, "it-jobs-idem-1");
	CU_ASSERT_EQUAL(r.status, 202);
	snprintf(id2, sizeof(id2), "%s", it_str(&r, "job_id") ? it_str(&r, "job_id") : "y");
	CU_ASSERT_EQUAL(it_header(&r, "Idempotent-Replayed", rep, sizeof(rep)), 0);
	it_free(&r);
	CU_ASSERT_STRING_EQUAL(id1, id2);
	track(w.key, id1);
	post(&r, "/v1/images/generate", w.key, "{\"model\":\"fal-ai/flux/schnell\","
	    "\"prompt\":\"another\"}", "it-jobs-idem-1");
	CU_ASSERT_EQUAL(r.status, 422);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "error.code") ? it_str(&r, "error.code") :
	    "", "idempotency_error");
	it_free(&r);
	ledger(w.key, id1, &v);
	CU_ASSERT_EQUAL(v.holds, 1);
	CU_ASSERT_EQUAL(v.reserved, img_price);
	cleanup();
}

static void
test_idempotency_prepaid(void)
{
	struct it_ws w;
	struct it_resp r;
	struct ledger_view v;
	const char *b = "{\"task\":\"image.generate\",\"input\":{\"prompt\":"
	    "\"" SLOW "rain\"},\"idempotencyKey\":\"it-jobs-kt-1\"}";
	char id1[64] = "", id2[64] = "";
	int64_t price;

	ws_new(&w, "1");
	post(&r, "/api/v1/media/jobs", w.key, b, NULL);
	CU_ASSERT_EQUAL(r.status, 201);
	snprintf(id1, sizeof(id1), "%s", it_str(&r, "externalJobId") ?
	    it_str(&r, "externalJobId") : "x");
	price = it_int(&r, "usdChargedMicros", -1);
	it_free(&r);
	post(&r, "/api/v1/media/jobs", w.key, b, NULL);
	CU_ASSERT_EQUAL(r.status, 201);
	snprintf(id2, sizeof(id2), "%s", it_str(&r, "externalJobId") ?
	    it_str(&r, "externalJobId") : "y");
	it_free(&r);
	CU_ASSERT_STRING_EQUAL(id1, id2);
	track(w.key, id1);
	post(&r, "/api/v1/media/jobs", w.key, "{\"task\":\"image.generate\","
	    "\"input\":{\"prompt\":\"snow\"},\"idempotencyKey\":\"it-jobs-kt-1\"}",
	    NULL);
	CU_ASSERT_EQUAL(r.status, 422);
	it_free(&r);
	ledger(w.key, id1, &v);
	CU_ASSERT_EQUAL(v.holds, 1);
	CU_ASSERT_EQUAL(v.reserved, price);
	cleanup();
}

/* ---- cancel, tenancy ------------------------------------------------------ */

static void
test_cancel_queued_releases_hold(void)
{
	struct it_ws w;
	struct it_resp r;
	struct ledger_view v;
	char id[64] = "", url[128], st[32];

	ws_new(&w, "1");
	post(&r, "/v1/images/generate", w.key, IMG_BODY, NULL);
	CU_ASSERT_EQUAL(r.status, 202);
	snprintf(id, sizeof(id), "%s", it_str(&r, "job_id") ? it_str(&r, "job_id") : "");
	it_free(&r);
	ledger(w.key, id, &v);
	CU_ASSERT_EQUAL(v.reserved, img_price);
	snprintf(url, sizeof(url), "/v1/jobs/%s", id);
	del(&r, url, w.key);
	CU_ASSERT_EQUAL(r.status, 200);
	/* queued: canceled now; running: cancel requested, the dispatcher ends it. */
	snprintf(st, sizeof(st), "%s", it_str(&r, "status") ? it_str(&r, "status") : "");
	CU_ASSERT(strcmp(st, "cancelled") == 0 || strcmp(st, "running") == 0);
	it_free(&r);
	wait_terminal(w.key, id, st, sizeof(st));
	CU_ASSERT_STRING_EQUAL(st, "cancelled");
	CU_ASSERT_EQUAL_FATAL(it_get(&r, url, w.key), 0);
	CU_ASSERT_EQUAL(it_int(&r, "charged_cost_usd_micros", -1), 0);
	it_free(&r);
	ledger(w.key, id, &v);
	CU_ASSERT_EQUAL(v.reserved, 0);
	CU_ASSERT_EQUAL(v.balance, 1000000);
	CU_ASSERT_EQUAL(v.holds, 1);
	CU_ASSERT_EQUAL(v.settles, 1);
	CU_ASSERT_EQUAL(v.released, img_price);
	del(&r, url, w.key);
	CU_ASSERT_EQUAL(r.status, 409);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "error.code") ? it_str(&r, "error.code") :
	    "", "conflict");
	it_free(&r);
	ledger(w.key, id, &v);
	CU_ASSERT_EQUAL(v.settles, 1);
	CU_ASSERT_EQUAL(it_mgctl_status("ledger verify"), 0);
}

static void
test_other_workspace_404(void)
{
	struct it_ws a, b;
	struct it_resp r;
	struct ledger_view v;
	char id[64] = "", url[160];

	ws_new(&a, "1");
	ws_new(&b, "1");
	post(&r, "/v1/images/generate", a.key, IMG_BODY, NULL);
	CU_ASSERT_EQUAL(r.status, 202);
	snprintf(id, sizeof(id), "%s", it_str(&r, "job_id") ? it_str(&r, "job_id") : "");
	it_free(&r);
	snprintf(url, sizeof(url), "/v1/jobs/%s", id);
	CU_ASSERT_EQUAL_FATAL(it_get(&r, url, b.key), 0);
	CU_ASSERT_EQUAL(r.status, 404);
	it_free(&r);
	del(&r, url, b.key);
	CU_ASSERT_EQUAL(r.status, 404);
	it_free(&r);
	snprintf(url, sizeof(url), "/v1/generations/%s", id);
	CU_ASSERT_EQUAL_FATAL(it_get(&r, url, b.key), 0);
	CU_ASSERT_EQUAL(r.status, 404);
	it_free(&r);
	snprintf(url, sizeof(url), "/api/v1/media/jobs?jobId=%s", id);
	CU_ASSERT_EQUAL_FATAL(it_get(&r, url, b.key), 0);
	CU_ASSERT_EQUAL(r.status, 404);
	it_free(&r);
	/* Still A's, still queued, hold intact. */
	snprintf(url, sizeof(url), "/v1/jobs/%s", id);
	CU_ASSERT_EQUAL_FATAL(it_get(&r, url, a.key), 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT(open_state(it_str(&r, "status") ? it_str(&r, "status") : ""));
	it_free(&r);
	ledger(a.key, id, &v);
	CU_ASSERT_EQUAL(v.reserved, img_price);
	track(a.key, id);
	cleanup();
}

static void
test_unknown_job_404(void)
{
	struct it_ws w;
	struct it_resp r;

	ws_new(&w, NULL);
	CU_ASSERT_EQUAL_FATAL(it_get(&r, "/v1/jobs/00000000-0000-4000-8000-"
	    "000000000000", w.key), 0);
	CU_ASSERT_EQUAL(r.status, 404);
	it_free(&r);
	CU_ASSERT_EQUAL_FATAL(it_get(&r, "/v1/jobs/not-a-uuid", w.key), 0);
	CU_ASSERT_EQUAL(r.status, 404);
	it_free(&r);
	CU_ASSERT_EQUAL_FATAL(it_get(&r, "/api/v1/media/jobs", w.key), 0);
	CU_ASSERT_EQUAL(r.status, 400);
	it_free(&r);
	CU_ASSERT_EQUAL_FATAL(it_get(&r, "/api/v1/media/jobs?jobId=x&"
	    "includeDetails=maybe", w.key), 0);
	CU_ASSERT_EQUAL(r.status, 400);
	it_free(&r);
}

static void
test_read_only_key_cannot_submit(void)
{
	struct it_ws w;
	struct it_resp r;

	CU_ASSERT_EQUAL_FATAL(it_workspace(&w, "read", NULL), 0);
	post(&r, "/v1/images/generate", w.key, IMG_BODY, NULL);
	CU_ASSERT_EQUAL(r.status, 403);
	it_free(&r);
}

/* gen_link signs what nginx's secure_link accepts: 200, tampered 403, expired 410. */
static void
test_signed_link_through_nginx(void)
{
	const char *dir = getenv("MG_OUTPUTS_DIR");
	char p[1024], link[700], url[1024];
	struct it_resp r;
	FILE *f;
	int64_t now = (int64_t)time(NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	snprintf(p, sizeof(p), "%s/it-link", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/it-link/hello.txt", dir);
	f = fopen(p, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("hello link\n", f);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(gen_link_sign("it-link/hello.txt",
	    gen_link_expires(now, GEN_LINK_MIN_TTL), link, sizeof(link)),
	    GEN_LINK_OK);
	snprintf(url, sizeof(url), "%s%s", it_base(), link);
	CU_ASSERT_EQUAL_FATAL(it_req(&r, "GET", url, NULL, NULL, 0), 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(r.body, "hello link\n");
	it_free(&r);
	/* Another path under the same signature: refused. */
	snprintf(url, sizeof(url), "%s%s", it_base(), link);
	memcpy(strstr(url, "hello"), "jello", 5);
	CU_ASSERT_EQUAL_FATAL(it_req(&r, "GET", url, NULL, NULL, 0), 0);
	CU_ASSERT_EQUAL(r.status, 403);
	it_free(&r);
	CU_ASSERT_EQUAL_FATAL(gen_link_sign("it-link/hello.txt", now - 10, link,
	    sizeof(link)), GEN_LINK_OK);
	snprintf(url, sizeof(url), "%s%s", it_base(), link);
	CU_ASSERT_EQUAL_FATAL(it_req(&r, "GET", url, NULL, NULL, 0), 0);
	CU_ASSERT_EQUAL(r.status, 410);
	it_free(&r);
	unlink(p);
}

/*
 * The circuit breaker the dispatcher maintains (provider_health, 007):
 * open for the local provider → submits answer 503 circuit_open with
 * Retry-After and hold nothing; closed again → 202. Written here as the
 * admin role for a few hundred milliseconds (programs run one at a time).
 */
static void
test_circuit_open_503(void)
{
	struct db_conn *db;
	struct it_ws w;
	struct it_resp r;
	struct ledger_view before;
	char ra[32], pwf[1024] = "";
	const char *e = getenv("MG_DB_PASSWORD_ADMIN_FILE");

	ws_new(&w, "1");
	/* mg_config unsets MG_*_FILE once read: keep it for mgctl children. */
	if (e != NULL)
		snprintf(pwf, sizeof(pwf), "%s", e);
	db = db_open(DB_ROLE_ADMIN);
	if (*pwf)
		setenv("MG_DB_PASSWORD_ADMIN_FILE", pwf, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(db);
	ledger(w.key, NULL, &before);
	CU_ASSERT_EQUAL_FATAL(db_raw(db, "INSERT INTO provider_health (provider,"
	    " open_until) VALUES ('local', NOW(6) + INTERVAL 10 SECOND)"
	    " ON DUPLICATE KEY UPDATE open_until = NOW(6) + INTERVAL 10 SECOND"),
	    DB_OK);
	post(&r, "/v1/images/generate", w.key, IMG_BODY, NULL);
	CU_ASSERT_EQUAL(r.status, 503);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "error.code") ? it_str(&r, "error.code") :
	    "", "circuit_open");
	CU_ASSERT_EQUAL(it_header(&r, "Retry-After", ra, sizeof(ra)), 0);
	CU_ASSERT(atoi(ra) >= 1 && atoi(ra) <= 10);
	it_free(&r);
	post(&r, "/api/v1/media/jobs", w.key, "{\"task\":\"image.generate\","
	    "\"input\":{\"prompt\":\"a\"}}", NULL);
	CU_ASSERT_EQUAL(r.status, 503);
	it_free(&r);
	CU_ASSERT_EQUAL(db_raw(db, "UPDATE provider_health SET open_until = NULL"
	    " WHERE provider = 'local'"), DB_OK);
	assert_untouched(w.key, &before);
	post(&r, "/v1/images/generate", w.key, IMG_BODY, NULL);
	CU_ASSERT_EQUAL(r.status, 202);
	track(w.key, it_str(&r, "job_id"));
	it_free(&r);
	cleanup();
	db_close(db);
}

static const struct mgt_case studio_cases[] = {
	{ "studio_image_202_hold_equals_quote", test_studio_image },
	{ "studio_video_202_hold_equals_quote", test_studio_video },
	{ "studio_audio_202_hold_equals_quote", test_studio_audio },
	{ "studio_compose_202_ack_hold_equals_quote", test_studio_compose },
	{ "studio_generate_legacy_202_deprecation_header", test_studio_generate_legacy },
	{ "studio_image_price_is_the_hold", test_studio_image_price_is_hold },
	{ NULL, NULL },
};

static const struct mgt_case prepaid_cases[] = {
	{ "prepaid_image_generate_201", test_prepaid_image_generate },
	{ "prepaid_image_edit_201", test_prepaid_image_edit },
	{ "prepaid_video_generate_201", test_prepaid_video_generate },
	{ "prepaid_video_combine_201", test_prepaid_video_combine },
	{ "prepaid_video_resize_201", test_prepaid_video_resize },
	{ "prepaid_audio_speak_201", test_prepaid_audio_speak },
	{ "prepaid_audio_annotation_reference_201", test_prepaid_audio_annotation },
	{ "prepaid_ace_step_create_201", test_prepaid_ace_step },
	{ "prepaid_moss_sound_effect_201", test_prepaid_moss_sfx },
	{ "prepaid_trellis_generate_201", test_prepaid_trellis },
	{ "prepaid_inline_source_staged_and_adjusted", test_prepaid_staged_and_adjusted },
	{ NULL, NULL },
};

static const struct mgt_case validation_cases[] = {
	{ "bad_aspect_ratio_400", test_bad_aspect_ratio },
	{ "width_not_multiple_of_32_400", test_width_not_multiple_of_32 },
	{ "over_4_megapixels_400", test_over_4_megapixels },
	{ "too_many_reference_images_400", test_too_many_reference_images },
	{ "too_many_reference_images_combined_400", test_too_many_reference_images_combined },
	{ "bad_base64_400", test_bad_base64 },
	{ "mime_mismatch_400", test_mime_mismatch },
	{ "audio_field_with_image_bytes_400", test_audio_not_audio },
	{ "disallowed_mime_type_400", test_disallowed_mime_type },
	{ "source_with_url_and_data_400", test_source_url_and_data },
	{ "source_url_not_http_400", test_source_url_not_http },
	{ "prompt_too_long_400", test_prompt_too_long },
	{ "unknown_task_400", test_unknown_task },
	{ "missing_prompt_400", test_missing_prompt },
	{ "missing_input_400", test_missing_input },
	{ "unknown_top_level_field_400", test_unknown_top_level_field },
	{ "bad_callback_url_400", test_bad_callback_url },
	{ "studio_prompt_too_long_400", test_studio_prompt_too_long },
	{ "studio_unknown_model_400", test_studio_unknown_model },
	{ "studio_video_model_on_image_route_400", test_studio_video_model_on_image_route },
	{ NULL, NULL },
};

static const struct mgt_case guard_cases[] = {
	{ "prompt_blocked_422_charges_nothing", test_prompt_blocked_charges_nothing },
	{ "spend_cap_402_per_key", test_spend_cap_402 },
	{ "concurrency_cap_429_retry_after", test_concurrency_cap_429 },
	{ "read_only_key_cannot_submit_403", test_read_only_key_cannot_submit },
	{ "circuit_open_503_retry_after_nothing_held", test_circuit_open_503 },
	{ NULL, NULL },
};

static const struct mgt_case money_cases[] = {
	{ "insufficient_funds_402_studio_shape", test_402_shape_studio },
	{ "insufficient_funds_402_prepaid_shape", test_402_shape_prepaid },
	{ "concurrent_200_submits_exactly_20_accepted", test_200_concurrent_submits_20_accepted },
	{ "idempotency_key_studio_same_job_other_body_422", test_idempotency_studio },
	{ "idempotency_key_prepaid_same_job_other_body_422", test_idempotency_prepaid },
	{ "cancel_queued_releases_hold_second_cancel_409", test_cancel_queued_releases_hold },
	{ "other_workspace_job_404_get_delete_status", test_other_workspace_404 },
	{ "unknown_job_404_bad_query_400", test_unknown_job_404 },
	{ "signed_output_link_accepted_by_nginx", test_signed_link_through_nginx },
	{ NULL, NULL },
};

int
main(void)
{
	mgt_suite("jobs_studio", suite_init, suite_clean, studio_cases);
	mgt_suite("jobs_prepaid", NULL, suite_clean, prepaid_cases);
	mgt_suite("jobs_validation", NULL, suite_clean, validation_cases);
	mgt_suite("jobs_guards", NULL, suite_clean, guard_cases);
	mgt_suite("jobs_money", NULL, suite_clean, money_cases);
	return mgt_run();
}
