/*
 * auth_jws: the JWS compact serialisation shared by auth_jwt (our access
 * tokens, ES256) and auth_google (Google ID tokens, RS256). Internal to
 * modules/auth.
 *
 * Tokens are parsed here, not by libjwt: libjwt 1.10 decodes base64 with
 * libb64 (which skips invalid characters), takes the algorithm from the
 * token header (so HS256 "signed" with a public key PEM verifies), and
 * rewrites typ to "JWT" on encode. Here every segment is decoded strictly,
 * the JSON is parsed strictly, and the caller decides the algorithm and
 * key before any signature is checked.
 */
#ifndef AUTH_JWS_H
#define AUTH_JWS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

struct json_object;

#define AUTH_JWS_MAX		4096	/* longest token parsed at all */
#define AUTH_JWS_SIG_MAX	512	/* RSA-4096 signature */

struct auth_jws {
	struct json_object	*hdr;		/* owned: protected header */
	struct json_object	*claims;	/* owned: payload object */
	const char		*input;		/* borrowed: "header.payload" */
	size_t			 input_len;
	unsigned char		 sig[AUTH_JWS_SIG_MAX];
	size_t			 sig_len;
};

enum auth_jws_err {
	AUTH_JWS_OK = 0,
	AUTH_JWS_TOO_LONG,	/* longer than AUTH_JWS_MAX */
	AUTH_JWS_MALFORMED,	/* not three strict base64url segments of JSON */
};

enum auth_jws_err auth_jws_parse(const char *tok, struct auth_jws *);
void		 auth_jws_free(struct auth_jws *);
struct json_object *auth_jws_json(const char *s, size_t n, int depth);
const char	*auth_jws_str(struct json_object *, const char *key);
int		 auth_jws_int(struct json_object *, const char *key, int64_t *);
int		 auth_jws_verify_es256(EVP_PKEY *, const char *input, size_t n,
		    const unsigned char *sig, size_t siglen);
int		 auth_jws_sign_es256(EVP_PKEY *, const char *input, size_t n,
		    unsigned char sig[64]);
int		 auth_jws_verify_rs256(EVP_PKEY *, const char *input, size_t n,
		    const unsigned char *sig, size_t siglen);

#endif
