import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { ApiKeyAuth, AuthFailure, Principal } from './core/auth.js';

export type ApiKeyEnv = { Variables: { apiKey: Principal } };

function send(c: Context, failure: AuthFailure): Response {
  return c.json(failure.body, failure.status, failure.headers);
}

/**
 * Authenticates `Authorization: ApiKey <key>`; on success `c.get('apiKey')`
 * holds the caller. The client address comes from the socket: behind a proxy,
 * replace `clientIp` with the address your proxy vouches for.
 */
export function apiKeyAuth(auth: ApiKeyAuth): MiddlewareHandler<ApiKeyEnv> {
  return createMiddleware<ApiKeyEnv>(async (c, next) => {
    const url = new URL(c.req.url);
    const result = await auth.authenticate({
      authorization: c.req.header('authorization'),
      url: `${url.pathname}${url.search}`,
      clientIp: getConnInfo(c).remote.address ?? 'unknown',
      method: c.req.method,
    });
    if (!result.ok) return send(c, result);
    c.set('apiKey', result.principal);
    await next();
    return undefined;
  });
}

/** 403 unless the authenticated key holds `scope`. Place after apiKeyAuth(). */
export function requireScope(auth: ApiKeyAuth, scope: string): MiddlewareHandler<ApiKeyEnv> {
  return createMiddleware<ApiKeyEnv>(async (c, next) => {
    const result = auth.requireScope(c.get('apiKey'), scope);
    if (!result.ok) return send(c, result);
    await next();
    return undefined;
  });
}

/** 404 unless the key belongs to the tenant named by route parameter `parameter`. */
export function requireTenant(auth: ApiKeyAuth, parameter = 'tenant'): MiddlewareHandler<ApiKeyEnv> {
  return createMiddleware<ApiKeyEnv>(async (c, next) => {
    const result = auth.requireTenant(c.get('apiKey'), c.req.param(parameter) ?? '');
    if (!result.ok) return send(c, result);
    await next();
    return undefined;
  });
}
