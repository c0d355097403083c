/*
 * catalog_active: the active catalog version (see catalog_active.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog_active.h"
#include "db.h"
#include "mg_config.h"
#include "mg_crypto.h"
#include "mg_log.h"
#include "mg_util.h"

static struct catalog	*cur;		/* owned; NULL before the first load */
static int64_t		 cur_id = -1;	/* catalog_versions.id; 0: the file */
static int64_t		 last_check_us;

void
catalog_active_reset(void)
{
	catalog_free(cur);
	cur = NULL;
	cur_id = -1;
	last_check_us = 0;
}

/* Replace the cached catalog by c (owned from now on) with row id. */
static void
swap_in(struct catalog *c, int64_t id)
{
	catalog_free(cur);
	cur = c;
	cur_id = id;
}

/* Fall back to the default file when nothing is cached. */
static const struct catalog *
fallback(void)
{
	struct catalog *c;
	char err[256];
	enum catalog_err e;

	if (cur != NULL)
		return cur;
	if ((e = catalog_load_default(&c, err, sizeof(err))) != CATALOG_OK) {
		mg_log(MG_LOG_ERROR, "catalog: default file: %s", err);
		return NULL;
	}
	swap_in(c, 0);
	return cur;
}

/* Load the active row's body; returns the catalog or NULL (logged). */
static struct catalog *
load_active_row(struct db_conn *db, int64_t *id)
{
	struct catalog *c = NULL;
	char version[CATALOG_MAX_ID + 1], err[256];
	char *body;
	enum db_err e;

	if ((body = malloc(CATALOG_MAX_FILE + 1)) == NULL)
		return NULL;
	e = db_row(db, DB_CAT_ACTIVE_GET, "", "iss", id, version,
	    sizeof(version), body, (size_t)CATALOG_MAX_FILE + 1);
	if (e != DB_OK)
		mg_log(MG_LOG_ERROR, "catalog: reading the active version: %s",
		    db_strerror(e));
	else if (catalog_load_buf(body, strlen(body), &c, err, sizeof(err)) !=
	    CATALOG_OK) {
		/* Cannot happen for rows stored by catalog_store_file. */
		mg_log(MG_LOG_ERROR, "catalog: stored version %s: %s",
		    version, err);
		c = NULL;
	}
	free(body);
	return c;
}

const struct catalog *
catalog_active(struct db_conn *db)
{
	int64_t now = mg_now_us(), id = 0, every;
	struct catalog *c;
	enum db_err e;

	every = mg_cfg_int("catalog_recheck_ms", 1000) * 1000;
	if (cur != NULL && now - last_check_us < every && now >= last_check_us)
		return cur;
	last_check_us = now;
	e = db_row(db, DB_CAT_ACTIVE_ID, "", "i", &id);
	if (e == DB_NOROW) {
		if (cur_id > 0)		/* rows gone: go back to the file */
			catalog_active_reset();
		return fallback();
	}
	if (e != DB_OK) {
		mg_log(MG_LOG_WARN, "catalog: active version check: %s",
		    db_strerror(e));
		return fallback();
	}
	if (cur != NULL && id == cur_id)
		return cur;
	if ((c = load_active_row(db, &id)) == NULL)
		return fallback();
	swap_in(c, id);
	mg_log(MG_LOG_INFO, "catalog: version %s active (row %lld)",
	    cur->version, (long long)id);
	return cur;
}

const char *
catalog_store_strerror(enum catalog_store_err e)
{
	static const char *const s[CATALOG_STORE_E__MAX] = {
		[CATALOG_STORE_OK] = "ok",
		[CATALOG_STORE_E_INVALID] = "invalid catalog file",
		[CATALOG_STORE_E_CONFLICT] =
		    "version already loaded with different content",
		[CATALOG_STORE_E_DB] = "database error",
	};

	return (unsigned)e < CATALOG_STORE_E__MAX ? s[e] : "unknown error";
}

/* Read path into a new NUL-terminated buffer (caller frees); NULL on error. */
static char *
read_file(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f;
	char *buf;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "%s: cannot open", path);
		return NULL;
	}
	if ((buf = malloc(CATALOG_MAX_FILE + 1)) == NULL) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	n = fread(buf, 1, CATALOG_MAX_FILE + 1, f);
	if (ferror(f) || n > CATALOG_MAX_FILE) {
		snprintf(err, errlen, "%s: %s", path, ferror(f) ?
		    "read error" : "larger than the 4 MB limit");
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

struct store_arg {
	const char			*body;
	const char			*source;
	struct catalog_store_result	*r;
};

#define STORE_CONFLICT	(DB_ERR__MAX + 1)

/* The load transaction: find or insert the version, then activate it. */
static int
store_tx(struct db_conn *db, void *p)
{
	struct store_arg *a = p;
	char sha[65];
	enum db_err e;
	int64_t id;

	a->r->reactivated = 0;
	e = db_row(db, DB_CAT_VERSION_FIND, "s", "is", a->r->version, &id,
	    sha, sizeof(sha));
	if (e == DB_OK) {
		if (strcmp(sha, a->r->sha256) != 0)
			return STORE_CONFLICT;
		a->r->reactivated = 1;
	} else if (e != DB_NOROW)
		return e;
	else {
		if ((e = db_exec(db, DB_CAT_VERSION_INSERT, "ssss",
		    a->r->version, a->r->sha256, a->body, a->source)) != DB_OK)
			return e;
		if ((e = db_row(db, DB_CAT_LAST_ID, "", "i", &id)) != DB_OK)
			return e;
	}
	if ((e = db_exec(db, DB_CAT_ACTIVATE, "ii", id, id)) != DB_OK)
		return e;
	a->r->id = id;
	return DB_OK;
}

enum catalog_store_err
catalog_store_file(struct db_conn *db, const char *path,
    struct catalog_store_result *r, char *err, size_t errlen)
{
	struct store_arg a;
	struct catalog *c = NULL;
	unsigned char hash[32];
	char lerr[256], src[256];
	char *body;
	size_t len;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((body = read_file(path, &len, err, errlen)) == NULL)
		return CATALOG_STORE_E_INVALID;
	if (strlen(body) != len) {
		snprintf(err, errlen, "%s: contains a NUL byte", path);
		free(body);
		return CATALOG_STORE_E_INVALID;
	}
	if (catalog_load_buf(body, len, &c, lerr, sizeof(lerr)) != CATALOG_OK) {
		snprintf(err, errlen, "%s: %s", path, lerr);
		free(body);
		return CATALOG_STORE_E_INVALID;
	}
	snprintf(r->version, sizeof(r->version), "%s", catalog_version(c));
	catalog_free(c);
	mg_sha256(body, len, hash);
	mg_hex(hash, sizeof(hash), r->sha256);
	a.body = body;
	snprintf(src, sizeof(src), "%s", path);	/* column is 255 chars */
	a.source = src;
	a.r = r;
	rc = db_tx(db, store_tx, &a);
	free(body);
	if (rc == STORE_CONFLICT) {
		snprintf(err, errlen, "%s: version \"%s\" is already loaded with "
		    "different content (give the new file a new version)",
		    path, r->version);
		return CATALOG_STORE_E_CONFLICT;
	}
	if (rc != DB_OK) {
		snprintf(err, errlen, "%s: storing version \"%s\": %s", path,
		    r->version, db_strerror((enum db_err)rc));
		return CATALOG_STORE_E_DB;
	}
	return CATALOG_STORE_OK;
}
