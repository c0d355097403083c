/*
 * mediagate-worker: one FastCGI pool per module.
 *
 *   mediagate-worker --module auth|wallet|generation|catalog [--daemon]
 *   mediagate-worker --nginx-locations [tenant]
 *
 * Socket $MG_RUN_DIR/<module>.sock, pid file $MG_RUN_DIR/<module>.pid,
 * size MG_WORKERS_<MODULE> (config workers_<module>, default 4).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialect.h"
#include "fcgi_pool.h"
#include "mg_config.h"
#include "mg_log.h"
#include "mg_serve.h"

static int
usage(void)
{
	fprintf(stderr, "usage: mediagate-worker --module "
	    "auth|wallet|generation|catalog [--daemon]\n"
	    "       mediagate-worker --nginx-locations [tenant]\n");
	return 2;
}

int
main(int argc, char *argv[])
{
	static enum mg_module module;
	struct fcgi_pool_cfg cfg;
	char sock[512], pid[512], key[64];
	const char *run, *modname = NULL;
	int i, daemonize = 0;

	if (mg_cfg_load(NULL) != 0)
		return 1;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--nginx-locations") == 0) {
			dialect_print_nginx(stdout, i + 1 < argc &&
			    strcmp(argv[i + 1], "tenant") == 0);
			return 0;
		} else if (strcmp(argv[i], "--module") == 0 && i + 1 < argc)
			modname = argv[++i];
		else if (strcmp(argv[i], "--daemon") == 0)
			daemonize = 1;
		else
			return usage();
	}
	if (modname == NULL || mg_module_parse(modname, &module) != 0)
		return usage();
	mg_log_setup(mg_module_name(module),
	    mg_cfg_bool("log_debug", 0) ? MG_LOG_DEBUG : MG_LOG_INFO);
	run = mg_cfg_str("run_dir", "var/run");
	snprintf(sock, sizeof(sock), "%s/%s.sock", run, modname);
	snprintf(pid, sizeof(pid), "%s/%s.pid", run, modname);
	snprintf(key, sizeof(key), "workers_%s", modname);
	memset(&cfg, 0, sizeof(cfg));
	cfg.name = modname;
	cfg.socket_path = sock;
	cfg.pidfile = pid;
	cfg.workers = (int)mg_cfg_int(key, mg_cfg_int("workers", 4));
	cfg.backlog = (int)mg_cfg_int("listen_backlog", 1024);
	cfg.daemonize = daemonize;
	cfg.child_main = mg_worker_main;
	cfg.arg = &module;
	return fcgi_pool_run(&cfg);
}
