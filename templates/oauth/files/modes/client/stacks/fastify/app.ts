import { createServer, type RequestListener } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerFactory } from 'fastify';
import type { ClientRequest, ClientRoutes, RouteResponse } from './core/routes.js';

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

const requestOf = (request: FastifyRequest): ClientRequest => ({
  url: request.url,
  cookie: header(request.headers.cookie),
  origin: header(request.headers.origin),
  secFetchSite: header(request.headers['sec-fetch-site']),
});

function reply(res: FastifyReply, route: RouteResponse): FastifyReply {
  res.code(route.status).headers(route.headers);
  if (route.cookies.length > 0) res.header('Set-Cookie', route.cookies);
  return route.body === null ? res.send() : res.send(route.body);
}

/** Adds the connection routes to a Fastify app (yours, or the demo's). */
export function registerConnectionRoutes(app: FastifyInstance, routes: ClientRoutes): void {
  app.get('/health', async (_request, res) => reply(res, routes.health()));
  app.get('/connect', async (_request, res) => reply(res, await routes.connect()));
  app.get('/callback', async (request, res) => reply(res, await routes.callback(requestOf(request))));
  // NOTE: any body is accepted and ignored; the Origin check in core/routes.ts is what stops cross-site posts.
  app.post('/disconnect', async (request, res) => reply(res, await routes.disconnect(requestOf(request))));
  app.get('/me', async (request, res) => reply(res, await routes.me(requestOf(request))));
  app.get('/admin', async (request, res) => reply(res, await routes.admin(requestOf(request))));
}

/** The demo app: connect to the provider, use the connection, disconnect. */
export function createApp(routes: ClientRoutes, serverFactory?: FastifyServerFactory): FastifyInstance {
  const app = Fastify(serverFactory ? { serverFactory } : {});
  registerConnectionRoutes(app, routes);
  return app;
}

/** The app as a Node request listener (see core/server.ts): Fastify hands its handler to serverFactory. */
export async function createAppListener(routes: ClientRoutes): Promise<RequestListener> {
  let listener: RequestListener | undefined;
  const app = createApp(routes, (handler) => {
    listener = handler as RequestListener;
    return createServer();
  });
  await app.ready();
  if (!listener) throw new Error('Fastify did not hand over its request handler.');
  return listener;
}
