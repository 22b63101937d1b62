import { request as httpRequest } from 'node:http';
import { assembleAuth, type Auth } from '../kernel/auth.js';
import type { BoundaryTable } from '../kernel/boundary.js';
import type { Clock } from '../kernel/clock.js';
import type { Route } from '../kernel/http.js';
import type { MethodModule } from '../kernel/method.js';
import type { AuthStore } from '../kernel/store.js';
import { serve } from '../stack.js';
import { openTestStore } from './store-fixture.js';
import type { TestStore } from './test-store.js';

/** A clock the tests move by hand. It starts at the real now, so the store's real-time clean-up never gets ahead of it. */
export class TestClock implements Clock {
  private current: number;
  constructor(start: number = Date.now()) {
    this.current = start;
  }
  now = (): Date => new Date(this.current);
  advance(ms: number): void {
    this.current += ms;
  }
}

/** The real store with a count of `find` and `list` calls per kind, to prove which requests never reach it. */
export type CountingStore = AuthStore & { finds: Record<string, number>; lists: Record<string, number> };

export function countingFinds(store: AuthStore): CountingStore {
  const finds: Record<string, number> = {};
  const lists: Record<string, number> = {};
  return new Proxy(store, {
    get(target, property) {
      if (property === 'finds') return finds;
      if (property === 'lists') return lists;
      if (property === 'find') {
        return (kind: string, id: string) => {
          finds[kind] = (finds[kind] ?? 0) + 1;
          return target.find(kind, id);
        };
      }
      if (property === 'list') {
        return (kind: string, filter?: Parameters<AuthStore['list']>[1]) => {
          lists[kind] = (lists[kind] ?? 0) + 1;
          return target.list(kind, filter);
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  }) as CountingStore;
}

export interface TestServer {
  url: string;
  auth: Auth;
  clock: TestClock;
  store: CountingStore;
  testStore: TestStore;
  /** Every audit line, in order. */
  audits: string[];
  /** Every server log line. */
  logs: string[];
  close(): Promise<void>;
}

/**
 * The real stack on 127.0.0.1 and a free port, over the project's real store
 * (set apart for this run), with a test clock, the demo's routes and the
 * audit lines captured.
 */
export async function startTestServer(options: {
  methods: readonly MethodModule[];
  boundaries: BoundaryTable;
  env?: Record<string, string>;
  routes?: Route[];
  /** A port chosen beforehand (settings that name the server's own URL need it); a free one by default. */
  port?: number;
  /** Wraps the real store, e.g. to record which calls reach it. */
  wrapStore?: (store: AuthStore) => AuthStore;
}): Promise<TestServer> {
  const testStore = await openTestStore();
  const store = countingFinds(options.wrapStore ? options.wrapStore(testStore.store) : testStore.store);
  const clock = new TestClock();
  const audits: string[] = [];
  const logs: string[] = [];
  let auth: Auth | undefined;
  try {
    auth = await assembleAuth({
      methods: options.methods,
      boundaries: options.boundaries,
      env: { NODE_ENV: 'test', ...testStore.env, ...options.env },
      store,
      clock,
      audit: (line) => audits.push(line),
      log: (line) => logs.push(line),
      usageFlushEvery: 0,
      ...(options.routes ? { routes: options.routes } : {}),
    });
    const server = await serve(auth, { port: options.port ?? 0, host: '127.0.0.1', demo: true });
    const running = auth;
    return {
      url: server.url,
      auth: running,
      clock,
      store,
      testStore,
      audits,
      logs,
      async close() {
        await server.close();
        await running.close();
        await testStore.cleanup();
      },
    };
  } catch (error) {
    await auth?.close().catch(() => {});
    await testStore.cleanup();
    throw error;
  }
}

export interface Reply {
  status: number;
  headers: Headers;
  /** Parsed JSON when the body is JSON, else the text. */
  body: unknown;
  text: string;
}

export async function call(base: string, path: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Reply> {
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body, text };
}

/** `Authorization: ApiKey …` → `{ authorization: 'ApiKey …' }`. */
export function headerOf(line: string): Record<string, string> {
  const colon = line.indexOf(': ');
  return { [line.slice(0, colon).toLowerCase()]: line.slice(colon + 2) };
}

/**
 * A request through node:http, for what fetch cannot send: a header repeated
 * as separate lines (two Authorization headers), a Host of our choosing.
 */
export function rawCall(base: string, path: string, init: { method?: string; headers?: Record<string, string | string[]>; body?: string } = {}): Promise<Reply> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: init.method ?? 'GET' }, (incoming) => {
      let text = '';
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => (text += chunk));
      incoming.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(incoming.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: incoming.statusCode ?? 0, headers, body, text });
      });
    });
    outgoing.on('error', reject);
    for (const [name, value] of Object.entries(init.headers ?? {})) outgoing.setHeader(name, value);
    outgoing.end(init.body);
  });
}
