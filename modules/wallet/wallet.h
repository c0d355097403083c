/*
 * wallet: THE place where money moves. Every balance change is one ledger
 * row written in the same transaction as the wallet update, with a unique
 * reference derived from its cause (db/migrations/001_core.sql).
 *
 * All amounts are integer USD micros.
 */
#ifndef WALLET_H
#define WALLET_H

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

#endif
