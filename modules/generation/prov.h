/*
 * prov: provider adapters (local, fal.ai queue, Replicate, ElevenLabs).
 *
 * One interface, one table entry per provider, indexed by enum prov_id:
 *
 *	submit(job, res, err)          start the job; res->request_id for a
 *	                               queued job, or res->state SUCCEEDED with
 *	                               the files already written (local,
 *	                               ElevenLabs, Replicate "Prefer: wait").
 *	poll(job, request_id, res, err) the job's state; on SUCCEEDED the
 *	                               outputs are downloaded into job->out_dir.
 *	cancel(job, request_id, err)    best-effort cancel.
 *
 * Every call returns PROV_OK or an error code, also stored in err->code with
 * a human-readable err->msg (never a secret). When a call returns non-OK,
 * prov_err_retry() says whether the caller may repeat the call: creates are
 * repeated only when provably never sent or refused with 429/503
 * (providers.md §4, "Idempotency"); an ambiguous create answers
 * PROV_RETRY_UNKNOWN and must be reconciled, not re-sent. A final error
 * from poll() means the job has failed (res->state = PROV_STATE_FAILED).
 *
 * The adapters do no database and no HTTP serving; the dispatcher owns the
 * job row and prices the capture from res->units. Nothing is cached between
 * calls except the configuration; calls are safe from several processes.
 *
 * Local provider test markers (in job->prompt):
 *	[[fail]]    final failure (PROV_E_FAILED)
 *	[[nsfw]]    moderation block (PROV_E_MODERATION, "nsfw_blocked")
 *	[[slow:N]]  sleep N seconds (0..3600) before rendering; a sleep longer
 *	            than local_render_timeout_s fails with PROV_E_TIMEOUT
 *	[[retry]]   retryable failure (PROV_E_UNAVAILABLE)
 *
 * Config keys (mg_cfg_*; env MG_<KEY> wins):
 *	local_render_timeout_s (120), ffmpeg_path, ffprobe_path, espeak_path;
 *	fal_base_url (https://queue.fal.run), fal_key, fal_request_timeout_s;
 *	replicate_base_url (https://api.replicate.com/v1), replicate_token,
 *	replicate_wait_s (0 = no "Prefer: wait"), replicate_cancel_after;
 *	elevenlabs_base_url (https://api.elevenlabs.io), elevenlabs_key,
 *	elevenlabs_timeout_s (120);
 *	prov_connect_timeout_s (10), prov_timeout_s (30),
 *	prov_download_timeout_s (300), prov_download_max_bytes (200 MB),
 *	prov_download_allow_http (0; implied when a base URL is http://).
 *
 * The local provider reaps its own children with waitpid(pid): do not set
 * SIGCHLD to SIG_IGN or reap with waitpid(-1) in the calling process.
 */
#ifndef PROV_H
#define PROV_H

#include <stddef.h>
#include <stdint.h>

enum prov_id {
	PROV_LOCAL,		/* built-in offline renderer */
	PROV_FAL,		/* fal.ai queue API */
	PROV_REPLICATE,		/* Replicate predictions */
	PROV_ELEVENLABS,	/* ElevenLabs text-to-speech */
	PROV__MAX
};

enum prov_kind {
	PROV_KIND_IMAGE,	/* PROV_KIND_IMAGE */
	PROV_KIND_VIDEO,	/* PROV_KIND_VIDEO */
	PROV_KIND_AUDIO,	/* PROV_KIND_AUDIO: speech from text */
	PROV_KIND_3D,		/* PROV_KIND_3D: glTF model */
	PROV_KIND_COMPOSE,	/* PROV_KIND_COMPOSE: see enum prov_compose */
	PROV_KIND_TRAINING,	/* PROV_KIND_TRAINING: a character adapter (JSON) */
	PROV_KIND_ANNOTATION,	/* PROV_KIND_ANNOTATION: annotate inputs[0] audio (JSON) */
	PROV_KIND__MAX
};

enum prov_compose {
	PROV_COMPOSE_CONCAT,	/* concatenate input videos (same codec/size) */
	PROV_COMPOSE_RESIZE,	/* scale inputs[0] to width x height */
	PROV_COMPOSE__MAX
};

enum prov_state {
	PROV_STATE_UNKNOWN,	/* not learned (transport error) */
	PROV_STATE_QUEUED,
	PROV_STATE_RUNNING,
	PROV_STATE_SUCCEEDED,
	PROV_STATE_FAILED,
	PROV_STATE__MAX
};

enum prov_err {
	PROV_OK = 0,
	/* retryable: never sent / refused before work started */
	PROV_E_CONNECT,		/* DNS or connect failure: never sent */
	PROV_E_RATE_LIMIT,	/* 429 (rate, concurrency, system_busy) */
	PROV_E_UNAVAILABLE,	/* 503 */
	/* retryable for poll/cancel, ambiguous for submit */
	PROV_E_TIMEOUT,		/* timed out after sending */
	PROV_E_SERVER,		/* other 5xx, 499 */
	PROV_E_PROTOCOL,	/* unparseable or unexpected response */
	PROV_E_SYSTEM,		/* local failure: OOM, disk, spawn */
	/* final */
	PROV_E_INVALID,		/* our validation: bad job, never sent */
	PROV_E_REJECTED,	/* provider 400/422 validation */
	PROV_E_AUTH,		/* 401/403: bad key or no access */
	PROV_E_QUOTA,		/* 402, quota_exceeded, insufficient credit */
	PROV_E_NOT_FOUND,	/* 404, unknown request id or voice */
	PROV_E_MODERATION,	/* content blocked (nsfw_blocked) */
	PROV_E_FAILED,		/* the model run failed */
	PROV_E_CANCELED,	/* canceled or aborted upstream */
	PROV_E_TOO_LARGE,	/* an output exceeded the download limit */
	PROV_E_UNSUPPORTED,	/* this provider cannot do this kind/op */
	PROV_E__MAX
};

enum prov_op {
	PROV_OP_SUBMIT,
	PROV_OP_POLL,
	PROV_OP_CANCEL
};

enum prov_retry {
	PROV_RETRY_NO,		/* final: fail the job */
	PROV_RETRY_YES,		/* safe to repeat the call */
	PROV_RETRY_UNKNOWN	/* create may have run: reconcile, don't resend */
};

#define PROV_MAX_FILES		16
#define PROV_MAX_INPUTS		16
#define PROV_PROMPT_MAX		10000	/* bytes of prompt/text */
#define PROV_DIM_MAX		4096	/* pixels per side */
#define PROV_DURATION_MAX	600	/* seconds */
#define PROV_COUNT_MAX		8

/* The work to do. Strings are borrowed from the caller for the call. */
struct prov_job {
	enum prov_kind		 kind;
	enum prov_compose	 compose;	/* kind == COMPOSE only */
	const char		*model;		/* provider model id; may be NULL for local */
	const char		*prompt;	/* prompt, or text for audio; optional for 3d/annotation */
	int			 width;		/* pixels; 0 = provider default */
	int			 height;
	int			 duration_s;	/* video seconds */
	int			 count;		/* images; 0 means 1 */
	const char		*voice;		/* audio voice (local name or provider id) */
	const char		*format;	/* png|webp|jpeg|wav|mp3|mp4|gltf; NULL = default */
	int64_t			 seed;
	int			 has_seed;
	const char *const	*inputs;	/* input file paths (compose) */
	size_t			 ninputs;
	const char		*extra_json;	/* JSON object merged into remote input; may be NULL */
	const char		*out_dir;	/* existing directory for outputs */
	const char		*name;		/* output file stem; NULL = "out" */
};

/* One file written into out_dir. 0 means "unknown" for the numbers. */
struct prov_file {
	char		path[512];
	char		mime[64];
	int64_t		size;
	int		width;
	int		height;
	int64_t		duration_ms;
};

/*
 * Units actually consumed, for pricing the capture (integers only):
 * megapixels = pixels / 1e6; seconds rounds duration_ms up.
 */
struct prov_units {
	int64_t		images;
	int64_t		pixels;		/* sum of width*height over images */
	int64_t		seconds;	/* audio/video output seconds, rounded up */
	int64_t		duration_ms;
	int64_t		characters;	/* TTS input characters (UTF-8 code points) */
	int64_t		credits;	/* ElevenLabs character-cost header; -1 absent */
	int64_t		compute_ms;	/* Replicate metrics.predict_time; -1 absent */
};

struct prov_result {
	enum prov_state		state;
	char			request_id[128];	/* empty when finished synchronously */
	char			status[32];		/* provider's raw status word */
	int			queue_position;		/* -1 unknown */
	struct prov_file	files[PROV_MAX_FILES];
	size_t			nfiles;
	struct prov_units	units;
};

struct prov_error {
	enum prov_err	code;
	int		http_status;		/* 0 when no HTTP answer */
	char		type[64];		/* provider code, e.g. "nsfw_blocked" */
	char		msg[256];
};

struct prov_ops {
	const char	*name;			/* "local", "fal", ... */
	enum prov_err	(*submit)(const struct prov_job *, struct prov_result *,
			    struct prov_error *);
	enum prov_err	(*poll)(const struct prov_job *, const char *request_id,
			    struct prov_result *, struct prov_error *);
	enum prov_err	(*cancel)(const struct prov_job *, const char *request_id,
			    struct prov_error *);
};

extern const struct prov_ops	prov_table[PROV__MAX];

/* Once per process before any call (curl_global_init). Returns 0 or -1. */
int		 prov_init(void);

/* Provider by name ("local", "fal", "replicate", "elevenlabs"); PROV__MAX if unknown. */
enum prov_id	 prov_by_name(const char *);
const char	*prov_strerror(enum prov_err);
const char	*prov_state_str(enum prov_state);
/* Whether a call of kind op that failed with e may be repeated. */
enum prov_retry	 prov_err_retry(enum prov_err e, enum prov_op op);

/*
 * Validate the parts of a job every provider shares (kind, sizes, count,
 * duration, text length, out_dir). Returns PROV_OK or PROV_E_INVALID with
 * err->msg naming the field.
 */
enum prov_err	 prov_job_check(const struct prov_job *, struct prov_error *);

/* Reset res/err to empty ("unknown" numbers = -1 where documented). */
void		 prov_result_init(struct prov_result *);
void		 prov_error_init(struct prov_error *);
/* Set err (printf-style message) and return code. */
enum prov_err	 prov_fail(struct prov_error *, enum prov_err code, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

#endif
