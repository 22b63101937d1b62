import { parseArgs } from 'node:util';
import { setAccountPassword } from './core/accounts.js';
import { createAuthorizationServer } from './core/authorization-server.js';
import { API_SCOPES, ConfigError, loadConfig } from './core/config.js';
import { mintDemoAccessToken } from './core/platform.js';
import { listClients, listGrants, registerClient, RegistrationError, removeClient, revokeGrant } from './core/registry.js';
import type { OAuthStore } from './core/store.js';
import { checkedScopes, checkedSubject, printerFor, runCommandLine, showedUsage, UsageError } from './core/command-line.js';
import { openStoreFromEnv } from './stores/index.js';

const USAGE = `Usage: cli <command> [options]

  credential --subject <id> [--scope <scope>]... [--json]
      Print an Authorization header with a demo access token (skips login and consent).
  users add <username>
      Create or reset a person who can sign in; the password is read from stdin.
  clients add --name <name> --redirect-uri <url>... [--scope <scope>]... [--public] [--json]
      Register a third-party client; its secret is printed once.
  clients add --name <name> --resource-server [--json]
      Register an API that introspects opaque access tokens.
  clients list [--json]            clients remove <client-id>
  grants list [--subject <id>] [--json]
  grants revoke <grant-id>         ends a grant and every token issued under it

Scopes of this API: ${API_SCOPES.join(', ')} (plus openid, offline_access).`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function run(argv: string[], store: () => Promise<OAuthStore>): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      subject: { type: 'string' },
      scope: { type: 'string', multiple: true },
      name: { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      public: { type: 'boolean' },
      'resource-server': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, sub, argument] = positionals;
  if (showedUsage(USAGE, values.help, command)) return;
  const scopes = checkedScopes(values.scope);
  const print = printerFor(values.json);

  const config = loadConfig();
  const oauthStore = await store();
  try {
    const server = () => createAuthorizationServer({
      issuer: config.issuer,
      audience: config.audience,
      scopes: API_SCOPES,
      accessTokenFormat: config.accessTokenFormat,
      cookieKeys: config.cookieKeys,
      store: oauthStore,
    });
    if (command === 'credential') {
      const subject = checkedSubject(values.subject);
      const { provider } = await server();
      const unknown = scopes.filter((scope) => !(API_SCOPES as readonly string[]).includes(scope));
      if (unknown.length > 0) throw new UsageError(`Unknown scope ${unknown.join(', ')}; this API knows ${API_SCOPES.join(', ')}.`);
      const token = await mintDemoAccessToken(provider, oauthStore, { subject, scopes, audience: config.audience, accessTokenFormat: config.accessTokenFormat });
      print({ header: `Authorization: Bearer ${token}`, subject, scopes }, `Authorization: Bearer ${token}`);
    } else if (command === 'users' && sub === 'add') {
      if (!argument) throw new UsageError('users add <username>');
      const account = await setAccountPassword(oauthStore, argument, await readStdin());
      print({ subject: account.subject }, `Saved ${account.username}.`);
    } else if (command === 'clients' && sub === 'add') {
      if (!values.name) throw new UsageError('clients add needs --name.');
      const { provider } = await server();
      const { client, clientSecret } = await registerClient(provider, oauthStore, {
        name: values.name,
        redirectUris: values['redirect-uri'] ?? [],
        scopes,
        publicClient: Boolean(values.public),
        resourceServer: Boolean(values['resource-server']),
      });
      print({ ...client, clientSecret }, `client_id:     ${client.clientId}\n${clientSecret ? `client_secret: ${clientSecret}\n(shown once: store it now)` : '(public client: no secret; PKCE is required)'}`);
    } else if (command === 'clients' && sub === 'list') {
      const clients = await listClients(oauthStore);
      print(clients, clients.map((c) => `${c.clientId}  ${c.type}  ${c.name}  ${c.redirectUris.join(' ')}`).join('\n') || '(no clients)');
    } else if (command === 'clients' && sub === 'remove') {
      if (!argument) throw new UsageError('clients remove <client-id>');
      if (!(await removeClient(oauthStore, argument))) throw new UsageError(`No client ${argument}.`);
      print({ removed: argument }, `Removed ${argument} and its grants.`);
    } else if (command === 'grants' && sub === 'list') {
      const grants = await listGrants(oauthStore, values.subject);
      print(grants, grants.map((g) => `${g.grantId}  ${g.subject}  ${g.clientId}  ${g.scopes.join(' ')}`).join('\n') || '(no grants)');
    } else if (command === 'grants' && sub === 'revoke') {
      if (!argument) throw new UsageError('grants revoke <grant-id>');
      if (!(await revokeGrant(oauthStore, argument))) throw new UsageError(`No grant ${argument}.`);
      print({ revoked: argument }, `Revoked ${argument}.`);
    } else {
      throw new UsageError(`Unknown command: ${positionals.join(' ')}\n${USAGE}`);
    }
  } finally {
    await oauthStore.close();
  }
}

void runCommandLine(() => run(process.argv.slice(2), () => openStoreFromEnv()), [ConfigError, RegistrationError]);
