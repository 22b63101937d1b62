import { startServer } from './app.js';
import { readApiKeyConfig } from './core/config.js';
import { createApiKeyServices } from './core/services.js';
import { openStore } from './stores/index.js';

/** Demo API server: GET /health, GET /me, GET /admin, POST /keys. */
async function main(): Promise<void> {
  const config = readApiKeyConfig(process.env);
  for (const warning of config.warnings) console.error(`warning: ${warning}`);
  const store = await openStore();
  const services = createApiKeyServices({ store, config });
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got "${process.env.PORT}".`);
  const server = await startServer(services, port, '127.0.0.1');
  console.error(`API key demo listening on ${server.url}`);
  console.error(`Try: curl -H "Authorization: ApiKey <key>" ${server.url}/me`);

  const stop = () => {
    server
      .close()
      .then(() => store.close())
      .catch((error: unknown) => {
        console.error(error instanceof Error ? error.message : String(error));
        process.exitCode = 1;
      });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
