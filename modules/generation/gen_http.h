/*
 * gen_http: the job routes of the studio (002) and prepaid (003) dialects.
 *
 * Every submit runs the same path (docs/GENERATION.md):
 *   validate (catalog_price_req_from_json + inline sources) → price
 *   (catalog_price) → guards (blocklist, circuit breaker) → idempotency
 *   lookup → ONE transaction: wallet_hold_tx, concurrency cap, spend cap,
 *   job INSERT → 202 (studio) / 201 (prepaid).
 * Any refusal rolls the transaction back: no hold, no job, no ledger row.
 */
#ifndef GEN_HTTP_H
#define GEN_HTTP_H

#include "mg_ctx.h"

/* studio: POST /v1/images/generate, /v1/videos/generate, /v1/audio/generate. */
int	gen_h_image(struct mg_ctx *);
int	gen_h_video(struct mg_ctx *);
int	gen_h_audio(struct mg_ctx *);
/* studio: POST /v1/compose → ComposeJobAck. */
int	gen_h_compose(struct mg_ctx *);
/* studio: POST /v1/generate (deprecated alias, Deprecation: true). */
int	gen_h_generate_legacy(struct mg_ctx *);
/* studio: GET /v1/jobs/{id} → Job. */
int	gen_h_job_get(struct mg_ctx *);
/* studio: GET /v1/generations/{id} (deprecated alias). */
int	gen_h_generation_get(struct mg_ctx *);
/* studio: DELETE /v1/jobs/{id}: cancel. */
int	gen_h_job_cancel(struct mg_ctx *);
/* prepaid: POST /api/v1/media/jobs → 201 MediaJobSubmitResponse. */
int	gen_h_media_submit(struct mg_ctx *);
/* prepaid: GET /api/v1/media/jobs?jobId=&includeDetails= → MediaJobStatusResponse. */
int	gen_h_media_status(struct mg_ctx *);

/*
 * The studio submit path on a caller-built body (shape: the catalog body
 * kind, type: the stored Job.type). 0 with *job and *job_json (caller
 * owns the JSON), else the status answered. For modules/catalog routes.
 */
struct gen_job;
int	gen_submit_studio(struct mg_ctx *, const char *shape, const char *type,
	    json_object *body, const struct gen_job **job, json_object **job_json);

#endif
