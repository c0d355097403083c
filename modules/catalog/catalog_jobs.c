/*
 * catalog_jobs: prism apply and character training (catalog_jobs.h).
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "catalog_active.h"
#include "catalog_http.h"
#include "catalog_jobs.h"
#include "catalog_price.h"
#include "db.h"
#include "gen_http.h"
#include "gen_job.h"
#include "mg_crypto.h"
#include "mg_log.h"

/* A member that is present and not JSON null. */
static json_object *
present(json_object *o, const char *k)
{
	json_object *v = NULL;

	return json_object_object_get_ex(o, k, &v) ? v : NULL;
}

/* A deep copy of o owned by the request (NULL on OOM). */
static json_object *
copy(struct mg_ctx *c, json_object *o)
{
	json_object *d = NULL;

	if (json_object_deep_copy(o, &d, NULL) != 0)
		return NULL;
	return mg_json_own(c, d);
}

/*
 * The body priced for an existing asset: a job of this workspace that
 * succeeded with image or video output. The prism's recipe runs as a new
 * generation of the same kind on the catalog's default model, with
 * asset_id passed through (params.extra) for adapters that edit inputs.
 * Returns 0 with *body and *shape, or the status answered.
 */
static int
asset_body(struct mg_ctx *c, const struct catalog *cat,
    const struct catalog_prism *p, const char *asset, json_object **body,
    const char **shape)
{
	struct gen_job j;
	const struct catalog_model *m;
	enum gen_err ge;
	int kind;
	char prompt[2001];

	if (!catalog_uuid_valid(asset))
		return mg_fail(c, MG_E_INVALID_PARAM, "asset_id: not an asset id");
	memset(&j, 0, sizeof(j));
	ge = gen_job_get(c->db, c->who.workspace_id, asset, 0, &j);
	if (ge == GEN_E_NOT_FOUND)
		return mg_fail(c, MG_E_NOT_FOUND, "no such asset");
	if (ge != GEN_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not read the asset");
	kind = catalog_kind_parse(j.kind);
	if (j.state != GEN_STATE_SUCCEEDED) {
		gen_job_clear(&j);
		return mg_fail(c, MG_E_CONFLICT, "asset %s is not ready", asset);
	}
	gen_job_clear(&j);
	if ((kind != CATALOG_KIND_IMAGE && kind != CATALOG_KIND_VIDEO) ||
	    !(p->compat & (1u << kind)))
		return mg_fail(c, MG_E_INVALID_PARAM, "prism %s does not apply "
		    "to this asset", p->id);
	if ((m = catalog_default_model(cat, (enum catalog_kind)kind)) == NULL)
		return mg_fail(c, MG_E_UNAVAILABLE, "no default %s model",
		    catalog_kind_name((enum catalog_kind)kind));
	snprintf(prompt, sizeof(prompt), "%s%s%s", p->name,
	    p->description ? ": " : "", p->description ? p->description : "");
	*body = mg_json_own(c, json_object_new_object());
	json_object_object_add(*body, "model", json_object_new_string(m->id));
	json_object_object_add(*body, "prompt", json_object_new_string(prompt));
	json_object_object_add(*body, "asset_id", json_object_new_string(asset));
	*shape = kind == CATALOG_KIND_IMAGE ? "image" : "video";
	return 0;
}

/*
 * POST /v1/prisms/{id}/apply: 404 unknown prism; exactly one of asset_id,
 * image_params (GenerateImageRequest), video_params (GenerateVideoRequest)
 * else 400; the prism must be compatible with that kind (400). The job is
 * priced, held and queued like any studio generation; 202 Job + prism_id.
 */
int
catalog_h_prism_apply(struct mg_ctx *c)
{
	const char *id = fcgi_req_param(&c->req, "id");
	const struct catalog *cat;
	const struct catalog_prism *p;
	const struct gen_job *job;
	json_object *body, *asset, *img, *vid, *priced = NULL, *jj;
	const char *shape = NULL;
	int n, st;

	if ((cat = catalog_active(c->db)) == NULL)
		return mg_fail(c, MG_E_UNAVAILABLE, "the price catalog is unavailable");
	mg_header(c, "X-Catalog-Version", cat->version);
	if (id == NULL || (p = catalog_prism(cat, id)) == NULL)
		return mg_fail(c, MG_E_NOT_FOUND, "no such prism");
	if ((body = mg_json_body(c)) == NULL)
		return c->status;
	asset = present(body, "asset_id");
	img = present(body, "image_params");
	vid = present(body, "video_params");
	n = (asset != NULL) + (img != NULL) + (vid != NULL);
	if (n != 1)
		return mg_fail(c, MG_E_INVALID_PARAM, "give exactly one of "
		    "asset_id, image_params, video_params (%d given)", n);
	if (asset != NULL) {
		if (!json_object_is_type(asset, json_type_string))
			return mg_fail(c, MG_E_INVALID_PARAM,
			    "asset_id: must be a string");
		if ((st = asset_body(c, cat, p, json_object_get_string(asset),
		    &priced, &shape)) != 0)
			return st;
	} else {
		json_object *params = img != NULL ? img : vid;
		int kind = img != NULL ? CATALOG_KIND_IMAGE : CATALOG_KIND_VIDEO;

		if (!json_object_is_type(params, json_type_object))
			return mg_fail(c, MG_E_INVALID_PARAM, "%s: must be an object",
			    img != NULL ? "image_params" : "video_params");
		if (!(p->compat & (1u << kind)))
			return mg_fail(c, MG_E_INVALID_PARAM, "prism %s does not "
			    "apply to %s", p->id, catalog_kind_name(
			    (enum catalog_kind)kind));
		if ((priced = copy(c, params)) == NULL)
			return mg_fail(c, MG_E_INTERNAL, "out of memory");
		shape = img != NULL ? "image" : "video";
	}
	json_object_object_add(priced, "prism_id", json_object_new_string(p->id));
	if ((st = gen_submit_studio(c, shape, "prism_apply", priced, &job,
	    &jj)) != 0)
		return st;
	json_object_object_add(jj, "prism_id", json_object_new_string(p->id));
	return mg_reply_json(c, 202, jj);
}

/*
 * POST /v1/characters: validate (the catalog's "character" body rules),
 * store the character (status training), then submit its training job;
 * a refused submit (402, 429, 503, ...) soft-deletes the character again,
 * so no character is left without a job. An Idempotency-Key replay
 * answers the first request's job and character. 202 Job + character_id.
 */
int
catalog_h_character_create(struct mg_ctx *c)
{
	struct catalog_price_req req;
	const struct gen_job *job;
	json_object *body, *v, *jj;
	const char *urls, *attrs;
	char err[256], id[37], prev[37];
	enum db_err e;
	int st;

	if ((body = mg_json_body(c)) == NULL)
		return c->status;
	if (catalog_price_req_from_json("character", body, &req, err,
	    sizeof(err)) != CATALOG_PRICE_OK)
		return mg_fail(c, MG_E_INVALID_PARAM, "%s", err);
	urls = json_object_to_json_string_ext(present(body, "image_urls"),
	    JSON_C_TO_STRING_PLAIN);
	urls = mg_arena_strdup(c->arena, urls);
	v = present(body, "attributes");
	attrs = v != NULL ? mg_arena_strdup(c->arena,
	    json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN)) : "{}";
	if (urls == NULL || attrs == NULL)
		return mg_fail(c, MG_E_INTERNAL, "out of memory");
	if (strlen(attrs) > 65535)
		return mg_fail(c, MG_E_INVALID_PARAM, "attributes: at most 64 KB");
	mg_uuid(id);
	if (db_exec(c->db, DB_CHAR_INSERT, "sssssss", id, c->who.workspace_id,
	    json_object_get_string(present(body, "name")), "training", urls,
	    attrs, (const char *)NULL) != DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not store the character");
	if ((st = gen_submit_studio(c, "character", "character_train", body,
	    &job, &jj)) != 0) {
		if (db_exec(c->db, DB_CHAR_DELETE, "ss", id,
		    c->who.workspace_id) != DB_OK)
			mg_log(MG_LOG_ERROR, "character %s left without a job", id);
		return st;
	}
	mg_json_own(c, jj);
	/* An Idempotency-Key replay answers the first request's character. */
	e = db_row(c->db, DB_CHAR_BY_JOB, "ss", "s", job->id,
	    c->who.workspace_id, prev, sizeof(prev));
	if (e == DB_OK) {
		(void)db_exec(c->db, DB_CHAR_DELETE, "ss", id, c->who.workspace_id);
		snprintf(id, sizeof(id), "%s", prev);
	} else if (e != DB_NOROW || db_exec(c->db, DB_CHAR_SET_JOB, "sss",
	    job->id, id, c->who.workspace_id) != DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not link the training job");
	json_object_object_add(jj, "character_id", json_object_new_string(id));
	return mg_reply_json(c, 202, json_object_get(jj));
}
