/*
 * mg_http: bounded libcurl requests for the payment clients (payments.md
 * §2 retries/idempotency, §4, §5 facilitator calls) and the provider
 * adapters (providers.md; downloads streamed to a file).
 * One easy handle per call: worker processes are single-threaded and these
 * calls are rare next to requests, so connection reuse is not worth shared
 * state.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "mg_buf.h"
#include "mg_config.h"
#include "mg_http.h"

static const char *const mg_http_errs[MG_HTTP__MAX] = {
	"ok",					/* MG_HTTP_OK */
	"invalid request",			/* MG_HTTP_EINVAL */
	"out of memory",			/* MG_HTTP_ENOMEM */
	"request not sent",			/* MG_HTTP_NOT_SENT */
	"request sent, answer unknown",		/* MG_HTTP_UNKNOWN */
	"answer too large",			/* MG_HTTP_ETOOBIG */
	"HTTP client error",			/* MG_HTTP_ECURL */
	"could not write the answer to its file",	/* MG_HTTP_EFILE */
};

const char *
mg_http_strerror(int e)
{
	if (e < 0 || e >= MG_HTTP__MAX)
		return "unknown error";
	return mg_http_errs[e];
}

int
mg_http_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void
mg_http_resp_free(struct mg_http_resp *r)
{
	mg_buf_free(&r->body);
}

/* Per-call state shared with the libcurl callbacks. */
struct http_ctx {
	CURL				*h;
	const struct mg_http_req	*req;
	struct mg_http_resp		*resp;
	FILE				*file;	/* out_path, opened on a 2xx body */
	size_t				 max_body;
	int				 toobig;
	int				 file_error;
};

/*
 * Body sink: a 2xx answer with out_path into the file (at most max_file
 * bytes), anything else into resp->body (at most max_body); beyond the cap
 * abort the transfer.
 */
static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct http_ctx *c = arg;
	size_t len = size * n;
	long code = 0;

	if (c->req->out_path != NULL) {
		curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &code);
		if (code >= 200 && code <= 299) {
			if ((unsigned long long)c->resp->size + len >
			    c->req->max_file) {
				c->toobig = 1;
				return 0;
			}
			if ((c->file == NULL && (c->file =
			    fopen(c->req->out_path, "wb")) == NULL) ||
			    fwrite(p, 1, len, c->file) != len) {
				c->file_error = 1;
				return 0;
			}
			c->resp->size += (long long)len;
			return len;
		}
	}
	if (c->resp->body.len + len > c->max_body) {
		c->toobig = 1;
		return 0;
	}
	if (mg_buf_append(&c->resp->body, p, len) < 0)
		return 0;
	c->resp->size += (long long)len;
	return len;
}

/*
 * Header sink: a status line starts a new header block (after 1xx or a
 * proxy's answer) and clears what was captured; "Name: value" lines whose
 * name is wanted are kept trimmed, truncated to MG_HTTP_HVAL_MAX - 1.
 */
static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct http_ctx *c = arg;
	size_t len = size * n, i, nl, vl;
	const char *colon, *v, *end;

	if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		for (i = 0; i < MG_HTTP_WANT_MAX; i++)
			c->resp->hdr[i][0] = '\0';
		return len;
	}
	if ((colon = memchr(p, ':', len)) == NULL)
		return len;
	nl = (size_t)(colon - p);
	for (i = 0; i < c->req->nwant && i < MG_HTTP_WANT_MAX; i++) {
		if (strlen(c->req->want[i]) != nl ||
		    strncasecmp(c->req->want[i], p, nl) != 0)
			continue;
		v = colon + 1;
		end = p + len;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		while (end > v && isspace((unsigned char)end[-1]))
			end--;
		vl = (size_t)(end - v);
		if (vl >= MG_HTTP_HVAL_MAX)
			vl = MG_HTTP_HVAL_MAX - 1;
		memcpy(c->resp->hdr[i], v, vl);
		c->resp->hdr[i][vl] = '\0';
	}
	return len;
}

/* A header line must not smuggle CR/LF into the request. */
static int
header_ok(const char *h)
{
	return h != NULL && strpbrk(h, "\r\n") == NULL && strchr(h, ':') != NULL;
}

/*
 * Classify a failed transfer (see mg_http.h). Failures of name resolution,
 * connect and TLS are before any byte of the request; otherwise the request
 * counts as sent as soon as libcurl reached the transfer phase or reports
 * request bytes written — the conservative side of "may have taken effect".
 */
static int
classify(CURL *h, CURLcode cc, int toobig)
{
	curl_off_t pre = 0;
	long reqsize = 0;

	if (toobig || cc == CURLE_FILESIZE_EXCEEDED)
		return MG_HTTP_ETOOBIG;
	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return cc == CURLE_URL_MALFORMAT ||
		    cc == CURLE_UNSUPPORTED_PROTOCOL ?
		    MG_HTTP_EINVAL : MG_HTTP_NOT_SENT;
	case CURLE_OUT_OF_MEMORY:
		return MG_HTTP_ENOMEM;
	default:
		break;
	}
	curl_easy_getinfo(h, CURLINFO_PRETRANSFER_TIME_T, &pre);
	curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &reqsize);
	if (pre == 0 && reqsize == 0)
		return MG_HTTP_NOT_SENT;
	/* Timeout, reset, nothing or a partial answer after sending. */
	return MG_HTTP_UNKNOWN;
}

/*
 * Perform one request. Resources held: the easy handle and the header list;
 * both are released on every path (goto err). resp->body is the caller's.
 */
int
mg_http_do(const struct mg_http_req *req, struct mg_http_resp *resp,
    struct mg_arena *arena)
{
	struct http_ctx ctx;
	struct curl_slist *hl = NULL, *nh;
	CURL *h = NULL;
	CURLcode cc;
	long cto, to;
	size_t i;
	int rc;

	memset(resp, 0, sizeof(*resp));
	mg_buf_init(&resp->body, arena);
	if (req == NULL || req->url == NULL || req->method == NULL ||
	    (strncasecmp(req->url, "http://", 7) != 0 &&
	    strncasecmp(req->url, "https://", 8) != 0) ||
	    strpbrk(req->url, "\r\n ") != NULL ||
	    req->nwant > MG_HTTP_WANT_MAX || (req->body == NULL &&
	    req->body_len > 0) || (req->out_path != NULL && req->max_file == 0))
		return MG_HTTP_EINVAL;
	for (i = 0; i < req->nheaders; i++)
		if (!header_ok(req->headers[i]))
			return MG_HTTP_EINVAL;
	cto = req->connect_timeout_ms > 0 ? req->connect_timeout_ms :
	    (long)mg_cfg_int("pay_connect_timeout_s", 5) * 1000;
	to = req->timeout_ms > 0 ? req->timeout_ms :
	    (long)mg_cfg_int("pay_timeout_s", 20) * 1000;
	memset(&ctx, 0, sizeof(ctx));
	ctx.req = req;
	ctx.resp = resp;
	ctx.max_body = req->max_body > 0 ? req->max_body : MG_HTTP_BODY_MAX;

	if ((h = curl_easy_init()) == NULL)
		return MG_HTTP_ENOMEM;
	ctx.h = h;
	/* From here h (and later hl) are held. */
	for (i = 0; i < req->nheaders; i++) {
		if ((nh = curl_slist_append(hl, req->headers[i])) == NULL) {
			rc = MG_HTTP_ENOMEM;
			goto err;
		}
		hl = nh;
	}
	/* No "Expect: 100-continue" round trip on POST bodies. */
	if ((nh = curl_slist_append(hl, "Expect:")) == NULL) {
		rc = MG_HTTP_ENOMEM;
		goto err;
	}
	hl = nh;

	curl_easy_setopt(h, CURLOPT_URL, req->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, req->follow ? 1L : 0L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, cto);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, to);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "mediagate/1");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &ctx);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &ctx);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, resp->error);
	if (strcmp(req->method, "GET") == 0)
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	else {
		if (strcmp(req->method, "POST") != 0)
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)req->body_len);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS,
		    req->body != NULL ? req->body : "");
	}

	if (req->out_path != NULL)
		curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
		    (curl_off_t)req->max_file);

	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	if (ctx.file != NULL && fclose(ctx.file) != 0)
		ctx.file_error = 1;
	ctx.file = NULL;
	if (resp->body.oom)
		rc = MG_HTTP_ENOMEM;
	else if (ctx.file_error)
		rc = MG_HTTP_EFILE;
	else
		rc = cc == CURLE_OK ? MG_HTTP_OK : classify(h, cc, ctx.toobig);
	if (rc == MG_HTTP_OK && resp->body.data == NULL &&
	    mg_buf_append(&resp->body, "", 0) < 0)
		rc = MG_HTTP_ENOMEM;
	if (rc != MG_HTTP_OK && rc != MG_HTTP_ETOOBIG)
		resp->status = 0;
err:
	if (ctx.file != NULL)
		fclose(ctx.file);
	curl_slist_free_all(hl);
	curl_easy_cleanup(h);
	return rc;
}
