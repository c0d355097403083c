/*
 * catalog_cards: studio cards / nodes (catalog_cards.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "catalog_cards.h"
#include "catalog_http.h"
#include "db.h"
#include "mg_buf.h"
#include "mg_config.h"
#include "mg_crypto.h"
#include "mg_log.h"
#include "mg_util.h"

#define CARD_MAX_NAME		200
#define CARD_MAX_DESC		10000
#define CARD_MAX_URL		2048
#define CARD_MAX_PAYLOAD	65536	/* serialised attributes + scopes */
#define CARD_MAX_EDGES		64
#define CARD_MAX_SCOPES		32

static const char *const card_types[] = {
	"character", "location", "style", "prop", "scene", "prompt",
	"asset", "voice", "note", "shot",
};

int
catalog_card_type_known(const char *t)
{
	size_t i;

	if (t == NULL)
		return 0;
	for (i = 0; i < sizeof(card_types) / sizeof(card_types[0]); i++)
		if (strcmp(card_types[i], t) == 0)
			return 1;
	return 0;
}

int
catalog_url_valid(const char *s)
{
	size_t n, i;

	if (s == NULL || (n = strlen(s)) > CARD_MAX_URL)
		return 0;
	if (strncmp(s, "https://", 8) == 0)
		i = 8;
	else if (strncmp(s, "http://", 7) == 0)
		i = 7;
	else
		return 0;
	if (i == n || s[i] == '/')
		return 0;	/* no host */
	for (; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

struct card_row {
	char	id[37];
	char	type[33];
	char	name[CARD_MAX_NAME * 4 + 1];
	char	desc[CARD_MAX_DESC * 4 + 1];
	int	desc_null;
	char	preview[CARD_MAX_URL + 1];
	int	preview_null;
	char	thumb[CARD_MAX_URL + 1];
	int	thumb_null;
	char	parent[37];
	int	parent_null;
	char	payload[CARD_MAX_PAYLOAD + 1];
	char	created[32];
};

static json_object *
str_or_null(const char *s, int is_null)
{
	return is_null ? NULL : json_object_new_string(s);
}

/* The card object of a row (both card_type and legacy node_type). */
static json_object *
card_json(const struct card_row *r)
{
	json_object *o = json_object_new_object(), *p, *v;

	json_object_object_add(o, "id", json_object_new_string(r->id));
	json_object_object_add(o, "card_type", json_object_new_string(r->type));
	json_object_object_add(o, "node_type", json_object_new_string(r->type));
	json_object_object_add(o, "name", json_object_new_string(r->name));
	json_object_object_add(o, "description",
	    str_or_null(r->desc, r->desc_null));
	json_object_object_add(o, "preview_url",
	    str_or_null(r->preview, r->preview_null));
	json_object_object_add(o, "thumb_url",
	    str_or_null(r->thumb, r->thumb_null));
	json_object_object_add(o, "parent_id",
	    str_or_null(r->parent, r->parent_null));
	p = json_tokener_parse(r->payload);
	if (p != NULL && json_object_object_get_ex(p, "attributes", &v))
		json_object_object_add(o, "attributes", json_object_get(v));
	else
		json_object_object_add(o, "attributes", json_object_new_object());
	if (p != NULL && json_object_object_get_ex(p, "visibility_scopes", &v))
		json_object_object_add(o, "visibility_scopes", json_object_get(v));
	else
		json_object_object_add(o, "visibility_scopes",
		    json_object_new_array());
	json_object_put(p);
	json_object_object_add(o, "created_at", json_object_new_string(r->created));
	return o;
}

#define CARD_OUT	"sssSSSSss"
#define CARD_OUT_ARGS(r) (r)->id, sizeof((r)->id), (r)->type, \
	sizeof((r)->type), (r)->name, sizeof((r)->name), (r)->desc, \
	sizeof((r)->desc), &(r)->desc_null, (r)->preview, sizeof((r)->preview), \
	&(r)->preview_null, (r)->thumb, sizeof((r)->thumb), &(r)->thumb_null, \
	(r)->parent, sizeof((r)->parent), &(r)->parent_null, (r)->payload, \
	sizeof((r)->payload), (r)->created, sizeof((r)->created)

/* Load a live card of the caller's workspace: 0, or the status answered. */
static int
card_load(struct mg_ctx *c, struct card_row **out)
{
	const char *id = fcgi_req_param(&c->req, "id");
	struct card_row *r;
	enum db_err e;

	if (!catalog_uuid_valid(id))
		return mg_fail(c, MG_E_NOT_FOUND, "no such card");
	if ((r = mg_arena_alloc(c->arena, sizeof(*r))) == NULL)
		return mg_fail(c, MG_E_INTERNAL, "out of memory");
	e = db_row(c->db, DB_CARD_GET, "ss", CARD_OUT, id, c->who.workspace_id,
	    CARD_OUT_ARGS(r));
	if (e == DB_NOROW)
		return mg_fail(c, MG_E_NOT_FOUND, "no such card");
	if (e != DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not read the card");
	*out = r;
	return 0;
}

/* The outgoing edges of card id: a new array, or NULL on a DB error. */
static json_object *
card_edges(struct mg_ctx *c, const char *id)
{
	char to[37], type[65], at[32];
	char *attrs;
	json_object *arr, *e, *a;
	enum db_err de;

	if ((attrs = mg_arena_alloc(c->arena, CARD_MAX_PAYLOAD + 1)) == NULL ||
	    db_exec(c->db, DB_CARD_EDGES, "ss", id, c->who.workspace_id) != DB_OK)
		return NULL;
	arr = json_object_new_array();
	while ((de = db_next(c->db, DB_CARD_EDGES, "ssss", to, sizeof(to), type,
	    sizeof(type), attrs, (size_t)CARD_MAX_PAYLOAD + 1, at,
	    sizeof(at))) == DB_OK) {
		e = json_object_new_object();
		json_object_object_add(e, "from_card_id", json_object_new_string(id));
		json_object_object_add(e, "to_card_id", json_object_new_string(to));
		json_object_object_add(e, "to_node_id", json_object_new_string(to));
		json_object_object_add(e, "edge_type", json_object_new_string(type));
		a = json_tokener_parse(attrs);
		json_object_object_add(e, "attributes", a != NULL ? a :
		    json_object_new_object());
		json_object_object_add(e, "created_at", json_object_new_string(at));
		json_object_array_add(arr, e);
	}
	db_done(c->db, DB_CARD_EDGES);
	if (de != DB_NOROW) {
		json_object_put(arr);
		return NULL;
	}
	return arr;
}

/* An optional string member: 0 ok (*out NULL when absent/null), -1 bad. */
static int
opt_str(json_object *body, const char *key, size_t min, size_t max,
    const char **out)
{
	json_object *v;
	size_t n;

	*out = NULL;
	if (!json_object_object_get_ex(body, key, &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -1;
	n = (size_t)json_object_get_string_len(v);
	if (n < min || n > max)
		return -1;
	*out = json_object_get_string(v);
	return 0;
}

struct new_edge {
	const char	*to;
	const char	*type;
	const char	*attrs;		/* serialised object */
};

struct new_card {
	char		 id[37];
	const char	*ws;
	const char	*type;
	const char	*name;
	const char	*desc;
	const char	*preview;
	const char	*thumb;
	const char	*parent;
	const char	*payload;
	struct new_edge	 edges[CARD_MAX_EDGES];
	size_t		 nedges;
	const char	*bad_ref;	/* a referenced card that is not ours */
};

#define CARD_BAD_REF	(DB_ERR__MAX + 1)

/* Insert the card and its edges; every referenced card must be ours. */
static int
card_insert_tx(struct db_conn *db, void *p)
{
	struct new_card *n = p;
	enum db_err e;
	int64_t one;
	size_t i;

	if (n->parent != NULL && (e = db_row(db, DB_CARD_EXISTS, "ss", "i",
	    n->parent, n->ws, &one)) != DB_OK) {
		n->bad_ref = n->parent;
		return e == DB_NOROW ? CARD_BAD_REF : (int)e;
	}
	for (i = 0; i < n->nedges; i++)
		if ((e = db_row(db, DB_CARD_EXISTS, "ss", "i", n->edges[i].to,
		    n->ws, &one)) != DB_OK) {
			n->bad_ref = n->edges[i].to;
			return e == DB_NOROW ? CARD_BAD_REF : (int)e;
		}
	if ((e = db_exec(db, DB_CARD_INSERT, "sssssssss", n->id, n->ws,
	    n->type, n->name, n->desc, n->preview, n->thumb, n->parent,
	    n->payload)) != DB_OK)
		return e;
	for (i = 0; i < n->nedges; i++)
		if ((e = db_exec(db, DB_CARD_EDGE_INSERT, "sssss", n->ws, n->id,
		    n->edges[i].to, n->edges[i].type, n->edges[i].attrs)) !=
		    DB_OK)
			return e;
	return DB_OK;
}

/* Parse body.edges into n; 0 or the status answered. */
static int
parse_edges(struct mg_ctx *c, json_object *body, struct new_card *n)
{
	json_object *arr, *ed, *v;
	const char *to, *to2, *type;
	size_t i, len;

	if (!json_object_object_get_ex(body, "edges", &arr) || arr == NULL)
		return 0;
	if (!json_object_is_type(arr, json_type_array) ||
	    (len = json_object_array_length(arr)) > CARD_MAX_EDGES)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "edges: an array of at most %d edges", CARD_MAX_EDGES);
	for (i = 0; i < len; i++) {
		ed = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(ed, json_type_object))
			return mg_fail(c, MG_E_INVALID_PARAM,
			    "edges[%zu]: must be an object", i);
		if (opt_str(ed, "edge_type", 1, 64, &type) != 0 || type == NULL)
			return mg_fail(c, MG_E_INVALID_PARAM,
			    "edges[%zu].edge_type: required, 1 to 64 characters", i);
		if (opt_str(ed, "to_card_id", 36, 36, &to) != 0 ||
		    opt_str(ed, "to_node_id", 36, 36, &to2) != 0 ||
		    (to == NULL && to2 == NULL) ||
		    (to != NULL && to2 != NULL && strcmp(to, to2) != 0))
			return mg_fail(c, MG_E_INVALID_PARAM,
			    "edges[%zu]: give to_card_id (or legacy to_node_id)", i);
		if (to == NULL)
			to = to2;
		if (!catalog_uuid_valid(to))
			return mg_fail(c, MG_E_INVALID_PARAM,
			    "edges[%zu].to_card_id: not a card id", i);
		n->edges[i].to = to;
		n->edges[i].type = type;
		n->edges[i].attrs = "{}";
		if (json_object_object_get_ex(ed, "attributes", &v) && v != NULL) {
			if (!json_object_is_type(v, json_type_object))
				return mg_fail(c, MG_E_INVALID_PARAM,
				    "edges[%zu].attributes: must be an object", i);
			n->edges[i].attrs = mg_arena_strdup(c->arena,
			    json_object_to_json_string_ext(v,
			    JSON_C_TO_STRING_PLAIN));
			if (strlen(n->edges[i].attrs) > 8192)
				return mg_fail(c, MG_E_INVALID_PARAM,
				    "edges[%zu].attributes: at most 8 KB", i);
		}
	}
	n->nedges = len;
	return 0;
}

/* Build the stored payload {attributes, visibility_scopes}; 0 or answered. */
static int
parse_payload(struct mg_ctx *c, json_object *body, struct new_card *n)
{
	json_object *p = json_object_new_object(), *v, *s;
	size_t i, len;
	const char *txt;

	mg_json_own(c, p);
	if (json_object_object_get_ex(body, "attributes", &v) && v != NULL) {
		if (!json_object_is_type(v, json_type_object))
			return mg_fail(c, MG_E_INVALID_PARAM,
			    "attributes: must be an object");
		json_object_object_add(p, "attributes", json_object_get(v));
	} else
		json_object_object_add(p, "attributes", json_object_new_object());
	if (json_object_object_get_ex(body, "visibility_scopes", &v) && v != NULL) {
		if (!json_object_is_type(v, json_type_array) ||
		    (len = json_object_array_length(v)) > CARD_MAX_SCOPES)
			return mg_fail(c, MG_E_INVALID_PARAM, "visibility_scopes: "
			    "an array of at most %d strings", CARD_MAX_SCOPES);
		for (i = 0; i < len; i++) {
			s = json_object_array_get_idx(v, i);
			if (!json_object_is_type(s, json_type_string) ||
			    json_object_get_string_len(s) < 1 ||
			    json_object_get_string_len(s) > 64)
				return mg_fail(c, MG_E_INVALID_PARAM,
				    "visibility_scopes[%zu]: 1 to 64 characters", i);
		}
		json_object_object_add(p, "visibility_scopes", json_object_get(v));
	} else
		json_object_object_add(p, "visibility_scopes",
		    json_object_new_array());
	txt = json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN);
	if (strlen(txt) > CARD_MAX_PAYLOAD)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "attributes and visibility_scopes: at most 64 KB together");
	n->payload = mg_arena_strdup(c->arena, txt);
	return 0;
}

/* POST /v1/nodes: 201 {card, node} (the same object twice). */
int
catalog_h_node_create(struct mg_ctx *c)
{
	struct new_card *n;
	struct card_row *r;
	json_object *body, *o, *card, *pv;
	const char *t1, *t2;
	int st, rc;

	if ((body = mg_json_body(c)) == NULL)
		return c->status;
	if ((n = mg_arena_calloc(c->arena, sizeof(*n))) == NULL)
		return mg_fail(c, MG_E_INTERNAL, "out of memory");
	n->ws = c->who.workspace_id;
	if (opt_str(body, "name", 1, CARD_MAX_NAME, &n->name) != 0 ||
	    n->name == NULL)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "name: required, 1 to %d characters", CARD_MAX_NAME);
	if (opt_str(body, "card_type", 1, 32, &t1) != 0 ||
	    opt_str(body, "node_type", 1, 32, &t2) != 0)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "card_type: a string of 1 to 32 characters");
	if (t1 != NULL && t2 != NULL && strcmp(t1, t2) != 0)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "card_type and node_type disagree");
	n->type = t1 ? t1 : t2 ? t2 : "note";
	if (!catalog_card_type_known(n->type))
		return mg_fail(c, MG_E_INVALID_PARAM, "unknown card type \"%s\"",
		    n->type);
	if (opt_str(body, "description", 0, CARD_MAX_DESC, &n->desc) != 0)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "description: a string of at most %d characters",
		    CARD_MAX_DESC);
	if (opt_str(body, "preview_url", 1, CARD_MAX_URL, &n->preview) != 0 ||
	    (n->preview != NULL && !catalog_url_valid(n->preview)))
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "preview_url: an http(s) URL");
	if (opt_str(body, "thumb_url", 1, CARD_MAX_URL, &n->thumb) != 0 ||
	    (n->thumb != NULL && !catalog_url_valid(n->thumb)))
		return mg_fail(c, MG_E_INVALID_PARAM, "thumb_url: an http(s) URL");
	if (opt_str(body, "parent_id", 36, 36, &n->parent) != 0 ||
	    (n->parent != NULL && !catalog_uuid_valid(n->parent)))
		return mg_fail(c, MG_E_INVALID_PARAM, "parent_id: not a card id");
	if ((st = parse_payload(c, body, n)) != 0 ||
	    (st = parse_edges(c, body, n)) != 0)
		return st;
	mg_uuid(n->id);
	rc = db_tx(c->db, card_insert_tx, n);
	if (rc == CARD_BAD_REF)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "%s names no card of this workspace", n->bad_ref);
	if (rc != DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not store the card");
	if ((r = mg_arena_alloc(c->arena, sizeof(*r))) == NULL)
		return mg_fail(c, MG_E_INTERNAL, "out of memory");
	if (db_row(c->db, DB_CARD_GET, "ss", CARD_OUT, n->id, n->ws,
	    CARD_OUT_ARGS(r)) != DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not read the card back");
	card = card_json(r);
	if ((pv = card_edges(c, n->id)) != NULL)
		json_object_object_add(card, "edges", pv);
	o = json_object_new_object();
	json_object_object_add(o, "card", card);
	json_object_object_add(o, "node", json_object_get(card));
	return mg_reply_json(c, 201, o);
}

/* GET /v1/nodes: {nodes, cards, count, limit, offset}. */
int
catalog_h_node_list(struct mg_ctx *c)
{
	const char *type = fcgi_req_query(&c->req, c->arena, "type");
	const char *parent = fcgi_req_query(&c->req, c->arena, "parent_id");
	const char *globals = fcgi_req_query(&c->req, c->arena, "globals_only");
	const char *scope = fcgi_req_query(&c->req, c->arena, "scope");
	const char *ls = fcgi_req_query(&c->req, c->arena, "limit");
	const char *os = fcgi_req_query(&c->req, c->arena, "offset");
	int64_t limit = 50, offset = 0, n = 0;
	struct card_row *r;
	json_object *o, *arr;
	enum db_err e;

	if (type != NULL && !catalog_card_type_known(type))
		return mg_fail(c, MG_E_INVALID_PARAM, "unknown card type");
	if (parent != NULL && !catalog_uuid_valid(parent))
		return mg_fail(c, MG_E_INVALID_PARAM, "parent_id: not a card id");
	if (globals != NULL && strcmp(globals, "1") != 0)
		return mg_fail(c, MG_E_INVALID_PARAM, "globals_only: only \"1\"");
	if (scope != NULL && strlen(scope) > 64)
		return mg_fail(c, MG_E_INVALID_PARAM, "scope: at most 64 characters");
	if (ls != NULL && mg_parse_i64(ls, strlen(ls), 1, 200, &limit) != 0)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "limit must be an integer from 1 to 200");
	if (os != NULL && mg_parse_i64(os, strlen(os), 0, 1000000, &offset) != 0)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "offset must be an integer from 0 to 1000000");
	if ((r = mg_arena_alloc(c->arena, sizeof(*r))) == NULL)
		return mg_fail(c, MG_E_INTERNAL, "out of memory");
	if (db_exec(c->db, DB_CARD_LIST, "sssssiii", c->who.workspace_id, type,
	    type, parent, parent, (int64_t)(globals != NULL), limit, offset) !=
	    DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not list cards");
	arr = json_object_new_array();
	while ((e = db_next(c->db, DB_CARD_LIST, CARD_OUT, CARD_OUT_ARGS(r))) ==
	    DB_OK) {
		json_object *card = card_json(r), *v;
		int i, keep = scope == NULL;

		if (!keep && json_object_object_get_ex(card,
		    "visibility_scopes", &v))
			for (i = 0; i < (int)json_object_array_length(v); i++)
				if (strcmp(json_object_get_string(
				    json_object_array_get_idx(v, (size_t)i)),
				    scope) == 0)
					keep = 1;
		if (keep) {
			json_object_array_add(arr, card);
			n++;
		} else
			json_object_put(card);
	}
	db_done(c->db, DB_CARD_LIST);
	if (e != DB_NOROW) {
		json_object_put(arr);
		return mg_fail(c, MG_E_INTERNAL, "could not list cards");
	}
	o = json_object_new_object();
	json_object_object_add(o, "nodes", arr);
	json_object_object_add(o, "cards", json_object_get(arr));
	json_object_object_add(o, "count", json_object_new_int64(n));
	json_object_object_add(o, "limit", json_object_new_int64(limit));
	json_object_object_add(o, "offset", json_object_new_int64(offset));
	return mg_reply_json(c, 200, o);
}

/* GET /v1/nodes/{id}: {node, card, edges}. */
int
catalog_h_node_get(struct mg_ctx *c)
{
	struct card_row *r;
	json_object *o, *card, *edges;
	int st;

	if ((st = card_load(c, &r)) != 0)
		return st;
	if ((edges = card_edges(c, r->id)) == NULL)
		return mg_fail(c, MG_E_INTERNAL, "could not read the edges");
	card = card_json(r);
	o = json_object_new_object();
	json_object_object_add(o, "node", card);
	json_object_object_add(o, "card", json_object_get(card));
	json_object_object_add(o, "edges", edges);
	return mg_reply_json(c, 200, o);
}

/* DELETE /v1/nodes/{id}: soft delete, {ok, soft_deleted}. */
int
catalog_h_node_delete(struct mg_ctx *c)
{
	const char *id = fcgi_req_param(&c->req, "id");
	json_object *o;

	if (!catalog_uuid_valid(id))
		return mg_fail(c, MG_E_NOT_FOUND, "no such card");
	if (db_exec(c->db, DB_CARD_DELETE, "ss", id, c->who.workspace_id) !=
	    DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not delete the card");
	if (db_affected(c->db, DB_CARD_DELETE) != 1)
		return mg_fail(c, MG_E_NOT_FOUND, "no such card");
	o = json_object_new_object();
	json_object_object_add(o, "ok", json_object_new_boolean(1));
	json_object_object_add(o, "soft_deleted", json_object_new_boolean(1));
	return mg_reply_json(c, 200, o);
}

/*
 * GET /v1/cards/{id}/render: {card, rendered}. rendered is the uniform
 * RenderedInputs view a downstream node consumes: {card_id, card_type,
 * title, text (name, then ": description" when there is one), attributes,
 * media {preview_url, thumb_url}, references [{card_id, edge_type}]}.
 */
int
catalog_h_card_render(struct mg_ctx *c)
{
	struct card_row *r;
	json_object *o, *card, *edges, *rend, *media, *refs, *ref, *v, *e;
	struct mg_buf text;
	size_t i;
	int st;

	if ((st = card_load(c, &r)) != 0)
		return st;
	if ((edges = card_edges(c, r->id)) == NULL)
		return mg_fail(c, MG_E_INTERNAL, "could not read the edges");
	card = card_json(r);
	rend = json_object_new_object();
	json_object_object_add(rend, "card_id", json_object_new_string(r->id));
	json_object_object_add(rend, "card_type", json_object_new_string(r->type));
	json_object_object_add(rend, "title", json_object_new_string(r->name));
	mg_buf_init(&text, c->arena);
	mg_buf_puts(&text, r->name);
	if (!r->desc_null && r->desc[0] != '\0') {
		mg_buf_puts(&text, ": ");
		mg_buf_puts(&text, r->desc);
	}
	json_object_object_add(rend, "text", json_object_new_string_len(
	    text.data ? text.data : "", (int)text.len));
	if (json_object_object_get_ex(card, "attributes", &v))
		json_object_object_add(rend, "attributes", json_object_get(v));
	media = json_object_new_object();
	json_object_object_add(media, "preview_url",
	    str_or_null(r->preview, r->preview_null));
	json_object_object_add(media, "thumb_url",
	    str_or_null(r->thumb, r->thumb_null));
	json_object_object_add(rend, "media", media);
	refs = json_object_new_array();
	for (i = 0; i < json_object_array_length(edges); i++) {
		e = json_object_array_get_idx(edges, i);
		ref = json_object_new_object();
		if (json_object_object_get_ex(e, "to_card_id", &v))
			json_object_object_add(ref, "card_id", json_object_get(v));
		if (json_object_object_get_ex(e, "edge_type", &v))
			json_object_object_add(ref, "edge_type", json_object_get(v));
		json_object_array_add(refs, ref);
	}
	json_object_put(edges);
	json_object_object_add(rend, "references", refs);
	o = json_object_new_object();
	json_object_object_add(o, "card", card);
	json_object_object_add(o, "rendered", rend);
	return mg_reply_json(c, 200, o);
}

/*
 * GET /v1/cards/search?q=&limit=&card_type=&min_similarity=. The seed's
 * search is embedding-backed; with config embedding_provider unset it
 * answers 503 semantic_search_disabled, as the seed says. "local" is a
 * plain substring match (similarity 1.0 for every hit).
 */
int
catalog_h_card_search(struct mg_ctx *c)
{
	const char *prov = mg_cfg_str("embedding_provider", "");
	const char *q = fcgi_req_query(&c->req, c->arena, "q");
	const char *ls = fcgi_req_query(&c->req, c->arena, "limit");
	const char *type = fcgi_req_query(&c->req, c->arena, "card_type");
	const char *ms = fcgi_req_query(&c->req, c->arena, "min_similarity");
	struct mg_buf pat;
	struct card_row *r;
	int64_t limit = 20, n = 0;
	json_object *o, *items, *it;
	enum db_err e;
	size_t i;
	char *end;
	double minsim;

	if (prov == NULL || *prov == '\0')
		return mg_fail_code(c, 503, "semantic_search_disabled",
		    "semantic search is not configured on this deployment");
	if (strcmp(prov, "local") != 0)
		return mg_fail_code(c, 503, "semantic_search_disabled",
		    "embedding provider \"%s\" is not supported", prov);
	if (q == NULL || *q == '\0' || strlen(q) > 500)
		return mg_fail(c, MG_E_INVALID_PARAM, "q: 1 to 500 characters");
	if (ls != NULL && mg_parse_i64(ls, strlen(ls), 1, 100, &limit) != 0)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "limit must be an integer from 1 to 100");
	if (type != NULL && !catalog_card_type_known(type))
		return mg_fail(c, MG_E_INVALID_PARAM, "unknown card type");
	if (ms != NULL && (*ms == '\0' || (minsim = strtod(ms, &end),
	    *end != '\0') || !(minsim >= 0.0 && minsim <= 1.0)))
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "min_similarity: a number from 0 to 1");
	mg_buf_init(&pat, c->arena);
	mg_buf_puts(&pat, "%");
	for (i = 0; q[i] != '\0'; i++) {
		if (q[i] == '%' || q[i] == '_' || q[i] == '\\')
			mg_buf_puts(&pat, "\\");
		mg_buf_append(&pat, &q[i], 1);
	}
	mg_buf_append(&pat, "%", 2);	/* with the NUL */
	if (pat.oom || (r = mg_arena_alloc(c->arena, sizeof(*r))) == NULL)
		return mg_fail(c, MG_E_INTERNAL, "out of memory");
	if (db_exec(c->db, DB_CARD_SEARCH, "sssssi", c->who.workspace_id,
	    pat.data, pat.data, type, type, limit) != DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not search cards");
	items = json_object_new_array();
	while ((e = db_next(c->db, DB_CARD_SEARCH, "sssSSSs", r->id,
	    sizeof(r->id), r->type, sizeof(r->type), r->name, sizeof(r->name),
	    r->desc, sizeof(r->desc), &r->desc_null, r->preview,
	    sizeof(r->preview), &r->preview_null, r->thumb, sizeof(r->thumb),
	    &r->thumb_null, r->created, sizeof(r->created))) == DB_OK) {
		it = json_object_new_object();
		json_object_object_add(it, "id", json_object_new_string(r->id));
		json_object_object_add(it, "card_type",
		    json_object_new_string(r->type));
		json_object_object_add(it, "name", json_object_new_string(r->name));
		json_object_object_add(it, "description",
		    str_or_null(r->desc, r->desc_null));
		json_object_object_add(it, "preview_url",
		    str_or_null(r->preview, r->preview_null));
		json_object_object_add(it, "thumb_url",
		    str_or_null(r->thumb, r->thumb_null));
		json_object_object_add(it, "similarity",
		    json_object_new_double(1.0));
		json_object_object_add(it, "created_at",
		    json_object_new_string(r->created));
		json_object_array_add(items, it);
		n++;
	}
	db_done(c->db, DB_CARD_SEARCH);
	if (e != DB_NOROW) {
		json_object_put(items);
		return mg_fail(c, MG_E_INTERNAL, "could not search cards");
	}
	o = json_object_new_object();
	json_object_object_add(o, "items", items);
	json_object_object_add(o, "total", json_object_new_int64(n));
	json_object_object_add(o, "query_doc_chars",
	    json_object_new_int64((int64_t)strlen(q)));
	return mg_reply_json(c, 200, o);
}
