import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { testStoreOf, type TestStore } from './test-store.js';

/** A real PostgreSQL database, with tables of this run's own prefix so concurrent runs never meet. */
export function openTestStore(): Promise<TestStore> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    throw new Error('DATABASE_URL is not set. These tests run against a real PostgreSQL server: set DATABASE_URL=postgres://user:password@127.0.0.1:5432/db');
  }
  const prefix = `t_${randomBytes(6).toString('hex')}`;
  return testStoreOf({ prefix, sqlitePath: '', databaseUrl, redisUrl: undefined }, { DATABASE_URL: databaseUrl, AUTH_STORE_PREFIX: prefix }, async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query(`DROP TABLE IF EXISTS ${prefix}_records, ${prefix}_counters`);
    } finally {
      await client.end();
    }
  });
}
