import type { Boundary } from '../../../kernel/boundary.js';
import { call, startTestServer, type Reply, type TestServer } from '../../../tests/harness.js';
import { apiKeyMethod, type ApiKeyMethod } from '../index.js';
import type { IssuedKey, NewKeyRequest } from '../manage.js';
import { TEST_ENV } from './env.js';

export const TEST_PREFIX = 'ak_test';
export const PARTNERS: Boundary = { id: 'partners', label: 'Partner backends', accepts: [{ method: 'api-key', variant: 'application' }] };

export interface KeyServer extends TestServer {
  method: ApiKeyMethod;
  mint(request?: Partial<NewKeyRequest>): Promise<IssuedKey>;
  /** A request from an address of its own (the server trusts one proxy), unless `source` names one. */
  get(path: string, headers?: Record<string, string>, source?: string): Promise<Reply>;
  post(path: string, body: unknown, headers?: Record<string, string>, source?: string): Promise<Reply>;
  /** Key lookups the store has served so far. */
  lookups(): number;
}

let sources = 0;
/** A fresh documentation address per request, so the throttle's per-source count stays out of tests about other things. */
const freshSource = () => {
  sources += 1;
  return `198.18.${Math.floor(sources / 250) % 250}.${(sources % 250) + 1}`;
};

/** The real stack and store with the API-key method at one boundary, `/partners`. */
export async function startKeyServer(env: Record<string, string> = {}): Promise<KeyServer> {
  const server = await startTestServer({
    methods: [apiKeyMethod],
    boundaries: [PARTNERS],
    env: { ...TEST_ENV, API_KEY_PREFIX: TEST_PREFIX, AUTH_TRUST_PROXY: '1', ...env },
  });
  const method = server.auth.method<ApiKeyMethod>('api-key');
  let minted = 0;
  return {
    ...server,
    method,
    mint: (request = {}) =>
      method.keys.create({ subject: request.subject ?? `client-${(minted += 1)}`, tenant: request.tenant ?? 'acme', scopes: request.scopes ?? ['read'], ...request }),
    get: (path, headers = {}, source = freshSource()) => call(server.url, path, { headers: { 'x-forwarded-for': source, ...headers } }),
    post: (path, body, headers = {}, source = freshSource()) =>
      call(server.url, path, { method: 'POST', headers: { 'x-forwarded-for': source, 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) }),
    lookups: () => server.store.finds['api-key'] ?? 0,
  };
}

export const apiKeyHeader = (key: string): Record<string, string> => ({ authorization: `ApiKey ${key}` });
