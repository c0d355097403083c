#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mg_util.h"

int
mg_parse_i64(const char *s, size_t n, int64_t min, int64_t max, int64_t *out)
{
	size_t i = 0;
	int neg = 0;
	uint64_t v = 0, lim;

	if (n == 0 || n > 20)
		return -1;
	if (s[0] == '-') {
		neg = 1;
		i = 1;
		if (n == 1)
			return -1;
	}
	if (s[i] == '0' && n - i > 1)
		return -1;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (lim - (uint64_t)(s[i] - '0')) / 10)
			return -2;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (neg) {
		int64_t r = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
		if (r < min)
			return -2;
		*out = r;
	} else {
		if ((int64_t)v > max || (int64_t)v < min)
			return -2;
		*out = (int64_t)v;
	}
	return 0;
}

int
mg_parse_usd(const char *s, size_t n, int64_t max_micros, int64_t *out)
{
	size_t i = 0, frac = 0;
	int64_t whole = 0, micros = 0;
	int dot = 0, digits = 0;

	if (n == 0 || n > 24)
		return -1;
	for (; i < n; i++) {
		if (s[i] == '.') {
			if (dot || digits == 0)
				return -1;
			dot = 1;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (dot) {
			if (++frac > 6)
				return -1;
			micros = micros * 10 + (s[i] - '0');
		} else {
			if (whole > (INT64_MAX / MG_MICROS_PER_USD) / 10)
				return -2;
			whole = whole * 10 + (s[i] - '0');
			digits++;
		}
	}
	if (digits == 0 || (dot && frac == 0))
		return -1;
	while (frac++ < 6)
		micros *= 10;
	if (whole > (max_micros - micros) / MG_MICROS_PER_USD)
		return -2;
	*out = whole * MG_MICROS_PER_USD + micros;
	return *out > max_micros ? -2 : 0;
}

void
mg_fmt_usd(int64_t micros, char *buf, size_t cap)
{
	uint64_t a = micros < 0 ? (uint64_t)0 - (uint64_t)micros : (uint64_t)micros;
	uint64_t whole = a / 1000000, frac = a % 1000000;
	char fb[8];
	int len = 6;

	snprintf(fb, sizeof(fb), "%06llu", (unsigned long long)frac);
	while (len > 2 && fb[len - 1] == '0')
		len--;
	snprintf(buf, cap, "%s%llu.%.*s", micros < 0 ? "-" : "",
	    (unsigned long long)whole, len, fb);
}

double
mg_usd_display(int64_t micros)
{
	return (double)micros / 1e6;
}

void
mg_fmt_time(time_t t, char *buf, size_t cap)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
mg_fmt_dbtime(const char *db, char *buf, size_t cap)
{
	/* "YYYY-MM-DD HH:MM:SS..." → "YYYY-MM-DDTHH:MM:SSZ" */
	if (strlen(db) < 19 || cap < 21) {
		snprintf(buf, cap, "%s", db);
		return;
	}
	memcpy(buf, db, 19);
	buf[10] = 'T';
	buf[19] = 'Z';
	buf[20] = '\0';
}

int64_t
mg_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int
mg_token_ok(const char *s, size_t max, const char *extra)
{
	size_t n;
	unsigned char c;

	if (s == NULL || *s == '\0')
		return 0;
	for (n = 0; s[n] != '\0'; n++) {
		c = (unsigned char)s[n];
		if (n >= max || !((c >= 'a' && c <= 'z') || (c >= 'A' &&
		    c <= 'Z') || (c >= '0' && c <= '9') || strchr(extra, c)))
			return 0;
	}
	return 1;
}
