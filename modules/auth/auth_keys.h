/*
 * auth_keys: the API key lifecycle in one place — create, list, revoke,
 * rotate — plus the per-key daily request quota and the small pure
 * validators the key, sign-in and device routes share (docs/IDENTITY.md).
 *
 * Every query filters by the caller's workspace: another workspace's key id
 * answers "not found", never "forbidden" (brief: tenancy). Nothing is cached:
 * a revocation is seen by the next request on every worker.
 */
#ifndef AUTH_KEYS_H
#define AUTH_KEYS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "auth_key.h"
#include "mg_ctx.h"

struct db_conn;

#define AUTH_LABEL_MAX		200	/* bytes, as api_keys.label */
#define AUTH_EMAIL_SIZE		255	/* 254 bytes (RFC 5321 §4.5.3.1.3) + NUL */
#define AUTH_TRIAL_MICROS	5000000	/* $5 once per workspace */

enum auth_keys_err {
	AUTH_KEYS_OK = 0,
	AUTH_KEYS_NOT_FOUND,	/* no such key in this workspace */
	AUTH_KEYS_CONFLICT,	/* already revoked, rotated or expired */
	AUTH_KEYS_DB,		/* database failure */
	AUTH_KEYS_MINT,		/* could not mint */
	AUTH_KEYS__MAX
};

const char	*auth_keys_strerror(enum auth_keys_err);

/* What a new key gets. cap/quota/expires_in_s < 0: none. */
struct auth_key_spec {
	enum auth_dialect dialect;
	const char	*label;		/* ≤ AUTH_LABEL_MAX bytes, checked */
	unsigned	 scopes;
	int64_t		 cap_micros;
	int64_t		 quota;
	int64_t		 expires_in_s;
	const char	*user_id;	/* creator, or NULL */
};

/* A minted key: plain is shown to the caller once and never stored. */
struct auth_key_new {
	char	 id[37];
	char	 plain[AUTH_KEY_PLAIN_SIZE];
	char	 prefix[AUTH_KEY_PREFIX_DISP_SIZE];
	char	 last4[5];
};

/*
 * Mint and store a key for workspace ws, then grant the workspace's $5
 * trial (ledger ref "trial:<ws>", so once per workspace whatever the route).
 * Fills out. A failed grant is logged, not returned: the key exists.
 */
enum auth_keys_err auth_keys_create(struct db_conn *, const char *ws,
		    const struct auth_key_spec *, struct auth_key_new *out);
/* Revoke key id of workspace ws: NOT_FOUND when unknown or foreign, CONFLICT when already revoked. */
enum auth_keys_err auth_keys_revoke(struct db_conn *, const char *ws,
		    const char *id);
/*
 * Rotate key id of workspace ws: a successor minted with dialect d (same
 * label, scopes, cap, quota), the old key expires after grace_s seconds
 * (its formatted expiry in old_expires). CONFLICT if already rotated,
 * revoked or expired.
 */
enum auth_keys_err auth_keys_rotate(struct db_conn *, const char *ws,
		    const char *id, enum auth_dialect d, int64_t grace_s,
		    struct auth_key_new *out, char old_expires[32]);

/*
 * The per-key daily request quota. used: the key's requests counted today
 * (read by the key lookup). quota ≤ 0: the default, config
 * key_daily_quota_default (1000; 0 disables it). Over quota returns 1
 * without counting; else counts this request (quota < 200: written at
 * once; larger quotas in per-worker batches of quota/100, at most 16, or
 * one second — see auth_keys.c) and returns 0; -1 on database error.
 */
int		 auth_quota_count(struct db_conn *, const char *key_id,
		    int64_t quota, int64_t used);
/* Seconds until the next UTC midnight after now (1..86400): Retry-After. */
int64_t		 auth_quota_retry_after(time_t now);

/* ---- pure validators (tests/unit/test_keys.c) ---- */

enum auth_input_err {
	AUTH_INPUT_OK = 0,
	AUTH_INPUT_EMPTY,	/* empty */
	AUTH_INPUT_TOO_LONG,	/* over the limit */
	AUTH_INPUT_BAD_CHAR,	/* control byte, space or other forbidden byte */
	AUTH_INPUT_NO_AT,	/* e-mail: not exactly one '@' */
	AUTH_INPUT_BAD_LOCAL,	/* e-mail: empty or > 64 byte local part, bad dots */
	AUTH_INPUT_BAD_DOMAIN,	/* e-mail: domain not dot-separated LDH labels */
	AUTH_INPUT_BAD_UUID,	/* not a lower/upper-case 8-4-4-4-12 hex uuid */
	AUTH_INPUT__MAX
};

const char	*auth_input_strerror(enum auth_input_err);
/* A key label: 1..200 bytes, no control bytes (NUL, CR, LF, DEL…). */
enum auth_input_err auth_label_check(const char *s, size_t n);
/*
 * An e-mail address for sign-in (a strict subset of RFC 5321 mailbox: dot-
 * atom local part of [A-Za-z0-9!#$%&'*+/=?^_`{|}~.-], LDH domain labels with
 * at least one dot), lower-cased into out (AUTH_EMAIL_SIZE bytes). Being
 * strict also keeps CR/LF out of the SMTP envelope and headers.
 */
enum auth_input_err auth_email_normalize(const char *s, size_t n,
		    char out[AUTH_EMAIL_SIZE]);
/* A key id as issued (uuid text, 36 bytes). */
enum auth_input_err auth_uuid_check(const char *s, size_t n);

/* A string member of o (NULL when absent or JSON null); *bad = 1 when not a string. */
const char	*auth_json_str(json_object *o, const char *name, int *bad);
/*
 * Reject members of o other than allowed (NULL-terminated): the seeds'
 * additionalProperties false. 0 ok, else -1 with 400 answered.
 */
int		 auth_json_only(struct mg_ctx *, json_object *o,
		    const char *const *allowed);

/* ---- HTTP handlers (route tables in modules/dialects/) ---- */

int	auth_h_studio_rotate(struct mg_ctx *);	/* POST /v1/api-keys/{id}/rotate */
int	auth_h_prepaid_list(struct mg_ctx *);	/* GET /api/v1/keys */
int	auth_h_prepaid_create(struct mg_ctx *);	/* POST /api/v1/keys */
int	auth_h_prepaid_revoke(struct mg_ctx *);	/* POST /api/v1/keys/revoke */
int	auth_h_credits_list(struct mg_ctx *);	/* GET /api/api-keys */
int	auth_h_credits_create(struct mg_ctx *);	/* POST /api/api-keys */
int	auth_h_credits_delete(struct mg_ctx *);	/* DELETE /api/api-keys */
int	auth_h_credits_me(struct mg_ctx *);	/* GET /api/auth/me */

/*
 * Delete per-key request counts of days before yesterday (UTC), at most
 * limit rows (dispatcher timer, `mgctl wallet reap`). Rows deleted, or -1.
 */
int	auth_usage_purge(struct db_conn *, int limit);

#endif
