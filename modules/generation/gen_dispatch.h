/*
 * gen_dispatch: the dispatcher's logic (tools/dispatch_main.c is the
 * process around it). See docs/GENERATION.md, "Dispatcher".
 *
 * One job, end to end (gen_disp_claim + gen_disp_run):
 *   1. claim: in one short transaction, SELECT the oldest due queued job
 *      FOR UPDATE SKIP LOCKED, set it running with lease_owner (this
 *      process: host:pid:random) and lease_until = now + job_lease_s,
 *      attempts + 1.
 *   2. run: the provider adapter runs in a forked child (the local
 *      provider renders synchronously; remote ones submit, then poll with
 *      backoff), writing into outputs_dir/<ws>/<job>/. The parent renews
 *      the lease every second, records the provider request id as soon
 *      as the child reports it, watches cancel_requested, and kills the
 *      child at the deadline job_timeout_s (then cancels upstream).
 *   3. settle, ONE transaction: lock the job row; still ours and running?
 *      success → state succeeded, job_outputs rows, wallet_capture_tx of
 *      the actual price (catalog_price of the stored price_req with the
 *      delivered units, never above the hold); failure, timeout,
 *      moderation (error_code nsfw_blocked), cancel → failed|canceled and
 *      wallet_release_tx of the whole hold; plus the callback_deliveries
 *      row when the job has a callback URL. Retryable provider errors
 *      requeue the job (next_attempt_at = now + backoff) until
 *      job_max_attempts, then fail and release.
 *   A job that is no longer ours (lease lost, canceled while queued) is
 *   left alone: its money was settled by whoever ended it ("settle:<job>"
 *   is unique in the ledger, so a job is never charged twice).
 *
 * Timers (gen_disp_timers, run by the daemon's master every second):
 * expired leases (requeue or fail + release), callback deliveries due,
 * callback rows for jobs canceled by the API, output clean-up after
 * output_ttl_h, and the ledger's reservation expiry / auto-recharge hooks
 * when modules/wallet provides them.
 *
 * Config keys (mg_cfg_*, env MG_<KEY> wins), defaults in brackets:
 *   dispatch_slots [4]            worker processes
 *   job_lease_s [30]              lease length (renewed every second)
 *   job_timeout_s [600]           deadline of one attempt
 *   job_max_attempts [3]          attempts before a retryable error fails
 *   job_retry_base_s [2]          requeue backoff: base * 2^(attempt-1) ...
 *   job_retry_max_s [300]         ... capped
 *   dispatch_poll_ms [200]        idle claim poll interval
 *   provider_poll_min_ms [500]    remote status poll backoff: min ...
 *   provider_poll_max_ms [5000]   ... and max
 *   circuit_threshold [5]         consecutive provider failures → open
 *   circuit_cooldown_s [60]       how long the circuit stays open
 *   circuit_local [0]             1: the local provider trips it too
 *   output_ttl_h [72]             outputs deleted after
 *   callback_max_attempts [8]     deliveries before giving up
 *   callback_retry_base_s [5]     delivery backoff base (x2 per attempt,
 *                                 capped at 3600 s)
 *   dispatch_routes [""]          "model=provider,..." overrides the
 *                                 catalog's provider for a model
 *   dispatch_test_markers [0]     1: a prompt containing [[provider:NAME]]
 *                                 runs on NAME (tests drive the remote
 *                                 fakes this way); never in production
 */
#ifndef GEN_DISPATCH_H
#define GEN_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#include "prov.h"

struct db_conn;
struct catalog;

struct gen_disp_cfg {
	int64_t	slots;
	int64_t	lease_s;
	int64_t	job_timeout_s;
	int64_t	max_attempts;
	int64_t	retry_base_s;
	int64_t	retry_max_s;
	int64_t	poll_ms;
	int64_t	prov_poll_min_ms;
	int64_t	prov_poll_max_ms;
	int64_t	circuit_threshold;
	int64_t	circuit_cooldown_s;
	int	circuit_local;
	int64_t	output_ttl_h;
	int64_t	cb_max_attempts;
	int64_t	cb_base_s;
	int	test_markers;
	char	owner[128];		/* lease owner: host:pid:random */
};

/* Outcome classes of a provider error. */
enum gen_disp_class {
	GEN_DISP_RETRY,		/* requeue if attempts are left */
	GEN_DISP_FAIL,		/* final failure: release */
	GEN_DISP_MODERATION,	/* final: nsfw_blocked, release */
	GEN_DISP_UNKNOWN	/* a create may have run upstream: never resend */
};

/* Read the config keys above; owner made from host, pid and randomness. */
void		 gen_disp_cfg_load(struct gen_disp_cfg *);
/* Regenerate cfg->owner (call in each forked worker). */
void		 gen_disp_cfg_owner(struct gen_disp_cfg *);

/* Pure helpers (unit-tested). */

/* Requeue delay after attempt n ≥ 1: base * 2^(n-1), capped at max. */
int64_t		 gen_disp_backoff_s(int64_t attempt, int64_t base, int64_t max);
/* What a provider error of call op means for the job. */
enum gen_disp_class gen_disp_classify(enum prov_err, enum prov_op);
/* The job error_code word for a provider error ("provider_failed", ...). */
const char	*gen_disp_error_code(enum prov_err);
/* 1 when the error says the provider is unhealthy (counts for the breaker). */
int		 gen_disp_circuit_counts(enum prov_err);
/*
 * The provider named for model in a routes string "m=p,m2=p2" into buf;
 * 0 found, -1 not. Pure.
 */
int		 gen_disp_route(const char *routes, const char *model,
		    char *buf, size_t cap);
/* The NAME of the first [[provider:NAME]] in prompt; 0 found, -1 not. */
int		 gen_disp_marker(const char *prompt, char *buf, size_t cap);

/*
 * Parse the job's params JSON (gen_job.h) into *job. Strings point into
 * storage owned by *hold (a json_object the caller puts back with
 * json_object_put); input paths become absolute under root into inputs[]
 * (each 512 bytes). Remote source URLs ("urls": strings or {field, url})
 * and studio compose "segments" go to *src (borrowed from *hold); the
 * dispatcher downloads the URLs (SSRF-guarded) and resolves segment
 * asset ids (earlier succeeded jobs of the workspace) into inputs.
 * Returns 0, or -1 with err naming the field.
 */
struct json_object;
struct gen_disp_sources {
	const char		*urls[PROV_MAX_INPUTS];	/* "urls": remote sources */
	size_t			 nurls;
	struct json_object	*segments;	/* studio compose segments or NULL */
};
int		 gen_disp_params(const char *params, const char *root,
		    struct prov_job *job, struct json_object **hold,
		    char (*inputs)[512], const char **inputv, size_t maxin,
		    struct gen_disp_sources *src, char *err, size_t errlen);

/*
 * The actual price of a finished job: catalog_price of the stored
 * price_req (catalog version must match) with the delivered units (image
 * count, output duration rounded up to whole seconds) never above what was
 * asked, clamped to [0, hold]. On any doubt (other version, parse or price
 * error) the hold itself, with why set. Returns the micros.
 */
int64_t		 gen_disp_actual(const struct catalog *, const char *version,
		    const char *price_req, int64_t hold,
		    const struct prov_result *, char *why, size_t whylen);

/* The daemon's steps. Each returns ≥ 0 (work done) or -1 on a DB failure. */

/* Claim one due queued job: 1 with id set, 0 none due, -1 error. */
int		 gen_disp_claim(struct db_conn *, const struct gen_disp_cfg *,
		    char id[37]);
/*
 * Run a claimed job to its end (or requeue it) and settle it. *stop is
 * polled: when it becomes non-zero the attempt is abandoned and the job
 * requeued without using up an attempt. Returns 0, or -1 on a DB failure
 * (the lease then expires and the recovery timer takes over).
 */
int		 gen_disp_run(struct db_conn *, const struct catalog *,
		    const struct gen_disp_cfg *, const char *id,
		    volatile const int *stop);
/* Timers; returns the number of items handled or -1. */
int		 gen_disp_recover(struct db_conn *, const struct gen_disp_cfg *);
int		 gen_disp_callbacks(struct db_conn *, const struct gen_disp_cfg *);
int		 gen_disp_callback_sweep(struct db_conn *, const struct gen_disp_cfg *);
int		 gen_disp_cleanup(struct db_conn *, const struct gen_disp_cfg *);
/*
 * The circuit breaker table as a JSON array into out (caller frees):
 * [{"provider","consecutive_failures","open","open_seconds_left",
 *   "last_error"}]. NULL on a DB failure.
 */
char		*gen_disp_health_json(struct db_conn *);
/* Deliver the callback of one job now if due (after its settle). */
int		 gen_disp_callback_one(struct db_conn *, const struct gen_disp_cfg *,
		    const char *job_id);

#endif
