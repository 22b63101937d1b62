import { createHash } from 'node:crypto';
import type { Clock } from '../../../kernel/clock.js';
import { fetchJson, IssuerUnavailableError, type IssuerClient } from './issuer.js';
import { TtlCache } from './ttl-cache.js';

/** What an RFC 7662 introspection endpoint said about a token. */
export type Introspection = { active: false } | ({ active: true } & Record<string, unknown>);

/** This API's own client at the issuer: introspection needs it (RFC 7662 §2.1). */
export interface IntrospectionCredentials {
  clientId: string;
  clientSecret: string;
}

export interface Introspector {
  /** The issuer's answer, from the cache while it is fresh. */
  introspect(token: string): Promise<Introspection>;
  /** Calls to the issuer so far (for tests and operators). */
  readonly calls: () => number;
}

/** Entries kept at most; beyond that the oldest goes (TtlCache). */
const CACHE_ENTRIES = 10_000;

const digest = (token: string): string => createHash('sha256').update(token).digest('base64url');
/** RFC 6749 §2.3.1: id and secret are form-encoded before Basic encoding. */
const formEncoded = (value: string): string => encodeURIComponent(value).replace(/%20/g, '+');

/**
 * Asks the issuer about a token, and remembers the answer for `cacheSeconds`
 * (0: never): an active answer never past the token's own `exp`, an inactive
 * one never past the cache period. So a token revoked at the issuer stops
 * working here within `cacheSeconds`, and repeated requests with one token
 * cost one call per period. Answers are keyed by a hash of the token: the
 * cache holds no usable token.
 */
export function createIntrospector(options: { issuer: IssuerClient; credentials: IntrospectionCredentials; clock: Clock; cacheSeconds: number }): Introspector {
  const { clock } = options;
  const cache = new TtlCache<Introspection>(CACHE_ENTRIES);
  // Concurrent requests with one token share one call.
  const pending = new Map<string, Promise<Introspection>>();
  const basic = `Basic ${Buffer.from(`${formEncoded(options.credentials.clientId)}:${formEncoded(options.credentials.clientSecret)}`).toString('base64')}`;
  let calls = 0;

  async function ask(token: string): Promise<Introspection> {
    const { introspection_endpoint: endpoint } = await options.issuer.metadata();
    if (endpoint === undefined) throw new IssuerUnavailableError(`${options.issuer.issuer} publishes no introspection_endpoint`);
    calls += 1;
    const { status, body } = await fetchJson(endpoint, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
    });
    // A 401 here means this API's own credentials are wrong: an operator's problem, not the caller's.
    if (status !== 200 || typeof body.active !== 'boolean') throw new IssuerUnavailableError(`${endpoint}: ${status}${typeof body.error === 'string' ? ` ${body.error}` : ''}`);
    return body.active ? { ...body, active: true } : { active: false };
  }

  return {
    calls: () => calls,
    async introspect(token) {
      const key = digest(token);
      const now = clock.now().getTime();
      const cached = cache.get(key, now);
      if (cached !== undefined) return cached;
      let asking = pending.get(key);
      if (asking === undefined) {
        asking = ask(token)
          .then((answer) => {
            if (options.cacheSeconds > 0) {
              const periodEnd = now + options.cacheSeconds * 1000;
              const exp = answer.active && typeof answer.exp === 'number' ? answer.exp * 1000 : Number.POSITIVE_INFINITY;
              cache.set(key, answer, Math.min(periodEnd, exp), clock.now().getTime());
            }
            return answer;
          })
          .finally(() => pending.delete(key));
        pending.set(key, asking);
      }
      return asking;
    },
  };
}
