import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createConnector, type Connector } from '../core/connections.js';
import { registerClient } from '../core/registry.js';
import { followToRedirect, postAs, startPlatform, type Platform } from './harness.js';

// The "other provider" is a real oidc-provider on 127.0.0.1 (the same authorization server code).
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const REDIRECT_URI = 'http://127.0.0.1:9/callback';
let provider: Platform;
let client: { clientId: string; clientSecret: string };
let connector: Connector;

beforeAll(async () => {
  provider = await startPlatform({ accessTokenFormat: 'opaque' });
  const registered = await registerClient(provider.authorizationServer.provider, provider.store, {
    name: 'Our App', redirectUris: [REDIRECT_URI], scopes: ['openid', 'read'],
  });
  client = { clientId: registered.client.clientId, clientSecret: registered.clientSecret! };
  connector = await createConnector({ issuer: provider.issuer, ...client, redirectUri: REDIRECT_URI, scope: 'openid read', store: provider.store, allowInsecureHttp: true });
});
afterAll(async () => {
  await provider?.close();
});

/** Starts a sign-in and lets the person approve it; returns the login id and where the browser came back. */
async function signIn(): Promise<{ loginId: string; callbackUrl: URL }> {
  const { loginId, url } = await connector.start();
  expect(url.searchParams.get('code_challenge_method')).toBe('S256');
  expect(url.searchParams.get('state')).toBeTruthy();
  expect(url.searchParams.get('nonce')).toBeTruthy();
  const { callbackUrl } = await followToRedirect(provider, url.href, REDIRECT_URI);
  return { loginId, callbackUrl };
}

describe('4.11 the callback is checked before any token request', () => {
  it.each([
    ['a wrong state', (url: URL) => url.searchParams.set('state', 'forged-state')],
    ['a missing state', (url: URL) => url.searchParams.delete('state')],
    ['an unexpected iss', (url: URL) => url.searchParams.set('iss', 'https://evil.example.test')],
  ])('%s → rejected, and the code was never sent to the token endpoint', async (_name, tamper) => {
    const { loginId, callbackUrl } = await signIn();
    const tampered = new URL(callbackUrl);
    tamper(tampered);
    await expect(connector.finish(loginId, tampered)).rejects.toThrow(/refused/);
    const code = callbackUrl.searchParams.get('code')!;
    const stored = await provider.store.find('AuthorizationCode', code);
    expect(stored).toBeDefined();
    expect(stored!.consumed).toBeUndefined();
  });

  it('a login id works once', async () => {
    const { loginId, callbackUrl } = await signIn();
    await connector.finish(loginId, callbackUrl);
    await expect(connector.finish(loginId, callbackUrl)).rejects.toThrow(/expired or was already used/);
  });
});

describe('4.12 ID token checks, and tokens stay on the server', () => {
  it('a nonce mismatch → rejected', async () => {
    const { loginId, callbackUrl } = await signIn();
    const pending = await provider.store.find('PendingLogin', loginId);
    await provider.store.upsert('PendingLogin', loginId, { ...pending, nonce: 'another-nonce' }, Date.now() + 60_000);
    await expect(connector.finish(loginId, callbackUrl)).rejects.toThrow(/refused/);
  });

  it('an issuer mismatch in discovery → refused before any sign-in', async () => {
    const metadata = (await (await fetch(`${provider.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    const impostor = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(metadata));
    });
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    try {
      const issuer = `http://127.0.0.1:${(impostor.address() as AddressInfo).port}`;
      await expect(createConnector({ issuer, ...client, redirectUri: REDIRECT_URI, scope: 'openid', store: provider.store, allowInsecureHttp: true })).rejects.toThrow();
    } finally {
      await new Promise((resolve) => impostor.close(resolve));
    }
  });

  it('a code issued to another client (another audience) → rejected', async () => {
    // The code is bound to the client it was issued to, so the provider refuses the exchange and no
    // ID token for the wrong audience is ever accepted.
    const other = await registerClient(provider.authorizationServer.provider, provider.store, { name: 'Other', redirectUris: [REDIRECT_URI], scopes: ['openid', 'read'] });
    const wrongAudience = await createConnector({ issuer: provider.issuer, clientId: other.client.clientId, clientSecret: other.clientSecret!, redirectUri: REDIRECT_URI, scope: 'openid read', store: provider.store, allowInsecureHttp: true });
    const { loginId, callbackUrl } = await signIn();
    await expect(wrongAudience.finish(loginId, callbackUrl)).rejects.toThrow(/refused/);
  });

  it('the browser gets an opaque connection id only; the tokens are in the store', async () => {
    const { loginId, callbackUrl } = await signIn();
    const handle = await connector.finish(loginId, callbackUrl);
    expect(Object.keys(handle).sort()).toEqual(['connectionId', 'subject']);
    expect(handle.subject).toBe('alice');
    expect(handle.connectionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await provider.store.find('Connection', handle.connectionId);
    expect(stored?.accessToken).toBeTruthy();
    expect(JSON.stringify(handle)).not.toContain(String(stored?.accessToken));
  });
});

describe('refresh and disconnect', () => {
  it('an expiring access token is refreshed server-side; disconnect revokes at the provider', async () => {
    const { loginId, callbackUrl } = await signIn();
    const { connectionId } = await connector.finish(loginId, callbackUrl);
    const first = await provider.store.find('Connection', connectionId);
    expect(await connector.accessToken(connectionId)).toBe(first!.accessToken);
    await provider.store.upsert('Connection', connectionId, { ...first, expiresAt: Date.now() - 1 }, null);
    const refreshed = await connector.accessToken(connectionId);
    expect(refreshed).not.toBe(first!.accessToken);
    const second = await provider.store.find('Connection', connectionId);
    expect(second!.refreshToken).not.toBe(first!.refreshToken);

    await connector.disconnect(connectionId);
    expect(await provider.store.find('Connection', connectionId)).toBeUndefined();
    const introspection = await postAs(provider, '/token/introspection', provider.introspector, { token: refreshed });
    expect(await introspection.json()).toEqual({ active: false });
    const refresh = await postAs(provider, '/token', client, { grant_type: 'refresh_token', refresh_token: String(second!.refreshToken) });
    expect(((await refresh.json()) as { error: string }).error).toBe('invalid_grant');
  });
});
