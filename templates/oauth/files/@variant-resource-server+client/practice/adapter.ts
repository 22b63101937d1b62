import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { AuthStore, JsonObject } from '../../../kernel/store.js';

/**
 * oidc-provider's persistence over the package's store, under kinds of its
 * own (`<prefix>:AccessToken`, …), so the practice issuer keeps its grants and
 * tokens in SQLite, PostgreSQL or Redis like everything else, and the demo
 * and the command line share them. oidc-provider's own in-memory adapter is
 * for its authors' development only.
 */
export function storeAdapter(store: AuthStore, prefix: string): new (model: string) => Adapter {
  return class StoreAdapter implements Adapter {
    private readonly kind: string;

    constructor(model: string) {
      this.kind = `${prefix}:${model}`;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      await store.upsert(this.kind, id, payload as unknown as JsonObject, {
        expiresAt: expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
        group: payload.grantId ?? null,
        // A model has a uid (sessions, interactions) or a user code (device codes), never both.
        lookup: payload.uid ?? payload.userCode ?? null,
      });
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      const record = await store.find(this.kind, id);
      if (!record) return undefined;
      const payload = record.value as unknown as AdapterPayload;
      return record.consumedAt ? { ...payload, consumed: Math.floor(record.consumedAt.getTime() / 1000) } : payload;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return (await store.findByLookup(this.kind, uid))?.value as unknown as AdapterPayload | undefined;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return (await store.findByLookup(this.kind, userCode))?.value as unknown as AdapterPayload | undefined;
    }

    async consume(id: string): Promise<void> {
      await store.consume(this.kind, id, new Date());
    }

    async destroy(id: string): Promise<void> {
      await store.destroy(this.kind, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await store.destroyWhere(this.kind, { group: grantId });
    }
  };
}
