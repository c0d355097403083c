/*
 * pay_sig: Stripe and Coinbase Commerce webhook signatures.
 * Stripe: payments.md §1 (stripe-node webhooks.js rules, plus a future bound).
 * Coinbase Commerce: payments.md §4.
 */
#include <string.h>

#include <sodium.h>

#include "mg_crypto.h"
#include "mg_util.h"
#include "pay_sig.h"

static const char *const pay_sig_errs[PAY_SIG__MAX] = {
	"ok",					/* PAY_SIG_OK */
	"signature header missing",		/* PAY_SIG_MISSING */
	"signature header malformed",		/* PAY_SIG_MALFORMED */
	"no v1 signature in header",		/* PAY_SIG_NO_V1 */
	"signature timestamp too old",		/* PAY_SIG_STALE */
	"signature timestamp in the future",	/* PAY_SIG_FUTURE */
	"signature does not match",		/* PAY_SIG_MISMATCH */
};

const char *
pay_sig_strerror(int e)
{
	if (e < 0 || e >= PAY_SIG__MAX)
		return "unknown error";
	return pay_sig_errs[e];
}

/* A header item: pointer and length into the header string. */
struct sig_span {
	const char	*p;
	size_t		 n;
};

/*
 * HMAC-SHA256(key, t "." body) as lowercase hex into out[65]
 * (payments.md §1: the signed string is "<t>.<raw body>").
 */
static void
stripe_mac(const char *key, const char *t, size_t tn, const char *body,
    size_t len, char out[65])
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[32];

	crypto_auth_hmacsha256_init(&st, (const unsigned char *)key,
	    strlen(key));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)t, tn);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
	mg_hex(mac, sizeof(mac), out);
}

void
pay_stripe_sign(const char *secret, const char *t, const char *body,
    size_t len, char out[65])
{
	stripe_mac(secret, t, strlen(t), body, len, out);
}

/*
 * Stripe-Signature verification, payments.md §1:
 *  1. cap the header (PAY_SIG_HEADER_MAX) before looking inside it;
 *  2. split on ',', each item on its first '='; keep "t" and every "v1",
 *     ignore other schemes (v0); items without '=' are ignored like stripe-node;
 *     a second "t" is ambiguous and rejected; more than PAY_SIG_V1_MAX v1 → reject;
 *  3. no t → MALFORMED, no v1 → NO_V1;
 *  4. any v1 equal (constant time, mg_ct_eq over 64 bytes) to the lowercase hex
 *     HMAC of "t.body" under any secret → signature ok, else MISMATCH;
 *  5. then the clock: now − t > tol → STALE, t − now > tol → FUTURE.
 * The signature is checked before the clock (as stripe-node does) so STALE and
 * FUTURE are only ever reported for authentic deliveries.
 */
int
pay_stripe_verify(const char *header, const char *body, size_t len,
    const char *const *secrets, size_t nsecrets, time_t now, int tolerance_s)
{
	struct sig_span t = { NULL, 0 }, v1[PAY_SIG_V1_MAX];
	const char *p, *end, *item_end, *eq;
	size_t hlen, nv1 = 0, i, j;
	int64_t ts, tol;
	char want[65];
	int match = 0;

	if (header == NULL || header[0] == '\0')
		return PAY_SIG_MISSING;
	hlen = strnlen(header, PAY_SIG_HEADER_MAX + 1);
	if (hlen > PAY_SIG_HEADER_MAX)
		return PAY_SIG_MALFORMED;
	if (body == NULL && len > 0)
		return PAY_SIG_MALFORMED;
	if (body == NULL)
		body = "";

	for (p = header, end = header + hlen; p <= end; p = item_end + 1) {
		if ((item_end = memchr(p, ',', (size_t)(end - p))) == NULL)
			item_end = end;
		eq = memchr(p, '=', (size_t)(item_end - p));
		if (eq != NULL) {
			size_t kn = (size_t)(eq - p);

			if (kn == 1 && p[0] == 't') {
				if (t.p != NULL)
					return PAY_SIG_MALFORMED;
				t.p = eq + 1;
				t.n = (size_t)(item_end - t.p);
			} else if (kn == 2 && p[0] == 'v' && p[1] == '1') {
				if (nv1 == PAY_SIG_V1_MAX)
					return PAY_SIG_MALFORMED;
				v1[nv1].p = eq + 1;
				v1[nv1].n = (size_t)(item_end - v1[nv1].p);
				nv1++;
			}
		}
		if (item_end == end)
			break;
	}
	if (t.p == NULL ||
	    mg_parse_i64(t.p, t.n, 0, INT64_MAX / 2, &ts) != 0)
		return PAY_SIG_MALFORMED;
	if (nv1 == 0)
		return PAY_SIG_NO_V1;

	for (i = 0; i < nsecrets && secrets != NULL; i++) {
		if (secrets[i] == NULL || secrets[i][0] == '\0')
			continue;
		stripe_mac(secrets[i], t.p, t.n, body, len, want);
		for (j = 0; j < nv1; j++)
			if (v1[j].n == 64 && mg_ct_eq(want, v1[j].p, 64) == 0)
				match = 1;
	}
	sodium_memzero(want, sizeof(want));
	if (!match)
		return PAY_SIG_MISMATCH;

	tol = tolerance_s > 0 ? tolerance_s : PAY_SIG_TOLERANCE;
	if ((int64_t)now - ts > tol)
		return PAY_SIG_STALE;
	if (ts - (int64_t)now > tol)
		return PAY_SIG_FUTURE;
	return PAY_SIG_OK;
}

/*
 * X-CC-Webhook-Signature verification, payments.md §4: exactly 64 chars, the
 * lowercase hex HMAC-SHA256 of the raw body keyed with the shared secret,
 * compared in constant time. An empty secret never matches.
 */
int
pay_coinbase_verify(const char *sig_hex, const char *body, size_t len,
    const char *secret)
{
	unsigned char mac[32];
	char want[65];
	int rc;

	if (sig_hex == NULL || sig_hex[0] == '\0')
		return PAY_SIG_MISSING;
	if (strnlen(sig_hex, 65) != 64 || (body == NULL && len > 0))
		return PAY_SIG_MALFORMED;
	if (secret == NULL || secret[0] == '\0')
		return PAY_SIG_MISMATCH;
	mg_hmac_sha256(secret, strlen(secret), body == NULL ? "" : body, len,
	    mac);
	mg_hex(mac, sizeof(mac), want);
	rc = mg_ct_eq(want, sig_hex, 64) == 0 ? PAY_SIG_OK : PAY_SIG_MISMATCH;
	sodium_memzero(want, sizeof(want));
	return rc;
}
