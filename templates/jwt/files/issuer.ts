import type { Account, Accounts } from '../../kernel/accounts.js';
import type { Clock } from '../../kernel/clock.js';
import { addressedUrl, type DpopVerifier } from '../../kernel/dpop.js';
import { json, type AuthRequest, type AuthResponse } from '../../kernel/http.js';
import { invalidInput, problem } from '../../kernel/problem.js';
import type { Throttle } from '../../kernel/throttle.js';
import { signAccessToken } from './access-tokens.js';
import type { IssuerConfig } from './config.js';
import { isRefreshTokenShape, Logins, type Login } from './logins.js';
import type { KeyRing } from './signing-keys.js';

/** What the token endpoint answers; `token_type` is `DPoP` when the token is bound to the client's key. */
export interface TokenReply {
  access_token: string;
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  refresh_token: string;
  scope: string;
}

const SCOPE = /^[a-z][a-z0-9:._-]{0,63}$/;
const MAX_FIELD = 4_096;

/** One answer for every refused grant, whatever the reason (unknown user, wrong password, spent token…). */
const invalidGrant = () =>
  problem('invalid-grant', 'The credentials or the refresh token were not accepted.', { extensions: { error: 'invalid_grant' } });

const invalidProof = (reason: string) =>
  problem('invalid-dpop-proof', `The DPoP proof was not accepted: ${reason}.`, { extensions: { error: 'invalid_dpop_proof' } });

const tooMany = (retryAfter: number) =>
  problem('too-many-attempts', `Too many failed attempts; retry in ${retryAfter} seconds.`, { headers: { 'retry-after': String(retryAfter) } });

type Fields = Record<string, unknown>;

function fieldsOf(body: unknown, expected: string): Fields | AuthResponse {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return invalidInput('body', expected);
  return body as Fields;
}

function text(fields: Fields, name: string, optional = false): string | undefined | AuthResponse {
  const value = fields[name];
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'string' || value === '' || value.length > MAX_FIELD) return invalidInput(name, `a string of 1 to ${MAX_FIELD} characters`);
  return value;
}

const isReply = (value: unknown): value is AuthResponse => typeof value === 'object' && value !== null && 'status' in value && 'headers' in value;

/**
 * The token endpoint's logic, the same whether this API signs people in
 * itself (login-endpoint) or runs as a token service: sign-in with a password
 * (throttled by the kernel, per account and source and per source), refresh
 * with rotation and reuse detection, sign-out of one login or of all of them.
 * With DPoP on, the client proves a key at sign-in and at every refresh, and
 * its tokens are bound to it.
 */
export class Issuer {
  readonly config: IssuerConfig;
  readonly keys: KeyRing;
  readonly logins: Logins;
  private readonly accounts: Accounts;
  private readonly throttle: Throttle;
  private readonly clock: Clock;
  private readonly dpop: DpopVerifier | null;

  constructor(input: { config: IssuerConfig; keys: KeyRing; logins: Logins; accounts: Accounts; throttle: Throttle; clock: Clock; dpop: DpopVerifier | null }) {
    this.config = input.config;
    this.keys = input.keys;
    this.logins = input.logins;
    this.accounts = input.accounts;
    this.throttle = input.throttle;
    this.clock = input.clock;
    this.dpop = input.dpop;
  }

  /** An access token for an account: scopes as given, the account's current version, the login's id when there is one. */
  async accessToken(input: { username: string; version: number; scopes: readonly string[]; login?: string; jkt?: string | null }) {
    const signer = await this.keys.signer();
    return signAccessToken(signer, {
      issuer: this.config.issuer,
      audience: this.config.audience,
      subject: input.username,
      scopes: input.scopes,
      lifetime: this.config.lifetimes.accessToken,
      now: this.clock.now(),
      version: input.version,
      ...(input.login === undefined ? {} : { login: input.login }),
      ...(input.jkt ? { keyThumbprint: input.jkt } : {}),
    });
  }

  private async reply(login: Login, version: number): Promise<AuthResponse> {
    const now = this.clock.now().getTime();
    const refreshToken = await this.logins.issueRefreshToken(login, now + this.config.lifetimes.refreshTokenIdle * 1000, now);
    const access = await this.accessToken({ username: login.username, version, scopes: login.scopes, login: login.id, jkt: login.jkt });
    const body: TokenReply = {
      access_token: access.token,
      token_type: login.jkt ? 'DPoP' : 'Bearer',
      expires_in: this.config.lifetimes.accessToken,
      refresh_token: refreshToken,
      scope: login.scopes.join(' '),
    };
    return json(200, body, { pragma: 'no-cache' });
  }

  /** With DPoP on: the thumbprint of the key this request proves (bound to `boundTo` when given), or the refusal. */
  private async proof(request: AuthRequest, boundTo: string | null): Promise<{ jkt: string | null } | AuthResponse> {
    if (!this.dpop) return { jkt: null };
    const checked = await this.dpop.verify({
      proof: request.headers.dpop,
      method: request.method,
      url: addressedUrl(request, this.config.dpop?.publicOrigin ?? null),
      ...(boundTo === null ? {} : { boundTo }),
    });
    return checked.ok ? { jkt: checked.thumbprint } : invalidProof(checked.reason);
  }

  /** `POST …/token` `{ username, password, scope? }`. */
  async signIn(request: AuthRequest): Promise<AuthResponse> {
    const fields = fieldsOf(request.body, 'a JSON object: {"username": string, "password": string, "scope"?: string}');
    if (isReply(fields)) return fields;
    const username = text(fields, 'username');
    if (isReply(username)) return username;
    const password = text(fields, 'password');
    if (isReply(password)) return password;
    const scope = text(fields, 'scope', true);
    if (isReply(scope)) return scope;
    const requested = scope === undefined ? null : scope.split(' ').filter((item) => item !== '');
    if (requested && !requested.every((item) => SCOPE.test(item))) return invalidInput('scope', 'space-separated scopes such as "read orders:write"');
    // The proof comes first: without the key, a password guess is not even tried.
    const proved = await this.proof(request, null);
    if (isReply(proved)) return proved;

    const result = await this.accounts.signIn({ username: username!, password: password!, source: request.source });
    if (!result.ok) return result.reason === 'throttled' ? tooMany(result.retryAfter) : invalidGrant();
    const { account } = result;
    const scopes = requested === null ? [...account.scopes] : account.scopes.filter((item) => requested.includes(item));
    const now = this.clock.now().getTime();
    const login = await this.logins.start({
      username: account.username,
      version: account.version,
      scopes,
      jkt: proved.jkt,
      createdAt: now,
      endsAt: now + this.config.lifetimes.refreshTokenAbsolute * 1000,
    });
    return this.reply(login, account.version);
  }

  /**
   * A refresh token's login, when the token is live and its proof (DPoP) fits;
   * otherwise the refusal. Reuse of a consumed token ends the whole login.
   */
  private async liveLogin(request: AuthRequest, consume: boolean): Promise<{ login: Login; account: Account } | AuthResponse> {
    const fields = fieldsOf(request.body, 'a JSON object: {"refresh_token": string}');
    if (isReply(fields)) return fields;
    const source = { source: request.source };
    const verdict = await this.throttle.check(source);
    if (!verdict.allowed) return tooMany(verdict.retryAfter);
    const refused = async () => {
      const after = await this.throttle.failed(source);
      return after.allowed ? invalidGrant() : tooMany(after.retryAfter);
    };
    const token = fields.refresh_token;
    if (!isRefreshTokenShape(token)) return refused();
    const record = await this.logins.findRefreshToken(token);
    const login = record ? await this.logins.find(record.login) : null;
    if (!record || !login) return refused();
    // A token bound to a key is worth nothing without it: a thief without the key cannot even end the login.
    const proved = await this.proof(request, login.jkt);
    if (isReply(proved)) return proved;
    const now = this.clock.now();
    if (record.consumed) {
      await this.logins.end(login.id);
      return refused();
    }
    if (now.getTime() >= login.endsAt || now.getTime() >= record.idleUntil) return refused();
    const account = await this.accounts.find(login.username);
    if (!account || account.disabled || account.version !== login.version) {
      await this.logins.end(login.id);
      return refused();
    }
    if (consume && !(await this.logins.consume(record, now))) {
      // Used by someone else between the read and now: that is reuse too.
      await this.logins.end(login.id);
      return refused();
    }
    return { login, account };
  }

  /** `POST …/token/refresh` `{ refresh_token }`: a new access token and the next refresh token. */
  async refresh(request: AuthRequest): Promise<AuthResponse> {
    const live = await this.liveLogin(request, true);
    if (isReply(live)) return live;
    return this.reply(live.login, live.account.version);
  }

  /** `POST …/logout` `{ refresh_token }`: ends this login; `everywhere` ends every login and token of the account. */
  async signOut(request: AuthRequest, everywhere: boolean): Promise<AuthResponse> {
    const live = await this.liveLogin(request, false);
    if (isReply(live)) return live;
    if (everywhere) {
      await this.accounts.signOutEverywhere(live.login.username);
      await this.logins.endAll(live.login.username);
    } else {
      await this.logins.end(live.login.id);
    }
    return { status: 204, headers: { 'cache-control': 'no-store' }, body: null };
  }
}
