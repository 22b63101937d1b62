import { randomBytes } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { createAppListener } from '../app.js';
import { createConnector, type Connector } from '../core/connections.js';
import { createClientRoutes } from '../core/routes.js';
import { startServer } from '../core/server.js';
import type { OAuthStore } from '../core/store.js';
import { createPracticeProvider, type PracticeProvider } from '../practice-provider.js';
import { openTestStore } from './store-fixture.js';

export const CLIENT_ID = 'test-app';
/** A second client registered at the provider with the same callback URL: another audience. */
export const OTHER_CLIENT = { clientId: 'other-app', clientSecret: 'other-app-secret-0123456789abcdef' };

export interface Rig {
  /** This app (the stack's real app) on 127.0.0.1. */
  appUrl: string;
  redirectUri: string;
  /** The other provider: a real oidc-provider on its own port. */
  issuer: string;
  practice: PracticeProvider;
  client: { clientId: string; clientSecret: string };
  connector: Connector;
  /** The app's store, where connections and their tokens live. */
  store: OAuthStore;
  /** Requests that reached the provider's token endpoint so far. */
  tokenRequests(): number;
  /** Asks the provider (as this app's client) whether a token is still active. */
  introspect(token: string): Promise<Record<string, unknown>>;
  /** POSTs to one of the provider's endpoints as this app's client (client_secret_basic). */
  postAsClient(path: string, fields: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

const notFound: RequestListener = (_req, res) => {
  res.statusCode = 404;
  res.end();
};

/**
 * The real thing on 127.0.0.1:0: the practice provider (oidc-provider) on one
 * port and this app on another, each with its own fresh store, the app
 * registered at the provider with its callback URL.
 */
export async function startRig(options: { scope?: string; accessTokenTtl?: number } = {}): Promise<Rig> {
  const providerStore = await openTestStore();
  const appStore = await openTestStore();
  const client = { clientId: CLIENT_ID, clientSecret: randomBytes(24).toString('base64url') };
  let tokenRequests = 0;
  let provider: Awaited<ReturnType<typeof startServer>> | undefined;
  let practice: PracticeProvider | undefined;
  let issuer = '';
  let connector: Connector | undefined;

  const app = await startServer({
    port: 0,
    routes: async (appUrl) => {
      // The provider needs the app's callback URL, so it starts once the app's port is known.
      provider = await startServer({
        port: 0,
        routes: async (origin) => {
          issuer = `${origin}/provider`;
          practice = createPracticeProvider({
            issuer,
            store: providerStore.store,
            clients: [
              { ...client, redirectUris: [`${appUrl}/callback`] },
              { ...OTHER_CLIENT, redirectUris: [`${appUrl}/callback`] },
            ],
            accessTokenTtl: options.accessTokenTtl,
          });
          const counted = practice;
          const handle = (req: IncomingMessage, res: ServerResponse) => {
            if (req.method === 'POST' && req.url?.startsWith('/provider/token') && !req.url.startsWith('/provider/token/')) tokenRequests++;
            counted.handle(req, res);
          };
          return { api: notFound, authorizationServer: { mountPath: counted.mountPath, handle } };
        },
      });
      connector = createConnector({
        issuer,
        ...client,
        redirectUri: `${appUrl}/callback`,
        scope: options.scope ?? 'openid read',
        store: appStore.store,
        allowInsecureHttp: true,
      });
      return { api: await createAppListener(createClientRoutes({ connector, appUrl })) };
    },
  });

  const basic = `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64')}`;
  const postAsClient = (path: string, fields: Record<string, string>) =>
    fetch(`${issuer}${path}`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    });

  return {
    appUrl: app.url,
    redirectUri: `${app.url}/callback`,
    issuer,
    practice: practice!,
    client,
    connector: connector!,
    store: appStore.store,
    tokenRequests: () => tokenRequests,
    postAsClient,
    async introspect(token) {
      return (await (await postAsClient('/token/introspection', { token })).json()) as Record<string, unknown>;
    },
    async close() {
      await app.close();
      await provider?.close();
      await appStore.cleanup();
      await providerStore.cleanup();
    },
  };
}

/** A tiny browser: one cookie jar (cookies are per host, not per port), no automatic redirects. */
export class Browser {
  readonly cookies = new Map<string, string>();
  /** Every Set-Cookie line received, for checking attributes. */
  readonly setCookies: string[] = [];
  /** Every response body received, for checking that no token ever reaches the browser. */
  readonly bodies: string[] = [];

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      this.setCookies.push(line);
      const [pair = ''] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      if (/max-age=0|expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const body = await response.clone().text();
    this.bodies.push(body);
    return response;
  }
}

export const locationOf = (response: Response, base: string): string => {
  const location = response.headers.get('location');
  if (!location) throw new Error(`expected a redirect, got ${response.status}`);
  return new URL(location, base).href;
};

/**
 * Plays the person at the provider from `start` (the authorization URL) until
 * the provider sends the browser back to `redirectUri`: sign in as `login` on
 * the practice server's page, approve on its consent page.
 */
export async function approveAtProvider(browser: Browser, start: string, redirectUri: string, login = 'alice'): Promise<URL> {
  let next = start;
  for (let hop = 0; hop < 12; hop++) {
    if (next.startsWith(redirectUri)) return new URL(next);
    const response = await browser.fetch(next);
    if (response.status >= 300 && response.status < 400) {
      next = locationOf(response, next);
      continue;
    }
    const html = await response.text();
    if (response.status !== 200) throw new Error(`unexpected ${response.status} at ${next}:\n${html.slice(0, 400)}`);
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="([a-z]+)"/.exec(html)?.[1];
    if (!action || !prompt) throw new Error(`no sign-in or consent form at ${next}:\n${html.slice(0, 400)}`);
    const fields: Record<string, string> = prompt === 'login' ? { prompt, login, password: 'any password' } : { prompt };
    const posted = await browser.fetch(new URL(action, next).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    });
    next = locationOf(posted, next);
  }
  throw new Error('the provider did not send the browser back to the app');
}
