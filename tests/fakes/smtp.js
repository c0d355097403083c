'use strict';
// Minimal SMTP server for tests (RFC 5321): EHLO/HELO, MAIL FROM, RCPT TO,
// DATA (with dot-unstuffing, §4.5.2), RSET, NOOP, VRFY, QUIT, and AUTH
// PLAIN/LOGIN (RFC 4954/4616; any credentials accepted, recorded). No TLS.
// Messages are kept in memory and read over a separate HTTP control port.
//
//   node tests/fakes/smtp.js --port 0 --http-port 0
// Prints {"ready":true,"port":SMTP,"http_port":HTTP}.
// GET http://127.0.0.1:HTTP/__control/messages[?to=addr] -> [{id, from, to, subject, body, headers, raw, auth}]

const net = require('node:net');
const { createFake, parseArgs, parsePort, isoNow, watchParent } = require('./common');

const st = {
  messages: [],
  faults: [], // {command, code, message, remaining}
  sessions: 0,
};

/* ---- message parsing (RFC 5322, RFC 2045/2047) ---------------------------- */

function decodeQP(s) {
  return Buffer.from(
    s.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  ).toString('utf8');
}

// RFC 2047 encoded-words in headers.
function decodeWords(s) {
  return s.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=\s*(?==\?)?/g, (_, cs, enc, txt) => {
    if (enc.toUpperCase() === 'B') return Buffer.from(txt, 'base64').toString('utf8');
    return decodeQP(txt.replace(/_/g, ' '));
  });
}

function splitHeaders(raw) {
  const idx = raw.search(/\r?\n\r?\n/);
  const head = idx < 0 ? raw : raw.slice(0, idx);
  const body = idx < 0 ? '' : raw.slice(idx).replace(/^\r?\n\r?\n/, '');
  const headers = {};
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    const c = line.indexOf(':');
    if (c <= 0) continue;
    const k = line.slice(0, c).trim().toLowerCase();
    const v = line.slice(c + 1).trim();
    headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`;
  }
  return { headers, body };
}

function decodeBody(headers, body) {
  const cte = (headers['content-transfer-encoding'] || '').toLowerCase();
  if (cte === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (cte === 'quoted-printable') return decodeQP(body);
  return body;
}

// Returns the text body: text/plain part of a multipart, else the whole body.
function textOf(headers, body) {
  const ct = headers['content-type'] || 'text/plain';
  const bm = /multipart\/[^;]+;.*boundary="?([^";]+)"?/i.exec(ct);
  if (!bm) return decodeBody(headers, body);
  const parts = body.split(`--${bm[1]}`).slice(1);
  let html = null;
  for (const part of parts) {
    if (part.startsWith('--')) break;
    const p = splitHeaders(part.replace(/^\r?\n/, ''));
    const pct = p.headers['content-type'] || 'text/plain';
    if (/^multipart\//i.test(pct)) { const t = textOf(p.headers, p.body); if (t) return t; }
    if (/^text\/plain/i.test(pct)) return decodeBody(p.headers, p.body).replace(/\r?\n$/, '');
    if (/^text\/html/i.test(pct) && html === null) html = decodeBody(p.headers, p.body);
  }
  return html || '';
}

function parseMessage(raw) {
  const { headers, body } = splitHeaders(raw);
  return { headers, subject: decodeWords(headers.subject || ''), body: textOf(headers, body) };
}

/* ---- SMTP session --------------------------------------------------------- */

const addrOf = (arg) => { const m = /<([^>]*)>/.exec(arg); return m ? m[1] : arg.trim().split(/\s+/)[0]; };

function takeFault(cmd) {
  for (const f of st.faults) {
    if (f.remaining > 0 && f.command === cmd) { f.remaining--; return f; }
  }
  return null;
}

function session(sock) {
  st.sessions++;
  sock.setEncoding('latin1');
  let buf = '';
  let mode = 'cmd'; // cmd | data | auth_plain | auth_user | auth_pass
  let helo = null;
  let from = null;
  let rcpts = [];
  let dataLines = [];
  let auth = null;
  let authUser = null;
  const reply = (s) => { if (!sock.destroyed) sock.write(`${s}\r\n`); };
  reply('220 fake-smtp.mediagate.test ESMTP ready');

  function fault(cmd) {
    const f = takeFault(cmd);
    if (!f) return false;
    if (f.drop) { sock.destroy(); return true; }
    reply(`${f.code} ${f.message || 'Injected failure'}`);
    return true;
  }

  function finishData() {
    let raw = dataLines.map((l) => (l.startsWith('..') ? l.slice(1) : l)).join('\r\n');
    raw = Buffer.from(raw, 'latin1').toString('utf8');
    dataLines = [];
    mode = 'cmd';
    if (fault('DATA_END')) { from = null; rcpts = []; return; }
    const pm = parseMessage(raw);
    const id = `msg${st.messages.length + 1}`;
    st.messages.push({
      id, received_at: isoNow(), helo, from, to: rcpts, auth,
      header_from: pm.headers.from || '', header_to: pm.headers.to || '',
      subject: pm.subject, body: pm.body, headers: pm.headers, raw,
    });
    from = null;
    rcpts = [];
    reply(`250 2.0.0 OK queued as ${id}`);
  }

  function command(line) {
    const sp = line.indexOf(' ');
    const verb = (sp < 0 ? line : line.slice(0, sp)).toUpperCase();
    const arg = sp < 0 ? '' : line.slice(sp + 1);
    if (verb !== 'QUIT' && fault(verb)) return;
    switch (verb) {
      case 'EHLO':
        if (!arg) { reply('501 5.5.4 EHLO requires a domain'); return; }
        helo = arg; from = null; rcpts = [];
        reply('250-fake-smtp.mediagate.test greets you');
        reply('250-SIZE 10485760');
        reply('250-8BITMIME');
        reply('250-AUTH PLAIN LOGIN');
        reply('250 HELP');
        return;
      case 'HELO':
        if (!arg) { reply('501 5.5.4 HELO requires a domain'); return; }
        helo = arg; from = null; rcpts = [];
        reply('250 fake-smtp.mediagate.test');
        return;
      case 'AUTH': {
        if (!helo) { reply('503 5.5.1 EHLO first'); return; }
        if (auth) { reply('503 5.5.1 Already authenticated'); return; }
        const [mech, initial] = arg.split(/\s+/);
        if ((mech || '').toUpperCase() === 'PLAIN') {
          if (initial) { authPlain(initial); return; }
          mode = 'auth_plain'; reply('334 '); return;
        }
        if ((mech || '').toUpperCase() === 'LOGIN') {
          if (initial) { authUser = Buffer.from(initial, 'base64').toString('utf8'); mode = 'auth_pass'; reply('334 UGFzc3dvcmQ6'); return; }
          mode = 'auth_user'; reply('334 VXNlcm5hbWU6'); return;
        }
        reply('504 5.5.4 Unrecognized authentication type');
        return;
      }
      case 'MAIL':
        if (!helo) { reply('503 5.5.1 EHLO/HELO first'); return; }
        if (from !== null) { reply('503 5.5.1 Sender already specified'); return; }
        if (!/^FROM:/i.test(arg)) { reply('501 5.5.4 Syntax: MAIL FROM:<address>'); return; }
        from = addrOf(arg.slice(5));
        reply('250 2.1.0 Sender OK');
        return;
      case 'RCPT':
        if (from === null) { reply('503 5.5.1 Need MAIL before RCPT'); return; }
        if (!/^TO:/i.test(arg)) { reply('501 5.5.4 Syntax: RCPT TO:<address>'); return; }
        {
          const a = addrOf(arg.slice(3));
          if (!/^[^@\s]+@[^@\s]+$/.test(a)) { reply('553 5.1.3 Bad recipient address syntax'); return; }
          rcpts.push(a);
        }
        reply('250 2.1.5 Recipient OK');
        return;
      case 'DATA':
        if (from === null) { reply('503 5.5.1 Need MAIL command'); return; }
        if (rcpts.length === 0) { reply('554 5.5.1 No valid recipients'); return; }
        mode = 'data';
        reply('354 End data with <CR><LF>.<CR><LF>');
        return;
      case 'RSET': from = null; rcpts = []; reply('250 2.0.0 OK'); return;
      case 'NOOP': reply('250 2.0.0 OK'); return;
      case 'VRFY': reply('252 2.5.2 Cannot VRFY user'); return;
      case 'HELP': reply('214 2.0.0 See RFC 5321'); return;
      case 'STARTTLS': reply('454 4.7.0 TLS not available'); return;
      case 'QUIT': reply('221 2.0.0 Bye'); sock.end(); return;
      default: reply('500 5.5.2 Command not recognized');
    }
  }

  function authPlain(b64) {
    const parts = Buffer.from(b64, 'base64').toString('utf8').split('\0');
    if (parts.length !== 3) { mode = 'cmd'; reply('501 5.5.2 Malformed AUTH PLAIN'); return; }
    auth = { mechanism: 'PLAIN', user: parts[1], password: parts[2] };
    mode = 'cmd';
    reply('235 2.7.0 Authentication successful');
  }

  sock.on('data', (chunk) => {
    buf += chunk;
    let i;
    while ((i = buf.indexOf('\r\n')) >= 0 || (mode !== 'data' && (i = buf.indexOf('\n')) >= 0)) {
      const crlf = buf[i] === '\r';
      const line = buf.slice(0, i);
      buf = buf.slice(i + (crlf ? 2 : 1));
      if (mode === 'data') {
        if (line === '.') finishData();
        else dataLines.push(line);
        continue;
      }
      if (mode === 'auth_plain') { if (line === '*') { mode = 'cmd'; reply('501 5.7.0 Auth cancelled'); } else authPlain(line); continue; }
      if (mode === 'auth_user') { authUser = Buffer.from(line, 'base64').toString('utf8'); mode = 'auth_pass'; reply('334 UGFzc3dvcmQ6'); continue; }
      if (mode === 'auth_pass') {
        auth = { mechanism: 'LOGIN', user: authUser, password: Buffer.from(line, 'base64').toString('utf8') };
        mode = 'cmd'; reply('235 2.7.0 Authentication successful'); continue;
      }
      if (line.length > 512) { reply('500 5.5.6 Line too long'); continue; }
      command(line.replace(/\r$/, ''));
    }
  });
  sock.on('error', () => {});
}

/* ---- HTTP control ------------------------------------------------------------ */

const httpErr = (status, msg) => Object.assign(new Error(msg), { status });
const control = [
  ['GET', /^\/messages$/, (ctx) => {
    const to = ctx.query.get('to');
    const list = to ? st.messages.filter((m) => m.to.some((x) => x.toLowerCase() === to.toLowerCase())) : st.messages;
    return [200, list];
  }],
  ['GET', /^\/messages\/last$/, (ctx) => {
    const to = ctx.query.get('to');
    const list = to ? st.messages.filter((m) => m.to.some((x) => x.toLowerCase() === to.toLowerCase())) : st.messages;
    if (!list.length) throw httpErr(404, 'no messages');
    return [200, list[list.length - 1]];
  }],
  ['DELETE', /^\/messages$/, () => { st.messages.length = 0; return [200, { ok: true }]; }],
  ['POST', /^\/smtp_faults$/, (ctx) => {
    const j = ctx.json || {};
    const cmd = String(j.command || '').toUpperCase();
    if (!['EHLO', 'HELO', 'AUTH', 'MAIL', 'RCPT', 'DATA', 'DATA_END'].includes(cmd)) throw httpErr(400, 'command must be EHLO|HELO|AUTH|MAIL|RCPT|DATA|DATA_END');
    const f = { command: cmd, code: j.code || 451, message: j.message, drop: !!j.drop, remaining: j.count === undefined ? 1 : Number(j.count) };
    if (!f.drop && !/^[45]\d\d$/.test(String(f.code))) throw httpErr(400, 'code must be 4xx or 5xx');
    st.faults.push(f);
    return [200, f];
  }],
  ['DELETE', /^\/smtp_faults$/, () => { st.faults.length = 0; return [200, { ok: true }]; }],
  ['GET', /^\/stats$/, () => [200, { sessions: st.sessions, messages: st.messages.length }]],
];

const httpFake = createFake({
  name: 'smtp-control', control, handle: async () => {},
  onReset() { st.messages.length = 0; st.faults.length = 0; st.sessions = 0; },
});

function listenSmtp(port) {
  const server = net.createServer(session);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve({ server, port: server.address().port }));
  });
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  watchParent(args);
  const smtp = await listenSmtp(parsePort(args.port, 0));
  const httpPort = await httpFake.listen(parsePort(args['http-port'], 0));
  process.stdout.write(`${JSON.stringify({ ready: true, port: smtp.port, http_port: httpPort })}\n`);
  const stop = () => { smtp.server.close(); httpFake.server.close(); process.exit(0); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (require.main === module) main();
module.exports = { parseMessage, listenSmtp, httpFake };
