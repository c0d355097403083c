/*
 * it: helpers for integration tests that talk HTTP to a running stack.
 *
 * tests/it.sh starts one stack (real MariaDB, nginx, workers) on free
 * loopback ports and exports MG_TEST_BASE (http://127.0.0.1:PORT),
 * MG_TEST_TENANT_BASE and the stack's environment, so mgctl works too.
 * Each test program makes its own tenants and workspaces.
 */
#ifndef IT_H
#define IT_H

#include <stddef.h>

#include <json-c/json.h>

struct it_resp {
	long		 status;
	char		*body;		/* NUL-terminated */
	size_t		 len;
	char		*headers;	/* raw header block */
	json_object	*json;		/* parsed body or NULL */
};

/* Base URL of the gateway (MG_TEST_BASE). */
const char	*it_base(void);

/*
 * Send a request. hdrs is a NULL-terminated list of "Name: value" lines
 * (may be NULL); body may be NULL. Returns 0 when an HTTP answer arrived.
 */
int		 it_req(struct it_resp *, const char *method, const char *url,
		    const char *const *hdrs, const char *body, size_t len);
/* GET/POST with an API key as Bearer (key may be NULL). path is appended to it_base(). */
int		 it_get(struct it_resp *, const char *path, const char *key);
int		 it_post(struct it_resp *, const char *path, const char *key,
		    const char *json_body);
void		 it_free(struct it_resp *);
/* A header value of the response (case-insensitive name), copied to buf. */
int		 it_header(const struct it_resp *, const char *name, char *buf, size_t cap);
/* A string member at a dotted path of the JSON body ("error.code"); NULL if absent. */
const char	*it_str(const struct it_resp *, const char *path);
/* An integer member at a dotted path; def when absent. */
long long	 it_int(const struct it_resp *, const char *path, long long def);

/* Run mgctl --json ARGS (a shell-quoted string); the parsed output or NULL. */
json_object	*it_mgctl(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Exit status of mgctl ARGS (output discarded). */
int		 it_mgctl_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A fresh tenant + workspace + key (scopes "generate,read,admin" if NULL). */
struct it_ws {
	char	tenant[37];
	char	ws[37];
	char	key[128];
	char	key_id[37];
};
int		 it_workspace(struct it_ws *, const char *scopes, const char *dialect);

/* Sorted, space-separated pids of a pool's workers, for crash checks. */
void		 it_worker_pids(const char *module, char *buf, size_t cap);

#endif
