import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authRoutes, principalOf, requireBearer } from './adapter.js';
import type { BearerGuard } from './core/guard.js';
import type { JwtAuth } from './core/jwt-auth.js';

export interface DemoServerOptions {
  /** Checks bearer tokens: the JwtAuth itself, or a remote guard in another service. */
  guard: BearerGuard;
  /** When given, the token endpoints and the JWKS endpoint are mounted too. */
  auth?: JwtAuth;
  host?: string;
  port?: number;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export function createDemoApp(options: Pick<DemoServerOptions, 'guard' | 'auth'>): express.Express {
  const app = express();
  app.disable('x-powered-by');
  if (options.auth) app.use(authRoutes(options.auth));
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/me', requireBearer(options.guard), (_req, res) => {
    const principal = principalOf(res);
    res.set('cache-control', 'no-store').json({
      subject: principal.subject,
      issuer: principal.issuer,
      scopes: principal.scopes,
      tokenId: principal.tokenId,
      expiresAt: principal.expiresAt,
    });
  });
  app.get('/admin', requireBearer(options.guard, { scopes: ['admin'] }), (_req, res) => {
    res.set('cache-control', 'no-store').json({ admin: true, subject: principalOf(res).subject });
  });
  return app;
}

export function startServer(options: DemoServerOptions): Promise<RunningServer> {
  const app = createDemoApp(options);
  return new Promise((resolve, reject) => {
    const server: Server = app.listen(options.port ?? 3000, options.host ?? '127.0.0.1', (error?: Error) => {
      if (error) return reject(error);
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${options.host ?? '127.0.0.1'}:${port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((closeError) => (closeError ? fail(closeError) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}
