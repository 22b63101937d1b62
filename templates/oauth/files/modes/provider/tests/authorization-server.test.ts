import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { listGrants, registerClient, revokeGrant } from '../core/registry.js';
import { absolute, authorize, Browser, clientConfiguration, csrfOf, obtainTokens, PASSWORD, postAs, startPlatform, type Platform } from './harness.js';

/** The OAuth error code of a rejected openid-client call. */
async function oauthError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return String((error as { error?: string; code?: string }).error ?? (error as Error).message);
  }
  throw new Error('expected the call to be rejected');
}

// Every sign-in runs scrypt (N=2^17) for real: allow for slow machines.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform({ accessTokenFormat: 'opaque' });
});
afterAll(async () => {
  await platform?.close();
});

function authorizationUrl(params: Record<string, string>): string {
  const url = new URL(`${platform.issuer}/auth`);
  for (const [key, value] of Object.entries({
    client_id: platform.client.clientId,
    response_type: 'code',
    redirect_uri: platform.client.redirectUri,
    scope: 'openid read',
    state: 'state-123',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    ...params,
  })) {
    if (value !== '') url.searchParams.set(key, value);
  }
  return url.href;
}

describe('4.1 redirect_uri must match exactly', () => {
  const registered = 'https://app.example.test/callback';
  it.each([
    ['extra path', `${registered}/more`],
    ['extra query', `${registered}?next=/`],
    ['trailing slash', `${registered}/`],
    ['different case', 'https://APP.example.test/Callback'],
    ['other subdomain', 'https://evil.app.example.test/callback'],
    ['other scheme', 'http://app.example.test/callback'],
  ])('%s → an error page, no redirect', async (_name, redirectUri) => {
    const response = await fetch(authorizationUrl({ redirect_uri: redirectUri }), { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('redirect_uri');
  });
});

describe('4.2 PKCE S256 is required', () => {
  it.each([
    ['no code_challenge', { code_challenge: '', code_challenge_method: '' }],
    ['code_challenge_method=plain', { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }],
  ])('%s → invalid_request', async (_name, params) => {
    const response = await fetch(authorizationUrl(params), { redirect: 'manual' });
    const location = new URL(absolute(platform.issuer, response.headers.get('location')));
    expect(location.href.startsWith(platform.client.redirectUri)).toBe(true);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('code')).toBeNull();
  });
});

describe('4.3 the code_verifier is checked', () => {
  it('a wrong or missing verifier → invalid_grant', async () => {
    for (const verifier of ['wrong-verifier-'.padEnd(43, 'x'), undefined]) {
      const config = await clientConfiguration(platform);
      const run = await authorize(platform, { config });
      const code = run.callbackUrl.searchParams.get('code')!;
      const response = await postAs(platform, '/token', platform.client, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: platform.client.redirectUri,
        ...(verifier ? { code_verifier: verifier } : {}),
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe('invalid_grant');
    }
  });

  it('no authorization request without a challenge exists, so a verifier can never meet an unchallenged code', async () => {
    const response = await fetch(authorizationUrl({ code_challenge: '', code_challenge_method: '' }), { redirect: 'manual' });
    expect(new URL(absolute(platform.issuer, response.headers.get('location'))).searchParams.get('code')).toBeNull();
  });
});

describe('4.4 authorization codes', () => {
  it('reuse → invalid_grant, and the tokens of the first exchange are revoked', async () => {
    const { run, tokens } = await obtainTokens(platform, { scope: 'openid read' });
    expect(tokens.refresh_token).toBeTruthy();
    const replay = await postAs(platform, '/token', platform.client, {
      grant_type: 'authorization_code',
      code: run.callbackUrl.searchParams.get('code')!,
      redirect_uri: platform.client.redirectUri,
      code_verifier: run.codeVerifier,
    });
    expect(((await replay.json()) as { error: string }).error).toBe('invalid_grant');
    const introspection = await postAs(platform, '/token/introspection', platform.introspector, { token: tokens.access_token });
    expect(await introspection.json()).toEqual({ active: false });
    const refresh = await postAs(platform, '/token', platform.client, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! });
    expect(((await refresh.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('an expired code → invalid_grant', async () => {
    const run = await authorize(platform);
    const code = run.callbackUrl.searchParams.get('code')!;
    const record = await platform.store.find('AuthorizationCode', code);
    expect(record).toBeDefined();
    // Age the stored code past its expiry, as the clock would.
    await platform.store.upsert('AuthorizationCode', code, { ...record, exp: Math.floor(Date.now() / 1000) - 1 }, Date.now() - 1000);
    const response = await postAs(platform, '/token', platform.client, {
      grant_type: 'authorization_code', code, redirect_uri: platform.client.redirectUri, code_verifier: run.codeVerifier,
    });
    expect(((await response.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it("another client's code, or a different redirect_uri → invalid_grant", async () => {
    const other = await registerClient(platform.authorizationServer.provider, platform.store, {
      name: 'Other App', redirectUris: ['https://other.example.test/cb'], scopes: ['openid', 'read'],
    });
    const run = await authorize(platform);
    const code = run.callbackUrl.searchParams.get('code')!;
    const stolen = await postAs(platform, '/token', { clientId: other.client.clientId, clientSecret: other.clientSecret! }, {
      grant_type: 'authorization_code', code, redirect_uri: 'https://other.example.test/cb', code_verifier: run.codeVerifier,
    });
    expect(((await stolen.json()) as { error: string }).error).toBe('invalid_grant');

    const run2 = await authorize(platform);
    const mismatched = await postAs(platform, '/token', platform.client, {
      grant_type: 'authorization_code', code: run2.callbackUrl.searchParams.get('code')!, redirect_uri: 'https://app.example.test/other', code_verifier: run2.codeVerifier,
    });
    expect(((await mismatched.json()) as { error: string }).error).toBe('invalid_grant');
  });
});

describe('4.5 client authentication', () => {
  it('a wrong client secret → 401 invalid_client with WWW-Authenticate', async () => {
    const response = await postAs(platform, '/token', { clientId: platform.client.clientId, clientSecret: 'not-the-secret' }, {
      grant_type: 'refresh_token', refresh_token: 'anything',
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_client');
  });
});

describe('4.6 implicit and password flows are not offered', () => {
  it('response_type=token → rejected, no token in any redirect', async () => {
    const response = await fetch(authorizationUrl({ response_type: 'token' }), { redirect: 'manual' });
    const location = response.headers.get('location') ?? '';
    expect(location).not.toContain('access_token');
    expect(response.status === 400 || /error=unsupported_response_type/.test(location)).toBe(true);
  });

  it('grant_type=password → unsupported_grant_type', async () => {
    const response = await postAs(platform, '/token', platform.client, { grant_type: 'password', username: 'alice', password: PASSWORD });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('unsupported_grant_type');
  });
});

describe('4.7 scopes, consent and grants', () => {
  it('an unregistered scope is not granted', async () => {
    const { tokens } = await obtainTokens(platform, { scope: 'openid read superuser' });
    expect(tokens.scope?.split(' ')).not.toContain('superuser');
    const introspection = (await (await postAs(platform, '/token/introspection', platform.introspector, { token: tokens.access_token })).json()) as { scope: string };
    expect(introspection.scope.split(' ')).toEqual(['read']);
  });

  it('a third-party client gets a consent screen before its first grant', async () => {
    const browser = new Browser();
    const run = await authorize(platform, { browser, scope: 'openid write' });
    expect(run.sawConsent).toBe(true);
  });

  it('a person can list their grants and revoke one; its refresh token then fails', async () => {
    const { tokens } = await obtainTokens(platform, { scope: 'openid read' });
    const grants = await listGrants(platform.store, 'alice');
    const introspection = (await (await postAs(platform, '/token/introspection', platform.introspector, { token: tokens.access_token })).json()) as { active: boolean };
    expect(introspection.active).toBe(true);
    expect(grants.length).toBeGreaterThan(0);
    expect(grants.every((grant) => grant.subject === 'alice')).toBe(true);
    for (const grant of grants) expect(await revokeGrant(platform.store, grant.grantId)).toBe(true);
    expect(await listGrants(platform.store, 'alice')).toEqual([]);
    const refresh = await postAs(platform, '/token', platform.client, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! });
    expect(((await refresh.json()) as { error: string }).error).toBe('invalid_grant');
    expect(await (await postAs(platform, '/token/introspection', platform.introspector, { token: tokens.access_token })).json()).toEqual({ active: false });
  });

  it('the client may only be granted the scopes it was registered for', async () => {
    const limited = await registerClient(platform.authorizationServer.provider, platform.store, {
      name: 'Read-only App', redirectUris: ['https://ro.example.test/cb'], scopes: ['openid', 'read'],
    });
    const client = { clientId: limited.client.clientId, clientSecret: limited.clientSecret!, redirectUri: 'https://ro.example.test/cb' };
    const run = await authorize(platform, { client, scope: 'openid read admin' });
    expect(run.callbackUrl.searchParams.get('error')).toBe('invalid_scope');
    expect(run.callbackUrl.searchParams.get('code')).toBeNull();
  });
});

describe('refresh tokens rotate', () => {
  it('each refresh returns a new refresh token; reusing the old one → invalid_grant and the family is revoked', async () => {
    const { config, tokens } = await obtainTokens(platform, { scope: 'openid read' });
    const first = tokens.refresh_token!;
    const refreshed = await oidc.refreshTokenGrant(config, first);
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(first);
    expect(await oauthError(oidc.refreshTokenGrant(config, first))).toBe('invalid_grant');
    expect(await oauthError(oidc.refreshTokenGrant(config, refreshed.refresh_token!))).toBe('invalid_grant');
  });
});

describe('4.8 revocation (RFC 7009)', () => {
  it('a garbage token → 200', async () => {
    const response = await postAs(platform, '/token/revocation', platform.client, { token: 'garbage-token-value' });
    expect(response.status).toBe(200);
  });

  it('a revoked refresh token → invalid_grant', async () => {
    const { config, tokens } = await obtainTokens(platform, { scope: 'openid read' });
    await oidc.tokenRevocation(config, tokens.refresh_token!);
    expect(await oauthError(oidc.refreshTokenGrant(config, tokens.refresh_token!))).toBe('invalid_grant');
  });

  it('a revoked opaque access token stops working at the API at once', async () => {
    const { config, tokens } = await obtainTokens(platform, { scope: 'openid read' });
    const before = await fetch(`${platform.url}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(before.status).toBe(200);
    await oidc.tokenRevocation(config, tokens.access_token);
    const after = await fetch(`${platform.url}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(after.status).toBe(401);
  });
});

describe('4.9 introspection (RFC 7662)', () => {
  it('unknown, revoked and expired tokens → exactly {"active":false}', async () => {
    const unknown = await postAs(platform, '/token/introspection', platform.introspector, { token: 'no-such-token' });
    expect(await unknown.json()).toEqual({ active: false });

    const { config, tokens } = await obtainTokens(platform, { scope: 'openid read' });
    await oidc.tokenRevocation(config, tokens.access_token);
    expect(await (await postAs(platform, '/token/introspection', platform.introspector, { token: tokens.access_token })).json()).toEqual({ active: false });

    const second = await obtainTokens(platform, { scope: 'openid read' });
    const record = await platform.store.find('AccessToken', second.tokens.access_token);
    expect(record).toBeDefined();
    await platform.store.upsert('AccessToken', second.tokens.access_token, { ...record, exp: Math.floor(Date.now() / 1000) - 1 }, Date.now() - 1000);
    expect(await (await postAs(platform, '/token/introspection', platform.introspector, { token: second.tokens.access_token })).json()).toEqual({ active: false });
  });

  it('bad caller credentials → 401', async () => {
    const response = await postAs(platform, '/token/introspection', { clientId: platform.introspector.clientId, clientSecret: 'wrong' }, { token: 'x' });
    expect(response.status).toBe(401);
  });
});

describe('4.10 login and consent pages', () => {
  it('the login and consent posts answer 303 See Other', async () => {
    const run = await authorize(platform, { scope: 'openid admin' });
    expect(run.formStatuses.length).toBeGreaterThanOrEqual(2);
    expect(run.formStatuses.every((status) => status === 303)).toBe(true);
  });

  it('a login post without the form token, or from another site → 403', async () => {
    const config = await clientConfiguration(platform);
    const browser = new Browser();
    const start = oidc.buildAuthorizationUrl(config, {
      redirect_uri: platform.client.redirectUri, scope: 'openid read', state: 's', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256',
    });
    const first = await browser.fetch(start.href);
    const interaction = absolute(start.href, first.headers.get('location'));
    const page = await (await browser.fetch(interaction)).text();
    const origin = new URL(platform.issuer).origin;
    const noToken = await browser.postForm(`${interaction}/login`, { username: 'alice', password: PASSWORD }, origin);
    expect(noToken.status).toBe(403);
    const crossSite = await browser.fetch(`${interaction}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      body: new URLSearchParams({ csrf: csrfOf(page), username: 'alice', password: PASSWORD }),
    });
    expect(crossSite.status).toBe(403);
    const wrongPassword = await browser.postForm(`${interaction}/login`, { csrf: csrfOf(page), username: 'alice', password: 'wrong password!' }, origin);
    expect(wrongPassword.status).toBe(401);
    expect(await wrongPassword.text()).toContain('Wrong username or password.');
  });

  it('the pages are not cacheable and cannot be framed', async () => {
    const config = await clientConfiguration(platform);
    const browser = new Browser();
    const start = oidc.buildAuthorizationUrl(config, {
      redirect_uri: platform.client.redirectUri, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256',
    });
    const page = await browser.fetch(absolute(start.href, (await browser.fetch(start.href)).headers.get('location')));
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
  });
});
