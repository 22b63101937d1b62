import { createServer, type RequestListener } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerFactory } from 'fastify';
import type { ResourceServer } from './core/resource-server.js';
import * as routes from './core/routes.js';
import { principalOf, requireAccessToken, requireScope } from './middleware.js';

function reply(res: FastifyReply, response: routes.RouteResponse): FastifyReply {
  return res.code(response.status).headers(response.headers).send(response.body);
}

/** The demo API: one public route, the rest behind the platform's access tokens. */
export function createApp(resourceServer: ResourceServer, serverFactory?: FastifyServerFactory): FastifyInstance {
  const app = Fastify(serverFactory ? { serverFactory } : {});
  const authenticated = requireAccessToken(resourceServer);
  app.get('/health', async (_request, res) => reply(res, routes.health()));
  app.get('/me', { preHandler: [authenticated] }, async (request, res) => reply(res, routes.me(principalOf(request))));
  app.get('/admin', { preHandler: [authenticated, requireScope(resourceServer, 'admin')] }, async (request, res) =>
    reply(res, routes.admin(principalOf(request))),
  );
  return app;
}

/** The API as a Node request listener (see core/server.ts): Fastify hands its handler to serverFactory. */
export async function createApiListener(resourceServer: ResourceServer): Promise<RequestListener> {
  let listener: RequestListener | undefined;
  const app = createApp(resourceServer, (handler) => {
    listener = handler as RequestListener;
    return createServer();
  });
  await app.ready();
  if (!listener) throw new Error('Fastify did not hand over its request handler.');
  return listener;
}
