/*
 * prepaid dialect (/api/v1; seed 003-killa-tamata.openapi.json).
 */
#include "dialect.h"
#include "mg_health.h"
#include "gen_http.h"
#include "payments_http.h"
#include "wallet_http.h"

enum prepaid_route {
	R_PREPAID_HEALTH,
	R_PREPAID_MEDIA_SUBMIT,
	R_PREPAID_MEDIA_STATUS,
	/* payments (modules/wallet/payments_http.c) */
	R_PREPAID_PACKAGES,
	R_PREPAID_CHECKOUT_STRIPE,
	R_PREPAID_CHECKOUT_CRYPTO,
	R_PREPAID_CLAIM_STRIPE,
	R_PREPAID_CLAIM_CRYPTO,
	R_PREPAID_X402_PURCHASE,
	R_PREPAID_X402_DEPOSIT,
	R_PREPAID_CREDITS_BALANCE_GONE,
	R_PREPAID_CREDITS_CONSUME_GONE,
	R_PREPAID_WEBHOOK_STRIPE,
	R_PREPAID_WEBHOOK_CRYPTO,
	R_PREPAID_BALANCE,
	R_PREPAID__MAX
};

#define NONE	MG_AUTHN_NONE
#define AUTH	MG_AUTHN_REQUIRED
#define STD	MG_BODY_STD
#define UPLOAD	MG_BODY_UPLOAD
#define GEN	MG_SCOPE_GENERATE
#define READ	MG_SCOPE_READ
#define W	MG_MOD_WALLET

static const struct mg_route routes[R_PREPAID__MAX] = {
	[R_PREPAID_HEALTH] = { MG_GET, "/api/v1/health", MG_MOD_CATALOG, NONE, 0, STD, 0, health_h_prepaid },
	[R_PREPAID_MEDIA_SUBMIT] = { MG_POST, "/api/v1/media/jobs", MG_MOD_GENERATION, AUTH, GEN, UPLOAD, 1, gen_h_media_submit, 1 },
	[R_PREPAID_MEDIA_STATUS] = { MG_GET, "/api/v1/media/jobs", MG_MOD_GENERATION, AUTH, READ, STD, 0, gen_h_media_status },
	[R_PREPAID_PACKAGES] = { MG_GET, "/api/v1/packages", W, NONE, 0, STD, 0, pay_h_packages },
	[R_PREPAID_CHECKOUT_STRIPE] = { MG_POST, "/api/v1/checkout/stripe", W, AUTH, 0, STD, 0, pay_h_checkout_stripe, 1 },
	[R_PREPAID_CHECKOUT_CRYPTO] = { MG_POST, "/api/v1/checkout/crypto", W, AUTH, 0, STD, 0, pay_h_checkout_crypto, 1 },
	[R_PREPAID_CLAIM_STRIPE] = { MG_POST, "/api/v1/claim/stripe", W, AUTH, 0, STD, 0, pay_h_claim_stripe },
	[R_PREPAID_CLAIM_CRYPTO] = { MG_POST, "/api/v1/claim/crypto", W, AUTH, 0, STD, 0, pay_h_claim_crypto },
	[R_PREPAID_X402_PURCHASE] = { MG_POST, "/api/v1/credits/purchase/x402", W, AUTH, 0, STD, 0, pay_h_x402 },
	[R_PREPAID_X402_DEPOSIT] = { MG_POST, "/api/v1/deposit/x402", W, AUTH, 0, STD, 0, pay_h_x402 },
	[R_PREPAID_CREDITS_BALANCE_GONE] = { MG_GET, "/api/v1/credits/balance", W, NONE, 0, STD, 0, pay_h_gone_balance },
	[R_PREPAID_CREDITS_CONSUME_GONE] = { MG_POST, "/api/v1/credits/consume", W, NONE, 0, STD, 0, pay_h_gone_consume },
	[R_PREPAID_WEBHOOK_STRIPE] = { MG_POST, "/api/v1/webhooks/stripe", W, NONE, 0, STD, 0, pay_h_webhook_stripe },
	[R_PREPAID_WEBHOOK_CRYPTO] = { MG_POST, "/api/v1/webhooks/crypto", W, NONE, 0, STD, 0, pay_h_webhook_crypto },
	[R_PREPAID_BALANCE] = { MG_GET, "/api/v1/balance", MG_MOD_WALLET, AUTH, MG_SCOPE_READ, STD, 0, wallet_h_prepaid_balance },
};

static const char *const codes[MG_E__MAX] = {
	[MG_E_BAD_REQUEST] = "bad_request",
	[MG_E_INVALID_JSON] = "invalid_json",
	[MG_E_INVALID_PARAM] = "invalid_parameter",
	[MG_E_UNAUTHORIZED] = "unauthorized",
	[MG_E_INSUFFICIENT_FUNDS] = "insufficient_funds",
	[MG_E_SPEND_CAP] = "spend_cap_exceeded",
	[MG_E_FORBIDDEN] = "forbidden",
	[MG_E_NOT_FOUND] = "not_found",
	[MG_E_METHOD] = "method_not_allowed",
	[MG_E_CONFLICT] = "conflict",
	[MG_E_IDEMPOTENCY_BUSY] = "idempotency_in_flight",
	[MG_E_GONE] = "gone",
	[MG_E_TOO_LARGE] = "payload_too_large",
	[MG_E_IDEMPOTENCY_MISMATCH] = "idempotency_error",
	[MG_E_UNPROCESSABLE] = "unprocessable",
	[MG_E_RATE_LIMITED] = "rate_limited",
	[MG_E_HEADER_TOO_LARGE] = "header_too_large",
	[MG_E_INTERNAL] = "internal_error",
	[MG_E_UPSTREAM] = "upstream_error",
	[MG_E_UNAVAILABLE] = "unavailable",
};

const struct mg_dialect dialect_prepaid = {
	MG_DIALECT_PREPAID, "prepaid", "/api/v1", routes, R_PREPAID__MAX, codes, 0,
};
