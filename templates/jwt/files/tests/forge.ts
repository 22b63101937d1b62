import { createHmac } from 'node:crypto';
import { CompactSign, exportJWK, exportSPKI, generateKeyPair, importJWK } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import type { Harness } from './harness.js';

// Hand-made tokens: every attack is built byte by byte here, not by the library under test.

export const b64url = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

export function unsigned(header: Record<string, unknown>, payload: Record<string, unknown>, signature = ''): string {
  return `${b64url(header)}.${b64url(payload)}.${signature}`;
}

export function hs256(header: Record<string, unknown>, payload: Record<string, unknown>, secret: string | Buffer): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export async function es256(header: Record<string, unknown>, payload: Record<string, unknown>, key: CryptoKey): Promise<string> {
  return new CompactSign(Buffer.from(JSON.stringify(payload))).setProtectedHeader({ ...header, alg: 'ES256' }).sign(key);
}

/** The server's own current signing key, as the legitimate issuer would use it. */
export async function serverKey(harness: Harness): Promise<{ kid: string; privateKey: CryptoKey; publicJwk: JWK; publicPem: string }> {
  const signer = await harness.auth.keys.signer();
  const jwks = await harness.auth.keys.jwks();
  const publicJwk = jwks.keys.find((key) => key.kid === signer.kid);
  if (!publicJwk) throw new Error('signing key missing from the JWKS');
  const publicKey = (await importJWK(publicJwk, 'ES256', { extractable: true })) as CryptoKey;
  return { kid: signer.kid, privateKey: signer.key, publicJwk, publicPem: await exportSPKI(publicKey) };
}

export async function attackerKey(): Promise<{ privateKey: CryptoKey; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { privateKey, publicJwk: await exportJWK(publicKey) };
}
