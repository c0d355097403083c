/*
 * auth_key: API keys, the Authorization: Bearer header and scope lists.
 *
 * An API key is a dialect prefix followed by the unpadded base64url of 32
 * random bytes (43 characters). Only the SHA-256 of the whole key is stored;
 * a presented key is checked for shape here, before any database query, and
 * then looked up by that hash. Pure functions of their arguments (apart from
 * the random source of auth_key_mint), so tests and fuzzers call them directly.
 */
#ifndef AUTH_KEY_H
#define AUTH_KEY_H

#include <stddef.h>

/* The dialect a key is minted through; it only picks the prefix. */
enum auth_dialect {
	AUTH_DIALECT_STUDIO = 0,	/* sk_live_ */
	AUTH_DIALECT_PREPAID,		/* kt_ */
	AUTH_DIALECT_CREDITS,		/* ncs_ */
	AUTH_DIALECT__MAX
};

#define AUTH_KEY_SECRET_BYTES	32
#define AUTH_KEY_SECRET_LEN	43	/* base64url of 32 bytes, no padding */
#define AUTH_KEY_PREFIX_MAX	8	/* strlen("sk_live_") */
/* Longest plaintext key plus NUL: size for auth_key_mint's plain buffer. */
#define AUTH_KEY_PLAIN_SIZE	(AUTH_KEY_PREFIX_MAX + AUTH_KEY_SECRET_LEN + 1)
#define AUTH_KEY_PREFIX_DISP_SIZE (AUTH_KEY_PREFIX_MAX + 1)
#define AUTH_KEY_HASH_LEN	32

enum auth_key_err {
	AUTH_KEY_OK = 0,
	AUTH_KEY_EMPTY,		/* no key at all */
	AUTH_KEY_BAD_PREFIX,	/* not sk_live_, kt_ or ncs_ */
	AUTH_KEY_BAD_LENGTH,	/* secret part is not exactly 43 characters */
	AUTH_KEY_BAD_ALPHABET,	/* a byte outside base64url, or non-canonical */
	AUTH_KEY_NOSPACE,	/* mint: output buffer too small */
	AUTH_KEY__MAX
};

const char	*auth_key_strerror(enum auth_key_err);
/* The key prefix of a dialect ("sk_live_"), or NULL for an invalid value. */
const char	*auth_dialect_prefix(enum auth_dialect);

enum auth_key_err auth_key_mint(enum auth_dialect, char *plain, size_t cap,
		    unsigned char hash[AUTH_KEY_HASH_LEN],
		    char prefix_disp[AUTH_KEY_PREFIX_DISP_SIZE], char last4[5]);
enum auth_key_err auth_key_parse(const char *s, size_t n,
		    unsigned char hash[AUTH_KEY_HASH_LEN]);

/* Authorization: Bearer (RFC 6750 §2.1). */
#define AUTH_BEARER_MAX		4096	/* longest token accepted */

enum auth_bearer_err {
	AUTH_BEARER_OK = 0,
	AUTH_BEARER_MISSING,	/* NULL or empty header */
	AUTH_BEARER_BAD_SCHEME,	/* not "Bearer" (e.g. Basic, or no scheme) */
	AUTH_BEARER_BAD_SPACE,	/* not exactly one SP after the scheme */
	AUTH_BEARER_EMPTY_TOKEN,/* "Bearer " and nothing */
	AUTH_BEARER_TOO_LONG,	/* token longer than AUTH_BEARER_MAX */
	AUTH_BEARER_BAD_CHAR,	/* byte outside b64token, or trailing junk */
	AUTH_BEARER__MAX
};

const char	*auth_bearer_strerror(enum auth_bearer_err);
enum auth_bearer_err auth_bearer_parse(const char *header, const char **tok,
		    size_t *toklen);

/* Scopes (the studio seed: generate, read, admin). */
#define AUTH_SCOPE_GENERATE	0x1u
#define AUTH_SCOPE_READ		0x2u
#define AUTH_SCOPE_ADMIN	0x4u
#define AUTH_SCOPE_ALL		0x7u
/* Longest formatted list plus NUL ("generate read admin"). */
#define AUTH_SCOPES_FMT_SIZE	24

enum auth_scope_err {
	AUTH_SCOPE_OK = 0,
	AUTH_SCOPE_EMPTY,	/* empty list */
	AUTH_SCOPE_UNKNOWN,	/* a name that is not a scope */
	AUTH_SCOPE_SYNTAX,	/* empty element, doubled/leading/trailing separator */
	AUTH_SCOPE__MAX
};

const char	*auth_scope_strerror(enum auth_scope_err);
enum auth_scope_err auth_scopes_parse(const char *s, size_t n, unsigned *mask);
enum auth_scope_err auth_scopes_parse_oauth(const char *s, size_t n,
		    unsigned *mask);
size_t		 auth_scopes_format(unsigned mask, char sep, char *buf,
		    size_t cap);

#endif
