/*
 * catalog_jobs: the studio catalog routes that create jobs, served by the
 * generation pool (they hold money through gen_submit_studio, gen_http.h):
 *   POST /v1/prisms/{id}/apply  exactly one of asset_id, image_params,
 *                               video_params → 202 Job (type prism_apply)
 *   POST /v1/characters         {name, image_urls[1..5], attributes?} →
 *                               202 Job (type character_train) + character_id
 * The other /v1/characters routes (catalog_http.h) run in the same pool,
 * because nginx sends one path to one pool.
 */
#ifndef CATALOG_JOBS_H
#define CATALOG_JOBS_H

#include "mg_ctx.h"

int	catalog_h_prism_apply(struct mg_ctx *);
int	catalog_h_character_create(struct mg_ctx *);

#endif
