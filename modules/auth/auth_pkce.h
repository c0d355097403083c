/*
 * auth_pkce: Proof Key for Code Exchange, S256 only (RFC 7636; RFC 9700
 * §2.1.1 and this deployment refuse "plain").
 */
#ifndef AUTH_PKCE_H
#define AUTH_PKCE_H

#include <stddef.h>

#define AUTH_PKCE_MIN	43	/* RFC 7636 §4.1 */
#define AUTH_PKCE_MAX	128
#define AUTH_PKCE_S256_LEN 43	/* base64url(SHA-256), no padding */

enum auth_pkce_err {
	AUTH_PKCE_OK = 0,
	AUTH_PKCE_BAD_VERIFIER,		/* not 43..128 unreserved characters */
	AUTH_PKCE_BAD_CHALLENGE,	/* not 43..128 unreserved / not S256-shaped */
	AUTH_PKCE_BAD_METHOD,		/* method other than "S256" */
	AUTH_PKCE_MISMATCH,		/* S256(verifier) != challenge */
	AUTH_PKCE__MAX
};

const char	*auth_pkce_strerror(enum auth_pkce_err);
enum auth_pkce_err auth_pkce_check_challenge(const char *challenge, size_t n,
		    const char *method);
enum auth_pkce_err auth_pkce_verify(const char *verifier, size_t vn,
		    const char *challenge, size_t cn);

#endif
