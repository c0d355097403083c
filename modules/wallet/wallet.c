#include <stdio.h>
#include <string.h>
#include <time.h>

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

/* Map a statement failure to a wallet_err. */
static enum wallet_err
tx_err(struct db_conn *db, enum db_err e)
{
	if (e == DB_OK)
		return WALLET_OK;
	if (e == DB_DUP)
		return WALLET_DUPLICATE;
	if (e == DB_REFUSED)
		switch (db_errno(db)) {
		case DB_SIGNAL_INSUFFICIENT:
			return WALLET_INSUFFICIENT;
		case DB_SIGNAL_NO_HOLD:
			return WALLET_NO_HOLD;
		default:
			return WALLET_NO_WALLET;
		}
	if (e == DB_GONE)
		return WALLET_UNKNOWN;
	if (e == DB_RETRY)
		return WALLET_RETRY;
	return WALLET_DB;
}

/*
 * Every balance change is one INSERT of its ledger row: the trigger of
 * migration 011 applies the row to the wallet in the same statement, or
 * refuses it (SIGNAL: WALLET_INSUFFICIENT, WALLET_NO_HOLD,
 * WALLET_NO_WALLET) leaving nothing behind. The unique ref turns a replay
 * into WALLET_DUPLICATE before the wallet row is locked. Run inside the
 * caller's transaction (the *_tx functions) or alone (autocommit: the
 * statement is its own transaction, through db_tx_self).
 */
struct row {
	enum db_stmt	 st;
	const char	*ws, *kind, *ref, *job, *key, *desc;
	int64_t		 amount, reserved, ttl;
};

/* Write one ledger row (see above). */
static enum wallet_err
row_insert(struct db_conn *db, const struct row *r)
{
	const char *desc = r->desc != NULL ? r->desc : "";

	switch (r->st) {
	case DB_WALLET_HOLD:
		return tx_err(db, db_exec(db, r->st, "sisssi", r->ws,
		    r->reserved, r->job, desc, r->key, r->ttl));
	case DB_WALLET_SETTLE:
		return tx_err(db, db_exec(db, r->st, "ssiisss", r->ws, r->kind,
		    r->amount, r->reserved, r->job, desc, r->key));
	default:
		return tx_err(db, db_exec(db, DB_LEDGER_INSERT, "ssiissnn",
		    r->ws, r->kind, r->amount, (int64_t)0, r->ref, desc));
	}
}

struct self_args {
	const struct row	*row;
	enum wallet_err		 result;
};

static int
self_tx(struct db_conn *db, void *arg)
{
	struct self_args *a = arg;

	a->result = row_insert(db, a->row);
	if (a->result == WALLET_RETRY)
		return DB_RETRY;
	if (a->result == WALLET_UNKNOWN)
		return DB_GONE;
	return a->result == WALLET_OK ? DB_OK : DB_ERR__MAX + 1;
}

/* One ledger row in its own transaction (autocommit), deadlocks retried. */
static enum wallet_err
row_alone(struct db_conn *db, const struct row *r)
{
	struct self_args a = { r, WALLET_DB };
	int rc = db_tx_self(db, self_tx, &a);

	if (rc == DB_OK)
		return WALLET_OK;
	if (rc == DB_ERR__MAX + 1)
		return a.result;
	if (rc != DB_GONE && rc != DB_RETRY)
		mg_log(MG_LOG_ERROR, "wallet %s %s: %s", r->kind,
		    r->ref != NULL ? r->ref : r->job,
		    db_strerror((enum db_err)rc));
	return rc == DB_GONE ? WALLET_UNKNOWN : rc == DB_RETRY ?
	    WALLET_RETRY : WALLET_DB;
}

/* Kinds that credit and kinds that debit; an adjustment does either. */
static int
kind_fits(const char *kind, int debit)
{
	if (strcmp(kind, "adjustment") == 0)
		return 1;
	return debit ?
	    strcmp(kind, "refund") == 0 || strcmp(kind, "chargeback") == 0 :
	    strcmp(kind, "grant") == 0 || strcmp(kind, "topup") == 0;
}

/*
 * A credit (debit = 0) or debit row of a kind, once per ref: alone, or
 * inside the caller's transaction (in_tx).
 */
static enum wallet_err
change(struct db_conn *db, const char *ws, const char *kind, int64_t amount,
    const char *ref, const char *desc, int debit, int in_tx)
{
	struct row r = { DB_LEDGER_INSERT, ws, kind, ref, NULL, NULL, desc,
	    debit ? -amount : amount, 0, 0 };

	if (!kind_fits(kind, debit) || amount <= 0 ||
	    amount > WALLET_MAX_CREDIT)
		return WALLET_BAD_AMOUNT;
	return in_tx ? row_insert(db, &r) : row_alone(db, &r);
}

enum wallet_err
wallet_credit(struct db_conn *db, const char *ws, const char *kind,
    int64_t amount, const char *ref, const char *desc)
{
	return change(db, ws, kind, amount, ref, desc, 0, 0);
}

enum wallet_err
wallet_debit(struct db_conn *db, const char *ws, const char *kind,
    int64_t amount, const char *ref, const char *desc)
{
	return change(db, ws, kind, amount, ref, desc, 1, 0);
}

enum wallet_err
wallet_credit_tx(struct db_conn *db, const char *ws, const char *kind,
    int64_t amount, const char *ref, const char *desc)
{
	return change(db, ws, kind, amount, ref, desc, 0, 1);
}

enum wallet_err
wallet_debit_tx(struct db_conn *db, const char *ws, const char *kind,
    int64_t amount, const char *ref, const char *desc)
{
	return change(db, ws, kind, amount, ref, desc, 1, 1);
}

/* A hold row: checks, then alone or in the caller's transaction. */
static enum wallet_err
hold(struct db_conn *db, const char *ws, const char *job, const char *key,
    int64_t amount, int64_t ttl, const char *desc, int in_tx)
{
	struct row r = { DB_WALLET_HOLD, ws, "hold", NULL, job, key, desc, 0,
	    amount, ttl };

	if (amount <= 0 || amount > WALLET_MAX_CREDIT || ttl < 1 ||
	    ttl > 30 * 86400 || strlen(job) > 36)
		return WALLET_BAD_AMOUNT;
	return in_tx ? row_insert(db, &r) : row_alone(db, &r);
}

/* A settle row (capture actual ≤ hold, release the rest), likewise. */
static enum wallet_err
settle(struct db_conn *db, const char *ws, const char *job, const char *key,
    int64_t held, int64_t actual, const char *desc, int in_tx)
{
	struct row r = { DB_WALLET_SETTLE, ws, actual > 0 ? "capture" :
	    "release", NULL, job, key, desc, -actual, -held, 0 };

	if (held <= 0 || actual < 0 || actual > held || strlen(job) > 36)
		return WALLET_BAD_AMOUNT;
	return in_tx ? row_insert(db, &r) : row_alone(db, &r);
}

enum wallet_err
wallet_hold(struct db_conn *db, const char *ws, const char *job,
    const char *key, int64_t amount, int64_t ttl, const char *desc)
{
	return hold(db, ws, job, key, amount, ttl, desc, 0);
}

enum wallet_err
wallet_settle(struct db_conn *db, const char *ws, const char *job,
    const char *key, int64_t held, int64_t actual, const char *desc)
{
	return settle(db, ws, job, key, held, actual, desc, 0);
}

enum wallet_err
wallet_hold_ttl_tx(struct db_conn *db, const char *ws, const char *job,
    const char *key, int64_t amount, int64_t ttl, const char *desc)
{
	return hold(db, ws, job, key, amount, ttl, desc, 1);
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
    const char *key, int64_t held, int64_t actual, const char *desc)
{
	return settle(db, ws, job, key, held, actual, desc, 1);
}

enum wallet_err
wallet_release_tx(struct db_conn *db, const char *ws, const char *job,
    const char *key, int64_t held, const char *desc)
{
	return settle(db, ws, job, key, held, 0, desc, 1);
}

enum wallet_err
wallet_adjust(struct db_conn *db, const char *ws, int64_t amount,
    const char *ref, const char *desc)
{
	if (amount == 0 || amount == INT64_MIN)
		return WALLET_BAD_AMOUNT;
	return amount > 0 ?
	    change(db, ws, "adjustment", amount, ref, desc, 0, 0) :
	    change(db, ws, "adjustment", -amount, ref, desc, 1, 0);
}

#define REAP_MAX	1000
#define REAP_FULL_EVERY	60	/* default wallet_reap_full_every_s */
#define REAP_OVERLAP	2	/* seconds a quick scan looks back */

/*
 * Where this process's quick scans start, and when it last scanned from
 * the durable mark. The durable mark (reaper_marks) trails the clock by
 * 300 s so that a hold committed late is still found; scanning from it
 * every second would look at each settled hold some 300 times while it
 * sits in that window. So a full scan (from the mark, and the only one
 * that moves it) runs every wallet_reap_full_every_s seconds (default
 * REAP_FULL_EVERY), and the scans in between start where this process's
 * last clean scan ended, less REAP_OVERLAP: a hold is looked at a few
 * times, and one committed too late for the quick scans waits at most one
 * full-scan period more.
 */
static int64_t	reap_quick_from, reap_full_at;

int
wallet_reap_expired(struct db_conn *db, int64_t now, int limit)
{
	static struct {
		char	job[65], ws[37], key[37];
		int64_t	amount;
	} batch[REAP_MAX];
	enum wallet_err r;
	int64_t clock = (int64_t)time(NULL), from, every;
	int n = 0, i, released = 0, failed = 0, full;

	if (limit <= 0)
		return 0;
	if (limit > REAP_MAX)
		limit = REAP_MAX;
	every = mg_cfg_int("wallet_reap_full_every_s", REAP_FULL_EVERY);
	full = reap_quick_from == 0 || clock - reap_full_at >= every ||
	    clock < reap_full_at;
	from = full ? 0 : reap_quick_from;
	/* Read the batch first: the statement result must be free before the
	   transactions below reuse the connection. */
	if (db_exec(db, DB_HOLD_EXPIRED, "iii", from, now, (int64_t)limit) !=
	    DB_OK)
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
	/* A short batch all settled saw every expired hold from `from` on:
	   the next quick scan starts there (never beyond this machine's
	   clock, never backwards), and a full scan moves the durable mark
	   (wallet.def). */
	if (n < limit && failed == 0) {
		if ((now < clock ? now : clock) - REAP_OVERLAP > reap_quick_from)
			reap_quick_from = (now < clock ? now : clock) -
			    REAP_OVERLAP;
		if (full) {
			reap_full_at = clock;
			if (db_exec(db, DB_HOLD_REAPED_UPTO, "i", now) != DB_OK)
				mg_log(MG_LOG_WARN,
				    "reap: could not move the reaper mark");
		}
	}
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
