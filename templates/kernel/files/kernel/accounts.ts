import { randomUUID } from 'node:crypto';
import type { Clock } from './clock.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords.js';
import type { AuthStore, StoredRecord } from './store.js';
import type { Throttle } from './throttle.js';

/**
 * People who sign in with a password, shared by every method that signs
 * people in (sessions, a JWT login endpoint, an OAuth provider's login page).
 * Each change that takes rights away (disable, new password, other scopes)
 * bumps `version`: methods end the sessions and tokens issued before it.
 */
export interface Account {
  id: string;
  username: string;
  displayName: string;
  passwordHash: string;
  scopes: string[];
  disabled: boolean;
  createdAt: string;
  version: number;
}

export class AccountError extends Error {
  override name = 'AccountError';
}

const KIND = 'account';
const USERNAME = /^[\p{L}\p{N}._@+-]{1,64}$/u;
const SCOPE = /^[a-z][a-z0-9:._-]{0,63}$/;

/** One spelling per person: Unicode-normalised, trimmed, lower-case. */
export const normaliseUsername = (username: string): string => username.normalize('NFKC').trim().toLowerCase();

function fromRecord(record: StoredRecord): Account {
  const value = record.value as unknown as Omit<Account, 'id'>;
  return { ...value, id: record.id, scopes: [...value.scopes] };
}

export type SignIn =
  | { ok: true; account: Account }
  | { ok: false; reason: 'throttled'; retryAfter: number }
  | { ok: false; reason: 'invalid' };

export interface Accounts {
  create(input: { username: string; password: string; scopes?: string[]; displayName?: string }): Promise<Account>;
  find(username: string): Promise<Account | null>;
  findById(id: string): Promise<Account | null>;
  list(): Promise<Account[]>;
  /**
   * Checks a password the way a login must: throttled per (account, source)
   * and per source, the same work and the same answer for an unknown user, a
   * wrong password and a disabled account.
   */
  signIn(input: { username: string; password: string; source: string }): Promise<SignIn>;
  setPassword(username: string, password: string): Promise<Account>;
  setScopes(username: string, scopes: string[]): Promise<Account>;
  setDisabled(username: string, disabled: boolean): Promise<Account>;
  /** Ends every session and token of the account issued so far (a new `version`); the password stays. */
  signOutEverywhere(username: string): Promise<Account>;
  /** The name shown to people; takes no rights away, so sessions and tokens stay. */
  setDisplayName(username: string, displayName: string): Promise<Account>;
}

export const MAX_DISPLAY_NAME_LENGTH = 100;

/** Trimmed, 1 to 100 characters, no control characters. */
function checkDisplayName(displayName: string): string {
  const trimmed = displayName.normalize('NFC').trim();
  const length = [...trimmed].length;
  if (length < 1 || length > MAX_DISPLAY_NAME_LENGTH || /\p{Cc}/u.test(trimmed)) {
    throw new AccountError(`A display name has 1 to ${MAX_DISPLAY_NAME_LENGTH} characters and no control characters.`);
  }
  return trimmed;
}

export function createAccounts(store: AuthStore, clock: Clock, throttle: Throttle): Accounts {
  const checkScopes = (scopes: readonly string[]): string[] => {
    for (const scope of scopes) if (!SCOPE.test(scope)) throw new AccountError(`Scope "${scope}" is not a lowercase word such as admin or orders:read.`);
    return [...new Set(scopes)].sort();
  };
  const save = async (account: Account) => {
    const { id, ...value } = account;
    await store.upsert(KIND, id, value as unknown as Parameters<AuthStore['upsert']>[2], { lookup: account.username });
    return account;
  };
  const find = async (username: string) => {
    const record = await store.findByLookup(KIND, normaliseUsername(username));
    return record ? fromRecord(record) : null;
  };
  const existing = async (username: string) => {
    const account = await find(username);
    if (!account) throw new AccountError(`No account named "${normaliseUsername(username)}".`);
    return account;
  };

  return {
    async create(input) {
      const username = normaliseUsername(input.username);
      if (!USERNAME.test(username)) throw new AccountError('A username has 1 to 64 letters, digits or . _ @ + - characters.');
      if (await find(username)) throw new AccountError(`An account named "${username}" exists already.`);
      return save({
        id: randomUUID(),
        username,
        displayName: input.displayName === undefined ? username : checkDisplayName(input.displayName),
        passwordHash: await hashPassword(input.password),
        scopes: checkScopes(input.scopes ?? []),
        disabled: false,
        createdAt: clock.now().toISOString(),
        version: 1,
      });
    },
    find,
    async findById(id) {
      const record = await store.find(KIND, id);
      return record ? fromRecord(record) : null;
    },
    async list() {
      return (await store.list(KIND)).map(fromRecord).sort((a, b) => a.username.localeCompare(b.username));
    },
    async signIn(input) {
      const attempt = { source: input.source, account: normaliseUsername(input.username) };
      const verdict = await throttle.check(attempt);
      if (!verdict.allowed) return { ok: false, reason: 'throttled', retryAfter: verdict.retryAfter };
      const account = await find(input.username);
      // NOTE: the hash is verified even for an unknown user, so both answers take as long.
      const matches = await verifyPassword(account?.passwordHash ?? (await dummyPasswordHash()), input.password);
      if (!account || !matches || account.disabled) {
        const after = await throttle.failed(attempt);
        return after.allowed ? { ok: false, reason: 'invalid' } : { ok: false, reason: 'throttled', retryAfter: after.retryAfter };
      }
      await throttle.succeeded(attempt);
      return { ok: true, account };
    },
    async setPassword(username, password) {
      const account = await existing(username);
      return save({ ...account, passwordHash: await hashPassword(password), version: account.version + 1 });
    },
    async setScopes(username, scopes) {
      const account = await existing(username);
      const next = checkScopes(scopes);
      const changed = next.join(' ') !== account.scopes.join(' ');
      return save({ ...account, scopes: next, version: account.version + (changed ? 1 : 0) });
    },
    async setDisabled(username, disabled) {
      const account = await existing(username);
      return save({ ...account, disabled, version: account.version + (disabled && !account.disabled ? 1 : 0) });
    },
    async signOutEverywhere(username) {
      const account = await existing(username);
      return save({ ...account, version: account.version + 1 });
    },
    async setDisplayName(username, displayName) {
      const account = await existing(username);
      return save({ ...account, displayName: checkDisplayName(displayName) });
    },
  };
}
