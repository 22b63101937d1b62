import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { STORE_PREFIX_PATTERN, type AuthStore, type JsonObject, type RecordFilter, type RecordOptions, type StoreSettings, type StoredRecord } from '../store.js';

interface Row {
  kind: string;
  id: string;
  value: string;
  expires_at: number | null;
  owner: string | null;
  grp: string | null;
  lookup: string | null;
  consumed_at: number | null;
}

const toDate = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

function fromRow(row: Row): StoredRecord {
  return {
    kind: row.kind,
    id: row.id,
    value: JSON.parse(row.value) as JsonObject,
    expiresAt: toDate(row.expires_at),
    owner: row.owner,
    group: row.grp,
    lookup: row.lookup,
    consumedAt: toDate(row.consumed_at),
  };
}

/**
 * One file, no server: right for a single instance. Several instances need
 * the PostgreSQL or Redis store (throttle state and revocations must be shared).
 */
export class SqliteStore implements AuthStore {
  readonly name = 'sqlite';
  private readonly db: Database.Database;
  private readonly records: string;
  private readonly counterTable: string;
  private readonly statements = new Map<string, Database.Statement>();
  private writesSinceCleanUp = 0;

  constructor(path: string, prefix: string) {
    if (!STORE_PREFIX_PATTERN.test(prefix)) throw new Error(`The store prefix "${prefix}" must be lowercase letters, digits and "_".`);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.records = `${prefix}_records`;
    this.counterTable = `${prefix}_counters`;
  }

  /** Prepared once, reused: preparing costs more than a lookup by primary key. */
  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  /** Now and then, drop what has expired, so the file does not grow without a scheduled job. */
  private cleanUp(): void {
    if (++this.writesSinceCleanUp < 1000) return;
    this.writesSinceCleanUp = 0;
    const now = Date.now();
    this.sql(`DELETE FROM ${this.records} WHERE expires_at IS NOT NULL AND expires_at <= ?`).run(now);
    this.sql(`DELETE FROM ${this.counterTable} WHERE window_end <= ?`).run(now);
  }

  async init(): Promise<void> {
    const r = this.records;
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS ${r} (
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        value TEXT NOT NULL,
        expires_at INTEGER,
        owner TEXT,
        grp TEXT,
        lookup TEXT,
        consumed_at INTEGER,
        PRIMARY KEY (kind, id)
      );
      CREATE INDEX IF NOT EXISTS ${r}_owner ON ${r} (kind, owner);
      CREATE INDEX IF NOT EXISTS ${r}_grp ON ${r} (kind, grp);
      CREATE INDEX IF NOT EXISTS ${r}_lookup ON ${r} (kind, lookup);
      CREATE TABLE IF NOT EXISTS ${this.counterTable} (
        key TEXT PRIMARY KEY,
        count INTEGER NOT NULL,
        window_start INTEGER NOT NULL,
        window_end INTEGER NOT NULL
      );
    `);
  }

  private params(kind: string, id: string, value: JsonObject, options: RecordOptions) {
    return {
      kind,
      id,
      value: JSON.stringify(value),
      expires_at: options.expiresAt ? options.expiresAt.getTime() : null,
      owner: options.owner ?? null,
      grp: options.group ?? null,
      lookup: options.lookup ?? null,
      now: Date.now(),
    };
  }

  async upsert(kind: string, id: string, value: JsonObject, options: RecordOptions = {}): Promise<void> {
    this.cleanUp();
    const { now: _now, ...row } = this.params(kind, id, value, options);
    this.sql(
      `INSERT INTO ${this.records} (kind, id, value, expires_at, owner, grp, lookup, consumed_at)
       VALUES (@kind, @id, @value, @expires_at, @owner, @grp, @lookup, NULL)
       ON CONFLICT (kind, id) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, owner = excluded.owner,
         grp = excluded.grp, lookup = excluded.lookup, consumed_at = NULL`,
    ).run(row);
  }

  async create(kind: string, id: string, value: JsonObject, options: RecordOptions = {}): Promise<boolean> {
    this.cleanUp();
    // An expired record with the same id may be replaced; a live one wins.
    const result = this.sql(
      `INSERT INTO ${this.records} (kind, id, value, expires_at, owner, grp, lookup, consumed_at)
       VALUES (@kind, @id, @value, @expires_at, @owner, @grp, @lookup, NULL)
       ON CONFLICT (kind, id) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, owner = excluded.owner,
         grp = excluded.grp, lookup = excluded.lookup, consumed_at = NULL
       WHERE ${this.records}.expires_at IS NOT NULL AND ${this.records}.expires_at <= @now`,
    ).run(this.params(kind, id, value, options));
    return result.changes === 1;
  }

  async find(kind: string, id: string): Promise<StoredRecord | null> {
    const row = this.sql(`SELECT * FROM ${this.records} WHERE kind = ? AND id = ? AND (expires_at IS NULL OR expires_at > ?)`).get(kind, id, Date.now()) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  async findByLookup(kind: string, lookup: string): Promise<StoredRecord | null> {
    const row = this.sql(`SELECT * FROM ${this.records} WHERE kind = ? AND lookup = ? AND (expires_at IS NULL OR expires_at > ?) LIMIT 1`).get(kind, lookup, Date.now()) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  async list(kind: string, filter: RecordFilter = {}): Promise<StoredRecord[]> {
    const rows = this.sql(
      `SELECT * FROM ${this.records} WHERE kind = @kind AND (expires_at IS NULL OR expires_at > @now)
         AND (@owner IS NULL OR owner = @owner) AND (@grp IS NULL OR grp = @grp) ORDER BY id`,
    ).all({ kind, now: Date.now(), owner: filter.owner ?? null, grp: filter.group ?? null }) as Row[];
    return rows.map(fromRow);
  }

  async consume(kind: string, id: string, at: Date): Promise<boolean> {
    const result = this.sql(
      `UPDATE ${this.records} SET consumed_at = ? WHERE kind = ? AND id = ? AND consumed_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`,
    ).run(at.getTime(), kind, id, Date.now());
    return result.changes === 1;
  }

  async destroy(kind: string, id: string): Promise<boolean> {
    return this.sql(`DELETE FROM ${this.records} WHERE kind = ? AND id = ?`).run(kind, id).changes > 0;
  }

  async destroyWhere(kind: string, filter: RecordFilter): Promise<number> {
    if (filter.owner === undefined && filter.group === undefined) throw new Error('destroyWhere needs an owner or a group');
    return this.sql(`DELETE FROM ${this.records} WHERE kind = @kind AND (@owner IS NULL OR owner = @owner) AND (@grp IS NULL OR grp = @grp)`).run({
      kind,
      owner: filter.owner ?? null,
      grp: filter.group ?? null,
    }).changes;
  }

  async hit(key: string, windowSeconds: number, at: Date, amount = 1): Promise<{ count: number; resetAt: Date }> {
    const now = at.getTime();
    if (amount === 0) {
      const row = this.sql(`SELECT count, window_start, window_end FROM ${this.counterTable} WHERE key = ?`).get(key) as
        | { count: number; window_start: number; window_end: number }
        | undefined;
      return row && now >= row.window_start && now < row.window_end ? { count: row.count, resetAt: new Date(row.window_end) } : { count: 0, resetAt: at };
    }
    this.cleanUp();
    const row = this.sql(
      `INSERT INTO ${this.counterTable} (key, count, window_start, window_end) VALUES (@key, @amount, @now, @end)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN @now >= window_end OR @now < window_start THEN @amount ELSE count + @amount END,
         window_start = CASE WHEN @now >= window_end OR @now < window_start THEN @now ELSE window_start END,
         window_end = CASE WHEN @now >= window_end OR @now < window_start THEN @end ELSE window_end END
       RETURNING count, window_end`,
    ).get({ key, amount, now, end: now + windowSeconds * 1000 }) as { count: number; window_end: number };
    return { count: row.count, resetAt: new Date(row.window_end) };
  }

  async resetCounter(key: string): Promise<void> {
    this.sql(`DELETE FROM ${this.counterTable} WHERE key = ?`).run(key);
  }

  async counters(prefix: string): Promise<{ key: string; count: number }[]> {
    return this.sql(`SELECT key, count FROM ${this.counterTable} WHERE substr(key, 1, length(@prefix)) = @prefix ORDER BY key`).all({ prefix }) as {
      key: string;
      count: number;
    }[];
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

export async function openStore(settings: StoreSettings): Promise<AuthStore> {
  const store = new SqliteStore(settings.sqlitePath, settings.prefix);
  await store.init();
  return store;
}
