/*
 * catalog_price: THE pricing function. Pure and integer-only.
 *
 * One function, catalog_price(), turns a normalised request into a total in
 * USD micros. The same function, on the same catalog version and the same
 * struct catalog_price_req, prices all three moments of a job:
 *   - the quote   (/v1/estimate, pricingMeta, credits shown to a user),
 *   - the hold    (the reservation written with the job), and
 *   - the capture (settlement: the job stores its normalised request, as
 *                  catalog_price_req_to_json(), and the catalog version; the
 *                  capture parses it back with kind "price_req", re-runs
 *                  catalog_price and gets the held amount back, so
 *                  actual <= reserved holds by construction).
 * Nothing else in mediagate computes a price.
 *
 * Rounding rule: every fractional product is rounded UP to the next whole
 * micro, in integer math, never in floating point:
 *   base  = ceil(unit_price * qty_num / qty_den)
 *   where the billed quantity qty_num/qty_den is, per unit:
 *     image, request, training_job: count / 1
 *     megapixel:  width * height * count / 1,000,000
 *     second:     duration_ms * count / 1,000
 *     minute:     duration_ms * count / 60,000
 *     1k_chars:   chars * count / 1,000
 *   then for each multiplier of the operation whose flag is set, in catalog
 *   order: amount = ceil(amount * bps / 10,000).
 *   Example: flux-schnell at 3000 micros/MP, 1024x1024:
 *     ceil(3000 * 1048576 / 1e6) = ceil(3145.728) = 3146 micros.
 * Every product is overflow-checked; a total above CATALOG_PRICE_MAX_TOTAL
 * is CATALOG_PRICE_E_OVERFLOW, never a wrapped number.
 *
 * Inputs a model does not measure are ignored (a duration sent to an image
 * model, a size sent to a TTS model); quality flags the operation does not
 * price are ignored, except with_audio on a model without audio, which is an
 * error.
 */
#ifndef CATALOG_PRICE_H
#define CATALOG_PRICE_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "catalog.h"

#define CATALOG_PRICE_MAX_LINES	(1 + CATALOG_FLAG__MAX)
#define CATALOG_PRICE_MAX_TOTAL	1000000000000LL	/* $1,000,000 per job */

enum catalog_price_err {
	CATALOG_PRICE_OK = 0,
	CATALOG_PRICE_E_INVALID,		/* NULL or negative inputs */
	CATALOG_PRICE_E_UNKNOWN_MODEL,		/* no such model id */
	CATALOG_PRICE_E_UNKNOWN_TASK,		/* no model serves the task */
	CATALOG_PRICE_E_WRONG_KIND,		/* e.g. video model on image endpoint */
	CATALOG_PRICE_E_UNSUPPORTED_SIZE,	/* size not allowed by the model */
	CATALOG_PRICE_E_UNSUPPORTED_ASPECT,	/* aspect ratio not offered */
	CATALOG_PRICE_E_DURATION_RANGE,		/* duration out of range / not allowed */
	CATALOG_PRICE_E_TOO_MANY_OUTPUTS,	/* count > model max_outputs */
	CATALOG_PRICE_E_PROMPT_TOO_LONG,	/* prompt over the model's limit */
	CATALOG_PRICE_E_TEXT_RANGE,		/* TTS text empty or too long */
	CATALOG_PRICE_E_UNSUPPORTED_OPTION,	/* e.g. with_audio, no audio */
	CATALOG_PRICE_E_OVERFLOW,		/* total beyond MAX_TOTAL */
	CATALOG_PRICE_E_BAD_FIELD,		/* req_from_json: a field failed */
	CATALOG_PRICE_E__MAX
};

/*
 * A normalised pricing request. Zero means "the model's default" for
 * width/height, duration_ms and count; empty strings mean "not given".
 * Strings are copied in, so the struct owns no memory and can be stored
 * with the job and priced again at capture.
 */
struct catalog_price_req {
	char		 model[CATALOG_MAX_ID + 1];	/* "" : task or default */
	char		 task[48];	/* prepaid/credits task, "" : none */
	char		 variant[32];	/* task variant (audio.speak provider) */
	enum catalog_kind kind;		/* expected kind, CATALOG_KIND_ANY */
	int32_t		 width;
	int32_t		 height;
	char		 aspect[16];	/* "16:9", "" : model default */
	int64_t		 duration_ms;
	int64_t		 chars;		/* billed text, Unicode code points */
	int64_t		 prompt_chars;	/* prompt length, code points */
	int32_t		 count;		/* outputs (num_images, numberOfVideos) */
	unsigned	 flags;		/* CATALOG_F(CATALOG_FLAG_...) bits */
	int		 clamp_duration; /* clamp to the model's range, not reject */
};

/* One line of the breakdown: the base line, then one per multiplier. */
struct catalog_price_line {
	const char	*label;		/* operation id or multiplier id */
	int64_t		 qty_num;	/* billed quantity = qty_num / qty_den */
	int64_t		 qty_den;	/*   (base line; 1/1 for multipliers) */
	int64_t		 unit_price_micros; /* base line: price per unit */
	int32_t		 bps;		/* multiplier lines: factor, else 0 */
	int64_t		 amount_micros;	/* running total after this line */
};

struct catalog_quote {
	const struct catalog_model	*model;
	const struct catalog_op		*op;
	const char			*catalog_version;
	int64_t				 total_micros;
	int64_t				 credits;	/* ceil(total / credit value) */
	int64_t				 estimated_seconds;
	/* The effective inputs after defaults (what was priced). */
	int32_t				 width;
	int32_t				 height;
	const char			*aspect;	/* NULL when no size */
	int64_t				 duration_ms;
	int64_t				 chars;
	int32_t				 count;
	unsigned			 flags_priced;	/* flags that changed the price */
	size_t				 nlines;
	struct catalog_price_line	 lines[CATALOG_PRICE_MAX_LINES];
	char				 error[192];	/* why, when not OK */
};

/* Reset a request: everything "not given", kind any, count 0 (= 1). */
void	catalog_price_req_init(struct catalog_price_req *);

/*
 * Price req against catalog c into q. Pure: depends only on (c, req).
 * Returns CATALOG_PRICE_OK with q filled, or an error with q->error set
 * to a sentence a person can read. q's pointers live as long as c.
 */
enum catalog_price_err catalog_price(const struct catalog *c,
	    const struct catalog_price_req *req, struct catalog_quote *q);

/* A sentence, and a stable snake_case code for API errors. */
const char	*catalog_price_strerror(enum catalog_price_err);
const char	*catalog_price_code(enum catalog_price_err);

/*
 * Build a pricing request from a request body, applying the seeds' rules
 * that affect the price (sizes, aspect ratio enums, durations, output
 * counts, prompt/text lengths). kind_or_task names the body's shape:
 *   studio  (002): "image" GenerateImageRequest, "video"
 *                  GenerateVideoRequest, "audio" GenerateAudioRequest,
 *                  "compose" ComposeRequest, "estimate" (/v1/estimate),
 *                  "generate" (legacy /v1/generate), "character"
 *                  (POST /v1/characters: a training job)
 *   prepaid (003): "media.job" a whole MediaJobRequest {task, input}; or a
 *                  task name ("image.generate", ...) with body = its input
 *   credits (000): "sheet.generate" (/api/generate), "scene.generate",
 *                  "scene.video" (/api/scene/video-preview)
 *   stored:        "price_req" the canonical form written by
 *                  catalog_price_req_to_json (unknown keys rejected)
 * Returns CATALOG_PRICE_OK, or CATALOG_PRICE_E_BAD_FIELD with err naming
 * the field ("input.width: must be a multiple of 32"), or
 * CATALOG_PRICE_E_UNKNOWN_TASK for an unknown kind_or_task / task.
 * The model itself is checked later by catalog_price().
 */
enum catalog_price_err catalog_price_req_from_json(const char *kind_or_task,
	    const json_object *body, struct catalog_price_req *out,
	    char *err, size_t errlen);

/*
 * The canonical JSON of a request, to store with the job's hold:
 * {model, task, variant, kind, width, height, aspect, duration_ms, chars,
 * prompt_chars, count, flags[], clamp_duration}. Caller owns the result;
 * NULL on OOM. catalog_price_req_from_json("price_req", ...) reads it back.
 */
json_object	*catalog_price_req_to_json(const struct catalog_price_req *);

/* Number of Unicode code points in UTF-8 s[0..n) (continuation bytes skipped). */
int64_t	catalog_utf8_chars(const char *s, size_t n);

#endif
