#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "db.h"
#include "dialect.h"
#include "fcgi_pool.h"
#include "fcgi_router.h"
#include "mg_config.h"
#include "mg_crypto.h"
#include "mg_idem.h"
#include "mg_log.h"
#include "mg_util.h"
#include "mg_serve.h"
#include "auth_http.h"

#define BODY_CAP_STD	(1024u * 1024u)
#define BODY_CAP_UPLOAD	(100u * 1024u * 1024u)

static const struct db_role_map {
	enum db_role	role;
} roles[MG_MOD__MAX] = {
	[MG_MOD_AUTH] = { DB_ROLE_AUTH },
	[MG_MOD_WALLET] = { DB_ROLE_WALLET },
	[MG_MOD_GENERATION] = { DB_ROLE_GENERATION },
	[MG_MOD_CATALOG] = { DB_ROLE_CATALOG },
};

/* Find the route for the request; answers 404/405 itself when none. */
static const struct mg_route *
route_find(struct mg_ctx *c)
{
	const struct mg_dialect *d = c->dialect;
	size_t i, np;
	int path_seen = 0;
	char allow[64];

	for (i = 0; i < d->nroutes; i++) {
		const struct mg_route *r = &d->routes[i];

		if (r->pattern == NULL ||
		    !fcgi_route_match(r->pattern, c->req.path, NULL, NULL,
		    MG_MAX_PARAMS, &np))
			continue;
		path_seen = 1;
		if (r->method == c->req.method ||
		    (c->req.method == MG_HEAD && r->method == MG_GET)) {
			fcgi_route_match(r->pattern, c->req.path, c->arena,
			    c->req.params, MG_MAX_PARAMS, &c->req.nparams);
			return r;
		}
	}
	if (path_seen) {
		allow[0] = '\0';
		for (i = 0; i < d->nroutes; i++)
			if (d->routes[i].pattern != NULL && fcgi_route_match(
			    d->routes[i].pattern, c->req.path, NULL, NULL,
			    MG_MAX_PARAMS, &np)) {
				static const char *const m[] = { "GET", "HEAD",
				    "POST", "PUT", "PATCH", "DELETE", "OPTIONS" };
				if (*allow)
					strncat(allow, ", ", sizeof(allow) -
					    strlen(allow) - 1);
				strncat(allow, m[d->routes[i].method],
				    sizeof(allow) - strlen(allow) - 1);
			}
		mg_header(c, "Allow", allow);
		mg_fail(c, MG_E_METHOD, "method %s not allowed on %s",
		    c->req.method_str, c->req.path);
	} else
		mg_fail(c, MG_E_NOT_FOUND, "no route for %s", c->req.path);
	return NULL;
}

/* Everything before the handler; returns 0 to run it, else answered. */
static int
prepare(struct mg_ctx *c)
{
	enum fcgi_req_err re;
	size_t cap;
	int st;

	if ((c->route = route_find(c)) == NULL)
		return c->status;
	if (c->route->module != c->module) {
		mg_log(MG_LOG_ERROR, "misrouted: %s belongs to pool %s",
		    c->route->pattern, mg_module_name(c->route->module));
		return mg_fail(c, MG_E_NOT_FOUND, "no route for %s", c->req.path);
	}
	cap = c->route->body == MG_BODY_UPLOAD ? BODY_CAP_UPLOAD : BODY_CAP_STD;
	if ((re = fcgi_req_read_body(&c->req, c->arena, cap)) != FCGI_REQ_OK) {
		if (re == FCGI_REQ_BODY_TOO_LARGE)
			return mg_fail(c, MG_E_TOO_LARGE,
			    "request body over %zu bytes", cap);
		if (re == FCGI_REQ_NOMEM)
			return mg_fail(c, MG_E_INTERNAL, "out of memory");
		return mg_fail(c, MG_E_BAD_REQUEST, "%s", fcgi_req_strerror(re));
	}
	/* MG_AUTHN_HANDLER routes authenticate inside their own query. */
	if (c->route->authn == MG_AUTHN_REQUIRED ||
	    c->route->authn == MG_AUTHN_OPTIONAL) {
		if ((st = auth_require(c)) != 0)
			return st;
	}
	return 0;
}

/*
 * The handler, inside the Idempotency-Key middleware when its route is
 * flagged idempotent (mg_idem.h). Returns the handler's status.
 */
static int
run(struct mg_ctx *c)
{
	struct mg_idem idem;
	int st;

	if (!c->route->idempotent)
		return c->route->fn(c);
	if ((st = mg_idem_begin(c, NULL, &idem)) != 0)
		return st;
	st = c->route->fn(c);
	if (idem.active) {
		if (!c->responded)
			mg_fail(c, MG_E_INTERNAL, "handler gave no answer");
		mg_idem_finish(c, &idem);
	}
	return st;
}

/* The reason phrase nginx puts on the status line. */
static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 302: return "Found";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 402: return "Payment Required";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 413: return "Payload Too Large";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	default:  return "Status";
	}
}

/* Write status line, headers and body to nginx. */
static void
respond(struct mg_ctx *c)
{
	FCGX_Stream *out = c->req.fcgx->out;
	char head[512];
	int n;

	n = snprintf(head, sizeof(head),
	    "Status: %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	    "X-Request-Id: %s\r\nX-Content-Type-Options: nosniff\r\n",
	    c->status, reason(c->status), c->content_type ? c->content_type : "application/json",
	    c->body.len, c->req.rid);
	FCGX_PutStr(head, n, out);
	if (c->headers.len > 0)
		FCGX_PutStr(c->headers.data, (int)c->headers.len, out);
	if (c->headers.len == 0 || strstr(c->headers.data, "Cache-Control:") == NULL)
		FCGX_PutS("Cache-Control: no-store\r\n", out);
	FCGX_PutS("\r\n", out);
	if (c->req.method != MG_HEAD && c->body.len > 0)
		FCGX_PutStr(c->body.data, (int)c->body.len, out);
}

void
mg_serve(struct mg_worker *w, FCGX_Request *r)
{
	struct mg_ctx c;
	enum fcgi_req_err re;
	int64_t t0 = mg_now_us();

	memset(&c, 0, sizeof(c));
	c.arena = &w->arena;
	c.db = w->db;
	c.module = w->module;
	mg_buf_init(&c.headers, c.arena);
	mg_buf_init(&c.body, c.arena);
	re = fcgi_req_init(&c.req, r, c.arena);
	mg_log_set_rid(c.req.rid);
	c.dialect = dialect_for(c.req.path, c.req.dialect_hint);
	switch (re) {
	case FCGI_REQ_OK:
		if (prepare(&c) == 0 && run(&c) > 0 && !c.responded)
			mg_fail(&c, MG_E_INTERNAL, "handler gave no answer");
		break;
	case FCGI_REQ_BAD_METHOD:
		mg_fail(&c, MG_E_METHOD, "unsupported method");
		break;
	case FCGI_REQ_HEADER_TOO_LONG:
		mg_fail(&c, MG_E_HEADER_TOO_LARGE, "%s", fcgi_req_strerror(re));
		break;
	default:
		mg_fail(&c, MG_E_BAD_REQUEST, "%s", fcgi_req_strerror(re));
		break;
	}
	if (!c.responded)
		mg_fail(&c, MG_E_INTERNAL, "no answer");
	if (c.body.oom || c.headers.oom) {
		c.body.oom = c.headers.oom = 0;
		c.body.len = c.headers.len = 0;
		mg_fail(&c, MG_E_INTERNAL, "out of memory");
	}
	respond(&c);
	mg_log_request(c.req.method_str, c.req.path, c.status,
	    mg_now_us() - t0, c.who.workspace_id, c.req.remote_addr);
	mg_log_set_rid("");
	mg_arena_reset(&w->arena);
}

int
mg_worker_main(int listen_fd, void *arg)
{
	struct mg_worker w;
	FCGX_Request req;

	memset(&w, 0, sizeof(w));
	w.module = *(enum mg_module *)arg;
	if (mg_crypto_init() != 0 || mg_arena_init(&w.arena, 64 * 1024) != 0)
		return 1;
	/* The connection is opened lazily too: db_ensure reconnects. */
	if ((w.db = db_open(roles[w.module].role)) == NULL) {
		sleep(1);	/* the master restarts us; do not spin */
		return 1;
	}
	FCGX_InitRequest(&req, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR);
	while (!fcgi_pool_stopping) {
		if (FCGX_Accept_r(&req) < 0)
			break;
		mg_serve(&w, &req);
		FCGX_Finish_r(&req);
	}
	db_close(w.db);
	mg_arena_free(&w.arena);
	return 0;
}
