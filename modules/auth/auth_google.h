/*
 * auth_google: verify a Google ID token (an OpenID Connect ID token, RS256)
 * against Google's JWKS document. Fetching and caching the JWKS (config
 * google_jwks_url, honouring Cache-Control) is the caller's job; this
 * module is pure: (jwks, token, client id, now) → identity or error.
 * https://developers.google.com/identity/openid-connect/openid-connect#validatinganidtoken
 */
#ifndef AUTH_GOOGLE_H
#define AUTH_GOOGLE_H

#include <time.h>

#define AUTH_GOOGLE_JWKS_MAX	65536	/* bytes of JWKS JSON parsed at most */
#define AUTH_GOOGLE_SUB_SIZE	256
#define AUTH_GOOGLE_EMAIL_SIZE	320

struct auth_google_id {
	char	 sub[AUTH_GOOGLE_SUB_SIZE];	/* stable Google account id */
	char	 email[AUTH_GOOGLE_EMAIL_SIZE];	/* "" when absent */
	int	 email_verified;		/* 1 only if Google says true */
};

enum auth_google_err {
	AUTH_GOOGLE_OK = 0,
	AUTH_GOOGLE_E_TOO_LONG,		/* token longer than 4096 bytes */
	AUTH_GOOGLE_E_MALFORMED,	/* not a strict compact JWS of JSON */
	AUTH_GOOGLE_E_ALG,		/* alg is not RS256 */
	AUTH_GOOGLE_E_NO_KID,		/* no kid in the header */
	AUTH_GOOGLE_E_UNKNOWN_KID,	/* kid not in the JWKS */
	AUTH_GOOGLE_E_JWKS,		/* JWKS malformed, or its key unusable */
	AUTH_GOOGLE_E_SIGNATURE,	/* signature does not verify */
	AUTH_GOOGLE_E_ISS,		/* iss not accounts.google.com */
	AUTH_GOOGLE_E_AUD,		/* aud is not our client id */
	AUTH_GOOGLE_E_EXPIRED,		/* exp ≤ now */
	AUTH_GOOGLE_E_CLAIMS,		/* sub/exp missing or mistyped */
	AUTH_GOOGLE__MAX
};

const char	*auth_google_strerror(enum auth_google_err);
enum auth_google_err auth_google_verify(const char *jwks_json,
		    const char *token, const char *aud, time_t now,
		    struct auth_google_id *out);

#endif
