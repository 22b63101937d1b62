import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { POLICY } from '../../../policy.js';
import type { Reply } from '../../../tests/harness.js';
import { formatKey, parseKey } from '../keys.js';
import { apiKeyHeader, startKeyServer, TEST_PREFIX, type KeyServer } from './support.js';

/*
 * Checklist section 1 (API keys) over real HTTP, on this project's stack, with
 * the real store: `/partners` accepts API keys only.
 */
const policy = POLICY['api-key'].application;

/** Replaces one character of the secret and fixes the checksum, so the key stays well formed. */
function tamperedButWellFormed(key: string): string {
  const parsed = parseKey(TEST_PREFIX, key)!;
  return formatKey(TEST_PREFIX, parsed.id, (parsed.secret[0] === 'a' ? 'b' : 'a') + parsed.secret.slice(1));
}

describe('API keys over HTTP (checklist section 1)', () => {
  let server: KeyServer;
  /** The one body every refused key gets; set by the first refusal a test sees. */
  let refusal: string | null;

  beforeEach(async () => {
    server = await startKeyServer();
    refusal = null;
  });
  afterEach(async () => {
    await server.close();
  });

  function expectRefused(reply: Reply): void {
    expect(reply.status).toBe(401);
    expect(reply.headers.get('www-authenticate')).toBe('ApiKey realm="api"');
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(reply.body).toMatchObject({ type: expect.stringMatching(/:unauthenticated$/), status: 401 });
    refusal ??= reply.text;
    expect(reply.text).toBe(refusal);
  }

  it('serves /health without a key', async () => {
    expect((await server.get('/health')).body).toEqual({ status: 'ok' });
  });

  it('1.1 no Authorization header → 401 with WWW-Authenticate and no data', async () => {
    expectRefused(await server.get('/partners/me'));
    expect(server.lookups()).toBe(0);
  });

  it('1.1 another scheme (Bearer, Basic, a bare key, an X-API-Key header) → 401 with WWW-Authenticate and no data', async () => {
    const { key } = await server.mint();
    const otherSchemes: Record<string, string>[] = [
      { authorization: `Bearer ${key}` },
      { authorization: `Basic ${Buffer.from(`user:${key}`).toString('base64')}` },
      { authorization: key },
      { 'x-api-key': key },
    ];
    for (const headers of otherSchemes) expectRefused(await server.get('/partners/me', headers));
    expect(server.lookups()).toBe(0);
  });

  it('1.2 a key in the query string is refused (401) and never written to a log line', async () => {
    const { key } = await server.mint({ scopes: ['read', 'admin'] });
    const inUrl = [
      ...['api_key', 'apikey', 'key', 'token', 'access_token'].map((name) => `/partners/me?${name}=${encodeURIComponent(key)}`),
      // A key-shaped value under any name counts too.
      `/partners/me?q=${encodeURIComponent(key)}`,
    ];
    for (const path of inUrl) {
      const reply = await server.get(path);
      expect(reply.status).toBe(401);
      expect(reply.body).toMatchObject({ type: expect.stringMatching(/:credential-in-url$/) });
    }
    // Even beside a valid header: a key that travelled in a URL has leaked.
    expect((await server.get(`/partners/me?api_key=${encodeURIComponent(key)}`, apiKeyHeader(key))).status).toBe(401);
    const secret = parseKey(TEST_PREFIX, key)!.secret;
    expect(server.audits.length).toBe(inUrl.length + 1);
    for (const line of [...server.audits, ...server.logs]) {
      expect(line).not.toContain(secret);
      expect(line).not.toContain('?');
    }
    expect(server.lookups()).toBe(0);
  });

  it('1.3 wrong prefix, length, charset or checksum → 401 without any store lookup', async () => {
    const { key } = await server.mint();
    const body = key.slice(TEST_PREFIX.length);
    const parsed = parseKey(TEST_PREFIX, key)!;
    const malformed = [
      `ak_live${body}`,
      `gh_test${body}`,
      key.slice(0, -1),
      `${key}0`,
      key.replace(/.$/, '!'),
      `${key.slice(0, 20)}-${key.slice(21)}`,
      key.slice(0, -6) + (key.slice(-6) === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA'),
      `${TEST_PREFIX}_${parsed.id}_${(parsed.secret[0] === 'a' ? 'b' : 'a') + parsed.secret.slice(1)}_${key.slice(-6)}`,
      'ak_test',
      'x'.repeat(5000),
    ];
    for (const candidate of malformed) {
      expect(parseKey(TEST_PREFIX, candidate)).toBeNull();
      expectRefused(await server.get('/partners/me', apiKeyHeader(candidate)));
    }
    expect(server.lookups()).toBe(0);
    // The genuine key still works, and costs exactly one lookup.
    expect((await server.get('/partners/me', apiKeyHeader(key))).status).toBe(200);
    expect(server.lookups()).toBe(1);
  });

  it('1.4 an unknown key or a real key with one character changed → 401 with the same body as every other failure', async () => {
    const { key } = await server.mint();
    const unknown = formatKey(TEST_PREFIX, 'Zz9Zz9Zz9Zz9', 'q'.repeat(43));
    const tampered = tamperedButWellFormed(key);
    expect(parseKey(TEST_PREFIX, tampered)).not.toBeNull();
    expectRefused(await server.get('/partners/me', apiKeyHeader(unknown)));
    expectRefused(await server.get('/partners/me', apiKeyHeader(tampered)));
    // These two reached the store: only the constant-time hash comparison refuses them.
    expect(server.lookups()).toBe(2);
    expectRefused(await server.get('/partners/me'));
    expectRefused(await server.get('/partners/me', { authorization: `Bearer ${key}` }));
    expectRefused(await server.get('/partners/me', apiKeyHeader('not-a-key')));
    const expiring = await server.mint({ lifetime: 86_400 });
    const revoked = await server.mint();
    await server.method.keys.revoke(revoked.info.id);
    server.clock.advance(86_400_000);
    expectRefused(await server.get('/partners/me', apiKeyHeader(expiring.key)));
    expectRefused(await server.get('/partners/me', apiKeyHeader(revoked.key)));
    expect((await server.get('/partners/me', apiKeyHeader(key))).status).toBe(200);
    // The reasons are told apart in the audit lines only.
    expect(server.audits.join('\n')).toMatch(/reason=unknown[\s\S]*reason=missing[\s\S]*reason=expired[\s\S]*reason=revoked/);
  });

  it('1.5 the store holds the key id and a hash only, never the raw key or its secret', async () => {
    const issued = await Promise.all(Array.from({ length: 5 }, (_, n) => server.mint({ subject: `holder-${n}` })));
    const held = JSON.stringify(await server.store.list('api-key'));
    for (const { key, info } of issued) {
      expect(held).toContain(info.id);
      expect(held).not.toContain(key);
      expect(held).not.toContain(parseKey(TEST_PREFIX, key)!.secret);
    }
    expect((await server.store.find('api-key', issued[0]!.info.id))?.value.secretHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('1.5 a key issued over HTTP is shown once, with Cache-Control: no-store; a key cannot hand out more than it holds', async () => {
    const { key: adminKey } = await server.mint({ scopes: ['read', 'admin'] });
    const created = await server.post('/partners/keys', { subject: 'reporting-job', scopes: ['read'] }, apiKeyHeader(adminKey));
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const { key, id } = created.body as { key: string; id: string };
    const me = await server.get('/partners/me', apiKeyHeader(key));
    expect(me.status).toBe(200);
    expect(me.text).not.toContain(key);
    expect(me.body).toMatchObject({ subject: 'reporting-job', tenant: 'acme', scopes: ['read'], client: id, kind: 'application', method: 'api-key' });
    expect((await server.post('/partners/keys', { subject: 'x', scopes: ['billing'] }, apiKeyHeader(adminKey))).status).toBe(403);
    const { key: readKey } = await server.mint({ scopes: ['read'] });
    expect((await server.post('/partners/keys', { subject: 'x', scopes: [] }, apiKeyHeader(readKey))).status).toBe(403);
  });

  it('new keys expire by default after the policy lifetime; numbers out of range → 400 naming the field and the range', async () => {
    const { info } = await server.mint();
    expect(Date.parse(info.expiresAt!) - Date.parse(info.createdAt)).toBe(policy.keyLifetime.default * 1000);
    const { key: adminKey } = await server.mint({ scopes: ['read', 'admin'] });
    const days = { min: policy.keyLifetime.min / 86_400, max: policy.keyLifetime.max / 86_400 };
    for (const expiresInDays of [1e308, 0, -1, days.max + 1, 1.5, '30', null]) {
      const reply = await server.post('/partners/keys', { subject: 'x', scopes: [], expiresInDays }, apiKeyHeader(adminKey));
      expect(reply.status, String(expiresInDays)).toBe(400);
      expect(reply.body).toMatchObject({
        type: expect.stringMatching(/:invalid-input$/),
        detail: `expiresInDays must be a whole number of days from ${days.min} to ${days.max}.`,
        errors: [{ field: 'expiresInDays' }],
      });
    }
    const longest = await server.post('/partners/keys', { subject: 'longest', scopes: [], expiresInDays: days.max }, apiKeyHeader(adminKey));
    expect(longest.status).toBe(201);
    const made = longest.body as { createdAt: string; expiresAt: string };
    expect(Date.parse(made.expiresAt) - Date.parse(made.createdAt)).toBe(days.max * 86_400_000);
    expect((await server.post('/partners/keys', '{"subject":', apiKeyHeader(adminKey))).status).toBe(400);
  });

  it('1.6 an expired key → 401 on the very next request', async () => {
    const { key } = await server.mint({ lifetime: 86_400 });
    expect((await server.get('/partners/me', apiKeyHeader(key))).status).toBe(200);
    server.clock.advance(86_400_000 - 1);
    expect((await server.get('/partners/me', apiKeyHeader(key))).status).toBe(200);
    server.clock.advance(1);
    expectRefused(await server.get('/partners/me', apiKeyHeader(key)));
  });

  it('1.6 a revoked key → 401 on the very next request', async () => {
    const { key, info } = await server.mint();
    expect((await server.get('/partners/me', apiKeyHeader(key))).status).toBe(200);
    await server.method.keys.revoke(info.id);
    expectRefused(await server.get('/partners/me', apiKeyHeader(key)));
  });

  it('1.7 rotation: old and new key both work until the policy overlap ends, then the old one → 401', async () => {
    const { key: oldKey, info } = await server.mint({ subject: 'billing-worker', scopes: ['read', 'admin'] });
    const rotated = await server.method.keys.rotate(info.id);
    expect(rotated.previous.replacedBy).toBe(rotated.info.id);
    for (const key of [oldKey, rotated.key]) expect((await server.get('/partners/admin', apiKeyHeader(key))).status).toBe(200);
    server.clock.advance(policy.rotationOverlap.default * 1000 - 1000);
    expect((await server.get('/partners/me', apiKeyHeader(oldKey))).status).toBe(200);
    server.clock.advance(1000);
    expectRefused(await server.get('/partners/me', apiKeyHeader(oldKey)));
    const me = await server.get('/partners/me', apiKeyHeader(rotated.key));
    expect(me.body).toMatchObject({ subject: 'billing-worker', tenant: 'acme', scopes: ['read', 'admin'] });
  });

  it(`a subject holds at most ${policy.maxActiveKeysPerOwner} live keys: one, and its successor while rotating`, async () => {
    const first = await server.mint({ subject: 'etl' });
    await server.method.keys.rotate(first.info.id);
    await expect(server.mint({ subject: 'etl' })).rejects.toThrow(/at most 2/);
    // Another tenant's "etl" is another owner.
    await expect(server.mint({ subject: 'etl', tenant: 'globex' })).resolves.toBeTruthy();
  });

  it('1.8 a key without the needed scope → 403; with it → 200', async () => {
    const { key: readKey } = await server.mint({ scopes: ['read'] });
    const { key: adminKey } = await server.mint({ scopes: ['admin'] });
    const denied = await server.get('/partners/admin', apiKeyHeader(readKey));
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ type: expect.stringMatching(/:insufficient-scope$/) });
    expect(denied.headers.get('www-authenticate')).toBe('ApiKey realm="api", error="insufficient_scope", scope="admin"');
    expect((await server.get('/partners/admin', apiKeyHeader(adminKey))).status).toBe(200);
  });

  it("1.8 one tenant's key on another tenant's object → 404", async () => {
    const { key } = await server.mint({ tenant: 'acme' });
    expect((await server.get('/partners/tenants/acme', apiKeyHeader(key))).status).toBe(200);
    const foreign = await server.get('/partners/tenants/globex', apiKeyHeader(key));
    expect(foreign.status).toBe(404);
    expect(foreign.text).not.toContain('globex');
  });

  it(`records when a key was last used, writing at most once per ${policy.lastUsedResolution} seconds`, async () => {
    const { key, info } = await server.mint();
    expect(info.lastUsedAt).toBeNull();
    const lastUsed = async () => (await server.method.keys.list({ tenant: 'acme' })).find((k) => k.id === info.id)!.lastUsedAt;
    const first = server.clock.now().toISOString();
    await server.get('/partners/me', apiKeyHeader(key));
    expect(await lastUsed()).toBe(first);
    server.clock.advance(policy.lastUsedResolution * 1000 - 1);
    await server.get('/partners/me', apiKeyHeader(key));
    expect(await lastUsed()).toBe(first);
    server.clock.advance(1);
    await server.get('/partners/me', apiKeyHeader(key));
    expect(await lastUsed()).toBe(server.clock.now().toISOString());
  });

  it('1.9 a burst of bad keys from one address → 429 with Retry-After; a good key from there still works', async () => {
    const { key } = await server.mint();
    const bad = tamperedButWellFormed(key);
    const from = '203.0.113.77';
    for (let attempt = 0; attempt < POLICY.throttle.sourceFailures; attempt++) expectRefused(await server.get('/partners/me', apiKeyHeader(bad), from));
    const limited = await server.get('/partners/me', apiKeyHeader(bad), from);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ type: expect.stringMatching(/:too-many-attempts$/) });
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= POLICY.throttle.window).toBe(true);
    // Malformed keys count as well; another address is not affected; a valid key is never slowed down.
    expect((await server.get('/partners/me', apiKeyHeader('junk'), from)).status).toBe(429);
    expectRefused(await server.get('/partners/me', apiKeyHeader('junk'), '203.0.113.78'));
    expect((await server.get('/partners/me', apiKeyHeader(key), from)).status).toBe(200);
    server.clock.advance(POLICY.throttle.window * 1000);
    expectRefused(await server.get('/partners/me', apiKeyHeader(bad), from));
  });
});
