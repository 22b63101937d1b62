import type { Command } from '../../../kernel/command-line.js';
import { UsageError } from '../../../kernel/command-line.js';
import type { MethodSetup } from '../../../kernel/method.js';
import { RUN_SCRIPT } from '../../../kernel/package.js';
import type { MethodPart, OAuthMethod } from '../parts.js';
import { practiceIssuerOf } from '../practice/serve.js';
import { createConnector, type Connector } from './connections.js';
import { clientRoutes, CONNECTION_COOKIE } from './routes.js';
import { readClientSettings, type ClientSettings } from './settings.js';
import { connectionStrategy } from './strategy.js';

export interface ClientPart extends MethodPart {
  readonly settings: ClientSettings;
  readonly connector: Connector;
}

/** Audience of the practice issuer's API tokens when only client mode uses it. */
const PRACTICE_AUDIENCE = 'https://api.example.test';

/**
 * OAuth client mode (not a variant of a plan: your app is the client of
 * someone else's provider): people connect their account there, and this app
 * calls the provider for them with tokens it keeps server-side.
 */
export async function clientPart(setup: MethodSetup): Promise<ClientPart> {
  const settings = readClientSettings(setup.env, setup.warnings);
  const practice =
    settings.practice === null
      ? null
      : await practiceIssuerOf(setup, settings.practice, { audience: PRACTICE_AUDIENCE, accessTokenFormat: 'jwt', accessTokenTtl: 300 });
  const provider = practice === null ? settings.provider! : { issuer: practice.issuer.issuer, ...practice.issuer.connect };
  const connector = createConnector({
    ...provider,
    appUrl: settings.appUrl,
    scope: settings.scope,
    store: setup.store,
    clock: setup.clock,
    allowInsecureHttp: new URL(provider.issuer).protocol === 'http:',
  });
  const boundaries = setup.boundaries.filter((boundary) => boundary.accepts.some((accept) => accept.method === 'oauth' && accept.variant === 'client'));
  return {
    name: 'client',
    variants: ['client'],
    settings,
    connector,
    strategies: [connectionStrategy(connector)],
    routes: boundaries.flatMap((boundary) => clientRoutes(boundary, connector, settings.appUrl)),
    mounts: practice?.mount ? [practice.mount] : [],
    async credential(request) {
      if (practice === null) {
        throw new UsageError(`A connection needs the person at ${provider.issuer}: open ${settings.appUrl}/${request.boundary.id}/connect in a browser, or run with OAUTH_PRACTICE_ISSUER=1 to practise.`);
      }
      // A real grant and token pair from the practice issuer, kept as if the person had connected in a browser.
      const tokens = await practice.issuer.mintConnection({ subject: request.subject, scopes: request.scopes });
      const { connectionId, connection } = await connector.adopt({ subject: request.subject, ...tokens });
      return { header: `Cookie: ${CONNECTION_COOKIE}=${connectionId}`, subject: request.subject, scopes: connection.scopes, csrfToken: connection.csrfToken };
    },
    howToGetCredential: (boundary) =>
      `connect in a browser at ${settings.appUrl}/${boundary.id}/connect${practice === null ? '' : ` (the practice issuer accepts any name), or ${RUN_SCRIPT} auth:credential -- --boundary ${boundary.id} --subject <person> --scope read`}`,
    ...(practice ? { close: practice.close } : {}),
  };
}

const clientOf = (method: OAuthMethod): ClientPart => method.part<ClientPart>('client');

/** `auth:connections -- list | remove <ref>`: who connected which account, and ending a connection (revoked at the provider). */
export const connectionsCommand: Command = {
  name: 'connections',
  summary: 'list connected accounts (never their tokens), or remove one: revoked at the provider, deleted here',
  usage: 'connections list [--json] | connections remove <ref> [--json]',
  options: {},
  async run({ auth, positionals, print }) {
    const { connector } = clientOf(auth.method<OAuthMethod>('oauth'));
    const [action, ref] = positionals;
    if (action === 'list') {
      const connections = (await connector.list()).map(({ csrfToken: _csrf, ...visible }) => visible);
      print(connections, connections.map((c) => `${c.ref}  ${c.subject}  ${c.issuer}  ${c.scopes.join(' ')}  since ${c.createdAt}`).join('\n') || 'No connections.');
      return;
    }
    if (action === 'remove') {
      if (ref === undefined) throw new UsageError('connections remove needs the ref of a connection (see connections list).');
      if (!(await connector.disconnectRef(ref))) throw new UsageError(`There is no connection ${ref}.`);
      print({ removed: ref }, `Revoked at the provider and removed ${ref}.`);
      return;
    }
    throw new UsageError('Use connections list, or connections remove <ref>.');
  },
};
