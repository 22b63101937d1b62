/**
 * Which methods, variants and boundaries a scaffold generates: from a
 * decision record's plan, from the manifest of an earlier scaffold, and from
 * `--method X [--variant Y] [--boundary ID]`. Pure.
 *
 * Plans are read defensively: records written by auth-decide 0.1.0 carry no
 * boundary ids, variants or token formats; those are then derived from the
 * entry's callers, as the decision record contract says.
 */
import { METHOD_IDS, TOKEN_FORMATS, VARIANTS, type Client, type MethodId, type Subject, type TokenFormat } from '../types.js';
import type { BoundaryChoice, MethodChoice } from './model.js';
import { BOUNDARY_ID_PATTERN } from './schema.js';

export interface MethodsAndBoundaries {
  methods: MethodChoice[];
  boundaries: BoundaryChoice[];
}

/** Labels of the boundary ids the decision model uses; other ids get a label made from the id. */
const BOUNDARY_LABELS: Record<string, string> = {
  api: 'Every caller of the API',
  'third-party-apps': 'Third-party applications',
  'browser-app': 'First-party browser app',
  'native-apps': 'Mobile and other installed apps',
  'cli-users': 'Command-line tools run by people',
  people: 'People signing in',
  partners: 'Partner backends',
  services: 'Internal services',
};

export const boundaryLabel = (id: string): string =>
  BOUNDARY_LABELS[id] ?? `${id.charAt(0).toUpperCase()}${id.slice(1).replace(/-/g, ' ')}`;

/** The variant a 0.1.0 record meant: it predates variants, and these were the only ones it could scaffold. */
export function derivedVariant(method: MethodId, clients: readonly Client[]): string {
  switch (method) {
    case 'api-key':
      return 'application';
    case 'session':
      return clients.length > 0 && !clients.includes('browser') ? 'token' : 'cookie';
    case 'jwt':
      return 'login-endpoint';
    case 'oauth':
      return 'authorization-code';
  }
}

const MACHINES: readonly Subject[] = ['internal-service', 'backend-integration'];

/** A boundary id from who calls and from where, for plan entries that carry none. */
export function derivedBoundaryId(subjects: readonly Subject[], clients: readonly Client[], entries: number): string {
  if (entries <= 1) return 'api';
  if (subjects.includes('third-party-app')) return 'third-party-apps';
  if (subjects.every((subject) => MACHINES.includes(subject))) {
    return subjects.includes('internal-service') ? 'services' : 'partners';
  }
  if (subjects.every((subject) => subject === 'end-user')) {
    if (clients.length > 0 && clients.every((client) => client === 'browser')) return 'browser-app';
    if (clients.length > 0 && clients.every((client) => client === 'cli')) return 'cli-users';
    if (clients.length > 0 && clients.every((client) => client === 'mobile' || client === 'cli')) return 'native-apps';
    return 'people';
  }
  return 'api';
}

/** Where `--method X` goes when no boundary is named and the plan does not say. */
export function defaultBoundaryId(method: MethodId, variant: string, hasBoundaries: boolean): string {
  if (!hasBoundaries) return 'api';
  const byVariant: Record<string, string> = {
    'api-key/application': 'partners',
    'session/cookie': 'browser-app',
    'session/token': 'native-apps',
    'jwt/login-endpoint': 'people',
    'jwt/token-service': 'people',
    'oauth/authorization-code': 'third-party-apps',
    'oauth/client-credentials': 'services',
    'oauth/device-code': 'cli-users',
    'oauth/resource-server': 'api',
    // OAuth client mode: people whose account at another provider this app is connected to.
    'oauth/client': 'connections',
  };
  return byVariant[`${method}/${variant}`] ?? method;
}

const isMethod = (value: unknown): value is MethodId => (METHOD_IDS as readonly unknown[]).includes(value);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);

/** A plan entry as a record may hold it: every field is checked here, none is trusted. */
export type LoosePlanEntry = Record<string, unknown>;

/**
 * Methods and boundaries from a decision's plan. Entries become boundaries in
 * plan order; a method used at several boundaries appears once, with every
 * variant it is used in. Throws a plain Error naming the entry when one cannot
 * be read (the caller words it for the user).
 */
export function selectionFromPlan(plan: readonly LoosePlanEntry[]): MethodsAndBoundaries {
  const methods: MethodChoice[] = [];
  const boundaries: BoundaryChoice[] = [];
  plan.forEach((entry, index) => {
    const method = entry.method;
    if (!isMethod(method)) throw new Error(`plan entry ${index + 1} names no known method`);
    const subjects = strings(entry.subjects) as Subject[];
    const clients = strings(entry.clients) as Client[];
    const known: readonly string[] = VARIANTS[method];
    const variant = typeof entry.variant === 'string' && known.includes(entry.variant) ? entry.variant : derivedVariant(method, clients);
    const tokenFormat: TokenFormat | null =
      method !== 'oauth' ? null : (TOKEN_FORMATS as readonly unknown[]).includes(entry.tokenFormat) ? (entry.tokenFormat as TokenFormat) : 'jwt';
    let id = typeof entry.id === 'string' && BOUNDARY_ID_PATTERN.test(entry.id) ? entry.id : derivedBoundaryId(subjects, clients, plan.length);
    // Two entries deriving the same id stay apart: a boundary is one route group.
    for (let n = 2; boundaries.some((boundary) => boundary.id === id); n++) id = `${id.replace(/-\d+$/, '')}-${n}`;
    boundaries.push({ id, label: boundaryLabel(id), accepts: [{ method, variant }] });
    const existing = methods.find((choice) => choice.method === method);
    if (existing === undefined) methods.push({ method, variants: [variant], tokenFormat });
    else if (!existing.variants.includes(variant)) existing.variants.push(variant);
  });
  return { methods, boundaries };
}

export class SelectionError extends Error {
  override name = 'SelectionError';
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.hint = hint;
  }
}

/**
 * Adds method X (or refreshes it) on top of what the package already has.
 * Without a variant or boundary and with X already present, nothing changes:
 * that is a refresh. A new variant or boundary is added beside what is there;
 * naming an existing boundary makes X one more method it accepts.
 */
export function withMethod(
  current: MethodsAndBoundaries,
  request: { method: MethodId; variant?: string; boundary?: string; tokenFormat?: TokenFormat | null },
  planned: MethodsAndBoundaries | null,
): MethodsAndBoundaries {
  const methods = current.methods.map((choice) => ({ ...choice, variants: [...choice.variants] }));
  const boundaries = current.boundaries.map((boundary) => ({ ...boundary, accepts: boundary.accepts.map((accept) => ({ ...accept })) }));
  const existing = methods.find((choice) => choice.method === request.method);
  if (existing && request.variant === undefined && request.boundary === undefined) return { methods, boundaries };

  // The plan knows where X goes, when the decision record names it.
  const plannedBoundary = planned?.boundaries.find((boundary) =>
    boundary.accepts.some((accept) => accept.method === request.method && (request.variant === undefined || accept.variant === request.variant)),
  );
  const plannedVariant = plannedBoundary?.accepts.find((accept) => accept.method === request.method)?.variant;
  const variant = request.variant ?? plannedVariant ?? existing?.variants[0] ?? VARIANTS[request.method][0];
  const tokenFormat =
    request.method !== 'oauth' ? null : (request.tokenFormat ?? existing?.tokenFormat ?? planned?.methods.find((m) => m.method === 'oauth')?.tokenFormat ?? 'jwt');

  if (existing) {
    if (!existing.variants.includes(variant)) existing.variants.push(variant);
    existing.tokenFormat = tokenFormat;
  } else {
    methods.push({ method: request.method, variants: [variant], tokenFormat });
  }

  const alreadyServed = boundaries.some((boundary) => boundary.accepts.some((accept) => accept.method === request.method && accept.variant === variant));
  if (alreadyServed && request.boundary === undefined) return { methods, boundaries };

  const id = request.boundary ?? (plannedBoundary?.id && !boundaries.some((b) => b.id === plannedBoundary.id) ? plannedBoundary.id : defaultBoundaryId(request.method, variant, boundaries.length > 0));
  if (!BOUNDARY_ID_PATTERN.test(id)) {
    throw new SelectionError(`--boundary "${id}" is not a boundary id`, 'Use lowercase letters, digits and "-", starting with a letter (at most 32 characters), e.g. partners.');
  }
  const target = boundaries.find((boundary) => boundary.id === id);
  if (target === undefined) {
    boundaries.push({ id, label: plannedBoundary?.id === id ? plannedBoundary.label : boundaryLabel(id), accepts: [{ method: request.method, variant }] });
  } else if (!target.accepts.some((accept) => accept.method === request.method && accept.variant === variant)) {
    if (request.boundary === undefined) {
      const others = target.accepts.map((accept) => `${accept.method} (${accept.variant})`).join(', ');
      throw new SelectionError(
        `The boundary "${id}" already accepts ${others}; where should ${request.method} (${variant}) go?`,
        `Pass --boundary <id>: a new id makes a new route group, "${id}" makes ${request.method} one more method it accepts.`,
      );
    }
    target.accepts.push({ method: request.method, variant });
  }
  return { methods, boundaries };
}
