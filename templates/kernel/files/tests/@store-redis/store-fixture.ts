import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { testStoreOf, type TestStore } from './test-store.js';

/** A real Redis server, under a key prefix of this run's own so concurrent runs never meet. */
export function openTestStore(): Promise<TestStore> {
  const redisUrl = process.env.REDIS_URL;
  if (!redisUrl) throw new Error('REDIS_URL is not set. These tests run against a real Redis server: set REDIS_URL=redis://127.0.0.1:6379');
  const prefix = `t_${randomBytes(6).toString('hex')}`;
  return testStoreOf({ prefix, sqlitePath: '', databaseUrl: undefined, redisUrl }, { REDIS_URL: redisUrl, AUTH_STORE_PREFIX: prefix }, async () => {
    const client = createClient({ url: redisUrl });
    await client.connect();
    try {
      const keys: string[] = [];
      for await (const batch of client.scanIterator({ MATCH: `${prefix}:*`, COUNT: 500 })) keys.push(...[batch].flat().map(String));
      if (keys.length > 0) await client.del(keys);
    } finally {
      await client.close();
    }
  });
}
