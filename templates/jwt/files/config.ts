import { ConfigError, readChoice, readSeconds, type Env } from '../../kernel/config.js';
import { readProofWindow, readPublicOrigin } from '../../kernel/dpop.js';
import type { Policy } from '../../policy.js';

/** Lifetimes from POLICY.jwt[variant], as configured (seconds). */
export interface TokenLifetimes {
  accessToken: number;
  clockSkew: number;
  refreshTokenIdle: number;
  refreshTokenAbsolute: number;
  signingKeyRotation: number;
}

export interface DpopSettings {
  /** How far a proof's `iat` may be from now (POLICY.dpop.proofWindow). */
  proofWindow: number;
  /** The origin clients address this API at, for the proof's `htu`; null: `http://` and the Host header. */
  publicOrigin: string | null;
}

/** What this package needs to sign tokens (login-endpoint, or the token service it can run). */
export interface IssuerConfig {
  issuer: string;
  audience: string;
  lifetimes: TokenLifetimes;
  /** Seals private signing keys in the store. */
  keyEncryptionKey: Uint8Array;
  dpop: DpopSettings | null;
}

/** What a token-service boundary needs to verify the token service's tokens. */
export interface TokenServiceConfig {
  issuer: string;
  /** Null outside production when unset: a development token service runs inside the app. */
  jwksUrl: string | null;
  jwksCacheMaxAge: number;
  jwksCooldown: number;
  lifetimes: TokenLifetimes;
}

export interface JwtConfig {
  audience: string;
  /** Realm in WWW-Authenticate. */
  realm: string;
  /** Set when some boundary accepts login-endpoint tokens. */
  issuer: IssuerConfig | null;
  /** Set when some boundary accepts token-service tokens. */
  tokenService: TokenServiceConfig | null;
  /** Null unless JWT_DPOP=on: then tokens are bound to the client's key and every request carries a proof. */
  dpop: DpopSettings | null;
}

const KEK_HINT = 'Generate one with: node -e "console.log(require(\'node:crypto\').randomBytes(32).toString(\'base64url\'))"';

function required(env: Env, name: string, example: string): string {
  const value = env[name]?.trim() ?? '';
  if (value === '') throw new ConfigError(`${name} is not set; set it to a URL or URN of your own, such as ${example}.`);
  return value;
}

/** An `iss` or `aud` value: a URL or URN of printable characters, so a typo cannot hide in whitespace. */
function identifier(env: Env, name: string, example: string): string {
  const value = required(env, name, example);
  if (!/^[\x21-\x7e]{1,512}$/.test(value) || !/^[a-z][a-z0-9+.-]*:/i.test(value)) {
    throw new ConfigError(`${name} must be a URL or URN such as ${example}; got "${value}".`);
  }
  return value;
}

/** 32 bytes in base64url: the key that seals private signing keys. Always required: keys sealed without it could not be opened later. */
export function readKeyEncryptionKey(env: Env): Uint8Array {
  const encoded = env.JWT_KEY_ENCRYPTION_KEY?.trim() ?? '';
  if (encoded === '') throw new ConfigError(`JWT_KEY_ENCRYPTION_KEY is not set. ${KEK_HINT}`);
  const key = Buffer.from(encoded, 'base64url');
  if (key.length !== 32 || key.toString('base64url') !== encoded.replace(/=+$/, '')) {
    throw new ConfigError(`JWT_KEY_ENCRYPTION_KEY must be 32 random bytes in base64url (43 characters). ${KEK_HINT}`);
  }
  return new Uint8Array(key);
}

export function readLifetimes(env: Env, policy: Policy['jwt'][keyof Policy['jwt']]): TokenLifetimes {
  const lifetimes = {
    accessToken: readSeconds(env, 'JWT_ACCESS_TOKEN_SECONDS', policy.accessToken),
    clockSkew: readSeconds(env, 'JWT_CLOCK_SKEW_SECONDS', policy.clockSkew),
    refreshTokenIdle: readSeconds(env, 'JWT_REFRESH_IDLE_SECONDS', policy.refreshTokenIdle),
    refreshTokenAbsolute: readSeconds(env, 'JWT_REFRESH_ABSOLUTE_SECONDS', policy.refreshTokenAbsolute),
    signingKeyRotation: readSeconds(env, 'JWT_SIGNING_KEY_ROTATION_SECONDS', policy.signingKeyRotation),
  };
  if (lifetimes.refreshTokenIdle > lifetimes.refreshTokenAbsolute) {
    throw new ConfigError(
      `JWT_REFRESH_IDLE_SECONDS (${lifetimes.refreshTokenIdle}) cannot exceed JWT_REFRESH_ABSOLUTE_SECONDS (${lifetimes.refreshTokenAbsolute}): no refresh token outlives the absolute lifetime.`,
    );
  }
  return lifetimes;
}

function readJwksUrl(env: Env): string | null {
  const raw = env.JWT_TOKEN_SERVICE_JWKS_URL?.trim() ?? '';
  const production = env.NODE_ENV === 'production';
  if (raw === '') {
    if (production) throw new ConfigError('JWT_TOKEN_SERVICE_JWKS_URL is not set; set it to your token service\'s key set, e.g. https://auth.example.com/.well-known/jwks.json.');
    return null;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`JWT_TOKEN_SERVICE_JWKS_URL must be a URL such as https://auth.example.com/.well-known/jwks.json; got "${raw}".`);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && (loopback || !production))) {
    throw new ConfigError(`JWT_TOKEN_SERVICE_JWKS_URL must use https in production (plain http only on loopback); got "${raw}".`);
  }
  return url.href;
}

/**
 * JWT settings for the variants in use, from the environment: every duration
 * bounded by POLICY.jwt[variant], identifiers required (a token's `iss` and
 * `aud` are what stop tokens meant for someone else).
 */
export function readJwtConfig(env: Env, policy: Policy, variants: readonly string[]): JwtConfig {
  const audience = identifier(env, 'JWT_AUDIENCE', 'https://api.example.com');
  const realm = env.JWT_REALM?.trim() || 'api';
  if (!/^[\x20-\x7e]+$/.test(realm) || realm.includes('"') || realm.includes('\\')) {
    throw new ConfigError('JWT_REALM must be printable ASCII without quotes or backslashes.');
  }
  const dpopMode = readChoice(env, 'JWT_DPOP', ['off', 'on'] as const, 'off');
  const dpop = dpopMode === 'on' ? { proofWindow: readProofWindow(env), publicOrigin: readPublicOrigin(env) } : null;
  if (dpop && dpop.publicOrigin === null && env.NODE_ENV === 'production') {
    throw new ConfigError('With JWT_DPOP=on, set AUTH_PUBLIC_ORIGIN to the origin clients address this API at (e.g. https://api.example.com): DPoP proofs name it.');
  }

  let issuer: IssuerConfig | null = null;
  if (variants.includes('login-endpoint')) {
    issuer = {
      issuer: identifier(env, 'JWT_ISSUER', 'https://api.example.com'),
      audience,
      lifetimes: readLifetimes(env, policy.jwt['login-endpoint']),
      keyEncryptionKey: readKeyEncryptionKey(env),
      dpop,
    };
  }
  let tokenService: TokenServiceConfig | null = null;
  if (variants.includes('token-service')) {
    const servicePolicy = policy.jwt['token-service'];
    tokenService = {
      issuer: identifier(env, 'JWT_TOKEN_SERVICE_ISSUER', 'https://auth.example.com'),
      jwksUrl: readJwksUrl(env),
      jwksCacheMaxAge: readSeconds(env, 'JWT_JWKS_CACHE_SECONDS', servicePolicy.jwksCacheMaxAge),
      jwksCooldown: readSeconds(env, 'JWT_JWKS_COOLDOWN_SECONDS', servicePolicy.jwksCooldown),
      lifetimes: readLifetimes(env, servicePolicy),
    };
    if (issuer && issuer.issuer === tokenService.issuer) {
      throw new ConfigError('JWT_ISSUER and JWT_TOKEN_SERVICE_ISSUER must differ: tokens this API signs and tokens of the token service go to different boundaries.');
    }
  }
  return { audience, realm, issuer, tokenService, dpop };
}
