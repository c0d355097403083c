#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "db.h"
#include "mg_config.h"
#include "mg_crypto.h"
#include "mg_log.h"
#include "mg_util.h"
#include "wallet.h"
#include "auth_http.h"
#include "auth_keys.h"
#include "auth_signin.h"

#define LIST_MAX	200	/* keys listed at most */
#define EXPIRES_MAX_S	(10LL * 366 * 86400)
#define QUOTA_MAX	100000000LL

static const char *const keys_errs[AUTH_KEYS__MAX] = {
	"ok",
	"no such key in this workspace",
	"key already revoked, rotated or expired",
	"database error",
	"could not mint a key",
};

const char *
auth_keys_strerror(enum auth_keys_err e)
{
	return e < AUTH_KEYS__MAX ? keys_errs[e] : "unknown";
}

static const char *const input_errs[AUTH_INPUT__MAX] = {
	"ok",
	"empty",
	"too long",
	"forbidden character",
	"not exactly one @",
	"bad local part",
	"bad domain",
	"not a key id",
};

const char *
auth_input_strerror(enum auth_input_err e)
{
	return e < AUTH_INPUT__MAX ? input_errs[e] : "unknown";
}

enum auth_input_err
auth_label_check(const char *s, size_t n)
{
	size_t i;

	if (s == NULL || n == 0)
		return AUTH_INPUT_EMPTY;
	if (n > AUTH_LABEL_MAX)
		return AUTH_INPUT_TOO_LONG;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return AUTH_INPUT_BAD_CHAR;
	return AUTH_INPUT_OK;
}

/* dot-atom text characters of RFC 5322 §3.2.3 (atext), without '.'. */
static int
atext(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || (ch != 0 && strchr("!#$%&'*+/=?^_`{|}~-",
	    ch) != NULL);
}

enum auth_input_err
auth_email_normalize(const char *s, size_t n, char out[AUTH_EMAIL_SIZE])
{
	size_t i, at = n, lab = 0;
	unsigned char ch, prev = '.';

	out[0] = '\0';
	if (s == NULL || n == 0)
		return AUTH_INPUT_EMPTY;
	if (n > AUTH_EMAIL_SIZE - 1)
		return AUTH_INPUT_TOO_LONG;
	for (i = 0; i < n; i++) {
		ch = (unsigned char)s[i];
		if (ch <= 0x20 || ch >= 0x7f)
			return AUTH_INPUT_BAD_CHAR;
		if (ch == '@') {
			if (at != n)
				return AUTH_INPUT_NO_AT;
			at = i;
		}
	}
	if (at == n)
		return AUTH_INPUT_NO_AT;
	/* Local part: dot-atom, 1..64 bytes, no leading/trailing/double dot. */
	if (at == 0 || at > 64 || s[0] == '.' || s[at - 1] == '.')
		return AUTH_INPUT_BAD_LOCAL;
	for (i = 0; i < at; i++) {
		ch = (unsigned char)s[i];
		if (ch == '.' ? prev == '.' : !atext(ch))
			return AUTH_INPUT_BAD_LOCAL;
		prev = ch;
	}
	/* Domain: LDH labels of 1..63, no leading/trailing hyphen, ≥ 2 labels. */
	if (at + 1 >= n)
		return AUTH_INPUT_BAD_DOMAIN;
	prev = '.';
	for (i = at + 1; i <= n; i++) {
		ch = i < n ? (unsigned char)s[i] : '.';
		if (ch == '.') {
			if (lab == 0 || lab > 63 || prev == '-')
				return AUTH_INPUT_BAD_DOMAIN;
			lab = 0;
		} else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || (ch == '-' && lab > 0))
			lab++;
		else
			return AUTH_INPUT_BAD_DOMAIN;
		prev = ch;
	}
	if (memchr(s + at + 1, '.', n - at - 1) == NULL)
		return AUTH_INPUT_BAD_DOMAIN;
	for (i = 0; i < n; i++) {
		ch = (unsigned char)s[i];
		out[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
	}
	out[n] = '\0';
	return AUTH_INPUT_OK;
}

enum auth_input_err
auth_uuid_check(const char *s, size_t n)
{
	size_t i;

	if (s == NULL || n == 0)
		return AUTH_INPUT_EMPTY;
	if (n != 36)
		return AUTH_INPUT_BAD_UUID;
	for (i = 0; i < n; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return AUTH_INPUT_BAD_UUID;
		} else if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F')))
			return AUTH_INPUT_BAD_UUID;
	}
	return AUTH_INPUT_OK;
}

int64_t
auth_quota_retry_after(time_t now)
{
	int64_t t = (int64_t)now;

	if (t < 0)
		t = 0;
	return 86400 - t % 86400;
}

/*
 * Request counts not yet written, per worker process. A key whose quota is
 * at least 200 is counted in batches of quota/100 (at most 16) requests or
 * one second, whichever comes first, so a busy key costs one write per
 * batch instead of one commit per request; smaller quotas are written on
 * every request (exact). What a worker holds counts against the key at
 * once (used + pending), so only other workers' unwritten requests can
 * overshoot: at most (batch - 1) per worker, about 1% of the quota each.
 */
#define QUOTA_SLOTS	64
#define QUOTA_BATCH_MAX	16
#define QUOTA_FLUSH_US	1000000

struct quota_slot {
	char	 key[37];
	int64_t	 day;		/* unix seconds of the UTC day counted */
	int64_t	 pending;
	int64_t	 since_us;	/* first unwritten request */
};

static struct quota_slot qslots[QUOTA_SLOTS];
static int64_t qsweep_us;

/* Write a slot's pending count; the slot is emptied either way (logged). */
static int
quota_flush(struct db_conn *db, struct quota_slot *s)
{
	enum db_err e = DB_OK;

	if (s->pending > 0)
		e = db_exec(db, DB_AUTH_QUOTA_COUNT, "sii", s->key, s->day,
		    s->pending);
	if (e != DB_OK)
		mg_log(MG_LOG_WARN, "quota: %lld requests of key %s not counted",
		    (long long)s->pending, s->key);
	s->pending = 0;
	return e == DB_OK ? 0 : -1;
}

/* The slot of key (flushed first if it holds another day), or a free one. */
static struct quota_slot *
quota_slot(struct db_conn *db, const char *key, int64_t day)
{
	struct quota_slot *s, *old = &qslots[0];
	size_t i;

	for (i = 0; i < QUOTA_SLOTS; i++) {
		s = &qslots[i];
		if (s->pending > 0 && strcmp(s->key, key) == 0) {
			if (s->day != day)
				quota_flush(db, s);
			return s;
		}
	}
	for (i = 0; i < QUOTA_SLOTS; i++) {
		s = &qslots[i];
		if (s->pending == 0)
			return s;
		if (s->since_us < old->since_us)
			old = s;
	}
	quota_flush(db, old);
	return old;
}

static int
slot_cmp(const void *a, const void *b)
{
	return strcmp((*(struct quota_slot *const *)a)->key,
	    (*(struct quota_slot *const *)b)->key);
}

/*
 * Write every slot pending for a second or more in ONE transaction: one
 * commit per sweep instead of one per key (a worker serving many keys
 * would otherwise commit once per key every second). Keys in ascending
 * order, so two workers' sweeps cannot deadlock on shared rows. A failed
 * sweep loses its counts (logged), like quota_flush.
 */
static void
quota_sweep(struct db_conn *db, int64_t now_us)
{
	struct quota_slot *due[QUOTA_SLOTS];
	size_t i, n = 0;
	int bad = 0;

	for (i = 0; i < QUOTA_SLOTS; i++)
		if (qslots[i].pending > 0 &&
		    now_us - qslots[i].since_us >= QUOTA_FLUSH_US)
			due[n++] = &qslots[i];
	if (n == 0)
		return;
	if (n > 1) {
		qsort(due, n, sizeof(due[0]), slot_cmp);
		if (db_begin(db) != DB_OK)
			bad = 1;
	}
	for (i = 0; i < n; i++) {
		if (!bad && quota_flush(db, due[i]) != 0)
			bad = 1;
		due[i]->pending = 0;
	}
	if (n > 1 && (bad || db_commit(db) != DB_OK)) {
		db_rollback(db);
		mg_log(MG_LOG_WARN, "quota: a sweep of %zu keys was not counted",
		    n);
	}
}

int
auth_quota_count(struct db_conn *db, const char *key_id, int64_t quota,
    int64_t used)
{
	int64_t now_us = mg_now_us(), now = (int64_t)time(NULL), day, batch;
	struct quota_slot *s;

	if (quota <= 0)
		quota = mg_cfg_int("key_daily_quota_default", 1000);
	if (quota <= 0)
		return 0;	/* disabled by configuration */
	day = now - now % 86400;	/* mg_now_us is monotonic: wall clock here */
	batch = quota / 100;
	if (batch > QUOTA_BATCH_MAX)
		batch = QUOTA_BATCH_MAX;
	if (batch <= 1) {	/* small quota: exact, one write per request */
		if (used >= quota)
			return 1;
		return db_exec(db, DB_AUTH_QUOTA_COUNT, "sii", key_id, day,
		    (int64_t)1) == DB_OK ? 0 : -1;
	}
	s = quota_slot(db, key_id, day);
	if (used + s->pending >= quota)
		return 1;
	if (s->pending == 0) {
		snprintf(s->key, sizeof(s->key), "%s", key_id);
		s->day = day;
		s->since_us = now_us;
	}
	s->pending++;
	if (s->pending >= batch)
		quota_flush(db, s);
	/* Once a second, write every count older than a second. */
	if (now_us - qsweep_us >= QUOTA_FLUSH_US) {
		qsweep_us = now_us;
		quota_sweep(db, now_us);
	}
	return 0;
}

int
auth_usage_purge(struct db_conn *db, int limit)
{
	if (limit <= 0)
		return 0;
	if (db_exec(db, DB_AUTH_USAGE_PURGE, "i", (int64_t)limit) != DB_OK)
		return -1;
	return (int)db_affected(db, DB_AUTH_USAGE_PURGE);
}

static const char *const dialect_names[AUTH_DIALECT__MAX] = {
	"studio", "prepaid", "credits",
};

enum auth_keys_err
auth_keys_create(struct db_conn *db, const char *ws,
    const struct auth_key_spec *sp, struct auth_key_new *out)
{
	unsigned char hash[AUTH_KEY_HASH_LEN];
	char cap[24], quota[24], exp[24];
	char ref[64];
	enum wallet_err we;
	enum db_err e;

	if (auth_key_mint(sp->dialect, out->plain, sizeof(out->plain), hash,
	    out->prefix, out->last4) != AUTH_KEY_OK)
		return AUTH_KEYS_MINT;
	mg_uuid(out->id);
	snprintf(cap, sizeof(cap), "%lld", (long long)sp->cap_micros);
	snprintf(quota, sizeof(quota), "%lld", (long long)sp->quota);
	snprintf(exp, sizeof(exp), "%lld", (long long)sp->expires_in_s);
	e = db_exec(db, DB_AUTH_KEYS_CREATE, "ssbssssissss" "s", out->id, ws,
	    hash, (size_t)AUTH_KEY_HASH_LEN, out->prefix, out->last4,
	    sp->label ? sp->label : "", dialect_names[sp->dialect],
	    (int64_t)sp->scopes, sp->cap_micros >= 0 ? cap : NULL,
	    sp->quota >= 0 ? quota : NULL, sp->user_id,
	    sp->expires_in_s >= 0 ? exp : NULL,
	    sp->expires_in_s >= 0 ? exp : NULL);
	if (e != DB_OK) {
		mg_log(MG_LOG_ERROR, "key create: %s", db_strerror(e));
		memset(out->plain, 0, sizeof(out->plain));
		return AUTH_KEYS_DB;
	}
	/* The $5 trial: once per workspace, by its unique ledger ref. */
	snprintf(ref, sizeof(ref), "trial:%s", ws);
	if (wallet_ensure(db, ws) != WALLET_OK ||
	    ((we = wallet_credit(db, ws, "grant", AUTH_TRIAL_MICROS, ref,
	    "Free trial")) != WALLET_OK && we != WALLET_DUPLICATE))
		mg_log(MG_LOG_WARN, "trial grant for %s failed", ws);
	return AUTH_KEYS_OK;
}

enum auth_keys_err
auth_keys_revoke(struct db_conn *db, const char *ws, const char *id)
{
	int64_t revoked;
	enum db_err e;

	if (db_exec(db, DB_AUTH_KEYS_REVOKE, "ss", id, ws) != DB_OK)
		return AUTH_KEYS_DB;
	if (db_affected(db, DB_AUTH_KEYS_REVOKE) == 1)
		return AUTH_KEYS_OK;
	e = db_row(db, DB_AUTH_KEYS_EXISTS, "ss", "i", id, ws, &revoked);
	if (e == DB_NOROW)
		return AUTH_KEYS_NOT_FOUND;
	return e == DB_OK ? AUTH_KEYS_CONFLICT : AUTH_KEYS_DB;
}

struct rotate_args {
	const char		*ws, *id;
	enum auth_dialect	 d;
	int64_t			 grace;
	struct auth_key_new	*out;
	char			*old_expires;
	enum auth_keys_err	 result;
};

/* The three rotation steps in one transaction (db_tx). */
static int
rotate_tx(struct db_conn *db, void *arg)
{
	struct rotate_args *a = arg;
	unsigned char hash[AUTH_KEY_HASH_LEN];
	int64_t revoked;
	enum db_err e;

	if (auth_key_mint(a->d, a->out->plain, sizeof(a->out->plain), hash,
	    a->out->prefix, a->out->last4) != AUTH_KEY_OK) {
		a->result = AUTH_KEYS_MINT;
		return DB_ERR__MAX + 1;
	}
	mg_uuid(a->out->id);
	if ((e = db_exec(db, DB_AUTH_KEYS_ROTATE_MARK, "siiss", a->out->id,
	    a->grace, a->grace, a->id, a->ws)) != DB_OK)
		return e;
	if (db_affected(db, DB_AUTH_KEYS_ROTATE_MARK) != 1) {
		e = db_row(db, DB_AUTH_KEYS_EXISTS, "ss", "i", a->id, a->ws,
		    &revoked);
		if (e != DB_OK && e != DB_NOROW)
			return e;
		a->result = e == DB_NOROW ? AUTH_KEYS_NOT_FOUND :
		    AUTH_KEYS_CONFLICT;
		return DB_ERR__MAX + 1;
	}
	if ((e = db_exec(db, DB_AUTH_KEYS_ROTATE_COPY, "sbsssss", a->out->id,
	    hash, (size_t)AUTH_KEY_HASH_LEN, a->out->prefix, a->out->last4,
	    dialect_names[a->d], a->id, a->ws)) != DB_OK)
		return e;
	return db_row(db, DB_AUTH_KEYS_EXPIRY, "ss", "s", a->id, a->ws,
	    a->old_expires, (size_t)32);
}

enum auth_keys_err
auth_keys_rotate(struct db_conn *db, const char *ws, const char *id,
    enum auth_dialect d, int64_t grace_s, struct auth_key_new *out,
    char old_expires[32])
{
	struct rotate_args a = { ws, id, d, grace_s, out, old_expires,
	    AUTH_KEYS_OK };
	int rc;

	old_expires[0] = '\0';
	rc = db_tx(db, rotate_tx, &a);
	if (rc == DB_OK)
		return AUTH_KEYS_OK;
	memset(out->plain, 0, sizeof(out->plain));
	if (rc == DB_ERR__MAX + 1)
		return a.result;
	mg_log(MG_LOG_ERROR, "key rotate: %s", db_strerror((enum db_err)rc));
	return AUTH_KEYS_DB;
}

/* ---- HTTP ---------------------------------------------------------------- */

/* Answer a lifecycle error in the dialect's shape. */
static int
keys_fail(struct mg_ctx *c, enum auth_keys_err e)
{
	switch (e) {
	case AUTH_KEYS_NOT_FOUND:
		return mg_fail(c, MG_E_NOT_FOUND, "no such API key");
	case AUTH_KEYS_CONFLICT:
		return mg_fail(c, MG_E_CONFLICT,
		    "API key already revoked, rotated or expired");
	default:
		return mg_fail(c, MG_E_INTERNAL, "could not change the key");
	}
}

/*
 * POST /v1/api-keys/{id}/rotate (studio rotateApiKey): new plaintext once,
 * the old key keeps working until old_expires_at (config
 * key_rotation_grace_s, default 86400).
 */
int
auth_h_studio_rotate(struct mg_ctx *c)
{
	const char *id = fcgi_req_param(&c->req, "id");
	struct auth_key_new k = { 0 };	/* an out parameter */
	char old_exp[32];
	enum auth_keys_err e;
	json_object *o;
	int64_t grace = mg_cfg_int("key_rotation_grace_s", 86400);

	if (id == NULL || auth_uuid_check(id, strlen(id)) != AUTH_INPUT_OK)
		return mg_fail(c, MG_E_NOT_FOUND, "no such API key");
	if (grace < 0)
		grace = 0;
	if ((e = auth_keys_rotate(c->db, c->who.workspace_id, id,
	    AUTH_DIALECT_STUDIO, grace, &k, old_exp)) != AUTH_KEYS_OK)
		return keys_fail(c, e);
	o = json_object_new_object();
	json_object_object_add(o, "new_key", json_object_new_string(k.plain));
	json_object_object_add(o, "new_key_id", json_object_new_string(k.id));
	json_object_object_add(o, "old_key_id", json_object_new_string(id));
	json_object_object_add(o, "old_expires_at", *old_exp ?
	    json_object_new_string(old_exp) : NULL);
	memset(k.plain, 0, sizeof(k.plain));
	return mg_reply_json(c, 200, o);
}

const char *
auth_json_str(json_object *o, const char *name, int *bad)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, name, &v) || v == NULL)
		return NULL;
	if (!json_object_is_type(v, json_type_string)) {
		*bad = 1;
		return NULL;
	}
	return json_object_get_string(v);
}

int
auth_json_only(struct mg_ctx *c, json_object *o, const char *const *allowed)
{
	size_t i;

	json_object_object_foreach(o, k, v) {
		(void)v;
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(k, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL) {
			mg_fail(c, MG_E_INVALID_PARAM, "unknown field %.64s", k);
			return -1;
		}
	}
	return 0;
}

/*
 * The optional key settings of a create body: label (1..200 bytes),
 * scopes (array ⊆ the caller's), dailySpendCapUsd, dailyRequestQuota,
 * expiresIn (seconds). 0 ok, else answered.
 */
static int
parse_spec(struct mg_ctx *c, json_object *o, const char *label_name,
    const char *def_label, struct auth_key_spec *sp)
{
	const char *s;
	json_object *v, *it;
	enum auth_input_err ie;
	enum auth_scope_err se;
	unsigned mask = 0, m;
	size_t i, n;
	int bad = 0;

	sp->label = def_label;
	if ((s = auth_json_str(o, label_name, &bad)) != NULL || bad) {
		if (bad || (ie = auth_label_check(s, strlen(s))) != AUTH_INPUT_OK)
			return mg_fail(c, MG_E_INVALID_PARAM, "%s: %s", label_name,
			    bad ? "must be a string" : auth_input_strerror(ie));
		sp->label = s;
	}
	if (o != NULL && json_object_object_get_ex(o, "scopes", &v)) {
		if (!json_object_is_type(v, json_type_array) ||
		    (n = json_object_array_length(v)) == 0)
			return mg_fail(c, MG_E_INVALID_PARAM,
			    "scopes: a non-empty array of generate, read, admin");
		for (i = 0; i < n; i++) {
			it = json_object_array_get_idx(v, i);
			if (!json_object_is_type(it, json_type_string) ||
			    (se = auth_scopes_parse(json_object_get_string(it),
			    (size_t)json_object_get_string_len(it), &m)) !=
			    AUTH_SCOPE_OK)
				return mg_fail(c, MG_E_INVALID_PARAM,
				    "scopes: a non-empty array of generate, read, admin");
			mask |= m;
		}
		if (c->who.authenticated && (mask & ~c->who.scopes) != 0)
			return mg_fail(c, MG_E_FORBIDDEN,
			    "a key cannot be given scopes its creator lacks");
		sp->scopes = mask;
	}
	if (o != NULL && json_object_object_get_ex(o, "dailySpendCapUsd", &v) &&
	    v != NULL) {
		s = json_object_get_string(v);
		if ((!json_object_is_type(v, json_type_double) &&
		    !json_object_is_type(v, json_type_int) &&
		    !json_object_is_type(v, json_type_string)) ||
		    mg_parse_usd(s, strlen(s), 1000000LL * MG_MICROS_PER_USD,
		    &sp->cap_micros) != 0)
			return mg_fail(c, MG_E_INVALID_PARAM,
			    "dailySpendCapUsd: a USD amount such as 25 or 2.50");
	}
	if (o != NULL && json_object_object_get_ex(o, "dailyRequestQuota", &v) &&
	    v != NULL) {
		s = json_object_get_string(v);
		if (!json_object_is_type(v, json_type_int) ||
		    mg_parse_i64(s, strlen(s), 1, QUOTA_MAX, &sp->quota) != 0)
			return mg_fail(c, MG_E_INVALID_PARAM,
			    "dailyRequestQuota: an integer from 1 to 100000000");
	}
	if (o != NULL && json_object_object_get_ex(o, "expiresIn", &v) &&
	    v != NULL) {
		s = json_object_get_string(v);
		if (!json_object_is_type(v, json_type_int) ||
		    mg_parse_i64(s, strlen(s), 60, EXPIRES_MAX_S,
		    &sp->expires_in_s) != 0)
			return mg_fail(c, MG_E_INVALID_PARAM,
			    "expiresIn: seconds from 60 to 10 years");
	}
	return 0;
}

static void
spec_defaults(struct mg_ctx *c, struct auth_key_spec *sp, enum auth_dialect d)
{
	memset(sp, 0, sizeof(*sp));
	sp->dialect = d;
	sp->scopes = c->who.authenticated ? c->who.scopes : AUTH_SCOPE_ALL;
	sp->cap_micros = sp->quota = sp->expires_in_s = -1;
	sp->user_id = *c->who.user_id ? c->who.user_id : NULL;
}

/* The JSON of a key for lists (no secret, no hash). */
static json_object *
key_json(const char *id, const char *prefix, const char *last4,
    const char *label, int64_t scopes, const char *created,
    const char *expires, const char *revoked, const char *rotated,
    int64_t active)
{
	json_object *k = json_object_new_object();

	json_object_object_add(k, "id", json_object_new_string(id));
	json_object_object_add(k, "keyId", json_object_new_string(id));
	json_object_object_add(k, "prefix", json_object_new_string(prefix));
	json_object_object_add(k, "last4", json_object_new_string(last4));
	json_object_object_add(k, "label", json_object_new_string(label));
	json_object_object_add(k, "scopes", auth_scopes_json((unsigned)scopes));
	json_object_object_add(k, "createdAt", json_object_new_string(created));
	json_object_object_add(k, "expiresAt", *expires ?
	    json_object_new_string(expires) : NULL);
	json_object_object_add(k, "revokedAt", *revoked ?
	    json_object_new_string(revoked) : NULL);
	json_object_object_add(k, "rotatedTo", *rotated ?
	    json_object_new_string(rotated) : NULL);
	json_object_object_add(k, "active", json_object_new_boolean(active != 0));
	return k;
}

/* List the caller's keys; full: prepaid shape, else the credits shape. */
static int
list_keys(struct mg_ctx *c, int full)
{
	char id[37], prefix[17], last4[5], label[AUTH_LABEL_MAX * 4 + 1];
	char created[32], expires[32], revoked[32], rotated[37];
	int64_t scopes, cap, quota, active;
	int capnull, quotanull;
	json_object *arr, *k, *o;
	enum db_err e;

	if (db_exec(c->db, DB_AUTH_KEYS_LIST, "sii", c->who.workspace_id,
	    (int64_t)full, (int64_t)LIST_MAX) != DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not list keys");
	arr = json_object_new_array();
	while ((e = db_next(c->db, DB_AUTH_KEYS_LIST, "ssssissssIIi"
	    , id, sizeof(id), prefix, sizeof(prefix), last4, sizeof(last4),
	    label, sizeof(label), &scopes, created, sizeof(created), expires,
	    sizeof(expires), revoked, sizeof(revoked), rotated, sizeof(rotated),
	    &cap, &capnull, &quota, &quotanull, &active)) == DB_OK) {
		if (full)
			k = key_json(id, prefix, last4, label, scopes, created,
			    expires, revoked, rotated, active);
		else {
			k = json_object_new_object();
			json_object_object_add(k, "keyId",
			    json_object_new_string(id));
			json_object_object_add(k, "label",
			    json_object_new_string(label));
			json_object_object_add(k, "last4",
			    json_object_new_string(last4));
			json_object_object_add(k, "createdAt",
			    json_object_new_string(created));
		}
		json_object_array_add(arr, k);
	}
	db_done(c->db, DB_AUTH_KEYS_LIST);
	if (e != DB_NOROW) {
		json_object_put(arr);
		return mg_fail(c, MG_E_INTERNAL, "could not list keys");
	}
	o = json_object_new_object();
	json_object_object_add(o, "keys", arr);
	return mg_reply_json(c, 200, o);
}

/* The answer to a new key: status 201 (credits, prepaid). */
static int
reply_new_key(struct mg_ctx *c, const struct auth_key_new *k,
    const struct auth_key_spec *sp, int full)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "key", json_object_new_string(k->plain));
	json_object_object_add(o, "keyId", json_object_new_string(k->id));
	if (full) {
		json_object_object_add(o, "prefix",
		    json_object_new_string(k->prefix));
		json_object_object_add(o, "last4",
		    json_object_new_string(k->last4));
		json_object_object_add(o, "label",
		    json_object_new_string(sp->label ? sp->label : ""));
		json_object_object_add(o, "scopes",
		    auth_scopes_json(sp->scopes));
	}
	return mg_reply_json(c, 201, o);
}

int
auth_h_prepaid_list(struct mg_ctx *c)
{
	return list_keys(c, 1);
}

int
auth_h_credits_list(struct mg_ctx *c)
{
	return list_keys(c, 0);
}

/*
 * POST /api/v1/keys: with a key (admin scope), a new key for the caller's
 * workspace; without one, {"idToken"} bootstraps the first key of the
 * Google account's workspace (created on first use).
 */
int
auth_h_prepaid_create(struct mg_ctx *c)
{
	static const char *const allowed[] = { "label", "idToken", "scopes",
	    "dailySpendCapUsd", "dailyRequestQuota", "expiresIn", NULL };
	struct auth_key_spec sp;
	struct auth_key_new k;
	struct auth_account acct;
	json_object *o = NULL;
	const char *tok;
	enum auth_keys_err e;
	int bad = 0, st;

	if (c->req.body_len > 0 && (o = mg_json_body(c)) == NULL)
		return c->status;
	if (o != NULL && auth_json_only(c, o, allowed) != 0)
		return c->status;
	tok = auth_json_str(o, "idToken", &bad);
	if (bad)
		return mg_fail(c, MG_E_INVALID_PARAM, "idToken must be a string");
	if (!c->who.authenticated && tok == NULL)
		return mg_fail(c, MG_E_UNAUTHORIZED, "send an API key, or "
		    "{\"idToken\"} with a Google ID token for the first key");
	spec_defaults(c, &sp, AUTH_DIALECT_PREPAID);
	if (parse_spec(c, o, "label", "api", &sp) != 0)
		return c->status;
	if (!c->who.authenticated) {
		if ((st = auth_google_account(c, tok, &acct)) != 0)
			return st;
		sp.user_id = acct.user_id;
		e = auth_keys_create(c->db, acct.workspace_id, &sp, &k);
	} else
		e = auth_keys_create(c->db, c->who.workspace_id, &sp, &k);
	if (e != AUTH_KEYS_OK)
		return keys_fail(c, e);
	st = reply_new_key(c, &k, &sp, 1);
	memset(k.plain, 0, sizeof(k.plain));
	return st;
}

/* The key id of a revoke/delete request: body keyId (or id), else ?keyId=. */
static const char *
target_id(struct mg_ctx *c)
{
	json_object *o = NULL;
	const char *id = NULL;
	int bad = 0;

	if (c->req.body_len > 0) {
		if ((o = mg_json_body(c)) == NULL)
			return NULL;
		if ((id = auth_json_str(o, "keyId", &bad)) == NULL && !bad)
			id = auth_json_str(o, "id", &bad);
	}
	if (id == NULL && !bad)
		id = fcgi_req_query(&c->req, c->arena, "keyId");
	if (id == NULL || bad) {
		mg_fail(c, MG_E_INVALID_PARAM, "keyId is required");
		return NULL;
	}
	return id;
}

/* Revoke by target_id; credits answers {ok:true}, prepaid a bit more. */
static int
revoke_key(struct mg_ctx *c, int full)
{
	const char *id;
	enum auth_keys_err e;
	json_object *o;

	if ((id = target_id(c)) == NULL)
		return c->status;
	if (auth_uuid_check(id, strlen(id)) != AUTH_INPUT_OK)
		return mg_fail(c, MG_E_NOT_FOUND, "no such API key");
	e = auth_keys_revoke(c->db, c->who.workspace_id, id);
	/* Revoking a revoked key again is harmless: answer as done (credits 404s unknown only). */
	if (e != AUTH_KEYS_OK && e != AUTH_KEYS_CONFLICT)
		return keys_fail(c, e);
	o = json_object_new_object();
	json_object_object_add(o, "ok", json_object_new_boolean(1));
	if (full) {
		json_object_object_add(o, "keyId", json_object_new_string(id));
		json_object_object_add(o, "revoked", json_object_new_boolean(1));
	}
	return mg_reply_json(c, 200, o);
}

int
auth_h_prepaid_revoke(struct mg_ctx *c)
{
	return revoke_key(c, 1);
}

int
auth_h_credits_delete(struct mg_ctx *c)
{
	return revoke_key(c, 0);
}

/* POST /api/api-keys {label} → 201 {key, keyId} (seed 000 createApiKey). */
int
auth_h_credits_create(struct mg_ctx *c)
{
	static const char *const allowed[] = { "label", "scopes",
	    "dailySpendCapUsd", "dailyRequestQuota", "expiresIn", NULL };
	struct auth_key_spec sp;
	struct auth_key_new k;
	json_object *o = NULL;
	enum auth_keys_err e;
	int st;

	if (c->req.body_len > 0 && (o = mg_json_body(c)) == NULL)
		return c->status;
	if (o != NULL && auth_json_only(c, o, allowed) != 0)
		return c->status;
	spec_defaults(c, &sp, AUTH_DIALECT_CREDITS);
	if (parse_spec(c, o, "label", "Default", &sp) != 0)
		return c->status;
	if ((e = auth_keys_create(c->db, c->who.workspace_id, &sp, &k)) !=
	    AUTH_KEYS_OK)
		return keys_fail(c, e);
	st = reply_new_key(c, &k, &sp, 0);
	memset(k.plain, 0, sizeof(k.plain));
	return st;
}

/*
 * GET /api/auth/me (auth optional): {authenticated, uid}; uid is the
 * workspace the credential acts for.
 */
int
auth_h_credits_me(struct mg_ctx *c)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "authenticated",
	    json_object_new_boolean(c->who.authenticated));
	if (c->who.authenticated)
		json_object_object_add(o, "uid",
		    json_object_new_string(c->who.workspace_id));
	return mg_reply_json(c, 200, o);
}
