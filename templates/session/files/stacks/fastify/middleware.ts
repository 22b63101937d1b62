import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { ActiveSession, AuthRequest, HttpReply, Principal, SessionAuth } from './core/sessions.js';

// Fastify adapter: turns Fastify requests into the core's plain requests and writes its replies back.
// No check is made here; they all live in core/.

export interface SessionContext {
  principal: Principal;
  session: ActiveSession;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in caller, set by requireSession. */
    sessionAuth: SessionContext | null;
  }
}

export function toAuthRequest(request: FastifyRequest): AuthRequest {
  return { method: request.method, headers: request.headers, body: request.body };
}

export function sendReply(reply: FastifyReply, result: HttpReply): FastifyReply {
  return reply.code(result.status).headers(result.headers).send(result.body);
}

export function sessionOf(request: FastifyRequest): SessionContext {
  if (request.sessionAuth === null) throw new Error('sessionOf() called on a route without requireSession().');
  return request.sessionAuth;
}

/**
 * preHandler that lets only signed-in callers through; on POST, PUT, PATCH and DELETE it also checks
 * Origin, Fetch Metadata, content type and the CSRF token.
 */
export function requireSession(auth: SessionAuth): preHandlerAsyncHookHandler {
  return async (request, reply) => {
    const check = await auth.guard(toAuthRequest(request));
    if (!check.ok) return sendReply(reply, check);
    request.sessionAuth = { principal: check.principal, session: check.session };
    reply.headers(auth.privateHeaders);
  };
}

/** preHandler after requireSession: 403 unless the user holds the scope. */
export function requireScope(auth: SessionAuth, scope: string): preHandlerAsyncHookHandler {
  return async (request, reply) => {
    const allowed = auth.authorize(sessionOf(request).principal, scope);
    if (!allowed.ok) return sendReply(reply, allowed);
  };
}

/**
 * Adds form parsing and the session routes (GET/POST /login, POST /logout, /logout-all, /password,
 * /admin/sessions/end) to the instance itself rather than to an encapsulated child, so every route of
 * the app can read form posts and their CSRF token.
 */
export async function registerSessionAuth(app: FastifyInstance, auth: SessionAuth): Promise<void> {
  if (!app.hasRequestDecorator('sessionAuth')) app.decorateRequest('sessionAuth', null);
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) await app.register(formbody, { bodyLimit: 16 * 1024 });
  const route = (handler: (request: AuthRequest) => Promise<HttpReply>) => async (request: FastifyRequest, reply: FastifyReply) =>
    sendReply(reply, await handler(toAuthRequest(request)));
  app.get('/login', route(auth.showLogin));
  app.post('/login', route(auth.login));
  app.post('/logout', route(auth.logout));
  app.post('/logout-all', route(auth.logoutEverywhere));
  app.post('/password', route(auth.changePassword));
  app.post('/admin/sessions/end', route(auth.endUserSessions));
}
