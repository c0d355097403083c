/*
 * studio dialect (/v1, canonical; seed 002-aeriox-studio.openapi.json).
 * The route table is the map of the dialect: method, path, pool, auth,
 * scope, body class, generation rate limit, handler.
 */
#include "dialect.h"
#include "mg_health.h"
#include "auth_http.h"
#include "auth_keys.h"
#include "wallet_http.h"

enum studio_route {
	R_STUDIO_HEALTH,
	R_STUDIO_HEALTH_DETAILED,
	R_STUDIO_ME,
	R_STUDIO_WALLET,
	R_STUDIO_KEY_ROTATE,
	R_STUDIO__MAX
};

#define NONE	MG_AUTHN_NONE
#define AUTH	MG_AUTHN_REQUIRED
#define STD	MG_BODY_STD
#define READ	MG_SCOPE_READ
#define GEN	MG_SCOPE_GENERATE
#define ADMIN	MG_SCOPE_ADMIN

static const struct mg_route routes[R_STUDIO__MAX] = {
	[R_STUDIO_HEALTH] = { MG_GET, "/health", MG_MOD_CATALOG, NONE, 0, STD, 0, health_h_basic },
	[R_STUDIO_HEALTH_DETAILED] = { MG_GET, "/health/detailed", MG_MOD_CATALOG, NONE, 0, STD, 0, health_h_detailed },
	[R_STUDIO_ME] = { MG_GET, "/v1/me", MG_MOD_AUTH, AUTH, 0, STD, 0, auth_h_me },
	[R_STUDIO_WALLET] = { MG_GET, "/v1/wallet", MG_MOD_WALLET, AUTH, READ, STD, 0, wallet_h_get },
	[R_STUDIO_KEY_ROTATE] = { MG_POST, "/v1/api-keys/{id}/rotate", MG_MOD_AUTH, AUTH, ADMIN, STD, 0, auth_h_studio_rotate },
};

static const char *const codes[MG_E__MAX] = {
	[MG_E_BAD_REQUEST] = "bad_request",
	[MG_E_INVALID_JSON] = "invalid_json",
	[MG_E_INVALID_PARAM] = "invalid_parameter",
	[MG_E_UNAUTHORIZED] = "unauthorized",
	[MG_E_INSUFFICIENT_FUNDS] = "insufficient_funds",
	[MG_E_SPEND_CAP] = "spend_cap_exceeded",
	[MG_E_FORBIDDEN] = "insufficient_scope",
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

const struct mg_dialect dialect_studio = {
	MG_DIALECT_STUDIO, "studio", "/v1", routes, R_STUDIO__MAX, codes, 0,
};
