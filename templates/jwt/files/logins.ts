import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AuthStore, JsonObject, StoredRecord } from '../../kernel/store.js';

/**
 * A sign-in and its refresh tokens, on top of the kernel store.
 *
 * A login (`jwt-login`, one per sign-in) holds what every refresh of it keeps:
 * the account, its version at sign-in, the scopes, the key a DPoP client
 * bound it to and the absolute end. Its refresh tokens (`jwt-refresh`, grouped
 * by login) are opaque: 256 random bits, stored as their SHA-256 only. Each
 * refresh consumes its token and issues the next; presenting a consumed one
 * again is reuse, and ends the login with every token of it. Access tokens
 * name their login (`sid`), so ending it ends them too, on the next request.
 */
const LOGIN = 'jwt-login';
const REFRESH = 'jwt-refresh';
const PREFIX = 'rt_';
const REFRESH_TOKEN_SHAPE = /^rt_[A-Za-z0-9_-]{43}$/;

export interface Login {
  id: string;
  username: string;
  /** The account's version at sign-in: a newer version (new password, disabled, sign-out everywhere) ends the login. */
  version: number;
  scopes: string[];
  /** DPoP: the thumbprint of the key the client signed in with; every refresh must prove it. */
  jkt: string | null;
  /** ms since the epoch (kernel clock). */
  createdAt: number;
  /** No refresh of this login works from here on, however recent (the absolute lifetime). */
  endsAt: number;
}

export interface RefreshRecord {
  id: string;
  login: string;
  /** A refresh token unused until then expires (the idle lifetime, never past the login's end). */
  idleUntil: number;
  consumed: boolean;
}

export const isRefreshTokenShape = (value: unknown): value is string => typeof value === 'string' && REFRESH_TOKEN_SHAPE.test(value);
const hashOf = (token: string): string => createHash('sha256').update(token).digest('base64url');
const loginOf = (record: StoredRecord): Login => ({ id: record.id, ...(record.value as unknown as Omit<Login, 'id'>) });

export class Logins {
  private readonly store: AuthStore;

  constructor(store: AuthStore) {
    this.store = store;
  }

  async start(input: Omit<Login, 'id'>): Promise<Login> {
    const login: Login = { id: randomUUID(), ...input };
    const { id, ...value } = login;
    // expiresAt lets the store drop it after the absolute end (real time); the checks use the kernel clock.
    await this.store.upsert(LOGIN, id, value as unknown as JsonObject, { owner: login.username, expiresAt: new Date(Date.now() + (login.endsAt - login.createdAt)) });
    return login;
  }

  async find(id: string): Promise<Login | null> {
    const record = await this.store.find(LOGIN, id);
    return record ? loginOf(record) : null;
  }

  /** A new refresh token of `login`, usable until `idleUntil`. Returns the token; only its hash is stored. */
  async issueRefreshToken(login: Login, idleUntil: number, now: number): Promise<string> {
    const token = `${PREFIX}${randomBytes(32).toString('base64url')}`;
    const until = Math.min(idleUntil, login.endsAt);
    await this.store.upsert(REFRESH, hashOf(token), { login: login.id, idleUntil: until }, { group: login.id, expiresAt: new Date(Date.now() + Math.max(0, login.endsAt - now)) });
    return token;
  }

  async findRefreshToken(token: string): Promise<RefreshRecord | null> {
    const record = await this.store.find(REFRESH, hashOf(token));
    if (!record) return null;
    const value = record.value as { login: string; idleUntil: number };
    return { id: record.id, login: value.login, idleUntil: value.idleUntil, consumed: record.consumedAt !== null };
  }

  /** Marks a refresh token used; false when someone used it first (then it is reuse). */
  consume(record: RefreshRecord, at: Date): Promise<boolean> {
    return this.store.consume(REFRESH, record.id, at);
  }

  /** Ends a login: its refresh tokens stop working, and so do its access tokens on their next request. */
  async end(loginId: string): Promise<void> {
    await this.store.destroyWhere(REFRESH, { group: loginId });
    await this.store.destroy(LOGIN, loginId);
  }

  /** Ends every login of an account. */
  async endAll(username: string): Promise<void> {
    for (const login of await this.store.list(LOGIN, { owner: username })) await this.end(login.id);
  }
}
