import type { Boundary } from '../../../kernel/boundary.js';
import { cookieValue, json, type AuthResponse, type Route } from '../../../kernel/http.js';
import { problem } from '../../../kernel/problem.js';
import { ConnectionError, type Connector } from './connections.js';

/**
 * The connection cookie holds a random id, never a token; the tokens stay in
 * the store. `__Host-` makes browsers refuse the cookie unless it is Secure,
 * has Path=/ and no Domain, so a sibling subdomain cannot plant one.
 * NOTE: Secure on the local http demo too: browsers treat 127.0.0.1 and
 * localhost as secure origins and keep such cookies there.
 */
export const CONNECTION_COOKIE = '__Host-oauth-connection';
/** Binds a sign-in to the browser that started it, until the callback (login CSRF). */
export const SIGN_IN_COOKIE = '__Host-oauth-sign-in';
const SIGN_IN_SECONDS = 600;

const cookie = (name: string, value: string, maxAge?: number) =>
  `${name}=${value}; Path=/; Secure; HttpOnly; SameSite=Lax${maxAge === undefined ? '' : `; Max-Age=${maxAge}`}`;
const expired = (name: string) => `${name}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0`;

/** 303: after a credential-bearing exchange the browser follows with a GET (RFC 9700 §4.12). */
const seeOther = (location: string, setCookie: string): AuthResponse => ({ status: 303, headers: { location, 'set-cookie': setCookie, 'cache-control': 'no-store' }, body: null });

/**
 * Client mode's routes at a boundary `/<b>`: `GET /<b>/connect` starts a
 * sign-in at the provider, `GET /<b>/callback` completes it, `GET
 * /<b>/connection` shows the connection (no tokens) and its CSRF token,
 * `POST /<b>/disconnect` revokes at the provider and forgets. The last two
 * are behind the boundary's guard, so cookie CSRF rules apply to them.
 */
export function clientRoutes(boundary: Boundary, connector: Connector, appUrl: string): Route[] {
  const base = `/${boundary.id}`;
  const providerFailed = (error: unknown) => {
    if (error instanceof ConnectionError && error.failure === 'provider') {
      return problem('service-unavailable', 'The provider could not be reached; try again shortly.', { headers: { 'retry-after': '5' } });
    }
    throw error;
  };
  return [
    {
      method: 'GET',
      path: `${base}/connect`,
      body: 'none',
      async handle() {
        try {
          const { loginId, url } = await connector.start(boundary.id);
          return seeOther(url.href, cookie(SIGN_IN_COOKIE, loginId, SIGN_IN_SECONDS));
        } catch (error) {
          return providerFailed(error);
        }
      },
    },
    {
      method: 'GET',
      path: `${base}/callback`,
      body: 'none',
      async handle(request) {
        const loginId = cookieValue(request, SIGN_IN_COOKIE);
        if (!loginId) return problem('bad-request', `No sign-in was started in this browser; start at ${base}/connect.`);
        try {
          // The URL as this app is addressed publicly: the token request's redirect_uri must equal the registered one.
          const { connectionId } = await connector.finish(loginId, boundary.id, new URL(request.url, appUrl));
          // NOTE: a new id per connection; a browser that had one before gets the new one.
          return seeOther(`${base}/connection`, cookie(CONNECTION_COOKIE, connectionId));
        } catch (error) {
          if (error instanceof ConnectionError && (error.failure === 'refused' || error.failure === 'expired')) return problem('bad-request', error.message);
          return providerFailed(error);
        }
      },
    },
    {
      method: 'GET',
      path: `${base}/connection`,
      boundary: boundary.id,
      body: 'none',
      async handle(request) {
        const connection = await connector.find(cookieValue(request, CONNECTION_COOKIE) ?? '');
        if (!connection) return problem('unauthenticated');
        return json(200, { subject: connection.subject, issuer: connection.issuer, scopes: connection.scopes, csrfToken: connection.csrfToken });
      },
    },
    {
      method: 'POST',
      path: `${base}/disconnect`,
      boundary: boundary.id,
      body: 'none',
      async handle(request) {
        const cleared = { 'set-cookie': expired(CONNECTION_COOKIE) };
        try {
          await connector.disconnect(cookieValue(request, CONNECTION_COOKIE) ?? '');
          return json(200, { connected: false }, cleared);
        } catch (error) {
          if (error instanceof ConnectionError && error.failure === 'provider') {
            return problem('service-unavailable', error.message, { headers: cleared, extensions: { connected: false } });
          }
          throw error;
        }
      },
    },
  ];
}
