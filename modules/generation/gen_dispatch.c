/*
 * gen_dispatch: claim, run, settle; timers. See gen_dispatch.h.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "catalog.h"
#include "catalog_price.h"
#include "db.h"
#include "gen_callback.h"
#include "gen_dispatch.h"
#include "gen_files.h"
#include "gen_job.h"
#include "gen_link.h"
#include "mg_buf.h"
#include "mg_config.h"
#include "mg_crypto.h"
#include "mg_log.h"
#include "mg_util.h"
#include "wallet.h"

#define MAX_INPUTS	PROV_MAX_INPUTS

/*
 * The ledger's auto-recharge hook (modules/wallet): weak, so this builds
 * without it; called after a capture has committed when linked in.
 */
enum wallet_err	 wallet_autorecharge_check(struct db_conn *, const char *)
		    __attribute__((weak));

/* ---- configuration -------------------------------------------------------- */

void
gen_disp_cfg_owner(struct gen_disp_cfg *c)
{
	char host[64];
	unsigned char r[4];
	char hex[9];

	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "host");
	host[sizeof(host) - 1] = '\0';
	mg_random(r, sizeof(r));
	mg_hex(r, sizeof(r), hex);
	snprintf(c->owner, sizeof(c->owner), "%.60s:%ld:%s", host,
	    (long)getpid(), hex);
}

static int64_t
cfg_range(const char *key, int64_t def, int64_t min, int64_t max)
{
	int64_t v = mg_cfg_int(key, def);

	return v < min ? min : v > max ? max : v;
}

void
gen_disp_cfg_load(struct gen_disp_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->slots = cfg_range("dispatch_slots", 4, 1, 256);
	c->lease_s = cfg_range("job_lease_s", 30, 3, 3600);
	c->job_timeout_s = cfg_range("job_timeout_s", 600, 1, 86400);
	c->max_attempts = cfg_range("job_max_attempts", 3, 1, 100);
	c->retry_base_s = cfg_range("job_retry_base_s", 2, 0, 3600);
	c->retry_max_s = cfg_range("job_retry_max_s", 300, 0, 86400);
	c->poll_ms = cfg_range("dispatch_poll_ms", 200, 10, 60000);
	c->prov_poll_min_ms = cfg_range("provider_poll_min_ms", 500, 10, 60000);
	c->prov_poll_max_ms = cfg_range("provider_poll_max_ms", 5000,
	    c->prov_poll_min_ms, 300000);
	c->circuit_threshold = cfg_range("circuit_threshold", 5, 1, 100000);
	c->circuit_cooldown_s = cfg_range("circuit_cooldown_s", 60, 1, 86400);
	c->circuit_local = mg_cfg_bool("circuit_local", 0);
	c->output_ttl_h = cfg_range("output_ttl_h", 72, 1, 24 * 365);
	c->cb_max_attempts = cfg_range("callback_max_attempts", 8, 1, 100);
	c->cb_base_s = cfg_range("callback_retry_base_s", 5, 1, 3600);
	c->test_markers = mg_cfg_bool("dispatch_test_markers", 0);
	gen_disp_cfg_owner(c);
}

/* ---- pure helpers ------------------------------------------------------------ */

int64_t
gen_disp_backoff_s(int64_t attempt, int64_t base, int64_t max)
{
	int64_t d = base;

	if (attempt < 1)
		attempt = 1;
	while (--attempt > 0 && d < max)
		d *= 2;
	return d > max ? max : d;
}

enum gen_disp_class
gen_disp_classify(enum prov_err e, enum prov_op op)
{
	if (e == PROV_E_MODERATION)
		return GEN_DISP_MODERATION;
	switch (prov_err_retry(e, op)) {
	case PROV_RETRY_YES:
		return GEN_DISP_RETRY;
	case PROV_RETRY_UNKNOWN:
		return GEN_DISP_UNKNOWN;
	default:
		return GEN_DISP_FAIL;
	}
}

const char *
gen_disp_error_code(enum prov_err e)
{
	switch (e) {
	case PROV_OK:		return "ok";
	case PROV_E_CONNECT:	return "provider_unreachable";
	case PROV_E_RATE_LIMIT:	return "provider_rate_limited";
	case PROV_E_UNAVAILABLE: return "provider_unavailable";
	case PROV_E_TIMEOUT:	return "provider_timeout";
	case PROV_E_SERVER:	return "provider_error";
	case PROV_E_PROTOCOL:	return "provider_protocol_error";
	case PROV_E_SYSTEM:	return "internal_error";
	case PROV_E_INVALID:	return "invalid_job";
	case PROV_E_REJECTED:	return "provider_rejected";
	case PROV_E_AUTH:	return "provider_auth";
	case PROV_E_QUOTA:	return "provider_quota";
	case PROV_E_NOT_FOUND:	return "provider_not_found";
	case PROV_E_MODERATION:	return "nsfw_blocked";
	case PROV_E_FAILED:	return "generation_failed";
	case PROV_E_CANCELED:	return "provider_canceled";
	case PROV_E_TOO_LARGE:	return "output_too_large";
	case PROV_E_UNSUPPORTED: return "unsupported";
	default:		return "internal_error";
	}
}

int
gen_disp_circuit_counts(enum prov_err e)
{
	switch (e) {
	case PROV_E_CONNECT:
	case PROV_E_UNAVAILABLE:
	case PROV_E_TIMEOUT:
	case PROV_E_SERVER:
	case PROV_E_PROTOCOL:
		return 1;
	default:
		return 0;
	}
}

int
gen_disp_route(const char *routes, const char *model, char *buf, size_t cap)
{
	const char *p = routes, *eq, *end;
	size_t ml;

	if (routes == NULL || model == NULL || cap == 0)
		return -1;
	ml = strlen(model);
	while (*p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq != NULL && (size_t)(eq - p) == ml &&
		    memcmp(p, model, ml) == 0 && end - eq - 1 > 0 &&
		    (size_t)(end - eq - 1) < cap) {
			memcpy(buf, eq + 1, (size_t)(end - eq - 1));
			buf[end - eq - 1] = '\0';
			return 0;
		}
		p = end;
	}
	return -1;
}

int
gen_disp_marker(const char *prompt, char *buf, size_t cap)
{
	static const char tag[] = "[[provider:";
	const char *p, *e;
	size_t n;

	if (prompt == NULL || (p = strstr(prompt, tag)) == NULL)
		return -1;
	p += sizeof(tag) - 1;
	if ((e = strstr(p, "]]")) == NULL)
		return -1;
	n = (size_t)(e - p);
	if (n == 0 || n >= cap)
		return -1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return 0;
}

/* Integer member or def; -1 on a non-integer value. */
static int
jint(json_object *o, const char *key, int64_t min, int64_t max, int64_t def,
    int64_t *out)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null)) {
		*out = def;
		return 0;
	}
	if (!json_object_is_type(v, json_type_int))
		return -1;
	*out = json_object_get_int64(v);
	return *out < min || *out > max ? -1 : 0;
}

/* String member or NULL; -1 when present and not a string. */
static int
jstr(json_object *o, const char *key, const char **out)
{
	json_object *v;

	*out = NULL;
	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -1;
	*out = json_object_get_string(v);
	return 0;
}

int
gen_disp_params(const char *params, const char *root, struct prov_job *job,
    json_object **hold, char (*inputs)[512], const char **inputv,
    size_t maxin, struct gen_disp_sources *src, char *err, size_t errlen)
{
	/* Indexed like enum prov_kind. */
	static const char *const kinds[] = { "image", "video", "audio", "3d",
	    "compose", "training", "annotation" };
	json_object *o, *v;
	const char *s;
	int64_t n;
	size_t i, cnt;

	memset(job, 0, sizeof(*job));
	memset(src, 0, sizeof(*src));
	*hold = NULL;
	o = params != NULL ? json_tokener_parse(params) : NULL;
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);	/* NULL-safe: a non-object parsed */
		snprintf(err, errlen, "params: not a JSON object");
		return -1;
	}
	*hold = o;
	if (jstr(o, "kind", &s) != 0 || s == NULL) {
		snprintf(err, errlen, "params.kind: required string");
		return -1;
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(s, kinds[i]) == 0)
			break;
	if (i == sizeof(kinds) / sizeof(kinds[0])) {
		snprintf(err, errlen, "params.kind: unknown kind");
		return -1;
	}
	job->kind = (enum prov_kind)i;
	/* Annotating a reference audio is not speech: no text, JSON out. */
	if (jstr(o, "job_type", &s) == 0 && s != NULL &&
	    strcmp(s, "audio.annotation.reference") == 0)
		job->kind = PROV_KIND_ANNOTATION;
	if (jstr(o, "compose", &s) != 0) {
		snprintf(err, errlen, "params.compose: must be a string");
		return -1;
	}
	job->compose = s != NULL && strcmp(s, "resize") == 0 ?
	    PROV_COMPOSE_RESIZE : PROV_COMPOSE_CONCAT;
	if (jstr(o, "prompt", &job->prompt) != 0 || jstr(o, "voice", &job->voice) != 0 ||
	    jstr(o, "format", &job->format) != 0) {
		snprintf(err, errlen, "params: prompt, voice and format must be strings");
		return -1;
	}
	if (jint(o, "width", 0, PROV_DIM_MAX, 0, &n) != 0)
		goto bad_int;
	job->width = (int)n;
	if (jint(o, "height", 0, PROV_DIM_MAX, 0, &n) != 0)
		goto bad_int;
	job->height = (int)n;
	if (jint(o, "duration_s", 0, PROV_DURATION_MAX, 0, &n) != 0)
		goto bad_int;
	job->duration_s = (int)n;
	if (jint(o, "count", 0, PROV_COUNT_MAX, 0, &n) != 0)
		goto bad_int;
	job->count = (int)n;
	if (json_object_object_get_ex(o, "seed", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_int))
			goto bad_int;
		job->seed = json_object_get_int64(v);
		job->has_seed = 1;
	}
	if (json_object_object_get_ex(o, "extra", &v) &&
	    json_object_is_type(v, json_type_object))
		job->extra_json = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
	if (json_object_object_get_ex(o, "inputs", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_array) ||
		    (cnt = json_object_array_length(v)) > maxin) {
			snprintf(err, errlen, "params.inputs: at most %zu paths", maxin);
			return -1;
		}
		for (i = 0; i < cnt; i++) {
			s = json_object_get_string(json_object_array_get_idx(v, i));
			if (s == NULL || !gen_files_rel_ok(s) ||
			    (size_t)snprintf(inputs[i], 512, "%s/%s", root, s) >= 512) {
				snprintf(err, errlen, "params.inputs[%zu]: bad path", i);
				return -1;
			}
			inputv[i] = inputs[i];
		}
		job->inputs = inputv;
		job->ninputs = cnt;
	}
	if (json_object_object_get_ex(o, "urls", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		json_object *it, *u;

		if (!json_object_is_type(v, json_type_array) ||
		    (cnt = json_object_array_length(v)) + job->ninputs > maxin) {
			snprintf(err, errlen, "params.urls: at most %zu sources", maxin);
			return -1;
		}
		for (i = 0; i < cnt; i++) {
			it = json_object_array_get_idx(v, i);
			u = it;
			if (json_object_is_type(it, json_type_object) &&
			    !json_object_object_get_ex(it, "url", &u))
				u = NULL;
			if (u == NULL || !json_object_is_type(u, json_type_string)) {
				snprintf(err, errlen, "params.urls[%zu]: no url", i);
				return -1;
			}
			src->urls[src->nurls++] = json_object_get_string(u);
		}
	}
	if (json_object_object_get_ex(o, "segments", &v) &&
	    json_object_is_type(v, json_type_array))
		src->segments = v;
	return 0;
bad_int:
	snprintf(err, errlen, "params: width, height, duration_s, count, seed must be integers in range");
	return -1;
}

int64_t
gen_disp_actual(const struct catalog *cat, const char *version,
    const char *price_req, int64_t hold, const struct prov_result *res,
    char *why, size_t whylen)
{
	struct catalog_price_req req;
	struct catalog_quote q;
	json_object *o;
	enum catalog_price_err pe;
	char err[192];
	int64_t ms, count;

	why[0] = '\0';
	if (cat == NULL || version == NULL || strcmp(catalog_version(cat), version) != 0) {
		snprintf(why, whylen, "catalog version changed: captured the hold");
		return hold;
	}
	if ((o = json_tokener_parse(price_req)) == NULL) {
		snprintf(why, whylen, "price_req unreadable: captured the hold");
		return hold;
	}
	pe = catalog_price_req_from_json("price_req", o, &req, err, sizeof(err));
	json_object_put(o);
	if (pe != CATALOG_PRICE_OK) {
		snprintf(why, whylen, "price_req: %s: captured the hold", err);
		return hold;
	}
	/* Delivered units, never more than asked for. */
	if (res != NULL && res->units.images > 0) {
		count = req.count > 0 ? req.count : 1;
		if (res->units.images < count)
			req.count = (int32_t)res->units.images;
	}
	if (res != NULL && res->units.duration_ms > 0 && req.duration_ms > 0) {
		ms = (res->units.duration_ms + 999) / 1000 * 1000;
		if (ms < req.duration_ms)
			req.duration_ms = ms;
	}
	pe = catalog_price(cat, &req, &q);
	if (pe != CATALOG_PRICE_OK) {
		snprintf(why, whylen, "re-price failed (%s): captured the hold",
		    catalog_price_code(pe));
		return hold;
	}
	if (q.total_micros > hold)
		return hold;
	return q.total_micros < 0 ? 0 : q.total_micros;
}

/* ---- claim --------------------------------------------------------------------- */

struct claim_arg {
	const struct gen_disp_cfg	*cfg;
	char				 id[37];
	int				 got;
};

static int
claim_tx(struct db_conn *db, void *arg)
{
	struct claim_arg *a = arg;
	enum db_err e;

	a->got = 0;
	e = db_row(db, DB_DISP_CLAIM_PICK, "", "s", a->id, sizeof(a->id));
	if (e == DB_NOROW)
		return DB_OK;
	if (e != DB_OK)
		return e;
	if ((e = db_exec(db, DB_DISP_CLAIM_SET, "sis", a->cfg->owner,
	    a->cfg->lease_s, a->id)) != DB_OK)
		return e;
	a->got = db_affected(db, DB_DISP_CLAIM_SET) == 1;
	return DB_OK;
}

int
gen_disp_claim(struct db_conn *db, const struct gen_disp_cfg *cfg, char id[37])
{
	struct claim_arg a;
	int rc;

	memset(&a, 0, sizeof(a));
	a.cfg = cfg;
	rc = db_tx(db, claim_tx, &a);
	if (rc != DB_OK) {
		mg_log(MG_LOG_WARN, "claim: %s", db_strerror((enum db_err)rc));
		return -1;
	}
	if (!a.got)
		return 0;
	snprintf(id, 37, "%s", a.id);
	return 1;
}

/* ---- running one attempt in a child ---------------------------------------- */

enum msg_type { MSG_RID = 'R', MSG_DONE = 'D' };

/* What the child reports (same binary, same machine: sent raw). */
struct child_msg {
	char			type;
	enum prov_op		op;		/* the call that failed */
	enum prov_err		rc;
	struct prov_result	res;
	struct prov_error	err;
};

static int
write_full(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* 0 on a full message, 1 at EOF before any byte, -1 on error/short. */
static int
read_full(int fd, void *p, size_t n)
{
	char *c = p;
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, c + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			return got == 0 ? 1 : -1;
		if (r < 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static void
sleep_ms(int64_t ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/*
 * The child: run the provider to a terminal state, reporting the request
 * id as soon as there is one. Never touches the database; ends with _exit.
 */
/* The extension of a URL's last path segment (".png"), or ".bin". */
static void
url_ext(const char *url, char *buf, size_t cap)
{
	const char *q = url + strcspn(url, "?#"), *p = q, *dot = NULL;
	size_t n;

	while (p > url && p[-1] != '/') {
		p--;
		if (*p == '.' && dot == NULL)
			dot = p;
	}
	n = dot != NULL ? (size_t)(q - dot) : 0;
	if (dot == NULL || n < 2 || n > 6) {
		snprintf(buf, cap, ".bin");
		return;
	}
	snprintf(buf, cap, "%.*s", (int)n, dot);
	for (n = 1; buf[n] != '\0'; n++)
		if (!((buf[n] >= 'a' && buf[n] <= 'z') || (buf[n] >= 'A' &&
		    buf[n] <= 'Z') || (buf[n] >= '0' && buf[n] <= '9'))) {
			snprintf(buf, cap, ".bin");
			return;
		}
}

/*
 * The child: fetch remote sources, then run the provider to a terminal
 * state, reporting the request id as soon as there is one. Never touches
 * the database; ends with _exit.
 */
static void
child_run(int fd, const struct prov_ops *ops, const struct prov_job *job0,
    const struct gen_disp_sources *src, const char *resume_rid,
    const struct gen_disp_cfg *cfg)
{
	struct child_msg m;
	struct prov_job jcopy = *job0, *job = &jcopy;
	static char paths[PROV_MAX_INPUTS][600];
	static const char *inv[PROV_MAX_INPUTS];
	struct gen_cb_result fr;
	char rid[128], ext[8];
	int64_t delay = cfg->prov_poll_min_ms;
	int transient = 0;
	size_t i, n = 0;

	memset(&m, 0, sizeof(m));
	prov_result_init(&m.res);
	prov_error_init(&m.err);
	for (i = 0; i < job0->ninputs && n < PROV_MAX_INPUTS; i++)
		inv[n++] = job0->inputs[i];
	for (i = 0; src != NULL && i < src->nurls && n < PROV_MAX_INPUTS; i++) {
		url_ext(src->urls[i], ext, sizeof(ext));
		snprintf(paths[i], sizeof(paths[i]), "%s/src-%zu%s", job0->out_dir, i, ext);
		if (gen_cb_fetch(src->urls[i], paths[i], mg_cfg_int(
		    "prov_download_max_bytes", 200LL * 1024 * 1024), &fr) != GEN_CB_OK) {
			m.op = PROV_OP_SUBMIT;
			m.rc = PROV_E_INVALID;
			m.err.code = PROV_E_INVALID;
			snprintf(m.err.type, sizeof(m.err.type), "source_unavailable");
			snprintf(m.err.msg, sizeof(m.err.msg), "source %zu: %s", i, fr.error);
			goto done;
		}
		inv[n++] = paths[i];
	}
	job->inputs = inv;
	job->ninputs = n;
	if (resume_rid != NULL && resume_rid[0] != '\0') {
		snprintf(rid, sizeof(rid), "%s", resume_rid);
	} else {
		m.op = PROV_OP_SUBMIT;
		m.rc = ops->submit(job, &m.res, &m.err);
		if (m.rc != PROV_OK || m.res.state == PROV_STATE_SUCCEEDED ||
		    m.res.state == PROV_STATE_FAILED || m.res.request_id[0] == '\0')
			goto done;
		snprintf(rid, sizeof(rid), "%s", m.res.request_id);
		m.type = MSG_RID;
		if (write_full(fd, &m, sizeof(m)) != 0)
			_exit(3);
	}
	/* Poll with backoff until terminal; the parent owns the deadline. */
	for (;;) {
		sleep_ms(delay);
		delay = delay * 2 > cfg->prov_poll_max_ms ? cfg->prov_poll_max_ms : delay * 2;
		prov_result_init(&m.res);
		prov_error_init(&m.err);
		m.op = PROV_OP_POLL;
		m.rc = ops->poll(job, rid, &m.res, &m.err);
		if (m.rc != PROV_OK) {
			/* Transient poll errors are repeated a few times. */
			if (prov_err_retry(m.rc, PROV_OP_POLL) == PROV_RETRY_YES &&
			    ++transient < 5)
				continue;
			break;
		}
		transient = 0;
		if (m.res.state == PROV_STATE_SUCCEEDED || m.res.state == PROV_STATE_FAILED)
			break;
	}
	snprintf(m.res.request_id, sizeof(m.res.request_id), "%s", rid);
done:
	if (m.rc == PROV_OK && m.res.state == PROV_STATE_FAILED) {
		m.rc = m.err.code != PROV_OK ? m.err.code : PROV_E_FAILED;
		if (m.err.msg[0] == '\0')
			snprintf(m.err.msg, sizeof(m.err.msg), "the provider reported a failure");
	}
	m.type = MSG_DONE;
	(void)write_full(fd, &m, sizeof(m));
	_exit(0);
}

/* Why an attempt ended, from the parent's point of view. */
enum attempt_end {
	END_RESULT,	/* the child reported a result (in msg) */
	END_CRASH,	/* the child died without a result */
	END_TIMEOUT,	/* deadline reached: killed */
	END_CANCEL,	/* cancel_requested: killed */
	END_LOST,	/* the job is no longer ours: killed, hands off */
	END_STOP	/* the dispatcher is stopping: killed, requeue */
};

static void
kill_child(pid_t pid)
{
	int st, i;

	kill(pid, SIGTERM);
	for (i = 0; i < 20; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return;
		sleep_ms(50);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
}

/* Renew the lease and look at the row: 0 ours, 1 cancel asked, 2 lost, -1 DB. */
static int
check_lease(struct db_conn *db, const struct gen_disp_cfg *cfg, const char *id)
{
	char state[16], owner[128];
	int64_t cancel;
	enum db_err e;

	if (db_exec(db, DB_DISP_RENEW, "iss", cfg->lease_s, id, cfg->owner) != DB_OK)
		return -1;
	e = db_row(db, DB_DISP_STATUS, "s", "sis", id, state, sizeof(state),
	    &cancel, owner, sizeof(owner));
	if (e == DB_NOROW)
		return 2;
	if (e != DB_OK)
		return -1;
	if (strcmp(state, "running") != 0 || strcmp(owner, cfg->owner) != 0)
		return 2;
	return cancel ? 1 : 0;
}

/*
 * Fork the child and supervise it until it reports, dies, or must be
 * stopped. *m receives the child's result for END_RESULT; rid (cap 128)
 * the provider request id known so far.
 */
static enum attempt_end
supervise(struct db_conn *db, const struct gen_disp_cfg *cfg, const char *id,
    const struct prov_ops *ops, const struct prov_job *job,
    const struct gen_disp_sources *src, char *rid, struct child_msg *m,
    volatile const int *stop)
{
	int fds[2], st, r, lr;
	pid_t pid;
	struct pollfd pfd;
	int64_t deadline, next_check;
	enum attempt_end end;

	if (pipe(fds) != 0)
		return END_CRASH;
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		return END_CRASH;
	}
	if (pid == 0) {
		close(fds[0]);
		/* Dies with its worker: no orphan keeps rendering. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		child_run(fds[1], ops, job, src, rid, cfg);
		_exit(0);
	}
	close(fds[1]);
	deadline = mg_now_us() + cfg->job_timeout_s * 1000000LL;
	next_check = mg_now_us() + 1000000LL;
	end = END_CRASH;
	for (;;) {
		if (*stop) {
			end = END_STOP;
			break;
		}
		if (mg_now_us() >= deadline) {
			end = END_TIMEOUT;
			break;
		}
		pfd.fd = fds[0];
		pfd.events = POLLIN;
		pfd.revents = 0;
		r = poll(&pfd, 1, 250);
		if (r < 0 && errno != EINTR)
			break;
		if (r > 0) {
			lr = read_full(fds[0], m, sizeof(*m));
			if (lr != 0) {
				end = END_CRASH;
				break;
			}
			if (m->type == MSG_RID) {
				snprintf(rid, 128, "%s", m->res.request_id);
				if (db_exec(db, DB_DISP_SET_RID, "sss", rid, id,
				    cfg->owner) != DB_OK)
					mg_log(MG_LOG_WARN, "job %s: cannot record request id", id);
				continue;
			}
			end = END_RESULT;
			break;
		}
		if (mg_now_us() >= next_check) {
			next_check = mg_now_us() + 1000000LL;
			lr = check_lease(db, cfg, id);
			if (lr == 1) {
				end = END_CANCEL;
				break;
			}
			if (lr == 2) {
				end = END_LOST;
				break;
			}
			/* -1: DB trouble; keep going, the lease is long. */
		}
	}
	close(fds[0]);
	if (end == END_RESULT) {
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	} else
		kill_child(pid);
	return end;
}

/* ---- settling ------------------------------------------------------------------ */

/*
 * The callback body of a job in its terminal state: {id, jobId, status,
 * state, model, workspaceId, outputs:[{url, mime, size, width, height,
 * duration_ms}], billing:{currency, held_micros, charged_micros,
 * released_micros, charged_usd}, error:{code, message}|null, finishedAt}.
 * Caller frees with free(). NULL on OOM.
 */
static char *
callback_body(const struct gen_job *j, const char *state, int64_t actual,
    const char *code, const char *msg, char (*rel)[512],
    const struct prov_result *res, size_t nfiles)
{
	struct mg_buf b;
	char url[1400], usd[32], now[32];
	const char *base = mg_cfg_str("public_base_url", mg_cfg_str("base_url", ""));
	int64_t exp = gen_link_expires((int64_t)time(NULL),
	    strcmp(j->dialect, "prepaid") == 0 ? GEN_LINK_MIN_TTL : 0);
	size_t i, bl = strlen(base);

	mg_buf_init(&b, NULL);
	mg_fmt_time(time(NULL), now, sizeof(now));
	mg_buf_printf(&b, "{\"id\":\"%s\",\"jobId\":\"%s\",\"status\":\"%s\","
	    "\"state\":\"%s\",\"model\":\"", j->id, j->id, state, state);
	mg_buf_json_escape(&b, j->model);
	mg_buf_printf(&b, "\",\"workspaceId\":\"%s\",\"outputs\":[", j->workspace_id);
	for (i = 0; i < nfiles; i++) {
		if (bl >= sizeof(url) / 2 || gen_link_sign(rel[i], exp, url + bl,
		    sizeof(url) - bl) != GEN_LINK_OK)
			url[0] = '\0';
		else
			memcpy(url, base, bl);
		mg_buf_printf(&b, "%s{\"url\":\"", i ? "," : "");
		mg_buf_json_escape(&b, url);
		mg_buf_printf(&b, "\",\"mime\":\"");
		mg_buf_json_escape(&b, res->files[i].mime);
		mg_buf_printf(&b, "\",\"size\":%lld,\"width\":%d,\"height\":%d,"
		    "\"duration_ms\":%lld}", (long long)res->files[i].size,
		    res->files[i].width, res->files[i].height,
		    (long long)res->files[i].duration_ms);
	}
	mg_fmt_usd(actual, usd, sizeof(usd));
	mg_buf_printf(&b, "],\"billing\":{\"currency\":\"USD\",\"held_micros\":%lld,"
	    "\"charged_micros\":%lld,\"released_micros\":%lld,\"charged_usd\":\"%s\"},",
	    (long long)j->hold_micros, (long long)actual,
	    (long long)(j->hold_micros - actual), usd);
	if (code != NULL) {
		mg_buf_puts(&b, "\"error\":{\"code\":\"");
		mg_buf_json_escape(&b, code);
		mg_buf_puts(&b, "\",\"message\":\"");
		mg_buf_json_escape(&b, msg != NULL ? msg : "");
		mg_buf_puts(&b, "\"},");
	} else
		mg_buf_puts(&b, "\"error\":null,");
	mg_buf_printf(&b, "\"finishedAt\":\"%s\"}", now);
	if (b.oom) {
		mg_buf_free(&b);
		return NULL;
	}
	return b.data;
}

struct settle {
	const struct gen_disp_cfg	*cfg;
	const struct gen_job		*job;		/* as claimed */
	enum gen_state			 state;		/* wanted terminal state */
	int64_t				 actual;	/* succeeded: capture */
	const char			*error_code;	/* NULL on success */
	const char			*error_msg;
	const struct prov_result	*res;		/* succeeded: the files */
	char				 rel[PROV_MAX_FILES][512];
	/* requeue instead */
	int				 requeue;
	int64_t				 delay_s;
	int				 refund_attempt;
	/* out */
	enum gen_state			 final;		/* what was written */
	int				 lost;		/* not ours any more */
};

#define SETTLE_LOST	(DB_ERR__MAX + 1)
#define SETTLE_MONEY	(DB_ERR__MAX + 2)

static int
settle_tx(struct db_conn *db, void *arg)
{
	struct settle *s = arg;
	const struct gen_job *j = s->job;
	struct gen_job cur;
	enum wallet_err we;
	enum db_err e;
	size_t i;
	char desc[256];

	memset(&cur, 0, sizeof(cur));
	s->lost = 0;
	s->final = s->state;
	/* Lock the row; it must still be running under our lease. */
	if (gen_job_get(db, NULL, j->id, 1, &cur) != GEN_OK) {
		gen_job_clear(&cur);
		return DB_ERROR;
	}
	if (cur.state != GEN_STATE_RUNNING || strcmp(cur.lease_owner, s->cfg->owner) != 0) {
		gen_job_clear(&cur);
		s->lost = 1;
		return SETTLE_LOST;
	}
	/* A cancel asked while the result was on its way wins over success. */
	if (cur.cancel_requested && !s->requeue && s->state == GEN_STATE_SUCCEEDED)
		s->final = GEN_STATE_CANCELED;
	if (cur.cancel_requested && s->requeue)
		s->requeue = 0, s->final = GEN_STATE_CANCELED;
	gen_job_clear(&cur);

	if (s->requeue) {
		e = db_exec(db, DB_DISP_REQUEUE, "ississ", s->delay_s,
		    s->error_code, s->error_msg, (int64_t)s->refund_attempt,
		    j->id, s->cfg->owner);
		if (e != DB_OK)
			return e;
		return db_affected(db, DB_DISP_REQUEUE) == 1 ? DB_OK : SETTLE_LOST;
	}
	if (s->final == GEN_STATE_SUCCEEDED) {
		e = db_exec(db, DB_DISP_FINISH, "sinnii" "ss", "succeeded",
		    s->actual, (int64_t)100, s->cfg->output_ttl_h, j->id,
		    s->cfg->owner);
	} else {
		const char *code = s->final == GEN_STATE_CANCELED ? "canceled" :
		    s->error_code;
		const char *msg = s->final == GEN_STATE_CANCELED ?
		    "Canceled by the caller." : s->error_msg;
		e = db_exec(db, DB_DISP_FINISH, "snssni" "ss",
		    gen_state_name(s->final), code, msg, s->cfg->output_ttl_h,
		    j->id, s->cfg->owner);
	}
	if (e != DB_OK)
		return e;
	if (db_affected(db, DB_DISP_FINISH) != 1)
		return SETTLE_LOST;
	/* The money, in the same transaction. */
	if (s->final == GEN_STATE_SUCCEEDED) {
		snprintf(desc, sizeof(desc), "%s job %s", j->model, j->id);
		we = wallet_capture_tx(db, j->workspace_id, j->id,
		    j->api_key_id[0] ? j->api_key_id : NULL, j->hold_micros,
		    s->actual, desc);
	} else {
		snprintf(desc, sizeof(desc), "%s job %s %s", j->model, j->id,
		    gen_state_name(s->final));
		we = wallet_release_tx(db, j->workspace_id, j->id,
		    j->api_key_id[0] ? j->api_key_id : NULL, j->hold_micros, desc);
	}
	if (we == WALLET_DUPLICATE || we == WALLET_NO_HOLD) {
		/* The hold ended already (the ledger's reaper released it after
		 * its TTL): money is settled; the job fails, nothing charged. */
		mg_log(MG_LOG_WARN, "job %s: hold already ended; failing the job", j->id);
		if ((e = db_exec(db, DB_DISP_HOLD_ENDED, "s", j->id)) != DB_OK)
			return e;
		s->final = GEN_STATE_FAILED;
		s->error_code = "hold_expired";
		s->error_msg = "The reservation expired before the job finished; nothing was charged.";
	} else if (we != WALLET_OK) {
		mg_log(MG_LOG_ERROR, "job %s: settle: %s", j->id, wallet_strerror(we));
		return SETTLE_MONEY;
	}
	if (s->final == GEN_STATE_SUCCEEDED) {
		for (i = 0; i < s->res->nfiles; i++) {
			const struct prov_file *f = &s->res->files[i];

			e = db_exec(db, DB_JOB_OUTPUT_INSERT, "sissiiii", j->id,
			    (int64_t)i, s->rel[i], f->mime, f->size,
			    (int64_t)f->width, (int64_t)f->height, f->duration_ms);
			if (e != DB_OK)
				return e;
		}
	}
	if (j->callback_url[0] != '\0') {
		char *body;
		int ok = s->final == GEN_STATE_SUCCEEDED;

		body = callback_body(j, gen_state_name(s->final), ok ? s->actual : 0,
		    ok ? NULL : s->final == GEN_STATE_CANCELED ? "canceled" :
		    s->error_code, ok ? NULL : s->final == GEN_STATE_CANCELED ?
		    "Canceled by the caller." : s->error_msg, s->rel, s->res,
		    ok ? s->res->nfiles : 0);
		if (body == NULL)
			return DB_ERROR;
		e = db_exec(db, DB_DISP_CB_INSERT, "ssss", j->id, j->workspace_id,
		    j->callback_url, body);
		free(body);
		if (e != DB_OK && e != DB_DUP)
			return e;
	}
	return DB_OK;
}

/* Circuit breaker bookkeeping after an attempt (outside the settle tx). */
static void
circuit_note(struct db_conn *db, const struct gen_disp_cfg *cfg,
    const char *provider, enum prov_err rc, const char *msg)
{
	if (!cfg->circuit_local && strcmp(provider, "local") == 0)
		return;
	if (rc == PROV_OK) {
		(void)db_exec(db, DB_DISP_HEALTH_OK, "s", provider);
		return;
	}
	if (!gen_disp_circuit_counts(rc))
		return;
	if (db_exec(db, DB_DISP_HEALTH_FAIL, "ss", provider, msg) != DB_OK)
		return;
	if (db_exec(db, DB_DISP_HEALTH_OPEN, "isi", cfg->circuit_cooldown_s,
	    provider, cfg->circuit_threshold) == DB_OK &&
	    db_affected(db, DB_DISP_HEALTH_OPEN) == 1)
		mg_log(MG_LOG_WARN, "circuit open: provider %s for %llds", provider,
		    (long long)cfg->circuit_cooldown_s);
}

/* Which adapter runs job j and which upstream model; -1 when none. */
static int
pick_provider(const struct catalog *cat, const struct gen_disp_cfg *cfg,
    const struct gen_job *j, const char *prompt, char *prov, size_t pcap,
    const char **pmodel)
{
	const struct catalog_model *m = cat != NULL ? catalog_model(cat, j->model) : NULL;
	const struct catalog_provider *cp;
	const char *up;
	char name[64];

	snprintf(prov, pcap, "%s", j->provider);
	*pmodel = j->provider_model[0] ? j->provider_model : j->model;
	if (gen_disp_route(mg_cfg_str("dispatch_routes", ""), j->model, name,
	    sizeof(name)) == 0 ||
	    (cfg->test_markers && gen_disp_marker(prompt, name, sizeof(name)) == 0)) {
		snprintf(prov, pcap, "%s", name);
		up = m != NULL ? catalog_upstream_model(m, name) : NULL;
		*pmodel = up != NULL ? up : j->model;
	}
	/* A catalog provider id maps to its adapter; else the adapter name. */
	if (cat != NULL && (cp = catalog_provider(cat, prov)) != NULL) {
		static const char *const ad[CATALOG_ADAPTER__MAX] = {
			"local", "fal", "replicate", "elevenlabs",
		};
		return (int)prov_by_name(ad[cp->adapter]);
	}
	return prov_by_name(prov) == PROV__MAX ? -1 : (int)prov_by_name(prov);
}

/*
 * Studio compose: each segment's asset_id names an earlier succeeded job
 * of the same workspace; its first output becomes an input, in order.
 * 0, or -1 with err set (the job fails: invalid_job).
 */
static int
resolve_segments(struct db_conn *db, const struct gen_job *j,
    const struct gen_disp_sources *src, struct prov_job *pj,
    char (*inputs)[512], const char **inputv, size_t maxin, char *err,
    size_t errlen)
{
	struct gen_job a;
	struct gen_output out[GEN_MAX_OUTPUTS];
	json_object *seg, *v;
	const char *aid;
	size_t i, n, nout, k = pj->ninputs;
	int rc = 0;

	if (src->segments == NULL)
		return 0;
	n = json_object_array_length(src->segments);
	for (i = 0; i < n && rc == 0; i++) {
		seg = json_object_array_get_idx(src->segments, i);
		aid = json_object_object_get_ex(seg, "asset_id", &v) ?
		    json_object_get_string(v) : NULL;
		memset(&a, 0, sizeof(a));
		if (aid == NULL || k >= maxin ||
		    gen_job_get(db, j->workspace_id, aid, 0, &a) != GEN_OK ||
		    a.state != GEN_STATE_SUCCEEDED ||
		    gen_job_outputs(db, a.id, out, GEN_MAX_OUTPUTS, &nout) != GEN_OK ||
		    nout == 0 || !gen_files_rel_ok(out[0].path) ||
		    (size_t)snprintf(inputs[k], 512, "%s/%s", gen_files_root(),
		    out[0].path) >= 512) {
			snprintf(err, errlen, "segments[%zu].asset_id: no finished "
			    "asset with this id", i);
			rc = -1;
		} else {
			inputv[k] = inputs[k];
			k++;
		}
		gen_job_clear(&a);
	}
	pj->inputs = inputv;
	pj->ninputs = k;
	return rc;
}

int
gen_disp_run(struct db_conn *db, const struct catalog *cat,
    const struct gen_disp_cfg *cfg, const char *id, volatile const int *stop)
{
	struct gen_job j;
	struct prov_job pj;
	struct gen_disp_sources srcs;
	struct child_msg m;
	struct settle s;
	json_object *hold = NULL;
	char inputs[MAX_INPUTS][512];
	const char *inputv[MAX_INPUTS];
	char dir[1024], err[256], why[256], prov[64], rid[128];
	const char *pmodel;
	enum attempt_end end;
	enum gen_disp_class cls;
	enum prov_err rc = PROV_OK;
	int pid_ok, ret = 0, drc, note = 0;
	int64_t t0 = mg_now_us(), t_run = 0;
	size_t i;

	memset(&j, 0, sizeof(j));
	memset(&s, 0, sizeof(s));
	memset(&m, 0, sizeof(m));
	if (gen_job_get(db, NULL, id, 0, &j) != GEN_OK) {
		mg_log(MG_LOG_ERROR, "job %s: cannot load", id);
		gen_job_clear(&j);
		return -1;
	}
	s.cfg = cfg;
	s.job = &j;
	snprintf(rid, sizeof(rid), "%s", j.provider_request_id);
	snprintf(prov, sizeof(prov), "%s", j.provider);

	if (gen_disp_params(j.params, gen_files_root(), &pj, &hold, inputs,
	    inputv, MAX_INPUTS, &srcs, err, sizeof(err)) != 0 ||
	    resolve_segments(db, &j, &srcs, &pj, inputs, inputv, MAX_INPUTS,
	    err, sizeof(err)) != 0) {
		s.state = GEN_STATE_FAILED;
		s.error_code = "invalid_job";
		s.error_msg = err;
		rc = PROV_E_INVALID;
		goto settle;
	}
	pid_ok = pick_provider(cat, cfg, &j, pj.prompt, prov, sizeof(prov), &pmodel);
	if (pid_ok < 0) {
		snprintf(err, sizeof(err), "no adapter for provider %s", prov);
		s.state = GEN_STATE_FAILED;
		s.error_code = "unsupported";
		s.error_msg = err;
		rc = PROV_E_UNSUPPORTED;
		goto settle;
	}
	pj.model = pmodel;
	/* A fresh directory unless a remote run is being resumed. */
	if (gen_files_job_dir(j.workspace_id, j.id, 1, dir, sizeof(dir)) != GEN_FILES_OK) {
		snprintf(err, sizeof(err), "cannot prepare the output directory");
		s.state = GEN_STATE_FAILED;
		s.error_code = "internal_error";
		s.error_msg = err;
		rc = PROV_E_SYSTEM;
		goto settle;
	}
	pj.out_dir = dir;
	t_run = mg_now_us();
	end = supervise(db, cfg, j.id, &prov_table[pid_ok], &pj, &srcs, rid, &m, stop);
	t_run = mg_now_us() - t_run;
	note = end == END_RESULT || end == END_TIMEOUT || end == END_CRASH;
	switch (end) {
	case END_LOST:
		mg_log(MG_LOG_WARN, "job %s: lease lost, abandoning the attempt", j.id);
		if (rid[0] != '\0' && prov_table[pid_ok].cancel != NULL) {
			struct prov_error ce;

			prov_error_init(&ce);
			(void)prov_table[pid_ok].cancel(&pj, rid, &ce);
		}
		goto out;
	case END_STOP:
		s.requeue = 1;
		s.delay_s = 0;
		s.refund_attempt = 1;
		s.error_code = "dispatcher_stopped";
		s.error_msg = "The dispatcher stopped during the attempt.";
		goto settle;
	case END_CANCEL:
	case END_TIMEOUT:
		if (rid[0] != '\0' && prov_table[pid_ok].cancel != NULL) {
			struct prov_error ce;

			prov_error_init(&ce);
			(void)prov_table[pid_ok].cancel(&pj, rid, &ce);
		}
		if (end == END_CANCEL) {
			s.state = GEN_STATE_CANCELED;
			s.error_code = "canceled";
			s.error_msg = "Canceled by the caller.";
		} else {
			rc = PROV_E_TIMEOUT;
			s.state = GEN_STATE_FAILED;
			s.error_code = "timeout";
			snprintf(err, sizeof(err), "The job did not finish within %llds.",
			    (long long)cfg->job_timeout_s);
			s.error_msg = err;
		}
		goto settle;
	case END_CRASH:
		rc = PROV_E_SYSTEM;
		m.op = PROV_OP_POLL;
		snprintf(m.err.msg, sizeof(m.err.msg), "the provider run ended without a result");
		break;
	case END_RESULT:
		rc = m.rc;
		break;
	}
	if (rc == PROV_OK && m.res.nfiles == 0) {
		rc = PROV_E_PROTOCOL;
		snprintf(m.err.msg, sizeof(m.err.msg), "the provider returned no output");
	}
	if (rc == PROV_OK) {
		for (i = 0; i < m.res.nfiles; i++)
			if (gen_files_rel(m.res.files[i].path, s.rel[i],
			    sizeof(s.rel[i])) != GEN_FILES_OK)
				break;
		if (i < m.res.nfiles) {
			rc = PROV_E_SYSTEM;
			snprintf(m.err.msg, sizeof(m.err.msg), "an output is outside the job directory");
		}
	}
	if (rc == PROV_OK) {
		s.state = GEN_STATE_SUCCEEDED;
		s.res = &m.res;
		s.actual = gen_disp_actual(cat, j.catalog_version, j.price_req,
		    j.hold_micros, &m.res, why, sizeof(why));
		if (why[0] != '\0')
			mg_log(MG_LOG_WARN, "job %s: %s", j.id, why);
		goto settle;
	}
	/* A provider error: retry, or fail and release. */
	cls = end == END_CRASH ? GEN_DISP_RETRY : gen_disp_classify(rc, m.op);
	snprintf(err, sizeof(err), "%s", m.err.msg[0] ? m.err.msg : prov_strerror(rc));
	s.error_msg = err;
	s.error_code = strcmp(m.err.type, "source_unavailable") == 0 ?
	    "source_unavailable" : gen_disp_error_code(rc);
	if (cls == GEN_DISP_RETRY && j.attempts < cfg->max_attempts) {
		s.requeue = 1;
		s.delay_s = gen_disp_backoff_s(j.attempts, cfg->retry_base_s,
		    cfg->retry_max_s);
	} else {
		s.state = GEN_STATE_FAILED;
		if (cls == GEN_DISP_MODERATION)
			s.error_code = "nsfw_blocked";
	}

settle:
	drc = db_tx(db, settle_tx, &s);
	if (drc == DB_OK) {
		if (!s.requeue && s.final != GEN_STATE_SUCCEEDED)
			(void)gen_files_remove_job(j.workspace_id, j.id);
		if (note)
			circuit_note(db, cfg, prov, rc, err);
		mg_log(MG_LOG_INFO, "job %s %s provider=%s attempt=%lld "
		    "actual=%lld hold=%lld run_us=%lld total_us=%lld%s%s", j.id,
		    s.requeue ? "requeued" : gen_state_name(s.final), prov,
		    (long long)j.attempts, (long long)(s.final == GEN_STATE_SUCCEEDED ?
		    s.actual : 0), (long long)j.hold_micros, (long long)t_run,
		    (long long)(mg_now_us() - t0), s.error_code ? " error=" : "",
		    s.error_code ? s.error_code : "");
		if (s.final == GEN_STATE_SUCCEEDED && !s.requeue && s.actual > 0 &&
		    wallet_autorecharge_check != NULL)
			(void)wallet_autorecharge_check(db, j.workspace_id);
		if (!s.requeue && j.callback_url[0] != '\0')
			(void)gen_disp_callback_one(db, cfg, j.id);
	} else if (drc == SETTLE_LOST) {
		mg_log(MG_LOG_INFO, "job %s: ended elsewhere (cancel or recovery); "
		    "result discarded", j.id);
	} else {
		mg_log(MG_LOG_ERROR, "job %s: settle failed (%d); the lease will "
		    "expire and recovery will finish it", j.id, drc);
		ret = -1;
	}
out:
	if (hold != NULL)
		json_object_put(hold);
	gen_job_clear(&j);
	return ret;
}

/* ---- timers ------------------------------------------------------------------ */

struct recover_arg {
	const struct gen_disp_cfg	*cfg;
	int				 n;
};

/* Requeue or fail (+ release) every expired lease, in one transaction. */
static int
recover_tx(struct db_conn *db, void *arg)
{
	struct recover_arg *a = arg;
	char ids[20][64];
	int n = 0, i;
	enum db_err e;
	struct gen_job j;
	enum wallet_err we;
	char desc[256];

	a->n = 0;
	if ((e = db_exec(db, DB_DISP_EXPIRED, "i", (int64_t)20)) != DB_OK)
		return e;
	while (n < 20 && db_next(db, DB_DISP_EXPIRED, "s", ids[n], sizeof(ids[n])) == DB_OK)
		n++;
	db_done(db, DB_DISP_EXPIRED);
	for (i = 0; i < n; i++) {
		memset(&j, 0, sizeof(j));
		if (gen_job_get(db, NULL, ids[i], 1, &j) != GEN_OK) {
			gen_job_clear(&j);
			return DB_ERROR;
		}
		if (j.state != GEN_STATE_RUNNING) {
			gen_job_clear(&j);
			continue;
		}
		if (j.attempts < a->cfg->max_attempts && !j.cancel_requested) {
			e = db_exec(db, DB_DISP_REQUEUE, "ississ",
			    gen_disp_backoff_s(j.attempts, a->cfg->retry_base_s,
			    a->cfg->retry_max_s), "lease_expired",
			    "The dispatcher running the job stopped; retrying.",
			    (int64_t)0, j.id, j.lease_owner);
		} else {
			e = db_exec(db, DB_DISP_FINISH, "snssni" "ss",
			    j.cancel_requested ? "canceled" : "failed",
			    j.cancel_requested ? "canceled" : "lease_expired",
			    j.cancel_requested ? "Canceled by the caller." :
			    "The job was interrupted too many times.",
			    a->cfg->output_ttl_h, j.id, j.lease_owner);
			if (e == DB_OK && db_affected(db, DB_DISP_FINISH) == 1) {
				snprintf(desc, sizeof(desc), "%s job %s recovered",
				    j.model, j.id);
				we = wallet_release_tx(db, j.workspace_id, j.id,
				    j.api_key_id[0] ? j.api_key_id : NULL,
				    j.hold_micros, desc);
				if (we == WALLET_DUPLICATE || we == WALLET_NO_HOLD) {
					/* Reaped already: the job still ends failed. */
					we = WALLET_OK;
				}
				if (we != WALLET_OK) {
					mg_log(MG_LOG_ERROR, "recover %s: %s", j.id,
					    wallet_strerror(we));
					gen_job_clear(&j);
					return SETTLE_MONEY;
				}
				if (j.callback_url[0] != '\0') {
					char *b = callback_body(&j, j.cancel_requested ?
					    "canceled" : "failed", 0, j.cancel_requested ?
					    "canceled" : "lease_expired",
					    "The job was interrupted too many times.",
					    NULL, NULL, 0);

					if (b != NULL) {
						e = db_exec(db, DB_DISP_CB_INSERT, "ssss",
						    j.id, j.workspace_id, j.callback_url, b);
						free(b);
						if (e == DB_DUP)
							e = DB_OK;
					}
				}
			}
		}
		gen_job_clear(&j);
		if (e != DB_OK)
			return e;
		a->n++;
	}
	return DB_OK;
}

int
gen_disp_recover(struct db_conn *db, const struct gen_disp_cfg *cfg)
{
	struct recover_arg a = { cfg, 0 };
	int rc = db_tx(db, recover_tx, &a);

	if (rc != DB_OK) {
		mg_log(MG_LOG_WARN, "recover: %d", rc);
		return -1;
	}
	if (a.n > 0)
		mg_log(MG_LOG_INFO, "recovered %d job(s) with expired leases", a.n);
	return a.n;
}

int
gen_disp_callback_one(struct db_conn *db, const struct gen_disp_cfg *cfg,
    const char *job_id)
{
	char ws[64], url[2049], secret[129], state[16], wsec[65], ev[32];
	char *body;
	int64_t attempts, delay;
	struct gen_cb_result r;
	enum gen_cb_err ce;
	const char *nstate;

	/* Take this attempt: the row's next_at moves forward (a lease). */
	if (db_exec(db, DB_DISP_CB_TAKE, "is", (int64_t)60, job_id) != DB_OK)
		return -1;
	if (db_affected(db, DB_DISP_CB_TAKE) != 1)
		return 0;
	if ((body = malloc(1 << 20)) == NULL)
		return -1;
	if (db_row(db, DB_DISP_CB_GET, "s", "sssiss", job_id, ws, sizeof(ws),
	    url, sizeof(url), body, (size_t)(1 << 20), &attempts, secret,
	    sizeof(secret), state, sizeof(state)) != DB_OK) {
		free(body);
		return -1;
	}
	if (secret[0] == '\0') {
		gen_cb_workspace_secret(ws, wsec);
		snprintf(secret, sizeof(secret), "%s", wsec);
	}
	snprintf(ev, sizeof(ev), "job.%s", state);
	ce = gen_cb_post(url, secret, ev, job_id, body, strlen(body), &r);
	free(body);
	if (ce == GEN_CB_OK) {
		nstate = "delivered";
		delay = 0;
	} else if (ce == GEN_CB_E_URL || ce == GEN_CB_E_BLOCKED) {
		nstate = "refused";
		delay = 0;
	} else if (attempts >= cfg->cb_max_attempts) {
		nstate = "failed";
		delay = 0;
	} else {
		nstate = "pending";
		delay = gen_disp_backoff_s(attempts, cfg->cb_base_s, 3600);
	}
	(void)db_exec(db, DB_DISP_CB_RESULT, "sisis", nstate, (int64_t)r.http_status,
	    r.error, delay, job_id);
	mg_log(ce == GEN_CB_OK ? MG_LOG_INFO : MG_LOG_WARN,
	    "callback job %s attempt %lld: %s%s%s", job_id, (long long)attempts,
	    nstate, r.error[0] ? " " : "", r.error);
	return 1;
}

int
gen_disp_callbacks(struct db_conn *db, const struct gen_disp_cfg *cfg)
{
	char ids[20][64];
	int n = 0, i, done = 0;

	if (db_exec(db, DB_DISP_CB_DUE, "i", (int64_t)5) != DB_OK)
		return -1;
	while (n < 20 && db_next(db, DB_DISP_CB_DUE, "s", ids[n], sizeof(ids[n])) == DB_OK)
		n++;
	db_done(db, DB_DISP_CB_DUE);
	for (i = 0; i < n; i++)
		if (gen_disp_callback_one(db, cfg, ids[i]) > 0)
			done++;
	return done;
}

int
gen_disp_callback_sweep(struct db_conn *db, const struct gen_disp_cfg *cfg)
{
	char ids[50][64];
	int n = 0, i, done = 0;
	struct gen_job j;
	char *b;

	if (db_exec(db, DB_DISP_CB_MISSING, "i", cfg->output_ttl_h) != DB_OK)
		return -1;
	while (n < 50 && db_next(db, DB_DISP_CB_MISSING, "s", ids[n], sizeof(ids[n])) == DB_OK)
		n++;
	db_done(db, DB_DISP_CB_MISSING);
	for (i = 0; i < n; i++) {
		memset(&j, 0, sizeof(j));
		if (gen_job_get(db, NULL, ids[i], 0, &j) == GEN_OK &&
		    gen_state_terminal(j.state) && j.callback_url[0] != '\0') {
			b = callback_body(&j, gen_state_name(j.state),
			    j.actual_null ? 0 : j.actual_micros,
			    j.error_code[0] ? j.error_code : NULL, j.error_message,
			    NULL, NULL, 0);
			if (b != NULL && db_exec(db, DB_DISP_CB_INSERT, "ssss", j.id,
			    j.workspace_id, j.callback_url, b) == DB_OK)
				done++;
			free(b);
		}
		gen_job_clear(&j);
	}
	return done;
}

int
gen_disp_cleanup(struct db_conn *db, const struct gen_disp_cfg *cfg)
{
	char ids[100][64], wss[100][64];
	int n = 0, i, done = 0;

	(void)cfg;
	if (db_exec(db, DB_DISP_EXPIRE_DUE, "i", (int64_t)100) != DB_OK)
		return -1;
	while (n < 100 && db_next(db, DB_DISP_EXPIRE_DUE, "ss", ids[n],
	    sizeof(ids[n]), wss[n], sizeof(wss[n])) == DB_OK)
		n++;
	db_done(db, DB_DISP_EXPIRE_DUE);
	for (i = 0; i < n; i++) {
		if (gen_files_remove_job(wss[i], ids[i]) != GEN_FILES_OK)
			continue;
		if (db_exec(db, DB_DISP_EXPIRE_MARK, "s", ids[i]) == DB_OK)
			done++;
	}
	if (done > 0)
		mg_log(MG_LOG_INFO, "deleted the outputs of %d expired job(s)", done);
	return done;
}

char *
gen_disp_health_json(struct db_conn *db)
{
	struct mg_buf b;
	char prov[64], last[256];
	int64_t fails, open, left;
	int n = 0;

	if (db_exec(db, DB_DISP_HEALTH_LIST, "") != DB_OK)
		return NULL;
	mg_buf_init(&b, NULL);
	mg_buf_puts(&b, "[");
	while (db_next(db, DB_DISP_HEALTH_LIST, "siiis", prov, sizeof(prov), &fails,
	    &open, &left, last, sizeof(last)) == DB_OK) {
		mg_buf_printf(&b, "%s{\"provider\":\"", n++ ? "," : "");
		mg_buf_json_escape(&b, prov);
		mg_buf_printf(&b, "\",\"consecutive_failures\":%lld,\"open\":%s,"
		    "\"open_seconds_left\":%lld,\"last_error\":\"", (long long)fails,
		    open ? "true" : "false", (long long)left);
		mg_buf_json_escape(&b, last);
		mg_buf_puts(&b, "\"}");
	}
	db_done(db, DB_DISP_HEALTH_LIST);
	mg_buf_puts(&b, "]\n");
	if (b.oom) {
		mg_buf_free(&b);
		return NULL;
	}
	return b.data;
}
