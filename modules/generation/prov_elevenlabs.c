/*
 * prov_elevenlabs: ElevenLabs text-to-speech (providers.md §3).
 *
 *	POST {base}/v1/text-to-speech/{voice_id}?output_format=<fmt>
 *	xi-api-key: <key>, body {"text", "model_id"?, "seed"?, extra_json...}
 *	200 → raw audio bytes (streamed to out_dir), headers request-id and
 *	character-cost (optional).
 *
 * Synchronous: submit returns SUCCEEDED with the file; poll is unsupported
 * and cancel a no-op. Errors are {"detail": object | list | string}, see
 * prov_el_parse_error.
 * Config: elevenlabs_base_url (https://api.elevenlabs.io), elevenlabs_key,
 * elevenlabs_timeout_s (120).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "mg_config.h"
#include "mg_util.h"
#include "prov.h"
#include "prov_int.h"

/*
 * Output format: NULL/"mp3" → "mp3_44100_128", "pcm" → "pcm_24000",
 * "opus" → "opus_48000_128", otherwise codec_rate[_bitrate] with codec in
 * mp3|pcm|ulaw|alaw|opus, passed through. NULL when invalid.
 */
const char *
prov_el_format(const char *f)
{
	static const char *const codecs[] = { "mp3_", "pcm_", "ulaw_", "alaw_",
	    "opus_", NULL };
	size_t i, k, parts = 0, digits = 0;

	if (f == NULL || strcmp(f, "mp3") == 0)
		return "mp3_44100_128";
	if (strcmp(f, "pcm") == 0)
		return "pcm_24000";
	if (strcmp(f, "opus") == 0)
		return "opus_48000_128";
	if (strlen(f) > 24)
		return NULL;
	for (k = 0; codecs[k] != NULL; k++)
		if (strncmp(f, codecs[k], strlen(codecs[k])) == 0)
			break;
	if (codecs[k] == NULL)
		return NULL;
	for (i = strlen(codecs[k]);; i++) {
		if (f[i] >= '0' && f[i] <= '9') {
			digits++;
			continue;
		}
		if (digits == 0)
			return NULL;
		parts++;
		digits = 0;
		if (f[i] == '\0')
			break;
		if (f[i] != '_')
			return NULL;
	}
	return parts <= 2 ? f : NULL;
}

/* Known error codes (detail.code / detail.status / detail.type) → class. */
static enum prov_err
code_class(const char *c)
{
	static const struct {
		const char	*code;
		enum prov_err	 err;
	} map[] = {
		{ "invalid_api_key", PROV_E_AUTH },
		{ "missing_permissions", PROV_E_AUTH },
		{ "quota_exceeded", PROV_E_QUOTA },
		{ "voice_not_found", PROV_E_NOT_FOUND },
		{ "max_character_limit_exceeded", PROV_E_REJECTED },
		{ "rate_limit_exceeded", PROV_E_RATE_LIMIT },
		{ "system_busy", PROV_E_RATE_LIMIT },
		{ "concurrent_limit_exceeded", PROV_E_RATE_LIMIT },
		{ "too_many_concurrent_requests", PROV_E_RATE_LIMIT },
		{ "invalid_parameters", PROV_E_REJECTED },
		{ "validation_error", PROV_E_REJECTED },
	};
	size_t i;

	for (i = 0; c != NULL && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].code, c) == 0)
			return map[i].err;
	return PROV_OK;
}

/*
 * Error bodies (providers.md §3 "Errors"):
 *	{"detail":{"type","code","message","request_id","param","status"}}
 *	{"detail":{"status":"invalid_api_key","message"}}          (legacy)
 *	{"detail":[{"loc","msg","type"}]}                          (FastAPI 422)
 *	{"detail":"..."}
 * The first known word among code, status, type decides the class;
 * otherwise the HTTP status does.
 */
enum prov_err
prov_el_parse_error(long http, const char *body, size_t len,
    struct prov_error *err)
{
	struct json_object *o, *d, *first;
	const char *code = NULL, *msg = NULL, *cands[3];
	enum prov_err rc = prov_http_class(http), c;
	size_t i;

	if (rc == PROV_OK)
		rc = PROV_E_PROTOCOL;
	o = prov_json_parse(body, len);
	if (o != NULL && json_object_object_get_ex(o, "detail", &d)) {
		if (json_object_is_type(d, json_type_object)) {
			cands[0] = prov_json_str(d, "code");
			cands[1] = prov_json_str(d, "status");
			cands[2] = prov_json_str(d, "type");
			msg = prov_json_str(d, "message");
			for (i = 0; i < 3; i++) {
				if (cands[i] == NULL)
					continue;
				if (code == NULL)
					code = cands[i];
				if ((c = code_class(cands[i])) != PROV_OK) {
					code = cands[i];
					rc = c;
					break;
				}
			}
		} else if (json_object_is_type(d, json_type_array) &&
		    json_object_array_length(d) > 0 &&
		    (first = json_object_array_get_idx(d, 0)) != NULL) {
			msg = prov_json_str(first, "msg");
			code = "validation_error";
			if (http == 400 || http == 422)
				rc = PROV_E_REJECTED;
		} else if (json_object_is_type(d, json_type_string))
			msg = json_object_get_string(d);
	}
	snprintf(err->type, sizeof(err->type), "%s", code != NULL ? code : "");
	err->http_status = (int)http;
	prov_fail(err, rc, "elevenlabs: HTTP %ld%s%s%s%s", http, code ? " " : "",
	    code ? code : "", msg ? ": " : "", msg ? msg : "");
	json_object_put(o);
	return rc;
}

/* Extension and MIME type for an output format. */
static void
fmt_file(const char *fmt, const char **ext, const char **mime)
{
	if (strncmp(fmt, "mp3_", 4) == 0) {
		*ext = "mp3";
		*mime = "audio/mpeg";
	} else if (strncmp(fmt, "pcm_", 4) == 0) {
		*ext = "pcm";
		*mime = "audio/L16";
	} else if (strncmp(fmt, "opus_", 5) == 0) {
		*ext = "opus";
		*mime = "audio/opus";
	} else if (strncmp(fmt, "ulaw_", 5) == 0) {
		*ext = "ulaw";
		*mime = "audio/basic";
	} else {
		*ext = "alaw";
		*mime = "audio/x-alaw-basic";
	}
}

/*
 * Duration of the audio in ms: pcm (16-bit mono) and u/a-law from the byte
 * count and sample rate; mp3/opus through ffprobe, else from the bitrate.
 */
static int64_t
audio_ms(const char *fmt, const char *path, int64_t size)
{
	const char *p = strchr(fmt, '_');
	const char *q;
	int64_t rate = 0, kbps = 0, ms;

	if (p == NULL)
		return 0;
	q = strchr(p + 1, '_');
	if (mg_parse_i64(p + 1, q ? (size_t)(q - p - 1) : strlen(p + 1), 1,
	    1000000, &rate) != 0)
		return 0;
	if (strncmp(fmt, "pcm_", 4) == 0)
		return size * 1000 / (2 * rate);
	if (strncmp(fmt, "ulaw_", 5) == 0 || strncmp(fmt, "alaw_", 5) == 0)
		return size * 1000 / rate;
	if ((ms = prov_media_duration_ms(path)) > 0)
		return ms;
	if (q != NULL && mg_parse_i64(q + 1, strlen(q + 1), 1, 100000, &kbps) == 0)
		return size * 8 / kbps;
	return 0;
}

enum prov_err
prov_el_submit(const struct prov_job *job, struct prov_result *res,
    struct prov_error *err)
{
	char base[400], auth[600], url[800], path[512], tmp[600];
	const char *fmt, *ext, *mime, *key, *hdrs[5];
	struct json_object *in = NULL;
	struct prov_http_resp resp;
	struct prov_http_req req;
	int64_t cost;
	enum prov_err rc;

	prov_result_init(res);
	prov_error_init(err);
	prov_http_resp_init(&resp);
	tmp[0] = '\0';
	if ((rc = prov_job_check(job, err)) != PROV_OK)
		goto out;
	if (job->kind != PROV_KIND_AUDIO) {
		rc = prov_fail(err, PROV_E_UNSUPPORTED, "elevenlabs: audio only");
		goto out;
	}
	if (!mg_token_ok(job->voice, 64, "_-")) {
		rc = prov_fail(err, PROV_E_INVALID, "voice: an ElevenLabs voice id is required");
		goto out;
	}
	if ((fmt = prov_el_format(job->format)) == NULL) {
		rc = prov_fail(err, PROV_E_INVALID, "format: mp3, pcm, opus or codec_rate[_bitrate]");
		goto out;
	}
	if (job->has_seed && job->seed > 4294967295LL) {
		rc = prov_fail(err, PROV_E_INVALID, "seed: at most 4294967295");
		goto out;
	}
	if (job->model != NULL && !mg_token_ok(job->model, 64, "_-")) {
		rc = prov_fail(err, PROV_E_INVALID, "model: not an ElevenLabs model id");
		goto out;
	}
	if (prov_base_url("elevenlabs_base_url", "https://api.elevenlabs.io",
	    base, sizeof(base)) != 0) {
		rc = prov_fail(err, PROV_E_INVALID, "elevenlabs_base_url: not an http(s) URL");
		goto out;
	}
	key = mg_cfg_str("elevenlabs_key", NULL);
	if (key == NULL || *key == '\0' || strpbrk(key, "\r\n") != NULL ||
	    (size_t)snprintf(auth, sizeof(auth), "xi-api-key: %s", key) >= sizeof(auth)) {
		rc = prov_fail(err, PROV_E_AUTH, "elevenlabs_key: not configured");
		goto out;
	}
	if ((in = prov_input_obj(job, err)) == NULL) {
		rc = err->code;
		goto out;
	}
	prov_json_default(in, "text", json_object_new_string(job->prompt));
	if (job->model != NULL)
		prov_json_default(in, "model_id", json_object_new_string(job->model));
	if (job->has_seed)
		prov_json_default(in, "seed", json_object_new_int64(job->seed));
	fmt_file(fmt, &ext, &mime);
	if (prov_out_path(job, 0, ext, path, sizeof(path)) != 0) {
		rc = prov_fail(err, PROV_E_INVALID, "out_dir: too long");
		goto out;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(url, sizeof(url), "%s/v1/text-to-speech/%s?output_format=%s",
	    base, job->voice, fmt);
	hdrs[0] = auth;
	hdrs[1] = "Content-Type: application/json";
	hdrs[2] = "Accept: */*";
	hdrs[3] = NULL;
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = url;
	req.headers = hdrs;
	req.body = json_object_to_json_string_ext(in, JSON_C_TO_STRING_PLAIN);
	req.body_len = strlen(req.body);
	req.connect_timeout_s = prov_cfg_connect_timeout();
	req.timeout_s = (long)mg_cfg_int("elevenlabs_timeout_s", 120);
	req.max_body = prov_cfg_download_max();
	req.out_path = tmp;
	if ((rc = prov_http_do(&req, &resp, err)) != PROV_OK)
		goto out;
	snprintf(res->request_id, sizeof(res->request_id), "%s", resp.request_id);
	if (resp.status < 200 || resp.status > 299) {
		rc = prov_el_parse_error(resp.status, resp.body.data, resp.body.len, err);
		goto out;
	}
	if (resp.body_size == 0) {
		rc = prov_fail(err, PROV_E_PROTOCOL, "elevenlabs: empty audio");
		goto out;
	}
	if (rename(tmp, path) != 0) {
		rc = prov_fail(err, PROV_E_SYSTEM, "save output: %s", strerror(errno));
		goto out;
	}
	tmp[0] = '\0';
	res->nfiles = 1;
	snprintf(res->files[0].path, sizeof(res->files[0].path), "%s", path);
	snprintf(res->files[0].mime, sizeof(res->files[0].mime), "%s", mime);
	res->files[0].size = resp.body_size;
	res->files[0].duration_ms = audio_ms(fmt, path, resp.body_size);
	prov_units_from_files(res, job->kind);
	res->units.characters = prov_utf8_len(job->prompt);
	if (mg_parse_i64(resp.character_cost, strlen(resp.character_cost), 0,
	    INT64_MAX, &cost) == 0)
		res->units.credits = cost;
	res->state = PROV_STATE_SUCCEEDED;
	snprintf(res->status, sizeof(res->status), "succeeded");
out:
	if (tmp[0] != '\0')
		unlink(tmp);
	if (rc != PROV_OK)
		res->state = prov_err_retry(rc, PROV_OP_SUBMIT) == PROV_RETRY_NO ?
		    PROV_STATE_FAILED : PROV_STATE_UNKNOWN;
	json_object_put(in);
	prov_http_resp_free(&resp);
	return rc;
}

/* Synchronous API: there is nothing to poll. */
enum prov_err
prov_el_poll(const struct prov_job *job, const char *id,
    struct prov_result *res, struct prov_error *err)
{
	prov_result_init(res);
	prov_error_init(err);
	res->state = PROV_STATE_FAILED;
	return prov_fail(err, PROV_E_UNSUPPORTED,
	    "elevenlabs: synchronous, results come from submit");
}

/* Synchronous API: nothing runs after submit returns. */
enum prov_err
prov_el_cancel(const struct prov_job *job, const char *id,
    struct prov_error *err)
{
	prov_error_init(err);
	return PROV_OK;
}
