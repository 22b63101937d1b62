import { createClient } from 'redis';
import type { OAuthStore, StoredRecord } from '../core/store.js';

export interface RedisStoreOptions {
  /** redis://host:port */
  url: string;
  /** Prefix of every key, so several apps (or test runs) can share one Redis. */
  keyPrefix?: string;
}

/**
 * The scale-out store: several instances of the authorization server and the
 * API share one Redis. Expiry uses Redis's own key expiry; the secondary
 * indexes (grant, uid, user code) are kept beside the records and expire with them.
 */
export async function openStore(options: RedisStoreOptions): Promise<OAuthStore> {
  const prefix = options.keyPrefix ?? 'oauth:';
  const client = createClient({ url: options.url });
  client.on('error', (error: unknown) => console.error('redis:', error instanceof Error ? error.message : error));
  await client.connect();

  const recordKey = (model: string, id: string) => `${prefix}${model}:${id}`;
  const grantKey = (grantId: string) => `${prefix}grant:${grantId}`;
  const lookupKey = (model: string, key: string, value: string) => `${prefix}lookup:${key}:${model}:${value}`;
  const ttlOf = (expiresAt: number | null) => (expiresAt === null ? null : Math.max(1, expiresAt - Date.now()));

  const set = (key: string, value: string, ttl: number | null) =>
    ttl === null ? client.set(key, value) : client.set(key, value, { expiration: { type: 'PX', value: ttl } });

  return {
    async upsert(model, id, payload, expiresAt, index = {}) {
      const ttl = ttlOf(expiresAt);
      const key = recordKey(model, id);
      const multi = client.multi();
      if (ttl === null) multi.set(key, JSON.stringify(payload));
      else multi.set(key, JSON.stringify(payload), { expiration: { type: 'PX', value: ttl } });
      if (index.grantId) {
        multi.rPush(grantKey(index.grantId), key);
        if (ttl !== null) multi.pExpire(grantKey(index.grantId), ttl, 'GT');
        else multi.persist(grantKey(index.grantId));
      }
      for (const name of ['uid', 'userCode'] as const) {
        const value = index[name];
        if (!value) continue;
        if (ttl === null) multi.set(lookupKey(model, name, value), id);
        else multi.set(lookupKey(model, name, value), id, { expiration: { type: 'PX', value: ttl } });
      }
      await multi.exec();
    },
    async insertIfAbsent(model, id, payload, expiresAt) {
      const ttl = ttlOf(expiresAt);
      const result =
        ttl === null
          ? await client.set(recordKey(model, id), JSON.stringify(payload), { condition: 'NX' })
          : await client.set(recordKey(model, id), JSON.stringify(payload), { condition: 'NX', expiration: { type: 'PX', value: ttl } });
      return result === 'OK';
    },
    async find(model, id) {
      const value = await client.get(recordKey(model, id));
      return value ? (JSON.parse(value) as Record<string, unknown>) : undefined;
    },
    async findBy(model, key, value) {
      const id = await client.get(lookupKey(model, key, value));
      if (!id) return undefined;
      const record = await client.get(recordKey(model, id));
      return record ? (JSON.parse(record) as Record<string, unknown>) : undefined;
    },
    async consume(model, id, consumedAt) {
      const key = recordKey(model, id);
      const value = await client.get(key);
      if (!value) return;
      const ttl = await client.pTTL(key);
      await set(key, JSON.stringify({ ...(JSON.parse(value) as object), consumed: consumedAt }), ttl > 0 ? ttl : null);
    },
    async destroy(model, id) {
      await client.del(recordKey(model, id));
    },
    async revokeByGrantId(grantId) {
      const keys = await client.lRange(grantKey(grantId), 0, -1);
      await client.del([...keys, grantKey(grantId)]);
    },
    async list(model) {
      const found: StoredRecord[] = [];
      for await (const keys of client.scanIterator({ MATCH: `${prefix}${model}:*`, COUNT: 200 })) {
        for (const key of keys) {
          const value = await client.get(key);
          if (value) found.push({ id: key.slice(prefix.length + model.length + 1), payload: JSON.parse(value) as Record<string, unknown> });
        }
      }
      return found.sort((a, b) => a.id.localeCompare(b.id));
    },
    async close() {
      await client.quit();
    },
  };
}

/** The store the demo and the CLI share: REDIS_URL, keys under OAUTH_REDIS_PREFIX (default `oauth:`). */
export function openStoreFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<OAuthStore> {
  if (!env.REDIS_URL) throw new Error('Set REDIS_URL (redis://host:port) for the redis store.');
  return openStore({ url: env.REDIS_URL, keyPrefix: env.OAUTH_REDIS_PREFIX || 'oauth:' });
}
