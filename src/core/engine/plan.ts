/**
 * Per-boundary plan. Mixing methods is fine as long as every boundary is
 * explicit: callers are split into groups (third-party apps, people in a
 * browser, on mobile apps, on command-line tools, partner backends, internal
 * services), each group is scored on its own, and the plan is the cheapest
 * assignment of methods to groups, where every auth system beyond the first
 * costs EXTRA_SYSTEM_COST points of fit. Rules the weighted sum cannot
 * express are hard limits on the assignment:
 * - a method a group's own rules exclude never serves that group (API keys
 *   never serve people; sessions never serve programs);
 * - the recommendation serves at least one boundary;
 * - with OAuth in the plan, people it can serve get no second token system
 *   (no JWTs, no session tokens): its authorization server signs them in.
 */
import { METHODS } from '../knowledge.js';
import { CLIENTS, METHOD_IDS, SUBJECTS, type Answers, type BoundaryId, type Client, type MethodId, type PlanEntry, type Subject, type Variant } from '../types.js';
import { InternalError } from '../../errors.js';
import { score, SIMPLICITY_ORDER } from './scoring.js';
import { oauthTokenFormat, variantFor } from './variants.js';

/**
 * What one more auth system in the plan costs, in points of fit: a boundary
 * gets a method of its own only when that method fits it this much better
 * than every method the plan already runs.
 */
export const EXTRA_SYSTEM_COST = 8;

type GroupKind = 'third-party' | 'browser-users' | 'native-users' | 'cli-users' | 'other-users' | 'partners' | 'services';

const GROUP_IDS: Record<GroupKind, BoundaryId> = {
  'third-party': 'third-party-apps',
  'browser-users': 'browser-app',
  'native-users': 'native-apps',
  'cli-users': 'cli-users',
  'other-users': 'people',
  partners: 'partners',
  services: 'services',
};

const PEOPLE_GROUPS: readonly GroupKind[] = ['browser-users', 'native-users', 'cli-users', 'other-users'];

export interface CallerGroup {
  kind: GroupKind;
  subjects: Subject[];
  clients: Client[];
  /** People at this boundary grant apps access on their behalf. */
  delegation: boolean;
}

const SERVER_CLIENTS: readonly Client[] = ['backend-service', 'scheduled-job'];

const canonicalSubjects = (list: readonly Subject[]) => SUBJECTS.filter((subject) => list.includes(subject));
const canonicalClients = (list: readonly Client[]) => CLIENTS.filter((client) => list.includes(client));
const pick = (clients: readonly Client[], wanted: readonly Client[]) => clients.filter((client) => wanted.includes(client));

export function callerGroups(answers: Answers): CallerGroup[] {
  const { subjects, clients } = answers;
  const hasPeople = subjects.includes('end-user');
  const hasThirdParty = subjects.includes('third-party-app');
  // A command-line tool runs on someone's machine: a person's when people call the API, else a program's.
  const serverSide = pick(clients, hasPeople ? SERVER_CLIENTS : [...SERVER_CLIENTS, 'cli']);
  const groups: Omit<CallerGroup, 'delegation'>[] = [];

  if (hasThirdParty) {
    groups.push({ kind: 'third-party', subjects: ['third-party-app'], clients: hasPeople && serverSide.length > 0 ? serverSide : [...clients] });
  }
  const hostsServers = hasThirdParty || subjects.some((subject) => subject === 'internal-service' || subject === 'backend-integration');
  if (hasPeople) {
    if (clients.includes('browser')) groups.push({ kind: 'browser-users', subjects: ['end-user'], clients: ['browser'] });
    if (clients.includes('mobile')) groups.push({ kind: 'native-users', subjects: ['end-user'], clients: ['mobile'] });
    if (clients.includes('cli')) groups.push({ kind: 'cli-users', subjects: ['end-user'], clients: ['cli'] });
    // People behind servers or jobs of their own (no program subject to own those clients) are a boundary too.
    const rest = hostsServers ? [] : pick(clients, SERVER_CLIENTS);
    if (rest.length > 0) groups.push({ kind: 'other-users', subjects: ['end-user'], clients: rest });
    // Every subject sits behind some boundary, even when the declared clients all belong to programs.
    if (!groups.some((group) => PEOPLE_GROUPS.includes(group.kind))) {
      groups.push({ kind: 'other-users', subjects: ['end-user'], clients: [...clients] });
    }
  }
  const machineClients = serverSide.length > 0 ? serverSide : [...clients];
  if (subjects.includes('backend-integration')) groups.push({ kind: 'partners', subjects: ['backend-integration'], clients: machineClients });
  if (subjects.includes('internal-service')) groups.push({ kind: 'services', subjects: ['internal-service'], clients: machineClients });

  // Every declared client must sit behind some boundary.
  const covered = new Set(groups.flatMap((group) => group.clients));
  const uncovered = clients.filter((client) => !covered.has(client));
  if (uncovered.length > 0) {
    const host =
      groups.find((group) => group.kind === 'services') ??
      groups.find((group) => group.kind === 'partners') ??
      groups.find((group) => group.kind === 'third-party') ??
      groups[0];
    if (host !== undefined) host.clients = canonicalClients([...host.clients, ...uncovered]);
  }

  // Delegated grants go to third-party apps when there are any, else to partner backends next to other callers, else to everyone.
  const target: GroupKind | 'all' = hasThirdParty
    ? 'third-party'
    : subjects.includes('backend-integration') && subjects.some((subject) => subject !== 'backend-integration')
      ? 'partners'
      : 'all';
  return groups.map((group) => ({ ...group, delegation: answers.delegatedAccess && (target === 'all' || group.kind === target) }));
}

/** A group's answers: the API's context with the group's own callers. */
const groupAnswers = (answers: Answers, group: CallerGroup): Answers => ({
  ...answers,
  subjects: group.subjects,
  clients: group.clients,
  delegatedAccess: group.delegation,
});

interface GroupOptions {
  group: CallerGroup;
  /** Methods no rule of this group excludes, in ranking order. */
  feasible: MethodId[];
  /** Exact fit of each feasible method when it is the only boundary of its system. */
  standalone: Partial<Record<MethodId, number>>;
  /** Exact fit when another boundary of the plan already runs the method. */
  shared: Partial<Record<MethodId, number>>;
  /** The best feasible method on its own, and its fit. */
  best: MethodId;
  bestExact: number;
}

function groupOptions(answers: Answers, group: CallerGroup): GroupOptions {
  const own = groupAnswers(answers, group);
  const alone = score(own).ranked;
  const extended = score(own, { alreadyBuilt: METHOD_IDS }).ranked;
  const feasible = alone.filter((entry) => entry.excludedBy.length === 0).map((entry) => entry.method);
  const standalone: Partial<Record<MethodId, number>> = {};
  const shared: Partial<Record<MethodId, number>> = {};
  for (const method of feasible) {
    standalone[method] = alone.find((entry) => entry.method === method)!.exact;
    shared[method] = extended.find((entry) => entry.method === method)!.exact;
  }
  // OAuth is never excluded, so every group has a feasible method.
  const best = feasible[0]!;
  return { group, feasible, standalone, shared, best, bestExact: standalone[best]! };
}

/** Methods that hand a person a bearer token at a boundary OAuth could serve instead. */
function secondTokenSystem(group: CallerGroup, method: MethodId): boolean {
  if (!PEOPLE_GROUPS.includes(group.kind)) return false;
  return method === 'jwt' || (method === 'session' && !group.clients.includes('browser'));
}

interface Assignment {
  methods: MethodId[];
  cost: number;
  systems: number;
}

/** Cost of one system: its primary boundary pays the full build, the others only their fit as an extension. */
function systemCost(options: readonly GroupOptions[], indexes: readonly number[], method: MethodId): number {
  let cheapest = Infinity;
  for (const primary of indexes) {
    let cost = 0;
    for (const index of indexes) {
      const option = options[index]!;
      const fit = index === primary ? option.standalone[method]! : option.shared[method]!;
      cost += option.bestExact - fit;
    }
    cheapest = Math.min(cheapest, cost);
  }
  return cheapest;
}

function evaluate(options: readonly GroupOptions[], methods: readonly MethodId[], recommendation: MethodId): Assignment | null {
  if (!methods.includes(recommendation)) return null;
  if (methods.includes('oauth') && options.some((option, index) => secondTokenSystem(option.group, methods[index]!))) return null;
  const distinct = [...new Set(methods)];
  let cost = 0;
  for (const method of distinct) {
    const indexes = methods.flatMap((candidate, index) => (candidate === method ? [index] : []));
    cost += systemCost(options, indexes, method);
  }
  cost += EXTRA_SYSTEM_COST * (distinct.length - 1);
  return { methods: [...methods], cost, systems: distinct.length };
}

const EPSILON = 1e-9;

function better(a: Assignment, b: Assignment, recommendation: MethodId): boolean {
  if (Math.abs(a.cost - b.cost) > EPSILON) return a.cost < b.cost;
  if (a.systems !== b.systems) return a.systems < b.systems;
  const uses = (x: Assignment) => x.methods.filter((method) => method === recommendation).length;
  if (uses(a) !== uses(b)) return uses(a) > uses(b);
  for (let index = 0; index < a.methods.length; index += 1) {
    const order = SIMPLICITY_ORDER.indexOf(a.methods[index]!) - SIMPLICITY_ORDER.indexOf(b.methods[index]!);
    if (order !== 0) return order < 0;
  }
  return false;
}

/** The cheapest assignment that keeps every rule; there are at most six groups, so all are tried. */
function cheapestAssignment(options: readonly GroupOptions[], recommendation: MethodId): Assignment {
  let chosen: Assignment | null = null;
  const methods: MethodId[] = [];
  const visit = (index: number) => {
    if (index === options.length) {
      const candidate = evaluate(options, methods, recommendation);
      if (candidate !== null && (chosen === null || better(candidate, chosen, recommendation))) chosen = candidate;
      return;
    }
    for (const method of options[index]!.feasible) {
      methods.push(method);
      visit(index + 1);
      methods.pop();
    }
  };
  visit(0);
  if (chosen === null) throw new InternalError(`no plan serves every boundary with ${recommendation} among its methods`);
  return chosen;
}

function boundaryText(group: CallerGroup, answers: Answers): string {
  switch (group.kind) {
    case 'third-party':
      return 'Third-party applications ↔ the API, each through its own registered client';
    case 'browser-users':
      return answers.sameSiteFrontend
        ? 'First-party browser app ↔ the API on the same site'
        : 'Browser app on another site ↔ the API (cross-site requests)';
    case 'native-users':
      return 'Mobile apps used by people ↔ the API';
    case 'cli-users':
      return 'Command-line tools run by people ↔ the API';
    case 'other-users':
      return 'People, through servers or jobs of their own ↔ the API';
    case 'partners':
      return 'Partner and customer backends ↔ the API (server to server)';
    case 'services':
      return 'Internal services ↔ the API (server to server)';
  }
}

function variantWhy(method: MethodId, variant: Variant, delegation: boolean): string {
  switch (variant) {
    case 'application':
      return 'the callers are programs; one scoped key per program is the least machinery to build and rotate';
    case 'cookie':
      return 'the backend runs sign-in and the browser holds only an HttpOnly cookie, so any session can be ended at once';
    case 'token':
      return 'the app or tool signs in once and sends an opaque token for a server-side session, which can be ended at once; no cookie, so no CSRF';
    case 'login-endpoint':
      return 'this API signs people in and issues short-lived signed tokens, sent as bearer headers; rotating refresh tokens keep sign-in revocable';
    case 'token-service':
      return 'a token service of yours issues short-lived signed tokens that every service verifies locally, with no shared store on the request path';
    case 'authorization-code':
      return delegation
        ? 'these callers act for people, who approve limited, revocable access without sharing a password'
        : 'people sign in at the authorization server and the app uses the code flow with PKCE, so the app never sees a password';
    case 'client-credentials':
      return 'each calling program is a registered client that gets short-lived service tokens with its own scopes';
    case 'device-code':
      return 'people approve the tool in a browser on any device, so the tool never handles a password';
    case 'resource-server':
      return "the API only checks tokens your identity provider issues, against its issuer and keys; apps get them through the provider's flows (code with PKCE, device code for command-line tools, client credentials for services)";
    default:
      return METHODS[method].summary;
  }
}

/** A group's callers inside a sentence. */
const CALLERS_IN_WORDS: Record<GroupKind, string> = {
  'third-party': 'third-party apps',
  'browser-users': 'people in the browser',
  'native-users': 'people on mobile apps',
  'cli-users': 'people on command-line tools',
  'other-users': 'people on servers or jobs of their own',
  partners: 'partner backends',
  services: 'internal services',
};

const points = (value: number) => `${value} point${value === 1 ? '' : 's'}`;

/** Why a group does not get the method that would fit it best on its own, as a sentence naming the group. */
function tradeOffNote(option: GroupOptions, method: MethodId, assignment: Assignment, recommendation: MethodId): string | null {
  if (method === option.best) return null;
  const callers = CALLERS_IN_WORDS[option.group.kind];
  const bestName = METHODS[option.best].name;
  if (assignment.methods.includes('oauth') && method === 'oauth' && secondTokenSystem(option.group, option.best)) {
    const token = option.best === 'session' ? 'a session token' : 'JWTs of their own';
    return `The authorization server this plan already runs signs ${callers} in too, so ${token} would be a second token system.`;
  }
  const regret = Math.round(option.bestExact - option.standalone[method]!);
  const usedElsewhere = assignment.methods.filter((candidate) => candidate === method).length > 1;
  if (usedElsewhere || method !== recommendation) {
    return `For ${callers} alone, ${bestName} would fit ${points(regret)} better, but would add an auth system to run.`;
  }
  return `For ${callers} alone, ${bestName} would fit ${points(regret)} better, but the recommended method has to serve some boundary and costs least here.`;
}

export function buildPlan(answers: Answers, recommendation: MethodId): PlanEntry[] {
  const options = callerGroups(answers).map((group) => groupOptions(answers, group));
  const assignment = cheapestAssignment(options, recommendation);
  const jwtIssuer =
    answers.architecture === 'multi-service' ||
    options.some((option, index) => assignment.methods[index] === 'jwt' && !PEOPLE_GROUPS.includes(option.group.kind))
      ? 'token-service'
      : 'login-endpoint';
  const tokenFormat = oauthTokenFormat(answers);

  const planned = options.map((option, index) => {
    const method = assignment.methods[index]!;
    const variant = variantFor(method, option.group, { identityProvider: answers.identityProvider, jwtIssuer });
    const note = tradeOffNote(option, method, assignment, recommendation);
    return { option, method, variant, why: variantWhy(method, variant, option.group.delegation), note };
  });

  // Groups with the same method and variant are one boundary in code: one entry holds all their callers.
  const merged: { entry: PlanEntry; notes: string[] }[] = [];
  for (const item of planned) {
    const { group } = item.option;
    const existing = merged.find(({ entry }) => entry.method === item.method && entry.variant === item.variant);
    if (existing === undefined) {
      merged.push({
        entry: {
          id: GROUP_IDS[group.kind],
          subjects: [...group.subjects],
          clients: [...group.clients],
          method: item.method,
          variant: item.variant,
          tokenFormat: item.method === 'oauth' ? tokenFormat : null,
          boundary: boundaryText(group, answers),
          why: item.why,
        },
        notes: item.note === null ? [] : [item.note],
      });
    } else {
      existing.entry.subjects = canonicalSubjects([...existing.entry.subjects, ...group.subjects]);
      existing.entry.clients = canonicalClients([...existing.entry.clients, ...group.clients]);
      existing.entry.boundary = `${existing.entry.boundary}; ${boundaryText(group, answers)}`;
      if (item.why !== existing.entry.why) existing.entry.why = `${existing.entry.why}; ${item.why}`;
      if (item.note !== null && !existing.notes.includes(item.note)) existing.notes.push(item.note);
    }
  }

  const entries = merged.map(({ entry, notes }) => ({
    ...entry,
    why: [`${entry.why.charAt(0).toUpperCase()}${entry.why.slice(1)}.`, ...notes].join(' '),
  }));
  if (entries.length === 1) {
    const only = entries[0]!;
    return [
      {
        ...only,
        id: 'api',
        subjects: [...answers.subjects],
        clients: [...answers.clients],
        boundary: 'Every caller of the API; one method serves all of them',
      },
    ];
  }
  // The recommended method's boundaries lead the plan.
  return [...entries.filter((entry) => entry.method === recommendation), ...entries.filter((entry) => entry.method !== recommendation)];
}

/** Distinct auth systems in a plan: one per method, whatever its variants. */
export const systemsIn = (plan: readonly Pick<PlanEntry, 'method'>[]): number => new Set(plan.map((entry) => entry.method)).size;
