import { isLive, type AuthStore, type JsonObject, type RecordFilter, type RecordOptions, type StoredRecord } from '../store.js';

const copy = (record: StoredRecord): StoredRecord => ({ ...record, value: structuredClone(record.value) });

/**
 * For tests only: nothing survives a restart and nothing is shared between
 * instances. Refuses to start with NODE_ENV=production.
 */
export class MemoryStore implements AuthStore {
  readonly name = 'memory';
  private readonly records = new Map<string, StoredRecord>();
  private readonly windows = new Map<string, { count: number; start: number; end: number }>();

  constructor(env: Readonly<Record<string, string | undefined>> = process.env) {
    if (env.NODE_ENV === 'production') {
      throw new Error('The in-memory store is for tests only and refuses to run with NODE_ENV=production.');
    }
  }

  private live(kind: string, id: string): StoredRecord | undefined {
    const record = this.records.get(`${kind}\u0000${id}`);
    if (record && !isLive(record.expiresAt)) {
      this.records.delete(`${kind}\u0000${id}`);
      return undefined;
    }
    return record;
  }

  async init(): Promise<void> {}

  async upsert(kind: string, id: string, value: JsonObject, options: RecordOptions = {}): Promise<void> {
    this.records.set(`${kind}\u0000${id}`, {
      kind,
      id,
      value: structuredClone(value),
      expiresAt: options.expiresAt ?? null,
      owner: options.owner ?? null,
      group: options.group ?? null,
      lookup: options.lookup ?? null,
      consumedAt: null,
    });
  }

  async create(kind: string, id: string, value: JsonObject, options: RecordOptions = {}): Promise<boolean> {
    if (this.live(kind, id)) return false;
    await this.upsert(kind, id, value, options);
    return true;
  }

  async find(kind: string, id: string): Promise<StoredRecord | null> {
    const record = this.live(kind, id);
    return record ? copy(record) : null;
  }

  async findByLookup(kind: string, lookup: string): Promise<StoredRecord | null> {
    for (const record of this.records.values()) {
      if (record.kind === kind && record.lookup === lookup && isLive(record.expiresAt)) return copy(record);
    }
    return null;
  }

  async list(kind: string, filter: RecordFilter = {}): Promise<StoredRecord[]> {
    return [...this.records.values()]
      .filter((r) => r.kind === kind && isLive(r.expiresAt))
      .filter((r) => (filter.owner === undefined || r.owner === filter.owner) && (filter.group === undefined || r.group === filter.group))
      .sort((a, b) => a.id.localeCompare(b.id))
      .map(copy);
  }

  async consume(kind: string, id: string, at: Date): Promise<boolean> {
    const record = this.live(kind, id);
    if (!record || record.consumedAt !== null) return false;
    record.consumedAt = at;
    return true;
  }

  async destroy(kind: string, id: string): Promise<boolean> {
    return this.live(kind, id) !== undefined && this.records.delete(`${kind}\u0000${id}`);
  }

  async destroyWhere(kind: string, filter: RecordFilter): Promise<number> {
    const doomed = await this.list(kind, filter);
    for (const record of doomed) this.records.delete(`${kind}\u0000${record.id}`);
    return doomed.length;
  }

  async hit(key: string, windowSeconds: number, at: Date, amount = 1): Promise<{ count: number; resetAt: Date }> {
    const now = at.getTime();
    let window = this.windows.get(key);
    if (!window || now >= window.end || now < window.start) {
      if (amount === 0) return { count: 0, resetAt: at };
      window = { count: 0, start: now, end: now + windowSeconds * 1000 };
      this.windows.set(key, window);
    }
    window.count += amount;
    return { count: window.count, resetAt: new Date(window.end) };
  }

  async resetCounter(key: string): Promise<void> {
    this.windows.delete(key);
  }

  async counters(prefix: string): Promise<{ key: string; count: number }[]> {
    return [...this.windows.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, window]) => ({ key, count: window.count }))
      .sort((a, b) => a.key.localeCompare(b.key));
  }

  async close(): Promise<void> {}
}
