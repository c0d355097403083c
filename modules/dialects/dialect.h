/*
 * dialect: the four API dialects, each a route table plus its error words.
 * Where a request goes: read modules/dialects/dialect_<name>.c.
 */
#ifndef DIALECT_H
#define DIALECT_H

#include "mg_ctx.h"

extern const struct mg_dialect dialect_studio;
extern const struct mg_dialect dialect_prepaid;
extern const struct mg_dialect dialect_credits;
extern const struct mg_dialect dialect_tenant;

/* All dialects, indexed by enum mg_dialect_id. */
extern const struct mg_dialect *const dialects[MG_DIALECT__MAX];

/*
 * The dialect serving a path: tenant when nginx says so (its own server),
 * else by prefix: /api/v1 prepaid, /api credits, everything else studio.
 */
const struct mg_dialect *dialect_for(const char *path, const char *hint);

/* Module names ("auth") and parsing. */
const char	*mg_module_name(enum mg_module);
int		 mg_module_parse(const char *, enum mg_module *);

/* Print nginx location blocks for every route of every dialect to f. */
void		 dialect_print_nginx(void *file, int tenant_server);

#endif
