import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { ConfigError, readWhole, type Env } from '../../../kernel/config.js';
import type { RawMount } from '../../../kernel/http.js';
import type { MethodSetup } from '../../../kernel/method.js';
import { listen } from '../../../kernel/server.js';
import { openPracticeIssuer, PRACTICE_PATH, type PracticeIssuer, type PracticeIssuerOptions } from './issuer.js';

/**
 * Where the practice issuer runs, from the environment:
 * - `OAUTH_PRACTICE_ISSUER=1` turns it on (refused when NODE_ENV=production);
 * - by default it is served by the app itself under /practice-issuer, at
 *   `http://127.0.0.1:$PORT`, so the demo and `auth:credential` (same PORT)
 *   agree on its address;
 * - `OAUTH_PRACTICE_ISSUER_PORT` gives it a listener of its own on 127.0.0.1
 *   (0: any free port), as the tests do.
 */
export interface PracticeSettings {
  appOrigin: string;
  ownPort: number | null;
}

export function readPracticeSettings(env: Env): PracticeSettings | null {
  const flag = env.OAUTH_PRACTICE_ISSUER?.trim() ?? '';
  if (flag === '' || flag === '0') return null;
  if (flag !== '1') throw new ConfigError(`OAUTH_PRACTICE_ISSUER must be 1 (on) or empty (off); got "${flag}".`);
  if (env.NODE_ENV === 'production') throw new ConfigError('OAUTH_PRACTICE_ISSUER is for local demos and tests; unset it when NODE_ENV=production.');
  const port = readWhole(env, 'PORT', { default: 3000, min: 0, max: 65_535 });
  const own = env.OAUTH_PRACTICE_ISSUER_PORT?.trim() ?? '';
  return {
    // Client mode's app is sent back here; OAUTH_APP_URL, when set, is where the app really is.
    appOrigin: env.OAUTH_APP_URL?.trim().replace(/\/+$/, '') || `http://127.0.0.1:${port}`,
    ownPort: own === '' ? null : readWhole(env, 'OAUTH_PRACTICE_ISSUER_PORT', { default: 0, min: 0, max: 65_535 }),
  };
}

export interface RunningPractice {
  issuer: PracticeIssuer;
  /** Set when the app serves it. */
  mount: RawMount | null;
  close(): Promise<void>;
}

/** What the resource server needs of the practice issuer's access tokens. */
export type PracticeTokens = Pick<PracticeIssuerOptions, 'audience' | 'accessTokenFormat' | 'accessTokenTtl'>;

/** Every variant of one package shares one practice issuer. */
const running = new WeakMap<MethodSetup, Promise<RunningPractice>>();

/**
 * The practice issuer of this package, started on first use. `audience` and
 * `accessTokenFormat` are the resource server's; OAuth client mode's app may
 * come back to `/<boundary>/callback` of every boundary that accepts it.
 */
export function practiceIssuerOf(
  setup: MethodSetup,
  settings: PracticeSettings,
  tokens: PracticeTokens,
): Promise<RunningPractice> {
  let started = running.get(setup);
  if (started === undefined) {
    started = start(setup, settings, tokens);
    running.set(setup, started);
  }
  return started;
}

async function start(setup: MethodSetup, settings: PracticeSettings, tokens: PracticeTokens): Promise<RunningPractice> {
  const connectRedirectUris = setup.boundaries
    .filter((boundary) => boundary.accepts.some((accept) => accept.method === 'oauth' && accept.variant === 'client'))
    .map((boundary) => `${settings.appOrigin}/${boundary.id}/callback`);
  const options = { store: setup.store, ...tokens, connectRedirectUris };
  const practice =
    settings.ownPort === null
      ? await mountedPractice(settings.appOrigin, options)
      : await listeningPractice(settings.ownPort, options);
  setup.warnings.push(`OAUTH_PRACTICE_ISSUER=1: a practice issuer runs at ${practice.issuer.issuer}; its login page accepts anyone. For local demos and tests only.`);
  return practice;
}

type PracticeOptions = Omit<PracticeIssuerOptions, 'issuer'>;

/** Served by the app under /practice-issuer. */
async function mountedPractice(appOrigin: string, options: PracticeOptions): Promise<RunningPractice> {
  const issuer = await openPracticeIssuer({ ...options, issuer: `${appOrigin}${PRACTICE_PATH}` });
  return { issuer, mount: { path: PRACTICE_PATH, handle: issuer.handle }, close: async () => {} };
}

/** On a listener of its own, on 127.0.0.1 (port 0: any free port); the tests start theirs this way. */
export async function listeningPractice(port: number, options: PracticeOptions): Promise<RunningPractice> {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const server = await listen(createServer((req, res) => (handler ? handler(req, res) : res.writeHead(503).end())), port, '127.0.0.1');
  try {
    const issuer = await openPracticeIssuer({ ...options, issuer: `${server.url}${PRACTICE_PATH}` });
    handler = issuer.handle;
    let closed = false;
    return {
      issuer,
      mount: null,
      async close() {
        if (closed) return;
        closed = true;
        await server.close();
      },
    };
  } catch (error) {
    await server.close();
    throw error;
  }
}
