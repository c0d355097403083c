/*
 * Unit tests for the foundation: bounded parsers, money formatting, the
 * router, form/query decoding, the JSON body parser, arena and buffers.
 * Every rule a parser enforces has a named negative case here.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mgtest.h"
#include "mg_arena.h"
#include "mg_buf.h"
#include "mg_config.h"
#include "mg_crypto.h"
#include "mg_log.h"
#include "mg_util.h"
#include "fcgi_req.h"
#include "fcgi_router.h"
#include "mg_ctx.h"

static int64_t v;

static int
p64(const char *s, int64_t lo, int64_t hi)
{
	return mg_parse_i64(s, strlen(s), lo, hi, &v);
}

static void
test_i64_accepts(void)
{
	CU_ASSERT_EQUAL(p64("0", 0, 10), 0);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(p64("200", 1, 200), 0);
	CU_ASSERT_EQUAL(v, 200);
	CU_ASSERT_EQUAL(p64("-5", -10, 10), 0);
	CU_ASSERT_EQUAL(v, -5);
	CU_ASSERT_EQUAL(p64("9223372036854775807", 0, INT64_MAX), 0);
	CU_ASSERT_EQUAL(v, INT64_MAX);
	CU_ASSERT_EQUAL(p64("-9223372036854775808", INT64_MIN, 0), 0);
	CU_ASSERT_EQUAL(v, INT64_MIN);
}

static void
test_i64_rejects_empty(void)
{
	CU_ASSERT_EQUAL(p64("", 0, 10), -1);
	CU_ASSERT_EQUAL(p64("-", -10, 10), -1);
}

static void
test_i64_rejects_junk(void)
{
	CU_ASSERT_EQUAL(p64("12a", 0, 100), -1);
	CU_ASSERT_EQUAL(p64(" 12", 0, 100), -1);
	CU_ASSERT_EQUAL(p64("12 ", 0, 100), -1);
	CU_ASSERT_EQUAL(p64("+12", 0, 100), -1);
	CU_ASSERT_EQUAL(p64("1.5", 0, 100), -1);
	CU_ASSERT_EQUAL(p64("0x10", 0, 100), -1);
}

static void
test_i64_rejects_leading_zero(void)
{
	CU_ASSERT_EQUAL(p64("007", 0, 100), -1);
}

static void
test_i64_rejects_range(void)
{
	CU_ASSERT_EQUAL(p64("201", 1, 200), -2);
	CU_ASSERT_EQUAL(p64("0", 1, 200), -2);
	CU_ASSERT_EQUAL(p64("9223372036854775808", 0, INT64_MAX), -2);
	CU_ASSERT_NOT_EQUAL(p64("99999999999999999999", 0, INT64_MAX), 0);
	CU_ASSERT_NOT_EQUAL(p64("123456789012345678901", 0, INT64_MAX), 0);
}

static void
test_usd_parse(void)
{
	int64_t m;

	CU_ASSERT_EQUAL(mg_parse_usd("5", 1, INT64_MAX, &m), 0);
	CU_ASSERT_EQUAL(m, 5000000);
	CU_ASSERT_EQUAL(mg_parse_usd("5.00", 4, INT64_MAX, &m), 0);
	CU_ASSERT_EQUAL(m, 5000000);
	CU_ASSERT_EQUAL(mg_parse_usd("0.000001", 8, INT64_MAX, &m), 0);
	CU_ASSERT_EQUAL(m, 1);
	CU_ASSERT_EQUAL(mg_parse_usd("12.345", 6, INT64_MAX, &m), 0);
	CU_ASSERT_EQUAL(m, 12345000);
}

static void
test_usd_rejects(void)
{
	int64_t m;

	CU_ASSERT_EQUAL(mg_parse_usd("", 0, INT64_MAX, &m), -1);
	CU_ASSERT_EQUAL(mg_parse_usd(".5", 2, INT64_MAX, &m), -1);
	CU_ASSERT_EQUAL(mg_parse_usd("5.", 2, INT64_MAX, &m), -1);
	CU_ASSERT_EQUAL(mg_parse_usd("1.2.3", 5, INT64_MAX, &m), -1);
	CU_ASSERT_EQUAL(mg_parse_usd("0.0000001", 9, INT64_MAX, &m), -1);
	CU_ASSERT_EQUAL(mg_parse_usd("-5", 2, INT64_MAX, &m), -1);
	CU_ASSERT_EQUAL(mg_parse_usd("1e3", 3, INT64_MAX, &m), -1);
	CU_ASSERT_EQUAL(mg_parse_usd("1001", 4, 1000 * MG_MICROS_PER_USD, &m), -2);
}

static void
test_usd_format(void)
{
	char b[32];

	mg_fmt_usd(5000000, b, sizeof(b));
	CU_ASSERT_STRING_EQUAL(b, "5.00");
	mg_fmt_usd(12500, b, sizeof(b));
	CU_ASSERT_STRING_EQUAL(b, "0.0125");
	mg_fmt_usd(-1, b, sizeof(b));
	CU_ASSERT_STRING_EQUAL(b, "-0.000001");
	mg_fmt_usd(1230000, b, sizeof(b));
	CU_ASSERT_STRING_EQUAL(b, "1.23");
}

static void
test_router_literal(void)
{
	struct mg_kv p[4];
	size_t n;

	CU_ASSERT_TRUE(fcgi_route_match("/v1/me", "/v1/me", NULL, p, 4, &n));
	CU_ASSERT_FALSE(fcgi_route_match("/v1/me", "/v1/me/", NULL, p, 4, &n));
	CU_ASSERT_FALSE(fcgi_route_match("/v1/me", "/v1/m", NULL, p, 4, &n));
	CU_ASSERT_FALSE(fcgi_route_match("/v1/me", "/v1/mex", NULL, p, 4, &n));
}

static void
test_router_params(void)
{
	struct mg_arena a;
	struct mg_kv p[4];
	size_t n;

	mg_arena_init(&a, 4096);
	CU_ASSERT_TRUE(fcgi_route_match("/v1/api-keys/{id}/rotate",
	    "/v1/api-keys/abc-1/rotate", &a, p, 4, &n));
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_STRING_EQUAL(p[0].key, "id");
	CU_ASSERT_STRING_EQUAL(p[0].val, "abc-1");
	/* A parameter is one non-empty segment. */
	CU_ASSERT_FALSE(fcgi_route_match("/v1/jobs/{id}", "/v1/jobs/", &a, p, 4, &n));
	CU_ASSERT_FALSE(fcgi_route_match("/v1/jobs/{id}", "/v1/jobs/a/b", &a, p, 4, &n));
	mg_arena_free(&a);
}

static void
test_router_nginx(void)
{
	char b[128];

	fcgi_route_nginx("/v1/me", b, sizeof(b));
	CU_ASSERT_STRING_EQUAL(b, "= /v1/me");
	fcgi_route_nginx("/v1/jobs/{id}", b, sizeof(b));
	CU_ASSERT_STRING_EQUAL(b, "~ ^/v1/jobs/[^/]+$");
	fcgi_route_nginx("/.well-known/x/{a}/y", b, sizeof(b));
	CU_ASSERT_STRING_EQUAL(b, "~ ^/\\.well-known/x/[^/]+/y$");
}

static void
test_form_decode(void)
{
	struct mg_arena a;
	struct mg_kv kv[4];

	mg_arena_init(&a, 4096);
	CU_ASSERT_EQUAL(fcgi_form_parse("a=1&b=x%20y+z&c", 15, &a, kv, 4), 3);
	CU_ASSERT_STRING_EQUAL(kv[1].key, "b");
	CU_ASSERT_STRING_EQUAL(kv[1].val, "x y z");
	CU_ASSERT_STRING_EQUAL(kv[2].val, "");
	mg_arena_free(&a);
}

static void
test_form_rejects_bad_percent(void)
{
	struct mg_arena a;
	struct mg_kv kv[4];

	mg_arena_init(&a, 4096);
	CU_ASSERT_EQUAL(fcgi_form_parse("a=%zz", 5, &a, kv, 4), -1);
	CU_ASSERT_EQUAL(fcgi_form_parse("a=%4", 4, &a, kv, 4), -1);
	CU_ASSERT_EQUAL(fcgi_form_parse("a=%00", 5, &a, kv, 4), -1);
	mg_arena_free(&a);
}

static void
test_form_rejects_too_many_pairs(void)
{
	struct mg_arena a;
	struct mg_kv kv[2];

	mg_arena_init(&a, 4096);
	CU_ASSERT_EQUAL(fcgi_form_parse("a=1&b=2&c=3", 11, &a, kv, 2), -1);
	mg_arena_free(&a);
}

static void
test_json_accepts_object(void)
{
	json_object *o = mg_json_parse("{\"a\":[1,2]} \n", 13, 16);

	CU_ASSERT_PTR_NOT_NULL(o);
	json_object_put(o);
}

static void
test_json_rejects_malformed(void)
{
	CU_ASSERT_PTR_NULL(mg_json_parse("{\"a\":", 5, 16));
	CU_ASSERT_PTR_NULL(mg_json_parse("{\"a\":tru}", 10, 16));
	CU_ASSERT_PTR_NULL(mg_json_parse("{\"a\":1,}", 8, 16));
	CU_ASSERT_PTR_NULL(mg_json_parse("", 0, 16));
}

static void
test_json_rejects_trailing_garbage(void)
{
	CU_ASSERT_PTR_NULL(mg_json_parse("{} {}", 5, 16));
	CU_ASSERT_PTR_NULL(mg_json_parse("{}x", 3, 16));
}

static void
test_json_rejects_non_object(void)
{
	CU_ASSERT_PTR_NULL(mg_json_parse("[1]", 3, 16));
	CU_ASSERT_PTR_NULL(mg_json_parse("42", 2, 16));
}

static void
test_json_rejects_too_deep(void)
{
	char buf[256];
	size_t i, n = 0;

	buf[n++] = '{';
	buf[n++] = '"';
	buf[n++] = 'a';
	buf[n++] = '"';
	buf[n++] = ':';
	for (i = 0; i < 40; i++)
		buf[n++] = '[';
	for (i = 0; i < 40; i++)
		buf[n++] = ']';
	buf[n++] = '}';
	CU_ASSERT_PTR_NULL(mg_json_parse(buf, n, 16));
}

static int hook_ran;

static void
hook(void *p)
{
	(void)p;
	hook_ran++;
}

static void
test_arena(void)
{
	struct mg_arena a;
	char *big, *s;

	CU_ASSERT_EQUAL(mg_arena_init(&a, 1024), 0);
	s = mg_arena_strdup(&a, "hello");
	CU_ASSERT_STRING_EQUAL(s, "hello");
	CU_ASSERT_EQUAL((uintptr_t)s % 16, 0);
	big = mg_arena_alloc(&a, 100000);	/* larger than a chunk */
	CU_ASSERT_PTR_NOT_NULL(big);
	memset(big, 1, 100000);
	mg_arena_defer(&a, hook, NULL);
	mg_arena_reset(&a);
	CU_ASSERT_EQUAL(hook_ran, 1);
	CU_ASSERT_PTR_NOT_NULL(mg_arena_printf(&a, "%d-%s", 7, "x"));
	mg_arena_free(&a);
}

static void
test_buf_escape(void)
{
	struct mg_buf b;
	char st[8];

	mg_buf_init_ext(&b, st, sizeof(st));
	mg_buf_json_escape(&b, "a\"b\\c\n\x01");
	CU_ASSERT_STRING_EQUAL(b.data, "a\\\"b\\\\c\\n\\u0001");
	mg_buf_free(&b);
	mg_buf_init(&b, NULL);
	mg_buf_urlencode(&b, "a b&c=d/é");
	CU_ASSERT_STRING_EQUAL(b.data, "a%20b%26c%3Dd%2F%C3%A9");
	b.len = 0;
	mg_buf_html_escape(&b, "<a href=\"x\">&'");
	CU_ASSERT_STRING_EQUAL(b.data, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
	mg_buf_free(&b);
}

static void
test_config_env_wins(void)
{
	setenv("MG_UNIT_TEST_KEY", "42", 1);
	CU_ASSERT_EQUAL(mg_cfg_int("unit_test_key", 7), 42);
	setenv("MG_UNIT_TEST_KEY", "4x", 1);
	CU_ASSERT_EQUAL(mg_cfg_int("unit_test_key", 7), 7);
	unsetenv("MG_UNIT_TEST_KEY");
	CU_ASSERT_STRING_EQUAL(mg_cfg_str("unit_test_missing", "d"), "d");
}

static void
test_crypto_vectors(void)
{
	unsigned char mac[32];
	char hex[65];

	/* payments.md §1 HMAC vectors. */
	mg_hmac_sha256("test_secret", 11, "", 0, mac);
	mg_hex(mac, 32, hex);
	CU_ASSERT_STRING_EQUAL(hex,
	    "f7f9bd47fb987337b5796fdc1fdb9ba221d0d5396814bfcaf9521f43fd8927fd");
	CU_ASSERT_EQUAL(mg_ct_streq("abc", "abc"), 0);
	CU_ASSERT_NOT_EQUAL(mg_ct_streq("abc", "abd"), 0);
	CU_ASSERT_NOT_EQUAL(mg_ct_streq("abc", "abcd"), 0);
}

/* mg_token_ok: 1..max of [A-Za-z0-9] + extra; each rule refuses. */
static void
test_token_ok(void)
{
	CU_ASSERT(mg_token_ok("ab-C_9", 6, "_-"));
	CU_ASSERT(mg_token_ok("pi_123", 255, "_"));
	CU_ASSERT(!mg_token_ok(NULL, 8, "_-"));		/* missing */
	CU_ASSERT(!mg_token_ok("", 8, "_-"));		/* empty */
	CU_ASSERT(!mg_token_ok("abcdefg", 6, "_-"));	/* too long */
	CU_ASSERT(!mg_token_ok("a-b", 8, "_"));		/* not in extra */
	CU_ASSERT(!mg_token_ok("../x", 8, "_-"));	/* path tricks */
	CU_ASSERT(!mg_token_ok("a b", 8, "_-"));
	CU_ASSERT(!mg_token_ok("a\xc3\xa9", 8, "_-"));	/* non-ASCII */
}

static const struct mgt_case parse_cases[] = {
	{ "i64_accepts", test_i64_accepts },
	{ "token_ok_rules", test_token_ok },
	{ "i64_rejects_empty", test_i64_rejects_empty },
	{ "i64_rejects_junk", test_i64_rejects_junk },
	{ "i64_rejects_leading_zero", test_i64_rejects_leading_zero },
	{ "i64_rejects_range", test_i64_rejects_range },
	{ "usd_parse", test_usd_parse },
	{ "usd_rejects", test_usd_rejects },
	{ "usd_format", test_usd_format },
	{ NULL, NULL }
};

static const struct mgt_case http_cases[] = {
	{ "router_literal", test_router_literal },
	{ "router_params", test_router_params },
	{ "router_nginx", test_router_nginx },
	{ "form_decode", test_form_decode },
	{ "form_rejects_bad_percent", test_form_rejects_bad_percent },
	{ "form_rejects_too_many_pairs", test_form_rejects_too_many_pairs },
	{ "json_accepts_object", test_json_accepts_object },
	{ "json_rejects_malformed", test_json_rejects_malformed },
	{ "json_rejects_trailing_garbage", test_json_rejects_trailing_garbage },
	{ "json_rejects_non_object", test_json_rejects_non_object },
	{ "json_rejects_too_deep", test_json_rejects_too_deep },
	{ NULL, NULL }
};

/*
 * One log line into fd (stderr swapped for it) and its "pid" field;
 * -1 when absent.
 */
static long
log_pid_via(int fd)
{
	char line[512];
	const char *p;
	int saved = dup(STDERR_FILENO);
	ssize_t n;

	dup2(fd, STDERR_FILENO);
	mg_log(MG_LOG_WARN, "pid check");
	dup2(saved, STDERR_FILENO);
	close(saved);
	(void)lseek(fd, 0, SEEK_SET);
	n = read(fd, line, sizeof(line) - 1);
	if (n <= 0)
		return -1;
	line[n] = '\0';
	p = strstr(line, "\"pid\":");
	return p != NULL ? strtol(p + 6, NULL, 10) : -1;
}

/* The pid of a log line is cached, and still right in a forked child. */
static void
test_log_pid_after_fork(void)
{
	FILE *a = tmpfile(), *b = tmpfile();
	pid_t child;
	int st;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(log_pid_via(fileno(a)), (long)getpid());
	if ((child = fork()) == 0)
		_exit(log_pid_via(fileno(b)) == (long)getpid() ? 0 : 1);
	CU_ASSERT_FATAL(child > 0);
	CU_ASSERT_EQUAL(waitpid(child, &st, 0), child);
	CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	fclose(a);
	fclose(b);
}

static const struct mgt_case mem_cases[] = {
	{ "arena", test_arena },
	{ "buf_escape", test_buf_escape },
	{ "config_env_wins", test_config_env_wins },
	{ "crypto_vectors", test_crypto_vectors },
	{ "log_pid_after_fork", test_log_pid_after_fork },
	{ NULL, NULL }
};

int
main(void)
{
	mg_crypto_init();
	mgt_suite("core_parse", NULL, NULL, parse_cases);
	mgt_suite("core_http", NULL, NULL, http_cases);
	mgt_suite("core_mem", NULL, NULL, mem_cases);
	return mgt_run();
}
