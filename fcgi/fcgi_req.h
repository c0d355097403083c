/*
 * fcgi_req: the request object, filled from one FastCGI request.
 *
 * Every string points into the FastCGI environment or the request arena and
 * is valid until the request ends. The body is read only after its declared
 * length was checked against the route's cap (fcgi_req_read_body).
 */
#ifndef FCGI_REQ_H
#define FCGI_REQ_H

#include <stddef.h>

#include <fcgiapp.h>

struct mg_arena;

enum mg_method {
	MG_GET,
	MG_HEAD,
	MG_POST,
	MG_PUT,
	MG_PATCH,
	MG_DELETE,
	MG_OPTIONS,
	MG_METHOD__MAX
};

#define MG_MAX_PARAMS		4	/* path parameters per route */
#define MG_MAX_QUERY		32	/* query pairs kept */
#define MG_MAX_QUERY_LEN	4096	/* bytes of query string accepted */
#define MG_MAX_HEADER_LEN	8192	/* bytes of one header value accepted */
#define MG_RID_LEN		64

struct mg_kv {
	const char	*key;
	const char	*val;
};

struct mg_req {
	FCGX_Request	*fcgx;
	enum mg_method	 method;
	const char	*method_str;
	const char	*path;		/* normalised by nginx ($document_uri) */
	const char	*query;		/* raw query string, "" when absent */
	const char	*remote_addr;
	const char	*dialect_hint;	/* MG_DIALECT param from nginx, or NULL */
	int		 https;
	char		 rid[MG_RID_LEN + 1];
	long long	 content_length; /* -1 when absent */
	const char	*body;		/* NUL-terminated copy; NULL until read */
	size_t		 body_len;
	struct mg_kv	 params[MG_MAX_PARAMS];	/* path parameters */
	size_t		 nparams;
	struct mg_kv	 qs[MG_MAX_QUERY];	/* decoded query pairs */
	size_t		 nqs;
	int		 qs_parsed;
};

enum fcgi_req_err {
	FCGI_REQ_OK = 0,
	FCGI_REQ_BAD_METHOD,	/* 405/501: unknown method */
	FCGI_REQ_QUERY_TOO_LONG,	/* 414/400 */
	FCGI_REQ_BAD_QUERY,	/* 400: malformed percent-encoding, too many pairs */
	FCGI_REQ_HEADER_TOO_LONG,	/* 431 */
	FCGI_REQ_BODY_TOO_LARGE,	/* 413 */
	FCGI_REQ_BAD_LENGTH,	/* 400: Content-Length unparsable */
	FCGI_REQ_BODY_SHORT,	/* 400: fewer bytes than announced */
	FCGI_REQ_NOMEM,		/* 500 */
	FCGI_REQ__MAX
};

const char	*fcgi_req_strerror(enum fcgi_req_err);

/* Fill req from the accepted FastCGI request (no body read). */
enum fcgi_req_err fcgi_req_init(struct mg_req *, FCGX_Request *, struct mg_arena *);
/* Read the body into the arena if Content-Length ≤ cap. */
enum fcgi_req_err fcgi_req_read_body(struct mg_req *, struct mg_arena *, size_t cap);

/* A request header by HTTP name ("Authorization"); NULL when absent. */
const char	*fcgi_req_header(const struct mg_req *, const char *name);
/* A decoded query parameter (first occurrence); NULL when absent. */
const char	*fcgi_req_query(struct mg_req *, struct mg_arena *, const char *key);
/* A cookie value by name; NULL when absent. Result lives in the arena. */
const char	*fcgi_req_cookie(const struct mg_req *, struct mg_arena *, const char *name);
/* A path parameter captured by the router; NULL when absent. */
const char	*fcgi_req_param(const struct mg_req *, const char *name);

/*
 * Parse an application/x-www-form-urlencoded or query string s[0..n) into
 * at most max pairs, percent-decoding into the arena. Pure apart from the
 * arena. Returns pairs parsed, or -1 on malformed input / too many pairs.
 */
int		 fcgi_form_parse(const char *s, size_t n, struct mg_arena *,
		    struct mg_kv *out, size_t max);

#endif
