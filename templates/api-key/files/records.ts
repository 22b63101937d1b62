import type { AuthStore, StoredRecord } from '../../kernel/store.js';

/** One issued key. The raw key is never stored: only its id and a keyed hash of its secret. */
export interface ApiKeyRecord {
  /** Public identifier, also part of the key itself. */
  id: string;
  /** The program the key acts as, e.g. "billing-worker". Kept across rotation. */
  subject: string;
  /** The customer or organisation the key acts for. */
  tenant: string;
  scopes: string[];
  /** Hex HMAC-SHA-256 of the secret (see `hashSecret`). */
  secretHash: string;
  createdAt: Date;
  /** From this instant the key is refused; null only for a key made with an explicit "no expiry". */
  expiresAt: Date | null;
  revokedAt: Date | null;
  /** Set on the old key when it was rotated: the id of its successor. */
  replacedBy: string | null;
}

const KIND = 'api-key';
const USE = 'api-key-use';
// Expired and revoked keys stay listable this long, then the store may drop them.
const KEEP_AFTER_EXPIRY_MS = 30 * 86_400_000;

const iso = (date: Date | null) => (date ? date.toISOString() : null);
const date = (value: unknown) => (typeof value === 'string' ? new Date(value) : null);

function fromRecord(record: StoredRecord): ApiKeyRecord {
  const value = record.value;
  return {
    id: record.id,
    subject: String(value.subject),
    tenant: String(value.tenant),
    scopes: (value.scopes as string[]).map(String),
    secretHash: String(value.secretHash),
    createdAt: new Date(String(value.createdAt)),
    expiresAt: date(value.expiresAt),
    revokedAt: date(value.revokedAt),
    replacedBy: typeof value.replacedBy === 'string' ? value.replacedBy : null,
  };
}

/** API keys on the kernel's store. */
export class ApiKeyRecords {
  private readonly store: AuthStore;
  constructor(store: AuthStore) {
    this.store = store;
  }

  async save(record: ApiKeyRecord): Promise<void> {
    const end = record.revokedAt ?? record.expiresAt;
    await this.store.upsert(
      KIND,
      record.id,
      {
        subject: record.subject,
        tenant: record.tenant,
        scopes: record.scopes,
        secretHash: record.secretHash,
        createdAt: record.createdAt.toISOString(),
        expiresAt: iso(record.expiresAt),
        revokedAt: iso(record.revokedAt),
        replacedBy: record.replacedBy,
      },
      { owner: record.subject, group: record.tenant, expiresAt: end ? new Date(end.getTime() + KEEP_AFTER_EXPIRY_MS) : null },
    );
  }

  async find(id: string): Promise<ApiKeyRecord | null> {
    const record = await this.store.find(KIND, id);
    return record ? fromRecord(record) : null;
  }

  async list(filter: { tenant?: string; subject?: string } = {}): Promise<ApiKeyRecord[]> {
    const records = await this.store.list(KIND, {
      ...(filter.subject !== undefined ? { owner: filter.subject } : {}),
      ...(filter.tenant !== undefined ? { group: filter.tenant } : {}),
    });
    return records.map(fromRecord).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
  }

  /**
   * When a key was last used. Kept apart from the key itself, so a usage stamp
   * written while a revocation happens can never undo it.
   */
  async markUsed(id: string, at: Date): Promise<void> {
    await this.store.upsert(USE, id, { at: at.toISOString() });
  }

  async lastUsed(id: string): Promise<Date | null> {
    const record = await this.store.find(USE, id);
    return record ? date(record.value.at) : null;
  }
}
