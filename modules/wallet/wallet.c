#include <stdio.h>
#include <string.h>

#include "db.h"
#include "mg_config.h"
#include "mg_log.h"
#include "mg_util.h"
#include "pay_stripe.h"
#include "wallet.h"

/* Largest single credit accepted: $1,000,000. */
#define WALLET_MAX_CREDIT	(1000000LL * MG_MICROS_PER_USD)

static const char *const errs[WALLET__MAX] = {
	"ok",						/* WALLET_OK */
	"already applied",				/* WALLET_DUPLICATE */
	"no wallet for this workspace",			/* WALLET_NO_WALLET */
	"insufficient funds",				/* WALLET_INSUFFICIENT */
	"amount out of range",				/* WALLET_BAD_AMOUNT */
	"outcome unknown (connection lost at COMMIT)",	/* WALLET_UNKNOWN */
	"database error",				/* WALLET_DB */
	"no open hold of that job and amount",		/* WALLET_NO_HOLD */
	"Stripe refused or failed",			/* WALLET_STRIPE */
	"deadlock or lock wait: retry the transaction",	/* WALLET_RETRY */
};

const char *
wallet_strerror(enum wallet_err e)
{
	return e < WALLET__MAX ? errs[e] : "unknown";
}

enum wallet_err
wallet_ensure(struct db_conn *db, const char *ws)
{
	return db_exec(db, DB_WALLET_ENSURE, "s", ws) == DB_OK ?
	    WALLET_OK : WALLET_DB;
}

struct credit_args {
	const char	*ws, *kind, *ref, *desc;
	int64_t		 amount;
	int		 debit;
	enum wallet_err	 result;
};

/*
 * Inside the transaction: the ledger row first (its unique ref turns a
 * replay into DB_DUP before any lock on the wallet row is taken), then the
 * wallet update, keeping the hot-row lock window short (limits.md).
 */
static int
credit_tx(struct db_conn *db, void *arg)
{
	struct credit_args *a = arg;
	enum db_err e;

	e = db_exec(db, DB_LEDGER_INSERT, "ssiissnn", a->ws, a->kind,
	    a->debit ? -a->amount : a->amount, (int64_t)0, a->ref, a->desc);
	if (e == DB_DUP) {
		a->result = WALLET_DUPLICATE;
		return DB_ERR__MAX + 1;	/* roll back: nothing to do */
	}
	if (e != DB_OK)
		return e;
	if ((e = db_exec(db, a->debit ? DB_WALLET_DEBIT : DB_WALLET_CREDIT,
	    "is", a->amount, a->ws)) != DB_OK)
		return e;
	if (db_affected(db, a->debit ? DB_WALLET_DEBIT : DB_WALLET_CREDIT) != 1) {
		a->result = WALLET_NO_WALLET;
		return DB_ERR__MAX + 1;
	}
	return DB_OK;
}

/* One balance change of a kind, once per ref, in its own transaction. */
static enum wallet_err
change(struct db_conn *db, const char *ws, const char *kind, int64_t amount,
    const char *ref, const char *desc, int debit)
{
	struct credit_args a = { ws, kind, ref, desc, amount, debit, WALLET_OK };
	int rc;

	if (amount <= 0 || amount > WALLET_MAX_CREDIT)
		return WALLET_BAD_AMOUNT;
	rc = db_tx(db, credit_tx, &a);
	if (rc == DB_OK)
		return WALLET_OK;
	if (rc == DB_ERR__MAX + 1)
		return a.result;
	if (rc == DB_GONE)
		return WALLET_UNKNOWN;
	mg_log(MG_LOG_ERROR, "wallet %s %s: %s", kind, ref,
	    db_strerror((enum db_err)rc));
	return WALLET_DB;
}

enum wallet_err
wallet_credit(struct db_conn *db, const char *ws, const char *kind,
    int64_t amount, const char *ref, const char *desc)
{
	if (strcmp(kind, "grant") != 0 && strcmp(kind, "topup") != 0 &&
	    strcmp(kind, "adjustment") != 0)
		return WALLET_BAD_AMOUNT;
	return change(db, ws, kind, amount, ref, desc, 0);
}

enum wallet_err
wallet_debit(struct db_conn *db, const char *ws, const char *kind,
    int64_t amount, const char *ref, const char *desc)
{
	if (strcmp(kind, "refund") != 0 && strcmp(kind, "chargeback") != 0 &&
	    strcmp(kind, "adjustment") != 0)
		return WALLET_BAD_AMOUNT;
	return change(db, ws, kind, amount, ref, desc, 1);
}

/* Map a statement failure to a wallet_err. */
static enum wallet_err
tx_err(struct db_conn *db, enum db_err e)
{
	if (e == DB_OK)
		return WALLET_OK;
	if (e == DB_DUP)
		return WALLET_DUPLICATE;
	if (e == DB_REFUSED)
		return db_errno(db) == DB_SIGNAL_INSUFFICIENT ?
		    WALLET_INSUFFICIENT : WALLET_NO_HOLD;
	if (e == DB_GONE)
		return WALLET_UNKNOWN;
	if (e == DB_RETRY)
		return WALLET_RETRY;
	return WALLET_DB;
}

/*
 * A hold: CALL mg_hold (migration 009), one round trip. The procedure
 * writes the ledger row "hold:<job>" (reserved +amount, with its expiry:
 * the row IS the hold) first, so a replay fails on the unique ref before
 * the wallet row is locked, then the conditional reserve that cannot
 * overdraw; own_tx = 1 commits inside the server, holding the hot-row
 * lock only from that UPDATE to the COMMIT (limits.md).
 */
static enum wallet_err
hold_call(struct db_conn *db, const char *ws, const char *job,
    const char *key, int64_t amount, int64_t ttl, const char *desc, int own)
{
	if (amount <= 0 || amount > WALLET_MAX_CREDIT || ttl < 1 ||
	    ttl > 30 * 86400 || strlen(job) > 36)
		return WALLET_BAD_AMOUNT;
	return tx_err(db, db_exec(db, DB_WALLET_HOLD_CALL, "sssiisi", ws, job,
	    key, amount, ttl, desc ? desc : "", (int64_t)own));
}

/*
 * Capture actual ≤ hold and release the rest: CALL mg_settle, one round
 * trip. The unique "settle:<job>" row first (a second settle stops there:
 * WALLET_DUPLICATE), then the wallet, changed only if the hold row of this
 * workspace and amount exists (else WALLET_NO_HOLD).
 */
static enum wallet_err
settle_call(struct db_conn *db, const char *ws, const char *job,
    const char *key, int64_t hold, int64_t actual, const char *desc, int own)
{
	if (hold <= 0 || actual < 0 || actual > hold || strlen(job) > 36)
		return WALLET_BAD_AMOUNT;
	return tx_err(db, db_exec(db, DB_WALLET_SETTLE_CALL, "sssiisi", ws,
	    job, key, hold, actual, desc ? desc : "", (int64_t)own));
}

struct one_args {
	const char	*ws, *job, *key, *desc;
	int64_t		 a, b;
	int		 settle;
	enum wallet_err	 result;
};

static int
one_tx(struct db_conn *db, void *arg)
{
	struct one_args *o = arg;

	o->result = o->settle ?
	    settle_call(db, o->ws, o->job, o->key, o->a, o->b, o->desc, 1) :
	    hold_call(db, o->ws, o->job, o->key, o->a, o->b, o->desc, 1);
	if (o->result == WALLET_RETRY)
		return DB_RETRY;
	if (o->result == WALLET_UNKNOWN)
		return DB_GONE;
	return o->result == WALLET_OK ? DB_OK : DB_ERR__MAX + 1;
}

/*
 * A hold or settle in its own transaction, opened and committed by the
 * procedure (db_tx_self retries deadlocks and rolls back failures).
 */
static enum wallet_err
one(struct db_conn *db, struct one_args *o)
{
	int rc = db_tx_self(db, one_tx, o);

	if (rc == DB_OK)
		return WALLET_OK;
	if (rc == DB_ERR__MAX + 1)
		return o->result;
	return rc == DB_GONE ? WALLET_UNKNOWN : rc == DB_RETRY ?
	    WALLET_RETRY : WALLET_DB;
}

enum wallet_err
wallet_hold(struct db_conn *db, const char *ws, const char *job,
    const char *key, int64_t amount, int64_t ttl, const char *desc)
{
	struct one_args o = { ws, job, key, desc, amount, ttl, 0, WALLET_DB };

	return one(db, &o);
}

enum wallet_err
wallet_settle(struct db_conn *db, const char *ws, const char *job,
    const char *key, int64_t hold, int64_t actual, const char *desc)
{
	struct one_args o = { ws, job, key, desc, hold, actual, 1, WALLET_DB };

	return one(db, &o);
}

enum wallet_err
wallet_hold_ttl_tx(struct db_conn *db, const char *ws, const char *job,
    const char *key, int64_t amount, int64_t ttl, const char *desc)
{
	return hold_call(db, ws, job, key, amount, ttl, desc, 0);
}

enum wallet_err
wallet_hold_tx(struct db_conn *db, const char *ws, const char *job,
    const char *key, int64_t amount, const char *desc)
{
	return wallet_hold_ttl_tx(db, ws, job, key, amount,
	    mg_cfg_int("wallet_hold_ttl_seconds", WALLET_HOLD_TTL_DEFAULT), desc);
}

enum wallet_err
wallet_capture_tx(struct db_conn *db, const char *ws, const char *job,
    const char *key, int64_t hold, int64_t actual, const char *desc)
{
	return settle_call(db, ws, job, key, hold, actual, desc, 0);
}

enum wallet_err
wallet_release_tx(struct db_conn *db, const char *ws, const char *job,
    const char *key, int64_t hold, const char *desc)
{
	return settle_call(db, ws, job, key, hold, 0, desc, 0);
}

enum wallet_err
wallet_adjust(struct db_conn *db, const char *ws, int64_t amount,
    const char *ref, const char *desc)
{
	if (amount == 0 || amount == INT64_MIN)
		return WALLET_BAD_AMOUNT;
	return amount > 0 ? change(db, ws, "adjustment", amount, ref, desc, 0) :
	    change(db, ws, "adjustment", -amount, ref, desc, 1);
}

#define REAP_MAX	1000

int
wallet_reap_expired(struct db_conn *db, int64_t now, int limit)
{
	static struct {
		char	job[65], ws[37], key[37];
		int64_t	amount;
	} batch[REAP_MAX];
	enum wallet_err r;
	int n = 0, i, released = 0, failed = 0;

	if (limit <= 0)
		return 0;
	if (limit > REAP_MAX)
		limit = REAP_MAX;
	/* Read the batch first: the statement result must be free before the
	   transactions below reuse the connection. */
	if (db_exec(db, DB_HOLD_EXPIRED, "ii", now, (int64_t)limit) != DB_OK)
		return -1;
	while (n < limit && db_next(db, DB_HOLD_EXPIRED, "sssi",
	    batch[n].job, sizeof(batch[n].job), batch[n].ws,
	    sizeof(batch[n].ws), batch[n].key, sizeof(batch[n].key),
	    &batch[n].amount) == DB_OK)
		n++;
	db_done(db, DB_HOLD_EXPIRED);
	for (i = 0; i < n; i++) {
		/* Its own transaction, the settle ref of the job: once only. */
		r = wallet_settle(db, batch[i].ws, batch[i].job,
		    *batch[i].key ? batch[i].key : NULL, batch[i].amount, 0,
		    "hold expired");
		if (r == WALLET_OK)
			released++;
		else if (r != WALLET_DUPLICATE && r != WALLET_NO_HOLD) {
			failed++;
			mg_log(MG_LOG_WARN, "reap hold %s: %s", batch[i].job,
			    wallet_strerror(r));
		}
	}
	/* A short batch all settled saw every expired hold: move the mark
	   past them (wallet.def), so the next scan starts there. */
	if (n < limit && failed == 0 &&
	    db_exec(db, DB_HOLD_REAPED_UPTO, "i", now) != DB_OK)
		mg_log(MG_LOG_WARN, "reap: could not move the reaper mark");
	if (released > 0)
		mg_log(MG_LOG_INFO, "released %d expired holds", released);
	return released;
}

int
wallet_below_threshold(int64_t balance, int64_t reserved, int64_t threshold)
{
	return balance - reserved < threshold;
}

int
wallet_crossing_key(const char *ws, int64_t credit_id, char *buf, size_t cap)
{
	int n;

	if (credit_id < 0)
		return -1;
	n = snprintf(buf, cap, "ar:%s:%lld", ws, (long long)credit_id);
	return n > 0 && (size_t)n < cap ? 0 : -1;
}

enum wallet_err
wallet_autorecharge_check(struct db_conn *db, const char *ws)
{
	struct pay_stripe_cfg cfg;
	struct pay_stripe_pi_req pr;
	struct pay_stripe_obj pi;
	struct pay_stripe_error se;
	int64_t threshold, amount, balance, reserved, credit_id;
	char pm[121], cus[256], ckey[96];
	enum db_err e;
	int rc;

	e = db_row(db, DB_AR_STATE, "s", "iisiisi", ws, &threshold, &amount,
	    pm, sizeof(pm), &balance, &reserved, cus, sizeof(cus), &credit_id);
	if (e == DB_NOROW)
		return WALLET_OK;	/* not enabled */
	if (e != DB_OK)
		return WALLET_DB;
	if (!wallet_below_threshold(balance, reserved, threshold))
		return WALLET_OK;
	if (wallet_crossing_key(ws, credit_id, ckey, sizeof(ckey)) != 0)
		return WALLET_DB;
	/* Claim the crossing: exactly one caller gets past this insert. */
	e = db_exec(db, DB_AR_ATTEMPT_INSERT, "ssi", ws, ckey, amount);
	if (e == DB_DUP)
		return WALLET_DUPLICATE;
	if (e != DB_OK)
		return WALLET_DB;
	if (*cus == '\0') {
		db_exec(db, DB_AR_ATTEMPT_DONE, "ssss", (const char *)NULL, "failed",
		    "workspace has no Stripe customer", ckey);
		return WALLET_STRIPE;
	}
	pay_stripe_cfg_load(&cfg);
	memset(&pr, 0, sizeof(pr));
	pr.amount_cents = amount / 10000;
	pr.customer = cus;
	pr.payment_method = pm;
	pr.confirm = 1;
	pr.off_session = 1;
	pr.wallet_id = ws;
	pr.workspace_id = ws;
	/* Stripe's idempotency key is the crossing: a retry replays it. */
	rc = pay_stripe_pi_create(&cfg, &pr, ckey, &pi, &se);
	if (rc != PAY_STRIPE_OK) {
		mg_log(MG_LOG_WARN, "auto-recharge %s: %s: %s", ws,
		    pay_stripe_strerror(rc), se.message);
		db_exec(db, DB_AR_ATTEMPT_DONE, "ssss", (const char *)NULL, "failed",
		    *se.message ? se.message : pay_stripe_strerror(rc), ckey);
		return WALLET_STRIPE;
	}
	db_exec(db, DB_AR_ATTEMPT_DONE, "ssss", pi.id, pi.status, "", ckey);
	mg_log(MG_LOG_INFO, "auto-recharge %s: %s %s", ws, pi.id, pi.status);
	return WALLET_OK;
}

/*
 * Inside the caller's open transaction (payments.c: the payment row and its
 * credit commit together). The ledger row first, so a replay is DB_DUP →
 * WALLET_DUPLICATE before the wallet row is locked; a failed statement rolls
 * back only itself, so the caller's transaction goes on. On anything but
 * WALLET_OK / WALLET_DUPLICATE the caller must roll back.
 */
static enum wallet_err
change_tx(struct db_conn *db, const char *ws, const char *kind, int64_t amount,
    const char *ref, const char *desc, int debit)
{
	enum db_stmt st = debit ? DB_WALLET_DEBIT : DB_WALLET_CREDIT;
	enum db_err e;

	if (amount <= 0 || amount > WALLET_MAX_CREDIT)
		return WALLET_BAD_AMOUNT;
	e = db_exec(db, DB_LEDGER_INSERT, "ssiissnn", ws, kind,
	    debit ? -amount : amount, (int64_t)0, ref, desc ? desc : "");
	if (e != DB_OK)	/* DB_RETRY: db_errno() tells the caller's db_tx */
		return e == DB_DUP ? WALLET_DUPLICATE : WALLET_DB;
	if ((e = db_exec(db, st, "is", amount, ws)) != DB_OK)
		return WALLET_DB;
	return db_affected(db, st) == 1 ? WALLET_OK : WALLET_NO_WALLET;
}

enum wallet_err
wallet_credit_tx(struct db_conn *db, const char *ws, const char *kind,
    int64_t amount, const char *ref, const char *desc)
{
	if (strcmp(kind, "grant") != 0 && strcmp(kind, "topup") != 0 &&
	    strcmp(kind, "adjustment") != 0)
		return WALLET_BAD_AMOUNT;
	return change_tx(db, ws, kind, amount, ref, desc, 0);
}

enum wallet_err
wallet_debit_tx(struct db_conn *db, const char *ws, const char *kind,
    int64_t amount, const char *ref, const char *desc)
{
	if (strcmp(kind, "refund") != 0 && strcmp(kind, "chargeback") != 0 &&
	    strcmp(kind, "adjustment") != 0)
		return WALLET_BAD_AMOUNT;
	return change_tx(db, ws, kind, amount, ref, desc, 1);
}
