#include <stdio.h>
#include <string.h>

#include "dialect.h"
#include "fcgi_router.h"

const struct mg_dialect *const dialects[MG_DIALECT__MAX] = {
	[MG_DIALECT_STUDIO] = &dialect_studio,
	[MG_DIALECT_PREPAID] = &dialect_prepaid,
	[MG_DIALECT_CREDITS] = &dialect_credits,
	[MG_DIALECT_TENANT] = &dialect_tenant,
};

static const char *const module_names[MG_MOD__MAX] = {
	[MG_MOD_AUTH] = "auth",
	[MG_MOD_WALLET] = "wallet",
	[MG_MOD_GENERATION] = "generation",
	[MG_MOD_CATALOG] = "catalog",
};

const char *
mg_module_name(enum mg_module m)
{
	return m < MG_MOD__MAX ? module_names[m] : "?";
}

int
mg_module_parse(const char *s, enum mg_module *out)
{
	size_t i;

	for (i = 0; i < MG_MOD__MAX; i++)
		if (strcmp(s, module_names[i]) == 0) {
			*out = (enum mg_module)i;
			return 0;
		}
	return -1;
}

static int
has_prefix(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(path, prefix, n) == 0 &&
	    (path[n] == '\0' || path[n] == '/');
}

const struct mg_dialect *
dialect_for(const char *path, const char *hint)
{
	if (hint != NULL && strcmp(hint, "tenant") == 0)
		return &dialect_tenant;
	if (has_prefix(path, "/api/v1"))
		return &dialect_prepaid;
	if (has_prefix(path, "/api"))
		return &dialect_credits;
	return &dialect_studio;
}

/*
 * One location per distinct pattern. The route class picks the include
 * file that sets body caps and rate-limit zones (nginx/mg_route_*.conf).
 */
static void
print_dialect(FILE *f, const struct mg_dialect *d)
{
	size_t i, j;
	char sel[512];
	int gen, upload;
	const char *cls;

	for (i = 0; i < d->nroutes; i++) {
		const struct mg_route *r = &d->routes[i];

		if (r->pattern == NULL)
			continue;
		for (j = 0; j < i; j++)
			if (d->routes[j].pattern != NULL &&
			    strcmp(d->routes[j].pattern, r->pattern) == 0)
				break;
		if (j < i)
			continue;	/* already printed */
		gen = upload = 0;
		for (j = i; j < d->nroutes; j++)
			if (d->routes[j].pattern != NULL &&
			    strcmp(d->routes[j].pattern, r->pattern) == 0) {
				gen |= d->routes[j].gen_limited;
				upload |= d->routes[j].body == MG_BODY_UPLOAD;
			}
		cls = gen ? (upload ? "upload_gen" : "gen") :
		    (upload ? "upload" : "std");
		fcgi_route_nginx(r->pattern, sel, sizeof(sel));
		fprintf(f, "location %s { include mg_route_%s.conf; "
		    "fastcgi_pass mg_%s; }\n", sel, cls,
		    mg_module_name(r->module));
	}
}

void
dialect_print_nginx(void *file, int tenant_server)
{
	FILE *f = file;

	if (tenant_server) {
		print_dialect(f, &dialect_tenant);
		return;
	}
	print_dialect(f, &dialect_studio);
	print_dialect(f, &dialect_prepaid);
	print_dialect(f, &dialect_credits);
}
