#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "db.h"
#include "mg_log.h"
#include "mg_util.h"
#include "auth_http.h"
#include "auth_key.h"
#include "auth_keys.h"

/*
 * The per-key daily request quota (docs/IDENTITY.md): one upsert per
 * API-key request; over quota → 429 with Retry-After (seconds to the next
 * UTC midnight) in the dialect's error shape. 0 ok, else status answered.
 */
static int
check_quota(struct mg_ctx *c)
{
	char ra[24];
	int rc;

	if ((rc = auth_quota_hit(c->db, c->who.key_id, c->who.daily_quota)) == 0)
		return 0;
	c->who.authenticated = 0;
	if (rc < 0)
		return mg_fail(c, MG_E_INTERNAL, "could not check the key's quota");
	snprintf(ra, sizeof(ra), "%lld",
	    (long long)auth_quota_retry_after(time(NULL)));
	mg_header(c, "Retry-After", ra);
	return mg_fail(c, MG_E_RATE_LIMITED,
	    "this API key reached its daily request quota");
}

/* Load the principal for a key hash; 0 ok, else status answered. */
static int
load_key(struct mg_ctx *c, const unsigned char hash[32])
{
	struct mg_principal *w = &c->who;
	int64_t scopes, active, cap;
	int cap_null;
	enum db_err e;

	e = db_row(c->db, DB_AUTH_KEY_LOOKUP, "b", "ssssiIiisssii",
	    hash, (size_t)32,
	    w->key_id, sizeof(w->key_id), w->workspace_id,
	    sizeof(w->workspace_id), w->tenant_id, sizeof(w->tenant_id),
	    w->prefix, sizeof(w->prefix), &scopes, &cap, &cap_null,
	    &w->daily_quota, &active, w->ws_name, sizeof(w->ws_name),
	    w->ws_plan, sizeof(w->ws_plan), w->ws_created,
	    sizeof(w->ws_created), &w->balance_micros, &w->reserved_micros);
	if (e == DB_NOROW)
		return mg_fail(c, MG_E_UNAUTHORIZED, "invalid API key");
	if (e != DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not check credentials");
	if (!active)
		return mg_fail(c, MG_E_UNAUTHORIZED,
		    "API key revoked or expired");
	w->scopes = (unsigned)scopes;
	w->has_cap = !cap_null;
	w->daily_cap_micros = cap_null ? 0 : cap;
	w->authenticated = 1;
	return check_quota(c);
}

int
auth_authenticate(struct mg_ctx *c)
{
	const char *h, *tok;
	size_t toklen;
	unsigned char hash[AUTH_KEY_HASH_LEN];
	enum auth_bearer_err be;
	enum auth_key_err ke;

	if ((h = fcgi_req_header(&c->req, "Authorization")) != NULL) {
		if ((be = auth_bearer_parse(h, &tok, &toklen)) != AUTH_BEARER_OK)
			return mg_fail(c, MG_E_UNAUTHORIZED,
			    "malformed Authorization header: %s",
			    auth_bearer_strerror(be));
	} else if ((h = fcgi_req_header(&c->req, "X-API-Key")) != NULL) {
		tok = h;
		toklen = strlen(h);
	} else {
		if (c->route->authn == MG_AUTHN_OPTIONAL)
			return 0;
		return mg_fail(c, MG_E_UNAUTHORIZED, "missing API key: send "
		    "Authorization: Bearer <key> or X-API-Key");
	}
	if ((ke = auth_key_parse(tok, toklen, hash)) != AUTH_KEY_OK)
		return mg_fail(c, MG_E_UNAUTHORIZED, "invalid API key: %s",
		    auth_key_strerror(ke));
	return load_key(c, hash);
}

json_object *
auth_scopes_json(unsigned scopes)
{
	json_object *a = json_object_new_array();

	if (scopes & MG_SCOPE_GENERATE)
		json_object_array_add(a, json_object_new_string("generate"));
	if (scopes & MG_SCOPE_READ)
		json_object_array_add(a, json_object_new_string("read"));
	if (scopes & MG_SCOPE_ADMIN)
		json_object_array_add(a, json_object_new_string("admin"));
	return a;
}

/* GET /v1/me: the calling key and its workspace (studio seed getMe). */
int
auth_h_me(struct mg_ctx *c)
{
	const struct mg_principal *w = &c->who;
	json_object *o = json_object_new_object(), *ws, *key;
	char usd[32];

	ws = json_object_new_object();
	json_object_object_add(ws, "id", json_object_new_string(w->workspace_id));
	json_object_object_add(ws, "name", json_object_new_string(w->ws_name));
	json_object_object_add(ws, "plan", json_object_new_string(w->ws_plan));
	json_object_object_add(ws, "created_at",
	    json_object_new_string(w->ws_created));
	key = json_object_new_object();
	json_object_object_add(key, "id", json_object_new_string(w->key_id));
	json_object_object_add(key, "prefix", json_object_new_string(w->prefix));
	json_object_object_add(key, "scopes", auth_scopes_json(w->scopes));
	if (w->has_cap) {
		mg_fmt_usd(w->daily_cap_micros, usd, sizeof(usd));
		json_object_object_add(key, "daily_spend_cap_usd",
		    json_object_new_double_s(mg_usd_display(w->daily_cap_micros),
		    usd));
	} else
		json_object_object_add(key, "daily_spend_cap_usd", NULL);
	json_object_object_add(o, "workspace", ws);
	json_object_object_add(o, "api_key", key);
	return mg_reply_json(c, 200, o);
}
