#include <errno.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include "mg_crypto.h"
#include "auth_jws.h"

#define JWS_HDR_MAX	1024	/* decoded protected header */

/* 1 if s[0..n) is non-empty and all base64url (RFC 7515 §2: no padding). */
static int
seg_ok(const char *s, size_t n)
{
	size_t i;
	unsigned char c;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

/*
 * Parse s[0..n) as one JSON object, strictly (RFC 8259 only, valid UTF-8,
 * nothing after it, nesting ≤ depth). Returns a new reference the caller
 * puts, or NULL.
 */
struct json_object *
auth_jws_json(const char *s, size_t n, int depth)
{
	struct json_tokener *tk;
	struct json_object *o;

	if (n == 0 || n > (size_t)1 << 24 ||
	    (tk = json_tokener_new_ex(depth)) == NULL)
		return NULL;
	json_tokener_set_flags(tk, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tk, s, (int)n);
	if (o != NULL && (json_tokener_get_error(tk) != json_tokener_success ||
	    json_tokener_get_parse_end(tk) != n ||
	    !json_object_is_type(o, json_type_object))) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tk);
	return o;
}

/* Decode segment s[0..n) and parse it as a JSON object; NULL if not. */
static struct json_object *
seg_json(const char *s, size_t n, size_t cap)
{
	unsigned char buf[AUTH_JWS_MAX];
	int len;

	if (cap > sizeof(buf) ||
	    (len = mg_unb64(s, n, 0, buf, cap)) <= 0)
		return NULL;
	return auth_jws_json((const char *)buf, (size_t)len, 8);
}

/*
 * Split a compact JWS (RFC 7515 §7.1) "h.p.s" into out: the header and
 * payload decoded (canonical unpadded base64url only) and parsed as JSON
 * objects, the signature decoded, and the signing input located. The
 * length is capped at AUTH_JWS_MAX before anything else. Nothing is
 * verified. On AUTH_JWS_OK the caller calls auth_jws_free (out borrows
 * tok for input); on error out holds nothing.
 */
enum auth_jws_err
auth_jws_parse(const char *tok, struct auth_jws *out)
{
	const char *d1, *d2;
	size_t n, hn, pn, sn;
	int len = 0;

	memset(out, 0, sizeof(*out));
	if (tok == NULL || (n = strnlen(tok, AUTH_JWS_MAX + 1)) == 0)
		return AUTH_JWS_MALFORMED;
	if (n > AUTH_JWS_MAX)
		return AUTH_JWS_TOO_LONG;
	if ((d1 = memchr(tok, '.', n)) == NULL ||
	    (d2 = memchr(d1 + 1, '.', n - (size_t)(d1 + 1 - tok))) == NULL)
		return AUTH_JWS_MALFORMED;
	hn = (size_t)(d1 - tok);
	pn = (size_t)(d2 - d1 - 1);
	sn = n - (size_t)(d2 + 1 - tok);
	/*
	 * A fourth dot fails seg_ok of the signature (JWE has 5 parts). An
	 * empty signature (an "alg":"none" token) parses, with sig_len 0, so
	 * the caller reports the algorithm; no signature check accepts it.
	 */
	if (!seg_ok(tok, hn) || !seg_ok(d1 + 1, pn) ||
	    (sn > 0 && !seg_ok(d2 + 1, sn)))
		return AUTH_JWS_MALFORMED;
	if (sn > 0 && (len = mg_unb64(d2 + 1, sn, 0, out->sig,
	    sizeof(out->sig))) <= 0)
		return AUTH_JWS_MALFORMED;
	out->sig_len = sn > 0 ? (size_t)len : 0;
	if ((out->hdr = seg_json(tok, hn, JWS_HDR_MAX)) == NULL)
		goto err;
	if ((out->claims = seg_json(d1 + 1, pn, AUTH_JWS_MAX)) == NULL)
		goto err;
	out->input = tok;
	out->input_len = (size_t)(d2 - tok);
	return AUTH_JWS_OK;
err:
	auth_jws_free(out);
	return AUTH_JWS_MALFORMED;
}

/* Release what auth_jws_parse allocated; safe on a zeroed struct. */
void
auth_jws_free(struct auth_jws *j)
{
	json_object_put(j->hdr);
	json_object_put(j->claims);
	memset(j, 0, sizeof(*j));
}

/*
 * The string member key of o, or NULL when absent, not a string, or
 * holding a NUL byte (JSON "\u0000"), which C callers would truncate.
 * Borrowed from o.
 */
const char *
auth_jws_str(struct json_object *o, const char *key)
{
	struct json_object *v;
	const char *s;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	if (strlen(s) != (size_t)json_object_get_string_len(v))
		return NULL;
	return s;
}

/*
 * The integer member key of o into *out (a JSON number without fraction
 * or exponent, within int64). Returns 0, or -1 when absent or of another
 * type (a NumericDate with a fraction is refused: we never issue one).
 */
int
auth_jws_int(struct json_object *o, const char *key, int64_t *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return -1;
	errno = 0;
	*out = json_object_get_int64(v);
	return errno == 0 ? 0 : -1;
}

/* Verify a DER-or-raw signature with pkey and SHA-256; 1 if valid. */
static int
digest_verify(EVP_PKEY *pkey, const unsigned char *sig, size_t siglen,
    const char *input, size_t n)
{
	EVP_MD_CTX *ctx;
	int ok = 0;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return 0;
	if (EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pkey) == 1 &&
	    EVP_DigestVerify(ctx, sig, siglen, (const unsigned char *)input,
	    n) == 1)
		ok = 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

/*
 * Verify an ES256 JWS signature (RFC 7518 §3.4: the 64-byte R || S, not
 * DER) over input[0..n) with the P-256 key pkey. Returns 1 if valid, 0
 * otherwise (wrong length, bad signature, allocation failure).
 */
int
auth_jws_verify_es256(EVP_PKEY *pkey, const char *input, size_t n,
    const unsigned char *sig, size_t siglen)
{
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *der = NULL;
	int derlen, ok = 0;

	if (siglen != 64)
		return 0;
	if ((es = ECDSA_SIG_new()) == NULL ||
	    (r = BN_bin2bn(sig, 32, NULL)) == NULL ||
	    (s = BN_bin2bn(sig + 32, 32, NULL)) == NULL)
		goto err;
	if (ECDSA_SIG_set0(es, r, s) != 1)
		goto err;
	r = s = NULL;	/* owned by es now */
	if ((derlen = i2d_ECDSA_SIG(es, &der)) <= 0)
		goto err;
	ok = digest_verify(pkey, der, (size_t)derlen, input, n);
err:
	OPENSSL_free(der);
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return ok;
}

/*
 * Sign input[0..n) with the P-256 private key pkey (ES256, RFC 7518 §3.4)
 * into sig as R || S, each left-padded to 32 bytes. Returns 0 or -1.
 */
int
auth_jws_sign_es256(EVP_PKEY *pkey, const char *input, size_t n,
    unsigned char sig[64])
{
	EVP_MD_CTX *ctx = NULL;
	ECDSA_SIG *es = NULL;
	unsigned char der[80];
	const unsigned char *p = der;
	const BIGNUM *r, *s;
	size_t derlen = sizeof(der);
	int rc = -1;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, pkey) != 1 ||
	    EVP_DigestSign(ctx, der, &derlen, (const unsigned char *)input,
	    n) != 1)
		goto err;
	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)derlen)) == NULL)
		goto err;
	ECDSA_SIG_get0(es, &r, &s);
	if (BN_bn2binpad(r, sig, 32) != 32 || BN_bn2binpad(s, sig + 32, 32) != 32)
		goto err;
	rc = 0;
err:
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(ctx);
	return rc;
}

/*
 * Verify an RS256 JWS signature (RFC 7518 §3.3: RSASSA-PKCS1-v1_5 with
 * SHA-256) over input[0..n) with the RSA public key pkey. The signature
 * must be exactly the modulus size. Returns 1 if valid, else 0.
 */
int
auth_jws_verify_rs256(EVP_PKEY *pkey, const char *input, size_t n,
    const unsigned char *sig, size_t siglen)
{
	if (EVP_PKEY_get_size(pkey) <= 0 ||
	    siglen != (size_t)EVP_PKEY_get_size(pkey))
		return 0;
	return digest_verify(pkey, sig, siglen, input, n);
}
