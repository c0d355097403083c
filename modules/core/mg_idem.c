#include <string.h>

#include <sodium.h>

#include "db.h"
#include "mg_config.h"
#include "mg_crypto.h"
#include "mg_idem.h"
#include "mg_log.h"

int
mg_idem_key_valid(const char *key, size_t len)
{
	size_t i;

	if (key == NULL || len == 0 || len > MG_IDEM_KEY_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)key[i] < 0x20 || (unsigned char)key[i] > 0x7e)
			return 0;
	return 1;
}

void
mg_idem_hash(const char *method, const char *path, const char *body,
    size_t len, char out[65])
{
	crypto_hash_sha256_state st;
	unsigned char h[32];

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)method,
	    strlen(method));
	crypto_hash_sha256_update(&st, (const unsigned char *)"\n", 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)path, strlen(path));
	crypto_hash_sha256_update(&st, (const unsigned char *)"\n", 1);
	if (body != NULL && len > 0)
		crypto_hash_sha256_update(&st, (const unsigned char *)body, len);
	crypto_hash_sha256_final(&st, h);
	mg_hex(h, sizeof(h), out);
}

/*
 * The key of the request: the header, else the body's top-level
 * "idempotencyKey" string. Returns NULL when there is none; sets *bad when
 * the body names one that is not a string.
 */
static const char *
request_key(struct mg_ctx *c, int *bad)
{
	const char *k = fcgi_req_header(&c->req, "Idempotency-Key");
	json_object *o, *v;

	*bad = 0;
	if (k != NULL)
		return k;
	if (c->req.body == NULL || c->req.body_len == 0 ||
	    strstr(c->req.body, "idempotencyKey") == NULL)
		return NULL;
	if ((o = mg_json_parse(c->req.body, c->req.body_len,
	    MG_JSON_MAX_DEPTH)) == NULL)
		return NULL;	/* the handler answers invalid_json */
	mg_json_own(c, o);
	if (!json_object_object_get_ex(o, "idempotencyKey", &v) || v == NULL)
		return NULL;
	if (!json_object_is_type(v, json_type_string)) {
		*bad = 1;
		return NULL;
	}
	return json_object_get_string(v);
}

/* Answer with the stored first response of key. */
static int
replay(struct mg_ctx *c, const char *ws, const char *key)
{
	unsigned char *body;
	size_t len = 0;
	char h[65];
	int64_t done, st, expired;
	char ct[101];
	enum db_err e;

	if ((body = mg_arena_alloc(c->arena, MG_IDEM_BODY_MAX)) == NULL)
		return mg_fail(c, MG_E_INTERNAL, "out of memory");
	e = db_row(c->db, DB_IDEM_GET, "ss", "siisbi", ws, key, h, sizeof(h),
	    &done, &st, ct, sizeof(ct), body, (size_t)MG_IDEM_BODY_MAX, &len,
	    &expired);
	if (e == DB_OK && !done)
		return mg_fail(c, MG_E_IDEMPOTENCY_BUSY, "a request with this "
		    "Idempotency-Key is still in progress; retry later");
	if (e != DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not read the idempotency key");
	mg_header(c, "Idempotent-Replayed", "true");
	return mg_reply_raw(c, (int)st, *ct ? mg_arena_strdup(c->arena, ct) :
	    "application/json", (const char *)body, len);
}

int
mg_idem_begin(struct mg_ctx *c, const char *key, struct mg_idem *st)
{
	const char *ws = c->who.workspace_id;
	char hash[65], h[65];
	int64_t done = 0, status = 0, expired, ttl;
	enum db_err e;
	int bad, tries;

	st->active = 0;
	if (key == NULL && (key = request_key(c, &bad)) == NULL) {
		if (bad)
			return mg_fail(c, MG_E_BAD_REQUEST,
			    "idempotencyKey must be a string");
		return 0;
	}
	if (!c->who.authenticated || *ws == '\0')
		return 0;
	if (!mg_idem_key_valid(key, strlen(key)))
		return mg_fail(c, MG_E_BAD_REQUEST, "the idempotency key must be "
		    "1 to %d printable ASCII characters", MG_IDEM_KEY_MAX);
	mg_idem_hash(c->req.method_str, c->req.path, c->req.body,
	    c->req.body_len, hash);
	ttl = mg_cfg_int("idempotency_ttl_seconds", MG_IDEM_TTL_DEFAULT);
	for (tries = 0; tries < 2; tries++) {
		e = db_exec(c->db, DB_IDEM_INSERT, "ssssi", ws, key,
		    c->route->pattern, hash, ttl);
		if (e == DB_OK) {
			st->active = 1;
			snprintf(st->key, sizeof(st->key), "%s", key);
			return 0;
		}
		if (e != DB_DUP)
			return mg_fail(c, MG_E_INTERNAL,
			    "could not record the idempotency key");
		/* The key exists: read its state without its body. */
		e = db_row(c->db, DB_IDEM_STATE, "ss", "siii", ws, key, h,
		    sizeof(h), &done, &status, &expired);
		if (e == DB_NOROW)
			continue;	/* freed meanwhile: claim again */
		if (e != DB_OK)
			return mg_fail(c, MG_E_INTERNAL,
			    "could not read the idempotency key");
		if (expired) {
			db_exec(c->db, DB_IDEM_DELETE_EXPIRED, "ss", ws, key);
			continue;
		}
		if (mg_ct_streq(h, hash) == 0)
			break;
		return mg_fail(c, MG_E_IDEMPOTENCY_MISMATCH, "this "
		    "Idempotency-Key was used with a different request");
	}
	if (tries == 2)
		return mg_fail(c, MG_E_INTERNAL, "could not claim the idempotency key");
	if (!done)
		return mg_fail(c, MG_E_IDEMPOTENCY_BUSY, "a request with this "
		    "Idempotency-Key is still in progress; retry later");
	return replay(c, ws, key);
}

void
mg_idem_finish(struct mg_ctx *c, struct mg_idem *st)
{
	const char *ws = c->who.workspace_id;
	enum db_err e;

	if (!st->active)
		return;
	st->active = 0;
	if (c->status >= 500 || c->body.oom || c->body.len > MG_IDEM_BODY_MAX) {
		db_exec(c->db, DB_IDEM_DELETE, "ss", ws, st->key);
		return;
	}
	e = db_exec(c->db, DB_IDEM_DONE, "isbss", (int64_t)c->status,
	    c->content_type ? c->content_type : "application/json",
	    c->body.data ? c->body.data : "", c->body.len, ws, st->key);
	if (e != DB_OK) {
		mg_log(MG_LOG_ERROR, "idempotency key not stored: %s",
		    db_strerror(e));
		db_exec(c->db, DB_IDEM_DELETE, "ss", ws, st->key);
	}
}

int
mg_idem_reap(struct db_conn *db, int limit)
{
	if (limit <= 0)
		return 0;
	if (db_exec(db, DB_IDEM_REAP, "i", (int64_t)limit) != DB_OK)
		return -1;
	return (int)db_affected(db, DB_IDEM_REAP);
}
