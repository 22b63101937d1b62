import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { authRoutes, requireBearer } from './adapter.js';
import type { AuthEnv } from './adapter.js';
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

export function createDemoApp(options: Pick<DemoServerOptions, 'guard' | 'auth'>): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  if (options.auth) app.route('/', authRoutes(options.auth));
  app.get('/health', (c) => c.json({ status: 'ok' }));
  app.get('/me', requireBearer(options.guard), (c) => {
    const principal = c.get('principal');
    c.header('cache-control', 'no-store');
    return c.json({
      subject: principal.subject,
      issuer: principal.issuer,
      scopes: principal.scopes,
      tokenId: principal.tokenId,
      expiresAt: principal.expiresAt,
    });
  });
  app.get('/admin', requireBearer(options.guard, { scopes: ['admin'] }), (c) => {
    c.header('cache-control', 'no-store');
    return c.json({ admin: true, subject: c.get('principal').subject });
  });
  return app;
}

export function startServer(options: DemoServerOptions): Promise<RunningServer> {
  const app = createDemoApp(options);
  const host = options.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port ?? 3000, hostname: host }, (info: AddressInfo) => {
      resolve({
        url: `http://${host}:${info.port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error?: Error) => (error ? fail(error) : done()));
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      });
    });
    server.once('error', reject);
  });
}
