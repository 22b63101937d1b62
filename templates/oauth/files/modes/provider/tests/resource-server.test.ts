import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, createLocalJWKSet, exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApiListener } from '../app.js';
import { mintDemoAccessToken } from '../core/platform.js';
import { createJwtResourceServer } from '../core/resource-server.js';
import { startServer, type RunningServer } from '../core/server.js';
import { obtainTokens, startPlatform, type Platform } from './harness.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const ISSUER = 'https://as.example.test';
const AUDIENCE = 'https://api.example.test';
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

let signingKey: CryptoKey;
let publicJwk: JWK;
let api: RunningServer;

/** A token as the real issuer would sign it, with overridable header and claims. */
async function token(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}, key: CryptoKey = signingKey): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: 'alice', client_id: 'client_1', scope: 'read', jti: `j${Math.random()}`, ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: publicJwk.kid, ...header })
    .setIssuer(String(claims.iss ?? ISSUER))
    .setAudience((claims.aud as string) ?? AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(typeof claims.exp === 'number' ? claims.exp : now + 300)
    .sign(key);
}

const call = (path: string, authorization?: string) =>
  fetch(`${api.url}${path}`, { headers: authorization === undefined ? {} : { authorization } });

async function expectInvalid(authorization: string): Promise<void> {
  const response = await call('/me', authorization);
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe('Bearer realm="api", error="invalid_token"');
  expect(await response.json()).toEqual({ error: 'invalid_token', error_description: 'The access token is invalid or has expired.' });
}

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  signingKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), alg: 'ES256', use: 'sig' };
  publicJwk.kid = await calculateJwkThumbprint(publicJwk);
  const resourceServer = createJwtResourceServer({ issuer: ISSUER, audience: AUDIENCE, keys: createLocalJWKSet({ keys: [publicJwk] }), clockTolerance: 5 });
  api = await startServer({ port: 0, routes: async () => ({ api: await createApiListener(resourceServer) }) });
});
afterAll(async () => {
  await api?.close();
});

describe('4.13 / 2.1 missing and malformed tokens', () => {
  it('no token → 401 Bearer challenge without an error code; another scheme likewise', async () => {
    for (const header of [undefined, 'Basic YWxpY2U6cHc=']) {
      const response = await call('/me', header);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    }
  });

  it('a valid token → 200 naming the caller, keyed on iss + sub', async () => {
    const response = await call('/me', `Bearer ${await token()}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ subject: 'alice', issuer: ISSUER, scopes: ['read'] });
  });

  it('2.2 not a compact JWS (JSON serialization, two segments, junk) → 401', async () => {
    const good = await token();
    const [h, p, s] = good.split('.');
    for (const bad of [JSON.stringify({ protected: h, payload: p, signature: s }), `${h}.${p}`, 'junk', `${good}.extra`, `${h}..${s}`]) {
      await expectInvalid(`Bearer ${bad}`);
    }
  });
});

describe('4.13 / 2.3–2.9 forged signatures and headers', () => {
  it('alg none in any spelling → 401', async () => {
    const payload = b64({ iss: ISSUER, aud: AUDIENCE, sub: 'alice', client_id: 'c', jti: 'j', scope: 'admin', iat: 1, exp: 4102444800 });
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) await expectInvalid(`Bearer ${b64({ alg, typ: 'at+jwt' })}.${payload}.`);
  });

  it('an empty signature → 401; a truncated one → 401 while the untouched token still works', async () => {
    const good = await token();
    const [h, p, s] = good.split('.');
    await expectInvalid(`Bearer ${h}.${p}.`);
    await expectInvalid(`Bearer ${h}.${p}.${s!.slice(0, -4)}`);
    expect((await call('/me', `Bearer ${good}`)).status).toBe(200);
  });

  it('HS256 signed with the public key as the secret (key confusion) → 401', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
    const forged = await new SignJWT({ sub: 'alice', client_id: 'c', jti: 'j', scope: 'admin' })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: publicJwk.kid })
      .setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt().setExpirationTime('5m')
      .sign(secret);
    await expectInvalid(`Bearer ${forged}`);
    const pem = await exportSPKI((await generateKeyPair('ES256', { extractable: true })).publicKey);
    const withPem = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' }).sign(new TextEncoder().encode(pem));
    await expectInvalid(`Bearer ${withPem}`);
  });

  it('2.6 HS256 with an empty secret → 401', async () => {
    const header = b64({ alg: 'HS256', typ: 'at+jwt' });
    const payload = b64({ iss: ISSUER, aud: AUDIENCE, sub: 'alice', exp: 4102444800, iat: 1, jti: 'j', client_id: 'c' });
    const { createHmac } = await import('node:crypto');
    const signature = createHmac('sha256', Buffer.alloc(0)).update(`${header}.${payload}`).digest('base64url');
    await expectInvalid(`Bearer ${header}.${payload}.${signature}`);
  });

  it('an embedded jwk → 401; jku / x5u elsewhere → 401 and that address gets no request', async () => {
    const attacker = await generateKeyPair('ES256', { extractable: true });
    const attackerJwk = await exportJWK(attacker.publicKey);
    await expectInvalid(`Bearer ${await token({}, { jwk: attackerJwk, kid: undefined }, attacker.privateKey)}`);

    let hits = 0;
    const listener: Server = createServer((_req, res) => {
      hits++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [attackerJwk] }));
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const where = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/jwks`;
    try {
      await expectInvalid(`Bearer ${await token({}, { jku: where }, attacker.privateKey)}`);
      await expectInvalid(`Bearer ${await token({}, { x5u: where }, attacker.privateKey)}`);
      expect(hits).toBe(0);
    } finally {
      await new Promise((resolve) => listener.close(resolve));
    }
  });

  it('2.8 hostile kid values → 401 quickly, no file, SQL or shell involved', async () => {
    for (const kid of ['../../../../dev/null', "x' UNION SELECT '1';--", '|sleep 10']) {
      await expectInvalid(`Bearer ${await token({}, { kid })}`);
    }
  });

  it('2.9 ES256 with r = s = 0 (psychic signature) → 401', async () => {
    const [h, p] = (await token()).split('.');
    await expectInvalid(`Bearer ${h}.${p}.${Buffer.alloc(64).toString('base64url')}`);
  });
});

describe('4.13 / 2.10–2.12 claims', () => {
  it('exp past the leeway → 401; inside it → 200; nbf in the future → 401; no exp → 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectInvalid(`Bearer ${await token({ exp: now - 60 })}`);
    expect((await call('/me', `Bearer ${await token({ exp: now - 2 })}`)).status).toBe(200);
    await expectInvalid(`Bearer ${await token({ nbf: now + 600 })}`);
    const noExp = await new SignJWT({ sub: 'alice', client_id: 'c', jti: 'j' })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: publicJwk.kid }).setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt().sign(signingKey);
    await expectInvalid(`Bearer ${noExp}`);
  });

  it('wrong or missing iss, wrong or missing aud → 401', async () => {
    await expectInvalid(`Bearer ${await token({ iss: 'https://other-issuer.example.test' })}`);
    await expectInvalid(`Bearer ${await token({ aud: 'https://other-api.example.test' })}`);
    const bare = await new SignJWT({ sub: 'alice', client_id: 'c', jti: 'j' })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: publicJwk.kid }).setIssuedAt().setExpirationTime('5m').sign(signingKey);
    await expectInvalid(`Bearer ${bare}`);
  });

  it('typ other than at+jwt (an ID token, a plain JWT) → 401', async () => {
    for (const typ of ['JWT', 'id_token+jwt', undefined]) await expectInvalid(`Bearer ${await token({}, { typ })}`);
  });
});

describe('4.13 / 2.13 scopes', () => {
  it('without the admin scope → 403 insufficient_scope; with it → 200', async () => {
    const response = await call('/admin', `Bearer ${await token({ scope: 'read' })}`);
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="api", error="insufficient_scope", scope="admin"');
    expect((await call('/admin', `Bearer ${await token({ scope: 'read admin' })}`)).status).toBe(200);
    expect((await call('/admin')).status).toBe(401);
  });
});

describe('4.13 / 2.14 key rotation through the remote JWKS', () => {
  it('a new kid works after one JWKS refresh; a flood of random kids causes at most one refresh per cooldown', async () => {
    const next = await generateKeyPair('ES256', { extractable: true });
    const nextJwk: JWK = { ...(await exportJWK(next.publicKey)), alg: 'ES256', use: 'sig' };
    nextJwk.kid = await calculateJwkThumbprint(nextJwk);
    let published: JWK[] = [publicJwk];
    let fetches = 0;
    const jwksServer = createServer((_req, res) => {
      fetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const jwksUri = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`;
    const cooldownSeconds = 1;
    const resourceServer = createJwtResourceServer({ issuer: ISSUER, audience: AUDIENCE, jwksUri, jwksCooldown: cooldownSeconds });
    try {
      expect((await resourceServer.authenticate(`Bearer ${await token()}`)).ok).toBe(true);
      expect(fetches).toBe(1);
      published = [nextJwk, publicJwk];
      for (let i = 0; i < 20; i++) {
        expect((await resourceServer.authenticate(`Bearer ${await token({}, { kid: `random${i}` })}`)).ok).toBe(false);
      }
      // Inside the cooldown: the flood caused no fetch at all.
      expect(fetches).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, cooldownSeconds * 1000 + 100));
      const rotated = await token({}, { kid: nextJwk.kid }, next.privateKey);
      expect((await resourceServer.authenticate(`Bearer ${rotated}`)).ok).toBe(true);
      expect(fetches).toBe(2);
    } finally {
      await new Promise((resolve) => jwksServer.close(resolve));
    }
  });
});

describe('4.13 against the real authorization server', () => {
  let platform: Platform;
  beforeAll(async () => {
    platform = await startPlatform({ accessTokenFormat: 'jwt' });
  });
  afterAll(async () => {
    await platform?.close();
  });

  it('an at+jwt from the code flow is accepted by the API; its ID token and refresh token are not', async () => {
    const { tokens } = await obtainTokens(platform, { scope: 'openid offline_access read' });
    const me = await fetch(`${platform.url}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ subject: 'alice', issuer: platform.issuer, client: platform.client.clientId });
    for (const other of [tokens.id_token!, tokens.refresh_token!]) {
      const response = await fetch(`${platform.url}/me`, { headers: { authorization: `Bearer ${other}` } });
      expect(response.status).toBe(401);
    }
  });

  it('a minted demo token carries exactly the scopes asked for', async () => {
    const read = await mintDemoAccessToken(platform.authorizationServer.provider, platform.store, { subject: 'bob', scopes: ['read'], audience: platform.audience, accessTokenFormat: 'jwt' });
    const admin = await mintDemoAccessToken(platform.authorizationServer.provider, platform.store, { subject: 'carol', scopes: ['admin'], audience: platform.audience, accessTokenFormat: 'jwt' });
    expect((await fetch(`${platform.url}/admin`, { headers: { authorization: `Bearer ${read}` } })).status).toBe(403);
    const ok = await fetch(`${platform.url}/admin`, { headers: { authorization: `Bearer ${admin}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ subject: 'carol' });
  });
});
