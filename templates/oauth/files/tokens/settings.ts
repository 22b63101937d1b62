import { ConfigError, type Env } from '../../../kernel/config.js';
import { isSafeUrl } from './issuer.js';

/**
 * Settings every OAuth boundary's token check shares, from the environment.
 * Numbers (skew, cache periods) are read with the kernel's bounded reader
 * against the policy of the variant; these are the rest.
 */

/** Asymmetric algorithms only: an HMAC-signed access token would mean this API holds the issuer's signing secret. */
export const SIGNING_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
const DEFAULT_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'];

export function readAlgorithms(env: Env, name: string): string[] {
  const raw = env[name]?.trim() ?? '';
  if (raw === '') return DEFAULT_ALGORITHMS;
  const chosen = [...new Set(raw.split(',').map((item) => item.trim()).filter(Boolean))];
  const refused = chosen.filter((alg) => !(SIGNING_ALGORITHMS as readonly string[]).includes(alg));
  if (chosen.length === 0 || refused.length > 0) {
    throw new ConfigError(`${name} must list JWS algorithms from ${SIGNING_ALGORITHMS.join(', ')}, comma-separated; ${refused.length > 0 ? `not ${refused.join(', ')}` : 'got none'}.`);
  }
  return chosen;
}

/** An issuer URL: https (http only on 127.0.0.1 or localhost), kept exactly as written, since tokens are compared with it character for character. */
export function readIssuer(env: Env, name: string): string {
  const value = env[name]?.trim() ?? '';
  if (value === '') throw new ConfigError(`${name} is not set: the issuer whose access tokens this API accepts, exactly as its discovery document names it (e.g. https://login.example.com/).`);
  if (!isSafeUrl(value)) throw new ConfigError(`${name} must be an https URL (http only on 127.0.0.1 or localhost); got "${value}".`);
  if (env.NODE_ENV === 'production' && !value.startsWith('https:')) throw new ConfigError(`${name} must use https when NODE_ENV=production; got "${value}".`);
  return value;
}

/** This API's identifier at the issuer: the `aud` its tokens must carry. */
export function readAudience(env: Env, name: string): string {
  const value = env[name]?.trim() ?? '';
  if (value === '') throw new ConfigError(`${name} is not set: this API's identifier at the issuer, the "aud" its access tokens carry (e.g. https://api.example.com).`);
  if (!/^[\x21-\x7e]{1,512}$/.test(value)) throw new ConfigError(`${name} must be 1 to 512 printable characters without spaces; got "${value}".`);
  return value;
}

/** The origin clients address this API at, for DPoP proofs (`htu`); null when unset. */
export function readPublicOrigin(env: Env, name: string): string | null {
  const value = env[name]?.trim() ?? '';
  if (value === '') return null;
  let origin: string | null;
  try {
    origin = new URL(value).origin;
  } catch {
    origin = null;
  }
  if (origin === null || origin === 'null' || origin !== value.replace(/\/$/, '')) {
    throw new ConfigError(`${name} must be an origin such as https://api.example.com (scheme, host and port only); got "${value}".`);
  }
  return origin;
}

/** The realm of the `WWW-Authenticate` challenge. */
export function readRealm(env: Env, name: string): string {
  const value = env[name]?.trim() || 'api';
  if (!/^[\x20-\x7e]+$/.test(value) || value.includes('"') || value.includes('\\')) throw new ConfigError(`${name} must be printable ASCII without quotes or backslashes.`);
  return value;
}

/** A secret from the environment, required. */
export function readRequired(env: Env, name: string, what: string): string {
  const value = env[name] ?? '';
  if (value.trim() === '') throw new ConfigError(`${name} is not set: ${what}.`);
  return value;
}
