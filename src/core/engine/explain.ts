/**
 * Plain-language explanation of a scoring: why the winner wins, and what to
 * watch for with every method the plan uses.
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

export function explainReasons(scoring: Scoring, closeCall: boolean, margin: number): string[] {
  const [winner, runnerUp] = scoring.ranked;
  if (winner === undefined || runnerUp === undefined) return [];
  const reasons: string[] = [];
  const runnerExcluded = runnerUp.excludedBy.length > 0;

  reasons.push(
    runnerExcluded
      ? `${name(winner.method)} ${verb(winner.method, 'is', 'are')} the only method that meets every hard constraint, with ${winner.score} of 100 points.`
      : `${name(winner.method)} ${verb(winner.method, 'scores', 'score')} ${winner.score} of 100, ${margin} point${margin === 1 ? '' : 's'} ahead of ${name(runnerUp.method)} (${runnerUp.score}).`,
  );

  const heaviest = [...scoring.weights]
    .sort((a, b) => b.weight - a.weight || DIMENSION_IDS.indexOf(a.dimension) - DIMENSION_IDS.indexOf(b.dimension))
    .slice(0, 3)
    .map((weight) => label(weight.dimension));
  reasons.push(`For this API, ${list(heaviest)} weigh the most.`);

  const gaps = dimensionGaps(winner, runnerUp);
  const gains = gaps.filter((gap) => gap.points > 0).slice(0, 2);
  for (const gap of gains) {
    const fit = scoring.fits[winner.method][gap.dimension];
    reasons.push(`On ${label(gap.dimension)} ${verb(winner.method, 'it gains', 'they gain')} ${gap.points} point${gap.points === 1 ? '' : 's'} over ${name(runnerUp.method)}: ${lowerFirst(fit.rationale)}`);
  }
  const losses = gaps.filter((gap) => gap.points < 0);
  const worst = losses[losses.length - 1];
  if (worst !== undefined && !runnerExcluded) {
    const fit = scoring.fits[runnerUp.method][worst.dimension];
    reasons.push(
      `${name(runnerUp.method)} ${verb(runnerUp.method, 'is', 'are')} stronger on ${label(worst.dimension)} (${-worst.points} point${worst.points === -1 ? '' : 's'}): ${lowerFirst(fit.rationale)} That does not close the gap.`,
    );
  }

  const decisive = scoring.constraints.filter((constraint) => constraint.effect !== 'penalised');
  for (const constraint of uniqueReasons(decisive)) reasons.push(constraintSentence(constraint));
  for (const constraint of scoring.constraints.filter((c) => c.effect === 'penalised')) {
    reasons.push(`${name(constraint.method)} ${verb(constraint.method, 'is', 'are')} penalised: ${lowerFirst(constraint.reason)}`);
  }
  if (closeCall) {
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

function constraintSentence(entry: { effect: AppliedConstraint['effect']; methods: MethodId[]; reason: string }): string {
  const who = list(entry.methods.map(name));
  const single = entry.methods.length === 1 && entry.methods[0] !== undefined && !plural(entry.methods[0]);
  return entry.effect === 'required'
    ? `${who} ${single ? 'is' : 'are'} required: ${lowerFirst(entry.reason)}`
    : `${who} ${single ? 'is' : 'are'} ruled out: ${lowerFirst(entry.reason)}`;
}

function lowerFirst(text: string): string {
  // Keep acronyms and product names (OAuth, JWT, API) as written.
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

export function collectWarnings(answers: Answers, recommendation: MethodId, plan: readonly PlanEntry[]): string[] {
  const warnings: string[] = [];
  const methods: MethodId[] = [recommendation, ...plan.map((entry) => entry.method).filter((method) => method !== recommendation)];
  const inPlan = (method: MethodId) => methods.includes(method);
  const unique = [...new Set(methods)];
  for (const method of unique) {
    for (const text of METHODS[method].watchOutFor) warnings.push(`${METHODS[method].name}: ${lowerFirst(text)}`);
  }

  const browserEntry = plan.find((entry) => entry.clients.includes('browser'));
  if (browserEntry !== undefined && (browserEntry.method === 'jwt' || browserEntry.method === 'oauth')) {
    warnings.push(
      'A browser holds tokens: keep them out of localStorage and sessionStorage; keep access tokens in memory and the refresh token in an HttpOnly cookie, or put a backend-for-frontend in between.',
    );
  }
  if (inPlan('session') && !answers.sameSiteFrontend && answers.clients.includes('browser')) {
    warnings.push(
      'The frontend is on another site: session cookies then need SameSite=None; Secure, credentialed CORS limited to known origins, and CSRF tokens. Serving the frontend from the same site removes most of this.',
    );
  }
  if (inPlan('session') && answers.architecture === 'multi-service') {
    warnings.push('Sessions across several services need one shared, replicated session store (or sticky routing); plan its availability like a database.');
  }
  if (inPlan('api-key') && answers.clients.some((client) => client === 'browser' || client === 'mobile')) {
    warnings.push('Never ship an API key inside browser or mobile code; keys belong only on servers, jobs and trusted machines.');
  }
  if (inPlan('jwt') && answers.revocation === 'immediate') {
    warnings.push(
      'Immediate revocation with JWTs needs a per-user token version (or denylist) checked on every request; without it, a revoked user keeps access until the token expires.',
    );
  }
  if (inPlan('oauth') && answers.opsCapacity === 'low') {
    warnings.push('With little ops capacity, run OAuth through a hosted or well-maintained authorization server instead of writing one.');
  }
  if (inPlan('oauth') && answers.clients.some((client) => client === 'browser' || client === 'mobile')) {
    warnings.push('Browser and mobile apps are public clients: use the authorization-code flow with PKCE and exact redirect URIs, never the implicit flow.');
  }
  if (inPlan('api-key') && answers.exposure === 'public') {
    warnings.push('Public API keys need per-key scopes, rate limits and a recognisable prefix so secret scanners can catch leaks.');
  }
  if (unique.length > 1) {
    warnings.push('Several methods are in use: enforce each one only at its own boundary, and never let one credential type be accepted where another is expected.');
  }
  return warnings;
}
