/*
 * catalog_render: the catalog endpoints' JSON, shaped after the seeds
 * (002 studio Model / Prism / pricing / estimate, 003 prepaid packages).
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "mg_util.h"
#include "catalog.h"
#include "catalog_price.h"
#include "catalog_render.h"

/*
 * Add key: value to o, taking ownership of value. Returns 0, or -1 when
 * value is NULL (allocation failed) or the add failed.
 */
static int
put(json_object *o, const char *key, json_object *value)
{
	if (value == NULL)
		return -1;
	if (json_object_object_add(o, key, value) != 0) {
		json_object_put(value);
		return -1;
	}
	return 0;
}

static int
push(json_object *a, json_object *value)
{
	if (value == NULL)
		return -1;
	if (json_object_array_add(a, value) != 0) {
		json_object_put(value);
		return -1;
	}
	return 0;
}

/* A display-only USD number printed from micros ("0.003146"), no float math. */
static json_object *
usd_number(int64_t micros)
{
	char buf[32];

	mg_fmt_usd(micros, buf, sizeof(buf));
	return json_object_new_double_s(mg_usd_display(micros), buf);
}

static json_object *
usd_string(int64_t micros)
{
	char buf[32];

	mg_fmt_usd(micros, buf, sizeof(buf));
	return json_object_new_string(buf);
}

/* key: s, or key: null when s is NULL (json-c's null is a NULL pointer). */
static int
put_str_or_null(json_object *o, const char *key, const char *s)
{
	if (s == NULL)
		return json_object_object_add(o, key, NULL) != 0 ? -1 : 0;
	return put(o, key, json_object_new_string(s));
}

static int
put_int_or_null(json_object *o, const char *key, int has, int64_t v)
{
	if (!has)
		return json_object_object_add(o, key, NULL) != 0 ? -1 : 0;
	return put(o, key, json_object_new_int64(v));
}

/* The largest offered size of m as "WxH", or NULL when it takes none. */
static void
max_resolution(const struct catalog_model *m, char *buf, size_t cap)
{
	const struct catalog_aspect *best = NULL;
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < m->naspects; i++)
		if (best == NULL || (int64_t)m->aspects[i].width *
		    m->aspects[i].height > (int64_t)best->width * best->height)
			best = &m->aspects[i];
	if (best != NULL)
		snprintf(buf, cap, "%dx%d", best->width, best->height);
}

static json_object *
render_model(const struct catalog_model *m)
{
	json_object *o, *caps;
	char res[32];
	size_t i;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	max_resolution(m, res, sizeof(res));
	if (put(o, "model_id", json_object_new_string(m->id)) ||
	    put(o, "type", json_object_new_string(catalog_kind_name(m->kind))) ||
	    put(o, "provider", json_object_new_string(m->provider->id)) ||
	    put_str_or_null(o, "max_resolution", res[0] ? res : NULL) ||
	    put_int_or_null(o, "max_duration_s", m->has_duration,
	    (m->max_duration_ms + 999) / 1000) ||
	    put(o, "supports_audio", json_object_new_boolean(m->supports_audio)) ||
	    put(o, "cost_usd_per_unit", usd_number(m->op->price_micros)) ||
	    put(o, "unit", json_object_new_string(catalog_unit_name(m->op->unit))) ||
	    put(o, "cost_usd_micros_per_unit",
	    json_object_new_int64(m->op->price_micros)) ||
	    put(o, "operation_id", json_object_new_string(m->op->id)) ||
	    put(o, "name", json_object_new_string(m->name)) ||
	    put(o, "capabilities", caps = json_object_new_array()))
		goto err;
	for (i = 0; i < m->ncapabilities; i++)
		if (push(caps, json_object_new_string(m->capabilities[i])))
			goto err;
	return o;
err:
	json_object_put(o);
	return NULL;
}

json_object *
catalog_render_models(const struct catalog *c, enum catalog_kind kind)
{
	json_object *o, *data;
	size_t i;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (put(o, "data", data = json_object_new_array()))
		goto err;
	for (i = 0; i < c->nmodels; i++) {
		if (c->models[i].kind == CATALOG_KIND_3D)
			continue;	/* not in the seed's Model.type enum */
		if (kind != CATALOG_KIND_ANY && c->models[i].kind != kind)
			continue;
		if (push(data, render_model(&c->models[i])))
			goto err;
	}
	return o;
err:
	json_object_put(o);
	return NULL;
}

json_object *
catalog_render_pricing(const struct catalog *c, time_t now)
{
	const struct catalog_op *op;
	json_object *o, *ops, *it, *mults, *ml;
	char ts[32];
	size_t i, j;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	mg_fmt_time(now, ts, sizeof(ts));
	if (put(o, "currency", json_object_new_string(c->currency)) ||
	    put(o, "micros_per_unit", json_object_new_int64(MG_MICROS_PER_USD)) ||
	    put(o, "operations", ops = json_object_new_array()) ||
	    put(o, "generated_at", json_object_new_string(ts)) ||
	    put(o, "catalog_version", json_object_new_string(c->version)) ||
	    put(o, "credit_usd_micros", json_object_new_int64(c->credit_usd_micros)) ||
	    put(o, "multipliers", mults = json_object_new_array()))
		goto err;
	for (i = 0; i < c->nops; i++) {
		op = &c->ops[i];
		if ((it = json_object_new_object()) == NULL || push(ops, it))
			goto err;
		if (put(it, "operation_id", json_object_new_string(op->id)) ||
		    put(it, "model", json_object_new_string(op->model->id)) ||
		    put(it, "provider",
		    json_object_new_string(op->model->provider->id)) ||
		    put(it, "unit",
		    json_object_new_string(catalog_unit_name(op->unit))) ||
		    put(it, "price_usd_micros",
		    json_object_new_int64(op->price_micros)) ||
		    put(it, "price_usd", usd_number(op->price_micros)) ||
		    put_str_or_null(it, "notes", op->notes) ||
		    put(it, "multipliers", ml = json_object_new_array()))
			goto err;
		for (j = 0; j < op->nmults; j++)
			if (push(ml, json_object_new_string(op->mults[j]->id)))
				goto err;
	}
	for (i = 0; i < c->nmultipliers; i++) {
		if ((it = json_object_new_object()) == NULL || push(mults, it))
			goto err;
		if (put(it, "id", json_object_new_string(c->multipliers[i].id)) ||
		    put(it, "flag", json_object_new_string(
		    catalog_flag_name(c->multipliers[i].flag))) ||
		    put(it, "bps", json_object_new_int(c->multipliers[i].bps)) ||
		    put_str_or_null(it, "description",
		    c->multipliers[i].description))
			goto err;
	}
	return o;
err:
	json_object_put(o);
	return NULL;
}

enum catalog_err
catalog_render_prisms(const struct catalog *c, const char *category,
    const char *compatible_with, json_object **out)
{
	const struct catalog_prism *p;
	json_object *o, *data, *it, *cw;
	unsigned want = 0;
	int k;
	size_t i;

	*out = NULL;
	if (compatible_with != NULL && compatible_with[0] != '\0') {
		k = catalog_kind_parse(compatible_with);
		if (k != CATALOG_KIND_IMAGE && k != CATALOG_KIND_VIDEO &&
		    k != CATALOG_KIND_AUDIO)
			return CATALOG_E_VALUE;
		want = 1u << k;
	}
	if ((o = json_object_new_object()) == NULL)
		return CATALOG_E_NOMEM;
	if (put(o, "data", data = json_object_new_array()))
		goto err;
	for (i = 0; i < c->nprisms; i++) {
		p = &c->prisms[i];
		if (category != NULL && category[0] != '\0' &&
		    strcmp(category, p->category) != 0)
			continue;
		if (want != 0 && (p->compat & want) == 0)
			continue;
		if ((it = json_object_new_object()) == NULL || push(data, it))
			goto err;
		if (put(it, "id", json_object_new_string(p->id)) ||
		    put(it, "name", json_object_new_string(p->name)) ||
		    put(it, "category", json_object_new_string(p->category)) ||
		    put(it, "compatible_with", cw = json_object_new_array()))
			goto err;
		for (k = 0; k < CATALOG_KIND__MAX; k++)
			if ((p->compat & (1u << k)) && push(cw,
			    json_object_new_string(catalog_kind_name(k))))
				goto err;
		if (p->description != NULL && put(it, "description",
		    json_object_new_string(p->description)))
			goto err;
		if (p->preview_url != NULL && put(it, "preview_url",
		    json_object_new_string(p->preview_url)))
			goto err;
	}
	*out = o;
	return CATALOG_OK;
err:
	json_object_put(o);
	return CATALOG_E_NOMEM;
}

json_object *
catalog_render_packages(const struct catalog *c)
{
	const struct catalog_package *p;
	json_object *o, *arr, *it;
	size_t i;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (put(o, "ok", json_object_new_boolean(1)) ||
	    put(o, "packages", arr = json_object_new_array()))
		goto err;
	for (i = 0; i < c->npackages; i++) {
		p = &c->packages[i];
		if ((it = json_object_new_object()) == NULL || push(arr, it))
			goto err;
		if (put(it, "code", json_object_new_string(p->code)) ||
		    put(it, "name", json_object_new_string(p->name)) ||
		    put(it, "priceUsdMicros", json_object_new_int64(p->price_micros)) ||
		    put(it, "priceUsd", usd_string(p->price_micros)) ||
		    put(it, "creditUsdMicros",
		    json_object_new_int64(p->credit_micros)) ||
		    put(it, "creditUsd", usd_string(p->credit_micros)))
			goto err;
	}
	return o;
err:
	json_object_put(o);
	return NULL;
}

json_object *
catalog_render_credit_packs(const struct catalog *c)
{
	const struct catalog_credit_pack *p;
	json_object *o, *arr, *it;
	size_t i;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (put(o, "packages", arr = json_object_new_array()))
		goto err;
	for (i = 0; i < c->npacks; i++) {
		p = &c->packs[i];
		if ((it = json_object_new_object()) == NULL || push(arr, it))
			goto err;
		if (put(it, "id", json_object_new_string(p->id)) ||
		    put(it, "name", json_object_new_string(p->name)) ||
		    put(it, "credits", json_object_new_int64(p->credits)) ||
		    put(it, "priceUsdMicros", json_object_new_int64(p->price_micros)) ||
		    put(it, "priceUsd", usd_number(p->price_micros)))
			goto err;
	}
	return o;
err:
	json_object_put(o);
	return NULL;
}

json_object *
catalog_render_quote(const struct catalog_quote *q)
{
	const struct catalog_price_line *ln;
	json_object *o, *eff, *lines, *it;
	size_t i;

	if (q == NULL || q->model == NULL || (o = json_object_new_object()) == NULL)
		return NULL;
	if (put(o, "catalog_version", json_object_new_string(q->catalog_version)) ||
	    put(o, "model", json_object_new_string(q->model->id)) ||
	    put(o, "operation_id", json_object_new_string(q->op->id)) ||
	    put(o, "unit", json_object_new_string(catalog_unit_name(q->op->unit))) ||
	    put(o, "total_usd_micros", json_object_new_int64(q->total_micros)) ||
	    put(o, "total_usd", usd_number(q->total_micros)) ||
	    put(o, "credits", json_object_new_int64(q->credits)) ||
	    put(o, "estimated_seconds", json_object_new_int64(q->estimated_seconds)) ||
	    put(o, "effective", eff = json_object_new_object()) ||
	    put(o, "lines", lines = json_object_new_array()))
		goto err;
	if (q->aspect != NULL || q->width > 0) {
		if (put(eff, "width", json_object_new_int(q->width)) ||
		    put(eff, "height", json_object_new_int(q->height)) ||
		    put_str_or_null(eff, "aspect_ratio", q->aspect))
			goto err;
	}
	if (q->model->has_duration &&
	    put(eff, "duration_ms", json_object_new_int64(q->duration_ms)))
		goto err;
	if (q->model->max_text_chars > 0 &&
	    put(eff, "chars", json_object_new_int64(q->chars)))
		goto err;
	if (put(eff, "count", json_object_new_int(q->count)))
		goto err;
	for (i = 0; i < q->nlines; i++) {
		ln = &q->lines[i];
		if ((it = json_object_new_object()) == NULL || push(lines, it))
			goto err;
		if (put(it, "label", json_object_new_string(ln->label)) ||
		    put(it, "amount_usd_micros",
		    json_object_new_int64(ln->amount_micros)))
			goto err;
		if (ln->bps == 0 && (put(it, "quantity_num",
		    json_object_new_int64(ln->qty_num)) ||
		    put(it, "quantity_den", json_object_new_int64(ln->qty_den)) ||
		    put(it, "unit_price_usd_micros",
		    json_object_new_int64(ln->unit_price_micros))))
			goto err;
		if (ln->bps != 0 && put(it, "bps", json_object_new_int(ln->bps)))
			goto err;
	}
	return o;
err:
	json_object_put(o);
	return NULL;
}

json_object *
catalog_render_estimate(const struct catalog *c,
    const struct catalog_price_req *req, enum catalog_price_err rc,
    const struct catalog_quote *q, int64_t balance_micros)
{
	json_object *o, *reasons;
	const char *model;
	int ok = rc == CATALOG_PRICE_OK && q != NULL && q->model != NULL;
	int64_t total = ok ? q->total_micros : 0;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	model = ok ? q->model->id : req != NULL ? req->model : "";
	if (put(o, "credits", json_object_new_int64(ok ? q->credits : 0)) ||
	    put(o, "usd", usd_number(total)) ||
	    put(o, "usd_micros", json_object_new_int64(total)) ||
	    put(o, "estimated_seconds",
	    json_object_new_int64(ok ? q->estimated_seconds : 0)) ||
	    put(o, "model", json_object_new_string(model)) ||
	    put(o, "reasons_blocked", reasons = json_object_new_array()))
		goto err;
	if (ok && (q->model->kind == CATALOG_KIND_IMAGE ||
	    q->model->kind == CATALOG_KIND_VIDEO) && put(o, "kind",
	    json_object_new_string(catalog_kind_name(q->model->kind))))
		goto err;
	if (rc == CATALOG_PRICE_E_UNKNOWN_MODEL &&
	    push(reasons, json_object_new_string("unknown_model")))
		goto err;
	if (ok && balance_micros >= 0 && balance_micros < total) {
		if (push(reasons, json_object_new_string("insufficient_credits")))
			goto err;
		ok = 0;
	}
	if (balance_micros >= 0 &&
	    put(o, "current_balance", usd_number(balance_micros)))
		goto err;
	if (put(o, "would_succeed", json_object_new_boolean(ok)) ||
	    put(o, "catalog_version", json_object_new_string(c->version)))
		goto err;
	return o;
err:
	json_object_put(o);
	return NULL;
}
