import { readSeconds, readSecret, ConfigError, type Env } from '../../kernel/config.js';
import type { Policy } from '../../policy.js';
import { assertValidPrefix } from './keys.js';

export interface ApiKeyConfig {
  pepper: string;
  prefix: string;
  realm: string;
  /** Seconds a new key lives unless told otherwise. */
  keyLifetime: number;
  /** Seconds the old key keeps working after a rotation. */
  rotationOverlap: number;
}

export const MIN_PEPPER_LENGTH = 32;

const PEPPER_HINT = 'Generate one with: node -e "console.log(require(\'node:crypto\').randomBytes(32).toString(\'base64url\'))"';

/**
 * API key settings from the environment. A missing pepper is always refused:
 * keys hashed without the real one would stop working once it is set. A short
 * pepper is refused in production and only warned about elsewhere.
 */
export function readApiKeyConfig(env: Env, policy: Policy['api-key']['application'], warnings: string[]): ApiKeyConfig {
  const pepper = readSecret(env, 'API_KEY_PEPPER', { minLength: MIN_PEPPER_LENGTH, hint: PEPPER_HINT }, warnings);
  const prefix = env.API_KEY_PREFIX?.trim() || 'ak_live';
  try {
    assertValidPrefix(prefix);
  } catch (error) {
    throw new ConfigError(`API_KEY_PREFIX: ${error instanceof Error ? error.message : String(error)}`);
  }
  const realm = env.API_KEY_REALM?.trim() || 'api';
  if (!/^[\x20-\x7e]+$/.test(realm) || realm.includes('"') || realm.includes('\\')) {
    throw new ConfigError('API_KEY_REALM must be printable ASCII without quotes or backslashes.');
  }
  return {
    pepper,
    prefix,
    realm,
    keyLifetime: readSeconds(env, 'API_KEY_LIFETIME_SECONDS', policy.keyLifetime),
    rotationOverlap: readSeconds(env, 'API_KEY_ROTATION_OVERLAP_SECONDS', policy.rotationOverlap),
  };
}
