#include <stdio.h>
#include <string.h>

#include "db.h"
#include "mg_config.h"
#include "mg_crypto.h"
#include "mg_log.h"
#include "auth_session.h"

static const char *const sess_errs[AUTH_SESSION__MAX] = {
	"ok",					/* AUTH_SESSION_OK */
	"not signed in",			/* AUTH_SESSION_NONE */
	"malformed session cookie",		/* AUTH_SESSION_MALFORMED */
	"session unknown, expired or revoked",	/* AUTH_SESSION_UNKNOWN */
	"session store failure",		/* AUTH_SESSION_DB */
};

const char *
auth_session_strerror(enum auth_session_err e)
{
	return (unsigned)e < AUTH_SESSION__MAX ? sess_errs[e] : "unknown error";
}

static int64_t
idle_s(void)
{
	int64_t v = mg_cfg_int("session_idle_s", 43200);

	return v < 60 ? 60 : v;
}

static int64_t
absolute_s(void)
{
	int64_t v = mg_cfg_int("session_absolute_s", 604800);

	return v < 60 ? 60 : v;
}

int
auth_session_id_parse(const char *v, size_t n,
    unsigned char raw[AUTH_SESSION_ID_BYTES])
{
	char back[AUTH_SESSION_ID_LEN + 4];

	if (v == NULL || n != AUTH_SESSION_ID_LEN)
		return -1;
	if (mg_unb64(v, n, 0, raw, AUTH_SESSION_ID_BYTES) !=
	    AUTH_SESSION_ID_BYTES)
		return -1;
	/* Canonical encoding only (no stray low bits in the last char). */
	mg_b64url(raw, AUTH_SESSION_ID_BYTES, back, sizeof(back));
	return memcmp(back, v, n) == 0 ? 0 : -1;
}

void
auth_session_csrf(const unsigned char raw[AUTH_SESSION_ID_BYTES],
    char out[AUTH_SESSION_CSRF_LEN + 1])
{
	static const char label[] = "mediagate-csrf-v1";
	unsigned char mac[32];

	mg_hmac_sha256(raw, AUTH_SESSION_ID_BYTES, label, sizeof(label) - 1,
	    mac);
	mg_b64url(mac, sizeof(mac), out, AUTH_SESSION_CSRF_LEN + 1);
}

size_t
auth_cookie_format(char *buf, size_t cap, const char *name, const char *value,
    int64_t max_age, int secure)
{
	int n;

	n = snprintf(buf, cap, "%s=%s; Path=/; Max-Age=%lld; HttpOnly; "
	    "SameSite=Lax%s", name, value, (long long)max_age,
	    secure ? "; Secure" : "");
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

/*
 * Create a session row for user_id (+ workspace_id or NULL) and set the
 * cookie on c. The plaintext id exists only in the response header.
 */
enum auth_session_err
auth_session_create(struct mg_ctx *c, const char *user_id,
    const char *workspace_id, struct auth_session *out)
{
	unsigned char raw[AUTH_SESSION_ID_BYTES], hash[32];
	char id[AUTH_SESSION_ID_LEN + 4], cookie[256];
	enum db_err e;

	mg_random(raw, sizeof(raw));
	mg_b64url(raw, sizeof(raw), id, sizeof(id));
	mg_sha256(raw, sizeof(raw), hash);
	if ((e = db_exec(c->db, DB_SESSION_INSERT, "bssi", hash, (size_t)32,
	    user_id, workspace_id, absolute_s())) != DB_OK) {
		mg_log(MG_LOG_ERROR, "session insert: %s", db_strerror(e));
		return AUTH_SESSION_DB;
	}
	if (auth_cookie_format(cookie, sizeof(cookie), AUTH_SESSION_COOKIE, id,
	    absolute_s(), c->req.https) == 0)
		return AUTH_SESSION_DB;
	mg_header(c, "Set-Cookie", cookie);
	if (out != NULL) {
		memset(out, 0, sizeof(*out));
		memcpy(out->id_hash, hash, 32);
		snprintf(out->user_id, sizeof(out->user_id), "%s", user_id);
		snprintf(out->workspace_id, sizeof(out->workspace_id), "%s",
		    workspace_id ? workspace_id : "");
		auth_session_csrf(raw, out->csrf);
	}
	return AUTH_SESSION_OK;
}

enum auth_session_err
auth_session_lookup(struct mg_ctx *c, struct auth_session *out)
{
	const char *v;
	unsigned char raw[AUTH_SESSION_ID_BYTES];
	enum db_err e;

	memset(out, 0, sizeof(*out));
	if ((v = fcgi_req_cookie(&c->req, c->arena, AUTH_SESSION_COOKIE)) == NULL)
		return AUTH_SESSION_NONE;
	if (auth_session_id_parse(v, strlen(v), raw) != 0)
		return AUTH_SESSION_MALFORMED;
	mg_sha256(raw, sizeof(raw), out->id_hash);
	e = db_row(c->db, DB_SESSION_LOOKUP, "bi", "sss", out->id_hash,
	    (size_t)32, idle_s(), out->user_id, sizeof(out->user_id),
	    out->workspace_id, sizeof(out->workspace_id), out->email,
	    sizeof(out->email));
	if (e == DB_NOROW)
		return AUTH_SESSION_UNKNOWN;
	if (e != DB_OK) {
		mg_log(MG_LOG_ERROR, "session lookup: %s", db_strerror(e));
		return AUTH_SESSION_DB;
	}
	/* Sliding the idle window is best effort: a failure is only logged. */
	if ((e = db_exec(c->db, DB_SESSION_TOUCH, "b", out->id_hash,
	    (size_t)32)) != DB_OK)
		mg_log(MG_LOG_WARN, "session touch: %s", db_strerror(e));
	auth_session_csrf(raw, out->csrf);
	return AUTH_SESSION_OK;
}

enum auth_session_err
auth_session_set_workspace(struct mg_ctx *c, const struct auth_session *s,
    const char *workspace_id)
{
	if (db_exec(c->db, DB_SESSION_SET_WS, "sb", workspace_id, s->id_hash,
	    (size_t)32) != DB_OK)
		return AUTH_SESSION_DB;
	return AUTH_SESSION_OK;
}

enum auth_session_err
auth_session_revoke(struct mg_ctx *c)
{
	const char *v;
	unsigned char raw[AUTH_SESSION_ID_BYTES], hash[32];
	char cookie[256];
	enum auth_session_err rc = AUTH_SESSION_OK;

	if ((v = fcgi_req_cookie(&c->req, c->arena, AUTH_SESSION_COOKIE)) != NULL &&
	    auth_session_id_parse(v, strlen(v), raw) == 0) {
		mg_sha256(raw, sizeof(raw), hash);
		if (db_exec(c->db, DB_SESSION_REVOKE, "b", hash, (size_t)32) !=
		    DB_OK)
			rc = AUTH_SESSION_DB;
	}
	if (auth_cookie_format(cookie, sizeof(cookie), AUTH_SESSION_COOKIE, "",
	    0, c->req.https) > 0)
		mg_header(c, "Set-Cookie", cookie);
	return rc;
}

int
auth_session_csrf_ok(const struct auth_session *s, const char *token)
{
	if (token == NULL || s->csrf[0] == '\0' ||
	    strlen(token) != AUTH_SESSION_CSRF_LEN)
		return 0;
	return mg_ct_eq(token, s->csrf, AUTH_SESSION_CSRF_LEN) == 0;
}
