'use strict';
// Webhook signature compatibility with the providers' official SDKs
// (payments.md §1, §4, §6): events signed by the `stripe` npm package
// (stripe.webhooks.generateTestHeaderString) and by coinbase-commerce-node's
// Webhook.computeSignature are accepted by our routes and credit once;
// the same bytes signed with another secret are refused with 400.
//
// Runs under tests/it.sh, which exports MG_TEST_BASE, MG_TEST_ROOT (for
// mgctl), MG_STRIPE_WEBHOOK_SECRETS, MG_COINBASE_WEBHOOK_SECRET and the
// fakes' control URLs MG_FAKE_STRIPE_URL / MG_FAKE_COINBASE_URL.
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const Stripe = require('stripe');
const { Webhook: CoinbaseWebhook } = require('coinbase-commerce-node');

const BASE = process.env.MG_TEST_BASE;
const ROOT = process.env.MG_TEST_ROOT || path.join(__dirname, '..', '..');
const STRIPE_SECRETS = (process.env.MG_STRIPE_WEBHOOK_SECRETS || '').split(',').filter(Boolean);
const CB_SECRET = process.env.MG_COINBASE_WEBHOOK_SECRET || '';
const FAKE_STRIPE = process.env.MG_FAKE_STRIPE_URL;
const FAKE_COINBASE = process.env.MG_FAKE_COINBASE_URL;
const stripe = new Stripe('sk_test_unused');

function mgctl(...args) {
  return JSON.parse(execFileSync(path.join(ROOT, 'build/bin/mgctl'), ['--json', ...args], { encoding: 'utf8' }));
}

function workspace() {
  const t = mgctl('tenant', 'create', 'node-webhooks');
  const w = mgctl('workspace', 'create', t.id, 'node-webhooks');
  const k = mgctl('key', 'create', w.id, '--scopes', 'generate,read,admin', '--dialect', 'prepaid', '--label', 'node');
  return { ws: w.id, key: k.key };
}

async function call(url, { method = 'POST', key, body, headers = {} } = {}) {
  const h = { ...headers };
  if (key) h.authorization = `Bearer ${key}`;
  if (body !== undefined && !h['content-type']) h['content-type'] = 'application/json';
  const res = await fetch(url, { method, headers: h, body });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text };
}

async function balance(key) {
  const r = await call(`${BASE}/v1/wallet`, { method: 'GET', key });
  assert.equal(r.status, 200, r.text);
  return r.json.balance.balance_micros;
}

// A Stripe Checkout for usd_20, completed (paid) by the fake; the session.
async function paidSession(key) {
  const c = await call(`${BASE}/api/v1/checkout/stripe`, { key, body: JSON.stringify({ packageCode: 'usd_20' }) });
  assert.equal(c.status, 200, c.text);
  const s = await call(`${FAKE_STRIPE}/__control/checkout/${c.json.sessionId}/complete`, { body: '{}' });
  assert.equal(s.status, 200, s.text);
  return s.json;
}

function stripeEvent(type, object) {
  return JSON.stringify({
    id: `evt_node_${Date.now()}_${Math.random().toString(36).slice(2)}`,
    object: 'event', api_version: '2026-10-28.endive', created: Math.floor(Date.now() / 1000),
    data: { object }, livemode: false, pending_webhooks: 1, request: { id: null }, type,
  }, null, 2);
}

test('stripe: configuration is exported by tests/it.sh', () => {
  assert.ok(BASE && FAKE_STRIPE && FAKE_COINBASE, 'MG_TEST_BASE and fake URLs');
  assert.ok(STRIPE_SECRETS.length >= 1 && CB_SECRET, 'webhook secrets');
});

test('stripe: an event signed by the stripe SDK credits once; a wrong secret is refused', async () => {
  const { key } = workspace();
  const b0 = await balance(key);
  const session = await paidSession(key);
  const payload = stripeEvent('checkout.session.completed', session);
  const url = `${BASE}/api/v1/webhooks/stripe`;

  const bad = stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_not_ours' });
  let r = await call(url, { body: payload, headers: { 'stripe-signature': bad } });
  assert.equal(r.status, 400, r.text);
  assert.equal(await balance(key), b0);

  for (const secret of STRIPE_SECRETS) {	// every configured secret (rotation)
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret });
    // The SDK's own verifier agrees with the header it made.
    assert.equal(stripe.webhooks.constructEvent(payload, header, secret).type, 'checkout.session.completed');
    r = await call(url, { body: payload, headers: { 'stripe-signature': header } });
    assert.equal(r.status, 200, r.text);
  }
  assert.equal(await balance(key) - b0, 20000000);
});

test('stripe: an SDK header past the 300 s tolerance is refused', async () => {
  const payload = stripeEvent('customer.created', { id: 'cus_x', object: 'customer' });
  const header = stripe.webhooks.generateTestHeaderString({
    payload, secret: STRIPE_SECRETS[STRIPE_SECRETS.length - 1], timestamp: Math.floor(Date.now() / 1000) - 301,
  });
  const r = await call(`${BASE}/api/v1/webhooks/stripe`, { body: payload, headers: { 'stripe-signature': header } });
  assert.equal(r.status, 400, r.text);
});

test('coinbase: an event signed with coinbase-commerce-node credits once; a tampered body is refused', async () => {
  const { key } = workspace();
  const b0 = await balance(key);
  const c = await call(`${BASE}/api/v1/checkout/crypto`, { key, body: JSON.stringify({ packageCode: 'usd_5' }) });
  assert.equal(c.status, 200, c.text);
  const st = await call(`${FAKE_COINBASE}/__control/charges/${c.json.chargeCode}/status`, { body: JSON.stringify({ status: 'COMPLETED' }) });
  assert.equal(st.status, 200, st.text);
  const charge = await call(`${FAKE_COINBASE}/charges/${c.json.chargeCode}`, {
    method: 'GET', headers: { 'x-cc-api-key': process.env.MG_COINBASE_API_KEY || 'cc_test_key', 'x-cc-version': '2018-03-22' },
  });
  assert.equal(charge.status, 200, charge.text);
  const payload = JSON.stringify({
    id: 1, scheduled_for: new Date().toISOString(),
    event: { id: require('node:crypto').randomUUID(), resource: 'event', type: 'charge:confirmed', api_version: '2018-03-22', created_at: new Date().toISOString(), data: charge.json.data },
  });
  const sig = CoinbaseWebhook.computeSignature(payload, CB_SECRET);
  assert.ok(CoinbaseWebhook.verifySigHeader(payload, sig, CB_SECRET));
  const url = `${BASE}/api/v1/webhooks/crypto`;

  let r = await call(url, { body: payload + ' ', headers: { 'x-cc-webhook-signature': sig } });
  assert.equal(r.status, 400, r.text);
  for (let i = 0; i < 2; i++) {
    r = await call(url, { body: payload, headers: { 'x-cc-webhook-signature': sig } });
    assert.equal(r.status, 200, r.text);
  }
  assert.equal(await balance(key) - b0, 5000000);
});
