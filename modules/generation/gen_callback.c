#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "gen_callback.h"
#include "mg_config.h"
#include "mg_crypto.h"

static const char *const errs[GEN_CB_E__MAX] = {
	"ok",						/* GEN_CB_OK */
	"callback URL must be an absolute http(s) URL",	/* GEN_CB_E_URL */
	"callback host does not resolve",		/* GEN_CB_E_RESOLVE */
	"callback host resolves to a refused address",	/* GEN_CB_E_BLOCKED */
	"callback transport failure",			/* GEN_CB_E_SEND */
	"callback receiver answered non-2xx",		/* GEN_CB_E_STATUS */
};

static const char *const class_names[GEN_ADDR__MAX] = {
	"public",		/* GEN_ADDR_PUBLIC */
	"loopback",		/* GEN_ADDR_LOOPBACK */
	"private",		/* GEN_ADDR_PRIVATE */
	"cgnat",		/* GEN_ADDR_CGNAT */
	"link_local",		/* GEN_ADDR_LINKLOCAL */
	"multicast",		/* GEN_ADDR_MULTICAST */
	"unspecified",		/* GEN_ADDR_UNSPECIFIED */
	"reserved",		/* GEN_ADDR_RESERVED */
};

const char *
gen_cb_strerror(enum gen_cb_err e)
{
	return e < GEN_CB_E__MAX ? errs[e] : "unknown";
}

const char *
gen_addr_class_name(enum gen_addr_class c)
{
	return c < GEN_ADDR__MAX ? class_names[c] : "unknown";
}

/* IPv4 ranges (IANA special-purpose registry, RFC 6890). */
static enum gen_addr_class
classify4(const unsigned char *a)
{
	if (a[0] == 0)
		return GEN_ADDR_UNSPECIFIED;			/* 0/8 */
	if (a[0] == 127)
		return GEN_ADDR_LOOPBACK;			/* 127/8 */
	if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
	    (a[0] == 192 && a[1] == 168))
		return GEN_ADDR_PRIVATE;			/* RFC 1918 */
	if (a[0] == 100 && (a[1] & 0xc0) == 64)
		return GEN_ADDR_CGNAT;				/* RFC 6598 */
	if (a[0] == 169 && a[1] == 254)
		return GEN_ADDR_LINKLOCAL;			/* RFC 3927 */
	if ((a[0] & 0xf0) == 224)
		return GEN_ADDR_MULTICAST;			/* 224/4 */
	if ((a[0] & 0xf0) == 240)
		return GEN_ADDR_RESERVED;			/* 240/4 + broadcast */
	if (a[0] == 192 && a[1] == 0 && (a[2] == 0 || a[2] == 2))
		return GEN_ADDR_RESERVED;			/* 192.0.0/24, TEST-NET-1 */
	if (a[0] == 198 && (a[1] & 0xfe) == 18)
		return GEN_ADDR_RESERVED;			/* 198.18/15 benchmarking */
	if ((a[0] == 198 && a[1] == 51 && a[2] == 100) ||
	    (a[0] == 203 && a[1] == 0 && a[2] == 113))
		return GEN_ADDR_RESERVED;			/* TEST-NET-2, -3 */
	return GEN_ADDR_PUBLIC;
}

enum gen_addr_class
gen_addr_classify(int family, const unsigned char *a)
{
	static const unsigned char zero[16];
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const unsigned char nat64[12] = { 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0 };

	if (a == NULL)
		return GEN_ADDR_RESERVED;
	if (family == AF_INET)
		return classify4(a);
	if (family != AF_INET6)
		return GEN_ADDR_RESERVED;
	if (memcmp(a, zero, 16) == 0)
		return GEN_ADDR_UNSPECIFIED;			/* :: */
	if (memcmp(a, zero, 15) == 0 && a[15] == 1)
		return GEN_ADDR_LOOPBACK;			/* ::1 */
	/* IPv4-mapped ::ffff:a.b.c.d, NAT64 64:ff9b::a.b.c.d (RFC 6052),
	 * deprecated IPv4-compatible ::a.b.c.d: judge the embedded IPv4. */
	if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0 ||
	    memcmp(a, zero, 12) == 0)
		return classify4(a + 12);
	if (a[0] == 0x20 && a[1] == 0x02)			/* 6to4 2002::/16 */
		return classify4(a + 2);
	if ((a[0] & 0xfe) == 0xfc)
		return GEN_ADDR_PRIVATE;			/* fc00::/7 ULA */
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return GEN_ADDR_LINKLOCAL;			/* fe80::/10 */
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0)
		return GEN_ADDR_RESERVED;			/* fec0::/10 site-local */
	if (a[0] == 0xff)
		return GEN_ADDR_MULTICAST;			/* ff00::/8 */
	if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8)
		return GEN_ADDR_RESERVED;			/* 2001:db8::/32 */
	if (a[0] == 0x01 && memcmp(a + 1, zero, 7) == 0)
		return GEN_ADDR_RESERVED;			/* 100::/64 discard */
	return GEN_ADDR_PUBLIC;
}

enum gen_addr_class
gen_addr_classify_str(const char *s)
{
	unsigned char b[16];

	if (s == NULL)
		return GEN_ADDR_RESERVED;
	if (inet_pton(AF_INET, s, b) == 1)
		return gen_addr_classify(AF_INET, b);
	if (inet_pton(AF_INET6, s, b) == 1)
		return gen_addr_classify(AF_INET6, b);
	return GEN_ADDR_RESERVED;
}

int
gen_cb_sign(const char *secret, int64_t t, const char *body, size_t len,
    char *buf, size_t cap)
{
	char ts[24], hex[65];
	unsigned char mac[32];
	size_t tl;
	int n;
	/* HMAC-SHA256 over "<t>.<body>". */
	char *msg;

	n = snprintf(ts, sizeof(ts), "%lld.", (long long)t);
	if (n < 0 || (size_t)n >= sizeof(ts))
		return -1;
	tl = (size_t)n;
	if ((msg = malloc(tl + len + 1)) == NULL)
		return -1;
	memcpy(msg, ts, tl);
	memcpy(msg + tl, body, len);
	mg_hmac_sha256(secret, strlen(secret), msg, tl + len, mac);
	free(msg);
	mg_hex(mac, sizeof(mac), hex);
	n = snprintf(buf, cap, "t=%lld,v1=%s", (long long)t, hex);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

void
gen_cb_workspace_secret(const char *ws, char out[65])
{
	const char *key = mg_cfg_str("callback_key", mg_cfg_str("link_secret", ""));
	char msg[128];
	unsigned char mac[32];
	int n;

	n = snprintf(msg, sizeof(msg), "callback:%s", ws);
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = (int)sizeof(msg) - 1;
	mg_hmac_sha256(key, strlen(key), msg, (size_t)n, mac);
	mg_hex(mac, sizeof(mac), out);
}

/* Split url into scheme/host/port with libcurl's parser. */
static enum gen_cb_err
parse_url(const char *url, char *host, size_t hcap, long *port, int *https)
{
	CURLU *u;
	char *scheme = NULL, *h = NULL, *p = NULL, *user = NULL;
	enum gen_cb_err rc = GEN_CB_E_URL;
	size_t n;

	if (url == NULL || (u = curl_url()) == NULL)
		return GEN_CB_E_URL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) != CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK)
		goto out;			/* user info: refused */
	if (strcmp(scheme, "http") == 0)
		*https = 0;
	else if (strcmp(scheme, "https") == 0)
		*https = 1;
	else
		goto out;
	/* IPv6 literals come bracketed: strip for resolution. */
	n = strlen(h);
	if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
		if (n - 2 >= hcap)
			goto out;
		memcpy(host, h + 1, n - 2);
		host[n - 2] = '\0';
	} else if ((size_t)snprintf(host, hcap, "%s", h) >= hcap)
		goto out;
	*port = strtol(p, NULL, 10);
	if (*port <= 0 || *port > 65535 || host[0] == '\0')
		goto out;
	rc = GEN_CB_OK;
out:
	curl_free(scheme);
	curl_free(h);
	curl_free(p);
	curl_free(user);
	curl_url_cleanup(u);
	return rc;
}

enum gen_cb_err
gen_cb_check(const char *url, int allow_private, struct gen_cb_result *res)
{
	struct addrinfo hints, *ai = NULL, *it;
	char host[256];
	long port;
	int https, first = 1;
	enum gen_addr_class c;
	enum gen_cb_err rc;
	unsigned char *bytes;

	memset(res, 0, sizeof(*res));
	if ((rc = parse_url(url, host, sizeof(host), &port, &https)) != GEN_CB_OK) {
		snprintf(res->error, sizeof(res->error), "%s", gen_cb_strerror(rc));
		return rc;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, NULL, &hints, &ai) != 0 || ai == NULL) {
		snprintf(res->error, sizeof(res->error), "%s",
		    gen_cb_strerror(GEN_CB_E_RESOLVE));
		return GEN_CB_E_RESOLVE;
	}
	/* Every address must pass: a name that answers one public and one
	 * private address is refused (the client could pick either). */
	for (it = ai; it != NULL; it = it->ai_next) {
		if (it->ai_family == AF_INET)
			bytes = (unsigned char *)&((struct sockaddr_in *)(void *)
			    it->ai_addr)->sin_addr;
		else if (it->ai_family == AF_INET6)
			bytes = (unsigned char *)&((struct sockaddr_in6 *)(void *)
			    it->ai_addr)->sin6_addr;
		else
			continue;
		c = gen_addr_classify(it->ai_family, bytes);
		if (c != GEN_ADDR_PUBLIC && !allow_private) {
			snprintf(res->error, sizeof(res->error),
			    "callback host resolves to a %s address",
			    gen_addr_class_name(c));
			freeaddrinfo(ai);
			return GEN_CB_E_BLOCKED;
		}
		if (first) {
			inet_ntop(it->ai_family, bytes, res->address,
			    sizeof(res->address));
			first = 0;
		}
	}
	freeaddrinfo(ai);
	if (first) {
		snprintf(res->error, sizeof(res->error), "%s",
		    gen_cb_strerror(GEN_CB_E_RESOLVE));
		return GEN_CB_E_RESOLVE;
	}
	return GEN_CB_OK;
}

/* Discard the receiver's body. */
static size_t
sink(char *p, size_t sz, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return sz * n;
}

enum gen_cb_err
gen_cb_post(const char *url, const char *secret, const char *event,
    const char *delivery_id, const char *body, size_t len,
    struct gen_cb_result *res)
{
	CURL *c = NULL;
	struct curl_slist *hdrs = NULL, *resolve = NULL;
	char host[256], pin[400], h[256], sig[128];
	long port, status = 0;
	int https, allow;
	enum gen_cb_err rc;
	CURLcode cc;

	allow = mg_cfg_bool("allow_private_callbacks", 0);
	if ((rc = gen_cb_check(url, allow, res)) != GEN_CB_OK)
		return rc;
	if (parse_url(url, host, sizeof(host), &port, &https) != GEN_CB_OK)
		return GEN_CB_E_URL;
	/* Pin host:port to the checked address (DNS rebinding). */
	if (strchr(res->address, ':') != NULL)
		snprintf(pin, sizeof(pin), "%s:%ld:[%s]", host, port, res->address);
	else
		snprintf(pin, sizeof(pin), "%s:%ld:%s", host, port, res->address);
	if (gen_cb_sign(secret, (int64_t)time(NULL), body, len, sig, sizeof(sig)) != 0) {
		snprintf(res->error, sizeof(res->error), "signing failed");
		return GEN_CB_E_SEND;
	}
	rc = GEN_CB_E_SEND;
	if ((c = curl_easy_init()) == NULL)
		goto out;
	if ((resolve = curl_slist_append(NULL, pin)) == NULL)
		goto out;
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	snprintf(h, sizeof(h), "X-Mediagate-Signature: %s", sig);
	hdrs = curl_slist_append(hdrs, h);
	snprintf(h, sizeof(h), "X-Mediagate-Event: %s", event);
	hdrs = curl_slist_append(hdrs, h);
	snprintf(h, sizeof(h), "X-Mediagate-Delivery: %s", delivery_id);
	hdrs = curl_slist_append(hdrs, h);
	hdrs = curl_slist_append(hdrs, "Expect:");
	if (hdrs == NULL)
		goto out;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_RESOLVE, resolve);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "mediagate-callback/1");
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT,
	    (long)mg_cfg_int("callback_timeout_s", 10));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	if ((cc = curl_easy_perform(c)) != CURLE_OK) {
		snprintf(res->error, sizeof(res->error), "%s",
		    curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	res->http_status = status;
	if (status >= 200 && status < 300)
		rc = GEN_CB_OK;
	else {
		snprintf(res->error, sizeof(res->error), "HTTP %ld", status);
		rc = GEN_CB_E_STATUS;
	}
out:
	curl_slist_free_all(hdrs);
	curl_slist_free_all(resolve);
	if (c != NULL)
		curl_easy_cleanup(c);
	return rc;
}

struct fetch_sink {
	FILE	*f;
	int64_t	 n, max;
};

static size_t
fetch_write(char *p, size_t sz, size_t n, void *arg)
{
	struct fetch_sink *k = arg;
	size_t len = sz * n;

	if (k->n + (int64_t)len > k->max)
		return 0;	/* too large: abort the transfer */
	if (fwrite(p, 1, len, k->f) != len)
		return 0;
	k->n += (int64_t)len;
	return len;
}

enum gen_cb_err
gen_cb_fetch(const char *url, const char *path, int64_t max,
    struct gen_cb_result *res)
{
	CURL *c = NULL;
	struct curl_slist *resolve = NULL;
	struct fetch_sink k = { NULL, 0, max };
	char host[256], pin[400], tmp[600];
	long port, status = 0;
	int https;
	enum gen_cb_err rc;
	CURLcode cc;

	if ((rc = gen_cb_check(url, mg_cfg_bool("allow_private_callbacks", 0),
	    res)) != GEN_CB_OK)
		return rc;
	if (parse_url(url, host, sizeof(host), &port, &https) != GEN_CB_OK)
		return GEN_CB_E_URL;
	if (strchr(res->address, ':') != NULL)
		snprintf(pin, sizeof(pin), "%s:%ld:[%s]", host, port, res->address);
	else
		snprintf(pin, sizeof(pin), "%s:%ld:%s", host, port, res->address);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return GEN_CB_E_SEND;
	rc = GEN_CB_E_SEND;
	if ((k.f = fopen(tmp, "wb")) == NULL) {
		snprintf(res->error, sizeof(res->error), "cannot write the source");
		return GEN_CB_E_SEND;
	}
	if ((c = curl_easy_init()) == NULL ||
	    (resolve = curl_slist_append(NULL, pin)) == NULL)
		goto out;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_RESOLVE, resolve);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "mediagate-fetch/1");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
	    (long)mg_cfg_int("prov_connect_timeout_s", 10));
	curl_easy_setopt(c, CURLOPT_TIMEOUT,
	    (long)mg_cfg_int("prov_download_timeout_s", 300));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fetch_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &k);
	if ((cc = curl_easy_perform(c)) != CURLE_OK) {
		snprintf(res->error, sizeof(res->error), "%s",
		    cc == CURLE_WRITE_ERROR ? "source larger than allowed" :
		    curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	res->http_status = status;
	if (status < 200 || status >= 300) {
		snprintf(res->error, sizeof(res->error), "source answered HTTP %ld", status);
		rc = GEN_CB_E_STATUS;
		goto out;
	}
	rc = GEN_CB_OK;
out:
	if (fclose(k.f) != 0 && rc == GEN_CB_OK)
		rc = GEN_CB_E_SEND;
	if (rc == GEN_CB_OK && rename(tmp, path) != 0)
		rc = GEN_CB_E_SEND;
	if (rc != GEN_CB_OK)
		unlink(tmp);
	curl_slist_free_all(resolve);
	if (c != NULL)
		curl_easy_cleanup(c);
	return rc;
}
