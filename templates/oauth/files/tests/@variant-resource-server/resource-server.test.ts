import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Reply } from '../../../tests/harness.js';
import { b64, bearer, startIssuerAndApi, type IssuerAndApi } from './rs-support.js';

/*
 * Checklist section 4 line 13 — every case of section 2 plus `typ` — over real
 * HTTP against this project's stack and store, with a real OpenID Provider on
 * 127.0.0.1 as the issuer the API trusts.
 */
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let rig: IssuerAndApi;
/** The one body every refused token gets; set by the first refusal a test sees. */
let refusal: string | null = null;

beforeAll(async () => {
  rig = await startIssuerAndApi();
});
afterAll(async () => {
  await rig?.close();
});

function expectInvalid(reply: Reply): void {
  expect(reply.status).toBe(401);
  expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="api", error="invalid_token"');
  expect(reply.headers.get('cache-control')).toBe('no-store');
  expect(reply.body).toMatchObject({ type: expect.stringMatching(/:unauthenticated$/), status: 401 });
  refusal ??= reply.text;
  expect(reply.text).toBe(refusal);
}

const me = (token: string) => rig.get('/api/me', bearer(token));

describe('4.13 / 2.1 missing and malformed tokens', () => {
  it('no token, or another scheme → 401 with a Bearer challenge and no error code, no data', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Basic YWxpY2U6cHc=' }, { authorization: 'ApiKey abc' }];
    for (const headers of attempts) {
      const reply = await rig.get('/api/me', headers);
      expect(reply.status).toBe(401);
      expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="api"');
      expect(reply.text).not.toContain('alice');
    }
  });

  it('a valid token → 200 naming the caller, keyed on issuer + subject, with its client and scopes', async () => {
    const reply = await me(await rig.sign({ scope: 'read write' }));
    expect(reply.status).toBe(200);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(reply.body).toMatchObject({ subject: 'alice', issuer: rig.issuer.issuer, method: 'oauth', variant: 'resource-server', kind: 'person', client: 'practice-app', scopes: ['read', 'write'] });
  });

  it('tokens the issuer really issued: a person\'s (minted grant) and a service\'s (client credentials over HTTP)', async () => {
    const { token } = await rig.issuer.mintAccessToken({ subject: 'carol', scopes: ['read'] });
    expect((await me(token)).body).toMatchObject({ subject: 'carol', kind: 'person', client: 'practice-app' });

    const granted = await fetch(`${rig.issuer.issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${rig.issuer.app.clientId}:${rig.issuer.app.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'read' }),
    });
    const { access_token: service } = (await granted.json()) as { access_token: string };
    expect((await me(service)).body).toMatchObject({ subject: 'practice-app', kind: 'service', client: 'practice-app', scopes: ['read'] });
  });

  it('2.2 not a compact JWS (JSON serialization, two segments, junk, five segments) → 401 invalid_token', async () => {
    const good = await rig.sign();
    const [h, p, s] = good.split('.');
    for (const bad of [JSON.stringify({ protected: h, payload: p, signature: s }), `${h}.${p}`, 'junk', `${good}.extra.more`, `${h}..${s}`]) expectInvalid(await me(bad));
  });

  it('a token in the URL → 401 credential-in-url, whatever the parameter is called', async () => {
    const token = await rig.sign();
    for (const query of [`access_token=${token}`, `t=${token}`]) {
      const reply = await rig.get(`/api/me?${query}`);
      expect(reply.status).toBe(401);
      expect(reply.body).toMatchObject({ type: expect.stringMatching(/:credential-in-url$/) });
    }
    expect(rig.api.audits.join('\n')).not.toContain(token.split('.')[2]!);
  });
});

describe('4.13 / 2.3–2.9 forged signatures and headers', () => {
  it('2.3 alg none in any spelling → 401', async () => {
    const payload = b64({ iss: rig.issuer.issuer, aud: 'https://api.example.test', sub: 'alice', client_id: 'c', jti: 'j', scope: 'admin', iat: rig.now(), exp: rig.now() + 300 });
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) expectInvalid(await me(`${b64({ alg, typ: 'at+jwt' })}.${payload}.`));
  });

  it('2.4 an empty signature → 401; a truncated one → 401 while the untouched token still works', async () => {
    const good = await rig.sign();
    const [h, p, s] = good.split('.');
    expectInvalid(await me(`${h}.${p}.`));
    expectInvalid(await me(`${h}.${p}.${s!.slice(0, -4)}`));
    expect((await me(good)).status).toBe(200);
  });

  it('2.5 HS256 signed with the issuer\'s public key as the secret (key confusion) → 401', async () => {
    for (const secret of [JSON.stringify(rig.publicJwk), await exportSPKI((await generateKeyPair('ES256', { extractable: true })).publicKey)]) {
      const forged = await new SignJWT({ iss: rig.issuer.issuer, aud: 'https://api.example.test', sub: 'alice', client_id: 'c', jti: 'j', scope: 'admin', iat: rig.now(), exp: rig.now() + 300 })
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: rig.publicJwk.kid })
        .sign(new TextEncoder().encode(secret));
      expectInvalid(await me(forged));
    }
  });

  it('2.6 HS256 with an empty secret → 401', async () => {
    const header = b64({ alg: 'HS256', typ: 'at+jwt' });
    const payload = b64({ iss: rig.issuer.issuer, aud: 'https://api.example.test', sub: 'alice', exp: rig.now() + 300, iat: rig.now(), jti: 'j', client_id: 'c' });
    const signature = createHmac('sha256', Buffer.alloc(0)).update(`${header}.${payload}`).digest('base64url');
    expectInvalid(await me(`${header}.${payload}.${signature}`));
  });

  it('2.7 an embedded jwk → 401; jku / x5u pointing elsewhere → 401 and that address receives no request', async () => {
    const attacker = await generateKeyPair('ES256', { extractable: true });
    const attackerJwk = await exportJWK(attacker.publicKey);
    expectInvalid(await me(await rig.sign({}, { jwk: attackerJwk, kid: undefined }, attacker.privateKey)));

    let hits = 0;
    const listener: Server = createServer((_req, res) => {
      hits += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [{ ...attackerJwk, kid: 'evil' }] }));
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const where = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/jwks`;
    try {
      expectInvalid(await me(await rig.sign({}, { jku: where, kid: 'evil' }, attacker.privateKey)));
      expectInvalid(await me(await rig.sign({}, { x5u: where, kid: 'evil' }, attacker.privateKey)));
      expect(hits).toBe(0);
    } finally {
      await new Promise((resolve) => listener.close(resolve));
    }
  });

  it('2.8 hostile kid values → 401, no file read, SQL or shell, and no JWKS fetch', async () => {
    const before = rig.part.issuerClient.fetches();
    for (const kid of ['../../../../dev/null', "x' UNION SELECT '1';--", '|sleep 10']) expectInvalid(await me(await rig.sign({}, { kid })));
    expect(rig.part.issuerClient.fetches()).toBe(before);
  });

  it('2.9 ES256 with r = s = 0 (psychic signature) → 401', async () => {
    const [h, p] = (await rig.sign()).split('.');
    expectInvalid(await me(`${h}.${p}.${Buffer.alloc(64).toString('base64url')}`));
  });
});

describe('4.13 / 2.10–2.12 claims', () => {
  it('2.10 exp past the leeway → 401; inside the configured skew → 200; nbf in the future → 401; no exp → 401', async () => {
    const skew = rig.part.settings.clockSkew;
    expectInvalid(await me(await rig.sign({ exp: rig.now() - skew - 5 })));
    expect((await me(await rig.sign({ exp: rig.now() - skew + 5 }))).status).toBe(200);
    expectInvalid(await me(await rig.sign({ nbf: rig.now() + skew + 60 })));
    expectInvalid(await me(await rig.sign({ exp: undefined })));
  });

  it('2.10 with the API\'s clock moved: a token is accepted until exp + skew, refused after', async () => {
    const token = await rig.sign({ exp: rig.now() + 60 });
    expect((await me(token)).status).toBe(200);
    rig.api.clock.advance((60 + rig.part.settings.clockSkew + 1) * 1000);
    try {
      expectInvalid(await me(token));
    } finally {
      rig.api.clock.advance(-(60 + rig.part.settings.clockSkew + 1) * 1000);
    }
  });

  it('2.11 wrong iss → 401 (not a token of this issuer); missing iss, wrong or missing aud → 401 invalid_token', async () => {
    const foreign = await me(await rig.sign({ iss: 'https://other-issuer.example.test' }));
    expect(foreign.status).toBe(401);
    expect(foreign.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    expectInvalid(await me(await rig.sign({ iss: undefined })));
    expectInvalid(await me(await rig.sign({ aud: 'https://other-api.example.test' })));
    expectInvalid(await me(await rig.sign({ aud: undefined })));
  });

  it('2.11 every claim RFC 9068 requires (sub, client_id, jti, iat) must be there', async () => {
    for (const missing of ['sub', 'client_id', 'jti', 'iat']) expectInvalid(await me(await rig.sign({ [missing]: undefined })));
  });

  it('2.12 / 4.13 typ other than at+jwt (a plain JWT, an ID token, none) → 401; a refresh token → 401', async () => {
    for (const typ of ['JWT', 'id_token+jwt', 'dpop+jwt', undefined]) expectInvalid(await me(await rig.sign({}, { typ })));
    expect((await me(await rig.sign({}, { typ: 'application/at+jwt' }))).status).toBe(200);
    const { refreshToken } = await rig.issuer.mintConnection({ subject: 'alice', scopes: ['read'] });
    expectInvalid(await me(refreshToken));
  });

  it('an algorithm outside the allow-list (ES384 by a key the issuer does not have) → 401', async () => {
    const other = await generateKeyPair('ES384');
    expectInvalid(await me(await rig.sign({}, { alg: 'ES384' }, other.privateKey)));
  });
});

describe('4.13 / 2.13 scopes', () => {
  it('without the admin scope → 403 insufficient_scope; with it → 200; without a token → 401', async () => {
    const reply = await rig.get('/api/admin', bearer(await rig.sign({ scope: 'read' })));
    expect(reply.status).toBe(403);
    expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="api", error="insufficient_scope", scope="admin"');
    expect((await rig.get('/api/admin', bearer(await rig.sign({ scope: 'read admin' })))).status).toBe(200);
    expect((await rig.get('/api/admin', bearer(await rig.sign({ scope: undefined, scp: ['admin'] })))).status).toBe(200);
    expect((await rig.get('/api/admin')).status).toBe(401);
  });
});

describe('throttling and an issuer that cannot be asked', () => {
  it('6.3 a burst of bad tokens from one address → 429 with Retry-After; a valid token from elsewhere still works', async () => {
    const source = '198.51.100.77';
    const statuses: number[] = [];
    for (let i = 0; i < 14; i += 1) statuses.push((await rig.get('/api/me', bearer(`junk-${i}`), source)).status);
    expect(statuses.slice(0, 10).every((status) => status === 401)).toBe(true);
    const throttled = await rig.get('/api/me', bearer('junk'), source);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await me(await rig.sign())).status).toBe(200);
  });

  it('an issuer that cannot be reached → 503 problem with Retry-After, never a 401 and never a trace', async () => {
    const unreachable = await startIssuerAndApi({ env: { OAUTH_TRUSTED_ISSUER: 'http://127.0.0.1:9/nowhere' } });
    try {
      const reply = await unreachable.get('/api/me', bearer(await unreachable.sign({ iss: 'http://127.0.0.1:9/nowhere' })));
      expect(reply.status).toBe(503);
      expect(reply.headers.get('retry-after')).toBe('5');
      expect(reply.body).toMatchObject({ type: expect.stringMatching(/:service-unavailable$/), status: 503 });
      expect(reply.text).not.toMatch(/at .*\.(js|ts):\d+|ECONNREFUSED|node_modules/);
      expect(unreachable.api.logs.join('\n')).toContain('could not be asked');
    } finally {
      await unreachable.close();
    }
  });
});
