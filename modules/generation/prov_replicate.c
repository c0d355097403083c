/*
 * prov_replicate: Replicate predictions (providers.md §2).
 *
 *	create	POST {base}/models/{owner}/{name}/predictions  {"input"}
 *		(model "owner/name"), or POST {base}/predictions
 *		{"version","input"} (model "owner/name:<64 hex>" or "<64 hex>")
 *	poll	GET  {base}/predictions/{id}
 *	cancel	POST {base}/predictions/{id}/cancel
 *
 * Auth "Authorization: Bearer <replicate_token>". Status starting →
 * queued, processing → running, succeeded / failed / canceled / aborted
 * terminal; a failed run is HTTP 200 with an error string. Errors are
 * problem-JSON {title, detail, status}.
 * Config: replicate_base_url (https://api.replicate.com/v1),
 * replicate_token, replicate_wait_s (Prefer: wait=N, 0 = off, max 60),
 * replicate_cancel_after (Cancel-After, e.g. "30m"; empty = off).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "mg_config.h"
#include "mg_util.h"
#include "prov.h"
#include "prov_int.h"

/* 1 if s is exactly 64 hex digits (a version id). */
static int
is_version(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == 64;
}

/* 1 if s[0..n) is a model name segment ([A-Za-z0-9._-], not "." or ".."). */
static int
name_seg(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 100 || (n == 1 && s[0] == '.') ||
	    (n == 2 && s[0] == '.' && s[1] == '.'))
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_' ||
		    s[i] == '.'))
			return 0;
	return 1;
}

/*
 * Model id forms: "owner/name" → official-model endpoint (*version = 0);
 * "owner/name:<hex64>" or "<hex64>" → /predictions with version (*version
 * = 1). Returns -1 when malformed.
 */
static int
model_form(const char *m, int *version)
{
	const char *slash, *colon;

	if (m == NULL)
		return -1;
	if (is_version(m)) {
		*version = 1;
		return 0;
	}
	if ((slash = strchr(m, '/')) == NULL || !name_seg(m, (size_t)(slash - m)))
		return -1;
	if ((colon = strchr(slash, ':')) != NULL) {
		*version = 1;
		return name_seg(slash + 1, (size_t)(colon - slash - 1)) &&
		    is_version(colon + 1) ? 0 : -1;
	}
	*version = 0;
	return name_seg(slash + 1, strlen(slash + 1)) ? 0 : -1;
}

/* Add output value v: a URL string, an array of them, or an object's URL strings. */
static void
add_output(struct prov_outs *outs, struct json_object *v, int depth)
{
	size_t i, n;
	const char *s;

	if (v == NULL || depth > 2)
		return;
	if (json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		if (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0 ||
		    strncmp(s, "data:", 5) == 0)
			prov_outs_add(outs, s, NULL, 0, 0);
	} else if (json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		for (i = 0; i < n; i++)
			add_output(outs, json_object_array_get_idx(v, i), depth + 1);
	} else if (json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, key, val) {
			(void)key;
			add_output(outs, val, depth + 1);
		}
	}
}

/*
 * A prediction object. Returns PROV_OK with res->state QUEUED / RUNNING /
 * SUCCEEDED (outs filled), or a final error for failed (PROV_E_FAILED, or
 * PROV_E_MODERATION when the error mentions NSFW), canceled and aborted
 * (PROV_E_CANCELED), succeeded with data_removed. Unknown status words are
 * treated as still running.
 */
enum prov_err
prov_rep_parse_prediction(const char *body, size_t len,
    struct prov_result *res, struct prov_outs *outs, struct prov_error *err)
{
	struct json_object *o, *m, *pt, *out = NULL, *dr;
	const char *id, *st, *e;
	enum prov_err rc = PROV_OK;

	if ((o = prov_json_parse(body, len)) == NULL ||
	    !json_object_is_type(o, json_type_object)) {
		rc = prov_fail(err, PROV_E_PROTOCOL, "replicate: not a JSON object");
		goto out;
	}
	if ((id = prov_json_str(o, "id")) == NULL || !mg_token_ok(id, 127, "_-")) {
		rc = prov_fail(err, PROV_E_PROTOCOL, "replicate: prediction without id");
		goto out;
	}
	snprintf(res->request_id, sizeof(res->request_id), "%s", id);
	if ((st = prov_json_str(o, "status")) == NULL) {
		rc = prov_fail(err, PROV_E_PROTOCOL, "replicate: prediction without status");
		goto out;
	}
	snprintf(res->status, sizeof(res->status), "%s", st);
	if (json_object_object_get_ex(o, "metrics", &m) &&
	    json_object_is_type(m, json_type_object) &&
	    json_object_object_get_ex(m, "predict_time", &pt) &&
	    (json_object_is_type(pt, json_type_double) ||
	    json_object_is_type(pt, json_type_int))) {
		/* compute seconds → ms; informational, not money */
		double d = json_object_get_double(pt);
		if (d >= 0 && d < 1e9)
			res->units.compute_ms = (int64_t)(d * 1000 + 0.5);
	}
	e = prov_json_str(o, "error");
	if (strcmp(st, "starting") == 0)
		res->state = PROV_STATE_QUEUED;
	else if (strcmp(st, "processing") == 0)
		res->state = PROV_STATE_RUNNING;
	else if (strcmp(st, "succeeded") == 0) {
		json_object_object_get_ex(o, "output", &out);
		add_output(outs, out, 0);
		if (outs->n == 0 && json_object_object_get_ex(o, "data_removed", &dr) &&
		    json_object_get_boolean(dr)) {
			snprintf(err->type, sizeof(err->type), "data_removed");
			rc = prov_fail(err, PROV_E_FAILED, "replicate: outputs already deleted");
		} else
			res->state = PROV_STATE_SUCCEEDED;
	} else if (strcmp(st, "failed") == 0) {
		snprintf(err->type, sizeof(err->type), "failed");
		rc = prov_fail(err, prov_contains_ci(e, "nsfw") ? PROV_E_MODERATION :
		    PROV_E_FAILED, "replicate: %s", e != NULL ? e : "prediction failed");
		if (rc == PROV_E_MODERATION)
			snprintf(err->type, sizeof(err->type), "nsfw_blocked");
	} else if (strcmp(st, "canceled") == 0 || strcmp(st, "aborted") == 0) {
		snprintf(err->type, sizeof(err->type), "%s", st);
		rc = prov_fail(err, PROV_E_CANCELED, "replicate: prediction %s", st);
	} else
		res->state = PROV_STATE_RUNNING;
	if (rc != PROV_OK && rc != PROV_E_PROTOCOL)
		res->state = PROV_STATE_FAILED;
out:
	json_object_put(o);
	return rc;
}

/*
 * Problem-JSON {title, detail, status}. Classified by HTTP status, except
 * "insufficient credit" → PROV_E_QUOTA and "throttled" → PROV_E_RATE_LIMIT
 * whatever the code.
 */
enum prov_err
prov_rep_parse_error(long http, const char *body, size_t len,
    struct prov_error *err)
{
	struct json_object *o;
	const char *title, *detail;
	enum prov_err rc = prov_http_class(http);

	if (rc == PROV_OK)
		rc = PROV_E_PROTOCOL;
	o = prov_json_parse(body, len);
	title = prov_json_str(o, "title");
	detail = prov_json_str(o, "detail");
	if (prov_contains_ci(detail, "insufficient credit") ||
	    prov_contains_ci(title, "insufficient credit"))
		rc = PROV_E_QUOTA;
	else if (prov_contains_ci(detail, "throttled"))
		rc = PROV_E_RATE_LIMIT;
	snprintf(err->type, sizeof(err->type), "%s", title != NULL ? title : "");
	err->http_status = (int)http;
	prov_fail(err, rc, "replicate: HTTP %ld%s%s%s%s", http, title ? " " : "",
	    title ? title : "", detail ? ": " : "", detail ? detail : "");
	json_object_put(o);
	return rc;
}

static enum prov_err
rep_setup(char *base, size_t bcap, char *auth, size_t acap, struct prov_error *err)
{
	const char *tok = mg_cfg_str("replicate_token", NULL);

	if (prov_base_url("replicate_base_url", "https://api.replicate.com/v1",
	    base, bcap) != 0)
		return prov_fail(err, PROV_E_INVALID, "replicate_base_url: not an http(s) URL");
	if (tok == NULL || *tok == '\0')
		return prov_fail(err, PROV_E_AUTH, "replicate_token: not configured");
	if ((size_t)snprintf(auth, acap, "Authorization: Bearer %s", tok) >= acap ||
	    strpbrk(tok, "\r\n") != NULL)
		return prov_fail(err, PROV_E_AUTH, "replicate_token: malformed");
	return PROV_OK;
}

static enum prov_err
rep_call(const char *method, const char *url, const char *auth,
    const char *body, int create, struct prov_http_resp *resp,
    struct prov_error *err)
{
	char wait[32], ca[64];
	const char *hdrs[6], *cancel_after;
	int64_t w = create ? mg_cfg_int("replicate_wait_s", 0) : 0;
	size_t n = 0, i;
	struct prov_http_req req;

	hdrs[n++] = auth;
	hdrs[n++] = "Accept: application/json";
	if (body != NULL)
		hdrs[n++] = "Content-Type: application/json";
	if (w > 0) {
		snprintf(wait, sizeof(wait), "Prefer: wait=%lld", (long long)(w > 60 ? 60 : w));
		hdrs[n++] = wait;
	}
	cancel_after = create ? mg_cfg_str("replicate_cancel_after", NULL) : NULL;
	if (cancel_after != NULL && *cancel_after != '\0' && strlen(cancel_after) < 16) {
		for (i = 0; cancel_after[i] != '\0'; i++)
			if (strchr("0123456789hms", cancel_after[i]) == NULL)
				break;
		if (cancel_after[i] == '\0') {
			snprintf(ca, sizeof(ca), "Cancel-After: %s", cancel_after);
			hdrs[n++] = ca;
		}
	}
	hdrs[n] = NULL;
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.url = url;
	req.headers = hdrs;
	req.body = body;
	req.body_len = body != NULL ? strlen(body) : 0;
	req.connect_timeout_s = prov_cfg_connect_timeout();
	req.timeout_s = prov_cfg_timeout() + (long)(w > 60 ? 60 : w);
	req.max_body = PROV_HTTP_JSON_MAX;
	return prov_http_do(&req, resp, err);
}

/* Model input: extra_json, then prompt/text, size, count, seed, format, duration. */
static struct json_object *
rep_input(const struct prov_job *job, struct prov_error *err)
{
	struct json_object *o;

	if ((o = prov_input_obj(job, err)) == NULL)
		return NULL;
	if (job->prompt != NULL && *job->prompt != '\0')
		prov_json_default(o, job->kind == PROV_KIND_AUDIO ? "text" : "prompt",
		    json_object_new_string(job->prompt));
	if (job->width > 0)
		prov_json_default(o, "width", json_object_new_int(job->width));
	if (job->height > 0)
		prov_json_default(o, "height", json_object_new_int(job->height));
	if (job->kind == PROV_KIND_IMAGE && job->count > 1)
		prov_json_default(o, "num_outputs", json_object_new_int(job->count));
	if (job->kind == PROV_KIND_VIDEO && job->duration_s > 0)
		prov_json_default(o, "duration", json_object_new_int(job->duration_s));
	if (job->has_seed)
		prov_json_default(o, "seed", json_object_new_int64(job->seed));
	if (job->kind == PROV_KIND_IMAGE && job->format != NULL)
		prov_json_default(o, "output_format", json_object_new_string(
		    strcmp(job->format, "jpeg") == 0 ? "jpg" : job->format));
	return o;
}

/* Handle a prediction answer (create or poll): parse, download on success. */
static enum prov_err
rep_answer(const struct prov_job *job, const char *base, struct prov_http_resp *resp,
    struct prov_result *res, struct prov_error *err)
{
	struct prov_outs outs;
	enum prov_err rc;

	if (resp->status < 200 || resp->status > 299)
		return prov_rep_parse_error(resp->status, resp->body.data,
		    resp->body.len, err);
	memset(&outs, 0, sizeof(outs));
	rc = prov_rep_parse_prediction(resp->body.data, resp->body.len, res,
	    &outs, err);
	if (rc == PROV_OK && res->state == PROV_STATE_SUCCEEDED) {
		res->state = PROV_STATE_RUNNING;
		outs.allow_http = prov_allow_http(base);
		if ((rc = prov_outs_fetch(job, &outs, res, err)) == PROV_OK)
			res->state = PROV_STATE_SUCCEEDED;
	}
	prov_outs_free(&outs);
	return rc;
}

enum prov_err
prov_rep_submit(const struct prov_job *job, struct prov_result *res,
    struct prov_error *err)
{
	char base[400], auth[600], url[700];
	struct json_object *in = NULL, *body = NULL;
	struct prov_http_resp resp;
	enum prov_err rc;
	int version = 0;

	prov_result_init(res);
	prov_error_init(err);
	prov_http_resp_init(&resp);
	if ((rc = prov_job_check(job, err)) != PROV_OK)
		goto out;
	if (job->kind == PROV_KIND_COMPOSE) {
		rc = prov_fail(err, PROV_E_UNSUPPORTED, "replicate: compose is local only");
		goto out;
	}
	if (model_form(job->model, &version) != 0) {
		rc = prov_fail(err, PROV_E_INVALID,
		    "model: owner/name, owner/name:<version> or <version>");
		goto out;
	}
	if ((rc = rep_setup(base, sizeof(base), auth, sizeof(auth), err)) != PROV_OK)
		goto out;
	if ((in = rep_input(job, err)) == NULL) {
		rc = err->code;
		goto out;
	}
	if ((body = json_object_new_object()) == NULL) {
		rc = prov_fail(err, PROV_E_SYSTEM, "out of memory");
		goto out;
	}
	if (version) {
		json_object_object_add(body, "version", json_object_new_string(job->model));
		snprintf(url, sizeof(url), "%s/predictions", base);
	} else
		snprintf(url, sizeof(url), "%s/models/%s/predictions", base, job->model);
	json_object_object_add(body, "input", in);
	in = NULL;
	if ((rc = rep_call("POST", url, auth, json_object_to_json_string_ext(body,
	    JSON_C_TO_STRING_PLAIN), 1, &resp, err)) != PROV_OK)
		goto out;
	rc = rep_answer(job, base, &resp, res, err);
out:
	if (rc != PROV_OK)
		res->state = prov_err_retry(rc, PROV_OP_SUBMIT) == PROV_RETRY_NO ?
		    PROV_STATE_FAILED : PROV_STATE_UNKNOWN;
	json_object_put(in);
	json_object_put(body);
	prov_http_resp_free(&resp);
	return rc;
}

enum prov_err
prov_rep_poll(const struct prov_job *job, const char *id_in,
    struct prov_result *res, struct prov_error *err)
{
	char base[400], auth[600], url[700];
	struct prov_http_resp resp;
	enum prov_err rc;
	char id[128];
	int bad_id = id_in == NULL || strlen(id_in) >= sizeof(id);

	/* id_in may point into res (res->request_id): copy it first */
	snprintf(id, sizeof(id), "%s", bad_id ? "" : id_in);
	prov_result_init(res);
	prov_error_init(err);
	prov_http_resp_init(&resp);
	if (bad_id || !mg_token_ok(id, 127, "_-")) {
		rc = prov_fail(err, PROV_E_INVALID, "request id: malformed");
		goto out;
	}
	if ((rc = prov_job_check(job, err)) != PROV_OK ||
	    (rc = rep_setup(base, sizeof(base), auth, sizeof(auth), err)) != PROV_OK)
		goto out;
	snprintf(url, sizeof(url), "%s/predictions/%s", base, id);
	if ((rc = rep_call("GET", url, auth, NULL, 0, &resp, err)) != PROV_OK)
		goto out;
	rc = rep_answer(job, base, &resp, res, err);
out:
	if (rc != PROV_OK)
		res->state = prov_err_retry(rc, PROV_OP_POLL) == PROV_RETRY_NO ?
		    PROV_STATE_FAILED : PROV_STATE_UNKNOWN;
	prov_http_resp_free(&resp);
	return rc;
}

enum prov_err
prov_rep_cancel(const struct prov_job *job, const char *id,
    struct prov_error *err)
{
	char base[400], auth[600], url[700];
	struct prov_http_resp resp;
	enum prov_err rc;

	prov_error_init(err);
	if (id == NULL || !mg_token_ok(id, 127, "_-"))
		return prov_fail(err, PROV_E_INVALID, "request id: malformed");
	if ((rc = rep_setup(base, sizeof(base), auth, sizeof(auth), err)) != PROV_OK)
		return rc;
	prov_http_resp_init(&resp);
	snprintf(url, sizeof(url), "%s/predictions/%s/cancel", base, id);
	if ((rc = rep_call("POST", url, auth, "", 0, &resp, err)) == PROV_OK &&
	    (resp.status < 200 || resp.status > 299))
		rc = prov_rep_parse_error(resp.status, resp.body.data,
		    resp.body.len, err);
	prov_http_resp_free(&resp);
	return rc;
}
