import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Boundary } from '../../../kernel/boundary.js';
import { call, headerOf, startTestServer, type TestServer } from '../../../tests/harness.js';
import { jwtMethod, type JwtMethod } from '../index.js';
import type { TokenReply } from '../issuer.js';
import { TOKEN_SERVICE_BOUNDARY } from '../token-service.js';
import { TEST_ENV } from './env.js';
import { b64url } from './support.js';

const API: Boundary = { id: 'api', label: 'The API', accepts: [{ method: 'jwt', variant: 'token-service' }] };

/*
 * A token-service boundary without JWT_TOKEN_SERVICE_JWKS_URL, outside
 * production: the app runs this package's issuer as a token service of its
 * own on 127.0.0.1, and verifies its tokens the production way, with the key
 * set fetched over HTTP.
 */
describe('the development token service', { timeout: 60_000 }, () => {
  let server: TestServer;
  let method: JwtMethod;

  beforeAll(async () => {
    server = await startTestServer({ methods: [jwtMethod], boundaries: [API], env: TEST_ENV });
    method = server.auth.method<JwtMethod>('jwt');
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  it('starts on 127.0.0.1, publishes its keys, and the operator hears about it', async () => {
    const development = method.developmentTokenService!;
    expect(development.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.auth.warnings.join('\n')).toContain(`JWT_TOKEN_SERVICE_JWKS_URL is not set: a development token service runs inside this process at ${development.url}`);
    expect((await call(development.url, '/.well-known/jwks.json')).status).toBe(200);
  });

  it('auth:credential tokens and tokens from its sign-in endpoint both work at the API', async () => {
    const issued = await server.auth.credential({ boundary: 'api', subject: 'dev-user', scopes: ['read'] });
    const reply = await call(server.url, '/api/me', { headers: headerOf(issued.header) });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ subject: 'dev-user', variant: 'token-service', issuer: TEST_ENV.JWT_TOKEN_SERVICE_ISSUER });

    const created = await method.accounts.create({ username: 'erin', password: 'erin has a long passphrase', scopes: ['read'] });
    const signIn = await call(method.developmentTokenService!.url, `/${TOKEN_SERVICE_BOUNDARY}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: created.username, password: 'erin has a long passphrase' }),
    });
    expect(signIn.status).toBe(200);
    const { access_token: token } = signIn.body as TokenReply;
    expect((await call(server.url, '/api/me', { headers: { authorization: `Bearer ${token}` } })).body).toMatchObject({ subject: 'erin' });
  });

  it('the API\'s own routes do not sign anyone in: only the token service does', async () => {
    expect((await call(server.url, '/api/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(404);
  });
});

describe('a token-service boundary with the key-set URL set', { timeout: 60_000 }, () => {
  it('mints no credentials itself: they come from the token service', async () => {
    const server = await startTestServer({ methods: [jwtMethod], boundaries: [API], env: { ...TEST_ENV, JWT_TOKEN_SERVICE_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json' } });
    try {
      expect(server.auth.method<JwtMethod>('jwt').developmentTokenService).toBeNull();
      await expect(server.auth.credential({ boundary: 'api', subject: 'x', scopes: [] })).rejects.toThrow(/come from your token service/);
      // An unreachable token service means no key, so 401, and a line in the server log.
      const forged = `${b64url({ alg: 'ES256', typ: 'at+jwt', kid: 'A'.repeat(43) })}.${b64url({ iss: TEST_ENV.JWT_TOKEN_SERVICE_ISSUER })}.AAAA`;
      expect((await call(server.url, '/api/me', { headers: { authorization: `Bearer ${forged}` } })).status).toBe(401);
      expect(server.logs.join('\n')).toMatch(/key set at http:\/\/127\.0\.0\.1:9\/\.well-known\/jwks\.json could not be used/);
    } finally {
      await server.close();
    }
  });
});
