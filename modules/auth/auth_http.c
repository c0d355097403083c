#include <string.h>

#include <json-c/json.h>

#include "db.h"
#include "mg_log.h"
#include "mg_util.h"
#include "auth_http.h"
#include "auth_key.h"
#include "auth_oauth.h"

int
auth_accept_row(struct mg_ctx *c, const struct auth_row *row)
{
	struct mg_principal *w = &c->who;

	if (!row->active)
		return mg_fail(c, MG_E_UNAUTHORIZED,
		    "API key revoked or expired");
	w->scopes = (unsigned)row->scopes;
	w->has_cap = !row->cap_null;
	w->daily_cap_micros = row->cap_null ? 0 : row->cap;
	w->authenticated = 1;
	if (c->route != NULL && c->route->scope != 0 &&
	    !(w->scopes & c->route->scope))
		return mg_fail(c, MG_E_FORBIDDEN,
		    "this credential lacks the scope this route needs");
	return 0;
}

/* Load the principal for a key hash; 0 ok, else status answered. */
static int
load_key(struct mg_ctx *c, const unsigned char hash[32])
{
	struct auth_row row;
	enum db_err e;

	e = db_row(c->db, DB_AUTH_KEY_LOOKUP, "b", AUTH_ROW_FMT,
	    hash, (size_t)32, AUTH_ROW_ARGS(&c->who, &row));
	if (e == DB_NOROW)
		return mg_fail(c, MG_E_UNAUTHORIZED, "invalid API key");
	if (e != DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not check credentials");
	return auth_accept_row(c, &row);
}

int
auth_key_credential(struct mg_ctx *c, unsigned char hash[AUTH_KEY_HASH_LEN])
{
	const char *h, *tok;
	size_t toklen;
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
	} else
		return AUTH_NOT_A_KEY;
	/* Something that is not shaped like a key: maybe an access token. */
	if (memchr(tok, '.', toklen) != NULL)
		return AUTH_NOT_A_KEY;
	if ((ke = auth_key_parse(tok, toklen, hash)) != AUTH_KEY_OK)
		return mg_fail(c, MG_E_UNAUTHORIZED, "invalid API key: %s",
		    auth_key_strerror(ke));
	return 0;
}

int
auth_authenticate(struct mg_ctx *c)
{
	unsigned char hash[AUTH_KEY_HASH_LEN];
	const char *h, *tok;
	size_t toklen;
	int st;

	if ((st = auth_key_credential(c, hash)) == 0)
		return load_key(c, hash);
	if (st != AUTH_NOT_A_KEY)
		return st;
	if (fcgi_req_header(&c->req, "Authorization") == NULL &&
	    fcgi_req_header(&c->req, "X-API-Key") == NULL) {
		if (c->route->authn == MG_AUTHN_OPTIONAL)
			return 0;
		return mg_fail(c, MG_E_UNAUTHORIZED, "missing API key: send "
		    "Authorization: Bearer <key> or X-API-Key");
	}
	/* A bearer shaped like a JWS is an OAuth access token (RFC 9068). */
	if ((h = fcgi_req_header(&c->req, "Authorization")) != NULL &&
	    auth_bearer_parse(h, &tok, &toklen) == AUTH_BEARER_OK &&
	    auth_oauth_is_jws(tok, toklen))
		return auth_oauth_authenticate(c, tok, toklen);
	return mg_fail(c, MG_E_UNAUTHORIZED, "invalid credential");
}

int
auth_require(struct mg_ctx *c)
{
	int st;

	if ((st = auth_authenticate(c)) != 0)
		return st;
	if (c->who.authenticated && c->route->scope != 0 &&
	    !(c->who.scopes & c->route->scope))
		return mg_fail(c, MG_E_FORBIDDEN,
		    "this credential lacks the scope this route needs");
	return 0;
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
