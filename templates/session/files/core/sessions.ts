import { createHash, randomBytes } from 'node:crypto';
import { defaultSessionConfig, validateSessionConfig } from './config.js';
import type { SessionAuthConfig } from './config.js';
import { expiredSessionCookie, headerValue, readCookie, sessionCookie } from './cookies.js';
import type { HeaderValue } from './cookies.js';
import {
  checkContentType,
  checkRequestOrigin,
  formMediaType,
  mediaType,
  safeMethods,
  submittedCsrfToken,
  tokensMatch,
} from './csrf.js';
import { errorPage, loginPage } from './pages.js';
import { html, json, noStore, redirect } from './replies.js';
import type { HttpReply } from './replies.js';
import { dummyPasswordHash, hashPassword, verifyPassword, WeakPasswordError } from './passwords.js';
import type { AuthStore, SessionRecord, UserRecord } from './store.js';

export type { HttpReply } from './replies.js';

// The framework-agnostic heart of the module. Adapters hand it plain request data (method, lower-case
// headers, parsed body) and write back the reply it returns; every check lives here, once.

/** A request as the core sees it. Header names are lower-case, as Node delivers them. */
export interface AuthRequest {
  method: string;
  headers: Record<string, HeaderValue>;
  /** The parsed form or JSON body, when there is one. */
  body?: unknown;
}

export type Denial = { ok: false } & HttpReply;

export interface Principal {
  /** The login name; `/me` returns it as `subject`. */
  subject: string;
  userId: string;
  scopes: string[];
  displayName: string;
}

export interface ActiveSession {
  /** The raw id from the cookie. Never stored, never logged. */
  id: string;
  idHash: string;
  csrfToken: string;
  userId: string;
  createdAt: number;
}

export type SessionCheck = { ok: true; principal: Principal; session: ActiveSession } | Denial;

export interface SessionAuthOptions {
  store: AuthStore;
  config?: Partial<SessionAuthConfig>;
  /** Milliseconds since the epoch. Injected so tests can move time past the timeouts. */
  now?: () => number;
  /** Password verification; defaults to Argon2id (passwords.ts). */
  verifyPassword?: (passwordHash: string, password: string) => Promise<boolean>;
}

export type SessionAuth = ReturnType<typeof createSessionAuth>;

/** 32 random bytes from the CSPRNG: 256 bits, written as 43 base64url characters. */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

const sessionIdPattern = /^[A-Za-z0-9_-]{43}$/;

export function hashSessionId(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

export function normaliseUsername(username: string): string {
  return username.normalize('NFKC').trim().toLowerCase();
}

function deny(reply: HttpReply): Denial {
  return { ok: false, ...reply };
}

function isFormPost(request: AuthRequest): boolean {
  return mediaType(headerValue(request.headers['content-type'])) === formMediaType;
}

function field(body: unknown, name: string): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

export const genericLoginError = 'Incorrect username or password.';

export function createSessionAuth(options: SessionAuthOptions) {
  const { store } = options;
  const config = validateSessionConfig({ ...defaultSessionConfig, ...options.config });
  const now = options.now ?? Date.now;
  const verify = options.verifyPassword ?? verifyPassword;
  const idleMs = config.idleTimeoutSeconds * 1000;
  const absoluteMs = config.absoluteTimeoutSeconds * 1000;
  const preSessionMs = config.preSessionTimeoutSeconds * 1000;
  const touchMs = config.touchIntervalSeconds * 1000;
  const failureWindowMs = config.loginFailureWindowSeconds * 1000;

  const unauthenticated = (clearCookie: boolean): Denial =>
    deny(json(401, { error: 'unauthenticated' }, clearCookie ? { 'set-cookie': expiredSessionCookie(config.cookieName) } : {}));

  function isExpired(record: SessionRecord, at: number): boolean {
    if (record.userId === null) return at - record.createdAt > preSessionMs;
    return at - record.lastSeenAt > idleMs || at - record.createdAt > absoluteMs;
  }

  function remainingTtl(record: SessionRecord, at: number): number {
    if (record.userId === null) return Math.max(1, record.createdAt + preSessionMs - at);
    return Math.max(1, Math.min(idleMs, record.createdAt + absoluteMs - at));
  }

  /** Finds the live record behind the request's cookie; an expired one is deleted on the spot. */
  async function currentRecord(request: AuthRequest): Promise<{ id: string; record: SessionRecord } | undefined> {
    const id = readCookie(request.headers.cookie, config.cookieName);
    // A value that cannot be one of our ids never reaches the store.
    if (id === undefined || !sessionIdPattern.test(id)) return undefined;
    const idHash = hashSessionId(id);
    const record = await store.findSession(idHash);
    if (record === undefined) return undefined;
    if (isExpired(record, now())) {
      await store.deleteSession(idHash);
      return undefined;
    }
    return { id, record };
  }

  async function startSession(userId: string | null, createdAt?: number): Promise<{ id: string; record: SessionRecord }> {
    const at = now();
    const id = newSessionId();
    const record: SessionRecord = {
      idHash: hashSessionId(id),
      userId,
      csrfToken: randomBytes(32).toString('base64url'),
      createdAt: createdAt ?? at,
      lastSeenAt: at,
    };
    await store.createSession(record, remainingTtl(record, at));
    return { id, record };
  }

  function toPrincipal(user: UserRecord): Principal {
    return { subject: user.username, userId: user.id, scopes: [...user.scopes], displayName: user.displayName };
  }

  /** Who is calling: a signed-in, unexpired session of an enabled user, or a 401. */
  async function identify(request: AuthRequest): Promise<SessionCheck> {
    const hadCookie = readCookie(request.headers.cookie, config.cookieName) !== undefined;
    const current = await currentRecord(request);
    if (current === undefined || current.record.userId === null) return unauthenticated(hadCookie);
    const { id, record } = current;
    const user = await store.findUserById(record.userId!);
    if (user === undefined || user.disabled) {
      await store.deleteSession(record.idHash);
      return unauthenticated(true);
    }
    const at = now();
    if (at - record.lastSeenAt >= touchMs) {
      await store.touchSession(record.idHash, at, remainingTtl({ ...record, lastSeenAt: at }, at));
    }
    return {
      ok: true,
      principal: toPrincipal(user),
      session: { id, idHash: record.idHash, csrfToken: record.csrfToken, userId: user.id, createdAt: record.createdAt },
    };
  }

  function csrfDenial(status: 403 | 415): Denial {
    return status === 415
      ? deny(json(415, { error: 'unsupported_media_type' }))
      : deny(json(403, { error: 'csrf_check_failed' }));
  }

  /** Origin, Fetch Metadata and content type: the checks that need no session. */
  function checkRequestSource(request: AuthRequest): Denial | undefined {
    const origin = checkRequestOrigin(request, config.trustedOrigins);
    if (!origin.ok) return csrfDenial(origin.status);
    const contentType = checkContentType(headerValue(request.headers['content-type']));
    if (!contentType.ok) return csrfDenial(contentType.status);
    return undefined;
  }

  /**
   * identify() plus, for every state-changing method, the CSRF checks: put this in front of any route
   * that acts for the signed-in user.
   */
  async function guard(request: AuthRequest): Promise<SessionCheck> {
    const method = request.method.toUpperCase();
    if (!safeMethods.has(method)) {
      const sourceDenial = checkRequestSource(request);
      if (sourceDenial) return sourceDenial;
    }
    const check = await identify(request);
    if (!check.ok || safeMethods.has(method)) return check;
    if (!tokensMatch(check.session.csrfToken, submittedCsrfToken(request.headers, request.body))) {
      return csrfDenial(403);
    }
    return check;
  }

  function authorize(principal: Principal, scope: string): { ok: true } | Denial {
    return principal.scopes.includes(scope) ? { ok: true } : deny(json(403, { error: 'forbidden', requiredScope: scope }));
  }

  /**
   * Replaces the session's id and CSRF token, keeping its user and its absolute deadline. Call it
   * whenever the session's privileges change (step-up, new role), so an id seen before no longer works.
   */
  async function rotate(session: ActiveSession): Promise<{ session: ActiveSession; setCookie: string }> {
    await store.deleteSession(session.idHash);
    const next = await startSession(session.userId, session.createdAt);
    return {
      session: { id: next.id, idHash: next.record.idHash, csrfToken: next.record.csrfToken, userId: session.userId, createdAt: next.record.createdAt },
      setCookie: sessionCookie(config.cookieName, next.id),
    };
  }

  type PasswordCheck = { ok: true; user: UserRecord } | { ok: false; throttled: boolean; retryAfterSeconds: number };

  /**
   * Verifies a username and password with per-account throttling. Unknown users, disabled users and
   * wrong passwords all take one full hash verification and produce the same answer.
   */
  async function checkPassword(username: string, password: string): Promise<PasswordCheck> {
    const account = normaliseUsername(username);
    const at = now();
    const failures = await store.loginFailures(account);
    if (failures && failures.count >= config.loginFailureLimit && at - failures.windowStartedAt < failureWindowMs) {
      const retryAfterSeconds = Math.ceil((failures.windowStartedAt + failureWindowMs - at) / 1000);
      return { ok: false, throttled: true, retryAfterSeconds };
    }
    const user = account === '' ? undefined : await store.findUserByUsername(account);
    const passwordMatches = await verify(user?.passwordHash ?? (await dummyPasswordHash()), password);
    if (user === undefined || user.disabled || !passwordMatches) {
      await store.recordLoginFailure(account, at, failureWindowMs);
      return { ok: false, throttled: false, retryAfterSeconds: 0 };
    }
    await store.clearLoginFailures(account);
    return { ok: true, user };
  }

  /**
   * Signs a user in without HTTP (management CLI, demo credentials): the same password check and a
   * fresh session. Returns the raw session id for the cookie.
   */
  async function signIn(
    username: string,
    password: string,
  ): Promise<{ ok: true; sessionId: string; cookie: string; csrfToken: string } | { ok: false }> {
    const result = await checkPassword(username, password);
    if (!result.ok) return { ok: false };
    const { id, record } = await startSession(result.user.id);
    return { ok: true, sessionId: id, cookie: `${config.cookieName}=${id}`, csrfToken: record.csrfToken };
  }

  /** GET /login: the sign-in form, carried by an anonymous pre-session whose token the POST must echo. */
  async function showLogin(request: AuthRequest): Promise<HttpReply> {
    const current = await currentRecord(request);
    if (current?.record.userId != null) {
      const user = await store.findUserById(current.record.userId);
      if (user && !user.disabled) return redirect(config.afterLoginPath);
    }
    if (current !== undefined && current.record.userId === null) {
      return html(200, loginPage(current.record.csrfToken));
    }
    const pre = await startSession(null);
    return html(200, loginPage(pre.record.csrfToken), { 'set-cookie': sessionCookie(config.cookieName, pre.id) });
  }

  /** POST /login. Form posts get pages and redirects; JSON callers get JSON. */
  async function login(request: AuthRequest): Promise<HttpReply> {
    const asForm = isFormPost(request);
    const sourceDenial = checkRequestSource(request);
    if (sourceDenial) return sourceDenial;
    // Login CSRF: the POST must come with the pre-session this site handed out with the form.
    const pre = await currentRecord(request);
    if (pre === undefined || pre.record.userId !== null || !tokensMatch(pre.record.csrfToken, submittedCsrfToken(request.headers, request.body))) {
      return asForm
        ? html(403, errorPage('Form expired', 'The sign-in form expired or did not come from this site. Please try again.'))
        : json(403, { error: 'csrf_check_failed' });
    }
    const username = field(request.body, 'username');
    const password = field(request.body, 'password');
    if (username === undefined || password === undefined) return json(400, { error: 'invalid_request' });

    const result = await checkPassword(username, password);
    if (!result.ok) {
      if (result.throttled) {
        const retry = { 'retry-after': String(result.retryAfterSeconds) };
        return asForm
          ? html(429, loginPage(pre.record.csrfToken, 'Too many failed attempts. Try again later.'), retry)
          : json(429, { error: 'too_many_attempts' }, retry);
      }
      return asForm ? html(401, loginPage(pre.record.csrfToken, genericLoginError)) : json(401, { error: 'invalid_credentials' });
    }
    // Fixation defence: the pre-session ends here and the signed-in session gets an id never seen before.
    await store.deleteSession(pre.record.idHash);
    const session = await startSession(result.user.id);
    const setCookie = { 'set-cookie': sessionCookie(config.cookieName, session.id) };
    return asForm
      ? redirect(config.afterLoginPath, setCookie)
      : json(200, { subject: result.user.username, scopes: result.user.scopes, csrfToken: session.record.csrfToken }, setCookie);
  }

  function signedOut(request: AuthRequest, value: Record<string, unknown>): HttpReply {
    const clear = { 'set-cookie': expiredSessionCookie(config.cookieName) };
    return isFormPost(request) ? redirect('/login', clear) : json(200, value, clear);
  }

  /** POST /logout: deletes this session's record, so the cookie is worthless even if kept. */
  async function logout(request: AuthRequest): Promise<HttpReply> {
    const check = await guard(request);
    if (!check.ok) return check;
    await store.deleteSession(check.session.idHash);
    return signedOut(request, { signedOut: true });
  }

  /** POST /logout-all: ends every session of the user, on every device. */
  async function logoutEverywhere(request: AuthRequest): Promise<HttpReply> {
    const check = await guard(request);
    if (!check.ok) return check;
    const ended = await store.deleteUserSessions(check.session.userId);
    return signedOut(request, { signedOut: true, endedSessions: ended });
  }

  /** POST /password: checks the current password, ends every session, and signs this one in afresh. */
  async function changePassword(request: AuthRequest): Promise<HttpReply> {
    const check = await guard(request);
    if (!check.ok) return check;
    const currentPassword = field(request.body, 'currentPassword');
    const newPassword = field(request.body, 'newPassword');
    if (currentPassword === undefined || newPassword === undefined) return json(400, { error: 'invalid_request' });
    const verified = await checkPassword(check.principal.subject, currentPassword);
    if (!verified.ok) {
      return verified.throttled
        ? json(429, { error: 'too_many_attempts' }, { 'retry-after': String(verified.retryAfterSeconds) })
        : json(403, { error: 'invalid_credentials' });
    }
    let passwordHash: string;
    try {
      passwordHash = await hashPassword(newPassword);
    } catch (error) {
      if (error instanceof WeakPasswordError) return json(400, { error: 'weak_password', message: error.message });
      throw error;
    }
    await store.updateUser(check.session.userId, { passwordHash });
    await store.deleteUserSessions(check.session.userId);
    const session = await startSession(check.session.userId);
    return json(200, { passwordChanged: true, csrfToken: session.record.csrfToken }, { 'set-cookie': sessionCookie(config.cookieName, session.id) });
  }

  /** POST /admin/sessions/end: an administrator ends all sessions of another user. */
  async function endUserSessions(request: AuthRequest): Promise<HttpReply> {
    const check = await guard(request);
    if (!check.ok) return check;
    const allowed = authorize(check.principal, 'admin');
    if (!allowed.ok) return allowed;
    const username = field(request.body, 'username');
    if (username === undefined) return json(400, { error: 'invalid_request' });
    const target = await store.findUserByUsername(normaliseUsername(username));
    if (target === undefined) return json(404, { error: 'no_such_user' });
    const ended = await store.deleteUserSessions(target.id);
    return json(200, { subject: target.username, endedSessions: ended });
  }

  return {
    config,
    identify,
    guard,
    authorize,
    rotate,
    signIn,
    showLogin,
    login,
    logout,
    logoutEverywhere,
    changePassword,
    endUserSessions,
    /** Headers every authenticated response should carry. */
    privateHeaders: noStore,
  };
}
