/*
 * pay_coinbase: Coinbase Commerce client (payments.md §4) over mg_http:
 * create a fixed-price USD charge, read one back by code or id.
 * Headers X-CC-Api-Key (config coinbase_api_key) and X-CC-Version:
 * 2018-03-22; base URL from coinbase_api_base so another adapter (the
 * Business Payment Link API) can sit behind the same calls later.
 * Encoders and parsers are pure functions so tests need no network.
 */
#ifndef PAY_COINBASE_H
#define PAY_COINBASE_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "pay_event.h"	/* PAY_ID_MAX, PAY_META_MAX, PAY_TYPE_MAX, PAY_MSG_MAX */

struct mg_buf;

#define PAY_COINBASE_VERSION	"2018-03-22"
#define PAY_COINBASE_MAX_MICROS	(1000000LL * 1000000)	/* USD 1,000,000 */

enum pay_coinbase_err {
	PAY_COINBASE_OK = 0,
	PAY_COINBASE_EINVAL,	/* bad arguments: nothing was sent */
	PAY_COINBASE_ECONFIG,	/* no coinbase_api_key / base */
	PAY_COINBASE_ENOMEM,
	PAY_COINBASE_NOT_SENT,	/* transport: never sent */
	PAY_COINBASE_UNKNOWN,	/* transport: sent, answer unknown (no
				   idempotency: read back, or accept that an
				   unpaid duplicate charge may exist) */
	PAY_COINBASE_EAPI,	/* non-2xx: see pay_coinbase_error */
	PAY_COINBASE_EPARSE,	/* 2xx answer not understood */
	PAY_COINBASE_ECURRENCY,	/* local price not in USD */
	PAY_COINBASE__MAX
};

struct pay_coinbase_cfg {
	const char	*api_base;	/* coinbase_api_base,
					   https://api.commerce.coinbase.com */
	const char	*api_key;	/* coinbase_api_key */
	long		 connect_timeout_ms;	/* 0: mg_http default */
	long		 timeout_ms;
};

struct pay_coinbase_charge_req {
	int64_t		 amount_micros;	/* > 0, formatted "25.00" w/o floats */
	const char	*name;		/* shown on the hosted page */
	const char	*description;	/* optional */
	const char	*redirect_url;	/* optional */
	const char	*cancel_url;	/* optional */
	const char	*wallet_id;	/* metadata */
	const char	*workspace_id;	/* metadata */
};

struct pay_coinbase_charge {
	char	 id[PAY_ID_MAX];	/* uuid */
	char	 code[PAY_ID_MAX];	/* 8 chars: the payment key */
	char	 hosted_url[PAY_ID_MAX * 4];
	int64_t	 amount_micros;		/* pricing.local, -1 when absent */
	char	 currency[8];		/* "USD" */
	char	 status[PAY_TYPE_MAX];	/* last timeline status, "" if none */
	char	 wallet_id[PAY_META_MAX];
	char	 workspace_id[PAY_META_MAX];
	char	 expires_at[PAY_TYPE_MAX];	/* RFC 3339 as sent */
};

/* §4 Errors: {"error":{"type","message"}}. */
struct pay_coinbase_error {
	long	 status;
	int	 retryable;	/* NOT_SENT, 429, 5xx */
	char	 type[PAY_TYPE_MAX];
	char	 message[PAY_MSG_MAX];
};

const char	*pay_coinbase_strerror(int);
void		 pay_coinbase_cfg_load(struct pay_coinbase_cfg *);

/* JSON body of POST /charges (§4). 0, or -1 invalid request / OOM. */
int	 pay_coinbase_charge_body(const struct pay_coinbase_charge_req *,
	    struct mg_buf *);
/* Parse {"data": Charge}. Returns a pay_coinbase_err. */
int	 pay_coinbase_parse_charge(const char *buf, size_t len,
	    struct pay_coinbase_charge *out);
/* Parse an error answer; 0 if it was {"error":…}, else -1. */
int	 pay_coinbase_parse_error(const char *buf, size_t len, long status,
	    struct pay_coinbase_error *err);

/*
 * Charge field helpers shared with pay_event (json-c objects borrowed).
 * pricing.local → micros and "USD": 0 ok, 1 absent, -1 malformed, -2 not USD.
 * Last timeline[].status → out: 0 ok (or empty timeline), -1 malformed.
 */
int	 pay_coinbase_json_price(json_object *charge, int64_t *micros,
	    char cur[8]);
int	 pay_coinbase_json_status(json_object *charge, char *out, size_t cap);

/* The calls (§4): POST {base}/charges, GET {base}/charges/{code_or_id}. */
int	 pay_coinbase_charge_create(const struct pay_coinbase_cfg *,
	    const struct pay_coinbase_charge_req *,
	    struct pay_coinbase_charge *out, struct pay_coinbase_error *err);
int	 pay_coinbase_charge_get(const struct pay_coinbase_cfg *,
	    const char *code_or_id, struct pay_coinbase_charge *out,
	    struct pay_coinbase_error *err);

#endif
