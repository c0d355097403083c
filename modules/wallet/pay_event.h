/*
 * pay_event: parse a verified webhook body into a flat struct (payments.md §3
 * Stripe events, §4 Coinbase Commerce events). Call only after pay_sig said
 * the raw bytes are authentic. Pure functions of (buf, len): no I/O, no
 * allocation that outlives the call; every string lands in a fixed field.
 *
 * Payment key (what credits exactly once, brief rule 5):
 *  - Stripe Checkout Session events: the session's payment_intent id
 *    ("pi_…") when present, else the session id ("cs_…");
 *  - payment_intent.* events: the PaymentIntent id;
 *  - charge.refunded / charge.dispute.created: the payment_intent the charge
 *    belongs to (else the charge id), so a debit finds the payment it undoes;
 *  - Coinbase: the charge code.
 * A Checkout payment therefore yields the SAME key ("pi_…") from
 * checkout.session.completed and from payment_intent.succeeded, and the
 * ledger's unique reference on it makes the second one a no-op.
 */
#ifndef PAY_EVENT_H
#define PAY_EVENT_H

#include <stddef.h>
#include <stdint.h>

#define PAY_ID_MAX	256	/* Stripe ids are at most 255 chars */
#define PAY_META_MAX	128	/* our wallet / workspace ids */
#define PAY_TYPE_MAX	64
#define PAY_MSG_MAX	512
#define PAY_EVT_BODY_MAX	(256 * 1024)
#define PAY_EVT_DEPTH_MAX	16
/* Largest amount accepted from a provider: 10^11 cents (USD 1e9). */
#define PAY_CENTS_MAX	100000000000LL

enum pay_evt_err {
	PAY_EVT_OK = 0,
	PAY_EVT_ETOOBIG,	/* body over PAY_EVT_BODY_MAX */
	PAY_EVT_EDEPTH,		/* nesting over PAY_EVT_DEPTH_MAX */
	PAY_EVT_EJSON,		/* not a JSON object */
	PAY_EVT_EFIELD,		/* a required field is missing */
	PAY_EVT_ETYPE,		/* a field has the wrong JSON type, size or range */
	PAY_EVT_ECURRENCY,	/* currency is not USD */
	PAY_EVT_ENOMETA,	/* no metadata wallet_id where we always set one:
				   struct is filled; acknowledge, do not credit */
	PAY_EVT_ENOMEM,
	PAY_EVT__MAX
};

/* Stripe event types that move a wallet (payments.md §3). */
enum pay_stripe_type {
	PAY_ST_UNKNOWN = 0,		/* any other type: parsed, not an error */
	PAY_ST_CHECKOUT_COMPLETED,	/* checkout.session.completed */
	PAY_ST_CHECKOUT_ASYNC_OK,	/* checkout.session.async_payment_succeeded */
	PAY_ST_CHECKOUT_ASYNC_FAILED,	/* checkout.session.async_payment_failed */
	PAY_ST_CHECKOUT_EXPIRED,	/* checkout.session.expired */
	PAY_ST_PI_SUCCEEDED,		/* payment_intent.succeeded */
	PAY_ST_PI_FAILED,		/* payment_intent.payment_failed */
	PAY_ST_CHARGE_REFUNDED,		/* charge.refunded */
	PAY_ST_DISPUTE_CREATED,		/* charge.dispute.created */
	PAY_ST__MAX
};

/* What an event asks the ledger to do (payments.md §3 "effect" column). */
enum pay_effect {
	PAY_EFFECT_NONE = 0,	/* nothing (unknown type, no payment required) */
	PAY_EFFECT_CREDIT,	/* credit amount once, keyed by payment_key */
	PAY_EFFECT_WAIT,	/* completed but unpaid: wait for async events */
	PAY_EFFECT_FAILED,	/* mark the payment failed, no money */
	PAY_EFFECT_EXPIRED,	/* mark the checkout expired, no money */
	PAY_EFFECT_REFUND,	/* debit the increase of cumulative amount */
	PAY_EFFECT_DISPUTE,	/* debit (or hold) the disputed amount */
	PAY_EFFECT__MAX
};

struct pay_stripe_event {
	char			 id[PAY_ID_MAX];		/* evt_… */
	char			 type_name[PAY_TYPE_MAX];	/* as sent */
	enum pay_stripe_type	 type;
	int64_t			 created;			/* unix s, 0 if absent */
	int			 livemode;
	char			 object[PAY_TYPE_MAX];	/* data.object.object */
	char			 object_id[PAY_ID_MAX];	/* cs_/pi_/ch_/dp_ */
	char			 payment_key[PAY_ID_MAX];	/* see above */
	char			 payment_intent[PAY_ID_MAX];	/* "" if none */
	char			 charge[PAY_ID_MAX];	/* dispute's charge */
	/*
	 * Session: amount_total; PaymentIntent: amount_received (succeeded) or
	 * amount (failed); Charge: amount_refunded (CUMULATIVE); Dispute:
	 * amount. In cents; amount_micros = cents * 10000. -1 when absent.
	 */
	int64_t			 amount_cents;
	int64_t			 amount_micros;
	char			 currency[8];		/* "usd" or "" */
	char			 status[PAY_TYPE_MAX];
	char			 payment_status[PAY_TYPE_MAX];	/* sessions */
	char			 client_reference_id[PAY_ID_MAX];
	char			 wallet_id[PAY_META_MAX];	/* metadata */
	char			 workspace_id[PAY_META_MAX];	/* metadata */
	char			 error_code[PAY_TYPE_MAX];	/* last_payment_error */
	char			 error_message[PAY_MSG_MAX];
	char			 package[PAY_META_MAX];	/* metadata.package */
};

/* Coinbase Commerce event types (payments.md §4). */
enum pay_cb_type {
	PAY_CB_UNKNOWN = 0,
	PAY_CB_CREATED,		/* charge:created */
	PAY_CB_PENDING,		/* charge:pending */
	PAY_CB_CONFIRMED,	/* charge:confirmed — credit */
	PAY_CB_FAILED,		/* charge:failed */
	PAY_CB_DELAYED,		/* charge:delayed */
	PAY_CB_RESOLVED,	/* charge:resolved — credit */
	PAY_CB__MAX
};

struct pay_coinbase_event {
	int64_t			 delivery_id;	/* envelope id (attempt), -1 absent */
	char			 id[PAY_ID_MAX];	/* event.id (uuid): dedupe key */
	char			 type_name[PAY_TYPE_MAX];
	enum pay_cb_type	 type;
	char			 charge_id[PAY_ID_MAX];	/* data.id (uuid) */
	char			 charge_code[PAY_ID_MAX];	/* data.code */
	char			 payment_key[PAY_ID_MAX];	/* = charge_code */
	int64_t			 amount_micros;	/* pricing.local, -1 absent */
	char			 currency[8];	/* "USD" or "" */
	char			 status[PAY_TYPE_MAX];	/* last timeline status */
	char			 wallet_id[PAY_META_MAX];
	char			 workspace_id[PAY_META_MAX];
};

const char	*pay_evt_strerror(int);
const char	*pay_effect_name(int);

/* Parse a Stripe event body (§3). Returns a pay_evt_err; see ENOMETA. */
int	 pay_stripe_event_parse(const char *buf, size_t len,
	    struct pay_stripe_event *out);
/* The ledger effect of a parsed Stripe event (§3 table). */
int	 pay_stripe_event_effect(const struct pay_stripe_event *);

/* Parse a Coinbase Commerce webhook body (§4). Returns a pay_evt_err. */
int	 pay_coinbase_event_parse(const char *buf, size_t len,
	    struct pay_coinbase_event *out);
/* CREDIT for confirmed/resolved, FAILED for failed, else NONE (§4). */
int	 pay_coinbase_event_effect(const struct pay_coinbase_event *);

#endif
