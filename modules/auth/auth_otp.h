/*
 * auth_otp: six-digit one-time codes (e-mailed login codes), and the RFC
 * 8628 device authorization grant's user and device codes.
 *
 * A code is stored only as HMAC-SHA256(otp_secret, context || 0x00 || code):
 * with 10^6 possible codes a plain hash of a leaked row is reversed
 * instantly, a keyed MAC is not without the server secret. The context
 * (e.g. the login attempt id) binds a stored hash to its row.
 */
#ifndef AUTH_OTP_H
#define AUTH_OTP_H

#include <stddef.h>

#define AUTH_OTP_DIGITS		6
#define AUTH_OTP_SECRET_MIN	32	/* bytes of otp_secret */
#define AUTH_OTP_HASH_LEN	32
#define AUTH_USER_CODE_LEN	8	/* normalised, without the dash */
#define AUTH_USER_CODE_SIZE	10	/* "ABCD-EFGH" + NUL */
#define AUTH_DEVICE_CODE_SIZE	44	/* base64url(32 bytes) + NUL */

enum auth_otp_err {
	AUTH_OTP_OK = 0,
	AUTH_OTP_BAD_FORMAT,	/* not six ASCII digits / not a user code */
	AUTH_OTP_MISMATCH,	/* wrong code */
	AUTH_OTP_NO_SECRET,	/* otp_secret unset or shorter than 32 bytes */
	AUTH_OTP__MAX
};

const char	*auth_otp_strerror(enum auth_otp_err);
const char	*auth_otp_secret(void);
void		 auth_otp_generate(char code[AUTH_OTP_DIGITS + 1]);
enum auth_otp_err auth_otp_hash(const char *secret, const char *context,
		    const char *code, size_t n,
		    unsigned char out[AUTH_OTP_HASH_LEN]);
enum auth_otp_err auth_otp_verify(const char *secret, const char *context,
		    const char *code, size_t n,
		    const unsigned char stored[AUTH_OTP_HASH_LEN]);

void		 auth_user_code_generate(char out[AUTH_USER_CODE_SIZE]);
enum auth_otp_err auth_user_code_normalize(const char *in, size_t n,
		    char out[AUTH_USER_CODE_LEN + 1]);
void		 auth_device_code_generate(char out[AUTH_DEVICE_CODE_SIZE]);

#endif
