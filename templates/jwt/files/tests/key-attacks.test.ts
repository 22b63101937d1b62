import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../../tests/harness.js';
import { ALGORITHMS } from '../access-tokens.js';
import { KEY_RELOAD_COOLDOWN } from '../signing-keys.js';
import { attackerKey, b64url, bearer, claimsFor, es256, issuerKey, signed, startRig, VARIANTS, type Rig } from './support.js';

function hs256(header: Record<string, unknown>, payload: Record<string, unknown>, secret: string | Buffer): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/*
 * Checklist section 2, lines 5-9: tokens that try to choose the key they are
 * checked with, over real HTTP, for both variants.
 */
describe.each(VARIANTS)('key attacks, %s (checklist 2.5-2.9)', { timeout: 60_000 }, (variant) => {
  let rig: Rig;
  let listener: Server;
  let listenerUrl: string;
  let listenerHits = 0;
  const me = () => `/${rig.boundary}/me`;

  beforeAll(async () => {
    rig = await startRig(variant);
    listener = createServer((_req, res) => {
      listenerHits += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
    });
    await new Promise<void>((done) => listener.listen(0, '127.0.0.1', done));
    listenerUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  }, 60_000);
  afterAll(async () => {
    await rig?.close();
    await new Promise<void>((done) => listener.close(() => done()));
  });

  function expectInvalidToken(reply: Reply): void {
    expect(reply.status).toBe(401);
    expect(reply.headers.get('www-authenticate')).toContain('error="invalid_token"');
  }

  it('2.5 an HS256 token signed with the public key as the secret → 401', async () => {
    const key = await issuerKey(rig);
    const header = { alg: 'HS256', typ: 'at+jwt', kid: key.kid };
    const claims = await claimsFor(rig);
    for (const secret of [key.publicPem, key.publicPem.trim(), JSON.stringify(key.publicJwk)]) expectInvalidToken(await rig.get(me(), bearer(hs256(header, claims, secret))));
    expectInvalidToken(await rig.get(me(), bearer(hs256({ ...header, alg: 'HS512' }, claims, key.publicPem))));
  });

  it('2.6 HS256 with an empty secret → 401; no HMAC algorithm is accepted at all, so no weak secret can be configured', async () => {
    const { kid } = await issuerKey(rig);
    const claims = await claimsFor(rig);
    expectInvalidToken(await rig.get(me(), bearer(hs256({ alg: 'HS256', typ: 'at+jwt', kid }, claims, ''))));
    expectInvalidToken(await rig.get(me(), bearer(hs256({ alg: 'HS256', typ: 'at+jwt' }, claims, ''))));
    expect(ALGORITHMS).toEqual(['ES256']);
  });

  it('2.7 an embedded jwk header → 401, even beside the real kid', async () => {
    const attacker = await attackerKey();
    const { kid } = await issuerKey(rig);
    const claims = await claimsFor(rig);
    expectInvalidToken(await rig.get(me(), bearer(await es256({ typ: 'at+jwt', jwk: attacker.publicJwk }, claims, attacker.privateKey))));
    expectInvalidToken(await rig.get(me(), bearer(await es256({ typ: 'at+jwt', kid, jwk: attacker.publicJwk }, claims, attacker.privateKey))));
  });

  it('2.7 jku / x5u / x5c pointing elsewhere → 401, and that address receives no request', async () => {
    const attacker = await attackerKey();
    const real = await issuerKey(rig);
    const claims = await claimsFor(rig);
    const pointers = [{ jku: `${listenerUrl}/jwks.json` }, { x5u: `${listenerUrl}/cert.pem` }, { x5c: [b64url('not a certificate')] }];
    for (const pointer of pointers) {
      expectInvalidToken(await rig.get(me(), bearer(await es256({ typ: 'at+jwt', kid: 'attacker', ...pointer }, claims, attacker.privateKey))));
      // Even a correctly signed token is refused while it carries such a header.
      expectInvalidToken(await rig.get(me(), bearer(await es256({ typ: 'at+jwt', kid: real.kid, ...pointer }, claims, real.privateKey))));
    }
    expect(listenerHits).toBe(0);
    // Control: the same token without the pointer is accepted.
    expect((await rig.get(me(), bearer(await es256({ typ: 'at+jwt', kid: real.kid }, claims, real.privateKey)))).status).toBe(200);
  });

  it('2.8 path, SQL and shell text in kid → 401, without reading any key', async () => {
    const real = await issuerKey(rig);
    // Past the cooldowns, so an unknown but well-formed kid would read the keys again.
    rig.advance(3_600);
    const claims = await claimsFor(rig);
    const hostile = ['../../../../dev/null', "x' UNION SELECT '1';--", '|sleep 10', '$(sleep 10)', '', ' ', 'a'.repeat(200), 'A'.repeat(42) + '/'];
    // A token carrying the real key's kid is served from the cache: prime it, then count.
    expect((await rig.get(me(), bearer(await signed(rig, claims)))).status).toBe(200);
    const before = rig.keyReads();
    for (const kid of hostile) expectInvalidToken(await rig.get(me(), bearer(await es256({ typ: 'at+jwt', kid }, claims, real.privateKey))));
    expect(rig.keyReads()).toBe(before);
    if (variant === 'login-endpoint') {
      // Control: a well-formed unknown kid, past the cooldown, does read the keys: the count above is live.
      rig.advance(KEY_RELOAD_COOLDOWN + 1);
      expectInvalidToken(await rig.get(me(), bearer(await es256({ typ: 'at+jwt', kid: 'B'.repeat(43) }, claims, real.privateKey))));
      expect(rig.keyReads()).toBe(before + 1);
    }
  });

  it('2.9 ES256 with r = s = 0 (psychic signature) → 401', async () => {
    const { kid } = await issuerKey(rig);
    const header = b64url({ alg: 'ES256', typ: 'at+jwt', kid });
    const payload = b64url(await claimsFor(rig));
    for (const signature of [Buffer.alloc(64), Buffer.from('3006020100020100', 'hex')]) {
      expectInvalidToken(await rig.get(me(), bearer(`${header}.${payload}.${signature.toString('base64url')}`)));
    }
  });
});
