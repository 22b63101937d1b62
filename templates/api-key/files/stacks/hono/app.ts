import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ApiKeyServices } from './core/services.js';
import * as routes from './core/routes.js';
import { apiKeyAuth, requireScope, requireTenant, type ApiKeyEnv } from './middleware.js';

function reply(c: Context, route: routes.RouteResponse): Response {
  return c.json(route.body as object, route.status as ContentfulStatusCode, route.headers);
}

/** The demo API: one public route, the rest behind an API key. */
export function createApp(services: ApiKeyServices): Hono<ApiKeyEnv> {
  const { auth } = services;
  const app = new Hono<ApiKeyEnv>();
  const authenticated = apiKeyAuth(auth);

  app.get('/health', (c) => reply(c, routes.health()));
  app.get('/me', authenticated, (c) => reply(c, routes.me(c.get('apiKey'))));
  app.get('/admin', authenticated, requireScope(auth, 'admin'), (c) => reply(c, routes.admin(c.get('apiKey'))));
  app.get('/tenants/:tenant/reports', authenticated, requireTenant(auth), (c) =>
    reply(c, routes.tenantReports(c.req.param('tenant'))),
  );
  app.post('/keys', authenticated, requireScope(auth, 'admin'), async (c) => {
    const body: unknown = await c.req.json().catch(() => null);
    return reply(c, await routes.mintKey(services.management(), c.get('apiKey'), body));
  });
  return app;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export function startServer(services: ApiKeyServices, port: number, host = '127.0.0.1'): Promise<RunningServer> {
  const app = createApp(services);
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: host }, (info: AddressInfo) => {
      resolve({
        url: `http://${host}:${info.port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error?: Error) => (error ? fail(error) : done()));
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      });
    });
    server.on('error', reject);
  });
}
