import express from 'express';
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { ActiveSession, AuthRequest, HttpReply, Principal, SessionAuth } from './core/sessions.js';

// Express adapter: turns Express requests into the core's plain requests and writes its replies back.
// No check is made here; they all live in core/.

export interface SessionContext {
  principal: Principal;
  session: ActiveSession;
}

/** Form and JSON bodies, small: the CSRF token of a form post travels in its body. */
export const sessionBodyParsers: RequestHandler[] = [
  express.urlencoded({ extended: false, limit: '16kb' }),
  express.json({ limit: '16kb' }),
];

export function toAuthRequest(req: Request): AuthRequest {
  return { method: req.method, headers: req.headers, body: req.body as unknown };
}

export function sendReply(res: Response, reply: HttpReply): void {
  res.status(reply.status).set(reply.headers).end(reply.body);
}

/** The signed-in caller, set by requireSession. */
export function sessionOf(res: Response): SessionContext {
  const context = res.locals.sessionAuth as SessionContext | undefined;
  if (context === undefined) throw new Error('sessionOf() called on a route without requireSession().');
  return context;
}

/**
 * Lets only signed-in callers through; on POST, PUT, PATCH and DELETE it also checks Origin,
 * Fetch Metadata, content type and the CSRF token. Mount the body parsers before it.
 */
export function requireSession(auth: SessionAuth): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const check = await auth.guard(toAuthRequest(req));
    if (!check.ok) return sendReply(res, check);
    res.locals.sessionAuth = { principal: check.principal, session: check.session } satisfies SessionContext;
    res.set(auth.privateHeaders);
    next();
  };
}

/** After requireSession: 403 unless the user holds the scope. */
export function requireScope(auth: SessionAuth, scope: string): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    const allowed = auth.authorize(sessionOf(res).principal, scope);
    if (!allowed.ok) return sendReply(res, allowed);
    next();
  };
}

/** GET/POST /login, POST /logout, /logout-all, /password and the admin's POST /admin/sessions/end. */
export function sessionRoutes(auth: SessionAuth): Router {
  const router = express.Router();
  router.use(sessionBodyParsers);
  const route = (handler: (request: AuthRequest) => Promise<HttpReply>): RequestHandler => async (req, res) => {
    sendReply(res, await handler(toAuthRequest(req)));
  };
  router.get('/login', route(auth.showLogin));
  router.post('/login', route(auth.login));
  router.post('/logout', route(auth.logout));
  router.post('/logout-all', route(auth.logoutEverywhere));
  router.post('/password', route(auth.changePassword));
  router.post('/admin/sessions/end', route(auth.endUserSessions));
  return router;
}
