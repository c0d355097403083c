/*
 * mediagate-dispatch: the dispatcher daemon (modules/generation/gen_dispatch.h).
 *
 *   mediagate-dispatch [--once] [--daemon] [--slots N]
 *   mediagate-dispatch --health     print the circuit breaker table (JSON)
 *
 * A master process runs the timers (expired leases, callbacks, output
 * clean-up, the ledger's reservation expiry and auto-recharge hooks) once
 * a second and keeps dispatch_slots worker processes alive; each worker
 * claims and runs one job at a time, every job attempt in its own child.
 *   --once    process until no job is due, run the timers, exit (tests)
 *   --daemon  detach; pid file $MG_RUN_DIR/dispatch.pid (config run_dir)
 * SIGTERM/SIGINT stop cleanly: workers abandon their attempt and requeue the
 * job without using up an attempt, then everyone exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
#include "db.h"
#include "gen_dispatch.h"
#include "mg_config.h"
#include "mg_crypto.h"
#include "mg_log.h"
#include "mg_idem.h"
#include "auth_keys.h"
#include "mg_util.h"
#include "prov.h"
#include "wallet.h"

#define MAX_SLOTS	256

static volatile int	g_stop;
static int		g_once;
static struct gen_disp_cfg g_cfg;
static struct catalog	*g_cat;

static void
on_term(int sig)
{
	(void)sig;
	g_stop = 1;
}

static void
sleep_ms(int64_t ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);	/* a signal cuts it short: fine */
}

static void
handle_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* A worker: claim and run jobs until stopped (or idle, with --once). */
static int
worker_main(int slot)
{
	struct db_conn *db;
	char id[37];
	int rc;

	gen_disp_cfg_owner(&g_cfg);
	mg_crypto_init();
	if ((db = db_open(DB_ROLE_DISPATCH)) == NULL)
		return 1;
	mg_log(MG_LOG_INFO, "worker %d up as %s", slot, g_cfg.owner);
	while (!g_stop) {
		rc = gen_disp_claim(db, &g_cfg, id);
		if (rc < 0) {
			sleep_ms(1000);
			continue;
		}
		if (rc == 0) {
			if (g_once)
				break;
			sleep_ms(g_cfg.poll_ms);
			continue;
		}
		(void)gen_disp_run(db, g_cat, &g_cfg, id, &g_stop);
	}
	db_close(db);
	return 0;
}

static pid_t
spawn(int slot)
{
	pid_t pid = fork();

	if (pid == 0) {
		/* The master gone (even by SIGKILL) → stop cleanly, requeue. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() == 1)
			_exit(0);
		mg_log_set_rid("");
		_exit(worker_main(slot));
	}
	if (pid < 0)
		mg_log(MG_LOG_ERROR, "fork: %s", strerror(errno));
	return pid;
}

/*
 * The ledger's reservation expiry (modules/wallet): weak, so the
 * dispatcher builds and runs without it; called when linked in.
 * (Auto-recharge is checked after each capture, in gen_dispatch.c.)
 */
int		 wallet_reap_expired(struct db_conn *, int64_t now, int limit)
		    __attribute__((weak));

/* The timers, once. */
static void
timers(struct db_conn *db, int64_t tick)
{
	int n;

	(void)gen_disp_recover(db, &g_cfg);
	if (wallet_reap_expired != NULL &&
	    (n = wallet_reap_expired(db, (int64_t)time(NULL), 100)) > 0)
		mg_log(MG_LOG_INFO, "released %d expired hold(s)", n);
	(void)gen_disp_callbacks(db, &g_cfg);
	if (tick % 5 == 0)
		(void)gen_disp_callback_sweep(db, &g_cfg);
	if (tick % 60 == 0) {
		(void)gen_disp_cleanup(db, &g_cfg);
		/* Expired Idempotency-Keys and past days' request counts. */
		if ((n = mg_idem_reap(db, 1000)) > 0)
			mg_log(MG_LOG_INFO, "deleted %d expired idempotency key(s)", n);
		(void)auth_usage_purge(db, 1000);
	}
}

static int
write_pidfile(const char *path, pid_t pid)
{
	char tmp[600], buf[32];
	int fd, n;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -1;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)pid);
	if (write(fd, buf, (size_t)n) != n) {
		close(fd);
		return -1;
	}
	close(fd);
	return rename(tmp, path);
}

static int
usage(void)
{
	fprintf(stderr, "usage: mediagate-dispatch [--once] [--daemon] [--slots N]\n"
	    "       mediagate-dispatch --health\n");
	return 2;
}

int
main(int argc, char *argv[])
{
	pid_t pids[MAX_SLOTS], pid;
	struct db_conn *db;
	char pidfile[512], err[256];
	int i, daemonize = 0, st, alive, health = 0;
	int64_t slots = -1, tick = 0, next_tick;

	if (mg_cfg_load(NULL) != 0)
		return 1;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--once") == 0)
			g_once = 1;
		else if (strcmp(argv[i], "--daemon") == 0)
			daemonize = 1;
		else if (strcmp(argv[i], "--health") == 0)
			health = 1;
		else if (strcmp(argv[i], "--slots") == 0 && i + 1 < argc) {
			if (mg_parse_i64(argv[i + 1], strlen(argv[i + 1]), 1,
			    MAX_SLOTS, &slots) != 0)
				return usage();
			i++;
		} else
			return usage();
	}
	mg_log_setup("dispatch", mg_cfg_bool("log_debug", 0) ? MG_LOG_DEBUG : MG_LOG_INFO);
	if (health) {
		char *js;

		if ((db = db_open(DB_ROLE_DISPATCH)) == NULL ||
		    (js = gen_disp_health_json(db)) == NULL)
			return 1;
		fputs(js, stdout);
		free(js);
		db_close(db);
		return 0;
	}
	if (mg_crypto_init() != 0 || prov_init() != 0)
		return 1;
	gen_disp_cfg_load(&g_cfg);
	if (slots > 0)
		g_cfg.slots = slots;
	if (g_cfg.slots > MAX_SLOTS)
		g_cfg.slots = MAX_SLOTS;
	if (catalog_load_default(&g_cat, err, sizeof(err)) != CATALOG_OK) {
		/* Without a catalog captures charge the hold (logged per job). */
		mg_log(MG_LOG_WARN, "catalog not loaded (%s): captures use the hold", err);
		g_cat = NULL;
	}
	snprintf(pidfile, sizeof(pidfile), "%s/dispatch.pid",
	    mg_cfg_str("run_dir", "var/run"));
	if (daemonize) {
		if ((pid = fork()) < 0)
			return 1;
		if (pid > 0) {
			if (write_pidfile(pidfile, pid) != 0) {
				fprintf(stderr, "dispatch: cannot write %s\n", pidfile);
				kill(pid, SIGTERM);
				return 1;
			}
			return 0;
		}
		setsid();
		i = open("/dev/null", O_RDONLY);
		if (i >= 0) {
			dup2(i, 0);
			if (i > 2)
				close(i);
		}
	}
	handle_signals();
	if ((db = db_open(DB_ROLE_DISPATCH)) == NULL) {
		mg_log(MG_LOG_ERROR, "cannot connect to the database as dispatch");
		return 1;
	}
	mg_log(MG_LOG_INFO, "dispatcher up: %lld slots, lease %llds, timeout %llds%s",
	    (long long)g_cfg.slots, (long long)g_cfg.lease_s,
	    (long long)g_cfg.job_timeout_s, g_once ? ", once" : "");
	timers(db, 0);
	for (i = 0; i < g_cfg.slots; i++)
		pids[i] = spawn(i);
	next_tick = mg_now_us() + 1000000LL;
	for (;;) {
		/* Reap workers; respawn in daemon mode. */
		while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
			for (i = 0; i < g_cfg.slots; i++) {
				if (pids[i] != pid)
					continue;
				pids[i] = -1;
				if (!g_stop && !g_once) {
					if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
						mg_log(MG_LOG_WARN, "worker %d died, restarting", i);
					sleep_ms(200);
					pids[i] = spawn(i);
				}
			}
		}
		for (alive = 0, i = 0; i < g_cfg.slots; i++)
			alive += pids[i] > 0;
		if (g_stop || (g_once && alive == 0))
			break;
		if (mg_now_us() >= next_tick) {
			next_tick = mg_now_us() + 1000000LL;
			timers(db, ++tick);
		}
		sleep_ms(100);
	}
	if (g_stop) {
		mg_log(MG_LOG_INFO, "stopping: waiting for %d worker(s)", alive);
		for (i = 0; i < g_cfg.slots; i++)
			if (pids[i] > 0)
				kill(pids[i], SIGTERM);
		for (i = 0; i < g_cfg.slots; i++) {
			int k;

			if (pids[i] <= 0)
				continue;
			for (k = 0; k < 200; k++) {
				if (waitpid(pids[i], &st, WNOHANG) == pids[i])
					break;
				sleep_ms(50);
			}
			if (k == 200) {
				kill(pids[i], SIGKILL);
				waitpid(pids[i], &st, 0);
			}
		}
	} else {
		/* --once: deliver what became due, then leave. */
		timers(db, 60);
	}
	db_close(db);
	if (daemonize)
		unlink(pidfile);
	if (g_cat != NULL)
		catalog_free(g_cat);
	mg_log(MG_LOG_INFO, "dispatcher stopped");
	return 0;
}
