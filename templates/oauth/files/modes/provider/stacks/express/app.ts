import type { RequestListener } from 'node:http';
import express, { type Express, type Response } from 'express';
import type { ResourceServer } from './core/resource-server.js';
import * as routes from './core/routes.js';
import { principalOf, requireAccessToken, requireScope } from './middleware.js';

function reply(res: Response, response: routes.RouteResponse): void {
  res.status(response.status).set(response.headers).json(response.body);
}

/** The demo API: one public route, the rest behind the platform's access tokens. */
export function createApp(resourceServer: ResourceServer): Express {
  const app = express();
  app.disable('x-powered-by');
  const authenticated = requireAccessToken(resourceServer);
  app.get('/health', (_req, res) => reply(res, routes.health()));
  app.get('/me', authenticated, (_req, res) => reply(res, routes.me(principalOf(res))));
  app.get('/admin', authenticated, requireScope(resourceServer, 'admin'), (_req, res) => reply(res, routes.admin(principalOf(res))));
  return app;
}

/** The API as a Node request listener (see core/server.ts). */
export async function createApiListener(resourceServer: ResourceServer): Promise<RequestListener> {
  return createApp(resourceServer);
}
