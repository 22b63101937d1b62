import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { createProfileRoutes } from './core/profile.js';
import type { SessionAuth } from './core/sessions.js';
import type { AuthStore } from './core/store.js';
import { MalformedBodyError, requireScope, requireSession, sessionBodyLimit, sessionOf, sessionRoutes, toAuthRequest, toResponse } from './middleware.js';
import type { SessionEnv } from './middleware.js';

// The demo application: the session routes, a CSRF-protected form, and /health, /me, /admin.

export function createApp(auth: SessionAuth, store: AuthStore): Hono<SessionEnv> {
  const app = new Hono<SessionEnv>();

  app.get('/health', (c) => c.json({ status: 'ok' }));

  app.route('/', sessionRoutes(auth));

  app.get('/me', requireSession(auth), (c) => {
    const { principal } = sessionOf(c);
    return c.json({ subject: principal.subject, scopes: principal.scopes, displayName: principal.displayName });
  });

  app.get('/admin', requireSession(auth), requireScope(auth, 'admin'), (c) =>
    c.json({ subject: sessionOf(c).principal.subject, admin: true }),
  );

  const profile = createProfileRoutes(auth, store);
  app.get('/profile', async (c) => toResponse(await profile.show(await toAuthRequest(c))));
  app.post('/profile', sessionBodyLimit, async (c) => toResponse(await profile.update(await toAuthRequest(c))));

  app.onError((error, c) => {
    if (error instanceof MalformedBodyError) return c.json({ error: 'bad_request' }, 400);
    console.error(error);
    return c.json({ error: 'server_error' }, 500);
  });
  return app;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function startServer(options: { auth: SessionAuth; store: AuthStore; port: number; host: string }): Promise<RunningServer> {
  const app = createApp(options.auth, options.store);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, () => resolve(started));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}
