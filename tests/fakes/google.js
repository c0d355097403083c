'use strict';
// Fake Google identity endpoints for tests, on loopback: a JWKS for a locally
// generated RSA key pair at /oauth2/v3/certs (as https://www.googleapis.com/oauth2/v3/certs),
// an OpenID discovery document, and a control endpoint that mints RS256 ID
// tokens shaped like Google's (https://developers.google.com/identity/openid-connect/openid-connect#an-id-tokens-payload).
//
//   node tests/fakes/google.js --port 0 [--aud CLIENT_ID]
// Prints {"ready":true,"port":N}. See tests/fakes/README.md for /__control.

const path = require('node:path');
const crypto = require('node:crypto');
const { createFake, runMain, parseArgs, send, nowSec } = require('./common');

const ISS = 'https://accounts.google.com';
const args = parseArgs(process.argv.slice(2));
let jose; // ESM-only: loaded in init()

const st = {
  keys: [], // {kid, privateKey, publicJwk, published}
  aud: args.aud || 'mediagate-test-client.apps.googleusercontent.com',
  stranger: null, // a key that is never published
};

async function newKey(published = true) {
  const { publicKey, privateKey } = await jose.generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await jose.exportJWK(publicKey);
  const kid = crypto.randomBytes(20).toString('hex');
  const k = { kid, privateKey, publicJwk: { ...jwk, kid, alg: 'RS256', use: 'sig' }, published };
  return k;
}

function jwks() {
  return { keys: st.keys.filter((k) => k.published).map((k) => k.publicJwk) };
}

// Mints an ID token. claims override defaults; a claim set to null is removed.
async function mint(j) {
  const now = nowSec();
  const sub = (j.claims && j.claims.sub) || String(100000000000000000000n + BigInt(crypto.randomInt(1, 2 ** 40)));
  const defaults = {
    iss: ISS, azp: st.aud, aud: st.aud, sub, email: `user${sub.slice(-6)}@gmail.com`, email_verified: true,
    at_hash: crypto.randomBytes(16).toString('base64url'), name: 'Test User', given_name: 'Test', family_name: 'User',
    iat: now, exp: now + 3600,
  };
  const claims = { ...defaults, ...(j.claims || {}) };
  for (const k of Object.keys(claims)) if (claims[k] === null) delete claims[k];
  let key;
  if (j.key === 'unpublished') key = st.stranger;
  else if (j.kid) key = st.keys.find((k) => k.kid === j.kid);
  else key = st.keys[st.keys.length - 1];
  if (!key) throw Object.assign(new Error('no such key'), { status: 404 });
  // Negative-test variants: alg "none" (unsecured JWT), or "HS256" keyed with
  // `hmac_key` or, by default, the published key's JWK JSON (key confusion).
  if (j.alg === 'none') {
    return { id_token: new jose.UnsecuredJWT(claims).encode(), claims, kid: null };
  }
  if (j.alg === 'HS256') {
    const secret = Buffer.from(j.hmac_key || JSON.stringify(key.publicJwk));
    const t = await new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: key.kid, typ: 'JWT' }).sign(secret);
    return { id_token: t, claims, kid: key.kid };
  }
  const header = { alg: 'RS256', kid: key.kid, typ: 'JWT', ...(j.header || {}) };
  const token = await new jose.SignJWT(claims).setProtectedHeader(header).sign(key.privateKey);
  return { id_token: token, claims, kid: key.kid };
}

async function handle(ctx) {
  const { method, path: p, res } = ctx;
  if (method === 'GET' && p === '/oauth2/v3/certs') {
    send(res, 200, jwks(), { 'Cache-Control': 'public, max-age=19800, must-revalidate, no-transform', 'Content-Type': 'application/json; charset=UTF-8' });
    return;
  }
  if (method === 'GET' && p === '/.well-known/openid-configuration') {
    const b = ctx.fake.baseUrl();
    send(res, 200, {
      issuer: ISS, authorization_endpoint: `${b}/o/oauth2/v2/auth`, token_endpoint: `${b}/token`,
      userinfo_endpoint: `${b}/v1/userinfo`, jwks_uri: `${b}/oauth2/v3/certs`,
      response_types_supported: ['code', 'id_token', 'code id_token'], subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'], scopes_supported: ['openid', 'email', 'profile'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      claims_supported: ['aud', 'email', 'email_verified', 'exp', 'family_name', 'given_name', 'iat', 'iss', 'name', 'picture', 'sub'],
      code_challenge_methods_supported: ['plain', 'S256'],
    });
  }
}

const control = [
  ['POST', /^\/sign$/, async (ctx) => [200, await mint(ctx.json || {})]],
  ['POST', /^\/rotate$/, async (ctx) => {
    const j = ctx.json || {};
    const k = await newKey(true);
    st.keys.push(k);
    if (j.drop_old) for (const o of st.keys) if (o !== k) o.published = false;
    return [200, { kid: k.kid, jwks: jwks() }];
  }],
  ['GET', /^\/keys$/, () => [200, { current: st.keys[st.keys.length - 1].kid, jwks: jwks(), all: st.keys.map((k) => ({ kid: k.kid, published: k.published })) }]],
  ['POST', /^\/config$/, (ctx) => {
    const j = ctx.json || {};
    if (j.aud) st.aud = j.aud;
    return [200, { aud: st.aud, iss: ISS }];
  }],
];

const fake = createFake({ name: 'google', control, handle });

async function init() {
  jose = await import(require.resolve('jose', { paths: [path.join(__dirname, '..')] }));
  st.keys.push(await newKey(true));
  st.stranger = await newKey(false);
}

if (require.main === module) init().then(() => runMain(fake));
module.exports = { fake, init };
