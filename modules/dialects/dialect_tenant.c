/*
 * tenant dialect (/api on its own nginx server; seed 004-studiobrain.rest-api.md).
 * Errors use the seed's {"detail": "..."} shape.
 */
#include <stddef.h>

#include "dialect.h"

enum tenant_route {
	R_TENANT__MAX
};

static const struct mg_route routes[R_TENANT__MAX + 1] = {
	{ MG_GET, NULL, MG_MOD_AUTH, MG_AUTHN_NONE, 0, MG_BODY_STD, 0, NULL },
};

static const char *const codes[MG_E__MAX] = {
	[MG_E_UNAUTHORIZED] = "unauthorized",
	[MG_E_NOT_FOUND] = "not_found",
};

const struct mg_dialect dialect_tenant = {
	MG_DIALECT_TENANT, "tenant", "", routes, R_TENANT__MAX, codes, 1,
};
