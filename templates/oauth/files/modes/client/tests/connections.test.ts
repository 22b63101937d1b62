import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createConnector, type ConnectionError } from '../core/connections.js';
import { approveAtProvider, Browser, OTHER_CLIENT, startRig, type Rig } from './harness.js';

// The other provider is a real oidc-provider on 127.0.0.1; every protocol step goes over HTTP.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let rig: Rig;

beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig?.close();
});

/** Starts a sign-in and lets the person approve it; returns the login id and where the browser came back. */
async function signIn(): Promise<{ loginId: string; callbackUrl: URL }> {
  const { loginId, url } = await rig.connector.start();
  expect(url.searchParams.get('code_challenge_method')).toBe('S256');
  expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(url.searchParams.get('state')).toBeTruthy();
  expect(url.searchParams.get('nonce')).toBeTruthy();
  const callbackUrl = await approveAtProvider(new Browser(), url.href, rig.redirectUri);
  return { loginId, callbackUrl };
}

/**
 * The ConnectionError a call failed with. NOTE: checked by name, not instanceof: in a CommonJS project
 * these ES-module tests and the harness's require() chain can load core/connections twice, so the same
 * error may come from a second copy of the class.
 */
const failureOf = async (promise: Promise<unknown>): Promise<ConnectionError> => {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(Error);
  expect(error).toMatchObject({ name: 'ConnectionError', failure: expect.any(String) });
  return error as ConnectionError;
};

/** A server on 127.0.0.1:0 answering with `listener`. */
async function listen(listener: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
const close = (server: Server) => new Promise((resolve) => server.close(resolve));

describe('4.11 the callback is checked before any token request', () => {
  it.each([
    ['a wrong state', (url: URL) => url.searchParams.set('state', 'forged-state')],
    ['a missing state', (url: URL) => url.searchParams.delete('state')],
    ['an unexpected iss', (url: URL) => url.searchParams.set('iss', 'https://evil.example.test')],
    ['a missing iss (the provider announces it sends one)', (url: URL) => url.searchParams.delete('iss')],
  ])('%s → refused, and the code never reached the token endpoint', async (_name, tamper) => {
    const { loginId, callbackUrl } = await signIn();
    const tampered = new URL(callbackUrl);
    tamper(tampered);
    const before = rig.tokenRequests();
    expect((await failureOf(rig.connector.finish(loginId, tampered))).failure).toBe('refused');
    expect(rig.tokenRequests()).toBe(before);
  });

  it('a login id works once, and an unknown one is refused before anything else', async () => {
    const { loginId, callbackUrl } = await signIn();
    await rig.connector.finish(loginId, callbackUrl);
    const before = rig.tokenRequests();
    expect((await failureOf(rig.connector.finish(loginId, callbackUrl))).failure).toBe('expired');
    expect((await failureOf(rig.connector.finish('no-such-login', callbackUrl))).failure).toBe('expired');
    expect(rig.tokenRequests()).toBe(before);
  });

  it('the provider reporting an error (the person declined) → refused, no token request', async () => {
    const { loginId, url } = await rig.connector.start();
    const declined = new URL(rig.redirectUri);
    declined.searchParams.set('error', 'access_denied');
    declined.searchParams.set('state', url.searchParams.get('state')!);
    declined.searchParams.set('iss', rig.issuer);
    const before = rig.tokenRequests();
    expect((await failureOf(rig.connector.finish(loginId, declined))).failure).toBe('refused');
    expect(rig.tokenRequests()).toBe(before);
  });
});

describe('4.12 issuer, nonce and audience are checked; tokens stay on the server', () => {
  it('a nonce mismatch → refused at the token exchange, no connection kept', async () => {
    const { loginId, callbackUrl } = await signIn();
    const pending = await rig.store.find('PendingLogin', loginId);
    await rig.store.upsert('PendingLogin', loginId, { ...pending, nonce: 'another-nonce' }, Date.now() + 60_000);
    const connections = (await rig.store.list('Connection')).length;
    const error = await failureOf(rig.connector.finish(loginId, callbackUrl));
    expect(error.failure).toBe('refused');
    expect(error.message).toMatch(/nonce/);
    expect(await rig.store.list('Connection')).toHaveLength(connections);
  });

  it('a discovery document naming another issuer → refused before any sign-in starts', async () => {
    const metadata = (await (await fetch(`${rig.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    const impostor = await listen((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(metadata));
    });
    try {
      const connector = createConnector({ issuer: impostor.url, ...rig.client, redirectUri: rig.redirectUri, scope: 'openid', store: rig.store, allowInsecureHttp: true });
      expect((await failureOf(connector.start())).failure).toBe('provider');
    } finally {
      await close(impostor.server);
    }
  });

  it('an ID token issued to another client (aud) → refused, even with the right nonce and a valid signature', async () => {
    // A second, real client of the same provider signs in with the nonce of our pending login, so its
    // ID token differs from what we expect only in `aud`. A tampering hop on the way back from the
    // token endpoint then hands that ID token to us in place of our own.
    const { loginId, callbackUrl } = await signIn();
    const pending = await rig.store.find('PendingLogin', loginId);
    const connections = (await rig.store.list('Connection')).length;
    const foreignIdToken = await idTokenForAnotherClient(String(pending!.nonce));

    const connector = createConnector({ issuer: rig.issuer, ...rig.client, redirectUri: rig.redirectUri, scope: 'openid read', store: rig.store, allowInsecureHttp: true });
    const config = await connector.configuration();
    const tokenEndpoint = config.serverMetadata().token_endpoint;
    config[oidc.customFetch] = async (url, init) => {
      const response = await fetch(url, init);
      if (url !== tokenEndpoint) return response;
      const body = (await response.json()) as Record<string, unknown>;
      return new Response(JSON.stringify({ ...body, id_token: foreignIdToken }), { status: response.status, headers: { 'content-type': 'application/json' } });
    };
    const error = await failureOf(connector.finish(loginId, callbackUrl));
    expect(error.failure).toBe('refused');
    expect(error.message).toMatch(/"aud"/);
    expect(await rig.store.list('Connection')).toHaveLength(connections);
  });

  it('the caller gets an opaque connection id only; the tokens are in the store', async () => {
    const { loginId, callbackUrl } = await signIn();
    const handle = await rig.connector.finish(loginId, callbackUrl);
    expect(Object.keys(handle).sort()).toEqual(['connectionId', 'subject']);
    expect(handle.subject).toBe('alice');
    expect(handle.connectionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await rig.store.find('Connection', handle.connectionId);
    expect(stored?.accessToken).toBeTruthy();
    expect(stored?.refreshToken).toBeTruthy();
    const visible = JSON.stringify([handle, await rig.connector.find(handle.connectionId), await rig.connector.list()]);
    expect(visible).not.toContain(String(stored!.accessToken));
    expect(visible).not.toContain(String(stored!.refreshToken));
  });
});

/** The ID token a real second client of the provider receives for a sign-in that carried `nonce`. */
async function idTokenForAnotherClient(nonce: string): Promise<string> {
  const config = await oidc.discovery(new URL(rig.issuer), OTHER_CLIENT.clientId, undefined, oidc.ClientSecretBasic(OTHER_CLIENT.clientSecret), { execute: [oidc.allowInsecureRequests] });
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: rig.redirectUri,
    scope: 'openid',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const callbackUrl = await approveAtProvider(new Browser(), url.href, rig.redirectUri);
  const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
  return tokens.id_token!;
}

describe('refresh and disconnect', () => {
  it('an expiring access token is refreshed server-side (the refresh token rotates); concurrent callers share one refresh', async () => {
    const { loginId, callbackUrl } = await signIn();
    const { connectionId } = await rig.connector.finish(loginId, callbackUrl);
    const first = await rig.store.find('Connection', connectionId);
    expect(await rig.connector.accessToken(connectionId)).toBe(first!.accessToken);

    await rig.store.upsert('Connection', connectionId, { ...first, expiresAt: Date.now() - 1 }, null);
    const before = rig.tokenRequests();
    const [a, b] = await Promise.all([rig.connector.accessToken(connectionId), rig.connector.accessToken(connectionId)]);
    expect(a).toBe(b);
    expect(a).not.toBe(first!.accessToken);
    expect(rig.tokenRequests()).toBe(before + 1);
    const second = await rig.store.find('Connection', connectionId);
    expect(second!.refreshToken).not.toBe(first!.refreshToken);
    expect(await rig.introspect(a)).toMatchObject({ active: true, sub: 'alice' });
    // The call the connection exists for: the provider's API, as the person.
    expect(await rig.connector.userInfo(connectionId)).toMatchObject({ sub: 'alice' });
  });

  it('disconnect revokes at the provider (introspection reports inactive) and deletes the tokens here', async () => {
    const { loginId, callbackUrl } = await signIn();
    const { connectionId } = await rig.connector.finish(loginId, callbackUrl);
    const stored = await rig.store.find('Connection', connectionId);
    expect(await rig.introspect(String(stored!.accessToken))).toMatchObject({ active: true });

    await rig.connector.disconnect(connectionId);
    expect(await rig.store.find('Connection', connectionId)).toBeUndefined();
    expect(await rig.introspect(String(stored!.accessToken))).toEqual({ active: false });
    expect(await rig.introspect(String(stored!.refreshToken))).toEqual({ active: false });
    const refresh = await rig.postAsClient('/token', { grant_type: 'refresh_token', refresh_token: String(stored!.refreshToken) });
    expect(((await refresh.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('access revoked at the provider → the connection is dropped on next use', async () => {
    const { loginId, callbackUrl } = await signIn();
    const { connectionId } = await rig.connector.finish(loginId, callbackUrl);
    const stored = await rig.store.find('Connection', connectionId);
    await rig.postAsClient('/token/revocation', { token: String(stored!.refreshToken), token_type_hint: 'refresh_token' });
    await rig.postAsClient('/token/revocation', { token: String(stored!.accessToken), token_type_hint: 'access_token' });
    expect((await failureOf(rig.connector.userInfo(connectionId))).failure).toBe('not-connected');
    expect(await rig.connector.find(connectionId)).toBeNull();
  });
});
