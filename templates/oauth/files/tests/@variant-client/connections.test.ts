import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createConnector, type ConnectionError } from '../client/connections.js';
import { APP_URL, approveAtProvider, Browser, hashed, OTHER_CLIENT, REDIRECT_URI, startRig, type Rig } from './client-support.js';

/*
 * OAuth client mode, checklist 4.11 and 4.12: the other provider is a real
 * oidc-provider on 127.0.0.1; every protocol step goes over HTTP. Where a test
 * needs a hostile provider, it tampers with real answers on their way back.
 */
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let rig: Rig;

beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig?.close();
});

const PENDING = 'oauth-pending-sign-in';
const CONNECTION = 'oauth-connection';

/** Starts a sign-in and lets the person approve it; returns the login id and where the browser came back. */
async function signIn(): Promise<{ loginId: string; callbackUrl: URL }> {
  const { loginId, url } = await rig.connector.start('connections');
  expect(url.searchParams.get('code_challenge_method')).toBe('S256');
  expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(url.searchParams.get('state')).toBeTruthy();
  expect(url.searchParams.get('nonce')).toBeTruthy();
  expect(url.searchParams.get('redirect_uri')).toBe(REDIRECT_URI);
  const callbackUrl = await approveAtProvider(new Browser(rig.appUrl), url.href);
  return { loginId, callbackUrl };
}

/**
 * The ConnectionError a call failed with. NOTE: checked by name, not instanceof: in a CommonJS project
 * these ES-module tests and the helpers' require() chain can load client/connections twice.
 */
const failureOf = async (promise: Promise<unknown>): Promise<ConnectionError> => {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(Error);
  expect(error).toMatchObject({ name: 'ConnectionError', failure: expect.any(String) });
  return error as ConnectionError;
};

const connectorLike = (issuer: string) =>
  createConnector({ issuer, clientId: 'practice-connect', clientSecret: rig.practice.connect.clientSecret, appUrl: APP_URL, scope: 'openid read', store: rig.store, clock: rig.app.clock, allowInsecureHttp: true });

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
    expect((await failureOf(rig.connector.finish(loginId, 'connections', tampered))).failure).toBe('refused');
    expect(rig.tokenRequests()).toBe(before);
  });

  it('a login id works once, only at its own boundary, and an unknown one is refused before anything else', async () => {
    const { loginId, callbackUrl } = await signIn();
    await rig.connector.finish(loginId, 'connections', callbackUrl);
    const before = rig.tokenRequests();
    expect((await failureOf(rig.connector.finish(loginId, 'connections', callbackUrl))).failure).toBe('expired');
    expect((await failureOf(rig.connector.finish('no-such-login', 'connections', callbackUrl))).failure).toBe('expired');
    const other = await signIn();
    expect((await failureOf(rig.connector.finish(other.loginId, 'elsewhere', other.callbackUrl))).failure).toBe('expired');
    expect(rig.tokenRequests()).toBe(before);
  });

  it('a sign-in older than ten minutes (by the app\'s clock) is refused', async () => {
    const { loginId, callbackUrl } = await signIn();
    rig.app.clock.advance(601_000);
    try {
      expect((await failureOf(rig.connector.finish(loginId, 'connections', callbackUrl))).failure).toBe('expired');
    } finally {
      rig.app.clock.advance(-601_000);
    }
  });

  it('the provider reporting an error (the person declined) → refused, no token request', async () => {
    const { loginId, url } = await rig.connector.start('connections');
    const declined = new URL(REDIRECT_URI);
    declined.searchParams.set('error', 'access_denied');
    declined.searchParams.set('state', url.searchParams.get('state')!);
    declined.searchParams.set('iss', rig.issuer);
    const before = rig.tokenRequests();
    expect((await failureOf(rig.connector.finish(loginId, 'connections', declined))).failure).toBe('refused');
    expect(rig.tokenRequests()).toBe(before);
  });
});

describe('4.12 issuer, nonce and audience are checked; tokens stay on the server', () => {
  it('a nonce mismatch → refused at the token exchange, no connection kept', async () => {
    const { loginId, callbackUrl } = await signIn();
    const pending = await rig.store.find(PENDING, hashed(loginId));
    await rig.store.upsert(PENDING, hashed(loginId), { ...pending!.value, nonce: 'another-nonce' });
    const connections = (await rig.store.list(CONNECTION)).length;
    const error = await failureOf(rig.connector.finish(loginId, 'connections', callbackUrl));
    expect(error.failure).toBe('refused');
    expect(error.message).toMatch(/nonce/);
    expect(await rig.store.list(CONNECTION)).toHaveLength(connections);
  });

  it('a discovery document naming another issuer → refused before any sign-in starts', async () => {
    const metadata = (await (await fetch(`${rig.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    const impostor: Server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(metadata));
    });
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    try {
      const connector = connectorLike(`http://127.0.0.1:${(impostor.address() as AddressInfo).port}`);
      expect((await failureOf(connector.start('connections'))).failure).toBe('provider');
    } finally {
      await new Promise((resolve) => impostor.close(resolve));
    }
  });

  it('an ID token issued to another client (aud) → refused, even with the right nonce and a valid signature', async () => {
    // A second, real client of the same provider signs in with the nonce of our pending sign-in, so its
    // ID token differs from what we expect only in `aud`. A tampering hop on the way back from the
    // token endpoint then hands that ID token to us in place of our own.
    const { loginId, callbackUrl } = await signIn();
    const pending = await rig.store.find(PENDING, hashed(loginId));
    const connections = (await rig.store.list(CONNECTION)).length;
    const foreignIdToken = await idTokenForAnotherClient(String(pending!.value.nonce));

    const connector = connectorLike(rig.issuer);
    const config = await connector.configuration();
    const tokenEndpoint = config.serverMetadata().token_endpoint;
    config[oidc.customFetch] = async (url, init) => {
      const response = await fetch(url, init);
      if (url !== tokenEndpoint) return response;
      const body = (await response.json()) as Record<string, unknown>;
      return new Response(JSON.stringify({ ...body, id_token: foreignIdToken }), { status: response.status, headers: { 'content-type': 'application/json' } });
    };
    const error = await failureOf(connector.finish(loginId, 'connections', callbackUrl));
    expect(error.failure).toBe('refused');
    expect(error.message).toMatch(/"aud"/);
    expect(await rig.store.list(CONNECTION)).toHaveLength(connections);
  });

  it('the caller gets an opaque connection id only; the store keeps the tokens under a hash of it', async () => {
    const { loginId, callbackUrl } = await signIn();
    const { connectionId, connection } = await rig.connector.finish(loginId, 'connections', callbackUrl);
    expect(connection.subject).toBe('alice');
    expect(connectionId).toMatch(/^oc_[A-Za-z0-9_-]{43}$/);
    expect(await rig.store.find(CONNECTION, connectionId)).toBeNull();
    const stored = await rig.store.find(CONNECTION, hashed(connectionId));
    expect(stored?.value.accessToken).toBeTruthy();
    expect(stored?.value.refreshToken).toBeTruthy();
    const visible = JSON.stringify([connection, await rig.connector.find(connectionId), await rig.connector.list()]);
    expect(visible).not.toContain(String(stored!.value.accessToken));
    expect(visible).not.toContain(String(stored!.value.refreshToken));
    expect(visible).not.toContain(connectionId);
  });
});

/** The ID token a real second client of the provider receives for a sign-in that carried `nonce`. */
async function idTokenForAnotherClient(nonce: string): Promise<string> {
  const config = await oidc.discovery(new URL(rig.issuer), OTHER_CLIENT.clientId, undefined, oidc.ClientSecretBasic(OTHER_CLIENT.clientSecret), { execute: [oidc.allowInsecureRequests] });
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const callbackUrl = await approveAtProvider(new Browser(rig.appUrl), url.href);
  const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
  return tokens.id_token!;
}

describe('refresh and disconnect', () => {
  it('an expiring access token is refreshed server-side (the refresh token rotates); concurrent callers share one refresh', async () => {
    const { loginId, callbackUrl } = await signIn();
    const { connectionId } = await rig.connector.finish(loginId, 'connections', callbackUrl);
    const first = await rig.store.find(CONNECTION, hashed(connectionId));
    expect(await rig.connector.accessToken(connectionId)).toBe(first!.value.accessToken);

    rig.app.clock.advance(3_600_000);
    try {
      const before = rig.tokenRequests();
      const [a, b] = await Promise.all([rig.connector.accessToken(connectionId), rig.connector.accessToken(connectionId)]);
      expect(a).toBe(b);
      expect(a).not.toBe(first!.value.accessToken);
      expect(rig.tokenRequests()).toBe(before + 1);
      const second = await rig.store.find(CONNECTION, hashed(connectionId));
      expect(second!.value.refreshToken).not.toBe(first!.value.refreshToken);
      // The rotated-out refresh token is dead at the provider.
      const reuse = await rig.postAsClient('/token', { grant_type: 'refresh_token', refresh_token: String(first!.value.refreshToken) });
      expect(((await reuse.json()) as { error: string }).error).toBe('invalid_grant');
    } finally {
      rig.app.clock.advance(-3_600_000);
    }
  });

  it('disconnect revokes both tokens at the provider and deletes them here', async () => {
    const { loginId, callbackUrl } = await signIn();
    const { connectionId } = await rig.connector.finish(loginId, 'connections', callbackUrl);
    const stored = await rig.store.find(CONNECTION, hashed(connectionId));
    expect(await rig.introspect(String(stored!.value.accessToken))).toMatchObject({ active: true });
    await rig.connector.disconnect(connectionId);
    expect(await rig.store.find(CONNECTION, hashed(connectionId))).toBeNull();
    expect(await rig.introspect(String(stored!.value.accessToken))).toEqual({ active: false });
    expect(await rig.introspect(String(stored!.value.refreshToken))).toEqual({ active: false });
    const refresh = await rig.postAsClient('/token', { grant_type: 'refresh_token', refresh_token: String(stored!.value.refreshToken) });
    expect(((await refresh.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('access revoked at the provider → the connection is dropped on its next use', async () => {
    const { loginId, callbackUrl } = await signIn();
    const { connectionId } = await rig.connector.finish(loginId, 'connections', callbackUrl);
    expect(await rig.connector.userInfo(connectionId)).toMatchObject({ sub: 'alice' });
    const stored = await rig.store.find(CONNECTION, hashed(connectionId));
    await rig.postAsClient('/token/revocation', { token: String(stored!.value.refreshToken), token_type_hint: 'refresh_token' });
    await rig.postAsClient('/token/revocation', { token: String(stored!.value.accessToken), token_type_hint: 'access_token' });
    expect((await failureOf(rig.connector.userInfo(connectionId))).failure).toBe('not-connected');
    expect(await rig.connector.find(connectionId)).toBeNull();
  });
});
