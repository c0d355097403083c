/*
 * mg_log: structured JSON log lines on stderr, one per event.
 *
 * Each line carries the time, level, pid, module and the current request
 * id. Messages are JSON-escaped. Never pass secrets (keys, tokens, passwords,
 * webhook bodies) to these functions: log ids and prefixes only.
 */
#ifndef MG_LOG_H
#define MG_LOG_H

#include <stdint.h>

enum mg_log_level { MG_LOG_DEBUG, MG_LOG_INFO, MG_LOG_WARN, MG_LOG_ERROR };

/* Process-wide fields: module name and minimum level. */
void	mg_log_setup(const char *module, enum mg_log_level min);
/* Current request id ("" between requests). The string is copied. */
void	mg_log_set_rid(const char *rid);
void	mg_log(enum mg_log_level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* The one access-log line per request. */
void	mg_log_request(const char *method, const char *path, int status,
	    int64_t dur_us, const char *workspace_id, const char *remote);

#endif
