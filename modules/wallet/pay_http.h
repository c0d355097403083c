/*
 * pay_http: the one libcurl helper the payment clients (pay_stripe,
 * pay_coinbase, pay_x402) share. One blocking request per call, bounded in
 * time (config pay_connect_timeout_s = 5, pay_timeout_s = 20) and in answer
 * size (PAY_HTTP_BODY_MAX), HTTP/1.1, http(s) only, no redirects.
 *
 * The error tells a caller what a retry may do (payments.md §2 Idempotency):
 *   PAY_HTTP_NOT_SENT  the request never left (DNS, connect, TLS): the
 *                      provider did nothing; retrying is safe;
 *   PAY_HTTP_UNKNOWN   it was sent but no complete answer came back (timeout,
 *                      reset): it may have taken effect; retry only with the
 *                      same Idempotency-Key, or read the state back;
 *   PAY_HTTP_OK        an HTTP answer arrived: look at status (any status).
 */
#ifndef PAY_HTTP_H
#define PAY_HTTP_H

#include <stddef.h>

#include "mg_buf.h"

#define PAY_HTTP_BODY_MAX	(1024 * 1024)	/* default answer cap */
#define PAY_HTTP_WANT_MAX	8		/* response headers captured */
#define PAY_HTTP_HVAL_MAX	256		/* bytes kept per header value */

enum pay_http_err {
	PAY_HTTP_OK = 0,	/* an answer arrived; see status */
	PAY_HTTP_EINVAL,	/* bad request description (URL, header CR/LF) */
	PAY_HTTP_ENOMEM,
	PAY_HTTP_NOT_SENT,	/* never sent: safe to retry */
	PAY_HTTP_UNKNOWN,	/* sent, answer unknown: may have taken effect */
	PAY_HTTP_ETOOBIG,	/* answer larger than max_body (it was sent) */
	PAY_HTTP_ECURL,		/* other libcurl failure */
	PAY_HTTP__MAX
};

struct pay_http_req {
	const char		*method;	/* "GET", "POST", "DELETE" */
	const char		*url;		/* http:// or https:// */
	const char *const	*headers;	/* "Name: value", no CR/LF */
	size_t			 nheaders;
	const char		*body;		/* may be NULL */
	size_t			 body_len;
	const char *const	*want;		/* response headers to capture */
	size_t			 nwant;		/* ≤ PAY_HTTP_WANT_MAX */
	long			 connect_timeout_ms;	/* 0: config */
	long			 timeout_ms;		/* 0: config */
	size_t			 max_body;	/* 0: PAY_HTTP_BODY_MAX */
};

struct pay_http_resp {
	long		 status;	/* HTTP status, 0 when none */
	struct mg_buf	 body;		/* NUL-terminated; see pay_http_resp_free */
	/* Value of want[i] (last occurrence, trimmed), "" when absent. */
	char		 hdr[PAY_HTTP_WANT_MAX][PAY_HTTP_HVAL_MAX];
	char		 error[256];	/* libcurl's message; never secrets */
};

const char	*pay_http_strerror(int);

/* curl_global_init once per process, before any thread. Returns 0 or -1. */
int	 pay_http_init(void);

/*
 * Perform req and fill resp (always initialised, even on error). The body
 * buffer comes from arena when given, else the heap: release it with
 * pay_http_resp_free either way. Returns a pay_http_err.
 */
int	 pay_http_do(const struct pay_http_req *req, struct pay_http_resp *resp,
	    struct mg_arena *arena);
void	 pay_http_resp_free(struct pay_http_resp *);

#endif
