/*
 * pay_x402: x402 v2 headers and facilitator calls, payments.md §5.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <sodium.h>

#include "mg_buf.h"
#include "mg_config.h"
#include "mg_crypto.h"
#include "mg_http.h"
#include "mg_util.h"
#include "pay_json.h"
#include "pay_x402.h"

static const char *const pay_x402_errs[PAY_X402__MAX] = {
	"ok",					/* PAY_X402_OK */
	"invalid x402 offer",			/* PAY_X402_EINVAL */
	"x402 is not configured",		/* PAY_X402_ECONFIG */
	"out of memory",			/* PAY_X402_ENOMEM */
	"payment header too large",		/* PAY_X402_ETOOBIG */
	"payment header is not base64",		/* PAY_X402_EBASE64 */
	"payment header is not a valid payload",/* PAY_X402_EJSON */
	"unsupported x402 version",		/* PAY_X402_EVERSION */
	"unsupported payment scheme",		/* PAY_X402_ESCHEME */
	"payment network mismatch",		/* PAY_X402_ENETWORK */
	"payment asset mismatch",		/* PAY_X402_EASSET */
	"payment recipient mismatch",		/* PAY_X402_EPAYTO */
	"payment amount mismatch",		/* PAY_X402_EAMOUNT */
	"facilitator request not sent",		/* PAY_X402_NOT_SENT */
	"facilitator request sent, answer unknown", /* PAY_X402_UNKNOWN */
	"facilitator returned an error",	/* PAY_X402_EAPI */
	"facilitator answer not understood",	/* PAY_X402_EPARSE */
};

const char *
pay_x402_strerror(int e)
{
	if (e < 0 || e >= PAY_X402__MAX)
		return "unknown error";
	return pay_x402_errs[e];
}

void
pay_x402_cfg_load(struct pay_x402_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->network = mg_cfg_str("x402_network", "eip155:8453");
	c->asset = mg_cfg_str("x402_asset",
	    "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913");
	c->asset_name = mg_cfg_str("x402_asset_name", "USD Coin");
	c->asset_version = mg_cfg_str("x402_asset_version", "2");
	c->pay_to = mg_cfg_str("x402_pay_to", NULL);
	c->max_timeout_s = mg_cfg_int("x402_max_timeout_s", 60);
	c->facilitator_url = mg_cfg_str("x402_facilitator_url", NULL);
	c->facilitator_token = mg_cfg_str("x402_facilitator_token", NULL);
}

static int
nonempty(const char *s)
{
	return s != NULL && s[0] != '\0';
}

/* Append "k":"escaped v" (comma first unless first). */
static void
json_kv(struct mg_buf *b, int first, const char *k, const char *v)
{
	mg_buf_printf(b, "%s\"%s\":\"", first ? "" : ",", k);
	mg_buf_json_escape(b, v);
	mg_buf_append(b, "\"", 1);
}

/* Append standard padded base64 of src[0..n) to b. */
static int
b64_append(struct mg_buf *b, const char *src, size_t n)
{
	size_t cap = sodium_base64_ENCODED_LEN(n,
	    sodium_base64_VARIANT_ORIGINAL), w;

	if (mg_buf_reserve(b, cap) < 0)
		return -1;
	w = mg_b64((const unsigned char *)src, n, b->data + b->len, cap);
	if (w == 0 && n > 0)
		return -1;
	b->len += w;
	b->data[b->len] = '\0';
	return 0;
}

/*
 * §5 one accepts[] entry (also the facilitator's paymentRequirements):
 * {scheme:"exact", network, amount:"<micros>", asset, payTo,
 *  maxTimeoutSeconds, extra:{name, version}} (extra: the EIP-712 domain of
 * the token, which the exact EVM scheme needs).
 */
int
pay_x402_requirements_json(const struct pay_x402_cfg *c,
    const struct pay_x402_offer *o, struct mg_buf *b)
{
	char amount[24];

	if (!nonempty(c->pay_to) || !nonempty(c->network) ||
	    !nonempty(c->asset))
		return -1;
	if (o->amount_micros <= 0)
		return -1;
	snprintf(amount, sizeof(amount), "%" PRId64, o->amount_micros);
	mg_buf_append(b, "{", 1);
	json_kv(b, 1, "scheme", "exact");
	json_kv(b, 0, "network", c->network);
	json_kv(b, 0, "amount", amount);
	json_kv(b, 0, "asset", c->asset);
	json_kv(b, 0, "payTo", c->pay_to);
	mg_buf_printf(b, ",\"maxTimeoutSeconds\":%" PRId64,
	    c->max_timeout_s > 0 ? c->max_timeout_s : 60);
	if (nonempty(c->asset_name) && nonempty(c->asset_version)) {
		mg_buf_puts(b, ",\"extra\":{");
		json_kv(b, 1, "name", c->asset_name);
		json_kv(b, 0, "version", c->asset_version);
		mg_buf_append(b, "}", 1);
	}
	mg_buf_append(b, "}", 1);
	return b->oom ? -1 : 0;
}

/* §5 PAYMENT-REQUIRED: base64 of the PaymentRequired JSON. */
int
pay_x402_required_header(const struct pay_x402_cfg *c,
    const struct pay_x402_offer *o, struct mg_buf *b)
{
	struct mg_buf j;
	int rc = -1;

	if (!nonempty(o->url))
		return -1;
	mg_buf_init(&j, NULL);
	/* From here j is held. */
	mg_buf_printf(&j, "{\"x402Version\":%d", PAY_X402_VERSION);
	if (nonempty(o->error))
		json_kv(&j, 0, "error", o->error);
	mg_buf_puts(&j, ",\"resource\":{");
	json_kv(&j, 1, "url", o->url);
	if (nonempty(o->description))
		json_kv(&j, 0, "description", o->description);
	if (nonempty(o->mime_type))
		json_kv(&j, 0, "mimeType", o->mime_type);
	mg_buf_puts(&j, "},\"accepts\":[");
	if (pay_x402_requirements_json(c, o, &j) < 0)
		goto err;
	mg_buf_puts(&j, "]}");
	if (j.oom)
		goto err;
	rc = b64_append(b, j.data, j.len);
err:
	mg_buf_free(&j);
	return rc;
}

void
pay_x402_payment_free(struct pay_x402_payment *p)
{
	free(p->json);
	p->json = NULL;
	p->json_len = 0;
}

/* Map a required string getter result. */
static int
req_str(json_object *o, const char *k, char *out, size_t cap)
{
	return pay_json_str(o, k, out, cap) == PAY_JF_OK ? 0 : -1;
}

/*
 * §5 PAYMENT-SIGNATURE: base64(JSON {x402Version, accepted, payload}).
 * Caps the header before decoding; keeps the decoded JSON to forward to the
 * facilitator. Resources held: the decoded buffer and the json-c tree.
 */
int
pay_x402_decode_payment(const char *hdr, size_t len,
    struct pay_x402_payment *p)
{
	json_object *root = NULL, *acc, *pl, *auth;
	unsigned char *raw = NULL;
	char amount[32];
	size_t cap;
	int64_t v;
	int n, rc;

	memset(p, 0, sizeof(*p));
	if (hdr == NULL || len == 0)
		return PAY_X402_EBASE64;
	if (len > PAY_X402_HEADER_MAX)
		return PAY_X402_ETOOBIG;
	cap = len / 4 * 3 + 3;
	if ((raw = malloc(cap + 1)) == NULL)
		return PAY_X402_ENOMEM;
	/* From here raw is held. */
	if ((n = mg_unb64(hdr, len, 1, raw, cap)) <= 0) {
		rc = PAY_X402_EBASE64;
		goto err;
	}
	raw[n] = '\0';
	switch (pay_json_parse((const char *)raw, (size_t)n,
	    PAY_X402_HEADER_MAX, PAY_X402_DEPTH_MAX, &root)) {
	case PAY_JSON_OK:
		break;
	case PAY_JSON_ENOMEM:
		rc = PAY_X402_ENOMEM;
		goto err;
	default:
		rc = PAY_X402_EJSON;
		goto err;
	}
	/* From here root is held too. */
	if (pay_json_i64(root, "x402Version", 0, 1000, &v) != PAY_JF_OK) {
		rc = PAY_X402_EJSON;
		goto err;
	}
	p->version = (int)v;
	if (v != PAY_X402_VERSION) {
		rc = PAY_X402_EVERSION;
		goto err;
	}
	rc = PAY_X402_EJSON;
	if (pay_json_obj(root, "accepted", &acc) != PAY_JF_OK ||
	    pay_json_obj(root, "payload", &pl) != PAY_JF_OK ||
	    req_str(acc, "scheme", p->scheme, sizeof(p->scheme)) < 0 ||
	    req_str(acc, "network", p->network, sizeof(p->network)) < 0 ||
	    req_str(acc, "amount", amount, sizeof(amount)) < 0 ||
	    req_str(acc, "asset", p->asset, sizeof(p->asset)) < 0 ||
	    req_str(acc, "payTo", p->pay_to, sizeof(p->pay_to)) < 0)
		goto err;
	if (pay_json_obj(pl, "authorization", &auth) == PAY_JF_BAD ||
	    pay_json_str(auth, "from", p->payer, sizeof(p->payer)) ==
	    PAY_JF_BAD ||
	    pay_json_str(auth, "nonce", p->nonce, sizeof(p->nonce)) ==
	    PAY_JF_BAD)
		goto err;
	if (mg_parse_i64(amount, strlen(amount), 0, INT64_MAX, &p->amount) !=
	    0) {
		rc = PAY_X402_EAMOUNT;
		goto err;
	}
	json_object_put(root);
	p->json = (char *)raw;
	p->json_len = (size_t)n;
	return PAY_X402_OK;
err:
	json_object_put(root);
	free(raw);
	return rc;
}

/*
 * The client's `accepted` against our offer (§5): scheme exact, same network,
 * same asset and payTo (EVM addresses compare case-insensitively: checksum
 * case is not part of the address), amount equal to the price in micros.
 */
int
pay_x402_match(const struct pay_x402_cfg *c, const struct pay_x402_offer *o,
    const struct pay_x402_payment *p)
{
	if (!nonempty(c->pay_to) || !nonempty(c->network) ||
	    !nonempty(c->asset))
		return PAY_X402_ECONFIG;
	if (p->version != PAY_X402_VERSION)
		return PAY_X402_EVERSION;
	if (strcmp(p->scheme, "exact") != 0)
		return PAY_X402_ESCHEME;
	if (strcmp(p->network, c->network) != 0)
		return PAY_X402_ENETWORK;
	if (strcasecmp(p->asset, c->asset) != 0)
		return PAY_X402_EASSET;
	if (strcasecmp(p->pay_to, c->pay_to) != 0)
		return PAY_X402_EPAYTO;
	if (p->amount != o->amount_micros)
		return PAY_X402_EAMOUNT;
	return PAY_X402_OK;
}

/*
 * §5 facilitator body {x402Version, paymentPayload, paymentRequirements}:
 * the payload is the client's decoded JSON (already validated), the
 * requirements are rebuilt from our offer.
 */
int
pay_x402_facilitator_body(const struct pay_x402_cfg *c,
    const struct pay_x402_offer *o, const struct pay_x402_payment *p,
    struct mg_buf *b)
{
	if (p->json == NULL)
		return -1;
	mg_buf_printf(b, "{\"x402Version\":%d,\"paymentPayload\":",
	    PAY_X402_VERSION);
	mg_buf_append(b, p->json, p->json_len);
	mg_buf_puts(b, ",\"paymentRequirements\":");
	if (pay_x402_requirements_json(c, o, b) < 0)
		return -1;
	mg_buf_append(b, "}", 1);
	return b->oom ? -1 : 0;
}

/* §5 {isValid, invalidReason?, payer?}. */
int
pay_x402_parse_verify(const char *buf, size_t len, struct pay_x402_verify *v)
{
	json_object *root = NULL;
	int rc = PAY_X402_EPARSE;

	memset(v, 0, sizeof(*v));
	if (pay_json_parse(buf, len, PAY_JSON_MAX_LEN, PAY_JSON_MAX_DEPTH,
	    &root) != PAY_JSON_OK)
		return PAY_X402_EPARSE;
	/* From here root is held. */
	if (pay_json_bool(root, "isValid", &v->is_valid) != PAY_JF_OK ||
	    pay_json_str(root, "invalidReason", v->invalid_reason,
	    sizeof(v->invalid_reason)) == PAY_JF_BAD ||
	    pay_json_str(root, "payer", v->payer, sizeof(v->payer)) ==
	    PAY_JF_BAD)
		goto err;
	rc = PAY_X402_OK;
err:
	json_object_put(root);
	return rc;
}

/* §5 {success, errorReason?, payer?, transaction, network}. */
int
pay_x402_parse_settle(const char *buf, size_t len, struct pay_x402_settle *s)
{
	json_object *root = NULL;
	int rc = PAY_X402_EPARSE;

	memset(s, 0, sizeof(*s));
	if (pay_json_parse(buf, len, PAY_JSON_MAX_LEN, PAY_JSON_MAX_DEPTH,
	    &root) != PAY_JSON_OK)
		return PAY_X402_EPARSE;
	/* From here root is held. */
	if (pay_json_bool(root, "success", &s->success) != PAY_JF_OK ||
	    pay_json_str(root, "errorReason", s->error_reason,
	    sizeof(s->error_reason)) == PAY_JF_BAD ||
	    pay_json_str(root, "payer", s->payer, sizeof(s->payer)) ==
	    PAY_JF_BAD ||
	    pay_json_str(root, "transaction", s->transaction,
	    sizeof(s->transaction)) == PAY_JF_BAD ||
	    pay_json_str(root, "network", s->network, sizeof(s->network)) ==
	    PAY_JF_BAD)
		goto err;
	/* A success without a transaction cannot be credited once. */
	if (s->success && s->transaction[0] == '\0')
		goto err;
	rc = PAY_X402_OK;
err:
	json_object_put(root);
	return rc;
}

/* §5 PAYMENT-RESPONSE: base64 of the settlement JSON. */
int
pay_x402_response_header(const struct pay_x402_settle *s, struct mg_buf *b)
{
	struct mg_buf j;
	int rc = -1;

	mg_buf_init(&j, NULL);
	/* From here j is held. */
	mg_buf_printf(&j, "{\"success\":%s", s->success ? "true" : "false");
	if (!s->success && s->error_reason[0] != '\0')
		json_kv(&j, 0, "errorReason", s->error_reason);
	if (s->payer[0] != '\0')
		json_kv(&j, 0, "payer", s->payer);
	json_kv(&j, 0, "transaction", s->transaction);
	json_kv(&j, 0, "network", s->network);
	mg_buf_append(&j, "}", 1);
	if (!j.oom)
		rc = b64_append(b, j.data, j.len);
	mg_buf_free(&j);
	return rc;
}

/*
 * POST {facilitator_url}{path} with the facilitator body; the answer goes to
 * parse(). A non-2xx answer that still parses (facilitators answer 400 with
 * {isValid:false, invalidReason}) is a verdict, not an error.
 */
static int
facilitator_call(const struct pay_x402_cfg *c, const char *path,
    const struct pay_x402_offer *o, const struct pay_x402_payment *p,
    int (*parse)(const char *, size_t, void *), void *out, long *status)
{
	char url[1024], auth[1024];
	const char *hdrs[3];
	struct mg_http_req req;
	struct mg_http_resp resp;
	struct mg_buf body;
	size_t n, nh = 0;
	int hrc, rc;

	if (status != NULL)
		*status = 0;
	if (!nonempty(c->facilitator_url))
		return PAY_X402_ECONFIG;
	n = strlen(c->facilitator_url);
	if ((size_t)snprintf(url, sizeof(url), "%.*s%s",
	    (int)(c->facilitator_url[n - 1] == '/' ? n - 1 : n),
	    c->facilitator_url, path) >= sizeof(url))
		return PAY_X402_ECONFIG;
	hdrs[nh++] = "Content-Type: application/json";
	hdrs[nh++] = "Accept: application/json";
	if (nonempty(c->facilitator_token)) {
		if ((size_t)snprintf(auth, sizeof(auth),
		    "Authorization: Bearer %s", c->facilitator_token) >=
		    sizeof(auth))
			return PAY_X402_ECONFIG;
		hdrs[nh++] = auth;
	}
	mg_buf_init(&body, NULL);
	/* From here body is held. */
	if (pay_x402_facilitator_body(c, o, p, &body) < 0) {
		rc = body.oom ? PAY_X402_ENOMEM : PAY_X402_EINVAL;
		mg_buf_free(&body);
		return rc;
	}
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = url;
	req.headers = hdrs;
	req.nheaders = nh;
	req.body = body.data;
	req.body_len = body.len;
	req.connect_timeout_ms = c->connect_timeout_ms;
	req.timeout_ms = c->timeout_ms;
	hrc = mg_http_do(&req, &resp, NULL);
	sodium_memzero(auth, sizeof(auth));
	mg_buf_free(&body);
	/* From here resp is held. */
	switch (hrc) {
	case MG_HTTP_OK:
		break;
	case MG_HTTP_NOT_SENT:
		rc = PAY_X402_NOT_SENT;
		goto err;
	case MG_HTTP_ENOMEM:
		rc = PAY_X402_ENOMEM;
		goto err;
	case MG_HTTP_EINVAL:
		rc = PAY_X402_ECONFIG;
		goto err;
	default:
		rc = PAY_X402_UNKNOWN;
		goto err;
	}
	if (status != NULL)
		*status = resp.status;
	rc = parse(resp.body.data, resp.body.len, out);
	if (rc != PAY_X402_OK && (resp.status < 200 || resp.status > 299))
		rc = PAY_X402_EAPI;
err:
	mg_http_resp_free(&resp);
	return rc;
}

static int
parse_verify_cb(const char *b, size_t n, void *out)
{
	return pay_x402_parse_verify(b, n, out);
}

static int
parse_settle_cb(const char *b, size_t n, void *out)
{
	return pay_x402_parse_settle(b, n, out);
}

/* §5 POST {facilitator}/verify → {isValid, invalidReason?, payer?}. */
int
pay_x402_verify(const struct pay_x402_cfg *c, const struct pay_x402_offer *o,
    const struct pay_x402_payment *p, struct pay_x402_verify *out,
    long *status)
{
	memset(out, 0, sizeof(*out));
	return facilitator_call(c, "/verify", o, p, parse_verify_cb, out,
	    status);
}

/* §5 POST {facilitator}/settle → {success, errorReason?, transaction, …}. */
int
pay_x402_settle(const struct pay_x402_cfg *c, const struct pay_x402_offer *o,
    const struct pay_x402_payment *p, struct pay_x402_settle *out,
    long *status)
{
	memset(out, 0, sizeof(*out));
	return facilitator_call(c, "/settle", o, p, parse_settle_cb, out,
	    status);
}
