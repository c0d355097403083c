/*
 * pay_stripe: Stripe API client for top-ups (payments.md §2) over mg_http.
 *
 * Bodies are application/x-www-form-urlencoded with bracket nesting; every
 * request sends "Authorization: Bearer <stripe_secret_key>" and
 * "Stripe-Version: 2026-10-28.endive"; every POST sends the caller's
 * Idempotency-Key, which must be deterministic (derived from the cause, e.g.
 * "topup:<wallet>:<request id>") so a retry after PAY_STRIPE_UNKNOWN replays
 * Stripe's stored first answer instead of charging twice.
 *
 * Encoders and parsers are pure functions so tests need no network.
 */
#ifndef PAY_STRIPE_H
#define PAY_STRIPE_H

#include <stddef.h>
#include <stdint.h>

#include "pay_event.h"	/* PAY_ID_MAX, PAY_META_MAX, PAY_TYPE_MAX, PAY_MSG_MAX */

struct mg_buf;

#define PAY_STRIPE_VERSION	"2026-10-28.endive"
#define PAY_STRIPE_MIN_CENTS	50		/* §2: amount ≥ 50 */
#define PAY_STRIPE_MAX_CENTS	99999999	/* Stripe's USD 999,999.99 cap */
#define PAY_STRIPE_IDEM_MAX	255		/* §2: keys up to 255 chars */
#define PAY_URL_MAX		2048

enum pay_stripe_err {
	PAY_STRIPE_OK = 0,
	PAY_STRIPE_EINVAL,	/* bad arguments: nothing was sent */
	PAY_STRIPE_ECONFIG,	/* no stripe_secret_key / bad stripe_api_base */
	PAY_STRIPE_ENOMEM,
	PAY_STRIPE_NOT_SENT,	/* transport: never sent, safe to retry */
	PAY_STRIPE_UNKNOWN,	/* transport: sent, answer unknown; retry with
				   the SAME idempotency key or read back */
	PAY_STRIPE_EAPI,	/* Stripe answered non-2xx: see pay_stripe_error */
	PAY_STRIPE_EPARSE,	/* 2xx answer not understood */
	PAY_STRIPE_ECURRENCY,	/* object's currency is not usd */
	PAY_STRIPE__MAX
};

struct pay_stripe_cfg {
	const char	*api_base;	/* stripe_api_base, https://api.stripe.com */
	const char	*secret_key;	/* stripe_secret_key (MG_STRIPE_SECRET_KEY) */
	long		 connect_timeout_ms;	/* 0: mg_http default (5 s) */
	long		 timeout_ms;		/* 0: mg_http default (20 s) */
};

/* §2 Errors: {"error":{"type","code","decline_code","message","param"}}. */
struct pay_stripe_error {
	long	 status;		/* HTTP status, 0 when no answer */
	int	 retryable;	/* 409, 5xx or Stripe-Should-Retry: true, and
				   never when Stripe-Should-Retry: false;
				   also set for NOT_SENT / UNKNOWN */
	char	 type[PAY_TYPE_MAX];	/* api_error, card_error, … */
	char	 code[PAY_TYPE_MAX];
	char	 decline_code[PAY_TYPE_MAX];
	char	 param[PAY_TYPE_MAX * 2];
	char	 message[PAY_MSG_MAX];
	char	 request_id[PAY_ID_MAX];	/* Request-Id header */
};

/* A Customer, Checkout Session or PaymentIntent (the fields we use). */
struct pay_stripe_obj {
	char	 id[PAY_ID_MAX];		/* cus_ / cs_ / pi_ */
	char	 object[PAY_TYPE_MAX];		/* "checkout.session", … */
	char	 status[PAY_TYPE_MAX];
	char	 payment_status[PAY_TYPE_MAX];	/* sessions */
	char	 url[PAY_URL_MAX];		/* sessions: hosted page */
	char	 client_secret[PAY_ID_MAX];	/* PaymentIntents */
	int64_t	 amount;		/* cents: amount_total or amount; -1 */
	int64_t	 amount_received;	/* PaymentIntents; -1 */
	char	 currency[8];
	char	 payment_intent[PAY_ID_MAX];	/* sessions (expandable) */
	char	 customer[PAY_ID_MAX];
	char	 client_reference_id[PAY_ID_MAX];
	char	 latest_charge[PAY_ID_MAX];
	char	 wallet_id[PAY_META_MAX];	/* metadata */
	char	 workspace_id[PAY_META_MAX];	/* metadata */
	int64_t	 created;
	int64_t	 expires_at;
	int	 livemode;
	int	 requires_action;	/* next_action is not null */
	char	 error_code[PAY_TYPE_MAX];	/* last_payment_error */
	char	 error_message[PAY_MSG_MAX];
	char	 package[PAY_META_MAX];		/* metadata.package, "" if none */
};

struct pay_stripe_customer_req {
	const char	*email;		/* optional */
	const char	*wallet_id;
	const char	*workspace_id;
};

/* §2 POST /v1/checkout/sessions, mode=payment, one price_data line item. */
struct pay_stripe_checkout_req {
	int64_t		 amount_cents;	/* [PAY_STRIPE_MIN_CENTS, MAX] */
	const char	*product_name;	/* e.g. "mediagate credit" */
	const char	*success_url;	/* may contain {CHECKOUT_SESSION_ID} */
	const char	*cancel_url;
	const char	*client_reference_id;	/* optional */
	const char	*customer;	/* optional cus_… */
	const char	*customer_email;	/* optional, ignored with customer */
	const char	*wallet_id;	/* put in BOTH metadata maps */
	const char	*workspace_id;
	int64_t		 expires_at;	/* unix s, now+30 min … now+24 h; 0 omits */
	const char	*package;	/* optional: metadata[package] in BOTH
					   maps (what was sold, payments.c) */
};

/* §2 POST /v1/payment_intents (auto-recharge: confirm + off_session). */
struct pay_stripe_pi_req {
	int64_t		 amount_cents;
	const char	*customer;
	const char	*payment_method;
	int		 confirm;
	int		 off_session;	/* only with confirm */
	const char	*wallet_id;
	const char	*workspace_id;
};

const char	*pay_stripe_strerror(int);

/* Fill from config: stripe_api_base, stripe_secret_key. */
void	 pay_stripe_cfg_load(struct pay_stripe_cfg *);

/*
 * Append "key=value" (with '&' when b is not empty) to a form body. key may
 * nest with brackets ("line_items[0][price_data][currency]"): each segment is
 * percent-encoded and the brackets are kept, as Stripe's SDKs send them.
 * Returns 0 or -1 (OOM or NULL value).
 */
int	 pay_form_add(struct mg_buf *b, const char *key, const char *val);
int	 pay_form_add_i64(struct mg_buf *b, const char *key, int64_t v);

/* Form bodies for the calls below; 0, or -1 on invalid request / OOM. */
int	 pay_stripe_customer_form(const struct pay_stripe_customer_req *,
	    struct mg_buf *);
int	 pay_stripe_checkout_form(const struct pay_stripe_checkout_req *,
	    struct mg_buf *);
int	 pay_stripe_pi_form(const struct pay_stripe_pi_req *, struct mg_buf *);

/* Parse a 2xx answer (Customer / Session / PaymentIntent). pay_stripe_err. */
int	 pay_stripe_parse_obj(const char *buf, size_t len,
	    struct pay_stripe_obj *out);
/* Parse an error answer into err (status given). 0 if it was one, else -1. */
int	 pay_stripe_parse_error(const char *buf, size_t len, long status,
	    struct pay_stripe_error *err);

/*
 * The calls. idem_key: 1..255 printable ASCII chars, required on POST.
 * out is filled on PAY_STRIPE_OK; err always (status 0 when no answer).
 */
int	 pay_stripe_customer_create(const struct pay_stripe_cfg *,
	    const struct pay_stripe_customer_req *, const char *idem_key,
	    struct pay_stripe_obj *out, struct pay_stripe_error *err);
int	 pay_stripe_checkout_create(const struct pay_stripe_cfg *,
	    const struct pay_stripe_checkout_req *, const char *idem_key,
	    struct pay_stripe_obj *out, struct pay_stripe_error *err);
int	 pay_stripe_checkout_get(const struct pay_stripe_cfg *, const char *id,
	    struct pay_stripe_obj *out, struct pay_stripe_error *err);
int	 pay_stripe_pi_create(const struct pay_stripe_cfg *,
	    const struct pay_stripe_pi_req *, const char *idem_key,
	    struct pay_stripe_obj *out, struct pay_stripe_error *err);
int	 pay_stripe_pi_get(const struct pay_stripe_cfg *, const char *id,
	    struct pay_stripe_obj *out, struct pay_stripe_error *err);

#endif
