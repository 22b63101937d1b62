import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { OAuthStore } from './store.js';

const MODEL = 'SigningKey';

/**
 * The authorization server's private signing keys, created on first use and
 * kept in the store, so every process using the store (server, CLI) signs
 * with the same key and resource servers see one stable JWKS.
 * NOTE: the private key sits in the store as a JWK: protect the store (file
 * permissions, Redis ACL) or keep keys in a KMS; rotate by adding a new key in
 * front and keeping the old one until its tokens expire.
 */
export async function loadSigningKeys(store: OAuthStore): Promise<{ keys: JWK[] }> {
  const existing = await store.find(MODEL, 'current');
  if (existing) return { keys: existing.keys as JWK[] };
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  jwk.kid = await calculateJwkThumbprint(jwk);
  jwk.alg = 'ES256';
  jwk.use = 'sig';
  // Two processes starting at once: the first insert wins and both read it back.
  await store.insertIfAbsent(MODEL, 'current', { keys: [jwk] }, null);
  const stored = await store.find(MODEL, 'current');
  return { keys: (stored?.keys ?? [jwk]) as JWK[] };
}
