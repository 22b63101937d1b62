import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { createProfileRoutes } from './core/profile.js';
import type { SessionAuth } from './core/sessions.js';
import type { AuthStore } from './core/store.js';
import { registerSessionAuth, requireScope, requireSession, sendReply, sessionOf, toAuthRequest } from './middleware.js';

// The demo application: the session routes, a CSRF-protected form, and /health, /me, /admin.

export async function createApp(auth: SessionAuth, store: AuthStore): Promise<FastifyInstance> {
  // Behind a TLS-terminating proxy, pass { trustProxy: true } here; see AUTH.md.
  const app = Fastify({ bodyLimit: 16 * 1024 });
  await registerSessionAuth(app, auth);

  app.get('/health', async () => ({ status: 'ok' }));

  app.get('/me', { preHandler: requireSession(auth) }, async (request) => {
    const { principal } = sessionOf(request);
    return { subject: principal.subject, scopes: principal.scopes, displayName: principal.displayName };
  });

  app.get('/admin', { preHandler: [requireSession(auth), requireScope(auth, 'admin')] }, async (request) => ({
    subject: sessionOf(request).principal.subject,
    admin: true,
  }));

  const profile = createProfileRoutes(auth, store);
  app.get('/profile', async (request, reply) => sendReply(reply, await profile.show(toAuthRequest(request))));
  app.post('/profile', async (request, reply) => sendReply(reply, await profile.update(toAuthRequest(request))));
  return app;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function startServer(options: { auth: SessionAuth; store: AuthStore; port: number; host: string }): Promise<RunningServer> {
  const app = await createApp(options.auth, options.store);
  await app.listen({ port: options.port, host: options.host });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://${options.host}:${port}`, close: () => app.close() };
}
