import type { Boundary } from '../../kernel/boundary.js';
import { ConfigError } from '../../kernel/config.js';
import type { RawMount, Route } from '../../kernel/http.js';
import type { AuthMethod, CredentialRequest, IssuedCredential } from '../../kernel/method.js';
import type { Strategy } from '../../kernel/strategy.js';

/** What one OAuth variant contributes; index.ts puts the chosen variants' parts together into the method. */
export interface MethodPart {
  readonly variant: string;
  readonly strategies: readonly Strategy[];
  readonly routes?: readonly Route[];
  readonly mounts?: readonly RawMount[];
  credential(request: CredentialRequest): Promise<IssuedCredential>;
  howToGetCredential(boundary: Boundary): string;
  close?(): Promise<void>;
}

/** The OAuth method, running: its parts by variant, for the command line and your own code. */
export interface OAuthMethod extends AuthMethod {
  part<T extends MethodPart = MethodPart>(variant: string): T;
}

/** One method from its parts. A mount two parts share (the practice issuer) counts once. */
export function combineParts(parts: readonly MethodPart[]): OAuthMethod {
  const partFor = (variant: string): MethodPart => {
    const part = parts.find((candidate) => candidate.variant === variant);
    if (!part) throw new ConfigError(`This package has no OAuth ${variant} code.`);
    return part;
  };
  const closes = [...new Set(parts.flatMap((part) => (part.close ? [part.close] : [])))];
  return {
    id: 'oauth',
    part: <T extends MethodPart>(variant: string) => partFor(variant) as T,
    strategies: parts.flatMap((part) => part.strategies),
    routes: parts.flatMap((part) => part.routes ?? []),
    mounts: [...new Set(parts.flatMap((part) => part.mounts ?? []))],
    credential: (request) => partFor(request.variant).credential(request),
    howToGetCredential: (boundary) => {
      const accepted = boundary.accepts.find((accept) => accept.method === 'oauth' && parts.some((part) => part.variant === accept.variant));
      return accepted ? partFor(accepted.variant).howToGetCredential(boundary) : 'an OAuth access token';
    },
    async close() {
      for (const close of closes) await close();
    },
  };
}
