/*
 * pay_json: bounded JSON access shared by the payment wire layer (pay_*).
 *
 * Every body from a provider or a client is capped in size and nesting depth
 * before json-c sees it, parsed strictly (RFC 8259, UTF-8 validated), and must
 * be one JSON object with nothing but whitespace after it. Field getters copy
 * into caller-owned fixed buffers and report absent / wrong type separately,
 * so parsers can name the rule a body broke.
 */
#ifndef PAY_JSON_H
#define PAY_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

enum pay_json_err {
	PAY_JSON_OK = 0,
	PAY_JSON_ETOOBIG,	/* body longer than the cap */
	PAY_JSON_EDEPTH,	/* nesting deeper than the cap */
	PAY_JSON_ESYNTAX,	/* not JSON, truncated, or trailing bytes */
	PAY_JSON_ENOTOBJ,	/* top level is not an object */
	PAY_JSON_ENOMEM,
	PAY_JSON__MAX
};

/* Default caps for provider bodies (events, API responses). */
#define PAY_JSON_MAX_LEN	(256 * 1024)
#define PAY_JSON_MAX_DEPTH	16

/* Result of a field getter. */
#define PAY_JF_OK	0	/* present, right type, copied */
#define PAY_JF_ABSENT	1	/* key missing or JSON null */
#define PAY_JF_BAD	(-1)	/* wrong type, too long, NUL inside, out of range */

const char	*pay_json_strerror(int);

/*
 * Parse buf[0..len) into a json-c object. Returns PAY_JSON_OK and *out (caller
 * owns it: json_object_put) or an error and *out = NULL.
 */
int	 pay_json_parse(const char *buf, size_t len, size_t max_len,
	    int max_depth, json_object **out);

/* String member key of o into out[cap] (NUL-terminated). */
int	 pay_json_str(json_object *o, const char *key, char *out, size_t cap);
/* Integer member (JSON integer, not a string or a float) within [min, max]. */
int	 pay_json_i64(json_object *o, const char *key, int64_t min, int64_t max,
	    int64_t *out);
/* Boolean member. */
int	 pay_json_bool(json_object *o, const char *key, int *out);
/* Object member: *out borrowed from o. */
int	 pay_json_obj(json_object *o, const char *key, json_object **out);
/*
 * A Stripe expandable reference (§2/§3): a string id, null (→ "" and
 * PAY_JF_ABSENT) or an expanded object whose "id" string is taken.
 */
int	 pay_json_ref(json_object *o, const char *key, char *out, size_t cap);
/* Array member: *out borrowed from o. */
int	 pay_json_arr(json_object *o, const char *key, json_object **out);

#endif
