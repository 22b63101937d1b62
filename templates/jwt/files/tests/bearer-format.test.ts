import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { b64url, es256, serverKey, unsigned } from './forge.js';
import { bearer, claimsFor, startHarness, SLOW_TEST_TIMEOUT_MS } from './harness.js';
import type { Harness } from './harness.js';

vi.setConfig({ testTimeout: SLOW_TEST_TIMEOUT_MS, hookTimeout: SLOW_TEST_TIMEOUT_MS });

let harness: Harness;
let valid: string;

beforeAll(async () => {
  harness = await startHarness();
  valid = (await harness.auth.mintAccessToken('alice')).token;
});
afterAll(async () => {
  await harness?.close();
});

async function expectInvalidToken(authorization: string): Promise<void> {
  const response = await harness.get('/me', authorization);
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
  expect(await response.json()).toEqual({ error: 'invalid_token' });
}

describe('2.1 bearer challenge', () => {
  it('2.1 no token: 401 with a Bearer challenge and no error code', async () => {
    for (const authorization of [undefined, 'Basic YWxpY2U6cGFzc3dvcmQ=', 'ApiKey ak_123']) {
      const response = await harness.get('/me', authorization);
      expect(response.status).toBe(401);
      const challenge = response.headers.get('www-authenticate') ?? '';
      expect(challenge).toMatch(/^Bearer\b/);
      expect(challenge).not.toContain('error=');
      expect(await response.json()).toEqual({ error: 'unauthorized' });
    }
  });

  it('2.1 bad token: 401 error="invalid_token", same body for every reason', async () => {
    await expectInvalidToken('Bearer not-a-token');
    await expectInvalidToken('Bearer');
    await expectInvalidToken(bearer(valid.replace(/\.[^.]+\./, `.${b64url({ sub: 'root' })}.`)));
  });

  it('2.1 a valid token reaches the route', async () => {
    const response = await harness.get('/me', bearer(valid));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ subject: 'alice', scopes: ['read'] });
  });
});

describe('2.2 only compact JWS', () => {
  it('2.2 JSON serialization, two segments, five segments and junk are rejected', async () => {
    const [header, payload, signature] = valid.split('.');
    const flattened = JSON.stringify({ protected: header, payload, signature });
    const general = JSON.stringify({ payload, signatures: [{ protected: header, signature }] });
    for (const token of [
      flattened,
      general,
      b64url(flattened),
      `${header}.${payload}`,
      `${header}.${payload}.${signature}.${signature}.${signature}`,
      `${valid}.`,
      `${valid} junk`,
      '%%%.%%%.%%%',
      'a.b.c',
      `${valid}${'A'.repeat(9000)}`,
    ]) {
      await expectInvalidToken(`Bearer ${token}`);
    }
  });
});

describe('2.3 alg none', () => {
  it('2.3 alg none / None / NONE / nOnE are rejected, with or without a signature', async () => {
    const { kid } = await serverKey(harness);
    const claims = claimsFor(harness);
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      const header = { alg, typ: 'at+jwt', kid };
      await expectInvalidToken(bearer(unsigned(header, claims)));
      await expectInvalidToken(bearer(unsigned(header, claims, valid.split('.')[2])));
      await expectInvalidToken(bearer(unsigned(header, claims, 'AAAA')));
    }
  });
});

describe('2.4 signature stripping and truncation', () => {
  it('2.4 empty signature (h.p.) is rejected', async () => {
    const [header, payload] = valid.split('.');
    await expectInvalidToken(`Bearer ${header}.${payload}.`);
  });

  it('2.4 truncated signature is rejected and the untouched token still works', async () => {
    const key = await serverKey(harness);
    const token = await es256({ typ: 'at+jwt', kid: key.kid }, claimsFor(harness), key.privateKey);
    for (const cut of [1, 2, 4, 10, 43]) await expectInvalidToken(bearer(token.slice(0, -cut)));
    expect((await harness.get('/me', bearer(token))).status).toBe(200);
  });
});
