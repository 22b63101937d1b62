import { assembleAuth, type Auth } from '../../kernel/auth.js';
import type { BoundaryTable } from '../../kernel/boundary.js';
import type { Clock } from '../../kernel/clock.js';
import { ConfigError, type Env } from '../../kernel/config.js';
import type { MethodModule } from '../../kernel/method.js';
import type { RunningServer } from '../../kernel/server.js';
import type { AuthStore } from '../../kernel/store.js';
// NOTE: the one import of a method from outside the kernel: the adapter's exports are the same on
// every stack, so this file does not depend on which stack the project uses.
import { serve } from '../../stack.js';
import { JWKS_PATH } from './routes.js';

/** The token service's own route group: `/auth/token`, `/auth/token/refresh`, `/auth/logout`, `/auth/logout-everywhere`. */
export const TOKEN_SERVICE_BOUNDARY = 'auth';

export interface RunningTokenService {
  url: string;
  jwksUrl: string;
  auth: Auth;
  close(): Promise<void>;
}

/**
 * Runs this package's issuer as a token service of its own: the login-endpoint
 * code, signing with JWT_TOKEN_SERVICE_ISSUER as its `iss`, served on its own
 * port. `auth:jwt -- token-service` runs it for production; a package with a
 * token-service boundary and no JWT_TOKEN_SERVICE_JWKS_URL runs one inside
 * the app in development, so the demo works end to end over real HTTP.
 */
export async function startTokenService(
  jwt: MethodModule,
  options: { env: Env; store?: AuthStore; clock?: Clock; log?: (message: string) => void; audit?: (line: string) => void; port: number; host: string },
): Promise<RunningTokenService> {
  if (!options.env.JWT_TOKEN_SERVICE_ISSUER?.trim()) {
    throw new ConfigError('JWT_TOKEN_SERVICE_ISSUER is not set; set it to the iss the token service signs with, e.g. https://auth.example.com.');
  }
  const boundaries: BoundaryTable = [{ id: TOKEN_SERVICE_BOUNDARY, label: 'Token service', accepts: [{ method: 'jwt', variant: 'login-endpoint' }] }];
  const auth = await assembleAuth({
    methods: [jwt],
    boundaries,
    env: { ...options.env, JWT_ISSUER: options.env.JWT_TOKEN_SERVICE_ISSUER },
    ...(options.store ? { store: options.store } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.audit ? { audit: options.audit } : {}),
  });
  let server: RunningServer;
  try {
    server = await serve(auth, { port: options.port, host: options.host });
  } catch (error) {
    await auth.close();
    throw error;
  }
  return {
    url: server.url,
    jwksUrl: `${server.url}${JWKS_PATH}`,
    auth,
    async close() {
      await server.close();
      await auth.close();
    },
  };
}
