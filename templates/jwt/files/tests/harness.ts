import { randomBytes, randomUUID } from 'node:crypto';
import { loadAuthConfig } from '../core/config.js';
import type { JwtAuthConfig } from '../core/config.js';
import { JwtAuth } from '../core/jwt-auth.js';
import type { BearerGuard } from '../core/guard.js';
import type { AuthStore } from '../core/store.js';
import { startServer } from '../app.js';
import { openTestStore } from './store-fixture.js';

// Starts the real stack on 127.0.0.1:0 over the real store, with a clock the test controls.

// NOTE: this module must not import vitest: in CommonJS projects they are CommonJS, and vitest
// can only be imported from the (ESM) test files.

/** Password hashing is production-strength scrypt (about 128 MiB per hash): log-ins are slow. */
export const SLOW_TEST_TIMEOUT_MS = 60_000;

export const ISSUER = 'https://issuer.test';
export const AUDIENCE = 'https://api.test';
export const PASSWORDS = { alice: 'correct horse battery staple', root: 'root password for tests only' };

export interface TestClock {
  now: number;
  advance(seconds: number): void;
}

export interface Harness {
  url: string;
  auth: JwtAuth;
  store: AuthStore;
  config: JwtAuthConfig;
  clock: TestClock;
  keyEncryptionKey: Buffer;
  /** How often each store method was called, to prove what did or did not reach the store. */
  calls: Record<string, number>;
  get(path: string, authorization?: string): Promise<Response>;
  post(path: string, body: unknown, authorization?: string): Promise<Response>;
  login(username: keyof typeof PASSWORDS): Promise<{ access_token: string; refresh_token: string }>;
  close(): Promise<void>;
}

function counted(store: AuthStore, calls: Record<string, number>): AuthStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        calls[property] = (calls[property] ?? 0) + 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

export async function startHarness(
  options: { env?: Record<string, string>; guard?: (auth: JwtAuth) => BearerGuard } = {},
): Promise<Harness> {
  const { store: realStore, cleanup } = await openTestStore();
  const calls: Record<string, number> = {};
  const store = counted(realStore, calls);
  const clock: TestClock = {
    now: Date.now(),
    advance(seconds) {
      this.now += seconds * 1000;
    },
  };
  const config = loadAuthConfig({
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    AUTH_LOGIN_ATTEMPT_LIMIT: '1000',
    ...options.env,
  });
  const keyEncryptionKey = randomBytes(32);
  const auth = await new JwtAuth({ store, config, keyEncryptionKey, clock: () => clock.now }).init();
  await auth.createUser({ username: 'alice', password: PASSWORDS.alice, scopes: ['read'] });
  await auth.createUser({ username: 'root', password: PASSWORDS.root, scopes: ['read', 'admin'] });
  const server = await startServer({ guard: options.guard ? options.guard(auth) : auth, auth, port: 0, host: '127.0.0.1' });
  const headers = (authorization?: string): Record<string, string> =>
    authorization === undefined ? {} : { authorization };
  const harness: Harness = {
    url: server.url,
    auth,
    store,
    config,
    clock,
    keyEncryptionKey,
    calls,
    get: (path, authorization) => fetch(server.url + path, { headers: headers(authorization) }),
    post: (path, body, authorization) =>
      fetch(server.url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers(authorization) },
        body: JSON.stringify(body),
      }),
    async login(username) {
      const response = await harness.post('/auth/token', { username, password: PASSWORDS[username] });
      if (response.status !== 200) throw new Error(`login failed: ${response.status} ${await response.text()}`);
      return (await response.json()) as { access_token: string; refresh_token: string };
    },
    async close() {
      await server.close();
      await cleanup();
    },
  };
  return harness;
}

export const bearer = (token: string): string => `Bearer ${token}`;

export function claimsFor(harness: Harness, subject = 'alice', overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(harness.clock.now / 1000);
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: subject,
    iat: now,
    exp: now + 300,
    jti: randomUUID(),
    scope: 'read',
    ver: 0,
    ...overrides,
  };
}
