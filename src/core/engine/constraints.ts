/**
 * Domain rules that a weighted sum cannot express. An excluded method keeps
 * its score for the record but ranks below every viable one; a penalised
 * method has its whole score scaled down, so its per-dimension contributions
 * still add up to the score shown. The plan applies the same rules to each
 * boundary's own callers.
 */
import type { Answers, Constraint, MethodId } from '../types.js';

export interface AppliedConstraint extends Constraint {
  /** Multiplier on the score of a penalised method; 1 for other effects. */
  factor: number;
}

/** OAuth without a delegation problem is ceremony; with little ops capacity it is also a burden. */
export const OAUTH_WITHOUT_DELEGATION_FACTOR = 0.85;
export const OAUTH_WITHOUT_DELEGATION_LOW_OPS_FACTOR = 0.75;

const onlyPeople = (answers: Answers) => answers.subjects.every((subject) => subject === 'end-user');

export interface ConstraintContext {
  /** Methods another boundary of the same plan already runs. */
  alreadyBuilt?: readonly MethodId[];
}

export function applicableConstraints(answers: Answers, context: ConstraintContext = {}): AppliedConstraint[] {
  const constraints: AppliedConstraint[] = [];
  const add = (id: string, method: MethodId, effect: Constraint['effect'], reason: string, factor = 1) =>
    constraints.push({ id, method, effect, reason, factor });
  const people = answers.subjects.includes('end-user');

  if (answers.delegatedAccess) {
    add('delegation-needs-oauth', 'oauth', 'required', 'People grant applications limited access on their behalf, and only OAuth models that grant.');
    for (const method of ['api-key', 'jwt', 'session'] as const) {
      add('delegation-needs-oauth', method, 'excluded', 'Cannot express a person granting an application limited access.');
    }
  }

  if (answers.identityProvider !== 'none' && people) {
    add(
      'identity-provider-in-place',
      'oauth',
      'required',
      'People already sign in at an identity provider, so the API trusts its tokens instead of keeping a second set of accounts and passwords.',
    );
    for (const method of ['jwt', 'session'] as const) {
      add('identity-provider-in-place', method, 'excluded', 'Would sign people in a second time, next to the identity provider they already use.');
    }
  }

  if (onlyPeople(answers)) {
    add(
      'api-key-not-for-people',
      'api-key',
      'excluded',
      'Keys authenticate programs, not people: a key cannot carry a sign-in, a second factor or a sign-out.',
    );
  } else if (answers.clients.every((client) => client === 'browser' || client === 'mobile')) {
    add(
      'no-secret-in-public-client',
      'api-key',
      'excluded',
      'Every caller runs in a browser or mobile app, where a shipped key can be read by anyone who has the app.',
    );
  }

  if (!people) {
    add('session-needs-people', 'session', 'excluded', 'A session records a signed-in person, and no caller here is a person.');
  }

  // NOTE: for people, unused OAuth means redirects and refresh logic in every app, whoever runs the server;
  // programs only fetch a service token, so once another boundary pays for the server nothing is wasted.
  const serverPaidFor = (context.alreadyBuilt ?? []).includes('oauth') && !people;
  if (!answers.delegatedAccess && !answers.subjects.includes('third-party-app') && answers.identityProvider === 'none' && !serverPaidFor) {
    if (answers.opsCapacity === 'low') {
      add(
        'oauth-without-delegation',
        'oauth',
        'penalised',
        'No delegated access, no third-party apps and no identity provider, and the team has little ops capacity: an authorization server would be ceremony it cannot easily carry (score x0.75).',
        OAUTH_WITHOUT_DELEGATION_LOW_OPS_FACTOR,
      );
    } else {
      add(
        'oauth-without-delegation',
        'oauth',
        'penalised',
        'No delegated access, no third-party apps and no identity provider: most of what an authorization server adds would go unused (score x0.85).',
        OAUTH_WITHOUT_DELEGATION_FACTOR,
      );
    }
  }
  return constraints;
}
