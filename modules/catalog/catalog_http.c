/*
 * catalog_http: discovery, estimate and character routes (catalog_http.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "catalog_active.h"
#include "catalog_http.h"
#include "catalog_price.h"
#include "catalog_render.h"
#include "db.h"
#include "gen_guard.h"
#include "mg_crypto.h"
#include "mg_log.h"
#include "mg_util.h"

#define CURSOR_PREFIX	"c1."

int
catalog_cursor_encode(int64_t pos, char *out, size_t cap)
{
	char raw[32];
	int n;

	if (pos <= 0 || out == NULL)
		return -1;
	n = snprintf(raw, sizeof(raw), CURSOR_PREFIX "%lld", (long long)pos);
	if (n <= 0 || (size_t)n >= sizeof(raw) ||
	    cap < (size_t)n * 4 / 3 + 4)
		return -1;
	mg_b64url((const unsigned char *)raw, (size_t)n, out, cap);
	return 0;
}

int
catalog_cursor_decode(const char *s, int64_t *pos)
{
	unsigned char raw[40];
	size_t n, plen = sizeof(CURSOR_PREFIX) - 1;
	int len;
	char again[CATALOG_CURSOR_MAX];

	if (s == NULL || (n = strlen(s)) == 0 || n >= CATALOG_CURSOR_MAX)
		return -1;
	if ((len = mg_unb64(s, n, 0, raw, sizeof(raw) - 1)) <= (int)plen)
		return -1;
	if (memcmp(raw, CURSOR_PREFIX, plen) != 0 ||
	    mg_parse_i64((const char *)raw + plen, (size_t)len - plen, 1,
	    INT64_MAX, pos) != 0)
		return -1;
	/* Only the canonical spelling (no alternative base64 tails). */
	if (catalog_cursor_encode(*pos, again, sizeof(again)) != 0 ||
	    strcmp(again, s) != 0)
		return -1;
	return 0;
}

int
catalog_uuid_valid(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return 1;
}

/* The active catalog, with its version header; NULL after a 503. */
static const struct catalog *
active(struct mg_ctx *c)
{
	const struct catalog *cat = catalog_active(c->db);

	if (cat == NULL) {
		mg_fail(c, MG_E_UNAVAILABLE, "the price catalog is unavailable");
		return NULL;
	}
	mg_header(c, "X-Catalog-Version", cat->version);
	return cat;
}

/* GET /v1/models[?type=image|video|audio|compose|training]. */
int
catalog_h_models(struct mg_ctx *c)
{
	const struct catalog *cat;
	const char *t = fcgi_req_query(&c->req, c->arena, "type");
	int kind = CATALOG_KIND_ANY;
	json_object *o;

	if (t != NULL && *t != '\0' && (kind = catalog_kind_parse(t)) < 0)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "type must be one of image, video, audio, compose, training");
	if ((cat = active(c)) == NULL)
		return c->status;
	if ((o = catalog_render_models(cat, (enum catalog_kind)kind)) == NULL)
		return mg_fail(c, MG_E_INTERNAL, "out of memory");
	json_object_object_add(o, "catalog_version",
	    json_object_new_string(cat->version));
	return mg_reply_json(c, 200, o);
}

/* GET /v1/pricing: public rate card. */
int
catalog_h_pricing(struct mg_ctx *c)
{
	const struct catalog *cat;
	json_object *o;

	if ((cat = active(c)) == NULL)
		return c->status;
	if ((o = catalog_render_pricing(cat, time(NULL))) == NULL)
		return mg_fail(c, MG_E_INTERNAL, "out of memory");
	return mg_reply_json(c, 200, o);
}

/* GET /v1/prisms?category=&compatible_with=image|video|audio. */
int
catalog_h_prisms(struct mg_ctx *c)
{
	const struct catalog *cat;
	const char *cat_s = fcgi_req_query(&c->req, c->arena, "category");
	const char *compat = fcgi_req_query(&c->req, c->arena, "compatible_with");
	json_object *o = NULL;
	enum catalog_err e;

	if (cat_s != NULL && strlen(cat_s) > 64)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "category: at most 64 characters");
	if ((cat = active(c)) == NULL)
		return c->status;
	e = catalog_render_prisms(cat, cat_s, compat, &o);
	if (e == CATALOG_E_VALUE)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "compatible_with must be one of image, video, audio");
	if (e != CATALOG_OK)
		return mg_fail(c, MG_E_INTERNAL, "out of memory");
	json_object_object_add(o, "catalog_version",
	    json_object_new_string(cat->version));
	return mg_reply_json(c, 200, o);
}

/* Append a reason and clear would_succeed. */
static void
block(json_object *o, const char *reason)
{
	json_object *r;

	if (json_object_object_get_ex(o, "reasons_blocked", &r))
		json_object_array_add(r, json_object_new_string(reason));
	json_object_object_add(o, "would_succeed", json_object_new_boolean(0));
}

/*
 * POST /v1/estimate {model, prompt, duration?}: the exact price from
 * catalog_price (the function that prices the hold), estimated_seconds,
 * would_succeed and reasons_blocked (unknown_model, insufficient_credits
 * against available = balance - reserved, spend_cap_exceeded against the
 * key's daily cap and today's holds + captures, circuit_open when the
 * dispatcher's breaker for the model's provider is open, prompt_blocked
 * when the blocklist matches the prompt). A workspace at its concurrency
 * cap answers would_succeed false with concurrency.blocked true (the
 * seed's reason list has no word for it). Reads only.
 */
int
catalog_h_estimate(struct mg_ctx *c)
{
	const struct catalog *cat;
	struct catalog_price_req req;
	struct catalog_quote q;
	enum catalog_price_err rc;
	json_object *body, *o, *cap;
	char err[256];
	int64_t avail, spent = 0;
	enum db_err e;

	if ((body = mg_json_body(c)) == NULL)
		return c->status;
	if ((rc = catalog_price_req_from_json("estimate", body, &req, err,
	    sizeof(err))) != CATALOG_PRICE_OK)
		return mg_fail(c, MG_E_INVALID_PARAM, "%s", err);
	if ((cat = active(c)) == NULL)
		return c->status;
	memset(&q, 0, sizeof(q));
	rc = catalog_price(cat, &req, &q);
	if (rc != CATALOG_PRICE_OK && rc != CATALOG_PRICE_E_UNKNOWN_MODEL)
		return mg_fail_code(c, 400, catalog_price_code(rc), "%s",
		    q.error[0] ? q.error : catalog_price_strerror(rc));
	avail = c->who.balance_micros - c->who.reserved_micros;
	if ((o = catalog_render_estimate(cat, &req, rc, &q,
	    avail < 0 ? 0 : avail)) == NULL)
		return mg_fail(c, MG_E_INTERNAL, "out of memory");
	mg_json_own(c, o);
	json_object_object_add(o, "available_usd_micros",
	    json_object_new_int64(avail));
	cap = NULL;
	if (c->who.has_cap) {
		if ((e = db_row(c->db, DB_CAT_KEY_SPEND_TODAY, "s", "i",
		    c->who.key_id, &spent)) != DB_OK && e != DB_NOROW)
			return mg_fail(c, MG_E_INTERNAL,
			    "could not read today's spend");
		cap = json_object_new_object();
		json_object_object_add(cap, "daily_cap_usd_micros",
		    json_object_new_int64(c->who.daily_cap_micros));
		json_object_object_add(cap, "spent_today_usd_micros",
		    json_object_new_int64(spent));
		json_object_object_add(cap, "remaining_usd_micros",
		    json_object_new_int64(c->who.daily_cap_micros - spent));
		if (rc == CATALOG_PRICE_OK &&
		    spent + q.total_micros > c->who.daily_cap_micros)
			block(o, "spend_cap_exceeded");
	}
	json_object_object_add(o, "spend_cap", cap);
	{
		json_object *pv = NULL, *cc;
		int64_t active = 0, max = gen_guard_max_concurrent();
		enum gen_guard_err ge = GEN_GUARD_OK;

		if (json_object_object_get_ex(body, "prompt", &pv))
			ge = gen_guard_prompt(json_object_get_string(pv),
			    (size_t)json_object_get_string_len(pv));
		if (ge == GEN_GUARD_BLOCKED)
			block(o, "prompt_blocked");
		else if (ge != GEN_GUARD_OK)
			return mg_fail(c, MG_E_UNAVAILABLE,
			    "the content policy is not available");
		if (db_row(c->db, DB_CAT_ACTIVE_JOBS, "s", "i",
		    c->who.workspace_id, &active) != DB_OK)
			return mg_fail(c, MG_E_INTERNAL,
			    "could not count active jobs");
		cc = json_object_new_object();
		json_object_object_add(cc, "active_jobs",
		    json_object_new_int64(active));
		json_object_object_add(cc, "max_concurrent_jobs",
		    json_object_new_int64(max));
		/* max 0: no cap (gen_guard.h). */
		json_object_object_add(cc, "blocked",
		    json_object_new_boolean(max > 0 && active >= max));
		json_object_object_add(o, "concurrency", cc);
		if (max > 0 && active >= max)
			json_object_object_add(o, "would_succeed",
			    json_object_new_boolean(0));
	}
	if (rc == CATALOG_PRICE_OK) {
		int64_t one;

		e = db_row(c->db, DB_CAT_CIRCUIT_OPEN, "s", "i",
		    q.model->provider->id, &one);
		if (e == DB_OK)
			block(o, "circuit_open");
		else if (e != DB_NOROW)
			return mg_fail(c, MG_E_INTERNAL,
			    "could not read the provider's health");
	}
	return mg_reply_json(c, 200, json_object_get(o));
}

/* A stored JSON text as an object/array member (NULL text or bad: def). */
static json_object *
stored_json(const char *text, json_type want)
{
	json_object *v = text && *text ? json_tokener_parse(text) : NULL;

	if (v != NULL && json_object_get_type(v) == want)
		return v;
	json_object_put(v);
	return want == json_type_array ? json_object_new_array() :
	    json_object_new_object();
}

struct char_row {
	int64_t	seq;
	char	id[37];
	char	name[201];
	char	status[16];
	char	urls[8192];
	char	attrs[65536];
	char	voice[121];
	int	voice_null;
	char	created[32];
};

/* Character schema object of a row. */
static json_object *
char_json(const struct char_row *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(r->id));
	json_object_object_add(o, "name", json_object_new_string(r->name));
	json_object_object_add(o, "status", json_object_new_string(r->status));
	json_object_object_add(o, "image_urls",
	    stored_json(r->urls, json_type_array));
	json_object_object_add(o, "attributes",
	    stored_json(r->attrs, json_type_object));
	json_object_object_add(o, "voice_id", r->voice_null ? NULL :
	    json_object_new_string(r->voice));
	json_object_object_add(o, "created_at", json_object_new_string(r->created));
	return o;
}

/* GET /v1/characters?limit=1..100&cursor=: newest first, soft-deleted excluded. */
int
catalog_h_characters_list(struct mg_ctx *c)
{
	const char *ls = fcgi_req_query(&c->req, c->arena, "limit");
	const char *cs = fcgi_req_query(&c->req, c->arena, "cursor");
	struct char_row *r;
	int64_t limit = 20, before = INT64_MAX, n = 0, last = 0;
	char next[CATALOG_CURSOR_MAX];
	json_object *o, *data;
	enum db_err e;
	int more = 0;

	if (ls != NULL && mg_parse_i64(ls, strlen(ls), 1, 100, &limit) != 0)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "limit must be an integer from 1 to 100");
	if (cs != NULL && catalog_cursor_decode(cs, &before) != 0)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "cursor is not a cursor this API returned");
	if ((r = mg_arena_alloc(c->arena, sizeof(*r))) == NULL)
		return mg_fail(c, MG_E_INTERNAL, "out of memory");
	if (db_exec(c->db, DB_CHAR_LIST, "sii", c->who.workspace_id, before,
	    limit + 1) != DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not list characters");
	data = json_object_new_array();
	while ((e = db_next(c->db, DB_CHAR_LIST, "isssssSs", &r->seq, r->id,
	    sizeof(r->id), r->name, sizeof(r->name), r->status,
	    sizeof(r->status), r->urls, sizeof(r->urls), r->attrs,
	    sizeof(r->attrs), r->voice, sizeof(r->voice), &r->voice_null,
	    r->created, sizeof(r->created))) == DB_OK) {
		if (n == limit) {
			more = 1;
			continue;	/* drain the result */
		}
		json_object_array_add(data, char_json(r));
		last = r->seq;
		n++;
	}
	db_done(c->db, DB_CHAR_LIST);
	if (e != DB_NOROW) {
		json_object_put(data);
		return mg_fail(c, MG_E_INTERNAL, "could not list characters");
	}
	o = json_object_new_object();
	json_object_object_add(o, "data", data);
	json_object_object_add(o, "next_cursor",
	    more && catalog_cursor_encode(last, next, sizeof(next)) == 0 ?
	    json_object_new_string(next) : NULL);
	return mg_reply_json(c, 200, o);
}

/* GET /v1/characters/{id}: 404 for unknown, deleted or another workspace's. */
int
catalog_h_character_get(struct mg_ctx *c)
{
	const char *id = fcgi_req_param(&c->req, "id");
	struct char_row *r;
	enum db_err e;

	if (!catalog_uuid_valid(id))
		return mg_fail(c, MG_E_NOT_FOUND, "no such character");
	if ((r = mg_arena_alloc(c->arena, sizeof(*r))) == NULL)
		return mg_fail(c, MG_E_INTERNAL, "out of memory");
	e = db_row(c->db, DB_CHAR_GET, "ss", "sssssSs", id,
	    c->who.workspace_id, r->id, sizeof(r->id), r->name,
	    sizeof(r->name), r->status, sizeof(r->status), r->urls,
	    sizeof(r->urls), r->attrs, sizeof(r->attrs), r->voice,
	    sizeof(r->voice), &r->voice_null, r->created, sizeof(r->created));
	if (e == DB_NOROW)
		return mg_fail(c, MG_E_NOT_FOUND, "no such character");
	if (e != DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not read the character");
	return mg_reply_json(c, 200, char_json(r));
}

/* DELETE /v1/characters/{id} (admin scope): soft delete, 204. */
int
catalog_h_character_delete(struct mg_ctx *c)
{
	const char *id = fcgi_req_param(&c->req, "id");

	if (!catalog_uuid_valid(id))
		return mg_fail(c, MG_E_NOT_FOUND, "no such character");
	if (db_exec(c->db, DB_CHAR_DELETE, "ss", id, c->who.workspace_id) !=
	    DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not delete the character");
	if (db_affected(c->db, DB_CHAR_DELETE) != 1)
		return mg_fail(c, MG_E_NOT_FOUND, "no such character");
	return mg_reply_raw(c, 204, "application/json", "", 0);
}
