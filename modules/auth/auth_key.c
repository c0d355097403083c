#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "mg_crypto.h"
#include "auth_key.h"

/* Prefix per dialect, indexed by enum auth_dialect (design brief table). */
static const char *const key_prefix[AUTH_DIALECT__MAX] = {
	"sk_live_",	/* AUTH_DIALECT_STUDIO */
	"kt_",		/* AUTH_DIALECT_PREPAID */
	"ncs_",		/* AUTH_DIALECT_CREDITS */
};

static const char *const key_errs[AUTH_KEY__MAX] = {
	"ok",					/* AUTH_KEY_OK */
	"no API key",				/* AUTH_KEY_EMPTY */
	"unknown API key prefix",		/* AUTH_KEY_BAD_PREFIX */
	"API key has the wrong length",		/* AUTH_KEY_BAD_LENGTH */
	"API key has an invalid character",	/* AUTH_KEY_BAD_ALPHABET */
	"buffer too small",			/* AUTH_KEY_NOSPACE */
};

static const char *const bearer_errs[AUTH_BEARER__MAX] = {
	"ok",						/* AUTH_BEARER_OK */
	"no Authorization header",			/* AUTH_BEARER_MISSING */
	"Authorization scheme is not Bearer",		/* AUTH_BEARER_BAD_SCHEME */
	"expected one space after Bearer",		/* AUTH_BEARER_BAD_SPACE */
	"empty bearer token",				/* AUTH_BEARER_EMPTY_TOKEN */
	"bearer token too long",			/* AUTH_BEARER_TOO_LONG */
	"invalid character in bearer token",		/* AUTH_BEARER_BAD_CHAR */
};

static const char *const scope_errs[AUTH_SCOPE__MAX] = {
	"ok",				/* AUTH_SCOPE_OK */
	"empty scope",			/* AUTH_SCOPE_EMPTY */
	"unknown scope",		/* AUTH_SCOPE_UNKNOWN */
	"malformed scope list",		/* AUTH_SCOPE_SYNTAX */
};

/* Scope names in bit order: bit i is scope_names[i]. */
static const char *const scope_names[] = { "generate", "read", "admin" };
#define NSCOPES	(sizeof(scope_names) / sizeof(scope_names[0]))

const char *
auth_key_strerror(enum auth_key_err e)
{
	return (unsigned)e < AUTH_KEY__MAX ? key_errs[e] : "unknown error";
}

const char *
auth_bearer_strerror(enum auth_bearer_err e)
{
	return (unsigned)e < AUTH_BEARER__MAX ? bearer_errs[e] : "unknown error";
}

const char *
auth_scope_strerror(enum auth_scope_err e)
{
	return (unsigned)e < AUTH_SCOPE__MAX ? scope_errs[e] : "unknown error";
}

const char *
auth_dialect_prefix(enum auth_dialect d)
{
	return (unsigned)d < AUTH_DIALECT__MAX ? key_prefix[d] : NULL;
}

/* 1 if c is in the base64url alphabet (RFC 4648 §5), without '='. */
static int
is_b64url(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/*
 * Mint a new API key for dialect d: prefix + base64url(32 random bytes).
 * Writes the NUL-terminated plaintext to plain (cap ≥ AUTH_KEY_PLAIN_SIZE;
 * shown to the user once, never stored), the SHA-256 of the whole plaintext
 * to hash, the prefix to prefix_disp and the last four characters to last4
 * (both for display). Returns AUTH_KEY_OK, AUTH_KEY_BAD_PREFIX for an
 * invalid dialect or AUTH_KEY_NOSPACE.
 *
 * Why a fast hash and no salt: the key carries 256 bits of entropy from
 * libsodium, so brute-forcing a leaked SHA-256 is infeasible whatever its
 * speed, and a slow KDF would only cost CPU on every request. An unsalted,
 * deterministic hash is what lets the key be looked up by its hash (unique
 * index) instead of scanning. Passwords are different (auth_password).
 */
enum auth_key_err
auth_key_mint(enum auth_dialect d, char *plain, size_t cap,
    unsigned char hash[AUTH_KEY_HASH_LEN],
    char prefix_disp[AUTH_KEY_PREFIX_DISP_SIZE], char last4[5])
{
	unsigned char raw[AUTH_KEY_SECRET_BYTES];
	const char *pfx;
	size_t plen, n;

	if ((pfx = auth_dialect_prefix(d)) == NULL)
		return AUTH_KEY_BAD_PREFIX;
	plen = strlen(pfx);
	if (cap < plen + AUTH_KEY_SECRET_LEN + 1)
		return AUTH_KEY_NOSPACE;
	memcpy(plain, pfx, plen);
	mg_random(raw, sizeof(raw));
	n = mg_b64url(raw, sizeof(raw), plain + plen, cap - plen);
	sodium_memzero(raw, sizeof(raw));
	if (n != AUTH_KEY_SECRET_LEN)
		return AUTH_KEY_NOSPACE;
	mg_sha256(plain, plen + n, hash);
	memcpy(prefix_disp, pfx, plen + 1);
	memcpy(last4, plain + plen + n - 4, 4);
	last4[4] = '\0';
	return AUTH_KEY_OK;
}

/*
 * Check that s[0..n) has the exact shape of a minted key: a known prefix,
 * then exactly 43 base64url characters encoding 32 bytes canonically, and
 * nothing else. On AUTH_KEY_OK writes the lookup hash (SHA-256 of s).
 * Rejects everything else without touching hash, so malformed input never
 * reaches the database.
 */
enum auth_key_err
auth_key_parse(const char *s, size_t n, unsigned char hash[AUTH_KEY_HASH_LEN])
{
	unsigned char raw[AUTH_KEY_SECRET_BYTES + 4];
	const char *pfx = NULL, *sec;
	size_t i, plen = 0, slen;

	if (s == NULL || n == 0)
		return AUTH_KEY_EMPTY;
	for (i = 0; i < AUTH_DIALECT__MAX; i++) {
		plen = strlen(key_prefix[i]);
		if (n >= plen && memcmp(s, key_prefix[i], plen) == 0) {
			pfx = key_prefix[i];
			break;
		}
	}
	if (pfx == NULL)
		return AUTH_KEY_BAD_PREFIX;
	sec = s + plen;
	slen = n - plen;
	if (slen != AUTH_KEY_SECRET_LEN)
		return AUTH_KEY_BAD_LENGTH;
	for (i = 0; i < slen; i++)
		if (!is_b64url((unsigned char)sec[i]))
			return AUTH_KEY_BAD_ALPHABET;
	/* 43 chars carry 258 bits: the 2 spare bits must be zero. */
	if (mg_unb64(sec, slen, 0, raw, sizeof(raw)) != AUTH_KEY_SECRET_BYTES)
		return AUTH_KEY_BAD_ALPHABET;
	mg_sha256(s, n, hash);
	return AUTH_KEY_OK;
}

/* 1 if c may appear in an RFC 6750 §2.1 b64token (before any '='). */
static int
is_b64token(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~' || c == '+' || c == '/';
}

/*
 * Parse an Authorization header value as RFC 6750 §2.1:
 *   credentials = "Bearer" 1*SP b64token,  b64token = 1*(ALPHA / DIGIT /
 *   "-" / "." / "_" / "~" / "+" / "/") *"="
 * Stricter than the grammar on spacing: exactly one SP. The scheme is
 * case-insensitive (RFC 9110 §11.1). On AUTH_BEARER_OK, *tok points into
 * header (borrowed, not copied; it runs to the header's NUL since nothing
 * may follow it) and *toklen is its length, at most AUTH_BEARER_MAX.
 */
enum auth_bearer_err
auth_bearer_parse(const char *header, const char **tok, size_t *toklen)
{
	const char *p;
	size_t n, i;

	if (header == NULL || header[0] == '\0')
		return AUTH_BEARER_MISSING;
	if (strncasecmp(header, "Bearer", 6) != 0)
		return AUTH_BEARER_BAD_SCHEME;
	p = header + 6;
	if (*p == '\0')
		return AUTH_BEARER_EMPTY_TOKEN;
	if (*p != ' ')
		/* "Bearerx", "Bearer\t…": not this scheme or not one SP. */
		return *p == '\t' ? AUTH_BEARER_BAD_SPACE :
		    AUTH_BEARER_BAD_SCHEME;
	p++;
	if (*p == '\0')
		return AUTH_BEARER_EMPTY_TOKEN;
	if (*p == ' ' || *p == '\t')
		return AUTH_BEARER_BAD_SPACE;
	n = strnlen(p, AUTH_BEARER_MAX + 1);
	if (n > AUTH_BEARER_MAX)
		return AUTH_BEARER_TOO_LONG;
	for (i = 0; i < n && is_b64token((unsigned char)p[i]); i++)
		continue;
	if (i == 0)
		return AUTH_BEARER_BAD_CHAR;
	while (i < n && p[i] == '=')
		i++;
	if (i != n)
		return AUTH_BEARER_BAD_CHAR;
	*tok = p;
	*toklen = n;
	return AUTH_BEARER_OK;
}

/* Bit for the scope name s[0..n), or 0 if unknown. */
static unsigned
scope_bit(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < NSCOPES; i++)
		if (strlen(scope_names[i]) == n &&
		    memcmp(scope_names[i], s, n) == 0)
			return 1u << i;
	return 0;
}

/* Split s[0..n) on sep; every element must be a known scope name. */
static enum auth_scope_err
scopes_parse(const char *s, size_t n, char sep, unsigned *mask)
{
	size_t i, start = 0;
	unsigned m = 0, bit;

	if (s == NULL || n == 0)
		return AUTH_SCOPE_EMPTY;
	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != sep)
			continue;
		if (i == start)
			return AUTH_SCOPE_SYNTAX;
		if ((bit = scope_bit(s + start, i - start)) == 0)
			return AUTH_SCOPE_UNKNOWN;
		m |= bit;
		start = i + 1;
	}
	*mask = m;
	return AUTH_SCOPE_OK;
}

/*
 * Parse a comma-separated scope list ("generate,read,admin", as stored with
 * an API key and sent by the dialects) into a bitmask of AUTH_SCOPE_*.
 * No spaces, no empty elements; a repeated scope is harmless. *mask is
 * written only on AUTH_SCOPE_OK.
 */
enum auth_scope_err
auth_scopes_parse(const char *s, size_t n, unsigned *mask)
{
	return scopes_parse(s, n, ',', mask);
}

/*
 * Parse an OAuth scope parameter (RFC 6749 §3.3: scope-token *( SP
 * scope-token )): exactly one SP between names, none leading or trailing.
 * An unknown name is AUTH_SCOPE_UNKNOWN (→ invalid_scope, §4.1.2.1).
 */
enum auth_scope_err
auth_scopes_parse_oauth(const char *s, size_t n, unsigned *mask)
{
	return scopes_parse(s, n, ' ', mask);
}

/*
 * Format mask as names in canonical order (generate, read, admin) joined by
 * sep (',' for storage, ' ' for OAuth). Unknown bits are ignored. Returns
 * the length written (NUL-terminated), or 0 when cap is too small
 * (AUTH_SCOPES_FMT_SIZE always suffices) or mask has no scope.
 */
size_t
auth_scopes_format(unsigned mask, char sep, char *buf, size_t cap)
{
	size_t i, len = 0, nl;

	if (cap == 0)
		return 0;
	buf[0] = '\0';
	for (i = 0; i < NSCOPES; i++) {
		if ((mask & (1u << i)) == 0)
			continue;
		nl = strlen(scope_names[i]);
		if (len + (len ? 1 : 0) + nl + 1 > cap) {
			buf[0] = '\0';
			return 0;
		}
		if (len)
			buf[len++] = sep;
		memcpy(buf + len, scope_names[i], nl);
		len += nl;
		buf[len] = '\0';
	}
	return len;
}
