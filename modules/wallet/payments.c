/*
 * payments: the transactions behind external payments (payments.h,
 * docs/PAYMENTS.md). Webhook and claim handlers live in payments_http.c;
 * this file owns the SQL of db/sql/wallet.def's payments block and calls
 * wallet_credit_tx / wallet_debit_tx for the money.
 */
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "db.h"
#include "mg_log.h"
#include "mg_util.h"
#include "payments.h"
#include "wallet.h"

/* db_tx abort codes of our own (rolled back, returned unchanged). */
#define TX_ABORT	(DB_ERR__MAX + 1)

static const char *const errs[PAYMENTS__MAX] = {
	"applied",				/* PAYMENTS_OK */
	"already applied",			/* PAYMENTS_ALREADY */
	"duplicate event",			/* PAYMENTS_DUP_EVENT */
	"ignored",				/* PAYMENTS_IGNORED */
	"payment not known yet",		/* PAYMENTS_UNKNOWN_PAYMENT */
	"no wallet for this workspace",		/* PAYMENTS_NO_WALLET */
	"amount out of range",			/* PAYMENTS_BAD_AMOUNT */
	"no such checkout",			/* PAYMENTS_NOT_FOUND */
	"outcome unknown (connection lost at COMMIT)",	/* PAYMENTS_UNKNOWN */
	"database error",			/* PAYMENTS_DB */
};

static const char *const providers[PAYMENTS_PROVIDER__MAX] = {
	"stripe", "coinbase", "x402",
};

const char *
payments_strerror(int e)
{
	return e >= 0 && e < PAYMENTS__MAX ? errs[e] : "unknown";
}

const char *
payments_provider_name(enum payments_provider p)
{
	return p < PAYMENTS_PROVIDER__MAX ? providers[p] : "unknown";
}

/* A wallet_err inside a transaction → db_tx code; sets *res. */
static int
wallet_tx_rc(struct db_conn *db, enum wallet_err w, int *res)
{
	unsigned en;

	switch (w) {
	case WALLET_OK:
	case WALLET_DUPLICATE:
		return DB_OK;
	case WALLET_NO_WALLET:
		*res = PAYMENTS_NO_WALLET;
		return TX_ABORT;
	case WALLET_BAD_AMOUNT:
		*res = PAYMENTS_BAD_AMOUNT;
		return TX_ABORT;
	default:
		en = db_errno(db);
		if (en == 1213 || en == 1205)	/* deadlock, lock wait */
			return DB_RETRY;
		*res = PAYMENTS_DB;
		return TX_ABORT;
	}
}

/*
 * Inside a transaction: the credit (ledger ref "<provider>:<key>") and the
 * payment row, plus the checkout row when known. *res = PAYMENTS_OK when
 * this transaction credits, PAYMENTS_ALREADY when the ref was taken.
 * Returns a db_tx code.
 */
static int
settle_in_tx(struct db_conn *db, const struct payments_settle *s, int *res)
{
	char ref[PAYMENTS_REF_MAX];
	const char *pname = payments_provider_name(s->provider);
	enum wallet_err w;
	enum db_err e;
	int rc;

	if (snprintf(ref, sizeof(ref), "%s:%s", pname, s->payment_key) >=
	    (int)sizeof(ref)) {
		*res = PAYMENTS_BAD_AMOUNT;
		return TX_ABORT;
	}
	w = wallet_credit_tx(db, s->workspace_id, "topup", s->credit_micros, ref,
	    s->description ? s->description : "");
	if ((rc = wallet_tx_rc(db, w, res)) != DB_OK)
		return rc;
	*res = w == WALLET_OK ? PAYMENTS_OK : PAYMENTS_ALREADY;
	if ((e = db_exec(db, DB_PAY_UPSERT_PAID, "sssssiis", pname,
	    s->payment_key, s->workspace_id,
	    s->package_code ? s->package_code : "", s->checkout_id,
	    s->amount_micros, s->credit_micros, ref)) != DB_OK)
		return e;
	if (s->checkout_id != NULL && s->checkout_id[0] != '\0' &&
	    (e = db_exec(db, DB_PAY_CHECKOUT_COMPLETE, "sss", s->payment_key,
	    pname, s->checkout_id)) != DB_OK)
		return e;
	return DB_OK;
}

struct settle_args {
	const struct payments_settle	*s;
	int				 res;
};

static int
settle_tx(struct db_conn *db, void *arg)
{
	struct settle_args *a = arg;

	return settle_in_tx(db, a->s, &a->res);
}

/* Map a db_tx result to a payments_err, given the transaction's own result. */
static int
tx_result(int rc, int res, const char *what)
{
	if (rc == DB_OK || rc == TX_ABORT)
		return res;
	if (rc == DB_GONE)
		return PAYMENTS_UNKNOWN;
	mg_log(MG_LOG_ERROR, "payments %s: %s", what,
	    db_strerror((enum db_err)rc));
	return PAYMENTS_DB;
}

int
payments_settle(struct db_conn *db, const struct payments_settle *s)
{
	struct settle_args a = { s, PAYMENTS_DB };
	int rc;

	if (s->credit_micros <= 0 || s->amount_micros < 0)
		return PAYMENTS_BAD_AMOUNT;
	rc = db_tx(db, settle_tx, &a);	/* before reading a.res */
	return tx_result(rc, a.res, "settle");
}

int
payments_checkout_record(struct db_conn *db, enum payments_provider p,
    const char *checkout_id, const char *alt_id, const char *ws,
    const char *pkg, int64_t amount, int64_t credit)
{
	enum db_err e;

	e = db_exec(db, DB_PAY_CHECKOUT_INSERT, "sssssii",
	    payments_provider_name(p), checkout_id,
	    alt_id && *alt_id ? alt_id : NULL, ws, pkg, amount, credit);
	/* DB_DUP: the provider replayed an idempotent create: same row. */
	return e == DB_OK || e == DB_DUP ? PAYMENTS_OK : PAYMENTS_DB;
}

/* The fixed-column read of DB_PAY_CHECKOUT_GET (autocommit or in a tx). */
static enum db_err
checkout_read(struct db_conn *db, enum payments_provider p, const char *id,
    struct payments_checkout *o)
{
	memset(o, 0, sizeof(*o));
	return db_row(db, DB_PAY_CHECKOUT_GET, "sss", "sssiiss",
	    payments_provider_name(p), id, id,
	    o->checkout_id, sizeof(o->checkout_id),
	    o->workspace_id, sizeof(o->workspace_id),
	    o->package_code, sizeof(o->package_code),
	    &o->amount_micros, &o->credit_micros,
	    o->status, sizeof(o->status),
	    o->payment_key, sizeof(o->payment_key));
}

int
payments_checkout_get(struct db_conn *db, enum payments_provider p,
    const char *id, struct payments_checkout *o)
{
	enum db_err e = checkout_read(db, p, id, o);

	if (e == DB_OK)
		return PAYMENTS_OK;
	return e == DB_NOROW ? PAYMENTS_NOT_FOUND : PAYMENTS_DB;
}

int
payments_package_price(const struct catalog *cat, const char *code,
    int64_t *price, int64_t *credit)
{
	size_t pl = strlen(PAYMENTS_PACK_PREFIX);
	const struct catalog_credit_pack *pk;
	const struct catalog_package *p;

	if (cat == NULL || code == NULL || code[0] == '\0')
		return -1;
	if (strncmp(code, PAYMENTS_PACK_PREFIX, pl) == 0) {
		if ((pk = catalog_credit_pack(cat, code + pl)) == NULL ||
		    pk->credits <= 0 || cat->credit_usd_micros <= 0 ||
		    pk->credits > INT64_MAX / cat->credit_usd_micros)
			return -1;
		*price = pk->price_micros;
		*credit = pk->credits * cat->credit_usd_micros;
		return 0;
	}
	if ((p = catalog_package(cat, code)) == NULL)
		return -1;
	*price = p->price_micros;
	*credit = p->credit_micros;
	return 0;
}

/* ---------------------------------------------------------------- events */

struct stripe_args {
	const struct catalog		*cat;
	const struct pay_stripe_event	*ev;
	int				 effect;
	int				 res;
	int64_t				 moved;
};

/*
 * What a Stripe credit is worth. A session event finds its checkout row
 * (our own record of workspace, package, price and credit); a PaymentIntent
 * event (or a session we have no row for) uses metadata: the package's
 * credit when metadata.package names one and the amount paid matches its
 * price, else exactly the amount paid (top-ups, auto-recharge).
 */
static int
stripe_credit(struct db_conn *db, struct stripe_args *a,
    struct payments_settle *s, struct payments_checkout *co)
{
	const struct pay_stripe_event *ev = a->ev;
	int64_t price, credit;
	enum db_err e;

	s->provider = PAYMENTS_STRIPE;
	s->payment_key = ev->payment_key;
	s->amount_micros = ev->amount_micros;
	s->credit_micros = ev->amount_micros;
	s->workspace_id = ev->workspace_id[0] ? ev->workspace_id : ev->wallet_id;
	s->package_code = ev->package;
	s->checkout_id = NULL;
	s->description = "Stripe payment";
	if (strcmp(ev->object, "checkout.session") == 0) {
		s->checkout_id = ev->object_id;
		s->description = "Stripe Checkout";
		e = checkout_read(db, PAYMENTS_STRIPE, ev->object_id, co);
		if (e != DB_OK && e != DB_NOROW)
			return e;
		if (e == DB_OK) {
			if (s->workspace_id[0] != '\0' &&
			    strcmp(s->workspace_id, co->workspace_id) != 0)
				mg_log(MG_LOG_WARN, "stripe %s: metadata "
				    "workspace differs from the checkout's; "
				    "using the checkout's", ev->object_id);
			s->workspace_id = co->workspace_id;
			s->package_code = co->package_code;
			s->credit_micros = co->credit_micros;
			if (ev->amount_micros != co->amount_micros) {
				mg_log(MG_LOG_WARN, "stripe %s: paid %lld, "
				    "price %lld: crediting what was paid",
				    ev->object_id, (long long)ev->amount_micros,
				    (long long)co->amount_micros);
				s->credit_micros = ev->amount_micros;
			}
			return DB_OK;
		}
	}
	if (payments_package_price(a->cat, ev->package, &price, &credit) == 0) {
		if (price == ev->amount_micros)
			s->credit_micros = credit;
		else
			mg_log(MG_LOG_WARN, "stripe %s: paid %lld for package "
			    "%s priced %lld: crediting what was paid",
			    ev->payment_key, (long long)ev->amount_micros,
			    ev->package, (long long)price);
	}
	return DB_OK;
}

/* charge.refunded: debit only the increase of the cumulative amount. */
static int
stripe_refund(struct db_conn *db, struct stripe_args *a)
{
	const struct pay_stripe_event *ev = a->ev;
	char ws[37], status[24], ref[PAYMENTS_REF_MAX];
	int64_t amount, credit, refunded, disputed, delta;
	enum wallet_err w;
	enum db_err e;
	int rc;

	e = db_row(db, DB_PAY_LOCK, "ss", "siiisi", "stripe", ev->payment_key,
	    ws, sizeof(ws), &amount, &credit, &refunded, status, sizeof(status),
	    &disputed);
	if (e == DB_NOROW) {
		a->res = PAYMENTS_UNKNOWN_PAYMENT;
		return TX_ABORT;
	}
	if (e != DB_OK)
		return e;
	if (ev->amount_micros <= refunded) {	/* replay or reordered: no-op */
		a->res = PAYMENTS_IGNORED;
		return DB_OK;
	}
	delta = ev->amount_micros - refunded;
	if (snprintf(ref, sizeof(ref), "stripe-refund:%s:%lld", ev->charge,
	    (long long)ev->amount_cents) >= (int)sizeof(ref)) {
		a->res = PAYMENTS_BAD_AMOUNT;
		return TX_ABORT;
	}
	w = wallet_debit_tx(db, ws, "refund", delta, ref, "Stripe refund");
	if ((rc = wallet_tx_rc(db, w, &a->res)) != DB_OK)
		return rc;
	if ((e = db_exec(db, DB_PAY_SET_REFUNDED, "isss", ev->amount_micros,
	    ev->amount_micros >= amount ? "refunded" : "partially_refunded",
	    "stripe", ev->payment_key)) != DB_OK)
		return e;
	a->res = w == WALLET_OK ? PAYMENTS_OK : PAYMENTS_ALREADY;
	a->moved = w == WALLET_OK ? delta : 0;
	return DB_OK;
}

/* charge.dispute.created: debit the disputed amount once per dispute. */
static int
stripe_dispute(struct db_conn *db, struct stripe_args *a)
{
	const struct pay_stripe_event *ev = a->ev;
	char ws[37], status[24], ref[PAYMENTS_REF_MAX];
	int64_t amount, credit, refunded, disputed;
	enum wallet_err w;
	enum db_err e;
	int rc;

	e = db_row(db, DB_PAY_LOCK, "ss", "siiisi", "stripe", ev->payment_key,
	    ws, sizeof(ws), &amount, &credit, &refunded, status, sizeof(status),
	    &disputed);
	if (e == DB_NOROW) {
		a->res = PAYMENTS_UNKNOWN_PAYMENT;
		return TX_ABORT;
	}
	if (e != DB_OK)
		return e;
	if (ev->amount_micros <= 0) {
		a->res = PAYMENTS_IGNORED;
		return DB_OK;
	}
	if (snprintf(ref, sizeof(ref), "stripe-dispute:%s", ev->object_id) >=
	    (int)sizeof(ref)) {
		a->res = PAYMENTS_BAD_AMOUNT;
		return TX_ABORT;
	}
	w = wallet_debit_tx(db, ws, "chargeback", ev->amount_micros, ref,
	    "Stripe dispute");
	if ((rc = wallet_tx_rc(db, w, &a->res)) != DB_OK)
		return rc;
	if ((e = db_exec(db, DB_PAY_SET_DISPUTED, "ss", "stripe",
	    ev->payment_key)) != DB_OK)
		return e;
	a->res = w == WALLET_OK ? PAYMENTS_OK : PAYMENTS_ALREADY;
	a->moved = w == WALLET_OK ? ev->amount_micros : 0;
	return DB_OK;
}

/* Failed or expired: mark the checkout and (when we know whose) the payment. */
static int
stripe_mark(struct db_conn *db, struct stripe_args *a, const char *pstatus,
    const char *cstatus)
{
	const struct pay_stripe_event *ev = a->ev;
	struct payments_checkout co;
	const char *ws = ev->workspace_id[0] ? ev->workspace_id : ev->wallet_id;
	enum db_err e;

	a->res = PAYMENTS_OK;
	if (strcmp(ev->object, "checkout.session") == 0) {
		if ((e = db_exec(db, DB_PAY_CHECKOUT_MARK, "sss", cstatus,
		    "stripe", ev->object_id)) != DB_OK)
			return e;
		if (ws[0] == '\0' && checkout_read(db, PAYMENTS_STRIPE,
		    ev->object_id, &co) == DB_OK) {
			return db_exec(db, DB_PAY_UPSERT_STATUS, "sssis",
			    "stripe", ev->payment_key, co.workspace_id,
			    ev->amount_micros < 0 ? (int64_t)0 :
			    ev->amount_micros, pstatus);
		}
	}
	if (ws[0] == '\0')
		return DB_OK;
	return db_exec(db, DB_PAY_UPSERT_STATUS, "sssis", "stripe",
	    ev->payment_key, ws,
	    ev->amount_micros < 0 ? (int64_t)0 : ev->amount_micros, pstatus);
}

static int
stripe_event_tx(struct db_conn *db, void *arg)
{
	struct stripe_args *a = arg;
	const struct pay_stripe_event *ev = a->ev;
	struct payments_settle s;
	struct payments_checkout co;
	enum db_err e;

	a->moved = 0;
	e = db_exec(db, DB_PAY_EVENT_INSERT, "ssss", "stripe", ev->id,
	    ev->type_name, ev->payment_key);
	if (e == DB_DUP) {
		a->res = PAYMENTS_DUP_EVENT;
		return TX_ABORT;
	}
	if (e != DB_OK)
		return e;
	switch (a->effect) {
	case PAY_EFFECT_CREDIT:
		if ((e = stripe_credit(db, a, &s, &co)) != DB_OK)
			return e;
		if (s.workspace_id[0] == '\0') {
			mg_log(MG_LOG_WARN, "stripe %s %s: no workspace: "
			    "acknowledged, not credited", ev->type_name,
			    ev->object_id);
			a->res = PAYMENTS_IGNORED;
			return DB_OK;
		}
		if (s.credit_micros <= 0) {
			a->res = PAYMENTS_IGNORED;
			return DB_OK;
		}
		e = settle_in_tx(db, &s, &a->res);
		if (e == DB_OK && a->res == PAYMENTS_OK)
			a->moved = s.credit_micros;
		return e;
	case PAY_EFFECT_FAILED:
		return stripe_mark(db, a, "failed", "failed");
	case PAY_EFFECT_EXPIRED:
		return stripe_mark(db, a, "expired", "expired");
	case PAY_EFFECT_REFUND:
		return stripe_refund(db, a);
	case PAY_EFFECT_DISPUTE:
		return stripe_dispute(db, a);
	default:	/* WAIT: the async events will follow */
		a->res = PAYMENTS_IGNORED;
		return DB_OK;
	}
}

int
payments_stripe_event(struct db_conn *db, const struct catalog *cat,
    const struct pay_stripe_event *ev, int parse_rc, int64_t *moved)
{
	struct stripe_args a = { cat, ev, pay_stripe_event_effect(ev),
	    PAYMENTS_DB, 0 };
	int rc;

	if (moved != NULL)
		*moved = 0;
	/* Unknown types and nothing-to-do effects: acknowledged, no DB. */
	if (ev->type == PAY_ST_UNKNOWN || a.effect == PAY_EFFECT_NONE)
		return PAYMENTS_IGNORED;
	if (parse_rc != PAY_EVT_OK && parse_rc != PAY_EVT_ENOMETA)
		return PAYMENTS_IGNORED;
	rc = db_tx(db, stripe_event_tx, &a);	/* before reading a.res */
	rc = tx_result(rc, a.res, ev->type_name);
	if (moved != NULL)
		*moved = a.moved;
	return rc;
}

struct coinbase_args {
	const struct pay_coinbase_event	*ev;
	int				 effect;
	int				 res;
	int64_t				 moved;
};

static int
coinbase_event_tx(struct db_conn *db, void *arg)
{
	struct coinbase_args *a = arg;
	const struct pay_coinbase_event *ev = a->ev;
	struct payments_checkout co;
	struct payments_settle s;
	const char *ws = ev->workspace_id[0] ? ev->workspace_id : ev->wallet_id;
	enum db_err e;
	int have;

	a->moved = 0;
	e = db_exec(db, DB_PAY_EVENT_INSERT, "ssss", "coinbase", ev->id,
	    ev->type_name, ev->payment_key);
	if (e == DB_DUP) {
		a->res = PAYMENTS_DUP_EVENT;
		return TX_ABORT;
	}
	if (e != DB_OK)
		return e;
	e = checkout_read(db, PAYMENTS_COINBASE, ev->charge_code, &co);
	if (e != DB_OK && e != DB_NOROW)
		return e;
	have = e == DB_OK;
	if (have)
		ws = co.workspace_id;
	if (ws[0] == '\0') {
		a->res = PAYMENTS_IGNORED;
		return DB_OK;
	}
	if (a->effect == PAY_EFFECT_FAILED) {
		a->res = PAYMENTS_OK;
		if ((e = db_exec(db, DB_PAY_CHECKOUT_MARK, "sss", "failed",
		    "coinbase", ev->charge_code)) != DB_OK)
			return e;
		return db_exec(db, DB_PAY_UPSERT_STATUS, "sssis", "coinbase",
		    ev->payment_key, ws, have ? co.amount_micros :
		    ev->amount_micros < 0 ? (int64_t)0 : ev->amount_micros,
		    "failed");
	}
	memset(&s, 0, sizeof(s));
	s.provider = PAYMENTS_COINBASE;
	s.payment_key = ev->payment_key;
	s.checkout_id = have ? co.checkout_id : NULL;
	s.workspace_id = ws;
	s.package_code = have ? co.package_code : "";
	s.amount_micros = ev->amount_micros;
	s.credit_micros = have ? co.credit_micros : ev->amount_micros;
	s.description = "Coinbase Commerce charge";
	if (s.credit_micros <= 0) {
		a->res = PAYMENTS_IGNORED;
		return DB_OK;
	}
	e = settle_in_tx(db, &s, &a->res);
	if (e == DB_OK && a->res == PAYMENTS_OK)
		a->moved = s.credit_micros;
	return e;
}

int
payments_coinbase_event(struct db_conn *db, const struct pay_coinbase_event *ev,
    int parse_rc, int64_t *moved)
{
	struct coinbase_args a = { ev, pay_coinbase_event_effect(ev),
	    PAYMENTS_DB, 0 };
	int rc;

	if (moved != NULL)
		*moved = 0;
	if (a.effect != PAY_EFFECT_CREDIT && a.effect != PAY_EFFECT_FAILED)
		return PAYMENTS_IGNORED;
	if (parse_rc != PAY_EVT_OK && parse_rc != PAY_EVT_ENOMETA)
		return PAYMENTS_IGNORED;
	rc = db_tx(db, coinbase_event_tx, &a);	/* before reading a.res */
	rc = tx_result(rc, a.res, ev->type_name);
	if (moved != NULL)
		*moved = a.moved;
	return rc;
}
