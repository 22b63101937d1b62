/**
 * Domain rules that a weighted sum cannot express. An excluded method keeps
 * its score for the record but ranks below every viable one; a penalised
 * method has its whole score scaled down, so its per-dimension contributions
 * still add up to the score shown.
 */
import type { Answers, Constraint, MethodId } from '../types.js';

export interface AppliedConstraint extends Constraint {
  /** Multiplier on the score of a penalised method; 1 for other effects. */
  factor: number;
}

/** OAuth without a delegation problem is ceremony; with little ops capacity it is also a burden. */
export const OAUTH_WITHOUT_DELEGATION_FACTOR = 0.85;
export const OAUTH_WITHOUT_DELEGATION_LOW_OPS_FACTOR = 0.75;

export function applicableConstraints(answers: Answers): AppliedConstraint[] {
  const constraints: AppliedConstraint[] = [];
  const add = (id: string, method: MethodId, effect: Constraint['effect'], reason: string, factor = 1) =>
    constraints.push({ id, method, effect, reason, factor });

  if (answers.delegatedAccess) {
    add('delegation-needs-oauth', 'oauth', 'required', 'People grant applications limited access on their behalf, and only OAuth models that grant.');
    for (const method of ['api-key', 'jwt', 'session'] as const) {
      add(
        'delegation-needs-oauth',
        method,
        'excluded',
        'Cannot express a person granting an application limited access; it may still serve a boundary without delegation.',
      );
    }
  }

  if (answers.clients.every((client) => client === 'browser' || client === 'mobile')) {
    add(
      'no-secret-in-public-client',
      'api-key',
      'excluded',
      'Every caller runs in a browser or mobile app, where a shipped key can be read by anyone who has the app.',
    );
  }

  if (!answers.clients.includes('browser') || !answers.subjects.includes('end-user')) {
    add(
      'session-needs-browser-user',
      'session',
      'excluded',
      answers.clients.includes('browser')
        ? 'A session records a signed-in person, and no caller here is a person.'
        : 'Sessions ride on browser cookies, and no caller here is a browser.',
    );
  }

  if (!answers.delegatedAccess && !answers.subjects.includes('third-party-app')) {
    if (answers.opsCapacity === 'low') {
      add(
        'oauth-without-delegation',
        'oauth',
        'penalised',
        'No delegated access and no third-party apps, and the team has little ops capacity: OAuth would add ceremony it cannot easily carry (score x0.75).',
        OAUTH_WITHOUT_DELEGATION_LOW_OPS_FACTOR,
      );
    } else {
      add(
        'oauth-without-delegation',
        'oauth',
        'penalised',
        'No delegated access and no third-party apps: most of what OAuth adds would go unused (score x0.85).',
        OAUTH_WITHOUT_DELEGATION_FACTOR,
      );
    }
  }
  return constraints;
}
