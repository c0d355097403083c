/*
 * mg_ctx: what every handler sees, the one handler signature, the route
 * table entry and the core error enum.
 *
 * A handler is `int h(struct mg_ctx *)` returning the HTTP status it
 * answered with. Method, authentication, scope and body size are checked
 * before it runs, from its route entry. Handlers answer through mg_reply_*
 * and mg_fail; both return the status so `return mg_fail(c, ...)` reads well.
 */
#ifndef MG_CTX_H
#define MG_CTX_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "mg_arena.h"
#include "mg_buf.h"
#include "fcgi_req.h"

struct db_conn;

enum mg_module {
	MG_MOD_AUTH,
	MG_MOD_WALLET,
	MG_MOD_GENERATION,
	MG_MOD_CATALOG,
	MG_MOD__MAX
};

enum mg_dialect_id {
	MG_DIALECT_STUDIO,	/* /v1 (canonical), seed 002 */
	MG_DIALECT_PREPAID,	/* /api/v1, seed 003 */
	MG_DIALECT_CREDITS,	/* /api, seeds 000/001 */
	MG_DIALECT_TENANT,	/* /api on its own server, seed 004 */
	MG_DIALECT__MAX
};

/*
 * Core errors. Each has a default HTTP status (mg_err_status) and each
 * dialect names it in its own words (dialect tables, modules/dialects/).
 */
enum mg_err {
	MG_E_BAD_REQUEST,	/* 400 generic validation failure */
	MG_E_INVALID_JSON,	/* 400 body is not the JSON expected */
	MG_E_INVALID_PARAM,	/* 400 a query/body field is out of range */
	MG_E_UNAUTHORIZED,	/* 401 missing, unknown, revoked or expired credential */
	MG_E_INSUFFICIENT_FUNDS,/* 402 */
	MG_E_SPEND_CAP,		/* 402 per-key daily spend cap reached */
	MG_E_FORBIDDEN,		/* 403 credential lacks the scope */
	MG_E_NOT_FOUND,		/* 404 (also: another workspace's id) */
	MG_E_METHOD,		/* 405 */
	MG_E_CONFLICT,		/* 409 state does not allow it */
	MG_E_IDEMPOTENCY_BUSY,	/* 409 same Idempotency-Key in flight */
	MG_E_GONE,		/* 410 route retired */
	MG_E_TOO_LARGE,		/* 413 */
	MG_E_IDEMPOTENCY_MISMATCH, /* 422 same key, different body */
	MG_E_UNPROCESSABLE,	/* 422 understood but refused (e.g. prompt_blocked) */
	MG_E_RATE_LIMITED,	/* 429 */
	MG_E_HEADER_TOO_LARGE,	/* 431 */
	MG_E_INTERNAL,		/* 500 */
	MG_E_UPSTREAM,		/* 502 payment/provider failed */
	MG_E_UNAVAILABLE,	/* 503 not configured / circuit open */
	MG_E__MAX
};

/* Scope bits, as stored in api_keys.scopes. */
#define MG_SCOPE_GENERATE	0x1
#define MG_SCOPE_READ		0x2
#define MG_SCOPE_ADMIN		0x4

/* How a route authenticates. */
enum mg_authn {
	MG_AUTHN_NONE,		/* public */
	MG_AUTHN_REQUIRED,	/* API key or access token, else 401 */
	MG_AUTHN_OPTIONAL,	/* used when present and valid */
	MG_AUTHN_HANDLER,	/* required, checked by the handler in its own
				   query (auth_key_credential, auth_accept_row) */
};

/* Who is calling, filled by the auth module before the handler runs. */
struct mg_principal {
	int		 authenticated;
	int		 via_token;		/* OAuth access token, not a key */
	char		 key_id[37];		/* api_keys.id (or token jti) */
	char		 workspace_id[37];
	char		 tenant_id[37];
	char		 user_id[37];
	char		 prefix[17];
	unsigned	 scopes;
	int		 has_cap;
	int64_t		 daily_cap_micros;
	int64_t		 daily_quota;		/* 0: default */
	char		 ws_name[201];
	char		 ws_plan[33];
	char		 ws_created[32];
	int64_t		 balance_micros;
	int64_t		 reserved_micros;
};

struct mg_ctx;
typedef int (*mg_handler)(struct mg_ctx *);

/* Body caps by route class (nginx enforces the same, see nginx/). */
enum mg_body_class {
	MG_BODY_STD,		/* 1 MB */
	MG_BODY_UPLOAD,		/* 100 MB */
};

/* One row of a dialect's route table. */
struct mg_route {
	enum mg_method	 method;
	const char	*pattern;	/* "/v1/jobs/{id}" */
	enum mg_module	 module;
	enum mg_authn	 authn;
	unsigned	 scope;		/* required scope bits (any of them) */
	enum mg_body_class body;
	int		 gen_limited;	/* nginx applies the generation zone */
	mg_handler	 fn;
	int		 idempotent;	/* money-moving POST: Idempotency-Key
					   honoured around fn (mg_idem.h) */
};

struct mg_dialect {
	enum mg_dialect_id	 id;
	const char		*name;
	const char		*prefix;	/* path prefix, "" for tenant */
	const struct mg_route	*routes;
	size_t			 nroutes;
	const char *const	*codes;		/* [MG_E__MAX] error code names */
	int			 detail_shape;	/* {"detail": …} instead of {"error": …} */
};

struct mg_ctx {
	struct mg_req		 req;
	struct mg_arena		*arena;
	struct db_conn		*db;
	enum mg_module		 module;
	const struct mg_dialect	*dialect;
	const struct mg_route	*route;
	struct mg_principal	 who;
	/* response */
	int			 status;
	struct mg_buf		 headers;	/* extra "Name: value\r\n" lines */
	struct mg_buf		 body;
	const char		*content_type;
	int			 responded;
};

int	 mg_err_status(enum mg_err);

/* Serialise obj as the response body (obj is released). Returns status. */
int	 mg_reply_json(struct mg_ctx *, int status, json_object *obj);
/* A raw body with a content type. Returns status. */
int	 mg_reply_raw(struct mg_ctx *, int status, const char *ctype,
	    const char *body, size_t len);
/* The dialect's error envelope for e, with a readable message. */
int	 mg_fail(struct mg_ctx *, enum mg_err e, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* An error with an explicit status and code (seed-specific codes). */
int	 mg_fail_code(struct mg_ctx *, int status, const char *code,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Add a response header line (name and value must not contain CR/LF). */
void	 mg_header(struct mg_ctx *, const char *name, const char *value);

/*
 * Parse the request body as a JSON object (depth ≤ MG_JSON_MAX_DEPTH).
 * On failure answers 400 invalid_json and returns NULL. The object is owned
 * by the request arena.
 */
#define MG_JSON_MAX_DEPTH	16
json_object *mg_json_body(struct mg_ctx *);
/* Pure parser behind it: NULL on malformed, non-object or too deep input. */
json_object *mg_json_parse(const char *buf, size_t len, int max_depth);

/* Register json_object_put(obj) on the request arena. Returns obj. */
json_object *mg_json_own(struct mg_ctx *, json_object *obj);

#endif
