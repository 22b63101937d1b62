import type { AddressInfo } from 'node:net';
import express, { type Express, type Response } from 'express';
import type { ApiKeyServices } from './core/services.js';
import * as routes from './core/routes.js';
import { apiKeyAuth, principalOf, requireScope, requireTenant } from './middleware.js';

function reply(res: Response, response: routes.RouteResponse): void {
  res.status(response.status).set(response.headers).json(response.body);
}

/** The demo API: one public route, the rest behind an API key. */
export function createApp(services: ApiKeyServices): Express {
  const { auth } = services;
  const app = express();
  app.disable('x-powered-by');
  const authenticated = apiKeyAuth(auth);

  app.get('/health', (_req, res) => reply(res, routes.health()));
  app.get('/me', authenticated, (_req, res) => reply(res, routes.me(principalOf(res))));
  app.get('/admin', authenticated, requireScope(auth, 'admin'), (_req, res) => reply(res, routes.admin(principalOf(res))));
  app.get('/tenants/:tenant/reports', authenticated, requireTenant(auth), (req, res) =>
    reply(res, routes.tenantReports(String(req.params.tenant))),
  );
  app.post('/keys', authenticated, requireScope(auth, 'admin'), express.json({ limit: '10kb' }), async (req, res) =>
    reply(res, await routes.mintKey(services.management(), principalOf(res), req.body)),
  );
  return app;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export function startServer(services: ApiKeyServices, port: number, host = '127.0.0.1'): Promise<RunningServer> {
  const app = createApp(services);
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error?: Error) => {
      if (error) return reject(error);
      const address = server.address() as AddressInfo;
      resolve({
        url: `http://${host}:${address.port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((closeError) => (closeError ? fail(closeError) : done()));
            server.closeAllConnections();
          }),
      });
    });
    server.on('error', reject);
  });
}
