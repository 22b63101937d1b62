/**
 * The operating defaults of POLICY in words, for the decision record and
 * `explain`. Every number stated here is read from the table, so the record
 * can only promise what the generated code enforces; the practices beside
 * the numbers name no figures of their own.
 */
import { DAY, HOUR, MINUTE, POLICY, policyOf, type Setting } from './policy.js';
import type { MethodId, TokenFormat, Variant } from './types.js';

/** One row of a defaults table: a setting, its default and the range the code accepts. */
export interface DefaultRow {
  /** The POLICY key, e.g. `accessToken`; stable, for tests and tools. */
  key: string;
  label: string;
  value: string;
  /** `min to max`, or null for a fixed value. */
  range: string | null;
}

const plural = (count: number, unit: string) => `${count} ${unit}${count === 1 ? '' : 's'}`;

/** Seconds in the largest whole unit: `90 days`, `12 hours`, `5 minutes`, `30 seconds`. */
export function formatDuration(seconds: number): string {
  if (seconds !== 0 && seconds % DAY === 0) return plural(seconds / DAY, 'day');
  if (seconds !== 0 && seconds % HOUR === 0) return plural(seconds / HOUR, 'hour');
  if (seconds !== 0 && seconds % MINUTE === 0) return plural(seconds / MINUTE, 'minute');
  return plural(seconds, 'second');
}

const LABELS: Record<string, string> = {
  keyLifetime: 'Key lifetime',
  rotationOverlap: 'Rotation overlap',
  maxActiveKeysPerOwner: 'Active keys per owner',
  lastUsedResolution: 'Last-use timestamp resolution',
  idleTimeout: 'Idle timeout',
  absoluteLifetime: 'Absolute lifetime',
  authorizationCode: 'Authorization-code lifetime',
  deviceCode: 'Device-code lifetime',
  pollingInterval: 'Polling interval',
  accessToken: 'Access-token lifetime',
  refreshTokenIdle: 'Refresh token ends unused after',
  refreshTokenAbsolute: 'Refresh token ends at the latest after',
  clockSkew: 'Clock-skew leeway',
  introspectionCache: 'Introspection answers cached for',
  revocationCheckCache: 'Grant re-checked for JWT access tokens every',
  signingKeyRotation: 'Signing-key rotation',
  jwksCacheMaxAge: 'Provider key set cached for',
  jwksCooldown: 'Least time between key-set fetches',
  proofWindow: 'DPoP proof window',
};

const isSetting = (value: unknown): value is Setting =>
  typeof value === 'object' && value !== null && 'default' in value && 'min' in value && 'max' in value;

function row(key: string, value: Setting | number): DefaultRow {
  const label = LABELS[key] ?? key;
  if (!isSetting(value)) {
    return { key, label, value: key === 'lastUsedResolution' ? formatDuration(value) : String(value), range: null };
  }
  return { key, label, value: formatDuration(value.default), range: `${formatDuration(value.min)} to ${formatDuration(value.max)}` };
}

/** Settings that do not apply to this access-token format (or need none of the other format's machinery). */
function skipped(method: MethodId, variant: Variant, tokenFormat: TokenFormat | null): Set<string> {
  const skip = new Set<string>();
  if (method !== 'oauth') return skip;
  // The device flow has its own code; the authorization code applies to the redirect flow only.
  if (variant === 'device-code') skip.add('authorizationCode');
  // Without a chosen format (explaining the method in general) every setting applies.
  if (tokenFormat === null) return skip;
  skip.add(tokenFormat === 'jwt' ? 'introspectionCache' : 'revocationCheckCache');
  if (variant === 'resource-server' && tokenFormat === 'opaque') {
    skip.add('jwksCacheMaxAge');
    skip.add('jwksCooldown');
  }
  return skip;
}

/** Whether the code of this method and variant verifies DPoP proofs itself (the authorization server has its own). */
const checksDpop = (method: MethodId, variant: Variant) => method === 'jwt' || variant === 'resource-server';

/** The defaults table of one method and variant, in POLICY's own order. */
export function defaultRows(method: MethodId, variant: Variant, tokenFormat: TokenFormat | null): DefaultRow[] {
  const policy = policyOf(method, variant as never) as unknown as Record<string, Setting | number>;
  const skip = skipped(method, variant, tokenFormat);
  const rows = Object.entries(policy)
    .filter(([key]) => !skip.has(key))
    .map(([key, value]) => row(key, value));
  if (checksDpop(method, variant)) rows.push(row('proofWindow', POLICY.dpop.proofWindow));
  return rows;
}

/** The failed-credential throttle, one sentence; it applies at every endpoint that checks a secret. */
export function throttleSentence(): string {
  const t = POLICY.throttle;
  return (
    `Every endpoint that checks a password, key or client secret allows ${t.freeFailures} failures per account and source ` +
    `within ${formatDuration(t.window)}, then answers 429 with a back-off that starts at ${formatDuration(t.baseDelay)} ` +
    `and doubles up to ${formatDuration(t.maxDelay)}; ${t.sourceFailures} failures from one source across accounts ` +
    `within ${formatDuration(t.window)} also get 429. Failures at one source never lock the account out at another.`
  );
}

/** How credentials are renewed and taken away, per method and variant; the figures are in the defaults table. */
export function practices(method: MethodId, variant: Variant, tokenFormat: TokenFormat | null): { rotation: string; revocation: string } {
  switch (method) {
    case 'api-key':
      return {
        rotation: 'Rotating a key issues its successor; the old key keeps working for the rotation overlap, then stops.',
        revocation: 'A revoked or expired key fails on its next request; a leaked key is revoked at once, without waiting for the overlap.',
      };
    case 'session':
      return {
        rotation:
          variant === 'cookie'
            ? 'The session id is replaced at sign-in, and an id the server did not issue is never adopted.'
            : 'Every sign-in issues a new token, and no token outlives the absolute lifetime.',
        revocation: 'Sign-out deletes the server record; signing out everywhere, a password change or a disabled account ends every session of that person.',
      };
    case 'jwt':
      return {
        rotation:
          'Refresh tokens rotate on every use, and reusing a rotated one revokes its whole family; after a signing-key rotation the old public key stays published for one access-token lifetime plus the leeway.',
        revocation:
          variant === 'login-endpoint'
            ? "Sign-out, a password change or a disabled account revokes the refresh tokens and raises the person's token version, so access tokens issued before are refused."
            : 'Sign-out revokes the refresh tokens at the token service; an access token already issued stays valid until it expires, which is why its lifetime is short.',
      };
    case 'oauth':
      if (variant === 'resource-server') {
        return {
          rotation: "The provider rotates its signing keys; the API fetches the provider's key set again when a token names an unknown key.",
          revocation:
            tokenFormat === 'opaque'
              ? "Revocation happens at the provider; the API asks the provider about each token (introspection) and trusts an answer only for the cache time above."
              : "Revocation happens at the provider; a revoked grant's JWT access tokens stay valid until they expire, so keep their lifetime at the provider short.",
        };
      }
      return {
        rotation:
          variant === 'client-credentials'
            ? 'A client replaces its secret through its registration; access tokens are short-lived and simply requested again.'
            : 'Refresh tokens rotate on every use, and reusing a rotated one revokes the grant; signing keys are published with key ids, so resource servers pick up a new key without a deploy.',
        revocation:
          tokenFormat === 'opaque'
            ? 'Withdrawing a grant or disabling a client revokes its tokens; the API checks each token with the server and trusts an answer only for the introspection cache time.'
            : "Withdrawing a grant or disabling a client revokes its refresh tokens; the API re-checks a JWT access token's grant within the re-check interval.",
      };
  }
}
