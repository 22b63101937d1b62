import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BearerGuard, HttpResult, Principal } from './core/guard.js';
import type { JwtAuth } from './core/jwt-auth.js';

// Fastify glue: every decision is made by the framework-agnostic core; this file only copies
// headers in and results out.

const principals = new WeakMap<FastifyRequest, Principal>();

export function send(reply: FastifyReply, result: HttpResult): FastifyReply {
  reply.code(result.status).headers(result.headers);
  return result.body === undefined ? reply.send() : reply.send(result.body);
}

/** preHandler: lets the request through only with a valid access token carrying `scopes`. */
export function requireBearer(guard: BearerGuard, options: { scopes?: readonly string[] } = {}) {
  const scopes = options.scopes ?? [];
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const result = await guard.authenticate(request.headers.authorization, scopes);
    if (!result.ok) {
      await send(reply, result);
      return;
    }
    principals.set(request, result.principal);
  };
}

/** The caller established by requireBearer. */
export function principalOf(request: FastifyRequest): Principal {
  const principal = principals.get(request);
  if (!principal) throw new Error('principalOf() used on a route without requireBearer().');
  return principal;
}

/** POST /auth/token, /auth/refresh, /auth/logout, /auth/logout-all and GET /.well-known/jwks.json */
export async function registerAuthRoutes(app: FastifyInstance, auth: JwtAuth): Promise<void> {
  const bodyLimit = 16 * 1024;
  app.get('/.well-known/jwks.json', async (_request, reply) => send(reply, await auth.jwksEndpoint()));
  app.post('/auth/token', { bodyLimit }, async (request, reply) =>
    send(reply, await auth.tokenEndpoint(request.body, request.ip)),
  );
  app.post('/auth/refresh', { bodyLimit }, async (request, reply) =>
    send(reply, await auth.refreshEndpoint(request.body)),
  );
  app.post('/auth/logout', { bodyLimit }, async (request, reply) =>
    send(reply, await auth.logoutEndpoint(request.headers.authorization, request.body)),
  );
  app.post('/auth/logout-all', { bodyLimit }, async (request, reply) =>
    send(reply, await auth.logoutAllEndpoint(request.headers.authorization)),
  );
}
