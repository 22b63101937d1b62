import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CONNECTION_COOKIE, SIGN_IN_COOKIE } from '../client/routes.js';
import { APP_URL, approveAtProvider, Browser, hashed, locationOf, startRig, type Rig } from './client-support.js';

/*
 * Client mode's routes over real HTTP on this project's stack and store,
 * connected to a real oidc-provider on 127.0.0.1: connect, callback, the
 * connection, disconnect; the browser only ever holds an opaque cookie.
 */
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let rig: Rig;

beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig?.close();
});

/** GET /connections/connect, sign in and approve at the provider; returns where the browser came back to (not yet followed). */
async function connectUntilCallback(browser: Browser): Promise<URL> {
  const connect = await browser.fetch(`${APP_URL}/connections/connect`);
  expect(connect.status).toBe(303);
  const authorization = new URL(locationOf(connect, APP_URL));
  expect(authorization.href.startsWith(`${rig.issuer}/`)).toBe(true);
  expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authorization.searchParams.get('state')).toBeTruthy();
  expect(authorization.searchParams.get('nonce')).toBeTruthy();
  expect(browser.cookies.has(SIGN_IN_COOKIE)).toBe(true);
  return approveAtProvider(browser, authorization.href);
}

const attributesOf = (line: string) => line.split(';').slice(1).map((part) => part.trim().toLowerCase());

describe('connect → callback → connection → disconnect, over HTTP', () => {
  it('runs the whole flow; the browser only ever sees an opaque HttpOnly cookie', async () => {
    const browser = new Browser(rig.appUrl);
    expect((await browser.fetch(`${APP_URL}/health`)).status).toBe(200);
    expect((await browser.fetch(`${APP_URL}/connections/me`)).status).toBe(401);

    const callback = await browser.fetch((await connectUntilCallback(browser)).href);
    expect(callback.status).toBe(303);
    expect(callback.headers.get('location')).toBe('/connections/connection');
    expect(callback.headers.get('cache-control')).toBe('no-store');
    const connectionId = browser.cookies.get(CONNECTION_COOKIE);
    expect(connectionId).toMatch(/^oc_[A-Za-z0-9_-]{43}$/);

    const connection = await browser.fetch(`${APP_URL}/connections/connection`);
    expect(connection.status).toBe(200);
    expect(connection.headers.get('cache-control')).toBe('no-store');
    const { csrfToken, ...shown } = (await connection.json()) as { csrfToken: string; subject: string };
    expect(shown).toEqual({ subject: 'alice', issuer: rig.issuer, scopes: ['openid', 'read'] });
    expect((await (await browser.fetch(`${APP_URL}/connections/me`)).json()) as object).toMatchObject({ subject: 'alice', method: 'oauth', variant: 'client', kind: 'person', issuer: rig.issuer });
    // Granted openid and read, not admin.
    expect((await browser.fetch(`${APP_URL}/connections/admin`)).status).toBe(403);

    const stored = await rig.store.find('oauth-connection', hashed(connectionId!));
    const tokens = [String(stored!.value.accessToken), String(stored!.value.refreshToken)];
    for (const token of tokens) {
      for (const body of browser.bodies) expect(body).not.toContain(token);
      for (const line of browser.setCookies) expect(line).not.toContain(token);
    }
    // 3.1 for this app's cookies: __Host-, Secure, HttpOnly, SameSite=Lax, Path=/, no Domain.
    const appCookies = browser.setCookies.filter((line) => line.startsWith('__Host-oauth-'));
    expect(appCookies.length).toBeGreaterThanOrEqual(2);
    for (const line of appCookies) {
      expect(attributesOf(line)).toEqual(expect.arrayContaining(['path=/', 'secure', 'httponly', 'samesite=lax']));
      expect(attributesOf(line).some((attribute) => attribute.startsWith('domain='))).toBe(false);
    }

    // Disconnecting is a state change by cookie: the kernel's CSRF rules apply.
    const post = (headers: Record<string, string>) => browser.fetch(`${APP_URL}/connections/disconnect`, { method: 'POST', headers });
    expect((await post({})).status).toBe(403);
    expect((await post({ 'x-csrf-token': 'guess' })).status).toBe(403);
    expect((await post({ 'x-csrf-token': csrfToken, origin: 'https://evil.example.test' })).status).toBe(403);
    expect((await post({ 'x-csrf-token': csrfToken, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await browser.fetch(`${APP_URL}/connections/disconnect`)).status).toBe(404);
    expect(await rig.introspect(tokens[0]!)).toMatchObject({ active: true });

    const disconnect = await post({ 'x-csrf-token': csrfToken, 'sec-fetch-site': 'same-origin' });
    expect(disconnect.status).toBe(200);
    expect(browser.cookies.has(CONNECTION_COOKIE)).toBe(false);
    expect(await rig.introspect(tokens[0]!)).toEqual({ active: false });
    expect(await rig.introspect(tokens[1]!)).toEqual({ active: false });
    expect(await rig.store.find('oauth-connection', hashed(connectionId!))).toBeNull();

    // The old cookie is worthless now.
    const replay = await fetch(`${rig.appUrl}/connections/me`, { headers: { cookie: `${CONNECTION_COOKIE}=${connectionId}` } });
    expect(replay.status).toBe(401);
  });

  it('4.11 a callback with a forged state → 400, no connection cookie, no token request', async () => {
    const browser = new Browser(rig.appUrl);
    const callbackUrl = await connectUntilCallback(browser);
    callbackUrl.searchParams.set('state', 'forged');
    const before = rig.tokenRequests();
    const callback = await browser.fetch(callbackUrl.href);
    expect(callback.status).toBe(400);
    expect(callback.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(browser.cookies.has(CONNECTION_COOKIE)).toBe(false);
    expect(rig.tokenRequests()).toBe(before);
  });

  it("4.11 a callback in a browser that did not start the sign-in (login CSRF) → 400, the victim's browser stays unconnected", async () => {
    const attacker = new Browser(rig.appUrl);
    const callbackUrl = await connectUntilCallback(attacker);
    const victim = new Browser(rig.appUrl);
    const before = rig.tokenRequests();
    expect((await victim.fetch(callbackUrl.href)).status).toBe(400);
    expect(victim.cookies.has(CONNECTION_COOKIE)).toBe(false);
    expect(rig.tokenRequests()).toBe(before);
  });

  it('a connection the provider ended is dropped on its next use; its cookie then gets 401', async () => {
    const browser = new Browser(rig.appUrl);
    await browser.fetch((await connectUntilCallback(browser)).href);
    const connectionId = browser.cookies.get(CONNECTION_COOKIE)!;
    const stored = await rig.store.find('oauth-connection', hashed(connectionId));
    await rig.postAsClient('/token/revocation', { token: String(stored!.value.refreshToken), token_type_hint: 'refresh_token' });
    await rig.postAsClient('/token/revocation', { token: String(stored!.value.accessToken), token_type_hint: 'access_token' });
    await rig.connector.userInfo(connectionId).catch(() => null);
    expect((await browser.fetch(`${APP_URL}/connections/me`)).status).toBe(401);
  });

  it('a connection id in the URL is refused as leaked', async () => {
    const reply = await fetch(`${rig.appUrl}/connections/me?c=oc_${'a'.repeat(43)}`);
    expect(reply.status).toBe(401);
    expect(await reply.json()).toMatchObject({ type: expect.stringMatching(/:credential-in-url$/) });
  });
});
