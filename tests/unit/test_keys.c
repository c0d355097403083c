/*
 * Unit tests for the pure validators of modules/auth/auth_keys.c: key
 * labels, sign-in e-mail addresses, key ids and the quota's Retry-After.
 * Every rule has a named negative case.
 */
#include <string.h>

#include "mgtest.h"
#include "auth_keys.h"

static char out[AUTH_EMAIL_SIZE];

static enum auth_input_err
em(const char *s)
{
	return auth_email_normalize(s, strlen(s), out);
}

static enum auth_input_err
lab(const char *s)
{
	return auth_label_check(s, s ? strlen(s) : 0);
}

static void
test_label_accepts(void)
{
	char big[201];

	CU_ASSERT_EQUAL(lab("production"), AUTH_INPUT_OK);
	CU_ASSERT_EQUAL(lab("ünïcode ✓"), AUTH_INPUT_OK);
	memset(big, 'a', 200);
	big[200] = '\0';
	CU_ASSERT_EQUAL(lab(big), AUTH_INPUT_OK);
}

static void
test_label_rejects_empty(void)
{
	CU_ASSERT_EQUAL(lab(""), AUTH_INPUT_EMPTY);
	CU_ASSERT_EQUAL(lab(NULL), AUTH_INPUT_EMPTY);
}

static void
test_label_rejects_too_long(void)
{
	char big[202];

	memset(big, 'a', 201);
	big[201] = '\0';
	CU_ASSERT_EQUAL(lab(big), AUTH_INPUT_TOO_LONG);
}

static void
test_label_rejects_control(void)
{
	CU_ASSERT_EQUAL(lab("a\nb"), AUTH_INPUT_BAD_CHAR);
	CU_ASSERT_EQUAL(lab("a\rb"), AUTH_INPUT_BAD_CHAR);
	CU_ASSERT_EQUAL(lab("\x7f"), AUTH_INPUT_BAD_CHAR);
	CU_ASSERT_EQUAL(auth_label_check("a\0b", 3), AUTH_INPUT_BAD_CHAR);
}

static void
test_email_accepts_and_lowercases(void)
{
	CU_ASSERT_EQUAL(em("Alice.Smith+tag@Example.COM"), AUTH_INPUT_OK);
	CU_ASSERT_STRING_EQUAL(out, "alice.smith+tag@example.com");
	CU_ASSERT_EQUAL(em("a@b.co"), AUTH_INPUT_OK);
	CU_ASSERT_EQUAL(em("x_y-z@sub-domain.example.org"), AUTH_INPUT_OK);
}

static void
test_email_rejects_empty(void)
{
	CU_ASSERT_EQUAL(em(""), AUTH_INPUT_EMPTY);
}

static void
test_email_rejects_too_long(void)
{
	char big[300];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big + 10, "@", 1);
	CU_ASSERT_EQUAL(em(big), AUTH_INPUT_TOO_LONG);
}

static void
test_email_rejects_bad_char(void)
{
	CU_ASSERT_EQUAL(em("a b@example.org"), AUTH_INPUT_BAD_CHAR);
	CU_ASSERT_EQUAL(em("a@example.org\r\nRCPT TO:<x@y.z>"),
	    AUTH_INPUT_BAD_CHAR);
	CU_ASSERT_EQUAL(em("ü@example.org"), AUTH_INPUT_BAD_CHAR);
	CU_ASSERT_EQUAL(auth_email_normalize("a\0@b.co", 7, out),
	    AUTH_INPUT_BAD_CHAR);
}

static void
test_email_rejects_at_count(void)
{
	CU_ASSERT_EQUAL(em("example.org"), AUTH_INPUT_NO_AT);
	CU_ASSERT_EQUAL(em("a@b@example.org"), AUTH_INPUT_NO_AT);
}

static void
test_email_rejects_bad_local(void)
{
	char local[80];

	CU_ASSERT_EQUAL(em("@example.org"), AUTH_INPUT_BAD_LOCAL);
	CU_ASSERT_EQUAL(em(".a@example.org"), AUTH_INPUT_BAD_LOCAL);
	CU_ASSERT_EQUAL(em("a.@example.org"), AUTH_INPUT_BAD_LOCAL);
	CU_ASSERT_EQUAL(em("a..b@example.org"), AUTH_INPUT_BAD_LOCAL);
	CU_ASSERT_EQUAL(em("a(b)@example.org"), AUTH_INPUT_BAD_LOCAL);
	CU_ASSERT_EQUAL(em("\"q\"@example.org"), AUTH_INPUT_BAD_LOCAL);
	memset(local, 'a', 65);
	memcpy(local + 65, "@ex.org", 8);
	CU_ASSERT_EQUAL(em(local), AUTH_INPUT_BAD_LOCAL);
}

static void
test_email_rejects_bad_domain(void)
{
	CU_ASSERT_EQUAL(em("a@"), AUTH_INPUT_BAD_DOMAIN);
	CU_ASSERT_EQUAL(em("a@localhost"), AUTH_INPUT_BAD_DOMAIN);
	CU_ASSERT_EQUAL(em("a@.example.org"), AUTH_INPUT_BAD_DOMAIN);
	CU_ASSERT_EQUAL(em("a@example.org."), AUTH_INPUT_BAD_DOMAIN);
	CU_ASSERT_EQUAL(em("a@example..org"), AUTH_INPUT_BAD_DOMAIN);
	CU_ASSERT_EQUAL(em("a@-example.org"), AUTH_INPUT_BAD_DOMAIN);
	CU_ASSERT_EQUAL(em("a@example-.org"), AUTH_INPUT_BAD_DOMAIN);
	CU_ASSERT_EQUAL(em("a@exa_mple.org"), AUTH_INPUT_BAD_DOMAIN);
	CU_ASSERT_EQUAL(em("a@[127.0.0.1]"), AUTH_INPUT_BAD_DOMAIN);
}

static void
test_uuid_check(void)
{
	CU_ASSERT_EQUAL(auth_uuid_check("0f8fad5b-d9cb-469f-a165-70867728950e",
	    36), AUTH_INPUT_OK);
	CU_ASSERT_EQUAL(auth_uuid_check("0F8FAD5B-D9CB-469F-A165-70867728950E",
	    36), AUTH_INPUT_OK);
}

static void
test_uuid_rejects(void)
{
	CU_ASSERT_EQUAL(auth_uuid_check("", 0), AUTH_INPUT_EMPTY);
	CU_ASSERT_EQUAL(auth_uuid_check("0f8fad5b-d9cb-469f-a165-70867728950",
	    35), AUTH_INPUT_BAD_UUID);
	CU_ASSERT_EQUAL(auth_uuid_check("0f8fad5bxd9cb-469f-a165-70867728950e",
	    36), AUTH_INPUT_BAD_UUID);
	CU_ASSERT_EQUAL(auth_uuid_check("0f8fad5b-d9cb-469f-a165-70867728950g",
	    36), AUTH_INPUT_BAD_UUID);
	CU_ASSERT_EQUAL(auth_uuid_check("' OR 1=1 --aaaaaaaaaaaaaaaaaaaaaaaaa",
	    36), AUTH_INPUT_BAD_UUID);
}

static void
test_retry_after_next_utc_midnight(void)
{
	/* 2026-11-23T00:00:00Z = 1795392000 */
	CU_ASSERT_EQUAL(auth_quota_retry_after(1795392000), 86400);
	CU_ASSERT_EQUAL(auth_quota_retry_after(1795392000 + 1), 86399);
	CU_ASSERT_EQUAL(auth_quota_retry_after(1795392000 + 86399), 1);
	CU_ASSERT_EQUAL(auth_quota_retry_after(1795392000 + 43200), 43200);
	CU_ASSERT_EQUAL(auth_quota_retry_after(-5), 86400);
}

static void
test_strerror_total(void)
{
	int i;

	for (i = 0; i <= AUTH_INPUT__MAX; i++)
		CU_ASSERT_PTR_NOT_NULL(auth_input_strerror(
		    (enum auth_input_err)i));
	for (i = 0; i <= AUTH_KEYS__MAX; i++)
		CU_ASSERT_PTR_NOT_NULL(auth_keys_strerror(
		    (enum auth_keys_err)i));
	CU_ASSERT_STRING_EQUAL(auth_input_strerror(AUTH_INPUT__MAX), "unknown");
}

int
main(void)
{
	static const struct mgt_case cases[] = {
		{ "label_accepts", test_label_accepts },
		{ "label_rejects_empty", test_label_rejects_empty },
		{ "label_rejects_too_long", test_label_rejects_too_long },
		{ "label_rejects_control", test_label_rejects_control },
		{ "email_accepts_and_lowercases", test_email_accepts_and_lowercases },
		{ "email_rejects_empty", test_email_rejects_empty },
		{ "email_rejects_too_long", test_email_rejects_too_long },
		{ "email_rejects_bad_char", test_email_rejects_bad_char },
		{ "email_rejects_at_count", test_email_rejects_at_count },
		{ "email_rejects_bad_local", test_email_rejects_bad_local },
		{ "email_rejects_bad_domain", test_email_rejects_bad_domain },
		{ "uuid_check", test_uuid_check },
		{ "uuid_rejects", test_uuid_rejects },
		{ "retry_after_next_utc_midnight", test_retry_after_next_utc_midnight },
		{ "strerror_total", test_strerror_total },
		{ NULL, NULL }
	};

	mgt_suite("keys", NULL, NULL, cases);
	return mgt_run();
}
