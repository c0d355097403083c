#include <string.h>

#include <json-c/json.h>

#include "db.h"
#include "mg_util.h"
#include "auth_http.h"
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

/* One ledger row as a transaction object. */
static json_object *
tx_json(int64_t id, const char *kind, int64_t amount, int64_t rdelta,
    const char *ref, const char *desc, const char *job, const char *at)
{
	json_object *t = json_object_new_object();

	json_object_object_add(t, "id", json_object_new_int64(id));
	json_object_object_add(t, "type", json_object_new_string(kind));
	json_object_object_add(t, "amount_usd", wallet_usd_json(amount));
	json_object_object_add(t, "amount_micros", json_object_new_int64(amount));
	json_object_object_add(t, "reserved_delta_micros",
	    json_object_new_int64(rdelta));
	json_object_object_add(t, "reference", json_object_new_string(ref));
	json_object_object_add(t, "description", json_object_new_string(desc));
	json_object_object_add(t, "job_id", *job ?
	    json_object_new_string(job) : NULL);
	json_object_object_add(t, "created_at", json_object_new_string(at));
	return t;
}

static int
wallet_reply(struct mg_ctx *c, json_object *txs)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "balance",
	    balance_json(c->who.balance_micros, c->who.reserved_micros));
	json_object_object_add(o, "recent_transactions", txs);
	return mg_reply_json(c, 200, o);
}

/*
 * GET /v1/wallet?limit=1..200 (default 20): balance + recent ledger rows.
 * An API-key caller is authenticated by the same statement that reads the
 * ledger (DB_WALLET_AUTH_RECENT): one round trip. Other credentials take the
 * generic path and a second query.
 */
int
wallet_h_get(struct mg_ctx *c)
{
	const char *ls = fcgi_req_query(&c->req, c->arena, "limit");
	int64_t limit = 20, id, amount, rdelta;
	int id_null, st;
	char kind[16], ref[192], desc[256], job[37], at[32];
	unsigned char hash[32];
	struct auth_row row;
	json_object *txs;
	enum db_err e;

	if (ls != NULL && mg_parse_i64(ls, strlen(ls), 1, 200, &limit) != 0) {
		if ((st = auth_require(c)) != 0)
			return st;
		return mg_fail(c, MG_E_INVALID_PARAM,
		    "limit must be an integer from 1 to 200");
	}
	if ((st = auth_key_credential(c, hash)) == 0) {
		if (db_exec(c->db, DB_WALLET_AUTH_RECENT, "bi", hash,
		    (size_t)32, limit) != DB_OK)
			return mg_fail(c, MG_E_INTERNAL, "could not read the wallet");
		txs = mg_json_own(c, json_object_new_array_ext((int)limit));
		while ((e = db_next(c->db, DB_WALLET_AUTH_RECENT,
		    AUTH_ROW_FMT "Isiissss", AUTH_ROW_ARGS(&c->who, &row), &id,
		    &id_null, kind, sizeof(kind), &amount, &rdelta, ref,
		    sizeof(ref), desc, sizeof(desc), job, sizeof(job), at,
		    sizeof(at))) == DB_OK) {
			if (!c->who.authenticated &&
			    (st = auth_accept_row(c, &row)) != 0) {
				db_done(c->db, DB_WALLET_AUTH_RECENT);
				return st;
			}
			if (!id_null)
				json_object_array_add(txs, tx_json(id, kind,
				    amount, rdelta, ref, desc, job, at));
		}
		db_done(c->db, DB_WALLET_AUTH_RECENT);
		if (e != DB_NOROW)
			return mg_fail(c, MG_E_INTERNAL, "could not read the wallet");
		if (!c->who.authenticated)
			return mg_fail(c, MG_E_UNAUTHORIZED, "invalid API key");
		return wallet_reply(c, json_object_get(txs));
	}
	if (st != AUTH_NOT_A_KEY || (st = auth_require(c)) != 0)
		return st;
	if (db_exec(c->db, DB_WALLET_RECENT, "si", c->who.workspace_id,
	    limit) != DB_OK)
		return mg_fail(c, MG_E_INTERNAL, "could not read the wallet");
	txs = mg_json_own(c, json_object_new_array_ext((int)limit));
	while ((e = db_next(c->db, DB_WALLET_RECENT, "isiissss", &id,
	    kind, sizeof(kind), &amount, &rdelta, ref, sizeof(ref), desc,
	    sizeof(desc), job, sizeof(job), at, sizeof(at))) == DB_OK)
		json_object_array_add(txs, tx_json(id, kind, amount, rdelta,
		    ref, desc, job, at));
	db_done(c->db, DB_WALLET_RECENT);
	if (e != DB_NOROW)
		return mg_fail(c, MG_E_INTERNAL, "could not read the wallet");
	return wallet_reply(c, json_object_get(txs));
}
