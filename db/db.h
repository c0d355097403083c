/*
 * db: the only place SQL lives.
 *
 * Every statement is declared once in db/sql/<module>.def as
 * SQL(ENUM_NAME, ROLES, "SQL text") and addressed by its enum. A statement is
 * prepared lazily on first use on a connection and kept. ROLES is the set of
 * pools allowed to run it; the server enforces the same split through one
 * MariaDB account per pool (db/grants.sql).
 *
 * Parameters and results are typed by a small format string:
 *   in:  'i' int64_t   's' const char * (NULL → SQL NULL)
 *        'b' const void *, size_t (binary)   'n' SQL NULL (no argument)
 *   out: 'i' int64_t *   'I' int64_t *, int *is_null
 *        's' char *buf, size_t cap (NULL → "")   'S' char *buf, size_t cap, int *is_null
 *        'b' unsigned char *buf, size_t cap, size_t *len
 */
#ifndef DB_H
#define DB_H

#include <stddef.h>
#include <stdint.h>

#include <mysql.h>

enum db_role {
	DB_ROLE_ADMIN		= 1 << 0,	/* mgctl, migrations */
	DB_ROLE_AUTH		= 1 << 1,
	DB_ROLE_WALLET		= 1 << 2,
	DB_ROLE_GENERATION	= 1 << 3,
	DB_ROLE_CATALOG		= 1 << 4,
	DB_ROLE_DISPATCH	= 1 << 5,
};
#define DB_ROLE_ALL	0x3f
/* Pools that authenticate callers (every HTTP pool). */
#define DB_ROLE_HTTP	(DB_ROLE_AUTH | DB_ROLE_WALLET | DB_ROLE_GENERATION | DB_ROLE_CATALOG)

enum db_stmt {
#define SQL(name, roles, text) name,
#include "sql/core.def"
#include "sql/auth.def"
#include "sql/wallet.def"
#include "sql/generation.def"
#include "sql/catalog.def"
#undef SQL
	DB_STMT__MAX
};

enum db_err {
	DB_OK = 0,
	DB_NOROW,	/* query returned no (more) rows */
	DB_DUP,		/* 1062 duplicate key: the unique index did its job */
	DB_RETRY,	/* 1213 deadlock / 1205 lock wait: retry the transaction */
	DB_GONE,	/* 2006/2013: connection lost; a COMMIT may have happened */
	DB_DENIED,	/* role may not run this statement */
	DB_REFUSED,	/* the ledger trigger said no (SIGNAL 45001..45099): db_errno */
	DB_ERROR,	/* anything else (logged) */
	DB_ERR__MAX
};

/* MYSQL_ERRNO of the ledger trigger's SIGNALs (migration 011). */
#define DB_SIGNAL_INSUFFICIENT	45001	/* hold: available < amount */
#define DB_SIGNAL_NO_HOLD	45002	/* settle: no such hold */
#define DB_SIGNAL_NO_WALLET	45003	/* other rows: no wallet */

struct db_conn;

const char	*db_strerror(enum db_err);
const char	*db_role_name(enum db_role);
/* Role by name ("wallet"); 0 when unknown. */
enum db_role	 db_role_parse(const char *);

/*
 * Connect as the role's MariaDB account using configuration keys db_socket
 * (preferred) or db_host/db_port, db_name, db_user_<role>,
 * db_password_<role>. Returns NULL and logs on failure.
 */
struct db_conn	*db_open(enum db_role);
void		 db_close(struct db_conn *);
/* Reconnect if the server went away (cheap ping otherwise). */
enum db_err	 db_ensure(struct db_conn *);

/* Execute a statement; for SELECTs the result is stored for db_next. */
enum db_err	 db_exec(struct db_conn *, enum db_stmt, const char *in, ...);
/* Fetch the next row of the last db_exec of this statement. DB_NOROW at end. */
enum db_err	 db_next(struct db_conn *, enum db_stmt, const char *out, ...);
/* Execute + fetch exactly one row (DB_NOROW when none); frees the result. */
enum db_err	 db_row(struct db_conn *, enum db_stmt, const char *in,
		    const char *out, ...);
/* Rows changed by the last db_exec of this statement. */
int64_t		 db_affected(struct db_conn *, enum db_stmt);
/* Release a statement's stored result. */
void		 db_done(struct db_conn *, enum db_stmt);

/* Plain transaction control. */
enum db_err	 db_begin(struct db_conn *);
enum db_err	 db_commit(struct db_conn *);
void		 db_rollback(struct db_conn *);

/*
 * Run fn inside a transaction, retrying the whole transaction on deadlock
 * and lock-wait timeout (1213, 1205) with jittered backoff, up to
 * db_tx_retries (default 5) times. fn returns a db_err (or DB_ERR__MAX + n
 * for its own abort reasons, which roll back and are returned unchanged).
 * DB_GONE after COMMIT is returned as is: the caller must treat the outcome
 * as unknown and rely on the ledger's unique references to retry safely.
 */
int		 db_tx(struct db_conn *, int (*fn)(struct db_conn *, void *), void *arg);
/*
 * The same for a callback whose one statement is its own transaction
 * (autocommit: a ledger row written alone, wallet.c): no BEGIN and no
 * COMMIT round trip. Rolls back after a failure, retries deadlocks like
 * db_tx; DB_GONE when the answer was lost (it may have committed).
 */
int		 db_tx_self(struct db_conn *, int (*fn)(struct db_conn *, void *),
		    void *arg);

/* Run one raw SQL text (migrations and mgctl only: role admin). */
enum db_err	 db_raw(struct db_conn *, const char *sql);
/* The MariaDB error number of the last failure on this connection. */
unsigned	 db_errno(struct db_conn *);
MYSQL		*db_mysql(struct db_conn *);

#endif
