import { createHash, randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import type { Clock } from '../../../kernel/clock.js';
import type { AuthStore, JsonObject, StoredRecord } from '../../../kernel/store.js';

const PENDING = 'oauth-pending-sign-in';
const CONNECTION = 'oauth-connection';
/** A sign-in must come back within this long. */
const PENDING_SECONDS = 600;
/** An access token this close to expiry is refreshed first, so it cannot die on the way to the provider. */
const EXPIRY_MARGIN_MS = 30_000;
/** Connection ids carry a prefix, so one found in a URL is recognised as leaked. */
export const CONNECTION_ID_PREFIX = 'oc_';

export interface ConnectorOptions {
  /** The provider's issuer URL; its discovery document must name exactly this issuer. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Public origin of this app: the provider sends people back to `<appUrl>/<boundary>/callback`. */
  appUrl: string;
  /** Space-separated; includes openid. */
  scope: string;
  store: AuthStore;
  clock: Clock;
  /** Plain HTTP to the provider: loopback only (the practice issuer); openid-client refuses it otherwise. */
  allowInsecureHttp: boolean;
}

/** What this app knows about a connection, without its tokens. */
export interface Connection {
  /** Public name of the connection (never its id: the id is the cookie's secret). */
  ref: string;
  issuer: string;
  subject: string;
  scopes: string[];
  /** For cookie-authenticated unsafe requests (CSRF synchronizer token). */
  csrfToken: string;
  createdAt: string;
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

/** Records are stored under a hash of the id: the store holds no cookie a thief could replay. */
const hashed = (id: string): string => createHash('sha256').update(id).digest('base64url');
const newSecret = (): string => randomBytes(32).toString('base64url');

/** openid-client's message, with the more specific one of its cause (e.g. which claim failed) when there is one. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : '';
  return cause && cause !== error.message ? `${error.message}: ${cause}` : error.message;
}

function connectionOf(value: JsonObject): Connection {
  return {
    ref: String(value.ref),
    issuer: String(value.issuer),
    subject: String(value.subject),
    scopes: String(value.scope ?? '').split(' ').filter(Boolean),
    csrfToken: String(value.csrfToken),
    createdAt: String(value.createdAt),
  };
}

/**
 * OAuth client mode: this app acts for a person at another provider.
 * Authorization code with PKCE (S256), state and nonce through openid-client;
 * the tokens stay in the store, the browser holds only a random connection id
 * in an HttpOnly cookie; refresh happens here; disconnecting revokes at the
 * provider.
 */
export function createConnector(options: ConnectorOptions) {
  const { store, clock } = options;
  const now = () => clock.now().getTime();
  let discovered: Promise<oidc.Configuration> | undefined;
  /** Concurrent refreshes of one connection share one request: a rotated refresh token must not be used twice. */
  const refreshing = new Map<string, Promise<string>>();

  /** The provider's metadata, fetched on first use (the app starts while the provider is away) and kept. */
  function configuration(): Promise<oidc.Configuration> {
    discovered ??= oidc
      .discovery(new URL(options.issuer), options.clientId, undefined, oidc.ClientSecretBasic(options.clientSecret), options.allowInsecureHttp ? { execute: [oidc.allowInsecureRequests] } : undefined)
      .catch((error: unknown) => {
        discovered = undefined;
        throw new ConnectionError('provider', `The provider's discovery document at ${options.issuer} was refused: ${describe(error)}`, { cause: error });
      });
    return discovered;
  }

  const redirectUri = (boundary: string) => `${options.appUrl}/${boundary}/callback`;

  async function loadTokens(connectionId: string): Promise<StoredRecord> {
    const record = await store.find(CONNECTION, hashed(connectionId));
    if (!record) throw new ConnectionError('not-connected', 'Not connected.');
    return record;
  }

  async function saveTokens(connectionId: string, base: JsonObject, tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers): Promise<void> {
    await store.upsert(
      CONNECTION,
      hashed(connectionId),
      {
        ...base,
        accessToken: tokens.access_token,
        // Providers that rotate refresh tokens send a new one; the others keep the old one valid.
        refreshToken: tokens.refresh_token ?? base.refreshToken ?? null,
        scope: tokens.scope ?? base.scope ?? options.scope,
        expiresAt: now() + (tokens.expiresIn() ?? 0) * 1000,
      },
      { owner: String(base.subject) },
    );
  }

  async function refresh(connectionId: string, record: StoredRecord): Promise<string> {
    const refreshToken = record.value.refreshToken;
    if (typeof refreshToken !== 'string') {
      await store.destroy(CONNECTION, record.id);
      throw new ConnectionError('not-connected', 'The access expired and the provider gave no refresh token; connect again.');
    }
    let tokens;
    try {
      tokens = await oidc.refreshTokenGrant(await configuration(), refreshToken);
    } catch (error) {
      if (error instanceof oidc.ResponseBodyError && error.error === 'invalid_grant') {
        await store.destroy(CONNECTION, record.id);
        throw new ConnectionError('not-connected', 'The provider ended this connection; connect again.', { cause: error });
      }
      throw new ConnectionError('provider', `Refreshing the access token failed: ${describe(error)}`, { cause: error });
    }
    await saveTokens(connectionId, record.value, tokens);
    return tokens.access_token;
  }

  async function keep(input: { issuer: string; subject: string; accessToken: string; refreshToken: string | null; scope: string; expiresIn: number }): Promise<{ connectionId: string; connection: Connection }> {
    const connectionId = `${CONNECTION_ID_PREFIX}${newSecret()}`;
    const value = {
      ref: randomBytes(9).toString('base64url'),
      issuer: input.issuer,
      subject: input.subject,
      accessToken: input.accessToken,
      refreshToken: input.refreshToken,
      scope: input.scope,
      expiresAt: now() + input.expiresIn * 1000,
      csrfToken: newSecret(),
      createdAt: clock.now().toISOString(),
    };
    await store.upsert(CONNECTION, hashed(connectionId), value, { owner: input.subject });
    return { connectionId, connection: connectionOf(value) };
  }

  const connector = {
    configuration,

    /** Begins a sign-in at `boundary`: the secrets stay here under a one-time login id (set it as a cookie); send the browser to `url`. */
    async start(boundary: string): Promise<{ loginId: string; url: URL }> {
      const config = await configuration();
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const loginId = newSecret();
      await store.upsert(PENDING, hashed(loginId), { codeVerifier, state, nonce, boundary, startedAt: now() }, { expiresAt: new Date(Date.now() + PENDING_SECONDS * 1000) });
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri(boundary),
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
     * issuer, audience, nonce and signature. A login id works once.
     */
    async finish(loginId: string, boundary: string, callbackUrl: URL): Promise<{ connectionId: string; connection: Connection }> {
      const id = hashed(loginId);
      const pending = await store.find(PENDING, id);
      const first = pending !== null && (await store.consume(PENDING, id, clock.now()));
      await store.destroy(PENDING, id);
      const value = pending?.value;
      if (!first || !value || value.boundary !== boundary || now() - Number(value.startedAt) > PENDING_SECONDS * 1000) {
        throw new ConnectionError('expired', 'This sign-in expired, was already used or belongs elsewhere; start again.');
      }
      const config = await configuration();
      let tokens;
      try {
        tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: String(value.codeVerifier),
          expectedState: String(value.state),
          expectedNonce: String(value.nonce),
          idTokenExpected: true,
        });
      } catch (error) {
        throw new ConnectionError('refused', `The provider's answer was refused: ${describe(error)}`, { cause: error });
      }
      const claims = tokens.claims();
      if (!claims) throw new ConnectionError('refused', 'The provider returned no ID token.');
      return keep({
        issuer: claims.iss,
        subject: claims.sub,
        accessToken: tokens.access_token,
        refreshToken: tokens.refresh_token ?? null,
        scope: tokens.scope ?? options.scope,
        expiresIn: tokens.expiresIn() ?? 0,
      });
    },

    /** Keeps tokens this app obtained another way (an earlier system, the demo's `auth:credential`) as a connection. */
    adopt(input: { subject: string; accessToken: string; refreshToken: string | null; scope: string; expiresIn: number }) {
      return keep({ issuer: options.issuer, ...input });
    },

    /** The connection without its tokens, or null. */
    async find(connectionId: string): Promise<Connection | null> {
      const record = await store.find(CONNECTION, hashed(connectionId));
      return record ? connectionOf(record.value) : null;
    },

    /** Every connection, without tokens (administration only: not on a request path). */
    async list(): Promise<Connection[]> {
      return (await store.list(CONNECTION)).map((record) => connectionOf(record.value)).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },

    /** A usable access token for the connection, refreshed here when about to expire. Never hand it to a browser. */
    async accessToken(connectionId: string): Promise<string> {
      const record = await loadTokens(connectionId);
      if (Number(record.value.expiresAt) - EXPIRY_MARGIN_MS > now()) return String(record.value.accessToken);
      let pending = refreshing.get(record.id);
      if (!pending) {
        pending = refresh(connectionId, record).finally(() => refreshing.delete(record.id));
        refreshing.set(record.id, pending);
      }
      return pending;
    },

    /** The provider's userinfo for the person, with the stored token; the answer must name the same subject. */
    async userInfo(connectionId: string): Promise<Record<string, unknown>> {
      const record = await loadTokens(connectionId);
      const token = await connector.accessToken(connectionId);
      try {
        return { ...(await oidc.fetchUserInfo(await configuration(), token, String(record.value.subject))) };
      } catch (error) {
        if (error instanceof oidc.WWWAuthenticateChallengeError) {
          // The provider no longer accepts the token: the person revoked the access there.
          await store.destroy(CONNECTION, record.id);
          throw new ConnectionError('not-connected', 'The provider ended this connection; connect again.', { cause: error });
        }
        throw new ConnectionError('provider', `The provider's userinfo call failed: ${describe(error)}`, { cause: error });
      }
    },

    /** Calls one of the provider's APIs as the person (their calendar, their files); the token goes in the Authorization header. */
    async fetchAs(connectionId: string, url: URL, init: { method?: string; body?: string; headers?: Headers } = {}): Promise<Response> {
      const token = await connector.accessToken(connectionId);
      return oidc.fetchProtectedResource(await configuration(), token, url, init.method ?? 'GET', init.body, init.headers);
    },

    /**
     * Revokes the tokens at the provider (refresh token first: it ends the
     * grant) and forgets them here. The local copy goes even when the provider
     * cannot be reached; the error then says to revoke over there.
     */
    async disconnect(connectionId: string): Promise<void> {
      const record = await store.find(CONNECTION, hashed(connectionId));
      if (record) await connector.revokeRecord(record);
    },

    /** `disconnect` by the connection's public ref (the command line has no connection id). */
    async disconnectRef(ref: string): Promise<boolean> {
      const record = (await store.list(CONNECTION)).find((candidate) => candidate.value.ref === ref);
      if (!record) return false;
      await connector.revokeRecord(record);
      return true;
    },

    async revokeRecord(record: StoredRecord): Promise<void> {
      try {
        const config = await configuration();
        if (typeof record.value.refreshToken === 'string') await oidc.tokenRevocation(config, record.value.refreshToken, { token_type_hint: 'refresh_token' });
        await oidc.tokenRevocation(config, String(record.value.accessToken), { token_type_hint: 'access_token' });
      } catch (error) {
        throw new ConnectionError('provider', `Disconnected here, but the provider did not confirm the revocation (${describe(error)}); revoke the access in your account there.`, { cause: error });
      } finally {
        await store.destroy(CONNECTION, record.id);
      }
    },
  };
  return connector;
}

export type Connector = ReturnType<typeof createConnector>;
