'use strict';
// Fake Coinbase Commerce API (charges) for tests, on loopback.
// Wire format per /work/shared/reference/payments.md §4 and the Commerce
// API reference (https://docs.cdp.coinbase.com/commerce-onchain/reference):
// X-CC-Api-Key + X-CC-Version headers, {"data": Charge} bodies,
// {"error":{type,message}} errors, X-CC-Webhook-Signature = hex HMAC-SHA256.
//
//   node tests/fakes/coinbase.js --port 0 [--api-key KEY]
// Prints {"ready":true,"port":N}. See tests/fakes/README.md for /__control.

const crypto = require('node:crypto');
const { createFake, runMain, parseArgs, send, randStr, isoNow, postRaw } = require('./common');

const API_VERSION = '2018-03-22';
const args = parseArgs(process.argv.slice(2));
const st = {
  apiKey: args['api-key'] || null, // null: any non-empty key accepted
  charges: new Map(), // id -> charge
  byCode: new Map(), // code -> id
  attempt: 0,
};

const cbError = (status, type, message) => Object.assign(new Error(message), { status, type });

function errorBody(status, error) {
  const types = { 400: 'invalid_request', 401: 'authentication_error', 404: 'not_found', 429: 'rate_limit_exceeded' };
  const type = typeof error === 'string' ? error : (types[status] || (status >= 500 ? 'internal_server_error' : 'invalid_request'));
  return { body: { error: { type, message: `Injected ${status} from fake Coinbase Commerce.` } } };
}

// Signature per payments.md §4: lowercase hex HMAC-SHA256(raw body, secret).
function sign(body, secret) {
  return crypto.createHmac('sha256', secret).update(body).digest('hex');
}

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function createCharge(j, base) {
  if (!j || typeof j !== 'object' || Array.isArray(j)) throw cbError(400, 'invalid_request', 'Request body must be a JSON object');
  if (!j.name) throw cbError(400, 'param_required', 'Required parameter missing: name');
  if (typeof j.name !== 'string' || j.name.length > 100) throw cbError(400, 'validation_error', 'name must be a string of at most 100 characters');
  if (j.description !== undefined && (typeof j.description !== 'string' || j.description.length > 200)) throw cbError(400, 'validation_error', 'description must be a string of at most 200 characters');
  if (!j.pricing_type) throw cbError(400, 'param_required', 'Required parameter missing: pricing_type');
  if (!['fixed_price', 'no_price'].includes(j.pricing_type)) throw cbError(400, 'validation_error', 'pricing_type must be one of fixed_price, no_price');
  let local = null;
  if (j.pricing_type === 'fixed_price') {
    const lp = j.local_price;
    if (!lp || typeof lp !== 'object') throw cbError(400, 'param_required', 'Required parameter missing: local_price');
    if (lp.amount === undefined) throw cbError(400, 'param_required', 'Required parameter missing: local_price.amount');
    if (!lp.currency) throw cbError(400, 'param_required', 'Required parameter missing: local_price.currency');
    const amt = String(lp.amount);
    if (!/^\d{1,12}(\.\d{1,8})?$/.test(amt) || Number(amt) <= 0) throw cbError(400, 'validation_error', 'local_price.amount must be a positive decimal');
    if (!/^[A-Za-z]{3,5}$/.test(lp.currency)) throw cbError(400, 'validation_error', 'local_price.currency is invalid');
    local = { amount: amt, currency: lp.currency.toUpperCase() };
  }
  if (j.metadata !== undefined && (typeof j.metadata !== 'object' || Array.isArray(j.metadata) || j.metadata === null)) throw cbError(400, 'validation_error', 'metadata must be an object');
  let code;
  do code = randStr(8, CODE_ALPHABET); while (st.byCode.has(code));
  const now = Date.now();
  const c = {
    id: crypto.randomUUID(), resource: 'charge', code, name: j.name, description: j.description || '',
    logo_url: '', hosted_url: `${base}/pay/${code}`, created_at: isoNow(now),
    expires_at: isoNow(now + 60 * 60 * 1000), confirmed_at: undefined,
    support_email: 'merchant@example.test', brand_color: '#122332', brand_logo_url: '',
    organization_name: 'mediagate test',
    timeline: [{ time: isoNow(now), status: 'NEW' }],
    metadata: j.metadata || {}, pricing_type: j.pricing_type,
    pricing: local ? { local, settlement: { amount: local.amount, currency: 'USDC' } } : {},
    payments: [], addresses: { ethereum: `0x${crypto.randomBytes(20).toString('hex')}` },
    exchange_rates: { 'USDC-USD': '1.0' }, local_exchange_rates: { 'USD-USDC': '1.0' },
    fee_rate: 0.01, offchain_eligible: false, coinbase_managed_merchant: false,
    redirect_url: j.redirect_url, cancel_url: j.cancel_url,
  };
  st.charges.set(c.id, c);
  st.byCode.set(code, c.id);
  return c;
}

function findCharge(key) {
  const id = st.byCode.get(key) || key;
  return st.charges.get(id);
}

function auth(ctx) {
  const k = ctx.headers['x-cc-api-key'];
  if (!k || (st.apiKey && k !== st.apiKey)) throw cbError(401, 'authentication_error', k ? 'Invalid API key' : 'No API key provided');
  if (!ctx.headers['x-cc-version']) throw cbError(400, 'invalid_request', 'Missing X-CC-Version header');
}

async function handle(ctx) {
  const { method, path: p, res } = ctx;
  let m;
  try {
    if (method === 'GET' && (m = /^\/pay\/([A-Z0-9]{8})$/.exec(p))) {
      const c = findCharge(m[1]);
      if (!c) { send(res, 404, 'not found', { 'Content-Type': 'text/plain' }); return; }
      send(res, 200, `<!doctype html><title>Fake Coinbase Commerce</title><h1>${c.code}</h1><p id="amount">${c.pricing.local ? c.pricing.local.amount : ''}</p>`, { 'Content-Type': 'text/html; charset=utf-8' });
      return;
    }
    if (p === '/charges' || p.startsWith('/charges/')) {
      auth(ctx);
      if (method === 'POST' && p === '/charges') {
        if (!/application\/json/.test(ctx.headers['content-type'] || '')) throw cbError(400, 'invalid_request', 'Content-Type must be application/json');
        if (ctx.json === undefined) throw cbError(400, 'invalid_request', 'Invalid JSON body');
        const c = createCharge(ctx.json, ctx.fake.baseUrl());
        send(res, 201, { data: c });
        return;
      }
      if (method === 'GET' && (m = /^\/charges\/([^/]+)$/.exec(p))) {
        const c = findCharge(decodeURIComponent(m[1]));
        if (!c) throw cbError(404, 'not_found', 'Not found');
        send(res, 200, { data: c });
        return;
      }
      if (method === 'GET' && p === '/charges') {
        send(res, 200, { pagination: { order: 'desc', limit: 25, total: st.charges.size }, data: [...st.charges.values()].reverse() });
        return;
      }
    }
    throw cbError(404, 'not_found', 'Not found');
  } catch (e) {
    if (!e.type) throw e;
    send(res, e.status, { error: { type: e.type, message: e.message } });
  }
}

const httpErr = (status, msg) => Object.assign(new Error(msg), { status });
const STATUSES = ['NEW', 'SIGNED', 'PENDING', 'COMPLETED', 'EXPIRED', 'UNRESOLVED', 'RESOLVED', 'CANCELED', 'FAILED', 'REFUND PENDING', 'REFUNDED'];

function addPayment(c, status, amount) {
  const local = { amount: amount || (c.pricing.local ? c.pricing.local.amount : '0.00'), currency: c.pricing.local ? c.pricing.local.currency : 'USD' };
  const pay = {
    network: 'base', transaction_id: `0x${crypto.randomBytes(32).toString('hex')}`,
    status, detected_at: isoNow(),
    value: { local, crypto: { amount: local.amount, currency: 'USDC' } },
    block: { height: 100, hash: `0x${crypto.randomBytes(32).toString('hex')}`, confirmations_accumulated: status === 'CONFIRMED' ? 12 : 0, confirmations_required: 12 },
  };
  c.payments.push(pay);
  return pay;
}

const control = [
  ['GET', /^\/charges$/, () => [200, [...st.charges.values()]]],
  ['POST', /^\/config$/, (ctx) => {
    const j = ctx.json || {};
    if ('api_key' in j) st.apiKey = j.api_key;
    return [200, { api_key: st.apiKey }];
  }],
  ['POST', /^\/charges\/([^/]+)\/status$/, (ctx, m) => {
    const c = findCharge(m[1]);
    if (!c) throw httpErr(404, `no such charge ${m[1]}`);
    const j = ctx.json || {};
    const status = String(j.status || '').toUpperCase();
    if (!STATUSES.includes(status)) throw httpErr(400, `status must be one of ${STATUSES.join(', ')}`);
    const ent = { time: isoNow(), status };
    if (j.context) ent.context = j.context;
    c.timeline.push(ent);
    if (status === 'PENDING') {
      if (!c.payments.length) addPayment(c, 'PENDING', j.amount);
    } else if (status === 'COMPLETED' || status === 'RESOLVED') {
      const pending = c.payments.find((x) => x.status === 'PENDING');
      if (pending) pending.status = 'CONFIRMED';
      else if (!c.payments.some((x) => x.status === 'CONFIRMED')) addPayment(c, 'CONFIRMED', j.amount);
      c.confirmed_at = ent.time;
    } else if (status === 'FAILED') {
      for (const x of c.payments) if (x.status === 'PENDING') x.status = 'FAILED';
    }
    return [200, { data: c }];
  }],
  ['POST', /^\/sign$/, (ctx) => {
    const j = ctx.json || {};
    if (typeof j.body !== 'string' || !j.secret) throw httpErr(400, 'body (string) and secret required');
    return [200, { signature: sign(j.body, j.secret) }];
  }],
  ['POST', /^\/deliver$/, async (ctx) => {
    const j = ctx.json || {};
    if (!j.url || !j.type || !j.code || !j.secret) throw httpErr(400, 'url, type, code, secret required');
    if (!/^charge:(created|pending|confirmed|failed|delayed|resolved)$/.test(j.type)) throw httpErr(400, `unsupported type ${j.type}`);
    const c = findCharge(j.code);
    if (!c) throw httpErr(404, `no such charge ${j.code}`);
    const event = { id: crypto.randomUUID(), resource: 'event', type: j.type, api_version: API_VERSION, created_at: isoNow(), data: c };
    const times = j.times === undefined ? 1 : Number(j.times);
    const statuses = [];
    const responses = [];
    const bodies = [];
    for (let i = 0; i < times; i++) {
      const env = { id: ++st.attempt, scheduled_for: isoNow(), event };
      const body = JSON.stringify(env);
      bodies.push(body);
      const r = await postRaw(j.url, body, {
        'Content-Type': 'application/json', 'User-Agent': 'weipay-webhooks',
        'X-CC-Webhook-Signature': sign(body, j.secret),
      });
      statuses.push(r.status);
      responses.push({ status: r.status, body: r.body, error: r.error });
    }
    return [200, { event_id: event.id, event, bodies, statuses, responses }];
  }],
  ['POST', /^\/deliver_raw$/, async (ctx) => {
    const j = ctx.json || {};
    if (!j.url || typeof j.body !== 'string') throw httpErr(400, 'url and body (string) required');
    const h = { 'Content-Type': 'application/json', ...(j.headers || {}) };
    if (j.signature !== undefined && j.signature !== null) h['X-CC-Webhook-Signature'] = j.signature;
    const r = await postRaw(j.url, j.body, h);
    return [200, { statuses: [r.status], responses: [{ status: r.status, body: r.body, error: r.error }] }];
  }],
];

const fake = createFake({
  name: 'coinbase', errorBody, control, handle,
  onReset() { st.charges.clear(); st.byCode.clear(); st.attempt = 0; },
});

if (require.main === module) runMain(fake);
module.exports = { fake, sign };
