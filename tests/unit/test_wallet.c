/*
 * Unit tests for the pure parts of the ledger core: idempotency key rules
 * and request hashes, the auto-recharge crossing, the credits split, USD
 * amounts from JSON, and the BYO key box.
 */
#include <string.h>

#include <json-c/json.h>

#include "mgtest.h"
#include "mg_crypto.h"
#include "mg_idem.h"
#include "wallet.h"
#include "wallet_http.h"

static void
test_idem_key_accepts(void)
{
	char k[256];

	CU_ASSERT_EQUAL(mg_idem_key_valid("a", 1), 1);
	CU_ASSERT_EQUAL(mg_idem_key_valid("order 42/retry~1", 16), 1);
	memset(k, 'x', 255);
	k[255] = '\0';
	CU_ASSERT_EQUAL(mg_idem_key_valid(k, 255), 1);
}

static void
test_idem_key_rejects_empty(void)
{
	CU_ASSERT_EQUAL(mg_idem_key_valid("", 0), 0);
	CU_ASSERT_EQUAL(mg_idem_key_valid(NULL, 0), 0);
}

static void
test_idem_key_rejects_256(void)
{
	char k[257];

	memset(k, 'x', 256);
	k[256] = '\0';
	CU_ASSERT_EQUAL(mg_idem_key_valid(k, 256), 0);
}

static void
test_idem_key_rejects_control_and_8bit(void)
{
	CU_ASSERT_EQUAL(mg_idem_key_valid("a\tb", 3), 0);
	CU_ASSERT_EQUAL(mg_idem_key_valid("a\nb", 3), 0);
	CU_ASSERT_EQUAL(mg_idem_key_valid("a\x7f", 2), 0);
	CU_ASSERT_EQUAL(mg_idem_key_valid("caf\xc3\xa9", 5), 0);
}

static void
test_idem_hash(void)
{
	char a[65], b[65], c[65], d[65];

	mg_idem_hash("POST", "/v1/wallet/topup", "{\"amount_usd\": 10}", 18, a);
	mg_idem_hash("POST", "/v1/wallet/topup", "{\"amount_usd\": 10}", 18, b);
	mg_idem_hash("POST", "/v1/wallet/topup", "{\"amount_usd\": 11}", 18, c);
	mg_idem_hash("POST", "/v1/wallet/topupx", "{\"amount_usd\": 10}", 18, d);
	CU_ASSERT_EQUAL(strlen(a), 64);
	CU_ASSERT_STRING_EQUAL(a, b);
	CU_ASSERT_STRING_NOT_EQUAL(a, c);
	CU_ASSERT_STRING_NOT_EQUAL(a, d);
	/* sha256("POST\n/v1/wallet/topup\n{\"amount_usd\": 10}") */
	CU_ASSERT_STRING_EQUAL(a,
	    "9b6cb1b40e47e11338e399dcdf34bf2fec6db75ad0f8a7c5c584739f2ac3a3fa");
	mg_idem_hash("POST", "/x", NULL, 0, c);
	mg_idem_hash("POST", "/x", "", 0, d);
	CU_ASSERT_STRING_EQUAL(c, d);
}

static void
test_below_threshold(void)
{
	CU_ASSERT_EQUAL(wallet_below_threshold(6000000, 0, 5000000), 0);
	CU_ASSERT_EQUAL(wallet_below_threshold(5000000, 0, 5000000), 0);
	CU_ASSERT_EQUAL(wallet_below_threshold(5999999, 1000000, 5000000), 1);
	CU_ASSERT_EQUAL(wallet_below_threshold(-1, 0, 1), 1);
}

static void
test_crossing_key(void)
{
	char b[96], small[8];

	CU_ASSERT_EQUAL(wallet_crossing_key("ws1", 42, b, sizeof(b)), 0);
	CU_ASSERT_STRING_EQUAL(b, "ar:ws1:42");
	CU_ASSERT_EQUAL(wallet_crossing_key("ws1", 0, b, sizeof(b)), 0);
	CU_ASSERT_STRING_EQUAL(b, "ar:ws1:0");
	CU_ASSERT_EQUAL(wallet_crossing_key("ws1", -1, b, sizeof(b)), -1);
	CU_ASSERT_EQUAL(wallet_crossing_key("workspace", 1, small,
	    sizeof(small)), -1);
}

static void
test_credit_split(void)
{
	int64_t sub, top;

	/* $3 granted, $10 bought, $1.25 spent: grants drain first. */
	wallet_credit_split(11750000, 3000000, 1250000, &sub, &top);
	CU_ASSERT_EQUAL(sub, 1750000);
	CU_ASSERT_EQUAL(top, 10000000);
	/* Spent more than the grants: top-up pays the rest. */
	wallet_credit_split(8000000, 3000000, 5000000, &sub, &top);
	CU_ASSERT_EQUAL(sub, 0);
	CU_ASSERT_EQUAL(top, 8000000);
	/* A refund took the balance below the grants left. */
	wallet_credit_split(1000000, 3000000, 0, &sub, &top);
	CU_ASSERT_EQUAL(sub, 1000000);
	CU_ASSERT_EQUAL(top, 0);
	/* Negative wallet: nothing of either. */
	wallet_credit_split(-500000, 3000000, 0, &sub, &top);
	CU_ASSERT_EQUAL(sub, 0);
	CU_ASSERT_EQUAL(top, -500000);
}

static int
usd(const char *json, int64_t lo, int64_t hi, int64_t *out)
{
	json_object *o = json_tokener_parse(json);
	int rc = wallet_json_usd(o, lo, hi, out);

	json_object_put(o);
	return rc;
}

static void
test_json_usd_accepts(void)
{
	int64_t m;

	CU_ASSERT_EQUAL(usd("5", 5000000, 1000000000, &m), 0);
	CU_ASSERT_EQUAL(m, 5000000);
	CU_ASSERT_EQUAL(usd("12.34", 5000000, 1000000000, &m), 0);
	CU_ASSERT_EQUAL(m, 12340000);
	CU_ASSERT_EQUAL(usd("1000", 5000000, 1000000000, &m), 0);
	CU_ASSERT_EQUAL(m, 1000000000);
	/* 0.1 + 0.2 style: the text is used, never a double */
	CU_ASSERT_EQUAL(usd("10.10", 5000000, 1000000000, &m), 0);
	CU_ASSERT_EQUAL(m, 10100000);
}

static void
test_json_usd_rejects_range(void)
{
	int64_t m;

	CU_ASSERT_EQUAL(usd("4.99", 5000000, 1000000000, &m), -1);
	CU_ASSERT_EQUAL(usd("1000.01", 5000000, 1000000000, &m), -1);
	CU_ASSERT_EQUAL(usd("-5", 5000000, 1000000000, &m), -1);
}

static void
test_json_usd_rejects_types(void)
{
	int64_t m;

	CU_ASSERT_EQUAL(usd("\"10\"", 5000000, 1000000000, &m), -1);
	CU_ASSERT_EQUAL(usd("true", 5000000, 1000000000, &m), -1);
	CU_ASSERT_EQUAL(usd("null", 5000000, 1000000000, &m), -1);
	CU_ASSERT_EQUAL(usd("1e1", 5000000, 1000000000, &m), -1);
	CU_ASSERT_EQUAL(usd("10.0000001", 5000000, 1000000000, &m), -1);
}

static void
test_key_box_roundtrip(void)
{
	unsigned char k[32], box[256];
	char out[64];
	size_t n;

	mg_random(k, sizeof(k));
	CU_ASSERT_EQUAL(wallet_key_seal(k, "fal_live_SECRET", box, sizeof(box),
	    &n), 0);
	CU_ASSERT(memmem(box, n, "SECRET", 6) == NULL);
	CU_ASSERT_EQUAL(wallet_key_open(k, box, n, out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "fal_live_SECRET");
}

static void
test_key_box_rejects_tamper_and_wrong_key(void)
{
	unsigned char k[32], k2[32], box[256];
	char out[64];
	size_t n;

	mg_random(k, sizeof(k));
	mg_random(k2, sizeof(k2));
	CU_ASSERT_EQUAL(wallet_key_seal(k, "fal_live_SECRET", box, sizeof(box),
	    &n), 0);
	CU_ASSERT_EQUAL(wallet_key_open(k2, box, n, out, sizeof(out)), -1);
	box[n - 1] ^= 1;
	CU_ASSERT_EQUAL(wallet_key_open(k, box, n, out, sizeof(out)), -1);
	CU_ASSERT_EQUAL(wallet_key_open(k, box, 10, out, sizeof(out)), -1);
	CU_ASSERT_EQUAL(wallet_key_seal(k, "fal_live_SECRET", box, 20, &n), -1);
}

static void
test_wallet_strerror(void)
{
	CU_ASSERT_STRING_EQUAL(wallet_strerror(WALLET_OK), "ok");
	CU_ASSERT_STRING_EQUAL(wallet_strerror(WALLET_NO_HOLD),
	    "no open hold of that job and amount");
	CU_ASSERT_STRING_EQUAL(wallet_strerror(WALLET__MAX), "unknown");
}

/*
 * Credits take grant, topup or adjustment, debits refund, chargeback or
 * adjustment, amounts 1..$1,000,000: anything else is WALLET_BAD_AMOUNT
 * before the database is touched (no connection here: NULL).
 */
static void
test_change_rejects_kind_and_amount(void)
{
	static const struct {
		enum wallet_err	(*fn)(struct db_conn *, const char *,
				    const char *, int64_t, const char *,
				    const char *);
		const char	*kind;
		int64_t		 amount;
	} bad[] = {
		{ wallet_credit, "refund", 1 },
		{ wallet_credit, "hold", 1 },
		{ wallet_credit_tx, "chargeback", 1 },
		{ wallet_debit, "grant", 1 },
		{ wallet_debit_tx, "topup", 1 },
		{ wallet_credit, "grant", 0 },
		{ wallet_debit, "refund", -5 },
		{ wallet_credit, "topup", 1000000LL * 1000000 + 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(bad[i].fn(NULL, "ws", bad[i].kind,
		    bad[i].amount, "r", ""), WALLET_BAD_AMOUNT);
	CU_ASSERT_EQUAL(wallet_adjust(NULL, "ws", 0, "r", ""),
	    WALLET_BAD_AMOUNT);
}

static const struct mgt_case cases[] = {
	{ "idem_key_accepts", test_idem_key_accepts },
	{ "idem_key_rejects_empty", test_idem_key_rejects_empty },
	{ "idem_key_rejects_256", test_idem_key_rejects_256 },
	{ "idem_key_rejects_control_and_8bit", test_idem_key_rejects_control_and_8bit },
	{ "idem_hash", test_idem_hash },
	{ "below_threshold", test_below_threshold },
	{ "crossing_key", test_crossing_key },
	{ "credit_split", test_credit_split },
	{ "change_rejects_kind_and_amount", test_change_rejects_kind_and_amount },
	{ "json_usd_accepts", test_json_usd_accepts },
	{ "json_usd_rejects_range", test_json_usd_rejects_range },
	{ "json_usd_rejects_types", test_json_usd_rejects_types },
	{ "key_box_roundtrip", test_key_box_roundtrip },
	{ "key_box_rejects_tamper_and_wrong_key", test_key_box_rejects_tamper_and_wrong_key },
	{ "wallet_strerror", test_wallet_strerror },
	{ NULL, NULL }
};

static int
init(void)
{
	return mg_crypto_init();
}

int
main(void)
{
	mgt_suite("wallet", init, NULL, cases);
	return mgt_run();
}
