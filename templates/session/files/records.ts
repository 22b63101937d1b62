import type { AuthStore, StoredRecord } from '../../kernel/store.js';
import type { SessionVariant } from './config.js';

/** One session, as the store keeps it. The secret the client holds is not in it, only the hash it is stored under. */
export interface SessionRecord {
  /** The storage id: a hash of the secret (secrets.ts). */
  id: string;
  /** Public name of the session (`ses_…`): in `/me`, audit lines, lists and `sessions end`. Never a credential. */
  handle: string;
  variant: SessionVariant;
  /** The account's id. */
  account: string;
  /** The account's version at sign-in; a newer one (password, scopes, disabled) ends the session. */
  version: number;
  /** The synchronizer token unsafe requests of a cookie session must send back; null for tokens. */
  csrfToken: string | null;
  createdAt: Date;
  /** What the client called itself at sign-in (a token's device or tool), if anything. */
  name: string | null;
}

/** A session and when it was last seen. */
export interface LiveSession {
  record: SessionRecord;
  lastSeenAt: Date;
}

export interface PreSession {
  id: string;
  csrfToken: string;
  createdAt: Date;
}

const KIND = 'session';
// NOTE: the last-seen time lives in a record of its own. Writing it into the session record could
// bring back a session that a logout running at the same moment had just deleted.
const SEEN = 'session-seen';
const LOGIN = 'session-login';

function fromRecord(record: StoredRecord): SessionRecord {
  const value = record.value;
  return {
    id: record.id,
    handle: String(value.handle),
    variant: value.variant === 'token' ? 'token' : 'cookie',
    account: String(value.account),
    version: Number(value.version),
    csrfToken: typeof value.csrfToken === 'string' ? value.csrfToken : null,
    createdAt: new Date(String(value.createdAt)),
    name: typeof value.name === 'string' ? value.name : null,
  };
}

/** Sessions, their last-seen times and the sign-in form's pre-sessions, on the kernel's store. */
export class SessionRecords {
  private readonly store: AuthStore;
  constructor(store: AuthStore) {
    this.store = store;
  }

  /** `until` is when the session ends at the latest (its absolute lifetime); the store may drop it then. */
  async create(record: SessionRecord, until: Date): Promise<void> {
    await this.store.upsert(
      KIND,
      record.id,
      {
        handle: record.handle,
        variant: record.variant,
        account: record.account,
        version: record.version,
        csrfToken: record.csrfToken,
        createdAt: record.createdAt.toISOString(),
        name: record.name,
      },
      { owner: record.account, group: record.variant, lookup: record.handle, expiresAt: until },
    );
  }

  async find(id: string): Promise<LiveSession | null> {
    const [record, seen] = await Promise.all([this.store.find(KIND, id), this.store.find(SEEN, id)]);
    if (!record) return null;
    const session = fromRecord(record);
    const seenAt = typeof seen?.value.at === 'string' ? new Date(seen.value.at) : null;
    return { record: session, lastSeenAt: seenAt && seenAt > session.createdAt ? seenAt : session.createdAt };
  }

  async findByHandle(handle: string): Promise<SessionRecord | null> {
    const record = await this.store.findByLookup(KIND, handle);
    return record ? fromRecord(record) : null;
  }

  /** Notes a request; `until` is when the session would end if none follows. */
  async touch(id: string, at: Date, until: Date): Promise<void> {
    await this.store.upsert(SEEN, id, { at: at.toISOString() }, { expiresAt: until });
  }

  async list(account: string): Promise<LiveSession[]> {
    const records = (await this.store.list(KIND, { owner: account })).map(fromRecord);
    const seen = await Promise.all(records.map((record) => this.store.find(SEEN, record.id)));
    return records
      .map((record, index) => {
        const at = seen[index]?.value.at;
        const seenAt = typeof at === 'string' ? new Date(at) : record.createdAt;
        return { record, lastSeenAt: seenAt > record.createdAt ? seenAt : record.createdAt };
      })
      .sort((a, b) => a.record.createdAt.getTime() - b.record.createdAt.getTime() || a.record.handle.localeCompare(b.record.handle));
  }

  async destroy(id: string): Promise<boolean> {
    const [ended] = await Promise.all([this.store.destroy(KIND, id), this.store.destroy(SEEN, id)]);
    return ended;
  }

  /** Ends every session of an account; their last-seen records are left to expire. */
  async destroyAccount(account: string): Promise<number> {
    return this.store.destroyWhere(KIND, { owner: account });
  }

  async createPreSession(preSession: PreSession, until: Date): Promise<void> {
    await this.store.upsert(LOGIN, preSession.id, { csrfToken: preSession.csrfToken, createdAt: preSession.createdAt.toISOString() }, { expiresAt: until });
  }

  async findPreSession(id: string): Promise<PreSession | null> {
    const record = await this.store.find(LOGIN, id);
    return record ? { id, csrfToken: String(record.value.csrfToken), createdAt: new Date(String(record.value.createdAt)) } : null;
  }

  async destroyPreSession(id: string): Promise<boolean> {
    return this.store.destroy(LOGIN, id);
  }
}
