import pg from 'pg';
import { STORE_PREFIX_PATTERN, type AuthStore, type JsonObject, type RecordFilter, type RecordOptions, type StoreSettings, type StoredRecord } from '../store.js';

interface Row {
  kind: string;
  id: string;
  value: JsonObject;
  expires_at: string | null;
  owner: string | null;
  grp: string | null;
  lookup: string | null;
  consumed_at: string | null;
}

// bigint columns arrive as strings: they may exceed a double, ours (epoch milliseconds) never do.
const toDate = (ms: string | null): Date | null => (ms === null ? null : new Date(Number(ms)));

function fromRow(row: Row): StoredRecord {
  return {
    kind: row.kind,
    id: row.id,
    value: row.value,
    expiresAt: toDate(row.expires_at),
    owner: row.owner,
    group: row.grp,
    lookup: row.lookup,
    consumedAt: toDate(row.consumed_at),
  };
}

const LIVE = '(expires_at IS NULL OR expires_at > $NOW)';

/** Shared by every instance of the app; times are epoch milliseconds in bigint columns. */
export class PostgresStore implements AuthStore {
  readonly name = 'postgres';
  private readonly pool: pg.Pool;
  private readonly prefix: string;
  private readonly records: string;
  private readonly counterTable: string;
  private writesSinceCleanUp = 0;

  constructor(pool: pg.Pool, prefix: string) {
    if (!STORE_PREFIX_PATTERN.test(prefix)) throw new Error(`The store prefix "${prefix}" must be lowercase letters, digits and "_".`);
    this.pool = pool;
    this.prefix = prefix;
    this.records = `${prefix}_records`;
    this.counterTable = `${prefix}_counters`;
  }

  /** `$NOW` in a query stands for the real time: what `expiresAt` is compared with. */
  private async query<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<T>> {
    if (!text.includes('$NOW')) return this.pool.query<T>(text, values);
    return this.pool.query<T>(text.replaceAll('$NOW', `$${values.length + 1}`), [...values, Date.now()]);
  }

  private async cleanUp(): Promise<void> {
    if (++this.writesSinceCleanUp < 1000) return;
    this.writesSinceCleanUp = 0;
    await this.query(`DELETE FROM ${this.records} WHERE expires_at IS NOT NULL AND expires_at <= $NOW`);
    await this.query(`DELETE FROM ${this.counterTable} WHERE window_end <= $NOW`);
  }

  async init(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // Two processes starting at once (the demo and the CLI) must not race to create the same tables.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.prefix]);
      const r = this.records;
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${r} (
          kind TEXT NOT NULL,
          id TEXT NOT NULL,
          value JSONB NOT NULL,
          expires_at BIGINT,
          owner TEXT,
          grp TEXT,
          lookup TEXT,
          consumed_at BIGINT,
          PRIMARY KEY (kind, id)
        );
        CREATE INDEX IF NOT EXISTS ${r}_owner ON ${r} (kind, owner);
        CREATE INDEX IF NOT EXISTS ${r}_grp ON ${r} (kind, grp);
        CREATE INDEX IF NOT EXISTS ${r}_lookup ON ${r} (kind, lookup);
        CREATE TABLE IF NOT EXISTS ${this.counterTable} (
          key TEXT PRIMARY KEY,
          count BIGINT NOT NULL,
          window_start BIGINT NOT NULL,
          window_end BIGINT NOT NULL
        );
      `);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  private values(kind: string, id: string, value: JsonObject, options: RecordOptions): unknown[] {
    return [kind, id, JSON.stringify(value), options.expiresAt ? options.expiresAt.getTime() : null, options.owner ?? null, options.group ?? null, options.lookup ?? null];
  }

  async upsert(kind: string, id: string, value: JsonObject, options: RecordOptions = {}): Promise<void> {
    await this.cleanUp();
    await this.query(
      `INSERT INTO ${this.records} (kind, id, value, expires_at, owner, grp, lookup, consumed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)
       ON CONFLICT (kind, id) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at, owner = EXCLUDED.owner,
         grp = EXCLUDED.grp, lookup = EXCLUDED.lookup, consumed_at = NULL`,
      this.values(kind, id, value, options),
    );
  }

  async create(kind: string, id: string, value: JsonObject, options: RecordOptions = {}): Promise<boolean> {
    await this.cleanUp();
    // An expired record with the same id may be replaced; a live one wins.
    const result = await this.query(
      `INSERT INTO ${this.records} AS r (kind, id, value, expires_at, owner, grp, lookup, consumed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)
       ON CONFLICT (kind, id) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at, owner = EXCLUDED.owner,
         grp = EXCLUDED.grp, lookup = EXCLUDED.lookup, consumed_at = NULL
       WHERE r.expires_at IS NOT NULL AND r.expires_at <= $NOW`,
      this.values(kind, id, value, options),
    );
    return result.rowCount === 1;
  }

  async find(kind: string, id: string): Promise<StoredRecord | null> {
    const result = await this.query<Row>(`SELECT * FROM ${this.records} WHERE kind = $1 AND id = $2 AND ${LIVE}`, [kind, id]);
    return result.rows[0] ? fromRow(result.rows[0]) : null;
  }

  async findByLookup(kind: string, lookup: string): Promise<StoredRecord | null> {
    const result = await this.query<Row>(`SELECT * FROM ${this.records} WHERE kind = $1 AND lookup = $2 AND ${LIVE} LIMIT 1`, [kind, lookup]);
    return result.rows[0] ? fromRow(result.rows[0]) : null;
  }

  async list(kind: string, filter: RecordFilter = {}): Promise<StoredRecord[]> {
    const result = await this.query<Row>(
      `SELECT * FROM ${this.records} WHERE kind = $1 AND ${LIVE} AND ($2::text IS NULL OR owner = $2) AND ($3::text IS NULL OR grp = $3) ORDER BY id`,
      [kind, filter.owner ?? null, filter.group ?? null],
    );
    return result.rows.map(fromRow);
  }

  async consume(kind: string, id: string, at: Date): Promise<boolean> {
    const result = await this.query(
      `UPDATE ${this.records} SET consumed_at = $3 WHERE kind = $1 AND id = $2 AND consumed_at IS NULL AND ${LIVE}`,
      [kind, id, at.getTime()],
    );
    return result.rowCount === 1;
  }

  async destroy(kind: string, id: string): Promise<boolean> {
    return ((await this.query(`DELETE FROM ${this.records} WHERE kind = $1 AND id = $2`, [kind, id])).rowCount ?? 0) > 0;
  }

  async destroyWhere(kind: string, filter: RecordFilter): Promise<number> {
    if (filter.owner === undefined && filter.group === undefined) throw new Error('destroyWhere needs an owner or a group');
    const result = await this.query(
      `DELETE FROM ${this.records} WHERE kind = $1 AND ($2::text IS NULL OR owner = $2) AND ($3::text IS NULL OR grp = $3)`,
      [kind, filter.owner ?? null, filter.group ?? null],
    );
    return result.rowCount ?? 0;
  }

  async hit(key: string, windowSeconds: number, at: Date, amount = 1): Promise<{ count: number; resetAt: Date }> {
    const now = at.getTime();
    if (amount === 0) {
      const found = await this.query<{ count: string; window_start: string; window_end: string }>(
        `SELECT count, window_start, window_end FROM ${this.counterTable} WHERE key = $1`,
        [key],
      );
      const row = found.rows[0];
      return row && now >= Number(row.window_start) && now < Number(row.window_end)
        ? { count: Number(row.count), resetAt: new Date(Number(row.window_end)) }
        : { count: 0, resetAt: at };
    }
    await this.cleanUp();
    const result = await this.query<{ count: string; window_end: string }>(
      `INSERT INTO ${this.counterTable} AS c (key, count, window_start, window_end) VALUES ($1, $2, $3, $4)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN $3 >= c.window_end OR $3 < c.window_start THEN $2 ELSE c.count + $2 END,
         window_start = CASE WHEN $3 >= c.window_end OR $3 < c.window_start THEN $3 ELSE c.window_start END,
         window_end = CASE WHEN $3 >= c.window_end OR $3 < c.window_start THEN $4 ELSE c.window_end END
       RETURNING count, window_end`,
      [key, amount, now, now + windowSeconds * 1000],
    );
    const row = result.rows[0]!;
    return { count: Number(row.count), resetAt: new Date(Number(row.window_end)) };
  }

  async resetCounter(key: string): Promise<void> {
    await this.query(`DELETE FROM ${this.counterTable} WHERE key = $1`, [key]);
  }

  async counters(prefix: string): Promise<{ key: string; count: number }[]> {
    const result = await this.query<{ key: string; count: string }>(
      `SELECT key, count FROM ${this.counterTable} WHERE left(key, length($1)) = $1 ORDER BY key`,
      [prefix],
    );
    return result.rows.map((row) => ({ key: row.key, count: Number(row.count) }));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

export async function openStore(settings: StoreSettings): Promise<AuthStore> {
  if (!settings.databaseUrl) {
    throw new Error('DATABASE_URL is not set. The auth store needs PostgreSQL, e.g. DATABASE_URL=postgres://user:password@127.0.0.1:5432/app');
  }
  const store = new PostgresStore(new pg.Pool({ connectionString: settings.databaseUrl }), settings.prefix);
  try {
    await store.init();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
