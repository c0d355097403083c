'use strict';
// Shared plumbing for the mediagate service fakes (tests/fakes/*.js).
//
// Every fake is an http.Server on 127.0.0.1 that:
//   - parses `--port N` (0 = any free port) and prints one JSON line
//     {"ready":true,"port":N} on stdout once listening;
//   - logs every non-control request (GET /__control/requests);
//   - applies injected faults (POST /__control/faults) before the real handler;
//   - routes /__control/... to the fake's own control handlers.
// Nothing here talks to the network beyond loopback.

const http = require('node:http');
const crypto = require('node:crypto');

/* ---- argv ---------------------------------------------------------------- */

// Parses `--name value` / `--name=value` pairs into an object of strings.
function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out[a.slice(2)] = argv[++i];
    else out[a.slice(2)] = 'true';
  }
  return out;
}

// Bounded port parsing: integer 0..65535, else throws.
function parsePort(s, def) {
  if (s === undefined) return def;
  if (!/^\d{1,5}$/.test(String(s)) || Number(s) > 65535) throw new Error(`bad port: ${s}`);
  return Number(s);
}

/* ---- ids, time ----------------------------------------------------------- */

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function randStr(n, alphabet = ALNUM) {
  const bytes = crypto.randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[bytes[i] % alphabet.length];
  return s;
}
const nowSec = () => Math.floor(Date.now() / 1000);
const isoNow = (ms = Date.now()) => new Date(ms).toISOString();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* ---- bodies --------------------------------------------------------------- */

function readBody(req, limit = 10 * 1024 * 1024) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) { reject(new Error('body too large')); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function tryJson(buf) {
  if (!buf || buf.length === 0) return undefined;
  try { return JSON.parse(buf.toString('utf8')); } catch { return undefined; }
}

// Decodes application/x-www-form-urlencoded with bracket nesting, the way
// Stripe (and the `qs` module) read it: a[b][c]=1, a[0][x]=1 (numeric keys
// become arrays), a[]=1 (append). Returns a plain object; duplicate scalar
// keys keep the last value.
function parseForm(str) {
  const root = {};
  if (!str) return root;
  for (const part of str.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawK = eq < 0 ? part : part.slice(0, eq);
    const rawV = eq < 0 ? '' : part.slice(eq + 1);
    const key = safeDecode(rawK);
    const val = safeDecode(rawV);
    const m = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
    const path = m ? [m[1], ...[...m[2].matchAll(/\[([^[\]]*)\]/g)].map((x) => x[1])] : [key];
    if (path.some((k) => k === '__proto__' || k === 'constructor' || k === 'prototype')) continue;
    let node = root;
    for (let i = 0; i < path.length; i++) {
      let k = path[i];
      const last = i === path.length - 1;
      if (k === '' && Array.isArray(node)) k = node.length;
      if (last) { node[k] = val; break; }
      const nextIsIndex = path[i + 1] === '' || /^\d+$/.test(path[i + 1]);
      if (node[k] === undefined || typeof node[k] !== 'object') node[k] = nextIsIndex ? [] : {};
      node = node[k];
    }
  }
  return compactArrays(root);
}

// Percent-decoding that never throws: a malformed escape is kept verbatim.
function safeDecode(s) {
  const t = s.replace(/\+/g, ' ');
  try { return decodeURIComponent(t); } catch { return t.replace(/%([0-9A-Fa-f]{2})/g, (m, h) => String.fromCharCode(parseInt(h, 16))); }
}

// Sparse arrays from a[5]=x are compacted, as qs does.
function compactArrays(v) {
  if (Array.isArray(v)) return v.filter((x) => x !== undefined).map(compactArrays);
  if (v && typeof v === 'object') {
    for (const k of Object.keys(v)) v[k] = compactArrays(v[k]);
  }
  return v;
}

// Encodes an object the way stripe-node does (a[b]=1&c[0]=2), for tests.
function encodeForm(obj, prefix) {
  const parts = [];
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}[${k}]` : k;
    if (v === undefined) continue;
    if (v !== null && typeof v === 'object') parts.push(encodeForm(v, key));
    else parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(v === null ? '' : String(v))}`);
  }
  return parts.filter(Boolean).join('&');
}

/* ---- responses ------------------------------------------------------------ */

function send(res, status, body, headers = {}) {
  if (res.headersSent || res.destroyed) return;
  let buf;
  const h = { ...headers };
  if (Buffer.isBuffer(body)) buf = body;
  else if (typeof body === 'string') buf = Buffer.from(body);
  else if (body === undefined || body === null) buf = Buffer.alloc(0);
  else {
    buf = Buffer.from(JSON.stringify(body));
    if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['Content-Type'] = 'application/json';
  }
  h['Content-Length'] = buf.length;
  res.__sent = { status, headers: h, body: buf };
  res.writeHead(status, h);
  res.end(buf);
}

/* ---- outbound POST (webhook delivery) ------------------------------------- */

// POSTs body to url with headers; resolves {status, body, headers} or
// {status:0, error} on a connection failure or timeout. Never rejects.
function postRaw(url, body, headers, timeoutMs = 10000) {
  return new Promise((resolve) => {
    let u;
    try { u = new URL(url); } catch (e) { resolve({ status: 0, error: `bad url: ${url}` }); return; }
    const buf = Buffer.isBuffer(body) ? body : Buffer.from(String(body));
    const req = http.request({
      hostname: u.hostname, port: u.port || 80, path: u.pathname + u.search, method: 'POST',
      headers: { ...headers, 'Content-Length': buf.length },
      timeout: timeoutMs,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => resolve({ status: 0, error: String(e) }));
    });
    req.on('timeout', () => { req.destroy(new Error('timeout')); });
    req.on('error', (e) => resolve({ status: 0, error: String(e.message || e) }));
    req.end(buf);
  });
}

/* ---- the fake server ------------------------------------------------------ */

// createFake({name, errorBody, control, handle, onReset, wrap}) builds the server.
//   errorBody(status, error) -> {body, headers}: the service's own error shape,
//     used for injected faults that give no explicit body.
//   control: array of [method, regex, fn(ctx, match)] under /__control.
//   handle(ctx): the service itself; ctx = {req, res, method, path, query,
//     raw (Buffer), text, json, headers, fake}.
//   wrap(ctx, inner): optional; runs around fault injection + handle (Stripe
//     uses it for auth and idempotency). res.__sent holds what send() sent.
// Returns {server, state, listen(port) -> Promise<port>, baseUrl()}.
function createFake(opts) {
  const fake = {
    name: opts.name,
    requests: [],
    faults: [],
    port: 0,
    baseUrl() { return `http://127.0.0.1:${fake.port}`; },
  };

  function matchFault(ctx) {
    for (const f of fake.faults) {
      if (f.remaining <= 0) continue;
      const m = f.match || {};
      if (m.method && m.method.toUpperCase() !== ctx.method) continue;
      if (m.path && !ctx.path.startsWith(m.path)) continue;
      if (m.path_regex && !new RegExp(m.path_regex).test(ctx.path)) continue;
      f.remaining--;
      f.hits++;
      return f;
    }
    return null;
  }

  // Applies a fault: optional hang, then drop / error response / fall through.
  // Returns true when the response is fully handled by the fault.
  async function applyFault(f, ctx) {
    if (f.hang_ms) await sleep(f.hang_ms);
    if (f.drop) { ctx.req.socket.destroy(); return true; }
    if (f.status) {
      let body = f.body;
      let headers = { ...(f.headers || {}) };
      if (body === undefined && opts.errorBody) {
        const eb = opts.errorBody(f.status, f.error, ctx);
        body = eb.body;
        headers = { ...(eb.headers || {}), ...headers };
      }
      send(ctx.res, f.status, body, headers);
      return true;
    }
    return false; // hang only: the real handler answers after the delay
  }

  const builtinControl = [
    ['GET', /^\/requests$/, (ctx) => {
      let list = fake.requests;
      if (ctx.query.get('path')) list = list.filter((r) => r.path.startsWith(ctx.query.get('path')));
      if (ctx.query.get('method')) list = list.filter((r) => r.method === ctx.query.get('method').toUpperCase());
      return [200, list];
    }],
    ['DELETE', /^\/requests$/, () => { fake.requests.length = 0; return [200, { ok: true }]; }],
    ['GET', /^\/faults$/, () => [200, fake.faults]],
    ['POST', /^\/faults$/, (ctx) => {
      const specs = Array.isArray(ctx.json) ? ctx.json : [ctx.json || {}];
      const added = specs.map((s) => {
        const f = {
          id: fake.faults.length + 1,
          remaining: s.count === undefined ? 1 : Number(s.count),
          hits: 0,
          status: s.status, error: s.error, body: s.body, headers: s.headers,
          hang_ms: s.hang_ms, drop: !!s.drop, store: !!s.store, match: s.match,
        };
        fake.faults.push(f);
        return f;
      });
      return [200, Array.isArray(ctx.json) ? added : added[0]];
    }],
    ['DELETE', /^\/faults$/, () => { fake.faults.length = 0; return [200, { ok: true }]; }],
    ['POST', /^\/reset$/, () => {
      fake.requests.length = 0;
      fake.faults.length = 0;
      if (opts.onReset) opts.onReset();
      return [200, { ok: true }];
    }],
  ];

  async function route(req, res) {
    const u = new URL(req.url, 'http://127.0.0.1');
    const raw = await readBody(req);
    const ctx = {
      req, res, fake,
      method: req.method,
      path: u.pathname,
      query: u.searchParams,
      headers: req.headers,
      raw,
      text: raw.toString('utf8'),
      json: tryJson(raw),
    };
    if (ctx.path.startsWith('/__control/') || ctx.path === '/__control') {
      const sub = ctx.path.slice('/__control'.length);
      for (const [m, re, fn] of [...(opts.control || []), ...builtinControl]) {
        if (m !== req.method) continue;
        const mt = re.exec(sub);
        if (!mt) continue;
        try {
          const [st, body, hdrs] = await fn(ctx, mt);
          send(res, st, body, hdrs);
        } catch (e) {
          send(res, e.status || 500, { error: String(e.message || e) });
        }
        return;
      }
      send(res, 404, { error: `no control route ${req.method} ${sub}` });
      return;
    }
    const entry = {
      seq: fake.requests.length + 1,
      time: isoNow(),
      method: req.method,
      path: ctx.path,
      query: Object.fromEntries(u.searchParams),
      headers: req.headers,
      body: ctx.text,
    };
    if (ctx.json !== undefined) entry.json = ctx.json;
    if (/x-www-form-urlencoded/.test(req.headers['content-type'] || '')) entry.form = parseForm(ctx.text);
    fake.requests.push(entry);
    ctx.entry = entry;
    const inner = async () => {
      const f = matchFault(ctx);
      ctx.fault = f;
      if (f) entry.fault = f.id;
      if (f && await applyFault(f, ctx)) return;
      await opts.handle(ctx);
    };
    if (opts.wrap) await opts.wrap(ctx, inner);
    else await inner();
    if (!res.headersSent && !res.destroyed && !ctx.async) send(res, 404, { error: 'not found' });
  }

  const server = http.createServer((req, res) => {
    route(req, res).catch((e) => {
      process.stderr.write(`[${opts.name}] handler error: ${e.stack || e}\n`);
      send(res, 500, { error: String(e.message || e) });
    });
  });
  server.keepAliveTimeout = 1000;

  function listen(port) {
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        fake.port = server.address().port;
        resolve(fake.port);
      });
    });
  }
  fake.server = server;
  fake.listen = listen;
  return fake;
}

// With --parent-pid P, exits once process P is gone (so a crashed test
// harness leaves no fake behind). Checks once a second.
function watchParent(args) {
  if (!args['parent-pid']) return;
  if (!/^\d{1,10}$/.test(args['parent-pid'])) throw new Error(`bad --parent-pid: ${args['parent-pid']}`);
  const pid = Number(args['parent-pid']);
  const timer = setInterval(() => {
    try { process.kill(pid, 0); } catch (e) { if (e.code === 'ESRCH') process.exit(0); }
  }, 1000);
  timer.unref();
}

// Standard main(): parse --port, listen, print the ready line, exit on SIGTERM.
async function runMain(fake, extra = {}) {
  const args = parseArgs(process.argv.slice(2));
  watchParent(args);
  const port = await fake.listen(parsePort(args.port, 0));
  const line = { ready: true, port, ...extra };
  process.stdout.write(JSON.stringify(line) + '\n');
  const stop = () => { fake.server.close(); process.exit(0); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return port;
}

module.exports = {
  parseArgs, parsePort, randStr, nowSec, isoNow, sleep, readBody, tryJson,
  parseForm, encodeForm, send, postRaw, createFake, runMain, watchParent, ALNUM,
};
