'use strict';
// Fake fal.ai queue API for tests, on loopback.
// Wire format per /work/shared/reference/providers.md §1 and
// https://docs.fal.ai/model-apis/model-endpoints/queue :
//   POST /{owner}/{app}[/path][?fal_webhook=URL]      -> 200 {request_id, response_url, status_url, cancel_url, queue_position, status}
//   GET  /{owner}/{app}/requests/{id}/status[?logs=1] -> 202 IN_QUEUE / IN_PROGRESS, 200 COMPLETED
//   GET  /{owner}/{app}/requests/{id}                 -> the model's code and body (400 while running)
//   PUT  /{owner}/{app}/requests/{id}/cancel          -> 202 OK|CANCELLATION_REQUESTED, 400 ALREADY_COMPLETED, 404 NOT_FOUND
//   GET  /files/{id}/{name}                            -> real PNG / MP4 bytes
//   GET  /v1/models/pricing?endpoint_id=a,b            -> {prices:[...]}
//   GET  /.well-known/jwks.json                        -> Ed25519 key that signs webhooks
// Every status poll advances the job; completion after queue_polls +
// progress_polls polls (control-configurable).
//
//   node tests/fakes/fal.js --port 0 [--api-key KEY]
// Prints {"ready":true,"port":N}. See tests/fakes/README.md for /__control.

const crypto = require('node:crypto');
const { createFake, runMain, parseArgs, send, isoNow, postRaw, nowSec } = require('./common');
const media = require('./media');

const args = parseArgs(process.argv.slice(2));
const whKeys = crypto.generateKeyPairSync('ed25519');
const WH_USER = 'fake-fal-user-1';

const DEFAULT_CFG = { queue_polls: 1, progress_polls: 1, inference_time: 1.25, auto_complete_ms: 0 };
const st = {
  apiKey: args['api-key'] || null,
  cfg: { ...DEFAULT_CFG },
  next: [], // overrides for the next submits: {remaining, ...fields}
  jobs: new Map(),
  files: new Map(), // `${id}/${name}` -> {type, bytes}
  deliveries: [],
  prices: {
    'fal-ai/flux/schnell': { unit_price: 0.003, unit: 'megapixels' },
    'fal-ai/flux/dev': { unit_price: 0.025, unit: 'megapixels' },
    'fal-ai/fast-sdxl': { unit_price: 0.0025, unit: 'image' },
    'fal-ai/kling-video/v2.1/pro/image-to-video': { unit_price: 0.09, unit: 'second' },
    'fal-ai/minimax/video-01': { unit_price: 0.5, unit: 'video' },
  },
};

const INFRA = {
  bad_request: 400, internal_error: 500, runner_server_error: 500, runner_incomplete_response: 502,
  runner_scheduling_failure: 503, runner_connection_timeout: 503, runner_connection_refused: 503,
  runner_disconnected: 503, request_timeout: 504, startup_timeout: 504,
  client_cancelled: 499, client_disconnected: 499,
};
const STATUS_TYPE = { 500: 'internal_error', 502: 'runner_incomplete_response', 503: 'runner_scheduling_failure', 504: 'request_timeout', 499: 'client_disconnected', 400: 'bad_request' };

function infraError(type, detail) {
  return {
    status: INFRA[type] || 500,
    body: { detail: detail || type.replace(/_/g, ' '), error_type: type },
    headers: { 'X-Fal-Error-Type': type },
  };
}

function errorBody(status, error) {
  if (status === 401) return { body: { detail: 'Unauthorized' } };
  if (status === 403) return { body: { detail: 'Forbidden' } };
  if (status === 429) return { body: { detail: 'Too many requests' } };
  if (status === 422) return { body: { detail: [{ loc: ['body', 'prompt'], msg: 'field required', type: 'value_error.missing' }] } };
  const type = typeof error === 'string' ? error : STATUS_TYPE[status];
  if (!type) return { body: { detail: `Injected ${status}` } };
  const e = infraError(type);
  return { body: e.body, headers: e.headers };
}

const SIZES = {
  square_hd: [1024, 1024], square: [512, 512], portrait_4_3: [768, 1024], portrait_16_9: [576, 1024],
  landscape_4_3: [1024, 768], landscape_16_9: [1024, 576],
};

function dims(input) {
  const s = input.image_size;
  if (s && typeof s === 'object' && Number.isInteger(s.width) && Number.isInteger(s.height)) return [s.width, s.height];
  if (typeof s === 'string' && SIZES[s]) return SIZES[s];
  return SIZES.landscape_4_3;
}

// Builds the model's answer for a job: {status, body, headers?}.
function buildOutcome(job, base) {
  const o = job.override;
  if (o.result_status) return { status: o.result_status, body: o.result_body !== undefined ? o.result_body : { detail: 'Injected model error' } };
  if (o.error_type) return infraError(o.error_type, o.detail);
  const input = job.input;
  if (typeof input.prompt !== 'string' || input.prompt === '') {
    return { status: 422, body: { detail: [{ loc: ['body', 'prompt'], msg: 'field required', type: 'value_error.missing' }] } };
  }
  if (job.video) {
    if (/image-to-video/.test(job.model) && typeof input.image_url !== 'string') {
      return { status: 422, body: { detail: [{ loc: ['body', 'image_url'], msg: 'field required', type: 'value_error.missing' }] } };
    }
    const bytes = media.mp4();
    st.files.set(`${job.id}/output.mp4`, { type: 'video/mp4', bytes });
    return { status: 200, body: { video: { url: `${base}/files/${job.id}/output.mp4`, content_type: 'video/mp4', file_name: 'output.mp4', file_size: bytes.length } } };
  }
  const n = Number.isInteger(input.num_images) ? input.num_images : 1;
  if (n < 1 || n > 4) {
    return { status: 422, body: { detail: [{ loc: ['body', 'num_images'], msg: 'ensure this value is less than or equal to 4', type: 'value_error.number.not_le' }] } };
  }
  const [w, h] = dims(input);
  const images = [];
  for (let i = 0; i < n; i++) {
    const name = `${i}.png`;
    const bytes = media.png(w, h, [(i * 60) % 256, 120, 200]);
    st.files.set(`${job.id}/${name}`, { type: 'image/png', bytes });
    images.push({ url: `${base}/files/${job.id}/${name}`, content_type: 'image/png', file_name: name, file_size: bytes.length, width: w, height: h });
  }
  return { status: 200, body: { images, timings: { inference: st.cfg.inference_time }, seed: Number.isInteger(input.seed) ? input.seed : 42, has_nsfw_concepts: images.map(() => false), prompt: input.prompt } };
}

function urlsOf(job, base) {
  const r = `${base}/${job.ownerApp}/requests/${job.id}`;
  return { response_url: r, status_url: `${r}/status`, cancel_url: `${r}/cancel` };
}

function stateOf(job) {
  if (job.completed) return 'COMPLETED';
  if (job.polls < job.queuePolls) return 'IN_QUEUE';
  if (job.polls < job.queuePolls + job.progressPolls) return 'IN_PROGRESS';
  return 'COMPLETED';
}

function logsOf(job) {
  return [{ message: 'Loading model', level: 'INFO', source: 'user', timestamp: job.createdAt }];
}

// Completes a job once (idempotent); sends the webhook if one was asked for.
async function complete(job, base) {
  if (job.completed) return null;
  job.completed = true;
  job.outcome = job.canceled ? infraError('client_cancelled', 'Request was cancelled') : buildOutcome(job, base);
  job.completedAt = isoNow();
  if (job.webhook) return deliverWebhook(job);
  return null;
}

// fal webhook (providers.md §1): Ed25519 over
// "request_id\nuser_id\ntimestamp\nhex(sha256(body))".
function signWebhook(requestId, body, ts) {
  const msg = `${requestId}\n${WH_USER}\n${ts}\n${crypto.createHash('sha256').update(body).digest('hex')}`;
  return crypto.sign(null, Buffer.from(msg), whKeys.privateKey).toString('hex');
}

async function deliverWebhook(job, times = 1, ts) {
  const ok = job.outcome.status >= 200 && job.outcome.status < 300;
  const payload = {
    request_id: job.id, gateway_request_id: job.id, status: ok ? 'OK' : 'ERROR',
    payload: job.outcome.body,
    ...(ok ? {} : { error: `Invalid status code: ${job.outcome.status}` }),
  };
  const body = JSON.stringify(payload);
  const results = [];
  for (let i = 0; i < times; i++) {
    const t = String(ts === undefined ? nowSec() : ts);
    const r = await postRaw(job.webhook, body, {
      'Content-Type': 'application/json',
      'X-Fal-Webhook-Request-Id': job.id,
      'X-Fal-Webhook-User-Id': WH_USER,
      'X-Fal-Webhook-Timestamp': t,
      'X-Fal-Webhook-Signature': signWebhook(job.id, body, t),
    });
    const d = { request_id: job.id, url: job.webhook, status: r.status, error: r.error, body, at: isoNow() };
    st.deliveries.push(d);
    results.push(d);
  }
  return results;
}

function authOk(ctx) {
  const m = /^Key (.+)$/.exec(ctx.headers.authorization || '');
  if (!m) return false;
  return st.apiKey ? m[1] === st.apiKey : m[1].length > 0;
}

async function handle(ctx) {
  const { method, path: p, res, fake } = ctx;
  const base = fake.baseUrl();
  let m;
  if (method === 'GET' && p === '/.well-known/jwks.json') {
    const jwk = whKeys.publicKey.export({ format: 'jwk' });
    send(res, 200, { keys: [{ kty: 'OKP', crv: 'Ed25519', x: jwk.x, kid: 'fake-fal-1' }] });
    return;
  }
  if (method === 'GET' && (m = /^\/files\/([^/]+)\/([^/]+)$/.exec(p))) {
    const f = st.files.get(`${m[1]}/${m[2]}`);
    if (!f) { send(res, 404, { detail: 'File not found' }); return; }
    send(res, 200, f.bytes, { 'Content-Type': f.type, 'Cache-Control': 'max-age=604800' });
    return;
  }
  if (!authOk(ctx)) { send(res, 401, { detail: 'Unauthorized' }); return; }
  if (method === 'GET' && p === '/v1/models/pricing') {
    const ids = (ctx.query.get('endpoint_id') || '').split(',').filter(Boolean);
    const prices = ids.filter((id) => st.prices[id]).map((id) => ({ endpoint_id: id, ...st.prices[id], currency: 'USD' }));
    send(res, 200, { prices, next_cursor: null, has_more: false });
    return;
  }
  if ((m = /^\/([^/]+)\/([^/]+)\/requests\/([^/]+)(\/status|\/cancel)?$/.exec(p))) {
    const ownerApp = `${m[1]}/${m[2]}`;
    const job = st.jobs.get(m[3]);
    const sfx = m[4] || '';
    if (method === 'PUT' && sfx === '/cancel') {
      if (!job || job.ownerApp !== ownerApp) { send(res, 404, { status: 'NOT_FOUND' }); return; }
      const s = stateOf(job);
      if (s === 'COMPLETED') { send(res, 400, { status: 'ALREADY_COMPLETED' }); return; }
      job.canceled = true;
      if (s === 'IN_QUEUE') { await complete(job, base); send(res, 202, { status: 'OK' }); return; }
      send(res, 202, { status: 'CANCELLATION_REQUESTED' });
      return;
    }
    if (method !== 'GET' || sfx === '/cancel') { send(res, 405, { detail: 'Method Not Allowed' }); return; }
    if (!job || job.ownerApp !== ownerApp) { send(res, 404, { detail: `Request ${m[3]} not found` }); return; }
    if (sfx === '/status') {
      const s = stateOf(job); // queue_polls polls say IN_QUEUE, then progress_polls IN_PROGRESS
      job.polls++;
      const withLogs = ctx.query.get('logs') === '1';
      const u = urlsOf(job, base);
      if (s === 'IN_QUEUE') {
        send(res, 202, { status: s, request_id: job.id, queue_position: Math.max(0, job.queuePolls - job.polls), ...u });
        return;
      }
      if (s === 'IN_PROGRESS') { send(res, 202, { status: s, request_id: job.id, logs: withLogs ? logsOf(job) : null, ...u }); return; }
      if (!job.completed) complete(job, base); // webhook goes out in the background
      send(res, 200, { status: 'COMPLETED', request_id: job.id, logs: withLogs ? logsOf(job) : null, metrics: { inference_time: job.outcome.status === 200 ? st.cfg.inference_time : null }, ...u });
      return;
    }
    if (!job.completed) { send(res, 400, { detail: 'Request is still in progress' }); return; }
    send(res, job.outcome.status, job.outcome.body, job.outcome.headers || {});
    return;
  }
  if (method === 'POST' && (m = /^\/([^/]+)\/([^/]+)(\/.+)?$/.exec(p))) {
    if (ctx.json === undefined || typeof ctx.json !== 'object' || Array.isArray(ctx.json) || ctx.json === null) {
      send(res, 400, { detail: 'Request body must be a JSON object', error_type: 'bad_request' }, { 'X-Fal-Error-Type': 'bad_request' });
      return;
    }
    const model = `${m[1]}/${m[2]}${m[3] || ''}`;
    let ov = {};
    const nx = st.next.find((x) => x.remaining > 0);
    if (nx) { nx.remaining--; ov = nx; }
    const id = crypto.randomUUID();
    const job = {
      id, model, ownerApp: `${m[1]}/${m[2]}`, input: ctx.json, createdAt: isoNow(), polls: 0,
      queuePolls: ov.queue_polls !== undefined ? ov.queue_polls : st.cfg.queue_polls,
      progressPolls: ov.progress_polls !== undefined ? ov.progress_polls : st.cfg.progress_polls,
      video: ov.video !== undefined ? !!ov.video : /video/.test(model),
      override: ov, webhook: ctx.query.get('fal_webhook') || null,
      headers: {
        timeout: ctx.headers['x-fal-request-timeout'] || null,
        no_retry: ctx.headers['x-fal-no-retry'] || null,
        priority: ctx.headers['x-fal-queue-priority'] || null,
      },
      completed: false, canceled: false, outcome: null,
    };
    st.jobs.set(id, job);
    const out = { request_id: id, ...urlsOf(job, base), queue_position: job.queuePolls, status: 'IN_QUEUE' };
    if (job.webhook) out.gateway_request_id = id;
    if (st.cfg.auto_complete_ms > 0) setTimeout(() => complete(job, base), st.cfg.auto_complete_ms);
    send(res, 200, out);
  }
}

const httpErr = (status, msg) => Object.assign(new Error(msg), { status });
const pubJob = (j) => ({ ...j, state: stateOf(j) });

const control = [
  ['POST', /^\/config$/, (ctx) => {
    const j = ctx.json || {};
    for (const k of Object.keys(DEFAULT_CFG)) if (j[k] !== undefined) st.cfg[k] = Number(j[k]);
    if ('api_key' in j) st.apiKey = j.api_key;
    if (j.prices) Object.assign(st.prices, j.prices);
    return [200, { ...st.cfg, api_key: st.apiKey }];
  }],
  ['POST', /^\/next$/, (ctx) => {
    const j = ctx.json || {};
    const o = { ...j, remaining: j.count === undefined ? 1 : Number(j.count) };
    if (o.error_type && !INFRA[o.error_type]) throw httpErr(400, `error_type must be one of ${Object.keys(INFRA).join(', ')}`);
    st.next.push(o);
    return [200, o];
  }],
  ['GET', /^\/jobs$/, () => [200, [...st.jobs.values()].map(pubJob)]],
  ['GET', /^\/jobs\/([^/]+)$/, (ctx, m) => {
    const j = st.jobs.get(m[1]);
    if (!j) throw httpErr(404, 'no such job');
    return [200, pubJob(j)];
  }],
  ['POST', /^\/jobs\/([^/]+)\/complete$/, async (ctx, m) => {
    const j = st.jobs.get(m[1]);
    if (!j) throw httpErr(404, 'no such job');
    const d = await complete(j, ctx.fake.baseUrl());
    return [200, { job: pubJob(j), deliveries: d || [] }];
  }],
  ['POST', /^\/jobs\/([^/]+)\/deliver$/, async (ctx, m) => {
    const j = st.jobs.get(m[1]);
    if (!j) throw httpErr(404, 'no such job');
    if (!j.completed) throw httpErr(409, 'job not completed');
    const body = ctx.json || {};
    if (body.url) j.webhook = body.url;
    if (!j.webhook) throw httpErr(400, 'no webhook url');
    const d = await deliverWebhook(j, body.times === undefined ? 1 : Number(body.times), body.timestamp);
    return [200, { statuses: d.map((x) => x.status), deliveries: d }];
  }],
  ['GET', /^\/deliveries$/, () => [200, st.deliveries]],
];

const fake = createFake({
  name: 'fal', errorBody, control, handle,
  onReset() {
    st.cfg = { ...DEFAULT_CFG }; st.next.length = 0; st.jobs.clear(); st.files.clear(); st.deliveries.length = 0;
  },
});

if (require.main === module) runMain(fake);
module.exports = { fake, signWebhook };
