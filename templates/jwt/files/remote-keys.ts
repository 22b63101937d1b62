import { createRemoteJWKSet, errors, type CryptoKey } from 'jose';
import type { KeyResolver } from './access-tokens.js';
import { KID_PATTERN } from './signing-keys.js';

/**
 * The token service's public keys, fetched from its JWKS URL with jose's
 * remote key set: cached for `cacheMaxAge` seconds, and fetched again for an
 * unknown `kid` at most once per `cooldown` seconds, so a flood of made-up
 * kids costs the token service one request per cooldown. Redirects are not
 * followed. A kid not of a thumbprint's shape is refused before anything is
 * fetched.
 */
export function remoteKeys(jwksUrl: string, options: { cacheMaxAge: number; cooldown: number; log: (message: string) => void }): KeyResolver {
  const keySet = createRemoteJWKSet(new URL(jwksUrl), {
    cacheMaxAge: options.cacheMaxAge * 1000,
    cooldownDuration: options.cooldown * 1000,
    timeoutDuration: 5_000,
  });
  return async (header) => {
    if (typeof header.kid !== 'string' || !KID_PATTERN.test(header.kid)) return undefined;
    try {
      return (await keySet(header)) as CryptoKey;
    } catch (error) {
      // No key for this kid is an ordinary refusal; a token service that cannot be reached is worth a log line.
      if (!(error instanceof errors.JWKSNoMatchingKey)) options.log(`jwt: the token service's key set at ${jwksUrl} could not be used: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  };
}
