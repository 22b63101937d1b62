import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DuplicateUserError } from '../core/store.js';
import type { AuthStore, LoginFailures, SessionRecord, UserRecord, UserUpdate } from '../core/store.js';

// SQLite store: one file, no server. Right for a single instance; run several instances behind a
// load balancer with the Redis store instead (regenerate with --store redis).

export interface SqliteStoreOptions {
  /** Path of the database file; its folder is created when missing. */
  path: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export const defaultSqlitePath = 'data/auth.sqlite';

/** Opens the store configured by the environment: AUTH_SQLITE_PATH, relative to the working folder. */
export async function openAuthStore(env: Env = process.env, cwd: string = process.cwd()): Promise<AuthStore> {
  return openSqliteStore({ path: resolve(cwd, env.AUTH_SQLITE_PATH || defaultSqlitePath) });
}

const schema = `
CREATE TABLE IF NOT EXISTS auth_users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  scopes TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  display_name TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS auth_sessions (
  id_hash TEXT PRIMARY KEY,
  user_id TEXT REFERENCES auth_users(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS auth_sessions_by_user ON auth_sessions(user_id);
CREATE INDEX IF NOT EXISTS auth_sessions_by_expiry ON auth_sessions(expires_at);
CREATE TABLE IF NOT EXISTS auth_login_failures (
  account TEXT PRIMARY KEY,
  count INTEGER NOT NULL,
  window_started_at INTEGER NOT NULL
);
`;

interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  scopes: string;
  disabled: number;
  display_name: string;
  created_at: number;
}

interface SessionRow {
  id_hash: string;
  user_id: string | null;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
}

function toUser(row: UserRow): UserRecord {
  return {
    id: row.id,
    username: row.username,
    passwordHash: row.password_hash,
    scopes: JSON.parse(row.scopes) as string[],
    disabled: row.disabled === 1,
    displayName: row.display_name,
    createdAt: row.created_at,
  };
}

function toSession(row: SessionRow): SessionRecord {
  return {
    idHash: row.id_hash,
    userId: row.user_id,
    csrfToken: row.csrf_token,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
  };
}

export async function openSqliteStore(options: SqliteStoreOptions): Promise<AuthStore> {
  mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.exec(schema);

  const statements = {
    insertUser: db.prepare(
      `INSERT INTO auth_users (id, username, password_hash, scopes, disabled, display_name, created_at)
       VALUES (@id, @username, @passwordHash, @scopes, @disabled, @displayName, @createdAt)`,
    ),
    userById: db.prepare<[string], UserRow>('SELECT * FROM auth_users WHERE id = ?'),
    userByName: db.prepare<[string], UserRow>('SELECT * FROM auth_users WHERE username = ?'),
    insertSession: db.prepare(
      `INSERT INTO auth_sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at)
       VALUES (@idHash, @userId, @csrfToken, @createdAt, @lastSeenAt, @expiresAt)`,
    ),
    sweepSessions: db.prepare<[number]>('DELETE FROM auth_sessions WHERE expires_at < ?'),
    sessionByHash: db.prepare<[string], SessionRow>(
      'SELECT id_hash, user_id, csrf_token, created_at, last_seen_at FROM auth_sessions WHERE id_hash = ?',
    ),
    touchSession: db.prepare<[number, number, string]>('UPDATE auth_sessions SET last_seen_at = ?, expires_at = ? WHERE id_hash = ?'),
    deleteSession: db.prepare<[string]>('DELETE FROM auth_sessions WHERE id_hash = ?'),
    deleteUserSessions: db.prepare<[string]>('DELETE FROM auth_sessions WHERE user_id = ?'),
    countUserSessions: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM auth_sessions WHERE user_id = ?'),
    failures: db.prepare<[string], { count: number; window_started_at: number }>(
      'SELECT count, window_started_at FROM auth_login_failures WHERE account = ?',
    ),
    // One statement, so two instances counting the same account at once cannot lose a failure.
    recordFailure: db.prepare<[{ account: string; now: number; windowMs: number }], { count: number; window_started_at: number }>(
      `INSERT INTO auth_login_failures (account, count, window_started_at) VALUES (@account, 1, @now)
       ON CONFLICT(account) DO UPDATE SET
         count = CASE WHEN @now - window_started_at >= @windowMs THEN 1 ELSE count + 1 END,
         window_started_at = CASE WHEN @now - window_started_at >= @windowMs THEN @now ELSE window_started_at END
       RETURNING count, window_started_at`,
    ),
    clearFailures: db.prepare<[string]>('DELETE FROM auth_login_failures WHERE account = ?'),
  };

  const updateUser = db.transaction((id: string, update: UserUpdate) => {
    const row = statements.userById.get(id);
    if (row === undefined) return;
    const next = { ...toUser(row), ...update };
    db.prepare(
      'UPDATE auth_users SET password_hash = ?, scopes = ?, disabled = ?, display_name = ? WHERE id = ?',
    ).run(next.passwordHash, JSON.stringify(next.scopes), next.disabled ? 1 : 0, next.displayName, id);
  });

  return {
    async createUser(user: UserRecord) {
      try {
        statements.insertUser.run({
          ...user,
          scopes: JSON.stringify(user.scopes),
          disabled: user.disabled ? 1 : 0,
        });
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new DuplicateUserError(user.username);
        throw error;
      }
    },
    async findUserById(id) {
      const row = statements.userById.get(id);
      return row && toUser(row);
    },
    async findUserByUsername(username) {
      const row = statements.userByName.get(username);
      return row && toUser(row);
    },
    async updateUser(id, update) {
      updateUser(id, update);
    },
    async createSession(session: SessionRecord, ttlMs: number) {
      statements.sweepSessions.run(session.lastSeenAt);
      statements.insertSession.run({ ...session, expiresAt: session.lastSeenAt + ttlMs });
    },
    async findSession(idHash) {
      const row = statements.sessionByHash.get(idHash);
      return row && toSession(row);
    },
    async touchSession(idHash, lastSeenAt, ttlMs) {
      statements.touchSession.run(lastSeenAt, lastSeenAt + ttlMs, idHash);
    },
    async deleteSession(idHash) {
      statements.deleteSession.run(idHash);
    },
    async deleteUserSessions(userId) {
      return statements.deleteUserSessions.run(userId).changes;
    },
    async countUserSessions(userId) {
      return statements.countUserSessions.get(userId)?.n ?? 0;
    },
    async recordLoginFailure(account, now, windowMs): Promise<LoginFailures> {
      const row = statements.recordFailure.get({ account, now, windowMs })!;
      return { count: row.count, windowStartedAt: row.window_started_at };
    },
    async loginFailures(account) {
      const row = statements.failures.get(account);
      return row && { count: row.count, windowStartedAt: row.window_started_at };
    },
    async clearLoginFailures(account) {
      statements.clearFailures.run(account);
    },
    async removeAllData() {
      db.exec('DELETE FROM auth_sessions; DELETE FROM auth_login_failures; DELETE FROM auth_users;');
    },
    async close() {
      db.close();
    },
  };
}
