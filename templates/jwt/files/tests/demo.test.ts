import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMemoryStore } from '../core/memory-store.js';
import { bearer, startHarness, SLOW_TEST_TIMEOUT_MS } from './harness.js';
import type { Harness } from './harness.js';

vi.setConfig({ testTimeout: SLOW_TEST_TIMEOUT_MS, hookTimeout: SLOW_TEST_TIMEOUT_MS });

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ env: { AUTH_LOGIN_ATTEMPT_LIMIT: '5' } });
});
afterAll(async () => {
  await harness?.close();
});

describe('demo routes', () => {
  it('GET /health is public', async () => {
    const response = await harness.get('/health');
    expect(response.status).toBe(200);
  });

  it('GET /me names the caller; GET /admin needs the admin scope', async () => {
    const alice = await harness.auth.mintAccessToken('alice');
    const root = await harness.auth.mintAccessToken('root');
    const me = await harness.get('/me', bearer(alice.token));
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ subject: 'alice', scopes: ['read'], issuer: 'https://issuer.test' });
    expect((await harness.get('/admin', bearer(alice.token))).status).toBe(403);
    expect((await harness.get('/admin', bearer(root.token))).status).toBe(200);
    expect((await harness.get('/admin')).status).toBe(401);
  });
});

describe('token endpoint', () => {
  it('issues a short-lived at+jwt and an opaque refresh token, never cached', async () => {
    const response = await harness.post('/auth/token', { username: 'alice', password: 'correct horse battery staple' });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: harness.config.accessTokenTtlSeconds, scope: 'read' });
    expect(body.refresh_token).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);
    const header = JSON.parse(Buffer.from(String(body.access_token).split('.')[0] ?? '', 'base64url').toString()) as Record<string, unknown>;
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(typeof header.kid).toBe('string');
  });

  it('an unknown user and a wrong password get the same answer', async () => {
    const unknown = await harness.post('/auth/token', { username: 'mallory', password: 'x' });
    const wrong = await harness.post('/auth/token', { username: 'root', password: 'wrong' });
    expect(unknown.status).toBe(400);
    expect(wrong.status).toBe(400);
    expect(await unknown.text()).toBe(await wrong.text());
  });

  it('repeated attempts for one account are throttled with 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      statuses.push((await harness.post('/auth/token', { username: 'throttled', password: `guess-${i}` })).status);
    }
    expect(statuses.slice(-1)[0]).toBe(429);
  });

  it('refresh tokens are stored hashed, private keys encrypted', async () => {
    const login = await harness.login('root');
    const { createHash } = await import('node:crypto');
    const record = await harness.store.findRefreshToken(createHash('sha256').update(login.refresh_token).digest('hex'));
    expect(record?.userId).toBe('root');
    expect(await harness.store.findRefreshToken(login.refresh_token)).toBeNull();
    for (const key of await harness.store.listSigningKeys()) {
      expect(key.publicJwk).not.toHaveProperty('d');
      expect(key.encryptedPrivateJwk.startsWith('v1.')).toBe(true);
      expect(key.encryptedPrivateJwk).not.toContain('"d"');
    }
  });

  it('the JWKS endpoint publishes public keys only', async () => {
    const response = await harness.get('/.well-known/jwks.json');
    expect(response.status).toBe(200);
    const jwks = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const key of jwks.keys) {
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(key).not.toHaveProperty('d');
    }
  });
});

describe('in-memory store', () => {
  it('refuses to run with NODE_ENV=production', () => {
    expect(() => createMemoryStore({ NODE_ENV: 'production' })).toThrow(/tests only/);
    expect(() => createMemoryStore({ NODE_ENV: 'test' })).not.toThrow();
  });
});
