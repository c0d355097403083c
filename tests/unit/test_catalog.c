/*
 * test_catalog: the catalog loader, the pricing function, the seed request
 * mapping and the renderers. Every loader rule has a named negative test
 * fed from a small JSON catalog with one mutation; prices are computed by
 * hand in the comments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "../lib/mgtest.h"
#include "catalog.h"
#include "catalog_price.h"
#include "catalog_render.h"

static struct catalog *shipped;

static json_object	*get(json_object *, const char *);

/* A small valid catalog every negative test mutates in one place. */
static const char base_json[] =
"{\"version\":\"t-1\",\"credit_usd_micros\":10000,"
"\"defaults\":{\"image\":\"img\"},"
"\"providers\":[{\"id\":\"local\",\"adapter\":\"local\"},"
"{\"id\":\"fal\",\"adapter\":\"fal\"}],"
"\"multipliers\":[{\"id\":\"hd\",\"flag\":\"high_detail\",\"bps\":15000}],"
"\"models\":["
"{\"id\":\"img\",\"kind\":\"image\",\"provider\":\"local\","
"\"upstream\":{\"fal\":\"fal-ai/x\"},\"max_outputs\":4,"
"\"max_prompt_chars\":100,\"sizes\":{\"multiple\":32,\"max_pixels\":4194304,"
"\"default_aspect_ratio\":\"1:1\",\"aspect_ratios\":{\"1:1\":\"1024x1024\","
"\"16:9\":\"1344x768\"}},\"eta_ms\":{\"base\":1000,\"per_unit\":1000}},"
"{\"id\":\"vid\",\"kind\":\"video\",\"provider\":\"local\","
"\"duration_ms\":{\"min\":1000,\"max\":10000,\"default\":5000,"
"\"allowed\":[5000,10000]}},"
"{\"id\":\"tts\",\"kind\":\"audio\",\"provider\":\"local\","
"\"max_text_chars\":5000},"
"{\"id\":\"big\",\"kind\":\"image\",\"provider\":\"local\",\"max_outputs\":100,"
"\"sizes\":{\"multiple\":1,\"max_pixels\":268435456,"
"\"default_aspect_ratio\":\"1:1\",\"aspect_ratios\":{\"1:1\":\"16384x16384\"}}},"
"{\"id\":\"long\",\"kind\":\"video\",\"provider\":\"local\","
"\"duration_ms\":{\"min\":1,\"max\":86400000,\"default\":1000}}"
"],"
"\"operations\":["
"{\"id\":\"img.mp\",\"model\":\"img\",\"unit\":\"megapixel\","
"\"price_usd_micros\":3000,\"multipliers\":[\"hd\"]},"
"{\"id\":\"vid.s\",\"model\":\"vid\",\"unit\":\"second\",\"price_usd_micros\":50000},"
"{\"id\":\"tts.k\",\"model\":\"tts\",\"unit\":\"1k_chars\",\"price_usd_micros\":250},"
"{\"id\":\"big.mp\",\"model\":\"big\",\"unit\":\"megapixel\","
"\"price_usd_micros\":1000000000},"
"{\"id\":\"long.s\",\"model\":\"long\",\"unit\":\"second\","
"\"price_usd_micros\":1000000000}"
"],"
"\"tasks\":[{\"task\":\"image.generate\",\"model\":\"img\"}],"
"\"packages\":[{\"code\":\"p5\",\"name\":\"$5\",\"price_usd_micros\":5000000,"
"\"credit_usd_micros\":5000000}],"
"\"credit_packs\":[{\"id\":\"starter\",\"name\":\"Starter\",\"credits\":1000,"
"\"price_usd_micros\":10000000}],"
"\"prisms\":[{\"id\":\"noir\",\"name\":\"Noir\",\"category\":\"color\","
"\"compatible_with\":[\"image\",\"video\"]}]"
"}";

/*
 * Walk a dotted path ("models.0.sizes.multiple") in root and set the last
 * component to value (JSON text), or delete it when value is NULL.
 */
static void
mutate(json_object *root, const char *path, const char *value)
{
	char buf[256], *tok, *next, *save = NULL;
	json_object *cur = root, *child, *v = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	tok = strtok_r(buf, ".", &save);
	while (tok != NULL) {
		next = strtok_r(NULL, ".", &save);
		if (next == NULL)
			break;
		if (json_object_is_type(cur, json_type_array))
			child = json_object_array_get_idx(cur, (size_t)atoi(tok));
		else if (!json_object_object_get_ex(cur, tok, &child))
			child = NULL;
		CU_ASSERT_FATAL(child != NULL);
		cur = child;
		tok = next;
	}
	if (value != NULL) {
		v = json_tokener_parse(value);
		CU_ASSERT_FATAL(v != NULL || strcmp(value, "null") == 0);
	}
	if (json_object_is_type(cur, json_type_array)) {
		CU_ASSERT_FATAL(value != NULL);
		json_object_array_put_idx(cur, (size_t)atoi(tok), v);
	} else if (value == NULL) {
		json_object_object_del(cur, tok);
	} else {
		json_object_object_add(cur, tok, v);
	}
}

/*
 * Load base_json with path set to value (NULL: deleted). Returns the loader
 * result; err gets its message. Frees any catalog it loads.
 */
static enum catalog_err
load_mut(const char *path, const char *value, char *err, size_t errlen)
{
	struct catalog *c = NULL;
	json_object *root;
	enum catalog_err rc;
	const char *txt;

	root = json_tokener_parse(base_json);
	CU_ASSERT_FATAL(root != NULL);
	if (path != NULL)
		mutate(root, path, value);
	txt = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
	rc = catalog_load_buf(txt, strlen(txt), &c, err, errlen);
	catalog_free(c);
	json_object_put(root);
	return rc;
}

/* Assert a mutation is rejected with rc and a message naming where. */
#define REJECT(path, value, want_rc, where) do {			\
	char err_[256];							\
	enum catalog_err rc_ = load_mut(path, value, err_, sizeof(err_)); \
	CU_ASSERT_EQUAL(rc_, want_rc);					\
	CU_ASSERT_PTR_NOT_NULL(strstr(err_, where));			\
	if (rc_ != (want_rc) || strstr(err_, where) == NULL)		\
		printf("\n  got rc=%d err=\"%s\"\n", rc_, err_);	\
} while (0)

static struct catalog *
load_base(void)
{
	struct catalog *c = NULL;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(catalog_load_buf(base_json, strlen(base_json),
	    &c, err, sizeof(err)), CATALOG_OK);
	return c;
}

static int
suite_init(void)
{
	char err[256];

	if (catalog_load_file(CATALOG_DEFAULT_PATH, &shipped, err,
	    sizeof(err)) != CATALOG_OK) {
		fprintf(stderr, "shipped catalog: %s\n", err);
		return 1;
	}
	return 0;
}

static int
suite_clean(void)
{
	catalog_free(shipped);
	shipped = NULL;
	return 0;
}

/* ---- the shipped catalog ------------------------------------------------ */

static void
test_shipped_loads(void)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(shipped);
	CU_ASSERT_STRING_EQUAL(catalog_version(shipped), "2026-11-23.1");
	CU_ASSERT_STRING_EQUAL(shipped->currency, "USD");
	CU_ASSERT_EQUAL(shipped->credit_usd_micros, 10000);
	CU_ASSERT(shipped->nmodels >= 20);
	CU_ASSERT_EQUAL(shipped->nops, shipped->nmodels);
}

static void
test_shipped_every_model_local_and_priced(void)
{
	size_t i;

	for (i = 0; i < shipped->nmodels; i++) {
		CU_ASSERT_STRING_EQUAL(shipped->models[i].provider->id, "local");
		CU_ASSERT_PTR_NOT_NULL(shipped->models[i].op);
		CU_ASSERT_PTR_EQUAL(shipped->models[i].op->model,
		    &shipped->models[i]);
	}
	CU_ASSERT_PTR_NOT_NULL(catalog_provider(shipped, "fal"));
	CU_ASSERT_PTR_NOT_NULL(catalog_provider(shipped, "replicate"));
	CU_ASSERT_PTR_NOT_NULL(catalog_provider(shipped, "elevenlabs"));
}

static void
test_shipped_lookups(void)
{
	const struct catalog_model *m;
	const struct catalog_op *op;

	m = catalog_model(shipped, "fal-ai/flux/schnell");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m->kind, CATALOG_KIND_IMAGE);
	CU_ASSERT_EQUAL(m->op->unit, CATALOG_UNIT_MEGAPIXEL);
	CU_ASSERT_EQUAL(m->op->price_micros, 3000);
	CU_ASSERT_STRING_EQUAL(catalog_upstream_model(m, "fal"),
	    "fal-ai/flux/schnell");
	CU_ASSERT_PTR_NULL(catalog_upstream_model(m, "elevenlabs"));
	op = catalog_op(shipped, "compose.stitch_per_minute");
	CU_ASSERT_PTR_NOT_NULL_FATAL(op);
	CU_ASSERT_EQUAL(op->unit, CATALOG_UNIT_MINUTE);
	CU_ASSERT_PTR_NULL(catalog_model(shipped, "no/such"));
	CU_ASSERT_PTR_NULL(catalog_op(shipped, "no.such"));
	CU_ASSERT_PTR_EQUAL(catalog_default_model(shipped, CATALOG_KIND_IMAGE),
	    m);
}

static void
test_shipped_tasks_resolve(void)
{
	static const char *const tasks[] = { "image.generate", "image.edit",
	    "video.generate", "video.combine", "video.resize", "audio.speak",
	    "audio.annotation.reference", "ace.step.create",
	    "moss.sound.effect", "trellis.generate", "sheet.generate",
	    "scene.generate", "scene.video", NULL };
	const struct catalog_model *m;
	size_t i;

	for (i = 0; tasks[i] != NULL; i++)
		CU_ASSERT_PTR_NOT_NULL(catalog_task_model(shipped, tasks[i], NULL));
	m = catalog_task_model(shipped, "audio.speak", "gemini");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_STRING_EQUAL(m->id, "kt/gemini-3.1-flash-tts");
	m = catalog_task_model(shipped, "audio.speak", "omnivoice");
	CU_ASSERT_STRING_EQUAL(m->id, "kt/omnivoice");
	CU_ASSERT_PTR_NULL(catalog_task_model(shipped, "no.task", NULL));
}

static void
test_shipped_packs_and_packages(void)
{
	static const struct { const char *id; int64_t credits, usd; } want[] = {
		{ "starter", 1000, 10 }, { "creator", 3000, 30 },
		{ "studio", 11000, 100 }, { "enterprise", 30000, 260 },
	};
	const struct catalog_credit_pack *p;
	size_t i;

	for (i = 0; i < 4; i++) {
		p = catalog_credit_pack(shipped, want[i].id);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		CU_ASSERT_EQUAL(p->credits, want[i].credits);
		CU_ASSERT_EQUAL(p->price_micros, want[i].usd * 1000000);
	}
	CU_ASSERT_PTR_NOT_NULL(catalog_package(shipped, "usd_5"));
	CU_ASSERT_PTR_NULL(catalog_package(shipped, "usd_7"));
	CU_ASSERT_PTR_NOT_NULL(catalog_prism(shipped, "film-noir"));
}

static void
test_load_missing_file(void)
{
	struct catalog *c = NULL;
	char err[256];

	CU_ASSERT_EQUAL(catalog_load_file("/nonexistent/catalog.json", &c, err,
	    sizeof(err)), CATALOG_E_IO);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/catalog.json"));
}

static void
test_base_loads(void)
{
	char err[256];

	CU_ASSERT_EQUAL(load_mut(NULL, NULL, err, sizeof(err)), CATALOG_OK);
}

/* ---- loader: one named negative test per rule --------------------------- */

static void
test_reject_not_json(void)
{
	struct catalog *c = NULL;
	char err[256];

	CU_ASSERT_EQUAL(catalog_load_buf("{\"version\":", 11, &c, err,
	    sizeof(err)), CATALOG_E_JSON);
	CU_ASSERT_PTR_NULL(c);
}

static void
test_reject_trailing_bytes(void)
{
	struct catalog *c = NULL;
	char err[256];
	char buf[sizeof(base_json) + 8];

	snprintf(buf, sizeof(buf), "%s xyz", base_json);
	CU_ASSERT_EQUAL(catalog_load_buf(buf, strlen(buf), &c, err,
	    sizeof(err)), CATALOG_E_JSON);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "trailing"));
}

static void
test_reject_root_not_object(void)
{
	struct catalog *c = NULL;
	char err[256];

	CU_ASSERT_EQUAL(catalog_load_buf("[1,2]", 5, &c, err, sizeof(err)),
	    CATALOG_E_FIELD);
}

static void
test_reject_missing_version(void)
{
	REJECT("version", NULL, CATALOG_E_FIELD, "version: missing");
}

static void
test_reject_version_not_string(void)
{
	REJECT("version", "5", CATALOG_E_FIELD, "version: must be a string");
}

static void
test_reject_empty_string(void)
{
	REJECT("version", "\"\"", CATALOG_E_VALUE, "version: must not be empty");
}

static void
test_reject_unknown_top_field(void)
{
	REJECT("pricez", "1", CATALOG_E_FIELD, "pricez: unknown field");
}

static void
test_reject_non_usd_currency(void)
{
	REJECT("currency", "\"EUR\"", CATALOG_E_VALUE, "currency");
}

static void
test_reject_missing_providers(void)
{
	REJECT("providers", NULL, CATALOG_E_FIELD, "providers: missing");
}

static void
test_reject_unknown_adapter(void)
{
	REJECT("providers.1.adapter", "\"openai\"", CATALOG_E_VALUE,
	    "providers[1].adapter: unknown adapter");
}

static void
test_reject_duplicate_provider(void)
{
	REJECT("providers.1.id", "\"local\"", CATALOG_E_DUP,
	    "providers[1].id: duplicate provider");
}

static void
test_reject_unknown_multiplier_flag(void)
{
	REJECT("multipliers.0.flag", "\"turbo\"", CATALOG_E_VALUE,
	    "multipliers[0].flag: unknown quality flag");
}

static void
test_reject_multiplier_above_range(void)
{
	REJECT("multipliers.0.bps", "100001", CATALOG_E_VALUE,
	    "multipliers[0].bps: multiplier 100001 bps out of range");
}

static void
test_reject_multiplier_below_range(void)
{
	REJECT("multipliers.0.bps", "999", CATALOG_E_VALUE,
	    "multipliers[0].bps: multiplier 999 bps out of range");
}

static void
test_reject_multiplier_fractional(void)
{
	REJECT("multipliers.0.bps", "1.5", CATALOG_E_FIELD,
	    "multipliers[0].bps: must be an integer");
}

static void
test_reject_unknown_kind(void)
{
	REJECT("models.0.kind", "\"4d\"", CATALOG_E_VALUE,
	    "models[0].kind: unknown kind \"4d\"");
}

static void
test_reject_duplicate_model_id(void)
{
	REJECT("models.1.id", "\"img\"", CATALOG_E_DUP,
	    "models[1].id: duplicate model id \"img\"");
}

static void
test_reject_missing_provider(void)
{
	REJECT("models.0.provider", NULL, CATALOG_E_FIELD,
	    "models[0].provider: missing");
}

static void
test_reject_unknown_provider(void)
{
	REJECT("models.2.provider", "\"acme\"", CATALOG_E_REF,
	    "models[2].provider: unknown provider \"acme\"");
}

static void
test_reject_unknown_upstream_provider(void)
{
	REJECT("models.0.upstream.acme", "\"x/y\"", CATALOG_E_REF,
	    "models[0].upstream.acme: unknown provider");
}

static void
test_reject_bad_id_character(void)
{
	REJECT("models.0.id", "\"img one\"", CATALOG_E_VALUE,
	    "models[0].id: bad character ' '");
}

static void
test_reject_unknown_model_field(void)
{
	REJECT("models.0.colour", "1", CATALOG_E_FIELD,
	    "models[0].colour: unknown field");
}

static void
test_reject_image_without_sizes(void)
{
	REJECT("models.0.sizes", NULL, CATALOG_E_FIELD, "models[0].sizes: missing");
}

static void
test_reject_size_not_multiple(void)
{
	REJECT("models.0.sizes.aspect_ratios.1:1", "\"1000x1000\"",
	    CATALOG_E_VALUE, "models[0].sizes.aspect_ratios.1:1: 1000x1000 is "
	    "not a multiple of 32");
}

static void
test_reject_size_over_max_pixels(void)
{
	REJECT("models.0.sizes.aspect_ratios.1:1", "\"4096x4096\"",
	    CATALOG_E_VALUE, "exceeds max_pixels");
}

static void
test_reject_malformed_size(void)
{
	REJECT("models.0.sizes.aspect_ratios.1:1", "\"big\"", CATALOG_E_VALUE,
	    "models[0].sizes.aspect_ratios.1:1: size must be \"WxH\"");
}

static void
test_reject_bad_aspect_key(void)
{
	REJECT("models.0.sizes.aspect_ratios.square", "\"1024x1024\"",
	    CATALOG_E_VALUE, "aspect_ratios.square: aspect ratio must look like");
}

static void
test_reject_default_aspect_not_offered(void)
{
	REJECT("models.0.sizes.default_aspect_ratio", "\"4:3\"", CATALOG_E_REF,
	    "models[0].sizes.default_aspect_ratio: \"4:3\" is not in");
}

static void
test_reject_duration_max_below_min(void)
{
	REJECT("models.1.duration_ms.max", "500", CATALOG_E_VALUE,
	    "models[1].duration_ms.max: duration max 500 < min 1000");
}

static void
test_reject_default_duration_out_of_range(void)
{
	REJECT("models.1.duration_ms.default", "20000", CATALOG_E_VALUE,
	    "models[1].duration_ms.default: out of range");
}

static void
test_reject_allowed_duration_out_of_range(void)
{
	REJECT("models.1.duration_ms.allowed.1", "20000", CATALOG_E_VALUE,
	    "models[1].duration_ms.allowed: item 1 (20000) outside");
}

static void
test_reject_default_not_allowed(void)
{
	REJECT("models.1.duration_ms.default", "7000", CATALOG_E_VALUE,
	    "default 7000 is not allowed");
}

static void
test_reject_max_outputs_zero(void)
{
	REJECT("models.0.max_outputs", "0", CATALOG_E_VALUE,
	    "models[0].max_outputs: out of range");
}

static void
test_reject_max_outputs_too_many(void)
{
	REJECT("models.0.max_outputs", "101", CATALOG_E_VALUE,
	    "models[0].max_outputs: out of range");
}

static void
test_reject_negative_price(void)
{
	REJECT("operations.0.price_usd_micros", "-1", CATALOG_E_VALUE,
	    "operations[0].price_usd_micros: must not be negative");
}

static void
test_reject_price_too_high(void)
{
	REJECT("operations.0.price_usd_micros", "1000000001", CATALOG_E_VALUE,
	    "operations[0].price_usd_micros: out of range");
}

static void
test_reject_fractional_price(void)
{
	REJECT("operations.0.price_usd_micros", "0.003", CATALOG_E_FIELD,
	    "operations[0].price_usd_micros: must be an integer");
}

static void
test_reject_huge_price(void)
{
	REJECT("operations.0.price_usd_micros", "99999999999999999999",
	    CATALOG_E_VALUE, "operations[0].price_usd_micros: out of range");
}

static void
test_reject_unknown_unit(void)
{
	REJECT("operations.0.unit", "\"token\"", CATALOG_E_VALUE,
	    "operations[0].unit: unknown unit \"token\"");
}

static void
test_reject_unit_wrong_for_kind(void)
{
	REJECT("operations.0.unit", "\"second\"", CATALOG_E_VALUE,
	    "operations[0].unit: unit \"second\" cannot price a image model");
}

static void
test_reject_per_second_without_duration(void)
{
	REJECT("operations.2.unit", "\"second\"", CATALOG_E_VALUE,
	    "needs model \"tts\" to have duration_ms");
}

static void
test_reject_kchars_without_text_limit(void)
{
	REJECT("models.2.max_text_chars", NULL, CATALOG_E_VALUE,
	    "operations[2].unit: unit \"1k_chars\" needs model \"tts\"");
}

static void
test_reject_op_unknown_model(void)
{
	REJECT("operations.0.model", "\"ghost\"", CATALOG_E_REF,
	    "operations[0].model: unknown model \"ghost\"");
}

static void
test_reject_model_priced_twice(void)
{
	REJECT("operations.1.model", "\"img\"", CATALOG_E_DUP,
	    "operations[1].model: model \"img\" is already priced");
}

static void
test_reject_double_pricing_variants(void)
{
	/* Price tts twice over: vid loses its operation first. */
	REJECT("operations.1.model", "\"long\"", CATALOG_E_DUP, "already priced");
	REJECT("operations.1", "{\"id\":\"x\",\"model\":\"tts\",\"unit\":"
	    "\"request\",\"price_usd_micros\":1}", CATALOG_E_DUP,
	    "operations[2].model: model \"tts\" is already priced");
	REJECT("operations.4", "{\"id\":\"x\",\"model\":\"big\",\"unit\":"
	    "\"image\",\"price_usd_micros\":1}", CATALOG_E_DUP, "already priced");
}

static void
test_reject_unpriced_model(void)
{
	REJECT("models.5", "{\"id\":\"orphan\",\"kind\":\"3d\","
	    "\"provider\":\"local\"}", CATALOG_E_REF,
	    "models[5]: no operation prices model \"orphan\"");
}

static void
test_reject_op_unknown_multiplier(void)
{
	REJECT("operations.0.multipliers.0", "\"ultra\"", CATALOG_E_REF,
	    "operations[0].multipliers: item 0: unknown multiplier \"ultra\"");
}

static void
test_reject_duplicate_operation(void)
{
	REJECT("operations.1.id", "\"img.mp\"", CATALOG_E_DUP,
	    "operations[1].id: duplicate operation id");
}

static void
test_reject_default_unknown_kind(void)
{
	REJECT("defaults.hologram", "\"img\"", CATALOG_E_VALUE,
	    "defaults.hologram: unknown kind");
}

static void
test_reject_default_wrong_kind(void)
{
	REJECT("defaults.video", "\"img\"", CATALOG_E_VALUE,
	    "defaults.video: model \"img\" is of kind image");
}

static void
test_reject_default_unknown_model(void)
{
	REJECT("defaults.image", "\"ghost\"", CATALOG_E_REF,
	    "defaults.image: unknown model");
}

static void
test_reject_unknown_task(void)
{
	REJECT("tasks.0.task", "\"image.dream\"", CATALOG_E_VALUE,
	    "tasks[0].task: unknown task \"image.dream\"");
}

static void
test_reject_task_unknown_model(void)
{
	REJECT("tasks.0.model", "\"ghost\"", CATALOG_E_REF,
	    "tasks[0].model: unknown model");
}

static void
test_reject_duplicate_task(void)
{
	REJECT("tasks.1", "{\"task\":\"image.generate\",\"model\":\"big\"}",
	    CATALOG_E_DUP, "tasks[1].task: duplicate task");
}

static void
test_reject_package_zero_price(void)
{
	REJECT("packages.0.price_usd_micros", "0", CATALOG_E_VALUE,
	    "packages[0].price_usd_micros: out of range");
}

static void
test_reject_duplicate_package(void)
{
	REJECT("packages.1", "{\"code\":\"p5\",\"name\":\"again\","
	    "\"price_usd_micros\":1,\"credit_usd_micros\":1}", CATALOG_E_DUP,
	    "packages[1].code: duplicate package code");
}

static void
test_reject_credit_pack_zero_credits(void)
{
	REJECT("credit_packs.0.credits", "0", CATALOG_E_VALUE,
	    "credit_packs[0].credits: out of range");
}

static void
test_reject_prism_bad_media_type(void)
{
	REJECT("prisms.0.compatible_with.1", "\"3d\"", CATALOG_E_VALUE,
	    "prisms[0].compatible_with: item 1: \"3d\" is not image|video|audio");
}

static void
test_reject_prism_empty_compat(void)
{
	REJECT("prisms.0.compatible_with", "[]", CATALOG_E_VALUE,
	    "prisms[0].compatible_with: must not be empty");
}

static void
test_reject_model_item_not_object(void)
{
	REJECT("models.1", "\"vid\"", CATALOG_E_FIELD,
	    "models[1]: must be an object");
}

static void
test_reject_id_too_long(void)
{
	char v[160];

	memset(v, 'a', sizeof(v));
	v[0] = '"';
	v[CATALOG_MAX_ID + 2] = '"';
	v[CATALOG_MAX_ID + 3] = '\0';
	REJECT("models.0.id", v, CATALOG_E_VALUE,
	    "models[0].id: longer than 120 characters");
}

static void
test_reject_bool_wrong_type(void)
{
	REJECT("models.1.supports_audio", "\"yes\"", CATALOG_E_FIELD,
	    "models[1].supports_audio: must be a boolean");
}

static void
test_reject_array_wrong_type(void)
{
	REJECT("operations", "{}", CATALOG_E_FIELD,
	    "operations: must be an array");
}

static void
test_reject_object_wrong_type(void)
{
	REJECT("models.0.sizes", "[1]", CATALOG_E_FIELD,
	    "models[0].sizes: must be an object");
}

static void
test_reject_duplicate_multiplier(void)
{
	REJECT("multipliers.1", "{\"id\":\"hd\",\"flag\":\"upscale\","
	    "\"bps\":12500}", CATALOG_E_DUP,
	    "multipliers[1].id: duplicate multiplier id");
}

static void
test_reject_size_multiple_zero(void)
{
	REJECT("models.0.sizes.multiple", "0", CATALOG_E_VALUE,
	    "models[0].sizes.multiple: out of range");
}

static void
test_reject_missing_aspect_ratios(void)
{
	REJECT("models.0.sizes.aspect_ratios", NULL, CATALOG_E_FIELD,
	    "models[0].sizes.aspect_ratios: missing");
}

static void
test_reject_empty_aspect_ratios(void)
{
	REJECT("models.0.sizes.aspect_ratios", "{}", CATALOG_E_VALUE,
	    "models[0].sizes.aspect_ratios: must not be empty");
}

static void
test_reject_allowed_duration_not_integer(void)
{
	REJECT("models.1.duration_ms.allowed.0", "\"5s\"", CATALOG_E_FIELD,
	    "models[1].duration_ms.allowed: item 0 must be an integer");
}

static void
test_reject_upstream_not_string(void)
{
	REJECT("models.0.upstream.fal", "7", CATALOG_E_VALUE,
	    "models[0].upstream.fal: must be a model id string");
}

static void
test_reject_capability_not_string(void)
{
	REJECT("models.0.capabilities", "[\"t2i\",3]", CATALOG_E_FIELD,
	    "models[0].capabilities: item 1 must be a non-empty string");
}

static void
test_reject_default_not_string(void)
{
	REJECT("defaults.image", "1", CATALOG_E_FIELD,
	    "defaults.image: must be a model id string");
}

static void
test_reject_duplicate_credit_pack(void)
{
	REJECT("credit_packs.1", "{\"id\":\"starter\",\"name\":\"S\","
	    "\"credits\":1,\"price_usd_micros\":1}", CATALOG_E_DUP,
	    "credit_packs[1].id: duplicate credit pack id");
}

static void
test_reject_duplicate_prism(void)
{
	REJECT("prisms.1", "{\"id\":\"noir\",\"name\":\"N\","
	    "\"category\":\"c\",\"compatible_with\":[\"audio\"]}",
	    CATALOG_E_DUP, "prisms[1].id: duplicate prism id");
}

static void
test_reject_credit_value_zero(void)
{
	REJECT("credit_usd_micros", "0", CATALOG_E_VALUE,
	    "credit_usd_micros: out of range");
}

static void
test_reject_unknown_eta_field(void)
{
	REJECT("models.0.eta_ms.p95", "1", CATALOG_E_FIELD,
	    "models[0].eta_ms.p95: unknown field");
}

/* ---- pricing: hand-computed examples ------------------------------------ */

static enum catalog_price_err
price_model(const char *model, int32_t w, int32_t h, const char *aspect,
    int64_t dur_ms, int64_t chars, int32_t count, unsigned flags,
    struct catalog_quote *q)
{
	struct catalog_price_req r;

	catalog_price_req_init(&r);
	snprintf(r.model, sizeof(r.model), "%s", model);
	r.width = w;
	r.height = h;
	snprintf(r.aspect, sizeof(r.aspect), "%s", aspect ? aspect : "");
	r.duration_ms = dur_ms;
	r.chars = chars;
	r.count = count;
	r.flags = flags;
	return catalog_price(shipped, &r, q);
}

static void
test_price_per_megapixel_default_size(void)
{
	struct catalog_quote q;

	/* 1024x1024 = 1,048,576 px; ceil(3000 * 1048576 / 1e6) = ceil(3145.728). */
	CU_ASSERT_EQUAL_FATAL(price_model("fal-ai/flux/schnell", 0, 0, NULL, 0,
	    0, 0, 0, &q), CATALOG_PRICE_OK);
	CU_ASSERT_EQUAL(q.total_micros, 3146);
	CU_ASSERT_EQUAL(q.width, 1024);
	CU_ASSERT_EQUAL(q.height, 1024);
	CU_ASSERT_STRING_EQUAL(q.aspect, "1:1");
	CU_ASSERT_EQUAL(q.nlines, 1);
	CU_ASSERT_EQUAL(q.lines[0].qty_num, 1048576);
	CU_ASSERT_EQUAL(q.lines[0].qty_den, 1000000);
	CU_ASSERT_EQUAL(q.lines[0].unit_price_micros, 3000);
	CU_ASSERT_EQUAL(q.credits, 1);		/* ceil(3146 / 10000) */
	CU_ASSERT_STRING_EQUAL(q.catalog_version, "2026-11-23.1");
	/* eta: 1500 + ceil(1000 * 1048576 / 1e6) = 2549 ms -> 3 s */
	CU_ASSERT_EQUAL(q.estimated_seconds, 3);
}

static void
test_price_per_megapixel_aspect(void)
{
	struct catalog_quote q;

	/* 16:9 = 1344x768 = 1,032,192 px; 3000 * 1.032192 = 3096.576 -> 3097. */
	CU_ASSERT_EQUAL_FATAL(price_model("fal-ai/flux/schnell", 0, 0, "16:9",
	    0, 0, 0, 0, &q), CATALOG_PRICE_OK);
	CU_ASSERT_EQUAL(q.total_micros, 3097);
	CU_ASSERT_EQUAL(q.width, 1344);
	CU_ASSERT_EQUAL(q.height, 768);
}

static void
test_price_per_megapixel_explicit_and_count(void)
{
	struct catalog_quote q;

	/* 512x512 = 262,144 px: 786.432 -> 787. */
	CU_ASSERT_EQUAL_FATAL(price_model("fal-ai/flux/schnell", 512, 512, NULL,
	    0, 0, 0, 0, &q), CATALOG_PRICE_OK);
	CU_ASSERT_EQUAL(q.total_micros, 787);
	/* 4 images: ceil applies once to 4 * 262144 px = 3145.728 -> 3146. */
	CU_ASSERT_EQUAL_FATAL(price_model("fal-ai/flux/schnell", 512, 512, NULL,
	    0, 0, 4, 0, &q), CATALOG_PRICE_OK);
	CU_ASSERT_EQUAL(q.total_micros, 3146);
	CU_ASSERT_EQUAL(q.count, 4);
}

static void
test_price_per_image_count(void)
{
	struct catalog_quote q;

	/* 40,000 micros per image x 3. */
	CU_ASSERT_EQUAL_FATAL(price_model("fal-ai/flux-pro/v1.1", 0, 0, NULL, 0,
	    0, 3, 0, &q), CATALOG_PRICE_OK);
	CU_ASSERT_EQUAL(q.total_micros, 120000);
	CU_ASSERT_EQUAL(q.lines[0].qty_num, 3);
	CU_ASSERT_EQUAL(q.lines[0].qty_den, 1);
}

static void
test_price_video_per_second(void)
{
	struct catalog_quote q;

	/* 50,000 micros/s x 5 s = $0.25 (the default duration). */
	CU_ASSERT_EQUAL_FATAL(price_model("fal-ai/kling-3.0", 0, 0, NULL, 0, 0,
	    0, 0, &q), CATALOG_PRICE_OK);
	CU_ASSERT_EQUAL(q.total_micros, 250000);
	CU_ASSERT_EQUAL(q.duration_ms, 5000);
	CU_ASSERT_EQUAL_FATAL(price_model("fal-ai/kling-3.0", 0, 0, NULL, 10000,
	    0, 0, 0, &q), CATALOG_PRICE_OK);
	CU_ASSERT_EQUAL(q.total_micros, 500000);
}

static void
test_price_video_with_audio(void)
{
	struct catalog_quote q;

	/* 250,000 x 14000 bps = 350,000. */
	CU_ASSERT_EQUAL_FATAL(price_model("fal-ai/kling-3.0", 0, 0, NULL, 5000,
	    0, 0, CATALOG_F(CATALOG_FLAG_WITH_AUDIO), &q), CATALOG_PRICE_OK);
	CU_ASSERT_EQUAL(q.total_micros, 350000);
	CU_ASSERT_EQUAL(q.nlines, 2);
	CU_ASSERT_EQUAL(q.lines[1].bps, 14000);
	CU_ASSERT_STRING_EQUAL(q.lines[1].label, "with_audio");
}

static void
test_price_high_detail_plus_50(void)
{
	struct catalog_quote q;

	/* 4000/MP x 1.048576 = 4194.304 -> 4195; x1.5 = 6292.5 -> 6293. */
	CU_ASSERT_EQUAL_FATAL(price_model("kt/flux-2-klein", 0, 0, NULL, 0, 0,
	    0, 0, &q), CATALOG_PRICE_OK);
	CU_ASSERT_EQUAL(q.total_micros, 4195);
	CU_ASSERT_EQUAL_FATAL(price_model("kt/flux-2-klein", 0, 0, NULL, 0, 0,
	    0, CATALOG_F(CATALOG_FLAG_HIGH_DETAIL), &q), CATALOG_PRICE_OK);
	CU_ASSERT_EQUAL(q.total_micros, 6293);
	CU_ASSERT_EQUAL(q.lines[0].amount_micros, 4195);
	CU_ASSERT_EQUAL(q.lines[1].amount_micros, 6293);
	CU_ASSERT_EQUAL(q.flags_priced, CATALOG_F(CATALOG_FLAG_HIGH_DETAIL));
	/* Then upscale x1.25 in catalog order: 6293 * 1.25 = 7866.25 -> 7867. */
	CU_ASSERT_EQUAL_FATAL(price_model("kt/flux-2-klein", 0, 0, NULL, 0, 0,
	    0, CATALOG_F(CATALOG_FLAG_HIGH_DETAIL) |
	    CATALOG_F(CATALOG_FLAG_UPSCALE), &q), CATALOG_PRICE_OK);
	CU_ASSERT_EQUAL(q.total_micros, 7867);
	CU_ASSERT_EQUAL(q.nlines, 3);
}

static void
test_price_unpriced_flag_ignored(void)
{
	struct catalog_quote q;

	/* kling does not price high_detail: 250,000 unchanged. */
	CU_ASSERT_EQUAL_FATAL(price_model("fal-ai/kling-3.0", 0, 0, NULL, 0, 0,
	    0, CATALOG_F(CATALOG_FLAG_HIGH_DETAIL), &q), CATALOG_PRICE_OK);
	CU_ASSERT_EQUAL(q.total_micros, 250000);
	CU_ASSERT_EQUAL(q.flags_priced, 0);
}

static void
test_price_extreme_quality(void)
{
	struct catalog_quote q;

	/* 30,000/s x 5 s = 150,000; x1.5 = 225,000. */
	CU_ASSERT_EQUAL_FATAL(price_model("kt/ltx-2.3", 0, 0, NULL, 0, 0, 0,
	    CATALOG_F(CATALOG_FLAG_EXTREME_QUALITY), &q), CATALOG_PRICE_OK);
	CU_ASSERT_EQUAL(q.total_micros, 225000);
}

static void
test_price_tts_per_1k_chars(void)
{
	struct catalog_quote q;

	/* 200,000 per 1k chars x 1234 chars = 246,800 exactly. */
	CU_ASSERT_EQUAL_FATAL(price_model("eleven_v3_multilingual", 0, 0, NULL,
	    0, 1234, 0, 0, &q), CATALOG_PRICE_OK);
	CU_ASSERT_EQUAL(q.total_micros, 246800);
	CU_ASSERT_EQUAL(q.chars, 1234);
	CU_ASSERT_EQUAL(q.credits, 25);	/* ceil(246800 / 10000) */
}

static void
test_price_tts_rounds_up(void)
{
	struct catalog *c = load_base();
	struct catalog_price_req r;
	struct catalog_quote q;

	/* 250 micros per 1k chars: 1 char = 0.25 -> 1; 3999 = 999.75 -> 1000. */
	catalog_price_req_init(&r);
	snprintf(r.model, sizeof(r.model), "tts");
	r.chars = 1;
	CU_ASSERT_EQUAL_FATAL(catalog_price(c, &r, &q), CATALOG_PRICE_OK);
	CU_ASSERT_EQUAL(q.total_micros, 1);
	r.chars = 3999;
	CU_ASSERT_EQUAL_FATAL(catalog_price(c, &r, &q), CATALOG_PRICE_OK);
	CU_ASSERT_EQUAL(q.total_micros, 1000);
	r.chars = 4000;
	CU_ASSERT_EQUAL_FATAL(catalog_price(c, &r, &q), CATALOG_PRICE_OK);
	CU_ASSERT_EQUAL(q.total_micros, 1000);
	catalog_free(c);
}

static void
test_price_compose_per_minute(void)
{
	struct catalog_quote q;

	/* 20,000 per minute x 90 s = 30,000; x 2.5 s = 833.33 -> 834. */
	CU_ASSERT_EQUAL_FATAL(price_model("compose/stitch", 0, 0, NULL, 90000, 0,
	    0, 0, &q), CATALOG_PRICE_OK);
	CU_ASSERT_EQUAL(q.total_micros, 30000);
	CU_ASSERT_STRING_EQUAL(q.op->id, "compose.stitch_per_minute");
	CU_ASSERT_EQUAL_FATAL(price_model("compose/stitch", 0, 0, NULL, 2500, 0,
	    0, 0, &q), CATALOG_PRICE_OK);
	CU_ASSERT_EQUAL(q.total_micros, 834);
}

static void
test_price_request_and_training(void)
{
	struct catalog_quote q;

	CU_ASSERT_EQUAL_FATAL(price_model("trellis-2", 0, 0, NULL, 0, 0, 0, 0,
	    &q), CATALOG_PRICE_OK);
	CU_ASSERT_EQUAL(q.total_micros, 250000);
	CU_ASSERT_EQUAL_FATAL(price_model("character/train", 0, 0, NULL, 0, 0, 0,
	    0, &q), CATALOG_PRICE_OK);
	CU_ASSERT_EQUAL(q.total_micros, 2000000);
	/* 3 standard-tier videos at 100 credits: 3,000,000 micros = 300 credits. */
	CU_ASSERT_EQUAL_FATAL(price_model("ncs/video-standard", 0, 0, NULL, 0, 0,
	    3, 0, &q), CATALOG_PRICE_OK);
	CU_ASSERT_EQUAL(q.total_micros, 3000000);
	CU_ASSERT_EQUAL(q.credits, 300);
}

static void
test_price_by_task_and_default(void)
{
	struct catalog_price_req r;
	struct catalog_quote q;

	catalog_price_req_init(&r);
	snprintf(r.task, sizeof(r.task), "sheet.generate");
	CU_ASSERT_EQUAL_FATAL(catalog_price(shipped, &r, &q), CATALOG_PRICE_OK);
	CU_ASSERT_STRING_EQUAL(q.model->id, "ncs/sheet");
	CU_ASSERT_EQUAL(q.credits, 12);
	catalog_price_req_init(&r);
	r.kind = CATALOG_KIND_IMAGE;
	CU_ASSERT_EQUAL_FATAL(catalog_price(shipped, &r, &q), CATALOG_PRICE_OK);
	CU_ASSERT_STRING_EQUAL(q.model->id, "fal-ai/flux/schnell");
}

static void
test_price_clamped_duration(void)
{
	struct catalog_price_req r;
	struct catalog_quote q;

	catalog_price_req_init(&r);
	snprintf(r.model, sizeof(r.model), "fal-ai/kling-3.0");
	r.duration_ms = 7000;
	r.clamp_duration = 1;
	/* 7 s snaps up to the next allowed duration, 10 s: 500,000. */
	CU_ASSERT_EQUAL_FATAL(catalog_price(shipped, &r, &q), CATALOG_PRICE_OK);
	CU_ASSERT_EQUAL(q.duration_ms, 10000);
	CU_ASSERT_EQUAL(q.total_micros, 500000);
	r.duration_ms = 60000;
	CU_ASSERT_EQUAL_FATAL(catalog_price(shipped, &r, &q), CATALOG_PRICE_OK);
	CU_ASSERT_EQUAL(q.duration_ms, 10000);
}

/* ---- pricing: errors ---------------------------------------------------- */

static void
test_price_err_unknown_model(void)
{
	struct catalog_quote q;

	CU_ASSERT_EQUAL(price_model("no/such-model", 0, 0, NULL, 0, 0, 0, 0, &q),
	    CATALOG_PRICE_E_UNKNOWN_MODEL);
	CU_ASSERT_PTR_NOT_NULL(strstr(q.error, "no/such-model"));
	CU_ASSERT_STRING_EQUAL(catalog_price_code(CATALOG_PRICE_E_UNKNOWN_MODEL),
	    "unknown_model");
}

static void
test_price_err_unknown_task(void)
{
	struct catalog_price_req r;
	struct catalog_quote q;

	catalog_price_req_init(&r);
	snprintf(r.task, sizeof(r.task), "image.dream");
	CU_ASSERT_EQUAL(catalog_price(shipped, &r, &q),
	    CATALOG_PRICE_E_UNKNOWN_TASK);
}

static void
test_price_err_wrong_kind(void)
{
	struct catalog_price_req r;
	struct catalog_quote q;

	catalog_price_req_init(&r);
	snprintf(r.model, sizeof(r.model), "fal-ai/kling-3.0");
	r.kind = CATALOG_KIND_IMAGE;
	CU_ASSERT_EQUAL(catalog_price(shipped, &r, &q),
	    CATALOG_PRICE_E_WRONG_KIND);
}

static void
test_price_err_unsupported_size(void)
{
	struct catalog_quote q;

	/* Not a multiple of 32. */
	CU_ASSERT_EQUAL(price_model("fal-ai/flux/schnell", 1000, 1000, NULL, 0,
	    0, 0, 0, &q), CATALOG_PRICE_E_UNSUPPORTED_SIZE);
	/* Over 4 MP. */
	CU_ASSERT_EQUAL(price_model("fal-ai/flux/schnell", 4096, 2048, NULL, 0,
	    0, 0, 0, &q), CATALOG_PRICE_E_UNSUPPORTED_SIZE);
	/* Width without height. */
	CU_ASSERT_EQUAL(price_model("fal-ai/flux/schnell", 1024, 0, NULL, 0,
	    0, 0, 0, &q), CATALOG_PRICE_E_UNSUPPORTED_SIZE);
	/* Fixed-size model, size not listed. */
	CU_ASSERT_EQUAL(price_model("fal-ai/fast-sdxl", 512, 512, NULL, 0, 0, 0,
	    0, &q), CATALOG_PRICE_E_UNSUPPORTED_SIZE);
	CU_ASSERT_EQUAL(price_model("fal-ai/fast-sdxl", 1344, 768, NULL, 0, 0, 0,
	    0, &q), CATALOG_PRICE_OK);
}

static void
test_price_err_unsupported_aspect(void)
{
	struct catalog_quote q;

	CU_ASSERT_EQUAL(price_model("fal-ai/flux/schnell", 0, 0, "21:9", 0, 0,
	    0, 0, &q), CATALOG_PRICE_E_UNSUPPORTED_ASPECT);
}

static void
test_price_err_duration(void)
{
	struct catalog_quote q;

	/* 7 s is in range but not one of kling's durations (5, 10). */
	CU_ASSERT_EQUAL(price_model("fal-ai/kling-3.0", 0, 0, NULL, 7000, 0, 0,
	    0, &q), CATALOG_PRICE_E_DURATION_RANGE);
	CU_ASSERT_EQUAL(price_model("fal-ai/kling-3.0", 0, 0, NULL, 20000, 0, 0,
	    0, &q), CATALOG_PRICE_E_DURATION_RANGE);
	CU_ASSERT_EQUAL(price_model("kt/ltx-2.3", 0, 0, NULL, 25000, 0, 0, 0,
	    &q), CATALOG_PRICE_E_DURATION_RANGE);
}

static void
test_price_err_too_many_outputs(void)
{
	struct catalog_quote q;

	CU_ASSERT_EQUAL(price_model("fal-ai/flux/schnell", 0, 0, NULL, 0, 0, 5,
	    0, &q), CATALOG_PRICE_E_TOO_MANY_OUTPUTS);
}

static void
test_price_err_prompt_too_long(void)
{
	struct catalog_price_req r;
	struct catalog_quote q;

	catalog_price_req_init(&r);
	snprintf(r.model, sizeof(r.model), "fal-ai/flux/schnell");
	r.prompt_chars = 2001;
	CU_ASSERT_EQUAL(catalog_price(shipped, &r, &q),
	    CATALOG_PRICE_E_PROMPT_TOO_LONG);
	r.prompt_chars = 2000;
	CU_ASSERT_EQUAL(catalog_price(shipped, &r, &q), CATALOG_PRICE_OK);
}

static void
test_price_err_text_range(void)
{
	struct catalog_quote q;

	CU_ASSERT_EQUAL(price_model("eleven_v3_multilingual", 0, 0, NULL, 0, 0,
	    0, 0, &q), CATALOG_PRICE_E_TEXT_RANGE);
	CU_ASSERT_EQUAL(price_model("eleven_v3_multilingual", 0, 0, NULL, 0,
	    5001, 0, 0, &q), CATALOG_PRICE_E_TEXT_RANGE);
}

static void
test_price_err_audio_unsupported(void)
{
	struct catalog_quote q;

	CU_ASSERT_EQUAL(price_model("kt/ltx-2.3", 0, 0, NULL, 0, 0, 0,
	    CATALOG_F(CATALOG_FLAG_WITH_AUDIO), &q),
	    CATALOG_PRICE_E_UNSUPPORTED_OPTION);
}

static void
test_price_err_negative_input(void)
{
	struct catalog_quote q;

	CU_ASSERT_EQUAL(price_model("fal-ai/kling-3.0", 0, 0, NULL, -5000, 0, 0,
	    0, &q), CATALOG_PRICE_E_INVALID);
	CU_ASSERT_EQUAL(price_model("fal-ai/flux/schnell", 0, 0, NULL, 0, 0, -1,
	    0, &q), CATALOG_PRICE_E_INVALID);
	CU_ASSERT_EQUAL(catalog_price(shipped, NULL, &q), CATALOG_PRICE_E_INVALID);
}

static void
test_price_overflow_guarded(void)
{
	struct catalog *c = load_base();
	struct catalog_price_req r;
	struct catalog_quote q;

	/* 1e9 micros/MP x 16384^2 px x 100 = 2.7e19: overflows int64. */
	catalog_price_req_init(&r);
	snprintf(r.model, sizeof(r.model), "big");
	r.count = 100;
	CU_ASSERT_EQUAL(catalog_price(c, &r, &q), CATALOG_PRICE_E_OVERFLOW);
	CU_ASSERT_EQUAL(q.total_micros, 0);
	/* 1e9 micros/s x 86,400 s = 8.64e13: fits int64, over the job cap. */
	catalog_price_req_init(&r);
	snprintf(r.model, sizeof(r.model), "long");
	r.duration_ms = 86400000;
	CU_ASSERT_EQUAL(catalog_price(c, &r, &q), CATALOG_PRICE_E_OVERFLOW);
	/* 1 s of it is fine: 1e9 micros. */
	r.duration_ms = 1000;
	CU_ASSERT_EQUAL(catalog_price(c, &r, &q), CATALOG_PRICE_OK);
	CU_ASSERT_EQUAL(q.total_micros, 1000000000);
	catalog_free(c);
}

/* quote (estimate) == hold (reservation) == capture, for the same input. */
static void
test_quote_equals_hold_equals_capture(void)
{
	struct catalog_price_req req, stored;
	struct catalog_quote quote, hold, capture;
	struct catalog *reloaded = NULL;
	json_object *body;
	char err[256], text[1024];

	body = json_tokener_parse("{\"task\":\"image.generate\",\"input\":{"
	    "\"prompt\":\"a lighthouse\",\"width\":1536,\"height\":1024,"
	    "\"highDetail\":true}}");
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	CU_ASSERT_EQUAL_FATAL(catalog_price_req_from_json("media.job", body,
	    &req, err, sizeof(err)), CATALOG_PRICE_OK);
	json_object_put(body);
	/* The estimate. */
	CU_ASSERT_EQUAL_FATAL(catalog_price(shipped, &req, &quote),
	    CATALOG_PRICE_OK);
	/* The hold: the same struct. */
	CU_ASSERT_EQUAL_FATAL(catalog_price(shipped, &req, &hold),
	    CATALOG_PRICE_OK);
	/* Stored with the job as canonical JSON text, read back at capture. */
	body = catalog_price_req_to_json(&req);
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	snprintf(text, sizeof(text), "%s", json_object_to_json_string(body));
	json_object_put(body);
	body = json_tokener_parse(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	CU_ASSERT_EQUAL_FATAL(catalog_price_req_from_json("price_req", body,
	    &stored, err, sizeof(err)), CATALOG_PRICE_OK);
	json_object_put(body);
	CU_ASSERT_STRING_EQUAL(stored.task, "image.generate");
	CU_ASSERT_EQUAL(stored.width, 1536);
	CU_ASSERT_EQUAL(stored.flags, CATALOG_F(CATALOG_FLAG_HIGH_DETAIL));
	CU_ASSERT_EQUAL(stored.kind, CATALOG_KIND_IMAGE);
	/* The capture, in another process: the catalog loaded afresh. */
	CU_ASSERT_EQUAL_FATAL(catalog_load_file(CATALOG_DEFAULT_PATH, &reloaded,
	    err, sizeof(err)), CATALOG_OK);
	CU_ASSERT_STRING_EQUAL(catalog_version(reloaded), hold.catalog_version);
	CU_ASSERT_EQUAL_FATAL(catalog_price(reloaded, &stored, &capture),
	    CATALOG_PRICE_OK);
	/* 1536x1024 = 1,572,864 px x 4000 = 6291.456 -> 6292; x1.5 = 9438. */
	CU_ASSERT_EQUAL(quote.total_micros, 9438);
	CU_ASSERT_EQUAL(hold.total_micros, quote.total_micros);
	CU_ASSERT_EQUAL(capture.total_micros, hold.total_micros);
	CU_ASSERT_EQUAL(capture.nlines, quote.nlines);
	CU_ASSERT_EQUAL(capture.lines[0].amount_micros,
	    quote.lines[0].amount_micros);
	CU_ASSERT_EQUAL(capture.estimated_seconds, quote.estimated_seconds);
	catalog_free(reloaded);
}

/* ---- request bodies -> pricing requests --------------------------------- */

/* Parse json text as kind_or_task and price it; err gets any message. */
static enum catalog_price_err
price_body(const char *kind, const char *json, struct catalog_quote *q,
    char *err, size_t errlen)
{
	struct catalog_price_req r;
	enum catalog_price_err rc;
	json_object *body = json_tokener_parse(json);

	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	rc = catalog_price_req_from_json(kind, body, &r, err, errlen);
	json_object_put(body);
	if (rc != CATALOG_PRICE_OK)
		return rc;
	return catalog_price(shipped, &r, q);
}

#define BODY_OK(kind, json, want_total) do {				\
	struct catalog_quote q_; char e_[256] = "";			\
	CU_ASSERT_EQUAL(price_body(kind, json, &q_, e_, sizeof(e_)),	\
	    CATALOG_PRICE_OK);						\
	CU_ASSERT_EQUAL(q_.total_micros, want_total);			\
	if (q_.total_micros != (want_total))				\
		printf("\n  got %lld err=\"%s\" qerr=\"%s\"\n",		\
		    (long long)q_.total_micros, e_, q_.error);		\
} while (0)

#define BODY_BAD(kind, json, want_rc, field) do {			\
	struct catalog_quote q_; char e_[256] = "";			\
	enum catalog_price_err rc_ = price_body(kind, json, &q_, e_,	\
	    sizeof(e_));						\
	CU_ASSERT_EQUAL(rc_, want_rc);					\
	CU_ASSERT_PTR_NOT_NULL(strstr(e_, field));			\
	if (rc_ != (want_rc) || strstr(e_, field) == NULL)		\
		printf("\n  got rc=%d err=\"%s\"\n", rc_, e_);		\
} while (0)

static void
test_json_studio_image(void)
{
	BODY_OK("image", "{\"model\":\"fal-ai/flux/schnell\",\"prompt\":\"a cat\","
	    "\"aspect_ratio\":\"16:9\"}", 3097);
	BODY_OK("image", "{\"model\":\"fal-ai/flux/schnell\",\"prompt\":\"a cat\","
	    "\"resolution\":\"512x512\",\"num_images\":4}", 3146);
}

static void
test_json_studio_image_rejects(void)
{
	BODY_BAD("image", "{\"prompt\":\"a cat\"}", CATALOG_PRICE_E_BAD_FIELD,
	    "model: is required");
	BODY_BAD("image", "{\"model\":\"fal-ai/flux/schnell\",\"prompt\":\"\"}",
	    CATALOG_PRICE_E_BAD_FIELD, "prompt: must have at least 1");
	BODY_BAD("image", "{\"model\":\"fal-ai/flux/schnell\",\"prompt\":\"x\","
	    "\"aspect_ratio\":\"21:9\"}", CATALOG_PRICE_E_BAD_FIELD,
	    "aspect_ratio: must be one of 1:1, 16:9");
	BODY_BAD("image", "{\"model\":\"fal-ai/flux/schnell\",\"prompt\":\"x\","
	    "\"resolution\":\"huge\"}", CATALOG_PRICE_E_BAD_FIELD,
	    "resolution: must be WIDTHxHEIGHT");
	BODY_BAD("image", "{\"model\":\"fal-ai/flux/schnell\",\"prompt\":\"x\","
	    "\"num_images\":0}", CATALOG_PRICE_E_BAD_FIELD, "num_images:");
	BODY_BAD("image", "{\"model\":\"fal-ai/flux/schnell\",\"prompt\":\"x\","
	    "\"loras\":[1,2,3,4,5,6,7,8,9]}", CATALOG_PRICE_E_BAD_FIELD,
	    "loras: must have 0 to 8 items");
	BODY_BAD("image", "[1]", CATALOG_PRICE_E_BAD_FIELD,
	    "body: must be a JSON object");
}

static void
test_json_prompt_length_counts_characters(void)
{
	char *json, *p;
	size_t i;

	/* 2000 x "é" (2 bytes each) is 2000 characters: accepted. */
	json = malloc(8192);
	CU_ASSERT_PTR_NOT_NULL_FATAL(json);
	p = json + snprintf(json, 8192,
	    "{\"model\":\"fal-ai/flux/schnell\",\"prompt\":\"");
	for (i = 0; i < 2000; i++) {
		*p++ = (char)0xC3;
		*p++ = (char)0xA9;
	}
	snprintf(p, 8192 - (size_t)(p - json), "\"}");
	BODY_OK("image", json, 3146);
	/* 2001 characters: rejected by the seed's maxLength 2000. */
	p[0] = 'x';
	snprintf(p + 1, 8192 - (size_t)(p + 1 - json), "\"}");
	BODY_BAD("image", json, CATALOG_PRICE_E_BAD_FIELD,
	    "prompt: must have at most 2000 characters");
	free(json);
}

static void
test_json_studio_video(void)
{
	BODY_OK("video", "{\"model\":\"fal-ai/kling-3.0\",\"prompt\":\"waves\","
	    "\"duration_s\":10}", 500000);
	BODY_OK("video", "{\"model\":\"fal-ai/kling-3.0\",\"prompt\":\"waves\","
	    "\"duration_s\":5,\"with_audio\":true}", 350000);
	BODY_BAD("video", "{\"model\":\"fal-ai/kling-3.0\",\"prompt\":\"w\","
	    "\"duration_s\":61}", CATALOG_PRICE_E_BAD_FIELD,
	    "duration_s: must be between 1 and 60");
	BODY_BAD("video", "{\"model\":\"fal-ai/kling-3.0\",\"prompt\":\"w\","
	    "\"duration_s\":5.5}", CATALOG_PRICE_E_BAD_FIELD,
	    "duration_s: must be an integer");
	BODY_BAD("video", "{\"model\":\"fal-ai/kling-3.0\",\"prompt\":\"w\","
	    "\"with_audio\":\"yes\"}", CATALOG_PRICE_E_BAD_FIELD,
	    "with_audio: must be a boolean");
	/* A valid body with an image model on the video endpoint. */
	BODY_BAD("video", "{\"model\":\"fal-ai/flux/schnell\",\"prompt\":\"w\"}",
	    CATALOG_PRICE_E_WRONG_KIND, "");
}

static void
test_json_studio_audio(void)
{
	char json[2048];
	int n;

	n = snprintf(json, sizeof(json), "{\"text\":\"");
	memset(json + n, 'a', 1234);
	snprintf(json + n + 1234, sizeof(json) - (size_t)n - 1234, "\"}");
	/* Default audio model eleven_v3_multilingual: 1234 x 200 = 246,800. */
	BODY_OK("audio", json, 246800);
	BODY_BAD("audio", "{\"voice_id\":\"v\"}", CATALOG_PRICE_E_BAD_FIELD,
	    "text: is required");
}

static void
test_json_studio_compose(void)
{
	/* 2.5 s + 87.5 s = 90 s at 20,000 per minute = 30,000. */
	BODY_OK("compose", "{\"segments\":[{\"asset_id\":\"a\",\"start_time\":0,"
	    "\"duration\":2.5},{\"asset_id\":\"b\",\"start_time\":2.5,"
	    "\"duration\":87.5}]}", 30000);
	BODY_BAD("compose", "{\"segments\":[]}", CATALOG_PRICE_E_BAD_FIELD,
	    "segments: must have 1 to 50 items");
	BODY_BAD("compose", "{\"segments\":[{\"asset_id\":\"a\",\"start_time\":0,"
	    "\"duration\":0.05}]}", CATALOG_PRICE_E_BAD_FIELD,
	    "segments[0].duration: must be between 0.100");
	BODY_BAD("compose", "{\"segments\":[{\"asset_id\":\"a\",\"start_time\":0,"
	    "\"duration\":1e1}]}", CATALOG_PRICE_E_BAD_FIELD,
	    "segments[0].duration: must be a plain");
	BODY_BAD("compose", "{\"segments\":[{\"asset_id\":\"a\",\"start_time\":0,"
	    "\"duration\":2}],\"output_format\":\"avi\"}",
	    CATALOG_PRICE_E_BAD_FIELD, "output_format: must be one of mp4, webm");
}

static void
test_json_estimate_and_legacy_generate(void)
{
	BODY_OK("estimate", "{\"model\":\"fal-ai/kling-3.0\",\"prompt\":\"p\","
	    "\"duration\":10}", 500000);
	/* TTS: the prompt is the text, 10 chars x 200 = 2,000. */
	BODY_OK("estimate", "{\"model\":\"eleven_v3_multilingual\","
	    "\"prompt\":\"0123456789\"}", 2000);
	BODY_BAD("estimate", "{\"model\":\"fal-ai/kling-3.0\"}",
	    CATALOG_PRICE_E_BAD_FIELD, "prompt: is required");
	BODY_OK("generate", "{\"model\":\"fal-ai/flux/schnell\",\"prompt\":\"p\","
	    "\"aspect_ratio\":\"9:16\"}", 3097);
	BODY_BAD("generate", "{\"model\":\"fal-ai/flux/schnell\",\"prompt\":\"p\","
	    "\"duration\":0}", CATALOG_PRICE_E_BAD_FIELD, "duration:");
}

static void
test_json_prepaid_image_generate(void)
{
	BODY_OK("media.job", "{\"task\":\"image.generate\",\"input\":{"
	    "\"prompt\":\"p\",\"highDetail\":true}}", 6293);
	BODY_OK("image.generate", "{\"prompt\":\"p\",\"aspectRatio\":\"9:7\"}",
	    /* 1152x896 = 1,032,192 px x 4000 = 4128.768 -> 4129 */ 4129);
	BODY_BAD("media.job", "{\"task\":\"image.generate\",\"input\":{"
	    "\"prompt\":\"p\",\"width\":1000,\"height\":1024}}",
	    CATALOG_PRICE_E_BAD_FIELD, "input.width: must be a multiple of 32");
	BODY_BAD("media.job", "{\"task\":\"image.generate\",\"input\":{"
	    "\"prompt\":\"p\",\"width\":1024}}", CATALOG_PRICE_E_BAD_FIELD,
	    "input.height: must be provided together with width");
	BODY_BAD("media.job", "{\"task\":\"image.generate\",\"input\":{"
	    "\"prompt\":\"p\",\"width\":4096,\"height\":2048}}",
	    CATALOG_PRICE_E_BAD_FIELD, "input.width: width*height must be at most");
	BODY_BAD("media.job", "{\"task\":\"image.generate\",\"input\":{"
	    "\"prompt\":\"p\",\"width\":16,\"height\":16}}",
	    CATALOG_PRICE_E_BAD_FIELD, "input.width: must be between 32");
	BODY_BAD("media.job", "{\"task\":\"image.generate\",\"input\":{"
	    "\"prompt\":\"p\",\"aspectRatio\":\"4:3\"}}", CATALOG_PRICE_E_BAD_FIELD,
	    "input.aspectRatio: must be one of");
	BODY_BAD("media.job", "{\"task\":\"image.generate\",\"input\":{"
	    "\"prompt\":\"p\",\"highDetail\":1}}", CATALOG_PRICE_E_BAD_FIELD,
	    "input.highDetail: must be a boolean");
}

static void
test_json_prepaid_envelope(void)
{
	BODY_BAD("media.job", "{\"task\":\"image.dream\",\"input\":{}}",
	    CATALOG_PRICE_E_BAD_FIELD, "task: unknown task \"image.dream\"");
	BODY_BAD("media.job", "{\"task\":\"scene.video\",\"input\":{}}",
	    CATALOG_PRICE_E_BAD_FIELD, "task: unknown task");
	BODY_BAD("media.job", "{\"task\":\"image.generate\"}",
	    CATALOG_PRICE_E_BAD_FIELD, "input: is required");
	BODY_BAD("media.job", "{\"input\":{}}", CATALOG_PRICE_E_BAD_FIELD,
	    "task: is required");
	BODY_BAD("media.job", "{\"task\":\"image.generate\",\"input\":{"
	    "\"prompt\":\"p\"},\"idempotencyKey\":\"\"}",
	    CATALOG_PRICE_E_BAD_FIELD, "idempotencyKey:");
	BODY_BAD("nonsense", "{}", CATALOG_PRICE_E_UNKNOWN_TASK, "nonsense");
}

static void
test_json_prepaid_video_generate(void)
{
	/* 121 frames at 30 fps = ceil(4033.33) = 4034 ms x 30 = 121,020. */
	BODY_OK("video.generate", "{\"prompt\":\"p\",\"durationFrames\":121}",
	    121020);
	/* 10 s at 24 fps = 241 frames, inside the budget: 300,000. */
	BODY_OK("video.generate", "{\"prompt\":\"p\",\"durationSeconds\":10,"
	    "\"sampledFps\":24}", 300000);
	BODY_OK("video.generate", "{\"prompt\":\"p\",\"durationSeconds\":4,"
	    "\"extremeQuality\":true}", 180000);
	BODY_BAD("video.generate", "{\"prompt\":\"p\",\"durationFrames\":250}",
	    CATALOG_PRICE_E_BAD_FIELD, "durationFrames: must satisfy 8n + 1");
	BODY_BAD("video.generate", "{\"prompt\":\"p\",\"durationSeconds\":10}",
	    CATALOG_PRICE_E_BAD_FIELD, "durationSeconds: 10 s at 30 fps exceeds");
	BODY_BAD("video.generate", "{\"prompt\":\"p\",\"durationSeconds\":2}",
	    CATALOG_PRICE_E_BAD_FIELD, "durationSeconds: must be between 3 and 20");
	BODY_BAD("video.generate", "{\"prompt\":\"p\",\"interpolationFps\":15}",
	    CATALOG_PRICE_E_BAD_FIELD, "interpolationFps: must be 0 or 30..60");
}

static void
test_json_prepaid_other_tasks(void)
{
	BODY_OK("video.combine", "{\"videoUrls\":[\"https://a/1.mp4\","
	    "\"https://a/2.mp4\"]}", 5000);
	BODY_BAD("video.combine", "{\"videoUrls\":[\"https://a/1.mp4\"]}",
	    CATALOG_PRICE_E_BAD_FIELD, "videoUrls: must have 2 to 24 items");
	/* 8 s default x 1000 = 8000; 12.5 s given = 12,500. */
	BODY_OK("video.resize", "{\"sourceVideoUrl\":\"https://a/1.mp4\","
	    "\"width\":1280,\"height\":720}", 8000);
	BODY_OK("video.resize", "{\"sourceVideoUrl\":\"https://a/1.mp4\","
	    "\"width\":1280,\"height\":720,\"sourceDurationSeconds\":12.5}", 12500);
	BODY_BAD("video.resize", "{\"sourceVideoUrl\":\"https://a/1.mp4\","
	    "\"width\":1281,\"height\":720}", CATALOG_PRICE_E_BAD_FIELD,
	    "width: must be a multiple of 2");
	BODY_BAD("video.resize", "{\"sourceVideoUrl\":\"https://a/1.mp4\"}",
	    CATALOG_PRICE_E_BAD_FIELD, "width: is required");
	/* Gemini: 7 chars x 150,000 / 1000 = 1050. */
	BODY_OK("audio.speak", "{\"text\":\"hello!!\",\"provider\":\"gemini\"}",
	    1050);
	BODY_OK("audio.speak", "{\"text\":\"hello!!\"}", 700);
	BODY_BAD("audio.speak", "{\"text\":\"hi\",\"provider\":\"gemini\","
	    "\"mode\":\"voice_clone\"}", CATALOG_PRICE_E_BAD_FIELD,
	    "mode: gemini does not support voice_clone");
	BODY_OK("audio.annotation.reference",
	    "{\"sourceAudioUrl\":\"https://a/x.wav\"}", 10000);
	BODY_BAD("audio.annotation.reference", "{\"language\":\"en\"}",
	    CATALOG_PRICE_E_BAD_FIELD, "sourceAudioUrl: is required");
	/* ACE: 60 s default x 500 = 30,000; high_quality 108 s = 54,000. */
	BODY_OK("ace.step.create", "{\"tags\":\"lofi\",\"lyrics\":\"la\"}", 30000);
	BODY_OK("ace.step.create", "{\"tags\":\"lofi\",\"lyrics\":\"la\","
	    "\"qualityPreset\":\"high_quality\"}", 54000);
	BODY_BAD("ace.step.create", "{\"tags\":\"lofi\",\"lyrics\":\"la\","
	    "\"durationSeconds\":300}", CATALOG_PRICE_E_BAD_FIELD,
	    "durationSeconds: must be between 15 and 240");
	BODY_OK("moss.sound.effect", "{\"prompt\":\"door\",\"durationSeconds\":3}",
	    6000);
	BODY_OK("trellis.generate", "{\"sourceImage\":{\"url\":\"https://a/i.png\"}}",
	    250000);
	BODY_BAD("trellis.generate", "{}", CATALOG_PRICE_E_BAD_FIELD,
	    "sourceImageUrl: is required");
}

static void
test_json_credits_dialect(void)
{
	struct catalog_quote q;
	char err[256];

	BODY_OK("sheet.generate", "{\"prompt\":\"a knight\"}", 120000);
	BODY_BAD("sheet.generate", "{\"visibility\":\"public\"}",
	    CATALOG_PRICE_E_BAD_FIELD, "prompt: is required");
	BODY_OK("scene.generate", "{\"prompt\":\"battle\",\"sheetIds\":[\"a\"]}",
	    120000);
	BODY_BAD("scene.generate", "{\"sheetIds\":[\"1\",\"2\",\"3\",\"4\",\"5\","
	    "\"6\",\"7\",\"8\",\"9\"]}", CATALOG_PRICE_E_BAD_FIELD,
	    "sheetIds: must have 0 to 8 items");
	/* 3 x Veo fast (200 credits) = 600 credits; 30 s clamped to 8 s. */
	CU_ASSERT_EQUAL_FATAL(price_body("scene.video", "{\"prompt\":\"p\","
	    "\"durationSeconds\":30,\"numberOfVideos\":3,"
	    "\"modelOverride\":\"veo-3.1-fast-generate-preview\"}", &q, err,
	    sizeof(err)), CATALOG_PRICE_OK);
	CU_ASSERT_EQUAL(q.total_micros, 6000000);
	CU_ASSERT_EQUAL(q.credits, 600);
	CU_ASSERT_EQUAL(q.duration_ms, 8000);
	BODY_BAD("scene.video", "{\"numberOfVideos\":5}",
	    CATALOG_PRICE_E_BAD_FIELD, "numberOfVideos: must be between 1 and 4");
}

/*
 * One row per rule a body parser enforces: kind, body (a printf format
 * whose %s, when present, is filled with `fill` 'x' characters) and the
 * "field: reason" the error must name.
 */
static const struct body_rule {
	const char	*kind;
	const char	*fmt;
	int		 fill;
	const char	*want;
} body_rules[] = {
	{ "image", "{\"model\":\"m\",\"prompt\":\"p\",\"negative_prompt\":\"%s\"}", 1001, "negative_prompt: must have at most 1000" },
	{ "image", "{\"model\":\"%s\",\"prompt\":\"p\"}", 121, "model: must have at most 120" },
	{ "image", "{\"model\":7,\"prompt\":\"p\"}", 0, "model: must be a string" },
	{ "video", "{\"model\":\"m\",\"prompt\":\"%s\"}", 2001, "prompt: must have at most 2000" },
	{ "video", "{\"prompt\":\"p\"}", 0, "model: is required" },
	{ "audio", "{\"text\":\"%s\"}", 5001, "text: must have at most 5000" },
	{ "audio", "{\"text\":\"t\",\"model\":\"\"}", 0, "model: must have at least 1" },
	{ "compose", "{\"segments\":[7]}", 0, "segments: item 0 must be an object" },
	{ "compose", "{\"segments\":[{\"start_time\":0,\"duration\":1}]}", 0, "segments[0].asset_id: is required" },
	{ "compose", "{\"segments\":[{\"asset_id\":\"a\",\"start_time\":-1,\"duration\":1}]}", 0, "segments[0].start_time: must be between" },
	{ "compose", "{\"segments\":[{\"asset_id\":\"a\",\"start_time\":0,\"duration\":\"1\"}]}", 0, "segments[0].duration: must be a number" },
	{ "compose", "{\"segments\":[{\"asset_id\":\"a\",\"start_time\":0}]}", 0, "segments[0].duration: is required" },
	{ "compose", "{\"segments\":[{\"asset_id\":\"a\",\"start_time\":0,\"duration\":1}],\"output_resolution\":\"%s\"}", 21, "output_resolution: must have at most 20" },
	{ "estimate", "{\"model\":\"m\",\"prompt\":\"p\",\"duration\":61}", 0, "duration: must be between 1 and 60" },
	{ "estimate", "{\"prompt\":\"p\"}", 0, "model: is required" },
	{ "generate", "{\"model\":\"m\",\"prompt\":\"%s\"}", 4001, "prompt: must have at most 4000" },
	{ "generate", "{\"model\":\"m\",\"prompt\":\"p\",\"negative_prompt\":\"%s\"}", 2001, "negative_prompt: must have at most 2000" },
	{ "generate", "{\"model\":\"m\",\"prompt\":\"p\",\"aspect_ratio\":\"%s\"}", 21, "aspect_ratio: must have at most 20" },
	{ "generate", "{\"model\":\"m\",\"prompt\":\"p\",\"resolution\":\"0x5\"}", 0, "resolution: must be WIDTHxHEIGHT" },
	{ "generate", "{\"model\":\"m\",\"prompt\":\"p\",\"seed_image_url\":\"\"}", 0, "seed_image_url: must have at least 1" },
	{ "generate", "{\"model\":\"m\",\"prompt\":\"p\",\"loras\":[1,2,3,4,5,6,7,8,9]}", 0, "loras: must have 0 to 8" },
	{ "generate", "{\"model\":\"m\",\"prompt\":\"p\",\"with_audio\":1}", 0, "with_audio: must be a boolean" },
	{ "media.job", "{\"task\":\"image.generate\",\"input\":{\"prompt\":\"%s\"}}", 4001, "input.prompt: must have at most 4000" },
	{ "media.job", "{\"task\":\"image.generate\",\"input\":{\"prompt\":\"p\",\"outputFormat\":\"gif\"}}", 0, "input.outputFormat: must be one of webp" },
	{ "media.job", "{\"task\":\"image.generate\",\"input\":{\"prompt\":\"p\",\"upscale\":\"x\"}}", 0, "input.upscale: must be a boolean" },
	{ "media.job", "{\"task\":\"image.generate\",\"input\":{\"prompt\":\"p\",\"referenceImageUrls\":[1,2,3,4,5,6]}}", 0, "input.referenceImageUrls: must have 0 to 5" },
	{ "media.job", "{\"task\":\"image.generate\",\"input\":{\"prompt\":\"p\",\"referenceImages\":[1,2,3,4,5,6]}}", 0, "input.referenceImages: must have 0 to 5" },
	{ "media.job", "{\"task\":\"image.generate\",\"input\":{\"prompt\":\"p\",\"width\":1024,\"height\":1000}}", 0, "input.height: must be a multiple of 32" },
	{ "media.job", "{\"task\":\"image.generate\",\"input\":{\"prompt\":\"p\",\"width\":\"1024\",\"height\":1024}}", 0, "input.width: must be an integer" },
	{ "media.job", "{\"task\":\"image.generate\",\"input\":7}", 0, "input: is required and must be an object" },
	{ "media.job", "{\"task\":5,\"input\":{}}", 0, "task: must be a string" },
	{ "media.job", "{\"task\":\"image.generate\",\"input\":{\"prompt\":\"p\"},\"completionCallbackUrl\":\"\"}", 0, "completionCallbackUrl: must have at least 1" },
	{ "media.job", "{\"task\":\"image.generate\",\"input\":{\"prompt\":\"p\"},\"idempotencyKey\":\"%s\"}", 201, "idempotencyKey: must have at most 200" },
	{ "image.edit", "{\"prompt\":\"p\"}", 0, "sourceImageUrl: is required (or sourceImage)" },
	{ "image.edit", "{\"prompt\":\"p\",\"sourceImage\":5}", 0, "sourceImage: must be a URL string or an object" },
	{ "image.edit", "{\"prompt\":\"p\",\"sourceImageUrl\":5}", 0, "sourceImageUrl: must be a string" },
	{ "image.edit", "{\"sourceImageUrl\":\"u\"}", 0, "prompt: is required" },
	{ "image.edit", "{\"prompt\":\"p\",\"sourceImageUrl\":\"u\",\"highDetail\":\"true\"}", 0, "highDetail: must be a boolean" },
	{ "image.edit", "{\"prompt\":\"p\",\"sourceImageUrl\":\"u\",\"outputFormat\":\"bmp\"}", 0, "outputFormat: must be one of" },
	{ "video.generate", "{\"prompt\":\"p\",\"sampledFps\":51}", 0, "sampledFps: must be between 1 and 50" },
	{ "video.generate", "{\"prompt\":\"p\",\"durationFrames\":8}", 0, "durationFrames: must be between 9 and 257" },
	{ "video.generate", "{\"prompt\":\"p\",\"seed\":0}", 0, "seed: must be between 1 and 2147483647" },
	{ "video.generate", "{\"prompt\":\"p\",\"overlapFrameImageUrls\":[1,2,3,4,5,6,7,8,9,10,11,12,13]}", 0, "overlapFrameImageUrls: must have 0 to 12" },
	{ "video.generate", "{\"prompt\":\"p\",\"overlapFrameImages\":[1,2,3,4,5,6,7,8,9,10,11,12,13]}", 0, "overlapFrameImages: must have 0 to 12" },
	{ "video.generate", "{\"prompt\":\"p\",\"aspectRatio\":\"4:3\"}", 0, "aspectRatio: must be one of" },
	{ "video.generate", "{\"prompt\":\"p\",\"width\":1000,\"height\":1024}", 0, "width: must be a multiple of 32" },
	{ "video.generate", "{\"prompt\":\"p\",\"interpolationFps\":61}", 0, "interpolationFps: must be between 0 and 60" },
	{ "video.generate", "{\"prompt\":\"p\",\"extremeQuality\":\"yes\"}", 0, "extremeQuality: must be a boolean" },
	{ "video.generate", "{\"prompt\":\"%s\"}", 4001, "prompt: must have at most 4000" },
	{ "video.combine", "{\"videoUrls\":[\"a\",\"b\"],\"overlapFrames\":121}", 0, "overlapFrames: must be between 0 and 120" },
	{ "video.combine", "{\"videoUrls\":[\"a\",\"b\"],\"frameRate\":0}", 0, "frameRate: must be between 1 and 120" },
	{ "video.combine", "{}", 0, "videoUrls: is required" },
	{ "video.resize", "{\"sourceVideoUrl\":\"u\",\"width\":7682,\"height\":720}", 0, "width: must be between 2 and 7680" },
	{ "video.resize", "{\"sourceVideoUrl\":\"u\",\"width\":1280,\"height\":720,\"sourceDurationSeconds\":0.05}", 0, "sourceDurationSeconds: must be between 0.100" },
	{ "video.resize", "{\"sourceVideoUrl\":\"u\",\"width\":1280,\"height\":720,\"sourceDurationSeconds\":601}", 0, "sourceDurationSeconds: must be between" },
	{ "video.resize", "{\"width\":1280,\"height\":720}", 0, "sourceVideoUrl: is required" },
	{ "video.resize", "{\"sourceVideoUrl\":\"u\",\"width\":1280,\"height\":720,\"frameRate\":121}", 0, "frameRate: must be between 1 and 120" },
	{ "audio.speak", "{\"text\":\"%s\"}", 6001, "text: must have at most 6000" },
	{ "audio.speak", "{\"text\":\"t\",\"provider\":\"openai\"}", 0, "provider: must be one of omnivoice, gemini" },
	{ "audio.speak", "{\"text\":\"t\",\"mode\":\"x\"}", 0, "mode: must be one of voice_design" },
	{ "audio.speak", "{\"text\":\"t\",\"voiceDescription\":\"abc\"}", 0, "voiceDescription: must have at least 4" },
	{ "audio.speak", "{\"text\":\"t\",\"voiceName\":\"\"}", 0, "voiceName: must have at least 1" },
	{ "audio.speak", "{\"text\":\"t\",\"instructions\":\"%s\"}", 2001, "instructions: must have at most 2000" },
	{ "audio.speak", "{\"text\":\"t\",\"referenceTranscript\":\"%s\"}", 2001, "referenceTranscript: must have at most 2000" },
	{ "audio.speak", "{\"text\":\"t\",\"language\":\"fr\"}", 0, "language: must be one of English, en" },
	{ "audio.speak", "{\"text\":\"t\",\"quality\":\"320k\"}", 0, "quality: must be one of 96k" },
	{ "audio.speak", "{\"text\":\"t\",\"seed\":0}", 0, "seed: must be between 1" },
	{ "audio.speak", "{}", 0, "text: is required" },
	{ "audio.annotation.reference", "{\"sourceAudioUrl\":\"u\",\"transcript\":\"%s\"}", 24001, "transcript: must have at most 24000" },
	{ "audio.annotation.reference", "{\"sourceAudioUrl\":\"u\",\"language\":\"fr\"}", 0, "language: must be one of en" },
	{ "audio.annotation.reference", "{\"sourceAudioUrl\":\"u\",\"transcriptionModel\":\"tiny\"}", 0, "transcriptionModel: must be one of" },
	{ "audio.annotation.reference", "{\"sourceAudioUrl\":\"u\",\"device\":\"tpu\"}", 0, "device: must be one of auto, cuda, cpu" },
	{ "ace.step.create", "{\"lyrics\":\"l\"}", 0, "tags: is required" },
	{ "ace.step.create", "{\"tags\":\"t\"}", 0, "lyrics: is required" },
	{ "ace.step.create", "{\"tags\":\"t\",\"lyrics\":\"%s\"}", 12001, "lyrics: must have at most 12000" },
	{ "ace.step.create", "{\"tags\":\"%s\",\"lyrics\":\"l\"}", 2001, "tags: must have at most 2000" },
	{ "ace.step.create", "{\"tags\":\"t\",\"lyrics\":\"l\",\"qualityPreset\":\"max\"}", 0, "qualityPreset: must be one of default" },
	{ "ace.step.create", "{\"tags\":\"t\",\"lyrics\":\"l\",\"bpm\":30}", 0, "bpm: must be between 40 and 240" },
	{ "ace.step.create", "{\"tags\":\"t\",\"lyrics\":\"l\",\"steps\":33}", 0, "steps: must be between 4 and 32" },
	{ "ace.step.create", "{\"tags\":\"t\",\"lyrics\":\"l\",\"quality\":\"1k\"}", 0, "quality: must be one of" },
	{ "ace.step.create", "{\"tags\":\"t\",\"lyrics\":\"l\",\"seed\":0}", 0, "seed: must be between 1" },
	{ "moss.sound.effect", "{\"prompt\":\"%s\"}", 2001, "prompt: must have at most 2000" },
	{ "moss.sound.effect", "{\"prompt\":\"p\",\"durationSeconds\":31}", 0, "durationSeconds: must be between 1 and 30" },
	{ "moss.sound.effect", "{\"prompt\":\"p\",\"quality\":\"x\"}", 0, "quality: must be one of" },
	{ "moss.sound.effect", "{}", 0, "prompt: is required" },
	{ "trellis.generate", "{\"sourceImageUrl\":[]}", 0, "sourceImageUrl: must be a string" },
	{ "sheet.generate", "{\"prompt\":\"%s\"}", 10001, "prompt: must have at most 10000" },
	{ "sheet.generate", "{\"prompt\":\"p\",\"visibility\":\"friends\"}", 0, "visibility: must be one of public, private" },
	{ "scene.generate", "{\"prompt\":\"%s\"}", 10001, "prompt: must have at most 10000" },
	{ "scene.generate", "{\"outputMode\":\"gif\"}", 0, "outputMode: must be one of picture, video" },
	{ "scene.video", "{\"sceneIds\":[1,2,3,4,5]}", 0, "sceneIds: must have 0 to 4" },
	{ "scene.video", "{\"sheetIds\":[1,2,3,4,5,6,7,8,9]}", 0, "sheetIds: must have 0 to 8" },
	{ "scene.video", "{\"durationSeconds\":0.5}", 0, "durationSeconds: must be between 1.000" },
	{ "scene.video", "{\"durationSeconds\":31}", 0, "durationSeconds: must be between 1.000 and 30.000" },
	{ "scene.video", "{\"aspectRatio\":\"%s\"}", 16, "aspectRatio: must have at most 15" },
	{ "scene.video", "{\"modelOverride\":\"\"}", 0, "modelOverride: must have at least 1" },
	{ "scene.video", "{\"generateAudio\":\"y\"}", 0, "generateAudio: must be a boolean" },
	{ "scene.video", "{\"numberOfVideos\":2.5}", 0, "numberOfVideos: must be an integer" },
	{ "scene.video", "{\"prompt\":\"%s\"}", 10001, "prompt: must have at most 10000" },
	{ "price_req", "{\"modle\":\"m\"}", 0, "modle: unknown field" },
	{ "price_req", "{\"flags\":[\"turbo\"]}", 0, "flags: item 0 is not a quality flag" },
	{ "price_req", "{\"kind\":\"4d\"}", 0, "kind: unknown kind" },
	{ "price_req", "{\"count\":101}", 0, "count: must be between 0 and 100" },
	{ "price_req", "{\"duration_ms\":-1}", 0, "duration_ms: must be between 0" },
	{ "price_req", "{\"aspect\":\"%s\"}", 16, "aspect: must have at most 15" },
	{ NULL, NULL, 0, NULL }
};

static void
test_json_every_body_rule_rejects(void)
{
	const struct body_rule *r;
	struct catalog_price_req req;
	enum catalog_price_err rc;
	json_object *body;
	char *fill, *json, err[256];
	size_t cap = 32 * 1024;

	fill = malloc(cap);
	json = malloc(cap + 1024);
	CU_ASSERT_FATAL(fill != NULL && json != NULL);
	for (r = body_rules; r->kind != NULL; r++) {
		memset(fill, 'x', (size_t)r->fill);
		fill[r->fill] = '\0';
		snprintf(json, cap + 1024, r->fmt, fill);
		body = json_tokener_parse(json);
		CU_ASSERT_PTR_NOT_NULL_FATAL(body);
		err[0] = '\0';
		rc = catalog_price_req_from_json(r->kind, body, &req, err,
		    sizeof(err));
		json_object_put(body);
		CU_ASSERT_EQUAL(rc, CATALOG_PRICE_E_BAD_FIELD);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, r->want));
		if (rc != CATALOG_PRICE_E_BAD_FIELD || strstr(err, r->want) == NULL)
			printf("\n  %s %s: got rc=%d err=\"%s\", want \"%s\"\n",
			    r->kind, r->fmt, rc, err, r->want);
	}
	free(fill);
	free(json);
}

static void
test_json_price_req_roundtrip_any_kind(void)
{
	struct catalog_price_req a, b;
	struct catalog_quote qa, qb;
	json_object *o;
	char err[256];

	catalog_price_req_init(&a);
	snprintf(a.model, sizeof(a.model), "fal-ai/kling-3.0");
	a.duration_ms = 7000;
	a.clamp_duration = 1;
	a.flags = CATALOG_F(CATALOG_FLAG_WITH_AUDIO);
	o = catalog_price_req_to_json(&a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(get(o, "kind")), "any");
	CU_ASSERT_EQUAL_FATAL(catalog_price_req_from_json("price_req", o, &b,
	    err, sizeof(err)), CATALOG_PRICE_OK);
	json_object_put(o);
	CU_ASSERT_EQUAL(b.kind, CATALOG_KIND_ANY);
	CU_ASSERT_EQUAL(b.clamp_duration, 1);
	CU_ASSERT_EQUAL_FATAL(catalog_price(shipped, &a, &qa), CATALOG_PRICE_OK);
	CU_ASSERT_EQUAL_FATAL(catalog_price(shipped, &b, &qb), CATALOG_PRICE_OK);
	/* 10 s (clamped) x 50,000 x 1.4 = 700,000 both ways. */
	CU_ASSERT_EQUAL(qa.total_micros, 700000);
	CU_ASSERT_EQUAL(qb.total_micros, qa.total_micros);
}

/* ---- renderers ---------------------------------------------------------- */

static json_object *
get(json_object *o, const char *key)
{
	json_object *v = NULL;

	CU_ASSERT_FATAL(o != NULL);
	CU_ASSERT(json_object_object_get_ex(o, key, &v));
	return v;
}

static int
has(json_object *o, const char *key)
{
	return json_object_object_get_ex(o, key, NULL);
}

static void
test_render_models(void)
{
	json_object *o = catalog_render_models(shipped, CATALOG_KIND_ANY);
	json_object *data, *it;
	size_t i, n, found = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	data = get(o, "data");
	n = json_object_array_length(data);
	CU_ASSERT(n > 10);
	for (i = 0; i < n; i++) {
		it = json_object_array_get_idx(data, i);
		CU_ASSERT(has(it, "model_id") && has(it, "type") &&
		    has(it, "provider") && has(it, "cost_usd_per_unit") &&
		    has(it, "unit") && has(it, "max_resolution") &&
		    has(it, "max_duration_s") && has(it, "supports_audio"));
		CU_ASSERT_STRING_NOT_EQUAL(json_object_get_string(get(it, "type")),
		    "3d");
		if (strcmp(json_object_get_string(get(it, "model_id")),
		    "fal-ai/flux/schnell") == 0) {
			found++;
			CU_ASSERT_STRING_EQUAL(json_object_to_json_string(
			    get(it, "cost_usd_per_unit")), "0.003");
			CU_ASSERT_STRING_EQUAL(json_object_get_string(
			    get(it, "unit")), "megapixel");
			CU_ASSERT_STRING_EQUAL(json_object_get_string(
			    get(it, "max_resolution")), "1024x1024");
		}
	}
	CU_ASSERT_EQUAL(found, 1);
	json_object_put(o);
	o = catalog_render_models(shipped, CATALOG_KIND_AUDIO);
	data = get(o, "data");
	for (i = 0; i < json_object_array_length(data); i++)
		CU_ASSERT_STRING_EQUAL(json_object_get_string(get(
		    json_object_array_get_idx(data, i), "type")), "audio");
	json_object_put(o);
}

static void
test_render_pricing(void)
{
	json_object *o = catalog_render_pricing(shipped, 1795392000);
	json_object *ops, *it;
	size_t i, n, compose = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(get(o, "currency")), "USD");
	CU_ASSERT_EQUAL(json_object_get_int64(get(o, "micros_per_unit")), 1000000);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(get(o, "generated_at")),
	    "2026-11-23T00:00:00Z");
	ops = get(o, "operations");
	n = json_object_array_length(ops);
	CU_ASSERT_EQUAL(n, shipped->nops);
	for (i = 0; i < n; i++) {
		it = json_object_array_get_idx(ops, i);
		CU_ASSERT(has(it, "operation_id") && has(it, "model") &&
		    has(it, "provider") && has(it, "unit") &&
		    has(it, "price_usd_micros") && has(it, "price_usd"));
		CU_ASSERT(json_object_is_type(get(it, "price_usd_micros"),
		    json_type_int));
		if (strcmp(json_object_get_string(get(it, "operation_id")),
		    "compose.stitch_per_minute") == 0) {
			compose++;
			CU_ASSERT_EQUAL(json_object_get_int64(
			    get(it, "price_usd_micros")), 20000);
			CU_ASSERT_STRING_EQUAL(json_object_to_json_string(
			    get(it, "price_usd")), "0.02");
		}
	}
	CU_ASSERT_EQUAL(compose, 1);
	json_object_put(o);
}

static void
test_render_prisms_filters(void)
{
	json_object *o = NULL, *data, *it;
	size_t i;

	CU_ASSERT_EQUAL_FATAL(catalog_render_prisms(shipped, NULL, NULL, &o),
	    CATALOG_OK);
	data = get(o, "data");
	CU_ASSERT_EQUAL(json_object_array_length(data), shipped->nprisms);
	for (i = 0; i < json_object_array_length(data); i++) {
		it = json_object_array_get_idx(data, i);
		CU_ASSERT(has(it, "id") && has(it, "name") &&
		    has(it, "category") && has(it, "compatible_with"));
	}
	json_object_put(o);
	CU_ASSERT_EQUAL_FATAL(catalog_render_prisms(shipped, "color", NULL, &o),
	    CATALOG_OK);
	CU_ASSERT_EQUAL(json_object_array_length(get(o, "data")), 2);
	json_object_put(o);
	CU_ASSERT_EQUAL_FATAL(catalog_render_prisms(shipped, "", "audio", &o),
	    CATALOG_OK);
	CU_ASSERT_EQUAL(json_object_array_length(get(o, "data")), 2);
	json_object_put(o);
	CU_ASSERT_EQUAL_FATAL(catalog_render_prisms(shipped, "texture", "video",
	    &o), CATALOG_OK);
	CU_ASSERT_EQUAL(json_object_array_length(get(o, "data")), 2);
	json_object_put(o);
	CU_ASSERT_EQUAL_FATAL(catalog_render_prisms(shipped, "style", "audio",
	    &o), CATALOG_OK);
	CU_ASSERT_EQUAL(json_object_array_length(get(o, "data")), 0);
	json_object_put(o);
	o = NULL;
	CU_ASSERT_EQUAL(catalog_render_prisms(shipped, NULL, "3d", &o),
	    CATALOG_E_VALUE);
	CU_ASSERT_PTR_NULL(o);
}

static void
test_render_packages(void)
{
	json_object *o = catalog_render_packages(shipped), *arr, *it;

	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT(json_object_get_boolean(get(o, "ok")));
	arr = get(o, "packages");
	CU_ASSERT_EQUAL_FATAL(json_object_array_length(arr), shipped->npackages);
	it = json_object_array_get_idx(arr, 0);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(get(it, "code")), "usd_5");
	CU_ASSERT_EQUAL(json_object_get_int64(get(it, "priceUsdMicros")), 5000000);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(get(it, "priceUsd")),
	    "5.00");
	CU_ASSERT(has(it, "creditUsdMicros") && has(it, "name"));
	json_object_put(o);
	o = catalog_render_credit_packs(shipped);
	it = json_object_array_get_idx(get(o, "packages"), 3);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(get(it, "id")),
	    "enterprise");
	CU_ASSERT_EQUAL(json_object_get_int64(get(it, "credits")), 30000);
	json_object_put(o);
}

static void
test_render_quote_and_estimate(void)
{
	struct catalog_price_req r;
	struct catalog_quote q;
	enum catalog_price_err rc;
	json_object *o, *lines, *reasons;

	catalog_price_req_init(&r);
	snprintf(r.model, sizeof(r.model), "kt/flux-2-klein");
	r.flags = CATALOG_F(CATALOG_FLAG_HIGH_DETAIL);
	CU_ASSERT_EQUAL_FATAL(catalog_price(shipped, &r, &q), CATALOG_PRICE_OK);
	o = catalog_render_quote(&q);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(json_object_get_int64(get(o, "total_usd_micros")), 6293);
	lines = get(o, "lines");
	CU_ASSERT_EQUAL(json_object_array_length(lines), 2);
	CU_ASSERT_EQUAL(json_object_get_int(get(json_object_array_get_idx(lines,
	    1), "bps")), 15000);
	json_object_put(o);

	/* Enough balance: would succeed. */
	o = catalog_render_estimate(shipped, &r, CATALOG_PRICE_OK, &q, 1000000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT(has(o, "credits") && has(o, "usd") &&
	    has(o, "estimated_seconds") && has(o, "model") &&
	    has(o, "would_succeed") && has(o, "reasons_blocked"));
	CU_ASSERT(json_object_get_boolean(get(o, "would_succeed")));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(get(o, "kind")), "image");
	json_object_put(o);
	/* Balance too low: insufficient_credits. */
	o = catalog_render_estimate(shipped, &r, CATALOG_PRICE_OK, &q, 100);
	CU_ASSERT(!json_object_get_boolean(get(o, "would_succeed")));
	reasons = get(o, "reasons_blocked");
	CU_ASSERT_STRING_EQUAL(json_object_get_string(
	    json_object_array_get_idx(reasons, 0)), "insufficient_credits");
	json_object_put(o);
	/* Unknown model: unknown_model. */
	snprintf(r.model, sizeof(r.model), "ghost");
	rc = catalog_price(shipped, &r, &q);
	o = catalog_render_estimate(shipped, &r, rc, &q, -1);
	CU_ASSERT(!json_object_get_boolean(get(o, "would_succeed")));
	reasons = get(o, "reasons_blocked");
	CU_ASSERT_STRING_EQUAL(json_object_get_string(
	    json_object_array_get_idx(reasons, 0)), "unknown_model");
	CU_ASSERT_STRING_EQUAL(json_object_get_string(get(o, "model")), "ghost");
	json_object_put(o);
}

static const struct mgt_case shipped_cases[] = {
	{ "shipped catalog loads", test_shipped_loads },
	{ "every model local and priced", test_shipped_every_model_local_and_priced },
	{ "lookups by model and operation", test_shipped_lookups },
	{ "tasks resolve", test_shipped_tasks_resolve },
	{ "credit packs and packages", test_shipped_packs_and_packages },
	{ "missing file is CATALOG_E_IO", test_load_missing_file },
	{ "base test catalog loads", test_base_loads },
	{ NULL, NULL }
};

static const struct mgt_case reject_cases[] = {
	{ "rejects non-JSON", test_reject_not_json },
	{ "rejects trailing bytes", test_reject_trailing_bytes },
	{ "rejects non-object root", test_reject_root_not_object },
	{ "rejects missing version", test_reject_missing_version },
	{ "rejects non-string version", test_reject_version_not_string },
	{ "rejects empty string", test_reject_empty_string },
	{ "rejects unknown top-level field", test_reject_unknown_top_field },
	{ "rejects non-USD currency", test_reject_non_usd_currency },
	{ "rejects missing providers", test_reject_missing_providers },
	{ "rejects unknown adapter", test_reject_unknown_adapter },
	{ "rejects duplicate provider", test_reject_duplicate_provider },
	{ "rejects unknown multiplier flag", test_reject_unknown_multiplier_flag },
	{ "rejects multiplier above range", test_reject_multiplier_above_range },
	{ "rejects multiplier below range", test_reject_multiplier_below_range },
	{ "rejects fractional multiplier", test_reject_multiplier_fractional },
	{ "rejects unknown kind", test_reject_unknown_kind },
	{ "rejects duplicate model id", test_reject_duplicate_model_id },
	{ "rejects missing provider", test_reject_missing_provider },
	{ "rejects unknown provider", test_reject_unknown_provider },
	{ "rejects unknown upstream provider", test_reject_unknown_upstream_provider },
	{ "rejects bad id character", test_reject_bad_id_character },
	{ "rejects unknown model field", test_reject_unknown_model_field },
	{ "rejects image model without sizes", test_reject_image_without_sizes },
	{ "rejects size not a multiple", test_reject_size_not_multiple },
	{ "rejects size over max_pixels", test_reject_size_over_max_pixels },
	{ "rejects malformed size", test_reject_malformed_size },
	{ "rejects bad aspect key", test_reject_bad_aspect_key },
	{ "rejects default aspect not offered", test_reject_default_aspect_not_offered },
	{ "rejects duration max below min", test_reject_duration_max_below_min },
	{ "rejects default duration out of range", test_reject_default_duration_out_of_range },
	{ "rejects allowed duration out of range", test_reject_allowed_duration_out_of_range },
	{ "rejects default duration not allowed", test_reject_default_not_allowed },
	{ "rejects max_outputs 0", test_reject_max_outputs_zero },
	{ "rejects max_outputs 101", test_reject_max_outputs_too_many },
	{ "rejects negative price", test_reject_negative_price },
	{ "rejects price above cap", test_reject_price_too_high },
	{ "rejects fractional price", test_reject_fractional_price },
	{ "rejects price beyond int64", test_reject_huge_price },
	{ "rejects unknown unit", test_reject_unknown_unit },
	{ "rejects unit wrong for kind", test_reject_unit_wrong_for_kind },
	{ "rejects per-second without duration", test_reject_per_second_without_duration },
	{ "rejects 1k_chars without text limit", test_reject_kchars_without_text_limit },
	{ "rejects operation of unknown model", test_reject_op_unknown_model },
	{ "rejects model priced twice", test_reject_model_priced_twice },
	{ "rejects double pricing variants", test_reject_double_pricing_variants },
	{ "rejects unpriced model", test_reject_unpriced_model },
	{ "rejects unknown multiplier reference", test_reject_op_unknown_multiplier },
	{ "rejects duplicate operation", test_reject_duplicate_operation },
	{ "rejects default of unknown kind", test_reject_default_unknown_kind },
	{ "rejects default of wrong kind", test_reject_default_wrong_kind },
	{ "rejects default unknown model", test_reject_default_unknown_model },
	{ "rejects unknown task", test_reject_unknown_task },
	{ "rejects task of unknown model", test_reject_task_unknown_model },
	{ "rejects duplicate task", test_reject_duplicate_task },
	{ "rejects zero package price", test_reject_package_zero_price },
	{ "rejects duplicate package", test_reject_duplicate_package },
	{ "rejects zero-credit pack", test_reject_credit_pack_zero_credits },
	{ "rejects prism media type", test_reject_prism_bad_media_type },
	{ "rejects prism without media types", test_reject_prism_empty_compat },
	{ "rejects non-object model", test_reject_model_item_not_object },
	{ "rejects id over 120 chars", test_reject_id_too_long },
	{ "rejects non-boolean flag", test_reject_bool_wrong_type },
	{ "rejects non-array list", test_reject_array_wrong_type },
	{ "rejects non-object section", test_reject_object_wrong_type },
	{ "rejects duplicate multiplier", test_reject_duplicate_multiplier },
	{ "rejects size multiple 0", test_reject_size_multiple_zero },
	{ "rejects missing aspect_ratios", test_reject_missing_aspect_ratios },
	{ "rejects empty aspect_ratios", test_reject_empty_aspect_ratios },
	{ "rejects non-integer allowed duration", test_reject_allowed_duration_not_integer },
	{ "rejects non-string upstream id", test_reject_upstream_not_string },
	{ "rejects non-string capability", test_reject_capability_not_string },
	{ "rejects non-string default", test_reject_default_not_string },
	{ "rejects duplicate credit pack", test_reject_duplicate_credit_pack },
	{ "rejects duplicate prism", test_reject_duplicate_prism },
	{ "rejects credit value 0", test_reject_credit_value_zero },
	{ "rejects unknown eta field", test_reject_unknown_eta_field },
	{ NULL, NULL }
};

static const struct mgt_case price_cases[] = {
	{ "per megapixel, default size", test_price_per_megapixel_default_size },
	{ "per megapixel, aspect ratio", test_price_per_megapixel_aspect },
	{ "per megapixel, explicit size and count", test_price_per_megapixel_explicit_and_count },
	{ "per image x count", test_price_per_image_count },
	{ "video per second", test_price_video_per_second },
	{ "video with_audio multiplier", test_price_video_with_audio },
	{ "highDetail +50%", test_price_high_detail_plus_50 },
	{ "unpriced flag ignored", test_price_unpriced_flag_ignored },
	{ "extremeQuality +50%", test_price_extreme_quality },
	{ "TTS per 1k chars", test_price_tts_per_1k_chars },
	{ "TTS rounds up to the micro", test_price_tts_rounds_up },
	{ "compose per minute", test_price_compose_per_minute },
	{ "per request and training job", test_price_request_and_training },
	{ "by task and by kind default", test_price_by_task_and_default },
	{ "clamped duration", test_price_clamped_duration },
	{ "error: unknown model", test_price_err_unknown_model },
	{ "error: unknown task", test_price_err_unknown_task },
	{ "error: wrong kind", test_price_err_wrong_kind },
	{ "error: unsupported size", test_price_err_unsupported_size },
	{ "error: unsupported aspect", test_price_err_unsupported_aspect },
	{ "error: duration out of range", test_price_err_duration },
	{ "error: too many outputs", test_price_err_too_many_outputs },
	{ "error: prompt too long", test_price_err_prompt_too_long },
	{ "error: text range", test_price_err_text_range },
	{ "error: audio unsupported", test_price_err_audio_unsupported },
	{ "error: negative input", test_price_err_negative_input },
	{ "overflow guarded", test_price_overflow_guarded },
	{ "quote == hold == capture", test_quote_equals_hold_equals_capture },
	{ NULL, NULL }
};

static const struct mgt_case json_cases[] = {
	{ "studio image", test_json_studio_image },
	{ "studio image rejects", test_json_studio_image_rejects },
	{ "prompt length counts characters", test_json_prompt_length_counts_characters },
	{ "studio video", test_json_studio_video },
	{ "studio audio", test_json_studio_audio },
	{ "studio compose", test_json_studio_compose },
	{ "studio estimate and legacy generate", test_json_estimate_and_legacy_generate },
	{ "prepaid image.generate", test_json_prepaid_image_generate },
	{ "prepaid envelope", test_json_prepaid_envelope },
	{ "prepaid video.generate", test_json_prepaid_video_generate },
	{ "prepaid other tasks", test_json_prepaid_other_tasks },
	{ "credits dialect", test_json_credits_dialect },
	{ "every body rule rejects (table)", test_json_every_body_rule_rejects },
	{ "stored price_req round trip", test_json_price_req_roundtrip_any_kind },
	{ NULL, NULL }
};

static const struct mgt_case render_cases[] = {
	{ "/v1/models", test_render_models },
	{ "/v1/pricing", test_render_pricing },
	{ "/v1/prisms filters", test_render_prisms_filters },
	{ "/api/v1/packages and credit packs", test_render_packages },
	{ "quote and /v1/estimate", test_render_quote_and_estimate },
	{ NULL, NULL }
};

int
main(void)
{
	mgt_suite("catalog: shipped file", suite_init, suite_clean, shipped_cases);
	mgt_suite("catalog: loader rejects", NULL, NULL, reject_cases);
	mgt_suite("catalog: pricing", suite_init, suite_clean, price_cases);
	mgt_suite("catalog: request bodies", suite_init, suite_clean, json_cases);
	mgt_suite("catalog: renderers", suite_init, suite_clean, render_cases);
	return mgt_run();
}
