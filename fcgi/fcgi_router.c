#include <stdio.h>
#include <string.h>

#include "mg_arena.h"
#include "fcgi_router.h"

int
fcgi_route_match(const char *pat, const char *path, struct mg_arena *a,
    struct mg_kv *params, size_t max, size_t *np)
{
	const char *pe, *se;

	*np = 0;
	for (;;) {
		if (*pat == '\0' || *path == '\0')
			return *pat == '\0' && *path == '\0';
		if (*pat == '{') {
			if ((pe = strchr(pat, '}')) == NULL)
				return 0;
			se = path;
			while (*se != '\0' && *se != '/')
				se++;
			if (se == path || *np == max)
				return 0;
			if (a != NULL) {
				params[*np].key = mg_arena_strndup(a, pat + 1,
				    (size_t)(pe - pat - 1));
				params[*np].val = mg_arena_strndup(a, path,
				    (size_t)(se - path));
			}
			(*np)++;
			pat = pe + 1;
			path = se;
			continue;
		}
		if (*pat != *path)
			return 0;
		pat++;
		path++;
	}
}

void
fcgi_route_nginx(const char *pat, char *buf, size_t cap)
{
	size_t o = 0;
	const char *p;

	if (strchr(pat, '{') == NULL) {
		snprintf(buf, cap, "= %s", pat);
		return;
	}
	o = (size_t)snprintf(buf, cap, "~ ^");
	for (p = pat; *p != '\0' && o + 8 < cap; p++) {
		if (*p == '{') {
			while (*p != '\0' && *p != '}')
				p++;
			o += (size_t)snprintf(buf + o, cap - o, "[^/]+");
			if (*p == '\0')
				break;
			continue;
		}
		if (strchr(".+*?()[]^$|\\", *p) != NULL)
			buf[o++] = '\\';
		buf[o++] = *p;
	}
	snprintf(buf + o, cap - o, "$");
}
