import type { RequestListener } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import type { ClientRequest, ClientRoutes, RouteResponse } from './core/routes.js';

const requestOf = (c: Context): ClientRequest => {
  const url = new URL(c.req.url);
  return {
    url: `${url.pathname}${url.search}`,
    cookie: c.req.header('cookie'),
    origin: c.req.header('origin'),
    secFetchSite: c.req.header('sec-fetch-site'),
  };
};

function reply(route: RouteResponse): Response {
  const headers = new Headers(route.headers);
  for (const cookie of route.cookies) headers.append('Set-Cookie', cookie);
  if (route.body === null) return new Response(null, { status: route.status, headers });
  headers.set('Content-Type', 'application/json; charset=utf-8');
  return new Response(JSON.stringify(route.body), { status: route.status, headers });
}

/** The demo app: connect to the provider, use the connection, disconnect. */
export function createApp(routes: ClientRoutes): Hono {
  const app = new Hono();
  app.get('/health', () => reply(routes.health()));
  app.get('/connect', async () => reply(await routes.connect()));
  app.get('/callback', async (c) => reply(await routes.callback(requestOf(c))));
  app.post('/disconnect', async (c) => reply(await routes.disconnect(requestOf(c))));
  app.get('/me', async (c) => reply(await routes.me(requestOf(c))));
  app.get('/admin', async (c) => reply(await routes.admin(requestOf(c))));
  return app;
}

/** The app as a Node request listener (see core/server.ts). */
export async function createAppListener(routes: ClientRoutes): Promise<RequestListener> {
  return getRequestListener(createApp(routes).fetch);
}
