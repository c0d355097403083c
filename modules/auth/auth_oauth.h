/*
 * auth_oauth: the OAuth 2.0 authorization server (RFC 6749 authorization
 * code grant with PKCE S256 only, RFC 7636; refresh rotation with reuse
 * detection; RFC 7009 revocation; RFC 7662 introspection; RFC 8414
 * metadata; RFC 9207 iss; RFC 9068 JWT access tokens), following the
 * RFC 9700 checklist of reference/oauth.md (see docs/OAUTH.md for where
 * each item is enforced).
 *
 * Config: oauth_issuer (default public_base_url, default
 * http://127.0.0.1:8080), oauth_audience ("mediagate"), oauth_keys_dir,
 * oauth_code_ttl_s (60, at most 60), oauth_access_ttl_s (600),
 * oauth_refresh_idle_s (1209600).
 */
#ifndef AUTH_OAUTH_H
#define AUTH_OAUTH_H

#include <stddef.h>
#include <stdint.h>

#include "mg_ctx.h"

struct auth_jwt_ring;

#define AUTH_OAUTH_URI_MAX	2000	/* longest redirect URI accepted */
#define AUTH_OAUTH_STATE_MAX	1024	/* longest state echoed */
#define AUTH_OAUTH_CLIENT_ID_MAX 64

/* Config accessors (see above). */
const char	*auth_oauth_issuer(void);
const char	*auth_oauth_audience(void);
int64_t		 auth_oauth_code_ttl(void);
int64_t		 auth_oauth_access_ttl(void);
int64_t		 auth_oauth_refresh_idle(void);

/*
 * This process's key ring, loaded on first use and refreshed (one stat)
 * on every call; NULL when no key exists (`mgctl signing-key rotate`).
 */
struct auth_jwt_ring *auth_oauth_ring(void);

/*
 * Authenticate a bearer that looks like a JWS (auth_oauth_is_jws) as an
 * RFC 9068 access token: signature, iss, aud, exp, then one query that
 * checks the jti and its grant are live and loads the workspace and
 * wallet into c->who (via_token = 1, scopes from the token). Returns 0,
 * or the 401 already answered.
 */
int		 auth_oauth_authenticate(struct mg_ctx *c, const char *tok,
		    size_t n);

/* Route handlers (studio table, module auth). */
int	auth_oauth_h_authorize(struct mg_ctx *);	/* GET /v1/oauth/authorize */
int	auth_oauth_h_login(struct mg_ctx *);		/* POST /v1/oauth/login */
int	auth_oauth_h_consent(struct mg_ctx *);		/* POST /v1/oauth/consent */
int	auth_oauth_h_logout(struct mg_ctx *);		/* POST /v1/oauth/logout */
int	auth_oauth_h_token(struct mg_ctx *);		/* POST /v1/oauth/token */
int	auth_oauth_h_revoke(struct mg_ctx *);		/* POST /v1/oauth/revoke */
int	auth_oauth_h_introspect(struct mg_ctx *);	/* POST /v1/oauth/introspect */
int	auth_oauth_h_jwks(struct mg_ctx *);		/* GET /v1/oauth/jwks */
int	auth_oauth_h_metadata(struct mg_ctx *);		/* GET /.well-known/oauth-authorization-server */

/* ---- Pure helpers (unit-tested in tests/unit/test_oauth.c) ---------------- */

enum auth_uri_err {
	AUTH_URI_OK = 0,
	AUTH_URI_EMPTY,		/* missing or empty */
	AUTH_URI_TOO_LONG,	/* over AUTH_OAUTH_URI_MAX */
	AUTH_URI_BAD_CHAR,	/* control character, space, or non-ASCII */
	AUTH_URI_FRAGMENT,	/* has a '#' (RFC 6749 §3.1.2) */
	AUTH_URI_SCHEME,	/* not https, loopback http, or a private-use scheme */
	AUTH_URI_NO_HOST,	/* http(s) without an authority */
	AUTH_URI_USERINFO,	/* http(s) authority with user@ or a bad port */
	AUTH_URI__MAX
};

const char	*auth_uri_strerror(enum auth_uri_err);
/*
 * Is uri acceptable as a registered redirect URI (RFC 6749 §3.1.2, RFC
 * 8252 §7, RFC 9700 §2.1)? https with a host; http only for the loopback
 * literals 127.0.0.1 and [::1]; or a private-use scheme containing a '.'
 * (com.example.app:/cb). No fragment, no whitespace or control bytes.
 */
enum auth_uri_err auth_oauth_redirect_check(const char *uri);

/*
 * RFC 8252 §7.3: for http://127.0.0.1:PORT/… or http://[::1]:PORT/…
 * write the URI without ":PORT" to out and return 1 (so a registered
 * port-less loopback URI matches any port); 0 when uri is not such a URI
 * (out untouched), -1 when out is too small.
 */
int		 auth_oauth_loopback_strip(const char *uri, char *out, size_t cap);

/* 1 when a code that expires at exp_us is expired at now_us (unix µs). */
int		 auth_oauth_code_expired(int64_t exp_us, int64_t now_us);

/* 1 when s[0..n) has the shape of a compact JWS (two dots, no spaces). */
int		 auth_oauth_is_jws(const char *s, size_t n);

/* Index of the first key that occurs twice in kv[0..n), or -1. */
int		 auth_oauth_dup_param(const struct mg_kv *kv, size_t n);

/*
 * Append redirect_uri plus the parameters (NULL-terminated name, value
 * pairs; a NULL value is skipped) to b as a query: '?' or '&' depending
 * on whether redirect_uri already has a query. Values percent-encoded.
 */
void		 auth_oauth_redirect_build(struct mg_buf *b,
		    const char *redirect_uri, const char *const *pairs);

/*
 * Parse "Basic base64(id:secret)" (RFC 7617; RFC 6749 §2.3.1) into id and
 * secret (each percent-decoded not needed: our ids and secrets are
 * base64url). Returns 0, or -1 when malformed or too long.
 */
int		 auth_oauth_basic_parse(const char *h, char *id, size_t idcap,
		    char *secret, size_t scap);

#endif
