import { createHash } from 'node:crypto';
import type { Clock } from './clock.js';
import type { AuthStore } from './store.js';

/** The throttle settings of the policy table (POLICY.throttle); seconds. */
export interface ThrottlePolicy {
  readonly freeFailures: number;
  readonly baseDelay: number;
  readonly maxDelay: number;
  readonly sourceFailures: number;
  readonly window: number;
}

/** One try at a credential: where it came from and, for a login, which account it named. */
export interface Attempt {
  source: string;
  account?: string | null;
}

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfter: number };

export interface Throttle {
  /** Before checking a password: is this account blocked from this source, or this source blocked altogether? */
  check(attempt: Attempt): Promise<ThrottleVerdict>;
  /** After a failure: counts it, and says whether the next try must wait. */
  failed(attempt: Attempt): Promise<ThrottleVerdict>;
  /** After a success: the account's back-off at this source starts over. */
  succeeded(attempt: Attempt): Promise<void>;
}

const digest = (text: string): string => createHash('sha256').update(text).digest('base64url').slice(0, 22);

/**
 * Failed-credential throttling as OWASP's Authentication Cheat Sheet describes
 * it, with the state in the store so it survives a restart and is shared by
 * every instance:
 *
 * - per (account, source): after `freeFailures` failures in the window, each
 *   further failure doubles the wait (from `baseDelay` up to `maxDelay`);
 * - per source, across accounts: more than `sourceFailures` failures in the
 *   window (password spraying, key guessing) block that source until the
 *   window ends.
 *
 * Nothing is counted per account alone: a stranger failing at source A never
 * blocks the account's owner at source B.
 */
export function createThrottle(store: AuthStore, policy: ThrottlePolicy, clock: Clock): Throttle {
  const pairKey = (attempt: Attempt) => `throttle:pair:${digest(`${attempt.account}`)}:${attempt.source}`;
  const sourceKey = (attempt: Attempt) => `throttle:source:${attempt.source}`;
  const blockKind = 'throttle-block';
  const seconds = (until: number, now: number) => Math.max(1, Math.ceil((until - now) / 1000));

  async function sourceVerdict(attempt: Attempt, at: Date, amount: number): Promise<ThrottleVerdict> {
    const { count, resetAt } = await store.hit(sourceKey(attempt), policy.window, at, amount);
    return count > policy.sourceFailures ? { allowed: false, retryAfter: seconds(resetAt.getTime(), at.getTime()) } : { allowed: true };
  }

  async function pairVerdict(attempt: Attempt, at: Date): Promise<ThrottleVerdict> {
    const block = await store.find(blockKind, pairKey(attempt));
    const until = Number(block?.value.until ?? 0);
    return until > at.getTime() ? { allowed: false, retryAfter: seconds(until, at.getTime()) } : { allowed: true };
  }

  const stricter = (a: ThrottleVerdict, b: ThrottleVerdict): ThrottleVerdict =>
    a.allowed ? b : b.allowed ? a : { allowed: false, retryAfter: Math.max(a.retryAfter, b.retryAfter) };

  return {
    async check(attempt) {
      const at = clock.now();
      const bySource = await sourceVerdict(attempt, at, 0);
      return attempt.account ? stricter(bySource, await pairVerdict(attempt, at)) : bySource;
    },

    async failed(attempt) {
      const at = clock.now();
      const bySource = await sourceVerdict(attempt, at, 1);
      if (!attempt.account) return bySource;
      const { count } = await store.hit(pairKey(attempt), policy.window, at, 1);
      const over = count - policy.freeFailures;
      if (over <= 0) return bySource;
      const delay = Math.min(policy.baseDelay * 2 ** (over - 1), policy.maxDelay) * 1000;
      const until = at.getTime() + delay;
      await store.upsert(blockKind, pairKey(attempt), { until }, { expiresAt: new Date(Math.max(until, Date.now() + delay)) });
      return stricter(bySource, { allowed: false, retryAfter: seconds(until, at.getTime()) });
    },

    async succeeded(attempt) {
      if (!attempt.account) return;
      await store.resetCounter(pairKey(attempt));
      await store.destroy(blockKind, pairKey(attempt));
    },
  };
}
