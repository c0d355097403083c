/*
 * gen_guard: the prompt blocklist (PCRE2, https://www.pcre.org/current/doc/html/)
 * and the guard configuration. See gen_guard.h.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcre2.h>

#include "gen_guard.h"
#include "mg_config.h"
#include "mg_log.h"

static pcre2_code	*pats[GEN_MAX_BLOCK_PATTERNS];
static size_t		 npats;
static int		 loaded;	/* 1 ok, -1 broken configuration */
static pcre2_match_data	*md;

static const char *const errs[GEN_GUARD__MAX] = {
	"ok", "prompt blocked", "prompt blocklist misconfigured",
};

const char *
gen_guard_strerror(enum gen_guard_err e)
{
	return e < GEN_GUARD__MAX ? errs[e] : "unknown";
}

static void
clear(void)
{
	size_t i;

	for (i = 0; i < npats; i++)
		pcre2_code_free(pats[i]);
	npats = 0;
	loaded = 0;
}

enum gen_guard_err
gen_guard_load(const char *path, char *err, size_t errlen)
{
	FILE *f;
	char line[2048], *p;
	size_t n;
	int ec, lineno = 0;
	PCRE2_SIZE off;
	PCRE2_UCHAR msg[160];
	pcre2_code *re;

	clear();
	if (err != NULL && errlen > 0)
		*err = '\0';
	if (md == NULL && (md = pcre2_match_data_create(1, NULL)) == NULL)
		goto fail;
	if (path == NULL || *path == '\0') {
		loaded = 1;
		return GEN_GUARD_OK;
	}
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: cannot open", path);
		goto fail;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if (*p == '\0' || *p == '#')
			continue;
		n = strlen(p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			p[--n] = '\0';
		if (npats >= GEN_MAX_BLOCK_PATTERNS) {
			snprintf(err, errlen, "%s: more than %d patterns", path,
			    GEN_MAX_BLOCK_PATTERNS);
			fclose(f);
			goto fail;
		}
		re = pcre2_compile((PCRE2_SPTR)p, n, PCRE2_CASELESS | PCRE2_UTF |
		    PCRE2_UCP, &ec, &off, NULL);
		if (re == NULL) {
			pcre2_get_error_message(ec, msg, sizeof(msg));
			snprintf(err, errlen, "%s:%d: %s at offset %zu", path,
			    lineno, (char *)msg, (size_t)off);
			fclose(f);
			goto fail;
		}
		pats[npats++] = re;
	}
	fclose(f);
	loaded = 1;
	return GEN_GUARD_OK;
fail:
	clear();
	loaded = -1;
	return GEN_GUARD_E_CONFIG;
}

enum gen_guard_err
gen_guard_prompt(const char *text, size_t n)
{
	char err[256];
	size_t i;
	int rc;

	if (loaded == 0 && gen_guard_load(mg_cfg_str("prompt_blocklist", NULL),
	    err, sizeof(err)) != GEN_GUARD_OK)
		mg_log(MG_LOG_ERROR, "prompt_blocklist: %s", err);
	if (loaded < 0)
		return GEN_GUARD_E_CONFIG;
	for (i = 0; i < npats; i++) {
		rc = pcre2_match(pats[i], (PCRE2_SPTR)text, n, 0, 0, md, NULL);
		if (rc >= 0)
			return GEN_GUARD_BLOCKED;
		if (rc != PCRE2_ERROR_NOMATCH)
			/* invalid UTF-8 and match limits: refuse, not skip */
			return GEN_GUARD_BLOCKED;
	}
	return GEN_GUARD_OK;
}

int64_t
gen_guard_max_concurrent(void)
{
	int64_t v = mg_cfg_int("max_concurrent_jobs_per_workspace",
	    GEN_DEFAULT_MAX_CONCURRENT);

	return v < 1 ? 1 : v;
}
