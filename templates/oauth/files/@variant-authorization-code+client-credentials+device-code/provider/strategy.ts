import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import type Provider from 'oidc-provider';
import type { Clock } from '../../../kernel/clock.js';
import type { DpopVerifier } from '../../../kernel/dpop.js';
import type { AuthRequest } from '../../../kernel/http.js';
import type { Strategy, StrategyResult } from '../../../kernel/strategy.js';
import type { ProviderSettings, ProviderVariant } from './settings.js';
import type { TokenLedger } from './token-status.js';

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** oidc-provider's opaque tokens: 256 random bits as 43 base64url characters. */
const OPAQUE_SHAPE = /^[A-Za-z0-9_-]{43}$/;
export const DPOP_ALGORITHMS = 'ES256 EdDSA';
const REALM = 'api';

/** A token as this server holds it, whatever its format. */
interface ResolvedToken {
  jti: string;
  clientId: string;
  subject: string;
  scopes: string[];
  audiences: string[];
  exp: number;
  /** The thumbprint of the key the token is bound to (DPoP), if any. */
  jkt: string | undefined;
}

const digest = (value: string) => createHash('sha256').update(value).digest('base64url').slice(0, 22);

/**
 * The request's URL as the client addressed it, for a DPoP proof's `htu`:
 * https when a trusted proxy says so (AUTH_TRUST_PROXY), else the scheme this
 * server speaks.
 */
function requestUrl(request: AuthRequest, behindProxy: boolean): string {
  const forwarded = behindProxy ? request.headers['x-forwarded-proto']?.split(',')[0]?.trim() : undefined;
  const scheme = forwarded === 'https' || forwarded === 'http' ? forwarded : 'http';
  const host = (behindProxy ? request.headers['x-forwarded-host']?.split(',')[0]?.trim() : undefined) ?? request.headers.host ?? '';
  return `${scheme}://${host}${request.path}`;
}

/**
 * This API's check of the access tokens its own authorization server issues,
 * one strategy per variant. It runs in the same package as the server, so it
 * asks the server's records directly: a revoked grant, a disabled account or a
 * removed client ends the token on its very next request (no cache window), for
 * JWT and opaque tokens alike. A resource server running elsewhere checks the
 * same tokens through the standard endpoints (JWKS, introspection).
 *
 * `Authorization: Bearer <token>`, or `DPoP <token>` with a `DPoP` proof
 * header when the token is bound to a key (RFC 9449).
 */
export function providerStrategy(deps: {
  variant: ProviderVariant;
  provider: Provider;
  ledger: TokenLedger;
  settings: ProviderSettings;
  clock: Clock;
  dpop: DpopVerifier;
  behindProxy: boolean;
}): Strategy {
  const { variant, provider, ledger, settings, clock } = deps;
  const bearer = `Bearer realm="${REALM}"`;
  const dpopChallenge = `DPoP algs="${DPOP_ALGORITHMS}"`;
  const challenge = `${bearer}, ${dpopChallenge}`;
  const refuse = (reason: string, error: 'invalid_token' | 'invalid_dpop_proof', scheme: 'bearer' | 'dpop'): StrategyResult => ({
    ok: false,
    reason,
    error,
    challenge: scheme === 'dpop' ? `${dpopChallenge}, error="${error}", ${bearer}` : `${bearer}, error="${error}", ${dpopChallenge}`,
  });

  const isOurs = (token: string): boolean => {
    if (OPAQUE_SHAPE.test(token)) return true;
    if (!JWT_SHAPE.test(token)) return false;
    try {
      return decodeJwt(token).iss === settings.issuer;
    } catch {
      return false;
    }
  };

  async function resolve(token: string): Promise<ResolvedToken | null> {
    if (JWT_SHAPE.test(token)) {
      const payload = await ledger.verifyJwt(token, { audience: settings.audience });
      if (!payload) return null;
      const scope = typeof payload.scope === 'string' ? payload.scope : '';
      return {
        jti: String(payload.jti),
        clientId: String(payload.client_id),
        subject: String(payload.sub),
        scopes: scope.split(' ').filter(Boolean),
        audiences: [payload.aud ?? []].flat().map(String),
        exp: Number(payload.exp),
        jkt: (payload.cnf as { jkt?: string } | undefined)?.jkt,
      };
    }
    const found = (await provider.AccessToken.find(token)) ?? (await provider.ClientCredentials.find(token));
    if (!found || typeof found.exp !== 'number') return null;
    // oidc-provider checked the expiry by the real clock; the package's clock and skew decide here.
    if ((found.exp + settings.lifetimes.clockSkew) * 1000 <= clock.now().getTime()) return null;
    return {
      jti: found.jti,
      clientId: found.clientId ?? '',
      subject: 'accountId' in found && typeof found.accountId === 'string' ? found.accountId : (found.clientId ?? ''),
      scopes: [...found.scopes].filter(Boolean),
      audiences: [found.aud ?? []].flat().map(String),
      exp: found.exp,
      jkt: found.jkt,
    };
  }

  return {
    method: 'oauth',
    variant,
    challenge,
    cookieBased: false,
    claims(carrier) {
      if (carrier.kind !== 'authorization') return false;
      const scheme = carrier.scheme.toLowerCase();
      return (scheme === 'bearer' || scheme === 'dpop') && isOurs(carrier.credentials);
    },
    async authenticate(request, carrier) {
      if (carrier.kind !== 'authorization') return refuse('not a token', 'invalid_token', 'bearer');
      const scheme = carrier.scheme.toLowerCase() === 'dpop' ? 'dpop' : 'bearer';
      const token = carrier.credentials;
      const resolved = await resolve(token);
      if (!resolved) return refuse('invalid or expired', 'invalid_token', scheme);
      if (!resolved.audiences.includes(settings.audience)) return refuse('another audience', 'invalid_token', scheme);
      const status = await ledger.status(resolved.jti);
      if (!status.active) return refuse(status.reason, 'invalid_token', scheme);
      if (status.token.variant !== variant) return refuse(`a ${status.token.variant} token`, 'invalid_token', scheme);

      if (resolved.jkt !== undefined) {
        // RFC 9449 §7.1: a bound token travels with the DPoP scheme and a proof signed by its key.
        if (scheme !== 'dpop') return refuse('bound token sent as Bearer', 'invalid_token', 'dpop');
        const proof = await deps.dpop.verify({
          proof: request.headers.dpop,
          method: request.method,
          url: requestUrl(request, deps.behindProxy),
          accessToken: token,
          boundTo: resolved.jkt,
        });
        if (!proof.ok) return refuse(proof.reason, 'invalid_dpop_proof', 'dpop');
      } else if (scheme === 'dpop') {
        return refuse('unbound token sent as DPoP', 'invalid_token', 'dpop');
      }

      const service = status.token.kind === 'ClientCredentials';
      return {
        ok: true,
        principal: {
          subject: service ? resolved.clientId : resolved.subject,
          kind: service ? 'service' : 'person',
          method: 'oauth',
          variant,
          client: resolved.clientId,
          scopes: resolved.scopes,
          tenant: null,
          // The token's id for a JWT; for an opaque token (whose id is the token) a digest of it.
          credentialId: status.token.format === 'jwt' ? resolved.jti : `at-${digest(resolved.jti)}`,
          issuer: settings.issuer,
        },
      };
    },
  };
}
