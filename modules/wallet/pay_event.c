/*
 * pay_event: Stripe (payments.md §3) and Coinbase Commerce (§4) webhook
 * event bodies → flat structs. Bodies are capped in size and depth before
 * json-c parses them (pay_json).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "mg_util.h"
#include "pay_coinbase.h"
#include "pay_event.h"
#include "pay_json.h"

static const char *const pay_evt_errs[PAY_EVT__MAX] = {
	"ok",					/* PAY_EVT_OK */
	"event body too large",			/* PAY_EVT_ETOOBIG */
	"event JSON nested too deeply",		/* PAY_EVT_EDEPTH */
	"event body is not a JSON object",	/* PAY_EVT_EJSON */
	"event lacks a required field",		/* PAY_EVT_EFIELD */
	"event field has the wrong type",	/* PAY_EVT_ETYPE */
	"event currency is not USD",		/* PAY_EVT_ECURRENCY */
	"event has no wallet metadata",		/* PAY_EVT_ENOMETA */
	"out of memory",			/* PAY_EVT_ENOMEM */
};

const char *
pay_evt_strerror(int e)
{
	if (e < 0 || e >= PAY_EVT__MAX)
		return "unknown error";
	return pay_evt_errs[e];
}

static const char *const pay_effect_names[PAY_EFFECT__MAX] = {
	"none",		/* PAY_EFFECT_NONE */
	"credit",	/* PAY_EFFECT_CREDIT */
	"wait",		/* PAY_EFFECT_WAIT */
	"failed",	/* PAY_EFFECT_FAILED */
	"expired",	/* PAY_EFFECT_EXPIRED */
	"refund",	/* PAY_EFFECT_REFUND */
	"dispute",	/* PAY_EFFECT_DISPUTE */
};

const char *
pay_effect_name(int e)
{
	if (e < 0 || e >= PAY_EFFECT__MAX)
		return "unknown";
	return pay_effect_names[e];
}

/* Stripe event type names and the data.object.object each one carries. */
static const struct {
	const char	*name;
	const char	*object;
} stripe_types[PAY_ST__MAX] = {
	{ "", NULL },						/* PAY_ST_UNKNOWN */
	{ "checkout.session.completed", "checkout.session" },	/* PAY_ST_CHECKOUT_COMPLETED */
	{ "checkout.session.async_payment_succeeded",
	    "checkout.session" },				/* PAY_ST_CHECKOUT_ASYNC_OK */
	{ "checkout.session.async_payment_failed",
	    "checkout.session" },				/* PAY_ST_CHECKOUT_ASYNC_FAILED */
	{ "checkout.session.expired", "checkout.session" },	/* PAY_ST_CHECKOUT_EXPIRED */
	{ "payment_intent.succeeded", "payment_intent" },	/* PAY_ST_PI_SUCCEEDED */
	{ "payment_intent.payment_failed", "payment_intent" },	/* PAY_ST_PI_FAILED */
	{ "charge.refunded", "charge" },			/* PAY_ST_CHARGE_REFUNDED */
	{ "charge.dispute.created", "dispute" },		/* PAY_ST_DISPUTE_CREATED */
};

/* Coinbase Commerce event type names (§4). */
static const char *const cb_types[PAY_CB__MAX] = {
	"",			/* PAY_CB_UNKNOWN */
	"charge:created",	/* PAY_CB_CREATED */
	"charge:pending",	/* PAY_CB_PENDING */
	"charge:confirmed",	/* PAY_CB_CONFIRMED */
	"charge:failed",	/* PAY_CB_FAILED */
	"charge:delayed",	/* PAY_CB_DELAYED */
	"charge:resolved",	/* PAY_CB_RESOLVED */
};

/* Map a pay_json_parse error onto pay_evt_err. */
static int
json_err(int je)
{
	switch (je) {
	case PAY_JSON_OK:	return PAY_EVT_OK;
	case PAY_JSON_ETOOBIG:	return PAY_EVT_ETOOBIG;
	case PAY_JSON_EDEPTH:	return PAY_EVT_EDEPTH;
	case PAY_JSON_ENOMEM:	return PAY_EVT_ENOMEM;
	default:		return PAY_EVT_EJSON;
	}
}

/* Map a field getter result: absent → EFIELD when required, bad → ETYPE. */
static int
field(int jf, int required)
{
	if (jf == PAY_JF_BAD)
		return PAY_EVT_ETYPE;
	if (jf == PAY_JF_ABSENT && required)
		return PAY_EVT_EFIELD;
	return PAY_EVT_OK;
}

/* A Stripe expandable reference; "" when null or absent. */
static int
expandable_id(json_object *o, const char *key, char *out, size_t cap)
{
	return field(pay_json_ref(o, key, out, cap), 0);
}

/* metadata.wallet_id / metadata.workspace_id, both optional here. */
static int
metadata(json_object *o, char *wallet, char *workspace)
{
	json_object *md;
	int rc;

	wallet[0] = workspace[0] = '\0';
	if ((rc = field(pay_json_obj(o, "metadata", &md), 0)) != PAY_EVT_OK ||
	    md == NULL)
		return rc;
	if ((rc = field(pay_json_str(md, "wallet_id", wallet,
	    PAY_META_MAX), 0)) != PAY_EVT_OK)
		return rc;
	return field(pay_json_str(md, "workspace_id", workspace,
	    PAY_META_MAX), 0);
}

/* metadata.package (what a Checkout sold), optional; "" when absent. */
static int
stripe_package(json_object *o, char *package)
{
	json_object *md;
	int rc;

	package[0] = '\0';
	if ((rc = field(pay_json_obj(o, "metadata", &md), 0)) != PAY_EVT_OK ||
	    md == NULL)
		return rc;
	return field(pay_json_str(md, "package", package, PAY_META_MAX), 0);
}

/* Required amount in cents, [0, PAY_CENTS_MAX]; fills cents and micros. */
static int
stripe_amount(json_object *o, const char *key, struct pay_stripe_event *ev)
{
	int rc;

	if ((rc = field(pay_json_i64(o, key, 0, PAY_CENTS_MAX,
	    &ev->amount_cents), 1)) != PAY_EVT_OK)
		return rc;
	ev->amount_micros = ev->amount_cents * 10000;
	return PAY_EVT_OK;
}

/* Required currency, which must be usd (any case; stored lowercase). */
static int
stripe_currency(json_object *o, struct pay_stripe_event *ev)
{
	char cur[8];
	int rc;

	if ((rc = field(pay_json_str(o, "currency", cur, sizeof(cur)), 1)) !=
	    PAY_EVT_OK)
		return rc == PAY_EVT_ETYPE ? PAY_EVT_ECURRENCY : rc;
	if (strcasecmp(cur, "usd") != 0)
		return PAY_EVT_ECURRENCY;
	memcpy(ev->currency, "usd", 4);
	return PAY_EVT_OK;
}

/* Checkout Session fields (§2 response shape, §3 events). */
static int
stripe_session(json_object *o, struct pay_stripe_event *ev)
{
	int rc, money = ev->type == PAY_ST_CHECKOUT_COMPLETED ||
	    ev->type == PAY_ST_CHECKOUT_ASYNC_OK;

	if ((rc = field(pay_json_str(o, "payment_status", ev->payment_status,
	    sizeof(ev->payment_status)), money)) != PAY_EVT_OK)
		return rc;
	if ((rc = field(pay_json_str(o, "client_reference_id",
	    ev->client_reference_id, sizeof(ev->client_reference_id)), 0)) !=
	    PAY_EVT_OK)
		return rc;
	if ((rc = expandable_id(o, "payment_intent", ev->payment_intent,
	    sizeof(ev->payment_intent))) != PAY_EVT_OK)
		return rc;
	if (money || pay_json_i64(o, "amount_total", 0, PAY_CENTS_MAX,
	    &ev->amount_cents) != PAY_JF_ABSENT) {
		if ((rc = stripe_amount(o, "amount_total", ev)) != PAY_EVT_OK ||
		    (rc = stripe_currency(o, ev)) != PAY_EVT_OK)
			return rc;
	}
	/* The payment key: the PaymentIntent when there is one (§3). */
	snprintf(ev->payment_key, sizeof(ev->payment_key), "%s",
	    ev->payment_intent[0] != '\0' ? ev->payment_intent : ev->object_id);
	return PAY_EVT_OK;
}

/* PaymentIntent fields (§2 statuses and fields, §3 events). */
static int
stripe_pi(json_object *o, struct pay_stripe_event *ev)
{
	json_object *lpe;
	int rc;

	if ((rc = stripe_amount(o, ev->type == PAY_ST_PI_SUCCEEDED ?
	    "amount_received" : "amount", ev)) != PAY_EVT_OK ||
	    (rc = stripe_currency(o, ev)) != PAY_EVT_OK)
		return rc;
	if ((rc = field(pay_json_obj(o, "last_payment_error", &lpe), 0)) !=
	    PAY_EVT_OK)
		return rc;
	if (lpe != NULL) {
		if ((rc = field(pay_json_str(lpe, "code", ev->error_code,
		    sizeof(ev->error_code)), 0)) != PAY_EVT_OK)
			return rc;
		if ((rc = field(pay_json_str(lpe, "message", ev->error_message,
		    sizeof(ev->error_message)), 0)) != PAY_EVT_OK)
			return rc;
	}
	snprintf(ev->payment_intent, sizeof(ev->payment_intent), "%s",
	    ev->object_id);
	snprintf(ev->payment_key, sizeof(ev->payment_key), "%s",
	    ev->object_id);
	return PAY_EVT_OK;
}

/* Charge (refunded) and Dispute (created) fields (§3). */
static int
stripe_charge_or_dispute(json_object *o, struct pay_stripe_event *ev)
{
	int rc;

	if ((rc = stripe_amount(o, ev->type == PAY_ST_CHARGE_REFUNDED ?
	    "amount_refunded" : "amount", ev)) != PAY_EVT_OK ||
	    (rc = stripe_currency(o, ev)) != PAY_EVT_OK)
		return rc;
	if ((rc = expandable_id(o, "payment_intent", ev->payment_intent,
	    sizeof(ev->payment_intent))) != PAY_EVT_OK)
		return rc;
	if (ev->type == PAY_ST_DISPUTE_CREATED) {
		if ((rc = expandable_id(o, "charge", ev->charge,
		    sizeof(ev->charge))) != PAY_EVT_OK)
			return rc;
	} else
		snprintf(ev->charge, sizeof(ev->charge), "%s", ev->object_id);
	snprintf(ev->payment_key, sizeof(ev->payment_key), "%s",
	    ev->payment_intent[0] != '\0' ? ev->payment_intent :
	    ev->charge[0] != '\0' ? ev->charge : ev->object_id);
	return PAY_EVT_OK;
}

/*
 * Stripe event envelope (§3: id, object "event", created, livemode, type,
 * data.object) and, for the known types, the object's fields. Unknown types
 * return OK with type PAY_ST_UNKNOWN and only the envelope filled. Known types
 * need a USD currency and (sessions, PaymentIntents) metadata.wallet_id:
 * without it the struct is complete but ENOMETA is returned.
 */
int
pay_stripe_event_parse(const char *buf, size_t len,
    struct pay_stripe_event *ev)
{
	json_object *root = NULL, *data, *o;
	char envobj[16];
	int rc, i;

	memset(ev, 0, sizeof(*ev));
	ev->amount_cents = ev->amount_micros = -1;
	if ((rc = json_err(pay_json_parse(buf, len, PAY_EVT_BODY_MAX,
	    PAY_EVT_DEPTH_MAX, &root))) != PAY_EVT_OK)
		return rc;
	/* From here root is held. */
	if ((rc = field(pay_json_str(root, "id", ev->id, sizeof(ev->id)), 1)) ||
	    (rc = field(pay_json_str(root, "type", ev->type_name,
	    sizeof(ev->type_name)), 1)) ||
	    (rc = field(pay_json_str(root, "object", envobj,
	    sizeof(envobj)), 0)) ||
	    (rc = field(pay_json_i64(root, "created", 0, INT64_MAX / 2,
	    &ev->created), 0)) ||
	    (rc = field(pay_json_bool(root, "livemode", &ev->livemode), 0)) ||
	    (rc = field(pay_json_obj(root, "data", &data), 1)) ||
	    (rc = field(pay_json_obj(data, "object", &o), 1)))
		goto err;
	if (ev->id[0] == '\0' || (envobj[0] != '\0' &&
	    strcmp(envobj, "event") != 0)) {
		rc = PAY_EVT_ETYPE;
		goto err;
	}
	for (i = 1; i < PAY_ST__MAX; i++)
		if (strcmp(ev->type_name, stripe_types[i].name) == 0)
			ev->type = (enum pay_stripe_type)i;
	if ((rc = field(pay_json_str(o, "object", ev->object,
	    sizeof(ev->object)), ev->type != PAY_ST_UNKNOWN)) ||
	    (rc = field(pay_json_str(o, "id", ev->object_id,
	    sizeof(ev->object_id)), ev->type != PAY_ST_UNKNOWN)))
		goto err;
	if (ev->type == PAY_ST_UNKNOWN)
		goto done;
	if (strcmp(ev->object, stripe_types[ev->type].object) != 0 ||
	    ev->object_id[0] == '\0') {
		rc = PAY_EVT_ETYPE;
		goto err;
	}
	if ((rc = field(pay_json_str(o, "status", ev->status,
	    sizeof(ev->status)), 0)) ||
	    (rc = metadata(o, ev->wallet_id, ev->workspace_id)) ||
	    (rc = stripe_package(o, ev->package)))
		goto err;
	switch (ev->type) {
	case PAY_ST_CHECKOUT_COMPLETED:
	case PAY_ST_CHECKOUT_ASYNC_OK:
	case PAY_ST_CHECKOUT_ASYNC_FAILED:
	case PAY_ST_CHECKOUT_EXPIRED:
		rc = stripe_session(o, ev);
		break;
	case PAY_ST_PI_SUCCEEDED:
	case PAY_ST_PI_FAILED:
		rc = stripe_pi(o, ev);
		break;
	default:
		rc = stripe_charge_or_dispute(o, ev);
		break;
	}
	if (rc != PAY_EVT_OK)
		goto err;
	/* Charges and disputes are found by payment_key, not metadata. */
	if (ev->wallet_id[0] == '\0' && ev->type != PAY_ST_CHARGE_REFUNDED &&
	    ev->type != PAY_ST_DISPUTE_CREATED)
		rc = PAY_EVT_ENOMETA;
done:	/* success and failure share the clean-up */
err:
	json_object_put(root);
	return rc;
}

/*
 * §3 effect column. A completed session credits only when paid; unpaid
 * (async methods) waits for async_payment_succeeded; no_payment_required is
 * nothing. A PaymentIntent credits only with status succeeded.
 */
int
pay_stripe_event_effect(const struct pay_stripe_event *ev)
{
	switch (ev->type) {
	case PAY_ST_CHECKOUT_COMPLETED:
		if (strcmp(ev->payment_status, "paid") == 0)
			return PAY_EFFECT_CREDIT;
		if (strcmp(ev->payment_status, "unpaid") == 0)
			return PAY_EFFECT_WAIT;
		return PAY_EFFECT_NONE;
	case PAY_ST_CHECKOUT_ASYNC_OK:
		return strcmp(ev->payment_status, "paid") == 0 ?
		    PAY_EFFECT_CREDIT : PAY_EFFECT_WAIT;
	case PAY_ST_CHECKOUT_ASYNC_FAILED:
	case PAY_ST_PI_FAILED:
		return PAY_EFFECT_FAILED;
	case PAY_ST_CHECKOUT_EXPIRED:
		return PAY_EFFECT_EXPIRED;
	case PAY_ST_PI_SUCCEEDED:
		return ev->status[0] == '\0' ||
		    strcmp(ev->status, "succeeded") == 0 ?
		    PAY_EFFECT_CREDIT : PAY_EFFECT_NONE;
	case PAY_ST_CHARGE_REFUNDED:
		return PAY_EFFECT_REFUND;
	case PAY_ST_DISPUTE_CREATED:
		return PAY_EFFECT_DISPUTE;
	default:
		return PAY_EFFECT_NONE;
	}
}

/* Last timeline status (§4) via pay_coinbase; "" when none. */
static int
cb_timeline(json_object *charge, char *out, size_t cap)
{
	return pay_coinbase_json_status(charge, out, cap) == 0 ?
	    PAY_EVT_OK : PAY_EVT_ETYPE;
}

/* pricing.local in USD via pay_coinbase; required: absent → EFIELD. */
static int
cb_price(json_object *charge, int required, int64_t *micros, char *cur)
{
	switch (pay_coinbase_json_price(charge, micros, cur)) {
	case 0:
		return PAY_EVT_OK;
	case PAY_JF_ABSENT:
		return required ? PAY_EVT_EFIELD : PAY_EVT_OK;
	case -2:
		return PAY_EVT_ECURRENCY;
	default:
		return PAY_EVT_ETYPE;
	}
}

/*
 * Coinbase Commerce webhook envelope (§4): {"id", "scheduled_for", "event":
 * {"id", "resource", "type", "api_version", "created_at", "data": Charge}}.
 * Requires event.id, event.type, event.data.code; known types need
 * metadata.wallet_id (else ENOMETA with the struct filled); confirmed and
 * resolved (the credits) need pricing.local in USD.
 */
int
pay_coinbase_event_parse(const char *buf, size_t len,
    struct pay_coinbase_event *ev)
{
	json_object *root = NULL, *event, *data;
	int rc, i, credit;

	memset(ev, 0, sizeof(*ev));
	ev->delivery_id = ev->amount_micros = -1;
	if ((rc = json_err(pay_json_parse(buf, len, PAY_EVT_BODY_MAX,
	    PAY_EVT_DEPTH_MAX, &root))) != PAY_EVT_OK)
		return rc;
	/* From here root is held. */
	/* The delivery id is informational: a number in the docs, tolerated
	   as anything else so a shape change cannot block every delivery. */
	if (pay_json_i64(root, "id", 0, INT64_MAX / 2, &ev->delivery_id) !=
	    PAY_JF_OK)
		ev->delivery_id = -1;
	if ((rc = field(pay_json_obj(root, "event", &event), 1)) ||
	    (rc = field(pay_json_str(event, "id", ev->id, sizeof(ev->id)), 1)) ||
	    (rc = field(pay_json_str(event, "type", ev->type_name,
	    sizeof(ev->type_name)), 1)) ||
	    (rc = field(pay_json_obj(event, "data", &data), 1)))
		goto err;
	if (ev->id[0] == '\0') {
		rc = PAY_EVT_ETYPE;
		goto err;
	}
	for (i = 1; i < PAY_CB__MAX; i++)
		if (strcmp(ev->type_name, cb_types[i]) == 0)
			ev->type = (enum pay_cb_type)i;
	credit = ev->type == PAY_CB_CONFIRMED || ev->type == PAY_CB_RESOLVED;
	if ((rc = field(pay_json_str(data, "id", ev->charge_id,
	    sizeof(ev->charge_id)), 0)) ||
	    (rc = field(pay_json_str(data, "code", ev->charge_code,
	    sizeof(ev->charge_code)), ev->type != PAY_CB_UNKNOWN)))
		goto err;
	if (ev->type == PAY_CB_UNKNOWN)
		goto done;
	if (ev->charge_code[0] == '\0') {
		rc = PAY_EVT_ETYPE;
		goto err;
	}
	memcpy(ev->payment_key, ev->charge_code, sizeof(ev->payment_key));
	if ((rc = cb_timeline(data, ev->status, sizeof(ev->status))) ||
	    (rc = cb_price(data, credit, &ev->amount_micros, ev->currency)) ||
	    (rc = metadata(data, ev->wallet_id, ev->workspace_id)))
		goto err;
	if (ev->wallet_id[0] == '\0')
		rc = PAY_EVT_ENOMETA;
done:	/* success and failure share the clean-up */
err:
	json_object_put(root);
	return rc;
}

int
pay_coinbase_event_effect(const struct pay_coinbase_event *ev)
{
	switch (ev->type) {
	case PAY_CB_CONFIRMED:
	case PAY_CB_RESOLVED:
		return PAY_EFFECT_CREDIT;
	case PAY_CB_FAILED:
		return PAY_EFFECT_FAILED;
	default:
		return PAY_EFFECT_NONE;
	}
}
