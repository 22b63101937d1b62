import { getRequestListener, type HttpBindings } from '@hono/node-server';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { Auth } from './kernel/auth.js';
import { serialise, type AuthResponse, type Route } from './kernel/http.js';
import type { Principal } from './kernel/principal.js';
import { problem } from './kernel/problem.js';
import { demoRoutes, guardRequest, runRoute, type RequestParts } from './kernel/routes.js';
import { createNodeServer, listen, type RunningServer } from './kernel/server.js';

/**
 * The Hono adapter (on Node, through @hono/node-server): it translates, the
 * kernel decides. Exports are the same on every stack: createApp, serve,
 * guard, requireScope, principalOf and problemReplies.
 */
export type AuthEnv = { Bindings: HttpBindings; Variables: { authenticated: { principal: Principal; auth: Auth } } };

function send(response: AuthResponse): Response {
  const { status, headers, body } = serialise(response);
  return new Response(body, { status, headers });
}

function partsOf(c: Context<AuthEnv>): RequestParts {
  const incoming = c.env.incoming;
  return {
    incoming,
    url: incoming.url ?? new URL(c.req.url).pathname,
    params: c.req.param() as Record<string, string>,
    // The web stream of the request; Hono has not read it.
    bodyStream: () => c.req.raw.body as AsyncIterable<Uint8Array> | null,
  };
}

/** Middleware: only requests the boundary's guard lets in go on; `principalOf(c)` is then the caller. */
export function guard(auth: Auth, boundaryId: string): MiddlewareHandler<AuthEnv> {
  auth.guard(boundaryId); // an unknown boundary fails here, at start-up, not on the first request
  return async (c, next) => {
    const decision = await guardRequest(auth, boundaryId, partsOf(c));
    if (!decision.ok) return send(decision.response);
    c.set('authenticated', { principal: decision.principal, auth });
    await next();
    for (const [name, value] of Object.entries(decision.headers)) c.res.headers.set(name, value);
    decision.finish(c.res.status);
    return undefined;
  };
}

export const principalOf = (c: Context<AuthEnv>): Principal => {
  const context = c.get('authenticated');
  if (!context) throw new Error('principalOf() called on a route without guard() in front of it.');
  return context.principal;
};

/** After guard(): 403 unless the caller holds `scope`. */
export function requireScope(scope: string): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const { principal, auth } = c.get('authenticated');
    const refusal = auth.requireScope(principal, scope);
    if (refusal) return send(refusal);
    await next();
    return undefined;
  };
}

/** Unknown routes → 404, and every error → problem+json without a stack trace. */
export function problemReplies(app: Hono<AuthEnv>, auth: Auth): void {
  app.notFound(() => send(problem('not-found')));
  app.onError((error) => send(auth.errorReply(error)));
}

function mount(app: Hono<AuthEnv>, auth: Auth, route: Route): void {
  app.on(route.method, route.path, async (c) => {
    const outcome = await runRoute(auth, route, partsOf(c));
    // The response is handed to Node once this returns; its status is already final.
    outcome.finish(outcome.response.status);
    return send(outcome.response);
  });
}

/** A Hono app with the methods' routes (and the demo's), `routes` (yours), and the problem replies. */
export function createApp(auth: Auth, options: { demo?: boolean; routes?: (app: Hono<AuthEnv>) => void } = {}): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  for (const route of [...(options.demo ? demoRoutes(auth) : []), ...auth.routes]) mount(app, auth, route);
  options.routes?.(app);
  problemReplies(app, auth);
  return app;
}

/** Serves the app (by default createApp's) and the methods' raw mounts on one Node server. */
export function serve(auth: Auth, options: { port: number; host?: string; demo?: boolean; app?: Hono<AuthEnv> }): Promise<RunningServer> {
  const app = options.app ?? createApp(auth, { demo: options.demo ?? false });
  return listen(createNodeServer(getRequestListener(app.fetch), auth.mounts), options.port, options.host ?? '127.0.0.1');
}
