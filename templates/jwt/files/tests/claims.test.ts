import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { es256, serverKey } from './forge.js';
import { AUDIENCE, bearer, claimsFor, startHarness, SLOW_TEST_TIMEOUT_MS } from './harness.js';
import type { Harness } from './harness.js';

vi.setConfig({ testTimeout: SLOW_TEST_TIMEOUT_MS, hookTimeout: SLOW_TEST_TIMEOUT_MS });

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => {
  await harness?.close();
});

async function sign(claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const key = await serverKey(harness);
  return es256({ typ: 'at+jwt', kid: key.kid, ...header }, claims, key.privateKey);
}

async function status(token: string, path = '/me'): Promise<number> {
  return (await harness.get(path, bearer(token))).status;
}

describe('2.10 time claims', () => {
  it('2.10 exp inside the clock tolerance → 200, past it → 401', async () => {
    const { token } = await harness.auth.mintAccessToken('alice');
    const tolerance = harness.config.clockToleranceSeconds;
    const ttl = harness.config.accessTokenTtlSeconds;
    expect(await status(token)).toBe(200);
    harness.clock.advance(ttl + tolerance - 5);
    expect(await status(token)).toBe(200);
    harness.clock.advance(10);
    expect(await status(token)).toBe(401);
    harness.clock.advance(-(ttl + tolerance + 5));
  });

  it('2.10 nbf in the future → 401; within the tolerance → 200', async () => {
    const now = Math.floor(harness.clock.now / 1000);
    expect(await status(await sign(claimsFor(harness, 'alice', { nbf: now + 300 })))).toBe(401);
    expect(await status(await sign(claimsFor(harness, 'alice', { nbf: now + 10 })))).toBe(200);
  });

  it('2.10 missing exp → 401', async () => {
    const claims = claimsFor(harness);
    delete claims.exp;
    expect(await status(await sign(claims))).toBe(401);
    expect(await status(await sign(claimsFor(harness)))).toBe(200);
  });

  it('2.10 an exp far in the future does not outlive the maximum token age', async () => {
    const now = Math.floor(harness.clock.now / 1000);
    const token = await sign(claimsFor(harness, 'alice', { exp: now + 365 * 86400 }));
    expect(await status(token)).toBe(200);
    harness.clock.advance(harness.config.accessTokenTtlSeconds + harness.config.clockToleranceSeconds + 5);
    expect(await status(token)).toBe(401);
    harness.clock.advance(-(harness.config.accessTokenTtlSeconds + harness.config.clockToleranceSeconds + 5));
  });
});

describe('2.11 issuer and audience', () => {
  it('2.11 wrong or missing iss → 401', async () => {
    expect(await status(await sign(claimsFor(harness, 'alice', { iss: 'https://evil.test' })))).toBe(401);
    const missing = claimsFor(harness);
    delete missing.iss;
    expect(await status(await sign(missing))).toBe(401);
  });

  it('2.11 aud absent or for another API → 401', async () => {
    const missing = claimsFor(harness);
    delete missing.aud;
    expect(await status(await sign(missing))).toBe(401);
    expect(await status(await sign(claimsFor(harness, 'alice', { aud: 'https://other-api.test' })))).toBe(401);
    expect(await status(await sign(claimsFor(harness, 'alice', { aud: ['https://other-api.test'] })))).toBe(401);
    expect(await status(await sign(claimsFor(harness, 'alice', { aud: ['https://other-api.test', AUDIENCE] })))).toBe(200);
  });
});

describe('2.12 token type', () => {
  it('2.12 a refresh token presented as an access token → 401', async () => {
    const tokens = await harness.login('alice');
    expect(await status(tokens.refresh_token)).toBe(401);
    expect(await status(tokens.access_token)).toBe(200);
  });

  it('2.12 an ID token (typ JWT, nonce, client audience) → 401', async () => {
    const idToken = claimsFor(harness, 'alice', { aud: 'web-client', nonce: 'n-0S6_WzA2Mj', auth_time: 1 });
    expect(await status(await sign(idToken, { typ: 'JWT' }))).toBe(401);
    // Even with this API's audience, the type gives it away.
    expect(await status(await sign(claimsFor(harness, 'alice', { nonce: 'x' }), { typ: 'JWT' }))).toBe(401);
  });

  it('2.12 missing or other typ → 401', async () => {
    const key = await serverKey(harness);
    expect(await status(await es256({ kid: key.kid }, claimsFor(harness), key.privateKey))).toBe(401);
    for (const typ of ['refresh+jwt', 'id_token+jwt', 'jwt', 'application/jwt', 'at+jwt ', 'secevent+jwt']) {
      expect(await status(await sign(claimsFor(harness), { typ }))).toBe(401);
    }
    expect(await status(await sign(claimsFor(harness), { typ: 'application/at+jwt' }))).toBe(200);
  });
});

describe('2.13 scope', () => {
  it('2.13 a valid token without the admin scope → 403 insufficient_scope with scope=', async () => {
    const { token } = await harness.auth.mintAccessToken('alice');
    const response = await harness.get('/admin', bearer(token));
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer .*error="insufficient_scope".*scope="admin"/);
    expect(await response.json()).toMatchObject({ error: 'insufficient_scope' });
  });

  it('2.13 the admin scope opens /admin; scopes are whole words', async () => {
    const root = await harness.auth.mintAccessToken('root');
    expect(await status(root.token, '/admin')).toBe(200);
    expect(await status(await sign(claimsFor(harness, 'alice', { scope: 'read administrator' })), '/admin')).toBe(403);
    expect(await status(await sign(claimsFor(harness, 'alice', { scope: ['admin'] })), '/admin')).toBe(401);
  });
});
