import { generateKey, hashSecret } from './keys.js';
import type { ApiKeyRecord, ApiKeyStore } from './store.js';

export interface KeyManagementContext {
  store: ApiKeyStore;
  pepper: string;
  prefix: string;
  now: Date;
}

export type KeyStatus = 'active' | 'rotating' | 'expired' | 'revoked';

/** What may be shown about a key: everything except its hash. */
export interface KeyInfo {
  id: string;
  subject: string;
  tenant: string;
  scopes: string[];
  status: KeyStatus;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  replacedBy: string | null;
}

export interface IssuedKey {
  /** The raw key. Show it once; it cannot be recovered later. */
  key: string;
  info: KeyInfo;
}

/** An expected problem with the request (unknown id, key already revoked...). */
export class KeyManagementError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyManagementError';
  }
}

const SCOPE_PATTERN = /^[a-z][a-z0-9:._-]{0,63}$/;
const SUBJECT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@:-]{0,99}$/;
const TENANT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function statusOf(record: ApiKeyRecord, now: Date): KeyStatus {
  if (record.revokedAt && record.revokedAt.getTime() <= now.getTime()) return 'revoked';
  if (record.expiresAt && record.expiresAt.getTime() <= now.getTime()) return 'expired';
  return record.replacedBy ? 'rotating' : 'active';
}

export function describeKey(record: ApiKeyRecord, now: Date): KeyInfo {
  const iso = (date: Date | null) => (date ? date.toISOString() : null);
  return {
    id: record.id,
    subject: record.subject,
    tenant: record.tenant,
    scopes: [...record.scopes],
    status: statusOf(record, now),
    createdAt: record.createdAt.toISOString(),
    expiresAt: iso(record.expiresAt),
    revokedAt: iso(record.revokedAt),
    lastUsedAt: iso(record.lastUsedAt),
    replacedBy: record.replacedBy,
  };
}

export interface NewKeyRequest {
  subject: string;
  tenant: string;
  scopes: string[];
  /** Lifetime from now; omit for a key that lives until revoked. */
  expiresInMs?: number;
}

function validate(request: NewKeyRequest): void {
  if (!SUBJECT_PATTERN.test(request.subject)) {
    throw new KeyManagementError(
      `Subject "${request.subject}" is not valid: 1 to 100 characters, letters, digits and . _ @ : - only.`,
    );
  }
  if (!TENANT_PATTERN.test(request.tenant)) {
    throw new KeyManagementError(`Tenant "${request.tenant}" is not valid: use letters, digits, ".", "_" or "-" (max 64).`);
  }
  for (const scope of request.scopes) {
    if (!SCOPE_PATTERN.test(scope)) {
      throw new KeyManagementError(`Scope "${scope}" is not valid: lowercase letter first, then a-z 0-9 : . _ - (max 64).`);
    }
  }
  if (request.expiresInMs !== undefined && !(request.expiresInMs > 0)) {
    throw new KeyManagementError('An expiry must lie in the future.');
  }
}

export async function createKey(context: KeyManagementContext, request: NewKeyRequest): Promise<IssuedKey> {
  validate(request);
  const { key, id, secret } = generateKey(context.prefix);
  const record: ApiKeyRecord = {
    id,
    subject: request.subject,
    tenant: request.tenant,
    scopes: [...new Set(request.scopes)],
    secretHash: hashSecret(context.pepper, id, secret),
    createdAt: context.now,
    expiresAt: request.expiresInMs === undefined ? null : new Date(context.now.getTime() + request.expiresInMs),
    revokedAt: null,
    lastUsedAt: null,
    replacedBy: null,
  };
  await context.store.insertKey(record);
  return { key, info: describeKey(record, context.now) };
}

export async function listKeys(context: KeyManagementContext, filter: { tenant?: string } = {}): Promise<KeyInfo[]> {
  const records = await context.store.listKeys(filter);
  return records.map((record) => describeKey(record, context.now));
}

async function usableKey(context: KeyManagementContext, id: string): Promise<ApiKeyRecord> {
  const record = await context.store.findKeyById(id);
  if (!record) throw new KeyManagementError(`No API key with id "${id}". Run the list command to see the ids.`);
  return record;
}

/**
 * Issues a successor with the same subject, tenant, scopes and lifetime, and lets
 * the old key keep working until `overlapMs` from now so clients can switch
 * without an outage.
 */
export async function rotateKey(
  context: KeyManagementContext,
  id: string,
  overlapMs: number,
): Promise<IssuedKey & { previous: KeyInfo }> {
  if (!(overlapMs >= 0)) throw new KeyManagementError('The overlap must be zero or more.');
  const old = await usableKey(context, id);
  const status = statusOf(old, context.now);
  if (status !== 'active') {
    throw new KeyManagementError(
      status === 'rotating'
        ? `API key "${id}" was already rotated; its successor is "${old.replacedBy}".`
        : `API key "${id}" is ${status} and cannot be rotated. Create a new key instead.`,
    );
  }
  const lifetime = old.expiresAt ? old.expiresAt.getTime() - old.createdAt.getTime() : undefined;
  const issued = await createKey(context, {
    subject: old.subject,
    tenant: old.tenant,
    scopes: old.scopes,
    ...(lifetime !== undefined ? { expiresInMs: lifetime } : {}),
  });
  const overlapEnd = context.now.getTime() + overlapMs;
  const expiresAt = new Date(old.expiresAt ? Math.min(old.expiresAt.getTime(), overlapEnd) : overlapEnd);
  await context.store.updateKey(old.id, { expiresAt, replacedBy: issued.info.id });
  return { ...issued, previous: describeKey({ ...old, expiresAt, replacedBy: issued.info.id }, context.now) };
}

/** Takes effect on the very next request: the check reads the store every time. */
export async function revokeKey(context: KeyManagementContext, id: string): Promise<KeyInfo> {
  const record = await usableKey(context, id);
  if (record.revokedAt) throw new KeyManagementError(`API key "${id}" is already revoked.`);
  await context.store.updateKey(id, { revokedAt: context.now });
  return describeKey({ ...record, revokedAt: context.now }, context.now);
}
