/**
 * Settings of the client side, read from the environment at the edge (the
 * demo and the CLI) and passed in everywhere else.
 */

/** Where the demo mounts its practice authorization server (OAUTH_PRACTICE_PROVIDER=1). */
export const PRACTICE_PATH = '/practice-provider';
/** The demo app's client id at the practice authorization server. */
export const PRACTICE_CLIENT_ID = 'practice-app';

export interface ProviderSettings {
  /** The other provider's issuer URL; its discovery document must name exactly this issuer. */
  issuer: string;
  clientId: string;
  /** Null in practice mode: the demo makes one up for its own practice server at start-up. */
  clientSecret: string | null;
}

export interface ClientConfig {
  /** Public origin of this app; the redirect URI is `<appUrl>/callback`. */
  appUrl: string;
  redirectUri: string;
  provider: ProviderSettings;
  /** The demo serves a practice authorization server under PRACTICE_PATH and connects to it. */
  practiceProvider: boolean;
  scope: string;
  port: number;
  production: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]'];

/** True for https, and for plain http on loopback, where nothing can sit on the wire. */
export const isLoopbackHttp = (url: URL): boolean => url.protocol === 'http:' && LOOPBACK.includes(url.hostname);

function checkedUrl(name: string, value: string, production: boolean): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be an absolute URL; got "${value}".`);
  }
  if (url.protocol !== 'https:' && !isLoopbackHttp(url)) {
    throw new ConfigError(`${name} must use https (http is allowed on 127.0.0.1 only); got "${value}".`);
  }
  if (production && url.protocol !== 'https:') throw new ConfigError(`${name} must use https in production; got "${value}".`);
  return url;
}

export function loadClientConfig(env: NodeJS.ProcessEnv = process.env): ClientConfig {
  const production = env.NODE_ENV === 'production';
  const port = env.PORT ? Number.parseInt(env.PORT, 10) : 3000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a port number; got "${env.PORT}".`);

  if (production && !env.OAUTH_APP_URL) throw new ConfigError('Set OAUTH_APP_URL (https) in production; the local default only suits the demo.');
  const app = checkedUrl('OAUTH_APP_URL', env.OAUTH_APP_URL || `http://127.0.0.1:${port}`, production);
  const appUrl = app.origin;

  const practiceProvider = env.OAUTH_PRACTICE_PROVIDER === '1';
  if (practiceProvider && production) throw new ConfigError('OAUTH_PRACTICE_PROVIDER is for the local demo only; unset it in production.');
  let provider: ProviderSettings;
  if (practiceProvider) {
    provider = { issuer: `${appUrl}${PRACTICE_PATH}`, clientId: PRACTICE_CLIENT_ID, clientSecret: null };
  } else {
    const missing = ['OAUTH_PROVIDER_ISSUER', 'OAUTH_CLIENT_ID', 'OAUTH_CLIENT_SECRET'].filter((name) => !env[name]);
    if (missing.length > 0) {
      throw new ConfigError(`Set ${missing.join(', ')} (the provider and this app's registration there), or OAUTH_PRACTICE_PROVIDER=1 for the local demo.`);
    }
    // NOTE: kept exactly as given: openid-client compares it with the discovery document's issuer, character for character.
    const issuer = env.OAUTH_PROVIDER_ISSUER!;
    checkedUrl('OAUTH_PROVIDER_ISSUER', issuer, production);
    provider = { issuer, clientId: env.OAUTH_CLIENT_ID!, clientSecret: env.OAUTH_CLIENT_SECRET! };
  }

  const scope = (env.OAUTH_SCOPE || 'openid read').trim().split(/\s+/).join(' ');
  if (!scope.split(' ').includes('openid')) {
    throw new ConfigError(`OAUTH_SCOPE must include openid: the ID token is what proves who connected; got "${scope}".`);
  }
  return { appUrl, redirectUri: `${appUrl}/callback`, provider, practiceProvider, scope, port, production };
}
