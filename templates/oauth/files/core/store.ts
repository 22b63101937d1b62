/**
 * The one persistence contract of the OAuth code. The authorization server
 * keeps every artefact (clients, grants, codes, tokens, sessions,
 * interactions) as a record of a named model; the same records hold the
 * signing keys, the accounts and the client side's connections. Expiry is
 * enforced by the store: an expired record is never returned.
 */
export interface StoredRecord {
  id: string;
  payload: Record<string, unknown>;
}

/** Secondary keys oidc-provider looks records up by. */
export interface RecordIndex {
  grantId?: string;
  uid?: string;
  userCode?: string;
}

export interface OAuthStore {
  /** Creates or replaces a record; `expiresAt` is epoch milliseconds, null for never. */
  upsert(model: string, id: string, payload: Record<string, unknown>, expiresAt: number | null, index?: RecordIndex): Promise<void>;
  /** Inserts only when no live record has this id; returns whether it did. */
  insertIfAbsent(model: string, id: string, payload: Record<string, unknown>, expiresAt: number | null): Promise<boolean>;
  find(model: string, id: string): Promise<Record<string, unknown> | undefined>;
  findBy(model: string, key: 'uid' | 'userCode', value: string): Promise<Record<string, unknown> | undefined>;
  /** Marks a record consumed (payload.consumed = epoch seconds), as oidc-provider expects for one-time codes. */
  consume(model: string, id: string, consumedAt: number): Promise<void>;
  destroy(model: string, id: string): Promise<void>;
  /** Deletes every record of every model issued under this grant. */
  revokeByGrantId(grantId: string): Promise<void>;
  /** Every live record of a model (administration only: not on a request path). */
  list(model: string): Promise<StoredRecord[]>;
  close(): Promise<void>;
}
