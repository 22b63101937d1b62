import { randomBytes } from 'node:crypto';
import type Provider from 'oidc-provider';
import { createAccounts, normaliseUsername, type Accounts } from '../../../kernel/accounts.js';
import type { Boundary } from '../../../kernel/boundary.js';
import { ConfigError } from '../../../kernel/config.js';
import { createDpopVerifier } from '../../../kernel/dpop.js';
import type { CredentialRequest, IssuedCredential, MethodSetup } from '../../../kernel/method.js';
import { RUN_SCRIPT } from '../../../kernel/package.js';
import type { MethodPart } from '../parts.js';
import { createAuthorizationServer, type AuthorizationServer } from './authorization-server.js';
import { ClientRegistry, type ClientType } from './clients.js';
import { isProviderVariant, readProviderSettings, type ProviderSettings, type ProviderVariant } from './settings.js';
import { loadSigningKeys, rotateSigningKeys, SIGNING_ALGORITHM } from './signing-keys.js';
import { providerStrategy } from './strategy.js';

/** The authorization server part, running: for the management commands and your own code. */
export interface AuthorizationServerPart extends MethodPart {
  readonly name: 'authorization-server';
  readonly settings: ProviderSettings;
  readonly server: AuthorizationServer;
  readonly provider: Provider;
  readonly clients: ClientRegistry;
  readonly accounts: Accounts;
  /** Makes a new signing key now (the previous one stays published); returns the key ids, newest first. */
  rotateKeys(): Promise<string[]>;
}

/** One boundary, one of the server's variants: their tokens look alike, so a boundary's variant is decided by the boundary. */
function checkBoundaries(boundaries: readonly Boundary[], settings: ProviderSettings): void {
  const mountSegment = settings.mountPath.split('/')[1];
  for (const boundary of boundaries) {
    if (boundary.id === mountSegment) {
      throw new ConfigError(`Boundary "${boundary.id}" and the authorization server (${settings.mountPath}) would share a path; set OAUTH_SERVER_ISSUER to another path.`);
    }
    const variants = boundary.accepts.filter((accept) => accept.method === 'oauth' && isProviderVariant(accept.variant)).map((accept) => accept.variant);
    if (variants.length > 1) {
      throw new ConfigError(
        `Boundary "${boundary.id}" accepts OAuth ${variants.join(' and ')}; the authorization server's tokens look alike, so each of these variants needs a boundary of its own.`,
      );
    }
  }
}

const demoClient: Record<Exclude<ProviderVariant, 'client-credentials'>, { id: string; name: string; type: ClientType; redirectUris?: string[]; publicClient?: boolean }> = {
  'authorization-code': { id: 'demo-web-app', name: 'Demo web app', type: 'web', redirectUris: ['http://127.0.0.1/demo-callback'] },
  'device-code': { id: 'demo-device', name: 'Demo device', type: 'device', publicClient: true },
};

/** OAuth's authorization server: the variants authorization-code, client-credentials and device-code. */
export async function authorizationServerPart(setup: MethodSetup): Promise<AuthorizationServerPart> {
  const settings = readProviderSettings(setup.env, setup.policy.oauth, setup.variants, setup.warnings);
  checkBoundaries(setup.boundaries, settings);
  const accounts = createAccounts(setup.store, setup.clock, setup.throttle);
  const signingKeys = await loadSigningKeys(setup.store, setup.clock, settings.lifetimes.keyRotation);
  const behindProxy = setup.settings.proxy.hops > 0;
  const kit = { requestOf: setup.requestOf, trustedOrigins: setup.settings.trustedOrigins, bodyLimit: setup.settings.bodyLimit };
  const server = createAuthorizationServer({ settings, store: setup.store, clock: setup.clock, accounts, throttle: setup.throttle, kit, signingKeys, behindProxy, log: setup.log });
  const { provider } = server;
  const clients = new ClientRegistry(provider, setup.store, settings.variants, settings.scopes);
  const dpop = createDpopVerifier(setup.store, setup.clock, setup.settings.dpopProofWindow);
  const resourceServer = () =>
    new provider.ResourceServer(settings.audience, {
      scope: settings.scopes.join(' '),
      audience: settings.audience,
      accessTokenFormat: settings.tokenFormat,
      ...(settings.tokenFormat === 'jwt' ? { jwt: { sign: { alg: SIGNING_ALGORITHM } } } : {}),
    });

  async function clientFor(id: string, registration: Parameters<ClientRegistry['register']>[0]) {
    if (!(await clients.find(id))) await clients.register({ ...registration, clientId: id });
    const client = await provider.Client.find(id);
    if (!client) throw new ConfigError(`The client ${id} could not be loaded.`);
    return client;
  }

  /**
   * A real token from the real server for a demo or a test, as if `subject`
   * had signed in and approved the demo's own client (or, for a service, as if
   * it had asked with its secret): it skips only the browser and the secret.
   */
  async function credential(request: CredentialRequest): Promise<IssuedCredential> {
    const variant = request.variant as ProviderVariant;
    if (settings.production) {
      throw new ConfigError(
        'An OAuth credential is minted for demos and tests only: it creates the account or the client it names. With NODE_ENV=production, register clients with `auth:oauth -- clients add` and let them ask the server for tokens.',
      );
    }
    const unknown = request.scopes.filter((scope) => !settings.scopes.includes(scope));
    if (unknown.length > 0) throw new ConfigError(`Unknown scope ${unknown.join(', ')}; this API's scopes are ${settings.scopes.join(', ')} (OAUTH_SERVER_SCOPES).`);
    const scope = [...request.scopes].join(' ');
    let token: string;
    if (variant === 'client-credentials') {
      const client = await clientFor(request.subject, { name: request.subject, type: 'service', scopes: [...settings.scopes] });
      const issued = new provider.ClientCredentials({ client, scope });
      issued.resourceServer = resourceServer();
      token = await issued.save();
    } else {
      const username = normaliseUsername(request.subject);
      const account =
        (await accounts.find(username)) ?? (await accounts.create({ username, password: randomBytes(24).toString('base64url'), scopes: [...request.scopes] }));
      const missing = request.scopes.filter((wanted) => !account.scopes.includes(wanted));
      if (missing.length > 0) throw new ConfigError(`${username} does not hold ${missing.join(', ')}; give it with: ${RUN_SCRIPT} auth:users -- scopes ${username} --scope …`);
      const demo = demoClient[variant];
      const client = await clientFor(demo.id, { name: demo.name, type: demo.type, scopes: [...settings.scopes], firstParty: true, redirectUris: demo.redirectUris ?? [], publicClient: demo.publicClient ?? false });
      const grant = new provider.Grant({ accountId: username, clientId: client.clientId });
      if (scope) grant.addResourceScope(settings.audience, scope);
      const grantId = await grant.save();
      await server.ledger.bindGrant({ grantId, accountId: username, exp: grant.exp });
      const issued = new provider.AccessToken({ accountId: username, client, grantId, gty: variant === 'device-code' ? 'device_code' : 'authorization_code', scope });
      issued.resourceServer = resourceServer();
      token = await issued.save();
    }
    return { header: `Authorization: Bearer ${token}`, subject: normaliseUsername(request.subject), scopes: [...request.scopes], variant, format: settings.tokenFormat };
  }

  const issuer = settings.issuer;
  const how: Record<ProviderVariant, string> = {
    'authorization-code': `an app registered with \`${RUN_SCRIPT} auth:oauth -- clients add --type web …\` sends people to ${issuer}/auth (code flow with PKCE), then asks ${issuer}/token`,
    'device-code': `a device registered with \`${RUN_SCRIPT} auth:oauth -- clients add --type device …\` asks ${issuer}/device/auth; the person types the code at ${issuer}/device; the device polls ${issuer}/token`,
    'client-credentials': `a service registered with \`${RUN_SCRIPT} auth:oauth -- clients add --type service …\` asks ${issuer}/token with grant_type=client_credentials and its secret`,
  };

  return {
    name: 'authorization-server',
    variants: settings.variants,
    settings,
    server,
    provider,
    clients,
    accounts,
    strategies: settings.variants.map((variant) => providerStrategy({ variant, provider, ledger: server.ledger, settings, clock: setup.clock, dpop, behindProxy })),
    mounts: [server.mount],
    credential,
    howToGetCredential: (_boundary, variant) => `${how[variant as ProviderVariant] ?? 'see AUTH.md'}; the token goes in "Authorization: Bearer <token>"`,
    async rotateKeys() {
      return (await rotateSigningKeys(setup.store, setup.clock, settings.lifetimes.keyRotation)).map((key) => String(key.jwk.kid));
    },
  };
}
