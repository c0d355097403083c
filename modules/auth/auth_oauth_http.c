/*
 * auth_oauth_http: the OAuth 2.0 authorization server's routes (studio
 * dialect, auth pool). See auth_oauth.h and docs/OAUTH.md.
 *
 * The authorize, login and consent pages are server-rendered HTML with the
 * RFC 9700 headers (reference/oauth.md item 10); the token, revoke and
 * introspect endpoints answer in the OAuth wire shape (RFC 6749 §5.2
 * {"error","error_description"}), not the studio error envelope.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>

#include "db.h"
#include "mg_buf.h"
#include "mg_config.h"
#include "mg_crypto.h"
#include "mg_log.h"
#include "auth_jwt.h"
#include "auth_key.h"
#include "auth_oauth.h"
#include "auth_password.h"
#include "auth_pkce.h"
#include "auth_session.h"

#define LOGIN_CSRF_COOKIE	"mg_login_csrf"
#define FORM_MAX		24	/* form pairs accepted */
#define TOKEN_BYTES		32	/* codes and refresh tokens */
#define TOKEN_LEN		43
#define TX_ABORT		(DB_ERR__MAX + 1)

/* ---- Responses ------------------------------------------------------------ */

/* The headers of every page and redirect of the flow (oauth.md item 10). */
static void
page_headers(struct mg_ctx *c)
{
	mg_header(c, "Content-Security-Policy", "default-src 'none'; "
	    "style-src 'unsafe-inline'; frame-ancestors 'none'; "
	    "base-uri 'none'");
	mg_header(c, "X-Frame-Options", "DENY");
	mg_header(c, "Referrer-Policy", "no-referrer");
	mg_header(c, "Cache-Control", "no-store");
	mg_header(c, "Pragma", "no-cache");
}

static void
page_begin(struct mg_buf *b, const char *title)
{
	mg_buf_puts(b, "<!doctype html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><meta name=\"viewport\" "
	    "content=\"width=device-width,initial-scale=1\"><title>");
	mg_buf_html_escape(b, title);
	mg_buf_puts(b, " \xc2\xb7 mediagate</title><style>body{font:16px/1.5 "
	    "system-ui,sans-serif;max-width:30rem;margin:3rem auto;padding:0 "
	    "1rem;color:#222}label,input,select{display:block;width:100%;"
	    "margin:.3rem 0 .8rem;box-sizing:border-box}input,select{padding:"
	    ".45rem}button{padding:.5rem 1.2rem;margin-right:.6rem}"
	    ".err{color:#a00}</style></head><body>\n");
}

static int
page_send(struct mg_ctx *c, int status, struct mg_buf *b)
{
	mg_buf_puts(b, "</body></html>\n");
	page_headers(c);
	return mg_reply_raw(c, status, "text/html; charset=utf-8", b->data,
	    b->len);
}

/* An error page: never a redirect (RFC 6749 §4.1.2.1, RFC 9700 §4.1). */
static int
error_page(struct mg_ctx *c, int status, const char *msg)
{
	struct mg_buf b;

	mg_buf_init(&b, c->arena);
	page_begin(&b, "Authorization error");
	mg_buf_puts(&b, "<h1>Authorization error</h1>\n<p class=\"err\" "
	    "id=\"error\">");
	mg_buf_html_escape(&b, msg);
	mg_buf_puts(&b, "</p>\n<p>The application that sent you here is "
	    "misconfigured, or the link expired. You were not redirected.</p>\n");
	return page_send(c, status, &b);
}

/* 303 See Other (RFC 9700 §4.12) to location. */
static int
redirect_303(struct mg_ctx *c, const char *location)
{
	page_headers(c);
	mg_header(c, "Location", location);
	return mg_reply_raw(c, 303, "text/plain; charset=utf-8", "", 0);
}

/* RFC 6749 §5.2 error: {"error","error_description"}, no-store. */
static int
oauth_err(struct mg_ctx *c, int status, const char *code, const char *desc)
{
	struct mg_buf b;

	mg_buf_init(&b, c->arena);
	mg_buf_puts(&b, "{\"error\":\"");
	mg_buf_json_escape(&b, code);
	mg_buf_puts(&b, "\",\"error_description\":\"");
	mg_buf_json_escape(&b, desc);
	mg_buf_puts(&b, "\"}");
	mg_header(c, "Cache-Control", "no-store");
	mg_header(c, "Pragma", "no-cache");
	return mg_reply_raw(c, status, "application/json", b.data, b.len);
}

static int
json_nostore(struct mg_ctx *c, int status, json_object *o)
{
	mg_header(c, "Cache-Control", "no-store");
	mg_header(c, "Pragma", "no-cache");
	return mg_reply_json(c, status, o);
}

/* ---- Request helpers -------------------------------------------------------- */

static const char *
kv_get(const struct mg_kv *kv, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(kv[i].key, key) == 0)
			return kv[i].val;
	return NULL;
}

/*
 * Parse an application/x-www-form-urlencoded body into kv. Returns the
 * number of pairs, or -1 when the content type is wrong or the body is
 * malformed.
 */
static int
form_parse(struct mg_ctx *c, struct mg_kv *kv, size_t max)
{
	const char *ct = fcgi_req_header(&c->req, "Content-Type");
	static const char want[] = "application/x-www-form-urlencoded";

	if (ct == NULL || strncasecmp(ct, want, sizeof(want) - 1) != 0 ||
	    (ct[sizeof(want) - 1] != '\0' && ct[sizeof(want) - 1] != ';'))
		return -1;
	if (c->req.body == NULL)
		return 0;
	return fcgi_form_parse(c->req.body, c->req.body_len, c->arena, kv, max);
}

/* A random token (43 base64url chars) and its SHA-256. */
static void
token_new(char out[TOKEN_LEN + 1], unsigned char hash[32])
{
	unsigned char raw[TOKEN_BYTES];
	char tmp[TOKEN_LEN + 4];

	mg_random(raw, sizeof(raw));
	mg_b64url(raw, sizeof(raw), tmp, sizeof(tmp));
	memcpy(out, tmp, TOKEN_LEN + 1);
	mg_sha256(out, TOKEN_LEN, hash);
}

/* ---- Clients ------------------------------------------------------------------ */

struct client {
	char		 id[AUTH_OAUTH_CLIENT_ID_MAX + 1];
	char		 name[201];
	unsigned	 scopes;
	int		 confidential;
	unsigned char	 secret_hash[32];
};

/* Load client id; DB_OK, DB_NOROW (also for over-long ids) or an error. */
static enum db_err
client_get(struct mg_ctx *c, const char *id, struct client *cl)
{
	int64_t scopes, conf;
	size_t hl = 0;
	enum db_err e;

	memset(cl, 0, sizeof(*cl));
	if (id == NULL || *id == '\0' || strlen(id) > AUTH_OAUTH_CLIENT_ID_MAX)
		return DB_NOROW;
	e = db_row(c->db, DB_OAUTH_CLIENT_GET, "s", "siib", id, cl->name,
	    sizeof(cl->name), &scopes, &conf, cl->secret_hash,
	    sizeof(cl->secret_hash), &hl);
	if (e != DB_OK)
		return e;
	memcpy(cl->id, id, strlen(id) + 1);
	cl->scopes = (unsigned)scopes;
	cl->confidential = conf != 0 && hl == 32;
	return DB_OK;
}

/*
 * Is uri registered for the client: exact bytes (hash), or a loopback URI
 * whose registered form has no port (RFC 8252 §7.3). hash gets the SHA-256
 * of uri as presented. Returns DB_OK, DB_NOROW or an error.
 */
static enum db_err
redirect_registered(struct mg_ctx *c, const char *client_id, const char *uri,
    unsigned char hash[32])
{
	char stripped[AUTH_OAUTH_URI_MAX + 1];
	unsigned char h2[32];
	int64_t one;
	enum db_err e;

	mg_sha256(uri, strlen(uri), hash);
	e = db_row(c->db, DB_OAUTH_REDIRECT_CHECK, "sb", "i", client_id, hash,
	    (size_t)32, &one);
	if (e != DB_NOROW)
		return e;
	if (auth_oauth_loopback_strip(uri, stripped, sizeof(stripped)) != 1)
		return DB_NOROW;
	mg_sha256(stripped, strlen(stripped), h2);
	return db_row(c->db, DB_OAUTH_REDIRECT_CHECK, "sb", "i", client_id, h2,
	    (size_t)32, &one);
}

/*
 * Authenticate the client at the token, revoke and introspect endpoints
 * (RFC 6749 §2.3): HTTP Basic, or client_id (+ client_secret) in the body.
 * Public clients send only client_id. Returns 0 with cl filled, else the
 * status of the invalid_client / invalid_request answer.
 */
static int
client_authn(struct mg_ctx *c, const struct mg_kv *kv, size_t n,
    struct client *cl)
{
	const char *h = fcgi_req_header(&c->req, "Authorization");
	const char *id = kv_get(kv, n, "client_id");
	const char *secret = kv_get(kv, n, "client_secret");
	char bid[AUTH_OAUTH_CLIENT_ID_MAX + 1], bsec[128];
	unsigned char sh[32];
	enum db_err e;
	int basic = 0;

	if (h != NULL) {
		if (auth_oauth_basic_parse(h, bid, sizeof(bid), bsec,
		    sizeof(bsec)) != 0) {
			mg_header(c, "WWW-Authenticate", "Basic realm=\"mediagate\"");
			return oauth_err(c, 401, "invalid_client",
			    "malformed HTTP Basic client credentials");
		}
		if ((id != NULL && strcmp(id, bid) != 0) || secret != NULL)
			return oauth_err(c, 400, "invalid_request",
			    "client credentials sent twice");
		id = bid;
		secret = bsec;
		basic = 1;
	}
	if (id == NULL || *id == '\0')
		return oauth_err(c, 400, "invalid_request", "client_id missing");
	if ((e = client_get(c, id, cl)) == DB_NOROW) {
		if (basic)
			mg_header(c, "WWW-Authenticate", "Basic realm=\"mediagate\"");
		return oauth_err(c, 401, "invalid_client", "unknown client");
	}
	if (e != DB_OK)
		return oauth_err(c, 500, "server_error", "client lookup failed");
	if (cl->confidential) {
		if (secret == NULL)
			return oauth_err(c, 401, "invalid_client",
			    "client authentication required");
		mg_sha256(secret, strlen(secret), sh);
		if (mg_ct_eq(sh, cl->secret_hash, 32) != 0) {
			if (basic)
				mg_header(c, "WWW-Authenticate",
				    "Basic realm=\"mediagate\"");
			return oauth_err(c, 401, "invalid_client",
			    "client authentication failed");
		}
	}
	return 0;
}

/* ---- Authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3) --------------------- */

struct az {
	const char	*client_id;
	const char	*redirect_uri;
	const char	*response_type;
	const char	*challenge;
	const char	*method;
	const char	*scope_in;
	const char	*state;
	struct client	 cl;
	unsigned	 scopes;
	char		 scope[AUTH_SCOPES_FMT_SIZE];	/* granted, space list */
	unsigned char	 redirect_hash[32];
	const char	*err;		/* redirectable error code */
	const char	*desc;
};

#define AZ_OK		0
#define AZ_REDIRECT	1	/* a->err set: answer through the redirect URI */

/*
 * Validate an authorization request from kv. The client and redirect URI
 * first: when either is bad, an error page is answered (its status is
 * returned, > 1) and nothing redirects (RFC 9700 §4.1 / oauth.md item 2).
 * Then AZ_REDIRECT with a->err for the errors RFC 6749 §4.1.2.1 sends to
 * the client, or AZ_OK.
 */
static int
az_validate(struct mg_ctx *c, const struct mg_kv *kv, size_t n, struct az *a)
{
	enum db_err e;
	enum auth_scope_err se;
	int dup;

	memset(a, 0, sizeof(*a));
	a->client_id = kv_get(kv, n, "client_id");
	a->redirect_uri = kv_get(kv, n, "redirect_uri");
	dup = auth_oauth_dup_param(kv, n);
	if (dup >= 0 && (strcmp(kv[dup].key, "client_id") == 0 ||
	    strcmp(kv[dup].key, "redirect_uri") == 0))
		return error_page(c, 400, "client_id or redirect_uri was sent "
		    "more than once");
	if (a->client_id == NULL || *a->client_id == '\0')
		return error_page(c, 400, "client_id is missing");
	if ((e = client_get(c, a->client_id, &a->cl)) == DB_NOROW)
		return error_page(c, 400, "unknown client_id");
	if (e != DB_OK)
		return error_page(c, 500, "could not check the client");
	if (a->redirect_uri == NULL || *a->redirect_uri == '\0')
		return error_page(c, 400, "redirect_uri is missing");
	if (strlen(a->redirect_uri) > AUTH_OAUTH_URI_MAX)
		return error_page(c, 400, "redirect_uri is not registered "
		    "for this client");
	if ((e = redirect_registered(c, a->client_id, a->redirect_uri,
	    a->redirect_hash)) == DB_NOROW)
		return error_page(c, 400, "redirect_uri is not registered for "
		    "this client (exact match required)");
	if (e != DB_OK)
		return error_page(c, 500, "could not check the redirect URI");
	/* From here errors go back to the verified redirect URI. */
	a->state = kv_get(kv, n, "state");
	if (a->state != NULL && strlen(a->state) > AUTH_OAUTH_STATE_MAX) {
		a->state = NULL;
		a->err = "invalid_request";
		a->desc = "state is too long";
		return AZ_REDIRECT;
	}
	a->response_type = kv_get(kv, n, "response_type");
	a->challenge = kv_get(kv, n, "code_challenge");
	a->method = kv_get(kv, n, "code_challenge_method");
	a->scope_in = kv_get(kv, n, "scope");
	a->err = "invalid_request";
	if (dup >= 0) {
		a->desc = "a parameter was sent more than once";
		return AZ_REDIRECT;
	}
	if (a->response_type == NULL) {
		a->desc = "response_type is missing";
		return AZ_REDIRECT;
	}
	if (strcmp(a->response_type, "code") != 0) {
		a->err = "unsupported_response_type";
		a->desc = "only response_type=code is supported";
		return AZ_REDIRECT;
	}
	if (a->challenge == NULL || *a->challenge == '\0') {
		a->desc = "code_challenge is required (PKCE, S256)";
		return AZ_REDIRECT;
	}
	if (a->method == NULL || strcmp(a->method, "S256") != 0) {
		a->desc = "code_challenge_method must be S256";
		return AZ_REDIRECT;
	}
	if (auth_pkce_check_challenge(a->challenge, strlen(a->challenge),
	    a->method) != AUTH_PKCE_OK) {
		a->desc = "code_challenge is not a base64url SHA-256";
		return AZ_REDIRECT;
	}
	if (a->scope_in == NULL || *a->scope_in == '\0')
		a->scopes = a->cl.scopes;
	else if ((se = auth_scopes_parse_oauth(a->scope_in,
	    strlen(a->scope_in), &a->scopes)) != AUTH_SCOPE_OK) {
		a->err = "invalid_scope";
		a->desc = auth_scope_strerror(se);
		return AZ_REDIRECT;
	} else if ((a->scopes & ~a->cl.scopes) != 0) {
		a->err = "invalid_scope";
		a->desc = "a requested scope is not allowed for this client";
		return AZ_REDIRECT;
	}
	auth_scopes_format(a->scopes, ' ', a->scope, sizeof(a->scope));
	a->err = a->desc = NULL;
	return AZ_OK;
}

/* 303 to the client's redirect URI with params + state + iss (RFC 9207). */
static int
az_redirect(struct mg_ctx *c, const struct az *a, const char *k1,
    const char *v1, const char *k2, const char *v2)
{
	struct mg_buf b;
	const char *pairs[10];
	size_t n = 0;

	pairs[n++] = k1;
	pairs[n++] = v1;
	if (k2 != NULL) {
		pairs[n++] = k2;
		pairs[n++] = v2;
	}
	pairs[n++] = "state";
	pairs[n++] = a->state;
	pairs[n++] = "iss";
	pairs[n++] = auth_oauth_issuer();
	pairs[n++] = NULL;
	pairs[n++] = NULL;
	mg_buf_init(&b, c->arena);
	auth_oauth_redirect_build(&b, a->redirect_uri, pairs);
	if (b.oom)
		return error_page(c, 500, "out of memory");
	return redirect_303(c, b.data);
}

static int
az_redirect_error(struct mg_ctx *c, const struct az *a)
{
	return az_redirect(c, a, "error", a->err, "error_description", a->desc);
}

/* ---- Pages --------------------------------------------------------------------- */

static void
hidden(struct mg_buf *b, const char *name, const char *value)
{
	if (value == NULL)
		return;
	mg_buf_puts(b, "<input type=\"hidden\" name=\"");
	mg_buf_html_escape(b, name);
	mg_buf_puts(b, "\" value=\"");
	mg_buf_html_escape(b, value);
	mg_buf_puts(b, "\">\n");
}

/* 1 when v is a well-formed login CSRF value (43 base64url chars). */
static int
login_csrf_shape(const char *v)
{
	unsigned char raw[32];

	return v != NULL && auth_session_id_parse(v, strlen(v), raw) == 0;
}

/*
 * The sign-in page (status 200, or 401 after a failed attempt). ret is
 * the authorize query string to return to. A login CSRF token is bound to
 * the browser by a double-submit cookie.
 */
static int
login_page(struct mg_ctx *c, int status, const char *app, const char *ret,
    const char *msg)
{
	struct mg_buf b;
	const char *tok = fcgi_req_cookie(&c->req, c->arena, LOGIN_CSRF_COOKIE);
	unsigned char raw[32];
	char fresh[48], cookie[256];

	if (!login_csrf_shape(tok)) {
		mg_random(raw, sizeof(raw));
		mg_b64url(raw, sizeof(raw), fresh, sizeof(fresh));
		tok = fresh;
		if (auth_cookie_format(cookie, sizeof(cookie), LOGIN_CSRF_COOKIE,
		    tok, 3600, c->req.https) > 0)
			mg_header(c, "Set-Cookie", cookie);
	}
	mg_buf_init(&b, c->arena);
	page_begin(&b, "Sign in");
	mg_buf_puts(&b, "<h1>Sign in</h1>\n");
	if (app != NULL) {
		mg_buf_puts(&b, "<p>to continue to <strong id=\"app\">");
		mg_buf_html_escape(&b, app);
		mg_buf_puts(&b, "</strong></p>\n");
	}
	if (msg != NULL) {
		mg_buf_puts(&b, "<p class=\"err\" id=\"error\">");
		mg_buf_html_escape(&b, msg);
		mg_buf_puts(&b, "</p>\n");
	}
	mg_buf_puts(&b, "<form method=\"post\" action=\"/v1/oauth/login\">\n");
	hidden(&b, "csrf", tok);
	hidden(&b, "return", ret);
	mg_buf_puts(&b, "<label for=\"email\">Email</label>"
	    "<input id=\"email\" name=\"email\" type=\"email\" "
	    "autocomplete=\"username\" required>\n"
	    "<label for=\"password\">Password</label>"
	    "<input id=\"password\" name=\"password\" type=\"password\" "
	    "autocomplete=\"current-password\" required>\n"
	    "<button type=\"submit\" id=\"signin\">Sign in</button>\n"
	    "</form>\n");
	return page_send(c, status, &b);
}

static const char *
scope_text(unsigned bit)
{
	switch (bit) {
	case AUTH_SCOPE_GENERATE:
		return "generate: submit generation jobs (spends the workspace's balance)";
	case AUTH_SCOPE_READ:
		return "read: read assets, characters, jobs and the wallet";
	case AUTH_SCOPE_ADMIN:
		return "admin: manage API keys and wallet settings";
	}
	return "?";
}

/* The consent page: app, workspace choice, scopes, Allow / Deny. */
static int
consent_page(struct mg_ctx *c, const struct az *a,
    const struct auth_session *s)
{
	struct mg_buf b;
	char wid[37], wname[201];
	unsigned bit;
	int nws = 0;
	enum db_err e;

	mg_buf_init(&b, c->arena);
	page_begin(&b, "Authorize access");
	mg_buf_puts(&b, "<h1>Authorize <span id=\"app\">");
	mg_buf_html_escape(&b, a->cl.name);
	mg_buf_puts(&b, "</span></h1>\n<p>Signed in as <strong>");
	mg_buf_html_escape(&b, s->email);
	mg_buf_puts(&b, "</strong>.</p>\n<form method=\"post\" "
	    "action=\"/v1/oauth/consent\">\n");
	hidden(&b, "csrf", s->csrf);
	hidden(&b, "client_id", a->client_id);
	hidden(&b, "redirect_uri", a->redirect_uri);
	hidden(&b, "response_type", "code");
	hidden(&b, "code_challenge", a->challenge);
	hidden(&b, "code_challenge_method", a->method);
	hidden(&b, "scope", a->scope);
	hidden(&b, "state", a->state);
	mg_buf_puts(&b, "<label for=\"workspace\">Workspace</label>"
	    "<select id=\"workspace\" name=\"workspace\">\n");
	if ((e = db_exec(c->db, DB_MEMBER_WORKSPACES, "s", s->user_id)) !=
	    DB_OK)
		return error_page(c, 500, "could not list your workspaces");
	while (db_next(c->db, DB_MEMBER_WORKSPACES, "ss", wid, sizeof(wid),
	    wname, sizeof(wname)) == DB_OK) {
		mg_buf_puts(&b, "<option value=\"");
		mg_buf_html_escape(&b, wid);
		mg_buf_puts(&b, "\">");
		mg_buf_html_escape(&b, wname);
		mg_buf_puts(&b, "</option>\n");
		nws++;
	}
	db_done(c->db, DB_MEMBER_WORKSPACES);
	if (nws == 0) {
		struct az d = *a;

		d.err = "access_denied";
		d.desc = "the signed-in user is not a member of any workspace";
		return az_redirect_error(c, &d);
	}
	mg_buf_puts(&b, "</select>\n<p>The application asks to:</p>\n"
	    "<ul id=\"scopes\">\n");
	for (bit = 1; bit <= AUTH_SCOPE_ADMIN; bit <<= 1)
		if (a->scopes & bit) {
			mg_buf_puts(&b, "<li>");
			mg_buf_html_escape(&b, scope_text(bit));
			mg_buf_puts(&b, "</li>\n");
		}
	mg_buf_puts(&b, "</ul>\n<p>Access is limited to the chosen workspace "
	    "and can be revoked at any time.</p>\n"
	    "<button type=\"submit\" name=\"decision\" value=\"allow\" "
	    "id=\"allow\">Allow</button>"
	    "<button type=\"submit\" name=\"decision\" value=\"deny\" "
	    "id=\"deny\">Deny</button>\n</form>\n");
	return page_send(c, 200, &b);
}

/* ---- GET /v1/oauth/authorize ------------------------------------------------------ */

int
auth_oauth_h_authorize(struct mg_ctx *c)
{
	struct az a;
	struct auth_session s;
	enum auth_session_err se;
	int st;

	fcgi_req_query(&c->req, c->arena, "client_id");	/* parse once */
	if ((st = az_validate(c, c->req.qs, c->req.nqs, &a)) > AZ_REDIRECT)
		return st;
	if (st == AZ_REDIRECT)
		return az_redirect_error(c, &a);
	se = auth_session_lookup(c, &s);
	if (se == AUTH_SESSION_DB)
		return error_page(c, 500, "session store failure");
	if (se != AUTH_SESSION_OK)
		return login_page(c, 200, a.cl.name, c->req.query, NULL);
	return consent_page(c, &a, &s);
}

/* ---- POST /v1/oauth/login ------------------------------------------------------------ */

/* 1 when ret can follow "/v1/oauth/authorize?" (visible ASCII, bounded). */
static int
return_ok(const char *ret)
{
	size_t i, n;

	if (ret == NULL || (n = strlen(ret)) == 0 || n > MG_MAX_QUERY_LEN)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)ret[i] <= 0x20 ||
		    (unsigned char)ret[i] >= 0x7f || ret[i] == '#')
			return 0;
	return 1;
}

/* A hash to verify against when the email is unknown (equal timing). */
static const char *
dummy_hash(void)
{
	static char h[AUTH_PW_HASH_SIZE];
	struct auth_pw_params p;

	if (h[0] == '\0') {
		auth_pw_params_default(&p);
		if (auth_pw_hash("mediagate-no-such-user", 22, &p, h) != AUTH_PW_OK)
			h[0] = '\0';
	}
	return h;
}

int
auth_oauth_h_login(struct mg_ctx *c)
{
	struct mg_kv kv[FORM_MAX];
	const char *email, *pw, *csrf, *ret, *ck;
	char uid[37], hash[AUTH_PW_HASH_SIZE], *loc;
	int n, hnull = 0, ok;
	int64_t active = 0;
	enum db_err e;

	if ((n = form_parse(c, kv, FORM_MAX)) < 0)
		return error_page(c, 400, "malformed sign-in form");
	email = kv_get(kv, (size_t)n, "email");
	pw = kv_get(kv, (size_t)n, "password");
	csrf = kv_get(kv, (size_t)n, "csrf");
	ret = kv_get(kv, (size_t)n, "return");
	ck = fcgi_req_cookie(&c->req, c->arena, LOGIN_CSRF_COOKIE);
	if (!login_csrf_shape(ck) || csrf == NULL ||
	    mg_ct_streq(ck, csrf) != 0)
		return error_page(c, 403, "the sign-in form expired or did not "
		    "come from this site; go back and try again");
	if (!return_ok(ret))
		return error_page(c, 400, "the sign-in form has no valid "
		    "authorization request to return to");
	if (email == NULL || pw == NULL || *email == '\0' ||
	    strlen(email) > 254 || strlen(pw) > AUTH_PW_MAX)
		return login_page(c, 401, NULL, ret, "Wrong email or password.");
	e = db_row(c->db, DB_USER_BY_EMAIL, "s", "sSi", email, uid,
	    sizeof(uid), hash, sizeof(hash), &hnull, &active);
	if (e != DB_OK && e != DB_NOROW)
		return error_page(c, 500, "could not check the sign-in");
	if (e == DB_NOROW || hnull || !active) {
		auth_pw_verify(dummy_hash(), pw, strlen(pw));
		ok = 0;
	} else
		ok = auth_pw_verify(hash, pw, strlen(pw)) == AUTH_PW_OK;
	if (!ok) {
		mg_log(MG_LOG_INFO, "oauth sign-in failed");
		return login_page(c, 401, NULL, ret, "Wrong email or password.");
	}
	if (auth_session_create(c, uid, NULL, NULL) != AUTH_SESSION_OK)
		return error_page(c, 500, "could not create the session");
	if ((loc = mg_arena_printf(c->arena, "/v1/oauth/authorize?%s", ret)) ==
	    NULL)
		return error_page(c, 500, "out of memory");
	return redirect_303(c, loc);
}

/* ---- POST /v1/oauth/logout ----------------------------------------------------------- */

int
auth_oauth_h_logout(struct mg_ctx *c)
{
	struct mg_kv kv[FORM_MAX];
	struct auth_session s;
	struct mg_buf b;
	int n;

	if ((n = form_parse(c, kv, FORM_MAX)) < 0)
		return error_page(c, 400, "malformed form");
	if (auth_session_lookup(c, &s) == AUTH_SESSION_OK &&
	    !auth_session_csrf_ok(&s, kv_get(kv, (size_t)n, "csrf")))
		return error_page(c, 403, "invalid CSRF token");
	auth_session_revoke(c);
	mg_buf_init(&b, c->arena);
	page_begin(&b, "Signed out");
	mg_buf_puts(&b, "<h1>Signed out</h1>\n");
	return page_send(c, 200, &b);
}

/* ---- POST /v1/oauth/consent ---------------------------------------------------------- */

int
auth_oauth_h_consent(struct mg_ctx *c)
{
	struct mg_kv kv[FORM_MAX];
	struct auth_session s;
	struct az a;
	const char *decision, *ws;
	char code[TOKEN_LEN + 1];
	unsigned char hash[32];
	int64_t one;
	enum auth_session_err se;
	enum db_err e;
	int n, st;

	if ((n = form_parse(c, kv, FORM_MAX)) < 0)
		return error_page(c, 400, "malformed consent form");
	se = auth_session_lookup(c, &s);
	if (se == AUTH_SESSION_DB)
		return error_page(c, 500, "session store failure");
	if (se != AUTH_SESSION_OK)
		return error_page(c, 403, "not signed in: start again from "
		    "the application");
	/* RFC 9700 §4.7 / oauth.md item 12: CSRF token bound to the session. */
	if (!auth_session_csrf_ok(&s, kv_get(kv, (size_t)n, "csrf")))
		return error_page(c, 403, "invalid CSRF token: the consent "
		    "form did not come from this site");
	if ((st = az_validate(c, kv, (size_t)n, &a)) > AZ_REDIRECT)
		return st;
	if (st == AZ_REDIRECT)
		return az_redirect_error(c, &a);
	decision = kv_get(kv, (size_t)n, "decision");
	if (decision != NULL && strcmp(decision, "deny") == 0) {
		a.err = "access_denied";
		a.desc = "the user denied the request";
		return az_redirect_error(c, &a);
	}
	if (decision == NULL || strcmp(decision, "allow") != 0) {
		a.err = "invalid_request";
		a.desc = "decision must be allow or deny";
		return az_redirect_error(c, &a);
	}
	ws = kv_get(kv, (size_t)n, "workspace");
	if (ws == NULL || strlen(ws) != 36)
		return error_page(c, 400, "choose a workspace");
	e = db_row(c->db, DB_MEMBER_CHECK, "ss", "i", ws, s.user_id, &one);
	if (e == DB_NOROW)
		return error_page(c, 403, "you are not a member of that "
		    "workspace");
	if (e != DB_OK)
		return error_page(c, 500, "could not check the workspace");
	token_new(code, hash);
	if ((e = db_exec(c->db, DB_OAUTH_CODE_INSERT, "bsssbisi", hash,
	    (size_t)32, a.client_id, s.user_id, ws, a.redirect_hash,
	    (size_t)32, (int64_t)a.scopes, a.challenge,
	    auth_oauth_code_ttl())) != DB_OK)
		return error_page(c, 500, "could not issue the code");
	return az_redirect(c, &a, "code", code, NULL, NULL);
}

/* ---- Token issuance (inside a transaction) ------------------------------------------------ */

struct issued {
	char	 at[AUTH_JWT_MAX + 1];
	char	 rt[TOKEN_LEN + 1];
	char	 scope[AUTH_SCOPES_FMT_SIZE];
};

/*
 * Sign an access token for the grant (scopes at_scopes) and record its
 * jti; mint a refresh token of the grant. DB_OK, a db_err, or TX_ABORT
 * when signing failed.
 */
static int
issue(struct db_conn *db, const char *grant, const char *client,
    const char *user, const char *ws, unsigned at_scopes, struct issued *out)
{
	struct auth_jwt_ring *r;
	struct auth_jwt_in in;
	char jti[AUTH_JWT_STR_SIZE];
	unsigned char rh[32];
	int64_t now = (int64_t)time(NULL), ttl = auth_oauth_access_ttl();
	enum auth_jwt_err je;
	enum db_err e;

	if ((r = auth_oauth_ring()) == NULL)
		return TX_ABORT;
	auth_scopes_format(at_scopes, ' ', out->scope, sizeof(out->scope));
	memset(&in, 0, sizeof(in));
	in.iss = auth_oauth_issuer();
	in.sub = user;
	in.aud = auth_oauth_audience();
	in.client_id = client;
	in.scope = out->scope;
	in.ws = ws;
	in.iat = now;
	in.exp = now + ttl;
	if ((je = auth_jwt_sign(r, &in, out->at, sizeof(out->at), jti)) !=
	    AUTH_JWT_OK) {
		mg_log(MG_LOG_ERROR, "oauth sign: %s", auth_jwt_strerror(je));
		return TX_ABORT;
	}
	if ((e = db_exec(db, DB_OAUTH_AT_INSERT, "ssi", jti, grant, ttl)) !=
	    DB_OK)
		return e;
	token_new(out->rt, rh);
	return db_exec(db, DB_OAUTH_RT_INSERT, "bsi", rh, (size_t)32, grant,
	    auth_oauth_refresh_idle());
}

struct xchg {
	/* in */
	const struct client	*cl;
	unsigned char		 hash[32];	/* code or refresh token */
	const char		*verifier;
	unsigned char		 redirect_hash[32];
	const char		*scope_in;	/* refresh: narrower scope */
	/* out */
	const char		*err;
	const char		*desc;
	struct issued		 tok;
};

/* authorization_code (RFC 6749 §4.1.3, RFC 7636 §4.6, RFC 9700 §4.2.4). */
static int
tx_code(struct db_conn *db, void *arg)
{
	struct xchg *x = arg;
	char client[AUTH_OAUTH_CLIENT_ID_MAX + 1], user[37], ws[37];
	char challenge[AUTH_PKCE_MAX + 1], grant[37];
	unsigned char rh[32];
	size_t rhl = 0;
	int64_t scopes, exp, now, used;
	enum db_err e;

	x->err = "invalid_grant";
	e = db_row(db, DB_OAUTH_CODE_LOCK, "b", "sssbisiiis", x->hash,
	    (size_t)32, client, sizeof(client), user, sizeof(user), ws,
	    sizeof(ws), rh, sizeof(rh), &rhl, &scopes, challenge,
	    sizeof(challenge), &exp, &now, &used, grant, sizeof(grant));
	if (e == DB_NOROW) {
		x->desc = "unknown authorization code";
		return DB_OK;
	}
	if (e != DB_OK)
		return e;
	if (used) {
		/* Replay: revoke everything issued from this code. */
		x->desc = "authorization code already used; the tokens issued "
		    "from it are revoked";
		if (grant[0] != '\0' && (e = db_exec(db, DB_OAUTH_GRANT_REVOKE,
		    "s", grant)) != DB_OK)
			return e;
		mg_log(MG_LOG_WARN, "oauth code replay, grant %s revoked",
		    grant[0] ? grant : "(none)");
		return DB_OK;
	}
	if (strcmp(client, x->cl->id) != 0) {
		x->desc = "authorization code was issued to another client";
		return DB_OK;
	}
	if (auth_oauth_code_expired(exp, now)) {
		x->desc = "authorization code expired";
		return db_exec(db, DB_OAUTH_CODE_BURN, "b", x->hash, (size_t)32);
	}
	if (rhl != 32 || mg_ct_eq(rh, x->redirect_hash, 32) != 0) {
		x->desc = "redirect_uri differs from the authorization request";
		return DB_OK;
	}
	if (x->verifier == NULL) {
		x->desc = "code_verifier missing";
		return DB_OK;
	}
	if (auth_pkce_verify(x->verifier, strlen(x->verifier), challenge,
	    strlen(challenge)) != AUTH_PKCE_OK) {
		x->desc = "code_verifier does not match the code_challenge";
		return DB_OK;
	}
	mg_uuid(grant);
	if ((e = db_exec(db, DB_OAUTH_GRANT_INSERT, "ssssi", grant, client,
	    user, ws, scopes)) != DB_OK ||
	    (e = db_exec(db, DB_OAUTH_CODE_USE, "sb", grant, x->hash,
	    (size_t)32)) != DB_OK)
		return e;
	x->err = x->desc = NULL;
	return issue(db, grant, client, user, ws, (unsigned)scopes, &x->tok);
}

/* refresh_token with rotation and reuse detection (RFC 9700 §4.14.2). */
static int
tx_refresh(struct db_conn *db, void *arg)
{
	struct xchg *x = arg;
	char grant[37], client[AUTH_OAUTH_CLIENT_ID_MAX + 1], user[37], ws[37];
	int64_t scopes, used, live, created, exp;
	unsigned want;
	enum db_err e;

	x->err = "invalid_grant";
	e = db_row(db, DB_OAUTH_RT_LOCK, "b", "ssssiiiii", x->hash, (size_t)32,
	    grant, sizeof(grant), client, sizeof(client), user, sizeof(user),
	    ws, sizeof(ws), &scopes, &used, &live, &created, &exp);
	if (e == DB_NOROW) {
		x->desc = "unknown refresh token";
		return DB_OK;
	}
	if (e != DB_OK)
		return e;
	if (strcmp(client, x->cl->id) != 0) {
		x->desc = "refresh token was issued to another client";
		return DB_OK;
	}
	if (used) {
		x->desc = "refresh token already used; the token family is "
		    "revoked";
		mg_log(MG_LOG_WARN, "oauth refresh reuse, grant %s revoked",
		    grant);
		return db_exec(db, DB_OAUTH_GRANT_REVOKE, "s", grant);
	}
	if (!live) {
		x->desc = "refresh token expired or revoked";
		return DB_OK;
	}
	want = (unsigned)scopes;
	if (x->scope_in != NULL && *x->scope_in != '\0') {
		if (auth_scopes_parse_oauth(x->scope_in, strlen(x->scope_in),
		    &want) != AUTH_SCOPE_OK || (want & ~(unsigned)scopes)) {
			x->err = "invalid_scope";
			x->desc = "scope exceeds the original grant";
			return DB_OK;
		}
	}
	if ((e = db_exec(db, DB_OAUTH_RT_USE, "b", x->hash, (size_t)32)) !=
	    DB_OK)
		return e;
	x->err = x->desc = NULL;
	return issue(db, grant, client, user, ws, want, &x->tok);
}

/* ---- POST /v1/oauth/token ------------------------------------------------------------- */

int
auth_oauth_h_token(struct mg_ctx *c)
{
	struct mg_kv kv[FORM_MAX];
	struct client cl;
	struct xchg x;
	const char *gt, *code, *ruri, *rt;
	json_object *o;
	int n, st, rc;

	if ((n = form_parse(c, kv, FORM_MAX)) < 0)
		return oauth_err(c, 400, "invalid_request", "the body must be "
		    "application/x-www-form-urlencoded");
	if (auth_oauth_dup_param(kv, (size_t)n) >= 0)
		return oauth_err(c, 400, "invalid_request",
		    "a parameter was sent more than once");
	if ((st = client_authn(c, kv, (size_t)n, &cl)) != 0)
		return st;
	gt = kv_get(kv, (size_t)n, "grant_type");
	memset(&x, 0, sizeof(x));
	x.cl = &cl;
	if (gt == NULL)
		return oauth_err(c, 400, "invalid_request", "grant_type missing");
	if (strcmp(gt, "authorization_code") == 0) {
		code = kv_get(kv, (size_t)n, "code");
		ruri = kv_get(kv, (size_t)n, "redirect_uri");
		x.verifier = kv_get(kv, (size_t)n, "code_verifier");
		if (code == NULL || *code == '\0')
			return oauth_err(c, 400, "invalid_request", "code missing");
		if (ruri == NULL)
			return oauth_err(c, 400, "invalid_request",
			    "redirect_uri missing");
		mg_sha256(code, strlen(code), x.hash);
		mg_sha256(ruri, strlen(ruri), x.redirect_hash);
		rc = db_tx(c->db, tx_code, &x);
	} else if (strcmp(gt, "refresh_token") == 0) {
		rt = kv_get(kv, (size_t)n, "refresh_token");
		if (rt == NULL || *rt == '\0')
			return oauth_err(c, 400, "invalid_request",
			    "refresh_token missing");
		x.scope_in = kv_get(kv, (size_t)n, "scope");
		mg_sha256(rt, strlen(rt), x.hash);
		rc = db_tx(c->db, tx_refresh, &x);
	} else
		return oauth_err(c, 400, "unsupported_grant_type",
		    "only authorization_code and refresh_token are supported");
	if (rc != DB_OK) {
		mg_log(MG_LOG_ERROR, "oauth token: tx %d", rc);
		return oauth_err(c, 500, "server_error",
		    "could not issue tokens");
	}
	if (x.err != NULL)
		return oauth_err(c, 400, x.err, x.desc);
	o = json_object_new_object();
	json_object_object_add(o, "access_token",
	    json_object_new_string(x.tok.at));
	json_object_object_add(o, "token_type", json_object_new_string("Bearer"));
	json_object_object_add(o, "expires_in",
	    json_object_new_int64(auth_oauth_access_ttl()));
	json_object_object_add(o, "refresh_token",
	    json_object_new_string(x.tok.rt));
	json_object_object_add(o, "scope", json_object_new_string(x.tok.scope));
	return json_nostore(c, 200, o);
}

/* ---- POST /v1/oauth/revoke (RFC 7009) ---------------------------------------------------- */

int
auth_oauth_h_revoke(struct mg_ctx *c)
{
	struct mg_kv kv[FORM_MAX];
	struct client cl;
	struct auth_jwt_claims jc;
	struct auth_jwt_ring *r;
	const char *tok;
	char grant[37], client[AUTH_OAUTH_CLIENT_ID_MAX + 1], user[37], ws[37];
	unsigned char h[32];
	int64_t live, scopes, exp, iat;
	int n, st;

	if ((n = form_parse(c, kv, FORM_MAX)) < 0)
		return oauth_err(c, 400, "invalid_request", "the body must be "
		    "application/x-www-form-urlencoded");
	tok = kv_get(kv, (size_t)n, "token");
	if ((st = client_authn(c, kv, (size_t)n, &cl)) != 0)
		return st;
	if (tok == NULL)
		return oauth_err(c, 400, "invalid_request", "token missing");
	/* §2.2: invalid tokens, and tokens of other clients, answer 200. */
	if (auth_oauth_is_jws(tok, strlen(tok))) {
		if ((r = auth_oauth_ring()) != NULL &&
		    auth_jwt_verify(r, tok, auth_oauth_issuer(),
		    auth_oauth_audience(), time(NULL), &jc) == AUTH_JWT_OK &&
		    db_exec(c->db, DB_OAUTH_AT_REVOKE, "ss", jc.jti, cl.id) !=
		    DB_OK)
			return oauth_err(c, 503, "temporarily_unavailable",
			    "could not revoke, retry");
	} else {
		mg_sha256(tok, strlen(tok), h);
		if (db_row(c->db, DB_OAUTH_RT_GET, "b", "ssiissii", h,
		    (size_t)32, grant, sizeof(grant), client, sizeof(client),
		    &live, &scopes, user, sizeof(user), ws, sizeof(ws), &exp,
		    &iat) == DB_OK && strcmp(client, cl.id) == 0) {
			/* §2.1: a refresh token takes its grant's tokens along. */
			if (db_exec(c->db, DB_OAUTH_RT_REVOKE, "b", h,
			    (size_t)32) != DB_OK ||
			    db_exec(c->db, DB_OAUTH_GRANT_REVOKE, "s", grant) !=
			    DB_OK)
				return oauth_err(c, 503,
				    "temporarily_unavailable",
				    "could not revoke, retry");
		}
	}
	return json_nostore(c, 200, json_object_new_object());
}

/* ---- POST /v1/oauth/introspect (RFC 7662) ------------------------------------------------ */

int
auth_oauth_h_introspect(struct mg_ctx *c)
{
	struct mg_kv kv[FORM_MAX];
	struct client cl;
	struct auth_jwt_claims jc;
	struct auth_jwt_ring *r;
	const char *tok;
	char grant[37], client[AUTH_OAUTH_CLIENT_ID_MAX + 1], user[37], ws[37];
	char scope[AUTH_SCOPES_FMT_SIZE];
	unsigned char h[32];
	int64_t live = 0, scopes, exp, iat;
	json_object *o = json_object_new_object();
	int n, st;

	mg_json_own(c, o);
	if ((n = form_parse(c, kv, FORM_MAX)) < 0)
		return oauth_err(c, 400, "invalid_request", "the body must be "
		    "application/x-www-form-urlencoded");
	if ((st = client_authn(c, kv, (size_t)n, &cl)) != 0)
		return st;
	if ((tok = kv_get(kv, (size_t)n, "token")) == NULL)
		return oauth_err(c, 400, "invalid_request", "token missing");
	if (auth_oauth_is_jws(tok, strlen(tok))) {
		if ((r = auth_oauth_ring()) != NULL &&
		    auth_jwt_verify(r, tok, auth_oauth_issuer(),
		    auth_oauth_audience(), time(NULL), &jc) == AUTH_JWT_OK &&
		    db_row(c->db, DB_OAUTH_AT_STATE, "s", "si", jc.jti, client,
		    sizeof(client), &live) == DB_OK && live &&
		    strcmp(client, cl.id) == 0) {
			json_object_object_add(o, "active",
			    json_object_new_boolean(1));
			json_object_object_add(o, "token_type",
			    json_object_new_string("access_token"));
			json_object_object_add(o, "scope",
			    json_object_new_string(jc.scope));
			json_object_object_add(o, "client_id",
			    json_object_new_string(jc.client_id));
			json_object_object_add(o, "sub",
			    json_object_new_string(jc.sub));
			json_object_object_add(o, "aud",
			    json_object_new_string(auth_oauth_audience()));
			json_object_object_add(o, "iss",
			    json_object_new_string(auth_oauth_issuer()));
			json_object_object_add(o, "exp",
			    json_object_new_int64(jc.exp));
			json_object_object_add(o, "iat",
			    json_object_new_int64(jc.iat));
			json_object_object_add(o, "jti",
			    json_object_new_string(jc.jti));
			json_object_object_add(o, AUTH_JWT_WS_CLAIM,
			    json_object_new_string(jc.ws));
			return json_nostore(c, 200, json_object_get(o));
		}
	} else {
		mg_sha256(tok, strlen(tok), h);
		if (db_row(c->db, DB_OAUTH_RT_GET, "b", "ssiissii", h,
		    (size_t)32, grant, sizeof(grant), client, sizeof(client),
		    &live, &scopes, user, sizeof(user), ws, sizeof(ws), &exp,
		    &iat) == DB_OK && live && strcmp(client, cl.id) == 0) {
			auth_scopes_format((unsigned)scopes, ' ', scope,
			    sizeof(scope));
			json_object_object_add(o, "active",
			    json_object_new_boolean(1));
			json_object_object_add(o, "token_type",
			    json_object_new_string("refresh_token"));
			json_object_object_add(o, "scope",
			    json_object_new_string(scope));
			json_object_object_add(o, "client_id",
			    json_object_new_string(client));
			json_object_object_add(o, "sub",
			    json_object_new_string(user));
			json_object_object_add(o, "exp",
			    json_object_new_int64(exp));
			json_object_object_add(o, "iat",
			    json_object_new_int64(iat));
			json_object_object_add(o, AUTH_JWT_WS_CLAIM,
			    json_object_new_string(ws));
			return json_nostore(c, 200, json_object_get(o));
		}
	}
	return json_nostore(c, 200, json_tokener_parse("{\"active\":false}"));
}

/* ---- GET /v1/oauth/jwks, GET /.well-known/oauth-authorization-server ------------------------ */

int
auth_oauth_h_jwks(struct mg_ctx *c)
{
	struct auth_jwt_ring *r = auth_oauth_ring();
	struct mg_buf b;

	mg_buf_init(&b, c->arena);
	if (r == NULL)
		mg_buf_puts(&b, "{\"keys\":[]}");
	else if (auth_jwks_json(r, &b) != 0)
		return mg_fail(c, MG_E_INTERNAL, "out of memory");
	/* Short cache: a rotated key must be seen before it signs (oauth.md). */
	mg_header(c, "Cache-Control", "public, max-age=300");
	return mg_reply_raw(c, 200, "application/jwk-set+json", b.data, b.len);
}

static json_object *
str_array(const char *const *v)
{
	json_object *a = json_object_new_array();

	for (; *v != NULL; v++)
		json_object_array_add(a, json_object_new_string(*v));
	return a;
}

static void
endpoint(json_object *o, const char *key, const char *iss, const char *path)
{
	char url[1024];

	snprintf(url, sizeof(url), "%s%s", iss, path);
	json_object_object_add(o, key, json_object_new_string(url));
}

/* RFC 8414 §2 metadata, with RFC 9207 and RFC 9700 §2.1.1 members. */
int
auth_oauth_h_metadata(struct mg_ctx *c)
{
	static const char *const rt[] = { "code", NULL };
	static const char *const rm[] = { "query", NULL };
	static const char *const gt[] = { "authorization_code", "refresh_token", NULL };
	static const char *const pk[] = { "S256", NULL };
	static const char *const sc[] = { "generate", "read", "admin", NULL };
	static const char *const am[] = { "none", "client_secret_basic",
	    "client_secret_post", NULL };
	static const char *const sa[] = { "ES256", NULL };
	const char *iss = auth_oauth_issuer();
	json_object *o = json_object_new_object();

	json_object_object_add(o, "issuer", json_object_new_string(iss));
	endpoint(o, "authorization_endpoint", iss, "/v1/oauth/authorize");
	endpoint(o, "token_endpoint", iss, "/v1/oauth/token");
	endpoint(o, "revocation_endpoint", iss, "/v1/oauth/revoke");
	endpoint(o, "introspection_endpoint", iss, "/v1/oauth/introspect");
	endpoint(o, "jwks_uri", iss, "/v1/oauth/jwks");
	json_object_object_add(o, "response_types_supported", str_array(rt));
	json_object_object_add(o, "response_modes_supported", str_array(rm));
	json_object_object_add(o, "grant_types_supported", str_array(gt));
	json_object_object_add(o, "code_challenge_methods_supported",
	    str_array(pk));
	json_object_object_add(o, "scopes_supported", str_array(sc));
	json_object_object_add(o, "token_endpoint_auth_methods_supported",
	    str_array(am));
	json_object_object_add(o, "revocation_endpoint_auth_methods_supported",
	    str_array(am));
	json_object_object_add(o,
	    "introspection_endpoint_auth_methods_supported", str_array(am));
	json_object_object_add(o, "access_token_signing_alg_values_supported",
	    str_array(sa));
	json_object_object_add(o, "authorization_response_iss_parameter_supported",
	    json_object_new_boolean(1));
	mg_header(c, "Cache-Control", "public, max-age=300");
	return mg_reply_json(c, 200, o);
}
