import type { AuthStore } from '../../../kernel/store.js';
import { destroyGrant, modelKind } from './adapter.js';

const GRANT_KIND = modelKind('Grant');

/** What a person allowed a client: the scopes, and until when. */
export interface GrantSummary {
  grantId: string;
  subject: string;
  clientId: string;
  scopes: string[];
  /** When the grant (and every refresh token under it) ends at the latest. */
  expiresAt: string | null;
  grantedAt: string | null;
}

function summarise(id: string, payload: Record<string, unknown>): GrantSummary {
  const resources = (payload.resources ?? {}) as Record<string, string>;
  const openid = (payload.openid ?? {}) as { scope?: string };
  const scopes = new Set([...(openid.scope ?? '').split(' '), ...Object.values(resources).flatMap((scope) => scope.split(' '))]);
  scopes.delete('');
  return {
    grantId: id,
    subject: String(payload.accountId ?? ''),
    clientId: String(payload.clientId ?? ''),
    scopes: [...scopes].sort(),
    expiresAt: typeof payload.exp === 'number' ? new Date(payload.exp * 1000).toISOString() : null,
    grantedAt: typeof payload.iat === 'number' ? new Date(payload.iat * 1000).toISOString() : null,
  };
}

/** Every grant, or one person's (a grant's owner is its account). */
export async function listGrants(store: AuthStore, subject?: string): Promise<GrantSummary[]> {
  const records = await store.list(GRANT_KIND, subject === undefined ? {} : { owner: subject });
  return records.map((record) => summarise(record.id, record.value)).sort((a, b) => (a.grantedAt ?? '').localeCompare(b.grantedAt ?? ''));
}

export async function findGrant(store: AuthStore, grantId: string): Promise<GrantSummary | null> {
  const record = await store.find(GRANT_KIND, grantId);
  return record ? summarise(record.id, record.value) : null;
}

/** Ends a grant: its codes, refresh tokens and access tokens (opaque or JWT) stop working on their next use. */
export const revokeGrant = (store: AuthStore, grantId: string): Promise<boolean> => destroyGrant(store, grantId);
