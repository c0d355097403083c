/*
 * catalog_http: the catalog pool's studio routes (seed 002):
 *   GET  /v1/models        auth read   catalog_render_models
 *   GET  /v1/pricing       public      catalog_render_pricing
 *   POST /v1/estimate      auth        exact quote + feasibility, no money moved
 *   GET  /v1/prisms        auth read   ?category= &compatible_with=
 *   GET  /v1/characters    auth read   cursor pagination (?limit=1..100 &cursor=)
 *   GET  /v1/characters/{id}    auth read
 *   DELETE /v1/characters/{id}  auth admin, 204, soft delete
 * (the /v1/characters routes are served by the generation pool, with
 * POST /v1/characters in catalog_jobs.h: nginx sends one path to one pool)
 * Every answer built from the catalog names the active version in the
 * X-Catalog-Version header (and in a catalog_version member where the body
 * is an object of ours). Cards/nodes are in catalog_cards.h.
 */
#ifndef CATALOG_HTTP_H
#define CATALOG_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "mg_ctx.h"

int	catalog_h_models(struct mg_ctx *);
int	catalog_h_pricing(struct mg_ctx *);
int	catalog_h_estimate(struct mg_ctx *);
int	catalog_h_prisms(struct mg_ctx *);
int	catalog_h_characters_list(struct mg_ctx *);
int	catalog_h_character_get(struct mg_ctx *);
int	catalog_h_character_delete(struct mg_ctx *);

/*
 * Opaque list cursors: base64url("c1." decimal position), position > 0.
 * encode writes at most CATALOG_CURSOR_MAX bytes with the NUL and returns
 * 0 (or -1 when pos <= 0 or out is too small). decode returns 0 with *pos
 * set, or -1 for anything that encode could not have produced.
 */
#define CATALOG_CURSOR_MAX	48
int	catalog_cursor_encode(int64_t pos, char *out, size_t cap);
int	catalog_cursor_decode(const char *s, int64_t *pos);

/* 1 when s is a canonical lowercase UUID (8-4-4-4-12 hex). */
int	catalog_uuid_valid(const char *s);

#endif
