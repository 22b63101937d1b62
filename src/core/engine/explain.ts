/**
 * Plain-language explanation of a scoring: why the winner wins, and what to
 * watch for with every method and variant the plan uses.
 */
import { DIMENSIONS, METHODS } from '../knowledge.js';
import { DIMENSION_IDS, type Answers, type DimensionId, type MethodId, type PlanEntry } from '../types.js';
import type { AppliedConstraint } from './constraints.js';
import type { Scoring, ScoredMethod } from './scoring.js';

export interface DimensionGap {
  dimension: DimensionId;
  points: number;
}

/** Per-dimension contribution differences, winner minus other, largest first. */
export function dimensionGaps(winner: ScoredMethod, other: ScoredMethod): DimensionGap[] {
  return DIMENSION_IDS.map((dimension) => ({ dimension, points: winner.dimensions[dimension] - other.dimensions[dimension] }))
    .filter((gap) => gap.points !== 0)
    .sort((a, b) => b.points - a.points || DIMENSION_IDS.indexOf(a.dimension) - DIMENSION_IDS.indexOf(b.dimension));
}

const label = (dimension: DimensionId) => DIMENSIONS[dimension].label.toLowerCase();
const name = (method: MethodId) => METHODS[method].name;
/** Three of the four display names are plurals ("API keys"), so verbs must agree. */
const plural = (method: MethodId) => /s$/.test(METHODS[method].name);
const verb = (method: MethodId, singular: string, pluralForm: string) => (plural(method) ? pluralForm : singular);
const list = (items: readonly string[]) =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
const points = (value: number) => `${value} point${value === 1 ? '' : 's'}`;

/** A rating of 4 or 5 is a strength; 3 and below are not something to win on. */
const STRONG = 4;

export function explainReasons(
  scoring: Scoring,
  winner: ScoredMethod,
  runnerUp: ScoredMethod | null,
  closeCall: boolean,
  plan: readonly PlanEntry[],
): string[] {
  const reasons: string[] = [];
  const fit = (method: MethodId, dimension: DimensionId) => scoring.fits[method][dimension];

  reasons.push(
    runnerUp === null
      ? `${name(winner.method)} ${verb(winner.method, 'is', 'are')} the only method that meets every hard rule, with ${winner.score} of 100 points.`
      : `${name(winner.method)} ${verb(winner.method, 'scores', 'score')} ${winner.score} of 100, ${points(winner.score - runnerUp.score)} ahead of ${name(runnerUp.method)} (${runnerUp.score}).`,
  );

  const heaviest = [...scoring.weights]
    .sort((a, b) => b.weight - a.weight || DIMENSION_IDS.indexOf(a.dimension) - DIMENSION_IDS.indexOf(b.dimension))
    .slice(0, 3)
    .map((weight) => label(weight.dimension));
  reasons.push(`For this API, ${list(heaviest)} weigh the most.`);

  if (runnerUp !== null) {
    const gaps = dimensionGaps(winner, runnerUp);
    for (const gap of gaps.filter((candidate) => candidate.points > 0).slice(0, 2)) {
      const own = fit(winner.method, gap.dimension);
      const theirs = fit(runnerUp.method, gap.dimension);
      // NOTE: a gain that comes from the runner-up's weakness is told as that weakness, never as the winner's drawback.
      reasons.push(
        own.score >= STRONG
          ? `On ${label(gap.dimension)} ${verb(winner.method, 'it gains', 'they gain')} ${points(gap.points)} over ${name(runnerUp.method)}: ${lowerFirst(own.rationale)}`
          : `On ${label(gap.dimension)} ${verb(winner.method, 'it gains', 'they gain')} ${points(gap.points)} because ${name(runnerUp.method)} ${verb(runnerUp.method, 'rates', 'rate')} lower (${theirs.score}/5 against ${own.score}/5): ${lowerFirst(theirs.rationale)}`,
      );
    }
    const worst = gaps.filter((gap) => gap.points < 0).at(-1);
    if (worst !== undefined) {
      const own = fit(winner.method, worst.dimension);
      const theirs = fit(runnerUp.method, worst.dimension);
      reasons.push(
        theirs.score >= STRONG
          ? `${name(runnerUp.method)} ${verb(runnerUp.method, 'is', 'are')} stronger on ${label(worst.dimension)} (${points(-worst.points)}): ${lowerFirst(theirs.rationale)} That does not close the gap.`
          : `On ${label(worst.dimension)} ${name(winner.method)} ${verb(winner.method, 'trails', 'trail')} ${name(runnerUp.method)} by ${points(-worst.points)} (${own.score}/5 against ${theirs.score}/5): ${lowerFirst(own.rationale)} That does not close the gap.`,
      );
    }
  }

  const inPlan = (method: MethodId) => plan.filter((entry) => entry.method === method).map((entry) => `\`${entry.id}\``);
  const decisive = scoring.constraints.filter((constraint) => constraint.effect !== 'penalised');
  for (const entry of uniqueReasons(decisive)) reasons.push(constraintSentence(entry, inPlan));
  for (const constraint of scoring.constraints.filter((c) => c.effect === 'penalised')) {
    reasons.push(`${name(constraint.method)} ${verb(constraint.method, 'is', 'are')} penalised: ${lowerFirst(constraint.reason)}`);
  }
  if (closeCall && runnerUp !== null) {
    reasons.push(`The margin is small, so treat ${name(runnerUp.method)} as a credible alternative and let the sensitivity note guide the review.`);
  }
  return reasons;
}

/** One sentence per constraint id and effect, naming every method it hits. */
function uniqueReasons(constraints: readonly AppliedConstraint[]): { effect: AppliedConstraint['effect']; methods: MethodId[]; reason: string }[] {
  const merged: { key: string; effect: AppliedConstraint['effect']; methods: MethodId[]; reason: string }[] = [];
  for (const constraint of constraints) {
    const key = `${constraint.id}:${constraint.effect}`;
    const existing = merged.find((entry) => entry.key === key);
    if (existing === undefined) merged.push({ key, effect: constraint.effect, methods: [constraint.method], reason: constraint.reason });
    else existing.methods.push(constraint.method);
  }
  return merged.map(({ effect, methods, reason }) => ({ effect, methods, reason }));
}

/**
 * "Required" or "ruled out" for methods the plan does not use; a method the
 * plan uses at some boundary "cannot serve every caller" instead, and the
 * sentence names where it is used, so nothing reads as both ruled out and used.
 */
function constraintSentence(
  entry: { effect: AppliedConstraint['effect']; methods: MethodId[]; reason: string },
  boundariesOf: (method: MethodId) => string[],
): string {
  const are = (methods: readonly MethodId[]) => (methods.length === 1 && !plural(methods[0]!) ? 'is' : 'are');
  if (entry.effect === 'required') return `${list(entry.methods.map(name))} ${are(entry.methods)} required: ${lowerFirst(entry.reason)}`;
  const unused = entry.methods.filter((method) => boundariesOf(method).length === 0);
  const used = entry.methods.filter((method) => boundariesOf(method).length > 0);
  const parts: string[] = [];
  if (unused.length > 0) parts.push(`${list(unused.map(name))} ${are(unused)} ruled out: ${lowerFirst(entry.reason)}`);
  for (const method of used) {
    const where = boundariesOf(method);
    parts.push(
      `${name(method)} cannot serve every caller (${lowerFirst(entry.reason).replace(/\.$/, '')}), so ${verb(method, 'it serves', 'they serve')} only the ${list(where)} boundar${where.length === 1 ? 'y' : 'ies'}, where that rule does not apply.`,
    );
  }
  return parts.join(' ');
}

function lowerFirst(text: string): string {
  // Keep acronyms and product names (OAuth, JWT, API) as written.
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

/** Watch-outs of every method in the plan, then those its boundaries and answers call for. */
export function collectWarnings(answers: Answers, recommendation: MethodId, plan: readonly PlanEntry[]): string[] {
  const warnings: string[] = [];
  const methods = [...new Set<MethodId>([recommendation, ...plan.map((entry) => entry.method)])];
  const inPlan = (method: MethodId) => methods.includes(method);
  const uses = (method: MethodId, variant?: string) =>
    plan.some((entry) => entry.method === method && (variant === undefined || entry.variant === variant));
  for (const method of methods) {
    for (const text of METHODS[method].watchOutFor) warnings.push(`${METHODS[method].name}: ${lowerFirst(text)}`);
  }

  const browserEntry = plan.find((entry) => entry.clients.includes('browser'));
  if (browserEntry !== undefined && (browserEntry.method === 'jwt' || browserEntry.method === 'oauth')) {
    warnings.push(
      'A browser holds tokens: keep them out of localStorage and sessionStorage, keep access tokens in memory, or better, put a backend-for-frontend in between so the browser holds only a same-site cookie.',
    );
  }
  if (browserEntry !== undefined && browserEntry.method === 'session' && !answers.sameSiteFrontend) {
    warnings.push(
      "The web UI is on another site, so the session cookie is a third-party cookie there: Safari blocks those by default and Firefox keeps them apart per site, so sign-in can silently fail. Serve the UI and the API from one site (a reverse proxy, or a backend-for-frontend), or send a token in the Authorization header instead.",
    );
  }
  if (inPlan('session') && answers.architecture === 'multi-service') {
    warnings.push('Sessions across several services need one shared, replicated session store (or sticky routing); plan its availability like a database.');
  }
  if (inPlan('api-key') && answers.clients.some((client) => client === 'browser' || client === 'mobile')) {
    warnings.push('Never ship an API key inside browser or mobile code; keys belong only on servers, jobs and trusted machines.');
  }
  if (inPlan('api-key') && answers.exposure === 'public') {
    warnings.push('Public API keys need per-key scopes, rate limits and a recognisable prefix so secret scanners can catch leaks.');
  }
  if (inPlan('jwt') && answers.revocation === 'immediate') {
    warnings.push(
      'Immediate revocation with JWTs needs a per-user token version (or denylist) checked on every request; without it, a revoked person keeps access until the token expires.',
    );
  }
  if (uses('oauth', 'resource-server') && answers.revocation === 'immediate' && answers.identityProvider === 'hosted') {
    warnings.push(
      "Hosted identity providers mostly issue JWT access tokens that stay valid until they expire: set their lifetime to a few minutes at the provider, or use the provider's token introspection where it offers one.",
    );
  }
  const ownServer = plan.some((entry) => entry.method === 'oauth' && entry.variant !== 'resource-server');
  if (ownServer && answers.opsCapacity === 'low') {
    warnings.push('With little ops capacity, run OAuth through a hosted or well-maintained authorization server instead of writing one.');
  }
  if (uses('oauth', 'authorization-code') && plan.some((entry) => entry.method === 'oauth' && entry.clients.includes('mobile'))) {
    warnings.push('Mobile apps sign in through the system browser with a claimed HTTPS or loopback redirect (RFC 8252), never in an embedded web view.');
  }
  if (inPlan('oauth') && !answers.delegatedAccess && !answers.subjects.includes('third-party-app') && answers.identityProvider === 'none') {
    warnings.push(
      'OAuth 2 here serves no delegated access, no third-party app and no existing identity provider: make sure the authorization server earns its keep, because a simpler method would do the same job with less to run.',
    );
  }
  if (plan.some((entry) => entry.id === 'cli-users' || (entry.clients.includes('cli') && entry.subjects.every((s) => s === 'end-user')))) {
    warnings.push(
      'If people also script the API, a personal access token (a key tied to one person, scoped and expiring) is at most a fallback: it skips sign-in and second factors and leaks like any key.',
    );
  }
  if (methods.length > 1) {
    warnings.push('Several methods are in use: enforce each one only at its own boundary, and never let one credential type be accepted where another is expected.');
  }
  return warnings;
}
