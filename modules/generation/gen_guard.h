/*
 * gen_guard: the checks a submit passes before money moves.
 *
 *   prompt blocklist   config prompt_blocklist: a file of PCRE2 patterns,
 *                      one per line ('#' comments and blank lines skipped),
 *                      compiled once per worker, matched caseless+UTF
 *                      → 422 prompt_blocked, nothing charged.
 *   concurrency cap    config max_concurrent_jobs_per_workspace (default 8):
 *                      queued + running jobs, counted inside the submit
 *                      transaction after the wallet row lock → 429.
 *   spend cap          api_keys.daily_spend_cap_micros vs the key's spend
 *                      today (UTC), from the ledger, inside the transaction
 *                      after the hold → 402 spend_cap_exceeded.
 *   circuit breaker    provider_health (007) open → 503 circuit_open.
 * The last three run in gen_http.c's submit transaction; this file owns the
 * blocklist and the configuration.
 */
#ifndef GEN_GUARD_H
#define GEN_GUARD_H

#include <stddef.h>
#include <stdint.h>

#define GEN_DEFAULT_MAX_CONCURRENT	8
#define GEN_MAX_BLOCK_PATTERNS		1024

enum gen_guard_err {
	GEN_GUARD_OK = 0,	/* not blocked */
	GEN_GUARD_BLOCKED,	/* a pattern matched */
	GEN_GUARD_E_CONFIG,	/* blocklist unreadable or a pattern invalid */
	GEN_GUARD__MAX
};

const char	*gen_guard_strerror(enum gen_guard_err);

/*
 * Match text[0..n) against the blocklist (loaded on first use from config
 * prompt_blocklist; no key = empty list). GEN_GUARD_E_CONFIG when the file
 * is configured but unreadable or holds an invalid pattern: submits then
 * fail closed (503) rather than skip the check.
 */
enum gen_guard_err gen_guard_prompt(const char *text, size_t n);

/*
 * Load patterns from path (replacing the current list); for tests. NULL
 * clears the list. Returns GEN_GUARD_OK or GEN_GUARD_E_CONFIG with a
 * reason in err.
 */
enum gen_guard_err gen_guard_load(const char *path, char *err, size_t errlen);

/* config max_concurrent_jobs_per_workspace, at least 1. */
int64_t		 gen_guard_max_concurrent(void);

#endif
