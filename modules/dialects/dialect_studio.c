/*
 * studio dialect (/v1, canonical; seed 002-aeriox-studio.openapi.json).
 * The route table is the map of the dialect: method, path, pool, auth,
 * scope, body class, generation rate limit, handler.
 */
#include "dialect.h"
#include "mg_health.h"
#include "auth_http.h"
#include "auth_oauth.h"
#include "auth_keys.h"
#include "wallet_http.h"
#include "gen_http.h"
#include "catalog_http.h"
#include "catalog_cards.h"
#include "catalog_jobs.h"

enum studio_route {
	R_STUDIO_HEALTH,
	R_STUDIO_HEALTH_DETAILED,
	R_STUDIO_ME,
	R_STUDIO_WALLET,
	R_STUDIO_OAUTH_AUTHORIZE,
	R_STUDIO_OAUTH_LOGIN,
	R_STUDIO_OAUTH_CONSENT,
	R_STUDIO_OAUTH_LOGOUT,
	R_STUDIO_OAUTH_TOKEN,
	R_STUDIO_OAUTH_REVOKE,
	R_STUDIO_OAUTH_INTROSPECT,
	R_STUDIO_OAUTH_JWKS,
	R_STUDIO_OAUTH_METADATA,
	R_STUDIO_GEN_IMAGE,
	R_STUDIO_GEN_VIDEO,
	R_STUDIO_GEN_AUDIO,
	R_STUDIO_GEN_COMPOSE,
	R_STUDIO_GEN_LEGACY,
	R_STUDIO_JOB_GET,
	R_STUDIO_JOB_CANCEL,
	R_STUDIO_GENERATION_GET,
	R_STUDIO_CREDITS,
	R_STUDIO_TOPUP,
	R_STUDIO_AUTORECHARGE,
	R_STUDIO_BENCH_CYCLE,
	R_STUDIO_MODELS,
	R_STUDIO_PRICING,
	R_STUDIO_ESTIMATE,
	R_STUDIO_PRISMS,
	R_STUDIO_NODES_LIST,
	R_STUDIO_NODES_CREATE,
	R_STUDIO_NODE_GET,
	R_STUDIO_NODE_DELETE,
	R_STUDIO_CARD_SEARCH,
	R_STUDIO_CARD_RENDER,
	R_STUDIO_CHARACTERS_LIST,
	R_STUDIO_CHARACTER_GET,
	R_STUDIO_CHARACTER_DELETE,
	R_STUDIO_CHARACTER_CREATE,
	R_STUDIO_PRISM_APPLY,
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
	[R_STUDIO_WALLET] = { MG_GET, "/v1/wallet", MG_MOD_WALLET, MG_AUTHN_HANDLER, READ, STD, 0, wallet_h_get },
	[R_STUDIO_GEN_IMAGE] = { MG_POST, "/v1/images/generate", MG_MOD_GENERATION, AUTH, GEN, STD, 1, gen_h_image, 1 },
	[R_STUDIO_GEN_VIDEO] = { MG_POST, "/v1/videos/generate", MG_MOD_GENERATION, AUTH, GEN, STD, 1, gen_h_video, 1 },
	[R_STUDIO_GEN_AUDIO] = { MG_POST, "/v1/audio/generate", MG_MOD_GENERATION, AUTH, GEN, STD, 1, gen_h_audio, 1 },
	[R_STUDIO_GEN_COMPOSE] = { MG_POST, "/v1/compose", MG_MOD_GENERATION, AUTH, GEN, STD, 1, gen_h_compose, 1 },
	[R_STUDIO_GEN_LEGACY] = { MG_POST, "/v1/generate", MG_MOD_GENERATION, AUTH, GEN, STD, 1, gen_h_generate_legacy, 1 },
	[R_STUDIO_JOB_GET] = { MG_GET, "/v1/jobs/{id}", MG_MOD_GENERATION, AUTH, READ, STD, 0, gen_h_job_get },
	[R_STUDIO_JOB_CANCEL] = { MG_DELETE, "/v1/jobs/{id}", MG_MOD_GENERATION, AUTH, GEN, STD, 0, gen_h_job_cancel },
	[R_STUDIO_GENERATION_GET] = { MG_GET, "/v1/generations/{id}", MG_MOD_GENERATION, AUTH, READ, STD, 0, gen_h_generation_get },
	[R_STUDIO_CREDITS] = { MG_GET, "/v1/credits", MG_MOD_WALLET, AUTH, READ, STD, 0, wallet_h_credits },
	[R_STUDIO_TOPUP] = { MG_POST, "/v1/wallet/topup", MG_MOD_WALLET, AUTH, GEN | ADMIN, STD, 0, wallet_h_topup, 1 },
	[R_STUDIO_AUTORECHARGE] = { MG_POST, "/v1/wallet/auto-recharge", MG_MOD_WALLET, AUTH, ADMIN, STD, 0, wallet_h_autorecharge, 1 },
	[R_STUDIO_BENCH_CYCLE] = { MG_POST, "/v1/_bench/reserve-release", MG_MOD_WALLET, AUTH, GEN, STD, 0, wallet_h_bench_cycle },
	[R_STUDIO_OAUTH_AUTHORIZE] = { MG_GET, "/v1/oauth/authorize", MG_MOD_AUTH, NONE, 0, STD, 0, auth_oauth_h_authorize },
	[R_STUDIO_OAUTH_LOGIN] = { MG_POST, "/v1/oauth/login", MG_MOD_AUTH, NONE, 0, STD, 0, auth_oauth_h_login },
	[R_STUDIO_OAUTH_CONSENT] = { MG_POST, "/v1/oauth/consent", MG_MOD_AUTH, NONE, 0, STD, 0, auth_oauth_h_consent },
	[R_STUDIO_OAUTH_LOGOUT] = { MG_POST, "/v1/oauth/logout", MG_MOD_AUTH, NONE, 0, STD, 0, auth_oauth_h_logout },
	[R_STUDIO_OAUTH_TOKEN] = { MG_POST, "/v1/oauth/token", MG_MOD_AUTH, NONE, 0, STD, 0, auth_oauth_h_token },
	[R_STUDIO_OAUTH_REVOKE] = { MG_POST, "/v1/oauth/revoke", MG_MOD_AUTH, NONE, 0, STD, 0, auth_oauth_h_revoke },
	[R_STUDIO_OAUTH_INTROSPECT] = { MG_POST, "/v1/oauth/introspect", MG_MOD_AUTH, NONE, 0, STD, 0, auth_oauth_h_introspect },
	[R_STUDIO_OAUTH_JWKS] = { MG_GET, "/v1/oauth/jwks", MG_MOD_AUTH, NONE, 0, STD, 0, auth_oauth_h_jwks },
	[R_STUDIO_OAUTH_METADATA] = { MG_GET, "/.well-known/oauth-authorization-server", MG_MOD_AUTH, NONE, 0, STD, 0, auth_oauth_h_metadata },
	[R_STUDIO_MODELS] = { MG_GET, "/v1/models", MG_MOD_CATALOG, AUTH, READ, STD, 0, catalog_h_models },
	[R_STUDIO_PRICING] = { MG_GET, "/v1/pricing", MG_MOD_CATALOG, NONE, 0, STD, 0, catalog_h_pricing },
	[R_STUDIO_ESTIMATE] = { MG_POST, "/v1/estimate", MG_MOD_CATALOG, AUTH, READ | GEN, STD, 0, catalog_h_estimate },
	[R_STUDIO_PRISMS] = { MG_GET, "/v1/prisms", MG_MOD_CATALOG, AUTH, READ, STD, 0, catalog_h_prisms },
	[R_STUDIO_NODES_LIST] = { MG_GET, "/v1/nodes", MG_MOD_CATALOG, AUTH, READ, STD, 0, catalog_h_node_list },
	[R_STUDIO_NODES_CREATE] = { MG_POST, "/v1/nodes", MG_MOD_CATALOG, AUTH, GEN, STD, 0, catalog_h_node_create },
	[R_STUDIO_NODE_GET] = { MG_GET, "/v1/nodes/{id}", MG_MOD_CATALOG, AUTH, READ, STD, 0, catalog_h_node_get },
	[R_STUDIO_NODE_DELETE] = { MG_DELETE, "/v1/nodes/{id}", MG_MOD_CATALOG, AUTH, GEN, STD, 0, catalog_h_node_delete },
	[R_STUDIO_CARD_SEARCH] = { MG_GET, "/v1/cards/search", MG_MOD_CATALOG, AUTH, READ, STD, 0, catalog_h_card_search },
	[R_STUDIO_CARD_RENDER] = { MG_GET, "/v1/cards/{id}/render", MG_MOD_CATALOG, AUTH, READ, STD, 0, catalog_h_card_render },
	[R_STUDIO_CHARACTERS_LIST] = { MG_GET, "/v1/characters", MG_MOD_GENERATION, AUTH, READ, STD, 0, catalog_h_characters_list },
	[R_STUDIO_CHARACTER_GET] = { MG_GET, "/v1/characters/{id}", MG_MOD_GENERATION, AUTH, READ, STD, 0, catalog_h_character_get },
	[R_STUDIO_CHARACTER_DELETE] = { MG_DELETE, "/v1/characters/{id}", MG_MOD_GENERATION, AUTH, ADMIN, STD, 0, catalog_h_character_delete },
	[R_STUDIO_CHARACTER_CREATE] = { MG_POST, "/v1/characters", MG_MOD_GENERATION, AUTH, GEN, STD, 1, catalog_h_character_create },
	[R_STUDIO_PRISM_APPLY] = { MG_POST, "/v1/prisms/{id}/apply", MG_MOD_GENERATION, AUTH, GEN, STD, 1, catalog_h_prism_apply },
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
