#include <stdio.h>
#include <string.h>

#include "db.h"
#include "mg_log.h"
#include "mg_util.h"
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

/* Map a statement failure inside a transaction to a wallet_err. */
static enum wallet_err
tx_err(enum db_err e)
{
	if (e == DB_DUP)
		return WALLET_DUPLICATE;
	return WALLET_DB;
}

enum wallet_err
wallet_hold_tx(struct db_conn *db, const char *ws, const char *job,
    const char *key, int64_t amount, const char *desc)
{
	char ref[64];
	enum db_err e;

	if (amount <= 0 || amount > WALLET_MAX_CREDIT)
		return WALLET_BAD_AMOUNT;
	snprintf(ref, sizeof(ref), "hold:%s", job);
	/* Ledger row first: the lock on the wallet row is taken last. */
	if ((e = db_exec(db, DB_LEDGER_INSERT, "ssiisss" "s", ws, "hold",
	    (int64_t)0, amount, ref, desc ? desc : "", job, key)) != DB_OK)
		return tx_err(e);
	if ((e = db_exec(db, DB_WALLET_HOLD, "isi", amount, ws, amount)) != DB_OK)
		return tx_err(e);
	return db_affected(db, DB_WALLET_HOLD) == 1 ? WALLET_OK :
	    WALLET_INSUFFICIENT;
}

/* One settle row for the hold of job: capture actual, release the rest. */
static enum wallet_err
settle_tx(struct db_conn *db, const char *ws, const char *job,
    const char *key, int64_t hold, int64_t actual, const char *desc)
{
	char ref[64];
	enum db_err e;

	if (hold <= 0 || actual < 0 || actual > hold)
		return WALLET_BAD_AMOUNT;
	snprintf(ref, sizeof(ref), "settle:%s", job);
	if ((e = db_exec(db, DB_LEDGER_INSERT, "ssiisss" "s", ws,
	    actual > 0 ? "capture" : "release", -actual, -hold, ref,
	    desc ? desc : "", job, key)) != DB_OK)
		return tx_err(e);
	if ((e = db_exec(db, DB_WALLET_SETTLE, "iis", actual, hold, ws)) != DB_OK)
		return tx_err(e);
	return db_affected(db, DB_WALLET_SETTLE) == 1 ? WALLET_OK :
	    WALLET_NO_WALLET;
}

enum wallet_err
wallet_capture_tx(struct db_conn *db, const char *ws, const char *job,
    const char *key, int64_t hold, int64_t actual, const char *desc)
{
	return settle_tx(db, ws, job, key, hold, actual, desc);
}

enum wallet_err
wallet_release_tx(struct db_conn *db, const char *ws, const char *job,
    const char *key, int64_t hold, const char *desc)
{
	return settle_tx(db, ws, job, key, hold, 0, desc);
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
