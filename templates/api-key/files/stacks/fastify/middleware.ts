import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKeyAuth, AuthFailure, Principal } from './core/auth.js';

// Returning the reply after sending tells Fastify the hook answered the request itself.
type Hook = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;

// A WeakMap instead of a request decorator: nothing to register, nothing to leak.
const principals = new WeakMap<FastifyRequest, Principal>();

function send(reply: FastifyReply, failure: AuthFailure): FastifyReply {
  return reply.code(failure.status).headers(failure.headers).send(failure.body);
}

/**
 * onRequest hook authenticating `Authorization: ApiKey <key>`. Attach it per
 * route (`{ onRequest: apiKeyAuth(auth) }`) or to an encapsulated plugin with
 * `instance.addHook('onRequest', apiKeyAuth(auth))`.
 */
export function apiKeyAuth(auth: ApiKeyAuth): Hook {
  return async (request, reply) => {
    const result = await auth.authenticate({
      authorization: request.headers.authorization,
      url: request.url,
      // request.ip follows Fastify's trustProxy option; set it when behind a proxy.
      clientIp: request.ip,
      method: request.method,
    });
    if (!result.ok) return send(reply, result);
    principals.set(request, result.principal);
    return undefined;
  };
}

export function principalOf(request: FastifyRequest): Principal {
  const principal = principals.get(request);
  if (!principal) throw new Error('principalOf() called on a route without the apiKeyAuth() hook.');
  return principal;
}

/** 403 unless the authenticated key holds `scope`. Run after apiKeyAuth(). */
export function requireScope(auth: ApiKeyAuth, scope: string): Hook {
  return async (request, reply) => {
    const result = auth.requireScope(principalOf(request), scope);
    return result.ok ? undefined : send(reply, result);
  };
}

/** 404 unless the key belongs to the tenant named by route parameter `parameter`. */
export function requireTenant(auth: ApiKeyAuth, parameter = 'tenant'): Hook {
  return async (request, reply) => {
    const params = (request.params ?? {}) as Record<string, string | undefined>;
    const result = auth.requireTenant(principalOf(request), params[parameter] ?? '');
    return result.ok ? undefined : send(reply, result);
  };
}
