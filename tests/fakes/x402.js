'use strict';
// Fake x402 facilitator for tests, on loopback.
// Wire format per /work/shared/reference/payments.md §5 and the x402 spec
// (https://github.com/coinbase/x402, specs/x402-specification.md):
//   POST /verify  {x402Version, paymentPayload, paymentRequirements} -> {isValid, invalidReason?, payer?}
//   POST /settle  (same body) -> {success, errorReason?, payer?, transaction, network}
//   GET  /supported -> {kinds:[{x402Version, scheme, network}], extensions, signers}
// A payload is valid when payload.signature === "valid" and it matches the
// requirements (scheme, network, recipient, amount, validity window).
// Settlement is deterministic: transaction = 0x + sha256(canonical payload),
// so a replayed payment settles to the same transaction.
//
//   node tests/fakes/x402.js --port 0
// Prints {"ready":true,"port":N}. See tests/fakes/README.md for /__control.

const crypto = require('node:crypto');
const { createFake, runMain, send, isoNow } = require('./common');

const st = {
  rules: [], // {op:'verify'|'settle'|'both', remaining, result:{...}}
  settlements: new Map(), // transaction -> {transaction, payer, network, amount, count, first_at}
  replay: 'same', // 'same' | 'fail'
  signatures: new Set(['valid']),
};

const SUPPORTED = {
  kinds: [
    { x402Version: 2, scheme: 'exact', network: 'eip155:8453' },
    { x402Version: 2, scheme: 'exact', network: 'eip155:84532' },
    { x402Version: 1, scheme: 'exact', network: 'base' },
    { x402Version: 1, scheme: 'exact', network: 'base-sepolia' },
  ],
  extensions: [],
  signers: { 'eip155:*': ['0x000000000000000000000000000000000000fac1'] },
};

function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

function errorBody(status) {
  return { body: { error: `Injected ${status} from fake x402 facilitator` } };
}

// Checks body against the exact-EVM rules. Returns {isValid, invalidReason?, payer?, network, amount}.
function check(body) {
  const { x402Version, paymentPayload: pp, paymentRequirements: rq } = body;
  const auth = pp && pp.payload && pp.payload.authorization;
  const payer = auth && typeof auth.from === 'string' ? auth.from : undefined;
  const network = rq && rq.network;
  const bad = (invalidReason) => ({ isValid: false, invalidReason, ...(payer ? { payer } : {}), network });
  if (x402Version !== 1 && x402Version !== 2) return bad('invalid_x402_version');
  if (pp.x402Version !== undefined && pp.x402Version !== x402Version) return bad('invalid_x402_version');
  const amountRequired = x402Version === 2 ? rq.amount : rq.maxAmountRequired;
  const scheme = x402Version === 2 ? (pp.accepted || {}).scheme : pp.scheme;
  const ppNetwork = x402Version === 2 ? (pp.accepted || {}).network : pp.network;
  if (rq.scheme !== 'exact') return bad('unsupported_scheme');
  if (scheme !== rq.scheme) return bad('invalid_scheme');
  if (ppNetwork !== rq.network) return bad('invalid_network');
  if (!SUPPORTED.kinds.some((k) => k.x402Version === x402Version && k.network === rq.network)) return bad('invalid_network');
  if (x402Version === 2) {
    const a = pp.accepted;
    if (String(a.amount) !== String(rq.amount) || String(a.payTo).toLowerCase() !== String(rq.payTo).toLowerCase()
        || String(a.asset).toLowerCase() !== String(rq.asset).toLowerCase()) return bad('invalid_payment_requirements');
  }
  if (!pp.payload || typeof pp.payload !== 'object' || !auth || typeof auth !== 'object') return bad('invalid_payload');
  if (String(auth.to || '').toLowerCase() !== String(rq.payTo || '').toLowerCase()) return bad('invalid_exact_evm_payload_recipient_mismatch');
  if (!/^\d+$/.test(String(auth.value)) || !/^\d+$/.test(String(amountRequired)) || BigInt(auth.value) !== BigInt(amountRequired)) {
    return bad('invalid_exact_evm_payload_authorization_value');
  }
  const now = Math.floor(Date.now() / 1000);
  if (auth.validBefore !== undefined && Number(auth.validBefore) < now + 6) return bad('invalid_exact_evm_payload_authorization_valid_before');
  if (auth.validAfter !== undefined && Number(auth.validAfter) > now) return bad('invalid_exact_evm_payload_authorization_valid_after');
  if (!st.signatures.has(pp.payload.signature)) return bad('invalid_exact_evm_payload_signature');
  return { isValid: true, payer, network, amount: String(amountRequired) };
}

function takeRule(op) {
  for (const r of st.rules) {
    if (r.remaining > 0 && (r.op === op || r.op === 'both')) { r.remaining--; return r; }
  }
  return null;
}

function validBody(j) {
  return j && typeof j === 'object' && j.paymentPayload && typeof j.paymentPayload === 'object'
    && j.paymentRequirements && typeof j.paymentRequirements === 'object';
}

async function handle(ctx) {
  const { method, path: p, res } = ctx;
  if (method === 'GET' && p === '/supported') { send(res, 200, SUPPORTED); return; }
  if (method !== 'POST' || (p !== '/verify' && p !== '/settle')) return;
  if (!validBody(ctx.json)) { send(res, 400, { error: 'Invalid request: expected {x402Version, paymentPayload, paymentRequirements}' }); return; }
  const op = p.slice(1);
  const rule = takeRule(op);
  if (rule && rule.status) { send(res, rule.status, rule.body || { error: 'rule' }); return; }
  const c = check(ctx.json);
  if (op === 'verify') {
    let out = { isValid: c.isValid, ...(c.invalidReason ? { invalidReason: c.invalidReason } : {}), ...(c.payer ? { payer: c.payer } : {}) };
    if (rule) out = { ...out, ...rule.result };
    send(res, 200, out);
    return;
  }
  const tx = `0x${crypto.createHash('sha256').update(canonical(ctx.json.paymentPayload.payload)).digest('hex')}`;
  let out;
  if (!c.isValid) {
    out = { success: false, errorReason: c.invalidReason, ...(c.payer ? { payer: c.payer } : {}), transaction: '', network: c.network };
  } else {
    const prior = st.settlements.get(tx);
    if (prior && st.replay === 'fail') {
      out = { success: false, errorReason: 'invalid_transaction_state', payer: c.payer, transaction: '', network: c.network };
    } else {
      if (prior) prior.count++;
      else st.settlements.set(tx, { transaction: tx, payer: c.payer, network: c.network, amount: c.amount, count: 1, first_at: isoNow() });
      out = { success: true, payer: c.payer, transaction: tx, network: c.network };
    }
  }
  if (rule) out = { ...out, ...rule.result };
  send(res, 200, out);
}

const httpErr = (status, msg) => Object.assign(new Error(msg), { status });

const control = [
  ['GET', /^\/settlements$/, () => [200, [...st.settlements.values()]]],
  ['POST', /^\/rules$/, (ctx) => {
    const j = ctx.json || {};
    if (!['verify', 'settle', 'both'].includes(j.op)) throw httpErr(400, 'op must be verify|settle|both');
    const r = { op: j.op, remaining: j.count === undefined ? 1 : Number(j.count), result: j.result || {}, status: j.status, body: j.body };
    st.rules.push(r);
    return [200, r];
  }],
  ['DELETE', /^\/rules$/, () => { st.rules.length = 0; return [200, { ok: true }]; }],
  ['POST', /^\/config$/, (ctx) => {
    const j = ctx.json || {};
    if (j.replay !== undefined) {
      if (!['same', 'fail'].includes(j.replay)) throw httpErr(400, 'replay must be same|fail');
      st.replay = j.replay;
    }
    if (Array.isArray(j.valid_signatures)) st.signatures = new Set(j.valid_signatures);
    return [200, { replay: st.replay, valid_signatures: [...st.signatures] }];
  }],
];

const fake = createFake({
  name: 'x402', errorBody, control, handle,
  onReset() { st.rules.length = 0; st.settlements.clear(); st.replay = 'same'; st.signatures = new Set(['valid']); },
});

if (require.main === module) runMain(fake);
module.exports = { fake, check, canonical };
