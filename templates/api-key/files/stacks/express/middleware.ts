import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ApiKeyAuth, AuthFailure, Principal } from './core/auth.js';

function send(res: Response, failure: AuthFailure): void {
  res.status(failure.status).set(failure.headers).json(failure.body);
}

/** Authenticates `Authorization: ApiKey <key>`; on success `principalOf(res)` holds the caller. */
export function apiKeyAuth(auth: ApiKeyAuth): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const result = await auth.authenticate({
      authorization: req.headers.authorization,
      url: req.originalUrl,
      // req.ip follows Express's "trust proxy" setting; set it when behind a proxy.
      clientIp: req.ip ?? req.socket.remoteAddress ?? 'unknown',
      method: req.method,
    });
    if (!result.ok) return send(res, result);
    res.locals.apiKey = result.principal;
    next();
  };
}

export function principalOf(res: Response): Principal {
  const principal = res.locals.apiKey as Principal | undefined;
  if (!principal) throw new Error('principalOf() called on a route without apiKeyAuth() in front of it.');
  return principal;
}

/** 403 unless the authenticated key holds `scope`. Place after apiKeyAuth(). */
export function requireScope(auth: ApiKeyAuth, scope: string): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    const result = auth.requireScope(principalOf(res), scope);
    if (!result.ok) return send(res, result);
    next();
  };
}

/** 404 unless the key belongs to the tenant named by route parameter `parameter`. */
export function requireTenant(auth: ApiKeyAuth, parameter = 'tenant'): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const result = auth.requireTenant(principalOf(res), String(req.params[parameter] ?? ''));
    if (!result.ok) return send(res, result);
    next();
  };
}
