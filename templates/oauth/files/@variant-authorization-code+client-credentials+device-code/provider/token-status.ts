import { createLocalJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { Accounts } from '../../../kernel/accounts.js';
import type { Clock } from '../../../kernel/clock.js';
import type { AuthStore, JsonObject } from '../../../kernel/store.js';
import { GRANT_ACCOUNT_KIND, TOKEN_STATUS_KIND } from './adapter.js';
import type { ProviderVariant } from './settings.js';
import { currentPublicKeys, SIGNING_ALGORITHM } from './signing-keys.js';

/** What the server remembers of each access token it issues, JWTs included (oidc-provider stores only opaque ones). */
export interface IssuedToken {
  jti: string;
  /** oidc-provider's model: `AccessToken` (a person's) or `ClientCredentials` (a service's). */
  kind: 'AccessToken' | 'ClientCredentials';
  variant: ProviderVariant;
  clientId: string;
  accountId: string | null;
  grantId: string | null;
  format: 'jwt' | 'opaque';
}

export type TokenStatus = { active: true; token: IssuedToken } | { active: false; reason: string };

/** The fields of an oidc-provider token model this module reads. */
export interface TokenModel {
  jti?: string;
  kind: string;
  gty?: string;
  clientId?: string;
  accountId?: string;
  grantId?: string;
  exp?: number;
  expiration: number;
  format?: string;
}

/** The grant a token hangs off, as oidc-provider has it (undefined once revoked or expired). */
export type FindGrant = (grantId: string) => Promise<{ accountId?: string; clientId?: string; exp?: number } | undefined>;

export function variantOf(kind: string, gty: string | undefined): ProviderVariant {
  if (kind === 'ClientCredentials') return 'client-credentials';
  return (gty ?? '').split(' ').includes('device_code') ? 'device-code' : 'authorization-code';
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** Least time between two reloads of the keys caused by an unknown `kid`. */
const KEY_RELOAD_COOLDOWN_MS = 30_000;

export interface TokenLedger {
  /** Remembers a token as it is issued (oidc-provider's extraTokenClaims hook calls it). */
  record(token: TokenModel): Promise<void>;
  /** Whether a token (by `jti`) is still good: not revoked, its grant alive, its account unchanged. */
  status(jti: string): Promise<TokenStatus>;
  /** A JWT access token of this server, signature, issuer, type and expiry checked (audience too when given); null if not. */
  verifyJwt(value: string, options?: { audience?: string }): Promise<JWTPayload | null>;
  /** Forgets one token (a revoked service token has no grant to end). */
  forget(jti: string): Promise<void>;
  /** Ties a new grant to its account as it is now: a later change that takes rights away ends the grant. */
  bindGrant(grant: { grantId: string; accountId: string; exp?: number }): Promise<void>;
  /** Whether a person's grant still stands for them: bound, the account enabled and unchanged since. */
  grantStands(grantId: string, accountId: string): Promise<boolean>;
}

/**
 * The token ledger: what makes revocation bite for every token format. Each
 * access token is recorded as it is issued, under its grant; ending a grant
 * (revocation, code reuse, a person revoking an app) removes the records, and
 * every check (this package's own token check and RFC 7662 introspection)
 * asks the ledger. A JWT therefore stops at once here, and at a resource
 * server within that server's cache period.
 */
export function createTokenLedger(deps: {
  store: AuthStore;
  clock: Clock;
  accounts: Accounts;
  issuer: string;
  clockSkew: number;
  findGrant: FindGrant;
  /** Whether the client still exists: a removed client's tokens end with it. */
  clientExists: (clientId: string) => Promise<boolean>;
}): TokenLedger {
  const { store, clock, accounts } = deps;
  let keys: ReturnType<typeof createLocalJWKSet> | null = null;
  let loadedAt = 0;
  const loadKeys = async () => {
    keys = createLocalJWKSet({ keys: await currentPublicKeys(store) });
    loadedAt = Date.now();
    return keys;
  };

  async function grantStands(grantId: string, accountId: string): Promise<boolean> {
    const [binding, account] = await Promise.all([store.find(GRANT_ACCOUNT_KIND, grantId), accounts.find(accountId)]);
    if (!binding || !account || account.disabled) return false;
    return binding.value.accountId === account.username && binding.value.version === account.version;
  }

  return {
    async record(token) {
      const jti = token.jti;
      if (!jti || !token.clientId) return;
      const issued: IssuedToken = {
        jti,
        kind: token.kind === 'ClientCredentials' ? 'ClientCredentials' : 'AccessToken',
        variant: variantOf(token.kind, token.gty),
        clientId: token.clientId,
        accountId: token.accountId ?? null,
        grantId: token.grantId ?? null,
        format: token.format === 'jwt' ? 'jwt' : 'opaque',
      };
      const exp = token.exp ?? Math.floor(Date.now() / 1000) + token.expiration;
      await store.upsert(TOKEN_STATUS_KIND, jti, issued as unknown as JsonObject, {
        // Kept a little past expiry, so an expired token reads as expired rather than unknown.
        expiresAt: new Date((exp + deps.clockSkew + 60) * 1000),
        group: issued.grantId,
        owner: issued.accountId,
      });
    },

    async status(jti) {
      const record = await store.find(TOKEN_STATUS_KIND, jti);
      if (!record) return { active: false, reason: 'unknown or revoked' };
      const token = record.value as unknown as IssuedToken;
      if (!(await deps.clientExists(token.clientId))) return { active: false, reason: 'client removed' };
      if (token.grantId !== null) {
        const grant = await deps.findGrant(token.grantId);
        if (!grant) return { active: false, reason: 'grant revoked' };
        if (grant.clientId !== token.clientId || (grant.accountId ?? null) !== token.accountId) return { active: false, reason: 'grant mismatch' };
        if (typeof grant.exp === 'number' && grant.exp * 1000 <= clock.now().getTime()) return { active: false, reason: 'grant expired' };
      }
      if (token.accountId !== null && (token.grantId === null || !(await grantStands(token.grantId, token.accountId)))) {
        return { active: false, reason: 'account disabled or changed' };
      }
      return { active: true, token };
    },

    async bindGrant(grant) {
      const account = await accounts.find(grant.accountId);
      if (!account) return;
      const expiresAt = typeof grant.exp === 'number' ? new Date(grant.exp * 1000) : null;
      await store.upsert(GRANT_ACCOUNT_KIND, grant.grantId, { accountId: account.username, version: account.version }, { expiresAt, group: grant.grantId, owner: account.username });
    },

    grantStands,

    async verifyJwt(value, options = {}) {
      if (value.length > 8192 || !JWT_SHAPE.test(value)) return null;
      let header;
      try {
        header = decodeProtectedHeader(value);
      } catch {
        return null;
      }
      // Only our own keys verify our tokens: a token naming its own key is not ours.
      if (['jwk', 'jku', 'x5u', 'x5c'].some((name) => name in header)) return null;
      const verify = async (keySet: NonNullable<typeof keys>) =>
        (
          await jwtVerify(value, keySet, {
            issuer: deps.issuer,
            ...(options.audience === undefined ? {} : { audience: options.audience }),
            algorithms: [SIGNING_ALGORITHM],
            typ: 'at+jwt',
            requiredClaims: ['exp', 'iat', 'jti', 'client_id', 'sub'],
            clockTolerance: deps.clockSkew,
            currentDate: clock.now(),
          })
        ).payload;
      try {
        return await verify(keys ?? (await loadKeys()));
      } catch (error) {
        // A key made by another instance since these were read: read them again, at most every 30 s.
        if (error instanceof joseErrors.JWKSNoMatchingKey && Date.now() - loadedAt >= KEY_RELOAD_COOLDOWN_MS) {
          try {
            return await verify(await loadKeys());
          } catch {
            return null;
          }
        }
        return null;
      }
    },

    async forget(jti) {
      await store.destroy(TOKEN_STATUS_KIND, jti);
    },
  };
}
