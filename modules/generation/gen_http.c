/*
 * gen_http: job submit / poll / cancel routes (see gen_http.h).
 *
 * Shapes: studio seed 002 (Job, ComposeJobAck, the legacy /v1/generate and
 * /v1/generations objects) and prepaid seed 003 (MediaJobSubmitResponse,
 * MediaJobStatusResponse, MediaJobBilling, MediaInputAdjustment).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "catalog.h"
#include "catalog_active.h"
#include "catalog_price.h"
#include "db.h"
#include "gen_guard.h"
#include "gen_http.h"
#include "gen_job.h"
#include "gen_link.h"
#include "gen_media.h"
#include "mg_config.h"
#include "mg_crypto.h"
#include "mg_log.h"
#include "mg_util.h"
#include "wallet.h"

/* Why the submit transaction rolled back (returned as DB_ERR__MAX + n). */
enum tx_why {
	TX_OK = 0,
	TX_FUNDS,	/* wallet_hold_tx: insufficient */
	TX_SPEND_CAP,	/* key's spend today would pass its cap */
	TX_CONCURRENCY,	/* workspace has too many active jobs */
	TX_DUP,		/* (workspace, idempotency key) exists */
	TX_FAIL,	/* anything else */
};

struct submit {
	/* request */
	const char		*dialect;	/* "studio" | "prepaid" */
	const char		*job_type;	/* Job.type or prepaid task */
	const char		*shape;		/* catalog_price_req_from_json kind */
	json_object		*body;		/* the whole body */
	json_object		*input;		/* the fields (body or body.input) */
	const char		*idem_key;	/* NULL: none */
	unsigned char		 hash[32];	/* SHA-256 of route + body */
	const char		*callback_url;
	struct gen_media_src	 src[GEN_MEDIA_MAX_SOURCES];
	size_t			 nsrc;
	json_object		*urls;		/* [{field, url}] remote sources */
	json_object		*adjust;	/* prepaid inputAdjustments */
	/* priced (ct: this request's catalog, see catalog_get) */
	const struct catalog	*ct;
	struct catalog_price_req req;
	struct catalog_quote	 q;
	struct gen_job		 job;
	/* transaction outcome */
	enum tx_why		 why;
	int			 has_cap;
	int			 want_balance;	/* read the wallet after the hold */
	int64_t			 cap;
	int64_t			 spent_today;
	int64_t			 balance;
	int64_t			 reserved;
};

/*
 * The active catalog (catalog_active.h), fetched ONCE per request: a later
 * call may reload it and free what earlier pointers (a quote) point into.
 */
static const struct catalog *
catalog_get(struct mg_ctx *c)
{
	const struct catalog *ct = catalog_active(c->db);

	if (ct == NULL)
		mg_log(MG_LOG_ERROR, "no active catalog");
	return ct;
}

/* ---- small JSON helpers ---------------------------------------------- */

static const char *
jstr(json_object *o, const char *k)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, k, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static json_object *
usd_num(int64_t micros)
{
	char s[32];

	mg_fmt_usd(micros, s, sizeof(s));
	return json_object_new_double_s(mg_usd_display(micros), s);
}

static json_object *
usd_str(int64_t micros)
{
	char s[32];

	mg_fmt_usd(micros, s, sizeof(s));
	return json_object_new_string(s);
}

/* Parse a stored JSON column ("" → NULL). Caller owns the result. */
static json_object *
jparse(const char *s)
{
	if (s == NULL || *s == '\0')
		return NULL;
	return json_tokener_parse(s);
}

/* 1 when s is an absolute http(s) URL without spaces or controls. */
static int
url_ok(const char *s)
{
	const unsigned char *p;

	if (s == NULL || (strncmp(s, "https://", 8) != 0 &&
	    strncmp(s, "http://", 7) != 0) || strlen(s) > 2048)
		return 0;
	for (p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return 0;
	return s[strncmp(s, "https://", 8) == 0 ? 8 : 7] != '\0';
}

/* ---- pricing meta, params --------------------------------------------- */

/* The quote as pricingMeta: what was priced and how (no secrets). */
static json_object *
pricing_meta(const struct catalog_quote *q)
{
	json_object *m = json_object_new_object(), *lines, *l;
	size_t i;

	json_object_object_add(m, "catalogVersion",
	    json_object_new_string(q->catalog_version));
	json_object_object_add(m, "model", json_object_new_string(q->model->id));
	json_object_object_add(m, "operation", json_object_new_string(q->op->id));
	json_object_object_add(m, "unit",
	    json_object_new_string(catalog_unit_name(q->op->unit)));
	json_object_object_add(m, "unitPriceMicros",
	    json_object_new_int64(q->op->price_micros));
	json_object_object_add(m, "totalMicros",
	    json_object_new_int64(q->total_micros));
	json_object_object_add(m, "credits", json_object_new_int64(q->credits));
	lines = json_object_new_array();
	for (i = 0; i < q->nlines; i++) {
		l = json_object_new_object();
		json_object_object_add(l, "label",
		    json_object_new_string(q->lines[i].label));
		json_object_object_add(l, "qtyNum",
		    json_object_new_int64(q->lines[i].qty_num));
		json_object_object_add(l, "qtyDen",
		    json_object_new_int64(q->lines[i].qty_den));
		if (q->lines[i].bps != 0)
			json_object_object_add(l, "bps",
			    json_object_new_int(q->lines[i].bps));
		json_object_object_add(l, "amountMicros",
		    json_object_new_int64(q->lines[i].amount_micros));
		json_object_array_add(lines, l);
	}
	json_object_object_add(m, "lines", lines);
	return m;
}

/* First string of the keys present in o, or NULL. */
static const char *
first_str(json_object *o, const char *const *keys)
{
	const char *s;

	for (; *keys != NULL; keys++)
		if ((s = jstr(o, *keys)) != NULL)
			return s;
	return NULL;
}

/*
 * The provider work as JSON (gen_job.h "params"): what the dispatcher
 * turns into a struct prov_job. extra is the effective input (inline data
 * replaced by staged paths). Caller owns the result.
 */
static json_object *
build_params(struct submit *s, json_object *extra)
{
	static const char *const prompt_keys[] = { "prompt", "text", "tags",
	    NULL };
	static const char *const voice_keys[] = { "voice_id", "voiceName",
	    "voice", NULL };
	json_object *p = json_object_new_object(), *in, *v;
	const char *str, *fmt;
	size_t i;

	/* Concatenation and resizing are prov compose jobs whatever the model kind. */
	if (strcmp(s->job_type, "video.combine") == 0 ||
	    strcmp(s->job_type, "compose") == 0)
		str = "concat";
	else if (strcmp(s->job_type, "video.resize") == 0)
		str = "resize";
	else
		str = NULL;
	json_object_object_add(p, "kind", json_object_new_string(str ?
	    "compose" : catalog_kind_name(s->q.model->kind)));
	json_object_object_add(p, "job_type", json_object_new_string(s->job_type));
	if (str != NULL)
		json_object_object_add(p, "compose", json_object_new_string(str));
	/* studio compose: the segments, in order (asset ids to resolve). */
	if (strcmp(s->job_type, "compose") == 0 &&
	    json_object_object_get_ex(s->input, "segments", &v))
		json_object_object_add(p, "segments", json_object_get(v));
	if ((str = first_str(s->input, prompt_keys)) != NULL)
		json_object_object_add(p, "prompt", json_object_new_string(str));
	json_object_object_add(p, "width", json_object_new_int(s->q.width));
	json_object_object_add(p, "height", json_object_new_int(s->q.height));
	json_object_object_add(p, "duration_s", json_object_new_int64(
	    (s->q.duration_ms + 999) / 1000));
	json_object_object_add(p, "count", json_object_new_int(
	    s->q.count > 0 ? s->q.count : 1));
	if ((str = first_str(s->input, voice_keys)) != NULL)
		json_object_object_add(p, "voice", json_object_new_string(str));
	fmt = jstr(s->input, "outputFormat");
	if (fmt == NULL)
		fmt = jstr(s->input, "output_format");
	if (fmt != NULL) {
		if (*fmt == '.')
			fmt++;
		json_object_object_add(p, "format", json_object_new_string(
		    strcmp(fmt, "jpg") == 0 ? "jpeg" : fmt));
	}
	if (json_object_object_get_ex(s->input, "seed", &v) &&
	    json_object_is_type(v, json_type_int))
		json_object_object_add(p, "seed",
		    json_object_new_int64(json_object_get_int64(v)));
	in = json_object_new_array();
	for (i = 0; i < s->nsrc; i++)
		json_object_array_add(in, json_object_new_string(s->src[i].path));
	json_object_object_add(p, "inputs", in);
	json_object_object_add(p, "urls", json_object_get(s->urls));
	json_object_object_add(p, "extra", extra);
	return p;
}

/* ---- inline sources (prepaid) ---------------------------------------- */

struct src_field {
	const char	*task;
	const char	*field;
	enum gen_media_class cls;
	int		 array;
};

/* Every source field of MediaJobRequest that may carry inline data (003). */
static const struct src_field src_fields[] = {
	{ "image.generate", "referenceImages", GEN_MEDIA_IMAGE, 1 },
	{ "image.edit", "sourceImage", GEN_MEDIA_IMAGE, 0 },
	{ "image.edit", "referenceImages", GEN_MEDIA_IMAGE, 1 },
	{ "video.generate", "startFrameImage", GEN_MEDIA_IMAGE, 0 },
	{ "video.generate", "sourceImage", GEN_MEDIA_IMAGE, 0 },
	{ "video.generate", "overlapFrameImages", GEN_MEDIA_IMAGE, 1 },
	{ "video.generate", "finalFrameImage", GEN_MEDIA_IMAGE, 0 },
	{ "video.generate", "referenceAudio", GEN_MEDIA_AUDIO, 0 },
	{ "audio.speak", "referenceAudio", GEN_MEDIA_AUDIO, 0 },
	{ "audio.annotation.reference", "sourceAudio", GEN_MEDIA_AUDIO, 0 },
	{ "trellis.generate", "sourceImage", GEN_MEDIA_IMAGE, 0 },
};

/* Plain URL fields: must be absolute http(s) URLs (format: uri). */
static const char *const url_fields[] = {
	"referenceImageUrls", "sourceImageUrl", "startFrameImageUrl",
	"overlapFrameImageUrls", "finalFrameImageUrl", "referenceAudioUrl",
	"videoUrls", "sourceVideoUrl", "sourceAudioUrl", NULL,
};

/*
 * One source value at field name f: a URL string, {"url": …} or
 * {"dataBase64": …, "mimeType"?: …}. Decodes inline data into s->src and
 * replaces it in place (in the effective input e) by
 * {"staged": true, "mimeType", "sizeBytes"}. Returns 0 or answers 400.
 */
static int
one_source(struct mg_ctx *c, struct submit *s, enum gen_media_class cls,
    const char *f, json_object *v, json_object **replace)
{
	struct gen_media_src *m;
	enum gen_media_err me;
	json_object *u, *r;
	char err[256];
	const char *url = NULL;
	size_t nkeys;

	*replace = NULL;
	if (json_object_is_type(v, json_type_string))
		url = json_object_get_string(v);
	else if (json_object_is_type(v, json_type_object)) {
		nkeys = (size_t)json_object_object_length(v);
		json_object_object_foreach(v, k, val) {
			(void)val;
			if (strcmp(k, "url") != 0 && strcmp(k, "dataBase64") != 0 &&
			    strcmp(k, "mimeType") != 0)
				return mg_fail(c, MG_E_INVALID_PARAM,
				    "input.%s: unknown property \"%s\"", f, k);
		}
		if (json_object_object_get_ex(v, "url", &u)) {
			if (json_object_object_get_ex(v, "dataBase64", NULL))
				return mg_fail(c, MG_E_INVALID_PARAM,
				    "input.%s: give either url or dataBase64, "
				    "not both", f);
			url = json_object_is_type(u, json_type_string) ?
			    json_object_get_string(u) : "";
		} else if (nkeys == 0 ||
		    !json_object_object_get_ex(v, "dataBase64", NULL))
			return mg_fail(c, MG_E_INVALID_PARAM,
			    "input.%s: url or dataBase64 is required", f);
	} else
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "input.%s must be a URL string or an object", f);
	if (url != NULL) {
		if (!url_ok(url))
			return mg_fail(c, MG_E_INVALID_PARAM,
			    "input.%s must be an absolute http(s) URL", f);
		r = json_object_new_object();
		json_object_object_add(r, "field", json_object_new_string(f));
		json_object_object_add(r, "url", json_object_new_string(url));
		json_object_array_add(s->urls, r);
		return 0;
	}
	if (s->nsrc >= GEN_MEDIA_MAX_SOURCES)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "at most %d inline sources per job", GEN_MEDIA_MAX_SOURCES);
	m = &s->src[s->nsrc];
	memset(m, 0, sizeof(*m));
	snprintf(m->field, sizeof(m->field), "%s", f);
	if ((me = gen_media_decode(c->arena, cls, v, m, err, sizeof(err))) !=
	    GEN_MEDIA_OK) {
		if (me == GEN_MEDIA_E_IO)
			return mg_fail(c, MG_E_INTERNAL, "could not read a source");
		return mg_fail_code(c, me == GEN_MEDIA_E_TOO_LARGE ? 413 : 400,
		    gen_media_code(me), "input.%s", err);
	}
	if (json_object_object_get_ex(v, "mimeType", &u) &&
	    strcmp(json_object_get_string(u), m->mime) != 0) {
		r = json_object_new_object();
		json_object_object_add(r, "field",
		    json_object_new_string(mg_arena_printf(c->arena,
		    "%s.mimeType", f)));
		json_object_object_add(r, "requested", json_object_get(u));
		json_object_object_add(r, "effective",
		    json_object_new_string(m->mime));
		json_object_object_add(r, "reason", json_object_new_string(
		    "MIME type normalised"));
		json_object_array_add(s->adjust, r);
	}
	s->nsrc++;
	r = json_object_new_object();
	json_object_object_add(r, "staged", json_object_new_boolean(1));
	json_object_object_add(r, "mimeType", json_object_new_string(m->mime));
	json_object_object_add(r, "sizeBytes", json_object_new_int64(
	    (int64_t)m->len));
	*replace = r;
	return 0;
}

/*
 * Walk the task's source fields in the effective input e (a deep copy of
 * the request input): validate URLs, decode inline data. Returns 0 or the
 * status answered.
 */
static int
collect_sources(struct mg_ctx *c, struct submit *s, json_object *e)
{
	json_object *v, *item, *rep, *a;
	const char *const *uf;
	size_t i, k, n, refs = 0;
	char f[64];
	int st;

	for (uf = url_fields; *uf != NULL; uf++) {
		if (!json_object_object_get_ex(e, *uf, &v))
			continue;
		if (json_object_is_type(v, json_type_array)) {
			n = json_object_array_length(v);
			for (k = 0; k < n; k++)
				if (!url_ok(json_object_get_string(
				    json_object_array_get_idx(v, k))))
					return mg_fail(c, MG_E_INVALID_PARAM,
					    "input.%s[%zu] must be an absolute "
					    "http(s) URL", *uf, k);
			if (strcmp(*uf, "referenceImageUrls") == 0)
				refs += n;
			for (k = 0; k < n; k++) {
				item = json_object_new_object();
				json_object_object_add(item, "field",
				    json_object_new_string(*uf));
				json_object_object_add(item, "url",
				    json_object_get(json_object_array_get_idx(v, k)));
				json_object_array_add(s->urls, item);
			}
		} else if (!url_ok(json_object_get_string(v)))
			return mg_fail(c, MG_E_INVALID_PARAM,
			    "input.%s must be an absolute http(s) URL", *uf);
		else {
			item = json_object_new_object();
			json_object_object_add(item, "field",
			    json_object_new_string(*uf));
			json_object_object_add(item, "url", json_object_get(v));
			json_object_array_add(s->urls, item);
		}
	}
	for (i = 0; i < sizeof(src_fields) / sizeof(src_fields[0]); i++) {
		if (strcmp(src_fields[i].task, s->job_type) != 0 ||
		    !json_object_object_get_ex(e, src_fields[i].field, &v))
			continue;
		if (!src_fields[i].array) {
			if ((st = one_source(c, s, src_fields[i].cls,
			    src_fields[i].field, v, &rep)) != 0)
				return st;
			if (rep != NULL)
				json_object_object_add(e, src_fields[i].field, rep);
			continue;
		}
		if (!json_object_is_type(v, json_type_array))
			return mg_fail(c, MG_E_INVALID_PARAM,
			    "input.%s must be an array", src_fields[i].field);
		a = v;
		n = json_object_array_length(a);
		if (strcmp(src_fields[i].field, "referenceImages") == 0)
			refs += n;
		for (k = 0; k < n; k++) {
			snprintf(f, sizeof(f), "%s[%zu]", src_fields[i].field, k);
			if ((st = one_source(c, s, src_fields[i].cls, f,
			    json_object_array_get_idx(a, k), &rep)) != 0)
				return st;
			if (rep != NULL)
				json_object_array_put_idx(a, k, rep);
		}
	}
	/* referenceImageUrls is the URL-only alias of referenceImages: one list. */
	if (refs > 5)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "input: at most 5 reference images in total "
		    "(referenceImages + referenceImageUrls), got %zu", refs);
	return 0;
}

/* ---- validation, pricing, guards ------------------------------------- */

/* Map a catalog error to a status: unknown things 400, refusals 422. */
static int
price_fail(struct mg_ctx *c, enum catalog_price_err e, const char *msg)
{
	int st = 400;

	if (e == CATALOG_PRICE_E_PROMPT_TOO_LONG || e == CATALOG_PRICE_E_TEXT_RANGE)
		st = 422;
	if (e == CATALOG_PRICE_E_BAD_FIELD)
		return mg_fail(c, MG_E_INVALID_PARAM, "%s", msg);
	return mg_fail_code(c, st, catalog_price_code(e), "%s", msg);
}

/* Text fields the blocklist reads. */
static const char *const guarded_text[] = { "prompt", "negative_prompt",
    "text", "tags", "lyrics", "instructions", "voiceDescription", NULL };

/*
 * Validate and price s (s->shape, s->body/s->input), run the blocklist and
 * the circuit breaker. Returns 0 or the status answered; nothing changed.
 */
static int
validate_price(struct mg_ctx *c, struct submit *s)
{
	enum catalog_price_err pe;
	const char *const *k;
	const char *t;
	char err[256];
	int64_t secs;
	enum db_err e;
	enum gen_guard_err ge;

	if (s->ct == NULL && (s->ct = catalog_get(c)) == NULL)
		return mg_fail(c, MG_E_UNAVAILABLE, "the catalog is not loaded");
	if ((pe = catalog_price_req_from_json(s->shape, s->body, &s->req, err,
	    sizeof(err))) != CATALOG_PRICE_OK)
		return price_fail(c, pe, err);
	if ((pe = catalog_price(s->ct, &s->req, &s->q)) != CATALOG_PRICE_OK)
		return price_fail(c, pe, s->q.error);
	for (k = guarded_text; *k != NULL; k++) {
		if ((t = jstr(s->input, *k)) == NULL)
			continue;
		ge = gen_guard_prompt(t, strlen(t));
		if (ge == GEN_GUARD_BLOCKED)
			return mg_fail_code(c, 422, "prompt_blocked",
			    "the %s was refused by the content policy", *k);
		if (ge != GEN_GUARD_OK)
			return mg_fail(c, MG_E_UNAVAILABLE,
			    "the content policy is not available");
	}
	e = db_row(c->db, DB_JOB_CIRCUIT_OPEN, "s", "i",
	    s->q.model->provider->id, &secs);
	if (e == DB_OK) {
		char ra[24];

		snprintf(ra, sizeof(ra), "%lld", (long long)secs);
		mg_header(c, "Retry-After", ra);
		return mg_fail_code(c, 503, "circuit_open",
		    "provider %s is failing; retry after %lld s",
		    s->q.model->provider->id, (long long)secs);
	}
	if (e != DB_NOROW)
		return mg_fail(c, MG_E_INTERNAL, "could not read provider health");
	return 0;
}

/* ---- the submit transaction ------------------------------------------- */

/* A statement failed inside the transaction: retry deadlocks, else fail. */
static int
tx_dberr(struct db_conn *db, struct submit *s)
{
	unsigned en = db_errno(db);

	if (en == 1213 || en == 1205)
		return DB_RETRY;
	s->why = TX_FAIL;
	return DB_ERR__MAX + TX_FAIL;
}

/*
 * Inside db_tx: job INSERT first (its unique idempotency key refuses a
 * duplicate before any lock on the wallet row), then the hold (takes the
 * wallet row lock, so the checks below see every committed job and hold of
 * this workspace, including ours), the concurrency cap, the spend cap.
 * Any refusal returns DB_ERR__MAX + why: everything is rolled back. The
 * lock is held from the hold to the COMMIT: keep what follows it small.
 */
static int
submit_tx(struct db_conn *db, void *arg)
{
	struct submit *s = arg;
	struct gen_job *j = &s->job;
	enum wallet_err we;
	enum gen_err ge;
	int64_t active, cap = gen_guard_max_concurrent();

	s->why = TX_OK;
	ge = gen_job_insert_tx(db, j);
	if (ge == GEN_E_DUP) {
		s->why = TX_DUP;
		return DB_ERR__MAX + TX_DUP;
	}
	if (ge != GEN_OK)
		return tx_dberr(db, s);
	we = wallet_hold_tx(db, j->workspace_id, j->id,
	    *j->api_key_id ? j->api_key_id : NULL, j->hold_micros, j->job_type);
	if (we == WALLET_INSUFFICIENT || we == WALLET_NO_WALLET) {
		s->why = TX_FUNDS;
		return DB_ERR__MAX + TX_FUNDS;
	}
	if (we != WALLET_OK)
		return tx_dberr(db, s);
	if (cap > 0) {
		/* Bounded count: at most cap + 1 index entries are read. */
		if (db_row(db, DB_JOB_ACTIVE_COUNT, "si", "i", j->workspace_id,
		    cap + 1, &active) != DB_OK)
			return tx_dberr(db, s);
		if (active > cap) {	/* ours is counted */
			s->why = TX_CONCURRENCY;
			return DB_ERR__MAX + TX_CONCURRENCY;
		}
	}
	if (*j->api_key_id && s->has_cap) {
		if (db_row(db, DB_JOB_KEY_SPEND_TODAY, "s", "i", j->api_key_id,
		    &s->spent_today) != DB_OK)
			return tx_dberr(db, s);
		if (s->spent_today > s->cap) {
			s->why = TX_SPEND_CAP;
			return DB_ERR__MAX + TX_SPEND_CAP;
		}
	}
	/* prepaid answers with the balance after the hold. */
	if (s->want_balance && db_row(db, DB_WALLET_GET, "s", "ii",
	    j->workspace_id, &s->balance, &s->reserved) != DB_OK)
		return tx_dberr(db, s);
	return DB_OK;
}

/*
 * Look up the job of (workspace, idempotency key). Returns 1 and loads
 * s->job when it exists with the same request hash, 0 when none, or an
 * answered status (>= 400) on a different body (422 idempotency_error).
 */
static int
idem_lookup(struct mg_ctx *c, struct submit *s)
{
	char id[GEN_ID_LEN + 1];
	unsigned char h[32];
	size_t hl = 0;
	enum db_err e;

	e = db_row(c->db, DB_JOB_BY_IDEM, "ss", "sb", c->who.workspace_id,
	    s->idem_key, id, sizeof(id), h, sizeof(h), &hl);
	if (e == DB_NOROW)
		return 0;
	if (e != DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not read the job");
	if (hl != 32 || mg_ct_eq(h, s->hash, 32) != 0)
		return mg_fail(c, MG_E_IDEMPOTENCY_MISMATCH,
		    "this idempotency key was used with a different request");
	gen_job_clear(&s->job);
	if (gen_job_get(c->db, c->who.workspace_id, id, 0, &s->job) != GEN_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not read the job");
	return 1;
}

static void
free_job(void *p)
{
	gen_job_clear(p);
}

/*
 * The whole submit after the caller filled s (dialect, job_type, shape,
 * body, input, idem_key, hash, callback_url) and, for prepaid, extra (the
 * effective input with sources already collected). Returns 0 when s->job
 * holds the new job, 1 when it holds an idempotent replay, else the
 * status answered.
 */
static int
submit_run(struct mg_ctx *c, struct submit *s, json_object *extra)
{
	struct gen_job *j = &s->job;
	json_object *params, *meta;
	char secret[65];
	unsigned char rnd[32];
	size_t i;
	int rc, st, staged = 0;

	mg_arena_defer(c->arena, free_job, j);
	if ((st = validate_price(c, s)) != 0)
		return st;
	if (s->idem_key != NULL && (st = idem_lookup(c, s)) != 0)
		return st;
	memset(j, 0, sizeof(*j));
	mg_uuid(j->id);
	snprintf(j->workspace_id, sizeof(j->workspace_id), "%s",
	    c->who.workspace_id);
	snprintf(j->api_key_id, sizeof(j->api_key_id), "%s", c->who.key_id);
	snprintf(j->dialect, sizeof(j->dialect), "%s", s->dialect);
	snprintf(j->job_type, sizeof(j->job_type), "%s", s->job_type);
	snprintf(j->kind, sizeof(j->kind), "%s",
	    catalog_kind_name(s->q.model->kind));
	snprintf(j->model, sizeof(j->model), "%s", s->q.model->id);
	snprintf(j->provider, sizeof(j->provider), "%s",
	    s->q.model->provider->id);
	snprintf(j->provider_model, sizeof(j->provider_model), "%s",
	    s->q.model->provider_model ? s->q.model->provider_model : "");
	snprintf(j->catalog_version, sizeof(j->catalog_version), "%s",
	    s->q.catalog_version);
	j->hold_micros = s->q.total_micros;
	j->estimated_seconds = s->q.estimated_seconds;
	if (s->idem_key != NULL) {
		snprintf(j->idempotency_key, sizeof(j->idempotency_key), "%s",
		    s->idem_key);
		memcpy(j->request_hash, s->hash, 32);
		j->request_hash_len = 32;
	}
	if (s->callback_url != NULL) {
		snprintf(j->callback_url, sizeof(j->callback_url), "%s",
		    s->callback_url);
		mg_random(rnd, sizeof(rnd));
		mg_hex(rnd, sizeof(rnd), secret);
		snprintf(j->callback_secret, sizeof(j->callback_secret), "%s",
		    secret);
	}
	/* Stage inline sources under the job's directory. */
	for (i = 0; i < s->nsrc; i++) {
		if (gen_media_stage(j->id, i, &s->src[i]) != GEN_MEDIA_OK) {
			gen_media_unstage(j->id, s->src, s->nsrc);
			return mg_fail(c, MG_E_INTERNAL, "could not stage inputs");
		}
		staged = 1;
	}
	params = build_params(s, json_object_get(extra ? extra : s->body));
	meta = mg_json_own(c, pricing_meta(&s->q));
	j->params = strdup(json_object_to_json_string_ext(params,
	    JSON_C_TO_STRING_PLAIN));
	json_object_put(params);
	{
		json_object *pr = catalog_price_req_to_json(&s->req);

		j->price_req = pr ? strdup(json_object_to_json_string_ext(pr,
		    JSON_C_TO_STRING_PLAIN)) : NULL;
		json_object_put(pr);
	}
	j->pricing_meta = strdup(json_object_to_json_string_ext(meta,
	    JSON_C_TO_STRING_PLAIN));
	if (extra != NULL)
		j->effective_input = strdup(json_object_to_json_string_ext(
		    extra, JSON_C_TO_STRING_PLAIN));
	if (s->adjust != NULL)
		j->input_adjustments = strdup(json_object_to_json_string_ext(
		    s->adjust, JSON_C_TO_STRING_PLAIN));
	if (j->params == NULL || j->price_req == NULL || j->pricing_meta == NULL)
		goto fail500;
	s->has_cap = c->who.has_cap;
	s->cap = c->who.daily_cap_micros;
	rc = db_tx(c->db, submit_tx, s);
	if (rc == DB_GONE) {
		/* COMMIT answer lost: the job exists iff it committed. */
		struct gen_job chk;

		if (gen_job_get(c->db, c->who.workspace_id, j->id, 0, &chk) ==
		    GEN_OK) {
			gen_job_clear(&chk);
			s->balance = c->who.balance_micros;
			s->reserved = c->who.reserved_micros + j->hold_micros;
			return 0;
		}
		goto fail500;
	}
	if (rc == DB_OK)
		return 0;
	if (staged)
		gen_media_unstage(j->id, s->src, s->nsrc);
	switch (s->why) {
	case TX_FUNDS:
		return mg_fail(c, MG_E_INSUFFICIENT_FUNDS,
		    "this job costs %lld micros; the wallet's available balance "
		    "is lower", (long long)j->hold_micros);
	case TX_SPEND_CAP:
		return mg_fail(c, MG_E_SPEND_CAP,
		    "this key's daily spend cap of %lld micros would be passed",
		    (long long)c->who.daily_cap_micros);
	case TX_CONCURRENCY: {
		char ra[24];

		snprintf(ra, sizeof(ra), "%lld", (long long)(
		    s->q.estimated_seconds < 1 ? 1 : s->q.estimated_seconds > 60 ?
		    60 : s->q.estimated_seconds));
		mg_header(c, "Retry-After", ra);
		return mg_fail_code(c, 429, "concurrency_limit",
		    "this workspace already has %lld jobs queued or running",
		    (long long)gen_guard_max_concurrent());
	}
	case TX_DUP:
		if ((st = idem_lookup(c, s)) != 0)
			return st;
		break;
	default:
		break;
	}
fail500:
	if (staged)
		gen_media_unstage(j->id, s->src, s->nsrc);
	return mg_fail(c, MG_E_INTERNAL, "could not create the job");
}

/* ---- rendering --------------------------------------------------------- */

/* Studio Job.status of a row. */
static const char *
studio_status(const struct gen_job *j)
{
	switch (j->state) {
	case GEN_STATE_QUEUED:
		return "queued";
	case GEN_STATE_RUNNING:
		return "running";
	case GEN_STATE_SUCCEEDED:
		return "completed";
	case GEN_STATE_CANCELED:
		return "cancelled";
	default:
		return strcmp(j->error_code, "nsfw_blocked") == 0 ?
		    "nsfw_blocked" : "failed";
	}
}

/* Signed output URLs of a job (array), or NULL when it has none. */
static json_object *
output_urls(struct mg_ctx *c, const struct gen_job *j, int64_t min_ttl,
    json_object **files)
{
	struct gen_output out[GEN_MAX_OUTPUTS];
	json_object *a, *f;
	char link[700];
	size_t n = 0, i;
	int64_t exp;

	if (files != NULL)
		*files = NULL;
	if (j->state != GEN_STATE_SUCCEEDED ||
	    gen_job_outputs(c->db, j->id, out, GEN_MAX_OUTPUTS, &n) != GEN_OK ||
	    n == 0)
		return NULL;
	exp = gen_link_expires((int64_t)time(NULL), min_ttl);
	a = json_object_new_array();
	if (files != NULL)
		*files = json_object_new_array();
	for (i = 0; i < n; i++) {
		if (gen_link_sign(out[i].path, exp, link, sizeof(link)) !=
		    GEN_LINK_OK) {
			mg_log(MG_LOG_ERROR, "job %s: cannot sign %s", j->id,
			    out[i].path);
			continue;
		}
		json_object_array_add(a, json_object_new_string(link));
		if (files == NULL)
			continue;
		f = json_object_new_object();
		json_object_object_add(f, "url", json_object_new_string(link));
		json_object_object_add(f, "mimeType",
		    json_object_new_string(out[i].mime));
		json_object_object_add(f, "sizeBytes",
		    json_object_new_int64(out[i].size));
		if (out[i].width > 0)
			json_object_object_add(f, "width",
			    json_object_new_int(out[i].width));
		if (out[i].height > 0)
			json_object_object_add(f, "height",
			    json_object_new_int(out[i].height));
		if (out[i].duration_ms > 0)
			json_object_object_add(f, "durationMs",
			    json_object_new_int64(out[i].duration_ms));
		json_object_object_add(f, "expiresAt",
		    json_object_new_int64(exp));
		json_object_array_add(*files, f);
	}
	return a;
}

/* The amount charged so far: actual once settled, else null (studio). */
static json_object *
charged(const struct gen_job *j, int micros)
{
	if (j->actual_null)
		return j->state == GEN_STATE_CANCELED ||
		    j->state == GEN_STATE_FAILED ? (micros ?
		    json_object_new_int64(0) : usd_num(0)) : NULL;
	return micros ? json_object_new_int64(j->actual_micros) :
	    usd_num(j->actual_micros);
}

/* Studio Job (002 components.schemas.Job). */
static json_object *
studio_job(struct mg_ctx *c, const struct gen_job *j)
{
	json_object *o = json_object_new_object(), *e;
	static const char *const types[] = { "image", "video", "audio",
	    "compose", "character_train", "prism_apply", NULL };
	const char *const *t;
	const char *type = j->kind;

	for (t = types; *t != NULL; t++)
		if (strcmp(*t, j->job_type) == 0)
			type = j->job_type;
	json_object_object_add(o, "job_id", json_object_new_string(j->id));
	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "status",
	    json_object_new_string(studio_status(j)));
	json_object_object_add(o, "progress_pct", j->progress_pct >= 0 ?
	    json_object_new_int(j->progress_pct) : NULL);
	json_object_object_add(o, "model", json_object_new_string(j->model));
	json_object_object_add(o, "estimated_cost_usd", usd_num(j->hold_micros));
	json_object_object_add(o, "estimated_cost_usd_micros",
	    json_object_new_int64(j->hold_micros));
	json_object_object_add(o, "charged_cost_usd", charged(j, 0));
	json_object_object_add(o, "charged_cost_usd_micros", charged(j, 1));
	json_object_object_add(o, "output_urls", output_urls(c, j, 0, NULL));
	if (*j->error_code) {
		e = json_object_new_object();
		json_object_object_add(e, "code",
		    json_object_new_string(j->error_code));
		json_object_object_add(e, "message",
		    json_object_new_string(j->error_message));
		json_object_object_add(o, "error", e);
	} else
		json_object_object_add(o, "error", NULL);
	json_object_object_add(o, "created_at",
	    json_object_new_string(j->created_at));
	json_object_object_add(o, "completed_at", *j->finished_at ?
	    json_object_new_string(j->finished_at) : NULL);
	return o;
}

/* ---- studio handlers --------------------------------------------------- */

/* SHA-256 over "<path>\n<body>": the identity of a request for idempotency. */
static void
req_hash(struct mg_ctx *c, unsigned char out[32])
{
	struct mg_buf b;

	mg_buf_init(&b, c->arena);
	mg_buf_puts(&b, c->req.path);
	mg_buf_puts(&b, "\n");
	if (c->req.body != NULL)
		mg_buf_append(&b, c->req.body, c->req.body_len);
	mg_sha256(b.data ? b.data : "", b.len, out);
}

/* Idempotency-Key header: 1..200 visible ASCII; NULL when absent. */
static int
idem_header(struct mg_ctx *c, const char **key)
{
	const char *k = fcgi_req_header(&c->req, "Idempotency-Key");
	const char *p;

	*key = NULL;
	if (k == NULL)
		return 0;
	if (*k == '\0' || strlen(k) > 200)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "Idempotency-Key must be 1 to 200 characters");
	for (p = k; *p; p++)
		if (*p < 0x21 || *p > 0x7e)
			return mg_fail(c, MG_E_INVALID_PARAM,
			    "Idempotency-Key must be visible ASCII");
	*key = k;
	return 0;
}

/* Common studio submit: shape is the catalog body kind. */
static int
studio_submit(struct mg_ctx *c, const char *shape, const char *type,
    struct submit **out)
{
	struct submit *s;
	json_object *body;
	int st;

	if ((s = mg_arena_calloc(c->arena, sizeof(*s))) == NULL)
		return mg_fail(c, MG_E_INTERNAL, "out of memory");
	*out = s;
	if ((body = mg_json_body(c)) == NULL)
		return c->status;
	s->dialect = "studio";
	s->job_type = type;
	s->shape = shape;
	s->body = s->input = body;
	if ((st = idem_header(c, &s->idem_key)) != 0)
		return st;
	req_hash(c, s->hash);
	s->urls = mg_json_own(c, json_object_new_array());
	if ((st = submit_run(c, s, NULL)) > 1)
		return st;
	if (st == 1)
		mg_header(c, "Idempotent-Replayed", "true");
	return 0;
}

static int
studio_kind(struct mg_ctx *c, const char *kind)
{
	struct submit *s;
	int st;

	if ((st = studio_submit(c, kind, kind, &s)) != 0)
		return st;
	return mg_reply_json(c, 202, studio_job(c, &s->job));
}

int
gen_h_image(struct mg_ctx *c)
{
	return studio_kind(c, "image");
}

int
gen_h_video(struct mg_ctx *c)
{
	return studio_kind(c, "video");
}

int
gen_h_audio(struct mg_ctx *c)
{
	return studio_kind(c, "audio");
}

int
gen_h_compose(struct mg_ctx *c)
{
	struct submit *s;
	json_object *o;
	int st;

	if ((st = studio_submit(c, "compose", "compose", &s)) != 0)
		return st;
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(s->job.id));
	json_object_object_add(o, "type", json_object_new_string("compose"));
	json_object_object_add(o, "status", json_object_new_string(
	    s->job.state == GEN_STATE_QUEUED ? "queued" : studio_status(&s->job)));
	json_object_object_add(o, "operation_id",
	    json_object_new_string(s->q.op ? s->q.op->id : "compose.stitch_per_minute"));
	json_object_object_add(o, "estimated_cost_usd_micros",
	    json_object_new_int64(s->job.hold_micros));
	json_object_object_add(o, "estimated_cost_usd",
	    usd_num(s->job.hold_micros));
	json_object_object_add(o, "created_at",
	    json_object_new_string(s->job.created_at));
	return mg_reply_json(c, 202, o);
}

int
gen_h_generate_legacy(struct mg_ctx *c)
{
	struct submit *s;
	json_object *o, *cost;
	char poll[80];
	int st;

	mg_header(c, "Deprecation", "true");
	mg_header(c, "Link", "</v1/images/generate>; rel=\"successor-version\"");
	if ((st = studio_submit(c, "generate", "generate", &s)) != 0)
		return st;
	o = json_object_new_object();
	json_object_object_add(o, "generation_id", json_object_new_string(s->job.id));
	json_object_object_add(o, "provider_request_id", NULL);
	json_object_object_add(o, "status", json_object_new_string("queued"));
	json_object_object_add(o, "model", json_object_new_string(s->job.model));
	json_object_object_add(o, "kind", json_object_new_string(s->job.kind));
	json_object_object_add(o, "credits_charged",
	    json_object_new_int64(s->q.model ? s->q.credits : 0));
	cost = json_object_new_object();
	json_object_object_add(cost, "usd_micros",
	    json_object_new_int64(s->job.hold_micros));
	json_object_object_add(cost, "usd", usd_num(s->job.hold_micros));
	json_object_object_add(o, "cost", cost);
	snprintf(poll, sizeof(poll), "/v1/generations/%s", s->job.id);
	json_object_object_add(o, "poll_url", json_object_new_string(poll));
	return mg_reply_json(c, 202, o);
}

/* Load the {id} job of the caller's workspace into j; answers 404. */
static int
load_own(struct mg_ctx *c, const char *id, struct gen_job *j)
{
	enum gen_err e;

	if (id == NULL || strlen(id) != GEN_ID_LEN)
		return mg_fail(c, MG_E_NOT_FOUND, "no such job");
	mg_arena_defer(c->arena, free_job, j);
	e = gen_job_get(c->db, c->who.workspace_id, id, 0, j);
	if (e == GEN_E_NOT_FOUND)
		return mg_fail(c, MG_E_NOT_FOUND, "no such job");
	if (e != GEN_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not read the job");
	return 0;
}

int
gen_h_job_get(struct mg_ctx *c)
{
	struct gen_job *j = mg_arena_calloc(c->arena, sizeof(*j));
	int st;

	if (j == NULL)
		return mg_fail(c, MG_E_INTERNAL, "out of memory");
	if ((st = load_own(c, fcgi_req_param(&c->req, "id"), j)) != 0)
		return st;
	return mg_reply_json(c, 200, studio_job(c, j));
}

int
gen_h_generation_get(struct mg_ctx *c)
{
	struct gen_job *j = mg_arena_calloc(c->arena, sizeof(*j));
	json_object *o, *p, *v, *urls;
	const struct catalog *ct;
	const char *st_word;
	int64_t cr;
	int st;

	mg_header(c, "Deprecation", "true");
	if (j == NULL)
		return mg_fail(c, MG_E_INTERNAL, "out of memory");
	if ((st = load_own(c, fcgi_req_param(&c->req, "id"), j)) != 0)
		return st;
	switch (j->state) {
	case GEN_STATE_QUEUED:
		st_word = "queued";
		break;
	case GEN_STATE_RUNNING:
		st_word = "running";
		break;
	case GEN_STATE_SUCCEEDED:
		st_word = "success";
		break;
	default:
		st_word = "failed";
		break;
	}
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(j->id));
	json_object_object_add(o, "status", json_object_new_string(st_word));
	json_object_object_add(o, "model", json_object_new_string(j->model));
	p = mg_json_own(c, jparse(j->params));
	if (p != NULL && json_object_object_get_ex(p, "prompt", &v))
		json_object_object_add(o, "prompt", json_object_get(v));
	json_object_object_add(o, "kind", json_object_new_string(j->kind));
	/* Studio display credits (catalog credit_usd_micros each), rounded up. */
	ct = catalog_get(c);
	cr = ct != NULL && ct->credit_usd_micros > 0 ? ct->credit_usd_micros : 0;
	json_object_object_add(o, "credits_charged", j->actual_null || cr == 0 ?
	    NULL : json_object_new_int64((j->actual_micros + cr - 1) / cr));
	urls = output_urls(c, j, 0, NULL);
	json_object_object_add(o, "asset_urls", urls ? urls :
	    json_object_new_array());
	json_object_object_add(o, "error", *j->error_code ?
	    json_object_new_string(j->error_code) : NULL);
	json_object_object_add(o, "created_at",
	    json_object_new_string(j->created_at));
	json_object_object_add(o, "updated_at",
	    json_object_new_string(j->updated_at));
	return mg_reply_json(c, 200, o);
}

struct cancel_args {
	const char	*ws;
	const char	*id;
	struct gen_job	*j;
	enum gen_err	 result;
};

static int
cancel_tx(struct db_conn *db, void *arg)
{
	struct cancel_args *a = arg;
	unsigned en;

	gen_job_clear(a->j);
	a->result = gen_job_cancel_tx(db, a->ws, a->id, a->j);
	if (a->result == GEN_OK)
		return DB_OK;
	en = db_errno(db);
	if (a->result == GEN_E_DB && (en == 1213 || en == 1205))
		return DB_RETRY;
	return DB_ERR__MAX + 1;
}

int
gen_h_job_cancel(struct mg_ctx *c)
{
	struct gen_job *j = mg_arena_calloc(c->arena, sizeof(*j));
	struct cancel_args a;
	const char *id = fcgi_req_param(&c->req, "id");
	int rc;

	if (j == NULL)
		return mg_fail(c, MG_E_INTERNAL, "out of memory");
	if (id == NULL || strlen(id) != GEN_ID_LEN)
		return mg_fail(c, MG_E_NOT_FOUND, "no such job");
	mg_arena_defer(c->arena, free_job, j);
	a.ws = c->who.workspace_id;
	a.id = id;
	a.j = j;
	a.result = GEN_OK;
	rc = db_tx(c->db, cancel_tx, &a);
	if (rc == DB_OK)
		return mg_reply_json(c, 200, studio_job(c, j));
	if (a.result == GEN_E_NOT_FOUND)
		return mg_fail(c, MG_E_NOT_FOUND, "no such job");
	if (a.result == GEN_E_TERMINAL)
		return mg_fail(c, MG_E_CONFLICT, "the job is already %s",
		    gen_state_name(j->state));
	return mg_fail(c, MG_E_INTERNAL, "could not cancel the job");
}

/* ---- prepaid handlers -------------------------------------------------- */

/* Requested integer field of in, or -1. */
static int64_t
jint_or(json_object *in, const char *k)
{
	json_object *v;

	if (in == NULL || !json_object_object_get_ex(in, k, &v) ||
	    !json_object_is_type(v, json_type_int))
		return -1;
	return json_object_get_int64(v);
}

/* An inputAdjustments entry. */
static void
adjust(json_object *a, const char *field, json_object *req, json_object *eff,
    const char *reason)
{
	json_object *r = json_object_new_object();

	json_object_object_add(r, "field", json_object_new_string(field));
	json_object_object_add(r, "requested", req);
	json_object_object_add(r, "effective", eff);
	json_object_object_add(r, "reason", json_object_new_string(reason));
	json_object_array_add(a, r);
}

/*
 * effectiveInput: the input as priced (defaults filled from the quote);
 * record what differs from the request in s->adjust.
 */
static void
effective_fill(struct submit *s, json_object *e)
{
	const struct catalog_quote *q = &s->q;
	int64_t rw = jint_or(s->input, "width"), rh = jint_or(s->input, "height");
	int64_t rd = jint_or(s->input, "durationSeconds");

	if (q->width > 0 && q->height > 0) {
		if (rw >= 0 && rw != q->width)
			adjust(s->adjust, "width", json_object_new_int64(rw),
			    json_object_new_int(q->width), "snapped to a size "
			    "the model supports");
		if (rh >= 0 && rh != q->height)
			adjust(s->adjust, "height", json_object_new_int64(rh),
			    json_object_new_int(q->height), "snapped to a size "
			    "the model supports");
		json_object_object_add(e, "width", json_object_new_int(q->width));
		json_object_object_add(e, "height", json_object_new_int(q->height));
	}
	if (q->aspect != NULL && !json_object_object_get_ex(e, "aspectRatio", NULL))
		json_object_object_add(e, "aspectRatio",
		    json_object_new_string(q->aspect));
	if (q->duration_ms > 0 && q->model->has_duration) {
		int64_t eff = (q->duration_ms + 999) / 1000;

		if (rd >= 0 && rd != eff)
			adjust(s->adjust, "durationSeconds",
			    json_object_new_int64(rd), json_object_new_int64(eff),
			    "clamped to the model's duration range");
		if (!json_object_object_get_ex(e, "durationFrames", NULL))
			json_object_object_add(e, "durationSeconds",
			    json_object_new_int64(eff));
	}
}

/* MediaJobBilling of a job (003). */
static json_object *
billing(const struct gen_job *j, int64_t staged)
{
	json_object *b = json_object_new_object();
	int64_t amt;

	if (!j->actual_null)
		amt = j->actual_micros;
	else if (j->state == GEN_STATE_FAILED || j->state == GEN_STATE_CANCELED)
		amt = 0;
	else
		amt = j->hold_micros;
	json_object_object_add(b, "usdChargedMicros", json_object_new_int64(amt));
	json_object_object_add(b, "usdCharged", usd_str(amt));
	json_object_object_add(b, "pricingMeta", jparse(j->pricing_meta));
	json_object_object_add(b, "stagedInputCount", staged >= 0 ?
	    json_object_new_int64(staged) : NULL);
	return b;
}

/* inputAdjustments of a job: the stored array, or []. */
static json_object *
adj_json(const struct gen_job *j)
{
	json_object *a = NULL;

	if (j->input_adjustments != NULL && *j->input_adjustments != '\0')
		a = jparse(j->input_adjustments);
	return a != NULL ? a : json_object_new_array();
}

/* Number of staged inputs recorded in a job's params. */
static int64_t
staged_count(const struct gen_job *j)
{
	json_object *p = jparse(j->params), *in;
	int64_t n = 0;

	if (p != NULL && json_object_object_get_ex(p, "inputs", &in) &&
	    json_object_is_type(in, json_type_array))
		n = (int64_t)json_object_array_length(in);
	json_object_put(p);
	return n;
}

int
gen_h_media_submit(struct mg_ctx *c)
{
	struct submit *s;
	json_object *body, *in, *eff, *o, *meta, *dm;
	const char *task, *cb;
	int st;

	if ((s = mg_arena_calloc(c->arena, sizeof(*s))) == NULL)
		return mg_fail(c, MG_E_INTERNAL, "out of memory");
	if ((body = mg_json_body(c)) == NULL)
		return c->status;
	json_object_object_foreach(body, k, v) {
		(void)v;
		if (strcmp(k, "task") != 0 && strcmp(k, "input") != 0 &&
		    strcmp(k, "idempotencyKey") != 0 &&
		    strcmp(k, "completionCallbackUrl") != 0)
			return mg_fail(c, MG_E_INVALID_PARAM,
			    "unknown property \"%s\"", k);
	}
	task = jstr(body, "task");
	if (task == NULL)
		return mg_fail(c, MG_E_INVALID_PARAM, "task is required");
	if (!catalog_task_known(task) || strncmp(task, "sheet.", 6) == 0 ||
	    strncmp(task, "scene.", 6) == 0)
		return mg_fail_code(c, 400, "unknown_task", "task: unknown task "
		    "\"%.60s\"", task);
	if (!json_object_object_get_ex(body, "input", &in) ||
	    !json_object_is_type(in, json_type_object))
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "input is required and must be an object");
	s->dialect = "prepaid";
	s->want_balance = 1;
	s->job_type = task;
	s->shape = "media.job";
	s->body = body;
	s->input = in;
	s->idem_key = jstr(body, "idempotencyKey");
	if (json_object_object_get_ex(body, "idempotencyKey", NULL) &&
	    (s->idem_key == NULL || *s->idem_key == '\0' ||
	    strlen(s->idem_key) > 200))
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "idempotencyKey must be a string of 1 to 200 characters");
	cb = jstr(body, "completionCallbackUrl");
	if (json_object_object_get_ex(body, "completionCallbackUrl", NULL) &&
	    !url_ok(cb))
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "completionCallbackUrl must be an absolute http(s) URL");
	s->callback_url = cb;
	req_hash(c, s->hash);
	s->urls = mg_json_own(c, json_object_new_array());
	s->adjust = mg_json_own(c, json_object_new_array());
	/* Sources first: bad base64/MIME is a 400 before anything is priced. */
	eff = NULL;
	if (json_object_deep_copy(in, &eff, NULL) != 0 || eff == NULL)
		return mg_fail(c, MG_E_INTERNAL, "out of memory");
	mg_json_own(c, eff);
	if ((st = collect_sources(c, s, eff)) != 0)
		return st;
	/*
	 * Price before filling effective defaults (they need the quote);
	 * submit_run re-validates and prices again, which is cheap and pure.
	 */
	{
		enum catalog_price_err pe;
		char err[256];

		if ((s->ct = catalog_get(c)) == NULL)
			return mg_fail(c, MG_E_UNAVAILABLE,
			    "the catalog is not loaded");
		if ((pe = catalog_price_req_from_json("media.job", body, &s->req,
		    err, sizeof(err))) != CATALOG_PRICE_OK)
			return price_fail(c, pe, err);
		if ((pe = catalog_price(s->ct, &s->req, &s->q)) != CATALOG_PRICE_OK)
			return price_fail(c, pe, s->q.error);
		effective_fill(s, eff);
	}
	if ((st = submit_run(c, s, eff)) > 1)
		return st;
	o = json_object_new_object();
	json_object_object_add(o, "ok", json_object_new_boolean(1));
	json_object_object_add(o, "task", json_object_new_string(s->job.job_type));
	json_object_object_add(o, "externalJobId",
	    json_object_new_string(s->job.id));
	json_object_object_add(o, "status", json_object_new_string(
	    gen_state_name(s->job.state)));
	json_object_object_add(o, "usdChargedMicros",
	    json_object_new_int64(s->job.hold_micros));
	json_object_object_add(o, "usdCharged", usd_str(s->job.hold_micros));
	if (st == 1) {
		/* Replay: the stored job; balance as of the caller's auth. */
		s->balance = c->who.balance_micros;
		s->reserved = c->who.reserved_micros;
		mg_header(c, "Idempotent-Replayed", "true");
	}
	json_object_object_add(o, "usdBalanceMicros",
	    json_object_new_int64(s->balance - s->reserved));
	json_object_object_add(o, "usdBalance", usd_str(s->balance - s->reserved));
	meta = jparse(s->job.pricing_meta);
	json_object_object_add(o, "pricingMeta", meta);
	json_object_object_add(o, "stagedInputCount",
	    json_object_new_int64(staged_count(&s->job)));
	json_object_object_add(o, "estimatedDurationSeconds",
	    json_object_new_int64(s->job.estimated_seconds));
	dm = json_object_new_object();
	json_object_object_add(dm, "source", json_object_new_string("catalog"));
	json_object_object_add(dm, "model", json_object_new_string(s->job.model));
	json_object_object_add(o, "durationEstimateMeta", dm);
	json_object_object_add(o, "effectiveInput",
	    jparse(s->job.effective_input));
	json_object_object_add(o, "inputAdjustments", adj_json(&s->job));
	json_object_object_add(o, "billing",
	    billing(&s->job, staged_count(&s->job)));
	if (*s->job.callback_url && st != 1)
		json_object_object_add(o, "callbackSigningSecret",
		    json_object_new_string(s->job.callback_secret));
	return mg_reply_json(c, 201, o);
}

int
gen_h_media_status(struct mg_ctx *c)
{
	struct gen_job *j = mg_arena_calloc(c->arena, sizeof(*j));
	const char *id = fcgi_req_query(&c->req, c->arena, "jobId");
	const char *det = fcgi_req_query(&c->req, c->arena, "includeDetails");
	json_object *o, *urls, *files, *res, *e;
	int details = 0, st;
	int64_t dur = 0;

	if (j == NULL)
		return mg_fail(c, MG_E_INTERNAL, "out of memory");
	if (id == NULL || *id == '\0')
		return mg_fail(c, MG_E_INVALID_PARAM, "jobId is required");
	if (det != NULL) {
		if (strcmp(det, "true") == 0 || strcmp(det, "1") == 0)
			details = 1;
		else if (strcmp(det, "false") != 0 && strcmp(det, "0") != 0)
			return mg_fail(c, MG_E_INVALID_PARAM,
			    "includeDetails must be true or false");
	}
	if ((st = load_own(c, id, j)) != 0)
		return st;
	o = json_object_new_object();
	json_object_object_add(o, "ok", json_object_new_boolean(1));
	json_object_object_add(o, "task", json_object_new_string(j->job_type));
	json_object_object_add(o, "externalJobId", json_object_new_string(j->id));
	json_object_object_add(o, "status",
	    json_object_new_string(gen_state_name(j->state)));
	res = json_object_new_object();
	if (*j->error_code) {
		e = json_object_new_object();
		json_object_object_add(e, "code",
		    json_object_new_string(j->error_code));
		json_object_object_add(e, "message",
		    json_object_new_string(j->error_message));
		json_object_object_add(res, "error", e);
	}
	json_object_object_add(o, "result", res);
	if (details) {
		json_object_object_add(o, "effectiveInput",
		    jparse(j->effective_input));
		json_object_object_add(o, "inputAdjustments", adj_json(j));
	}
	json_object_object_add(o, "estimatedDurationSeconds",
	    json_object_new_int64(j->estimated_seconds));
	json_object_object_add(o, "billing", billing(j, staged_count(j)));
	json_object_object_add(o, "createdAt", json_object_new_string(j->created_at));
	json_object_object_add(o, "updatedAt", json_object_new_string(j->updated_at));
	if (*j->started_at && *j->finished_at) {
		struct tm a, b;

		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		if (strptime(j->started_at, "%Y-%m-%dT%H:%M:%S", &a) != NULL &&
		    strptime(j->finished_at, "%Y-%m-%dT%H:%M:%S", &b) != NULL)
			dur = ((int64_t)timegm(&b) - (int64_t)timegm(&a)) * 1000;
	}
	json_object_object_add(o, "durationMs", *j->finished_at && *j->started_at ?
	    json_object_new_int64(dur) : NULL);
	urls = output_urls(c, j, GEN_LINK_MIN_TTL, &files);
	json_object_object_add(o, "outputFiles", files);
	json_object_object_add(o, "outputUrl", urls != NULL &&
	    json_object_array_length(urls) > 0 ?
	    json_object_get(json_object_array_get_idx(urls, 0)) : NULL);
	json_object_object_add(o, "expectedOutputUrls", json_object_new_array());
	json_object_object_add(o, "downloadableOutputUrls", urls ? urls :
	    json_object_new_array());
	return mg_reply_json(c, 200, o);
}

/* ---- studio submit for routes of other modules ------------------------- */

/*
 * The studio submit path (validate, price, guards, hold + job in one
 * transaction, Idempotency-Key) for a body the caller built, used by
 * POST /v1/prisms/{id}/apply and POST /v1/characters (modules/catalog).
 * Returns 0 with *job (the new or replayed job, owned by the request) or
 * the status answered.
 */
int
gen_submit_studio(struct mg_ctx *c, const char *shape, const char *type,
    json_object *body, const struct gen_job **job, json_object **job_json)
{
	struct submit *s;
	int st;

	if ((s = mg_arena_calloc(c->arena, sizeof(*s))) == NULL)
		return mg_fail(c, MG_E_INTERNAL, "out of memory");
	s->dialect = "studio";
	s->job_type = type;
	s->shape = shape;
	s->body = s->input = mg_json_own(c, json_object_get(body));
	if ((st = idem_header(c, &s->idem_key)) != 0)
		return st;
	req_hash(c, s->hash);
	s->urls = mg_json_own(c, json_object_new_array());
	if ((st = submit_run(c, s, NULL)) > 1)
		return st;
	if (st == 1)
		mg_header(c, "Idempotent-Replayed", "true");
	*job = &s->job;
	*job_json = studio_job(c, &s->job);
	return 0;
}
