/*
 * The pre-fork pools under stress: a reload (SIGHUP) while requests flow
 * drops none of them, and a worker killed with SIGKILL is replaced.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "it.h"
#include "mgtest.h"

static struct it_ws W;

static int
setup(void)
{
	return it_workspace(&W, "read", "studio");
}

static pid_t
master_pid(const char *module)
{
	char path[512];
	FILE *f;
	long pid = 0;

	snprintf(path, sizeof(path), "%s/%s.pid", getenv("MG_RUN_DIR") ?
	    getenv("MG_RUN_DIR") : "var/run", module);
	if ((f = fopen(path, "r")) != NULL) {
		if (fscanf(f, "%ld", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	return (pid_t)pid;
}

/* In a child: GET path for secs seconds; exit with the number of failures (capped). */
static void
hammer(const char *path, const char *key, int secs)
{
	time_t end = time(NULL) + secs;
	struct it_resp r;
	int fails = 0, n = 0;

	while (time(NULL) < end) {
		if (it_get(&r, path, key) != 0 || r.status != 200)
			fails++;
		n++;
		it_free(&r);
	}
	_exit(n < 10 ? 250 : (fails > 200 ? 200 : fails));
}

static void
test_reload_drops_nothing(void)
{
	char before[1024], after[1024];
	pid_t kids[4], m = master_pid("auth");
	int i, st, failures = 0;

	CU_ASSERT_TRUE_FATAL(m > 0);
	it_worker_pids("auth", before, sizeof(before));
	for (i = 0; i < 4; i++)
		if ((kids[i] = fork()) == 0)
			hammer("/v1/me", W.key, 3);
	usleep(700000);
	CU_ASSERT_EQUAL(kill(m, SIGHUP), 0);
	usleep(300000);
	CU_ASSERT_EQUAL(kill(m, SIGHUP), 0);	/* twice, mid-traffic */
	for (i = 0; i < 4; i++) {
		waitpid(kids[i], &st, 0);
		CU_ASSERT_TRUE(WIFEXITED(st));
		CU_ASSERT_NOT_EQUAL(WEXITSTATUS(st), 250);
		failures += WEXITSTATUS(st);
	}
	CU_ASSERT_EQUAL(failures, 0);
	usleep(500000);
	it_worker_pids("auth", after, sizeof(after));
	/* A new generation of workers serves now. */
	CU_ASSERT_STRING_NOT_EQUAL(before, after);
	CU_ASSERT_TRUE(strlen(after) > 0);
}

static void
test_killed_worker_replaced(void)
{
	char before[1024], after[1024];
	struct it_resp r;
	long victim;
	int n_before = 0, n_after = 0, i;

	it_worker_pids("wallet", before, sizeof(before));
	CU_ASSERT_TRUE_FATAL(sscanf(before, "%ld", &victim) == 1);
	for (i = 0; before[i]; i++)
		n_before += before[i] == ' ' && i > 0 && before[i - 1] != ' ';
	CU_ASSERT_EQUAL(kill((pid_t)victim, SIGKILL), 0);
	for (i = 0; i < 40; i++) {
		usleep(100000);
		it_worker_pids("wallet", after, sizeof(after));
		if (strstr(after, before) == NULL && strlen(after) >= strlen(before) - 8)
			break;
	}
	for (i = 0; after[i]; i++)
		n_after += after[i] == ' ' && i > 0 && after[i - 1] != ' ';
	CU_ASSERT_EQUAL(n_after, n_before);
	{
		char needle[32];

		snprintf(needle, sizeof(needle), "%ld ", victim);
		CU_ASSERT_PTR_NULL(strstr(after, needle));
	}
	it_get(&r, "/v1/wallet", W.key);
	CU_ASSERT_EQUAL(r.status, 200);
	it_free(&r);
}

static const struct mgt_case cases[] = {
	{ "reload_drops_nothing", test_reload_drops_nothing },
	{ "killed_worker_replaced", test_killed_worker_replaced },
	{ NULL, NULL }
};

int
main(void)
{
	mgt_suite("pool", setup, NULL, cases);
	return mgt_run();
}
