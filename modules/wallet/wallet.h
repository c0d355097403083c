/*
 * wallet: THE place where money moves. Every balance change is one ledger
 * row written in the same transaction as the wallet update, with a unique
 * reference derived from its cause (db/migrations/001_core.sql).
 *
 * All amounts are integer USD micros.
 */
#ifndef WALLET_H
#define WALLET_H

#include <stddef.h>
#include <stdint.h>

struct db_conn;

enum wallet_err {
	WALLET_OK = 0,
	WALLET_DUPLICATE,	/* the reference was already applied: nothing changed */
	WALLET_NO_WALLET,	/* no such workspace wallet */
	WALLET_INSUFFICIENT,	/* available < amount */
	WALLET_BAD_AMOUNT,	/* amount ≤ 0 or out of range */
	WALLET_UNKNOWN,		/* COMMIT answer lost: retry with the same ref */
	WALLET_DB,		/* database failure */
	WALLET_NO_HOLD,		/* no open hold of that job and amount */
	WALLET_STRIPE,		/* auto-recharge: Stripe refused or failed */
	WALLET_RETRY,		/* _tx functions: deadlock / lock wait; roll
				   back and retry (return DB_RETRY from the
				   db_tx callback) */
	WALLET__MAX
};

const char	*wallet_strerror(enum wallet_err);

/* Make sure the workspace has a wallet row (idempotent). */
enum wallet_err	 wallet_ensure(struct db_conn *, const char *workspace_id);

/*
 * Credit amount micros to a workspace (kind "grant" or "topup"), once per
 * ref: a second call with the same ref returns WALLET_DUPLICATE and changes
 * nothing. description is shown in transaction lists.
 */
enum wallet_err	 wallet_credit(struct db_conn *, const char *workspace_id,
		    const char *kind, int64_t amount, const char *ref,
		    const char *description);

/*
 * Debit amount (> 0) from a workspace once per ref: kind "refund",
 * "chargeback" or "adjustment". Refunds and disputes may take the balance
 * below zero; a negative wallet then accepts no new holds (wallet_hold_tx).
 */
enum wallet_err	 wallet_debit(struct db_conn *, const char *workspace_id,
		    const char *kind, int64_t amount, const char *ref,
		    const char *description);

/*
 * The same two, INSIDE the caller's open transaction (db_tx), for callers
 * that must commit another row with the money (payments.c: the payment row
 * and its credit). WALLET_DUPLICATE leaves the transaction usable (only the
 * ledger INSERT failed); on any other error the caller must roll back.
 */
enum wallet_err	 wallet_credit_tx(struct db_conn *, const char *workspace_id,
		    const char *kind, int64_t amount, const char *ref,
		    const char *description);
enum wallet_err	 wallet_debit_tx(struct db_conn *, const char *workspace_id,
		    const char *kind, int64_t amount, const char *ref,
		    const char *description);

/*
 * Reservations. These run INSIDE the caller's open transaction (db_tx), so
 * a job and its hold are created atomically (money rule 3), and return a
 * wallet_err; on anything but WALLET_OK the caller must roll back.
 *
 * wallet_hold_tx: hold amount (> 0) for job_id. Ledger row "hold:<job>"
 * (reserved +amount), then the conditional update; WALLET_INSUFFICIENT when
 * available < amount (also when the balance is negative), WALLET_DUPLICATE
 * when this job already holds.
 *
 * wallet_capture_tx: end the hold of job_id by charging actual (0 ≤ actual ≤
 * hold) and releasing the rest, as one ledger row "settle:<job>".
 * wallet_release_tx: end the hold by releasing all of it ("settle:<job>").
 * A hold ends exactly once: the second settle returns WALLET_DUPLICATE.
 */
enum wallet_err	 wallet_hold_tx(struct db_conn *, const char *workspace_id,
		    const char *job_id, const char *api_key_id, int64_t amount,
		    const char *description);
enum wallet_err	 wallet_capture_tx(struct db_conn *, const char *workspace_id,
		    const char *job_id, const char *api_key_id, int64_t hold,
		    int64_t actual, const char *description);
enum wallet_err	 wallet_release_tx(struct db_conn *, const char *workspace_id,
		    const char *job_id, const char *api_key_id, int64_t hold,
		    const char *description);

/*
 * ---- ledger core (004) ----
 *
 * Holds carry an expiry (config wallet_hold_ttl_seconds, default 21600 s
 * for wallet_hold_tx). A hold IS its "hold:<job>" ledger row (which
 * carries the expiry); it is open while no "settle:<job>" row exists, and
 * the wallet's reserved changes in the same transaction as each row, so
 * reserved = Σ open holds always (migration 009, docs/MONEY.md).
 */
#define WALLET_HOLD_TTL_DEFAULT	21600

/* wallet_hold_tx with an explicit time to live in seconds (1..30 days). */
enum wallet_err	 wallet_hold_ttl_tx(struct db_conn *, const char *workspace_id,
		    const char *job_id, const char *api_key_id, int64_t amount,
		    int64_t ttl_seconds, const char *description);

/*
 * Self-contained hold / settle: the _tx functions in their own transaction,
 * the one INSERT committed by autocommit (db_tx_self: one round trip,
 * retried on deadlock). WALLET_UNKNOWN when the answer to the
 * commit was lost (retry: the refs make it safe). For callers with no
 * other row to change atomically with the money (reaper, benchmarks).
 */
enum wallet_err	 wallet_hold(struct db_conn *, const char *workspace_id,
		    const char *job_id, const char *api_key_id, int64_t amount,
		    int64_t ttl_seconds, const char *description);
enum wallet_err	 wallet_settle(struct db_conn *, const char *workspace_id,
		    const char *job_id, const char *api_key_id, int64_t hold,
		    int64_t actual, const char *description);

/*
 * Release every open hold whose expiry is ≤ now (unix seconds), at most
 * limit of them, each in its own transaction with the settle ref of its
 * job (so a racing capture or a second reaper gets WALLET_DUPLICATE and
 * the hold still ends once). Returns the number released, or -1 on a
 * database error. Called by the dispatcher's timer and `mgctl wallet reap`.
 */
int		 wallet_reap_expired(struct db_conn *, int64_t now, int limit);

/*
 * A signed adjustment (≠ 0) once per ref: kind "adjustment", credit when
 * positive, debit (may go below zero) when negative.
 */
enum wallet_err	 wallet_adjust(struct db_conn *, const char *workspace_id,
		    int64_t amount, const char *ref, const char *description);

/*
 * Auto-recharge: call after a capture has committed (outside any
 * transaction). When the workspace has auto-recharge enabled and available
 * is below its threshold, create exactly one off-session PaymentIntent per
 * crossing: the crossing is keyed by the newest grant/top-up ledger row
 * ("ar:<ws>:<ledger id>", unique in autorecharge_attempts), so concurrent
 * callers fire at most one, and the next one fires only after money came
 * in again. The webhook (payments) credits. Returns WALLET_OK when nothing
 * was needed or the PI was created, WALLET_DUPLICATE when this crossing had
 * already fired, WALLET_STRIPE when Stripe refused (recorded), WALLET_DB.
 */
enum wallet_err	 wallet_autorecharge_check(struct db_conn *,
		    const char *workspace_id);

/* Pure: does available (balance - reserved) sit below threshold? */
int		 wallet_below_threshold(int64_t balance, int64_t reserved,
		    int64_t threshold);
/* Pure: the crossing key "ar:<ws>:<credit row id>" into buf. 0 or -1. */
int		 wallet_crossing_key(const char *workspace_id, int64_t credit_id,
		    char *buf, size_t cap);

#endif
