/*
 * mg_resp: building answers. Every response is JSON in the dialect's shape
 * unless a handler sends raw bytes (HTML pages, files).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "mg_ctx.h"

static const int err_status[MG_E__MAX] = {
	[MG_E_BAD_REQUEST] = 400,
	[MG_E_INVALID_JSON] = 400,
	[MG_E_INVALID_PARAM] = 400,
	[MG_E_UNAUTHORIZED] = 401,
	[MG_E_INSUFFICIENT_FUNDS] = 402,
	[MG_E_SPEND_CAP] = 402,
	[MG_E_FORBIDDEN] = 403,
	[MG_E_NOT_FOUND] = 404,
	[MG_E_METHOD] = 405,
	[MG_E_CONFLICT] = 409,
	[MG_E_IDEMPOTENCY_BUSY] = 409,
	[MG_E_GONE] = 410,
	[MG_E_TOO_LARGE] = 413,
	[MG_E_IDEMPOTENCY_MISMATCH] = 422,
	[MG_E_UNPROCESSABLE] = 422,
	[MG_E_RATE_LIMITED] = 429,
	[MG_E_HEADER_TOO_LARGE] = 431,
	[MG_E_INTERNAL] = 500,
	[MG_E_UPSTREAM] = 502,
	[MG_E_UNAVAILABLE] = 503,
};

int
mg_err_status(enum mg_err e)
{
	return e < MG_E__MAX ? err_status[e] : 500;
}

int
mg_reply_raw(struct mg_ctx *c, int status, const char *ctype,
    const char *body, size_t len)
{
	c->status = status;
	c->content_type = ctype;
	c->body.len = 0;
	mg_buf_append(&c->body, body, len);
	c->responded = 1;
	return status;
}

int
mg_reply_json(struct mg_ctx *c, int status, json_object *obj)
{
	size_t len;
	const char *s;

	s = json_object_to_json_string_length(obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	mg_reply_raw(c, status, "application/json", s, len);
	json_object_put(obj);
	return status;
}

/* Write {"error":{"code","message"}} or {"detail":"message"} directly. */
static int
fail_v(struct mg_ctx *c, int status, const char *code, const char *fmt,
    va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	c->status = status;
	c->content_type = "application/json";
	c->body.len = 0;
	if (c->dialect != NULL && c->dialect->detail_shape) {
		mg_buf_puts(&c->body, "{\"detail\":\"");
		mg_buf_json_escape(&c->body, msg);
		mg_buf_puts(&c->body, "\"}");
	} else {
		mg_buf_puts(&c->body, "{\"error\":{\"code\":\"");
		mg_buf_json_escape(&c->body, code);
		mg_buf_puts(&c->body, "\",\"message\":\"");
		mg_buf_json_escape(&c->body, msg);
		mg_buf_puts(&c->body, "\"}}");
	}
	c->responded = 1;
	return status;
}

int
mg_fail(struct mg_ctx *c, enum mg_err e, const char *fmt, ...)
{
	va_list ap;
	const char *code;
	int st;

	if (e >= MG_E__MAX)
		e = MG_E_INTERNAL;
	code = c->dialect != NULL && c->dialect->codes[e] != NULL ?
	    c->dialect->codes[e] : "error";
	va_start(ap, fmt);
	st = fail_v(c, mg_err_status(e), code, fmt, ap);
	va_end(ap);
	return st;
}

int
mg_fail_code(struct mg_ctx *c, int status, const char *code,
    const char *fmt, ...)
{
	va_list ap;
	int st;

	va_start(ap, fmt);
	st = fail_v(c, status, code, fmt, ap);
	va_end(ap);
	return st;
}

void
mg_header(struct mg_ctx *c, const char *name, const char *value)
{
	if (strpbrk(name, "\r\n") != NULL || strpbrk(value, "\r\n") != NULL)
		return;
	mg_buf_puts(&c->headers, name);
	mg_buf_puts(&c->headers, ": ");
	mg_buf_puts(&c->headers, value);
	mg_buf_puts(&c->headers, "\r\n");
}

static void
put_json(void *p)
{
	json_object_put(p);
}

json_object *
mg_json_own(struct mg_ctx *c, json_object *obj)
{
	if (obj != NULL)
		mg_arena_defer(c->arena, put_json, obj);
	return obj;
}

json_object *
mg_json_parse(const char *buf, size_t len, int max_depth)
{
	json_tokener *tok;
	json_object *obj;
	size_t end;

	if (len == 0 || len > (size_t)INT32_MAX)
		return NULL;
	if ((tok = json_tokener_new_ex(max_depth)) == NULL)
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (obj != NULL && json_tokener_get_error(tok) == json_tokener_success) {
		/* Only trailing whitespace may follow the value. */
		for (; end < len; end++)
			if (buf[end] != ' ' && buf[end] != '\n' &&
			    buf[end] != '\r' && buf[end] != '\t')
				break;
	}
	if (obj == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    end != len || !json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	return obj;
}

json_object *
mg_json_body(struct mg_ctx *c)
{
	json_object *obj;

	if (c->req.body == NULL || c->req.body_len == 0) {
		mg_fail(c, MG_E_INVALID_JSON, "request body must be a JSON object");
		return NULL;
	}
	if ((obj = mg_json_parse(c->req.body, c->req.body_len,
	    MG_JSON_MAX_DEPTH)) == NULL) {
		mg_fail(c, MG_E_INVALID_JSON, "request body is not valid JSON "
		    "(an object, nested at most %d deep)", MG_JSON_MAX_DEPTH);
		return NULL;
	}
	return mg_json_own(c, obj);
}
