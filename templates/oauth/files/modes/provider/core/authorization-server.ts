import type { IncomingMessage, ServerResponse } from 'node:http';
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { findAccount } from './accounts.js';
import { storeAdapter } from './adapter.js';
import type { AccessTokenFormat } from './config.js';
import { interactionRoutes } from './interactions.js';
import { loadSigningKeys } from './signing-keys.js';
import type { OAuthStore } from './store.js';

export interface AuthorizationServerOptions {
  issuer: string;
  /** Resource indicator of the API whose access tokens this server issues. */
  audience: string;
  /** Scopes of that API. */
  scopes: readonly string[];
  accessTokenFormat: AccessTokenFormat;
  cookieKeys: string[];
  store: OAuthStore;
  /** Access-token lifetime in seconds. */
  accessTokenTtl?: number;
  /** Absolute lifetime of a refresh-token family, in seconds. */
  refreshTokenTtl?: number;
  /** Set when a TLS-terminating proxy sits in front (trusts X-Forwarded-*). */
  behindProxy?: boolean;
}

export interface AuthorizationServer {
  provider: Provider;
  /** Path the issuer lives under (e.g. `/oauth`); requests below it belong to this server. */
  mountPath: string;
  /** Node request listener for requests under `mountPath` (any other path answers 404). */
  handle(req: IncomingMessage, res: ServerResponse): void;
}

/**
 * The authorization server: oidc-provider, set up so every client must use
 * the authorization code flow with PKCE S256, redirect URIs match exactly, the
 * built-in development login pages are off (ours live in interactions.ts),
 * refresh tokens rotate on every use, and revocation and introspection are on.
 */
export async function createAuthorizationServer(options: AuthorizationServerOptions): Promise<AuthorizationServer> {
  const { store, audience } = options;
  const mountPath = new URL(options.issuer).pathname.replace(/\/+$/, '');
  const jwks = await loadSigningKeys(store);
  const scope = options.scopes.join(' ');

  const configuration: Configuration = {
    adapter: storeAdapter(store),
    jwks,
    // The implicit and hybrid flows are not offered at all (RFC 9700 §2.1.2); the password grant is never registered.
    responseTypes: ['code'],
    scopes: ['openid', 'offline_access', ...options.scopes],
    claims: { openid: ['sub'] },
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      id_token_signed_response_alg: 'ES256',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    enabledJWA: { idTokenSigningAlgValues: ['ES256'] },
    pkce: { required: () => true },
    cookies: { keys: options.cookieKeys },
    extraClientMetadata: {
      // Marks a resource server's client: the only kind allowed to introspect others' tokens.
      properties: ['resource_server'],
      validator(_ctx, key, value) {
        if (key === 'resource_server' && value !== undefined && typeof value !== 'boolean') {
          throw new errors.InvalidClientMetadata('resource_server must be a boolean');
        }
      },
    },
    findAccount: async (_ctx, sub) => {
      const account = await findAccount(store, sub);
      if (!account) return undefined;
      return { accountId: account.subject, claims: async () => ({ sub: account.subject }) };
    },
    interactions: {
      url: (_ctx, interaction) => `${mountPath}/interaction/${interaction.uid}`,
    },
    features: {
      devInteractions: { enabled: false },
      revocation: {
        enabled: true,
        // A client may revoke only its own tokens.
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) =>
          (client as unknown as { resource_server?: boolean }).resource_server === true || token.clientId === client.clientId,
      },
      resourceIndicators: {
        enabled: true,
        // Requests that name no resource get tokens for this API.
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resourceIndicator) => {
          if (resourceIndicator !== audience) throw new errors.InvalidTarget();
          return {
            scope,
            audience,
            accessTokenTTL: options.accessTokenTtl ?? 600,
            accessTokenFormat: options.accessTokenFormat,
            ...(options.accessTokenFormat === 'jwt' ? { jwt: { sign: { alg: 'ES256' } } } : {}),
          };
        },
      },
      // Off: a client should not learn more than its tokens say.
      userinfo: { enabled: false },
      rpInitiatedLogout: { enabled: false },
    },
    // Every client that may refresh gets a refresh token, and each use replaces it;
    // reusing a replaced one revokes the whole grant (oidc-provider's reuse detection).
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: () => true,
    ttl: {
      AccessToken: options.accessTokenTtl ?? 600,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 600,
      Session: 8 * 60 * 60,
      Grant: options.refreshTokenTtl ?? 30 * 24 * 60 * 60,
      RefreshToken: (ctx: KoaContextWithOIDC) => {
        // A rotated token inherits what is left of its family's life: the lifetime is absolute.
        const rotated = ctx?.oidc?.entities.RotatedRefreshToken;
        return rotated ? Math.max(1, rotated.remainingTTL) : options.refreshTokenTtl ?? 30 * 24 * 60 * 60;
      },
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = errorPage(String(out.error), String(out.error_description ?? ''));
    },
  };

  const provider = new Provider(options.issuer, configuration);
  if (options.behindProxy) provider.proxy = true;
  provider.use(interactionRoutes({ provider, store, mountPath }));

  const callback = provider.callback();
  return {
    provider,
    mountPath,
    handle(req, res) {
      // oidc-provider routes are relative to the issuer's path: strip the mount point, as Express's app.use would.
      const url = req.url ?? '/';
      if (mountPath !== '') {
        if (url !== mountPath && !url.startsWith(`${mountPath}/`) && !url.startsWith(`${mountPath}?`)) {
          res.statusCode = 404;
          res.end();
          return;
        }
        // oidc-provider builds its endpoint URLs from originalUrl minus url, as under Express.
        (req as IncomingMessage & { originalUrl?: string }).originalUrl = url;
        req.url = url.slice(mountPath.length) || '/';
      }
      callback(req, res);
    },
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** Errors are shown to the person, never redirected to an unverified redirect_uri. */
function errorPage(error: string, description: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Authorization error</title></head><body><h1>Authorization error</h1><p><code>${escapeHtml(error)}</code></p><p>${escapeHtml(description)}</p></body></html>`;
}
