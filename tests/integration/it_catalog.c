/*
 * Catalog routes end to end (nginx → catalog pool → MariaDB): /v1/models,
 * /v1/pricing (public), /v1/estimate (exact price = catalog_price, would
 * reasons, validation negatives), /v1/prisms filters, `mgctl catalog load`
 * atomicity and visibility, cards/nodes CRUD + isolation + soft delete,
 * cards search 503, characters pagination + cursor + isolation + admin
 * delete. Each test names the rule it checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <json-c/json.h>

#include "catalog.h"
#include "catalog_price.h"
#include "it.h"
#include "mgtest.h"

static struct it_ws A, B;	/* two workspaces of two tenants */
static struct catalog *v1;	/* the shipped file, priced locally */
static char v1_version[CATALOG_MAX_ID + 1];

static const char *
root(void)
{
	return getenv("MG_TEST_ROOT") ? getenv("MG_TEST_ROOT") : ".";
}

static int
setup(void)
{
	char path[1024], err[256];

	if (it_workspace(&A, "generate,read,admin", "studio") != 0 ||
	    it_workspace(&B, "generate,read,admin", "studio") != 0)
		return 1;
	if (it_mgctl_status("wallet grant %s 5.00 --reason it-catalog", A.ws))
		return 1;
	snprintf(path, sizeof(path), "%s/config/catalog/catalog-v1.json", root());
	if (catalog_load_file(path, &v1, err, sizeof(err)) != CATALOG_OK) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	snprintf(v1_version, sizeof(v1_version), "%s", catalog_version(v1));
	return 0;
}

static int
teardown(void)
{
	catalog_free(v1);
	return 0;
}

/* A request with a method and the key as Bearer. */
static int
req(struct it_resp *r, const char *method, const char *path, const char *key,
    const char *body)
{
	char url[2048], auth[256];
	const char *hdrs[3] = { NULL, NULL, NULL };
	int n = 0;

	snprintf(url, sizeof(url), "%s%s", it_base(), path);
	if (key != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
		hdrs[n++] = auth;
	}
	if (body != NULL)
		hdrs[n++] = "Content-Type: application/json";
	return it_req(r, method, url, hdrs, body, body ? strlen(body) : 0);
}

static json_object *
member(json_object *o, const char *k)
{
	json_object *v = NULL;

	if (o == NULL || !json_object_object_get_ex(o, k, &v))
		return NULL;
	return v;
}

static int
has_type(json_object *o, const char *k, json_type t)
{
	json_object *v = member(o, k);

	return v != NULL && json_object_is_type(v, t);
}

static void
expect_error(const struct it_resp *r, long status, const char *code)
{
	CU_ASSERT_EQUAL(r->status, status);
	CU_ASSERT_PTR_NOT_NULL(it_str(r, "error.code"));
	if (code != NULL && it_str(r, "error.code") != NULL)
		CU_ASSERT_STRING_EQUAL(it_str(r, "error.code"), code);
}

/* The catalog_version the gateway answers with right now. */
static void
live_version(char *buf, size_t cap)
{
	struct it_resp r;

	buf[0] = '\0';
	if (it_get(&r, "/v1/pricing", NULL) == 0 && it_str(&r, "catalog_version"))
		snprintf(buf, cap, "%s", it_str(&r, "catalog_version"));
	it_free(&r);
}

/* Wait (bounded) until the gateway answers with version want. */
static int
wait_version(const char *want)
{
	char v[CATALOG_MAX_ID + 1];
	int i;

	for (i = 0; i < 150; i++) {
		live_version(v, sizeof(v));
		if (strcmp(v, want) == 0)
			return 0;
		usleep(100000);
	}
	return -1;
}

/* ---- discovery ---------------------------------------------------------- */

static void
test_pricing_public_without_auth(void)
{
	struct it_resp r;
	json_object *ops, *op;
	char hv[128];
	size_t i;

	CU_ASSERT_EQUAL(it_get(&r, "/v1/pricing", NULL), 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "currency"), "USD");
	CU_ASSERT_EQUAL(it_int(&r, "micros_per_unit", 0), 1000000);
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "generated_at"));
	ops = member(r.json, "operations");
	CU_ASSERT_TRUE(ops != NULL && json_object_is_type(ops, json_type_array) &&
	    json_object_array_length(ops) == v1->nops);
	for (i = 0; ops != NULL && i < json_object_array_length(ops); i++) {
		op = json_object_array_get_idx(ops, i);
		CU_ASSERT_TRUE(has_type(op, "operation_id", json_type_string));
		CU_ASSERT_TRUE(has_type(op, "model", json_type_string));
		CU_ASSERT_TRUE(has_type(op, "provider", json_type_string));
		CU_ASSERT_TRUE(has_type(op, "unit", json_type_string));
		CU_ASSERT_TRUE(has_type(op, "price_usd_micros", json_type_int));
		CU_ASSERT_TRUE(has_type(op, "price_usd", json_type_double) ||
		    has_type(op, "price_usd", json_type_int));
	}
	/* The version is in the body and in the header, and they agree. */
	CU_ASSERT_EQUAL(it_header(&r, "X-Catalog-Version", hv, sizeof(hv)), 0);
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "catalog_version"));
	if (it_str(&r, "catalog_version"))
		CU_ASSERT_STRING_EQUAL(hv, it_str(&r, "catalog_version"));
	it_free(&r);
}

static void
test_models_shape(void)
{
	static const char *const types[] = { "image", "video", "audio",
	    "compose", "training", "prism" };
	struct it_resp r;
	json_object *data, *m;
	size_t i, k;
	int ok;

	it_get(&r, "/v1/models", A.key);
	CU_ASSERT_EQUAL(r.status, 200);
	data = member(r.json, "data");
	CU_ASSERT_TRUE(data != NULL && json_object_array_length(data) > 0);
	for (i = 0; data != NULL && i < json_object_array_length(data); i++) {
		m = json_object_array_get_idx(data, i);
		CU_ASSERT_TRUE(has_type(m, "model_id", json_type_string));
		CU_ASSERT_TRUE(has_type(m, "provider", json_type_string));
		CU_ASSERT_TRUE(has_type(m, "unit", json_type_string));
		CU_ASSERT_TRUE(has_type(m, "cost_usd_per_unit", json_type_double) ||
		    has_type(m, "cost_usd_per_unit", json_type_int));
		ok = 0;
		for (k = 0; k < 6 && has_type(m, "type", json_type_string); k++)
			if (strcmp(json_object_get_string(member(m, "type")),
			    types[k]) == 0)
				ok = 1;
		CU_ASSERT_TRUE(ok);
	}
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "catalog_version"));
	it_free(&r);
}

static void
test_models_requires_auth(void)
{
	struct it_resp r;

	it_get(&r, "/v1/models", NULL);
	expect_error(&r, 401, NULL);
	it_free(&r);
}

static void
test_models_bad_type_filter_400(void)
{
	struct it_resp r;

	it_get(&r, "/v1/models?type=4d", A.key);
	expect_error(&r, 400, "invalid_parameter");
	it_free(&r);
}

/* Every prism of a response has the seed's required fields. */
static size_t
check_prisms(const struct it_resp *r, const char *category, const char *compat)
{
	json_object *data = member(r->json, "data"), *p, *cw;
	size_t i, j, n = data ? json_object_array_length(data) : 0;
	int found;

	CU_ASSERT_PTR_NOT_NULL(data);
	for (i = 0; i < n; i++) {
		p = json_object_array_get_idx(data, i);
		CU_ASSERT_TRUE(has_type(p, "id", json_type_string));
		CU_ASSERT_TRUE(has_type(p, "name", json_type_string));
		CU_ASSERT_TRUE(has_type(p, "category", json_type_string));
		CU_ASSERT_TRUE(has_type(p, "compatible_with", json_type_array));
		if (category != NULL && has_type(p, "category", json_type_string))
			CU_ASSERT_STRING_EQUAL(json_object_get_string(
			    member(p, "category")), category);
		cw = member(p, "compatible_with");
		found = compat == NULL;
		for (j = 0; cw != NULL && j < json_object_array_length(cw); j++) {
			const char *s = json_object_get_string(
			    json_object_array_get_idx(cw, j));

			CU_ASSERT_TRUE(strcmp(s, "image") == 0 ||
			    strcmp(s, "video") == 0 || strcmp(s, "audio") == 0);
			if (compat != NULL && strcmp(s, compat) == 0)
				found = 1;
		}
		CU_ASSERT_TRUE(found);
	}
	return n;
}

static void
test_prisms_shape(void)
{
	struct it_resp r;

	it_get(&r, "/v1/prisms", A.key);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_EQUAL(check_prisms(&r, NULL, NULL), v1->nprisms);
	it_free(&r);
}

static void
test_prisms_filter_compatible_with(void)
{
	struct it_resp r;
	size_t i, want = 0;

	for (i = 0; i < v1->nprisms; i++)
		if (v1->prisms[i].compat & (1u << CATALOG_KIND_VIDEO))
			want++;
	it_get(&r, "/v1/prisms?compatible_with=video", A.key);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_EQUAL(check_prisms(&r, NULL, "video"), want);
	it_free(&r);
}

static void
test_prisms_filter_category(void)
{
	struct it_resp r;
	char path[256];
	size_t i, want = 0;

	CU_ASSERT_FATAL(v1->nprisms > 0);
	for (i = 0; i < v1->nprisms; i++)
		if (strcmp(v1->prisms[i].category, v1->prisms[0].category) == 0)
			want++;
	snprintf(path, sizeof(path), "/v1/prisms?category=%s",
	    v1->prisms[0].category);
	it_get(&r, path, A.key);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_EQUAL(check_prisms(&r, v1->prisms[0].category, NULL), want);
	it_free(&r);
	it_get(&r, "/v1/prisms?category=no-such-category", A.key);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_EQUAL(check_prisms(&r, NULL, NULL), 0);
	it_free(&r);
}

static void
test_prisms_bad_filter_400(void)
{
	struct it_resp r;

	it_get(&r, "/v1/prisms?compatible_with=4d", A.key);
	expect_error(&r, 400, "invalid_parameter");
	it_free(&r);
}

/* ---- estimate ----------------------------------------------------------- */

static void
test_estimate_exact_cost_equals_catalog_price(void)
{
	static const char *const bodies[] = {
		"{\"model\":\"fal-ai/kling-3.0\",\"prompt\":\"a cat\",\"duration\":5}",
		"{\"model\":\"fal-ai/kling-3.0\",\"prompt\":\"a cat\",\"duration\":10}",
		"{\"model\":\"fal-ai/flux/schnell\",\"prompt\":\"a lighthouse\"}",
		"{\"model\":\"fal-ai/flux-pro/v1.1\",\"prompt\":\"a lighthouse\"}",
		"{\"model\":\"eleven_v3_multilingual\",\"prompt\":\"Hello there, "
		    "this is a voice line of some length.\"}",
		"{\"model\":\"fal-ai/minimax/video-01\",\"prompt\":\"waves\"}",
	};
	struct catalog_price_req pr;
	struct catalog_quote q;
	struct it_resp r;
	json_object *body;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		body = json_tokener_parse(bodies[i]);
		CU_ASSERT_FATAL(body != NULL);
		CU_ASSERT_EQUAL_FATAL(catalog_price_req_from_json("estimate", body,
		    &pr, err, sizeof(err)), CATALOG_PRICE_OK);
		CU_ASSERT_EQUAL_FATAL(catalog_price(v1, &pr, &q), CATALOG_PRICE_OK);
		json_object_put(body);
		it_post(&r, "/v1/estimate", A.key, bodies[i]);
		CU_ASSERT_EQUAL(r.status, 200);
		CU_ASSERT_TRUE(q.total_micros > 0);
		CU_ASSERT_EQUAL(it_int(&r, "usd_micros", -1), q.total_micros);
		CU_ASSERT_EQUAL(it_int(&r, "estimated_seconds", -1),
		    q.estimated_seconds);
		CU_ASSERT_EQUAL(it_int(&r, "credits", -1), q.credits);
		CU_ASSERT_STRING_EQUAL(it_str(&r, "model"), q.model->id);
		CU_ASSERT_TRUE(has_type(r.json, "would_succeed", json_type_boolean));
		CU_ASSERT_TRUE(has_type(r.json, "reasons_blocked", json_type_array));
		CU_ASSERT_TRUE(has_type(r.json, "usd", json_type_double) ||
		    has_type(r.json, "usd", json_type_int));
		it_free(&r);
	}
}

static int
has_reason(const struct it_resp *r, const char *reason)
{
	json_object *a = member(r->json, "reasons_blocked");
	size_t i;

	for (i = 0; a != NULL && i < json_object_array_length(a); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(a, i)),
		    reason) == 0)
			return 1;
	return 0;
}

static void
test_estimate_would_succeed_when_funded(void)
{
	struct it_resp r;

	it_post(&r, "/v1/estimate", A.key,
	    "{\"model\":\"fal-ai/kling-3.0\",\"prompt\":\"a cat\",\"duration\":5}");
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_TRUE(json_object_get_boolean(member(r.json, "would_succeed")));
	CU_ASSERT_EQUAL(json_object_array_length(member(r.json,
	    "reasons_blocked")), 0);
	/* Concurrency is reported; a workspace without jobs is not blocked. */
	CU_ASSERT_TRUE(it_int(&r, "concurrency.max_concurrent_jobs", 0) >= 1);
	CU_ASSERT_TRUE(it_int(&r, "concurrency.active_jobs", -1) >= 0);
	CU_ASSERT_TRUE(has_type(member(r.json, "concurrency"), "blocked",
	    json_type_boolean));
	CU_ASSERT_FALSE(json_object_get_boolean(member(member(r.json,
	    "concurrency"), "blocked")));
	CU_ASSERT_PTR_NULL(member(r.json, "spend_cap") );
	it_free(&r);
}

static void
test_estimate_insufficient_funds_blocks(void)
{
	struct it_ws w;
	struct it_resp r;

	CU_ASSERT_FATAL(it_workspace(&w, "generate,read", "studio") == 0);
	CU_ASSERT_FATAL(it_mgctl_status("wallet grant %s 0.10 --reason it-short",
	    w.ws) == 0);
	/* kling-3.0 at $0.05/s for 5 s = $0.25 > $0.10. */
	it_post(&r, "/v1/estimate", w.key,
	    "{\"model\":\"fal-ai/kling-3.0\",\"prompt\":\"a cat\",\"duration\":5}");
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_FALSE(json_object_get_boolean(member(r.json, "would_succeed")));
	CU_ASSERT_TRUE(has_reason(&r, "insufficient_credits"));
	CU_ASSERT_EQUAL(it_int(&r, "usd_micros", -1), 250000);
	it_free(&r);
	/* No money moved: balance intact, nothing reserved. */
	it_get(&r, "/v1/wallet", w.key);
	CU_ASSERT_EQUAL(it_int(&r, "balance.balance_micros", -1), 100000);
	CU_ASSERT_EQUAL(it_int(&r, "balance.reserved_micros", -1), 0);
	it_free(&r);
}

static void
test_estimate_unknown_model_blocks(void)
{
	struct it_resp r;

	it_post(&r, "/v1/estimate", A.key,
	    "{\"model\":\"no/such-model\",\"prompt\":\"a cat\"}");
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_FALSE(json_object_get_boolean(member(r.json, "would_succeed")));
	CU_ASSERT_TRUE(has_reason(&r, "unknown_model"));
	it_free(&r);
}

static void
test_estimate_spend_cap_blocks(void)
{
	struct it_resp r;
	json_object *o;
	const char *key;

	o = it_mgctl("key create %s --scopes generate,read --daily-cap 0.10", A.ws);
	CU_ASSERT_FATAL(o != NULL);
	key = json_object_get_string(member(o, "key"));
	it_post(&r, "/v1/estimate", key,
	    "{\"model\":\"fal-ai/kling-3.0\",\"prompt\":\"a cat\",\"duration\":5}");
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_FALSE(json_object_get_boolean(member(r.json, "would_succeed")));
	CU_ASSERT_TRUE(has_reason(&r, "spend_cap_exceeded"));
	CU_ASSERT_FALSE(has_reason(&r, "insufficient_credits"));
	CU_ASSERT_EQUAL(it_int(&r, "spend_cap.daily_cap_usd_micros", -1), 100000);
	it_free(&r);
	json_object_put(o);
}

static void
estimate_400(const char *body, const char *code)
{
	struct it_resp r;

	it_post(&r, "/v1/estimate", A.key, body);
	expect_error(&r, 400, code);
	it_free(&r);
}

static void
test_estimate_missing_model_400(void)
{
	estimate_400("{\"prompt\":\"a cat\"}", "invalid_parameter");
}

static void
test_estimate_missing_prompt_400(void)
{
	estimate_400("{\"model\":\"fal-ai/kling-3.0\"}", "invalid_parameter");
}

static void
test_estimate_empty_prompt_400(void)
{
	estimate_400("{\"model\":\"fal-ai/kling-3.0\",\"prompt\":\"\"}",
	    "invalid_parameter");
}

static void
test_estimate_duration_zero_400(void)
{
	estimate_400("{\"model\":\"fal-ai/kling-3.0\",\"prompt\":\"p\","
	    "\"duration\":0}", "invalid_parameter");
}

static void
test_estimate_duration_over_60_400(void)
{
	estimate_400("{\"model\":\"fal-ai/kling-3.0\",\"prompt\":\"p\","
	    "\"duration\":61}", "invalid_parameter");
}

static void
test_estimate_duration_not_integer_400(void)
{
	estimate_400("{\"model\":\"fal-ai/kling-3.0\",\"prompt\":\"p\","
	    "\"duration\":\"5\"}", "invalid_parameter");
}

static void
test_estimate_model_not_string_400(void)
{
	estimate_400("{\"model\":42,\"prompt\":\"p\"}", "invalid_parameter");
}

static void
test_estimate_duration_outside_model_range_400(void)
{
	/* kling-3.0 takes 5..10 s; 59 passes the seed's 1..60 but not the model. */
	estimate_400("{\"model\":\"fal-ai/kling-3.0\",\"prompt\":\"p\","
	    "\"duration\":59}", "duration_out_of_range");
}

static void
test_estimate_invalid_json_400(void)
{
	estimate_400("{\"model\":", "invalid_json");
}

static void
test_estimate_requires_auth(void)
{
	struct it_resp r;

	it_post(&r, "/v1/estimate", NULL,
	    "{\"model\":\"fal-ai/kling-3.0\",\"prompt\":\"p\"}");
	expect_error(&r, 401, NULL);
	it_free(&r);
}

/* ---- catalog versions --------------------------------------------------- */

/* Run mgctl with stderr captured; returns the exit status, output in buf. */
static int
mgctl_capture(char *buf, size_t cap, const char *args)
{
	char cmd[2048];
	FILE *p;
	size_t n;
	int st;

	snprintf(cmd, sizeof(cmd), "%s/build/bin/mgctl %s 2>&1", root(), args);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	n = fread(buf, 1, cap - 1, p);
	buf[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The shipped file as JSON with its version replaced; caller puts. */
static json_object *
v1_json(const char *version)
{
	char path[1024];
	json_object *o;

	snprintf(path, sizeof(path), "%s/config/catalog/catalog-v1.json", root());
	if ((o = json_object_from_file(path)) != NULL && version != NULL)
		json_object_object_add(o, "version", json_object_new_string(version));
	return o;
}

static void
write_json(const char *path, json_object *o)
{
	CU_ASSERT_EQUAL(json_object_to_file_ext(path, o, JSON_C_TO_STRING_PRETTY), 0);
}

/* Number of stored versions and the active one. */
static int
versions(char *active, size_t cap)
{
	json_object *o = it_mgctl("catalog list"), *arr, *v;
	size_t i, n = 0;

	active[0] = '\0';
	if (o == NULL || (arr = member(o, "versions")) == NULL) {
		json_object_put(o);
		return -1;
	}
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(arr, i);
		if (json_object_get_boolean(member(v, "active")))
			snprintf(active, cap, "%s",
			    json_object_get_string(member(v, "version")));
	}
	json_object_put(o);
	return (int)n;
}

static void
test_catalog_load_broken_file_changes_nothing(void)
{
	char path[256], out[2048], before[128], after[128], act0[128], act1[128];
	json_object *o, *models;
	int n0, n1;

	snprintf(path, sizeof(path), "/tmp/it-catalog-bad-%d.json", (int)getpid());
	o = v1_json("it-broken");
	CU_ASSERT_FATAL(o != NULL);
	models = member(o, "models");
	json_object_object_add(json_object_array_get_idx(models, 0), "kind",
	    json_object_new_string("4d"));
	write_json(path, o);
	json_object_put(o);
	live_version(before, sizeof(before));
	n0 = versions(act0, sizeof(act0));
	CU_ASSERT_TRUE(n0 >= 1);
	{
		char args[512];

		snprintf(args, sizeof(args), "catalog load %s", path);
		CU_ASSERT_NOT_EQUAL(mgctl_capture(out, sizeof(out), args), 0);
	}
	/* The loader's reason names the file and the field. */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, path));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "models[0].kind"));
	n1 = versions(act1, sizeof(act1));
	CU_ASSERT_EQUAL(n1, n0);
	CU_ASSERT_STRING_EQUAL(act1, act0);
	live_version(after, sizeof(after));
	CU_ASSERT_STRING_EQUAL(after, before);
	unlink(path);
}

static void
test_catalog_load_not_json_refused(void)
{
	char path[256], out[2048], args[512], act0[128], act1[128];
	FILE *f;
	int n0;

	snprintf(path, sizeof(path), "/tmp/it-catalog-nojson-%d.json", (int)getpid());
	CU_ASSERT_FATAL((f = fopen(path, "w")) != NULL);
	fputs("{\"version\": \"x\",", f);
	fclose(f);
	n0 = versions(act0, sizeof(act0));
	snprintf(args, sizeof(args), "catalog load %s", path);
	CU_ASSERT_NOT_EQUAL(mgctl_capture(out, sizeof(out), args), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, path));
	CU_ASSERT_EQUAL(versions(act1, sizeof(act1)), n0);
	CU_ASSERT_STRING_EQUAL(act1, act0);
	unlink(path);
}

static void
test_catalog_load_missing_file_refused(void)
{
	char out[2048];

	CU_ASSERT_NOT_EQUAL(mgctl_capture(out, sizeof(out),
	    "catalog load /nonexistent/catalog.json"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "/nonexistent/catalog.json"));
}

static void
test_catalog_load_same_version_other_bytes_refused(void)
{
	char path[256], out[2048], args[512], act0[128], act1[128];
	json_object *o;
	int n0;

	snprintf(path, sizeof(path), "/tmp/it-catalog-dup-%d.json", (int)getpid());
	o = v1_json(v1_version);	/* same version, re-serialised bytes */
	CU_ASSERT_FATAL(o != NULL);
	write_json(path, o);
	json_object_put(o);
	n0 = versions(act0, sizeof(act0));
	snprintf(args, sizeof(args), "catalog load %s", path);
	CU_ASSERT_NOT_EQUAL(mgctl_capture(out, sizeof(out), args), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "already loaded"));
	CU_ASSERT_EQUAL(versions(act1, sizeof(act1)), n0);
	CU_ASSERT_STRING_EQUAL(act1, act0);
	unlink(path);
}

static void
test_catalog_load_new_version_visible(void)
{
	char path[256], version[64], prism[64], args[512], out[2048], act[128];
	json_object *o, *prisms, *p, *cw, *data;
	struct it_resp r;
	size_t i;
	int found = 0;

	snprintf(version, sizeof(version), "it-%d-%ld", (int)getpid(),
	    (long)time(NULL));
	snprintf(prism, sizeof(prism), "it-prism-%d", (int)getpid());
	snprintf(path, sizeof(path), "/tmp/it-catalog-new-%d.json", (int)getpid());
	o = v1_json(version);
	CU_ASSERT_FATAL(o != NULL);
	/* Same prices; one extra prism proves the content switched too. */
	prisms = member(o, "prisms");
	p = json_object_new_object();
	json_object_object_add(p, "id", json_object_new_string(prism));
	json_object_object_add(p, "name", json_object_new_string("IT prism"));
	json_object_object_add(p, "category", json_object_new_string("it"));
	cw = json_object_new_array();
	json_object_array_add(cw, json_object_new_string("image"));
	json_object_object_add(p, "compatible_with", cw);
	json_object_object_add(p, "description", json_object_new_string("test"));
	json_object_array_add(prisms, p);
	write_json(path, o);
	json_object_put(o);
	snprintf(args, sizeof(args), "catalog load %s", path);
	CU_ASSERT_EQUAL(mgctl_capture(out, sizeof(out), args), 0);
	versions(act, sizeof(act));
	CU_ASSERT_STRING_EQUAL(act, version);
	/* Visible without a restart (workers re-check the active id). */
	CU_ASSERT_EQUAL(wait_version(version), 0);
	it_get(&r, "/v1/prisms?category=it", A.key);
	CU_ASSERT_EQUAL(r.status, 200);
	data = member(r.json, "data");
	for (i = 0; data != NULL && i < json_object_array_length(data); i++)
		if (strcmp(json_object_get_string(member(
		    json_object_array_get_idx(data, i), "id")), prism) == 0)
			found = 1;
	/* Both catalog workers may answer: retry until this one has it too. */
	for (i = 0; !found && i < 50; i++) {
		it_free(&r);
		usleep(100000);
		it_get(&r, "/v1/prisms?category=it", A.key);
		data = member(r.json, "data");
		found = data != NULL && json_object_array_length(data) == 1;
	}
	CU_ASSERT_TRUE(found);
	it_free(&r);
	/* Back to the shipped file: the identical bytes are re-activated. */
	snprintf(args, sizeof(args), "--json catalog load %s/config/catalog/"
	    "catalog-v1.json", root());
	CU_ASSERT_EQUAL(mgctl_capture(out, sizeof(out), args), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"reactivated\":true"));
	CU_ASSERT_EQUAL(wait_version(v1_version), 0);
	unlink(path);
}

/* ---- cards / nodes ------------------------------------------------------ */

/* Create a card in ws (key); the new id into id[37]. Returns the status. */
static long
make_card(const char *key, const char *body, char id[37])
{
	struct it_resp r;
	long st;

	it_post(&r, "/v1/nodes", key, body);
	st = r.status;
	id[0] = '\0';
	if (it_str(&r, "card.id"))
		snprintf(id, 37, "%s", it_str(&r, "card.id"));
	it_free(&r);
	return st;
}

static void
test_card_create_shape(void)
{
	struct it_resp r;

	it_post(&r, "/v1/nodes", A.key, "{\"name\":\"Hero\",\"card_type\":"
	    "\"character\",\"description\":\"tall\",\"attributes\":{\"hair\":"
	    "\"red\"},\"preview_url\":\"https://example.com/p.png\"}");
	CU_ASSERT_EQUAL(r.status, 201);
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "card.id"));
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "node.id"));
	if (it_str(&r, "card.id") && it_str(&r, "node.id"))
		CU_ASSERT_STRING_EQUAL(it_str(&r, "card.id"), it_str(&r, "node.id"));
	CU_ASSERT_STRING_EQUAL(it_str(&r, "card.card_type"), "character");
	CU_ASSERT_STRING_EQUAL(it_str(&r, "card.name"), "Hero");
	CU_ASSERT_STRING_EQUAL(it_str(&r, "card.attributes.hair"), "red");
	CU_ASSERT_STRING_EQUAL(it_str(&r, "card.preview_url"),
	    "https://example.com/p.png");
	it_free(&r);
}

static void
test_card_create_legacy_node_type(void)
{
	struct it_resp r;

	it_post(&r, "/v1/nodes", A.key, "{\"name\":\"Keep\",\"node_type\":"
	    "\"location\"}");
	CU_ASSERT_EQUAL(r.status, 201);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "card.card_type"), "location");
	it_free(&r);
}

static void
card_400(const char *body)
{
	struct it_resp r;

	it_post(&r, "/v1/nodes", A.key, body);
	expect_error(&r, 400, NULL);
	it_free(&r);
}

static void
test_card_missing_name_400(void)
{
	card_400("{\"card_type\":\"character\"}");
}

static void
test_card_unknown_type_400(void)
{
	card_400("{\"name\":\"x\",\"card_type\":\"spaceship\"}");
}

static void
test_card_types_disagree_400(void)
{
	card_400("{\"name\":\"x\",\"card_type\":\"character\",\"node_type\":\"style\"}");
}

static void
test_card_bad_preview_url_400(void)
{
	card_400("{\"name\":\"x\",\"preview_url\":\"javascript:alert(1)\"}");
}

static void
test_card_attributes_not_object_400(void)
{
	card_400("{\"name\":\"x\",\"attributes\":[1,2]}");
}

static void
test_card_edge_without_type_400(void)
{
	char id[37], body[256];

	CU_ASSERT_EQUAL_FATAL(make_card(A.key, "{\"name\":\"t\"}", id), 201);
	snprintf(body, sizeof(body), "{\"name\":\"x\",\"edges\":[{\"to_card_id\":"
	    "\"%s\"}]}", id);
	card_400(body);
}

static void
test_card_edge_to_other_workspace_400(void)
{
	char id[37], body[256];

	CU_ASSERT_EQUAL_FATAL(make_card(B.key, "{\"name\":\"theirs\"}", id), 201);
	snprintf(body, sizeof(body), "{\"name\":\"x\",\"edges\":[{\"to_card_id\":"
	    "\"%s\",\"edge_type\":\"uses\"}]}", id);
	card_400(body);
	snprintf(body, sizeof(body), "{\"name\":\"x\",\"parent_id\":\"%s\"}", id);
	card_400(body);
}

static void
test_card_get_with_edges(void)
{
	char a[37], b[37], body[512], path[128];
	struct it_resp r;
	json_object *edges;

	CU_ASSERT_EQUAL_FATAL(make_card(A.key, "{\"name\":\"Target\"}", a), 201);
	snprintf(body, sizeof(body), "{\"name\":\"Source\",\"card_type\":\"scene\","
	    "\"parent_id\":\"%s\",\"edges\":[{\"to_node_id\":\"%s\",\"edge_type\":"
	    "\"features\",\"attributes\":{\"w\":1}}]}", a, a);
	CU_ASSERT_EQUAL_FATAL(make_card(A.key, body, b), 201);
	snprintf(path, sizeof(path), "/v1/nodes/%s", b);
	it_get(&r, path, A.key);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "node.id"), b);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "node.parent_id"), a);
	edges = member(r.json, "edges");
	CU_ASSERT_TRUE(edges != NULL && json_object_array_length(edges) == 1);
	if (edges != NULL && json_object_array_length(edges) == 1) {
		json_object *e = json_object_array_get_idx(edges, 0);

		CU_ASSERT_STRING_EQUAL(json_object_get_string(member(e,
		    "to_card_id")), a);
		CU_ASSERT_STRING_EQUAL(json_object_get_string(member(e,
		    "edge_type")), "features");
	}
	it_free(&r);
}

static void
test_card_list_dual_emit_and_filters(void)
{
	struct it_ws w;
	struct it_resp r;
	char id[37];

	CU_ASSERT_FATAL(it_workspace(&w, "generate,read", "studio") == 0);
	make_card(w.key, "{\"name\":\"c1\",\"card_type\":\"style\"}", id);
	make_card(w.key, "{\"name\":\"c2\",\"card_type\":\"style\"}", id);
	make_card(w.key, "{\"name\":\"c3\",\"card_type\":\"prop\"}", id);
	it_get(&r, "/v1/nodes", w.key);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_EQUAL(json_object_array_length(member(r.json, "nodes")), 3);
	CU_ASSERT_EQUAL(json_object_array_length(member(r.json, "cards")), 3);
	CU_ASSERT_EQUAL(it_int(&r, "count", -1), 3);
	CU_ASSERT_EQUAL(it_int(&r, "limit", -1), 50);
	CU_ASSERT_EQUAL(it_int(&r, "offset", -1), 0);
	it_free(&r);
	it_get(&r, "/v1/nodes?type=style", w.key);
	CU_ASSERT_EQUAL(it_int(&r, "count", -1), 2);
	it_free(&r);
	it_get(&r, "/v1/nodes?limit=1&offset=1", w.key);
	CU_ASSERT_EQUAL(it_int(&r, "count", -1), 1);
	it_free(&r);
	it_get(&r, "/v1/nodes?type=spaceship", w.key);
	expect_error(&r, 400, "invalid_parameter");
	it_free(&r);
	it_get(&r, "/v1/nodes?limit=201", w.key);
	expect_error(&r, 400, "invalid_parameter");
	it_free(&r);
}

static void
test_card_render_shape(void)
{
	char id[37], path[128];
	struct it_resp r;

	CU_ASSERT_EQUAL_FATAL(make_card(A.key, "{\"name\":\"Moon\",\"card_type\":"
	    "\"location\",\"description\":\"cold\"}", id), 201);
	snprintf(path, sizeof(path), "/v1/cards/%s/render", id);
	it_get(&r, path, A.key);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "card.id"), id);
	CU_ASSERT_TRUE(has_type(r.json, "rendered", json_type_object));
	CU_ASSERT_STRING_EQUAL(it_str(&r, "rendered.text"), "Moon: cold");
	CU_ASSERT_STRING_EQUAL(it_str(&r, "rendered.card_type"), "location");
	it_free(&r);
}

static void
test_card_isolation_404(void)
{
	char id[37], path[128];
	struct it_resp r;
	json_object *cards;
	size_t i;

	CU_ASSERT_EQUAL_FATAL(make_card(A.key, "{\"name\":\"Secret\"}", id), 201);
	snprintf(path, sizeof(path), "/v1/nodes/%s", id);
	it_get(&r, path, B.key);
	expect_error(&r, 404, "not_found");
	it_free(&r);
	req(&r, "DELETE", path, B.key, NULL);
	expect_error(&r, 404, "not_found");
	it_free(&r);
	snprintf(path, sizeof(path), "/v1/cards/%s/render", id);
	it_get(&r, path, B.key);
	expect_error(&r, 404, "not_found");
	it_free(&r);
	it_get(&r, "/v1/nodes?limit=200", B.key);
	cards = member(r.json, "cards");
	for (i = 0; cards != NULL && i < json_object_array_length(cards); i++)
		CU_ASSERT_STRING_NOT_EQUAL(json_object_get_string(member(
		    json_object_array_get_idx(cards, i), "id")), id);
	it_free(&r);
	/* Still there for its owner. */
	snprintf(path, sizeof(path), "/v1/nodes/%s", id);
	it_get(&r, path, A.key);
	CU_ASSERT_EQUAL(r.status, 200);
	it_free(&r);
}

static void
test_card_soft_delete(void)
{
	char id[37], path[128];
	struct it_resp r;
	json_object *cards;
	size_t i;

	CU_ASSERT_EQUAL_FATAL(make_card(A.key, "{\"name\":\"Gone\"}", id), 201);
	snprintf(path, sizeof(path), "/v1/nodes/%s", id);
	req(&r, "DELETE", path, A.key, NULL);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_TRUE(json_object_get_boolean(member(r.json, "ok")));
	CU_ASSERT_TRUE(json_object_get_boolean(member(r.json, "soft_deleted")));
	it_free(&r);
	it_get(&r, path, A.key);
	expect_error(&r, 404, "not_found");
	it_free(&r);
	req(&r, "DELETE", path, A.key, NULL);
	expect_error(&r, 404, "not_found");
	it_free(&r);
	it_get(&r, "/v1/nodes?limit=200", A.key);
	cards = member(r.json, "cards");
	for (i = 0; cards != NULL && i < json_object_array_length(cards); i++)
		CU_ASSERT_STRING_NOT_EQUAL(json_object_get_string(member(
		    json_object_array_get_idx(cards, i), "id")), id);
	it_free(&r);
}

static void
test_card_malformed_id_404(void)
{
	struct it_resp r;

	it_get(&r, "/v1/nodes/not-a-uuid", A.key);
	expect_error(&r, 404, "not_found");
	it_free(&r);
}

static void
test_cards_search_503_without_embedding_provider(void)
{
	struct it_resp r;

	it_get(&r, "/v1/cards/search?q=hero", A.key);
	expect_error(&r, 503, "semantic_search_disabled");
	it_free(&r);
}

/* ---- characters --------------------------------------------------------- */

static void
add_character(const char *ws, const char *name, char id[37])
{
	json_object *o = it_mgctl("character add %s %s", ws, name);

	id[0] = '\0';
	if (o != NULL && member(o, "id"))
		snprintf(id, 37, "%s", json_object_get_string(member(o, "id")));
	json_object_put(o);
}

static void
test_characters_pagination(void)
{
	struct it_ws w;
	struct it_resp r;
	char ids[5][37], seen[5][37], path[256], name[16], cursor[128];
	json_object *data, *c;
	int i, n = 0, pages = 0;
	size_t k;

	CU_ASSERT_FATAL(it_workspace(&w, "generate,read", "studio") == 0);
	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "char%d", i);
		add_character(w.ws, name, ids[i]);
		CU_ASSERT_EQUAL_FATAL(strlen(ids[i]), 36);
	}
	cursor[0] = '\0';
	do {
		if (cursor[0])
			snprintf(path, sizeof(path), "/v1/characters?limit=2&cursor=%s",
			    cursor);
		else
			snprintf(path, sizeof(path), "/v1/characters?limit=2");
		it_get(&r, path, w.key);
		CU_ASSERT_EQUAL_FATAL(r.status, 200);
		data = member(r.json, "data");
		CU_ASSERT_TRUE(json_object_array_length(data) <= 2);
		for (k = 0; k < json_object_array_length(data) && n < 5; k++) {
			c = json_object_array_get_idx(data, k);
			CU_ASSERT_TRUE(has_type(c, "id", json_type_string));
			CU_ASSERT_TRUE(has_type(c, "name", json_type_string));
			CU_ASSERT_TRUE(has_type(c, "status", json_type_string));
			CU_ASSERT_TRUE(has_type(c, "created_at", json_type_string));
			snprintf(seen[n++], 37, "%s",
			    json_object_get_string(member(c, "id")));
		}
		cursor[0] = '\0';
		if (it_str(&r, "next_cursor"))
			snprintf(cursor, sizeof(cursor), "%s", it_str(&r, "next_cursor"));
		it_free(&r);
		pages++;
	} while (cursor[0] && pages < 10);
	CU_ASSERT_EQUAL(pages, 3);
	CU_ASSERT_EQUAL(n, 5);
	/* Newest first, every one exactly once. */
	for (i = 0; i < 5 && n == 5; i++)
		CU_ASSERT_STRING_EQUAL(seen[i], ids[4 - i]);
}

static void
test_characters_bad_cursor_400(void)
{
	static const char *const bad[] = { "zzz", "YzEuMA", "YzIuNQ", "Zm9v",
	    "YzEuLTU", "YzEuNQ==", "%20" };
	struct it_resp r;
	char path[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), "/v1/characters?cursor=%s", bad[i]);
		it_get(&r, path, A.key);
		expect_error(&r, 400, "invalid_parameter");
		it_free(&r);
	}
}

static void
test_characters_bad_limit_400(void)
{
	static const char *const bad[] = { "0", "101", "abc", "-1", "" };
	struct it_resp r;
	char path[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), "/v1/characters?limit=%s", bad[i]);
		it_get(&r, path, A.key);
		expect_error(&r, 400, "invalid_parameter");
		it_free(&r);
	}
}

static void
test_characters_isolation_404(void)
{
	char id[37], path[128];
	struct it_resp r;
	json_object *data;
	size_t i;

	add_character(A.ws, "mine", id);
	CU_ASSERT_EQUAL_FATAL(strlen(id), 36);
	snprintf(path, sizeof(path), "/v1/characters/%s", id);
	it_get(&r, path, B.key);
	expect_error(&r, 404, "not_found");
	it_free(&r);
	req(&r, "DELETE", path, B.key, NULL);
	expect_error(&r, 404, "not_found");
	it_free(&r);
	it_get(&r, "/v1/characters?limit=100", B.key);
	data = member(r.json, "data");
	for (i = 0; data != NULL && i < json_object_array_length(data); i++)
		CU_ASSERT_STRING_NOT_EQUAL(json_object_get_string(member(
		    json_object_array_get_idx(data, i), "id")), id);
	it_free(&r);
	it_get(&r, path, A.key);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "id"), id);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "name"), "mine");
	CU_ASSERT_STRING_EQUAL(it_str(&r, "status"), "ready");
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "created_at"));
	it_free(&r);
}

static void
test_character_delete_needs_admin_204(void)
{
	char id[37], path[128];
	struct it_resp r;
	json_object *o;
	const char *nokey;

	add_character(A.ws, "doomed", id);
	CU_ASSERT_EQUAL_FATAL(strlen(id), 36);
	snprintf(path, sizeof(path), "/v1/characters/%s", id);
	o = it_mgctl("key create %s --scopes generate,read", A.ws);
	CU_ASSERT_FATAL(o != NULL);
	nokey = json_object_get_string(member(o, "key"));
	req(&r, "DELETE", path, nokey, NULL);
	expect_error(&r, 403, "insufficient_scope");
	it_free(&r);
	json_object_put(o);
	req(&r, "DELETE", path, A.key, NULL);
	CU_ASSERT_EQUAL(r.status, 204);
	CU_ASSERT_EQUAL(r.len, 0);
	it_free(&r);
	it_get(&r, path, A.key);
	expect_error(&r, 404, "not_found");
	it_free(&r);
	req(&r, "DELETE", path, A.key, NULL);
	expect_error(&r, 404, "not_found");
	it_free(&r);
}

/* ---- jobs: prism apply, character training ------------------------------ */

static const char *
first_prism(unsigned kind_bit)
{
	size_t i;

	for (i = 0; i < v1->nprisms; i++)
		if (v1->prisms[i].compat & kind_bit)
			return v1->prisms[i].id;
	return NULL;
}

static const char *
prism_not(unsigned kind_bit)
{
	size_t i;

	for (i = 0; i < v1->nprisms; i++)
		if (!(v1->prisms[i].compat & kind_bit))
			return v1->prisms[i].id;
	return NULL;
}

static void
test_prism_apply_image_params_202(void)
{
	struct catalog_price_req pr;
	struct catalog_quote q;
	struct it_resp r;
	json_object *b;
	char path[256], err[128];
	const char *id = first_prism(1u << CATALOG_KIND_IMAGE);
	const char *params = "{\"model\":\"fal-ai/flux/schnell\",\"prompt\":\"a cat\"}";
	char body[256];
	long long before, after;

	CU_ASSERT_FATAL(id != NULL);
	b = json_tokener_parse(params);
	CU_ASSERT_FATAL(catalog_price_req_from_json("image", b, &pr, err,
	    sizeof(err)) == CATALOG_PRICE_OK);
	CU_ASSERT_FATAL(catalog_price(v1, &pr, &q) == CATALOG_PRICE_OK);
	json_object_put(b);
	it_get(&r, "/v1/wallet", A.key);
	before = it_int(&r, "balance.reserved_micros", -1);
	it_free(&r);
	snprintf(path, sizeof(path), "/v1/prisms/%s/apply", id);
	snprintf(body, sizeof(body), "{\"image_params\":%s}", params);
	it_post(&r, path, A.key, body);
	CU_ASSERT_EQUAL(r.status, 202);
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "job_id"));
	CU_ASSERT_STRING_EQUAL(it_str(&r, "type"), "prism_apply");
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "status"));
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "created_at"));
	CU_ASSERT_STRING_EQUAL(it_str(&r, "prism_id"), id);
	CU_ASSERT_EQUAL(it_int(&r, "estimated_cost_usd_micros", -1), q.total_micros);
	it_free(&r);
	/* The quote was held (or already settled by a running dispatcher). */
	it_get(&r, "/v1/wallet", A.key);
	after = it_int(&r, "balance.reserved_micros", -1);
	CU_ASSERT_TRUE(after >= 0 && before >= 0);
	it_free(&r);
}

static void
test_prism_apply_unknown_prism_404(void)
{
	struct it_resp r;

	it_post(&r, "/v1/prisms/no-such-prism/apply", A.key,
	    "{\"image_params\":{\"model\":\"fal-ai/flux/schnell\",\"prompt\":\"x\"}}");
	expect_error(&r, 404, "not_found");
	it_free(&r);
}

static void
prism_400(const char *body)
{
	struct it_resp r;
	char path[256];
	const char *id = first_prism(1u << CATALOG_KIND_IMAGE);

	CU_ASSERT_FATAL(id != NULL);
	snprintf(path, sizeof(path), "/v1/prisms/%s/apply", id);
	it_post(&r, path, A.key, body);
	expect_error(&r, 400, NULL);
	it_free(&r);
}

static void
test_prism_apply_none_given_400(void)
{
	prism_400("{}");
}

static void
test_prism_apply_two_given_400(void)
{
	prism_400("{\"image_params\":{\"model\":\"fal-ai/flux/schnell\",\"prompt\":"
	    "\"x\"},\"asset_id\":\"00000000-0000-4000-8000-000000000000\"}");
}

static void
test_prism_apply_params_not_object_400(void)
{
	prism_400("{\"image_params\":\"a cat\"}");
}

static void
test_prism_apply_bad_image_params_400(void)
{
	prism_400("{\"image_params\":{\"prompt\":\"no model\"}}");
}

static void
test_prism_apply_incompatible_kind_400(void)
{
	struct it_resp r;
	char path[256];
	const char *id = prism_not(1u << CATALOG_KIND_VIDEO);

	if (id == NULL) {	/* every shipped prism takes video: use image */
		id = prism_not(1u << CATALOG_KIND_IMAGE);
		CU_ASSERT_FATAL(id != NULL);
		snprintf(path, sizeof(path), "/v1/prisms/%s/apply", id);
		it_post(&r, path, A.key, "{\"image_params\":{\"model\":"
		    "\"fal-ai/flux/schnell\",\"prompt\":\"x\"}}");
	} else {
		snprintf(path, sizeof(path), "/v1/prisms/%s/apply", id);
		it_post(&r, path, A.key, "{\"video_params\":{\"model\":"
		    "\"fal-ai/kling-3.0\",\"prompt\":\"x\"}}");
	}
	expect_error(&r, 400, "invalid_parameter");
	it_free(&r);
}

static void
test_prism_apply_other_workspace_asset_404(void)
{
	struct it_resp r;
	char path[256], body[256];
	const char *id = first_prism(1u << CATALOG_KIND_IMAGE);
	const char *job;

	/* A job of workspace B is not an asset of workspace A. */
	CU_ASSERT_FATAL(it_mgctl_status("wallet grant %s 0.10 --reason "
	    "it-asset", B.ws) == 0);
	it_post(&r, "/v1/images/generate", B.key,
	    "{\"model\":\"fal-ai/flux/schnell\",\"prompt\":\"b\"}");
	CU_ASSERT_EQUAL(r.status, 202);
	job = it_str(&r, "job_id");
	CU_ASSERT_PTR_NOT_NULL(job);
	snprintf(body, sizeof(body), "{\"asset_id\":\"%s\"}", job ? job :
	    "00000000-0000-4000-8000-000000000000");
	it_free(&r);
	snprintf(path, sizeof(path), "/v1/prisms/%s/apply", id);
	it_post(&r, path, A.key, body);
	expect_error(&r, 404, "not_found");
	it_free(&r);
	it_post(&r, path, A.key, "{\"asset_id\":\"00000000-0000-4000-8000-000000000000\"}");
	expect_error(&r, 404, "not_found");
	it_free(&r);
}

static void
test_prism_apply_insufficient_funds_402(void)
{
	struct it_ws w;
	struct it_resp r;
	char path[256];
	const char *id = first_prism(1u << CATALOG_KIND_IMAGE);

	CU_ASSERT_FATAL(it_workspace(&w, "generate,read", "studio") == 0);
	snprintf(path, sizeof(path), "/v1/prisms/%s/apply", id);
	it_post(&r, path, w.key, "{\"image_params\":{\"model\":"
	    "\"fal-ai/flux/schnell\",\"prompt\":\"x\"}}");
	expect_error(&r, 402, "insufficient_funds");
	it_free(&r);
}

static void
test_character_create_202_and_listed(void)
{
	struct it_ws w;
	struct it_resp r;
	char cid[37], path[128];

	CU_ASSERT_FATAL(it_workspace(&w, "generate,read", "studio") == 0);
	CU_ASSERT_FATAL(it_mgctl_status("wallet grant %s 3.00 --reason it-char",
	    w.ws) == 0);
	it_post(&r, "/v1/characters", w.key, "{\"name\":\"Ann\",\"image_urls\":"
	    "[\"https://example.com/a.png\"],\"attributes\":{\"age\":30}}");
	CU_ASSERT_EQUAL(r.status, 202);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "type"), "character_train");
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "job_id"));
	/* Priced by the catalog's training operation: $2.00. */
	CU_ASSERT_EQUAL(it_int(&r, "estimated_cost_usd_micros", -1), 2000000);
	cid[0] = '\0';
	if (it_str(&r, "character_id"))
		snprintf(cid, sizeof(cid), "%s", it_str(&r, "character_id"));
	it_free(&r);
	CU_ASSERT_EQUAL_FATAL(strlen(cid), 36);
	snprintf(path, sizeof(path), "/v1/characters/%s", cid);
	it_get(&r, path, w.key);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "name"), "Ann");
	CU_ASSERT_TRUE(it_str(&r, "status") != NULL &&
	    (strcmp(it_str(&r, "status"), "training") == 0 ||
	    strcmp(it_str(&r, "status"), "ready") == 0 ||
	    strcmp(it_str(&r, "status"), "failed") == 0));
	CU_ASSERT_EQUAL(json_object_array_length(member(r.json, "image_urls")), 1);
	it_free(&r);
	it_get(&r, "/v1/characters", w.key);
	CU_ASSERT_EQUAL(json_object_array_length(member(r.json, "data")), 1);
	it_free(&r);
}

static void
test_character_create_insufficient_funds_leaves_nothing(void)
{
	struct it_ws w;
	struct it_resp r;

	CU_ASSERT_FATAL(it_workspace(&w, "generate,read", "studio") == 0);
	it_post(&r, "/v1/characters", w.key, "{\"name\":\"Ann\",\"image_urls\":"
	    "[\"https://example.com/a.png\"]}");
	expect_error(&r, 402, "insufficient_funds");
	it_free(&r);
	it_get(&r, "/v1/characters", w.key);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_EQUAL(json_object_array_length(member(r.json, "data")), 0);
	it_free(&r);
}

static void
character_400(const char *body)
{
	struct it_resp r;

	it_post(&r, "/v1/characters", A.key, body);
	expect_error(&r, 400, "invalid_parameter");
	it_free(&r);
}

static void
test_character_create_missing_name_400(void)
{
	character_400("{\"image_urls\":[\"https://example.com/a.png\"]}");
}

static void
test_character_create_no_images_400(void)
{
	character_400("{\"name\":\"Ann\",\"image_urls\":[]}");
}

static void
test_character_create_six_images_400(void)
{
	character_400("{\"name\":\"Ann\",\"image_urls\":[\"https://e.com/1\","
	    "\"https://e.com/2\",\"https://e.com/3\",\"https://e.com/4\","
	    "\"https://e.com/5\",\"https://e.com/6\"]}");
}

static void
test_character_create_non_url_400(void)
{
	character_400("{\"name\":\"Ann\",\"image_urls\":[\"ftp://e.com/1\"]}");
}

static void
test_character_create_long_name_400(void)
{
	char body[512];

	snprintf(body, sizeof(body), "{\"name\":\"%0121d\",\"image_urls\":"
	    "[\"https://e.com/1\"]}", 0);
	character_400(body);
}

static void
test_character_create_idempotent_replay(void)
{
	struct it_ws w;
	struct it_resp r;
	char url[512], auth[256], job1[37] = "", ch1[37] = "";
	const char *hdrs[4];
	const char *body = "{\"name\":\"Bo\",\"image_urls\":[\"https://e.com/b.png\"]}";
	int i;

	CU_ASSERT_FATAL(it_workspace(&w, "generate,read", "studio") == 0);
	CU_ASSERT_FATAL(it_mgctl_status("wallet grant %s 5.00 --reason it-idem",
	    w.ws) == 0);
	snprintf(url, sizeof(url), "%s/v1/characters", it_base());
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", w.key);
	hdrs[0] = auth;
	hdrs[1] = "Content-Type: application/json";
	hdrs[2] = "Idempotency-Key: it-char-replay-1";
	hdrs[3] = NULL;
	for (i = 0; i < 2; i++) {
		it_req(&r, "POST", url, hdrs, body, strlen(body));
		CU_ASSERT_EQUAL(r.status, 202);
		if (i == 0) {
			if (it_str(&r, "job_id"))
				snprintf(job1, sizeof(job1), "%s", it_str(&r, "job_id"));
			if (it_str(&r, "character_id"))
				snprintf(ch1, sizeof(ch1), "%s",
				    it_str(&r, "character_id"));
		} else {
			CU_ASSERT_TRUE(it_str(&r, "job_id") != NULL &&
			    strcmp(it_str(&r, "job_id"), job1) == 0);
			CU_ASSERT_TRUE(it_str(&r, "character_id") != NULL &&
			    strcmp(it_str(&r, "character_id"), ch1) == 0);
		}
		it_free(&r);
	}
	CU_ASSERT_EQUAL(strlen(job1), 36);
	it_get(&r, "/v1/characters", w.key);
	CU_ASSERT_EQUAL(json_object_array_length(member(r.json, "data")), 1);
	it_free(&r);
	/* One hold: $2.00 reserved or settled, never twice. */
	it_get(&r, "/v1/wallet", w.key);
	CU_ASSERT_TRUE(it_int(&r, "balance.reserved_micros", -1) <= 2000000);
	CU_ASSERT_TRUE(it_int(&r, "balance.balance_micros", -1) >= 3000000);
	it_free(&r);
}

static const struct mgt_case jobs_cases[] = {
	{ "prism apply: image_params queues a prism_apply job at the catalog price", test_prism_apply_image_params_202 },
	{ "prism apply: unknown prism is 404", test_prism_apply_unknown_prism_404 },
	{ "prism apply: none of asset_id/image_params/video_params is 400", test_prism_apply_none_given_400 },
	{ "prism apply: two of them is 400", test_prism_apply_two_given_400 },
	{ "prism apply: params not an object is 400", test_prism_apply_params_not_object_400 },
	{ "prism apply: invalid image_params is 400", test_prism_apply_bad_image_params_400 },
	{ "prism apply: prism incompatible with the kind is 400", test_prism_apply_incompatible_kind_400 },
	{ "prism apply: another workspace's asset is 404", test_prism_apply_other_workspace_asset_404 },
	{ "prism apply: empty wallet is 402", test_prism_apply_insufficient_funds_402 },
	{ "characters: create queues a character_train job and the character", test_character_create_202_and_listed },
	{ "characters: 402 leaves no character behind", test_character_create_insufficient_funds_leaves_nothing },
	{ "characters: Idempotency-Key replay answers the same job and character", test_character_create_idempotent_replay },
	{ "characters: missing name is 400", test_character_create_missing_name_400 },
	{ "characters: no image_urls is 400", test_character_create_no_images_400 },
	{ "characters: six image_urls is 400", test_character_create_six_images_400 },
	{ "characters: non-http image url is 400", test_character_create_non_url_400 },
	{ "characters: name over 120 characters is 400", test_character_create_long_name_400 },
	{ NULL, NULL }
};

static const struct mgt_case discovery[] = {
	{ "pricing is public: no auth, currency, micros_per_unit, operations, generated_at", test_pricing_public_without_auth },
	{ "models: every Model has model_id, type, provider, cost_usd_per_unit, unit", test_models_shape },
	{ "models require auth", test_models_requires_auth },
	{ "models: unknown type filter is 400", test_models_bad_type_filter_400 },
	{ "prisms: every Prism has id, name, category, compatible_with", test_prisms_shape },
	{ "prisms: compatible_with filter", test_prisms_filter_compatible_with },
	{ "prisms: category filter", test_prisms_filter_category },
	{ "prisms: compatible_with outside the enum is 400", test_prisms_bad_filter_400 },
	{ NULL, NULL }
};

static const struct mgt_case estimate[] = {
	{ "estimate cost equals catalog_price for several requests", test_estimate_exact_cost_equals_catalog_price },
	{ "estimate would_succeed when funded", test_estimate_would_succeed_when_funded },
	{ "estimate: short wallet gives would_succeed false + insufficient_credits, no money moved", test_estimate_insufficient_funds_blocks },
	{ "estimate: unknown model gives unknown_model", test_estimate_unknown_model_blocks },
	{ "estimate: key daily cap gives spend_cap_exceeded", test_estimate_spend_cap_blocks },
	{ "estimate: missing model is 400", test_estimate_missing_model_400 },
	{ "estimate: missing prompt is 400", test_estimate_missing_prompt_400 },
	{ "estimate: empty prompt is 400", test_estimate_empty_prompt_400 },
	{ "estimate: duration 0 is 400", test_estimate_duration_zero_400 },
	{ "estimate: duration 61 is 400", test_estimate_duration_over_60_400 },
	{ "estimate: duration not an integer is 400", test_estimate_duration_not_integer_400 },
	{ "estimate: model not a string is 400", test_estimate_model_not_string_400 },
	{ "estimate: duration outside the model's range is 400", test_estimate_duration_outside_model_range_400 },
	{ "estimate: malformed JSON is 400", test_estimate_invalid_json_400 },
	{ "estimate requires auth", test_estimate_requires_auth },
	{ NULL, NULL }
};

static const struct mgt_case versions_cases[] = {
	{ "catalog load: broken file exits non-zero, names the field, active version unchanged", test_catalog_load_broken_file_changes_nothing },
	{ "catalog load: non-JSON file refused, nothing stored", test_catalog_load_not_json_refused },
	{ "catalog load: missing file refused", test_catalog_load_missing_file_refused },
	{ "catalog load: same version with other bytes refused", test_catalog_load_same_version_other_bytes_refused },
	{ "catalog load: a new version is visible in responses without restart", test_catalog_load_new_version_visible },
	{ NULL, NULL }
};

static const struct mgt_case cards[] = {
	{ "cards: create answers card and node", test_card_create_shape },
	{ "cards: legacy node_type accepted", test_card_create_legacy_node_type },
	{ "cards: missing name is 400", test_card_missing_name_400 },
	{ "cards: unknown card type is 400", test_card_unknown_type_400 },
	{ "cards: card_type and node_type disagree is 400", test_card_types_disagree_400 },
	{ "cards: non-http preview_url is 400", test_card_bad_preview_url_400 },
	{ "cards: attributes not an object is 400", test_card_attributes_not_object_400 },
	{ "cards: edge without edge_type is 400", test_card_edge_without_type_400 },
	{ "cards: edge or parent to another workspace's card is 400", test_card_edge_to_other_workspace_400 },
	{ "cards: get returns the outgoing edges", test_card_get_with_edges },
	{ "cards: list dual-emits nodes/cards, filters, limit/offset", test_card_list_dual_emit_and_filters },
	{ "cards: render answers card + rendered", test_card_render_shape },
	{ "cards: another workspace's card is 404 (get, delete, render, list)", test_card_isolation_404 },
	{ "cards: soft delete hides the card, second delete 404", test_card_soft_delete },
	{ "cards: malformed id is 404", test_card_malformed_id_404 },
	{ "cards search: 503 semantic_search_disabled without embedding provider", test_cards_search_503_without_embedding_provider },
	{ NULL, NULL }
};

static const struct mgt_case characters[] = {
	{ "characters: cursor pagination, newest first, each once", test_characters_pagination },
	{ "characters: bad cursor is 400", test_characters_bad_cursor_400 },
	{ "characters: bad limit is 400", test_characters_bad_limit_400 },
	{ "characters: another workspace's character is 404", test_characters_isolation_404 },
	{ "characters: delete needs admin, 204, then 404", test_character_delete_needs_admin_204 },
	{ NULL, NULL }
};

int
main(void)
{
	mgt_suite("catalog discovery", setup, NULL, discovery);
	mgt_suite("catalog estimate", NULL, NULL, estimate);
	mgt_suite("catalog versions", NULL, NULL, versions_cases);
	mgt_suite("catalog cards", NULL, NULL, cards);
	mgt_suite("catalog characters", NULL, NULL, characters);
	mgt_suite("catalog jobs", NULL, teardown, jobs_cases);
	return mgt_run();
}
