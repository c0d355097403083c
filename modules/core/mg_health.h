/*
 * mg_health: liveness and readiness routes (served by the catalog pool).
 */
#ifndef MG_HEALTH_H
#define MG_HEALTH_H

#include "mg_ctx.h"

#define MG_RELEASE	"0.1.0"
#define MG_API_VERSION	"2026-11-23"

int	health_h_basic(struct mg_ctx *);	/* GET /health */
int	health_h_detailed(struct mg_ctx *);	/* GET /health/detailed */
int	health_h_prepaid(struct mg_ctx *);	/* GET /api/v1/health */

#endif
