// Configuration of the JWT auth module, read once at the edge (demo server, CLI) and passed in.
export interface JwtAuthConfig {
  /** Value of the `iss` claim this module issues and the only one it accepts. */
  issuer: string;
  /** Value of the `aud` claim: the identifier of this API. */
  audience: string;
  /** The only signing algorithm accepted. Asymmetric on purpose: no shared secret to leak or confuse. */
  algorithm: 'ES256';
  accessTokenTtlSeconds: number;
  /** A refresh token unused for this long expires. */
  refreshTokenIdleSeconds: number;
  /** No refresh token family outlives this, however often it is rotated. */
  refreshTokenMaxAgeSeconds: number;
  clockToleranceSeconds: number;
  /** How long a replaced signing key keeps verifying tokens after a rotation. */
  keyOverlapSeconds: number;
  /** Minimum time between two reloads of the key set caused by an unknown `kid`. */
  keySetCooldownSeconds: number;
  /** The key set is reloaded at least this often, so other instances' rotations arrive. */
  keySetMaxAgeSeconds: number;
  /** Attempts at POST /auth/token per username and per client address within the window. */
  loginAttemptLimit: number;
  loginAttemptWindowSeconds: number;
}

export class AuthConfigError extends Error {
  override name = 'AuthConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

const MAX_ACCESS_TTL = 3600;
const MAX_CLOCK_TOLERANCE = 120;

function wholeNumber(env: Env, name: string, fallback: number, min: number, max: number, unit = 'seconds'): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new AuthConfigError(`${name} must be a whole number (${unit}), got "${raw}".`);
  const value = Number(raw);
  if (value < min || value > max) {
    throw new AuthConfigError(`${name} must be between ${min} and ${max} ${unit}, got ${value}.`);
  }
  return value;
}

export function loadAuthConfig(env: Env = process.env): JwtAuthConfig {
  const production = env.NODE_ENV === 'production';
  const algorithm = env.JWT_ALG ?? 'ES256';
  if (algorithm !== 'ES256') {
    // NOTE: HMAC algorithms are refused outright rather than checked for secret strength: a verifier
    // that never accepts HS* cannot be tricked into using a public key or a weak secret as one.
    throw new AuthConfigError(
      `JWT_ALG "${algorithm}" is not allowed. Only ES256 is supported; ` +
        'symmetric (HS256/384/512) and "none" algorithms are refused.',
    );
  }
  const issuer = env.JWT_ISSUER ?? '';
  const audience = env.JWT_AUDIENCE ?? '';
  if (production && (issuer === '' || audience === '')) {
    throw new AuthConfigError('JWT_ISSUER and JWT_AUDIENCE must be set when NODE_ENV=production.');
  }
  const accessTokenTtlSeconds = wholeNumber(env, 'JWT_ACCESS_TOKEN_TTL', 600, 30, MAX_ACCESS_TTL);
  const clockToleranceSeconds = wholeNumber(env, 'JWT_CLOCK_TOLERANCE', 30, 0, MAX_CLOCK_TOLERANCE);
  const refreshTokenMaxAgeSeconds = wholeNumber(env, 'JWT_REFRESH_TOKEN_MAX_AGE', 30 * 86400, 3600, 365 * 86400);
  const refreshTokenIdleSeconds = wholeNumber(
    env,
    'JWT_REFRESH_TOKEN_IDLE_TTL',
    Math.min(14 * 86400, refreshTokenMaxAgeSeconds),
    300,
    refreshTokenMaxAgeSeconds,
  );
  const minOverlap = accessTokenTtlSeconds + clockToleranceSeconds;
  const keyOverlapSeconds = wholeNumber(env, 'JWT_KEY_OVERLAP', 86400, minOverlap, 90 * 86400);
  return {
    issuer: issuer === '' ? 'http://localhost:3000' : issuer,
    audience: audience === '' ? 'http://localhost:3000/api' : audience,
    algorithm,
    accessTokenTtlSeconds,
    refreshTokenIdleSeconds,
    refreshTokenMaxAgeSeconds,
    clockToleranceSeconds,
    keyOverlapSeconds,
    keySetCooldownSeconds: wholeNumber(env, 'JWT_KEY_SET_COOLDOWN', 30, 1, 3600),
    keySetMaxAgeSeconds: wholeNumber(env, 'JWT_KEY_SET_MAX_AGE', 300, 10, 86400),
    loginAttemptLimit: wholeNumber(env, 'AUTH_LOGIN_ATTEMPT_LIMIT', 10, 1, 10000, 'attempts'),
    loginAttemptWindowSeconds: wholeNumber(env, 'AUTH_LOGIN_ATTEMPT_WINDOW', 900, 1, 86400),
  };
}
