import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { AuthStore, JsonObject, StoredRecord } from '../../../kernel/store.js';

/** The store kind of an oidc-provider model (`Grant`, `AccessToken`, `Session`…). */
export const modelKind = (model: string): string => `oauth:${model}`;

/** What this package records about each access token it issues (token-status.ts); grouped by grant too. */
export const TOKEN_STATUS_KIND = 'oauth:TokenStatus';
/** Which account a grant stands for, at which account version (token-status.ts). */
export const GRANT_ACCOUNT_KIND = 'oauth:GrantAccount';

/** The records that hang off a grant: oidc-provider's codes and tokens, and this package's own. */
const GRANT_BOUND = [...['AccessToken', 'RefreshToken', 'AuthorizationCode', 'DeviceCode'].map(modelKind), TOKEN_STATUS_KIND, GRANT_ACCOUNT_KIND];

/** Ends a grant everywhere: the grant itself, its codes and tokens, and the status of its access tokens (JWTs included). */
export async function destroyGrant(store: AuthStore, grantId: string): Promise<boolean> {
  const existed = await store.destroy(modelKind('Grant'), grantId);
  for (const kind of GRANT_BOUND) await store.destroyWhere(kind, { group: grantId });
  return existed;
}

/**
 * Seconds a model's record is kept past its own expiry. A device polling with
 * an expired device code should learn `expired_token` (RFC 8628 §3.5), which
 * oidc-provider answers only while it can still read the code.
 */
const KEPT_AFTER_EXPIRY: Record<string, number> = { [modelKind('DeviceCode')]: 600 };

function payloadOf(record: StoredRecord): AdapterPayload {
  const payload = { ...record.value } as AdapterPayload;
  // oidc-provider reads `consumed` to refuse a second use of a code or a rotated refresh token.
  if (record.consumedAt !== null) payload.consumed = Math.floor(record.consumedAt.getTime() / 1000);
  return payload;
}

/**
 * oidc-provider's storage interface on the package's one store (SQLite,
 * PostgreSQL or Redis), instead of its in-memory adapter, which its authors
 * mark as development-only. Every artefact (clients, grants, codes, tokens,
 * sessions, interactions) is a record of its model's kind; a token's grant is
 * its group, so a grant's tokens are revoked in one call; a grant's account is
 * its owner, so a person's grants can be listed.
 *
 * `expiresIn` only tells the store when to clean up (device codes a little
 * later): oidc-provider checks every artefact's own expiry when it reads one.
 */
export function storeAdapter(store: AuthStore): new (model: string) => Adapter {
  return class StoreAdapter implements Adapter {
    readonly kind: string;

    constructor(model: string) {
      this.kind = modelKind(model);
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      const value = JSON.parse(JSON.stringify(payload)) as JsonObject;
      await store.upsert(this.kind, id, value, {
        expiresAt: expiresIn ? new Date(Date.now() + (expiresIn + (KEPT_AFTER_EXPIRY[this.kind] ?? 0)) * 1000) : null,
        owner: typeof payload.accountId === 'string' ? payload.accountId : null,
        group: typeof payload.grantId === 'string' ? payload.grantId : null,
        lookup: typeof payload.uid === 'string' ? payload.uid : typeof payload.userCode === 'string' ? payload.userCode : null,
      });
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      const record = await store.find(this.kind, id);
      return record ? payloadOf(record) : undefined;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const record = await store.findByLookup(this.kind, uid);
      return record ? payloadOf(record) : undefined;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      const record = await store.findByLookup(this.kind, userCode);
      return record ? payloadOf(record) : undefined;
    }

    async consume(id: string): Promise<void> {
      if (await store.consume(this.kind, id, new Date())) return;
      // Two requests raced with one code (or refresh token) and this one lost: a replay, so the
      // grant ends as it does when oidc-provider sees the reuse itself.
      const record = await store.find(this.kind, id);
      if (record?.group) await destroyGrant(store, record.group);
      throw new errors.InvalidGrant('already used');
    }

    async destroy(id: string): Promise<void> {
      await store.destroy(this.kind, id);
      // A grant oidc-provider ends (revocation, code or refresh-token reuse) takes its tokens' status with it.
      if (this.kind === modelKind('Grant')) for (const kind of [TOKEN_STATUS_KIND, GRANT_ACCOUNT_KIND]) await store.destroyWhere(kind, { group: id });
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await store.destroyWhere(this.kind, { group: grantId });
    }
  };
}
