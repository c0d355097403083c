#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mg_config.h"
#include "mg_util.h"

#define CFG_MAX_ENTRIES	512

struct cfg_entry {
	char	*key;
	char	*val;
};

static struct cfg_entry	 cfg[CFG_MAX_ENTRIES];
static size_t		 ncfg;

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static void
cfg_set(const char *key, const char *val)
{
	size_t i;

	for (i = 0; i < ncfg; i++)
		if (strcmp(cfg[i].key, key) == 0) {
			free(cfg[i].val);
			cfg[i].val = strdup(val);
			return;
		}
	if (ncfg == CFG_MAX_ENTRIES)
		return;
	cfg[ncfg].key = strdup(key);
	cfg[ncfg].val = strdup(val);
	ncfg++;
}

int
mg_cfg_load(const char *path)
{
	FILE *f;
	char line[4096], *p, *eq, *k, *v;
	int lineno = 0, rc = 0;

	if (path == NULL && (path = getenv("MG_CONFIG")) == NULL)
		path = "config/mediagate.conf";
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		p = trim(line);
		if (*p == '\0' || *p == '#')
			continue;
		if ((eq = strchr(p, '=')) == NULL) {
			fprintf(stderr, "%s:%d: expected key = value\n", path, lineno);
			rc = -1;
			continue;
		}
		*eq = '\0';
		k = trim(p);
		v = trim(eq + 1);
		cfg_set(k, v);
	}
	fclose(f);
	return rc;
}

/* Read the first line of a secret file into a heap string (cached by caller). */
static char *
read_first_line(const char *path)
{
	FILE *f;
	char line[4096];

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	return strdup(line);
}

const char *
mg_cfg_str(const char *key, const char *def)
{
	char env[256];
	const char *v;
	char *fv;
	size_t i, n;

	n = strlen(key);
	if (n + 9 >= sizeof(env))
		return def;
	memcpy(env, "MG_", 3);
	for (i = 0; i < n; i++)
		env[3 + i] = (char)toupper((unsigned char)key[i]);
	env[3 + n] = '\0';
	if ((v = getenv(env)) != NULL)
		return v;
	memcpy(env + 3 + n, "_FILE", 6);
	if ((v = getenv(env)) != NULL && (fv = read_first_line(v)) != NULL) {
		cfg_set(key, fv);	/* cache: the file is read once */
		free(fv);
		unsetenv(env);
	}
	for (i = 0; i < ncfg; i++)
		if (strcmp(cfg[i].key, key) == 0)
			return cfg[i].val;
	return def;
}

int64_t
mg_cfg_int(const char *key, int64_t def)
{
	const char *v = mg_cfg_str(key, NULL);
	int64_t n;

	if (v == NULL || *v == '\0')
		return def;
	if (mg_parse_i64(v, strlen(v), INT64_MIN, INT64_MAX, &n) != 0) {
		fprintf(stderr, "config: %s: not an integer, using default\n", key);
		return def;
	}
	return n;
}

int
mg_cfg_bool(const char *key, int def)
{
	const char *v = mg_cfg_str(key, NULL);

	if (v == NULL)
		return def;
	if (!strcasecmp(v, "1") || !strcasecmp(v, "true") ||
	    !strcasecmp(v, "yes") || !strcasecmp(v, "on"))
		return 1;
	if (!strcasecmp(v, "0") || !strcasecmp(v, "false") ||
	    !strcasecmp(v, "no") || !strcasecmp(v, "off"))
		return 0;
	return def;
}
