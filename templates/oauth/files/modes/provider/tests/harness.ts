import * as oidc from 'openid-client';
import { createApiListener } from '../app.js';
import { setAccountPassword } from '../core/accounts.js';
import { createAuthorizationServer, type AuthorizationServer } from '../core/authorization-server.js';
import { API_SCOPES, ISSUER_PATH, type AccessTokenFormat } from '../core/config.js';
import { registerClient } from '../core/registry.js';
import { createIntrospectionResourceServer, createJwtResourceServer, type ResourceServer } from '../core/resource-server.js';
import { startServer } from '../core/server.js';
import type { OAuthStore } from '../core/store.js';
import { openTestStore } from './store-fixture.js';

export const PASSWORD = 'correct horse battery staple';
export const COOKIE_KEYS = ['test-cookie-key-0123456789-abcdefghijklmnop'];

export interface TestClient {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export interface Platform {
  url: string;
  issuer: string;
  audience: string;
  store: OAuthStore;
  authorizationServer: AuthorizationServer;
  resourceServer: ResourceServer;
  /** A confidential third-party client allowed the API scopes and openid. */
  client: TestClient;
  /** The API's own client, allowed to introspect. */
  introspector: { clientId: string; clientSecret: string };
  close(): Promise<void>;
}

/**
 * The real thing on 127.0.0.1:0: the authorization server under /oauth and the
 * stack's API beside it, one fresh store, one person (alice) and one client.
 */
export async function startPlatform(options: { accessTokenFormat?: AccessTokenFormat } = {}): Promise<Platform> {
  const format = options.accessTokenFormat ?? 'jwt';
  const { store, cleanup } = await openTestStore();
  await setAccountPassword(store, 'alice', PASSWORD);
  let platform: Omit<Platform, 'url' | 'close'> | undefined;
  const server = await startServer({
    port: 0,
    routes: async (origin) => {
      const issuer = `${origin}${ISSUER_PATH}`;
      const audience = origin;
      const authorizationServer = await createAuthorizationServer({ issuer, audience, scopes: API_SCOPES, accessTokenFormat: format, cookieKeys: COOKIE_KEYS, store });
      const { provider } = authorizationServer;
      const registered = await registerClient(provider, store, {
        name: 'Test Third-Party App',
        redirectUris: ['https://app.example.test/callback'],
        scopes: ['openid', 'offline_access', ...API_SCOPES],
      });
      const rs = await registerClient(provider, store, { name: 'Test API', redirectUris: [], scopes: [], resourceServer: true });
      const introspector = { clientId: rs.client.clientId, clientSecret: rs.clientSecret! };
      const resourceServer =
        format === 'jwt'
          ? createJwtResourceServer({ issuer, audience })
          : createIntrospectionResourceServer({ issuer, audience, ...introspector });
      platform = {
        issuer,
        audience,
        store,
        authorizationServer,
        resourceServer,
        introspector,
        client: { clientId: registered.client.clientId, clientSecret: registered.clientSecret!, redirectUri: 'https://app.example.test/callback' },
      };
      return { api: await createApiListener(resourceServer), authorizationServer };
    },
  });
  return {
    ...platform!,
    url: server.url,
    async close() {
      await server.close();
      await cleanup();
    },
  };
}

/** openid-client set up for a client of the platform (plain HTTP is allowed: loopback tests only). */
export async function clientConfiguration(platform: Platform, client: Pick<TestClient, 'clientId' | 'clientSecret'> = platform.client): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(platform.issuer), client.clientId, client.clientSecret, undefined, { execute: [oidc.allowInsecureRequests] });
}

/** A tiny cookie jar: the browser part of the flow, done over plain HTTP. */
export class Browser {
  private readonly cookies = new Map<string, string>();

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair!.indexOf('=');
      const name = pair!.slice(0, index).trim();
      const value = pair!.slice(index + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** Posts a form the way a browser does from a page of `origin`. */
  postForm(url: string, fields: Record<string, string>, origin: string): Promise<Response> {
    return this.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin, 'sec-fetch-site': 'same-origin' },
      body: new URLSearchParams(fields),
    });
  }
}

export const csrfOf = (html: string): string => {
  const match = /name="csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error(`no CSRF field in page:\n${html.slice(0, 500)}`);
  return match[1]!;
};

export const absolute = (base: string, location: string | null): string => {
  if (!location) throw new Error('expected a redirect');
  return new URL(location, base).href;
};

export interface AuthorizationRun {
  /** The URL the browser was finally sent to (the client's redirect URI with code and state). */
  callbackUrl: URL;
  codeVerifier: string;
  state: string;
  nonce: string;
  /** Status codes of the login and consent form posts. */
  formStatuses: number[];
  sawConsent: boolean;
}

/**
 * Runs the authorization code flow with PKCE the way a browser would: the
 * authorization request, our login page, our consent page, the redirect back.
 */
export async function authorize(
  platform: Platform,
  options: { scope?: string; browser?: Browser; client?: TestClient; config?: oidc.Configuration; extra?: Record<string, string> } = {},
): Promise<AuthorizationRun> {
  const browser = options.browser ?? new Browser();
  const client = options.client ?? platform.client;
  const config = options.config ?? (await clientConfiguration(platform, client));
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: client.redirectUri,
    scope: options.scope ?? 'openid read',
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...options.extra,
  });
  const flow = await followToRedirect(platform, url.href, client.redirectUri, browser);
  return { ...flow, codeVerifier, state, nonce };
}

/** Plays the person in a browser from `start` until the provider sends them to `redirectUri`. */
export async function followToRedirect(
  platform: Pick<Platform, 'issuer'>,
  start: string,
  redirectUri: string,
  browser: Browser = new Browser(),
): Promise<{ callbackUrl: URL; formStatuses: number[]; sawConsent: boolean }> {
  const origin = new URL(platform.issuer).origin;
  const formStatuses: number[] = [];
  let sawConsent = false;
  let next = start;
  for (let hop = 0; hop < 12; hop++) {
    if (next.startsWith(redirectUri)) return { callbackUrl: new URL(next), formStatuses, sawConsent };
    const response = await browser.fetch(next);
    if (response.status >= 300 && response.status < 400) {
      next = absolute(next, response.headers.get('location'));
      continue;
    }
    const html = await response.text();
    if (response.status !== 200) throw new Error(`unexpected ${response.status} at ${next}:\n${html.slice(0, 400)}`);
    const csrf = csrfOf(html);
    const posted = html.includes('name="password"')
      ? await browser.postForm(`${next}/login`, { csrf, username: 'alice', password: PASSWORD }, origin)
      : ((sawConsent = true), await browser.postForm(`${next}/confirm`, { csrf }, origin));
    formStatuses.push(posted.status);
    next = absolute(next, posted.headers.get('location'));
  }
  throw new Error('the authorization flow did not come back to the client');
}

/** The full flow and the token exchange: tokens as the third-party client receives them. */
export async function obtainTokens(platform: Platform, options: { scope?: string } = {}) {
  const config = await clientConfiguration(platform);
  const run = await authorize(platform, { ...options, config });
  const tokens = await oidc.authorizationCodeGrant(config, run.callbackUrl, {
    pkceCodeVerifier: run.codeVerifier,
    expectedState: run.state,
    expectedNonce: run.nonce,
  });
  return { config, run, tokens };
}

/** POSTs to an endpoint of the authorization server with client_secret_basic. */
export function postAs(platform: Platform, path: string, client: { clientId: string; clientSecret: string }, fields: Record<string, string>): Promise<Response> {
  return fetch(`${platform.issuer}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(fields),
  });
}
