import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type onRequestHookHandler } from 'fastify';
import type { Auth } from './kernel/auth.js';
import { serialise, type AuthResponse, type Route } from './kernel/http.js';
import type { Principal } from './kernel/principal.js';
import { problem } from './kernel/problem.js';
import { demoRoutes, guardRequest, runRoute, type RequestParts } from './kernel/routes.js';
import { createNodeServer, type RunningServer } from './kernel/server.js';

/**
 * The Fastify adapter: it translates, the kernel decides. Exports are the same
 * on every stack: createApp, serve, guard, requireScope, principalOf and
 * problemReplies.
 */
interface Authenticated {
  principal: Principal;
  auth: Auth;
}

// A WeakMap instead of a request decorator: nothing to register, nothing to leak.
const principals = new WeakMap<FastifyRequest, Authenticated>();

function send(reply: FastifyReply, response: AuthResponse): FastifyReply {
  const { status, headers, body } = serialise(response);
  reply.code(status).headers(headers);
  return body === null ? reply.send() : reply.send(body);
}

const partsOf = (request: FastifyRequest): RequestParts => ({
  incoming: request.raw,
  url: request.raw.url ?? request.url,
  params: (request.params ?? {}) as Record<string, string>,
  bodyStream: () => request.raw,
  parsedBody: request.body,
});

/** onRequest hook: only requests the boundary's guard lets in go on; `principalOf(request)` is then the caller. */
export function guard(auth: Auth, boundaryId: string): onRequestHookHandler {
  auth.guard(boundaryId); // an unknown boundary fails here, at start-up, not on the first request
  return async (request, reply) => {
    const decision = await guardRequest(auth, boundaryId, { ...partsOf(request), parsedBody: undefined });
    if (!decision.ok) return send(reply, decision.response);
    principals.set(request, { principal: decision.principal, auth });
    reply.headers(decision.headers);
    reply.raw.once('finish', () => decision.finish(reply.raw.statusCode));
    return undefined;
  };
}

function authenticated(request: FastifyRequest): Authenticated {
  const context = principals.get(request);
  if (!context) throw new Error('principalOf() called on a route without the guard() hook.');
  return context;
}

export const principalOf = (request: FastifyRequest): Principal => authenticated(request).principal;

/** After guard(): 403 unless the caller holds `scope`. */
export function requireScope(scope: string): onRequestHookHandler {
  return async (request, reply) => {
    const { principal, auth } = authenticated(request);
    const refusal = auth.requireScope(principal, scope);
    return refusal ? send(reply, refusal) : undefined;
  };
}

/** Unknown routes → 404, and every error (Fastify's own 400/413/415 included) → problem+json without a stack trace. */
export function problemReplies(app: FastifyInstance, auth: Auth): void {
  app.setNotFoundHandler((_request, reply) => send(reply, problem('not-found')));
  app.setErrorHandler((error, _request, reply) => send(reply, auth.errorReply(error)));
}

/**
 * A Fastify app with the methods' routes (and the demo's), `routes` (yours),
 * and the problem replies. The kernel's routes read their own bodies (bounded,
 * the same on every stack), so Fastify's body parsers are switched off in
 * their scope only.
 */
export function createApp(auth: Auth, options: { demo?: boolean; routes?: (app: FastifyInstance) => void } = {}): FastifyInstance {
  // NOTE: the logger stays off; if you enable it, redact query strings from its request lines.
  const app = Fastify({
    logger: false,
    serverFactory: (handler) => createNodeServer(handler, auth.mounts),
    // Errors Fastify answers before any route (a malformed URL) get the same problem replies.
    frameworkErrors: (error, _request, reply) => void send(reply, auth.errorReply(error)),
  });
  problemReplies(app, auth);
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    for (const route of [...(options.demo ? demoRoutes(auth) : []), ...auth.routes]) mount(scope, auth, route);
  });
  options.routes?.(app);
  return app;
}

function mount(app: FastifyInstance, auth: Auth, route: Route): void {
  app.route({
    method: route.method,
    url: route.path,
    handler: async (request, reply) => {
      const outcome = await runRoute(auth, route, { ...partsOf(request), parsedBody: undefined });
      reply.raw.once('finish', () => outcome.finish(reply.raw.statusCode));
      return send(reply, outcome.response);
    },
  });
}

/** Serves the app (by default createApp's) and the methods' raw mounts. */
export async function serve(auth: Auth, options: { port: number; host?: string; demo?: boolean; app?: FastifyInstance }): Promise<RunningServer> {
  const app = options.app ?? createApp(auth, { demo: options.demo ?? false });
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return { url: `http://${host}:${port}`, port, close: () => app.close() };
}
