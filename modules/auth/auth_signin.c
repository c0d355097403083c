#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "db.h"
#include "mg_config.h"
#include "mg_crypto.h"
#include "mg_log.h"
#include "mg_util.h"
#include "wallet.h"
#include "auth_google.h"
#include "auth_keys.h"
#include "auth_otp.h"
#include "auth_session.h"
#include "auth_signin.h"

/* ---- accounts ------------------------------------------------------------ */

struct new_ws_args {
	const char	*user, *email;
	char		*ws;
};

/* Tenant, workspace and owner membership of a new person, atomically. */
static int
new_ws_tx(struct db_conn *db, void *arg)
{
	struct new_ws_args *a = arg;
	char tenant[37];
	enum db_err e;

	mg_uuid(tenant);
	mg_uuid(a->ws);
	if ((e = db_exec(db, DB_AUTH_TENANT_INSERT, "ss", tenant, a->email)) !=
	    DB_OK ||
	    (e = db_exec(db, DB_AUTH_WS_INSERT, "sss", a->ws, tenant,
	    "Default")) != DB_OK ||
	    (e = db_exec(db, DB_AUTH_MEMBER_INSERT, "sss", a->ws, a->user,
	    "owner")) != DB_OK)
		return e;
	/* The wallet row (no money moves): through the money module. */
	return wallet_ensure(db, a->ws) == WALLET_OK ? DB_OK : DB_ERROR;
}

int
auth_account_ensure(struct db_conn *db, const char *email,
    struct auth_account *out)
{
	struct new_ws_args a;
	int64_t disabled = 0;
	enum db_err e;
	int tries;

	memset(out, 0, sizeof(*out));
	for (tries = 0; tries < 2; tries++) {
		e = db_row(db, DB_AUTH_USER_BY_EMAIL, "s", "si", email,
		    out->user_id, sizeof(out->user_id), &disabled);
		if (e != DB_NOROW)
			break;
		mg_uuid(out->user_id);
		e = db_exec(db, DB_AUTH_USER_INSERT_EMAIL, "ss", out->user_id,
		    email);
		if (e == DB_OK) {
			out->created = 1;
			break;
		}
		if (e != DB_DUP)	/* DB_DUP: a concurrent first sign-in won */
			break;
	}
	if (e != DB_OK)
		return -1;
	if (disabled)
		return 1;
	e = db_row(db, DB_AUTH_USER_WORKSPACE, "s", "s", out->user_id,
	    out->workspace_id, sizeof(out->workspace_id));
	if (e == DB_OK)
		return 0;
	if (e != DB_NOROW)
		return -1;
	a.user = out->user_id;
	a.email = email;
	a.ws = out->workspace_id;
	if (db_tx(db, new_ws_tx, &a) != DB_OK) {
		mg_log(MG_LOG_ERROR, "could not create a workspace for a new user");
		return -1;
	}
	return 0;
}

int
auth_reply_account_key(struct mg_ctx *c, const struct auth_account *acct,
    const char *label)
{
	struct auth_key_spec sp;
	struct auth_key_new k;
	json_object *o;

	memset(&sp, 0, sizeof(sp));
	sp.dialect = AUTH_DIALECT_PREPAID;
	sp.label = label;
	sp.scopes = AUTH_SCOPE_ALL;
	sp.cap_micros = sp.quota = sp.expires_in_s = -1;
	sp.user_id = acct->user_id;
	if (auth_keys_create(c->db, acct->workspace_id, &sp, &k) != AUTH_KEYS_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not mint a key");
	o = json_object_new_object();
	json_object_object_add(o, "key", json_object_new_string(k.plain));
	json_object_object_add(o, "keyId", json_object_new_string(k.id));
	json_object_object_add(o, "prefix", json_object_new_string(k.prefix));
	json_object_object_add(o, "last4", json_object_new_string(k.last4));
	json_object_object_add(o, "userId", json_object_new_string(acct->user_id));
	json_object_object_add(o, "workspaceId",
	    json_object_new_string(acct->workspace_id));
	json_object_object_add(o, "newAccount",
	    json_object_new_boolean(acct->created));
	memset(k.plain, 0, sizeof(k.plain));
	return mg_reply_json(c, 200, o);
}

/* Answer an account_ensure failure. */
static int
account_fail(struct mg_ctx *c, int rc)
{
	if (rc == 1)
		return mg_fail(c, MG_E_FORBIDDEN, "this account is disabled");
	return mg_fail(c, MG_E_INTERNAL, "could not load the account");
}

/* ---- libcurl ------------------------------------------------------------- */

struct sink {
	char	*data;
	size_t	 len, cap;
};

static size_t
on_body(char *p, size_t sz, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t add = sz * n;

	if (s->len + add + 1 > s->cap)
		return 0;	/* over the cap: abort the transfer */
	memcpy(s->data + s->len, p, add);
	s->len += add;
	s->data[s->len] = '\0';
	return add;
}

/* The JWKS document, per process; refetched after google_jwks_ttl_s. */
static char	 jwks_doc[AUTH_GOOGLE_JWKS_MAX + 1];
static time_t	 jwks_at;

/* Fetch google_jwks_url into the cache. 0 ok, -1 failure (logged). */
static int
jwks_fetch(void)
{
	const char *url = mg_cfg_str("google_jwks_url",
	    "https://www.googleapis.com/oauth2/v3/certs");
	static char buf[AUTH_GOOGLE_JWKS_MAX + 1];
	struct sink s = { buf, 0, sizeof(buf) };
	CURL *cu;
	CURLcode rc;
	long code = 0;

	if ((cu = curl_easy_init()) == NULL)
		return -1;
	buf[0] = '\0';
	curl_easy_setopt(cu, CURLOPT_URL, url);
	curl_easy_setopt(cu, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(cu, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(cu, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(cu, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(cu, CURLOPT_WRITEDATA, &s);
	rc = curl_easy_perform(cu);
	curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(cu);
	if (rc != CURLE_OK || code != 200 || s.len == 0) {
		mg_log(MG_LOG_WARN, "google jwks fetch: %s, HTTP %ld",
		    curl_easy_strerror(rc), code);
		return -1;
	}
	memcpy(jwks_doc, buf, s.len + 1);
	jwks_at = time(NULL);
	return 0;
}

int
auth_google_account(struct mg_ctx *c, const char *token,
    struct auth_account *out)
{
	const char *aud = mg_cfg_str("google_client_id", NULL);
	int64_t ttl = mg_cfg_int("google_jwks_ttl_s", 300);
	struct auth_google_id id;
	enum auth_google_err ge;
	enum auth_input_err ie;
	char email[AUTH_EMAIL_SIZE];
	time_t now = time(NULL);
	int rc;

	if (aud == NULL || *aud == '\0')
		return mg_fail(c, MG_E_UNAVAILABLE,
		    "Google sign-in is not configured");
	if (token == NULL || strlen(token) < 20)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "idToken: a Google ID token is required");
	if ((jwks_at == 0 || now - jwks_at >= ttl) && jwks_fetch() != 0 &&
	    jwks_at == 0)
		return mg_fail(c, MG_E_UPSTREAM, "could not fetch Google's keys");
	ge = auth_google_verify(jwks_doc, token, aud, now, &id);
	/* A new signing key: refetch once, at most every 10 seconds. */
	if (ge == AUTH_GOOGLE_E_UNKNOWN_KID && now - jwks_at >= 10 &&
	    jwks_fetch() == 0)
		ge = auth_google_verify(jwks_doc, token, aud, now, &id);
	if (ge != AUTH_GOOGLE_OK)
		return mg_fail(c, MG_E_UNAUTHORIZED, "invalid Google ID token: %s",
		    auth_google_strerror(ge));
	if (!id.email_verified || (ie = auth_email_normalize(id.email,
	    strlen(id.email), email)) != AUTH_INPUT_OK)
		return mg_fail(c, MG_E_UNAUTHORIZED,
		    "the Google account has no verified e-mail address");
	if ((rc = auth_account_ensure(c->db, email, out)) != 0)
		return account_fail(c, rc);
	return 0;
}

/* POST /api/v1/auth/google {idToken, keyLabel?} → a new prepaid key. */
int
auth_h_google(struct mg_ctx *c)
{
	static const char *const allowed[] = { "idToken", "keyLabel", NULL };
	struct auth_account acct;
	json_object *o;
	const char *tok, *label;
	int bad = 0, st;

	if ((o = mg_json_body(c)) == NULL)
		return c->status;
	if (auth_json_only(c, o, allowed) != 0)
		return c->status;
	tok = auth_json_str(o, "idToken", &bad);
	label = auth_json_str(o, "keyLabel", &bad);
	if (bad || tok == NULL)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "idToken (string) is required; keyLabel is a string");
	if (label != NULL && auth_label_check(label, strlen(label)) !=
	    AUTH_INPUT_OK)
		return mg_fail(c, MG_E_INVALID_PARAM, "keyLabel: 1 to 200 bytes");
	if ((st = auth_google_account(c, tok, &acct)) != 0)
		return st;
	return auth_reply_account_key(c, &acct, label ? label : "google");
}

/* ---- e-mail one-time codes ------------------------------------------------ */

struct mail {
	const char	*data;
	size_t		 len, off;
};

static size_t
on_read(char *p, size_t sz, size_t n, void *arg)
{
	struct mail *m = arg;
	size_t k = sz * n;

	if (k > m->len - m->off)
		k = m->len - m->off;
	memcpy(p, m->data + m->off, k);
	m->off += k;
	return k;
}

/*
 * Send the code over SMTP (RFC 5321) with libcurl to config smtp_url from
 * smtp_from. Both addresses were validated (no CR/LF can reach the
 * envelope or headers). 0 sent, -1 failure (logged).
 */
static int
send_code(const char *to, const char *code, int64_t ttl_s)
{
	const char *url = mg_cfg_str("smtp_url", NULL);
	const char *from = mg_cfg_str("smtp_from", "noreply@mediagate.local");
	char msg[1536], fromn[AUTH_EMAIL_SIZE], date[64], mid[37];
	char env_from[AUTH_EMAIL_SIZE + 2];
	struct curl_slist *rcpt = NULL;
	struct mail m;
	struct tm tm;
	time_t now = time(NULL);
	CURL *cu;
	CURLcode rc;
	int n;

	if (url == NULL || auth_email_normalize(from, strlen(from), fromn) !=
	    AUTH_INPUT_OK) {
		mg_log(MG_LOG_ERROR, "smtp_url/smtp_from not configured");
		return -1;
	}
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	mg_uuid(mid);
	n = snprintf(msg, sizeof(msg),
	    "Date: %s\r\nFrom: <%s>\r\nTo: <%s>\r\n"
	    "Message-ID: <%s@mediagate>\r\n"
	    "Subject: Your mediagate sign-in code\r\n"
	    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
	    "\r\n"
	    "Your mediagate sign-in code is %s\r\n\r\n"
	    "It expires in %lld minutes. If you did not ask for it, ignore "
	    "this message.\r\n", date, fromn, to, mid, code,
	    (long long)((ttl_s + 59) / 60));
	if (n < 0 || (size_t)n >= sizeof(msg))
		return -1;
	m.data = msg;
	m.len = (size_t)n;
	m.off = 0;
	if ((cu = curl_easy_init()) == NULL)
		return -1;
	snprintf(env_from, sizeof(env_from), "<%s>", fromn);
	rcpt = curl_slist_append(rcpt, to);
	curl_easy_setopt(cu, CURLOPT_URL, url);
	curl_easy_setopt(cu, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(cu, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(cu, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(cu, CURLOPT_TIMEOUT,
	    (long)mg_cfg_int("smtp_timeout_s", 10));
	curl_easy_setopt(cu, CURLOPT_MAIL_FROM, env_from);
	curl_easy_setopt(cu, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(cu, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(cu, CURLOPT_READDATA, &m);
	curl_easy_setopt(cu, CURLOPT_UPLOAD, 1L);
	rc = curl_easy_perform(cu);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(cu);
	memset(msg, 0, sizeof(msg));
	if (rc != CURLE_OK) {
		mg_log(MG_LOG_WARN, "smtp send: %s", curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

/* The normalised e-mail of a body, or NULL with 400 answered. */
static const char *
body_email(struct mg_ctx *c, json_object *o, char out[AUTH_EMAIL_SIZE])
{
	const char *s;
	enum auth_input_err ie;
	int bad = 0;

	if ((s = auth_json_str(o, "email", &bad)) == NULL || bad) {
		mg_fail(c, MG_E_INVALID_PARAM, "email (string) is required");
		return NULL;
	}
	if ((ie = auth_email_normalize(s, strlen(s), out)) != AUTH_INPUT_OK) {
		mg_fail(c, MG_E_INVALID_PARAM, "email: %s",
		    auth_input_strerror(ie));
		return NULL;
	}
	return out;
}

/*
 * POST /api/v1/auth/email/start {email}: at most otp_start_max (5) codes
 * per address per otp_start_window_s (3600); each expires after otp_ttl_s
 * (600). The answer does not say whether the address has an account.
 */
int
auth_h_email_start(struct mg_ctx *c)
{
	static const char *const allowed[] = { "email", NULL };
	const char *secret = auth_otp_secret();
	int64_t ttl = mg_cfg_int("otp_ttl_s", 600);
	int64_t maxn = mg_cfg_int("otp_start_max", 5);
	int64_t window = mg_cfg_int("otp_start_window_s", 3600), recent;
	unsigned char hash[AUTH_OTP_HASH_LEN];
	char email[AUTH_EMAIL_SIZE], code[AUTH_OTP_DIGITS + 1], id[37], ra[24];
	json_object *o, *r;

	if ((o = mg_json_body(c)) == NULL)
		return c->status;
	if (auth_json_only(c, o, allowed) != 0 ||
	    body_email(c, o, email) == NULL)
		return c->status;
	if (secret == NULL)
		return mg_fail(c, MG_E_UNAVAILABLE,
		    "e-mail sign-in is not configured");
	if (db_row(c->db, DB_AUTH_OTP_RECENT, "si", "i", email, window,
	    &recent) != DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not start sign-in");
	if (recent >= maxn) {
		snprintf(ra, sizeof(ra), "%lld", (long long)window);
		mg_header(c, "Retry-After", ra);
		return mg_fail(c, MG_E_RATE_LIMITED,
		    "too many codes sent to this address; try again later");
	}
	mg_uuid(id);
	auth_otp_generate(code);
	if (auth_otp_hash(secret, id, code, AUTH_OTP_DIGITS, hash) !=
	    AUTH_OTP_OK ||
	    db_exec(c->db, DB_AUTH_OTP_INSERT, "ssbi", id, email, hash,
	    (size_t)AUTH_OTP_HASH_LEN, ttl) != DB_OK) {
		memset(code, 0, sizeof(code));
		return mg_fail(c, MG_E_INTERNAL, "could not start sign-in");
	}
	if (send_code(email, code, ttl) != 0) {
		memset(code, 0, sizeof(code));
		return mg_fail(c, MG_E_UPSTREAM, "could not send the e-mail");
	}
	memset(code, 0, sizeof(code));
	r = json_object_new_object();
	json_object_object_add(r, "ok", json_object_new_boolean(1));
	json_object_object_add(r, "sent", json_object_new_boolean(1));
	json_object_object_add(r, "expiresIn", json_object_new_int64(ttl));
	return mg_reply_json(c, 200, r);
}

/*
 * The code check of POST /api/v1/auth/email/verify and its browser twin
 * {email, code, keyLabel?}: the newest code of the address, unexpired,
 * unused, fewer than otp_max_attempts (5) attempts counted BEFORE the
 * constant-time comparison; success uses the code once and finds or
 * creates the account. 0 ok (acct, *label filled), else the status answered.
 */
static int
email_code_account(struct mg_ctx *c, struct auth_account *acct,
    const char **labelp)
{
	static const char *const allowed[] = { "email", "code", "keyLabel",
	    NULL };
	const char *secret = auth_otp_secret(), *code, *label;
	int64_t maxn = mg_cfg_int("otp_max_attempts", 5);
	int64_t attempts, expired, consumed;
	unsigned char hash[AUTH_OTP_HASH_LEN];
	char email[AUTH_EMAIL_SIZE], id[37];
	size_t hlen;
	json_object *o;
	enum auth_otp_err oe;
	enum db_err e;
	int bad = 0, rc;

	if ((o = mg_json_body(c)) == NULL)
		return c->status;
	if (auth_json_only(c, o, allowed) != 0 ||
	    body_email(c, o, email) == NULL)
		return c->status;
	code = auth_json_str(o, "code", &bad);
	label = auth_json_str(o, "keyLabel", &bad);
	if (bad || code == NULL || strlen(code) != AUTH_OTP_DIGITS ||
	    strspn(code, "0123456789") != AUTH_OTP_DIGITS)
		return mg_fail(c, MG_E_INVALID_PARAM, "code: six digits");
	if (label != NULL && auth_label_check(label, strlen(label)) !=
	    AUTH_INPUT_OK)
		return mg_fail(c, MG_E_INVALID_PARAM, "keyLabel: 1 to 200 bytes");
	if (secret == NULL)
		return mg_fail(c, MG_E_UNAVAILABLE,
		    "e-mail sign-in is not configured");
	e = db_row(c->db, DB_AUTH_OTP_LATEST, "s", "sbiii", email, id,
	    sizeof(id), hash, sizeof(hash), &hlen, &attempts, &expired,
	    &consumed);
	if (e == DB_NOROW)
		return mg_fail_code(c, 400, "invalid_code",
		    "wrong or unknown code; request a new one");
	if (e != DB_OK || hlen != AUTH_OTP_HASH_LEN)
		return mg_fail(c, MG_E_INTERNAL, "could not verify the code");
	if (consumed)
		return mg_fail_code(c, 400, "invalid_code",
		    "this code was already used; request a new one");
	if (expired)
		return mg_fail_code(c, 400, "expired_code",
		    "this code has expired; request a new one");
	if (db_exec(c->db, DB_AUTH_OTP_ATTEMPT, "si", id, maxn) != DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not verify the code");
	if (db_affected(c->db, DB_AUTH_OTP_ATTEMPT) != 1)
		return mg_fail_code(c, 429, "too_many_attempts",
		    "too many wrong codes; request a new one");
	oe = auth_otp_verify(secret, id, code, AUTH_OTP_DIGITS, hash);
	if (oe != AUTH_OTP_OK)
		return mg_fail_code(c, 400, "invalid_code",
		    "wrong code (%lld attempts left)",
		    (long long)(maxn - attempts - 1 > 0 ? maxn - attempts - 1 : 0));
	if (db_exec(c->db, DB_AUTH_OTP_CONSUME, "s", id) != DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not verify the code");
	if (db_affected(c->db, DB_AUTH_OTP_CONSUME) != 1)
		return mg_fail_code(c, 400, "invalid_code",
		    "this code was already used; request a new one");
	if ((rc = auth_account_ensure(c->db, email, acct)) != 0)
		return account_fail(c, rc);
	*labelp = label;
	return 0;
}

/* POST /api/v1/auth/email/verify: a code → a new prepaid key. */
int
auth_h_email_verify(struct mg_ctx *c)
{
	struct auth_account acct;
	const char *label = NULL;
	int st;

	if ((st = email_code_account(c, &acct, &label)) != 0)
		return st;
	return auth_reply_account_key(c, &acct, label ? label : "email");
}

/*
 * A browser session for the account (auth_session: HttpOnly cookie
 * mg_session), answered as 200 {authenticated, userId, workspaceId,
 * csrfToken}.
 */
static int
reply_session(struct mg_ctx *c, const struct auth_account *acct)
{
	struct auth_session s;
	json_object *o;

	if (auth_session_create(c, acct->user_id, acct->workspace_id, &s) !=
	    AUTH_SESSION_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not start a session");
	o = json_object_new_object();
	json_object_object_add(o, "authenticated", json_object_new_boolean(1));
	json_object_object_add(o, "userId", json_object_new_string(acct->user_id));
	json_object_object_add(o, "workspaceId",
	    json_object_new_string(acct->workspace_id));
	json_object_object_add(o, "newAccount",
	    json_object_new_boolean(acct->created));
	json_object_object_add(o, "csrfToken", json_object_new_string(s.csrf));
	return mg_reply_json(c, 200, o);
}

/* POST /api/v1/auth/browser/email/verify: a code → a session cookie. */
int
auth_h_browser_email_verify(struct mg_ctx *c)
{
	struct auth_account acct;
	const char *label = NULL;
	int st;

	if ((st = email_code_account(c, &acct, &label)) != 0)
		return st;
	return reply_session(c, &acct);
}

/* POST /api/v1/auth/browser/google {idToken}: a Google ID token → a session. */
int
auth_h_browser_google(struct mg_ctx *c)
{
	static const char *const allowed[] = { "idToken", "keyLabel", NULL };
	struct auth_account acct;
	json_object *o;
	const char *tok;
	int bad = 0, st;

	if ((o = mg_json_body(c)) == NULL)
		return c->status;
	if (auth_json_only(c, o, allowed) != 0)
		return c->status;
	tok = auth_json_str(o, "idToken", &bad);
	(void)auth_json_str(o, "keyLabel", &bad);
	if (bad || tok == NULL)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "idToken (string) is required");
	if ((st = auth_google_account(c, tok, &acct)) != 0)
		return st;
	return reply_session(c, &acct);
}

/* GET /api/v1/auth/browser/session: the cookie's session, if live. */
int
auth_h_browser_session_get(struct mg_ctx *c)
{
	struct auth_session s;
	enum auth_session_err e;
	json_object *o;

	e = auth_session_lookup(c, &s);
	if (e == AUTH_SESSION_DB)
		return mg_fail(c, MG_E_INTERNAL, "could not read the session");
	o = json_object_new_object();
	json_object_object_add(o, "authenticated",
	    json_object_new_boolean(e == AUTH_SESSION_OK));
	if (e == AUTH_SESSION_OK) {
		json_object_object_add(o, "userId",
		    json_object_new_string(s.user_id));
		json_object_object_add(o, "email", json_object_new_string(s.email));
		json_object_object_add(o, "workspaceId", *s.workspace_id ?
		    json_object_new_string(s.workspace_id) : NULL);
		json_object_object_add(o, "csrfToken",
		    json_object_new_string(s.csrf));
	}
	return mg_reply_json(c, 200, o);
}

/* DELETE /api/v1/auth/browser/session: revoke it and clear the cookie. */
int
auth_h_browser_session_delete(struct mg_ctx *c)
{
	json_object *o;

	if (auth_session_revoke(c) != AUTH_SESSION_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not end the session");
	o = json_object_new_object();
	json_object_object_add(o, "ok", json_object_new_boolean(1));
	json_object_object_add(o, "authenticated", json_object_new_boolean(0));
	return mg_reply_json(c, 200, o);
}
