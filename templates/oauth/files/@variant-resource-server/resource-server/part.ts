import { createDpopVerifier } from '../../../kernel/dpop.js';
import { ConfigError } from '../../../kernel/config.js';
import type { MethodSetup } from '../../../kernel/method.js';
import { RUN_SCRIPT } from '../../../kernel/package.js';
import type { MethodPart } from '../parts.js';
import { practiceIssuerOf } from '../practice/serve.js';
import { createIntrospector, type Introspector } from '../tokens/introspection.js';
import { createIssuerClient, type IssuerClient } from '../tokens/issuer.js';
import { accessTokenStrategy } from '../tokens/strategy.js';
import { createTokenVerifier, type TokenVerifier } from '../tokens/verify.js';
import { PLANNED_TOKEN_FORMAT } from './planned.js';
import { readResourceServerSettings, type ResourceServerSettings } from './settings.js';

/** Access-token lifetime of the practice issuer, seconds. */
const PRACTICE_TOKEN_TTL = 300;

export interface ResourceServerPart extends MethodPart {
  readonly settings: ResourceServerSettings;
  readonly verifier: TokenVerifier;
  /** The issuer's metadata and keys, as this API caches them. */
  readonly issuerClient: IssuerClient;
  /** Null for the `jwt` check, which asks the issuer nothing per token. */
  readonly introspector: Introspector | null;
}

/**
 * The `resource-server` variant: this API accepts access tokens of an issuer
 * that already exists (a hosted identity provider, or an authorization server
 * of your own), found through its metadata, and trusts nothing else about it.
 */
export async function resourceServerPart(setup: MethodSetup): Promise<ResourceServerPart> {
  const { clock, store } = setup;
  const settings = readResourceServerSettings(setup.env, { rs: setup.policy.oauth['resource-server'], dpop: setup.policy.dpop }, PLANNED_TOKEN_FORMAT, setup.warnings);
  const practice =
    settings.practice === null
      ? null
      : await practiceIssuerOf(setup, settings.practice, {
          audience: settings.audience,
          accessTokenFormat: settings.check === 'introspection' ? 'opaque' : 'jwt',
          accessTokenTtl: PRACTICE_TOKEN_TTL,
        });
  const issuer = createIssuerClient({ issuer: practice?.issuer.issuer ?? settings.issuer!, clock, jwksCacheMaxAge: settings.jwksCacheMaxAge, jwksCooldown: settings.jwksCooldown });
  const credentials = practice?.issuer.api ?? settings.introspection;
  const introspector =
    settings.check === 'jwt' || credentials === null
      ? null
      : createIntrospector({
          issuer,
          credentials,
          clock,
          cacheSeconds: settings.check === 'introspection' ? settings.introspectionCache : settings.revocationCheckCache,
        });
  const verifier = createTokenVerifier({ check: settings.check, issuer, audience: settings.audience, algorithms: settings.algorithms, clockSkew: settings.clockSkew, clock, introspector });
  const strategy = accessTokenStrategy({
    variant: 'resource-server',
    verifier,
    realm: settings.realm,
    dpop: createDpopVerifier(store, clock, settings.dpopProofWindow),
    publicOrigin: settings.publicOrigin,
    log: setup.log,
  });

  return {
    name: 'resource-server',
    variants: ['resource-server'],
    settings,
    verifier,
    issuerClient: issuer,
    introspector,
    strategies: [strategy],
    mounts: practice?.mount ? [practice.mount] : [],
    async credential(request) {
      if (practice === null) {
        throw new ConfigError(`Tokens for this boundary come from ${issuer.issuer}; ask it for one (audience ${settings.audience}), or run with OAUTH_PRACTICE_ISSUER=1 to practise with a stand-in issuer.`);
      }
      const { token } = await practice.issuer.mintAccessToken({ subject: request.subject, scopes: request.scopes });
      return { header: `Authorization: Bearer ${token}`, subject: request.subject, scopes: [...request.scopes], issuer: issuer.issuer, audience: settings.audience };
    },
    howToGetCredential: (boundary) =>
      practice === null
        ? `an access token from ${issuer.issuer} for the audience ${settings.audience}, sent as "Authorization: Bearer <token>" (or "DPoP <token>" with its proof)`
        : `a token from the practice issuer at ${issuer.issuer}: ${RUN_SCRIPT} auth:credential -- --boundary ${boundary.id} --subject <person> --scope read`,
    ...(practice ? { close: practice.close } : {}),
  };
}
