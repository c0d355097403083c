/*
 * catalog_active: the catalog version every process prices with.
 *
 * `mgctl catalog load FILE` validates FILE with the loader (catalog.h),
 * stores its bytes as a new row of catalog_versions and makes it the active
 * one, in one transaction (db/migrations/008_catalog.sql). Workers and the
 * dispatcher call catalog_active() per request / per job: it re-reads the
 * active version id (one primary-key SELECT) at most once per
 * catalog_recheck_ms (config, default 1000) and reloads only when the id
 * changed, so a load is visible everywhere within that interval, with no
 * restart. With an empty catalog_versions table it falls back to
 * catalog_load_default() (the file named by catalog_path).
 */
#ifndef CATALOG_ACTIVE_H
#define CATALOG_ACTIVE_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"

struct db_conn;

/*
 * The active catalog of this process, or NULL when neither the database
 * nor the default file yields one (answer 503). The process owns it; the
 * pointer (and every pointer into it) stays valid until the next call of
 * catalog_active() in this process, so fetch it once per request or job
 * and do not keep it across them. Not thread-safe (workers are processes).
 */
const struct catalog	*catalog_active(struct db_conn *);

/* Forget the cached catalog (tests; the next call reloads). */
void			 catalog_active_reset(void);

enum catalog_store_err {
	CATALOG_STORE_OK = 0,
	CATALOG_STORE_E_INVALID,	/* the loader refused the file */
	CATALOG_STORE_E_CONFLICT,	/* version already stored with other bytes */
	CATALOG_STORE_E_DB,		/* database error: nothing changed */
	CATALOG_STORE_E__MAX
};
const char	*catalog_store_strerror(enum catalog_store_err);

struct catalog_store_result {
	int64_t	id;		/* catalog_versions.id now active */
	char	version[CATALOG_MAX_ID + 1];
	char	sha256[65];
	int	reactivated;	/* 1: the same bytes were already stored */
};

/*
 * Validate the file at path and make it the active version atomically
 * (db must be the admin role). On any error nothing changed and err holds
 * "<path>: <reason>" (the loader's reason names the field, e.g.
 * "models[3].kind: unknown kind \"4d\"").
 */
enum catalog_store_err	catalog_store_file(struct db_conn *, const char *path,
	    struct catalog_store_result *, char *err, size_t errlen);

#endif
