#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mysql.h>
#include <errmsg.h>

#include "mg_config.h"
#include "mg_crypto.h"
#include "mg_log.h"
#include "db.h"

#define DB_MAX_BIND	48

struct db_def {
	const char	*name;
	unsigned	 roles;
	const char	*sql;
};

/* The statement table: enum db_stmt indexes it. */
static const struct db_def defs[DB_STMT__MAX] = {
#define SQL(name, roles, text) [name] = { #name, roles, text },
#include "sql/core.def"
#include "sql/auth.def"
#include "sql/wallet.def"
#include "sql/generation.def"
#include "sql/catalog.def"
#undef SQL
};

struct db_conn {
	MYSQL		*m;
	enum db_role	 role;
	int		 broken;	/* reconnect before the next use */
	unsigned	 last_errno;
	MYSQL_STMT	*st[DB_STMT__MAX];
};

static const char *const errs[DB_ERR__MAX] = {
	"ok",				/* DB_OK */
	"no row",			/* DB_NOROW */
	"duplicate key",		/* DB_DUP */
	"deadlock or lock wait timeout", /* DB_RETRY */
	"connection lost",		/* DB_GONE */
	"statement not allowed for role", /* DB_DENIED */
	"refused by the ledger trigger",	/* DB_REFUSED */
	"database error",		/* DB_ERROR */
};

static const char *const role_names[] = {
	"admin", "auth", "wallet", "generation", "catalog", "dispatch",
};

const char *
db_strerror(enum db_err e)
{
	return e < DB_ERR__MAX ? errs[e] : "unknown";
}

const char *
db_role_name(enum db_role r)
{
	size_t i;

	for (i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++)
		if (r == (enum db_role)(1 << i))
			return role_names[i];
	return "?";
}

enum db_role
db_role_parse(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++)
		if (strcmp(s, role_names[i]) == 0)
			return (enum db_role)(1 << i);
	return 0;
}

/* Map a MariaDB error number to our enum. */
static enum db_err
classify(unsigned e)
{
	switch (e) {
	case 0:
		return DB_OK;
	case 1062:			/* ER_DUP_ENTRY */
		return DB_DUP;
	case 1213:			/* ER_LOCK_DEADLOCK */
	case 1205:			/* ER_LOCK_WAIT_TIMEOUT */
	case 1180:			/* Galera: got error on COMMIT (certification) */
		return DB_RETRY;
	case CR_SERVER_GONE_ERROR:	/* 2006 */
	case CR_SERVER_LOST:		/* 2013 */
	case CR_CONN_HOST_ERROR:
	case CR_CONNECTION_ERROR:
	case 1927:			/* ER_CONNECTION_KILLED */
	case 4031:			/* ER_CLIENT_INTERACTION_TIMEOUT */
		return DB_GONE;
	default:
		if (e >= 45001 && e <= 45099)	/* the ledger trigger's SIGNALs */
			return DB_REFUSED;
		return DB_ERROR;
	}
}

static void
close_stmts(struct db_conn *c)
{
	size_t i;

	for (i = 0; i < DB_STMT__MAX; i++)
		if (c->st[i] != NULL) {
			mysql_stmt_close(c->st[i]);
			c->st[i] = NULL;
		}
}

static int
connect_conn(struct db_conn *c)
{
	char key[64];
	const char *name = db_role_name(c->role), *user, *pass, *sock, *host;
	char defuser[64];
	unsigned timeout = 5;
	my_bool off = 0;
	int64_t port;

	if ((c->m = mysql_init(NULL)) == NULL)
		return -1;
	mysql_options(c->m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(c->m, MYSQL_OPT_RECONNECT, &off);
	/* UTC, and READ COMMITTED: fewer gap locks on the money rows. */
	mysql_options(c->m, MYSQL_INIT_COMMAND,
	    "SET time_zone='+00:00', tx_isolation='READ-COMMITTED'");
	mysql_options(c->m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	snprintf(key, sizeof(key), "db_user_%s", name);
	snprintf(defuser, sizeof(defuser), "mg_%s", name);
	user = mg_cfg_str(key, defuser);
	snprintf(key, sizeof(key), "db_password_%s", name);
	pass = mg_cfg_str(key, "");
	sock = mg_cfg_str("db_socket", NULL);
	host = mg_cfg_str("db_host", "127.0.0.1");
	port = mg_cfg_int("db_port", 3307);
	if (mysql_real_connect(c->m, sock ? NULL : host, user, pass,
	    mg_cfg_str("db_name", "mediagate"), (unsigned)port, sock,
	    c->role == DB_ROLE_ADMIN ? CLIENT_MULTI_STATEMENTS : 0) == NULL) {
		mg_log(MG_LOG_ERROR, "db connect as %s: %s", user,
		    mysql_error(c->m));
		c->last_errno = mysql_errno(c->m);
		mysql_close(c->m);
		c->m = NULL;
		return -1;
	}
	c->broken = 0;
	return 0;
}

struct db_conn *
db_open(enum db_role role)
{
	struct db_conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->role = role;
	if (connect_conn(c) != 0) {
		free(c);
		return NULL;
	}
	return c;
}

void
db_close(struct db_conn *c)
{
	if (c == NULL)
		return;
	close_stmts(c);
	if (c->m != NULL)
		mysql_close(c->m);
	free(c);
}

enum db_err
db_ensure(struct db_conn *c)
{
	if (!c->broken && c->m != NULL)
		return DB_OK;
	close_stmts(c);
	if (c->m != NULL) {
		mysql_close(c->m);
		c->m = NULL;
	}
	return connect_conn(c) == 0 ? DB_OK : DB_GONE;
}

/* Record a failure; a lost connection is rebuilt on the next use. */
static enum db_err
fail(struct db_conn *c, unsigned e, const char *what, const char *msg)
{
	enum db_err r = classify(e);

	c->last_errno = e;
	if (r == DB_GONE)
		c->broken = 1;
	if (r == DB_ERROR || r == DB_GONE)
		mg_log(r == DB_GONE ? MG_LOG_WARN : MG_LOG_ERROR,
		    "db %s: %u %s", what, e, msg);
	return r;
}

static MYSQL_STMT *
get_stmt(struct db_conn *c, enum db_stmt s, enum db_err *err)
{
	MYSQL_STMT *st;

	*err = DB_OK;
	if (!(defs[s].roles & c->role)) {
		mg_log(MG_LOG_ERROR, "db %s not allowed for role %s",
		    defs[s].name, db_role_name(c->role));
		*err = DB_DENIED;
		return NULL;
	}
	if ((*err = db_ensure(c)) != DB_OK)
		return NULL;
	if (c->st[s] != NULL)
		return c->st[s];
	if ((st = mysql_stmt_init(c->m)) == NULL) {
		*err = DB_ERROR;
		return NULL;
	}
	if (mysql_stmt_prepare(st, defs[s].sql, strlen(defs[s].sql)) != 0) {
		*err = fail(c, mysql_stmt_errno(st), defs[s].name,
		    mysql_stmt_error(st));
		mysql_stmt_close(st);
		return NULL;
	}
	c->st[s] = st;
	return st;
}

/*
 * Bind the input parameters described by in[] from *ap into b (storage for
 * integers and lengths supplied by the caller, valid until execution).
 * Returns 0, or -1 on an unknown format letter.
 */
static int
bind_in(const char *in, size_t n, va_list *ap, MYSQL_BIND *b, long long *ints,
    unsigned long *lens)
{
	const char *sp;
	size_t i;

	memset(b, 0, sizeof(MYSQL_BIND) * n);
	for (i = 0; i < n; i++) {
		switch (in[i]) {
		case 'i':
			ints[i] = va_arg(*ap, int64_t);
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = &ints[i];
			break;
		case 's':
			if ((sp = va_arg(*ap, const char *)) == NULL) {
				b[i].buffer_type = MYSQL_TYPE_NULL;
				break;
			}
			lens[i] = strlen(sp);
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer = (void *)(uintptr_t)sp;
			b[i].buffer_length = lens[i];
			b[i].length = &lens[i];
			break;
		case 'b':
			b[i].buffer = (void *)(uintptr_t)va_arg(*ap, const void *);
			lens[i] = va_arg(*ap, size_t);
			b[i].buffer_type = MYSQL_TYPE_BLOB;
			b[i].buffer_length = lens[i];
			b[i].length = &lens[i];
			break;
		case 'n':
			b[i].buffer_type = MYSQL_TYPE_NULL;
			break;
		default:
			return -1;
		}
	}
	return 0;
}

/*
 * Prepare (lazily), bind the inputs and execute statement s. The va_list
 * is left positioned after the inputs. Returns DB_OK or the failure.
 */
static enum db_err
vexec(struct db_conn *c, enum db_stmt s, const char *in, va_list *ap)
{
	MYSQL_BIND b[DB_MAX_BIND];
	long long ints[DB_MAX_BIND];
	unsigned long lens[DB_MAX_BIND];
	MYSQL_STMT *st;
	enum db_err err;
	size_t n = strlen(in);

	if ((st = get_stmt(c, s, &err)) == NULL)
		return err;
	if (n > DB_MAX_BIND || n != mysql_stmt_param_count(st)) {
		mg_log(MG_LOG_ERROR, "db %s: %zu params given, %lu expected",
		    defs[s].name, n, mysql_stmt_param_count(st));
		return DB_ERROR;
	}
	mysql_stmt_free_result(st);
	if (bind_in(in, n, ap, b, ints, lens) != 0) {
		mg_log(MG_LOG_ERROR, "db %s: bad format \"%s\"", defs[s].name, in);
		return DB_ERROR;
	}
	if ((n > 0 && mysql_stmt_bind_param(st, b) != 0) ||
	    mysql_stmt_execute(st) != 0)
		return fail(c, mysql_stmt_errno(st), defs[s].name,
		    mysql_stmt_error(st));
	return DB_OK;
}

enum db_err
db_exec(struct db_conn *c, enum db_stmt s, const char *in, ...)
{
	MYSQL_STMT *st;
	enum db_err e;
	va_list ap;

	va_start(ap, in);
	e = vexec(c, s, in, &ap);
	va_end(ap);
	if (e != DB_OK)
		return e;
	st = c->st[s];
	if (mysql_stmt_field_count(st) > 0 && mysql_stmt_store_result(st) != 0)
		return fail(c, mysql_stmt_errno(st), defs[s].name,
		    mysql_stmt_error(st));
	return DB_OK;
}

/* Bind outputs from a va_list and fetch one row. */
static enum db_err
vnext(struct db_conn *c, enum db_stmt s, const char *out, va_list ap)
{
	MYSQL_BIND b[DB_MAX_BIND];
	unsigned long lens[DB_MAX_BIND];
	my_bool nulls[DB_MAX_BIND], errs_[DB_MAX_BIND];
	char *sbuf[DB_MAX_BIND];
	size_t scap[DB_MAX_BIND], *blen[DB_MAX_BIND];
	int *isnull[DB_MAX_BIND];
	MYSQL_STMT *st = c->st[s];
	size_t i, n = strlen(out);
	int rc;

	if (st == NULL || n > DB_MAX_BIND ||
	    n != mysql_stmt_field_count(st)) {
		mg_log(MG_LOG_ERROR, "db %s: %zu outputs given, %u columns",
		    defs[s].name, n, st ? mysql_stmt_field_count(st) : 0);
		return DB_ERROR;
	}
	memset(b, 0, sizeof(MYSQL_BIND) * n);
	for (i = 0; i < n; i++) {
		isnull[i] = NULL;
		sbuf[i] = NULL;
		blen[i] = NULL;
		b[i].is_null = &nulls[i];
		b[i].length = &lens[i];
		b[i].error = &errs_[i];
		switch (out[i]) {
		case 'I':
		case 'i':
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = va_arg(ap, int64_t *);
			if (out[i] == 'I')
				isnull[i] = va_arg(ap, int *);
			break;
		case 'S':
		case 's':
			sbuf[i] = va_arg(ap, char *);
			scap[i] = va_arg(ap, size_t);
			if (out[i] == 'S')
				isnull[i] = va_arg(ap, int *);
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer = sbuf[i];
			b[i].buffer_length = scap[i] - 1;
			break;
		case 'b':
			b[i].buffer_type = MYSQL_TYPE_BLOB;
			b[i].buffer = va_arg(ap, unsigned char *);
			b[i].buffer_length = va_arg(ap, size_t);
			blen[i] = va_arg(ap, size_t *);
			break;
		default:
			mg_log(MG_LOG_ERROR, "db %s: bad out format '%c'",
			    defs[s].name, out[i]);
			return DB_ERROR;
		}
	}
	if (mysql_stmt_bind_result(st, b) != 0)
		return fail(c, mysql_stmt_errno(st), defs[s].name,
		    mysql_stmt_error(st));
	rc = mysql_stmt_fetch(st);
	if (rc == MYSQL_NO_DATA)
		return DB_NOROW;
	if (rc == MYSQL_DATA_TRUNCATED) {
		mg_log(MG_LOG_ERROR, "db %s: result truncated", defs[s].name);
		return DB_ERROR;
	}
	if (rc != 0)
		return fail(c, mysql_stmt_errno(st), defs[s].name,
		    mysql_stmt_error(st));
	for (i = 0; i < n; i++) {
		if (sbuf[i] != NULL)
			sbuf[i][nulls[i] ? 0 : lens[i]] = '\0';
		if (nulls[i] && out[i] == 'i')
			*(int64_t *)b[i].buffer = 0;
		if (isnull[i] != NULL)
			*isnull[i] = nulls[i] ? 1 : 0;
		if (blen[i] != NULL)
			*blen[i] = nulls[i] ? 0 : lens[i];
	}
	return DB_OK;
}

enum db_err
db_next(struct db_conn *c, enum db_stmt s, const char *out, ...)
{
	va_list ap;
	enum db_err e;

	va_start(ap, out);
	e = vnext(c, s, out, ap);
	va_end(ap);
	return e;
}

/*
 * db_row(c, s, in, out, in-args..., out-args...): execute and fetch one row.
 * The inputs' arguments come first, then the outputs'.
 */
enum db_err
db_row(struct db_conn *c, enum db_stmt s, const char *in, const char *out, ...)
{
	enum db_err err;
	va_list ap;

	va_start(ap, out);
	if ((err = vexec(c, s, in, &ap)) == DB_OK)
		/* Unbuffered single-row fetch: no store_result round trip. */
		err = vnext(c, s, out, ap);
	va_end(ap);
	if (c->st[s] != NULL)
		mysql_stmt_free_result(c->st[s]);
	return err;
}

int64_t
db_affected(struct db_conn *c, enum db_stmt s)
{
	return c->st[s] ? (int64_t)mysql_stmt_affected_rows(c->st[s]) : 0;
}

void
db_done(struct db_conn *c, enum db_stmt s)
{
	if (c->st[s] != NULL)
		mysql_stmt_free_result(c->st[s]);
}

enum db_err
db_begin(struct db_conn *c)
{
	enum db_err e;

	if ((e = db_ensure(c)) != DB_OK)
		return e;
	if (mysql_real_query(c->m, "BEGIN", 5) != 0)
		return fail(c, mysql_errno(c->m), "BEGIN", mysql_error(c->m));
	return DB_OK;
}

enum db_err
db_commit(struct db_conn *c)
{
	if (mysql_commit(c->m) != 0)
		return fail(c, mysql_errno(c->m), "COMMIT", mysql_error(c->m));
	return DB_OK;
}

void
db_rollback(struct db_conn *c)
{
	if (c->m != NULL && !c->broken)
		(void)mysql_rollback(c->m);
}

/* Sleep before retry number attempt: 1, 2, 4 ... 64 ms (+ up to 1 ms). */
static void
backoff(int attempt)
{
	unsigned char r;
	struct timespec ts;

	mg_random(&r, 1);
	ts.tv_sec = 0;
	ts.tv_nsec = ((1L << (attempt < 6 ? attempt : 6)) * 1000000L) +
	    (long)r * 4000L;
	nanosleep(&ts, NULL);
}

int
db_tx(struct db_conn *c, int (*fn)(struct db_conn *, void *), void *arg)
{
	int64_t max = mg_cfg_int("db_tx_retries", 5);
	int attempt, rc;

	for (attempt = 0;; attempt++) {
		if ((rc = db_begin(c)) == DB_OK) {
			rc = fn(c, arg);
			if (rc == DB_OK) {
				if ((rc = db_commit(c)) == DB_OK)
					return DB_OK;
				/* Lost COMMIT answer: outcome unknown, say so. */
				if (rc == DB_GONE)
					return DB_GONE;
			}
			db_rollback(c);
		} else if (rc == DB_GONE && attempt == 0) {
			/* Nothing was sent: reconnect and try once more. */
			continue;
		}
		if (rc != DB_RETRY || attempt >= max)
			return rc;
		backoff(attempt);
	}
}

int
db_tx_self(struct db_conn *c, int (*fn)(struct db_conn *, void *), void *arg)
{
	int64_t max = mg_cfg_int("db_tx_retries", 5);
	int attempt, rc;

	for (attempt = 0;; attempt++) {
		if ((rc = fn(c, arg)) == DB_OK)
			return DB_OK;
		if (rc == DB_GONE) {
			/* 2006: the statement was never sent; anything else
			   (2013 ...) may have committed: outcome unknown. */
			if (attempt == 0 && c->last_errno == CR_SERVER_GONE_ERROR)
				continue;
			return DB_GONE;
		}
		/* Whatever the statement did before it failed is undone. */
		db_rollback(c);
		if (rc != DB_RETRY || attempt >= max)
			return rc;
		backoff(attempt);
	}
}

enum db_err
db_raw(struct db_conn *c, const char *sql)
{
	enum db_err e;
	MYSQL_RES *res;

	if (c->role != DB_ROLE_ADMIN)
		return DB_DENIED;
	if ((e = db_ensure(c)) != DB_OK)
		return e;
	if (mysql_real_query(c->m, sql, strlen(sql)) != 0)
		return fail(c, mysql_errno(c->m), "raw", mysql_error(c->m));
	/* Drain every result of a multi-statement text. */
	do {
		if ((res = mysql_store_result(c->m)) != NULL)
			mysql_free_result(res);
	} while (mysql_next_result(c->m) == 0);
	if (mysql_errno(c->m) != 0)
		return fail(c, mysql_errno(c->m), "raw", mysql_error(c->m));
	return DB_OK;
}

unsigned
db_errno(struct db_conn *c)
{
	return c->last_errno;
}

MYSQL *
db_mysql(struct db_conn *c)
{
	return c->m;
}
