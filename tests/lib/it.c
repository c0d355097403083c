#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "it.h"

struct sink {
	char	*data;
	size_t	 len;
};

static size_t
collect(char *p, size_t sz, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t add = sz * n;
	char *d = realloc(s->data, s->len + add + 1);

	if (d == NULL)
		return 0;
	memcpy(d + s->len, p, add);
	s->len += add;
	d[s->len] = '\0';
	s->data = d;
	return add;
}

const char *
it_base(void)
{
	const char *b = getenv("MG_TEST_BASE");

	return b ? b : "http://127.0.0.1:8080";
}

int
it_req(struct it_resp *r, const char *method, const char *url,
    const char *const *hdrs, const char *body, size_t len)
{
	CURL *c;
	struct curl_slist *h = NULL;
	struct sink b = { NULL, 0 }, hd = { NULL, 0 };
	CURLcode rc;

	memset(r, 0, sizeof(*r));
	if ((c = curl_easy_init()) == NULL)
		return -1;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &hd);
	if (getenv("MG_TEST_INSECURE") != NULL) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	for (; hdrs != NULL && *hdrs != NULL; hdrs++)
		h = curl_slist_append(h, *hdrs);
	h = curl_slist_append(h, "Expect:");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	r->body = b.data ? b.data : calloc(1, 1);
	r->len = b.len;
	r->headers = hd.data ? hd.data : calloc(1, 1);
	if (r->len > 0)
		r->json = json_tokener_parse(r->body);
	return rc == CURLE_OK ? 0 : -1;
}

static int
req_key(struct it_resp *r, const char *method, const char *path,
    const char *key, const char *body)
{
	char *url, auth[512];
	const char *hdrs[3] = { NULL, NULL, NULL };
	int n = 0, rc;

	if (asprintf(&url, "%s%s", it_base(), path) < 0)
		return -1;
	if (key != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
		hdrs[n++] = auth;
	}
	if (body != NULL)
		hdrs[n++] = "Content-Type: application/json";
	rc = it_req(r, method, url, hdrs, body, body ? strlen(body) : 0);
	free(url);
	return rc;
}

int
it_get(struct it_resp *r, const char *path, const char *key)
{
	return req_key(r, "GET", path, key, NULL);
}

int
it_post(struct it_resp *r, const char *path, const char *key, const char *body)
{
	return req_key(r, "POST", path, key, body ? body : "");
}

void
it_free(struct it_resp *r)
{
	free(r->body);
	free(r->headers);
	json_object_put(r->json);
	memset(r, 0, sizeof(*r));
}

int
it_header(const struct it_resp *r, const char *name, char *buf, size_t cap)
{
	const char *p = r->headers, *eol;
	size_t n = strlen(name), vl;

	while (p != NULL && *p != '\0') {
		eol = strstr(p, "\r\n");
		if (eol == NULL)
			eol = p + strlen(p);
		if ((size_t)(eol - p) > n && strncasecmp(p, name, n) == 0 &&
		    p[n] == ':') {
			p += n + 1;
			while (*p == ' ')
				p++;
			vl = (size_t)(eol - p);
			if (vl >= cap)
				vl = cap - 1;
			memcpy(buf, p, vl);
			buf[vl] = '\0';
			return 0;
		}
		p = *eol ? eol + 2 : eol;
	}
	return -1;
}

static json_object *
at(const struct it_resp *r, const char *path)
{
	char buf[256], *tok, *save;
	json_object *o = r->json, *n;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok != NULL && o != NULL;
	    tok = strtok_r(NULL, ".", &save)) {
		if (json_object_is_type(o, json_type_array) &&
		    isdigit((unsigned char)tok[0]))
			o = json_object_array_get_idx(o, (size_t)strtoul(tok, NULL, 10));
		else if (json_object_object_get_ex(o, tok, &n))
			o = n;
		else
			return NULL;
	}
	return o;
}

const char *
it_str(const struct it_resp *r, const char *path)
{
	json_object *o = at(r, path);

	return o && json_object_is_type(o, json_type_string) ?
	    json_object_get_string(o) : NULL;
}

long long
it_int(const struct it_resp *r, const char *path, long long def)
{
	json_object *o = at(r, path);

	return o && json_object_is_type(o, json_type_int) ?
	    (long long)json_object_get_int64(o) : def;
}

static json_object *
vmgctl(int *status, const char *fmt, va_list ap)
{
	char args[2048], cmd[2300], out[8192];
	FILE *p;
	size_t n;
	int st;

	vsnprintf(args, sizeof(args), fmt, ap);
	snprintf(cmd, sizeof(cmd), "%s/build/bin/mgctl --json %s 2>/dev/null",
	    getenv("MG_TEST_ROOT") ? getenv("MG_TEST_ROOT") : ".", args);
	if ((p = popen(cmd, "r")) == NULL)
		return NULL;
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	st = pclose(p);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 255;
	return n ? json_tokener_parse(out) : NULL;
}

json_object *
it_mgctl(const char *fmt, ...)
{
	va_list ap;
	json_object *o;
	int st;

	va_start(ap, fmt);
	o = vmgctl(&st, fmt, ap);
	va_end(ap);
	if (st != 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

int
it_mgctl_status(const char *fmt, ...)
{
	va_list ap;
	json_object *o;
	int st;

	va_start(ap, fmt);
	o = vmgctl(&st, fmt, ap);
	va_end(ap);
	json_object_put(o);
	return st;
}

static int
copy_field(json_object *o, const char *k, char *buf, size_t cap)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, k, &v))
		return -1;
	snprintf(buf, cap, "%s", json_object_get_string(v));
	return 0;
}

int
it_workspace(struct it_ws *w, const char *scopes, const char *dialect)
{
	json_object *o;
	int rc;

	memset(w, 0, sizeof(*w));
	o = it_mgctl("tenant create it-tenant");
	rc = copy_field(o, "id", w->tenant, sizeof(w->tenant));
	json_object_put(o);
	if (rc != 0)
		return -1;
	o = it_mgctl("workspace create %s it-ws", w->tenant);
	rc = copy_field(o, "id", w->ws, sizeof(w->ws));
	json_object_put(o);
	if (rc != 0)
		return -1;
	o = it_mgctl("key create %s --scopes %s --dialect %s --label it", w->ws,
	    scopes ? scopes : "generate,read,admin", dialect ? dialect : "studio");
	rc = copy_field(o, "key", w->key, sizeof(w->key)) |
	    copy_field(o, "id", w->key_id, sizeof(w->key_id));
	json_object_put(o);
	return rc;
}

void
it_worker_pids(const char *module, char *buf, size_t cap)
{
	char cmd[1024];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd), "ps -o pid= --ppid \"$(cat %s/%s.pid)\" "
	    "| sort -n | tr -s ' \\n' ' '", getenv("MG_RUN_DIR") ?
	    getenv("MG_RUN_DIR") : "var/run", module);
	buf[0] = '\0';
	if ((p = popen(cmd, "r")) == NULL)
		return;
	n = fread(buf, 1, cap - 1, p);
	buf[n] = '\0';
	pclose(p);
}
