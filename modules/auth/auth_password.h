/*
 * auth_password: argon2id password hashes through libsodium's
 * crypto_pwhash_str (PHC string format "$argon2id$v=19$m=…,t=…,p=1$…").
 */
#ifndef AUTH_PASSWORD_H
#define AUTH_PASSWORD_H

#include <stddef.h>

#define AUTH_PW_MIN		8	/* bytes */
#define AUTH_PW_MAX		128	/* bytes */
#define AUTH_PW_HASH_SIZE	128	/* == crypto_pwhash_STRBYTES */

struct auth_pw_params {
	unsigned long long	 opslimit;
	size_t			 memlimit;	/* bytes */
};

enum auth_pw_err {
	AUTH_PW_OK = 0,
	AUTH_PW_TOO_SHORT,	/* fewer than AUTH_PW_MIN bytes */
	AUTH_PW_TOO_LONG,	/* more than AUTH_PW_MAX bytes */
	AUTH_PW_BAD_CHAR,	/* a NUL byte */
	AUTH_PW_MISMATCH,	/* wrong password */
	AUTH_PW_BAD_HASH,	/* stored string is not an argon2id hash */
	AUTH_PW_SYSTEM,		/* out of memory, bad parameters */
	AUTH_PW__MAX
};

const char	*auth_pw_strerror(enum auth_pw_err);
void		 auth_pw_params_default(struct auth_pw_params *);
enum auth_pw_err auth_pw_check_rules(const char *pw, size_t n);
enum auth_pw_err auth_pw_hash(const char *pw, size_t n,
		    const struct auth_pw_params *, char out[AUTH_PW_HASH_SIZE]);
enum auth_pw_err auth_pw_verify(const char *stored, const char *pw, size_t n);
int		 auth_pw_needs_rehash(const char *stored,
		    const struct auth_pw_params *);

#endif
