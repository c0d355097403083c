#include <string.h>

#include <sodium.h>

#include "mg_crypto.h"

int
mg_crypto_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

void
mg_random(void *p, size_t n)
{
	randombytes_buf(p, n);
}

void
mg_uuid(char out[37])
{
	unsigned char b[16];
	char hex[33];

	randombytes_buf(b, sizeof(b));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	mg_hex(b, 16, hex);
	memcpy(out, hex, 8);
	out[8] = '-';
	memcpy(out + 9, hex + 8, 4);
	out[13] = '-';
	memcpy(out + 14, hex + 12, 4);
	out[18] = '-';
	memcpy(out + 19, hex + 16, 4);
	out[23] = '-';
	memcpy(out + 24, hex + 20, 12);
	out[36] = '\0';
}

void
mg_sha256(const void *data, size_t n, unsigned char out[32])
{
	crypto_hash_sha256(out, data, n);
}

void
mg_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t n,
    unsigned char out[32])
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, msg, n);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}

void
mg_hex(const unsigned char *bin, size_t n, char *out)
{
	sodium_bin2hex(out, 2 * n + 1, bin, n);
}

int
mg_unhex(const char *hex, size_t n, unsigned char *out, size_t cap)
{
	size_t len;

	if (n % 2 != 0 || n / 2 > cap)
		return -1;
	if (sodium_hex2bin(out, cap, hex, n, NULL, &len, NULL) != 0 ||
	    len != n / 2)
		return -1;
	return (int)len;
}

size_t
mg_b64url(const unsigned char *bin, size_t n, char *out, size_t cap)
{
	if (cap < sodium_base64_ENCODED_LEN(n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING))
		return 0;
	sodium_bin2base64(out, cap, bin, n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return strlen(out);
}

size_t
mg_b64(const unsigned char *bin, size_t n, char *out, size_t cap)
{
	if (cap < sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL))
		return 0;
	sodium_bin2base64(out, cap, bin, n, sodium_base64_VARIANT_ORIGINAL);
	return strlen(out);
}

int
mg_unb64(const char *in, size_t n, int std, unsigned char *out, size_t cap)
{
	size_t len;
	const char *end;

	if (sodium_base642bin(out, cap, in, n, NULL, &len, &end,
	    std ? sodium_base64_VARIANT_ORIGINAL :
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || end != in + n)
		return -1;
	return (int)len;
}

int
mg_ct_eq(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0 ? 0 : -1;
}

int
mg_ct_streq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char ha[32], hb[32];

	/* Compare digests so the loop length does not depend on the secret. */
	mg_sha256(a, la, ha);
	mg_sha256(b, lb, hb);
	return sodium_memcmp(ha, hb, 32) == 0 && la == lb ? 0 : -1;
}
