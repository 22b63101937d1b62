import { randomBytes } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { AuthStore, JsonObject } from '../../../kernel/store.js';
import { destroyGrant, modelKind } from './adapter.js';
import { listGrants } from './grants.js';
import type { ProviderVariant } from './settings.js';

const CLIENT_KIND = modelKind('Client');
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** What a client does: the flow it uses, or (`introspection`) none, checking others' tokens instead. */
export const CLIENT_TYPES = ['web', 'device', 'service', 'introspection'] as const;
export type ClientType = (typeof CLIENT_TYPES)[number];

/** The variant a client type needs the server to serve. */
const VARIANT_OF: Record<ClientType, ProviderVariant | null> = {
  web: 'authorization-code',
  device: 'device-code',
  service: 'client-credentials',
  introspection: null,
};

export interface ClientRegistration {
  name: string;
  type: ClientType;
  /** Exact redirect URIs (web clients); compared character for character. */
  redirectUris?: string[];
  /** Scopes this client may ask for: some of the API's, plus openid and offline_access. */
  scopes: string[];
  /** No secret (a native app, a single-page app, a command-line tool); PKCE still required. */
  publicClient?: boolean;
  /** Your own app: people are not asked to consent to it. */
  firstParty?: boolean;
  /** A chosen id instead of a random one (the demo's own clients). */
  clientId?: string;
}

export interface RegisteredClient {
  clientId: string;
  name: string;
  type: ClientType;
  redirectUris: string[];
  scopes: string[];
  publicClient: boolean;
  firstParty: boolean;
}

export class RegistrationError extends Error {
  override name = 'RegistrationError';
}

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** A redirect URI is https, or http on loopback, or a private-use scheme (`com.example.app:/cb`) of a native app. */
function redirectKind(value: string): 'web' | 'native' {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RegistrationError(`"${value}" is not an absolute URL.`);
  }
  if (url.hash) throw new RegistrationError(`A redirect URI has no fragment: "${value}".`);
  if (url.protocol === 'https:') return 'web';
  if (url.protocol === 'http:') {
    if (!LOOPBACK.has(url.hostname)) throw new RegistrationError(`A redirect URI uses https (http only on 127.0.0.1 or [::1]): "${value}".`);
    return 'native';
  }
  // RFC 8252 §7.1: private-use schemes are reverse domain names.
  if (/^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/.test(url.protocol)) return 'native';
  throw new RegistrationError(`"${value}" is neither https, loopback http, nor a private-use scheme such as com.example.app:/callback.`);
}

function describe(metadata: Record<string, unknown>): RegisteredClient {
  return {
    clientId: String(metadata.client_id),
    name: String(metadata.client_name ?? ''),
    type: (metadata.client_type as ClientType | undefined) ?? 'web',
    redirectUris: (metadata.redirect_uris as string[] | undefined) ?? [],
    scopes: String(metadata.scope ?? '').split(' ').filter(Boolean),
    publicClient: metadata.token_endpoint_auth_method === 'none',
    firstParty: metadata.first_party === true,
  };
}

/**
 * The clients of this authorization server. A client's secret is shown once,
 * at registration.
 * NOTE: oidc-provider compares client secrets as stored, so the store holds
 * them as issued: protect it, or move clients to private_key_jwt.
 */
export class ClientRegistry {
  constructor(
    private readonly provider: Provider,
    private readonly store: AuthStore,
    private readonly served: readonly ProviderVariant[],
    private readonly apiScopes: readonly string[],
  ) {}

  async register(registration: ClientRegistration): Promise<{ client: RegisteredClient; clientSecret: string | null }> {
    const name = registration.name.trim();
    if (name === '' || name.length > 100) throw new RegistrationError('A client needs a name of 1 to 100 characters.');
    const { type } = registration;
    const variant = VARIANT_OF[type];
    if (variant !== null && !this.served.includes(variant)) {
      throw new RegistrationError(`This authorization server does not serve ${variant} (it serves ${this.served.join(', ')}); scaffold it with --variant ${variant} first.`);
    }
    const publicClient = registration.publicClient === true;
    if (publicClient && (type === 'service' || type === 'introspection')) throw new RegistrationError(`A ${type} client authenticates with a secret; it cannot be public.`);
    const redirectUris = registration.redirectUris ?? [];
    if (type === 'web' && redirectUris.length === 0) throw new RegistrationError('A web client needs at least one --redirect-uri.');
    if (type !== 'web' && redirectUris.length > 0) throw new RegistrationError(`A ${type} client has no redirect URIs.`);
    const kinds = redirectUris.map(redirectKind);
    if (type !== 'introspection' && registration.scopes.length === 0) {
      throw new RegistrationError(`A ${type} client needs at least one --scope: the scopes it may ask for (${this.apiScopes.join(', ')}).`);
    }
    const allowed = new Set(['openid', 'offline_access', ...this.apiScopes]);
    const unknown = registration.scopes.filter((scope) => !allowed.has(scope));
    if (unknown.length > 0) throw new RegistrationError(`Unknown scope ${unknown.join(', ')}; this API knows ${this.apiScopes.join(', ')} (and openid, offline_access).`);

    const clientId = registration.clientId ?? `client_${randomBytes(12).toString('base64url')}`;
    if (await this.store.find(CLIENT_KIND, clientId)) throw new RegistrationError(`A client ${clientId} exists already.`);
    const clientSecret = publicClient ? null : randomBytes(32).toString('base64url');
    const grantTypes: Record<ClientType, string[]> = {
      web: ['authorization_code', 'refresh_token'],
      device: [DEVICE_CODE_GRANT, 'refresh_token'],
      service: ['client_credentials'],
      introspection: [],
    };
    const metadata: Record<string, unknown> = {
      client_id: clientId,
      client_name: name,
      client_type: type,
      application_type: kinds.includes('native') || (publicClient && type === 'device') ? 'native' : 'web',
      redirect_uris: redirectUris,
      grant_types: grantTypes[type],
      response_types: type === 'web' ? ['code'] : [],
      ...(registration.scopes.length > 0 ? { scope: [...new Set(registration.scopes)].join(' ') } : {}),
      token_endpoint_auth_method: publicClient ? 'none' : 'client_secret_basic',
      ...(clientSecret === null ? {} : { client_secret: clientSecret }),
      first_party: registration.firstParty === true,
      introspection: type === 'introspection',
    };
    try {
      await this.provider.Client.validate(metadata as never);
    } catch (error) {
      const detail = error as { error_description?: string; message?: string };
      throw new RegistrationError(`The client metadata is invalid: ${detail.error_description ?? detail.message}`);
    }
    await this.store.upsert(CLIENT_KIND, clientId, metadata as JsonObject);
    return { client: describe(metadata), clientSecret };
  }

  async find(clientId: string): Promise<RegisteredClient | null> {
    const record = await this.store.find(CLIENT_KIND, clientId);
    return record ? describe(record.value) : null;
  }

  async list(): Promise<RegisteredClient[]> {
    return (await this.store.list(CLIENT_KIND)).map((record) => describe(record.value)).sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * Removes a client and every grant it holds (their codes and tokens end with them); a service's
   * tokens hang off no grant and end because their client is gone (token-status.ts). False when unknown.
   */
  async remove(clientId: string): Promise<boolean> {
    if (!(await this.store.find(CLIENT_KIND, clientId))) return false;
    for (const grant of await listGrants(this.store)) if (grant.clientId === clientId) await destroyGrant(this.store, grant.grantId);
    for (const record of await this.store.list(modelKind('ClientCredentials'))) if (record.value.clientId === clientId) await this.store.destroy(record.kind, record.id);
    return this.store.destroy(CLIENT_KIND, clientId);
  }
}
