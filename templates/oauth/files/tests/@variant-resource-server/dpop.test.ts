import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Reply } from '../../../tests/harness.js';
import { bearer, startIssuerAndApi, type IssuerAndApi } from './rs-support.js';

/*
 * Checklist section 8 lines 1–4 at the resource server: access tokens bound
 * to a client's key (`cnf.jkt`, RFC 9449), issued by the real issuer, need a
 * DPoP proof by that key for this request; the kernel's proof check decides.
 */
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

interface Holder {
  privateKey: CryptoKey;
  jwk: JWK;
  thumbprint: string;
}

async function holder(): Promise<Holder> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  return { privateKey, jwk, thumbprint: await calculateJwkThumbprint(jwk, 'sha256') };
}

const ath = (token: string) => createHash('sha256').update(token).digest('base64url');

async function proof(key: Holder, claims: { htm: string; htu: string; ath?: string; iat: number; jti?: string }): Promise<string> {
  return new SignJWT({ jti: randomUUID(), ...claims }).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk }).sign(key.privateKey);
}

let rig: IssuerAndApi;
let key: Holder;
/** A DPoP-bound access token from the issuer's token endpoint, obtained with a proof by `key`. */
let bound: string;

/** Client credentials at the real token endpoint, with a DPoP proof: the issuer binds the token to the proof's key. */
async function boundToken(on: IssuerAndApi, by: Holder): Promise<string> {
  const tokenEndpoint = `${on.issuer.issuer}/token`;
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${on.issuer.app.clientId}:${on.issuer.app.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      dpop: await proof(by, { htm: 'POST', htu: tokenEndpoint, iat: Math.floor(Date.now() / 1000) }),
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'read' }),
  });
  const body = (await response.json()) as { access_token: string; token_type: string };
  expect(body.token_type).toBe('DPoP');
  return body.access_token;
}

const url = (path: string) => `${rig.api.url}${path}`;
const withProof = async (token: string, claims: Partial<Parameters<typeof proof>[1]> = {}, by: Holder = key, path = '/api/me') =>
  rig.get(path, {
    authorization: `DPoP ${token}`,
    dpop: await proof(by, { htm: 'GET', htu: url(path), ath: ath(token), iat: rig.now(), ...claims }),
  });

function expectProofRefused(reply: Reply): void {
  expect(reply.status).toBe(401);
  expect(reply.headers.get('www-authenticate')).toMatch(/^DPoP algs="[^"]+", error="invalid_dpop_proof"$/);
}

beforeAll(async () => {
  rig = await startIssuerAndApi();
  key = await holder();
  bound = await boundToken(rig, key);
});
afterAll(async () => {
  await rig?.close();
});

describe('DPoP-bound access tokens at the resource server (checklist section 8)', () => {
  it('the token is bound to the client\'s key, and a fresh proof by that key for this request → 200', async () => {
    const claims = JSON.parse(Buffer.from(bound.split('.')[1]!, 'base64url').toString()) as { cnf?: { jkt?: string } };
    expect(claims.cnf?.jkt).toBe(key.thumbprint);
    expect((await withProof(bound)).body).toMatchObject({ subject: rig.issuer.app.clientId, kind: 'service' });
  });

  it('8.1 a bound token without a proof → 401 with a DPoP challenge; sent as a plain Bearer token → 401 too', async () => {
    expectProofRefused(await rig.get('/api/me', { authorization: `DPoP ${bound}` }));
    const asBearer = await rig.get('/api/me', bearer(bound));
    expect(asBearer.status).toBe(401);
    expect(asBearer.headers.get('www-authenticate')).toMatch(/^DPoP algs="[^"]+", error="invalid_token"$/);
  });

  it('8.2 a proof for another method (htm) or URL (htu), outside the iat window, or without the right ath → 401 invalid_dpop_proof', async () => {
    const window = rig.part.settings.dpopProofWindow;
    expectProofRefused(await withProof(bound, { htm: 'POST' }));
    expectProofRefused(await withProof(bound, { htu: url('/api/admin') }));
    expectProofRefused(await withProof(bound, { htu: `https://elsewhere.example.test/api/me` }));
    expectProofRefused(await withProof(bound, { iat: rig.now() - window - 1 }));
    expectProofRefused(await withProof(bound, { iat: rig.now() + window + 1 }));
    expectProofRefused(await withProof(bound, { ath: ath('another-token') }));
    expectProofRefused(await withProof(bound, { ath: undefined }));
    // The same proofs, right, still work: nothing above was refused for another reason.
    expect((await withProof(bound, { iat: rig.now() - window + 5 })).status).toBe(200);
  });

  it('8.3 a replayed proof (its jti seen before) → 401', async () => {
    const replayed = await proof(key, { htm: 'GET', htu: url('/api/me'), ath: ath(bound), iat: rig.now() });
    const send = () => rig.get('/api/me', { authorization: `DPoP ${bound}`, dpop: replayed });
    expect((await send()).status).toBe(200);
    expectProofRefused(await send());
  });

  it('8.4 a proof signed by another key (a stolen token without its key) → 401', async () => {
    expectProofRefused(await withProof(bound, {}, await holder()));
  });

  it('an unbound token sent with the DPoP scheme → 401; as Bearer it works', async () => {
    const plain = await rig.sign();
    const reply = await withProof(plain);
    expect(reply.status).toBe(401);
    expect(reply.headers.get('www-authenticate')).toMatch(/^DPoP algs="[^"]+", error="invalid_token"$/);
    expect((await rig.get('/api/me', bearer(plain))).status).toBe(200);
  });
});

describe('DPoP-bound opaque tokens, bound as introspection says (cnf.jkt)', () => {
  it('without a proof → 401; with one → 200', async () => {
    const opaque = await startIssuerAndApi({ check: 'introspection' });
    try {
      const token = await boundToken(opaque, key);
      expect(token).not.toContain('.');
      const path = '/api/me';
      expect((await opaque.get(path, { authorization: `DPoP ${token}` })).status).toBe(401);
      const reply = await opaque.get(path, {
        authorization: `DPoP ${token}`,
        dpop: await proof(key, { htm: 'GET', htu: `${opaque.api.url}${path}`, ath: ath(token), iat: opaque.now() }),
      });
      expect(reply.status).toBe(200);
    } finally {
      await opaque.close();
    }
  });
});
