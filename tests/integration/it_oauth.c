/*
 * The OAuth 2.0 authorization server end to end through nginx: every
 * negative case of reference/oauth.md as a named test, plus the happy
 * path, refresh rotation, RFC 7009 revocation, RFC 7662 introspection,
 * RFC 8414 metadata and JWT access tokens on studio routes.
 *
 * The code-expiry case is tested at the unit level
 * (tests/unit/test_oauth.c: t_code_expired*): the stack's code lifetime is
 * 60 s and a test must not wait that long.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "it.h"
#include "mg_crypto.h"
#include "mgtest.h"

/* RFC 7636 Appendix B. */
#define VERIFIER	"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define CHALLENGE	"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
#define PASSWORD	"correct horse battery staple"
#define LOOPBACK_REG	"http://127.0.0.1/cb"		/* registered, no port */
#define LOOPBACK	"http://127.0.0.1:9/cb"	/* any port matches (RFC 8252) */
#define HTTPS_REDIR	"https://app.example.com/cb"

static struct it_ws W;
static char W2[37];		/* a second workspace of the same user */
static char email[128];
static char client_id[80];
static char session[128];	/* "mg_session=…" */

/* ---- helpers ---------------------------------------------------------------- */

static char *
esc(const char *s)
{
	static char bufs[8][2048];
	static int k;
	char *e = curl_easy_escape(NULL, s, 0), *out = bufs[k++ % 8];

	snprintf(out, 2048, "%s", e ? e : "");
	curl_free(e);
	return out;
}

/* GET path (may be a full query) with an optional Cookie header. */
static int
get_c(struct it_resp *r, const char *path, const char *cookie)
{
	char url[4096], ck[512];
	const char *h[2] = { NULL, NULL };

	snprintf(url, sizeof(url), "%s%s", it_base(), path);
	if (cookie != NULL) {
		snprintf(ck, sizeof(ck), "Cookie: %s", cookie);
		h[0] = ck;
	}
	return it_req(r, "GET", url, h, NULL, 0);
}

/* GET path with a bearer (it_get's header buffer is too small for a JWT). */
static int
api_get(struct it_resp *r, const char *path, const char *bearer)
{
	char url[1024], auth[4400];
	const char *h[2] = { auth, NULL };

	snprintf(url, sizeof(url), "%s%s", it_base(), path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", bearer);
	return it_req(r, "GET", url, h, NULL, 0);
}

/* POST a form body with an optional Cookie header. */
static int
post_form(struct it_resp *r, const char *path, const char *cookie,
    const char *body)
{
	char url[1024], ck[512];
	const char *h[3] = { "Content-Type: application/x-www-form-urlencoded",
	    NULL, NULL };

	snprintf(url, sizeof(url), "%s%s", it_base(), path);
	if (cookie != NULL) {
		snprintf(ck, sizeof(ck), "Cookie: %s", cookie);
		h[1] = ck;
	}
	return it_req(r, "POST", url, h, body, strlen(body));
}

/* The value of a Set-Cookie for name into out as "name=value"; 0 or -1. */
static int
set_cookie(const struct it_resp *r, const char *name, char *out, size_t cap)
{
	char pat[64];
	const char *p;
	size_t n;

	snprintf(pat, sizeof(pat), "Set-Cookie: %s=", name);
	if ((p = strstr(r->headers, pat)) == NULL)
		return -1;
	p += strlen("Set-Cookie: ");
	n = strcspn(p, ";\r\n");
	if (n >= cap)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

/* The value of hidden field name in an HTML page; 0 or -1. */
static int
field(const struct it_resp *r, const char *name, char *out, size_t cap)
{
	char pat[96];
	const char *p;
	size_t n;

	snprintf(pat, sizeof(pat), "name=\"%s\" value=\"", name);
	if (r->body == NULL || (p = strstr(r->body, pat)) == NULL)
		return -1;
	p += strlen(pat);
	n = strcspn(p, "\"");
	if (n >= cap)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

/* Decoded query parameter k of the response's Location; 0 or -1. */
static int
loc_param(const struct it_resp *r, const char *k, char *out, size_t cap)
{
	char loc[4096], pat[64], *p, *d;
	size_t n;
	int dl;

	if (it_header(r, "Location", loc, sizeof(loc)) != 0)
		return -1;
	snprintf(pat, sizeof(pat), "%s=", k);
	for (p = strchr(loc, '?'); p != NULL; p = strchr(p + 1, '&'))
		if (strncmp(p + 1, pat, strlen(pat)) == 0)
			break;
	if (p == NULL)
		return -1;
	p += 1 + strlen(pat);
	n = strcspn(p, "&");
	p[n] = '\0';
	if ((d = curl_easy_unescape(NULL, p, (int)n, &dl)) == NULL)
		return -1;
	snprintf(out, cap, "%s", d);
	curl_free(d);
	return (size_t)dl < cap ? 0 : -1;
}

static int
has_location(const struct it_resp *r)
{
	char loc[64];

	return it_header(r, "Location", loc, sizeof(loc)) == 0;
}

/* An authorize query for our client with overrides (NULL: default). */
static const char *
az_query(const char *redirect, const char *challenge, const char *method,
    const char *scope, const char *state)
{
	static char q[4096];
	size_t n;

	n = (size_t)snprintf(q, sizeof(q), "/v1/oauth/authorize?"
	    "response_type=code&client_id=%s&redirect_uri=%s", client_id,
	    esc(redirect ? redirect : LOOPBACK));
	if (challenge != NULL && *challenge != '\0')
		n += (size_t)snprintf(q + n, sizeof(q) - n, "&code_challenge=%s",
		    esc(challenge));
	if (method != NULL && *method != '\0')
		n += (size_t)snprintf(q + n, sizeof(q) - n,
		    "&code_challenge_method=%s", esc(method));
	if (scope != NULL)
		n += (size_t)snprintf(q + n, sizeof(q) - n, "&scope=%s",
		    esc(scope));
	if (state != NULL)
		snprintf(q + n, sizeof(q) - n, "&state=%s", esc(state));
	return q;
}

#define AZ(scope, state) az_query(NULL, CHALLENGE, "S256", scope, state)

/* Sign in as who through the sign-in page; "mg_session=…" into out. */
static int
login_as(const char *who, char *out, size_t cap)
{
	struct it_resp r;
	char csrf[128], lck[160], body[2048];
	const char *q = AZ("read", "s");

	if (get_c(&r, q, NULL) != 0 || r.status != 200 ||
	    field(&r, "csrf", csrf, sizeof(csrf)) != 0 ||
	    set_cookie(&r, "mg_login_csrf", lck, sizeof(lck)) != 0) {
		it_free(&r);
		return -1;
	}
	it_free(&r);
	snprintf(body, sizeof(body), "email=%s&password=%s&csrf=%s&return=%s",
	    esc(who), esc(PASSWORD), csrf, esc(strchr(q, '?') + 1));
	if (post_form(&r, "/v1/oauth/login", lck, body) != 0 ||
	    r.status != 303 || set_cookie(&r, "mg_session", out, cap) != 0) {
		it_free(&r);
		return -1;
	}
	it_free(&r);
	return 0;
}

static int
login(char *out, size_t cap)
{
	return login_as(email, out, cap);
}

/* The consent form's CSRF token for the session; 0 or -1. */
static int
consent_csrf(const char *sess, char *out, size_t cap)
{
	struct it_resp r;
	int rc;

	if (get_c(&r, AZ("read", "s"), sess) != 0 || r.status != 200) {
		it_free(&r);
		return -1;
	}
	rc = field(&r, "csrf", out, cap);
	it_free(&r);
	return rc;
}

/* POST the consent form (csrf NULL: omitted). */
static int
consent(struct it_resp *r, const char *sess, const char *csrf,
    const char *decision, const char *scope, const char *state,
    const char *ws)
{
	char body[4096];
	size_t n;

	n = (size_t)snprintf(body, sizeof(body), "client_id=%s&redirect_uri=%s"
	    "&response_type=code&code_challenge=%s&code_challenge_method=S256"
	    "&scope=%s&decision=%s&workspace=%s", client_id, esc(LOOPBACK),
	    CHALLENGE, esc(scope), decision, ws ? ws : W.ws);
	if (csrf != NULL)
		n += (size_t)snprintf(body + n, sizeof(body) - n, "&csrf=%s",
		    esc(csrf));
	if (state != NULL)
		snprintf(body + n, sizeof(body) - n, "&state=%s", esc(state));
	return post_form(r, "/v1/oauth/consent", sess, body);
}

/* A fresh code for scope (and workspace) through consent; 0 or -1. */
static int
get_code_ws(const char *scope, const char *ws, char *code, size_t cap)
{
	struct it_resp r;
	char csrf[128];
	int rc;

	if (consent_csrf(session, csrf, sizeof(csrf)) != 0)
		return -1;
	if (consent(&r, session, csrf, "allow", scope, "st", ws) != 0 ||
	    r.status != 303) {
		it_free(&r);
		return -1;
	}
	rc = loc_param(&r, "code", code, cap);
	it_free(&r);
	return rc;
}

/* Like get_code_ws, for another session. */
static int
get_code_sess(const char *sess, const char *scope, const char *ws, char *code,
    size_t cap)
{
	struct it_resp r;
	char csrf[128];
	int rc;

	if (consent_csrf(sess, csrf, sizeof(csrf)) != 0)
		return -1;
	if (consent(&r, sess, csrf, "allow", scope, "st", ws) != 0 ||
	    r.status != 303) {
		it_free(&r);
		return -1;
	}
	rc = loc_param(&r, "code", code, cap);
	it_free(&r);
	return rc;
}

static int
get_code(const char *scope, char *code, size_t cap)
{
	return get_code_ws(scope, NULL, code, cap);
}

/* POST /v1/oauth/token with body. */
static int
token(struct it_resp *r, const char *body)
{
	return post_form(r, "/v1/oauth/token", NULL, body);
}

static int
exchange(struct it_resp *r, const char *code, const char *verifier,
    const char *redirect)
{
	char body[2048];
	size_t n;

	n = (size_t)snprintf(body, sizeof(body), "grant_type=authorization_code"
	    "&code=%s&client_id=%s&redirect_uri=%s", esc(code), client_id,
	    esc(redirect ? redirect : LOOPBACK));
	if (verifier != NULL)
		snprintf(body + n, sizeof(body) - n, "&code_verifier=%s",
		    esc(verifier));
	return token(r, body);
}

static int
refresh(struct it_resp *r, const char *rt)
{
	char body[1024];

	snprintf(body, sizeof(body), "grant_type=refresh_token&refresh_token=%s"
	    "&client_id=%s", esc(rt), client_id);
	return token(r, body);
}

/* A full flow: fresh tokens for scope into at/rt; 0 or -1. */
static int
tokens(const char *scope, char *at, size_t atcap, char *rt, size_t rtcap)
{
	struct it_resp r;
	char code[128];
	int rc = -1;

	if (get_code(scope, code, sizeof(code)) != 0)
		return -1;
	if (exchange(&r, code, VERIFIER, NULL) == 0 && r.status == 200 &&
	    it_str(&r, "access_token") && it_str(&r, "refresh_token")) {
		snprintf(at, atcap, "%s", it_str(&r, "access_token"));
		snprintf(rt, rtcap, "%s", it_str(&r, "refresh_token"));
		rc = 0;
	}
	it_free(&r);
	return rc;
}

static long
me_status(const char *at)
{
	struct it_resp r;
	long st;

	api_get(&r, "/v1/me", at);
	st = r.status;
	it_free(&r);
	return st;
}

/* An RFC 6749 §5.2 error of the token endpoint. */
static void
expect_oauth_error(const struct it_resp *r, long status, const char *code)
{
	char cc[64];

	CU_ASSERT_EQUAL(r->status, status);
	CU_ASSERT_PTR_NOT_NULL_FATAL(it_str(r, "error"));
	CU_ASSERT_STRING_EQUAL(it_str(r, "error"), code);
	CU_ASSERT_PTR_NOT_NULL(it_str(r, "error_description"));
	CU_ASSERT_EQUAL(it_header(r, "Cache-Control", cc, sizeof(cc)), 0);
	CU_ASSERT_STRING_EQUAL(cc, "no-store");
}

/* An error page: 4xx HTML and no redirect (oauth.md item 2). */
static void
expect_error_page(const struct it_resp *r, long status)
{
	char ct[64];

	CU_ASSERT_EQUAL(r->status, status);
	CU_ASSERT_FALSE(has_location(r));
	CU_ASSERT_EQUAL(it_header(r, "Content-Type", ct, sizeof(ct)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(ct, "text/html"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r->body, "id=\"error\""));
	CU_ASSERT_PTR_NULL(strstr(r->body, "code="));
}

/* A redirect to the client with error (and state when given). */
static void
expect_redirect_error(const struct it_resp *r, const char *error,
    const char *state)
{
	char v[1200];

	CU_ASSERT_EQUAL(r->status, 303);
	CU_ASSERT_EQUAL_FATAL(loc_param(r, "error", v, sizeof(v)), 0);
	CU_ASSERT_STRING_EQUAL(v, error);
	CU_ASSERT_NOT_EQUAL(loc_param(r, "code", v, sizeof(v)), 0);
	CU_ASSERT_EQUAL(loc_param(r, "iss", v, sizeof(v)), 0);
	if (state != NULL) {
		CU_ASSERT_EQUAL_FATAL(loc_param(r, "state", v, sizeof(v)), 0);
		CU_ASSERT_STRING_EQUAL(v, state);
	}
}

/* ---- set-up ---------------------------------------------------------------------- */

static int
setup(void)
{
	char pwf[] = "/tmp/it_oauth_pw.XXXXXX";
	unsigned char rnd[6];
	json_object *o, *v;
	FILE *f;
	int fd, rc;

	if (it_workspace(&W, "generate,read,admin", "studio") != 0)
		return 1;
	o = it_mgctl("workspace create %s second", W.tenant);
	if (o == NULL || !json_object_object_get_ex(o, "id", &v))
		return 1;
	snprintf(W2, sizeof(W2), "%s", json_object_get_string(v));
	json_object_put(o);
	f = fopen("/dev/urandom", "r");
	if (f == NULL || fread(rnd, 1, sizeof(rnd), f) != sizeof(rnd))
		return 1;
	fclose(f);
	snprintf(email, sizeof(email), "it-oauth-%02x%02x%02x%02x%02x%02x@example.com",
	    rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
	if ((fd = mkstemp(pwf)) < 0)
		return 1;
	rc = write(fd, PASSWORD "\n", strlen(PASSWORD) + 1) < 0;
	close(fd);
	if (rc)
		return 1;
	rc = it_mgctl_status("user create --email %s --password-file %s "
	    "--workspace %s --role owner", email, pwf, W.ws);
	if (rc == 0)
		rc = it_mgctl_status("user create --email two-%s --password-file "
		    "%s --workspace %s --workspace %s", email, pwf, W.ws, W2);
	unlink(pwf);
	if (rc != 0)
		return 1;
	o = it_mgctl("oauth-client create --name 'IT <App>' --redirect-uri %s "
	    "--redirect-uri %s --scopes generate,read", LOOPBACK_REG,
	    HTTPS_REDIR);
	if (o == NULL || !json_object_object_get_ex(o, "id", &v))
		return 1;
	snprintf(client_id, sizeof(client_id), "%s", json_object_get_string(v));
	json_object_put(o);
	return login(session, sizeof(session));
}

/* ---- metadata, JWKS --------------------------------------------------------------- */

static void
t_metadata_rfc8414(void)
{
	struct it_resp r;
	json_object *a, *v;

	it_get(&r, "/.well-known/oauth-authorization-server", NULL);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_PTR_NOT_NULL_FATAL(it_str(&r, "issuer"));
	CU_ASSERT_PTR_NOT_NULL(strstr(it_str(&r, "token_endpoint"),
	    "/v1/oauth/token"));
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "jwks_uri"));
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "revocation_endpoint"));
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "introspection_endpoint"));
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(r.json,
	    "code_challenge_methods_supported", &a));
	CU_ASSERT_EQUAL(json_object_array_length(a), 1);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(
	    json_object_array_get_idx(a, 0)), "S256");
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(r.json,
	    "authorization_response_iss_parameter_supported", &v));
	CU_ASSERT_TRUE(json_object_get_boolean(v));
	/* No implicit or password grant (RFC 9700 §2.1.2, §2.4). */
	CU_ASSERT_PTR_NULL(strstr(r.body, "\"token\""));
	CU_ASSERT_PTR_NULL(strstr(r.body, "password"));
	it_free(&r);
}

static void
t_jwks_has_es256_key(void)
{
	struct it_resp r;

	it_get(&r, "/v1/oauth/jwks", NULL);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "keys.0.kty"), "EC");
	CU_ASSERT_STRING_EQUAL(it_str(&r, "keys.0.alg"), "ES256");
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "keys.0.kid"));
	CU_ASSERT_PTR_NULL(it_str(&r, "keys.0.d"));	/* never the private part */
	it_free(&r);
}

/* ---- authorize: client and redirect URI (error page, no redirect) ------------------- */

static void
t_unknown_client_error_page(void)
{
	struct it_resp r;
	char q[1024];

	snprintf(q, sizeof(q), "/v1/oauth/authorize?response_type=code&client_id="
	    "mgc_nope&redirect_uri=%s&code_challenge=%s&code_challenge_method=S256",
	    esc(LOOPBACK), CHALLENGE);
	get_c(&r, q, NULL);
	expect_error_page(&r, 400);
	it_free(&r);
}

static void
t_missing_client_error_page(void)
{
	struct it_resp r;
	char q[1024];

	snprintf(q, sizeof(q), "/v1/oauth/authorize?response_type=code"
	    "&redirect_uri=%s&code_challenge=%s&code_challenge_method=S256",
	    esc(LOOPBACK), CHALLENGE);
	get_c(&r, q, NULL);
	expect_error_page(&r, 400);
	it_free(&r);
}

static void
redirect_variant(const char *uri)
{
	struct it_resp r;

	get_c(&r, az_query(uri, CHALLENGE, "S256", "read", "s"), session);
	expect_error_page(&r, 400);
	it_free(&r);
}

static void
t_redirect_trailing_slash_error_page(void)
{
	redirect_variant(HTTPS_REDIR "/");
}

static void
t_redirect_case_error_page(void)
{
	redirect_variant("https://App.example.com/cb");
	redirect_variant("https://app.example.com/CB");
}

static void
t_redirect_extra_query_error_page(void)
{
	redirect_variant(HTTPS_REDIR "?x=1");
}

static void
t_redirect_other_host_error_page(void)
{
	redirect_variant("https://evil.example/cb");
	redirect_variant("http://127.0.0.1:9/cb/");	/* loopback: path exact */
	redirect_variant("http://localhost:9/cb");	/* not the registered literal */
}

static void
t_redirect_missing_error_page(void)
{
	struct it_resp r;
	char q[512];

	snprintf(q, sizeof(q), "/v1/oauth/authorize?response_type=code&client_id="
	    "%s&code_challenge=%s&code_challenge_method=S256", client_id,
	    CHALLENGE);
	get_c(&r, q, session);
	expect_error_page(&r, 400);
	it_free(&r);
}

static void
t_redirect_duplicated_error_page(void)
{
	struct it_resp r;
	char q[1024];

	snprintf(q, sizeof(q), "%s&redirect_uri=%s", AZ("read", "s"),
	    esc(HTTPS_REDIR));
	get_c(&r, q, session);
	expect_error_page(&r, 400);
	it_free(&r);
}

static void
t_redirect_loopback_any_port(void)
{
	struct it_resp r;

	get_c(&r, az_query("http://127.0.0.1:51234/cb", CHALLENGE, "S256",
	    "read", "s"), session);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "name=\"csrf\""));
	it_free(&r);
}

/* ---- authorize: errors sent back to the verified redirect URI ----------------------- */

static void
t_missing_code_challenge_invalid_request(void)
{
	struct it_resp r;

	get_c(&r, az_query(NULL, NULL, "S256", "read", "st1"), session);
	expect_redirect_error(&r, "invalid_request", "st1");
	it_free(&r);
}

static void
t_method_plain_invalid_request(void)
{
	struct it_resp r;

	get_c(&r, az_query(NULL, VERIFIER, "plain", "read", "st2"), session);
	expect_redirect_error(&r, "invalid_request", "st2");
	it_free(&r);
}

static void
t_method_missing_invalid_request(void)
{
	struct it_resp r;

	get_c(&r, az_query(NULL, CHALLENGE, NULL, "read", "st3"), session);
	expect_redirect_error(&r, "invalid_request", "st3");
	it_free(&r);
}

static void
t_challenge_malformed_invalid_request(void)
{
	struct it_resp r;

	get_c(&r, az_query(NULL, "short", "S256", "read", "st4"), session);
	expect_redirect_error(&r, "invalid_request", "st4");
	it_free(&r);
}

static void
t_response_type_token_unsupported(void)
{
	struct it_resp r;
	char q[1024];

	snprintf(q, sizeof(q), "/v1/oauth/authorize?response_type=token"
	    "&client_id=%s&redirect_uri=%s&code_challenge=%s"
	    "&code_challenge_method=S256&state=st5", client_id, esc(LOOPBACK),
	    CHALLENGE);
	get_c(&r, q, session);
	expect_redirect_error(&r, "unsupported_response_type", "st5");
	it_free(&r);
}

static void
t_unknown_scope_invalid_scope(void)
{
	struct it_resp r;

	get_c(&r, AZ("read superpowers", "st6"), session);
	expect_redirect_error(&r, "invalid_scope", "st6");
	it_free(&r);
}

static void
t_scope_beyond_client_invalid_scope(void)
{
	struct it_resp r;

	get_c(&r, AZ("read admin", "st7"), session);
	expect_redirect_error(&r, "invalid_scope", "st7");
	it_free(&r);
}

static void
t_state_echoed_byte_exact(void)
{
	static const char state[] = "a b/c?d=e&f+g%h~i\"j<k>;=\xc3\xa9";
	struct it_resp r;

	get_c(&r, AZ("nope", state), session);
	expect_redirect_error(&r, "invalid_scope", state);
	it_free(&r);
}

/* ---- sign-in -------------------------------------------------------------------------- */

static void
t_signin_page_when_signed_out(void)
{
	struct it_resp r;

	get_c(&r, AZ("read", "s"), NULL);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "action=\"/v1/oauth/login\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "IT &lt;App&gt;"));	/* escaped */
	CU_ASSERT_PTR_NULL(strstr(r.body, "IT <App>"));
	it_free(&r);
}

static void
t_signin_wrong_password(void)
{
	struct it_resp r;
	char csrf[128], lck[160], body[2048];
	const char *q = AZ("read", "s");

	get_c(&r, q, NULL);
	CU_ASSERT_EQUAL_FATAL(field(&r, "csrf", csrf, sizeof(csrf)), 0);
	CU_ASSERT_EQUAL_FATAL(set_cookie(&r, "mg_login_csrf", lck, sizeof(lck)), 0);
	it_free(&r);
	snprintf(body, sizeof(body), "email=%s&password=wrong-password&csrf=%s"
	    "&return=%s", esc(email), csrf, esc(strchr(q, '?') + 1));
	post_form(&r, "/v1/oauth/login", lck, body);
	CU_ASSERT_EQUAL(r.status, 401);
	CU_ASSERT_FALSE(has_location(&r));
	CU_ASSERT_PTR_NULL(strstr(r.headers, "mg_session="));
	it_free(&r);
	/* Unknown email: the same answer. */
	snprintf(body, sizeof(body), "email=nobody%%40example.com&password=x"
	    "xxxxxxxxx&csrf=%s&return=%s", csrf, esc(strchr(q, '?') + 1));
	post_form(&r, "/v1/oauth/login", lck, body);
	CU_ASSERT_EQUAL(r.status, 401);
	CU_ASSERT_PTR_NULL(strstr(r.headers, "mg_session="));
	it_free(&r);
}

static void
t_signin_without_csrf_403(void)
{
	struct it_resp r;
	char body[2048];

	snprintf(body, sizeof(body), "email=%s&password=%s&return=%s",
	    esc(email), esc(PASSWORD), esc(strchr(AZ("read", "s"), '?') + 1));
	post_form(&r, "/v1/oauth/login", NULL, body);
	CU_ASSERT_EQUAL(r.status, 403);
	CU_ASSERT_PTR_NULL(strstr(r.headers, "mg_session="));
	it_free(&r);
	/* A form token that does not match the cookie. */
	snprintf(body, sizeof(body), "email=%s&password=%s&csrf=%s&return=%s",
	    esc(email), esc(PASSWORD), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    esc(strchr(AZ("read", "s"), '?') + 1));
	post_form(&r, "/v1/oauth/login",
	    "mg_login_csrf=BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA", body);
	CU_ASSERT_EQUAL(r.status, 403);
	CU_ASSERT_PTR_NULL(strstr(r.headers, "mg_session="));
	it_free(&r);
}

static void
t_session_cookie_attributes(void)
{
	struct it_resp r;
	char csrf[128], lck[160], body[2048];
	const char *q = AZ("read", "s"), *p;

	get_c(&r, q, NULL);
	CU_ASSERT_EQUAL_FATAL(field(&r, "csrf", csrf, sizeof(csrf)), 0);
	CU_ASSERT_EQUAL_FATAL(set_cookie(&r, "mg_login_csrf", lck, sizeof(lck)), 0);
	it_free(&r);
	snprintf(body, sizeof(body), "email=%s&password=%s&csrf=%s&return=%s",
	    esc(email), esc(PASSWORD), csrf, esc(strchr(q, '?') + 1));
	post_form(&r, "/v1/oauth/login", lck, body);
	CU_ASSERT_EQUAL(r.status, 303);	/* RFC 9700 §4.12 */
	CU_ASSERT_PTR_NOT_NULL_FATAL(p = strstr(r.headers, "Set-Cookie: mg_session="));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "HttpOnly"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "SameSite=Lax"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "Path=/"));
	it_free(&r);
}

static void
t_forged_session_cookie_signin_page(void)
{
	struct it_resp r;

	get_c(&r, AZ("read", "s"),
	    "mg_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "action=\"/v1/oauth/login\""));
	it_free(&r);
}

/* ---- consent ---------------------------------------------------------------------------- */

static void
t_consent_page_lists_app_workspaces_scopes(void)
{
	struct it_resp r;

	get_c(&r, AZ("generate read", "s"), session);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "action=\"/v1/oauth/consent\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "IT &lt;App&gt;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, W.ws));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "generate:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "read:"));
	CU_ASSERT_PTR_NULL(strstr(r.body, "admin:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "value=\"allow\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "value=\"deny\""));
	it_free(&r);
}

static void
t_pages_security_headers(void)
{
	struct it_resp r;
	char v[256];
	int i;

	for (i = 0; i < 2; i++) {
		get_c(&r, AZ("read", "s"), i ? session : NULL);
		CU_ASSERT_EQUAL(r.status, 200);
		CU_ASSERT_EQUAL(it_header(&r, "Content-Security-Policy", v,
		    sizeof(v)), 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(v, "frame-ancestors 'none'"));
		CU_ASSERT_EQUAL(it_header(&r, "X-Frame-Options", v, sizeof(v)), 0);
		CU_ASSERT_STRING_EQUAL(v, "DENY");
		CU_ASSERT_EQUAL(it_header(&r, "Referrer-Policy", v, sizeof(v)), 0);
		CU_ASSERT_STRING_EQUAL(v, "no-referrer");
		CU_ASSERT_EQUAL(it_header(&r, "Cache-Control", v, sizeof(v)), 0);
		CU_ASSERT_STRING_EQUAL(v, "no-store");
		/* No third-party resources. */
		CU_ASSERT_PTR_NULL(strstr(r.body, "src="));
		CU_ASSERT_PTR_NULL(strstr(r.body, "<script"));
		CU_ASSERT_PTR_NULL(strstr(r.body, "<link"));
		it_free(&r);
	}
}

static void
t_consent_without_csrf_403_no_code(void)
{
	struct it_resp r;

	consent(&r, session, NULL, "allow", "read", "s", NULL);
	CU_ASSERT_EQUAL(r.status, 403);
	CU_ASSERT_FALSE(has_location(&r));
	CU_ASSERT_PTR_NULL(strstr(r.body, "code="));
	it_free(&r);
}

static void
t_consent_wrong_csrf_403_no_code(void)
{
	struct it_resp r;

	consent(&r, session, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    "allow", "read", "s", NULL);
	CU_ASSERT_EQUAL(r.status, 403);
	CU_ASSERT_FALSE(has_location(&r));
	it_free(&r);
}

static void
t_consent_csrf_of_other_session_403(void)
{
	struct it_resp r;
	char other[128], csrf[128];

	CU_ASSERT_EQUAL_FATAL(login(other, sizeof(other)), 0);
	CU_ASSERT_EQUAL_FATAL(consent_csrf(other, csrf, sizeof(csrf)), 0);
	consent(&r, session, csrf, "allow", "read", "s", NULL);
	CU_ASSERT_EQUAL(r.status, 403);
	CU_ASSERT_FALSE(has_location(&r));
	it_free(&r);
}

static void
t_consent_without_session_403(void)
{
	struct it_resp r;
	char csrf[128];

	CU_ASSERT_EQUAL_FATAL(consent_csrf(session, csrf, sizeof(csrf)), 0);
	consent(&r, NULL, csrf, "allow", "read", "s", NULL);
	CU_ASSERT_EQUAL(r.status, 403);
	CU_ASSERT_FALSE(has_location(&r));
	it_free(&r);
}

static void
t_consent_deny_access_denied_with_state(void)
{
	struct it_resp r;
	char csrf[128];

	CU_ASSERT_EQUAL_FATAL(consent_csrf(session, csrf, sizeof(csrf)), 0);
	consent(&r, session, csrf, "deny", "read", "deny-state 1", NULL);
	expect_redirect_error(&r, "access_denied", "deny-state 1");
	it_free(&r);
}

static void
t_consent_foreign_workspace_403(void)
{
	struct it_resp r;
	struct it_ws other;
	char csrf[128];

	CU_ASSERT_EQUAL_FATAL(it_workspace(&other, NULL, "studio"), 0);
	CU_ASSERT_EQUAL_FATAL(consent_csrf(session, csrf, sizeof(csrf)), 0);
	consent(&r, session, csrf, "allow", "read", "s", other.ws);
	CU_ASSERT_EQUAL(r.status, 403);
	CU_ASSERT_FALSE(has_location(&r));
	it_free(&r);
}

static void
t_consent_allow_code_state_iss(void)
{
	struct it_resp r, m;
	char csrf[128], v[256];

	CU_ASSERT_EQUAL_FATAL(consent_csrf(session, csrf, sizeof(csrf)), 0);
	consent(&r, session, csrf, "allow", "read", "ok state", NULL);
	CU_ASSERT_EQUAL(r.status, 303);	/* RFC 9700 §4.12 */
	CU_ASSERT_EQUAL(loc_param(&r, "code", v, sizeof(v)), 0);
	CU_ASSERT_EQUAL(strlen(v), 43);
	CU_ASSERT_EQUAL(loc_param(&r, "state", v, sizeof(v)), 0);
	CU_ASSERT_STRING_EQUAL(v, "ok state");
	CU_ASSERT_EQUAL_FATAL(loc_param(&r, "iss", v, sizeof(v)), 0);	/* RFC 9207 */
	it_get(&m, "/.well-known/oauth-authorization-server", NULL);
	CU_ASSERT_STRING_EQUAL(v, it_str(&m, "issuer"));
	it_free(&m);
	CU_ASSERT_EQUAL(it_header(&r, "Location", v, sizeof(v)), 0);
	CU_ASSERT_EQUAL(strncmp(v, LOOPBACK "?", strlen(LOOPBACK) + 1), 0);
	it_free(&r);
}

/* ---- token endpoint -------------------------------------------------------------------- */

static void
t_happy_path_token_me_scopes(void)
{
	struct it_resp r;
	char code[128], at[4200], cc[64];

	CU_ASSERT_EQUAL_FATAL(get_code("read", code, sizeof(code)), 0);
	exchange(&r, code, VERIFIER, NULL);
	CU_ASSERT_EQUAL_FATAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "token_type"), "Bearer");
	CU_ASSERT_STRING_EQUAL(it_str(&r, "scope"), "read");
	CU_ASSERT_TRUE(it_int(&r, "expires_in", 0) > 0);
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "refresh_token"));
	CU_ASSERT_EQUAL(it_header(&r, "Cache-Control", cc, sizeof(cc)), 0);
	CU_ASSERT_STRING_EQUAL(cc, "no-store");
	snprintf(at, sizeof(at), "%s", it_str(&r, "access_token"));
	it_free(&r);
	api_get(&r, "/v1/me", at);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "workspace.id"), W.ws);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "api_key.scopes.0"), "read");
	it_free(&r);
	api_get(&r, "/v1/wallet", at);
	CU_ASSERT_EQUAL(r.status, 200);
	it_free(&r);
}

static void
t_token_scope_enforced_on_routes(void)
{
	struct it_resp r;
	char at[4200], rt[128];

	CU_ASSERT_EQUAL_FATAL(tokens("generate", at, sizeof(at), rt,
	    sizeof(rt)), 0);
	api_get(&r, "/v1/wallet", at);	/* needs read */
	CU_ASSERT_EQUAL(r.status, 403);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "error.code"), "insufficient_scope");
	it_free(&r);
}

static void
t_token_bound_to_chosen_workspace(void)
{
	struct it_resp r;
	char code[128], at[4200];

	/* W2 is in the same tenant, but the user is not its member. */
	CU_ASSERT_NOT_EQUAL(get_code_ws("read", W2, code, sizeof(code)), 0);
	CU_ASSERT_EQUAL_FATAL(get_code_ws("read", W.ws, code, sizeof(code)), 0);
	exchange(&r, code, VERIFIER, NULL);
	CU_ASSERT_EQUAL_FATAL(r.status, 200);
	snprintf(at, sizeof(at), "%s", it_str(&r, "access_token"));
	it_free(&r);
	api_get(&r, "/v1/me", at);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "workspace.id"), W.ws);
	it_free(&r);
}

static void
t_workspace_choice_among_several(void)
{
	struct it_resp r;
	char sess[128], who[160], code[128], at[4200];

	snprintf(who, sizeof(who), "two-%s", email);
	CU_ASSERT_EQUAL_FATAL(login_as(who, sess, sizeof(sess)), 0);
	get_c(&r, AZ("read", "s"), sess);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, W.ws));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, W2));
	it_free(&r);
	CU_ASSERT_EQUAL_FATAL(get_code_sess(sess, "read", W2, code,
	    sizeof(code)), 0);
	exchange(&r, code, VERIFIER, NULL);
	CU_ASSERT_EQUAL_FATAL(r.status, 200);
	snprintf(at, sizeof(at), "%s", it_str(&r, "access_token"));
	it_free(&r);
	api_get(&r, "/v1/me", at);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "workspace.id"), W2);
	it_free(&r);
}

/* The kid of a JWS (decoded header) into out; 0 or -1. */
static int
jws_kid(const char *tok, char *out, size_t cap)
{
	unsigned char buf[512];
	const char *dot = strchr(tok, '.');
	json_object *o, *v;
	int n, rc = -1;

	if (dot == NULL || (n = mg_unb64(tok, (size_t)(dot - tok), 0, buf,
	    sizeof(buf) - 1)) < 0)
		return -1;
	buf[n] = '\0';
	if ((o = json_tokener_parse((const char *)buf)) == NULL)
		return -1;
	if (json_object_object_get_ex(o, "kid", &v) &&
	    json_object_is_type(v, json_type_string)) {
		snprintf(out, cap, "%s", json_object_get_string(v));
		rc = 0;
	}
	json_object_put(o);
	return rc;
}

static void
t_signing_key_rotation(void)
{
	struct it_resp r;
	char at[4200], rt[128], at2[4200], kid1[64], kid2[64];
	json_object *o, *keys;
	size_t before;

	CU_ASSERT_EQUAL_FATAL(tokens("read", at, sizeof(at), rt, sizeof(rt)), 0);
	CU_ASSERT_EQUAL_FATAL(jws_kid(at, kid1, sizeof(kid1)), 0);
	it_get(&r, "/v1/oauth/jwks", NULL);
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(r.json, "keys", &keys));
	before = json_object_array_length(keys);
	it_free(&r);
	sleep(1);	/* kids carry the creation second: a strictly newer one */
	o = it_mgctl("signing-key rotate");
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	json_object_put(o);
	/* The old key stays published and its tokens keep working. */
	it_get(&r, "/v1/oauth/jwks", NULL);
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(r.json, "keys", &keys));
	CU_ASSERT_EQUAL(json_object_array_length(keys), before + 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, kid1));
	it_free(&r);
	CU_ASSERT_EQUAL(me_status(at), 200);
	/* New tokens are signed by the new key. */
	refresh(&r, rt);
	CU_ASSERT_EQUAL_FATAL(r.status, 200);
	snprintf(at2, sizeof(at2), "%s", it_str(&r, "access_token"));
	it_free(&r);
	CU_ASSERT_EQUAL_FATAL(jws_kid(at2, kid2, sizeof(kid2)), 0);
	CU_ASSERT_STRING_NOT_EQUAL(kid1, kid2);
	CU_ASSERT_EQUAL(me_status(at2), 200);
}

static void
t_token_wrong_verifier_invalid_grant(void)
{
	struct it_resp r;
	char code[128];

	CU_ASSERT_EQUAL_FATAL(get_code("read", code, sizeof(code)), 0);
	exchange(&r, code, "xBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", NULL);
	expect_oauth_error(&r, 400, "invalid_grant");
	it_free(&r);
	exchange(&r, code, "short", NULL);
	expect_oauth_error(&r, 400, "invalid_grant");
	it_free(&r);
}

static void
t_token_missing_verifier_invalid_grant(void)
{
	struct it_resp r;
	char code[128];

	CU_ASSERT_EQUAL_FATAL(get_code("read", code, sizeof(code)), 0);
	exchange(&r, code, NULL, NULL);
	expect_oauth_error(&r, 400, "invalid_grant");
	it_free(&r);
}

static void
t_token_other_redirect_invalid_grant(void)
{
	struct it_resp r;
	char code[128];

	CU_ASSERT_EQUAL_FATAL(get_code("read", code, sizeof(code)), 0);
	exchange(&r, code, VERIFIER, HTTPS_REDIR);
	expect_oauth_error(&r, 400, "invalid_grant");
	it_free(&r);
	exchange(&r, code, VERIFIER, "http://127.0.0.1:10/cb");
	expect_oauth_error(&r, 400, "invalid_grant");
	it_free(&r);
	/* The code is still good with the right one (nothing was issued). */
	exchange(&r, code, VERIFIER, NULL);
	CU_ASSERT_EQUAL(r.status, 200);
	it_free(&r);
}

static void
t_token_unknown_code_invalid_grant(void)
{
	struct it_resp r;

	exchange(&r, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", VERIFIER, NULL);
	expect_oauth_error(&r, 400, "invalid_grant");
	it_free(&r);
}

static void
t_code_replay_revokes_first_tokens(void)
{
	struct it_resp r;
	char code[128], at[4200], rt[128];

	CU_ASSERT_EQUAL_FATAL(get_code("read", code, sizeof(code)), 0);
	exchange(&r, code, VERIFIER, NULL);
	CU_ASSERT_EQUAL_FATAL(r.status, 200);
	snprintf(at, sizeof(at), "%s", it_str(&r, "access_token"));
	snprintf(rt, sizeof(rt), "%s", it_str(&r, "refresh_token"));
	it_free(&r);
	CU_ASSERT_EQUAL(me_status(at), 200);
	exchange(&r, code, VERIFIER, NULL);
	expect_oauth_error(&r, 400, "invalid_grant");
	it_free(&r);
	CU_ASSERT_EQUAL(me_status(at), 401);
	refresh(&r, rt);
	expect_oauth_error(&r, 400, "invalid_grant");
	it_free(&r);
}

static void
t_refresh_rotates(void)
{
	struct it_resp r;
	char at[4200], rt[128], at2[4200], rt2[128];

	CU_ASSERT_EQUAL_FATAL(tokens("read", at, sizeof(at), rt, sizeof(rt)), 0);
	refresh(&r, rt);
	CU_ASSERT_EQUAL_FATAL(r.status, 200);
	snprintf(at2, sizeof(at2), "%s", it_str(&r, "access_token"));
	snprintf(rt2, sizeof(rt2), "%s", it_str(&r, "refresh_token"));
	CU_ASSERT_STRING_NOT_EQUAL(rt, rt2);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "scope"), "read");
	it_free(&r);
	CU_ASSERT_EQUAL(me_status(at2), 200);
	refresh(&r, rt2);
	CU_ASSERT_EQUAL(r.status, 200);
	it_free(&r);
}

static void
t_refresh_reuse_kills_family(void)
{
	struct it_resp r;
	char at[4200], rt[128], at2[4200], rt2[128];

	CU_ASSERT_EQUAL_FATAL(tokens("read", at, sizeof(at), rt, sizeof(rt)), 0);
	refresh(&r, rt);
	CU_ASSERT_EQUAL_FATAL(r.status, 200);
	snprintf(at2, sizeof(at2), "%s", it_str(&r, "access_token"));
	snprintf(rt2, sizeof(rt2), "%s", it_str(&r, "refresh_token"));
	it_free(&r);
	refresh(&r, rt);	/* the used one */
	expect_oauth_error(&r, 400, "invalid_grant");
	it_free(&r);
	refresh(&r, rt2);	/* the family is dead */
	expect_oauth_error(&r, 400, "invalid_grant");
	it_free(&r);
	CU_ASSERT_EQUAL(me_status(at2), 401);
	CU_ASSERT_EQUAL(me_status(at), 401);
}

static void
t_refresh_scope_cannot_grow(void)
{
	struct it_resp r;
	char at[4200], rt[128], body[512];

	CU_ASSERT_EQUAL_FATAL(tokens("read", at, sizeof(at), rt, sizeof(rt)), 0);
	snprintf(body, sizeof(body), "grant_type=refresh_token&refresh_token=%s"
	    "&client_id=%s&scope=read%%20generate", esc(rt), client_id);
	token(&r, body);
	expect_oauth_error(&r, 400, "invalid_scope");
	it_free(&r);
}

static void
t_token_errors_wire_shape(void)
{
	struct it_resp r;
	char body[256];
	const char *h[2] = { "Content-Type: application/json", NULL };
	char url[512];

	snprintf(body, sizeof(body), "grant_type=password&username=a&password=b"
	    "&client_id=%s", client_id);
	token(&r, body);
	expect_oauth_error(&r, 400, "unsupported_grant_type");
	it_free(&r);
	token(&r, "grant_type=authorization_code&code=x&client_id=mgc_nope"
	    "&redirect_uri=x&code_verifier=x");
	expect_oauth_error(&r, 401, "invalid_client");
	it_free(&r);
	snprintf(body, sizeof(body), "grant_type=refresh_token&client_id=%s",
	    client_id);
	token(&r, body);
	expect_oauth_error(&r, 400, "invalid_request");
	it_free(&r);
	snprintf(body, sizeof(body), "grant_type=refresh_token&client_id=%s"
	    "&refresh_token=a&refresh_token=b", client_id);
	token(&r, body);
	expect_oauth_error(&r, 400, "invalid_request");
	it_free(&r);
	snprintf(url, sizeof(url), "%s/v1/oauth/token", it_base());
	it_req(&r, "POST", url, h, "{\"grant_type\":\"refresh_token\"}", 30);
	expect_oauth_error(&r, 400, "invalid_request");
	it_free(&r);
	snprintf(body, sizeof(body), "grant_type=refresh_token&client_id=%s"
	    "&refresh_token=AAAA", client_id);
	token(&r, body);
	expect_oauth_error(&r, 400, "invalid_grant");
	it_free(&r);
}

/* ---- access tokens on API routes ----------------------------------------------------------- */

static void
t_access_token_tampered_401(void)
{
	struct it_resp r;
	char at[4200], rt[128], *dot;
	char none[512];

	CU_ASSERT_EQUAL_FATAL(tokens("read", at, sizeof(at), rt, sizeof(rt)), 0);
	/* Flip a signature character. */
	at[strlen(at) - 5] = at[strlen(at) - 5] == 'A' ? 'B' : 'A';
	CU_ASSERT_EQUAL(me_status(at), 401);
	/* alg none with the same claims. */
	dot = strchr(at, '.');
	CU_ASSERT_PTR_NOT_NULL_FATAL(dot);
	*strchr(dot + 1, '.') = '\0';
	snprintf(none, sizeof(none), "eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0%s.",
	    dot);
	CU_ASSERT_EQUAL(me_status(none), 401);
	api_get(&r, "/v1/me", "a.b.c");
	CU_ASSERT_EQUAL(r.status, 401);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "error.code"), "unauthorized");
	it_free(&r);
}

/* ---- revocation, introspection ----------------------------------------------------------- */

static void
oauth_revoke(struct it_resp *r, const char *tok)
{
	char body[4500];

	snprintf(body, sizeof(body), "token=%s&client_id=%s", esc(tok), client_id);
	post_form(r, "/v1/oauth/revoke", NULL, body);
}

static void
t_revoke_junk_200(void)
{
	struct it_resp r;

	oauth_revoke(&r, "junk-token-that-was-never-issued");
	CU_ASSERT_EQUAL(r.status, 200);
	it_free(&r);
	oauth_revoke(&r, "eyJhbGciOiJFUzI1NiJ9.e30.AAAA");
	CU_ASSERT_EQUAL(r.status, 200);
	it_free(&r);
}

static void
t_revoke_access_token_cuts_off(void)
{
	struct it_resp r;
	char at[4200], rt[128];

	CU_ASSERT_EQUAL_FATAL(tokens("read", at, sizeof(at), rt, sizeof(rt)), 0);
	CU_ASSERT_EQUAL(me_status(at), 200);
	oauth_revoke(&r, at);
	CU_ASSERT_EQUAL(r.status, 200);
	it_free(&r);
	CU_ASSERT_EQUAL(me_status(at), 401);
	oauth_revoke(&r, at);	/* already revoked */
	CU_ASSERT_EQUAL(r.status, 200);
	it_free(&r);
	/* The refresh token of the grant still works (RFC 7009 §2.1). */
	refresh(&r, rt);
	CU_ASSERT_EQUAL(r.status, 200);
	it_free(&r);
}

static void
t_revoke_refresh_token_kills_grant(void)
{
	struct it_resp r;
	char at[4200], rt[128];

	CU_ASSERT_EQUAL_FATAL(tokens("read", at, sizeof(at), rt, sizeof(rt)), 0);
	oauth_revoke(&r, rt);
	CU_ASSERT_EQUAL(r.status, 200);
	it_free(&r);
	refresh(&r, rt);
	expect_oauth_error(&r, 400, "invalid_grant");
	it_free(&r);
	CU_ASSERT_EQUAL(me_status(at), 401);
	oauth_revoke(&r, rt);	/* already revoked */
	CU_ASSERT_EQUAL(r.status, 200);
	it_free(&r);
}

static void
t_introspect_active_then_inactive(void)
{
	struct it_resp r;
	char at[4200], rt[128], body[4500];
	json_object *v;

	CU_ASSERT_EQUAL_FATAL(tokens("read", at, sizeof(at), rt, sizeof(rt)), 0);
	snprintf(body, sizeof(body), "token=%s&client_id=%s", esc(at), client_id);
	post_form(&r, "/v1/oauth/introspect", NULL, body);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(r.json, "active", &v));
	CU_ASSERT_TRUE(json_object_get_boolean(v));
	CU_ASSERT_STRING_EQUAL(it_str(&r, "scope"), "read");
	CU_ASSERT_STRING_EQUAL(it_str(&r, "client_id"), client_id);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "ws"), W.ws);
	it_free(&r);
	snprintf(body, sizeof(body), "token=%s&client_id=%s", esc(rt), client_id);
	post_form(&r, "/v1/oauth/introspect", NULL, body);
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(r.json, "active", &v));
	CU_ASSERT_TRUE(json_object_get_boolean(v));
	CU_ASSERT_STRING_EQUAL(it_str(&r, "token_type"), "refresh_token");
	it_free(&r);
	oauth_revoke(&r, at);
	it_free(&r);
	snprintf(body, sizeof(body), "token=%s&client_id=%s", esc(at), client_id);
	post_form(&r, "/v1/oauth/introspect", NULL, body);
	CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(r.json, "active", &v));
	CU_ASSERT_FALSE(json_object_get_boolean(v));
	CU_ASSERT_PTR_NULL(it_str(&r, "scope"));
	it_free(&r);
	post_form(&r, "/v1/oauth/introspect", NULL, "token=junk&client_id=mgc_nope");
	expect_oauth_error(&r, 401, "invalid_client");
	it_free(&r);
}

static void
t_logout_revokes_session(void)
{
	struct it_resp r;
	char sess[128], csrf[128], body[256];

	CU_ASSERT_EQUAL_FATAL(login(sess, sizeof(sess)), 0);
	CU_ASSERT_EQUAL_FATAL(consent_csrf(sess, csrf, sizeof(csrf)), 0);
	snprintf(body, sizeof(body), "csrf=%s", csrf);
	post_form(&r, "/v1/oauth/logout", sess, body);
	CU_ASSERT_EQUAL(r.status, 200);
	it_free(&r);
	/* The old cookie now gets the sign-in page, not consent. */
	get_c(&r, AZ("read", "s"), sess);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "action=\"/v1/oauth/login\""));
	it_free(&r);
}

static void
t_mgctl_oauth_purge_keeps_live_tokens(void)
{
	char at[4200], rt[128];
	json_object *o, *v;
	struct it_resp r;

	CU_ASSERT_EQUAL_FATAL(tokens("read", at, sizeof(at), rt, sizeof(rt)), 0);
	o = it_mgctl("oauth purge");
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_TRUE(json_object_object_get_ex(o, "codes", &v));
	CU_ASSERT_TRUE(json_object_object_get_ex(o, "access_tokens", &v));
	CU_ASSERT_TRUE(json_object_object_get_ex(o, "sessions", &v));
	json_object_put(o);
	CU_ASSERT_EQUAL(me_status(at), 200);	/* live records untouched */
	refresh(&r, rt);
	CU_ASSERT_EQUAL(r.status, 200);
	it_free(&r);
}

static const struct mgt_case cases[] = {
	{ "metadata_rfc8414", t_metadata_rfc8414 },
	{ "jwks_has_es256_key", t_jwks_has_es256_key },
	{ "unknown_client_error_page", t_unknown_client_error_page },
	{ "missing_client_error_page", t_missing_client_error_page },
	{ "redirect_trailing_slash_error_page", t_redirect_trailing_slash_error_page },
	{ "redirect_case_error_page", t_redirect_case_error_page },
	{ "redirect_extra_query_error_page", t_redirect_extra_query_error_page },
	{ "redirect_other_host_error_page", t_redirect_other_host_error_page },
	{ "redirect_missing_error_page", t_redirect_missing_error_page },
	{ "redirect_duplicated_error_page", t_redirect_duplicated_error_page },
	{ "redirect_loopback_any_port", t_redirect_loopback_any_port },
	{ "missing_code_challenge_invalid_request", t_missing_code_challenge_invalid_request },
	{ "method_plain_invalid_request", t_method_plain_invalid_request },
	{ "method_missing_invalid_request", t_method_missing_invalid_request },
	{ "challenge_malformed_invalid_request", t_challenge_malformed_invalid_request },
	{ "response_type_token_unsupported", t_response_type_token_unsupported },
	{ "unknown_scope_invalid_scope", t_unknown_scope_invalid_scope },
	{ "scope_beyond_client_invalid_scope", t_scope_beyond_client_invalid_scope },
	{ "state_echoed_byte_exact", t_state_echoed_byte_exact },
	{ "signin_page_when_signed_out", t_signin_page_when_signed_out },
	{ "signin_wrong_password", t_signin_wrong_password },
	{ "signin_without_csrf_403", t_signin_without_csrf_403 },
	{ "session_cookie_attributes", t_session_cookie_attributes },
	{ "forged_session_cookie_signin_page", t_forged_session_cookie_signin_page },
	{ "consent_page_lists_app_workspaces_scopes", t_consent_page_lists_app_workspaces_scopes },
	{ "pages_security_headers", t_pages_security_headers },
	{ "consent_without_csrf_403_no_code", t_consent_without_csrf_403_no_code },
	{ "consent_wrong_csrf_403_no_code", t_consent_wrong_csrf_403_no_code },
	{ "consent_csrf_of_other_session_403", t_consent_csrf_of_other_session_403 },
	{ "consent_without_session_403", t_consent_without_session_403 },
	{ "consent_deny_access_denied_with_state", t_consent_deny_access_denied_with_state },
	{ "consent_foreign_workspace_403", t_consent_foreign_workspace_403 },
	{ "consent_allow_code_state_iss", t_consent_allow_code_state_iss },
	{ "happy_path_token_me_scopes", t_happy_path_token_me_scopes },
	{ "token_scope_enforced_on_routes", t_token_scope_enforced_on_routes },
	{ "token_bound_to_chosen_workspace", t_token_bound_to_chosen_workspace },
	{ "workspace_choice_among_several", t_workspace_choice_among_several },
	{ "signing_key_rotation", t_signing_key_rotation },
	{ "token_wrong_verifier_invalid_grant", t_token_wrong_verifier_invalid_grant },
	{ "token_missing_verifier_invalid_grant", t_token_missing_verifier_invalid_grant },
	{ "token_other_redirect_invalid_grant", t_token_other_redirect_invalid_grant },
	{ "token_unknown_code_invalid_grant", t_token_unknown_code_invalid_grant },
	{ "code_replay_revokes_first_tokens", t_code_replay_revokes_first_tokens },
	{ "refresh_rotates", t_refresh_rotates },
	{ "refresh_reuse_kills_family", t_refresh_reuse_kills_family },
	{ "refresh_scope_cannot_grow", t_refresh_scope_cannot_grow },
	{ "token_errors_wire_shape", t_token_errors_wire_shape },
	{ "access_token_tampered_401", t_access_token_tampered_401 },
	{ "revoke_junk_200", t_revoke_junk_200 },
	{ "revoke_access_token_cuts_off", t_revoke_access_token_cuts_off },
	{ "revoke_refresh_token_kills_grant", t_revoke_refresh_token_kills_grant },
	{ "introspect_active_then_inactive", t_introspect_active_then_inactive },
	{ "logout_revokes_session", t_logout_revokes_session },
	{ "mgctl_oauth_purge_keeps_live_tokens", t_mgctl_oauth_purge_keeps_live_tokens },
	{ NULL, NULL }
};

int
main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	mgt_suite("oauth", setup, NULL, cases);
	return mgt_run();
}
