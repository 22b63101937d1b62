import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { ApiKeyChanges, ApiKeyRecord, ApiKeyStore, FailureCount } from '../core/store.js';

export interface SqliteStoreOptions {
  /** Database file. Default: API_KEYS_SQLITE_PATH, else data/api-keys.sqlite under the working directory. */
  path?: string;
}

interface KeyRow {
  id: string;
  subject: string;
  tenant: string;
  scopes: string;
  secret_hash: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
  replaced_by: string | null;
}

const COLUMNS: Record<keyof ApiKeyChanges, string> = {
  expiresAt: 'expires_at',
  revokedAt: 'revoked_at',
  lastUsedAt: 'last_used_at',
  replacedBy: 'replaced_by',
};

const toMs = (date: Date | null) => (date ? date.getTime() : null);
const toDate = (ms: number | null) => (ms === null ? null : new Date(ms));

function fromRow(row: KeyRow): ApiKeyRecord {
  return {
    id: row.id,
    subject: row.subject,
    tenant: row.tenant,
    scopes: JSON.parse(row.scopes) as string[],
    secretHash: row.secret_hash,
    createdAt: new Date(row.created_at),
    expiresAt: toDate(row.expires_at),
    revokedAt: toDate(row.revoked_at),
    lastUsedAt: toDate(row.last_used_at),
    replacedBy: row.replaced_by,
  };
}

/**
 * Embedded store: one file, no server. Right for a single instance; several
 * instances need the PostgreSQL or Redis store.
 */
export class SqliteApiKeyStore implements ApiKeyStore {
  readonly db: Database.Database;
  private failuresSincePrune = 0;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
  }

  /** Prepared once, reused: preparing costs more than running a lookup by primary key. */
  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  async init(): Promise<void> {
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS api_keys (
        id TEXT PRIMARY KEY,
        subject TEXT NOT NULL,
        tenant TEXT NOT NULL,
        scopes TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER,
        revoked_at INTEGER,
        last_used_at INTEGER,
        replaced_by TEXT
      );
      CREATE INDEX IF NOT EXISTS api_keys_tenant ON api_keys (tenant);
      CREATE TABLE IF NOT EXISTS api_key_failures (
        client TEXT PRIMARY KEY,
        window_start INTEGER NOT NULL,
        count INTEGER NOT NULL
      );
    `);
  }

  async insertKey(record: ApiKeyRecord): Promise<void> {
    this
      .sql(
        `INSERT INTO api_keys (id, subject, tenant, scopes, secret_hash, created_at, expires_at, revoked_at, last_used_at, replaced_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        record.id,
        record.subject,
        record.tenant,
        JSON.stringify(record.scopes),
        record.secretHash,
        record.createdAt.getTime(),
        toMs(record.expiresAt),
        toMs(record.revokedAt),
        toMs(record.lastUsedAt),
        record.replacedBy,
      );
  }

  async findKeyById(id: string): Promise<ApiKeyRecord | null> {
    const row = this.sql('SELECT * FROM api_keys WHERE id = ?').get(id) as KeyRow | undefined;
    return row ? fromRow(row) : null;
  }

  async listKeys(filter: { tenant?: string } = {}): Promise<ApiKeyRecord[]> {
    const rows = (
      filter.tenant === undefined
        ? this.sql('SELECT * FROM api_keys ORDER BY created_at, id').all()
        : this.sql('SELECT * FROM api_keys WHERE tenant = ? ORDER BY created_at, id').all(filter.tenant)
    ) as KeyRow[];
    return rows.map(fromRow);
  }

  async updateKey(id: string, changes: ApiKeyChanges): Promise<boolean> {
    // Only the named columns are written, so a last-used stamp can never undo a revocation.
    const fields = (Object.keys(changes) as (keyof ApiKeyChanges)[]).filter((field) => field in COLUMNS);
    if (fields.length === 0) return (await this.findKeyById(id)) !== null;
    const assignments = fields.map((field) => `${COLUMNS[field]} = ?`).join(', ');
    const values = fields.map((field) => {
      const value = changes[field];
      return value instanceof Date ? value.getTime() : (value ?? null);
    });
    const result = this.sql(`UPDATE api_keys SET ${assignments} WHERE id = ?`).run(...values, id);
    return result.changes > 0;
  }

  async recordFailure(client: string, windowMs: number, now: Date): Promise<FailureCount> {
    const at = now.getTime();
    if (++this.failuresSincePrune >= 1000) {
      this.failuresSincePrune = 0;
      this.sql('DELETE FROM api_key_failures WHERE window_start <= ?').run(at - windowMs);
    }
    const row = this
      .sql(
        `INSERT INTO api_key_failures (client, window_start, count) VALUES (@client, @at, 1)
         ON CONFLICT (client) DO UPDATE SET
           count = CASE WHEN @at - window_start >= @windowMs THEN 1 ELSE count + 1 END,
           window_start = CASE WHEN @at - window_start >= @windowMs THEN @at ELSE window_start END
         RETURNING count, window_start`,
      )
      .get({ client, at, windowMs }) as { count: number; window_start: number };
    return { count: row.count, resetAt: new Date(row.window_start + windowMs) };
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

export async function openStore(
  options: SqliteStoreOptions = {},
  env: Record<string, string | undefined> = process.env,
  cwd: string = process.cwd(),
): Promise<ApiKeyStore> {
  const path = resolve(cwd, options.path ?? env.API_KEYS_SQLITE_PATH ?? 'data/api-keys.sqlite');
  const store = new SqliteApiKeyStore(path);
  await store.init();
  return store;
}

export const storeName = 'sqlite';
