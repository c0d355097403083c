/*
 * Integration: prepaid sign-in without a password — e-mailed six-digit
 * codes over SMTP (tests/fakes/smtp.js) and Google ID tokens
 * (tests/fakes/google.js), each minting a prepaid key; first-key bootstrap
 * through POST /api/v1/keys; brute force, expiry, replay, rate limits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgtest.h"
#include "itk.h"

/* The newest code mailed to addr by the SMTP fake into code[7]; 0 found. */
static int
mailed_code(const char *addr, char code[7])
{
	char url[512];
	struct it_resp r;
	json_object *arr, *m, *b;
	const char *body, *p;
	size_t n;
	int rc = -1;

	code[0] = '\0';
	if (getenv("MG_FAKE_SMTP_URL") == NULL)
		return -1;
	snprintf(url, sizeof(url), "%s/__control/messages?to=%s",
	    getenv("MG_FAKE_SMTP_URL"), addr);
	if (it_req(&r, "GET", url, NULL, NULL, 0) != 0)
		return -1;
	arr = json_tokener_parse(r.body);
	it_free(&r);
	if (arr == NULL || !json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) == 0)
		goto out;
	m = json_object_array_get_idx(arr, n - 1);
	if (!json_object_object_get_ex(m, "body", &b))
		goto out;
	body = json_object_get_string(b);
	if ((p = strstr(body, "code is ")) == NULL)
		goto out;
	p += 8;
	if (strspn(p, "0123456789") < 6)
		goto out;
	memcpy(code, p, 6);
	code[6] = '\0';
	rc = 0;
out:
	json_object_put(arr);
	return rc;
}

/* Number of messages the SMTP fake holds for addr. */
static int
mail_count(const char *addr)
{
	char url[512];
	struct it_resp r;
	json_object *arr;
	int n = -1;

	snprintf(url, sizeof(url), "%s/__control/messages?to=%s",
	    getenv("MG_FAKE_SMTP_URL"), addr);
	if (it_req(&r, "GET", url, NULL, NULL, 0) != 0)
		return -1;
	if ((arr = json_tokener_parse(r.body)) != NULL &&
	    json_object_is_type(arr, json_type_array))
		n = (int)json_object_array_length(arr);
	json_object_put(arr);
	it_free(&r);
	return n;
}

static long
start(const char *email)
{
	char body[512];

	snprintf(body, sizeof(body), "{\"email\":\"%s\"}", email);
	return itk_status("POST", "/api/v1/auth/email/start", NULL, body);
}

/* POST verify; the answer is left in r. */
static int
verify(struct it_resp *r, const char *email, const char *code)
{
	char body[512];

	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"code\":\"%s\"}",
	    email, code);
	return itk_key(r, "POST", "/api/v1/auth/email/verify", NULL, body);
}

static const char *
ecode(const struct it_resp *r)
{
	const char *s = it_str(r, "error.code");

	return s ? s : "";
}

/* A different six-digit code than c. */
static void
wrong(const char *c, char out[7])
{
	int v = (atoi(c) + 1) % 1000000, i;

	for (i = 5; i >= 0; i--) {
		out[i] = (char)('0' + v % 10);
		v /= 10;
	}
	out[6] = '\0';
}

static void
test_email_start_validation(void)
{
	CU_ASSERT_EQUAL(start("not-an-email"), 400);
	CU_ASSERT_EQUAL(start("a@b"), 400);
	CU_ASSERT_EQUAL(start("a b@example.org"), 400);
	CU_ASSERT_EQUAL(start("a@@example.org"), 400);
	CU_ASSERT_EQUAL(start(""), 400);
	CU_ASSERT_EQUAL(itk_status("POST", "/api/v1/auth/email/start", NULL,
	    "{\"email\":\"x@example.org\",\"extra\":1}"), 400);
	CU_ASSERT_EQUAL(itk_status("POST", "/api/v1/auth/email/start", NULL,
	    "{\"email\":5}"), 400);
	CU_ASSERT_EQUAL(itk_status("POST", "/api/v1/auth/email/start", NULL,
	    "nope"), 400);
	/* CR/LF cannot reach the SMTP envelope */
	CU_ASSERT_EQUAL(itk_status("POST", "/api/v1/auth/email/start", NULL,
	    "{\"email\":\"a@example.org\\r\\nRCPT TO:<b@example.org>\"}"), 400);
}

static void
test_email_signin_mints_key(void)
{
	char email[128], upper[128], code[7], key[128], ws[37], path[64];
	struct it_resp r;
	size_t i;

	itk_email(email, sizeof(email), "otp");
	/* addresses are case-insensitive: start with upper case */
	for (i = 0; email[i]; i++)
		upper[i] = (char)(email[i] >= 'a' && email[i] <= 'z' ?
		    email[i] - 32 : email[i]);
	upper[i] = '\0';
	CU_ASSERT_EQUAL_FATAL(start(upper), 200);
	CU_ASSERT_EQUAL_FATAL(mailed_code(email, code), 0);
	CU_ASSERT_FATAL(verify(&r, email, code) == 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_EQUAL(itk_copy(&r, "key", key, sizeof(key)), 0);
	CU_ASSERT_EQUAL(itk_copy(&r, "workspaceId", ws, sizeof(ws)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"newAccount\":true"));
	it_free(&r);
	CU_ASSERT_EQUAL(strncmp(key, "kt_", 3), 0);
	/* the key works on every dialect, and got the $5 trial */
	CU_ASSERT_FATAL(itk_key(&r, "GET", "/v1/wallet", key, NULL) == 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_EQUAL(it_int(&r, "balance.balance_micros", -1), 5000000);
	it_free(&r);
	CU_ASSERT_EQUAL(itk_status("GET", "/api/api-keys", key, NULL), 200);
	CU_ASSERT_EQUAL(itk_status("GET", "/api/v1/keys", key, NULL), 200);
	/* replaying the used code fails */
	CU_ASSERT_FATAL(verify(&r, email, code) == 0);
	CU_ASSERT_EQUAL(r.status, 400);
	CU_ASSERT_STRING_EQUAL(ecode(&r), "invalid_code");
	it_free(&r);
	/* a second sign-in lands in the same workspace, no second trial */
	CU_ASSERT_EQUAL_FATAL(start(email), 200);
	CU_ASSERT_EQUAL_FATAL(mailed_code(email, code), 0);
	CU_ASSERT_FATAL(verify(&r, email, code) == 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "workspaceId") ?
	    it_str(&r, "workspaceId") : "", ws);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"newAccount\":false"));
	it_free(&r);
	snprintf(path, sizeof(path), "/v1/wallet");
	CU_ASSERT_FATAL(itk_key(&r, "GET", path, key, NULL) == 0);
	CU_ASSERT_EQUAL(it_int(&r, "balance.balance_micros", -1), 5000000);
	it_free(&r);
}

static void
test_otp_brute_force_locked(void)
{
	char email[128], code[7], bad[7];
	struct it_resp r;
	int i;

	itk_email(email, sizeof(email), "brute");
	CU_ASSERT_EQUAL_FATAL(start(email), 200);
	CU_ASSERT_EQUAL_FATAL(mailed_code(email, code), 0);
	wrong(code, bad);
	for (i = 0; i < 5; i++) {
		CU_ASSERT_FATAL(verify(&r, email, bad) == 0);
		CU_ASSERT_EQUAL(r.status, 400);
		CU_ASSERT_STRING_EQUAL(ecode(&r), "invalid_code");
		it_free(&r);
	}
	/* locked: even the right code is refused now */
	CU_ASSERT_FATAL(verify(&r, email, code) == 0);
	CU_ASSERT_EQUAL(r.status, 429);
	CU_ASSERT_STRING_EQUAL(ecode(&r), "too_many_attempts");
	it_free(&r);
	/* a new code unlocks */
	CU_ASSERT_EQUAL_FATAL(start(email), 200);
	CU_ASSERT_EQUAL_FATAL(mailed_code(email, code), 0);
	CU_ASSERT_FATAL(verify(&r, email, code) == 0);
	CU_ASSERT_EQUAL(r.status, 200);
	it_free(&r);
}

static void
test_otp_expired(void)
{
	char email[128], code[7];
	struct it_resp r;

	itk_email(email, sizeof(email), "expired");
	CU_ASSERT_EQUAL_FATAL(start(email), 200);
	CU_ASSERT_EQUAL_FATAL(mailed_code(email, code), 0);
	CU_ASSERT_EQUAL_FATAL(itk_sql("UPDATE email_otps SET expires_at = "
	    "NOW(6) - INTERVAL 1 SECOND WHERE email = '%s'", email), 0);
	CU_ASSERT_FATAL(verify(&r, email, code) == 0);
	CU_ASSERT_EQUAL(r.status, 400);
	CU_ASSERT_STRING_EQUAL(ecode(&r), "expired_code");
	it_free(&r);
}

static void
test_otp_verify_validation(void)
{
	char email[128];
	struct it_resp r;

	itk_email(email, sizeof(email), "nocode");
	/* nothing was sent to this address */
	CU_ASSERT_FATAL(verify(&r, email, "123456") == 0);
	CU_ASSERT_EQUAL(r.status, 400);
	CU_ASSERT_STRING_EQUAL(ecode(&r), "invalid_code");
	it_free(&r);
	CU_ASSERT_FATAL(verify(&r, email, "12345") == 0);
	CU_ASSERT_EQUAL(r.status, 400);
	CU_ASSERT_STRING_EQUAL(ecode(&r), "invalid_parameter");
	it_free(&r);
	CU_ASSERT_FATAL(verify(&r, email, "12a456") == 0);
	CU_ASSERT_EQUAL(r.status, 400);
	it_free(&r);
	CU_ASSERT_FATAL(verify(&r, email, "1234567") == 0);
	CU_ASSERT_EQUAL(r.status, 400);
	it_free(&r);
	CU_ASSERT_EQUAL(itk_status("POST", "/api/v1/auth/email/verify", NULL,
	    "{\"email\":\"x@example.org\"}"), 400);
}

static void
test_otp_start_rate_limited(void)
{
	char email[128], ra[32];
	struct it_resp r;
	char body[256];
	int i;

	itk_email(email, sizeof(email), "flood");
	for (i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(start(email), 200);
	snprintf(body, sizeof(body), "{\"email\":\"%s\"}", email);
	CU_ASSERT_FATAL(itk_key(&r, "POST", "/api/v1/auth/email/start", NULL,
	    body) == 0);
	CU_ASSERT_EQUAL(r.status, 429);
	CU_ASSERT_STRING_EQUAL(ecode(&r), "rate_limited");
	CU_ASSERT_EQUAL(it_header(&r, "Retry-After", ra, sizeof(ra)), 0);
	it_free(&r);
	CU_ASSERT_EQUAL(mail_count(email), 5);
}

/* An ID token from the Google fake; claims_json is merged into its claims. */
static int
google_token(char *out, size_t cap, const char *claims_json, int unpublished)
{
	char url[512], body[1024];
	const char *aud = getenv("MG_GOOGLE_CLIENT_ID");
	struct it_resp r;
	const char *h[2] = { "Content-Type: application/json", NULL };
	int rc;

	snprintf(url, sizeof(url), "%s/__control/sign",
	    getenv("MG_FAKE_GOOGLE_URL"));
	snprintf(body, sizeof(body), "{%s\"claims\":{\"aud\":\"%s\"%s%s}}",
	    unpublished ? "\"key\":\"unpublished\"," : "", aud ? aud : "",
	    claims_json ? "," : "", claims_json ? claims_json : "");
	if (it_req(&r, "POST", url, h, body, strlen(body)) != 0)
		return -1;
	rc = r.status == 200 ? itk_copy(&r, "id_token", out, cap) : -1;
	it_free(&r);
	return rc;
}

static long
google_status(const char *tok, const char **code, struct it_resp *r)
{
	char body[4096];

	snprintf(body, sizeof(body), "{\"idToken\":\"%s\"}", tok);
	if (itk_key(r, "POST", "/api/v1/auth/google", NULL, body) != 0)
		return -1;
	*code = ecode(r);
	return r->status;
}

static void
test_google_signin_mints_key(void)
{
	char tok[4096], email[128], claims[256], key[128], ws[37];
	char body[4200];
	struct it_resp r;
	const char *code;

	itk_email(email, sizeof(email), "google");
	snprintf(claims, sizeof(claims), "\"email\":\"%s\"", email);
	CU_ASSERT_EQUAL_FATAL(google_token(tok, sizeof(tok), claims, 0), 0);
	CU_ASSERT_EQUAL(google_status(tok, &code, &r), 200);
	CU_ASSERT_EQUAL(itk_copy(&r, "key", key, sizeof(key)), 0);
	CU_ASSERT_EQUAL(itk_copy(&r, "workspaceId", ws, sizeof(ws)), 0);
	it_free(&r);
	CU_ASSERT_EQUAL(strncmp(key, "kt_", 3), 0);
	CU_ASSERT_EQUAL(itk_status("GET", "/v1/me", key, NULL), 200);
	/* the same person by e-mail code lands in the same workspace */
	CU_ASSERT_EQUAL_FATAL(start(email), 200);
	{
		char c6[7];

		CU_ASSERT_EQUAL_FATAL(mailed_code(email, c6), 0);
		CU_ASSERT_FATAL(verify(&r, email, c6) == 0);
		CU_ASSERT_STRING_EQUAL(it_str(&r, "workspaceId") ?
		    it_str(&r, "workspaceId") : "", ws);
		it_free(&r);
	}
	/* bootstrap through POST /api/v1/keys with the token */
	snprintf(body, sizeof(body), "{\"idToken\":\"%s\",\"label\":\"boot\"}",
	    tok);
	CU_ASSERT_FATAL(itk_key(&r, "POST", "/api/v1/keys", NULL, body) == 0);
	CU_ASSERT_EQUAL(r.status, 201);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"label\":\"boot\""));
	CU_ASSERT_EQUAL(itk_copy(&r, "key", key, sizeof(key)), 0);
	it_free(&r);
	CU_ASSERT_FATAL(itk_key(&r, "GET", "/v1/me", key, NULL) == 0);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "workspace.id") ?
	    it_str(&r, "workspace.id") : "", ws);
	it_free(&r);
}

static void
test_keys_bootstrap_new_account_trial(void)
{
	char tok[4096], email[128], claims[256], key[128], body[4200];
	struct it_resp r;

	itk_email(email, sizeof(email), "boot");
	snprintf(claims, sizeof(claims), "\"email\":\"%s\"", email);
	CU_ASSERT_EQUAL_FATAL(google_token(tok, sizeof(tok), claims, 0), 0);
	snprintf(body, sizeof(body), "{\"idToken\":\"%s\"}", tok);
	CU_ASSERT_FATAL(itk_key(&r, "POST", "/api/v1/keys", NULL, body) == 0);
	CU_ASSERT_EQUAL(r.status, 201);
	CU_ASSERT_EQUAL(itk_copy(&r, "key", key, sizeof(key)), 0);
	it_free(&r);
	CU_ASSERT_FATAL(itk_key(&r, "GET", "/v1/wallet", key, NULL) == 0);
	CU_ASSERT_EQUAL(it_int(&r, "balance.balance_micros", -1), 5000000);
	it_free(&r);
	/* a bad token does not bootstrap */
	CU_ASSERT_EQUAL(itk_status("POST", "/api/v1/keys", NULL,
	    "{\"idToken\":\"eyJhbGciOiJSUzI1NiJ9.e30.c2ln\"}"), 401);
	CU_ASSERT_EQUAL(itk_status("POST", "/api/v1/keys", NULL,
	    "{\"idToken\":\"short\"}"), 400);
}

static void
test_google_rejections(void)
{
	char tok[4096];
	struct it_resp r;
	const char *code;

	/* wrong audience */
	CU_ASSERT_EQUAL_FATAL(google_token(tok, sizeof(tok),
	    "\"aud\":\"someone-else.apps.googleusercontent.com\"", 0), 0);
	CU_ASSERT_EQUAL(google_status(tok, &code, &r), 401);
	CU_ASSERT_STRING_EQUAL(code, "unauthorized");
	it_free(&r);
	/* expired */
	CU_ASSERT_EQUAL_FATAL(google_token(tok, sizeof(tok),
	    "\"exp\":1000000000,\"iat\":999990000", 0), 0);
	CU_ASSERT_EQUAL(google_status(tok, &code, &r), 401);
	it_free(&r);
	/* wrong issuer */
	CU_ASSERT_EQUAL_FATAL(google_token(tok, sizeof(tok),
	    "\"iss\":\"https://evil.example\"", 0), 0);
	CU_ASSERT_EQUAL(google_status(tok, &code, &r), 401);
	it_free(&r);
	/* signed by a key that is not in the JWKS */
	CU_ASSERT_EQUAL_FATAL(google_token(tok, sizeof(tok), NULL, 1), 0);
	CU_ASSERT_EQUAL(google_status(tok, &code, &r), 401);
	it_free(&r);
	/* e-mail not verified */
	CU_ASSERT_EQUAL_FATAL(google_token(tok, sizeof(tok),
	    "\"email_verified\":false", 0), 0);
	CU_ASSERT_EQUAL(google_status(tok, &code, &r), 401);
	it_free(&r);
	/* tampered payload */
	CU_ASSERT_EQUAL_FATAL(google_token(tok, sizeof(tok), NULL, 0), 0);
	{
		char *dot = strchr(tok, '.');

		CU_ASSERT_FATAL(dot != NULL);
		dot[3] = dot[3] == 'A' ? 'B' : 'A';
	}
	CU_ASSERT_EQUAL(google_status(tok, &code, &r), 401);
	it_free(&r);
	/* junk and missing */
	CU_ASSERT_EQUAL(google_status("not.a.jwt.at.all.but.long", &code, &r),
	    401);
	it_free(&r);
	CU_ASSERT_EQUAL(itk_status("POST", "/api/v1/auth/google", NULL, "{}"),
	    400);
	CU_ASSERT_EQUAL(itk_status("POST", "/api/v1/auth/google", NULL,
	    "{\"idToken\":\"aaaaaaaaaaaaaaaaaaaaaaaa\",\"x\":1}"), 400);
}

/* The mg_session=VALUE pair of a Set-Cookie answer into out; 0 found. */
static int
session_cookie(const struct it_resp *r, char *out, size_t cap, char *attrs,
    size_t acap)
{
	char h[200], *semi;

	if (it_header(r, "Set-Cookie", h, sizeof(h)) != 0 ||
	    strncmp(h, "mg_session=", 11) != 0)
		return -1;
	snprintf(attrs, acap, "%s", h);
	if ((semi = strchr(h, ';')) != NULL)
		*semi = '\0';
	snprintf(out, cap, "Cookie: %s", h);
	return 0;
}

static void
test_browser_email_session(void)
{
	char email[128], code[7], body[256], cookie[256], attrs[512], ws[37];
	struct it_resp r;

	itk_email(email, sizeof(email), "browser");
	CU_ASSERT_EQUAL_FATAL(start(email), 200);
	CU_ASSERT_EQUAL_FATAL(mailed_code(email, code), 0);
	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"code\":\"%s\"}",
	    email, code);
	CU_ASSERT_FATAL(itk_req(&r, "POST", "/api/v1/auth/browser/email/verify",
	    NULL, body) == 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_PTR_NULL(it_str(&r, "key"));	/* a session, not a key */
	CU_ASSERT_EQUAL(itk_copy(&r, "workspaceId", ws, sizeof(ws)), 0);
	CU_ASSERT_EQUAL_FATAL(session_cookie(&r, cookie, sizeof(cookie), attrs,
	    sizeof(attrs)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(attrs, "HttpOnly"));
	CU_ASSERT_PTR_NOT_NULL(strstr(attrs, "SameSite=Lax"));
	it_free(&r);
	/* the code was used */
	CU_ASSERT_EQUAL(itk_status("POST", "/api/v1/auth/browser/email/verify",
	    NULL, body), 400);
	CU_ASSERT_FATAL(itk_req(&r, "GET", "/api/v1/auth/browser/session",
	    cookie, NULL) == 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"authenticated\":true"));
	CU_ASSERT_STRING_EQUAL(it_str(&r, "workspaceId") ?
	    it_str(&r, "workspaceId") : "", ws);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "email") ? it_str(&r, "email") : "",
	    email);
	it_free(&r);
	CU_ASSERT_FATAL(itk_req(&r, "DELETE", "/api/v1/auth/browser/session",
	    cookie, NULL) == 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_EQUAL(session_cookie(&r, body, sizeof(body), attrs,
	    sizeof(attrs)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(attrs, "Max-Age=0"));
	it_free(&r);
	/* the old cookie is dead */
	CU_ASSERT_FATAL(itk_req(&r, "GET", "/api/v1/auth/browser/session",
	    cookie, NULL) == 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"authenticated\":false"));
	it_free(&r);
}

static void
test_browser_google_session(void)
{
	char tok[4096], body[4200], cookie[256], attrs[512];
	struct it_resp r;

	CU_ASSERT_EQUAL_FATAL(google_token(tok, sizeof(tok), NULL, 0), 0);
	snprintf(body, sizeof(body), "{\"idToken\":\"%s\"}", tok);
	CU_ASSERT_FATAL(itk_req(&r, "POST", "/api/v1/auth/browser/google", NULL,
	    body) == 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_EQUAL(session_cookie(&r, cookie, sizeof(cookie), attrs,
	    sizeof(attrs)), 0);
	it_free(&r);
	CU_ASSERT_FATAL(itk_req(&r, "GET", "/api/v1/auth/browser/session",
	    cookie, NULL) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"authenticated\":true"));
	it_free(&r);
	/* a bad token: 401 and no cookie */
	CU_ASSERT_EQUAL_FATAL(google_token(tok, sizeof(tok), NULL, 1), 0);
	snprintf(body, sizeof(body), "{\"idToken\":\"%s\"}", tok);
	CU_ASSERT_FATAL(itk_req(&r, "POST", "/api/v1/auth/browser/google", NULL,
	    body) == 0);
	CU_ASSERT_EQUAL(r.status, 401);
	CU_ASSERT_NOT_EQUAL(session_cookie(&r, cookie, sizeof(cookie), attrs,
	    sizeof(attrs)), 0);
	it_free(&r);
}

static void
test_browser_session_without_cookie(void)
{
	struct it_resp r;

	CU_ASSERT_FATAL(itk_req(&r, "GET", "/api/v1/auth/browser/session",
	    NULL, NULL) == 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"authenticated\":false"));
	it_free(&r);
	CU_ASSERT_FATAL(itk_req(&r, "GET", "/api/v1/auth/browser/session",
	    "Cookie: mg_session=junk", NULL) == 0);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"authenticated\":false"));
	it_free(&r);
	CU_ASSERT_FATAL(itk_req(&r, "GET", "/api/v1/auth/browser/session",
	    "Cookie: mg_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    NULL) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"authenticated\":false"));
	it_free(&r);
	CU_ASSERT_EQUAL(itk_status("DELETE", "/api/v1/auth/browser/session",
	    NULL, NULL), 200);
	CU_ASSERT_EQUAL(itk_status("POST", "/api/v1/auth/browser/email/verify",
	    NULL, "{\"email\":\"x@example.org\",\"code\":\"1\"}"), 400);
}

int
main(void)
{
	static const struct mgt_case cases[] = {
		{ "email_start_validation", test_email_start_validation },
		{ "email_signin_mints_key", test_email_signin_mints_key },
		{ "otp_brute_force_locked", test_otp_brute_force_locked },
		{ "otp_expired", test_otp_expired },
		{ "otp_verify_validation", test_otp_verify_validation },
		{ "otp_start_rate_limited", test_otp_start_rate_limited },
		{ "google_signin_mints_key", test_google_signin_mints_key },
		{ "keys_bootstrap_new_account_trial", test_keys_bootstrap_new_account_trial },
		{ "google_rejections", test_google_rejections },
		{ "browser_email_session", test_browser_email_session },
		{ "browser_google_session", test_browser_google_session },
		{ "browser_session_without_cookie", test_browser_session_without_cookie },
		{ NULL, NULL }
	};

	srand((unsigned)getpid());
	mgt_suite("signin", NULL, NULL, cases);
	return mgt_run();
}
