import { chmodSync, mkdirSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { DuplicateUserError } from '../core/store.js';
import type { AuthStore, RefreshTokenRecord, SigningKeyRecord, UserRecord } from '../core/store.js';

// Everything in one SQLite file: users, signing keys, refresh tokens, token versions, rate limits.
// Right for one instance; several instances behind a load balancer need the postgres or redis store.

export interface StoreSettings {
  /** Path of the SQLite database file. */
  path: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export function storeSettingsFromEnv(env: Env, dataDir: string): StoreSettings {
  const path = env.AUTH_SQLITE_PATH;
  if (path === undefined || path === '') return { path: join(dataDir, 'auth.db') };
  return { path: isAbsolute(path) ? path : resolve(path) };
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS auth_users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  scopes TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  token_version INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS auth_signing_keys (
  kid TEXT PRIMARY KEY,
  alg TEXT NOT NULL,
  public_jwk TEXT NOT NULL,
  encrypted_private_jwk TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  retires_at INTEGER
);
CREATE TABLE IF NOT EXISTS auth_refresh_tokens (
  token_hash TEXT PRIMARY KEY,
  family_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  scopes TEXT NOT NULL,
  issued_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  family_expires_at INTEGER NOT NULL,
  used_at INTEGER,
  revoked_at INTEGER
);
CREATE INDEX IF NOT EXISTS auth_refresh_tokens_family ON auth_refresh_tokens (family_id);
CREATE INDEX IF NOT EXISTS auth_refresh_tokens_user ON auth_refresh_tokens (user_id);
CREATE TABLE IF NOT EXISTS auth_rate_limits (
  key TEXT PRIMARY KEY,
  window_start INTEGER NOT NULL,
  count INTEGER NOT NULL
);
`;

interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  scopes: string;
  disabled: number;
  token_version: number;
  created_at: number;
}

interface KeyRow {
  kid: string;
  alg: string;
  public_jwk: string;
  encrypted_private_jwk: string;
  created_at: number;
  retires_at: number | null;
}

interface RefreshRow {
  token_hash: string;
  family_id: string;
  user_id: string;
  scopes: string;
  issued_at: number;
  expires_at: number;
  family_expires_at: number;
  used_at: number | null;
  revoked_at: number | null;
}

function toUser(row: UserRow): UserRecord {
  return {
    id: row.id,
    username: row.username,
    passwordHash: row.password_hash,
    scopes: JSON.parse(row.scopes) as string[],
    disabled: row.disabled === 1,
    tokenVersion: row.token_version,
    createdAt: row.created_at,
  };
}

function toKey(row: KeyRow): SigningKeyRecord {
  return {
    kid: row.kid,
    alg: 'ES256',
    publicJwk: JSON.parse(row.public_jwk) as SigningKeyRecord['publicJwk'],
    encryptedPrivateJwk: row.encrypted_private_jwk,
    createdAt: row.created_at,
    retiresAt: row.retires_at,
  };
}

function toRefresh(row: RefreshRow): RefreshTokenRecord {
  return {
    tokenHash: row.token_hash,
    familyId: row.family_id,
    userId: row.user_id,
    scopes: JSON.parse(row.scopes) as string[],
    issuedAt: row.issued_at,
    expiresAt: row.expires_at,
    familyExpiresAt: row.family_expires_at,
    usedAt: row.used_at,
    revokedAt: row.revoked_at,
  };
}

export async function openStore(settings: StoreSettings): Promise<AuthStore> {
  mkdirSync(dirname(settings.path), { recursive: true, mode: 0o700 });
  const db = new Database(settings.path);
  // The file holds password hashes and (encrypted) private keys: owner-only.
  chmodSync(settings.path, 0o600);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);

  const statements = {
    insertUser: db.prepare(
      `INSERT INTO auth_users (id, username, password_hash, scopes, disabled, token_version, created_at)
       VALUES (@id, @username, @passwordHash, @scopes, @disabled, @tokenVersion, @createdAt)`,
    ),
    userByName: db.prepare<[string], UserRow>('SELECT * FROM auth_users WHERE username = ?'),
    userById: db.prepare<[string], UserRow>('SELECT * FROM auth_users WHERE id = ?'),
    setDisabled: db.prepare('UPDATE auth_users SET disabled = ? WHERE id = ?'),
    setPassword: db.prepare('UPDATE auth_users SET password_hash = ? WHERE id = ?'),
    bumpVersion: db.prepare<[string], { token_version: number }>(
      'UPDATE auth_users SET token_version = token_version + 1 WHERE id = ? RETURNING token_version',
    ),
    activeVersion: db.prepare<[string], { token_version: number }>(
      'SELECT token_version FROM auth_users WHERE id = ? AND disabled = 0',
    ),
    listKeys: db.prepare<[], KeyRow>('SELECT * FROM auth_signing_keys ORDER BY created_at'),
    insertKey: db.prepare(
      `INSERT INTO auth_signing_keys (kid, alg, public_jwk, encrypted_private_jwk, created_at, retires_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    retireKeys: db.prepare('UPDATE auth_signing_keys SET retires_at = ? WHERE retires_at IS NULL AND kid <> ?'),
    deleteKeys: db.prepare('DELETE FROM auth_signing_keys WHERE retires_at IS NOT NULL AND retires_at < ?'),
    insertRefresh: db.prepare(
      `INSERT INTO auth_refresh_tokens
       (token_hash, family_id, user_id, scopes, issued_at, expires_at, family_expires_at, used_at, revoked_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL)`,
    ),
    findRefresh: db.prepare<[string], RefreshRow>('SELECT * FROM auth_refresh_tokens WHERE token_hash = ?'),
    markUsed: db.prepare(
      'UPDATE auth_refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND revoked_at IS NULL',
    ),
    revokeFamily: db.prepare(
      'UPDATE auth_refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL',
    ),
    revokeUser: db.prepare('UPDATE auth_refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL'),
    hit: db.prepare<[string, number], { count: number }>(
      `INSERT INTO auth_rate_limits (key, window_start, count) VALUES (?, ?, 1)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN window_start = excluded.window_start THEN count + 1 ELSE 1 END,
         window_start = excluded.window_start
       RETURNING count`,
    ),
  };

  return {
    description: `sqlite (${settings.path})`,
    async createUser(user) {
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
    async findUserByUsername(username) {
      const row = statements.userByName.get(username);
      return row ? toUser(row) : null;
    },
    async findUserById(id) {
      const row = statements.userById.get(id);
      return row ? toUser(row) : null;
    },
    async setUserDisabled(id, disabled) {
      return statements.setDisabled.run(disabled ? 1 : 0, id).changes === 1;
    },
    async setPasswordHash(id, passwordHash) {
      return statements.setPassword.run(passwordHash, id).changes === 1;
    },
    async bumpTokenVersion(id) {
      return statements.bumpVersion.get(id)?.token_version ?? null;
    },
    async getActiveTokenVersion(id) {
      return statements.activeVersion.get(id)?.token_version ?? null;
    },
    async listSigningKeys() {
      return statements.listKeys.all().map(toKey);
    },
    async insertSigningKey(key) {
      statements.insertKey.run(
        key.kid,
        key.alg,
        JSON.stringify(key.publicJwk),
        key.encryptedPrivateJwk,
        key.createdAt,
        key.retiresAt,
      );
    },
    async retireSigningKeys(keepKid, retiresAt) {
      statements.retireKeys.run(retiresAt, keepKid);
    },
    async deleteSigningKeysRetiredBefore(time) {
      statements.deleteKeys.run(time);
    },
    async insertRefreshToken(token) {
      statements.insertRefresh.run(
        token.tokenHash,
        token.familyId,
        token.userId,
        JSON.stringify(token.scopes),
        token.issuedAt,
        token.expiresAt,
        token.familyExpiresAt,
      );
    },
    async findRefreshToken(tokenHash) {
      const row = statements.findRefresh.get(tokenHash);
      return row ? toRefresh(row) : null;
    },
    async markRefreshTokenUsed(tokenHash, usedAt) {
      return statements.markUsed.run(usedAt, tokenHash).changes === 1;
    },
    async revokeRefreshFamily(familyId, revokedAt) {
      statements.revokeFamily.run(revokedAt, familyId);
    },
    async revokeUserRefreshTokens(userId, revokedAt) {
      statements.revokeUser.run(revokedAt, userId);
    },
    async hitRateLimit(key, windowMs, now) {
      return statements.hit.get(key, now - (now % windowMs))?.count ?? 1;
    },
    async close() {
      db.close();
    },
  };
}
