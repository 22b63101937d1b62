/**
 * Per-boundary plan. Mixing methods is fine as long as every boundary is
 * explicit: callers are split into groups (third-party apps, people in a
 * browser, people on native apps, machines), each group is scored on its
 * own, and the plan keeps as few methods as it can.
 */
import { METHODS } from '../knowledge.js';
import { CLIENTS, SUBJECTS, type Answers, type Client, type MethodId, type PlanEntry, type Subject } from '../types.js';
import { score, type ScoredMethod } from './scoring.js';

/**
 * A boundary keeps the recommended method unless its own best method beats it
 * by more than this many points: one method fewer to build and run is worth a
 * small loss in fit.
 */
export const REUSE_TOLERANCE = 8;

type GroupKind = 'third-party' | 'browser-users' | 'native-users' | 'other-users' | 'machines';

interface CallerGroup {
  kind: GroupKind;
  subjects: Subject[];
  clients: Client[];
  delegation: boolean;
}

const MACHINE_SUBJECTS: readonly Subject[] = ['internal-service', 'backend-integration'];
const SERVER_CLIENTS: readonly Client[] = ['backend-service', 'scheduled-job'];

const canonicalSubjects = (list: readonly Subject[]) => SUBJECTS.filter((subject) => list.includes(subject));
const canonicalClients = (list: readonly Client[]) => CLIENTS.filter((client) => list.includes(client));
const pick = (clients: readonly Client[], wanted: readonly Client[]) => clients.filter((client) => wanted.includes(client));

function callerGroups(answers: Answers): CallerGroup[] {
  const { subjects, clients } = answers;
  const machineSubjects = subjects.filter((subject) => MACHINE_SUBJECTS.includes(subject));
  const hasPeople = subjects.includes('end-user');
  const hasThirdParty = subjects.includes('third-party-app');
  // A command-line client belongs to the machines when there are any; otherwise a person runs it.
  const cliIsMachine = machineSubjects.length > 0;
  const groups: Omit<CallerGroup, 'delegation'>[] = [];

  if (hasThirdParty) {
    const serverSide = pick(clients, [...SERVER_CLIENTS, 'cli']);
    groups.push({ kind: 'third-party', subjects: ['third-party-app'], clients: hasPeople && serverSide.length > 0 ? serverSide : [...clients] });
  }
  if (hasPeople) {
    if (clients.includes('browser')) groups.push({ kind: 'browser-users', subjects: ['end-user'], clients: ['browser'] });
    const native = pick(clients, cliIsMachine ? ['mobile'] : ['mobile', 'cli']);
    if (native.length > 0) groups.push({ kind: 'native-users', subjects: ['end-user'], clients: native });
    if (!groups.some((group) => group.kind === 'browser-users' || group.kind === 'native-users')) {
      groups.push({ kind: 'other-users', subjects: ['end-user'], clients: [...clients] });
    }
  }
  if (machineSubjects.length > 0) {
    const machineClients = pick(clients, cliIsMachine ? [...SERVER_CLIENTS, 'cli'] : SERVER_CLIENTS);
    groups.push({ kind: 'machines', subjects: machineSubjects, clients: machineClients.length > 0 ? machineClients : [...clients] });
  }

  // Every declared client must sit behind some boundary.
  const covered = new Set(groups.flatMap((group) => group.clients));
  const uncovered = clients.filter((client) => !covered.has(client));
  if (uncovered.length > 0) {
    const host = groups.find((group) => group.kind === 'machines') ?? groups.find((group) => group.kind === 'third-party') ?? groups[0];
    if (host !== undefined) host.clients = canonicalClients([...host.clients, ...uncovered]);
  }

  // Delegated grants go to third-party apps when there are any, else to backend integrations, else to everyone.
  const target: GroupKind | 'all' = hasThirdParty
    ? 'third-party'
    : subjects.includes('backend-integration') && subjects.some((subject) => subject !== 'backend-integration')
      ? 'machines'
      : 'all';
  return groups.map((group) => ({
    ...group,
    delegation: answers.delegatedAccess && (target === 'all' || group.kind === target),
  }));
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
      return group.clients.includes('mobile')
        ? 'Mobile and other installed apps used by people ↔ the API'
        : 'Command-line tools run by people ↔ the API';
    case 'other-users':
      return 'People, through the declared clients ↔ the API';
    case 'machines':
      return 'Internal services and backend integrations ↔ the API (server to server)';
  }
}

function methodWhy(method: MethodId, group: CallerGroup, answers: Answers): string {
  switch (method) {
    case 'oauth':
      return group.delegation
        ? 'these callers act for people, who approve limited, revocable access without sharing a password'
        : 'registered clients with scopes keep each outside application within the access it was given';
    case 'session':
      return 'the backend runs sign-in and the browser holds only an HttpOnly cookie, so any session can be ended at once';
    case 'api-key':
      return 'the callers are programs; one scoped key per caller is the least machinery to build and rotate';
    case 'jwt':
      return answers.architecture === 'multi-service'
        ? 'each service verifies short-lived signed tokens locally, with no shared store on the request path'
        : 'short-lived signed tokens suit clients that cannot rely on cookies, and refresh tokens keep sign-in revocable';
  }
}

function bestViable(ranked: readonly ScoredMethod[]): ScoredMethod | undefined {
  return ranked.find((entry) => entry.excludedBy.length === 0) ?? ranked[0];
}

export function buildPlan(answers: Answers, recommendation: MethodId): PlanEntry[] {
  const name = (method: MethodId) => METHODS[method].name;
  const groups = callerGroups(answers);
  const planned = groups.map((group) => {
    const { ranked } = score({ ...answers, subjects: group.subjects, clients: group.clients, delegatedAccess: group.delegation });
    const best = bestViable(ranked);
    const main = ranked.find((entry) => entry.method === recommendation);
    // null when the recommendation is ruled out for this group of callers.
    const regret = main !== undefined && main.excludedBy.length === 0 && best !== undefined ? best.exact - main.exact : null;
    const method = best === undefined || (regret !== null && regret <= REUSE_TOLERANCE) ? recommendation : best.method;
    let why = `${name(method)}: ${methodWhy(method, group, answers)}`;
    if (method === recommendation && best !== undefined && best.method !== recommendation && regret !== null) {
      why += ` (kept here so the API runs one method fewer; ${name(best.method)} would fit this boundary ${Math.round(regret)} points better)`;
    }
    return { group, method, why, regret, best };
  });

  // The recommendation must own at least one boundary: the one where it costs least.
  if (!planned.some((entry) => entry.method === recommendation)) {
    let primary: (typeof planned)[number] | undefined;
    for (const entry of planned) {
      if (entry.regret !== null && (primary === undefined || entry.regret < (primary.regret ?? Infinity))) primary = entry;
    }
    primary ??= planned[0];
    if (primary !== undefined) {
      primary.method = recommendation;
      primary.why = `${name(recommendation)}: ${methodWhy(recommendation, primary.group, answers)} (the method for the most demanding boundary)`;
    }
  }

  if (planned.every((entry) => entry.method === recommendation)) {
    const everyone: CallerGroup = { kind: 'other-users', subjects: answers.subjects, clients: answers.clients, delegation: answers.delegatedAccess };
    return [
      {
        subjects: [...answers.subjects],
        clients: [...answers.clients],
        method: recommendation,
        boundary: 'Every caller of the API; one method serves all of them',
        why: `${name(recommendation)}: ${methodWhy(recommendation, everyone, answers)}`,
      },
    ];
  }

  // Groups sharing a method become one entry, so each method appears once with all its callers.
  const entries: PlanEntry[] = [];
  for (const entry of planned) {
    const existing = entries.find((candidate) => candidate.method === entry.method);
    const boundary = boundaryText(entry.group, answers);
    if (existing === undefined) {
      entries.push({ subjects: [...entry.group.subjects], clients: [...entry.group.clients], method: entry.method, boundary, why: entry.why });
    } else {
      existing.subjects = canonicalSubjects([...existing.subjects, ...entry.group.subjects]);
      existing.clients = canonicalClients([...existing.clients, ...entry.group.clients]);
      existing.boundary = `${existing.boundary}; ${boundary}`;
    }
  }
  // The recommended method's boundary leads the plan.
  return [...entries.filter((entry) => entry.method === recommendation), ...entries.filter((entry) => entry.method !== recommendation)];
}
