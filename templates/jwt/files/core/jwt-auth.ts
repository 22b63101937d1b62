import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { systemClock } from './clock.js';
import type { Clock } from './clock.js';
import type { JwtAuthConfig } from './config.js';
import {
  hasScopes,
  insufficientScope,
  invalidToken,
  missingToken,
  parseBearer,
} from './guard.js';
import type { AuthResult, BearerGuard, HttpResult, Principal } from './guard.js';
import { KeyRing } from './keys.js';
import { burnPasswordCheck, hashPassword, verifyPassword } from './passwords.js';
import {
  hashRefreshToken,
  isRefreshTokenShape,
  newFamilyId,
  newRefreshToken,
  refreshRecord,
} from './refresh-tokens.js';
import type { AuthStore, UserRecord } from './store.js';
import { ACCESS_TOKEN_TYPE, scopesOf, verifyAccessToken } from './verify.js';

/**
 * Decides who is logging in at POST /auth/token. Receives the parsed JSON body and returns the user's
 * id, or null. Replace it to log users in another way (an upstream identity check, a one-time code…).
 */
export type AuthenticateCredentials = (credentials: Readonly<Record<string, unknown>>) => Promise<{ userId: string } | null>;

export interface JwtAuthOptions {
  store: AuthStore;
  config: JwtAuthConfig;
  /** 32 bytes; encrypts private signing keys in the store (see key-encryption.ts). */
  keyEncryptionKey: Buffer;
  clock?: Clock;
  authenticate?: AuthenticateCredentials;
  realm?: string;
}

export interface IssuedTokens {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  scope: string;
}

const USERNAME = /^[A-Za-z0-9._@-]{1,128}$/;
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]{1,64}$/;

export function validateUsername(username: string): string {
  if (!USERNAME.test(username)) {
    throw new RangeError('A username is 1-128 characters of letters, digits, ".", "_", "@" and "-".');
  }
  return username;
}

export function parseScopes(value: string | readonly string[]): string[] {
  const list = typeof value === 'string' ? value.split(/[\s,]+/) : [...value];
  const scopes = [...new Set(list.filter((scope) => scope !== ''))];
  for (const scope of scopes) {
    if (!SCOPE.test(scope)) throw new RangeError(`"${scope}" is not a valid scope name.`);
  }
  return scopes;
}

function noStore(status: number, body?: unknown, extra: Record<string, string> = {}): HttpResult {
  return { status, headers: { 'cache-control': 'no-store', pragma: 'no-cache', ...extra }, body };
}

const INVALID_GRANT = noStore(400, { error: 'invalid_grant' });
const INVALID_REQUEST = noStore(400, { error: 'invalid_request' });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The JWT auth service: issues and verifies access tokens, rotates refresh tokens, logs out.
 * Framework-agnostic: every endpoint takes plain values and returns an HttpResult that a stack
 * adapter copies onto its response.
 */
export class JwtAuth implements BearerGuard {
  readonly keys: KeyRing;
  readonly store: AuthStore;
  readonly config: JwtAuthConfig;
  readonly #clock: Clock;
  readonly #authenticateCredentials: AuthenticateCredentials;
  readonly #realm: string;

  constructor(options: JwtAuthOptions) {
    this.store = options.store;
    this.config = options.config;
    this.#clock = options.clock ?? systemClock;
    this.#realm = options.realm ?? 'api';
    this.keys = new KeyRing({
      store: options.store,
      keyEncryptionKey: options.keyEncryptionKey,
      config: options.config,
      clock: this.#clock,
    });
    this.#authenticateCredentials = options.authenticate ?? ((credentials) => this.#checkPassword(credentials));
  }

  /** Makes sure a signing key exists; call once at startup. */
  async init(): Promise<this> {
    await this.keys.ensureSigningKey();
    return this;
  }

  // ---- Request authentication -------------------------------------------------------------------

  async authenticate(authorization: string | undefined, requiredScopes: readonly string[] = []): Promise<AuthResult> {
    const credential = parseBearer(authorization);
    if (credential.kind === 'none') return missingToken(this.#realm);
    if (credential.kind === 'malformed') return invalidToken(this.#realm);
    const principal = await this.verify(credential.token);
    if (!principal) return invalidToken(this.#realm);
    if (!hasScopes(principal, requiredScopes)) return insufficientScope(this.#realm, requiredScopes);
    return { ok: true, principal };
  }

  /** Verifies signature, claims and the user's current token version; null for any failure. */
  async verify(token: string): Promise<Principal | null> {
    const result = await verifyAccessToken(token, (header) => this.keys.verificationKey(header.kid ?? ''), {
      issuer: this.config.issuer,
      audience: this.config.audience,
      algorithms: [this.config.algorithm],
      clockToleranceSeconds: this.config.clockToleranceSeconds,
      maxTokenAgeSeconds: this.config.accessTokenTtlSeconds,
      now: this.#clock,
    });
    if (!result.ok) return null;
    const { claims } = result;
    // Logout, logout-everywhere, password change and disabling all bump the version in the store.
    const currentVersion = await this.store.getActiveTokenVersion(claims.sub);
    if (currentVersion === null || claims.ver !== currentVersion) return null;
    return {
      subject: claims.sub,
      issuer: this.config.issuer,
      scopes: scopesOf(claims),
      tokenId: claims.jti,
      expiresAt: claims.exp,
      claims,
    };
  }

  // ---- Issuing ----------------------------------------------------------------------------------

  async issueAccessToken(
    user: Pick<UserRecord, 'id' | 'tokenVersion'>,
    scopes: readonly string[],
    ttlSeconds: number = this.config.accessTokenTtlSeconds,
  ): Promise<{ token: string; expiresIn: number }> {
    const expiresIn = Math.min(ttlSeconds, this.config.accessTokenTtlSeconds);
    const signer = await this.keys.signer();
    const now = Math.floor(this.#clock() / 1000);
    const token = await new SignJWT({ scope: scopes.join(' '), ver: user.tokenVersion })
      .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: ACCESS_TOKEN_TYPE })
      .setIssuer(this.config.issuer)
      .setAudience(this.config.audience)
      .setSubject(user.id)
      .setIssuedAt(now)
      .setExpirationTime(now + expiresIn)
      .setJti(randomUUID())
      .sign(signer.key);
    return { token, expiresIn };
  }

  async #issueTokens(user: UserRecord, scopes: string[], familyId: string, familyExpiresAt: number): Promise<IssuedTokens> {
    const now = this.#clock();
    const refreshToken = newRefreshToken();
    await this.store.insertRefreshToken(
      refreshRecord({
        token: refreshToken,
        familyId,
        userId: user.id,
        scopes,
        now,
        idleSeconds: this.config.refreshTokenIdleSeconds,
        familyExpiresAt,
      }),
    );
    const access = await this.issueAccessToken(user, scopes);
    return { accessToken: access.token, expiresIn: access.expiresIn, refreshToken, scope: scopes.join(' ') };
  }

  #tokenResponse(tokens: IssuedTokens): HttpResult {
    return noStore(200, {
      access_token: tokens.accessToken,
      token_type: 'Bearer',
      expires_in: tokens.expiresIn,
      refresh_token: tokens.refreshToken,
      scope: tokens.scope,
    });
  }

  // ---- Endpoints --------------------------------------------------------------------------------

  /** POST /auth/token: credentials in, access + refresh token out. */
  async tokenEndpoint(body: unknown, clientAddress: string): Promise<HttpResult> {
    if (!isRecord(body)) return INVALID_REQUEST;
    const now = this.#clock();
    const windowMs = this.config.loginAttemptWindowSeconds * 1000;
    const name = typeof body.username === 'string' ? body.username.toLowerCase() : '';
    const attempts = await Promise.all([
      this.store.hitRateLimit(`login:addr:${clientAddress}`, windowMs, now),
      name === '' ? Promise.resolve(0) : this.store.hitRateLimit(`login:user:${name}`, windowMs, now),
    ]);
    // One address may try several accounts (a shared NAT), so its allowance is larger.
    const [byAddress = 0, byUser = 0] = attempts;
    if (byUser > this.config.loginAttemptLimit || byAddress > this.config.loginAttemptLimit * 10) {
      const retryAfter = Math.ceil((windowMs - (now % windowMs)) / 1000);
      return noStore(429, { error: 'too_many_requests' }, { 'retry-after': String(retryAfter) });
    }
    let requested: string[] | undefined;
    try {
      requested = typeof body.scope === 'string' ? parseScopes(body.scope) : undefined;
    } catch {
      return noStore(400, { error: 'invalid_scope' });
    }
    const result = await this.#authenticateCredentials(body);
    if (!result) return INVALID_GRANT;
    const user = await this.store.findUserById(result.userId);
    if (!user || user.disabled) return INVALID_GRANT;
    const scopes = requested === undefined ? user.scopes : requested.filter((scope) => user.scopes.includes(scope));
    const familyExpiresAt = now + this.config.refreshTokenMaxAgeSeconds * 1000;
    return this.#tokenResponse(await this.#issueTokens(user, scopes, newFamilyId(), familyExpiresAt));
  }

  async #checkPassword(credentials: Readonly<Record<string, unknown>>): Promise<{ userId: string } | null> {
    const { username, password } = credentials;
    if (typeof username !== 'string' || typeof password !== 'string') return null;
    const user = USERNAME.test(username) ? await this.store.findUserByUsername(username) : null;
    if (!user) return burnPasswordCheck(password).then(() => null);
    return (await verifyPassword(password, user.passwordHash)) ? { userId: user.id } : null;
  }

  /** POST /auth/refresh: exchanges a refresh token for a new pair; a reused token kills its family. */
  async refreshEndpoint(body: unknown): Promise<HttpResult> {
    if (!isRecord(body) || !isRefreshTokenShape(body.refresh_token)) return INVALID_GRANT;
    const now = this.#clock();
    const tokenHash = hashRefreshToken(body.refresh_token);
    const record = await this.store.findRefreshToken(tokenHash);
    if (!record) return INVALID_GRANT;
    if (record.usedAt !== null) {
      await this.#revokeStolenFamily(record.familyId, record.userId, now);
      return INVALID_GRANT;
    }
    if (record.revokedAt !== null || now >= record.expiresAt || now >= record.familyExpiresAt) return INVALID_GRANT;
    const user = await this.store.findUserById(record.userId);
    if (!user || user.disabled) {
      await this.store.revokeRefreshFamily(record.familyId, now);
      return INVALID_GRANT;
    }
    if (!(await this.store.markRefreshTokenUsed(tokenHash, now))) {
      // Someone exchanged it between our read and our write: that is reuse too.
      await this.#revokeStolenFamily(record.familyId, record.userId, now);
      return INVALID_GRANT;
    }
    const scopes = record.scopes.filter((scope) => user.scopes.includes(scope));
    return this.#tokenResponse(await this.#issueTokens(user, scopes, record.familyId, record.familyExpiresAt));
  }

  async #revokeStolenFamily(familyId: string, userId: string, now: number): Promise<void> {
    await this.store.revokeRefreshFamily(familyId, now);
    // Whoever replayed the token may also hold a live access token from this family.
    await this.store.bumpTokenVersion(userId);
  }

  /** POST /auth/logout: ends this login (its refresh family) and every outstanding access token. */
  async logoutEndpoint(authorization: string | undefined, body: unknown): Promise<HttpResult> {
    const auth = await this.authenticate(authorization);
    if (!auth.ok) return auth;
    const now = this.#clock();
    if (isRecord(body) && isRefreshTokenShape(body.refresh_token)) {
      const record = await this.store.findRefreshToken(hashRefreshToken(body.refresh_token));
      if (record && record.userId === auth.principal.subject) await this.store.revokeRefreshFamily(record.familyId, now);
    }
    await this.store.bumpTokenVersion(auth.principal.subject);
    return noStore(204);
  }

  /** POST /auth/logout-all: every refresh token and every access token of the caller stop working. */
  async logoutAllEndpoint(authorization: string | undefined): Promise<HttpResult> {
    const auth = await this.authenticate(authorization);
    if (!auth.ok) return auth;
    await this.revokeEverything(auth.principal.subject);
    return noStore(204);
  }

  /** GET /.well-known/jwks.json */
  async jwksEndpoint(): Promise<HttpResult> {
    return {
      status: 200,
      headers: { 'cache-control': 'public, max-age=300' },
      body: await this.keys.jwks(),
    };
  }

  // ---- Administration (management CLI, your own admin routes) -----------------------------------

  /** The user's id becomes the `sub` of their tokens; by default it is the (unchangeable) username. */
  async createUser(input: { username: string; password: string; scopes: readonly string[]; id?: string }): Promise<UserRecord> {
    const user: UserRecord = {
      id: input.id ?? input.username,
      username: validateUsername(input.username),
      passwordHash: await hashPassword(input.password),
      scopes: parseScopes(input.scopes),
      disabled: false,
      tokenVersion: 0,
      createdAt: this.#clock(),
    };
    await this.store.createUser(user);
    return user;
  }

  async requireUser(username: string): Promise<UserRecord> {
    const user = await this.store.findUserByUsername(username);
    if (!user) throw new RangeError(`No user named "${username}".`);
    return user;
  }

  async revokeEverything(userId: string): Promise<void> {
    await this.store.revokeUserRefreshTokens(userId, this.#clock());
    await this.store.bumpTokenVersion(userId);
  }

  async setPassword(username: string, password: string): Promise<void> {
    const user = await this.requireUser(username);
    await this.store.setPasswordHash(user.id, await hashPassword(password));
    await this.revokeEverything(user.id);
  }

  async setDisabled(username: string, disabled: boolean): Promise<void> {
    const user = await this.requireUser(username);
    await this.store.setUserDisabled(user.id, disabled);
    if (disabled) await this.revokeEverything(user.id);
  }

  /** An access token for an existing, enabled user, without a refresh token (CLI `mint`). */
  async mintAccessToken(username: string, scopes?: readonly string[], ttlSeconds?: number): Promise<{ token: string; expiresIn: number; subject: string; scope: string }> {
    const user = await this.requireUser(username);
    if (user.disabled) throw new RangeError(`User "${username}" is disabled.`);
    const granted = scopes === undefined ? user.scopes : parseScopes(scopes);
    const { token, expiresIn } = await this.issueAccessToken(user, granted, ttlSeconds);
    return { token, expiresIn, subject: user.id, scope: granted.join(' ') };
  }
}
