import type { IncomingMessage, ServerResponse } from 'node:http';
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Accounts } from '../../../kernel/accounts.js';
import type { Clock } from '../../../kernel/clock.js';
import { serialise, type AuthResponse, type RawMount } from '../../../kernel/http.js';
import { problem } from '../../../kernel/problem.js';
import type { AuthStore } from '../../../kernel/store.js';
import type { Throttle } from '../../../kernel/throttle.js';
import { accountPages } from './account.js';
import { destroyGrant, storeAdapter } from './adapter.js';
import { deviceCodeThrottle, devicePages, devicePolling } from './device.js';
import type { PageKit } from './forms.js';
import { decideGrant, interactionPages, type Middleware } from './interactions.js';
import { errorPage, sendPage } from './pages.js';
import type { ProviderSettings } from './settings.js';
import { currentPublicKeys, SIGNING_ALGORITHM, type SigningKey } from './signing-keys.js';
import { createTokenLedger, type TokenLedger } from './token-status.js';

/** How long a person stays signed in at the authorization server (not a token lifetime: apps get their own). */
const SESSION_SECONDS = 8 * 3_600;
/** How long a person has to finish signing in and consenting. */
const INTERACTION_SECONDS = 10 * 60;
const ID_TOKEN_SECONDS = 10 * 60;
/** Endpoints where a client proves who it is: failures count against the client and the address. */
const CLIENT_AUTHENTICATED = new Set(['/token', '/token/introspection', '/token/revocation', '/device/auth', '/request']);

export interface AuthorizationServerDeps {
  settings: ProviderSettings;
  store: AuthStore;
  clock: Clock;
  accounts: Accounts;
  throttle: Throttle;
  kit: PageKit;
  signingKeys: SigningKey[];
  /** Reverse proxies are trusted (AUTH_TRUST_PROXY > 0): the public scheme and host come from them. */
  behindProxy: boolean;
  log: (message: string) => void;
}

export interface AuthorizationServer {
  provider: Provider;
  ledger: TokenLedger;
  /** The server as a raw Node handler under its issuer's path, served before the framework. */
  mount: RawMount;
}

function sendProblem(ctx: KoaContextWithOIDC, response: AuthResponse): void {
  const { status, headers, body } = serialise(response);
  ctx.status = status;
  for (const [name, value] of Object.entries(headers)) ctx.set(name, value);
  ctx.body = body ?? '';
}

/** The client id of `Authorization: Basic …`, where most clients send it; null when absent or malformed. */
function basicClientId(header: string | undefined): string | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  try {
    return decodeURIComponent(decoded.slice(0, colon));
  } catch {
    return null;
  }
}

/**
 * The kernel's throttle at every endpoint where a client presents a secret:
 * failures count per (client, address) with back-off and per address across
 * clients; a throttled caller gets 429 before its secret is checked.
 */
function clientThrottle(throttle: Throttle, kit: PageKit): Middleware {
  return async (ctx, next) => {
    if (ctx.method !== 'POST' || !CLIENT_AUTHENTICATED.has(ctx.path)) return next();
    const source = kit.requestOf(ctx.req, { url: ctx.originalUrl }).source;
    const named = basicClientId(ctx.get('authorization'));
    const verdict = await throttle.check({ source, account: named === null ? null : `client:${named}` });
    if (!verdict.allowed) {
      return sendProblem(ctx, problem('too-many-attempts', `Too many failed client authentications from this address; retry in ${verdict.retryAfter} seconds.`, { headers: { 'retry-after': String(verdict.retryAfter) } }));
    }
    await next();
    const clientId = named ?? (typeof ctx.oidc?.params?.client_id === 'string' ? ctx.oidc.params.client_id : null);
    const attempt = { source, account: clientId === null ? null : `client:${clientId}` };
    if ((ctx.body as { error?: unknown } | undefined)?.error === 'invalid_client') {
      const after = await throttle.failed(attempt);
      if (!after.allowed) ctx.set('retry-after', String(after.retryAfter));
    } else if (ctx.oidc?.client) {
      await throttle.succeeded(attempt);
    }
  };
}

/**
 * RFC 7662 introspection and RFC 7009 revocation for JWT access tokens too.
 * oidc-provider refuses both for JWTs (`unsupported_token_type`) because it
 * does not store them; this server records every token it issues (the
 * ledger), so it can answer: `{"active": false}` once the grant is revoked,
 * and revoking a JWT ends its grant. It runs after oidc-provider has
 * authenticated the caller, and applies the same policies: a client
 * introspects its own tokens (an introspection client anyone's) and revokes
 * only its own.
 */
function structuredTokens(ledger: TokenLedger, store: AuthStore): Middleware {
  return async (ctx, next) => {
    await next();
    const introspection = ctx.path === '/token/introspection';
    if (ctx.method !== 'POST' || (!introspection && ctx.path !== '/token/revocation')) return;
    const client = ctx.oidc?.client;
    const token = ctx.oidc?.params?.token;
    if (!client || typeof token !== 'string') return;
    const body = ctx.body as Record<string, unknown> | undefined;
    const mayIntrospect = (owner: unknown) => (client as unknown as { introspection?: boolean }).introspection === true || owner === client.clientId;

    if (ctx.status === 400 && body?.error === 'unsupported_token_type') {
      const payload = await ledger.verifyJwt(token);
      ctx.status = 200;
      ctx.set('cache-control', 'no-store');
      if (!introspection) {
        ctx.body = '';
        if (payload && payload.client_id === client.clientId && typeof payload.jti === 'string') {
          const status = await ledger.status(payload.jti);
          if (status.active && status.token.grantId !== null) await destroyGrant(store, status.token.grantId);
          else await ledger.forget(payload.jti);
        }
        return;
      }
      const status = payload && typeof payload.jti === 'string' && mayIntrospect(payload.client_id) ? await ledger.status(payload.jti) : null;
      if (!payload || !status?.active) {
        ctx.body = { active: false };
        return;
      }
      const cnf = payload.cnf as { jkt?: string } | undefined;
      ctx.body = {
        active: true,
        client_id: payload.client_id,
        sub: payload.sub,
        scope: payload.scope,
        aud: payload.aud,
        iss: payload.iss,
        exp: payload.exp,
        iat: payload.iat,
        jti: payload.jti,
        token_type: cnf?.jkt ? 'DPoP' : 'Bearer',
        ...(cnf?.jkt ? { cnf: { jkt: cnf.jkt } } : {}),
      };
      return;
    }
    // A token oidc-provider still finds may have lost its account or client since: ask the ledger too.
    if (introspection && ctx.status === 200 && body?.active === true) {
      const refreshToken = ctx.oidc?.entities.RefreshToken;
      const stands = refreshToken
        ? typeof refreshToken.grantId === 'string' && typeof refreshToken.accountId === 'string' && (await ledger.grantStands(refreshToken.grantId, refreshToken.accountId))
        : (await ledger.status(typeof body.jti === 'string' ? body.jti : token)).active;
      if (!stands) ctx.body = { active: false };
    }
  };
}

/** The JWKS from the store, so every instance publishes the keys every other instance signs with. */
function storedJwks(store: AuthStore): Middleware {
  return async (ctx, next) => {
    if (ctx.method !== 'GET' || ctx.path !== '/jwks') return next();
    ctx.status = 200;
    ctx.type = 'application/jwk-set+json; charset=utf-8';
    ctx.body = JSON.stringify({ keys: await currentPublicKeys(store) });
  };
}

/** Kernel conventions for what oidc-provider leaves open: problem+json for unknown routes, `no-store` on anything not public. */
function kernelReplies(): Middleware {
  const publicDocuments = new Set(['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/jwks']);
  return async (ctx, next) => {
    await next();
    const body = ctx.body as { error?: unknown } | undefined;
    // Koa's own 404 (no route matched) and oidc-provider's "unrecognized route" alike.
    if (ctx.status === 404 && (body === undefined || body === null || body.error === 'invalid_request')) sendProblem(ctx, problem('not-found'));
    if (!publicDocuments.has(ctx.path) && !ctx.response.get('cache-control')) ctx.set('cache-control', 'no-store');
  };
}

/**
 * The authorization server: oidc-provider set up strictly. Only the flows of
 * the variants in use; PKCE (S256) for every client; redirect URIs compared
 * exactly and always sent; no implicit flow, no password grant; our own sign-in
 * and consent pages (interactions.ts), none of its development pages; refresh
 * tokens rotated on every use, reuse ending the grant, none outliving its grant;
 * DPoP-bound tokens for clients that send proofs; revocation and introspection
 * for every token format; state in the package's store.
 */
export function createAuthorizationServer(deps: AuthorizationServerDeps): AuthorizationServer {
  const { settings, store, accounts, kit } = deps;
  const { lifetimes, mountPath, audience } = settings;
  const serves = (variant: string) => (settings.variants as readonly string[]).includes(variant);
  let provider: Provider | undefined;

  const ledger = createTokenLedger({
    store,
    clock: deps.clock,
    accounts,
    issuer: settings.issuer,
    clockSkew: lifetimes.clockSkew,
    findGrant: async (grantId) => provider?.Grant.find(grantId),
    clientExists: async (clientId) => (await provider?.Client.find(clientId)) !== undefined,
  });
  const device = devicePages({ throttle: deps.throttle, kit, mountPath });

  const configuration: Configuration = {
    adapter: storeAdapter(store),
    jwks: { keys: deps.signingKeys.map((key) => key.jwk) as never },
    cookies: { keys: settings.cookieKeys },
    // The implicit and hybrid flows are not offered (RFC 9700 §2.1.2); the password grant is never registered.
    responseTypes: ['code'],
    scopes: ['openid', 'offline_access', ...settings.scopes],
    claims: { openid: ['sub'] },
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      id_token_signed_response_alg: SIGNING_ALGORITHM,
      token_endpoint_auth_method: 'client_secret_basic',
    },
    enabledJWA: { idTokenSigningAlgValues: [SIGNING_ALGORITHM], dPoPSigningAlgValues: ['ES256', 'EdDSA'] },
    pkce: { required: () => true },
    allowOmittingSingleRegisteredRedirectUri: false,
    clockTolerance: lifetimes.clockSkew,
    extraClientMetadata: {
      properties: ['client_type', 'first_party', 'introspection'],
      validator(_ctx, key, value) {
        if ((key === 'first_party' || key === 'introspection') && value !== undefined && typeof value !== 'boolean') {
          throw new errors.InvalidClientMetadata(`${key} must be a boolean`);
        }
      },
    },
    async findAccount(_ctx, sub, token) {
      const account = await accounts.find(sub);
      if (!account || account.disabled) return undefined;
      // A code or refresh token of a grant given before the account lost rights (new password, fewer scopes) is dead.
      const grantId = (token as { grantId?: string } | undefined)?.grantId;
      if (grantId !== undefined && !(await ledger.grantStands(grantId, account.username))) return undefined;
      return { accountId: account.username, claims: async () => ({ sub: account.username }) };
    },
    interactions: { url: (_ctx, interaction) => `${mountPath}/interaction/${interaction.uid}` },
    // Your own apps (first-party clients) are not asked about: their grant is topped up with what was asked
    // and the person holds. Third-party clients go through the consent page.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(ctx.oidc.client!.clientId);
      const existing = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      const firstParty = (ctx.oidc.client as unknown as { first_party?: boolean }).first_party === true;
      const accountId = ctx.oidc.session?.accountId;
      if (!firstParty || !accountId) return existing;
      const grant = existing ?? new ctx.oidc.provider.Grant({ accountId, clientId: ctx.oidc.client!.clientId });
      const requested = [...ctx.oidc.requestParamScopes];
      const account = await accounts.find(accountId);
      decideGrant(grant, { oidcScopes: requested, resourceScopes: { [audience]: requested }, apiScopes: settings.scopes, held: account?.disabled === false ? account.scopes : [] });
      const saved = await grant.save();
      await ledger.bindGrant({ grantId: saved, accountId, exp: grant.exp });
      return grant;
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: serves('client-credentials') },
      deviceFlow: { enabled: serves('device-code'), charset: 'base-20', mask: '****-****', ...device },
      dPoP: { enabled: true, allowReplay: false },
      revocation: {
        enabled: true,
        // A client revokes only its own tokens.
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      introspection: {
        enabled: true,
        // A client introspects its own tokens; an introspection client (a resource server) anyone's.
        allowedPolicy: async (_ctx, client, token) => (client as unknown as { introspection?: boolean }).introspection === true || token.clientId === client.clientId,
      },
      resourceIndicators: {
        enabled: true,
        // Requests that name no resource get tokens for this API, and only this API exists.
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          if (indicator !== audience) throw new errors.InvalidTarget();
          return {
            scope: settings.scopes.join(' '),
            audience,
            accessTokenFormat: settings.tokenFormat,
            ...(settings.tokenFormat === 'jwt' ? { jwt: { sign: { alg: SIGNING_ALGORITHM } } } : {}),
          };
        },
      },
      // Off: an app learns who a person is from the ID token; a client should not learn more than its tokens say.
      userinfo: { enabled: false },
      rpInitiatedLogout: { enabled: false },
    },
    // Refresh tokens for people's grants only (never for services), whenever the client may refresh; each
    // use replaces the token, and reusing a replaced one ends the grant (oidc-provider's reuse detection).
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && (code.kind === 'AuthorizationCode' || code.kind === 'DeviceCode'),
    rotateRefreshToken: true,
    // An app's access lasts as long as its grant, not as long as the person's sign-in at this server.
    expiresWithSession: () => false,
    // Revoking any token of a grant, or reusing a code, ends the whole grant, JWTs included (via the ledger).
    revokeGrantPolicy: () => true,
    // NOTE: used for its timing, not for claims: every access token is recorded as it is issued.
    async extraTokenClaims(_ctx, token) {
      await ledger.record(token as never);
      return undefined;
    },
    ttl: {
      AccessToken: lifetimes.accessToken,
      ClientCredentials: lifetimes.serviceToken,
      AuthorizationCode: lifetimes.authorizationCode,
      DeviceCode: lifetimes.deviceCode,
      IdToken: ID_TOKEN_SECONDS,
      Interaction: INTERACTION_SECONDS,
      Session: SESSION_SECONDS,
      // The absolute lifetime: a grant ends this long after it was given, and every refresh token with it.
      Grant: lifetimes.refreshAbsolute,
      RefreshToken(ctx: KoaContextWithOIDC) {
        // Idle lifetime, cut to what is left of the grant: a rotated token never outlives the grant.
        const grant = ctx?.oidc?.entities.Grant;
        const left = typeof grant?.exp === 'number' ? grant.exp - Math.floor(Date.now() / 1000) : lifetimes.refreshAbsolute;
        return Math.max(1, Math.min(lifetimes.refreshIdle, left));
      },
    },
    async renderError(ctx, out) {
      // Shown to the person; never a redirect to an unverified redirect_uri.
      sendPage(ctx, ctx.status >= 400 ? ctx.status : 400, errorPage('Authorization error', `${String(out.error)}: ${String(out.error_description ?? '')}`));
    },
  };

  provider = new Provider(settings.issuer, configuration);
  if (deps.behindProxy) provider.proxy = true;
  provider.on('server_error', (_ctx: unknown, error: Error) => deps.log(`oauth: server error: ${error.stack ?? error.message}`));
  provider.use(kernelReplies());
  provider.use(storedJwks(store));
  provider.use(clientThrottle(deps.throttle, kit));
  provider.use(structuredTokens(ledger, store));
  if (serves('device-code')) {
    provider.use(deviceCodeThrottle({ throttle: deps.throttle, kit }));
    provider.use(devicePolling({ store, clock: deps.clock, interval: lifetimes.pollingInterval }));
  }
  if (serves('authorization-code') || serves('device-code')) {
    provider.use(interactionPages({ provider, store, accounts, kit, settings, ledger }));
    provider.use(accountPages({ provider, store, accounts, kit, settings, sessionSeconds: SESSION_SECONDS }));
  }

  const callback = provider.callback();
  const running = provider;
  return {
    provider: running,
    ledger,
    mount: {
      path: mountPath,
      handle(req: IncomingMessage, res: ServerResponse) {
        // oidc-provider's routes are relative to the issuer's path: strip the mount point, as Express's app.use does.
        const url = req.url ?? '/';
        (req as IncomingMessage & { originalUrl?: string }).originalUrl = url;
        req.url = url.slice(mountPath.length) || '/';
        void callback(req, res);
      },
    },
  };
}
