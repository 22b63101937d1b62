import { Hono } from 'hono';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { formMediaType, jsonMediaType, mediaType } from './core/csrf.js';
import type { ActiveSession, AuthRequest, HttpReply, Principal, SessionAuth } from './core/sessions.js';

// Hono adapter: turns Hono requests into the core's plain requests and writes its replies back.
// No check is made here; they all live in core/. (hono/csrf looks at form content types only, so
// the core's Origin / Fetch Metadata / token checks are used instead.)

export interface SessionContext {
  principal: Principal;
  session: ActiveSession;
}

export type SessionEnv = { Variables: { sessionAuth: SessionContext } };

export class MalformedBodyError extends Error {
  override name = 'MalformedBodyError';
}

/** Reads a form or JSON body (anything else stays unread: the core refuses it with 415). */
export async function toAuthRequest(c: Context): Promise<AuthRequest> {
  const method = c.req.method.toUpperCase();
  let body: unknown;
  if (method !== 'GET' && method !== 'HEAD') {
    const type = mediaType(c.req.header('content-type'));
    if (type === formMediaType) {
      body = await c.req.parseBody();
    } else if (type === jsonMediaType) {
      try {
        body = await c.req.json();
      } catch {
        throw new MalformedBodyError('The request body is not valid JSON.');
      }
    }
  }
  return { method, headers: c.req.header(), body };
}

export function toResponse(reply: HttpReply): Response {
  return new Response(reply.body === '' ? null : reply.body, { status: reply.status, headers: reply.headers });
}

export function sessionOf(c: Context<SessionEnv>): SessionContext {
  return c.get('sessionAuth');
}

export const sessionBodyLimit = bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.json({ error: 'payload_too_large' }, 413) });

/**
 * Lets only signed-in callers through; on POST, PUT, PATCH and DELETE it also checks Origin,
 * Fetch Metadata, content type and the CSRF token.
 */
export function requireSession(auth: SessionAuth): MiddlewareHandler<SessionEnv> {
  return async (c, next) => {
    const check = await auth.guard(await toAuthRequest(c));
    if (!check.ok) return toResponse(check);
    c.set('sessionAuth', { principal: check.principal, session: check.session });
    await next();
    for (const [name, value] of Object.entries(auth.privateHeaders)) c.res.headers.set(name, value);
  };
}

/** After requireSession: 403 unless the user holds the scope. */
export function requireScope(auth: SessionAuth, scope: string): MiddlewareHandler<SessionEnv> {
  return async (c, next) => {
    const allowed = auth.authorize(sessionOf(c).principal, scope);
    if (!allowed.ok) return toResponse(allowed);
    await next();
  };
}

/** GET/POST /login, POST /logout, /logout-all, /password and the admin's POST /admin/sessions/end. */
export function sessionRoutes(auth: SessionAuth): Hono {
  const routes = new Hono();
  routes.use(sessionBodyLimit);
  const route = (handler: (request: AuthRequest) => Promise<HttpReply>) => async (c: Context) =>
    toResponse(await handler(await toAuthRequest(c)));
  routes.get('/login', route(auth.showLogin));
  routes.post('/login', route(auth.login));
  routes.post('/logout', route(auth.logout));
  routes.post('/logout-all', route(auth.logoutEverywhere));
  routes.post('/password', route(auth.changePassword));
  routes.post('/admin/sessions/end', route(auth.endUserSessions));
  return routes;
}
