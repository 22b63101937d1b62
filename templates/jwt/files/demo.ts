import { startServer } from './app.js';
import { createAuthFromEnv } from './runtime.js';

// Demo server: GET /health (public), GET /me (any valid token), GET /admin (scope "admin"), plus the
// token endpoints and /.well-known/jwks.json. Listens on 127.0.0.1:PORT (default 3000).

async function main(): Promise<void> {
  const { auth, warnings } = await createAuthFromEnv();
  for (const warning of warnings) console.error(`[auth] ${warning}`);
  const port = Number(process.env.PORT ?? 3000);
  const server = await startServer({ guard: auth, auth, port, host: process.env.HOST ?? '127.0.0.1' });
  console.error(`[auth] demo listening on ${server.url} (store: ${auth.store.description})`);
  const stop = (): void => {
    server
      .close()
      .then(() => auth.store.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(`[auth] demo failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
