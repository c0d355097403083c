/*
 * auth_session: server-side browser sessions of people.
 *
 * A session id is 32 random bytes, sent to the browser as the unpadded
 * base64url cookie `mg_session` (HttpOnly, SameSite=Lax, Path=/, Secure
 * when the request came over TLS) and stored only as its SHA-256 in
 * user_sessions, looked up by that hash. A session expires after
 * session_idle_s of inactivity (default 43200) and session_absolute_s after
 * creation (default 604800), whichever is first, and can be revoked.
 *
 * Each session has a CSRF token bound to it: base64url(HMAC-SHA256(session
 * id, "mediagate-csrf-v1")). It is derived, not stored, and only the
 * holder of the HttpOnly cookie's page can know it (RFC 9700 §4.7 / the
 * consent form of reference/oauth.md item 12).
 *
 * Used by the OAuth sign-in/consent pages and the prepaid browser-session
 * routes (any pool holding DB_ROLE_AUTH).
 */
#ifndef AUTH_SESSION_H
#define AUTH_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "mg_ctx.h"

#define AUTH_SESSION_COOKIE	"mg_session"
#define AUTH_SESSION_ID_BYTES	32
#define AUTH_SESSION_ID_LEN	43	/* base64url, no padding */
#define AUTH_SESSION_CSRF_LEN	43

enum auth_session_err {
	AUTH_SESSION_OK = 0,
	AUTH_SESSION_NONE,	/* no cookie */
	AUTH_SESSION_MALFORMED,	/* cookie is not 43 base64url characters */
	AUTH_SESSION_UNKNOWN,	/* unknown, revoked, expired, or user disabled */
	AUTH_SESSION_DB,	/* database failure (logged) */
	AUTH_SESSION__MAX
};

struct auth_session {
	unsigned char	 id_hash[32];
	char		 user_id[37];
	char		 workspace_id[37];	/* "" when none */
	char		 email[255];
	char		 csrf[AUTH_SESSION_CSRF_LEN + 1];
};

const char	*auth_session_strerror(enum auth_session_err);

/*
 * Create a session for user_id (workspace_id may be NULL), store its hash
 * and add the Set-Cookie header to c. Fills out (may be NULL).
 */
enum auth_session_err auth_session_create(struct mg_ctx *c,
		    const char *user_id, const char *workspace_id,
		    struct auth_session *out);

/*
 * The live session named by the request's mg_session cookie. Slides the
 * idle window. AUTH_SESSION_OK fills out.
 */
enum auth_session_err auth_session_lookup(struct mg_ctx *c,
		    struct auth_session *out);

/* Bind the live session to a workspace. */
enum auth_session_err auth_session_set_workspace(struct mg_ctx *c,
		    const struct auth_session *s, const char *workspace_id);

/*
 * Revoke the request's session (if any) and clear the cookie in the
 * response. AUTH_SESSION_OK also when there was none.
 */
enum auth_session_err auth_session_revoke(struct mg_ctx *c);

/* 1 when token is the session's CSRF token (constant time), else 0. */
int		 auth_session_csrf_ok(const struct auth_session *s,
		    const char *token);

/* Pure helpers (unit-tested). */

/* Decode a cookie value into the raw id; 0, or -1 when malformed. */
int		 auth_session_id_parse(const char *v, size_t n,
		    unsigned char raw[AUTH_SESSION_ID_BYTES]);
/* The CSRF token of a raw session id into out (AUTH_SESSION_CSRF_LEN + 1). */
void		 auth_session_csrf(const unsigned char raw[AUTH_SESSION_ID_BYTES],
		    char out[AUTH_SESSION_CSRF_LEN + 1]);
/*
 * Format a Set-Cookie value for name=value (value "" and max_age 0 clear
 * it): "name=value; Path=/; Max-Age=N; HttpOnly; SameSite=Lax[; Secure]".
 * Returns the length, or 0 when it does not fit.
 */
size_t		 auth_cookie_format(char *buf, size_t cap, const char *name,
		    const char *value, int64_t max_age, int secure);

#endif
