import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadAuthConfig } from '../core/config.js';
import { attackerKey, b64url, es256, hs256, serverKey } from './forge.js';
import { bearer, claimsFor, startHarness, SLOW_TEST_TIMEOUT_MS } from './harness.js';
import type { Harness } from './harness.js';

vi.setConfig({ testTimeout: SLOW_TEST_TIMEOUT_MS, hookTimeout: SLOW_TEST_TIMEOUT_MS });

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => {
  await harness?.close();
});

async function expectInvalidToken(token: string): Promise<void> {
  const response = await harness.get('/me', bearer(token));
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
}

describe('2.5 algorithm confusion', () => {
  it('2.5 HS256 token signed with the public key as the secret is rejected', async () => {
    const key = await serverKey(harness);
    const header = { alg: 'HS256', typ: 'at+jwt', kid: key.kid };
    const claims = claimsFor(harness);
    await expectInvalidToken(hs256(header, claims, key.publicPem));
    await expectInvalidToken(hs256(header, claims, key.publicPem.trim()));
    await expectInvalidToken(hs256(header, claims, JSON.stringify(key.publicJwk)));
    await expectInvalidToken(hs256({ ...header, alg: 'HS512' }, claims, key.publicPem));
  });
});

describe('2.6 HMAC secrets', () => {
  it('2.6 HS256 with an empty secret is rejected', async () => {
    const { kid } = await serverKey(harness);
    await expectInvalidToken(hs256({ alg: 'HS256', typ: 'at+jwt', kid }, claimsFor(harness), ''));
    await expectInvalidToken(hs256({ alg: 'HS256', typ: 'at+jwt' }, claimsFor(harness), ''));
  });

  it('2.6 configuration refuses HMAC (and any non-asymmetric) algorithm, whatever the secret', () => {
    for (const alg of ['HS256', 'HS384', 'HS512', 'none', 'RS256 ']) {
      expect(() => loadAuthConfig({ JWT_ALG: alg })).toThrow(/not allowed/);
    }
    expect(loadAuthConfig({}).algorithm).toBe('ES256');
  });
});

describe('2.7 key-pointing headers', () => {
  let listener: Server;
  let listenerUrl: string;
  let listenerHits = 0;

  beforeAll(async () => {
    listener = createServer((_req, res) => {
      listenerHits += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    listenerUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => listener.close(() => resolve()));
  });

  it('2.7 embedded jwk header is rejected', async () => {
    const attacker = await attackerKey();
    const { kid } = await serverKey(harness);
    const claims = claimsFor(harness);
    await expectInvalidToken(await es256({ typ: 'at+jwt', jwk: attacker.publicJwk }, claims, attacker.privateKey));
    await expectInvalidToken(await es256({ typ: 'at+jwt', kid, jwk: attacker.publicJwk }, claims, attacker.privateKey));
  });

  it('2.7 jku / x5u / x5c pointing elsewhere are rejected and the address receives no request', async () => {
    const attacker = await attackerKey();
    const real = await serverKey(harness);
    const claims = claimsFor(harness);
    const pointers = [
      { jku: `${listenerUrl}/jwks.json` },
      { x5u: `${listenerUrl}/cert.pem` },
      { x5c: [b64url('not a certificate')] },
    ];
    for (const pointer of pointers) {
      await expectInvalidToken(await es256({ typ: 'at+jwt', kid: 'attacker', ...pointer }, claims, attacker.privateKey));
      // Even a correctly signed token is refused while it carries such a header.
      await expectInvalidToken(await es256({ typ: 'at+jwt', kid: real.kid, ...pointer }, claims, real.privateKey));
    }
    expect(listenerHits).toBe(0);
  });
});

describe('2.8 kid injection', () => {
  it('2.8 path, SQL and shell strings in kid are rejected without any key lookup', async () => {
    const real = await serverKey(harness);
    // Past the cooldown, so an unknown but well-formed kid would reload the key set.
    harness.clock.advance(harness.config.keySetCooldownSeconds + 1);
    const claims = claimsFor(harness);
    const lookupsBefore = harness.calls.listSigningKeys ?? 0;
    for (const kid of ['../../../../dev/null', "x' UNION SELECT '1';--", '|sleep 10', '$(sleep 10)', '', ' ', 'a'.repeat(200)]) {
      await expectInvalidToken(await es256({ typ: 'at+jwt', kid }, claims, real.privateKey));
    }
    expect(harness.calls.listSigningKeys ?? 0).toBe(lookupsBefore);

    // Control: a well-formed unknown kid does reach the store once, so the counter above is live.
    await expectInvalidToken(await es256({ typ: 'at+jwt', kid: 'unknown-kid' }, claims, real.privateKey));
    expect(harness.calls.listSigningKeys ?? 0).toBe(lookupsBefore + 1);
  });
});

describe('2.9 psychic signature', () => {
  it('2.9 ES256 with r = s = 0 is rejected', async () => {
    const { kid } = await serverKey(harness);
    const header = b64url({ alg: 'ES256', typ: 'at+jwt', kid });
    const payload = b64url(claimsFor(harness));
    for (const signature of [Buffer.alloc(64), Buffer.from('3006020100020100', 'hex')]) {
      await expectInvalidToken(`${header}.${payload}.${signature.toString('base64url')}`);
    }
  });
});
