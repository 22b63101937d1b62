/**
 * The one table of operating defaults: lifetimes, rotation, overlap, clock
 * skew, revocation windows, throttling and proof windows, per method and
 * variant. The decision record states these values and the scaffold renders
 * the same table into the generated code (`<auth>/policy.ts`), whose config
 * reads its defaults and limits from it; a test holds the two equal.
 *
 * NOTE: a value belongs here only when the generated code enforces it. A
 * promise the code does not keep is worse than no promise.
 *
 * All durations are in seconds. A `Setting` is a default the operator may
 * change within [min, max] through the environment; values outside it are
 * refused at start-up with a message naming the variable and the range.
 */
import type { MethodId, VariantOf } from './types.js';

export interface Setting {
  default: number;
  min: number;
  max: number;
}

export const MINUTE = 60;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

const setting = (value: number, min: number, max: number): Setting => ({ default: value, min, max });

/** Failed-credential throttling (OWASP Authentication Cheat Sheet): back-off per account and source, a cap per source. */
export interface ThrottlePolicy {
  /** Failures of one account from one source allowed within `window` before back-off starts. */
  freeFailures: number;
  /** First back-off delay; it doubles with every further failure. */
  baseDelay: number;
  /** Longest back-off delay (the `Retry-After` never exceeds it). */
  maxDelay: number;
  /** Failures from one source, across all accounts, allowed within `window` before it gets 429 (password spraying). */
  sourceFailures: number;
  /** The counting window. */
  window: number;
}

export interface ApiKeyPolicy {
  /** Expiry given to a new key; a key without expiry needs an explicit flag. */
  keyLifetime: Setting;
  /** How long the old key keeps working after `rotate` issued its successor. */
  rotationOverlap: Setting;
  /** Active keys one owner may hold at once (old and new during a rotation). */
  maxActiveKeysPerOwner: number;
  /** `lastUsedAt` is written at most this often per key. */
  lastUsedResolution: number;
}

export interface SessionPolicy {
  /** Ended after this long without a request. */
  idleTimeout: Setting;
  /** Ended this long after sign-in, however active. */
  absoluteLifetime: Setting;
}

export interface JwtPolicy {
  accessToken: Setting;
  /** Leeway allowed on `exp`, `nbf` and `iat`. */
  clockSkew: Setting;
  /** Refresh tokens rotate on every use; reuse of a rotated one revokes its family. */
  refreshTokenIdle: Setting;
  refreshTokenAbsolute: Setting;
  /** A new signing key is made this often; the old public key stays published for one access-token lifetime plus skew. */
  signingKeyRotation: Setting;
}

/** An API that verifies the tokens of a token service of yours, with the service's key set. */
export interface JwtTokenServicePolicy extends JwtPolicy {
  /** How long the fetched key set is used before it is fetched again. */
  jwksCacheMaxAge: Setting;
  /** Least time between two key-set fetches caused by unknown `kid`s. */
  jwksCooldown: Setting;
}

export interface OAuthProviderPolicy {
  authorizationCode: Setting;
  accessToken: Setting;
  refreshTokenIdle: Setting;
  refreshTokenAbsolute: Setting;
  clockSkew: Setting;
  /** Resource-server cache of introspection answers (opaque tokens); never kept past the token's `exp`. */
  introspectionCache: Setting;
  /** Resource-server cache of grant status for JWT access tokens, so revocation bites within this window. */
  revocationCheckCache: Setting;
  signingKeyRotation: Setting;
}

export interface OAuthDeviceCodePolicy extends OAuthProviderPolicy {
  deviceCode: Setting;
  /** Minimum seconds between two polls of the token endpoint. */
  pollingInterval: Setting;
}

export interface OAuthClientCredentialsPolicy {
  accessToken: Setting;
  clockSkew: Setting;
  introspectionCache: Setting;
  revocationCheckCache: Setting;
  signingKeyRotation: Setting;
}

export interface OAuthResourceServerPolicy {
  clockSkew: Setting;
  /** How long fetched JWKS keys are used before they are fetched again. */
  jwksCacheMaxAge: Setting;
  /** Least time between two JWKS fetches caused by unknown `kid`s. */
  jwksCooldown: Setting;
  /** Cache of introspection answers (opaque tokens); never kept past the token's `exp`. */
  introspectionCache: Setting;
  /** Cache of the issuer's word that a JWT access token is still active (revocation-aware check). */
  revocationCheckCache: Setting;
}

export interface DpopPolicy {
  /** A proof's `iat` may be at most this far from the server's clock; its `jti` is remembered as long. */
  proofWindow: Setting;
}

export interface PolicyTable {
  'api-key': Record<VariantOf<'api-key'>, ApiKeyPolicy>;
  session: Record<VariantOf<'session'>, SessionPolicy>;
  jwt: { 'login-endpoint': JwtPolicy; 'token-service': JwtTokenServicePolicy };
  oauth: {
    'authorization-code': OAuthProviderPolicy;
    'client-credentials': OAuthClientCredentialsPolicy;
    'device-code': OAuthDeviceCodePolicy;
    'resource-server': OAuthResourceServerPolicy;
  };
  /** Applies at every endpoint that checks a password or a secret: logins, token endpoints, provider login pages, API keys. */
  throttle: ThrottlePolicy;
  dpop: DpopPolicy;
}

const jwtPolicy: JwtPolicy = {
  accessToken: setting(10 * MINUTE, 1 * MINUTE, 15 * MINUTE),
  clockSkew: setting(30, 0, 60),
  refreshTokenIdle: setting(7 * DAY, 1 * HOUR, 30 * DAY),
  refreshTokenAbsolute: setting(30 * DAY, 1 * DAY, 90 * DAY),
  signingKeyRotation: setting(90 * DAY, 1 * DAY, 365 * DAY),
};

const oauthProvider: OAuthProviderPolicy = {
  authorizationCode: setting(60, 10, 10 * MINUTE),
  accessToken: setting(5 * MINUTE, 1 * MINUTE, 5 * MINUTE),
  refreshTokenIdle: setting(14 * DAY, 1 * HOUR, 30 * DAY),
  refreshTokenAbsolute: setting(30 * DAY, 1 * DAY, 90 * DAY),
  clockSkew: setting(30, 0, 60),
  introspectionCache: setting(15, 0, 60),
  revocationCheckCache: setting(15, 0, 60),
  signingKeyRotation: setting(90 * DAY, 1 * DAY, 365 * DAY),
};

export const POLICY: PolicyTable = {
  'api-key': {
    application: {
      keyLifetime: setting(90 * DAY, 1 * DAY, 365 * DAY),
      rotationOverlap: setting(7 * DAY, 0, 30 * DAY),
      maxActiveKeysPerOwner: 2,
      lastUsedResolution: 60,
    },
  },
  session: {
    cookie: {
      idleTimeout: setting(30 * MINUTE, 5 * MINUTE, 24 * HOUR),
      absoluteLifetime: setting(12 * HOUR, 1 * HOUR, 7 * DAY),
    },
    token: {
      idleTimeout: setting(7 * DAY, 1 * HOUR, 30 * DAY),
      absoluteLifetime: setting(30 * DAY, 1 * DAY, 90 * DAY),
    },
  },
  jwt: {
    'login-endpoint': jwtPolicy,
    'token-service': {
      ...jwtPolicy,
      jwksCacheMaxAge: setting(10 * MINUTE, 1 * MINUTE, 1 * DAY),
      jwksCooldown: setting(30, 5, 10 * MINUTE),
    },
  },
  oauth: {
    'authorization-code': oauthProvider,
    'client-credentials': {
      accessToken: oauthProvider.accessToken,
      clockSkew: oauthProvider.clockSkew,
      introspectionCache: oauthProvider.introspectionCache,
      revocationCheckCache: oauthProvider.revocationCheckCache,
      signingKeyRotation: oauthProvider.signingKeyRotation,
    },
    'device-code': {
      ...oauthProvider,
      deviceCode: setting(10 * MINUTE, 1 * MINUTE, 30 * MINUTE),
      pollingInterval: setting(5, 1, 60),
    },
    'resource-server': {
      clockSkew: setting(30, 0, 60),
      jwksCacheMaxAge: setting(10 * MINUTE, 1 * MINUTE, 1 * DAY),
      jwksCooldown: setting(30, 5, 10 * MINUTE),
      introspectionCache: setting(15, 0, 60),
      revocationCheckCache: setting(15, 0, 60),
    },
  },
  throttle: {
    freeFailures: 5,
    baseDelay: 1,
    maxDelay: 15 * MINUTE,
    sourceFailures: 10,
    window: 15 * MINUTE,
  },
  dpop: {
    proofWindow: setting(60, 5, 5 * MINUTE),
  },
};

/** The policy of one method and variant. */
export function policyOf<M extends MethodId>(method: M, variant: VariantOf<M>): PolicyTable[M][keyof PolicyTable[M]] {
  const table = POLICY[method] as Record<string, unknown>;
  return table[variant] as PolicyTable[M][keyof PolicyTable[M]];
}
