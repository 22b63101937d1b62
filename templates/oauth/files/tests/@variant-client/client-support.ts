import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { Boundary } from '../../../kernel/boundary.js';
import { listen, type RunningServer } from '../../../kernel/server.js';
import type { AuthStore } from '../../../kernel/store.js';
import { startTestServer, type TestServer } from '../../../tests/harness.js';
import { openTestStore } from '../../../tests/store-fixture.js';
import type { TestStore } from '../../../tests/test-store.js';
import type { ClientPart } from '../client/part.js';
import type { Connector } from '../client/connections.js';
import { oauthMethod } from '../index.js';
import type { OAuthMethod } from '../parts.js';
import { openPracticeIssuer, PRACTICE_CONNECT, PRACTICE_PATH, type PracticeIssuer } from '../practice/issuer.js';

/*
 * OAuth client mode as it runs for real: the other provider is a real
 * oidc-provider on 127.0.0.1 with a store of its own, and this app is the
 * project's stack and store with client mode at `/connections`. The app is
 * told its public origin is APP_URL; the provider sends browsers there, and
 * the tests carry those requests to the app's real address.
 * NOTE: no vitest here: in a CommonJS project this helper is CommonJS.
 */
export const APP_URL = 'http://127.0.0.1:9';
export const CONNECTIONS: Boundary = { id: 'connections', label: 'Connected accounts', accepts: [{ method: 'oauth', variant: 'client' }] };
export const REDIRECT_URI = `${APP_URL}/connections/callback`;
/** A second client of the provider with the same callback: another audience for its ID tokens. */
export const OTHER_CLIENT = { clientId: 'other-app', clientSecret: 'other-app-secret-0123456789abcdef' };

export interface Rig {
  /** The app's real address. */
  appUrl: string;
  app: TestServer;
  issuer: string;
  practice: PracticeIssuer;
  connector: Connector;
  /** The app's store, where sign-ins and connections live. */
  store: AuthStore;
  /** Requests that reached the provider's token endpoint so far. */
  tokenRequests(): number;
  /** Asks the provider, as this app's client, whether a token is still active. */
  introspect(token: string): Promise<Record<string, unknown>>;
  /** POSTs to one of the provider's endpoints as this app's client. */
  postAsClient(path: string, fields: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

export const hashed = (id: string): string => createHash('sha256').update(id).digest('base64url');

export async function startRig(options: { scope?: string } = {}): Promise<Rig> {
  const providerStore: TestStore = await openTestStore();
  let provider: RunningServer | undefined;
  let app: TestServer | undefined;
  try {
    let handle: PracticeIssuer['handle'] | null = null;
    let tokenRequests = 0;
    provider = await listen(
      createServer((req, res) => {
        if (req.method === 'POST' && req.url?.split('?')[0] === `${PRACTICE_PATH}/token`) tokenRequests += 1;
        if (handle) handle(req, res);
        else res.writeHead(503).end();
      }),
      0,
      '127.0.0.1',
    );
    const practice = await openPracticeIssuer({
      store: providerStore.store,
      issuer: `${provider.url}${PRACTICE_PATH}`,
      audience: 'https://api.example.test',
      accessTokenFormat: 'jwt',
      accessTokenTtl: 600,
      connectRedirectUris: [REDIRECT_URI],
      extraClients: [{ client_id: OTHER_CLIENT.clientId, client_secret: OTHER_CLIENT.clientSecret, redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code'], response_types: ['code'] }],
    });
    handle = practice.handle;
    app = await startTestServer({
      methods: [oauthMethod],
      boundaries: [CONNECTIONS],
      env: {
        OAUTH_PROVIDER_ISSUER: practice.issuer,
        OAUTH_CLIENT_ID: PRACTICE_CONNECT,
        OAUTH_CLIENT_SECRET: practice.connect.clientSecret,
        OAUTH_APP_URL: APP_URL,
        OAUTH_SCOPE: options.scope ?? 'openid read',
      },
    });
    const running = { app, provider };
    const basic = `Basic ${Buffer.from(`${practice.connect.clientId}:${practice.connect.clientSecret}`).toString('base64')}`;
    const postAsClient = (path: string, fields: Record<string, string>) =>
      fetch(`${practice.issuer}${path}`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });
    return {
      appUrl: app.url,
      app,
      issuer: practice.issuer,
      practice,
      connector: app.auth.method<OAuthMethod>('oauth').part<ClientPart>('client').connector,
      store: app.store,
      tokenRequests: () => tokenRequests,
      postAsClient,
      async introspect(token) {
        return (await (await postAsClient('/token/introspection', { token })).json()) as Record<string, unknown>;
      },
      async close() {
        await running.app.close();
        await running.provider.close();
        await providerStore.cleanup();
      },
    };
  } catch (error) {
    await app?.close().catch(() => {});
    await provider?.close().catch(() => {});
    await providerStore.cleanup();
    throw error;
  }
}

/** A tiny browser: one cookie jar (cookies are per host, not per port), no automatic redirects; APP_URL is the app's real address. */
export class Browser {
  readonly cookies = new Map<string, string>();
  /** Every Set-Cookie line received, for checking attributes. */
  readonly setCookies: string[] = [];
  /** Every response body received, for checking that no token ever reaches the browser. */
  readonly bodies: string[] = [];
  private readonly appUrl: string;

  constructor(appUrl: string) {
    this.appUrl = appUrl;
  }

  async fetch(url: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Response> {
    const target = url.startsWith(APP_URL) ? `${this.appUrl}${url.slice(APP_URL.length)}` : url;
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(target, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      this.setCookies.push(line);
      const [pair = ''] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    this.bodies.push(await response.clone().text());
    return response;
  }
}

export function locationOf(response: Response, base: string): string {
  const location = response.headers.get('location');
  if (!location) throw new Error(`expected a redirect, got ${response.status}`);
  return new URL(location, base).href;
}

/**
 * Plays the person at the provider from `start` (the authorization URL) until
 * the provider sends the browser back to this app's callback: signs in as
 * `login` on the practice issuer's page (it accepts any password), approves.
 */
export async function approveAtProvider(browser: Browser, start: string, login = 'alice'): Promise<URL> {
  let next = start;
  for (let hop = 0; hop < 12; hop += 1) {
    if (next.startsWith(REDIRECT_URI)) return new URL(next);
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
      body: new URLSearchParams(fields).toString(),
    });
    next = locationOf(posted, next);
  }
  throw new Error('the provider did not send the browser back to the app');
}
