import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Clock } from '../../../kernel/clock.js';
import type { AuthStore, JsonObject } from '../../../kernel/store.js';

const KIND = 'oauth:SigningKeys';
const ID = 'current';
const ROTATION_MARK = 'oauth:SigningKeyRotation';

/** One private signing key and when it was made. */
export interface SigningKey {
  jwk: JWK;
  createdAt: string;
}

export const SIGNING_ALGORITHM = 'ES256';

async function newKey(clock: Clock): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
  const jwk = await exportJWK(privateKey);
  jwk.kid = await calculateJwkThumbprint(jwk);
  jwk.alg = SIGNING_ALGORITHM;
  jwk.use = 'sig';
  return { jwk, createdAt: clock.now().toISOString() };
}

async function read(store: AuthStore): Promise<SigningKey[] | null> {
  const record = await store.find(KIND, ID);
  return record ? (record.value.keys as unknown as SigningKey[]) : null;
}

const age = (key: SigningKey, clock: Clock) => (clock.now().getTime() - Date.parse(key.createdAt)) / 1000;

/** Only the public half, as published (JWKS) and used to verify. */
export function publicJwk(jwk: JWK): JWK {
  const { kty, crv, x, y, kid, alg, use } = jwk;
  return { kty, crv, x, y, kid, alg, use } as JWK;
}

/**
 * Makes a new key and puts it in front (it signs from now on). The previous
 * key stays published for one more rotation period, so tokens it signed, and
 * instances still running with it, keep verifying; older keys are dropped.
 * Of several processes rotating at once, one does it.
 */
export async function rotateSigningKeys(store: AuthStore, clock: Clock, rotationSeconds: number): Promise<SigningKey[]> {
  const current = (await read(store)) ?? [];
  const newest = current[0];
  if (newest && !(await store.create(ROTATION_MARK, String(newest.jwk.kid), {}, { expiresAt: new Date(Date.now() + 3_600_000) }))) {
    return current; // another process is rotating from the same key
  }
  const fresh = await newKey(clock);
  const kept = current.filter((key, index) => index === 0 || age(key, clock) < 2 * rotationSeconds);
  const keys = [fresh, ...kept];
  await store.upsert(KIND, ID, { keys: keys as unknown as JsonObject[] } as unknown as JsonObject);
  return keys;
}

/**
 * The authorization server's signing keys, newest first, kept in the store so
 * every process using it (server instances, the CLI) signs with the same keys
 * and publishes the same JWKS. Made on first use; rotated at start-up once the
 * newest is `rotationSeconds` old.
 * NOTE: private keys sit in the store as JWKs: protect it (database roles,
 * file permissions, Redis ACLs), or move signing to a KMS.
 */
export async function loadSigningKeys(store: AuthStore, clock: Clock, rotationSeconds: number): Promise<SigningKey[]> {
  let keys = await read(store);
  if (!keys || keys.length === 0) {
    // Two processes starting at once: the first write wins and both read it back.
    await store.create(KIND, ID, { keys: [(await newKey(clock)) as unknown as JsonObject] });
    keys = (await read(store)) ?? [];
  }
  if (age(keys[0]!, clock) >= rotationSeconds) keys = await rotateSigningKeys(store, clock, rotationSeconds);
  return keys;
}

/** The public keys as the store holds them now (what /jwks serves and tokens are verified with). */
export async function currentPublicKeys(store: AuthStore): Promise<JWK[]> {
  return ((await read(store)) ?? []).map((key) => publicJwk(key.jwk));
}
