/*
 * pay_json: bounded, strict JSON parsing and typed field access.
 * RFC 8259; json-c 0.16 tokener with a depth limit (json_tokener_new_ex).
 */
#include <string.h>

#include <json-c/json.h>

#include "pay_json.h"

static const char *const pay_json_errs[PAY_JSON__MAX] = {
	"ok",				/* PAY_JSON_OK */
	"body too large",		/* PAY_JSON_ETOOBIG */
	"JSON nested too deeply",	/* PAY_JSON_EDEPTH */
	"malformed JSON",		/* PAY_JSON_ESYNTAX */
	"JSON is not an object",	/* PAY_JSON_ENOTOBJ */
	"out of memory",		/* PAY_JSON_ENOMEM */
};

const char *
pay_json_strerror(int e)
{
	if (e < 0 || e >= PAY_JSON__MAX)
		return "unknown error";
	return pay_json_errs[e];
}

/*
 * Parse exactly one JSON object from buf[0..len): size checked first, depth
 * enforced by the tokener, strict syntax and UTF-8, only whitespace may follow.
 * On success the caller owns *out.
 */
int
pay_json_parse(const char *buf, size_t len, size_t max_len, int max_depth,
    json_object **out)
{
	struct json_tokener *tok;
	json_object *o;
	enum json_tokener_error je;
	size_t end;
	int rc;

	*out = NULL;
	if (buf == NULL || len == 0)
		return PAY_JSON_ESYNTAX;
	if (len > max_len || len > (size_t)INT32_MAX)
		return PAY_JSON_ETOOBIG;
	if ((tok = json_tokener_new_ex(max_depth)) == NULL)
		return PAY_JSON_ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	je = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (o == NULL) {
		rc = je == json_tokener_error_depth ? PAY_JSON_EDEPTH :
		    PAY_JSON_ESYNTAX;
		return rc;
	}
	for (; end < len; end++)
		if (strchr(" \t\r\n", buf[end]) == NULL || buf[end] == '\0') {
			json_object_put(o);
			return PAY_JSON_ESYNTAX;
		}
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return PAY_JSON_ENOTOBJ;
	}
	*out = o;
	return PAY_JSON_OK;
}

/* Member key of o, or NULL when o is not an object, key is absent or null. */
static json_object *
member(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (o == NULL || !json_object_is_type(o, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;	/* NULL for JSON null */
}

/* Copy a string member; rejects embedded NUL and values that do not fit. */
int
pay_json_str(json_object *o, const char *key, char *out, size_t cap)
{
	json_object *v;
	const char *s;
	int n;

	if (cap > 0)
		out[0] = '\0';
	if ((v = member(o, key)) == NULL)
		return PAY_JF_ABSENT;
	if (!json_object_is_type(v, json_type_string))
		return PAY_JF_BAD;
	s = json_object_get_string(v);
	n = json_object_get_string_len(v);
	if (n < 0 || (size_t)n >= cap || memchr(s, '\0', (size_t)n) != NULL)
		return PAY_JF_BAD;
	memcpy(out, s, (size_t)n);
	out[n] = '\0';
	return PAY_JF_OK;
}

/* Integer member in [min, max]; JSON doubles and strings are wrong types. */
int
pay_json_i64(json_object *o, const char *key, int64_t min, int64_t max,
    int64_t *out)
{
	json_object *v;
	int64_t x;

	if ((v = member(o, key)) == NULL)
		return PAY_JF_ABSENT;
	if (!json_object_is_type(v, json_type_int))
		return PAY_JF_BAD;
	/* json-c saturates out-of-range literals at INT64_MIN/MAX. */
	x = json_object_get_int64(v);
	if (x < min || x > max || x == INT64_MAX || x == INT64_MIN)
		return PAY_JF_BAD;
	*out = x;
	return PAY_JF_OK;
}

int
pay_json_bool(json_object *o, const char *key, int *out)
{
	json_object *v;

	if ((v = member(o, key)) == NULL)
		return PAY_JF_ABSENT;
	if (!json_object_is_type(v, json_type_boolean))
		return PAY_JF_BAD;
	*out = json_object_get_boolean(v) ? 1 : 0;
	return PAY_JF_OK;
}

int
pay_json_obj(json_object *o, const char *key, json_object **out)
{
	json_object *v;

	*out = NULL;
	if ((v = member(o, key)) == NULL)
		return PAY_JF_ABSENT;
	if (!json_object_is_type(v, json_type_object))
		return PAY_JF_BAD;
	*out = v;
	return PAY_JF_OK;
}

int
pay_json_arr(json_object *o, const char *key, json_object **out)
{
	json_object *v;

	*out = NULL;
	if ((v = member(o, key)) == NULL)
		return PAY_JF_ABSENT;
	if (!json_object_is_type(v, json_type_array))
		return PAY_JF_BAD;
	*out = v;
	return PAY_JF_OK;
}

int
pay_json_ref(json_object *o, const char *key, char *out, size_t cap)
{
	json_object *sub;
	int jf;

	if ((jf = pay_json_str(o, key, out, cap)) != PAY_JF_BAD)
		return jf;
	if (pay_json_obj(o, key, &sub) != PAY_JF_OK)
		return PAY_JF_BAD;
	if ((jf = pay_json_str(sub, "id", out, cap)) != PAY_JF_OK)
		return PAY_JF_BAD;
	return PAY_JF_OK;
}
