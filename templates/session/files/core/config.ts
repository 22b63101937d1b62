// Configuration of the session module, read once at the edge (demo server, CLI) and passed in.
export interface SessionAuthConfig {
  /** `__Host-` makes browsers refuse the cookie unless it is Secure, has Path=/ and no Domain. */
  cookieName: string;
  /** A session unused for this long ends. */
  idleTimeoutSeconds: number;
  /** No session outlives this, however active it is. */
  absoluteTimeoutSeconds: number;
  /** Lifetime of the anonymous pre-session that carries the login form's CSRF token. */
  preSessionTimeoutSeconds: number;
  /**
   * The last-seen time is written at most this often. Idle expiry is computed from the stored value,
   * so a session can end up to this much earlier than the idle timeout, never later.
   */
  touchIntervalSeconds: number;
  /**
   * Origins allowed to send state-changing requests (e.g. `https://app.example.com`). Empty: the
   * request's own `Host` header is the only accepted origin host.
   */
  trustedOrigins: string[];
  /** Failed logins per account within the window before the account answers 429. */
  loginFailureLimit: number;
  loginFailureWindowSeconds: number;
  /** Where a browser lands after signing in through the form. */
  afterLoginPath: string;
}

export class AuthConfigError extends Error {
  override name = 'AuthConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

export const defaultSessionConfig: SessionAuthConfig = {
  cookieName: '__Host-sid',
  idleTimeoutSeconds: 30 * 60,
  absoluteTimeoutSeconds: 8 * 60 * 60,
  preSessionTimeoutSeconds: 15 * 60,
  touchIntervalSeconds: 60,
  trustedOrigins: [],
  loginFailureLimit: 5,
  loginFailureWindowSeconds: 15 * 60,
  afterLoginPath: '/profile',
};

function wholeNumber(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new AuthConfigError(`${name} must be a whole number, got "${raw}".`);
  const value = Number(raw);
  if (value < min || value > max) {
    throw new AuthConfigError(`${name} must be between ${min} and ${max}, got ${value}.`);
  }
  return value;
}

function parseOrigins(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '') return [];
  return raw.split(',').map((entry) => {
    const trimmed = entry.trim();
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      throw new AuthConfigError(`SESSION_TRUSTED_ORIGINS: "${trimmed}" is not an origin like https://app.example.com.`);
    }
    if (url.origin !== trimmed.replace(/\/$/, '')) {
      throw new AuthConfigError(`SESSION_TRUSTED_ORIGINS: "${trimmed}" must be an origin only (scheme, host, port).`);
    }
    return url.origin;
  });
}

/** Checks a configuration assembled in code (e.g. in tests) the same way the environment is checked. */
export function validateSessionConfig(config: SessionAuthConfig): SessionAuthConfig {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(config.cookieName)) {
    throw new AuthConfigError(`Cookie name "${config.cookieName}" contains characters a cookie name cannot have.`);
  }
  if (config.idleTimeoutSeconds > config.absoluteTimeoutSeconds) {
    throw new AuthConfigError('The idle timeout cannot be longer than the absolute timeout.');
  }
  if (config.touchIntervalSeconds * 2 > config.idleTimeoutSeconds) {
    throw new AuthConfigError('The touch interval must be at most half the idle timeout.');
  }
  if (!config.afterLoginPath.startsWith('/') || config.afterLoginPath.startsWith('//')) {
    throw new AuthConfigError('afterLoginPath must be a path on this site, such as /profile.');
  }
  return config;
}

export function loadSessionConfig(env: Env = process.env): SessionAuthConfig {
  return validateSessionConfig({
    cookieName: env.SESSION_COOKIE_NAME || defaultSessionConfig.cookieName,
    idleTimeoutSeconds: wholeNumber(env, 'SESSION_IDLE_TIMEOUT_SECONDS', defaultSessionConfig.idleTimeoutSeconds, 120, 7 * 24 * 3600),
    absoluteTimeoutSeconds: wholeNumber(
      env,
      'SESSION_ABSOLUTE_TIMEOUT_SECONDS',
      defaultSessionConfig.absoluteTimeoutSeconds,
      60,
      30 * 24 * 3600,
    ),
    preSessionTimeoutSeconds: defaultSessionConfig.preSessionTimeoutSeconds,
    touchIntervalSeconds: defaultSessionConfig.touchIntervalSeconds,
    trustedOrigins: parseOrigins(env.SESSION_TRUSTED_ORIGINS),
    loginFailureLimit: wholeNumber(env, 'SESSION_LOGIN_FAILURE_LIMIT', defaultSessionConfig.loginFailureLimit, 1, 1000),
    loginFailureWindowSeconds: defaultSessionConfig.loginFailureWindowSeconds,
    afterLoginPath: defaultSessionConfig.afterLoginPath,
  });
}
