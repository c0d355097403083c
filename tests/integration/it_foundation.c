/*
 * Foundation, end to end through nginx to real workers and MariaDB:
 * health routes, authentication on /v1/me, the wallet route, and every
 * bad-input rule of the runtime (each a named test). The suite's clean-up
 * checks that no worker process died while it ran.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it.h"
#include "mgtest.h"

static struct it_ws W;
static char pids_before[4][1024];
static const char *const pools[4] = { "auth", "wallet", "generation", "catalog" };

static int
setup(void)
{
	size_t i;

	for (i = 0; i < 4; i++)
		it_worker_pids(pools[i], pids_before[i], sizeof(pids_before[i]));
	if (it_workspace(&W, "generate,read,admin", "studio") != 0)
		return 1;
	return it_mgctl_status("wallet grant %s 5.00 --reason it-foundation",
	    W.ws) == 0 ? 0 : 1;
}

static void
expect_error(const struct it_resp *r, long status, const char *code)
{
	CU_ASSERT_EQUAL(r->status, status);
	CU_ASSERT_PTR_NOT_NULL(it_str(r, "error.code"));
	CU_ASSERT_PTR_NOT_NULL(it_str(r, "error.message"));
	if (code != NULL && it_str(r, "error.code") != NULL)
		CU_ASSERT_STRING_EQUAL(it_str(r, "error.code"), code);
}

static void
test_health(void)
{
	struct it_resp r;
	char rid[80];

	CU_ASSERT_EQUAL(it_get(&r, "/health", NULL), 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "status"), "ok");
	CU_ASSERT_EQUAL(it_header(&r, "X-Request-Id", rid, sizeof(rid)), 0);
	CU_ASSERT_TRUE(strlen(rid) > 0);
	it_free(&r);
}

static void
test_prepaid_health_shape(void)
{
	struct it_resp r;

	it_get(&r, "/api/v1/health", NULL);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "status"), "ok");
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "service"));
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "timestamp"));
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "version.release"));
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "version.api"));
	CU_ASSERT_STRING_EQUAL(it_str(&r, "version.skill.compatibilityPolicy"), "exact");
	it_free(&r);
}

static void
test_health_detailed(void)
{
	struct it_resp r;

	it_get(&r, "/health/detailed", NULL);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "status"), "ok");
	CU_ASSERT_TRUE(it_int(&r, "database.migration_version", 0) >= 1);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "pools.auth"), "up");
	CU_ASSERT_STRING_EQUAL(it_str(&r, "pools.wallet"), "up");
	CU_ASSERT_STRING_EQUAL(it_str(&r, "pools.generation"), "up");
	it_free(&r);
}

static void
test_me_bearer(void)
{
	struct it_resp r;

	it_get(&r, "/v1/me", W.key);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "workspace.id"), W.ws);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "api_key.prefix"), "sk_live_");
	CU_ASSERT_STRING_EQUAL(it_str(&r, "api_key.scopes.0"), "generate");
	it_free(&r);
}

static void
test_me_x_api_key(void)
{
	struct it_resp r;
	char url[512], h[256];
	const char *hdrs[] = { h, NULL };

	snprintf(url, sizeof(url), "%s/v1/me", it_base());
	snprintf(h, sizeof(h), "X-API-Key: %s", W.key);
	it_req(&r, "GET", url, hdrs, NULL, 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "workspace.id"), W.ws);
	it_free(&r);
}

static void
test_me_missing_key_401(void)
{
	struct it_resp r;

	it_get(&r, "/v1/me", NULL);
	expect_error(&r, 401, "unauthorized");
	it_free(&r);
}

static void
test_me_unknown_key_valid_prefix_401(void)
{
	struct it_resp r;

	/* Right prefix, right length and alphabet, unknown body. */
	it_get(&r, "/v1/me", "sk_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	expect_error(&r, 401, "unauthorized");
	it_free(&r);
}

static void
test_me_wrong_length_or_alphabet_401(void)
{
	struct it_resp r;

	it_get(&r, "/v1/me", "sk_live_short");
	expect_error(&r, 401, "unauthorized");
	it_free(&r);
	it_get(&r, "/v1/me", "sk_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA*");
	expect_error(&r, 401, "unauthorized");
	it_free(&r);
	it_get(&r, "/v1/me", "zz_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	expect_error(&r, 401, "unauthorized");
	it_free(&r);
}

static void
test_me_malformed_authorization_401(void)
{
	static const char *const bad[] = {
		"Authorization: Basic dXNlcjpwYXNz",
		"Authorization: Bearer",
		"Authorization: Bearer  two-spaces",
		"Authorization: sk_live_noscheme",
		NULL
	};
	struct it_resp r;
	char url[512];
	const char *hdrs[2];
	size_t i;

	snprintf(url, sizeof(url), "%s/v1/me", it_base());
	for (i = 0; bad[i] != NULL; i++) {
		hdrs[0] = bad[i];
		hdrs[1] = NULL;
		it_req(&r, "GET", url, hdrs, NULL, 0);
		expect_error(&r, 401, "unauthorized");
		it_free(&r);
	}
}

static void
test_me_revoked_key_401(void)
{
	struct it_ws w2;
	struct it_resp r;

	CU_ASSERT_EQUAL_FATAL(it_workspace(&w2, "read", "studio"), 0);
	it_get(&r, "/v1/me", w2.key);
	CU_ASSERT_EQUAL(r.status, 200);
	it_free(&r);
	CU_ASSERT_EQUAL(it_mgctl_status("key revoke %s", w2.key_id), 0);
	it_get(&r, "/v1/me", w2.key);
	expect_error(&r, 401, "unauthorized");
	it_free(&r);
	/* Revoking twice is an error, not a silent success. */
	CU_ASSERT_NOT_EQUAL(it_mgctl_status("key revoke %s", w2.key_id), 0);
}

static void
test_wallet_shape(void)
{
	struct it_resp r;

	it_get(&r, "/v1/wallet", W.key);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_EQUAL(it_int(&r, "balance.balance_micros", -1), 5000000);
	CU_ASSERT_EQUAL(it_int(&r, "balance.available_micros", -1), 5000000);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "balance.currency"), "USD");
	CU_ASSERT_STRING_EQUAL(it_str(&r, "recent_transactions.0.type"), "grant");
	CU_ASSERT_EQUAL(it_int(&r, "recent_transactions.0.amount_micros", -1), 5000000);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"balance_usd\":5.00"));
	it_free(&r);
}

static void
test_wallet_limit_applies(void)
{
	struct it_resp r;
	json_object *arr;

	CU_ASSERT_EQUAL(it_mgctl_status("wallet grant %s 0.01 --reason a", W.ws), 0);
	CU_ASSERT_EQUAL(it_mgctl_status("wallet grant %s 0.02 --reason b", W.ws), 0);
	it_get(&r, "/v1/wallet?limit=2", W.key);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_TRUE(json_object_object_get_ex(r.json, "recent_transactions", &arr));
	CU_ASSERT_EQUAL(json_object_array_length(arr), 2);
	/* Newest first. */
	CU_ASSERT_EQUAL(it_int(&r, "recent_transactions.0.amount_micros", -1), 20000);
	it_free(&r);
	it_get(&r, "/v1/wallet?limit=200", W.key);
	CU_ASSERT_EQUAL(r.status, 200);
	it_free(&r);
	it_get(&r, "/v1/wallet?limit=1", W.key);
	CU_ASSERT_EQUAL(r.status, 200);
	it_free(&r);
}

static void
test_wallet_limit_out_of_range_400(void)
{
	static const char *const bad[] = { "0", "201", "-1", "abc", "1.5",
	    "", "99999999999999999999", "%20" "5", NULL };
	struct it_resp r;
	char path[128];
	size_t i;

	for (i = 0; bad[i] != NULL; i++) {
		snprintf(path, sizeof(path), "/v1/wallet?limit=%s", bad[i]);
		it_get(&r, path, W.key);
		expect_error(&r, 400, "invalid_parameter");
		it_free(&r);
	}
}

static void
test_wallet_needs_key_401(void)
{
	struct it_resp r;

	it_get(&r, "/v1/wallet", NULL);
	expect_error(&r, 401, "unauthorized");
	it_free(&r);
}

static void
test_unknown_route_404(void)
{
	struct it_resp r;

	it_get(&r, "/v1/definitely-not-a-route", W.key);
	CU_ASSERT_EQUAL(r.status, 404);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "error.code"), "not_found");
	it_free(&r);
	it_get(&r, "/v1/me/extra", W.key);
	CU_ASSERT_EQUAL(r.status, 404);
	it_free(&r);
}

static void
test_wrong_method_405(void)
{
	struct it_resp r;
	char allow[64];

	it_post(&r, "/v1/me", W.key, "{}");
	expect_error(&r, 405, "method_not_allowed");
	CU_ASSERT_EQUAL(it_header(&r, "Allow", allow, sizeof(allow)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(allow, "GET"));
	it_free(&r);
}

static void
test_body_over_cap_413(void)
{
	struct it_resp r;
	size_t n = 1024 * 1024 + 4096;
	char *big = malloc(n + 1);

	memset(big, 'a', n);
	big[n] = '\0';
	it_post(&r, "/v1/me", W.key, big);
	CU_ASSERT_EQUAL(r.status, 413);
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "error.code"));
	it_free(&r);
	free(big);
}

static void
test_query_over_cap_400(void)
{
	struct it_resp r;
	char *path = malloc(6000);
	size_t n;

	n = (size_t)snprintf(path, 6000, "/v1/wallet?limit=5&pad=");
	memset(path + n, 'x', 5000);
	path[n + 5000] = '\0';
	it_get(&r, path, W.key);
	CU_ASSERT_TRUE(r.status == 400 || r.status == 414);
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "error.code"));
	it_free(&r);
	free(path);
}

static void
test_header_over_cap_431(void)
{
	struct it_resp r;
	char url[512], *h = malloc(40000);
	const char *hdrs[2] = { h, NULL };
	size_t n;

	snprintf(url, sizeof(url), "%s/v1/me", it_base());
	n = (size_t)snprintf(h, 40000, "X-Pad: ");
	memset(h + n, 'y', 32000);
	h[n + 32000] = '\0';
	it_req(&r, "GET", url, hdrs, NULL, 0);
	CU_ASSERT_TRUE(r.status == 431 || r.status == 400);
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "error.code"));
	it_free(&r);
	free(h);
}

static void
test_request_id_echoed(void)
{
	struct it_resp r;
	char url[512], rid[128];
	const char *good[] = { "X-Request-Id: it-req-12345", NULL };
	const char *bad[] = { "X-Request-Id: bad id with spaces", NULL };

	snprintf(url, sizeof(url), "%s/health", it_base());
	it_req(&r, "GET", url, good, NULL, 0);
	it_header(&r, "X-Request-Id", rid, sizeof(rid));
	CU_ASSERT_STRING_EQUAL(rid, "it-req-12345");
	it_free(&r);
	it_req(&r, "GET", url, bad, NULL, 0);
	it_header(&r, "X-Request-Id", rid, sizeof(rid));
	CU_ASSERT_STRING_NOT_EQUAL(rid, "bad id with spaces");
	CU_ASSERT_TRUE(strlen(rid) > 0);
	it_free(&r);
}

static void
test_tenant_server_detail_shape(void)
{
	struct it_resp r;
	char url[512];
	const char *tb = getenv("MG_TEST_TENANT_BASE");

	CU_ASSERT_PTR_NOT_NULL_FATAL(tb);
	snprintf(url, sizeof(url), "%s/api/definitely-not-a-route", tb);
	it_req(&r, "GET", url, NULL, NULL, 0);
	CU_ASSERT_EQUAL(r.status, 404);
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "detail"));
	CU_ASSERT_PTR_NULL(it_str(&r, "error.code"));
	it_free(&r);
}

static void
test_https_serves(void)
{
	struct it_resp r;
	char url[512];
	const char *hb = getenv("MG_TEST_HTTPS_BASE");

	CU_ASSERT_PTR_NOT_NULL_FATAL(hb);
	snprintf(url, sizeof(url), "%s/health", hb);
	/* Self-signed: it_req does not verify when MG_TEST_INSECURE is set. */
	setenv("MG_TEST_INSECURE", "1", 1);
	it_req(&r, "GET", url, NULL, NULL, 0);
	unsetenv("MG_TEST_INSECURE");
	CU_ASSERT_EQUAL(r.status, 200);
	it_free(&r);
}

static void
test_workers_survived(void)
{
	char now[1024];
	size_t i;

	for (i = 0; i < 4; i++) {
		it_worker_pids(pools[i], now, sizeof(now));
		CU_ASSERT_STRING_EQUAL(now, pids_before[i]);
		CU_ASSERT_TRUE(strlen(now) > 0);
	}
}

static void
test_mgctl_errors(void)
{
	/* Each error exits non-zero with a message. */
	CU_ASSERT_NOT_EQUAL(it_mgctl_status("workspace create no-such-tenant x"), 0);
	CU_ASSERT_NOT_EQUAL(it_mgctl_status("key create no-such-ws"), 0);
	CU_ASSERT_NOT_EQUAL(it_mgctl_status("key create %s --scopes fly", W.ws), 0);
	CU_ASSERT_NOT_EQUAL(it_mgctl_status("wallet grant %s -5 --reason x", W.ws), 0);
	CU_ASSERT_NOT_EQUAL(it_mgctl_status("wallet grant %s 5", W.ws), 0);
	CU_ASSERT_NOT_EQUAL(it_mgctl_status("wallet grant %s 1.0000001 --reason x", W.ws), 0);
	CU_ASSERT_NOT_EQUAL(it_mgctl_status("frobnicate"), 0);
	CU_ASSERT_EQUAL(it_mgctl_status("migrate"), 0);	/* safe twice */
	CU_ASSERT_EQUAL(it_mgctl_status("ledger verify"), 0);
}

static void
test_grant_ref_applies_once(void)
{
	json_object *o;
	struct it_resp r;
	long long before, after;

	it_get(&r, "/v1/wallet", W.key);
	before = it_int(&r, "balance.balance_micros", -1);
	it_free(&r);
	o = it_mgctl("wallet grant %s 1.00 --reason once --ref it-once-%s", W.ws, W.ws);
	CU_ASSERT_PTR_NOT_NULL(o);
	json_object_put(o);
	o = it_mgctl("wallet grant %s 1.00 --reason once --ref it-once-%s", W.ws, W.ws);
	CU_ASSERT_PTR_NOT_NULL(o);
	if (o != NULL) {
		json_object *applied;

		CU_ASSERT_TRUE(json_object_object_get_ex(o, "applied", &applied));
		CU_ASSERT_FALSE(json_object_get_boolean(applied));
	}
	json_object_put(o);
	it_get(&r, "/v1/wallet", W.key);
	after = it_int(&r, "balance.balance_micros", -1);
	CU_ASSERT_EQUAL(after - before, 1000000);
	it_free(&r);
}

static const struct mgt_case cases[] = {
	{ "health", test_health },
	{ "prepaid_health_shape", test_prepaid_health_shape },
	{ "health_detailed", test_health_detailed },
	{ "me_bearer", test_me_bearer },
	{ "me_x_api_key", test_me_x_api_key },
	{ "me_missing_key_401", test_me_missing_key_401 },
	{ "me_unknown_key_valid_prefix_401", test_me_unknown_key_valid_prefix_401 },
	{ "me_wrong_length_or_alphabet_401", test_me_wrong_length_or_alphabet_401 },
	{ "me_malformed_authorization_401", test_me_malformed_authorization_401 },
	{ "me_revoked_key_401", test_me_revoked_key_401 },
	{ "wallet_shape", test_wallet_shape },
	{ "wallet_limit_applies", test_wallet_limit_applies },
	{ "wallet_limit_out_of_range_400", test_wallet_limit_out_of_range_400 },
	{ "wallet_needs_key_401", test_wallet_needs_key_401 },
	{ "unknown_route_404", test_unknown_route_404 },
	{ "wrong_method_405", test_wrong_method_405 },
	{ "body_over_cap_413", test_body_over_cap_413 },
	{ "query_over_cap_400", test_query_over_cap_400 },
	{ "header_over_cap_431", test_header_over_cap_431 },
	{ "request_id_echoed", test_request_id_echoed },
	{ "tenant_server_detail_shape", test_tenant_server_detail_shape },
	{ "https_serves", test_https_serves },
	{ "mgctl_errors", test_mgctl_errors },
	{ "grant_ref_applies_once", test_grant_ref_applies_once },
	{ "workers_survived", test_workers_survived },
	{ NULL, NULL }
};

int
main(void)
{
	mgt_suite("foundation", setup, NULL, cases);
	return mgt_run();
}
