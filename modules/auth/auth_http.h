/*
 * auth_http: authentication of every request and the identity routes.
 */
#ifndef AUTH_HTTP_H
#define AUTH_HTTP_H

#include "mg_ctx.h"

/*
 * Authenticate the caller from "Authorization: Bearer <key|token>" or
 * "X-API-Key: <key>". Fills c->who. Returns 0 when authenticated (or when
 * the route's authentication is optional and no credential was sent), else
 * the status of the error already answered (401).
 */
int	auth_authenticate(struct mg_ctx *);

/* Format a scope bit set as a JSON array (new object). */
json_object *auth_scopes_json(unsigned scopes);

int	auth_h_me(struct mg_ctx *);		/* GET /v1/me */

#endif
