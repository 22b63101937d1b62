import { calculateJwkThumbprint, compactDecrypt, CompactEncrypt, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Clock } from '../../kernel/clock.js';
import type { AuthStore, JsonObject, StoredRecord } from '../../kernel/store.js';

/**
 * The ES256 keys this package signs access tokens with, in the store so every
 * instance shares them. Private halves are sealed with JWT_KEY_ENCRYPTION_KEY
 * (JWE, `dir` + A256GCM), which never enters the store: a copy of the database
 * alone cannot mint tokens.
 *
 * Life of a key: it is published (JWKS) as soon as it exists, signs from
 * `activatesAt`, stops signing when a newer key activates, and stays published
 * for one access-token lifetime plus the clock skew after that, so every token
 * it signed can still be verified; then it is deleted.
 *
 * Rotation happens by itself every `signingKeyRotation` seconds: the successor
 * is published PUBLISH_AHEAD before it signs, so other instances and the key
 * caches of other APIs know it before its first token arrives. A rotation
 * forced with `auth:jwt -- keys rotate` signs at once (a leaked key must stop
 * signing now); others pick it up on the first unknown `kid`.
 */
export const KEY_KIND = 'jwt-signing-key';
const ROTATION_LOCK = 'jwt-signing-key-rotation';

/** How long before a scheduled successor signs it is already published. */
export const PUBLISH_AHEAD = 3_600;
/** Every instance rereads the keys at least this often (seconds of the kernel clock); less than PUBLISH_AHEAD. */
export const KEY_RELOAD = 300;
/** Least time between two rereads caused by an unknown `kid`: a flood of made-up kids costs one read per cooldown. */
export const KEY_RELOAD_COOLDOWN = 30;

/** A kid is a map key and nothing else: a JWK thumbprint's shape, so a path, SQL or shell text never reaches anything. */
export const KID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface SigningKey {
  kid: string;
  publicJwk: JWK;
  sealedPrivateJwk: string;
  /** ms since the epoch, kernel clock. */
  createdAt: number;
  activatesAt: number;
  /** One more than the newest key's when made: orders keys that activate in the same millisecond. */
  serial: number;
}

export interface KeyStatus {
  kid: string;
  createdAt: string;
  activatesAt: string;
  /** When a newer key took over; null while it signs or has not started. */
  retiredAt: string | null;
  /** When it leaves the key set; null while it signs. */
  unpublishedAt: string | null;
  state: 'signing' | 'next' | 'retired';
}

function fromRecord(record: StoredRecord): SigningKey {
  const value = record.value as unknown as Omit<SigningKey, 'kid'>;
  return { ...value, kid: record.id, serial: Number(value.serial) || 0 };
}
/** Oldest first: by activation, then by serial. */
const byAge = (a: SigningKey, b: SigningKey): number => a.activatesAt - b.activatesAt || a.serial - b.serial || a.kid.localeCompare(b.kid);
/** The keys after `key`, in order. */
const successors = (key: SigningKey, keys: readonly SigningKey[]): SigningKey[] => keys.filter((other) => byAge(other, key) > 0).sort(byAge);

interface Snapshot {
  /** Published when loaded, oldest first by activatesAt. */
  keys: SigningKey[];
  loadedAt: number;
  verifying: Map<string, Promise<CryptoKey>>;
  /** When each key leaves the key set (ms); absent while it has no successor. */
  unpublishAt: Map<string, number>;
}

export interface KeyRingOptions {
  store: AuthStore;
  clock: Clock;
  keyEncryptionKey: Uint8Array;
  /** Seconds between scheduled rotations. */
  rotation: number;
  /** Seconds a retired key stays published: the access-token lifetime plus the clock skew. */
  overlap: number;
}

export class KeyRing {
  private readonly options: KeyRingOptions;
  private snapshot: Snapshot | null = null;
  private loading: Promise<Snapshot> | null = null;
  private readonly privateKeys = new Map<string, Promise<CryptoKey>>();

  constructor(options: KeyRingOptions) {
    this.options = options;
  }

  private now(): number {
    return this.options.clock.now().getTime();
  }

  /** When `key` stopped signing: the activation of the next key that has activated; null while it signs. */
  private retiredAt(key: SigningKey, keys: readonly SigningKey[], now: number): number | null {
    const next = successors(key, keys).find((other) => other.activatesAt <= now);
    return next ? next.activatesAt : null;
  }

  private published(key: SigningKey, keys: readonly SigningKey[], now: number): boolean {
    const retired = this.retiredAt(key, keys, now);
    return retired === null || retired + this.options.overlap * 1000 > now;
  }

  private reload(): Promise<Snapshot> {
    this.loading ??= (async () => {
      try {
        const now = this.now();
        const all = (await this.options.store.list(KEY_KIND)).map(fromRecord).sort(byAge);
        const keys = all.filter((key) => this.published(key, all, now));
        const verifying = new Map<string, Promise<CryptoKey>>();
        const unpublishAt = new Map<string, number>();
        for (const key of keys) {
          verifying.set(key.kid, this.snapshot?.verifying.get(key.kid) ?? (importJWK(key.publicJwk, 'ES256') as Promise<CryptoKey>));
          // A successor that has not activated yet retires this key at its activation.
          const next = successors(key, all)[0];
          if (next) unpublishAt.set(key.kid, next.activatesAt + this.options.overlap * 1000);
        }
        this.snapshot = { keys, loadedAt: now, verifying, unpublishAt };
        return this.snapshot;
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }

  private async current(): Promise<Snapshot> {
    const snapshot = this.snapshot;
    if (snapshot && this.now() - snapshot.loadedAt < KEY_RELOAD * 1000 && this.now() >= snapshot.loadedAt) return snapshot;
    return this.reload();
  }

  private async seal(privateJwk: JWK, kid: string): Promise<string> {
    return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(privateJwk)))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid })
      .encrypt(this.options.keyEncryptionKey);
  }

  private async unseal(key: SigningKey): Promise<CryptoKey> {
    const { plaintext, protectedHeader } = await compactDecrypt(key.sealedPrivateJwk, this.options.keyEncryptionKey, {
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    // The kid is in the authenticated header: a sealed key moved to another record does not open.
    if (protectedHeader.kid !== key.kid) throw new Error(`the sealed key of ${key.kid} belongs to another key`);
    return importJWK(JSON.parse(new TextDecoder().decode(plaintext)) as JWK, 'ES256') as Promise<CryptoKey>;
  }

  /** Makes a key pair, seals the private half and stores it; it signs from `activatesAt`. */
  private async add(activatesAt: number): Promise<SigningKey> {
    const serial = Math.max(0, ...(await this.options.store.list(KEY_KIND)).map((record) => fromRecord(record).serial)) + 1;
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const exported = await exportJWK(publicKey);
    const publicJwk: JWK = { kty: 'EC', crv: 'P-256', x: exported.x!, y: exported.y! };
    const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
    const sealedPrivateJwk = await this.seal(await exportJWK(privateKey), kid);
    const createdAt = this.now();
    await this.options.store.upsert(KEY_KIND, kid, { publicJwk, sealedPrivateJwk, createdAt, activatesAt, serial } as unknown as JsonObject);
    this.privateKeys.set(kid, Promise.resolve(privateKey));
    return { kid, publicJwk, sealedPrivateJwk, createdAt, activatesAt, serial };
  }

  /** Deletes keys no longer published. */
  private async prune(keys: readonly SigningKey[]): Promise<void> {
    const now = this.now();
    for (const key of keys) if (!this.published(key, keys, now)) await this.options.store.destroy(KEY_KIND, key.kid);
  }

  /** The key to sign with now; makes the first key, and schedules the next one when the rotation period is over. */
  async signer(): Promise<{ kid: string; key: CryptoKey }> {
    const now = this.now();
    let snapshot = await this.current();
    let active = snapshot.keys.filter((key) => key.activatesAt <= now).at(-1);
    if (!active) {
      snapshot = await this.reload();
      active = snapshot.keys.filter((key) => key.activatesAt <= now).at(-1);
    }
    if (!active) {
      // First start. Two instances starting at once may each make one: both are published, the newer signs.
      active = await this.add(now);
      await this.reload();
    } else if (active.activatesAt + this.options.rotation * 1000 <= now && successors(active, snapshot.keys).length === 0) {
      // One instance wins the right to schedule the successor of this key.
      if (await this.options.store.create(ROTATION_LOCK, active.kid, {}, { expiresAt: new Date(Date.now() + (this.options.rotation + PUBLISH_AHEAD) * 1000) })) {
        await this.add(now + PUBLISH_AHEAD * 1000);
        await this.prune((await this.options.store.list(KEY_KIND)).map(fromRecord));
        await this.reload();
      }
    }
    const signing = active;
    let key = this.privateKeys.get(signing.kid);
    if (!key) {
      key = this.unseal(signing);
      this.privateKeys.set(signing.kid, key);
      key.catch(() => this.privateKeys.delete(signing.kid));
    }
    return { kid: signing.kid, key: await key };
  }

  /**
   * The public key for `kid`, or undefined. A kid not of a thumbprint's shape
   * never reaches the store; an unknown one rereads the keys at most once per
   * cooldown.
   */
  async verificationKey(kid: unknown): Promise<CryptoKey | undefined> {
    if (typeof kid !== 'string' || !KID_PATTERN.test(kid)) return undefined;
    const snapshot = await this.current();
    const known = snapshot.verifying.get(kid);
    if (known) return this.isPublished(snapshot, kid) ? known : undefined;
    if (this.now() - snapshot.loadedAt < KEY_RELOAD_COOLDOWN * 1000 && this.now() >= snapshot.loadedAt) return undefined;
    return (await this.reload()).verifying.get(kid);
  }

  private isPublished(snapshot: Snapshot, kid: string): boolean {
    return (snapshot.unpublishAt.get(kid) ?? Infinity) > this.now();
  }

  /** The public key set (`/.well-known/jwks.json`): published keys only, public halves only. */
  async jwks(): Promise<{ keys: JWK[] }> {
    const snapshot = await this.current();
    return {
      keys: snapshot.keys.filter((key) => this.isPublished(snapshot, key.kid)).map((key) => ({ ...key.publicJwk, kid: key.kid, alg: 'ES256', use: 'sig' })),
    };
  }

  /** Signs with a new key from now on; the previous one stays published for the overlap. */
  async rotateNow(): Promise<KeyStatus[]> {
    await this.add(this.now());
    await this.prune((await this.options.store.list(KEY_KIND)).map(fromRecord));
    await this.reload();
    return this.describe();
  }

  /** Every key in the store and what it does now, for `auth:jwt -- keys list`. */
  async describe(): Promise<KeyStatus[]> {
    const now = this.now();
    const keys = (await this.options.store.list(KEY_KIND)).map(fromRecord).sort(byAge);
    const signing = keys.filter((key) => key.activatesAt <= now).at(-1);
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return keys.map((key) => {
      const retired = this.retiredAt(key, keys, now);
      return {
        kid: key.kid,
        createdAt: new Date(key.createdAt).toISOString(),
        activatesAt: new Date(key.activatesAt).toISOString(),
        retiredAt: iso(retired),
        unpublishedAt: iso(retired === null ? null : retired + this.options.overlap * 1000),
        state: key === signing ? 'signing' : key.activatesAt > now ? 'next' : 'retired',
      };
    });
  }
}
