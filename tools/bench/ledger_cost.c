/*
 * ledger_cost: MariaDB CPU per money operation, without HTTP (make bench).
 *
 *   ledger_cost SOCKET DB PID MODE THREADS SECONDS
 *
 * THREADS connections (unix socket, as the calling OS user: the stack's
 * root account) run MODE in a loop for SECONDS; prints one line
 *
 *   MODE ops/s db_us_per_op machine_us_per_op
 *
 * where db_us_per_op is mariadbd's CPU time (/proc/PID/stat, user + system)
 * divided by the operations done, and machine_us_per_op the whole
 * machine's busy time (/proc/stat) likewise. Modes:
 *
 *   floor   UPDATE + INSERT + COMMIT on mediagate_bench.bench_wallet /
 *           bench_ledger (the write floor of tools/bench/bare_fcgi.c)
 *   auth    the API-key lookup of every request (DB_AUTH_KEY_LOOKUP shape)
 *           for the newest key
 *   cycle   a hold row + its release row (1 micro, each INSERT its own
 *           autocommit transaction; the ledger trigger of migration 011
 *           moves the wallet) over the 64 richest wallets: what POST
 *           /v1/_bench/reserve-release does after authenticating (the
 *           statements of DB_WALLET_HOLD and DB_WALLET_SETTLE)
 *
 * It measures where a reservation cycle's database time goes (docs/MONEY.md);
 * the database it runs on must be a throwaway one (the bench stack's).
 */
#include <mysql.h>
#include <pthread.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_THREADS	64
#define MAX_WALLETS	64

enum mode { M_FLOOR, M_AUTH, M_CYCLE };

static const char	*sock, *dbname;
static enum mode	 mode;
static char		 wallets[MAX_WALLETS][37];
static int		 nwallets;
static unsigned char	 keyhash[64];
static unsigned long	 keyhash_len;
static atomic_long	 done;
static atomic_int	 stop, failed;

static const char *const auth_sql =
    "SELECT k.id, k.workspace_id, ws.tenant_id, k.prefix, k.scopes,"
    " k.daily_spend_cap_micros, COALESCE(k.daily_request_quota, 0),"
    " (k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > NOW(6))),"
    " ws.name, ws.plan, DATE_FORMAT(ws.created_at, '%Y-%m-%dT%H:%i:%sZ'),"
    " COALESCE(w.balance_micros, 0), COALESCE(w.reserved_micros, 0),"
    " COALESCE(u.count, 0)"
    " FROM api_keys k JOIN workspaces ws ON ws.id = k.workspace_id"
    " LEFT JOIN wallets w ON w.workspace_id = k.workspace_id"
    " LEFT JOIN key_usage u ON u.key_id = k.id AND u.day = UTC_DATE()"
    " AND u.shard = 0"
    " WHERE k.key_hash = ?";

static MYSQL *
connect_db(const char *db)
{
	struct passwd *pw = getpwuid(geteuid());
	MYSQL *m;

	if (pw == NULL || (m = mysql_init(NULL)) == NULL)
		return NULL;
	if (mysql_real_connect(m, NULL, pw->pw_name, NULL, db, 0, sock, 0) ==
	    NULL ||
	    mysql_query(m, "SET time_zone = '+00:00',"
	    " tx_isolation = 'READ-COMMITTED'") != 0) {
		fprintf(stderr, "ledger_cost: %s\n", mysql_error(m));
		mysql_close(m);
		return NULL;
	}
	return m;
}

static MYSQL_STMT *
prepare(MYSQL *m, const char *sql)
{
	MYSQL_STMT *st;

	if ((st = mysql_stmt_init(m)) == NULL)
		return NULL;
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
		fprintf(stderr, "ledger_cost: %s\n", mysql_stmt_error(st));
		mysql_stmt_close(st);
		return NULL;
	}
	return st;
}

/* Bind b[0..n) and execute; drop any result. 0 or -1 (logged). */
static int
run(MYSQL_STMT *st, MYSQL_BIND *b)
{
	if ((b != NULL && mysql_stmt_bind_param(st, b) != 0) ||
	    mysql_stmt_execute(st) != 0 || mysql_stmt_store_result(st) != 0) {
		fprintf(stderr, "ledger_cost: %s\n", mysql_stmt_error(st));
		return -1;
	}
	mysql_stmt_free_result(st);
	return 0;
}

static void
bind_str(MYSQL_BIND *b, const char *s, unsigned long *len)
{
	*len = strlen(s);
	b->buffer_type = MYSQL_TYPE_STRING;
	b->buffer = (void *)(uintptr_t)s;
	b->buffer_length = *len;
	b->length = len;
}

static void
bind_int(MYSQL_BIND *b, long long *v)
{
	b->buffer_type = MYSQL_TYPE_LONGLONG;
	b->buffer = v;
}

/* One worker thread: its own connection, MODE until stop. */
static void *
worker(void *arg)
{
	long tid = (long)arg;
	MYSQL *m = NULL;
	MYSQL_STMT *a = NULL, *b = NULL;
	MYSQL_BIND in[7];
	unsigned long len[7];
	long long one = 1, minus_one = -1, ttl = 21600, id;
	char job[37];
	unsigned seq = 0;

	if ((m = connect_db(mode == M_FLOOR ? "mediagate_bench" : dbname)) == NULL)
		goto err;
	if (mode == M_FLOOR) {
		if (mysql_autocommit(m, 0) != 0 ||
		    (a = prepare(m, "UPDATE bench_wallet SET balance = balance - 1"
		    " WHERE id = ? AND balance >= 1")) == NULL ||
		    (b = prepare(m, "INSERT INTO bench_ledger (wallet_id, amount)"
		    " VALUES (?, -1)")) == NULL)
			goto err;
	} else if (mode == M_AUTH) {
		if ((a = prepare(m, auth_sql)) == NULL)
			goto err;
	} else if ((a = prepare(m, "INSERT INTO ledger (workspace_id, kind,"
	    " amount_micros, reserved_delta_micros, job_id, ref, description,"
	    " api_key_id, expires_at) VALUES (?, 'hold', 0, ?, ?,"
	    " CONCAT('hold:', job_id), 'cost', NULL, NOW(6) + INTERVAL ? SECOND)"))
	    == NULL || (b = prepare(m, "INSERT INTO ledger (workspace_id, kind,"
	    " amount_micros, reserved_delta_micros, job_id, ref, description,"
	    " api_key_id) VALUES (?, 'release', 0, ?, ?,"
	    " CONCAT('settle:', job_id), 'cost', NULL)")) == NULL)
		goto err;
	while (!atomic_load(&stop)) {
		seq++;
		memset(in, 0, sizeof(in));
		if (mode == M_FLOOR) {
			id = (tid * 7919 + seq) % 1000 + 1;
			bind_int(&in[0], &id);
			if (run(a, in) != 0 || run(b, in) != 0 ||
			    mysql_commit(m) != 0)
				goto err;
		} else if (mode == M_AUTH) {
			in[0].buffer_type = MYSQL_TYPE_BLOB;
			in[0].buffer = keyhash;
			in[0].buffer_length = keyhash_len;
			in[0].length = &keyhash_len;
			if (run(a, in) != 0)
				goto err;
		} else {
			snprintf(job, sizeof(job), "%08x-%04x-4000-8000-%012x",
			    (unsigned)getpid(), (unsigned)tid, seq);
			bind_str(&in[0], wallets[(tid + seq) % nwallets], &len[0]);
			bind_int(&in[1], &one);
			bind_str(&in[2], job, &len[2]);
			bind_int(&in[3], &ttl);
			if (run(a, in) != 0)
				goto err;
			bind_int(&in[1], &minus_one);	/* release it all */
			if (run(b, in) != 0)
				goto err;
		}
		atomic_fetch_add(&done, 1);
	}
	goto out;
err:
	atomic_store(&failed, 1);
	atomic_store(&stop, 1);
out:
	if (a != NULL)
		mysql_stmt_close(a);
	if (b != NULL)
		mysql_stmt_close(b);
	if (m != NULL)
		mysql_close(m);
	return NULL;
}

/* mariadbd's CPU ticks (user + system), or -1. */
static long
proc_ticks(const char *pid)
{
	char path[64];
	unsigned long u = 0, s = 0;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fscanf(f, "%*d %*s %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u"
	    " %lu %lu", &u, &s);
	fclose(f);
	return n == 2 ? (long)(u + s) : -1;
}

/* The machine's busy ticks (all but idle and iowait), or -1. */
static long
machine_ticks(void)
{
	long v[8];
	FILE *f;
	int n;

	if ((f = fopen("/proc/stat", "r")) == NULL)
		return -1;
	n = fscanf(f, "cpu %ld %ld %ld %ld %ld %ld %ld %ld", &v[0], &v[1],
	    &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	return n == 8 ? v[0] + v[1] + v[2] + v[5] + v[6] + v[7] : -1;
}

/* The 64 richest wallets and the newest key's hash. 0 or -1. */
static int
load_fixtures(void)
{
	MYSQL *m;
	MYSQL_RES *r;
	MYSQL_ROW row;
	unsigned long *lens;
	int rc = -1;

	if ((m = connect_db(dbname)) == NULL)
		return -1;
	if (mysql_query(m, "SELECT workspace_id FROM wallets"
	    " ORDER BY balance_micros - reserved_micros DESC LIMIT 64") != 0 ||
	    (r = mysql_store_result(m)) == NULL)
		goto out;
	while ((row = mysql_fetch_row(r)) != NULL && nwallets < MAX_WALLETS)
		snprintf(wallets[nwallets++], sizeof(wallets[0]), "%s", row[0]);
	mysql_free_result(r);
	if (mysql_query(m, "SELECT key_hash FROM api_keys"
	    " ORDER BY created_at DESC LIMIT 1") != 0 ||
	    (r = mysql_store_result(m)) == NULL)
		goto out;
	if ((row = mysql_fetch_row(r)) != NULL &&
	    (lens = mysql_fetch_lengths(r)) != NULL && lens[0] <= sizeof(keyhash)) {
		memcpy(keyhash, row[0], lens[0]);
		keyhash_len = lens[0];
	}
	mysql_free_result(r);
	rc = nwallets > 0 && keyhash_len > 0 ? 0 : -1;
out:
	if (rc != 0)
		fprintf(stderr, "ledger_cost: no wallets or keys in %s\n", dbname);
	mysql_close(m);
	return rc;
}

int
main(int argc, char *argv[])
{
	pthread_t th[MAX_THREADS];
	long d0, d1, p0, p1, m0, m1, hz = sysconf(_SC_CLK_TCK);
	int threads, seconds, i;
	double n;

	if (argc != 7 || (threads = atoi(argv[5])) < 1 ||
	    threads > MAX_THREADS || (seconds = atoi(argv[6])) < 1) {
		fprintf(stderr, "usage: ledger_cost SOCKET DB PID "
		    "floor|auth|cycle THREADS SECONDS\n");
		return 2;
	}
	sock = argv[1];
	dbname = argv[2];
	if (strcmp(argv[4], "floor") == 0)
		mode = M_FLOOR;
	else if (strcmp(argv[4], "auth") == 0)
		mode = M_AUTH;
	else if (strcmp(argv[4], "cycle") == 0)
		mode = M_CYCLE;
	else {
		fprintf(stderr, "ledger_cost: unknown mode %s\n", argv[4]);
		return 2;
	}
	if (mode != M_FLOOR && load_fixtures() != 0)
		return 1;
	for (i = 0; i < threads; i++)
		if (pthread_create(&th[i], NULL, worker, (void *)(long)i) != 0)
			return 1;
	sleep(1);	/* connected and warm */
	d0 = atomic_load(&done);
	p0 = proc_ticks(argv[3]);
	m0 = machine_ticks();
	sleep((unsigned)seconds);
	d1 = atomic_load(&done);
	p1 = proc_ticks(argv[3]);
	m1 = machine_ticks();
	atomic_store(&stop, 1);
	for (i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	n = (double)(d1 - d0);
	if (atomic_load(&failed) || n <= 0 || p0 < 0 || p1 < 0 || m0 < 0)
		return 1;
	printf("%s %.0f %.0f %.0f\n", argv[4], n / seconds,
	    (double)(p1 - p0) * 1e6 / (double)hz / n,
	    (double)(m1 - m0) * 1e6 / (double)hz / n);
	return 0;
}
