/*
 * prov_int: declarations private to the provider adapters (modules/generation
 * prov_*.c) and their unit tests. Not for the dispatcher: use prov.h.
 */
#ifndef PROV_INT_H
#define PROV_INT_H

#include <stddef.h>
#include <stdint.h>

#include "mg_buf.h"
#include "prov.h"

struct json_object;

/* --- adapters (entries of prov_table) --- */
enum prov_err	prov_local_submit(const struct prov_job *, struct prov_result *, struct prov_error *);
enum prov_err	prov_local_poll(const struct prov_job *, const char *, struct prov_result *, struct prov_error *);
enum prov_err	prov_local_cancel(const struct prov_job *, const char *, struct prov_error *);
enum prov_err	prov_fal_submit(const struct prov_job *, struct prov_result *, struct prov_error *);
enum prov_err	prov_fal_poll(const struct prov_job *, const char *, struct prov_result *, struct prov_error *);
enum prov_err	prov_fal_cancel(const struct prov_job *, const char *, struct prov_error *);
enum prov_err	prov_rep_submit(const struct prov_job *, struct prov_result *, struct prov_error *);
enum prov_err	prov_rep_poll(const struct prov_job *, const char *, struct prov_result *, struct prov_error *);
enum prov_err	prov_rep_cancel(const struct prov_job *, const char *, struct prov_error *);
enum prov_err	prov_el_submit(const struct prov_job *, struct prov_result *, struct prov_error *);
enum prov_err	prov_el_poll(const struct prov_job *, const char *, struct prov_result *, struct prov_error *);
enum prov_err	prov_el_cancel(const struct prov_job *, const char *, struct prov_error *);

/* --- prov.c helpers --- */
int64_t		prov_utf8_len(const char *);
int		prov_out_path(const struct prov_job *, size_t i, const char *ext, char *, size_t);
void		prov_units_from_files(struct prov_result *, enum prov_kind);

/* --- prov_local.c helpers shared with remote adapters --- */
/* Read an image file's size with libgd; 0 or -1. */
int		prov_image_dims(const char *path, int *w, int *h);
/* Media duration in ms via ffprobe; -1 when unknown. */
int64_t		prov_media_duration_ms(const char *path);
/* Extension for a MIME type ("image/png" → "png"), or NULL. */
const char	*prov_mime_ext(const char *mime);
/* MIME type for an extension ("png" → "image/png"), or "application/octet-stream". */
const char	*prov_ext_mime(const char *ext);

/*
 * The local annotation document into b: {format, language (default "en"),
 * sources, durationMs|null, transcriptSource "provided"|"none",
 * transcript|null, words:[{word, startMs, endMs}] spread evenly over
 * duration_ms (null timings when duration_ms < 0), signature}. Returns 0,
 * or -1 on OOM.
 */
int		prov_annotation_json(struct mg_buf *b, const char *transcript,
		    const char *language, int64_t duration_ms, size_t ninputs,
		    const char *signature);

/* --- prov_http.c: a small libcurl helper --- */
#define PROV_HTTP_JSON_MAX	(4u * 1024 * 1024)	/* cap on JSON bodies */

struct prov_http_req {
	const char		*method;	/* "GET", "POST", "PUT" */
	const char		*url;
	const char *const	*headers;	/* NULL-terminated "Name: value" */
	const char		*body;		/* may be NULL */
	size_t			 body_len;
	long			 connect_timeout_s;
	long			 timeout_s;
	size_t			 max_body;	/* bytes; larger → PROV_E_TOO_LARGE */
	const char		*out_path;	/* stream the body to this file on 2xx */
	int			 follow;	/* follow redirects (downloads only) */
};

struct prov_http_resp {
	long		status;			/* 0: no answer */
	struct mg_buf	body;			/* heap; prov_http_resp_free */
	int64_t		body_size;		/* bytes received (also when streamed) */
	char		content_type[128];
	char		request_id[128];	/* request-id header */
	char		character_cost[32];	/* character-cost header */
	char		fal_error_type[64];	/* X-Fal-Error-Type header */
	char		retry_after[32];
};

void		prov_http_resp_init(struct prov_http_resp *);
void		prov_http_resp_free(struct prov_http_resp *);
/*
 * Perform one request. Returns PROV_OK when an HTTP answer arrived (any
 * status: the caller classifies it), else a transport class: PROV_E_CONNECT
 * when nothing was sent, PROV_E_TIMEOUT when sent and no full answer,
 * PROV_E_TOO_LARGE, PROV_E_SYSTEM.
 */
enum prov_err	prov_http_do(const struct prov_http_req *, struct prov_http_resp *,
		    struct prov_error *);
/* Generic HTTP status → error class (2xx → PROV_OK). */
enum prov_err	prov_http_class(long status);
/*
 * Fetch url (http(s) or a base64 data: URI) into path, at most max bytes,
 * atomically (temp file + rename). No credentials are sent. On success sets
 * *size and copies the response Content-Type into ctype (may be empty).
 */
enum prov_err	prov_download(const char *url, const char *path, size_t max,
		    int64_t *size, char *ctype, size_t ctcap, struct prov_error *);
/* Config: connect/request/download timeouts and download cap. */
long		prov_cfg_connect_timeout(void);
long		prov_cfg_timeout(void);
size_t		prov_cfg_download_max(void);

/* Parse a JSON body (depth and size capped); NULL if malformed. Caller puts. */
struct json_object *prov_json_parse(const char *, size_t);

/* The job's extra_json as a new object (or {}); NULL + err if not an object. */
struct json_object *prov_input_obj(const struct prov_job *, struct prov_error *);
/* Add key = v (taking v) unless key is already set (extra_json wins). */
void		prov_json_default(struct json_object *, const char *key, struct json_object *v);
/* Config base URL without trailing '/'; -1 if not http(s) or too long. */
/* 1 if base starts with http:// or prov_download_allow_http is set. */
int		prov_allow_http(const char *base);
int		prov_base_url(const char *key, const char *def, char *buf, size_t cap);
/* Member key if a string, else NULL (borrowed from o). */
const char	*prov_json_str(struct json_object *, const char *key);
/* Member key if a non-negative int that fits, else def. */
int		prov_json_int(struct json_object *, const char *key, int def);
/* Case-insensitive substring test; 0 when hay is NULL. */
int		prov_contains_ci(const char *hay, const char *needle);

/* --- remote output references, filled by the response parsers --- */
struct prov_outref {
	char	*url;		/* heap */
	char	 mime[64];
	int	 width;
	int	 height;
};

struct prov_outs {
	struct prov_outref	 o[PROV_MAX_FILES];
	size_t			 n;
	int			 nsfw_dropped;	/* fal has_nsfw_concepts hits */
	int			 allow_http;	/* plain http:// outputs allowed (see prov_outs_fetch) */
};

void		prov_outs_free(struct prov_outs *);
/* Add a url (copied). 0, or -1 when full or OOM. */
int		prov_outs_add(struct prov_outs *, const char *url, const char *mime, int w, int h);
/*
 * Download every output into job->out_dir as res->files, then fill units.
 * Extensions come from the MIME type, the URL, or job->format. Output URLs
 * must be https:// or data: unless o->allow_http (set by an adapter whose
 * configured base URL is itself plain http, i.e. a fake or a dev proxy, or
 * by config prov_download_allow_http).
 */
enum prov_err	prov_outs_fetch(const struct prov_job *, const struct prov_outs *,
		    struct prov_result *, struct prov_error *);

/* --- fal.ai queue parsers (providers.md §1) --- */
/* Model id "owner/app[/path]" → "owner/app" into buf; -1 if malformed. */
int		prov_fal_app(const char *model, char *buf, size_t cap);
enum prov_err	prov_fal_parse_submit(const char *, size_t, struct prov_result *, struct prov_error *);
/* Status response (HTTP 200/202). *completed = 1 when the result must be fetched. */
enum prov_err	prov_fal_parse_status(long http, const char *, size_t, struct prov_result *,
		    int *completed, struct prov_error *);
enum prov_err	prov_fal_parse_result(const char *, size_t, struct prov_outs *, struct prov_error *);
/* Classify a non-2xx answer; from_result: the body is the model's own outcome. */
enum prov_err	prov_fal_parse_error(long http, const char *err_type_hdr, const char *, size_t,
		    int from_result, struct prov_error *);
enum prov_err	prov_fal_parse_cancel(long http, const char *, size_t, struct prov_error *);

/* --- Replicate parsers (providers.md §2) --- */
enum prov_err	prov_rep_parse_prediction(const char *, size_t, struct prov_result *,
		    struct prov_outs *, struct prov_error *);
enum prov_err	prov_rep_parse_error(long http, const char *, size_t, struct prov_error *);

/* --- ElevenLabs parsers (providers.md §3) --- */
enum prov_err	prov_el_parse_error(long http, const char *, size_t, struct prov_error *);
/* "mp3" / NULL → "mp3_44100_128"; codec_rate[_bitrate] passed through; NULL if invalid. */
const char	*prov_el_format(const char *fmt);

/* --- local provider internals, exposed for tests --- */
/* Markers in a prompt. Returns 0 or -1 (malformed [[slow:N]]). */
struct prov_markers {
	int	fail;
	int	nsfw;
	int	retry;
	int	slow_s;		/* -1 none */
};
int		prov_local_markers(const char *prompt, struct prov_markers *);
/* Run argv with a timeout; stdout into out (may be NULL). 0 ok, else error set. */
/* "libx264" or "mpeg4": the encoder local video uses (ffmpeg -encoders). */
const char	*prov_local_video_encoder(void);
enum prov_err	prov_local_run(const char *const *argv, long timeout_s, struct mg_buf *out,
		    struct prov_error *);

#endif
