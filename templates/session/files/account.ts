import { AccountError, MAX_DISPLAY_NAME_LENGTH, type Account, type Accounts } from '../../kernel/accounts.js';
import type { Boundary } from '../../kernel/boundary.js';
import { json, type AuthResponse, type Route, type RouteRequest } from '../../kernel/http.js';
import { maximumPasswordLength, minimumPasswordLength, WeakPasswordError } from '../../kernel/passwords.js';
import { invalidInput, problem } from '../../kernel/problem.js';
import { accountPage, messagePage, page, seeOther } from './pages.js';
import type { SessionRecord } from './records.js';
import { callerOf, field, isFormPost, throttled, wantsJson } from './replies.js';
import { expireCookie, SESSION_COOKIE, setCookie } from './secrets.js';
import type { SessionManager } from './sessions.js';

/**
 * What a signed-in person does with their session, at `/<boundary>/…` behind
 * the boundary's guard (so a cookie session's unsafe requests pass the CSRF
 * checks first). Forms get pages and redirects; JSON gets JSON.
 *
 * - `GET account`: who is signed in, and where (a page for a browser, JSON for a token);
 * - `POST account`: change the display name;
 * - `POST logout`: end this session (its record is deleted; a cookie is expired);
 * - `POST logout-all`: end every session of the account, on every device;
 * - `POST password`: change the password; every session ends, this one starts afresh;
 * - `POST sessions/end` (scope `admin`): end every session of another account.
 */
export function accountRoutes(boundary: Boundary, sessions: SessionManager, accounts: Accounts): Route[] {
  const base = `/${boundary.id}`;

  /** The reply that ends the caller's session in their client: an expired cookie for a browser. */
  const signedOut = (request: RouteRequest, session: SessionRecord, ended: number): AuthResponse => {
    const headers: Record<string, string> = session.variant === 'cookie' ? { 'set-cookie': expireCookie(SESSION_COOKIE) } : {};
    return isFormPost(request) ? seeOther(`${base}/login`, headers) : json(200, { signedOut: true, ended }, headers);
  };

  const formError = (status: number, title: string, text: string) => page(status, messagePage(title, text, { href: `${base}/account`, label: 'Back to your account' }));

  /** A route for the person a session signed in: the boundary's guard first, then the session and account behind it. */
  const personal = (
    method: 'GET' | 'POST',
    path: string,
    handle: (request: RouteRequest, caller: { session: SessionRecord; account: Account }) => Promise<AuthResponse>,
    extra: Pick<Route, 'scope' | 'signInPage'> = {},
  ): Route => ({
    method,
    path: `${base}/${path}`,
    boundary: boundary.id,
    body: method === 'GET' ? 'none' : 'form-or-json',
    ...extra,
    async handle(request) {
      const caller = await callerOf(request, sessions, accounts);
      return caller.ok ? handle(request, caller) : caller.response;
    },
  });

  return [
    personal(
      'GET',
      'account',
      async (request, { session, account }) => {
        const live = (await sessions.list(account)).map(({ record, lastSeenAt }) => ({
          handle: record.handle,
          variant: record.variant,
          name: record.name,
          createdAt: record.createdAt,
          lastSeenAt,
          current: record.id === session.id,
        }));
        if (session.variant === 'cookie' && session.csrfToken !== null && !wantsJson(request)) {
          return page(200, accountPage({ base, subject: account.username, displayName: account.displayName, csrfToken: session.csrfToken, sessions: live }));
        }
        return json(200, {
          subject: account.username,
          displayName: account.displayName,
          scopes: account.scopes,
          sessions: live.map((entry) => ({ ...entry, createdAt: entry.createdAt.toISOString(), lastSeenAt: entry.lastSeenAt.toISOString() })),
        });
      },
      { signInPage: `${base}/login` },
    ),
    personal('POST', 'account', async (request, caller) => {
      const displayName = field(request.body, 'displayName');
      try {
        if (displayName === undefined) throw new AccountError('A display name is missing.');
        const account = await accounts.setDisplayName(caller.account.username, displayName);
        return isFormPost(request) ? seeOther(`${base}/account`) : json(200, { subject: account.username, displayName: account.displayName });
      } catch (error) {
        if (!(error instanceof AccountError)) throw error;
        const expected = `a string of 1 to ${MAX_DISPLAY_NAME_LENGTH} characters without control characters`;
        return isFormPost(request) ? formError(400, 'That name cannot be used', `A display name must be ${expected}.`) : invalidInput('displayName', expected);
      }
    }),
    personal('POST', 'logout', async (request, caller) => signedOut(request, caller.session, (await sessions.end(caller.session)) ? 1 : 0)),
    personal('POST', 'logout-all', async (request, caller) => signedOut(request, caller.session, await sessions.endAll(caller.account))),
    personal('POST', 'password', async (request, caller) => {
      const form = isFormPost(request);
      const currentPassword = field(request.body, 'currentPassword');
      const newPassword = field(request.body, 'newPassword');
      const lengths = `from ${minimumPasswordLength} to ${maximumPasswordLength} characters`;
      if (currentPassword === undefined || currentPassword === '') {
        return form ? formError(400, 'Password not changed', 'Enter your current password.') : invalidInput('currentPassword', 'a non-empty string');
      }
      if (newPassword === undefined) return form ? formError(400, 'Password not changed', `Enter a new password, ${lengths}.`) : invalidInput('newPassword', `a string ${lengths}`);
      // The current password is checked the way a sign-in is, throttled: a stolen session alone cannot take the account.
      const check = await accounts.signIn({ username: caller.account.username, password: currentPassword, source: request.source });
      if (!check.ok) {
        if (check.reason === 'throttled') return form ? formError(429, 'Password not changed', `Too many wrong passwords; try again in ${check.retryAfter} seconds.`) : throttled(check.retryAfter);
        return form ? formError(403, 'Password not changed', 'The current password is wrong.') : problem('forbidden', 'The current password is wrong.');
      }
      let account: Account;
      try {
        account = await accounts.setPassword(caller.account.username, newPassword);
      } catch (error) {
        if (!(error instanceof WeakPasswordError)) throw error;
        return form ? formError(400, 'Password not changed', `A new password must have ${lengths}.`) : invalidInput('newPassword', `a string ${lengths}`);
      }
      // The new version already ends every session at its next request; deleting them now also clears the lists.
      const ended = await sessions.endAll(account);
      const issued = await sessions.issue(account, caller.session.variant, { name: caller.session.name });
      if (issued.session.variant === 'cookie') {
        const headers = { 'set-cookie': setCookie(SESSION_COOKIE, issued.credential) };
        return form ? seeOther(`${base}/account`, headers) : json(200, { passwordChanged: true, ended, csrfToken: issued.session.csrfToken, expiresAt: issued.expiresAt.toISOString() }, headers);
      }
      return json(200, { passwordChanged: true, ended, token: issued.credential, tokenType: 'Bearer', handle: issued.session.handle, expiresAt: issued.expiresAt.toISOString() });
    }),
    personal(
      'POST',
      'sessions/end',
      async (request) => {
        const username = field(request.body, 'username');
        if (username === undefined || username.trim() === '') return invalidInput('username', 'the username whose sessions end');
        const target = await accounts.find(username);
        if (!target) return problem('not-found', 'No account has that username.');
        const ended = await sessions.endAll(target);
        return isFormPost(request) ? seeOther(`${base}/account`) : json(200, { subject: target.username, ended });
      },
      { scope: 'admin' },
    ),
  ];
}
