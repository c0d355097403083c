/*
 * catalog_render: json-c renderers for the catalog endpoints, in the exact
 * response shapes of the seeds. Each returns a new json_object owned by the
 * caller (json_object_put), or NULL when memory runs out. USD amounts are
 * integers in *_micros fields; decimal USD fields are display-only numbers
 * printed from the integer (never computed in floating point).
 */
#ifndef CATALOG_RENDER_H
#define CATALOG_RENDER_H

#include <stdint.h>
#include <time.h>

#include <json-c/json.h>

#include "catalog.h"
#include "catalog_price.h"

/*
 * Studio GET /v1/models: {"data": [Model]} with Model's required
 * model_id, type, provider, cost_usd_per_unit, unit, plus max_resolution,
 * max_duration_s, supports_audio and extras (name, capabilities,
 * operation_id, cost_usd_micros_per_unit). kind filters (CATALOG_KIND_ANY:
 * all). 3d models are left out: the seed's Model.type has no "3d".
 */
json_object	*catalog_render_models(const struct catalog *, enum catalog_kind);

/*
 * Studio GET /v1/pricing: {currency, micros_per_unit, operations[
 * {operation_id, model, provider, unit, price_usd_micros, price_usd,
 * notes}], generated_at (RFC 3339 of now), catalog_version, multipliers[]}.
 */
json_object	*catalog_render_pricing(const struct catalog *, time_t now);

/*
 * Studio GET /v1/prisms: {"data": [Prism]}, filtered by category (NULL or
 * "": any) and compatible_with (NULL or "": any; else image|video|audio).
 * Returns CATALOG_OK, CATALOG_E_VALUE for a compatible_with outside the
 * enum (answer 400), or CATALOG_E_NOMEM.
 */
enum catalog_err catalog_render_prisms(const struct catalog *,
	    const char *category, const char *compatible_with, json_object **out);

/*
 * Prepaid GET /api/v1/packages: {"ok": true, "packages": [{code, name,
 * priceUsdMicros, priceUsd, creditUsdMicros, creditUsd}]} (USD strings as
 * in the seed's usdCharged).
 */
json_object	*catalog_render_packages(const struct catalog *);

/* Credits top-up packs: {"packages": [{id, name, credits, priceUsdMicros, priceUsd}]}. */
json_object	*catalog_render_credit_packs(const struct catalog *);

/*
 * A quote's breakdown, for the prepaid pricingMeta and for logs:
 * {catalog_version, model, operation_id, unit, total_usd_micros, total_usd,
 * credits, estimated_seconds, effective{...}, lines[...]}.
 */
json_object	*catalog_render_quote(const struct catalog_quote *);

/*
 * Studio POST /v1/estimate response from the outcome of catalog_price:
 * {credits, usd, estimated_seconds, model, kind, would_succeed,
 * reasons_blocked[], current_balance, usd_micros}. rc is what
 * catalog_price returned for req; balance_micros < 0 means unknown (no
 * insufficient_credits check). An unknown model answers would_succeed
 * false with reasons_blocked ["unknown_model"], as the seed describes.
 */
json_object	*catalog_render_estimate(const struct catalog *,
	    const struct catalog_price_req *, enum catalog_price_err rc,
	    const struct catalog_quote *, int64_t balance_micros);

#endif
