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
