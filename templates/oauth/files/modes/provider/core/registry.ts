import { randomBytes } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { OAuthStore } from './store.js';

const CLIENT_MODEL = 'Client';
const GRANT_MODEL = 'Grant';

export interface ClientRegistration {
  name: string;
  /** Exact redirect URIs; the authorization server compares them character for character. */
  redirectUris: string[];
  /** Scopes this client may ask for (a subset of the API's scopes, plus openid / offline_access). */
  scopes: string[];
  /** A public client (a native or single-page app) has no secret; PKCE is still required. */
  publicClient?: boolean;
  /** A resource server's client: no flows, may introspect tokens. */
  resourceServer?: boolean;
}

export interface RegisteredClient {
  clientId: string;
  name: string;
  redirectUris: string[];
  scopes: string[];
  type: 'confidential' | 'public' | 'resource-server';
}

export class RegistrationError extends Error {
  override name = 'RegistrationError';
}

function checkRedirectUri(value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RegistrationError(`"${value}" is not an absolute URL.`);
  }
  if (url.hash) throw new RegistrationError(`A redirect URI has no fragment: "${value}".`);
  const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
  if (url.protocol === 'http:' && !loopback) throw new RegistrationError(`A redirect URI uses https (http only on loopback): "${value}".`);
}

/**
 * Registers a third-party client and returns its secret, which is shown once.
 * NOTE: oidc-provider compares client secrets as stored, so the store holds
 * them as issued: protect it, or move clients to private_key_jwt.
 */
export async function registerClient(provider: Provider, store: OAuthStore, registration: ClientRegistration): Promise<{ client: RegisteredClient; clientSecret: string | null }> {
  if (!registration.name.trim()) throw new RegistrationError('A client needs a name.');
  const resourceServer = Boolean(registration.resourceServer);
  if (!resourceServer && registration.redirectUris.length === 0) throw new RegistrationError('A client needs at least one redirect URI.');
  registration.redirectUris.forEach(checkRedirectUri);
  const clientId = `client_${randomBytes(12).toString('base64url')}`;
  const clientSecret = registration.publicClient ? null : randomBytes(32).toString('base64url');
  const metadata: Record<string, unknown> = {
    client_id: clientId,
    client_name: registration.name.trim(),
    redirect_uris: resourceServer ? [] : registration.redirectUris,
    grant_types: resourceServer ? [] : ['authorization_code', 'refresh_token'],
    response_types: resourceServer ? [] : ['code'],
    ...(registration.scopes.length > 0 ? { scope: registration.scopes.join(' ') } : {}),
    token_endpoint_auth_method: clientSecret === null ? 'none' : 'client_secret_basic',
    ...(clientSecret === null ? {} : { client_secret: clientSecret }),
    ...(resourceServer ? { resource_server: true } : {}),
  };
  try {
    await provider.Client.validate(metadata as never);
  } catch (error) {
    const detail = error as { error_description?: string; message?: string };
    throw new RegistrationError(`The client metadata is invalid: ${detail.error_description ?? detail.message}`);
  }
  await store.upsert(CLIENT_MODEL, clientId, metadata, null);
  return { client: describeClient(metadata), clientSecret };
}

function describeClient(metadata: Record<string, unknown>): RegisteredClient {
  return {
    clientId: String(metadata.client_id),
    name: String(metadata.client_name ?? ''),
    redirectUris: (metadata.redirect_uris as string[] | undefined) ?? [],
    scopes: String(metadata.scope ?? '').split(' ').filter(Boolean),
    type: metadata.resource_server ? 'resource-server' : metadata.token_endpoint_auth_method === 'none' ? 'public' : 'confidential',
  };
}

export async function listClients(store: OAuthStore): Promise<RegisteredClient[]> {
  return (await store.list(CLIENT_MODEL)).map((record) => describeClient(record.payload));
}

/** Removes a client and every grant (with its tokens) it holds. Returns false when unknown. */
export async function removeClient(store: OAuthStore, clientId: string): Promise<boolean> {
  if (!(await store.find(CLIENT_MODEL, clientId))) return false;
  for (const grant of await listGrants(store)) if (grant.clientId === clientId) await revokeGrant(store, grant.grantId);
  await store.destroy(CLIENT_MODEL, clientId);
  return true;
}

export interface GrantSummary {
  grantId: string;
  subject: string;
  clientId: string;
  scopes: string[];
  expiresAt: string | null;
}

/** What each person has allowed each client, optionally for one subject. */
export async function listGrants(store: OAuthStore, subject?: string): Promise<GrantSummary[]> {
  return (await store.list(GRANT_MODEL))
    .map(({ id, payload }) => {
      const resources = (payload.resources ?? {}) as Record<string, string>;
      const scopes = new Set([...String(payload.openid && (payload.openid as { scope?: string }).scope || '').split(' '), ...Object.values(resources).flatMap((s) => s.split(' '))]);
      scopes.delete('');
      return {
        grantId: id,
        subject: String(payload.accountId),
        clientId: String(payload.clientId),
        scopes: [...scopes],
        expiresAt: typeof payload.exp === 'number' ? new Date(payload.exp * 1000).toISOString() : null,
      };
    })
    .filter((grant) => subject === undefined || grant.subject === subject);
}

/** Ends a grant: its refresh tokens, opaque access tokens and codes stop working at once. */
export async function revokeGrant(store: OAuthStore, grantId: string): Promise<boolean> {
  const existed = (await store.find(GRANT_MODEL, grantId)) !== undefined;
  await store.revokeByGrantId(grantId);
  await store.destroy(GRANT_MODEL, grantId);
  return existed;
}
