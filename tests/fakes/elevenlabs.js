'use strict';
// Fake ElevenLabs text-to-speech API for tests, on loopback.
// Wire format per /work/shared/reference/providers.md §3 and
// https://elevenlabs.io/docs/api-reference/text-to-speech/convert :
//   POST /v1/text-to-speech/{voice_id}[/stream]?output_format=mp3_44100_128
//        headers xi-api-key; JSON {text, model_id?, voice_settings?, ...}
//        -> 200 audio bytes (audio/mpeg: valid silent MP3 frames), headers
//           character-cost, request-id, history-item-id
//   GET  /v1/user/subscription, GET /v1/history, GET /v1/voices
// Errors: {"detail":{type, code, message, request_id, param, status}}, and
// FastAPI-style 422 {"detail":[{loc, msg, type}]} for a malformed body.
//
//   node tests/fakes/elevenlabs.js --port 0 [--api-key KEY]
// Prints {"ready":true,"port":N}. See tests/fakes/README.md for /__control.

const { createFake, runMain, parseArgs, send, nowSec, randStr } = require('./common');
const media = require('./media');

const args = parseArgs(process.argv.slice(2));
const DEFAULT_CFG = { character_limit: 1000000, concurrency_limit: 0, ms_per_char: 66 };
const st = {
  apiKey: args['api-key'] || null,
  cfg: { ...DEFAULT_CFG },
  characterCount: 0,
  inflight: 0,
  history: [],
  missingVoices: new Set(),
};

const MODELS = {
  eleven_multilingual_v2: { limit: 10000, rate: 1 },
  eleven_v3: { limit: 5000, rate: 1 },
  eleven_flash_v2_5: { limit: 40000, rate: 0.5 },
  eleven_turbo_v2_5: { limit: 40000, rate: 0.5 },
  eleven_flash_v2: { limit: 30000, rate: 0.5 },
  eleven_turbo_v2: { limit: 30000, rate: 0.5 },
  eleven_monolingual_v1: { limit: 10000, rate: 1 },
  eleven_multilingual_v1: { limit: 10000, rate: 1 },
};
const FORMAT_RE = /^(mp3_22050_32|mp3_44100_(32|64|96|128|192)|pcm_(8000|16000|22050|24000|44100|48000)|ulaw_8000|alaw_8000|opus_48000_(32|64|96|128|192))$/;

// Error shape per providers.md §3 (current shape plus the legacy `status`).
function detail(status, type, code, message, param) {
  return {
    status,
    body: { detail: { type, code, message, request_id: randStr(20), ...(param ? { param } : {}), status: code } },
  };
}

const NAMED = {
  invalid_api_key: () => detail(401, 'authentication_error', 'invalid_api_key', 'Invalid API key'),
  quota_exceeded: () => detail(401, 'quota_error', 'quota_exceeded', 'This request exceeds your quota. You have 0 credits remaining.'),
  voice_not_found: () => detail(400, 'not_found', 'voice_not_found', 'A voice with the voice_id was not found.', 'voice_id'),
  max_character_limit_exceeded: () => detail(400, 'validation_error', 'max_character_limit_exceeded', 'Text is too long.', 'text'),
  rate_limit_exceeded: () => detail(429, 'rate_limit_error', 'rate_limit_exceeded', 'You have exceeded the rate limit. Please try again later.'),
  system_busy: () => detail(429, 'rate_limit_error', 'system_busy', 'We are experiencing heavy traffic, please try again later.'),
  concurrent_limit_exceeded: () => detail(429, 'rate_limit_error', 'concurrent_limit_exceeded', 'Too many concurrent requests for your subscription. Please wait for a request to finish.'),
  too_many_concurrent_requests: () => detail(429, 'rate_limit_error', 'too_many_concurrent_requests', 'Too many concurrent requests.'),
  internal_error: () => detail(500, 'internal_error', 'internal_error', 'An internal server error occurred.'),
};

function errorBody(status, error) {
  if (typeof error === 'string' && NAMED[error]) return { body: NAMED[error]().body };
  if (status === 401) return { body: NAMED.invalid_api_key().body };
  if (status === 429) return { body: NAMED.rate_limit_exceeded().body };
  if (status >= 500) return { body: NAMED.internal_error().body };
  return { body: detail(status, 'invalid_request', 'invalid_request', `Injected ${status}`).body };
}

const sendErr = (res, e) => send(res, e.status, e.body);

function audioFor(format, ms) {
  if (format.startsWith('mp3_')) return { type: 'audio/mpeg', bytes: media.mp3(ms) };
  const rate = Number(format.split('_')[1]);
  const samples = Math.min(48000 * 60, Math.ceil((rate * ms) / 1000));
  if (format.startsWith('pcm_')) return { type: 'audio/pcm', bytes: Buffer.alloc(samples * 2) };
  if (format.startsWith('ulaw_')) return { type: 'audio/basic', bytes: Buffer.alloc(samples, 0xff) };
  if (format.startsWith('alaw_')) return { type: 'audio/alaw', bytes: Buffer.alloc(samples, 0xd5) };
  return { type: 'audio/opus', bytes: Buffer.from('OggS') };
}

function authOk(ctx) {
  const k = ctx.headers['xi-api-key'];
  return !!k && (st.apiKey ? k === st.apiKey : true);
}

async function tts(ctx, voiceId, stream) {
  const { res } = ctx;
  const j = ctx.json;
  if (!/application\/json/.test(ctx.headers['content-type'] || '') || j === undefined || typeof j !== 'object' || Array.isArray(j) || j === null) {
    send(res, 422, { detail: [{ type: 'model_attributes_type', loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', input: ctx.text }] });
    return;
  }
  if (typeof j.text !== 'string') {
    send(res, 422, { detail: [{ type: 'missing', loc: ['body', 'text'], msg: 'Field required', input: j }] });
    return;
  }
  const format = ctx.query.get('output_format') || 'mp3_44100_128';
  if (!FORMAT_RE.test(format)) { sendErr(res, detail(400, 'validation_error', 'invalid_output_format', `Invalid output format: ${format}`, 'output_format')); return; }
  const modelId = j.model_id || 'eleven_multilingual_v2';
  const model = MODELS[modelId];
  if (!model) { sendErr(res, detail(400, 'validation_error', 'model_not_found', `A model with model ID ${modelId} does not exist.`, 'model_id')); return; }
  if (!/^[A-Za-z0-9]{20}$/.test(voiceId) || st.missingVoices.has(voiceId)) {
    sendErr(res, detail(400, 'not_found', 'voice_not_found', `A voice with the voice_id ${voiceId} was not found.`, 'voice_id'));
    return;
  }
  if (j.text.trim() === '') { sendErr(res, detail(400, 'validation_error', 'invalid_parameters', 'Text must not be empty.', 'text')); return; }
  const chars = [...j.text].length;
  if (chars > model.limit) {
    sendErr(res, detail(400, 'validation_error', 'max_character_limit_exceeded', `Text is too long: ${chars} characters, the limit for ${modelId} is ${model.limit}.`, 'text'));
    return;
  }
  const cost = Math.ceil(chars * model.rate);
  const remaining = st.cfg.character_limit - st.characterCount;
  if (cost > remaining) {
    sendErr(res, detail(401, 'quota_error', 'quota_exceeded', `This request exceeds your quota of ${st.cfg.character_limit}. You have ${Math.max(0, remaining)} credits remaining, while ${cost} credits are required for this request.`));
    return;
  }
  const before = st.characterCount;
  st.characterCount += cost;
  const requestId = randStr(20);
  const historyId = randStr(20);
  st.history.push({
    history_item_id: historyId, request_id: requestId, voice_id: voiceId, model_id: modelId, text: j.text,
    date_unix: nowSec(), character_count_change_from: before, character_count_change_to: st.characterCount,
    content_type: 'audio/mpeg', state: 'created', output_format: format,
  });
  const a = audioFor(format, chars * st.cfg.ms_per_char);
  const hdrs = { 'Content-Type': a.type, 'character-cost': String(cost), 'request-id': requestId, 'history-item-id': historyId };
  if (!stream) { send(res, 200, a.bytes, hdrs); return; }
  // /stream: chunked transfer encoding, audio in pieces
  res.writeHead(200, { ...hdrs, 'Transfer-Encoding': 'chunked' });
  for (let off = 0; off < a.bytes.length; off += 4096) res.write(a.bytes.subarray(off, off + 4096));
  res.end();
}

async function handle(ctx) {
  const { method, path: p, res } = ctx;
  let m;
  if (!p.startsWith('/v1/')) return;
  if (!authOk(ctx)) { sendErr(res, detail(401, 'authentication_error', 'invalid_api_key', 'Invalid API key')); return; }
  if (method === 'POST' && (m = /^\/v1\/text-to-speech\/([^/]+)(\/stream)?$/.exec(p))) { await tts(ctx, decodeURIComponent(m[1]), !!m[2]); return; }
  if (method === 'GET' && p === '/v1/user/subscription') {
    send(res, 200, {
      tier: 'creator', character_count: st.characterCount, character_limit: st.cfg.character_limit,
      can_extend_character_limit: false, allowed_to_extend_character_limit: false,
      next_character_count_reset_unix: nowSec() + 30 * 86400, voice_limit: 30, status: 'active',
    });
    return;
  }
  if (method === 'GET' && p === '/v1/history') {
    const size = Math.min(1000, Number(ctx.query.get('page_size') || 100));
    const list = [...st.history].reverse().slice(0, size);
    send(res, 200, { history: list, last_history_item_id: list.length ? list[list.length - 1].history_item_id : null, has_more: st.history.length > size });
    return;
  }
  if (method === 'GET' && p === '/v1/voices') {
    send(res, 200, { voices: [{ voice_id: '21m00Tcm4TlvDq8ikWAM', name: 'Rachel', category: 'premade' }, { voice_id: 'pNInz6obpgDQGcFmaJgB', name: 'Adam', category: 'premade' }] });
    return;
  }
  send(res, 404, { detail: 'Not Found' });
}

// Concurrency cap: counts requests in flight (including injected hangs).
async function wrap(ctx, inner) {
  const isTts = ctx.method === 'POST' && ctx.path.startsWith('/v1/text-to-speech/');
  if (isTts && st.cfg.concurrency_limit > 0 && st.inflight >= st.cfg.concurrency_limit) {
    sendErr(ctx.res, NAMED.concurrent_limit_exceeded());
    return;
  }
  if (isTts) st.inflight++;
  try { await inner(); } finally { if (isTts) st.inflight--; }
}

const httpErr = (status, msg) => Object.assign(new Error(msg), { status });

const control = [
  ['POST', /^\/config$/, (ctx) => {
    const j = ctx.json || {};
    for (const k of Object.keys(DEFAULT_CFG)) if (j[k] !== undefined) st.cfg[k] = Number(j[k]);
    if ('api_key' in j) st.apiKey = j.api_key;
    if (j.character_count !== undefined) st.characterCount = Number(j.character_count);
    if (Array.isArray(j.missing_voices)) st.missingVoices = new Set(j.missing_voices);
    return [200, { ...st.cfg, api_key: st.apiKey, character_count: st.characterCount, missing_voices: [...st.missingVoices] }];
  }],
  ['GET', /^\/history$/, () => [200, st.history]],
  ['GET', /^\/errors$/, () => [200, Object.keys(NAMED)]],
];

const fake = createFake({
  name: 'elevenlabs', errorBody, control, handle, wrap,
  onReset() { st.cfg = { ...DEFAULT_CFG }; st.characterCount = 0; st.history.length = 0; st.missingVoices.clear(); },
});

if (require.main === module) runMain(fake);
module.exports = { fake, MODELS };
