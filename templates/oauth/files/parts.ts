import type { Boundary } from '../../kernel/boundary.js';
import type { Command } from '../../kernel/command-line.js';
import { ConfigError } from '../../kernel/config.js';
import type { RawMount, Route } from '../../kernel/http.js';
import type { AuthMethod, CredentialRequest, IssuedCredential, MethodSetup } from '../../kernel/method.js';
import type { Strategy } from '../../kernel/strategy.js';

/**
 * OAuth comes in parts, each serving some of the method's variants (the
 * authorization server serves authorization-code, client-credentials and
 * device-code). A package holds the parts of the variants it was generated
 * with; the method is their sum.
 */
export interface OAuthPart {
  readonly name: string;
  readonly strategies: readonly Strategy[];
  readonly routes?: readonly Route[];
  readonly mounts?: readonly RawMount[];
  credential(request: CredentialRequest): Promise<IssuedCredential>;
  howToGetCredential(boundary: Boundary, variant: string): string;
  close?(): Promise<void>;
}

export interface PartModule {
  readonly name: string;
  /** The variants this part serves. */
  readonly variants: readonly string[];
  readonly commands?: readonly Command[];
  /** Starts the part; `setup.variants` holds only the variants of this part some boundary accepts. */
  start(setup: MethodSetup): Promise<OAuthPart>;
}

/** The OAuth method, running: what every method offers, and its parts by name (for their commands and your code). */
export interface OAuthMethod extends AuthMethod {
  part<T extends OAuthPart>(name: string): T;
}

/** Starts the parts whose variants some boundary accepts, and answers for them as one method. */
export async function combineParts(setup: MethodSetup, modules: readonly PartModule[]): Promise<OAuthMethod> {
  const unknown = setup.variants.filter((variant) => !modules.some((module) => module.variants.includes(variant)));
  if (unknown.length > 0) throw new ConfigError(`This package was generated without OAuth ${unknown.join(', ')}; scaffold it with --variant ${unknown[0]}.`);
  const running: { module: PartModule; part: OAuthPart }[] = [];
  const closeAll = async () => {
    for (const { part } of running.reverse()) await part.close?.();
  };
  try {
    for (const module of modules) {
      const variants = setup.variants.filter((variant) => module.variants.includes(variant));
      if (variants.length === 0) continue;
      const boundaries = setup.boundaries.filter((boundary) => boundary.accepts.some((accept) => accept.method === 'oauth' && variants.includes(accept.variant)));
      running.push({ module, part: await module.start({ ...setup, variants, boundaries }) });
    }
  } catch (error) {
    await closeAll().catch(() => {});
    throw error;
  }
  const owner = (variant: string) => {
    const found = running.find(({ module }) => module.variants.includes(variant));
    if (!found) throw new ConfigError(`No boundary of this package accepts OAuth ${variant}.`);
    return found.part;
  };
  return {
    id: 'oauth',
    strategies: running.flatMap(({ part }) => part.strategies),
    routes: running.flatMap(({ part }) => part.routes ?? []),
    mounts: running.flatMap(({ part }) => part.mounts ?? []),
    credential: (request) => owner(request.variant).credential(request),
    howToGetCredential(boundary) {
      const accept = boundary.accepts.find((candidate) => candidate.method === 'oauth');
      return accept ? owner(accept.variant).howToGetCredential(boundary, accept.variant) : 'this boundary does not accept OAuth';
    },
    part<T extends OAuthPart>(name: string): T {
      const found = running.find(({ part }) => part.name === name);
      if (!found) throw new ConfigError(`This package runs no OAuth ${name}: no boundary accepts its variants.`);
      return found.part as T;
    },
    close: closeAll,
  };
}
