/*
 * bare_fcgi: the benchmark floor. A bare libfcgi responder, no framework:
 * N pre-forked workers accept on one unix socket and answer every request
 * in one of these modes:
 *
 *   noop    a fixed small JSON body;
 *   select  one primary-key SELECT (prepared statement, MariaDB
 *           Connector/C) on a 1000-row table, answered as JSON;
 *   write   UPDATE bench_wallet SET balance = balance - 1
 *             WHERE id = ? AND balance >= 1
 *           + INSERT into bench_ledger + COMMIT, ids spread over 1000 rows,
 *           or all on row 1 with --hot;
 *   echo    every FastCGI parameter as "NAME=value" lines (text/plain), to
 *           test what nginx passes (not a benchmark).
 *
 * The tables live in the database given by --db-name (they are created and
 * filled by the master before it forks). Used by tools/bench/run.sh; see
 * /work/shared/reference/limits.md for what the figures mean.
 *
 * usage: bare_fcgi --socket PATH [--workers N] [--pidfile F] [--daemon]
 *            [--hot] [--db-socket S] [--db-name D] [--db-user U]
 *            [--db-password-file F] noop|select|write|echo
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <mysql.h>

#define BF_ROWS		1000
#define BF_MAX_WORKERS	256

enum bf_mode {
	BF_NOOP = 0,
	BF_SELECT,
	BF_WRITE,
	BF_ECHO,
	BF__MAX
};

struct bf_opts {
	const char	*sock_path;
	const char	*pidfile;
	const char	*db_socket;
	const char	*db_name;
	const char	*db_user;
	char		 db_password[256];
	int		 workers;
	int		 daemon;
	int		 hot;
	enum bf_mode	 mode;
};

/* Per-worker database state. */
struct bf_db {
	MYSQL		*conn;
	MYSQL_STMT	*sel;
	MYSQL_STMT	*upd;
	MYSQL_STMT	*ins;
};

static volatile sig_atomic_t	 bf_stop;
static pid_t			 bf_children[BF_MAX_WORKERS];

static void
bf_on_term(int sig)
{
	bf_stop = 1;
}

/* xorshift64: a cheap per-worker id generator (quality is irrelevant). */
static uint64_t
bf_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

/*
 * Parse a decimal integer in [lo, hi]. Returns 0 and stores it in *out, or
 * -1 when s is empty, has trailing bytes or is out of range.
 */
static int
bf_parse_int(const char *s, long lo, long hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (s[0] == '\0' || *end != '\0' || errno != 0 || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

/* Read the first line of path into buf. Returns 0, or -1 if unreadable. */
static int
bf_read_secret(const char *path, char *buf, size_t sz)
{
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fgets(buf, (int)sz, f) == NULL)
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

/* Connect to MariaDB. Returns a handle the caller closes, or NULL (logged). */
static MYSQL *
bf_connect(const struct bf_opts *o)
{
	MYSQL *c;

	if ((c = mysql_init(NULL)) == NULL)
		return NULL;
	if (mysql_real_connect(c, NULL, o->db_user,
	    o->db_password[0] ? o->db_password : NULL, o->db_name, 0,
	    o->db_socket, 0) == NULL) {
		fprintf(stderr, "bare_fcgi: connect: %s\n", mysql_error(c));
		mysql_close(c);
		return NULL;
	}
	return c;
}

/*
 * Create and fill the bench tables when missing (master, before forking).
 * Returns 0 or -1 (logged).
 */
static int
bf_setup_tables(const struct bf_opts *o)
{
	static const char *const ddl[] = {
		"CREATE TABLE IF NOT EXISTS bench_wallet ("
		" id INT NOT NULL PRIMARY KEY,"
		" balance BIGINT NOT NULL) ENGINE=InnoDB",
		"CREATE TABLE IF NOT EXISTS bench_ledger ("
		" id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
		" wallet_id INT NOT NULL,"
		" amount BIGINT NOT NULL,"
		" created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)"
		") ENGINE=InnoDB",
		"INSERT IGNORE INTO bench_wallet (id, balance)"
		" WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL"
		" SELECT n + 1 FROM seq WHERE n < 1000)"
		" SELECT n, 1000000000000 FROM seq",
	};
	MYSQL *c;
	size_t i;
	int rc = -1;

	if ((c = bf_connect(o)) == NULL)
		return -1;
	/* From here on c is held: leave through err. */
	for (i = 0; i < sizeof(ddl) / sizeof(ddl[0]); i++)
		if (mysql_query(c, ddl[i]) != 0) {
			fprintf(stderr, "bare_fcgi: setup: %s\n", mysql_error(c));
			goto err;
		}
	rc = 0;
err:
	mysql_close(c);
	return rc;
}

/* Prepare one statement. Returns it (caller closes) or NULL (logged). */
static MYSQL_STMT *
bf_prepare(MYSQL *c, const char *sql)
{
	MYSQL_STMT *st;

	if ((st = mysql_stmt_init(c)) == NULL)
		return NULL;
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
		fprintf(stderr, "bare_fcgi: prepare: %s\n", mysql_stmt_error(st));
		mysql_stmt_close(st);
		return NULL;
	}
	return st;
}

static void
bf_db_close(struct bf_db *db)
{
	if (db->sel != NULL)
		mysql_stmt_close(db->sel);
	if (db->upd != NULL)
		mysql_stmt_close(db->upd);
	if (db->ins != NULL)
		mysql_stmt_close(db->ins);
	if (db->conn != NULL)
		mysql_close(db->conn);
	memset(db, 0, sizeof(*db));
}

/* (Re)open the worker's connection and statements. Returns 0 or -1. */
static int
bf_db_open(const struct bf_opts *o, struct bf_db *db)
{
	bf_db_close(db);
	if ((db->conn = bf_connect(o)) == NULL)
		return -1;
	if (o->mode == BF_SELECT) {
		db->sel = bf_prepare(db->conn,
		    "SELECT balance FROM bench_wallet WHERE id = ?");
		if (db->sel == NULL)
			goto err;
	} else if (o->mode == BF_WRITE) {
		if (mysql_autocommit(db->conn, 0) != 0)
			goto err;
		db->upd = bf_prepare(db->conn, "UPDATE bench_wallet"
		    " SET balance = balance - 1 WHERE id = ? AND balance >= 1");
		db->ins = bf_prepare(db->conn, "INSERT INTO bench_ledger"
		    " (wallet_id, amount) VALUES (?, -1)");
		if (db->upd == NULL || db->ins == NULL)
			goto err;
	}
	return 0;
err:
	bf_db_close(db);
	return -1;
}

/* Bind one INT parameter and execute. Returns 0 or -1. */
static int
bf_exec_id(MYSQL_STMT *st, int *id)
{
	MYSQL_BIND b;

	memset(&b, 0, sizeof(b));
	b.buffer_type = MYSQL_TYPE_LONG;
	b.buffer = id;
	if (mysql_stmt_bind_param(st, &b) != 0 || mysql_stmt_execute(st) != 0)
		return -1;
	return 0;
}

/* SELECT one balance into *bal. Returns 0, 1 when no row, -1 on error. */
static int
bf_do_select(struct bf_db *db, int id, long long *bal)
{
	MYSQL_BIND r;
	int rc;

	if (bf_exec_id(db->sel, &id) != 0)
		return -1;
	memset(&r, 0, sizeof(r));
	r.buffer_type = MYSQL_TYPE_LONGLONG;
	r.buffer = bal;
	if (mysql_stmt_bind_result(db->sel, &r) != 0)
		return -1;
	rc = mysql_stmt_fetch(db->sel);
	mysql_stmt_free_result(db->sel);
	if (rc == MYSQL_NO_DATA)
		return 1;
	return rc == 0 ? 0 : -1;
}

/* Debit 1 and append a ledger row in one transaction. 0, 1 (no funds), -1. */
static int
bf_do_write(struct bf_db *db, int id)
{
	my_ulonglong n;

	if (bf_exec_id(db->upd, &id) != 0)
		goto err;
	n = mysql_stmt_affected_rows(db->upd);
	if (n != 1) {
		mysql_rollback(db->conn);
		return 1;
	}
	if (bf_exec_id(db->ins, &id) != 0)
		goto err;
	if (mysql_commit(db->conn) != 0)
		goto err;
	return 0;
err:
	fprintf(stderr, "bare_fcgi: write: %s\n", mysql_error(db->conn));
	mysql_rollback(db->conn);
	return -1;
}

/* One worker: accept and answer until SIGTERM. Never returns. */
static void
bf_worker(const struct bf_opts *o, int listen_fd)
{
	FCGX_Request req;
	struct bf_db db;
	uint64_t seed;
	long long bal = 0;
	int id, rc;

	memset(&db, 0, sizeof(db));
	seed = ((uint64_t)getpid() << 32) ^ 0x9e3779b97f4a7c15ULL;
	if ((o->mode == BF_SELECT || o->mode == BF_WRITE) &&
	    bf_db_open(o, &db) != 0)
		_exit(1);
	FCGX_Init();
	if (FCGX_InitRequest(&req, listen_fd, 0) != 0)
		_exit(1);
	while (!bf_stop && FCGX_Accept_r(&req) == 0) {
		id = o->hot ? 1 : (int)(bf_rand(&seed) % BF_ROWS) + 1;
		rc = 0;
		if (o->mode == BF_SELECT)
			rc = bf_do_select(&db, id, &bal);
		else if (o->mode == BF_WRITE)
			rc = bf_do_write(&db, id);
		if (o->mode == BF_ECHO) {
			char **e;

			FCGX_FPrintF(req.out, "Status: 200 OK\r\n"
			    "Content-Type: text/plain\r\n\r\n");
			for (e = req.envp; *e != NULL; e++)
				FCGX_FPrintF(req.out, "%s\n", *e);
		} else if (rc < 0) {
			FCGX_FPrintF(req.out, "Status: 500 Internal Server Error\r\n"
			    "Content-Type: application/json\r\n\r\n"
			    "{\"error\":\"db\"}\n");
			if (bf_db_open(o, &db) != 0)
				sleep(1);
		} else if (o->mode == BF_SELECT) {
			FCGX_FPrintF(req.out, "Status: 200 OK\r\n"
			    "Content-Type: application/json\r\n\r\n"
			    "{\"id\":%d,\"balance\":%lld}\n", id, bal);
		} else if (rc == 1) {
			FCGX_FPrintF(req.out, "Status: 402 Payment Required\r\n"
			    "Content-Type: application/json\r\n\r\n"
			    "{\"error\":\"insufficient_funds\"}\n");
		} else {
			FCGX_FPrintF(req.out, "Status: 200 OK\r\n"
			    "Content-Type: application/json\r\n\r\n"
			    "{\"ok\":true}\n");
		}
		FCGX_Finish_r(&req);
	}
	bf_db_close(&db);
	_exit(0);
}

/* Fork one worker into slot i. Returns 0 or -1. */
static int
bf_spawn(const struct bf_opts *o, int fd, int i)
{
	pid_t p;

	if ((p = fork()) < 0)
		return -1;
	if (p == 0) {
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		bf_worker(o, fd);
	}
	bf_children[i] = p;
	return 0;
}

/* Write our pid to o->pidfile (if any). Returns 0 or -1. */
static int
bf_write_pidfile(const struct bf_opts *o)
{
	FILE *f;

	if (o->pidfile == NULL)
		return 0;
	if ((f = fopen(o->pidfile, "w")) == NULL)
		return -1;
	fprintf(f, "%ld\n", (long)getpid());
	return fclose(f) == 0 ? 0 : -1;
}

/*
 * Detach: fork, let the parent exit 0 once the child has written its pid
 * file (so the socket and the pid file exist when the command returns).
 * Returns 0 in the daemon, -1 on failure.
 */
static int
bf_daemonize(const struct bf_opts *o)
{
	int pfd[2], devnull;
	pid_t p;
	char c = 0;

	if (pipe(pfd) != 0)
		return -1;
	if ((p = fork()) < 0)
		return -1;
	if (p > 0) {
		close(pfd[1]);
		if (read(pfd[0], &c, 1) != 1 || c != 'k')
			_exit(1);
		_exit(0);
	}
	close(pfd[0]);
	setsid();
	if (bf_write_pidfile(o) != 0)
		return -1;
	if ((devnull = open("/dev/null", O_RDWR)) >= 0) {
		dup2(devnull, STDIN_FILENO);
		dup2(devnull, STDOUT_FILENO);
		if (devnull > STDERR_FILENO)
			close(devnull);
	}
	c = 'k';
	if (write(pfd[1], &c, 1) != 1)
		return -1;
	close(pfd[1]);
	return 0;
}

static void
bf_usage(void)
{
	fprintf(stderr, "usage: bare_fcgi --socket PATH [--workers N] "
	    "[--pidfile F] [--daemon] [--hot] [--db-socket S] [--db-name D] "
	    "[--db-user U] [--db-password-file F] noop|select|write|echo\n");
	exit(2);
}

static void
bf_parse_args(int argc, char *argv[], struct bf_opts *o)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "workers", required_argument, NULL, 'w' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "daemon", no_argument, NULL, 'd' },
		{ "hot", no_argument, NULL, 'H' },
		{ "db-socket", required_argument, NULL, 'S' },
		{ "db-name", required_argument, NULL, 'D' },
		{ "db-user", required_argument, NULL, 'U' },
		{ "db-password-file", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 }
	};
	const char *mode;
	int ch;

	memset(o, 0, sizeof(*o));
	o->workers = 4;
	o->db_socket = getenv("MG_DB_SOCKET");
	o->db_name = "mediagate_bench";
	o->db_user = "mg_bench";
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 's': o->sock_path = optarg; break;
		case 'w':
			if (bf_parse_int(optarg, 1, BF_MAX_WORKERS, &o->workers))
				bf_usage();
			break;
		case 'p': o->pidfile = optarg; break;
		case 'd': o->daemon = 1; break;
		case 'H': o->hot = 1; break;
		case 'S': o->db_socket = optarg; break;
		case 'D': o->db_name = optarg; break;
		case 'U': o->db_user = optarg; break;
		case 'P':
			if (bf_read_secret(optarg, o->db_password,
			    sizeof(o->db_password)) != 0) {
				fprintf(stderr, "bare_fcgi: cannot read %s\n",
				    optarg);
				exit(1);
			}
			break;
		default: bf_usage();
		}
	}
	if (optind != argc - 1 || o->sock_path == NULL)
		bf_usage();
	mode = argv[optind];
	if (strcmp(mode, "noop") == 0)
		o->mode = BF_NOOP;
	else if (strcmp(mode, "select") == 0)
		o->mode = BF_SELECT;
	else if (strcmp(mode, "write") == 0)
		o->mode = BF_WRITE;
	else if (strcmp(mode, "echo") == 0)
		o->mode = BF_ECHO;
	else
		bf_usage();
}

int
main(int argc, char *argv[])
{
	struct bf_opts o;
	struct sigaction sa;
	pid_t p;
	int fd, i, status;

	bf_parse_args(argc, argv, &o);
	if (o.mode == BF_SELECT || o.mode == BF_WRITE) {
		if (mysql_library_init(0, NULL, NULL) != 0)
			return 1;
		if (bf_setup_tables(&o) != 0)
			return 1;
	}
	if (FCGX_Init() != 0)
		return 1;
	unlink(o.sock_path);
	if ((fd = FCGX_OpenSocket(o.sock_path, 1024)) < 0) {
		fprintf(stderr, "bare_fcgi: cannot listen on %s\n", o.sock_path);
		return 1;
	}
	if (o.daemon) {
		if (bf_daemonize(&o) != 0)
			return 1;
	} else if (bf_write_pidfile(&o) != 0)
		return 1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = bf_on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	for (i = 0; i < o.workers; i++)
		if (bf_spawn(&o, fd, i) != 0)
			return 1;
	/* Master: restart crashed workers until told to stop. */
	while (!bf_stop) {
		p = waitpid(-1, &status, 0);
		if (p < 0)
			continue;
		for (i = 0; i < o.workers; i++)
			if (bf_children[i] == p && !bf_stop) {
				sleep(1);
				bf_spawn(&o, fd, i);
			}
	}
	for (i = 0; i < o.workers; i++)
		kill(bf_children[i], SIGTERM);
	while (waitpid(-1, &status, 0) > 0 || errno == EINTR)
		;
	unlink(o.sock_path);
	if (o.pidfile != NULL)
		unlink(o.pidfile);
	return 0;
}
