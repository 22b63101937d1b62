import { createClient } from 'redis';
import { STORE_PREFIX_PATTERN, type AuthStore, type JsonObject, type RecordFilter, type RecordOptions, type StoreSettings, type StoredRecord } from '../store.js';

type RedisClient = ReturnType<typeof createClient>;

// A key exists only until its real expiry, which Redis enforces itself; an empty field stands for "none".
const CONSUME = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('HSETNX', KEYS[1], 'consumedAt', ARGV[1])`;

// NOTE: times travel as strings: Lua would print a millisecond timestamp as 1.7e+12.
const HIT = `
local now = tonumber(ARGV[1])
local amount = tonumber(ARGV[2])
local start = tonumber(redis.call('HGET', KEYS[1], 'start') or '')
local finish = redis.call('HGET', KEYS[1], 'end')
if start == nil or finish == false or now >= tonumber(finish) or now < start then
  if amount == 0 then return {0, ARGV[1]} end
  redis.call('HSET', KEYS[1], 'count', amount, 'start', ARGV[1], 'end', ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  return {amount, ARGV[3]}
end
return {redis.call('HINCRBY', KEYS[1], 'count', amount), finish}`;

const toDate = (field: string | undefined): Date | null => (field ? new Date(Number(field)) : null);
const globSafe = (text: string): string => text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

/**
 * Shared by every instance of the app. A record is a hash that Redis expires
 * on its own; the indexes (by kind, owner, group, lookup) may point at records
 * that are gone or changed, so every read through them checks the record.
 */
export class RedisStore implements AuthStore {
  readonly name = 'redis';
  private readonly client: RedisClient;
  private readonly prefix: string;

  constructor(client: RedisClient, prefix: string) {
    if (!STORE_PREFIX_PATTERN.test(prefix)) throw new Error(`The store prefix "${prefix}" must be lowercase letters, digits and "_".`);
    this.client = client;
    this.prefix = prefix;
  }

  private recordKey = (kind: string, id: string) => `${this.prefix}:r:${kind}:${id}`;
  private kindIndex = (kind: string) => `${this.prefix}:k:${kind}`;
  private ownerIndex = (kind: string, owner: string) => `${this.prefix}:o:${kind}:${owner}`;
  private groupIndex = (kind: string, group: string) => `${this.prefix}:g:${kind}:${group}`;
  private lookupKey = (kind: string, lookup: string) => `${this.prefix}:l:${kind}:${lookup}`;
  private counterKey = (key: string) => `${this.prefix}:c:${key}`;

  async init(): Promise<void> {
    await this.client.ping();
  }

  private async write(kind: string, id: string, value: JsonObject, options: RecordOptions, replace: boolean): Promise<void> {
    const key = this.recordKey(kind, id);
    const fields = {
      value: JSON.stringify(value),
      expiresAt: options.expiresAt ? String(options.expiresAt.getTime()) : '',
      owner: options.owner ?? '',
      group: options.group ?? '',
      lookup: options.lookup ?? '',
    };
    const batch = this.client.multi();
    if (replace) batch.del(key);
    batch.hSet(key, fields).sAdd(this.kindIndex(kind), id);
    if (options.expiresAt) batch.pExpireAt(key, options.expiresAt.getTime());
    if (options.owner) batch.sAdd(this.ownerIndex(kind, options.owner), id);
    if (options.group) batch.sAdd(this.groupIndex(kind, options.group), id);
    if (options.lookup) {
      batch.set(this.lookupKey(kind, options.lookup), id);
      if (options.expiresAt) batch.pExpireAt(this.lookupKey(kind, options.lookup), options.expiresAt.getTime());
    }
    await batch.exec();
  }

  async upsert(kind: string, id: string, value: JsonObject, options: RecordOptions = {}): Promise<void> {
    await this.write(kind, id, value, options, true);
  }

  async create(kind: string, id: string, value: JsonObject, options: RecordOptions = {}): Promise<boolean> {
    // HSETNX decides the race: only one caller sets the first field of a new record.
    if (!(await this.client.hSetNX(this.recordKey(kind, id), 'value', JSON.stringify(value)))) return false;
    await this.write(kind, id, value, options, false);
    return true;
  }

  async find(kind: string, id: string): Promise<StoredRecord | null> {
    const hash = (await this.client.hGetAll(this.recordKey(kind, id))) as Record<string, string>;
    if (hash.value === undefined) return null;
    const expiresAt = toDate(hash.expiresAt);
    if (expiresAt !== null && expiresAt.getTime() <= Date.now()) return null;
    return {
      kind,
      id,
      value: JSON.parse(hash.value) as JsonObject,
      expiresAt,
      owner: hash.owner || null,
      group: hash.group || null,
      lookup: hash.lookup || null,
      consumedAt: toDate(hash.consumedAt),
    };
  }

  async findByLookup(kind: string, lookup: string): Promise<StoredRecord | null> {
    const id = await this.client.get(this.lookupKey(kind, lookup));
    if (id === null) return null;
    const record = await this.find(kind, String(id));
    return record?.lookup === lookup ? record : null;
  }

  async list(kind: string, filter: RecordFilter = {}): Promise<StoredRecord[]> {
    const index =
      filter.owner !== undefined ? this.ownerIndex(kind, filter.owner) : filter.group !== undefined ? this.groupIndex(kind, filter.group) : this.kindIndex(kind);
    const ids = (await this.client.sMembers(index)).map(String).sort();
    const found: StoredRecord[] = [];
    const gone: string[] = [];
    for (const id of ids) {
      const record = await this.find(kind, id);
      if (record === null) gone.push(id);
      else if ((filter.owner === undefined || record.owner === filter.owner) && (filter.group === undefined || record.group === filter.group)) found.push(record);
    }
    if (gone.length > 0) await this.client.sRem(index, gone);
    return found;
  }

  async consume(kind: string, id: string, at: Date): Promise<boolean> {
    const result = await this.client.eval(CONSUME, { keys: [this.recordKey(kind, id)], arguments: [String(at.getTime())] });
    return Number(result) === 1;
  }

  async destroy(kind: string, id: string): Promise<boolean> {
    return (await this.client.del(this.recordKey(kind, id))) > 0;
  }

  async destroyWhere(kind: string, filter: RecordFilter): Promise<number> {
    if (filter.owner === undefined && filter.group === undefined) throw new Error('destroyWhere needs an owner or a group');
    let count = 0;
    for (const record of await this.list(kind, filter)) if (await this.destroy(kind, record.id)) count += 1;
    return count;
  }

  async hit(key: string, windowSeconds: number, at: Date, amount = 1): Promise<{ count: number; resetAt: Date }> {
    const now = at.getTime();
    const end = now + windowSeconds * 1000;
    // The counter outlives its window by a day of real time, then Redis drops it.
    const keep = windowSeconds * 1000 + 86_400_000;
    const [count, resetAt] = (await this.client.eval(HIT, {
      keys: [this.counterKey(key)],
      arguments: [String(now), String(amount), String(end), String(keep)],
    })) as [number, string];
    return { count: Number(count), resetAt: new Date(Number(resetAt)) };
  }

  async resetCounter(key: string): Promise<void> {
    await this.client.del(this.counterKey(key));
  }

  async counters(prefix: string): Promise<{ key: string; count: number }[]> {
    const start = this.counterKey('');
    const found: { key: string; count: number }[] = [];
    for await (const batch of this.client.scanIterator({ MATCH: `${globSafe(this.counterKey(prefix))}*`, COUNT: 500 })) {
      for (const key of [batch].flat().map(String)) {
        const count = await this.client.hGet(key, 'count');
        if (count !== null && count !== undefined) found.push({ key: key.slice(start.length), count: Number(count) });
      }
    }
    return found.sort((a, b) => a.key.localeCompare(b.key));
  }

  async close(): Promise<void> {
    if (this.client.isOpen) await this.client.close();
  }
}

export async function openStore(settings: StoreSettings): Promise<AuthStore> {
  if (!settings.redisUrl) throw new Error('REDIS_URL is not set. The auth store needs Redis, e.g. REDIS_URL=redis://127.0.0.1:6379');
  const client: RedisClient = createClient({ url: settings.redisUrl });
  client.on('error', (error: unknown) => {
    console.error(`auth store: Redis error: ${error instanceof Error ? error.message : String(error)}`);
  });
  await client.connect();
  const store = new RedisStore(client, settings.prefix);
  await store.init();
  return store;
}
