/*
 * auth_device: prepaid device link (seed 003 /api/v1/device/link/...), with
 * the semantics of the OAuth 2.0 Device Authorization Grant (RFC 8628):
 * a device code for the polling program, a short user code for the person
 * (§6.1: 8 characters of a 20-letter alphabet, "ABCD-EFGH"), an expiry, a
 * minimum polling interval with slow_down (§3.5), and the key handed out
 * exactly once. The device code is stored only as its SHA-256; the key is
 * minted when the approved link is first polled, so no plaintext is stored.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "db.h"
#include "mg_config.h"
#include "mg_crypto.h"
#include "mg_log.h"
#include "auth_device.h"
#include "auth_keys.h"
#include "auth_otp.h"

/* POST /api/v1/device/link/start {keyLabel?}. */
int
auth_h_device_start(struct mg_ctx *c)
{
	static const char *const allowed[] = { "keyLabel", NULL };
	int64_t ttl = mg_cfg_int("device_code_ttl_s", 600);
	int64_t interval = mg_cfg_int("device_poll_interval_s", 5);
	char device[AUTH_DEVICE_CODE_SIZE], user[AUTH_USER_CODE_SIZE];
	char norm[AUTH_USER_CODE_LEN + 1], id[37], uri[512];
	unsigned char hash[32];
	const char *label = NULL, *base;
	json_object *o = NULL, *r;
	enum db_err e = DB_DUP;
	int bad = 0, tries;

	if (c->req.body_len > 0) {
		if ((o = mg_json_body(c)) == NULL)
			return c->status;
		if (auth_json_only(c, o, allowed) != 0)
			return c->status;
		label = auth_json_str(o, "keyLabel", &bad);
		if (bad || (label != NULL && auth_label_check(label,
		    strlen(label)) != AUTH_INPUT_OK))
			return mg_fail(c, MG_E_INVALID_PARAM,
			    "keyLabel: 1 to 200 bytes");
	}
	if (interval < 1)
		interval = 1;
	/* A user code collision (unique index) is retried with a new one. */
	for (tries = 0; tries < 5 && e == DB_DUP; tries++) {
		auth_device_code_generate(device);
		auth_user_code_generate(user);
		if (auth_user_code_normalize(user, strlen(user), norm) !=
		    AUTH_OTP_OK)
			return mg_fail(c, MG_E_INTERNAL, "bad user code");
		mg_sha256(device, strlen(device), hash);
		mg_uuid(id);
		e = db_exec(c->db, DB_AUTH_DEV_INSERT, "sbssii", id, hash,
		    sizeof(hash), norm, label ? label : "device", interval, ttl);
	}
	if (e != DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not start a device link");
	base = mg_cfg_str("device_verification_uri", "/link");
	snprintf(uri, sizeof(uri), "%s", base);
	r = json_object_new_object();
	json_object_object_add(r, "deviceCode", json_object_new_string(device));
	json_object_object_add(r, "userCode", json_object_new_string(user));
	json_object_object_add(r, "verificationUri", json_object_new_string(uri));
	json_object_object_add(r, "expiresIn", json_object_new_int64(ttl));
	json_object_object_add(r, "interval", json_object_new_int64(interval));
	/* RFC 8628 §3.2 names, for generic device-flow clients. */
	json_object_object_add(r, "device_code", json_object_new_string(device));
	json_object_object_add(r, "user_code", json_object_new_string(user));
	json_object_object_add(r, "verification_uri", json_object_new_string(uri));
	json_object_object_add(r, "expires_in", json_object_new_int64(ttl));
	memset(device, 0, sizeof(device));
	return mg_reply_json(c, 200, r);
}

/* A user code from a string, normalised; NULL with 400/404 answered. */
static const char *
user_code(struct mg_ctx *c, const char *s, char norm[AUTH_USER_CODE_LEN + 1])
{
	if (s == NULL) {
		mg_fail(c, MG_E_INVALID_PARAM, "userCode is required");
		return NULL;
	}
	if (strlen(s) < 4 || strlen(s) > 32 ||
	    auth_user_code_normalize(s, strlen(s), norm) != AUTH_OTP_OK) {
		mg_fail(c, MG_E_NOT_FOUND, "no such device link");
		return NULL;
	}
	return norm;
}

/* GET /api/v1/device/link/request?userCode=: the link's state. */
int
auth_h_device_request(struct mg_ctx *c)
{
	char norm[AUTH_USER_CODE_LEN + 1], status[16], expires[32];
	char label[AUTH_LABEL_MAX * 4 + 1], disp[AUTH_USER_CODE_SIZE];
	int64_t expired;
	enum db_err e;
	json_object *r;

	if (user_code(c, fcgi_req_query(&c->req, c->arena, "userCode"),
	    norm) == NULL)
		return c->status;
	e = db_row(c->db, DB_AUTH_DEV_BY_USER_CODE, "s", "siss", norm, status,
	    sizeof(status), &expired, expires, sizeof(expires), label,
	    sizeof(label));
	if (e == DB_NOROW)
		return mg_fail(c, MG_E_NOT_FOUND, "no such device link");
	if (e != DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not read the link");
	snprintf(disp, sizeof(disp), "%.4s-%.4s", norm, norm + 4);
	r = json_object_new_object();
	json_object_object_add(r, "userCode", json_object_new_string(disp));
	json_object_object_add(r, "status", json_object_new_string(
	    expired && strcmp(status, "pending") == 0 ? "expired" : status));
	json_object_object_add(r, "expiresAt", json_object_new_string(expires));
	json_object_object_add(r, "keyLabel", json_object_new_string(label));
	return mg_reply_json(c, 200, r);
}

/*
 * POST /api/v1/device/link/approve {userCode, keyLabel?, deny?} with a key
 * (admin scope): binds the link to the approver's workspace and scopes;
 * "deny": true refuses it (the device then sees access_denied).
 */
int
auth_h_device_approve(struct mg_ctx *c)
{
	static const char *const allowed[] = { "userCode", "keyLabel", "deny",
	    NULL };
	char norm[AUTH_USER_CODE_LEN + 1], status[16], expires[32];
	char label[AUTH_LABEL_MAX * 4 + 1];
	const char *ulabel, *uc;
	json_object *o, *v, *r;
	int64_t expired;
	int bad = 0, deny = 0;
	enum db_err e;

	if ((o = mg_json_body(c)) == NULL)
		return c->status;
	if (auth_json_only(c, o, allowed) != 0)
		return c->status;
	uc = auth_json_str(o, "userCode", &bad);
	ulabel = auth_json_str(o, "keyLabel", &bad);
	if (json_object_object_get_ex(o, "deny", &v) && v != NULL) {
		if (!json_object_is_type(v, json_type_boolean))
			bad = 1;
		deny = json_object_get_boolean(v);
	}
	if (bad)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "userCode and keyLabel are strings, deny a boolean");
	if (ulabel != NULL && auth_label_check(ulabel, strlen(ulabel)) !=
	    AUTH_INPUT_OK)
		return mg_fail(c, MG_E_INVALID_PARAM, "keyLabel: 1 to 200 bytes");
	if (user_code(c, uc, norm) == NULL)
		return c->status;
	if (db_exec(c->db, DB_AUTH_DEV_DECIDE, "sssiss", deny ? "denied" :
	    "approved", c->who.workspace_id, c->who.key_id,
	    (int64_t)c->who.scopes, ulabel, norm) != DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not approve the link");
	if (db_affected(c->db, DB_AUTH_DEV_DECIDE) != 1) {
		e = db_row(c->db, DB_AUTH_DEV_BY_USER_CODE, "s", "siss", norm,
		    status, sizeof(status), &expired, expires, sizeof(expires),
		    label, sizeof(label));
		if (e == DB_NOROW)
			return mg_fail(c, MG_E_NOT_FOUND, "no such device link");
		if (e != DB_OK)
			return mg_fail(c, MG_E_INTERNAL, "could not read the link");
		if (expired)
			return mg_fail_code(c, 400, "expired_token",
			    "this device link has expired");
		return mg_fail(c, MG_E_CONFLICT,
		    "this device link was already %s", status);
	}
	r = json_object_new_object();
	json_object_object_add(r, "ok", json_object_new_boolean(1));
	json_object_object_add(r, "status", json_object_new_string(deny ?
	    "denied" : "approved"));
	return mg_reply_json(c, 200, r);
}

/*
 * POST /api/v1/device/link/poll {deviceCode} (RFC 8628 §3.4-3.5): 400
 * authorization_pending, slow_down (polled within the interval; the
 * interval grows by 5 s), access_denied, expired_token, invalid_grant
 * (unknown, or the key was already handed out); 200 with the key once.
 */
int
auth_h_device_poll(struct mg_ctx *c)
{
	static const char *const allowed[] = { "deviceCode", NULL };
	char id[37], status[16], ws[37], label[AUTH_LABEL_MAX * 4 + 1];
	unsigned char hash[32];
	struct auth_key_spec sp;
	struct auth_key_new k;
	const char *dc;
	int64_t expired, fast, scopes;
	json_object *o, *r;
	enum db_err e;
	int bad = 0;

	if ((o = mg_json_body(c)) == NULL)
		return c->status;
	if (auth_json_only(c, o, allowed) != 0)
		return c->status;
	dc = auth_json_str(o, "deviceCode", &bad);
	if (bad || dc == NULL || strlen(dc) < 20 || strlen(dc) > 256)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "deviceCode: the code from /device/link/start");
	mg_sha256(dc, strlen(dc), hash);
	e = db_row(c->db, DB_AUTH_DEV_POLL, "b", "ssiisis", hash, sizeof(hash),
	    id, sizeof(id), status, sizeof(status), &expired, &fast, ws,
	    sizeof(ws), &scopes, label, sizeof(label));
	if (e == DB_NOROW)
		return mg_fail_code(c, 400, "invalid_grant",
		    "unknown device code");
	if (e != DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not read the link");
	if (strcmp(status, "consumed") == 0)
		return mg_fail_code(c, 400, "invalid_grant",
		    "this device link was already used");
	if (expired)
		return mg_fail_code(c, 400, "expired_token",
		    "this device link has expired; start a new one");
	if (strcmp(status, "denied") == 0)
		return mg_fail_code(c, 400, "access_denied",
		    "the device link was denied");
	if (db_exec(c->db, DB_AUTH_DEV_POLLED, "is", fast ? (int64_t)1 :
	    (int64_t)0, id) != DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not record the poll");
	if (fast)
		return mg_fail_code(c, 400, "slow_down",
		    "polling too fast; wait the interval (now 5 s longer)");
	if (strcmp(status, "pending") == 0)
		return mg_fail_code(c, 400, "authorization_pending",
		    "waiting for approval");
	/* approved: hand the key out exactly once. */
	if (db_exec(c->db, DB_AUTH_DEV_CONSUME, "s", id) != DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not consume the link");
	if (db_affected(c->db, DB_AUTH_DEV_CONSUME) != 1)
		return mg_fail_code(c, 400, "invalid_grant",
		    "this device link was already used");
	memset(&sp, 0, sizeof(sp));
	sp.dialect = AUTH_DIALECT_PREPAID;
	sp.label = label;
	sp.scopes = (unsigned)scopes & AUTH_SCOPE_ALL;
	sp.cap_micros = sp.quota = sp.expires_in_s = -1;
	if (sp.scopes == 0 || auth_keys_create(c->db, ws, &sp, &k) !=
	    AUTH_KEYS_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not mint the key");
	if (db_exec(c->db, DB_AUTH_DEV_SET_KEY, "ss", k.id, id) != DB_OK)
		mg_log(MG_LOG_WARN, "device link %s: key id not recorded", id);
	r = json_object_new_object();
	json_object_object_add(r, "status", json_object_new_string("approved"));
	json_object_object_add(r, "key", json_object_new_string(k.plain));
	json_object_object_add(r, "keyId", json_object_new_string(k.id));
	json_object_object_add(r, "workspaceId", json_object_new_string(ws));
	memset(k.plain, 0, sizeof(k.plain));
	return mg_reply_json(c, 200, r);
}
