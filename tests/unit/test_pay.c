/*
 * Unit tests for the payment wire layer (modules/wallet/pay_*):
 * signatures (payments.md §1, §4), event parsing (§3, §4), the HTTP helper,
 * the Stripe and Coinbase clients' encoders and parsers (§2, §4), x402 (§5).
 */
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/mgtest.h"
#include "mg_crypto.h"
#include "mg_buf.h"
#include "pay_coinbase.h"
#include "pay_event.h"
#include "mg_http.h"
#include "pay_sig.h"
#include "pay_stripe.h"
#include "pay_x402.h"

#define S(x)	(x), (sizeof(x) - 1)

/*
 * Test JSON is written with single quotes for readability; Q() turns them
 * into double quotes in one of four rotating static buffers.
 */
static const char *
Q(const char *s)
{
	static char bufs[4][16384];
	static int next;
	char *b = bufs[next++ & 3];
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < sizeof(bufs[0]); i++)
		b[i] = s[i] == '\'' ? '"' : s[i];
	b[i] = '\0';
	return b;
}
#define QS(x)	Q(x), strlen(Q(x))

static int
starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

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

/* ---- §3 Stripe events --------------------------------------------------- */

#define EVT_HEAD(id, type) \
	"{'id':'" id "','object':'event','api_version':'2026-10-28.endive'," \
	"'created':1763900000,'livemode':false,'pending_webhooks':1," \
	"'request':{'id':null,'idempotency_key':null},'type':'" type "'," \
	"'data':{'object':"
#define EVT_TAIL	"}}"

#define SESSION(extra) \
	"{'id':'cs_test_a1B2c3D4e5F6g7H8i9J0','object':'checkout.session'," \
	"'amount_subtotal':2500,'amount_total':2500,'currency':'usd'," \
	"'client_reference_id':'wal_123','customer':'cus_RaBcDeFgHiJkLm'," \
	"'customer_details':{'email':'a@example.com','address':{'country':'US'}}," \
	"'expires_at':1763986400,'livemode':false,'mode':'payment'," \
	"'success_url':'https://app.example/billing?s={CHECKOUT_SESSION_ID}'," \
	"'url':null," extra "}"

static const char ev_cs_paid[] = EVT_HEAD("evt_1CsPaid", "checkout.session.completed")
    SESSION("'metadata':{'wallet_id':'wal_123','workspace_id':'ws_9'},"
    "'payment_intent':'pi_3QxYzAB2cD3eF4gH0abc','payment_status':'paid',"
    "'status':'complete'") EVT_TAIL;

static const char ev_pi_ok[] = EVT_HEAD("evt_3PiOk", "payment_intent.succeeded")
    "{'id':'pi_3QxYzAB2cD3eF4gH0abc','object':'payment_intent','amount':2500,"
    "'amount_capturable':0,'amount_received':2500,'capture_method':'automatic',"
    "'client_secret':'pi_3QxYzAB2cD3eF4gH0abc_secret_xyz','currency':'usd',"
    "'customer':'cus_RaBcDeFgHiJkLm','last_payment_error':null,"
    "'latest_charge':'ch_3QxYzAB2cD3eF4gH0def','livemode':false,"
    "'metadata':{'wallet_id':'wal_123','workspace_id':'ws_9'},"
    "'next_action':null,'payment_method':'pm_1AbC','payment_method_types':"
    "['card'],'status':'succeeded'}" EVT_TAIL;

static const char ev_pi_fail[] = EVT_HEAD("evt_3PiFail",
    "payment_intent.payment_failed")
    "{'id':'pi_3Fail','object':'payment_intent','amount':5000,"
    "'amount_received':0,'currency':'usd','customer':'cus_R',"
    "'last_payment_error':{'code':'card_declined','decline_code':"
    "'insufficient_funds','message':'Your card has insufficient funds.',"
    "'type':'card_error'},'metadata':{'wallet_id':'wal_123'},"
    "'status':'requires_payment_method'}" EVT_TAIL;

static const char ev_refund[] = EVT_HEAD("evt_3Refund", "charge.refunded")
    "{'id':'ch_3QxYzAB2cD3eF4gH0def','object':'charge','amount':2500,"
    "'amount_captured':2500,'amount_refunded':1000,'captured':true,"
    "'currency':'usd','metadata':{},'paid':true,"
    "'payment_intent':'pi_3QxYzAB2cD3eF4gH0abc','refunded':false,"
    "'status':'succeeded'},'previous_attributes':{'amount_refunded':0}}}";

static const char ev_dispute[] = EVT_HEAD("evt_3Disp", "charge.dispute.created")
    "{'id':'dp_1Disp','object':'dispute','amount':2500,"
    "'charge':'ch_3QxYzAB2cD3eF4gH0def','currency':'usd',"
    "'evidence_details':{'due_by':1764500000,'has_evidence':false},"
    "'is_charge_refundable':false,'metadata':{},"
    "'payment_intent':'pi_3QxYzAB2cD3eF4gH0abc','reason':'fraudulent',"
    "'status':'needs_response'}" EVT_TAIL;

static void
t_ev_checkout_paid(void)
{
	struct pay_stripe_event ev;

	CU_ASSERT_EQUAL_FATAL(pay_stripe_event_parse(QS(ev_cs_paid), &ev),
	    PAY_EVT_OK);
	CU_ASSERT_STRING_EQUAL(ev.id, "evt_1CsPaid");
	CU_ASSERT_EQUAL(ev.type, PAY_ST_CHECKOUT_COMPLETED);
	CU_ASSERT_EQUAL(ev.created, 1763900000);
	CU_ASSERT_STRING_EQUAL(ev.object, "checkout.session");
	CU_ASSERT_STRING_EQUAL(ev.object_id, "cs_test_a1B2c3D4e5F6g7H8i9J0");
	CU_ASSERT_STRING_EQUAL(ev.payment_intent, "pi_3QxYzAB2cD3eF4gH0abc");
	CU_ASSERT_STRING_EQUAL(ev.payment_key, "pi_3QxYzAB2cD3eF4gH0abc");
	CU_ASSERT_EQUAL(ev.amount_cents, 2500);
	CU_ASSERT_EQUAL(ev.amount_micros, 25000000);
	CU_ASSERT_STRING_EQUAL(ev.currency, "usd");
	CU_ASSERT_STRING_EQUAL(ev.payment_status, "paid");
	CU_ASSERT_STRING_EQUAL(ev.status, "complete");
	CU_ASSERT_STRING_EQUAL(ev.client_reference_id, "wal_123");
	CU_ASSERT_STRING_EQUAL(ev.wallet_id, "wal_123");
	CU_ASSERT_STRING_EQUAL(ev.workspace_id, "ws_9");
	CU_ASSERT_EQUAL(pay_stripe_event_effect(&ev), PAY_EFFECT_CREDIT);
}

static void
t_ev_checkout_and_pi_same_key(void)
{
	struct pay_stripe_event a, b;

	CU_ASSERT_EQUAL_FATAL(pay_stripe_event_parse(QS(ev_cs_paid), &a),
	    PAY_EVT_OK);
	CU_ASSERT_EQUAL_FATAL(pay_stripe_event_parse(QS(ev_pi_ok), &b),
	    PAY_EVT_OK);
	CU_ASSERT_STRING_EQUAL(a.payment_key, b.payment_key);
	CU_ASSERT_STRING_NOT_EQUAL(a.id, b.id);
	CU_ASSERT_EQUAL(a.amount_cents, b.amount_cents);
	CU_ASSERT_EQUAL(pay_stripe_event_effect(&a), PAY_EFFECT_CREDIT);
	CU_ASSERT_EQUAL(pay_stripe_event_effect(&b), PAY_EFFECT_CREDIT);
}

static void
t_ev_checkout_unpaid_waits(void)
{
	struct pay_stripe_event ev;

	CU_ASSERT_EQUAL_FATAL(pay_stripe_event_parse(QS(EVT_HEAD("evt_u",
	    "checkout.session.completed") SESSION("'metadata':{'wallet_id':'w'},"
	    "'payment_intent':'pi_async','payment_status':'unpaid',"
	    "'status':'complete'") EVT_TAIL), &ev), PAY_EVT_OK);
	CU_ASSERT_EQUAL(pay_stripe_event_effect(&ev), PAY_EFFECT_WAIT);
	CU_ASSERT_EQUAL_FATAL(pay_stripe_event_parse(QS(EVT_HEAD("evt_a",
	    "checkout.session.async_payment_succeeded") SESSION("'metadata':"
	    "{'wallet_id':'w'},'payment_intent':'pi_async','payment_status':"
	    "'paid','status':'complete'") EVT_TAIL), &ev), PAY_EVT_OK);
	CU_ASSERT_EQUAL(ev.type, PAY_ST_CHECKOUT_ASYNC_OK);
	CU_ASSERT_STRING_EQUAL(ev.payment_key, "pi_async");
	CU_ASSERT_EQUAL(pay_stripe_event_effect(&ev), PAY_EFFECT_CREDIT);
	CU_ASSERT_EQUAL_FATAL(pay_stripe_event_parse(QS(EVT_HEAD("evt_f",
	    "checkout.session.async_payment_failed") SESSION("'metadata':"
	    "{'wallet_id':'w'},'payment_intent':'pi_async','payment_status':"
	    "'unpaid','status':'complete'") EVT_TAIL), &ev), PAY_EVT_OK);
	CU_ASSERT_EQUAL(pay_stripe_event_effect(&ev), PAY_EFFECT_FAILED);
	CU_ASSERT_EQUAL_FATAL(pay_stripe_event_parse(QS(EVT_HEAD("evt_e",
	    "checkout.session.expired") "{'id':'cs_x','object':"
	    "'checkout.session','amount_total':2500,'currency':'usd',"
	    "'metadata':{'wallet_id':'w'},'payment_intent':null,"
	    "'payment_status':'unpaid','status':'expired'}" EVT_TAIL), &ev),
	    PAY_EVT_OK);
	CU_ASSERT_EQUAL(pay_stripe_event_effect(&ev), PAY_EFFECT_EXPIRED);
	CU_ASSERT_STRING_EQUAL(ev.payment_key, "cs_x");
}

static void
t_ev_checkout_no_pi_key_is_session(void)
{
	struct pay_stripe_event ev;

	CU_ASSERT_EQUAL_FATAL(pay_stripe_event_parse(QS(EVT_HEAD("evt_n",
	    "checkout.session.completed") SESSION("'metadata':{'wallet_id':'w'},"
	    "'payment_intent':null,'payment_status':'no_payment_required',"
	    "'status':'complete'") EVT_TAIL), &ev), PAY_EVT_OK);
	CU_ASSERT_STRING_EQUAL(ev.payment_intent, "");
	CU_ASSERT_STRING_EQUAL(ev.payment_key, "cs_test_a1B2c3D4e5F6g7H8i9J0");
	CU_ASSERT_EQUAL(pay_stripe_event_effect(&ev), PAY_EFFECT_NONE);
}

static void
t_ev_checkout_expanded_pi(void)
{
	struct pay_stripe_event ev;

	CU_ASSERT_EQUAL_FATAL(pay_stripe_event_parse(QS(EVT_HEAD("evt_x",
	    "checkout.session.completed") SESSION("'metadata':{'wallet_id':'w'},"
	    "'payment_intent':{'id':'pi_exp','object':'payment_intent'},"
	    "'payment_status':'paid','status':'complete'") EVT_TAIL), &ev),
	    PAY_EVT_OK);
	CU_ASSERT_STRING_EQUAL(ev.payment_key, "pi_exp");
}

static void
t_ev_pi_succeeded(void)
{
	struct pay_stripe_event ev;

	CU_ASSERT_EQUAL_FATAL(pay_stripe_event_parse(QS(ev_pi_ok), &ev),
	    PAY_EVT_OK);
	CU_ASSERT_EQUAL(ev.type, PAY_ST_PI_SUCCEEDED);
	CU_ASSERT_STRING_EQUAL(ev.object_id, "pi_3QxYzAB2cD3eF4gH0abc");
	CU_ASSERT_STRING_EQUAL(ev.payment_intent, "pi_3QxYzAB2cD3eF4gH0abc");
	CU_ASSERT_EQUAL(ev.amount_cents, 2500);
	CU_ASSERT_STRING_EQUAL(ev.status, "succeeded");
	CU_ASSERT_STRING_EQUAL(ev.wallet_id, "wal_123");
	CU_ASSERT_STRING_EQUAL(ev.error_message, "");
}

static void
t_ev_pi_failed(void)
{
	struct pay_stripe_event ev;

	CU_ASSERT_EQUAL_FATAL(pay_stripe_event_parse(QS(ev_pi_fail), &ev),
	    PAY_EVT_OK);
	CU_ASSERT_EQUAL(ev.type, PAY_ST_PI_FAILED);
	CU_ASSERT_EQUAL(ev.amount_cents, 5000);
	CU_ASSERT_STRING_EQUAL(ev.error_code, "card_declined");
	CU_ASSERT_STRING_EQUAL(ev.error_message,
	    "Your card has insufficient funds.");
	CU_ASSERT_EQUAL(pay_stripe_event_effect(&ev), PAY_EFFECT_FAILED);
}

static void
t_ev_charge_refunded(void)
{
	struct pay_stripe_event ev;

	/* No wallet metadata on charges: found through the payment key. */
	CU_ASSERT_EQUAL_FATAL(pay_stripe_event_parse(QS(ev_refund), &ev),
	    PAY_EVT_OK);
	CU_ASSERT_EQUAL(ev.type, PAY_ST_CHARGE_REFUNDED);
	CU_ASSERT_EQUAL(ev.amount_cents, 1000);	/* cumulative */
	CU_ASSERT_STRING_EQUAL(ev.charge, "ch_3QxYzAB2cD3eF4gH0def");
	CU_ASSERT_STRING_EQUAL(ev.payment_key, "pi_3QxYzAB2cD3eF4gH0abc");
	CU_ASSERT_STRING_EQUAL(ev.wallet_id, "");
	CU_ASSERT_EQUAL(pay_stripe_event_effect(&ev), PAY_EFFECT_REFUND);
}

static void
t_ev_dispute_created(void)
{
	struct pay_stripe_event ev;

	CU_ASSERT_EQUAL_FATAL(pay_stripe_event_parse(QS(ev_dispute), &ev),
	    PAY_EVT_OK);
	CU_ASSERT_EQUAL(ev.type, PAY_ST_DISPUTE_CREATED);
	CU_ASSERT_STRING_EQUAL(ev.object_id, "dp_1Disp");
	CU_ASSERT_STRING_EQUAL(ev.charge, "ch_3QxYzAB2cD3eF4gH0def");
	CU_ASSERT_STRING_EQUAL(ev.payment_key, "pi_3QxYzAB2cD3eF4gH0abc");
	CU_ASSERT_EQUAL(ev.amount_micros, 25000000);
	CU_ASSERT_EQUAL(pay_stripe_event_effect(&ev), PAY_EFFECT_DISPUTE);
}

static void
t_ev_non_usd(void)
{
	struct pay_stripe_event ev;

	CU_ASSERT_EQUAL(pay_stripe_event_parse(QS(EVT_HEAD("evt_eur",
	    "payment_intent.succeeded") "{'id':'pi_e','object':'payment_intent',"
	    "'amount':2500,'amount_received':2500,'currency':'eur','metadata':"
	    "{'wallet_id':'w'},'status':'succeeded'}" EVT_TAIL), &ev),
	    PAY_EVT_ECURRENCY);
	CU_ASSERT_EQUAL(pay_stripe_event_parse(QS(EVT_HEAD("evt_nocur",
	    "payment_intent.succeeded") "{'id':'pi_e','object':'payment_intent',"
	    "'amount':2500,'amount_received':2500,'metadata':"
	    "{'wallet_id':'w'},'status':'succeeded'}" EVT_TAIL), &ev),
	    PAY_EVT_EFIELD);
}

static void
t_ev_missing_metadata(void)
{
	struct pay_stripe_event ev;

	CU_ASSERT_EQUAL(pay_stripe_event_parse(QS(EVT_HEAD("evt_nometa",
	    "checkout.session.completed") SESSION("'metadata':{},"
	    "'payment_intent':'pi_z','payment_status':'paid',"
	    "'status':'complete'") EVT_TAIL), &ev), PAY_EVT_ENOMETA);
	/* The struct is still filled so the handler can log and acknowledge. */
	CU_ASSERT_STRING_EQUAL(ev.id, "evt_nometa");
	CU_ASSERT_STRING_EQUAL(ev.payment_key, "pi_z");
	CU_ASSERT_EQUAL(pay_stripe_event_parse(QS(EVT_HEAD("evt_nometa2",
	    "payment_intent.succeeded") "{'id':'pi_e','object':'payment_intent',"
	    "'amount':2500,'amount_received':2500,'currency':'usd',"
	    "'status':'succeeded'}" EVT_TAIL), &ev), PAY_EVT_ENOMETA);
}

static void
t_ev_unknown_type(void)
{
	struct pay_stripe_event ev;

	CU_ASSERT_EQUAL_FATAL(pay_stripe_event_parse(QS(EVT_HEAD("evt_cust",
	    "customer.created") "{'id':'cus_1','object':'customer','email':"
	    "'a@b.c'}" EVT_TAIL), &ev), PAY_EVT_OK);
	CU_ASSERT_EQUAL(ev.type, PAY_ST_UNKNOWN);
	CU_ASSERT_STRING_EQUAL(ev.type_name, "customer.created");
	CU_ASSERT_STRING_EQUAL(ev.object_id, "cus_1");
	CU_ASSERT_EQUAL(pay_stripe_event_effect(&ev), PAY_EFFECT_NONE);
	/* A near miss of a known name is unknown too. */
	CU_ASSERT_EQUAL(pay_stripe_event_parse(QS(EVT_HEAD("evt_nm",
	    "payment_intent.succeeded.v2") "{}" EVT_TAIL), &ev), PAY_EVT_OK);
	CU_ASSERT_EQUAL(ev.type, PAY_ST_UNKNOWN);
}

static void
t_ev_wrong_types(void)
{
	struct pay_stripe_event ev;

	/* amount as a string */
	CU_ASSERT_EQUAL(pay_stripe_event_parse(QS(EVT_HEAD("evt_t1",
	    "payment_intent.succeeded") "{'id':'pi_e','object':'payment_intent',"
	    "'amount_received':'2500','currency':'usd','metadata':"
	    "{'wallet_id':'w'}}" EVT_TAIL), &ev), PAY_EVT_ETYPE);
	/* amount as a float */
	CU_ASSERT_EQUAL(pay_stripe_event_parse(QS(EVT_HEAD("evt_t2",
	    "payment_intent.succeeded") "{'id':'pi_e','object':'payment_intent',"
	    "'amount_received':25.0,'currency':'usd','metadata':"
	    "{'wallet_id':'w'}}" EVT_TAIL), &ev), PAY_EVT_ETYPE);
	/* negative amount */
	CU_ASSERT_EQUAL(pay_stripe_event_parse(QS(EVT_HEAD("evt_t3",
	    "payment_intent.succeeded") "{'id':'pi_e','object':'payment_intent',"
	    "'amount_received':-1,'currency':'usd','metadata':"
	    "{'wallet_id':'w'}}" EVT_TAIL), &ev), PAY_EVT_ETYPE);
	/* event id as a number */
	CU_ASSERT_EQUAL(pay_stripe_event_parse(QS("{'id':5,'type':'x',"
	    "'data':{'object':{}}}"), &ev), PAY_EVT_ETYPE);
	/* data.object an array */
	CU_ASSERT_EQUAL(pay_stripe_event_parse(QS("{'id':'evt_1','type':'x',"
	    "'data':{'object':[]}}"), &ev), PAY_EVT_ETYPE);
	/* livemode as a string */
	CU_ASSERT_EQUAL(pay_stripe_event_parse(QS("{'id':'evt_1','type':'x',"
	    "'livemode':'false','data':{'object':{}}}"), &ev), PAY_EVT_ETYPE);
	/* metadata wallet_id a number */
	CU_ASSERT_EQUAL(pay_stripe_event_parse(QS(EVT_HEAD("evt_t4",
	    "payment_intent.succeeded") "{'id':'pi_e','object':'payment_intent',"
	    "'amount_received':1,'currency':'usd','metadata':"
	    "{'wallet_id':7}}" EVT_TAIL), &ev), PAY_EVT_ETYPE);
	/* object kind does not match the event type */
	CU_ASSERT_EQUAL(pay_stripe_event_parse(QS(EVT_HEAD("evt_t5",
	    "checkout.session.completed") "{'id':'pi_e','object':'payment_intent',"
	    "'amount_total':1,'currency':'usd','payment_status':'paid',"
	    "'metadata':{'wallet_id':'w'}}" EVT_TAIL), &ev), PAY_EVT_ETYPE);
	/* envelope object is not "event" */
	CU_ASSERT_EQUAL(pay_stripe_event_parse(QS("{'id':'evt_1','object':"
	    "'charge','type':'x','data':{'object':{}}}"), &ev), PAY_EVT_ETYPE);
}

static void
t_ev_missing_fields(void)
{
	struct pay_stripe_event ev;

	CU_ASSERT_EQUAL(pay_stripe_event_parse(QS("{'type':'x','data':"
	    "{'object':{}}}"), &ev), PAY_EVT_EFIELD);
	CU_ASSERT_EQUAL(pay_stripe_event_parse(QS("{'id':'evt_1','data':"
	    "{'object':{}}}"), &ev), PAY_EVT_EFIELD);
	CU_ASSERT_EQUAL(pay_stripe_event_parse(QS("{'id':'evt_1','type':'x'}"),
	    &ev), PAY_EVT_EFIELD);
	CU_ASSERT_EQUAL(pay_stripe_event_parse(QS(EVT_HEAD("evt_m1",
	    "checkout.session.completed") "{'id':'cs_1','object':"
	    "'checkout.session','currency':'usd','payment_status':'paid',"
	    "'metadata':{'wallet_id':'w'}}" EVT_TAIL), &ev), PAY_EVT_EFIELD);
	CU_ASSERT_EQUAL(pay_stripe_event_parse(QS(EVT_HEAD("evt_m2",
	    "charge.refunded") "{'id':'ch_1','object':'charge','currency':'usd'}"
	    EVT_TAIL), &ev), PAY_EVT_EFIELD);
	CU_ASSERT_EQUAL(pay_stripe_event_parse(QS("{'id':'','type':'x',"
	    "'data':{'object':{}}}"), &ev), PAY_EVT_ETYPE);
}

static void
t_ev_too_deep(void)
{
	char body[256];
	size_t n = 0, i;
	struct pay_stripe_event ev;

	n += (size_t)snprintf(body, sizeof(body), "{\"id\":\"evt_1\",\"type\":"
	    "\"x\",\"data\":{\"object\":");
	for (i = 0; i < 20; i++)
		body[n++] = '[';
	for (i = 0; i < 20; i++)
		body[n++] = ']';
	memcpy(body + n, "}}", 3);
	n += 2;
	CU_ASSERT_EQUAL(pay_stripe_event_parse(body, n, &ev), PAY_EVT_EDEPTH);
}

static void
t_ev_not_json(void)
{
	struct pay_stripe_event ev;

	CU_ASSERT_EQUAL(pay_stripe_event_parse(S("not json"), &ev),
	    PAY_EVT_EJSON);
	CU_ASSERT_EQUAL(pay_stripe_event_parse(S("[1,2]"), &ev), PAY_EVT_EJSON);
	CU_ASSERT_EQUAL(pay_stripe_event_parse(S("{\"id\":\"evt_1\""), &ev),
	    PAY_EVT_EJSON);
	CU_ASSERT_EQUAL(pay_stripe_event_parse(S("{} {}"), &ev), PAY_EVT_EJSON);
	CU_ASSERT_EQUAL(pay_stripe_event_parse(S("{'id':'x'}"), &ev),
	    PAY_EVT_EJSON);
	CU_ASSERT_EQUAL(pay_stripe_event_parse("", 0, &ev), PAY_EVT_EJSON);
	/* Trailing newline is fine (then the missing fields are reported). */
	CU_ASSERT_EQUAL(pay_stripe_event_parse(S("{}\n"), &ev), PAY_EVT_EFIELD);
}

static void
t_ev_too_big(void)
{
	struct pay_stripe_event ev;
	char *b = malloc(PAY_EVT_BODY_MAX + 2);

	CU_ASSERT_FATAL(b != NULL);
	memset(b, ' ', PAY_EVT_BODY_MAX + 1);
	b[0] = '{';
	b[PAY_EVT_BODY_MAX] = '}';
	CU_ASSERT_EQUAL(pay_stripe_event_parse(b, PAY_EVT_BODY_MAX + 1, &ev),
	    PAY_EVT_ETOOBIG);
	free(b);
}

/* ---- §4 Coinbase events ------------------------------------------------- */

#define CB_EVT(type, data) \
	"{'id':42,'scheduled_for':'2026-11-23T12:00:02Z','attempt_number':1," \
	"'event':{'id':'f1e2d3c4-b5a6-4789-8abc-def012345678','resource':'event'," \
	"'type':'" type "','api_version':'2018-03-22','created_at':" \
	"'2026-11-23T12:00:00Z','data':" data "}}"
#define CB_CHARGE(pricing, meta) \
	"{'id':'8d7e6f5a-4b3c-4d2e-9f1a-0b1c2d3e4f5a','resource':'charge'," \
	"'code':'66BEOV2A','name':'Wallet top-up','description':'USD 25'," \
	"'hosted_url':'https://commerce.coinbase.com/charges/66BEOV2A'," \
	"'created_at':'2026-11-23T11:58:00Z','expires_at':'2026-11-23T12:58:00Z'," \
	"'pricing_type':'fixed_price','pricing':" pricing "," \
	"'timeline':[{'status':'NEW','time':'2026-11-23T11:58:00Z'}," \
	"{'status':'PENDING','time':'2026-11-23T11:59:00Z'}," \
	"{'status':'COMPLETED','time':'2026-11-23T12:00:00Z'}]," \
	"'metadata':" meta ",'payments':[]}"
#define CB_PRICE(a, c) \
	"{'local':{'amount':'" a "','currency':'" c "'}," \
	"'bitcoin':{'amount':'0.00031000','currency':'BTC'}}"

static void
t_cbev_confirmed(void)
{
	struct pay_coinbase_event ev;

	CU_ASSERT_EQUAL_FATAL(pay_coinbase_event_parse(QS(CB_EVT(
	    "charge:confirmed", CB_CHARGE(CB_PRICE("25.00", "USD"),
	    "{'wallet_id':'wal_123','workspace_id':'ws_9'}"))), &ev),
	    PAY_EVT_OK);
	CU_ASSERT_EQUAL(ev.delivery_id, 42);
	CU_ASSERT_STRING_EQUAL(ev.id, "f1e2d3c4-b5a6-4789-8abc-def012345678");
	CU_ASSERT_EQUAL(ev.type, PAY_CB_CONFIRMED);
	CU_ASSERT_STRING_EQUAL(ev.charge_id,
	    "8d7e6f5a-4b3c-4d2e-9f1a-0b1c2d3e4f5a");
	CU_ASSERT_STRING_EQUAL(ev.charge_code, "66BEOV2A");
	CU_ASSERT_STRING_EQUAL(ev.payment_key, "66BEOV2A");
	CU_ASSERT_EQUAL(ev.amount_micros, 25000000);
	CU_ASSERT_STRING_EQUAL(ev.currency, "USD");
	CU_ASSERT_STRING_EQUAL(ev.status, "COMPLETED");
	CU_ASSERT_STRING_EQUAL(ev.wallet_id, "wal_123");
	CU_ASSERT_STRING_EQUAL(ev.workspace_id, "ws_9");
	CU_ASSERT_EQUAL(pay_coinbase_event_effect(&ev), PAY_EFFECT_CREDIT);
	CU_ASSERT_EQUAL_FATAL(pay_coinbase_event_parse(QS(CB_EVT(
	    "charge:resolved", CB_CHARGE(CB_PRICE("0.0125", "usd"),
	    "{'wallet_id':'w'}"))), &ev), PAY_EVT_OK);
	CU_ASSERT_EQUAL(ev.amount_micros, 12500);
	CU_ASSERT_EQUAL(pay_coinbase_event_effect(&ev), PAY_EFFECT_CREDIT);
}

static void
t_cbev_vector_body_lacks_pricing(void)
{
	struct pay_coinbase_event ev;

	/* The §4 signature vector's body: a credit type without a price. */
	CU_ASSERT_EQUAL(pay_coinbase_event_parse(S(cb_body), &ev),
	    PAY_EVT_EFIELD);
	/* A non-credit type without a price is fine. */
	CU_ASSERT_EQUAL(pay_coinbase_event_parse(QS(CB_EVT("charge:pending",
	    "{'code':'66BEOV2A','metadata':{'wallet_id':'w1'}}")), &ev),
	    PAY_EVT_OK);
	CU_ASSERT_EQUAL(ev.amount_micros, -1);
	CU_ASSERT_EQUAL(pay_coinbase_event_effect(&ev), PAY_EFFECT_NONE);
}

static void
t_cbev_failed_unknown(void)
{
	struct pay_coinbase_event ev;

	CU_ASSERT_EQUAL(pay_coinbase_event_parse(QS(CB_EVT("charge:failed",
	    CB_CHARGE(CB_PRICE("25.00", "USD"), "{'wallet_id':'w'}"))), &ev),
	    PAY_EVT_OK);
	CU_ASSERT_EQUAL(pay_coinbase_event_effect(&ev), PAY_EFFECT_FAILED);
	CU_ASSERT_EQUAL(pay_coinbase_event_parse(QS(CB_EVT("charge:teleported",
	    "{}")), &ev), PAY_EVT_OK);
	CU_ASSERT_EQUAL(ev.type, PAY_CB_UNKNOWN);
	CU_ASSERT_EQUAL(pay_coinbase_event_effect(&ev), PAY_EFFECT_NONE);
}

static void
t_cbev_negative(void)
{
	struct pay_coinbase_event ev;

	/* non-USD local price */
	CU_ASSERT_EQUAL(pay_coinbase_event_parse(QS(CB_EVT("charge:confirmed",
	    CB_CHARGE(CB_PRICE("25.00", "EUR"), "{'wallet_id':'w'}"))), &ev),
	    PAY_EVT_ECURRENCY);
	/* malformed decimal amounts (no floats, no exponents) */
	CU_ASSERT_EQUAL(pay_coinbase_event_parse(QS(CB_EVT("charge:confirmed",
	    CB_CHARGE(CB_PRICE("1e3", "USD"), "{'wallet_id':'w'}"))), &ev),
	    PAY_EVT_ETYPE);
	CU_ASSERT_EQUAL(pay_coinbase_event_parse(QS(CB_EVT("charge:confirmed",
	    CB_CHARGE(CB_PRICE("25.0000001", "USD"), "{'wallet_id':'w'}"))),
	    &ev), PAY_EVT_ETYPE);
	CU_ASSERT_EQUAL(pay_coinbase_event_parse(QS(CB_EVT("charge:confirmed",
	    CB_CHARGE(CB_PRICE("-5.00", "USD"), "{'wallet_id':'w'}"))), &ev),
	    PAY_EVT_ETYPE);
	/* amount as a JSON number */
	CU_ASSERT_EQUAL(pay_coinbase_event_parse(QS(CB_EVT("charge:confirmed",
	    CB_CHARGE("{'local':{'amount':25,'currency':'USD'}}",
	    "{'wallet_id':'w'}"))), &ev), PAY_EVT_ETYPE);
	/* missing metadata */
	CU_ASSERT_EQUAL(pay_coinbase_event_parse(QS(CB_EVT("charge:confirmed",
	    CB_CHARGE(CB_PRICE("25.00", "USD"), "{}"))), &ev),
	    PAY_EVT_ENOMETA);
	CU_ASSERT_STRING_EQUAL(ev.charge_code, "66BEOV2A");
	/* missing code */
	CU_ASSERT_EQUAL(pay_coinbase_event_parse(QS(CB_EVT("charge:confirmed",
	    "{'metadata':{'wallet_id':'w'}}")), &ev), PAY_EVT_EFIELD);
	/* a string delivery id is tolerated (informational only) */
	CU_ASSERT_EQUAL(pay_coinbase_event_parse(QS("{'id':'a1b2',"
	    "'event':{'id':'e1','type':'charge:pending','data':{'code':'C',"
	    "'metadata':{'wallet_id':'w'}}}}"), &ev), PAY_EVT_OK);
	CU_ASSERT_EQUAL(ev.delivery_id, -1);
	/* missing event */
	CU_ASSERT_EQUAL(pay_coinbase_event_parse(QS("{'id':1}"), &ev),
	    PAY_EVT_EFIELD);
	/* event.data not an object */
	CU_ASSERT_EQUAL(pay_coinbase_event_parse(QS(CB_EVT("charge:confirmed",
	    "'66BEOV2A'")), &ev), PAY_EVT_ETYPE);
	/* timeline entry not an object */
	CU_ASSERT_EQUAL(pay_coinbase_event_parse(QS(CB_EVT("charge:pending",
	    "{'code':'C','timeline':['NEW'],'metadata':{'wallet_id':'w'}}")),
	    &ev), PAY_EVT_ETYPE);
	CU_ASSERT_EQUAL(pay_coinbase_event_parse(S("{"), &ev), PAY_EVT_EJSON);
}

static const struct mgt_case event_cases[] = {
	{ "stripe_checkout_paid", t_ev_checkout_paid },
	{ "stripe_checkout_and_pi_same_key", t_ev_checkout_and_pi_same_key },
	{ "stripe_checkout_unpaid_async_expired", t_ev_checkout_unpaid_waits },
	{ "stripe_checkout_no_pi_key_is_session", t_ev_checkout_no_pi_key_is_session },
	{ "stripe_checkout_expanded_pi", t_ev_checkout_expanded_pi },
	{ "stripe_pi_succeeded", t_ev_pi_succeeded },
	{ "stripe_pi_failed", t_ev_pi_failed },
	{ "stripe_charge_refunded", t_ev_charge_refunded },
	{ "stripe_dispute_created", t_ev_dispute_created },
	{ "stripe_non_usd", t_ev_non_usd },
	{ "stripe_missing_metadata", t_ev_missing_metadata },
	{ "stripe_unknown_type", t_ev_unknown_type },
	{ "stripe_wrong_types", t_ev_wrong_types },
	{ "stripe_missing_fields", t_ev_missing_fields },
	{ "stripe_too_deep", t_ev_too_deep },
	{ "stripe_not_json", t_ev_not_json },
	{ "stripe_too_big", t_ev_too_big },
	{ "coinbase_confirmed_resolved", t_cbev_confirmed },
	{ "coinbase_vector_body_lacks_pricing", t_cbev_vector_body_lacks_pricing },
	{ "coinbase_failed_unknown", t_cbev_failed_unknown },
	{ "coinbase_negative", t_cbev_negative },
	{ NULL, NULL }
};

/* ---- mg_http over a one-shot loopback server --------------------------- */

/*
 * A fake HTTP server in a child process on 127.0.0.1: it accepts one
 * connection, stores the raw request in a temp file, then sends `answer`
 * (a whole HTTP response) and exits, or with answer NULL hangs until killed.
 */
struct fake {
	pid_t	pid;
	int	port;
	char	path[64];
};

static void
fake_child(int ls, const char *path, const char *answer)
{
	char req[65536];
	size_t n = 0;
	ssize_t r;
	char *hend, *cl;
	long clen = 0;
	int c;
	FILE *f;

	if ((c = accept(ls, NULL, NULL)) < 0)
		_exit(1);
	for (;;) {
		if (n == sizeof(req) - 1)
			break;
		if ((r = read(c, req + n, sizeof(req) - 1 - n)) <= 0)
			break;
		n += (size_t)r;
		req[n] = '\0';
		if ((hend = strstr(req, "\r\n\r\n")) == NULL)
			continue;
		if ((cl = strcasestr(req, "\r\nContent-Length:")) != NULL &&
		    cl < hend)
			clen = strtol(cl + 17, NULL, 10);
		if (n >= (size_t)(hend + 4 - req) + (size_t)clen)
			break;
	}
	if ((f = fopen(path, "w")) != NULL) {
		fwrite(req, 1, n, f);
		fclose(f);
	}
	if (answer == NULL) {
		sleep(30);
		_exit(0);
	}
	if (write(c, answer, strlen(answer)) < 0)
		_exit(1);
	shutdown(c, SHUT_RDWR);
	close(c);
	_exit(0);
}

static int
fake_start(struct fake *f, const char *answer)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int ls, fd;

	snprintf(f->path, sizeof(f->path), "/tmp/test_pay_req.XXXXXX");
	if ((fd = mkstemp(f->path)) < 0)
		return -1;
	close(fd);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((ls = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	if (bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(ls, 4) < 0 ||
	    getsockname(ls, (struct sockaddr *)&sa, &sl) < 0) {
		close(ls);
		return -1;
	}
	f->port = ntohs(sa.sin_port);
	fflush(NULL);
	if ((f->pid = fork()) < 0) {
		close(ls);
		return -1;
	}
	if (f->pid == 0)
		fake_child(ls, f->path, answer);
	close(ls);
	return 0;
}

/* Stop (kill if still running) and return the recorded request (static). */
static const char *
fake_stop(struct fake *f, int kill_it)
{
	static char buf[65536];
	FILE *fp;
	size_t n = 0;

	if (kill_it)
		kill(f->pid, SIGKILL);
	waitpid(f->pid, NULL, 0);
	buf[0] = '\0';
	if ((fp = fopen(f->path, "r")) != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, fp);
		fclose(fp);
	}
	buf[n] = '\0';
	unlink(f->path);
	return buf;
}

static void
t_http_post_answer(void)
{
	static const char *const hdrs[] = { "Authorization: Bearer sk_test_x",
	    "Content-Type: application/x-www-form-urlencoded" };
	static const char *const want[] = { "request-id", "Stripe-Should-Retry",
	    "Absent" };
	struct mg_http_req req;
	struct mg_http_resp resp;
	struct fake f;
	char url[128];
	const char *got;

	CU_ASSERT_FATAL(fake_start(&f, "HTTP/1.1 402 Payment Required\r\n"
	    "Content-Type: application/json\r\nRequest-Id:  req_123 \r\n"
	    "Stripe-Should-Retry: false\r\nContent-Length: 11\r\n"
	    "Connection: close\r\n\r\n{\"a\":\"b\"}\n\n") == 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/v1/x", f.port);
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = url;
	req.headers = hdrs;
	req.nheaders = 2;
	req.body = "a=1&b=2";
	req.body_len = 7;
	req.want = want;
	req.nwant = 3;
	CU_ASSERT_EQUAL(mg_http_do(&req, &resp, NULL), MG_HTTP_OK);
	CU_ASSERT_EQUAL(resp.status, 402);
	CU_ASSERT_STRING_EQUAL(resp.body.data, "{\"a\":\"b\"}\n\n");
	CU_ASSERT_STRING_EQUAL(resp.hdr[0], "req_123");
	CU_ASSERT_STRING_EQUAL(resp.hdr[1], "false");
	CU_ASSERT_STRING_EQUAL(resp.hdr[2], "");
	mg_http_resp_free(&resp);
	got = fake_stop(&f, 0);
	CU_ASSERT(starts(got, "POST /v1/x HTTP/1.1\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "\r\nAuthorization: Bearer sk_test_x\r\n"));
	CU_ASSERT_PTR_NULL(strcasestr(got, "Expect:"));
	CU_ASSERT(strlen(got) > 7 &&
	    strcmp(got + strlen(got) - 11, "\r\n\r\na=1&b=2") == 0);
}

static void
t_http_get_empty_body(void)
{
	struct mg_http_req req;
	struct mg_http_resp resp;
	struct fake f;
	char url[128];

	CU_ASSERT_FATAL(fake_start(&f, "HTTP/1.1 204 No Content\r\n"
	    "Connection: close\r\n\r\n") == 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", f.port);
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.url = url;
	CU_ASSERT_EQUAL(mg_http_do(&req, &resp, NULL), MG_HTTP_OK);
	CU_ASSERT_EQUAL(resp.status, 204);
	CU_ASSERT_PTR_NOT_NULL_FATAL(resp.body.data);
	CU_ASSERT_EQUAL(resp.body.len, 0);
	mg_http_resp_free(&resp);
	CU_ASSERT(starts(fake_stop(&f, 0), "GET / HTTP/1.1\r\n"));
}

static void
t_http_not_sent(void)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	struct mg_http_req req;
	struct mg_http_resp resp;
	char url[128];
	int s;

	/* A port that was just free: connection refused. */
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM, 0);
	CU_ASSERT_FATAL(s >= 0);
	CU_ASSERT_FATAL(bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CU_ASSERT_FATAL(getsockname(s, (struct sockaddr *)&sa, &sl) == 0);
	close(s);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/v1/x",
	    ntohs(sa.sin_port));
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = url;
	req.body = "a=1";
	req.body_len = 3;
	CU_ASSERT_EQUAL(mg_http_do(&req, &resp, NULL), MG_HTTP_NOT_SENT);
	CU_ASSERT_EQUAL(resp.status, 0);
	mg_http_resp_free(&resp);
}

static void
t_http_sent_unknown(void)
{
	struct mg_http_req req;
	struct mg_http_resp resp;
	struct fake f;
	char url[128];

	CU_ASSERT_FATAL(fake_start(&f, NULL) == 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/v1/x", f.port);
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = url;
	req.body = "a=1";
	req.body_len = 3;
	req.timeout_ms = 300;
	CU_ASSERT_EQUAL(mg_http_do(&req, &resp, NULL), MG_HTTP_UNKNOWN);
	CU_ASSERT_EQUAL(resp.status, 0);
	mg_http_resp_free(&resp);
	fake_stop(&f, 1);
}

static void
t_http_reset_after_send(void)
{
	struct mg_http_req req;
	struct mg_http_resp resp;
	struct fake f;
	char url[128];

	/* The server reads the request and closes without a word. */
	CU_ASSERT_FATAL(fake_start(&f, "") == 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/v1/x", f.port);
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = url;
	req.body = "a=1";
	req.body_len = 3;
	CU_ASSERT_EQUAL(mg_http_do(&req, &resp, NULL), MG_HTTP_UNKNOWN);
	mg_http_resp_free(&resp);
	fake_stop(&f, 0);
}

static void
t_http_too_big(void)
{
	struct mg_http_req req;
	struct mg_http_resp resp;
	struct fake f;
	char url[128];

	CU_ASSERT_FATAL(fake_start(&f, "HTTP/1.1 200 OK\r\nContent-Length: 40\r\n"
	    "Connection: close\r\n\r\n0123456789012345678901234567890123456789")
	    == 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", f.port);
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.url = url;
	req.max_body = 16;
	CU_ASSERT_EQUAL(mg_http_do(&req, &resp, NULL), MG_HTTP_ETOOBIG);
	CU_ASSERT(resp.body.len <= 16);
	mg_http_resp_free(&resp);
	fake_stop(&f, 0);
}

static void
t_http_invalid(void)
{
	static const char *const bad_hdr[] = { "X-A: 1\r\nX-Injected: 2" };
	static const char *const no_colon[] = { "Bearer" };
	struct mg_http_req req;
	struct mg_http_resp resp;

	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.url = "ftp://127.0.0.1/";
	CU_ASSERT_EQUAL(mg_http_do(&req, &resp, NULL), MG_HTTP_EINVAL);
	req.url = "file:///etc/passwd";
	CU_ASSERT_EQUAL(mg_http_do(&req, &resp, NULL), MG_HTTP_EINVAL);
	req.url = "http://127.0.0.1/a b";
	CU_ASSERT_EQUAL(mg_http_do(&req, &resp, NULL), MG_HTTP_EINVAL);
	req.url = "http://127.0.0.1/";
	req.headers = bad_hdr;
	req.nheaders = 1;
	CU_ASSERT_EQUAL(mg_http_do(&req, &resp, NULL), MG_HTTP_EINVAL);
	req.headers = no_colon;
	CU_ASSERT_EQUAL(mg_http_do(&req, &resp, NULL), MG_HTTP_EINVAL);
	req.url = NULL;
	req.nheaders = 0;
	CU_ASSERT_EQUAL(mg_http_do(&req, &resp, NULL), MG_HTTP_EINVAL);
	CU_ASSERT_STRING_EQUAL(mg_http_strerror(MG_HTTP_UNKNOWN),
	    "request sent, answer unknown");
}

static const struct mgt_case http_cases[] = {
	{ "http_post_answer_and_headers", t_http_post_answer },
	{ "http_get_empty_body", t_http_get_empty_body },
	{ "http_not_sent_connect_refused", t_http_not_sent },
	{ "http_sent_answer_unknown_timeout", t_http_sent_unknown },
	{ "http_sent_connection_closed", t_http_reset_after_send },
	{ "http_answer_too_big", t_http_too_big },
	{ "http_invalid_request", t_http_invalid },
	{ NULL, NULL }
};

/* ---- §2 Stripe client --------------------------------------------------- */

/* A loopback port nobody listens on (bound then closed). */
static int
closed_port(void)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int s, port = -1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(s, (struct sockaddr *)&sa, &sl) == 0)
		port = ntohs(sa.sin_port);
	close(s);
	return port;
}

static void
t_form_encoder(void)
{
	struct mg_buf b;

	mg_buf_init(&b, NULL);
	CU_ASSERT_EQUAL(pay_form_add(&b, "metadata[wallet_id]", "w 1&x=y"), 0);
	CU_ASSERT_EQUAL(pay_form_add_i64(&b,
	    "line_items[0][price_data][unit_amount]", 2500), 0);
	CU_ASSERT_EQUAL(pay_form_add(&b, "success_url",
	    "https://a.example/ok?s={CHECKOUT_SESSION_ID}"), 0);
	CU_ASSERT_EQUAL(pay_form_add(&b, "metadata[k y]", "\xc3\xa9~._-"), 0);
	CU_ASSERT_STRING_EQUAL(b.data,
	    "metadata[wallet_id]=w%201%26x%3Dy"
	    "&line_items[0][price_data][unit_amount]=2500"
	    "&success_url=https%3A%2F%2Fa.example%2Fok%3Fs%3D%7BCHECKOUT_SESSION_ID%7D"
	    "&metadata[k%20y]=%C3%A9~._-");
	/* NULL value and empty key are refused. */
	CU_ASSERT_EQUAL(pay_form_add(&b, "x", NULL), -1);
	CU_ASSERT_EQUAL(pay_form_add(&b, "", "v"), -1);
	mg_buf_free(&b);
}

static const struct pay_stripe_checkout_req co_req = {
	.amount_cents = 2500,
	.product_name = "mediagate credit",
	.success_url = "https://app.example/ok?s={CHECKOUT_SESSION_ID}",
	.cancel_url = "https://app.example/cancel",
	.client_reference_id = "wal_123",
	.customer_email = "a+b@example.com",
	.wallet_id = "wal_123",
	.workspace_id = "ws_9",
	.expires_at = 1763903600,
};

static const char co_form[] =
    "mode=payment"
    "&line_items[0][price_data][currency]=usd"
    "&line_items[0][price_data][unit_amount]=2500"
    "&line_items[0][price_data][product_data][name]=mediagate%20credit"
    "&line_items[0][quantity]=1"
    "&success_url=https%3A%2F%2Fapp.example%2Fok%3Fs%3D%7BCHECKOUT_SESSION_ID%7D"
    "&cancel_url=https%3A%2F%2Fapp.example%2Fcancel"
    "&client_reference_id=wal_123"
    "&customer_email=a%2Bb%40example.com"
    "&metadata[wallet_id]=wal_123&metadata[workspace_id]=ws_9"
    "&payment_intent_data[metadata][wallet_id]=wal_123"
    "&payment_intent_data[metadata][workspace_id]=ws_9"
    "&expires_at=1763903600";

static void
t_stripe_checkout_form(void)
{
	struct pay_stripe_checkout_req r = co_req;
	struct mg_buf b;

	mg_buf_init(&b, NULL);
	CU_ASSERT_EQUAL(pay_stripe_checkout_form(&r, &b), 0);
	CU_ASSERT_STRING_EQUAL(b.data, co_form);
	mg_buf_free(&b);
	/* A customer replaces customer_email. */
	r.customer = "cus_1";
	mg_buf_init(&b, NULL);
	CU_ASSERT_EQUAL(pay_stripe_checkout_form(&r, &b), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "&customer=cus_1&"));
	CU_ASSERT_PTR_NULL(strstr(b.data, "customer_email"));
	mg_buf_free(&b);
}

static void
t_stripe_checkout_form_invalid(void)
{
	struct pay_stripe_checkout_req r;
	struct mg_buf b;

	mg_buf_init(&b, NULL);
	r = co_req; r.amount_cents = 49;
	CU_ASSERT_EQUAL(pay_stripe_checkout_form(&r, &b), -1);
	r = co_req; r.amount_cents = PAY_STRIPE_MAX_CENTS + 1;
	CU_ASSERT_EQUAL(pay_stripe_checkout_form(&r, &b), -1);
	r = co_req; r.wallet_id = NULL;
	CU_ASSERT_EQUAL(pay_stripe_checkout_form(&r, &b), -1);
	r = co_req; r.workspace_id = "";
	CU_ASSERT_EQUAL(pay_stripe_checkout_form(&r, &b), -1);
	r = co_req; r.success_url = NULL;
	CU_ASSERT_EQUAL(pay_stripe_checkout_form(&r, &b), -1);
	r = co_req; r.product_name = "";
	CU_ASSERT_EQUAL(pay_stripe_checkout_form(&r, &b), -1);
	mg_buf_free(&b);
}

static void
t_stripe_pi_and_customer_form(void)
{
	struct pay_stripe_pi_req r = { 5000, "cus_1", "pm_1", 1, 1, "wal_1",
	    "ws_1" };
	struct pay_stripe_customer_req c = { "x@example.com", "wal_1", "ws_1" };
	struct mg_buf b;

	mg_buf_init(&b, NULL);
	CU_ASSERT_EQUAL(pay_stripe_pi_form(&r, &b), 0);
	CU_ASSERT_STRING_EQUAL(b.data, "amount=5000&currency=usd&customer=cus_1"
	    "&payment_method=pm_1&confirm=true&off_session=true"
	    "&metadata[wallet_id]=wal_1&metadata[workspace_id]=ws_1");
	mg_buf_free(&b);
	/* off_session only with confirm=true; amount ≥ 50. */
	mg_buf_init(&b, NULL);
	r.confirm = 0;
	CU_ASSERT_EQUAL(pay_stripe_pi_form(&r, &b), -1);
	r.confirm = 1;
	r.amount_cents = 10;
	CU_ASSERT_EQUAL(pay_stripe_pi_form(&r, &b), -1);
	mg_buf_free(&b);
	mg_buf_init(&b, NULL);
	CU_ASSERT_EQUAL(pay_stripe_customer_form(&c, &b), 0);
	CU_ASSERT_STRING_EQUAL(b.data, "email=x%40example.com"
	    "&metadata[wallet_id]=wal_1&metadata[workspace_id]=ws_1");
	mg_buf_free(&b);
}

#define CS_RESP \
	"{'id':'cs_test_a1B2','object':'checkout.session','amount_subtotal':2500," \
	"'amount_total':2500,'client_reference_id':'wal_123','created':1763900000," \
	"'currency':'usd','customer':null,'expires_at':1763903600,'livemode':false," \
	"'metadata':{'wallet_id':'wal_123','workspace_id':'ws_9'},'mode':'payment'," \
	"'payment_intent':null,'payment_status':'unpaid','status':'open'," \
	"'url':'https://checkout.stripe.com/c/pay/cs_test_a1B2#fidkdWxOYHwnPyd1blpxYHZxWjA0'}"

static void
t_stripe_parse_session(void)
{
	struct pay_stripe_obj o;

	CU_ASSERT_EQUAL_FATAL(pay_stripe_parse_obj(QS(CS_RESP), &o),
	    PAY_STRIPE_OK);
	CU_ASSERT_STRING_EQUAL(o.id, "cs_test_a1B2");
	CU_ASSERT_STRING_EQUAL(o.object, "checkout.session");
	CU_ASSERT_STRING_EQUAL(o.status, "open");
	CU_ASSERT_STRING_EQUAL(o.payment_status, "unpaid");
	CU_ASSERT_STRING_EQUAL(o.url, "https://checkout.stripe.com/c/pay/"
	    "cs_test_a1B2#fidkdWxOYHwnPyd1blpxYHZxWjA0");
	CU_ASSERT_EQUAL(o.amount, 2500);
	CU_ASSERT_EQUAL(o.expires_at, 1763903600);
	CU_ASSERT_STRING_EQUAL(o.payment_intent, "");
	CU_ASSERT_STRING_EQUAL(o.customer, "");
	CU_ASSERT_STRING_EQUAL(o.wallet_id, "wal_123");
	CU_ASSERT_STRING_EQUAL(o.workspace_id, "ws_9");
}

static void
t_stripe_parse_pi(void)
{
	struct pay_stripe_obj o;

	CU_ASSERT_EQUAL_FATAL(pay_stripe_parse_obj(QS("{'id':'pi_1',"
	    "'object':'payment_intent','amount':5000,'amount_received':0,"
	    "'client_secret':'pi_1_secret_abc','currency':'usd','customer':"
	    "{'id':'cus_1','object':'customer'},'latest_charge':'ch_1',"
	    "'last_payment_error':{'code':'authentication_required','message':"
	    "'This payment requires authentication.'},'metadata':"
	    "{'wallet_id':'wal_1'},'next_action':{'type':'use_stripe_sdk'},"
	    "'status':'requires_action'}"), &o), PAY_STRIPE_OK);
	CU_ASSERT_EQUAL(o.amount, 5000);
	CU_ASSERT_EQUAL(o.amount_received, 0);
	CU_ASSERT_STRING_EQUAL(o.client_secret, "pi_1_secret_abc");
	CU_ASSERT_STRING_EQUAL(o.customer, "cus_1");
	CU_ASSERT_STRING_EQUAL(o.latest_charge, "ch_1");
	CU_ASSERT_STRING_EQUAL(o.status, "requires_action");
	CU_ASSERT_EQUAL(o.requires_action, 1);
	CU_ASSERT_STRING_EQUAL(o.error_code, "authentication_required");
	CU_ASSERT_STRING_EQUAL(o.error_message,
	    "This payment requires authentication.");
	CU_ASSERT_EQUAL_FATAL(pay_stripe_parse_obj(QS("{'id':'cus_9',"
	    "'object':'customer','email':'x@example.com','metadata':{},"
	    "'next_action':null}"), &o), PAY_STRIPE_OK);
	CU_ASSERT_STRING_EQUAL(o.id, "cus_9");
	CU_ASSERT_EQUAL(o.requires_action, 0);
	CU_ASSERT_EQUAL(o.amount, -1);
}

static void
t_stripe_parse_obj_negative(void)
{
	struct pay_stripe_obj o;

	CU_ASSERT_EQUAL(pay_stripe_parse_obj(QS("{'object':'customer'}"), &o),
	    PAY_STRIPE_EPARSE);
	CU_ASSERT_EQUAL(pay_stripe_parse_obj(QS("{'id':'cus_1'}"), &o),
	    PAY_STRIPE_EPARSE);
	CU_ASSERT_EQUAL(pay_stripe_parse_obj(QS("{'id':'pi_1','object':"
	    "'payment_intent','amount':'5000'}"), &o), PAY_STRIPE_EPARSE);
	CU_ASSERT_EQUAL(pay_stripe_parse_obj(QS("{'id':'pi_1','object':"
	    "'payment_intent','metadata':[]}"), &o), PAY_STRIPE_EPARSE);
	CU_ASSERT_EQUAL(pay_stripe_parse_obj(S("<html>"), &o),
	    PAY_STRIPE_EPARSE);
	CU_ASSERT_EQUAL(pay_stripe_parse_obj(QS("{'id':'pi_1','object':"
	    "'payment_intent','amount':5000,'currency':'eur'}"), &o),
	    PAY_STRIPE_ECURRENCY);
}

static void
t_stripe_parse_error(void)
{
	struct pay_stripe_error e;

	memset(&e, 0, sizeof(e));
	CU_ASSERT_EQUAL(pay_stripe_parse_error(QS("{'error':{'charge':'ch_1',"
	    "'code':'card_declined','decline_code':'insufficient_funds',"
	    "'doc_url':'https://stripe.com/docs/error-codes/card-declined',"
	    "'message':'Your card has insufficient funds.','param':'',"
	    "'type':'card_error'}}"), 402, &e), 0);
	CU_ASSERT_EQUAL(e.status, 402);
	CU_ASSERT_STRING_EQUAL(e.type, "card_error");
	CU_ASSERT_STRING_EQUAL(e.code, "card_declined");
	CU_ASSERT_STRING_EQUAL(e.decline_code, "insufficient_funds");
	CU_ASSERT_STRING_EQUAL(e.message, "Your card has insufficient funds.");
	CU_ASSERT_EQUAL(pay_stripe_parse_error(S("Bad Gateway"), 502, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.message, "HTTP 502");
	CU_ASSERT_STRING_EQUAL(e.type, "");
	CU_ASSERT_EQUAL(pay_stripe_parse_error(QS("{'message':'x'}"), 400, &e),
	    -1);
}

/* Config pointing at a fake server on port. */
static void
stripe_cfg(struct pay_stripe_cfg *c, char *base, size_t cap, int port)
{
	snprintf(base, cap, "http://127.0.0.1:%d", port);
	memset(c, 0, sizeof(*c));
	c->api_base = base;
	c->secret_key = "sk_test_51Hfake";
	c->timeout_ms = 5000;
}

static void
t_stripe_checkout_create_wire(void)
{
	struct pay_stripe_cfg cfg;
	struct pay_stripe_obj o;
	struct pay_stripe_error e;
	struct fake f;
	char base[64], answer[2048];
	const char *got, *body;

	snprintf(answer, sizeof(answer), "HTTP/1.1 200 OK\r\nContent-Type: "
	    "application/json\r\nRequest-Id: req_abc\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n%s", strlen(Q(CS_RESP)), Q(CS_RESP));
	CU_ASSERT_FATAL(fake_start(&f, answer) == 0);
	stripe_cfg(&cfg, base, sizeof(base), f.port);
	CU_ASSERT_EQUAL(pay_stripe_checkout_create(&cfg, &co_req,
	    "topup:wal_123:req_1", &o, &e), PAY_STRIPE_OK);
	CU_ASSERT_STRING_EQUAL(o.id, "cs_test_a1B2");
	CU_ASSERT_EQUAL(e.status, 200);
	CU_ASSERT_STRING_EQUAL(e.request_id, "req_abc");
	got = fake_stop(&f, 0);
	CU_ASSERT(starts(got, "POST /v1/checkout/sessions HTTP/1.1\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got,
	    "\r\nAuthorization: Bearer sk_test_51Hfake\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got,
	    "\r\nStripe-Version: 2026-10-28.endive\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got,
	    "\r\nIdempotency-Key: topup:wal_123:req_1\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "\r\nContent-Type: "
	    "application/x-www-form-urlencoded\r\n"));
	body = strstr(got, "\r\n\r\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	CU_ASSERT_STRING_EQUAL(body + 4, co_form);
}

static void
t_stripe_get_wire(void)
{
	struct pay_stripe_cfg cfg;
	struct pay_stripe_obj o;
	struct pay_stripe_error e;
	struct fake f;
	char base[64], answer[1024];
	const char *got;

	snprintf(answer, sizeof(answer), "HTTP/1.1 200 OK\r\nContent-Length: "
	    "%zu\r\nConnection: close\r\n\r\n%s", strlen(Q("{'id':'pi_1',"
	    "'object':'payment_intent','amount':5000,'amount_received':5000,"
	    "'currency':'usd','status':'succeeded'}")), Q("{'id':'pi_1',"
	    "'object':'payment_intent','amount':5000,'amount_received':5000,"
	    "'currency':'usd','status':'succeeded'}"));
	CU_ASSERT_FATAL(fake_start(&f, answer) == 0);
	stripe_cfg(&cfg, base, sizeof(base), f.port);
	CU_ASSERT_EQUAL(pay_stripe_pi_get(&cfg, "pi_1", &o, &e), PAY_STRIPE_OK);
	CU_ASSERT_EQUAL(o.amount_received, 5000);
	got = fake_stop(&f, 0);
	CU_ASSERT(starts(got, "GET /v1/payment_intents/pi_1 HTTP/1.1\r\n"));
	CU_ASSERT_PTR_NULL(strstr(got, "Idempotency-Key"));
}

static void
t_stripe_api_errors(void)
{
	struct pay_stripe_cfg cfg;
	struct pay_stripe_obj o;
	struct pay_stripe_error e;
	struct pay_stripe_pi_req r = { 5000, "cus_1", "pm_1", 1, 1, "wal_1",
	    "ws_1" };
	struct fake f;
	char base[64];

	/* 402 card error: not retryable. */
	CU_ASSERT_FATAL(fake_start(&f, "HTTP/1.1 402 Payment Required\r\n"
	    "Content-Length: 85\r\nConnection: close\r\n\r\n{\"error\":{\"code\":"
	    "\"card_declined\",\"message\":\"Declined.\",\"type\":\"card_error\"}}"
	    "                       ") == 0);
	stripe_cfg(&cfg, base, sizeof(base), f.port);
	CU_ASSERT_EQUAL(pay_stripe_pi_create(&cfg, &r, "ar:wal_1:7", &o, &e),
	    PAY_STRIPE_EAPI);
	CU_ASSERT_EQUAL(e.status, 402);
	CU_ASSERT_STRING_EQUAL(e.type, "card_error");
	CU_ASSERT_STRING_EQUAL(e.message, "Declined.");
	CU_ASSERT_EQUAL(e.retryable, 0);
	fake_stop(&f, 0);
	/* 500: retryable, unless Stripe-Should-Retry: false. */
	CU_ASSERT_FATAL(fake_start(&f, "HTTP/1.1 500 Internal Server Error\r\n"
	    "Content-Length: 2\r\nConnection: close\r\n\r\n{}") == 0);
	stripe_cfg(&cfg, base, sizeof(base), f.port);
	CU_ASSERT_EQUAL(pay_stripe_pi_get(&cfg, "pi_1", &o, &e),
	    PAY_STRIPE_EAPI);
	CU_ASSERT_EQUAL(e.retryable, 1);
	fake_stop(&f, 0);
	CU_ASSERT_FATAL(fake_start(&f, "HTTP/1.1 500 Internal Server Error\r\n"
	    "Stripe-Should-Retry: false\r\nContent-Length: 2\r\n"
	    "Connection: close\r\n\r\n{}") == 0);
	stripe_cfg(&cfg, base, sizeof(base), f.port);
	CU_ASSERT_EQUAL(pay_stripe_pi_get(&cfg, "pi_1", &o, &e),
	    PAY_STRIPE_EAPI);
	CU_ASSERT_EQUAL(e.retryable, 0);
	fake_stop(&f, 0);
	/* 400 with Stripe-Should-Retry: true. */
	CU_ASSERT_FATAL(fake_start(&f, "HTTP/1.1 400 Bad Request\r\n"
	    "Stripe-Should-Retry: true\r\nContent-Length: 2\r\n"
	    "Connection: close\r\n\r\n{}") == 0);
	stripe_cfg(&cfg, base, sizeof(base), f.port);
	CU_ASSERT_EQUAL(pay_stripe_pi_get(&cfg, "pi_1", &o, &e),
	    PAY_STRIPE_EAPI);
	CU_ASSERT_EQUAL(e.retryable, 1);
	fake_stop(&f, 0);
	/* 409 concurrent idempotent duplicate: retryable. */
	CU_ASSERT_FATAL(fake_start(&f, "HTTP/1.1 409 Conflict\r\n"
	    "Content-Length: 2\r\nConnection: close\r\n\r\n{}") == 0);
	stripe_cfg(&cfg, base, sizeof(base), f.port);
	CU_ASSERT_EQUAL(pay_stripe_pi_create(&cfg, &r, "ar:wal_1:7", &o, &e),
	    PAY_STRIPE_EAPI);
	CU_ASSERT_EQUAL(e.retryable, 1);
	fake_stop(&f, 0);
	/* 200 with a body that is not a Stripe object. */
	CU_ASSERT_FATAL(fake_start(&f, "HTTP/1.1 200 OK\r\n"
	    "Content-Length: 2\r\nConnection: close\r\n\r\n[]") == 0);
	stripe_cfg(&cfg, base, sizeof(base), f.port);
	CU_ASSERT_EQUAL(pay_stripe_pi_get(&cfg, "pi_1", &o, &e),
	    PAY_STRIPE_EPARSE);
	fake_stop(&f, 0);
}

static void
t_stripe_client_invalid(void)
{
	struct pay_stripe_cfg cfg;
	struct pay_stripe_obj o;
	struct pay_stripe_error e;
	struct pay_stripe_checkout_req r = co_req;
	char base[64], longkey[300];
	int port = closed_port();

	CU_ASSERT_FATAL(port > 0);
	stripe_cfg(&cfg, base, sizeof(base), port);
	/* Nothing listens: never sent, retryable. */
	CU_ASSERT_EQUAL(pay_stripe_checkout_create(&cfg, &r, "k1", &o, &e),
	    PAY_STRIPE_NOT_SENT);
	CU_ASSERT_EQUAL(e.retryable, 1);
	/* Path injection in an id. */
	CU_ASSERT_EQUAL(pay_stripe_checkout_get(&cfg, "cs_1/../../v1/charges",
	    &o, &e), PAY_STRIPE_EINVAL);
	CU_ASSERT_EQUAL(pay_stripe_checkout_get(&cfg, "", &o, &e),
	    PAY_STRIPE_EINVAL);
	/* Idempotency key required, ≤ 255, printable without spaces. */
	CU_ASSERT_EQUAL(pay_stripe_checkout_create(&cfg, &r, NULL, &o, &e),
	    PAY_STRIPE_EINVAL);
	CU_ASSERT_EQUAL(pay_stripe_checkout_create(&cfg, &r, "a b", &o, &e),
	    PAY_STRIPE_EINVAL);
	CU_ASSERT_EQUAL(pay_stripe_checkout_create(&cfg, &r, "a\r\nX: y", &o,
	    &e), PAY_STRIPE_EINVAL);
	memset(longkey, 'k', 256);
	longkey[256] = '\0';
	CU_ASSERT_EQUAL(pay_stripe_checkout_create(&cfg, &r, longkey, &o, &e),
	    PAY_STRIPE_EINVAL);
	/* Invalid body: nothing sent. */
	r.amount_cents = 1;
	CU_ASSERT_EQUAL(pay_stripe_checkout_create(&cfg, &r, "k1", &o, &e),
	    PAY_STRIPE_EINVAL);
	/* No secret key configured. */
	r = co_req;
	cfg.secret_key = NULL;
	CU_ASSERT_EQUAL(pay_stripe_checkout_create(&cfg, &r, "k1", &o, &e),
	    PAY_STRIPE_ECONFIG);
	/* Config keys, overridden by the environment (MG_STRIPE_…). */
	setenv("MG_STRIPE_API_BASE", "http://stripe.test:12111", 1);
	setenv("MG_STRIPE_SECRET_KEY", "sk_test_env", 1);
	pay_stripe_cfg_load(&cfg);
	CU_ASSERT_STRING_EQUAL(cfg.api_base, "http://stripe.test:12111");
	CU_ASSERT_STRING_EQUAL(cfg.secret_key, "sk_test_env");
	unsetenv("MG_STRIPE_API_BASE");
	unsetenv("MG_STRIPE_SECRET_KEY");
}

static const struct mgt_case stripe_cases[] = {
	{ "form_encoder_brackets_percent", t_form_encoder },
	{ "checkout_form", t_stripe_checkout_form },
	{ "checkout_form_invalid", t_stripe_checkout_form_invalid },
	{ "pi_and_customer_form", t_stripe_pi_and_customer_form },
	{ "parse_session", t_stripe_parse_session },
	{ "parse_payment_intent_customer", t_stripe_parse_pi },
	{ "parse_obj_negative", t_stripe_parse_obj_negative },
	{ "parse_error", t_stripe_parse_error },
	{ "checkout_create_on_the_wire", t_stripe_checkout_create_wire },
	{ "pi_get_on_the_wire", t_stripe_get_wire },
	{ "api_errors_and_retry_rule", t_stripe_api_errors },
	{ "client_invalid_and_not_sent", t_stripe_client_invalid },
	{ NULL, NULL }
};

/* ---- §4 Coinbase Commerce client ---------------------------------------- */

static const struct pay_coinbase_charge_req cb_req = {
	.amount_micros = 25000000,
	.name = "mediagate credit",
	.description = "USD 25 \"top-up\"",
	.redirect_url = "https://app.example/ok",
	.cancel_url = "https://app.example/cancel",
	.wallet_id = "wal_123",
	.workspace_id = "ws_9",
};

static void
t_cb_charge_body(void)
{
	struct pay_coinbase_charge_req r = cb_req;
	struct mg_buf b;

	mg_buf_init(&b, NULL);
	CU_ASSERT_EQUAL(pay_coinbase_charge_body(&r, &b), 0);
	CU_ASSERT_STRING_EQUAL(b.data, Q("{'name':'mediagate credit',"
	    "'description':'USD 25 \\'top-up\\'','pricing_type':'fixed_price',"
	    "'local_price':{'amount':'25.00','currency':'USD'},'metadata':"
	    "{'wallet_id':'wal_123','workspace_id':'ws_9'},'redirect_url':"
	    "'https://app.example/ok','cancel_url':'https://app.example/cancel'}"));
	mg_buf_free(&b);
	/* Sub-cent amounts keep their digits, no floating point. */
	r.amount_micros = 12500;
	r.description = r.redirect_url = r.cancel_url = NULL;
	mg_buf_init(&b, NULL);
	CU_ASSERT_EQUAL(pay_coinbase_charge_body(&r, &b), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "\"amount\":\"0.0125\""));
	CU_ASSERT_PTR_NULL(strstr(b.data, "redirect_url"));
	mg_buf_free(&b);
}

static void
t_cb_charge_body_invalid(void)
{
	struct pay_coinbase_charge_req r;
	struct mg_buf b;

	mg_buf_init(&b, NULL);
	r = cb_req; r.amount_micros = 0;
	CU_ASSERT_EQUAL(pay_coinbase_charge_body(&r, &b), -1);
	r = cb_req; r.amount_micros = -5;
	CU_ASSERT_EQUAL(pay_coinbase_charge_body(&r, &b), -1);
	r = cb_req; r.amount_micros = PAY_COINBASE_MAX_MICROS + 1;
	CU_ASSERT_EQUAL(pay_coinbase_charge_body(&r, &b), -1);
	r = cb_req; r.wallet_id = NULL;
	CU_ASSERT_EQUAL(pay_coinbase_charge_body(&r, &b), -1);
	r = cb_req; r.name = "";
	CU_ASSERT_EQUAL(pay_coinbase_charge_body(&r, &b), -1);
	mg_buf_free(&b);
}

#define CB_RESP "{'data':" CB_CHARGE(CB_PRICE("25.00", "USD"), \
	"{'wallet_id':'wal_123','workspace_id':'ws_9'}") "}"

static void
t_cb_parse_charge(void)
{
	struct pay_coinbase_charge c;

	CU_ASSERT_EQUAL_FATAL(pay_coinbase_parse_charge(QS(CB_RESP), &c),
	    PAY_COINBASE_OK);
	CU_ASSERT_STRING_EQUAL(c.id, "8d7e6f5a-4b3c-4d2e-9f1a-0b1c2d3e4f5a");
	CU_ASSERT_STRING_EQUAL(c.code, "66BEOV2A");
	CU_ASSERT_STRING_EQUAL(c.hosted_url,
	    "https://commerce.coinbase.com/charges/66BEOV2A");
	CU_ASSERT_EQUAL(c.amount_micros, 25000000);
	CU_ASSERT_STRING_EQUAL(c.currency, "USD");
	CU_ASSERT_STRING_EQUAL(c.status, "COMPLETED");
	CU_ASSERT_STRING_EQUAL(c.wallet_id, "wal_123");
	CU_ASSERT_STRING_EQUAL(c.expires_at, "2026-11-23T12:58:00Z");
}

static void
t_cb_parse_charge_negative(void)
{
	struct pay_coinbase_charge c;
	struct pay_coinbase_error e;

	CU_ASSERT_EQUAL(pay_coinbase_parse_charge(QS("{'data':" CB_CHARGE(
	    CB_PRICE("25.00", "EUR"), "{}") "}"), &c), PAY_COINBASE_ECURRENCY);
	CU_ASSERT_EQUAL(pay_coinbase_parse_charge(QS("{'data':" CB_CHARGE(
	    CB_PRICE("twenty", "USD"), "{}") "}"), &c), PAY_COINBASE_EPARSE);
	CU_ASSERT_EQUAL(pay_coinbase_parse_charge(QS("{'data':{'id':'x'}}"),
	    &c), PAY_COINBASE_EPARSE);
	CU_ASSERT_EQUAL(pay_coinbase_parse_charge(QS(CB_CHARGE(
	    CB_PRICE("25.00", "USD"), "{}")), &c), PAY_COINBASE_EPARSE);
	CU_ASSERT_EQUAL(pay_coinbase_parse_charge(QS("{'data':{'id':'x',"
	    "'code':'C','timeline':{}}}"), &c), PAY_COINBASE_EPARSE);
	CU_ASSERT_EQUAL(pay_coinbase_parse_error(QS("{'error':{'type':"
	    "'not_found','message':'Not found'}}"), 404, &e), 0);
	CU_ASSERT_STRING_EQUAL(e.type, "not_found");
	CU_ASSERT_STRING_EQUAL(e.message, "Not found");
	CU_ASSERT_EQUAL(pay_coinbase_parse_error(S("oops"), 500, &e), -1);
	CU_ASSERT_STRING_EQUAL(e.message, "HTTP 500");
}

static void
t_cb_create_wire(void)
{
	struct pay_coinbase_cfg cfg;
	struct pay_coinbase_charge c;
	struct pay_coinbase_error e;
	struct fake f;
	char base[64], answer[4096];
	const char *got, *body;
	struct mg_buf want;

	snprintf(answer, sizeof(answer), "HTTP/1.1 201 Created\r\nContent-Type: "
	    "application/json\r\nContent-Length: %zu\r\nConnection: close\r\n"
	    "\r\n%s", strlen(Q(CB_RESP)), Q(CB_RESP));
	CU_ASSERT_FATAL(fake_start(&f, answer) == 0);
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", f.port);
	memset(&cfg, 0, sizeof(cfg));
	cfg.api_base = base;
	cfg.api_key = "cb_key_fake";
	CU_ASSERT_EQUAL(pay_coinbase_charge_create(&cfg, &cb_req, &c, &e),
	    PAY_COINBASE_OK);
	CU_ASSERT_STRING_EQUAL(c.code, "66BEOV2A");
	CU_ASSERT_EQUAL(e.status, 201);
	got = fake_stop(&f, 0);
	CU_ASSERT(starts(got, "POST /charges HTTP/1.1\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "\r\nX-CC-Api-Key: cb_key_fake\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "\r\nX-CC-Version: 2018-03-22\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got,
	    "\r\nContent-Type: application/json\r\n"));
	body = strstr(got, "\r\n\r\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	mg_buf_init(&want, NULL);
	pay_coinbase_charge_body(&cb_req, &want);
	CU_ASSERT_STRING_EQUAL(body + 4, want.data);
	mg_buf_free(&want);
}

#define CB_404	"{'error':{'type':'not_found','message':'Charge not found'}}\n"

static void
t_cb_get_wire_and_errors(void)
{
	struct pay_coinbase_cfg cfg;
	struct pay_coinbase_charge c;
	struct pay_coinbase_error e;
	struct fake f;
	char base[64], answer[512];

	snprintf(answer, sizeof(answer), "HTTP/1.1 404 Not Found\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
	    strlen(Q(CB_404)), Q(CB_404));
	CU_ASSERT_FATAL(fake_start(&f, answer) == 0);
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", f.port);
	memset(&cfg, 0, sizeof(cfg));
	cfg.api_base = base;
	cfg.api_key = "cb_key_fake";
	CU_ASSERT_EQUAL(pay_coinbase_charge_get(&cfg, "66BEOV2A", &c, &e),
	    PAY_COINBASE_EAPI);
	CU_ASSERT_EQUAL(e.status, 404);
	CU_ASSERT_STRING_EQUAL(e.type, "not_found");
	CU_ASSERT_EQUAL(e.retryable, 0);
	CU_ASSERT(starts(fake_stop(&f, 0), "GET /charges/66BEOV2A HTTP/1.1\r\n"));
	/* Path injection and empty references. */
	CU_ASSERT_EQUAL(pay_coinbase_charge_get(&cfg, "../admin", &c, &e),
	    PAY_COINBASE_EINVAL);
	CU_ASSERT_EQUAL(pay_coinbase_charge_get(&cfg, "", &c, &e),
	    PAY_COINBASE_EINVAL);
	/* No key. */
	cfg.api_key = NULL;
	CU_ASSERT_EQUAL(pay_coinbase_charge_get(&cfg, "66BEOV2A", &c, &e),
	    PAY_COINBASE_ECONFIG);
	/* Nothing listening: never sent. */
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", closed_port());
	cfg.api_key = "cb_key_fake";
	CU_ASSERT_EQUAL(pay_coinbase_charge_create(&cfg, &cb_req, &c, &e),
	    PAY_COINBASE_NOT_SENT);
	CU_ASSERT_EQUAL(e.retryable, 1);
}

static const struct mgt_case coinbase_cases[] = {
	{ "charge_body", t_cb_charge_body },
	{ "charge_body_invalid", t_cb_charge_body_invalid },
	{ "parse_charge", t_cb_parse_charge },
	{ "parse_charge_and_error_negative", t_cb_parse_charge_negative },
	{ "charge_create_on_the_wire", t_cb_create_wire },
	{ "charge_get_on_the_wire_and_errors", t_cb_get_wire_and_errors },
	{ NULL, NULL }
};

/* ---- §5 x402 ------------------------------------------------------------ */

#define X_PAYTO	"0x209693Bc6afc0C5328bA36FaF03C514EF312287C"
#define X_ASSET	"0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"

static void
x_cfg(struct pay_x402_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->network = "eip155:8453";
	c->asset = X_ASSET;
	c->asset_name = "USD Coin";
	c->asset_version = "2";
	c->pay_to = X_PAYTO;
	c->max_timeout_s = 60;
	c->timeout_ms = 5000;
}

static const struct pay_x402_offer x_offer = {
	.url = "https://gw.example/api/v1/images",
	.description = "Image generation",
	.mime_type = "application/json",
	.amount_micros = 40000,		/* USD 0.04 = 40000 USDC units */
	.error = "PAYMENT-SIGNATURE header is required",
};

/* base64 of a single-quoted JSON template into a static buffer. */
static const char *
b64q(const char *tmpl)
{
	static char out[8192];
	const char *j = Q(tmpl);

	mg_b64((const unsigned char *)j, strlen(j), out, sizeof(out));
	return out;
}

/* Decode base64 s into a static NUL-terminated string ("" on error). */
static const char *
unb64(const char *s)
{
	static char out[8192];
	int n = mg_unb64(s, strlen(s), 1, (unsigned char *)out,
	    sizeof(out) - 1);

	out[n < 0 ? 0 : n] = '\0';
	return out;
}

#define X_ACCEPTED(amount, scheme, network, asset, payto) \
	"'accepted':{'scheme':'" scheme "','network':'" network "'," \
	"'amount':" amount ",'asset':'" asset "','payTo':'" payto "'," \
	"'maxTimeoutSeconds':60,'extra':{'name':'USD Coin','version':'2'}}"
#define X_PAYLOAD \
	"'payload':{'signature':'0x2d6a7588d6acca505cbf0d9a4a227e0c52c6c34008c8e8986a1283259764173608a2ce6496642e377d6da8dbbf5836e9bd15092f9ecab05ded3d6293af148b571c'," \
	"'authorization':{'from':'0x857b06519E91e3A54538791bDbb0E22373e36b66'," \
	"'to':'" X_PAYTO "','value':'40000','validAfter':'1740672089'," \
	"'validBefore':'1740672154','nonce':" \
	"'0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480'}}"
#define X_GOOD	"{'x402Version':2,'resource':{'url':'https://gw.example/api/v1/images'}," \
	X_ACCEPTED("'40000'", "exact", "eip155:8453", X_ASSET, X_PAYTO) "," \
	X_PAYLOAD "}"

static void
t_x402_required_header(void)
{
	struct pay_x402_cfg c;
	struct mg_buf b;

	x_cfg(&c);
	mg_buf_init(&b, NULL);
	CU_ASSERT_EQUAL_FATAL(pay_x402_required_header(&c, &x_offer, &b), 0);
	CU_ASSERT_STRING_EQUAL(unb64(b.data), Q("{'x402Version':2,"
	    "'error':'PAYMENT-SIGNATURE header is required','resource':{'url':"
	    "'https://gw.example/api/v1/images','description':"
	    "'Image generation','mimeType':'application/json'},'accepts':[{"
	    "'scheme':'exact','network':'eip155:8453','amount':'40000',"
	    "'asset':'" X_ASSET "','payTo':'" X_PAYTO "','maxTimeoutSeconds':60,"
	    "'extra':{'name':'USD Coin','version':'2'}}]}"));
	mg_buf_free(&b);
	/* No payTo configured, or no price: refused. */
	c.pay_to = NULL;
	mg_buf_init(&b, NULL);
	CU_ASSERT_EQUAL(pay_x402_required_header(&c, &x_offer, &b), -1);
	x_cfg(&c);
	{
		struct pay_x402_offer o = x_offer;

		o.amount_micros = 0;
		CU_ASSERT_EQUAL(pay_x402_required_header(&c, &o, &b), -1);
	}
	mg_buf_free(&b);
}

static void
t_x402_decode_and_match(void)
{
	struct pay_x402_cfg c;
	struct pay_x402_payment p;
	const char *h = b64q(X_GOOD);

	x_cfg(&c);
	CU_ASSERT_EQUAL_FATAL(pay_x402_decode_payment(h, strlen(h), &p),
	    PAY_X402_OK);
	CU_ASSERT_EQUAL(p.version, 2);
	CU_ASSERT_STRING_EQUAL(p.scheme, "exact");
	CU_ASSERT_STRING_EQUAL(p.network, "eip155:8453");
	CU_ASSERT_EQUAL(p.amount, 40000);
	CU_ASSERT_STRING_EQUAL(p.payer, "0x857b06519E91e3A54538791bDbb0E22373e36b66");
	CU_ASSERT_STRING_EQUAL(p.nonce, "0xf3746613c2d920b5fdabc0856f2aeb2d4f88ee6037b8cc5d04a71a4462f13480");
	CU_ASSERT_STRING_EQUAL(p.json, Q(X_GOOD));
	CU_ASSERT_EQUAL(pay_x402_match(&c, &x_offer, &p), PAY_X402_OK);
	/* Address case does not matter. */
	c.pay_to = "0x209693bc6afc0c5328ba36faf03c514ef312287c";
	CU_ASSERT_EQUAL(pay_x402_match(&c, &x_offer, &p), PAY_X402_OK);
	pay_x402_payment_free(&p);
}

/* Decode tmpl (single-quoted JSON) then match: the combined verdict. */
static int
x_check(const char *tmpl)
{
	struct pay_x402_cfg c;
	struct pay_x402_payment p;
	const char *h = b64q(tmpl);
	int rc;

	x_cfg(&c);
	if ((rc = pay_x402_decode_payment(h, strlen(h), &p)) != PAY_X402_OK)
		return rc;
	rc = pay_x402_match(&c, &x_offer, &p);
	pay_x402_payment_free(&p);
	return rc;
}

static void
t_x402_mismatches(void)
{
	CU_ASSERT_EQUAL(x_check("{'x402Version':2," X_ACCEPTED("'39999'",
	    "exact", "eip155:8453", X_ASSET, X_PAYTO) "," X_PAYLOAD "}"),
	    PAY_X402_EAMOUNT);
	CU_ASSERT_EQUAL(x_check("{'x402Version':2," X_ACCEPTED("'400000'",
	    "exact", "eip155:8453", X_ASSET, X_PAYTO) "," X_PAYLOAD "}"),
	    PAY_X402_EAMOUNT);
	CU_ASSERT_EQUAL(x_check("{'x402Version':2," X_ACCEPTED("'0.04'",
	    "exact", "eip155:8453", X_ASSET, X_PAYTO) "," X_PAYLOAD "}"),
	    PAY_X402_EAMOUNT);
	CU_ASSERT_EQUAL(x_check("{'x402Version':2," X_ACCEPTED("'40000'",
	    "upto", "eip155:8453", X_ASSET, X_PAYTO) "," X_PAYLOAD "}"),
	    PAY_X402_ESCHEME);
	CU_ASSERT_EQUAL(x_check("{'x402Version':2," X_ACCEPTED("'40000'",
	    "exact", "eip155:84532", X_ASSET, X_PAYTO) "," X_PAYLOAD "}"),
	    PAY_X402_ENETWORK);
	CU_ASSERT_EQUAL(x_check("{'x402Version':2," X_ACCEPTED("'40000'",
	    "exact", "eip155:8453", "0x036CbD53842c5426634e7929541eC2318f3dCF7e",
	    X_PAYTO) "," X_PAYLOAD "}"), PAY_X402_EASSET);
	CU_ASSERT_EQUAL(x_check("{'x402Version':2," X_ACCEPTED("'40000'",
	    "exact", "eip155:8453", X_ASSET,
	    "0x0000000000000000000000000000000000000001") "," X_PAYLOAD "}"),
	    PAY_X402_EPAYTO);
}

static void
t_x402_decode_negative(void)
{
	struct pay_x402_payment p;
	char *big;
	const char *h;

	/* Malformed base64. */
	CU_ASSERT_EQUAL(pay_x402_decode_payment(S("!!!not-base64!!!"), &p),
	    PAY_X402_EBASE64);
	CU_ASSERT_EQUAL(pay_x402_decode_payment(S("eyJ4"), &p),
	    PAY_X402_EJSON);	/* valid base64 of "{\"x" */
	CU_ASSERT_EQUAL(pay_x402_decode_payment(S("eyJ4NDAyVmVyc2lvbiI6Mn0"),
	    &p), PAY_X402_EBASE64);	/* padding missing */
	CU_ASSERT_EQUAL(pay_x402_decode_payment(S("eyJ4 NDAy"), &p),
	    PAY_X402_EBASE64);
	CU_ASSERT_EQUAL(pay_x402_decode_payment("", 0, &p), PAY_X402_EBASE64);
	/* Malformed JSON. */
	h = b64q("not json");
	CU_ASSERT_EQUAL(pay_x402_decode_payment(h, strlen(h), &p),
	    PAY_X402_EJSON);
	h = b64q("[1,2,3]");
	CU_ASSERT_EQUAL(pay_x402_decode_payment(h, strlen(h), &p),
	    PAY_X402_EJSON);
	h = b64q("{'x402Version':2,'accepted':{'a':{'b':{'c':{'d':{'e':{'f':"
	    "{'g':{'h':{}}}}}}}}},'payload':{}}");
	CU_ASSERT_EQUAL(pay_x402_decode_payment(h, strlen(h), &p),
	    PAY_X402_EJSON);
	/* Wrong version (v1 shape) and mistyped version. */
	h = b64q("{'x402Version':1,'scheme':'exact','network':'base',"
	    X_PAYLOAD "}");
	CU_ASSERT_EQUAL(pay_x402_decode_payment(h, strlen(h), &p),
	    PAY_X402_EVERSION);
	h = b64q("{'x402Version':3," X_ACCEPTED("'40000'", "exact",
	    "eip155:8453", X_ASSET, X_PAYTO) "," X_PAYLOAD "}");
	CU_ASSERT_EQUAL(pay_x402_decode_payment(h, strlen(h), &p),
	    PAY_X402_EVERSION);
	h = b64q("{'x402Version':'2'," X_ACCEPTED("'40000'", "exact",
	    "eip155:8453", X_ASSET, X_PAYTO) "," X_PAYLOAD "}");
	CU_ASSERT_EQUAL(pay_x402_decode_payment(h, strlen(h), &p),
	    PAY_X402_EJSON);
	/* Missing parts and wrong types. */
	h = b64q("{'x402Version':2," X_PAYLOAD "}");
	CU_ASSERT_EQUAL(pay_x402_decode_payment(h, strlen(h), &p),
	    PAY_X402_EJSON);
	h = b64q("{'x402Version':2," X_ACCEPTED("'40000'", "exact",
	    "eip155:8453", X_ASSET, X_PAYTO) "}");
	CU_ASSERT_EQUAL(pay_x402_decode_payment(h, strlen(h), &p),
	    PAY_X402_EJSON);
	h = b64q("{'x402Version':2," X_ACCEPTED("40000", "exact",
	    "eip155:8453", X_ASSET, X_PAYTO) "," X_PAYLOAD "}");
	CU_ASSERT_EQUAL(pay_x402_decode_payment(h, strlen(h), &p),
	    PAY_X402_EJSON);
	/* Too large, refused before decoding. */
	big = malloc(PAY_X402_HEADER_MAX + 5);
	CU_ASSERT_FATAL(big != NULL);
	memset(big, 'A', PAY_X402_HEADER_MAX + 4);
	big[PAY_X402_HEADER_MAX + 4] = '\0';
	CU_ASSERT_EQUAL(pay_x402_decode_payment(big, PAY_X402_HEADER_MAX + 4,
	    &p), PAY_X402_ETOOBIG);
	free(big);
}

static void
t_x402_facilitator_body(void)
{
	struct pay_x402_cfg c;
	struct pay_x402_payment p;
	struct mg_buf b, req;
	const char *h;

	x_cfg(&c);
	/* The client claims a lower amount: we still send OUR requirements. */
	h = b64q("{'x402Version':2," X_ACCEPTED("'1'", "exact", "eip155:8453",
	    X_ASSET, X_PAYTO) "," X_PAYLOAD "}");
	CU_ASSERT_EQUAL_FATAL(pay_x402_decode_payment(h, strlen(h), &p),
	    PAY_X402_OK);
	mg_buf_init(&b, NULL);
	mg_buf_init(&req, NULL);
	CU_ASSERT_EQUAL(pay_x402_facilitator_body(&c, &x_offer, &p, &b), 0);
	CU_ASSERT_EQUAL(pay_x402_requirements_json(&c, &x_offer, &req), 0);
	CU_ASSERT(starts(b.data, "{\"x402Version\":2,\"paymentPayload\":{"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, p.json));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, req.data));
	CU_ASSERT_PTR_NOT_NULL(strstr(req.data, "\"amount\":\"40000\""));
	mg_buf_free(&b);
	mg_buf_free(&req);
	pay_x402_payment_free(&p);
}

static void
t_x402_parse_verify_settle(void)
{
	struct pay_x402_verify v;
	struct pay_x402_settle s;

	CU_ASSERT_EQUAL(pay_x402_parse_verify(QS("{'isValid':true,'payer':"
	    "'0x857b06519E91e3A54538791bDbb0E22373e36b66'}"), &v), PAY_X402_OK);
	CU_ASSERT_EQUAL(v.is_valid, 1);
	CU_ASSERT_STRING_EQUAL(v.payer,
	    "0x857b06519E91e3A54538791bDbb0E22373e36b66");
	CU_ASSERT_EQUAL(pay_x402_parse_verify(QS("{'isValid':false,"
	    "'invalidReason':'insufficient_funds','payer':'0xabc'}"), &v),
	    PAY_X402_OK);
	CU_ASSERT_EQUAL(v.is_valid, 0);
	CU_ASSERT_STRING_EQUAL(v.invalid_reason, "insufficient_funds");
	CU_ASSERT_EQUAL(pay_x402_parse_verify(QS("{'payer':'0xabc'}"), &v),
	    PAY_X402_EPARSE);
	CU_ASSERT_EQUAL(pay_x402_parse_verify(QS("{'isValid':'true'}"), &v),
	    PAY_X402_EPARSE);
	CU_ASSERT_EQUAL(pay_x402_parse_verify(S("<html>"), &v),
	    PAY_X402_EPARSE);

	CU_ASSERT_EQUAL(pay_x402_parse_settle(QS("{'success':true,'payer':"
	    "'0xabc','transaction':'0x6f1c1e0c7c8f3b3a','network':"
	    "'eip155:8453'}"), &s), PAY_X402_OK);
	CU_ASSERT_EQUAL(s.success, 1);
	CU_ASSERT_STRING_EQUAL(s.transaction, "0x6f1c1e0c7c8f3b3a");
	CU_ASSERT_STRING_EQUAL(s.network, "eip155:8453");
	CU_ASSERT_EQUAL(pay_x402_parse_settle(QS("{'success':false,"
	    "'errorReason':'invalid_exact_evm_payload_signature','transaction':"
	    "'','network':'eip155:8453'}"), &s), PAY_X402_OK);
	CU_ASSERT_EQUAL(s.success, 0);
	CU_ASSERT_STRING_EQUAL(s.error_reason,
	    "invalid_exact_evm_payload_signature");
	/* Success without a transaction cannot be credited once. */
	CU_ASSERT_EQUAL(pay_x402_parse_settle(QS("{'success':true,"
	    "'network':'eip155:8453'}"), &s), PAY_X402_EPARSE);
	CU_ASSERT_EQUAL(pay_x402_parse_settle(QS("{'success':1,"
	    "'transaction':'0x1'}"), &s), PAY_X402_EPARSE);
}

static void
t_x402_response_header(void)
{
	struct pay_x402_settle s;
	struct mg_buf b;

	memset(&s, 0, sizeof(s));
	s.success = 1;
	snprintf(s.payer, sizeof(s.payer), "0xabc");
	snprintf(s.transaction, sizeof(s.transaction), "0x6f1c");
	snprintf(s.network, sizeof(s.network), "eip155:8453");
	mg_buf_init(&b, NULL);
	CU_ASSERT_EQUAL(pay_x402_response_header(&s, &b), 0);
	CU_ASSERT_STRING_EQUAL(unb64(b.data), Q("{'success':true,'payer':"
	    "'0xabc','transaction':'0x6f1c','network':'eip155:8453'}"));
	mg_buf_free(&b);
	s.success = 0;
	snprintf(s.error_reason, sizeof(s.error_reason), "expired");
	s.payer[0] = s.transaction[0] = '\0';
	mg_buf_init(&b, NULL);
	CU_ASSERT_EQUAL(pay_x402_response_header(&s, &b), 0);
	CU_ASSERT_STRING_EQUAL(unb64(b.data), Q("{'success':false,"
	    "'errorReason':'expired','transaction':'','network':'eip155:8453'}"));
	mg_buf_free(&b);
}

static void
t_x402_facilitator_wire(void)
{
	struct pay_x402_cfg c;
	struct pay_x402_payment p;
	struct pay_x402_verify v;
	struct pay_x402_settle s;
	struct fake f;
	char url[96], answer[1024];
	const char *h = b64q(X_GOOD), *got;
	long status;

	x_cfg(&c);
	CU_ASSERT_EQUAL_FATAL(pay_x402_decode_payment(h, strlen(h), &p),
	    PAY_X402_OK);
	/* /verify: a 400 that carries a verdict is a verdict. */
	snprintf(answer, sizeof(answer), "HTTP/1.1 400 Bad Request\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
	    strlen(Q("{'isValid':false,'invalidReason':'insufficient_funds'}")),
	    Q("{'isValid':false,'invalidReason':'insufficient_funds'}"));
	CU_ASSERT_FATAL(fake_start(&f, answer) == 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/facilitator/", f.port);
	c.facilitator_url = url;
	c.facilitator_token = "fac_tok";
	CU_ASSERT_EQUAL(pay_x402_verify(&c, &x_offer, &p, &v, &status),
	    PAY_X402_OK);
	CU_ASSERT_EQUAL(status, 400);
	CU_ASSERT_EQUAL(v.is_valid, 0);
	CU_ASSERT_STRING_EQUAL(v.invalid_reason, "insufficient_funds");
	got = fake_stop(&f, 0);
	CU_ASSERT(starts(got, "POST /facilitator/verify HTTP/1.1\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "\r\nAuthorization: Bearer fac_tok\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "\"paymentRequirements\":{"));
	/* /settle success. */
	snprintf(answer, sizeof(answer), "HTTP/1.1 200 OK\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
	    strlen(Q("{'success':true,'transaction':'0xabc','network':"
	    "'eip155:8453','payer':'0x857b'}")), Q("{'success':true,"
	    "'transaction':'0xabc','network':'eip155:8453','payer':'0x857b'}"));
	CU_ASSERT_FATAL(fake_start(&f, answer) == 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", f.port);
	c.facilitator_token = NULL;
	CU_ASSERT_EQUAL(pay_x402_settle(&c, &x_offer, &p, &s, &status),
	    PAY_X402_OK);
	CU_ASSERT_EQUAL(s.success, 1);
	CU_ASSERT_STRING_EQUAL(s.transaction, "0xabc");
	got = fake_stop(&f, 0);
	CU_ASSERT(starts(got, "POST /settle HTTP/1.1\r\n"));
	CU_ASSERT_PTR_NULL(strstr(got, "Authorization"));
	/* 502 without a verdict. */
	CU_ASSERT_FATAL(fake_start(&f, "HTTP/1.1 502 Bad Gateway\r\n"
	    "Content-Length: 3\r\nConnection: close\r\n\r\nbad") == 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", f.port);
	CU_ASSERT_EQUAL(pay_x402_settle(&c, &x_offer, &p, &s, &status),
	    PAY_X402_EAPI);
	CU_ASSERT_EQUAL(status, 502);
	fake_stop(&f, 0);
	/* Not sent; not configured. */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", closed_port());
	CU_ASSERT_EQUAL(pay_x402_verify(&c, &x_offer, &p, &v, NULL),
	    PAY_X402_NOT_SENT);
	c.facilitator_url = NULL;
	CU_ASSERT_EQUAL(pay_x402_verify(&c, &x_offer, &p, &v, NULL),
	    PAY_X402_ECONFIG);
	pay_x402_payment_free(&p);
}

static const struct mgt_case x402_cases[] = {
	{ "required_header", t_x402_required_header },
	{ "decode_and_match", t_x402_decode_and_match },
	{ "mismatch_amount_scheme_network_asset_payto", t_x402_mismatches },
	{ "decode_malformed_base64_json_version_size", t_x402_decode_negative },
	{ "facilitator_body_uses_our_requirements", t_x402_facilitator_body },
	{ "parse_verify_settle", t_x402_parse_verify_settle },
	{ "response_header", t_x402_response_header },
	{ "facilitator_on_the_wire", t_x402_facilitator_wire },
	{ NULL, NULL }
};

/* @@MORE_SUITES@@ */

static int
suite_init(void)
{
	static int done;

	if (done++)
		return 0;
	return mg_crypto_init() == 0 && mg_http_init() == 0 ? 0 : -1;
}

int
main(void)
{
	mgt_suite("pay_sig", suite_init, NULL, sig_cases);
	mgt_suite("pay_event", suite_init, NULL, event_cases);
	mgt_suite("mg_http", suite_init, NULL, http_cases);
	mgt_suite("pay_stripe", suite_init, NULL, stripe_cases);
	mgt_suite("pay_coinbase", suite_init, NULL, coinbase_cases);
	mgt_suite("pay_x402", suite_init, NULL, x402_cases);
	/* @@MORE_REGISTRATIONS@@ */
	return mgt_run();
}
