import { randomBytes } from 'node:crypto';
import { AccountError, createAccounts, type Accounts } from '../../kernel/accounts.js';
import type { Boundary } from '../../kernel/boundary.js';
import { UsageError } from '../../kernel/command-line.js';
import { createDpopVerifier } from '../../kernel/dpop.js';
import type { Route } from '../../kernel/http.js';
import type { AuthMethod, CredentialRequest, IssuedCredential, MethodModule, MethodSetup } from '../../kernel/method.js';
import { RUN_SCRIPT } from '../../kernel/package.js';
import type { Strategy } from '../../kernel/strategy.js';
import { usersCommand } from '../../kernel/users-command.js';
import { jwtCommand } from './commands.js';
import { readJwtConfig, type JwtConfig } from './config.js';
import { Issuer } from './issuer.js';
import { Logins } from './logins.js';
import { remoteKeys } from './remote-keys.js';
import { issuerRoutes, jwksRoute } from './routes.js';
import { KeyRing } from './signing-keys.js';
import { jwtStrategy } from './strategy.js';
import { startTokenService, TOKEN_SERVICE_BOUNDARY, type RunningTokenService } from './token-service.js';

/** The JWT method, running: its strategies and routes, the issuer, and what the CLI and your code use. */
export interface JwtMethod extends AuthMethod {
  readonly config: JwtConfig;
  readonly accounts: Accounts;
  /** What signs tokens here: this API's own issuer (login-endpoint), or the development token service's; null when another service signs. */
  readonly issuer: Issuer | null;
  /** The development token service running inside the app (token-service boundaries without JWT_TOKEN_SERVICE_JWKS_URL). */
  readonly developmentTokenService: RunningTokenService | null;
  /** Runs this package's issuer as a token service of its own (`auth:jwt -- token-service`). */
  startTokenService(port: number, host: string): Promise<RunningTokenService>;
}

function issuerFor(setup: MethodSetup, config: NonNullable<JwtConfig['issuer']>, accounts: Accounts) {
  const { lifetimes } = config;
  const keys = new KeyRing({
    store: setup.store,
    clock: setup.clock,
    keyEncryptionKey: config.keyEncryptionKey,
    rotation: lifetimes.signingKeyRotation,
    overlap: lifetimes.accessToken + lifetimes.clockSkew,
  });
  const dpop = config.dpop ? createDpopVerifier(setup.store, setup.clock, config.dpop.proofWindow) : null;
  return new Issuer({ config, keys, logins: new Logins(setup.store), accounts, throttle: setup.throttle, clock: setup.clock, dpop });
}

export const jwtMethod: MethodModule = {
  id: 'jwt',
  commands: [usersCommand, jwtCommand],
  async create(setup): Promise<JwtMethod> {
    const config = readJwtConfig(setup.env, setup.policy, setup.variants);
    const accounts = createAccounts(setup.store, setup.clock, setup.throttle);
    const dpop = config.dpop ? { verifier: createDpopVerifier(setup.store, setup.clock, config.dpop.proofWindow), settings: config.dpop } : null;
    const strategies: Strategy[] = [];
    const routes: Route[] = [];
    const runTokenService = (port: number, host: string) =>
      startTokenService(jwtMethod, { env: setup.env, store: setup.store, clock: setup.clock, log: setup.log, port, host });

    let own: Issuer | null = null;
    if (config.issuer) {
      const issuer = issuerFor(setup, config.issuer, accounts);
      const logins = issuer.logins;
      own = issuer;
      strategies.push(
        jwtStrategy({
          variant: 'login-endpoint',
          issuer: config.issuer.issuer,
          audience: config.audience,
          realm: config.realm,
          clockSkew: config.issuer.lifetimes.clockSkew,
          maxAge: config.issuer.lifetimes.accessToken,
          resolveKey: (header) => issuer.keys.verificationKey(header.kid),
          clock: setup.clock,
          dpop,
          // Per-request checks against the store: the account's version (a new password, disabled,
          // fewer scopes, signed out everywhere) and the sign-in the token belongs to (signed out).
          async stillValid(claims) {
            const account = await accounts.find(claims.sub);
            if (!account || account.disabled) return 'account unknown or disabled';
            if (claims.ver !== account.version) return 'issued before the account changed';
            if (claims.sid !== undefined && !(await logins.find(claims.sid))) return 'signed out';
            return null;
          },
        }),
      );
      const signingIn = setup.boundaries.filter((boundary) => boundary.accepts.some((accept) => accept.method === 'jwt' && accept.variant === 'login-endpoint'));
      for (const boundary of signingIn) routes.push(...issuerRoutes(`/${boundary.id}`, issuer));
      routes.push(jwksRoute(issuer));
    }

    let development: RunningTokenService | null = null;
    if (config.tokenService) {
      let jwksUrl = config.tokenService.jwksUrl;
      if (jwksUrl === null) {
        development = await runTokenService(0, '127.0.0.1');
        jwksUrl = development.jwksUrl;
        setup.warnings.push(
          `JWT_TOKEN_SERVICE_JWKS_URL is not set: a development token service runs inside this process at ${development.url}, ` +
            'and token-service boundaries verify its tokens. In production, run your token service and set the variable to its key set.',
        );
      }
      strategies.push(
        jwtStrategy({
          variant: 'token-service',
          issuer: config.tokenService.issuer,
          audience: config.audience,
          realm: config.realm,
          clockSkew: config.tokenService.lifetimes.clockSkew,
          maxAge: config.tokenService.lifetimes.accessToken,
          resolveKey: remoteKeys(jwksUrl, { cacheMaxAge: config.tokenService.jwksCacheMaxAge, cooldown: config.tokenService.jwksCooldown, log: setup.log }),
          clock: setup.clock,
          dpop,
          // NOTE: no per-request store check: the token service's store is not this API's. A token it
          // issued stays valid until it expires, which is why access tokens are short-lived.
        }),
      );
    }
    const developmentIssuer = development ? development.auth.method<JwtMethod>('jwt').issuer : null;

    const issuerOf = (variant: string): Issuer => {
      const issuer = variant === 'login-endpoint' ? own : developmentIssuer;
      if (issuer) return issuer;
      throw new UsageError(
        `Tokens for token-service boundaries come from your token service (${config.tokenService?.jwksUrl ?? ''}); get one there, e.g. with its auth:credential or its /${TOKEN_SERVICE_BOUNDARY}/token.`,
      );
    };

    return {
      id: 'jwt',
      config,
      accounts,
      issuer: own ?? developmentIssuer,
      developmentTokenService: development,
      strategies,
      routes,
      startTokenService: runTokenService,
      async credential(request: CredentialRequest): Promise<IssuedCredential> {
        const issuer = issuerOf(request.variant);
        if (config.dpop) {
          throw new UsageError('With JWT_DPOP=on every request needs a proof made with the client\'s private key; a header alone cannot be minted. Sign in at the token endpoint with a DPoP proof instead.');
        }
        try {
          const account = (await accounts.find(request.subject)) ?? (await accounts.create({ username: request.subject, password: randomBytes(24).toString('base64url'), scopes: [...request.scopes] }));
          const missing = request.scopes.filter((scope) => !account.scopes.includes(scope));
          if (missing.length > 0) {
            throw new UsageError(`The account "${account.username}" does not hold ${missing.join(', ')}; grant it first: ${RUN_SCRIPT} auth:users -- scopes ${account.username} ${[...new Set([...account.scopes, ...missing])].map((scope) => `--scope ${scope}`).join(' ')}`);
          }
          const minted = await issuer.accessToken({ username: account.username, version: account.version, scopes: request.scopes });
          return { header: `Authorization: Bearer ${minted.token}`, subject: account.username, scopes: [...request.scopes], tokenId: minted.jti, expiresAt: new Date(minted.expiresAt * 1000).toISOString() };
        } catch (error) {
          if (error instanceof AccountError) throw new UsageError(error.message);
          throw error;
        }
      },
      howToGetCredential(boundary: Boundary) {
        const scheme = config.dpop ? 'DPoP <access_token>" with a DPoP proof' : 'Bearer <access_token>"';
        const variants = boundary.accepts.filter((accept) => accept.method === 'jwt').map((accept) => accept.variant);
        if (variants.includes('login-endpoint')) {
          return `POST /${boundary.id}/token with {"username", "password"} (accounts: \`${RUN_SCRIPT} auth:users -- add <name>\`), then send "Authorization: ${scheme}`;
        }
        const where = development ? `the development token service, POST ${development.url}/${TOKEN_SERVICE_BOUNDARY}/token` : `your token service (${config.tokenService?.issuer ?? ''})`;
        return `an access token from ${where}, sent as "Authorization: ${scheme}`;
      },
      async close() {
        await development?.close();
      },
    };
  },
};
