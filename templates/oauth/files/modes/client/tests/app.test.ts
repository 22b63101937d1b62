import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CONNECTION_COOKIE, LOGIN_COOKIE } from '../core/routes.js';
import { approveAtProvider, Browser, locationOf, startRig, type Rig } from './harness.js';

// This app's routes over real HTTP, connected to a real oidc-provider on 127.0.0.1.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let rig: Rig;

beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig?.close();
});

/** GET /connect, sign in and approve at the provider; returns where the browser came back to (not yet followed). */
async function connectUntilCallback(browser: Browser): Promise<URL> {
  const connect = await browser.fetch(`${rig.appUrl}/connect`);
  expect(connect.status).toBe(303);
  const authorization = new URL(locationOf(connect, rig.appUrl));
  expect(authorization.href.startsWith(`${rig.issuer}/`)).toBe(true);
  expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authorization.searchParams.get('state')).toBeTruthy();
  expect(authorization.searchParams.get('nonce')).toBeTruthy();
  expect(browser.cookies.has(LOGIN_COOKIE)).toBe(true);
  return approveAtProvider(browser, authorization.href, rig.redirectUri);
}

const attributesOf = (line: string) => line.split(';').slice(1).map((part) => part.trim().toLowerCase());

describe('connect → callback → API call → disconnect, over HTTP', () => {
  it('runs the whole flow; the browser only ever sees an opaque HttpOnly cookie', async () => {
    const browser = new Browser();
    expect((await browser.fetch(`${rig.appUrl}/health`)).status).toBe(200);
    expect((await browser.fetch(`${rig.appUrl}/me`)).status).toBe(401);
    expect((await browser.fetch(`${rig.appUrl}/admin`)).status).toBe(401);

    const callbackUrl = await connectUntilCallback(browser);
    const callback = await browser.fetch(callbackUrl.href);
    expect(callback.status).toBe(303);
    expect(callback.headers.get('location')).toBe('/me');
    expect(callback.headers.get('cache-control')).toBe('no-store');
    expect(browser.cookies.has(LOGIN_COOKIE)).toBe(false);
    const connectionId = browser.cookies.get(CONNECTION_COOKIE);
    expect(connectionId).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // The API call: /me asks the provider's userinfo endpoint, with the token kept on the server.
    const me = await browser.fetch(`${rig.appUrl}/me`);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ subject: 'alice', issuer: rig.issuer, scopes: expect.arrayContaining(['openid', 'read']), profile: { sub: 'alice' } });
    // Granted openid and read, not admin.
    expect((await browser.fetch(`${rig.appUrl}/admin`)).status).toBe(403);

    const stored = await rig.store.find('Connection', connectionId!);
    const tokens = [String(stored!.accessToken), String(stored!.refreshToken)];
    for (const token of tokens) {
      for (const body of browser.bodies) expect(body).not.toContain(token);
      for (const line of browser.setCookies) expect(line).not.toContain(token);
    }
    // Every cookie this app sets: __Host-, Secure, HttpOnly, SameSite=Lax, Path=/, no Domain.
    const appCookies = browser.setCookies.filter((line) => line.startsWith('__Host-oauth-'));
    expect(appCookies.length).toBeGreaterThanOrEqual(3);
    for (const line of appCookies) {
      const attributes = attributesOf(line);
      expect(attributes).toEqual(expect.arrayContaining(['path=/', 'secure', 'httponly', 'samesite=lax']));
      expect(attributes.some((attribute) => attribute.startsWith('domain='))).toBe(false);
    }

    // Disconnect is a POST from this app's own pages only.
    expect((await browser.fetch(`${rig.appUrl}/disconnect`, { method: 'POST' })).status).toBe(403);
    expect((await browser.fetch(`${rig.appUrl}/disconnect`, { method: 'POST', headers: { origin: 'https://evil.example.test' } })).status).toBe(403);
    expect((await browser.fetch(`${rig.appUrl}/disconnect`, { method: 'POST', headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
    expect((await browser.fetch(`${rig.appUrl}/disconnect`)).status).toBe(404);
    expect(await rig.introspect(tokens[0]!)).toMatchObject({ active: true });

    const disconnect = await browser.fetch(`${rig.appUrl}/disconnect`, { method: 'POST', headers: { origin: rig.appUrl } });
    expect(disconnect.status).toBe(200);
    expect(browser.cookies.has(CONNECTION_COOKIE)).toBe(false);
    expect(await rig.introspect(tokens[0]!)).toEqual({ active: false });
    expect(await rig.introspect(tokens[1]!)).toEqual({ active: false });
    expect(await rig.store.find('Connection', connectionId!)).toBeUndefined();

    // The old cookie is worthless now.
    const replay = await fetch(`${rig.appUrl}/me`, { headers: { cookie: `${CONNECTION_COOKIE}=${connectionId}` } });
    expect(replay.status).toBe(401);
  });

  it('a callback with a forged state → 400, no connection cookie, no token request', async () => {
    const browser = new Browser();
    const callbackUrl = await connectUntilCallback(browser);
    callbackUrl.searchParams.set('state', 'forged');
    const before = rig.tokenRequests();
    const callback = await browser.fetch(callbackUrl.href);
    expect(callback.status).toBe(400);
    expect(browser.cookies.has(CONNECTION_COOKIE)).toBe(false);
    expect(rig.tokenRequests()).toBe(before);
  });

  it("a callback in a browser that did not start the sign-in (login CSRF) → 400, the victim's browser stays unconnected", async () => {
    const attacker = new Browser();
    const callbackUrl = await connectUntilCallback(attacker);
    const victim = new Browser();
    const before = rig.tokenRequests();
    expect((await victim.fetch(callbackUrl.href)).status).toBe(400);
    expect(victim.cookies.has(CONNECTION_COOKIE)).toBe(false);
    expect(rig.tokenRequests()).toBe(before);
  });

  it('a connection revoked at the provider → /me answers 401 and clears the cookie', async () => {
    const browser = new Browser();
    await browser.fetch((await connectUntilCallback(browser)).href);
    const connectionId = browser.cookies.get(CONNECTION_COOKIE)!;
    const stored = await rig.store.find('Connection', connectionId);
    await rig.postAsClient('/token/revocation', { token: String(stored!.refreshToken), token_type_hint: 'refresh_token' });
    await rig.postAsClient('/token/revocation', { token: String(stored!.accessToken), token_type_hint: 'access_token' });
    expect((await browser.fetch(`${rig.appUrl}/me`)).status).toBe(401);
    expect(browser.cookies.has(CONNECTION_COOKIE)).toBe(false);
  });
});
