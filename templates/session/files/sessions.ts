import { randomBytes } from 'node:crypto';
import type { Account, Accounts } from '../../kernel/accounts.js';
import type { Clock } from '../../kernel/clock.js';
import type { Lifetimes, SessionVariant } from './config.js';
import type { LiveSession, PreSession, SessionRecord, SessionRecords } from './records.js';
import { credentialOf, newSecret, secretOf, storageId } from './secrets.js';

/**
 * Sessions: server state behind an opaque handle. Whether one is still alive
 * is decided here, on every request, against the kernel's clock:
 *
 * - idle: no request for the variant's idle timeout → ended;
 * - absolute: its absolute lifetime after sign-in → ended, however active;
 * - the account: disabled, or its version moved on (new password, other
 *   scopes) → ended.
 *
 * An ended session's record is deleted on the spot.
 */
export type Resolution =
  | { ok: true; session: SessionRecord; account: Account }
  | { ok: false; reason: 'malformed' | 'unknown' | 'idle' | 'expired' | 'revoked' };

export interface IssuedSession {
  /** What the client sends: the cookie's value, or the bearer token. Shown once, never stored. */
  credential: string;
  session: SessionRecord;
  /** When the session ends at the latest, however active. */
  expiresAt: Date;
}

/** The last-seen time is written at most this often, so a session may end up to this much before its idle timeout, never after. */
export const TOUCH_INTERVAL_SECONDS = 60;
/** How long the sign-in form's pre-session lasts. */
export const PRE_SESSION_SECONDS = 15 * 60;

export const MAX_NAME_LENGTH = 64;

export class SessionManager {
  private readonly records: SessionRecords;
  private readonly accounts: Accounts;
  private readonly clock: Clock;
  readonly lifetimes: Readonly<Record<SessionVariant, Lifetimes>>;

  constructor(records: SessionRecords, accounts: Accounts, clock: Clock, lifetimes: Record<SessionVariant, Lifetimes>) {
    this.records = records;
    this.accounts = accounts;
    this.clock = clock;
    this.lifetimes = lifetimes;
  }

  /** A new session for an account, with an id never seen before. */
  async issue(account: Account, variant: SessionVariant, options: { name?: string | null } = {}): Promise<IssuedSession> {
    const secret = newSecret();
    const createdAt = this.clock.now();
    const session: SessionRecord = {
      id: storageId(variant, secret),
      handle: `ses_${randomBytes(12).toString('base64url')}`,
      variant,
      account: account.id,
      version: account.version,
      csrfToken: variant === 'cookie' ? randomBytes(32).toString('base64url') : null,
      createdAt,
      name: options.name ?? null,
    };
    const expiresAt = new Date(createdAt.getTime() + this.lifetimes[variant].absoluteLifetime * 1000);
    await this.records.create(session, expiresAt);
    return { credential: credentialOf(variant, secret), session, expiresAt };
  }

  /** The live session a cookie value or token names, or why there is none. */
  async resolve(variant: SessionVariant, credential: string): Promise<Resolution> {
    const secret = secretOf(variant, credential);
    if (secret === null) return { ok: false, reason: 'malformed' };
    const id = storageId(variant, secret);
    const found = await this.records.find(id);
    if (!found || found.record.variant !== variant) return { ok: false, reason: 'unknown' };
    const at = this.clock.now();
    const state = this.stateOf(found, at);
    if (state !== 'live') {
      await this.records.destroy(id);
      return { ok: false, reason: state };
    }
    const account = await this.accounts.findById(found.record.account);
    if (!account || account.disabled || account.version !== found.record.version) {
      await this.records.destroy(id);
      return { ok: false, reason: 'revoked' };
    }
    if (at.getTime() - found.lastSeenAt.getTime() >= TOUCH_INTERVAL_SECONDS * 1000) {
      await this.records.touch(id, at, this.endOf(found.record, at));
    }
    return { ok: true, session: found.record, account };
  }

  private stateOf({ record, lastSeenAt }: LiveSession, at: Date): 'live' | 'idle' | 'expired' {
    const { idleTimeout, absoluteLifetime } = this.lifetimes[record.variant];
    if (at.getTime() - record.createdAt.getTime() >= absoluteLifetime * 1000) return 'expired';
    if (at.getTime() - lastSeenAt.getTime() >= idleTimeout * 1000) return 'idle';
    return 'live';
  }

  /** When a session seen at `at` ends if no request follows. */
  private endOf(record: SessionRecord, at: Date): Date {
    const { idleTimeout, absoluteLifetime } = this.lifetimes[record.variant];
    return new Date(Math.min(at.getTime() + idleTimeout * 1000, record.createdAt.getTime() + absoluteLifetime * 1000));
  }

  /** Ends one session (a logout); true when it was still there. */
  end(session: SessionRecord): Promise<boolean> {
    return this.records.destroy(session.id);
  }

  /** Ends the session a credential names, if it names one (what a browser held when it signed in again). */
  async endCredential(variant: SessionVariant, credential: string): Promise<boolean> {
    const secret = secretOf(variant, credential);
    return secret === null ? false : this.records.destroy(storageId(variant, secret));
  }

  async endByHandle(handle: string): Promise<SessionRecord | null> {
    const session = await this.records.findByHandle(handle);
    if (!session) return null;
    await this.records.destroy(session.id);
    return session;
  }

  /** Ends every session of an account, on every device; how many there were. */
  endAll(account: Account): Promise<number> {
    return this.records.destroyAccount(account.id);
  }

  findByHandle(handle: string): Promise<SessionRecord | null> {
    return this.records.findByHandle(handle);
  }

  /** The account's sessions that are still alive, oldest first; ended ones found on the way are deleted. */
  async list(account: Account): Promise<LiveSession[]> {
    const at = this.clock.now();
    const live: LiveSession[] = [];
    for (const session of await this.records.list(account.id)) {
      const alive = this.stateOf(session, at) === 'live' && session.record.version === account.version && !account.disabled;
      if (alive) live.push(session);
      else await this.records.destroy(session.record.id);
    }
    return live;
  }

  /** The sign-in form's pre-session: a secret for the `__Host-login` cookie and the form's CSRF token. */
  async startPreSession(): Promise<{ credential: string; preSession: PreSession }> {
    const secret = newSecret();
    const createdAt = this.clock.now();
    const preSession: PreSession = { id: storageId('login', secret), csrfToken: randomBytes(32).toString('base64url'), createdAt };
    await this.records.createPreSession(preSession, new Date(createdAt.getTime() + PRE_SESSION_SECONDS * 1000));
    return { credential: secret, preSession };
  }

  /** The live pre-session a `__Host-login` cookie names, if any. */
  async preSessionOf(credential: string | undefined): Promise<PreSession | null> {
    const secret = credential === undefined ? null : secretOf('cookie', credential);
    if (secret === null) return null;
    const preSession = await this.records.findPreSession(storageId('login', secret));
    if (!preSession) return null;
    if (this.clock.now().getTime() - preSession.createdAt.getTime() >= PRE_SESSION_SECONDS * 1000) {
      await this.records.destroyPreSession(preSession.id);
      return null;
    }
    return preSession;
  }

  endPreSession(preSession: PreSession): Promise<boolean> {
    return this.records.destroyPreSession(preSession.id);
  }
}
