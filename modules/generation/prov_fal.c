/*
 * prov_fal: the fal.ai queue API (providers.md §1).
 *
 *	submit	POST {base}/{model_id}                 → {request_id, status?}
 *	status	GET  {base}/{owner}/{app}/requests/{id}/status?logs=0
 *		     202 while IN_QUEUE / IN_PROGRESS, 200 once COMPLETED
 *	result	GET  {base}/{owner}/{app}/requests/{id}  the model's code + body
 *	cancel	PUT  {base}/{owner}/{app}/requests/{id}/cancel
 *
 * Auth "Authorization: Key <fal_key>". URLs are built from the configured
 * base (fal_base_url, default https://queue.fal.run) rather than taken from
 * the response, so fakes and proxies work. COMPLETED is not success: the
 * result decides. Status parsing is tolerant (fields may be missing,
 * FAILED/CANCELED and error/error_type may appear).
 * Config: fal_base_url, fal_key, fal_request_timeout_s (X-Fal-Request-Timeout,
 * 0 = unset).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "mg_config.h"
#include "mg_util.h"
#include "prov.h"
#include "prov_int.h"

/* 1 if c may appear in a model id segment. */
static int
seg_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

/*
 * Validate "owner/app[/path...]" (segments of [A-Za-z0-9._-], none empty,
 * none "." or "..", at most 200 bytes) and copy "owner/app" into buf.
 */
int
prov_fal_app(const char *model, char *buf, size_t cap)
{
	size_t i, seglen = 0, segs = 0, app_end = 0;
	const char *seg = model;

	if (model == NULL || *model == '\0' || strlen(model) > 200)
		return -1;
	for (i = 0;; i++) {
		if (model[i] == '/' || model[i] == '\0') {
			if (seglen == 0 || (seglen == 1 && seg[0] == '.') ||
			    (seglen == 2 && seg[0] == '.' && seg[1] == '.'))
				return -1;
			segs++;
			if (segs == 2)
				app_end = i;
			if (model[i] == '\0')
				break;
			seg = model + i + 1;
			seglen = 0;
			continue;
		}
		if (!seg_char(model[i]))
			return -1;
		seglen++;
	}
	if (segs < 2 || app_end >= cap)
		return -1;
	memcpy(buf, model, app_end);
	buf[app_end] = '\0';
	return 0;
}

/* 1 if s is a plausible queue request id (UUID-like token). */
static int
req_id_ok(const char *s)
{
	return mg_token_ok(s, 127, "_-");
}

/* Map a fal error type (or detail type) that means moderation. */
static int
is_moderation(const char *t)
{
	return prov_contains_ci(t, "nsfw") || prov_contains_ci(t, "content_policy") ||
	    prov_contains_ci(t, "moderation");
}

enum prov_err
prov_fal_parse_submit(const char *body, size_t len, struct prov_result *res,
    struct prov_error *err)
{
	struct json_object *o;
	const char *id, *st;
	enum prov_err rc = PROV_OK;

	if ((o = prov_json_parse(body, len)) == NULL ||
	    !json_object_is_type(o, json_type_object)) {
		rc = prov_fail(err, PROV_E_PROTOCOL, "fal submit: not a JSON object");
		goto out;
	}
	if ((id = prov_json_str(o, "request_id")) == NULL || !req_id_ok(id)) {
		rc = prov_fail(err, PROV_E_PROTOCOL, "fal submit: no request_id");
		goto out;
	}
	snprintf(res->request_id, sizeof(res->request_id), "%s", id);
	st = prov_json_str(o, "status");
	snprintf(res->status, sizeof(res->status), "%s", st != NULL ? st : "IN_QUEUE");
	res->state = (st != NULL && strcmp(st, "IN_PROGRESS") == 0) ?
	    PROV_STATE_RUNNING : PROV_STATE_QUEUED;
	res->queue_position = prov_json_int(o, "queue_position", -1);
out:
	json_object_put(o);
	return rc;
}

/*
 * Classify a fal error type for a failure reported by the status or result
 * of a request: the model's own outcome, hence final.
 */
static enum prov_err
outcome_class(const char *type)
{
	if (is_moderation(type))
		return PROV_E_MODERATION;
	if (type != NULL && (strcmp(type, "client_cancelled") == 0 ||
	    strcmp(type, "client_disconnected") == 0))
		return PROV_E_CANCELED;
	if (type != NULL && strcmp(type, "bad_request") == 0)
		return PROV_E_REJECTED;
	return PROV_E_FAILED;
}

enum prov_err
prov_fal_parse_status(long http, const char *body, size_t len,
    struct prov_result *res, int *completed, struct prov_error *err)
{
	struct json_object *o;
	const char *st, *e, *et;
	enum prov_err rc = PROV_OK;

	*completed = 0;
	o = prov_json_parse(body, len);
	st = prov_json_str(o, "status");
	snprintf(res->status, sizeof(res->status), "%s", st != NULL ? st : "");
	e = prov_json_str(o, "error");
	et = prov_json_str(o, "error_type");
	if (st != NULL && strcmp(st, "IN_QUEUE") == 0) {
		res->state = PROV_STATE_QUEUED;
		res->queue_position = prov_json_int(o, "queue_position", -1);
	} else if (st != NULL && strcmp(st, "IN_PROGRESS") == 0)
		res->state = PROV_STATE_RUNNING;
	else if (st != NULL && (strcmp(st, "FAILED") == 0 || strcmp(st, "ERROR") == 0)) {
		snprintf(err->type, sizeof(err->type), "%s", et != NULL ? et : st);
		rc = prov_fail(err, outcome_class(et), "fal: %s", e != NULL ? e : "request failed");
	} else if (st != NULL && (strcmp(st, "CANCELED") == 0 ||
	    strcmp(st, "CANCELLED") == 0)) {
		snprintf(err->type, sizeof(err->type), "%s", st);
		rc = prov_fail(err, PROV_E_CANCELED, "fal: request canceled");
	} else if ((st != NULL && strcmp(st, "COMPLETED") == 0) || http == 200) {
		/* COMPLETED (or an unknown word on 200): the result decides,
		 * unless the status already carries an error. */
		if ((e != NULL && *e != '\0') || (et != NULL && *et != '\0')) {
			snprintf(err->type, sizeof(err->type), "%s", et != NULL ? et : "error");
			rc = prov_fail(err, outcome_class(et), "fal: %s",
			    e != NULL ? e : "request failed");
		} else {
			res->state = PROV_STATE_RUNNING;
			*completed = 1;
		}
	} else if (http == 202)
		res->state = PROV_STATE_RUNNING;	/* unknown word, still going */
	else
		rc = prov_fail(err, PROV_E_PROTOCOL, "fal status: unexpected HTTP %ld", http);
	if (rc != PROV_OK && rc != PROV_E_PROTOCOL)
		res->state = PROV_STATE_FAILED;
	err->http_status = (int)http;
	json_object_put(o);
	return rc;
}

/* Add o (a {"url",...} object or a URL string) to outs. */
static void
add_file_obj(struct prov_outs *outs, struct json_object *v)
{
	struct json_object *u;

	if (v == NULL)
		return;
	if (json_object_is_type(v, json_type_string)) {
		prov_outs_add(outs, json_object_get_string(v), NULL, 0, 0);
		return;
	}
	if (!json_object_is_type(v, json_type_object) ||
	    !json_object_object_get_ex(v, "url", &u) ||
	    !json_object_is_type(u, json_type_string))
		return;
	prov_outs_add(outs, json_object_get_string(u),
	    prov_json_str(v, "content_type"), prov_json_int(v, "width", 0),
	    prov_json_int(v, "height", 0));
}

/*
 * The model's output JSON (providers.md §1 "Output schemas"): "images"
 * (array; entries flagged in "has_nsfw_concepts" are dropped), "image",
 * "video", "audio", "audio_file", "audio_url", "model_mesh", "model_glb",
 * "mesh", "file". Every image flagged → PROV_E_MODERATION.
 */
enum prov_err
prov_fal_parse_result(const char *body, size_t len, struct prov_outs *outs,
    struct prov_error *err)
{
	static const char *const keys[] = { "image", "video", "audio",
	    "audio_file", "audio_url", "model_mesh", "model_glb", "mesh",
	    "file", NULL };
	struct json_object *o, *imgs, *nsfw = NULL, *f;
	size_t i, n;
	enum prov_err rc = PROV_OK;

	if ((o = prov_json_parse(body, len)) == NULL ||
	    !json_object_is_type(o, json_type_object)) {
		rc = prov_fail(err, PROV_E_PROTOCOL, "fal result: not a JSON object");
		goto out;
	}
	json_object_object_get_ex(o, "has_nsfw_concepts", &nsfw);
	if (nsfw != NULL && !json_object_is_type(nsfw, json_type_array))
		nsfw = NULL;
	if (json_object_object_get_ex(o, "images", &imgs) &&
	    json_object_is_type(imgs, json_type_array)) {
		n = json_object_array_length(imgs);
		for (i = 0; i < n; i++) {
			if (nsfw != NULL && i < json_object_array_length(nsfw) &&
			    json_object_get_boolean(json_object_array_get_idx(nsfw, i))) {
				outs->nsfw_dropped++;
				continue;
			}
			add_file_obj(outs, json_object_array_get_idx(imgs, i));
		}
	}
	for (i = 0; keys[i] != NULL; i++)
		if (json_object_object_get_ex(o, keys[i], &f))
			add_file_obj(outs, f);
	if (outs->n == 0 && outs->nsfw_dropped > 0) {
		snprintf(err->type, sizeof(err->type), "nsfw_blocked");
		rc = prov_fail(err, PROV_E_MODERATION, "fal: all outputs flagged NSFW");
	}
out:
	json_object_put(o);
	return rc;
}

/*
 * A non-2xx answer (providers.md §1 "Errors"): detail is a string or a
 * FastAPI list [{loc,msg,type}]; error_type in the body and the
 * X-Fal-Error-Type header name infrastructure errors. from_result: a 5xx or
 * 499 carrying an error type is the request's final outcome (the queue has
 * already retried it); without one it is a transient gateway error.
 */
enum prov_err
prov_fal_parse_error(long http, const char *hdr_type, const char *body,
    size_t len, int from_result, struct prov_error *err)
{
	struct json_object *o, *d, *first, *loc;
	const char *type = NULL, *msg = NULL, *field = NULL;
	enum prov_err rc = prov_http_class(http);

	o = prov_json_parse(body, len);
	if (hdr_type != NULL && *hdr_type != '\0')
		type = hdr_type;
	if (type == NULL)
		type = prov_json_str(o, "error_type");
	if (o != NULL && json_object_object_get_ex(o, "detail", &d)) {
		if (json_object_is_type(d, json_type_string))
			msg = json_object_get_string(d);
		else if (json_object_is_type(d, json_type_array) &&
		    json_object_array_length(d) > 0 &&
		    (first = json_object_array_get_idx(d, 0)) != NULL) {
			msg = prov_json_str(first, "msg");
			if (type == NULL)
				type = prov_json_str(first, "type");
			if (json_object_object_get_ex(first, "loc", &loc) &&
			    json_object_is_type(loc, json_type_array) &&
			    json_object_array_length(loc) > 0)
				field = json_object_get_string(json_object_array_get_idx(loc,
				    json_object_array_length(loc) - 1));
		}
	}
	if (rc == PROV_OK)
		rc = PROV_E_PROTOCOL;
	if (is_moderation(type) || is_moderation(msg))
		rc = PROV_E_MODERATION;
	else if (from_result && type != NULL && (http >= 500 || http == 499))
		rc = outcome_class(type);
	snprintf(err->type, sizeof(err->type), "%s", type != NULL ? type : "");
	err->http_status = (int)http;
	prov_fail(err, rc, "fal: HTTP %ld%s%s%s%s", http, field ? " " : "",
	    field ? field : "", msg ? ": " : "", msg ? msg : "");
	json_object_put(o);
	return rc;
}

/*
 * Cancel answer: OK / CANCELLATION_REQUESTED / ALREADY_COMPLETED /
 * NOT_FOUND are keyed on the body (codes unconfirmed) and all mean
 * "nothing more to cancel": PROV_OK with err->type = the word.
 */
enum prov_err
prov_fal_parse_cancel(long http, const char *body, size_t len,
    struct prov_error *err)
{
	struct json_object *o;
	const char *st;
	enum prov_err rc;

	o = prov_json_parse(body, len);
	st = prov_json_str(o, "status");
	if (st != NULL && (strcmp(st, "OK") == 0 ||
	    strcmp(st, "CANCELLATION_REQUESTED") == 0 ||
	    strcmp(st, "ALREADY_COMPLETED") == 0 || strcmp(st, "NOT_FOUND") == 0)) {
		snprintf(err->type, sizeof(err->type), "%s", st);
		err->http_status = (int)http;
		json_object_put(o);
		return PROV_OK;
	}
	json_object_put(o);
	if (http >= 200 && http <= 299)
		return PROV_OK;
	rc = prov_fal_parse_error(http, NULL, body, len, 0, err);
	return rc;
}

/* Base URL and auth header; PROV_E_AUTH/INVALID when not configured. */
static enum prov_err
fal_setup(char *base, size_t bcap, char *auth, size_t acap, struct prov_error *err)
{
	const char *key = mg_cfg_str("fal_key", NULL);

	if (prov_base_url("fal_base_url", "https://queue.fal.run", base, bcap) != 0)
		return prov_fail(err, PROV_E_INVALID, "fal_base_url: not an http(s) URL");
	if (key == NULL || *key == '\0')
		return prov_fail(err, PROV_E_AUTH, "fal_key: not configured");
	if ((size_t)snprintf(auth, acap, "Authorization: Key %s", key) >= acap ||
	    strpbrk(key, "\r\n") != NULL)
		return prov_fail(err, PROV_E_AUTH, "fal_key: malformed");
	return PROV_OK;
}

/* One JSON API call; the body stays in resp for the caller. */
static enum prov_err
fal_call(const char *method, const char *url, const char *auth,
    const char *body, struct prov_http_resp *resp, struct prov_error *err)
{
	char tmo[64];
	int64_t rt = mg_cfg_int("fal_request_timeout_s", 0);
	const char *hdrs[5];
	size_t n = 0;
	struct prov_http_req req;

	hdrs[n++] = auth;
	hdrs[n++] = "Accept: application/json";
	if (body != NULL)
		hdrs[n++] = "Content-Type: application/json";
	if (strcmp(method, "POST") == 0 && rt > 0) {
		snprintf(tmo, sizeof(tmo), "X-Fal-Request-Timeout: %lld", (long long)rt);
		hdrs[n++] = tmo;
	}
	hdrs[n] = NULL;
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.url = url;
	req.headers = hdrs;
	req.body = body;
	req.body_len = body != NULL ? strlen(body) : 0;
	req.connect_timeout_s = prov_cfg_connect_timeout();
	req.timeout_s = prov_cfg_timeout();
	req.max_body = PROV_HTTP_JSON_MAX;
	return prov_http_do(&req, resp, err);
}

/* The model input: extra_json, then prompt/size/count/seed/format defaults. */
static struct json_object *
fal_input(const struct prov_job *job, struct prov_error *err)
{
	struct json_object *o, *sz;
	char d[16];

	if ((o = prov_input_obj(job, err)) == NULL)
		return NULL;
	if (job->prompt != NULL && *job->prompt != '\0')
		prov_json_default(o, job->kind == PROV_KIND_AUDIO ? "text" : "prompt",
		    json_object_new_string(job->prompt));
	if (job->kind == PROV_KIND_IMAGE) {
		if (job->width > 0 && job->height > 0 &&
		    (sz = json_object_new_object()) != NULL) {
			json_object_object_add(sz, "width", json_object_new_int(job->width));
			json_object_object_add(sz, "height", json_object_new_int(job->height));
			prov_json_default(o, "image_size", sz);
		}
		prov_json_default(o, "num_images",
		    json_object_new_int(job->count > 0 ? job->count : 1));
		if (job->format != NULL && (strcmp(job->format, "png") == 0 ||
		    strcmp(job->format, "jpeg") == 0))
			prov_json_default(o, "output_format", json_object_new_string(job->format));
	}
	if (job->kind == PROV_KIND_VIDEO && job->duration_s > 0) {
		snprintf(d, sizeof(d), "%d", job->duration_s);
		prov_json_default(o, "duration", json_object_new_string(d));
	}
	if (job->has_seed)
		prov_json_default(o, "seed", json_object_new_int64(job->seed));
	return o;
}

enum prov_err
prov_fal_submit(const struct prov_job *job, struct prov_result *res,
    struct prov_error *err)
{
	char base[400], auth[600], app[256], url[700];
	struct json_object *in = NULL;
	struct prov_http_resp resp;
	enum prov_err rc;

	prov_result_init(res);
	prov_error_init(err);
	prov_http_resp_init(&resp);
	if ((rc = prov_job_check(job, err)) != PROV_OK)
		goto out;
	if (job->kind == PROV_KIND_COMPOSE) {
		rc = prov_fail(err, PROV_E_UNSUPPORTED, "fal: compose is local only");
		goto out;
	}
	if (prov_fal_app(job->model, app, sizeof(app)) != 0) {
		rc = prov_fail(err, PROV_E_INVALID, "model: not a fal model id owner/app[/path]");
		goto out;
	}
	if ((rc = fal_setup(base, sizeof(base), auth, sizeof(auth), err)) != PROV_OK)
		goto out;
	if ((in = fal_input(job, err)) == NULL) {
		rc = err->code;
		goto out;
	}
	snprintf(url, sizeof(url), "%s/%s", base, job->model);
	if ((rc = fal_call("POST", url, auth, json_object_to_json_string_ext(in,
	    JSON_C_TO_STRING_PLAIN), &resp, err)) != PROV_OK)
		goto out;
	if (resp.status < 200 || resp.status > 299)
		rc = prov_fal_parse_error(resp.status, resp.fal_error_type,
		    resp.body.data, resp.body.len, 0, err);
	else
		rc = prov_fal_parse_submit(resp.body.data, resp.body.len, res, err);
out:
	if (rc != PROV_OK)
		res->state = prov_err_retry(rc, PROV_OP_SUBMIT) == PROV_RETRY_NO ?
		    PROV_STATE_FAILED : PROV_STATE_UNKNOWN;
	json_object_put(in);
	prov_http_resp_free(&resp);
	return rc;
}

enum prov_err
prov_fal_poll(const struct prov_job *job, const char *id_in,
    struct prov_result *res, struct prov_error *err)
{
	char base[400], auth[600], app[256], url[900];
	struct prov_http_resp resp;
	struct prov_outs outs;
	int completed = 0;
	enum prov_err rc;
	char id[128];
	int bad_id = id_in == NULL || strlen(id_in) >= sizeof(id);

	/* id_in may point into res (res->request_id): copy it first */
	snprintf(id, sizeof(id), "%s", bad_id ? "" : id_in);
	prov_result_init(res);
	prov_error_init(err);
	prov_http_resp_init(&resp);
	memset(&outs, 0, sizeof(outs));
	if (bad_id || !req_id_ok(id)) {
		rc = prov_fail(err, PROV_E_INVALID, "request id: malformed");
		goto out;
	}
	snprintf(res->request_id, sizeof(res->request_id), "%s", id);
	if ((rc = prov_job_check(job, err)) != PROV_OK)
		goto out;
	if (prov_fal_app(job->model, app, sizeof(app)) != 0) {
		rc = prov_fail(err, PROV_E_INVALID, "model: not a fal model id");
		goto out;
	}
	if ((rc = fal_setup(base, sizeof(base), auth, sizeof(auth), err)) != PROV_OK)
		goto out;
	snprintf(url, sizeof(url), "%s/%s/requests/%s/status?logs=0", base, app, id);
	if ((rc = fal_call("GET", url, auth, NULL, &resp, err)) != PROV_OK)
		goto out;
	if (resp.status != 200 && resp.status != 202) {
		rc = prov_fal_parse_error(resp.status, resp.fal_error_type,
		    resp.body.data, resp.body.len, 0, err);
		goto out;
	}
	if ((rc = prov_fal_parse_status(resp.status, resp.body.data,
	    resp.body.len, res, &completed, err)) != PROV_OK || !completed)
		goto out;

	/* COMPLETED: fetch the result at once (kept only minutes if large). */
	prov_http_resp_free(&resp);
	prov_http_resp_init(&resp);
	snprintf(url, sizeof(url), "%s/%s/requests/%s", base, app, id);
	if ((rc = fal_call("GET", url, auth, NULL, &resp, err)) != PROV_OK)
		goto out;
	if (resp.status < 200 || resp.status > 299) {
		rc = prov_fal_parse_error(resp.status, resp.fal_error_type,
		    resp.body.data, resp.body.len, 1, err);
		goto out;
	}
	if ((rc = prov_fal_parse_result(resp.body.data, resp.body.len, &outs,
	    err)) != PROV_OK)
		goto out;
	outs.allow_http = prov_allow_http(base);
	if ((rc = prov_outs_fetch(job, &outs, res, err)) != PROV_OK)
		goto out;
	res->state = PROV_STATE_SUCCEEDED;
out:
	if (rc != PROV_OK)
		res->state = prov_err_retry(rc, PROV_OP_POLL) == PROV_RETRY_NO ?
		    PROV_STATE_FAILED : PROV_STATE_UNKNOWN;
	prov_outs_free(&outs);
	prov_http_resp_free(&resp);
	return rc;
}

enum prov_err
prov_fal_cancel(const struct prov_job *job, const char *id,
    struct prov_error *err)
{
	char base[400], auth[600], app[256], url[900];
	struct prov_http_resp resp;
	enum prov_err rc;

	prov_error_init(err);
	if (id == NULL || !req_id_ok(id))
		return prov_fail(err, PROV_E_INVALID, "request id: malformed");
	if (prov_fal_app(job->model, app, sizeof(app)) != 0)
		return prov_fail(err, PROV_E_INVALID, "model: not a fal model id");
	if ((rc = fal_setup(base, sizeof(base), auth, sizeof(auth), err)) != PROV_OK)
		return rc;
	prov_http_resp_init(&resp);
	snprintf(url, sizeof(url), "%s/%s/requests/%s/cancel", base, app, id);
	if ((rc = fal_call("PUT", url, auth, "", &resp, err)) == PROV_OK)
		rc = prov_fal_parse_cancel(resp.status, resp.body.data,
		    resp.body.len, err);
	prov_http_resp_free(&resp);
	return rc;
}
