#include <string.h>

#include <json-c/json.h>

#include "db.h"
#include "mg_util.h"
#include "wallet_http.h"

json_object *
wallet_usd_json(int64_t micros)
{
	char s[32];

	mg_fmt_usd(micros, s, sizeof(s));
	return json_object_new_double_s(mg_usd_display(micros), s);
}

/* The balance object shared by the studio routes. */
static json_object *
balance_json(int64_t balance, int64_t reserved)
{
	json_object *b = json_object_new_object();

	json_object_object_add(b, "currency", json_object_new_string("USD"));
	json_object_object_add(b, "balance_usd", wallet_usd_json(balance));
	json_object_object_add(b, "reserved_usd", wallet_usd_json(reserved));
	json_object_object_add(b, "available_usd",
	    wallet_usd_json(balance - reserved));
	json_object_object_add(b, "balance_micros", json_object_new_int64(balance));
	json_object_object_add(b, "reserved_micros", json_object_new_int64(reserved));
	json_object_object_add(b, "available_micros",
	    json_object_new_int64(balance - reserved));
	return b;
}

/*
 * GET /v1/wallet?limit=1..200 (default 20): balance + recent ledger rows.
 * The balance came with the authentication query; one more query here.
 */
int
wallet_h_get(struct mg_ctx *c)
{
	const char *ls = fcgi_req_query(&c->req, c->arena, "limit");
	int64_t limit = 20, id, amount, rdelta;
	char kind[16], ref[192], desc[256], job[37], at[32];
	json_object *o, *txs, *t;
	enum db_err e;

	if (ls != NULL && mg_parse_i64(ls, strlen(ls), 1, 200, &limit) != 0)
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "limit must be an integer from 1 to 200");
	if ((e = db_exec(c->db, DB_WALLET_RECENT, "si", c->who.workspace_id,
	    limit)) != DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not read the wallet");
	txs = json_object_new_array_ext((int)limit);
	while ((e = db_next(c->db, DB_WALLET_RECENT, "isiissss", &id,
	    kind, sizeof(kind), &amount, &rdelta, ref, sizeof(ref), desc,
	    sizeof(desc), job, sizeof(job), at, sizeof(at))) == DB_OK) {
		t = json_object_new_object();
		json_object_object_add(t, "id", json_object_new_int64(id));
		json_object_object_add(t, "type", json_object_new_string(kind));
		json_object_object_add(t, "amount_usd", wallet_usd_json(amount));
		json_object_object_add(t, "amount_micros",
		    json_object_new_int64(amount));
		json_object_object_add(t, "reserved_delta_micros",
		    json_object_new_int64(rdelta));
		json_object_object_add(t, "reference", json_object_new_string(ref));
		json_object_object_add(t, "description",
		    json_object_new_string(desc));
		json_object_object_add(t, "job_id", *job ?
		    json_object_new_string(job) : NULL);
		json_object_object_add(t, "created_at", json_object_new_string(at));
		json_object_array_add(txs, t);
	}
	db_done(c->db, DB_WALLET_RECENT);
	if (e != DB_NOROW) {
		json_object_put(txs);
		return mg_fail(c, MG_E_INTERNAL, "could not read the wallet");
	}
	o = json_object_new_object();
	json_object_object_add(o, "balance",
	    balance_json(c->who.balance_micros, c->who.reserved_micros));
	json_object_object_add(o, "recent_transactions", txs);
	return mg_reply_json(c, 200, o);
}
