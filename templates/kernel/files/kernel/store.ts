/**
 * The one storage contract of the auth package, in the spirit of
 * oidc-provider's adapter: a handful of verbs every store implements once
 * (stores/), and every method keeps its records on top of them: API keys,
 * sessions, accounts, tokens, throttle state, usage counts.
 *
 * `expiresAt` is for clean-up only: a store stops returning a record once the
 * real time passes it. Methods check their own timestamps against the kernel
 * clock, so tests can move time without the store.
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface StoredRecord {
  kind: string;
  id: string;
  value: JsonObject;
  expiresAt: Date | null;
  /** Who the record belongs to (an account, a key's subject): `list` and `destroyWhere` filter on it. */
  owner: string | null;
  /** A second grouping (a tenant, a grant, a token family). */
  group: string | null;
  /** A secondary unique key within the kind (a username, a handle's hash). */
  lookup: string | null;
  consumedAt: Date | null;
}

export interface RecordOptions {
  expiresAt?: Date | null;
  owner?: string | null;
  group?: string | null;
  lookup?: string | null;
}

export interface RecordFilter {
  owner?: string;
  group?: string;
}

export interface AuthStore {
  readonly name: 'sqlite' | 'postgres' | 'redis' | 'memory';
  /** Creates tables or checks the connection; safe on every start. */
  init(): Promise<void>;
  /** Creates or replaces a record (its `consumedAt` is cleared). */
  upsert(kind: string, id: string, value: JsonObject, options?: RecordOptions): Promise<void>;
  /** Creates a record only if no live one has this id; true when it did. Atomic: of two racing callers one wins. */
  create(kind: string, id: string, value: JsonObject, options?: RecordOptions): Promise<boolean>;
  find(kind: string, id: string): Promise<StoredRecord | null>;
  findByLookup(kind: string, lookup: string): Promise<StoredRecord | null>;
  list(kind: string, filter?: RecordFilter): Promise<StoredRecord[]>;
  /** Marks a record used; true only for the first caller (one-time codes, refresh tokens). */
  consume(kind: string, id: string, at: Date): Promise<boolean>;
  destroy(kind: string, id: string): Promise<boolean>;
  destroyWhere(kind: string, filter: RecordFilter): Promise<number>;
  /**
   * Adds `amount` (default 1; 0 only reads) to a fixed-window counter and
   * returns its count. A window starts at the first hit and lasts
   * `windowSeconds` of `at` time; the next hit after it starts a new one.
   */
  hit(key: string, windowSeconds: number, at: Date, amount?: number): Promise<{ count: number; resetAt: Date }>;
  resetCounter(key: string): Promise<void>;
  /** Every counter whose key starts with `prefix` (usage reports). */
  counters(prefix: string): Promise<{ key: string; count: number }[]>;
  close(): Promise<void>;
}

/** Where a store keeps its data, from the environment (kernel/stores/index.ts opens the chosen one). */
export interface StoreSettings {
  /** Table name or key prefix, so several apps (or test runs) can share a database. */
  prefix: string;
  /** SQLite file. */
  sqlitePath: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
}

export const STORE_PREFIX_PATTERN = /^[a-z][a-z0-9_]{0,30}$/;

/** Records an in-memory or embedded store treats as gone: past their `expiresAt` by the real clock. */
export const isLive = (expiresAt: Date | null, now: number = Date.now()): boolean => expiresAt === null || expiresAt.getTime() > now;
