import { hashSecret, hashesMatch, parseKey } from './keys.js';
import type { ApiKeyStore, FailureCounter } from './store.js';

/** Who is calling, once the key checked out. */
export interface Principal {
  keyId: string;
  subject: string;
  tenant: string;
  scopes: string[];
}

/** The parts of an HTTP request the checks need, independent of the framework. */
export interface AuthRequest {
  authorization: string | undefined;
  /** Path plus query string, as received. Used to refuse keys in the URL; never logged as is. */
  url: string;
  /** Address of the caller, as the framework resolved it (respecting its proxy settings). */
  clientIp: string;
  method: string;
}

export interface AuthFailure {
  ok: false;
  status: 401 | 403 | 404 | 429;
  headers: Record<string, string>;
  body: { error: string; message: string };
}

export type AuthResult = { ok: true; principal: Principal } | AuthFailure;

/** Why a request was refused. Logged for operators; never sent to the caller. */
export type RejectReason =
  | 'missing'
  | 'other-scheme'
  | 'key-in-url'
  | 'malformed'
  | 'unknown'
  | 'revoked'
  | 'expired';

export interface ApiKeyAuthOptions {
  store: ApiKeyStore;
  pepper: string;
  prefix: string;
  realm?: string;
  /** Clock; tests pass a controllable one. */
  now?: () => Date;
  /** Where failure counts live. Defaults to the store, so every instance shares them. */
  failureCounter?: FailureCounter;
  /** Failed attempts allowed per client and window before answering 429. */
  rateLimit?: { maxFailures: number; windowMs: number };
  /** `lastUsedAt` is written at most once per this interval, so reads stay reads. */
  lastUsedResolutionMs?: number;
  /** One line per refused request. Lines never contain a key or a query string. */
  log?: (line: string) => void;
}

export interface ApiKeyAuth {
  readonly realm: string;
  authenticate(request: AuthRequest): Promise<AuthResult>;
  /** 403 unless the principal holds `scope`. */
  requireScope(principal: Principal, scope: string): AuthResult;
  /**
   * 404 unless the principal belongs to `tenant`. 404 rather than 403, so a
   * key cannot probe which objects other tenants own.
   */
  requireTenant(principal: Principal, tenant: string): AuthResult;
}

// Parameter names clients commonly use to put a key in the URL.
const URL_KEY_PARAMETERS = new Set([
  'api_key', 'apikey', 'api-key', 'key', 'x-api-key', 'x_api_key', 'token', 'access_token', 'auth', 'authorization',
]);

const UNAUTHORIZED_BODY = {
  error: 'unauthorized',
  message: 'A valid API key is required in the Authorization header: "ApiKey <key>".',
} as const;

/** Path without its query string: the only form of a URL that may reach a log. */
export function redactUrl(url: string): string {
  const mark = url.indexOf('?');
  return mark === -1 ? url : `${url.slice(0, mark)}?[redacted]`;
}

function carriesKeyInUrl(url: string, prefix: string): boolean {
  const mark = url.indexOf('?');
  if (mark === -1) return false;
  const query = new URLSearchParams(url.slice(mark + 1));
  for (const [name, value] of query) {
    if (URL_KEY_PARAMETERS.has(name.toLowerCase())) return true;
    if (value.startsWith(`${prefix}_`)) return true;
  }
  return false;
}

/** Splits `ApiKey <key>`; the scheme is case-insensitive as in RFC 9110 §11.1. */
function readCredential(authorization: string | undefined): { key: string } | { reason: RejectReason } {
  if (authorization === undefined || authorization.trim() === '') return { reason: 'missing' };
  const match = /^([A-Za-z][A-Za-z0-9_-]*) +(\S+) *$/.exec(authorization);
  if (!match) return { reason: 'malformed' };
  if (match[1]!.toLowerCase() !== 'apikey') return { reason: 'other-scheme' };
  return { key: match[2]! };
}

export function createApiKeyAuth(options: ApiKeyAuthOptions): ApiKeyAuth {
  const {
    store,
    pepper,
    prefix,
    realm = 'api',
    now = () => new Date(),
    failureCounter = store,
    rateLimit = { maxFailures: 20, windowMs: 60_000 },
    lastUsedResolutionMs = 60_000,
    log = (line: string) => console.warn(line),
  } = options;

  const challenge = `ApiKey realm="${realm}"`;
  // Clients over their failure budget, known to this instance, until their window ends.
  // NOTE: the count itself is shared through the store; this map only spares the
  // store a write per request while a client hammers us.
  const blockedUntil = new Map<string, number>();

  function tooMany(resetAt: number, at: number): AuthFailure {
    return {
      ok: false,
      status: 429,
      headers: { 'Retry-After': String(Math.max(1, Math.ceil((resetAt - at) / 1000))), 'Cache-Control': 'no-store' },
      body: { error: 'too_many_requests', message: 'Too many failed authentication attempts. Retry later.' },
    };
  }

  async function reject(request: AuthRequest, reason: RejectReason, at: Date): Promise<AuthFailure> {
    const { count, resetAt } = await failureCounter.recordFailure(request.clientIp, rateLimit.windowMs, at);
    const limited = count > rateLimit.maxFailures;
    if (limited) {
      if (blockedUntil.size >= 10_000) {
        // Many addresses at once: forget the ones whose window is over, so memory stays bounded.
        for (const [client, until] of blockedUntil) if (until <= at.getTime()) blockedUntil.delete(client);
      }
      blockedUntil.set(request.clientIp, resetAt.getTime());
    }
    log(
      `api-key: refused ${request.method} ${redactUrl(request.url)} from ${request.clientIp}: ${reason}` +
        (limited ? ` (rate limited, ${count} failures)` : ''),
    );
    if (limited) return tooMany(resetAt.getTime(), at.getTime());
    return {
      ok: false,
      status: 401,
      headers: { 'WWW-Authenticate': challenge, 'Cache-Control': 'no-store' },
      body: { ...UNAUTHORIZED_BODY },
    };
  }

  return {
    realm,

    async authenticate(request) {
      const at = now();
      const until = blockedUntil.get(request.clientIp);
      if (until !== undefined) {
        if (until > at.getTime()) return tooMany(until, at.getTime());
        blockedUntil.delete(request.clientIp);
      }

      if (carriesKeyInUrl(request.url, prefix)) return reject(request, 'key-in-url', at);
      const credential = readCredential(request.authorization);
      if ('reason' in credential) return reject(request, credential.reason, at);
      const parsed = parseKey(prefix, credential.key);
      if (!parsed) return reject(request, 'malformed', at);

      const record = await store.findKeyById(parsed.id);
      // The hash is computed and compared even for an unknown id, so both paths cost the same.
      const genuine = hashesMatch(hashSecret(pepper, parsed.id, parsed.secret), record?.secretHash);
      if (!record || !genuine) return reject(request, 'unknown', at);
      if (record.revokedAt && record.revokedAt.getTime() <= at.getTime()) return reject(request, 'revoked', at);
      if (record.expiresAt && record.expiresAt.getTime() <= at.getTime()) return reject(request, 'expired', at);

      if (!record.lastUsedAt || at.getTime() - record.lastUsedAt.getTime() >= lastUsedResolutionMs) {
        await store.updateKey(record.id, { lastUsedAt: at });
      }
      return {
        ok: true,
        principal: { keyId: record.id, subject: record.subject, tenant: record.tenant, scopes: [...record.scopes] },
      };
    },

    requireScope(principal, scope) {
      if (principal.scopes.includes(scope)) return { ok: true, principal };
      return {
        ok: false,
        status: 403,
        headers: { 'WWW-Authenticate': `${challenge}, error="insufficient_scope", scope="${scope}"`, 'Cache-Control': 'no-store' },
        body: { error: 'insufficient_scope', message: `This API key does not grant the "${scope}" scope.` },
      };
    },

    requireTenant(principal, tenant) {
      if (principal.tenant === tenant) return { ok: true, principal };
      return {
        ok: false,
        status: 404,
        headers: { 'Cache-Control': 'no-store' },
        body: { error: 'not_found', message: 'No such resource.' },
      };
    },
  };
}
