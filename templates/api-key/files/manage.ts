import type { Clock } from '../../kernel/clock.js';
import type { ApiKeyConfig } from './config.js';
import { generateKey, hashSecret } from './keys.js';
import type { ApiKeyRecord, ApiKeyRecords } from './records.js';

export type KeyStatus = 'active' | 'rotating' | 'expired' | 'revoked';

/** What may be shown about a key: everything except its hash. */
export interface KeyInfo {
  id: string;
  subject: string;
  tenant: string;
  scopes: string[];
  status: KeyStatus;
  createdAt: string;
  /** Null only for a key made with an explicit "no expiry", which `list` flags. */
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

/** An expected problem with a request (unknown id, a key already revoked, too many keys…): bad input, not a bug. */
export class KeyManagementError extends Error {
  override name = 'KeyManagementError';
}

const SCOPE_PATTERN = /^[a-z][a-z0-9:._-]{0,63}$/;
const SUBJECT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@:-]{0,99}$/;
const TENANT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const DAY = 86_400;

export function statusOf(record: ApiKeyRecord, now: Date): KeyStatus {
  if (record.revokedAt && record.revokedAt.getTime() <= now.getTime()) return 'revoked';
  if (record.expiresAt && record.expiresAt.getTime() <= now.getTime()) return 'expired';
  return record.replacedBy ? 'rotating' : 'active';
}

const isLive = (record: ApiKeyRecord, now: Date) => ['active', 'rotating'].includes(statusOf(record, now));

export interface NewKeyRequest {
  subject: string;
  tenant: string;
  scopes: readonly string[];
  /** Lifetime in seconds; the configured default when absent. */
  lifetime?: number;
  /** A key that lives until revoked; only on explicit request. */
  noExpiry?: boolean;
}

/** Key management: the one place that issues, rotates and revokes keys, for the CLI, the HTTP route and the tests. */
export class KeyManager {
  private readonly records: ApiKeyRecords;
  private readonly config: ApiKeyConfig;
  private readonly clock: Clock;
  private readonly maxActivePerOwner: number;

  constructor(records: ApiKeyRecords, config: ApiKeyConfig, clock: Clock, maxActivePerOwner: number) {
    this.records = records;
    this.config = config;
    this.clock = clock;
    this.maxActivePerOwner = maxActivePerOwner;
  }

  /** The range a key's lifetime may take, in whole days (from the policy's key lifetime setting). */
  static lifetimeDays(setting: { min: number; max: number }): { min: number; max: number } {
    return { min: Math.ceil(setting.min / DAY), max: Math.floor(setting.max / DAY) };
  }

  async describe(record: ApiKeyRecord): Promise<KeyInfo> {
    const iso = (date: Date | null) => (date ? date.toISOString() : null);
    return {
      id: record.id,
      subject: record.subject,
      tenant: record.tenant,
      scopes: [...record.scopes],
      status: statusOf(record, this.clock.now()),
      createdAt: record.createdAt.toISOString(),
      expiresAt: iso(record.expiresAt),
      revokedAt: iso(record.revokedAt),
      lastUsedAt: iso(await this.records.lastUsed(record.id)),
      replacedBy: record.replacedBy,
    };
  }

  private validate(request: NewKeyRequest): void {
    if (!SUBJECT_PATTERN.test(request.subject)) {
      throw new KeyManagementError(`Subject "${request.subject}" is not valid: 1 to 100 characters, letters, digits and . _ @ : - only.`);
    }
    if (!TENANT_PATTERN.test(request.tenant)) {
      throw new KeyManagementError(`Tenant "${request.tenant}" is not valid: use letters, digits, ".", "_" or "-" (max 64).`);
    }
    for (const scope of request.scopes) {
      if (!SCOPE_PATTERN.test(scope)) throw new KeyManagementError(`Scope "${scope}" is not valid: lowercase letter first, then a-z 0-9 : . _ - (max 64).`);
    }
  }

  /**
   * At most `maxActivePerOwner` live keys per subject and tenant: one, and its
   * successor during a rotation. `replacing` is the key a rotation replaces.
   */
  private async checkRoom(subject: string, tenant: string, replacing?: string): Promise<void> {
    const now = this.clock.now();
    const live = (await this.records.list({ subject, tenant })).filter((record) => isLive(record, now));
    if (live.length + 1 > this.maxActivePerOwner) {
      const others = live.filter((record) => record.id !== replacing).map((record) => record.id);
      throw new KeyManagementError(
        `${subject}@${tenant} already holds ${live.length} live keys; at most ${this.maxActivePerOwner} are allowed at once. Revoke one first (${others.join(', ')}).`,
      );
    }
  }

  private async issue(request: NewKeyRequest): Promise<{ key: string; record: ApiKeyRecord }> {
    this.validate(request);
    const now = this.clock.now();
    const lifetime = request.lifetime ?? this.config.keyLifetime;
    const { key, id, secret } = generateKey(this.config.prefix);
    const record: ApiKeyRecord = {
      id,
      subject: request.subject,
      tenant: request.tenant,
      scopes: [...new Set(request.scopes)],
      secretHash: hashSecret(this.config.pepper, id, secret),
      createdAt: now,
      expiresAt: request.noExpiry ? null : new Date(now.getTime() + lifetime * 1000),
      revokedAt: null,
      replacedBy: null,
    };
    await this.records.save(record);
    return { key, record };
  }

  async create(request: NewKeyRequest): Promise<IssuedKey> {
    this.validate(request);
    await this.checkRoom(request.subject, request.tenant);
    const { key, record } = await this.issue(request);
    return { key, info: await this.describe(record) };
  }

  async list(filter: { tenant?: string } = {}): Promise<KeyInfo[]> {
    return Promise.all((await this.records.list(filter)).map((record) => this.describe(record)));
  }

  private async existing(id: string): Promise<ApiKeyRecord> {
    const record = await this.records.find(id);
    if (!record) throw new KeyManagementError(`No API key with id "${id}". Run the list command to see the ids.`);
    return record;
  }

  /**
   * Issues a successor with the same subject, tenant, scopes and lifetime; the
   * old key keeps working until `overlap` seconds from now (the configured
   * rotation overlap by default), so clients can switch without an outage.
   */
  async rotate(id: string, overlap: number = this.config.rotationOverlap): Promise<IssuedKey & { previous: KeyInfo }> {
    const old = await this.existing(id);
    const status = statusOf(old, this.clock.now());
    if (status !== 'active') {
      throw new KeyManagementError(
        status === 'rotating'
          ? `API key "${id}" was already rotated; its successor is "${old.replacedBy}".`
          : `API key "${id}" is ${status} and cannot be rotated. Create a new key instead.`,
      );
    }
    await this.checkRoom(old.subject, old.tenant, id);
    const lifetime = old.expiresAt ? Math.round((old.expiresAt.getTime() - old.createdAt.getTime()) / 1000) : undefined;
    const issued = await this.issue({ subject: old.subject, tenant: old.tenant, scopes: old.scopes, ...(lifetime === undefined ? { noExpiry: true } : { lifetime }) });
    const overlapEnd = this.clock.now().getTime() + overlap * 1000;
    const updated: ApiKeyRecord = {
      ...old,
      expiresAt: new Date(old.expiresAt ? Math.min(old.expiresAt.getTime(), overlapEnd) : overlapEnd),
      replacedBy: issued.record.id,
    };
    await this.records.save(updated);
    return { key: issued.key, info: await this.describe(issued.record), previous: await this.describe(updated) };
  }

  /** Takes effect on the very next request: the check reads the store every time. */
  async revoke(id: string): Promise<KeyInfo> {
    const record = await this.existing(id);
    if (record.revokedAt) throw new KeyManagementError(`API key "${id}" is already revoked.`);
    const updated = { ...record, revokedAt: this.clock.now() };
    await this.records.save(updated);
    return this.describe(updated);
  }
}
