import { createClient } from 'redis';
import type { ApiKeyChanges, ApiKeyRecord, ApiKeyStore, FailureCount } from '../core/store.js';

type RedisClient = ReturnType<typeof createClient>;

export interface RedisStoreOptions {
  /** Default: REDIS_URL. */
  url?: string;
  /** Prefix of every Redis key this store writes. Default: API_KEYS_REDIS_PREFIX, else "apikeys:". */
  keyPrefix?: string;
}

// Empty string stands for "no value" in a Redis hash.
const toField = (date: Date | null) => (date ? String(date.getTime()) : '');
const toDate = (field: string | undefined) => (field ? new Date(Number(field)) : null);

const FIELDS: Record<keyof ApiKeyChanges, string> = {
  expiresAt: 'expiresAt',
  revokedAt: 'revokedAt',
  lastUsedAt: 'lastUsedAt',
  replacedBy: 'replacedBy',
};

/**
 * Shared store for several instances. Each key is a hash, so an update writes
 * only the fields it names: a last-used stamp can never undo a revocation.
 */
export class RedisApiKeyStore implements ApiKeyStore {
  private readonly client: RedisClient;
  private readonly prefix: string;

  constructor(client: RedisClient, prefix: string) {
    this.client = client;
    this.prefix = prefix;
  }

  private keyOf(id: string): string {
    return `${this.prefix}key:${id}`;
  }

  private get index(): string {
    return `${this.prefix}keys`;
  }

  async init(): Promise<void> {}

  async insertKey(record: ApiKeyRecord): Promise<void> {
    const created = await this.client.hSetNX(this.keyOf(record.id), 'id', record.id);
    if (!created) throw new Error(`An API key with id ${record.id} already exists.`);
    await this.client
      .multi()
      .hSet(this.keyOf(record.id), {
        subject: record.subject,
        tenant: record.tenant,
        scopes: JSON.stringify(record.scopes),
        secretHash: record.secretHash,
        createdAt: String(record.createdAt.getTime()),
        expiresAt: toField(record.expiresAt),
        revokedAt: toField(record.revokedAt),
        lastUsedAt: toField(record.lastUsedAt),
        replacedBy: record.replacedBy ?? '',
      })
      .zAdd(this.index, { score: record.createdAt.getTime(), value: record.id })
      .exec();
  }

  async findKeyById(id: string): Promise<ApiKeyRecord | null> {
    const hash = (await this.client.hGetAll(this.keyOf(id))) as Record<string, string>;
    if (!hash.id || !hash.secretHash) return null;
    return {
      id: hash.id,
      subject: hash.subject ?? '',
      tenant: hash.tenant ?? '',
      scopes: JSON.parse(hash.scopes ?? '[]') as string[],
      secretHash: hash.secretHash,
      createdAt: new Date(Number(hash.createdAt)),
      expiresAt: toDate(hash.expiresAt),
      revokedAt: toDate(hash.revokedAt),
      lastUsedAt: toDate(hash.lastUsedAt),
      replacedBy: hash.replacedBy ? hash.replacedBy : null,
    };
  }

  async listKeys(filter: { tenant?: string } = {}): Promise<ApiKeyRecord[]> {
    const ids = await this.client.zRange(this.index, 0, -1);
    const records: ApiKeyRecord[] = [];
    for (const id of ids) {
      const record = await this.findKeyById(String(id));
      if (record && (filter.tenant === undefined || record.tenant === filter.tenant)) records.push(record);
    }
    return records;
  }

  async updateKey(id: string, changes: ApiKeyChanges): Promise<boolean> {
    if ((await this.client.exists(this.keyOf(id))) === 0) return false;
    const values: Record<string, string> = {};
    for (const field of Object.keys(changes) as (keyof ApiKeyChanges)[]) {
      if (!(field in FIELDS)) continue;
      const value = changes[field];
      values[FIELDS[field]] = value instanceof Date ? toField(value) : (value ?? '');
    }
    if (Object.keys(values).length > 0) await this.client.hSet(this.keyOf(id), values);
    return true;
  }

  async recordFailure(client: string, windowMs: number, now: Date): Promise<FailureCount> {
    // NOTE: the window is timed by Redis itself (PEXPIRE NX starts it on the first
    // failure), so every instance agrees on it whatever their clocks say.
    const counter = `${this.prefix}failures:${client}`;
    const [count, , ttl] = (await this.client
      .multi()
      .incr(counter)
      .pExpire(counter, windowMs, 'NX')
      .pTTL(counter)
      .exec()) as unknown as [number, number, number];
    return { count: Number(count), resetAt: new Date(now.getTime() + Math.max(0, Number(ttl))) };
  }

  async close(): Promise<void> {
    if (this.client.isOpen) await this.client.close();
  }
}

export async function openStore(
  options: RedisStoreOptions = {},
  env: Record<string, string | undefined> = process.env,
): Promise<ApiKeyStore> {
  const url = options.url ?? env.REDIS_URL;
  if (!url) {
    throw new Error('REDIS_URL is not set. The API key store needs Redis, e.g. REDIS_URL=redis://127.0.0.1:6379');
  }
  const client: RedisClient = createClient({ url });
  client.on('error', (error: unknown) => {
    console.error(`api-key store: Redis error: ${error instanceof Error ? error.message : String(error)}`);
  });
  await client.connect();
  const store = new RedisApiKeyStore(client, options.keyPrefix ?? env.API_KEYS_REDIS_PREFIX ?? 'apikeys:');
  await store.init();
  return store;
}

export const storeName = 'redis';
