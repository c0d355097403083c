#include <stdio.h>
#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

#include "db.h"
#include "mg_config.h"
#include "mg_crypto.h"
#include "mg_util.h"
#include "pay_stripe.h"
#include "wallet.h"
#include "auth_http.h"
#include "wallet_http.h"

json_object *
wallet_usd_json(int64_t micros)
{
	char s[32];

	mg_fmt_usd(micros, s, sizeof(s));
	return json_object_new_double_s(mg_usd_display(micros), s);
}

/* The balance object shared by the studio routes. */
static json_object *
balance_json(int64_t balance, int64_t reserved)
{
	json_object *b = json_object_new_object();

	json_object_object_add(b, "currency", json_object_new_string("USD"));
	json_object_object_add(b, "balance_usd", wallet_usd_json(balance));
	json_object_object_add(b, "reserved_usd", wallet_usd_json(reserved));
	json_object_object_add(b, "available_usd",
	    wallet_usd_json(balance - reserved));
	json_object_object_add(b, "balance_micros", json_object_new_int64(balance));
	json_object_object_add(b, "reserved_micros", json_object_new_int64(reserved));
	json_object_object_add(b, "available_micros",
	    json_object_new_int64(balance - reserved));
	return b;
}

/* One ledger row as a transaction object. */
static json_object *
tx_json(int64_t id, const char *kind, int64_t amount, int64_t rdelta,
    const char *ref, const char *desc, const char *job, const char *at)
{
	json_object *t = json_object_new_object();

	json_object_object_add(t, "id", json_object_new_int64(id));
	json_object_object_add(t, "type", json_object_new_string(kind));
	json_object_object_add(t, "amount_usd", wallet_usd_json(amount));
	json_object_object_add(t, "amount_micros", json_object_new_int64(amount));
	json_object_object_add(t, "reserved_delta_micros",
	    json_object_new_int64(rdelta));
	json_object_object_add(t, "reference", json_object_new_string(ref));
	json_object_object_add(t, "description", json_object_new_string(desc));
	json_object_object_add(t, "job_id", *job ?
	    json_object_new_string(job) : NULL);
	json_object_object_add(t, "created_at", json_object_new_string(at));
	return t;
}

static int
wallet_reply(struct mg_ctx *c, json_object *txs)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "balance",
	    balance_json(c->who.balance_micros, c->who.reserved_micros));
	json_object_object_add(o, "recent_transactions", txs);
	return mg_reply_json(c, 200, o);
}

/*
 * GET /v1/wallet?limit=1..200 (default 20): balance + recent ledger rows.
 * An API-key caller is authenticated by the same statement that reads the
 * ledger (DB_WALLET_AUTH_RECENT): one round trip. Other credentials take the
 * generic path and a second query.
 */
int
wallet_h_get(struct mg_ctx *c)
{
	const char *ls = fcgi_req_query(&c->req, c->arena, "limit");
	int64_t limit = 20, id, amount, rdelta;
	int id_null, st;
	char kind[16], ref[192], desc[256], job[37], at[32];
	unsigned char hash[32];
	struct auth_row row;
	json_object *txs;
	enum db_err e;

	if (ls != NULL && mg_parse_i64(ls, strlen(ls), 1, 200, &limit) != 0) {
		if ((st = auth_require(c)) != 0)
			return st;
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "limit must be an integer from 1 to 200");
	}
	if ((st = auth_key_credential(c, hash)) == 0) {
		if (db_exec(c->db, DB_WALLET_AUTH_RECENT, "bi", hash,
		    (size_t)32, limit) != DB_OK)
			return mg_fail(c, MG_E_INTERNAL, "could not read the wallet");
		txs = mg_json_own(c, json_object_new_array_ext((int)limit));
		while ((e = db_next(c->db, DB_WALLET_AUTH_RECENT,
		    AUTH_ROW_FMT "Isiissss", AUTH_ROW_ARGS(&c->who, &row), &id,
		    &id_null, kind, sizeof(kind), &amount, &rdelta, ref,
		    sizeof(ref), desc, sizeof(desc), job, sizeof(job), at,
		    sizeof(at))) == DB_OK) {
			if (!c->who.authenticated &&
			    (st = auth_accept_row(c, &row)) != 0) {
				db_done(c->db, DB_WALLET_AUTH_RECENT);
				return st;
			}
			if (!id_null)
				json_object_array_add(txs, tx_json(id, kind,
				    amount, rdelta, ref, desc, job, at));
		}
		db_done(c->db, DB_WALLET_AUTH_RECENT);
		if (e != DB_NOROW)
			return mg_fail(c, MG_E_INTERNAL, "could not read the wallet");
		if (!c->who.authenticated)
			return mg_fail(c, MG_E_UNAUTHORIZED, "invalid API key");
		return wallet_reply(c, json_object_get(txs));
	}
	if (st != AUTH_NOT_A_KEY || (st = auth_require(c)) != 0)
		return st;
	if (db_exec(c->db, DB_WALLET_RECENT, "si", c->who.workspace_id,
	    limit) != DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not read the wallet");
	txs = mg_json_own(c, json_object_new_array_ext((int)limit));
	while ((e = db_next(c->db, DB_WALLET_RECENT, "isiissss", &id,
	    kind, sizeof(kind), &amount, &rdelta, ref, sizeof(ref), desc,
	    sizeof(desc), job, sizeof(job), at, sizeof(at))) == DB_OK)
		json_object_array_add(txs, tx_json(id, kind, amount, rdelta,
		    ref, desc, job, at));
	db_done(c->db, DB_WALLET_RECENT);
	if (e != DB_NOROW)
		return mg_fail(c, MG_E_INTERNAL, "could not read the wallet");
	return wallet_reply(c, json_object_get(txs));
}

/* ------------------------------------------------------------------------- */
/* ledger core routes (004): credits, top-up, auto-recharge, balances, billing */

int
wallet_json_usd(json_object *v, int64_t min, int64_t max, int64_t *out)
{
	const char *s;
	int64_t m;

	if (v == NULL || !(json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_double)))
		return -1;
	/* json-c keeps the text of a parsed number: no floating point. */
	s = json_object_get_string(v);
	if (s == NULL || mg_parse_usd(s, strlen(s), max, &m) != 0 ||
	    m < min || m > max)
		return -1;
	*out = m;
	return 0;
}

void
wallet_credit_split(int64_t balance, int64_t grants, int64_t spent,
    int64_t *sub, int64_t *topup)
{
	int64_t s = grants - spent;

	if (s < 0)
		s = 0;
	if (s > balance)
		s = balance > 0 ? balance : 0;
	*sub = s;
	*topup = balance - s;
}

int
wallet_key_seal(const unsigned char key[32], const char *plain,
    unsigned char *out, size_t cap, size_t *outlen)
{
	size_t n = strlen(plain);

	if (cap < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n)
		return -1;
	mg_random(out, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES,
	    (const unsigned char *)plain, n, out, key);
	*outlen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
	return 0;
}

int
wallet_key_open(const unsigned char key[32], const unsigned char *in,
    size_t len, char *plain, size_t cap)
{
	size_t n;

	if (len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
		return -1;
	n = len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	if (n + 1 > cap)
		return -1;
	if (crypto_secretbox_open_easy((unsigned char *)plain,
	    in + crypto_secretbox_NONCEBYTES, len - crypto_secretbox_NONCEBYTES,
	    in, key) != 0)
		return -1;
	plain[n] = '\0';
	return 0;
}

struct sums {
	int64_t	grants, topups, captures, refunds, adj_plus, adj_minus;
	int64_t	key24h, grants_month;
};

/* Per-kind ledger sums of the caller's workspace. 0 or -1. */
static int
ledger_sums(struct mg_ctx *c, struct sums *s)
{
	return db_row(c->db, DB_WALLET_SUMS, "ss", "iiiiiiii",
	    c->who.key_id, c->who.workspace_id, &s->grants, &s->topups,
	    &s->captures, &s->refunds, &s->adj_plus, &s->adj_minus,
	    &s->key24h, &s->grants_month) == DB_OK ? 0 : -1;
}

/*
 * GET /v1/credits (deprecated, seed 002): the USD wallet in the legacy
 * shape. credits.balance is available USD, monthly_grant the grants of
 * this calendar month, purchased every top-up; the 24 h spend is the sum
 * of this key's captures in the last 24 h (ledger).
 */
int
wallet_h_credits(struct mg_ctx *c)
{
	struct sums s;
	json_object *o, *cr;

	if (ledger_sums(c, &s) != 0)
		return mg_fail(c, MG_E_INTERNAL, "could not read the wallet");
	o = json_object_new_object();
	cr = json_object_new_object();
	json_object_object_add(o, "plan", json_object_new_string(
	    *c->who.ws_plan ? c->who.ws_plan : "payg"));
	json_object_object_add(cr, "balance", wallet_usd_json(
	    c->who.balance_micros - c->who.reserved_micros));
	json_object_object_add(cr, "monthly_grant",
	    wallet_usd_json(s.grants_month));
	json_object_object_add(cr, "purchased", wallet_usd_json(s.topups));
	json_object_object_add(o, "credits", cr);
	json_object_object_add(o, "api_key_24h_spend_usd",
	    wallet_usd_json(-s.key24h));
	json_object_object_add(o, "api_key_daily_cap_usd", c->who.has_cap ?
	    wallet_usd_json(c->who.daily_cap_micros) : NULL);
	mg_header(c, "Deprecation", "true");
	mg_header(c, "Link", "</v1/wallet>; rel=\"successor-version\"");
	return mg_reply_json(c, 200, o);
}

/* A printable ASCII id of 1..max bytes (Stripe ids). */
static int
valid_id(const char *s, size_t max)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] > 0x7e)
			return 0;
	return 1;
}

/*
 * POST /v1/wallet/topup {amount_usd 5..1000, payment_method_id?}: a Stripe
 * PaymentIntent for the workspace's customer (payments.md §2). With a
 * payment method it is confirmed off-session, else the client_secret is
 * returned for Stripe.js. The webhook credits (payments). Stripe's
 * Idempotency-Key is derived from ours when given, else from the request
 * id, so a retried call never creates a second PaymentIntent.
 */
int
wallet_h_topup(struct mg_ctx *c)
{
	json_object *b, *v, *o, *na;
	const char *pm = NULL, *ik;
	int64_t micros;
	char cus[256], idem[160], hx[65];
	unsigned char h[32];
	struct pay_stripe_cfg cfg;
	struct pay_stripe_pi_req pr;
	struct pay_stripe_obj pi;
	struct pay_stripe_error se;
	int rc;

	if ((b = mg_json_body(c)) == NULL)
		return c->status;
	if (!json_object_object_get_ex(b, "amount_usd", &v) ||
	    wallet_json_usd(v, 5 * MG_MICROS_PER_USD, 1000 * MG_MICROS_PER_USD,
	    &micros) != 0)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "amount_usd must be a number from 5 to 1000");
	if (micros % 10000 != 0)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "amount_usd must be whole cents");
	if (json_object_object_get_ex(b, "payment_method_id", &v) && v != NULL) {
		if (!json_object_is_type(v, json_type_string) ||
		    !valid_id(json_object_get_string(v), 120))
			return mg_fail(c, MG_E_INVALID_PARAM, "payment_method_id "
			    "must be a string of 1 to 120 printable characters");
		pm = json_object_get_string(v);
	}
	if (db_row(c->db, DB_WS_STRIPE_CUSTOMER, "s", "s", c->who.workspace_id,
	    cus, sizeof(cus)) != DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not read the workspace");
	if (*cus == '\0')
		return mg_fail(c, MG_E_BAD_REQUEST, "this workspace has no Stripe "
		    "customer (an operator sets one with `mgctl workspace "
		    "set-stripe-customer`)");
	pay_stripe_cfg_load(&cfg);
	if (cfg.secret_key == NULL || *cfg.secret_key == '\0')
		return mg_fail(c, MG_E_UNAVAILABLE, "Stripe is not configured");
	if ((ik = fcgi_req_header(&c->req, "Idempotency-Key")) != NULL) {
		mg_sha256(ik, strlen(ik), h);
		mg_hex(h, 16, hx);
		snprintf(idem, sizeof(idem), "topup:%s:k:%s", c->who.workspace_id, hx);
	} else
		snprintf(idem, sizeof(idem), "topup:%s:r:%s", c->who.workspace_id,
		    c->req.rid);
	memset(&pr, 0, sizeof(pr));
	pr.amount_cents = micros / 10000;
	pr.customer = cus;
	pr.payment_method = pm;
	pr.confirm = pm != NULL;
	pr.off_session = pm != NULL;
	pr.wallet_id = c->who.workspace_id;
	pr.workspace_id = c->who.workspace_id;
	rc = pay_stripe_pi_create(&cfg, &pr, idem, &pi, &se);
	if (rc == PAY_STRIPE_ECONFIG)
		return mg_fail(c, MG_E_UNAVAILABLE, "Stripe is not configured");
	if (rc != PAY_STRIPE_OK)
		return mg_fail(c, MG_E_UPSTREAM, "Stripe: %s%s%s",
		    *se.message ? se.message : pay_stripe_strerror(rc),
		    *se.code ? " (" : "", *se.code ? se.code : "");
	o = json_object_new_object();
	json_object_object_add(o, "payment_intent_id", json_object_new_string(pi.id));
	json_object_object_add(o, "client_secret", pm == NULL && *pi.client_secret ?
	    json_object_new_string(pi.client_secret) : NULL);
	json_object_object_add(o, "status", json_object_new_string(pi.status));
	json_object_object_add(o, "amount_usd", wallet_usd_json(micros));
	na = NULL;
	if (pi.requires_action) {
		na = json_object_new_object();
		json_object_object_add(na, "type",
		    json_object_new_string("use_stripe_sdk"));
	}
	json_object_object_add(o, "next_action", na);
	return mg_reply_json(c, 200, o);
}

/* The auto-recharge answer: {enabled, threshold_usd?, amount_usd?}. */
static json_object *
ar_json(int enabled, int64_t threshold, int64_t amount)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "enabled", json_object_new_boolean(enabled));
	if (enabled) {
		json_object_object_add(o, "threshold_usd", wallet_usd_json(threshold));
		json_object_object_add(o, "amount_usd", wallet_usd_json(amount));
	}
	return o;
}

/*
 * POST /v1/wallet/auto-recharge, the seed's oneOf: {enabled:false} clears
 * every field; {enabled:true, threshold_usd 1..100, amount_usd 5..500,
 * stripe_payment_method_id} sets them. The trigger is
 * wallet_autorecharge_check (wallet.h).
 */
int
wallet_h_autorecharge(struct mg_ctx *c)
{
	json_object *b, *v;
	int64_t threshold, amount;
	const char *pm;

	if ((b = mg_json_body(c)) == NULL)
		return c->status;
	if (!json_object_object_get_ex(b, "enabled", &v) ||
	    !json_object_is_type(v, json_type_boolean))
		return mg_fail(c, MG_E_INVALID_PARAM, "enabled must be a boolean");
	if (!json_object_get_boolean(v)) {
		if (json_object_object_length(b) != 1)
			return mg_fail(c, MG_E_INVALID_PARAM, "with enabled: false "
			    "no other field is allowed");
		if (db_exec(c->db, DB_AR_DELETE, "s", c->who.workspace_id) != DB_OK)
			return mg_fail(c, MG_E_INTERNAL, "could not save");
		return mg_reply_json(c, 200, ar_json(0, 0, 0));
	}
	if (!json_object_object_get_ex(b, "threshold_usd", &v) ||
	    wallet_json_usd(v, 1 * MG_MICROS_PER_USD, 100 * MG_MICROS_PER_USD,
	    &threshold) != 0)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "threshold_usd must be a number from 1 to 100");
	if (!json_object_object_get_ex(b, "amount_usd", &v) ||
	    wallet_json_usd(v, 5 * MG_MICROS_PER_USD, 500 * MG_MICROS_PER_USD,
	    &amount) != 0 || amount % 10000 != 0)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "amount_usd must be a number from 5 to 500 (whole cents)");
	if (!json_object_object_get_ex(b, "stripe_payment_method_id", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    !valid_id((pm = json_object_get_string(v)), 120))
		return mg_fail(c, MG_E_INVALID_PARAM, "stripe_payment_method_id "
		    "must be a string of 1 to 120 printable characters");
	if (json_object_object_length(b) != 4)
		return mg_fail(c, MG_E_INVALID_PARAM, "unknown field in the body");
	if (db_exec(c->db, DB_AR_UPSERT, "siis", c->who.workspace_id, threshold,
	    amount, pm) != DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not save");
	return mg_reply_json(c, 200, ar_json(1, threshold, amount));
}

/* GET /api/v1/balance (seed 003): the USD wallet, micros and decimal. */
int
wallet_h_prepaid_balance(struct mg_ctx *c)
{
	int64_t bal = c->who.balance_micros, res = c->who.reserved_micros;
	json_object *o = json_object_new_object();
	char s[32];

	json_object_object_add(o, "currency", json_object_new_string("USD"));
	json_object_object_add(o, "usdBalanceMicros", json_object_new_int64(bal));
	mg_fmt_usd(bal, s, sizeof(s));
	json_object_object_add(o, "usdBalance", json_object_new_string(s));
	json_object_object_add(o, "reservedMicros", json_object_new_int64(res));
	json_object_object_add(o, "availableMicros",
	    json_object_new_int64(bal - res));
	mg_fmt_usd(bal - res, s, sizeof(s));
	json_object_object_add(o, "availableUsd", json_object_new_string(s));
	return mg_reply_json(c, 200, o);
}

/* Micros as credits (1 credit = $0.01), a JSON number with ≤ 2 decimals. */
static json_object *
credits_json(int64_t micros)
{
	char s[40];
	int64_t a = micros < 0 ? -micros : micros;

	if (a % WALLET_MICROS_PER_CREDIT == 0)
		return json_object_new_int64(micros / WALLET_MICROS_PER_CREDIT);
	snprintf(s, sizeof(s), "%s%lld.%02lld", micros < 0 ? "-" : "",
	    (long long)(a / WALLET_MICROS_PER_CREDIT),
	    (long long)(a % WALLET_MICROS_PER_CREDIT / 100));
	return json_object_new_double_s((double)micros / WALLET_MICROS_PER_CREDIT, s);
}

/* The credits seed's transaction type of a ledger kind. */
static const char *
credit_type(const char *kind, int64_t amount)
{
	if (strcmp(kind, "topup") == 0)
		return "purchase";
	if (strcmp(kind, "grant") == 0)
		return "bonus";
	if (strcmp(kind, "capture") == 0)
		return "spend";
	if (strcmp(kind, "refund") == 0 || strcmp(kind, "chargeback") == 0)
		return "refund";
	return amount > 0 ? "bonus" : "spend";
}

/*
 * GET /api/credits/balance (seeds 000/001): the wallet in credits.
 * Grants are subscription credits, spent before top-up credits
 * (wallet_credit_split); transactions are the balance-changing ledger
 * rows, newest first, each with the balance after it.
 */
int
wallet_h_credits_balance(struct mg_ctx *c)
{
	struct sums s;
	int64_t sub, top, spent, id, amount, at, running;
	char kind[16], desc[256], tid[32];
	json_object *o, *txs, *t;
	enum db_err e;

	if (ledger_sums(c, &s) != 0)
		return mg_fail(c, MG_E_INTERNAL, "could not read the wallet");
	spent = -(s.captures + s.adj_minus);
	wallet_credit_split(c->who.balance_micros, s.grants + s.adj_plus, spent,
	    &sub, &top);
	if (db_exec(c->db, DB_WALLET_MOVES, "si", c->who.workspace_id,
	    (int64_t)20) != DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not read the wallet");
	txs = json_object_new_array();
	running = c->who.balance_micros;
	while ((e = db_next(c->db, DB_WALLET_MOVES, "isisi", &id, kind,
	    sizeof(kind), &amount, desc, sizeof(desc), &at)) == DB_OK) {
		t = json_object_new_object();
		snprintf(tid, sizeof(tid), "txn_%lld", (long long)id);
		json_object_object_add(t, "id", json_object_new_string(tid));
		json_object_object_add(t, "type",
		    json_object_new_string(credit_type(kind, amount)));
		json_object_object_add(t, "amount", credits_json(amount));
		json_object_object_add(t, "balance", credits_json(running));
		json_object_object_add(t, "description", json_object_new_string(desc));
		json_object_object_add(t, "createdAt", json_object_new_int64(at));
		json_object_array_add(txs, t);
		running -= amount;
	}
	db_done(c->db, DB_WALLET_MOVES);
	if (e != DB_NOROW) {
		json_object_put(txs);
		return mg_fail(c, MG_E_INTERNAL, "could not read the wallet");
	}
	o = json_object_new_object();
	json_object_object_add(o, "balance", credits_json(c->who.balance_micros));
	json_object_object_add(o, "subscriptionCredits", credits_json(sub));
	json_object_object_add(o, "topUpCredits", credits_json(top));
	json_object_object_add(o, "tier", json_object_new_string(
	    *c->who.ws_plan ? c->who.ws_plan : "free"));
	json_object_object_add(o, "totalPurchased", credits_json(s.topups));
	json_object_object_add(o, "totalSpent", credits_json(spent));
	json_object_object_add(o, "transactions", txs);
	return mg_reply_json(c, 200, o);
}

/* Providers a BYO key may be saved for, and their config key (platform). */
static const struct {
	const char	*name, *cfg, *kind;
} providers[] = {
	{ "fal", "fal_key", "image" },
	{ "replicate", "replicate_token", "image" },
	{ "elevenlabs", "elevenlabs_key", "audio" },
};
#define NPROVIDERS	(sizeof(providers) / sizeof(providers[0]))

static int
platform_has(size_t i)
{
	const char *v = mg_cfg_str(providers[i].cfg, NULL);

	return v != NULL && *v != '\0';
}

/* The BillingSettings object (seed 000) of the caller's workspace. */
static int
billing_reply(struct mg_ctx *c)
{
	char mode[16] = "CREDITS", prov[65] = "", active[65] = "";
	int64_t haskey = 0;
	json_object *o, *plat, *avail, *keys, *p;
	enum db_err e;
	size_t i;

	e = db_row(c->db, DB_BILLING_GET, "s", "ssis", c->who.workspace_id,
	    mode, sizeof(mode), prov, sizeof(prov), &haskey, active,
	    sizeof(active));
	if (e != DB_OK && e != DB_NOROW)
		return mg_fail(c, MG_E_INTERNAL, "could not read billing settings");
	o = json_object_new_object();
	plat = json_object_new_array();
	avail = json_object_new_array();
	keys = json_object_new_object();
	json_object_array_add(plat, json_object_new_string("local"));
	for (i = 0; i < NPROVIDERS; i++) {
		if (platform_has(i))
			json_object_array_add(plat,
			    json_object_new_string(providers[i].name));
		p = json_object_new_object();
		json_object_object_add(p, "name",
		    json_object_new_string(providers[i].name));
		json_object_object_add(p, "platform",
		    json_object_new_boolean(platform_has(i)));
		json_object_object_add(p, "byo", json_object_new_boolean(1));
		json_object_object_add(p, "hasKey", json_object_new_boolean(
		    haskey && strcmp(prov, providers[i].name) == 0));
		json_object_array_add(avail, p);
		if (haskey && strcmp(prov, providers[i].name) == 0) {
			p = json_object_new_object();
			json_object_object_add(p, "hasKey",
			    json_object_new_boolean(1));
			json_object_object_add(keys, providers[i].name, p);
		}
	}
	json_object_object_add(o, "mode", json_object_new_string(mode));
	json_object_object_add(o, "managedPlanAvailable", json_object_new_boolean(
	    mg_cfg_bool("managed_plan_available", 0)));
	json_object_object_add(o, "creditsAvailable", json_object_new_boolean(1));
	json_object_object_add(o, "platformProviders", plat);
	json_object_object_add(o, "hasByoApiKey", json_object_new_boolean(haskey != 0));
	json_object_object_add(o, "byoApiKeyHint", NULL);
	json_object_object_add(o, "availableProviders", avail);
	json_object_object_add(o, "providerKeys", keys);
	json_object_object_add(o, "imageProvider", json_object_new_string(
	    haskey && strcmp(mode, "BYO") == 0 && *prov ? prov : "local"));
	json_object_object_add(o, "videoProvider", json_object_new_string(
	    haskey && strcmp(mode, "BYO") == 0 && *prov ? prov : "local"));
	return mg_reply_json(c, 200, o);
}

int
wallet_h_billing_get(struct mg_ctx *c)
{
	return billing_reply(c);
}

/* The billing key (config billing_key_secret, 64 hex). 0 or -1. */
static int
billing_key(unsigned char key[32])
{
	const char *h = mg_cfg_str("billing_key_secret", NULL);

	if (h == NULL || strlen(h) != 64 || mg_unhex(h, 64, key, 32) != 32)
		return -1;
	return 0;
}

/*
 * PUT /api/billing {mode?, providerName?, apiKey?, activeFor?}: switch the
 * mode, or save a BYO provider key (sealed with secretbox under
 * billing_key_secret; never returned), which switches to BYO.
 */
int
wallet_h_billing_put(struct mg_ctx *c)
{
	json_object *b, *v, *it;
	const char *mode = NULL, *prov = NULL, *key = NULL;
	char active[65] = "", cur[16] = "", curprov[65] = "", curact[65];
	unsigned char k[32], box[1024];
	size_t i, j, n, boxlen;
	int64_t haskey = 0;
	enum db_err e;

	if ((b = mg_json_body(c)) == NULL)
		return c->status;
	json_object_object_foreach(b, name, val) {
		(void)val;
		if (strcmp(name, "mode") != 0 && strcmp(name, "providerName") != 0 &&
		    strcmp(name, "apiKey") != 0 && strcmp(name, "activeFor") != 0)
			return mg_fail(c, MG_E_INVALID_PARAM,
			    "unknown field %.64s", name);
	}
	if (json_object_object_get_ex(b, "mode", &v)) {
		if (!json_object_is_type(v, json_type_string) ||
		    (strcmp((mode = json_object_get_string(v)), "CREDITS") != 0 &&
		    strcmp(mode, "BYO") != 0 && strcmp(mode, "MANAGED") != 0))
			return mg_fail(c, MG_E_INVALID_PARAM,
			    "mode must be CREDITS, BYO or MANAGED");
	}
	if (json_object_object_get_ex(b, "providerName", &v)) {
		if (!json_object_is_type(v, json_type_string))
			return mg_fail(c, MG_E_INVALID_PARAM,
			    "providerName must be a string");
		prov = json_object_get_string(v);
		for (i = 0; i < NPROVIDERS; i++)
			if (strcmp(prov, providers[i].name) == 0)
				break;
		if (i == NPROVIDERS)
			return mg_fail(c, MG_E_INVALID_PARAM,
			    "providerName must be fal, replicate or elevenlabs");
	}
	if (json_object_object_get_ex(b, "apiKey", &v)) {
		if (!json_object_is_type(v, json_type_string) ||
		    (n = strlen(key = json_object_get_string(v))) < 8 || n > 512)
			return mg_fail(c, MG_E_INVALID_PARAM,
			    "apiKey must be a string of 8 to 512 characters");
		for (i = 0; i < n; i++)
			if (key[i] <= 0x20 || key[i] > 0x7e)
				return mg_fail(c, MG_E_INVALID_PARAM,
				    "apiKey must be printable ASCII");
		if (prov == NULL)
			return mg_fail(c, MG_E_INVALID_PARAM,
			    "providerName is required with apiKey");
		if (mode != NULL && strcmp(mode, "BYO") != 0)
			return mg_fail(c, MG_E_INVALID_PARAM,
			    "saving a provider key switches to BYO; mode must be BYO");
	}
	if (json_object_object_get_ex(b, "activeFor", &v)) {
		if (!json_object_is_type(v, json_type_array) ||
		    json_object_array_length(v) > 3)
			return mg_fail(c, MG_E_INVALID_PARAM,
			    "activeFor must be an array of image, video, audio");
		for (j = 0; j < json_object_array_length(v); j++) {
			it = json_object_array_get_idx(v, j);
			if (!json_object_is_type(it, json_type_string) ||
			    (strcmp(json_object_get_string(it), "image") != 0 &&
			    strcmp(json_object_get_string(it), "video") != 0 &&
			    strcmp(json_object_get_string(it), "audio") != 0))
				return mg_fail(c, MG_E_INVALID_PARAM,
				    "activeFor must be an array of image, video, audio");
			if (strstr(active, json_object_get_string(it)) == NULL) {
				if (*active)
					strncat(active, ",", sizeof(active) -
					    strlen(active) - 1);
				strncat(active, json_object_get_string(it),
				    sizeof(active) - strlen(active) - 1);
			}
		}
	}
	if (mode == NULL && key == NULL)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "give a mode, or a providerName and apiKey");
	if (mode != NULL && strcmp(mode, "MANAGED") == 0 &&
	    !mg_cfg_bool("managed_plan_available", 0))
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "the MANAGED plan is not available on this deployment");
	e = db_row(c->db, DB_BILLING_GET, "s", "ssis", c->who.workspace_id,
	    cur, sizeof(cur), curprov, sizeof(curprov), &haskey, curact,
	    sizeof(curact));
	if (e != DB_OK && e != DB_NOROW)
		return mg_fail(c, MG_E_INTERNAL, "could not read billing settings");
	if (!json_object_object_get_ex(b, "activeFor", &v) && e == DB_OK)
		snprintf(active, sizeof(active), "%s", curact);
	if (key != NULL) {
		if (billing_key(k) != 0)
			return mg_fail(c, MG_E_UNAVAILABLE, "provider keys cannot "
			    "be stored: billing_key_secret is not configured");
		if (wallet_key_seal(k, key, box, sizeof(box), &boxlen) != 0) {
			sodium_memzero(k, sizeof(k));
			return mg_fail(c, MG_E_INVALID_PARAM, "apiKey too long");
		}
		sodium_memzero(k, sizeof(k));
		e = db_exec(c->db, DB_BILLING_SET_KEY, "ssbs", c->who.workspace_id,
		    prov, box, boxlen, active);
	} else {
		if (strcmp(mode, "BYO") == 0 && !haskey)
			return mg_fail(c, MG_E_INVALID_PARAM, "BYO mode needs a "
			    "saved provider key: send providerName and apiKey");
		e = db_exec(c->db, DB_BILLING_SET_MODE, "sss", c->who.workspace_id,
		    mode, active);
	}
	if (e != DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not save billing settings");
	return billing_reply(c);
}

int
wallet_h_bench_cycle(struct mg_ctx *c)
{
	char job[37];
	enum wallet_err r;

	if (!mg_cfg_bool("bench_routes", 0))
		return mg_fail(c, MG_E_NOT_FOUND, "no route for %s", c->req.path);
	mg_uuid(job);
	r = wallet_hold(c->db, c->who.workspace_id, job, c->who.key_id, 1,
	    WALLET_HOLD_TTL_DEFAULT, "bench");
	if (r == WALLET_INSUFFICIENT)
		return mg_fail(c, MG_E_INSUFFICIENT_FUNDS, "insufficient funds");
	if (r != WALLET_OK)
		return mg_fail(c, MG_E_INTERNAL, "hold: %s", wallet_strerror(r));
	r = wallet_settle(c->db, c->who.workspace_id, job, c->who.key_id, 1, 0,
	    "bench");
	if (r != WALLET_OK)
		return mg_fail(c, MG_E_INTERNAL, "release: %s", wallet_strerror(r));
	return mg_reply_raw(c, 200, "application/json", "{\"ok\":true}", 11);
}
