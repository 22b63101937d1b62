import { crc32 as zlibCrc32 } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checksumOf, crc32, formatKey, parseKey } from '../core/keys.js';
import { revokeKey, rotateKey } from '../core/manage.js';
import { apiKeyHeader, startTestApi, TEST_PREFIX, type TestApi } from './support.js';

const UNIFORM_401_BODY = {
  error: 'unauthorized',
  message: 'A valid API key is required in the Authorization header: "ApiKey <key>".',
};
const HOUR = 3_600_000;

interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

async function call(api: TestApi, path: string, headers: Record<string, string> = {}, init: RequestInit = {}): Promise<Reply> {
  const response = await fetch(`${api.url}${path}`, { ...init, headers: { ...headers, ...(init.headers as Record<string, string> | undefined) } });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: keep the text.
  }
  return { status: response.status, headers: response.headers, body, text };
}

function expectUniform401(reply: Reply): void {
  expect(reply.status).toBe(401);
  expect(reply.headers.get('www-authenticate')).toBe('ApiKey realm="api"');
  expect(reply.headers.get('cache-control')).toBe('no-store');
  expect(reply.body).toEqual(UNIFORM_401_BODY);
}

/** Replaces one character of the secret part and fixes the checksum, so the key stays well formed. */
function tamperedButWellFormed(key: string): string {
  const parsed = parseKey(TEST_PREFIX, key)!;
  const first = parsed.secret[0] === 'a' ? 'b' : 'a';
  return formatKey(TEST_PREFIX, parsed.id, first + parsed.secret.slice(1));
}

describe('API key authentication over HTTP', () => {
  let api: TestApi;

  beforeEach(async () => {
    api = await startTestApi();
  });

  afterEach(async () => {
    await api.close();
  });

  it('serves /health without a key', async () => {
    const reply = await call(api, '/health');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ status: 'ok' });
  });

  it('1.1 no Authorization header → 401 with WWW-Authenticate and no data', async () => {
    const reply = await call(api, '/me');
    expectUniform401(reply);
    expect(api.store.lookups).toBe(0);
  });

  it('1.1 another scheme (Bearer, Basic, X-API-Key header) → 401 with WWW-Authenticate and no data', async () => {
    const { key } = await api.mint({});
    const otherSchemes: Record<string, string>[] = [
      { authorization: `Bearer ${key}` },
      { authorization: `Basic ${Buffer.from(`user:${key}`).toString('base64')}` },
      { authorization: key },
      { 'x-api-key': key },
    ];
    for (const headers of otherSchemes) {
      expectUniform401(await call(api, '/me', headers));
    }
    expect(api.store.lookups).toBe(0);
  });

  it('1.2 a key in the query string is refused (401) and never written to a log line', async () => {
    const { key } = await api.mint({ scopes: ['read', 'admin'] });
    for (const name of ['api_key', 'apikey', 'key', 'token', 'access_token']) {
      expectUniform401(await call(api, `/me?${name}=${encodeURIComponent(key)}`));
    }
    // Even alongside a valid header: a key that travelled in a URL has leaked and is not accepted that way.
    expectUniform401(await call(api, `/me?api_key=${encodeURIComponent(key)}`, apiKeyHeader(key)));
    // A key-shaped value under any parameter name counts too.
    expectUniform401(await call(api, `/me?q=${encodeURIComponent(key)}`));
    expect(api.logs.length).toBeGreaterThanOrEqual(7);
    const secret = parseKey(TEST_PREFIX, key)!.secret;
    for (const line of api.logs) {
      expect(line).not.toContain(key);
      expect(line).not.toContain(secret);
      expect(line).toContain('?[redacted]');
    }
    expect(api.store.lookups).toBe(0);
  });

  it('1.3 wrong prefix, length, charset or checksum → 401 without any store lookup', async () => {
    const { key } = await api.mint({});
    const body = key.slice(TEST_PREFIX.length);
    const wrongChecksum = key.slice(0, -6) + (key.slice(-6) === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA');
    const oneSecretCharChanged = (() => {
      const parsed = parseKey(TEST_PREFIX, key)!;
      const changed = (parsed.secret[0] === 'a' ? 'b' : 'a') + parsed.secret.slice(1);
      return `${TEST_PREFIX}_${parsed.id}_${changed}_${key.slice(-6)}`;
    })();
    const malformed = [
      `ak_live${body}`, // another prefix
      `gh_test${body}`,
      key.slice(0, -1), // too short
      `${key}0`, // too long
      key.replace(/.$/, '!'), // outside the charset
      key.slice(0, 20) + '-' + key.slice(21),
      wrongChecksum,
      oneSecretCharChanged, // checksum no longer matches
      'ak_test',
      'x'.repeat(5000),
    ];
    for (const candidate of malformed) {
      expect(parseKey(TEST_PREFIX, candidate)).toBeNull();
      expectUniform401(await call(api, '/me', apiKeyHeader(candidate)));
    }
    expect(api.store.lookups).toBe(0);
    // The genuine key still works, and costs exactly one lookup.
    expect((await call(api, '/me', apiKeyHeader(key))).status).toBe(200);
    expect(api.store.lookups).toBe(1);
  });

  it('1.4 an unknown key or a real key with one character changed → 401 with the same body as every other failure', async () => {
    const { key } = await api.mint({});
    const unknown = formatKey(TEST_PREFIX, 'Zz9Zz9Zz9Zz9', 'q'.repeat(43));
    const tampered = tamperedButWellFormed(key);
    expect(parseKey(TEST_PREFIX, tampered)).not.toBeNull();

    const failures: Reply[] = [];
    failures.push(await call(api, '/me', apiKeyHeader(unknown)));
    failures.push(await call(api, '/me', apiKeyHeader(tampered)));
    // These two did reach the store: they are well formed, only the hash comparison refuses them.
    expect(api.store.lookups).toBe(2);
    failures.push(await call(api, '/me'));
    failures.push(await call(api, '/me', { authorization: `Bearer ${key}` }));
    failures.push(await call(api, '/me', apiKeyHeader('not-a-key')));
    const expiring = await api.mint({ expiresInMs: HOUR });
    const revoked = await api.mint({});
    await revokeKey(api.services.management(), revoked.info.id);
    api.clock.advance(HOUR);
    failures.push(await call(api, '/me', apiKeyHeader(expiring.key)));
    failures.push(await call(api, '/me', apiKeyHeader(revoked.key)));

    for (const reply of failures) expectUniform401(reply);
    expect(new Set(failures.map((reply) => reply.text)).size).toBe(1);
    expect((await call(api, '/me', apiKeyHeader(key))).status).toBe(200);
  });

  it('1.5 keys carry 256 random bits; the store holds the id and a hash only', async () => {
    const issued = await Promise.all(Array.from({ length: 50 }, (_, index) => api.mint({ subject: `client-${index}` })));
    const secrets = issued.map(({ key }) => parseKey(TEST_PREFIX, key)!.secret);
    expect(new Set(secrets).size).toBe(secrets.length);
    for (const secret of secrets) {
      expect(secret).toMatch(/^[0-9A-Za-z]{43}$/); // 43 base62 characters ≥ 256 bits
    }
    expect(43 * Math.log2(62)).toBeGreaterThanOrEqual(128);

    const raw = await api.testStore.rawContents();
    for (const { key, info } of issued) {
      expect(raw).toContain(info.id);
      expect(raw).not.toContain(key);
      expect(raw).not.toContain(parseKey(TEST_PREFIX, key)!.secret);
    }
    const listed = await api.store.listKeys();
    expect(JSON.stringify(listed)).not.toContain(secrets[0]);
    expect(listed[0]!.secretHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('1.5 a key issued over HTTP is shown once, with Cache-Control: no-store', async () => {
    const { key: adminKey } = await api.mint({ scopes: ['read', 'admin'] });
    const created = await call(api, '/keys', { ...apiKeyHeader(adminKey), 'content-type': 'application/json' }, {
      method: 'POST',
      body: JSON.stringify({ subject: 'reporting-job', scopes: ['read'] }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const { key, id } = created.body as { key: string; id: string };
    expect(parseKey(TEST_PREFIX, key)).not.toBeNull();
    const me = await call(api, '/me', apiKeyHeader(key));
    expect(me.status).toBe(200);
    expect(me.text).not.toContain(key);
    expect(me.body).toMatchObject({ keyId: id, subject: 'reporting-job', tenant: 'acme', scopes: ['read'] });
    expect(JSON.stringify(await api.store.listKeys())).not.toContain(key);

    // A key cannot hand out more than it holds.
    const { key: readKey } = await api.mint({ scopes: ['read'] });
    const escalation = await call(api, '/keys', { ...apiKeyHeader(adminKey), 'content-type': 'application/json' }, {
      method: 'POST',
      body: JSON.stringify({ subject: 'x', scopes: ['billing'] }),
    });
    expect(escalation.status).toBe(403);
    const notAdmin = await call(api, '/keys', { ...apiKeyHeader(readKey), 'content-type': 'application/json' }, {
      method: 'POST',
      body: JSON.stringify({ subject: 'x', scopes: [] }),
    });
    expect(notAdmin.status).toBe(403);
  });

  it('1.6 an expired key → 401 on the very next request', async () => {
    const { key } = await api.mint({ expiresInMs: HOUR });
    expect((await call(api, '/me', apiKeyHeader(key))).status).toBe(200);
    api.clock.advance(HOUR - 1);
    expect((await call(api, '/me', apiKeyHeader(key))).status).toBe(200);
    api.clock.advance(1);
    expectUniform401(await call(api, '/me', apiKeyHeader(key)));
  });

  it('1.6 a revoked key → 401 on the very next request', async () => {
    const { key, info } = await api.mint({});
    expect((await call(api, '/me', apiKeyHeader(key))).status).toBe(200);
    await revokeKey(api.services.management(), info.id);
    expectUniform401(await call(api, '/me', apiKeyHeader(key)));
  });

  it('1.7 rotation: old and new key both work until the overlap ends, then the old one → 401', async () => {
    const { key: oldKey, info } = await api.mint({ subject: 'billing-worker', scopes: ['read', 'admin'] });
    const rotated = await rotateKey(api.services.management(), info.id, 2 * HOUR);
    expect(rotated.key).not.toBe(oldKey);
    expect(rotated.previous.replacedBy).toBe(rotated.info.id);

    for (const key of [oldKey, rotated.key]) {
      const reply = await call(api, '/admin', apiKeyHeader(key));
      expect(reply.status).toBe(200);
    }
    api.clock.advance(2 * HOUR - 1000);
    expect((await call(api, '/me', apiKeyHeader(oldKey))).status).toBe(200);
    api.clock.advance(1000);
    expectUniform401(await call(api, '/me', apiKeyHeader(oldKey)));
    const me = await call(api, '/me', apiKeyHeader(rotated.key));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ subject: 'billing-worker', tenant: 'acme', scopes: ['read', 'admin'] });
  });

  it('1.8 a key without the needed scope → 403; with it → 200', async () => {
    const { key: readKey } = await api.mint({ scopes: ['read'] });
    const { key: adminKey } = await api.mint({ scopes: ['admin'] });
    const denied = await call(api, '/admin', apiKeyHeader(readKey));
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ error: 'insufficient_scope' });
    expect((await call(api, '/admin', apiKeyHeader(adminKey))).status).toBe(200);
  });

  it("1.8 one tenant's key on another tenant's object → 404", async () => {
    const { key } = await api.mint({ tenant: 'acme', scopes: ['read', 'admin'] });
    expect((await call(api, '/tenants/acme/reports', apiKeyHeader(key))).status).toBe(200);
    const foreign = await call(api, '/tenants/globex/reports', apiKeyHeader(key));
    expect(foreign.status).toBe(404);
    expect(foreign.text).not.toContain('globex');
  });

  it('records when a key was last used', async () => {
    const { key, info } = await api.mint({});
    expect(info.lastUsedAt).toBeNull();
    await call(api, '/me', apiKeyHeader(key));
    const stored = await api.store.findKeyById(info.id);
    expect(stored!.lastUsedAt!.toISOString()).toBe(api.clock.now().toISOString());
  });
});

describe('API key failure rate limiting over HTTP', () => {
  let api: TestApi;

  beforeEach(async () => {
    api = await startTestApi({ rateLimit: { maxFailures: 5, windowMs: 60_000 } });
  });

  afterEach(async () => {
    await api.close();
  });

  it('1.9 a burst of bad keys from one client → 429 with Retry-After', async () => {
    const { key } = await api.mint({});
    const bad = tamperedButWellFormed(key);
    for (let attempt = 0; attempt < 5; attempt++) expectUniform401(await call(api, '/me', apiKeyHeader(bad)));
    const limited = await call(api, '/me', apiKeyHeader(bad));
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const lookupsWhileLimited = api.store.lookups;
    // While limited, even a good key is turned away, and the store is spared.
    expect((await call(api, '/me', apiKeyHeader(key))).status).toBe(429);
    expect((await call(api, '/me', apiKeyHeader(bad))).status).toBe(429);
    expect(api.store.lookups).toBe(lookupsWhileLimited);
    // Public routes stay reachable.
    expect((await call(api, '/health')).status).toBe(200);
  });

  it('1.9 malformed keys count towards the limit too', async () => {
    for (let attempt = 0; attempt < 5; attempt++) expectUniform401(await call(api, '/me', apiKeyHeader(`junk-${attempt}`)));
    expect((await call(api, '/me', apiKeyHeader('junk'))).status).toBe(429);
    expect(api.store.lookups).toBe(0);
  });
});

describe('key format', () => {
  it('1.3 the checksum is a CRC32 of everything before it, in six base62 characters', () => {
    const key = formatKey(TEST_PREFIX, 'AbCdEfGhIjKl', 'x'.repeat(43));
    expect(key.slice(-6)).toBe(checksumOf(key.slice(0, -7)));
    expect(parseKey(TEST_PREFIX, key)).toEqual({ id: 'AbCdEfGhIjKl', secret: 'x'.repeat(43) });
    for (const text of ['123456789', key, 'ak_live_Ünïcode']) expect(crc32(text)).toBe(zlibCrc32(text));
  });
});
