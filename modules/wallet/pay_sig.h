/*
 * pay_sig: webhook signature verification over the raw request body, done
 * before any JSON parsing (payments.md §1 Stripe, §4 Coinbase Commerce).
 * Pure functions of their arguments: no I/O, no allocation.
 */
#ifndef PAY_SIG_H
#define PAY_SIG_H

#include <stddef.h>
#include <time.h>

enum pay_sig_err {
	PAY_SIG_OK = 0,
	PAY_SIG_MISSING,	/* header absent or empty */
	PAY_SIG_MALFORMED,	/* too long, no/bad/duplicate t, too many v1 */
	PAY_SIG_NO_V1,		/* no v1 signature (v0 and others ignored) */
	PAY_SIG_STALE,		/* now - t > tolerance */
	PAY_SIG_FUTURE,		/* t - now > tolerance */
	PAY_SIG_MISMATCH,	/* no v1 matches any secret (or no secret) */
	PAY_SIG__MAX
};

#define PAY_SIG_HEADER_MAX	4096	/* bytes of Stripe-Signature accepted */
#define PAY_SIG_V1_MAX		8	/* v1 entries accepted in one header */
#define PAY_SIG_TOLERANCE	300	/* default tolerance, seconds */

const char	*pay_sig_strerror(int);

/*
 * Verify a Stripe-Signature header against body[0..len) (payments.md §1).
 * secrets: nsecrets endpoint secrets (whole "whsec_…" strings, used as the
 * HMAC key as is); accepts when any v1 matches any secret. tolerance_s <= 0
 * means PAY_SIG_TOLERANCE. Returns a pay_sig_err.
 */
int	 pay_stripe_verify(const char *header, const char *body, size_t len,
	    const char *const *secrets, size_t nsecrets, time_t now,
	    int tolerance_s);

/*
 * Verify an X-CC-Webhook-Signature header (exactly 64 lowercase hex chars of
 * HMAC-SHA256(secret, body)) against body[0..len) (payments.md §4).
 * Returns a pay_sig_err.
 */
int	 pay_coinbase_verify(const char *sig_hex, const char *body, size_t len,
	    const char *secret);

/*
 * Lowercase hex HMAC-SHA256 of "<t>.<body>" keyed with secret into out[65]:
 * the Stripe v1 scheme (payments.md §1), for tests and local signers.
 */
void	 pay_stripe_sign(const char *secret, const char *t, const char *body,
	    size_t len, char out[65]);

#endif
