/*
 * pay_x402: x402 v2 HTTP 402 payments (payments.md §5).
 *
 *  402 answer:  PAYMENT-REQUIRED = base64(JSON {x402Version:2, error?,
 *               resource:{url,description,mimeType}, accepts:[{scheme:"exact",
 *               network, amount, asset, payTo, maxTimeoutSeconds, extra}]})
 *  retry:       PAYMENT-SIGNATURE = base64(JSON {x402Version, accepted,
 *               payload}) — decoded and checked against OUR requirements
 *  facilitator: POST {x402_facilitator_url}/verify and /settle with
 *               {x402Version, paymentPayload, paymentRequirements}
 *  success:     PAYMENT-RESPONSE = base64(settlement JSON)
 *
 * Amounts: USDC has 6 decimals, so one USDC atomic unit is one USD micro and
 * `amount` is the price in micros as an integer string. The requirements sent
 * to the facilitator are always rebuilt from the server's offer, never taken
 * from the client's `accepted`. Credit once per settled `transaction`.
 */
#ifndef PAY_X402_H
#define PAY_X402_H

#include <stddef.h>
#include <stdint.h>

struct mg_buf;

#define PAY_X402_VERSION	2
#define PAY_X402_HEADER_MAX	16384	/* PAYMENT-SIGNATURE bytes accepted */
#define PAY_X402_DEPTH_MAX	8
#define PAY_X402_STR_MAX	128

enum pay_x402_err {
	PAY_X402_OK = 0,
	PAY_X402_EINVAL,	/* bad arguments (offer) */
	PAY_X402_ECONFIG,	/* x402_pay_to / facilitator URL missing */
	PAY_X402_ENOMEM,
	PAY_X402_ETOOBIG,	/* header over PAY_X402_HEADER_MAX */
	PAY_X402_EBASE64,	/* header is not standard base64 */
	PAY_X402_EJSON,		/* not a JSON object / missing or mistyped field */
	PAY_X402_EVERSION,	/* x402Version is not 2 */
	PAY_X402_ESCHEME,	/* accepted.scheme is not "exact" */
	PAY_X402_ENETWORK,	/* accepted.network differs from ours */
	PAY_X402_EASSET,	/* accepted.asset differs */
	PAY_X402_EPAYTO,	/* accepted.payTo differs */
	PAY_X402_EAMOUNT,	/* accepted.amount differs from the price */
	PAY_X402_NOT_SENT,	/* facilitator: never sent */
	PAY_X402_UNKNOWN,	/* facilitator: sent, answer unknown */
	PAY_X402_EAPI,		/* facilitator: non-2xx without a verdict */
	PAY_X402_EPARSE,	/* facilitator answer not understood */
	PAY_X402__MAX
};

struct pay_x402_cfg {
	const char	*network;	/* x402_network, "eip155:8453" (Base) */
	const char	*asset;		/* x402_asset, USDC on Base */
	const char	*asset_name;	/* x402_asset_name, "USD Coin" (EIP-712) */
	const char	*asset_version;	/* x402_asset_version, "2" */
	const char	*pay_to;	/* x402_pay_to, required */
	int64_t		 max_timeout_s;	/* x402_max_timeout_s, 60 */
	const char	*facilitator_url;	/* x402_facilitator_url */
	const char	*facilitator_token;	/* x402_facilitator_token, opt.
						   (sent as Bearer) */
	long		 connect_timeout_ms;	/* 0: mg_http default */
	long		 timeout_ms;
};

/* What is being sold: one resource at one price. */
struct pay_x402_offer {
	const char	*url;		/* resource URL */
	const char	*description;	/* optional */
	const char	*mime_type;	/* optional */
	int64_t		 amount_micros;	/* > 0; = USDC atomic units */
	const char	*error;		/* optional "error" text in the 402 */
};

/* A decoded PAYMENT-SIGNATURE. */
struct pay_x402_payment {
	int	 version;
	char	 scheme[PAY_X402_STR_MAX];
	char	 network[PAY_X402_STR_MAX];
	int64_t	 amount;	/* accepted.amount as an integer */
	char	 asset[PAY_X402_STR_MAX];
	char	 pay_to[PAY_X402_STR_MAX];
	char	 payer[PAY_X402_STR_MAX];	/* payload.authorization.from */
	char	 nonce[PAY_X402_STR_MAX];	/* payload.authorization.nonce */
	char	*json;		/* the decoded JSON (heap), forwarded as is */
	size_t	 json_len;
};

/* Facilitator /verify answer. */
struct pay_x402_verify {
	int	 is_valid;
	char	 invalid_reason[PAY_X402_STR_MAX];
	char	 payer[PAY_X402_STR_MAX];
};

/* Facilitator /settle answer; also the PAYMENT-RESPONSE content. */
struct pay_x402_settle {
	int	 success;
	char	 error_reason[PAY_X402_STR_MAX];
	char	 payer[PAY_X402_STR_MAX];
	char	 transaction[PAY_X402_STR_MAX];	/* the payment key */
	char	 network[PAY_X402_STR_MAX];
};

const char	*pay_x402_strerror(int);
void		 pay_x402_cfg_load(struct pay_x402_cfg *);

/* One accepts[] entry / paymentRequirements object as JSON, appended to b. */
int	 pay_x402_requirements_json(const struct pay_x402_cfg *,
	    const struct pay_x402_offer *, struct mg_buf *b);
/* PAYMENT-REQUIRED header value (base64 JSON) appended to b. */
int	 pay_x402_required_header(const struct pay_x402_cfg *,
	    const struct pay_x402_offer *, struct mg_buf *b);

/*
 * Decode a PAYMENT-SIGNATURE header value hdr[0..len): size cap, standard
 * base64, JSON object (depth-capped), x402Version 2, accepted{scheme,
 * network, amount, asset, payTo} and payload{} present with the right types.
 * On PAY_X402_OK the caller frees with pay_x402_payment_free.
 */
int	 pay_x402_decode_payment(const char *hdr, size_t len,
	    struct pay_x402_payment *out);
void	 pay_x402_payment_free(struct pay_x402_payment *);
/* Does the client's `accepted` match our offer? Returns a pay_x402_err. */
int	 pay_x402_match(const struct pay_x402_cfg *,
	    const struct pay_x402_offer *, const struct pay_x402_payment *);

/* {x402Version, paymentPayload, paymentRequirements} for the facilitator. */
int	 pay_x402_facilitator_body(const struct pay_x402_cfg *,
	    const struct pay_x402_offer *, const struct pay_x402_payment *,
	    struct mg_buf *b);
int	 pay_x402_parse_verify(const char *buf, size_t len,
	    struct pay_x402_verify *out);
int	 pay_x402_parse_settle(const char *buf, size_t len,
	    struct pay_x402_settle *out);
/* PAYMENT-RESPONSE header value (base64 settlement JSON) appended to b. */
int	 pay_x402_response_header(const struct pay_x402_settle *,
	    struct mg_buf *b);

/* POST /verify and /settle. http_status (may be NULL) gets the status. */
int	 pay_x402_verify(const struct pay_x402_cfg *,
	    const struct pay_x402_offer *, const struct pay_x402_payment *,
	    struct pay_x402_verify *out, long *http_status);
int	 pay_x402_settle(const struct pay_x402_cfg *,
	    const struct pay_x402_offer *, const struct pay_x402_payment *,
	    struct pay_x402_settle *out, long *http_status);

#endif
