import type { ApiKeyChanges, ApiKeyRecord, ApiKeyStore, FailureCount, FailureCounter } from './store.js';

function copy(record: ApiKeyRecord): ApiKeyRecord {
  return { ...record, scopes: [...record.scopes] };
}

/**
 * Failure counts in this process only: right for a single instance, wrong
 * behind a load balancer (each instance would count on its own).
 */
export class MemoryFailureCounter implements FailureCounter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  async recordFailure(client: string, windowMs: number, now: Date): Promise<FailureCount> {
    const at = now.getTime();
    // Drop finished windows now and then so the map cannot grow without bound.
    if (this.windows.size > 10_000) {
      for (const [key, window] of this.windows) if (window.resetAt <= at) this.windows.delete(key);
    }
    let window = this.windows.get(client);
    if (!window || window.resetAt <= at) {
      window = { count: 0, resetAt: at + windowMs };
      this.windows.set(client, window);
    }
    window.count += 1;
    return { count: window.count, resetAt: new Date(window.resetAt) };
  }
}

/** For tests only: nothing survives a restart and nothing is shared. */
export class MemoryApiKeyStore extends MemoryFailureCounter implements ApiKeyStore {
  private readonly keys = new Map<string, ApiKeyRecord>();

  constructor(env: Record<string, string | undefined> = process.env) {
    super();
    if (env.NODE_ENV === 'production') {
      throw new Error('The in-memory API key store is for tests only and refuses to run with NODE_ENV=production.');
    }
  }

  async init(): Promise<void> {}

  async insertKey(record: ApiKeyRecord): Promise<void> {
    if (this.keys.has(record.id)) throw new Error(`An API key with id ${record.id} already exists.`);
    this.keys.set(record.id, copy(record));
  }

  async findKeyById(id: string): Promise<ApiKeyRecord | null> {
    const record = this.keys.get(id);
    return record ? copy(record) : null;
  }

  async listKeys(filter: { tenant?: string } = {}): Promise<ApiKeyRecord[]> {
    return [...this.keys.values()]
      .filter((record) => filter.tenant === undefined || record.tenant === filter.tenant)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .map(copy);
  }

  async updateKey(id: string, changes: ApiKeyChanges): Promise<boolean> {
    const record = this.keys.get(id);
    if (!record) return false;
    this.keys.set(id, { ...record, ...changes });
    return true;
  }

  async close(): Promise<void> {}
}
