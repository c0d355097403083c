/*
 * catalog: load and validate the catalog file into an immutable struct.
 * The file format is described in catalog.h. Every rule this loader
 * enforces has a named negative test in tests/unit/test_catalog.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "mg_arena.h"
#include "mg_config.h"
#include "mg_util.h"
#include "catalog.h"

#define TRY(x)	do { if ((rc = (x)) != CATALOG_OK) return rc; } while (0)

#define MAX_STR		4096		/* chars in a free-text field */
#define MAX_ARRAY	10000		/* items in any array */
#define MAX_PACKAGE	1000000000000LL	/* $1M, package price / credit */

static const char *const kind_names[CATALOG_KIND__MAX] = {
	"image",	/* CATALOG_KIND_IMAGE */
	"video",	/* CATALOG_KIND_VIDEO */
	"audio",	/* CATALOG_KIND_AUDIO */
	"3d",		/* CATALOG_KIND_3D */
	"training",	/* CATALOG_KIND_TRAINING */
	"compose",	/* CATALOG_KIND_COMPOSE */
};

static const char *const unit_names[CATALOG_UNIT__MAX] = {
	"image",	/* CATALOG_UNIT_IMAGE */
	"megapixel",	/* CATALOG_UNIT_MEGAPIXEL */
	"second",	/* CATALOG_UNIT_SECOND */
	"minute",	/* CATALOG_UNIT_MINUTE */
	"1k_chars",	/* CATALOG_UNIT_KCHARS */
	"request",	/* CATALOG_UNIT_REQUEST */
	"training_job",	/* CATALOG_UNIT_TRAINING */
};

static const char *const adapter_names[CATALOG_ADAPTER__MAX] = {
	"local",	/* CATALOG_ADAPTER_LOCAL */
	"fal",		/* CATALOG_ADAPTER_FAL */
	"replicate",	/* CATALOG_ADAPTER_REPLICATE */
	"elevenlabs",	/* CATALOG_ADAPTER_ELEVENLABS */
};

static const char *const flag_names[CATALOG_FLAG__MAX] = {
	"high_detail",		/* CATALOG_FLAG_HIGH_DETAIL */
	"extreme_quality",	/* CATALOG_FLAG_EXTREME_QUALITY */
	"with_audio",		/* CATALOG_FLAG_WITH_AUDIO */
	"upscale",		/* CATALOG_FLAG_UPSCALE */
};

/* Which units may price which kind: bit (1 << unit) per kind. */
#define U(x)	(1u << CATALOG_UNIT_##x)
static const unsigned kind_units[CATALOG_KIND__MAX] = {
	U(IMAGE) | U(MEGAPIXEL) | U(REQUEST),		/* image */
	U(SECOND) | U(REQUEST),				/* video */
	U(SECOND) | U(KCHARS) | U(REQUEST),		/* audio */
	U(REQUEST),					/* 3d */
	U(TRAINING) | U(REQUEST),			/* training */
	U(MINUTE) | U(SECOND) | U(REQUEST),		/* compose */
};
#undef U

/* Task names the dialects submit (prepaid MediaJobRequest, credits). */
static const char *const known_tasks[] = {
	"image.generate", "image.edit", "video.generate", "video.combine",
	"video.resize", "audio.speak", "audio.annotation.reference",
	"ace.step.create", "moss.sound.effect", "trellis.generate",
	"sheet.generate", "scene.generate", "scene.video", NULL
};

static const char *const err_names[CATALOG_E__MAX] = {
	"ok",				/* CATALOG_OK */
	"catalog file unreadable",	/* CATALOG_E_IO */
	"catalog is not valid JSON",	/* CATALOG_E_JSON */
	"bad catalog field",		/* CATALOG_E_FIELD */
	"bad catalog value",		/* CATALOG_E_VALUE */
	"duplicate catalog id",		/* CATALOG_E_DUP */
	"unknown catalog reference",	/* CATALOG_E_REF */
	"out of memory",		/* CATALOG_E_NOMEM */
};

/* Loader state: the catalog under construction and the error sink. */
struct ld {
	struct catalog	*c;
	char		*err;
	size_t		 errlen;
};

static int
name_index(const char *const *names, size_t n, const char *s)
{
	size_t i;

	if (s == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (names[i] != NULL && strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

const char *
catalog_strerror(enum catalog_err e)
{
	return (unsigned)e < CATALOG_E__MAX ? err_names[e] : "unknown error";
}

const char *
catalog_kind_name(enum catalog_kind k)
{
	return (unsigned)k < CATALOG_KIND__MAX ? kind_names[k] : "any";
}

int
catalog_kind_parse(const char *s)
{
	return name_index(kind_names, CATALOG_KIND__MAX, s);
}

const char *
catalog_unit_name(enum catalog_unit u)
{
	return (unsigned)u < CATALOG_UNIT__MAX ? unit_names[u] : "unknown";
}

int
catalog_unit_parse(const char *s)
{
	return name_index(unit_names, CATALOG_UNIT__MAX, s);
}

const char *
catalog_flag_name(enum catalog_flag f)
{
	return (unsigned)f < CATALOG_FLAG__MAX ? flag_names[f] : "unknown";
}

int
catalog_flag_parse(const char *s)
{
	return name_index(flag_names, CATALOG_FLAG__MAX, s);
}

int
catalog_task_known(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && known_tasks[i] != NULL; i++)
		if (strcmp(known_tasks[i], name) == 0)
			return 1;
	return 0;
}

/*
 * Parse "WxH" (e.g. "1024x1024") into positive sides of at most
 * CATALOG_MAX_SIDE. Returns 0, or -1 when malformed or out of range.
 */
int
catalog_parse_size(const char *s, int32_t *w, int32_t *h)
{
	const char *x;
	int64_t a, b;

	if (s == NULL || (x = strchr(s, 'x')) == NULL)
		return -1;
	if (mg_parse_i64(s, (size_t)(x - s), 1, CATALOG_MAX_SIDE, &a) != 0 ||
	    mg_parse_i64(x + 1, strlen(x + 1), 1, CATALOG_MAX_SIDE, &b) != 0)
		return -1;
	*w = (int32_t)a;
	*h = (int32_t)b;
	return 0;
}

/* 1 when s is "N:M" with N and M in 1..999. */
int
catalog_aspect_valid(const char *s)
{
	const char *colon;
	int64_t v;

	if (s == NULL || (colon = strchr(s, ':')) == NULL)
		return 0;
	return mg_parse_i64(s, (size_t)(colon - s), 1, 999, &v) == 0 &&
	    mg_parse_i64(colon + 1, strlen(colon + 1), 1, 999, &v) == 0;
}

/*
 * Record "<path>.<key>: <reason>" (or "<path>: ..." when key is NULL,
 * "<key>: ..." when path is empty) and return e.
 */
static enum catalog_err
ld_fail(struct ld *l, enum catalog_err e, const char *path, const char *key,
    const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (l->err == NULL || l->errlen == 0)
		return e;
	if (key == NULL)
		snprintf(l->err, l->errlen, "%s: %s", path, msg);
	else if (path[0] == '\0')
		snprintf(l->err, l->errlen, "%s: %s", key, msg);
	else
		snprintf(l->err, l->errlen, "%s.%s: %s", path, key, msg);
	return e;
}

static void *
ld_calloc(struct ld *l, size_t n, size_t sz)
{
	if (sz != 0 && n > SIZE_MAX / sz)
		return NULL;
	return mg_arena_calloc(&l->c->arena, n * sz == 0 ? 1 : n * sz);
}

/* The member key of o, or NULL when absent or JSON null. */
static json_object *
member(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

/* Reject any key of o not in allowed (NULL-terminated). */
static enum catalog_err
check_keys(struct ld *l, json_object *o, const char *path,
    const char *const *allowed)
{
	size_t i;

	json_object_object_foreach(o, k, v) {
		(void)v;
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(allowed[i], k) == 0)
				break;
		if (allowed[i] == NULL)
			return ld_fail(l, CATALOG_E_FIELD, path, k,
			    "unknown field");
	}
	return CATALOG_OK;
}

/*
 * A string member copied into the arena. Absent: CATALOG_E_FIELD when
 * required, else *out = NULL. Empty strings and strings over maxlen are
 * rejected.
 */
static enum catalog_err
get_str(struct ld *l, json_object *o, const char *path, const char *key,
    int required, size_t maxlen, const char **out)
{
	json_object *v = member(o, key);
	const char *s;
	size_t n;

	*out = NULL;
	if (v == NULL)
		return required ? ld_fail(l, CATALOG_E_FIELD, path, key,
		    "missing") : CATALOG_OK;
	if (!json_object_is_type(v, json_type_string))
		return ld_fail(l, CATALOG_E_FIELD, path, key,
		    "must be a string");
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (n == 0)
		return ld_fail(l, CATALOG_E_VALUE, path, key, "must not be empty");
	if (n > maxlen || strlen(s) != n)
		return ld_fail(l, CATALOG_E_VALUE, path, key,
		    "longer than %zu characters or holds NUL", maxlen);
	if ((*out = mg_arena_strndup(&l->c->arena, s, n)) == NULL)
		return CATALOG_E_NOMEM;
	return CATALOG_OK;
}

/* An id: 1..CATALOG_MAX_ID chars of [A-Za-z0-9._/:-]. */
static enum catalog_err
get_id(struct ld *l, json_object *o, const char *path, const char *key,
    int required, const char **out)
{
	enum catalog_err rc;
	const char *p;

	TRY(get_str(l, o, path, key, required, CATALOG_MAX_ID, out));
	for (p = *out; p != NULL && *p != '\0'; p++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789._/:-", *p) == NULL)
			return ld_fail(l, CATALOG_E_VALUE, path, key,
			    "bad character '%c' in id \"%s\"", *p, *out);
	return CATALOG_OK;
}

/*
 * An integer member in [min, max]; absent: CATALOG_E_FIELD when required,
 * else *out = def. JSON numbers with a fraction or exponent are rejected,
 * so no floating point value reaches a price.
 */
static enum catalog_err
get_int(struct ld *l, json_object *o, const char *path, const char *key,
    int required, int64_t min, int64_t max, int64_t def, int64_t *out)
{
	json_object *v = member(o, key);
	int64_t n;

	*out = def;
	if (v == NULL)
		return required ? ld_fail(l, CATALOG_E_FIELD, path, key,
		    "missing") : CATALOG_OK;
	if (!json_object_is_type(v, json_type_int))
		return ld_fail(l, CATALOG_E_FIELD, path, key,
		    "must be an integer");
	n = json_object_get_int64(v);
	if (n < 0 && min >= 0)
		return ld_fail(l, CATALOG_E_VALUE, path, key,
		    "must not be negative (got %lld)", (long long)n);
	if (n < min || n > max)
		return ld_fail(l, CATALOG_E_VALUE, path, key,
		    "out of range [%lld, %lld]", (long long)min, (long long)max);
	*out = n;
	return CATALOG_OK;
}

static enum catalog_err
get_bool(struct ld *l, json_object *o, const char *path, const char *key,
    int *out)
{
	json_object *v = member(o, key);

	*out = 0;
	if (v == NULL)
		return CATALOG_OK;
	if (!json_object_is_type(v, json_type_boolean))
		return ld_fail(l, CATALOG_E_FIELD, path, key,
		    "must be a boolean");
	*out = json_object_get_boolean(v);
	return CATALOG_OK;
}

/*
 * An array member: *arr = NULL and *n = 0 when absent and optional.
 * Empty arrays are rejected when nonempty is set.
 */
static enum catalog_err
get_array(struct ld *l, json_object *o, const char *path, const char *key,
    int required, int nonempty, json_object **arr, size_t *n)
{
	json_object *v = member(o, key);

	*arr = NULL;
	*n = 0;
	if (v == NULL)
		return required ? ld_fail(l, CATALOG_E_FIELD, path, key,
		    "missing") : CATALOG_OK;
	if (!json_object_is_type(v, json_type_array))
		return ld_fail(l, CATALOG_E_FIELD, path, key,
		    "must be an array");
	*n = json_object_array_length(v);
	if (*n > MAX_ARRAY)
		return ld_fail(l, CATALOG_E_VALUE, path, key,
		    "more than %d items", MAX_ARRAY);
	if (*n == 0 && nonempty)
		return ld_fail(l, CATALOG_E_VALUE, path, key,
		    "must not be empty");
	*arr = v;
	return CATALOG_OK;
}

/* Item i of arr, which must be an object; its path goes into path. */
static enum catalog_err
get_item(struct ld *l, json_object *arr, const char *key, size_t i,
    char *path, size_t pathlen, json_object **item)
{
	snprintf(path, pathlen, "%s[%zu]", key, i);
	*item = json_object_array_get_idx(arr, i);
	if (*item == NULL || !json_object_is_type(*item, json_type_object))
		return ld_fail(l, CATALOG_E_FIELD, path, NULL,
		    "must be an object");
	return CATALOG_OK;
}

static enum catalog_err
get_object(struct ld *l, json_object *o, const char *path, const char *key,
    json_object **out)
{
	*out = member(o, key);
	if (*out != NULL && !json_object_is_type(*out, json_type_object))
		return ld_fail(l, CATALOG_E_FIELD, path, key,
		    "must be an object");
	return CATALOG_OK;
}

/*
 * Lookups. The catalog holds tens of entries, so a linear scan is as fast
 * as a hash and cannot go wrong.
 */
const struct catalog_model *
catalog_model(const struct catalog *c, const char *id)
{
	size_t i;

	for (i = 0; c != NULL && id != NULL && i < c->nmodels; i++)
		if (strcmp(c->models[i].id, id) == 0)
			return &c->models[i];
	return NULL;
}

const struct catalog_op *
catalog_op(const struct catalog *c, const char *id)
{
	size_t i;

	for (i = 0; c != NULL && id != NULL && i < c->nops; i++)
		if (strcmp(c->ops[i].id, id) == 0)
			return &c->ops[i];
	return NULL;
}

const struct catalog_provider *
catalog_provider(const struct catalog *c, const char *id)
{
	size_t i;

	for (i = 0; c != NULL && id != NULL && i < c->nproviders; i++)
		if (strcmp(c->providers[i].id, id) == 0)
			return &c->providers[i];
	return NULL;
}

static const struct catalog_multiplier *
find_multiplier(const struct catalog *c, const char *id)
{
	size_t i;

	for (i = 0; id != NULL && i < c->nmultipliers; i++)
		if (strcmp(c->multipliers[i].id, id) == 0)
			return &c->multipliers[i];
	return NULL;
}

const struct catalog_model *
catalog_task_model(const struct catalog *c, const char *task,
    const char *variant)
{
	const struct catalog_model *def = NULL;
	size_t i;

	for (i = 0; c != NULL && task != NULL && i < c->ntasks; i++) {
		if (strcmp(c->tasks[i].task, task) != 0)
			continue;
		if (c->tasks[i].variant == NULL)
			def = c->tasks[i].model;
		else if (variant != NULL &&
		    strcmp(c->tasks[i].variant, variant) == 0)
			return c->tasks[i].model;
	}
	return def;
}

const struct catalog_model *
catalog_default_model(const struct catalog *c, enum catalog_kind k)
{
	return c != NULL && (unsigned)k < CATALOG_KIND__MAX ?
	    c->defaults[k] : NULL;
}

const struct catalog_package *
catalog_package(const struct catalog *c, const char *code)
{
	size_t i;

	for (i = 0; c != NULL && code != NULL && i < c->npackages; i++)
		if (strcmp(c->packages[i].code, code) == 0)
			return &c->packages[i];
	return NULL;
}

const struct catalog_credit_pack *
catalog_credit_pack(const struct catalog *c, const char *id)
{
	size_t i;

	for (i = 0; c != NULL && id != NULL && i < c->npacks; i++)
		if (strcmp(c->packs[i].id, id) == 0)
			return &c->packs[i];
	return NULL;
}

const struct catalog_prism *
catalog_prism(const struct catalog *c, const char *id)
{
	size_t i;

	for (i = 0; c != NULL && id != NULL && i < c->nprisms; i++)
		if (strcmp(c->prisms[i].id, id) == 0)
			return &c->prisms[i];
	return NULL;
}

const char *
catalog_upstream_model(const struct catalog_model *m, const char *provider)
{
	size_t i;

	for (i = 0; m != NULL && provider != NULL && i < m->nupstreams; i++)
		if (strcmp(m->upstreams[i].provider->id, provider) == 0)
			return m->upstreams[i].model;
	return NULL;
}

const char *
catalog_version(const struct catalog *c)
{
	return c != NULL ? c->version : NULL;
}

/* providers[]: {id, adapter, name}. */
static enum catalog_err
parse_providers(struct ld *l, json_object *root)
{
	static const char *const keys[] = { "id", "adapter", "name", NULL };
	struct catalog_provider *p;
	json_object *arr, *it;
	const char *s;
	char path[64];
	enum catalog_err rc;
	size_t i, j, n;
	int a;

	TRY(get_array(l, root, "", "providers", 1, 1, &arr, &n));
	if ((p = ld_calloc(l, n, sizeof(*p))) == NULL)
		return CATALOG_E_NOMEM;
	for (i = 0; i < n; i++) {
		TRY(get_item(l, arr, "providers", i, path, sizeof(path), &it));
		TRY(check_keys(l, it, path, keys));
		TRY(get_id(l, it, path, "id", 1, &p[i].id));
		for (j = 0; j < i; j++)
			if (strcmp(p[j].id, p[i].id) == 0)
				return ld_fail(l, CATALOG_E_DUP, path, "id",
				    "duplicate provider id \"%s\"", p[i].id);
		TRY(get_str(l, it, path, "adapter", 1, CATALOG_MAX_ID, &s));
		if ((a = name_index(adapter_names, CATALOG_ADAPTER__MAX, s)) < 0)
			return ld_fail(l, CATALOG_E_VALUE, path, "adapter",
			    "unknown adapter \"%s\" (want local|fal|replicate|"
			    "elevenlabs)", s);
		p[i].adapter = (enum catalog_adapter)a;
		TRY(get_str(l, it, path, "name", 0, MAX_STR, &p[i].name));
		if (p[i].name == NULL)
			p[i].name = p[i].id;
	}
	l->c->providers = p;
	l->c->nproviders = n;
	return CATALOG_OK;
}

/* multipliers[]: {id, flag, bps, description}. */
static enum catalog_err
parse_multipliers(struct ld *l, json_object *root)
{
	static const char *const keys[] = { "id", "flag", "bps",
	    "description", NULL };
	struct catalog_multiplier *m;
	json_object *arr, *it;
	const char *s;
	char path[64];
	enum catalog_err rc;
	size_t i, j, n;
	int64_t v;
	int f;

	TRY(get_array(l, root, "", "multipliers", 0, 0, &arr, &n));
	if ((m = ld_calloc(l, n, sizeof(*m))) == NULL)
		return CATALOG_E_NOMEM;
	for (i = 0; i < n; i++) {
		TRY(get_item(l, arr, "multipliers", i, path, sizeof(path), &it));
		TRY(check_keys(l, it, path, keys));
		TRY(get_id(l, it, path, "id", 1, &m[i].id));
		for (j = 0; j < i; j++)
			if (strcmp(m[j].id, m[i].id) == 0)
				return ld_fail(l, CATALOG_E_DUP, path, "id",
				    "duplicate multiplier id \"%s\"", m[i].id);
		TRY(get_str(l, it, path, "flag", 1, CATALOG_MAX_ID, &s));
		if ((f = catalog_flag_parse(s)) < 0)
			return ld_fail(l, CATALOG_E_VALUE, path, "flag",
			    "unknown quality flag \"%s\"", s);
		m[i].flag = (enum catalog_flag)f;
		TRY(get_int(l, it, path, "bps", 1, 0, INT32_MAX, 0, &v));
		if (v < CATALOG_MIN_BPS || v > CATALOG_MAX_BPS)
			return ld_fail(l, CATALOG_E_VALUE, path, "bps",
			    "multiplier %lld bps out of range [%d, %d]",
			    (long long)v, CATALOG_MIN_BPS, CATALOG_MAX_BPS);
		m[i].bps = (int32_t)v;
		TRY(get_str(l, it, path, "description", 0, MAX_STR,
		    &m[i].description));
	}
	l->c->multipliers = m;
	l->c->nmultipliers = n;
	return CATALOG_OK;
}

/* models[i].sizes: {multiple, max_pixels, fixed, default_aspect_ratio, aspect_ratios}. */
static enum catalog_err
parse_sizes(struct ld *l, json_object *o, const char *mpath,
    struct catalog_model *m)
{
	static const char *const keys[] = { "multiple", "max_pixels", "fixed",
	    "default_aspect_ratio", "aspect_ratios", NULL };
	struct catalog_aspect *a;
	json_object *ar;
	const char *def;
	char path[96];
	enum catalog_err rc;
	size_t i = 0;
	int64_t v;

	snprintf(path, sizeof(path), "%s.sizes", mpath);
	TRY(check_keys(l, o, path, keys));
	TRY(get_int(l, o, path, "multiple", 1, 1, 1024, 0, &v));
	m->size_multiple = (int32_t)v;
	TRY(get_int(l, o, path, "max_pixels", 1, 1,
	    (int64_t)CATALOG_MAX_SIDE * CATALOG_MAX_SIDE, 0, &m->max_pixels));
	TRY(get_bool(l, o, path, "fixed", &m->fixed_sizes));
	TRY(get_object(l, o, path, "aspect_ratios", &ar));
	if (ar == NULL)
		return ld_fail(l, CATALOG_E_FIELD, path, "aspect_ratios",
		    "missing");
	m->naspects = (size_t)json_object_object_length(ar);
	if (m->naspects == 0)
		return ld_fail(l, CATALOG_E_VALUE, path, "aspect_ratios",
		    "must not be empty");
	if ((a = ld_calloc(l, m->naspects, sizeof(*a))) == NULL)
		return CATALOG_E_NOMEM;
	snprintf(path, sizeof(path), "%s.sizes.aspect_ratios", mpath);
	json_object_object_foreach(ar, k, val) {
		if (!catalog_aspect_valid(k))
			return ld_fail(l, CATALOG_E_VALUE, path, k,
			    "aspect ratio must look like \"16:9\"");
		if (val == NULL || !json_object_is_type(val, json_type_string) ||
		    catalog_parse_size(json_object_get_string(val),
		    &a[i].width, &a[i].height) != 0)
			return ld_fail(l, CATALOG_E_VALUE, path, k,
			    "size must be \"WxH\" with sides 1..%d",
			    CATALOG_MAX_SIDE);
		if (a[i].width % m->size_multiple != 0 ||
		    a[i].height % m->size_multiple != 0)
			return ld_fail(l, CATALOG_E_VALUE, path, k,
			    "%dx%d is not a multiple of %d", a[i].width,
			    a[i].height, m->size_multiple);
		if ((int64_t)a[i].width * a[i].height > m->max_pixels)
			return ld_fail(l, CATALOG_E_VALUE, path, k,
			    "%dx%d exceeds max_pixels %lld", a[i].width,
			    a[i].height, (long long)m->max_pixels);
		if ((a[i].ratio = mg_arena_strdup(&l->c->arena, k)) == NULL)
			return CATALOG_E_NOMEM;
		i++;
	}
	m->aspects = a;
	snprintf(path, sizeof(path), "%s.sizes", mpath);
	TRY(get_str(l, o, path, "default_aspect_ratio", 1, 16, &def));
	for (i = 0; i < m->naspects; i++)
		if (strcmp(a[i].ratio, def) == 0)
			m->default_aspect = &a[i];
	if (m->default_aspect == NULL)
		return ld_fail(l, CATALOG_E_REF, path, "default_aspect_ratio",
		    "\"%s\" is not in aspect_ratios", def);
	return CATALOG_OK;
}

/* models[i].duration_ms: {min, max, default, allowed[]}. */
static enum catalog_err
parse_duration(struct ld *l, json_object *o, const char *mpath,
    struct catalog_model *m)
{
	static const char *const keys[] = { "min", "max", "default",
	    "allowed", NULL };
	json_object *arr, *v;
	int64_t *allowed;
	char path[96];
	enum catalog_err rc;
	size_t i, n;
	int has_def = 0;

	snprintf(path, sizeof(path), "%s.duration_ms", mpath);
	TRY(check_keys(l, o, path, keys));
	TRY(get_int(l, o, path, "min", 1, 1, CATALOG_MAX_DURATION_MS, 0,
	    &m->min_duration_ms));
	TRY(get_int(l, o, path, "max", 1, 1, CATALOG_MAX_DURATION_MS, 0,
	    &m->max_duration_ms));
	if (m->max_duration_ms < m->min_duration_ms)
		return ld_fail(l, CATALOG_E_VALUE, path, "max",
		    "duration max %lld < min %lld",
		    (long long)m->max_duration_ms, (long long)m->min_duration_ms);
	TRY(get_int(l, o, path, "default", 1, m->min_duration_ms,
	    m->max_duration_ms, 0, &m->default_duration_ms));
	TRY(get_array(l, o, path, "allowed", 0, 1, &arr, &n));
	if (n > 0) {
		if ((allowed = ld_calloc(l, n, sizeof(*allowed))) == NULL)
			return CATALOG_E_NOMEM;
		snprintf(path, sizeof(path), "%s.duration_ms.allowed", mpath);
		for (i = 0; i < n; i++) {
			v = json_object_array_get_idx(arr, i);
			if (v == NULL || !json_object_is_type(v, json_type_int))
				return ld_fail(l, CATALOG_E_FIELD, path, NULL,
				    "item %zu must be an integer", i);
			allowed[i] = json_object_get_int64(v);
			if (allowed[i] < m->min_duration_ms ||
			    allowed[i] > m->max_duration_ms)
				return ld_fail(l, CATALOG_E_VALUE, path, NULL,
				    "item %zu (%lld) outside [min, max]", i,
				    (long long)allowed[i]);
			if (allowed[i] == m->default_duration_ms)
				has_def = 1;
		}
		if (!has_def)
			return ld_fail(l, CATALOG_E_VALUE, path, NULL,
			    "default %lld is not allowed",
			    (long long)m->default_duration_ms);
		m->allowed_ms = allowed;
		m->nallowed = n;
	}
	m->has_duration = 1;
	return CATALOG_OK;
}

/* models[i].upstream: {provider id: model id}. */
static enum catalog_err
parse_upstream(struct ld *l, json_object *o, const char *mpath,
    struct catalog_model *m)
{
	struct catalog_upstream *u;
	char path[96];
	size_t i = 0, n;

	snprintf(path, sizeof(path), "%s.upstream", mpath);
	if ((n = (size_t)json_object_object_length(o)) == 0)
		return CATALOG_OK;
	if ((u = ld_calloc(l, n, sizeof(*u))) == NULL)
		return CATALOG_E_NOMEM;
	json_object_object_foreach(o, k, v) {
		if ((u[i].provider = catalog_provider(l->c, k)) == NULL)
			return ld_fail(l, CATALOG_E_REF, path, k,
			    "unknown provider \"%s\"", k);
		if (v == NULL || !json_object_is_type(v, json_type_string) ||
		    json_object_get_string_len(v) == 0 ||
		    json_object_get_string_len(v) > CATALOG_MAX_ID)
			return ld_fail(l, CATALOG_E_VALUE, path, k,
			    "must be a model id string");
		if ((u[i].model = mg_arena_strdup(&l->c->arena,
		    json_object_get_string(v))) == NULL)
			return CATALOG_E_NOMEM;
		i++;
	}
	m->upstreams = u;
	m->nupstreams = n;
	return CATALOG_OK;
}

static enum catalog_err
parse_model(struct ld *l, json_object *it, const char *path,
    struct catalog_model *m)
{
	static const char *const keys[] = { "id", "name", "kind", "provider",
	    "provider_model", "upstream", "capabilities", "max_prompt_chars",
	    "max_outputs", "max_text_chars", "supports_audio", "sizes",
	    "duration_ms", "eta_ms", NULL };
	static const char *const eta_keys[] = { "base", "per_unit", NULL };
	json_object *o, *arr, *v;
	const char **caps;
	const char *s;
	char sub[96];
	enum catalog_err rc;
	size_t i, n;
	int64_t x;
	int k;

	TRY(check_keys(l, it, path, keys));
	TRY(get_id(l, it, path, "id", 1, &m->id));
	TRY(get_str(l, it, path, "name", 0, MAX_STR, &m->name));
	if (m->name == NULL)
		m->name = m->id;
	TRY(get_str(l, it, path, "kind", 1, CATALOG_MAX_ID, &s));
	if ((k = catalog_kind_parse(s)) < 0)
		return ld_fail(l, CATALOG_E_VALUE, path, "kind",
		    "unknown kind \"%s\" (want image|video|audio|3d|training|"
		    "compose)", s);
	m->kind = (enum catalog_kind)k;
	TRY(get_id(l, it, path, "provider", 1, &s));
	if ((m->provider = catalog_provider(l->c, s)) == NULL)
		return ld_fail(l, CATALOG_E_REF, path, "provider",
		    "unknown provider \"%s\"", s);
	TRY(get_str(l, it, path, "provider_model", 0, CATALOG_MAX_ID,
	    &m->provider_model));
	if (m->provider_model == NULL)
		m->provider_model = m->id;
	TRY(get_object(l, it, path, "upstream", &o));
	if (o != NULL)
		TRY(parse_upstream(l, o, path, m));
	TRY(get_array(l, it, path, "capabilities", 0, 0, &arr, &n));
	if ((caps = ld_calloc(l, n, sizeof(*caps))) == NULL)
		return CATALOG_E_NOMEM;
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(arr, i);
		if (v == NULL || !json_object_is_type(v, json_type_string) ||
		    json_object_get_string_len(v) == 0)
			return ld_fail(l, CATALOG_E_FIELD, path, "capabilities",
			    "item %zu must be a non-empty string", i);
		if ((caps[i] = mg_arena_strdup(&l->c->arena,
		    json_object_get_string(v))) == NULL)
			return CATALOG_E_NOMEM;
	}
	m->capabilities = caps;
	m->ncapabilities = n;
	TRY(get_int(l, it, path, "max_prompt_chars", 0, 0, 1000000, 0, &x));
	m->max_prompt_chars = (int32_t)x;
	TRY(get_int(l, it, path, "max_outputs", 0, 1, CATALOG_MAX_OUTPUTS, 1,
	    &x));
	m->max_outputs = (int32_t)x;
	TRY(get_int(l, it, path, "max_text_chars", 0, 0, CATALOG_MAX_TEXT, 0,
	    &m->max_text_chars));
	TRY(get_bool(l, it, path, "supports_audio", &m->supports_audio));
	TRY(get_object(l, it, path, "sizes", &o));
	if (o != NULL)
		TRY(parse_sizes(l, o, path, m));
	else if (m->kind == CATALOG_KIND_IMAGE)
		return ld_fail(l, CATALOG_E_FIELD, path, "sizes",
		    "missing (image models need sizes)");
	TRY(get_object(l, it, path, "duration_ms", &o));
	if (o != NULL)
		TRY(parse_duration(l, o, path, m));
	TRY(get_object(l, it, path, "eta_ms", &o));
	if (o != NULL) {
		snprintf(sub, sizeof(sub), "%s.eta_ms", path);
		TRY(check_keys(l, o, sub, eta_keys));
		TRY(get_int(l, o, sub, "base", 0, 0, CATALOG_MAX_DURATION_MS, 0,
		    &m->eta_base_ms));
		TRY(get_int(l, o, sub, "per_unit", 0, 0,
		    CATALOG_MAX_DURATION_MS, 0, &m->eta_per_unit_ms));
	}
	return CATALOG_OK;
}

static enum catalog_err
parse_models(struct ld *l, json_object *root)
{
	struct catalog_model *m;
	json_object *arr, *it;
	char path[64];
	enum catalog_err rc;
	size_t i, j, n;

	TRY(get_array(l, root, "", "models", 1, 1, &arr, &n));
	if ((m = ld_calloc(l, n, sizeof(*m))) == NULL)
		return CATALOG_E_NOMEM;
	/* Publish first so duplicate checks below see earlier models. */
	l->c->models = m;
	for (i = 0; i < n; i++) {
		TRY(get_item(l, arr, "models", i, path, sizeof(path), &it));
		TRY(parse_model(l, it, path, &m[i]));
		for (j = 0; j < i; j++)
			if (strcmp(m[j].id, m[i].id) == 0)
				return ld_fail(l, CATALOG_E_DUP, path, "id",
				    "duplicate model id \"%s\"", m[i].id);
		l->c->nmodels = i + 1;
	}
	return CATALOG_OK;
}

/* Rules tying an operation's unit to what its model can measure. */
static enum catalog_err
check_op_unit(struct ld *l, const char *path, const struct catalog_model *m,
    enum catalog_unit u)
{
	if ((kind_units[m->kind] & (1u << u)) == 0)
		return ld_fail(l, CATALOG_E_VALUE, path, "unit",
		    "unit \"%s\" cannot price a %s model", unit_names[u],
		    kind_names[m->kind]);
	if ((u == CATALOG_UNIT_SECOND || u == CATALOG_UNIT_MINUTE) &&
	    !m->has_duration)
		return ld_fail(l, CATALOG_E_VALUE, path, "unit",
		    "unit \"%s\" needs model \"%s\" to have duration_ms",
		    unit_names[u], m->id);
	if (u == CATALOG_UNIT_KCHARS && m->max_text_chars == 0)
		return ld_fail(l, CATALOG_E_VALUE, path, "unit",
		    "unit \"1k_chars\" needs model \"%s\" to have "
		    "max_text_chars", m->id);
	/* megapixel prices only image models, which always have sizes. */
	return CATALOG_OK;
}

/* operations[]: {id, model, unit, price_usd_micros, multipliers[], notes}. */
static enum catalog_err
parse_ops(struct ld *l, json_object *root)
{
	static const char *const keys[] = { "id", "model", "unit",
	    "price_usd_micros", "multipliers", "notes", NULL };
	struct catalog_model *models = (struct catalog_model *)l->c->models;
	const struct catalog_multiplier **mults;
	struct catalog_model *m;
	struct catalog_op *op;
	json_object *arr, *it, *marr, *v;
	const char *s;
	char path[64];
	enum catalog_err rc;
	size_t i, j, n, nm;
	int u;

	TRY(get_array(l, root, "", "operations", 1, 1, &arr, &n));
	if ((op = ld_calloc(l, n, sizeof(*op))) == NULL)
		return CATALOG_E_NOMEM;
	for (i = 0; i < n; i++) {
		TRY(get_item(l, arr, "operations", i, path, sizeof(path), &it));
		TRY(check_keys(l, it, path, keys));
		TRY(get_id(l, it, path, "id", 1, &op[i].id));
		for (j = 0; j < i; j++)
			if (strcmp(op[j].id, op[i].id) == 0)
				return ld_fail(l, CATALOG_E_DUP, path, "id",
				    "duplicate operation id \"%s\"", op[i].id);
		TRY(get_id(l, it, path, "model", 1, &s));
		if ((m = (struct catalog_model *)catalog_model(l->c, s)) == NULL)
			return ld_fail(l, CATALOG_E_REF, path, "model",
			    "unknown model \"%s\"", s);
		if (m->op != NULL)
			return ld_fail(l, CATALOG_E_DUP, path, "model",
			    "model \"%s\" is already priced by \"%s\"", s,
			    m->op->id);
		m->op = &op[i];
		op[i].model = m;
		TRY(get_str(l, it, path, "unit", 1, CATALOG_MAX_ID, &s));
		if ((u = catalog_unit_parse(s)) < 0)
			return ld_fail(l, CATALOG_E_VALUE, path, "unit",
			    "unknown unit \"%s\"", s);
		op[i].unit = (enum catalog_unit)u;
		TRY(check_op_unit(l, path, m, op[i].unit));
		TRY(get_int(l, it, path, "price_usd_micros", 1, 0,
		    CATALOG_MAX_UNIT_PRICE, 0, &op[i].price_micros));
		TRY(get_array(l, it, path, "multipliers", 0, 0, &marr, &nm));
		if ((mults = ld_calloc(l, nm, sizeof(*mults))) == NULL)
			return CATALOG_E_NOMEM;
		for (j = 0; j < nm; j++) {
			v = json_object_array_get_idx(marr, j);
			s = v != NULL && json_object_is_type(v,
			    json_type_string) ? json_object_get_string(v) : NULL;
			if ((mults[j] = find_multiplier(l->c, s)) == NULL)
				return ld_fail(l, CATALOG_E_REF, path,
				    "multipliers", "item %zu: unknown "
				    "multiplier \"%s\"", j, s ? s : "?");
		}
		op[i].mults = mults;
		op[i].nmults = nm;
		TRY(get_str(l, it, path, "notes", 0, MAX_STR, &op[i].notes));
	}
	l->c->ops = op;
	l->c->nops = n;
	for (i = 0; i < l->c->nmodels; i++) {
		if (models[i].op == NULL) {
			snprintf(path, sizeof(path), "models[%zu]", i);
			return ld_fail(l, CATALOG_E_REF, path, NULL,
			    "no operation prices model \"%s\"", models[i].id);
		}
	}
	return CATALOG_OK;
}

/* defaults: {kind: model id}. */
static enum catalog_err
parse_defaults(struct ld *l, json_object *root)
{
	const struct catalog_model *m;
	json_object *o;
	enum catalog_err rc;
	int k;

	TRY(get_object(l, root, "", "defaults", &o));
	if (o == NULL)
		return CATALOG_OK;
	json_object_object_foreach(o, key, v) {
		if ((k = catalog_kind_parse(key)) < 0)
			return ld_fail(l, CATALOG_E_VALUE, "defaults", key,
			    "unknown kind \"%s\"", key);
		if (v == NULL || !json_object_is_type(v, json_type_string))
			return ld_fail(l, CATALOG_E_FIELD, "defaults", key,
			    "must be a model id string");
		if ((m = catalog_model(l->c, json_object_get_string(v))) == NULL)
			return ld_fail(l, CATALOG_E_REF, "defaults", key,
			    "unknown model \"%s\"", json_object_get_string(v));
		if ((int)m->kind != k)
			return ld_fail(l, CATALOG_E_VALUE, "defaults", key,
			    "model \"%s\" is of kind %s", m->id,
			    kind_names[m->kind]);
		l->c->defaults[k] = m;
	}
	return CATALOG_OK;
}

/* tasks[]: {task, variant, model}. */
static enum catalog_err
parse_tasks(struct ld *l, json_object *root)
{
	static const char *const keys[] = { "task", "variant", "model", NULL };
	struct catalog_task *t;
	json_object *arr, *it;
	const char *s;
	char path[64];
	enum catalog_err rc;
	size_t i, j, n;

	TRY(get_array(l, root, "", "tasks", 0, 0, &arr, &n));
	if ((t = ld_calloc(l, n, sizeof(*t))) == NULL)
		return CATALOG_E_NOMEM;
	for (i = 0; i < n; i++) {
		TRY(get_item(l, arr, "tasks", i, path, sizeof(path), &it));
		TRY(check_keys(l, it, path, keys));
		TRY(get_id(l, it, path, "task", 1, &t[i].task));
		if (!catalog_task_known(t[i].task))
			return ld_fail(l, CATALOG_E_VALUE, path, "task",
			    "unknown task \"%s\"", t[i].task);
		TRY(get_id(l, it, path, "variant", 0, &t[i].variant));
		TRY(get_id(l, it, path, "model", 1, &s));
		if ((t[i].model = catalog_model(l->c, s)) == NULL)
			return ld_fail(l, CATALOG_E_REF, path, "model",
			    "unknown model \"%s\"", s);
		for (j = 0; j < i; j++)
			if (strcmp(t[j].task, t[i].task) == 0 &&
			    (t[j].variant == NULL ? t[i].variant == NULL :
			    t[i].variant != NULL &&
			    strcmp(t[j].variant, t[i].variant) == 0))
				return ld_fail(l, CATALOG_E_DUP, path, "task",
				    "duplicate task \"%s\"", t[i].task);
	}
	l->c->tasks = t;
	l->c->ntasks = n;
	return CATALOG_OK;
}

/* packages[]: {code, name, price_usd_micros, credit_usd_micros}. */
static enum catalog_err
parse_packages(struct ld *l, json_object *root)
{
	static const char *const keys[] = { "code", "name", "price_usd_micros",
	    "credit_usd_micros", NULL };
	struct catalog_package *p;
	json_object *arr, *it;
	char path[64];
	enum catalog_err rc;
	size_t i, j, n;

	TRY(get_array(l, root, "", "packages", 0, 0, &arr, &n));
	if ((p = ld_calloc(l, n, sizeof(*p))) == NULL)
		return CATALOG_E_NOMEM;
	for (i = 0; i < n; i++) {
		TRY(get_item(l, arr, "packages", i, path, sizeof(path), &it));
		TRY(check_keys(l, it, path, keys));
		TRY(get_id(l, it, path, "code", 1, &p[i].code));
		for (j = 0; j < i; j++)
			if (strcmp(p[j].code, p[i].code) == 0)
				return ld_fail(l, CATALOG_E_DUP, path, "code",
				    "duplicate package code \"%s\"", p[i].code);
		TRY(get_str(l, it, path, "name", 1, MAX_STR, &p[i].name));
		TRY(get_int(l, it, path, "price_usd_micros", 1, 1, MAX_PACKAGE,
		    0, &p[i].price_micros));
		TRY(get_int(l, it, path, "credit_usd_micros", 1, 1, MAX_PACKAGE,
		    0, &p[i].credit_micros));
	}
	l->c->packages = p;
	l->c->npackages = n;
	return CATALOG_OK;
}

/* credit_packs[]: {id, name, credits, price_usd_micros}. */
static enum catalog_err
parse_packs(struct ld *l, json_object *root)
{
	static const char *const keys[] = { "id", "name", "credits",
	    "price_usd_micros", NULL };
	struct catalog_credit_pack *p;
	json_object *arr, *it;
	char path[64];
	enum catalog_err rc;
	size_t i, j, n;

	TRY(get_array(l, root, "", "credit_packs", 0, 0, &arr, &n));
	if ((p = ld_calloc(l, n, sizeof(*p))) == NULL)
		return CATALOG_E_NOMEM;
	for (i = 0; i < n; i++) {
		TRY(get_item(l, arr, "credit_packs", i, path, sizeof(path), &it));
		TRY(check_keys(l, it, path, keys));
		TRY(get_id(l, it, path, "id", 1, &p[i].id));
		for (j = 0; j < i; j++)
			if (strcmp(p[j].id, p[i].id) == 0)
				return ld_fail(l, CATALOG_E_DUP, path, "id",
				    "duplicate credit pack id \"%s\"", p[i].id);
		TRY(get_str(l, it, path, "name", 1, MAX_STR, &p[i].name));
		TRY(get_int(l, it, path, "credits", 1, 1, 1000000000, 0,
		    &p[i].credits));
		TRY(get_int(l, it, path, "price_usd_micros", 1, 1, MAX_PACKAGE,
		    0, &p[i].price_micros));
	}
	l->c->packs = p;
	l->c->npacks = n;
	return CATALOG_OK;
}

/* prisms[]: {id, name, category, compatible_with[], description, preview_url}. */
static enum catalog_err
parse_prisms(struct ld *l, json_object *root)
{
	static const char *const keys[] = { "id", "name", "category",
	    "compatible_with", "description", "preview_url", NULL };
	struct catalog_prism *p;
	json_object *arr, *it, *carr, *v;
	const char *s;
	char path[64];
	enum catalog_err rc;
	size_t i, j, n, nc;
	int k;

	TRY(get_array(l, root, "", "prisms", 0, 0, &arr, &n));
	if ((p = ld_calloc(l, n, sizeof(*p))) == NULL)
		return CATALOG_E_NOMEM;
	for (i = 0; i < n; i++) {
		TRY(get_item(l, arr, "prisms", i, path, sizeof(path), &it));
		TRY(check_keys(l, it, path, keys));
		TRY(get_id(l, it, path, "id", 1, &p[i].id));
		for (j = 0; j < i; j++)
			if (strcmp(p[j].id, p[i].id) == 0)
				return ld_fail(l, CATALOG_E_DUP, path, "id",
				    "duplicate prism id \"%s\"", p[i].id);
		TRY(get_str(l, it, path, "name", 1, MAX_STR, &p[i].name));
		TRY(get_id(l, it, path, "category", 1, &p[i].category));
		TRY(get_str(l, it, path, "description", 0, MAX_STR,
		    &p[i].description));
		TRY(get_str(l, it, path, "preview_url", 0, 2048,
		    &p[i].preview_url));
		TRY(get_array(l, it, path, "compatible_with", 1, 1, &carr, &nc));
		for (j = 0; j < nc; j++) {
			v = json_object_array_get_idx(carr, j);
			s = v != NULL && json_object_is_type(v,
			    json_type_string) ? json_object_get_string(v) : "?";
			k = catalog_kind_parse(s);
			if (k != CATALOG_KIND_IMAGE && k != CATALOG_KIND_VIDEO &&
			    k != CATALOG_KIND_AUDIO)
				return ld_fail(l, CATALOG_E_VALUE, path,
				    "compatible_with", "item %zu: \"%s\" is "
				    "not image|video|audio", j, s);
			p[i].compat |= 1u << k;
		}
	}
	l->c->prisms = p;
	l->c->nprisms = n;
	return CATALOG_OK;
}

static enum catalog_err
parse_root(struct ld *l, json_object *root)
{
	static const char *const keys[] = { "version", "currency",
	    "credit_usd_micros", "defaults", "providers", "multipliers",
	    "models", "operations", "tasks", "packages", "credit_packs",
	    "prisms", NULL };
	enum catalog_err rc;

	if (!json_object_is_type(root, json_type_object))
		return ld_fail(l, CATALOG_E_FIELD, "$", NULL,
		    "catalog must be a JSON object");
	TRY(check_keys(l, root, "", keys));
	TRY(get_str(l, root, "", "version", 1, 64, &l->c->version));
	TRY(get_str(l, root, "", "currency", 0, 8, &l->c->currency));
	if (l->c->currency == NULL)
		l->c->currency = "USD";
	else if (strcmp(l->c->currency, "USD") != 0)
		return ld_fail(l, CATALOG_E_VALUE, "", "currency",
		    "only USD is supported (got \"%s\")", l->c->currency);
	TRY(get_int(l, root, "", "credit_usd_micros", 0, 1, 1000000000,
	    10000, &l->c->credit_usd_micros));
	TRY(parse_providers(l, root));
	TRY(parse_multipliers(l, root));
	TRY(parse_models(l, root));
	TRY(parse_ops(l, root));
	TRY(parse_defaults(l, root));
	TRY(parse_tasks(l, root));
	TRY(parse_packages(l, root));
	TRY(parse_packs(l, root));
	TRY(parse_prisms(l, root));
	return CATALOG_OK;
}

enum catalog_err
catalog_load_buf(const char *buf, size_t len, struct catalog **out,
    char *err, size_t errlen)
{
	struct json_tokener *tok = NULL;
	json_object *root = NULL;
	struct catalog *c = NULL;
	struct ld l;
	enum catalog_err rc;
	size_t end;

	*out = NULL;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	l.c = NULL;
	l.err = err;
	l.errlen = errlen;
	if (buf == NULL || len > CATALOG_MAX_FILE)
		return ld_fail(&l, CATALOG_E_IO, "$", NULL,
		    "catalog larger than %d bytes", CATALOG_MAX_FILE);
	if ((tok = json_tokener_new_ex(32)) == NULL)
		return CATALOG_E_NOMEM;
	root = json_tokener_parse_ex(tok, buf, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (root == NULL || json_tokener_get_error(tok) != json_tokener_success) {
		rc = ld_fail(&l, CATALOG_E_JSON, "$", NULL, "%s at byte %zu",
		    json_tokener_error_desc(json_tokener_get_error(tok)), end);
		goto err;
	}
	while (end < len && strchr(" \t\r\n", buf[end]) != NULL)
		end++;
	if (end != len) {
		rc = ld_fail(&l, CATALOG_E_JSON, "$", NULL,
		    "trailing bytes after the JSON value at byte %zu", end);
		goto err;
	}
	/* From here the catalog and its arena are held. */
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		rc = CATALOG_E_NOMEM;
		goto err;
	}
	if (mg_arena_init(&c->arena, 64 * 1024) != 0) {
		free(c);
		c = NULL;
		rc = CATALOG_E_NOMEM;
		goto err;
	}
	l.c = c;
	if ((rc = parse_root(&l, root)) != CATALOG_OK)
		goto err;
	json_object_put(root);
	json_tokener_free(tok);
	*out = c;
	return CATALOG_OK;
err:
	if (rc == CATALOG_E_NOMEM && err != NULL && errlen > 0 && !err[0])
		snprintf(err, errlen, "out of memory");
	catalog_free(c);
	json_object_put(root);
	json_tokener_free(tok);
	return rc;
}

enum catalog_err
catalog_load_file(const char *path, struct catalog **out, char *err,
    size_t errlen)
{
	enum catalog_err rc;
	FILE *f;
	char *buf;
	size_t n;

	*out = NULL;
	if ((f = fopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return CATALOG_E_IO;
	}
	if ((buf = malloc(CATALOG_MAX_FILE + 1)) == NULL) {
		fclose(f);
		return CATALOG_E_NOMEM;
	}
	n = fread(buf, 1, CATALOG_MAX_FILE + 1, f);
	if (ferror(f) || n > CATALOG_MAX_FILE) {
		snprintf(err, errlen, "%s: %s", path, ferror(f) ?
		    "read error" : "file too large");
		fclose(f);
		free(buf);
		return CATALOG_E_IO;
	}
	fclose(f);
	rc = catalog_load_buf(buf, n, out, err, errlen);
	free(buf);
	return rc;
}

enum catalog_err
catalog_load_default(struct catalog **out, char *err, size_t errlen)
{
	return catalog_load_file(mg_cfg_str("catalog_path",
	    CATALOG_DEFAULT_PATH), out, err, errlen);
}

void
catalog_free(struct catalog *c)
{
	if (c == NULL)
		return;
	mg_arena_free(&c->arena);
	free(c);
}
