import express from 'express';
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { BearerGuard, HttpResult, Principal } from './core/guard.js';
import type { JwtAuth } from './core/jwt-auth.js';

// Express glue: every decision is made by the framework-agnostic core; this file only copies
// headers in and results out.

export function send(res: Response, result: HttpResult): void {
  res.status(result.status).set(result.headers);
  if (result.body === undefined) res.end();
  else res.json(result.body);
}

/** Middleware: lets the request through only with a valid access token carrying `scopes`. */
export function requireBearer(guard: BearerGuard, options: { scopes?: readonly string[] } = {}): RequestHandler {
  const scopes = options.scopes ?? [];
  return (req: Request, res: Response, next: NextFunction): void => {
    guard.authenticate(req.get('authorization'), scopes).then((result) => {
      if (!result.ok) return send(res, result);
      res.locals.principal = result.principal;
      next();
    }, next);
  };
}

/** The caller established by requireBearer. */
export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new Error('principalOf() used on a route without requireBearer().');
  return principal;
}

/** POST /auth/token, /auth/refresh, /auth/logout, /auth/logout-all and GET /.well-known/jwks.json */
export function authRoutes(auth: JwtAuth): Router {
  const router = express.Router();
  const json = express.json({ limit: '16kb' });
  const handle =
    (endpoint: (req: Request) => Promise<HttpResult>): RequestHandler =>
    (req, res, next) => {
      endpoint(req).then((result) => send(res, result), next);
    };
  router.get('/.well-known/jwks.json', handle(() => auth.jwksEndpoint()));
  router.post(
    '/auth/token',
    json,
    handle((req) => auth.tokenEndpoint(req.body, req.ip ?? req.socket.remoteAddress ?? 'unknown')),
  );
  router.post('/auth/refresh', json, handle((req) => auth.refreshEndpoint(req.body)));
  router.post('/auth/logout', json, handle((req) => auth.logoutEndpoint(req.get('authorization'), req.body)));
  router.post('/auth/logout-all', handle((req) => auth.logoutAllEndpoint(req.get('authorization'))));
  // Unparseable or oversized JSON bodies get a token-endpoint style error instead of an HTML page.
  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      send(res, { status, headers: { 'cache-control': 'no-store' }, body: { error: 'invalid_request' } });
      return;
    }
    next(error);
  });
  return router;
}
