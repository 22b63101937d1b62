import type { AccessTokenClaims } from './verify.js';

/** Who made the request, as established from a verified access token. */
export interface Principal {
  subject: string;
  issuer: string;
  scopes: string[];
  tokenId: string;
  expiresAt: number;
  claims: AccessTokenClaims;
}

export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

export type AuthResult = { ok: true; principal: Principal } | ({ ok: false } & HttpResult);

/** What every stack adapter needs: turn an Authorization header into a principal or an HTTP answer. */
export interface BearerGuard {
  authenticate(authorization: string | undefined, requiredScopes?: readonly string[]): Promise<AuthResult>;
}

export type BearerCredential = { kind: 'none' } | { kind: 'token'; token: string } | { kind: 'malformed' };

export function parseBearer(authorization: string | undefined): BearerCredential {
  if (authorization === undefined || authorization.trim() === '') return { kind: 'none' };
  const match = /^Bearer +([^\s]+) *$/i.exec(authorization);
  if (match?.[1] !== undefined) return { kind: 'token', token: match[1] };
  // Another scheme (Basic, ApiKey…) is "no bearer token", which RFC 6750 answers without an error code.
  if (!/^Bearer(\s|$)/i.test(authorization)) return { kind: 'none' };
  return { kind: 'malformed' };
}

const UNAUTHORIZED_BODY = { error: 'unauthorized' };
const INVALID_TOKEN_BODY = { error: 'invalid_token' };

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '')}"`;
}

export function missingToken(realm: string): AuthResult {
  return {
    ok: false,
    status: 401,
    headers: { 'www-authenticate': `Bearer realm=${quote(realm)}`, 'cache-control': 'no-store' },
    body: UNAUTHORIZED_BODY,
  };
}

/** One answer for every bad token, whatever the reason, so failures reveal nothing. */
export function invalidToken(realm: string): AuthResult {
  return {
    ok: false,
    status: 401,
    headers: {
      'www-authenticate': `Bearer realm=${quote(realm)}, error="invalid_token"`,
      'cache-control': 'no-store',
    },
    body: INVALID_TOKEN_BODY,
  };
}

export function insufficientScope(realm: string, requiredScopes: readonly string[]): AuthResult {
  return {
    ok: false,
    status: 403,
    headers: {
      'www-authenticate': `Bearer realm=${quote(realm)}, error="insufficient_scope", scope=${quote(requiredScopes.join(' '))}`,
      'cache-control': 'no-store',
    },
    body: { error: 'insufficient_scope', scope: requiredScopes.join(' ') },
  };
}

export function hasScopes(principal: Principal, requiredScopes: readonly string[]): boolean {
  return requiredScopes.every((scope) => principal.scopes.includes(scope));
}
