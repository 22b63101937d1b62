import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDpopVerifier, type DpopVerifier } from '../kernel/dpop.js';
import { MemoryStore } from '../kernel/stores/memory.js';
import { POLICY } from '../policy.js';
import { TestClock } from './harness.js';

/*
 * DPoP proofs (RFC 9449, checklist section 8), made with jose the way a
 * client makes them, checked by the kernel's verifier. The methods that accept
 * DPoP-bound tokens test the whole flow over HTTP; this is the proof check.
 */
const URL_ = 'https://api.example.test/partners/me';
const TOKEN = 'an-access-token';
const ath = (token: string) => createHash('sha256').update(token).digest('base64url');

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

async function proof(key: Holder, claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ jti: randomUUID(), htm: 'GET', htu: URL_, ath: ath(TOKEN), ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk, ...header })
    .setIssuedAt(Math.floor(Date.now() / 1000))
    .sign(key.privateKey);
}

describe('DPoP proof verification', () => {
  let clock: TestClock;
  let verifier: DpopVerifier;
  let key: Holder;
  const window = POLICY.dpop.proofWindow.default;

  beforeEach(async () => {
    clock = new TestClock();
    verifier = createDpopVerifier(new MemoryStore({ NODE_ENV: 'test' }), clock, window);
    key = await holder();
  });

  const check = (candidate: string | undefined, overrides: Partial<Parameters<DpopVerifier['verify']>[0]> = {}) =>
    verifier.verify({ proof: candidate, method: 'GET', url: URL_, accessToken: TOKEN, boundTo: key.thumbprint, ...overrides });

  it('accepts a fresh proof for this request, token and key, and names the key', async () => {
    const result = await check(await proof(key, {}));
    expect(result).toMatchObject({ ok: true, thumbprint: key.thumbprint });
    // The query string is not part of htu.
    expect((await check(await proof(key, {}), { url: `${URL_}?page=2` })).ok).toBe(true);
  });

  it('8.1 no proof → refused', async () => {
    expect(await check(undefined)).toEqual({ ok: false, reason: 'no proof' });
  });

  it('8.2 a proof for another method or URL, outside the iat window, or without the right ath → refused', async () => {
    expect(await check(await proof(key, { htm: 'POST' }))).toMatchObject({ ok: false, reason: 'proof for another method' });
    expect(await check(await proof(key, { htu: 'https://api.example.test/other' }))).toMatchObject({ ok: false, reason: 'proof for another URL' });
    expect(await check(await proof(key, { ath: ath('another-token') }))).toMatchObject({ ok: false, reason: 'proof for another token' });
    expect(await check(await proof(key, { ath: undefined }))).toMatchObject({ ok: false, reason: 'proof for another token' });
    const fresh = await proof(key, {});
    clock.advance((window + 1) * 1000);
    expect(await check(fresh)).toMatchObject({ ok: false, reason: 'proof iat outside the window' });
    clock.advance(-2 * (window + 1) * 1000);
    expect(await check(await proof(key, {}))).toMatchObject({ ok: false, reason: 'proof iat outside the window' });
  });

  it('8.3 a replayed proof → refused', async () => {
    const once = await proof(key, {});
    expect((await check(once)).ok).toBe(true);
    expect(await check(once)).toMatchObject({ ok: false, reason: 'proof replayed' });
  });

  it('8.4 a proof signed by a key other than the bound one → refused', async () => {
    const thief = await holder();
    expect(await check(await proof(thief, {}))).toMatchObject({ ok: false, reason: 'proof signed by another key' });
  });

  it('refuses a wrong typ, a symmetric or private embedded key, and junk', async () => {
    expect((await check(await proof(key, {}, { typ: 'JWT' }))).ok).toBe(false);
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const withPrivate = await new SignJWT({ jti: randomUUID(), htm: 'GET', htu: URL_, ath: ath(TOKEN) })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(privateKey) })
      .setIssuedAt()
      .sign(privateKey);
    expect((await check(withPrivate, { boundTo: undefined })).ok).toBe(false);
    expect((await check('not.a.proof')).ok).toBe(false);
    expect((await check(await proof(key, { jti: '' }))).ok).toBe(false);
  });
});
