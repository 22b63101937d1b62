import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLOSE_CALL_MARGIN, decide } from '../../src/core/engine.js';
import {
  ARCHITECTURES,
  AUDIT_NEEDS,
  CLIENTS,
  EXPOSURES,
  GRANULARITIES,
  OPS_CAPACITIES,
  REVOCATION_NEEDS,
  STACKS,
  SUBJECTS,
  type AnswerKey,
  type Answers,
  type Decision,
  type MethodId,
} from '../../src/core/types.js';

const answersArbitrary: fc.Arbitrary<Answers> = fc
  .record({
    subjects: fc.subarray([...SUBJECTS], { minLength: 1 }),
    clients: fc.subarray([...CLIENTS], { minLength: 1 }),
    delegatedAccess: fc.boolean(),
    revocation: fc.constantFrom(...REVOCATION_NEEDS),
    opsCapacity: fc.constantFrom(...OPS_CAPACITIES),
    architecture: fc.constantFrom(...ARCHITECTURES),
    exposure: fc.constantFrom(...EXPOSURES),
    granularity: fc.constantFrom(...GRANULARITIES),
    audit: fc.constantFrom(...AUDIT_NEEDS),
    sameSiteFrontend: fc.boolean(),
    stack: fc.option(fc.constantFrom(...STACKS), { nil: undefined }),
  })
  .map(({ stack, ...rest }) => (stack === undefined ? rest : { ...rest, stack }));

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
        const viable = decision.ranking.filter((entry) => entry.excludedBy === undefined);
        const excluded = decision.ranking.filter((entry) => entry.excludedBy !== undefined);
        // Viable methods come first; within each group scores never increase.
        expect(decision.ranking).toEqual([...viable, ...excluded]);
        for (const group of [viable, excluded]) {
          for (let i = 1; i < group.length; i++) expect(group[i]!.score).toBeLessThanOrEqual(group[i - 1]!.score);
        }
        expect(decision.recommendation).toBe(decision.ranking[0]?.method);
        expect(decision.runnerUp).toBe(decision.ranking[1]?.method);
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

  it('an API called only by people in browsers never gets API keys', () => {
    fc.assert(
      fc.property(answersArbitrary, (answers) => {
        const decision = decide({ ...answers, subjects: ['end-user'], clients: ['browser'] });
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

  it('lowering ops capacity never raises OAuth, in score or in rank', () => {
    fc.assert(
      fc.property(answersArbitrary, (answers) => {
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
        const methods = decision.plan.map((entry) => entry.method);
        expect(new Set(methods).size).toBe(methods.length);
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
        const [winner, runnerUp] = decision.ranking;
        const runnerViable = runnerUp?.excludedBy === undefined;
        expect(decision.margin).toBe(Math.max(0, winner!.score - runnerUp!.score));
        expect(decision.closeCall).toBe(runnerViable && decision.margin < CLOSE_CALL_MARGIN);
        let previous = Infinity;
        for (const { dimension, points } of decision.decidingDimensions) {
          expect(points).toBe(winner!.dimensions[dimension] - runnerUp!.dimensions[dimension]);
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
