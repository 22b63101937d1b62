/**
 * How much each dimension counts for one API. Every dimension starts from a
 * documented base; answers move weights up or down, and each move leaves a
 * short reason so a reviewer can see why the scoring leaned one way.
 */
import { DIMENSION_IDS, type Answers, type DimensionId, type Weight } from '../types.js';

/**
 * NOTE: security surface starts highest because a mistake there is the most
 * expensive to undo; scalability, granularity and auditability start low and
 * only grow when the answers say they matter.
 */
export const BASE_WEIGHTS: Readonly<Record<DimensionId, number>> = {
  'implementation-complexity': 3,
  'developer-experience': 3,
  'security-surface': 4,
  scalability: 2,
  revocation: 3,
  granularity: 2,
  auditability: 2,
};

interface WeightMove {
  dimension: DimensionId;
  delta: number;
  reason: string;
}

/** The moves in the order they are applied; that order is part of the output. */
function weightMoves(answers: Answers): WeightMove[] {
  const moves: WeightMove[] = [];
  const add = (dimension: DimensionId, delta: number, reason: string) => moves.push({ dimension, delta, reason });

  if (answers.opsCapacity === 'low') {
    add('implementation-complexity', 3, 'the team can absorb little operational complexity (+3)');
  } else if (answers.opsCapacity === 'high') {
    add('implementation-complexity', -1, 'the team can run demanding auth infrastructure (-1)');
  }

  if (answers.revocation === 'immediate') {
    add('revocation', 3, 'access must be removable immediately (+3)');
  } else if (answers.revocation === 'at-expiry') {
    add('revocation', -1, 'access may simply run out at expiry (-1)');
  }

  if (answers.granularity === 'scopes') {
    add('granularity', 2, 'access is limited per resource or action with scopes (+2)');
  } else if (answers.granularity === 'coarse') {
    add('granularity', -1, 'coarse, all-or-nothing access is enough (-1)');
  }
  if (answers.delegatedAccess) {
    add('granularity', 1, 'people grant delegated access scope by scope (+1)');
  }

  if (answers.audit === 'app-and-user') {
    add('auditability', 1, 'requests must be traced to both the application and the person (+1)');
  }

  if (answers.architecture === 'multi-service') {
    add('scalability', 3, 'several services must accept the same credentials (+3)');
  }

  // NOTE: integration effort matters only when developers outside the team write the callers;
  // a public sign-up page for people does not make the API harder to integrate with.
  const outsideDevelopers = answers.subjects.some((subject) => subject === 'third-party-app' || subject === 'backend-integration');
  if (answers.exposure === 'public') {
    add('security-surface', 2, 'the API is public, so mistakes are found by strangers (+2)');
    if (outsideDevelopers) add('developer-experience', 2, 'outside developers must integrate without help (+2)');
  } else if (answers.exposure === 'partners') {
    add('security-surface', 1, 'partners outside the company call the API (+1)');
    if (outsideDevelopers) add('developer-experience', 1, 'partner developers must integrate with little help (+1)');
  }
  return moves;
}

export function computeWeights(answers: Answers): Weight[] {
  const moves = weightMoves(answers);
  return DIMENSION_IDS.map((dimension) => {
    const own = moves.filter((move) => move.dimension === dimension);
    return {
      dimension,
      base: BASE_WEIGHTS[dimension],
      weight: own.reduce((sum, move) => sum + move.delta, BASE_WEIGHTS[dimension]),
      reasons: own.map((move) => move.reason),
    };
  });
}
