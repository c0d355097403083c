/*
 * Unit tests for the pure helpers of the OAuth authorization server and
 * the browser sessions (modules/auth/auth_oauth.c, auth_session.c): every
 * rule a parser enforces has a named negative test. Code expiry is tested
 * here (the integration stack's code lifetime is 60 s).
 */
#include <stdio.h>
#include <string.h>

#include "../lib/mgtest.h"
#include "mg_buf.h"
#include "mg_crypto.h"
#include "fcgi_req.h"
#include "auth_oauth.h"
#include "auth_session.h"

static int
suite_init(void)
{
	return mg_crypto_init();
}

/* ---- redirect URI registration rules ------------------------------------- */

static void
t_redirect_https_ok(void)
{
	CU_ASSERT_EQUAL(auth_oauth_redirect_check("https://app.example.com/cb"),
	    AUTH_URI_OK);
	CU_ASSERT_EQUAL(auth_oauth_redirect_check("https://app.example.com/cb?x=1"),
	    AUTH_URI_OK);
}

static void
t_redirect_loopback_http_ok(void)
{
	CU_ASSERT_EQUAL(auth_oauth_redirect_check("http://127.0.0.1/cb"), AUTH_URI_OK);
	CU_ASSERT_EQUAL(auth_oauth_redirect_check("http://127.0.0.1:8080/cb"),
	    AUTH_URI_OK);
	CU_ASSERT_EQUAL(auth_oauth_redirect_check("http://[::1]:9/cb"), AUTH_URI_OK);
}

static void
t_redirect_private_scheme_ok(void)
{
	CU_ASSERT_EQUAL(auth_oauth_redirect_check("com.example.app:/cb"),
	    AUTH_URI_OK);
}

static void
t_redirect_empty(void)
{
	CU_ASSERT_EQUAL(auth_oauth_redirect_check(NULL), AUTH_URI_EMPTY);
	CU_ASSERT_EQUAL(auth_oauth_redirect_check(""), AUTH_URI_EMPTY);
}

static void
t_redirect_too_long(void)
{
	char u[AUTH_OAUTH_URI_MAX + 64];

	memset(u, 'a', sizeof(u) - 1);
	memcpy(u, "https://x/", 10);
	u[sizeof(u) - 1] = '\0';
	CU_ASSERT_EQUAL(auth_oauth_redirect_check(u), AUTH_URI_TOO_LONG);
}

static void
t_redirect_bad_char(void)
{
	CU_ASSERT_EQUAL(auth_oauth_redirect_check("https://a.example/c b"),
	    AUTH_URI_BAD_CHAR);
	CU_ASSERT_EQUAL(auth_oauth_redirect_check("https://a.example/\r\nX: y"),
	    AUTH_URI_BAD_CHAR);
	CU_ASSERT_EQUAL(auth_oauth_redirect_check("https://a.example/\xc3\xa9"),
	    AUTH_URI_BAD_CHAR);
}

static void
t_redirect_fragment(void)
{
	CU_ASSERT_EQUAL(auth_oauth_redirect_check("https://a.example/cb#x"),
	    AUTH_URI_FRAGMENT);
}

static void
t_redirect_scheme(void)
{
	CU_ASSERT_EQUAL(auth_oauth_redirect_check("http://app.example.com/cb"),
	    AUTH_URI_SCHEME);	/* plain http off loopback */
	CU_ASSERT_EQUAL(auth_oauth_redirect_check("http://localhost/cb"),
	    AUTH_URI_SCHEME);	/* RFC 8252 §8.3: literal, not localhost */
	CU_ASSERT_EQUAL(auth_oauth_redirect_check("javascript:alert(1)"),
	    AUTH_URI_SCHEME);
	CU_ASSERT_EQUAL(auth_oauth_redirect_check("/relative/cb"), AUTH_URI_SCHEME);
	CU_ASSERT_EQUAL(auth_oauth_redirect_check("http://127.0.0.10/cb"),
	    AUTH_URI_SCHEME);
}

static void
t_redirect_no_host(void)
{
	CU_ASSERT_EQUAL(auth_oauth_redirect_check("https:///cb"), AUTH_URI_NO_HOST);
	CU_ASSERT_EQUAL(auth_oauth_redirect_check("https:cb"), AUTH_URI_NO_HOST);
	CU_ASSERT_EQUAL(auth_oauth_redirect_check("http://"), AUTH_URI_NO_HOST);
}

static void
t_redirect_userinfo(void)
{
	CU_ASSERT_EQUAL(auth_oauth_redirect_check("http://127.0.0.1:9@evil.example/cb"),
	    AUTH_URI_USERINFO);
	CU_ASSERT_EQUAL(auth_oauth_redirect_check("https://user@app.example/cb"),
	    AUTH_URI_USERINFO);
	CU_ASSERT_EQUAL(auth_oauth_redirect_check("https://app.example:/cb"),
	    AUTH_URI_USERINFO);
	CU_ASSERT_EQUAL(auth_oauth_redirect_check("https://app.example:443x/cb"),
	    AUTH_URI_USERINFO);
	CU_ASSERT_EQUAL(auth_oauth_redirect_check("https://app.example:123456/cb"),
	    AUTH_URI_USERINFO);
	CU_ASSERT_EQUAL(auth_oauth_redirect_check("https://app.example:8443/cb"),
	    AUTH_URI_OK);
}

static void
t_uri_strerror_all(void)
{
	int e;

	for (e = 0; e < AUTH_URI__MAX; e++)
		CU_ASSERT_PTR_NOT_NULL(auth_uri_strerror((enum auth_uri_err)e));
	CU_ASSERT_STRING_EQUAL(auth_uri_strerror(AUTH_URI__MAX), "unknown error");
}

/* ---- loopback port (RFC 8252 §7.3) ------------------------------------------ */

static void
t_loopback_strip_v4(void)
{
	char out[64];

	CU_ASSERT_EQUAL(auth_oauth_loopback_strip("http://127.0.0.1:51234/cb",
	    out, sizeof(out)), 1);
	CU_ASSERT_STRING_EQUAL(out, "http://127.0.0.1/cb");
	CU_ASSERT_EQUAL(auth_oauth_loopback_strip("http://127.0.0.1:9?x=1",
	    out, sizeof(out)), 1);
	CU_ASSERT_STRING_EQUAL(out, "http://127.0.0.1?x=1");
}

static void
t_loopback_strip_v6(void)
{
	char out[64];

	CU_ASSERT_EQUAL(auth_oauth_loopback_strip("http://[::1]:80/cb", out,
	    sizeof(out)), 1);
	CU_ASSERT_STRING_EQUAL(out, "http://[::1]/cb");
}

static void
t_loopback_strip_not_loopback(void)
{
	char out[64] = "untouched";

	CU_ASSERT_EQUAL(auth_oauth_loopback_strip("https://127.0.0.1:9/cb", out,
	    sizeof(out)), 0);	/* https: no port variance */
	CU_ASSERT_EQUAL(auth_oauth_loopback_strip("http://localhost:9/cb", out,
	    sizeof(out)), 0);
	CU_ASSERT_EQUAL(auth_oauth_loopback_strip("http://127.0.0.1/cb", out,
	    sizeof(out)), 0);	/* no port */
	CU_ASSERT_EQUAL(auth_oauth_loopback_strip("http://127.0.0.1:/cb", out,
	    sizeof(out)), 0);	/* empty port */
	CU_ASSERT_EQUAL(auth_oauth_loopback_strip("http://127.0.0.1:123456/cb",
	    out, sizeof(out)), 0);	/* six digits */
	CU_ASSERT_EQUAL(auth_oauth_loopback_strip("http://127.0.0.1:9@evil/cb",
	    out, sizeof(out)), 0);	/* userinfo trick */
	CU_ASSERT_STRING_EQUAL(out, "untouched");
}

static void
t_loopback_strip_nospace(void)
{
	char out[8];

	CU_ASSERT_EQUAL(auth_oauth_loopback_strip("http://127.0.0.1:9/cb", out,
	    sizeof(out)), -1);
}

/* ---- codes, JWS shape, parameters -------------------------------------------- */

static void
t_code_expired_after_exp(void)
{
	CU_ASSERT_TRUE(auth_oauth_code_expired(1000000, 1000001));
	CU_ASSERT_TRUE(auth_oauth_code_expired(1000000, 61000000));
}

static void
t_code_expired_at_exp(void)
{
	CU_ASSERT_TRUE(auth_oauth_code_expired(1000000, 1000000));
}

static void
t_code_live_before_exp(void)
{
	CU_ASSERT_FALSE(auth_oauth_code_expired(61000000, 1000000));
	CU_ASSERT_FALSE(auth_oauth_code_expired(1000001, 1000000));
}

static void
t_is_jws(void)
{
	CU_ASSERT_TRUE(auth_oauth_is_jws("a.b.c", 5));
	CU_ASSERT_TRUE(auth_oauth_is_jws("eyJ-_.x.", 8));
	CU_ASSERT_FALSE(auth_oauth_is_jws("a.b", 3));
	CU_ASSERT_FALSE(auth_oauth_is_jws("a.b.c.d", 7));
	CU_ASSERT_FALSE(auth_oauth_is_jws("a.b c.d", 7));
	CU_ASSERT_FALSE(auth_oauth_is_jws("a.b+.c", 6));
	CU_ASSERT_FALSE(auth_oauth_is_jws("sk_live_AAAA", 12));
}

static void
t_dup_param(void)
{
	struct mg_kv kv[3] = { { "a", "1" }, { "b", "2" }, { "a", "3" } };

	CU_ASSERT_EQUAL(auth_oauth_dup_param(kv, 3), 0);
	CU_ASSERT_EQUAL(auth_oauth_dup_param(kv, 2), -1);
	CU_ASSERT_EQUAL(auth_oauth_dup_param(kv, 0), -1);
}

static void
t_redirect_build_query(void)
{
	struct mg_buf b;
	const char *p[] = { "code", "c1", "state", "a b&c=d", "iss",
	    "https://i.example", NULL, NULL };
	const char *skip[] = { "error", "x", "state", NULL, NULL, NULL };

	mg_buf_init(&b, NULL);
	auth_oauth_redirect_build(&b, "https://a.example/cb", p);
	CU_ASSERT_STRING_EQUAL(b.data, "https://a.example/cb?code=c1&state="
	    "a%20b%26c%3Dd&iss=https%3A%2F%2Fi.example");
	b.len = 0;
	auth_oauth_redirect_build(&b, "https://a.example/cb?k=v", skip);
	CU_ASSERT_STRING_EQUAL(b.data, "https://a.example/cb?k=v&error=x");
	mg_buf_free(&b);
}

static void
t_basic_ok(void)
{
	char id[64], sec[64];

	/* base64("mgc_abc:mgs_secret") */
	CU_ASSERT_EQUAL(auth_oauth_basic_parse("Basic bWdjX2FiYzptZ3Nfc2VjcmV0",
	    id, sizeof(id), sec, sizeof(sec)), 0);
	CU_ASSERT_STRING_EQUAL(id, "mgc_abc");
	CU_ASSERT_STRING_EQUAL(sec, "mgs_secret");
}

static void
t_basic_bad(void)
{
	char id[64], sec[64];

	CU_ASSERT_EQUAL(auth_oauth_basic_parse(NULL, id, sizeof(id), sec,
	    sizeof(sec)), -1);
	CU_ASSERT_EQUAL(auth_oauth_basic_parse("Bearer abc", id, sizeof(id),
	    sec, sizeof(sec)), -1);
	CU_ASSERT_EQUAL(auth_oauth_basic_parse("Basic !!!", id, sizeof(id),
	    sec, sizeof(sec)), -1);
	/* base64("nocolon") */
	CU_ASSERT_EQUAL(auth_oauth_basic_parse("Basic bm9jb2xvbg==", id,
	    sizeof(id), sec, sizeof(sec)), -1);
	/* base64(":secret"): empty id */
	CU_ASSERT_EQUAL(auth_oauth_basic_parse("Basic OnNlY3JldA==", id,
	    sizeof(id), sec, sizeof(sec)), -1);
	CU_ASSERT_EQUAL(auth_oauth_basic_parse("Basic ", id, sizeof(id), sec,
	    sizeof(sec)), -1);
	/* id too long for the buffer */
	CU_ASSERT_EQUAL(auth_oauth_basic_parse("Basic bWdjX2FiYzptZ3Nfc2VjcmV0",
	    id, 4, sec, sizeof(sec)), -1);
}

/* ---- sessions ------------------------------------------------------------------ */

static void
t_session_id_parse_ok(void)
{
	unsigned char raw[32], back[32];
	char s[64];

	mg_random(raw, sizeof(raw));
	mg_b64url(raw, sizeof(raw), s, sizeof(s));
	CU_ASSERT_EQUAL(auth_session_id_parse(s, strlen(s), back), 0);
	CU_ASSERT_EQUAL(memcmp(raw, back, 32), 0);
}

static void
t_session_id_parse_bad(void)
{
	unsigned char raw[32];

	CU_ASSERT_EQUAL(auth_session_id_parse(NULL, 0, raw), -1);
	CU_ASSERT_EQUAL(auth_session_id_parse("short", 5, raw), -1);
	CU_ASSERT_EQUAL(auth_session_id_parse(
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+", 43, raw), -1);
	CU_ASSERT_EQUAL(auth_session_id_parse(
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 44, raw), -1);
	/* Non-canonical: last character carries stray low bits. */
	CU_ASSERT_EQUAL(auth_session_id_parse(
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB", 43, raw), -1);
}

static void
t_session_csrf_bound(void)
{
	unsigned char a[32], b[32];
	char ca[AUTH_SESSION_CSRF_LEN + 1], ca2[AUTH_SESSION_CSRF_LEN + 1];
	char cb[AUTH_SESSION_CSRF_LEN + 1];
	struct auth_session s;

	mg_random(a, sizeof(a));
	memcpy(b, a, sizeof(b));
	b[0] ^= 1;
	auth_session_csrf(a, ca);
	auth_session_csrf(a, ca2);
	auth_session_csrf(b, cb);
	CU_ASSERT_EQUAL(strlen(ca), AUTH_SESSION_CSRF_LEN);
	CU_ASSERT_STRING_EQUAL(ca, ca2);
	CU_ASSERT_STRING_NOT_EQUAL(ca, cb);
	memset(&s, 0, sizeof(s));
	memcpy(s.csrf, ca, sizeof(ca));
	CU_ASSERT_TRUE(auth_session_csrf_ok(&s, ca));
	CU_ASSERT_FALSE(auth_session_csrf_ok(&s, cb));
	CU_ASSERT_FALSE(auth_session_csrf_ok(&s, NULL));
	CU_ASSERT_FALSE(auth_session_csrf_ok(&s, ""));
	ca2[10] = '\0';
	CU_ASSERT_FALSE(auth_session_csrf_ok(&s, ca2));
	s.csrf[0] = '\0';
	CU_ASSERT_FALSE(auth_session_csrf_ok(&s, ""));
}

static void
t_cookie_format(void)
{
	char c[256];

	CU_ASSERT_TRUE(auth_cookie_format(c, sizeof(c), "mg_session", "abc",
	    60, 0) > 0);
	CU_ASSERT_STRING_EQUAL(c, "mg_session=abc; Path=/; Max-Age=60; "
	    "HttpOnly; SameSite=Lax");
	CU_ASSERT_TRUE(auth_cookie_format(c, sizeof(c), "mg_session", "", 0,
	    1) > 0);
	CU_ASSERT_STRING_EQUAL(c, "mg_session=; Path=/; Max-Age=0; HttpOnly; "
	    "SameSite=Lax; Secure");
	CU_ASSERT_EQUAL(auth_cookie_format(c, 10, "mg_session", "abc", 60, 0), 0);
}

static void
t_session_strerror_all(void)
{
	int e;

	for (e = 0; e < AUTH_SESSION__MAX; e++)
		CU_ASSERT_PTR_NOT_NULL(auth_session_strerror(
		    (enum auth_session_err)e));
	CU_ASSERT_STRING_EQUAL(auth_session_strerror(AUTH_SESSION__MAX),
	    "unknown error");
}

static const struct mgt_case redirect_cases[] = {
	{ "redirect_https_ok", t_redirect_https_ok },
	{ "redirect_loopback_http_ok", t_redirect_loopback_http_ok },
	{ "redirect_private_scheme_ok", t_redirect_private_scheme_ok },
	{ "redirect_empty", t_redirect_empty },
	{ "redirect_too_long", t_redirect_too_long },
	{ "redirect_bad_char", t_redirect_bad_char },
	{ "redirect_fragment", t_redirect_fragment },
	{ "redirect_scheme", t_redirect_scheme },
	{ "redirect_no_host", t_redirect_no_host },
	{ "redirect_userinfo", t_redirect_userinfo },
	{ "uri_strerror_all", t_uri_strerror_all },
	{ "loopback_strip_v4", t_loopback_strip_v4 },
	{ "loopback_strip_v6", t_loopback_strip_v6 },
	{ "loopback_strip_not_loopback", t_loopback_strip_not_loopback },
	{ "loopback_strip_nospace", t_loopback_strip_nospace },
	{ NULL, NULL }
};

static const struct mgt_case flow_cases[] = {
	{ "code_expired_after_exp", t_code_expired_after_exp },
	{ "code_expired_at_exp", t_code_expired_at_exp },
	{ "code_live_before_exp", t_code_live_before_exp },
	{ "is_jws", t_is_jws },
	{ "dup_param", t_dup_param },
	{ "redirect_build_query", t_redirect_build_query },
	{ "basic_ok", t_basic_ok },
	{ "basic_bad", t_basic_bad },
	{ NULL, NULL }
};

static const struct mgt_case session_cases[] = {
	{ "session_id_parse_ok", t_session_id_parse_ok },
	{ "session_id_parse_bad", t_session_id_parse_bad },
	{ "session_csrf_bound", t_session_csrf_bound },
	{ "cookie_format", t_cookie_format },
	{ "session_strerror_all", t_session_strerror_all },
	{ NULL, NULL }
};

int
main(void)
{
	mgt_suite("oauth_redirect", suite_init, NULL, redirect_cases);
	mgt_suite("oauth_flow", suite_init, NULL, flow_cases);
	mgt_suite("session", suite_init, NULL, session_cases);
	return mgt_run();
}
