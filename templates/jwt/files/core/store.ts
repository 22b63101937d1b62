import type { JWK } from 'jose';

// The persistence contract of the JWT module. Every store (SQLite, PostgreSQL, PostgreSQL + Redis,
// and the in-memory one used by tests) implements it; the core never talks to a database directly.
// Times are milliseconds since the epoch.

export interface UserRecord {
  id: string;
  username: string;
  /** `scrypt$N$r$p$salt$hash`, see passwords.ts. */
  passwordHash: string;
  /** Scopes this user may receive in access tokens. */
  scopes: string[];
  disabled: boolean;
  /** Copied into every access token as `ver`; bumping it invalidates all of the user's access tokens. */
  tokenVersion: number;
  createdAt: number;
}

export interface SigningKeyRecord {
  kid: string;
  alg: 'ES256';
  publicJwk: JWK;
  /** The private JWK, encrypted with AES-256-GCM under the key-encryption key (see keys.ts). */
  encryptedPrivateJwk: string;
  createdAt: number;
  /** null while the key is the current signer; afterwards, the moment it stops verifying. */
  retiresAt: number | null;
}

export interface RefreshTokenRecord {
  /** SHA-256 of the opaque token; the token itself is never stored. */
  tokenHash: string;
  familyId: string;
  userId: string;
  scopes: string[];
  issuedAt: number;
  expiresAt: number;
  /** Absolute end of the family; rotation never extends it. */
  familyExpiresAt: number;
  /** Set when the token was exchanged; presenting it again is reuse. */
  usedAt: number | null;
  revokedAt: number | null;
}

export interface AuthStore {
  /** Human-readable description for logs, without credentials. */
  readonly description: string;

  /** Throws DuplicateUserError when the username is taken. */
  createUser(user: UserRecord): Promise<void>;
  findUserByUsername(username: string): Promise<UserRecord | null>;
  findUserById(id: string): Promise<UserRecord | null>;
  /** Returns false when no such user exists. */
  setUserDisabled(id: string, disabled: boolean): Promise<boolean>;
  setPasswordHash(id: string, passwordHash: string): Promise<boolean>;
  /** Increments the user's token version and returns the new value (null: no such user). */
  bumpTokenVersion(id: string): Promise<number | null>;
  /** The version an access token must carry; null when the user is unknown or disabled. */
  getActiveTokenVersion(id: string): Promise<number | null>;

  listSigningKeys(): Promise<SigningKeyRecord[]>;
  insertSigningKey(key: SigningKeyRecord): Promise<void>;
  /** Gives every current key except `keepKid` a retirement time. */
  retireSigningKeys(keepKid: string, retiresAt: number): Promise<void>;
  deleteSigningKeysRetiredBefore(time: number): Promise<void>;

  insertRefreshToken(token: RefreshTokenRecord): Promise<void>;
  findRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | null>;
  /** Marks a token as exchanged; false when it was already used or revoked (a concurrent exchange). */
  markRefreshTokenUsed(tokenHash: string, usedAt: number): Promise<boolean>;
  revokeRefreshFamily(familyId: string, revokedAt: number): Promise<void>;
  revokeUserRefreshTokens(userId: string, revokedAt: number): Promise<void>;

  /** Counts one hit for `key` in the fixed window containing `now`; returns the count so far. */
  hitRateLimit(key: string, windowMs: number, now: number): Promise<number>;

  close(): Promise<void>;
}

export class DuplicateUserError extends Error {
  override name = 'DuplicateUserError';
  constructor(username: string) {
    super(`A user named "${username}" already exists.`);
  }
}
