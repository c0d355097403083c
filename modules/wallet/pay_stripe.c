/*
 * pay_stripe: Stripe API calls for wallet top-ups, payments.md §2.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <sodium.h>

#include "mg_buf.h"
#include "mg_config.h"
#include "mg_http.h"
#include "mg_util.h"
#include "pay_json.h"
#include "pay_stripe.h"

static const char *const pay_stripe_errs[PAY_STRIPE__MAX] = {
	"ok",					/* PAY_STRIPE_OK */
	"invalid Stripe request",		/* PAY_STRIPE_EINVAL */
	"Stripe is not configured",		/* PAY_STRIPE_ECONFIG */
	"out of memory",			/* PAY_STRIPE_ENOMEM */
	"Stripe request not sent",		/* PAY_STRIPE_NOT_SENT */
	"Stripe request sent, answer unknown",	/* PAY_STRIPE_UNKNOWN */
	"Stripe returned an error",		/* PAY_STRIPE_EAPI */
	"Stripe answer not understood",		/* PAY_STRIPE_EPARSE */
	"Stripe object currency is not usd",	/* PAY_STRIPE_ECURRENCY */
};

const char *
pay_stripe_strerror(int e)
{
	if (e < 0 || e >= PAY_STRIPE__MAX)
		return "unknown error";
	return pay_stripe_errs[e];
}

void
pay_stripe_cfg_load(struct pay_stripe_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->api_base = mg_cfg_str("stripe_api_base", "https://api.stripe.com");
	c->secret_key = mg_cfg_str("stripe_secret_key", NULL);
}

/* ---- form encoding (§2: x-www-form-urlencoded, bracket nesting) --------- */

/*
 * Percent-encode key segment by segment, keeping '[' and ']' literal
 * (stripe-node sends qs output with %5B/%5D turned back into brackets).
 */
static int
form_key(struct mg_buf *b, const char *key)
{
	char seg[256];
	size_t n;

	while (*key != '\0') {
		if (*key == '[' || *key == ']') {
			mg_buf_append(b, key++, 1);
			continue;
		}
		n = strcspn(key, "[]");
		if (n >= sizeof(seg))
			return -1;
		memcpy(seg, key, n);
		seg[n] = '\0';
		mg_buf_urlencode(b, seg);
		key += n;
	}
	return b->oom ? -1 : 0;
}

int
pay_form_add(struct mg_buf *b, const char *key, const char *val)
{
	if (key == NULL || val == NULL || key[0] == '\0')
		return -1;
	if (b->len > 0)
		mg_buf_append(b, "&", 1);
	if (form_key(b, key) < 0)
		return -1;
	mg_buf_append(b, "=", 1);
	mg_buf_urlencode(b, val);
	return b->oom ? -1 : 0;
}

int
pay_form_add_i64(struct mg_buf *b, const char *key, int64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRId64, v);
	return pay_form_add(b, key, num);
}

static int
nonempty(const char *s)
{
	return s != NULL && s[0] != '\0';
}

/* Both metadata ids, under prefix ("metadata" or "payment_intent_data[metadata]"). */
static int
form_meta(struct mg_buf *b, const char *prefix, const char *wallet,
    const char *workspace)
{
	char k[96];

	snprintf(k, sizeof(k), "%s[wallet_id]", prefix);
	if (pay_form_add(b, k, wallet) < 0)
		return -1;
	snprintf(k, sizeof(k), "%s[workspace_id]", prefix);
	return pay_form_add(b, k, workspace);
}

/* §2 POST /v1/customers: email, metadata[k]. */
int
pay_stripe_customer_form(const struct pay_stripe_customer_req *r,
    struct mg_buf *b)
{
	if (!nonempty(r->wallet_id) || !nonempty(r->workspace_id))
		return -1;
	if (nonempty(r->email) && pay_form_add(b, "email", r->email) < 0)
		return -1;
	return form_meta(b, "metadata", r->wallet_id, r->workspace_id);
}

/*
 * §2 POST /v1/checkout/sessions: mode=payment, one line item with
 * price_data (usd, unit_amount, product_data[name]) × 1, success/cancel URLs,
 * client_reference_id, customer or customer_email, the wallet in BOTH
 * metadata and payment_intent_data[metadata] (so payment_intent.* events carry
 * it too), expires_at.
 */
int
pay_stripe_checkout_form(const struct pay_stripe_checkout_req *r,
    struct mg_buf *b)
{
	if (r->amount_cents < PAY_STRIPE_MIN_CENTS ||
	    r->amount_cents > PAY_STRIPE_MAX_CENTS ||
	    !nonempty(r->product_name) || !nonempty(r->success_url) ||
	    !nonempty(r->cancel_url) || !nonempty(r->wallet_id) ||
	    !nonempty(r->workspace_id) || r->expires_at < 0)
		return -1;
	if (pay_form_add(b, "mode", "payment") < 0 ||
	    pay_form_add(b, "line_items[0][price_data][currency]", "usd") < 0 ||
	    pay_form_add_i64(b, "line_items[0][price_data][unit_amount]",
	    r->amount_cents) < 0 ||
	    pay_form_add(b, "line_items[0][price_data][product_data][name]",
	    r->product_name) < 0 ||
	    pay_form_add(b, "line_items[0][quantity]", "1") < 0 ||
	    pay_form_add(b, "success_url", r->success_url) < 0 ||
	    pay_form_add(b, "cancel_url", r->cancel_url) < 0)
		return -1;
	if (nonempty(r->client_reference_id) &&
	    pay_form_add(b, "client_reference_id", r->client_reference_id) < 0)
		return -1;
	if (nonempty(r->customer)) {
		if (pay_form_add(b, "customer", r->customer) < 0)
			return -1;
	} else if (nonempty(r->customer_email) &&
	    pay_form_add(b, "customer_email", r->customer_email) < 0)
		return -1;
	if (form_meta(b, "metadata", r->wallet_id, r->workspace_id) < 0 ||
	    form_meta(b, "payment_intent_data[metadata]", r->wallet_id,
	    r->workspace_id) < 0)
		return -1;
	if (nonempty(r->package) &&
	    (pay_form_add(b, "metadata[package]", r->package) < 0 ||
	    pay_form_add(b, "payment_intent_data[metadata][package]",
	    r->package) < 0))
		return -1;
	if (r->expires_at > 0 &&
	    pay_form_add_i64(b, "expires_at", r->expires_at) < 0)
		return -1;
	return 0;
}

/*
 * §2 POST /v1/payment_intents: amount (≥ 50), currency usd, customer,
 * payment_method, confirm, off_session (only with confirm=true), metadata.
 */
int
pay_stripe_pi_form(const struct pay_stripe_pi_req *r, struct mg_buf *b)
{
	if (r->amount_cents < PAY_STRIPE_MIN_CENTS ||
	    r->amount_cents > PAY_STRIPE_MAX_CENTS ||
	    !nonempty(r->wallet_id) || !nonempty(r->workspace_id) ||
	    (r->off_session && !r->confirm))
		return -1;
	if (pay_form_add_i64(b, "amount", r->amount_cents) < 0 ||
	    pay_form_add(b, "currency", "usd") < 0)
		return -1;
	if (nonempty(r->customer) && pay_form_add(b, "customer",
	    r->customer) < 0)
		return -1;
	if (nonempty(r->payment_method) && pay_form_add(b, "payment_method",
	    r->payment_method) < 0)
		return -1;
	if (r->confirm && pay_form_add(b, "confirm", "true") < 0)
		return -1;
	if (r->off_session && pay_form_add(b, "off_session", "true") < 0)
		return -1;
	return form_meta(b, "metadata", r->wallet_id, r->workspace_id);
}

/* ---- answers ------------------------------------------------------------ */

/* Map a getter result: BAD → -1, else 0. */
#define OPT(x)	((x) == PAY_JF_BAD ? -1 : 0)

/*
 * Parse a Customer / Checkout Session / PaymentIntent (§2 response fields).
 * id and object are required; a currency other than usd → ECURRENCY (the
 * struct is filled so the caller can log it).
 */
int
pay_stripe_parse_obj(const char *buf, size_t len, struct pay_stripe_obj *o)
{
	json_object *root = NULL, *md, *lpe, *na;
	int rc = PAY_STRIPE_EPARSE;

	memset(o, 0, sizeof(*o));
	o->amount = o->amount_received = -1;
	if (pay_json_parse(buf, len, PAY_JSON_MAX_LEN, PAY_JSON_MAX_DEPTH,
	    &root) != PAY_JSON_OK)
		return PAY_STRIPE_EPARSE;
	/* From here root is held. */
	if (pay_json_str(root, "id", o->id, sizeof(o->id)) != PAY_JF_OK ||
	    o->id[0] == '\0' ||
	    pay_json_str(root, "object", o->object, sizeof(o->object)) !=
	    PAY_JF_OK)
		goto err;
	if (OPT(pay_json_str(root, "status", o->status, sizeof(o->status))) ||
	    OPT(pay_json_str(root, "payment_status", o->payment_status,
	    sizeof(o->payment_status))) ||
	    OPT(pay_json_str(root, "url", o->url, sizeof(o->url))) ||
	    OPT(pay_json_str(root, "client_secret", o->client_secret,
	    sizeof(o->client_secret))) ||
	    OPT(pay_json_str(root, "currency", o->currency,
	    sizeof(o->currency))) ||
	    OPT(pay_json_ref(root, "payment_intent", o->payment_intent,
	    sizeof(o->payment_intent))) ||
	    OPT(pay_json_ref(root, "customer", o->customer,
	    sizeof(o->customer))) ||
	    OPT(pay_json_ref(root, "latest_charge", o->latest_charge,
	    sizeof(o->latest_charge))) ||
	    OPT(pay_json_str(root, "client_reference_id",
	    o->client_reference_id, sizeof(o->client_reference_id))) ||
	    OPT(pay_json_i64(root, "amount_received", 0, PAY_CENTS_MAX,
	    &o->amount_received)) ||
	    OPT(pay_json_i64(root, "created", 0, INT64_MAX / 2, &o->created)) ||
	    OPT(pay_json_i64(root, "expires_at", 0, INT64_MAX / 2,
	    &o->expires_at)) ||
	    OPT(pay_json_bool(root, "livemode", &o->livemode)))
		goto err;
	/* Sessions carry amount_total, PaymentIntents amount. */
	if (pay_json_i64(root, "amount_total", 0, PAY_CENTS_MAX, &o->amount) ==
	    PAY_JF_BAD ||
	    (o->amount < 0 && OPT(pay_json_i64(root, "amount", 0,
	    PAY_CENTS_MAX, &o->amount))))
		goto err;
	if (OPT(pay_json_obj(root, "metadata", &md)) ||
	    OPT(pay_json_str(md, "wallet_id", o->wallet_id,
	    sizeof(o->wallet_id))) ||
	    OPT(pay_json_str(md, "workspace_id", o->workspace_id,
	    sizeof(o->workspace_id))) ||
	    OPT(pay_json_str(md, "package", o->package,
	    sizeof(o->package))))
		goto err;
	if (OPT(pay_json_obj(root, "last_payment_error", &lpe)) ||
	    OPT(pay_json_str(lpe, "code", o->error_code,
	    sizeof(o->error_code))) ||
	    OPT(pay_json_str(lpe, "message", o->error_message,
	    sizeof(o->error_message))))
		goto err;
	o->requires_action = json_object_object_get_ex(root, "next_action",
	    &na) && na != NULL;
	rc = o->currency[0] != '\0' && strcasecmp(o->currency, "usd") != 0 ?
	    PAY_STRIPE_ECURRENCY : PAY_STRIPE_OK;
err:
	json_object_put(root);
	return rc;
}

/* §2 Errors: {"error":{type, code, decline_code, message, param}}. */
int
pay_stripe_parse_error(const char *buf, size_t len, long status,
    struct pay_stripe_error *e)
{
	json_object *root = NULL, *eo;
	int rc = -1;

	e->status = status;
	e->type[0] = e->code[0] = e->decline_code[0] = e->param[0] = '\0';
	snprintf(e->message, sizeof(e->message), "HTTP %ld", status);
	if (buf == NULL || pay_json_parse(buf, len, PAY_JSON_MAX_LEN,
	    PAY_JSON_MAX_DEPTH, &root) != PAY_JSON_OK)
		return -1;
	/* From here root is held. */
	if (pay_json_obj(root, "error", &eo) != PAY_JF_OK)
		goto err;
	pay_json_str(eo, "type", e->type, sizeof(e->type));
	pay_json_str(eo, "code", e->code, sizeof(e->code));
	pay_json_str(eo, "decline_code", e->decline_code,
	    sizeof(e->decline_code));
	pay_json_str(eo, "param", e->param, sizeof(e->param));
	if (pay_json_str(eo, "message", e->message, sizeof(e->message)) !=
	    PAY_JF_OK)
		snprintf(e->message, sizeof(e->message), "HTTP %ld", status);
	rc = 0;
err:
	json_object_put(root);
	return rc;
}

/* ---- the calls ---------------------------------------------------------- */

/* Idempotency keys: 1..255 printable ASCII, no spaces (§2). */
static int
idem_ok(const char *k)
{
	size_t i;

	if (k == NULL || k[0] == '\0')
		return 0;
	for (i = 0; k[i] != '\0'; i++)
		if (i >= PAY_STRIPE_IDEM_MAX || k[i] <= ' ' || k[i] > '~')
			return 0;
	return 1;
}

/* §2 retry rule (as stripe-node): header wins, then 409 and 5xx. */
static int
should_retry(long status, const char *hdr)
{
	if (strcmp(hdr, "true") == 0)
		return 1;
	if (strcmp(hdr, "false") == 0)
		return 0;
	return status == 409 || status >= 500;
}

/*
 * One Stripe call: method GET (form NULL) or POST (form, idem required).
 * Fills out on 2xx, err always. The Authorization line is wiped after use.
 */
static int
stripe_call(const struct pay_stripe_cfg *cfg, const char *method,
    const char *path, const struct mg_buf *form, const char *idem,
    struct pay_stripe_obj *out, struct pay_stripe_error *err)
{
	static const char *const want[] = { "Request-Id",
	    "Stripe-Should-Retry" };
	char auth[512], url[PAY_URL_MAX], idh[PAY_STRIPE_IDEM_MAX + 32];
	const char *hdrs[5];
	struct mg_http_req req;
	struct mg_http_resp resp;
	size_t nh = 0;
	int hrc, rc;

	memset(err, 0, sizeof(*err));
	if (cfg == NULL || !nonempty(cfg->secret_key) ||
	    strpbrk(cfg->secret_key, "\r\n") != NULL ||
	    !nonempty(cfg->api_base))
		return PAY_STRIPE_ECONFIG;
	if ((size_t)snprintf(url, sizeof(url), "%s%s", cfg->api_base, path) >=
	    sizeof(url) || (size_t)snprintf(auth, sizeof(auth),
	    "Authorization: Bearer %s", cfg->secret_key) >= sizeof(auth))
		return PAY_STRIPE_ECONFIG;
	hdrs[nh++] = auth;
	hdrs[nh++] = "Stripe-Version: " PAY_STRIPE_VERSION;
	if (form != NULL) {
		snprintf(idh, sizeof(idh), "Idempotency-Key: %s", idem);
		hdrs[nh++] = idh;
		hdrs[nh++] =
		    "Content-Type: application/x-www-form-urlencoded";
	}
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.url = url;
	req.headers = hdrs;
	req.nheaders = nh;
	req.body = form != NULL ? form->data : NULL;
	req.body_len = form != NULL ? form->len : 0;
	req.want = want;
	req.nwant = 2;
	req.connect_timeout_ms = cfg->connect_timeout_ms;
	req.timeout_ms = cfg->timeout_ms;

	hrc = mg_http_do(&req, &resp, NULL);
	sodium_memzero(auth, sizeof(auth));
	/* From here resp is held. */
	snprintf(err->request_id, sizeof(err->request_id), "%s", resp.hdr[0]);
	switch (hrc) {
	case MG_HTTP_OK:
		break;
	case MG_HTTP_NOT_SENT:
		err->retryable = 1;
		rc = PAY_STRIPE_NOT_SENT;
		goto err;
	case MG_HTTP_UNKNOWN:
	case MG_HTTP_ETOOBIG:
		err->retryable = 1;
		rc = PAY_STRIPE_UNKNOWN;
		goto err;
	case MG_HTTP_ENOMEM:
		rc = PAY_STRIPE_ENOMEM;
		goto err;
	case MG_HTTP_EINVAL:
		rc = PAY_STRIPE_ECONFIG;
		goto err;
	default:
		err->retryable = 1;
		rc = PAY_STRIPE_UNKNOWN;
		goto err;
	}
	err->status = resp.status;
	if (resp.status < 200 || resp.status > 299) {
		pay_stripe_parse_error(resp.body.data, resp.body.len,
		    resp.status, err);
		err->retryable = should_retry(resp.status, resp.hdr[1]);
		rc = PAY_STRIPE_EAPI;
		goto err;
	}
	rc = pay_stripe_parse_obj(resp.body.data, resp.body.len, out);
err:
	mg_http_resp_free(&resp);
	return rc;
}

/* POST with a form built by build(r, b); shared by the three creates. */
static int
stripe_post(const struct pay_stripe_cfg *cfg, const char *path,
    int (*build)(const void *, struct mg_buf *), const void *r,
    const char *idem, struct pay_stripe_obj *out, struct pay_stripe_error *err)
{
	struct mg_buf form;
	int rc;

	memset(err, 0, sizeof(*err));
	if (!idem_ok(idem))
		return PAY_STRIPE_EINVAL;
	mg_buf_init(&form, NULL);
	/* From here form is held. */
	if (build(r, &form) < 0) {
		rc = form.oom ? PAY_STRIPE_ENOMEM : PAY_STRIPE_EINVAL;
		goto err;
	}
	if (form.data == NULL && mg_buf_append(&form, "", 0) < 0) {
		rc = PAY_STRIPE_ENOMEM;
		goto err;
	}
	rc = stripe_call(cfg, "POST", path, &form, idem, out, err);
err:
	mg_buf_free(&form);
	return rc;
}

static int
build_customer(const void *r, struct mg_buf *b)
{
	return pay_stripe_customer_form(r, b);
}

static int
build_checkout(const void *r, struct mg_buf *b)
{
	return pay_stripe_checkout_form(r, b);
}

static int
build_pi(const void *r, struct mg_buf *b)
{
	return pay_stripe_pi_form(r, b);
}

/* §2 POST /v1/customers → {id: "cus_…"}. */
int
pay_stripe_customer_create(const struct pay_stripe_cfg *cfg,
    const struct pay_stripe_customer_req *r, const char *idem,
    struct pay_stripe_obj *out, struct pay_stripe_error *err)
{
	return stripe_post(cfg, "/v1/customers", build_customer, r, idem, out,
	    err);
}

/* §2 POST /v1/checkout/sessions → Session (id, url, status, …). */
int
pay_stripe_checkout_create(const struct pay_stripe_cfg *cfg,
    const struct pay_stripe_checkout_req *r, const char *idem,
    struct pay_stripe_obj *out, struct pay_stripe_error *err)
{
	return stripe_post(cfg, "/v1/checkout/sessions", build_checkout, r,
	    idem, out, err);
}

/* §2 POST /v1/payment_intents → PaymentIntent (status, client_secret, …). */
int
pay_stripe_pi_create(const struct pay_stripe_cfg *cfg,
    const struct pay_stripe_pi_req *r, const char *idem,
    struct pay_stripe_obj *out, struct pay_stripe_error *err)
{
	return stripe_post(cfg, "/v1/payment_intents", build_pi, r, idem, out,
	    err);
}

/* GET {prefix}{id} for a validated id. */
static int
stripe_get(const struct pay_stripe_cfg *cfg, const char *prefix,
    const char *id, struct pay_stripe_obj *out, struct pay_stripe_error *err)
{
	char path[PAY_ID_MAX + 64];

	memset(err, 0, sizeof(*err));
	if (!mg_token_ok(id, PAY_ID_MAX - 1, "_"))
		return PAY_STRIPE_EINVAL;
	snprintf(path, sizeof(path), "%s%s", prefix, id);
	return stripe_call(cfg, "GET", path, NULL, NULL, out, err);
}

/* §2 GET /v1/checkout/sessions/{id} (claims re-read the session). */
int
pay_stripe_checkout_get(const struct pay_stripe_cfg *cfg, const char *id,
    struct pay_stripe_obj *out, struct pay_stripe_error *err)
{
	return stripe_get(cfg, "/v1/checkout/sessions/", id, out, err);
}

/* §2 GET /v1/payment_intents/{id}. */
int
pay_stripe_pi_get(const struct pay_stripe_cfg *cfg, const char *id,
    struct pay_stripe_obj *out, struct pay_stripe_error *err)
{
	return stripe_get(cfg, "/v1/payment_intents/", id, out, err);
}
