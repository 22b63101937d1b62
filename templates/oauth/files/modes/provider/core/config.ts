/**
 * Settings of the OAuth code, read from the environment at the edge (the demo
 * and the CLI) and passed in everywhere else.
 */

/** Scopes of this API. A client is granted only scopes listed here (and allowed for it at registration). */
export const API_SCOPES = ['read', 'write', 'admin'] as const;

/** Where the authorization server is mounted on the demo server. */
export const ISSUER_PATH = '/oauth';

export type AccessTokenFormat = 'jwt' | 'opaque';

export interface OAuthConfig {
  /** The authorization server's issuer URL; its path is where it is mounted. */
  issuer: string;
  /** Resource indicator of this API: the `aud` of its access tokens. */
  audience: string;
  /** Secrets that sign the authorization server's cookies; the first signs, all verify. */
  cookieKeys: string[];
  accessTokenFormat: AccessTokenFormat;
  port: number;
  production: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): OAuthConfig {
  const production = env.NODE_ENV === 'production';
  const port = env.PORT ? Number.parseInt(env.PORT, 10) : 3000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a port number; got "${env.PORT}".`);

  const local = `http://127.0.0.1:${port}`;
  if (production && (!env.OAUTH_ISSUER || !env.OAUTH_API_AUDIENCE)) {
    throw new ConfigError('Set OAUTH_ISSUER and OAUTH_API_AUDIENCE in production; the local defaults only suit the demo.');
  }
  const issuer = (env.OAUTH_ISSUER || `${local}${ISSUER_PATH}`).replace(/\/+$/, '');
  const audience = env.OAUTH_API_AUDIENCE || local;
  for (const [name, value] of [['OAUTH_ISSUER', issuer], ['OAUTH_API_AUDIENCE', audience]] as const) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new ConfigError(`${name} must be an absolute URL; got "${value}".`);
    }
    // NOTE: plain http is only acceptable on loopback, where nothing can sit on the wire.
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname))) {
      throw new ConfigError(`${name} must use https (http is allowed on 127.0.0.1 only); got "${value}".`);
    }
    if (production && url.protocol !== 'https:') throw new ConfigError(`${name} must use https in production; got "${value}".`);
  }

  const cookieKeys = (env.OAUTH_COOKIE_KEYS ?? '').split(',').map((key) => key.trim()).filter(Boolean);
  if (cookieKeys.length === 0) throw new ConfigError('Set OAUTH_COOKIE_KEYS: one or more comma-separated secrets of 32+ characters.');
  if (cookieKeys.some((key) => key.length < 32)) throw new ConfigError('Every OAUTH_COOKIE_KEYS secret must be at least 32 characters long.');

  const format = env.OAUTH_ACCESS_TOKEN_FORMAT || 'jwt';
  if (format !== 'jwt' && format !== 'opaque') throw new ConfigError(`OAUTH_ACCESS_TOKEN_FORMAT must be jwt or opaque; got "${format}".`);

  return { issuer, audience, cookieKeys, accessTokenFormat: format, port, production };
}
