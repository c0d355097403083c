'use strict';
// Fake Replicate predictions API for tests, on loopback (base = http://127.0.0.1:PORT/v1).
// Wire format per /work/shared/reference/providers.md §2 and
// https://replicate.com/docs/reference/http :
//   POST /v1/predictions {version, input, webhook?, webhook_events_filter?}  -> 201 prediction
//   POST /v1/models/{owner}/{name}/predictions {input, ...}                -> 201
//   POST /v1/deployments/{owner}/{name}/predictions                         -> 201
//   GET  /v1/predictions/{id}  (each GET advances starting -> processing -> terminal)
//   POST /v1/predictions/{id}/cancel, GET /v1/predictions, GET /v1/webhooks/default/secret
//   GET  /files/{id}/{name}  -> real PNG / MP4 bytes
// Errors are problem JSON {title, detail, status}. Webhooks are signed with
// the Standard Webhooks scheme (webhook-id, webhook-timestamp, webhook-signature).
//
//   node tests/fakes/replicate.js --port 0 [--api-key TOKEN]
// Prints {"ready":true,"port":N}. See tests/fakes/README.md for /__control.

const crypto = require('node:crypto');
const { createFake, runMain, parseArgs, send, isoNow, postRaw, nowSec, randStr } = require('./common');
const media = require('./media');

const args = parseArgs(process.argv.slice(2));
const DEFAULT_CFG = { starting_polls: 1, processing_polls: 1, predict_time: 2.5, prefer_wait_completes: true };
const st = {
  apiKey: args['api-key'] || null,
  cfg: { ...DEFAULT_CFG },
  next: [],
  preds: new Map(),
  order: [],
  files: new Map(),
  deliveries: [],
  secret: `whsec_${crypto.randomBytes(32).toString('base64')}`,
};

const PROBLEM = { 'Content-Type': 'application/problem+json' };
const problem = (status, title, detail, extra = {}) => ({ status, body: { title, detail, status, ...extra }, headers: PROBLEM });

function errorBody(status, error) {
  const p = {
    401: problem(401, 'Unauthenticated', 'You did not pass a valid authentication token'),
    402: problem(402, 'Insufficient credit', 'You have insufficient credit to run this model. Go to https://replicate.com/account/billing#billing to purchase credit. Once you purchase credit, please wait a few minutes before trying again.'),
    404: problem(404, 'Not found', 'The requested resource could not be found.'),
    429: problem(429, 'Request was throttled.', 'Request was throttled. Your rate limit resets in ~30s.'),
  }[status] || problem(status, status >= 500 ? 'Internal server error' : 'Error', typeof error === 'string' ? error : `Injected ${status} from fake Replicate.`);
  return { body: p.body, headers: p.headers };
}

const sendProblem = (res, p) => send(res, p.status, p.body, p.headers);
const TERMINAL = ['succeeded', 'failed', 'canceled', 'aborted'];

function pubPred(p) {
  const out = {
    id: p.id, model: p.model, version: p.version, input: p.input, logs: p.logs, output: p.output,
    data_removed: false, error: p.error, status: p.status, source: 'api', created_at: p.created_at,
    started_at: p.started_at, completed_at: p.completed_at, urls: p.urls,
  };
  if (p.deadline) out.deadline = p.deadline;
  if (TERMINAL.includes(p.status)) out.metrics = p.metrics;
  return out;
}

// Standard Webhooks signature (https://www.standardwebhooks.com/):
// base64 HMAC-SHA256 over "id.timestamp.body" keyed with base64-decoded secret sans "whsec_".
function signWebhook(id, ts, body, secret = st.secret) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${crypto.createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64')}`;
}

async function deliver(p, event, times = 1, ts) {
  if (!p.webhook) return [];
  const filter = p.webhook_events_filter || ['output', 'completed'];
  if (!filter.includes(event) && !(event === 'completed' && filter.includes('output'))) return [];
  const body = JSON.stringify(pubPred(p));
  const id = `msg_${p.id}_${event}`; // unchanged across retries and redeliveries
  const results = [];
  for (let i = 0; i < times; i++) {
    const t = String(ts === undefined ? nowSec() : ts);
    const r = await postRaw(p.webhook, body, {
      'Content-Type': 'application/json', 'User-Agent': 'Replicate-Webhooks/1.0',
      'webhook-id': id, 'webhook-timestamp': t, 'webhook-signature': signWebhook(id, t, body),
    });
    const d = { prediction: p.id, event, url: p.webhook, status: r.status, error: r.error, webhook_id: id, at: isoNow() };
    st.deliveries.push(d);
    results.push(d);
  }
  return results;
}

function makeOutput(p, base) {
  const input = p.input;
  if (p.video) {
    const bytes = media.mp4();
    st.files.set(`${p.id}/output.mp4`, { type: 'video/mp4', bytes });
    return `${base}/files/${p.id}/output.mp4`;
  }
  const n = Number.isInteger(input.num_outputs) ? input.num_outputs : 1;
  const w = Number.isInteger(input.width) ? input.width : 1024;
  const h = Number.isInteger(input.height) ? input.height : 1024;
  const urls = [];
  for (let i = 0; i < n; i++) {
    const name = `out-${i}.png`;
    st.files.set(`${p.id}/${name}`, { type: 'image/png', bytes: media.png(w, h, [200, (i * 70) % 256, 80]) });
    urls.push(`${base}/files/${p.id}/${name}`);
  }
  return urls;
}

// Moves p to a terminal status and sends the completed webhook (awaited).
async function finish(p, status, base, error) {
  if (TERMINAL.includes(p.status)) return [];
  const now = isoNow();
  p.status = status;
  p.completed_at = now;
  if (!p.started_at && status !== 'aborted') p.started_at = now;
  const pt = p.override.predict_time !== undefined ? p.override.predict_time : st.cfg.predict_time;
  if (status === 'succeeded') {
    p.output = p.override.output !== undefined ? p.override.output : makeOutput(p, base);
    p.logs += 'Generating...\nDone.\n';
    p.metrics = { predict_time: pt, total_time: pt + 0.4 };
    if (Array.isArray(p.output) && !p.video) p.metrics.image_count = p.output.length;
  } else if (status === 'failed') {
    p.error = error || p.override.error || 'Prediction failed: CUDA out of memory';
    p.logs += `Traceback (most recent call last):\n${p.error}\n`;
    p.metrics = { predict_time: pt / 2, total_time: pt / 2 + 0.4 };
  } else if (status === 'canceled') {
    p.metrics = { predict_time: p.started_at === now ? 0 : pt / 3, total_time: pt / 3 + 0.2 };
  } else {
    p.metrics = { predict_time: 0, total_time: 0.1 };
  }
  return deliver(p, 'completed');
}

function terminalOutcome(p) {
  return p.override.status || 'succeeded';
}

// One GET poll: starting_polls GETs show "starting", the next
// processing_polls GETs show "processing", then the terminal outcome.
function advance(p, base) {
  if (TERMINAL.includes(p.status)) return;
  p.polls++;
  if (p.polls <= p.startingPolls) return;
  if (p.status === 'starting') {
    p.status = 'processing';
    p.started_at = isoNow();
    p.logs = 'Loading model...\n';
    deliver(p, 'start');
  }
  if (p.polls <= p.startingPolls + p.processingPolls) return;
  finish(p, terminalOutcome(p), base);
}

function authOk(ctx) {
  const m = /^Bearer (.+)$/.exec(ctx.headers.authorization || '');
  if (!m) return false;
  return st.apiKey ? m[1] === st.apiKey : m[1].length > 0;
}

const VERSION_RE = /^(?:([a-z0-9][a-z0-9_.-]*\/[a-z0-9][a-z0-9_.-]*)(?::([0-9a-f]{64}))?|([0-9a-f]{64}))$/;

function parseDuration(s) {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(s || '');
  if (!m || s === '') return null;
  return ((Number(m[1] || 0) * 60 + Number(m[2] || 0)) * 60 + Number(m[3] || 0)) * 1000;
}

async function create(ctx, model, version) {
  const { res, fake } = ctx;
  const base = fake.baseUrl();
  const j = ctx.json;
  if (!j || typeof j !== 'object' || Array.isArray(j)) { sendProblem(res, problem(400, 'Invalid request body', 'The request body must be a JSON object.')); return; }
  if (!model) {
    const vm = VERSION_RE.exec(typeof j.version === 'string' ? j.version : '');
    if (!vm) {
      sendProblem(res, problem(422, 'Invalid version or not permitted', 'The specified version does not exist (or perhaps you don\'t have permission to use it?)'));
      return;
    }
    model = vm[1] || `fake/model-${vm[3].slice(0, 8)}`;
    version = vm[2] || vm[3] || 'hidden';
  }
  if (!j.input || typeof j.input !== 'object' || Array.isArray(j.input)) {
    sendProblem(res, problem(422, 'Input validation failed', '- input: Invalid type. Expected: object, given: null\n', {
      invalid_fields: [{ type: 'invalid_type', field: 'input', description: 'Invalid type. Expected: object' }],
    }));
    return;
  }
  if (typeof j.input.prompt !== 'string' || j.input.prompt === '') {
    sendProblem(res, problem(422, 'Input validation failed', '- input: prompt is required\n', {
      invalid_fields: [{ type: 'required', field: 'input', description: 'prompt is required' }],
    }));
    return;
  }
  if (j.webhook !== undefined) {
    try { new URL(j.webhook); } catch { sendProblem(res, problem(422, 'Invalid webhook', 'The webhook must be a valid HTTPS URL.')); return; }
  }
  let deadline = null;
  if (ctx.headers['cancel-after']) {
    const ms = parseDuration(ctx.headers['cancel-after']);
    if (ms === null || ms < 5000) { sendProblem(res, problem(400, 'Invalid Cancel-After header', 'Cancel-After must be a duration of at least 5s, like 30s, 5m or 1h30m.')); return; }
    deadline = isoNow(Date.now() + ms);
  }
  let ov = {};
  const nx = st.next.find((x) => x.remaining > 0);
  if (nx) { nx.remaining--; ov = nx; }
  const id = randStr(26, 'abcdefghijklmnopqrstuvwxyz0123456789');
  const p = {
    id, model, version, input: j.input, logs: '', output: null, error: null, status: 'starting',
    created_at: isoNow(), started_at: null, completed_at: null, deadline,
    urls: {
      get: `${base}/v1/predictions/${id}`, cancel: `${base}/v1/predictions/${id}/cancel`,
      stream: `${base}/v1/predictions/${id}/stream`, web: `${base}/p/${id}`,
    },
    webhook: j.webhook || null, webhook_events_filter: j.webhook_events_filter || null,
    polls: 0, override: ov, metrics: null,
    startingPolls: ov.starting_polls !== undefined ? ov.starting_polls : st.cfg.starting_polls,
    processingPolls: ov.processing_polls !== undefined ? ov.processing_polls : st.cfg.processing_polls,
    video: ov.video !== undefined ? !!ov.video : /video/.test(model),
  };
  st.preds.set(id, p);
  st.order.push(id);
  const prefer = ctx.headers.prefer || '';
  if (/^wait(=\d+)?$/.test(prefer.trim()) && st.cfg.prefer_wait_completes && !ov.wait_times_out) {
    p.started_at = isoNow();
    await finish(p, terminalOutcome(p), base);
  }
  send(res, 201, pubPred(p), { Location: p.urls.get });
}

async function handle(ctx) {
  const { method, path: p, res, fake } = ctx;
  let m;
  if (method === 'GET' && (m = /^\/files\/([^/]+)\/([^/]+)$/.exec(p))) {
    const f = st.files.get(`${m[1]}/${m[2]}`);
    if (!f) { sendProblem(res, problem(404, 'Not found', 'File not found.')); return; }
    send(res, 200, f.bytes, { 'Content-Type': f.type });
    return;
  }
  if (!p.startsWith('/v1/')) return;
  if (!authOk(ctx)) { sendProblem(res, problem(401, 'Unauthenticated', 'You did not pass a valid authentication token')); return; }
  if (method === 'POST' && p === '/v1/predictions') { await create(ctx, null, null); return; }
  if (method === 'POST' && (m = /^\/v1\/(models|deployments)\/([^/]+)\/([^/]+)\/predictions$/.exec(p))) {
    await create(ctx, `${m[2]}/${m[3]}`, m[1] === 'models' ? 'hidden' : 'deployment');
    return;
  }
  if (method === 'GET' && p === '/v1/predictions') {
    send(res, 200, { next: null, previous: null, results: [...st.order].reverse().map((id) => pubPred(st.preds.get(id))) });
    return;
  }
  if (method === 'GET' && p === '/v1/webhooks/default/secret') { send(res, 200, { key: st.secret }); return; }
  if ((m = /^\/v1\/predictions\/([^/]+)(\/cancel)?$/.exec(p))) {
    const pr = st.preds.get(m[1]);
    if (!pr) { sendProblem(res, problem(404, 'Not found', 'The requested resource could not be found.')); return; }
    if (method === 'GET' && !m[2]) { advance(pr, fake.baseUrl()); send(res, 200, pubPred(pr)); return; }
    if (method === 'POST' && m[2]) { await finish(pr, 'canceled', fake.baseUrl()); send(res, 200, pubPred(pr)); return; }
    sendProblem(res, problem(405, 'Method not allowed', 'Method not allowed.'));
    return;
  }
  sendProblem(res, problem(404, 'Not found', 'The requested resource could not be found.'));
}

const httpErr = (status, msg) => Object.assign(new Error(msg), { status });

const control = [
  ['POST', /^\/config$/, (ctx) => {
    const j = ctx.json || {};
    for (const k of Object.keys(DEFAULT_CFG)) if (j[k] !== undefined) st.cfg[k] = typeof DEFAULT_CFG[k] === 'boolean' ? !!j[k] : Number(j[k]);
    if ('api_key' in j) st.apiKey = j.api_key;
    if (j.webhook_secret) st.secret = j.webhook_secret;
    return [200, { ...st.cfg, api_key: st.apiKey, webhook_secret: st.secret }];
  }],
  ['POST', /^\/next$/, (ctx) => {
    const j = ctx.json || {};
    if (j.status !== undefined && !TERMINAL.includes(j.status)) throw httpErr(400, `status must be one of ${TERMINAL.join(', ')}`);
    const o = { ...j, remaining: j.count === undefined ? 1 : Number(j.count) };
    st.next.push(o);
    return [200, o];
  }],
  ['GET', /^\/predictions$/, () => [200, st.order.map((id) => ({ ...pubPred(st.preds.get(id)), polls: st.preds.get(id).polls, webhook: st.preds.get(id).webhook }))]],
  ['POST', /^\/predictions\/([^/]+)\/(succeed|fail|cancel|abort)$/, async (ctx, m) => {
    const p = st.preds.get(m[1]);
    if (!p) throw httpErr(404, 'no such prediction');
    if (TERMINAL.includes(p.status)) throw httpErr(409, `prediction is ${p.status}`);
    const status = { succeed: 'succeeded', fail: 'failed', cancel: 'canceled', abort: 'aborted' }[m[2]];
    const d = await finish(p, status, ctx.fake.baseUrl(), (ctx.json || {}).error);
    return [200, { prediction: pubPred(p), deliveries: d }];
  }],
  ['POST', /^\/predictions\/([^/]+)\/deliver$/, async (ctx, m) => {
    const p = st.preds.get(m[1]);
    if (!p) throw httpErr(404, 'no such prediction');
    const j = ctx.json || {};
    if (j.url) p.webhook = j.url;
    const d = await deliver(p, j.event || 'completed', j.times === undefined ? 1 : Number(j.times), j.timestamp);
    return [200, { statuses: d.map((x) => x.status), deliveries: d }];
  }],
  ['GET', /^\/deliveries$/, () => [200, st.deliveries]],
];

const fake = createFake({
  name: 'replicate', errorBody, control, handle,
  onReset() {
    st.cfg = { ...DEFAULT_CFG }; st.next.length = 0; st.preds.clear(); st.order.length = 0; st.files.clear(); st.deliveries.length = 0;
  },
});

if (require.main === module) runMain(fake);
module.exports = { fake, signWebhook };
