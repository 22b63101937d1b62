import Database from 'better-sqlite3';
import type { OAuthStore, StoredRecord } from '../core/store.js';

export interface SqliteStoreOptions {
  /** Path of the database file; created when missing. */
  path: string;
  now?: () => number;
}

/**
 * The embedded default store: one table, WAL mode so the demo server and the
 * command-line tools can use the same file at once.
 */
export async function openStore(options: SqliteStoreOptions): Promise<OAuthStore> {
  const now = options.now ?? Date.now;
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`
    CREATE TABLE IF NOT EXISTS oauth_records (
      model TEXT NOT NULL,
      id TEXT NOT NULL,
      payload TEXT NOT NULL,
      grant_id TEXT,
      uid TEXT,
      user_code TEXT,
      expires_at INTEGER,
      PRIMARY KEY (model, id)
    );
    CREATE INDEX IF NOT EXISTS oauth_records_grant ON oauth_records (grant_id) WHERE grant_id IS NOT NULL;
    CREATE INDEX IF NOT EXISTS oauth_records_uid ON oauth_records (model, uid) WHERE uid IS NOT NULL;
    CREATE INDEX IF NOT EXISTS oauth_records_user_code ON oauth_records (model, user_code) WHERE user_code IS NOT NULL;
  `);
  const upsert = db.prepare(
    `INSERT INTO oauth_records (model, id, payload, grant_id, uid, user_code, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id, uid = excluded.uid,
       user_code = excluded.user_code, expires_at = excluded.expires_at`,
  );
  const purgeOne = db.prepare('DELETE FROM oauth_records WHERE model = ? AND id = ? AND expires_at IS NOT NULL AND expires_at <= ?');
  const insert = db.prepare('INSERT OR IGNORE INTO oauth_records (model, id, payload, expires_at) VALUES (?, ?, ?, ?)');
  const find = db.prepare('SELECT payload FROM oauth_records WHERE model = ? AND id = ? AND (expires_at IS NULL OR expires_at > ?)');
  const findByUid = db.prepare('SELECT payload FROM oauth_records WHERE model = ? AND uid = ? AND (expires_at IS NULL OR expires_at > ?)');
  const findByUserCode = db.prepare('SELECT payload FROM oauth_records WHERE model = ? AND user_code = ? AND (expires_at IS NULL OR expires_at > ?)');
  const consume = db.prepare("UPDATE oauth_records SET payload = json_set(payload, '$.consumed', ?) WHERE model = ? AND id = ?");
  const destroy = db.prepare('DELETE FROM oauth_records WHERE model = ? AND id = ?');
  const revoke = db.prepare('DELETE FROM oauth_records WHERE grant_id = ?');
  const list = db.prepare('SELECT id, payload FROM oauth_records WHERE model = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY id');
  const purgeExpired = db.prepare('DELETE FROM oauth_records WHERE expires_at IS NOT NULL AND expires_at <= ?');

  const parse = (row: unknown) => (row ? (JSON.parse((row as { payload: string }).payload) as Record<string, unknown>) : undefined);
  purgeExpired.run(now());

  return {
    async upsert(model, id, payload, expiresAt, index = {}) {
      upsert.run(model, id, JSON.stringify(payload), index.grantId ?? null, index.uid ?? null, index.userCode ?? null, expiresAt);
    },
    async insertIfAbsent(model, id, payload, expiresAt) {
      purgeOne.run(model, id, now());
      return insert.run(model, id, JSON.stringify(payload), expiresAt).changes === 1;
    },
    async find(model, id) {
      return parse(find.get(model, id, now()));
    },
    async findBy(model, key, value) {
      return parse((key === 'uid' ? findByUid : findByUserCode).get(model, value, now()));
    },
    async consume(model, id, consumedAt) {
      consume.run(consumedAt, model, id);
    },
    async destroy(model, id) {
      destroy.run(model, id);
    },
    async revokeByGrantId(grantId) {
      revoke.run(grantId);
    },
    async list(model) {
      return (list.all(model, now()) as { id: string; payload: string }[]).map(
        (row): StoredRecord => ({ id: row.id, payload: JSON.parse(row.payload) as Record<string, unknown> }),
      );
    },
    async close() {
      db.close();
    },
  };
}

/** The store the demo and the CLI share: OAUTH_DATABASE, else ./oauth.db in the working folder. */
export function openStoreFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<OAuthStore> {
  return openStore({ path: env.OAUTH_DATABASE || 'oauth.db' });
}
