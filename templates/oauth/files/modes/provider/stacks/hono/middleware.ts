import type { Context, MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AuthFailure, Principal, ResourceServer } from './core/resource-server.js';

export type OAuthEnv = { Variables: { principal: Principal } };

function send(c: Context, failure: AuthFailure): Response {
  return c.json(failure.body, failure.status, failure.headers);
}

/** Requires a valid access token of the platform; `c.get('principal')` then holds the caller. */
export function requireAccessToken(resourceServer: ResourceServer): MiddlewareHandler<OAuthEnv> {
  return createMiddleware<OAuthEnv>(async (c, next) => {
    const result = await resourceServer.authenticate(c.req.header('authorization'));
    if (!result.ok) return send(c, result);
    c.set('principal', result.principal);
    await next();
  });
}

/** 403 `insufficient_scope` unless the token carries `scope`. Place after requireAccessToken(). */
export function requireScope(resourceServer: ResourceServer, scope: string): MiddlewareHandler<OAuthEnv> {
  return createMiddleware<OAuthEnv>(async (c, next) => {
    const result = resourceServer.requireScope(c.get('principal'), scope);
    if (!result.ok) return send(c, result);
    await next();
  });
}
