/*
 * payments_http: the payment routes (prepaid seed 003, credits seed 000/001).
 * Shapes and provider calls here; the exactly-once transactions are in
 * payments.c. See docs/PAYMENTS.md.
 */
#ifndef PAYMENTS_HTTP_H
#define PAYMENTS_HTTP_H

#include "mg_ctx.h"

int	pay_h_packages(struct mg_ctx *);	/* GET /api/v1/packages */
int	pay_h_checkout_stripe(struct mg_ctx *);	/* POST /api/v1/checkout/stripe */
int	pay_h_checkout_crypto(struct mg_ctx *);	/* POST /api/v1/checkout/crypto */
int	pay_h_claim_stripe(struct mg_ctx *);	/* POST /api/v1/claim/stripe */
int	pay_h_claim_crypto(struct mg_ctx *);	/* POST /api/v1/claim/crypto */
int	pay_h_x402(struct mg_ctx *);		/* POST /api/v1/credits/purchase/x402,
						   /api/v1/deposit/x402 */
int	pay_h_gone_balance(struct mg_ctx *);	/* GET /api/v1/credits/balance → 410 */
int	pay_h_gone_consume(struct mg_ctx *);	/* POST /api/v1/credits/consume → 410 */
int	pay_h_webhook_stripe(struct mg_ctx *);	/* POST /api/v1/webhooks/stripe */
int	pay_h_webhook_crypto(struct mg_ctx *);	/* POST /api/v1/webhooks/crypto */
int	pay_h_credits_checkout(struct mg_ctx *); /* POST /api/credits/checkout */

#endif
