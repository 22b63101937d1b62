import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { POLICY } from '../../../policy.js';
import { PLANNED_TOKEN_FORMAT } from '../provider/token-format.js';
import { startProviderServer, timeTravel, type ProviderServer, type TestClient } from './server-harness.js';

/*
 * Service tokens (client credentials) over real HTTP: the real oidc-provider
 * on this project's stack and store, a service asking /token with its secret,
 * the API's /services boundary checking what it got.
 */
const policy = POLICY.oauth['client-credentials'];
const OTHER_FORMAT = PLANNED_TOKEN_FORMAT === 'jwt' ? 'opaque' : 'jwt';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });
const { travel, restore } = timeTravel(vi);
afterEach(restore);

interface TokenAnswer {
  access_token?: string;
  token_type?: string;
  expires_in?: number;
  scope?: string;
  refresh_token?: string;
  error?: string;
}

describe.each([PLANNED_TOKEN_FORMAT, OTHER_FORMAT])('client credentials with %s access tokens', (format) => {
  let server: ProviderServer;
  let billing: TestClient;
  let reports: TestClient;
  let introspector: TestClient;

  beforeAll(async () => {
    server = await startProviderServer({ variants: ['client-credentials'], env: { OAUTH_SERVER_TOKEN_FORMAT: format } });
    billing = await server.addClient({ type: 'service', name: 'Billing', scopes: ['read', 'write'] });
    reports = await server.addClient({ type: 'service', name: 'Reports', scopes: ['read'] });
    introspector = await server.addClient({ type: 'introspection', name: 'Orders API', scopes: [] });
  });
  afterAll(async () => {
    await server?.close();
  });

  const token = async (client: TestClient, fields: Record<string, string> = {}, headers: Record<string, string> = {}) => {
    const response = await server.post('/token', { grant_type: 'client_credentials', ...fields }, { client, headers });
    return { response, body: (await response.json()) as TokenAnswer };
  };
  const me = (value: string) => server.get('/services/me', { authorization: `Bearer ${value}` });
  const introspect = async (value: string) => (await server.post('/token/introspection', { token: value }, { client: introspector })).json();

  it('a service gets a token of this format with the policy lifetime and no refresh token; the API sees a service', async () => {
    const { response, body } = await token(billing, { scope: 'read write' });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toContain('no-store');
    expect(body.token_type?.toLowerCase()).toBe('bearer');
    expect(body.expires_in).toBe(policy.accessToken.default);
    expect(body.refresh_token).toBeUndefined();
    expect(body.access_token!.split('.').length).toBe(format === 'jwt' ? 3 : 1);
    if (format === 'jwt') {
      const claims = decodeJwt(body.access_token!);
      expect(claims).toMatchObject({ iss: server.issuer, aud: server.audience, client_id: billing.clientId, scope: 'read write' });
      expect(claims.exp! - claims.iat!).toBe(policy.accessToken.default);
    }
    const reply = await me(body.access_token!);
    expect(reply.status).toBe(200);
    expect(await reply.json()).toMatchObject({ subject: billing.clientId, kind: 'service', method: 'oauth', variant: 'client-credentials', client: billing.clientId });
  });

  it('scopes per client: a scope the service was not registered for → invalid_scope; none asked → only its own', async () => {
    const refused = await token(reports, { scope: 'read write' });
    expect(refused.response.status).toBe(400);
    expect(refused.body.error).toBe('invalid_scope');
    const plain = await token(reports, { scope: 'read' });
    expect(plain.body.scope).toBe('read');
    const reply = await me(plain.body.access_token!);
    expect(((await reply.json()) as { scopes: string[] }).scopes).toEqual(['read']);
  });

  it('a wrong secret → 401 invalid_client; no client → 400 or 401, never a token', async () => {
    const wrong = await token({ ...billing, clientSecret: 'not-the-secret' });
    expect(wrong.response.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_client');
    const anonymous = await server.post('/token', { grant_type: 'client_credentials', client_id: billing.clientId });
    expect([400, 401]).toContain(anonymous.status);
    expect(((await anonymous.json()) as TokenAnswer).access_token).toBeUndefined();
  });

  it('a client registered for something else (here: introspection) may not use client credentials: 400, no token', async () => {
    const other = await server.addClient({ type: 'introspection', name: 'Not a service', scopes: [] });
    const { response, body } = await token(other);
    expect(response.status).toBe(400);
    expect(body.access_token).toBeUndefined();
    // oidc-provider answers invalid_request and names the grant type as the reason.
    expect(body.error).toBe('invalid_request');
    expect((body as { error_description?: string }).error_description).toMatch(/grant type/);
  });

  it('4.8 a revoked service token stops at once (the API and introspection)', async () => {
    const { body } = await token(billing, { scope: 'read' });
    expect((await me(body.access_token!)).status).toBe(200);
    const revoked = await server.post('/token/revocation', { token: body.access_token! }, { client: billing });
    expect(revoked.status).toBe(200);
    expect((await me(body.access_token!)).status).toBe(401);
    expect(await introspect(body.access_token!)).toEqual({ active: false });
  });

  it('an expired service token → 401 at the API and {"active":false} at introspection', async () => {
    const { body } = await token(billing, { scope: 'read' });
    travel(server, policy.accessToken.default + policy.clockSkew.default + 1);
    expect((await me(body.access_token!)).status).toBe(401);
    expect(await introspect(body.access_token!)).toEqual({ active: false });
  });

  it('introspection names the service as the client of its token', async () => {
    const { body } = await token(billing, { scope: 'read' });
    const answer = (await introspect(body.access_token!)) as { active: boolean; client_id: string; sub?: string };
    expect(answer.active).toBe(true);
    expect(answer.client_id).toBe(billing.clientId);
  });

  describe('DPoP (checklist section 8)', () => {
    const ath = (value: string) => createHash('sha256').update(value).digest('base64url');
    const holder = async () => {
      const { privateKey, publicKey } = await generateKeyPair('ES256');
      const jwk = await exportJWK(publicKey);
      return { privateKey, jwk, thumbprint: await calculateJwkThumbprint(jwk, 'sha256') };
    };
    type Holder = Awaited<ReturnType<typeof holder>>;
    const proof = (key: Holder, htm: string, htu: string, accessToken?: string) =>
      new SignJWT({ jti: randomUUID(), htm, htu, ...(accessToken ? { ath: ath(accessToken) } : {}) })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk })
        .setIssuedAt(Math.floor(Date.now() / 1000))
        .sign(key.privateKey);

    it('a token asked for with a proof is bound to its key (cnf.jkt) and works only with a fresh proof from that key', async () => {
      const key = await holder();
      const { response, body } = await token(billing, { scope: 'read' }, { dpop: await proof(key, 'POST', `${server.issuer}/token`) });
      expect(response.status).toBe(200);
      expect(body.token_type).toBe('DPoP');
      const answer = (await introspect(body.access_token!)) as { cnf?: { jkt?: string } };
      expect(answer.cnf?.jkt).toBe(key.thumbprint);
      const url = `${server.url}/services/me`;

      // 8.1 as Bearer, or as DPoP without a proof → 401 asking for DPoP.
      const asBearer = await me(body.access_token!);
      expect(asBearer.status).toBe(401);
      expect(asBearer.headers.get('www-authenticate')).toMatch(/^DPoP /);
      expect((await server.get('/services/me', { authorization: `DPoP ${body.access_token}` })).status).toBe(401);

      const good = await proof(key, 'GET', url, body.access_token);
      expect((await server.get('/services/me', { authorization: `DPoP ${body.access_token}`, dpop: good })).status).toBe(200);
      // 8.3 the same proof again → refused (replay).
      expect((await server.get('/services/me', { authorization: `DPoP ${body.access_token}`, dpop: good })).status).toBe(401);
      // 8.2 a proof from another key, or for another URL → refused.
      const thief = await holder();
      expect((await server.get('/services/me', { authorization: `DPoP ${body.access_token}`, dpop: await proof(thief, 'GET', url, body.access_token) })).status).toBe(401);
      expect((await server.get('/services/me', { authorization: `DPoP ${body.access_token}`, dpop: await proof(key, 'GET', `${server.url}/services/admin`, body.access_token) })).status).toBe(401);
    });

    it('an unbound token sent with the DPoP scheme → 401', async () => {
      const { body } = await token(billing, { scope: 'read' });
      const key = await holder();
      const reply = await server.get('/services/me', { authorization: `DPoP ${body.access_token}`, dpop: await proof(key, 'GET', `${server.url}/services/me`, body.access_token) });
      expect(reply.status).toBe(401);
    });

    it('a malformed proof at the token endpoint → 400 invalid_dpop_proof, no token', async () => {
      const { response, body } = await token(billing, { scope: 'read' }, { dpop: 'not-a-proof' });
      expect(response.status).toBe(400);
      expect(body.error).toBe('invalid_dpop_proof');
      expect(body.access_token).toBeUndefined();
    });
  });
});
