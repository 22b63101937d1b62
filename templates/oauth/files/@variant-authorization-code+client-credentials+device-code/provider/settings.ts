import { ConfigError, readChoice, readSeconds, readWhole, type Env } from '../../../kernel/config.js';
import type { Policy } from '../../../policy.js';
import { PLANNED_TOKEN_FORMAT } from './token-format.js';

/** The variants this authorization server serves: how a client obtains its tokens. */
export const PROVIDER_VARIANTS = ['authorization-code', 'client-credentials', 'device-code'] as const;
export type ProviderVariant = (typeof PROVIDER_VARIANTS)[number];
export const isProviderVariant = (variant: string): variant is ProviderVariant => (PROVIDER_VARIANTS as readonly string[]).includes(variant);

export const TOKEN_FORMATS = ['jwt', 'opaque'] as const;
export type TokenFormat = (typeof TOKEN_FORMATS)[number];

/** Scopes oidc-provider manages itself; an API scope may not take their names. */
const RESERVED_SCOPES = new Set(['openid', 'offline_access']);
const SCOPE = /^[a-z][a-z0-9:._-]{0,63}$/;
const MIN_COOKIE_KEY_LENGTH = 32;

/** Seconds, each from the policy table and bounded by it. */
export interface ProviderLifetimes {
  authorizationCode: number;
  /** Access tokens of people (authorization code and device flows). */
  accessToken: number;
  /** Access tokens of services (client credentials). */
  serviceToken: number;
  /** A refresh token ends after this long unused; each use replaces it. */
  refreshIdle: number;
  /** No refresh token outlives its grant: the grant ends this long after consent. */
  refreshAbsolute: number;
  deviceCode: number;
  /** Least seconds between two polls of a device; faster polls get `slow_down`. */
  pollingInterval: number;
  clockSkew: number;
  /** A new signing key is made when the newest is this old (checked at start-up and by `keys rotate`). */
  keyRotation: number;
}

export interface ProviderSettings {
  variants: ProviderVariant[];
  /** The issuer URL; its path is where the server is mounted (e.g. `/oauth`). */
  issuer: string;
  mountPath: string;
  /** This API's identifier: the `aud` of the access tokens the server issues. */
  audience: string;
  /** Scopes of this API a client may be granted (openid and offline_access come on top). */
  scopes: string[];
  /** Secrets that sign the server's cookies; the first signs, all verify. */
  cookieKeys: string[];
  tokenFormat: TokenFormat;
  lifetimes: ProviderLifetimes;
  production: boolean;
}

const COOKIE_HINT = 'Generate one with: node -e "console.log(require(\'node:crypto\').randomBytes(32).toString(\'base64url\'))"';

function readUrl(env: Env, name: string, fallback: string, production: boolean): string {
  const raw = env[name]?.trim() ?? '';
  if (raw === '' && production) throw new ConfigError(`${name} is not set. In production it must name this server's public https URL.`);
  const value = (raw || fallback).replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be an absolute URL such as https://auth.example.com/oauth; got "${raw}".`);
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new ConfigError(`${name} must be a plain URL without query, fragment or credentials; got "${raw}".`);
  }
  // NOTE: plain http only on loopback, where nothing sits on the wire; production needs https.
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback && !production)) {
    throw new ConfigError(`${name} must use https${production ? '' : ' (http is accepted on 127.0.0.1 outside production)'}; got "${value}".`);
  }
  return value;
}

function readCookieKeys(env: Env, production: boolean, warnings: string[]): string[] {
  const keys = (env.OAUTH_SERVER_COOKIE_KEYS ?? '').split(',').map((key) => key.trim()).filter((key) => key !== '');
  if (keys.length === 0) throw new ConfigError(`OAUTH_SERVER_COOKIE_KEYS is not set: one or more comma-separated secrets of ${MIN_COOKIE_KEY_LENGTH}+ characters. ${COOKIE_HINT}`);
  const short = keys.filter((key) => key.length < MIN_COOKIE_KEY_LENGTH).length;
  if (short > 0) {
    const problem = `${short} of the OAUTH_SERVER_COOKIE_KEYS secrets ${short === 1 ? 'is' : 'are'} shorter than ${MIN_COOKIE_KEY_LENGTH} characters.`;
    if (production) throw new ConfigError(`${problem} ${COOKIE_HINT}`);
    warnings.push(`${problem} Accepted because NODE_ENV is not "production". ${COOKIE_HINT}`);
  }
  return keys;
}

function readScopes(env: Env): string[] {
  const raw = env.OAUTH_SERVER_SCOPES?.trim() || 'read write admin';
  const scopes = [...new Set(raw.split(/[\s,]+/).filter((scope) => scope !== ''))];
  for (const scope of scopes) {
    if (!SCOPE.test(scope)) throw new ConfigError(`OAUTH_SERVER_SCOPES: "${scope}" is not a scope; use lowercase words such as read or orders:write.`);
    if (RESERVED_SCOPES.has(scope)) throw new ConfigError(`OAUTH_SERVER_SCOPES: "${scope}" is managed by the authorization server itself; leave it out.`);
  }
  return scopes;
}

/**
 * The authorization server's settings from the environment. Every lifetime
 * has the policy table's default and range (../../../policy.ts); a value
 * outside it stops the start, naming the variable and the range.
 */
export function readProviderSettings(env: Env, policy: Policy['oauth'], variants: readonly string[], warnings: string[]): ProviderSettings {
  const served = PROVIDER_VARIANTS.filter((variant) => variants.includes(variant));
  if (served.length === 0) throw new ConfigError('The authorization server was started without any of its variants.');
  const production = env.NODE_ENV === 'production';
  const port = readWhole(env, 'PORT', { default: 3000, min: 0, max: 65_535 });
  const issuer = readUrl(env, 'OAUTH_SERVER_ISSUER', `http://127.0.0.1:${port}/oauth`, production);
  const audience = readUrl(env, 'OAUTH_SERVER_AUDIENCE', `http://127.0.0.1:${port}`, production);
  const mountPath = new URL(issuer).pathname.replace(/\/+$/, '');
  if (mountPath === '') throw new ConfigError(`OAUTH_SERVER_ISSUER needs a path of its own (e.g. ${issuer}/oauth): the API's routes live beside it.`);

  // People's tokens follow the authorization-code row (the device-code row has the same values);
  // services' tokens the client-credentials row.
  const people = served.includes('device-code') && !served.includes('authorization-code') ? policy['device-code'] : policy['authorization-code'];
  const services = policy['client-credentials'];
  const device = policy['device-code'];
  const lifetimes: ProviderLifetimes = {
    authorizationCode: readSeconds(env, 'OAUTH_SERVER_AUTHORIZATION_CODE_SECONDS', people.authorizationCode),
    accessToken: readSeconds(env, 'OAUTH_SERVER_ACCESS_TOKEN_SECONDS', people.accessToken),
    serviceToken: readSeconds(env, 'OAUTH_SERVER_ACCESS_TOKEN_SECONDS', services.accessToken),
    refreshIdle: readSeconds(env, 'OAUTH_SERVER_REFRESH_IDLE_SECONDS', people.refreshTokenIdle),
    refreshAbsolute: readSeconds(env, 'OAUTH_SERVER_REFRESH_ABSOLUTE_SECONDS', people.refreshTokenAbsolute),
    deviceCode: readSeconds(env, 'OAUTH_SERVER_DEVICE_CODE_SECONDS', device.deviceCode),
    pollingInterval: readSeconds(env, 'OAUTH_SERVER_DEVICE_POLLING_SECONDS', device.pollingInterval),
    clockSkew: readSeconds(env, 'OAUTH_SERVER_CLOCK_SKEW_SECONDS', people.clockSkew),
    keyRotation: readSeconds(env, 'OAUTH_SERVER_KEY_ROTATION_SECONDS', people.signingKeyRotation),
  };
  if (lifetimes.refreshIdle > lifetimes.refreshAbsolute) {
    throw new ConfigError(
      `OAUTH_SERVER_REFRESH_IDLE_SECONDS (${lifetimes.refreshIdle}) may not exceed OAUTH_SERVER_REFRESH_ABSOLUTE_SECONDS (${lifetimes.refreshAbsolute}): no refresh token outlives its grant.`,
    );
  }
  return {
    variants: served,
    issuer,
    mountPath,
    audience,
    scopes: readScopes(env),
    cookieKeys: readCookieKeys(env, production, warnings),
    tokenFormat: readChoice(env, 'OAUTH_SERVER_TOKEN_FORMAT', TOKEN_FORMATS, PLANNED_TOKEN_FORMAT),
    lifetimes,
    production,
  };
}
