/*
 * itk: small helpers shared by the identity integration programs
 * (it_keys.c, it_signin.c, it_device.c): requests with any method and
 * credential header, the fakes' control APIs, and backdating rows through
 * the admin database account (to test expiry without waiting).
 */
#ifndef ITK_H
#define ITK_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "it.h"

/* method path with "Name: value" header hdr (may be NULL) and JSON body (may be NULL). */
static inline int
itk_req(struct it_resp *r, const char *method, const char *path,
    const char *hdr, const char *body)
{
	char url[1024];
	const char *h[3] = { NULL, NULL, NULL };
	int n = 0;

	snprintf(url, sizeof(url), "%s%s", it_base(), path);
	if (hdr != NULL)
		h[n++] = hdr;
	if (body != NULL)
		h[n++] = "Content-Type: application/json";
	return it_req(r, method, url, h, body, body ? strlen(body) : 0);
}

/* method path with "Authorization: Bearer key" (key may be NULL). */
static inline int
itk_key(struct it_resp *r, const char *method, const char *path,
    const char *key, const char *body)
{
	char h[512];

	if (key == NULL)
		return itk_req(r, method, path, NULL, body);
	snprintf(h, sizeof(h), "Authorization: Bearer %s", key);
	return itk_req(r, method, path, h, body);
}

/* Status of one request (the response is freed). */
static inline long
itk_status(const char *method, const char *path, const char *key,
    const char *body)
{
	struct it_resp r;
	long st;

	if (itk_key(&r, method, path, key, body) != 0)
		return -1;
	st = r.status;
	it_free(&r);
	return st;
}

/* Copy a string member of the answer (dotted path) to buf; 0 when present. */
static inline int
itk_copy(const struct it_resp *r, const char *path, char *buf, size_t cap)
{
	const char *s = it_str(r, path);

	if (s == NULL || strlen(s) >= cap) {
		buf[0] = '\0';
		return -1;
	}
	memcpy(buf, s, strlen(s) + 1);
	return 0;
}

/* Run one SQL statement as the admin account (backdating rows). 0 ok. */
static inline int
itk_sql(const char *fmt, ...)
{
	static struct db_conn *db;
	char sql[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (db == NULL) {
		/* mg_cfg unsets MG_*_FILE once read: keep it for mgctl children. */
		const char *f = getenv("MG_DB_PASSWORD_ADMIN_FILE");
		char *keep = f ? strdup(f) : NULL;

		db = db_open(DB_ROLE_ADMIN);
		if (keep != NULL) {
			setenv("MG_DB_PASSWORD_ADMIN_FILE", keep, 1);
			free(keep);
		}
		if (db == NULL)
			return -1;
	}
	return db_raw(db, sql) == DB_OK ? 0 : -1;
}

/* A unique e-mail address for this run. */
static inline void
itk_email(char *buf, size_t cap, const char *tag)
{
	static unsigned seq;

	snprintf(buf, cap, "%s-%ld-%u-%d@example.org", tag, (long)getpid(),
	    ++seq, rand() % 100000);
}

#endif
