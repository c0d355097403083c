#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "mg_log.h"
#include "fcgi_pool.h"

#define POOL_MAX_CHILDREN	256

volatile int fcgi_pool_stopping;

static volatile sig_atomic_t got_chld, got_hup, got_term;

struct child {
	pid_t	pid;
	int	gen;
	time_t	started;
};

static struct child kids[POOL_MAX_CHILDREN * 2];

static void
on_signal(int sig)
{
	if (sig == SIGCHLD)
		got_chld = 1;
	else if (sig == SIGHUP)
		got_hup = 1;
	else
		got_term = 1;
}

static void
on_child_term(int sig)
{
	(void)sig;
	fcgi_pool_stopping = 1;
}

void
fcgi_pool_child_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_child_term;	/* no SA_RESTART: accept() returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* Fork one child of generation gen into slot i. Returns 0 or -1. */
static int
spawn(const struct fcgi_pool_cfg *cfg, int fd, size_t i, int gen)
{
	sigset_t none;
	pid_t pid;

	if ((pid = fork()) < 0) {
		mg_log(MG_LOG_ERROR, "pool %s: fork: %s", cfg->name,
		    strerror(errno));
		return -1;
	}
	if (pid == 0) {
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		fcgi_pool_child_signals();
		_exit(cfg->child_main(fd, cfg->arg));
	}
	kids[i].pid = pid;
	kids[i].gen = gen;
	kids[i].started = time(NULL);
	return 0;
}

static int
alive_count(void)
{
	size_t i;
	int n = 0;

	for (i = 0; i < sizeof(kids) / sizeof(kids[0]); i++)
		if (kids[i].pid > 0)
			n++;
	return n;
}

/* Refuse to start over a live master; clear a stale socket and pid file. */
static int
claim_paths(const struct fcgi_pool_cfg *cfg)
{
	FILE *f;
	long pid;

	if (cfg->pidfile != NULL && (f = fopen(cfg->pidfile, "r")) != NULL) {
		if (fscanf(f, "%ld", &pid) == 1 && pid > 0 &&
		    kill((pid_t)pid, 0) == 0 && pid != getpid()) {
			fclose(f);
			fprintf(stderr, "pool %s already running (pid %ld)\n",
			    cfg->name, pid);
			return -1;
		}
		fclose(f);
	}
	(void)unlink(cfg->socket_path);
	return 0;
}

static void
write_pidfile(const struct fcgi_pool_cfg *cfg)
{
	FILE *f;

	if (cfg->pidfile == NULL || (f = fopen(cfg->pidfile, "w")) == NULL)
		return;
	fprintf(f, "%ld\n", (long)getpid());
	fclose(f);
}

int
fcgi_pool_run(const struct fcgi_pool_cfg *cfg)
{
	struct sigaction sa;
	sigset_t block, old;
	size_t i, nslots = sizeof(kids) / sizeof(kids[0]);
	int fd, gen = 0, status, workers = cfg->workers;
	pid_t pid;
	time_t deadline;

	if (workers < 1)
		workers = 1;
	if (workers > POOL_MAX_CHILDREN)
		workers = POOL_MAX_CHILDREN;
	if (claim_paths(cfg) != 0)
		return 1;
	if (FCGX_Init() != 0)
		return 1;
	if ((fd = FCGX_OpenSocket(cfg->socket_path, cfg->backlog)) < 0) {
		fprintf(stderr, "pool %s: cannot listen on %s: %s\n", cfg->name,
		    cfg->socket_path, strerror(errno));
		return 1;
	}
	/* nginx workers may run as another user; the run dir guards access. */
	chmod(cfg->socket_path, 0666);
	if (cfg->daemonize) {
		if ((pid = fork()) < 0)
			return 1;
		if (pid > 0)
			_exit(0);	/* the socket is bound: the caller may go on */
		setsid();
		if ((status = open("/dev/null", O_RDWR)) >= 0) {
			dup2(status, STDIN_FILENO);
			if (status > 2)
				close(status);
		}
	}
	write_pidfile(cfg);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old);

	mg_log(MG_LOG_INFO, "pool %s: %d workers on %s", cfg->name, workers,
	    cfg->socket_path);
	for (i = 0; i < (size_t)workers; i++)
		spawn(cfg, fd, i, gen);

	while (!got_term) {
		sigsuspend(&old);
		if (got_chld) {
			got_chld = 0;
			while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
				for (i = 0; i < nslots; i++) {
					if (kids[i].pid != pid)
						continue;
					kids[i].pid = 0;
					if (kids[i].gen != gen || got_term)
						break;	/* retired: not replaced */
					if (WIFSIGNALED(status) ||
					    WEXITSTATUS(status) != 0)
						mg_log(MG_LOG_WARN, "pool %s: worker "
						    "%ld died (%d), restarting",
						    cfg->name, (long)pid, status);
					/* A child dying at birth: slow the loop. */
					if (time(NULL) - kids[i].started < 1)
						sleep(1);
					spawn(cfg, fd, i, gen);
					break;
				}
			}
		}
		if (got_hup) {
			got_hup = 0;
			gen++;
			mg_log(MG_LOG_INFO, "pool %s: reload, generation %d",
			    cfg->name, gen);
			/* New generation first, in free slots ... */
			for (i = 0; i < nslots && workers > 0; i++)
				if (kids[i].pid == 0) {
					int spawned = 0;
					size_t k;

					for (k = 0; k < nslots; k++)
						if (kids[k].pid > 0 &&
						    kids[k].gen == gen)
							spawned++;
					if (spawned >= workers)
						break;
					spawn(cfg, fd, i, gen);
				}
			/* ... then the old one finishes and leaves. */
			for (i = 0; i < nslots; i++)
				if (kids[i].pid > 0 && kids[i].gen != gen)
					kill(kids[i].pid, SIGTERM);
		}
	}

	mg_log(MG_LOG_INFO, "pool %s: stopping", cfg->name);
	for (i = 0; i < nslots; i++)
		if (kids[i].pid > 0)
			kill(kids[i].pid, SIGTERM);
	deadline = time(NULL) + 15;
	while (alive_count() > 0 && time(NULL) < deadline) {
		if ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			for (i = 0; i < nslots; i++)
				if (kids[i].pid == pid)
					kids[i].pid = 0;
		} else if (pid < 0 && errno == ECHILD) {
			break;
		} else
			usleep(20000);
	}
	for (i = 0; i < nslots; i++)
		if (kids[i].pid > 0)
			kill(kids[i].pid, SIGKILL);
	while (waitpid(-1, &status, 0) > 0)
		continue;
	close(fd);
	unlink(cfg->socket_path);
	if (cfg->pidfile != NULL)
		unlink(cfg->pidfile);
	return 0;
}
