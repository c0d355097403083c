#include <string.h>

#include "mg_crypto.h"
#include "auth_pkce.h"

static const char *const pkce_errs[AUTH_PKCE__MAX] = {
	"ok",						/* AUTH_PKCE_OK */
	"code_verifier must be 43-128 unreserved characters", /* AUTH_PKCE_BAD_VERIFIER */
	"code_challenge must be a 43-character S256 value", /* AUTH_PKCE_BAD_CHALLENGE */
	"code_challenge_method must be S256",		/* AUTH_PKCE_BAD_METHOD */
	"code_verifier does not match code_challenge",	/* AUTH_PKCE_MISMATCH */
};

const char *
auth_pkce_strerror(enum auth_pkce_err e)
{
	return (unsigned)e < AUTH_PKCE__MAX ? pkce_errs[e] : "unknown error";
}

/*
 * 1 if s[0..n) is 43*128unreserved, unreserved = ALPHA / DIGIT / "-" / "."
 * / "_" / "~" (RFC 7636 §4.1 for the verifier, §4.2 for the challenge).
 */
static int
pkce_syntax_ok(const char *s, size_t n)
{
	size_t i;
	unsigned char c;

	if (s == NULL || n < AUTH_PKCE_MIN || n > AUTH_PKCE_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~'))
			return 0;
	}
	return 1;
}

/*
 * Validate an authorization request's code_challenge and
 * code_challenge_method (RFC 7636 §4.3) before a code is issued. method
 * must be exactly "S256" (a missing method means "plain" by §4.3 and is
 * refused too: pass NULL). The challenge must match the §4.2 grammar and,
 * since BASE64URL(SHA256(·)) is always 43 characters, be exactly 43
 * characters: anything else could never verify.
 */
enum auth_pkce_err
auth_pkce_check_challenge(const char *challenge, size_t n, const char *method)
{
	if (method == NULL || strcmp(method, "S256") != 0)
		return AUTH_PKCE_BAD_METHOD;
	if (!pkce_syntax_ok(challenge, n) || n != AUTH_PKCE_S256_LEN)
		return AUTH_PKCE_BAD_CHALLENGE;
	return AUTH_PKCE_OK;
}

/*
 * Verify a token request's code_verifier against the stored S256
 * code_challenge (RFC 7636 §4.6: BASE64URL-ENCODE(SHA256(ASCII(verifier)))
 * == code_challenge). Both must pass the §4.1/§4.2 grammar first. The
 * comparison is constant-time. Returns AUTH_PKCE_OK only on a match.
 */
enum auth_pkce_err
auth_pkce_verify(const char *verifier, size_t vn, const char *challenge,
    size_t cn)
{
	unsigned char d[32];
	char enc[48];

	if (!pkce_syntax_ok(verifier, vn))
		return AUTH_PKCE_BAD_VERIFIER;
	if (!pkce_syntax_ok(challenge, cn) || cn != AUTH_PKCE_S256_LEN)
		return AUTH_PKCE_BAD_CHALLENGE;
	mg_sha256(verifier, vn, d);
	if (mg_b64url(d, sizeof(d), enc, sizeof(enc)) != AUTH_PKCE_S256_LEN)
		return AUTH_PKCE_MISMATCH;
	return mg_ct_eq(enc, challenge, AUTH_PKCE_S256_LEN) == 0 ?
	    AUTH_PKCE_OK : AUTH_PKCE_MISMATCH;
}
