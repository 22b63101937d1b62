import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Provider, { type Configuration } from 'oidc-provider';
import { storeAdapter } from './core/adapter.js';
import type { OAuthStore } from './core/store.js';

/** Scopes the practice server grants besides openid and offline_access. */
export const PRACTICE_SCOPES = ['read', 'write', 'admin'] as const;

export interface PracticeClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

export interface PracticeProvider {
  provider: Provider;
  /** Path the issuer lives under; requests below it belong to this server. */
  mountPath: string;
  handle(req: IncomingMessage, res: ServerResponse): void;
}

/**
 * A stand-in for "the other provider" (their calendar, their drive): a real
 * oidc-provider for the demo and the tests, on 127.0.0.1. It is NOT the code
 * under test and NOT for production: its built-in development login page
 * accepts any name and password, and its signing key lives for one process.
 * oidc-provider is a dev dependency in client mode; only this file and the
 * tests import it.
 */
export function createPracticeProvider(input: {
  issuer: string;
  store: OAuthStore;
  clients: PracticeClient[];
  /** Access-token lifetime in seconds. */
  accessTokenTtl?: number;
}): PracticeProvider {
  const mountPath = new URL(input.issuer).pathname.replace(/\/+$/, '');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const configuration: Configuration = {
    adapter: storeAdapter(input.store),
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'practice', alg: 'RS256', use: 'sig' }] },
    clients: input.clients.map((client) => ({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      redirect_uris: client.redirectUris,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    responseTypes: ['code'],
    scopes: ['openid', 'offline_access', ...PRACTICE_SCOPES],
    claims: { openid: ['sub'] },
    pkce: { required: () => true },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    features: {
      // NOTE: on purpose, and only here: the practice server needs a login page, not a secure one.
      devInteractions: { enabled: true },
      // A client may revoke and introspect its own tokens only.
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      introspection: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      userinfo: { enabled: true },
      // Without resource indicators every granted scope sits on the one access token that userinfo accepts.
      resourceIndicators: { enabled: false },
    },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: () => true,
    ttl: { AccessToken: input.accessTokenTtl ?? 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 86_400, RefreshToken: 86_400 },
  };
  const provider = new Provider(input.issuer, configuration);
  const callback = provider.callback();
  return {
    provider,
    mountPath,
    handle(req, res) {
      // oidc-provider routes are relative to the issuer's path: strip the mount point, as Express's app.use would.
      const url = req.url ?? '/';
      if (mountPath !== '') {
        (req as IncomingMessage & { originalUrl?: string }).originalUrl = url;
        req.url = url.slice(mountPath.length) || '/';
      }
      callback(req, res);
    },
  };
}

/**
 * The demo app's client secret at the practice server, made up on first use
 * and kept in the store, so the demo and the CLI agree on it.
 */
export async function practiceClientSecret(store: OAuthStore): Promise<string> {
  await store.insertIfAbsent('PracticeSetup', 'client', { clientSecret: randomBytes(32).toString('base64url') }, null);
  const setup = await store.find('PracticeSetup', 'client');
  if (!setup) throw new Error('The practice client secret could not be stored.');
  return String(setup.clientSecret);
}

/**
 * A token pair for `subject`, as if that person had signed in at the practice
 * server and approved `clientId` for `scopes`: a real grant, access token and
 * refresh token in its store. For the demo's `auth:credential` and CI only.
 */
export async function mintPracticeTokens(
  practice: PracticeProvider,
  input: { clientId: string; subject: string; scopes: string[] },
): Promise<{ accessToken: string; refreshToken: string; scope: string; expiresIn: number }> {
  const { provider } = practice;
  const client = await provider.Client.find(input.clientId);
  if (!client) throw new Error(`The practice server has no client ${input.clientId}.`);
  const scope = ['openid', ...input.scopes].join(' ');
  const grant = new provider.Grant({ accountId: input.subject, clientId: client.clientId });
  grant.addOIDCScope(scope);
  const grantId = await grant.save();
  const common = { accountId: input.subject, client, grantId, gty: 'authorization_code', scope };
  const accessToken = new provider.AccessToken(common);
  const refreshToken = new provider.RefreshToken({ ...common, rotations: 0 });
  return { accessToken: await accessToken.save(), refreshToken: await refreshToken.save(), scope, expiresIn: accessToken.expiration };
}
