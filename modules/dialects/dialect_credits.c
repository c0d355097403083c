/*
 * credits dialect (/api; seeds 000-newcharactersheet.openapi.json and the
 * prose reference 001). Error codes are upper case, as in 001 "Errors".
 */
#include <stddef.h>

#include "dialect.h"
#include "payments_http.h"
#include "wallet_http.h"

enum credits_route {
	R_CREDITS_CHECKOUT,	/* payments (modules/wallet/payments_http.c) */
	R_CREDITS_BALANCE,
	R_CREDITS_BILLING_GET,
	R_CREDITS_BILLING_PUT,
	R_CREDITS__MAX
};

#define AUTH	MG_AUTHN_REQUIRED
#define STD	MG_BODY_STD

static const struct mg_route routes[R_CREDITS__MAX + 1] = {
	[R_CREDITS_CHECKOUT] = { MG_POST, "/api/credits/checkout", MG_MOD_WALLET, MG_AUTHN_REQUIRED, 0, MG_BODY_STD, 0, pay_h_credits_checkout, 1 },
	[R_CREDITS_BALANCE] = { MG_GET, "/api/credits/balance", MG_MOD_WALLET, AUTH, MG_SCOPE_READ, STD, 0, wallet_h_credits_balance },
	[R_CREDITS_BILLING_GET] = { MG_GET, "/api/billing", MG_MOD_WALLET, AUTH, MG_SCOPE_READ, STD, 0, wallet_h_billing_get },
	[R_CREDITS_BILLING_PUT] = { MG_PUT, "/api/billing", MG_MOD_WALLET, AUTH, MG_SCOPE_GENERATE | MG_SCOPE_ADMIN, STD, 0, wallet_h_billing_put },
	/* sentinel: keeps the array non-empty whatever the table holds */
	[R_CREDITS__MAX] = { MG_GET, NULL, MG_MOD_AUTH, MG_AUTHN_NONE, 0, MG_BODY_STD, 0, NULL },
};

static const char *const codes[MG_E__MAX] = {
	[MG_E_BAD_REQUEST] = "BAD_REQUEST",
	[MG_E_INVALID_JSON] = "INVALID_JSON",
	[MG_E_INVALID_PARAM] = "INVALID_PARAMETER",
	[MG_E_UNAUTHORIZED] = "UNAUTHENTICATED",
	[MG_E_INSUFFICIENT_FUNDS] = "INSUFFICIENT_CREDITS",
	[MG_E_SPEND_CAP] = "SPEND_CAP_EXCEEDED",
	[MG_E_FORBIDDEN] = "FORBIDDEN",
	[MG_E_NOT_FOUND] = "NOT_FOUND",
	[MG_E_METHOD] = "METHOD_NOT_ALLOWED",
	[MG_E_CONFLICT] = "CONFLICT",
	[MG_E_IDEMPOTENCY_BUSY] = "IDEMPOTENCY_IN_FLIGHT",
	[MG_E_GONE] = "GONE",
	[MG_E_TOO_LARGE] = "PAYLOAD_TOO_LARGE",
	[MG_E_IDEMPOTENCY_MISMATCH] = "IDEMPOTENCY_ERROR",
	[MG_E_UNPROCESSABLE] = "UNPROCESSABLE",
	[MG_E_RATE_LIMITED] = "RATE_LIMITED",
	[MG_E_HEADER_TOO_LARGE] = "HEADER_TOO_LARGE",
	[MG_E_INTERNAL] = "INTERNAL_ERROR",
	[MG_E_UPSTREAM] = "UPSTREAM_ERROR",
	[MG_E_UNAVAILABLE] = "UNAVAILABLE",
};

const struct mg_dialect dialect_credits = {
	MG_DIALECT_CREDITS, "credits", "/api", routes, R_CREDITS__MAX, codes, 0,
};
