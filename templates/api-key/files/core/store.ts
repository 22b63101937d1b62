/** One issued key. The raw key is never stored: only its id and a keyed hash. */
export interface ApiKeyRecord {
  /** Public identifier, also embedded in the key itself. */
  id: string;
  /** Who the key acts as, e.g. the service account "billing-worker". Kept across rotation. */
  subject: string;
  /** The customer or organisation the key acts for. */
  tenant: string;
  scopes: string[];
  /** Hex HMAC-SHA-256 of the secret (see `hashSecret`). */
  secretHash: string;
  createdAt: Date;
  /** After this instant the key is refused. Rotation shortens it to the end of the overlap. */
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  /** Set on the old key when it was rotated: the id of its successor. */
  replacedBy: string | null;
}

export type ApiKeyChanges = Partial<Pick<ApiKeyRecord, 'expiresAt' | 'revokedAt' | 'lastUsedAt' | 'replacedBy'>>;

export interface FailureCount {
  /** Failures of this client in the current window, this one included. */
  count: number;
  /** When the current window ends. */
  resetAt: Date;
}

/** Counts authentication failures per client so that guessing gets throttled. */
export interface FailureCounter {
  recordFailure(client: string, windowMs: number, now: Date): Promise<FailureCount>;
}

/**
 * Everything the API-key core needs from persistence. SQLite, PostgreSQL and
 * Redis implement it in `stores/`; `core/memory-store.ts` is for tests only.
 */
export interface ApiKeyStore extends FailureCounter {
  /** Creates tables / indexes when missing. Safe to call on every start. */
  init(): Promise<void>;
  insertKey(record: ApiKeyRecord): Promise<void>;
  findKeyById(id: string): Promise<ApiKeyRecord | null>;
  listKeys(filter?: { tenant?: string }): Promise<ApiKeyRecord[]>;
  /** Returns false when no key has this id. */
  updateKey(id: string, changes: ApiKeyChanges): Promise<boolean>;
  close(): Promise<void>;
}
