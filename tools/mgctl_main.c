/*
 * mgctl: the admin CLI, over the same db layer as the workers.
 *
 *   mgctl [--json] migrate
 *   mgctl [--json] tenant create NAME
 *   mgctl [--json] workspace create TENANT_ID NAME
 *   mgctl [--json] key create WORKSPACE_ID [--scopes generate,read,admin]
 *                  [--label L] [--dialect studio|prepaid|credits]
 *                  [--daily-cap USD] [--quota N]
 *   mgctl [--json] key revoke KEY_ID
 *   mgctl [--json] wallet grant WORKSPACE_ID USD --reason TEXT [--ref REF]
 *   mgctl [--json] ledger verify
 *   mgctl [--json] catalog load FILE
 *   mgctl [--json] catalog list
 *   mgctl [--json] character add WORKSPACE_ID NAME [--status training|ready|failed]
 *   mgctl [--json] user create --email E --password-file F [--workspace WS ...]
 *                  [--role owner|member]
 *   mgctl [--json] oauth-client create --name N --redirect-uri U [...]
 *                  [--scopes generate,read,admin] [--confidential]
 *   mgctl [--json] signing-key rotate
 *   mgctl [--json] oauth purge
 *   mgctl [--json] wallet reap [--limit N]
 *   mgctl [--json] workspace set-stripe-customer WORKSPACE_ID cus_…
 *
 * With --json each command prints one JSON object (`id` of what it made,
 * `key` for a new key). Errors: a message on stderr and a non-zero exit.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "auth_admin.h"
#include "auth_key.h"
#include "auth_keys.h"
#include "catalog_active.h"
#include "db.h"
#include "db_migrate.h"
#include "mg_config.h"
#include "mg_crypto.h"
#include "mg_log.h"
#include "mg_idem.h"
#include "mg_util.h"
#include "wallet.h"

static int json_out;

static int
die(const char *fmt, ...)
{
	va_list ap;

	fputs("mgctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* Print the result object (JSON) or its fields one per line. */
static int
emit(json_object *o)
{
	if (json_out)
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	else {
		json_object_object_foreach(o, k, v)
			printf("%s: %s\n", k, json_object_get_string(v));
	}
	json_object_put(o);
	return 0;
}

/* Value of --name in argv, or NULL. */
static const char *
opt(int argc, char **argv, const char *name)
{
	int i;

	for (i = 0; i < argc - 1; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

static struct db_conn *
admin_db(void)
{
	struct db_conn *db = db_open(DB_ROLE_ADMIN);

	if (db == NULL)
		die("cannot connect to the database as the admin user "
		    "(is the stack running? see `make run`)");
	return db;
}

static int
cmd_migrate(void)
{
	struct db_conn *db;
	int n, version;
	json_object *o;

	if ((db = admin_db()) == NULL)
		return 1;
	n = db_migrate(db, mg_cfg_str("migrations_dir", "db/migrations"),
	    mg_cfg_str("grants_file", "db/grants.sql"), &version);
	db_close(db);
	if (n < 0)
		return die("migration failed");
	o = json_object_new_object();
	json_object_object_add(o, "applied", json_object_new_int(n));
	json_object_object_add(o, "version", json_object_new_int(version));
	return emit(o);
}

static int
check_name(const char *name)
{
	size_t n = strlen(name);

	return n >= 1 && n <= 200;
}

static int
cmd_tenant_create(const char *name)
{
	struct db_conn *db;
	char id[37];
	json_object *o;

	if (!check_name(name))
		return die("tenant name must be 1 to 200 bytes");
	if ((db = admin_db()) == NULL)
		return 1;
	mg_uuid(id);
	if (db_exec(db, DB_ADM_TENANT_INSERT, "ss", id, name) != DB_OK) {
		db_close(db);
		return die("could not create the tenant");
	}
	db_close(db);
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(id));
	return emit(o);
}

static int
cmd_workspace_create(const char *tenant, const char *name)
{
	struct db_conn *db;
	char id[37];
	int64_t one;
	json_object *o;

	if (!check_name(name))
		return die("workspace name must be 1 to 200 bytes");
	if ((db = admin_db()) == NULL)
		return 1;
	if (db_row(db, DB_ADM_TENANT_EXISTS, "s", "i", tenant, &one) != DB_OK) {
		db_close(db);
		return die("no tenant %s", tenant);
	}
	mg_uuid(id);
	if (db_exec(db, DB_ADM_WS_INSERT, "sss", id, tenant, name) != DB_OK ||
	    wallet_ensure(db, id) != WALLET_OK) {
		db_close(db);
		return die("could not create the workspace");
	}
	db_close(db);
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(id));
	return emit(o);
}

static int
parse_scopes(const char *s, unsigned *out)
{
	char buf[128], *tok, *save;

	*out = 0;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "generate") == 0)
			*out |= 1;
		else if (strcmp(tok, "read") == 0)
			*out |= 2;
		else if (strcmp(tok, "admin") == 0)
			*out |= 4;
		else
			return -1;
	}
	return *out ? 0 : -1;
}

static int
cmd_key_create(const char *ws, int argc, char **argv)
{
	struct db_conn *db;
	const char *s, *label = opt(argc, argv, "--label");
	const char *dname = opt(argc, argv, "--dialect");
	char plain[AUTH_KEY_PLAIN_SIZE], prefix[AUTH_KEY_PREFIX_DISP_SIZE];
	char last4[5], id[37], capbuf[24], quotabuf[24];
	unsigned char hash[AUTH_KEY_HASH_LEN];
	enum auth_dialect d = AUTH_DIALECT_STUDIO;
	unsigned scopes = 1 | 2;
	int64_t one, cap = -1, quota = -1;
	json_object *o;

	if ((s = opt(argc, argv, "--scopes")) != NULL && parse_scopes(s, &scopes))
		return die("--scopes: a comma list of generate, read, admin");
	if (dname == NULL || strcmp(dname, "studio") == 0)
		dname = "studio";
	else if (strcmp(dname, "prepaid") == 0)
		d = AUTH_DIALECT_PREPAID;
	else if (strcmp(dname, "credits") == 0)
		d = AUTH_DIALECT_CREDITS;
	else
		return die("--dialect: studio, prepaid or credits");
	if (label != NULL && strlen(label) > 200)
		return die("--label: at most 200 bytes");
	if ((s = opt(argc, argv, "--daily-cap")) != NULL &&
	    mg_parse_usd(s, strlen(s), 1000000LL * MG_MICROS_PER_USD, &cap) != 0)
		return die("--daily-cap: a USD amount such as 25 or 2.50");
	if ((s = opt(argc, argv, "--quota")) != NULL &&
	    mg_parse_i64(s, strlen(s), 1, 100000000, &quota) != 0)
		return die("--quota: requests per day, 1..100000000");
	if ((db = admin_db()) == NULL)
		return 1;
	if (db_row(db, DB_ADM_WS_EXISTS, "s", "i", ws, &one) != DB_OK) {
		db_close(db);
		return die("no workspace %s", ws);
	}
	if (auth_key_mint(d, plain, sizeof(plain), hash, prefix, last4) !=
	    AUTH_KEY_OK) {
		db_close(db);
		return die("could not mint a key");
	}
	mg_uuid(id);
	snprintf(capbuf, sizeof(capbuf), "%lld", (long long)cap);
	snprintf(quotabuf, sizeof(quotabuf), "%lld", (long long)quota);
	if (db_exec(db, DB_AUTH_KEY_INSERT, "ssbssssisss", id, ws, hash,
	    (size_t)AUTH_KEY_HASH_LEN, prefix, last4, label ? label : "", dname,
	    (int64_t)scopes, cap >= 0 ? capbuf : NULL,
	    quota >= 0 ? quotabuf : NULL, (const char *)NULL) != DB_OK) {
		db_close(db);
		return die("could not store the key");
	}
	db_close(db);
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "key", json_object_new_string(plain));
	json_object_object_add(o, "prefix", json_object_new_string(prefix));
	json_object_object_add(o, "last4", json_object_new_string(last4));
	return emit(o);
}

static int
cmd_key_revoke(const char *id)
{
	struct db_conn *db;
	json_object *o;
	int64_t n;

	if ((db = admin_db()) == NULL)
		return 1;
	if (db_exec(db, DB_ADM_KEY_REVOKE, "s", id) != DB_OK) {
		db_close(db);
		return die("could not revoke the key");
	}
	n = db_affected(db, DB_ADM_KEY_REVOKE);
	db_close(db);
	if (n != 1)
		return die("no active key %s", id);
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "revoked", json_object_new_boolean(1));
	return emit(o);
}

static int
cmd_wallet_grant(const char *ws, const char *usd, int argc, char **argv)
{
	struct db_conn *db;
	const char *reason = opt(argc, argv, "--reason");
	const char *ref = opt(argc, argv, "--ref");
	char refbuf[64], id[37];
	int64_t micros;
	enum wallet_err e;
	json_object *o;

	if (reason == NULL || *reason == '\0' || strlen(reason) > 255)
		return die("--reason TEXT is required (1..255 bytes)");
	if (mg_parse_usd(usd, strlen(usd), 1000000LL * MG_MICROS_PER_USD,
	    &micros) != 0 || micros <= 0)
		return die("amount must be a positive USD amount such as 5.00");
	if (ref == NULL) {
		mg_uuid(id);
		snprintf(refbuf, sizeof(refbuf), "grant:%s", id);
		ref = refbuf;
	} else if (strlen(ref) > 190)
		return die("--ref: at most 190 bytes");
	if ((db = admin_db()) == NULL)
		return 1;
	e = wallet_credit(db, ws, "grant", micros, ref, reason);
	db_close(db);
	if (e != WALLET_OK && e != WALLET_DUPLICATE)
		return die("grant failed: %s", wallet_strerror(e));
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(ref));
	json_object_object_add(o, "amount_micros", json_object_new_int64(micros));
	json_object_object_add(o, "applied",
	    json_object_new_boolean(e == WALLET_OK));
	return emit(o);
}

/*
 * ledger verify, holds and payments (004, 009): reserved = Σ open holds
 * (hold rows without a settle row); every hold row reserves a positive
 * amount; every settle row fits its hold (the unique ref makes it the only
 * one); no external payment credited under two refs. Appends a message
 * per breach to errs. 0, or -1 on a db error.
 */
static int
verify_holds(struct db_conn *db, json_object *errs)
{
	char ws[37], job[65], state[16], why[64], ref[192], msg[320];
	int64_t res, sum, n;

	if (db_exec(db, DB_ADM_VERIFY_HOLDS_SUM, "") != DB_OK)
		return -1;
	while (db_next(db, DB_ADM_VERIFY_HOLDS_SUM, "sii", ws, sizeof(ws),
	    &res, &sum) == DB_OK) {
		snprintf(msg, sizeof(msg), "wallet %s: reserved %lld but open "
		    "holds sum to %lld", ws, (long long)res, (long long)sum);
		json_object_array_add(errs, json_object_new_string(msg));
	}
	db_done(db, DB_ADM_VERIFY_HOLDS_SUM);
	if (db_exec(db, DB_ADM_VERIFY_HOLD_ROWS, "") != DB_OK)
		return -1;
	while (db_next(db, DB_ADM_VERIFY_HOLD_ROWS, "sss", job, sizeof(job),
	    state, sizeof(state), why, sizeof(why)) == DB_OK) {
		snprintf(msg, sizeof(msg), "hold %s (%s): %s", job, state, why);
		json_object_array_add(errs, json_object_new_string(msg));
	}
	db_done(db, DB_ADM_VERIFY_HOLD_ROWS);
	if (db_exec(db, DB_ADM_VERIFY_ORPHAN_SETTLES, "") != DB_OK)
		return -1;
	while (db_next(db, DB_ADM_VERIFY_ORPHAN_SETTLES, "s", ref,
	    sizeof(ref)) == DB_OK) {
		snprintf(msg, sizeof(msg), "ledger row %s settles no hold (not "
		    "a settle:<job> ref)", ref);
		json_object_array_add(errs, json_object_new_string(msg));
	}
	db_done(db, DB_ADM_VERIFY_ORPHAN_SETTLES);
	if (db_exec(db, DB_ADM_VERIFY_PAYMENTS_REFS, "") != DB_OK)
		return -1;
	while (db_next(db, DB_ADM_VERIFY_PAYMENTS_REFS, "si", ref, sizeof(ref),
	    &n) == DB_OK) {
		snprintf(msg, sizeof(msg), "external payment %s credited %lld "
		    "times", ref, (long long)n);
		json_object_array_add(errs, json_object_new_string(msg));
	}
	db_done(db, DB_ADM_VERIFY_PAYMENTS_REFS);
	/* With the payments tables (005): per payment and per checkout. */
	if (db_row(db, DB_ADM_HAS_PAYMENTS, "", "i", &n) != DB_OK)
		return -1;
	if (n < 2)
		return 0;
	if (db_exec(db, DB_ADM_VERIFY_PAYMENT_ROWS, "") != DB_OK)
		return -1;
	while (db_next(db, DB_ADM_VERIFY_PAYMENT_ROWS, "si", ref, sizeof(ref),
	    &n) == DB_OK) {
		snprintf(msg, sizeof(msg), "payment %s credited by %lld top-up "
		    "rows", ref, (long long)n);
		json_object_array_add(errs, json_object_new_string(msg));
	}
	db_done(db, DB_ADM_VERIFY_PAYMENT_ROWS);
	if (db_exec(db, DB_ADM_VERIFY_CHECKOUT_ROWS, "") != DB_OK)
		return -1;
	while (db_next(db, DB_ADM_VERIFY_CHECKOUT_ROWS, "s", ref,
	    sizeof(ref)) == DB_OK) {
		snprintf(msg, sizeof(msg), "checkout %s credited under its own "
		    "id and its payment's", ref);
		json_object_array_add(errs, json_object_new_string(msg));
	}
	db_done(db, DB_ADM_VERIFY_CHECKOUT_ROWS);
	return 0;
}

/* mgctl wallet reap: release expired holds and drop expired idempotency keys. */
static int
cmd_wallet_reap(int argc, char **argv)
{
	const char *ls = opt(argc, argv, "--limit");
	struct db_conn *db;
	int64_t limit = 1000;
	int holds, keys, usage;
	json_object *o;

	if (ls != NULL && mg_parse_i64(ls, strlen(ls), 1, 1000, &limit) != 0)
		return die("--limit: an integer from 1 to 1000");
	if ((db = admin_db()) == NULL)
		return 1;
	holds = wallet_reap_expired(db, (int64_t)time(NULL), (int)limit);
	keys = mg_idem_reap(db, (int)limit);
	usage = auth_usage_purge(db, (int)limit);
	db_close(db);
	if (holds < 0 || keys < 0 || usage < 0)
		return die("wallet reap: database error");
	o = json_object_new_object();
	json_object_object_add(o, "holds_released", json_object_new_int(holds));
	json_object_object_add(o, "idempotency_keys_deleted",
	    json_object_new_int(keys));
	json_object_object_add(o, "key_usage_rows_deleted",
	    json_object_new_int(usage));
	return emit(o);
}

/* mgctl workspace set-stripe-customer WS cus_…: the topup customer. */
static int
cmd_ws_set_customer(const char *ws, const char *cus)
{
	struct db_conn *db;
	int64_t n;
	json_object *o;
	size_t i, len = strlen(cus);

	if (len < 5 || len > 255 || strncmp(cus, "cus_", 4) != 0)
		return die("customer id must look like cus_… (at most 255 bytes)");
	for (i = 0; i < len; i++)
		if (cus[i] <= 0x20 || cus[i] > 0x7e)
			return die("customer id must be printable ASCII");
	if ((db = admin_db()) == NULL)
		return 1;
	if (db_exec(db, DB_ADM_WS_SET_CUSTOMER, "ss", cus, ws) != DB_OK) {
		db_close(db);
		return die("database error");
	}
	n = db_affected(db, DB_ADM_WS_SET_CUSTOMER);
	if (n == 0 && db_row(db, DB_ADM_WS_EXISTS, "s", "i", ws, &n) != DB_OK) {
		db_close(db);
		return die("no workspace %s", ws);
	}
	db_close(db);
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(ws));
	json_object_object_add(o, "stripe_customer_id", json_object_new_string(cus));
	return emit(o);
}

/* ledger verify: every invariant, with counts of what was checked. */
static int
cmd_ledger_verify(void)
{
	struct db_conn *db;
	char ws[37];
	int64_t bal, res, sbal, sres, rows, wallets = 0, nrows = 0, bad = 0;
	int64_t orphans = 0, signs = 0;
	json_object *o, *errs = json_object_new_array();
	char msg[256];

	if ((db = admin_db()) == NULL) {
		json_object_put(errs);
		return 1;
	}
	if (db_exec(db, DB_ADM_VERIFY_WALLETS, "") != DB_OK)
		goto dberr;
	while (db_next(db, DB_ADM_VERIFY_WALLETS, "siiiii", ws, sizeof(ws),
	    &bal, &res, &sbal, &sres, &rows) == DB_OK) {
		wallets++;
		nrows += rows;
		if (bal != sbal || res != sres || res < 0) {
			bad++;
			snprintf(msg, sizeof(msg), "wallet %s: balance %lld vs "
			    "ledger %lld, reserved %lld vs ledger %lld", ws,
			    (long long)bal, (long long)sbal, (long long)res,
			    (long long)sres);
			json_object_array_add(errs, json_object_new_string(msg));
		}
	}
	db_done(db, DB_ADM_VERIFY_WALLETS);
	if (db_row(db, DB_ADM_VERIFY_ORPHANS, "", "i", &orphans) != DB_OK ||
	    db_row(db, DB_ADM_VERIFY_SIGNS, "", "i", &signs) != DB_OK)
		goto dberr;
	if (orphans > 0) {
		snprintf(msg, sizeof(msg), "%lld ledger rows without a wallet",
		    (long long)orphans);
		json_object_array_add(errs, json_object_new_string(msg));
	}
	if (signs > 0) {
		snprintf(msg, sizeof(msg), "%lld ledger rows with a sign that "
		    "does not fit their kind", (long long)signs);
		json_object_array_add(errs, json_object_new_string(msg));
	}
	if (verify_holds(db, errs) != 0)
		goto dberr;
	db_close(db);
	o = json_object_new_object();
	json_object_object_add(o, "ok", json_object_new_boolean(
	    json_object_array_length(errs) == 0));
	json_object_object_add(o, "wallets_checked", json_object_new_int64(wallets));
	json_object_object_add(o, "ledger_rows", json_object_new_int64(nrows));
	json_object_object_add(o, "wallets_mismatched", json_object_new_int64(bad));
	json_object_object_add(o, "errors", errs);
	if (!json_out) {
		printf("checked %lld wallets and %lld ledger rows: balance = "
		    "sum(ledger), reserved = sum(hold rows) = sum(open holds) "
		    ">= 0, each hold settled at most once and every settle has "
		    "its hold, each external payment credited once, no orphan "
		    "rows, signs fit kinds\n", (long long)wallets, (long long)nrows);
		if (json_object_array_length(errs) == 0)
			printf("ok\n");
		else {
			size_t i;

			for (i = 0; i < json_object_array_length(errs); i++)
				printf("BROKEN: %s\n", json_object_get_string(
				    json_object_array_get_idx(errs, i)));
		}
		bad = json_object_array_length(errs) > 0;
		json_object_put(o);
		return bad ? 1 : 0;
	}
	bad = json_object_array_length(errs) > 0;
	emit(o);
	return bad ? 1 : 0;
dberr:
	db_close(db);
	json_object_put(errs);
	return die("ledger verify: database error");
}

/*
 * catalog load FILE: validate and activate atomically (catalog_active.h).
 * A refused file changes nothing and exits 1 with the loader's reason.
 */
static int
cmd_catalog_load(const char *path)
{
	struct catalog_store_result r;
	struct db_conn *db;
	enum catalog_store_err e;
	char err[512];
	json_object *o;

	if ((db = admin_db()) == NULL)
		return 1;
	e = catalog_store_file(db, path, &r, err, sizeof(err));
	db_close(db);
	if (e != CATALOG_STORE_OK)
		return die("catalog load refused: %s", err);
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int64(r.id));
	json_object_object_add(o, "version", json_object_new_string(r.version));
	json_object_object_add(o, "sha256", json_object_new_string(r.sha256));
	json_object_object_add(o, "active", json_object_new_boolean(1));
	json_object_object_add(o, "reactivated",
	    json_object_new_boolean(r.reactivated));
	return emit(o);
}

/* catalog list: every stored version, oldest first, the active one marked. */
static int
cmd_catalog_list(void)
{
	struct db_conn *db;
	char version[CATALOG_MAX_ID + 1], sha[65], src[256], at[32];
	int64_t id, active;
	json_object *o, *arr;
	enum db_err e;

	if ((db = admin_db()) == NULL)
		return 1;
	if (db_exec(db, DB_CAT_VERSION_LIST, "") != DB_OK) {
		db_close(db);
		return die("catalog list: database error");
	}
	arr = json_object_new_array();
	while ((e = db_next(db, DB_CAT_VERSION_LIST, "issssi", &id, version,
	    sizeof(version), sha, sizeof(sha), src, sizeof(src), at,
	    sizeof(at), &active)) == DB_OK) {
		o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_int64(id));
		json_object_object_add(o, "version", json_object_new_string(version));
		json_object_object_add(o, "sha256", json_object_new_string(sha));
		json_object_object_add(o, "source", json_object_new_string(src));
		json_object_object_add(o, "loaded_at", json_object_new_string(at));
		json_object_object_add(o, "active", json_object_new_boolean(active != 0));
		json_object_array_add(arr, o);
		if (!json_out)
			printf("%s%lld\t%s\t%s\t%s\n", active ? "* " : "  ",
			    (long long)id, version, at, src);
	}
	db_done(db, DB_CAT_VERSION_LIST);
	db_close(db);
	if (e != DB_NOROW) {
		json_object_put(arr);
		return die("catalog list: database error");
	}
	if (!json_out) {
		json_object_put(arr);
		return 0;
	}
	o = json_object_new_object();
	json_object_object_add(o, "versions", arr);
	return emit(o);
}

/*
 * character add: seed a character row (operators, tests). Studio clients
 * create characters with POST /v1/characters, which queues a training job.
 */
static int
cmd_character_add(const char *ws, const char *name, int argc, char **argv)
{
	const char *status = opt(argc, argv, "--status");
	struct db_conn *db;
	char id[37];
	int64_t one;
	json_object *o;

	if (status == NULL)
		status = "ready";
	if (strcmp(status, "training") != 0 && strcmp(status, "ready") != 0 &&
	    strcmp(status, "failed") != 0)
		return die("--status: training, ready or failed");
	if (!check_name(name))
		return die("character name must be 1 to 200 bytes");
	if ((db = admin_db()) == NULL)
		return 1;
	if (db_row(db, DB_ADM_WS_EXISTS, "s", "i", ws, &one) != DB_OK) {
		db_close(db);
		return die("no workspace %s", ws);
	}
	mg_uuid(id);
	if (db_exec(db, DB_CHAR_INSERT, "sssssss", id, ws, name, status, "[]",
	    "{}", (const char *)NULL) != DB_OK) {
		db_close(db);
		return die("could not store the character");
	}
	db_close(db);
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "status", json_object_new_string(status));
	return emit(o);
}

/* Run an identity command of modules/auth/auth_admin.c. */
static int
cmd_admin(json_object *(*fn)(struct db_conn *, int, char **, char *, size_t),
    int argc, char **argv)
{
	struct db_conn *db;
	char err[512];
	json_object *o;

	if ((db = admin_db()) == NULL)
		return 1;
	o = fn(db, argc, argv, err, sizeof(err));
	db_close(db);
	return o != NULL ? emit(o) : die("%s", err);
}

static int
usage(void)
{
	fprintf(stderr,
	    "usage: mgctl [--json] migrate\n"
	    "       mgctl [--json] tenant create NAME\n"
	    "       mgctl [--json] workspace create TENANT_ID NAME\n"
	    "       mgctl [--json] key create WORKSPACE_ID [--scopes generate,read,admin]\n"
	    "                      [--label L] [--dialect studio|prepaid|credits]\n"
	    "                      [--daily-cap USD] [--quota N]\n"
	    "       mgctl [--json] key revoke KEY_ID\n"
	    "       mgctl [--json] wallet grant WORKSPACE_ID USD --reason TEXT [--ref REF]\n"
	    "       mgctl [--json] ledger verify\n"
	    "       mgctl [--json] catalog load FILE\n"
	    "       mgctl [--json] catalog list\n"
	    "       mgctl [--json] character add WORKSPACE_ID NAME [--status S]\n"
	    "       mgctl [--json] user create --email E --password-file F\n"
	    "                      [--workspace WS ...] [--role owner|member]\n"
	    "       mgctl [--json] oauth-client create --name N --redirect-uri U [...]\n"
	    "                      [--scopes generate,read,admin] [--confidential]\n"
	    "       mgctl [--json] signing-key rotate\n"
	    "       mgctl [--json] oauth purge\n"
	    "       mgctl [--json] wallet reap [--limit N]\n"
	    "       mgctl [--json] workspace set-stripe-customer WORKSPACE_ID cus_...\n");
	return 2;
}

int
main(int argc, char *argv[])
{
	if (mg_cfg_load(NULL) != 0 || mg_crypto_init() != 0)
		return 1;
	mg_log_setup("mgctl", MG_LOG_WARN);
	argc--, argv++;
	if (argc > 0 && strcmp(argv[0], "--json") == 0) {
		json_out = 1;
		argc--, argv++;
	}
	if (argc < 1)
		return usage();
	if (strcmp(argv[0], "migrate") == 0)
		return cmd_migrate();
	if (argc >= 3 && strcmp(argv[0], "tenant") == 0 &&
	    strcmp(argv[1], "create") == 0)
		return cmd_tenant_create(argv[2]);
	if (argc >= 4 && strcmp(argv[0], "workspace") == 0 &&
	    strcmp(argv[1], "create") == 0)
		return cmd_workspace_create(argv[2], argv[3]);
	if (argc >= 3 && strcmp(argv[0], "key") == 0 &&
	    strcmp(argv[1], "create") == 0)
		return cmd_key_create(argv[2], argc - 3, argv + 3);
	if (argc >= 3 && strcmp(argv[0], "key") == 0 &&
	    strcmp(argv[1], "revoke") == 0)
		return cmd_key_revoke(argv[2]);
	if (argc >= 4 && strcmp(argv[0], "wallet") == 0 &&
	    strcmp(argv[1], "grant") == 0)
		return cmd_wallet_grant(argv[2], argv[3], argc - 4, argv + 4);
	if (argc >= 2 && strcmp(argv[0], "wallet") == 0 &&
	    strcmp(argv[1], "reap") == 0)
		return cmd_wallet_reap(argc - 2, argv + 2);
	if (argc >= 4 && strcmp(argv[0], "workspace") == 0 &&
	    strcmp(argv[1], "set-stripe-customer") == 0)
		return cmd_ws_set_customer(argv[2], argv[3]);
	if (argc >= 2 && strcmp(argv[0], "ledger") == 0 &&
	    strcmp(argv[1], "verify") == 0)
		return cmd_ledger_verify();
	if (argc >= 3 && strcmp(argv[0], "catalog") == 0 &&
	    strcmp(argv[1], "load") == 0)
		return cmd_catalog_load(argv[2]);
	if (argc >= 2 && strcmp(argv[0], "catalog") == 0 &&
	    strcmp(argv[1], "list") == 0)
		return cmd_catalog_list();
	if (argc >= 4 && strcmp(argv[0], "character") == 0 &&
	    strcmp(argv[1], "add") == 0)
		return cmd_character_add(argv[2], argv[3], argc - 4, argv + 4);
	if (argc >= 2 && strcmp(argv[0], "user") == 0 &&
	    strcmp(argv[1], "create") == 0)
		return cmd_admin(auth_admin_user_create, argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[0], "oauth-client") == 0 &&
	    strcmp(argv[1], "create") == 0)
		return cmd_admin(auth_admin_client_create, argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[0], "oauth") == 0 &&
	    strcmp(argv[1], "purge") == 0)
		return cmd_admin(auth_admin_purge, argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[0], "signing-key") == 0 &&
	    strcmp(argv[1], "rotate") == 0) {
		char err[512];
		json_object *o = auth_admin_key_rotate(err, sizeof(err));

		return o != NULL ? emit(o) : die("%s", err);
	}
	return usage();
}
