/*
 * auth_oauth: configuration, the key ring, access-token authentication of
 * API requests (RFC 6750 + RFC 9068 §4) and the pure helpers of the
 * authorization server. The HTTP handlers are in auth_oauth_http.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "db.h"
#include "mg_buf.h"
#include "mg_config.h"
#include "mg_crypto.h"
#include "mg_log.h"
#include "auth_jwt.h"
#include "auth_oauth.h"

static struct auth_jwt_ring *ring;

/*
 * Tokens this process has verified (signature, iss, aud, claims), by the
 * SHA-256 of the whole token: a client reuses its access token for many
 * requests, and the ES256 verification dominates the cost of a request.
 * A hit still checks exp here and the jti and grant in the database, so
 * revocation and expiry are unchanged; the cache is flushed whenever the
 * key ring changes (a retired key's tokens are then verified again).
 */
#define VCACHE_SLOTS	128
struct vcache_ent {
	unsigned char		 h[32];
	int			 used;
	struct auth_jwt_claims	 cl;
};
static struct vcache_ent *vcache;

const char *
auth_oauth_issuer(void)
{
	return mg_cfg_str("oauth_issuer",
	    mg_cfg_str("public_base_url", "http://127.0.0.1:8080"));
}

const char *
auth_oauth_audience(void)
{
	return mg_cfg_str("oauth_audience", "mediagate");
}

/* RFC 9700 / reference/oauth.md: codes live at most 60 s. */
int64_t
auth_oauth_code_ttl(void)
{
	int64_t v = mg_cfg_int("oauth_code_ttl_s", 60);

	return v < 1 ? 1 : v > 60 ? 60 : v;
}

int64_t
auth_oauth_access_ttl(void)
{
	int64_t v = mg_cfg_int("oauth_access_ttl_s", 600);

	return v < 1 ? 1 : v > 3600 ? 3600 : v;
}

int64_t
auth_oauth_refresh_idle(void)
{
	int64_t v = mg_cfg_int("oauth_refresh_idle_s", 1209600);

	return v < 60 ? 60 : v;
}

struct auth_jwt_ring *
auth_oauth_ring(void)
{
	enum auth_jwt_err e;
	int changed = 0;

	if (ring == NULL) {
		if ((e = auth_jwt_ring_load(auth_jwt_keys_dir(), &ring)) !=
		    AUTH_JWT_OK) {
			mg_log(MG_LOG_WARN, "oauth key ring %s: %s",
			    auth_jwt_keys_dir(), auth_jwt_strerror(e));
			ring = NULL;
		}
		return ring;
	}
	if ((e = auth_jwt_ring_refresh(&ring, &changed)) != AUTH_JWT_OK)
		mg_log(MG_LOG_WARN, "oauth key ring refresh: %s (old ring kept)",
		    auth_jwt_strerror(e));
	if (changed && vcache != NULL)
		memset(vcache, 0, VCACHE_SLOTS * sizeof(*vcache));
	return ring;
}

/*
 * Verify tok (NUL-terminated, n bytes) with the ring, through the cache of
 * verified tokens. AUTH_JWT_OK fills cl.
 */
static enum auth_jwt_err
verify_cached(struct auth_jwt_ring *r, const char *tok, size_t n,
    struct auth_jwt_claims *cl)
{
	unsigned char h[32];
	struct vcache_ent *v = NULL;
	time_t now = time(NULL);
	enum auth_jwt_err e;

	if (vcache == NULL)
		vcache = calloc(VCACHE_SLOTS, sizeof(*vcache));
	mg_sha256(tok, n, h);
	if (vcache != NULL) {
		v = &vcache[(h[0] | (unsigned)h[1] << 8) % VCACHE_SLOTS];
		if (v->used && memcmp(v->h, h, 32) == 0) {
			if (v->cl.exp <= (int64_t)now) {
				v->used = 0;
				return AUTH_JWT_E_EXPIRED;
			}
			*cl = v->cl;
			return AUTH_JWT_OK;
		}
	}
	e = auth_jwt_verify(r, tok, auth_oauth_issuer(), auth_oauth_audience(),
	    now, cl);
	if (e == AUTH_JWT_OK && v != NULL) {
		memcpy(v->h, h, 32);
		v->cl = *cl;
		v->used = 1;
	}
	return e;
}

/* 401 with RFC 6750 §3 WWW-Authenticate. */
static int
token_401(struct mg_ctx *c, const char *why)
{
	mg_header(c, "WWW-Authenticate",
	    "Bearer error=\"invalid_token\"");
	return mg_fail(c, MG_E_UNAUTHORIZED, "invalid access token: %s", why);
}

int
auth_oauth_authenticate(struct mg_ctx *c, const char *tok, size_t n)
{
	struct mg_principal *w = &c->who;
	struct auth_jwt_claims cl;
	struct auth_jwt_ring *r;
	enum auth_jwt_err je;
	enum db_err e;
	const char *t;
	int64_t live;

	if ((r = auth_oauth_ring()) == NULL)
		return token_401(c, "no signing key is configured");
	if (n > AUTH_JWT_MAX)
		return token_401(c, auth_jwt_strerror(AUTH_JWT_E_TOO_LONG));
	if ((t = mg_arena_strndup(c->arena, tok, n)) == NULL)
		return mg_fail(c, MG_E_INTERNAL, "out of memory");
	if ((je = verify_cached(r, t, n, &cl)) != AUTH_JWT_OK)
		return token_401(c, auth_jwt_strerror(je));
	if (strlen(cl.ws) >= sizeof(w->workspace_id) ||
	    strlen(cl.jti) >= sizeof(w->key_id) ||
	    strlen(cl.sub) >= sizeof(w->user_id))
		return token_401(c, "unknown token");
	e = db_row(c->db, DB_OAUTH_AT_AUTH, "ss", "issssii", cl.jti, cl.ws,
	    &live, w->tenant_id, sizeof(w->tenant_id), w->ws_name,
	    sizeof(w->ws_name), w->ws_plan, sizeof(w->ws_plan), w->ws_created,
	    sizeof(w->ws_created), &w->balance_micros, &w->reserved_micros);
	if (e == DB_NOROW)
		return token_401(c, "unknown token");
	if (e != DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not check credentials");
	if (!live)
		return token_401(c, "token revoked");
	memcpy(w->key_id, cl.jti, strlen(cl.jti) + 1);
	memcpy(w->workspace_id, cl.ws, strlen(cl.ws) + 1);
	memcpy(w->user_id, cl.sub, strlen(cl.sub) + 1);
	snprintf(w->prefix, sizeof(w->prefix), "oauth");
	w->scopes = cl.scopes;
	w->via_token = 1;
	w->has_cap = 0;
	w->authenticated = 1;
	return 0;
}

/* ---- Pure helpers ------------------------------------------------------- */

static const char *const uri_errs[AUTH_URI__MAX] = {
	"ok",						/* AUTH_URI_OK */
	"redirect URI missing",				/* AUTH_URI_EMPTY */
	"redirect URI too long",			/* AUTH_URI_TOO_LONG */
	"redirect URI has a space, control or non-ASCII byte", /* AUTH_URI_BAD_CHAR */
	"redirect URI has a fragment",			/* AUTH_URI_FRAGMENT */
	"redirect URI must be https, loopback http or a private-use scheme", /* AUTH_URI_SCHEME */
	"redirect URI has no host",			/* AUTH_URI_NO_HOST */
	"redirect URI has user information or a bad port", /* AUTH_URI_USERINFO */
};

const char *
auth_uri_strerror(enum auth_uri_err e)
{
	return (unsigned)e < AUTH_URI__MAX ? uri_errs[e] : "unknown error";
}

/* Length of the RFC 3986 scheme at the start of s (0 if none). */
static size_t
scheme_len(const char *s)
{
	size_t i;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	for (i = 1; s[i] != '\0' && s[i] != ':'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '+' || s[i] == '-' || s[i] == '.'))
			return 0;
	return s[i] == ':' ? i : 0;
}

/* 1 when the authority after "http://" is a loopback literal (+ port). */
static int
loopback_host(const char *a)
{
	size_t n;

	if (strncmp(a, "127.0.0.1", 9) == 0)
		n = 9;
	else if (strncmp(a, "[::1]", 5) == 0)
		n = 5;
	else
		return 0;
	return a[n] == '\0' || a[n] == ':' || a[n] == '/' || a[n] == '?';
}

/*
 * 1 when the authority at a (after "scheme://") has no userinfo and, if
 * it has a port, only 1-5 digits before the path or query.
 */
static int
authority_ok(const char *a)
{
	size_t n = strcspn(a, "/?"), i, colon;

	if (memchr(a, '@', n) != NULL)
		return 0;
	for (colon = n; colon > 0 && a[colon - 1] != ':' && a[colon - 1] != ']';
	    colon--)
		continue;
	if (colon == 0 || a[colon - 1] != ':')
		return 1;	/* no port */
	if (n - colon < 1 || n - colon > 5)
		return 0;
	for (i = colon; i < n; i++)
		if (a[i] < '0' || a[i] > '9')
			return 0;
	return 1;
}

enum auth_uri_err
auth_oauth_redirect_check(const char *uri)
{
	size_t n, i, sl;

	if (uri == NULL || *uri == '\0')
		return AUTH_URI_EMPTY;
	if ((n = strlen(uri)) > AUTH_OAUTH_URI_MAX)
		return AUTH_URI_TOO_LONG;
	for (i = 0; i < n; i++)
		if ((unsigned char)uri[i] <= 0x20 ||
		    (unsigned char)uri[i] >= 0x7f)
			return AUTH_URI_BAD_CHAR;
	if (strchr(uri, '#') != NULL)
		return AUTH_URI_FRAGMENT;
	if ((sl = scheme_len(uri)) == 0)
		return AUTH_URI_SCHEME;
	if (sl == 5 && strncmp(uri, "https", 5) == 0) {
		if (strncmp(uri + 5, "://", 3) != 0 || uri[8] == '\0' ||
		    uri[8] == '/' || uri[8] == '?')
			return AUTH_URI_NO_HOST;
		return authority_ok(uri + 8) ? AUTH_URI_OK : AUTH_URI_USERINFO;
	}
	if (sl == 4 && strncmp(uri, "http", 4) == 0) {
		if (strncmp(uri + 4, "://", 3) != 0 || uri[7] == '\0' ||
		    uri[7] == '/')
			return AUTH_URI_NO_HOST;
		if (!authority_ok(uri + 7))
			return AUTH_URI_USERINFO;
		return loopback_host(uri + 7) ? AUTH_URI_OK : AUTH_URI_SCHEME;
	}
	/* Private-use URI scheme (RFC 8252 §7.1): reverse domain name. */
	if (memchr(uri, '.', sl) != NULL)
		return AUTH_URI_OK;
	return AUTH_URI_SCHEME;
}

int
auth_oauth_loopback_strip(const char *uri, char *out, size_t cap)
{
	const char *host, *port, *end;
	size_t hl, rest;

	if (strncmp(uri, "http://", 7) != 0)
		return 0;
	host = uri + 7;
	if (strncmp(host, "127.0.0.1:", 10) == 0)
		hl = 9;
	else if (strncmp(host, "[::1]:", 6) == 0)
		hl = 5;
	else
		return 0;
	port = host + hl + 1;
	for (end = port; *end >= '0' && *end <= '9'; end++)
		continue;
	if (end == port || end - port > 5 ||
	    (*end != '\0' && *end != '/' && *end != '?'))
		return 0;
	rest = strlen(end);
	if (7 + hl + rest + 1 > cap)
		return -1;
	memcpy(out, uri, 7 + hl);
	memcpy(out + 7 + hl, end, rest + 1);
	return 1;
}

int
auth_oauth_code_expired(int64_t exp_us, int64_t now_us)
{
	return exp_us <= now_us;
}

int
auth_oauth_is_jws(const char *s, size_t n)
{
	size_t i, dots = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '.')
			dots++;
		else if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return 0;
	}
	return dots == 2;
}

int
auth_oauth_dup_param(const struct mg_kv *kv, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (strcmp(kv[i].key, kv[j].key) == 0)
				return (int)i;
	return -1;
}

void
auth_oauth_redirect_build(struct mg_buf *b, const char *redirect_uri,
    const char *const *pairs)
{
	char sep = strchr(redirect_uri, '?') != NULL ? '&' : '?';

	mg_buf_puts(b, redirect_uri);
	for (; pairs[0] != NULL; pairs += 2) {
		if (pairs[1] == NULL)
			continue;
		mg_buf_append(b, &sep, 1);
		mg_buf_urlencode(b, pairs[0]);
		mg_buf_puts(b, "=");
		mg_buf_urlencode(b, pairs[1]);
		sep = '&';
	}
}

int
auth_oauth_basic_parse(const char *h, char *id, size_t idcap, char *secret,
    size_t scap)
{
	unsigned char dec[512];
	const char *p;
	char *colon;
	int n;
	size_t il, sl;

	if (h == NULL || strncasecmp(h, "Basic ", 6) != 0)
		return -1;
	p = h + 6;
	if (strlen(p) == 0 || strlen(p) > 680)
		return -1;
	if ((n = mg_unb64(p, strlen(p), 1, dec, sizeof(dec) - 1)) <= 0)
		return -1;
	dec[n] = '\0';
	if (memchr(dec, '\0', (size_t)n) != NULL ||
	    (colon = strchr((char *)dec, ':')) == NULL)
		return -1;
	il = (size_t)(colon - (char *)dec);
	sl = (size_t)n - il - 1;
	if (il == 0 || il >= idcap || sl >= scap)
		return -1;
	memcpy(id, dec, il);
	id[il] = '\0';
	memcpy(secret, colon + 1, sl);
	secret[sl] = '\0';
	return 0;
}
