import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testStoreOf, type TestStore } from './test-store.js';

/** A real SQLite file in a fresh temp folder. */
export function openTestStore(): Promise<TestStore> {
  const folder = mkdtempSync(join(tmpdir(), 'auth-test-'));
  const sqlitePath = join(folder, 'auth.sqlite');
  return testStoreOf(
    { prefix: 'auth', sqlitePath, databaseUrl: undefined, redisUrl: undefined },
    { AUTH_SQLITE_PATH: sqlitePath, AUTH_STORE_PREFIX: 'auth' },
    async () => rmSync(folder, { recursive: true, force: true }),
  );
}
