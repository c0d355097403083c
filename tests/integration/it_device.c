/*
 * Integration: prepaid device link (RFC 8628 semantics) — start, status by
 * user code, approve/deny with a key, poll: authorization_pending,
 * slow_down, access_denied, expired_token, the key exactly once, then
 * invalid_grant.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgtest.h"
#include "itk.h"

static struct it_ws A;	/* the approver */

static int
setup(void)
{
	return it_workspace(&A, NULL, "prepaid");
}

struct link {
	char	device[128];
	char	user[16];
};

static int
link_start(struct link *l, const char *body)
{
	struct it_resp r;
	int rc;

	if (itk_key(&r, "POST", "/api/v1/device/link/start", NULL, body) != 0)
		return -1;
	rc = r.status == 200 ? 0 : -1;
	rc |= itk_copy(&r, "deviceCode", l->device, sizeof(l->device));
	rc |= itk_copy(&r, "userCode", l->user, sizeof(l->user));
	it_free(&r);
	return rc;
}

/* Poll; the error code (or "ok") copied to code; returns the status. */
static long
poll_link(const struct link *l, char *code, size_t cap, char *key,
    size_t keycap)
{
	char body[256];
	struct it_resp r;
	long st;

	snprintf(body, sizeof(body), "{\"deviceCode\":\"%s\"}", l->device);
	if (itk_key(&r, "POST", "/api/v1/device/link/poll", NULL, body) != 0)
		return -1;
	st = r.status;
	snprintf(code, cap, "%s", it_str(&r, "error.code") ?
	    it_str(&r, "error.code") : "ok");
	if (key != NULL)
		itk_copy(&r, "key", key, keycap);
	it_free(&r);
	return st;
}

static long
decide(const struct link *l, const char *key, int deny, char *code,
    size_t cap)
{
	char body[256];
	struct it_resp r;
	long st;

	snprintf(body, sizeof(body), "{\"userCode\":\"%s\"%s}", l->user,
	    deny ? ",\"deny\":true" : "");
	if (itk_key(&r, "POST", "/api/v1/device/link/approve", key, body) != 0)
		return -1;
	st = r.status;
	if (code != NULL)
		snprintf(code, cap, "%s", it_str(&r, "error.code") ?
		    it_str(&r, "error.code") : "ok");
	it_free(&r);
	return st;
}

/* The status word of GET /request?userCode=. */
static long
request_status(const char *uc, char *status, size_t cap)
{
	char path[128];
	struct it_resp r;
	long st;

	snprintf(path, sizeof(path), "/api/v1/device/link/request?userCode=%s",
	    uc);
	if (itk_key(&r, "GET", path, NULL, NULL) != 0)
		return -1;
	st = r.status;
	snprintf(status, cap, "%s", it_str(&r, "status") ? it_str(&r, "status") :
	    "");
	it_free(&r);
	return st;
}

static void
test_start_shape(void)
{
	struct it_resp r;
	const char *uc;

	CU_ASSERT_FATAL(itk_key(&r, "POST", "/api/v1/device/link/start", NULL,
	    "{\"keyLabel\":\"laptop\"}") == 0);
	CU_ASSERT_EQUAL(r.status, 200);
	uc = it_str(&r, "userCode");
	CU_ASSERT_FATAL(uc != NULL);
	CU_ASSERT_EQUAL(strlen(uc), 9);
	CU_ASSERT_EQUAL(uc[4], '-');
	CU_ASSERT(strlen(it_str(&r, "deviceCode") ? it_str(&r, "deviceCode") :
	    "") >= 40);
	CU_ASSERT(it_int(&r, "expires_in", 0) > 0);
	CU_ASSERT(it_int(&r, "interval", 0) >= 1);
	it_free(&r);
	/* no body is fine; bad bodies are not */
	CU_ASSERT_EQUAL(itk_status("POST", "/api/v1/device/link/start", NULL,
	    NULL), 200);
	CU_ASSERT_EQUAL(itk_status("POST", "/api/v1/device/link/start", NULL,
	    "{\"keyLabel\":\"\"}"), 400);
	CU_ASSERT_EQUAL(itk_status("POST", "/api/v1/device/link/start", NULL,
	    "{\"other\":1}"), 400);
}

static void
test_request_status(void)
{
	struct link l;
	char st[32], lower[16];
	size_t i;

	CU_ASSERT_FATAL(link_start(&l, NULL) == 0);
	CU_ASSERT_EQUAL(request_status(l.user, st, sizeof(st)), 200);
	CU_ASSERT_STRING_EQUAL(st, "pending");
	/* case and dash do not matter (RFC 8628 §6.1) */
	for (i = 0; l.user[i]; i++)
		lower[i] = (char)(l.user[i] >= 'A' && l.user[i] <= 'Z' ?
		    l.user[i] + 32 : l.user[i]);
	lower[i] = '\0';
	memmove(lower + 4, lower + 5, strlen(lower + 5) + 1);
	CU_ASSERT_EQUAL(request_status(lower, st, sizeof(st)), 200);
	CU_ASSERT_STRING_EQUAL(st, "pending");
	CU_ASSERT_EQUAL(request_status("BBBB-BBBB", st, sizeof(st)), 404);
	CU_ASSERT_EQUAL(request_status("AAAA-0000", st, sizeof(st)), 404);
	CU_ASSERT_EQUAL(itk_status("GET", "/api/v1/device/link/request", NULL,
	    NULL), 400);
}

static void
test_poll_pending_then_slow_down(void)
{
	struct link l;
	char code[64];

	CU_ASSERT_FATAL(link_start(&l, NULL) == 0);
	CU_ASSERT_EQUAL(poll_link(&l, code, sizeof(code), NULL, 0), 400);
	CU_ASSERT_STRING_EQUAL(code, "authorization_pending");
	/* again at once: faster than the interval */
	CU_ASSERT_EQUAL(poll_link(&l, code, sizeof(code), NULL, 0), 400);
	CU_ASSERT_STRING_EQUAL(code, "slow_down");
}

static void
test_approve_then_key_once(void)
{
	struct link l;
	struct it_resp r;
	char code[64], key[128], st[32];

	CU_ASSERT_FATAL(link_start(&l, "{\"keyLabel\":\"cli\"}") == 0);
	/* approve needs a key */
	CU_ASSERT_EQUAL(decide(&l, NULL, 0, code, sizeof(code)), 401);
	CU_ASSERT_EQUAL(decide(&l, A.key, 0, code, sizeof(code)), 200);
	CU_ASSERT_EQUAL(request_status(l.user, st, sizeof(st)), 200);
	CU_ASSERT_STRING_EQUAL(st, "approved");
	/* approve twice → 409 */
	CU_ASSERT_EQUAL(decide(&l, A.key, 0, code, sizeof(code)), 409);
	key[0] = '\0';
	CU_ASSERT_EQUAL(poll_link(&l, code, sizeof(code), key, sizeof(key)),
	    200);
	CU_ASSERT_EQUAL(strncmp(key, "kt_", 3), 0);
	/* the key acts for the approver's workspace, on every dialect */
	CU_ASSERT_FATAL(itk_key(&r, "GET", "/v1/me", key, NULL) == 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "workspace.id") ?
	    it_str(&r, "workspace.id") : "", A.ws);
	it_free(&r);
	CU_ASSERT_EQUAL(itk_status("GET", "/api/api-keys", key, NULL), 200);
	/* replayed poll after success: invalid_grant, no second key */
	CU_ASSERT_EQUAL(poll_link(&l, code, sizeof(code), NULL, 0), 400);
	CU_ASSERT_STRING_EQUAL(code, "invalid_grant");
	CU_ASSERT_EQUAL(request_status(l.user, st, sizeof(st)), 200);
	CU_ASSERT_STRING_EQUAL(st, "consumed");
	/* listed with its label in the approver's workspace */
	CU_ASSERT_FATAL(itk_key(&r, "GET", "/api/v1/keys", A.key, NULL) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"label\":\"cli\""));
	it_free(&r);
}

static void
test_device_key_scopes_are_approvers(void)
{
	struct link l;
	struct it_resp r;
	json_object *o;
	char code[64], key[128], ra[128];

	o = it_mgctl("key create %s --scopes read,admin", A.ws);
	CU_ASSERT_FATAL(o != NULL);
	snprintf(ra, sizeof(ra), "%s",
	    json_object_get_string(json_object_object_get(o, "key")));
	json_object_put(o);
	CU_ASSERT_FATAL(link_start(&l, NULL) == 0);
	CU_ASSERT_EQUAL(decide(&l, ra, 0, code, sizeof(code)), 200);
	CU_ASSERT_EQUAL(poll_link(&l, code, sizeof(code), key, sizeof(key)),
	    200);
	CU_ASSERT_FATAL(itk_key(&r, "GET", "/v1/me", key, NULL) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"scopes\":[\"read\",\"admin\"]"));
	it_free(&r);
}

static void
test_approve_requires_admin(void)
{
	struct it_ws R;
	struct link l;
	char code[64];

	CU_ASSERT_FATAL(it_workspace(&R, "generate,read", "prepaid") == 0);
	CU_ASSERT_FATAL(link_start(&l, NULL) == 0);
	CU_ASSERT_EQUAL(decide(&l, R.key, 0, code, sizeof(code)), 403);
	CU_ASSERT_EQUAL(poll_link(&l, code, sizeof(code), NULL, 0), 400);
	CU_ASSERT_STRING_EQUAL(code, "authorization_pending");
}

static void
test_denied(void)
{
	struct link l;
	char code[64];

	CU_ASSERT_FATAL(link_start(&l, NULL) == 0);
	CU_ASSERT_EQUAL(decide(&l, A.key, 1, code, sizeof(code)), 200);
	CU_ASSERT_EQUAL(poll_link(&l, code, sizeof(code), NULL, 0), 400);
	CU_ASSERT_STRING_EQUAL(code, "access_denied");
	CU_ASSERT_EQUAL(decide(&l, A.key, 0, code, sizeof(code)), 409);
}

static void
test_expired_device_code(void)
{
	struct link l;
	char code[64], st[32], norm[16];

	CU_ASSERT_FATAL(link_start(&l, NULL) == 0);
	snprintf(norm, sizeof(norm), "%.4s%.4s", l.user, l.user + 5);
	CU_ASSERT_EQUAL_FATAL(itk_sql("UPDATE device_links SET expires_at = "
	    "NOW(6) - INTERVAL 1 SECOND WHERE user_code = '%s'", norm), 0);
	CU_ASSERT_EQUAL(poll_link(&l, code, sizeof(code), NULL, 0), 400);
	CU_ASSERT_STRING_EQUAL(code, "expired_token");
	CU_ASSERT_EQUAL(decide(&l, A.key, 0, code, sizeof(code)), 400);
	CU_ASSERT_STRING_EQUAL(code, "expired_token");
	CU_ASSERT_EQUAL(request_status(l.user, st, sizeof(st)), 200);
	CU_ASSERT_STRING_EQUAL(st, "expired");
}

static void
test_expired_after_approval(void)
{
	struct link l;
	char code[64], norm[16];

	CU_ASSERT_FATAL(link_start(&l, NULL) == 0);
	CU_ASSERT_EQUAL(decide(&l, A.key, 0, code, sizeof(code)), 200);
	snprintf(norm, sizeof(norm), "%.4s%.4s", l.user, l.user + 5);
	CU_ASSERT_EQUAL_FATAL(itk_sql("UPDATE device_links SET expires_at = "
	    "NOW(6) - INTERVAL 1 SECOND WHERE user_code = '%s'", norm), 0);
	CU_ASSERT_EQUAL(poll_link(&l, code, sizeof(code), NULL, 0), 400);
	CU_ASSERT_STRING_EQUAL(code, "expired_token");
}

static void
test_poll_bad_codes(void)
{
	struct link l;
	char code[64];

	snprintf(l.device, sizeof(l.device), "%s",
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	CU_ASSERT_EQUAL(poll_link(&l, code, sizeof(code), NULL, 0), 400);
	CU_ASSERT_STRING_EQUAL(code, "invalid_grant");
	snprintf(l.device, sizeof(l.device), "short");
	CU_ASSERT_EQUAL(poll_link(&l, code, sizeof(code), NULL, 0), 400);
	CU_ASSERT_STRING_EQUAL(code, "invalid_parameter");
	CU_ASSERT_EQUAL(itk_status("POST", "/api/v1/device/link/poll", NULL,
	    "{}"), 400);
	CU_ASSERT_EQUAL(itk_status("POST", "/api/v1/device/link/approve",
	    A.key, "{\"userCode\":\"ZZ\"}"), 404);
	CU_ASSERT_EQUAL(itk_status("POST", "/api/v1/device/link/approve",
	    A.key, "{\"userCode\":\"BBBB-BBBB\"}"), 404);
	CU_ASSERT_EQUAL(itk_status("POST", "/api/v1/device/link/approve",
	    A.key, "{}"), 400);
}

int
main(void)
{
	static const struct mgt_case cases[] = {
		{ "start_shape", test_start_shape },
		{ "request_status", test_request_status },
		{ "poll_pending_then_slow_down", test_poll_pending_then_slow_down },
		{ "approve_then_key_once", test_approve_then_key_once },
		{ "device_key_scopes_are_approvers", test_device_key_scopes_are_approvers },
		{ "approve_requires_admin", test_approve_requires_admin },
		{ "denied", test_denied },
		{ "expired_device_code", test_expired_device_code },
		{ "expired_after_approval", test_expired_after_approval },
		{ "poll_bad_codes", test_poll_bad_codes },
		{ NULL, NULL }
	};

	mgt_suite("device", setup, NULL, cases);
	return mgt_run();
}
