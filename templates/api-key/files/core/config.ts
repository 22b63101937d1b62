import { assertValidPrefix } from './keys.js';

export interface ApiKeyConfig {
  pepper: string;
  prefix: string;
  realm: string;
  /** Things worth telling the operator; empty in a healthy production setup. */
  warnings: string[];
}

export const MIN_PEPPER_LENGTH = 32;

const PEPPER_HINT =
  'Generate one with: node -e "console.log(require(\'node:crypto\').randomBytes(32).toString(\'base64url\'))"';

/**
 * Reads API key settings from an environment (process.env by default).
 * A missing pepper is always refused: keys hashed without the real one would
 * stop working once it is set. A short pepper is refused in production and
 * only warned about elsewhere.
 */
export function readApiKeyConfig(env: Record<string, string | undefined> = process.env): ApiKeyConfig {
  const warnings: string[] = [];
  const pepper = env.API_KEY_PEPPER ?? '';
  if (pepper === '') throw new Error(`API_KEY_PEPPER is not set. ${PEPPER_HINT}`);
  if (pepper.length < MIN_PEPPER_LENGTH) {
    const problem = `API_KEY_PEPPER is ${pepper.length} characters long; at least ${MIN_PEPPER_LENGTH} are required.`;
    if (env.NODE_ENV === 'production') throw new Error(`${problem} ${PEPPER_HINT}`);
    warnings.push(`${problem} Accepted because NODE_ENV is not "production". ${PEPPER_HINT}`);
  }
  const prefix = env.API_KEY_PREFIX ?? 'ak_live';
  assertValidPrefix(prefix);
  const realm = env.API_KEY_REALM ?? 'api';
  if (!/^[\x20-\x7e]+$/.test(realm) || realm.includes('"') || realm.includes('\\')) {
    throw new Error('API_KEY_REALM must be printable ASCII without quotes or backslashes.');
  }
  return { pepper, prefix, realm, warnings };
}
