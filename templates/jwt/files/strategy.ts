import type { Clock } from '../../kernel/clock.js';
import { addressedUrl, type DpopVerifier } from '../../kernel/dpop.js';
import type { Strategy, StrategyResult } from '../../kernel/strategy.js';
import { ALGORITHMS, claimedIssuer, scopesOf, verifyAccessToken, type AccessTokenClaims, type KeyResolver } from './access-tokens.js';
import type { DpopSettings } from './config.js';

export interface JwtStrategyInput {
  variant: 'login-endpoint' | 'token-service';
  issuer: string;
  audience: string;
  realm: string;
  clockSkew: number;
  /** The access-token lifetime: no token older than this is accepted, whatever its `exp`. */
  maxAge: number;
  resolveKey: KeyResolver;
  clock: Clock;
  /** Set with JWT_DPOP=on: tokens must be bound to a key and every request must prove it. */
  dpop: { verifier: DpopVerifier; settings: DpopSettings } | null;
  /** Whether a verified token still stands (its account, version and sign-in); the reason when it does not. */
  stillValid?: (claims: AccessTokenClaims) => Promise<string | null>;
}

/**
 * `Authorization: Bearer <access token>` (or `DPoP <access token>` with a
 * proof, when JWT_DPOP=on), for tokens of one issuer. It claims a credential
 * when it is a JWT naming that issuer, or is JWT-shaped without a readable
 * issuer (a mangled token still gets `error="invalid_token"`), so it never
 * claims another issuer's token or an opaque token of another method.
 */
export function jwtStrategy(input: JwtStrategyInput): Strategy {
  const { dpop } = input;
  const challenge = dpop ? `DPoP realm="${input.realm}", algs="${ALGORITHMS.join(' ')}"` : `Bearer realm="${input.realm}"`;
  const fail = (reason: string, error = 'invalid_token'): StrategyResult => ({ ok: false, reason, error });

  return {
    method: 'jwt',
    variant: input.variant,
    challenge,
    cookieBased: false,
    claims(carrier) {
      if (carrier.kind !== 'authorization') return false;
      const scheme = carrier.scheme.toLowerCase();
      // With DPoP on, a bound token sent as Bearer is claimed too, to be refused with the DPoP challenge.
      if (scheme !== 'bearer' && !(dpop && scheme === 'dpop')) return false;
      if (!carrier.credentials.includes('.')) return false;
      const issuer = claimedIssuer(carrier.credentials);
      return issuer === undefined || issuer === input.issuer;
    },
    recognises: (value) => claimedIssuer(value) === input.issuer,
    async authenticate(request, carrier) {
      if (carrier.kind !== 'authorization') return fail('not a bearer token');
      const scheme = carrier.scheme.toLowerCase();
      if (dpop && scheme !== 'dpop') return fail('DPoP-bound tokens travel as "Authorization: DPoP"');
      const verified = await verifyAccessToken(carrier.credentials, input.resolveKey, {
        issuer: input.issuer,
        audience: input.audience,
        clockSkew: input.clockSkew,
        maxAge: input.maxAge,
        now: input.clock.now(),
      });
      if (!verified.ok) return fail(verified.reason);
      const { claims } = verified;
      if (!dpop && claims.cnf !== undefined) return fail('a DPoP-bound token, and DPoP is off');
      if (dpop && claims.cnf === undefined) return fail('a token not bound to a key');
      const standing = input.stillValid ? await input.stillValid(claims) : null;
      if (standing !== null) return fail(standing);
      if (dpop) {
        const proved = await dpop.verifier.verify({
          proof: request.headers.dpop,
          method: request.method,
          url: addressedUrl(request, dpop.settings.publicOrigin),
          accessToken: carrier.credentials,
          boundTo: claims.cnf!.jkt,
        });
        if (!proved.ok) return fail(proved.reason, 'invalid_dpop_proof');
      }
      return {
        ok: true,
        principal: {
          subject: claims.sub,
          kind: 'person',
          method: 'jwt',
          variant: input.variant,
          client: null,
          scopes: scopesOf(claims),
          tenant: null,
          credentialId: claims.jti,
          issuer: claims.iss,
        },
      };
    },
  };
}
