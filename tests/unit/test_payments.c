/*
 * Unit tests for the pure parts of modules/wallet/payments.c and the
 * metadata[package] addition to the Stripe wire layer (what a Checkout
 * sold travels in both metadata maps, so a PaymentIntent event that
 * arrives before its session event credits the package's amount).
 */
#include <stdio.h>
#include <string.h>

#include "../lib/mgtest.h"
#include "catalog.h"
#include "mg_buf.h"
#include "pay_event.h"
#include "pay_stripe.h"
#include "payments.h"

static struct catalog	*cat;

static int
load(void)
{
	char err[256];

	return catalog_load_file(CATALOG_DEFAULT_PATH, &cat, err, sizeof(err)) ==
	    CATALOG_OK ? 0 : -1;
}

static int
unload(void)
{
	catalog_free(cat);
	return 0;
}

static void
test_package_price_plain(void)
{
	int64_t price = 0, credit = 0;

	CU_ASSERT_EQUAL(payments_package_price(cat, "usd_20", &price, &credit),
	    0);
	CU_ASSERT_EQUAL(price, 20000000);
	CU_ASSERT_EQUAL(credit, 20000000);
}

static void
test_package_price_bonus(void)
{
	int64_t price = 0, credit = 0;

	CU_ASSERT_EQUAL(payments_package_price(cat, "usd_50", &price, &credit),
	    0);
	CU_ASSERT_EQUAL(price, 50000000);
	CU_ASSERT_EQUAL(credit, 52500000);
}

static void
test_package_price_credit_pack(void)
{
	int64_t price = 0, credit = 0;

	/* studio: 11,000 credits at $0.01 for $100. */
	CU_ASSERT_EQUAL(payments_package_price(cat, "pack:studio", &price,
	    &credit), 0);
	CU_ASSERT_EQUAL(price, 100000000);
	CU_ASSERT_EQUAL(credit, 110000000);
	CU_ASSERT_EQUAL(payments_package_price(cat, "pack:starter", &price,
	    &credit), 0);
	CU_ASSERT_EQUAL(credit, 10000000);
}

static void
test_package_price_rejects_unknown(void)
{
	int64_t price = 7, credit = 7;

	CU_ASSERT_EQUAL(payments_package_price(cat, "usd_999", &price, &credit),
	    -1);
	CU_ASSERT_EQUAL(payments_package_price(cat, "pack:nope", &price,
	    &credit), -1);
	/* A credit pack id is not a package code without the prefix. */
	CU_ASSERT_EQUAL(payments_package_price(cat, "starter", &price, &credit),
	    -1);
	CU_ASSERT_EQUAL(payments_package_price(cat, "", &price, &credit), -1);
	CU_ASSERT_EQUAL(payments_package_price(NULL, "usd_20", &price, &credit),
	    -1);
	CU_ASSERT_EQUAL(price, 7);
	CU_ASSERT_EQUAL(credit, 7);
}

static void
test_strerror_names(void)
{
	int i;

	for (i = 0; i < PAYMENTS__MAX; i++)
		CU_ASSERT_STRING_NOT_EQUAL(payments_strerror(i), "unknown");
	CU_ASSERT_STRING_EQUAL(payments_strerror(PAYMENTS__MAX), "unknown");
	CU_ASSERT_STRING_EQUAL(payments_strerror(-1), "unknown");
	CU_ASSERT_STRING_EQUAL(payments_provider_name(PAYMENTS_STRIPE), "stripe");
	CU_ASSERT_STRING_EQUAL(payments_provider_name(PAYMENTS_COINBASE),
	    "coinbase");
	CU_ASSERT_STRING_EQUAL(payments_provider_name(PAYMENTS_X402), "x402");
}

static void
test_checkout_form_package_both_maps(void)
{
	struct pay_stripe_checkout_req r;
	struct mg_buf b;

	memset(&r, 0, sizeof(r));
	r.amount_cents = 2000;
	r.product_name = "$20 credit";
	r.success_url = "https://x.test/ok";
	r.cancel_url = "https://x.test/no";
	r.wallet_id = r.workspace_id = "ws1";
	r.package = "usd_20";
	mg_buf_init(&b, NULL);
	CU_ASSERT_EQUAL_FATAL(pay_stripe_checkout_form(&r, &b), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "&metadata[package]=usd_20"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data,
	    "payment_intent_data[metadata][package]=usd_20"));
	mg_buf_free(&b);
	/* Without a package, no package key at all. */
	r.package = NULL;
	mg_buf_init(&b, NULL);
	CU_ASSERT_EQUAL_FATAL(pay_stripe_checkout_form(&r, &b), 0);
	CU_ASSERT_PTR_NULL(strstr(b.data, "package"));
	mg_buf_free(&b);
}

#define PI_EVENT(meta) "{\"id\":\"evt_1\",\"object\":\"event\"," \
	"\"type\":\"payment_intent.succeeded\",\"data\":{\"object\":" \
	"{\"id\":\"pi_1\",\"object\":\"payment_intent\",\"amount\":5000," \
	"\"amount_received\":5000,\"currency\":\"usd\",\"status\":" \
	"\"succeeded\",\"metadata\":" meta "}}}"

static void
test_event_package_parsed(void)
{
	static const char ev1[] = PI_EVENT("{\"wallet_id\":\"w\","
	    "\"workspace_id\":\"w\",\"package\":\"usd_50\"}");
	static const char ev2[] = PI_EVENT("{\"wallet_id\":\"w\"}");
	static const char ev3[] = PI_EVENT("{\"wallet_id\":\"w\",\"package\":5}");
	struct pay_stripe_event ev;

	CU_ASSERT_EQUAL_FATAL(pay_stripe_event_parse(ev1, sizeof(ev1) - 1, &ev),
	    PAY_EVT_OK);
	CU_ASSERT_STRING_EQUAL(ev.package, "usd_50");
	CU_ASSERT_STRING_EQUAL(ev.payment_key, "pi_1");
	CU_ASSERT_EQUAL(ev.amount_micros, 50000000);
	CU_ASSERT_EQUAL_FATAL(pay_stripe_event_parse(ev2, sizeof(ev2) - 1, &ev),
	    PAY_EVT_OK);
	CU_ASSERT_STRING_EQUAL(ev.package, "");
	/* A non-string package is a type error, not silently empty. */
	CU_ASSERT_EQUAL(pay_stripe_event_parse(ev3, sizeof(ev3) - 1, &ev),
	    PAY_EVT_ETYPE);
}

static void
test_session_obj_package_parsed(void)
{
	static const char s[] = "{\"id\":\"cs_1\",\"object\":\"checkout.session\","
	    "\"status\":\"complete\",\"payment_status\":\"paid\","
	    "\"amount_total\":2000,\"currency\":\"usd\",\"payment_intent\":"
	    "\"pi_9\",\"metadata\":{\"wallet_id\":\"w\",\"workspace_id\":\"w\","
	    "\"package\":\"usd_20\"}}";
	struct pay_stripe_obj o;

	CU_ASSERT_EQUAL_FATAL(pay_stripe_parse_obj(s, sizeof(s) - 1, &o),
	    PAY_STRIPE_OK);
	CU_ASSERT_STRING_EQUAL(o.package, "usd_20");
	CU_ASSERT_STRING_EQUAL(o.payment_intent, "pi_9");
}

static const struct mgt_case cases[] = {
	{ "package_price_plain", test_package_price_plain },
	{ "package_price_bonus", test_package_price_bonus },
	{ "package_price_credit_pack", test_package_price_credit_pack },
	{ "package_price_rejects_unknown", test_package_price_rejects_unknown },
	{ "strerror_names", test_strerror_names },
	{ "checkout_form_package_both_maps", test_checkout_form_package_both_maps },
	{ "event_package_parsed", test_event_package_parsed },
	{ "session_obj_package_parsed", test_session_obj_package_parsed },
	{ NULL, NULL }
};

int
main(void)
{
	mgt_suite("payments", load, unload, cases);
	return mgt_run();
}
