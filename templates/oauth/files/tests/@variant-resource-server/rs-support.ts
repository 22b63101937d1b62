import { randomBytes } from 'node:crypto';
import { importJWK, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { Boundary } from '../../../kernel/boundary.js';
import { call, startTestServer, type Reply, type TestServer } from '../../../tests/harness.js';
import { openTestStore } from '../../../tests/store-fixture.js';
import type { TestStore } from '../../../tests/test-store.js';
import { oauthMethod } from '../index.js';
import type { OAuthMethod } from '../parts.js';
import type { PracticeIssuer } from '../practice/issuer.js';
import { listeningPractice, type RunningPractice } from '../practice/serve.js';
import type { ResourceServerPart } from '../resource-server/part.js';
import type { TokenCheck } from '../tokens/verify.js';

/*
 * The resource server as it runs for real: a real OpenID Provider
 * (oidc-provider, the practice issuer) on 127.0.0.1 with a store of its own,
 * standing in for a hosted identity provider, and this project's stack and
 * store with the OAuth method at `/api`, trusting that issuer through its
 * discovery document, JWKS and introspection endpoint only.
 * NOTE: no vitest here: in a CommonJS project this helper is CommonJS.
 */
export const AUDIENCE = 'https://api.example.test';
export const API: Boundary = { id: 'api', label: 'API', accepts: [{ method: 'oauth', variant: 'resource-server' }] };

export interface IssuerAndApi {
  issuer: PracticeIssuer;
  api: TestServer;
  part: ResourceServerPart;
  /** A token as this issuer would sign it; a claim or header given as undefined is left out. */
  sign(claims?: Record<string, unknown>, header?: Record<string, unknown>, key?: CryptoKey): Promise<string>;
  /** The issuer's signing key, public part. */
  publicJwk: JWK;
  /** Now, in seconds, by the API's clock. */
  now(): number;
  /** A request from an address of its own (the API trusts one proxy), unless `source` names one. */
  get(path: string, headers?: Record<string, string>, source?: string): Promise<Reply>;
  close(): Promise<void>;
}

let sources = 0;
/** A fresh documentation address per request, so the throttle's per-source count stays out of tests about other things. */
export const freshSource = (): string => {
  sources += 1;
  return `198.18.${Math.floor(sources / 250) % 250}.${(sources % 250) + 1}`;
};

const withoutUndefined = (record: Record<string, unknown>) => Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));

export async function startIssuerAndApi(options: { check?: TokenCheck; env?: Record<string, string>; accessTokenTtl?: number } = {}): Promise<IssuerAndApi> {
  const check = options.check ?? 'jwt';
  const issuerStore: TestStore = await openTestStore();
  let practice: RunningPractice | undefined;
  let api: TestServer | undefined;
  try {
    practice = await listeningPractice(0, {
      store: issuerStore.store,
      audience: AUDIENCE,
      accessTokenFormat: check === 'introspection' ? 'opaque' : 'jwt',
      accessTokenTtl: options.accessTokenTtl ?? 300,
      // Client mode's app exists too, so tests can hold a real refresh token up against the API.
      connectRedirectUris: ['http://127.0.0.1:9/connections/callback'],
    });
    const issuer = practice.issuer;
    api = await startTestServer({
      methods: [oauthMethod],
      boundaries: [API],
      env: {
        AUTH_TRUST_PROXY: '1',
        OAUTH_TRUSTED_ISSUER: issuer.issuer,
        OAUTH_TRUSTED_AUDIENCE: AUDIENCE,
        OAUTH_TOKEN_CHECK: check,
        OAUTH_INTROSPECTION_CLIENT_ID: issuer.api.clientId,
        OAUTH_INTROSPECTION_CLIENT_SECRET: issuer.api.clientSecret,
        ...options.env,
      },
    });
    const setup = await issuerStore.store.find('practice-issuer', 'setup');
    const privateJwk = (setup!.value as unknown as { signingKey: JWK }).signingKey;
    const signingKey = (await importJWK(privateJwk, 'ES256')) as CryptoKey;
    const { d: _private, ...publicJwk } = privateJwk;
    const server = api;
    const running = practice;
    const now = () => Math.floor(server.clock.now().getTime() / 1000);
    return {
      issuer,
      api: server,
      part: server.auth.method<OAuthMethod>('oauth').part<ResourceServerPart>('resource-server'),
      publicJwk,
      now,
      async sign(claims = {}, header = {}, key = signingKey) {
        const payload = withoutUndefined({ iss: issuer.issuer, aud: AUDIENCE, sub: 'alice', client_id: 'practice-app', scope: 'read', jti: randomBytes(12).toString('base64url'), iat: now(), exp: now() + 300, ...claims });
        return new SignJWT(payload)
          .setProtectedHeader(withoutUndefined({ alg: 'ES256', typ: 'at+jwt', kid: privateJwk.kid, ...header }) as { alg: string })
          .sign(key);
      },
      get: (path, headers = {}, source = freshSource()) => call(server.url, path, { headers: { 'x-forwarded-for': source, ...headers } }),
      async close() {
        await server.close();
        await running.close();
        await issuerStore.cleanup();
      },
    };
  } catch (error) {
    await api?.close().catch(() => {});
    await practice?.close().catch(() => {});
    await issuerStore.cleanup();
    throw error;
  }
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
export const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
