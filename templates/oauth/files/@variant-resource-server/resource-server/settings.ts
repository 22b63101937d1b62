import { readChoice, readSeconds, type Env } from '../../../kernel/config.js';
import type { Policy } from '../../../policy.js';
import type { IntrospectionCredentials } from '../tokens/introspection.js';
import { readAlgorithms, readAudience, readIssuer, readPublicOrigin, readRealm, readRequired } from '../tokens/settings.js';
import { TOKEN_CHECKS, type TokenCheck } from '../tokens/verify.js';
import { readPracticeSettings, type PracticeSettings } from '../practice/serve.js';

/** The resource server's settings: which issuer it trusts, for which audience, and how it checks tokens. */
export interface ResourceServerSettings {
  /** Null while the practice issuer stands in (OAUTH_PRACTICE_ISSUER=1). */
  issuer: string | null;
  audience: string;
  check: TokenCheck;
  /** This API's client at the issuer; needed by every check but `jwt`. */
  introspection: IntrospectionCredentials | null;
  algorithms: string[];
  realm: string;
  publicOrigin: string | null;
  /** Seconds, each within its POLICY range. */
  clockSkew: number;
  jwksCacheMaxAge: number;
  jwksCooldown: number;
  introspectionCache: number;
  revocationCheckCache: number;
  dpopProofWindow: number;
  practice: PracticeSettings | null;
}

/** The practice issuer's API identifier when OAUTH_TRUSTED_AUDIENCE is not set. */
export const PRACTICE_AUDIENCE = 'https://api.example.test';

export function readResourceServerSettings(
  env: Env,
  policy: { rs: Policy['oauth']['resource-server']; dpop: Policy['dpop'] },
  plannedFormat: string,
  warnings: string[],
): ResourceServerSettings {
  const practice = readPracticeSettings(env);
  if (practice !== null && (env.OAUTH_TRUSTED_ISSUER?.trim() ?? '') !== '') {
    warnings.push('OAUTH_PRACTICE_ISSUER=1 overrides OAUTH_TRUSTED_ISSUER: this API trusts the practice issuer only.');
  }
  const check = readChoice(env, 'OAUTH_TOKEN_CHECK', TOKEN_CHECKS, plannedFormat === 'opaque' ? 'introspection' : 'jwt');
  let introspection: IntrospectionCredentials | null = null;
  if (check !== 'jwt' && practice === null) {
    const needed = `this API's client at the issuer, for the ${check} check (RFC 7662 introspection)`;
    introspection = { clientId: readRequired(env, 'OAUTH_INTROSPECTION_CLIENT_ID', needed), clientSecret: readRequired(env, 'OAUTH_INTROSPECTION_CLIENT_SECRET', needed) };
  }
  const audience = practice !== null && (env.OAUTH_TRUSTED_AUDIENCE?.trim() ?? '') === '' ? PRACTICE_AUDIENCE : readAudience(env, 'OAUTH_TRUSTED_AUDIENCE');
  return {
    issuer: practice === null ? readIssuer(env, 'OAUTH_TRUSTED_ISSUER') : null,
    audience,
    check,
    introspection,
    algorithms: readAlgorithms(env, 'OAUTH_TOKEN_ALGORITHMS'),
    realm: readRealm(env, 'OAUTH_REALM'),
    publicOrigin: readPublicOrigin(env, 'OAUTH_PUBLIC_ORIGIN'),
    clockSkew: readSeconds(env, 'OAUTH_CLOCK_SKEW_SECONDS', policy.rs.clockSkew),
    jwksCacheMaxAge: readSeconds(env, 'OAUTH_JWKS_CACHE_MAX_AGE_SECONDS', policy.rs.jwksCacheMaxAge),
    jwksCooldown: readSeconds(env, 'OAUTH_JWKS_COOLDOWN_SECONDS', policy.rs.jwksCooldown),
    introspectionCache: readSeconds(env, 'OAUTH_INTROSPECTION_CACHE_SECONDS', policy.rs.introspectionCache),
    revocationCheckCache: readSeconds(env, 'OAUTH_REVOCATION_CHECK_CACHE_SECONDS', policy.rs.revocationCheckCache),
    dpopProofWindow: readSeconds(env, 'OAUTH_DPOP_PROOF_WINDOW_SECONDS', policy.dpop.proofWindow),
    practice,
  };
}
