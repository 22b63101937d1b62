// The persistence contract of the session module. Every store (SQLite, Redis, and the in-memory one
// used by unit tests) implements it; the core never talks to a database directly.
// Times are milliseconds since the epoch, taken from the core's clock, never from the store's.

export interface UserRecord {
  id: string;
  /** Normalised login name (see normaliseUsername in accounts.ts); unique. */
  username: string;
  /** PHC string, `$argon2id$v=19$m=19456,t=2,p=1$…`, see passwords.ts. */
  passwordHash: string;
  /** What the user may do, e.g. `admin`. Read on every request, so a change applies at once. */
  scopes: string[];
  disabled: boolean;
  /** Demo field changed through the CSRF-protected profile form. */
  displayName: string;
  createdAt: number;
}

export interface SessionRecord {
  /** SHA-256 (hex) of the session id. The id itself only ever exists in the client's cookie. */
  idHash: string;
  /** null for a pre-session: the anonymous session that carries the login form's CSRF token. */
  userId: string | null;
  /** Synchronizer token for state-changing requests made with this session. */
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
}

export interface LoginFailures {
  count: number;
  windowStartedAt: number;
}

export type UserUpdate = Partial<Pick<UserRecord, 'passwordHash' | 'scopes' | 'disabled' | 'displayName'>>;

export class DuplicateUserError extends Error {
  override name = 'DuplicateUserError';
  constructor(username: string) {
    super(`A user named "${username}" already exists.`);
  }
}

export interface AuthStore {
  createUser(user: UserRecord): Promise<void>;
  findUserById(id: string): Promise<UserRecord | undefined>;
  findUserByUsername(username: string): Promise<UserRecord | undefined>;
  updateUser(id: string, update: UserUpdate): Promise<void>;

  /** `ttlMs` lets stores with native expiry (Redis) drop the record on their own as a backstop. */
  createSession(session: SessionRecord, ttlMs: number): Promise<void>;
  findSession(idHash: string): Promise<SessionRecord | undefined>;
  touchSession(idHash: string, lastSeenAt: number, ttlMs: number): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  /** Deletes every session of the user; returns how many there were. */
  deleteUserSessions(userId: string): Promise<number>;
  countUserSessions(userId: string): Promise<number>;

  /** Adds one failure for the account, starting a new window when the old one has ended. */
  recordLoginFailure(account: string, now: number, windowMs: number): Promise<LoginFailures>;
  loginFailures(account: string): Promise<LoginFailures | undefined>;
  clearLoginFailures(account: string): Promise<void>;

  /** Deletes every user, session and counter of this store (its file, or its Redis key prefix). */
  removeAllData(): Promise<void>;
  close(): Promise<void>;
}
