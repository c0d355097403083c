'use strict';
// Fake Stripe API (the subset mediagate calls) for tests, on loopback.
// Wire format per /work/shared/reference/payments.md §1-3 and
// https://docs.stripe.com/api (errors, idempotent requests, checkout
// sessions, payment intents, events, webhook signatures).
//
//   node tests/fakes/stripe.js --port 0 [--api-key sk_test_x]
// Prints {"ready":true,"port":N}. See tests/fakes/README.md for /__control.

const path = require('node:path');
const crypto = require('node:crypto');
const {
  createFake, runMain, parseArgs, parseForm, send, randStr, nowSec, postRaw,
} = require('./common');

const Stripe = require(require.resolve('stripe', { paths: [path.join(__dirname, '..')] }));
const stripeLib = new Stripe('sk_test_fake_signer_only');

const API_VERSION = '2026-10-28.endive';
const args = parseArgs(process.argv.slice(2));

const st = {
  apiKey: args['api-key'] || null, // null: any "sk_" key is accepted
  objects: new Map(), // id -> object (customers, sessions, PIs, charges, disputes, refunds)
  idem: new Map(), // `${apiKey}\n${idemKey}` -> {fingerprint, inflight, response}
  pmOutcomes: new Map(), // payment_method id -> outcome name
  events: [],
};

/* ---- errors ---------------------------------------------------------------- */

class StripeError extends Error {
  // status: HTTP status; fields: {type, code, param, decline_code, ...};
  // stored: whether an idempotency key keeps this response (Stripe keeps
  // responses once the endpoint began executing, not validation failures).
  constructor(status, fields, stored = false) {
    super(fields.message);
    this.status = status;
    this.fields = fields;
    this.stored = stored;
  }
}
const invalid = (message, param, code) => new StripeError(400, {
  type: 'invalid_request_error', message, ...(param ? { param } : {}), ...(code ? { code } : {}),
});
const missingParam = (p) => invalid(`Missing required param: ${p}.`, p, 'parameter_missing');
const noSuch = (kind, id, param) => new StripeError(404, {
  type: 'invalid_request_error', code: 'resource_missing', param: param || 'id',
  message: `No such ${kind}: '${id}'`,
});

function errorBody(status, error) {
  if (error && typeof error === 'object') return { body: { error } };
  const type = status >= 500 ? 'api_error' : status === 429 ? 'invalid_request_error' : 'invalid_request_error';
  const e = { type, message: `Injected ${status} from fake Stripe.` };
  if (status === 429) { e.code = 'rate_limit'; e.message = 'Too many requests hit the API too quickly.'; }
  if (typeof error === 'string') e.code = error;
  const headers = status >= 500 || status === 429 ? { 'Stripe-Should-Retry': 'true' } : {};
  return { body: { error: e }, headers };
}

/* ---- helpers ----------------------------------------------------------------- */

const newId = (prefix, n = 24) => `${prefix}${randStr(n)}`;
function pub(obj) {
  if (Array.isArray(obj)) return obj.map(pub);
  if (!obj || typeof obj !== 'object') return obj;
  const out = {};
  for (const [k, v] of Object.entries(obj)) if (!k.startsWith('_')) out[k] = pub(v);
  return out;
}
function parseIntParam(v, param) {
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || !/^-?\d{1,15}$/.test(v)) throw invalid(`Invalid integer: ${v}`, param);
  return Number(v);
}
function parseBoolParam(v, param) {
  if (v === undefined) return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw invalid(`Invalid boolean: ${v}`, param);
}
function checkKnown(params, allowed) {
  for (const k of Object.keys(params)) {
    if (!allowed.includes(k)) throw invalid(`Received unknown parameter: ${k}`, k);
  }
}
function metadataParam(v, param) {
  if (v === undefined || v === '') return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid(`Invalid object`, param);
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') throw invalid(`Invalid value for metadata key ${k}`, `${param}[${k}]`);
    if (k.length > 40) throw invalid('Metadata keys can be at most 40 characters', `${param}[${k}]`);
    if (x.length > 500) throw invalid('Metadata values can be at most 500 characters', `${param}[${k}]`);
  }
  return { ...v };
}
function validUrl(v, param) {
  try { const u = new URL(v.replace(/\{CHECKOUT_SESSION_ID\}/g, 'x')); if (!/^https?:$/.test(u.protocol)) throw 0; } catch {
    throw invalid('Not a valid URL', param, 'url_invalid');
  }
}
function getObj(id, prefix, kind) {
  const o = st.objects.get(id);
  if (!o || !id.startsWith(prefix)) throw noSuch(kind, id);
  return o;
}

/* ---- objects ------------------------------------------------------------------ */

function createCharge(pi, status = 'succeeded', failure) {
  const ch = {
    id: newId('ch_'), object: 'charge', amount: pi.amount,
    amount_captured: status === 'succeeded' ? pi.amount : 0,
    amount_refunded: 0, balance_transaction: status === 'succeeded' ? newId('txn_') : null,
    captured: status === 'succeeded', created: nowSec(), currency: pi.currency,
    customer: pi.customer, description: pi.description || null, disputed: false,
    failure_code: failure ? failure.code : null, failure_message: failure ? failure.message : null,
    livemode: false, metadata: { ...pi.metadata },
    outcome: { type: status === 'succeeded' ? 'authorized' : 'issuer_declined', network_status: status === 'succeeded' ? 'approved_by_network' : 'declined_by_network' },
    paid: status === 'succeeded', payment_intent: pi.id, payment_method: pi.payment_method || newId('pm_'),
    refunded: false, status, _prev: null,
  };
  st.objects.set(ch.id, ch);
  return ch;
}

function succeedPI(pi) {
  const ch = createCharge(pi, 'succeeded');
  pi.status = 'succeeded';
  pi.amount_received = pi.amount;
  pi.latest_charge = ch.id;
  pi.last_payment_error = null;
  pi.next_action = null;
  return ch;
}

function declineFields(code, decline) {
  const msgs = {
    card_declined: 'Your card was declined.',
    insufficient_funds: 'Your card has insufficient funds.',
    authentication_required: 'Your card was declined. This transaction requires authentication.',
    expired_card: 'Your card has expired.',
  };
  return {
    type: 'card_error', code, decline_code: decline,
    message: msgs[decline] || msgs[code] || 'Your card was declined.',
    doc_url: `https://docs.stripe.com/error-codes/${code.replace(/_/g, '-')}`,
  };
}

function failPI(pi, code = 'card_declined', decline = 'generic_decline') {
  const f = declineFields(code, decline);
  const ch = createCharge(pi, 'failed', { code, message: f.message });
  pi.status = 'requires_payment_method';
  pi.amount_received = 0;
  pi.latest_charge = ch.id;
  pi.last_payment_error = { ...f, charge: ch.id, payment_method: { id: pi.payment_method, object: 'payment_method', type: 'card' } };
  pi.next_action = null;
  return { ch, fields: f };
}

function newPI(p) {
  const id = newId('pi_');
  const pi = {
    id, object: 'payment_intent', amount: p.amount, amount_capturable: 0,
    amount_received: 0, automatic_payment_methods: null, canceled_at: null, cancellation_reason: null,
    capture_method: 'automatic', client_secret: `${id}_secret_${randStr(25)}`,
    confirmation_method: 'automatic', created: nowSec(), currency: p.currency,
    customer: p.customer || null, description: p.description || null,
    last_payment_error: null, latest_charge: null, livemode: false, metadata: p.metadata || {},
    next_action: null, payment_method: p.payment_method || null, payment_method_types: ['card'],
    receipt_email: p.receipt_email || null, setup_future_usage: p.setup_future_usage || null,
    status: p.payment_method ? 'requires_confirmation' : 'requires_payment_method',
  };
  st.objects.set(id, pi);
  return pi;
}

function pmOutcome(pm) {
  if (st.pmOutcomes.has(pm)) return st.pmOutcomes.get(pm);
  if (/insufficientFunds/i.test(pm)) return 'insufficient_funds';
  if (/authenticationRequired|threeDSecureRequired/i.test(pm)) return 'authentication_required';
  if (/expiredCard/i.test(pm)) return 'expired_card';
  if (/declined/i.test(pm)) return 'card_declined';
  if (/processing/i.test(pm)) return 'processing';
  return 'succeeded';
}

// Confirms pi per its payment method's outcome. Returns the PI, or throws a
// stored 402 card error (as Stripe does) when the payment is declined.
function confirmPI(pi, offSession) {
  if (!pi.payment_method) {
    throw new StripeError(400, {
      type: 'invalid_request_error', code: 'payment_intent_unexpected_state',
      message: "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent with " + pi.customer + ', specify a payment method attached to this customer along with the customer ID.',
      param: 'payment_method',
    }, true);
  }
  const oc = pmOutcome(pi.payment_method);
  if (oc === 'succeeded') { succeedPI(pi); return pi; }
  if (oc === 'processing') { pi.status = 'processing'; return pi; }
  if (oc === 'authentication_required' && !offSession) {
    pi.status = 'requires_action';
    pi.next_action = { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect' } };
    return pi;
  }
  const code = oc === 'card_declined' || oc === 'insufficient_funds' ? 'card_declined' : oc;
  const decline = oc === 'card_declined' ? 'generic_decline' : oc;
  const { ch, fields } = failPI(pi, code, decline);
  throw new StripeError(402, { ...fields, charge: ch.id, payment_intent: pub(pi) }, true);
}

// A card PaymentMethod (test card 4242), attached to customer when given.
function newPaymentMethod(customer) {
  const pm = {
    id: newId('pm_'), object: 'payment_method', type: 'card', created: nowSec(), livemode: false,
    customer: customer || null, metadata: {}, billing_details: { email: null, name: null },
    card: { brand: 'visa', last4: '4242', exp_month: 12, exp_year: new Date().getUTCFullYear() + 3, funding: 'credit', country: 'US' },
  };
  st.objects.set(pm.id, pm);
  return pm;
}

// Applies expand[] (https://docs.stripe.com/expand): each dotted path whose
// value is the id of a known object is replaced by that object (recursively).
function expandObj(obj, paths) {
  const out = pub(obj);
  for (const p of paths || []) {
    const parts = String(p).split('.');
    let node = out;
    for (let i = 0; i < parts.length && node && typeof node === 'object'; i++) {
      const k = parts[i];
      if (typeof node[k] === 'string' && st.objects.has(node[k])) node[k] = pub(st.objects.get(node[k]));
      node = node[k];
    }
  }
  return out;
}

/* ---- API endpoints -------------------------------------------------------------- */

function createCustomer(p) {
  checkKnown(p, ['email', 'name', 'description', 'metadata', 'phone', 'address', 'payment_method', 'invoice_settings', 'expand']);
  const c = {
    id: newId('cus_', 14), object: 'customer', address: null, balance: 0, created: nowSec(),
    currency: null, default_source: null, delinquent: false, description: p.description || null,
    email: p.email || null, invoice_prefix: randStr(8).toUpperCase(), livemode: false,
    metadata: metadataParam(p.metadata, 'metadata'), name: p.name || null, phone: p.phone || null,
    preferred_locales: [], shipping: null, tax_exempt: 'none',
  };
  st.objects.set(c.id, c);
  return [200, c];
}

const SESSION_PARAMS = ['mode', 'line_items', 'success_url', 'cancel_url', 'client_reference_id',
  'customer', 'customer_email', 'customer_creation', 'metadata', 'payment_intent_data', 'expires_at',
  'payment_method_types', 'currency', 'allow_promotion_codes', 'locale', 'submit_type',
  'billing_address_collection', 'ui_mode', 'return_url', 'expand', 'invoice_creation', 'automatic_tax',
  'saved_payment_method_options', 'payment_method_options', 'consent_collection', 'custom_text',
  'phone_number_collection', 'tax_id_collection', 'discounts', 'redirect_on_completion',
  'customer_update', 'after_expiration', 'custom_fields', 'payment_method_collection'];

function createSession(p, fake) {
  checkKnown(p, SESSION_PARAMS);
  if (!p.mode) throw missingParam('mode');
  if (p.mode !== 'payment') {
    if (!['setup', 'subscription'].includes(p.mode)) throw invalid(`Invalid mode: must be one of payment, setup, or subscription`, 'mode');
    throw invalid('This fake supports mode=payment only', 'mode');
  }
  if (!p.line_items || !Array.isArray(p.line_items) || p.line_items.length === 0) throw missingParam('line_items');
  if (p.customer && p.customer_email) throw invalid('You may only specify one of these parameters: customer, customer_email.', 'customer_email');
  if (p.customer && !st.objects.has(p.customer)) throw noSuch('customer', p.customer, 'customer');
  if (p.success_url) validUrl(p.success_url, 'success_url');
  if (p.cancel_url) validUrl(p.cancel_url, 'cancel_url');
  if (p.client_reference_id && p.client_reference_id.length > 200) throw invalid('client_reference_id must be at most 200 characters', 'client_reference_id');
  let total = 0;
  let currency = null;
  p.line_items.forEach((li, i) => {
    const pre = `line_items[${i}]`;
    if (!li || typeof li !== 'object') throw invalid('Invalid object', pre);
    if (li.price) throw invalid(`No such price: '${li.price}'`, `${pre}[price]`, 'resource_missing');
    const pd = li.price_data;
    if (!pd) throw invalid(`You must specify either \`price\` or \`price_data\` in ${pre}.`, pre);
    if (!pd.currency) throw missingParam(`${pre}[price_data][currency]`);
    if (!/^[a-zA-Z]{3}$/.test(pd.currency)) throw invalid(`Invalid currency: ${pd.currency}`, `${pre}[price_data][currency]`);
    const cur = pd.currency.toLowerCase();
    if (currency && cur !== currency) throw invalid('All line items must use the same currency', `${pre}[price_data][currency]`);
    currency = cur;
    const ua = parseIntParam(pd.unit_amount, `${pre}[price_data][unit_amount]`);
    if (ua === undefined) throw missingParam(`${pre}[price_data][unit_amount]`);
    if (ua < 0) throw invalid('This value must be greater than or equal to 0.', `${pre}[price_data][unit_amount]`);
    if (!pd.product && !(pd.product_data && pd.product_data.name)) throw missingParam(`${pre}[price_data][product_data][name]`);
    const q = parseIntParam(li.quantity, `${pre}[quantity]`);
    if (q === undefined) throw invalid(`Quantity is required. Add \`quantity\` to \`${pre}\``, `${pre}[quantity]`, 'parameter_missing');
    if (q < 1) throw invalid('This value must be greater than or equal to 1.', `${pre}[quantity]`);
    total += ua * q;
  });
  const now = nowSec();
  let expiresAt = now + 24 * 3600;
  if (p.expires_at !== undefined) {
    expiresAt = parseIntParam(p.expires_at, 'expires_at');
    if (expiresAt - now < 30 * 60 - 5) throw invalid('The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.', 'expires_at');
    if (expiresAt - now > 24 * 3600 + 5) throw invalid('The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.', 'expires_at');
  }
  const pid = p.payment_intent_data || {};
  const id = `cs_test_a1${randStr(56)}`;
  const s = {
    id, object: 'checkout.session', after_expiration: null, allow_promotion_codes: null,
    amount_subtotal: total, amount_total: total, cancel_url: p.cancel_url || null,
    client_reference_id: p.client_reference_id || null, created: now, currency,
    customer: p.customer || null, customer_creation: p.customer ? null : (p.customer_creation || 'if_required'),
    customer_details: p.customer_email ? { email: p.customer_email } : null,
    customer_email: p.customer_email || null, expires_at: expiresAt, livemode: false, locale: p.locale || null,
    metadata: metadataParam(p.metadata, 'metadata'), mode: 'payment', payment_intent: null,
    payment_method_types: ['card'], payment_status: 'unpaid', status: 'open',
    success_url: p.success_url || null, ui_mode: 'hosted',
    url: `${fake.baseUrl()}/pay/${id}`,
    _pi_metadata: metadataParam(pid.metadata, 'payment_intent_data[metadata]'),
    _setup_future_usage: pid.setup_future_usage || null,
    _line_items: p.line_items,
  };
  st.objects.set(id, s);
  return [200, s];
}

const PI_PARAMS = ['amount', 'currency', 'customer', 'payment_method', 'confirm', 'off_session', 'metadata',
  'description', 'receipt_email', 'setup_future_usage', 'capture_method', 'confirmation_method',
  'payment_method_types', 'automatic_payment_methods', 'statement_descriptor', 'statement_descriptor_suffix',
  'return_url', 'error_on_requires_action', 'mandate', 'mandate_data', 'expand', 'use_stripe_sdk',
  'payment_method_options', 'payment_method_data', 'radar_options', 'shipping'];

function createPI(p) {
  checkKnown(p, PI_PARAMS);
  if (p.amount === undefined) throw missingParam('amount');
  const amount = parseIntParam(p.amount, 'amount');
  if (!p.currency) throw missingParam('currency');
  if (!/^[a-zA-Z]{3}$/.test(p.currency)) throw invalid(`Invalid currency: ${p.currency}`, 'currency');
  const currency = p.currency.toLowerCase();
  if (amount < 50) throw invalid(`Amount must be at least $0.50 ${currency}`, 'amount', 'amount_too_small');
  if (amount > 99999999) throw invalid(`Amount must be no more than $999,999.99`, 'amount', 'amount_too_large');
  const confirm = parseBoolParam(p.confirm, 'confirm') || false;
  const off = p.off_session === undefined ? undefined : (p.off_session === 'one_off' || p.off_session === 'recurring' ? true : parseBoolParam(p.off_session, 'off_session'));
  if (off !== undefined && !confirm) throw invalid('You may only specify `off_session` when `confirm` is true.', 'off_session');
  if (p.customer && !st.objects.has(p.customer)) throw noSuch('customer', p.customer, 'customer');
  const pi = newPI({
    amount, currency, customer: p.customer, payment_method: p.payment_method,
    metadata: metadataParam(p.metadata, 'metadata'), description: p.description,
    receipt_email: p.receipt_email, setup_future_usage: p.setup_future_usage,
  });
  if (confirm) confirmPI(pi, !!off);
  return [200, pi];
}

function confirmPIEndpoint(id, p) {
  checkKnown(p, ['payment_method', 'off_session', 'return_url', 'error_on_requires_action', 'expand',
    'mandate', 'mandate_data', 'payment_method_options', 'setup_future_usage', 'use_stripe_sdk',
    'capture_method', 'receipt_email', 'shipping', 'payment_method_data', 'radar_options', 'payment_method_types']);
  const pi = getObj(id, 'pi_', 'payment_intent');
  if (!['requires_payment_method', 'requires_confirmation', 'requires_action'].includes(pi.status)) {
    throw new StripeError(400, {
      type: 'invalid_request_error', code: 'payment_intent_unexpected_state',
      message: `This PaymentIntent's status is ${pi.status}, but must be one of requires_payment_method, requires_confirmation, or requires_action to be confirmed.`,
      payment_intent: pub(pi),
    }, true);
  }
  if (p.payment_method) pi.payment_method = p.payment_method;
  const off = p.off_session === undefined ? false : (p.off_session === 'one_off' || p.off_session === 'recurring' ? true : parseBoolParam(p.off_session, 'off_session'));
  confirmPI(pi, off);
  return [200, pi];
}

/* ---- auth + idempotency wrapper ------------------------------------------------ */

function sendStripeError(res, e, extra = {}) {
  const hdrs = { ...extra };
  if (e.status === 409 || e.status >= 500) hdrs['Stripe-Should-Retry'] = 'true';
  send(res, e.status, { error: e.fields }, hdrs);
}

// Auth check per https://docs.stripe.com/api/authentication. Returns the key or null.
function authKey(ctx) {
  const h = ctx.headers.authorization || '';
  const requestId = ctx.requestId;
  let key = null;
  const mb = /^Bearer (.+)$/.exec(h);
  const mbasic = /^Basic (.+)$/.exec(h);
  if (mb) key = mb[1].trim();
  else if (mbasic) key = Buffer.from(mbasic[1], 'base64').toString('utf8').split(':')[0];
  if (!h) {
    sendStripeError(ctx.res, new StripeError(401, {
      type: 'invalid_request_error',
      message: "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
    }), { 'WWW-Authenticate': 'Bearer realm="Stripe"', 'Request-Id': requestId });
    return null;
  }
  const ok = key && (st.apiKey ? key === st.apiKey : /^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/.test(key));
  if (!ok) {
    const shown = key && key.length > 12 ? `${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}` : '*'.repeat((key || '').length);
    sendStripeError(ctx.res, new StripeError(401, {
      type: 'invalid_request_error', message: `Invalid API Key provided: ${shown}`,
    }), { 'WWW-Authenticate': 'Bearer realm="Stripe"', 'Request-Id': requestId });
    return null;
  }
  return key;
}

function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

// Stripe idempotency (https://docs.stripe.com/api/idempotent_requests):
// the first response for a key is stored, even a 500, once the endpoint
// began executing; a replay with the same params returns it with
// Idempotent-Replayed: true; other params -> 400 idempotency_error;
// a concurrent request with the key -> 409.
async function wrap(ctx, inner) {
  ctx.requestId = newId('req_', 14);
  if (!ctx.path.startsWith('/v1/')) { await inner(); return; }
  const key = authKey(ctx);
  if (!key) return;
  const idemKey = ctx.headers['idempotency-key'];
  if (ctx.method !== 'POST' || idemKey === undefined) { await inner(); return; }
  if (idemKey.length > 255 || idemKey.length === 0) {
    sendStripeError(ctx.res, invalid('The Idempotency-Key header must be between 1 and 255 characters long.', undefined), { 'Request-Id': ctx.requestId });
    return;
  }
  const slot = `${key}\n${idemKey}`;
  const fp = `${ctx.method} ${ctx.path} ${canonical(parseForm(ctx.text))}`;
  const prior = st.idem.get(slot);
  const idemHdrs = { 'Idempotency-Key': idemKey, 'Request-Id': ctx.requestId };
  if (prior && prior.inflight) {
    sendStripeError(ctx.res, new StripeError(409, {
      type: 'idempotency_error', code: 'idempotency_key_in_use',
      message: 'There is currently another in-progress request using this idempotent key (that probably means you submitted twice, and the other request is still going through): ' + idemKey + '. Please try again later.',
    }), idemHdrs);
    return;
  }
  if (prior && prior.fingerprint !== fp) {
    sendStripeError(ctx.res, new StripeError(400, {
      type: 'idempotency_error',
      message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idemKey}' if you meant to execute a different request.`,
    }), idemHdrs);
    return;
  }
  if (prior) {
    const r = prior.response;
    const h = { ...r.headers, 'Idempotent-Replayed': 'true', 'Original-Request': r.requestId, 'Request-Id': ctx.requestId };
    delete h['Content-Length'];
    send(ctx.res, r.status, r.body, h);
    return;
  }
  const entry = { fingerprint: fp, inflight: true, response: null, created: Date.now() };
  st.idem.set(slot, entry);
  try {
    await inner();
  } finally {
    entry.inflight = false;
    const sent = ctx.res.__sent;
    const storable = sent && (ctx.fault ? ctx.fault.store : !ctx.noStore);
    if (storable) entry.response = { status: sent.status, headers: { ...sent.headers }, body: sent.body, requestId: ctx.requestId };
    else st.idem.delete(slot);
  }
}

/* ---- handler ---------------------------------------------------------------------- */

const formParams = (ctx) => parseForm(ctx.method === 'GET' ? ctx.query.toString() : ctx.text);

async function handle(ctx) {
  const { method, path: p, res } = ctx;
  if (p.startsWith('/pay/')) return payPage(ctx);
  const hdrs = { 'Request-Id': ctx.requestId, 'Stripe-Version': ctx.headers['stripe-version'] || API_VERSION };
  if (ctx.headers['idempotency-key']) hdrs['Idempotency-Key'] = ctx.headers['idempotency-key'];
  try {
    if (method === 'POST' && ctx.text.length > 0 && !/application\/x-www-form-urlencoded/.test(ctx.headers['content-type'] || '')) {
      throw invalid('Invalid request (check that your POST content type is application/x-www-form-urlencoded). If you have any questions, we can help at https://support.stripe.com/.');
    }
    const params = formParams(ctx);
    let out = null;
    let m;
    if (method === 'POST' && p === '/v1/customers') out = createCustomer(params);
    else if (method === 'GET' && (m = /^\/v1\/customers\/([^/]+)$/.exec(p))) out = [200, getObj(m[1], 'cus_', 'customer')];
    else if (method === 'POST' && p === '/v1/checkout/sessions') out = createSession(params, ctx.fake);
    else if (method === 'GET' && (m = /^\/v1\/checkout\/sessions\/([^/]+)$/.exec(p))) out = [200, getObj(m[1], 'cs_', 'checkout.session')];
    else if (method === 'POST' && (m = /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/.exec(p))) {
      const s = getObj(m[1], 'cs_', 'checkout.session');
      if (s.status !== 'open') throw invalid(`Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${s.status}".`, undefined, 'checkout_session_not_open');
      s.status = 'expired';
      out = [200, s];
    } else if (method === 'POST' && p === '/v1/payment_intents') out = createPI(params);
    else if (method === 'GET' && (m = /^\/v1\/payment_intents\/([^/]+)$/.exec(p))) out = [200, getObj(m[1], 'pi_', 'payment_intent')];
    else if (method === 'POST' && (m = /^\/v1\/payment_intents\/([^/]+)\/confirm$/.exec(p))) out = confirmPIEndpoint(m[1], params);
    else if (method === 'GET' && (m = /^\/v1\/charges\/([^/]+)$/.exec(p))) out = [200, getObj(m[1], 'ch_', 'charge')];
    else if (method === 'GET' && (m = /^\/v1\/payment_methods\/([^/]+)$/.exec(p))) out = [200, getObj(m[1], 'pm_', 'payment_method')];
    else if (method === 'GET' && (m = /^\/v1\/customers\/([^/]+)\/payment_methods$/.exec(p))) {
      getObj(m[1], 'cus_', 'customer');
      const data = [...st.objects.values()].filter((o) => o.object === 'payment_method' && o.customer === m[1]).reverse().map(pub);
      out = [200, { object: 'list', data, has_more: false, url: `/v1/customers/${m[1]}/payment_methods` }];
    }
    else if (p.startsWith('/v1/')) {
      throw new StripeError(404, {
        type: 'invalid_request_error',
        message: `Unrecognized request URL (${method}: ${p}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
      });
    }
    if (out) send(res, out[0], out[1].object === 'list' ? out[1] : expandObj(out[1], params.expand), hdrs);
  } catch (e) {
    if (!(e instanceof StripeError)) throw e;
    ctx.noStore = !e.stored;
    sendStripeError(res, e, hdrs);
  }
}

/* ---- hosted payment page (for browser tests) ------------------------------------- */

function esc(s) { return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`); }

function payPage(ctx) {
  const m = /^\/pay\/([^/]+)(\/complete|\/cancel)?$/.exec(ctx.path);
  const s = m && st.objects.get(m[1]);
  if (!s || s.object !== 'checkout.session') { send(ctx.res, 404, 'no such session', { 'Content-Type': 'text/plain' }); return; }
  if (ctx.method === 'GET' && !m[2]) {
    const html = `<!doctype html><html><head><title>Fake Checkout</title></head><body>
<h1>Fake Stripe Checkout</h1><p id="amount">${esc(s.amount_total)} ${esc(s.currency)}</p><p id="status">${esc(s.status)}</p>
<form method="post" action="/pay/${esc(s.id)}/complete"><button id="pay" type="submit">Pay</button></form>
<form method="post" action="/pay/${esc(s.id)}/cancel"><button id="cancel" type="submit">Cancel</button></form></body></html>`;
    send(ctx.res, 200, html, { 'Content-Type': 'text/html; charset=utf-8' });
    return;
  }
  if (ctx.method === 'POST' && m[2] === '/complete') {
    if (s.status === 'open') completeSession(s, 'paid');
    const to = (s.success_url || `${ctx.fake.baseUrl()}/pay/${s.id}`).replace(/\{CHECKOUT_SESSION_ID\}/g, s.id);
    send(ctx.res, 303, '', { Location: to });
    return;
  }
  if (ctx.method === 'POST' && m[2] === '/cancel') {
    const to = s.cancel_url || `${ctx.fake.baseUrl()}/pay/${s.id}`;
    send(ctx.res, 303, '', { Location: to });
    return;
  }
  send(ctx.res, 405, 'method not allowed', { 'Content-Type': 'text/plain' });
}

/* ---- control --------------------------------------------------------------------- */

const httpErr = (status, msg) => Object.assign(new Error(msg), { status });
function ctlObj(id, prefix) {
  const o = st.objects.get(id);
  if (!o || !id.startsWith(prefix)) throw httpErr(404, `no such object ${id}`);
  return o;
}

// Marks a session paid (payment_status "paid") or async-pending ("unpaid",
// PI processing). Returns the session.
function completeSession(s, paymentStatus) {
  if (!s.customer && (s.customer_creation === 'always' || s._setup_future_usage)) {
    const [, c] = createCustomer({ email: s.customer_email || 'buyer@example.test' });
    s.customer = c.id;
  }
  const pm = newPaymentMethod(s._setup_future_usage ? s.customer : null);
  const pi = newPI({
    amount: s.amount_total, currency: s.currency, customer: s.customer,
    payment_method: pm.id, metadata: { ...s._pi_metadata }, setup_future_usage: s._setup_future_usage,
  });
  s.payment_intent = pi.id;
  s.status = 'complete';
  if (!s.customer_details) s.customer_details = { email: s.customer_email || 'buyer@example.test' };
  if (paymentStatus === 'paid') {
    succeedPI(pi);
    s.payment_status = 'paid';
  } else {
    pi.status = 'processing';
    s.payment_status = 'unpaid';
  }
  return s;
}

const OBJ_FOR_TYPE = {
  'checkout.session.completed': 'cs_',
  'checkout.session.async_payment_succeeded': 'cs_',
  'checkout.session.async_payment_failed': 'cs_',
  'checkout.session.expired': 'cs_',
  'payment_intent.succeeded': 'pi_',
  'payment_intent.payment_failed': 'pi_',
  'payment_intent.processing': 'pi_',
  'payment_intent.canceled': 'pi_',
  'charge.succeeded': 'ch_',
  'charge.refunded': 'ch_',
  'charge.dispute.created': 'dp_',
};

// Builds an event envelope for the object's current state.
// https://docs.stripe.com/api/events/object
function buildEvent(type, obj, previous) {
  const data = { object: pub(obj) };
  if (previous) data.previous_attributes = previous;
  const ev = {
    id: newId('evt_'), object: 'event', api_version: API_VERSION, created: nowSec(),
    data, livemode: false, pending_webhooks: 1,
    request: { id: null, idempotency_key: null }, type,
  };
  st.events.push(ev);
  return ev;
}

// Stripe-Signature for payload with one or more secrets, via stripe-node.
function signHeader(payload, secrets, timestamp, withV0) {
  const list = Array.isArray(secrets) ? secrets : [secrets];
  const parts = list.map((sec) => stripeLib.webhooks.generateTestHeaderString({ payload, secret: sec, timestamp }));
  const t = timestamp;
  let h = `t=${t},${parts.map((x) => x.split(',').filter((y) => y.startsWith('v1=')).join(',')).join(',')}`;
  if (withV0) h += `,v0=${crypto.createHash('sha256').update(`${t}.${payload}`).digest('hex')}`;
  return h;
}

async function deliver(url, body, header, times, extraHeaders) {
  const statuses = [];
  const responses = [];
  for (let i = 0; i < times; i++) {
    const r = await postRaw(url, body, {
      'Content-Type': 'application/json; charset=utf-8',
      'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      'Cache-Control': 'no-cache',
      Accept: '*/*; q=0.5, application/xml',
      ...(header !== undefined && header !== null ? { 'Stripe-Signature': header } : {}),
      ...(extraHeaders || {}),
    });
    statuses.push(r.status);
    responses.push({ status: r.status, body: r.body, error: r.error });
  }
  return { statuses, responses };
}

const control = [
  ['POST', /^\/config$/, (ctx) => {
    const j = ctx.json || {};
    if ('api_key' in j) st.apiKey = j.api_key;
    return [200, { api_key: st.apiKey }];
  }],
  ['GET', /^\/objects$/, () => [200, [...st.objects.values()].map(pub)]],
  ['GET', /^\/objects\/([^/]+)$/, (ctx, m) => [200, pub(ctlObj(m[1], ''))]],
  ['GET', /^\/events$/, () => [200, st.events]],
  ['POST', /^\/payment_methods\/([^/]+)$/, (ctx, m) => {
    st.pmOutcomes.set(m[1], (ctx.json || {}).outcome || 'succeeded');
    return [200, { id: m[1], outcome: st.pmOutcomes.get(m[1]) }];
  }],
  ['POST', /^\/checkout\/([^/]+)\/complete$/, (ctx, m) => {
    const s = ctlObj(m[1], 'cs_');
    if (s.status !== 'open') throw httpErr(409, `session is ${s.status}`);
    completeSession(s, (ctx.json || {}).payment_status === 'unpaid' ? 'unpaid' : 'paid');
    return [200, pub(s)];
  }],
  ['POST', /^\/checkout\/([^/]+)\/async_(succeed|fail)$/, (ctx, m) => {
    const s = ctlObj(m[1], 'cs_');
    const pi = st.objects.get(s.payment_intent);
    if (!pi || pi.status !== 'processing') throw httpErr(409, 'session has no processing payment');
    if (m[2] === 'succeed') { succeedPI(pi); s.payment_status = 'paid'; } else failPI(pi);
    return [200, pub(s)];
  }],
  ['POST', /^\/checkout\/([^/]+)\/expire$/, (ctx, m) => {
    const s = ctlObj(m[1], 'cs_');
    if (s.status !== 'open') throw httpErr(409, `session is ${s.status}`);
    s.status = 'expired';
    return [200, pub(s)];
  }],
  ['POST', /^\/payment_intents\/([^/]+)\/(succeed|fail)$/, (ctx, m) => {
    const pi = ctlObj(m[1], 'pi_');
    if (m[2] === 'succeed') {
      if (pi.status === 'succeeded') throw httpErr(409, 'already succeeded');
      succeedPI(pi);
    } else {
      const j = ctx.json || {};
      failPI(pi, j.code || 'card_declined', j.decline_code || 'generic_decline');
    }
    return [200, pub(pi)];
  }],
  ['POST', /^\/charges\/([^/]+)\/refund$/, (ctx, m) => {
    const ch = ctlObj(m[1], 'ch_');
    const j = ctx.json || {};
    const remaining = ch.amount_captured - ch.amount_refunded;
    const amt = j.amount === undefined ? remaining : Number(j.amount);
    if (!Number.isInteger(amt) || amt <= 0 || amt > remaining) throw httpErr(400, `refund amount must be 1..${remaining}`);
    ch._prev = { amount_refunded: ch.amount_refunded, refunded: ch.refunded };
    ch.amount_refunded += amt;
    ch.refunded = ch.amount_refunded === ch.amount_captured;
    const re = {
      id: newId('re_'), object: 'refund', amount: amt, charge: ch.id, currency: ch.currency,
      created: nowSec(), payment_intent: ch.payment_intent, status: 'succeeded', metadata: {},
    };
    st.objects.set(re.id, re);
    return [200, { charge: pub(ch), refund: re }];
  }],
  ['POST', /^\/charges\/([^/]+)\/dispute$/, (ctx, m) => {
    const ch = ctlObj(m[1], 'ch_');
    const j = ctx.json || {};
    const amt = j.amount === undefined ? ch.amount : Number(j.amount);
    if (!Number.isInteger(amt) || amt <= 0 || amt > ch.amount) throw httpErr(400, `dispute amount must be 1..${ch.amount}`);
    ch.disputed = true;
    const dp = {
      id: newId('dp_'), object: 'dispute', amount: amt, balance_transactions: [], charge: ch.id,
      created: nowSec(), currency: ch.currency, evidence_details: { due_by: nowSec() + 7 * 86400, has_evidence: false, past_due: false, submission_count: 0 },
      is_charge_refundable: false, livemode: false, metadata: {}, payment_intent: ch.payment_intent,
      reason: j.reason || 'fraudulent', status: 'needs_response',
    };
    st.objects.set(dp.id, dp);
    return [200, pub(dp)];
  }],
  ['POST', /^\/sign$/, (ctx) => {
    const j = ctx.json || {};
    if (typeof j.payload !== 'string' || !j.secret) throw httpErr(400, 'payload (string) and secret required');
    return [200, { header: signHeader(j.payload, j.secret, j.timestamp || nowSec(), !!j.v0) }];
  }],
  ['POST', /^\/deliver$/, async (ctx) => {
    const j = ctx.json || {};
    if (!j.url || !j.type || !j.object_id || !j.secret) throw httpErr(400, 'url, type, object_id, secret required');
    const prefix = OBJ_FOR_TYPE[j.type];
    if (!prefix) throw httpErr(400, `unsupported event type ${j.type}`);
    const obj = ctlObj(j.object_id, prefix);
    let prev = j.previous_attributes;
    if (prev === undefined && j.type === 'charge.refunded' && obj._prev) prev = obj._prev;
    const ev = buildEvent(j.type, obj, prev);
    const body = JSON.stringify(ev, null, 2);
    const ts = j.timestamp === undefined ? nowSec() : Number(j.timestamp);
    const header = signHeader(body, j.secret, ts, j.v0 !== false);
    const times = j.times === undefined ? 1 : Number(j.times);
    const r = await deliver(j.url, body, header, times);
    return [200, { event_id: ev.id, event: ev, body, header, ...r }];
  }],
  ['POST', /^\/deliver_raw$/, async (ctx) => {
    const j = ctx.json || {};
    if (!j.url || typeof j.body !== 'string') throw httpErr(400, 'url and body (string) required');
    const r = await deliver(j.url, j.body, j.header, j.times === undefined ? 1 : Number(j.times), j.headers);
    return [200, r];
  }],
];

const fake = createFake({
  name: 'stripe', errorBody, control, handle, wrap,
  onReset() { st.objects.clear(); st.idem.clear(); st.pmOutcomes.clear(); st.events.length = 0; },
});

if (require.main === module) runMain(fake);
module.exports = { fake, parseForm };
