'use strict';
// End to end with real, independent client code (reference/oauth.md
// "Testing with a real client"): oauth4webapi runs the authorization code
// + PKCE flow against our RFC 8414 metadata, playwright-core drives Debian's
// chromium (headless) through the server-rendered sign-in and consent
// pages, jose verifies the access token against our JWKS. Then the token
// calls /v1/me, is refreshed (rotation), revoked (RFC 7009) and cut off.
//
// Needs the stack environment exported by tests/it.sh (MG_TEST_BASE,
// MG_TEST_ROOT and the MG_ variables mgctl reads).
//
//   node --test tests/node/oauth.test.js

const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const BASE = process.env.MG_TEST_BASE;
const ROOT = process.env.MG_TEST_ROOT || path.resolve(__dirname, '..', '..');
// Loopback redirect: registered without a port (RFC 8252 §7.3), used with
// one; nothing listens there, the browser's request is read instead.
const REDIRECT_REG = 'http://127.0.0.1/callback';
const REDIRECT = 'http://127.0.0.1:47613/callback';
const PASSWORD = 'e2e correct horse battery';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu',
	'--disable-quic', '--no-first-run', '--disable-background-networking',
	'--disable-component-update', '--disable-sync'];

function mgctl(...args) {
	const out = execFileSync(path.join(ROOT, 'build/bin/mgctl'),
		['--json', ...args], { cwd: ROOT, env: process.env, encoding: 'utf8' });
	return JSON.parse(out);
}

// A workspace, a person who may approve consent for it, and a public client.
function provision() {
	const tenant = mgctl('tenant', 'create', 'e2e-oauth').id;
	const ws = mgctl('workspace', 'create', tenant, 'e2e workspace').id;
	const email = `e2e-${crypto.randomBytes(6).toString('hex')}@example.com`;
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mg-oauth-'));
	const pwfile = path.join(dir, 'pw');
	fs.writeFileSync(pwfile, PASSWORD + '\n', { mode: 0o600 });
	try {
		mgctl('user', 'create', '--email', email, '--password-file', pwfile,
			'--workspace', ws, '--role', 'owner');
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
	const client = mgctl('oauth-client', 'create', '--name', 'E2E Test App',
		'--redirect-uri', REDIRECT_REG, '--scopes', 'generate,read').id;
	return { ws, email, client };
}

test('OAuth 2.0 PKCE flow in a real browser, then /v1/me, refresh, revoke', async (t) => {
	assert.ok(BASE, 'MG_TEST_BASE must be set (run through tests/it.sh)');
	const oauth = await import('oauth4webapi');
	const jose = await import('jose');
	const { chromium } = require('playwright-core');
	const insecure = { [oauth.allowInsecureRequests]: true };

	const { ws, email, client: clientId } = provision();

	// RFC 8414 discovery, checked by the library (issuer must match).
	const issuer = new URL(BASE);
	const as = await oauth.processDiscoveryResponse(issuer,
		await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
	assert.deepEqual(as.code_challenge_methods_supported, ['S256']);
	assert.equal(as.authorization_response_iss_parameter_supported, true);

	const client = { client_id: clientId };
	const clientAuth = oauth.None();
	const codeVerifier = oauth.generateRandomCodeVerifier();
	const codeChallenge = await oauth.calculatePKCECodeChallenge(codeVerifier);
	const state = oauth.generateRandomState();
	const authUrl = new URL(as.authorization_endpoint);
	authUrl.searchParams.set('response_type', 'code');
	authUrl.searchParams.set('client_id', clientId);
	authUrl.searchParams.set('redirect_uri', REDIRECT);
	authUrl.searchParams.set('scope', 'generate read');
	authUrl.searchParams.set('code_challenge', codeChallenge);
	authUrl.searchParams.set('code_challenge_method', 'S256');
	authUrl.searchParams.set('state', state);

	// The browser: sign in, then Allow on the consent page.
	const browser = await chromium.launch({
		executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS,
	});
	let callback;
	try {
		const page = await browser.newPage();
		const signin = await page.goto(authUrl.href);
		assert.equal(signin.status(), 200);
		const h = signin.headers();
		assert.match(h['content-security-policy'], /frame-ancestors 'none'/);
		assert.equal(h['x-frame-options'], 'DENY');
		assert.equal(h['referrer-policy'], 'no-referrer');
		assert.equal(h['cache-control'], 'no-store');
		assert.equal(await page.textContent('#app'), 'E2E Test App');
		await page.fill('#email', email);
		await page.fill('#password', PASSWORD);
		await Promise.all([page.waitForSelector('#allow'), page.click('#signin')]);
		assert.equal(await page.textContent('h1 #app'), 'E2E Test App');
		assert.equal(await page.inputValue('#workspace'), ws);
		assert.match(await page.textContent('#scopes'), /generate:/);
		assert.match(await page.textContent('#scopes'), /read:/);
		const cookies = await page.context().cookies();
		const sess = cookies.find((c) => c.name === 'mg_session');
		assert.ok(sess, 'session cookie set');
		assert.equal(sess.httpOnly, true);
		assert.equal(sess.sameSite, 'Lax');
		const req = page.waitForRequest((r) => r.url().startsWith(REDIRECT));
		await page.click('#allow');
		callback = new URL((await req).url());
	} finally {
		await browser.close();
	}

	// RFC 9207 iss and state are checked by the library.
	const params = oauth.validateAuthResponse(as, client, callback, state);
	assert.equal(callback.searchParams.get('state'), state);
	const tokenRes = await oauth.processAuthorizationCodeResponse(as, client,
		await oauth.authorizationCodeGrantRequest(as, client, clientAuth,
			params, REDIRECT, codeVerifier, insecure));
	assert.equal(tokenRes.token_type.toLowerCase(), 'bearer');
	assert.equal(tokenRes.scope, 'generate read');
	assert.ok(tokenRes.refresh_token);

	// RFC 9068 access token, verified against our JWKS by jose.
	const jwks = jose.createRemoteJWKSet(new URL(as.jwks_uri));
	const { payload, protectedHeader } = await jose.jwtVerify(
		tokenRes.access_token, jwks, {
			issuer: as.issuer, audience: 'mediagate', typ: 'at+jwt',
			algorithms: ['ES256'],
		});
	assert.equal(protectedHeader.alg, 'ES256');
	assert.ok(protectedHeader.kid);
	assert.equal(payload.client_id, clientId);
	assert.equal(payload.ws, ws);
	assert.equal(payload.scope, 'generate read');
	assert.ok(payload.exp > payload.iat);
	assert.ok(payload.jti && payload.sub);

	const me = async (at) => fetch(`${BASE}/v1/me`,
		{ headers: { authorization: `Bearer ${at}` } });
	let r = await me(tokenRes.access_token);
	assert.equal(r.status, 200);
	assert.equal((await r.json()).workspace.id, ws);

	// Refresh: a new pair; the old refresh token is spent.
	const refreshed = await oauth.processRefreshTokenResponse(as, client,
		await oauth.refreshTokenGrantRequest(as, client, clientAuth,
			tokenRes.refresh_token, insecure));
	assert.notEqual(refreshed.refresh_token, tokenRes.refresh_token);
	assert.notEqual(refreshed.access_token, tokenRes.access_token);
	r = await me(refreshed.access_token);
	assert.equal(r.status, 200);

	// Introspection (RFC 7662) sees the new token as active.
	const intro = await oauth.processIntrospectionResponse(as, client,
		await oauth.introspectionRequest(as, client, clientAuth,
			refreshed.access_token, insecure));
	assert.equal(intro.active, true);
	assert.equal(intro.client_id, clientId);

	// Revocation (RFC 7009) of the access token cuts it off at once…
	await oauth.processRevocationResponse(await oauth.revocationRequest(as,
		client, clientAuth, refreshed.access_token, insecure));
	r = await me(refreshed.access_token);
	assert.equal(r.status, 401);
	// …and of the refresh token kills the whole grant.
	await oauth.processRevocationResponse(await oauth.revocationRequest(as,
		client, clientAuth, refreshed.refresh_token, insecure));
	await assert.rejects(async () => oauth.processRefreshTokenResponse(as,
		client, await oauth.refreshTokenGrantRequest(as, client, clientAuth,
			refreshed.refresh_token, insecure)),
	(err) => err.error === 'invalid_grant' ||
		(err.cause && err.cause.error === 'invalid_grant'));
	// Revoking junk is fine (RFC 7009 §2.2).
	await oauth.processRevocationResponse(await oauth.revocationRequest(as,
		client, clientAuth, 'junk', insecure));
});
