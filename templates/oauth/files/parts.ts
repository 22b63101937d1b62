import type { Boundary } from '../../kernel/boundary.js';
import { ConfigError } from '../../kernel/config.js';
import type { RawMount, Route } from '../../kernel/http.js';
import type { AuthMethod, CredentialRequest, IssuedCredential, MethodSetup } from '../../kernel/method.js';
import type { Strategy } from '../../kernel/strategy.js';

/**
 * What one part of OAuth contributes (the authorization server serves the
 * variants authorization-code, client-credentials and device-code; the
 * resource server and client mode one each); index.ts puts the parts of the
 * chosen variants together into the method.
 */
export interface MethodPart {
  /** The part's name, for `part(name)`: authorization-server, resource-server or client. */
  readonly name: string;
  /** The variants it serves. */
  readonly variants: readonly string[];
  readonly strategies: readonly Strategy[];
  readonly routes?: readonly Route[];
  readonly mounts?: readonly RawMount[];
  credential(request: CredentialRequest): Promise<IssuedCredential>;
  howToGetCredential(boundary: Boundary, variant: string): string;
  close?(): Promise<void>;
}

/** The OAuth method, running: its parts by name, for the command line and your own code. */
export interface OAuthMethod extends AuthMethod {
  part<T extends MethodPart = MethodPart>(name: string): T;
}

/** The setup of one part: only the variants it serves and the boundaries that accept them; null when no boundary does. */
export function setupFor(setup: MethodSetup, served: readonly string[]): MethodSetup | null {
  const variants = setup.variants.filter((variant) => served.includes(variant));
  if (variants.length === 0) return null;
  const boundaries = setup.boundaries.filter((boundary) => boundary.accepts.some((accept) => accept.method === 'oauth' && variants.includes(accept.variant)));
  return { ...setup, variants, boundaries };
}

/** Refuses a boundary whose OAuth variant this package holds no code for. */
export function checkVariantsServed(setup: MethodSetup, served: readonly string[]): void {
  const unknown = setup.variants.filter((variant) => !served.includes(variant));
  if (unknown.length > 0) throw new ConfigError(`This package was generated without OAuth ${unknown.join(', ')}; scaffold it with --variant ${unknown[0]}.`);
}

/** One method from its parts. A mount two parts share (the practice issuer) counts once. */
export function combineParts(parts: readonly MethodPart[]): OAuthMethod {
  const partServing = (variant: string): MethodPart => {
    const part = parts.find((candidate) => candidate.variants.includes(variant));
    if (!part) throw new ConfigError(`No boundary of this package accepts OAuth ${variant}.`);
    return part;
  };
  const closes = [...new Set(parts.flatMap((part) => (part.close ? [part.close] : [])))];
  return {
    id: 'oauth',
    part<T extends MethodPart>(name: string): T {
      const found = parts.find((candidate) => candidate.name === name);
      if (!found) throw new ConfigError(`This package runs no OAuth ${name}: no boundary accepts its variants.`);
      return found as T;
    },
    strategies: parts.flatMap((part) => part.strategies),
    routes: parts.flatMap((part) => part.routes ?? []),
    mounts: [...new Set(parts.flatMap((part) => part.mounts ?? []))],
    credential: (request) => partServing(request.variant).credential(request),
    howToGetCredential: (boundary) => {
      const accepted = boundary.accepts.find((accept) => accept.method === 'oauth' && parts.some((part) => part.variants.includes(accept.variant)));
      return accepted ? partServing(accepted.variant).howToGetCredential(boundary, accepted.variant) : 'an OAuth access token';
    },
    async close() {
      for (const close of closes.reverse()) await close();
    },
  };
}
