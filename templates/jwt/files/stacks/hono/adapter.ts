import { Hono } from 'hono';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { BearerGuard, HttpResult, Principal } from './core/guard.js';
import type { JwtAuth } from './core/jwt-auth.js';

// Hono glue: every decision is made by the framework-agnostic core; this file only copies
// headers in and results out.

export type AuthVariables = { principal: Principal };
export type AuthEnv = { Variables: AuthVariables };

export function send(result: HttpResult): Response {
  const headers = new Headers(result.headers);
  if (result.body === undefined) return new Response(null, { status: result.status, headers });
  headers.set('content-type', 'application/json; charset=utf-8');
  return new Response(JSON.stringify(result.body), { status: result.status, headers });
}

/** Middleware: lets the request through only with a valid access token carrying `scopes`. */
export function requireBearer(guard: BearerGuard, options: { scopes?: readonly string[] } = {}): MiddlewareHandler<AuthEnv> {
  const scopes = options.scopes ?? [];
  return async (c, next) => {
    const result = await guard.authenticate(c.req.header('authorization'), scopes);
    if (!result.ok) return send(result);
    c.set('principal', result.principal);
    await next();
    return undefined;
  };
}

async function jsonBody(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    return undefined;
  }
}

function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** POST /auth/token, /auth/refresh, /auth/logout, /auth/logout-all and GET /.well-known/jwks.json */
export function authRoutes(auth: JwtAuth): Hono {
  const routes = new Hono();
  const limit = bodyLimit({
    maxSize: 16 * 1024,
    onError: () => send({ status: 413, headers: { 'cache-control': 'no-store' }, body: { error: 'invalid_request' } }),
  });
  routes.get('/.well-known/jwks.json', async () => send(await auth.jwksEndpoint()));
  routes.post('/auth/token', limit, async (c) => send(await auth.tokenEndpoint(await jsonBody(c), clientAddress(c))));
  routes.post('/auth/refresh', limit, async (c) => send(await auth.refreshEndpoint(await jsonBody(c))));
  routes.post('/auth/logout', limit, async (c) =>
    send(await auth.logoutEndpoint(c.req.header('authorization'), await jsonBody(c))),
  );
  routes.post('/auth/logout-all', limit, async (c) => send(await auth.logoutAllEndpoint(c.req.header('authorization'))));
  return routes;
}
