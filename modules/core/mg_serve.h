/*
 * mg_serve: the life of one request in a worker, and the worker's loop.
 */
#ifndef MG_SERVE_H
#define MG_SERVE_H

#include "mg_ctx.h"

struct mg_worker {
	enum mg_module	 module;
	struct db_conn	*db;
	struct mg_arena	 arena;
};

/* Child entry for fcgi_pool: connect, then accept and serve until told to stop. */
int	mg_worker_main(int listen_fd, void *module_ptr);

/*
 * Route, check and run one request already accepted; write the answer and
 * the access-log line. Never exits the process on bad input.
 */
void	mg_serve(struct mg_worker *, FCGX_Request *);

#endif
