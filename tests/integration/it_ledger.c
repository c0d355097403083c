/*
 * it_ledger: the ledger core against a running stack (tests/it.sh):
 * concurrent reservations, capture ≤ hold, settle once, negative wallets,
 * the expiry reaper, Idempotency-Key through real routes, auto-recharge
 * once per crossing, top-up errors, the balance shapes of three dialects,
 * BYO keys never returned, and `mgctl ledger verify` catching a broken
 * wallet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "it.h"
#include "mg_config.h"
#include "mg_crypto.h"
#include "mgtest.h"
#include "wallet.h"

#define USD(x)	((int64_t)(x) * 1000000LL)
/* The mariadb client as the database owner (the stack's OS user). */
#define ADMIN_CLI	"mariadb --no-defaults --protocol=socket " \
	"--socket=\"$MG_DB_SOCKET\" -u\"$(id -un)\""

static struct db_conn *wdb;	/* role wallet, like the wallet pool */

static int
setup(void)
{
	mg_cfg_load(NULL);
	mg_crypto_init();
	wdb = db_open(DB_ROLE_WALLET);
	return wdb == NULL ? -1 : 0;
}

static int
teardown(void)
{
	db_close(wdb);
	return 0;
}

static void
wallet_of(const char *ws, int64_t *bal, int64_t *res)
{
	*bal = *res = -1;
	CU_ASSERT_EQUAL_FATAL(db_row(wdb, DB_WALLET_GET, "s", "ii", ws, bal,
	    res), DB_OK);
}

static void
grant(const char *ws, int64_t micros)
{
	char ref[64], id[37];

	mg_uuid(id);
	snprintf(ref, sizeof(ref), "grant:it:%s", id);
	CU_ASSERT_EQUAL(wallet_credit(wdb, ws, "grant", micros, ref, "it"),
	    WALLET_OK);
}

struct op {
	const char	*ws, *job, *key;
	int64_t		 hold, actual;
	int		 kind;	/* 0 hold, 1 capture, 2 release, 3 hold+capture */
	enum wallet_err	 result;
};

static int
op_tx(struct db_conn *db, void *arg)
{
	struct op *o = arg;

	switch (o->kind) {
	case 0:
		o->result = wallet_hold_tx(db, o->ws, o->job, o->key, o->hold, "it");
		break;
	case 1:
		o->result = wallet_capture_tx(db, o->ws, o->job, o->key, o->hold,
		    o->actual, "it");
		break;
	case 2:
		o->result = wallet_release_tx(db, o->ws, o->job, o->key, o->hold,
		    "it");
		break;
	default:
		o->result = wallet_hold_tx(db, o->ws, o->job, o->key, o->hold, "it");
		if (o->result == WALLET_OK)
			o->result = wallet_capture_tx(db, o->ws, o->job, o->key,
			    o->hold, o->actual, "it");
	}
	if (o->result == WALLET_RETRY)
		return DB_RETRY;
	return o->result == WALLET_OK ? DB_OK : DB_ERR__MAX + 1;
}

/* Run one operation in its own transaction; the wallet_err. */
static enum wallet_err
run_op(struct db_conn *db, const char *ws, const char *job, const char *key,
    int kind, int64_t hold, int64_t actual)
{
	struct op o = { ws, job, key, hold, actual, kind, WALLET_DB };
	int rc = db_tx(db, op_tx, &o);

	if (rc == DB_OK)
		return WALLET_OK;
	return rc == DB_ERR__MAX + 1 ? o.result : WALLET_DB;
}

static void
new_ws(struct it_ws *w)
{
	CU_ASSERT_EQUAL_FATAL(it_workspace(w, NULL, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(wallet_ensure(wdb, w->ws), WALLET_OK);
}

/*
 * Fork n processes, each with its own connection as role wallet; release
 * them at once (a closed pipe) into op(db, i, arg), which returns a
 * wallet_err. counts[0] = WALLET_OK, counts[1] = expect, counts[2] =
 * anything else (or a process that did not exit normally).
 */
static void
race(int n, enum wallet_err (*op)(struct db_conn *, int, void *), void *arg,
    enum wallet_err expect, int counts[3])
{
	int gate[2], i, st;
	pid_t pids[64];

	counts[0] = counts[1] = counts[2] = 0;
	CU_ASSERT_FATAL(n <= 64);
	CU_ASSERT_EQUAL_FATAL(pipe(gate), 0);
	fflush(NULL);
	for (i = 0; i < n; i++) {
		if ((pids[i] = fork()) == 0) {
			struct db_conn *db;
			enum wallet_err e;
			char c;

			close(gate[1]);
			if ((db = db_open(DB_ROLE_WALLET)) == NULL)
				_exit(3);
			(void)db_ensure(db);
			/* Wait until every process is connected. */
			(void)!read(gate[0], &c, 1);
			e = op(db, i, arg);
			db_close(db);
			_exit(e == WALLET_OK ? 0 : e == expect ? 1 : 2);
		}
	}
	close(gate[0]);
	usleep(300000);
	close(gate[1]);	/* open the gate: EOF for all at once */
	for (i = 0; i < n; i++) {
		if (waitpid(pids[i], &st, 0) != pids[i] || !WIFEXITED(st) ||
		    WEXITSTATUS(st) > 2)
			counts[2]++;
		else
			counts[WEXITSTATUS(st)]++;
	}
}

struct hold_race {
	const struct it_ws	*w;
	char			 jobs[64][37];
	int64_t			 amount;
	int			 self;
};

static enum wallet_err
hold_one(struct db_conn *db, int i, void *arg)
{
	struct hold_race *h = arg;

	return h->self ? wallet_hold(db, h->w->ws, h->jobs[i], h->w->key_id,
	    h->amount, 600, "it") : run_op(db, h->w->ws, h->jobs[i],
	    h->w->key_id, 0, h->amount, 0);
}

/*
 * 64 processes, each its own connection as role wallet, one hold each,
 * against a wallet covering exactly 10: exactly 10 succeed. self = 0: the
 * hold inside a caller's transaction (wallet_hold_tx, as a job submit);
 * 1: its own autocommit transaction (wallet_hold).
 */
static void
concurrent_holds(int self)
{
	struct it_ws w;
	struct hold_race h;
	int64_t bal, res;
	int i, n[3];

	new_ws(&w);
	wallet_of(w.ws, &bal, &res);
	CU_ASSERT_EQUAL_FATAL(res, 0);
	h.w = &w;
	h.self = self;
	h.amount = bal / 10 + 100000;
	grant(w.ws, 10 * h.amount - bal);
	wallet_of(w.ws, &bal, &res);
	CU_ASSERT_EQUAL_FATAL(bal, 10 * h.amount);
	for (i = 0; i < 64; i++)
		mg_uuid(h.jobs[i]);
	race(64, hold_one, &h, WALLET_INSUFFICIENT, n);
	CU_ASSERT_EQUAL(n[0], 10);
	CU_ASSERT_EQUAL(n[1], 54);
	CU_ASSERT_EQUAL(n[2], 0);
	wallet_of(w.ws, &bal, &res);
	CU_ASSERT_EQUAL(res, 10 * h.amount);
	CU_ASSERT_EQUAL(bal, 10 * h.amount);
	CU_ASSERT_EQUAL(it_mgctl_status("ledger verify"), 0);
	/* Release them all: back to nothing reserved. */
	for (i = 0; i < 64; i++)
		(void)run_op(wdb, w.ws, h.jobs[i], w.key_id, 2, h.amount, 0);
	wallet_of(w.ws, &bal, &res);
	CU_ASSERT_EQUAL(res, 0);
	CU_ASSERT_EQUAL(bal, 10 * h.amount);
	CU_ASSERT_EQUAL(it_mgctl_status("ledger verify"), 0);
}

static void
t_64_concurrent_holds(void)
{
	concurrent_holds(0);
}

static void
t_64_concurrent_self_tx_holds(void)
{
	concurrent_holds(1);
}

struct settle_race {
	const struct it_ws	*w;
	const char		*job;
};

/* Odd processes capture 200000 of the 500000 hold, even ones release it. */
static enum wallet_err
settle_one(struct db_conn *db, int i, void *arg)
{
	struct settle_race *r = arg;

	return wallet_settle(db, r->w->ws, r->job, r->w->key_id, 500000,
	    i % 2 ? 200000 : 0, "it");
}

/*
 * 16 processes settle the same hold at once, half capturing and half
 * releasing (the dispatcher, a cancel, the reaper): exactly one wins, the
 * others get WALLET_DUPLICATE, and the money moved once.
 */
static void
t_16_concurrent_settles(void)
{
	struct it_ws w;
	struct settle_race r;
	int64_t bal0, bal, res;
	char job[37];
	int n[3];

	new_ws(&w);
	grant(w.ws, USD(1));
	wallet_of(w.ws, &bal0, &res);
	mg_uuid(job);
	CU_ASSERT_EQUAL_FATAL(wallet_hold(wdb, w.ws, job, w.key_id, 500000, 600,
	    "it"), WALLET_OK);
	r.w = &w;
	r.job = job;
	race(16, settle_one, &r, WALLET_DUPLICATE, n);
	CU_ASSERT_EQUAL(n[0], 1);
	CU_ASSERT_EQUAL(n[1], 15);
	CU_ASSERT_EQUAL(n[2], 0);
	wallet_of(w.ws, &bal, &res);
	CU_ASSERT_EQUAL(res, 0);
	/* one capture of 200000 or one release: nothing else */
	CU_ASSERT(bal == bal0 || bal == bal0 - 200000);
	CU_ASSERT_EQUAL(it_mgctl_status("ledger verify"), 0);
}

/* Capture at most the hold; the rest is released; a settle ends it once. */
static void
t_capture_le_hold_and_settle_once(void)
{
	struct it_ws w;
	int64_t bal0, bal, res;
	char job[37];

	new_ws(&w);
	grant(w.ws, USD(2));
	wallet_of(w.ws, &bal0, &res);
	mg_uuid(job);
	CU_ASSERT_EQUAL(run_op(wdb, w.ws, job, w.key_id, 0, 1000000, 0), WALLET_OK);
	wallet_of(w.ws, &bal, &res);
	CU_ASSERT_EQUAL(res, 1000000);
	/* More than the hold: refused before anything is written. */
	CU_ASSERT_EQUAL(run_op(wdb, w.ws, job, w.key_id, 1, 1000000, 1000001),
	    WALLET_BAD_AMOUNT);
	/* Claiming a bigger hold than the real one: no such open hold. */
	CU_ASSERT_EQUAL(run_op(wdb, w.ws, job, w.key_id, 1, 2000000, 1500000),
	    WALLET_NO_HOLD);
	CU_ASSERT_EQUAL(run_op(wdb, w.ws, job, w.key_id, 1, 1000000, 600000),
	    WALLET_OK);
	wallet_of(w.ws, &bal, &res);
	CU_ASSERT_EQUAL(bal, bal0 - 600000);
	CU_ASSERT_EQUAL(res, 0);
	/* Second settle of the same hold: duplicate, money unchanged. */
	CU_ASSERT_EQUAL(run_op(wdb, w.ws, job, w.key_id, 2, 1000000, 0),
	    WALLET_DUPLICATE);
	CU_ASSERT_EQUAL(run_op(wdb, w.ws, job, w.key_id, 1, 1000000, 1000),
	    WALLET_DUPLICATE);
	wallet_of(w.ws, &bal, &res);
	CU_ASSERT_EQUAL(bal, bal0 - 600000);
	CU_ASSERT_EQUAL(res, 0);
	/* A second hold for the same job: duplicate. */
	CU_ASSERT_EQUAL(run_op(wdb, w.ws, job, w.key_id, 0, 1000, 0),
	    WALLET_DUPLICATE);
	CU_ASSERT_EQUAL(it_mgctl_status("ledger verify"), 0);
}

/* Refund and chargeback may go below zero; then no hold is accepted. */
static void
t_negative_wallet_refuses_holds(void)
{
	struct it_ws w;
	int64_t bal0, bal, res;
	char job[37], ref[64], id[37];

	new_ws(&w);
	grant(w.ws, USD(1));
	wallet_of(w.ws, &bal0, &res);
	mg_uuid(id);
	snprintf(ref, sizeof(ref), "stripe:re_%s", id);
	CU_ASSERT_EQUAL(wallet_debit(wdb, w.ws, "refund", bal0 + 500000, ref,
	    "refund"), WALLET_OK);
	CU_ASSERT_EQUAL(wallet_debit(wdb, w.ws, "refund", bal0 + 500000, ref,
	    "refund"), WALLET_DUPLICATE);
	snprintf(ref, sizeof(ref), "stripe:dp_%s", id);
	CU_ASSERT_EQUAL(wallet_debit(wdb, w.ws, "chargeback", 250000, ref,
	    "dispute"), WALLET_OK);
	wallet_of(w.ws, &bal, &res);
	CU_ASSERT_EQUAL(bal, -750000);
	mg_uuid(job);
	CU_ASSERT_EQUAL(run_op(wdb, w.ws, job, w.key_id, 0, 1, 0),
	    WALLET_INSUFFICIENT);
	snprintf(ref, sizeof(ref), "adjust:%s", id);
	CU_ASSERT_EQUAL(wallet_adjust(wdb, w.ws, 750000 + 1000, ref, "fix"),
	    WALLET_OK);
	CU_ASSERT_EQUAL(run_op(wdb, w.ws, job, w.key_id, 0, 1000, 0), WALLET_OK);
	CU_ASSERT_EQUAL(run_op(wdb, w.ws, job, w.key_id, 2, 1000, 0), WALLET_OK);
	CU_ASSERT_EQUAL(it_mgctl_status("ledger verify"), 0);
}

/* An expired hold is released once by the reaper, whoever else tries. */
static void
t_expired_hold_reaped_once(void)
{
	struct it_ws w;
	struct op o;
	int64_t bal0, bal, res, amt;
	char job[37], ws[37], state[16];
	int n1;

	new_ws(&w);
	grant(w.ws, USD(1));
	wallet_of(w.ws, &bal0, &res);
	mg_uuid(job);
	o = (struct op){ w.ws, job, w.key_id, 300000, 0, 0, WALLET_DB };
	CU_ASSERT_EQUAL(db_begin(wdb), DB_OK);
	CU_ASSERT_EQUAL(wallet_hold_ttl_tx(wdb, w.ws, job, w.key_id, 300000, 5,
	    "short"), WALLET_OK);
	CU_ASSERT_EQUAL(db_commit(wdb), DB_OK);
	(void)o;
	wallet_of(w.ws, &bal, &res);
	CU_ASSERT_EQUAL(res, 300000);
	/* Not yet expired at "now - 1 hour". */
	(void)wallet_reap_expired(wdb, (int64_t)time(NULL) - 3600, 1000);
	CU_ASSERT_EQUAL(db_row(wdb, DB_HOLD_GET, "s", "sis", job, ws,
	    sizeof(ws), &amt, state, sizeof(state)), DB_OK);
	CU_ASSERT_STRING_EQUAL(state, "open");
	/* (a running dispatcher's timer may reap it first: either way once) */
	n1 = wallet_reap_expired(wdb, (int64_t)time(NULL) + 30, 1000);
	CU_ASSERT(n1 >= 0);
	CU_ASSERT_EQUAL(db_row(wdb, DB_HOLD_GET, "s", "sis", job, ws,
	    sizeof(ws), &amt, state, sizeof(state)), DB_OK);
	CU_ASSERT_STRING_EQUAL(state, "released");
	wallet_of(w.ws, &bal, &res);
	CU_ASSERT_EQUAL(res, 0);
	CU_ASSERT_EQUAL(bal, bal0);
	/* Reaped again / captured late: nothing changes. */
	(void)wallet_reap_expired(wdb, (int64_t)time(NULL) + 30, 1000);
	CU_ASSERT_EQUAL(run_op(wdb, w.ws, job, w.key_id, 1, 300000, 300000),
	    WALLET_DUPLICATE);
	wallet_of(w.ws, &bal, &res);
	CU_ASSERT_EQUAL(res, 0);
	CU_ASSERT_EQUAL(bal, bal0);
	CU_ASSERT_EQUAL(it_mgctl_status("wallet reap"), 0);
	CU_ASSERT_EQUAL(it_mgctl_status("ledger verify"), 0);
}

/* ---- Stripe fake helpers --------------------------------------------- */

static const char *
fake_stripe(void)
{
	const char *u = getenv("MG_FAKE_STRIPE_URL");

	return u ? u : "";
}

/* A customer in the Stripe fake, set on the workspace by mgctl. */
static void
stripe_customer(const char *ws, char *cus, size_t cap)
{
	struct it_resp r;
	char url[512];
	static const char *const h[] = {
		"Authorization: Bearer sk_test_mediagate",
		"Content-Type: application/x-www-form-urlencoded", NULL };
	const char *id;

	*cus = '\0';
	snprintf(url, sizeof(url), "%s/v1/customers", fake_stripe());
	CU_ASSERT_EQUAL_FATAL(it_req(&r, "POST", url, h, "email=it%40x.test", 17), 0);
	CU_ASSERT_EQUAL(r.status, 200);
	id = it_str(&r, "id");
	CU_ASSERT_PTR_NOT_NULL_FATAL(id);
	snprintf(cus, cap, "%s", id);
	it_free(&r);
	CU_ASSERT_EQUAL_FATAL(it_mgctl_status("workspace set-stripe-customer %s %s",
	    ws, cus), 0);
}

/* PaymentIntents the fake received for customer cus. */
static int
stripe_pi_count(const char *cus)
{
	struct it_resp r;
	char url[512];
	size_t i;
	int n = 0;
	json_object *e, *f, *c;

	snprintf(url, sizeof(url), "%s/__control/requests?path=/v1/payment_intents"
	    "&method=POST", fake_stripe());
	if (it_req(&r, "GET", url, NULL, NULL, 0) != 0 || r.json == NULL)
		return -1;
	for (i = 0; json_object_is_type(r.json, json_type_array) &&
	    i < json_object_array_length(r.json); i++) {
		e = json_object_array_get_idx(r.json, i);
		if (json_object_object_get_ex(e, "form", &f) &&
		    json_object_object_get_ex(f, "customer", &c) &&
		    strcmp(json_object_get_string(c), cus) == 0)
			n++;
	}
	it_free(&r);
	return n;
}

static int
post_h(struct it_resp *r, const char *path, const char *key,
    const char *idem, const char *body)
{
	char url[512], auth[200], ih[400];
	const char *h[4] = { auth, "Content-Type: application/json", NULL, NULL };

	snprintf(url, sizeof(url), "%s%s", it_base(), path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
	if (idem != NULL) {
		snprintf(ih, sizeof(ih), "Idempotency-Key: %s", idem);
		h[2] = ih;
	}
	return it_req(r, "POST", url, h, body, strlen(body));
}

/* Idempotency-Key on POST /v1/wallet/topup: replay, mismatch, in flight, bad key. */
static void
t_idempotency_topup(void)
{
	struct it_ws w;
	struct it_resp a, b;
	char cus[64], idem[64], id2[64], rep[16], big[300], url[512];
	int before, st;
	pid_t pid;

	new_ws(&w);
	stripe_customer(w.ws, cus, sizeof(cus));
	mg_uuid(idem);
	CU_ASSERT_EQUAL_FATAL(post_h(&a, "/v1/wallet/topup", w.key, idem,
	    "{\"amount_usd\": 10}"), 0);
	CU_ASSERT_EQUAL(a.status, 200);
	CU_ASSERT_PTR_NOT_NULL(it_str(&a, "payment_intent_id"));
	CU_ASSERT_PTR_NOT_NULL(it_str(&a, "client_secret"));
	CU_ASSERT_EQUAL(it_header(&a, "Idempotent-Replayed", rep, sizeof(rep)) == 0, 0);
	CU_ASSERT_EQUAL(stripe_pi_count(cus), 1);
	/* Same key, same body: the first answer again, no new PaymentIntent. */
	CU_ASSERT_EQUAL_FATAL(post_h(&b, "/v1/wallet/topup", w.key, idem,
	    "{\"amount_usd\": 10}"), 0);
	CU_ASSERT_EQUAL(b.status, 200);
	CU_ASSERT_EQUAL(b.len, a.len);
	CU_ASSERT(a.body && b.body && strcmp(a.body, b.body) == 0);
	CU_ASSERT_EQUAL(it_header(&b, "Idempotent-Replayed", rep, sizeof(rep)), 0);
	CU_ASSERT_STRING_EQUAL(rep, "true");
	CU_ASSERT_EQUAL(stripe_pi_count(cus), 1);
	it_free(&b);
	/* Same key, other body: 422 idempotency_error. */
	CU_ASSERT_EQUAL_FATAL(post_h(&b, "/v1/wallet/topup", w.key, idem,
	    "{\"amount_usd\": 11}"), 0);
	CU_ASSERT_EQUAL(b.status, 422);
	CU_ASSERT_STRING_EQUAL(it_str(&b, "error.code"), "idempotency_error");
	CU_ASSERT_EQUAL(stripe_pi_count(cus), 1);
	it_free(&b);
	it_free(&a);
	/* Key over 255 characters: 400. */
	memset(big, 'k', 256);
	big[256] = '\0';
	CU_ASSERT_EQUAL_FATAL(post_h(&b, "/v1/wallet/topup", w.key, big,
	    "{\"amount_usd\": 10}"), 0);
	CU_ASSERT_EQUAL(b.status, 400);
	it_free(&b);
	/* In flight: the fake holds the PaymentIntent call for 3 s. */
	snprintf(url, sizeof(url), "%s/__control/faults", fake_stripe());
	{
		static const char f[] = "{\"hang_ms\":3000,\"count\":1,\"match\":"
		    "{\"method\":\"POST\",\"path\":\"/v1/payment_intents\"}}";
		static const char *const h[] = { "Content-Type: application/json", NULL };

		CU_ASSERT_EQUAL_FATAL(it_req(&b, "POST", url, h, f, strlen(f)), 0);
		CU_ASSERT_EQUAL(b.status, 200);
		it_free(&b);
	}
	mg_uuid(id2);
	before = stripe_pi_count(cus);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		struct it_resp c;

		if (post_h(&c, "/v1/wallet/topup", w.key, id2,
		    "{\"amount_usd\": 7}") != 0)
			_exit(2);
		_exit(c.status == 200 ? 0 : 1);
	}
	/* Wait until the first request reached Stripe (logged before the hang). */
	for (st = 0; st < 200 && stripe_pi_count(cus) == before; st++)
		usleep(20000);
	CU_ASSERT_EQUAL_FATAL(post_h(&b, "/v1/wallet/topup", w.key, id2,
	    "{\"amount_usd\": 7}"), 0);
	CU_ASSERT_EQUAL(b.status, 409);
	CU_ASSERT_STRING_EQUAL(it_str(&b, "error.code"), "idempotency_in_flight");
	it_free(&b);
	CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
	CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CU_ASSERT_EQUAL_FATAL(post_h(&b, "/v1/wallet/topup", w.key, id2,
	    "{\"amount_usd\": 7}"), 0);
	CU_ASSERT_EQUAL(b.status, 200);
	CU_ASSERT_EQUAL(it_header(&b, "Idempotent-Replayed", rep, sizeof(rep)), 0);
	it_free(&b);
	CU_ASSERT_EQUAL(stripe_pi_count(cus), before + 1);
}

/* Idempotency-Key on the prepaid and credits checkouts (payments' routes). */
static void
t_idempotency_other_dialects(void)
{
	struct it_ws w, wc;
	struct it_resp a, b;
	char idem[64], rep[16];

	CU_ASSERT_EQUAL_FATAL(it_workspace(&w, NULL, "prepaid"), 0);
	mg_uuid(idem);
	CU_ASSERT_EQUAL_FATAL(post_h(&a, "/api/v1/checkout/stripe", w.key, idem,
	    "{\"packageCode\":\"usd_20\"}"), 0);
	CU_ASSERT_EQUAL(a.status, 200);
	CU_ASSERT_PTR_NOT_NULL(it_str(&a, "sessionId"));
	CU_ASSERT_EQUAL_FATAL(post_h(&b, "/api/v1/checkout/stripe", w.key, idem,
	    "{\"packageCode\":\"usd_20\"}"), 0);
	CU_ASSERT_EQUAL(b.status, 200);
	CU_ASSERT(a.body && b.body && strcmp(a.body, b.body) == 0);
	CU_ASSERT_EQUAL(it_header(&b, "Idempotent-Replayed", rep, sizeof(rep)), 0);
	it_free(&b);
	it_free(&a);
	CU_ASSERT_EQUAL_FATAL(post_h(&b, "/api/v1/checkout/stripe", w.key, idem,
	    "{\"packageCode\":\"usd_50\"}"), 0);
	CU_ASSERT_EQUAL(b.status, 422);
	CU_ASSERT_STRING_EQUAL(it_str(&b, "error.code"), "idempotency_error");
	it_free(&b);
	/* The same key in another workspace is another key. */
	CU_ASSERT_EQUAL_FATAL(it_workspace(&wc, NULL, "credits"), 0);
	CU_ASSERT_EQUAL_FATAL(post_h(&a, "/api/credits/checkout", wc.key, idem,
	    "{\"packageId\":\"starter\"}"), 0);
	CU_ASSERT_EQUAL(a.status, 200);
	CU_ASSERT_PTR_NOT_NULL(it_str(&a, "url"));
	CU_ASSERT_EQUAL_FATAL(post_h(&b, "/api/credits/checkout", wc.key, idem,
	    "{\"packageId\":\"starter\"}"), 0);
	CU_ASSERT_EQUAL(b.status, 200);
	CU_ASSERT(a.body && b.body && strcmp(a.body, b.body) == 0);
	CU_ASSERT_EQUAL(it_header(&b, "Idempotent-Replayed", rep, sizeof(rep)), 0);
	it_free(&b);
	it_free(&a);
	CU_ASSERT_EQUAL_FATAL(post_h(&b, "/api/credits/checkout", wc.key, idem,
	    "{\"packageId\":\"creator\"}"), 0);
	CU_ASSERT_EQUAL(b.status, 422);
	CU_ASSERT_STRING_EQUAL(it_str(&b, "error.code"), "IDEMPOTENCY_ERROR");
	it_free(&b);
}

/* POST /v1/wallet/topup: validation, no customer (400), Stripe failure (502). */
static void
t_topup_errors(void)
{
	struct it_ws w;
	struct it_resp r;
	char cus[64];

	new_ws(&w);
	CU_ASSERT_EQUAL_FATAL(it_post(&r, "/v1/wallet/topup", w.key,
	    "{\"amount_usd\": 10}"), 0);
	CU_ASSERT_EQUAL(r.status, 400);
	CU_ASSERT(r.body && strstr(r.body, "Stripe customer") != NULL);
	it_free(&r);
	stripe_customer(w.ws, cus, sizeof(cus));
	CU_ASSERT_EQUAL_FATAL(it_post(&r, "/v1/wallet/topup", w.key,
	    "{\"amount_usd\": 4.99}"), 0);
	CU_ASSERT_EQUAL(r.status, 400);
	it_free(&r);
	CU_ASSERT_EQUAL_FATAL(it_post(&r, "/v1/wallet/topup", w.key,
	    "{\"amount_usd\": 1000.01}"), 0);
	CU_ASSERT_EQUAL(r.status, 400);
	it_free(&r);
	CU_ASSERT_EQUAL_FATAL(it_post(&r, "/v1/wallet/topup", w.key,
	    "{\"amount_usd\": \"10\"}"), 0);
	CU_ASSERT_EQUAL(r.status, 400);
	it_free(&r);
	/* A declined card, confirmed off-session: Stripe's 402 → 502. */
	CU_ASSERT_EQUAL_FATAL(it_post(&r, "/v1/wallet/topup", w.key,
	    "{\"amount_usd\": 10, \"payment_method_id\": \"pm_card_chargeDeclined\"}"), 0);
	CU_ASSERT_EQUAL(r.status, 502);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "error.code"), "upstream_error");
	CU_ASSERT(r.body && strstr(r.body, "declined") != NULL);
	it_free(&r);
	/* A good card, confirmed off-session: succeeded, no client secret. */
	CU_ASSERT_EQUAL_FATAL(it_post(&r, "/v1/wallet/topup", w.key,
	    "{\"amount_usd\": 25.5, \"payment_method_id\": \"pm_card_visa\"}"), 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "status"), "succeeded");
	CU_ASSERT_PTR_NULL(it_str(&r, "client_secret"));
	it_free(&r);
}

/* Concurrent captures crossing the threshold: exactly one PaymentIntent. */
static void
t_autorecharge_once_per_crossing(void)
{
	struct it_ws w;
	struct it_resp r;
	char cus[64], jobs[16][37], job[37], ref[64];
	int64_t bal, res;
	int i, st, ok = 0;
	pid_t pids[16];

	new_ws(&w);
	stripe_customer(w.ws, cus, sizeof(cus));
	/* The seed's oneOf: bad shapes first. */
	CU_ASSERT_EQUAL_FATAL(it_post(&r, "/v1/wallet/auto-recharge", w.key,
	    "{\"enabled\": true, \"threshold_usd\": 5}"), 0);
	CU_ASSERT_EQUAL(r.status, 400);
	it_free(&r);
	CU_ASSERT_EQUAL_FATAL(it_post(&r, "/v1/wallet/auto-recharge", w.key,
	    "{\"enabled\": true, \"threshold_usd\": 101, \"amount_usd\": 10,"
	    " \"stripe_payment_method_id\": \"pm_card_visa\"}"), 0);
	CU_ASSERT_EQUAL(r.status, 400);
	it_free(&r);
	CU_ASSERT_EQUAL_FATAL(it_post(&r, "/v1/wallet/auto-recharge", w.key,
	    "{\"enabled\": true, \"threshold_usd\": 5, \"amount_usd\": 10,"
	    " \"stripe_payment_method_id\": \"pm_card_visa\"}"), 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_EQUAL(json_object_get_boolean(json_object_object_get(r.json,
	    "enabled")), 1);
	it_free(&r);
	wallet_of(w.ws, &bal, &res);
	grant(w.ws, USD(6) - bal);	/* available $6, threshold $5 */
	CU_ASSERT_EQUAL(wallet_autorecharge_check(wdb, w.ws), WALLET_OK);
	CU_ASSERT_EQUAL(stripe_pi_count(cus), 0);
	for (i = 0; i < 16; i++)
		mg_uuid(jobs[i]);
	fflush(NULL);
	for (i = 0; i < 16; i++) {
		if ((pids[i] = fork()) == 0) {
			struct db_conn *db = db_open(DB_ROLE_WALLET);
			enum wallet_err e;

			if (db == NULL)
				_exit(3);
			e = run_op(db, w.ws, jobs[i], w.key_id, 3, 250000, 250000);
			if (e != WALLET_OK)
				_exit(10 + (int)e);
			e = wallet_autorecharge_check(db, w.ws);
			db_close(db);
			_exit(e == WALLET_OK ? 0 : e == WALLET_DUPLICATE ? 1 : 2);
		}
	}
	for (i = 0; i < 16; i++) {
		CU_ASSERT_EQUAL(waitpid(pids[i], &st, 0), pids[i]);
		CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) <= 1);
		if (WIFEXITED(st) && WEXITSTATUS(st) > 1)
			fprintf(stderr, "capture+check child: exit %d\n",
			    WEXITSTATUS(st));
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			ok++;
	}
	wallet_of(w.ws, &bal, &res);
	CU_ASSERT_EQUAL(bal, USD(2));
	CU_ASSERT_EQUAL(stripe_pi_count(cus), 1);
	CU_ASSERT_EQUAL(wallet_autorecharge_check(wdb, w.ws), WALLET_DUPLICATE);
	CU_ASSERT_EQUAL(stripe_pi_count(cus), 1);
	/* The top-up lands (as the webhook would): a new crossing may fire. */
	mg_uuid(job);
	snprintf(ref, sizeof(ref), "stripe:pi_it_%s", job);
	CU_ASSERT_EQUAL(wallet_credit(wdb, w.ws, "topup", USD(10), ref, "ar"),
	    WALLET_OK);
	CU_ASSERT_EQUAL(wallet_autorecharge_check(wdb, w.ws), WALLET_OK);
	CU_ASSERT_EQUAL(stripe_pi_count(cus), 1);	/* $12 ≥ $5 */
	CU_ASSERT_EQUAL(run_op(wdb, w.ws, job, w.key_id, 3, USD(8), USD(8)),
	    WALLET_OK);
	CU_ASSERT_EQUAL(wallet_autorecharge_check(wdb, w.ws), WALLET_OK);
	CU_ASSERT_EQUAL(stripe_pi_count(cus), 2);
	/* Disable clears everything: no more checks fire. */
	CU_ASSERT_EQUAL_FATAL(it_post(&r, "/v1/wallet/auto-recharge", w.key,
	    "{\"enabled\": false}"), 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_PTR_NULL(json_object_object_get(r.json, "threshold_usd"));
	it_free(&r);
	CU_ASSERT_EQUAL(wallet_autorecharge_check(wdb, w.ws), WALLET_OK);
	CU_ASSERT_EQUAL(it_mgctl_status("ledger verify"), 0);
}

/* GET /v1/credits, /api/credits/balance, /api/v1/balance shapes. */
static void
t_balance_shapes(void)
{
	struct it_ws w;
	struct it_resp r;
	char job[37], ref[64];
	json_object *cr, *v, *txs, *t;
	size_t i;
	int64_t bal, res;

	new_ws(&w);
	grant(w.ws, USD(3));
	mg_uuid(job);
	snprintf(ref, sizeof(ref), "stripe:pi_shape_%s", job);
	CU_ASSERT_EQUAL(wallet_credit(wdb, w.ws, "topup", USD(10), ref, "pack"),
	    WALLET_OK);
	CU_ASSERT_EQUAL(run_op(wdb, w.ws, job, w.key_id, 3, 1500000, 1250000),
	    WALLET_OK);
	wallet_of(w.ws, &bal, &res);
	CU_ASSERT_EQUAL_FATAL(it_get(&r, "/v1/credits", w.key), 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "plan"));
	CU_ASSERT_FATAL(json_object_object_get_ex(r.json, "credits", &cr));
	CU_ASSERT(json_object_object_get_ex(cr, "balance", &v) &&
	    json_object_get_double(v) == (double)bal / 1e6);
	CU_ASSERT(json_object_object_get_ex(cr, "purchased", &v) &&
	    json_object_get_double(v) == 10.0);
	CU_ASSERT(json_object_object_get_ex(cr, "monthly_grant", &v));
	CU_ASSERT(json_object_object_get_ex(r.json, "api_key_24h_spend_usd", &v) &&
	    json_object_get_double(v) == 1.25);
	CU_ASSERT(json_object_object_get_ex(r.json, "api_key_daily_cap_usd", &v) &&
	    v == NULL);
	it_free(&r);
	CU_ASSERT_EQUAL_FATAL(it_get(&r, "/api/v1/balance", w.key), 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_EQUAL(it_int(&r, "usdBalanceMicros", -1), bal);
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "usdBalance"));
	it_free(&r);
	CU_ASSERT_EQUAL_FATAL(it_get(&r, "/api/credits/balance", w.key), 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_EQUAL(it_int(&r, "balance", -1), bal / 10000);
	/* Grants are spent first: 300 - 125 subscription credits left. */
	CU_ASSERT_EQUAL(it_int(&r, "subscriptionCredits", -1),
	    (bal - USD(10)) / 10000 > 0 ? (bal - USD(10)) / 10000 : 0);
	CU_ASSERT_EQUAL(it_int(&r, "topUpCredits", -1) +
	    it_int(&r, "subscriptionCredits", -1), bal / 10000);
	CU_ASSERT_EQUAL(it_int(&r, "totalPurchased", -1), 1000);
	CU_ASSERT_EQUAL(it_int(&r, "totalSpent", -1), 125);
	CU_ASSERT_PTR_NOT_NULL(it_str(&r, "tier"));
	CU_ASSERT_FATAL(json_object_object_get_ex(r.json, "transactions", &txs));
	CU_ASSERT(json_object_array_length(txs) >= 3);
	for (i = 0; i < json_object_array_length(txs); i++) {
		const char *ty;

		t = json_object_array_get_idx(txs, i);
		ty = json_object_get_string(json_object_object_get(t, "type"));
		CU_ASSERT(ty && (!strcmp(ty, "purchase") || !strcmp(ty, "spend") ||
		    !strcmp(ty, "refund") || !strcmp(ty, "bonus") ||
		    !strcmp(ty, "subscription_reset") ||
		    !strcmp(ty, "subscription_grant")));
		CU_ASSERT(json_object_is_type(json_object_object_get(t,
		    "createdAt"), json_type_int));
	}
	t = json_object_array_get_idx(txs, 0);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_object_get(t,
	    "type")), "spend");
	CU_ASSERT_EQUAL(json_object_get_int64(json_object_object_get(t,
	    "balance")), bal / 10000);
	it_free(&r);
}

/* PUT /api/billing: a BYO key is stored sealed and never returned. */
static void
t_billing_byo_key_never_returned(void)
{
	struct it_ws w;
	struct it_resp r;
	char url[512], auth[200];
	const char *h[3] = { auth, "Content-Type: application/json", NULL };
	static const char secret[] = "fal_live_SECRET_4242424242";
	const char *b1 = "{\"providerName\":\"fal\",\"apiKey\":\"fal_live_SECRET_4242424242\"}";

	new_ws(&w);
	snprintf(url, sizeof(url), "%s/api/billing", it_base());
	snprintf(auth, sizeof(auth), "X-API-Key: %s", w.key);
	CU_ASSERT_EQUAL_FATAL(it_req(&r, "GET", url, h, NULL, 0), 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "mode"), "CREDITS");
	it_free(&r);
	CU_ASSERT_EQUAL_FATAL(it_req(&r, "PUT", url, h, "{\"mode\":\"BYO\"}", strlen("{\"mode\":\"BYO\"}")), 0);
	CU_ASSERT_EQUAL(r.status, 400);
	it_free(&r);
	CU_ASSERT_EQUAL_FATAL(it_req(&r, "PUT", url, h, "{\"mode\":\"FREE\"}", strlen("{\"mode\":\"FREE\"}")), 0);
	CU_ASSERT_EQUAL(r.status, 400);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "error.code"), "INVALID_PARAMETER");
	it_free(&r);
	CU_ASSERT_EQUAL_FATAL(it_req(&r, "PUT", url, h, "{\"providerName\":\"nope\",\"apiKey\":\"abcdefghij\"}",
	    strlen("{\"providerName\":\"nope\",\"apiKey\":\"abcdefghij\"}")), 0);
	CU_ASSERT_EQUAL(r.status, 400);
	it_free(&r);
	CU_ASSERT_EQUAL_FATAL(it_req(&r, "PUT", url, h, b1, strlen(b1)), 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "mode"), "BYO");
	CU_ASSERT_EQUAL(json_object_get_boolean(json_object_object_get(r.json,
	    "hasByoApiKey")), 1);
	CU_ASSERT(r.body && strstr(r.body, "SECRET") == NULL);
	it_free(&r);
	CU_ASSERT_EQUAL_FATAL(it_req(&r, "GET", url, h, NULL, 0), 0);
	CU_ASSERT(r.body && strstr(r.body, "SECRET") == NULL &&
	    strstr(r.body, secret) == NULL);
	it_free(&r);
	CU_ASSERT_EQUAL_FATAL(it_req(&r, "PUT", url, h, "{\"mode\":\"CREDITS\"}", strlen("{\"mode\":\"CREDITS\"}")), 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "mode"), "CREDITS");
	CU_ASSERT_EQUAL(json_object_get_boolean(json_object_object_get(r.json,
	    "hasByoApiKey")), 1);
	it_free(&r);
	/* The stored value is a secretbox, not the key. */
	{
		char cmd[1024], out[256] = "";
		FILE *p;

		snprintf(cmd, sizeof(cmd), ADMIN_CLI " -N -e "
		    "\"SELECT INSTR(key_box, 'SECRET') FROM mediagate.billing_settings"
		    " WHERE workspace_id = '%s'\" 2>/dev/null", w.ws);
		p = popen(cmd, "r");
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		(void)!fgets(out, sizeof(out), p);
		CU_ASSERT_EQUAL(pclose(p), 0);
		CU_ASSERT_STRING_EQUAL(out, "0\n");
	}
}

/* Run SQL as the database owner; quiet drops its error output. 0 on success. */
static int
sql_run(const char *sql, int quiet)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), ADMIN_CLI " mediagate -e \"%s\"%s", sql,
	    quiet ? " 2>/dev/null" : "");
	return system(cmd);
}

static int
sql_admin(const char *sql)
{
	return sql_run(sql, 0);
}

/* One number from SQL run as the database owner; -1 on failure. */
static int64_t
sql_admin_int(const char *sql)
{
	char cmd[1024], out[64] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), ADMIN_CLI " -N -B mediagate -e \"%s\"", sql);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	if (fgets(out, sizeof(out), p) == NULL)
		*out = '\0';
	if (pclose(p) != 0 || *out == '\0')
		return -1;
	return strtoll(out, NULL, 10);
}

/* A deliberately broken wallet: verify exits non-zero, then passes again. */
static void
t_verify_detects_broken_wallet(void)
{
	struct it_ws w;
	char sql[256];
	json_object *o;
	int st;

	new_ws(&w);
	grant(w.ws, USD(1));
	CU_ASSERT_EQUAL(it_mgctl_status("ledger verify"), 0);
	snprintf(sql, sizeof(sql), "UPDATE wallets SET balance_micros = "
	    "balance_micros + 1 WHERE workspace_id = '%s'", w.ws);
	CU_ASSERT_EQUAL_FATAL(sql_admin(sql), 0);
	/* --json: ok false, and the broken wallet named in errors. */
	{
		char cmd[1024], out[16384];
		FILE *p;
		size_t n;

		snprintf(cmd, sizeof(cmd), "%s/build/bin/mgctl --json ledger verify",
		    getenv("MG_TEST_ROOT") ? getenv("MG_TEST_ROOT") : ".");
		p = popen(cmd, "r");
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		n = fread(out, 1, sizeof(out) - 1, p);
		out[n] = '\0';
		CU_ASSERT_NOT_EQUAL(pclose(p), 0);
		o = json_tokener_parse(out);
		CU_ASSERT_PTR_NOT_NULL(o);
		if (o != NULL) {
			CU_ASSERT_EQUAL(json_object_get_boolean(
			    json_object_object_get(o, "ok")), 0);
			CU_ASSERT(strstr(out, w.ws) != NULL);
			json_object_put(o);
		}
	}
	st = it_mgctl_status("ledger verify");
	CU_ASSERT_NOT_EQUAL(st, 0);
	snprintf(sql, sizeof(sql), "UPDATE wallets SET balance_micros = "
	    "balance_micros - 1 WHERE workspace_id = '%s'", w.ws);
	CU_ASSERT_EQUAL(sql_admin(sql), 0);
	/* reserved without an open hold behind it */
	snprintf(sql, sizeof(sql), "UPDATE wallets SET reserved_micros = "
	    "reserved_micros + 5 WHERE workspace_id = '%s'", w.ws);
	CU_ASSERT_EQUAL_FATAL(sql_admin(sql), 0);
	CU_ASSERT_NOT_EQUAL(it_mgctl_status("ledger verify"), 0);
	snprintf(sql, sizeof(sql), "UPDATE wallets SET reserved_micros = "
	    "reserved_micros - 5 WHERE workspace_id = '%s'", w.ws);
	CU_ASSERT_EQUAL(sql_admin(sql), 0);
	CU_ASSERT_EQUAL(it_mgctl_status("ledger verify"), 0);
}

/*
 * A settle row the wallet never saw: the trigger of 011 makes it
 * impossible to write (see trigger_guards_every_row), so the test forges
 * it in two steps as the database owner: a valid settle row, then the
 * wallet's reserved put back and the row's amount changed. Verify names
 * both the reserved mismatch and the settle of another amount.
 */
static void
t_verify_detects_broken_hold(void)
{
	struct it_ws w;
	char sql[768], job[37];

	new_ws(&w);
	grant(w.ws, USD(1));
	mg_uuid(job);
	CU_ASSERT_EQUAL_FATAL(run_op(wdb, w.ws, job, w.key_id, 0, 1000, 0),
	    WALLET_OK);
	CU_ASSERT_EQUAL(it_mgctl_status("ledger verify"), 0);
	snprintf(sql, sizeof(sql), "INSERT INTO ledger (workspace_id, kind,"
	    " amount_micros, reserved_delta_micros, ref, job_id) VALUES"
	    " ('%s', 'release', 0, -1000, 'settle:%s', '%s');"
	    " UPDATE wallets SET reserved_micros = reserved_micros + 1000"
	    " WHERE workspace_id = '%s';"
	    " UPDATE ledger SET reserved_delta_micros = -999"
	    " WHERE ref = 'settle:%s'", w.ws, job, job, w.ws, job);
	CU_ASSERT_EQUAL_FATAL(sql_admin(sql), 0);
	/* reserved ≠ Σ open holds, and a settle of a different amount */
	CU_ASSERT_NOT_EQUAL(it_mgctl_status("ledger verify"), 0);
	snprintf(sql, sizeof(sql), "DELETE FROM ledger WHERE ref = 'settle:%s'",
	    job);
	CU_ASSERT_EQUAL(sql_admin(sql), 0);
	CU_ASSERT_EQUAL(it_mgctl_status("ledger verify"), 0);
	CU_ASSERT_EQUAL(run_op(wdb, w.ws, job, w.key_id, 2, 1000, 0), WALLET_OK);
	CU_ASSERT_EQUAL(it_mgctl_status("ledger verify"), 0);
}

/* Did SQL run as the database owner fail? (its error output dropped) */
static int
sql_admin_refused(const char *sql)
{
	return sql_run(sql, 1) != 0;
}

/*
 * The trigger of 011 guards every ledger row, whoever writes it (here the
 * database owner, past wallet.c's checks): a hold beyond available, a
 * settle without its hold, of another amount, capturing more than the
 * hold, or of the wrong kind, a row that moves reserved outside a hold or
 * settle, a sign that does not fit the kind, a row that moves nothing, a
 * credit to a workspace without a wallet — each refused, with no row and
 * no wallet change. And a pool cannot UPDATE a wallet at all.
 */
static void
t_trigger_guards_every_row(void)
{
	static const char *const bad[] = {
		/* hold beyond available (the wallet holds $1) */
		"('%s', 'hold', 0, 1000001, 'hold:%s', '%s')",
		/* hold that also moves the balance */
		"('%s', 'hold', -1, 10, 'hold:%s', '%s')",
		/* settle of a job that has no hold */
		"('%s', 'release', 0, -1000, 'settle:%s', CONCAT('x', SUBSTRING('%s', 2)))",
		/* settle of another amount */
		"('%s', 'release', 0, -999, 'settle:%s', '%s')",
		/* capture above the hold */
		"('%s', 'capture', -1001, -1000, 'settle:%s', '%s')",
		/* a release that charges, a capture that does not */
		"('%s', 'release', -5, -1000, 'settle:%s', '%s')",
		"('%s', 'capture', 0, -1000, 'settle:%s', '%s')",
		/* a grant that moves reserved */
		"('%s', 'grant', 5, 5, 'forged:%s', '%s')",
		/* signs that do not fit the kind, and a row that moves nothing */
		"('%s', 'grant', -5, 0, 'forged:%s', '%s')",
		"('%s', 'topup', 0, 0, 'forged:%s', '%s')",
		"('%s', 'refund', 5, 0, 'forged:%s', '%s')",
		"('%s', 'chargeback', 5, 0, 'forged:%s', '%s')",
		"('%s', 'adjustment', 0, 0, 'forged:%s', '%s')",
	};
	struct it_ws w;
	int64_t bal0, res0, bal, res, rows0;
	char sql[768], job[37], cnt[160];
	size_t i;

	new_ws(&w);
	grant(w.ws, USD(1));
	mg_uuid(job);
	CU_ASSERT_EQUAL_FATAL(run_op(wdb, w.ws, job, w.key_id, 0, 1000, 0),
	    WALLET_OK);
	wallet_of(w.ws, &bal0, &res0);
	snprintf(cnt, sizeof(cnt), "SELECT COUNT(*) FROM ledger"
	    " WHERE workspace_id = '%s'", w.ws);
	rows0 = sql_admin_int(cnt);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int n = snprintf(sql, sizeof(sql), "INSERT INTO ledger"
		    " (workspace_id, kind, amount_micros, reserved_delta_micros,"
		    " ref, job_id) VALUES ");

		snprintf(sql + n, sizeof(sql) - (size_t)n, bad[i], w.ws, job, job);
		CU_ASSERT(sql_admin_refused(sql));
	}
	/* a credit to a workspace with no wallet row */
	snprintf(sql, sizeof(sql), "INSERT INTO ledger (workspace_id, kind,"
	    " amount_micros, ref) VALUES ('00000000-0000-4000-8000-00000000dead',"
	    " 'grant', 5, 'forged:%s')", job);
	CU_ASSERT(sql_admin_refused(sql));
	wallet_of(w.ws, &bal, &res);
	CU_ASSERT_EQUAL(bal, bal0);
	CU_ASSERT_EQUAL(res, res0);
	CU_ASSERT_EQUAL(sql_admin_int(cnt), rows0);
	/* the pools hold no UPDATE on wallets (grants.sql, 011) */
	snprintf(sql, sizeof(sql), "UPDATE wallets SET balance_micros ="
	    " balance_micros + 1 WHERE workspace_id = '%s'", w.ws);
	CU_ASSERT_NOT_EQUAL(mysql_query(db_mysql(wdb), sql), 0);
	CU_ASSERT_EQUAL(mysql_errno(db_mysql(wdb)), 1142);
	/* the valid settle still goes through, and everything adds up */
	CU_ASSERT_EQUAL(run_op(wdb, w.ws, job, w.key_id, 1, 1000, 400),
	    WALLET_OK);
	wallet_of(w.ws, &bal, &res);
	CU_ASSERT_EQUAL(bal, bal0 - 400);
	CU_ASSERT_EQUAL(res, res0 - 1000);
	CU_ASSERT_EQUAL(it_mgctl_status("ledger verify"), 0);
}


/*
 * The self-contained hold and settle (one INSERT each, autocommit): every
 * refusal leaves nothing behind — the trigger's SIGNAL undoes the row the
 * statement wrote before the check that failed — and the connection stays
 * usable.
 */
static void
t_self_tx_refusals_leave_nothing(void)
{
	struct it_ws w, other;
	int64_t bal0, bal, res, amt;
	char job[37], job2[37], ws[37], state[16], sql[256];

	new_ws(&w);
	new_ws(&other);
	grant(w.ws, USD(1));
	wallet_of(w.ws, &bal0, &res);
	mg_uuid(job);
	mg_uuid(job2);
	CU_ASSERT_EQUAL(wallet_hold(wdb, w.ws, job, w.key_id, 400000, 600,
	    "it"), WALLET_OK);
	/* replay of the hold: duplicate, reserved unchanged */
	CU_ASSERT_EQUAL(wallet_hold(wdb, w.ws, job, w.key_id, 400000, 600,
	    "it"), WALLET_DUPLICATE);
	/* more than available: refused, and no hold row was committed */
	CU_ASSERT_EQUAL(wallet_hold(wdb, w.ws, job2, w.key_id, bal0, 600, "it"),
	    WALLET_INSUFFICIENT);
	CU_ASSERT_EQUAL(db_row(wdb, DB_HOLD_GET, "s", "sis", job2, ws,
	    sizeof(ws), &amt, state, sizeof(state)), DB_NOROW);
	wallet_of(w.ws, &bal, &res);
	CU_ASSERT_EQUAL(res, 400000);
	/* settling it as another workspace, or another amount: no hold, no row */
	CU_ASSERT_EQUAL(wallet_settle(wdb, other.ws, job, NULL, 400000, 0, "it"),
	    WALLET_NO_HOLD);
	CU_ASSERT_EQUAL(wallet_settle(wdb, w.ws, job, NULL, 399999, 0, "it"),
	    WALLET_NO_HOLD);
	CU_ASSERT_EQUAL(db_row(wdb, DB_HOLD_GET, "s", "sis", job, ws,
	    sizeof(ws), &amt, state, sizeof(state)), DB_OK);
	CU_ASSERT_STRING_EQUAL(state, "open");
	CU_ASSERT_EQUAL(amt, 400000);
	CU_ASSERT_EQUAL(wallet_settle(wdb, w.ws, job, w.key_id, 400000, 150000,
	    "it"), WALLET_OK);
	CU_ASSERT_EQUAL(db_row(wdb, DB_HOLD_GET, "s", "sis", job, ws,
	    sizeof(ws), &amt, state, sizeof(state)), DB_OK);
	CU_ASSERT_STRING_EQUAL(state, "captured");
	wallet_of(w.ws, &bal, &res);
	CU_ASSERT_EQUAL(bal, bal0 - 150000);
	CU_ASSERT_EQUAL(res, 0);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM ledger WHERE"
	    " workspace_id = '%s' AND kind IN ('hold', 'capture', 'release')",
	    w.ws);
	CU_ASSERT_EQUAL(sql_admin_int(sql), 2);
	CU_ASSERT_EQUAL(it_mgctl_status("ledger verify"), 0);
}

/*
 * The reaper's mark (009) moves forward after a full scan and never past
 * the server clock minus the 300 s margin, even when the caller's "now"
 * is in the future, so a hold committed later is still found.
 */
static void
t_reaper_mark_bounded(void)
{
	int64_t lag;

	CU_ASSERT(wallet_reap_expired(wdb, (int64_t)time(NULL), 1000) >= 0);
	lag = sql_admin_int("SELECT TIMESTAMPDIFF(SECOND, upto, NOW(6))"
	    " FROM reaper_marks WHERE name = 'holds'");
	CU_ASSERT(lag >= 299);
	CU_ASSERT(lag < 400);
	/* a "now" a day ahead (the statement alone: reaping with it would
	   release other tests' holds) moves the mark no further */
	CU_ASSERT_EQUAL(db_exec(wdb, DB_HOLD_REAPED_UPTO, "i",
	    (int64_t)time(NULL) + 86400), DB_OK);
	lag = sql_admin_int("SELECT TIMESTAMPDIFF(SECOND, upto, NOW(6))"
	    " FROM reaper_marks WHERE name = 'holds'");
	CU_ASSERT(lag >= 299);
	CU_ASSERT(lag < 400);
}

/*
 * A hold committed after the quick scans have passed its expiry (its
 * transaction was open while they ran) is still released: by the next
 * scan from the durable mark (wallet_reap_full_every_s, 3 s here).
 */
static void
t_reaper_finds_late_commit(void)
{
	struct it_ws w;
	struct db_conn *late;
	int64_t bal0, bal, res, amt;
	char job[37], ws[37], state[16] = "";
	int i;

	setenv("MG_WALLET_REAP_FULL_EVERY_S", "3", 1);
	new_ws(&w);
	grant(w.ws, USD(1));
	wallet_of(w.ws, &bal0, &res);
	mg_uuid(job);
	late = db_open(DB_ROLE_WALLET);
	CU_ASSERT_PTR_NOT_NULL_FATAL(late);
	/* expires in 1 s, still uncommitted while the reaper scans past it */
	CU_ASSERT_EQUAL_FATAL(db_begin(late), DB_OK);
	CU_ASSERT_EQUAL_FATAL(wallet_hold_ttl_tx(late, w.ws, job, w.key_id,
	    1000, 1, "late"), WALLET_OK);
	sleep(4);
	CU_ASSERT(wallet_reap_expired(wdb, (int64_t)time(NULL), 1000) >= 0);
	CU_ASSERT_EQUAL(db_commit(late), DB_OK);
	db_close(late);
	/* (the dispatcher's reaper may release it first: either way once) */
	for (i = 0; i < 8 && strcmp(state, "released") != 0; i++) {
		CU_ASSERT(wallet_reap_expired(wdb, (int64_t)time(NULL), 1000) >= 0);
		CU_ASSERT_EQUAL(db_row(wdb, DB_HOLD_GET, "s", "sis", job, ws,
		    sizeof(ws), &amt, state, sizeof(state)), DB_OK);
		if (strcmp(state, "released") != 0)
			sleep(1);
	}
	CU_ASSERT_STRING_EQUAL(state, "released");
	wallet_of(w.ws, &bal, &res);
	CU_ASSERT_EQUAL(bal, bal0);
	CU_ASSERT_EQUAL(res, 0);
	unsetenv("MG_WALLET_REAP_FULL_EVERY_S");
	CU_ASSERT_EQUAL(it_mgctl_status("ledger verify"), 0);
}

static const struct mgt_case cases[] = {
	{ "64_concurrent_holds_exactly_10", t_64_concurrent_holds },
	{ "64_concurrent_self_tx_holds_exactly_10", t_64_concurrent_self_tx_holds },
	{ "16_concurrent_settles_once", t_16_concurrent_settles },
	{ "capture_le_hold_and_settle_once", t_capture_le_hold_and_settle_once },
	{ "negative_wallet_refuses_holds", t_negative_wallet_refuses_holds },
	{ "expired_hold_reaped_once", t_expired_hold_reaped_once },
	{ "idempotency_topup_replay_mismatch_inflight", t_idempotency_topup },
	{ "idempotency_prepaid_and_credits_checkouts", t_idempotency_other_dialects },
	{ "topup_errors_400_502", t_topup_errors },
	{ "autorecharge_once_per_crossing", t_autorecharge_once_per_crossing },
	{ "balance_shapes_three_dialects", t_balance_shapes },
	{ "billing_byo_key_never_returned", t_billing_byo_key_never_returned },
	{ "verify_detects_broken_wallet", t_verify_detects_broken_wallet },
	{ "verify_detects_broken_hold", t_verify_detects_broken_hold },
	{ "trigger_guards_every_row", t_trigger_guards_every_row },
	{ "self_tx_refusals_leave_nothing", t_self_tx_refusals_leave_nothing },
	{ "reaper_mark_bounded", t_reaper_mark_bounded },
	{ "reaper_finds_late_commit", t_reaper_finds_late_commit },
	{ NULL, NULL }
};

int
main(void)
{
	mgt_suite("ledger", setup, teardown, cases);
	return mgt_run();
}
