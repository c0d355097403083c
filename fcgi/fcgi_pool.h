/*
 * fcgi_pool: a minimal pre-fork master for one FastCGI worker pool.
 *
 * Why our own master rather than spawn-fcgi + multiwatch: we need exactly
 * three behaviours and they fit in one small file with no extra packages:
 * (1) N children accept on one unix socket bound by the master, (2) a child
 * that dies is replaced, (3) SIGHUP starts a fresh generation of children
 * before the old one is told to finish its in-flight request and exit, so a
 * reload drops nothing (the listening socket never closes; queued connections
 * wait in its backlog). SIGTERM/SIGINT: children finish their request, the
 * master removes its socket and pid file and exits.
 */
#ifndef FCGI_POOL_H
#define FCGI_POOL_H

struct fcgi_pool_cfg {
	const char	*name;		/* for logs: the module */
	const char	*socket_path;
	const char	*pidfile;	/* NULL: none */
	int		 workers;
	int		 backlog;
	int		 daemonize;
	/* Runs in each child with the listening fd; returns the exit code. */
	int		(*child_main)(int listen_fd, void *arg);
	void		*arg;
};

/* Run the master until stopped. Returns the process exit code. */
int	fcgi_pool_run(const struct fcgi_pool_cfg *);

/* In a child: set by SIGTERM; the accept loop checks it. */
extern volatile int fcgi_pool_stopping;
/* In a child: install the SIGTERM handler (no SA_RESTART). */
void	fcgi_pool_child_signals(void);

#endif
