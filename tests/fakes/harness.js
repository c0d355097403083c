'use strict';
// Helpers for node tests that use the fakes:
//   const { startFake, stopAll, control, receiver } = require('./fakes/harness');
//   const stripe = await startFake('stripe');            // {port, base, proc, ...ready line}
//   await control(stripe, 'POST', '/faults', {status: 500});
//   const rx = await receiver();                         // captures webhook deliveries
// Call stopAll() (e.g. in test.after) to SIGTERM every fake started here.

const { spawn } = require('node:child_process');
const http = require('node:http');
const path = require('node:path');

const started = [];

// Starts tests/fakes/<name>.js with --port 0 (plus extra args). Resolves the
// parsed ready line plus {base, proc}; rejects if the process exits first.
function startFake(name, extra = []) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [path.join(__dirname, `${name}.js`), '--port', '0', '--parent-pid', String(process.pid), ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(proc);
    let out = '';
    let err = '';
    let ready = false;
    proc.stderr.on('data', (d) => { err += d; if (process.env.FAKES_DEBUG) process.stderr.write(d); });
    proc.stdout.on('data', (d) => {
      if (ready) return;
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      ready = true;
      try {
        const line = JSON.parse(out.slice(0, nl));
        resolve({ ...line, proc, base: `http://127.0.0.1:${line.port}` });
      } catch (e) { reject(new Error(`bad ready line from ${name}: ${out}`)); }
    });
    proc.on('exit', (code) => { if (!ready) reject(new Error(`${name} exited ${code}: ${err}`)); });
  });
}

function stopAll() {
  for (const p of started.splice(0)) if (p.exitCode === null) p.kill('SIGTERM');
}

// Calls a fake's /__control API; resolves the JSON answer, throws on non-200.
async function control(fake, method, p, body) {
  const r = await fetch(`${fake.base}/__control${p}`, {
    method, headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const j = await r.json();
  if (r.status !== 200) throw new Error(`control ${method} ${p} -> ${r.status} ${JSON.stringify(j)}`);
  return j;
}

// A local HTTP server recording every request ({method, url, headers, raw});
// answers `status` (a number, or a function of the 1-based request count).
function receiver(status = 200) {
  return new Promise((resolve) => {
    const got = [];
    const srv = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        got.push({ method: req.method, url: req.url, headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(typeof status === 'function' ? status(got.length) : status, { 'Content-Type': 'text/plain' });
        res.end('ok');
      });
    });
    srv.listen(0, '127.0.0.1', () => resolve({ srv, got, url: `http://127.0.0.1:${srv.address().port}/hook`, close: () => srv.close() }));
  });
}

module.exports = { startFake, stopAll, control, receiver };
