import express, { type ErrorRequestHandler, type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Auth } from './kernel/auth.js';
import { serialise, type AuthResponse, type Route } from './kernel/http.js';
import type { Principal } from './kernel/principal.js';
import { problem } from './kernel/problem.js';
import { demoRoutes, guardRequest, runRoute, type RequestParts } from './kernel/routes.js';
import { createNodeServer, listen, type RunningServer } from './kernel/server.js';

/**
 * The Express adapter: it translates, the kernel decides. Exports are the same
 * on every stack: createApp, serve, guard, requireScope, principalOf and
 * problemReplies.
 */
interface Authenticated {
  principal: Principal;
  auth: Auth;
}

function send(res: Response, response: AuthResponse): void {
  const { status, headers, body } = serialise(response);
  res.status(status).set(headers);
  if (body === null) res.end();
  else res.send(body);
}

const partsOf = (req: Request): RequestParts => ({
  incoming: req,
  url: req.originalUrl,
  params: req.params as Record<string, string>,
  bodyStream: () => req,
  // Set when your own body parser ran before this route.
  parsedBody: req.body as unknown,
});

function mount(app: Express, auth: Auth, route: Route): void {
  const handler: RequestHandler = async (req, res) => {
    const outcome = await runRoute(auth, route, partsOf(req));
    res.once('finish', () => outcome.finish(res.statusCode));
    send(res, outcome.response);
  };
  app[route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete'](route.path, handler);
}

/** Middleware: only requests the boundary's guard lets in go on; `principalOf(res)` is then the caller. */
export function guard(auth: Auth, boundaryId: string): RequestHandler {
  auth.guard(boundaryId); // an unknown boundary fails here, at start-up, not on the first request
  return async (req: Request, res: Response, next: NextFunction) => {
    const decision = await guardRequest(auth, boundaryId, partsOf(req));
    if (!decision.ok) return send(res, decision.response);
    res.locals.auth = { principal: decision.principal, auth } satisfies Authenticated;
    res.set(decision.headers);
    res.once('finish', () => decision.finish(res.statusCode));
    next();
  };
}

function authenticated(res: Response): Authenticated {
  const context = res.locals.auth as Authenticated | undefined;
  if (!context) throw new Error('principalOf() called on a route without guard() in front of it.');
  return context;
}

export const principalOf = (res: Response): Principal => authenticated(res).principal;

/** After guard(): 403 unless the caller holds `scope`. */
export function requireScope(scope: string): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    const { principal, auth } = authenticated(res);
    const refusal = auth.requireScope(principal, scope);
    if (refusal) return send(res, refusal);
    next();
  };
}

/**
 * The last handlers of an app: unknown routes → 404, and every error (a body
 * parser's 400/413/415, a thrown error) → problem+json without a stack trace.
 */
export function problemReplies(app: Express, auth: Auth): void {
  app.use((_req: Request, res: Response) => send(res, problem('not-found')));
  const errors: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    if (res.headersSent) return next(error);
    send(res, auth.errorReply(error));
  };
  app.use(errors);
}

/** An Express app with the methods' routes (and the demo's), then `routes` (yours), then the problem replies. */
export function createApp(auth: Auth, options: { demo?: boolean; routes?: (app: Express) => void } = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  for (const route of [...(options.demo ? demoRoutes(auth) : []), ...auth.routes]) mount(app, auth, route);
  options.routes?.(app);
  problemReplies(app, auth);
  return app;
}

/** Serves the app (by default createApp's) and the methods' raw mounts on one Node server. */
export function serve(auth: Auth, options: { port: number; host?: string; demo?: boolean; app?: Express }): Promise<RunningServer> {
  const app = options.app ?? createApp(auth, { demo: options.demo ?? false });
  return listen(createNodeServer(app, auth.mounts), options.port, options.host ?? '127.0.0.1');
}
