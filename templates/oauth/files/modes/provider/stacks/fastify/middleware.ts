import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { AuthFailure, Principal, ResourceServer } from './core/resource-server.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

function send(reply: FastifyReply, failure: AuthFailure): FastifyReply {
  return reply.code(failure.status).headers(failure.headers).send(failure.body);
}

/** preHandler requiring a valid access token of the platform; `principalOf(request)` then holds the caller. */
export function requireAccessToken(resourceServer: ResourceServer): preHandlerAsyncHookHandler {
  return async (request, reply) => {
    const result = await resourceServer.authenticate(request.headers.authorization);
    if (!result.ok) return send(reply, result);
    request.principal = result.principal;
  };
}

/** 403 `insufficient_scope` unless the token carries `scope`. Place after requireAccessToken(). */
export function requireScope(resourceServer: ResourceServer, scope: string): preHandlerAsyncHookHandler {
  return async (request, reply) => {
    const result = resourceServer.requireScope(principalOf(request), scope);
    if (!result.ok) return send(reply, result);
  };
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('principalOf() called on a route without requireAccessToken() in front of it.');
  return request.principal;
}
