import type { Account } from '../../../kernel/accounts.js';
import type { Boundary } from '../../../kernel/boundary.js';
import type { AuthStore } from '../../../kernel/store.js';
import { call, startTestServer, type Reply, type TestServer } from '../../../tests/harness.js';
import { sessionMethod, type SessionMethod } from '../index.js';
import { LOGIN_COOKIE, SESSION_COOKIE } from '../secrets.js';
import { TEST_ENV } from './env.js';

/*
 * The real stack and store with sessions at three boundaries: `/web` takes
 * the cookie, `/apps` the token, `/both` either. Requests come from an address
 * of their own (the server trusts one proxy) unless a test names one, so the
 * throttle's per-address count stays out of tests about other things.
 * NOTE: helpers like this one may not import vitest (see tests/cli-runner).
 */
export const WEB: Boundary = { id: 'web', label: 'Browser app', accepts: [{ method: 'session', variant: 'cookie' }] };
export const APPS: Boundary = { id: 'apps', label: 'Native apps and CLIs', accepts: [{ method: 'session', variant: 'token' }] };
export const BOTH: Boundary = {
  id: 'both',
  label: 'Browsers and apps',
  accepts: [
    { method: 'session', variant: 'cookie' },
    { method: 'session', variant: 'token' },
  ],
};

export const PASSWORD = 'correct horse battery staple';

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Cookies to send, by name. */
  cookies?: Record<string, string>;
  /** A form body (application/x-www-form-urlencoded). */
  form?: Record<string, string>;
  /** A JSON body. */
  json?: unknown;
  /** A body sent as it is (set its content-type in `headers`). */
  body?: string;
  /** The client address (X-Forwarded-For); a fresh one when absent. */
  source?: string;
}

export interface SignedIn {
  /** The `__Host-sid` value. */
  sid: string;
  csrfToken: string;
  /** The `__Host-login` value the sign-in used. */
  preSession: string;
  reply: Reply;
}

export interface SessionServer extends TestServer {
  method: SessionMethod;
  addUser(username: string, options?: { password?: string; scopes?: string[] }): Promise<Account>;
  request(path: string, options?: RequestOptions): Promise<Reply>;
  /** GET /<boundary>/login: the pre-session cookie and the form's CSRF token. */
  openLoginForm(boundary?: string, options?: RequestOptions): Promise<{ preSession: string; csrfToken: string; reply: Reply }>;
  /** Signs in the way a script does (JSON); throws unless it worked. */
  signIn(username: string, password?: string, boundary?: string): Promise<SignedIn>;
  /** POST /<boundary>/sessions; throws unless it worked. */
  signInForToken(username: string, password?: string, boundary?: string): Promise<{ token: string; handle: string; reply: Reply }>;
  /** The status of GET /<boundary>/me with these cookies or headers. */
  statusOf(path: string, options: RequestOptions): Promise<number>;
}

let sources = 0;
/** A fresh documentation address per request. */
export const freshSource = (): string => {
  sources += 1;
  return `198.18.${Math.floor(sources / 250) % 250}.${(sources % 250) + 1}`;
};

/** The value a Set-Cookie line gives a cookie, or undefined when the reply sets none. */
export function cookieSet(reply: Reply, name: string): string | undefined {
  for (const line of reply.headers.getSetCookie()) {
    if (line.startsWith(`${name}=`)) return line.slice(name.length + 1, line.indexOf(';') === -1 ? undefined : line.indexOf(';'));
  }
  return undefined;
}

/** The whole Set-Cookie line for a cookie. */
export const setCookieLine = (reply: Reply, name: string): string | undefined => reply.headers.getSetCookie().find((line) => line.startsWith(`${name}=`));

export function csrfTokenIn(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error(`no CSRF token in the page:\n${html}`);
  return match[1]!;
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

export interface SessionServerOptions {
  env?: Record<string, string>;
  boundaries?: Boundary[];
  wrapStore?: (store: AuthStore) => AuthStore;
  /** People to add, with the password PASSWORD: a name, or a name and scopes. */
  people?: (string | [string, string[]])[];
}

export async function startSessionServer(options: SessionServerOptions = {}): Promise<SessionServer> {
  const server = await startTestServer({
    methods: [sessionMethod],
    boundaries: options.boundaries ?? [WEB, APPS, BOTH],
    env: { ...TEST_ENV, AUTH_TRUST_PROXY: '1', ...options.env },
    ...(options.wrapStore ? { wrapStore: options.wrapStore } : {}),
  });
  const method = server.auth.method<SessionMethod>('session');

  const request = (path: string, options: RequestOptions = {}): Promise<Reply> => {
    const headers: Record<string, string> = { 'x-forwarded-for': options.source ?? freshSource(), ...options.headers };
    const cookies = Object.entries(options.cookies ?? {}).map(([name, value]) => `${name}=${value}`);
    if (cookies.length > 0) headers.cookie = cookies.join('; ');
    let body = options.body;
    if (options.form) {
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    } else if (options.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(options.json);
    }
    return call(server.url, path, { method: options.method ?? (body === undefined ? 'GET' : 'POST'), headers, redirect: 'manual', ...(body === undefined ? {} : { body }) });
  };

  const openLoginForm = async (boundary = 'web', options: RequestOptions = {}) => {
    const reply = await request(`/${boundary}/login`, options);
    const preSession = cookieSet(reply, LOGIN_COOKIE) ?? options.cookies?.[LOGIN_COOKIE];
    if (reply.status !== 200 || preSession === undefined) throw new Error(`GET /${boundary}/login answered ${reply.status} without a pre-session`);
    return { preSession, csrfToken: csrfTokenIn(reply.text), reply };
  };

  for (const person of options.people ?? []) {
    const [username, scopes] = typeof person === 'string' ? [person, []] : person;
    await method.accounts.create({ username, password: PASSWORD, scopes });
  }

  return {
    ...server,
    method,
    addUser: (username, options = {}) => method.accounts.create({ username, password: options.password ?? PASSWORD, scopes: options.scopes ?? [] }),
    request,
    openLoginForm,
    async signIn(username, password = PASSWORD, boundary = 'web') {
      const form = await openLoginForm(boundary);
      const reply = await request(`/${boundary}/login`, { cookies: { [LOGIN_COOKIE]: form.preSession }, json: { username, password, _csrf: form.csrfToken } });
      const sid = cookieSet(reply, SESSION_COOKIE);
      if (reply.status !== 200 || !sid) throw new Error(`signing in as ${username} answered ${reply.status}: ${reply.text}`);
      return { sid, csrfToken: (reply.body as { csrfToken: string }).csrfToken, preSession: form.preSession, reply };
    },
    async signInForToken(username, password = PASSWORD, boundary = 'apps') {
      const reply = await request(`/${boundary}/sessions`, { json: { username, password } });
      if (reply.status !== 201) throw new Error(`token sign-in as ${username} answered ${reply.status}: ${reply.text}`);
      const { token, handle } = reply.body as { token: string; handle: string };
      return { token, handle, reply };
    },
    async statusOf(path, options) {
      return (await request(path, options)).status;
    },
  };
}
