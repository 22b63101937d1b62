import { auditLine, type AuditEntry, type AuditSink } from './audit.js';
import { isPastSunset, retirementHeaders, strategyKey, type AcceptedMethod, type Boundary } from './boundary.js';
import type { Clock } from './clock.js';
import { csrfRefusal } from './csrf.js';
import type { AuthRequest, AuthResponse } from './http.js';
import type { Principal } from './principal.js';
import { problem, type ProblemKind } from './problem.js';
import { authorizationCarrier, schemeOf, type Carrier, type Strategy } from './strategy.js';
import type { Throttle } from './throttle.js';
import type { UsageCounter } from './usage.js';

export type GuardDecision =
  | {
      ok: true;
      principal: Principal;
      /** Headers every reply to this request carries (`Deprecation`/`Sunset` for a retiring method). */
      headers: Record<string, string>;
      /** Call once the reply's status is known: writes the request's audit line. */
      finish(status: number): void;
    }
  | { ok: false; response: AuthResponse };

export interface Guard {
  readonly boundary: Boundary;
  check(request: AuthRequest): Promise<GuardDecision>;
}

export interface GuardOptions {
  boundary: Boundary;
  /** Every strategy of the package, by `method/variant`: another boundary's credential must be recognised to be refused. */
  strategies: ReadonlyMap<string, Strategy>;
  throttle: Throttle;
  audit: AuditSink;
  usage: UsageCounter;
  clock: Clock;
  trustedOrigins: readonly string[];
  log: (message: string) => void;
}

/** Query parameters that carry credentials in the wild; a credential there has leaked into logs and history. */
const CREDENTIAL_PARAMETERS = new Set([
  'api_key', 'apikey', 'api-key', 'key', 'x-api-key', 'token', 'access_token', 'id_token', 'refresh_token', 'auth', 'authorization', 'session', 'sid', 'jwt',
]);

/**
 * The guard of one boundary: which credential the request carries and
 * whether this boundary accepts it. Exactly one credential, exactly one
 * strategy decides, and a failure never falls through to another method:
 *
 * - a credential in the URL, or credentials of two carriers (two Authorization
 *   headers, a header and a session cookie) → 401, refused as ambiguous;
 * - no credential, or one no accepted strategy claims → 401 with
 *   WWW-Authenticate naming every scheme this boundary accepts;
 * - the claiming strategy's failure → 401 (429 once the source has failed too
 *   often: see throttle.ts); a valid credential is never slowed down;
 * - cookie-authenticated unsafe requests pass the CSRF checks, and only they;
 * - a retiring method gets `Deprecation` and `Sunset` until the sunset, 401 after;
 * - one audit line per request, successful uses counted per client and day.
 */
export function createGuard(options: GuardOptions): Guard {
  const { boundary, strategies, clock } = options;
  const strategyOf = (accept: AcceptedMethod): Strategy => {
    const strategy = strategies.get(strategyKey(accept.method, accept.variant));
    if (!strategy) throw new Error(`boundary "${boundary.id}" accepts ${accept.method} (${accept.variant}), which this package has no strategy for`);
    return strategy;
  };
  const accepted = boundary.accepts.map((accept) => ({ accept, strategy: strategyOf(accept) }));
  const cookieNames = new Set([...strategies.values()].flatMap((strategy) => strategy.cookies ?? []));

  function carriersOf(request: AuthRequest): Carrier[] {
    return [
      ...request.authorization.map(authorizationCarrier),
      ...request.cookies.filter((cookie) => cookieNames.has(cookie.name)).map((cookie): Carrier => ({ kind: 'cookie', ...cookie })),
    ];
  }

  function credentialInUrl(request: AuthRequest): boolean {
    const mark = request.url.indexOf('?');
    if (mark === -1) return false;
    for (const [name, value] of new URLSearchParams(request.url.slice(mark + 1))) {
      if (CREDENTIAL_PARAMETERS.has(name.toLowerCase())) return true;
      for (const strategy of strategies.values()) if (value !== '' && strategy.recognises?.(value)) return true;
    }
    return false;
  }

  return {
    boundary,
    async check(request) {
      const at = clock.now();
      const live = accepted.filter(({ accept }) => !isPastSunset(accept, at));
      const challenges = live.map(({ strategy }) => strategy.challenge);
      const schemes = [...new Set(challenges.map(schemeOf))].join(', ');
      const audit = (entry: Omit<AuditEntry, 'boundary' | 'path'>) => options.audit(auditLine({ boundary: boundary.id, path: request.path, ...entry }));

      const refuse = (
        kind: ProblemKind,
        reason: string,
        detail: string,
        by: Strategy | null,
        headers: Record<string, string> = { 'www-authenticate': challenges.join(', ') },
      ): GuardDecision => {
        // A boundary whose every method is past its sunset has no challenge left to offer.
        const sent = Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== ''));
        const response = problem(kind, detail, { headers: sent });
        audit({ method: by?.method ?? null, variant: by?.variant ?? null, outcome: 'refused', reason, status: response.status, subject: null, client: null });
        return { ok: false, response };
      };
      const unauthenticated = (reason: string, by: Strategy | null, challengeError?: string, replacement?: string, extra: Record<string, string> = {}) =>
        refuse('unauthenticated', reason, `Send one valid credential: ${schemes || 'none is accepted here'}.`, by, {
          ...extra,
          'www-authenticate': challenges
            .map((challenge) => {
              if (!by || challenge !== by.challenge) return challenge;
              if (replacement !== undefined) return replacement;
              return challengeError ? `${challenge}, error="${challengeError}"` : challenge;
            })
            .join(', '),
        });

      if (credentialInUrl(request)) {
        return refuse('credential-in-url', 'credential-in-url', 'Credentials travel in headers, never in the URL; treat this one as leaked.', null);
      }
      const carriers = carriersOf(request);
      if (carriers.length === 0) return unauthenticated('missing', null);
      if (carriers.length > 1) return refuse('multiple-credentials', 'multiple-credentials', 'Send exactly one credential per request.', null);
      const carrier = carriers[0]!;

      const claiming = accepted.filter(({ strategy }) => strategy.claims(carrier));
      const claimingLive = claiming.filter(({ accept }) => !isPastSunset(accept, at));
      if (claimingLive.length === 0) {
        const retired = claiming[0];
        if (retired) {
          return refuse('method-retired', 'retired', `${retired.accept.method} is no longer accepted here; use ${schemes || 'another method'}.`, retired.strategy);
        }
        const foreign = [...strategies.values()].find((strategy) => strategy.claims(carrier)) ?? null;
        return unauthenticated(foreign ? 'not-accepted-here' : 'unknown-scheme', foreign);
      }
      if (claimingLive.length > 1) {
        options.log(`auth: boundary "${boundary.id}": ${claimingLive.map(({ strategy }) => strategyKey(strategy.method, strategy.variant)).join(' and ')} both claim one credential; refusing it`);
        return unauthenticated('ambiguous', null);
      }
      const { accept, strategy } = claimingLive[0]!;

      const result = await strategy.authenticate(request, carrier);
      if (!result.ok) {
        // Bearer credentials carry 128+ random bits: nothing to guess per account, so the source alone is counted.
        const verdict = await options.throttle.failed({ source: request.source });
        if (!verdict.allowed) {
          return refuse('too-many-attempts', `${result.reason}, throttled`, `Too many failed attempts from this address; retry in ${verdict.retryAfter} seconds.`, strategy, {
            ...result.headers,
            'retry-after': String(verdict.retryAfter),
          });
        }
        return unauthenticated(result.reason, strategy, result.error, result.challenge, result.headers);
      }

      if (strategy.cookieBased) {
        const refusal = csrfRefusal(request, { trustedOrigins: options.trustedOrigins, expectedToken: result.csrfToken });
        if (refusal) {
          audit({ method: strategy.method, variant: strategy.variant, outcome: 'refused', reason: refusal.reason, status: refusal.response.status, subject: result.principal.subject, client: result.principal.client });
          return { ok: false, response: refusal.response };
        }
      }

      const principal: Principal = { ...result.principal, boundary: boundary.id };
      options.usage.count({ boundary: boundary.id, method: principal.method, variant: principal.variant, client: principal.client });
      let finished = false;
      return {
        ok: true,
        principal,
        headers: retirementHeaders(accept),
        finish(status) {
          if (finished) return;
          finished = true;
          audit({ method: principal.method, variant: principal.variant, outcome: 'authenticated', status, subject: principal.subject, client: principal.client });
        },
      };
    },
  };
}
