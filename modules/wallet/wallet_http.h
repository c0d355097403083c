/*
 * wallet_http: the wallet routes of every dialect (shapes only; money
 * moves in wallet.c).
 */
#ifndef WALLET_HTTP_H
#define WALLET_HTTP_H

#include "mg_ctx.h"

/* A USD amount for display: a JSON number printed from the exact micros. */
json_object *wallet_usd_json(int64_t micros);

int	wallet_h_get(struct mg_ctx *);		/* GET /v1/wallet */

#endif

/* ---- ledger core routes (004, branch ledger) ---- */
int	wallet_h_credits(struct mg_ctx *);	/* GET /v1/credits (deprecated) */
int	wallet_h_topup(struct mg_ctx *);	/* POST /v1/wallet/topup */
int	wallet_h_autorecharge(struct mg_ctx *);	/* POST /v1/wallet/auto-recharge */
int	wallet_h_prepaid_balance(struct mg_ctx *);	/* GET /api/v1/balance */
int	wallet_h_credits_balance(struct mg_ctx *);	/* GET /api/credits/balance */
int	wallet_h_billing_get(struct mg_ctx *);	/* GET /api/billing */
int	wallet_h_billing_put(struct mg_ctx *);	/* PUT /api/billing */

/* 1 credit (credits dialect) = $0.01 = 10,000 micros. */
#define WALLET_MICROS_PER_CREDIT	10000

/*
 * Pure: split a credits-dialect balance. Grants are "subscription" credits,
 * top-ups are "top-up" credits, and spending drains grants first:
 * sub = clamp(grants + positive adjustments - spent, 0, balance),
 * topup = balance - sub. All in micros.
 */
void	wallet_credit_split(int64_t balance, int64_t grants, int64_t spent,
	    int64_t *sub, int64_t *topup);
/*
 * Pure: a JSON number (or numeric string) as USD micros within
 * [min, max]. 0, or -1 when not a decimal number in range.
 */
int	wallet_json_usd(json_object *v, int64_t min, int64_t max, int64_t *out);
/* Seal / open a BYO provider key with a 32-byte key (secretbox, nonce ‖ box). */
int	wallet_key_seal(const unsigned char key[32], const char *plain,
	    unsigned char *out, size_t cap, size_t *outlen);
int	wallet_key_open(const unsigned char key[32], const unsigned char *in,
	    size_t len, char *plain, size_t cap);
/*
 * POST /v1/_bench/reserve-release (404 unless config bench_routes = 1):
 * one reservation of 1 micro in its own transaction, then its release in
 * another, through the same wallet_hold_tx / wallet_release_tx as jobs.
 * For tools/bench/run.sh only.
 */
int	wallet_h_bench_cycle(struct mg_ctx *);
