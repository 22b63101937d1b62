import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../app.js';
import { createUser } from '../core/accounts.js';
import type { SessionAuthConfig } from '../core/config.js';
import { verifyPassword } from '../core/passwords.js';
import { createSessionAuth } from '../core/sessions.js';
import type { SessionAuth } from '../core/sessions.js';
import type { AuthStore, UserRecord } from '../core/store.js';
import { openAuthStore } from '../stores/index.js';

// Starts the real demo app of this stack on 127.0.0.1:0 with the real store (a SQLite file in a temp
// folder, or Redis at REDIS_URL under a key prefix of its own) and a clock the test moves by hand.
// Requests are plain fetch calls: cookies are read from Set-Cookie and sent back explicitly.

export const cookieName = '__Host-sid';
export const alicePassword = 'correct horse battery staple';

export interface Harness {
  url: string;
  store: AuthStore;
  auth: SessionAuth;
  /** Moves the injected clock forward. */
  advance(ms: number): void;
  /** How many password hashes were verified so far. */
  passwordVerifications(): number;
  addUser(username: string, password?: string, scopes?: string[]): Promise<UserRecord>;
  close(): Promise<void>;
}

export async function startHarness(config: Partial<SessionAuthConfig> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'session-auth-test-'));
  const store = await openAuthStore(
    {
      AUTH_SQLITE_PATH: join(dir, 'auth.sqlite'),
      REDIS_URL: process.env.REDIS_URL,
      SESSION_REDIS_PREFIX: `test:${randomUUID()}:`,
    },
    dir,
  );
  let now = Date.UTC(2030, 0, 1, 9, 0, 0);
  let verifications = 0;
  const auth = createSessionAuth({
    store,
    config,
    now: () => now,
    verifyPassword: async (hash, password) => {
      verifications += 1;
      return verifyPassword(hash, password);
    },
  });
  const server = await startServer({ auth, store, port: 0, host: '127.0.0.1' });
  return {
    url: server.url,
    store,
    auth,
    advance(ms) {
      now += ms;
    },
    passwordVerifications: () => verifications,
    addUser: (username, password = alicePassword, scopes = []) => createUser(store, { username, password, scopes }, now),
    async close() {
      await server.close();
      await store.removeAllData();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The session id set by a response, or undefined when it sets none. */
export function setSessionId(response: Response): string | undefined {
  for (const header of response.headers.getSetCookie()) {
    const match = new RegExp(`^${cookieName}=([^;]*)`).exec(header);
    if (match) return match[1];
  }
  return undefined;
}

export function sessionSetCookie(response: Response): string | undefined {
  return response.headers.getSetCookie().find((header) => header.startsWith(`${cookieName}=`));
}

export function cookie(id: string): string {
  return `${cookieName}=${id}`;
}

export function csrfTokenIn(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('No CSRF token in the page.');
  return match[1]!;
}

export async function request(h: Harness, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${h.url}${path}`, { redirect: 'manual', ...init });
}

/** GET /login: the pre-session id and the form's CSRF token. */
export async function openLoginForm(h: Harness): Promise<{ id: string; csrfToken: string; response: Response }> {
  const response = await request(h, '/login');
  const html = await response.text();
  const id = setSessionId(response);
  if (id === undefined) throw new Error(`GET /login set no session cookie (status ${response.status}).`);
  return { id, csrfToken: csrfTokenIn(html), response };
}

export function formBody(fields: Record<string, string>): URLSearchParams {
  return new URLSearchParams(fields);
}

export async function postForm(h: Harness, path: string, id: string | undefined, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return request(h, path, {
    method: 'POST',
    headers: { ...(id ? { cookie: cookie(id) } : {}), 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: formBody(fields),
  });
}

export async function postJson(h: Harness, path: string, id: string | undefined, value: unknown, headers: Record<string, string> = {}) {
  return request(h, path, {
    method: 'POST',
    headers: { ...(id ? { cookie: cookie(id) } : {}), 'content-type': 'application/json', ...headers },
    body: JSON.stringify(value),
  });
}

/** Full sign-in through the login form (JSON variant); returns the new session. */
export async function login(h: Harness, username: string, password = alicePassword) {
  const form = await openLoginForm(h);
  const response = await postJson(h, '/login', form.id, { username, password, _csrf: form.csrfToken });
  if (response.status !== 200) throw new Error(`Login as ${username} answered ${response.status}.`);
  const body = (await response.json()) as { csrfToken: string };
  const id = setSessionId(response);
  if (id === undefined) throw new Error('Login set no session cookie.');
  return { id, csrfToken: body.csrfToken, preSessionId: form.id, response };
}

export async function me(h: Harness, id: string): Promise<number> {
  const response = await request(h, '/me', { headers: { cookie: cookie(id) } });
  await response.body?.cancel();
  return response.status;
}
