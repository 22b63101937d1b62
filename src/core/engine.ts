/**
 * The scoring engine's public face: answers in, an explained decision out.
 * Pure and deterministic: no I/O, no clock, no randomness, and objects are
 * built in a fixed key order so equal answers serialise to identical JSON.
 */
import type { Answers, Decision } from './types.js';
import { collectWarnings, dimensionGaps, explainReasons } from './engine/explain.js';
import { buildPlan, systemsIn } from './engine/plan.js';
import { score, toMethodScore } from './engine/scoring.js';
import { findSensitivity } from './engine/sensitivity.js';
import { InternalError } from '../errors.js';

export { BASE_WEIGHTS } from './engine/weights.js';
export { SIMPLICITY_ORDER } from './engine/scoring.js';
export { EXTRA_SYSTEM_COST } from './engine/plan.js';
export { oauthTokenFormat } from './engine/variants.js';

/** Below this many points between winner and runner-up the result is flagged as a close call. */
export const CLOSE_CALL_MARGIN = 5;

export function decide(answers: Answers): Decision {
  const scoring = score(answers);
  const winner = scoring.ranked[0];
  if (winner === undefined) throw new InternalError('scoring must rank all four methods');
  // NOTE: an excluded method may out-score the winner, but it cannot serve every caller, so it is no alternative.
  const runnerUp = scoring.ranked.slice(1).find((entry) => entry.excludedBy.length === 0) ?? null;
  const margin = runnerUp === null ? 0 : winner.score - runnerUp.score;
  const closeCall = runnerUp !== null && margin < CLOSE_CALL_MARGIN;
  const plan = buildPlan(answers, winner.method);

  return {
    recommendation: winner.method,
    ranking: scoring.ranked.map((entry) => toMethodScore(entry, scoring.fits)),
    runnerUp: runnerUp?.method ?? null,
    margin,
    closeCall,
    decidingDimensions:
      runnerUp === null
        ? []
        : dimensionGaps(winner, runnerUp)
            .filter((gap) => gap.points > 0)
            .map((gap) => ({ dimension: gap.dimension, points: gap.points })),
    weights: scoring.weights.map((weight) => ({
      dimension: weight.dimension,
      base: weight.base,
      weight: weight.weight,
      reasons: [...weight.reasons],
    })),
    constraints: scoring.constraints.map((constraint) => ({
      id: constraint.id,
      method: constraint.method,
      effect: constraint.effect,
      reason: constraint.reason,
    })),
    reasons: explainReasons(scoring, winner, runnerUp, closeCall, plan),
    sensitivity: findSensitivity(answers, winner.method),
    warnings: collectWarnings(answers, winner.method, plan),
    plan,
    systems: systemsIn(plan),
  };
}
