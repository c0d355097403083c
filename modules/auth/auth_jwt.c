#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "mg_buf.h"
#include "mg_config.h"
#include "mg_crypto.h"
#include "auth_jws.h"
#include "auth_jwt.h"
#include "auth_key.h"

struct auth_jwt_key {
	char		 kid[AUTH_JWT_KID_SIZE];
	EVP_PKEY	*pkey;		/* private (public part verifies) */
	unsigned char	 x[32];		/* public point, for the JWKS */
	unsigned char	 y[32];
};

struct auth_jwt_ring {
	struct auth_jwt_key	 keys[AUTH_JWT_RING_MAX];	/* newest first */
	size_t			 nkeys;
	int64_t			 leeway;	/* seconds of clock skew allowed */
	char			 dir[1024];	/* where it was loaded from */
	struct timespec		 mtime;		/* dir's mtime before loading */
	int			 racy;		/* mtime too recent to trust */
};

/* Kids found in a directory, newest first. */
struct kid_list {
	char	 kid[AUTH_JWT_RING_MAX * 4][AUTH_JWT_KID_SIZE];
	size_t	 n;
};

static const char *const jwt_errs[AUTH_JWT__MAX] = {
	"ok",						/* AUTH_JWT_OK */
	"token too long",				/* AUTH_JWT_E_TOO_LONG */
	"malformed token",				/* AUTH_JWT_E_MALFORMED */
	"token algorithm is not ES256",			/* AUTH_JWT_E_ALG */
	"token typ is not at+jwt",			/* AUTH_JWT_E_TYP */
	"token has a crit header",			/* AUTH_JWT_E_CRIT */
	"token has no kid",				/* AUTH_JWT_E_NO_KID */
	"token kid is unknown",				/* AUTH_JWT_E_UNKNOWN_KID */
	"token signature is invalid",			/* AUTH_JWT_E_SIGNATURE */
	"token issuer is wrong",			/* AUTH_JWT_E_ISS */
	"token audience is wrong",			/* AUTH_JWT_E_AUD */
	"token expired",				/* AUTH_JWT_E_EXPIRED */
	"token issued in the future",			/* AUTH_JWT_E_IAT */
	"token not yet valid",				/* AUTH_JWT_E_NBF */
	"token claims are missing or invalid",		/* AUTH_JWT_E_CLAIMS */
	"no signing key",				/* AUTH_JWT_E_NO_KEY */
	"signing key file is invalid or not mode 0600",	/* AUTH_JWT_E_KEYFILE */
	"signing key I/O failed",			/* AUTH_JWT_E_IO */
	"buffer too small",				/* AUTH_JWT_E_NOSPACE */
	"crypto library failure",			/* AUTH_JWT_E_SYSTEM */
};

const char *
auth_jwt_strerror(enum auth_jwt_err e)
{
	return (unsigned)e < AUTH_JWT__MAX ? jwt_errs[e] : "unknown error";
}

/* The key ring directory: config oauth_keys_dir, default var/keys. */
const char *
auth_jwt_keys_dir(void)
{
	return mg_cfg_str("oauth_keys_dir", "var/keys");
}

/*
 * Parse the creation time of kid ("YYYYMMDDHHMMSS-xxxxxxxx", lowercase hex
 * suffix) into *t. Returns 0, or -1 when kid is not exactly that shape or
 * not a real UTC date and time.
 */
static int
kid_time(const char *kid, size_t n, time_t *t)
{
	struct tm tm, back;
	int v[6], i, j, w;
	static const int width[6] = { 4, 2, 2, 2, 2, 2 };
	const char *p = kid;

	if (n != AUTH_JWT_KID_LEN || kid[14] != '-')
		return -1;
	for (i = 15; i < AUTH_JWT_KID_LEN; i++)
		if (!((kid[i] >= '0' && kid[i] <= '9') ||
		    (kid[i] >= 'a' && kid[i] <= 'f')))
			return -1;
	for (i = 0; i < 6; i++) {
		for (w = 0, j = 0; j < width[i]; j++, p++) {
			if (*p < '0' || *p > '9')
				return -1;
			w = w * 10 + (*p - '0');
		}
		v[i] = w;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = v[0] - 1900;
	tm.tm_mon = v[1] - 1;
	tm.tm_mday = v[2];
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	tm.tm_sec = v[5];
	/* timegm normalises (month 13 → next year): compare with v[]. */
	if ((*t = timegm(&tm)) == (time_t)-1 || gmtime_r(t, &back) == NULL ||
	    back.tm_year != v[0] - 1900 || back.tm_mon != v[1] - 1 ||
	    back.tm_mday != v[2] || back.tm_hour != v[3] ||
	    back.tm_min != v[4] || back.tm_sec != v[5])
		return -1;
	return 0;
}

static int
kid_cmp_desc(const void *a, const void *b)
{
	return -strcmp((const char *)a, (const char *)b);
}

/*
 * List the kids of dir: regular entries named <kid>.pem with a valid kid
 * (others, such as a rotation's temporary file, are ignored), newest
 * first; at most the newest 4 × AUTH_JWT_RING_MAX. Returns AUTH_JWT_OK, or AUTH_JWT_E_IO when dir cannot be read.
 */
static enum auth_jwt_err
kid_list(const char *dir, struct kid_list *l)
{
	DIR *d;
	struct dirent *de;
	size_t n, i, slot;
	time_t t;

	l->n = 0;
	if ((d = opendir(dir)) == NULL)
		return AUTH_JWT_E_IO;
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n != AUTH_JWT_KID_LEN + 4 ||
		    strcmp(de->d_name + AUTH_JWT_KID_LEN, ".pem") != 0 ||
		    kid_time(de->d_name, AUTH_JWT_KID_LEN, &t) != 0)
			continue;
		if (l->n < sizeof(l->kid) / sizeof(l->kid[0]))
			slot = l->n++;
		else {
			/* Full: keep the newest, replacing the oldest held. */
			for (slot = 0, i = 1; i < l->n; i++)
				if (strcmp(l->kid[i], l->kid[slot]) < 0)
					slot = i;
			if (strncmp(de->d_name, l->kid[slot],
			    AUTH_JWT_KID_LEN) <= 0)
				continue;
		}
		memcpy(l->kid[slot], de->d_name, AUTH_JWT_KID_LEN);
		l->kid[slot][AUTH_JWT_KID_LEN] = '\0';
	}
	closedir(d);
	qsort(l->kid, l->n, sizeof(l->kid[0]), kid_cmp_desc);
	return AUTH_JWT_OK;
}

/* The public point of a P-256 pkey as 32-byte big-endian x and y. */
static int
ec_xy(EVP_PKEY *pkey, unsigned char x[32], unsigned char y[32])
{
	BIGNUM *bx = NULL, *by = NULL;
	int rc = -1;

	if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &bx) != 1 ||
	    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &by) != 1)
		goto err;
	if (BN_bn2binpad(bx, x, 32) != 32 || BN_bn2binpad(by, y, 32) != 32)
		goto err;
	rc = 0;
err:
	BN_free(bx);
	BN_free(by);
	return rc;
}

/*
 * Load dir/<kid>.pem into k: a regular file (symlinks refused), mode
 * without group/other bits, holding a P-256 private key. Returns
 * AUTH_JWT_OK, AUTH_JWT_E_IO or AUTH_JWT_E_KEYFILE; k->pkey is set (and
 * owned by k) only on success.
 */
static enum auth_jwt_err
key_load(const char *dir, const char *kid, struct auth_jwt_key *k)
{
	char path[4096], grp[32];
	struct stat st;
	FILE *f = NULL;
	EVP_PKEY *pkey = NULL;
	enum auth_jwt_err e = AUTH_JWT_E_KEYFILE;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s.pem", dir, kid) >=
	    sizeof(path))
		return AUTH_JWT_E_IO;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return AUTH_JWT_E_IO;
	/* From here the descriptor (then f) is held: goto err. */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (st.st_mode & 077) != 0 || (f = fdopen(fd, "r")) == NULL) {
		close(fd);
		goto err;
	}
	if ((pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL)) == NULL ||
	    !EVP_PKEY_is_a(pkey, "EC") ||
	    EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
	    grp, sizeof(grp), NULL) != 1 || strcmp(grp, "prime256v1") != 0 ||
	    ec_xy(pkey, k->x, k->y) != 0)
		goto err;
	memcpy(k->kid, kid, AUTH_JWT_KID_SIZE);
	k->pkey = pkey;
	pkey = NULL;
	e = AUTH_JWT_OK;
err:
	EVP_PKEY_free(pkey);
	if (f != NULL)
		fclose(f);
	return e;
}

/*
 * Load the key ring from dir (auth_jwt_keys_dir() in production): every
 * <kid>.pem, newest AUTH_JWT_RING_MAX only. Any unreadable or invalid key
 * file fails the whole load (a half-loaded ring would reject live tokens
 * silently). The clock-skew leeway comes from config oauth_jwt_leeway
 * (seconds, default 0, at most 300). On AUTH_JWT_OK *out is a new ring the
 * caller frees with auth_jwt_ring_free (and keeps current with
 * auth_jwt_ring_refresh); AUTH_JWT_E_NO_KEY when dir holds no key
 * (generate one with auth_jwt_key_generate).
 */
enum auth_jwt_err
auth_jwt_ring_load(const char *dir, struct auth_jwt_ring **out)
{
	struct auth_jwt_ring *r;
	struct kid_list *l;
	struct stat st;
	enum auth_jwt_err e;
	size_t i;

	*out = NULL;
	if (strlen(dir) >= sizeof(r->dir))
		return AUTH_JWT_E_IO;
	if ((l = malloc(sizeof(*l))) == NULL)
		return AUTH_JWT_E_SYSTEM;
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		free(l);
		return AUTH_JWT_E_SYSTEM;
	}
	/* From here l and r are held: goto err. */
	e = AUTH_JWT_E_IO;
	/* mtime first: a change during the load makes the next refresh reload. */
	if (stat(dir, &st) != 0)
		goto err;
	r->mtime = st.st_mtim;
	/*
	 * A change in the same timestamp tick as this load would leave the
	 * mtime unchanged: while the mtime is this recent, the next refresh
	 * reloads unconditionally (git's "racy clean" rule).
	 */
	r->racy = (int64_t)st.st_mtim.tv_sec + 2 > (int64_t)time(NULL);
	memcpy(r->dir, dir, strlen(dir) + 1);
	if ((e = kid_list(dir, l)) != AUTH_JWT_OK)
		goto err;
	if (l->n == 0) {
		e = AUTH_JWT_E_NO_KEY;
		goto err;
	}
	for (i = 0; i < l->n && i < AUTH_JWT_RING_MAX; i++) {
		if ((e = key_load(dir, l->kid[i], &r->keys[i])) != AUTH_JWT_OK)
			goto err;
		r->nkeys++;
	}
	auth_jwt_ring_set_leeway(r, mg_cfg_int("oauth_jwt_leeway", 0));
	free(l);
	*out = r;
	return AUTH_JWT_OK;
err:
	free(l);
	auth_jwt_ring_free(r);
	return e;
}

/*
 * Reload *r from its directory if the directory changed since it was
 * loaded (a key was added by rotation or removed by retirement: both
 * rename or unlink in it, which updates its mtime), or if its mtime was
 * within 2 s of the load. One stat(2) when nothing changed, so call it before each sign/verify, or at least
 * whenever a verify says AUTH_JWT_E_UNKNOWN_KID. On a failed reload the
 * old ring stays in place and the error is returned. Returns AUTH_JWT_OK
 * (and sets *changed, which may be NULL, to 1 when the ring was replaced).
 */
enum auth_jwt_err
auth_jwt_ring_refresh(struct auth_jwt_ring **r, int *changed)
{
	struct auth_jwt_ring *nr;
	struct stat st;
	enum auth_jwt_err e;

	if (changed != NULL)
		*changed = 0;
	if (stat((*r)->dir, &st) != 0)
		return AUTH_JWT_E_IO;
	if (!(*r)->racy && st.st_mtim.tv_sec == (*r)->mtime.tv_sec &&
	    st.st_mtim.tv_nsec == (*r)->mtime.tv_nsec)
		return AUTH_JWT_OK;
	if ((e = auth_jwt_ring_load((*r)->dir, &nr)) != AUTH_JWT_OK)
		return e;
	nr->leeway = (*r)->leeway;
	auth_jwt_ring_free(*r);
	*r = nr;
	if (changed != NULL)
		*changed = 1;
	return AUTH_JWT_OK;
}

/* Free a ring and its keys; NULL is fine. */
void
auth_jwt_ring_free(struct auth_jwt_ring *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nkeys; i++)
		EVP_PKEY_free(r->keys[i].pkey);
	free(r);
}

/* Number of keys in the ring. */
size_t
auth_jwt_ring_count(const struct auth_jwt_ring *r)
{
	return r->nkeys;
}

/* The kid of key i (0 = newest, the signer), or NULL past the end. */
const char *
auth_jwt_ring_kid(const struct auth_jwt_ring *r, size_t i)
{
	return i < r->nkeys ? r->keys[i].kid : NULL;
}

/* Set the clock-skew leeway for exp/iat/nbf, clamped to 0..300 s. */
void
auth_jwt_ring_set_leeway(struct auth_jwt_ring *r, int64_t secs)
{
	r->leeway = secs < 0 ? 0 : secs > 300 ? 300 : secs;
}

/*
 * Write pkey as PKCS#8 PEM to dir/<kid>.pem, mode 0600: through a
 * temporary file created O_EXCL, fsync'd and renamed, so a concurrent
 * ring load never sees a partial key. Returns AUTH_JWT_OK or
 * AUTH_JWT_E_IO.
 */
static enum auth_jwt_err
key_write(const char *dir, const char *kid, EVP_PKEY *pkey)
{
	char tmp[4096], path[4096];
	FILE *f;
	int fd, ok;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.pem.tmp", dir, kid) >=
	    sizeof(tmp) || (size_t)snprintf(path, sizeof(path), "%s/%s.pem",
	    dir, kid) >= sizeof(path))
		return AUTH_JWT_E_IO;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0)
		return AUTH_JWT_E_IO;
	if (fchmod(fd, 0600) != 0 || (f = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(tmp);
		return AUTH_JWT_E_IO;
	}
	ok = PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL) == 1 &&
	    fflush(f) == 0 && fsync(fileno(f)) == 0;
	if (fclose(f) != 0)
		ok = 0;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return AUTH_JWT_E_IO;
	}
	return AUTH_JWT_OK;
}

/*
 * Generate a new P-256 signing key in dir (created 0700 if missing) for
 * `mgctl signing-key rotate`, named by a kid built from now (UTC) and 4
 * random bytes, and write its kid to kid. The new key is the newest, so
 * processes sign with it after they reload the ring; older keys keep
 * verifying until auth_jwt_keys_retire removes them. Refuses
 * (AUTH_JWT_E_KEYFILE) when dir already holds a key dated after now, since
 * the new key would not be the signer. Returns AUTH_JWT_OK, AUTH_JWT_E_IO
 * or AUTH_JWT_E_SYSTEM.
 */
enum auth_jwt_err
auth_jwt_key_generate(const char *dir, time_t now, char kid[AUTH_JWT_KID_SIZE])
{
	struct kid_list *l = NULL;
	struct tm tm;
	EVP_PKEY *pkey = NULL;
	unsigned char rnd[4];
	char ts[16], hex[9];
	enum auth_jwt_err e;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return AUTH_JWT_E_IO;
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(ts, sizeof(ts), "%Y%m%d%H%M%S", &tm) != 14)
		return AUTH_JWT_E_SYSTEM;
	if ((l = malloc(sizeof(*l))) == NULL)
		return AUTH_JWT_E_SYSTEM;
	/* From here l is held: goto err. */
	if ((e = kid_list(dir, l)) != AUTH_JWT_OK)
		goto err;
	mg_random(rnd, sizeof(rnd));
	mg_hex(rnd, sizeof(rnd), hex);
	snprintf(kid, AUTH_JWT_KID_SIZE, "%.14s-%.8s", ts, hex);
	if (l->n > 0 && strcmp(kid, l->kid[0]) <= 0) {
		unsigned long prev;
		uint32_t r;

		/*
		 * Same second as the newest key: pick a suffix above its
		 * suffix, so the new key sorts newest without retrying.
		 */
		if (strncmp(kid, l->kid[0], 14) != 0 ||
		    (prev = strtoul(l->kid[0] + 15, NULL, 16)) >= 0xffffffffUL) {
			e = AUTH_JWT_E_KEYFILE;
			goto err;
		}
		memcpy(&r, rnd, sizeof(r));
		snprintf(kid, AUTH_JWT_KID_SIZE, "%.14s-%08x", ts,
		    (unsigned)(prev + 1 + r % (0xffffffffUL - prev)));
	}
	if ((pkey = EVP_EC_gen("P-256")) == NULL) {
		e = AUTH_JWT_E_SYSTEM;
		goto err;
	}
	e = key_write(dir, kid, pkey);
err:
	EVP_PKEY_free(pkey);
	free(l);
	return e;
}

/*
 * Delete the keys of dir that can no longer have a live token: a key
 * stops signing when the next newer key is created, so its last token
 * expires max_lifetime seconds after that. Key i (newest first) is
 * removed when now - created(key i-1) > max_lifetime. The newest key is
 * never removed. Pass the longest access-token lifetime plus the time
 * processes may take to reload the ring. Writes the number removed to
 * *removed (may be NULL). Returns AUTH_JWT_OK or AUTH_JWT_E_IO.
 */
enum auth_jwt_err
auth_jwt_keys_retire(const char *dir, time_t now, int64_t max_lifetime,
    int *removed)
{
	struct kid_list *l;
	char path[4096];
	enum auth_jwt_err e;
	time_t superseded;
	size_t i;
	int n = 0;

	if (removed != NULL)
		*removed = 0;
	if ((l = malloc(sizeof(*l))) == NULL)
		return AUTH_JWT_E_SYSTEM;
	/* From here l is held: goto err. */
	if ((e = kid_list(dir, l)) != AUTH_JWT_OK)
		goto err;
	for (i = 1; i < l->n; i++) {
		if (kid_time(l->kid[i - 1], AUTH_JWT_KID_LEN, &superseded) != 0 ||
		    (int64_t)now - (int64_t)superseded <= max_lifetime)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s.pem", dir,
		    l->kid[i]) >= sizeof(path) || unlink(path) != 0) {
			e = AUTH_JWT_E_IO;
			goto err;
		}
		n++;
	}
err:
	if (removed != NULL)
		*removed = n;
	free(l);
	return e;
}

/* 1 if s is a non-NULL, non-empty string shorter than AUTH_JWT_STR_SIZE. */
static int
claim_ok(const char *s)
{
	size_t n;

	return s != NULL && (n = strlen(s)) > 0 && n < AUTH_JWT_STR_SIZE;
}

/* Append base64url of bin[0..n) to buf at *len (cap bytes); -1 if full. */
static int
put_b64(char *buf, size_t cap, size_t *len, const void *bin, size_t n)
{
	size_t w;

	if (*len >= cap ||
	    (w = mg_b64url(bin, n, buf + *len, cap - *len)) == 0)
		return -1;
	*len += w;
	return 0;
}

/*
 * Sign an RFC 9068 access token with the ring's newest key: header
 * {"alg":"ES256","typ":"at+jwt","kid":…} (§2.1), claims iss, sub, aud,
 * exp, iat, jti, client_id, scope (§2.2, §2.2.3) and the workspace as
 * AUTH_JWT_WS_CLAIM. jti is 16 random bytes, base64url; it is also
 * written to jti so the caller can record it. Writes the NUL-terminated
 * token to tok (cap ≥ AUTH_JWT_MAX + 1 always suffices; a token that would
 * exceed AUTH_JWT_MAX is refused because auth_jwt_verify would refuse it).
 * Returns AUTH_JWT_OK, AUTH_JWT_E_NO_KEY, AUTH_JWT_E_CLAIMS (a string
 * missing, empty or ≥ AUTH_JWT_STR_SIZE, or exp ≤ iat),
 * AUTH_JWT_E_NOSPACE or AUTH_JWT_E_SYSTEM.
 */
enum auth_jwt_err
auth_jwt_sign(const struct auth_jwt_ring *r, const struct auth_jwt_in *in,
    char *tok, size_t cap, char jti[AUTH_JWT_STR_SIZE])
{
	const struct auth_jwt_key *k;
	struct json_object *o = NULL;
	unsigned char rnd[16], sig[64];
	char hdr[128], id[32], out[AUTH_JWT_MAX + 1];
	const char *js;
	size_t len = 0, hn;
	enum auth_jwt_err e = AUTH_JWT_E_SYSTEM;

	if (r == NULL || r->nkeys == 0)
		return AUTH_JWT_E_NO_KEY;
	if (!claim_ok(in->iss) || !claim_ok(in->sub) || !claim_ok(in->aud) ||
	    !claim_ok(in->client_id) || !claim_ok(in->scope) ||
	    !claim_ok(in->ws) || in->exp <= in->iat)
		return AUTH_JWT_E_CLAIMS;
	k = &r->keys[0];
	hn = (size_t)snprintf(hdr, sizeof(hdr),
	    "{\"alg\":\"ES256\",\"typ\":\"at+jwt\",\"kid\":\"%s\"}", k->kid);
	mg_random(rnd, sizeof(rnd));
	mg_b64url(rnd, sizeof(rnd), id, sizeof(id));
	if ((o = json_object_new_object()) == NULL)
		return AUTH_JWT_E_SYSTEM;
	/* From here o is held: goto err. */
	if (json_object_object_add(o, "iss", json_object_new_string(in->iss)) ||
	    json_object_object_add(o, "sub", json_object_new_string(in->sub)) ||
	    json_object_object_add(o, "aud", json_object_new_string(in->aud)) ||
	    json_object_object_add(o, "exp", json_object_new_int64(in->exp)) ||
	    json_object_object_add(o, "iat", json_object_new_int64(in->iat)) ||
	    json_object_object_add(o, "jti", json_object_new_string(id)) ||
	    json_object_object_add(o, "client_id",
	    json_object_new_string(in->client_id)) ||
	    json_object_object_add(o, "scope",
	    json_object_new_string(in->scope)) ||
	    json_object_object_add(o, AUTH_JWT_WS_CLAIM,
	    json_object_new_string(in->ws)))
		goto err;
	if ((js = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE)) == NULL)
		goto err;
	e = AUTH_JWT_E_NOSPACE;
	if (put_b64(out, sizeof(out), &len, hdr, hn) != 0 ||
	    len + 1 >= sizeof(out))
		goto err;
	out[len++] = '.';
	if (put_b64(out, sizeof(out), &len, js, strlen(js)) != 0)
		goto err;
	if (auth_jws_sign_es256(k->pkey, out, len, sig) != 0) {
		e = AUTH_JWT_E_SYSTEM;
		goto err;
	}
	if (len + 1 >= sizeof(out))
		goto err;
	out[len++] = '.';
	if (put_b64(out, sizeof(out), &len, sig, sizeof(sig)) != 0 ||
	    len > AUTH_JWT_MAX || len + 1 > cap)
		goto err;
	memcpy(tok, out, len + 1);
	if (jti != NULL)
		snprintf(jti, AUTH_JWT_STR_SIZE, "%s", id);
	e = AUTH_JWT_OK;
err:
	json_object_put(o);
	return e;
}

/* Copy string claim key of o into dst (AUTH_JWT_STR_SIZE); -1 if bad. */
static int
claim_copy(struct json_object *o, const char *key, char dst[AUTH_JWT_STR_SIZE])
{
	const char *s = auth_jws_str(o, key);

	if (!claim_ok(s))
		return -1;
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

/* 1 if the aud claim is aud or an array containing it (RFC 7519 §4.1.3). */
static int
aud_ok(struct json_object *claims, const char *aud)
{
	struct json_object *v, *el;
	size_t i, n;

	if (!json_object_object_get_ex(claims, "aud", &v))
		return 0;
	if (json_object_is_type(v, json_type_string))
		return auth_jws_str(claims, "aud") != NULL &&
		    strcmp(json_object_get_string(v), aud) == 0;
	if (!json_object_is_type(v, json_type_array))
		return 0;
	n = json_object_array_length(v);
	for (i = 0; i < n && i < 16; i++) {
		el = json_object_array_get_idx(v, i);
		if (json_object_is_type(el, json_type_string) &&
		    (size_t)json_object_get_string_len(el) == strlen(aud) &&
		    strcmp(json_object_get_string(el), aud) == 0)
			return 1;
	}
	return 0;
}

/*
 * Validate an access token as RFC 9068 §4 asks, strictly and in this
 * order: length ≤ AUTH_JWT_MAX; three strict base64url segments of JSON;
 * header alg exactly "ES256" (so none, HS256 with the public key as a
 * secret, RS256 … never reach a signature check); typ "at+jwt" or
 * "application/at+jwt" (case-insensitive, RFC 7515 §4.1.9); no crit; kid
 * present and in the ring; the ES256 signature with that key; iss equal to
 * iss; aud equal to (or, as an array, containing) aud; exp > now - leeway;
 * iat ≤ now + leeway; nbf (if any) ≤ now + leeway; sub, client_id, scope,
 * jti and the workspace present, non-empty strings; scope made of known
 * scopes. Only libjwt-free code paths: see auth_jws.h. On AUTH_JWT_OK
 * fills out (may be NULL); otherwise out is unspecified. Any error maps to
 * HTTP 401 invalid_token (RFC 6750 §3.1).
 */
enum auth_jwt_err
auth_jwt_verify(const struct auth_jwt_ring *r, const char *tok,
    const char *iss, const char *aud, time_t now, struct auth_jwt_claims *out)
{
	struct auth_jwt_claims tmp;
	struct auth_jws j;
	struct json_object *v;
	const struct auth_jwt_key *k = NULL;
	const char *s;
	enum auth_jwt_err e;
	int64_t exp, iat, nbf, lw, t = (int64_t)now;
	size_t i;

	if (r == NULL || r->nkeys == 0)
		return AUTH_JWT_E_NO_KEY;
	if (iss == NULL)
		return AUTH_JWT_E_ISS;
	if (aud == NULL)
		return AUTH_JWT_E_AUD;
	lw = r->leeway;
	if (out == NULL)
		out = &tmp;
	switch (auth_jws_parse(tok, &j)) {
	case AUTH_JWS_OK:
		break;
	case AUTH_JWS_TOO_LONG:
		return AUTH_JWT_E_TOO_LONG;
	default:
		return AUTH_JWT_E_MALFORMED;
	}
	/* From here j is held: goto err. */
	e = AUTH_JWT_E_ALG;
	if ((s = auth_jws_str(j.hdr, "alg")) == NULL || strcmp(s, "ES256") != 0)
		goto err;
	e = AUTH_JWT_E_TYP;
	if ((s = auth_jws_str(j.hdr, "typ")) == NULL ||
	    (strcasecmp(s, "at+jwt") != 0 &&
	    strcasecmp(s, "application/at+jwt") != 0))
		goto err;
	e = AUTH_JWT_E_CRIT;
	if (json_object_object_get_ex(j.hdr, "crit", NULL))
		goto err;
	e = AUTH_JWT_E_NO_KID;
	if ((s = auth_jws_str(j.hdr, "kid")) == NULL || *s == '\0')
		goto err;
	e = AUTH_JWT_E_UNKNOWN_KID;
	for (i = 0; i < r->nkeys; i++)
		if (strcmp(r->keys[i].kid, s) == 0) {
			k = &r->keys[i];
			break;
		}
	if (k == NULL)
		goto err;
	e = AUTH_JWT_E_SIGNATURE;
	if (!auth_jws_verify_es256(k->pkey, j.input, j.input_len, j.sig,
	    j.sig_len))
		goto err;
	/* The signature holds: now the claims (RFC 9068 §4 steps 3-5). */
	e = AUTH_JWT_E_ISS;
	if ((s = auth_jws_str(j.claims, "iss")) == NULL || strcmp(s, iss) != 0)
		goto err;
	e = AUTH_JWT_E_AUD;
	if (!aud_ok(j.claims, aud))
		goto err;
	e = AUTH_JWT_E_CLAIMS;
	if (auth_jws_int(j.claims, "exp", &exp) != 0 ||
	    auth_jws_int(j.claims, "iat", &iat) != 0)
		goto err;
	e = AUTH_JWT_E_EXPIRED;
	if (exp <= t - lw)
		goto err;
	e = AUTH_JWT_E_IAT;
	if (iat > t + lw)
		goto err;
	if (json_object_object_get_ex(j.claims, "nbf", &v)) {
		e = AUTH_JWT_E_CLAIMS;
		if (auth_jws_int(j.claims, "nbf", &nbf) != 0)
			goto err;
		e = AUTH_JWT_E_NBF;
		if (nbf > t + lw)
			goto err;
	}
	e = AUTH_JWT_E_CLAIMS;
	if (claim_copy(j.claims, "sub", out->sub) != 0 ||
	    claim_copy(j.claims, "client_id", out->client_id) != 0 ||
	    claim_copy(j.claims, "scope", out->scope) != 0 ||
	    claim_copy(j.claims, "jti", out->jti) != 0 ||
	    claim_copy(j.claims, AUTH_JWT_WS_CLAIM, out->ws) != 0 ||
	    auth_scopes_parse_oauth(out->scope, strlen(out->scope),
	    &out->scopes) != AUTH_SCOPE_OK)
		goto err;
	memcpy(out->kid, k->kid, AUTH_JWT_KID_SIZE);
	out->exp = exp;
	out->iat = iat;
	e = AUTH_JWT_OK;
err:
	auth_jws_free(&j);
	return e;
}

/*
 * Append the ring's public keys as a JWK Set (RFC 7517 §5; EC members per
 * RFC 7518 §6.2.1: x and y are the 32-byte big-endian coordinates,
 * base64url) to b: {"keys":[{"kty":"EC","crv":"P-256","x":…,"y":…,
 * "kid":…,"use":"sig","alg":"ES256"},…]}, newest first. Serve it at
 * /v1/oauth/jwks. Returns 0, or -1 when b ran out of memory.
 */
int
auth_jwks_json(const struct auth_jwt_ring *r, struct mg_buf *b)
{
	char x[48], y[48];
	size_t i;

	mg_buf_puts(b, "{\"keys\":[");
	for (i = 0; i < r->nkeys; i++) {
		mg_b64url(r->keys[i].x, 32, x, sizeof(x));
		mg_b64url(r->keys[i].y, 32, y, sizeof(y));
		mg_buf_printf(b, "%s{\"kty\":\"EC\",\"crv\":\"P-256\","
		    "\"x\":\"%s\",\"y\":\"%s\",\"kid\":\"%s\",\"use\":\"sig\","
		    "\"alg\":\"ES256\"}", i ? "," : "", x, y, r->keys[i].kid);
	}
	mg_buf_puts(b, "]}");
	return b->oom ? -1 : 0;
}
