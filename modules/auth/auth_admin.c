#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "db.h"
#include "mg_crypto.h"
#include "auth_admin.h"
#include "auth_jwt.h"
#include "auth_key.h"
#include "auth_oauth.h"
#include "auth_password.h"

#define MAX_REDIRECTS	8
#define MAX_WORKSPACES	8

/* Value of --name in argv, or NULL. */
static const char *
opt(int argc, char **argv, const char *name)
{
	int i;

	for (i = 0; i < argc - 1; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

static json_object *
fail(char *err, size_t cap, const char *msg)
{
	snprintf(err, cap, "%s", msg);
	return NULL;
}

/*
 * Read the first line of path (without its newline) into buf. Returns the
 * length, or -1 when unreadable or longer than cap - 1.
 */
static int
read_line(const char *path, char *buf, size_t cap)
{
	FILE *f;
	size_t n;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fgets(buf, (int)cap, f) == NULL) {
		fclose(f);
		return -1;
	}
	fclose(f);
	n = strcspn(buf, "\r\n");
	if (n == strlen(buf) && n == cap - 1)
		return -1;	/* no newline and buffer full: too long */
	buf[n] = '\0';
	return (int)n;
}

/* 1 when email looks like local@domain with no spaces, ≤ 254 bytes. */
static int
email_ok(const char *e)
{
	const char *at = strchr(e, '@');
	size_t i, n = strlen(e);

	if (n < 3 || n > 254 || at == NULL || at == e || at[1] == '\0' ||
	    strchr(at + 1, '@') != NULL)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)e[i] <= 0x20 || e[i] == 0x7f)
			return 0;
	return 1;
}

json_object *
auth_admin_user_create(struct db_conn *db, int argc, char **argv, char *err,
    size_t errcap)
{
	const char *email = opt(argc, argv, "--email");
	const char *pwf = opt(argc, argv, "--password-file");
	const char *ws = opt(argc, argv, "--workspace");
	const char *wss[MAX_WORKSPACES];
	int nws = 0, i;
	const char *role = opt(argc, argv, "--role");
	char pw[AUTH_PW_MAX + 2], hash[AUTH_PW_HASH_SIZE], id[37];
	struct auth_pw_params p;
	enum auth_pw_err pe;
	enum db_err e;
	int64_t one;
	int n;
	json_object *o;

	if (email == NULL || pwf == NULL)
		return fail(err, errcap, "user create: --email and "
		    "--password-file are required");
	if (!email_ok(email))
		return fail(err, errcap, "user create: not an email address");
	if (role == NULL)
		role = "member";
	if (strcmp(role, "owner") != 0 && strcmp(role, "member") != 0)
		return fail(err, errcap, "user create: --role owner|member");
	if ((n = read_line(pwf, pw, sizeof(pw))) < 0)
		return fail(err, errcap, "user create: cannot read the "
		    "password file (or the password is too long)");
	if ((pe = auth_pw_check_rules(pw, (size_t)n)) != AUTH_PW_OK) {
		sodium_memzero(pw, sizeof(pw));
		snprintf(err, errcap, "user create: password: %s",
		    auth_pw_strerror(pe));
		return NULL;
	}
	auth_pw_params_default(&p);
	pe = auth_pw_hash(pw, (size_t)n, &p, hash);
	sodium_memzero(pw, sizeof(pw));
	if (pe != AUTH_PW_OK)
		return fail(err, errcap, "user create: hashing failed");
	/* --workspace may be repeated: one membership each, same role. */
	for (i = 0; i < argc - 1; i++)
		if (strcmp(argv[i], "--workspace") == 0) {
			if (nws == MAX_WORKSPACES)
				return fail(err, errcap, "user create: at most "
				    "8 workspaces");
			wss[nws++] = argv[++i];
			if (db_row(db, DB_ADM_WS_EXISTS, "s", "i", wss[nws - 1],
			    &one) != DB_OK) {
				snprintf(err, errcap, "user create: no workspace "
				    "%s", wss[nws - 1]);
				return NULL;
			}
		}
	mg_uuid(id);
	if ((e = db_exec(db, DB_USER_INSERT, "sss", id, email, hash)) == DB_DUP)
		return fail(err, errcap, "user create: that email is taken");
	if (e != DB_OK)
		return fail(err, errcap, "user create: database error");
	for (i = 0; i < nws; i++)
		if (db_exec(db, DB_MEMBER_UPSERT, "sss", wss[i], id, role) !=
		    DB_OK)
			return fail(err, errcap, "user create: could not add "
			    "the membership");
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "email", json_object_new_string(email));
	if (ws != NULL) {
		json_object_object_add(o, "workspace", json_object_new_string(ws));
		json_object_object_add(o, "role", json_object_new_string(role));
	}
	return o;
}

json_object *
auth_admin_client_create(struct db_conn *db, int argc, char **argv, char *err,
    size_t errcap)
{
	const char *name = opt(argc, argv, "--name");
	const char *sc = opt(argc, argv, "--scopes");
	const char *uris[MAX_REDIRECTS];
	unsigned char raw[32], sh[32], uh[32];
	char id[AUTH_OAUTH_CLIENT_ID_MAX + 1], b64[48], secret[64];
	unsigned scopes = AUTH_SCOPE_GENERATE | AUTH_SCOPE_READ;
	int i, nu = 0, conf = 0;
	enum auth_uri_err ue;
	enum db_err e;
	json_object *o, *a;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--confidential") == 0)
			conf = 1;
		else if (strcmp(argv[i], "--redirect-uri") == 0 &&
		    i + 1 < argc) {
			if (nu == MAX_REDIRECTS)
				return fail(err, errcap, "oauth-client create: "
				    "at most 8 redirect URIs");
			uris[nu++] = argv[++i];
		}
	}
	if (name == NULL || *name == '\0' || strlen(name) > 200)
		return fail(err, errcap, "oauth-client create: --name (1 to 200 "
		    "bytes) is required");
	if (nu == 0)
		return fail(err, errcap, "oauth-client create: at least one "
		    "--redirect-uri is required");
	for (i = 0; i < nu; i++)
		if ((ue = auth_oauth_redirect_check(uris[i])) != AUTH_URI_OK) {
			snprintf(err, errcap, "oauth-client create: %s: %s",
			    uris[i], auth_uri_strerror(ue));
			return NULL;
		}
	if (sc != NULL && auth_scopes_parse(sc, strlen(sc), &scopes) !=
	    AUTH_SCOPE_OK)
		return fail(err, errcap, "oauth-client create: --scopes: a comma "
		    "list of generate, read, admin");
	mg_random(raw, 16);
	mg_b64url(raw, 16, b64, sizeof(b64));
	snprintf(id, sizeof(id), "mgc_%s", b64);
	if (conf) {
		mg_random(raw, 32);
		mg_b64url(raw, 32, b64, sizeof(b64));
		snprintf(secret, sizeof(secret), "mgs_%s", b64);
		mg_sha256(secret, strlen(secret), sh);
	}
	if (db_begin(db) != DB_OK)
		return fail(err, errcap, "oauth-client create: database error");
	if (conf)
		e = db_exec(db, DB_OAUTH_CLIENT_INSERT, "ssbi", id, name, sh,
		    (size_t)32, (int64_t)scopes);
	else
		e = db_exec(db, DB_OAUTH_CLIENT_INSERT, "ssni", id, name,
		    (int64_t)scopes);
	for (i = 0; i < nu && e == DB_OK; i++) {
		mg_sha256(uris[i], strlen(uris[i]), uh);
		e = db_exec(db, DB_OAUTH_REDIRECT_INSERT, "sbs", id, uh,
		    (size_t)32, uris[i]);
		if (e == DB_DUP)
			e = DB_OK;	/* the same URI twice */
	}
	if (e != DB_OK || db_commit(db) != DB_OK) {
		db_rollback(db);
		return fail(err, errcap, "oauth-client create: database error");
	}
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "name", json_object_new_string(name));
	a = json_object_new_array();
	for (i = 0; i < nu; i++)
		json_object_array_add(a, json_object_new_string(uris[i]));
	json_object_object_add(o, "redirect_uris", a);
	auth_scopes_format(scopes, ' ', b64, sizeof(b64));
	json_object_object_add(o, "scope", json_object_new_string(b64));
	json_object_object_add(o, "public", json_object_new_boolean(!conf));
	if (conf)
		json_object_object_add(o, "secret", json_object_new_string(secret));
	return o;
}

/*
 * Add a signing key (the newest signs from the next request of every
 * worker on) and remove keys superseded longer ago than the access-token
 * lifetime plus 5 minutes (their tokens have all expired).
 */
json_object *
auth_admin_key_rotate(char *err, size_t errcap)
{
	const char *dir = auth_jwt_keys_dir();
	char kid[AUTH_JWT_KID_SIZE];
	enum auth_jwt_err e;
	int removed = 0;
	json_object *o;

	if ((e = auth_jwt_key_generate(dir, time(NULL), kid)) != AUTH_JWT_OK) {
		snprintf(err, errcap, "signing-key rotate: %s: %s", dir,
		    auth_jwt_strerror(e));
		return NULL;
	}
	if ((e = auth_jwt_keys_retire(dir, time(NULL),
	    auth_oauth_access_ttl() + 300, &removed)) != AUTH_JWT_OK) {
		snprintf(err, errcap, "signing-key rotate: retiring: %s",
		    auth_jwt_strerror(e));
		return NULL;
	}
	o = json_object_new_object();
	json_object_object_add(o, "kid", json_object_new_string(kid));
	json_object_object_add(o, "dir", json_object_new_string(dir));
	json_object_object_add(o, "retired", json_object_new_int(removed));
	return o;
}

/*
 * Delete, in batches of 10,000, authorization codes and access-token
 * records that expired more than a day ago (a jti row is only needed while
 * its token can still be presented) and browser sessions that ended more
 * than a day ago. Used refresh tokens are kept: they detect reuse.
 */
json_object *
auth_admin_purge(struct db_conn *db, int argc, char **argv, char *err,
    size_t errcap)
{
	static const struct {
		enum db_stmt	 st;
		const char	*name;
	} what[] = {
		{ DB_OAUTH_PURGE_CODES, "codes" },
		{ DB_OAUTH_PURGE_AT, "access_tokens" },
		{ DB_SESSION_PURGE, "sessions" },
	};
	json_object *o = json_object_new_object();
	int64_t total, n;
	size_t i;

	for (i = 0; i < sizeof(what) / sizeof(what[0]); i++) {
		total = 0;
		do {
			if (db_exec(db, what[i].st, "") != DB_OK) {
				json_object_put(o);
				return fail(err, errcap, "oauth purge: database "
				    "error");
			}
			n = db_affected(db, what[i].st);
			total += n;
		} while (n >= 10000);
		json_object_object_add(o, what[i].name,
		    json_object_new_int64(total));
	}
	return o;
}
