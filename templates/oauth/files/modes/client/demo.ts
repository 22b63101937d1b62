import { createAppListener } from './app.js';
import { isLoopbackHttp, loadClientConfig } from './core/config.js';
import { createConnector } from './core/connections.js';
import { createClientRoutes } from './core/routes.js';
import { closeOnSignals, startServer, type Routes } from './core/server.js';
import { openStoreFromEnv } from './stores/index.js';

/**
 * The demo: this app's routes (/health, /connect, /callback, /disconnect,
 * /me, /admin) on one port. With OAUTH_PRACTICE_PROVIDER=1 the same server
 * also runs a practice authorization server under /practice-provider and
 * connects to it; otherwise it connects to OAUTH_PROVIDER_ISSUER.
 */
async function main(): Promise<void> {
  const config = loadClientConfig();
  const store = await openStoreFromEnv();
  const server = await startServer({
    port: config.port,
    routes: async (): Promise<Routes> => {
      let clientSecret = config.provider.clientSecret;
      let practice: Routes['authorizationServer'];
      if (config.practiceProvider) {
        // Loaded only here: oidc-provider is a dev dependency in client mode.
        const { createPracticeProvider, practiceClientSecret } = await import('./practice-provider.js');
        clientSecret = await practiceClientSecret(store);
        practice = createPracticeProvider({
          issuer: config.provider.issuer,
          store,
          clients: [{ clientId: config.provider.clientId, clientSecret, redirectUris: [config.redirectUri] }],
        });
      }
      const connector = createConnector({
        issuer: config.provider.issuer,
        clientId: config.provider.clientId,
        clientSecret: clientSecret!,
        redirectUri: config.redirectUri,
        scope: config.scope,
        store,
        allowInsecureHttp: isLoopbackHttp(new URL(config.provider.issuer)),
      });
      const routes = createClientRoutes({ connector, appUrl: config.appUrl });
      return { api: await createAppListener(routes), authorizationServer: practice };
    },
  });
  console.log(`OAuth client demo listening on ${server.url} (provider ${config.provider.issuer}${config.practiceProvider ? ', the practice server in this process' : ''}); open ${config.appUrl}/connect`);
  closeOnSignals(server, store);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
