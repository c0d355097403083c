/*
 * Unit tests for the identity crypto layer in modules/auth: API keys,
 * bearer header, scopes, PKCE, passwords, one-time codes, JWT access
 * tokens and JWKS, Google ID tokens. Every rule a parser enforces has a
 * named negative test.
 */
#include <string.h>

#include <sodium.h>

#include "../lib/mgtest.h"
#include "mg_crypto.h"
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
	return mgt_run();
}
