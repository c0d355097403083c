/*
 * fcgi_router: match a request path against a route pattern.
 * Patterns are literal segments and "{name}" parameters, e.g.
 * "/v1/api-keys/{id}/rotate". A parameter matches one non-empty segment.
 */
#ifndef FCGI_ROUTER_H
#define FCGI_ROUTER_H

#include <stddef.h>

#include "fcgi_req.h"

struct mg_arena;

/*
 * Returns 1 when path matches pattern, filling params (names and values
 * copied into the arena, at most max); 0 when it does not match.
 */
int	fcgi_route_match(const char *pattern, const char *path,
	    struct mg_arena *, struct mg_kv *params, size_t max, size_t *nparams);

/* Print the nginx location selector for a pattern: "= /x" or "~ ^/x/[^/]+$". */
void	fcgi_route_nginx(const char *pattern, char *buf, size_t cap);

#endif
