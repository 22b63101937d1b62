import express from 'express';
import type { ErrorRequestHandler } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProfileRoutes } from './core/profile.js';
import type { SessionAuth } from './core/sessions.js';
import type { AuthStore } from './core/store.js';
import { requireScope, requireSession, sendReply, sessionBodyParsers, sessionOf, sessionRoutes, toAuthRequest } from './middleware.js';

// The demo application: the session routes, a CSRF-protected form, and /health, /me, /admin.

export function createApp(auth: SessionAuth, store: AuthStore): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Behind a TLS-terminating proxy, e.g. app.set('trust proxy', 1); see AUTH.md.

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.use(sessionRoutes(auth));

  app.get('/me', requireSession(auth), (_req, res) => {
    const { principal } = sessionOf(res);
    res.json({ subject: principal.subject, scopes: principal.scopes, displayName: principal.displayName });
  });

  app.get('/admin', requireSession(auth), requireScope(auth, 'admin'), (_req, res) => {
    res.json({ subject: sessionOf(res).principal.subject, admin: true });
  });

  const profile = createProfileRoutes(auth, store);
  app.get('/profile', async (req, res) => sendReply(res, await profile.show(toAuthRequest(req))));
  app.post('/profile', ...sessionBodyParsers, async (req, res) => sendReply(res, await profile.update(toAuthRequest(req))));

  // Malformed or oversized bodies get a short JSON answer instead of Express's HTML page with a stack trace.
  const onError: ErrorRequestHandler = (error: { status?: number; statusCode?: number }, _req, res, _next) => {
    const status = error.status ?? error.statusCode ?? 500;
    if (status >= 500) console.error(error);
    res.status(status >= 400 && status < 600 ? status : 500).set('cache-control', 'no-store').json({ error: status < 500 ? 'bad_request' : 'server_error' });
  };
  app.use(onError);
  return app;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function startServer(options: { auth: SessionAuth; store: AuthStore; port: number; host: string }): Promise<RunningServer> {
  const app = createApp(options.auth, options.store);
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(options.port, options.host, (error?: Error) => (error ? reject(error) : resolve(listening)));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
