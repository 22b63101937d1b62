import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLOSE_CALL_MARGIN, decide, EXTRA_SYSTEM_COST } from '../../src/core/engine.js';
import {
  ARCHITECTURES,
  AUDIT_NEEDS,
  CLIENTS,
  EXPOSURES,
  GRANULARITIES,
  IDENTITY_PROVIDERS,
  OPS_CAPACITIES,
  REVOCATION_NEEDS,
  SUBJECTS,
  type AnswerKey,
  type Answers,
  type Client,
  type Decision,
  type MethodId,
  type PlanEntry,
} from '../../src/core/types.js';
import { answersArbitrary } from './arbitraries.js';

const RUNS = { numRuns: 300 };
const scoreOf = (decision: Decision, method: MethodId) => decision.ranking.find((entry) => entry.method === method)?.score ?? NaN;
const rankOf = (decision: Decision, method: MethodId) => decision.ranking.findIndex((entry) => entry.method === method);

const QUESTION_ORDER: readonly AnswerKey[] = [
  'subjects',
  'clients',
  'delegatedAccess',
  'revocation',
  'opsCapacity',
  'architecture',
  'identityProvider',
  'exposure',
  'granularity',
  'audit',
  'sameSiteFrontend',
];

/** Every single-answer change with its distance, enumerated independently of the engine. */
function singleChanges(answers: Answers): { question: AnswerKey; to: unknown; distance: number }[] {
  const changes: { question: AnswerKey; to: unknown; distance: number }[] = [];
  const toggle = <T extends string>(all: readonly T[], current: readonly T[]) =>
    all
      .map((value) => (current.includes(value) ? current.filter((item) => item !== value) : all.filter((item) => item === value || current.includes(item))))
      .filter((list) => list.length > 0);
  for (const list of toggle(SUBJECTS, answers.subjects)) changes.push({ question: 'subjects', to: list, distance: 1 });
  for (const list of toggle(CLIENTS, answers.clients)) changes.push({ question: 'clients', to: list, distance: 1 });
  changes.push({ question: 'delegatedAccess', to: !answers.delegatedAccess, distance: 1 });
  changes.push({ question: 'sameSiteFrontend', to: !answers.sameSiteFrontend, distance: 1 });
  for (const provider of IDENTITY_PROVIDERS) {
    if (provider !== answers.identityProvider) changes.push({ question: 'identityProvider', to: provider, distance: 1 });
  }
  const ordered: [AnswerKey, readonly string[]][] = [
    ['revocation', REVOCATION_NEEDS],
    ['opsCapacity', OPS_CAPACITIES],
    ['architecture', ARCHITECTURES],
    ['exposure', EXPOSURES],
    ['granularity', GRANULARITIES],
    ['audit', AUDIT_NEEDS],
  ];
  for (const [question, values] of ordered) {
    const from = values.indexOf(answers[question] as string);
    values.forEach((value, index) => {
      if (index !== from) changes.push({ question, to: value, distance: Math.abs(index - from) });
    });
  }
  return changes;
}

describe('engine properties', () => {
  it('gives byte-identical output for the same answers, and leaves the answers untouched', () => {
    fc.assert(
      fc.property(answersArbitrary, (answers) => {
        const snapshot = JSON.stringify(answers);
        const first = JSON.stringify(decide(answers));
        const second = JSON.stringify(decide(structuredClone(answers)));
        expect(second).toBe(first);
        expect(JSON.stringify(answers)).toBe(snapshot);
      }),
      RUNS,
    );
  });

  it('scores are integers from 0 to 100, contributions add up to them, and the ranking is sorted', () => {
    fc.assert(
      fc.property(answersArbitrary, (answers) => {
        const decision = decide(answers);
        expect(decision.ranking.map((entry) => entry.method).sort()).toEqual(['api-key', 'jwt', 'oauth', 'session']);
        for (const entry of decision.ranking) {
          expect(Number.isInteger(entry.score)).toBe(true);
          expect(entry.score).toBeGreaterThanOrEqual(0);
          expect(entry.score).toBeLessThanOrEqual(100);
          expect(Object.values(entry.dimensions).reduce((sum, points) => sum + points, 0)).toBe(entry.score);
        }
        for (const entry of decision.ranking) expect(entry.excluded).toBe(entry.excludedBy.length > 0);
        const viable = decision.ranking.filter((entry) => !entry.excluded);
        const excluded = decision.ranking.filter((entry) => entry.excluded);
        // Viable methods come first; within each group scores never increase.
        expect(decision.ranking).toEqual([...viable, ...excluded]);
        for (const group of [viable, excluded]) {
          for (let i = 1; i < group.length; i++) expect(group[i]!.score).toBeLessThanOrEqual(group[i - 1]!.score);
        }
        expect(decision.recommendation).toBe(decision.ranking[0]?.method);
        expect(decision.ranking[0]?.excluded).toBe(false);
        // The runner-up is the best other method no rule excludes, never an excluded one.
        expect(decision.runnerUp).toBe(viable[1]?.method ?? null);
      }),
      RUNS,
    );
  });

  it('declaring delegated access puts OAuth first or in the plan', () => {
    fc.assert(
      fc.property(answersArbitrary, (answers) => {
        const decision = decide({ ...answers, delegatedAccess: true });
        expect(decision.recommendation === 'oauth' || decision.plan.some((entry) => entry.method === 'oauth')).toBe(true);
      }),
      RUNS,
    );
  });

  it('an API called only by people never gets API keys', () => {
    fc.assert(
      fc.property(answersArbitrary, (answers) => {
        const decision = decide({ ...answers, subjects: ['end-user'] });
        expect(decision.recommendation).not.toBe('api-key');
        expect(decision.plan.some((entry) => entry.method === 'api-key')).toBe(false);
      }),
      RUNS,
    );
  });

  it('raising the revocation need never lowers sessions relative to JWTs', () => {
    fc.assert(
      fc.property(answersArbitrary, (answers) => {
        const gaps = (['at-expiry', 'minutes', 'immediate'] as const).map((revocation) => {
          const decision = decide({ ...answers, revocation });
          return scoreOf(decision, 'session') - scoreOf(decision, 'jwt');
        });
        expect(gaps[1]).toBeGreaterThanOrEqual(gaps[0]!);
        expect(gaps[2]).toBeGreaterThanOrEqual(gaps[1]!);
      }),
      RUNS,
    );
  });

  it('lowering ops capacity never raises OAuth, in score or in rank, unless an identity provider already runs it', () => {
    fc.assert(
      // NOTE: with an identity provider the authorization server exists already; for a small team that makes OAuth the easy path.
      fc.property(answersArbitrary.map((answers) => ({ ...answers, identityProvider: 'none' as const })), (answers) => {
        const decisions = (['high', 'medium', 'low'] as const).map((opsCapacity) => decide({ ...answers, opsCapacity }));
        for (let i = 1; i < decisions.length; i++) {
          expect(scoreOf(decisions[i]!, 'oauth')).toBeLessThanOrEqual(scoreOf(decisions[i - 1]!, 'oauth'));
          expect(rankOf(decisions[i]!, 'oauth')).toBeGreaterThanOrEqual(rankOf(decisions[i - 1]!, 'oauth'));
        }
      }),
      RUNS,
    );
  });

  it('the plan covers every caller and includes the recommendation, leading with it', () => {
    fc.assert(
      fc.property(answersArbitrary, (answers) => {
        const decision = decide(answers);
        expect(decision.plan.length).toBeGreaterThan(0);
        expect(decision.plan[0]?.method).toBe(decision.recommendation);
        const pairs = decision.plan.map((entry) => `${entry.method}/${entry.variant}`);
        expect(new Set(pairs).size).toBe(pairs.length);
        const ids = decision.plan.map((entry) => entry.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(decision.systems).toBe(new Set(decision.plan.map((entry) => entry.method)).size);
        if (decision.plan.length === 1) expect(ids).toEqual(['api']);
        else expect(ids).not.toContain('api');
        for (const entry of decision.plan) expect(entry.tokenFormat === null).toBe(entry.method !== 'oauth');
        for (const subject of answers.subjects) expect(decision.plan.some((entry) => entry.subjects.includes(subject))).toBe(true);
        for (const client of answers.clients) expect(decision.plan.some((entry) => entry.clients.includes(client))).toBe(true);
        for (const entry of decision.plan) {
          for (const subject of entry.subjects) expect(answers.subjects).toContain(subject);
          for (const client of entry.clients) expect(answers.clients).toContain(client);
          expect(entry.boundary.length).toBeGreaterThan(0);
          expect(entry.why.length).toBeGreaterThan(0);
        }
      }),
      RUNS,
    );
  });

  it('margin, close call and deciding dimensions agree with the ranking', () => {
    fc.assert(
      fc.property(answersArbitrary, (answers) => {
        const decision = decide(answers);
        const winner = decision.ranking[0]!;
        const runnerUp = decision.ranking.find((entry) => entry.method === decision.runnerUp);
        if (runnerUp === undefined) {
          expect(decision).toMatchObject({ runnerUp: null, margin: 0, closeCall: false, decidingDimensions: [] });
          return;
        }
        // Against a viable runner-up the winner can never trail.
        expect(decision.margin).toBe(winner.score - runnerUp.score);
        expect(decision.margin).toBeGreaterThanOrEqual(0);
        expect(decision.closeCall).toBe(decision.margin < CLOSE_CALL_MARGIN);
        let previous = Infinity;
        for (const { dimension, points } of decision.decidingDimensions) {
          expect(points).toBe(winner.dimensions[dimension] - runnerUp.dimensions[dimension]);
          expect(points).toBeGreaterThan(0);
          expect(points).toBeLessThanOrEqual(previous);
          previous = points;
        }
      }),
      RUNS,
    );
  });

  it('sensitivity is the smallest single change that flips the recommendation, or null when none does', () => {
    fc.assert(
      fc.property(answersArbitrary, (answers) => {
        const decision = decide(answers);
        const flips = singleChanges(answers).filter(
          (change) => decide({ ...answers, [change.question]: change.to }).recommendation !== decision.recommendation,
        );
        if (decision.sensitivity === null) {
          expect(flips).toEqual([]);
          return;
        }
        const { question, from, to, newRecommendation } = decision.sensitivity;
        expect(question).not.toBe('stack');
        expect(from).toEqual(answers[question]);
        expect(decide({ ...answers, [question]: to }).recommendation).toBe(newRecommendation);
        // Smallest distance first, then the five core questions before the context ones, then value order.
        const expected = [...flips].sort(
          (a, b) => a.distance - b.distance || QUESTION_ORDER.indexOf(a.question) - QUESTION_ORDER.indexOf(b.question),
        )[0];
        expect({ question, to }).toEqual({ question: expected!.question, to: expected!.to });
      }),
      { numRuns: 150 },
    );
  });
});

/** The entry that serves people on one client: among entries naming people and that client, the one only people use. */
function peopleEntry(plan: readonly PlanEntry[], client: Client): PlanEntry | undefined {
  const matches = plan.filter((entry) => entry.subjects.includes('end-user') && entry.clients.includes(client));
  return matches.find((entry) => entry.subjects.every((subject) => subject === 'end-user')) ?? matches[0];
}

const onlyPeople = (entry: PlanEntry) => entry.subjects.every((subject) => subject === 'end-user');
/** A person holding a bearer token of a second system: JWTs, or a session without a browser. */
const personalToken = (entry: Pick<PlanEntry, 'method' | 'clients'>) =>
  entry.method === 'jwt' || (entry.method === 'session' && !entry.clients.includes('browser'));

describe('plan properties', () => {
  it('a boundary whose callers are only people never gets API keys', () => {
    fc.assert(
      fc.property(answersArbitrary, (answers) => {
        for (const entry of decide(answers).plan) if (onlyPeople(entry)) expect(entry.method).not.toBe('api-key');
      }),
      RUNS,
    );
  });

  it('raising revocation to immediate never moves a boundary from sessions to JWTs', () => {
    fc.assert(
      fc.property(answersArbitrary, fc.constantFrom('minutes', 'at-expiry' as const), (answers, slower) => {
        const before = decide({ ...answers, revocation: slower }).plan;
        const after = decide({ ...answers, revocation: 'immediate' }).plan;
        for (const client of answers.clients) {
          if (peopleEntry(before, client)?.method === 'session') expect(peopleEntry(after, client)?.method).not.toBe('jwt');
        }
      }),
      RUNS,
    );
  });

  it('with OAuth in the plan, people it can serve get no second token system', () => {
    fc.assert(
      fc.property(answersArbitrary, (answers) => {
        const { plan } = decide(answers);
        if (!plan.some((entry) => entry.method === 'oauth')) return;
        for (const entry of plan) {
          if (entry.subjects.includes('end-user')) expect(personalToken(entry), `${entry.id}: ${entry.method}/${entry.variant}`).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it('with an identity provider, people are served by OAuth as a resource server of its issuer', () => {
    fc.assert(
      fc.property(answersArbitrary, fc.constantFrom('hosted', 'self-run' as const), (answers, identityProvider) => {
        const decision = decide({ ...answers, identityProvider });
        for (const entry of decision.plan) {
          if (entry.subjects.includes('end-user')) expect([entry.method, entry.variant]).toEqual(['oauth', 'resource-server']);
          if (entry.method === 'oauth') expect(entry.variant).toBe('resource-server');
        }
      }),
      RUNS,
    );
  });

  it('holds no more auth systems than its boundaries need: a system of its own fits its boundary better than every other by more than its cost', () => {
    fc.assert(
      fc.property(answersArbitrary, (answers) => {
        const decision = decide(answers);
        const methods = [...new Set(decision.plan.map((entry) => entry.method))];
        for (const method of methods) {
          if (method === decision.recommendation) continue;
          const own = decision.plan.filter((entry) => entry.method === method);
          const [entry] = own;
          // One boundary of one kind of caller: its own answers score it exactly as the plan did.
          const single = own.length === 1 && (onlyPeople(entry!) ? entry!.clients.length === 1 : entry!.subjects.length === 1);
          if (!single || entry === undefined) continue;
          // No delegation here: delegated access makes OAuth the recommendation.
          const alone = decide({ ...answers, subjects: entry.subjects, clients: entry.clients, delegatedAccess: false });
          const score = (candidate: MethodId) => alone.ranking.find((ranked) => ranked.method === candidate)!;
          for (const other of methods.filter((candidate) => candidate !== method)) {
            const oauthStays = methods.includes('oauth') && method !== 'oauth';
            const forbidden = score(other).excluded || (oauthStays && onlyPeople(entry) && personalToken({ method: other, clients: entry.clients }));
            if (forbidden) continue;
            // Scores are rounded; the plan compares exact ones, so allow the rounding of both.
            expect(score(method).score - score(other).score, `${entry.id}: ${method} against ${other}`).toBeGreaterThanOrEqual(EXTRA_SYSTEM_COST - 1);
          }
        }
      }),
      RUNS,
    );
  });

  it('names its size: as many systems as distinct methods, never more than boundaries', () => {
    fc.assert(
      fc.property(answersArbitrary, (answers) => {
        const decision: Decision = decide(answers);
        expect(decision.systems).toBeLessThanOrEqual(decision.plan.length);
        expect(decision.systems).toBe(new Set(decision.plan.map((entry) => entry.method)).size);
      }),
      RUNS,
    );
  });
});
