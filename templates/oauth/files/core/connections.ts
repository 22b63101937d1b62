import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import type { OAuthStore } from './store.js';

const PENDING_MODEL = 'PendingLogin';
const CONNECTION_MODEL = 'Connection';
const PENDING_TTL_MS = 10 * 60 * 1000;

export interface ConnectorOptions {
  /** The other provider's issuer URL; its discovery document must name exactly this issuer. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** This app's callback URL, registered at the provider. */
  redirectUri: string;
  scope: string;
  store: OAuthStore;
  /** Plain HTTP to the provider: loopback tests and local demos only; openid-client refuses it otherwise. */
  allowInsecureHttp?: boolean;
}

/** What the browser may know about a connection: an opaque id, never a token. */
export interface ConnectionHandle {
  connectionId: string;
  subject: string;
}

export class ConnectionError extends Error {
  override name = 'ConnectionError';
}

const newId = () => randomBytes(32).toString('base64url');

/**
 * Client mode: this app acts for a person at another provider. Authorization
 * code with PKCE, state and nonce (openid-client); the tokens stay in the
 * store, keyed by a random connection id the browser holds in an HttpOnly
 * cookie; refresh happens here; disconnecting revokes at the provider.
 */
export async function createConnector(options: ConnectorOptions) {
  const config = await oidc.discovery(new URL(options.issuer), options.clientId, options.clientSecret, undefined, options.allowInsecureHttp ? { execute: [oidc.allowInsecureRequests] } : undefined);
  const { store } = options;

  return {
    config,

    /** Begins a sign-in: remember the secrets server-side under a one-time login id (set it as a cookie) and send the browser to `url`. */
    async start(): Promise<{ loginId: string; url: URL }> {
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const loginId = newId();
      await store.upsert(PENDING_MODEL, loginId, { codeVerifier, state, nonce }, Date.now() + PENDING_TTL_MS);
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
     * issuer, audience and nonce. The login id works once.
     */
    async finish(loginId: string, callbackUrl: URL): Promise<ConnectionHandle> {
      const pending = await store.find(PENDING_MODEL, loginId);
      await store.destroy(PENDING_MODEL, loginId);
      if (!pending) throw new ConnectionError('This sign-in expired or was already used; start again.');
      let tokens;
      try {
        tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: String(pending.codeVerifier),
          expectedState: String(pending.state),
          expectedNonce: String(pending.nonce),
          idTokenExpected: true,
        });
      } catch (error) {
        throw new ConnectionError(`The provider's answer was refused: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      const claims = tokens.claims();
      if (!claims) throw new ConnectionError('The provider returned no ID token.');
      const connectionId = newId();
      await store.upsert(CONNECTION_MODEL, connectionId, {
        issuer: claims.iss,
        subject: claims.sub,
        accessToken: tokens.access_token,
        refreshToken: tokens.refresh_token ?? null,
        scope: tokens.scope ?? options.scope,
        expiresAt: Date.now() + (tokens.expiresIn() ?? 0) * 1000,
      }, null);
      return { connectionId, subject: claims.sub };
    },

    /** A usable access token for the connection, refreshed (and the refresh token rotated) when it is about to expire. */
    async accessToken(connectionId: string): Promise<string> {
      const connection = await store.find(CONNECTION_MODEL, connectionId);
      if (!connection) throw new ConnectionError('Not connected.');
      if (Number(connection.expiresAt) - 30_000 > Date.now()) return String(connection.accessToken);
      if (!connection.refreshToken) throw new ConnectionError('The access expired; connect again.');
      const tokens = await oidc.refreshTokenGrant(config, String(connection.refreshToken));
      await store.upsert(CONNECTION_MODEL, connectionId, {
        ...connection,
        accessToken: tokens.access_token,
        refreshToken: tokens.refresh_token ?? connection.refreshToken,
        expiresAt: Date.now() + (tokens.expiresIn() ?? 0) * 1000,
      }, null);
      return tokens.access_token;
    },

    /** Revokes the tokens at the provider (refresh token first: it ends the grant) and forgets them here. */
    async disconnect(connectionId: string): Promise<void> {
      const connection = await store.find(CONNECTION_MODEL, connectionId);
      if (!connection) return;
      if (connection.refreshToken) await oidc.tokenRevocation(config, String(connection.refreshToken), { token_type_hint: 'refresh_token' });
      await oidc.tokenRevocation(config, String(connection.accessToken), { token_type_hint: 'access_token' });
      await store.destroy(CONNECTION_MODEL, connectionId);
    },
  };
}

export type Connector = Awaited<ReturnType<typeof createConnector>>;
