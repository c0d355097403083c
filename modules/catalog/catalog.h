/*
 * catalog: the model and price catalog, loaded once from
 * config/catalog/catalog-v1.json into an immutable in-memory struct.
 *
 * File format (top-level object; unknown keys anywhere are rejected):
 *   version            string, required: the catalog version, stored with
 *                      every hold so a capture can name the prices it used
 *   currency           "USD"
 *   credit_usd_micros  integer: the value of one display credit (10000 =
 *                      1 credit is $0.01, the credits dialect's rate)
 *   defaults           {kind: model id}: the model used when a request of
 *                      that kind names none
 *   providers[]        {id, adapter: local|fal|replicate|elevenlabs, name}
 *   multipliers[]      {id, flag, bps, description}: flag is one of the
 *                      quality flags below; bps is a factor in basis points
 *                      (15000 = x1.5), in [1000, 100000]
 *   models[]           {id, name, kind, provider, provider_model, upstream
 *                      {provider id: upstream model id}, capabilities[],
 *                      max_prompt_chars, max_outputs, max_text_chars,
 *                      supports_audio, sizes {multiple, max_pixels, fixed,
 *                      default_aspect_ratio, aspect_ratios {"16:9": "WxH"}},
 *                      duration_ms {min, max, default, allowed[]},
 *                      eta_ms {base, per_unit}}
 *   operations[]       {id, model, unit, price_usd_micros, multipliers[],
 *                      notes}: exactly one operation prices each model
 *   tasks[]            {task, variant?, model}: prepaid / credits task names
 *                      mapped to the model that serves them
 *   packages[]         {code, name, price_usd_micros, credit_usd_micros}
 *                      (prepaid /api/v1/packages)
 *   credit_packs[]     {id, name, credits, price_usd_micros} (credits /api)
 *   prisms[]           {id, name, category, compatible_with[], description,
 *                      preview_url?} (studio /v1/prisms)
 *
 * Every amount is integer USD micros. Nothing here is mutable after load;
 * pointers returned by lookups live as long as the catalog.
 */
#ifndef CATALOG_H
#define CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "mg_arena.h"

#define CATALOG_DEFAULT_PATH	"config/catalog/catalog-v1.json"
#define CATALOG_MAX_FILE	(4 * 1024 * 1024)	/* bytes */
#define CATALOG_MAX_ID		120			/* chars in an id */
#define CATALOG_MAX_UNIT_PRICE	1000000000LL		/* $1000 per unit */
#define CATALOG_MIN_BPS		1000			/* x0.1 */
#define CATALOG_MAX_BPS		100000			/* x10 */
#define CATALOG_MAX_OUTPUTS	100
#define CATALOG_MAX_SIDE	16384			/* pixels */
#define CATALOG_MAX_DURATION_MS	(24LL * 3600 * 1000)
#define CATALOG_MAX_TEXT	10000000

enum catalog_err {
	CATALOG_OK = 0,
	CATALOG_E_IO,		/* file missing, unreadable or too large */
	CATALOG_E_JSON,		/* not JSON */
	CATALOG_E_FIELD,	/* missing, unknown or mistyped field */
	CATALOG_E_VALUE,	/* value out of range or not in its enum */
	CATALOG_E_DUP,		/* duplicate id */
	CATALOG_E_REF,		/* reference to an unknown id */
	CATALOG_E_NOMEM,
	CATALOG_E__MAX
};

/* Media kinds; CATALOG_KIND__MAX doubles as "any kind" in requests. */
enum catalog_kind {
	CATALOG_KIND_IMAGE,	/* "image" */
	CATALOG_KIND_VIDEO,	/* "video" */
	CATALOG_KIND_AUDIO,	/* "audio" */
	CATALOG_KIND_3D,	/* "3d" */
	CATALOG_KIND_TRAINING,	/* "training" */
	CATALOG_KIND_COMPOSE,	/* "compose" */
	CATALOG_KIND__MAX
};
#define CATALOG_KIND_ANY	CATALOG_KIND__MAX

/* Billing units of an operation. */
enum catalog_unit {
	CATALOG_UNIT_IMAGE,	/* "image": per output image */
	CATALOG_UNIT_MEGAPIXEL,	/* "megapixel": per 10^6 output pixels */
	CATALOG_UNIT_SECOND,	/* "second": per second of output */
	CATALOG_UNIT_MINUTE,	/* "minute": per minute of output */
	CATALOG_UNIT_KCHARS,	/* "1k_chars": per 1,000 input characters */
	CATALOG_UNIT_REQUEST,	/* "request": per request (x outputs) */
	CATALOG_UNIT_TRAINING,	/* "training_job": per training job */
	CATALOG_UNIT__MAX
};

enum catalog_adapter {
	CATALOG_ADAPTER_LOCAL,		/* "local" */
	CATALOG_ADAPTER_FAL,		/* "fal" */
	CATALOG_ADAPTER_REPLICATE,	/* "replicate" */
	CATALOG_ADAPTER_ELEVENLABS,	/* "elevenlabs" */
	CATALOG_ADAPTER__MAX
};

/* Quality flags of a request (bit numbers; the mask is 1u << bit). */
enum catalog_flag {
	CATALOG_FLAG_HIGH_DETAIL,	/* "high_detail": prepaid highDetail */
	CATALOG_FLAG_EXTREME_QUALITY,	/* "extreme_quality": extremeQuality */
	CATALOG_FLAG_WITH_AUDIO,	/* "with_audio": studio with_audio */
	CATALOG_FLAG_UPSCALE,		/* "upscale": prepaid upscale */
	CATALOG_FLAG__MAX
};
#define CATALOG_F(bit)	(1u << (bit))

struct catalog_provider {
	const char		*id;
	const char		*name;
	enum catalog_adapter	 adapter;
};

struct catalog_upstream {
	const struct catalog_provider	*provider;
	const char			*model;	/* the provider's model id */
};

struct catalog_aspect {
	const char	*ratio;		/* "16:9" */
	int32_t		 width;
	int32_t		 height;
};

struct catalog_op;

struct catalog_model {
	const char			*id;
	const char			*name;
	enum catalog_kind		 kind;
	const struct catalog_provider	*provider;	/* default: local */
	const char			*provider_model;
	const struct catalog_upstream	*upstreams;
	size_t				 nupstreams;
	const char *const		*capabilities;
	size_t				 ncapabilities;
	int32_t				 max_prompt_chars;	/* 0: no prompt */
	int32_t				 max_outputs;		/* >= 1 */
	int64_t				 max_text_chars;	/* 0: no text */
	int				 supports_audio;
	/* Sizes (image/video); naspects == 0: the model takes no size. */
	int32_t				 size_multiple;
	int64_t				 max_pixels;
	int				 fixed_sizes;	/* only the listed sizes */
	const struct catalog_aspect	*aspects;
	size_t				 naspects;
	const struct catalog_aspect	*default_aspect;
	/* Durations; has_duration == 0: the model takes no duration. */
	int				 has_duration;
	int64_t				 min_duration_ms;
	int64_t				 max_duration_ms;
	int64_t				 default_duration_ms;
	const int64_t			*allowed_ms;	/* NULL: any in range */
	size_t				 nallowed;
	/* Wall-clock estimate: base + per_unit * billed quantity. */
	int64_t				 eta_base_ms;
	int64_t				 eta_per_unit_ms;
	const struct catalog_op		*op;		/* never NULL */
};

struct catalog_multiplier {
	const char		*id;
	const char		*description;
	enum catalog_flag	 flag;
	int32_t			 bps;	/* 15000 = x1.5 */
};

struct catalog_op {
	const char				*id;
	const struct catalog_model		*model;
	enum catalog_unit			 unit;
	int64_t					 price_micros;	/* per unit */
	const struct catalog_multiplier *const	*mults;	/* applied in order */
	size_t					 nmults;
	const char				*notes;		/* may be NULL */
};

struct catalog_task {
	const char			*task;		/* "image.generate" */
	const char			*variant;	/* NULL: the default */
	const struct catalog_model	*model;
};

struct catalog_package {
	const char	*code;
	const char	*name;
	int64_t		 price_micros;	/* what the buyer pays */
	int64_t		 credit_micros;	/* what the wallet gets */
};

struct catalog_credit_pack {
	const char	*id;
	const char	*name;
	int64_t		 credits;
	int64_t		 price_micros;
};

struct catalog_prism {
	const char	*id;
	const char	*name;
	const char	*category;
	const char	*description;	/* may be NULL */
	const char	*preview_url;	/* may be NULL */
	unsigned	 compat;	/* bits 1u << CATALOG_KIND_{IMAGE,VIDEO,AUDIO} */
};

struct catalog {
	const char				*version;
	const char				*currency;
	int64_t					 credit_usd_micros;
	const struct catalog_model		*defaults[CATALOG_KIND__MAX];
	const struct catalog_provider		*providers;
	size_t					 nproviders;
	const struct catalog_multiplier		*multipliers;
	size_t					 nmultipliers;
	const struct catalog_model		*models;
	size_t					 nmodels;
	const struct catalog_op			*ops;
	size_t					 nops;
	const struct catalog_task		*tasks;
	size_t					 ntasks;
	const struct catalog_package		*packages;
	size_t					 npackages;
	const struct catalog_credit_pack	*packs;
	size_t					 npacks;
	const struct catalog_prism		*prisms;
	size_t					 nprisms;
	struct mg_arena				 arena;	/* owns all of the above */
};

/*
 * Parse and validate a catalog from buf[0..len). On success *out owns a new
 * catalog (free with catalog_free). On failure returns the error and writes
 * "<path>: <reason>" into err (e.g. "models[3].kind: unknown kind \"4d\"").
 */
enum catalog_err catalog_load_buf(const char *buf, size_t len,
	    struct catalog **out, char *err, size_t errlen);
/* Same, reading the file at path (at most CATALOG_MAX_FILE bytes). */
enum catalog_err catalog_load_file(const char *path, struct catalog **out,
	    char *err, size_t errlen);
/* Load from config key catalog_path (env MG_CATALOG_PATH), default above. */
enum catalog_err catalog_load_default(struct catalog **out, char *err,
	    size_t errlen);
void		 catalog_free(struct catalog *);
const char	*catalog_strerror(enum catalog_err);

/* The catalog's version string. */
const char	*catalog_version(const struct catalog *);

/* Lookups: NULL when not found. */
const struct catalog_model	*catalog_model(const struct catalog *, const char *id);
const struct catalog_op		*catalog_op(const struct catalog *, const char *id);
const struct catalog_provider	*catalog_provider(const struct catalog *, const char *id);
/* The model serving task (variant NULL or unknown variant: the default). */
const struct catalog_model	*catalog_task_model(const struct catalog *,
	    const char *task, const char *variant);
const struct catalog_model	*catalog_default_model(const struct catalog *,
	    enum catalog_kind);
const struct catalog_package	*catalog_package(const struct catalog *, const char *code);
const struct catalog_credit_pack *catalog_credit_pack(const struct catalog *, const char *id);
const struct catalog_prism	*catalog_prism(const struct catalog *, const char *id);
/* The upstream model id of m at provider id, or NULL. */
const char	*catalog_upstream_model(const struct catalog_model *, const char *provider);

/* Enum <-> name. Names are the file format's; parse returns -1 when unknown. */
const char	*catalog_kind_name(enum catalog_kind);
int		 catalog_kind_parse(const char *);
const char	*catalog_unit_name(enum catalog_unit);
int		 catalog_unit_parse(const char *);
const char	*catalog_flag_name(enum catalog_flag);
int		 catalog_flag_parse(const char *);
/* 1 when name is a task the dialects know (prepaid and credits). */
int		 catalog_task_known(const char *name);
/* Parse "WxH" into sides 1..CATALOG_MAX_SIDE. Returns 0 or -1. */
int		 catalog_parse_size(const char *s, int32_t *w, int32_t *h);
/* 1 when s looks like an aspect ratio "N:M" (N, M in 1..999). */
int		 catalog_aspect_valid(const char *s);

#endif
