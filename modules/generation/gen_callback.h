/*
 * gen_callback: completion callbacks (one signed POST per terminal job
 * state) and the SSRF guard in front of them.
 *
 * Signature (documented in docs/GENERATION.md), modelled on Stripe's and
 * Standard Webhooks' schemes:
 *   X-Mediagate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>
 * over the bytes "<t>.<raw body>", keyed with the job's callback secret
 * (jobs.callback_secret, returned to the caller at submit) or, when the job
 * has none, the workspace secret
 *   hex(HMAC-SHA256(callback_key, "callback:" || workspace_id))
 * where callback_key is config callback_key (MG_CALLBACK_KEY[_FILE]), else
 * link_secret. Receivers compare in constant time and reject stale t.
 * Also sent: X-Mediagate-Event: job.<state>, X-Mediagate-Delivery: <job id>
 * (the same on every retry: dedupe on it), User-Agent mediagate-callback/1.
 *
 * SSRF guard: the URL must be http(s) without user info; its host is
 * resolved once, every address is classified, and the request is refused
 * when any address is loopback, private (RFC 1918), CGNAT (RFC 6598),
 * link-local, multicast, unspecified, reserved/documentation, or IPv6
 * loopback/ULA (RFC 4193)/link-local/site-local, including IPv4-mapped and
 * NAT64 forms of those, unless config allow_private_callbacks = 1. The
 * connection is pinned to the checked address with CURLOPT_RESOLVE so a
 * second DNS answer (rebinding) cannot redirect it; redirects are not
 * followed.
 */
#ifndef GEN_CALLBACK_H
#define GEN_CALLBACK_H

#include <stddef.h>
#include <stdint.h>

/* Why an address is refused; GEN_ADDR_PUBLIC is the only acceptable one. */
enum gen_addr_class {
	GEN_ADDR_PUBLIC = 0,
	GEN_ADDR_LOOPBACK,	/* 127/8, ::1 */
	GEN_ADDR_PRIVATE,	/* 10/8, 172.16/12, 192.168/16, fc00::/7 */
	GEN_ADDR_CGNAT,		/* 100.64/10 */
	GEN_ADDR_LINKLOCAL,	/* 169.254/16, fe80::/10 */
	GEN_ADDR_MULTICAST,	/* 224/4, ff00::/8 */
	GEN_ADDR_UNSPECIFIED,	/* 0/8, :: */
	GEN_ADDR_RESERVED,	/* 240/4, broadcast, TEST-NETs, 198.18/15,
				   192.0.0/24, 2001:db8::/32, fec0::/10 */
	GEN_ADDR__MAX
};

enum gen_cb_err {
	GEN_CB_OK = 0,
	GEN_CB_E_URL,		/* not an absolute http(s) URL, or user info */
	GEN_CB_E_RESOLVE,	/* the host does not resolve */
	GEN_CB_E_BLOCKED,	/* resolves to a refused address (SSRF guard) */
	GEN_CB_E_SEND,		/* connect / transport failure or timeout */
	GEN_CB_E_STATUS,	/* the receiver answered non-2xx */
	GEN_CB_E__MAX
};

const char	*gen_cb_strerror(enum gen_cb_err);
const char	*gen_addr_class_name(enum gen_addr_class);

/*
 * Classify one address. family AF_INET with 4 bytes, AF_INET6 with 16.
 * Pure; any other family is GEN_ADDR_RESERVED.
 */
enum gen_addr_class gen_addr_classify(int family, const unsigned char *addr);

/* Classify a numeric address string ("10.0.0.1", "::1"); RESERVED if not numeric. */
enum gen_addr_class gen_addr_classify_str(const char *s);

/*
 * The signature header value "t=<t>,v1=<hex>" for body with secret into
 * buf (≥ 80 bytes). Pure.
 */
int		 gen_cb_sign(const char *secret, int64_t t, const char *body,
		    size_t len, char *buf, size_t cap);

/* The workspace secret (see above) as 64 hex chars + NUL into out[65]. */
void		 gen_cb_workspace_secret(const char *workspace_id, char out[65]);

struct gen_cb_result {
	long	http_status;	/* 0 when no answer */
	char	error[192];	/* why, when not OK (no secrets) */
	char	address[64];	/* the pinned address */
};

/*
 * Check url against the guard without sending: GEN_CB_OK when allowed (and
 * res->address set to the address to pin), else the reason.
 * allow_private overrides the address classes.
 */
enum gen_cb_err	 gen_cb_check(const char *url, int allow_private,
		    struct gen_cb_result *res);

/*
 * POST body (JSON) to url, signed with secret; timeout from config
 * callback_timeout_s (default 10). GEN_CB_OK only for a 2xx answer.
 * event is "job.succeeded" etc.; delivery_id the job id.
 */
enum gen_cb_err	 gen_cb_post(const char *url, const char *secret,
		    const char *event, const char *delivery_id,
		    const char *body, size_t len, struct gen_cb_result *res);

/*
 * Download a caller-supplied source URL (prepaid inline-by-URL inputs)
 * into path under the same guard as callbacks: http(s) only, every
 * resolved address checked (unless allow_private_callbacks), connection
 * pinned, no redirects, at most max bytes, timeouts from config
 * prov_connect_timeout_s / prov_download_timeout_s. Written to path.tmp,
 * renamed on success. GEN_CB_OK, or the reason in res->error.
 */
enum gen_cb_err	 gen_cb_fetch(const char *url, const char *path, int64_t max,
		    struct gen_cb_result *res);

#endif
