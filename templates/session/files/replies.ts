import type { Accounts, Account } from '../../kernel/accounts.js';
import type { AuthRequest, AuthResponse, RouteRequest } from '../../kernel/http.js';
import { problem } from '../../kernel/problem.js';
import type { SessionVariant } from './config.js';
import type { SessionRecord } from './records.js';
import { SESSION_COOKIE } from './secrets.js';
import type { SessionManager } from './sessions.js';

/** Helpers the sign-in and account routes share. */

/** A form post from a page (answered with pages and redirects), rather than a script's JSON (answered with JSON). */
export const isFormPost = (request: AuthRequest): boolean =>
  request.headers['content-type']?.split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';

/** A script asking for JSON rather than a page. */
export function wantsJson(request: AuthRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

/** A string field of a form or JSON body. */
export function field(body: unknown, name: string): string | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** The WWW-Authenticate challenge of a variant, for the 401 of a failed sign-in. */
export const challengeOf = (variant: SessionVariant): string => (variant === 'cookie' ? `Cookie cookie-name="${SESSION_COOKIE}"` : 'Bearer realm="api"');

export const wrongPassword = (variant: SessionVariant): AuthResponse =>
  problem('unauthenticated', 'Wrong username or password.', { headers: { 'www-authenticate': challengeOf(variant) } });

export const throttled = (retryAfter: number): AuthResponse =>
  problem('too-many-attempts', `Too many failed sign-ins; retry in ${retryAfter} seconds.`, { headers: { 'retry-after': String(retryAfter) } });

/**
 * The session behind a request the boundary's guard let in, and its account.
 * Another method's principal (an API key at the same boundary) is refused:
 * these routes act for a person signed in with a session.
 */
export async function callerOf(
  request: RouteRequest,
  sessions: SessionManager,
  accounts: Accounts,
): Promise<{ ok: true; session: SessionRecord; account: Account } | { ok: false; response: AuthResponse }> {
  const principal = request.principal!;
  if (principal.method !== 'session') {
    return { ok: false, response: problem('forbidden', 'Only a person signed in with a session can do this.') };
  }
  const session = await sessions.findByHandle(principal.credentialId);
  const account = session ? await accounts.findById(session.account) : null;
  // Ended by another request since the guard looked.
  if (!session || !account) return { ok: false, response: problem('unauthenticated', 'This session has ended.', { headers: { 'www-authenticate': challengeOf(principal.variant === 'token' ? 'token' : 'cookie') } }) };
  return { ok: true, session, account };
}
