import { createApiListener } from './app.js';
import { loadConfig } from './core/config.js';
import { openPlatform } from './core/platform.js';
import { closeOnSignals, startServer } from './core/server.js';
import { openStoreFromEnv } from './stores/index.js';

/**
 * The demo: the authorization server under /oauth and the API (/health,
 * /me, /admin) on one port. Register a client and a user with the CLI, or
 * mint a token with `auth:credential`.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const store = await openStoreFromEnv();
  const server = await startServer({
    port: config.port,
    routes: async () => {
      const { authorizationServer, resourceServer } = await openPlatform(config, store);
      return { api: await createApiListener(resourceServer), authorizationServer };
    },
  });
  console.log(`OAuth demo listening on ${server.url} (authorization server ${config.issuer}, ${config.accessTokenFormat} access tokens)`);
  closeOnSignals(server, store);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
