/*
 * gen_job: reading and writing the job row (see gen_job.h and
 * db/migrations/006_jobs.sql).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "gen_job.h"
#include "mg_log.h"
#include "wallet.h"

/* Caps of the variable-size JSON columns as read back (bytes incl. NUL). */
#define CAP_PARAMS	(64 * 1024)
#define CAP_PRICE_REQ	(4 * 1024)
#define CAP_META	(16 * 1024)
#define CAP_EFFECTIVE	(64 * 1024)
#define CAP_ADJUST	(16 * 1024)

static const char *const errs[GEN_E__MAX] = {
	"ok",				/* GEN_OK */
	"no such job",			/* GEN_E_NOT_FOUND */
	"duplicate idempotency key",	/* GEN_E_DUP */
	"job already finished",		/* GEN_E_TERMINAL */
	"database error",		/* GEN_E_DB */
};

static const char *const states[GEN_STATE__MAX] = {
	"queued", "running", "succeeded", "failed", "canceled",
};

const char *
gen_strerror(enum gen_err e)
{
	return e < GEN_E__MAX ? errs[e] : "unknown";
}

const char *
gen_state_name(enum gen_state s)
{
	return s < GEN_STATE__MAX ? states[s] : "unknown";
}

int
gen_state_parse(const char *s)
{
	int i;

	for (i = 0; s != NULL && i < GEN_STATE__MAX; i++)
		if (strcmp(s, states[i]) == 0)
			return i;
	return -1;
}

int
gen_state_terminal(enum gen_state s)
{
	return s == GEN_STATE_SUCCEEDED || s == GEN_STATE_FAILED ||
	    s == GEN_STATE_CANCELED;
}

void
gen_job_clear(struct gen_job *j)
{
	free(j->params);
	free(j->price_req);
	free(j->pricing_meta);
	free(j->effective_input);
	free(j->input_adjustments);
	j->params = j->price_req = j->pricing_meta = NULL;
	j->effective_input = j->input_adjustments = NULL;
}

/* NULL for an empty or absent string (stored as SQL NULL). */
static const char *
nz(const char *s)
{
	return s != NULL && *s != '\0' ? s : NULL;
}

enum gen_err
gen_job_insert_tx(struct db_conn *db, struct gen_job *j)
{
	char dbt[96];
	struct timespec ts;
	struct tm tm;
	enum db_err e;

	if (j->params == NULL || j->price_req == NULL ||
	    strlen(j->params) >= CAP_PARAMS ||
	    strlen(j->price_req) >= CAP_PRICE_REQ ||
	    (j->pricing_meta && strlen(j->pricing_meta) >= CAP_META) ||
	    (j->effective_input && strlen(j->effective_input) >= CAP_EFFECTIVE) ||
	    (j->input_adjustments && strlen(j->input_adjustments) >= CAP_ADJUST)) {
		mg_log(MG_LOG_ERROR, "gen_job_insert: JSON column too large");
		return GEN_E_DB;
	}
	/* created_at: now, UTC, microseconds; shown as RFC 3339. */
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(dbt, sizeof(dbt), "%04d-%02d-%02d %02d:%02d:%02d.%06ld",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, ts.tv_nsec / 1000);
	snprintf(j->created_at, sizeof(j->created_at),
	    "%.10sT%.15sZ", dbt, dbt + 11);
	snprintf(j->updated_at, sizeof(j->updated_at), "%s", j->created_at);
	j->state = GEN_STATE_QUEUED;
	j->progress_pct = -1;
	j->actual_null = 1;
	e = db_exec(db, DB_JOB_INSERT, "ssssssssssssisssisssbss",
	    j->id, j->workspace_id, nz(j->api_key_id), j->dialect, j->job_type,
	    j->kind, j->model, j->provider, j->provider_model, j->params,
	    j->catalog_version, j->price_req, j->hold_micros,
	    nz(j->pricing_meta), nz(j->effective_input),
	    nz(j->input_adjustments), j->estimated_seconds,
	    nz(j->callback_url), nz(j->callback_secret),
	    nz(j->idempotency_key),
	    j->request_hash_len ? (const void *)j->request_hash : NULL,
	    j->request_hash_len, dbt, dbt);
	if (e == DB_DUP)
		return GEN_E_DUP;
	return e == DB_OK ? GEN_OK : GEN_E_DB;
}

enum gen_err
gen_job_get(struct db_conn *db, const char *ws, const char *id, int lock,
    struct gen_job *j)
{
	enum db_stmt s;
	enum db_err e;
	char state[16];
	int64_t cancel, progress;
	int actual_null = 0;
	enum gen_err rc = GEN_E_DB;
	int st;

	memset(j, 0, sizeof(*j));
	if ((j->params = malloc(CAP_PARAMS)) == NULL ||
	    (j->price_req = malloc(CAP_PRICE_REQ)) == NULL ||
	    (j->pricing_meta = malloc(CAP_META)) == NULL ||
	    (j->effective_input = malloc(CAP_EFFECTIVE)) == NULL ||
	    (j->input_adjustments = malloc(CAP_ADJUST)) == NULL)
		goto err;
	if (ws != NULL)
		s = lock ? DB_JOB_GET_WS_LOCK : DB_JOB_GET_WS;
	else
		s = lock ? DB_JOB_GET_LOCK : DB_JOB_GET;
	if (ws != NULL)
		e = db_exec(db, s, "ss", id, ws);
	else
		e = db_exec(db, s, "s", id);
	if (e != DB_OK)
		goto err;
	e = db_next(db, s,
	    "sssssss" "ii" "sssssss" "iI" "sss" "i" "s" "ii" "sssss" "b"
	    "ssss" "i",
	    j->id, sizeof(j->id), j->workspace_id, sizeof(j->workspace_id),
	    j->api_key_id, sizeof(j->api_key_id), j->dialect, sizeof(j->dialect),
	    j->job_type, sizeof(j->job_type), j->kind, sizeof(j->kind),
	    state, sizeof(state), &cancel, &progress,
	    j->model, sizeof(j->model), j->provider, sizeof(j->provider),
	    j->provider_model, sizeof(j->provider_model),
	    j->provider_request_id, sizeof(j->provider_request_id),
	    j->params, (size_t)CAP_PARAMS,
	    j->catalog_version, sizeof(j->catalog_version),
	    j->price_req, (size_t)CAP_PRICE_REQ,
	    &j->hold_micros, &j->actual_micros, &actual_null,
	    j->pricing_meta, (size_t)CAP_META,
	    j->effective_input, (size_t)CAP_EFFECTIVE,
	    j->input_adjustments, (size_t)CAP_ADJUST,
	    &j->estimated_seconds,
	    j->lease_owner, sizeof(j->lease_owner),
	    &j->lease_until, &j->attempts,
	    j->error_code, sizeof(j->error_code),
	    j->error_message, sizeof(j->error_message),
	    j->callback_url, sizeof(j->callback_url),
	    j->callback_secret, sizeof(j->callback_secret),
	    j->idempotency_key, sizeof(j->idempotency_key),
	    j->request_hash, sizeof(j->request_hash), &j->request_hash_len,
	    j->created_at, sizeof(j->created_at),
	    j->updated_at, sizeof(j->updated_at),
	    j->started_at, sizeof(j->started_at),
	    j->finished_at, sizeof(j->finished_at),
	    &j->finished_unix);
	db_done(db, s);
	if (e == DB_NOROW) {
		rc = GEN_E_NOT_FOUND;
		goto err;
	}
	if (e != DB_OK)
		goto err;
	if ((st = gen_state_parse(state)) < 0)
		goto err;
	j->state = (enum gen_state)st;
	j->cancel_requested = cancel != 0;
	j->progress_pct = (int)progress;
	j->actual_null = actual_null;
	return GEN_OK;
err:
	gen_job_clear(j);
	return rc;
}

enum gen_err
gen_job_outputs(struct db_conn *db, const char *id, struct gen_output *out,
    size_t cap, size_t *n)
{
	struct gen_output o;
	int64_t idx, w, h;
	enum db_err e;

	*n = 0;
	if (db_exec(db, DB_JOB_OUTPUTS, "s", id) != DB_OK)
		return GEN_E_DB;
	for (;;) {
		memset(&o, 0, sizeof(o));
		e = db_next(db, DB_JOB_OUTPUTS, "isssiii", &idx, o.path,
		    sizeof(o.path), o.mime, sizeof(o.mime), &o.size, &w, &h,
		    &o.duration_ms);
		if (e != DB_OK)
			break;
		if (*n < cap) {
			o.idx = (int)idx;
			o.width = (int)w;
			o.height = (int)h;
			out[(*n)++] = o;
		}
	}
	db_done(db, DB_JOB_OUTPUTS);
	return e == DB_NOROW ? GEN_OK : GEN_E_DB;
}

enum gen_err
gen_job_cancel_tx(struct db_conn *db, const char *ws, const char *id,
    struct gen_job *j)
{
	enum gen_err rc;
	enum wallet_err we;

	if ((rc = gen_job_get(db, ws, id, 1, j)) != GEN_OK)
		return rc;
	if (gen_state_terminal(j->state))
		return GEN_E_TERMINAL;
	if (j->state == GEN_STATE_QUEUED) {
		if (db_exec(db, DB_JOB_CANCEL_QUEUED, "s", id) != DB_OK ||
		    db_affected(db, DB_JOB_CANCEL_QUEUED) != 1)
			return GEN_E_DB;
		we = wallet_release_tx(db, j->workspace_id, j->id,
		    *j->api_key_id ? j->api_key_id : NULL, j->hold_micros,
		    "canceled");
		if (we != WALLET_OK) {
			mg_log(MG_LOG_ERROR, "cancel %s: release: %s", id,
			    wallet_strerror(we));
			return GEN_E_DB;
		}
	} else if (!j->cancel_requested) {
		if (db_exec(db, DB_JOB_CANCEL_REQUEST, "s", id) != DB_OK)
			return GEN_E_DB;
	}
	gen_job_clear(j);
	return gen_job_get(db, ws, id, 0, j);
}
