import { createHash, generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { createLocalJWKSet, jwtVerify, type JWK } from 'jose';
import type { ClientMetadata, Configuration, ResourceServer } from 'oidc-provider';
import type ProviderType from 'oidc-provider';
import type { AuthStore, JsonObject } from '../../../kernel/store.js';
import { storeAdapter } from './adapter.js';

/**
 * A practice issuer: a real OpenID Provider (oidc-provider, a dev
 * dependency) standing in for the identity provider you trust or connect to,
 * for the demo, `auth:credential` and the tests. It is NOT for production:
 * its login page accepts any name and password, and every state it keeps
 * lives in this package's store under `practice-issuer:` kinds.
 *
 * Beside oidc-provider's own endpoints it answers RFC 7662 introspection for
 * its JWT access tokens (oidc-provider introspects only opaque ones), as
 * hosted providers do: `{"active": false}` once the token's grant is revoked.
 */
export const PRACTICE_PATH = '/practice-issuer';
export const PRACTICE_SCOPES = ['read', 'write', 'admin'] as const;
/** Gets access tokens for the API: client credentials, and the tokens `auth:credential` mints. */
export const PRACTICE_APP = 'practice-app';
/** The API's own client: it introspects. */
export const PRACTICE_API = 'practice-api';
/** OAuth client mode's app: the authorization code flow, refresh tokens, userinfo. */
export const PRACTICE_CONNECT = 'practice-connect';

const KIND = 'practice-issuer';

export interface PracticeIssuerOptions {
  store: AuthStore;
  /** Where it is reached, e.g. `http://127.0.0.1:3000/practice-issuer`. */
  issuer: string;
  /** The API's identifier: access tokens for it carry it in `aud`. */
  audience: string;
  accessTokenFormat: 'jwt' | 'opaque';
  /** Access-token lifetime, seconds. */
  accessTokenTtl: number;
  /** Where OAuth client mode's app may be sent back to (exact URLs). */
  connectRedirectUris: readonly string[];
  /** More clients (tests register a second app). */
  extraClients?: readonly ClientMetadata[];
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

export interface PracticeIssuer {
  readonly issuer: string;
  readonly provider: ProviderType;
  /** Node handler for requests under the issuer's path. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  readonly app: ClientCredentials;
  readonly api: ClientCredentials;
  readonly connect: ClientCredentials;
  /** A real grant and access token for `subject`, as if the person had approved the practice app; `boundTo` makes it DPoP-bound. */
  mintAccessToken(input: { subject: string; scopes: readonly string[]; boundTo?: string }): Promise<{ token: string; grantId: string }>;
  /** A grant with an access and a refresh token for OAuth client mode's app, as if the person had connected. */
  mintConnection(input: { subject: string; scopes: readonly string[] }): Promise<{ accessToken: string; refreshToken: string; scope: string; expiresIn: number }>;
  /** Ends a grant and every token issued under it. */
  revokeGrant(grantId: string): Promise<void>;
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();
const sameSecret = (a: string, b: string): boolean => timingSafeEqual(sha256(a), sha256(b));

/** Made once and kept in the store, so the demo and the command line sign and check with the same key and secrets. */
async function setupOf(store: AuthStore): Promise<{ signingKey: JWK; secrets: Record<string, string> }> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const fresh = {
    signingKey: { ...(privateKey.export({ format: 'jwk' }) as JWK), kid: randomBytes(8).toString('base64url'), alg: 'ES256', use: 'sig' },
    secrets: Object.fromEntries([PRACTICE_APP, PRACTICE_API, PRACTICE_CONNECT].map((id) => [id, randomBytes(24).toString('base64url')])),
  };
  await store.create(KIND, 'setup', fresh as unknown as JsonObject);
  const record = await store.find(KIND, 'setup');
  if (!record) throw new Error('The practice issuer could not keep its keys in the store.');
  return record.value as unknown as { signingKey: JWK; secrets: Record<string, string> };
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The request again, body included, for oidc-provider after this module has read it. */
function replayed(req: IncomingMessage, body: Buffer): IncomingMessage {
  const { headers, rawHeaders, method, url, httpVersion, httpVersionMajor, httpVersionMinor, socket } = req;
  const originalUrl = (req as IncomingMessage & { originalUrl?: string }).originalUrl;
  return Object.assign(Readable.from([body], { objectMode: false }), {
    headers, rawHeaders, method, url, originalUrl, httpVersion, httpVersionMajor, httpVersionMinor, socket, connection: socket,
  }) as unknown as IncomingMessage;
}

export async function openPracticeIssuer(options: PracticeIssuerOptions): Promise<PracticeIssuer> {
  // Loaded here: oidc-provider is a dev dependency, needed only when the practice issuer runs.
  const { default: Provider } = await import('oidc-provider');
  const { store, audience } = options;
  const { signingKey, secrets } = await setupOf(store);
  const credentials = (clientId: string): ClientCredentials => ({ clientId, clientSecret: secrets[clientId]! });
  const mountPath = new URL(options.issuer).pathname.replace(/\/+$/, '');
  const issuedJwts = `${KIND}:issued-jwt`;
  const scope = PRACTICE_SCOPES.join(' ');
  const resourceServer: ResourceServer = {
    scope,
    audience,
    accessTokenTTL: options.accessTokenTtl,
    accessTokenFormat: options.accessTokenFormat,
    ...(options.accessTokenFormat === 'jwt' ? { jwt: { sign: { alg: 'ES256' } } } : {}),
  };
  const clients: ClientMetadata[] = [
    { client_id: PRACTICE_APP, client_secret: secrets[PRACTICE_APP], grant_types: ['client_credentials'], response_types: [], redirect_uris: [] },
    { client_id: PRACTICE_API, client_secret: secrets[PRACTICE_API], grant_types: [], response_types: [], redirect_uris: [] },
    ...(options.connectRedirectUris.length === 0
      ? []
      : [
          {
            client_id: PRACTICE_CONNECT,
            client_secret: secrets[PRACTICE_CONNECT],
            grant_types: ['authorization_code', 'refresh_token'],
            response_types: ['code' as const],
            redirect_uris: [...options.connectRedirectUris],
          },
        ]),
    ...(options.extraClients ?? []),
  ];

  const configuration: Configuration = {
    adapter: storeAdapter(store, KIND),
    jwks: { keys: [signingKey as never] },
    clients,
    clientDefaults: { id_token_signed_response_alg: 'ES256', token_endpoint_auth_method: 'client_secret_basic' },
    enabledJWA: { idTokenSigningAlgValues: ['ES256'], dPoPSigningAlgValues: ['ES256', 'EdDSA'] },
    responseTypes: ['code'],
    scopes: ['openid', 'offline_access', ...PRACTICE_SCOPES],
    claims: { openid: ['sub'] },
    pkce: { required: () => true },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    // NOTE: cast because the type of `features` depends on combinations of features this issuer does not use.
    features: {
      // NOTE: on purpose, and only here: a practice issuer needs a login page (for client mode), not a secure one.
      devInteractions: { enabled: options.connectRedirectUris.length > 0 },
      clientCredentials: { enabled: true },
      dPoP: { enabled: true },
      userinfo: { enabled: true },
      revocation: { enabled: true },
      introspection: {
        enabled: true,
        // The API introspects every token; any other client only its own.
        allowedPolicy: async (_ctx, client, token) => client.clientId === PRACTICE_API || token.clientId === client.clientId,
      },
      resourceIndicators: {
        enabled: true,
        // Client mode's app gets tokens for userinfo (no audience); everyone else tokens for the API.
        defaultResource: (_ctx, client) => (client?.clientId === PRACTICE_CONNECT ? undefined : audience) as string,
        useGrantedResource: () => true,
        getResourceServerInfo: () => resourceServer,
      },
    } as Configuration['features'],
    formats: {
      customizers: {
        // Remembered so introspection can answer for JWTs: which grant (if any) each one belongs to.
        jwt: async (_ctx, token, jwt) => {
          const { jti, exp } = jwt.payload as { jti: string; exp: number };
          const grantId = (token as { grantId?: string }).grantId ?? null;
          await store.upsert(issuedJwts, jti, { grantId }, { expiresAt: new Date(exp * 1000), group: grantId });
        },
      },
    },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: () => true,
    ttl: {
      AccessToken: options.accessTokenTtl,
      ClientCredentials: options.accessTokenTtl,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 600,
      Session: 3_600,
      Grant: 86_400,
      RefreshToken: 86_400,
    },
  };
  const provider = new Provider(options.issuer, configuration);
  const callback = provider.callback();
  const publicKeys = createLocalJWKSet({ keys: [{ kty: signingKey.kty!, crv: signingKey.crv!, x: signingKey.x!, y: signingKey.y!, kid: signingKey.kid!, alg: 'ES256' }] });

  async function clientOf(authorization: string | undefined): Promise<string | null> {
    const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(authorization ?? '');
    if (!match) return null;
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    const [id, secret] = [decoded.slice(0, colon), decoded.slice(colon + 1)].map((part) => decodeURIComponent(part.replace(/\+/g, ' ')));
    const client = await provider.Client.find(id!);
    return client?.clientSecret !== undefined && sameSecret(client.clientSecret, secret!) ? client.clientId : null;
  }

  /** RFC 7662 for this issuer's JWT access tokens: active while the signature, the expiry and the grant hold. */
  async function introspectJwt(token: string, authorization: string | undefined): Promise<{ status: number; body: Record<string, unknown> }> {
    const caller = await clientOf(authorization);
    if (caller === null) return { status: 401, body: { error: 'invalid_client' } };
    let claims: Record<string, unknown>;
    try {
      ({ payload: claims } = await jwtVerify(token, publicKeys, { issuer: options.issuer, typ: 'at+jwt', algorithms: ['ES256'] }));
    } catch {
      return { status: 200, body: { active: false } };
    }
    if (caller !== PRACTICE_API && caller !== claims.client_id) return { status: 200, body: { active: false } };
    const issued = await store.find(issuedJwts, String(claims.jti));
    const grantId = issued?.value.grantId;
    if (!issued || (typeof grantId === 'string' && !(await provider.Grant.find(grantId)))) return { status: 200, body: { active: false } };
    const bound = (claims.cnf as { jkt?: string } | undefined)?.jkt !== undefined;
    return { status: 200, body: { ...claims, active: true, token_type: bound ? 'DPoP' : 'Bearer' } };
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    // oidc-provider's routes are relative to the issuer's path: strip the mount point, as Express's app.use would.
    const url = req.url ?? '/';
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = url;
    req.url = url.slice(mountPath.length) || '/';
    if (req.method !== 'POST' || req.url !== '/token/introspection') return void callback(req, res);
    void readBody(req, 64 * 1024).then(async (body) => {
      if (body === null) {
        res.writeHead(413).end();
        return;
      }
      const token = new URLSearchParams(body.toString('utf8')).get('token') ?? '';
      if (!/^[^.]+\.[^.]+\.[^.]+$/.test(token)) return void callback(replayed(req, body), res);
      const answer = await introspectJwt(token, req.headers.authorization);
      res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(answer.body));
    }).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  }

  async function grantFor(subject: string, clientId: string, scopes: string, resource: string | null): Promise<{ client: InstanceType<ProviderType['Client']>; grantId: string }> {
    const unknown = scopes.split(' ').filter((item) => item !== '' && !['openid', 'offline_access', ...PRACTICE_SCOPES].includes(item));
    if (unknown.length > 0) throw new Error(`The practice issuer knows the scopes ${PRACTICE_SCOPES.join(', ')}; not ${unknown.join(', ')}.`);
    const client = await provider.Client.find(clientId);
    if (!client) throw new Error(`The practice issuer has no client ${clientId}.`);
    const grant = new provider.Grant({ accountId: subject, clientId });
    if (resource === null) grant.addOIDCScope(scopes);
    else if (scopes !== '') grant.addResourceScope(resource, scopes);
    return { client, grantId: await grant.save() };
  }

  return {
    issuer: options.issuer,
    provider,
    handle,
    app: credentials(PRACTICE_APP),
    api: credentials(PRACTICE_API),
    connect: credentials(PRACTICE_CONNECT),
    async mintAccessToken({ subject, scopes, boundTo }) {
      const scopeText = scopes.join(' ');
      const { client, grantId } = await grantFor(subject, PRACTICE_APP, scopeText, audience);
      const token = new provider.AccessToken({ accountId: subject, client, grantId, gty: 'authorization_code', scope: scopeText, ...(boundTo ? { jkt: boundTo } : {}) });
      token.resourceServer = new provider.ResourceServer(audience, resourceServer);
      return { token: await token.save(), grantId };
    },
    async mintConnection({ subject, scopes }) {
      const scopeText = ['openid', ...scopes].join(' ');
      const { client, grantId } = await grantFor(subject, PRACTICE_CONNECT, scopeText, null);
      const common = { accountId: subject, client, grantId, gty: 'authorization_code', scope: scopeText };
      const accessToken = new provider.AccessToken(common);
      const refreshToken = new provider.RefreshToken({ ...common, rotations: 0 });
      return { accessToken: await accessToken.save(), refreshToken: await refreshToken.save(), scope: scopeText, expiresIn: accessToken.expiration };
    },
    async revokeGrant(grantId) {
      const grant = await provider.Grant.find(grantId);
      await grant?.destroy();
      for (const model of ['AccessToken', 'RefreshToken', 'AuthorizationCode']) await store.destroyWhere(`${KIND}:${model}`, { group: grantId });
      await store.destroyWhere(issuedJwts, { group: grantId });
    },
  };
}
