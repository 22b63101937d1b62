import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import type { OAuthStore } from './store.js';

const PENDING_MODEL = 'PendingLogin';
const CONNECTION_MODEL = 'Connection';
const PENDING_TTL_MS = 10 * 60 * 1000;
/** An access token this close to expiry is refreshed first, so it cannot die on the way to the provider. */
const EXPIRY_MARGIN_MS = 30_000;

export interface ConnectorOptions {
  /** The other provider's issuer URL; its discovery document must name exactly this issuer. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** This app's callback URL, registered at the provider. */
  redirectUri: string;
  /** Space-separated; must include openid. */
  scope: string;
  store: OAuthStore;
  /** Plain HTTP to the provider: loopback tests and local demos only; openid-client refuses it otherwise. */
  allowInsecureHttp?: boolean;
  now?: () => number;
}

/** What the browser may know about a connection: an opaque id, never a token. */
export interface ConnectionHandle {
  connectionId: string;
  subject: string;
}

/** What this app knows about a connection, without its tokens. */
export interface Connection {
  connectionId: string;
  issuer: string;
  subject: string;
  scopes: string[];
}

/**
 * - `expired`: the sign-in was unknown, expired or already used;
 * - `refused`: the provider's answer failed a check (state, iss, nonce, aud, signature, PKCE);
 * - `not-connected`: no such connection, or the provider ended it (revoked, refresh refused);
 * - `provider`: the provider could not be reached or answered something unexpected.
 */
export type ConnectionFailure = 'expired' | 'refused' | 'not-connected' | 'provider';

export class ConnectionError extends Error {
  override name = 'ConnectionError';
  readonly failure: ConnectionFailure;
  constructor(failure: ConnectionFailure, message: string, options?: ErrorOptions) {
    super(message, options);
    this.failure = failure;
  }
}

const withoutTokens = (connectionId: string, record: Record<string, unknown>): Connection => ({
  connectionId,
  issuer: String(record.issuer),
  subject: String(record.subject),
  scopes: String(record.scope ?? '').split(' ').filter(Boolean),
});

const newId = () => randomBytes(32).toString('base64url');
/** openid-client's message, with the more specific one of its cause (e.g. which claim failed) when there is one. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : '';
  return cause && cause !== error.message ? `${error.message}: ${cause}` : error.message;
}

/**
 * Client mode: this app acts for a person at another provider. Authorization
 * code with PKCE (S256), state and nonce through openid-client; the tokens
 * stay in the store under a random connection id, which is all the browser
 * ever holds; refresh happens here; disconnecting revokes at the provider.
 */
export function createConnector(options: ConnectorOptions) {
  const { store } = options;
  const now = options.now ?? Date.now;
  let discovered: Promise<oidc.Configuration> | undefined;
  /** Concurrent refreshes of one connection share one request: a rotated refresh token must not be used twice. */
  const refreshing = new Map<string, Promise<string>>();

  /** The provider's metadata, fetched on first use (so the app starts while the provider is away) and kept. */
  function configuration(): Promise<oidc.Configuration> {
    discovered ??= oidc
      .discovery(
        new URL(options.issuer),
        options.clientId,
        undefined,
        oidc.ClientSecretBasic(options.clientSecret),
        options.allowInsecureHttp ? { execute: [oidc.allowInsecureRequests] } : undefined,
      )
      .catch((error: unknown) => {
        discovered = undefined;
        throw new ConnectionError('provider', `The provider's discovery document at ${options.issuer} was refused: ${describe(error)}`, { cause: error });
      });
    return discovered;
  }

  async function storeTokens(connectionId: string, base: Record<string, unknown>, tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers): Promise<void> {
    await store.upsert(CONNECTION_MODEL, connectionId, {
      ...base,
      accessToken: tokens.access_token,
      // Providers that rotate refresh tokens send a new one; the others keep the old one valid.
      refreshToken: tokens.refresh_token ?? base.refreshToken ?? null,
      scope: tokens.scope ?? base.scope ?? options.scope,
      expiresAt: now() + (tokens.expiresIn() ?? 0) * 1000,
    }, null);
  }

  async function loadConnection(connectionId: string): Promise<Record<string, unknown>> {
    const connection = await store.find(CONNECTION_MODEL, connectionId);
    if (!connection) throw new ConnectionError('not-connected', 'Not connected.');
    return connection;
  }

  async function refresh(connectionId: string, connection: Record<string, unknown>): Promise<string> {
    if (!connection.refreshToken) {
      await store.destroy(CONNECTION_MODEL, connectionId);
      throw new ConnectionError('not-connected', 'The access expired and the provider gave no refresh token; connect again.');
    }
    let tokens;
    try {
      tokens = await oidc.refreshTokenGrant(await configuration(), String(connection.refreshToken));
    } catch (error) {
      if (error instanceof oidc.ResponseBodyError && error.error === 'invalid_grant') {
        await store.destroy(CONNECTION_MODEL, connectionId);
        throw new ConnectionError('not-connected', 'The provider ended this connection; connect again.', { cause: error });
      }
      throw new ConnectionError('provider', `Refreshing the access token failed: ${describe(error)}`, { cause: error });
    }
    await storeTokens(connectionId, connection, tokens);
    return tokens.access_token;
  }

  const connector = {
    configuration,

    /** Begins a sign-in: the secrets stay here under a one-time login id (set it as a cookie); send the browser to `url`. */
    async start(): Promise<{ loginId: string; url: URL }> {
      const config = await configuration();
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const loginId = newId();
      await store.upsert(PENDING_MODEL, loginId, { codeVerifier, state, nonce }, now() + PENDING_TTL_MS);
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: options.redirectUri,
        scope: options.scope,
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      return { loginId, url };
    },

    /**
     * Completes a sign-in from the URL the browser came back on. openid-client
     * checks `state` and `iss` before any token request, then the ID token's
     * issuer, audience and nonce. A login id works once.
     */
    async finish(loginId: string, callbackUrl: URL): Promise<ConnectionHandle> {
      const pending = await store.find(PENDING_MODEL, loginId);
      await store.destroy(PENDING_MODEL, loginId);
      if (!pending) throw new ConnectionError('expired', 'This sign-in expired or was already used; start again.');
      const config = await configuration();
      let tokens;
      try {
        tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: String(pending.codeVerifier),
          expectedState: String(pending.state),
          expectedNonce: String(pending.nonce),
          idTokenExpected: true,
        });
      } catch (error) {
        throw new ConnectionError('refused', `The provider's answer was refused: ${describe(error)}`, { cause: error });
      }
      const claims = tokens.claims();
      if (!claims) throw new ConnectionError('refused', 'The provider returned no ID token.');
      const connectionId = newId();
      await storeTokens(connectionId, { issuer: claims.iss, subject: claims.sub }, tokens);
      return { connectionId, subject: claims.sub };
    },

    /**
     * Keeps tokens this app obtained some other way (an earlier system, a
     * migration, the demo's `auth:credential`) as a connection, like finish().
     */
    async adopt(input: { subject: string; accessToken: string; refreshToken: string | null; scope: string; expiresIn: number }): Promise<ConnectionHandle> {
      const connectionId = newId();
      await store.upsert(CONNECTION_MODEL, connectionId, {
        issuer: options.issuer,
        subject: input.subject,
        accessToken: input.accessToken,
        refreshToken: input.refreshToken,
        scope: input.scope,
        expiresAt: now() + input.expiresIn * 1000,
      }, null);
      return { connectionId, subject: input.subject };
    },

    /** The connection without its tokens, or null. */
    async find(connectionId: string): Promise<Connection | null> {
      const connection = await store.find(CONNECTION_MODEL, connectionId);
      return connection ? withoutTokens(connectionId, connection) : null;
    },

    /** Every connection, without tokens (administration only: not on a request path). */
    async list(): Promise<Connection[]> {
      return (await store.list(CONNECTION_MODEL)).map((record) => withoutTokens(record.id, record.payload));
    },

    /** A usable access token for the connection, refreshed here when it is about to expire. Never hand it to a browser. */
    async accessToken(connectionId: string): Promise<string> {
      const connection = await loadConnection(connectionId);
      if (Number(connection.expiresAt) - EXPIRY_MARGIN_MS > now()) return String(connection.accessToken);
      let pending = refreshing.get(connectionId);
      if (!pending) {
        pending = refresh(connectionId, connection).finally(() => refreshing.delete(connectionId));
        refreshing.set(connectionId, pending);
      }
      return pending;
    },

    /** Calls the provider's userinfo endpoint as the person; the answer must name the same subject. */
    async userInfo(connectionId: string): Promise<Record<string, unknown>> {
      const connection = await loadConnection(connectionId);
      const token = await connector.accessToken(connectionId);
      try {
        return { ...(await oidc.fetchUserInfo(await configuration(), token, String(connection.subject))) };
      } catch (error) {
        if (error instanceof oidc.WWWAuthenticateChallengeError) {
          // The provider no longer accepts the token: the person revoked the access there.
          await store.destroy(CONNECTION_MODEL, connectionId);
          throw new ConnectionError('not-connected', 'The provider ended this connection; connect again.', { cause: error });
        }
        throw new ConnectionError('provider', `The provider's userinfo call failed: ${describe(error)}`, { cause: error });
      }
    },

    /** Calls one of the provider's APIs as the person (e.g. their calendar); the token goes in the Authorization header. */
    async fetchAs(connectionId: string, url: URL, init: { method?: string; body?: string; headers?: Headers } = {}): Promise<Response> {
      const token = await connector.accessToken(connectionId);
      return oidc.fetchProtectedResource(await configuration(), token, url, init.method ?? 'GET', init.body, init.headers);
    },

    /**
     * Revokes the tokens at the provider (refresh token first: it ends the
     * grant) and forgets them here. The local copy goes even when the provider
     * cannot be reached, so the error then says to revoke over there.
     */
    async disconnect(connectionId: string): Promise<void> {
      const connection = await store.find(CONNECTION_MODEL, connectionId);
      if (!connection) return;
      try {
        const config = await configuration();
        if (connection.refreshToken) await oidc.tokenRevocation(config, String(connection.refreshToken), { token_type_hint: 'refresh_token' });
        await oidc.tokenRevocation(config, String(connection.accessToken), { token_type_hint: 'access_token' });
      } catch (error) {
        throw new ConnectionError('provider', `Disconnected here, but the provider did not confirm the revocation (${describe(error)}); revoke the access in your account there.`, { cause: error });
      } finally {
        await store.destroy(CONNECTION_MODEL, connectionId);
      }
    },
  };
  return connector;
}

export type Connector = ReturnType<typeof createConnector>;
