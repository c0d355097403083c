/*
 * test_dispatch: the dispatcher's pure parts: the SSRF address classifier
 * and URL guard, the callback signature, output paths, provider-error
 * classes, requeue backoff, routes/markers, params parsing and the
 * actual-cost computation (against the shipped catalog).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "catalog.h"
#include "gen_callback.h"
#include "gen_dispatch.h"
#include "gen_files.h"
#include "mg_crypto.h"
#include "../lib/mgtest.h"

/* ---- address classifier: one named case per refused range ----------------- */

static void
expect_class(const char *addr, enum gen_addr_class want)
{
	enum gen_addr_class got = gen_addr_classify_str(addr);

	if (got != want)
		fprintf(stderr, "%s: got %s want %s\n", addr, gen_addr_class_name(got),
		    gen_addr_class_name(want));
	CU_ASSERT_EQUAL(got, want);
}

static void test_addr_loopback_v4(void) { expect_class("127.0.0.1", GEN_ADDR_LOOPBACK); expect_class("127.255.1.2", GEN_ADDR_LOOPBACK); }
static void test_addr_loopback_v6(void) { expect_class("::1", GEN_ADDR_LOOPBACK); }
static void test_addr_rfc1918_10(void) { expect_class("10.1.2.3", GEN_ADDR_PRIVATE); }
static void test_addr_rfc1918_172(void) { expect_class("172.16.0.1", GEN_ADDR_PRIVATE); expect_class("172.31.255.255", GEN_ADDR_PRIVATE); expect_class("172.32.0.1", GEN_ADDR_PUBLIC); expect_class("172.15.255.255", GEN_ADDR_PUBLIC); }
static void test_addr_rfc1918_192(void) { expect_class("192.168.1.1", GEN_ADDR_PRIVATE); expect_class("192.169.0.1", GEN_ADDR_PUBLIC); }
static void test_addr_cgnat(void) { expect_class("100.64.0.1", GEN_ADDR_CGNAT); expect_class("100.127.255.255", GEN_ADDR_CGNAT); expect_class("100.128.0.1", GEN_ADDR_PUBLIC); expect_class("100.63.255.255", GEN_ADDR_PUBLIC); }
static void test_addr_linklocal_v4(void) { expect_class("169.254.169.254", GEN_ADDR_LINKLOCAL); }
static void test_addr_linklocal_v6(void) { expect_class("fe80::1", GEN_ADDR_LINKLOCAL); expect_class("febf::1", GEN_ADDR_LINKLOCAL); }
static void test_addr_multicast(void) { expect_class("224.0.0.1", GEN_ADDR_MULTICAST); expect_class("239.255.255.250", GEN_ADDR_MULTICAST); expect_class("ff02::1", GEN_ADDR_MULTICAST); }
static void test_addr_unspecified(void) { expect_class("0.0.0.0", GEN_ADDR_UNSPECIFIED); expect_class("0.1.2.3", GEN_ADDR_UNSPECIFIED); expect_class("::", GEN_ADDR_UNSPECIFIED); }
static void test_addr_reserved(void) { expect_class("240.0.0.1", GEN_ADDR_RESERVED); expect_class("255.255.255.255", GEN_ADDR_RESERVED); expect_class("192.0.2.1", GEN_ADDR_RESERVED); expect_class("198.18.0.1", GEN_ADDR_RESERVED); expect_class("198.51.100.7", GEN_ADDR_RESERVED); expect_class("203.0.113.9", GEN_ADDR_RESERVED); expect_class("2001:db8::1", GEN_ADDR_RESERVED); expect_class("fec0::1", GEN_ADDR_RESERVED); }
static void test_addr_ula(void) { expect_class("fc00::1", GEN_ADDR_PRIVATE); expect_class("fd12:3456::1", GEN_ADDR_PRIVATE); }
static void test_addr_mapped_v4(void) { expect_class("::ffff:127.0.0.1", GEN_ADDR_LOOPBACK); expect_class("::ffff:10.0.0.1", GEN_ADDR_PRIVATE); expect_class("::ffff:8.8.8.8", GEN_ADDR_PUBLIC); }
static void test_addr_nat64_and_6to4(void) { expect_class("64:ff9b::a9fe:a9fe", GEN_ADDR_LINKLOCAL); expect_class("2002:7f00:1::1", GEN_ADDR_LOOPBACK); }
static void test_addr_public(void) { expect_class("8.8.8.8", GEN_ADDR_PUBLIC); expect_class("1.1.1.1", GEN_ADDR_PUBLIC); expect_class("2606:4700:4700::1111", GEN_ADDR_PUBLIC); }
static void test_addr_not_numeric(void) { expect_class("example.com", GEN_ADDR_RESERVED); expect_class("", GEN_ADDR_RESERVED); CU_ASSERT_EQUAL(gen_addr_classify(12345, (const unsigned char *)"abcd"), GEN_ADDR_RESERVED); }

/* ---- the URL guard (numeric hosts only: no DNS needed) --------------------- */

static void
expect_check(const char *url, int allow, enum gen_cb_err want)
{
	struct gen_cb_result r;
	enum gen_cb_err got = gen_cb_check(url, allow, &r);

	if (got != want)
		fprintf(stderr, "%s (allow %d): got %s\n", url, allow, gen_cb_strerror(got));
	CU_ASSERT_EQUAL(got, want);
}

static void test_check_loopback_refused(void) { expect_check("http://127.0.0.1:8080/hook", 0, GEN_CB_E_BLOCKED); }
static void test_check_v6_loopback_refused(void) { expect_check("http://[::1]:8080/hook", 0, GEN_CB_E_BLOCKED); }
static void test_check_private_refused(void) { expect_check("https://10.0.0.5/hook", 0, GEN_CB_E_BLOCKED); expect_check("https://192.168.0.10/x", 0, GEN_CB_E_BLOCKED); }
static void test_check_metadata_refused(void) { expect_check("http://169.254.169.254/latest/meta-data", 0, GEN_CB_E_BLOCKED); }
static void test_check_ula_refused(void) { expect_check("http://[fd00::1]/x", 0, GEN_CB_E_BLOCKED); }
static void test_check_mapped_refused(void) { expect_check("http://[::ffff:127.0.0.1]/x", 0, GEN_CB_E_BLOCKED); }
static void test_check_decimal_ip_refused(void) { expect_check("http://2130706433/x", 0, GEN_CB_E_BLOCKED); }
static void test_check_public_ok(void)
{
	struct gen_cb_result r;

	CU_ASSERT_EQUAL(gen_cb_check("https://8.8.8.8/hook", 0, &r), GEN_CB_OK);
	CU_ASSERT_STRING_EQUAL(r.address, "8.8.8.8");
}
static void test_check_private_allowed_by_flag(void)
{
	struct gen_cb_result r;

	CU_ASSERT_EQUAL(gen_cb_check("http://127.0.0.1:9/hook", 1, &r), GEN_CB_OK);
	CU_ASSERT_STRING_EQUAL(r.address, "127.0.0.1");
}
static void test_check_scheme_refused(void) { expect_check("ftp://8.8.8.8/x", 0, GEN_CB_E_URL); expect_check("file:///etc/passwd", 1, GEN_CB_E_URL); expect_check("gopher://8.8.8.8/", 1, GEN_CB_E_URL); }
static void test_check_userinfo_refused(void) { expect_check("https://user:pw@8.8.8.8/x", 0, GEN_CB_E_URL); }
static void test_check_not_a_url(void) { expect_check("not a url", 1, GEN_CB_E_URL); expect_check("", 1, GEN_CB_E_URL); expect_check("/relative/path", 1, GEN_CB_E_URL); }
static void test_check_unresolvable(void) { expect_check("https://no-such-host.invalid/x", 0, GEN_CB_E_RESOLVE); }

/* ---- signature ------------------------------------------------------------ */

static void
test_sign_known_vector(void)
{
	char buf[128];

	/* printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret-key */
	CU_ASSERT_EQUAL(gen_cb_sign("secret-key", 1700000000, "{\"a\":1}", 7, buf,
	    sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "t=1700000000,v1="
	    "7311449d99aa882d3471459eab2f09da94fb15f2c1c678f4367531554cf36a96");
}

static void
test_sign_depends_on_body_time_secret(void)
{
	char a[128], b[128], c[128], d[128];

	gen_cb_sign("k", 1, "body", 4, a, sizeof(a));
	gen_cb_sign("k", 2, "body", 4, b, sizeof(b));
	gen_cb_sign("k", 1, "bodY", 4, c, sizeof(c));
	gen_cb_sign("K", 1, "body", 4, d, sizeof(d));
	CU_ASSERT(strcmp(a + 4, b + 4) != 0);
	CU_ASSERT(strcmp(a, c) != 0);
	CU_ASSERT(strcmp(a, d) != 0);
	CU_ASSERT_EQUAL(gen_cb_sign("k", 1, "body", 4, a, 10), -1);	/* too small */
}

static void
test_workspace_secret_differs(void)
{
	char a[65], b[65];

	gen_cb_workspace_secret("ws-a", a);
	gen_cb_workspace_secret("ws-b", b);
	CU_ASSERT_EQUAL(strlen(a), 64);
	CU_ASSERT(strcmp(a, b) != 0);
}

/* ---- output paths ------------------------------------------------------------ */

static void
test_files_id_rules(void)
{
	CU_ASSERT(gen_files_id_ok("8e98d559-8ead-4545-a693-f41d57aff608"));
	CU_ASSERT(!gen_files_id_ok(""));
	CU_ASSERT(!gen_files_id_ok(".."));
	CU_ASSERT(!gen_files_id_ok("a/b"));
	CU_ASSERT(!gen_files_id_ok("a b"));
	CU_ASSERT(!gen_files_id_ok(NULL));
	CU_ASSERT(!gen_files_id_ok("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")); /* 65 */
}

static void
test_files_rel_rules(void)
{
	CU_ASSERT(gen_files_rel_ok("ws/job/out-0.png"));
	CU_ASSERT(!gen_files_rel_ok("/etc/passwd"));
	CU_ASSERT(!gen_files_rel_ok("ws/../secrets/x"));
	CU_ASSERT(!gen_files_rel_ok("ws/./x"));
	CU_ASSERT(!gen_files_rel_ok("ws//x"));
	CU_ASSERT(!gen_files_rel_ok("ws/x/"));
	CU_ASSERT(!gen_files_rel_ok("ws/x?y"));
	CU_ASSERT(!gen_files_rel_ok("ws/x y"));
	CU_ASSERT(!gen_files_rel_ok(""));
}

static void
test_files_rel_under_root(void)
{
	char buf[256], abs[512];

	snprintf(abs, sizeof(abs), "%s/ws/job/out.png", gen_files_root());
	CU_ASSERT_EQUAL(gen_files_rel(abs, buf, sizeof(buf)), GEN_FILES_OK);
	CU_ASSERT_STRING_EQUAL(buf, "ws/job/out.png");
	CU_ASSERT_EQUAL(gen_files_rel("/elsewhere/ws/job/out.png", buf, sizeof(buf)),
	    GEN_FILES_E_NAME);
	snprintf(abs, sizeof(abs), "%s/ws/../x", gen_files_root());
	CU_ASSERT_EQUAL(gen_files_rel(abs, buf, sizeof(buf)), GEN_FILES_E_NAME);
	CU_ASSERT_EQUAL(gen_files_job_dir("../x", "job", 0, buf, sizeof(buf)),
	    GEN_FILES_E_NAME);
}

static int
exists(const char *p)
{
	return access(p, F_OK) == 0;
}

static void
test_files_job_dir_create_empty_remove(void)
{
	char root[] = "/tmp/mg-test-outputs-XXXXXX", dir[512], f[600], rel[256];
	FILE *fp;

	CU_ASSERT_FATAL(mkdtemp(root) != NULL);
	setenv("MG_OUTPUTS_DIR", root, 1);
	CU_ASSERT_STRING_EQUAL(gen_files_root(), root);
	CU_ASSERT_EQUAL(gen_files_job_dir("ws1", "job1", 1, dir, sizeof(dir)), GEN_FILES_OK);
	snprintf(f, sizeof(f), "%s/out-0.png", dir);
	CU_ASSERT_FATAL((fp = fopen(f, "w")) != NULL);
	fputs("x", fp);
	fclose(fp);
	CU_ASSERT_EQUAL(gen_files_rel(f, rel, sizeof(rel)), GEN_FILES_OK);
	CU_ASSERT_STRING_EQUAL(rel, "ws1/job1/out-0.png");
	/* A new attempt starts from an empty directory. */
	CU_ASSERT_EQUAL(gen_files_job_dir("ws1", "job1", 1, dir, sizeof(dir)), GEN_FILES_OK);
	CU_ASSERT(!exists(f));
	fp = fopen(f, "w");
	if (fp != NULL)
		fclose(fp);
	/* Clean-up removes the files and the directory; twice is fine. */
	CU_ASSERT_EQUAL(gen_files_remove_job("ws1", "job1"), GEN_FILES_OK);
	CU_ASSERT(!exists(f));
	CU_ASSERT(!exists(dir));
	CU_ASSERT_EQUAL(gen_files_remove_job("ws1", "job1"), GEN_FILES_OK);
	CU_ASSERT_EQUAL(gen_files_remove_job("..", "job1"), GEN_FILES_E_NAME);
	snprintf(f, sizeof(f), "%s/ws1", root);
	rmdir(f);
	rmdir(root);
	unsetenv("MG_OUTPUTS_DIR");
}

/* ---- provider error classes, backoff, routes ------------------------------- */

static void
test_classify(void)
{
	CU_ASSERT_EQUAL(gen_disp_classify(PROV_E_MODERATION, PROV_OP_SUBMIT), GEN_DISP_MODERATION);
	CU_ASSERT_EQUAL(gen_disp_classify(PROV_E_UNAVAILABLE, PROV_OP_SUBMIT), GEN_DISP_RETRY);
	CU_ASSERT_EQUAL(gen_disp_classify(PROV_E_CONNECT, PROV_OP_SUBMIT), GEN_DISP_RETRY);
	/* An ambiguous create is never resent. */
	CU_ASSERT_EQUAL(gen_disp_classify(PROV_E_TIMEOUT, PROV_OP_SUBMIT), GEN_DISP_UNKNOWN);
	CU_ASSERT_EQUAL(gen_disp_classify(PROV_E_TIMEOUT, PROV_OP_POLL), GEN_DISP_RETRY);
	CU_ASSERT_EQUAL(gen_disp_classify(PROV_E_FAILED, PROV_OP_POLL), GEN_DISP_FAIL);
	CU_ASSERT_EQUAL(gen_disp_classify(PROV_E_REJECTED, PROV_OP_SUBMIT), GEN_DISP_FAIL);
	CU_ASSERT_STRING_EQUAL(gen_disp_error_code(PROV_E_MODERATION), "nsfw_blocked");
	CU_ASSERT_STRING_EQUAL(gen_disp_error_code(PROV_E_TIMEOUT), "provider_timeout");
}

static void
test_circuit_counts_only_provider_health(void)
{
	CU_ASSERT(gen_disp_circuit_counts(PROV_E_SERVER));
	CU_ASSERT(gen_disp_circuit_counts(PROV_E_TIMEOUT));
	CU_ASSERT(gen_disp_circuit_counts(PROV_E_UNAVAILABLE));
	CU_ASSERT(!gen_disp_circuit_counts(PROV_E_MODERATION));
	CU_ASSERT(!gen_disp_circuit_counts(PROV_E_REJECTED));
	CU_ASSERT(!gen_disp_circuit_counts(PROV_E_FAILED));
	CU_ASSERT(!gen_disp_circuit_counts(PROV_OK));
}

static void
test_backoff(void)
{
	CU_ASSERT_EQUAL(gen_disp_backoff_s(1, 2, 300), 2);
	CU_ASSERT_EQUAL(gen_disp_backoff_s(2, 2, 300), 4);
	CU_ASSERT_EQUAL(gen_disp_backoff_s(3, 2, 300), 8);
	CU_ASSERT_EQUAL(gen_disp_backoff_s(30, 2, 300), 300);
	CU_ASSERT_EQUAL(gen_disp_backoff_s(0, 5, 300), 5);
	CU_ASSERT_EQUAL(gen_disp_backoff_s(1000000, 5, 3600), 3600);
}

static void
test_routes_and_markers(void)
{
	char b[64];

	CU_ASSERT_EQUAL(gen_disp_route("a=fal, b/c=replicate", "b/c", b, sizeof(b)), 0);
	CU_ASSERT_STRING_EQUAL(b, "replicate");
	CU_ASSERT_EQUAL(gen_disp_route("a=fal", "a", b, sizeof(b)), 0);
	CU_ASSERT_STRING_EQUAL(b, "fal");
	CU_ASSERT_EQUAL(gen_disp_route("ab=fal", "a", b, sizeof(b)), -1);
	CU_ASSERT_EQUAL(gen_disp_route("a=", "a", b, sizeof(b)), -1);
	CU_ASSERT_EQUAL(gen_disp_route("", "a", b, sizeof(b)), -1);
	CU_ASSERT_EQUAL(gen_disp_marker("x [[provider:fal]] y", b, sizeof(b)), 0);
	CU_ASSERT_STRING_EQUAL(b, "fal");
	CU_ASSERT_EQUAL(gen_disp_marker("x [[provider:]] y", b, sizeof(b)), -1);
	CU_ASSERT_EQUAL(gen_disp_marker("x [[provider:fal", b, sizeof(b)), -1);
	CU_ASSERT_EQUAL(gen_disp_marker(NULL, b, sizeof(b)), -1);
}

/* ---- params ------------------------------------------------------------------- */

static int
parse(const char *params, struct prov_job *j, char *err, size_t errlen)
{
	static char inputs[PROV_MAX_INPUTS][512];
	static const char *inputv[PROV_MAX_INPUTS];
	json_object *hold = NULL;
	struct gen_disp_sources src;
	int rc;

	rc = gen_disp_params(params, "/out", j, &hold, inputs, inputv,
	    PROV_MAX_INPUTS, &src, err, errlen);
	if (rc == 0 && strstr(params, "\"urls\"") != NULL) {
		CU_ASSERT_EQUAL(src.nurls, 2);
		CU_ASSERT_STRING_EQUAL(src.urls[0], "https://a.example/x.mp4");
		CU_ASSERT_STRING_EQUAL(src.urls[1], "https://b.example/y.png");
	}
	if (rc == 0 && strstr(params, "\"segments\"") != NULL)
		CU_ASSERT_PTR_NOT_NULL(src.segments);
	/* Strings point into hold: check what is needed before freeing. */
	if (rc == 0 && j->prompt != NULL)
		CU_ASSERT_STRING_EQUAL(j->prompt, "p");
	if (hold != NULL)
		json_object_put(hold);
	return rc;
}

static void
test_params_ok(void)
{
	struct prov_job j;
	char err[128];

	CU_ASSERT_EQUAL(parse("{\"kind\":\"video\",\"prompt\":\"p\",\"width\":640,"
	    "\"height\":360,\"duration_s\":5,\"seed\":7,\"inputs\":[\"ws/j/a.mp4\"]}",
	    &j, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(j.kind, PROV_KIND_VIDEO);
	CU_ASSERT_EQUAL(j.width, 640);
	CU_ASSERT_EQUAL(j.duration_s, 5);
	CU_ASSERT(j.has_seed && j.seed == 7);
	CU_ASSERT_EQUAL(j.ninputs, 1);
	CU_ASSERT_STRING_EQUAL(j.inputs[0], "/out/ws/j/a.mp4");
}

static void test_params_not_json(void) { struct prov_job j; char e[128]; CU_ASSERT_EQUAL(parse("{", &j, e, sizeof(e)), -1); CU_ASSERT_EQUAL(parse("[1]", &j, e, sizeof(e)), -1); }
static void test_params_kind_required(void) { struct prov_job j; char e[128]; CU_ASSERT_EQUAL(parse("{\"prompt\":\"p\"}", &j, e, sizeof(e)), -1); CU_ASSERT(strstr(e, "kind") != NULL); }
static void test_params_kind_unknown(void) { struct prov_job j; char e[128]; CU_ASSERT_EQUAL(parse("{\"kind\":\"4d\"}", &j, e, sizeof(e)), -1); }
static void test_params_width_range(void) { struct prov_job j; char e[128]; CU_ASSERT_EQUAL(parse("{\"kind\":\"image\",\"width\":99999}", &j, e, sizeof(e)), -1); CU_ASSERT_EQUAL(parse("{\"kind\":\"image\",\"width\":\"512\"}", &j, e, sizeof(e)), -1); }
static void test_params_input_traversal(void) { struct prov_job j; char e[128]; CU_ASSERT_EQUAL(parse("{\"kind\":\"compose\",\"inputs\":[\"../../etc/passwd\"]}", &j, e, sizeof(e)), -1); CU_ASSERT_EQUAL(parse("{\"kind\":\"compose\",\"inputs\":[\"/etc/passwd\"]}", &j, e, sizeof(e)), -1); }
static void
test_params_urls_and_segments(void)
{
	struct prov_job j;
	char e[128];

	CU_ASSERT_EQUAL(parse("{\"kind\":\"compose\",\"urls\":[{\"field\":\"videos\","
	    "\"url\":\"https://a.example/x.mp4\"},\"https://b.example/y.png\"],"
	    "\"segments\":[{\"asset_id\":\"x\"}]}", &j, e, sizeof(e)), 0);
	CU_ASSERT_EQUAL(parse("{\"kind\":\"compose\",\"urls\":[{\"field\":\"v\"}]}",
	    &j, e, sizeof(e)), -1);
	CU_ASSERT_EQUAL(parse("{\"kind\":\"compose\",\"urls\":\"https://a\"}", &j, e,
	    sizeof(e)), -1);
}

static void test_params_prompt_type(void) { struct prov_job j; char e[128]; CU_ASSERT_EQUAL(parse("{\"kind\":\"image\",\"prompt\":5}", &j, e, sizeof(e)), -1); }

/* ---- actual cost ------------------------------------------------------------------- */

static struct catalog *cat;

static int
load_cat(void)
{
	char err[256];

	return catalog_load_file("config/catalog/catalog-v1.json", &cat, err,
	    sizeof(err)) == CATALOG_OK ? 0 : 1;
}

static int
free_cat(void)
{
	catalog_free(cat);
	return 0;
}

#define SCHNELL_REQ(count) "{\"model\":\"fal-ai/flux/schnell\",\"task\":\"\",\"variant\":\"\"," \
	"\"kind\":\"image\",\"width\":1024,\"height\":1024,\"aspect\":\"\",\"duration_ms\":0," \
	"\"chars\":0,\"prompt_chars\":5,\"count\":" #count ",\"clamp_duration\":false,\"flags\":[]}"

static void
test_actual_equals_hold_when_delivered(void)
{
	struct prov_result res;
	char why[256];

	prov_result_init(&res);
	res.units.images = 2;
	/* 2 x ceil(3000 * 1048576 / 1e6) = ceil(6291.456) = 6292 */
	CU_ASSERT_EQUAL(gen_disp_actual(cat, catalog_version(cat), SCHNELL_REQ(2),
	    6292, &res, why, sizeof(why)), 6292);
	CU_ASSERT_STRING_EQUAL(why, "");
}

static void
test_actual_fewer_images_cheaper(void)
{
	struct prov_result res;
	char why[256];

	prov_result_init(&res);
	res.units.images = 1;
	CU_ASSERT_EQUAL(gen_disp_actual(cat, catalog_version(cat), SCHNELL_REQ(2),
	    6292, &res, why, sizeof(why)), 3146);
}

static void
test_actual_never_above_hold(void)
{
	struct prov_result res;
	char why[256];

	prov_result_init(&res);
	res.units.images = 4;	/* more than asked: still the asked price, ≤ hold */
	CU_ASSERT_EQUAL(gen_disp_actual(cat, catalog_version(cat), SCHNELL_REQ(2),
	    5000, &res, why, sizeof(why)), 5000);
}

static void
test_actual_other_version_takes_hold(void)
{
	char why[256];

	CU_ASSERT_EQUAL(gen_disp_actual(cat, "old-version", SCHNELL_REQ(1), 3146,
	    NULL, why, sizeof(why)), 3146);
	CU_ASSERT(why[0] != '\0');
	CU_ASSERT_EQUAL(gen_disp_actual(cat, catalog_version(cat), "{garbage", 3146,
	    NULL, why, sizeof(why)), 3146);
	CU_ASSERT(why[0] != '\0');
}

int
main(void)
{
	static const struct mgt_case addr[] = {
		{ "loopback v4", test_addr_loopback_v4 },
		{ "loopback v6", test_addr_loopback_v6 },
		{ "10/8", test_addr_rfc1918_10 },
		{ "172.16/12 and its edges", test_addr_rfc1918_172 },
		{ "192.168/16", test_addr_rfc1918_192 },
		{ "CGNAT 100.64/10 and its edges", test_addr_cgnat },
		{ "link-local v4 (cloud metadata)", test_addr_linklocal_v4 },
		{ "link-local v6", test_addr_linklocal_v6 },
		{ "multicast", test_addr_multicast },
		{ "unspecified", test_addr_unspecified },
		{ "reserved / documentation", test_addr_reserved },
		{ "IPv6 ULA", test_addr_ula },
		{ "IPv4-mapped IPv6", test_addr_mapped_v4 },
		{ "NAT64 and 6to4 embeddings", test_addr_nat64_and_6to4 },
		{ "public addresses pass", test_addr_public },
		{ "not numeric / unknown family", test_addr_not_numeric },
		{ NULL, NULL }
	};
	static const struct mgt_case guard[] = {
		{ "127.0.0.1 refused (allow_private_callbacks=0)", test_check_loopback_refused },
		{ "[::1] refused", test_check_v6_loopback_refused },
		{ "private refused", test_check_private_refused },
		{ "metadata address refused", test_check_metadata_refused },
		{ "ULA refused", test_check_ula_refused },
		{ "mapped loopback refused", test_check_mapped_refused },
		{ "decimal-integer loopback refused", test_check_decimal_ip_refused },
		{ "public address allowed, pinned", test_check_public_ok },
		{ "private allowed by the flag", test_check_private_allowed_by_flag },
		{ "non-http schemes refused", test_check_scheme_refused },
		{ "user info refused", test_check_userinfo_refused },
		{ "not a URL", test_check_not_a_url },
		{ "unresolvable host", test_check_unresolvable },
		{ "signature known vector", test_sign_known_vector },
		{ "signature covers time, body, secret", test_sign_depends_on_body_time_secret },
		{ "workspace secrets differ", test_workspace_secret_differs },
		{ NULL, NULL }
	};
	static const struct mgt_case logic[] = {
		{ "output id rules", test_files_id_rules },
		{ "output path rules", test_files_rel_rules },
		{ "outputs stay under the root", test_files_rel_under_root },
		{ "job dir: create, empty on retry, remove", test_files_job_dir_create_empty_remove },
		{ "provider error classes", test_classify },
		{ "circuit counts provider health only", test_circuit_counts_only_provider_health },
		{ "requeue backoff", test_backoff },
		{ "routes and test markers", test_routes_and_markers },
		{ "params: a full job", test_params_ok },
		{ "params: not JSON", test_params_not_json },
		{ "params: kind required", test_params_kind_required },
		{ "params: kind unknown", test_params_kind_unknown },
		{ "params: width range/type", test_params_width_range },
		{ "params: input path traversal", test_params_input_traversal },
		{ "params: prompt type", test_params_prompt_type },
		{ "params: source URLs and segments", test_params_urls_and_segments },
		{ NULL, NULL }
	};
	static const struct mgt_case price[] = {
		{ "actual = hold when everything was delivered", test_actual_equals_hold_when_delivered },
		{ "fewer images delivered → cheaper", test_actual_fewer_images_cheaper },
		{ "never above the hold", test_actual_never_above_hold },
		{ "other catalog version / bad price_req → the hold", test_actual_other_version_takes_hold },
		{ NULL, NULL }
	};

	mg_crypto_init();
	mgt_suite("dispatch: SSRF address classifier", NULL, NULL, addr);
	mgt_suite("dispatch: callback URL guard and signature", NULL, NULL, guard);
	mgt_suite("dispatch: paths, errors, backoff, params", NULL, NULL, logic);
	mgt_suite("dispatch: actual cost", load_cat, free_cat, price);
	return mgt_run();
}
