#include <string.h>

#include <json-c/json.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "mg_crypto.h"
#include "auth_google.h"
#include "auth_jws.h"

#define RSA_MIN_BITS	2048
#define RSA_N_MAX	512	/* 4096-bit modulus */
#define RSA_E_MAX	8

static const char *const google_errs[AUTH_GOOGLE__MAX] = {
	"ok",					/* AUTH_GOOGLE_OK */
	"ID token too long",			/* AUTH_GOOGLE_E_TOO_LONG */
	"malformed ID token",			/* AUTH_GOOGLE_E_MALFORMED */
	"ID token algorithm is not RS256",	/* AUTH_GOOGLE_E_ALG */
	"ID token has no kid",			/* AUTH_GOOGLE_E_NO_KID */
	"ID token kid is not in Google's JWKS",	/* AUTH_GOOGLE_E_UNKNOWN_KID */
	"Google JWKS is malformed",		/* AUTH_GOOGLE_E_JWKS */
	"ID token signature is invalid",	/* AUTH_GOOGLE_E_SIGNATURE */
	"ID token issuer is not Google",	/* AUTH_GOOGLE_E_ISS */
	"ID token audience is not this client",	/* AUTH_GOOGLE_E_AUD */
	"ID token expired",			/* AUTH_GOOGLE_E_EXPIRED */
	"ID token claims are missing or invalid", /* AUTH_GOOGLE_E_CLAIMS */
};

const char *
auth_google_strerror(enum auth_google_err e)
{
	return (unsigned)e < AUTH_GOOGLE__MAX ? google_errs[e] : "unknown error";
}

/* BIGNUM from the base64url member key of jwk (≤ max bytes), or NULL. */
static BIGNUM *
jwk_bn(struct json_object *jwk, const char *key, size_t max)
{
	unsigned char buf[RSA_N_MAX];
	const char *s;
	int n;

	if ((s = auth_jws_str(jwk, key)) == NULL || max > sizeof(buf) ||
	    (n = mg_unb64(s, strlen(s), 0, buf, max)) <= 0)
		return NULL;
	return BN_bin2bn(buf, n, NULL);
}

/*
 * An RSA public key from a JWK (RFC 7518 §6.3.1: n and e, base64url
 * big-endian), via OpenSSL 3 EVP_PKEY_fromdata. Refuses a kty other than
 * RSA, an alg other than RS256, a use other than sig, and a modulus under
 * 2048 bits. Returns a new key the caller frees, or NULL.
 */
static EVP_PKEY *
jwk_rsa(struct json_object *jwk)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk = NULL;
	BIGNUM *n = NULL, *e = NULL;
	const char *s;

	if ((s = auth_jws_str(jwk, "kty")) == NULL || strcmp(s, "RSA") != 0)
		return NULL;
	if (json_object_object_get_ex(jwk, "alg", NULL) &&
	    ((s = auth_jws_str(jwk, "alg")) == NULL || strcmp(s, "RS256") != 0))
		return NULL;
	if (json_object_object_get_ex(jwk, "use", NULL) &&
	    ((s = auth_jws_str(jwk, "use")) == NULL || strcmp(s, "sig") != 0))
		return NULL;
	if ((n = jwk_bn(jwk, "n", RSA_N_MAX)) == NULL ||
	    (e = jwk_bn(jwk, "e", RSA_E_MAX)) == NULL ||
	    BN_num_bits(n) < RSA_MIN_BITS || !BN_is_odd(e) || BN_is_one(e))
		goto err;
	/* From here n, e and the builder are held: goto err. */
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) != 1 ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		goto err;
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pk = NULL;
err:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return pk;
}

/*
 * Find kid in the JWKS document and build its key. Returns
 * AUTH_GOOGLE_OK with *pk set (caller frees), AUTH_GOOGLE_E_UNKNOWN_KID or
 * AUTH_GOOGLE_E_JWKS.
 */
static enum auth_google_err
jwks_key(const char *jwks_json, const char *kid, EVP_PKEY **pk)
{
	struct json_object *doc, *keys, *k;
	enum auth_google_err e = AUTH_GOOGLE_E_JWKS;
	const char *s;
	size_t i, n, len;

	*pk = NULL;
	if (jwks_json == NULL ||
	    (len = strnlen(jwks_json, AUTH_GOOGLE_JWKS_MAX + 1)) >
	    AUTH_GOOGLE_JWKS_MAX ||
	    (doc = auth_jws_json(jwks_json, len, 8)) == NULL)
		return AUTH_GOOGLE_E_JWKS;
	/* From here doc is held: goto out. */
	if (!json_object_object_get_ex(doc, "keys", &keys) ||
	    !json_object_is_type(keys, json_type_array))
		goto out;
	n = json_object_array_length(keys);
	e = AUTH_GOOGLE_E_UNKNOWN_KID;
	for (i = 0; i < n && i < 64; i++) {
		k = json_object_array_get_idx(keys, i);
		if (!json_object_is_type(k, json_type_object) ||
		    (s = auth_jws_str(k, "kid")) == NULL || strcmp(s, kid) != 0)
			continue;
		e = (*pk = jwk_rsa(k)) != NULL ? AUTH_GOOGLE_OK :
		    AUTH_GOOGLE_E_JWKS;
		break;
	}
out:
	json_object_put(doc);
	return e;
}

/*
 * Verify a Google ID token for client id aud at time now, as Google's
 * OpenID Connect guide ("Validating an ID token") asks, strictly: length ≤
 * 4096 and strict JWS/JSON (auth_jws_parse); header alg exactly "RS256"
 * (none, HS256 … refused before any key is looked at); kid present and
 * found in jwks_json, whose key must be an RSA key of ≥ 2048 bits; the
 * RS256 signature; iss "https://accounts.google.com" or
 * "accounts.google.com"; aud (a string) equal to aud; exp an integer
 * > now; sub a non-empty string. Fills out (email "" when absent;
 * email_verified 1 only for JSON true or the string "true"). out is
 * written only on AUTH_GOOGLE_OK.
 */
enum auth_google_err
auth_google_verify(const char *jwks_json, const char *token, const char *aud,
    time_t now, struct auth_google_id *out)
{
	struct auth_jws j;
	struct json_object *v;
	EVP_PKEY *pk = NULL;
	const char *s, *sub, *email;
	enum auth_google_err e;
	int64_t exp;
	int ev = 0;

	switch (auth_jws_parse(token, &j)) {
	case AUTH_JWS_OK:
		break;
	case AUTH_JWS_TOO_LONG:
		return AUTH_GOOGLE_E_TOO_LONG;
	default:
		return AUTH_GOOGLE_E_MALFORMED;
	}
	/* From here j (and later pk) are held: goto err. */
	e = AUTH_GOOGLE_E_ALG;
	if ((s = auth_jws_str(j.hdr, "alg")) == NULL || strcmp(s, "RS256") != 0)
		goto err;
	e = AUTH_GOOGLE_E_MALFORMED;
	if (json_object_object_get_ex(j.hdr, "crit", NULL))
		goto err;
	e = AUTH_GOOGLE_E_NO_KID;
	if ((s = auth_jws_str(j.hdr, "kid")) == NULL || *s == '\0')
		goto err;
	if ((e = jwks_key(jwks_json, s, &pk)) != AUTH_GOOGLE_OK)
		goto err;
	e = AUTH_GOOGLE_E_SIGNATURE;
	if (!auth_jws_verify_rs256(pk, j.input, j.input_len, j.sig, j.sig_len))
		goto err;
	e = AUTH_GOOGLE_E_ISS;
	if ((s = auth_jws_str(j.claims, "iss")) == NULL ||
	    (strcmp(s, "https://accounts.google.com") != 0 &&
	    strcmp(s, "accounts.google.com") != 0))
		goto err;
	e = AUTH_GOOGLE_E_AUD;
	if (aud == NULL || (s = auth_jws_str(j.claims, "aud")) == NULL ||
	    strcmp(s, aud) != 0)
		goto err;
	e = AUTH_GOOGLE_E_CLAIMS;
	if (auth_jws_int(j.claims, "exp", &exp) != 0)
		goto err;
	e = AUTH_GOOGLE_E_EXPIRED;
	if (exp <= (int64_t)now)
		goto err;
	e = AUTH_GOOGLE_E_CLAIMS;
	if ((sub = auth_jws_str(j.claims, "sub")) == NULL || *sub == '\0' ||
	    strlen(sub) >= AUTH_GOOGLE_SUB_SIZE)
		goto err;
	if ((email = auth_jws_str(j.claims, "email")) == NULL)
		email = "";
	if (strlen(email) >= AUTH_GOOGLE_EMAIL_SIZE)
		goto err;
	if (json_object_object_get_ex(j.claims, "email_verified", &v))
		ev = json_object_is_type(v, json_type_boolean) ?
		    json_object_get_boolean(v) != 0 :
		    (json_object_is_type(v, json_type_string) &&
		    strcmp(json_object_get_string(v), "true") == 0);
	memcpy(out->sub, sub, strlen(sub) + 1);
	memcpy(out->email, email, strlen(email) + 1);
	out->email_verified = ev;
	e = AUTH_GOOGLE_OK;
err:
	EVP_PKEY_free(pk);
	auth_jws_free(&j);
	return e;
}
