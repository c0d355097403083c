#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it_job.h"

int
it_job_money(const struct it_ws *ws, const char *job, struct it_money *m)
{
	struct it_resp r;
	json_object *txs, *t, *v;
	const char *type, *jid;
	size_t i, n;

	memset(m, 0, sizeof(*m));
	if (it_get(&r, "/v1/wallet?limit=200", ws->key) != 0 || r.status != 200 ||
	    !json_object_object_get_ex(r.json, "recent_transactions", &txs)) {
		it_free(&r);
		return -1;
	}
	n = json_object_array_length(txs);
	for (i = 0; i < n; i++) {
		t = json_object_array_get_idx(txs, i);
		jid = json_object_object_get_ex(t, "job_id", &v) ?
		    json_object_get_string(v) : NULL;
		if (jid == NULL || strcmp(jid, job) != 0)
			continue;
		type = json_object_object_get_ex(t, "type", &v) ?
		    json_object_get_string(v) : "";
		if (strcmp(type, "hold") == 0) {
			m->holds++;
			json_object_object_get_ex(t, "reserved_delta_micros", &v);
			m->hold = json_object_get_int64(v);
		} else if (strcmp(type, "capture") == 0 ||
		    strcmp(type, "release") == 0) {
			m->settles++;
			snprintf(m->settle_type, sizeof(m->settle_type), "%s", type);
			json_object_object_get_ex(t, "amount_micros", &v);
			m->settle_amount = json_object_get_int64(v);
			json_object_object_get_ex(t, "reserved_delta_micros", &v);
			m->settle_reserved = json_object_get_int64(v);
		}
	}
	it_free(&r);
	return 0;
}

long
it_fetch(const char *url, char **body, size_t *len)
{
	char full[2048];
	struct it_resp r;
	long st;

	snprintf(full, sizeof(full), "%s%s", strncmp(url, "http", 4) == 0 ? "" :
	    it_base(), url);
	if (it_req(&r, "GET", full, NULL, NULL, 0) != 0)
		return -1;
	st = r.status;
	if (body != NULL) {
		*body = malloc(r.len + 1);
		memcpy(*body, r.body, r.len);
		(*body)[r.len] = '\0';
		*len = r.len;
	}
	it_free(&r);
	return st;
}
