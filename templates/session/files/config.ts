import { ConfigError, describeDuration, readOrigins, readSeconds, type Env } from '../../kernel/config.js';
import type { Policy } from '../../policy.js';

export type SessionVariant = 'cookie' | 'token';
export const SESSION_VARIANTS: readonly SessionVariant[] = ['cookie', 'token'];

/** How long one kind of session lives, in seconds. */
export interface Lifetimes {
  /** Ended this long after its last request. */
  idleTimeout: number;
  /** Ended this long after sign-in, however active. */
  absoluteLifetime: number;
}

export interface SessionConfig {
  lifetimes: Record<SessionVariant, Lifetimes>;
  /** Origins allowed to post the sign-in form (AUTH_TRUSTED_ORIGINS, the kernel's setting for every cookie check). */
  trustedOrigins: string[];
}

/** The environment variables of one variant's lifetimes, e.g. `SESSION_COOKIE_IDLE_TIMEOUT_SECONDS`. */
export const lifetimeVariables = (variant: SessionVariant) => ({
  idleTimeout: `SESSION_${variant.toUpperCase()}_IDLE_TIMEOUT_SECONDS`,
  absoluteLifetime: `SESSION_${variant.toUpperCase()}_ABSOLUTE_LIFETIME_SECONDS`,
});

/**
 * Session settings from the environment. Each variant's idle timeout and
 * absolute lifetime default to the policy table's values (what the decision
 * record promises) and are bounded by its range; only the variants in use are
 * read. An idle timeout longer than the absolute lifetime would never apply,
 * so it is refused.
 */
export function readSessionConfig(env: Env, policy: Policy['session'], variants: readonly string[]): SessionConfig {
  const lifetimes = {} as Record<SessionVariant, Lifetimes>;
  for (const variant of SESSION_VARIANTS) {
    const names = lifetimeVariables(variant);
    const used = variants.includes(variant);
    const idleTimeout = used ? readSeconds(env, names.idleTimeout, policy[variant].idleTimeout) : policy[variant].idleTimeout.default;
    const absoluteLifetime = used ? readSeconds(env, names.absoluteLifetime, policy[variant].absoluteLifetime) : policy[variant].absoluteLifetime.default;
    if (idleTimeout > absoluteLifetime) {
      throw new ConfigError(
        `${names.idleTimeout} (${describeDuration(idleTimeout)}) is longer than ${names.absoluteLifetime} (${describeDuration(absoluteLifetime)}); an idle timeout must not exceed the absolute lifetime.`,
      );
    }
    lifetimes[variant] = { idleTimeout, absoluteLifetime };
  }
  return { lifetimes, trustedOrigins: readOrigins(env, 'AUTH_TRUSTED_ORIGINS') };
}
