/**
 * Which variant of a method serves a boundary, and which format OAuth access
 * tokens take. Rules, not scores: the method is scored, the variant follows
 * from who the callers are and what the team already runs.
 */
import type { Answers, Client, MethodId, Subject, TokenFormat, Variant } from '../types.js';

/**
 * OAuth's access-token format for the whole plan (one authorization server, one format).
 * Opaque tokens are introspected and can be revoked at once; JWT access tokens
 * are verified locally, which several services value. Hosted providers issue
 * JWT access tokens as a rule.
 */
export function oauthTokenFormat(answers: Pick<Answers, 'identityProvider' | 'revocation' | 'architecture'>): TokenFormat {
  if (answers.identityProvider === 'hosted') return 'jwt';
  if (answers.revocation === 'immediate') return 'opaque';
  if (answers.identityProvider === 'self-run') return 'jwt';
  return answers.architecture === 'multi-service' ? 'jwt' : 'opaque';
}

/** The callers of one boundary, as the variant rules need them. */
export interface BoundaryCallers {
  subjects: readonly Subject[];
  clients: readonly Client[];
  /** People at this boundary grant apps access on their behalf. */
  delegation: boolean;
}

const isPeople = (callers: BoundaryCallers) => callers.subjects.every((subject) => subject === 'end-user');

/**
 * The variant of `method` at one boundary. `jwtIssuer` is decided for the
 * whole plan (one issuer), as is the identity provider.
 */
export function variantFor(
  method: MethodId,
  callers: BoundaryCallers,
  plan: { identityProvider: Answers['identityProvider']; jwtIssuer: 'login-endpoint' | 'token-service' },
): Variant {
  switch (method) {
    case 'api-key':
      return 'application';
    case 'session':
      return callers.clients.includes('browser') ? 'cookie' : 'token';
    case 'jwt':
      return plan.jwtIssuer;
    case 'oauth':
      if (plan.identityProvider !== 'none') return 'resource-server';
      if (callers.delegation) return 'authorization-code';
      if (isPeople(callers)) {
        return callers.clients.length > 0 && callers.clients.every((client) => client === 'cli') ? 'device-code' : 'authorization-code';
      }
      return 'client-credentials';
  }
}
