import { createRemoteJWKSet } from 'jose';
import type { CryptoKey, JWSHeaderParameters } from 'jose';
import { systemClock } from './clock.js';
import type { Clock } from './clock.js';
import { hasScopes, insufficientScope, invalidToken, missingToken, parseBearer } from './guard.js';
import type { AuthResult, BearerGuard, Principal } from './guard.js';
import { KID_PATTERN } from './keys.js';
import { scopesOf, verifyAccessToken } from './verify.js';
import type { AccessTokenClaims } from './verify.js';

export interface RemoteGuardOptions {
  /** The issuing service's key set, e.g. https://auth.example.com/.well-known/jwks.json */
  jwksUrl: string;
  issuer: string;
  audience: string;
  algorithms?: readonly string[];
  clockToleranceSeconds?: number;
  maxTokenAgeSeconds?: number;
  /** Minimum seconds between two fetches caused by an unknown kid (default 30). */
  cooldownSeconds?: number;
  /** Seconds a fetched key set is trusted before it is fetched again (default 600). */
  cacheMaxAgeSeconds?: number;
  /** Optional extra check, e.g. a token-version lookup shared with the issuer. */
  isTokenCurrent?: (claims: AccessTokenClaims) => Promise<boolean>;
  clock?: Clock;
  realm?: string;
}

/**
 * Verifies access tokens in a service that does not hold the signing keys: keys come from the
 * issuer's JWKS endpoint over HTTP(S), are cached, and an unknown kid refetches at most once per
 * cooldown. The same header, algorithm and claim checks apply as in the issuing service.
 */
export function createRemoteGuard(options: RemoteGuardOptions): BearerGuard {
  const realm = options.realm ?? 'api';
  const clock = options.clock ?? systemClock;
  const keySet = createRemoteJWKSet(new URL(options.jwksUrl), {
    cooldownDuration: (options.cooldownSeconds ?? 30) * 1000,
    cacheMaxAge: (options.cacheMaxAgeSeconds ?? 600) * 1000,
    timeoutDuration: 5000,
  });
  const resolveKey = async (header: JWSHeaderParameters): Promise<CryptoKey | undefined> => {
    if (typeof header.kid !== 'string' || !KID_PATTERN.test(header.kid)) return undefined;
    try {
      return await keySet(header);
    } catch {
      return undefined;
    }
  };
  return {
    async authenticate(authorization, requiredScopes = []): Promise<AuthResult> {
      const credential = parseBearer(authorization);
      if (credential.kind === 'none') return missingToken(realm);
      if (credential.kind === 'malformed') return invalidToken(realm);
      const result = await verifyAccessToken(credential.token, resolveKey, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: options.algorithms ?? ['ES256'],
        clockToleranceSeconds: options.clockToleranceSeconds ?? 30,
        maxTokenAgeSeconds: options.maxTokenAgeSeconds ?? 3600,
        now: clock,
      });
      if (!result.ok) return invalidToken(realm);
      if (options.isTokenCurrent && !(await options.isTokenCurrent(result.claims))) return invalidToken(realm);
      const principal: Principal = {
        subject: result.claims.sub,
        issuer: options.issuer,
        scopes: scopesOf(result.claims),
        tokenId: result.claims.jti,
        expiresAt: result.claims.exp,
        claims: result.claims,
      };
      if (!hasScopes(principal, requiredScopes)) return insufficientScope(realm, requiredScopes);
      return { ok: true, principal };
    },
  };
}
