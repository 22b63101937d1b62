import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { OAuthStore } from './store.js';

/**
 * oidc-provider's persistence interface over our store, replacing its
 * in-memory adapter (which its authors mark as development-only).
 */
export function storeAdapter(store: OAuthStore, now: () => number = Date.now): new (model: string) => Adapter {
  return class StoreAdapter implements Adapter {
    readonly model: string;
    constructor(model: string) {
      this.model = model;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      const expiresAt = expiresIn ? now() + expiresIn * 1000 : null;
      await store.upsert(this.model, id, payload as Record<string, unknown>, expiresAt, {
        grantId: payload.grantId,
        uid: payload.uid,
        userCode: payload.userCode,
      });
    }
    async find(id: string): Promise<AdapterPayload | undefined> {
      return (await store.find(this.model, id)) as AdapterPayload | undefined;
    }
    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return (await store.findBy(this.model, 'uid', uid)) as AdapterPayload | undefined;
    }
    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return (await store.findBy(this.model, 'userCode', userCode)) as AdapterPayload | undefined;
    }
    async consume(id: string): Promise<void> {
      await store.consume(this.model, id, Math.floor(now() / 1000));
    }
    async destroy(id: string): Promise<void> {
      await store.destroy(this.model, id);
    }
    async revokeByGrantId(grantId: string): Promise<void> {
      await store.revokeByGrantId(grantId);
    }
  };
}
