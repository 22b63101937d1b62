import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { POLICY } from '../../../policy.js';
import { listGrants } from '../provider/grants.js';
import { PLANNED_TOKEN_FORMAT } from '../provider/token-format.js';
import {
  absolute,
  authorize,
  Browser,
  clientConfiguration,
  csrfOf,
  followToRedirect,
  oauthError,
  obtainTokens,
  PASSWORD,
  startProviderServer,
  timeTravel,
  type ProviderServer,
  type TestClient,
} from './server-harness.js';

/*
 * Checklist section 4 (authorization server, lines 1-10) over real HTTP: the
 * real oidc-provider on this project's stack and store, openid-client or plain
 * fetch as the client, a cookie jar as the browser. Token-sensitive cases run
 * for both access-token formats.
 */
const policy = POLICY.oauth['authorization-code'];
const OTHER_FORMAT = PLANNED_TOKEN_FORMAT === 'jwt' ? 'opaque' : 'jwt';

// Every sign-in hashes a password with Argon2id for real: allow for slow machines.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const { travel, restore } = timeTravel(vi);
afterEach(restore);

async function errorOf(response: Response): Promise<string> {
  return ((await response.json()) as { error: string }).error;
}

describe.each([PLANNED_TOKEN_FORMAT, OTHER_FORMAT])('the authorization code flow with %s access tokens', (format) => {
  let server: ProviderServer;
  let app: TestClient;
  let introspector: TestClient;

  beforeAll(async () => {
    server = await startProviderServer({ variants: ['authorization-code'], env: { OAUTH_SERVER_TOKEN_FORMAT: format } });
    await server.addPerson('alice', ['read', 'write']);
    app = await server.addClient({ type: 'web', name: 'Photo Printer', scopes: ['openid', 'offline_access', 'read', 'write'] });
    introspector = await server.addClient({ type: 'introspection', name: 'Orders API', scopes: [] });
  });
  afterAll(async () => {
    await server?.close();
  });

  const introspect = async (token: string) => (await server.post('/token/introspection', { token }, { client: introspector })).json();
  const me = (token: string) => server.get('/apps/me', { authorization: `Bearer ${token}` });

  it('issues tokens of this format with the policy lifetime, refresh tokens included, and the API accepts them', async () => {
    const { tokens } = await obtainTokens(server, app, { scope: 'openid read' });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.expires_in).toBe(policy.accessToken.default);
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.access_token.split('.').length).toBe(format === 'jwt' ? 3 : 1);
    const answer = (await introspect(tokens.access_token)) as { active: boolean; exp: number; iat: number; sub: string; scope: string; client_id: string };
    expect(answer).toMatchObject({ active: true, sub: 'alice', scope: 'read', client_id: app.clientId });
    expect(answer.exp - answer.iat).toBe(policy.accessToken.default);
    const reply = await me(tokens.access_token);
    expect(reply.status).toBe(200);
    expect(await reply.json()).toMatchObject({ subject: 'alice', kind: 'person', method: 'oauth', variant: 'authorization-code', client: app.clientId, scopes: ['read'] });
  });

  it('4.4 code reuse → invalid_grant, and the tokens of the first exchange stop at once (introspection and the API)', async () => {
    const { run, tokens } = await obtainTokens(server, app, { scope: 'openid read' });
    expect((await me(tokens.access_token)).status).toBe(200);
    const replay = await server.post(
      '/token',
      { grant_type: 'authorization_code', code: run.callbackUrl.searchParams.get('code')!, redirect_uri: app.redirectUri, code_verifier: run.codeVerifier },
      { client: app },
    );
    expect(replay.status).toBe(400);
    expect(await errorOf(replay)).toBe('invalid_grant');
    expect(await introspect(tokens.access_token)).toEqual({ active: false });
    expect((await me(tokens.access_token)).status).toBe(401);
    const refresh = await server.post('/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }, { client: app });
    expect(await errorOf(refresh)).toBe('invalid_grant');
  });

  it('4.8 revoking the access token ends its grant: the API, introspection and the refresh token all refuse it next time', async () => {
    const { config, tokens } = await obtainTokens(server, app, { scope: 'openid read' });
    expect((await me(tokens.access_token)).status).toBe(200);
    await oidc.tokenRevocation(config, tokens.access_token);
    const after = await me(tokens.access_token);
    expect(after.status).toBe(401);
    expect(after.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(await introspect(tokens.access_token)).toEqual({ active: false });
    expect(await oauthError(oidc.refreshTokenGrant(config, tokens.refresh_token!))).toBe('invalid_grant');
  });

  it('4.8 a revoked refresh token → invalid_grant, and the access token of its grant stops too', async () => {
    const { config, tokens } = await obtainTokens(server, app, { scope: 'openid read' });
    await oidc.tokenRevocation(config, tokens.refresh_token!);
    expect(await oauthError(oidc.refreshTokenGrant(config, tokens.refresh_token!))).toBe('invalid_grant');
    expect(await introspect(tokens.access_token)).toEqual({ active: false });
    expect((await me(tokens.access_token)).status).toBe(401);
  });

  it('4.9 introspection of an expired token → exactly {"active":false}; the API refuses it', async () => {
    const { tokens } = await obtainTokens(server, app, { scope: 'openid read' });
    travel(server, policy.accessToken.default + policy.clockSkew.default + 1);
    expect(await introspect(tokens.access_token)).toEqual({ active: false });
    expect((await me(tokens.access_token)).status).toBe(401);
  });

  it('4.9 a client may introspect only its own tokens; an introspection client anyone\'s', async () => {
    const { tokens } = await obtainTokens(server, app, { scope: 'openid read' });
    const other = await server.addClient({ type: 'web', name: 'Other App', redirectUris: ['https://other.example.test/cb'], scopes: ['read'] });
    expect(await (await server.post('/token/introspection', { token: tokens.access_token }, { client: other })).json()).toEqual({ active: false });
    expect(await (await server.post('/token/introspection', { token: tokens.access_token }, { client: app })).json()).toMatchObject({ active: true });
  });

  it('a person\'s tokens end when their account is disabled or their password changes', async () => {
    await server.addPerson(`carol-${format}`, ['read']);
    const first = await obtainTokens(server, app, { scope: 'openid read', username: `carol-${format}` });
    expect((await me(first.tokens.access_token)).status).toBe(200);
    await server.part.accounts.setPassword(`carol-${format}`, `${PASSWORD}!`);
    expect((await me(first.tokens.access_token)).status).toBe(401);
    expect(await introspect(first.tokens.access_token)).toEqual({ active: false });
  });
});

describe('the authorization server', () => {
  let server: ProviderServer;
  let app: TestClient;
  let introspector: TestClient;

  beforeAll(async () => {
    server = await startProviderServer({ variants: ['authorization-code'] });
    await server.addPerson('alice', ['read', 'write']);
    app = await server.addClient({ type: 'web', name: 'Photo Printer', scopes: ['openid', 'offline_access', 'read', 'write', 'admin'] });
    introspector = await server.addClient({ type: 'introspection', name: 'Orders API', scopes: [] });
  });
  afterAll(async () => {
    await server?.close();
  });

  function authorizationUrl(params: Record<string, string>): string {
    const url = new URL(`${server.issuer}/auth`);
    for (const [key, value] of Object.entries({
      client_id: app.clientId,
      response_type: 'code',
      redirect_uri: app.redirectUri,
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
  const errorOfRedirect = (response: Response) => new URL(absolute(server.issuer, response.headers.get('location'))).searchParams;

  describe('4.1 redirect_uri must match exactly', () => {
    it.each([
      ['extra path', 'https://app.example.test/callback/more'],
      ['extra query', 'https://app.example.test/callback?next=/'],
      ['trailing slash', 'https://app.example.test/callback/'],
      ['different case', 'https://APP.example.test/Callback'],
      ['other subdomain', 'https://evil.app.example.test/callback'],
      ['other scheme', 'http://app.example.test/callback'],
      ['left out', ''],
    ])('%s → an error page, no redirect', async (_name, redirectUri) => {
      const response = await fetch(authorizationUrl({ redirect_uri: redirectUri }), { redirect: 'manual' });
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await response.text()).toContain('redirect_uri');
    });
  });

  describe('4.2 PKCE S256 is required of every client', () => {
    it.each([
      ['no code_challenge', { code_challenge: '', code_challenge_method: '' }],
      ['code_challenge_method=plain', { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }],
    ])('%s → invalid_request, no code', async (_name, params) => {
      const response = await fetch(authorizationUrl(params), { redirect: 'manual' });
      const location = absolute(server.issuer, response.headers.get('location'));
      expect(location.startsWith(app.redirectUri)).toBe(true);
      expect(errorOfRedirect(response).get('error')).toBe('invalid_request');
      expect(errorOfRedirect(response).get('code')).toBeNull();
    });

    it('a public client needs it too', async () => {
      const native = await server.addClient({ type: 'web', name: 'Phone App', publicClient: true, redirectUris: ['http://127.0.0.1:8700/callback'], scopes: ['openid', 'read'] });
      const url = new URL(authorizationUrl({ client_id: native.clientId, redirect_uri: native.redirectUri, code_challenge: '', code_challenge_method: '' }));
      expect(errorOfRedirect(await fetch(url, { redirect: 'manual' })).get('error')).toBe('invalid_request');
    });
  });

  describe('4.3 the code_verifier is checked', () => {
    it('a wrong or missing verifier → invalid_grant', async () => {
      for (const verifier of ['wrong-verifier-'.padEnd(43, 'x'), undefined]) {
        const run = await authorize(server, app);
        const response = await server.post(
          '/token',
          { grant_type: 'authorization_code', code: run.callbackUrl.searchParams.get('code')!, redirect_uri: app.redirectUri, ...(verifier ? { code_verifier: verifier } : {}) },
          { client: app },
        );
        expect(response.status).toBe(400);
        expect(await errorOf(response)).toBe('invalid_grant');
      }
    });

    it('no code exists without a challenge, so a verifier can never meet an unchallenged code', async () => {
      const response = await fetch(authorizationUrl({ code_challenge: '', code_challenge_method: '' }), { redirect: 'manual' });
      expect(errorOfRedirect(response).get('code')).toBeNull();
    });
  });

  describe('4.4 authorization codes', () => {
    it(`an expired code (older than ${policy.authorizationCode.default} s) → invalid_grant`, async () => {
      const run = await authorize(server, app);
      travel(server, policy.authorizationCode.default + 1);
      const response = await server.post(
        '/token',
        { grant_type: 'authorization_code', code: run.callbackUrl.searchParams.get('code')!, redirect_uri: app.redirectUri, code_verifier: run.codeVerifier },
        { client: app },
      );
      expect(await errorOf(response)).toBe('invalid_grant');
    });

    it("another client's code, or a different redirect_uri → invalid_grant", async () => {
      const other = await server.addClient({ type: 'web', name: 'Other App', redirectUris: ['https://other.example.test/cb'], scopes: ['openid', 'read'] });
      const run = await authorize(server, app);
      const stolen = await server.post(
        '/token',
        { grant_type: 'authorization_code', code: run.callbackUrl.searchParams.get('code')!, redirect_uri: other.redirectUri, code_verifier: run.codeVerifier },
        { client: other },
      );
      expect(await errorOf(stolen)).toBe('invalid_grant');
      const second = await authorize(server, app);
      const mismatched = await server.post(
        '/token',
        { grant_type: 'authorization_code', code: second.callbackUrl.searchParams.get('code')!, redirect_uri: 'https://app.example.test/other', code_verifier: second.codeVerifier },
        { client: app },
      );
      expect(await errorOf(mismatched)).toBe('invalid_grant');
    });

    it('two exchanges of one code at the same moment: at most one gets tokens, and the grant ends', async () => {
      const run = await authorize(server, app);
      const exchange = () =>
        server.post('/token', { grant_type: 'authorization_code', code: run.callbackUrl.searchParams.get('code')!, redirect_uri: app.redirectUri, code_verifier: run.codeVerifier }, { client: app });
      const replies = await Promise.all([exchange(), exchange(), exchange()]);
      const issued = [];
      for (const reply of replies) if (reply.status === 200) issued.push((await reply.json()) as { access_token: string });
      expect(issued.length).toBeLessThanOrEqual(1);
      for (const tokens of issued) expect(await (await server.post('/token/introspection', { token: tokens.access_token }, { client: introspector })).json()).toEqual({ active: false });
    });
  });

  describe('4.5 client authentication', () => {
    it('a wrong client secret → 401 invalid_client with WWW-Authenticate', async () => {
      const response = await server.post('/token', { grant_type: 'refresh_token', refresh_token: 'anything' }, { client: { clientId: app.clientId, clientSecret: 'not-the-secret' } });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic/);
      expect(await errorOf(response)).toBe('invalid_client');
    });

    it('6.6 repeated wrong secrets from one address → 429 with Retry-After, before the secret is checked; other addresses go on', async () => {
      const source = '203.0.113.77';
      const wrong = { clientId: app.clientId, clientSecret: 'guess' };
      const statuses: number[] = [];
      for (let i = 0; i < POLICY.throttle.freeFailures + 2; i++) statuses.push((await server.post('/token', { grant_type: 'client_credentials' }, { client: wrong, source })).status);
      expect(statuses.slice(0, POLICY.throttle.freeFailures)).toEqual(Array(POLICY.throttle.freeFailures).fill(401));
      const throttled = await server.post('/token', { grant_type: 'refresh_token', refresh_token: 'x' }, { client: app, source });
      expect(throttled.status).toBe(429);
      expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(throttled.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      // The right secret from another address is not held back by the stranger at this one.
      const elsewhere = await server.post('/token', { grant_type: 'refresh_token', refresh_token: 'x' }, { client: app });
      expect(await errorOf(elsewhere)).toBe('invalid_grant');
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
      const response = await server.post('/token', { grant_type: 'password', username: 'alice', password: PASSWORD }, { client: app });
      expect(response.status).toBe(400);
      expect(await errorOf(response)).toBe('unsupported_grant_type');
    });
  });

  describe('4.7 scopes, consent and grants', () => {
    it('an unregistered scope is not granted', async () => {
      const { tokens } = await obtainTokens(server, app, { scope: 'openid read superuser' });
      expect(tokens.scope?.split(' ')).not.toContain('superuser');
      const answer = (await (await server.post('/token/introspection', { token: tokens.access_token }, { client: introspector })).json()) as { scope: string };
      expect(answer.scope.split(' ')).toEqual(['read']);
    });

    it('a client is granted only the scopes it was registered for', async () => {
      const limited = await server.addClient({ type: 'web', name: 'Read-only App', redirectUris: ['https://ro.example.test/cb'], scopes: ['openid', 'read'] });
      const run = await authorize(server, limited, { scope: 'openid read admin' });
      expect(run.callbackUrl.searchParams.get('error')).toBe('invalid_scope');
      expect(run.callbackUrl.searchParams.get('code')).toBeNull();
    });

    it('a person hands over only scopes their account holds; the consent page says what is left out', async () => {
      const browser = new Browser();
      const run = await authorize(server, app, { browser, scope: 'openid read admin' });
      expect(run.sawConsent).toBe(true);
      const tokens = await (
        await server.post('/token', { grant_type: 'authorization_code', code: run.callbackUrl.searchParams.get('code')!, redirect_uri: app.redirectUri, code_verifier: run.codeVerifier }, { client: app })
      ).json();
      expect((tokens as { scope: string }).scope.split(' ')).not.toContain('admin');
    });

    it('a third-party client gets a consent screen; your own (first-party) client does not', async () => {
      await server.addPerson('dora', ['read']);
      expect((await authorize(server, app, { username: 'dora', scope: 'read' })).sawConsent).toBe(true);
      const own = await server.addClient({ type: 'web', name: 'Our Web App', firstParty: true, redirectUris: ['https://own.example.test/cb'], scopes: ['read'] });
      const run = await authorize(server, own, { username: 'dora', scope: 'read' });
      expect(run.sawConsent).toBe(false);
      expect(run.callbackUrl.searchParams.get('code')).toBeTruthy();
    });

    it('a person can list the apps they allowed and revoke one on their account page; its tokens stop at once', async () => {
      await server.addPerson('erin', ['read']);
      const browser = new Browser();
      const { tokens } = await obtainTokens(server, app, { scope: 'openid read', username: 'erin', browser });
      const origin = new URL(server.issuer).origin;
      const page = await browser.fetch(`${server.issuer}/account`);
      expect(page.status).toBe(200);
      expect(page.headers.get('cache-control')).toBe('no-store');
      const html = await page.text();
      expect(html).toContain('Photo Printer');
      const [grant] = await listGrants(server.store, 'erin');
      expect(html).toContain(grant!.grantId);
      const revoked = await browser.postForm(`${server.issuer}/account/grants/${grant!.grantId}/revoke`, { _csrf: csrfOf(html) }, origin);
      expect(revoked.status).toBe(303);
      expect(await listGrants(server.store, 'erin')).toEqual([]);
      expect((await server.get('/apps/me', { authorization: `Bearer ${tokens.access_token}` })).status).toBe(401);
      expect(await errorOf(await server.post('/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }, { client: app }))).toBe('invalid_grant');
    });

    it('the account page refuses a revoke without its form token, or from another site, and another person\'s grant', async () => {
      await server.addPerson('fay', ['read']);
      await server.addPerson('gus', ['read']);
      const fay = new Browser();
      await obtainTokens(server, app, { scope: 'read', username: 'fay', browser: fay });
      await obtainTokens(server, app, { scope: 'read', username: 'gus' });
      const [gusGrant] = await listGrants(server.store, 'gus');
      const [fayGrant] = await listGrants(server.store, 'fay');
      const html = await (await fay.fetch(`${server.issuer}/account`)).text();
      const origin = new URL(server.issuer).origin;
      expect((await fay.postForm(`${server.issuer}/account/grants/${fayGrant!.grantId}/revoke`, {}, origin)).status).toBe(403);
      const crossSite = await fay.fetch(`${server.issuer}/account/grants/${fayGrant!.grantId}/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
        body: new URLSearchParams({ _csrf: csrfOf(html) }),
      });
      expect(crossSite.status).toBe(403);
      expect((await fay.postForm(`${server.issuer}/account/grants/${gusGrant!.grantId}/revoke`, { _csrf: csrfOf(html) }, origin)).status).toBe(404);
      expect(await listGrants(server.store, 'gus')).toHaveLength(1);
      expect(await listGrants(server.store, 'fay')).toHaveLength(1);
    });

    it('the account page asks a person who is not signed in to sign in (throttled like the sign-in page), then lists their apps', async () => {
      await server.addPerson('hal', ['read']);
      await obtainTokens(server, app, { scope: 'read', username: 'hal' });
      const browser = new Browser();
      const origin = new URL(server.issuer).origin;
      const form = await (await browser.fetch(`${server.issuer}/account`)).text();
      expect(form).toContain('name="password"');
      const wrong = await browser.postForm(`${server.issuer}/account/login`, { _csrf: csrfOf(form), username: 'hal', password: 'wrong password' }, origin);
      expect(wrong.status).toBe(401);
      const signedIn = await browser.postForm(`${server.issuer}/account/login`, { _csrf: csrfOf(await wrong.text()), username: 'hal', password: PASSWORD }, origin);
      expect(signedIn.status).toBe(303);
      expect(await (await browser.fetch(absolute(server.issuer, signedIn.headers.get('location')))).text()).toContain('Photo Printer');
    });
  });

  describe('refresh tokens', () => {
    it('rotate on every use; reusing a replaced one → invalid_grant and the whole grant ends', async () => {
      const { config, tokens } = await obtainTokens(server, app, { scope: 'openid read' });
      const first = tokens.refresh_token!;
      const refreshed = await oidc.refreshTokenGrant(config, first);
      expect(refreshed.refresh_token).toBeTruthy();
      expect(refreshed.refresh_token).not.toBe(first);
      expect(await oauthError(oidc.refreshTokenGrant(config, first))).toBe('invalid_grant');
      expect(await oauthError(oidc.refreshTokenGrant(config, refreshed.refresh_token!))).toBe('invalid_grant');
      expect((await server.get('/apps/me', { authorization: `Bearer ${refreshed.access_token}` })).status).toBe(401);
    });

    it(`last ${policy.refreshTokenIdle.default} s unused (idle lifetime), then → invalid_grant`, async () => {
      const { tokens } = await obtainTokens(server, app, { scope: 'openid read' });
      const answer = (await (await server.post('/token/introspection', { token: tokens.refresh_token! }, { client: app })).json()) as { exp: number; iat: number };
      expect(answer.exp - answer.iat).toBe(policy.refreshTokenIdle.default);
      travel(server, policy.refreshTokenIdle.default + 1);
      expect(await errorOf(await server.post('/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }, { client: app }))).toBe('invalid_grant');
    });

    it(`never outlive their grant: ${policy.refreshTokenAbsolute.default} s after consent every refresh token is dead, however active`, async () => {
      await server.addPerson('ivy', ['read']);
      const { config, tokens } = await obtainTokens(server, app, { scope: 'openid read', username: 'ivy' });
      const [grant] = await listGrants(server.store, 'ivy');
      const grantEnds = Date.parse(grant!.expiresAt!) / 1000;
      expect(grantEnds - Date.parse(grant!.grantedAt!) / 1000).toBe(policy.refreshTokenAbsolute.default);
      // Used just often enough to stay alive, until shortly before the grant ends.
      let refresh = tokens.refresh_token!;
      const step = policy.refreshTokenIdle.default - 60;
      let elapsed = 0;
      while (elapsed + step < policy.refreshTokenAbsolute.default - 3_600) {
        travel(server, step);
        elapsed += step;
        refresh = (await oidc.refreshTokenGrant(config, refresh)).refresh_token!;
      }
      const last = (await (await server.post('/token/introspection', { token: refresh }, { client: app })).json()) as { exp: number };
      expect(last.exp).toBeLessThanOrEqual(grantEnds);
      travel(server, policy.refreshTokenAbsolute.default - elapsed + 1);
      expect(await oauthError(oidc.refreshTokenGrant(config, refresh))).toBe('invalid_grant');
    });
  });

  describe('4.8 revocation (RFC 7009)', () => {
    it('a garbage token → 200', async () => {
      expect((await server.post('/token/revocation', { token: 'garbage-token-value' }, { client: app })).status).toBe(200);
    });

    it('a client cannot revoke another client\'s token (200, and the token still works)', async () => {
      const { tokens } = await obtainTokens(server, app, { scope: 'openid read' });
      const other = await server.addClient({ type: 'web', name: 'Meddler', redirectUris: ['https://meddler.example.test/cb'], scopes: ['read'] });
      expect((await server.post('/token/revocation', { token: tokens.access_token }, { client: other })).status).toBe(200);
      expect((await server.get('/apps/me', { authorization: `Bearer ${tokens.access_token}` })).status).toBe(200);
    });
  });

  describe('4.9 introspection (RFC 7662)', () => {
    it('an unknown token → exactly {"active":false}', async () => {
      expect(await (await server.post('/token/introspection', { token: 'no-such-token' }, { client: introspector })).json()).toEqual({ active: false });
    });

    it('bad caller credentials → 401', async () => {
      const response = await server.post('/token/introspection', { token: 'x' }, { client: { clientId: introspector.clientId, clientSecret: 'wrong' } });
      expect(response.status).toBe(401);
    });
  });

  describe('4.10 sign-in and consent pages', () => {
    it('the sign-in and consent posts answer 303 See Other', async () => {
      await server.addPerson('jay', ['read', 'write']);
      const run = await authorize(server, app, { scope: 'openid write', username: 'jay' });
      expect(run.formStatuses.length).toBeGreaterThanOrEqual(2);
      expect(run.formStatuses.every((status) => status === 303)).toBe(true);
    });

    async function interaction(browser: Browser): Promise<{ url: string; html: string }> {
      const config = await clientConfiguration(server, app);
      const start = oidc.buildAuthorizationUrl(config, {
        redirect_uri: app.redirectUri,
        scope: 'openid read',
        state: 's',
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      });
      const first = await browser.fetch(start.href);
      const url = absolute(start.href, first.headers.get('location'));
      const page = await browser.fetch(url);
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.headers.get('x-frame-options')).toBe('DENY');
      return { url, html: await page.text() };
    }

    it('a sign-in post without the form token, or from another site → 403; a wrong password → 401 and the form again', async () => {
      const browser = new Browser();
      const { url, html } = await interaction(browser);
      const origin = new URL(server.issuer).origin;
      expect((await browser.postForm(`${url}/login`, { username: 'alice', password: PASSWORD }, origin)).status).toBe(403);
      const crossSite = await browser.fetch(`${url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
        body: new URLSearchParams({ _csrf: csrfOf(html), username: 'alice', password: PASSWORD }),
      });
      expect(crossSite.status).toBe(403);
      const wrong = await browser.postForm(`${url}/login`, { _csrf: csrfOf(html), username: 'alice', password: 'wrong password!' }, origin);
      expect(wrong.status).toBe(401);
      expect(await wrong.text()).toContain('Wrong username or password.');
    });

    it('unknown user and wrong password read the same', async () => {
      const origin = new URL(server.issuer).origin;
      const bodies: string[] = [];
      for (const username of ['alice', 'nobody-here']) {
        const browser = new Browser();
        const { url, html } = await interaction(browser);
        const reply = await browser.postForm(`${url}/login`, { _csrf: csrfOf(html), username, password: 'not the password' }, origin);
        expect(reply.status).toBe(401);
        bodies.push((await reply.text()).replace(csrfOf(html), '').replace(/interaction\/[\w-]+/g, ''));
      }
      expect(bodies[0]).toBe(bodies[1]);
    });
  });

  describe('checklist section 6 at the sign-in page (issue finding 5)', () => {
    it('6.1 failures for one account from one address back off, then 429 with Retry-After; 6.2 the real person elsewhere still signs in', async () => {
      await server.addPerson('kim', ['read']);
      const attacker = new Browser();
      const origin = new URL(server.issuer).origin;
      const { url, html } = await (async () => {
        const config = await clientConfiguration(server, app);
        const start = oidc.buildAuthorizationUrl(config, { redirect_uri: app.redirectUri, scope: 'read', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
        const target = absolute(start.href, (await attacker.fetch(start.href)).headers.get('location'));
        return { url: target, html: await (await attacker.fetch(target)).text() };
      })();
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 15; i++) {
        const reply = await attacker.postForm(`${url}/login`, { _csrf: csrfOf(html), username: 'kim', password: `guess ${i}` }, origin);
        statuses.push(reply.status);
        if (reply.status === 429) retryAfter ??= reply.headers.get('retry-after');
      }
      expect(statuses.slice(0, POLICY.throttle.freeFailures)).toEqual(Array(POLICY.throttle.freeFailures).fill(401));
      expect(statuses.slice(POLICY.throttle.freeFailures)).toEqual(Array(15 - POLICY.throttle.freeFailures).fill(429));
      expect(Number(retryAfter)).toBeGreaterThan(0);
      // Even the right password waits at this address…
      const locked = await attacker.postForm(`${url}/login`, { _csrf: csrfOf(html), username: 'kim', password: PASSWORD }, origin);
      expect(locked.status).toBe(429);
      // …but not from the person's own address.
      const run = await authorize(server, app, { scope: 'read', username: 'kim' });
      expect(run.callbackUrl.searchParams.get('code')).toBeTruthy();
    });

    it('6.3 one address trying many accounts (spraying) → 429', async () => {
      const sprayer = new Browser();
      const origin = new URL(server.issuer).origin;
      const config = await clientConfiguration(server, app);
      const start = oidc.buildAuthorizationUrl(config, { redirect_uri: app.redirectUri, scope: 'read', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
      const url = absolute(start.href, (await sprayer.fetch(start.href)).headers.get('location'));
      const html = await (await sprayer.fetch(url)).text();
      const statuses: number[] = [];
      for (let i = 0; i < POLICY.throttle.sourceFailures + 3; i++) {
        statuses.push((await sprayer.postForm(`${url}/login`, { _csrf: csrfOf(html), username: `user-${i}`, password: 'Winter2025!' }, origin)).status);
      }
      expect(statuses.slice(0, POLICY.throttle.sourceFailures)).toEqual(Array(POLICY.throttle.sourceFailures).fill(401));
      expect(statuses.at(-1)).toBe(429);
    });
  });

  describe('errors and caching (checklist section 7)', () => {
    it('an unknown path under the server → 404 problem+json', async () => {
      const response = await fetch(`${server.issuer}/no/such/endpoint`);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toMatchObject({ type: expect.stringMatching(/:not-found$/), status: 404 });
    });

    it('token and introspection responses are never cached', async () => {
      const { tokens } = await obtainTokens(server, app, { scope: 'openid read' });
      const refreshed = await server.post('/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }, { client: app });
      expect(refreshed.headers.get('cache-control')).toBe('no-store');
      expect((await server.post('/token/introspection', { token: tokens.access_token }, { client: introspector })).headers.get('cache-control')).toBe('no-store');
    });

    it('a login form of the device pages is not reachable: this server serves no device flow', async () => {
      expect((await fetch(`${server.issuer}/device`)).status).toBe(404);
    });
  });
});

describe('a flow a browser abandons', () => {
  it('Deny at the consent page sends the person back to the client with access_denied', async () => {
    const server = await startProviderServer({ variants: ['authorization-code'] });
    try {
      await server.addPerson('alice', ['read']);
      const app = await server.addClient({ type: 'web', name: 'Photo Printer', scopes: ['read'] });
      const config = await clientConfiguration(server, app);
      const browser = new Browser();
      const start = oidc.buildAuthorizationUrl(config, { redirect_uri: app.redirectUri, scope: 'read', state: 'abc', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
      const origin = new URL(server.issuer).origin;
      let next = absolute(start.href, (await browser.fetch(start.href)).headers.get('location'));
      const login = await browser.postForm(`${next}/login`, { _csrf: csrfOf(await (await browser.fetch(next)).text()), username: 'alice', password: PASSWORD }, origin);
      next = absolute(next, login.headers.get('location'));
      while (!next.includes('/interaction/')) next = absolute(next, (await browser.fetch(next)).headers.get('location'));
      const consent = await (await browser.fetch(next)).text();
      const denied = await browser.postForm(`${next}/abort`, { _csrf: csrfOf(consent) }, origin);
      expect(denied.status).toBe(303);
      const flow = await followToRedirect(server, absolute(next, denied.headers.get('location')), app.redirectUri, { browser });
      expect(flow.callbackUrl.searchParams.get('error')).toBe('access_denied');
      expect(flow.callbackUrl.searchParams.get('code')).toBeNull();
    } finally {
      await server.close();
    }
  });
});

describe('DPoP with the authorization code flow (checklist section 8, issue finding 6)', () => {
  let server: ProviderServer;
  let phone: TestClient;
  let introspector: TestClient;

  beforeAll(async () => {
    server = await startProviderServer({ variants: ['authorization-code'] });
    await server.addPerson('alice', ['read']);
    phone = await server.addClient({ type: 'web', name: 'Phone App', publicClient: true, redirectUris: ['http://127.0.0.1:8700/callback'], scopes: ['openid', 'offline_access', 'read'] });
    introspector = await server.addClient({ type: 'introspection', name: 'Orders API', scopes: [] });
  });
  afterAll(async () => {
    await server?.close();
  });

  const holder = async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = await exportJWK(publicKey);
    return { privateKey, jwk, thumbprint: await calculateJwkThumbprint(jwk, 'sha256') };
  };
  type Holder = Awaited<ReturnType<typeof holder>>;
  const proof = (key: Holder, htm: string, htu: string, accessToken?: string) =>
    new SignJWT({ jti: randomUUID(), htm, htu, ...(accessToken ? { ath: createHash('sha256').update(accessToken).digest('base64url') } : {}) })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk })
      .setIssuedAt(Math.floor(Date.now() / 1000))
      .sign(key.privateKey);
  const tokenRequest = async (fields: Record<string, string>, dpop?: string) => {
    const response = await server.post('/token', { client_id: phone.clientId, ...fields }, { headers: dpop ? { dpop } : {} });
    return { status: response.status, body: (await response.json()) as { access_token?: string; refresh_token?: string; token_type?: string; error?: string } };
  };

  it("a public client's tokens are bound to its key: the access token at the API, the refresh token at /token", async () => {
    const key = await holder();
    const run = await authorize(server, phone, { scope: 'openid offline_access read', extra: { prompt: 'consent' } });
    const exchanged = await tokenRequest(
      { grant_type: 'authorization_code', code: run.callbackUrl.searchParams.get('code')!, redirect_uri: phone.redirectUri, code_verifier: run.codeVerifier },
      await proof(key, 'POST', `${server.issuer}/token`),
    );
    expect(exchanged.status).toBe(200);
    expect(exchanged.body.token_type).toBe('DPoP');
    const { access_token: accessToken, refresh_token: refreshToken } = exchanged.body;
    expect(refreshToken).toBeTruthy();
    const answer = (await (await server.post('/token/introspection', { token: accessToken! }, { client: introspector })).json()) as { cnf?: { jkt?: string } };
    expect(answer.cnf?.jkt).toBe(key.thumbprint);

    const me = `${server.url}/apps/me`;
    expect((await server.get('/apps/me', { authorization: `Bearer ${accessToken}` })).status).toBe(401);
    expect((await server.get('/apps/me', { authorization: `DPoP ${accessToken}`, dpop: await proof(key, 'GET', me, accessToken) })).status).toBe(200);

    // The refresh token needs a proof by the same key: without one, or with another key, no tokens.
    const without = await tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken! });
    expect(without.status).toBe(400);
    expect(without.body.access_token).toBeUndefined();
    const stranger = await tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken! }, await proof(await holder(), 'POST', `${server.issuer}/token`));
    expect(stranger.status).toBe(400);
    expect(stranger.body.access_token).toBeUndefined();
  });

  it('with a proof by the bound key the refresh token works and the new access token is bound too', async () => {
    const key = await holder();
    const run = await authorize(server, phone, { scope: 'openid offline_access read', extra: { prompt: 'consent' } });
    const exchanged = await tokenRequest(
      { grant_type: 'authorization_code', code: run.callbackUrl.searchParams.get('code')!, redirect_uri: phone.redirectUri, code_verifier: run.codeVerifier },
      await proof(key, 'POST', `${server.issuer}/token`),
    );
    const refreshed = await tokenRequest({ grant_type: 'refresh_token', refresh_token: exchanged.body.refresh_token! }, await proof(key, 'POST', `${server.issuer}/token`));
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.token_type).toBe('DPoP');
    const token = refreshed.body.access_token!;
    expect((await server.get('/apps/me', { authorization: `Bearer ${token}` })).status).toBe(401);
    expect((await server.get('/apps/me', { authorization: `DPoP ${token}`, dpop: await proof(key, 'GET', `${server.url}/apps/me`, token) })).status).toBe(200);
  });
});
