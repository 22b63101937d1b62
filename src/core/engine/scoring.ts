/**
 * Turns weights, fits and constraints into ranked 0–100 scores. Everything
 * here is exact arithmetic on small numbers followed by one rounding step,
 * so the same answers always produce the same ranking.
 */
import { DIMENSION_IDS, METHOD_IDS, type Answers, type DimensionId, type MethodId, type MethodScore, type Weight } from '../types.js';
import { InternalError } from '../../errors.js';
import { applicableConstraints, type AppliedConstraint } from './constraints.js';
import { fitTable, type FitContext, type FitTable } from './fit.js';
import { computeWeights } from './weights.js';

/**
 * NOTE: ties are broken towards the simpler method, following the advice to
 * pick the simplest option that still covers the real needs.
 */
export const SIMPLICITY_ORDER: readonly MethodId[] = ['api-key', 'session', 'jwt', 'oauth'];

export interface ScoredMethod {
  method: MethodId;
  /** Unrounded score; ranking uses this so rounding never reorders methods. */
  exact: number;
  /** Unrounded contribution per dimension. */
  exactDimensions: Record<DimensionId, number>;
  score: number;
  dimensions: Record<DimensionId, number>;
  excludedBy: string[];
  factor: number;
}

export interface Scoring {
  weights: Weight[];
  fits: FitTable;
  constraints: AppliedConstraint[];
  /** Viable methods first, then excluded ones; each group by score, best first. */
  ranked: ScoredMethod[];
}

/**
 * Rounds contributions so they add up exactly to the rounded total, giving
 * the leftover points to the largest remainders (dimension order breaks ties).
 */
function apportion(exact: Record<DimensionId, number>, total: number): Record<DimensionId, number> {
  const floors = DIMENSION_IDS.map((dimension) => Math.floor(exact[dimension] + 1e-9));
  let leftover = total - floors.reduce((sum, value) => sum + value, 0);
  const order = DIMENSION_IDS.map((dimension, index) => ({ index, remainder: exact[dimension] - (floors[index] ?? 0) })).sort(
    (a, b) => b.remainder - a.remainder || a.index - b.index,
  );
  for (const { index } of order) {
    if (leftover <= 0) break;
    floors[index] = (floors[index] ?? 0) + 1;
    leftover -= 1;
  }
  const result = {} as Record<DimensionId, number>;
  DIMENSION_IDS.forEach((dimension, index) => {
    result[dimension] = floors[index] ?? 0;
  });
  return result;
}

function compareMethods(a: ScoredMethod, b: ScoredMethod): number {
  const viability = Number(a.excludedBy.length > 0) - Number(b.excludedBy.length > 0);
  if (viability !== 0) return viability;
  // Guard against float noise deciding an otherwise exact tie.
  if (Math.abs(a.exact - b.exact) > 1e-9) return b.exact - a.exact;
  return SIMPLICITY_ORDER.indexOf(a.method) - SIMPLICITY_ORDER.indexOf(b.method);
}

/**
 * Scores the four methods for these answers. With `alreadyBuilt`, those
 * methods are scored as extensions of a system another boundary of the plan
 * already runs: their build cost drops (the plan counts that cost once, per
 * system).
 */
export function score(answers: Answers, context: FitContext = {}): Scoring {
  const weights = computeWeights(answers);
  const fits = fitTable(answers, context);
  const constraints = applicableConstraints(answers, context);
  const totalWeight = weights.reduce((sum, weight) => sum + weight.weight, 0);

  const scored = METHOD_IDS.map((method): ScoredMethod => {
    const own = constraints.filter((constraint) => constraint.method === method);
    const factor = own.reduce((product, constraint) => product * constraint.factor, 1);
    const exactDimensions = {} as Record<DimensionId, number>;
    let exact = 0;
    for (const { dimension, weight } of weights) {
      // A rating of 1 earns nothing and a 5 earns the dimension's full share.
      const points = ((weight / totalWeight) * ((fits[method][dimension].score - 1) / 4)) * 100 * factor;
      exactDimensions[dimension] = points;
      exact += points;
    }
    const rounded = Math.round(exact + 1e-9);
    return {
      method,
      exact,
      exactDimensions,
      score: rounded,
      dimensions: apportion(exactDimensions, rounded),
      excludedBy: [...new Set(own.filter((constraint) => constraint.effect === 'excluded').map((constraint) => constraint.id))],
      factor,
    };
  });
  return { weights, fits, constraints, ranked: [...scored].sort(compareMethods) };
}

/** The recommendation alone: what sensitivity analysis needs for each variant. */
export function recommend(answers: Answers): MethodId {
  const first = score(answers).ranked[0];
  if (first === undefined) throw new InternalError('scoring produced no methods');
  return first.method;
}

export function toMethodScore(scored: ScoredMethod, fits: FitTable): MethodScore {
  const ratings = {} as MethodScore['ratings'];
  for (const dimension of DIMENSION_IDS) {
    const fit = fits[scored.method][dimension];
    ratings[dimension] = { score: fit.score, rationale: fit.rationale, contextual: fit.contextual };
  }
  return {
    method: scored.method,
    score: scored.score,
    dimensions: { ...scored.dimensions },
    ratings,
    excluded: scored.excludedBy.length > 0,
    excludedBy: [...scored.excludedBy],
  };
}
