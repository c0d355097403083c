/*
 * mg_crypto: randomness, hashes, MACs and encodings over libsodium.
 * mg_crypto_init must be called once per process (after fork is fine).
 */
#ifndef MG_CRYPTO_H
#define MG_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

int	mg_crypto_init(void);
void	mg_random(void *, size_t);
/* Random RFC 4122 v4 UUID, 36 chars + NUL. */
void	mg_uuid(char out[37]);
/* SHA-256 of data into out[32]. */
void	mg_sha256(const void *data, size_t n, unsigned char out[32]);
/* HMAC-SHA256 with any key length into out[32]. */
void	mg_hmac_sha256(const void *key, size_t keylen, const void *msg,
	    size_t n, unsigned char out[32]);
/* Lowercase hex of bin[0..n) into out (2n+1 bytes). */
void	mg_hex(const unsigned char *bin, size_t n, char *out);
/* Decode hex (either case); returns bytes written or -1. */
int	mg_unhex(const char *hex, size_t n, unsigned char *out, size_t cap);
/* Base64url without padding of bin into out; returns length. out ≥ 4n/3+4. */
size_t	mg_b64url(const unsigned char *bin, size_t n, char *out, size_t cap);
/* Standard base64 with padding; returns length. */
size_t	mg_b64(const unsigned char *bin, size_t n, char *out, size_t cap);
/* Decode base64 (std=1 standard with padding, 0 url-safe unpadded); -1 on error. */
int	mg_unb64(const char *in, size_t n, int std, unsigned char *out, size_t cap);
/* Constant-time equality of two buffers of the same length (0 if equal). */
int	mg_ct_eq(const void *a, const void *b, size_t n);
/* Constant-time equality of two strings; lengths may differ (result says so). */
int	mg_ct_streq(const char *a, const char *b);

#endif
