import type { DpopVerifier } from '../../../kernel/dpop.js';
import type { AuthRequest } from '../../../kernel/http.js';
import { problem, ProblemError } from '../../../kernel/problem.js';
import type { Strategy } from '../../../kernel/strategy.js';
import { IssuerUnavailableError } from './issuer.js';
import { unverifiedIssuer, type TokenVerifier } from './verify.js';

/** JWS algorithms this API accepts in DPoP proofs (the kernel's verifier allows these). */
export const DPOP_ALGORITHMS = ['ES256', 'ES384', 'EdDSA', 'PS256', 'RS256'];

export interface AccessTokenStrategyOptions {
  /** The OAuth variant this strategy authenticates for (`resource-server`, `authorization-code`, …). */
  variant: string;
  verifier: TokenVerifier;
  /** Realm of the challenge. */
  realm: string;
  dpop: DpopVerifier;
  /** The origin clients address this API at (`https://api.example.com`), for DPoP's `htu`; null: `http://` + the Host header. */
  publicOrigin: string | null;
  log: (message: string) => void;
}

/**
 * OAuth access tokens at this API: `Authorization: Bearer <token>`, or
 * `Authorization: DPoP <token>` with a `DPoP` proof for tokens bound to a key
 * (`cnf.jkt`, RFC 9449). The strategy claims Bearer and DPoP credentials
 * except JWTs that name another issuer, which belong to another method (or to
 * nobody): at a boundary with a JWT method beside OAuth, each takes its own.
 *
 * Every refusal reads the same to the caller (`invalid_token`, or
 * `invalid_dpop_proof` for a proof), the reason goes to the audit line; an
 * issuer that cannot be asked is a 503, not a 401.
 */
export function accessTokenStrategy(options: AccessTokenStrategyOptions): Strategy {
  const { verifier, dpop } = options;
  const { issuer } = verifier;
  const dpopChallenge = (error: string) => `DPoP algs="${DPOP_ALGORITHMS.join(' ')}", error="${error}"`;
  const requestUrl = (request: AuthRequest) => `${options.publicOrigin ?? `http://${request.headers.host ?? 'localhost'}`}${request.path}`;
  const ours = (token: string) => {
    const claimed = unverifiedIssuer(token);
    return claimed === undefined || claimed === issuer;
  };

  return {
    method: 'oauth',
    variant: options.variant,
    challenge: `Bearer realm="${options.realm}"`,
    cookieBased: false,
    claims: (carrier) => carrier.kind === 'authorization' && ['bearer', 'dpop'].includes(carrier.scheme.toLowerCase()) && ours(carrier.credentials),
    recognises: (value) => unverifiedIssuer(value) === issuer,
    async authenticate(request, carrier) {
      if (carrier.kind !== 'authorization') return { ok: false, reason: 'not an access token' };
      const scheme = carrier.scheme.toLowerCase();
      const token = carrier.credentials;
      if (token === '' || /\s/.test(token)) return { ok: false, reason: 'malformed', error: 'invalid_token' };
      let result;
      try {
        result = await verifier.verify(token);
      } catch (error) {
        if (!(error instanceof IssuerUnavailableError) && (error as { name?: unknown }).name !== 'IssuerUnavailableError') throw error;
        options.log(`oauth: the token issuer could not be asked: ${error instanceof Error ? error.message : String(error)}`);
        throw new ProblemError(problem('service-unavailable', 'The access token could not be checked right now; retry shortly.', { headers: { 'retry-after': '5' } }));
      }
      if (!result.ok) return { ok: false, reason: result.reason, error: 'invalid_token' };
      const { token: accepted } = result;

      if (accepted.boundTo !== null) {
        // RFC 9449 §7.1: a bound token is no bearer token; without a proof by its key it is worthless.
        if (scheme !== 'dpop') return { ok: false, reason: 'DPoP-bound token sent as Bearer', challenge: dpopChallenge('invalid_token') };
        const proof = await dpop.verify({ proof: request.headers.dpop, method: request.method, url: requestUrl(request), accessToken: token, boundTo: accepted.boundTo });
        if (!proof.ok) return { ok: false, reason: `DPoP ${proof.reason}`, challenge: dpopChallenge('invalid_dpop_proof') };
      } else if (scheme === 'dpop') {
        return { ok: false, reason: 'DPoP scheme with an unbound token', challenge: dpopChallenge('invalid_token') };
      }

      return {
        ok: true,
        principal: {
          subject: accepted.subject,
          kind: accepted.kind,
          method: 'oauth',
          variant: options.variant,
          client: accepted.clientId,
          scopes: accepted.scopes,
          tenant: null,
          credentialId: accepted.tokenId,
          issuer: accepted.issuer,
        },
      };
    },
  };
}
