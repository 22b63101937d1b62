import { ConnectionError, type Connector } from './connections.js';

/** What a route needs from a request; each stack adapter fills it in. */
export interface ClientRequest {
  /** Path and query as received, e.g. `/callback?code=…&state=…`. */
  url: string;
  cookie: string | undefined;
  origin: string | undefined;
  secFetchSite: string | undefined;
}

export interface RouteResponse {
  status: number;
  headers: Record<string, string>;
  /** Set-Cookie lines. */
  cookies: string[];
  /** JSON body; null for redirects. */
  body: unknown;
}

/**
 * The connection cookie holds a random id, never a token; the tokens stay in
 * the store. `__Host-` makes browsers refuse the cookie unless it is Secure,
 * has Path=/ and no Domain.
 * NOTE: Secure on the local http demo too: browsers treat 127.0.0.1 and
 * localhost as secure origins and keep such cookies there.
 */
export const CONNECTION_COOKIE = '__Host-oauth-connection';
/** Binds a sign-in to the browser that started it, until the callback (login CSRF). */
export const LOGIN_COOKIE = '__Host-oauth-login';
const LOGIN_COOKIE_SECONDS = 600;

const cookieLine = (name: string, value: string, maxAge?: number) =>
  `${name}=${value}; Path=/; Secure; HttpOnly; SameSite=Lax${maxAge === undefined ? '' : `; Max-Age=${maxAge}`}`;
const clearCookie = (name: string) => `${name}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT`;

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim() || undefined;
  }
  return undefined;
}

const NO_STORE = { 'Cache-Control': 'no-store' };
const json = (status: number, body: unknown, cookies: string[] = []): RouteResponse => ({ status, headers: { ...NO_STORE }, cookies, body });
const redirect = (location: string, cookies: string[]): RouteResponse => ({ status: 303, headers: { ...NO_STORE, Location: location }, cookies, body: null });

export interface ClientRoutesOptions {
  connector: Connector;
  /** Public origin of this app: state-changing requests must come from it. */
  appUrl: string;
  /** Where the browser lands after connecting. */
  afterConnect?: string;
}

/**
 * The routes of client mode, framework-agnostic: `/connect`, `/callback`,
 * `/disconnect` run the flow; `/me` and `/admin` show how the rest of the app
 * uses a connection. Every check lives here; stack adapters only translate.
 */
export function createClientRoutes(options: ClientRoutesOptions) {
  const { connector } = options;
  const appOrigin = new URL(options.appUrl).origin;
  const afterConnect = options.afterConnect ?? '/me';

  const connectionIdOf = (req: ClientRequest) => readCookie(req.cookie, CONNECTION_COOKIE);

  /** 401 for a browser without a live connection (and its stale cookie is cleared); 502 when the provider failed. */
  function failure(error: unknown): RouteResponse {
    if (error instanceof ConnectionError && error.failure === 'not-connected') {
      return json(401, { error: 'not_connected', message: error.message }, [clearCookie(CONNECTION_COOKIE)]);
    }
    if (error instanceof ConnectionError && error.failure === 'provider') return json(502, { error: 'provider_unavailable', message: error.message });
    throw error;
  }

  return {
    health: (): RouteResponse => json(200, { status: 'ok' }),

    /** GET: begin a sign-in at the provider. */
    async connect(): Promise<RouteResponse> {
      try {
        const { loginId, url } = await connector.start();
        return redirect(url.href, [cookieLine(LOGIN_COOKIE, loginId, LOGIN_COOKIE_SECONDS)]);
      } catch (error) {
        return failure(error);
      }
    },

    /** GET: the provider sends the browser back here with a code (or an error). */
    async callback(req: ClientRequest): Promise<RouteResponse> {
      const loginId = readCookie(req.cookie, LOGIN_COOKIE);
      const cleared = clearCookie(LOGIN_COOKIE);
      if (!loginId) return json(400, { error: 'no_sign_in', message: 'No sign-in was started in this browser; start at /connect.' }, [cleared]);
      try {
        const { connectionId } = await connector.finish(loginId, new URL(req.url, appOrigin));
        // NOTE: a new id per connection; a browser that had one before gets the new one.
        return redirect(afterConnect, [cleared, cookieLine(CONNECTION_COOKIE, connectionId)]);
      } catch (error) {
        if (error instanceof ConnectionError && (error.failure === 'refused' || error.failure === 'expired')) {
          return json(400, { error: 'connection_refused', message: error.message }, [cleared]);
        }
        return failure(error);
      }
    },

    /** POST only: revoke at the provider and forget. Cross-site posts are refused by their Origin / Sec-Fetch-Site. */
    async disconnect(req: ClientRequest): Promise<RouteResponse> {
      const sameOrigin = req.origin !== undefined ? req.origin === appOrigin : req.secFetchSite === 'same-origin';
      if (!sameOrigin) return json(403, { error: 'cross_site_request', message: 'Disconnect from a page of this app.' });
      const connectionId = connectionIdOf(req);
      const cleared = clearCookie(CONNECTION_COOKIE);
      if (!connectionId) return json(200, { connected: false }, [cleared]);
      try {
        await connector.disconnect(connectionId);
        return json(200, { connected: false }, [cleared]);
      } catch (error) {
        if (error instanceof ConnectionError && error.failure === 'provider') {
          return json(502, { connected: false, error: 'revocation_unconfirmed', message: error.message }, [cleared]);
        }
        throw error;
      }
    },

    /** The connected person, as the provider's userinfo endpoint reports them (a real call with the stored token). */
    async me(req: ClientRequest): Promise<RouteResponse> {
      const connectionId = connectionIdOf(req);
      if (!connectionId) return json(401, { error: 'not_connected', message: 'Connect first: /connect.' });
      try {
        const connection = await connector.find(connectionId);
        if (!connection) return failure(new ConnectionError('not-connected', 'Not connected.'));
        const profile = await connector.userInfo(connectionId);
        return json(200, { subject: connection.subject, issuer: connection.issuer, scopes: connection.scopes, profile });
      } catch (error) {
        return failure(error);
      }
    },

    /** A feature that needs the provider to have granted `admin`: 403 until the person reconnects and grants it. */
    async admin(req: ClientRequest): Promise<RouteResponse> {
      const connectionId = connectionIdOf(req);
      if (!connectionId) return json(401, { error: 'not_connected', message: 'Connect first: /connect.' });
      try {
        const connection = await connector.find(connectionId);
        if (!connection) return failure(new ConnectionError('not-connected', 'Not connected.'));
        if (!connection.scopes.includes('admin')) {
          return json(403, { error: 'insufficient_scope', message: 'The provider did not grant admin to this app; reconnect and grant it.' });
        }
        // Proves the grant is still alive (refreshing if needed) before acting on it.
        await connector.accessToken(connectionId);
        return json(200, { subject: connection.subject, admin: true });
      } catch (error) {
        return failure(error);
      }
    },
  };
}

export type ClientRoutes = ReturnType<typeof createClientRoutes>;
