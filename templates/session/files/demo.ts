import { startServer } from './app.js';
import { loadSessionConfig } from './core/config.js';
import { createSessionAuth } from './core/sessions.js';
import { openAuthStore } from './stores/index.js';

// Starts the demo server: sign-in page at /login, a CSRF-protected form at /profile, and
// /health, /me, /admin. Listens on 127.0.0.1 and PORT (default 3000) until SIGTERM or Ctrl-C.

async function main(): Promise<void> {
  const env = process.env;
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got "${env.PORT}".`);
  const config = loadSessionConfig(env);
  const store = await openAuthStore(env);
  const auth = createSessionAuth({ store, config });
  const server = await startServer({ auth, store, port, host: '127.0.0.1' });
  console.log(`Session demo listening on ${server.url} (sign in at ${server.url}/login)`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.close();
    await store.close();
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
