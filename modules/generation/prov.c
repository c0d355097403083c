/*
 * prov: the adapter table and what every adapter shares (validation, error
 * classes, result helpers). See prov.h for the interface.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "mg_http.h"
#include "mg_util.h"
#include "prov.h"
#include "prov_int.h"

const struct prov_ops prov_table[PROV__MAX] = {
	/* PROV_LOCAL */
	{ "local", prov_local_submit, prov_local_poll, prov_local_cancel },
	/* PROV_FAL */
	{ "fal", prov_fal_submit, prov_fal_poll, prov_fal_cancel },
	/* PROV_REPLICATE */
	{ "replicate", prov_rep_submit, prov_rep_poll, prov_rep_cancel },
	/* PROV_ELEVENLABS */
	{ "elevenlabs", prov_el_submit, prov_el_poll, prov_el_cancel },
};

static const char *const prov_errs[PROV_E__MAX] = {
	"ok",				/* PROV_OK */
	"connect failed (not sent)",	/* PROV_E_CONNECT */
	"rate limited",			/* PROV_E_RATE_LIMIT */
	"provider unavailable",		/* PROV_E_UNAVAILABLE */
	"timed out",			/* PROV_E_TIMEOUT */
	"provider server error",	/* PROV_E_SERVER */
	"unexpected provider response",	/* PROV_E_PROTOCOL */
	"local system error",		/* PROV_E_SYSTEM */
	"invalid job",			/* PROV_E_INVALID */
	"rejected by provider",		/* PROV_E_REJECTED */
	"provider authentication failed", /* PROV_E_AUTH */
	"provider quota exhausted",	/* PROV_E_QUOTA */
	"not found",			/* PROV_E_NOT_FOUND */
	"blocked by moderation",	/* PROV_E_MODERATION */
	"generation failed",		/* PROV_E_FAILED */
	"canceled",			/* PROV_E_CANCELED */
	"output too large",		/* PROV_E_TOO_LARGE */
	"unsupported by provider",	/* PROV_E_UNSUPPORTED */
};

static const char *const prov_states[PROV_STATE__MAX] = {
	"unknown",	/* PROV_STATE_UNKNOWN */
	"queued",	/* PROV_STATE_QUEUED */
	"running",	/* PROV_STATE_RUNNING */
	"succeeded",	/* PROV_STATE_SUCCEEDED */
	"failed",	/* PROV_STATE_FAILED */
};

int
prov_init(void)
{
	static int done;

	if (done)
		return 0;
	if (mg_http_init() != 0)
		return -1;
	done = 1;
	return 0;
}

enum prov_id
prov_by_name(const char *name)
{
	int i;

	if (name == NULL)
		return PROV__MAX;
	for (i = 0; i < PROV__MAX; i++)
		if (strcmp(prov_table[i].name, name) == 0)
			return (enum prov_id)i;
	return PROV__MAX;
}

const char *
prov_strerror(enum prov_err e)
{
	if ((int)e < 0 || e >= PROV_E__MAX)
		return "unknown error";
	return prov_errs[e];
}

const char *
prov_state_str(enum prov_state s)
{
	if ((int)s < 0 || s >= PROV_STATE__MAX)
		return "unknown";
	return prov_states[s];
}

/*
 * Retry policy (providers.md §4): a create is repeated only when it provably
 * never arrived or was refused before work (429, 503). A create that timed
 * out, lost its connection or got another 5xx may have run and billed:
 * PROV_RETRY_UNKNOWN. Status, result and cancel calls are safe to repeat on
 * every transient class.
 */
enum prov_retry
prov_err_retry(enum prov_err e, enum prov_op op)
{
	switch (e) {
	case PROV_E_CONNECT:
	case PROV_E_RATE_LIMIT:
	case PROV_E_UNAVAILABLE:
		return PROV_RETRY_YES;
	case PROV_E_TIMEOUT:
	case PROV_E_SERVER:
	case PROV_E_PROTOCOL:
	case PROV_E_SYSTEM:
		return op == PROV_OP_SUBMIT ? PROV_RETRY_UNKNOWN :
		    PROV_RETRY_YES;
	default:
		return PROV_RETRY_NO;
	}
}

void
prov_result_init(struct prov_result *res)
{
	memset(res, 0, sizeof(*res));
	res->state = PROV_STATE_UNKNOWN;
	res->queue_position = -1;
	res->units.credits = -1;
	res->units.compute_ms = -1;
}

void
prov_error_init(struct prov_error *err)
{
	memset(err, 0, sizeof(*err));
}

enum prov_err
prov_fail(struct prov_error *err, enum prov_err code, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

/* Length of s in UTF-8 code points (continuation bytes not counted). */
int64_t
prov_utf8_len(const char *s)
{
	int64_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/*
 * Shared validation. Rules (each with a named negative test):
 * kind in range; out_dir an existing directory with a path short enough for
 * output names; name (if set) a token; width/height in [0, PROV_DIM_MAX]
 * (0 = provider default); duration in [0, PROV_DURATION_MAX]; count in
 * [0, PROV_COUNT_MAX]; prompt at most PROV_PROMPT_MAX bytes; audio needs
 * non-empty text; image/video need a non-empty prompt (3d and annotation
 * work from their inputs: a prompt is optional); compose needs
 * 1..PROV_MAX_INPUTS inputs (concat at least 2); seed >= 0.
 */
enum prov_err
prov_job_check(const struct prov_job *job, struct prov_error *err)
{
	struct stat st;
	size_t plen;

	if ((int)job->kind < 0 || job->kind >= PROV_KIND__MAX)
		return prov_fail(err, PROV_E_INVALID, "kind: unknown");
	if (job->out_dir == NULL || job->out_dir[0] == '\0')
		return prov_fail(err, PROV_E_INVALID, "out_dir: required");
	if (strlen(job->out_dir) > 400)
		return prov_fail(err, PROV_E_INVALID, "out_dir: too long");
	if (stat(job->out_dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return prov_fail(err, PROV_E_INVALID, "out_dir: not a directory");
	if (job->name != NULL && !mg_token_ok(job->name, 64, "_-"))
		return prov_fail(err, PROV_E_INVALID, "name: must be 1-64 of [A-Za-z0-9_-]");
	if (job->width < 0 || job->width > PROV_DIM_MAX)
		return prov_fail(err, PROV_E_INVALID, "width: out of range 0..%d", PROV_DIM_MAX);
	if (job->height < 0 || job->height > PROV_DIM_MAX)
		return prov_fail(err, PROV_E_INVALID, "height: out of range 0..%d", PROV_DIM_MAX);
	if (job->duration_s < 0 || job->duration_s > PROV_DURATION_MAX)
		return prov_fail(err, PROV_E_INVALID, "duration: out of range 0..%d", PROV_DURATION_MAX);
	if (job->count < 0 || job->count > PROV_COUNT_MAX)
		return prov_fail(err, PROV_E_INVALID, "count: out of range 0..%d", PROV_COUNT_MAX);
	if (job->has_seed && job->seed < 0)
		return prov_fail(err, PROV_E_INVALID, "seed: negative");
	plen = job->prompt != NULL ? strlen(job->prompt) : 0;
	if (plen > PROV_PROMPT_MAX)
		return prov_fail(err, PROV_E_INVALID, "prompt: longer than %d bytes", PROV_PROMPT_MAX);
	switch (job->kind) {
	case PROV_KIND_AUDIO:
		if (plen == 0)
			return prov_fail(err, PROV_E_INVALID, "text: required");
		break;
	case PROV_KIND_IMAGE:
	case PROV_KIND_VIDEO:
		if (plen == 0)
			return prov_fail(err, PROV_E_INVALID, "prompt: required");
		break;
	case PROV_KIND_COMPOSE:
		if ((int)job->compose < 0 || job->compose >= PROV_COMPOSE__MAX)
			return prov_fail(err, PROV_E_INVALID, "compose: unknown operation");
		if (job->ninputs == 0 || job->inputs == NULL)
			return prov_fail(err, PROV_E_INVALID, "inputs: required");
		if (job->ninputs > PROV_MAX_INPUTS)
			return prov_fail(err, PROV_E_INVALID, "inputs: more than %d", PROV_MAX_INPUTS);
		if (job->compose == PROV_COMPOSE_CONCAT && job->ninputs < 2)
			return prov_fail(err, PROV_E_INVALID, "inputs: concat needs at least 2");
		break;
	default:
		break;
	}
	return PROV_OK;
}

/* "<out_dir>/<name|out>-<i>.<ext>" into buf; 0 or -1 if it does not fit. */
int
prov_out_path(const struct prov_job *job, size_t i, const char *ext,
    char *buf, size_t cap)
{
	int n;

	n = snprintf(buf, cap, "%s/%s-%zu.%s", job->out_dir,
	    job->name != NULL ? job->name : "out", i, ext);
	return (n < 0 || (size_t)n >= cap) ? -1 : 0;
}

/* Fill the totals of res->units from res->files (images, pixels, durations). */
void
prov_units_from_files(struct prov_result *res, enum prov_kind kind)
{
	size_t i;
	int64_t ms = 0;

	res->units.images = 0;
	res->units.pixels = 0;
	for (i = 0; i < res->nfiles; i++) {
		if (strncmp(res->files[i].mime, "image/", 6) == 0) {
			res->units.images++;
			res->units.pixels += (int64_t)res->files[i].width *
			    res->files[i].height;
		}
		ms += res->files[i].duration_ms;
	}
	if (kind == PROV_KIND_VIDEO || kind == PROV_KIND_AUDIO ||
	    kind == PROV_KIND_COMPOSE) {
		res->units.duration_ms = ms;
		res->units.seconds = (ms + 999) / 1000;
	}
}
