import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { ApiKeyServices } from './core/services.js';
import * as routes from './core/routes.js';
import { apiKeyAuth, principalOf, requireScope, requireTenant } from './middleware.js';

function reply(response: FastifyReply, route: routes.RouteResponse): FastifyReply {
  return response.code(route.status).headers(route.headers).send(route.body);
}

/** The demo API: one public route, the rest behind an API key. */
export function createApp(services: ApiKeyServices): FastifyInstance {
  const { auth } = services;
  // NOTE: Fastify's logger stays off here; if you enable it, keep its default
  // request serializer away from query strings or redact them (see AUTH.md).
  const app = Fastify({ logger: false, bodyLimit: 10_240 });
  const authenticated = apiKeyAuth(auth);

  app.get('/health', async (_request, response) => reply(response, routes.health()));
  app.get('/me', { onRequest: authenticated }, async (request, response) =>
    reply(response, routes.me(principalOf(request))),
  );
  app.get('/admin', { onRequest: [authenticated, requireScope(auth, 'admin')] }, async (request, response) =>
    reply(response, routes.admin(principalOf(request))),
  );
  app.get<{ Params: { tenant: string } }>(
    '/tenants/:tenant/reports',
    { onRequest: [authenticated, requireTenant(auth)] },
    async (request, response) => reply(response, routes.tenantReports(request.params.tenant)),
  );
  app.post('/keys', { onRequest: [authenticated, requireScope(auth, 'admin')] }, async (request, response) =>
    reply(response, await routes.mintKey(services.management(), principalOf(request), request.body)),
  );
  return app;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function startServer(services: ApiKeyServices, port: number, host = '127.0.0.1'): Promise<RunningServer> {
  const app = createApp(services);
  await app.listen({ port, host });
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return { url: `http://${host}:${actualPort}`, close: () => app.close() };
}
