import pg from 'pg';
import type { Pool } from 'pg';
import type { ApiKeyChanges, ApiKeyRecord, ApiKeyStore, FailureCount } from '../core/store.js';

export interface PostgresStoreOptions {
  /** Default: DATABASE_URL. */
  connectionString?: string;
  /** Schema holding the tables. Default: API_KEYS_PG_SCHEMA, else the connection's search_path (usually "public"). */
  schema?: string;
  /** Use an existing pool instead of opening one; `close()` then leaves it open. */
  pool?: Pool;
}

interface KeyRow {
  id: string;
  subject: string;
  tenant: string;
  scopes: string[];
  secret_hash: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  replaced_by: string | null;
}

const COLUMNS: Record<keyof ApiKeyChanges, string> = {
  expiresAt: 'expires_at',
  revokedAt: 'revoked_at',
  lastUsedAt: 'last_used_at',
  replacedBy: 'replaced_by',
};

function fromRow(row: KeyRow): ApiKeyRecord {
  return {
    id: row.id,
    subject: row.subject,
    tenant: row.tenant,
    scopes: row.scopes,
    secretHash: row.secret_hash,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    replacedBy: row.replaced_by,
  };
}

/** Shared store for several instances behind a load balancer. */
export class PostgresApiKeyStore implements ApiKeyStore {
  private readonly pool: Pool;
  private readonly schema: string | undefined;
  private readonly ownsPool: boolean;
  private readonly keys: string;
  private readonly failures: string;

  constructor(pool: Pool, schema: string | undefined, ownsPool: boolean) {
    this.pool = pool;
    this.schema = schema;
    this.ownsPool = ownsPool;
    if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
      throw new Error(`Schema name "${schema}" is not allowed: use lowercase letters, digits and "_".`);
    }
    const qualify = (table: string) => (schema ? `"${schema}".${table}` : table);
    this.keys = qualify('api_keys');
    this.failures = qualify('api_key_failures');
  }

  async init(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // Several instances may start at once; one creates the tables, the others wait.
      await client.query("SELECT pg_advisory_xact_lock(hashtext('auth:api_keys:init'))");
      if (this.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${this.keys} (
          id text PRIMARY KEY,
          subject text NOT NULL,
          tenant text NOT NULL,
          scopes text[] NOT NULL,
          secret_hash text NOT NULL,
          created_at timestamptz NOT NULL,
          expires_at timestamptz,
          revoked_at timestamptz,
          last_used_at timestamptz,
          replaced_by text
        )`);
      await client.query(`CREATE INDEX IF NOT EXISTS api_keys_tenant ON ${this.keys} (tenant)`);
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${this.failures} (
          client text PRIMARY KEY,
          window_start bigint NOT NULL,
          count integer NOT NULL
        )`);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async insertKey(record: ApiKeyRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.keys} (id, subject, tenant, scopes, secret_hash, created_at, expires_at, revoked_at, last_used_at, replaced_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        record.id,
        record.subject,
        record.tenant,
        record.scopes,
        record.secretHash,
        record.createdAt,
        record.expiresAt,
        record.revokedAt,
        record.lastUsedAt,
        record.replacedBy,
      ],
    );
  }

  async findKeyById(id: string): Promise<ApiKeyRecord | null> {
    const result = await this.pool.query<KeyRow>({
      name: `api-keys-find-${this.keys}`,
      text: `SELECT * FROM ${this.keys} WHERE id = $1`,
      values: [id],
    });
    return result.rows[0] ? fromRow(result.rows[0]) : null;
  }

  async listKeys(filter: { tenant?: string } = {}): Promise<ApiKeyRecord[]> {
    const result =
      filter.tenant === undefined
        ? await this.pool.query<KeyRow>(`SELECT * FROM ${this.keys} ORDER BY created_at, id`)
        : await this.pool.query<KeyRow>(`SELECT * FROM ${this.keys} WHERE tenant = $1 ORDER BY created_at, id`, [
            filter.tenant,
          ]);
    return result.rows.map(fromRow);
  }

  async updateKey(id: string, changes: ApiKeyChanges): Promise<boolean> {
    // Only the named columns are written, so a last-used stamp can never undo a revocation.
    const fields = (Object.keys(changes) as (keyof ApiKeyChanges)[]).filter((field) => field in COLUMNS);
    if (fields.length === 0) return (await this.findKeyById(id)) !== null;
    const assignments = fields.map((field, index) => `${COLUMNS[field]} = $${index + 2}`).join(', ');
    const values = fields.map((field) => changes[field] ?? null);
    const result = await this.pool.query(`UPDATE ${this.keys} SET ${assignments} WHERE id = $1`, [id, ...values]);
    return (result.rowCount ?? 0) > 0;
  }

  async recordFailure(client: string, windowMs: number, now: Date): Promise<FailureCount> {
    const at = now.getTime();
    const result = await this.pool.query<{ count: number; window_start: string }>(
      `INSERT INTO ${this.failures} AS f (client, window_start, count) VALUES ($1, $2::bigint, 1)
       ON CONFLICT (client) DO UPDATE SET
         count = CASE WHEN $2::bigint - f.window_start >= $3::bigint THEN 1 ELSE f.count + 1 END,
         window_start = CASE WHEN $2::bigint - f.window_start >= $3::bigint THEN $2::bigint ELSE f.window_start END
       RETURNING count, window_start`,
      [client, at, windowMs],
    );
    if (Math.random() < 0.001) {
      // Occasional pruning keeps the table small without a scheduled job.
      await this.pool.query(`DELETE FROM ${this.failures} WHERE window_start <= $1`, [at - windowMs]);
    }
    const row = result.rows[0]!;
    return { count: row.count, resetAt: new Date(Number(row.window_start) + windowMs) };
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }
}

export async function openStore(
  options: PostgresStoreOptions = {},
  env: Record<string, string | undefined> = process.env,
): Promise<ApiKeyStore> {
  let pool = options.pool;
  const ownsPool = pool === undefined;
  if (!pool) {
    const connectionString = options.connectionString ?? env.DATABASE_URL;
    if (!connectionString) {
      throw new Error(
        'DATABASE_URL is not set. The API key store needs PostgreSQL, e.g. DATABASE_URL=postgres://user:password@127.0.0.1:5432/app',
      );
    }
    pool = new pg.Pool({ connectionString });
  }
  const store = new PostgresApiKeyStore(pool, options.schema ?? env.API_KEYS_PG_SCHEMA, ownsPool);
  try {
    await store.init();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

export const storeName = 'postgres';
