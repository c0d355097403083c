/*
 * Unit tests for the payment wire layer (modules/wallet/pay_*):
 * signatures (payments.md §1, §4), event parsing (§3, §4), the HTTP helper,
 * the Stripe and Coinbase clients' encoders and parsers (§2, §4), x402 (§5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/mgtest.h"
#include "mg_crypto.h"
#include "mg_buf.h"
#include "pay_sig.h"

#define S(x)	(x), (sizeof(x) - 1)

/* ---- §1 Stripe signatures ---------------------------------------------- */

static const char vec_body[] = "{\"id\":\"evt_test_webhook\",\"object\":\"event\"}";
static const char vec_v1[] =
    "88a022085c6bdb887b02cb26ff76dd681234d9675c0f22844059f55552a8883a";
static const char *const vec_secret[] = { "whsec_test_secret" };
#define VEC_T	1492774577

static void
t_hmac_vectors(void)
{
	unsigned char mac[32];
	char hex[65];

	mg_hmac_sha256("test_secret", 11, "", 0, mac);
	mg_hex(mac, 32, hex);
	CU_ASSERT_STRING_EQUAL(hex,
	    "f7f9bd47fb987337b5796fdc1fdb9ba221d0d5396814bfcaf9521f43fd8927fd");
	mg_hmac_sha256("test_secret", 11, S("{\"obj1\":\"hello\",\"obj2\":\"world\"}"),
	    mac);
	mg_hex(mac, 32, hex);
	CU_ASSERT_STRING_EQUAL(hex,
	    "bebb1a643997f419b315ddba19e6f5411e1ce7f810ba6d3617ce72823092f363");
}

static void
t_stripe_sign_vector(void)
{
	char hex[65];

	pay_stripe_sign("whsec_test_secret", "1492774577", S(vec_body), hex);
	CU_ASSERT_STRING_EQUAL(hex, vec_v1);
}

static void
t_stripe_verify_vector(void)
{
	char h[256];

	snprintf(h, sizeof(h), "t=%d,v1=%s", VEC_T, vec_v1);
	CU_ASSERT_EQUAL(pay_stripe_verify(h, S(vec_body), vec_secret, 1,
	    VEC_T, 300), PAY_SIG_OK);
	/* Exactly at the tolerance edge is still accepted, one past is not. */
	CU_ASSERT_EQUAL(pay_stripe_verify(h, S(vec_body), vec_secret, 1,
	    VEC_T + 300, 300), PAY_SIG_OK);
	CU_ASSERT_EQUAL(pay_stripe_verify(h, S(vec_body), vec_secret, 1,
	    VEC_T - 300, 300), PAY_SIG_OK);
}

static void
t_stripe_v0_ignored(void)
{
	char h[512];

	/* v0 alongside v1 (test-mode events) is ignored. */
	snprintf(h, sizeof(h), "t=%d,v1=%s,v0=%s", VEC_T, vec_v1,
	    "6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39");
	CU_ASSERT_EQUAL(pay_stripe_verify(h, S(vec_body), vec_secret, 1,
	    VEC_T, 300), PAY_SIG_OK);
}

static void
t_stripe_v0_only(void)
{
	char h[256];

	snprintf(h, sizeof(h), "t=%d,v0=%s", VEC_T, vec_v1);
	CU_ASSERT_EQUAL(pay_stripe_verify(h, S(vec_body), vec_secret, 1,
	    VEC_T, 300), PAY_SIG_NO_V1);
}

static void
t_stripe_missing_header(void)
{
	CU_ASSERT_EQUAL(pay_stripe_verify(NULL, S(vec_body), vec_secret, 1,
	    VEC_T, 300), PAY_SIG_MISSING);
	CU_ASSERT_EQUAL(pay_stripe_verify("", S(vec_body), vec_secret, 1,
	    VEC_T, 300), PAY_SIG_MISSING);
}

static void
t_stripe_missing_t(void)
{
	char h[256];

	snprintf(h, sizeof(h), "v1=%s", vec_v1);
	CU_ASSERT_EQUAL(pay_stripe_verify(h, S(vec_body), vec_secret, 1,
	    VEC_T, 300), PAY_SIG_MALFORMED);
}

static void
t_stripe_missing_v1(void)
{
	CU_ASSERT_EQUAL(pay_stripe_verify("t=1492774577", S(vec_body),
	    vec_secret, 1, VEC_T, 300), PAY_SIG_NO_V1);
}

static void
t_stripe_bad_t(void)
{
	char h[256];

	snprintf(h, sizeof(h), "t=14927x4577,v1=%s", vec_v1);
	CU_ASSERT_EQUAL(pay_stripe_verify(h, S(vec_body), vec_secret, 1,
	    VEC_T, 300), PAY_SIG_MALFORMED);
	snprintf(h, sizeof(h), "t=,v1=%s", vec_v1);
	CU_ASSERT_EQUAL(pay_stripe_verify(h, S(vec_body), vec_secret, 1,
	    VEC_T, 300), PAY_SIG_MALFORMED);
	snprintf(h, sizeof(h), "t=-1492774577,v1=%s", vec_v1);
	CU_ASSERT_EQUAL(pay_stripe_verify(h, S(vec_body), vec_secret, 1,
	    VEC_T, 300), PAY_SIG_MALFORMED);
}

static void
t_stripe_duplicated_t(void)
{
	char h[256];

	snprintf(h, sizeof(h), "t=%d,t=%d,v1=%s", VEC_T, VEC_T, vec_v1);
	CU_ASSERT_EQUAL(pay_stripe_verify(h, S(vec_body), vec_secret, 1,
	    VEC_T, 300), PAY_SIG_MALFORMED);
}

static void
t_stripe_stale(void)
{
	char h[256];

	snprintf(h, sizeof(h), "t=%d,v1=%s", VEC_T, vec_v1);
	CU_ASSERT_EQUAL(pay_stripe_verify(h, S(vec_body), vec_secret, 1,
	    VEC_T + 301, 300), PAY_SIG_STALE);
	/* Default tolerance when 0 is given. */
	CU_ASSERT_EQUAL(pay_stripe_verify(h, S(vec_body), vec_secret, 1,
	    VEC_T + 301, 0), PAY_SIG_STALE);
}

static void
t_stripe_future(void)
{
	char h[256];

	snprintf(h, sizeof(h), "t=%d,v1=%s", VEC_T, vec_v1);
	CU_ASSERT_EQUAL(pay_stripe_verify(h, S(vec_body), vec_secret, 1,
	    VEC_T - 301, 300), PAY_SIG_FUTURE);
}

static void
t_stripe_wrong_secret(void)
{
	const char *const bad[] = { "whsec_other" };
	const char *const bare[] = { "test_secret" };	/* prefix is part of the key */
	char h[256];

	snprintf(h, sizeof(h), "t=%d,v1=%s", VEC_T, vec_v1);
	CU_ASSERT_EQUAL(pay_stripe_verify(h, S(vec_body), bad, 1, VEC_T, 300),
	    PAY_SIG_MISMATCH);
	CU_ASSERT_EQUAL(pay_stripe_verify(h, S(vec_body), bare, 1, VEC_T, 300),
	    PAY_SIG_MISMATCH);
	CU_ASSERT_EQUAL(pay_stripe_verify(h, S(vec_body), NULL, 0, VEC_T, 300),
	    PAY_SIG_MISMATCH);
}

static void
t_stripe_rotation(void)
{
	const char *const list[] = { "whsec_new", "", "whsec_test_secret" };
	char h[512], other[65];

	snprintf(h, sizeof(h), "t=%d,v1=%s", VEC_T, vec_v1);
	CU_ASSERT_EQUAL(pay_stripe_verify(h, S(vec_body), list, 3, VEC_T, 300),
	    PAY_SIG_OK);
	/* Two v1 during a roll: the second one matches the second secret. */
	pay_stripe_sign("whsec_new", "1492774577", S(vec_body), other);
	snprintf(h, sizeof(h), "t=%d,v1=%s,v1=%s", VEC_T,
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    other);
	CU_ASSERT_EQUAL(pay_stripe_verify(h, S(vec_body), list, 3, VEC_T, 300),
	    PAY_SIG_OK);
	CU_ASSERT_EQUAL(pay_stripe_verify(h, S(vec_body), vec_secret, 1,
	    VEC_T, 300), PAY_SIG_MISMATCH);
}

static void
t_stripe_tampered_body(void)
{
	static const char body[] = "{\"id\":\"evt_test_webhook\",\"object\":\"event\" }";
	char h[256];

	snprintf(h, sizeof(h), "t=%d,v1=%s", VEC_T, vec_v1);
	CU_ASSERT_EQUAL(pay_stripe_verify(h, S(body), vec_secret, 1, VEC_T, 300),
	    PAY_SIG_MISMATCH);
	/* Truncated by one byte. */
	CU_ASSERT_EQUAL(pay_stripe_verify(h, vec_body, sizeof(vec_body) - 2,
	    vec_secret, 1, VEC_T, 300), PAY_SIG_MISMATCH);
	/* A different t with the same v1 (replay with a fresh clock). */
	snprintf(h, sizeof(h), "t=%d,v1=%s", VEC_T + 1, vec_v1);
	CU_ASSERT_EQUAL(pay_stripe_verify(h, S(vec_body), vec_secret, 1, VEC_T,
	    300), PAY_SIG_MISMATCH);
}

static void
t_stripe_uppercase_hex(void)
{
	char h[256], up[65];
	size_t i;

	for (i = 0; i < 64; i++)
		up[i] = (vec_v1[i] >= 'a' && vec_v1[i] <= 'f') ?
		    (char)(vec_v1[i] - 32) : vec_v1[i];
	up[64] = '\0';
	snprintf(h, sizeof(h), "t=%d,v1=%s", VEC_T, up);
	CU_ASSERT_EQUAL(pay_stripe_verify(h, S(vec_body), vec_secret, 1,
	    VEC_T, 300), PAY_SIG_MISMATCH);
}

static void
t_stripe_garbage(void)
{
	CU_ASSERT_EQUAL(pay_stripe_verify("garbage", S(vec_body), vec_secret, 1,
	    VEC_T, 300), PAY_SIG_MALFORMED);
	CU_ASSERT_EQUAL(pay_stripe_verify(",,,==,", S(vec_body), vec_secret, 1,
	    VEC_T, 300), PAY_SIG_MALFORMED);
	/* Whitespace is not trimmed: " v1" is another scheme. */
	CU_ASSERT_EQUAL(pay_stripe_verify("t=1492774577, v1=88a022085c6bdb887"
	    "b02cb26ff76dd681234d9675c0f22844059f55552a8883a", S(vec_body),
	    vec_secret, 1, VEC_T, 300), PAY_SIG_NO_V1);
	/* Short v1. */
	CU_ASSERT_EQUAL(pay_stripe_verify("t=1492774577,v1=88a0", S(vec_body),
	    vec_secret, 1, VEC_T, 300), PAY_SIG_MISMATCH);
}

static void
t_stripe_header_too_long(void)
{
	char *h = malloc(PAY_SIG_HEADER_MAX + 200);
	size_t n;

	CU_ASSERT_FATAL(h != NULL);
	n = (size_t)snprintf(h, 256, "t=%d,v1=%s,", VEC_T, vec_v1);
	memset(h + n, 'x', PAY_SIG_HEADER_MAX + 100 - n);
	h[PAY_SIG_HEADER_MAX + 100] = '\0';
	CU_ASSERT_EQUAL(pay_stripe_verify(h, S(vec_body), vec_secret, 1,
	    VEC_T, 300), PAY_SIG_MALFORMED);
	free(h);
}

static void
t_stripe_too_many_v1(void)
{
	char h[2048];
	size_t n, i;

	n = (size_t)snprintf(h, sizeof(h), "t=%d", VEC_T);
	for (i = 0; i < PAY_SIG_V1_MAX; i++)
		n += (size_t)snprintf(h + n, sizeof(h) - n, ",v1=%064d", 0);
	n += (size_t)snprintf(h + n, sizeof(h) - n, ",v1=%s", vec_v1);
	CU_ASSERT_EQUAL(pay_stripe_verify(h, S(vec_body), vec_secret, 1,
	    VEC_T, 300), PAY_SIG_MALFORMED);
	/* Exactly the cap, the good one last: accepted. */
	n = (size_t)snprintf(h, sizeof(h), "t=%d", VEC_T);
	for (i = 0; i + 1 < PAY_SIG_V1_MAX; i++)
		n += (size_t)snprintf(h + n, sizeof(h) - n, ",v1=%064d", 0);
	snprintf(h + n, sizeof(h) - n, ",v1=%s", vec_v1);
	CU_ASSERT_EQUAL(pay_stripe_verify(h, S(vec_body), vec_secret, 1,
	    VEC_T, 300), PAY_SIG_OK);
}

static void
t_sig_strerror(void)
{
	CU_ASSERT_STRING_EQUAL(pay_sig_strerror(PAY_SIG_OK), "ok");
	CU_ASSERT_PTR_NOT_NULL(pay_sig_strerror(PAY_SIG_MISMATCH));
	CU_ASSERT_STRING_EQUAL(pay_sig_strerror(99), "unknown error");
}

/* ---- §4 Coinbase signatures -------------------------------------------- */

static const char cb_body[] =
    "{\"id\":1,\"scheduled_for\":\"2017-01-31T20:50:02Z\",\"event\":{\"id\":"
    "\"24934862-d980-46cb-9402-43c81b0cdba6\",\"resource\":\"event\",\"type\":"
    "\"charge:confirmed\",\"api_version\":\"2018-03-22\",\"created_at\":"
    "\"2017-01-31T20:49:02Z\",\"data\":{\"code\":\"66BEOV2A\",\"metadata\":"
    "{\"wallet_id\":\"w1\"}}}}";
static const char cb_sig[] =
    "2fe6dd334c8b82b48aaf3c581e3cb91dcce7527de00403ec204c041cb4631648";

static void
t_cb_vector(void)
{
	CU_ASSERT_EQUAL(pay_coinbase_verify(cb_sig, S(cb_body),
	    "cc_shared_secret"), PAY_SIG_OK);
}

static void
t_cb_negative(void)
{
	char up[65], body[sizeof(cb_body)];
	size_t i;

	CU_ASSERT_EQUAL(pay_coinbase_verify(NULL, S(cb_body),
	    "cc_shared_secret"), PAY_SIG_MISSING);
	CU_ASSERT_EQUAL(pay_coinbase_verify("", S(cb_body),
	    "cc_shared_secret"), PAY_SIG_MISSING);
	CU_ASSERT_EQUAL(pay_coinbase_verify(cb_sig, S(cb_body), "other"),
	    PAY_SIG_MISMATCH);
	CU_ASSERT_EQUAL(pay_coinbase_verify(cb_sig, S(cb_body), ""),
	    PAY_SIG_MISMATCH);
	/* Length must be exactly 64. */
	CU_ASSERT_EQUAL(pay_coinbase_verify("2fe6dd33", S(cb_body),
	    "cc_shared_secret"), PAY_SIG_MALFORMED);
	snprintf(up, sizeof(up), "%s", cb_sig);
	CU_ASSERT_EQUAL(pay_coinbase_verify("2fe6dd334c8b82b48aaf3c581e3cb91dcce"
	    "7527de00403ec204c041cb46316480", S(cb_body), "cc_shared_secret"),
	    PAY_SIG_MALFORMED);
	/* Uppercase hex is not the lowercase digest. */
	for (i = 0; i < 64; i++)
		if (up[i] >= 'a' && up[i] <= 'f')
			up[i] = (char)(up[i] - 32);
	CU_ASSERT_EQUAL(pay_coinbase_verify(up, S(cb_body),
	    "cc_shared_secret"), PAY_SIG_MISMATCH);
	/* Tampered body. */
	memcpy(body, cb_body, sizeof(body));
	body[sizeof(body) - 8] = 'x';
	CU_ASSERT_EQUAL(pay_coinbase_verify(cb_sig, body, sizeof(body) - 1,
	    "cc_shared_secret"), PAY_SIG_MISMATCH);
}

static const struct mgt_case sig_cases[] = {
	{ "hmac_vectors", t_hmac_vectors },
	{ "stripe_sign_vector", t_stripe_sign_vector },
	{ "stripe_verify_vector", t_stripe_verify_vector },
	{ "stripe_v0_ignored", t_stripe_v0_ignored },
	{ "stripe_v0_only", t_stripe_v0_only },
	{ "stripe_missing_header", t_stripe_missing_header },
	{ "stripe_missing_t", t_stripe_missing_t },
	{ "stripe_missing_v1", t_stripe_missing_v1 },
	{ "stripe_bad_t", t_stripe_bad_t },
	{ "stripe_duplicated_t", t_stripe_duplicated_t },
	{ "stripe_stale", t_stripe_stale },
	{ "stripe_future", t_stripe_future },
	{ "stripe_wrong_secret", t_stripe_wrong_secret },
	{ "stripe_rotation_second_secret", t_stripe_rotation },
	{ "stripe_tampered_body", t_stripe_tampered_body },
	{ "stripe_uppercase_hex", t_stripe_uppercase_hex },
	{ "stripe_garbage", t_stripe_garbage },
	{ "stripe_header_too_long", t_stripe_header_too_long },
	{ "stripe_too_many_v1", t_stripe_too_many_v1 },
	{ "sig_strerror", t_sig_strerror },
	{ "coinbase_vector", t_cb_vector },
	{ "coinbase_negative", t_cb_negative },
	{ NULL, NULL }
};

/* @@MORE_SUITES@@ */

static int
suite_init(void)
{
	return mg_crypto_init() == 0 ? 0 : -1;
}

int
main(void)
{
	mgt_suite("pay_sig", suite_init, NULL, sig_cases);
	/* @@MORE_REGISTRATIONS@@ */
	return mgt_run();
}
