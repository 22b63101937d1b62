/**
 * The scoring engine's public face: answers in, an explained decision out.
 * Pure and deterministic: no I/O, no clock, no randomness, and objects are
 * built in a fixed key order so equal answers serialise to identical JSON.
 */
import type { Answers, Decision } from './types.js';
import { collectWarnings, dimensionGaps, explainReasons } from './engine/explain.js';
import { buildPlan } from './engine/plan.js';
import { score, toMethodScore } from './engine/scoring.js';
import { findSensitivity } from './engine/sensitivity.js';
import { InternalError } from '../errors.js';

export { BASE_WEIGHTS } from './engine/weights.js';
export { SIMPLICITY_ORDER } from './engine/scoring.js';
export { REUSE_TOLERANCE } from './engine/plan.js';

/** Below this many points between winner and runner-up the result is flagged as a close call. */
export const CLOSE_CALL_MARGIN = 5;

export function decide(answers: Answers): Decision {
  const scoring = score(answers);
  const [winner, runnerUp] = scoring.ranked;
  if (winner === undefined || runnerUp === undefined) throw new InternalError('scoring must rank all four methods');

  const runnerViable = runnerUp.excludedBy.length === 0;
  // NOTE: an excluded runner-up may out-score the winner; constraints, not points, decided, so the margin floors at 0.
  const margin = Math.max(0, winner.score - runnerUp.score);
  const closeCall = runnerViable && margin < CLOSE_CALL_MARGIN;
  const plan = buildPlan(answers, winner.method);

  return {
    recommendation: winner.method,
    ranking: scoring.ranked.map(toMethodScore),
    runnerUp: runnerUp.method,
    margin,
    closeCall,
    decidingDimensions: dimensionGaps(winner, runnerUp)
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
    reasons: explainReasons(scoring, closeCall, margin),
    sensitivity: findSensitivity(answers, winner.method),
    warnings: collectWarnings(answers, winner.method, plan),
    plan,
  };
}
