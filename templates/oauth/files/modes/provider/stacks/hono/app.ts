import type { RequestListener } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ResourceServer } from './core/resource-server.js';
import * as routes from './core/routes.js';
import { requireAccessToken, requireScope, type OAuthEnv } from './middleware.js';

function reply(c: Context, route: routes.RouteResponse): Response {
  return c.json(route.body as object, route.status as ContentfulStatusCode, route.headers);
}

/** The demo API: one public route, the rest behind the platform's access tokens. */
export function createApp(resourceServer: ResourceServer): Hono<OAuthEnv> {
  const app = new Hono<OAuthEnv>();
  const authenticated = requireAccessToken(resourceServer);
  app.get('/health', (c) => reply(c, routes.health()));
  app.get('/me', authenticated, (c) => reply(c, routes.me(c.get('principal'))));
  app.get('/admin', authenticated, requireScope(resourceServer, 'admin'), (c) => reply(c, routes.admin(c.get('principal'))));
  return app;
}

/** The API as a Node request listener (see core/server.ts). */
export async function createApiListener(resourceServer: ResourceServer): Promise<RequestListener> {
  return getRequestListener(createApp(resourceServer).fetch);
}
