import type Provider from 'oidc-provider';
import { createAuthorizationServer, type AuthorizationServer } from './authorization-server.js';
import { API_SCOPES, type OAuthConfig } from './config.js';
import { registerClient } from './registry.js';
import { createIntrospectionResourceServer, createJwtResourceServer, type ResourceServer } from './resource-server.js';
import type { OAuthStore } from './store.js';

/** Where the demo keeps the ids of the clients it registers for itself. */
const DEMO_MODEL = 'DemoSetup';

/**
 * The authorization server and this API's token check, wired together the
 * way the demo and the tests run them: both against one store.
 */
export async function openPlatform(config: OAuthConfig, store: OAuthStore): Promise<{ authorizationServer: AuthorizationServer; resourceServer: ResourceServer }> {
  const authorizationServer = await createAuthorizationServer({
    issuer: config.issuer,
    audience: config.audience,
    scopes: API_SCOPES,
    accessTokenFormat: config.accessTokenFormat,
    cookieKeys: config.cookieKeys,
    store,
  });
  let resourceServer: ResourceServer;
  if (config.accessTokenFormat === 'jwt') {
    resourceServer = createJwtResourceServer({ issuer: config.issuer, audience: config.audience });
  } else {
    const credentials = await demoResourceServerClient(authorizationServer.provider, store);
    resourceServer = createIntrospectionResourceServer({ issuer: config.issuer, audience: config.audience, ...credentials });
  }
  return { authorizationServer, resourceServer };
}

/** The resource-server client the demo API introspects with, registered on first use. */
async function demoResourceServerClient(provider: Provider, store: OAuthStore): Promise<{ clientId: string; clientSecret: string }> {
  const existing = await store.find(DEMO_MODEL, 'resource-server');
  if (existing && (await store.find('Client', String(existing.clientId)))) {
    return { clientId: String(existing.clientId), clientSecret: String(existing.clientSecret) };
  }
  const { client, clientSecret } = await registerClient(provider, store, { name: 'Demo API', redirectUris: [], scopes: [], resourceServer: true });
  await store.upsert(DEMO_MODEL, 'resource-server', { clientId: client.clientId, clientSecret }, null);
  return { clientId: client.clientId, clientSecret: clientSecret! };
}

/**
 * Issues an access token for `subject` without a browser, as if that person
 * had approved the demo's own client for `scopes`: a real grant and a real
 * token from oidc-provider, signed with the server's key (or stored, for
 * opaque tokens). For the demo and CI only: it skips login and consent.
 */
export async function mintDemoAccessToken(
  provider: Provider,
  store: OAuthStore,
  input: { subject: string; scopes: string[]; audience: string; accessTokenFormat: OAuthConfig['accessTokenFormat'] },
): Promise<string> {
  const unknown = input.scopes.filter((scope) => !(API_SCOPES as readonly string[]).includes(scope));
  if (unknown.length > 0) throw new Error(`Unknown scope: ${unknown.join(', ')}. This API knows ${API_SCOPES.join(', ')}.`);
  let setup = await store.find(DEMO_MODEL, 'client');
  if (!setup || !(await store.find('Client', String(setup.clientId)))) {
    const { client } = await registerClient(provider, store, {
      name: 'Demo command line',
      redirectUris: ['http://127.0.0.1/demo-callback'],
      scopes: [...API_SCOPES],
    });
    setup = { clientId: client.clientId };
    await store.upsert(DEMO_MODEL, 'client', setup, null);
  }
  const client = await provider.Client.find(String(setup.clientId));
  if (!client) throw new Error('The demo client could not be loaded.');
  const scope = input.scopes.join(' ');
  const grant = new provider.Grant({ accountId: input.subject, clientId: client.clientId });
  if (scope) grant.addResourceScope(input.audience, scope);
  const grantId = await grant.save();
  const token = new provider.AccessToken({ accountId: input.subject, client, grantId, gty: 'authorization_code', scope });
  token.resourceServer = new provider.ResourceServer(input.audience, {
    audience: input.audience,
    scope: [...API_SCOPES].join(' '),
    accessTokenTTL: 600,
    accessTokenFormat: input.accessTokenFormat,
    ...(input.accessTokenFormat === 'jwt' ? { jwt: { sign: { alg: 'ES256' } } } : {}),
  });
  return token.save();
}
