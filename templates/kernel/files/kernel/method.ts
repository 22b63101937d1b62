import type { IncomingMessage } from 'node:http';
import type { POLICY } from '../policy.js';
import type { KernelSettings } from './auth.js';
import type { Boundary } from './boundary.js';
import type { Clock } from './clock.js';
import type { Command } from './command-line.js';
import type { Env } from './config.js';
import type { AuthRequest, RawMount, Route } from './http.js';
import type { MethodId } from './principal.js';
import type { AuthStore } from './store.js';
import type { Strategy } from './strategy.js';
import type { Throttle } from './throttle.js';

/** What the kernel hands a method when the auth package starts. */
export interface MethodSetup {
  env: Env;
  store: AuthStore;
  clock: Clock;
  throttle: Throttle;
  policy: typeof POLICY;
  /** The server log (errors, warnings); never for secrets. */
  log: (message: string) => void;
  /** Things the operator should hear about at start-up (a short secret in development…). */
  warnings: string[];
  /** The variants of this method some boundary accepts. */
  variants: readonly string[];
  /** The boundaries that accept this method. */
  boundaries: readonly Boundary[];
  /** The kernel's settings (trusted proxies and origins, body limit, store). */
  settings: KernelSettings;
  /** The kernel's view of a Node request, for a method's raw mounts (client address as the throttle counts it, cookies…). */
  requestOf(incoming: IncomingMessage, parts: { url: string; params?: Record<string, string>; body?: unknown }): AuthRequest;
}

export interface CredentialRequest {
  boundary: Boundary;
  variant: string;
  subject: string;
  scopes: readonly string[];
}

/** A credential for demos and tests: `header` is one whole request header (`Authorization: ApiKey …`). */
export interface IssuedCredential {
  header: string;
  [detail: string]: unknown;
}

/** A method, running: its strategies, routes and whatever else it contributes. */
export interface AuthMethod {
  readonly id: MethodId;
  /** One per variant in use. */
  readonly strategies: readonly Strategy[];
  readonly routes?: readonly Route[];
  readonly mounts?: readonly RawMount[];
  /** Mints a credential a non-browser client can send, creating whatever it needs (a key, a user, a session). */
  credential(request: CredentialRequest): Promise<IssuedCredential>;
  /** How a caller of this boundary gets a credential, in a sentence (the demo prints it). */
  howToGetCredential(boundary: Boundary): string;
  close?(): Promise<void>;
}

/** A method as `auth.ts` imports it: its command-line commands, and how to start it. */
export interface MethodModule {
  readonly id: MethodId;
  readonly commands?: readonly Command[];
  create(setup: MethodSetup): Promise<AuthMethod>;
}
