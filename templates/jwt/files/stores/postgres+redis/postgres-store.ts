import pg from 'pg';
import { DuplicateUserError } from '../core/store.js';
import type { AuthStore, RefreshTokenRecord, SigningKeyRecord, UserRecord } from '../core/store.js';

// The durable records in PostgreSQL: users, signing keys, refresh tokens, token versions and
// rate-limit counters. Shared by every instance of the API.

export interface PostgresSettings {
  connectionString: string;
  /** Schema holding the auth tables (default: the connection's search_path, usually "public"). */
  schema?: string;
  maxConnections?: number;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS auth_users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  scopes JSONB NOT NULL,
  disabled BOOLEAN NOT NULL DEFAULT FALSE,
  token_version INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS auth_signing_keys (
  kid TEXT PRIMARY KEY,
  alg TEXT NOT NULL,
  public_jwk JSONB NOT NULL,
  encrypted_private_jwk TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  retires_at BIGINT
);
CREATE TABLE IF NOT EXISTS auth_refresh_tokens (
  token_hash TEXT PRIMARY KEY,
  family_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  scopes JSONB NOT NULL,
  issued_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  family_expires_at BIGINT NOT NULL,
  used_at BIGINT,
  revoked_at BIGINT
);
CREATE INDEX IF NOT EXISTS auth_refresh_tokens_family ON auth_refresh_tokens (family_id);
CREATE INDEX IF NOT EXISTS auth_refresh_tokens_user ON auth_refresh_tokens (user_id);
CREATE TABLE IF NOT EXISTS auth_rate_limits (
  key TEXT PRIMARY KEY,
  window_start BIGINT NOT NULL,
  count INTEGER NOT NULL
);
`;

const nullableNumber = (value: string | number | null): number | null => (value === null ? null : Number(value));

function toUser(row: Record<string, unknown>): UserRecord {
  return {
    id: String(row.id),
    username: String(row.username),
    passwordHash: String(row.password_hash),
    scopes: row.scopes as string[],
    disabled: row.disabled === true,
    tokenVersion: Number(row.token_version),
    createdAt: Number(row.created_at),
  };
}

function toKey(row: Record<string, unknown>): SigningKeyRecord {
  return {
    kid: String(row.kid),
    alg: 'ES256',
    publicJwk: row.public_jwk as SigningKeyRecord['publicJwk'],
    encryptedPrivateJwk: String(row.encrypted_private_jwk),
    createdAt: Number(row.created_at),
    retiresAt: nullableNumber(row.retires_at as string | null),
  };
}

function toRefresh(row: Record<string, unknown>): RefreshTokenRecord {
  return {
    tokenHash: String(row.token_hash),
    familyId: String(row.family_id),
    userId: String(row.user_id),
    scopes: row.scopes as string[],
    issuedAt: Number(row.issued_at),
    expiresAt: Number(row.expires_at),
    familyExpiresAt: Number(row.family_expires_at),
    usedAt: nullableNumber(row.used_at as string | null),
    revokedAt: nullableNumber(row.revoked_at as string | null),
  };
}

export interface PostgresStore extends AuthStore {
  readonly pool: pg.Pool;
}

export async function openPostgresStore(settings: PostgresSettings): Promise<PostgresStore> {
  if (settings.schema !== undefined && !IDENTIFIER.test(settings.schema)) {
    throw new RangeError(`"${settings.schema}" is not a valid PostgreSQL schema name for the auth tables.`);
  }
  const pool = new pg.Pool({
    connectionString: settings.connectionString,
    max: settings.maxConnections ?? 10,
    ...(settings.schema === undefined ? {} : { options: `-c search_path=${settings.schema}` }),
  });
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Several instances may start at once; one migrates, the others wait.
    await client.query("SELECT pg_advisory_xact_lock(hashtext('auth-jwt-schema'))");
    if (settings.schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${settings.schema}`);
    await client.query(SCHEMA);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
    await pool.end();
    throw error;
  }
  client.release();

  const rows = async (text: string, values: unknown[] = []): Promise<Record<string, unknown>[]> =>
    (await pool.query(text, values)).rows as Record<string, unknown>[];
  const changed = async (text: string, values: unknown[]): Promise<number> => (await pool.query(text, values)).rowCount ?? 0;

  return {
    pool,
    description: `postgres${settings.schema === undefined ? '' : ` (schema ${settings.schema})`}`,
    async createUser(user) {
      try {
        await pool.query(
          `INSERT INTO auth_users (id, username, password_hash, scopes, disabled, token_version, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [user.id, user.username, user.passwordHash, JSON.stringify(user.scopes), user.disabled, user.tokenVersion, user.createdAt],
        );
      } catch (error) {
        if ((error as { code?: string }).code === '23505') throw new DuplicateUserError(user.username);
        throw error;
      }
    },
    async findUserByUsername(username) {
      const [row] = await rows('SELECT * FROM auth_users WHERE username = $1', [username]);
      return row ? toUser(row) : null;
    },
    async findUserById(id) {
      const [row] = await rows('SELECT * FROM auth_users WHERE id = $1', [id]);
      return row ? toUser(row) : null;
    },
    async setUserDisabled(id, disabled) {
      return (await changed('UPDATE auth_users SET disabled = $1 WHERE id = $2', [disabled, id])) === 1;
    },
    async setPasswordHash(id, passwordHash) {
      return (await changed('UPDATE auth_users SET password_hash = $1 WHERE id = $2', [passwordHash, id])) === 1;
    },
    async bumpTokenVersion(id) {
      const [row] = await rows(
        'UPDATE auth_users SET token_version = token_version + 1 WHERE id = $1 RETURNING token_version',
        [id],
      );
      return row ? Number(row.token_version) : null;
    },
    async getActiveTokenVersion(id) {
      const [row] = await rows('SELECT token_version FROM auth_users WHERE id = $1 AND NOT disabled', [id]);
      return row ? Number(row.token_version) : null;
    },
    async listSigningKeys() {
      return (await rows('SELECT * FROM auth_signing_keys ORDER BY created_at')).map(toKey);
    },
    async insertSigningKey(key) {
      await pool.query(
        `INSERT INTO auth_signing_keys (kid, alg, public_jwk, encrypted_private_jwk, created_at, retires_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [key.kid, key.alg, JSON.stringify(key.publicJwk), key.encryptedPrivateJwk, key.createdAt, key.retiresAt],
      );
    },
    async retireSigningKeys(keepKid, retiresAt) {
      await pool.query('UPDATE auth_signing_keys SET retires_at = $1 WHERE retires_at IS NULL AND kid <> $2', [retiresAt, keepKid]);
    },
    async deleteSigningKeysRetiredBefore(time) {
      await pool.query('DELETE FROM auth_signing_keys WHERE retires_at IS NOT NULL AND retires_at < $1', [time]);
    },
    async insertRefreshToken(token) {
      await pool.query(
        `INSERT INTO auth_refresh_tokens
         (token_hash, family_id, user_id, scopes, issued_at, expires_at, family_expires_at, used_at, revoked_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL)`,
        [token.tokenHash, token.familyId, token.userId, JSON.stringify(token.scopes), token.issuedAt, token.expiresAt, token.familyExpiresAt],
      );
    },
    async findRefreshToken(tokenHash) {
      const [row] = await rows('SELECT * FROM auth_refresh_tokens WHERE token_hash = $1', [tokenHash]);
      return row ? toRefresh(row) : null;
    },
    async markRefreshTokenUsed(tokenHash, usedAt) {
      return (
        (await changed(
          'UPDATE auth_refresh_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND revoked_at IS NULL',
          [usedAt, tokenHash],
        )) === 1
      );
    },
    async revokeRefreshFamily(familyId, revokedAt) {
      await pool.query('UPDATE auth_refresh_tokens SET revoked_at = $1 WHERE family_id = $2 AND revoked_at IS NULL', [revokedAt, familyId]);
    },
    async revokeUserRefreshTokens(userId, revokedAt) {
      await pool.query('UPDATE auth_refresh_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL', [revokedAt, userId]);
    },
    async hitRateLimit(key, windowMs, now) {
      const [row] = await rows(
        `INSERT INTO auth_rate_limits AS r (key, window_start, count) VALUES ($1, $2, 1)
         ON CONFLICT (key) DO UPDATE SET
           count = CASE WHEN r.window_start = EXCLUDED.window_start THEN r.count + 1 ELSE 1 END,
           window_start = EXCLUDED.window_start
         RETURNING count`,
        [key, now - (now % windowMs)],
      );
      return row ? Number(row.count) : 1;
    },
    async close() {
      await pool.end();
    },
  };
}
