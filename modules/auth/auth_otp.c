#include <string.h>

#include <sodium.h>

#include "mg_config.h"
#include "mg_crypto.h"
#include "auth_otp.h"

/* RFC 8628 §6.1: base-20, no vowels (no words), no ambiguous characters. */
static const char user_alpha[] = "BCDFGHJKLMNPQRSTVWXZ";
#define USER_ALPHA_LEN	(sizeof(user_alpha) - 1)

static const char *const otp_errs[AUTH_OTP__MAX] = {
	"ok",					/* AUTH_OTP_OK */
	"malformed code",			/* AUTH_OTP_BAD_FORMAT */
	"wrong code",				/* AUTH_OTP_MISMATCH */
	"otp_secret is not configured",		/* AUTH_OTP_NO_SECRET */
};

const char *
auth_otp_strerror(enum auth_otp_err e)
{
	return (unsigned)e < AUTH_OTP__MAX ? otp_errs[e] : "unknown error";
}

/*
 * The server secret for code hashes: config otp_secret (or MG_OTP_SECRET,
 * MG_OTP_SECRET_FILE). Returns NULL when unset or shorter than
 * AUTH_OTP_SECRET_MIN bytes. The pointer lives as long as the process.
 */
const char *
auth_otp_secret(void)
{
	const char *s = mg_cfg_str("otp_secret", NULL);

	return s != NULL && strlen(s) >= AUTH_OTP_SECRET_MIN ? s : NULL;
}

/*
 * Write a uniformly random six-digit code ("000000".."999999", leading
 * zeros kept) to code. randombytes_uniform avoids the modulo bias of
 * random % 10^6.
 */
void
auth_otp_generate(char code[AUTH_OTP_DIGITS + 1])
{
	uint32_t v = randombytes_uniform(1000000);
	int i;

	for (i = AUTH_OTP_DIGITS - 1; i >= 0; i--) {
		code[i] = (char)('0' + v % 10);
		v /= 10;
	}
	code[AUTH_OTP_DIGITS] = '\0';
}

/* 1 if code[0..n) is exactly six ASCII digits. */
static int
otp_format_ok(const char *code, size_t n)
{
	size_t i;

	if (code == NULL || n != AUTH_OTP_DIGITS)
		return 0;
	for (i = 0; i < n; i++)
		if (code[i] < '0' || code[i] > '9')
			return 0;
	return 1;
}

/*
 * out = HMAC-SHA256(secret, context || 0x00 || code). context may be NULL
 * (treated as ""); it must not contain NUL. Returns AUTH_OTP_NO_SECRET when
 * secret is NULL or short, AUTH_OTP_BAD_FORMAT when code is not six digits.
 */
enum auth_otp_err
auth_otp_hash(const char *secret, const char *context, const char *code,
    size_t n, unsigned char out[AUTH_OTP_HASH_LEN])
{
	crypto_auth_hmacsha256_state st;
	size_t slen;

	if (secret == NULL || (slen = strlen(secret)) < AUTH_OTP_SECRET_MIN)
		return AUTH_OTP_NO_SECRET;
	if (!otp_format_ok(code, n))
		return AUTH_OTP_BAD_FORMAT;
	if (context == NULL)
		context = "";
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, slen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)context,
	    strlen(context) + 1);	/* the NUL separates context from code */
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)code, n);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof(st));
	return AUTH_OTP_OK;
}

/*
 * Check a submitted code against a stored hash in constant time. Returns
 * AUTH_OTP_OK, AUTH_OTP_MISMATCH, AUTH_OTP_BAD_FORMAT (not six digits; the
 * caller counts it as a failed attempt like a mismatch) or
 * AUTH_OTP_NO_SECRET. Attempt limits are the caller's job.
 */
enum auth_otp_err
auth_otp_verify(const char *secret, const char *context, const char *code,
    size_t n, const unsigned char stored[AUTH_OTP_HASH_LEN])
{
	unsigned char h[AUTH_OTP_HASH_LEN];
	enum auth_otp_err e;

	if ((e = auth_otp_hash(secret, context, code, n, h)) != AUTH_OTP_OK)
		return e;
	return mg_ct_eq(h, stored, AUTH_OTP_HASH_LEN) == 0 ?
	    AUTH_OTP_OK : AUTH_OTP_MISMATCH;
}

/*
 * Write a new RFC 8628 user_code "XXXX-XXXX" (§6.1): 8 characters drawn
 * uniformly from the 20-letter alphabet (20^8 ≈ 2^34.6), shown with a dash.
 * Store the normalised form (auth_user_code_normalize) in the database.
 */
void
auth_user_code_generate(char out[AUTH_USER_CODE_SIZE])
{
	size_t i, j = 0;

	for (i = 0; i < AUTH_USER_CODE_LEN; i++) {
		if (i == 4)
			out[j++] = '-';
		out[j++] = user_alpha[randombytes_uniform(USER_ALPHA_LEN)];
	}
	out[j] = '\0';
}

/*
 * Normalise what a person typed into the 8-character stored form (RFC 8628
 * §6.1: case-insensitive, ignore the dash and spaces). Rejects any other
 * byte, a character outside the alphabet, or a length other than 8 after
 * stripping, and input longer than 32 bytes before it. out is written only
 * on AUTH_OTP_OK.
 */
enum auth_otp_err
auth_user_code_normalize(const char *in, size_t n,
    char out[AUTH_USER_CODE_LEN + 1])
{
	char tmp[AUTH_USER_CODE_LEN];
	size_t i, j = 0;
	char c;

	if (in == NULL || n == 0 || n > 32)
		return AUTH_OTP_BAD_FORMAT;
	for (i = 0; i < n; i++) {
		c = in[i];
		if (c == '-' || c == ' ')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c == '\0' || strchr(user_alpha, c) == NULL ||
		    j == AUTH_USER_CODE_LEN)
			return AUTH_OTP_BAD_FORMAT;
		tmp[j++] = c;
	}
	if (j != AUTH_USER_CODE_LEN)
		return AUTH_OTP_BAD_FORMAT;
	memcpy(out, tmp, AUTH_USER_CODE_LEN);
	out[AUTH_USER_CODE_LEN] = '\0';
	return AUTH_OTP_OK;
}

/*
 * Write a new RFC 8628 device_code (§3.2): base64url of 32 random bytes,
 * 43 characters. High entropy: store its SHA-256 like an API key.
 */
void
auth_device_code_generate(char out[AUTH_DEVICE_CODE_SIZE])
{
	unsigned char raw[32];

	mg_random(raw, sizeof(raw));
	mg_b64url(raw, sizeof(raw), out, AUTH_DEVICE_CODE_SIZE);
	sodium_memzero(raw, sizeof(raw));
}
