'use strict';
// Self-test of the service fakes: start each on port 0 as a child process,
// talk to it over loopback, and check the wire format against the official
// client libraries (stripe, coinbase-commerce-node, jose) and the test
// vectors in /work/shared/reference/payments.md.
//
//   node --test tests/fakes/

const test = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const net = require('node:net');
const crypto = require('node:crypto');
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');

const Stripe = require('stripe');
const { Webhook } = require('coinbase-commerce-node');

const { startFake: start, stopAll, control: ctl, receiver } = require('./harness');

test.after(stopAll);

const hmacHex = (key, msg) => crypto.createHmac('sha256', key).update(msg).digest('hex');

/* ===================================================================== Stripe */

test('form decoding (common.parseForm) matches Stripe/qs bracket rules', () => {
  const { parseForm, encodeForm } = require('./common');
  const q = 'a=1&metadata[wallet_id]=w%201&line_items[0][price_data][unit_amount]=2500&line_items[0][quantity]=1'
    + '&line_items[1][quantity]=2&expand[]=x&expand[]=y&plus=a+b&bad=%E0%A4%A&__proto__[polluted]=1';
  const f = parseForm(q);
  assert.equal(f.a, '1');
  assert.deepEqual(f.metadata, { wallet_id: 'w 1' });
  assert.equal(f.line_items.length, 2);
  assert.equal(f.line_items[0].price_data.unit_amount, '2500');
  assert.equal(f.line_items[1].quantity, '2');
  assert.deepEqual(f.expand, ['x', 'y']);
  assert.equal(f.plus, 'a b');
  assert.equal(typeof f.bad, 'string');
  assert.equal({}.polluted, undefined);
  const round = { mode: 'payment', line_items: [{ price_data: { currency: 'usd', unit_amount: 5 }, quantity: 1 }], metadata: { k: 'v&=' } };
  assert.deepEqual(parseForm(encodeForm(round)), { mode: 'payment', line_items: [{ price_data: { currency: 'usd', unit_amount: '5' }, quantity: '1' }], metadata: { k: 'v&=' } });
});

test('stripe', { timeout: 60000 }, async (t) => {
  const f = await start('stripe');
  const stripe = new Stripe('sk_test_selftest', { host: '127.0.0.1', port: f.port, protocol: 'http', maxNetworkRetries: 0 });
  const rx = await receiver();
  t.after(() => rx.close());
  const form = (o) => new URLSearchParams(o).toString();
  const post = (p, body, headers = {}) => fetch(`${f.base}${p}`, {
    method: 'POST', body,
    headers: { Authorization: 'Bearer sk_test_selftest', 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
  });

  await t.test('payments.md HMAC and header test vectors', async () => {
    assert.equal(hmacHex('test_secret', ''), 'f7f9bd47fb987337b5796fdc1fdb9ba221d0d5396814bfcaf9521f43fd8927fd');
    assert.equal(hmacHex('test_secret', '{"obj1":"hello","obj2":"world"}'), 'bebb1a643997f419b315ddba19e6f5411e1ce7f810ba6d3617ce72823092f363');
    const expect = 't=1492774577,v1=88a022085c6bdb887b02cb26ff76dd681234d9675c0f22844059f55552a8883a';
    const payload = '{"id":"evt_test_webhook","object":"event"}';
    assert.equal(stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_test_secret', timestamp: 1492774577 }), expect);
    const s = await ctl(f, 'POST', '/sign', { payload, secret: 'whsec_test_secret', timestamp: 1492774577 });
    assert.equal(s.header, expect);
  });

  await t.test('auth: missing and invalid keys give 401 in Stripe error shape', async () => {
    let r = await fetch(`${f.base}/v1/customers`, { method: 'POST', body: 'email=a%40b.c', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(r.status, 401);
    assert.match(r.headers.get('www-authenticate'), /Bearer/);
    let j = await r.json();
    assert.equal(j.error.type, 'invalid_request_error');
    assert.match(j.error.message, /did not provide an API key/);
    r = await post('/v1/customers', 'email=a', { Authorization: 'Bearer pk_test_nope' });
    assert.equal(r.status, 401);
    j = await r.json();
    assert.match(j.error.message, /Invalid API Key provided/);
    await assert.rejects(new Stripe('sk_wrong', { host: '127.0.0.1', port: f.port, protocol: 'http' }).customers.create({}), (e) => e.type === 'StripeAuthenticationError' && e.statusCode === 401);
  });

  await t.test('form bodies: bracket nesting, JSON rejected, unknown params rejected', async () => {
    const c = await stripe.customers.create({ email: 'a@b.test', metadata: { wallet_id: 'w_1' } });
    assert.match(c.id, /^cus_/);
    assert.deepEqual(c.metadata, { wallet_id: 'w_1' });
    const log = await ctl(f, 'GET', '/requests?path=/v1/customers');
    const last = log[log.length - 1];
    assert.equal(last.form.metadata.wallet_id, 'w_1');
    assert.match(last.headers['idempotency-key'] || '', /.+/); // stripe-node sends one on every POST
    let r = await post('/v1/customers', JSON.stringify({ email: 'x' }), { 'Content-Type': 'application/json' });
    assert.equal(r.status, 400);
    assert.match((await r.json()).error.message, /x-www-form-urlencoded/);
    r = await post('/v1/customers', form({ emial: 'x@y.z' }));
    assert.equal(r.status, 400);
    const j = await r.json();
    assert.equal(j.error.param, 'emial');
    assert.match(j.error.message, /Received unknown parameter: emial/);
  });

  let session;
  await t.test('checkout session create / retrieve with nested line_items', async () => {
    session = await stripe.checkout.sessions.create({
      mode: 'payment', client_reference_id: 'w_1',
      line_items: [{ price_data: { currency: 'usd', unit_amount: 2500, product_data: { name: 'Credits' } }, quantity: 2 }],
      success_url: 'http://127.0.0.1/ok?cs={CHECKOUT_SESSION_ID}', cancel_url: 'http://127.0.0.1/cancel',
      customer_email: 'a@b.test', metadata: { wallet_id: 'w_1' }, payment_intent_data: { metadata: { wallet_id: 'w_1' } },
      expires_at: Math.floor(Date.now() / 1000) + 3600,
    });
    assert.match(session.id, /^cs_test_/);
    assert.equal(session.object, 'checkout.session');
    assert.equal(session.url, `${f.base}/pay/${session.id}`);
    assert.equal(session.amount_total, 5000);
    assert.equal(session.status, 'open');
    assert.equal(session.payment_status, 'unpaid');
    assert.equal(session.payment_intent, null);
    assert.equal(session.livemode, false);
    const got = await stripe.checkout.sessions.retrieve(session.id);
    assert.equal(got.client_reference_id, 'w_1');
    assert.deepEqual(got.metadata, { wallet_id: 'w_1' });
    const r = await post('/v1/checkout/sessions', form({ mode: 'payment', 'line_items[0][price_data][currency]': 'usd', 'line_items[0][price_data][unit_amount]': '100', 'line_items[0][price_data][product_data][name]': 'x' }));
    assert.equal(r.status, 400);
    assert.equal((await r.json()).error.param, 'line_items[0][quantity]');
    await assert.rejects(stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price_data: { currency: 'usd', unit_amount: 1, product_data: { name: 'x' } }, quantity: 1 }], expires_at: Math.floor(Date.now() / 1000) + 60 }), (e) => e.param === 'expires_at');
    await assert.rejects(stripe.checkout.sessions.retrieve('cs_test_missing'), (e) => e.statusCode === 404 && e.code === 'resource_missing');
  });

  await t.test('idempotency: replay, mismatch, concurrent 409, validation errors not stored, stored 500', async () => {
    const body = form({ email: 'idem@b.test' });
    const r1 = await post('/v1/customers', body, { 'Idempotency-Key': 'k-1' });
    const c1 = await r1.json();
    const r2 = await post('/v1/customers', body, { 'Idempotency-Key': 'k-1' });
    const c2 = await r2.json();
    assert.equal(c2.id, c1.id);
    assert.equal(r2.headers.get('idempotent-replayed'), 'true');
    assert.equal(r1.headers.get('idempotent-replayed'), null);
    const r3 = await post('/v1/customers', form({ email: 'other@b.test' }), { 'Idempotency-Key': 'k-1' });
    assert.equal(r3.status, 400);
    assert.equal((await r3.json()).error.type, 'idempotency_error');
    // concurrent: first request hangs 400 ms inside the key's critical section
    await ctl(f, 'POST', '/faults', { hang_ms: 400, match: { method: 'POST', path: '/v1/customers' } });
    const slow = post('/v1/customers', body, { 'Idempotency-Key': 'k-2' });
    await new Promise((r) => setTimeout(r, 100));
    const r4 = await post('/v1/customers', body, { 'Idempotency-Key': 'k-2' });
    assert.equal(r4.status, 409);
    assert.equal(r4.headers.get('stripe-should-retry'), 'true');
    assert.equal((await r4.json()).error.code, 'idempotency_key_in_use');
    assert.equal((await slow).status, 200);
    // a 400 validation error is not stored under the key
    const r5 = await post('/v1/customers', form({ bogus: '1' }), { 'Idempotency-Key': 'k-3' });
    assert.equal(r5.status, 400);
    const r6 = await post('/v1/customers', body, { 'Idempotency-Key': 'k-3' });
    assert.equal(r6.status, 200);
    // an injected 500 with store:true is replayed; without store it is not
    await ctl(f, 'POST', '/faults', { status: 500, store: true, match: { path: '/v1/customers' } });
    const r7 = await post('/v1/customers', body, { 'Idempotency-Key': 'k-4' });
    assert.equal(r7.status, 500);
    assert.equal((await r7.json()).error.type, 'api_error');
    const r8 = await post('/v1/customers', body, { 'Idempotency-Key': 'k-4' });
    assert.equal(r8.status, 500);
    assert.equal(r8.headers.get('idempotent-replayed'), 'true');
    await ctl(f, 'POST', '/faults', { status: 503, match: { path: '/v1/customers' } });
    const r9 = await post('/v1/customers', body, { 'Idempotency-Key': 'k-5' });
    assert.equal(r9.status, 503);
    assert.equal(r9.headers.get('stripe-should-retry'), 'true');
    const r10 = await post('/v1/customers', body, { 'Idempotency-Key': 'k-5' });
    assert.equal(r10.status, 200);
  });

  let pi;
  await t.test('payment intents: validation, confirm outcomes, declines', async () => {
    await assert.rejects(stripe.paymentIntents.create({ amount: 49, currency: 'usd' }), (e) => e.code === 'amount_too_small' && e.param === 'amount');
    await assert.rejects(stripe.paymentIntents.create({ currency: 'usd' }), (e) => e.param === 'amount');
    await assert.rejects(stripe.paymentIntents.create({ amount: 500, currency: 'usd', off_session: true }), (e) => e.param === 'off_session');
    const cus = await stripe.customers.create({ email: 'pi@b.test' });
    pi = await stripe.paymentIntents.create({ amount: 1500, currency: 'usd', customer: cus.id, payment_method: 'pm_card_visa', confirm: true, off_session: true, metadata: { wallet_id: 'w_1' } });
    assert.equal(pi.status, 'succeeded');
    assert.equal(pi.amount_received, 1500);
    assert.match(pi.latest_charge, /^ch_/);
    assert.match(pi.client_secret, new RegExp(`^${pi.id}_secret_`));
    const again = await stripe.paymentIntents.retrieve(pi.id);
    assert.equal(again.status, 'succeeded');
    await assert.rejects(
      stripe.paymentIntents.create({ amount: 1500, currency: 'usd', customer: cus.id, payment_method: 'pm_card_chargeDeclined', confirm: true, off_session: true }),
      (e) => e.type === 'StripeCardError' && e.statusCode === 402 && e.code === 'card_declined' && e.decline_code === 'generic_decline' && e.raw.payment_intent.status === 'requires_payment_method',
    );
    const act = await stripe.paymentIntents.create({ amount: 900, currency: 'usd', payment_method: 'pm_card_authenticationRequired', confirm: true });
    assert.equal(act.status, 'requires_action');
    const open = await stripe.paymentIntents.create({ amount: 900, currency: 'usd' });
    assert.equal(open.status, 'requires_payment_method');
    const conf = await stripe.paymentIntents.confirm(open.id, { payment_method: 'pm_card_visa' });
    assert.equal(conf.status, 'succeeded');
    await assert.rejects(stripe.paymentIntents.confirm(open.id), (e) => e.code === 'payment_intent_unexpected_state');
    const failing = await stripe.paymentIntents.create({ amount: 700, currency: 'usd', payment_method: 'pm_card_visa' });
    const failed = await ctl(f, 'POST', `/payment_intents/${failing.id}/fail`, { code: 'card_declined', decline_code: 'insufficient_funds' });
    assert.equal(failed.status, 'requires_payment_method');
    assert.equal(failed.last_payment_error.decline_code, 'insufficient_funds');
    await assert.rejects(stripe.paymentIntents.retrieve('pi_missing'), (e) => e.statusCode === 404 && e.code === 'resource_missing');
  });

  await t.test('webhooks: checkout completed, signed, verified by stripe.webhooks.constructEvent, redelivered', async () => {
    const done = await ctl(f, 'POST', `/checkout/${session.id}/complete`);
    assert.equal(done.status, 'complete');
    assert.equal(done.payment_status, 'paid');
    const spi = await stripe.paymentIntents.retrieve(done.payment_intent);
    assert.equal(spi.status, 'succeeded');
    assert.equal(spi.amount_received, 5000);
    assert.deepEqual(spi.metadata, { wallet_id: 'w_1' });
    assert.match(spi.latest_charge, /^ch_/);
    const secret = 'whsec_selftest';
    const d = await ctl(f, 'POST', '/deliver', { url: rx.url, type: 'checkout.session.completed', object_id: session.id, secret, times: 2 });
    assert.deepEqual(d.statuses, [200, 200]);
    assert.equal(rx.got.length, 2);
    for (const g of rx.got) {
      const ev = stripe.webhooks.constructEvent(g.raw, g.headers['stripe-signature'], secret);
      assert.equal(ev.id, d.event_id);
      assert.equal(ev.object, 'event');
      assert.equal(ev.type, 'checkout.session.completed');
      assert.equal(ev.livemode, false);
      assert.equal(typeof ev.api_version, 'string');
      assert.equal(typeof ev.created, 'number');
      assert.equal(typeof ev.pending_webhooks, 'number');
      assert.ok('request' in ev);
      assert.equal(ev.data.object.id, session.id);
      assert.equal(ev.data.object.payment_status, 'paid');
      assert.equal(g.headers['content-type'], 'application/json; charset=utf-8');
      assert.match(g.headers['stripe-signature'], /^t=\d+,v1=[0-9a-f]{64},v0=[0-9a-f]{64}$/);
    }
    assert.throws(() => stripe.webhooks.constructEvent(rx.got[0].raw, rx.got[0].headers['stripe-signature'], 'whsec_other'));
    // a PaymentIntent event for the same payment
    rx.got.length = 0;
    const d2 = await ctl(f, 'POST', '/deliver', { url: rx.url, type: 'payment_intent.succeeded', object_id: done.payment_intent, secret });
    const ev2 = stripe.webhooks.constructEvent(rx.got[0].raw, rx.got[0].headers['stripe-signature'], secret);
    assert.equal(ev2.data.object.amount_received, 5000);
    assert.notEqual(ev2.id, d.event_id);
    assert.deepEqual(d2.statuses, [200]);
  });

  await t.test('webhooks: old timestamp, crafted bad signature, rolled secrets, receiver status reported', async () => {
    rx.got.length = 0;
    const secret = 'whsec_selftest';
    const old = Math.floor(Date.now() / 1000) - 600;
    await ctl(f, 'POST', '/deliver', { url: rx.url, type: 'payment_intent.succeeded', object_id: pi.id, secret, timestamp: old });
    assert.throws(() => stripe.webhooks.constructEvent(rx.got[0].raw, rx.got[0].headers['stripe-signature'], secret), /tolerance/);
    const raw = await ctl(f, 'POST', '/deliver_raw', { url: rx.url, body: '{"id":"evt_x","object":"event"}', header: `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` });
    assert.deepEqual(raw.statuses, [200]);
    assert.throws(() => stripe.webhooks.constructEvent(rx.got[1].raw, rx.got[1].headers['stripe-signature'], secret));
    await ctl(f, 'POST', '/deliver', { url: rx.url, type: 'payment_intent.succeeded', object_id: pi.id, secret: ['whsec_old', 'whsec_new'] });
    const g = rx.got[2];
    assert.equal((g.headers['stripe-signature'].match(/v1=/g) || []).length, 2);
    assert.equal(stripe.webhooks.constructEvent(g.raw, g.headers['stripe-signature'], 'whsec_old').type, 'payment_intent.succeeded');
    assert.equal(stripe.webhooks.constructEvent(g.raw, g.headers['stripe-signature'], 'whsec_new').type, 'payment_intent.succeeded');
    const bad = await receiver(400);
    const d = await ctl(f, 'POST', '/deliver', { url: bad.url, type: 'payment_intent.succeeded', object_id: pi.id, secret, times: 3 });
    assert.deepEqual(d.statuses, [400, 400, 400]);
    bad.close();
  });

  await t.test('refunds are cumulative; disputes; async checkout; expiry', async () => {
    const ch = pi.latest_charge;
    await ctl(f, 'POST', `/charges/${ch}/refund`, { amount: 500 });
    const r = await ctl(f, 'POST', `/charges/${ch}/refund`, { amount: 300 });
    assert.equal(r.charge.amount_refunded, 800);
    assert.equal(r.charge.refunded, false);
    rx.got.length = 0;
    const secret = 'whsec_selftest';
    await ctl(f, 'POST', '/deliver', { url: rx.url, type: 'charge.refunded', object_id: ch, secret });
    const ev = stripe.webhooks.constructEvent(rx.got[0].raw, rx.got[0].headers['stripe-signature'], secret);
    assert.equal(ev.data.object.object, 'charge');
    assert.equal(ev.data.object.amount_refunded, 800);
    assert.equal(ev.data.previous_attributes.amount_refunded, 500);
    const full = await ctl(f, 'POST', `/charges/${ch}/refund`, {});
    assert.equal(full.charge.amount_refunded, 1500);
    assert.equal(full.charge.refunded, true);
    const dp = await ctl(f, 'POST', `/charges/${ch}/dispute`, { amount: 1500 });
    assert.match(dp.id, /^dp_/);
    await ctl(f, 'POST', '/deliver', { url: rx.url, type: 'charge.dispute.created', object_id: dp.id, secret });
    const evd = stripe.webhooks.constructEvent(rx.got[1].raw, rx.got[1].headers['stripe-signature'], secret);
    assert.equal(evd.data.object.object, 'dispute');
    assert.equal(evd.data.object.amount, 1500);
    assert.equal(evd.data.object.charge, ch);

    const mk = () => stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price_data: { currency: 'usd', unit_amount: 1000, product_data: { name: 'c' } }, quantity: 1 }], success_url: 'http://127.0.0.1/ok' });
    const s2 = await mk();
    const pending = await ctl(f, 'POST', `/checkout/${s2.id}/complete`, { payment_status: 'unpaid' });
    assert.equal(pending.status, 'complete');
    assert.equal(pending.payment_status, 'unpaid');
    const paid = await ctl(f, 'POST', `/checkout/${s2.id}/async_succeed`);
    assert.equal(paid.payment_status, 'paid');
    await ctl(f, 'POST', '/deliver', { url: rx.url, type: 'checkout.session.async_payment_succeeded', object_id: s2.id, secret });
    assert.equal(stripe.webhooks.constructEvent(rx.got[2].raw, rx.got[2].headers['stripe-signature'], secret).type, 'checkout.session.async_payment_succeeded');
    const s3 = await mk();
    const exp = await ctl(f, 'POST', `/checkout/${s3.id}/expire`);
    assert.equal(exp.status, 'expired');
    // saved card for off-session top-ups: customer_creation + setup_future_usage, expand, list
    const s5 = await stripe.checkout.sessions.create({
      mode: 'payment', customer_creation: 'always', customer_email: 'saver@b.test',
      payment_intent_data: { setup_future_usage: 'off_session', metadata: { wallet_id: 'w_9' } },
      line_items: [{ price_data: { currency: 'usd', unit_amount: 1000, product_data: { name: 'c' } }, quantity: 1 }],
    });
    await ctl(f, 'POST', `/checkout/${s5.id}/complete`);
    const ex = await stripe.checkout.sessions.retrieve(s5.id, { expand: ['payment_intent'] });
    assert.equal(typeof ex.payment_intent, 'object');
    assert.equal(ex.payment_intent.setup_future_usage, 'off_session');
    assert.match(ex.customer, /^cus_/);
    const pms = await stripe.customers.listPaymentMethods(ex.customer);
    assert.equal(pms.data.length, 1);
    assert.equal(pms.data[0].id, ex.payment_intent.payment_method);
    assert.equal(pms.data[0].card.last4, '4242');
    const topup = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', customer: ex.customer, payment_method: pms.data[0].id, confirm: true, off_session: true });
    assert.equal(topup.status, 'succeeded');
    await ctl(f, 'POST', `/payment_methods/${pms.data[0].id}`, { outcome: 'insufficient_funds' });
    await assert.rejects(
      stripe.paymentIntents.create({ amount: 2000, currency: 'usd', customer: ex.customer, payment_method: pms.data[0].id, confirm: true, off_session: true }),
      (e) => e.statusCode === 402 && e.decline_code === 'insufficient_funds',
    );
    const exp2 = await stripe.paymentIntents.retrieve(topup.id, { expand: ['latest_charge'] });
    assert.equal(exp2.latest_charge.object, 'charge');
    assert.equal(exp2.latest_charge.amount, 2000);
    // the hosted page completes a session and redirects to success_url
    const s4 = await mk();
    const page = await fetch(s4.url);
    assert.match(await page.text(), /id="pay"/);
    const red = await fetch(`${s4.url}/complete`, { method: 'POST', redirect: 'manual' });
    assert.equal(red.status, 303);
    assert.equal(red.headers.get('location'), 'http://127.0.0.1/ok');
    assert.equal((await stripe.checkout.sessions.retrieve(s4.id)).payment_status, 'paid');
  });
});

/* =================================================================== Coinbase */

test('coinbase commerce', { timeout: 60000 }, async (t) => {
  const f = await start('coinbase');
  const rx = await receiver();
  t.after(() => rx.close());
  const H = { 'X-CC-Api-Key': 'cc_key', 'X-CC-Version': '2018-03-22', 'Content-Type': 'application/json' };
  const create = (body, headers = H) => fetch(`${f.base}/charges`, { method: 'POST', headers, body: JSON.stringify(body) });
  const good = {
    name: 'mediagate credits', description: '25 USD', pricing_type: 'fixed_price',
    local_price: { amount: '25.00', currency: 'USD' }, metadata: { wallet_id: 'w1' },
    redirect_url: 'http://127.0.0.1/ok', cancel_url: 'http://127.0.0.1/cancel',
  };

  await t.test('payments.md webhook test vector, checked with coinbase-commerce-node', () => {
    const body = '{"id":1,"scheduled_for":"2017-01-31T20:50:02Z","event":{"id":"24934862-d980-46cb-9402-43c81b0cdba6","resource":"event","type":"charge:confirmed","api_version":"2018-03-22","created_at":"2017-01-31T20:49:02Z","data":{"code":"66BEOV2A","metadata":{"wallet_id":"w1"}}}}';
    const expect = '2fe6dd334c8b82b48aaf3c581e3cb91dcce7527de00403ec204c041cb4631648';
    assert.equal(require('./coinbase').sign(body, 'cc_shared_secret'), expect);
    assert.equal(Webhook.verifySigHeader(body, expect, 'cc_shared_secret'), true);
    assert.throws(() => Webhook.verifySigHeader(body, expect, 'other'));
  });

  await t.test('headers are required', async () => {
    let r = await create(good, { 'Content-Type': 'application/json', 'X-CC-Version': '2018-03-22' });
    assert.equal(r.status, 401);
    assert.equal((await r.json()).error.type, 'authentication_error');
    r = await create(good, { 'Content-Type': 'application/json', 'X-CC-Api-Key': 'k' });
    assert.equal(r.status, 400);
    assert.equal((await r.json()).error.type, 'invalid_request');
  });

  let charge;
  await t.test('create and read a charge', async () => {
    const r = await create(good);
    assert.equal(r.status, 201);
    charge = (await r.json()).data;
    assert.match(charge.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.match(charge.code, /^[A-Z0-9]{8}$/);
    assert.equal(charge.hosted_url, `${f.base}/pay/${charge.code}`);
    assert.deepEqual(charge.pricing.local, { amount: '25.00', currency: 'USD' });
    assert.deepEqual(charge.timeline.map((x) => x.status), ['NEW']);
    assert.deepEqual(charge.metadata, { wallet_id: 'w1' });
    assert.deepEqual(charge.payments, []);
    assert.ok(Date.parse(charge.expires_at) > Date.now());
    for (const key of [charge.code, charge.id]) {
      const g = await fetch(`${f.base}/charges/${key}`, { headers: H });
      assert.equal(g.status, 200);
      assert.equal((await g.json()).data.code, charge.code);
    }
    const nf = await fetch(`${f.base}/charges/NOPE1234`, { headers: H });
    assert.equal(nf.status, 404);
    assert.deepEqual(Object.keys((await nf.json()).error).sort(), ['message', 'type']);
  });

  await t.test('validation errors', async () => {
    let r = await create({ ...good, name: undefined });
    assert.equal(r.status, 400);
    assert.equal((await r.json()).error.type, 'param_required');
    r = await create({ ...good, local_price: { amount: '-1', currency: 'USD' } });
    assert.equal((await r.json()).error.type, 'validation_error');
    r = await create({ ...good, pricing_type: 'bogus' });
    assert.equal((await r.json()).error.type, 'validation_error');
  });

  await t.test('status changes and signed webhook deliveries', async () => {
    await ctl(f, 'POST', `/charges/${charge.code}/status`, { status: 'PENDING' });
    const c = (await ctl(f, 'POST', `/charges/${charge.code}/status`, { status: 'COMPLETED' })).data;
    assert.deepEqual(c.timeline.map((x) => x.status), ['NEW', 'PENDING', 'COMPLETED']);
    assert.equal(c.payments.length, 1);
    assert.equal(c.payments[0].status, 'CONFIRMED');
    assert.deepEqual(c.payments[0].value.local, { amount: '25.00', currency: 'USD' });
    const secret = 'cc_shared_secret';
    const d = await ctl(f, 'POST', '/deliver', { url: rx.url, type: 'charge:confirmed', code: charge.code, secret, times: 2 });
    assert.deepEqual(d.statuses, [200, 200]);
    assert.equal(rx.got.length, 2);
    const envs = rx.got.map((g) => {
      assert.equal(Webhook.verifySigHeader(g.raw, g.headers['x-cc-webhook-signature'], secret), true);
      const ev = Webhook.verifyEventBody(g.raw, g.headers['x-cc-webhook-signature'], secret);
      assert.equal(ev.type, 'charge:confirmed');
      return JSON.parse(g.raw);
    });
    assert.equal(envs[0].event.id, envs[1].event.id);
    assert.notEqual(envs[0].id, envs[1].id);
    assert.equal(envs[0].event.resource, 'event');
    assert.equal(envs[0].event.api_version, '2018-03-22');
    assert.ok(envs[0].scheduled_for && envs[0].event.created_at);
    assert.equal(envs[0].event.data.code, charge.code);
    assert.deepEqual(envs[0].event.data.metadata, { wallet_id: 'w1' });
    assert.throws(() => Webhook.verifySigHeader(rx.got[0].raw, rx.got[0].headers['x-cc-webhook-signature'], 'wrong'));
    const bad = await ctl(f, 'POST', '/deliver_raw', { url: rx.url, body: rx.got[0].raw, signature: '00' });
    assert.deepEqual(bad.statuses, [200]);
    assert.equal(rx.got[2].headers['x-cc-webhook-signature'], '00');
  });

  await t.test('injected faults use the Commerce error shape', async () => {
    await ctl(f, 'POST', '/faults', { status: 429, match: { path: '/charges' } });
    const r = await create(good);
    assert.equal(r.status, 429);
    assert.equal((await r.json()).error.type, 'rate_limit_exceeded');
    assert.equal((await create(good)).status, 201);
  });
});

/* ======================================================================= x402 */

test('x402 facilitator', { timeout: 60000 }, async (t) => {
  const f = await start('x402');
  const payTo = '0x1111111111111111111111111111111111111111';
  const asset = '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913';
  const req2 = { scheme: 'exact', network: 'eip155:8453', amount: '10000', asset, payTo, maxTimeoutSeconds: 60 };
  const now = Math.floor(Date.now() / 1000);
  const payload2 = (over = {}, sig = 'valid') => ({
    x402Version: 2, accepted: { ...req2 }, resource: { url: 'http://127.0.0.1/v1/generate' },
    payload: {
      signature: sig,
      authorization: { from: '0x2222222222222222222222222222222222222222', to: payTo, value: '10000', validAfter: String(now - 10), validBefore: String(now + 600), nonce: `0x${'ab'.repeat(32)}`, ...over },
    },
  });
  const call = async (op, body) => {
    const r = await fetch(`${f.base}/${op}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return { status: r.status, json: await r.json() };
  };

  await t.test('supported kinds', async () => {
    const j = await (await fetch(`${f.base}/supported`)).json();
    assert.ok(j.kinds.some((k) => k.x402Version === 2 && k.scheme === 'exact' && k.network === 'eip155:8453'));
    assert.ok(j.kinds.some((k) => k.x402Version === 1 && k.network === 'base'));
  });

  await t.test('verify: valid, bad signature, amount and recipient mismatch', async () => {
    let r = await call('verify', { x402Version: 2, paymentPayload: payload2(), paymentRequirements: req2 });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { isValid: true, payer: '0x2222222222222222222222222222222222222222' });
    r = await call('verify', { x402Version: 2, paymentPayload: payload2({}, 'forged'), paymentRequirements: req2 });
    assert.equal(r.json.isValid, false);
    assert.equal(r.json.invalidReason, 'invalid_exact_evm_payload_signature');
    r = await call('verify', { x402Version: 2, paymentPayload: payload2({ value: '9999' }), paymentRequirements: req2 });
    assert.equal(r.json.invalidReason, 'invalid_exact_evm_payload_authorization_value');
    r = await call('verify', { x402Version: 2, paymentPayload: payload2({ to: '0x3333333333333333333333333333333333333333' }), paymentRequirements: req2 });
    assert.equal(r.json.invalidReason, 'invalid_exact_evm_payload_recipient_mismatch');
    r = await call('verify', { x402Version: 2, paymentPayload: payload2({ validBefore: String(now - 1) }), paymentRequirements: req2 });
    assert.equal(r.json.invalidReason, 'invalid_exact_evm_payload_authorization_valid_before');
    r = await call('verify', { x402Version: 2, paymentPayload: payload2(), paymentRequirements: { ...req2, network: 'eip155:1' } });
    assert.equal(r.json.invalidReason, 'invalid_network');
    r = await call('verify', { x402Version: 2 });
    assert.equal(r.status, 400);
  });

  await t.test('v1 payloads use maxAmountRequired', async () => {
    const req1 = { scheme: 'exact', network: 'base', maxAmountRequired: '5000', resource: 'http://127.0.0.1/x', payTo, asset, maxTimeoutSeconds: 60 };
    const p1 = { x402Version: 1, scheme: 'exact', network: 'base', payload: { signature: 'valid', authorization: { from: '0x44', to: payTo, value: '5000' } } };
    const r = await call('verify', { x402Version: 1, paymentPayload: p1, paymentRequirements: req1 });
    assert.equal(r.json.isValid, true);
  });

  await t.test('settle is deterministic per payload; replay policy; rules', async () => {
    const body = { x402Version: 2, paymentPayload: payload2(), paymentRequirements: req2 };
    const a = await call('settle', body);
    assert.equal(a.json.success, true);
    assert.match(a.json.transaction, /^0x[0-9a-f]{64}$/);
    assert.equal(a.json.network, 'eip155:8453');
    assert.equal(a.json.payer, '0x2222222222222222222222222222222222222222');
    const b = await call('settle', body);
    assert.equal(b.json.transaction, a.json.transaction);
    const other = await call('settle', { ...body, paymentPayload: payload2({ nonce: `0x${'cd'.repeat(32)}` }) });
    assert.notEqual(other.json.transaction, a.json.transaction);
    const s = await ctl(f, 'GET', '/settlements');
    assert.equal(s.find((x) => x.transaction === a.json.transaction).count, 2);
    await ctl(f, 'POST', '/config', { replay: 'fail' });
    const c = await call('settle', body);
    assert.equal(c.json.success, false);
    await ctl(f, 'POST', '/config', { replay: 'same' });
    const bad = await call('settle', { ...body, paymentPayload: payload2({}, 'nope') });
    assert.equal(bad.json.success, false);
    assert.equal(bad.json.errorReason, 'invalid_exact_evm_payload_signature');
    await ctl(f, 'POST', '/rules', { op: 'settle', result: { success: false, errorReason: 'insufficient_funds', transaction: '' } });
    const ruled = await call('settle', body);
    assert.equal(ruled.json.success, false);
    assert.equal(ruled.json.errorReason, 'insufficient_funds');
    await ctl(f, 'POST', '/rules', { op: 'verify', result: { isValid: false, invalidReason: 'insufficient_funds' } });
    assert.equal((await call('verify', body)).json.invalidReason, 'insufficient_funds');
    assert.equal((await call('verify', body)).json.isValid, true);
    await ctl(f, 'POST', '/faults', { status: 502, match: { path: '/settle' } });
    assert.equal((await call('settle', body)).status, 502);
  });
});

/* ======================================================================= SMTP */

// Speaks SMTP over a socket: sends each line after reading the reply to the
// previous one (a DATA block is one element with embedded CRLFs).
function smtpDialog(port, lines) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    const replies = [];
    let buf = '';
    let i = 0;
    s.setEncoding('utf8');
    s.on('data', (d) => {
      buf += d;
      // a complete reply ends with a line "NNN text" (no dash after the code)
      let m;
      while ((m = /^(\d{3})([ -])[^\r\n]*\r\n/m.exec(buf))) {
        const end = m.index + m[0].length;
        const line = buf.slice(m.index, end);
        buf = buf.slice(end);
        if (m[2] === '-') continue;
        replies.push(line.trim());
        if (i < lines.length) s.write(`${lines[i++]}\r\n`);
        else s.end();
      }
    });
    s.on('end', () => resolve(replies));
    s.on('error', reject);
  });
}

test('smtp', { timeout: 60000 }, async (t) => {
  const f = await start('smtp', ['--http-port', '0']);
  assert.equal(typeof f.http_port, 'number');
  const hb = `http://127.0.0.1:${f.http_port}`;
  const messages = async (q = '') => (await fetch(`${hb}/__control/messages${q}`)).json();

  await t.test('a full session with AUTH PLAIN, dot-stuffing and an encoded subject', async () => {
    const subj = `=?UTF-8?B?${Buffer.from('Your code: 123456 ✓').toString('base64')}?=`;
    const r = await smtpDialog(f.port, [
      'EHLO client.test', `AUTH PLAIN ${Buffer.from('\0user\0pass').toString('base64')}`,
      'MAIL FROM:<noreply@mediagate.test> SIZE=100', 'RCPT TO:<alice@example.test>', 'DATA',
      ['From: mediagate <noreply@mediagate.test>', 'To: alice@example.test', `Subject: ${subj}`,
        'Content-Type: text/plain; charset=utf-8', '', 'Your one-time code is 123456.', '..leading dot', '.'].join('\r\n'),
      'QUIT',
    ]);
    assert.deepEqual(r.map((x) => x.slice(0, 3)), ['220', '250', '235', '250', '250', '354', '250', '221']);
    const m = await messages('?to=alice@example.test');
    assert.equal(m.length, 1);
    assert.equal(m[0].from, 'noreply@mediagate.test');
    assert.deepEqual(m[0].to, ['alice@example.test']);
    assert.equal(m[0].subject, 'Your code: 123456 ✓');
    assert.equal(m[0].body, 'Your one-time code is 123456.\r\n.leading dot');
    assert.deepEqual(m[0].auth, { mechanism: 'PLAIN', user: 'user', password: 'pass' });
  });

  await t.test('command sequencing errors and injected failures', async () => {
    const r = await smtpDialog(f.port, ['RCPT TO:<a@b.test>', 'HELO c', 'DATA', 'MAIL FROM:<x@y.test>', 'DATA', 'FOO', 'QUIT']);
    assert.deepEqual(r.map((x) => x.slice(0, 3)), ['220', '503', '250', '503', '250', '554', '500', '221']);
    const fr = await fetch(`${hb}/__control/smtp_faults`, { method: 'POST', body: JSON.stringify({ command: 'RCPT', code: 450, message: 'mailbox busy' }), headers: { 'Content-Type': 'application/json' } });
    assert.equal(fr.status, 200);
    const r2 = await smtpDialog(f.port, ['HELO c', 'MAIL FROM:<x@y.test>', 'RCPT TO:<a@b.test>', 'RCPT TO:<a@b.test>', 'QUIT']);
    assert.deepEqual(r2.map((x) => x.slice(0, 3)), ['220', '250', '250', '450', '250', '221']);
  });

  await t.test('curl (libcurl, as mediagate uses) delivers a multipart message', async () => {
    const tmp = path.join(os.tmpdir(), `fake-smtp-${process.pid}.eml`);
    fs.writeFileSync(tmp, [
      'From: noreply@mediagate.test', 'To: bob@example.test', 'Subject: Sign-in code',
      'MIME-Version: 1.0', 'Content-Type: multipart/alternative; boundary="b1"', '',
      '--b1', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable', '',
      'Code: 654321 =E2=9C=93', '--b1', 'Content-Type: text/html', '', '<p>Code: 654321</p>', '--b1--', '',
    ].join('\r\n'));
    await new Promise((resolve, reject) => execFile('curl', ['-sS', `smtp://127.0.0.1:${f.port}`, '--mail-from', 'noreply@mediagate.test',
      '--mail-rcpt', 'bob@example.test', '--user', 'u:p', '--upload-file', tmp], (e, so, se) => (e ? reject(new Error(se || e)) : resolve())));
    fs.unlinkSync(tmp);
    const m = await messages('?to=bob@example.test');
    assert.equal(m.length, 1);
    assert.equal(m[0].subject, 'Sign-in code');
    assert.equal(m[0].body, 'Code: 654321 ✓');
    assert.equal(m[0].auth.user, 'u');
    const last = await (await fetch(`${hb}/__control/messages/last?to=bob@example.test`)).json();
    assert.equal(last.id, m[0].id);
  });
});

/* ===================================================================== Google */

test('google id tokens', { timeout: 60000 }, async (t) => {
  const jose = await import('jose');
  const f = await start('google');
  const jwksUrl = `${f.base}/oauth2/v3/certs`;
  const aud = 'client-123.apps.googleusercontent.com';
  const getJwks = async () => (await fetch(jwksUrl)).json();

  await t.test('JWKS + signed token verify with jose', async () => {
    const jwks = await getJwks();
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0].kty, 'RSA');
    assert.equal(jwks.keys[0].alg, 'RS256');
    const s = await ctl(f, 'POST', '/sign', { claims: { aud, email: 'alice@example.test', sub: '1234567890' } });
    const { payload, protectedHeader } = await jose.jwtVerify(s.id_token, jose.createLocalJWKSet(jwks), { issuer: 'https://accounts.google.com', audience: aud });
    assert.equal(payload.email, 'alice@example.test');
    assert.equal(payload.email_verified, true);
    assert.equal(payload.sub, '1234567890');
    assert.equal(protectedHeader.kid, jwks.keys[0].kid);
    const disc = await (await fetch(`${f.base}/.well-known/openid-configuration`)).json();
    assert.equal(disc.jwks_uri, jwksUrl);
    assert.equal(disc.issuer, 'https://accounts.google.com');
  });

  await t.test('expired, wrong audience, unpublished key and removed claims fail as they should', async () => {
    const jwks = jose.createLocalJWKSet(await getJwks());
    const exp = await ctl(f, 'POST', '/sign', { claims: { aud, exp: Math.floor(Date.now() / 1000) - 60, iat: Math.floor(Date.now() / 1000) - 3600 } });
    await assert.rejects(jose.jwtVerify(exp.id_token, jwks, { audience: aud }), (e) => e.code === 'ERR_JWT_EXPIRED');
    const wrong = await ctl(f, 'POST', '/sign', { claims: { aud: 'someone-else' } });
    await assert.rejects(jose.jwtVerify(wrong.id_token, jwks, { audience: aud }), (e) => e.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED');
    const stranger = await ctl(f, 'POST', '/sign', { claims: { aud }, key: 'unpublished' });
    await assert.rejects(jose.jwtVerify(stranger.id_token, jwks, { audience: aud }), (e) => e.code === 'ERR_JWKS_NO_MATCHING_KEY');
    const none = await ctl(f, 'POST', '/sign', { claims: { aud }, alg: 'none' });
    assert.equal(jose.decodeProtectedHeader(none.id_token).alg, 'none');
    await assert.rejects(jose.jwtVerify(none.id_token, jwks, { audience: aud }));
    const hs = await ctl(f, 'POST', '/sign', { claims: { aud }, alg: 'HS256' });
    assert.equal(jose.decodeProtectedHeader(hs.id_token).alg, 'HS256');
    await assert.rejects(jose.jwtVerify(hs.id_token, jwks, { audience: aud }));
    const noEmail = await ctl(f, 'POST', '/sign', { claims: { aud, email: null } });
    assert.equal('email' in jose.decodeJwt(noEmail.id_token), false);
  });

  await t.test('rotation keeps the old key published unless dropped', async () => {
    const before = await getJwks();
    const rot = await ctl(f, 'POST', '/rotate');
    const after = await getJwks();
    assert.equal(after.keys.length, 2);
    const s = await ctl(f, 'POST', '/sign', { claims: { aud } });
    assert.equal(jose.decodeProtectedHeader(s.id_token).kid, rot.kid);
    const old = await ctl(f, 'POST', '/sign', { claims: { aud }, kid: before.keys[0].kid });
    await jose.jwtVerify(old.id_token, jose.createLocalJWKSet(after), { audience: aud });
    await ctl(f, 'POST', '/rotate', { drop_old: true });
    assert.equal((await getJwks()).keys.length, 1);
  });
});

/* ======================================================================== fal */

function pngSize(buf) {
  assert.deepEqual([...buf.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(buf.subarray(12, 16).toString('ascii'), 'IHDR');
  return [buf.readUInt32BE(16), buf.readUInt32BE(20)];
}

test('fal queue', { timeout: 60000 }, async (t) => {
  const f = await start('fal');
  const K = { Authorization: 'Key fal_test:secret', 'Content-Type': 'application/json' };
  const submit = (model, input, q = '') => fetch(`${f.base}/${model}${q}`, { method: 'POST', headers: K, body: JSON.stringify(input) });
  const get = (u, opts = {}) => fetch(u, { headers: K, ...opts });

  await t.test('submit, poll 202 -> 200, result with a real PNG', async () => {
    const r = await submit('fal-ai/flux/schnell', { prompt: 'a cat', image_size: 'square', num_images: 2 });
    assert.equal(r.status, 200);
    const s = await r.json();
    assert.match(s.request_id, /^[0-9a-f-]{36}$/);
    assert.equal(s.status, 'IN_QUEUE');
    assert.equal(s.status_url, `${f.base}/fal-ai/flux/requests/${s.request_id}/status`);
    assert.equal(s.response_url, `${f.base}/fal-ai/flux/requests/${s.request_id}`);
    assert.equal(s.cancel_url, `${f.base}/fal-ai/flux/requests/${s.request_id}/cancel`);
    const early = await get(s.response_url);
    assert.equal(early.status, 400);
    let p = await get(s.status_url);
    assert.equal(p.status, 202);
    assert.equal((await p.json()).status, 'IN_QUEUE');
    p = await get(`${s.status_url}?logs=1`);
    assert.equal(p.status, 202);
    const ip = await p.json();
    assert.equal(ip.status, 'IN_PROGRESS');
    assert.ok(Array.isArray(ip.logs));
    p = await get(s.status_url);
    assert.equal(p.status, 200);
    const done = await p.json();
    assert.equal(done.status, 'COMPLETED');
    assert.equal(typeof done.metrics.inference_time, 'number');
    const res = await get(s.response_url);
    assert.equal(res.status, 200);
    const out = await res.json();
    assert.equal(out.images.length, 2);
    assert.equal(out.images[0].width, 512);
    const img = await fetch(out.images[0].url);
    assert.equal(img.headers.get('content-type'), 'image/png');
    const bytes = Buffer.from(await img.arrayBuffer());
    assert.equal(bytes.length, out.images[0].file_size);
    assert.deepEqual(pngSize(bytes), [512, 512]);
    const cancel = await get(s.cancel_url, { method: 'PUT' });
    assert.equal(cancel.status, 400);
    assert.equal((await cancel.json()).status, 'ALREADY_COMPLETED');
  });

  await t.test('video model returns an MP4', async () => {
    await ctl(f, 'POST', '/config', { queue_polls: 0, progress_polls: 0 });
    const s = await (await submit('fal-ai/minimax/video-01', { prompt: 'waves' })).json();
    assert.equal((await get(s.status_url)).status, 200);
    const out = await (await get(s.response_url)).json();
    assert.equal(out.video.content_type, 'video/mp4');
    const v = Buffer.from(await (await fetch(out.video.url)).arrayBuffer());
    assert.equal(v.subarray(4, 8).toString('ascii'), 'ftyp');
  });

  await t.test('errors: auth, validation result, injected infra errors, model failure, cancel', async () => {
    const na = await fetch(`${f.base}/fal-ai/flux/schnell`, { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } });
    assert.equal(na.status, 401);
    const s = await (await submit('fal-ai/flux/schnell', { nope: 1 })).json();
    await get(s.status_url);
    const v = await get(s.response_url);
    assert.equal(v.status, 422);
    assert.deepEqual((await v.json()).detail[0].loc, ['body', 'prompt']);
    await ctl(f, 'POST', '/faults', { status: 503, count: 2, match: { method: 'POST' } });
    for (let i = 0; i < 2; i++) {
      const e = await submit('fal-ai/flux/schnell', { prompt: 'x' });
      assert.equal(e.status, 503);
      assert.equal(e.headers.get('x-fal-error-type'), 'runner_scheduling_failure');
      assert.equal((await e.json()).error_type, 'runner_scheduling_failure');
    }
    assert.equal((await submit('fal-ai/flux/schnell', { prompt: 'x' })).status, 200);
    await ctl(f, 'POST', '/faults', { status: 429, match: { path_regex: '/status$' } });
    assert.equal((await get(s.status_url)).status, 429);
    await ctl(f, 'POST', '/next', { error_type: 'runner_server_error' });
    const s2 = await (await submit('fal-ai/flux/schnell', { prompt: 'x' })).json();
    await get(s2.status_url);
    const fr = await get(s2.response_url);
    assert.equal(fr.status, 500);
    assert.equal(fr.headers.get('x-fal-error-type'), 'runner_server_error');
    await ctl(f, 'POST', '/config', { queue_polls: 3, progress_polls: 1 });
    const s3 = await (await submit('fal-ai/flux/dev', { prompt: 'x' })).json();
    const c = await get(s3.cancel_url, { method: 'PUT' });
    assert.equal(c.status, 202);
    assert.equal((await c.json()).status, 'OK');
    const nf = await get(`${f.base}/fal-ai/flux/requests/00000000-0000-0000-0000-000000000000/cancel`, { method: 'PUT' });
    assert.equal(nf.status, 404);
  });

  await t.test('hang: a client timeout fires while the fake holds the request', async () => {
    await ctl(f, 'POST', '/faults', { hang_ms: 3000, status: 504, match: { method: 'POST' } });
    await assert.rejects(fetch(`${f.base}/fal-ai/flux/schnell`, { method: 'POST', headers: K, body: '{"prompt":"x"}', signal: AbortSignal.timeout(200) }), (e) => e.name === 'TimeoutError');
  });

  await t.test('webhook signed with Ed25519 verifies against the served JWKS', async () => {
    const rx = await receiver();
    await ctl(f, 'POST', '/config', { queue_polls: 5, progress_polls: 5 });
    const s = await (await submit('fal-ai/flux/schnell', { prompt: 'x' }, `?fal_webhook=${encodeURIComponent(rx.url)}`)).json();
    assert.equal(s.gateway_request_id, s.request_id);
    const c = await ctl(f, 'POST', `/jobs/${s.request_id}/complete`);
    assert.deepEqual(c.deliveries.map((d) => d.status), [200]);
    const g = rx.got[0];
    const jwks = await (await fetch(`${f.base}/.well-known/jwks.json`)).json();
    const key = crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwks.keys[0].x }, format: 'jwk' });
    const msg = [g.headers['x-fal-webhook-request-id'], g.headers['x-fal-webhook-user-id'], g.headers['x-fal-webhook-timestamp'], crypto.createHash('sha256').update(g.raw).digest('hex')].join('\n');
    assert.equal(crypto.verify(null, Buffer.from(msg), key, Buffer.from(g.headers['x-fal-webhook-signature'], 'hex')), true);
    const body = JSON.parse(g.raw);
    assert.equal(body.request_id, s.request_id);
    assert.equal(body.status, 'OK');
    assert.equal(body.payload.images.length, 1);
    rx.close();
  });

  await t.test('pricing endpoint', async () => {
    const p = await (await get(`${f.base}/v1/models/pricing?endpoint_id=fal-ai/flux/schnell,unknown/x`)).json();
    assert.deepEqual(p.prices, [{ endpoint_id: 'fal-ai/flux/schnell', unit_price: 0.003, unit: 'megapixels', currency: 'USD' }]);
  });
});

/* ================================================================== Replicate */

test('replicate predictions', { timeout: 60000 }, async (t) => {
  const f = await start('replicate');
  const B = { Authorization: 'Bearer r8_test', 'Content-Type': 'application/json' };
  const create = (body, headers = {}, p = '/v1/predictions') => fetch(`${f.base}${p}`, { method: 'POST', headers: { ...B, ...headers }, body: JSON.stringify(body) });
  const VERSION = 'a'.repeat(64);

  await t.test('create 201 starting, poll to succeeded with file URLs', async () => {
    const r = await create({ version: VERSION, input: { prompt: 'a dog', width: 64, height: 32, num_outputs: 2 } });
    assert.equal(r.status, 201);
    const p = await r.json();
    assert.equal(p.status, 'starting');
    assert.equal(p.output, null);
    assert.equal(p.urls.get, `${f.base}/v1/predictions/${p.id}`);
    assert.equal('metrics' in p, false);
    const g0 = await (await fetch(p.urls.get, { headers: B })).json();
    assert.equal(g0.status, 'starting');
    const g1 = await (await fetch(p.urls.get, { headers: B })).json();
    assert.equal(g1.status, 'processing');
    assert.ok(g1.started_at);
    const g2 = await (await fetch(p.urls.get, { headers: B })).json();
    assert.equal(g2.status, 'succeeded');
    assert.equal(g2.output.length, 2);
    assert.equal(typeof g2.metrics.predict_time, 'number');
    assert.ok(g2.completed_at);
    const img = Buffer.from(await (await fetch(g2.output[1])).arrayBuffer());
    assert.deepEqual(pngSize(img), [64, 32]);
    const list = await (await fetch(`${f.base}/v1/predictions`, { headers: B })).json();
    assert.equal(list.results[0].id, p.id);
  });

  await t.test('official model route, Prefer: wait, video output', async () => {
    const r = await create({ input: { prompt: 'x' } }, { Prefer: 'wait' }, '/v1/models/minimax/video-01/predictions');
    assert.equal(r.status, 201);
    const p = await r.json();
    assert.equal(p.status, 'succeeded');
    assert.equal(p.model, 'minimax/video-01');
    assert.equal(typeof p.output, 'string');
    const v = Buffer.from(await (await fetch(p.output)).arrayBuffer());
    assert.equal(v.subarray(4, 8).toString('ascii'), 'ftyp');
  });

  await t.test('errors: 401, 422 version and input, failed run is HTTP 200, 429 and 402 faults', async () => {
    let r = await fetch(`${f.base}/v1/predictions`, { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } });
    assert.equal(r.status, 401);
    assert.equal(r.headers.get('content-type'), 'application/problem+json');
    assert.equal((await r.json()).title, 'Unauthenticated');
    r = await create({ version: 'nope!', input: { prompt: 'x' } });
    assert.equal(r.status, 422);
    assert.equal((await r.json()).title, 'Invalid version or not permitted');
    r = await create({ version: VERSION, input: {} });
    assert.equal(r.status, 422);
    assert.equal((await r.json()).title, 'Input validation failed');
    await ctl(f, 'POST', '/next', { status: 'failed', error: 'NSFW content detected' });
    const p = await (await create({ version: VERSION, input: { prompt: 'x' } })).json();
    await fetch(p.urls.get, { headers: B });
    await fetch(p.urls.get, { headers: B });
    const g = await fetch(p.urls.get, { headers: B });
    assert.equal(g.status, 200);
    const gj = await g.json();
    assert.equal(gj.status, 'failed');
    assert.equal(gj.error, 'NSFW content detected');
    await ctl(f, 'POST', '/faults', { status: 429, match: { method: 'POST' } });
    r = await create({ version: VERSION, input: { prompt: 'x' } });
    assert.equal(r.status, 429);
    assert.match((await r.json()).detail, /throttled/);
    await ctl(f, 'POST', '/faults', { status: 402 });
    r = await create({ version: VERSION, input: { prompt: 'x' } });
    assert.equal(r.status, 402);
    assert.match((await r.json()).detail, /insufficient credit/);
  });

  await t.test('cancel and Standard Webhooks signature', async () => {
    const rx = await receiver();
    const secret = (await (await fetch(`${f.base}/v1/webhooks/default/secret`, { headers: B })).json()).key;
    assert.match(secret, /^whsec_/);
    const p = await (await create({ version: VERSION, input: { prompt: 'x' }, webhook: rx.url, webhook_events_filter: ['completed'] })).json();
    const c = await (await fetch(p.urls.cancel, { method: 'POST', headers: B })).json();
    assert.equal(c.status, 'canceled');
    await new Promise((r) => setTimeout(r, 50));
    const p2 = await (await create({ version: VERSION, input: { prompt: 'x' }, webhook: rx.url })).json();
    const d = await ctl(f, 'POST', `/predictions/${p2.id}/succeed`);
    assert.deepEqual(d.deliveries.map((x) => x.status), [200]);
    await ctl(f, 'POST', `/predictions/${p2.id}/deliver`, { times: 1 });
    const hooks = rx.got.filter((g) => JSON.parse(g.raw).id === p2.id);
    assert.equal(hooks.length, 2);
    assert.equal(hooks[0].headers['webhook-id'], hooks[1].headers['webhook-id']);
    for (const g of hooks) {
      const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
      const want = crypto.createHmac('sha256', key).update(`${g.headers['webhook-id']}.${g.headers['webhook-timestamp']}.${g.raw}`).digest('base64');
      assert.ok(g.headers['webhook-signature'].split(' ').includes(`v1,${want}`));
      assert.equal(JSON.parse(g.raw).status, 'succeeded');
    }
    rx.close();
  });
});

/* ================================================================= ElevenLabs */

test('elevenlabs tts', { timeout: 60000 }, async (t) => {
  const f = await start('elevenlabs');
  const VOICE = '21m00Tcm4TlvDq8ikWAM';
  const H = { 'xi-api-key': 'xi_test', 'Content-Type': 'application/json' };
  const tts = (body, q = '', voice = VOICE, headers = H) => fetch(`${f.base}/v1/text-to-speech/${voice}${q}`, { method: 'POST', headers, body: JSON.stringify(body) });

  await t.test('200 audio/mpeg with valid MP3 frames and character-cost', async () => {
    const r = await tts({ text: 'Hello world', model_id: 'eleven_multilingual_v2' }, '?output_format=mp3_44100_128');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'audio/mpeg');
    assert.equal(r.headers.get('character-cost'), '11');
    assert.ok(r.headers.get('request-id'));
    const b = Buffer.from(await r.arrayBuffer());
    assert.equal(b[0], 0xff);
    assert.equal(b[1] & 0xe0, 0xe0);
    assert.equal(b.length % 417, 0);
    const st = await fetch(`${f.base}/v1/text-to-speech/${VOICE}/stream`, { method: 'POST', headers: H, body: JSON.stringify({ text: 'Hi' }) });
    assert.equal(st.headers.get('transfer-encoding'), 'chunked');
    assert.equal(st.headers.get('character-cost'), '2');
    assert.equal(Buffer.from(await st.arrayBuffer())[0], 0xff);
    const flash = await tts({ text: 'Hello world', model_id: 'eleven_flash_v2_5' });
    assert.equal(flash.headers.get('character-cost'), '6');
    const sub = await (await fetch(`${f.base}/v1/user/subscription`, { headers: H })).json();
    assert.equal(sub.character_count, 19);
  });

  await t.test('error shapes: 401, 422, voice_not_found, too long, quota', async () => {
    let r = await tts({ text: 'x' }, '', VOICE, { 'Content-Type': 'application/json' });
    assert.equal(r.status, 401);
    assert.equal((await r.json()).detail.status, 'invalid_api_key');
    r = await tts({ model_id: 'eleven_v3' });
    assert.equal(r.status, 422);
    assert.deepEqual((await r.json()).detail[0].loc, ['body', 'text']);
    r = await tts({ text: 'x' }, '', 'nope');
    assert.equal(r.status, 400);
    assert.equal((await r.json()).detail.code, 'voice_not_found');
    r = await tts({ text: 'x'.repeat(5001), model_id: 'eleven_v3' });
    assert.equal(r.status, 400);
    assert.equal((await r.json()).detail.code, 'max_character_limit_exceeded');
    r = await tts({ text: 'x' }, '?output_format=wav_1');
    assert.equal(r.status, 400);
    await ctl(f, 'POST', '/config', { character_limit: 20 });
    r = await tts({ text: 'this text is too long for the quota' });
    assert.equal(r.status, 401);
    const j = await r.json();
    assert.equal(j.detail.status, 'quota_exceeded');
    assert.equal(j.detail.code, 'quota_exceeded');
    await ctl(f, 'POST', '/config', { character_limit: 1000000 });
  });

  await t.test('injected 429 system_busy, 500, and concurrency cap', async () => {
    await ctl(f, 'POST', '/faults', { status: 429, error: 'system_busy' });
    let r = await tts({ text: 'x' });
    assert.equal(r.status, 429);
    assert.equal((await r.json()).detail.status, 'system_busy');
    await ctl(f, 'POST', '/faults', { status: 500 });
    r = await tts({ text: 'x' });
    assert.equal(r.status, 500);
    await ctl(f, 'POST', '/config', { concurrency_limit: 1 });
    await ctl(f, 'POST', '/faults', { hang_ms: 400 });
    const slow = tts({ text: 'slow' });
    await new Promise((res) => setTimeout(res, 100));
    r = await tts({ text: 'x' });
    assert.equal(r.status, 429);
    assert.equal((await r.json()).detail.code, 'concurrent_limit_exceeded');
    assert.equal((await slow).status, 200);
    const hist = await (await fetch(`${f.base}/v1/history`, { headers: H })).json();
    assert.equal(hist.history[0].text, 'slow');
  });

  await t.test('request log and reset', async () => {
    const log = await ctl(f, 'GET', '/requests?path=/v1/text-to-speech');
    assert.ok(log.length > 5);
    assert.equal(log[0].method, 'POST');
    assert.equal(typeof log[0].json.text, 'string');
    await ctl(f, 'POST', '/reset');
    assert.deepEqual(await ctl(f, 'GET', '/requests'), []);
  });
});
