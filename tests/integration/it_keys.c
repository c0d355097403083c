/*
 * Integration: API keys in every dialect (issue 3 part A) — create, list,
 * revoke, rotate, tenancy (another workspace's key → 404), malformed
 * credentials, "any valid key works on every dialect", the $5 trial and the
 * per-key daily request quota. Runs against the stack tests/it.sh starts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgtest.h"
#include "itk.h"

static struct it_ws A, B;	/* two workspaces, admin keys (studio prefix) */

static int
setup(void)
{
	return it_workspace(&A, NULL, "studio") || it_workspace(&B, NULL,
	    "studio");
}

/* A new key through a route; key and id copied out. Returns the status. */
static long
make_key(const char *method, const char *path, const char *key,
    const char *body, char out[128], char id[37])
{
	struct it_resp r;
	long st;

	if (itk_key(&r, method, path, key, body) != 0)
		return -1;
	st = r.status;
	itk_copy(&r, "key", out, 128);
	itk_copy(&r, "keyId", id, 37);
	it_free(&r);
	return st;
}

/* The error code of a request with a raw Authorization header. */
static void
expect_401(const char *path, const char *hdr, const char *code)
{
	struct it_resp r;

	CU_ASSERT_FATAL(itk_req(&r, "GET", path, hdr, NULL) == 0);
	CU_ASSERT_EQUAL(r.status, 401);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "error.code") ?
	    it_str(&r, "error.code") : "", code);
	it_free(&r);
}

static void
test_malformed_authorization_headers(void)
{
	static const char *const bad[] = {
		"Authorization: Basic dXNlcjpwYXNz",
		"Authorization: Bearer  sk_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"Authorization: Bearer",
		"Authorization: Bearer ",
		"Authorization: junk",
		"Authorization: Bearer sk_live_abc def",
		NULL
	};
	size_t i;

	for (i = 0; bad[i] != NULL; i++) {
		expect_401("/v1/me", bad[i], "unauthorized");
		expect_401("/api/v1/keys", bad[i], "unauthorized");
		expect_401("/api/api-keys", bad[i], "UNAUTHENTICATED");
	}
	expect_401("/v1/me", NULL, "unauthorized");
	expect_401("/api/api-keys", NULL, "UNAUTHENTICATED");
}

static void
test_key_wrong_length_alphabet_prefix(void)
{
	static const char *const bad[] = {
		/* 42 characters after the prefix */
		"Authorization: Bearer sk_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		/* 44 characters */
		"Authorization: Bearer kt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		/* '+' and '/' are not base64url */
		"Authorization: Bearer ncs_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+/",
		/* unknown prefix */
		"Authorization: Bearer pk_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		/* well formed but never issued */
		"Authorization: Bearer sk_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"X-API-Key: kt_",
		NULL
	};
	size_t i;

	for (i = 0; bad[i] != NULL; i++) {
		expect_401("/v1/me", bad[i], "unauthorized");
		expect_401("/api/api-keys", bad[i], "UNAUTHENTICATED");
	}
}

/* Any valid key works on every dialect, whatever prefix it was minted with. */
static void
test_keys_cross_dialect(void)
{
	char kt[128], ncs[128], id1[37], id2[37];

	CU_ASSERT_EQUAL(make_key("POST", "/api/v1/keys", A.key,
	    "{\"label\":\"prepaid\"}", kt, id1), 201);
	CU_ASSERT_EQUAL(strncmp(kt, "kt_", 3), 0);
	CU_ASSERT_EQUAL(make_key("POST", "/api/api-keys", A.key,
	    "{\"label\":\"credits\"}", ncs, id2), 201);
	CU_ASSERT_EQUAL(strncmp(ncs, "ncs_", 4), 0);
	/* kt_ on studio and credits */
	CU_ASSERT_EQUAL(itk_status("GET", "/v1/me", kt, NULL), 200);
	CU_ASSERT_EQUAL(itk_status("GET", "/api/api-keys", kt, NULL), 200);
	CU_ASSERT_EQUAL(itk_status("GET", "/api/auth/me", kt, NULL), 200);
	/* ncs_ on studio and prepaid */
	CU_ASSERT_EQUAL(itk_status("GET", "/v1/me", ncs, NULL), 200);
	CU_ASSERT_EQUAL(itk_status("GET", "/api/v1/keys", ncs, NULL), 200);
	/* sk_live_ on prepaid and credits */
	CU_ASSERT_EQUAL(itk_status("GET", "/api/v1/keys", A.key, NULL), 200);
	CU_ASSERT_EQUAL(itk_status("GET", "/api/api-keys", A.key, NULL), 200);
}

static void
test_credits_auth_me_optional(void)
{
	struct it_resp r;

	CU_ASSERT_FATAL(itk_key(&r, "GET", "/api/auth/me", NULL, NULL) == 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"authenticated\":false"));
	it_free(&r);
	CU_ASSERT_FATAL(itk_key(&r, "GET", "/api/auth/me", A.key, NULL) == 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"authenticated\":true"));
	CU_ASSERT_STRING_EQUAL(it_str(&r, "uid") ? it_str(&r, "uid") : "",
	    A.ws);
	it_free(&r);
}

/* Lists carry prefix/last4/label, never the plaintext. */
static void
test_list_shapes_no_secret(void)
{
	struct it_resp r;
	char key[128], id[37];

	CU_ASSERT_EQUAL(make_key("POST", "/api/api-keys", A.key,
	    "{\"label\":\"listed\"}", key, id), 201);
	CU_ASSERT_FATAL(itk_key(&r, "GET", "/api/api-keys", A.key, NULL) == 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, id));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"label\":\"listed\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"last4\":"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"createdAt\":"));
	CU_ASSERT_PTR_NULL(strstr(r.body, key));
	CU_ASSERT_PTR_NULL(strstr(r.body, key + 4));
	it_free(&r);
	CU_ASSERT_FATAL(itk_key(&r, "GET", "/api/v1/keys", A.key, NULL) == 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"prefix\":\"ncs_\""));
	CU_ASSERT_PTR_NULL(strstr(r.body, key + 4));
	/* B's keys are not listed for A */
	CU_ASSERT_PTR_NULL(strstr(r.body, B.key_id));
	it_free(&r);
}

static void
test_create_validation(void)
{
	char big[400], body[512], key[128], id[37];

	memset(big, 'x', 201);
	big[201] = '\0';
	snprintf(body, sizeof(body), "{\"label\":\"%s\"}", big);
	CU_ASSERT_EQUAL(make_key("POST", "/api/v1/keys", A.key, body, key, id),
	    400);
	CU_ASSERT_EQUAL(make_key("POST", "/api/api-keys", A.key, body, key, id),
	    400);
	big[200] = '\0';	/* exactly 200 bytes is fine */
	snprintf(body, sizeof(body), "{\"label\":\"%s\"}", big);
	CU_ASSERT_EQUAL(make_key("POST", "/api/api-keys", A.key, body, key, id),
	    201);
	CU_ASSERT_EQUAL(make_key("POST", "/api/v1/keys", A.key,
	    "{\"label\":\"\"}", key, id), 400);
	CU_ASSERT_EQUAL(make_key("POST", "/api/v1/keys", A.key,
	    "{\"nope\":1}", key, id), 400);
	CU_ASSERT_EQUAL(make_key("POST", "/api/v1/keys", A.key,
	    "{\"label\":5}", key, id), 400);
	CU_ASSERT_EQUAL(make_key("POST", "/api/v1/keys", A.key,
	    "{\"scopes\":[\"root\"]}", key, id), 400);
	CU_ASSERT_EQUAL(make_key("POST", "/api/v1/keys", A.key,
	    "{\"expiresIn\":5}", key, id), 400);
	CU_ASSERT_EQUAL(make_key("POST", "/api/v1/keys", A.key,
	    "{\"dailySpendCapUsd\":\"abc\"}", key, id), 400);
	CU_ASSERT_EQUAL(make_key("POST", "/api/v1/keys", A.key, "{", key, id),
	    400);
	/* no key and no idToken */
	CU_ASSERT_EQUAL(make_key("POST", "/api/v1/keys", NULL,
	    "{\"label\":\"x\"}", key, id), 401);
}

/* Scopes: a new key's scopes ⊆ its creator's; key management needs admin. */
static void
test_scopes_subset_and_admin(void)
{
	struct it_ws R;
	json_object *o;
	char key[128], id[37], readadmin[128];

	CU_ASSERT_FATAL(it_workspace(&R, "generate,read", "prepaid") == 0);
	CU_ASSERT_EQUAL(make_key("POST", "/api/v1/keys", R.key, "{}", key, id),
	    403);
	CU_ASSERT_EQUAL(make_key("POST", "/api/api-keys", R.key, "{}", key, id),
	    403);
	CU_ASSERT_EQUAL(itk_status("POST", "/api/v1/keys/revoke", R.key,
	    "{\"keyId\":\"00000000-0000-0000-0000-000000000000\"}"), 403);
	o = it_mgctl("key create %s --scopes read,admin", R.ws);
	CU_ASSERT_FATAL(o != NULL);
	snprintf(readadmin, sizeof(readadmin), "%s",
	    json_object_get_string(json_object_object_get(o, "key")));
	json_object_put(o);
	CU_ASSERT_EQUAL(make_key("POST", "/api/v1/keys", readadmin,
	    "{\"scopes\":[\"generate\"]}", key, id), 403);
	CU_ASSERT_EQUAL(make_key("POST", "/api/v1/keys", readadmin,
	    "{\"scopes\":[\"read\"]}", key, id), 201);
	CU_ASSERT_EQUAL(itk_status("POST", "/v1/me", key, NULL), 405);
	CU_ASSERT_EQUAL(itk_status("GET", "/api/v1/keys", key, NULL), 200);
	/* a read-only key cannot mint */
	CU_ASSERT_EQUAL(make_key("POST", "/api/v1/keys", key, "{}", key, id),
	    403);
}

static void
test_rotate_ok_grace(void)
{
	struct it_resp r;
	char newkey[128], oldexp[64], path[128];

	snprintf(path, sizeof(path), "/v1/api-keys/%s/rotate", A.key_id);
	CU_ASSERT_FATAL(itk_key(&r, "POST", path, A.key, NULL) == 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_EQUAL(itk_copy(&r, "new_key", newkey, sizeof(newkey)), 0);
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "new_key_id"));
	CU_ASSERT_EQUAL(itk_copy(&r, "old_expires_at", oldexp, sizeof(oldexp)),
	    0);
	CU_ASSERT_EQUAL(strlen(oldexp), 20);
	it_free(&r);
	CU_ASSERT_EQUAL(strncmp(newkey, "sk_live_", 8), 0);
	/* both work during the grace window */
	CU_ASSERT_EQUAL(itk_status("GET", "/v1/me", newkey, NULL), 200);
	CU_ASSERT_EQUAL(itk_status("GET", "/v1/me", A.key, NULL), 200);
	/* rotate twice → 409 */
	CU_ASSERT_EQUAL(itk_status("POST", path, newkey, NULL), 409);
	/* keep using the new key as A's admin key */
	snprintf(A.key, sizeof(A.key), "%s", newkey);
}

static void
test_rotate_grace_expiry_cuts_off(void)
{
	struct it_ws W;
	char path[128];

	struct it_resp r;
	char newkey[128];

	CU_ASSERT_FATAL(it_workspace(&W, NULL, "credits") == 0);
	snprintf(path, sizeof(path), "/v1/api-keys/%s/rotate", W.key_id);
	CU_ASSERT_FATAL(itk_key(&r, "POST", path, W.key, NULL) == 0);
	CU_ASSERT_EQUAL(r.status, 200);
	itk_copy(&r, "new_key", newkey, sizeof(newkey));
	it_free(&r);
	/* the grace window ends: the old key stops working everywhere */
	CU_ASSERT_EQUAL_FATAL(itk_sql("UPDATE api_keys SET expires_at = "
	    "NOW(6) - INTERVAL 1 SECOND WHERE id = '%s'", W.key_id), 0);
	CU_ASSERT_EQUAL(itk_status("GET", "/v1/me", W.key, NULL), 401);
	CU_ASSERT_EQUAL(itk_status("GET", "/api/api-keys", W.key, NULL), 401);
	CU_ASSERT_EQUAL(itk_status("GET", "/api/v1/keys", W.key, NULL), 401);
	/* listed as inactive, the successor as active */
	CU_ASSERT_FATAL(itk_key(&r, "GET", "/api/v1/keys", newkey, NULL) == 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"active\":false"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"active\":true"));
	it_free(&r);
}

static void
test_rotate_other_workspace_404(void)
{
	char path[128];
	struct it_resp r;

	snprintf(path, sizeof(path), "/v1/api-keys/%s/rotate", B.key_id);
	CU_ASSERT_FATAL(itk_key(&r, "POST", path, A.key, NULL) == 0);
	CU_ASSERT_EQUAL(r.status, 404);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "error.code") ?
	    it_str(&r, "error.code") : "", "not_found");
	it_free(&r);
	CU_ASSERT_EQUAL(itk_status("POST",
	    "/v1/api-keys/00000000-0000-0000-0000-000000000000/rotate", A.key,
	    NULL), 404);
	CU_ASSERT_EQUAL(itk_status("POST", "/v1/api-keys/not-a-uuid/rotate",
	    A.key, NULL), 404);
	/* B's key still works and was not rotated */
	CU_ASSERT_EQUAL(itk_status("GET", "/v1/me", B.key, NULL), 200);
}

static void
test_rotate_revoked_409(void)
{
	char key[128], id[37], path[128], body[128];

	CU_ASSERT_EQUAL(make_key("POST", "/api/v1/keys", A.key, "{}", key, id),
	    201);
	snprintf(body, sizeof(body), "{\"keyId\":\"%s\"}", id);
	CU_ASSERT_EQUAL(itk_status("POST", "/api/v1/keys/revoke", A.key, body),
	    200);
	snprintf(path, sizeof(path), "/v1/api-keys/%s/rotate", id);
	CU_ASSERT_EQUAL(itk_status("POST", path, A.key, NULL), 409);
}

static void
test_rotate_requires_admin(void)
{
	struct it_ws R;
	char path[128];

	CU_ASSERT_FATAL(it_workspace(&R, "generate,read", "studio") == 0);
	snprintf(path, sizeof(path), "/v1/api-keys/%s/rotate", R.key_id);
	CU_ASSERT_EQUAL(itk_status("POST", path, R.key, NULL), 403);
}

/* A revoked key is refused by every dialect, at once (no cache). */
static void
test_revoked_key_401_everywhere(void)
{
	char key[128], id[37], body[128];
	struct it_resp r;

	CU_ASSERT_EQUAL(make_key("POST", "/api/api-keys", A.key, "{}", key, id),
	    201);
	CU_ASSERT_EQUAL(itk_status("GET", "/v1/me", key, NULL), 200);
	snprintf(body, sizeof(body), "{\"keyId\":\"%s\"}", id);
	CU_ASSERT_FATAL(itk_key(&r, "DELETE", "/api/api-keys", A.key, body) ==
	    0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"ok\":true"));
	it_free(&r);
	CU_ASSERT_EQUAL(itk_status("GET", "/v1/me", key, NULL), 401);
	CU_ASSERT_EQUAL(itk_status("GET", "/v1/wallet", key, NULL), 401);
	CU_ASSERT_EQUAL(itk_status("GET", "/api/v1/keys", key, NULL), 401);
	CU_ASSERT_EQUAL(itk_status("GET", "/api/api-keys", key, NULL), 401);
	CU_ASSERT_EQUAL(itk_status("GET", "/api/auth/me", key, NULL), 401);
	/* the list marks it revoked */
	CU_ASSERT_FATAL(itk_key(&r, "GET", "/api/v1/keys", A.key, NULL) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, id));
	it_free(&r);
	/* credits lists active keys only */
	CU_ASSERT_FATAL(itk_key(&r, "GET", "/api/api-keys", A.key, NULL) == 0);
	CU_ASSERT_PTR_NULL(strstr(r.body, id));
	it_free(&r);
}

static void
test_revoke_other_workspace_404(void)
{
	char body[128], path[128];
	struct it_resp r;

	snprintf(body, sizeof(body), "{\"keyId\":\"%s\"}", B.key_id);
	CU_ASSERT_FATAL(itk_key(&r, "POST", "/api/v1/keys/revoke", A.key,
	    body) == 0);
	CU_ASSERT_EQUAL(r.status, 404);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "error.code") ?
	    it_str(&r, "error.code") : "", "not_found");
	it_free(&r);
	CU_ASSERT_FATAL(itk_key(&r, "DELETE", "/api/api-keys", A.key, body) ==
	    0);
	CU_ASSERT_EQUAL(r.status, 404);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "error.code") ?
	    it_str(&r, "error.code") : "", "NOT_FOUND");
	it_free(&r);
	snprintf(path, sizeof(path), "/api/api-keys?keyId=%s", B.key_id);
	CU_ASSERT_EQUAL(itk_status("DELETE", path, A.key, NULL), 404);
	/* still alive */
	CU_ASSERT_EQUAL(itk_status("GET", "/v1/me", B.key, NULL), 200);
}

static void
test_delete_unknown_and_query_form(void)
{
	char key[128], id[37], path[128];

	CU_ASSERT_EQUAL(itk_status("DELETE", "/api/api-keys", A.key,
	    "{\"keyId\":\"00000000-0000-0000-0000-000000000000\"}"), 404);
	CU_ASSERT_EQUAL(itk_status("DELETE", "/api/api-keys", A.key,
	    "{\"keyId\":\"junk\"}"), 404);
	CU_ASSERT_EQUAL(itk_status("DELETE", "/api/api-keys", A.key, "{}"), 400);
	CU_ASSERT_EQUAL(itk_status("POST", "/api/v1/keys/revoke", A.key,
	    "{\"keyId\":7}"), 400);
	CU_ASSERT_EQUAL(make_key("POST", "/api/api-keys", A.key, NULL, key, id),
	    201);
	snprintf(path, sizeof(path), "/api/api-keys?keyId=%s", id);
	CU_ASSERT_EQUAL(itk_status("DELETE", path, A.key, NULL), 200);
	CU_ASSERT_EQUAL(itk_status("GET", "/v1/me", key, NULL), 401);
}

/* Balance of a workspace in micros via GET /v1/wallet. */
static long long
balance(const char *key)
{
	struct it_resp r;
	long long b;

	if (itk_key(&r, "GET", "/v1/wallet", key, NULL) != 0)
		return -1;
	b = r.status == 200 ? it_int(&r, "balance.balance_micros", -1) : -1;
	it_free(&r);
	return b;
}

static void
test_trial_grant_once(void)
{
	struct it_ws W;
	char key[128], id[37];

	CU_ASSERT_FATAL(it_workspace(&W, NULL, "studio") == 0);
	/* mgctl keys do not grant */
	CU_ASSERT_EQUAL(balance(W.key), 0);
	CU_ASSERT_EQUAL(make_key("POST", "/api/api-keys", W.key, "{}", key, id),
	    201);
	CU_ASSERT_EQUAL(balance(W.key), 5000000);
	CU_ASSERT_EQUAL(make_key("POST", "/api/v1/keys", W.key, "{}", key, id),
	    201);
	CU_ASSERT_EQUAL(balance(W.key), 5000000);
	CU_ASSERT_EQUAL(it_mgctl_status("ledger verify"), 0);
}

static void
test_quota_exceeded_429_retry_after(void)
{
	struct it_ws W;
	struct it_resp r;
	json_object *o;
	char key[128], ra[32];
	long long v;
	int i;

	CU_ASSERT_FATAL(it_workspace(&W, NULL, "studio") == 0);
	o = it_mgctl("key create %s --scopes read,admin --quota 3", W.ws);
	CU_ASSERT_FATAL(o != NULL);
	snprintf(key, sizeof(key), "%s",
	    json_object_get_string(json_object_object_get(o, "key")));
	json_object_put(o);
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(itk_status("GET", "/v1/me", key, NULL), 200);
	CU_ASSERT_FATAL(itk_key(&r, "GET", "/v1/me", key, NULL) == 0);
	CU_ASSERT_EQUAL(r.status, 429);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "error.code") ?
	    it_str(&r, "error.code") : "", "rate_limited");
	CU_ASSERT_EQUAL_FATAL(it_header(&r, "Retry-After", ra, sizeof(ra)), 0);
	v = strtoll(ra, NULL, 10);
	CU_ASSERT(v >= 1 && v <= 86400);
	it_free(&r);
	/* the same on the other dialects, in their shapes */
	CU_ASSERT_FATAL(itk_key(&r, "GET", "/api/api-keys", key, NULL) == 0);
	CU_ASSERT_EQUAL(r.status, 429);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "error.code") ?
	    it_str(&r, "error.code") : "", "RATE_LIMITED");
	CU_ASSERT_EQUAL(it_header(&r, "Retry-After", ra, sizeof(ra)), 0);
	it_free(&r);
	CU_ASSERT_EQUAL(itk_status("GET", "/api/v1/keys", key, NULL), 429);
	/* another key of the same workspace is not affected */
	CU_ASSERT_EQUAL(itk_status("GET", "/v1/me", W.key, NULL), 200);
	/* a new UTC day starts a new count */
	CU_ASSERT_EQUAL_FATAL(itk_sql("UPDATE key_usage SET day = day - "
	    "INTERVAL 1 DAY WHERE key_id = (SELECT id FROM api_keys WHERE "
	    "workspace_id = '%s' AND daily_request_quota = 3)", W.ws), 0);
	CU_ASSERT_EQUAL(itk_status("GET", "/v1/me", key, NULL), 200);
}

/*
 * A larger quota is counted in per-worker batches (quota/100 = 3 here):
 * never fewer than the quota served, and the overshoot bounded by the
 * other workers' unwritten requests (≤ 2 each; at most 8 workers).
 */
static void
test_quota_batched_bounds(void)
{
	struct it_ws W;
	json_object *o;
	char key[128];
	long st;
	int i, ok = 0, limited = 0;

	CU_ASSERT_FATAL(it_workspace(&W, NULL, "studio") == 0);
	o = it_mgctl("key create %s --scopes read --quota 300", W.ws);
	CU_ASSERT_FATAL(o != NULL);
	snprintf(key, sizeof(key), "%s",
	    json_object_get_string(json_object_object_get(o, "key")));
	json_object_put(o);
	for (i = 0; i < 340; i++) {
		st = itk_status("GET", "/v1/me", key, NULL);
		if (st == 200)
			ok++;
		else if (st == 429)
			limited++;
	}
	CU_ASSERT(ok >= 300);
	CU_ASSERT(ok <= 316);
	CU_ASSERT_EQUAL(ok + limited, 340);
}

static void
test_expiring_key(void)
{
	char key[128], id[37];

	CU_ASSERT_EQUAL(make_key("POST", "/api/v1/keys", A.key,
	    "{\"expiresIn\":3600,\"dailySpendCapUsd\":2.5,"
	    "\"dailyRequestQuota\":50}", key, id), 201);
	CU_ASSERT_EQUAL(itk_status("GET", "/v1/me", key, NULL), 200);
	CU_ASSERT_EQUAL_FATAL(itk_sql("UPDATE api_keys SET expires_at = "
	    "NOW(6) - INTERVAL 1 SECOND WHERE id = '%s'", id), 0);
	CU_ASSERT_EQUAL(itk_status("GET", "/v1/me", key, NULL), 401);
}

/*
 * `mgctl wallet reap` (and the dispatcher's timer) purge request counts of
 * days before yesterday and keep yesterday's and today's. Re-inserting the
 * same primary key tells which rows are gone.
 */
static void
test_usage_rows_purged(void)
{
	json_object *o, *v;
	const char *kid = "00000000-0000-4000-8000-0000000usage";

	CU_ASSERT_EQUAL_FATAL(itk_sql("INSERT INTO key_usage (key_id, day, shard,"
	    " count) VALUES ('%s', UTC_DATE() - INTERVAL 3 DAY, 0, 5),"
	    " ('%s', UTC_DATE() - INTERVAL 1 DAY, 0, 5)", kid, kid), 0);
	o = it_mgctl("wallet reap");
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_TRUE(json_object_object_get_ex(o, "key_usage_rows_deleted", &v));
	CU_ASSERT_TRUE(json_object_get_int(v) >= 1);
	json_object_put(o);
	/* The old row is gone: inserting it again succeeds ... */
	CU_ASSERT_EQUAL(itk_sql("INSERT INTO key_usage (key_id, day, shard, count)"
	    " VALUES ('%s', UTC_DATE() - INTERVAL 3 DAY, 0, 1)", kid), 0);
	/* ... yesterday's is kept: inserting it again is a duplicate. */
	CU_ASSERT_NOT_EQUAL(itk_sql("INSERT INTO key_usage (key_id, day, shard,"
	    " count) VALUES ('%s', UTC_DATE() - INTERVAL 1 DAY, 0, 1)", kid), 0);
	itk_sql("DELETE FROM key_usage WHERE key_id = '%s'", kid);
}

int
main(void)
{
	static const struct mgt_case cases[] = {
		{ "malformed_authorization_headers", test_malformed_authorization_headers },
		{ "key_wrong_length_alphabet_prefix", test_key_wrong_length_alphabet_prefix },
		{ "keys_cross_dialect", test_keys_cross_dialect },
		{ "credits_auth_me_optional", test_credits_auth_me_optional },
		{ "list_shapes_no_secret", test_list_shapes_no_secret },
		{ "create_validation", test_create_validation },
		{ "scopes_subset_and_admin", test_scopes_subset_and_admin },
		{ "rotate_ok_grace", test_rotate_ok_grace },
		{ "rotate_grace_expiry_cuts_off", test_rotate_grace_expiry_cuts_off },
		{ "rotate_other_workspace_404", test_rotate_other_workspace_404 },
		{ "rotate_revoked_409", test_rotate_revoked_409 },
		{ "rotate_requires_admin", test_rotate_requires_admin },
		{ "revoked_key_401_everywhere", test_revoked_key_401_everywhere },
		{ "revoke_other_workspace_404", test_revoke_other_workspace_404 },
		{ "delete_unknown_and_query_form", test_delete_unknown_and_query_form },
		{ "trial_grant_once", test_trial_grant_once },
		{ "quota_exceeded_429_retry_after", test_quota_exceeded_429_retry_after },
		{ "quota_batched_bounds", test_quota_batched_bounds },
		{ "expiring_key", test_expiring_key },
		{ "usage_rows_purged", test_usage_rows_purged },
		{ NULL, NULL }
	};

	mgt_suite("keys", setup, NULL, cases);
	return mgt_run();
}
