/*
 * payments_http: payment routes (prepaid seed 003 checkout/claim/x402/
 * webhooks, credits seed 000/001 POST /api/credits/checkout).
 *
 * Webhooks verify the signature over the RAW body before any parsing
 * (payments.md §1, §4), then apply the event in one transaction
 * (payments.c) and answer 200 — also for duplicates and unknown types.
 * Claims read the session or charge back from the provider and settle it
 * through the same exactly-once transaction.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "catalog.h"
#include "catalog_render.h"
#include "db.h"
#include "mg_config.h"
#include "mg_crypto.h"
#include "mg_log.h"
#include "mg_util.h"
#include "pay_coinbase.h"
#include "pay_event.h"
#include "pay_sig.h"
#include "pay_stripe.h"
#include "pay_x402.h"
#include "payments.h"
#include "payments_http.h"

#define SECRETS_MAX	PAY_SIG_V1_MAX	/* configured webhook secrets */
#define RETURN_PATH_MAX	512
#define MICROS_PER_CENT	10000LL
/* X402CreditPurchaseRequest.usdCents bounds (seed 003). */
#define X402_MIN_CENTS	100LL
#define X402_MAX_CENTS	900719925474LL

/* The catalog, loaded once per worker process on first use. */
static struct catalog	*pay_cat;
static int		 pay_cat_tried;

static const struct catalog *
catalog_get(void)
{
	char err[256];

	if (pay_cat == NULL && !pay_cat_tried) {
		pay_cat_tried = 1;
		if (catalog_load_default(&pay_cat, err, sizeof(err)) !=
		    CATALOG_OK) {
			mg_log(MG_LOG_ERROR, "payments: catalog: %s", err);
			pay_cat = NULL;
		}
	}
	return pay_cat;
}

static const char *
base_url(void)
{
	return mg_cfg_str("public_base_url", "http://127.0.0.1:8080");
}

/* ------------------------------------------------------------ body rules */

/*
 * Check that every member of o is in allowed (additionalProperties: false).
 * Returns the first unknown key or NULL.
 */
static const char *
unknown_key(json_object *o, const char *const *allowed)
{
	size_t i;

	json_object_object_foreach(o, k, v) {
		(void)v;
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(k, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL)
			return k;
	}
	return NULL;
}

/*
 * Optional string member: 1 present (→ *out), 0 absent, -1 not a string or
 * its length outside [minlen, maxlen].
 */
static int
opt_str(json_object *o, const char *k, size_t minlen, size_t maxlen,
    const char **out)
{
	json_object *v;
	size_t n;

	*out = NULL;
	if (!json_object_object_get_ex(o, k, &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -1;
	n = (size_t)json_object_get_string_len(v);
	if (n < minlen || n > maxlen || strlen(json_object_get_string(v)) != n)
		return -1;
	*out = json_object_get_string(v);
	return 1;
}

/* An absolute http(s) URL without spaces or control characters. */
static int
url_ok(const char *u)
{
	const char *p;

	if (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0)
		return 0;
	for (p = u; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return 0;
	return strlen(u) < PAY_URL_MAX;
}

/* Optional URL member into *out; -1 when present but not a URL. */
static int
opt_url(json_object *o, const char *k, const char **out)
{
	int r = opt_str(o, k, 1, PAY_URL_MAX - 1, out);

	if (r == 1 && !url_ok(*out))
		return -1;
	return r;
}

/* The Stripe idempotency key of a create: derived from the client's key. */
static const char *
idem_key(struct mg_ctx *c, const char *what)
{
	const char *h = fcgi_req_header(&c->req, "Idempotency-Key");
	const char *p;
	char u[37];

	if (h != NULL && *h != '\0' && strlen(h) <= 128) {
		for (p = h; *p; p++)
			if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
				break;
		if (*p == '\0')
			return mg_arena_printf(c->arena, "%s:%s:%s", what,
			    c->who.workspace_id, h);
	}
	mg_uuid(u);
	return mg_arena_printf(c->arena, "%s:%s:%s", what, c->who.workspace_id,
	    u);
}

/* Current balance of the caller's wallet (micros), or the auth snapshot. */
static int64_t
balance_now(struct mg_ctx *c, const char *ws)
{
	int64_t bal, res;

	if (db_row(c->db, DB_WALLET_GET, "s", "ii", ws, &bal, &res) == DB_OK)
		return bal;
	return c->who.balance_micros;
}

/* Provider errors → our answer. */
static int
stripe_fail(struct mg_ctx *c, int rc, const struct pay_stripe_error *err)
{
	if (rc == PAY_STRIPE_ECONFIG)
		return mg_fail(c, MG_E_UNAVAILABLE, "Stripe is not configured");
	if (rc == PAY_STRIPE_EAPI)
		return mg_fail(c, MG_E_UPSTREAM, "Stripe: %s",
		    err->message[0] ? err->message : err->type);
	return mg_fail(c, MG_E_UPSTREAM, "Stripe: %s", pay_stripe_strerror(rc));
}

static int
coinbase_fail(struct mg_ctx *c, int rc, const struct pay_coinbase_error *err)
{
	if (rc == PAY_COINBASE_ECONFIG)
		return mg_fail(c, MG_E_UNAVAILABLE,
		    "Coinbase Commerce is not configured");
	if (rc == PAY_COINBASE_EAPI)
		return mg_fail(c, MG_E_UPSTREAM, "Coinbase Commerce: %s",
		    err->message[0] ? err->message : err->type);
	return mg_fail(c, MG_E_UPSTREAM, "Coinbase Commerce: %s",
	    pay_coinbase_strerror(rc));
}

/* --------------------------------------------------------------- routes */

int
pay_h_packages(struct mg_ctx *c)
{
	const struct catalog *cat = catalog_get();

	if (cat == NULL)
		return mg_fail(c, MG_E_UNAVAILABLE, "catalog not loaded");
	mg_header(c, "Cache-Control", "public, max-age=60");
	return mg_reply_json(c, 200, catalog_render_packages(cat));
}

int
pay_h_gone_balance(struct mg_ctx *c)
{
	return mg_fail(c, MG_E_GONE,
	    "this route was retired: use GET /api/v1/balance");
}

int
pay_h_gone_consume(struct mg_ctx *c)
{
	return mg_fail(c, MG_E_GONE,
	    "this route was retired: use POST /api/v1/media/jobs");
}

/*
 * Create a Stripe Checkout Session for (package code, price, credit) and
 * record it as an open checkout of the caller's workspace. Answers the
 * error itself (returns its status) or returns 0 with *obj filled.
 */
static int
stripe_checkout(struct mg_ctx *c, const char *code, const char *name,
    int64_t price, int64_t credit, const char *success, const char *cancel,
    struct pay_stripe_obj *obj)
{
	struct pay_stripe_cfg cfg;
	struct pay_stripe_checkout_req r;
	struct pay_stripe_error err;
	int rc;

	pay_stripe_cfg_load(&cfg);
	if (cfg.secret_key == NULL || cfg.secret_key[0] == '\0')
		return mg_fail(c, MG_E_UNAVAILABLE, "Stripe is not configured");
	if (price % MICROS_PER_CENT != 0 ||
	    price / MICROS_PER_CENT < PAY_STRIPE_MIN_CENTS ||
	    price / MICROS_PER_CENT > PAY_STRIPE_MAX_CENTS)
		return mg_fail(c, MG_E_UNAVAILABLE,
		    "package %s has a price Stripe cannot charge", code);
	memset(&r, 0, sizeof(r));
	r.amount_cents = price / MICROS_PER_CENT;
	r.product_name = name;
	r.success_url = success;
	r.cancel_url = cancel;
	r.client_reference_id = c->who.workspace_id;
	r.wallet_id = c->who.workspace_id;
	r.workspace_id = c->who.workspace_id;
	r.package = code;
	rc = pay_stripe_checkout_create(&cfg, &r, idem_key(c, "checkout"), obj,
	    &err);
	if (rc != PAY_STRIPE_OK)
		return stripe_fail(c, rc, &err);
	if (payments_checkout_record(c->db, PAYMENTS_STRIPE, obj->id, NULL,
	    c->who.workspace_id, code, price, credit) != PAYMENTS_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not record the checkout");
	return 0;
}

/*
 * The body both checkouts share: packageCode (a catalog package), the
 * return URL named okname ("successUrl" or "redirectUrl"), cancelUrl,
 * email and affiliateCode; no other field. 0 with *pkg and the URLs (NULL
 * when absent) set, or the status already answered.
 */
static int
checkout_input(struct mg_ctx *c, const char *okname,
    const struct catalog_package **pkg, const char **ok, const char **canc)
{
	const char *keys[] = { "packageCode", okname, "cancelUrl", "email",
	    "affiliateCode", NULL };
	const struct catalog *cat = catalog_get();
	const char *code, *x, *bad;
	json_object *b;

	if ((b = mg_json_body(c)) == NULL)
		return c->status;
	if ((bad = unknown_key(b, keys)) != NULL)
		return mg_fail(c, MG_E_INVALID_PARAM, "unknown field %s", bad);
	if (opt_str(b, "packageCode", 1, PAYMENTS_PKG_MAX, &code) != 1)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "packageCode is required (a code from GET /api/v1/packages)");
	if (opt_url(b, okname, ok) < 0 || opt_url(b, "cancelUrl", canc) < 0)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "%s and cancelUrl must be http(s) URLs", okname);
	if (opt_str(b, "email", 3, 254, &x) < 0)
		return mg_fail(c, MG_E_INVALID_PARAM, "email must be a string");
	if (opt_str(b, "affiliateCode", 4, 32, &x) < 0)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "affiliateCode must be 4 to 32 characters");
	if (cat == NULL)
		return mg_fail(c, MG_E_UNAVAILABLE, "catalog not loaded");
	if ((*pkg = catalog_package(cat, code)) == NULL)
		return mg_fail(c, MG_E_INVALID_PARAM, "unknown packageCode %s",
		    code);
	return 0;
}

/* POST /api/v1/checkout/stripe (StripeCheckoutRequest). */
int
pay_h_checkout_stripe(struct mg_ctx *c)
{
	const struct catalog_package *pkg;
	const char *succ, *canc;
	struct pay_stripe_obj obj;
	json_object *o;
	int st;

	if ((st = checkout_input(c, "successUrl", &pkg, &succ, &canc)) != 0)
		return st;
	if (succ == NULL)
		succ = mg_arena_printf(c->arena, "%s/checkout/success?"
		    "session_id={CHECKOUT_SESSION_ID}", base_url());
	if (canc == NULL)
		canc = mg_arena_printf(c->arena, "%s/checkout/cancel",
		    base_url());
	if ((st = stripe_checkout(c, pkg->code, pkg->name, pkg->price_micros,
	    pkg->credit_micros, succ, canc, &obj)) != 0)
		return st;
	o = json_object_new_object();
	json_object_object_add(o, "ok", json_object_new_boolean(1));
	json_object_object_add(o, "provider", json_object_new_string("stripe"));
	json_object_object_add(o, "sessionId", json_object_new_string(obj.id));
	json_object_object_add(o, "url", json_object_new_string(obj.url));
	json_object_object_add(o, "packageCode",
	    json_object_new_string(pkg->code));
	json_object_object_add(o, "priceUsdCents",
	    json_object_new_int64(pkg->price_micros / MICROS_PER_CENT));
	json_object_object_add(o, "creditUsdMicros",
	    json_object_new_int64(pkg->credit_micros));
	json_object_object_add(o, "expiresAt",
	    json_object_new_int64(obj.expires_at));
	return mg_reply_json(c, 200, o);
}

/* POST /api/v1/checkout/crypto (CryptoCheckoutRequest): a Coinbase charge. */
int
pay_h_checkout_crypto(struct mg_ctx *c)
{
	const struct catalog_package *pkg;
	const char *redir, *canc;
	struct pay_coinbase_cfg cfg;
	struct pay_coinbase_charge_req r;
	struct pay_coinbase_charge ch;
	struct pay_coinbase_error err;
	json_object *o;
	int rc;

	if ((rc = checkout_input(c, "redirectUrl", &pkg, &redir, &canc)) != 0)
		return rc;
	pay_coinbase_cfg_load(&cfg);
	if (cfg.api_key == NULL || cfg.api_key[0] == '\0')
		return mg_fail(c, MG_E_UNAVAILABLE,
		    "Coinbase Commerce is not configured");
	memset(&r, 0, sizeof(r));
	r.amount_micros = pkg->price_micros;
	r.name = pkg->name;
	r.description = "mediagate prepaid credit";
	r.redirect_url = redir ? redir : mg_arena_printf(c->arena,
	    "%s/checkout/success", base_url());
	r.cancel_url = canc ? canc : mg_arena_printf(c->arena,
	    "%s/checkout/cancel", base_url());
	r.wallet_id = c->who.workspace_id;
	r.workspace_id = c->who.workspace_id;
	if ((rc = pay_coinbase_charge_create(&cfg, &r, &ch, &err)) !=
	    PAY_COINBASE_OK)
		return coinbase_fail(c, rc, &err);
	if (payments_checkout_record(c->db, PAYMENTS_COINBASE, ch.code, ch.id,
	    c->who.workspace_id, pkg->code, pkg->price_micros,
	    pkg->credit_micros) != PAYMENTS_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not record the charge");
	o = json_object_new_object();
	json_object_object_add(o, "ok", json_object_new_boolean(1));
	json_object_object_add(o, "provider", json_object_new_string("coinbase"));
	json_object_object_add(o, "chargeId", json_object_new_string(ch.id));
	json_object_object_add(o, "chargeCode", json_object_new_string(ch.code));
	json_object_object_add(o, "url", json_object_new_string(ch.hosted_url));
	json_object_object_add(o, "packageCode",
	    json_object_new_string(pkg->code));
	json_object_object_add(o, "priceUsdCents",
	    json_object_new_int64(pkg->price_micros / MICROS_PER_CENT));
	json_object_object_add(o, "creditUsdMicros",
	    json_object_new_int64(pkg->credit_micros));
	json_object_object_add(o, "expiresAt",
	    json_object_new_string(ch.expires_at));
	return mg_reply_json(c, 200, o);
}

/* ClaimSettlementResponse (seed 003). */
static int
claim_reply(struct mg_ctx *c, const char *provider, const char *session,
    const char *charge, const struct payments_checkout *co, int64_t credited)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "provider", json_object_new_string(provider));
	json_object_object_add(o, "sessionId",
	    session ? json_object_new_string(session) : NULL);
	json_object_object_add(o, "chargeId",
	    charge ? json_object_new_string(charge) : NULL);
	json_object_object_add(o, "packageCode",
	    json_object_new_string(co->package_code));
	json_object_object_add(o, "depositUsdCents",
	    json_object_new_int64(credited / MICROS_PER_CENT));
	json_object_object_add(o, "currentBalanceUsdMicros",
	    json_object_new_int64(balance_now(c, co->workspace_id)));
	return mg_reply_json(c, 200, o);
}

/* Settle result → answer; 0 when the claim may reply. */
static int
settle_fail(struct mg_ctx *c, int rc)
{
	switch (rc) {
	case PAYMENTS_OK:
	case PAYMENTS_ALREADY:
		return 0;
	case PAYMENTS_UNKNOWN:
		return mg_fail(c, MG_E_UNAVAILABLE,
		    "outcome unknown; retry (it cannot credit twice)");
	default:
		return mg_fail(c, MG_E_INTERNAL, "could not settle: %s",
		    payments_strerror(rc));
	}
}

/* Read the claim's one id field ({"sessionId"} / {"chargeId"}). */
static const char *
claim_id(struct mg_ctx *c, const char *field)
{
	const char *const keys[] = { field, NULL };
	const char *id, *bad;
	json_object *b;

	if ((b = mg_json_body(c)) == NULL)
		return NULL;
	if ((bad = unknown_key(b, keys)) != NULL) {
		mg_fail(c, MG_E_INVALID_PARAM, "unknown field %s", bad);
		return NULL;
	}
	if (opt_str(b, field, 1, PAY_ID_MAX - 1, &id) != 1) {
		mg_fail(c, MG_E_INVALID_PARAM, "%s is required", field);
		return NULL;
	}
	return id;
}

/* POST /api/v1/claim/stripe {sessionId}: read the session back, settle. */
int
pay_h_claim_stripe(struct mg_ctx *c)
{
	struct payments_checkout co;
	struct payments_settle s;
	struct pay_stripe_cfg cfg;
	struct pay_stripe_obj obj;
	struct pay_stripe_error err;
	const char *id;
	int rc;

	if ((id = claim_id(c, "sessionId")) == NULL)
		return c->status;
	rc = payments_checkout_get(c->db, PAYMENTS_STRIPE, id, &co);
	if (rc == PAYMENTS_DB)
		return mg_fail(c, MG_E_INTERNAL, "could not read the checkout");
	/* Another workspace's session is as unknown as a made-up one. */
	if (rc != PAYMENTS_OK || strcmp(co.workspace_id, c->who.workspace_id))
		return mg_fail(c, MG_E_NOT_FOUND, "no such checkout session");
	pay_stripe_cfg_load(&cfg);
	if ((rc = pay_stripe_checkout_get(&cfg, co.checkout_id, &obj, &err)) !=
	    PAY_STRIPE_OK)
		return stripe_fail(c, rc, &err);
	if (strcmp(obj.status, "complete") != 0 ||
	    strcmp(obj.payment_status, "paid") != 0)
		return mg_fail(c, MG_E_CONFLICT,
		    "checkout session is %s (%s): nothing to settle yet",
		    obj.status, obj.payment_status);
	memset(&s, 0, sizeof(s));
	s.provider = PAYMENTS_STRIPE;
	s.payment_key = obj.payment_intent[0] ? obj.payment_intent : obj.id;
	s.checkout_id = co.checkout_id;
	s.workspace_id = co.workspace_id;
	s.package_code = co.package_code;
	/* amount_total absent: the price we asked for is what was paid. */
	s.amount_micros = obj.amount >= 0 ? obj.amount * MICROS_PER_CENT :
	    co.amount_micros;
	s.credit_micros = s.amount_micros == co.amount_micros ?
	    co.credit_micros : s.amount_micros;
	s.description = "Stripe Checkout";
	if ((rc = settle_fail(c, payments_settle(c->db, &s))) != 0)
		return rc;
	return claim_reply(c, "stripe", co.checkout_id, NULL, &co,
	    s.credit_micros);
}

/* POST /api/v1/claim/crypto {chargeId}: read the charge back, settle. */
int
pay_h_claim_crypto(struct mg_ctx *c)
{
	struct payments_checkout co;
	struct payments_settle s;
	struct pay_coinbase_cfg cfg;
	struct pay_coinbase_charge ch;
	struct pay_coinbase_error err;
	const char *id;
	int rc;

	if ((id = claim_id(c, "chargeId")) == NULL)
		return c->status;
	rc = payments_checkout_get(c->db, PAYMENTS_COINBASE, id, &co);
	if (rc == PAYMENTS_DB)
		return mg_fail(c, MG_E_INTERNAL, "could not read the checkout");
	if (rc != PAYMENTS_OK || strcmp(co.workspace_id, c->who.workspace_id))
		return mg_fail(c, MG_E_NOT_FOUND, "no such charge");
	pay_coinbase_cfg_load(&cfg);
	if ((rc = pay_coinbase_charge_get(&cfg, co.checkout_id, &ch, &err)) !=
	    PAY_COINBASE_OK)
		return coinbase_fail(c, rc, &err);
	if (strcmp(ch.status, "COMPLETED") != 0 &&
	    strcmp(ch.status, "RESOLVED") != 0)
		return mg_fail(c, MG_E_CONFLICT,
		    "charge is %s: nothing to settle yet",
		    ch.status[0] ? ch.status : "NEW");
	memset(&s, 0, sizeof(s));
	s.provider = PAYMENTS_COINBASE;
	s.payment_key = co.checkout_id;
	s.checkout_id = co.checkout_id;
	s.workspace_id = co.workspace_id;
	s.package_code = co.package_code;
	s.amount_micros = ch.amount_micros >= 0 ? ch.amount_micros :
	    co.amount_micros;
	s.credit_micros = co.credit_micros;
	s.description = "Coinbase Commerce charge";
	if ((rc = settle_fail(c, payments_settle(c->db, &s))) != 0)
		return rc;
	return claim_reply(c, "coinbase", NULL, ch.id[0] ? ch.id : id, &co,
	    s.credit_micros);
}

/* ----------------------------------------------------------------- x402 */

/*
 * 402 with PAYMENT-REQUIRED (base64 JSON, v2) and the same requirements in
 * the body ({x402Version, error, resource, accepts}) for v1-style clients.
 */
static int
x402_required(struct mg_ctx *c, const struct pay_x402_cfg *cfg,
    struct pay_x402_offer *offer, const char *error)
{
	struct mg_buf h, b;

	offer->error = error;
	mg_buf_init(&h, c->arena);
	mg_buf_init(&b, c->arena);
	if (pay_x402_required_header(cfg, offer, &h) != 0 || h.oom ||
	    mg_buf_puts(&h, "") < 0)
		return mg_fail(c, MG_E_INTERNAL, "could not build the offer");
	mg_header(c, "PAYMENT-REQUIRED", h.data);
	mg_buf_printf(&b, "{\"x402Version\":%d,\"error\":\"", PAY_X402_VERSION);
	mg_buf_json_escape(&b, error);
	mg_buf_puts(&b, "\",\"resource\":{\"url\":\"");
	mg_buf_json_escape(&b, offer->url);
	mg_buf_puts(&b, "\"},\"accepts\":[");
	if (pay_x402_requirements_json(cfg, offer, &b) != 0)
		return mg_fail(c, MG_E_INTERNAL, "could not build the offer");
	mg_buf_puts(&b, "]}");
	return mg_reply_raw(c, 402, "application/json", b.data, b.len);
}

/*
 * POST /api/v1/credits/purchase/x402 (and /deposit/x402) {usdCents}:
 * without a payment header → 402 + PAYMENT-REQUIRED; with PAYMENT-SIGNATURE
 * (or the v1 name X-PAYMENT): match our offer, verify and settle with the
 * facilitator, credit once per settled transaction: 201 settled, 200 replay.
 */
int
pay_h_x402(struct mg_ctx *c)
{
	static const char *const keys[] = { "usdCents", "affiliateCode", NULL };
	struct pay_x402_cfg cfg;
	struct pay_x402_offer offer;
	struct pay_x402_payment pm;
	struct pay_x402_verify vr;
	struct pay_x402_settle st;
	struct payments_settle s;
	struct mg_buf rh;
	const char *hdr, *bad, *x;
	json_object *b, *v, *o;
	int64_t cents;
	long hs;
	int rc;

	if ((b = mg_json_body(c)) == NULL)
		return c->status;
	if ((bad = unknown_key(b, keys)) != NULL)
		return mg_fail(c, MG_E_INVALID_PARAM, "unknown field %s", bad);
	if (!json_object_object_get_ex(b, "usdCents", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    (cents = json_object_get_int64(v)) < X402_MIN_CENTS ||
	    cents > X402_MAX_CENTS)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "usdCents must be an integer from 100 to 900719925474");
	if (opt_str(b, "affiliateCode", 4, 32, &x) < 0)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "affiliateCode must be 4 to 32 characters");
	pay_x402_cfg_load(&cfg);
	if (cfg.pay_to == NULL || cfg.pay_to[0] == '\0' ||
	    cfg.facilitator_url == NULL || cfg.facilitator_url[0] == '\0')
		return mg_fail(c, MG_E_UNAVAILABLE, "x402 is not configured");
	memset(&offer, 0, sizeof(offer));
	offer.url = mg_arena_printf(c->arena, "%s%s", base_url(), c->req.path);
	offer.description = "mediagate prepaid USD credit";
	offer.mime_type = "application/json";
	offer.amount_micros = cents * MICROS_PER_CENT;
	if ((hdr = fcgi_req_header(&c->req, "PAYMENT-SIGNATURE")) == NULL ||
	    *hdr == '\0')
		hdr = fcgi_req_header(&c->req, "X-PAYMENT");
	if (hdr == NULL || *hdr == '\0')
		return x402_required(c, &cfg, &offer, "payment required");
	if ((rc = pay_x402_decode_payment(hdr, strlen(hdr), &pm)) != PAY_X402_OK)
		return x402_required(c, &cfg, &offer, pay_x402_strerror(rc));
	/* From here pm is held. */
	if ((rc = pay_x402_match(&cfg, &offer, &pm)) != PAY_X402_OK) {
		rc = x402_required(c, &cfg, &offer, pay_x402_strerror(rc));
		goto out;
	}
	if ((rc = pay_x402_verify(&cfg, &offer, &pm, &vr, &hs)) != PAY_X402_OK) {
		rc = mg_fail(c, MG_E_UPSTREAM, "x402 facilitator: %s",
		    pay_x402_strerror(rc));
		goto out;
	}
	if (!vr.is_valid) {
		rc = x402_required(c, &cfg, &offer, vr.invalid_reason[0] ?
		    vr.invalid_reason : "payment invalid");
		goto out;
	}
	if ((rc = pay_x402_settle(&cfg, &offer, &pm, &st, &hs)) != PAY_X402_OK) {
		rc = mg_fail(c, MG_E_UPSTREAM, "x402 facilitator: %s",
		    pay_x402_strerror(rc));
		goto out;
	}
	mg_buf_init(&rh, c->arena);
	if (pay_x402_response_header(&st, &rh) == 0 && !rh.oom &&
	    mg_buf_puts(&rh, "") == 0)
		mg_header(c, "PAYMENT-RESPONSE", rh.data);
	if (!st.success || st.transaction[0] == '\0') {
		rc = x402_required(c, &cfg, &offer, st.error_reason[0] ?
		    st.error_reason : "settlement rejected");
		goto out;
	}
	memset(&s, 0, sizeof(s));
	s.provider = PAYMENTS_X402;
	s.payment_key = st.transaction;
	s.workspace_id = c->who.workspace_id;
	s.package_code = "";
	s.amount_micros = offer.amount_micros;
	s.credit_micros = offer.amount_micros;
	s.description = "x402 USDC payment";
	rc = payments_settle(c->db, &s);
	if (rc != PAYMENTS_OK && rc != PAYMENTS_ALREADY) {
		rc = settle_fail(c, rc);
		goto out;
	}
	o = json_object_new_object();
	json_object_object_add(o, "ok", json_object_new_boolean(1));
	json_object_object_add(o, "status", json_object_new_string(
	    rc == PAYMENTS_OK ? "settled" : "already applied"));
	json_object_object_add(o, "replay",
	    json_object_new_boolean(rc == PAYMENTS_ALREADY));
	json_object_object_add(o, "usdCents", json_object_new_int64(cents));
	json_object_object_add(o, "creditedUsdMicros",
	    json_object_new_int64(rc == PAYMENTS_OK ? offer.amount_micros : 0));
	json_object_object_add(o, "transaction",
	    json_object_new_string(st.transaction));
	json_object_object_add(o, "network", json_object_new_string(st.network));
	json_object_object_add(o, "payer", json_object_new_string(st.payer));
	json_object_object_add(o, "currentBalanceUsdMicros",
	    json_object_new_int64(balance_now(c, c->who.workspace_id)));
	rc = mg_reply_json(c, rc == PAYMENTS_OK ? 201 : 200, o);
out:
	pay_x402_payment_free(&pm);
	return rc;
}

/* ------------------------------------------------------------- webhooks */

/* The webhook's answer for a payments_err (2xx unless a retry can help). */
static int
webhook_reply(struct mg_ctx *c, int rc, const char *event_id, int64_t moved)
{
	json_object *o;

	switch (rc) {
	case PAYMENTS_OK:
	case PAYMENTS_ALREADY:
	case PAYMENTS_DUP_EVENT:
	case PAYMENTS_IGNORED:
	case PAYMENTS_NO_WALLET:	/* not ours to fix by retrying */
	case PAYMENTS_BAD_AMOUNT:
		break;
	case PAYMENTS_UNKNOWN_PAYMENT:	/* refund before its payment: retry */
		return mg_fail(c, MG_E_UNAVAILABLE,
		    "payment not known yet; retry later");
	default:
		return mg_fail(c, MG_E_INTERNAL, "event not applied: %s",
		    payments_strerror(rc));
	}
	o = json_object_new_object();
	json_object_object_add(o, "received", json_object_new_boolean(1));
	json_object_object_add(o, "id", json_object_new_string(event_id));
	json_object_object_add(o, "result",
	    json_object_new_string(payments_strerror(rc)));
	json_object_object_add(o, "moved_micros", json_object_new_int64(moved));
	return mg_reply_json(c, 200, o);
}

/*
 * Split the comma-separated stripe_webhook_secrets into v[] (arena
 * copies, blanks trimmed). Returns the count.
 */
static size_t
split_secrets(struct mg_ctx *c, const char *list, const char **v, size_t cap)
{
	const char *p = list, *e;
	size_t n = 0;

	while (list != NULL && *p && n < cap) {
		while (*p == ' ' || *p == ',')
			p++;
		for (e = p; *e && *e != ','; e++)
			continue;
		while (e > p && e[-1] == ' ')
			e--;
		if (e > p && (v[n] = mg_arena_strndup(c->arena, p,
		    (size_t)(e - p))) != NULL)
			n++;
		p = e;
		while (*p && *p != ',')
			p++;
	}
	return n;
}

/* POST /api/v1/webhooks/stripe (payments.md §1, §3). */
int
pay_h_webhook_stripe(struct mg_ctx *c)
{
	const char *secrets[SECRETS_MAX], *sig;
	const char *body = c->req.body ? c->req.body : "";
	struct pay_stripe_event ev;
	int64_t moved;
	size_t n;
	int rc;

	n = split_secrets(c, mg_cfg_str("stripe_webhook_secrets", NULL),
	    secrets, SECRETS_MAX);
	if (n == 0)
		return mg_fail(c, MG_E_UNAVAILABLE,
		    "Stripe webhooks are not configured");
	sig = fcgi_req_header(&c->req, "Stripe-Signature");
	/* Over the raw bytes, before any parsing (§1). */
	if ((rc = pay_stripe_verify(sig, body, c->req.body_len, secrets, n,
	    time(NULL), (int)mg_cfg_int("stripe_webhook_tolerance_s",
	    PAY_SIG_TOLERANCE))) != PAY_SIG_OK)
		return mg_fail(c, MG_E_BAD_REQUEST, "signature: %s",
		    pay_sig_strerror(rc));
	rc = pay_stripe_event_parse(body, c->req.body_len, &ev);
	if (rc != PAY_EVT_OK && rc != PAY_EVT_ENOMETA)
		return mg_fail(c, MG_E_BAD_REQUEST, "event: %s",
		    pay_evt_strerror(rc));
	rc = payments_stripe_event(c->db, catalog_get(), &ev, rc, &moved);
	if (rc != PAYMENTS_DUP_EVENT && rc != PAYMENTS_IGNORED)
		mg_log(MG_LOG_INFO, "stripe %s %s %s: %s", ev.id, ev.type_name,
		    ev.payment_key, payments_strerror(rc));
	return webhook_reply(c, rc, ev.id, moved);
}

/* POST /api/v1/webhooks/crypto (payments.md §4). */
int
pay_h_webhook_crypto(struct mg_ctx *c)
{
	const char *secret = mg_cfg_str("coinbase_webhook_secret", NULL);
	const char *body = c->req.body ? c->req.body : "";
	struct pay_coinbase_event ev;
	int64_t moved;
	int rc;

	if (secret == NULL || secret[0] == '\0')
		return mg_fail(c, MG_E_UNAVAILABLE,
		    "Coinbase webhooks are not configured");
	if ((rc = pay_coinbase_verify(fcgi_req_header(&c->req,
	    "X-CC-Webhook-Signature"), body, c->req.body_len, secret)) !=
	    PAY_SIG_OK)
		return mg_fail(c, MG_E_BAD_REQUEST, "signature: %s",
		    pay_sig_strerror(rc));
	rc = pay_coinbase_event_parse(body, c->req.body_len, &ev);
	if (rc != PAY_EVT_OK && rc != PAY_EVT_ENOMETA)
		return mg_fail(c, MG_E_BAD_REQUEST, "event: %s",
		    pay_evt_strerror(rc));
	rc = payments_coinbase_event(c->db, &ev, rc, &moved);
	if (rc != PAYMENTS_DUP_EVENT && rc != PAYMENTS_IGNORED)
		mg_log(MG_LOG_INFO, "coinbase %s %s %s: %s", ev.id,
		    ev.type_name, ev.payment_key, payments_strerror(rc));
	return webhook_reply(c, rc, ev.id, moved);
}

/* ------------------------------------------------------- credits dialect */

/*
 * POST /api/credits/checkout {packageId, returnPath} → {url} (seed 000/001).
 * 400 for a packageId outside the seed's enum; 503 when Stripe or the pack
 * is not configured.
 */
int
pay_h_credits_checkout(struct mg_ctx *c)
{
	static const char *const packs[] = { "starter", "creator", "studio",
	    "enterprise", NULL };
	static const char *const keys[] = { "packageId", "returnPath", NULL };
	const struct catalog *cat = catalog_get();
	const struct catalog_credit_pack *pk;
	const char *id, *ret, *bad, *code, *sep;
	struct pay_stripe_obj obj;
	int64_t price, credit;
	json_object *b, *o;
	size_t i;
	int st;

	if ((b = mg_json_body(c)) == NULL)
		return c->status;
	if ((bad = unknown_key(b, keys)) != NULL)
		return mg_fail(c, MG_E_INVALID_PARAM, "unknown field %s", bad);
	if (opt_str(b, "packageId", 1, 32, &id) != 1)
		return mg_fail(c, MG_E_INVALID_PARAM, "packageId is required");
	for (i = 0; packs[i] != NULL && strcmp(packs[i], id) != 0; i++)
		continue;
	if (packs[i] == NULL)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "packageId must be starter, creator, studio or enterprise");
	if (opt_str(b, "returnPath", 1, RETURN_PATH_MAX, &ret) < 0)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "returnPath must be a string");
	if (ret == NULL)
		ret = "/settings";
	/* A path on our own site only: no scheme, no "//host". */
	if (ret[0] != '/' || ret[1] == '/' || ret[1] == '\\' ||
	    !url_ok(mg_arena_printf(c->arena, "http://x%s", ret)))
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "returnPath must be a path starting with /");
	code = mg_arena_printf(c->arena, "%s%s", PAYMENTS_PACK_PREFIX, id);
	if (cat == NULL || (pk = catalog_credit_pack(cat, id)) == NULL ||
	    payments_package_price(cat, code, &price, &credit) != 0)
		return mg_fail(c, MG_E_UNAVAILABLE,
		    "credit package %s is not configured", id);
	sep = strchr(ret, '?') ? "&" : "?";
	if ((st = stripe_checkout(c, code, pk->name, price, credit,
	    mg_arena_printf(c->arena, "%s%s%scheckout=success&session_id="
	    "{CHECKOUT_SESSION_ID}", base_url(), ret, sep),
	    mg_arena_printf(c->arena, "%s%s%scheckout=cancel", base_url(), ret,
	    sep), &obj)) != 0)
		return st;
	o = json_object_new_object();
	json_object_object_add(o, "url", json_object_new_string(obj.url));
	return mg_reply_json(c, 200, o);
}
