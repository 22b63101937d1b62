import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import type { Clock } from './clock.js';
import type { JwtAuthConfig } from './config.js';
import { decryptWithKek, encryptWithKek } from './key-encryption.js';
import type { AuthStore, SigningKeyRecord } from './store.js';

type KeyRingConfig = Pick<
  JwtAuthConfig,
  'algorithm' | 'keyOverlapSeconds' | 'keySetCooldownSeconds' | 'keySetMaxAgeSeconds'
>;

interface LoadedKeys {
  loadedAt: number;
  records: SigningKeyRecord[];
  verifying: Map<string, CryptoKey>;
}

/** A kid is a lookup key in a local map and nothing else; anything outside this shape is refused. */
export const KID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

export async function generateSigningKey(kek: Buffer, now: number): Promise<SigningKeyRecord> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = await exportJWK(privateKey);
  if (publicJwk.x === undefined || publicJwk.y === undefined) throw new Error('Exported EC key lacks coordinates.');
  return {
    kid,
    alg: 'ES256',
    publicJwk: { kty: 'EC', crv: 'P-256', x: publicJwk.x, y: publicJwk.y },
    encryptedPrivateJwk: encryptWithKek(kek, JSON.stringify(privateJwk), kid),
    createdAt: now,
    retiresAt: null,
  };
}

function isPublished(record: SigningKeyRecord, now: number): boolean {
  return record.retiresAt === null || record.retiresAt > now;
}

function currentSigner(records: SigningKeyRecord[]): SigningKeyRecord | undefined {
  return records
    .filter((record) => record.retiresAt === null)
    .sort((a, b) => b.createdAt - a.createdAt || (a.kid < b.kid ? -1 : 1))[0];
}

/**
 * The signing keys of this service: the newest current key signs; every published key verifies.
 * Keys come from the store and are cached; an unknown kid reloads the set at most once per cooldown,
 * so a flood of made-up kids costs one store read, not one per request.
 */
export class KeyRing {
  readonly #store: AuthStore;
  readonly #kek: Buffer;
  readonly #config: KeyRingConfig;
  readonly #clock: Clock;
  #loaded: LoadedKeys | null = null;
  #loading: Promise<LoadedKeys> | null = null;
  readonly #privateKeys = new Map<string, Promise<CryptoKey>>();

  constructor(options: { store: AuthStore; keyEncryptionKey: Buffer; config: KeyRingConfig; clock: Clock }) {
    this.#store = options.store;
    this.#kek = options.keyEncryptionKey;
    this.#config = options.config;
    this.#clock = options.clock;
  }

  async #load(): Promise<LoadedKeys> {
    if (this.#loading) return this.#loading;
    this.#loading = (async () => {
      try {
        const now = this.#clock();
        const records = (await this.#store.listSigningKeys()).filter((record) => isPublished(record, now));
        const verifying = new Map<string, CryptoKey>();
        for (const record of records) {
          verifying.set(record.kid, (await importJWK({ ...record.publicJwk, alg: record.alg }, record.alg)) as CryptoKey);
        }
        this.#loaded = { loadedAt: now, records, verifying };
        return this.#loaded;
      } finally {
        this.#loading = null;
      }
    })();
    return this.#loading;
  }

  async #current(): Promise<LoadedKeys> {
    const loaded = this.#loaded;
    if (loaded && this.#clock() - loaded.loadedAt < this.#config.keySetMaxAgeSeconds * 1000) return loaded;
    return this.#load();
  }

  /** Creates the first signing key when the store has none. */
  async ensureSigningKey(): Promise<void> {
    if (currentSigner((await this.#current()).records)) return;
    await this.#store.insertSigningKey(await generateSigningKey(this.#kek, this.#clock()));
    await this.#load();
  }

  async signer(): Promise<{ kid: string; alg: 'ES256'; key: CryptoKey }> {
    let record = currentSigner((await this.#current()).records);
    if (!record) {
      await this.ensureSigningKey();
      record = currentSigner((await this.#current()).records);
    }
    if (!record) throw new Error('No signing key is available.');
    const chosen = record;
    let key = this.#privateKeys.get(chosen.kid);
    if (!key) {
      key = importJWK(
        JSON.parse(decryptWithKek(this.#kek, chosen.encryptedPrivateJwk, chosen.kid)) as JWK,
        chosen.alg,
      ) as Promise<CryptoKey>;
      this.#privateKeys.set(chosen.kid, key);
    }
    return { kid: chosen.kid, alg: chosen.alg, key: await key };
  }

  /** The public key for `kid`, or undefined. Never touches anything but the in-memory map for bad kids. */
  async verificationKey(kid: string): Promise<CryptoKey | undefined> {
    if (!KID_PATTERN.test(kid)) return undefined;
    const loaded = await this.#current();
    const known = loaded.verifying.get(kid);
    if (known) return known;
    if (this.#clock() - loaded.loadedAt < this.#config.keySetCooldownSeconds * 1000) return undefined;
    return (await this.#load()).verifying.get(kid);
  }

  /** The JSON Web Key Set served at /.well-known/jwks.json: public halves only. */
  async jwks(): Promise<{ keys: JWK[] }> {
    const { records } = await this.#current();
    return {
      keys: records.map((record) => ({ ...record.publicJwk, kid: record.kid, alg: record.alg, use: 'sig' })),
    };
  }

  /**
   * Starts signing with a fresh key. The previous key keeps verifying for the overlap window, long
   * enough for every token it signed to expire; keys retired before now are deleted.
   */
  async rotate(): Promise<{ kid: string; retiring: { kid: string; retiresAt: number }[] }> {
    const now = this.#clock();
    const before = (await this.#store.listSigningKeys()).filter((record) => record.retiresAt === null);
    const fresh = await generateSigningKey(this.#kek, now);
    await this.#store.insertSigningKey(fresh);
    const retiresAt = now + this.#config.keyOverlapSeconds * 1000;
    await this.#store.retireSigningKeys(fresh.kid, retiresAt);
    await this.#store.deleteSigningKeysRetiredBefore(now);
    await this.#load();
    return { kid: fresh.kid, retiring: before.map((record) => ({ kid: record.kid, retiresAt })) };
  }

  /** Every key in the store, for the management CLI. */
  async describe(): Promise<{ kid: string; createdAt: number; retiresAt: number | null; signing: boolean }[]> {
    const records = await this.#store.listSigningKeys();
    const signing = currentSigner(records)?.kid;
    return records.map((record) => ({
      kid: record.kid,
      createdAt: record.createdAt,
      retiresAt: record.retiresAt,
      signing: record.kid === signing,
    }));
  }
}
