#include <string.h>

#include <sodium.h>

#include "mg_config.h"
#include "auth_password.h"

static const char *const pw_errs[AUTH_PW__MAX] = {
	"ok",						/* AUTH_PW_OK */
	"password must be at least 8 characters",	/* AUTH_PW_TOO_SHORT */
	"password must be at most 128 bytes",		/* AUTH_PW_TOO_LONG */
	"password contains a NUL byte",			/* AUTH_PW_BAD_CHAR */
	"wrong password",				/* AUTH_PW_MISMATCH */
	"stored password hash is malformed",		/* AUTH_PW_BAD_HASH */
	"password hashing failed",			/* AUTH_PW_SYSTEM */
};

_Static_assert(AUTH_PW_HASH_SIZE == crypto_pwhash_STRBYTES,
    "AUTH_PW_HASH_SIZE must match libsodium");

const char *
auth_pw_strerror(enum auth_pw_err e)
{
	return (unsigned)e < AUTH_PW__MAX ? pw_errs[e] : "unknown error";
}

/*
 * Fill p from config password_opslimit / password_memlimit (bytes), each
 * defaulting to libsodium's INTERACTIVE level (2 passes, 64 MiB) and clamped
 * to libsodium's argon2id minimum/maximum so a bad value cannot weaken the
 * hash below the library floor or make hashing fail.
 */
void
auth_pw_params_default(struct auth_pw_params *p)
{
	int64_t ops, mem;

	ops = mg_cfg_int("password_opslimit",
	    crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE);
	mem = mg_cfg_int("password_memlimit",
	    crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE);
	if (ops < (int64_t)crypto_pwhash_argon2id_OPSLIMIT_MIN)
		ops = crypto_pwhash_argon2id_OPSLIMIT_MIN;
	if (ops > 64)
		ops = 64;
	if (mem < (int64_t)crypto_pwhash_argon2id_MEMLIMIT_MIN)
		mem = crypto_pwhash_argon2id_MEMLIMIT_MIN;
	if (mem > (int64_t)1 << 32)
		mem = (int64_t)1 << 32;
	p->opslimit = (unsigned long long)ops;
	p->memlimit = (size_t)mem;
}

/*
 * Password rules for a new password: 8..128 bytes (length in bytes, so a
 * multi-byte UTF-8 password counts its encoded size), no NUL byte. No
 * composition rules (NIST SP 800-63B §5.1.1.2).
 */
enum auth_pw_err
auth_pw_check_rules(const char *pw, size_t n)
{
	if (pw == NULL || n < AUTH_PW_MIN)
		return AUTH_PW_TOO_SHORT;
	if (n > AUTH_PW_MAX)
		return AUTH_PW_TOO_LONG;
	if (memchr(pw, '\0', n) != NULL)
		return AUTH_PW_BAD_CHAR;
	return AUTH_PW_OK;
}

/*
 * Hash pw[0..n) with argon2id and a fresh random salt into out (a
 * NUL-terminated PHC string, store as is). Applies auth_pw_check_rules
 * first. params NULL means auth_pw_params_default. Returns AUTH_PW_OK, a
 * rules error, or AUTH_PW_SYSTEM (memlimit could not be allocated).
 */
enum auth_pw_err
auth_pw_hash(const char *pw, size_t n, const struct auth_pw_params *params,
    char out[AUTH_PW_HASH_SIZE])
{
	struct auth_pw_params def;
	enum auth_pw_err e;

	if ((e = auth_pw_check_rules(pw, n)) != AUTH_PW_OK)
		return e;
	if (params == NULL) {
		auth_pw_params_default(&def);
		params = &def;
	}
	if (crypto_pwhash_str_alg(out, pw, n, params->opslimit,
	    params->memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return AUTH_PW_SYSTEM;
	return AUTH_PW_OK;
}

/* 1 if stored looks like a libsodium argon2id string we can verify. */
static int
stored_ok(const char *stored)
{
	static const char pfx[] = crypto_pwhash_argon2id_STRPREFIX;

	if (stored == NULL ||
	    strnlen(stored, AUTH_PW_HASH_SIZE) >= AUTH_PW_HASH_SIZE ||
	    strncmp(stored, pfx, sizeof(pfx) - 1) != 0)
		return 0;
	/* Parses the parameters without hashing: -1 means malformed. */
	return crypto_pwhash_argon2id_str_needs_rehash(stored,
	    crypto_pwhash_argon2id_OPSLIMIT_MIN,
	    crypto_pwhash_argon2id_MEMLIMIT_MIN) != -1;
}

/*
 * Check pw[0..n) against a stored hash from auth_pw_hash (the parameters
 * come from the string). Returns AUTH_PW_OK, AUTH_PW_MISMATCH,
 * AUTH_PW_BAD_HASH when stored is not an argon2id string (treat like a
 * mismatch towards the client, log it as a data problem). Length rules are
 * not applied to the attempt beyond AUTH_PW_MAX (→ AUTH_PW_MISMATCH) so old
 * passwords keep working if the minimum grows.
 */
enum auth_pw_err
auth_pw_verify(const char *stored, const char *pw, size_t n)
{
	if (!stored_ok(stored))
		return AUTH_PW_BAD_HASH;
	if (pw == NULL || n > AUTH_PW_MAX)
		return AUTH_PW_MISMATCH;
	if (crypto_pwhash_argon2id_str_verify(stored, pw, n) != 0)
		return AUTH_PW_MISMATCH;
	return AUTH_PW_OK;
}

/*
 * 1 if stored was made with parameters other than params (NULL: defaults),
 * so the caller should re-hash the password it just verified and store the
 * new string; 0 if current; -1 if stored is malformed.
 */
int
auth_pw_needs_rehash(const char *stored, const struct auth_pw_params *params)
{
	struct auth_pw_params def;

	if (!stored_ok(stored))
		return -1;
	if (params == NULL) {
		auth_pw_params_default(&def);
		params = &def;
	}
	return crypto_pwhash_argon2id_str_needs_rehash(stored,
	    params->opslimit, params->memlimit) == 0 ? 0 : 1;
}
