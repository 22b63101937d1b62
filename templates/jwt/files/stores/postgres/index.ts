import { openPostgresStore } from './postgres-store.js';
import type { PostgresSettings } from './postgres-store.js';
import type { AuthStore } from '../core/store.js';

// PostgreSQL holds everything (users, signing keys, refresh tokens, token versions, rate limits), so
// any number of instances can share it.

export type StoreSettings = PostgresSettings;

type Env = Readonly<Record<string, string | undefined>>;

export function storeSettingsFromEnv(env: Env, _dataDir: string): StoreSettings {
  const connectionString = env.DATABASE_URL;
  if (connectionString === undefined || connectionString === '') {
    throw new Error('DATABASE_URL must be set to a PostgreSQL connection string (postgres://user:pass@host:port/db).');
  }
  const schema = env.AUTH_PG_SCHEMA;
  return { connectionString, ...(schema === undefined || schema === '' ? {} : { schema }) };
}

export async function openStore(settings: StoreSettings): Promise<AuthStore> {
  return openPostgresStore(settings);
}
