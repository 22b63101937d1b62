import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuthFailure, Principal, ResourceServer } from './core/resource-server.js';

function send(res: Response, failure: AuthFailure): void {
  res.status(failure.status).set(failure.headers).json(failure.body);
}

/** Requires a valid access token of the platform; `principalOf(res)` then holds the caller. */
export function requireAccessToken(resourceServer: ResourceServer): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const result = await resourceServer.authenticate(req.headers.authorization);
    if (!result.ok) return send(res, result);
    res.locals.principal = result.principal;
    next();
  };
}

/** 403 `insufficient_scope` unless the token carries `scope`. Place after requireAccessToken(). */
export function requireScope(resourceServer: ResourceServer, scope: string): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    const result = resourceServer.requireScope(principalOf(res), scope);
    if (!result.ok) return send(res, result);
    next();
  };
}

export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new Error('principalOf() called on a route without requireAccessToken() in front of it.');
  return principal;
}
