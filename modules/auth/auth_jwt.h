/*
 * auth_jwt: RFC 9068 JWT access tokens signed ES256 by a rotating key ring,
 * and the JWKS (RFC 7517) that publishes the ring's public keys.
 *
 * The ring is a directory (config oauth_keys_dir, default var/keys) of PEM
 * P-256 private keys named <kid>.pem, mode 0600. A kid is the UTC creation
 * time and a random suffix, "YYYYMMDDHHMMSS-xxxxxxxx", so sorting kids
 * sorts keys by age: the newest key signs, every key verifies. A process
 * loads the ring once (and again after `mgctl signing-key rotate`).
 */
#ifndef AUTH_JWT_H
#define AUTH_JWT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct mg_buf;
struct auth_jwt_ring;	/* opaque */

#define AUTH_JWT_MAX		4096	/* token cap, checked before parsing */
#define AUTH_JWT_KID_LEN	23	/* YYYYMMDDHHMMSS-xxxxxxxx */
#define AUTH_JWT_KID_SIZE	(AUTH_JWT_KID_LEN + 1)
#define AUTH_JWT_RING_MAX	32	/* keys loaded at most */
#define AUTH_JWT_WS_CLAIM	"ws"	/* the workspace id claim */
#define AUTH_JWT_STR_SIZE	256	/* each string claim, with NUL */

enum auth_jwt_err {
	AUTH_JWT_OK = 0,
	AUTH_JWT_E_TOO_LONG,	/* token longer than AUTH_JWT_MAX */
	AUTH_JWT_E_MALFORMED,	/* not a compact JWS of strict base64url JSON */
	AUTH_JWT_E_ALG,		/* alg is not ES256 (none, HS256, RS256 …) */
	AUTH_JWT_E_TYP,		/* typ is not at+jwt */
	AUTH_JWT_E_CRIT,	/* a crit header: no extension is understood */
	AUTH_JWT_E_NO_KID,	/* kid missing */
	AUTH_JWT_E_UNKNOWN_KID,	/* kid not in the ring (retired or foreign) */
	AUTH_JWT_E_SIGNATURE,	/* signature does not verify */
	AUTH_JWT_E_ISS,		/* iss is not the expected issuer */
	AUTH_JWT_E_AUD,		/* aud does not contain the expected audience */
	AUTH_JWT_E_EXPIRED,	/* exp ≤ now - leeway */
	AUTH_JWT_E_IAT,		/* iat > now + leeway */
	AUTH_JWT_E_NBF,		/* nbf > now + leeway */
	AUTH_JWT_E_CLAIMS,	/* a required claim missing, mistyped or too long */
	AUTH_JWT_E_NO_KEY,	/* ring has no key */
	AUTH_JWT_E_KEYFILE,	/* unreadable key, not P-256, or mode not 0600 */
	AUTH_JWT_E_IO,		/* directory or file I/O failed */
	AUTH_JWT_E_NOSPACE,	/* output buffer too small */
	AUTH_JWT_E_SYSTEM,	/* OpenSSL or allocation failure */
	AUTH_JWT__MAX
};

/* What auth_jwt_sign puts in a token. All strings required, borrowed. */
struct auth_jwt_in {
	const char	*iss;
	const char	*sub;		/* user id */
	const char	*aud;		/* resource (e.g. https://host/v1) */
	const char	*client_id;
	const char	*scope;		/* "generate read" (RFC 6749 §3.3) */
	const char	*ws;		/* workspace id */
	int64_t		 iat;
	int64_t		 exp;
};

/* What auth_jwt_verify found in a valid token (copies, NUL-terminated). */
struct auth_jwt_claims {
	char		 sub[AUTH_JWT_STR_SIZE];
	char		 client_id[AUTH_JWT_STR_SIZE];
	char		 scope[AUTH_JWT_STR_SIZE];
	char		 ws[AUTH_JWT_STR_SIZE];
	char		 jti[AUTH_JWT_STR_SIZE];
	char		 kid[AUTH_JWT_KID_SIZE];
	unsigned	 scopes;	/* scope as AUTH_SCOPE_* bits */
	int64_t		 iat;
	int64_t		 exp;
};

const char	*auth_jwt_strerror(enum auth_jwt_err);
const char	*auth_jwt_keys_dir(void);

enum auth_jwt_err auth_jwt_ring_load(const char *dir, struct auth_jwt_ring **);
enum auth_jwt_err auth_jwt_ring_refresh(struct auth_jwt_ring **, int *changed);
void		 auth_jwt_ring_free(struct auth_jwt_ring *);
size_t		 auth_jwt_ring_count(const struct auth_jwt_ring *);
const char	*auth_jwt_ring_kid(const struct auth_jwt_ring *, size_t i);
void		 auth_jwt_ring_set_leeway(struct auth_jwt_ring *, int64_t secs);

enum auth_jwt_err auth_jwt_key_generate(const char *dir, time_t now,
		    char kid[AUTH_JWT_KID_SIZE]);
enum auth_jwt_err auth_jwt_keys_retire(const char *dir, time_t now,
		    int64_t max_lifetime, int *removed);

enum auth_jwt_err auth_jwt_sign(const struct auth_jwt_ring *,
		    const struct auth_jwt_in *, char *tok, size_t cap,
		    char jti[AUTH_JWT_STR_SIZE]);
enum auth_jwt_err auth_jwt_verify(const struct auth_jwt_ring *,
		    const char *tok, const char *iss, const char *aud,
		    time_t now, struct auth_jwt_claims *);

int		 auth_jwks_json(const struct auth_jwt_ring *, struct mg_buf *);

#endif
