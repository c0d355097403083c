/*
 * mg_util: small pure helpers (bounded parsing, money and time formatting).
 * Pure functions of their arguments, so tests and fuzzers call them directly.
 */
#ifndef MG_UTIL_H
#define MG_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define MG_MICROS_PER_USD	1000000LL

/*
 * Parse s[0..n) as a base-10 integer in [min, max]: optional '-', digits only,
 * no spaces, no '+', no leading zeros beyond "0". Returns 0, or -1 malformed,
 * -2 out of range.
 */
int	mg_parse_i64(const char *s, size_t n, int64_t min, int64_t max, int64_t *out);

/*
 * Parse a decimal USD amount ("5", "5.5", "12.34", up to 6 decimals) into
 * micros without floating point. Returns 0, -1 malformed, -2 out of range.
 */
int	mg_parse_usd(const char *s, size_t n, int64_t max_micros, int64_t *out);

/* Format micros as a decimal USD string with 2..6 decimals ("5.00", "0.0125"). */
void	mg_fmt_usd(int64_t micros, char *buf, size_t cap);
/* Micros as a JSON-able double for display only (never fed back into money). */
double	mg_usd_display(int64_t micros);

/* RFC 3339 UTC "YYYY-MM-DDTHH:MM:SSZ" from unix seconds. buf ≥ 21 bytes. */
void	mg_fmt_time(time_t t, char *buf, size_t cap);
/* RFC 3339 from a MariaDB "YYYY-MM-DD HH:MM:SS[.ffffff]" string. */
void	mg_fmt_dbtime(const char *db, char *buf, size_t cap);

/* Monotonic microseconds. */
int64_t	mg_now_us(void);
/*
 * Is s a token fit for a path or a file name: 1..max characters of
 * [A-Za-z0-9] and of extra (e.g. "_-")? 0 for NULL.
 */
int	mg_token_ok(const char *s, size_t max, const char *extra);

#endif
