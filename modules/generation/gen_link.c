/*
 * gen_link: nginx secure_link signatures (see gen_link.h and
 * https://nginx.org/en/docs/http/ngx_http_secure_link_module.html,
 * secure_link_md5).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "gen_link.h"
#include "mg_config.h"
#include "mg_crypto.h"

static const char *const errs[GEN_LINK__MAX] = {
	"ok",
	"link_secret is not configured",
	"unsafe output path",
	"buffer too small",
};

const char *
gen_link_strerror(enum gen_link_err e)
{
	return e < GEN_LINK__MAX ? errs[e] : "unknown";
}

/* 1 when path is relative, non-empty, of safe characters, without "..". */
static int
path_ok(const char *p)
{
	const char *s;

	if (p == NULL || *p == '\0' || *p == '/' || strlen(p) > 400)
		return 0;
	for (s = p; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' ||
		    *s == '-' || *s == '/'))
			return 0;
	return strstr(p, "..") == NULL && strstr(p, "//") == NULL;
}

enum gen_link_err
gen_link_sign_with(const char *secret, const char *path, int64_t expires,
    char *out, size_t cap)
{
	char msg[600], m[32];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int n;

	if (secret == NULL || *secret == '\0')
		return GEN_LINK_E_NO_SECRET;
	if (!path_ok(path))
		return GEN_LINK_E_PATH;
	n = snprintf(msg, sizeof(msg), "%lld/files/%s %s", (long long)expires,
	    path, secret);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return GEN_LINK_E_PATH;
	if (EVP_Digest(msg, (size_t)n, md, &mdlen, EVP_md5(), NULL) != 1 ||
	    mdlen != 16)
		return GEN_LINK_E_SPACE;
	mg_b64url(md, mdlen, m, sizeof(m));
	n = snprintf(out, cap, "/files/%s?expires=%lld&md5=%s", path,
	    (long long)expires, m);
	if (n < 0 || (size_t)n >= cap)
		return GEN_LINK_E_SPACE;
	return GEN_LINK_OK;
}

enum gen_link_err
gen_link_sign(const char *path, int64_t expires, char *out, size_t cap)
{
	return gen_link_sign_with(mg_cfg_str("link_secret", NULL), path,
	    expires, out, cap);
}

int64_t
gen_link_expires(int64_t now, int64_t min_ttl)
{
	int64_t ttl = mg_cfg_int("link_ttl", 3600);

	if (ttl < min_ttl)
		ttl = min_ttl;
	if (ttl < 60)
		ttl = 60;
	return now + ttl;
}
