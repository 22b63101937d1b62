import type { RequestListener } from 'node:http';
import express, { type Express, type Request, type Response } from 'express';
import type { ClientRequest, ClientRoutes, RouteResponse } from './core/routes.js';

const requestOf = (req: Request): ClientRequest => ({
  url: req.originalUrl,
  cookie: req.headers.cookie,
  origin: req.headers.origin,
  secFetchSite: req.get('sec-fetch-site'),
});

function reply(res: Response, route: RouteResponse): void {
  res.status(route.status).set(route.headers);
  if (route.cookies.length > 0) res.append('Set-Cookie', route.cookies);
  if (route.body === null) res.end();
  else res.json(route.body);
}

/** The demo app: connect to the provider, use the connection, disconnect. */
export function createApp(routes: ClientRoutes): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/health', (_req, res) => reply(res, routes.health()));
  app.get('/connect', async (_req, res) => reply(res, await routes.connect()));
  app.get('/callback', async (req, res) => reply(res, await routes.callback(requestOf(req))));
  app.post('/disconnect', async (req, res) => reply(res, await routes.disconnect(requestOf(req))));
  app.get('/me', async (req, res) => reply(res, await routes.me(requestOf(req))));
  app.get('/admin', async (req, res) => reply(res, await routes.admin(requestOf(req))));
  return app;
}

/** The app as a Node request listener (see core/server.ts). */
export async function createAppListener(routes: ClientRoutes): Promise<RequestListener> {
  return createApp(routes);
}
