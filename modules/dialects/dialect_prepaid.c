/*
 * prepaid dialect (/api/v1; seed 003-killa-tamata.openapi.json).
 */
#include "dialect.h"
#include "mg_health.h"
#include "payments_http.h"
#include "gen_http.h"
#include "wallet_http.h"
#include "auth_device.h"
#include "auth_keys.h"
#include "auth_signin.h"

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
	/* generation (modules/generation/gen_http.c) */
	R_PREPAID_BALANCE,
	/* keys, sign-in, device link (modules/auth/auth_keys.c, auth_signin.c, auth_device.c) */
	R_PREPAID_KEYS_LIST,
	R_PREPAID_KEYS_CREATE,
	R_PREPAID_KEYS_REVOKE,
	R_PREPAID_EMAIL_START,
	R_PREPAID_EMAIL_VERIFY,
	R_PREPAID_GOOGLE,
	R_PREPAID_DEVICE_START,
	R_PREPAID_DEVICE_REQUEST,
	R_PREPAID_DEVICE_APPROVE,
	R_PREPAID_DEVICE_POLL,
	R_PREPAID_BROWSER_EMAIL_VERIFY,
	R_PREPAID_BROWSER_GOOGLE,
	R_PREPAID_BROWSER_SESSION_GET,
	R_PREPAID_BROWSER_SESSION_DELETE,
	R_PREPAID__MAX
};

#define NONE	MG_AUTHN_NONE
#define AUTH	MG_AUTHN_REQUIRED
#define STD	MG_BODY_STD
#define UPLOAD	MG_BODY_UPLOAD
#define GEN	MG_SCOPE_GENERATE
#define READ	MG_SCOPE_READ
#define OPT	MG_AUTHN_OPTIONAL
#define ADMIN	MG_SCOPE_ADMIN

static const struct mg_route routes[R_PREPAID__MAX] = {
	[R_PREPAID_HEALTH] = { MG_GET, "/api/v1/health", MG_MOD_CATALOG, NONE, 0, STD, 0, health_h_prepaid },
#define W	MG_MOD_WALLET

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
	[R_PREPAID_KEYS_LIST] = { MG_GET, "/api/v1/keys", MG_MOD_AUTH, AUTH, READ | ADMIN, STD, 0, auth_h_prepaid_list },
	[R_PREPAID_KEYS_CREATE] = { MG_POST, "/api/v1/keys", MG_MOD_AUTH, OPT, ADMIN, STD, 0, auth_h_prepaid_create },
	[R_PREPAID_KEYS_REVOKE] = { MG_POST, "/api/v1/keys/revoke", MG_MOD_AUTH, AUTH, ADMIN, STD, 0, auth_h_prepaid_revoke },
	[R_PREPAID_EMAIL_START] = { MG_POST, "/api/v1/auth/email/start", MG_MOD_AUTH, NONE, 0, STD, 0, auth_h_email_start },
	[R_PREPAID_EMAIL_VERIFY] = { MG_POST, "/api/v1/auth/email/verify", MG_MOD_AUTH, NONE, 0, STD, 0, auth_h_email_verify },
	[R_PREPAID_GOOGLE] = { MG_POST, "/api/v1/auth/google", MG_MOD_AUTH, NONE, 0, STD, 0, auth_h_google },
	[R_PREPAID_DEVICE_START] = { MG_POST, "/api/v1/device/link/start", MG_MOD_AUTH, NONE, 0, STD, 0, auth_h_device_start },
	[R_PREPAID_DEVICE_REQUEST] = { MG_GET, "/api/v1/device/link/request", MG_MOD_AUTH, NONE, 0, STD, 0, auth_h_device_request },
	[R_PREPAID_DEVICE_APPROVE] = { MG_POST, "/api/v1/device/link/approve", MG_MOD_AUTH, AUTH, ADMIN, STD, 0, auth_h_device_approve },
	[R_PREPAID_DEVICE_POLL] = { MG_POST, "/api/v1/device/link/poll", MG_MOD_AUTH, NONE, 0, STD, 0, auth_h_device_poll },
	[R_PREPAID_BROWSER_EMAIL_VERIFY] = { MG_POST, "/api/v1/auth/browser/email/verify", MG_MOD_AUTH, NONE, 0, STD, 0, auth_h_browser_email_verify },
	[R_PREPAID_BROWSER_GOOGLE] = { MG_POST, "/api/v1/auth/browser/google", MG_MOD_AUTH, NONE, 0, STD, 0, auth_h_browser_google },
	[R_PREPAID_BROWSER_SESSION_GET] = { MG_GET, "/api/v1/auth/browser/session", MG_MOD_AUTH, NONE, 0, STD, 0, auth_h_browser_session_get },
	[R_PREPAID_BROWSER_SESSION_DELETE] = { MG_DELETE, "/api/v1/auth/browser/session", MG_MOD_AUTH, NONE, 0, STD, 0, auth_h_browser_session_delete },
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
