/*
 * catalog_price: the one pricing function and the mapping of the seeds'
 * request bodies onto its input. See catalog_price.h for the rounding rule
 * and why estimate, hold and capture all call catalog_price().
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "mg_util.h"
#include "catalog.h"
#include "catalog_price.h"

static const char *const err_text[CATALOG_PRICE_E__MAX] = {
	"ok",					/* CATALOG_PRICE_OK */
	"invalid pricing request",		/* CATALOG_PRICE_E_INVALID */
	"unknown model",			/* CATALOG_PRICE_E_UNKNOWN_MODEL */
	"unknown task",				/* CATALOG_PRICE_E_UNKNOWN_TASK */
	"model is of another kind",		/* CATALOG_PRICE_E_WRONG_KIND */
	"unsupported size",			/* CATALOG_PRICE_E_UNSUPPORTED_SIZE */
	"unsupported aspect ratio",		/* CATALOG_PRICE_E_UNSUPPORTED_ASPECT */
	"duration out of range",		/* CATALOG_PRICE_E_DURATION_RANGE */
	"too many outputs",			/* CATALOG_PRICE_E_TOO_MANY_OUTPUTS */
	"prompt too long",			/* CATALOG_PRICE_E_PROMPT_TOO_LONG */
	"text empty or too long",		/* CATALOG_PRICE_E_TEXT_RANGE */
	"option not supported by the model",	/* CATALOG_PRICE_E_UNSUPPORTED_OPTION */
	"price out of range",			/* CATALOG_PRICE_E_OVERFLOW */
	"invalid field",			/* CATALOG_PRICE_E_BAD_FIELD */
};

static const char *const err_code[CATALOG_PRICE_E__MAX] = {
	"ok",				/* CATALOG_PRICE_OK */
	"invalid_request",		/* CATALOG_PRICE_E_INVALID */
	"unknown_model",		/* CATALOG_PRICE_E_UNKNOWN_MODEL */
	"unknown_task",			/* CATALOG_PRICE_E_UNKNOWN_TASK */
	"wrong_model_kind",		/* CATALOG_PRICE_E_WRONG_KIND */
	"unsupported_size",		/* CATALOG_PRICE_E_UNSUPPORTED_SIZE */
	"unsupported_aspect_ratio",	/* CATALOG_PRICE_E_UNSUPPORTED_ASPECT */
	"duration_out_of_range",	/* CATALOG_PRICE_E_DURATION_RANGE */
	"too_many_outputs",		/* CATALOG_PRICE_E_TOO_MANY_OUTPUTS */
	"prompt_too_long",		/* CATALOG_PRICE_E_PROMPT_TOO_LONG */
	"text_out_of_range",		/* CATALOG_PRICE_E_TEXT_RANGE */
	"unsupported_option",		/* CATALOG_PRICE_E_UNSUPPORTED_OPTION */
	"price_out_of_range",		/* CATALOG_PRICE_E_OVERFLOW */
	"invalid_field",		/* CATALOG_PRICE_E_BAD_FIELD */
};

const char *
catalog_price_strerror(enum catalog_price_err e)
{
	return (unsigned)e < CATALOG_PRICE_E__MAX ? err_text[e] : "unknown error";
}

const char *
catalog_price_code(enum catalog_price_err e)
{
	return (unsigned)e < CATALOG_PRICE_E__MAX ? err_code[e] : "internal";
}

void
catalog_price_req_init(struct catalog_price_req *r)
{
	memset(r, 0, sizeof(*r));
	r->kind = CATALOG_KIND_ANY;
}

int64_t
catalog_utf8_chars(const char *s, size_t n)
{
	int64_t c = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}

/* Record a readable reason in q->error and return e. */
static enum catalog_price_err
qfail(struct catalog_quote *q, enum catalog_price_err e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(q->error, sizeof(q->error), fmt, ap);
	va_end(ap);
	return e;
}

/* a * b into *out; 0, or -1 on overflow. Inputs are non-negative. */
static int
mul64(int64_t a, int64_t b, int64_t *out)
{
	return __builtin_mul_overflow(a, b, out) ? -1 : 0;
}

/* ceil(a * b / d) for a, b >= 0, d > 0; 0, or -1 on overflow. */
static int
mul_div_ceil(int64_t a, int64_t b, int64_t d, int64_t *out)
{
	int64_t p;

	if (mul64(a, b, &p) != 0)
		return -1;
	*out = p / d + (p % d != 0);
	return 0;
}

/* Resolve the model: explicit id, else the task's, else the kind default. */
static enum catalog_price_err
resolve_model(const struct catalog *c, const struct catalog_price_req *r,
    struct catalog_quote *q)
{
	if (r->model[0] != '\0') {
		if ((q->model = catalog_model(c, r->model)) == NULL)
			return qfail(q, CATALOG_PRICE_E_UNKNOWN_MODEL,
			    "unknown model \"%s\"", r->model);
	} else if (r->task[0] != '\0') {
		q->model = catalog_task_model(c, r->task,
		    r->variant[0] ? r->variant : NULL);
		if (q->model == NULL)
			return qfail(q, CATALOG_PRICE_E_UNKNOWN_TASK,
			    "no model serves task \"%s\"", r->task);
	} else if ((q->model = catalog_default_model(c, r->kind)) == NULL) {
		return qfail(q, CATALOG_PRICE_E_UNKNOWN_MODEL,
		    "no model given and no default for kind %s",
		    catalog_kind_name(r->kind));
	}
	if (r->kind != CATALOG_KIND_ANY && q->model->kind != r->kind)
		return qfail(q, CATALOG_PRICE_E_WRONG_KIND,
		    "model \"%s\" is a %s model, not %s", q->model->id,
		    catalog_kind_name(q->model->kind),
		    catalog_kind_name(r->kind));
	q->op = q->model->op;
	return CATALOG_PRICE_OK;
}

/* Effective output size of models that take one. */
static enum catalog_price_err
resolve_size(const struct catalog_model *m, const struct catalog_price_req *r,
    struct catalog_quote *q)
{
	size_t i;

	if (m->naspects == 0)
		return CATALOG_PRICE_OK;	/* size does not apply */
	if (r->width != 0 || r->height != 0) {
		if (r->width <= 0 || r->height <= 0)
			return qfail(q, CATALOG_PRICE_E_UNSUPPORTED_SIZE,
			    "width and height must be given together");
		if (r->width % m->size_multiple != 0 ||
		    r->height % m->size_multiple != 0)
			return qfail(q, CATALOG_PRICE_E_UNSUPPORTED_SIZE,
			    "%dx%d: sides must be multiples of %d", r->width,
			    r->height, m->size_multiple);
		if (r->width > CATALOG_MAX_SIDE || r->height > CATALOG_MAX_SIDE ||
		    (int64_t)r->width * r->height > m->max_pixels)
			return qfail(q, CATALOG_PRICE_E_UNSUPPORTED_SIZE,
			    "%dx%d exceeds %lld pixels", r->width, r->height,
			    (long long)m->max_pixels);
		q->width = r->width;
		q->height = r->height;
		q->aspect = NULL;
		for (i = 0; i < m->naspects; i++)
			if (m->aspects[i].width == r->width &&
			    m->aspects[i].height == r->height)
				q->aspect = m->aspects[i].ratio;
		if (m->fixed_sizes && q->aspect == NULL)
			return qfail(q, CATALOG_PRICE_E_UNSUPPORTED_SIZE,
			    "%dx%d is not one of the sizes of \"%s\"",
			    r->width, r->height, m->id);
		return CATALOG_PRICE_OK;
	}
	if (r->aspect[0] == '\0') {
		q->width = m->default_aspect->width;
		q->height = m->default_aspect->height;
		q->aspect = m->default_aspect->ratio;
		return CATALOG_PRICE_OK;
	}
	for (i = 0; i < m->naspects; i++) {
		if (strcmp(m->aspects[i].ratio, r->aspect) == 0) {
			q->width = m->aspects[i].width;
			q->height = m->aspects[i].height;
			q->aspect = m->aspects[i].ratio;
			return CATALOG_PRICE_OK;
		}
	}
	return qfail(q, CATALOG_PRICE_E_UNSUPPORTED_ASPECT,
	    "aspect ratio \"%s\" is not offered by \"%s\"", r->aspect, m->id);
}

/* Effective duration of models that take one (clamped when asked). */
static enum catalog_price_err
resolve_duration(const struct catalog_model *m,
    const struct catalog_price_req *r, struct catalog_quote *q)
{
	int64_t d = r->duration_ms, best;
	size_t i;

	if (!m->has_duration)
		return CATALOG_PRICE_OK;	/* duration does not apply */
	if (d == 0)
		d = m->default_duration_ms;
	if (r->clamp_duration) {
		if (d < m->min_duration_ms)
			d = m->min_duration_ms;
		if (d > m->max_duration_ms)
			d = m->max_duration_ms;
		if (m->nallowed > 0) {
			/* The smallest allowed value >= d, else the largest. */
			best = -1;
			for (i = 0; i < m->nallowed; i++)
				if (m->allowed_ms[i] >= d && (best < 0 ||
				    m->allowed_ms[i] < best))
					best = m->allowed_ms[i];
			for (i = 0; best < 0 && i < m->nallowed; i++)
				if (m->allowed_ms[i] > best)
					best = m->allowed_ms[i];
			d = best;
		}
	}
	if (d < m->min_duration_ms || d > m->max_duration_ms)
		return qfail(q, CATALOG_PRICE_E_DURATION_RANGE,
		    "duration %lld ms outside [%lld, %lld] for \"%s\"",
		    (long long)d, (long long)m->min_duration_ms,
		    (long long)m->max_duration_ms, m->id);
	if (m->nallowed > 0) {
		for (i = 0; i < m->nallowed; i++)
			if (m->allowed_ms[i] == d)
				break;
		if (i == m->nallowed)
			return qfail(q, CATALOG_PRICE_E_DURATION_RANGE,
			    "duration %lld ms is not one of the durations of "
			    "\"%s\"", (long long)d, m->id);
	}
	q->duration_ms = d;
	return CATALOG_PRICE_OK;
}

/*
 * The billed quantity num/den of op for the effective inputs in q.
 * Returns 0, or -1 on overflow.
 */
static int
quantity(const struct catalog_op *op, const struct catalog_quote *q,
    int64_t *num, int64_t *den)
{
	int64_t px;

	*den = 1;
	switch (op->unit) {
	case CATALOG_UNIT_MEGAPIXEL:
		*den = 1000000;
		if (mul64(q->width, q->height, &px) != 0)
			return -1;
		return mul64(px, q->count, num);
	case CATALOG_UNIT_SECOND:
		*den = 1000;
		return mul64(q->duration_ms, q->count, num);
	case CATALOG_UNIT_MINUTE:
		*den = 60000;
		return mul64(q->duration_ms, q->count, num);
	case CATALOG_UNIT_KCHARS:
		*den = 1000;
		return mul64(q->chars, q->count, num);
	case CATALOG_UNIT_IMAGE:
	case CATALOG_UNIT_REQUEST:
	case CATALOG_UNIT_TRAINING:
	default:
		*num = q->count;
		return 0;
	}
}

enum catalog_price_err
catalog_price(const struct catalog *c, const struct catalog_price_req *r,
    struct catalog_quote *q)
{
	const struct catalog_model *m;
	const struct catalog_op *op;
	const struct catalog_multiplier *mu;
	struct catalog_price_line *ln;
	enum catalog_price_err rc;
	int64_t num, den, amt, eta;
	size_t i;

	if (q == NULL)
		return CATALOG_PRICE_E_INVALID;
	memset(q, 0, sizeof(*q));
	if (c == NULL || r == NULL)
		return qfail(q, CATALOG_PRICE_E_INVALID, "no catalog or request");
	if (r->width < 0 || r->height < 0 || r->duration_ms < 0 ||
	    r->chars < 0 || r->prompt_chars < 0 || r->count < 0 ||
	    (unsigned)r->kind > CATALOG_KIND_ANY ||
	    memchr(r->model, '\0', sizeof(r->model)) == NULL ||
	    memchr(r->task, '\0', sizeof(r->task)) == NULL ||
	    memchr(r->variant, '\0', sizeof(r->variant)) == NULL ||
	    memchr(r->aspect, '\0', sizeof(r->aspect)) == NULL)
		return qfail(q, CATALOG_PRICE_E_INVALID,
		    "negative or unterminated request field");
	q->catalog_version = c->version;
	if ((rc = resolve_model(c, r, q)) != CATALOG_PRICE_OK)
		return rc;
	m = q->model;
	op = q->op;

	q->count = r->count == 0 ? 1 : r->count;
	if (q->count > m->max_outputs)
		return qfail(q, CATALOG_PRICE_E_TOO_MANY_OUTPUTS,
		    "%d outputs requested, \"%s\" allows %d", q->count, m->id,
		    m->max_outputs);
	if (m->max_prompt_chars > 0 && r->prompt_chars > m->max_prompt_chars)
		return qfail(q, CATALOG_PRICE_E_PROMPT_TOO_LONG,
		    "prompt of %lld characters, \"%s\" allows %d",
		    (long long)r->prompt_chars, m->id, m->max_prompt_chars);
	if (m->max_text_chars > 0) {
		if (r->chars > m->max_text_chars ||
		    (op->unit == CATALOG_UNIT_KCHARS && r->chars == 0))
			return qfail(q, CATALOG_PRICE_E_TEXT_RANGE,
			    "text of %lld characters, \"%s\" takes 1..%lld",
			    (long long)r->chars, m->id,
			    (long long)m->max_text_chars);
		q->chars = r->chars;
	}
	if ((r->flags & CATALOG_F(CATALOG_FLAG_WITH_AUDIO)) &&
	    !m->supports_audio)
		return qfail(q, CATALOG_PRICE_E_UNSUPPORTED_OPTION,
		    "\"%s\" cannot generate audio", m->id);
	if ((rc = resolve_size(m, r, q)) != CATALOG_PRICE_OK)
		return rc;
	if ((rc = resolve_duration(m, r, q)) != CATALOG_PRICE_OK)
		return rc;

	/* Base line: ceil(price * num / den). */
	if (quantity(op, q, &num, &den) != 0 ||
	    mul_div_ceil(op->price_micros, num, den, &amt) != 0)
		return qfail(q, CATALOG_PRICE_E_OVERFLOW,
		    "price of \"%s\" overflows", m->id);
	ln = &q->lines[q->nlines++];
	ln->label = op->id;
	ln->qty_num = num;
	ln->qty_den = den;
	ln->unit_price_micros = op->price_micros;
	ln->amount_micros = amt;

	/* Multipliers, in catalog order, each rounded up. */
	for (i = 0; i < op->nmults && q->nlines < CATALOG_PRICE_MAX_LINES; i++) {
		mu = op->mults[i];
		if ((r->flags & CATALOG_F(mu->flag)) == 0)
			continue;
		if (mul_div_ceil(amt, mu->bps, 10000, &amt) != 0)
			return qfail(q, CATALOG_PRICE_E_OVERFLOW,
			    "price of \"%s\" overflows", m->id);
		q->flags_priced |= CATALOG_F(mu->flag);
		ln = &q->lines[q->nlines++];
		ln->label = mu->id;
		ln->qty_num = 1;
		ln->qty_den = 1;
		ln->bps = mu->bps;
		ln->amount_micros = amt;
	}
	if (amt > CATALOG_PRICE_MAX_TOTAL)
		return qfail(q, CATALOG_PRICE_E_OVERFLOW,
		    "price %lld micros exceeds the per-job limit", (long long)amt);
	q->total_micros = amt;
	q->credits = amt / c->credit_usd_micros +
	    (amt % c->credit_usd_micros != 0);

	/* Wall-clock estimate: base + per_unit * quantity, in whole seconds. */
	if (mul_div_ceil(m->eta_per_unit_ms, num, den, &eta) != 0 ||
	    eta > CATALOG_MAX_DURATION_MS)
		eta = CATALOG_MAX_DURATION_MS;
	eta += m->eta_base_ms;
	q->estimated_seconds = eta / 1000 + (eta % 1000 != 0);
	return CATALOG_PRICE_OK;
}

/*
 * Request bodies -> struct catalog_price_req.
 *
 * Each parser applies the rules of its seed that affect the price, reading
 * only typed values: integers must be JSON integers; "number" fields
 * (seconds with decimals) are converted to milliseconds from their original
 * decimal text, never through a double.
 */

/* Reader state: the object being read and the field-name prefix. */
struct jctx {
	json_object	*o;
	const char	*prefix;	/* "input." for a MediaJobRequest */
	char		*err;
	size_t		 errlen;
};

static enum catalog_price_err
jfail(struct jctx *j, const char *key, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (j->err != NULL && j->errlen > 0)
		snprintf(j->err, j->errlen, "%s%s: %s", j->prefix, key, msg);
	return CATALOG_PRICE_E_BAD_FIELD;
}

static json_object *
jget(struct jctx *j, const char *key)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(j->o, key, &v))
		return NULL;
	return v;
}

/*
 * A string of minlen..maxlen code points. *s = NULL when absent (an error
 * when required). nchars may be NULL.
 */
static enum catalog_price_err
jstr(struct jctx *j, const char *key, int required, int64_t minlen,
    int64_t maxlen, const char **s, int64_t *nchars)
{
	json_object *v = jget(j, key);
	int64_t n;

	*s = NULL;
	if (nchars != NULL)
		*nchars = 0;
	if (v == NULL)
		return required ? jfail(j, key, "is required") : CATALOG_PRICE_OK;
	if (!json_object_is_type(v, json_type_string))
		return jfail(j, key, "must be a string");
	n = catalog_utf8_chars(json_object_get_string(v),
	    (size_t)json_object_get_string_len(v));
	if (n < minlen)
		return jfail(j, key, "must have at least %lld characters",
		    (long long)minlen);
	if (n > maxlen)
		return jfail(j, key, "must have at most %lld characters",
		    (long long)maxlen);
	*s = json_object_get_string(v);
	if (nchars != NULL)
		*nchars = n;
	return CATALOG_PRICE_OK;
}

/* An integer in [min, max]; *present says whether it was given. */
static enum catalog_price_err
jint(struct jctx *j, const char *key, int required, int64_t min, int64_t max,
    int64_t *out, int *present)
{
	json_object *v = jget(j, key);

	*present = 0;
	if (v == NULL)
		return required ? jfail(j, key, "is required") : CATALOG_PRICE_OK;
	if (!json_object_is_type(v, json_type_int))
		return jfail(j, key, "must be an integer");
	*out = json_object_get_int64(v);
	if (*out < min || *out > max)
		return jfail(j, key, "must be between %lld and %lld",
		    (long long)min, (long long)max);
	*present = 1;
	return CATALOG_PRICE_OK;
}

static enum catalog_price_err
jbool(struct jctx *j, const char *key, int *out)
{
	json_object *v = jget(j, key);

	*out = 0;
	if (v == NULL)
		return CATALOG_PRICE_OK;
	if (!json_object_is_type(v, json_type_boolean))
		return jfail(j, key, "must be a boolean");
	*out = json_object_get_boolean(v);
	return CATALOG_PRICE_OK;
}

/* A string from the NULL-terminated list vals; *s = NULL when absent. */
static enum catalog_price_err
jenum(struct jctx *j, const char *key, const char *const *vals,
    const char **s)
{
	enum catalog_price_err rc;
	char list[160];
	size_t i, off = 0;

	if ((rc = jstr(j, key, 0, 0, 64, s, NULL)) != CATALOG_PRICE_OK ||
	    *s == NULL)
		return rc;
	for (i = 0; vals[i] != NULL; i++)
		if (strcmp(vals[i], *s) == 0)
			return CATALOG_PRICE_OK;
	list[0] = '\0';
	for (i = 0; vals[i] != NULL && off < sizeof(list); i++)
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
		    i ? ", " : "", vals[i]);
	return jfail(j, key, "must be one of %s", list);
}

/* An array of min..max items; *a = NULL when absent and optional. */
static enum catalog_price_err
jarr(struct jctx *j, const char *key, int required, size_t min, size_t max,
    json_object **a, size_t *n)
{
	json_object *v = jget(j, key);

	*a = NULL;
	*n = 0;
	if (v == NULL)
		return required ? jfail(j, key, "is required") : CATALOG_PRICE_OK;
	if (!json_object_is_type(v, json_type_array))
		return jfail(j, key, "must be an array");
	*n = json_object_array_length(v);
	if (*n < min || *n > max)
		return jfail(j, key, "must have %zu to %zu items", min, max);
	*a = v;
	return CATALOG_PRICE_OK;
}

/*
 * A JSON number of seconds (integer or plain decimal such as 2.5) as
 * milliseconds in [min_ms, max_ms], rounded up to the next millisecond.
 */
static enum catalog_price_err
jsec_ms(struct jctx *j, const char *key, int required, int64_t min_ms,
    int64_t max_ms, int64_t *ms, int *present)
{
	json_object *v = jget(j, key);
	const char *txt;
	int64_t micros;

	*present = 0;
	if (v == NULL)
		return required ? jfail(j, key, "is required") : CATALOG_PRICE_OK;
	if (json_object_is_type(v, json_type_int)) {
		micros = json_object_get_int64(v);
		if (micros < 0 || micros > max_ms / 1000 + 1)
			goto range;
		micros *= 1000000;
	} else if (json_object_is_type(v, json_type_double)) {
		/* json-c keeps the number's original text for doubles. */
		txt = json_object_to_json_string(v);
		if (mg_parse_usd(txt, strlen(txt), INT64_MAX / 2, &micros) != 0)
			return jfail(j, key, "must be a plain non-negative "
			    "decimal number of seconds");
	} else {
		return jfail(j, key, "must be a number");
	}
	*ms = micros / 1000 + (micros % 1000 != 0);
	if (*ms < min_ms || *ms > max_ms)
		goto range;
	*present = 1;
	return CATALOG_PRICE_OK;
range:
	return jfail(j, key, "must be between %lld.%03lld and %lld.%03lld "
	    "seconds", (long long)(min_ms / 1000), (long long)(min_ms % 1000),
	    (long long)(max_ms / 1000), (long long)(max_ms % 1000));
}

/* Copy s into dst[cap] or fail naming key. */
static enum catalog_price_err
jcopy(struct jctx *j, const char *key, const char *s, char *dst, size_t cap)
{
	if (s == NULL)
		return CATALOG_PRICE_OK;
	if (strlen(s) >= cap)
		return jfail(j, key, "is too long");
	memcpy(dst, s, strlen(s) + 1);
	return CATALOG_PRICE_OK;
}

/* "WxH" resolution string into width/height. */
static enum catalog_price_err
jresolution(struct jctx *j, const char *key, struct catalog_price_req *out)
{
	enum catalog_price_err rc;
	const char *s;

	if ((rc = jstr(j, key, 0, 1, 20, &s, NULL)) != CATALOG_PRICE_OK ||
	    s == NULL)
		return rc;
	if (catalog_parse_size(s, &out->width, &out->height) != 0)
		return jfail(j, key, "must be WIDTHxHEIGHT, e.g. 1024x1024");
	return CATALOG_PRICE_OK;
}

/*
 * Prepaid width/height: both or neither, >= min, multiples of mult, at
 * most max_side each and max_pixels in total (0: no total limit).
 */
static enum catalog_price_err
jdims(struct jctx *j, int required, int64_t min, int64_t max_side,
    int64_t mult, int64_t max_pixels, struct catalog_price_req *out)
{
	enum catalog_price_err rc;
	int64_t w = 0, h = 0;
	int hw, hh;

	if ((rc = jint(j, "width", required, min, max_side, &w, &hw)) != 0 ||
	    (rc = jint(j, "height", required, min, max_side, &h, &hh)) != 0)
		return rc;
	if (hw != hh)
		return jfail(j, hw ? "height" : "width",
		    "must be provided together with %s", hw ? "width" : "height");
	if (!hw)
		return CATALOG_PRICE_OK;
	if (w % mult != 0)
		return jfail(j, "width", "must be a multiple of %lld",
		    (long long)mult);
	if (h % mult != 0)
		return jfail(j, "height", "must be a multiple of %lld",
		    (long long)mult);
	if (max_pixels > 0 && w * h > max_pixels)
		return jfail(j, "width", "width*height must be at most %lld "
		    "pixels (4 MP)", (long long)max_pixels);
	out->width = (int32_t)w;
	out->height = (int32_t)h;
	return CATALOG_PRICE_OK;
}

/* One of two alternative fields must be present (the seeds' anyOf). */
static enum catalog_price_err
janyof(struct jctx *j, const char *a, const char *b)
{
	json_object *va = jget(j, a), *vb = jget(j, b);

	if (va == NULL && vb == NULL)
		return jfail(j, a, "is required (or %s)", b);
	if (va != NULL && !json_object_is_type(va, json_type_string))
		return jfail(j, a, "must be a string");
	if (vb != NULL && !json_object_is_type(vb, json_type_string) &&
	    !json_object_is_type(vb, json_type_object))
		return jfail(j, b, "must be a URL string or an object");
	return CATALOG_PRICE_OK;
}

#define J(x)	do { if ((rc = (x)) != CATALOG_PRICE_OK) return rc; } while (0)

static const char *const studio_aspects[] =
    { "1:1", "16:9", "9:16", "4:3", "3:4", NULL };
static const char *const kt_aspects[] =
    { "1:1", "16:9", "9:16", "9:7", "7:9", NULL };
static const char *const kt_formats[] =
    { "webp", "png", "jpg", ".webp", ".png", ".jpg", NULL };
static const char *const kt_quality[] = { "96k", "128k", "192k", NULL };

#define KT_MAX_PIXELS	(4LL * 1024 * 1024)	/* "Max 4MP total" */
#define LTX_MAX_FRAMES	257			/* LTX budget: 8n + 1 */
#define LTX_DEFAULT_FPS	30			/* 30fps sampled pipeline */

/* Studio GenerateImageRequest (002 components.schemas). */
static enum catalog_price_err
p_studio_image(struct jctx *j, struct catalog_price_req *out)
{
	enum catalog_price_err rc;
	const char *s;
	json_object *a;
	size_t n;
	int64_t v;
	int has;

	J(jstr(j, "model", 1, 1, CATALOG_MAX_ID, &s, NULL));
	J(jcopy(j, "model", s, out->model, sizeof(out->model)));
	J(jstr(j, "prompt", 1, 1, 2000, &s, &out->prompt_chars));
	J(jstr(j, "negative_prompt", 0, 0, 1000, &s, NULL));
	J(jenum(j, "aspect_ratio", studio_aspects, &s));
	J(jcopy(j, "aspect_ratio", s, out->aspect, sizeof(out->aspect)));
	J(jresolution(j, "resolution", out));
	J(jarr(j, "loras", 0, 0, 8, &a, &n));
	/* num_images: fal-style extension; the model caps it further. */
	J(jint(j, "num_images", 0, 1, CATALOG_MAX_OUTPUTS, &v, &has));
	if (has)
		out->count = (int32_t)v;
	out->kind = CATALOG_KIND_IMAGE;
	return CATALOG_PRICE_OK;
}

/* Studio GenerateVideoRequest. */
static enum catalog_price_err
p_studio_video(struct jctx *j, struct catalog_price_req *out)
{
	enum catalog_price_err rc;
	const char *s;
	int64_t v;
	int has, b;

	J(jstr(j, "model", 1, 1, CATALOG_MAX_ID, &s, NULL));
	J(jcopy(j, "model", s, out->model, sizeof(out->model)));
	J(jstr(j, "prompt", 1, 1, 2000, &s, &out->prompt_chars));
	J(jint(j, "duration_s", 0, 1, 60, &v, &has));
	if (has)
		out->duration_ms = v * 1000;
	J(jbool(j, "with_audio", &b));
	if (b)
		out->flags |= CATALOG_F(CATALOG_FLAG_WITH_AUDIO);
	out->kind = CATALOG_KIND_VIDEO;
	return CATALOG_PRICE_OK;
}

/* Studio GenerateAudioRequest. */
static enum catalog_price_err
p_studio_audio(struct jctx *j, struct catalog_price_req *out)
{
	enum catalog_price_err rc;
	const char *s;

	J(jstr(j, "text", 1, 1, 5000, &s, &out->chars));
	J(jstr(j, "model", 0, 1, CATALOG_MAX_ID, &s, NULL));
	J(jcopy(j, "model", s, out->model, sizeof(out->model)));
	out->kind = CATALOG_KIND_AUDIO;
	return CATALOG_PRICE_OK;
}

/*
 * Studio POST /v1/characters {name, image_urls[1..5], attributes?}: one
 * training job of the catalog's default training model ("char.train").
 */
static enum catalog_price_err
p_studio_character(struct jctx *j, struct catalog_price_req *out)
{
	enum catalog_price_err rc;
	json_object *a, *v;
	const char *s;
	size_t i, n;

	J(jstr(j, "name", 1, 1, 120, &s, NULL));
	J(jarr(j, "image_urls", 1, 1, 5, &a, &n));
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(a, i);
		if (v == NULL || !json_object_is_type(v, json_type_string) ||
		    json_object_get_string_len(v) > 2048 ||
		    (strncmp(json_object_get_string(v), "https://", 8) != 0 &&
		    strncmp(json_object_get_string(v), "http://", 7) != 0))
			return jfail(j, "image_urls", "item %zu must be an "
			    "http(s) URL of at most 2048 bytes", i);
	}
	if ((v = jget(j, "attributes")) != NULL &&
	    !json_object_is_type(v, json_type_object))
		return jfail(j, "attributes", "must be an object");
	out->kind = CATALOG_KIND_TRAINING;
	out->count = 1;
	return CATALOG_PRICE_OK;
}

/* Studio ComposeRequest: priced on the sum of segment durations. */
static enum catalog_price_err
p_studio_compose(struct jctx *j, struct catalog_price_req *out)
{
	static const char *const formats[] = { "mp4", "webm", NULL };
	enum catalog_price_err rc;
	struct jctx seg;
	json_object *a;
	const char *s;
	char prefix[48];
	size_t i, n;
	int64_t ms, total = 0;
	int has;

	J(jarr(j, "segments", 1, 1, 50, &a, &n));
	for (i = 0; i < n; i++) {
		snprintf(prefix, sizeof(prefix), "%ssegments[%zu].", j->prefix, i);
		seg = *j;
		seg.prefix = prefix;
		seg.o = json_object_array_get_idx(a, i);
		if (seg.o == NULL || !json_object_is_type(seg.o, json_type_object))
			return jfail(j, "segments", "item %zu must be an object",
			    i);
		J(jstr(&seg, "asset_id", 1, 1, 64, &s, NULL));
		J(jsec_ms(&seg, "start_time", 1, 0, CATALOG_MAX_DURATION_MS,
		    &ms, &has));
		J(jsec_ms(&seg, "duration", 1, 100, CATALOG_MAX_DURATION_MS,
		    &ms, &has));
		total += ms;
	}
	J(jstr(j, "output_resolution", 0, 1, 20, &s, NULL));
	J(jenum(j, "output_format", formats, &s));
	out->duration_ms = total;
	out->kind = CATALOG_KIND_COMPOSE;
	return CATALOG_PRICE_OK;
}

/* Studio POST /v1/estimate: {model, prompt, duration}. */
static enum catalog_price_err
p_studio_estimate(struct jctx *j, struct catalog_price_req *out)
{
	enum catalog_price_err rc;
	const char *s;
	int64_t v;
	int has;

	J(jstr(j, "model", 1, 1, CATALOG_MAX_ID, &s, NULL));
	J(jcopy(j, "model", s, out->model, sizeof(out->model)));
	J(jstr(j, "prompt", 1, 1, 10000, &s, &out->prompt_chars));
	/* The estimate body has no text field: for TTS the prompt is the text. */
	out->chars = out->prompt_chars;
	J(jint(j, "duration", 0, 1, 60, &v, &has));
	if (has)
		out->duration_ms = v * 1000;
	return CATALOG_PRICE_OK;
}

/* Studio legacy POST /v1/generate. */
static enum catalog_price_err
p_studio_generate(struct jctx *j, struct catalog_price_req *out)
{
	enum catalog_price_err rc;
	json_object *a;
	const char *s;
	size_t n;
	int64_t v;
	int has, b;

	J(jstr(j, "model", 1, 1, 120, &s, NULL));
	J(jcopy(j, "model", s, out->model, sizeof(out->model)));
	J(jstr(j, "prompt", 1, 1, 4000, &s, &out->prompt_chars));
	J(jstr(j, "negative_prompt", 0, 0, 2000, &s, NULL));
	J(jstr(j, "aspect_ratio", 0, 1, 20, &s, NULL));
	J(jcopy(j, "aspect_ratio", s, out->aspect, sizeof(out->aspect)));
	J(jresolution(j, "resolution", out));
	J(jint(j, "duration", 0, 1, 60, &v, &has));
	if (has)
		out->duration_ms = v * 1000;
	J(jbool(j, "with_audio", &b));
	if (b)
		out->flags |= CATALOG_F(CATALOG_FLAG_WITH_AUDIO);
	J(jstr(j, "seed_image_url", 0, 1, 2048, &s, NULL));
	J(jarr(j, "loras", 0, 0, 8, &a, &n));
	return CATALOG_PRICE_OK;
}

/* Prepaid image.generate input (003 MediaJobRequest). */
static enum catalog_price_err
p_kt_image_generate(struct jctx *j, struct catalog_price_req *out)
{
	enum catalog_price_err rc;
	json_object *a;
	const char *s;
	size_t n;
	int b;

	J(jstr(j, "prompt", 1, 1, 4000, &s, &out->prompt_chars));
	J(jenum(j, "aspectRatio", kt_aspects, &s));
	J(jcopy(j, "aspectRatio", s, out->aspect, sizeof(out->aspect)));
	J(jenum(j, "outputFormat", kt_formats, &s));
	J(jbool(j, "highDetail", &b));
	if (b)
		out->flags |= CATALOG_F(CATALOG_FLAG_HIGH_DETAIL);
	J(jbool(j, "upscale", &b));
	if (b)
		out->flags |= CATALOG_F(CATALOG_FLAG_UPSCALE);
	J(jdims(j, 0, 32, CATALOG_MAX_SIDE, 32, KT_MAX_PIXELS, out));
	J(jarr(j, "referenceImageUrls", 0, 0, 5, &a, &n));
	J(jarr(j, "referenceImages", 0, 0, 5, &a, &n));
	out->kind = CATALOG_KIND_IMAGE;
	return CATALOG_PRICE_OK;
}

/* Prepaid image.edit input. */
static enum catalog_price_err
p_kt_image_edit(struct jctx *j, struct catalog_price_req *out)
{
	enum catalog_price_err rc;
	json_object *a;
	const char *s;
	size_t n;
	int b;

	J(jstr(j, "prompt", 1, 1, 4000, &s, &out->prompt_chars));
	J(janyof(j, "sourceImageUrl", "sourceImage"));
	J(jenum(j, "outputFormat", kt_formats, &s));
	J(jbool(j, "highDetail", &b));
	if (b)
		out->flags |= CATALOG_F(CATALOG_FLAG_HIGH_DETAIL);
	J(jarr(j, "referenceImageUrls", 0, 0, 5, &a, &n));
	J(jarr(j, "referenceImages", 0, 0, 5, &a, &n));
	out->kind = CATALOG_KIND_IMAGE;
	return CATALOG_PRICE_OK;
}

/*
 * Prepaid video.generate input. Duration: durationFrames (9..257, 8n+1)
 * at sampledFps wins over durationSeconds (3..20, whose implied frame count
 * must fit the same 257-frame budget). extremeQuality bills +50%.
 */
static enum catalog_price_err
p_kt_video_generate(struct jctx *j, struct catalog_price_req *out)
{
	enum catalog_price_err rc;
	json_object *a;
	const char *s;
	size_t n;
	int64_t secs = 0, frames = 0, fps = LTX_DEFAULT_FPS, v;
	int has_s, has_f, has, b;

	J(jstr(j, "prompt", 1, 1, 4000, &s, &out->prompt_chars));
	J(jint(j, "sampledFps", 0, 1, 50, &fps, &has));
	if (!has)
		fps = LTX_DEFAULT_FPS;
	J(jint(j, "durationSeconds", 0, 3, 20, &secs, &has_s));
	J(jint(j, "durationFrames", 0, 9, LTX_MAX_FRAMES, &frames, &has_f));
	if (has_f) {
		if ((frames - 1) % 8 != 0)
			return jfail(j, "durationFrames",
			    "must satisfy 8n + 1 (9, 17, 25, ...)");
		out->duration_ms = (frames * 1000 + fps - 1) / fps;
	} else if (has_s) {
		if (secs * fps + 1 > LTX_MAX_FRAMES)
			return jfail(j, "durationSeconds", "%lld s at %lld fps "
			    "exceeds the %d-frame budget", (long long)secs,
			    (long long)fps, LTX_MAX_FRAMES);
		out->duration_ms = secs * 1000;
	}
	J(jenum(j, "aspectRatio", kt_aspects, &s));
	J(jcopy(j, "aspectRatio", s, out->aspect, sizeof(out->aspect)));
	J(jdims(j, 0, 32, CATALOG_MAX_SIDE, 32, 0, out));
	J(jint(j, "interpolationFps", 0, 0, 60, &v, &has));
	if (has && v != 0 && v < 30)
		return jfail(j, "interpolationFps", "must be 0 or 30..60");
	J(jint(j, "seed", 0, 1, 2147483647, &v, &has));
	J(jarr(j, "overlapFrameImageUrls", 0, 0, 12, &a, &n));
	J(jarr(j, "overlapFrameImages", 0, 0, 12, &a, &n));
	J(jbool(j, "extremeQuality", &b));
	if (b)
		out->flags |= CATALOG_F(CATALOG_FLAG_EXTREME_QUALITY);
	out->kind = CATALOG_KIND_VIDEO;
	return CATALOG_PRICE_OK;
}

/* Prepaid video.combine input: priced per request. */
static enum catalog_price_err
p_kt_video_combine(struct jctx *j, struct catalog_price_req *out)
{
	enum catalog_price_err rc;
	json_object *a;
	size_t n;
	int64_t v;
	int has;

	J(jarr(j, "videoUrls", 1, 2, 24, &a, &n));
	J(jint(j, "overlapFrames", 0, 0, 120, &v, &has));
	J(jint(j, "frameRate", 0, 1, 120, &v, &has));
	out->kind = CATALOG_KIND_VIDEO;
	return CATALOG_PRICE_OK;
}

/* Prepaid video.resize input: even sides up to 7680, source duration. */
static enum catalog_price_err
p_kt_video_resize(struct jctx *j, struct catalog_price_req *out)
{
	enum catalog_price_err rc;
	const char *s;
	int64_t v;
	int has;

	J(jstr(j, "sourceVideoUrl", 1, 1, 2048, &s, NULL));
	J(jdims(j, 1, 2, 7680, 2, 0, out));
	J(jint(j, "frameRate", 0, 1, 120, &v, &has));
	J(jsec_ms(j, "sourceDurationSeconds", 0, 100, 600000,
	    &out->duration_ms, &has));
	out->kind = CATALOG_KIND_VIDEO;
	return CATALOG_PRICE_OK;
}

/* Prepaid audio.speak input: billed on text characters. */
static enum catalog_price_err
p_kt_audio_speak(struct jctx *j, struct catalog_price_req *out)
{
	static const char *const providers[] = { "omnivoice", "gemini", NULL };
	static const char *const modes[] = { "voice_design", "voice_clone",
	    NULL };
	static const char *const langs[] = { "English", "en", NULL };
	enum catalog_price_err rc;
	const char *s, *prov, *mode;
	int64_t v;
	int has;

	J(jstr(j, "text", 1, 1, 6000, &s, &out->chars));
	J(jenum(j, "provider", providers, &prov));
	J(jenum(j, "mode", modes, &mode));
	if (prov != NULL && strcmp(prov, "gemini") == 0 && mode != NULL &&
	    strcmp(mode, "voice_clone") == 0)
		return jfail(j, "mode", "gemini does not support voice_clone");
	J(jcopy(j, "provider", prov, out->variant, sizeof(out->variant)));
	J(jstr(j, "voiceDescription", 0, 4, 240, &s, NULL));
	J(jstr(j, "voiceName", 0, 1, 120, &s, NULL));
	J(jstr(j, "instructions", 0, 1, 2000, &s, NULL));
	J(jstr(j, "referenceTranscript", 0, 1, 2000, &s, NULL));
	J(jenum(j, "language", langs, &s));
	J(jenum(j, "quality", kt_quality, &s));
	J(jint(j, "seed", 0, 1, 2147483647, &v, &has));
	out->kind = CATALOG_KIND_AUDIO;
	return CATALOG_PRICE_OK;
}

/* Prepaid audio.annotation.reference input: priced per request. */
static enum catalog_price_err
p_kt_annotation(struct jctx *j, struct catalog_price_req *out)
{
	static const char *const en[] = { "en", NULL };
	static const char *const models[] = { "distil-large-v3", "large-v3",
	    NULL };
	static const char *const devices[] = { "auto", "cuda", "cpu", NULL };
	enum catalog_price_err rc;
	const char *s;

	J(janyof(j, "sourceAudioUrl", "sourceAudio"));
	J(jstr(j, "transcript", 0, 1, 24000, &s, NULL));
	J(jenum(j, "language", en, &s));
	J(jenum(j, "transcriptionModel", models, &s));
	J(jenum(j, "device", devices, &s));
	out->kind = CATALOG_KIND_AUDIO;
	return CATALOG_PRICE_OK;
}

/* Prepaid ace.step.create input: billed per second of music. */
static enum catalog_price_err
p_kt_ace_step(struct jctx *j, struct catalog_price_req *out)
{
	static const char *const presets[] = { "default", "high_quality",
	    NULL };
	enum catalog_price_err rc;
	const char *s, *preset;
	int64_t v;
	int has;

	J(jstr(j, "tags", 1, 1, 2000, &s, &out->prompt_chars));
	J(jstr(j, "lyrics", 1, 1, 12000, &s, NULL));
	J(jenum(j, "qualityPreset", presets, &preset));
	J(jint(j, "durationSeconds", 0, 15, 240, &v, &has));
	if (has)
		out->duration_ms = v * 1000;
	else if (preset != NULL && strcmp(preset, "high_quality") == 0)
		out->duration_ms = 108000;	/* the preset's 108 s default */
	J(jint(j, "bpm", 0, 40, 240, &v, &has));
	J(jint(j, "steps", 0, 4, 32, &v, &has));
	J(jenum(j, "quality", kt_quality, &s));
	J(jint(j, "seed", 0, 1, 2147483647, &v, &has));
	out->kind = CATALOG_KIND_AUDIO;
	return CATALOG_PRICE_OK;
}

/* Prepaid moss.sound.effect input: billed per second. */
static enum catalog_price_err
p_kt_moss(struct jctx *j, struct catalog_price_req *out)
{
	enum catalog_price_err rc;
	const char *s;
	int64_t v;
	int has;

	J(jstr(j, "prompt", 1, 1, 2000, &s, &out->prompt_chars));
	J(jint(j, "durationSeconds", 0, 1, 30, &v, &has));
	if (has)
		out->duration_ms = v * 1000;
	J(jenum(j, "quality", kt_quality, &s));
	out->kind = CATALOG_KIND_AUDIO;
	return CATALOG_PRICE_OK;
}

/* Prepaid trellis.generate input: priced per mesh. */
static enum catalog_price_err
p_kt_trellis(struct jctx *j, struct catalog_price_req *out)
{
	enum catalog_price_err rc;

	J(janyof(j, "sourceImageUrl", "sourceImage"));
	out->kind = CATALOG_KIND_3D;
	return CATALOG_PRICE_OK;
}

/* Credits POST /api/generate (character sheet). */
static enum catalog_price_err
p_ncs_sheet(struct jctx *j, struct catalog_price_req *out)
{
	static const char *const vis[] = { "public", "private", NULL };
	enum catalog_price_err rc;
	const char *s;

	J(jstr(j, "prompt", 1, 1, 10000, &s, &out->prompt_chars));
	J(jenum(j, "visibility", vis, &s));
	out->kind = CATALOG_KIND_IMAGE;
	return CATALOG_PRICE_OK;
}

/* Credits POST /api/scene/generate. */
static enum catalog_price_err
p_ncs_scene(struct jctx *j, struct catalog_price_req *out)
{
	static const char *const modes[] = { "picture", "video", NULL };
	enum catalog_price_err rc;
	json_object *a;
	const char *s;
	size_t n;

	J(jstr(j, "prompt", 0, 0, 10000, &s, &out->prompt_chars));
	J(jarr(j, "sheetIds", 0, 0, 8, &a, &n));
	J(jenum(j, "outputMode", modes, &s));
	out->kind = CATALOG_KIND_IMAGE;
	return CATALOG_PRICE_OK;
}

/*
 * Credits POST /api/scene/video-preview: the duration is "clamped by model
 * capability", so the request asks catalog_price to clamp.
 */
static enum catalog_price_err
p_ncs_video(struct jctx *j, struct catalog_price_req *out)
{
	enum catalog_price_err rc;
	json_object *a;
	const char *s;
	size_t n;
	int64_t v;
	int has, b;

	J(jstr(j, "prompt", 0, 0, 10000, &s, &out->prompt_chars));
	J(jarr(j, "sheetIds", 0, 0, 8, &a, &n));
	J(jarr(j, "sceneIds", 0, 0, 4, &a, &n));
	J(jsec_ms(j, "durationSeconds", 0, 1000, 30000, &out->duration_ms,
	    &has));
	J(jstr(j, "aspectRatio", 0, 1, 15, &s, NULL));
	J(jcopy(j, "aspectRatio", s, out->aspect, sizeof(out->aspect)));
	J(jint(j, "numberOfVideos", 0, 1, 4, &v, &has));
	if (has)
		out->count = (int32_t)v;
	J(jstr(j, "modelOverride", 0, 1, CATALOG_MAX_ID, &s, NULL));
	J(jcopy(j, "modelOverride", s, out->model, sizeof(out->model)));
	J(jbool(j, "generateAudio", &b));
	if (b)
		out->flags |= CATALOG_F(CATALOG_FLAG_WITH_AUDIO);
	out->clamp_duration = 1;
	out->kind = CATALOG_KIND_VIDEO;
	return CATALOG_PRICE_OK;
}

/* The stored canonical request (catalog_price_req_to_json). */
static enum catalog_price_err
p_price_req(struct jctx *j, struct catalog_price_req *out)
{
	static const char *const keys[] = { "model", "task", "variant",
	    "kind", "width", "height", "aspect", "duration_ms", "chars",
	    "prompt_chars", "count", "flags", "clamp_duration", NULL };
	enum catalog_price_err rc;
	json_object *a, *f;
	const char *s;
	size_t i, n;
	int64_t v;
	int has, k;

	json_object_object_foreach(j->o, key, val) {
		(void)val;
		for (i = 0; keys[i] != NULL && strcmp(keys[i], key) != 0; i++)
			continue;
		if (keys[i] == NULL)
			return jfail(j, key, "unknown field");
	}
	J(jstr(j, "model", 0, 0, CATALOG_MAX_ID, &s, NULL));
	J(jcopy(j, "model", s, out->model, sizeof(out->model)));
	J(jstr(j, "task", 0, 0, sizeof(out->task) - 1, &s, NULL));
	J(jcopy(j, "task", s, out->task, sizeof(out->task)));
	J(jstr(j, "variant", 0, 0, sizeof(out->variant) - 1, &s, NULL));
	J(jcopy(j, "variant", s, out->variant, sizeof(out->variant)));
	J(jstr(j, "aspect", 0, 0, sizeof(out->aspect) - 1, &s, NULL));
	J(jcopy(j, "aspect", s, out->aspect, sizeof(out->aspect)));
	J(jstr(j, "kind", 0, 1, 16, &s, NULL));
	if (s != NULL && strcmp(s, "any") != 0) {
		if ((k = catalog_kind_parse(s)) < 0)
			return jfail(j, "kind", "unknown kind \"%s\"", s);
		out->kind = (enum catalog_kind)k;
	}
	J(jint(j, "width", 0, 0, CATALOG_MAX_SIDE, &v, &has));
	out->width = has ? (int32_t)v : 0;
	J(jint(j, "height", 0, 0, CATALOG_MAX_SIDE, &v, &has));
	out->height = has ? (int32_t)v : 0;
	J(jint(j, "duration_ms", 0, 0, CATALOG_MAX_DURATION_MS, &v, &has));
	out->duration_ms = has ? v : 0;
	J(jint(j, "chars", 0, 0, CATALOG_MAX_TEXT, &v, &has));
	out->chars = has ? v : 0;
	J(jint(j, "prompt_chars", 0, 0, CATALOG_MAX_TEXT, &v, &has));
	out->prompt_chars = has ? v : 0;
	J(jint(j, "count", 0, 0, CATALOG_MAX_OUTPUTS, &v, &has));
	out->count = has ? (int32_t)v : 0;
	J(jarr(j, "flags", 0, 0, CATALOG_FLAG__MAX, &a, &n));
	for (i = 0; i < n; i++) {
		f = json_object_array_get_idx(a, i);
		k = f != NULL && json_object_is_type(f, json_type_string) ?
		    catalog_flag_parse(json_object_get_string(f)) : -1;
		if (k < 0)
			return jfail(j, "flags", "item %zu is not a quality flag",
			    i);
		out->flags |= CATALOG_F(k);
	}
	J(jbool(j, "clamp_duration", &out->clamp_duration));
	return CATALOG_PRICE_OK;
}

/* Add key: v to o taking v; -1 when v is NULL (OOM) or the add failed. */
static int
add(json_object *o, const char *key, json_object *v)
{
	if (v == NULL)
		return -1;
	if (json_object_object_add(o, key, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

json_object *
catalog_price_req_to_json(const struct catalog_price_req *r)
{
	json_object *o, *flags, *f;
	int i;

	if (r == NULL || (o = json_object_new_object()) == NULL)
		return NULL;
	if (add(o, "model", json_object_new_string(r->model)) ||
	    add(o, "task", json_object_new_string(r->task)) ||
	    add(o, "variant", json_object_new_string(r->variant)) ||
	    add(o, "kind", json_object_new_string(catalog_kind_name(r->kind))) ||
	    add(o, "width", json_object_new_int(r->width)) ||
	    add(o, "height", json_object_new_int(r->height)) ||
	    add(o, "aspect", json_object_new_string(r->aspect)) ||
	    add(o, "duration_ms", json_object_new_int64(r->duration_ms)) ||
	    add(o, "chars", json_object_new_int64(r->chars)) ||
	    add(o, "prompt_chars", json_object_new_int64(r->prompt_chars)) ||
	    add(o, "count", json_object_new_int(r->count)) ||
	    add(o, "clamp_duration", json_object_new_boolean(r->clamp_duration)) ||
	    add(o, "flags", flags = json_object_new_array()))
		goto err;
	for (i = 0; i < CATALOG_FLAG__MAX; i++) {
		if ((r->flags & CATALOG_F(i)) == 0)
			continue;
		if ((f = json_object_new_string(catalog_flag_name(i))) == NULL)
			goto err;
		if (json_object_array_add(flags, f) != 0) {
			json_object_put(f);
			goto err;
		}
	}
	return o;
err:
	json_object_put(o);
	return NULL;
}

/* kind_or_task -> parser; task is copied into the request when set. */
static const struct {
	const char	*name;
	enum catalog_price_err (*fn)(struct jctx *, struct catalog_price_req *);
	int		 is_task;
} parsers[] = {
	{ "image", p_studio_image, 0 },
	{ "video", p_studio_video, 0 },
	{ "audio", p_studio_audio, 0 },
	{ "compose", p_studio_compose, 0 },
	{ "estimate", p_studio_estimate, 0 },
	{ "character", p_studio_character, 0 },
	{ "generate", p_studio_generate, 0 },
	{ "image.generate", p_kt_image_generate, 1 },
	{ "image.edit", p_kt_image_edit, 1 },
	{ "video.generate", p_kt_video_generate, 1 },
	{ "video.combine", p_kt_video_combine, 1 },
	{ "video.resize", p_kt_video_resize, 1 },
	{ "audio.speak", p_kt_audio_speak, 1 },
	{ "audio.annotation.reference", p_kt_annotation, 1 },
	{ "ace.step.create", p_kt_ace_step, 1 },
	{ "moss.sound.effect", p_kt_moss, 1 },
	{ "trellis.generate", p_kt_trellis, 1 },
	{ "sheet.generate", p_ncs_sheet, 1 },
	{ "scene.generate", p_ncs_scene, 1 },
	{ "scene.video", p_ncs_video, 1 },
	{ "price_req", p_price_req, 0 },
};

static enum catalog_price_err
dispatch(const char *name, struct jctx *j, struct catalog_price_req *out,
    int prepaid_only)
{
	size_t i;

	for (i = 0; i < sizeof(parsers) / sizeof(parsers[0]); i++) {
		if (strcmp(parsers[i].name, name) != 0)
			continue;
		if (prepaid_only && (!parsers[i].is_task ||
		    strstr(name, "sheet.") == name ||
		    strstr(name, "scene.") == name))
			break;
		if (parsers[i].is_task)
			snprintf(out->task, sizeof(out->task), "%s", name);
		return parsers[i].fn(j, out);
	}
	if (j->err != NULL && j->errlen > 0)
		snprintf(j->err, j->errlen, "%s: unknown %s \"%s\"",
		    prepaid_only ? "task" : "kind", prepaid_only ? "task" :
		    "request kind", name);
	return prepaid_only ? CATALOG_PRICE_E_BAD_FIELD :
	    CATALOG_PRICE_E_UNKNOWN_TASK;
}

enum catalog_price_err
catalog_price_req_from_json(const char *kind_or_task, const json_object *body,
    struct catalog_price_req *out, char *err, size_t errlen)
{
	enum catalog_price_err rc;
	struct jctx j;
	const char *task, *other;
	json_object *input;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (out == NULL || kind_or_task == NULL)
		return CATALOG_PRICE_E_INVALID;
	catalog_price_req_init(out);
	j.o = (json_object *)body;	/* json-c getters are not const */
	j.prefix = "";
	j.err = err;
	j.errlen = errlen;
	if (body == NULL || !json_object_is_type(j.o, json_type_object))
		return jfail(&j, "body", "must be a JSON object");
	if (strcmp(kind_or_task, "media.job") != 0)
		return dispatch(kind_or_task, &j, out, 0);

	/* A whole prepaid MediaJobRequest: {task, input, ...}. */
	J(jstr(&j, "idempotencyKey", 0, 1, 200, &other, NULL));
	J(jstr(&j, "completionCallbackUrl", 0, 1, 2048, &other, NULL));
	J(jstr(&j, "task", 1, 1, 47, &task, NULL));
	input = jget(&j, "input");
	if (input == NULL || !json_object_is_type(input, json_type_object))
		return jfail(&j, "input", "is required and must be an object");
	j.o = input;
	j.prefix = "input.";
	rc = dispatch(task, &j, out, 1);
	if (rc == CATALOG_PRICE_E_BAD_FIELD && err != NULL &&
	    strncmp(err, "task: unknown", 13) == 0)
		snprintf(err, errlen, "task: unknown task \"%s\"", task);
	return rc;
}
