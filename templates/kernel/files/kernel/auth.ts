import type { IncomingMessage } from 'node:http';
import { resolve } from 'node:path';
import { POLICY } from '../policy.js';
import type { AuditSink } from './audit.js';
import { commandsOf, type Command } from './command-line.js';
import { strategyKey, type Boundary, type BoundaryTable } from './boundary.js';
import { systemClock, type Clock } from './clock.js';
import { ConfigError, readChoice, readOrigins, readSeconds, readWhole, type Env } from './config.js';
import { createGuard, type Guard } from './guard.js';
import { headersOf, parseCookies, pathOf, rawHeaderValues, type AuthRequest, type AuthResponse, type RawMount, type Route } from './http.js';
import type { AuthMethod, IssuedCredential, MethodModule } from './method.js';
import { ownsTenant, type MethodId, type Principal } from './principal.js';
import { problem, problemForError } from './problem.js';
import { clientAddress, PROXY_HEADERS, type TrustedProxy } from './source.js';
import { STORE_PREFIX_PATTERN, type AuthStore, type StoreSettings } from './store.js';
import { openStore } from './stores/index.js';
import { schemeOf, type Strategy } from './strategy.js';
import { createThrottle, type Throttle } from './throttle.js';
import { UsageCounter } from './usage.js';

/** How a program starts the auth package; everything is optional and read from the environment when absent. */
export interface AuthConfig {
  env?: Env;
  /** A store you opened yourself (tests pass one); it stays open when the package closes. */
  store?: AuthStore;
  clock?: Clock;
  /** Where audit lines go; stdout by default. */
  audit?: AuditSink;
  /** The server log; stderr by default. */
  log?: (message: string) => void;
  /** Relative paths (the SQLite file) start here; the working directory by default. */
  cwd?: string;
  /** How often usage counts are written to the store, in ms (0: only on close). */
  usageFlushEvery?: number;
  /** Framework-agnostic routes of your own, mounted by the stack adapter like the methods' routes. */
  routes?: readonly Route[];
}

/** The kernel's own settings, from the environment. */
export interface KernelSettings {
  proxy: TrustedProxy;
  /** Origins allowed to send cookie-authenticated unsafe requests; empty: the request's own host. */
  trustedOrigins: string[];
  /** Largest body a kernel route reads, in bytes. */
  bodyLimit: number;
  /** How far a DPoP proof's `iat` may be from now, in seconds (POLICY.dpop.proofWindow). */
  dpopProofWindow: number;
  store: StoreSettings;
}

export function readKernelSettings(env: Env, cwd: string): KernelSettings {
  const prefix = env.AUTH_STORE_PREFIX?.trim() || 'auth';
  if (!STORE_PREFIX_PATTERN.test(prefix)) {
    throw new ConfigError(`AUTH_STORE_PREFIX must start with a lowercase letter and hold only a-z, 0-9 and "_" (at most 31); got "${prefix}".`);
  }
  return {
    proxy: {
      hops: readWhole(env, 'AUTH_TRUST_PROXY', { default: 0, min: 0, max: 10 }, 'proxies in front of the app'),
      header: readChoice(env, 'AUTH_PROXY_HEADER', PROXY_HEADERS, 'x-forwarded-for'),
    },
    trustedOrigins: readOrigins(env, 'AUTH_TRUSTED_ORIGINS'),
    bodyLimit: readWhole(env, 'AUTH_BODY_LIMIT', { default: 16_384, min: 1_024, max: 1_048_576 }, 'bytes'),
    dpopProofWindow: readSeconds(env, 'AUTH_DPOP_PROOF_WINDOW_SECONDS', POLICY.dpop.proofWindow),
    store: {
      prefix,
      sqlitePath: resolve(cwd, env.AUTH_SQLITE_PATH?.trim() || '.auth-data/auth.sqlite'),
      databaseUrl: env.DATABASE_URL,
      redisUrl: env.REDIS_URL,
    },
  };
}

/** The kernel's view of a Node request: every check reads this, whatever the framework. */
export function requestFrom(settings: KernelSettings, incoming: IncomingMessage, parts: { url: string; params?: Record<string, string>; body?: unknown }): AuthRequest {
  const headers = headersOf(incoming);
  return {
    method: (incoming.method ?? 'GET').toUpperCase(),
    url: parts.url,
    path: pathOf(parts.url),
    headers,
    authorization: rawHeaderValues(incoming.rawHeaders, 'authorization'),
    cookies: parseCookies(headers.cookie),
    source: clientAddress(incoming.socket.remoteAddress, headers, settings.proxy),
    params: parts.params ?? {},
    ...(parts.body === undefined ? {} : { body: parts.body }),
  };
}

/** The running auth package: one object for the stack adapter, the demo, the CLI and your own code. */
export interface Auth {
  readonly boundaries: BoundaryTable;
  /** Routes the methods contribute (e.g. `POST /partners/keys`); the stack adapter mounts them. */
  readonly routes: readonly Route[];
  /** Raw Node handlers served before the framework. */
  readonly mounts: readonly RawMount[];
  /** The management commands (`cli.ts`): the kernel's and each method's. */
  readonly commands: readonly Command[];
  readonly store: AuthStore;
  readonly clock: Clock;
  readonly throttle: Throttle;
  readonly usage: UsageCounter;
  readonly settings: KernelSettings;
  /** Start-up warnings (printed by the demo and the CLI). */
  readonly warnings: readonly string[];
  readonly log: (message: string) => void;
  guard(boundaryId: string): Guard;
  /** The kernel's view of a Node request. */
  requestOf(incoming: IncomingMessage, parts: { url: string; params?: Record<string, string>; body?: unknown }): AuthRequest;
  /** 403 unless the principal holds the scope; null when it does. */
  requireScope(principal: Principal, scope: string): AuthResponse | null;
  /** 404 unless the principal belongs to the tenant (404, not 403: it does not reveal that the object exists). */
  requireTenant(principal: Principal, tenant: string): AuthResponse | null;
  /** A credential for a boundary (its first live method, or the one named), for demos and tests. */
  credential(request: { boundary?: string; method?: MethodId; variant?: string; subject: string; scopes?: readonly string[] }): Promise<IssuedCredential>;
  howToGetCredential(boundaryId: string): string[];
  method<T extends AuthMethod = AuthMethod>(id: MethodId): T;
  /** The problem reply for an error that escaped a handler (logged when it is ours). */
  errorReply(error: unknown): AuthResponse;
  close(): Promise<void>;
}

function checkBoundaries(boundaries: BoundaryTable, methods: readonly MethodModule[]): void {
  const seen = new Set<string>();
  for (const boundary of boundaries) {
    if (!/^[a-z][a-z0-9-]{0,31}$/.test(boundary.id)) throw new ConfigError(`Boundary id "${boundary.id}" must be a lowercase route segment.`);
    if (seen.has(boundary.id)) throw new ConfigError(`Boundary "${boundary.id}" appears twice in the boundaries table.`);
    seen.add(boundary.id);
    for (const accept of boundary.accepts) {
      if (!methods.some((module) => module.id === accept.method)) {
        throw new ConfigError(`Boundary "${boundary.id}" accepts ${accept.method}, which this package was not generated with.`);
      }
    }
  }
}

export async function assembleAuth(input: AuthConfig & { methods: readonly MethodModule[]; boundaries: BoundaryTable }): Promise<Auth> {
  const env = input.env ?? process.env;
  const clock = input.clock ?? systemClock;
  const log = input.log ?? ((message: string) => console.error(message));
  const audit = input.audit ?? ((line: string) => console.log(line));
  const settings = readKernelSettings(env, input.cwd ?? process.cwd());
  checkBoundaries(input.boundaries, input.methods);
  const store = input.store ?? (await openStore(settings.store));
  const ownsStore = input.store === undefined;
  const throttle = createThrottle(store, POLICY.throttle, clock);
  const usage = new UsageCounter(store, clock, input.usageFlushEvery ?? 30_000);
  const warnings: string[] = [];
  const running = new Map<MethodId, AuthMethod>();

  const closeAll = async () => {
    for (const method of running.values()) await method.close?.();
    await usage.close();
    if (ownsStore) await store.close();
  };

  try {
    for (const module of input.methods) {
      const boundaries = input.boundaries.filter((boundary) => boundary.accepts.some((accept) => accept.method === module.id));
      const variants = [...new Set(boundaries.flatMap((boundary) => boundary.accepts.filter((a) => a.method === module.id).map((a) => a.variant)))];
      running.set(
        module.id,
        await module.create({ env, store, clock, throttle, policy: POLICY, log, warnings, variants, boundaries, settings, requestOf: (incoming, parts) => requestFrom(settings, incoming, parts) }),
      );
    }
  } catch (error) {
    await closeAll().catch(() => {});
    throw error;
  }

  const strategies = new Map<string, Strategy>();
  for (const method of running.values()) for (const strategy of method.strategies) strategies.set(strategyKey(strategy.method, strategy.variant), strategy);
  const guards = new Map<string, Guard>();
  for (const boundary of input.boundaries) {
    guards.set(boundary.id, createGuard({ boundary, strategies, throttle, audit, usage, clock, trustedOrigins: settings.trustedOrigins, log }));
  }
  const boundaryNamed = (id: string | undefined): Boundary => {
    if (id === undefined) {
      if (input.boundaries.length === 1) return input.boundaries[0]!;
      throw new ConfigError(`Name a boundary: ${input.boundaries.map((b) => b.id).join(', ')}.`);
    }
    const boundary = input.boundaries.find((candidate) => candidate.id === id);
    if (!boundary) throw new ConfigError(`There is no boundary "${id}"; the boundaries are: ${input.boundaries.map((b) => b.id).join(', ')}.`);
    return boundary;
  };
  const strategyOfPrincipal = (principal: Principal) => strategies.get(strategyKey(principal.method, principal.variant));

  return {
    boundaries: input.boundaries,
    routes: [...[...running.values()].flatMap((method) => method.routes ?? []), ...(input.routes ?? [])],
    mounts: [...running.values()].flatMap((method) => method.mounts ?? []),
    commands: commandsOf(input.methods),
    store,
    clock,
    throttle,
    usage,
    settings,
    warnings,
    log,
    guard(boundaryId) {
      const guard = guards.get(boundaryId);
      if (!guard) throw new ConfigError(`There is no boundary "${boundaryId}" in boundaries.ts.`);
      return guard;
    },
    requestOf: (incoming, parts) => requestFrom(settings, incoming, parts),
    requireScope(principal, scope) {
      if (principal.scopes.includes(scope)) return null;
      const challenge = strategyOfPrincipal(principal)?.challenge;
      return problem('insufficient-scope', `This credential does not grant the "${scope}" scope.`, {
        headers: challenge ? { 'www-authenticate': `${challenge}, error="insufficient_scope", scope="${scope}"` } : {},
        extensions: { scope },
      });
    },
    requireTenant(principal, tenant) {
      return ownsTenant(principal, tenant) ? null : problem('not-found');
    },
    async credential(request) {
      const boundary = boundaryNamed(request.boundary);
      const wanted = boundary.accepts.filter(
        (candidate) => (request.method === undefined || candidate.method === request.method) && (request.variant === undefined || candidate.variant === request.variant),
      );
      const accept = wanted.find((candidate) => candidate.retiring === undefined) ?? wanted[0];
      if (!accept) throw new ConfigError(`Boundary "${boundary.id}" does not accept ${request.method ?? 'any method'}${request.variant ? ` (${request.variant})` : ''}.`);
      return running.get(accept.method)!.credential({ boundary, variant: accept.variant, subject: request.subject, scopes: request.scopes ?? [] });
    },
    howToGetCredential(boundaryId) {
      const boundary = boundaryNamed(boundaryId);
      return boundary.accepts.map((accept) => {
        const scheme = schemeOf(strategies.get(strategyKey(accept.method, accept.variant))?.challenge ?? accept.method);
        return `${accept.method} (${accept.variant}, ${scheme}): ${running.get(accept.method)!.howToGetCredential(boundary)}`;
      });
    },
    method<T extends AuthMethod = AuthMethod>(id: MethodId): T {
      const method = running.get(id);
      if (!method) throw new ConfigError(`This auth package was generated without ${id}.`);
      return method as T;
    },
    errorReply: (error) => problemForError(error, log),
    close: closeAll,
  };
}
