import { createClient } from 'redis';
import type { RedisClientType } from 'redis';
import { openPostgresStore } from './postgres-store.js';
import type { PostgresSettings } from './postgres-store.js';
import { createRedisRecords } from './redis-records.js';
import type { AuthStore } from '../core/store.js';

// What every request touches — the token-version check and the rate-limit counters — is served
// from Redis. The durable records (users, signing keys, refresh tokens) go to PostgreSQL when
// DATABASE_URL is set, which is the recommended split for several instances; without it they are
// kept in Redis as well, which then needs persistence (appendonly yes). With PostgreSQL, it stays the
// source of truth for token versions: a version missing from Redis is reloaded from it, never
// assumed to be 0.

export interface StoreSettings {
  redisUrl: string;
  /** Prefix of every Redis key this module writes. */
  redisKeyPrefix?: string;
  /** When set, users, signing keys and refresh tokens live in PostgreSQL. */
  postgres?: PostgresSettings;
}

type Env = Readonly<Record<string, string | undefined>>;

export function storeSettingsFromEnv(env: Env, _dataDir: string): StoreSettings {
  const redisUrl = env.REDIS_URL;
  if (redisUrl === undefined || redisUrl === '') {
    throw new Error('REDIS_URL must be set (redis://host:port); DATABASE_URL may add PostgreSQL for durable records.');
  }
  const connectionString = env.DATABASE_URL;
  const schema = env.AUTH_PG_SCHEMA;
  return {
    redisUrl,
    redisKeyPrefix: env.AUTH_REDIS_PREFIX ?? 'auth:',
    ...(connectionString === undefined || connectionString === ''
      ? {}
      : { postgres: { connectionString, ...(schema === undefined || schema === '' ? {} : { schema }) } }),
  };
}

// Sets the cached version only upward, so a slow reader can never put back an older version
// after a logout has raised it.
const SET_IF_HIGHER = `
local current = redis.call('GET', KEYS[1])
if current == false or tonumber(current) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return 1
`;

const VERSION_CACHE_MS = 24 * 3600 * 1000;

export async function openStore(settings: StoreSettings): Promise<AuthStore> {
  const redis = createClient({ url: settings.redisUrl }) as RedisClientType;
  redis.on('error', (error: unknown) => {
    // NOTE: without a listener the client would crash the process on a dropped connection; it
    // reconnects by itself and the failed command rejects, which turns into a 500 for that request.
    console.error('[auth] redis:', error instanceof Error ? error.message : error);
  });
  await redis.connect();
  const prefix = settings.redisKeyPrefix ?? 'auth:';
  const hitRateLimit: AuthStore['hitRateLimit'] = async (key, windowMs, now) => {
    const windowStart = now - (now % windowMs);
    const redisKey = `${prefix}rate:${key}:${windowStart}`;
    const [count] = await redis.multi().incr(redisKey).pExpire(redisKey, windowMs).exec();
    return Number(count);
  };

  if (!settings.postgres) {
    return {
      ...createRedisRecords(redis, prefix),
      description: 'redis',
      hitRateLimit,
      async close() {
        await redis.quit().catch(() => undefined);
      },
    };
  }

  let durable: AuthStore;
  try {
    durable = await openPostgresStore(settings.postgres);
  } catch (error) {
    await redis.quit().catch(() => undefined);
    throw error;
  }
  const versionKey = (userId: string): string => `${prefix}token-version:${userId}`;
  const cacheVersion = async (userId: string, version: number): Promise<void> => {
    await redis.eval(SET_IF_HIGHER, { keys: [versionKey(userId)], arguments: [String(version), String(VERSION_CACHE_MS)] });
  };
  return {
    ...durable,
    description: `${durable.description} + redis`,
    async setUserDisabled(id, disabled) {
      const changed = await durable.setUserDisabled(id, disabled);
      // The next check reads the disabled flag from PostgreSQL (disabling also bumps the version).
      await redis.del(versionKey(id));
      return changed;
    },
    async bumpTokenVersion(id) {
      const version = await durable.bumpTokenVersion(id);
      if (version !== null) await cacheVersion(id, version);
      return version;
    },
    async getActiveTokenVersion(id) {
      const cached = await redis.get(versionKey(id));
      if (cached !== null) return Number(cached);
      const version = await durable.getActiveTokenVersion(id);
      if (version !== null) await cacheVersion(id, version);
      return version;
    },
    hitRateLimit,
    async close() {
      await redis.quit().catch(() => undefined);
      await durable.close();
    },
  };
}
