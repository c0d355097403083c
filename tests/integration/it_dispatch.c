/*
 * it_dispatch: the dispatcher end to end through nginx (tests/it.sh stack,
 * local provider + the fal/replicate/elevenlabs fakes).
 *
 * Needs from tests/it.sh: MG_DISPATCH_TEST_MARKERS=1 (a prompt holding
 * [[provider:NAME]] runs on NAME's fake), MG_ALLOW_PRIVATE_CALLBACKS=1,
 * a short MG_JOB_LEASE_S and MG_CALLBACK_RETRY_BASE_S, MG_PROV_TIMEOUT_S.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "gen_link.h"
#include "it.h"
#include "it_job.h"
#include "mg_config.h"
#include "mg_crypto.h"
#include "mgtest.h"

static struct it_ws	W;		/* studio workspace */
static struct it_ws	P;		/* prepaid workspace */
static char		V_ID[37];	/* the studio video job (compose source) */
static char		V_URL[1024];	/* its signed output link */

static void
msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ---- helpers ---------------------------------------------------------------- */

/* Submit a studio request; the job id into id (37). 0 on 202/201. */
static int
studio_submit(const char *path, const char *body, char *id, long long *quote)
{
	struct it_resp r;
	const char *s;
	int rc = -1;

	if (it_post(&r, path, W.key, body) != 0)
		return -1;
	s = it_str(&r, "job_id");
	if ((r.status == 202 || r.status == 201 || r.status == 200) && s != NULL) {
		snprintf(id, 37, "%s", s);
		if (quote != NULL)
			*quote = it_int(&r, "estimated_cost_usd_micros", -1);
		rc = 0;
	} else
		fprintf(stderr, "submit %s: %ld %s\n", path, r.status, r.body);
	it_free(&r);
	return rc;
}

static int
terminal_word(const char *s)
{
	return s != NULL && (strcmp(s, "completed") == 0 || strcmp(s, "failed") == 0 ||
	    strcmp(s, "nsfw_blocked") == 0 || strcmp(s, "cancelled") == 0 ||
	    strcmp(s, "succeeded") == 0 || strcmp(s, "canceled") == 0);
}

/*
 * Poll GET /v1/jobs/{id} until terminal or secs pass. The final status into
 * st; the first output URL into url (may be ""), error code into code.
 */
static int
studio_wait(const char *id, int secs, char *st, size_t stcap, char *url,
    size_t ucap, char *code, size_t ccap)
{
	char path[256];
	struct it_resp r;
	json_object *a;
	const char *s;
	int i;

	snprintf(path, sizeof(path), "/v1/jobs/%.40s", id);
	st[0] = '\0';
	for (i = 0; i < secs * 10; i++) {
		if (it_get(&r, path, W.key) != 0)
			return -1;
		s = it_str(&r, "status");
		if (terminal_word(s)) {
			snprintf(st, stcap, "%s", s);
			if (url != NULL) {
				url[0] = '\0';
				if (r.json != NULL && json_object_object_get_ex(r.json,
				    "output_urls", &a) && json_object_is_type(a,
				    json_type_array) && json_object_array_length(a) > 0)
					snprintf(url, ucap, "%s", json_object_get_string(
					    json_object_array_get_idx(a, 0)));
			}
			if (code != NULL)
				snprintf(code, ccap, "%s", it_str(&r, "error.code") ?
				    it_str(&r, "error.code") : "");
			it_free(&r);
			return 0;
		}
		it_free(&r);
		msleep(100);
	}
	return -1;
}

/* Wait for a prepaid job; status word into st and first download URL. */
static int
prepaid_wait(const struct it_ws *ws, const char *id, int secs, char *st,
    size_t stcap, char *url, size_t ucap)
{
	char path[160];
	struct it_resp r;
	json_object *a;
	const char *s;
	int i;

	snprintf(path, sizeof(path), "/api/v1/media/jobs?jobId=%s", id);
	for (i = 0; i < secs * 10; i++) {
		if (it_get(&r, path, ws->key) != 0)
			return -1;
		s = it_str(&r, "status");
		if (terminal_word(s)) {
			snprintf(st, stcap, "%s", s);
			url[0] = '\0';
			if (r.json != NULL && json_object_object_get_ex(r.json,
			    "downloadableOutputUrls", &a) && json_object_is_type(a,
			    json_type_array) && json_object_array_length(a) > 0)
				snprintf(url, ucap, "%s", json_object_get_string(
				    json_object_array_get_idx(a, 0)));
			it_free(&r);
			return 0;
		}
		it_free(&r);
		msleep(100);
	}
	return -1;
}

static unsigned
be32(const unsigned char *p)
{
	return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
}

/* A fake's control API: POST/DELETE path with body. */
static long
fake_ctl(const char *env, const char *method, const char *path, const char *body)
{
	const char *base = getenv(env);
	char url[512];
	struct it_resp r;
	const char *h[] = { "Content-Type: application/json", NULL };
	long st;

	if (base == NULL)
		return -1;
	snprintf(url, sizeof(url), "%s%s", base, path);
	if (it_req(&r, method, url, h, body, body ? strlen(body) : 0) != 0)
		return -1;
	st = r.status;
	it_free(&r);
	return st;
}

/* ---- end to end with the local provider ------------------------------------- */

static void
test_studio_image_png_and_ledger(void)
{
	char id[37], st[32], url[1024];
	long long quote = -1;
	char *body = NULL;
	size_t len = 0;
	struct it_money m;

	CU_ASSERT_FATAL(studio_submit("/v1/images/generate",
	    "{\"model\":\"fal-ai/flux/schnell\",\"prompt\":\"a red fox in snow\","
	    "\"resolution\":\"512x512\"}", id, &quote) == 0);
	CU_ASSERT(quote > 0);
	CU_ASSERT_FATAL(studio_wait(id, 60, st, sizeof(st), url, sizeof(url), NULL, 0) == 0);
	CU_ASSERT_STRING_EQUAL(st, "completed");
	CU_ASSERT_FATAL(url[0] != '\0');
	CU_ASSERT_EQUAL(it_fetch(url, &body, &len), 200);
	CU_ASSERT_FATAL(len > 24 && body != NULL);
	CU_ASSERT(memcmp(body, "\x89PNG\r\n\x1a\n", 8) == 0);
	CU_ASSERT(memcmp(body + 12, "IHDR", 4) == 0);
	CU_ASSERT_EQUAL(be32((unsigned char *)body + 16), 512);
	CU_ASSERT_EQUAL(be32((unsigned char *)body + 20), 512);
	free(body);
	CU_ASSERT_FATAL(it_job_money(&W, id, &m) == 0);
	CU_ASSERT_EQUAL(m.holds, 1);
	CU_ASSERT_EQUAL(m.hold, quote);
	CU_ASSERT_EQUAL(m.settles, 1);
	CU_ASSERT_STRING_EQUAL(m.settle_type, "capture");
	CU_ASSERT_EQUAL(m.settle_amount, -quote);
	CU_ASSERT_EQUAL(m.settle_reserved, -quote);
}

static void
test_prepaid_speech_wav_and_ledger(void)
{
	struct it_resp r;
	char id[37], st[32], url[1024];
	long long quote;
	char *body = NULL;
	size_t len = 0;
	struct it_money m;

	CU_ASSERT_FATAL(it_post(&r, "/api/v1/media/jobs", P.key,
	    "{\"task\":\"audio.speak\",\"input\":{\"text\":\"Hello from the mediagate "
	    "dispatcher test.\"}}") == 0);
	CU_ASSERT(r.status == 202 || r.status == 200 || r.status == 201);
	CU_ASSERT_FATAL(it_str(&r, "externalJobId") != NULL);
	snprintf(id, sizeof(id), "%s", it_str(&r, "externalJobId"));
	quote = it_int(&r, "usdChargedMicros", -1);
	it_free(&r);
	CU_ASSERT(quote > 0);
	CU_ASSERT_FATAL(prepaid_wait(&P, id, 60, st, sizeof(st), url, sizeof(url)) == 0);
	CU_ASSERT_STRING_EQUAL(st, "succeeded");
	CU_ASSERT_FATAL(url[0] != '\0');
	CU_ASSERT_EQUAL(it_fetch(url, &body, &len), 200);
	CU_ASSERT_FATAL(len > 44 && body != NULL);
	CU_ASSERT(memcmp(body, "RIFF", 4) == 0);
	CU_ASSERT(memcmp(body + 8, "WAVE", 4) == 0);
	free(body);
	CU_ASSERT_FATAL(it_job_money(&P, id, &m) == 0);
	CU_ASSERT_EQUAL(m.holds, 1);
	CU_ASSERT_EQUAL(m.hold, quote);
	CU_ASSERT_EQUAL(m.settles, 1);
	CU_ASSERT_STRING_EQUAL(m.settle_type, "capture");
	CU_ASSERT_EQUAL(m.settle_amount, -quote);
}

static void
test_studio_video_mp4_and_ledger(void)
{
	char id[37], st[32], url[1024];
	long long quote = -1;
	char *body = NULL;
	size_t len = 0;
	struct it_money m;

	CU_ASSERT_FATAL(studio_submit("/v1/videos/generate",
	    "{\"model\":\"fal-ai/kling-3.0\",\"prompt\":\"waves on a beach\","
	    "\"duration_s\":5}", id, &quote) == 0);
	CU_ASSERT_FATAL(studio_wait(id, 120, st, sizeof(st), url, sizeof(url), NULL, 0) == 0);
	CU_ASSERT_STRING_EQUAL(st, "completed");
	CU_ASSERT_FATAL(url[0] != '\0');
	CU_ASSERT_EQUAL(it_fetch(url, &body, &len), 200);
	CU_ASSERT_FATAL(len > 12 && body != NULL);
	CU_ASSERT(memcmp(body + 4, "ftyp", 4) == 0);
	free(body);
	snprintf(V_ID, sizeof(V_ID), "%s", id);
	snprintf(V_URL, sizeof(V_URL), "%s", url);
	CU_ASSERT_FATAL(it_job_money(&W, id, &m) == 0);
	CU_ASSERT_EQUAL(m.holds, 1);
	CU_ASSERT_EQUAL(m.hold, quote);
	CU_ASSERT_EQUAL(m.settles, 1);
	CU_ASSERT_STRING_EQUAL(m.settle_type, "capture");
	CU_ASSERT_EQUAL(m.settle_amount, -quote);
}

/* An MP4 at url (relative /files/ link or absolute). */
static int
is_mp4(const char *url)
{
	char *body = NULL;
	size_t len = 0;
	int ok;

	ok = it_fetch(url, &body, &len) == 200 && len > 12 &&
	    memcmp(body + 4, "ftyp", 4) == 0;
	free(body);
	return ok;
}

static void
test_studio_compose_segments_of_earlier_video(void)
{
	char id[37], st[32], url[1024], body[512];
	struct it_resp r;
	struct it_money m;
	long long quote;

	CU_ASSERT_FATAL(V_ID[0] != '\0');
	snprintf(body, sizeof(body), "{\"segments\":[{\"asset_id\":\"%s\",\"start_time\":0,"
	    "\"duration\":5},{\"asset_id\":\"%s\",\"start_time\":0,\"duration\":5}]}",
	    V_ID, V_ID);
	CU_ASSERT_FATAL(it_post(&r, "/v1/compose", W.key, body) == 0);
	CU_ASSERT(r.status == 202 || r.status == 201 || r.status == 200);
	CU_ASSERT_FATAL(it_str(&r, "id") != NULL);
	snprintf(id, sizeof(id), "%s", it_str(&r, "id"));
	quote = it_int(&r, "estimated_cost_usd_micros", -1);
	it_free(&r);
	CU_ASSERT_FATAL(studio_wait(id, 120, st, sizeof(st), url, sizeof(url), NULL, 0) == 0);
	CU_ASSERT_STRING_EQUAL(st, "completed");
	CU_ASSERT(is_mp4(url));
	CU_ASSERT_FATAL(it_job_money(&W, id, &m) == 0);
	CU_ASSERT_EQUAL(m.holds, 1);
	CU_ASSERT_EQUAL(m.hold, quote);
	CU_ASSERT_EQUAL(m.settles, 1);
	CU_ASSERT_STRING_EQUAL(m.settle_type, "capture");
	CU_ASSERT(-m.settle_amount <= quote);
}

static void
test_prepaid_combine_fetches_source_urls(void)
{
	char id[37], st[32], url[1024], body[3000], src[1100];
	struct it_resp r;

	CU_ASSERT_FATAL(V_URL[0] != '\0');
	snprintf(src, sizeof(src), "%s%s", it_base(), V_URL);
	snprintf(body, sizeof(body), "{\"task\":\"video.combine\",\"input\":{\"videoUrls\":"
	    "[\"%s\",\"%s\"]}}", src, src);
	CU_ASSERT_FATAL(it_post(&r, "/api/v1/media/jobs", P.key, body) == 0);
	if (it_str(&r, "externalJobId") == NULL)
		fprintf(stderr, "combine: %ld %s\n", r.status, r.body);
	CU_ASSERT_FATAL(it_str(&r, "externalJobId") != NULL);
	snprintf(id, sizeof(id), "%s", it_str(&r, "externalJobId"));
	it_free(&r);
	CU_ASSERT_FATAL(prepaid_wait(&P, id, 120, st, sizeof(st), url, sizeof(url)) == 0);
	CU_ASSERT_STRING_EQUAL(st, "succeeded");
	CU_ASSERT(is_mp4(url));
}

static void
test_prepaid_combine_bad_source_released(void)
{
	char id[37], st[32], url[1024], body[1000];
	struct it_resp r;
	struct it_money m;

	/* A source that answers 404: the job fails, nothing charged. */
	snprintf(body, sizeof(body), "{\"task\":\"video.combine\",\"input\":{\"videoUrls\":"
	    "[\"%s/files/nope/a.mp4\",\"%s/files/nope/b.mp4\"]}}", it_base(), it_base());
	CU_ASSERT_FATAL(it_post(&r, "/api/v1/media/jobs", P.key, body) == 0);
	CU_ASSERT_FATAL(it_str(&r, "externalJobId") != NULL);
	snprintf(id, sizeof(id), "%s", it_str(&r, "externalJobId"));
	it_free(&r);
	CU_ASSERT_FATAL(prepaid_wait(&P, id, 60, st, sizeof(st), url, sizeof(url)) == 0);
	CU_ASSERT_STRING_EQUAL(st, "failed");
	CU_ASSERT_FATAL(it_job_money(&P, id, &m) == 0);
	CU_ASSERT_EQUAL(m.settles, 1);
	CU_ASSERT_STRING_EQUAL(m.settle_type, "release");
}

/* A job that must fail with code; its hold released in full. */
static void
expect_failed_released(const char *prompt, const char *want_status,
    const char *want_code, int secs)
{
	char id[37], st[32], code[64], body[512];
	long long quote = -1;
	struct it_money m;

	snprintf(body, sizeof(body), "{\"model\":\"fal-ai/flux/schnell\",\"prompt\":"
	    "\"%s\",\"resolution\":\"512x512\"}", prompt);
	CU_ASSERT_FATAL(studio_submit("/v1/images/generate", body, id, &quote) == 0);
	CU_ASSERT_FATAL(studio_wait(id, secs, st, sizeof(st), NULL, 0, code,
	    sizeof(code)) == 0);
	CU_ASSERT_STRING_EQUAL(st, want_status);
	if (want_code != NULL) {
		CU_ASSERT_STRING_EQUAL(code, want_code);
	}
	CU_ASSERT_FATAL(it_job_money(&W, id, &m) == 0);
	CU_ASSERT_EQUAL(m.holds, 1);
	CU_ASSERT_EQUAL(m.settles, 1);
	CU_ASSERT_STRING_EQUAL(m.settle_type, "release");
	CU_ASSERT_EQUAL(m.settle_amount, 0);
	CU_ASSERT_EQUAL(m.settle_reserved, -quote);
}

static void
test_local_failure_released(void)
{
	expect_failed_released("boom [[fail]]", "failed", "generation_failed", 60);
}

static void
test_nsfw_blocked_released(void)
{
	expect_failed_released("blocked [[nsfw]]", "nsfw_blocked", "nsfw_blocked", 60);
}

static void
test_retryable_exhausted_released(void)
{
	/* [[retry]] fails retryably on every attempt → job_max_attempts, then fail. */
	expect_failed_released("flaky [[retry]]", "failed", "provider_unavailable", 90);
}

/* ---- remote providers through the fakes ------------------------------------- */

static void
test_remote_fal_success(void)
{
	char id[37], st[32], url[1024];
	long long quote = -1;
	char *body = NULL;
	size_t len = 0;
	struct it_money m;

	if (getenv("MG_FAKE_FAL_URL") == NULL) {
		CU_FAIL("MG_FAKE_FAL_URL not set (tests/it.sh starts the fakes)");
		return;
	}
	fake_ctl("MG_FAKE_FAL_URL", "DELETE", "/__control/faults", NULL);
	CU_ASSERT_FATAL(studio_submit("/v1/images/generate",
	    "{\"model\":\"fal-ai/flux/schnell\",\"prompt\":\"[[provider:fal]] a lighthouse\","
	    "\"resolution\":\"512x512\"}", id, &quote) == 0);
	CU_ASSERT_FATAL(studio_wait(id, 60, st, sizeof(st), url, sizeof(url), NULL, 0) == 0);
	CU_ASSERT_STRING_EQUAL(st, "completed");
	CU_ASSERT_EQUAL(it_fetch(url, &body, &len), 200);
	CU_ASSERT(len > 8 && body != NULL && memcmp(body, "\x89PNG", 4) == 0);
	free(body);
	CU_ASSERT_FATAL(it_job_money(&W, id, &m) == 0);
	CU_ASSERT_EQUAL(m.holds, 1);
	CU_ASSERT_EQUAL(m.settles, 1);
	CU_ASSERT_STRING_EQUAL(m.settle_type, "capture");
	/* Never above the hold. */
	CU_ASSERT(-m.settle_amount <= quote && -m.settle_amount > 0);
}

static void
test_remote_fal_5xx_released(void)
{
	CU_ASSERT_FATAL(fake_ctl("MG_FAKE_FAL_URL", "POST", "/__control/faults",
	    "{\"status\":500,\"error\":\"internal_error\",\"count\":20,"
	    "\"match\":{\"path\":\"/fal-ai\"}}") == 200);
	expect_failed_released("[[provider:fal]] five hundred", "failed", "provider_error", 60);
	fake_ctl("MG_FAKE_FAL_URL", "DELETE", "/__control/faults", NULL);
}

static void
test_remote_fal_timeout_released(void)
{
	/* The submit hangs past prov_timeout_s: an ambiguous create, never resent. */
	CU_ASSERT_FATAL(fake_ctl("MG_FAKE_FAL_URL", "POST", "/__control/faults",
	    "{\"hang_ms\":15000,\"status\":504,\"count\":5,"
	    "\"match\":{\"path\":\"/fal-ai\",\"method\":\"POST\"}}") == 200);
	expect_failed_released("[[provider:fal]] too slow", "failed", "provider_timeout", 90);
	fake_ctl("MG_FAKE_FAL_URL", "DELETE", "/__control/faults", NULL);
}

static void
test_remote_replicate_503_retried_then_released(void)
{
	CU_ASSERT_FATAL(fake_ctl("MG_FAKE_REPLICATE_URL", "POST", "/__control/faults",
	    "{\"status\":503,\"count\":50,\"match\":{\"path\":\"/\"}}") == 200);
	expect_failed_released("[[provider:replicate]] unavailable", "failed",
	    "provider_unavailable", 90);
	fake_ctl("MG_FAKE_REPLICATE_URL", "DELETE", "/__control/faults", NULL);
}

static void
test_remote_elevenlabs_success(void)
{
	char id[37], st[32], url[1024];
	struct it_resp r;
	char *body = NULL;
	size_t len = 0;
	struct it_money m;

	fake_ctl("MG_FAKE_ELEVENLABS_URL", "DELETE", "/__control/faults", NULL);
	CU_ASSERT_FATAL(it_post(&r, "/v1/audio/generate", W.key,
	    "{\"model\":\"eleven_multilingual_v2\",\"text\":\"[[provider:elevenlabs]] "
	    "hello there\",\"voice_id\":\"21m00Tcm4TlvDq8ikWAM\"}") == 0);
	CU_ASSERT_FATAL(it_str(&r, "job_id") != NULL);
	snprintf(id, sizeof(id), "%s", it_str(&r, "job_id"));
	it_free(&r);
	CU_ASSERT_FATAL(studio_wait(id, 60, st, sizeof(st), url, sizeof(url), NULL, 0) == 0);
	CU_ASSERT_STRING_EQUAL(st, "completed");
	CU_ASSERT_EQUAL(it_fetch(url, &body, &len), 200);
	CU_ASSERT(len > 100);
	free(body);
	CU_ASSERT_FATAL(it_job_money(&W, id, &m) == 0);
	CU_ASSERT_EQUAL(m.settles, 1);
	CU_ASSERT_STRING_EQUAL(m.settle_type, "capture");
}

static void
test_remote_elevenlabs_5xx_released(void)
{
	char id[37], st[32], url[1024], code[64];
	struct it_resp r;
	long long quote;
	struct it_money m;

	CU_ASSERT_FATAL(fake_ctl("MG_FAKE_ELEVENLABS_URL", "POST", "/__control/faults",
	    "{\"status\":500,\"count\":20,\"match\":{\"path\":\"/v1/text-to-speech\"}}") == 200);
	CU_ASSERT_FATAL(it_post(&r, "/v1/audio/generate", W.key,
	    "{\"model\":\"eleven_multilingual_v2\",\"text\":\"[[provider:elevenlabs]] hi\","
	    "\"voice_id\":\"21m00Tcm4TlvDq8ikWAM\"}") == 0);
	CU_ASSERT_FATAL(it_str(&r, "job_id") != NULL);
	snprintf(id, sizeof(id), "%s", it_str(&r, "job_id"));
	quote = it_int(&r, "estimated_cost_usd_micros", -1);
	it_free(&r);
	CU_ASSERT_FATAL(studio_wait(id, 90, st, sizeof(st), url, sizeof(url), code,
	    sizeof(code)) == 0);
	CU_ASSERT_STRING_EQUAL(st, "failed");
	/* A 5xx after sending is an ambiguous create: never resent, failed. */
	CU_ASSERT_STRING_EQUAL(code, "provider_error");
	CU_ASSERT_FATAL(it_job_money(&W, id, &m) == 0);
	CU_ASSERT_EQUAL(m.holds, 1);
	CU_ASSERT_EQUAL(m.settles, 1);
	CU_ASSERT_STRING_EQUAL(m.settle_type, "release");
	CU_ASSERT_EQUAL(m.settle_reserved, -quote);
	fake_ctl("MG_FAKE_ELEVENLABS_URL", "DELETE", "/__control/faults", NULL);
}

/* provider_health of provider via `mediagate-dispatch --health`. */
static int
circuit_of(const char *provider, int *open, long long *fails)
{
	char cmd[600], buf[8192];
	const char *root = getenv("MG_TEST_ROOT");
	json_object *a, *e, *v;
	size_t n, i;
	FILE *f;
	int found = -1;

	snprintf(cmd, sizeof(cmd), "cd '%s' && build/bin/mediagate-dispatch --health 2>/dev/null",
	    root ? root : ".");
	if ((f = popen(cmd, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	if (pclose(f) != 0 || (a = json_tokener_parse(buf)) == NULL)
		return -1;
	for (i = 0; i < json_object_array_length(a); i++) {
		e = json_object_array_get_idx(a, i);
		if (!json_object_object_get_ex(e, "provider", &v) ||
		    strcmp(json_object_get_string(v), provider) != 0)
			continue;
		json_object_object_get_ex(e, "open", &v);
		*open = json_object_get_boolean(v);
		json_object_object_get_ex(e, "consecutive_failures", &v);
		*fails = json_object_get_int64(v);
		found = 0;
	}
	json_object_put(a);
	return found;
}

static void
test_circuit_opens_then_success_closes(void)
{
	char a[37], b[37], c[37], st[32], url[1024];
	int open = -1;
	long long fails = -1;
	struct it_money m;

	CU_ASSERT_FATAL(fake_ctl("MG_FAKE_FAL_URL", "POST", "/__control/faults",
	    "{\"status\":503,\"count\":100,\"match\":{\"path\":\"/fal-ai\"}}") == 200);
	/* Two jobs, three retryable 503 attempts each: 6 ≥ circuit_threshold 5. */
	CU_ASSERT_FATAL(studio_submit("/v1/images/generate",
	    "{\"model\":\"fal-ai/flux/schnell\",\"prompt\":\"[[provider:fal]] c1\","
	    "\"resolution\":\"256x256\"}", a, NULL) == 0);
	CU_ASSERT_FATAL(studio_submit("/v1/images/generate",
	    "{\"model\":\"fal-ai/flux/schnell\",\"prompt\":\"[[provider:fal]] c2\","
	    "\"resolution\":\"256x256\"}", b, NULL) == 0);
	CU_ASSERT_FATAL(studio_wait(a, 90, st, sizeof(st), NULL, 0, NULL, 0) == 0);
	CU_ASSERT_STRING_EQUAL(st, "failed");
	CU_ASSERT_FATAL(studio_wait(b, 90, st, sizeof(st), NULL, 0, NULL, 0) == 0);
	CU_ASSERT_STRING_EQUAL(st, "failed");
	CU_ASSERT_FATAL(it_job_money(&W, a, &m) == 0);
	CU_ASSERT_STRING_EQUAL(m.settle_type, "release");
	CU_ASSERT_EQUAL(circuit_of("fal", &open, &fails), 0);
	CU_ASSERT_EQUAL(open, 1);
	CU_ASSERT(fails >= 5);
	/* The next success (the probe) closes it. */
	fake_ctl("MG_FAKE_FAL_URL", "DELETE", "/__control/faults", NULL);
	CU_ASSERT_FATAL(studio_submit("/v1/images/generate",
	    "{\"model\":\"fal-ai/flux/schnell\",\"prompt\":\"[[provider:fal]] probe\","
	    "\"resolution\":\"256x256\"}", c, NULL) == 0);
	CU_ASSERT_FATAL(studio_wait(c, 60, st, sizeof(st), url, sizeof(url), NULL, 0) == 0);
	CU_ASSERT_STRING_EQUAL(st, "completed");
	CU_ASSERT_EQUAL(circuit_of("fal", &open, &fails), 0);
	CU_ASSERT_EQUAL(open, 0);
	CU_ASSERT_EQUAL(fails, 0);
}

/* ---- crash recovery ------------------------------------------------------------ */

static pid_t
dispatcher_pid(void)
{
	char path[512], buf[32];
	const char *run = getenv("MG_RUN_DIR");
	FILE *f;
	long pid = 0;

	if (run == NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/dispatch.pid", run);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(buf, sizeof(buf), f) != NULL)
		pid = strtol(buf, NULL, 10);
	fclose(f);
	return (pid_t)pid;
}

/* 1 when pid runs (a zombie awaiting its reaper counts as gone). */
static int
proc_alive(pid_t pid)
{
	char path[64], buf[256], *p;
	FILE *f;
	size_t n;

	if (kill(pid, 0) != 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p == NULL || p[1] == '\0' || p[2] != 'Z';
}

static int
dispatcher_restart(void)
{
	char cmd[1024];
	const char *root = getenv("MG_TEST_ROOT"), *log = getenv("MG_LOG_DIR");

	snprintf(cmd, sizeof(cmd), "cd '%s' && build/bin/mediagate-dispatch --daemon"
	    " </dev/null >>'%s/dispatch.log' 2>&1", root ? root : ".", log ? log : "/tmp");
	return system(cmd);
}

static void
test_kill9_dispatcher_every_job_terminal(void)
{
	char ids[4][37], st[32];
	int i, running = 0, k;
	pid_t pid;
	struct it_money m;
	struct it_resp r;
	char path[128];

	for (i = 0; i < 4; i++)
		CU_ASSERT_FATAL(studio_submit("/v1/images/generate",
		    "{\"model\":\"fal-ai/flux/schnell\",\"prompt\":\"slow [[slow:3]]\","
		    "\"resolution\":\"256x256\"}", ids[i], NULL) == 0);
	/* Wait until the dispatcher has claimed some of them. */
	for (k = 0; k < 100 && running == 0; k++) {
		snprintf(path, sizeof(path), "/v1/jobs/%.40s", ids[0]);
		if (it_get(&r, path, W.key) == 0) {
			running = it_str(&r, "status") != NULL &&
			    strcmp(it_str(&r, "status"), "running") == 0;
			it_free(&r);
		}
		msleep(50);
	}
	CU_ASSERT(running);
	pid = dispatcher_pid();
	CU_ASSERT_FATAL(pid > 1);
	/* The whole process group: master, workers and render children. */
	CU_ASSERT_EQUAL(kill(-pid, SIGKILL), 0);
	msleep(300);
	CU_ASSERT(!proc_alive(pid));
	CU_ASSERT_EQUAL_FATAL(dispatcher_restart(), 0);
	for (i = 0; i < 4; i++) {
		CU_ASSERT_FATAL(studio_wait(ids[i], 120, st, sizeof(st), NULL, 0,
		    NULL, 0) == 0);
		CU_ASSERT(strcmp(st, "completed") == 0 || strcmp(st, "failed") == 0);
		CU_ASSERT_FATAL(it_job_money(&W, ids[i], &m) == 0);
		CU_ASSERT_EQUAL(m.holds, 1);
		CU_ASSERT_EQUAL(m.settles, 1);
		if (strcmp(st, "completed") == 0) {
			CU_ASSERT_STRING_EQUAL(m.settle_type, "capture");
		}
	}
	CU_ASSERT_EQUAL(it_mgctl_status("ledger verify"), 0);
}

/* ---- cancel racing completion ---------------------------------------------------- */

static void
test_cancel_races_completion_one_outcome(void)
{
	char id[37], st[32], path[128], again[32];
	struct it_resp r;
	struct it_money m;
	long long quote;
	int i, completed = 0, cancelled = 0;

	for (i = 0; i < 8; i++) {
		CU_ASSERT_FATAL(studio_submit("/v1/images/generate",
		    i % 2 ? "{\"model\":\"fal-ai/flux/schnell\",\"prompt\":\"race [[slow:1]]\","
		    "\"resolution\":\"256x256\"}" : "{\"model\":\"fal-ai/flux/schnell\","
		    "\"prompt\":\"race\",\"resolution\":\"256x256\"}", id, &quote) == 0);
		msleep(i * 60);
		snprintf(path, sizeof(path), "/v1/jobs/%.40s", id);
		{
			char url[512], auth[200];
			const char *h[2];

			snprintf(url, sizeof(url), "%s%s", it_base(), path);
			snprintf(auth, sizeof(auth), "Authorization: Bearer %s", W.key);
			h[0] = auth;
			h[1] = NULL;
			CU_ASSERT_FATAL(it_req(&r, "DELETE", url, h, NULL, 0) == 0);
			CU_ASSERT(r.status == 200 || r.status == 202 || r.status == 204 ||
			    r.status == 409);
			it_free(&r);
		}
		CU_ASSERT_FATAL(studio_wait(id, 60, st, sizeof(st), NULL, 0, NULL, 0) == 0);
		CU_ASSERT(strcmp(st, "completed") == 0 || strcmp(st, "cancelled") == 0);
		completed += strcmp(st, "completed") == 0;
		cancelled += strcmp(st, "cancelled") == 0;
		/* Give a losing dispatcher time to (not) write a second outcome. */
		msleep(300);
		CU_ASSERT_FATAL(it_job_money(&W, id, &m) == 0);
		CU_ASSERT_EQUAL(m.holds, 1);
		CU_ASSERT_EQUAL(m.settles, 1);
		if (strcmp(st, "completed") == 0) {
			CU_ASSERT_STRING_EQUAL(m.settle_type, "capture");
		} else {
			CU_ASSERT_STRING_EQUAL(m.settle_type, "release");
			CU_ASSERT_EQUAL(m.settle_reserved, -quote);
		}
		/* The state stays what it was. */
		CU_ASSERT_FATAL(studio_wait(id, 5, again, sizeof(again), NULL, 0, NULL, 0) == 0);
		CU_ASSERT_STRING_EQUAL(again, st);
	}
	CU_ASSERT(cancelled > 0);
	CU_ASSERT_EQUAL(completed + cancelled, 8);
}

/* ---- callbacks --------------------------------------------------------------------- */

#define RX_MAX	8

/* A tiny HTTP receiver: answers the first fail_first requests 500, then 200. */
static struct {
	int		fd;
	int		port;
	int		fail_first;
	int		n;
	char		sig[RX_MAX][200];
	char		delivery[RX_MAX][64];
	char		*body[RX_MAX];
	pthread_mutex_t	mu;
} RX = { .mu = PTHREAD_MUTEX_INITIALIZER };

/* Header value of name in the raw request head into out. */
static void
head_value(const char *head, const char *name, char *out, size_t cap)
{
	const char *p = strcasestr(head, name), *e;

	out[0] = '\0';
	if (p == NULL)
		return;
	p += strlen(name);
	while (*p == ' ' || *p == ':')
		p++;
	e = strstr(p, "\r\n");
	if (e == NULL || (size_t)(e - p) >= cap)
		return;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
}

static void *
rx_main(void *arg)
{
	(void)arg;
	for (;;) {
		int c = accept(RX.fd, NULL, NULL);
		char buf[65536], cl[32];
		size_t got = 0;
		ssize_t k;
		char *hend;
		long want = 0;
		int fail;

		if (c < 0) {
			if (errno == EINTR)
				continue;
			return NULL;
		}
		hend = NULL;
		while (got < sizeof(buf) - 1) {
			k = read(c, buf + got, sizeof(buf) - 1 - got);
			if (k <= 0)
				break;
			got += (size_t)k;
			buf[got] = '\0';
			if (hend == NULL && (hend = strstr(buf, "\r\n\r\n")) != NULL) {
				head_value(buf, "content-length", cl, sizeof(cl));
				want = strtol(cl, NULL, 10);
			}
			if (hend != NULL && (long)(got - (size_t)(hend + 4 - buf)) >= want)
				break;
		}
		if (hend != NULL) {
			pthread_mutex_lock(&RX.mu);
			fail = RX.n < RX.fail_first;
			if (RX.n < RX_MAX) {
				*hend = '\0';
				head_value(buf, "x-mediagate-signature", RX.sig[RX.n],
				    sizeof(RX.sig[RX.n]));
				head_value(buf, "x-mediagate-delivery", RX.delivery[RX.n],
				    sizeof(RX.delivery[RX.n]));
				RX.body[RX.n] = strdup(hend + 4);
			}
			RX.n++;
			pthread_mutex_unlock(&RX.mu);
			{
				const char *ans = fail ?
				    "HTTP/1.1 500 Internal Server Error\r\n"
				    "Content-Length: 0\r\nConnection: close\r\n\r\n" :
				    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
				    "Connection: close\r\n\r\nok";

				(void)!write(c, ans, strlen(ans));
			}
		}
		close(c);
	}
	return NULL;
}

static int
rx_start(void)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	pthread_t t;
	int one = 1;

	RX.fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(RX.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(RX.fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(RX.fd, 16) != 0)
		return -1;
	getsockname(RX.fd, (struct sockaddr *)&a, &al);
	RX.port = ntohs(a.sin_port);
	return pthread_create(&t, NULL, rx_main, NULL) == 0 ? 0 : -1;
}

static void
rx_reset(int fail_first)
{
	int i;

	pthread_mutex_lock(&RX.mu);
	for (i = 0; i < RX_MAX; i++) {
		free(RX.body[i]);
		RX.body[i] = NULL;
	}
	RX.n = 0;
	RX.fail_first = fail_first;
	pthread_mutex_unlock(&RX.mu);
}

static int
rx_count(void)
{
	int n;

	pthread_mutex_lock(&RX.mu);
	n = RX.n;
	pthread_mutex_unlock(&RX.mu);
	return n;
}

/* Check "t=<t>,v1=<hex>" over "<t>.<body>" with secret. 1 valid. */
static int
sig_valid(const char *hdr, const char *secret, const char *body)
{
	char t[32], msg[70000], hex[65];
	unsigned char mac[32];
	const char *v;
	int n;

	if (sscanf(hdr, "t=%31[0-9],", t) != 1 || (v = strstr(hdr, ",v1=")) == NULL)
		return 0;
	n = snprintf(msg, sizeof(msg), "%s.%s", t, body);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return 0;
	mg_hmac_sha256(secret, strlen(secret), msg, (size_t)n, mac);
	mg_hex(mac, sizeof(mac), hex);
	return strcmp(v + 4, hex) == 0;
}

/* Submit a prepaid job with a callback to the receiver; secret and id out. */
static int
submit_with_callback(const char *text, char *id, char *secret, size_t scap)
{
	struct it_resp r;
	char body[512];
	int rc = -1;

	snprintf(body, sizeof(body), "{\"task\":\"audio.speak\",\"input\":{\"text\":"
	    "\"%s\"},\"completionCallbackUrl\":\"http://127.0.0.1:%d/hook\"}", text,
	    RX.port);
	if (it_post(&r, "/api/v1/media/jobs", P.key, body) != 0)
		return -1;
	if (it_str(&r, "externalJobId") != NULL && it_str(&r, "callbackSigningSecret") != NULL) {
		snprintf(id, 37, "%s", it_str(&r, "externalJobId"));
		snprintf(secret, scap, "%s", it_str(&r, "callbackSigningSecret"));
		rc = 0;
	} else
		fprintf(stderr, "callback submit: %ld %s\n", r.status, r.body);
	it_free(&r);
	return rc;
}

static void
test_callback_delivered_once_signed(void)
{
	char id[37], secret[160];
	json_object *o, *v;
	int i;

	CU_ASSERT_FATAL(rx_start() == 0);
	rx_reset(0);
	CU_ASSERT_FATAL(submit_with_callback("callback test", id, secret, sizeof(secret)) == 0);
	for (i = 0; i < 300 && rx_count() < 1; i++)
		msleep(100);
	CU_ASSERT_FATAL(rx_count() >= 1);
	msleep(2500);			/* a second POST would show up by now */
	CU_ASSERT_EQUAL(rx_count(), 1);
	CU_ASSERT_STRING_EQUAL(RX.delivery[0], id);
	CU_ASSERT(sig_valid(RX.sig[0], secret, RX.body[0]));
	/* A wrong secret does not verify: the check can fail. */
	CU_ASSERT(!sig_valid(RX.sig[0], "not-the-secret", RX.body[0]));
	o = json_tokener_parse(RX.body[0]);
	CU_ASSERT_FATAL(o != NULL);
	CU_ASSERT(json_object_object_get_ex(o, "jobId", &v) &&
	    strcmp(json_object_get_string(v), id) == 0);
	CU_ASSERT(json_object_object_get_ex(o, "status", &v) &&
	    strcmp(json_object_get_string(v), "succeeded") == 0);
	CU_ASSERT(json_object_object_get_ex(o, "outputs", &v) &&
	    json_object_array_length(v) == 1);
	CU_ASSERT(json_object_object_get_ex(o, "billing", &v));
	json_object_put(o);
}

static void
test_callback_retried_after_500(void)
{
	char id[37], secret[160];
	int i;

	rx_reset(1);
	CU_ASSERT_FATAL(submit_with_callback("callback retry test", id, secret,
	    sizeof(secret)) == 0);
	for (i = 0; i < 600 && rx_count() < 2; i++)
		msleep(100);
	CU_ASSERT_FATAL(rx_count() >= 2);
	msleep(2500);
	CU_ASSERT_EQUAL(rx_count(), 2);
	CU_ASSERT_STRING_EQUAL(RX.delivery[0], id);
	CU_ASSERT_STRING_EQUAL(RX.delivery[1], id);
	CU_ASSERT_STRING_EQUAL(RX.body[0], RX.body[1]);
	CU_ASSERT(sig_valid(RX.sig[1], secret, RX.body[1]));
}

/* ---- signed links -------------------------------------------------------------------- */

static void
test_link_expired_410_tampered_403(void)
{
	char id[37], st[32], url[1024], path[600], bad[1100];
	const char *q, *secret;
	size_t n;

	CU_ASSERT_FATAL(studio_submit("/v1/images/generate",
	    "{\"model\":\"fal-ai/flux/schnell\",\"prompt\":\"links\","
	    "\"resolution\":\"256x256\"}", id, NULL) == 0);
	CU_ASSERT_FATAL(studio_wait(id, 60, st, sizeof(st), url, sizeof(url), NULL, 0) == 0);
	CU_ASSERT_FATAL(strncmp(url, "/files/", 7) == 0);
	CU_ASSERT_EQUAL(it_fetch(url, NULL, NULL), 200);
	/* Tampered signature → 403 (the first md5 character: all its 6 bits
	 * are data, unlike the last one's padding bits). */
	snprintf(bad, sizeof(bad), "%s", url);
	q = strstr(bad, "md5=");
	CU_ASSERT_FATAL(q != NULL);
	n = (size_t)(q - bad) + 4;
	bad[n] = bad[n] == 'A' ? 'B' : 'A';
	CU_ASSERT_EQUAL(it_fetch(bad, NULL, NULL), 403);
	/* Another file's path under the same signature → 403. */
	snprintf(bad, sizeof(bad), "%s", url);
	q = strstr(bad, ".png?");
	CU_ASSERT_FATAL(q != NULL);
	memcpy(bad + (q - bad), ".jpg", 4);
	CU_ASSERT_EQUAL(it_fetch(bad, NULL, NULL), 403);
	/* Same path, expiry in the past, correctly signed → 410. */
	q = strchr(url, '?');
	CU_ASSERT_FATAL(q != NULL);
	snprintf(path, sizeof(path), "%.*s", (int)(q - url - 7), url + 7);
	secret = mg_cfg_str("link_secret", NULL);
	CU_ASSERT_FATAL(secret != NULL);
	CU_ASSERT_FATAL(gen_link_sign_with(secret, path, (int64_t)time(NULL) - 60,
	    bad, sizeof(bad)) == GEN_LINK_OK);
	CU_ASSERT_EQUAL(it_fetch(bad, NULL, NULL), 410);
}

static int
setup(void)
{
	mg_crypto_init();
	mg_cfg_load(NULL);
	if (it_workspace(&W, NULL, "studio") != 0 || it_workspace(&P, NULL, "prepaid") != 0)
		return 1;
	if (it_mgctl_status("wallet grant %s 20.00 --reason dispatch-test", W.ws) != 0 ||
	    it_mgctl_status("wallet grant %s 20.00 --reason dispatch-test", P.ws) != 0)
		return 1;
	return 0;
}

int
main(void)
{
	static const struct mgt_case e2e[] = {
		{ "studio image → PNG, one hold + one capture = quote", test_studio_image_png_and_ledger },
		{ "prepaid audio.speak → WAV, one hold + one capture = quote", test_prepaid_speech_wav_and_ledger },
		{ "studio video → MP4, one hold + one capture = quote", test_studio_video_mp4_and_ledger },
		{ "studio compose of an earlier video (segments) → MP4", test_studio_compose_segments_of_earlier_video },
		{ "prepaid video.combine fetches its source URLs → MP4", test_prepaid_combine_fetches_source_urls },
		{ "prepaid video.combine, source 404 → failed, released", test_prepaid_combine_bad_source_released },
		{ "[[fail]] → failed, hold released in full", test_local_failure_released },
		{ "[[nsfw]] → nsfw_blocked, hold released in full", test_nsfw_blocked_released },
		{ "[[retry]] every attempt → failed after max attempts, released", test_retryable_exhausted_released },
		{ "expired link → 410, tampered → 403", test_link_expired_410_tampered_403 },
		{ NULL, NULL }
	};
	static const struct mgt_case remote[] = {
		{ "fal fake: success, capture ≤ hold", test_remote_fal_success },
		{ "fal fake: 5xx → failed, released", test_remote_fal_5xx_released },
		{ "fal fake: submit timeout → failed, released", test_remote_fal_timeout_released },
		{ "replicate fake: 503 retried, then failed, released", test_remote_replicate_503_retried_then_released },
		{ "elevenlabs fake: success, audio downloaded, captured", test_remote_elevenlabs_success },
		{ "elevenlabs fake: 5xx → failed, released", test_remote_elevenlabs_5xx_released },
		{ "circuit opens after provider failures, a success closes it", test_circuit_opens_then_success_closes },
		{ NULL, NULL }
	};
	static const struct mgt_case races[] = {
		{ "cancel racing completion → one terminal state, one money outcome", test_cancel_races_completion_one_outcome },
		{ "callback delivered once with a valid signature", test_callback_delivered_once_signed },
		{ "callback retried after a 500", test_callback_retried_after_500 },
		{ "kill -9 of the dispatcher → every job terminal, ledger verifies", test_kill9_dispatcher_every_job_terminal },
		{ NULL, NULL }
	};

	signal(SIGPIPE, SIG_IGN);
	mgt_suite("dispatch end to end", setup, NULL, e2e);
	mgt_suite("dispatch remote providers", NULL, NULL, remote);
	mgt_suite("dispatch races and crashes", NULL, NULL, races);
	return mgt_run();
}
