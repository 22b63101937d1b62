import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { principalOf, registerAuthRoutes, requireBearer } from './adapter.js';
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

export async function createDemoApp(options: Pick<DemoServerOptions, 'guard' | 'auth'>): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  if (options.auth) await registerAuthRoutes(app, options.auth);
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/me', { preHandler: requireBearer(options.guard) }, async (request, reply) => {
    const principal = principalOf(request);
    reply.header('cache-control', 'no-store');
    return {
      subject: principal.subject,
      issuer: principal.issuer,
      scopes: principal.scopes,
      tokenId: principal.tokenId,
      expiresAt: principal.expiresAt,
    };
  });
  app.get('/admin', { preHandler: requireBearer(options.guard, { scopes: ['admin'] }) }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    return { admin: true, subject: principalOf(request).subject };
  });
  return app;
}

export async function startServer(options: DemoServerOptions): Promise<RunningServer> {
  const app = await createDemoApp(options);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 3000, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port ?? 3000;
  return {
    url: `http://${host}:${port}`,
    close: () => app.close(),
  };
}
