/*
 * pay_coinbase: Coinbase Commerce charges, payments.md §4.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <sodium.h>

#include "mg_buf.h"
#include "mg_config.h"
#include "mg_http.h"
#include "mg_util.h"
#include "pay_coinbase.h"
#include "pay_json.h"

static const char *const pay_coinbase_errs[PAY_COINBASE__MAX] = {
	"ok",					/* PAY_COINBASE_OK */
	"invalid Coinbase request",		/* PAY_COINBASE_EINVAL */
	"Coinbase is not configured",		/* PAY_COINBASE_ECONFIG */
	"out of memory",			/* PAY_COINBASE_ENOMEM */
	"Coinbase request not sent",		/* PAY_COINBASE_NOT_SENT */
	"Coinbase request sent, answer unknown",/* PAY_COINBASE_UNKNOWN */
	"Coinbase returned an error",		/* PAY_COINBASE_EAPI */
	"Coinbase answer not understood",	/* PAY_COINBASE_EPARSE */
	"Coinbase charge is not priced in USD",	/* PAY_COINBASE_ECURRENCY */
};

const char *
pay_coinbase_strerror(int e)
{
	if (e < 0 || e >= PAY_COINBASE__MAX)
		return "unknown error";
	return pay_coinbase_errs[e];
}

void
pay_coinbase_cfg_load(struct pay_coinbase_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->api_base = mg_cfg_str("coinbase_api_base",
	    "https://api.commerce.coinbase.com");
	c->api_key = mg_cfg_str("coinbase_api_key", NULL);
}

static int
nonempty(const char *s)
{
	return s != NULL && s[0] != '\0';
}

/* Append "key":"escaped value" with a leading comma when not first. */
static void
json_kv(struct mg_buf *b, int first, const char *k, const char *v)
{
	mg_buf_printf(b, "%s\"%s\":\"", first ? "" : ",", k);
	mg_buf_json_escape(b, v);
	mg_buf_append(b, "\"", 1);
}

/*
 * §4 POST /charges body: {"name","description","pricing_type":"fixed_price",
 * "local_price":{"amount":"25.00","currency":"USD"},"metadata":{wallet_id,
 * workspace_id},"redirect_url","cancel_url"}. The amount is formatted from
 * micros by mg_fmt_usd (integer arithmetic only).
 */
int
pay_coinbase_charge_body(const struct pay_coinbase_charge_req *r,
    struct mg_buf *b)
{
	char amount[32];

	if (r->amount_micros <= 0 || r->amount_micros > PAY_COINBASE_MAX_MICROS ||
	    !nonempty(r->name) || !nonempty(r->wallet_id) ||
	    !nonempty(r->workspace_id))
		return -1;
	mg_fmt_usd(r->amount_micros, amount, sizeof(amount));
	mg_buf_append(b, "{", 1);
	json_kv(b, 1, "name", r->name);
	if (nonempty(r->description))
		json_kv(b, 0, "description", r->description);
	mg_buf_puts(b, ",\"pricing_type\":\"fixed_price\","
	    "\"local_price\":{");
	json_kv(b, 1, "amount", amount);
	json_kv(b, 0, "currency", "USD");
	mg_buf_puts(b, "},\"metadata\":{");
	json_kv(b, 1, "wallet_id", r->wallet_id);
	json_kv(b, 0, "workspace_id", r->workspace_id);
	mg_buf_append(b, "}", 1);
	if (nonempty(r->redirect_url))
		json_kv(b, 0, "redirect_url", r->redirect_url);
	if (nonempty(r->cancel_url))
		json_kv(b, 0, "cancel_url", r->cancel_url);
	mg_buf_append(b, "}", 1);
	return b->oom ? -1 : 0;
}

/* §4 pricing.local {"amount":"25.00","currency":"USD"} → micros. */
int
pay_coinbase_json_price(json_object *charge, int64_t *micros, char cur[8])
{
	json_object *pricing, *local;
	char amount[32], c[8];
	int jf;

	*micros = -1;
	cur[0] = '\0';
	if ((jf = pay_json_obj(charge, "pricing", &pricing)) != PAY_JF_OK)
		return jf;
	if ((jf = pay_json_obj(pricing, "local", &local)) != PAY_JF_OK)
		return jf;
	if (pay_json_str(local, "amount", amount, sizeof(amount)) != PAY_JF_OK)
		return -1;
	if (pay_json_str(local, "currency", c, sizeof(c)) != PAY_JF_OK ||
	    strcasecmp(c, "USD") != 0)
		return -2;
	if (mg_parse_usd(amount, strlen(amount), PAY_COINBASE_MAX_MICROS,
	    micros) != 0) {
		*micros = -1;
		return -1;
	}
	memcpy(cur, "USD", 4);
	return 0;
}

/* §4 timeline[{status,time}]: the last entry's status. */
int
pay_coinbase_json_status(json_object *charge, char *out, size_t cap)
{
	json_object *tl, *last;
	size_t n;
	int jf;

	out[0] = '\0';
	if ((jf = pay_json_arr(charge, "timeline", &tl)) == PAY_JF_BAD)
		return -1;
	if (tl == NULL || (n = json_object_array_length(tl)) == 0)
		return 0;
	last = json_object_array_get_idx(tl, n - 1);
	if (!json_object_is_type(last, json_type_object) ||
	    pay_json_str(last, "status", out, cap) == PAY_JF_BAD)
		return -1;
	return 0;
}

/* Parse {"data": Charge} (§4): id and code required. */
int
pay_coinbase_parse_charge(const char *buf, size_t len,
    struct pay_coinbase_charge *o)
{
	json_object *root = NULL, *d, *md;
	int rc = PAY_COINBASE_EPARSE, pr;

	memset(o, 0, sizeof(*o));
	o->amount_micros = -1;
	if (pay_json_parse(buf, len, PAY_JSON_MAX_LEN, PAY_JSON_MAX_DEPTH,
	    &root) != PAY_JSON_OK)
		return PAY_COINBASE_EPARSE;
	/* From here root is held. */
	if (pay_json_obj(root, "data", &d) != PAY_JF_OK ||
	    pay_json_str(d, "id", o->id, sizeof(o->id)) != PAY_JF_OK ||
	    pay_json_str(d, "code", o->code, sizeof(o->code)) != PAY_JF_OK ||
	    o->code[0] == '\0' ||
	    pay_json_str(d, "hosted_url", o->hosted_url,
	    sizeof(o->hosted_url)) == PAY_JF_BAD ||
	    pay_json_str(d, "expires_at", o->expires_at,
	    sizeof(o->expires_at)) == PAY_JF_BAD ||
	    pay_coinbase_json_status(d, o->status, sizeof(o->status)) != 0 ||
	    pay_json_obj(d, "metadata", &md) == PAY_JF_BAD ||
	    pay_json_str(md, "wallet_id", o->wallet_id,
	    sizeof(o->wallet_id)) == PAY_JF_BAD ||
	    pay_json_str(md, "workspace_id", o->workspace_id,
	    sizeof(o->workspace_id)) == PAY_JF_BAD)
		goto err;
	pr = pay_coinbase_json_price(d, &o->amount_micros, o->currency);
	rc = pr == -2 ? PAY_COINBASE_ECURRENCY : pr < 0 ? PAY_COINBASE_EPARSE :
	    PAY_COINBASE_OK;
err:
	json_object_put(root);
	return rc;
}

/* §4 Errors: {"error":{"type","message"}}. */
int
pay_coinbase_parse_error(const char *buf, size_t len, long status,
    struct pay_coinbase_error *e)
{
	json_object *root = NULL, *eo;
	int rc = -1;

	e->status = status;
	e->type[0] = '\0';
	snprintf(e->message, sizeof(e->message), "HTTP %ld", status);
	if (buf == NULL || pay_json_parse(buf, len, PAY_JSON_MAX_LEN,
	    PAY_JSON_MAX_DEPTH, &root) != PAY_JSON_OK)
		return -1;
	/* From here root is held. */
	if (pay_json_obj(root, "error", &eo) != PAY_JF_OK)
		goto err;
	pay_json_str(eo, "type", e->type, sizeof(e->type));
	if (pay_json_str(eo, "message", e->message, sizeof(e->message)) !=
	    PAY_JF_OK)
		snprintf(e->message, sizeof(e->message), "HTTP %ld", status);
	rc = 0;
err:
	json_object_put(root);
	return rc;
}

/* One call; the API key line is wiped after use. */
static int
cb_call(const struct pay_coinbase_cfg *cfg, const char *method,
    const char *path, const struct mg_buf *body,
    struct pay_coinbase_charge *out, struct pay_coinbase_error *err)
{
	char key[512], url[1024];
	const char *hdrs[4];
	struct mg_http_req req;
	struct mg_http_resp resp;
	size_t nh = 0;
	int hrc, rc;

	memset(err, 0, sizeof(*err));
	if (cfg == NULL || !nonempty(cfg->api_key) ||
	    strpbrk(cfg->api_key, "\r\n") != NULL || !nonempty(cfg->api_base))
		return PAY_COINBASE_ECONFIG;
	if ((size_t)snprintf(url, sizeof(url), "%s%s", cfg->api_base, path) >=
	    sizeof(url) || (size_t)snprintf(key, sizeof(key),
	    "X-CC-Api-Key: %s", cfg->api_key) >= sizeof(key))
		return PAY_COINBASE_ECONFIG;
	hdrs[nh++] = key;
	hdrs[nh++] = "X-CC-Version: " PAY_COINBASE_VERSION;
	hdrs[nh++] = "Accept: application/json";
	if (body != NULL)
		hdrs[nh++] = "Content-Type: application/json";
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.url = url;
	req.headers = hdrs;
	req.nheaders = nh;
	req.body = body != NULL ? body->data : NULL;
	req.body_len = body != NULL ? body->len : 0;
	req.connect_timeout_ms = cfg->connect_timeout_ms;
	req.timeout_ms = cfg->timeout_ms;

	hrc = mg_http_do(&req, &resp, NULL);
	sodium_memzero(key, sizeof(key));
	/* From here resp is held. */
	switch (hrc) {
	case MG_HTTP_OK:
		break;
	case MG_HTTP_NOT_SENT:
		err->retryable = 1;
		rc = PAY_COINBASE_NOT_SENT;
		goto err;
	case MG_HTTP_ENOMEM:
		rc = PAY_COINBASE_ENOMEM;
		goto err;
	case MG_HTTP_EINVAL:
		rc = PAY_COINBASE_ECONFIG;
		goto err;
	default:
		rc = PAY_COINBASE_UNKNOWN;
		goto err;
	}
	err->status = resp.status;
	if (resp.status < 200 || resp.status > 299) {
		pay_coinbase_parse_error(resp.body.data, resp.body.len,
		    resp.status, err);
		err->retryable = resp.status == 429 || resp.status >= 500;
		rc = PAY_COINBASE_EAPI;
		goto err;
	}
	rc = pay_coinbase_parse_charge(resp.body.data, resp.body.len, out);
err:
	mg_http_resp_free(&resp);
	return rc;
}

/* §4 POST {base}/charges → {"data": Charge}. */
int
pay_coinbase_charge_create(const struct pay_coinbase_cfg *cfg,
    const struct pay_coinbase_charge_req *r, struct pay_coinbase_charge *out,
    struct pay_coinbase_error *err)
{
	struct mg_buf body;
	int rc;

	memset(err, 0, sizeof(*err));
	mg_buf_init(&body, NULL);
	/* From here body is held. */
	if (pay_coinbase_charge_body(r, &body) < 0) {
		rc = body.oom ? PAY_COINBASE_ENOMEM : PAY_COINBASE_EINVAL;
		goto err;
	}
	rc = cb_call(cfg, "POST", "/charges", &body, out, err);
err:
	mg_buf_free(&body);
	return rc;
}

/* §4 GET {base}/charges/{code_or_id}. */
int
pay_coinbase_charge_get(const struct pay_coinbase_cfg *cfg,
    const char *code_or_id, struct pay_coinbase_charge *out,
    struct pay_coinbase_error *err)
{
	char path[128];

	memset(err, 0, sizeof(*err));
	if (!mg_token_ok(code_or_id, 64, "-"))
		return PAY_COINBASE_EINVAL;
	snprintf(path, sizeof(path), "/charges/%s", code_or_id);
	return cb_call(cfg, "GET", path, NULL, out, err);
}
