import { parseArgs } from 'node:util';
import { ConfigError, isLoopbackHttp, loadClientConfig, type ClientConfig } from './core/config.js';
import { createConnector } from './core/connections.js';
import { CONNECTION_COOKIE } from './core/routes.js';
import type { OAuthStore } from './core/store.js';
import { checkedScopes, checkedSubject, printerFor, runCommandLine, showedUsage, UsageError } from './core/command-line.js';
import { openStoreFromEnv } from './stores/index.js';

const USAGE = `Usage: cli <command> [options]

  credential --subject <id> [--scope <scope>]... [--json]
      Print a Cookie header for a demo connection of <id> at the practice
      server (OAUTH_PRACTICE_PROVIDER=1 only; skips the browser sign-in).
  connections list [--json]
      Every connection: id, subject, provider, granted scopes (never tokens).
  connections remove <connection-id>
      Disconnect: revoke the tokens at the provider and delete them here.`;

async function run(argv: string[], openStore: () => Promise<OAuthStore>): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      subject: { type: 'string' },
      scope: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, sub, argument] = positionals;
  if (showedUsage(USAGE, values.help, command)) return;
  const scopes = checkedScopes(values.scope);
  const print = printerFor(values.json);

  const config = loadClientConfig();
  const store = await openStore();
  try {
    if (command === 'credential') {
      const credential = await demoCredential(config, store, checkedSubject(values.subject), scopes);
      print(credential, credential.header);
    } else if (command === 'connections' && sub === 'list') {
      const connector = await connectorFor(config, store);
      const connections = await connector.list();
      print(connections, connections.map((c) => `${c.connectionId}  ${c.subject}  ${c.issuer}  ${c.scopes.join(' ')}`).join('\n') || '(no connections)');
    } else if (command === 'connections' && sub === 'remove') {
      if (!argument) throw new UsageError('connections remove <connection-id>');
      const connector = await connectorFor(config, store);
      if (!(await connector.find(argument))) throw new UsageError(`No connection ${argument}.`);
      await connector.disconnect(argument);
      print({ removed: argument }, `Revoked at the provider and removed ${argument}.`);
    } else {
      throw new UsageError(`Unknown command: ${positionals.join(' ')}\n${USAGE}`);
    }
  } finally {
    await store.close();
  }
}

async function connectorFor(config: ClientConfig, store: OAuthStore) {
  let clientSecret = config.provider.clientSecret;
  if (clientSecret === null) clientSecret = await (await import('./practice-provider.js')).practiceClientSecret(store);
  return createConnector({
    issuer: config.provider.issuer,
    clientId: config.provider.clientId,
    clientSecret,
    redirectUri: config.redirectUri,
    scope: config.scope,
    store,
    allowInsecureHttp: isLoopbackHttp(new URL(config.provider.issuer)),
  });
}

/**
 * A connection made without a browser: the practice server (sharing this
 * store with the demo) issues a real grant and token pair for `subject`, and
 * the connector keeps them as if the person had connected.
 */
async function demoCredential(config: ClientConfig, store: OAuthStore, subject: string, scopes: string[]) {
  if (!config.practiceProvider) {
    throw new UsageError('credential works with the practice server only (OAUTH_PRACTICE_PROVIDER=1); with a real provider, connect at /connect in a browser.');
  }
  const { createPracticeProvider, mintPracticeTokens, PRACTICE_SCOPES, practiceClientSecret } = await import('./practice-provider.js');
  const unknown = scopes.filter((scope) => !(PRACTICE_SCOPES as readonly string[]).includes(scope));
  if (unknown.length > 0) throw new UsageError(`Unknown scope ${unknown.join(', ')}; the practice server knows ${PRACTICE_SCOPES.join(', ')}.`);
  const clientSecret = await practiceClientSecret(store);
  const practice = createPracticeProvider({
    issuer: config.provider.issuer,
    store,
    clients: [{ clientId: config.provider.clientId, clientSecret, redirectUris: [config.redirectUri] }],
  });
  const tokens = await mintPracticeTokens(practice, { clientId: config.provider.clientId, subject, scopes });
  // Nothing here talks to the provider over HTTP: the demo need not be running.
  const { connectionId } = await (await connectorFor(config, store)).adopt({ subject, ...tokens });
  return { header: `Cookie: ${CONNECTION_COOKIE}=${connectionId}`, subject, scopes };
}

void runCommandLine(() => run(process.argv.slice(2), () => openStoreFromEnv()), [ConfigError]);
