/*
 * prov_http: the remote adapters' requests (over mg_http), output
 * downloads and JSON parsing with caps.
 *
 * The requests go through mg_http (modules/common/mg_http.c), the client
 * the payment module uses too. Timeouts follow providers.md §4: connect and
 * whole-request timeouts are separate; a transport error is classified by
 * whether any request byte went out, so a create is retried only when it
 * provably never arrived.
 *
 * Config: prov_connect_timeout_s (10), prov_timeout_s (30),
 * prov_download_timeout_s (300), prov_download_max_bytes (200 MB).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <json-c/json.h>

#include "mg_buf.h"
#include "mg_config.h"
#include "mg_crypto.h"
#include "mg_http.h"
#include "mg_util.h"
#include "prov.h"
#include "prov_int.h"

#define PROV_JSON_DEPTH	32

long
prov_cfg_connect_timeout(void)
{
	return (long)mg_cfg_int("prov_connect_timeout_s", 10);
}

long
prov_cfg_timeout(void)
{
	return (long)mg_cfg_int("prov_timeout_s", 30);
}

static long
cfg_download_timeout(void)
{
	return (long)mg_cfg_int("prov_download_timeout_s", 300);
}

size_t
prov_cfg_download_max(void)
{
	int64_t v = mg_cfg_int("prov_download_max_bytes", 200LL * 1024 * 1024);

	return v > 0 ? (size_t)v : 200u * 1024 * 1024;
}

void
prov_http_resp_init(struct prov_http_resp *r)
{
	memset(r, 0, sizeof(*r));
	mg_buf_init(&r->body, NULL);
}

void
prov_http_resp_free(struct prov_http_resp *r)
{
	mg_buf_free(&r->body);
}

/* The response headers the adapters read (struct prov_http_resp). */
static const char *const prov_want[] = {
	"content-type", "request-id", "character-cost", "x-fal-error-type",
	"retry-after",
};

/* Copy a captured header value, truncated to the field. */
static void
take(char *dst, size_t cap, const char *v)
{
	size_t n = strlen(v);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

/*
 * One request through mg_http (modules/common): bodies kept in memory are
 * JSON or error pages, capped at PROV_HTTP_JSON_MAX (or a smaller
 * max_body); a 2xx body with out_path is streamed to the file, capped at
 * max_body or prov_download_max_bytes. The mg_http classes map onto the
 * provider error classes (providers.md §4): not sent → PROV_E_CONNECT (a
 * create may be retried), sent without a full answer → PROV_E_TIMEOUT.
 */
enum prov_err
prov_http_do(const struct prov_http_req *req, struct prov_http_resp *resp,
    struct prov_error *err)
{
	struct mg_http_req hr;
	struct mg_http_resp hs;
	size_t n;
	enum prov_err rc;
	int e;

	for (n = 0; req->headers != NULL && req->headers[n] != NULL; n++)
		continue;
	memset(&hr, 0, sizeof(hr));
	hr.method = req->method;
	hr.url = req->url;
	hr.headers = req->headers;
	hr.nheaders = n;
	hr.body = req->body;
	hr.body_len = req->body != NULL ? req->body_len : 0;
	hr.want = prov_want;
	hr.nwant = sizeof(prov_want) / sizeof(prov_want[0]);
	hr.connect_timeout_ms = req->connect_timeout_s * 1000;
	hr.timeout_ms = req->timeout_s * 1000;
	hr.max_body = req->max_body == 0 || req->max_body > PROV_HTTP_JSON_MAX ?
	    PROV_HTTP_JSON_MAX : req->max_body;
	hr.out_path = req->out_path;
	hr.max_file = req->max_body > 0 ? req->max_body :
	    prov_cfg_download_max();
	hr.follow = req->follow;
	e = mg_http_do(&hr, &hs, NULL);
	mg_buf_free(&resp->body);
	resp->body = hs.body;	/* resp owns it now */
	resp->status = hs.status;
	resp->body_size = (int64_t)hs.size;
	take(resp->content_type, sizeof(resp->content_type), hs.hdr[0]);
	take(resp->request_id, sizeof(resp->request_id), hs.hdr[1]);
	take(resp->character_cost, sizeof(resp->character_cost), hs.hdr[2]);
	take(resp->fal_error_type, sizeof(resp->fal_error_type), hs.hdr[3]);
	take(resp->retry_after, sizeof(resp->retry_after), hs.hdr[4]);
	switch (e) {
	case MG_HTTP_OK:
		rc = PROV_OK;
		break;
	case MG_HTTP_ETOOBIG:
		rc = prov_fail(err, PROV_E_TOO_LARGE, "response too large");
		break;
	case MG_HTTP_EINVAL:
		rc = prov_fail(err, PROV_E_INVALID, "bad provider URL");
		break;
	/* Fixed texts: the message may reach the job's error, and libcurl's
	   (hs.error) names the provider's host and port. */
	case MG_HTTP_NOT_SENT:
		rc = prov_fail(err, PROV_E_CONNECT,
		    "connect: the provider could not be reached");
		break;
	case MG_HTTP_UNKNOWN:
		rc = prov_fail(err, PROV_E_TIMEOUT,
		    "no complete answer from the provider (request sent)");
		break;
	case MG_HTTP_EFILE:
		rc = prov_fail(err, PROV_E_SYSTEM, "write output failed");
		break;
	default:
		rc = prov_fail(err, PROV_E_SYSTEM, "%s", mg_http_strerror(e));
		break;
	}
	if (rc != PROV_OK)
		resp->status = 0;
	err->http_status = (int)resp->status;
	return rc;
}

enum prov_err
prov_http_class(long s)
{
	if (s >= 200 && s <= 299)
		return PROV_OK;
	switch (s) {
	case 401:
	case 403:
		return PROV_E_AUTH;
	case 402:
		return PROV_E_QUOTA;
	case 404:
	case 410:
		return PROV_E_NOT_FOUND;
	case 408:
		return PROV_E_TIMEOUT;
	case 429:
		return PROV_E_RATE_LIMIT;
	case 503:
		return PROV_E_UNAVAILABLE;
	case 499:
		return PROV_E_SERVER;
	default:
		break;
	}
	if (s >= 500)
		return PROV_E_SERVER;
	if (s >= 400)
		return PROV_E_REJECTED;
	return PROV_E_PROTOCOL;	/* 1xx/3xx as a final answer */
}

struct json_object *
prov_json_parse(const char *s, size_t n)
{
	struct json_tokener *tok;
	struct json_object *o;

	if (s == NULL || n == 0 || n > PROV_HTTP_JSON_MAX || n > INT32_MAX)
		return NULL;
	if ((tok = json_tokener_new_ex(PROV_JSON_DEPTH)) == NULL)
		return NULL;
	o = json_tokener_parse_ex(tok, s, (int)n);
	if (json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

/* Decode a base64 "data:<mime>;base64,<data>" URI into path. */
static enum prov_err
fetch_data_uri(const char *url, const char *path, size_t max, int64_t *size,
    char *ctype, size_t ctcap, struct prov_error *err)
{
	const char *comma = strchr(url, ','), *meta = url + 5;
	unsigned char *bin;
	size_t n, cap;
	int len;
	char tmp[600];
	FILE *f;

	if (comma == NULL || comma - meta < 7 ||
	    strncmp(comma - 7, ";base64", 7) != 0)
		return prov_fail(err, PROV_E_PROTOCOL, "data URI: only base64 supported");
	n = strlen(comma + 1);
	cap = n / 4 * 3 + 3;
	if (cap > max + 3 || n > INT32_MAX)
		return prov_fail(err, PROV_E_TOO_LARGE, "data URI larger than limit");
	if ((bin = malloc(cap)) == NULL)
		return prov_fail(err, PROV_E_SYSTEM, "out of memory");
	if ((len = mg_unb64(comma + 1, n, 1, bin, cap)) < 0) {
		free(bin);
		return prov_fail(err, PROV_E_PROTOCOL, "data URI: bad base64");
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "wb")) == NULL ||
	    fwrite(bin, 1, (size_t)len, f) != (size_t)len || fclose(f) != 0 ||
	    rename(tmp, path) != 0) {
		unlink(tmp);
		free(bin);
		return prov_fail(err, PROV_E_SYSTEM, "write output: %s", strerror(errno));
	}
	free(bin);
	*size = len;
	n = (size_t)(comma - 7 - meta);
	if (n >= ctcap)
		n = ctcap - 1;
	memcpy(ctype, meta, n);
	ctype[n] = '\0';
	return PROV_OK;
}

/*
 * Download url into path (temp file + rename), no credentials sent.
 * Non-2xx answers are classified like API errors (404/410 → NOT_FOUND:
 * the provider deleted the file).
 */
enum prov_err
prov_download(const char *url, const char *path, size_t max, int64_t *size,
    char *ctype, size_t ctcap, struct prov_error *err)
{
	struct prov_http_req req;
	struct prov_http_resp resp;
	char tmp[600];
	enum prov_err rc;

	ctype[0] = '\0';
	*size = 0;
	if (strncmp(url, "data:", 5) == 0)
		return fetch_data_uri(url, path, max, size, ctype, ctcap, err);
	if (strncasecmp(url, "https://", 8) != 0 && strncasecmp(url, "http://", 7) != 0)
		return prov_fail(err, PROV_E_PROTOCOL, "output URL: not http(s)");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.url = url;
	req.connect_timeout_s = prov_cfg_connect_timeout();
	req.timeout_s = cfg_download_timeout();
	req.max_body = max;
	req.out_path = tmp;
	req.follow = 1;
	prov_http_resp_init(&resp);
	rc = prov_http_do(&req, &resp, err);
	if (rc == PROV_OK && (rc = prov_http_class(resp.status)) != PROV_OK)
		prov_fail(err, rc, "download: HTTP %ld", resp.status);
	else if (rc == PROV_OK && resp.body_size == 0)
		rc = prov_fail(err, PROV_E_PROTOCOL, "download: empty file");
	if (rc == PROV_OK && rename(tmp, path) != 0)
		rc = prov_fail(err, PROV_E_SYSTEM, "save output: %s", strerror(errno));
	if (rc != PROV_OK)
		unlink(tmp);
	else {
		*size = resp.body_size;
		snprintf(ctype, ctcap, "%s", resp.content_type);
	}
	prov_http_resp_free(&resp);
	return rc;
}

void
prov_outs_free(struct prov_outs *o)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		free(o->o[i].url);
	o->n = 0;
}

int
prov_outs_add(struct prov_outs *o, const char *url, const char *mime, int w, int h)
{
	struct prov_outref *r;

	if (o->n >= PROV_MAX_FILES || url == NULL || *url == '\0')
		return -1;
	r = &o->o[o->n];
	if ((r->url = strdup(url)) == NULL)
		return -1;
	snprintf(r->mime, sizeof(r->mime), "%s", mime != NULL ? mime : "");
	r->width = w > 0 ? w : 0;
	r->height = h > 0 ? h : 0;
	o->n++;
	return 0;
}

/* Extension of the URL's last path segment (before ? or #), if short and alnum. */
static const char *
url_ext(const char *url, char *buf, size_t cap)
{
	size_t end = strcspn(url, "?#"), i, dot = 0, slash = 0;

	if (strncmp(url, "data:", 5) == 0)
		return NULL;
	for (i = 0; i < end; i++) {
		if (url[i] == '/')
			slash = i;
		if (url[i] == '.')
			dot = i;
	}
	if (dot <= slash || end - dot - 1 == 0 || end - dot - 1 >= cap ||
	    end - dot - 1 > 5)
		return NULL;
	for (i = dot + 1; i < end; i++)
		if (!((url[i] >= 'a' && url[i] <= 'z') || (url[i] >= '0' && url[i] <= '9')))
			return NULL;
	memcpy(buf, url + dot + 1, end - dot - 1);
	buf[end - dot - 1] = '\0';
	return buf;
}

static const char *
kind_ext(enum prov_kind k)
{
	switch (k) {
	case PROV_KIND_IMAGE: return "png";
	case PROV_KIND_AUDIO: return "mp3";
	case PROV_KIND_3D: return "glb";
	default: return "mp4";
	}
}

enum prov_err
prov_outs_fetch(const struct prov_job *job, const struct prov_outs *o,
    struct prov_result *res, struct prov_error *err)
{
	size_t i, max = prov_cfg_download_max();
	char path[512], ctype[128], ebuf[16];
	const char *ext, *mime;
	struct prov_file *f;
	int64_t size, ms;
	enum prov_err rc;

	if (o->n == 0)
		return prov_fail(err, PROV_E_FAILED, "provider returned no output files");
	for (i = 0; i < o->n; i++) {
		const struct prov_outref *r = &o->o[i];

		if ((ext = prov_mime_ext(r->mime)) == NULL &&
		    (ext = url_ext(r->url, ebuf, sizeof(ebuf))) == NULL &&
		    (ext = job->format) == NULL)
			ext = kind_ext(job->kind);
		if (!mg_token_ok(ext, 8, "_-"))
			ext = "bin";
		if (prov_out_path(job, i, ext, path, sizeof(path)) != 0)
			return prov_fail(err, PROV_E_INVALID, "out_dir: too long");
		if (strncasecmp(r->url, "http://", 7) == 0 && !o->allow_http)
			return prov_fail(err, PROV_E_PROTOCOL, "output URL: plain http refused");
		if ((rc = prov_download(r->url, path, max, &size, ctype,
		    sizeof(ctype), err)) != PROV_OK)
			return rc;
		mime = r->mime[0] != '\0' ? r->mime :
		    prov_mime_ext(ctype) != NULL ? ctype : prov_ext_mime(ext);
		f = &res->files[res->nfiles++];
		snprintf(f->path, sizeof(f->path), "%s", path);
		snprintf(f->mime, sizeof(f->mime), "%.*s", (int)strcspn(mime, "; "), mime);
		f->size = size;
		f->width = r->width;
		f->height = r->height;
		if (strncmp(f->mime, "image/", 6) == 0 && (f->width == 0 || f->height == 0))
			prov_image_dims(path, &f->width, &f->height);
		if (strncmp(f->mime, "video/", 6) == 0 || strncmp(f->mime, "audio/", 6) == 0) {
			ms = prov_media_duration_ms(path);
			if (ms <= 0 && job->kind == PROV_KIND_VIDEO)
				ms = (int64_t)job->duration_s * 1000;
			f->duration_ms = ms > 0 ? ms : 0;
		}
	}
	prov_units_from_files(res, job->kind);
	return PROV_OK;
}

struct json_object *
prov_input_obj(const struct prov_job *job, struct prov_error *err)
{
	struct json_object *o;

	if (job->extra_json == NULL || job->extra_json[0] == '\0') {
		if ((o = json_object_new_object()) == NULL)
			prov_fail(err, PROV_E_SYSTEM, "out of memory");
		return o;
	}
	o = prov_json_parse(job->extra_json, strlen(job->extra_json));
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		prov_fail(err, PROV_E_INVALID, "extra_json: must be a JSON object");
		return NULL;
	}
	return o;
}

void
prov_json_default(struct json_object *o, const char *key, struct json_object *v)
{
	if (v == NULL)
		return;
	if (json_object_object_get_ex(o, key, NULL))
		json_object_put(v);
	else
		json_object_object_add(o, key, v);
}

int
prov_base_url(const char *key, const char *def, char *buf, size_t cap)
{
	const char *v = mg_cfg_str(key, def);
	size_t n;

	if (v == NULL || (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0))
		return -1;
	n = strlen(v);
	while (n > 0 && v[n - 1] == '/')
		n--;
	if (n >= cap)
		return -1;
	memcpy(buf, v, n);
	buf[n] = '\0';
	return 0;
}

int
prov_allow_http(const char *base)
{
	return strncmp(base, "http://", 7) == 0 ||
	    mg_cfg_bool("prov_download_allow_http", 0);
}

const char *
prov_json_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int
prov_json_int(struct json_object *o, const char *key, int def)
{
	struct json_object *v;
	int64_t i;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return def;
	i = json_object_get_int64(v);
	return (i < 0 || i > INT32_MAX) ? def : (int)i;
}

int
prov_contains_ci(const char *hay, const char *needle)
{
	return hay != NULL && strcasestr(hay, needle) != NULL;
}
