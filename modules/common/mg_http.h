/*
 * mg_http: the one libcurl client of mediagate, shared by the payment
 * clients (pay_stripe, pay_coinbase, pay_x402) and the provider adapters
 * (prov_http.c). One blocking request per call, bounded in time (when the
 * caller gives no timeouts: config pay_connect_timeout_s = 5 and
 * pay_timeout_s = 20, the payment clients' defaults) and in answer size
 * (MG_HTTP_BODY_MAX in memory; max_file when streamed to a file),
 * HTTP/1.1, http(s) only, redirects only when asked for (downloads).
 *
 * The error tells a caller what a retry may do (payments.md §2 Idempotency):
 *   MG_HTTP_NOT_SENT  the request never left (DNS, connect, TLS): the
 *                      provider did nothing; retrying is safe;
 *   MG_HTTP_UNKNOWN   it was sent but no complete answer came back (timeout,
 *                      reset): it may have taken effect; retry only with the
 *                      same Idempotency-Key, or read the state back;
 *   MG_HTTP_OK        an HTTP answer arrived: look at status (any status).
 */
#ifndef MG_HTTP_H
#define MG_HTTP_H

#include <stddef.h>

#include "mg_buf.h"

#define MG_HTTP_BODY_MAX	(1024 * 1024)	/* default answer cap */
#define MG_HTTP_WANT_MAX	8		/* response headers captured */
#define MG_HTTP_HVAL_MAX	256		/* bytes kept per header value */

enum mg_http_err {
	MG_HTTP_OK = 0,	/* an answer arrived; see status */
	MG_HTTP_EINVAL,	/* bad request description (URL, header CR/LF) */
	MG_HTTP_ENOMEM,
	MG_HTTP_NOT_SENT,	/* never sent: safe to retry */
	MG_HTTP_UNKNOWN,	/* sent, answer unknown: may have taken effect */
	MG_HTTP_ETOOBIG,	/* answer larger than its cap (it was sent) */
	MG_HTTP_ECURL,		/* other libcurl failure */
	MG_HTTP_EFILE,		/* out_path could not be written */
	MG_HTTP__MAX
};

struct mg_http_req {
	const char		*method;	/* "GET", "POST", "PUT", "DELETE" */
	const char		*url;		/* http:// or https:// */
	const char *const	*headers;	/* "Name: value", no CR/LF */
	size_t			 nheaders;
	const char		*body;		/* may be NULL */
	size_t			 body_len;
	const char *const	*want;		/* response headers to capture */
	size_t			 nwant;		/* ≤ MG_HTTP_WANT_MAX */
	long			 connect_timeout_ms;	/* 0: config */
	long			 timeout_ms;		/* 0: config */
	size_t			 max_body;	/* 0: MG_HTTP_BODY_MAX */
	/*
	 * Downloads: a 2xx body goes to out_path (created or truncated; the
	 * caller renames or removes it), at most max_file bytes, instead of
	 * into resp->body; other answers still go to resp->body. follow:
	 * follow up to 5 http(s) redirects.
	 */
	const char		*out_path;
	size_t			 max_file;
	int			 follow;
};

struct mg_http_resp {
	long		 status;	/* HTTP status, 0 when none */
	long long	 size;		/* body bytes received (also streamed) */
	struct mg_buf	 body;		/* NUL-terminated; see mg_http_resp_free */
	/* Value of want[i] (last occurrence, trimmed), "" when absent. */
	char		 hdr[MG_HTTP_WANT_MAX][MG_HTTP_HVAL_MAX];
	char		 error[256];	/* libcurl's message; never secrets */
};

const char	*mg_http_strerror(int);

/* curl_global_init once per process, before any thread. Returns 0 or -1. */
int	 mg_http_init(void);

/*
 * Perform req and fill resp (always initialised, even on error). The body
 * buffer comes from arena when given, else the heap: release it with
 * mg_http_resp_free either way. Returns a mg_http_err.
 */
int	 mg_http_do(const struct mg_http_req *req, struct mg_http_resp *resp,
	    struct mg_arena *arena);
void	 mg_http_resp_free(struct mg_http_resp *);

#endif
