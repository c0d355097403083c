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
/* auth_authenticate, then the route's scope (403). Returns 0 or the status. */
int	auth_require(struct mg_ctx *);

/*
 * For handlers that authenticate inside their own query (one round trip):
 * auth_key_credential parses the caller's credential; it returns 0 with the
 * key's hash filled when it is an API key, AUTH_NOT_A_KEY when it is some
 * other credential (use auth_authenticate), or the status already answered.
 * The handler's statement selects AUTH_KEY_COLUMNS first (db/sql/auth.def);
 * it fetches them with AUTH_ROW_FMT / AUTH_ROW_ARGS and hands the row to
 * auth_accept_row, which checks it exactly as auth_authenticate does
 * (active key, the route's scope) and fills c->who. Returns 0 or the status.
 */
#define AUTH_NOT_A_KEY	(-1)
struct auth_row {
	int64_t	scopes, cap, active;
	int	cap_null;
};
#define AUTH_ROW_FMT	"ssssiIiisssii"
#define AUTH_ROW_ARGS(w, row) \
	(w)->key_id, sizeof((w)->key_id), (w)->workspace_id, \
	sizeof((w)->workspace_id), (w)->tenant_id, sizeof((w)->tenant_id), \
	(w)->prefix, sizeof((w)->prefix), &(row)->scopes, &(row)->cap, \
	&(row)->cap_null, &(w)->daily_quota, &(row)->active, (w)->ws_name, \
	sizeof((w)->ws_name), (w)->ws_plan, sizeof((w)->ws_plan), \
	(w)->ws_created, sizeof((w)->ws_created), &(w)->balance_micros, \
	&(w)->reserved_micros
int	auth_key_credential(struct mg_ctx *, unsigned char hash[32]);
int	auth_accept_row(struct mg_ctx *, const struct auth_row *);

/* Format a scope bit set as a JSON array (new object). */
json_object *auth_scopes_json(unsigned scopes);

int	auth_h_me(struct mg_ctx *);		/* GET /v1/me */

#endif
