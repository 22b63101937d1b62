import { usersCommand } from '../../../kernel/users-command.js';
import { UsageError, type Command, type CommandInput } from '../../../kernel/command-line.js';
import type { OAuthMethod } from '../parts.js';
import { CLIENT_TYPES, RegistrationError, type ClientType, type RegisteredClient } from './clients.js';
import { findGrant, listGrants, revokeGrant } from './grants.js';
import type { AuthorizationServerPart } from './index.js';

const serverOf = (input: CommandInput) => input.auth.method<OAuthMethod>('oauth').part<AuthorizationServerPart>('authorization-server');

function positionalsOf(input: CommandInput, command: string, actions: readonly string[]): [string, string | undefined] {
  const [action, argument, ...extra] = input.positionals;
  if (extra.length > 0) throw new UsageError(`Unexpected arguments: ${extra.join(' ')}.`);
  if (action === undefined) throw new UsageError(`Name an action: ${command} ${actions.join(' | ')}.`);
  if (!actions.includes(action)) throw new UsageError(`Unknown action "${action}": use ${actions.join(', ')}.`);
  return [action, argument];
}

const clientLine = (client: RegisteredClient) =>
  `${client.clientId}  ${client.type}${client.publicClient ? ' (public)' : ''}${client.firstParty ? ' (first-party)' : ''}  ${client.name}\n    scopes: ${client.scopes.join(' ') || '(none)'}${client.redirectUris.length ? `; redirect: ${client.redirectUris.join(' ')}` : ''}`;

/** `clients add|list|remove`: the apps, devices and services that may ask for tokens, and the resource servers that check them. */
const clientsCommand: Command = {
  name: 'clients',
  summary: 'register, list and remove the clients of the authorization server',
  usage: [
    'clients add --name <name> --type web --redirect-uri <url>... --scope <scope>... [--public] [--first-party] [--json]',
    '  cli clients add --name <name> --type device --scope <scope>... [--public] [--json]',
    '  cli clients add --name <name> --type service --scope <scope>... [--json]',
    '  cli clients add --name <name> --type introspection [--json]      (a resource server that introspects tokens)',
    '  cli clients list [--json]',
    '  cli clients remove <client-id>',
  ].join('\n'),
  options: {
    name: { type: 'string' },
    type: { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    scope: { type: 'string', multiple: true },
    public: { type: 'boolean', default: false },
    'first-party': { type: 'boolean', default: false },
  },
  async run(input) {
    const [action, argument] = positionalsOf(input, 'clients', ['add', 'list', 'remove']);
    const { values, print } = input;
    const server = serverOf(input);
    try {
      if (action === 'add') {
        if (argument !== undefined) throw new UsageError(`Unexpected argument: ${argument}.`);
        if (typeof values.name !== 'string') throw new UsageError('clients add needs --name <name>.');
        const type = String(values.type ?? 'web');
        if (!(CLIENT_TYPES as readonly string[]).includes(type)) throw new UsageError(`--type must be one of ${CLIENT_TYPES.join(', ')}; got "${type}".`);
        const scopes = ((values.scope as string[] | undefined) ?? []).map(String);
        const { client, clientSecret } = await server.clients.register({
          name: values.name,
          type: type as ClientType,
          redirectUris: ((values['redirect-uri'] as string[] | undefined) ?? []).map(String),
          scopes,
          publicClient: values.public === true,
          firstParty: values['first-party'] === true,
        });
        print(
          { ...client, clientSecret },
          `${clientLine(client)}\n${clientSecret ? `client_secret: ${clientSecret}\nStore the secret now: it is shown only once.` : 'A public client: no secret; PKCE is required.'}`,
        );
      } else if (action === 'list') {
        const clients = await server.clients.list();
        print(clients, clients.length === 0 ? 'No clients yet. Register one with: clients add --name <name> --type web|device|service …' : clients.map(clientLine).join('\n'));
      } else {
        if (!argument) throw new UsageError('clients remove needs the client id (see clients list).');
        if (!(await server.clients.remove(argument))) throw new UsageError(`There is no client ${argument}.`);
        print({ removed: argument }, `Removed ${argument}; its grants and tokens no longer work.`);
      }
    } catch (error) {
      if (error instanceof RegistrationError) throw new UsageError(error.message);
      throw error;
    }
  },
};

/** `grants list|revoke`: what each person allowed each client; revoking one ends its tokens. */
const grantsCommand: Command = {
  name: 'grants',
  summary: 'list what people allowed which clients, and revoke it',
  usage: ['grants list [--subject <username>] [--json]', '  cli grants revoke <grant-id>'].join('\n'),
  options: { subject: { type: 'string' } },
  async run(input) {
    const [action, argument] = positionalsOf(input, 'grants', ['list', 'revoke']);
    const { store } = input.auth;
    serverOf(input); // the authorization server must be part of this package
    if (action === 'list') {
      if (argument !== undefined) throw new UsageError(`Unexpected argument: ${argument}.`);
      const grants = await listGrants(store, typeof input.values.subject === 'string' ? input.values.subject.toLowerCase() : undefined);
      input.print(
        grants,
        grants.length === 0 ? 'No grants.' : grants.map((grant) => `${grant.grantId}  ${grant.subject} → ${grant.clientId}  ${grant.scopes.join(' ') || '(no scopes)'}  until ${grant.expiresAt ?? '?'}`).join('\n'),
      );
      return;
    }
    if (!argument) throw new UsageError('grants revoke needs the grant id (see grants list).');
    const grant = await findGrant(store, argument);
    if (!grant || !(await revokeGrant(store, argument))) throw new UsageError(`There is no grant ${argument}.`);
    input.print({ revoked: argument, subject: grant.subject, clientId: grant.clientId }, `Revoked ${argument} (${grant.subject} → ${grant.clientId}); its tokens no longer work.`);
  },
};

/** `keys rotate`: a new signing key now, instead of at the next start after the rotation period. */
const keysCommand: Command = {
  name: 'signing-keys',
  summary: "rotate the authorization server's signing key",
  usage: 'signing-keys rotate [--json]',
  options: {},
  async run(input) {
    positionalsOf(input, 'signing-keys', ['rotate']);
    const kids = await serverOf(input).rotateKeys();
    input.print({ keys: kids }, `New signing key ${kids[0]}; published: ${kids.join(', ')}.\nRestart the server instances within one access-token lifetime so they sign with it.`);
  },
};

export const AUTHORIZATION_SERVER_COMMANDS: readonly Command[] = [clientsCommand, grantsCommand, keysCommand, usersCommand];
