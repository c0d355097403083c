/*
 * Integration: external payments credited exactly once (brief money rule 5,
 * payments.md §1–§5), against the running stack and the local fakes
 * (tests/fakes: stripe.js, coinbase.js, x402.js; control URLs in
 * MG_FAKE_STRIPE_URL, MG_FAKE_COINBASE_URL, MG_FAKE_X402_URL).
 *
 * Every case makes its own workspace, so balances are compared as deltas
 * and ledger rows are counted by their exact reference.
 */
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "../lib/it.h"
#include "../lib/mgtest.h"
#include "mg_crypto.h"

#define STRIPE_SECRET	"whsec_test_current"	/* tests/it.sh: second of two */
#define STRIPE_OLD	"whsec_test_old"	/* the first: rotation */
#define CB_SECRET	"cc_shared_secret"

static char	 ctl_url[3][512];	/* stripe, coinbase, x402 */

enum fake { F_STRIPE, F_COINBASE, F_X402 };

static const char *
fake(enum fake f)
{
	static const char *const env[] = { "MG_FAKE_STRIPE_URL",
	    "MG_FAKE_COINBASE_URL", "MG_FAKE_X402_URL" };
	const char *v;

	if (ctl_url[f][0] == '\0') {
		v = getenv(env[f]);
		snprintf(ctl_url[f], sizeof(ctl_url[f]), "%s", v ? v : "");
	}
	return ctl_url[f];
}

/* POST a JSON body to a fake's control path. */
static int
ctl(struct it_resp *r, enum fake f, const char *path, const char *json)
{
	static const char *const h[] = { "Content-Type: application/json", NULL };
	char url[1024];

	snprintf(url, sizeof(url), "%s%s", fake(f), path);
	return it_req(r, "POST", url, h, json ? json : "{}",
	    json ? strlen(json) : 2);
}

static int
ctl_get(struct it_resp *r, enum fake f, const char *path)
{
	char url[1024];

	snprintf(url, sizeof(url), "%s%s", fake(f), path);
	return it_req(r, "GET", url, NULL, NULL, 0);
}

/* Balance (micros) of the key's workspace via GET /v1/wallet. */
static long long
balance(const char *key)
{
	struct it_resp r;
	long long b;

	it_get(&r, "/v1/wallet", key);
	b = r.status == 200 ? it_int(&r, "balance.balance_micros", -1) : -1;
	it_free(&r);
	return b;
}

/* How many recent ledger rows of the workspace carry exactly this ref. */
static int
ref_count(const char *key, const char *ref)
{
	struct it_resp r;
	json_object *txs, *t, *v;
	size_t i;
	int n = 0;

	it_get(&r, "/v1/wallet?limit=200", key);
	if (r.json != NULL &&
	    json_object_object_get_ex(r.json, "recent_transactions", &txs))
		for (i = 0; i < json_object_array_length(txs); i++) {
			t = json_object_array_get_idx(txs, i);
			if (json_object_object_get_ex(t, "reference", &v) &&
			    strcmp(json_object_get_string(v), ref) == 0)
				n++;
		}
	it_free(&r);
	return n;
}

/* Ledger rows whose ref starts with prefix. */
static int
ref_prefix_count(const char *key, const char *prefix)
{
	struct it_resp r;
	json_object *txs, *t, *v;
	size_t i;
	int n = 0;

	it_get(&r, "/v1/wallet?limit=200", key);
	if (r.json != NULL &&
	    json_object_object_get_ex(r.json, "recent_transactions", &txs))
		for (i = 0; i < json_object_array_length(txs); i++) {
			t = json_object_array_get_idx(txs, i);
			if (json_object_object_get_ex(t, "reference", &v) &&
			    strncmp(json_object_get_string(v), prefix,
			    strlen(prefix)) == 0)
				n++;
		}
	it_free(&r);
	return n;
}

/* Stripe checkout for a package; the session id into cs. */
static int
checkout(const char *key, const char *pkg, char *cs, size_t cap)
{
	struct it_resp r;
	char body[128];
	int ok;

	snprintf(body, sizeof(body), "{\"packageCode\":\"%s\"}", pkg);
	it_post(&r, "/api/v1/checkout/stripe", key, body);
	ok = r.status == 200 && it_str(&r, "sessionId") != NULL;
	if (ok)
		snprintf(cs, cap, "%s", it_str(&r, "sessionId"));
	it_free(&r);
	return ok ? 0 : -1;
}

/* The fake completes (pays) the session; its PaymentIntent into pi. */
static int
complete(const char *cs, const char *extra, char *pi, size_t cap)
{
	struct it_resp r;
	char path[512];
	int ok;

	snprintf(path, sizeof(path), "/__control/checkout/%s/complete", cs);
	ctl(&r, F_STRIPE, path, extra);
	ok = r.status == 200 && it_str(&r, "payment_intent") != NULL;
	if (ok)
		snprintf(pi, cap, "%s", it_str(&r, "payment_intent"));
	it_free(&r);
	return ok ? 0 : -1;
}

/*
 * The fake delivers one signed Stripe event `times` times to our webhook.
 * Returns how many deliveries got `want`; the first body into body (opt).
 */
static int
deliver(const char *type, const char *obj, const char *secret, int times,
    long ts, int want, char **body)
{
	struct it_resp r;
	json_object *o, *st, *b;
	char url[512];
	size_t i;
	int n = 0;

	o = json_object_new_object();
	snprintf(url, sizeof(url), "%s/api/v1/webhooks/stripe", it_base());
	json_object_object_add(o, "url", json_object_new_string(url));
	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "object_id", json_object_new_string(obj));
	json_object_object_add(o, "secret", json_object_new_string(secret));
	json_object_object_add(o, "times", json_object_new_int(times));
	if (ts != 0)
		json_object_object_add(o, "timestamp", json_object_new_int64(ts));
	ctl(&r, F_STRIPE, "/__control/deliver", json_object_to_json_string(o));
	json_object_put(o);
	if (r.json != NULL && json_object_object_get_ex(r.json, "statuses", &st))
		for (i = 0; i < json_object_array_length(st); i++)
			if (json_object_get_int(json_object_array_get_idx(st,
			    i)) == want)
				n++;
	if (body != NULL) {
		*body = NULL;
		if (r.json != NULL && json_object_object_get_ex(r.json, "body",
		    &b))
			*body = strdup(json_object_get_string(b));
	}
	it_free(&r);
	return n;
}

/* POST a raw body to our Stripe webhook with this Stripe-Signature (or none). */
static long
webhook_raw(const char *path, const char *hname, const char *sig,
    const char *body)
{
	struct it_resp r;
	char url[512], h[1024];
	const char *hdrs[3] = { "Content-Type: application/json", NULL, NULL };
	long st;

	snprintf(url, sizeof(url), "%s%s", it_base(), path);
	if (sig != NULL) {
		snprintf(h, sizeof(h), "%s: %s", hname, sig);
		hdrs[1] = h;
	}
	it_req(&r, "POST", url, hdrs, body, strlen(body));
	st = r.status;
	it_free(&r);
	return st;
}

/* A Stripe-Signature for payload from the fake's signer (stripe npm). */
static int
stripe_sign(const char *payload, const char *secret, long ts, char *out,
    size_t cap)
{
	struct it_resp r;
	json_object *o = json_object_new_object();
	int ok;

	json_object_object_add(o, "payload", json_object_new_string(payload));
	json_object_object_add(o, "secret", json_object_new_string(secret));
	json_object_object_add(o, "timestamp", json_object_new_int64(ts));
	ctl(&r, F_STRIPE, "/__control/sign", json_object_to_json_string(o));
	json_object_put(o);
	ok = r.status == 200 && it_str(&r, "header") != NULL;
	if (ok)
		snprintf(out, cap, "%s", it_str(&r, "header"));
	it_free(&r);
	return ok ? 0 : -1;
}

/* A fresh workspace with a prepaid key, or fail the test. */
#define NEW_WS(w) do {							\
	CU_ASSERT_FATAL(it_workspace(&(w), NULL, "prepaid") == 0);	\
} while (0)

/* ---------------------------------------------------------------- Stripe */

static void
test_packages_public(void)
{
	struct it_resp r;

	it_get(&r, "/api/v1/packages", NULL);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"usd_20\""));
	it_free(&r);
}

static void
test_gone_routes(void)
{
	struct it_resp r;

	it_get(&r, "/api/v1/credits/balance", NULL);
	CU_ASSERT_EQUAL(r.status, 410);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "/api/v1/balance"));
	it_free(&r);
	it_post(&r, "/api/v1/credits/consume", NULL, "{}");
	CU_ASSERT_EQUAL(r.status, 410);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "/api/v1/media/jobs"));
	it_free(&r);
}

static void
test_checkout_rejects_unknown_package(void)
{
	struct it_ws w;
	struct it_resp r;

	NEW_WS(w);
	it_post(&r, "/api/v1/checkout/stripe", w.key,
	    "{\"packageCode\":\"usd_999999\"}");
	CU_ASSERT_EQUAL(r.status, 400);
	it_free(&r);
	it_post(&r, "/api/v1/checkout/stripe", w.key,
	    "{\"packageCode\":\"usd_20\",\"bogus\":1}");
	CU_ASSERT_EQUAL(r.status, 400);
	it_free(&r);
	it_post(&r, "/api/v1/checkout/stripe", w.key,
	    "{\"packageCode\":\"usd_20\",\"successUrl\":\"javascript:x\"}");
	CU_ASSERT_EQUAL(r.status, 400);
	it_free(&r);
}

/* Buy usd_20: both events (each twice) + claim → one credit of $20. */
static void
test_stripe_buy_package_once(void)
{
	struct it_ws w;
	struct it_resp r;
	char cs[256], pi[256], ref[300], body[512];
	long long b0, b1;

	NEW_WS(w);
	b0 = balance(w.key);
	CU_ASSERT_FATAL(checkout(w.key, "usd_20", cs, sizeof(cs)) == 0);
	CU_ASSERT_FATAL(complete(cs, NULL, pi, sizeof(pi)) == 0);
	CU_ASSERT_EQUAL(deliver("checkout.session.completed", cs, STRIPE_SECRET,
	    2, 0, 200, NULL), 2);
	CU_ASSERT_EQUAL(deliver("payment_intent.succeeded", pi, STRIPE_SECRET,
	    2, 0, 200, NULL), 2);
	b1 = balance(w.key);
	CU_ASSERT_EQUAL(b1 - b0, 20000000);
	snprintf(ref, sizeof(ref), "stripe:%s", pi);
	CU_ASSERT_EQUAL(ref_count(w.key, ref), 1);
	/* The claim sees it done and answers with the first result. */
	snprintf(body, sizeof(body), "{\"sessionId\":\"%s\"}", cs);
	it_post(&r, "/api/v1/claim/stripe", w.key, body);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "provider") ? it_str(&r, "provider") :
	    "", "stripe");
	CU_ASSERT_STRING_EQUAL(it_str(&r, "packageCode") ?
	    it_str(&r, "packageCode") : "", "usd_20");
	CU_ASSERT_EQUAL(it_int(&r, "depositUsdCents", -1), 2000);
	CU_ASSERT_EQUAL(it_int(&r, "currentBalanceUsdMicros", -1), b1);
	it_free(&r);
	CU_ASSERT_EQUAL(balance(w.key), b1);
	CU_ASSERT_EQUAL(ref_count(w.key, ref), 1);
}

/* One event delivered 50 times → one credit. */
static void
test_stripe_event_50_times(void)
{
	struct it_ws w;
	char cs[256], pi[256], ref[300];
	long long b0;

	NEW_WS(w);
	b0 = balance(w.key);
	CU_ASSERT_FATAL(checkout(w.key, "usd_5", cs, sizeof(cs)) == 0);
	CU_ASSERT_FATAL(complete(cs, NULL, pi, sizeof(pi)) == 0);
	CU_ASSERT_EQUAL(deliver("checkout.session.completed", cs, STRIPE_SECRET,
	    50, 0, 200, NULL), 50);
	CU_ASSERT_EQUAL(balance(w.key) - b0, 5000000);
	snprintf(ref, sizeof(ref), "stripe:%s", pi);
	CU_ASSERT_EQUAL(ref_count(w.key, ref), 1);
}

/*
 * Reordered: the PaymentIntent event first, then the session event, for a
 * bonus package (usd_50 credits $52.50): the PI event credits the
 * package's credit (metadata.package), the session event is a no-op.
 */
static void
test_stripe_reordered_bonus(void)
{
	struct it_ws w;
	char cs[256], pi[256], ref[300];
	long long b0;

	NEW_WS(w);
	b0 = balance(w.key);
	CU_ASSERT_FATAL(checkout(w.key, "usd_50", cs, sizeof(cs)) == 0);
	CU_ASSERT_FATAL(complete(cs, NULL, pi, sizeof(pi)) == 0);
	CU_ASSERT_EQUAL(deliver("payment_intent.succeeded", pi, STRIPE_SECRET,
	    1, 0, 200, NULL), 1);
	CU_ASSERT_EQUAL(balance(w.key) - b0, 52500000);
	CU_ASSERT_EQUAL(deliver("checkout.session.completed", cs, STRIPE_SECRET,
	    1, 0, 200, NULL), 1);
	CU_ASSERT_EQUAL(balance(w.key) - b0, 52500000);
	snprintf(ref, sizeof(ref), "stripe:%s", pi);
	CU_ASSERT_EQUAL(ref_count(w.key, ref), 1);
}

/* An async payment: completed unpaid waits; async_payment_succeeded credits. */
static void
test_stripe_async_payment(void)
{
	struct it_ws w;
	struct it_resp r;
	char cs[256], pi[256], path[400], body[512];
	long long b0;

	NEW_WS(w);
	b0 = balance(w.key);
	CU_ASSERT_FATAL(checkout(w.key, "usd_20", cs, sizeof(cs)) == 0);
	CU_ASSERT_FATAL(complete(cs, "{\"payment_status\":\"unpaid\"}", pi,
	    sizeof(pi)) == 0);
	CU_ASSERT_EQUAL(deliver("checkout.session.completed", cs, STRIPE_SECRET,
	    1, 0, 200, NULL), 1);
	CU_ASSERT_EQUAL(balance(w.key) - b0, 0);
	/* The claim sees an unpaid session: nothing to settle. */
	snprintf(body, sizeof(body), "{\"sessionId\":\"%s\"}", cs);
	it_post(&r, "/api/v1/claim/stripe", w.key, body);
	CU_ASSERT_EQUAL(r.status, 409);
	it_free(&r);
	snprintf(path, sizeof(path), "/__control/checkout/%s/async_succeed", cs);
	ctl(&r, F_STRIPE, path, NULL);
	CU_ASSERT_EQUAL(r.status, 200);
	it_free(&r);
	CU_ASSERT_EQUAL(deliver("checkout.session.async_payment_succeeded", cs,
	    STRIPE_SECRET, 2, 0, 200, NULL), 2);
	CU_ASSERT_EQUAL(balance(w.key) - b0, 20000000);
}

/* Expired and failed sessions credit nothing; their claims answer 409. */
static void
test_stripe_expired_and_failed(void)
{
	struct it_ws w;
	struct it_resp r;
	char cs[256], cs2[256], pi[256], path[400], body[512];
	long long b0;

	NEW_WS(w);
	b0 = balance(w.key);
	CU_ASSERT_FATAL(checkout(w.key, "usd_20", cs, sizeof(cs)) == 0);
	snprintf(path, sizeof(path), "/__control/checkout/%s/expire", cs);
	ctl(&r, F_STRIPE, path, NULL);
	CU_ASSERT_EQUAL(r.status, 200);
	it_free(&r);
	CU_ASSERT_EQUAL(deliver("checkout.session.expired", cs, STRIPE_SECRET,
	    1, 0, 200, NULL), 1);
	snprintf(body, sizeof(body), "{\"sessionId\":\"%s\"}", cs);
	it_post(&r, "/api/v1/claim/stripe", w.key, body);
	CU_ASSERT_EQUAL(r.status, 409);
	it_free(&r);
	CU_ASSERT_FATAL(checkout(w.key, "usd_20", cs2, sizeof(cs2)) == 0);
	CU_ASSERT_FATAL(complete(cs2, "{\"payment_status\":\"unpaid\"}", pi,
	    sizeof(pi)) == 0);
	snprintf(path, sizeof(path), "/__control/checkout/%s/async_fail", cs2);
	ctl(&r, F_STRIPE, path, NULL);
	CU_ASSERT_EQUAL(r.status, 200);
	it_free(&r);
	CU_ASSERT_EQUAL(deliver("checkout.session.async_payment_failed", cs2,
	    STRIPE_SECRET, 1, 0, 200, NULL), 1);
	CU_ASSERT_EQUAL(deliver("payment_intent.payment_failed", pi,
	    STRIPE_SECRET, 1, 0, 200, NULL), 1);
	CU_ASSERT_EQUAL(balance(w.key) - b0, 0);
}

/* Session event + PI event + claim racing from several processes → one credit. */
static void
test_stripe_race_processes(void)
{
	struct it_ws w;
	struct it_resp r;
	char cs[256], pi[256], ref[300], body[512];
	pid_t kids[6];
	long long b0;
	int i, st, ok = 1;

	NEW_WS(w);
	b0 = balance(w.key);
	CU_ASSERT_FATAL(checkout(w.key, "usd_20", cs, sizeof(cs)) == 0);
	CU_ASSERT_FATAL(complete(cs, NULL, pi, sizeof(pi)) == 0);
	snprintf(body, sizeof(body), "{\"sessionId\":\"%s\"}", cs);
	fflush(NULL);
	for (i = 0; i < 6; i++) {
		if ((kids[i] = fork()) == 0) {
			int good = 0;

			switch (i % 3) {
			case 0:
				good = deliver("checkout.session.completed", cs,
				    STRIPE_SECRET, 3, 0, 200, NULL) == 3;
				break;
			case 1:
				good = deliver("payment_intent.succeeded", pi,
				    STRIPE_SECRET, 3, 0, 200, NULL) == 3;
				break;
			default:
				it_post(&r, "/api/v1/claim/stripe", w.key, body);
				good = r.status == 200 &&
				    it_int(&r, "depositUsdCents", -1) == 2000;
				it_free(&r);
				break;
			}
			_exit(good ? 0 : 1);
		}
		CU_ASSERT_FATAL(kids[i] > 0);
	}
	for (i = 0; i < 6; i++) {
		if (waitpid(kids[i], &st, 0) != kids[i] || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			ok = 0;
	}
	CU_ASSERT(ok);
	CU_ASSERT_EQUAL(balance(w.key) - b0, 20000000);
	snprintf(ref, sizeof(ref), "stripe:%s", pi);
	CU_ASSERT_EQUAL(ref_count(w.key, ref), 1);
}

/* The charge id of a completed session's PaymentIntent. */
static int
charge_of(const char *pi, char *ch, size_t cap)
{
	struct it_resp r;
	char path[400];
	int ok;

	snprintf(path, sizeof(path), "/__control/objects/%s", pi);
	ctl_get(&r, F_STRIPE, path);
	ok = r.status == 200 && it_str(&r, "latest_charge") != NULL;
	if (ok)
		snprintf(ch, cap, "%s", it_str(&r, "latest_charge"));
	it_free(&r);
	return ok ? 0 : -1;
}

/* A paid usd_20 checkout in w; pi and charge out. */
static int
bought(struct it_ws *w, char *pi, size_t picap, char *ch, size_t chcap)
{
	char cs[256];

	if (checkout(w->key, "usd_20", cs, sizeof(cs)) != 0 ||
	    complete(cs, NULL, pi, picap) != 0 ||
	    deliver("checkout.session.completed", cs, STRIPE_SECRET, 1, 0, 200,
	    NULL) != 1)
		return -1;
	return charge_of(pi, ch, chcap);
}

/* Replace the event id in a delivered body (a new event, same content). */
static char *
new_event_id(const char *body, const char *id)
{
	json_object *o = json_tokener_parse(body);
	char *s;

	if (o == NULL)
		return NULL;
	json_object_object_add(o, "id", json_object_new_string(id));
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

/*
 * Partial refunds twice with cumulative amount_refunded: debits only the
 * increases; the older event re-sent under a new id later changes nothing.
 */
static void
test_stripe_partial_refunds(void)
{
	struct it_ws w;
	struct it_resp r;
	char pi[256], ch[256], path[400], ref[400], sig[1024];
	char *first = NULL, *again;
	long long b0;

	NEW_WS(w);
	CU_ASSERT_FATAL(bought(&w, pi, sizeof(pi), ch, sizeof(ch)) == 0);
	b0 = balance(w.key);
	snprintf(path, sizeof(path), "/__control/charges/%s/refund", ch);
	ctl(&r, F_STRIPE, path, "{\"amount\":500}");
	CU_ASSERT_EQUAL(r.status, 200);
	it_free(&r);
	CU_ASSERT_EQUAL(deliver("charge.refunded", ch, STRIPE_SECRET, 2, 0, 200,
	    &first), 2);
	CU_ASSERT_EQUAL(balance(w.key) - b0, -5000000);
	ctl(&r, F_STRIPE, path, "{\"amount\":700}");
	CU_ASSERT_EQUAL(r.status, 200);
	it_free(&r);
	CU_ASSERT_EQUAL(deliver("charge.refunded", ch, STRIPE_SECRET, 2, 0, 200,
	    NULL), 2);
	CU_ASSERT_EQUAL(balance(w.key) - b0, -12000000);
	snprintf(ref, sizeof(ref), "stripe-refund:%s:500", ch);
	CU_ASSERT_EQUAL(ref_count(w.key, ref), 1);
	snprintf(ref, sizeof(ref), "stripe-refund:%s:1200", ch);
	CU_ASSERT_EQUAL(ref_count(w.key, ref), 1);
	/* The first event (cumulative 500) arriving late: no change. */
	CU_ASSERT_FATAL(first != NULL);
	again = new_event_id(first, "evt_it_late_refund_replay");
	CU_ASSERT_FATAL(again != NULL);
	CU_ASSERT_FATAL(stripe_sign(again, STRIPE_SECRET, (long)time(NULL), sig,
	    sizeof(sig)) == 0);
	CU_ASSERT_EQUAL(webhook_raw("/api/v1/webhooks/stripe",
	    "Stripe-Signature", sig, again), 200);
	CU_ASSERT_EQUAL(balance(w.key) - b0, -12000000);
	CU_ASSERT_EQUAL(ref_prefix_count(w.key, "stripe-refund:"), 2);
	free(again);
	free(first);
}

/* A dispute debits its amount once. */
static void
test_stripe_dispute(void)
{
	struct it_ws w;
	struct it_resp r;
	char pi[256], ch[256], path[400], ref[400], dp[256];
	long long b0;

	NEW_WS(w);
	CU_ASSERT_FATAL(bought(&w, pi, sizeof(pi), ch, sizeof(ch)) == 0);
	b0 = balance(w.key);
	snprintf(path, sizeof(path), "/__control/charges/%s/dispute", ch);
	ctl(&r, F_STRIPE, path, "{\"amount\":2000}");
	CU_ASSERT_EQUAL(r.status, 200);
	snprintf(dp, sizeof(dp), "%s", it_str(&r, "id") ? it_str(&r, "id") : "");
	it_free(&r);
	CU_ASSERT_FATAL(strncmp(dp, "dp_", 3) == 0);
	CU_ASSERT_EQUAL(deliver("charge.dispute.created", dp, STRIPE_SECRET, 3,
	    0, 200, NULL), 3);
	CU_ASSERT_EQUAL(balance(w.key) - b0, -20000000);
	snprintf(ref, sizeof(ref), "stripe-dispute:%s", dp);
	CU_ASSERT_EQUAL(ref_count(w.key, ref), 1);
}

/*
 * Bad, stale (t − 301 s), future (t + 310 s), missing and malformed
 * signatures and a wrong secret → 400 and no credit; then the OLD of the
 * two configured secrets (rotation) is accepted and credits once.
 */
static void
test_stripe_bad_signatures(void)
{
	struct it_ws w;
	char cs[256], pi[256], sig[1024];
	char *body = NULL;
	long long b0;
	long now = (long)time(NULL);

	NEW_WS(w);
	b0 = balance(w.key);
	CU_ASSERT_FATAL(checkout(w.key, "usd_20", cs, sizeof(cs)) == 0);
	CU_ASSERT_FATAL(complete(cs, NULL, pi, sizeof(pi)) == 0);
	CU_ASSERT_EQUAL(deliver("checkout.session.completed", cs,
	    "whsec_wrong_secret", 1, 0, 400, &body), 1);
	CU_ASSERT_EQUAL(deliver("checkout.session.completed", cs, STRIPE_SECRET,
	    1, now - 301, 400, NULL), 1);
	/* Future: +310, not +301: the server's clock reads later than ours
	   by the time the delivery takes, which shrinks t − now. */
	CU_ASSERT_EQUAL(deliver("checkout.session.completed", cs, STRIPE_SECRET,
	    1, now + 310, 400, NULL), 1);
	CU_ASSERT_FATAL(body != NULL);
	CU_ASSERT_EQUAL(webhook_raw("/api/v1/webhooks/stripe",
	    "Stripe-Signature", NULL, body), 400);
	CU_ASSERT_EQUAL(webhook_raw("/api/v1/webhooks/stripe",
	    "Stripe-Signature", "t=1,v1=zz", body), 400);
	/* A good signature over other bytes (one space added) is a mismatch. */
	CU_ASSERT_FATAL(stripe_sign(body, STRIPE_SECRET, now, sig,
	    sizeof(sig)) == 0);
	{
		size_t n = strlen(body);
		char *b2 = malloc(n + 2);

		CU_ASSERT_FATAL(b2 != NULL);
		memcpy(b2, body, n);
		b2[n] = ' ';
		b2[n + 1] = '\0';
		CU_ASSERT_EQUAL(webhook_raw("/api/v1/webhooks/stripe",
		    "Stripe-Signature", sig, b2), 400);
		free(b2);
	}
	CU_ASSERT_EQUAL(balance(w.key) - b0, 0);
	/* Within tolerance on both sides (t − 290 s) with the old secret. */
	CU_ASSERT_EQUAL(deliver("checkout.session.completed", cs, STRIPE_OLD, 1,
	    now - 290, 200, NULL), 1);
	CU_ASSERT_EQUAL(balance(w.key) - b0, 20000000);
	free(body);
}

/* Unknown event types are acknowledged and change nothing. */
static void
test_stripe_unknown_type(void)
{
	struct it_ws w;
	char pi[256], ch[256];
	long long b0;

	NEW_WS(w);
	CU_ASSERT_FATAL(bought(&w, pi, sizeof(pi), ch, sizeof(ch)) == 0);
	b0 = balance(w.key);
	CU_ASSERT_EQUAL(deliver("charge.succeeded", ch, STRIPE_SECRET, 1, 0, 200,
	    NULL), 1);
	CU_ASSERT_EQUAL(balance(w.key), b0);
}

/*
 * A PaymentIntent outside Checkout (top-up, auto-recharge): the workspace
 * comes from its metadata and exactly amount_received is credited once.
 */
static void
test_stripe_topup_pi_metadata(void)
{
	struct it_ws w;
	struct it_resp r;
	char url[1024], body[512], pi[256], ref[300];
	const char *h[] = { "Authorization: Bearer sk_test_mediagate",
	    "Content-Type: application/x-www-form-urlencoded",
	    "Idempotency-Key: it-topup-", NULL };
	char idem[128], u[37];
	long long b0;

	NEW_WS(w);
	b0 = balance(w.key);
	mg_uuid(u);
	snprintf(idem, sizeof(idem), "Idempotency-Key: it-topup-%s", u);
	h[2] = idem;
	snprintf(url, sizeof(url), "%s/v1/payment_intents", fake(F_STRIPE));
	snprintf(body, sizeof(body), "amount=700&currency=usd&confirm=true&"
	    "payment_method=pm_card_visa&metadata[wallet_id]=%s&"
	    "metadata[workspace_id]=%s", w.ws, w.ws);
	it_req(&r, "POST", url, h, body, strlen(body));
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "status") ? it_str(&r, "status") : "",
	    "succeeded");
	snprintf(pi, sizeof(pi), "%s", it_str(&r, "id") ? it_str(&r, "id") : "");
	it_free(&r);
	CU_ASSERT_FATAL(strncmp(pi, "pi_", 3) == 0);
	CU_ASSERT_EQUAL(deliver("payment_intent.succeeded", pi, STRIPE_SECRET,
	    3, 0, 200, NULL), 3);
	CU_ASSERT_EQUAL(balance(w.key) - b0, 7000000);
	snprintf(ref, sizeof(ref), "stripe:%s", pi);
	CU_ASSERT_EQUAL(ref_count(w.key, ref), 1);
}

/* A claim for another workspace's session or charge → 404. */
static void
test_claim_other_workspace_404(void)
{
	struct it_ws a, b;
	struct it_resp r;
	char cs[256], body[512];

	NEW_WS(a);
	NEW_WS(b);
	CU_ASSERT_FATAL(checkout(a.key, "usd_5", cs, sizeof(cs)) == 0);
	snprintf(body, sizeof(body), "{\"sessionId\":\"%s\"}", cs);
	it_post(&r, "/api/v1/claim/stripe", b.key, body);
	CU_ASSERT_EQUAL(r.status, 404);
	it_free(&r);
	it_post(&r, "/api/v1/claim/stripe", b.key,
	    "{\"sessionId\":\"cs_test_made_up\"}");
	CU_ASSERT_EQUAL(r.status, 404);
	it_free(&r);
	it_post(&r, "/api/v1/claim/crypto", b.key,
	    "{\"chargeId\":\"NOSUCH01\"}");
	CU_ASSERT_EQUAL(r.status, 404);
	it_free(&r);
	it_post(&r, "/api/v1/claim/stripe", b.key, "{}");
	CU_ASSERT_EQUAL(r.status, 400);
	it_free(&r);
}

/* credits dialect: unknown pack → 400; a pack → {url}; paid → credits. */
static void
test_credits_checkout(void)
{
	struct it_ws w;
	struct it_resp r;
	char cs[256], pi[256];
	const char *u, *p;
	long long b0;

	CU_ASSERT_FATAL(it_workspace(&w, NULL, "credits") == 0);
	it_post(&r, "/api/credits/checkout", w.key,
	    "{\"packageId\":\"nonexistent\"}");
	CU_ASSERT(r.status == 400 || r.status == 503);
	it_free(&r);
	it_post(&r, "/api/credits/checkout", w.key,
	    "{\"packageId\":\"starter\",\"returnPath\":\"//evil.example\"}");
	CU_ASSERT_EQUAL(r.status, 400);
	it_free(&r);
	b0 = balance(w.key);
	it_post(&r, "/api/credits/checkout", w.key,
	    "{\"packageId\":\"starter\"}");
	CU_ASSERT_EQUAL(r.status, 200);
	u = it_str(&r, "url");
	CU_ASSERT_PTR_NOT_NULL(u);
	p = u ? strstr(u, "/pay/") : NULL;
	CU_ASSERT_PTR_NOT_NULL(p);
	snprintf(cs, sizeof(cs), "%s", p ? p + 5 : "");
	it_free(&r);
	CU_ASSERT_FATAL(complete(cs, NULL, pi, sizeof(pi)) == 0);
	CU_ASSERT_EQUAL(deliver("checkout.session.completed", cs, STRIPE_SECRET,
	    1, 0, 200, NULL), 1);
	CU_ASSERT_EQUAL(deliver("payment_intent.succeeded", pi, STRIPE_SECRET,
	    1, 0, 200, NULL), 1);
	/* starter: 1,000 credits at $0.01 = $10. */
	CU_ASSERT_EQUAL(balance(w.key) - b0, 10000000);
}

/* -------------------------------------------------------------- Coinbase */

/* A Coinbase charge for pkg; its code into code. */
static int
crypto_checkout(const char *key, const char *pkg, char *code, size_t cap,
    char *id, size_t idcap)
{
	struct it_resp r;
	char body[128];
	int ok;

	snprintf(body, sizeof(body), "{\"packageCode\":\"%s\"}", pkg);
	it_post(&r, "/api/v1/checkout/crypto", key, body);
	ok = r.status == 200 && it_str(&r, "chargeCode") != NULL &&
	    it_str(&r, "chargeId") != NULL;
	if (ok) {
		snprintf(code, cap, "%s", it_str(&r, "chargeCode"));
		snprintf(id, idcap, "%s", it_str(&r, "chargeId"));
	}
	it_free(&r);
	return ok ? 0 : -1;
}

static int
cb_status(const char *code, const char *status)
{
	struct it_resp r;
	char path[256], body[128];
	long st;

	snprintf(path, sizeof(path), "/__control/charges/%s/status", code);
	snprintf(body, sizeof(body), "{\"status\":\"%s\"}", status);
	ctl(&r, F_COINBASE, path, body);
	st = r.status;
	it_free(&r);
	return st == 200 ? 0 : -1;
}

/* The fake delivers a Coinbase event; how many deliveries got want. */
static int
cb_deliver(const char *type, const char *code, const char *secret, int times,
    int want)
{
	struct it_resp r;
	json_object *o, *st;
	char url[512];
	size_t i;
	int n = 0;

	o = json_object_new_object();
	snprintf(url, sizeof(url), "%s/api/v1/webhooks/crypto", it_base());
	json_object_object_add(o, "url", json_object_new_string(url));
	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "code", json_object_new_string(code));
	json_object_object_add(o, "secret", json_object_new_string(secret));
	json_object_object_add(o, "times", json_object_new_int(times));
	ctl(&r, F_COINBASE, "/__control/deliver", json_object_to_json_string(o));
	json_object_put(o);
	if (r.json != NULL && json_object_object_get_ex(r.json, "statuses", &st))
		for (i = 0; i < json_object_array_length(st); i++)
			if (json_object_get_int(json_object_array_get_idx(st,
			    i)) == want)
				n++;
	it_free(&r);
	return n;
}

/* charge:confirmed twice (and again as a new event) + claim → one credit. */
static void
test_coinbase_confirmed_once(void)
{
	struct it_ws w;
	struct it_resp r;
	char code[64], id[64], ref[128], body[256];
	long long b0;

	NEW_WS(w);
	b0 = balance(w.key);
	CU_ASSERT_FATAL(crypto_checkout(w.key, "usd_20", code, sizeof(code), id,
	    sizeof(id)) == 0);
	CU_ASSERT_FATAL(cb_status(code, "COMPLETED") == 0);
	CU_ASSERT_EQUAL(cb_deliver("charge:confirmed", code, CB_SECRET, 2, 200),
	    2);
	CU_ASSERT_EQUAL(cb_deliver("charge:confirmed", code, CB_SECRET, 1, 200),
	    1);
	CU_ASSERT_EQUAL(balance(w.key) - b0, 20000000);
	snprintf(ref, sizeof(ref), "coinbase:%s", code);
	CU_ASSERT_EQUAL(ref_count(w.key, ref), 1);
	snprintf(body, sizeof(body), "{\"chargeId\":\"%s\"}", id);
	it_post(&r, "/api/v1/claim/crypto", w.key, body);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "provider") ? it_str(&r, "provider") :
	    "", "coinbase");
	CU_ASSERT_EQUAL(it_int(&r, "depositUsdCents", -1), 2000);
	it_free(&r);
	CU_ASSERT_EQUAL(balance(w.key) - b0, 20000000);
}

/* A claim before any webhook credits; the webhook after it does not. */
static void
test_coinbase_claim_first(void)
{
	struct it_ws w;
	struct it_resp r;
	char code[64], id[64], body[256];
	long long b0;

	NEW_WS(w);
	b0 = balance(w.key);
	CU_ASSERT_FATAL(crypto_checkout(w.key, "usd_5", code, sizeof(code), id,
	    sizeof(id)) == 0);
	snprintf(body, sizeof(body), "{\"chargeId\":\"%s\"}", code);
	it_post(&r, "/api/v1/claim/crypto", w.key, body);
	CU_ASSERT_EQUAL(r.status, 409);		/* not paid yet */
	it_free(&r);
	CU_ASSERT_FATAL(cb_status(code, "COMPLETED") == 0);
	it_post(&r, "/api/v1/claim/crypto", w.key, body);
	CU_ASSERT_EQUAL(r.status, 200);
	it_free(&r);
	CU_ASSERT_EQUAL(cb_deliver("charge:confirmed", code, CB_SECRET, 1, 200),
	    1);
	CU_ASSERT_EQUAL(balance(w.key) - b0, 5000000);
}

/* charge:resolved (manually resolved) credits once too. */
static void
test_coinbase_resolved(void)
{
	struct it_ws w;
	char code[64], id[64];
	long long b0;

	NEW_WS(w);
	b0 = balance(w.key);
	CU_ASSERT_FATAL(crypto_checkout(w.key, "usd_5", code, sizeof(code), id,
	    sizeof(id)) == 0);
	CU_ASSERT_FATAL(cb_status(code, "UNRESOLVED") == 0);
	CU_ASSERT_EQUAL(cb_deliver("charge:pending", code, CB_SECRET, 1, 200), 1);
	CU_ASSERT_EQUAL(balance(w.key) - b0, 0);
	CU_ASSERT_FATAL(cb_status(code, "RESOLVED") == 0);
	CU_ASSERT_EQUAL(cb_deliver("charge:resolved", code, CB_SECRET, 2, 200),
	    2);
	CU_ASSERT_EQUAL(balance(w.key) - b0, 5000000);
}

/* charge:failed → no credit; a bad signature → 400 and no credit. */
static void
test_coinbase_failed_and_bad_signature(void)
{
	struct it_ws w;
	char code[64], id[64];
	long long b0;

	NEW_WS(w);
	b0 = balance(w.key);
	CU_ASSERT_FATAL(crypto_checkout(w.key, "usd_20", code, sizeof(code), id,
	    sizeof(id)) == 0);
	CU_ASSERT_FATAL(cb_status(code, "FAILED") == 0);
	CU_ASSERT_EQUAL(cb_deliver("charge:failed", code, CB_SECRET, 1, 200), 1);
	CU_ASSERT_EQUAL(balance(w.key) - b0, 0);
	CU_ASSERT_FATAL(crypto_checkout(w.key, "usd_20", code, sizeof(code), id,
	    sizeof(id)) == 0);
	CU_ASSERT_FATAL(cb_status(code, "COMPLETED") == 0);
	CU_ASSERT_EQUAL(cb_deliver("charge:confirmed", code, "cc_wrong_secret", 1,
	    400), 1);
	CU_ASSERT_EQUAL(webhook_raw("/api/v1/webhooks/crypto",
	    "X-CC-Webhook-Signature", NULL, "{\"id\":1}"), 400);
	CU_ASSERT_EQUAL(balance(w.key) - b0, 0);
}

/* ------------------------------------------------------------------ x402 */

/* base64 of a JSON object (heap). */
static char *
b64_json(json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	size_t n = strlen(s), cap = (n + 2) / 3 * 4 + 1;
	char *out = malloc(cap);

	if (out != NULL)
		mg_b64((const unsigned char *)s, n, out, cap);
	return out;
}

/* Decode a base64 header value into JSON. */
static json_object *
unb64_json(const char *v)
{
	unsigned char buf[8192];
	int n = mg_unb64(v, strlen(v), 1, buf, sizeof(buf) - 1);

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return json_tokener_parse((const char *)buf);
}

/* The 402 offer for usdCents; accepts[0] returned (caller puts). */
static json_object *
x402_offer(const char *key, int cents)
{
	struct it_resp r;
	char body[64], hv[8192];
	json_object *req, *acc, *a0 = NULL;

	snprintf(body, sizeof(body), "{\"usdCents\":%d}", cents);
	it_post(&r, "/api/v1/credits/purchase/x402", key, body);
	if (r.status == 402 && it_header(&r, "PAYMENT-REQUIRED", hv,
	    sizeof(hv)) == 0 && (req = unb64_json(hv)) != NULL) {
		if (json_object_object_get_ex(req, "accepts", &acc) &&
		    json_object_array_length(acc) > 0)
			a0 = json_object_get(json_object_array_get_idx(acc, 0));
		json_object_put(req);
	}
	it_free(&r);
	return a0;
}

/* A PAYMENT-SIGNATURE header line for accepted with this nonce/signature. */
static char *
x402_payment(json_object *accepted, const char *nonce, const char *sig)
{
	json_object *p = json_object_new_object(), *pl = json_object_new_object(),
	    *au = json_object_new_object(), *v;
	char vb[32], *b, *line;
	const char *payto = "", *amount = "";

	if (json_object_object_get_ex(accepted, "payTo", &v))
		payto = json_object_get_string(v);
	if (json_object_object_get_ex(accepted, "amount", &v))
		amount = json_object_get_string(v);
	snprintf(vb, sizeof(vb), "%ld", (long)time(NULL) + 600);
	json_object_object_add(au, "from", json_object_new_string(
	    "0x2222222222222222222222222222222222222222"));
	json_object_object_add(au, "to", json_object_new_string(payto));
	json_object_object_add(au, "value", json_object_new_string(amount));
	json_object_object_add(au, "validAfter", json_object_new_string("0"));
	json_object_object_add(au, "validBefore", json_object_new_string(vb));
	json_object_object_add(au, "nonce", json_object_new_string(nonce));
	json_object_object_add(pl, "signature", json_object_new_string(sig));
	json_object_object_add(pl, "authorization", au);
	json_object_object_add(p, "x402Version", json_object_new_int(2));
	json_object_object_add(p, "accepted", json_object_get(accepted));
	json_object_object_add(p, "payload", pl);
	b = b64_json(p);
	json_object_put(p);
	if (b == NULL)
		return NULL;
	line = malloc(strlen(b) + 32);
	if (line != NULL)
		snprintf(line, strlen(b) + 32, "PAYMENT-SIGNATURE: %s", b);
	free(b);
	return line;
}

static long
x402_pay(const char *path, const char *key, const char *payline, int cents,
    char *status, size_t cap)
{
	struct it_resp r;
	char url[512], auth[256], body[64];
	const char *h[4] = { "Content-Type: application/json", auth, payline,
	    NULL };
	long st;

	snprintf(url, sizeof(url), "%s%s", it_base(), path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
	snprintf(body, sizeof(body), "{\"usdCents\":%d}", cents);
	it_req(&r, "POST", url, h, body, strlen(body));
	st = r.status;
	if (status != NULL)
		snprintf(status, cap, "%s", it_str(&r, "status") ?
		    it_str(&r, "status") : "");
	it_free(&r);
	return st;
}

/* 402 with PAYMENT-REQUIRED in the seed's shape. */
static void
test_x402_required_header(void)
{
	struct it_ws w;
	struct it_resp r;
	char hv[8192];
	json_object *req, *v, *acc, *a0;

	NEW_WS(w);
	it_post(&r, "/api/v1/credits/purchase/x402", w.key, "{\"usdCents\":250}");
	CU_ASSERT_EQUAL(r.status, 402);
	CU_ASSERT_FATAL(it_header(&r, "PAYMENT-REQUIRED", hv, sizeof(hv)) == 0);
	it_free(&r);
	req = unb64_json(hv);
	CU_ASSERT_FATAL(req != NULL);
	CU_ASSERT(json_object_object_get_ex(req, "x402Version", &v) &&
	    json_object_get_int(v) == 2);
	CU_ASSERT(json_object_object_get_ex(req, "resource", &v) &&
	    json_object_object_get_ex(v, "url", NULL));
	CU_ASSERT_FATAL(json_object_object_get_ex(req, "accepts", &acc) &&
	    json_object_array_length(acc) == 1);
	a0 = json_object_array_get_idx(acc, 0);
	CU_ASSERT(json_object_object_get_ex(a0, "scheme", &v) &&
	    strcmp(json_object_get_string(v), "exact") == 0);
	CU_ASSERT(json_object_object_get_ex(a0, "amount", &v) &&
	    strcmp(json_object_get_string(v), "2500000") == 0);
	CU_ASSERT(json_object_object_get_ex(a0, "payTo", &v) &&
	    getenv("MG_X402_PAY_TO") != NULL &&
	    strcmp(json_object_get_string(v), getenv("MG_X402_PAY_TO")) == 0);
	CU_ASSERT(json_object_object_get_ex(a0, "network", &v));
	CU_ASSERT(json_object_object_get_ex(a0, "asset", &v));
	CU_ASSERT(json_object_object_get_ex(a0, "maxTimeoutSeconds", &v));
	json_object_put(req);
	/* usdCents below the seed's minimum → 400. */
	it_post(&r, "/api/v1/credits/purchase/x402", w.key, "{\"usdCents\":99}");
	CU_ASSERT_EQUAL(r.status, 400);
	it_free(&r);
}

/* Settle → 201 and credit; the same payment again → 200, no change. */
static void
test_x402_settle_and_replay(void)
{
	struct it_ws w;
	json_object *a0;
	char nonce[80], u[37], st[64], *pay;
	long long b0;

	NEW_WS(w);
	b0 = balance(w.key);
	a0 = x402_offer(w.key, 150);
	CU_ASSERT_FATAL(a0 != NULL);
	mg_uuid(u);
	snprintf(nonce, sizeof(nonce), "0x%s", u);
	pay = x402_payment(a0, nonce, "valid");
	CU_ASSERT_FATAL(pay != NULL);
	CU_ASSERT_EQUAL(x402_pay("/api/v1/credits/purchase/x402", w.key, pay,
	    150, st, sizeof(st)), 201);
	CU_ASSERT_STRING_EQUAL(st, "settled");
	CU_ASSERT_EQUAL(balance(w.key) - b0, 1500000);
	/* Replay, also through the legacy alias. */
	CU_ASSERT_EQUAL(x402_pay("/api/v1/credits/purchase/x402", w.key, pay,
	    150, st, sizeof(st)), 200);
	CU_ASSERT_STRING_EQUAL(st, "already applied");
	CU_ASSERT_EQUAL(x402_pay("/api/v1/deposit/x402", w.key, pay, 150, NULL,
	    0), 200);
	/* The same payment under the v1 header name X-PAYMENT. */
	{
		const char *b64 = strchr(pay, ' ');
		char *xp = malloc(strlen(pay) + 16);

		CU_ASSERT_FATAL(b64 != NULL && xp != NULL);
		snprintf(xp, strlen(pay) + 16, "X-PAYMENT:%s", b64);
		CU_ASSERT_EQUAL(x402_pay("/api/v1/credits/purchase/x402", w.key,
		    xp, 150, st, sizeof(st)), 200);
		CU_ASSERT_STRING_EQUAL(st, "already applied");
		free(xp);
	}
	CU_ASSERT_EQUAL(balance(w.key) - b0, 1500000);
	CU_ASSERT_EQUAL(ref_prefix_count(w.key, "x402:"), 1);
	/* A payment for another amount than the body asks → 402. */
	CU_ASSERT_EQUAL(x402_pay("/api/v1/credits/purchase/x402", w.key, pay,
	    500, NULL, 0), 402);
	free(pay);
	json_object_put(a0);
}

/* The facilitator rejects (verify, then settle) → 402, nothing credited. */
static void
test_x402_rejected(void)
{
	struct it_ws w;
	struct it_resp r;
	json_object *a0;
	char nonce[80], u[37], *pay;
	long long b0;

	NEW_WS(w);
	b0 = balance(w.key);
	a0 = x402_offer(w.key, 200);
	CU_ASSERT_FATAL(a0 != NULL);
	mg_uuid(u);
	snprintf(nonce, sizeof(nonce), "0x%s", u);
	pay = x402_payment(a0, nonce, "forged");
	CU_ASSERT_EQUAL(x402_pay("/api/v1/credits/purchase/x402", w.key, pay,
	    200, NULL, 0), 402);
	free(pay);
	ctl(&r, F_X402, "/__control/rules", "{\"op\":\"settle\",\"result\":"
	    "{\"success\":false,\"errorReason\":\"insufficient_funds\","
	    "\"transaction\":\"\"}}");
	CU_ASSERT_EQUAL(r.status, 200);
	it_free(&r);
	mg_uuid(u);
	snprintf(nonce, sizeof(nonce), "0x%s", u);
	pay = x402_payment(a0, nonce, "valid");
	CU_ASSERT_EQUAL(x402_pay("/api/v1/credits/purchase/x402", w.key, pay,
	    200, NULL, 0), 402);
	free(pay);
	CU_ASSERT_EQUAL(balance(w.key) - b0, 0);
	json_object_put(a0);
}

/* ------------------------------------------------------------------------ */

static void
test_ledger_verify_after(void)
{
	CU_ASSERT_EQUAL(it_mgctl_status("ledger verify"), 0);
}

static int
suite_init(void)
{
	/* Without the fakes nothing here can pass: fail loudly, never skip. */
	return fake(F_STRIPE)[0] && fake(F_COINBASE)[0] && fake(F_X402)[0] ?
	    0 : -1;
}

static const struct mgt_case stripe_cases[] = {
	{ "packages_public", test_packages_public },
	{ "gone_routes_410", test_gone_routes },
	{ "checkout_rejects_bad_body", test_checkout_rejects_unknown_package },
	{ "buy_package_once_all_paths", test_stripe_buy_package_once },
	{ "event_delivered_50_times_one_credit", test_stripe_event_50_times },
	{ "reordered_pi_first_bonus_package", test_stripe_reordered_bonus },
	{ "async_payment_waits_then_credits", test_stripe_async_payment },
	{ "expired_and_failed_no_credit", test_stripe_expired_and_failed },
	{ "race_session_pi_claim_processes", test_stripe_race_processes },
	{ "partial_refunds_debit_increases", test_stripe_partial_refunds },
	{ "dispute_debits_once", test_stripe_dispute },
	{ "bad_stale_future_missing_signatures", test_stripe_bad_signatures },
	{ "unknown_type_acknowledged", test_stripe_unknown_type },
	{ "topup_pi_workspace_from_metadata", test_stripe_topup_pi_metadata },
	{ "claim_other_workspace_404", test_claim_other_workspace_404 },
	{ "credits_checkout_pack", test_credits_checkout },
	{ NULL, NULL }
};

static const struct mgt_case coinbase_cases[] = {
	{ "confirmed_twice_one_credit", test_coinbase_confirmed_once },
	{ "claim_first_then_webhook", test_coinbase_claim_first },
	{ "resolved_credits_once", test_coinbase_resolved },
	{ "failed_and_bad_signature", test_coinbase_failed_and_bad_signature },
	{ NULL, NULL }
};

static const struct mgt_case x402_cases[] = {
	{ "required_header_shape", test_x402_required_header },
	{ "settle_201_replay_200", test_x402_settle_and_replay },
	{ "facilitator_rejection_402", test_x402_rejected },
	{ NULL, NULL }
};

static const struct mgt_case verify_cases[] = {
	{ "ledger_verify_after", test_ledger_verify_after },
	{ NULL, NULL }
};

int
main(void)
{
	mg_crypto_init();
	mgt_suite("payments_stripe", suite_init, NULL, stripe_cases);
	mgt_suite("payments_coinbase", suite_init, NULL, coinbase_cases);
	mgt_suite("payments_x402", suite_init, NULL, x402_cases);
	mgt_suite("payments_verify", NULL, NULL, verify_cases);
	return mgt_run();
}
