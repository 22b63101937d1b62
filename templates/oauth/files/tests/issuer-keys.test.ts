import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { POLICY } from '../../../policy.js';
import { TestClock } from '../../../tests/harness.js';
import { createIssuerClient } from '../tokens/issuer.js';
import { createTokenVerifier, type TokenVerifier } from '../tokens/verify.js';

/*
 * Checklist 2.14 for every OAuth boundary: how this API finds an issuer's
 * keys. A local issuer on 127.0.0.1 publishes metadata and a JWKS and counts
 * the fetches; the API's clock is moved by hand.
 */
const AUDIENCE = 'https://api.example.test';
const policy = POLICY.oauth['resource-server'];

interface Key {
  privateKey: CryptoKey;
  jwk: JWK;
}

async function newKey(): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig' };
  jwk.kid = await calculateJwkThumbprint(jwk);
  return { privateKey, jwk };
}

describe('the issuer\'s metadata and keys', () => {
  let server: Server;
  let base: string;
  let issuer: string;
  let published: JWK[];
  let metadata: Record<string, unknown>;
  let jwksFetches: number;
  let metadataPaths: string[];
  let clock: TestClock;
  let first: Key;

  beforeEach(async () => {
    first = await newKey();
    published = [first.jwk];
    jwksFetches = 0;
    metadataPaths = [];
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/tenant/jwks') {
        jwksFetches += 1;
        res.end(JSON.stringify({ keys: published }));
      } else if (req.url?.includes('.well-known')) {
        metadataPaths.push(req.url);
        if (req.url === '/tenant/.well-known/openid-configuration' && metadata.oidc === false) res.statusCode = 404;
        res.end(JSON.stringify(metadata));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    issuer = `${base}/tenant`;
    metadata = { issuer, jwks_uri: `${issuer}/jwks` };
    clock = new TestClock();
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const verifierFor = (): TokenVerifier =>
    createTokenVerifier({
      check: 'jwt',
      issuer: createIssuerClient({ issuer, clock, jwksCacheMaxAge: policy.jwksCacheMaxAge.default, jwksCooldown: policy.jwksCooldown.default }),
      audience: AUDIENCE,
      algorithms: ['ES256'],
      clockSkew: policy.clockSkew.default,
      clock,
      introspector: null,
    });

  const token = (key: Key, kid = key.jwk.kid) => {
    const now = Math.floor(clock.now().getTime() / 1000);
    return new SignJWT({ sub: 'alice', client_id: 'app', jti: `j-${Math.random()}`, scope: 'read' })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: kid! })
      .setIssuer(issuer)
      .setAudience(AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(key.privateKey);
  };

  it('2.14 a new kid works after one JWKS refresh; a flood of unknown kids costs at most one fetch per cooldown', async () => {
    const verifier = verifierFor();
    expect((await verifier.verify(await token(first))).ok).toBe(true);
    expect(jwksFetches).toBe(1);

    const next = await newKey();
    published = [next.jwk, first.jwk];
    // Inside the cooldown: unknown kids, and even the new genuine one, cause no fetch at all.
    for (let i = 0; i < 20; i += 1) expect((await verifier.verify(await token(next, `random-${i}`))).ok).toBe(false);
    expect((await verifier.verify(await token(next))).ok).toBe(false);
    expect(jwksFetches).toBe(1);

    clock.advance(policy.jwksCooldown.default * 1000);
    expect((await verifier.verify(await token(next))).ok).toBe(true);
    expect(jwksFetches).toBe(2);
    for (let i = 0; i < 20; i += 1) await verifier.verify(await token(next, `again-${i}`));
    expect(jwksFetches).toBe(2);
    // The old key is still published, so its tokens still work; no fetch needed.
    expect((await verifier.verify(await token(first))).ok).toBe(true);
    expect(jwksFetches).toBe(2);
  });

  it('the JWKS is fetched again once older than the cache age, so a key the issuer withdrew stops working', async () => {
    const verifier = verifierFor();
    expect((await verifier.verify(await token(first))).ok).toBe(true);
    const next = await newKey();
    published = [next.jwk];
    clock.advance(policy.jwksCacheMaxAge.default * 1000 - 1000);
    expect((await verifier.verify(await token(first))).ok).toBe(true);
    clock.advance(1000);
    expect((await verifier.verify(await token(first))).ok).toBe(false);
    expect(jwksFetches).toBe(2);
  });

  it('metadata from OpenID discovery, else from RFC 8414\'s well-known URI', async () => {
    metadata.oidc = false;
    expect((await verifierFor().verify(await token(first))).ok).toBe(true);
    expect(metadataPaths).toEqual(['/tenant/.well-known/openid-configuration', '/.well-known/oauth-authorization-server/tenant']);
  });

  it('metadata naming another issuer (mix-up), or keys over plain http elsewhere → the issuer cannot be used', async () => {
    metadata.issuer = 'https://impostor.example.test';
    await expect(verifierFor().verify(await token(first))).rejects.toMatchObject({ name: 'IssuerUnavailableError' });
    metadata.issuer = issuer;
    metadata.jwks_uri = 'http://keys.example.test/jwks';
    await expect(verifierFor().verify(await token(first))).rejects.toMatchObject({ name: 'IssuerUnavailableError' });
    expect(jwksFetches).toBe(0);
  });
});
