import type { Account } from '../../kernel/accounts.js';
import type { Principal } from '../../kernel/principal.js';
import type { Strategy } from '../../kernel/strategy.js';
import type { SessionVariant } from './config.js';
import type { SessionRecord } from './records.js';
import { expireCookie, secretOf, SESSION_COOKIE, TOKEN_PREFIX } from './secrets.js';
import type { SessionManager } from './sessions.js';

/** The caller a live session stands for: a person, with the account's current scopes. */
export function principalOf(session: SessionRecord, account: Account): Omit<Principal, 'boundary'> {
  return {
    subject: account.username,
    kind: 'person',
    method: 'session',
    variant: session.variant,
    client: null,
    scopes: [...account.scopes],
    tenant: null,
    credentialId: session.handle,
  };
}

/**
 * `Cookie: __Host-sid=<id>` for browsers. Cookie-based, so the guard applies
 * the CSRF checks to its unsafe requests with this session's synchronizer
 * token. A cookie that names no live session is expired in the reply, so the
 * browser stops sending it.
 */
export function cookieStrategy(sessions: SessionManager): Strategy {
  return {
    method: 'session',
    variant: 'cookie',
    challenge: `Cookie cookie-name="${SESSION_COOKIE}"`,
    cookieBased: true,
    cookies: [SESSION_COOKIE],
    claims: (carrier) => carrier.kind === 'cookie' && carrier.name === SESSION_COOKIE,
    async authenticate(_request, carrier) {
      if (carrier.kind !== 'cookie') return { ok: false, reason: 'not a session cookie' };
      const resolved = await sessions.resolve('cookie', carrier.value);
      if (!resolved.ok) return { ok: false, reason: resolved.reason, headers: { 'set-cookie': expireCookie(SESSION_COOKIE) } };
      const { csrfToken } = resolved.session;
      return { ok: true, principal: principalOf(resolved.session, resolved.account), ...(csrfToken === null ? {} : { csrfToken }) };
    },
  };
}

/**
 * `Authorization: Bearer st_<token>` for native apps and CLIs: the same
 * server-side session, behind a header no other site can make a browser send,
 * so no CSRF checks apply. Only tokens with the `st_` prefix are claimed, so a
 * JWT or another bearer token at the same boundary is left to its own method.
 */
export function tokenStrategy(sessions: SessionManager): Strategy {
  return {
    method: 'session',
    variant: 'token',
    challenge: 'Bearer realm="api"',
    cookieBased: false,
    claims: (carrier) => carrier.kind === 'authorization' && carrier.scheme.toLowerCase() === 'bearer' && carrier.credentials.startsWith(TOKEN_PREFIX),
    recognises: (value) => secretOf('token', value) !== null,
    async authenticate(_request, carrier) {
      if (carrier.kind !== 'authorization') return { ok: false, reason: 'not a bearer token' };
      const resolved = await sessions.resolve('token', carrier.credentials);
      if (!resolved.ok) return { ok: false, reason: resolved.reason, error: 'invalid_token' };
      return { ok: true, principal: principalOf(resolved.session, resolved.account) };
    },
  };
}

export const strategyFor = (variant: SessionVariant, sessions: SessionManager): Strategy =>
  variant === 'cookie' ? cookieStrategy(sessions) : tokenStrategy(sessions);
