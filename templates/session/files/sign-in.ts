import type { Accounts } from '../../kernel/accounts.js';
import type { Boundary } from '../../kernel/boundary.js';
import { csrfRefusal } from '../../kernel/csrf.js';
import { cookieValue, json, type Route, type RouteRequest } from '../../kernel/http.js';
import { invalidInput, problem } from '../../kernel/problem.js';
import { loginPage, messagePage, page, seeOther } from './pages.js';
import { field, isFormPost, throttled, wantsJson, wrongPassword, challengeOf } from './replies.js';
import { LOGIN_COOKIE, SESSION_COOKIE, setCookie } from './secrets.js';
import { MAX_NAME_LENGTH, type SessionManager } from './sessions.js';

export interface SignInDependencies {
  sessions: SessionManager;
  accounts: Accounts;
  /** AUTH_TRUSTED_ORIGINS: who may post the sign-in form besides the request's own host. */
  trustedOrigins: readonly string[];
}

/** Username and password from a body, or the field that is missing. */
function credentialsIn(body: unknown): { username: string; password: string } | { missing: string } {
  const username = field(body, 'username');
  const password = field(body, 'password');
  if (username === undefined || username.trim() === '') return { missing: 'username' };
  if (password === undefined || password === '') return { missing: 'password' };
  return { username, password };
}

/**
 * Browsers sign in at `/<boundary>/login`:
 *
 * - `GET` shows the form (JSON `{ csrfToken }` to a script that asks for
 *   JSON) and starts a pre-session in the `__Host-login` cookie, which holds
 *   the form's CSRF token and nothing else;
 * - `POST` (a form, or JSON with the token as `_csrf` or `x-csrf-token`)
 *   needs that pre-session, its token and a same-site origin (login CSRF:
 *   nobody can sign a browser into their own account). A right password ends
 *   the pre-session and any session the browser held, and issues a session
 *   with an id never seen before (fixation), in `__Host-sid`.
 */
export function cookieSignInRoutes(boundary: Boundary, { sessions, accounts, trustedOrigins }: SignInDependencies): Route[] {
  const base = `/${boundary.id}`;
  const action = `${base}/login`;

  const expired = () =>
    page(403, messagePage('This sign-in form has expired', 'The form was too old or did not come from this site. Open it again and sign in.', { href: action, label: 'Sign in' }));

  return [
    {
      method: 'GET',
      path: action,
      body: 'none',
      async handle(request) {
        const current = cookieValue(request, SESSION_COOKIE);
        if (current !== undefined && (await sessions.resolve('cookie', current)).ok) return seeOther(`${base}/account`);
        let preSession = await sessions.preSessionOf(cookieValue(request, LOGIN_COOKIE));
        const headers: Record<string, string> = {};
        // A live pre-session is kept: reloading the form writes nothing.
        if (!preSession) {
          const started = await sessions.startPreSession();
          preSession = started.preSession;
          headers['set-cookie'] = setCookie(LOGIN_COOKIE, started.credential);
        }
        if (wantsJson(request)) return json(200, { csrfToken: preSession.csrfToken }, headers);
        return page(200, loginPage(action, preSession.csrfToken), headers);
      },
    },
    {
      method: 'POST',
      path: action,
      body: 'form-or-json',
      async handle(request: RouteRequest) {
        const form = isFormPost(request);
        const preSession = await sessions.preSessionOf(cookieValue(request, LOGIN_COOKIE));
        const refusal = csrfRefusal(request, { trustedOrigins, expectedToken: preSession?.csrfToken });
        if (!preSession || refusal) {
          if (form) return expired();
          return refusal?.response ?? problem('csrf-rejected', `Open the sign-in form first: GET ${action} starts a pre-session and gives its CSRF token.`);
        }
        const input = credentialsIn(request.body);
        if ('missing' in input) {
          return form ? page(400, loginPage(action, preSession.csrfToken, 'Enter your username and password.')) : invalidInput(input.missing, 'a non-empty string');
        }
        const result = await accounts.signIn({ ...input, source: request.source });
        if (!result.ok) {
          if (result.reason === 'throttled') {
            const retry = { 'retry-after': String(result.retryAfter) };
            return form ? page(429, loginPage(action, preSession.csrfToken, `Too many failed attempts. Try again in ${result.retryAfter} seconds.`), retry) : throttled(result.retryAfter);
          }
          return form
            ? page(401, loginPage(action, preSession.csrfToken, 'Wrong username or password.'), { 'www-authenticate': challengeOf('cookie') })
            : wrongPassword('cookie');
        }
        await sessions.endPreSession(preSession);
        const held = cookieValue(request, SESSION_COOKIE);
        if (held !== undefined) await sessions.endCredential('cookie', held);
        const issued = await sessions.issue(result.account, 'cookie');
        const headers = { 'set-cookie': setCookie(SESSION_COOKIE, issued.credential) };
        if (form) return seeOther(`${base}/account`, headers);
        return json(200, { subject: result.account.username, scopes: result.account.scopes, csrfToken: issued.session.csrfToken, expiresAt: issued.expiresAt.toISOString() }, headers);
      },
    },
  ];
}

/**
 * Native apps and CLIs sign in with `POST /<boundary>/sessions` and JSON
 * `{ "username", "password", "name"? }`; the reply holds the session token
 * once (`Cache-Control: no-store`). No CSRF defence is needed: the token
 * travels in the reply's body, which no other site can read, and is sent back
 * in a header no other site can make a browser send.
 */
export function tokenSignInRoutes(boundary: Boundary, { sessions, accounts }: SignInDependencies): Route[] {
  return [
    {
      method: 'POST',
      path: `/${boundary.id}/sessions`,
      body: 'json',
      async handle(request) {
        if (request.body === null || typeof request.body !== 'object' || Array.isArray(request.body)) {
          return invalidInput('body', 'a JSON object: {"username": string, "password": string, "name"?: string}');
        }
        const input = credentialsIn(request.body);
        if ('missing' in input) return invalidInput(input.missing, 'a non-empty string');
        const name = (request.body as Record<string, unknown>).name;
        if (name !== undefined && (typeof name !== 'string' || name.trim() === '' || [...name].length > MAX_NAME_LENGTH || /\p{Cc}/u.test(name))) {
          return invalidInput('name', `a string of 1 to ${MAX_NAME_LENGTH} characters naming the device or tool`);
        }
        const result = await accounts.signIn({ ...input, source: request.source });
        if (!result.ok) return result.reason === 'throttled' ? throttled(result.retryAfter) : wrongPassword('token');
        const issued = await sessions.issue(result.account, 'token', { name: typeof name === 'string' ? name.trim() : null });
        return json(201, {
          token: issued.credential,
          tokenType: 'Bearer',
          handle: issued.session.handle,
          subject: result.account.username,
          scopes: result.account.scopes,
          expiresAt: issued.expiresAt.toISOString(),
          idleTimeout: sessions.lifetimes.token.idleTimeout,
        });
      },
    },
  ];
}
