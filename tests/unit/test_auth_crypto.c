/*
 * Unit tests for the identity crypto layer in modules/auth: API keys,
 * bearer header, scopes, PKCE, passwords, one-time codes, JWT access
 * tokens and JWKS, Google ID tokens. Every rule a parser enforces has a
 * named negative test.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <jwt.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <sodium.h>

#include "../lib/mgtest.h"
#include "mg_buf.h"
#include "mg_crypto.h"
#include "auth_google.h"
#include "auth_jws.h"
#include "auth_jwt.h"
#include "auth_key.h"
#include "auth_otp.h"
#include "auth_password.h"
#include "auth_pkce.h"

#define S(lit)	(lit), (sizeof(lit) - 1)

static int
suite_init(void)
{
	return mg_crypto_init();
}

/* ---- API keys ---------------------------------------------------------- */

/* A syntactically valid studio key (32 zero bytes). */
#define ZERO_KEY "sk_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

static void
t_key_mint_shape(void)
{
	char plain[AUTH_KEY_PLAIN_SIZE], pd[AUTH_KEY_PREFIX_DISP_SIZE], l4[5];
	unsigned char h[32], h2[32], want[32];
	static const char *const pfx[] = { "sk_live_", "kt_", "ncs_" };
	int d;

	for (d = 0; d < AUTH_DIALECT__MAX; d++) {
		CU_ASSERT_EQUAL_FATAL(auth_key_mint((enum auth_dialect)d,
		    plain, sizeof(plain), h, pd, l4), AUTH_KEY_OK);
		CU_ASSERT_STRING_EQUAL(pd, pfx[d]);
		CU_ASSERT_EQUAL(strlen(plain), strlen(pfx[d]) + 43);
		CU_ASSERT_EQUAL(strncmp(plain, pfx[d], strlen(pfx[d])), 0);
		CU_ASSERT_STRING_EQUAL(l4, plain + strlen(plain) - 4);
		mg_sha256(plain, strlen(plain), want);
		CU_ASSERT_EQUAL(memcmp(h, want, 32), 0);
		/* A minted key parses and yields the same lookup hash. */
		CU_ASSERT_EQUAL(auth_key_parse(plain, strlen(plain), h2),
		    AUTH_KEY_OK);
		CU_ASSERT_EQUAL(memcmp(h, h2, 32), 0);
	}
}

static void
t_key_mint_unique(void)
{
	char a[AUTH_KEY_PLAIN_SIZE], b[AUTH_KEY_PLAIN_SIZE];
	char pd[AUTH_KEY_PREFIX_DISP_SIZE], l4[5];
	unsigned char h[32];

	CU_ASSERT_EQUAL(auth_key_mint(AUTH_DIALECT_STUDIO, a, sizeof(a), h,
	    pd, l4), AUTH_KEY_OK);
	CU_ASSERT_EQUAL(auth_key_mint(AUTH_DIALECT_STUDIO, b, sizeof(b), h,
	    pd, l4), AUTH_KEY_OK);
	CU_ASSERT_NOT_EQUAL(strcmp(a, b), 0);
}

static void
t_key_mint_nospace(void)
{
	char plain[AUTH_KEY_PLAIN_SIZE - 1], pd[AUTH_KEY_PREFIX_DISP_SIZE];
	char l4[5];
	unsigned char h[32];

	CU_ASSERT_EQUAL(auth_key_mint(AUTH_DIALECT_STUDIO, plain,
	    sizeof(plain), h, pd, l4), AUTH_KEY_NOSPACE);
	CU_ASSERT_EQUAL(auth_key_mint(AUTH_DIALECT__MAX, plain,
	    sizeof(plain), h, pd, l4), AUTH_KEY_BAD_PREFIX);
}

static void
t_key_parse_ok_each_prefix(void)
{
	unsigned char h[32];

	CU_ASSERT_EQUAL(auth_key_parse(S(ZERO_KEY), h), AUTH_KEY_OK);
	CU_ASSERT_EQUAL(auth_key_parse(S(
	    "kt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), h), AUTH_KEY_OK);
	CU_ASSERT_EQUAL(auth_key_parse(S(
	    "ncs_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), h), AUTH_KEY_OK);
}

static void
t_key_parse_empty(void)
{
	unsigned char h[32];

	CU_ASSERT_EQUAL(auth_key_parse("", 0, h), AUTH_KEY_EMPTY);
	CU_ASSERT_EQUAL(auth_key_parse(NULL, 0, h), AUTH_KEY_EMPTY);
}

static void
t_key_parse_bad_prefix(void)
{
	unsigned char h[32];

	CU_ASSERT_EQUAL(auth_key_parse(S(
	    "sk_test_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), h),
	    AUTH_KEY_BAD_PREFIX);
	CU_ASSERT_EQUAL(auth_key_parse(S(
	    "SK_LIVE_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), h),
	    AUTH_KEY_BAD_PREFIX);
	CU_ASSERT_EQUAL(auth_key_parse(S(
	    " sk_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), h),
	    AUTH_KEY_BAD_PREFIX);
	CU_ASSERT_EQUAL(auth_key_parse(S("sk_live"), h), AUTH_KEY_BAD_PREFIX);
}

static void
t_key_parse_bad_length(void)
{
	unsigned char h[32];

	CU_ASSERT_EQUAL(auth_key_parse(S("sk_live_"), h), AUTH_KEY_BAD_LENGTH);
	CU_ASSERT_EQUAL(auth_key_parse(S(
	    "sk_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), h),
	    AUTH_KEY_BAD_LENGTH);				/* 42 */
	CU_ASSERT_EQUAL(auth_key_parse(S(
	    "sk_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), h),
	    AUTH_KEY_BAD_LENGTH);				/* 44 */
	/* Trailing newline/space counts as extra length. */
	CU_ASSERT_EQUAL(auth_key_parse(S(ZERO_KEY "\n"), h),
	    AUTH_KEY_BAD_LENGTH);
}

static void
t_key_parse_bad_alphabet(void)
{
	unsigned char h[32];

	CU_ASSERT_EQUAL(auth_key_parse(S(
	    "sk_live_AAAAAAAAAAAAAAAAAAAAA+AAAAAAAAAAAAAAAAAAAAA"), h),
	    AUTH_KEY_BAD_ALPHABET);				/* std b64 */
	CU_ASSERT_EQUAL(auth_key_parse(S(
	    "sk_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="), h),
	    AUTH_KEY_BAD_ALPHABET);				/* padding */
	CU_ASSERT_EQUAL(auth_key_parse(S(
	    "sk_live_AAAAAAAAAAAAAAAAAAAAA AAAAAAAAAAAAAAAAAAAAA"), h),
	    AUTH_KEY_BAD_ALPHABET);
	CU_ASSERT_EQUAL(auth_key_parse(
	    "sk_live_AAAAAAAAAAAAAAAAAAAA\0AAAAAAAAAAAAAAAAAAAAAA", 51, h),
	    AUTH_KEY_BAD_ALPHABET);				/* NUL */
}

static void
t_key_parse_noncanonical(void)
{
	unsigned char h[32];

	/* Last char 'B' sets one of the two spare bits: not from mint. */
	CU_ASSERT_EQUAL(auth_key_parse(S(
	    "sk_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB"), h),
	    AUTH_KEY_BAD_ALPHABET);
	CU_ASSERT_EQUAL(auth_key_parse(S(
	    "sk_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE"), h),
	    AUTH_KEY_OK);
}

/* ---- Authorization: Bearer --------------------------------------------- */

static void
t_bearer_ok(void)
{
	const char *tok = NULL;
	size_t n = 0;

	CU_ASSERT_EQUAL(auth_bearer_parse("Bearer " ZERO_KEY, &tok, &n),
	    AUTH_BEARER_OK);
	CU_ASSERT_EQUAL(n, strlen(ZERO_KEY));
	CU_ASSERT_EQUAL(memcmp(tok, ZERO_KEY, n), 0);
	CU_ASSERT_EQUAL(auth_bearer_parse("bearer abc.def-_~+/==", &tok, &n),
	    AUTH_BEARER_OK);
	CU_ASSERT_EQUAL(n, 14);
	CU_ASSERT_EQUAL(auth_bearer_parse("BEARER x", &tok, &n),
	    AUTH_BEARER_OK);
}

static void
t_bearer_missing(void)
{
	const char *tok;
	size_t n;

	CU_ASSERT_EQUAL(auth_bearer_parse(NULL, &tok, &n), AUTH_BEARER_MISSING);
	CU_ASSERT_EQUAL(auth_bearer_parse("", &tok, &n), AUTH_BEARER_MISSING);
}

static void
t_bearer_no_scheme(void)
{
	const char *tok;
	size_t n;

	CU_ASSERT_EQUAL(auth_bearer_parse(ZERO_KEY, &tok, &n),
	    AUTH_BEARER_BAD_SCHEME);
	CU_ASSERT_EQUAL(auth_bearer_parse(" Bearer x", &tok, &n),
	    AUTH_BEARER_BAD_SCHEME);
	CU_ASSERT_EQUAL(auth_bearer_parse("Bearerx", &tok, &n),
	    AUTH_BEARER_BAD_SCHEME);
}

static void
t_bearer_basic(void)
{
	const char *tok;
	size_t n;

	CU_ASSERT_EQUAL(auth_bearer_parse("Basic dXNlcjpwYXNz", &tok, &n),
	    AUTH_BEARER_BAD_SCHEME);
}

static void
t_bearer_empty_token(void)
{
	const char *tok;
	size_t n;

	CU_ASSERT_EQUAL(auth_bearer_parse("Bearer ", &tok, &n),
	    AUTH_BEARER_EMPTY_TOKEN);
	CU_ASSERT_EQUAL(auth_bearer_parse("Bearer", &tok, &n),
	    AUTH_BEARER_EMPTY_TOKEN);
}

static void
t_bearer_two_spaces(void)
{
	const char *tok;
	size_t n;

	CU_ASSERT_EQUAL(auth_bearer_parse("Bearer  abc", &tok, &n),
	    AUTH_BEARER_BAD_SPACE);
}

static void
t_bearer_tabs(void)
{
	const char *tok;
	size_t n;

	CU_ASSERT_EQUAL(auth_bearer_parse("Bearer\tabc", &tok, &n),
	    AUTH_BEARER_BAD_SPACE);
	CU_ASSERT_EQUAL(auth_bearer_parse("Bearer \tabc", &tok, &n),
	    AUTH_BEARER_BAD_SPACE);
	CU_ASSERT_EQUAL(auth_bearer_parse("Bearer abc\t", &tok, &n),
	    AUTH_BEARER_BAD_CHAR);
}

static void
t_bearer_trailing_junk(void)
{
	const char *tok;
	size_t n;

	CU_ASSERT_EQUAL(auth_bearer_parse("Bearer abc ", &tok, &n),
	    AUTH_BEARER_BAD_CHAR);
	CU_ASSERT_EQUAL(auth_bearer_parse("Bearer abc def", &tok, &n),
	    AUTH_BEARER_BAD_CHAR);
	CU_ASSERT_EQUAL(auth_bearer_parse("Bearer abc=x", &tok, &n),
	    AUTH_BEARER_BAD_CHAR);
	CU_ASSERT_EQUAL(auth_bearer_parse("Bearer =abc", &tok, &n),
	    AUTH_BEARER_BAD_CHAR);
	CU_ASSERT_EQUAL(auth_bearer_parse("Bearer abc,", &tok, &n),
	    AUTH_BEARER_BAD_CHAR);
}

static void
t_bearer_oversize(void)
{
	static char h[7 + AUTH_BEARER_MAX + 2];
	const char *tok;
	size_t n;

	memcpy(h, "Bearer ", 7);
	memset(h + 7, 'a', AUTH_BEARER_MAX);
	h[7 + AUTH_BEARER_MAX] = '\0';
	CU_ASSERT_EQUAL(auth_bearer_parse(h, &tok, &n), AUTH_BEARER_OK);
	CU_ASSERT_EQUAL(n, AUTH_BEARER_MAX);
	h[7 + AUTH_BEARER_MAX] = 'a';
	h[7 + AUTH_BEARER_MAX + 1] = '\0';
	CU_ASSERT_EQUAL(auth_bearer_parse(h, &tok, &n), AUTH_BEARER_TOO_LONG);
}

static void
t_bearer_control_chars(void)
{
	const char *tok;
	size_t n;

	CU_ASSERT_EQUAL(auth_bearer_parse("Bearer ab\x01" "c", &tok, &n),
	    AUTH_BEARER_BAD_CHAR);
	CU_ASSERT_EQUAL(auth_bearer_parse("Bearer abc\r\n", &tok, &n),
	    AUTH_BEARER_BAD_CHAR);
	CU_ASSERT_EQUAL(auth_bearer_parse("Bearer abc\x7f", &tok, &n),
	    AUTH_BEARER_BAD_CHAR);
	CU_ASSERT_EQUAL(auth_bearer_parse("Bearer \xc3\xa9t\xc3\xa9", &tok, &n),
	    AUTH_BEARER_BAD_CHAR);
}

/* ---- scopes ------------------------------------------------------------ */

static void
t_scopes_parse_ok(void)
{
	unsigned m = 0;

	CU_ASSERT_EQUAL(auth_scopes_parse(S("generate,read,admin"), &m),
	    AUTH_SCOPE_OK);
	CU_ASSERT_EQUAL(m, AUTH_SCOPE_ALL);
	CU_ASSERT_EQUAL(auth_scopes_parse(S("read"), &m), AUTH_SCOPE_OK);
	CU_ASSERT_EQUAL(m, AUTH_SCOPE_READ);
	CU_ASSERT_EQUAL(auth_scopes_parse(S("read,read"), &m), AUTH_SCOPE_OK);
	CU_ASSERT_EQUAL(m, AUTH_SCOPE_READ);
	CU_ASSERT_EQUAL(auth_scopes_parse_oauth(S("admin generate"), &m),
	    AUTH_SCOPE_OK);
	CU_ASSERT_EQUAL(m, AUTH_SCOPE_ADMIN | AUTH_SCOPE_GENERATE);
}

static void
t_scopes_unknown(void)
{
	unsigned m = 99;

	CU_ASSERT_EQUAL(auth_scopes_parse(S("read,write"), &m),
	    AUTH_SCOPE_UNKNOWN);
	CU_ASSERT_EQUAL(auth_scopes_parse(S("READ"), &m), AUTH_SCOPE_UNKNOWN);
	CU_ASSERT_EQUAL(auth_scopes_parse(S("rea"), &m), AUTH_SCOPE_UNKNOWN);
	CU_ASSERT_EQUAL(auth_scopes_parse(S("readx"), &m), AUTH_SCOPE_UNKNOWN);
	CU_ASSERT_EQUAL(auth_scopes_parse_oauth(S("openid read"), &m),
	    AUTH_SCOPE_UNKNOWN);
	/* The comma form is not the OAuth form and vice versa. */
	CU_ASSERT_EQUAL(auth_scopes_parse(S("read admin"), &m),
	    AUTH_SCOPE_UNKNOWN);
	CU_ASSERT_EQUAL(auth_scopes_parse_oauth(S("read,admin"), &m),
	    AUTH_SCOPE_UNKNOWN);
	CU_ASSERT_EQUAL(m, 99);
}

static void
t_scopes_syntax(void)
{
	unsigned m;

	CU_ASSERT_EQUAL(auth_scopes_parse(S(""), &m), AUTH_SCOPE_EMPTY);
	CU_ASSERT_EQUAL(auth_scopes_parse(S(",read"), &m), AUTH_SCOPE_SYNTAX);
	CU_ASSERT_EQUAL(auth_scopes_parse(S("read,"), &m), AUTH_SCOPE_SYNTAX);
	CU_ASSERT_EQUAL(auth_scopes_parse(S("read,,admin"), &m),
	    AUTH_SCOPE_SYNTAX);
	CU_ASSERT_EQUAL(auth_scopes_parse_oauth(S("read  admin"), &m),
	    AUTH_SCOPE_SYNTAX);
	CU_ASSERT_EQUAL(auth_scopes_parse_oauth(S(" read"), &m),
	    AUTH_SCOPE_SYNTAX);
	CU_ASSERT_EQUAL(auth_scopes_parse_oauth(S("read "), &m),
	    AUTH_SCOPE_SYNTAX);
}

static void
t_scopes_format(void)
{
	char b[AUTH_SCOPES_FMT_SIZE], small[8];
	unsigned m;

	CU_ASSERT_EQUAL(auth_scopes_format(AUTH_SCOPE_ALL, ' ', b, sizeof(b)),
	    19);
	CU_ASSERT_STRING_EQUAL(b, "generate read admin");
	CU_ASSERT_EQUAL(auth_scopes_format(AUTH_SCOPE_ADMIN | AUTH_SCOPE_READ,
	    ',', b, sizeof(b)), 10);
	CU_ASSERT_STRING_EQUAL(b, "read,admin");
	CU_ASSERT_EQUAL(auth_scopes_format(0, ',', b, sizeof(b)), 0);
	CU_ASSERT_STRING_EQUAL(b, "");
	CU_ASSERT_EQUAL(auth_scopes_format(AUTH_SCOPE_ALL, ',', small,
	    sizeof(small)), 0);
	/* Round trip. */
	auth_scopes_format(AUTH_SCOPE_GENERATE | AUTH_SCOPE_ADMIN, ' ', b,
	    sizeof(b));
	CU_ASSERT_EQUAL(auth_scopes_parse_oauth(b, strlen(b), &m),
	    AUTH_SCOPE_OK);
	CU_ASSERT_EQUAL(m, AUTH_SCOPE_GENERATE | AUTH_SCOPE_ADMIN);
}

/* ---- PKCE (RFC 7636) --------------------------------------------------- */

#define RFC_VERIFIER	"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define RFC_CHALLENGE	"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

static void
t_pkce_appendix_b(void)
{
	CU_ASSERT_EQUAL(auth_pkce_verify(S(RFC_VERIFIER), S(RFC_CHALLENGE)),
	    AUTH_PKCE_OK);
	CU_ASSERT_EQUAL(auth_pkce_check_challenge(S(RFC_CHALLENGE), "S256"),
	    AUTH_PKCE_OK);
}

static void
t_pkce_mismatch(void)
{
	/* Last verifier character changed. */
	CU_ASSERT_EQUAL(auth_pkce_verify(S(
	    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj"), S(RFC_CHALLENGE)),
	    AUTH_PKCE_MISMATCH);
	/* "plain" semantics: the challenge presented as its own verifier. */
	CU_ASSERT_EQUAL(auth_pkce_verify(S(RFC_CHALLENGE), S(RFC_CHALLENGE)),
	    AUTH_PKCE_MISMATCH);
}

static void
t_pkce_verifier_short(void)
{
	CU_ASSERT_EQUAL(auth_pkce_verify(S(
	    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjX"), S(RFC_CHALLENGE)),
	    AUTH_PKCE_BAD_VERIFIER);
	CU_ASSERT_EQUAL(auth_pkce_verify("", 0, S(RFC_CHALLENGE)),
	    AUTH_PKCE_BAD_VERIFIER);
}

static void
t_pkce_verifier_long(void)
{
	char v[130];

	memset(v, 'a', sizeof(v));
	CU_ASSERT_EQUAL(auth_pkce_verify(v, 128, S(RFC_CHALLENGE)),
	    AUTH_PKCE_MISMATCH);			/* 128 is allowed */
	CU_ASSERT_EQUAL(auth_pkce_verify(v, 129, S(RFC_CHALLENGE)),
	    AUTH_PKCE_BAD_VERIFIER);
}

static void
t_pkce_verifier_bad_chars(void)
{
	CU_ASSERT_EQUAL(auth_pkce_verify(S(
	    "dBjftJeZ4CVP+mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), S(RFC_CHALLENGE)),
	    AUTH_PKCE_BAD_VERIFIER);
	CU_ASSERT_EQUAL(auth_pkce_verify(S(
	    "dBjftJeZ4CVP mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), S(RFC_CHALLENGE)),
	    AUTH_PKCE_BAD_VERIFIER);
	CU_ASSERT_EQUAL(auth_pkce_verify(S(
	    "dBjftJeZ4CVP=mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), S(RFC_CHALLENGE)),
	    AUTH_PKCE_BAD_VERIFIER);
}

static void
t_pkce_challenge_bad(void)
{
	char c[130];

	/* Too short, too long, bad character. */
	CU_ASSERT_EQUAL(auth_pkce_verify(S(RFC_VERIFIER), S(
	    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c")),
	    AUTH_PKCE_BAD_CHALLENGE);
	memset(c, 'a', sizeof(c));
	CU_ASSERT_EQUAL(auth_pkce_verify(S(RFC_VERIFIER), c, 129),
	    AUTH_PKCE_BAD_CHALLENGE);
	CU_ASSERT_EQUAL(auth_pkce_verify(S(RFC_VERIFIER), S(
	    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw/cM")),
	    AUTH_PKCE_BAD_CHALLENGE);
	/* Grammar-valid but not 43 long: can never be an S256 value. */
	CU_ASSERT_EQUAL(auth_pkce_check_challenge(c, 44, "S256"),
	    AUTH_PKCE_BAD_CHALLENGE);
	CU_ASSERT_EQUAL(auth_pkce_check_challenge(S(
	    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c"), "S256"),
	    AUTH_PKCE_BAD_CHALLENGE);
}

static void
t_pkce_method_plain_refused(void)
{
	CU_ASSERT_EQUAL(auth_pkce_check_challenge(S(RFC_CHALLENGE), "plain"),
	    AUTH_PKCE_BAD_METHOD);
	CU_ASSERT_EQUAL(auth_pkce_check_challenge(S(RFC_CHALLENGE), NULL),
	    AUTH_PKCE_BAD_METHOD);
	CU_ASSERT_EQUAL(auth_pkce_check_challenge(S(RFC_CHALLENGE), "s256"),
	    AUTH_PKCE_BAD_METHOD);
}

/* ---- passwords --------------------------------------------------------- */

/* Cheapest argon2id parameters, to keep the suite fast. */
static const struct auth_pw_params pw_fast = {
	crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN
};

static void
t_pw_hash_verify(void)
{
	char h[AUTH_PW_HASH_SIZE];

	CU_ASSERT_EQUAL_FATAL(auth_pw_hash(S("correct horse"), &pw_fast, h),
	    AUTH_PW_OK);
	CU_ASSERT_EQUAL(strncmp(h, "$argon2id$", 10), 0);
	CU_ASSERT_EQUAL(auth_pw_verify(h, S("correct horse")), AUTH_PW_OK);
}

static void
t_pw_wrong(void)
{
	char h[AUTH_PW_HASH_SIZE];

	CU_ASSERT_EQUAL_FATAL(auth_pw_hash(S("correct horse"), &pw_fast, h),
	    AUTH_PW_OK);
	CU_ASSERT_EQUAL(auth_pw_verify(h, S("correct hors")), AUTH_PW_MISMATCH);
	CU_ASSERT_EQUAL(auth_pw_verify(h, S("Correct horse")),
	    AUTH_PW_MISMATCH);
	CU_ASSERT_EQUAL(auth_pw_verify(h, "", 0), AUTH_PW_MISMATCH);
}

static void
t_pw_salted(void)
{
	char a[AUTH_PW_HASH_SIZE], b[AUTH_PW_HASH_SIZE];

	CU_ASSERT_EQUAL(auth_pw_hash(S("same password"), &pw_fast, a),
	    AUTH_PW_OK);
	CU_ASSERT_EQUAL(auth_pw_hash(S("same password"), &pw_fast, b),
	    AUTH_PW_OK);
	CU_ASSERT_NOT_EQUAL(strcmp(a, b), 0);
}

static void
t_pw_malformed_hash(void)
{
	char h[AUTH_PW_HASH_SIZE];

	CU_ASSERT_EQUAL(auth_pw_verify("", S("whatever1")), AUTH_PW_BAD_HASH);
	CU_ASSERT_EQUAL(auth_pw_verify(NULL, S("whatever1")), AUTH_PW_BAD_HASH);
	CU_ASSERT_EQUAL(auth_pw_verify("$2y$10$abcdefghijklmnopqrstuv",
	    S("whatever1")), AUTH_PW_BAD_HASH);		/* bcrypt */
	CU_ASSERT_EQUAL(auth_pw_verify("$argon2i$v=19$m=4096,t=3,p=1$"
	    "c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA",
	    S("whatever1")), AUTH_PW_BAD_HASH);		/* argon2i */
	CU_ASSERT_EQUAL(auth_pw_verify("$argon2id$v=19$m=zz,t=2,p=1$abc$def",
	    S("whatever1")), AUTH_PW_BAD_HASH);
	CU_ASSERT_EQUAL(auth_pw_needs_rehash("garbage", &pw_fast), -1);
	/* A truncated real hash. */
	CU_ASSERT_EQUAL_FATAL(auth_pw_hash(S("correct horse"), &pw_fast, h),
	    AUTH_PW_OK);
	h[strlen(h) / 2] = '\0';
	CU_ASSERT_NOT_EQUAL(auth_pw_verify(h, S("correct horse")), AUTH_PW_OK);
}

static void
t_pw_rules(void)
{
	char big[AUTH_PW_MAX + 1], h[AUTH_PW_HASH_SIZE];

	memset(big, 'x', sizeof(big));
	CU_ASSERT_EQUAL(auth_pw_check_rules(S("1234567")), AUTH_PW_TOO_SHORT);
	CU_ASSERT_EQUAL(auth_pw_check_rules(S("12345678")), AUTH_PW_OK);
	CU_ASSERT_EQUAL(auth_pw_check_rules(big, AUTH_PW_MAX), AUTH_PW_OK);
	CU_ASSERT_EQUAL(auth_pw_check_rules(big, AUTH_PW_MAX + 1),
	    AUTH_PW_TOO_LONG);
	CU_ASSERT_EQUAL(auth_pw_check_rules("1234\0" "5678", 9),
	    AUTH_PW_BAD_CHAR);
	CU_ASSERT_EQUAL(auth_pw_hash(S("short"), &pw_fast, h),
	    AUTH_PW_TOO_SHORT);
	CU_ASSERT_EQUAL(auth_pw_hash(big, sizeof(big), &pw_fast, h),
	    AUTH_PW_TOO_LONG);
}

static void
t_pw_needs_rehash(void)
{
	struct auth_pw_params stronger = pw_fast;
	char h[AUTH_PW_HASH_SIZE];

	stronger.opslimit++;
	CU_ASSERT_EQUAL_FATAL(auth_pw_hash(S("correct horse"), &pw_fast, h),
	    AUTH_PW_OK);
	CU_ASSERT_EQUAL(auth_pw_needs_rehash(h, &pw_fast), 0);
	CU_ASSERT_EQUAL(auth_pw_needs_rehash(h, &stronger), 1);
}

static void
t_pw_default_params(void)
{
	struct auth_pw_params p;
	char h[AUTH_PW_HASH_SIZE];

	auth_pw_params_default(&p);
	CU_ASSERT_EQUAL(p.opslimit, crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE);
	CU_ASSERT_EQUAL(p.memlimit, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE);
	CU_ASSERT_EQUAL_FATAL(auth_pw_hash(S("correct horse"), NULL, h),
	    AUTH_PW_OK);
	CU_ASSERT_PTR_NOT_NULL(strstr(h, "$m=65536,t=2,p=1$"));
	CU_ASSERT_EQUAL(auth_pw_needs_rehash(h, NULL), 0);
	CU_ASSERT_EQUAL(auth_pw_needs_rehash(h, &pw_fast), 1);
}

/* ---- one-time codes, RFC 8628 codes ------------------------------------ */

#define OTP_SECRET "0123456789abcdef0123456789abcdef"

static void
t_otp_generate_shape(void)
{
	char c[7];
	int i, j, seen[10] = { 0 }, nseen = 0;

	for (i = 0; i < 200; i++) {
		auth_otp_generate(c);
		CU_ASSERT_EQUAL(strlen(c), 6);
		for (j = 0; j < 6; j++) {
			CU_ASSERT(c[j] >= '0' && c[j] <= '9');
			if (c[j] >= '0' && c[j] <= '9' && !seen[c[j] - '0']) {
				seen[c[j] - '0'] = 1;
				nseen++;
			}
		}
	}
	/* 1200 random digits cover all ten (fails with p < 1e-50). */
	CU_ASSERT_EQUAL(nseen, 10);
}

static void
t_otp_hash_verify(void)
{
	unsigned char h[32], raw[32];

	CU_ASSERT_EQUAL_FATAL(auth_otp_hash(OTP_SECRET, "attempt-1",
	    S("012345"), h), AUTH_OTP_OK);
	CU_ASSERT_EQUAL(auth_otp_verify(OTP_SECRET, "attempt-1", S("012345"),
	    h), AUTH_OTP_OK);
	/* Not a plain hash of the code. */
	mg_sha256("012345", 6, raw);
	CU_ASSERT_NOT_EQUAL(memcmp(h, raw, 32), 0);
}

static void
t_otp_wrong_code(void)
{
	unsigned char h[32];

	auth_otp_hash(OTP_SECRET, "attempt-1", S("012345"), h);
	CU_ASSERT_EQUAL(auth_otp_verify(OTP_SECRET, "attempt-1", S("012346"),
	    h), AUTH_OTP_MISMATCH);
}

static void
t_otp_wrong_context_or_secret(void)
{
	unsigned char h[32];

	auth_otp_hash(OTP_SECRET, "attempt-1", S("012345"), h);
	CU_ASSERT_EQUAL(auth_otp_verify(OTP_SECRET, "attempt-2", S("012345"),
	    h), AUTH_OTP_MISMATCH);
	CU_ASSERT_EQUAL(auth_otp_verify("1123456789abcdef0123456789abcdef",
	    "attempt-1", S("012345"), h), AUTH_OTP_MISMATCH);
}

static void
t_otp_bad_format(void)
{
	unsigned char h[32];

	CU_ASSERT_EQUAL(auth_otp_hash(OTP_SECRET, NULL, S("12345"), h),
	    AUTH_OTP_BAD_FORMAT);
	CU_ASSERT_EQUAL(auth_otp_hash(OTP_SECRET, NULL, S("1234567"), h),
	    AUTH_OTP_BAD_FORMAT);
	CU_ASSERT_EQUAL(auth_otp_hash(OTP_SECRET, NULL, S("12345a"), h),
	    AUTH_OTP_BAD_FORMAT);
	CU_ASSERT_EQUAL(auth_otp_hash(OTP_SECRET, NULL, S(" 12345"), h),
	    AUTH_OTP_BAD_FORMAT);
	CU_ASSERT_EQUAL(auth_otp_verify(OTP_SECRET, NULL, S("-12345"), h),
	    AUTH_OTP_BAD_FORMAT);
}

static void
t_otp_no_secret(void)
{
	unsigned char h[32];

	CU_ASSERT_EQUAL(auth_otp_hash(NULL, NULL, S("123456"), h),
	    AUTH_OTP_NO_SECRET);
	CU_ASSERT_EQUAL(auth_otp_hash("short", NULL, S("123456"), h),
	    AUTH_OTP_NO_SECRET);
}

static void
t_user_code_generate(void)
{
	char c[AUTH_USER_CODE_SIZE], norm[9];
	int i, j;

	for (i = 0; i < 50; i++) {
		auth_user_code_generate(c);
		CU_ASSERT_EQUAL(strlen(c), 9);
		CU_ASSERT_EQUAL(c[4], '-');
		for (j = 0; j < 9; j++)
			if (j != 4)
				CU_ASSERT_PTR_NOT_NULL(strchr(
				    "BCDFGHJKLMNPQRSTVWXZ", c[j]));
		CU_ASSERT_EQUAL(auth_user_code_normalize(c, strlen(c), norm),
		    AUTH_OTP_OK);
	}
}

static void
t_user_code_normalize(void)
{
	char out[9];

	CU_ASSERT_EQUAL(auth_user_code_normalize(S("WDJB-MJHT"), out),
	    AUTH_OTP_OK);
	CU_ASSERT_STRING_EQUAL(out, "WDJBMJHT");
	CU_ASSERT_EQUAL(auth_user_code_normalize(S("wdjb mjht"), out),
	    AUTH_OTP_OK);
	CU_ASSERT_STRING_EQUAL(out, "WDJBMJHT");
	CU_ASSERT_EQUAL(auth_user_code_normalize(S(" wdjbmjht "), out),
	    AUTH_OTP_OK);
	CU_ASSERT_STRING_EQUAL(out, "WDJBMJHT");
}

static void
t_user_code_bad(void)
{
	char out[9] = "unset";

	CU_ASSERT_EQUAL(auth_user_code_normalize(S("WDJB-MJH"), out),
	    AUTH_OTP_BAD_FORMAT);			/* 7 */
	CU_ASSERT_EQUAL(auth_user_code_normalize(S("WDJB-MJHTB"), out),
	    AUTH_OTP_BAD_FORMAT);			/* 9 */
	CU_ASSERT_EQUAL(auth_user_code_normalize(S("WDJA-MJHT"), out),
	    AUTH_OTP_BAD_FORMAT);			/* vowel */
	CU_ASSERT_EQUAL(auth_user_code_normalize(S("WDJ0-MJHT"), out),
	    AUTH_OTP_BAD_FORMAT);			/* digit */
	CU_ASSERT_EQUAL(auth_user_code_normalize(S("WDJB_MJHT"), out),
	    AUTH_OTP_BAD_FORMAT);			/* other punct */
	CU_ASSERT_EQUAL(auth_user_code_normalize("WDJB\0MJHT", 9, out),
	    AUTH_OTP_BAD_FORMAT);
	CU_ASSERT_EQUAL(auth_user_code_normalize(S("---- ----"), out),
	    AUTH_OTP_BAD_FORMAT);
	CU_ASSERT_EQUAL(auth_user_code_normalize(S(
	    "W-D-J-B-M-J-H-T-----------------------"), out),
	    AUTH_OTP_BAD_FORMAT);			/* > 32 bytes */
	CU_ASSERT_STRING_EQUAL(out, "unset");
}

static void
t_device_code(void)
{
	char a[AUTH_DEVICE_CODE_SIZE], b[AUTH_DEVICE_CODE_SIZE];
	unsigned char raw[40];

	auth_device_code_generate(a);
	auth_device_code_generate(b);
	CU_ASSERT_EQUAL(strlen(a), 43);
	CU_ASSERT_EQUAL(mg_unb64(a, 43, 0, raw, sizeof(raw)), 32);
	CU_ASSERT_NOT_EQUAL(strcmp(a, b), 0);
}

/* ---- JWT access tokens and JWKS (RFC 9068, RFC 7515/7517/7518) --------- */

#define T0	((time_t)1800000000)	/* 2027-01-15T08:00:00Z */
#define ISS	"https://gw.example"
#define AUD	"https://gw.example/v1"
#define PAYLOAD	"{\"iss\":\"" ISS "\",\"sub\":\"user-1\",\"aud\":\"" AUD "\"," \
	"\"exp\":1800000600,\"iat\":1799999940,\"jti\":\"j1\"," \
	"\"client_id\":\"app-1\",\"scope\":\"read\",\"ws\":\"ws-1\"}"

static char jdir[64];
static char kid_old[AUTH_JWT_KID_SIZE], kid_new[AUTH_JWT_KID_SIZE];
static struct auth_jwt_ring *ring;

/* Make a fresh temporary directory name into buf. */
static int
tmp_dir(char buf[64])
{
	snprintf(buf, 64, "/tmp/mgjwt.XXXXXX");
	return mkdtemp(buf) != NULL ? 0 : -1;
}

/* Remove dir and the files in it. */
static void
rm_dir(const char *dir)
{
	DIR *d;
	struct dirent *de;
	char p[512];

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

static int
jwt_init(void)
{
	if (mg_crypto_init() != 0 || tmp_dir(jdir) != 0)
		return -1;
	if (auth_jwt_key_generate(jdir, T0 - 86400, kid_old) != AUTH_JWT_OK ||
	    auth_jwt_key_generate(jdir, T0 - 3600, kid_new) != AUTH_JWT_OK)
		return -1;
	return auth_jwt_ring_load(jdir, &ring) == AUTH_JWT_OK ? 0 : -1;
}

static int
jwt_clean(void)
{
	auth_jwt_ring_free(ring);
	rm_dir(jdir);
	return 0;
}

static struct auth_jwt_in
std_in(void)
{
	struct auth_jwt_in in = {
		ISS, "user-1", AUD, "app-1", "generate read", "ws-1",
		T0 - 60, T0 + 600
	};

	return in;
}

/* The private key of kid, read from the ring directory (test-owned). */
static EVP_PKEY *
key_of(const char *dir, const char *kid)
{
	char p[256];
	FILE *f;
	EVP_PKEY *k;

	snprintf(p, sizeof(p), "%s/%s.pem", dir, kid);
	if ((f = fopen(p, "r")) == NULL)
		return NULL;
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	return k;
}

/* Append base64url of s[0..n) to out. */
static void
cat_b64(char *out, size_t cap, const void *s, size_t n)
{
	size_t len = strlen(out);

	mg_b64url(s, n, out + len, cap - len);
}

/* out = b64(hdr) "." b64(payload) "." + ES256 signature by k (NULL: none). */
static void
mk_es(char *out, size_t cap, const char *hdr, const char *payload,
    EVP_PKEY *k)
{
	unsigned char sig[64];

	out[0] = '\0';
	cat_b64(out, cap, hdr, strlen(hdr));
	strncat(out, ".", cap - strlen(out) - 1);
	cat_b64(out, cap, payload, strlen(payload));
	if (k != NULL)
		CU_ASSERT_EQUAL_FATAL(auth_jws_sign_es256(k, out, strlen(out),
		    sig), 0);
	strncat(out, ".", cap - strlen(out) - 1);
	if (k != NULL)
		cat_b64(out, cap, sig, sizeof(sig));
}

/* Header JSON for kid with the given alg and typ. */
static const char *
hdr_of(const char *alg, const char *typ, const char *kid)
{
	static char h[256];

	snprintf(h, sizeof(h), "{\"alg\":\"%s\",\"typ\":\"%s\",\"kid\":\"%s\"}",
	    alg, typ, kid);
	return h;
}

/* Sign and verify a token with PAYLOAD and header h using the newest key. */
static enum auth_jwt_err
verify_custom(const char *h, const char *payload, time_t now)
{
	char tok[AUTH_JWT_MAX + 1];
	EVP_PKEY *k = key_of(jdir, kid_new);
	enum auth_jwt_err e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	mk_es(tok, sizeof(tok), h, payload, k);
	EVP_PKEY_free(k);
	e = auth_jwt_verify(ring, tok, ISS, AUD, now, NULL);
	return e;
}

static void
t_jwt_round_trip(void)
{
	struct auth_jwt_in in = std_in();
	struct auth_jwt_claims c;
	char tok[AUTH_JWT_MAX + 1], jti[AUTH_JWT_STR_SIZE], hdr[256];
	const char *dot;
	int n;

	CU_ASSERT_EQUAL_FATAL(auth_jwt_sign(ring, &in, tok, sizeof(tok), jti),
	    AUTH_JWT_OK);
	CU_ASSERT_EQUAL_FATAL(auth_jwt_verify(ring, tok, ISS, AUD, T0, &c),
	    AUTH_JWT_OK);
	CU_ASSERT_STRING_EQUAL(c.sub, "user-1");
	CU_ASSERT_STRING_EQUAL(c.client_id, "app-1");
	CU_ASSERT_STRING_EQUAL(c.scope, "generate read");
	CU_ASSERT_EQUAL(c.scopes, AUTH_SCOPE_GENERATE | AUTH_SCOPE_READ);
	CU_ASSERT_STRING_EQUAL(c.ws, "ws-1");
	CU_ASSERT_STRING_EQUAL(c.jti, jti);
	CU_ASSERT_EQUAL(strlen(jti), 22);
	CU_ASSERT_EQUAL(c.exp, T0 + 600);
	CU_ASSERT_EQUAL(c.iat, T0 - 60);
	/* The newest key signed, and the header is RFC 9068's. */
	CU_ASSERT_STRING_EQUAL(c.kid, kid_new);
	CU_ASSERT_STRING_EQUAL(auth_jwt_ring_kid(ring, 0), kid_new);
	CU_ASSERT(strcmp(kid_new, kid_old) > 0);
	dot = strchr(tok, '.');
	CU_ASSERT_PTR_NOT_NULL_FATAL(dot);
	n = mg_unb64(tok, (size_t)(dot - tok), 0, (unsigned char *)hdr,
	    sizeof(hdr) - 1);
	CU_ASSERT_FATAL(n > 0);
	hdr[n] = '\0';
	CU_ASSERT_STRING_EQUAL(hdr, hdr_of("ES256", "at+jwt", kid_new));
}

static void
t_jwt_jti_unique(void)
{
	struct auth_jwt_in in = std_in();
	char a[AUTH_JWT_MAX + 1], b[AUTH_JWT_MAX + 1];
	char ja[AUTH_JWT_STR_SIZE], jb[AUTH_JWT_STR_SIZE];

	CU_ASSERT_EQUAL(auth_jwt_sign(ring, &in, a, sizeof(a), ja), AUTH_JWT_OK);
	CU_ASSERT_EQUAL(auth_jwt_sign(ring, &in, b, sizeof(b), jb), AUTH_JWT_OK);
	CU_ASSERT_NOT_EQUAL(strcmp(ja, jb), 0);
}

static void
t_jwt_builder_sane(void)
{
	/* The hand-built tokens below differ from this one in one place. */
	CU_ASSERT_EQUAL(verify_custom(hdr_of("ES256", "at+jwt", kid_new),
	    PAYLOAD, T0), AUTH_JWT_OK);
	CU_ASSERT_EQUAL(verify_custom(hdr_of("ES256", "application/at+jwt",
	    kid_new), PAYLOAD, T0), AUTH_JWT_OK);
}

static void
t_jwt_alg_none(void)
{
	char tok[AUTH_JWT_MAX + 1];

	mk_es(tok, sizeof(tok), hdr_of("none", "at+jwt", kid_new), PAYLOAD,
	    NULL);
	CU_ASSERT_EQUAL(tok[strlen(tok) - 1], '.');
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, tok, ISS, AUD, T0, NULL),
	    AUTH_JWT_E_ALG);
	/* Case variants and a none token carrying a real ES256 signature. */
	CU_ASSERT_EQUAL(verify_custom(hdr_of("none", "at+jwt", kid_new),
	    PAYLOAD, T0), AUTH_JWT_E_ALG);
	CU_ASSERT_EQUAL(verify_custom(hdr_of("None", "at+jwt", kid_new),
	    PAYLOAD, T0), AUTH_JWT_E_ALG);
	CU_ASSERT_EQUAL(verify_custom(hdr_of("es256", "at+jwt", kid_new),
	    PAYLOAD, T0), AUTH_JWT_E_ALG);
	CU_ASSERT_EQUAL(verify_custom(
	    "{\"typ\":\"at+jwt\",\"kid\":\"x\"}", PAYLOAD, T0), AUTH_JWT_E_ALG);
}

static void
t_jwt_alg_hs256_pubkey(void)
{
	char tok[AUTH_JWT_MAX + 1], pem[512];
	unsigned char mac[32];
	EVP_PKEY *k = key_of(jdir, kid_new);
	BIO *bio = BIO_new(BIO_s_mem());
	jwt_t *j = NULL;
	char *lt;
	int pn;

	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_FATAL(PEM_write_bio_PUBKEY(bio, k) == 1);
	pn = BIO_read(bio, pem, sizeof(pem) - 1);
	CU_ASSERT_FATAL(pn > 0);
	pem[pn] = '\0';
	/* Classic key confusion: HMAC keyed with the public key PEM. */
	mk_es(tok, sizeof(tok), hdr_of("HS256", "at+jwt", kid_new), PAYLOAD,
	    NULL);
	tok[strlen(tok) - 1] = '\0';
	mg_hmac_sha256(pem, (size_t)pn, tok, strlen(tok), mac);
	strncat(tok, ".", sizeof(tok) - strlen(tok) - 1);
	cat_b64(tok, sizeof(tok), mac, sizeof(mac));
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, tok, ISS, AUD, T0, NULL),
	    AUTH_JWT_E_ALG);
	/* The same forgery made by libjwt (which would itself accept it). */
	CU_ASSERT_EQUAL_FATAL(jwt_new(&j), 0);
	jwt_add_header(j, "kid", kid_new);
	jwt_add_grants_json(j, PAYLOAD);
	CU_ASSERT_EQUAL_FATAL(jwt_set_alg(j, JWT_ALG_HS256,
	    (unsigned char *)pem, pn), 0);
	lt = jwt_encode_str(j);
	CU_ASSERT_PTR_NOT_NULL_FATAL(lt);
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, lt, ISS, AUD, T0, NULL),
	    AUTH_JWT_E_ALG);
	free(lt);
	jwt_free(j);
	BIO_free(bio);
	EVP_PKEY_free(k);
}

static void
t_jwt_alg_other(void)
{
	CU_ASSERT_EQUAL(verify_custom(hdr_of("RS256", "at+jwt", kid_new),
	    PAYLOAD, T0), AUTH_JWT_E_ALG);
	CU_ASSERT_EQUAL(verify_custom(hdr_of("ES384", "at+jwt", kid_new),
	    PAYLOAD, T0), AUTH_JWT_E_ALG);
}

static void
t_jwt_typ(void)
{
	char pem[512];
	EVP_PKEY *k = key_of(jdir, kid_new);
	BIO *bio = BIO_new(BIO_s_mem());
	jwt_t *j = NULL;
	char *lt;
	int pn;

	CU_ASSERT_EQUAL(verify_custom(hdr_of("ES256", "JWT", kid_new),
	    PAYLOAD, T0), AUTH_JWT_E_TYP);
	CU_ASSERT_EQUAL(verify_custom("{\"alg\":\"ES256\",\"kid\":\"x\"}",
	    PAYLOAD, T0), AUTH_JWT_E_TYP);
	/* A libjwt ES256 token signed with our real key: typ is "JWT". */
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_FATAL(PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL,
	    NULL) == 1);
	pn = BIO_read(bio, pem, sizeof(pem) - 1);
	CU_ASSERT_FATAL(pn > 0);
	CU_ASSERT_EQUAL_FATAL(jwt_new(&j), 0);
	jwt_add_header(j, "kid", kid_new);
	jwt_add_header(j, "typ", "at+jwt");	/* libjwt 1.10 overwrites it */
	jwt_add_grants_json(j, PAYLOAD);
	CU_ASSERT_EQUAL_FATAL(jwt_set_alg(j, JWT_ALG_ES256,
	    (unsigned char *)pem, pn), 0);
	lt = jwt_encode_str(j);
	CU_ASSERT_PTR_NOT_NULL_FATAL(lt);
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, lt, ISS, AUD, T0, NULL),
	    AUTH_JWT_E_TYP);
	free(lt);
	jwt_free(j);
	BIO_free(bio);
	EVP_PKEY_free(k);
}

static void
t_jwt_libjwt_signature_interop(void)
{
	char pem[512];
	EVP_PKEY *k = key_of(jdir, kid_new);
	BIO *bio = BIO_new(BIO_s_mem());
	struct auth_jws js;
	jwt_t *j = NULL;
	char *lt;
	int pn;

	/* Our ES256 verifier accepts libjwt's R||S signature encoding. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_FATAL(PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL,
	    NULL) == 1);
	pn = BIO_read(bio, pem, sizeof(pem) - 1);
	CU_ASSERT_EQUAL_FATAL(jwt_new(&j), 0);
	jwt_add_grants_json(j, PAYLOAD);
	CU_ASSERT_EQUAL_FATAL(jwt_set_alg(j, JWT_ALG_ES256,
	    (unsigned char *)pem, pn), 0);
	lt = jwt_encode_str(j);
	CU_ASSERT_PTR_NOT_NULL_FATAL(lt);
	CU_ASSERT_EQUAL_FATAL(auth_jws_parse(lt, &js), AUTH_JWS_OK);
	CU_ASSERT_EQUAL(js.sig_len, 64);
	CU_ASSERT_EQUAL(auth_jws_verify_es256(k, js.input, js.input_len,
	    js.sig, js.sig_len), 1);
	js.sig[10] ^= 1;
	CU_ASSERT_EQUAL(auth_jws_verify_es256(k, js.input, js.input_len,
	    js.sig, js.sig_len), 0);
	auth_jws_free(&js);
	free(lt);
	jwt_free(j);
	BIO_free(bio);
	EVP_PKEY_free(k);
}

static void
t_jwt_kid(void)
{
	CU_ASSERT_EQUAL(verify_custom(hdr_of("ES256", "at+jwt",
	    "20270101000000-deadbeef"), PAYLOAD, T0), AUTH_JWT_E_UNKNOWN_KID);
	CU_ASSERT_EQUAL(verify_custom(hdr_of("ES256", "at+jwt", ""),
	    PAYLOAD, T0), AUTH_JWT_E_NO_KID);
	CU_ASSERT_EQUAL(verify_custom("{\"alg\":\"ES256\",\"typ\":\"at+jwt\"}",
	    PAYLOAD, T0), AUTH_JWT_E_NO_KID);
	CU_ASSERT_EQUAL(verify_custom(
	    "{\"alg\":\"ES256\",\"typ\":\"at+jwt\",\"kid\":7}", PAYLOAD, T0),
	    AUTH_JWT_E_NO_KID);
}

static void
t_jwt_kid_other_key(void)
{
	char tok[AUTH_JWT_MAX + 1];
	EVP_PKEY *k = key_of(jdir, kid_new);

	/* Signed by the new key but naming the old one: bad signature. */
	mk_es(tok, sizeof(tok), hdr_of("ES256", "at+jwt", kid_old), PAYLOAD, k);
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, tok, ISS, AUD, T0, NULL),
	    AUTH_JWT_E_SIGNATURE);
	EVP_PKEY_free(k);
}

static void
t_jwt_crit(void)
{
	char h[256];

	snprintf(h, sizeof(h), "{\"alg\":\"ES256\",\"typ\":\"at+jwt\","
	    "\"kid\":\"%s\",\"crit\":[\"exp\"]}", kid_new);
	CU_ASSERT_EQUAL(verify_custom(h, PAYLOAD, T0), AUTH_JWT_E_CRIT);
}

static void
t_jwt_iss_aud(void)
{
	struct auth_jwt_in in = std_in();
	char tok[AUTH_JWT_MAX + 1];

	CU_ASSERT_EQUAL_FATAL(auth_jwt_sign(ring, &in, tok, sizeof(tok), NULL),
	    AUTH_JWT_OK);
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, tok, ISS "/", AUD, T0, NULL),
	    AUTH_JWT_E_ISS);
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, tok, "https://evil.example",
	    AUD, T0, NULL), AUTH_JWT_E_ISS);
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, tok, ISS, AUD "/", T0, NULL),
	    AUTH_JWT_E_AUD);
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, tok, ISS, "https://gw.example/api",
	    T0, NULL), AUTH_JWT_E_AUD);
	in.aud = "https://other.example";
	CU_ASSERT_EQUAL_FATAL(auth_jwt_sign(ring, &in, tok, sizeof(tok), NULL),
	    AUTH_JWT_OK);
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, tok, ISS, AUD, T0, NULL),
	    AUTH_JWT_E_AUD);
}

static void
t_jwt_aud_array(void)
{
	static const char ok[] = "{\"iss\":\"" ISS "\",\"sub\":\"u\","
	    "\"aud\":[\"x\",\"" AUD "\"],\"exp\":1800000600,\"iat\":1799999940,"
	    "\"jti\":\"j\",\"client_id\":\"c\",\"scope\":\"read\",\"ws\":\"w\"}";
	static const char bad[] = "{\"iss\":\"" ISS "\",\"sub\":\"u\","
	    "\"aud\":[\"x\",\"y\"],\"exp\":1800000600,\"iat\":1799999940,"
	    "\"jti\":\"j\",\"client_id\":\"c\",\"scope\":\"read\",\"ws\":\"w\"}";
	static const char missing[] = "{\"iss\":\"" ISS "\",\"sub\":\"u\","
	    "\"exp\":1800000600,\"iat\":1799999940,"
	    "\"jti\":\"j\",\"client_id\":\"c\",\"scope\":\"read\",\"ws\":\"w\"}";
	const char *h = hdr_of("ES256", "at+jwt", kid_new);

	CU_ASSERT_EQUAL(verify_custom(h, ok, T0), AUTH_JWT_OK);
	CU_ASSERT_EQUAL(verify_custom(h, bad, T0), AUTH_JWT_E_AUD);
	CU_ASSERT_EQUAL(verify_custom(h, missing, T0), AUTH_JWT_E_AUD);
}

static void
t_jwt_expired(void)
{
	struct auth_jwt_in in = std_in();
	char tok[AUTH_JWT_MAX + 1];

	CU_ASSERT_EQUAL_FATAL(auth_jwt_sign(ring, &in, tok, sizeof(tok), NULL),
	    AUTH_JWT_OK);
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, tok, ISS, AUD, T0 + 599, NULL),
	    AUTH_JWT_OK);
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, tok, ISS, AUD, T0 + 600, NULL),
	    AUTH_JWT_E_EXPIRED);			/* exp == now */
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, tok, ISS, AUD, T0 + 86400, NULL),
	    AUTH_JWT_E_EXPIRED);
}

static void
t_jwt_leeway(void)
{
	struct auth_jwt_in in = std_in();
	char tok[AUTH_JWT_MAX + 1];

	CU_ASSERT_EQUAL_FATAL(auth_jwt_sign(ring, &in, tok, sizeof(tok), NULL),
	    AUTH_JWT_OK);
	auth_jwt_ring_set_leeway(ring, 30);
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, tok, ISS, AUD, T0 + 629, NULL),
	    AUTH_JWT_OK);
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, tok, ISS, AUD, T0 + 630, NULL),
	    AUTH_JWT_E_EXPIRED);
	/* iat 60 s before T0: 30 s of leeway allows now = T0 - 90. */
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, tok, ISS, AUD, T0 - 90, NULL),
	    AUTH_JWT_OK);
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, tok, ISS, AUD, T0 - 91, NULL),
	    AUTH_JWT_E_IAT);
	auth_jwt_ring_set_leeway(ring, 0);
}

static void
t_jwt_iat_future(void)
{
	struct auth_jwt_in in = std_in();
	char tok[AUTH_JWT_MAX + 1];

	CU_ASSERT_EQUAL_FATAL(auth_jwt_sign(ring, &in, tok, sizeof(tok), NULL),
	    AUTH_JWT_OK);
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, tok, ISS, AUD, T0 - 60, NULL),
	    AUTH_JWT_OK);				/* iat == now */
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, tok, ISS, AUD, T0 - 61, NULL),
	    AUTH_JWT_E_IAT);
}

static void
t_jwt_nbf(void)
{
	static const char p[] = "{\"iss\":\"" ISS "\",\"sub\":\"u\","
	    "\"aud\":\"" AUD "\",\"exp\":1800000600,\"iat\":1799999940,"
	    "\"nbf\":1800000100,"
	    "\"jti\":\"j\",\"client_id\":\"c\",\"scope\":\"read\",\"ws\":\"w\"}";
	const char *h = hdr_of("ES256", "at+jwt", kid_new);

	CU_ASSERT_EQUAL(verify_custom(h, p, T0), AUTH_JWT_E_NBF);
	CU_ASSERT_EQUAL(verify_custom(h, p, T0 + 100), AUTH_JWT_OK);
}

/* Replace one claim of PAYLOAD-shaped JSON and verify (signed properly). */
static enum auth_jwt_err
verify_claims(const char *payload)
{
	return verify_custom(hdr_of("ES256", "at+jwt", kid_new), payload, T0);
}

static void
t_jwt_claims_missing_or_typed(void)
{
	/* Missing sub, missing ws, string exp, float iat, unknown scope,
	 * empty client_id, NUL inside sub, missing jti. */
	CU_ASSERT_EQUAL(verify_claims("{\"iss\":\"" ISS "\",\"aud\":\"" AUD
	    "\",\"exp\":1800000600,\"iat\":1799999940,\"jti\":\"j\","
	    "\"client_id\":\"c\",\"scope\":\"read\",\"ws\":\"w\"}"),
	    AUTH_JWT_E_CLAIMS);
	CU_ASSERT_EQUAL(verify_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\","
	    "\"aud\":\"" AUD "\",\"exp\":1800000600,\"iat\":1799999940,"
	    "\"jti\":\"j\",\"client_id\":\"c\",\"scope\":\"read\"}"),
	    AUTH_JWT_E_CLAIMS);
	CU_ASSERT_EQUAL(verify_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\","
	    "\"aud\":\"" AUD "\",\"exp\":\"1800000600\",\"iat\":1799999940,"
	    "\"jti\":\"j\",\"client_id\":\"c\",\"scope\":\"read\",\"ws\":\"w\"}"),
	    AUTH_JWT_E_CLAIMS);
	CU_ASSERT_EQUAL(verify_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\","
	    "\"aud\":\"" AUD "\",\"exp\":1800000600,\"iat\":1799999940.5,"
	    "\"jti\":\"j\",\"client_id\":\"c\",\"scope\":\"read\",\"ws\":\"w\"}"),
	    AUTH_JWT_E_CLAIMS);
	CU_ASSERT_EQUAL(verify_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\","
	    "\"aud\":\"" AUD "\",\"exp\":1800000600,\"iat\":1799999940,"
	    "\"jti\":\"j\",\"client_id\":\"c\",\"scope\":\"write\",\"ws\":\"w\"}"),
	    AUTH_JWT_E_CLAIMS);
	CU_ASSERT_EQUAL(verify_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\","
	    "\"aud\":\"" AUD "\",\"exp\":1800000600,\"iat\":1799999940,"
	    "\"jti\":\"j\",\"client_id\":\"\",\"scope\":\"read\",\"ws\":\"w\"}"),
	    AUTH_JWT_E_CLAIMS);
	CU_ASSERT_EQUAL(verify_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\\u0000x\","
	    "\"aud\":\"" AUD "\",\"exp\":1800000600,\"iat\":1799999940,"
	    "\"jti\":\"j\",\"client_id\":\"c\",\"scope\":\"read\",\"ws\":\"w\"}"),
	    AUTH_JWT_E_CLAIMS);
	CU_ASSERT_EQUAL(verify_claims("{\"iss\":\"" ISS "\",\"sub\":\"u\","
	    "\"aud\":\"" AUD "\",\"exp\":1800000600,\"iat\":1799999940,"
	    "\"client_id\":\"c\",\"scope\":\"read\",\"ws\":\"w\"}"),
	    AUTH_JWT_E_CLAIMS);
}

static void
t_jwt_tampered_payload(void)
{
	struct auth_jwt_in in = std_in();
	char tok[AUTH_JWT_MAX + 1], forged[AUTH_JWT_MAX + 1];
	char *d1, *d2;
	static const char evil[] = "{\"iss\":\"" ISS "\",\"sub\":\"admin\","
	    "\"aud\":\"" AUD "\",\"exp\":1900000000,\"iat\":1799999940,"
	    "\"jti\":\"j\",\"client_id\":\"app-1\",\"scope\":\"admin\","
	    "\"ws\":\"ws-2\"}";

	CU_ASSERT_EQUAL_FATAL(auth_jwt_sign(ring, &in, tok, sizeof(tok), NULL),
	    AUTH_JWT_OK);
	d1 = strchr(tok, '.');
	d2 = strrchr(tok, '.');
	/* header "." evil payload "." original signature */
	snprintf(forged, sizeof(forged), "%.*s.", (int)(d1 - tok), tok);
	cat_b64(forged, sizeof(forged), evil, strlen(evil));
	strncat(forged, d2, sizeof(forged) - strlen(forged) - 1);
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, forged, ISS, AUD, T0, NULL),
	    AUTH_JWT_E_SIGNATURE);
	/* One character of the payload changed. */
	d1[3] = d1[3] == 'A' ? 'B' : 'A';
	CU_ASSERT_NOT_EQUAL(auth_jwt_verify(ring, tok, ISS, AUD, T0, NULL),
	    AUTH_JWT_OK);
}

static void
t_jwt_tampered_signature(void)
{
	struct auth_jwt_in in = std_in();
	char tok[AUTH_JWT_MAX + 1], *sig;
	unsigned char raw[64];
	size_t n;

	CU_ASSERT_EQUAL_FATAL(auth_jwt_sign(ring, &in, tok, sizeof(tok), NULL),
	    AUTH_JWT_OK);
	sig = strrchr(tok, '.') + 1;
	CU_ASSERT_EQUAL_FATAL(mg_unb64(sig, strlen(sig), 0, raw, sizeof(raw)),
	    64);
	raw[40] ^= 0x01;				/* one bit of S */
	mg_b64url(raw, sizeof(raw), sig, sizeof(tok) - (size_t)(sig - tok));
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, tok, ISS, AUD, T0, NULL),
	    AUTH_JWT_E_SIGNATURE);
	/* Truncated to 48 bytes (64 chars): wrong length. */
	raw[40] ^= 0x01;
	mg_b64url(raw, 48, sig, sizeof(tok) - (size_t)(sig - tok));
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, tok, ISS, AUD, T0, NULL),
	    AUTH_JWT_E_SIGNATURE);
	/* A DER signature instead of R||S. */
	n = strlen(tok);
	(void)n;
	memset(sig, 'A', 96);
	sig[96] = '\0';
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, tok, ISS, AUD, T0, NULL),
	    AUTH_JWT_E_SIGNATURE);
}

static void
t_jwt_malformed(void)
{
	struct auth_jwt_in in = std_in();
	char tok[AUTH_JWT_MAX + 1], bad[AUTH_JWT_MAX + 8];
	char *d1;

	CU_ASSERT_EQUAL(auth_jwt_verify(ring, "", ISS, AUD, T0, NULL),
	    AUTH_JWT_E_MALFORMED);
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, NULL, ISS, AUD, T0, NULL),
	    AUTH_JWT_E_MALFORMED);
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, "abc", ISS, AUD, T0, NULL),
	    AUTH_JWT_E_MALFORMED);
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, "a.b", ISS, AUD, T0, NULL),
	    AUTH_JWT_E_MALFORMED);
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, "..", ISS, AUD, T0, NULL),
	    AUTH_JWT_E_MALFORMED);
	CU_ASSERT_EQUAL_FATAL(auth_jwt_sign(ring, &in, tok, sizeof(tok), NULL),
	    AUTH_JWT_OK);
	/* Four segments. */
	snprintf(bad, sizeof(bad), "%s.AAAA", tok);
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, bad, ISS, AUD, T0, NULL),
	    AUTH_JWT_E_MALFORMED);
	/* Standard-base64 character, padding, whitespace. */
	snprintf(bad, sizeof(bad), "%s", tok);
	bad[5] = '+';
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, bad, ISS, AUD, T0, NULL),
	    AUTH_JWT_E_MALFORMED);
	snprintf(bad, sizeof(bad), "%s==", tok);
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, bad, ISS, AUD, T0, NULL),
	    AUTH_JWT_E_MALFORMED);
	snprintf(bad, sizeof(bad), " %s", tok);
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, bad, ISS, AUD, T0, NULL),
	    AUTH_JWT_E_MALFORMED);
	/* Header segment not decodable to an object. */
	d1 = strchr(tok, '.');
	snprintf(bad, sizeof(bad), "W10%s", d1);		/* "[]" */
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, bad, ISS, AUD, T0, NULL),
	    AUTH_JWT_E_MALFORMED);
	snprintf(bad, sizeof(bad), "bm90IGpzb24%s", d1);	/* "not json" */
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, bad, ISS, AUD, T0, NULL),
	    AUTH_JWT_E_MALFORMED);
	/* Trailing bytes after the JSON object, and a truncated object. */
	CU_ASSERT_EQUAL(verify_custom("{\"alg\":\"ES256\"} x", PAYLOAD, T0),
	    AUTH_JWT_E_MALFORMED);
	CU_ASSERT_EQUAL(verify_custom(hdr_of("ES256", "at+jwt", kid_new),
	    "{\"iss\":1", T0), AUTH_JWT_E_MALFORMED);
	/* Non-canonical base64url (spare bits set) in the signature. */
	snprintf(bad, sizeof(bad), "%s", tok);
	bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == 'B' ? 'C' : 'B';
	CU_ASSERT_NOT_EQUAL(auth_jwt_verify(ring, bad, ISS, AUD, T0, NULL),
	    AUTH_JWT_OK);
}

static void
t_jwt_oversize(void)
{
	static char big[AUTH_JWT_MAX + 2];

	memset(big, 'A', sizeof(big) - 1);
	big[100] = '.';
	big[200] = '.';
	big[AUTH_JWT_MAX + 1] = '\0';
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, big, ISS, AUD, T0, NULL),
	    AUTH_JWT_E_TOO_LONG);
	big[AUTH_JWT_MAX] = '\0';
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, big, ISS, AUD, T0, NULL),
	    AUTH_JWT_E_MALFORMED);
}

static void
t_jwt_sign_rejects(void)
{
	struct auth_jwt_in in = std_in();
	char tok[AUTH_JWT_MAX + 1], small[100], longs[300];

	in.sub = NULL;
	CU_ASSERT_EQUAL(auth_jwt_sign(ring, &in, tok, sizeof(tok), NULL),
	    AUTH_JWT_E_CLAIMS);
	in = std_in();
	in.ws = "";
	CU_ASSERT_EQUAL(auth_jwt_sign(ring, &in, tok, sizeof(tok), NULL),
	    AUTH_JWT_E_CLAIMS);
	in = std_in();
	in.exp = in.iat;
	CU_ASSERT_EQUAL(auth_jwt_sign(ring, &in, tok, sizeof(tok), NULL),
	    AUTH_JWT_E_CLAIMS);
	in = std_in();
	memset(longs, 'x', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = '\0';
	in.sub = longs;
	CU_ASSERT_EQUAL(auth_jwt_sign(ring, &in, tok, sizeof(tok), NULL),
	    AUTH_JWT_E_CLAIMS);
	in = std_in();
	CU_ASSERT_EQUAL(auth_jwt_sign(ring, &in, small, sizeof(small), NULL),
	    AUTH_JWT_E_NOSPACE);
}

static void
t_jwt_old_key_verifies_then_retired(void)
{
	char dir[64], k1[AUTH_JWT_KID_SIZE], k2[AUTH_JWT_KID_SIZE];
	char tok[AUTH_JWT_MAX + 1];
	struct auth_jwt_ring *r1 = NULL, *r2 = NULL, *r3 = NULL;
	struct auth_jwt_in in = std_in();
	struct auth_jwt_claims c;
	int removed = -1;

	CU_ASSERT_EQUAL_FATAL(tmp_dir(dir), 0);
	CU_ASSERT_EQUAL_FATAL(auth_jwt_key_generate(dir, T0 - 7200, k1),
	    AUTH_JWT_OK);
	CU_ASSERT_EQUAL_FATAL(auth_jwt_ring_load(dir, &r1), AUTH_JWT_OK);
	CU_ASSERT_EQUAL_FATAL(auth_jwt_sign(r1, &in, tok, sizeof(tok), NULL),
	    AUTH_JWT_OK);
	/* Rotate: the old key still verifies, the new one signs. */
	CU_ASSERT_EQUAL_FATAL(auth_jwt_key_generate(dir, T0 - 100, k2),
	    AUTH_JWT_OK);
	CU_ASSERT_EQUAL_FATAL(auth_jwt_ring_load(dir, &r2), AUTH_JWT_OK);
	CU_ASSERT_EQUAL(auth_jwt_ring_count(r2), 2);
	CU_ASSERT_STRING_EQUAL(auth_jwt_ring_kid(r2, 0), k2);
	CU_ASSERT_EQUAL(auth_jwt_verify(r2, tok, ISS, AUD, T0, &c),
	    AUTH_JWT_OK);
	CU_ASSERT_STRING_EQUAL(c.kid, k1);
	/* Retire with lifetime 600: k1 was superseded at T0-100. */
	CU_ASSERT_EQUAL(auth_jwt_keys_retire(dir, T0 + 500, 600, &removed),
	    AUTH_JWT_OK);
	CU_ASSERT_EQUAL(removed, 0);		/* its tokens may still live */
	CU_ASSERT_EQUAL(auth_jwt_keys_retire(dir, T0 + 501, 600, &removed),
	    AUTH_JWT_OK);
	CU_ASSERT_EQUAL(removed, 1);
	CU_ASSERT_EQUAL_FATAL(auth_jwt_ring_load(dir, &r3), AUTH_JWT_OK);
	CU_ASSERT_EQUAL(auth_jwt_ring_count(r3), 1);
	CU_ASSERT_EQUAL(auth_jwt_verify(r3, tok, ISS, AUD, T0, NULL),
	    AUTH_JWT_E_UNKNOWN_KID);
	/* The newest key is never retired, however old. */
	CU_ASSERT_EQUAL(auth_jwt_keys_retire(dir, T0 + 999999999, 600,
	    &removed), AUTH_JWT_OK);
	CU_ASSERT_EQUAL(removed, 0);
	auth_jwt_ring_free(r1);
	auth_jwt_ring_free(r2);
	auth_jwt_ring_free(r3);
	rm_dir(dir);
}

static void
t_jwt_generate_file(void)
{
	char dir[64], sub[80], k1[AUTH_JWT_KID_SIZE], k2[AUTH_JWT_KID_SIZE];
	char p[160];
	struct stat st;
	int i;

	CU_ASSERT_EQUAL_FATAL(tmp_dir(dir), 0);
	snprintf(sub, sizeof(sub), "%s/keys", dir);	/* created 0700 */
	CU_ASSERT_EQUAL_FATAL(auth_jwt_key_generate(sub, T0, k1), AUTH_JWT_OK);
	CU_ASSERT_EQUAL(stat(sub, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0700);
	snprintf(p, sizeof(p), "%s/%s.pem", sub, k1);
	CU_ASSERT_EQUAL(stat(p, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	CU_ASSERT_EQUAL(strlen(k1), AUTH_JWT_KID_LEN);
	CU_ASSERT_EQUAL(strncmp(k1, "20270115080000-", 15), 0);
	for (i = 15; i < AUTH_JWT_KID_LEN; i++)
		CU_ASSERT_PTR_NOT_NULL(strchr("0123456789abcdef", k1[i]));
	/* Same second again: the new key still sorts newest. */
	CU_ASSERT_EQUAL_FATAL(auth_jwt_key_generate(sub, T0, k2), AUTH_JWT_OK);
	CU_ASSERT(strcmp(k2, k1) > 0);
	/* A clock behind the newest key is refused. */
	CU_ASSERT_EQUAL(auth_jwt_key_generate(sub, T0 - 10, k2),
	    AUTH_JWT_E_KEYFILE);
	rm_dir(sub);
	rm_dir(dir);
}

static void
t_jwt_ring_load_errors(void)
{
	char dir[64], kid[AUTH_JWT_KID_SIZE], p[160];
	struct auth_jwt_ring *r = NULL;
	FILE *f;

	CU_ASSERT_EQUAL(auth_jwt_ring_load("/nonexistent/mg-keys", &r),
	    AUTH_JWT_E_IO);
	CU_ASSERT_PTR_NULL(r);
	CU_ASSERT_EQUAL_FATAL(tmp_dir(dir), 0);
	CU_ASSERT_EQUAL(auth_jwt_ring_load(dir, &r), AUTH_JWT_E_NO_KEY);
	/* Files that are not <kid>.pem are ignored. */
	snprintf(p, sizeof(p), "%s/README", dir);
	f = fopen(p, "w");
	fclose(f);
	snprintf(p, sizeof(p), "%s/20271301000000-00000000.pem", dir);
	f = fopen(p, "w");				/* month 13 */
	fclose(f);
	CU_ASSERT_EQUAL(auth_jwt_ring_load(dir, &r), AUTH_JWT_E_NO_KEY);
	/* A key readable by others is refused. */
	CU_ASSERT_EQUAL_FATAL(auth_jwt_key_generate(dir, T0, kid), AUTH_JWT_OK);
	snprintf(p, sizeof(p), "%s/%s.pem", dir, kid);
	chmod(p, 0644);
	CU_ASSERT_EQUAL(auth_jwt_ring_load(dir, &r), AUTH_JWT_E_KEYFILE);
	chmod(p, 0600);
	CU_ASSERT_EQUAL_FATAL(auth_jwt_ring_load(dir, &r), AUTH_JWT_OK);
	auth_jwt_ring_free(r);
	r = NULL;
	/* Garbage in a key file fails the whole load. */
	snprintf(p, sizeof(p), "%s/20270115090000-0000abcd.pem", dir);
	f = fopen(p, "w");
	fputs("-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n",
	    f);
	fclose(f);
	chmod(p, 0600);
	CU_ASSERT_EQUAL(auth_jwt_ring_load(dir, &r), AUTH_JWT_E_KEYFILE);
	CU_ASSERT_PTR_NULL(r);
	rm_dir(dir);
}

static void
t_jwt_ring_rejects_non_p256(void)
{
	char dir[64], p[160];
	struct auth_jwt_ring *r = NULL;
	EVP_PKEY *k;
	FILE *f;

	CU_ASSERT_EQUAL_FATAL(tmp_dir(dir), 0);
	snprintf(p, sizeof(p), "%s/20270115090000-0000abcd.pem", dir);
	k = EVP_EC_gen("P-384");
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	f = fopen(p, "w");
	PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	chmod(p, 0600);
	CU_ASSERT_EQUAL(auth_jwt_ring_load(dir, &r), AUTH_JWT_E_KEYFILE);
	EVP_PKEY_free(k);
	rm_dir(dir);
}

static void
t_jwt_ring_refresh(void)
{
	char dir[64], k1[AUTH_JWT_KID_SIZE], k2[AUTH_JWT_KID_SIZE];
	char tok[AUTH_JWT_MAX + 1];
	struct auth_jwt_ring *worker = NULL, *rotator = NULL, *before;
	struct auth_jwt_in in = std_in();
	const struct timespec old_times[2] = { { 1000000000, 0 },
	    { 1000000000, 0 } };
	int changed = -1;

	CU_ASSERT_EQUAL_FATAL(tmp_dir(dir), 0);
	CU_ASSERT_EQUAL_FATAL(auth_jwt_key_generate(dir, T0 - 7200, k1),
	    AUTH_JWT_OK);
	/* Loaded within 2 s of a change: the first refresh reloads. */
	CU_ASSERT_EQUAL_FATAL(auth_jwt_ring_load(dir, &worker), AUTH_JWT_OK);
	CU_ASSERT_EQUAL(auth_jwt_ring_refresh(&worker, &changed), AUTH_JWT_OK);
	CU_ASSERT_EQUAL(changed, 1);
	auth_jwt_ring_free(worker);
	/* An old mtime is trusted: no reload while nothing changes. */
	CU_ASSERT_EQUAL_FATAL(utimensat(AT_FDCWD, dir, old_times, 0), 0);
	CU_ASSERT_EQUAL_FATAL(auth_jwt_ring_load(dir, &worker), AUTH_JWT_OK);
	auth_jwt_ring_set_leeway(worker, 7);
	before = worker;
	CU_ASSERT_EQUAL(auth_jwt_ring_refresh(&worker, &changed), AUTH_JWT_OK);
	CU_ASSERT_EQUAL(changed, 0);
	CU_ASSERT_PTR_EQUAL(worker, before);
	/* Another process rotates and signs with the new key. */
	CU_ASSERT_EQUAL_FATAL(auth_jwt_key_generate(dir, T0 - 100, k2),
	    AUTH_JWT_OK);
	CU_ASSERT_EQUAL_FATAL(auth_jwt_ring_load(dir, &rotator), AUTH_JWT_OK);
	CU_ASSERT_EQUAL_FATAL(auth_jwt_sign(rotator, &in, tok, sizeof(tok),
	    NULL), AUTH_JWT_OK);
	CU_ASSERT_EQUAL(auth_jwt_verify(worker, tok, ISS, AUD, T0, NULL),
	    AUTH_JWT_E_UNKNOWN_KID);
	CU_ASSERT_EQUAL(auth_jwt_ring_refresh(&worker, &changed), AUTH_JWT_OK);
	CU_ASSERT_EQUAL(changed, 1);
	CU_ASSERT_EQUAL(auth_jwt_ring_count(worker), 2);
	CU_ASSERT_STRING_EQUAL(auth_jwt_ring_kid(worker, 0), k2);
	CU_ASSERT_EQUAL(auth_jwt_verify(worker, tok, ISS, AUD, T0, NULL),
	    AUTH_JWT_OK);
	/* The leeway survives a reload: iat is T0 - 60. */
	CU_ASSERT_EQUAL(auth_jwt_verify(worker, tok, ISS, AUD, T0 - 67, NULL),
	    AUTH_JWT_OK);
	/* A failed reload keeps the old ring. */
	CU_ASSERT_EQUAL(auth_jwt_keys_retire(dir, T0 + 100000, 600, NULL),
	    AUTH_JWT_OK);
	{
		char p[160];
		FILE *f;

		snprintf(p, sizeof(p), "%s/20990101000000-00000000.pem", dir);
		f = fopen(p, "w");
		fclose(f);
		chmod(p, 0600);
	}
	before = worker;
	CU_ASSERT_EQUAL(auth_jwt_ring_refresh(&worker, &changed),
	    AUTH_JWT_E_KEYFILE);
	CU_ASSERT_PTR_EQUAL(worker, before);
	CU_ASSERT_EQUAL(auth_jwt_verify(worker, tok, ISS, AUD, T0, NULL),
	    AUTH_JWT_OK);
	auth_jwt_ring_free(worker);
	auth_jwt_ring_free(rotator);
	rm_dir(dir);
}

static void
t_jwt_verify_null_args(void)
{
	struct auth_jwt_in in = std_in();
	char tok[AUTH_JWT_MAX + 1];

	CU_ASSERT_EQUAL_FATAL(auth_jwt_sign(ring, &in, tok, sizeof(tok), NULL),
	    AUTH_JWT_OK);
	CU_ASSERT_EQUAL(auth_jwt_verify(NULL, tok, ISS, AUD, T0, NULL),
	    AUTH_JWT_E_NO_KEY);
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, tok, NULL, AUD, T0, NULL),
	    AUTH_JWT_E_ISS);
	CU_ASSERT_EQUAL(auth_jwt_verify(ring, tok, ISS, NULL, T0, NULL),
	    AUTH_JWT_E_AUD);
	CU_ASSERT_EQUAL(auth_jwt_sign(NULL, &in, tok, sizeof(tok), NULL),
	    AUTH_JWT_E_NO_KEY);
}

/* Verify an ES256 R||S signature with plain OpenSSL (independent check). */
static int
ossl_es256_verify(EVP_PKEY *pub, const char *input, size_t n,
    const unsigned char sig[64])
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	unsigned char *der = NULL;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int dl, ok;

	ECDSA_SIG_set0(es, BN_bin2bn(sig, 32, NULL),
	    BN_bin2bn(sig + 32, 32, NULL));
	dl = i2d_ECDSA_SIG(es, &der);
	ok = EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pub) == 1 &&
	    EVP_DigestVerify(ctx, der, (size_t)dl,
	    (const unsigned char *)input, n) == 1;
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	ECDSA_SIG_free(es);
	return ok;
}

/* A P-256 public key from JWK x/y (base64url), via OpenSSL 3 fromdata. */
static EVP_PKEY *
pub_from_jwk(const char *x, const char *y)
{
	unsigned char pt[65];
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pk = NULL;
	char grp[] = "prime256v1";

	pt[0] = 0x04;
	if (mg_unb64(x, strlen(x), 0, pt + 1, 32) != 32 ||
	    mg_unb64(y, strlen(y), 0, pt + 33, 32) != 32)
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_PKEY_PARAM_GROUP_NAME, grp, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
	    pt, sizeof(pt));
	params[2] = OSSL_PARAM_construct_end();
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pk = NULL;
	EVP_PKEY_CTX_free(ctx);
	return pk;
}

static void
t_jwks(void)
{
	struct mg_buf b;
	struct json_object *doc, *keys, *k, *v;
	char tok[AUTH_JWT_MAX + 1];
	unsigned char sig[64];
	const char *x, *y, *kid, *sigp;
	EVP_PKEY *pub, *priv;
	size_t i, n;

	mg_buf_init(&b, NULL);
	CU_ASSERT_EQUAL_FATAL(auth_jwks_json(ring, &b), 0);
	doc = auth_jws_json(b.data, b.len, 8);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_FATAL(json_object_object_get_ex(doc, "keys", &keys));
	n = json_object_array_length(keys);
	CU_ASSERT_EQUAL_FATAL(n, auth_jwt_ring_count(ring));
	CU_ASSERT_EQUAL(n, 2);
	for (i = 0; i < n; i++) {
		k = json_object_array_get_idx(keys, i);
		CU_ASSERT_STRING_EQUAL(auth_jws_str(k, "kty"), "EC");
		CU_ASSERT_STRING_EQUAL(auth_jws_str(k, "crv"), "P-256");
		CU_ASSERT_STRING_EQUAL(auth_jws_str(k, "use"), "sig");
		CU_ASSERT_STRING_EQUAL(auth_jws_str(k, "alg"), "ES256");
		kid = auth_jws_str(k, "kid");
		x = auth_jws_str(k, "x");
		y = auth_jws_str(k, "y");
		CU_ASSERT_PTR_NOT_NULL_FATAL(kid);
		CU_ASSERT_PTR_NOT_NULL_FATAL(x);
		CU_ASSERT_PTR_NOT_NULL_FATAL(y);
		CU_ASSERT_STRING_EQUAL(kid, auth_jwt_ring_kid(ring, i));
		CU_ASSERT_EQUAL(strlen(x), 43);
		CU_ASSERT_EQUAL(strlen(y), 43);
		CU_ASSERT_FALSE(json_object_object_get_ex(k, "d", &v));
		/* Re-import from x/y and check a signature by the file key. */
		pub = pub_from_jwk(x, y);
		CU_ASSERT_PTR_NOT_NULL_FATAL(pub);
		priv = key_of(jdir, kid);
		CU_ASSERT_PTR_NOT_NULL_FATAL(priv);
		CU_ASSERT_EQUAL(EVP_PKEY_eq(pub, priv), 1);
		mk_es(tok, sizeof(tok), hdr_of("ES256", "at+jwt", kid),
		    PAYLOAD, priv);
		CU_ASSERT_EQUAL(auth_jwt_verify(ring, tok, ISS, AUD, T0, NULL),
		    AUTH_JWT_OK);
		sigp = strrchr(tok, '.');
		CU_ASSERT_EQUAL_FATAL(mg_unb64(sigp + 1, strlen(sigp + 1), 0,
		    sig, sizeof(sig)), 64);
		CU_ASSERT_EQUAL(ossl_es256_verify(pub, tok,
		    (size_t)(sigp - tok), sig), 1);
		sig[0] ^= 0x80;
		CU_ASSERT_EQUAL(ossl_es256_verify(pub, tok,
		    (size_t)(sigp - tok), sig), 0);
		EVP_PKEY_free(pub);
		EVP_PKEY_free(priv);
	}
	/* The token auth_jwt_sign makes verifies under the JWKS key 0. */
	{
		struct auth_jwt_in in = std_in();

		CU_ASSERT_EQUAL_FATAL(auth_jwt_sign(ring, &in, tok,
		    sizeof(tok), NULL), AUTH_JWT_OK);
		k = json_object_array_get_idx(keys, 0);
		pub = pub_from_jwk(auth_jws_str(k, "x"), auth_jws_str(k, "y"));
		CU_ASSERT_PTR_NOT_NULL_FATAL(pub);
		sigp = strrchr(tok, '.');
		CU_ASSERT_EQUAL_FATAL(mg_unb64(sigp + 1, strlen(sigp + 1), 0,
		    sig, sizeof(sig)), 64);
		CU_ASSERT_EQUAL(ossl_es256_verify(pub, tok,
		    (size_t)(sigp - tok), sig), 1);
		EVP_PKEY_free(pub);
	}
	json_object_put(doc);
	mg_buf_free(&b);
}

static const struct mgt_case jwt_cases[] = {
	{ "sign/verify round trip, newest key, at+jwt header", t_jwt_round_trip },
	{ "jti unique", t_jwt_jti_unique },
	{ "hand-built token verifies (builder sanity)", t_jwt_builder_sane },
	{ "alg none", t_jwt_alg_none },
	{ "alg HS256 keyed with the public key", t_jwt_alg_hs256_pubkey },
	{ "alg RS256/ES384", t_jwt_alg_other },
	{ "typ JWT or missing (incl. libjwt-made)", t_jwt_typ },
	{ "libjwt ES256 signature interop", t_jwt_libjwt_signature_interop },
	{ "unknown, empty, missing, non-string kid", t_jwt_kid },
	{ "kid of another ring key", t_jwt_kid_other_key },
	{ "crit header", t_jwt_crit },
	{ "wrong iss, wrong aud", t_jwt_iss_aud },
	{ "aud array", t_jwt_aud_array },
	{ "expired (exp <= now)", t_jwt_expired },
	{ "leeway", t_jwt_leeway },
	{ "iat in the future", t_jwt_iat_future },
	{ "nbf", t_jwt_nbf },
	{ "claims missing or mistyped", t_jwt_claims_missing_or_typed },
	{ "tampered payload", t_jwt_tampered_payload },
	{ "tampered signature", t_jwt_tampered_signature },
	{ "malformed base64/JSON/segments", t_jwt_malformed },
	{ "oversize token", t_jwt_oversize },
	{ "sign rejects bad input", t_jwt_sign_rejects },
	{ "rotation, retire, removed key", t_jwt_old_key_verifies_then_retired },
	{ "generate: kid, modes, ordering", t_jwt_generate_file },
	{ "ring load errors", t_jwt_ring_load_errors },
	{ "ring rejects non-P-256 key", t_jwt_ring_rejects_non_p256 },
	{ "ring refresh after rotation", t_jwt_ring_refresh },
	{ "NULL ring/iss/aud", t_jwt_verify_null_args },
	{ "JWKS: keys, x/y re-import, OpenSSL verify", t_jwks },
	{ NULL, NULL }
};

/* ---- Google ID tokens (RS256 against a JWKS) --------------------------- */

#define GCLIENT	"1234-abc.apps.googleusercontent.com"
#define GISS	"https://accounts.google.com"

static EVP_PKEY *g_key, *g_other, *g_small;
static char g_jwks[8192];

/* Append the public JWK of an RSA key to out. */
static void
jwk_rsa_append(char *out, size_t cap, EVP_PKEY *k, const char *kid,
    const char *kty, const char *alg)
{
	BIGNUM *n = NULL, *e = NULL;
	unsigned char nb[512], eb[8];
	char ns[700], es[16];
	size_t len = strlen(out);
	int nl, el;

	EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n);
	EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &e);
	nl = BN_bn2bin(n, nb);
	el = BN_bn2bin(e, eb);
	mg_b64url(nb, (size_t)nl, ns, sizeof(ns));
	mg_b64url(eb, (size_t)el, es, sizeof(es));
	snprintf(out + len, cap - len, "%s{\"kty\":\"%s\",\"kid\":\"%s\","
	    "\"alg\":\"%s\",\"use\":\"sig\",\"n\":\"%s\",\"e\":\"%s\"}",
	    len > 9 ? "," : "", kty, kid, alg, ns, es);
	BN_free(n);
	BN_free(e);
}

/* A JWKS with the given keys (kid g1 = g_key, g2 = g_other). */
static void
jwks_build(char *out, size_t cap, int with_g1)
{
	snprintf(out, cap, "{\"keys\":[");
	if (with_g1)
		jwk_rsa_append(out, cap, g_key, "g1", "RSA", "RS256");
	jwk_rsa_append(out, cap, g_other, "g2", "RSA", "RS256");
	strncat(out, "]}", cap - strlen(out) - 1);
}

static int
google_init(void)
{
	if (mg_crypto_init() != 0 ||
	    (g_key = EVP_RSA_gen(2048)) == NULL ||
	    (g_other = EVP_RSA_gen(2048)) == NULL ||
	    (g_small = EVP_RSA_gen(1024)) == NULL)
		return -1;
	jwks_build(g_jwks, sizeof(g_jwks), 1);
	return 0;
}

static int
google_clean(void)
{
	EVP_PKEY_free(g_key);
	EVP_PKEY_free(g_other);
	EVP_PKEY_free(g_small);
	return 0;
}

/* Claims JSON for a Google ID token. */
static const char *
g_claims(const char *iss, const char *aud, long exp)
{
	static char c[512];

	snprintf(c, sizeof(c), "{\"iss\":\"%s\",\"azp\":\"%s\",\"aud\":\"%s\","
	    "\"sub\":\"110169484474386276334\",\"email\":\"ada@example.com\","
	    "\"email_verified\":true,\"iat\":%ld,\"exp\":%ld}",
	    iss, aud, aud, exp - 3600, exp);
	return c;
}

/*
 * A token made by libjwt: alg over the PEM of k (private for RS256, the
 * public PEM as an HMAC secret for HS256), header kid (NULL: none).
 * Caller frees.
 */
static char *
g_token(jwt_alg_t alg, EVP_PKEY *k, const char *kid, const char *claims)
{
	char pem[4096];
	BIO *bio = BIO_new(BIO_s_mem());
	jwt_t *j = NULL;
	char *t = NULL;
	int pn;

	if (alg == JWT_ALG_HS256)
		PEM_write_bio_PUBKEY(bio, k);
	else
		PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL);
	pn = BIO_read(bio, pem, sizeof(pem) - 1);
	if (pn > 0 && jwt_new(&j) == 0) {
		if (kid != NULL)
			jwt_add_header(j, "kid", kid);
		if (jwt_add_grants_json(j, claims) == 0 &&
		    jwt_set_alg(j, alg, (unsigned char *)pem, pn) == 0)
			t = jwt_encode_str(j);
		jwt_free(j);
	}
	BIO_free(bio);
	return t;
}

/* Verify a libjwt RS256 token made with k under kid at T0. */
static enum auth_google_err
g_verify(EVP_PKEY *k, const char *kid, const char *claims,
    struct auth_google_id *id)
{
	struct auth_google_id tmp;
	char *t = g_token(JWT_ALG_RS256, k, kid, claims);
	enum auth_google_err e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	e = auth_google_verify(g_jwks, t, GCLIENT, T0, id ? id : &tmp);
	free(t);
	return e;
}

static void
t_google_accept(void)
{
	struct auth_google_id id;

	memset(&id, 0, sizeof(id));
	CU_ASSERT_EQUAL_FATAL(g_verify(g_key, "g1",
	    g_claims(GISS, GCLIENT, T0 + 60), &id), AUTH_GOOGLE_OK);
	CU_ASSERT_STRING_EQUAL(id.sub, "110169484474386276334");
	CU_ASSERT_STRING_EQUAL(id.email, "ada@example.com");
	CU_ASSERT_EQUAL(id.email_verified, 1);
	/* The other key of the set, and the scheme-less issuer. */
	CU_ASSERT_EQUAL(g_verify(g_other, "g2",
	    g_claims("accounts.google.com", GCLIENT, T0 + 60), NULL),
	    AUTH_GOOGLE_OK);
	CU_ASSERT_EQUAL(g_verify(g_key, "g1", g_claims(GISS, GCLIENT,
	    T0 + 1), NULL), AUTH_GOOGLE_OK);
}

static void
t_google_email_verified_forms(void)
{
	struct auth_google_id id;

	CU_ASSERT_EQUAL_FATAL(g_verify(g_key, "g1", "{\"iss\":\"" GISS "\","
	    "\"aud\":\"" GCLIENT "\",\"sub\":\"s1\",\"email\":\"a@b.c\","
	    "\"email_verified\":\"true\",\"exp\":1800000060}", &id),
	    AUTH_GOOGLE_OK);
	CU_ASSERT_EQUAL(id.email_verified, 1);
	CU_ASSERT_EQUAL_FATAL(g_verify(g_key, "g1", "{\"iss\":\"" GISS "\","
	    "\"aud\":\"" GCLIENT "\",\"sub\":\"s1\",\"email\":\"a@b.c\","
	    "\"email_verified\":false,\"exp\":1800000060}", &id),
	    AUTH_GOOGLE_OK);
	CU_ASSERT_EQUAL(id.email_verified, 0);
	CU_ASSERT_EQUAL_FATAL(g_verify(g_key, "g1", "{\"iss\":\"" GISS "\","
	    "\"aud\":\"" GCLIENT "\",\"sub\":\"s1\",\"exp\":1800000060}", &id),
	    AUTH_GOOGLE_OK);
	CU_ASSERT_STRING_EQUAL(id.email, "");
	CU_ASSERT_EQUAL(id.email_verified, 0);
}

static void
t_google_wrong_aud(void)
{
	char *t;
	struct auth_google_id id;

	CU_ASSERT_EQUAL(g_verify(g_key, "g1",
	    g_claims(GISS, "other.apps.googleusercontent.com", T0 + 60), NULL),
	    AUTH_GOOGLE_E_AUD);
	t = g_token(JWT_ALG_RS256, g_key, "g1", g_claims(GISS, GCLIENT,
	    T0 + 60));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(auth_google_verify(g_jwks, t, GCLIENT "x", T0, &id),
	    AUTH_GOOGLE_E_AUD);
	CU_ASSERT_EQUAL(auth_google_verify(g_jwks, t, NULL, T0, &id),
	    AUTH_GOOGLE_E_AUD);
	free(t);
	/* aud as an array is not what Google sends: refused. */
	CU_ASSERT_EQUAL(g_verify(g_key, "g1", "{\"iss\":\"" GISS "\","
	    "\"aud\":[\"" GCLIENT "\"],\"sub\":\"s1\",\"exp\":1800000060}",
	    NULL), AUTH_GOOGLE_E_AUD);
}

static void
t_google_wrong_iss(void)
{
	CU_ASSERT_EQUAL(g_verify(g_key, "g1",
	    g_claims("https://accounts.google.com/", GCLIENT, T0 + 60), NULL),
	    AUTH_GOOGLE_E_ISS);
	CU_ASSERT_EQUAL(g_verify(g_key, "g1",
	    g_claims("https://evil.example", GCLIENT, T0 + 60), NULL),
	    AUTH_GOOGLE_E_ISS);
	CU_ASSERT_EQUAL(g_verify(g_key, "g1", "{\"aud\":\"" GCLIENT "\","
	    "\"sub\":\"s1\",\"exp\":1800000060}", NULL), AUTH_GOOGLE_E_ISS);
}

static void
t_google_expired(void)
{
	CU_ASSERT_EQUAL(g_verify(g_key, "g1", g_claims(GISS, GCLIENT, T0),
	    NULL), AUTH_GOOGLE_E_EXPIRED);		/* exp == now */
	CU_ASSERT_EQUAL(g_verify(g_key, "g1", g_claims(GISS, GCLIENT,
	    T0 - 3600), NULL), AUTH_GOOGLE_E_EXPIRED);
}

static void
t_google_kid(void)
{
	CU_ASSERT_EQUAL(g_verify(g_key, "g9", g_claims(GISS, GCLIENT,
	    T0 + 60), NULL), AUTH_GOOGLE_E_UNKNOWN_KID);
	CU_ASSERT_EQUAL(g_verify(g_key, NULL, g_claims(GISS, GCLIENT,
	    T0 + 60), NULL), AUTH_GOOGLE_E_NO_KID);
	CU_ASSERT_EQUAL(g_verify(g_key, "", g_claims(GISS, GCLIENT,
	    T0 + 60), NULL), AUTH_GOOGLE_E_NO_KID);
}

static void
t_google_alg_none(void)
{
	struct auth_google_id id;
	char tok[2048];

	mk_es(tok, sizeof(tok), "{\"alg\":\"none\",\"kid\":\"g1\"}",
	    g_claims(GISS, GCLIENT, T0 + 60), NULL);
	CU_ASSERT_EQUAL(auth_google_verify(g_jwks, tok, GCLIENT, T0, &id),
	    AUTH_GOOGLE_E_ALG);
}

static void
t_google_alg_hs256(void)
{
	struct auth_google_id id;
	char *t = g_token(JWT_ALG_HS256, g_key, "g1",
	    g_claims(GISS, GCLIENT, T0 + 60));

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(auth_google_verify(g_jwks, t, GCLIENT, T0, &id),
	    AUTH_GOOGLE_E_ALG);
	free(t);
	t = g_token(JWT_ALG_RS512, g_key, "g1", g_claims(GISS, GCLIENT,
	    T0 + 60));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(auth_google_verify(g_jwks, t, GCLIENT, T0, &id),
	    AUTH_GOOGLE_E_ALG);
	free(t);
}

static void
t_google_bad_signature(void)
{
	struct auth_google_id id;
	unsigned char sig[300];
	char *t, *p;

	/* Signed by g2's key but naming g1. */
	CU_ASSERT_EQUAL(g_verify(g_other, "g1", g_claims(GISS, GCLIENT,
	    T0 + 60), NULL), AUTH_GOOGLE_E_SIGNATURE);
	/* One payload character changed. */
	t = g_token(JWT_ALG_RS256, g_key, "g1", g_claims(GISS, GCLIENT,
	    T0 + 60));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	p = strchr(t, '.') + 5;
	*p = *p == 'A' ? 'B' : 'A';
	CU_ASSERT_NOT_EQUAL(auth_google_verify(g_jwks, t, GCLIENT, T0, &id),
	    AUTH_GOOGLE_OK);
	free(t);
	/* Signature one byte short of the modulus (re-encoded cleanly). */
	t = g_token(JWT_ALG_RS256, g_key, "g1", g_claims(GISS, GCLIENT,
	    T0 + 60));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	p = strrchr(t, '.') + 1;
	CU_ASSERT_EQUAL_FATAL(mg_unb64(p, strlen(p), 0, sig, sizeof(sig)),
	    256);
	mg_b64url(sig, 255, p, strlen(p) + 1);
	CU_ASSERT_EQUAL(auth_google_verify(g_jwks, t, GCLIENT, T0, &id),
	    AUTH_GOOGLE_E_SIGNATURE);
	/* 340 - 3 = 337 characters (≡ 1 mod 4) is never valid base64url. */
	t[strlen(t) - 3] = '\0';
	CU_ASSERT_EQUAL(auth_google_verify(g_jwks, t, GCLIENT, T0, &id),
	    AUTH_GOOGLE_E_MALFORMED);
	free(t);
}

static void
t_google_bad_jwks(void)
{
	struct auth_google_id id;
	char jw[4096], *t;

	t = g_token(JWT_ALG_RS256, g_key, "g1", g_claims(GISS, GCLIENT,
	    T0 + 60));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(auth_google_verify("", t, GCLIENT, T0, &id),
	    AUTH_GOOGLE_E_JWKS);
	CU_ASSERT_EQUAL(auth_google_verify(NULL, t, GCLIENT, T0, &id),
	    AUTH_GOOGLE_E_JWKS);
	CU_ASSERT_EQUAL(auth_google_verify("{}", t, GCLIENT, T0, &id),
	    AUTH_GOOGLE_E_JWKS);
	CU_ASSERT_EQUAL(auth_google_verify("[]", t, GCLIENT, T0, &id),
	    AUTH_GOOGLE_E_JWKS);
	CU_ASSERT_EQUAL(auth_google_verify("{\"keys\":{}}", t, GCLIENT, T0,
	    &id), AUTH_GOOGLE_E_JWKS);
	/* Right kid, wrong kty / alg. */
	snprintf(jw, sizeof(jw), "{\"keys\":[");
	jwk_rsa_append(jw, sizeof(jw), g_key, "g1", "EC", "RS256");
	strncat(jw, "]}", sizeof(jw) - strlen(jw) - 1);
	CU_ASSERT_EQUAL(auth_google_verify(jw, t, GCLIENT, T0, &id),
	    AUTH_GOOGLE_E_JWKS);
	snprintf(jw, sizeof(jw), "{\"keys\":[");
	jwk_rsa_append(jw, sizeof(jw), g_key, "g1", "RSA", "RS512");
	strncat(jw, "]}", sizeof(jw) - strlen(jw) - 1);
	CU_ASSERT_EQUAL(auth_google_verify(jw, t, GCLIENT, T0, &id),
	    AUTH_GOOGLE_E_JWKS);
	/* Kid g1 absent from the set. */
	jwks_build(jw, sizeof(jw), 0);
	CU_ASSERT_EQUAL(auth_google_verify(jw, t, GCLIENT, T0, &id),
	    AUTH_GOOGLE_E_UNKNOWN_KID);
	free(t);
	/* A 1024-bit key is refused even with a valid signature. */
	snprintf(jw, sizeof(jw), "{\"keys\":[");
	jwk_rsa_append(jw, sizeof(jw), g_small, "s1", "RSA", "RS256");
	strncat(jw, "]}", sizeof(jw) - strlen(jw) - 1);
	t = g_token(JWT_ALG_RS256, g_small, "s1", g_claims(GISS, GCLIENT,
	    T0 + 60));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(auth_google_verify(jw, t, GCLIENT, T0, &id),
	    AUTH_GOOGLE_E_JWKS);
	free(t);
}

static void
t_google_claims(void)
{
	struct auth_google_id id;

	CU_ASSERT_EQUAL(g_verify(g_key, "g1", "{\"iss\":\"" GISS "\","
	    "\"aud\":\"" GCLIENT "\",\"exp\":1800000060}", NULL),
	    AUTH_GOOGLE_E_CLAIMS);			/* no sub */
	CU_ASSERT_EQUAL(g_verify(g_key, "g1", "{\"iss\":\"" GISS "\","
	    "\"aud\":\"" GCLIENT "\",\"sub\":\"s\",\"exp\":\"1800000060\"}",
	    NULL), AUTH_GOOGLE_E_CLAIMS);		/* string exp */
	CU_ASSERT_EQUAL(g_verify(g_key, "g1", "{\"iss\":\"" GISS "\","
	    "\"aud\":\"" GCLIENT "\",\"sub\":\"s\"}", NULL),
	    AUTH_GOOGLE_E_CLAIMS);			/* no exp */
	CU_ASSERT_EQUAL(auth_google_verify(g_jwks, "x.y.z", GCLIENT, T0, &id),
	    AUTH_GOOGLE_E_MALFORMED);
}

static const struct mgt_case google_cases[] = {
	{ "accept (libjwt RS256, both issuers)", t_google_accept },
	{ "email_verified forms", t_google_email_verified_forms },
	{ "wrong aud", t_google_wrong_aud },
	{ "wrong iss", t_google_wrong_iss },
	{ "expired", t_google_expired },
	{ "unknown or missing kid", t_google_kid },
	{ "alg none", t_google_alg_none },
	{ "alg HS256 / RS512", t_google_alg_hs256 },
	{ "bad signature", t_google_bad_signature },
	{ "bad JWKS / key", t_google_bad_jwks },
	{ "claims missing or mistyped", t_google_claims },
	{ NULL, NULL }
};

static const struct mgt_case key_cases[] = {
	{ "mint shape, hash, display parts", t_key_mint_shape },
	{ "mint twice differs", t_key_mint_unique },
	{ "mint: small buffer, bad dialect", t_key_mint_nospace },
	{ "parse: each prefix", t_key_parse_ok_each_prefix },
	{ "parse: empty", t_key_parse_empty },
	{ "parse: bad prefix", t_key_parse_bad_prefix },
	{ "parse: bad length", t_key_parse_bad_length },
	{ "parse: bad alphabet", t_key_parse_bad_alphabet },
	{ "parse: non-canonical last char", t_key_parse_noncanonical },
	{ NULL, NULL }
};

static const struct mgt_case bearer_cases[] = {
	{ "ok, case-insensitive scheme", t_bearer_ok },
	{ "missing header", t_bearer_missing },
	{ "no scheme", t_bearer_no_scheme },
	{ "Basic scheme", t_bearer_basic },
	{ "empty token", t_bearer_empty_token },
	{ "two spaces", t_bearer_two_spaces },
	{ "tabs", t_bearer_tabs },
	{ "trailing junk", t_bearer_trailing_junk },
	{ "oversize token", t_bearer_oversize },
	{ "control and non-ASCII chars", t_bearer_control_chars },
	{ NULL, NULL }
};

static const struct mgt_case scope_cases[] = {
	{ "parse csv and oauth", t_scopes_parse_ok },
	{ "unknown scope", t_scopes_unknown },
	{ "syntax: empty, separators", t_scopes_syntax },
	{ "format and round trip", t_scopes_format },
	{ NULL, NULL }
};

static const struct mgt_case pkce_cases[] = {
	{ "RFC 7636 appendix B", t_pkce_appendix_b },
	{ "mismatch", t_pkce_mismatch },
	{ "verifier too short", t_pkce_verifier_short },
	{ "verifier too long", t_pkce_verifier_long },
	{ "verifier bad chars", t_pkce_verifier_bad_chars },
	{ "challenge short/long/bad chars", t_pkce_challenge_bad },
	{ "method plain/missing refused", t_pkce_method_plain_refused },
	{ NULL, NULL }
};

static const struct mgt_case pw_cases[] = {
	{ "hash and verify", t_pw_hash_verify },
	{ "wrong password", t_pw_wrong },
	{ "salted", t_pw_salted },
	{ "malformed stored hash", t_pw_malformed_hash },
	{ "length rules", t_pw_rules },
	{ "needs rehash", t_pw_needs_rehash },
	{ "default params are INTERACTIVE", t_pw_default_params },
	{ NULL, NULL }
};

static const struct mgt_case otp_cases[] = {
	{ "six digits, all digits occur", t_otp_generate_shape },
	{ "hash and verify (keyed)", t_otp_hash_verify },
	{ "wrong code", t_otp_wrong_code },
	{ "wrong context or secret", t_otp_wrong_context_or_secret },
	{ "bad format", t_otp_bad_format },
	{ "no or short secret", t_otp_no_secret },
	{ "user code shape", t_user_code_generate },
	{ "user code normalisation", t_user_code_normalize },
	{ "user code rejects", t_user_code_bad },
	{ "device code", t_device_code },
	{ NULL, NULL }
};

int
main(void)
{
	mgt_suite("auth_key", suite_init, NULL, key_cases);
	mgt_suite("auth_bearer", suite_init, NULL, bearer_cases);
	mgt_suite("auth_scopes", suite_init, NULL, scope_cases);
	mgt_suite("auth_pkce", suite_init, NULL, pkce_cases);
	mgt_suite("auth_password", suite_init, NULL, pw_cases);
	mgt_suite("auth_otp", suite_init, NULL, otp_cases);
	mgt_suite("auth_jwt", jwt_init, jwt_clean, jwt_cases);
	mgt_suite("auth_google", google_init, google_clean, google_cases);
	return mgt_run();
}
