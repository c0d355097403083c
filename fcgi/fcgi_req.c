#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mg_arena.h"
#include "mg_crypto.h"
#include "mg_util.h"
#include "fcgi_req.h"

static const char *const errs[FCGI_REQ__MAX] = {
	"ok",					/* FCGI_REQ_OK */
	"unsupported method",			/* FCGI_REQ_BAD_METHOD */
	"query string too long",		/* FCGI_REQ_QUERY_TOO_LONG */
	"malformed query string",		/* FCGI_REQ_BAD_QUERY */
	"request header too large",		/* FCGI_REQ_HEADER_TOO_LONG */
	"request body too large",		/* FCGI_REQ_BODY_TOO_LARGE */
	"invalid Content-Length",		/* FCGI_REQ_BAD_LENGTH */
	"request body shorter than Content-Length", /* FCGI_REQ_BODY_SHORT */
	"out of memory",			/* FCGI_REQ_NOMEM */
};

static const char *const methods[MG_METHOD__MAX] = {
	"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS",
};

const char *
fcgi_req_strerror(enum fcgi_req_err e)
{
	return e < FCGI_REQ__MAX ? errs[e] : "unknown";
}

/* Accept a client request id only if it is short and of a safe alphabet. */
static int
rid_ok(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (n >= MG_RID_LEN || !(isalnum((unsigned char)s[n]) ||
		    s[n] == '-' || s[n] == '_' || s[n] == '.'))
			return 0;
	return n > 0;
}

enum fcgi_req_err
fcgi_req_init(struct mg_req *r, FCGX_Request *f, struct mg_arena *a)
{
	const char *v, *uri;
	char **e;
	int64_t cl;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->fcgx = f;
	r->content_length = -1;
	if ((v = FCGX_GetParam("HTTP_X_REQUEST_ID", f->envp)) != NULL && rid_ok(v))
		memcpy(r->rid, v, strlen(v) + 1);
	else {
		unsigned char b[12];

		mg_random(b, sizeof(b));
		mg_hex(b, sizeof(b), r->rid);
	}
	r->method_str = (v = FCGX_GetParam("REQUEST_METHOD", f->envp)) ? v : "";
	r->method = MG_METHOD__MAX;
	for (i = 0; i < MG_METHOD__MAX; i++)
		if (strcmp(r->method_str, methods[i]) == 0)
			r->method = (enum mg_method)i;
	/* nginx's $document_uri: decoded and normalised, without the query. */
	if ((uri = FCGX_GetParam("DOCUMENT_URI", f->envp)) == NULL &&
	    (uri = FCGX_GetParam("SCRIPT_NAME", f->envp)) == NULL)
		uri = "/";
	r->path = uri;
	r->query = (v = FCGX_GetParam("QUERY_STRING", f->envp)) ? v : "";
	r->remote_addr = (v = FCGX_GetParam("REMOTE_ADDR", f->envp)) ? v : "";
	r->dialect_hint = FCGX_GetParam("MG_DIALECT", f->envp);
	r->https = (v = FCGX_GetParam("HTTPS", f->envp)) != NULL &&
	    strcasecmp(v, "on") == 0;
	if (r->method == MG_METHOD__MAX)
		return FCGI_REQ_BAD_METHOD;
	if (strlen(r->query) > MG_MAX_QUERY_LEN)
		return FCGI_REQ_QUERY_TOO_LONG;
	/* Header caps: nginx bounds them too; this is the worker's own guard. */
	for (e = f->envp; *e != NULL; e++)
		if (strncmp(*e, "HTTP_", 5) == 0 && strlen(*e) > MG_MAX_HEADER_LEN)
			return FCGI_REQ_HEADER_TOO_LONG;
	if ((v = FCGX_GetParam("CONTENT_LENGTH", f->envp)) != NULL && *v != '\0') {
		if (mg_parse_i64(v, strlen(v), 0, INT64_MAX, &cl) != 0)
			return FCGI_REQ_BAD_LENGTH;
		r->content_length = cl;
	}
	(void)a;
	return FCGI_REQ_OK;
}

enum fcgi_req_err
fcgi_req_read_body(struct mg_req *r, struct mg_arena *a, size_t cap)
{
	char *buf;
	int got;
	size_t len;

	if (r->body != NULL)
		return FCGI_REQ_OK;
	if (r->content_length <= 0) {
		r->body = "";
		r->body_len = 0;
		return FCGI_REQ_OK;
	}
	/* Capped before a single byte is read. */
	if ((unsigned long long)r->content_length > cap)
		return FCGI_REQ_BODY_TOO_LARGE;
	len = (size_t)r->content_length;
	if ((buf = mg_arena_alloc(a, len + 1)) == NULL)
		return FCGI_REQ_NOMEM;
	got = FCGX_GetStr(buf, (int)len, r->fcgx->in);
	if (got < 0 || (size_t)got != len)
		return FCGI_REQ_BODY_SHORT;
	buf[len] = '\0';
	r->body = buf;
	r->body_len = len;
	return FCGI_REQ_OK;
}

const char *
fcgi_req_header(const struct mg_req *r, const char *name)
{
	char env[128];
	size_t i, n = strlen(name);

	if (n + 6 > sizeof(env))
		return NULL;
	memcpy(env, "HTTP_", 5);
	for (i = 0; i < n; i++)
		env[5 + i] = name[i] == '-' ? '_' :
		    (char)toupper((unsigned char)name[i]);
	env[5 + n] = '\0';
	/* Content-Type and Content-Length come without the HTTP_ prefix. */
	if (strcmp(env + 5, "CONTENT_TYPE") == 0 ||
	    strcmp(env + 5, "CONTENT_LENGTH") == 0)
		return FCGX_GetParam(env + 5, r->fcgx->envp);
	return FCGX_GetParam(env, r->fcgx->envp);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode s[0..n) ('+' is a space) into the arena; NULL if malformed. */
static char *
pct_decode(const char *s, size_t n, struct mg_arena *a)
{
	char *out = mg_arena_alloc(a, n + 1), *o = out;
	size_t i;
	int hi, lo;

	if (out == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (s[i] == '+')
			*o++ = ' ';
		else if (s[i] == '%') {
			if (i + 2 >= n ||
			    (hi = hexval((unsigned char)s[i + 1])) < 0 ||
			    (lo = hexval((unsigned char)s[i + 2])) < 0)
				return NULL;
			if (hi == 0 && lo == 0)
				return NULL;	/* no NUL bytes in values */
			*o++ = (char)(hi << 4 | lo);
			i += 2;
		} else
			*o++ = s[i];
	}
	*o = '\0';
	return out;
}

int
fcgi_form_parse(const char *s, size_t n, struct mg_arena *a,
    struct mg_kv *out, size_t max)
{
	size_t i = 0, start, eq, count = 0;

	while (i < n) {
		start = i;
		while (i < n && s[i] != '&')
			i++;
		if (i > start) {
			if (count == max)
				return -1;
			for (eq = start; eq < i && s[eq] != '='; eq++)
				continue;
			out[count].key = pct_decode(s + start, eq - start, a);
			out[count].val = eq < i ?
			    pct_decode(s + eq + 1, i - eq - 1, a) :
			    pct_decode("", 0, a);
			if (out[count].key == NULL || out[count].val == NULL)
				return -1;
			count++;
		}
		i++;	/* skip '&' */
	}
	return (int)count;
}

const char *
fcgi_req_query(struct mg_req *r, struct mg_arena *a, const char *key)
{
	size_t i;
	int n;

	if (!r->qs_parsed) {
		r->qs_parsed = 1;
		n = fcgi_form_parse(r->query, strlen(r->query), a, r->qs,
		    MG_MAX_QUERY);
		r->nqs = n < 0 ? 0 : (size_t)n;
	}
	for (i = 0; i < r->nqs; i++)
		if (strcmp(r->qs[i].key, key) == 0)
			return r->qs[i].val;
	return NULL;
}

const char *
fcgi_req_cookie(const struct mg_req *r, struct mg_arena *a, const char *name)
{
	const char *c = fcgi_req_header(r, "Cookie"), *p, *end;
	size_t nl = strlen(name);

	if (c == NULL)
		return NULL;
	for (p = c; *p != '\0'; p = *end ? end + 1 : end) {
		while (*p == ' ')
			p++;
		end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) > nl && strncmp(p, name, nl) == 0 &&
		    p[nl] == '=')
			return mg_arena_strndup(a, p + nl + 1,
			    (size_t)(end - p) - nl - 1);
	}
	return NULL;
}

const char *
fcgi_req_param(const struct mg_req *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nparams; i++)
		if (strcmp(r->params[i].key, name) == 0)
			return r->params[i].val;
	return NULL;
}
