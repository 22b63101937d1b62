import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, CompactSign, exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { Boundary } from '../../../kernel/boundary.js';
import { call, startTestServer, type Reply, type TestServer } from '../../../tests/harness.js';
import { jwtMethod, type JwtMethod } from '../index.js';
import type { Issuer, TokenReply } from '../issuer.js';
import { TOKEN_SERVICE_BOUNDARY } from '../token-service.js';
import { TEST_ENV } from './env.js';

// NOTE: helpers only; in a CommonJS project this file is CommonJS, and vitest can only be imported by test files.

export type Variant = 'login-endpoint' | 'token-service';
export const VARIANTS: readonly Variant[] = ['login-endpoint', 'token-service'];

export const PASSWORDS = { alice: 'correct horse battery staple', root: 'root password for tests only', dave: 'dave has a long passphrase' } as const;
export type Person = keyof typeof PASSWORDS;
const SCOPES: Record<Person, string[]> = { alice: ['read'], root: ['admin', 'read'], dave: ['read'] };

let sources = 0;
/** A fresh documentation address per request (the servers trust one proxy), so the per-source throttle stays out of tests about other things. */
export const freshSource = (): string => {
  sources += 1;
  return `198.18.${Math.floor(sources / 250) % 250}.${(sources % 250) + 1}`;
};

/** Counts the requests for a key set on their way to the token service: what a flood of unknown kids costs it. */
export interface JwksRelay {
  url: string;
  fetches(): number;
  close(): Promise<void>;
}

async function jwksRelay(target: string): Promise<JwksRelay> {
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    fetches += 1;
    fetch(target).then(
      async (upstream) => res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text()),
      () => res.writeHead(502).end(),
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
    fetches: () => fetches,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/**
 * One setup the attack suites run against, for either variant:
 * - login-endpoint: one server signs people in at `/people/token` and guards `/people/…`;
 * - token-service: a real token service on 127.0.0.1 (this package's issuer, its own store)
 *   signs, and the API guards `/api/…` with the service's key set, fetched over HTTP through a
 *   relay that counts the fetches.
 */
export interface Rig {
  variant: Variant;
  /** The server with the guarded routes. */
  api: TestServer;
  /** The server that signs tokens (the API itself for login-endpoint). */
  tokens: TestServer;
  boundary: string;
  issuer: Issuer;
  /** `iss` of the tokens the API accepts. */
  issuerId: string;
  audience: string;
  /** The token endpoint's route group: `/people` or the token service's `/auth`. */
  tokenPrefix: string;
  /** Moves every clock of the rig. */
  advance(seconds: number): void;
  now(): number;
  get(path: string, headers?: Record<string, string>, source?: string): Promise<Reply>;
  /** A POST to the token service (or the API's token endpoint), JSON body. */
  postToken(path: string, body: unknown, headers?: Record<string, string>, source?: string): Promise<Reply>;
  signIn(person: Person, extra?: Record<string, unknown>, headers?: Record<string, string>): Promise<TokenReply>;
  /** An access token as the issuer makes it, without a sign-in. */
  mint(person: Person, scopes?: string[]): Promise<string>;
  /** How often the API read the key set: key records from the store, or the token service's JWKS over HTTP. */
  keyReads(): number;
  /** The account's current version (what `ver` must say). */
  version(person: Person): Promise<number>;
  relay: JwksRelay | null;
  close(): Promise<void>;
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

async function withPeople(server: TestServer): Promise<void> {
  const { accounts } = server.auth.method<JwtMethod>('jwt');
  for (const person of Object.keys(PASSWORDS) as Person[]) await accounts.create({ username: person, password: PASSWORDS[person], scopes: SCOPES[person] });
}

export async function startRig(variant: Variant, env: Record<string, string> = {}): Promise<Rig> {
  const common = { ...TEST_ENV, AUTH_TRUST_PROXY: '1', ...env };
  let tokens: TestServer;
  let api: TestServer;
  let relay: JwksRelay | null = null;
  let boundary: string;
  let tokenPrefix: string;
  if (variant === 'login-endpoint') {
    boundary = 'people';
    tokenPrefix = '/people';
    api = await startTestServer({ methods: [jwtMethod], boundaries: [{ id: boundary, label: 'People signing in', accepts: [{ method: 'jwt', variant }] }], env: common });
    tokens = api;
  } else {
    boundary = 'api';
    tokenPrefix = `/${TOKEN_SERVICE_BOUNDARY}`;
    tokens = await startTestServer({
      methods: [jwtMethod],
      boundaries: [{ id: TOKEN_SERVICE_BOUNDARY, label: 'Token service', accepts: [{ method: 'jwt', variant: 'login-endpoint' }] }],
      env: { ...common, JWT_ISSUER: TEST_ENV.JWT_TOKEN_SERVICE_ISSUER! },
    });
    relay = await jwksRelay(`${tokens.url}/.well-known/jwks.json`);
    api = await startTestServer({
      methods: [jwtMethod],
      boundaries: [{ id: boundary, label: 'The API', accepts: [{ method: 'jwt', variant }] }],
      env: { ...common, JWT_TOKEN_SERVICE_JWKS_URL: relay.url },
    });
  }
  await withPeople(tokens);
  const issuer = tokens.auth.method<JwtMethod>('jwt').issuer!;
  const servers = variant === 'login-endpoint' ? [api] : [api, tokens];
  const rig: Rig = {
    variant,
    api,
    tokens,
    boundary,
    issuer,
    issuerId: issuer.config.issuer,
    audience: issuer.config.audience,
    tokenPrefix,
    relay,
    advance(seconds) {
      for (const server of servers) server.clock.advance(seconds * 1000);
    },
    now: () => api.clock.now().getTime(),
    get: (path, headers = {}, source = freshSource()) => call(api.url, path, { headers: { 'x-forwarded-for': source, ...headers } }),
    postToken: (path, body, headers = {}, source = freshSource()) =>
      call(tokens.url, path, {
        method: 'POST',
        headers: { 'x-forwarded-for': source, 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    async signIn(person, extra = {}, headers = {}) {
      const reply = await rig.postToken(`${tokenPrefix}/token`, { username: person, password: PASSWORDS[person], ...extra }, headers);
      if (reply.status !== 200) throw new Error(`sign-in of ${person} failed: ${reply.status} ${reply.text}`);
      return reply.body as TokenReply;
    },
    async mint(person, scopes = SCOPES[person]) {
      const account = (await tokens.auth.method<JwtMethod>('jwt').accounts.find(person))!;
      return (await issuer.accessToken({ username: person, version: account.version, scopes })).token;
    },
    keyReads: () => (relay ? relay.fetches() : (api.store.lists['jwt-signing-key'] ?? 0)),
    async version(person) {
      return (await tokens.auth.method<JwtMethod>('jwt').accounts.find(person))!.version;
    },
    async close() {
      await api.close();
      if (tokens !== api) await tokens.close();
      await relay?.close();
    },
  };
  return rig;
}

// ---- Hand-made tokens: every attack is built byte by byte here, not by the code under test. ----

export const b64url = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

export function unsigned(header: Record<string, unknown>, payload: Record<string, unknown>, signature = ''): string {
  return `${b64url(header)}.${b64url(payload)}.${signature}`;
}

export async function es256(header: Record<string, unknown>, payload: Record<string, unknown>, key: CryptoKey): Promise<string> {
  return new CompactSign(Buffer.from(JSON.stringify(payload))).setProtectedHeader({ ...header, alg: 'ES256' }).sign(key);
}

/** The issuer's current signing key, as the legitimate issuer holds it. */
export async function issuerKey(rig: Rig): Promise<{ kid: string; privateKey: CryptoKey; publicJwk: JWK; publicPem: string }> {
  const signer = await rig.issuer.keys.signer();
  const publicJwk = (await rig.issuer.keys.jwks()).keys.find((key) => key.kid === signer.kid)!;
  const publicKey = (await importJWK(publicJwk, 'ES256', { extractable: true })) as CryptoKey;
  return { kid: signer.kid, privateKey: signer.key, publicJwk, publicPem: await exportSPKI(publicKey) };
}

export async function attackerKey(): Promise<{ privateKey: CryptoKey; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { privateKey, publicJwk: await exportJWK(publicKey) };
}

/** Claims of a valid access token of `person` at this moment of the rig's clock. */
export async function claimsFor(rig: Rig, person: Person = 'alice', overrides: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const now = Math.floor(rig.now() / 1000);
  return { iss: rig.issuerId, aud: rig.audience, sub: person, iat: now, exp: now + 300, jti: randomUUID(), scope: 'read', ver: await rig.version(person), ...overrides };
}

/** A token signed with the issuer's real key: everything right except what `claims` or `header` change. */
export async function signed(rig: Rig, claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const key = await issuerKey(rig);
  return es256({ typ: 'at+jwt', kid: key.kid, ...header }, claims, key.privateKey);
}

// ---- A DPoP client (RFC 9449), made with jose the way a client makes proofs. ----

export interface DpopClient {
  thumbprint: string;
  /** A proof for this request; `claims` and `header` override the right values to build a wrong proof. */
  proof(method: string, url: string, options?: { accessToken?: string; claims?: Record<string, unknown>; header?: Record<string, unknown>; iat?: number }): Promise<string>;
}

export async function dpopClient(): Promise<DpopClient> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  return {
    thumbprint: await calculateJwkThumbprint(jwk, 'sha256'),
    async proof(method, url, options = {}) {
      const claims: Record<string, unknown> = { jti: randomUUID(), htm: method, htu: url };
      if (options.accessToken !== undefined) claims.ath = createHash('sha256').update(options.accessToken).digest('base64url');
      return new SignJWT({ ...claims, ...options.claims })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk, ...options.header })
        .setIssuedAt(options.iat ?? Math.floor(Date.now() / 1000))
        .sign(privateKey);
    },
  };
}
