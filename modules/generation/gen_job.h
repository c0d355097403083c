/*
 * gen_job: the job row (db/migrations/006_jobs.sql) shared by the HTTP
 * submit/poll/cancel routes (gen_http.c) and the dispatcher.
 *
 * Life of a job:
 *   queued ──claim (lease)──▶ running ──▶ succeeded | failed | canceled
 *   queued ──DELETE──▶ canceled          (hold released in the same tx)
 *   running + cancel_requested ──dispatcher──▶ canceled (hold released)
 * A job exists iff its hold does: gen_job_insert_tx() runs inside the
 * submit transaction right after wallet_hold_tx(). Exactly one terminal
 * transition settles the hold (wallet_capture_tx / wallet_release_tx, ref
 * "settle:<id>"), in the same transaction as the state change.
 * A moderation block is GEN_STATE_FAILED with error_code "nsfw_blocked".
 *
 * params is the provider work as JSON, the fields of struct prov_job:
 *   {"kind": "image|video|audio|3d|compose", "compose": "concat|resize",
 *    "prompt": str, "width": n, "height": n, "duration_s": n, "count": n,
 *    "voice": str, "format": str, "seed": n (absent: none),
 *    "inputs": [paths relative to outputs_dir], "extra": {...}}
 * Output and input paths are relative to config outputs_dir
 * (env MG_OUTPUTS_DIR); a job's files live under "<job id>/".
 */
#ifndef GEN_JOB_H
#define GEN_JOB_H

#include <stddef.h>
#include <stdint.h>

struct db_conn;

enum gen_state {
	GEN_STATE_QUEUED,
	GEN_STATE_RUNNING,
	GEN_STATE_SUCCEEDED,
	GEN_STATE_FAILED,
	GEN_STATE_CANCELED,
	GEN_STATE__MAX
};

enum gen_err {
	GEN_OK = 0,
	GEN_E_NOT_FOUND,	/* no such job (in this workspace) */
	GEN_E_DUP,		/* unique key hit (idempotency key) */
	GEN_E_TERMINAL,		/* job already finished */
	GEN_E_DB,		/* database failure */
	GEN_E__MAX
};

#define GEN_ID_LEN	36
#define GEN_MAX_OUTPUTS	16

/* One job row. Strings are NUL-terminated and truncated to their buffers. */
struct gen_job {
	char		id[GEN_ID_LEN + 1];
	char		workspace_id[GEN_ID_LEN + 1];
	char		api_key_id[GEN_ID_LEN + 1];	/* "" : none */
	char		dialect[16];		/* studio|prepaid|credits|tenant */
	char		job_type[48];		/* studio type or prepaid task */
	char		kind[16];		/* catalog kind name */
	enum gen_state	state;
	int		cancel_requested;
	int		progress_pct;		/* -1 : unknown */
	char		model[128];		/* catalog model id */
	char		provider[64];		/* catalog provider id */
	char		provider_model[192];
	char		provider_request_id[128];
	char		*params;		/* JSON, heap (gen_job_clear) */
	char		catalog_version[64];
	char		*price_req;		/* JSON, heap */
	int64_t		hold_micros;
	int64_t		actual_micros;
	int		actual_null;		/* actual_micros not set yet */
	char		*pricing_meta;		/* JSON or "", heap */
	char		*effective_input;	/* JSON or "", heap */
	char		*input_adjustments;	/* JSON or "", heap */
	int64_t		estimated_seconds;
	char		lease_owner[128];
	int64_t		lease_until;		/* unix seconds, 0 : none */
	int64_t		attempts;
	char		error_code[64];
	char		error_message[512];
	char		callback_url[2049];
	char		callback_secret[129];
	char		idempotency_key[192];
	unsigned char	request_hash[32];
	size_t		request_hash_len;
	char		created_at[40];		/* RFC 3339 UTC */
	char		updated_at[40];
	char		started_at[40];		/* "" : not yet */
	char		finished_at[40];	/* "" : not yet */
	int64_t		finished_unix;		/* 0 : not yet */
};

/* One output file (job_outputs row). */
struct gen_output {
	int		idx;
	char		path[512];		/* relative to outputs_dir */
	char		mime[64];
	int64_t		size;
	int		width;
	int		height;
	int64_t		duration_ms;
};

const char	*gen_strerror(enum gen_err);
/* "queued", "running", "succeeded", "failed", "canceled". */
const char	*gen_state_name(enum gen_state);
/* State by name; -1 when unknown. */
int		 gen_state_parse(const char *);
/* 1 for succeeded, failed, canceled. */
int		 gen_state_terminal(enum gen_state);

/* Free the heap strings of j (safe on a zeroed or cleared job). */
void		 gen_job_clear(struct gen_job *);

/*
 * Insert j as a queued job inside the caller's transaction (fields used:
 * id, workspace_id, api_key_id, dialect, job_type, kind, model, provider,
 * provider_model, params, catalog_version, price_req, hold_micros,
 * pricing_meta, effective_input, input_adjustments, estimated_seconds,
 * callback_url, callback_secret, idempotency_key, request_hash).
 * Sets j->created_at/updated_at (now, UTC), state queued, progress -1,
 * actual_null. GEN_E_DUP when (workspace, idempotency_key) already exists.
 */
enum gen_err	 gen_job_insert_tx(struct db_conn *, struct gen_job *);

/*
 * Load job id into *j (caller clears it with gen_job_clear). ws NULL: any
 * workspace (dispatcher/admin pools only); otherwise another workspace's job
 * is GEN_E_NOT_FOUND. lock: SELECT … FOR UPDATE (inside a transaction).
 */
enum gen_err	 gen_job_get(struct db_conn *, const char *ws, const char *id,
		    int lock, struct gen_job *j);

/* Outputs of job id into out[0..cap); *n set. */
enum gen_err	 gen_job_outputs(struct db_conn *, const char *id,
		    struct gen_output *out, size_t cap, size_t *n);

/*
 * Cancel (DELETE /v1/jobs/{id}) inside the caller's transaction: a queued
 * job becomes canceled and its hold is released; a running job gets
 * cancel_requested = 1 (the dispatcher cancels upstream, then finishes it
 * as canceled and releases). *j is reloaded after the change.
 * GEN_E_NOT_FOUND, GEN_E_TERMINAL (already finished → 409).
 */
enum gen_err	 gen_job_cancel_tx(struct db_conn *, const char *ws,
		    const char *id, struct gen_job *j);

#endif
