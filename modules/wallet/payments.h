/*
 * payments: external payments (Stripe, Coinbase Commerce, x402) credited
 * exactly once (brief money rule 5; docs/PAYMENTS.md).
 *
 * Exactly once: every credit is ONE transaction that writes the ledger row
 * with the unique ref "<provider>:<payment key>" (wallet_credit_tx) and
 * upserts the payments row as paid. Whichever of webhook, claim or replay
 * commits first credits; the others hit the unique ref (WALLET_DUPLICATE),
 * still upsert the same row, and answer with the first result.
 *
 * Payment keys (pay_event.h): Stripe: the PaymentIntent id (the session id
 * when a session has none); Coinbase: the charge code; x402: the settled
 * transaction. Refunds debit "stripe-refund:<charge>:<cumulative cents>"
 * (only the increase over the last applied cumulative amount), disputes
 * "stripe-dispute:<dispute id>".
 */
#ifndef PAYMENTS_H
#define PAYMENTS_H

#include <stddef.h>
#include <stdint.h>

#include "pay_event.h"

struct db_conn;
struct catalog;

enum payments_provider {
	PAYMENTS_STRIPE,
	PAYMENTS_COINBASE,
	PAYMENTS_X402,
	PAYMENTS_PROVIDER__MAX
};

enum payments_err {
	PAYMENTS_OK = 0,	/* applied now (credited, debited, marked) */
	PAYMENTS_ALREADY,	/* credited before (ledger ref taken): first result stands */
	PAYMENTS_DUP_EVENT,	/* this webhook event id was processed before */
	PAYMENTS_IGNORED,	/* nothing to do (unknown type, no payment, no money) */
	PAYMENTS_UNKNOWN_PAYMENT, /* a refund/dispute for a payment we do not know yet */
	PAYMENTS_NO_WALLET,	/* the workspace has no wallet */
	PAYMENTS_BAD_AMOUNT,	/* amount out of range */
	PAYMENTS_NOT_FOUND,	/* no such checkout */
	PAYMENTS_UNKNOWN,	/* COMMIT answer lost: retrying is safe */
	PAYMENTS_DB,		/* database failure */
	PAYMENTS__MAX
};

#define PAYMENTS_REF_MAX	192	/* ledger.ref is VARCHAR(191) */
#define PAYMENTS_PKG_MAX	64	/* package_code column */
/* Credit-pack codes are stored as package codes with this prefix. */
#define PAYMENTS_PACK_PREFIX	"pack:"

const char	*payments_strerror(int);
const char	*payments_provider_name(enum payments_provider);

/* One credit: who, how much, and the payment that pays for it. */
struct payments_settle {
	enum payments_provider	 provider;
	const char		*payment_key;	/* pi_… / charge code / tx */
	const char		*checkout_id;	/* cs_… / charge code, or NULL */
	const char		*workspace_id;
	const char		*package_code;	/* "" or NULL when none */
	int64_t			 amount_micros;	/* what the payer paid */
	int64_t			 credit_micros;	/* what the wallet gets, > 0 */
	const char		*description;
};

/*
 * Credit s once, in its own transaction (claims, x402). Returns PAYMENTS_OK
 * when this call credited, PAYMENTS_ALREADY when an earlier one did.
 */
int	 payments_settle(struct db_conn *, const struct payments_settle *);

/* Record a checkout we created (pending until settled). PAYMENTS_OK/DB. */
int	 payments_checkout_record(struct db_conn *, enum payments_provider,
	    const char *checkout_id, const char *alt_id, const char *workspace_id,
	    const char *package_code, int64_t amount_micros,
	    int64_t credit_micros);

/* A checkout row as stored. */
struct payments_checkout {
	char	 checkout_id[PAY_ID_MAX];
	char	 workspace_id[37];
	char	 package_code[PAYMENTS_PKG_MAX + 1];
	int64_t	 amount_micros;
	int64_t	 credit_micros;
	char	 status[16];		/* open, complete, failed, expired */
	char	 payment_key[PAY_ID_MAX];
};

/* Find a checkout by id (or alternate id). PAYMENTS_OK / NOT_FOUND / DB. */
int	 payments_checkout_get(struct db_conn *, enum payments_provider,
	    const char *id, struct payments_checkout *out);

/*
 * What a package code sells: price and credit in micros. Codes are the
 * catalog's packages[] codes, or PAYMENTS_PACK_PREFIX + a credit pack id
 * (credit = credits × credit_usd_micros). 0, or -1 when unknown.
 */
int	 payments_package_price(const struct catalog *, const char *code,
	    int64_t *price_micros, int64_t *credit_micros);

/*
 * Apply a verified, parsed Stripe event (payments.md §3) in ONE transaction
 * with its event-id dedupe row. parse_rc is pay_stripe_event_parse's result
 * (PAY_EVT_OK or PAY_EVT_ENOMETA). cat may be NULL (then a PaymentIntent
 * credits what was paid). Returns a payments_err; *credited_micros (may be
 * NULL) gets the amount credited or debited now.
 */
int	 payments_stripe_event(struct db_conn *, const struct catalog *,
	    const struct pay_stripe_event *, int parse_rc,
	    int64_t *moved_micros);

/* Same for a Coinbase Commerce event (§4): credit confirmed/resolved once. */
int	 payments_coinbase_event(struct db_conn *,
	    const struct pay_coinbase_event *, int parse_rc,
	    int64_t *moved_micros);

#endif
