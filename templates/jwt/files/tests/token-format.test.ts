import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../../tests/harness.js';
import { b64url, bearer, claimsFor, es256, issuerKey, startRig, unsigned, VARIANTS, type Rig } from './support.js';

/*
 * Checklist section 2, lines 1-4, over real HTTP on this project's stack and
 * store, for both variants: the API that signs its own tokens, and the API
 * that verifies a real token service's tokens with its key set.
 */
describe.each(VARIANTS)('bearer tokens, %s (checklist 2.1-2.4)', { timeout: 60_000 }, (variant) => {
  let rig: Rig;
  let valid: string;
  const me = () => `/${rig.boundary}/me`;

  beforeAll(async () => {
    rig = await startRig(variant);
    valid = await rig.mint('alice');
  }, 60_000);
  afterAll(async () => {
    await rig?.close();
  });

  function expectInvalidToken(reply: Reply): void {
    expect(reply.status).toBe(401);
    expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="api", error="invalid_token"');
    expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ type: expect.stringMatching(/:unauthenticated$/), status: 401 });
    expect(reply.text).not.toContain('alice');
  }

  it('a valid token reaches the route, which names the caller, method and variant', async () => {
    const reply = await rig.get(me(), bearer(valid));
    expect(reply.status).toBe(200);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(reply.body).toMatchObject({ subject: 'alice', kind: 'person', method: 'jwt', variant, scopes: ['read'], issuer: rig.issuerId });
  });

  it('2.1 no token, or another scheme: 401 with a Bearer challenge and no error code', async () => {
    const withoutToken: Record<string, string>[] = [{}, { authorization: 'Basic YWxpY2U6cGFzc3dvcmQ=' }, { authorization: 'ApiKey ak_live_123' }, { authorization: 'Bearer' }];
    for (const headers of withoutToken) {
      const reply = await rig.get(me(), headers);
      expect(reply.status).toBe(401);
      expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="api"');
      expect(reply.body).toMatchObject({ type: expect.stringMatching(/:unauthenticated$/) });
    }
  });

  it('2.1 a bad token: 401 error="invalid_token", one body whatever the reason', async () => {
    const [header, , signature] = valid.split('.');
    const tampered = `${header}.${b64url({ ...(await claimsFor(rig)), sub: 'root', scope: 'read admin' })}.${signature}`;
    const replies = [await rig.get(me(), bearer(tampered)), await rig.get(me(), bearer('a.b.c')), await rig.get(me(), bearer(`${valid}x`))];
    for (const reply of replies) expectInvalidToken(reply);
    expect(new Set(replies.map((reply) => reply.text)).size).toBe(1);
  });

  it('2.2 not a compact JWS (JSON serialization, two or five segments, junk) → 401', async () => {
    const [header, payload, signature] = valid.split('.');
    const flattened = JSON.stringify({ protected: header, payload, signature });
    const general = JSON.stringify({ payload, signatures: [{ protected: header, signature }] });
    const notCompact = [
      flattened,
      general,
      b64url(flattened),
      `${header}.${payload}`,
      `${header}.${payload}.${signature}.${signature}.${signature}`,
      `${valid}.`,
      `${header}..${signature}`,
      '%%%.%%%.%%%',
      `${valid}${'A'.repeat(9_000)}`,
    ];
    for (const token of notCompact) {
      const reply = await rig.get(me(), { authorization: `Bearer ${token}` });
      expect(reply.status, token.slice(0, 40)).toBe(401);
      expect(reply.text).not.toContain('alice');
    }
    // The untouched token still works.
    expect((await rig.get(me(), bearer(valid))).status).toBe(200);
  });

  it('2.3 alg none / None / NONE / nOnE → 401, with or without a signature', async () => {
    const { kid } = await issuerKey(rig);
    const claims = await claimsFor(rig);
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      const header = { alg, typ: 'at+jwt', kid };
      expectInvalidToken(await rig.get(me(), bearer(unsigned(header, claims, 'AAAA'))));
      expectInvalidToken(await rig.get(me(), bearer(unsigned(header, claims, valid.split('.')[2]))));
      expect((await rig.get(me(), bearer(unsigned(header, claims)))).status).toBe(401);
    }
  });

  it('2.4 an empty signature (h.p.) → 401', async () => {
    const [header, payload] = valid.split('.');
    expect((await rig.get(me(), bearer(`${header}.${payload}.`))).status).toBe(401);
  });

  it('2.4 a truncated signature → 401, and the untouched token still works', async () => {
    const key = await issuerKey(rig);
    const token = await es256({ typ: 'at+jwt', kid: key.kid }, await claimsFor(rig), key.privateKey);
    for (const cut of [1, 2, 4, 10, 43, 80]) expectInvalidToken(await rig.get(me(), bearer(token.slice(0, -cut))));
    expect((await rig.get(me(), bearer(token))).status).toBe(200);
  });
});
