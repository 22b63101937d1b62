import { createServer } from 'node:net';
import * as oidc from 'openid-client';
import type { Boundary } from '../../../kernel/boundary.js';
import { startTestServer, type TestServer } from '../../../tests/harness.js';
import { oauthMethod } from '../index.js';
import type { OAuthMethod } from '../parts.js';
import type { ClientRegistration } from '../provider/clients.js';
import type { AuthorizationServerPart } from '../provider/index.js';
import type { ProviderVariant } from '../provider/settings.js';
import { TEST_ENV } from './env.js';

/*
 * The real authorization server for tests: this project's stack on 127.0.0.1,
 * its real store (set apart for the run), oidc-provider under /oauth and the
 * API's boundaries beside it; openid-client or plain fetch as the client; a
 * tiny cookie jar as the browser. NOTE: helpers like this one may not import
 * vitest: in a CommonJS project they are CommonJS.
 */

export const PASSWORD = 'correct horse battery staple';
export const BOUNDARY_OF: Record<ProviderVariant, string> = { 'authorization-code': 'apps', 'client-credentials': 'services', 'device-code': 'devices' };

export interface TestClient {
  clientId: string;
  clientSecret: string | null;
  redirectUri: string;
}

export interface ProviderServer extends TestServer {
  issuer: string;
  audience: string;
  part: AuthorizationServerPart;
  /** A person who signs in with PASSWORD. */
  addPerson(username: string, scopes?: string[]): Promise<void>;
  /** Registers a client; web clients get `https://app.example.test/callback` unless told otherwise. */
  addClient(registration: Partial<ClientRegistration> & Pick<ClientRegistration, 'type'>): Promise<TestClient>;
  /** A request from a fresh address of its own (the server trusts one proxy), unless `source` names one. */
  post(path: string, fields: Record<string, string>, options?: { client?: Pick<TestClient, 'clientId' | 'clientSecret'>; headers?: Record<string, string>; source?: string }): Promise<Response>;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
}

let sources = 0;
/** A fresh documentation address per caller, so the throttle's per-address count stays out of tests about other things. */
export const freshSource = (): string => {
  sources += 1;
  return `198.18.${Math.floor(sources / 250) % 250}.${(sources % 250) + 1}`;
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export const basic = (client: Pick<TestClient, 'clientId' | 'clientSecret'>): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret ?? '')}`).toString('base64')}`;

/**
 * Starts the server with the given variants, one boundary each (`/apps`,
 * `/services`, `/devices`). The issuer names the server's own port, so the
 * port is chosen first; a race for it is retried.
 */
export async function startProviderServer(options: { variants: ProviderVariant[]; env?: Record<string, string>; boundaries?: Boundary[] }): Promise<ProviderServer> {
  const boundaries = options.boundaries ?? options.variants.map((variant) => ({ id: BOUNDARY_OF[variant], label: variant, accepts: [{ method: 'oauth' as const, variant }] }));
  let server: TestServer | undefined;
  let port = 0;
  for (let attempt = 0; server === undefined; attempt++) {
    port = await freePort();
    try {
      server = await startTestServer({
        methods: [oauthMethod],
        boundaries,
        port,
        env: { ...TEST_ENV, OAUTH_SERVER_ISSUER: `http://127.0.0.1:${port}/oauth`, OAUTH_SERVER_AUDIENCE: `http://127.0.0.1:${port}`, AUTH_TRUST_PROXY: '1', ...options.env },
      });
    } catch (error) {
      if ((error as { code?: string }).code !== 'EADDRINUSE' || attempt >= 5) throw error;
    }
  }
  const running = server;
  const part = running.auth.method<OAuthMethod>('oauth').part<AuthorizationServerPart>('authorization-server');
  const issuer = `http://127.0.0.1:${port}/oauth`;
  return {
    ...running,
    issuer,
    audience: `http://127.0.0.1:${port}`,
    part,
    async addPerson(username, scopes = ['read', 'write']) {
      await part.accounts.create({ username, password: PASSWORD, scopes });
    },
    async addClient(registration) {
      const redirectUris = registration.type === 'web' ? (registration.redirectUris ?? ['https://app.example.test/callback']) : [];
      const { client, clientSecret } = await part.clients.register({ name: 'Test App', scopes: ['openid', 'offline_access', 'read', 'write', 'admin'], ...registration, redirectUris });
      return { clientId: client.clientId, clientSecret, redirectUri: redirectUris[0] ?? '' };
    },
    post(path, fields, options = {}) {
      return fetch(`${issuer}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-forwarded-for': options.source ?? freshSource(),
          ...(options.client ? { authorization: basic(options.client) } : {}),
          ...options.headers,
        },
        body: new URLSearchParams(fields),
      });
    },
    get(path, headers = {}) {
      return fetch(`${running.url}${path}`, { headers: { 'x-forwarded-for': freshSource(), ...headers } });
    },
  };
}

/** The fake-timer controls of the test runner (vitest's `vi`), passed in: helpers cannot import it. */
export interface FakeDate {
  useFakeTimers(config: { toFake: 'Date'[]; now: number }): unknown;
  setSystemTime(now: number): unknown;
  isFakeTimers(): boolean;
  useRealTimers(): unknown;
}

/**
 * Time travel for tests: oidc-provider reads the process's Date, the package
 * the server's clock, so both move together. `restore` (after each test) puts
 * Date back and brings the server clocks back to it.
 */
export function timeTravel(vi: FakeDate): { travel(server: TestServer, seconds: number): void; restore(): void } {
  const moved = new Set<TestServer>();
  return {
    travel(server, seconds) {
      const target = Date.now() + seconds * 1000;
      if (vi.isFakeTimers()) vi.setSystemTime(target);
      else vi.useFakeTimers({ toFake: ['Date'], now: target });
      server.clock.advance(target - server.clock.now().getTime());
      moved.add(server);
    },
    restore() {
      vi.useRealTimers();
      for (const server of moved) server.clock.advance(Date.now() - server.clock.now().getTime());
      moved.clear();
    },
  };
}

/** openid-client set up for a client of the server (plain HTTP allowed: loopback tests only). */
export async function clientConfiguration(server: Pick<ProviderServer, 'issuer'>, client: Pick<TestClient, 'clientId' | 'clientSecret'>): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(server.issuer), client.clientId, client.clientSecret ?? undefined, client.clientSecret === null ? oidc.None() : undefined, {
    execute: [oidc.allowInsecureRequests],
  });
}

/** A tiny cookie jar from one address: the browser part of the flows, over plain HTTP. */
export class Browser {
  private readonly cookies = new Map<string, string>();
  readonly source = freshSource();

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('x-forwarded-for', this.source);
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** Posts a form as a browser does from a page of `origin`. */
  postForm(url: string, fields: Record<string, string>, origin: string): Promise<Response> {
    return this.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin, 'sec-fetch-site': 'same-origin' },
      body: new URLSearchParams(fields),
    });
  }
}

export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error(`no CSRF field in the page:\n${html.slice(0, 500)}`);
  return match[1]!;
}

export function absolute(base: string, location: string | null): string {
  if (!location) throw new Error('expected a redirect');
  return new URL(location, base).href;
}

export interface FlowRun {
  /** Where the browser was finally sent (the client's redirect URI with code and state). */
  callbackUrl: URL;
  /** Status codes of the sign-in and consent form posts. */
  formStatuses: number[];
  sawConsent: boolean;
}

/** Plays the person in a browser from `start` until the server sends them to `redirectUri`, signing in as `username`. */
export async function followToRedirect(
  server: Pick<ProviderServer, 'issuer'>,
  start: string,
  redirectUri: string,
  options: { browser?: Browser; username?: string; password?: string } = {},
): Promise<FlowRun> {
  const browser = options.browser ?? new Browser();
  const origin = new URL(server.issuer).origin;
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
    let posted: Response;
    if (html.includes('name="password"')) {
      posted = await browser.postForm(`${next}/login`, { _csrf: csrf, username: options.username ?? 'alice', password: options.password ?? PASSWORD }, origin);
    } else {
      sawConsent = true;
      posted = await browser.postForm(`${next}/confirm`, { _csrf: csrf }, origin);
    }
    formStatuses.push(posted.status);
    if (posted.status !== 303) throw new Error(`the form post answered ${posted.status}:\n${(await posted.text()).slice(0, 400)}`);
    next = absolute(next, posted.headers.get('location'));
  }
  throw new Error('the authorization flow did not come back to the client');
}

export interface AuthorizationRun extends FlowRun {
  codeVerifier: string;
  state: string;
}

/** The authorization code flow with PKCE, as a browser runs it. */
export async function authorize(
  server: ProviderServer,
  client: TestClient,
  options: { scope?: string; browser?: Browser; username?: string; extra?: Record<string, string> } = {},
): Promise<AuthorizationRun> {
  const config = await clientConfiguration(server, client);
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: client.redirectUri,
    scope: options.scope ?? 'read',
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    ...options.extra,
  });
  const flow = await followToRedirect(server, url.href, client.redirectUri, options);
  return { ...flow, codeVerifier, state };
}

/** The whole flow and the code exchange, through openid-client: tokens as a third-party client receives them. */
export async function obtainTokens(server: ProviderServer, client: TestClient, options: { scope?: string; username?: string; browser?: Browser } = {}) {
  const config = await clientConfiguration(server, client);
  const run = await authorize(server, client, options);
  const tokens = await oidc.authorizationCodeGrant(config, run.callbackUrl, { pkceCodeVerifier: run.codeVerifier, expectedState: run.state });
  return { config, run, tokens };
}

/** The OAuth error code of a rejected openid-client call. */
export async function oauthError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return String((error as { error?: string; code?: string }).error ?? (error as Error).message);
  }
  throw new Error('expected the call to be refused');
}
