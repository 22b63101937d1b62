import { describe, expect, it } from 'vitest';
import { DIMENSIONS, METHODS, REVISIT_QUESTIONS, TRIGGERS } from '../../src/core/knowledge.js';
import { answersInputSchema } from '../../src/core/schema.js';
import { CLIENTS, DIMENSION_IDS, METHOD_IDS, SUBJECTS, TRIGGER_IDS, type DimensionId, type MethodId } from '../../src/core/types.js';

const answerKeys = Object.keys(answersInputSchema.shape);
const rating = (method: MethodId, dimension: DimensionId) => METHODS[method].ratings[dimension].score;
const bestOn = (dimension: DimensionId) => [...METHOD_IDS].sort((a, b) => rating(b, dimension) - rating(a, dimension))[0];
const worstOn = (dimension: DimensionId) => [...METHOD_IDS].sort((a, b) => rating(a, dimension) - rating(b, dimension))[0];

describe('dimensions', () => {
  it('describes exactly the seven dimensions, keyed by their own id', () => {
    expect(Object.keys(DIMENSIONS)).toEqual([...DIMENSION_IDS]);
    for (const id of DIMENSION_IDS) {
      expect(DIMENSIONS[id].id).toBe(id);
      expect(DIMENSIONS[id].label.length).toBeGreaterThan(0);
      expect(DIMENSIONS[id].question).toMatch(/\?$/);
    }
  });
});

describe('method profiles', () => {
  it('has a profile for each of the four methods, keyed by its own id', () => {
    expect(Object.keys(METHODS)).toEqual([...METHOD_IDS]);
    for (const id of METHOD_IDS) expect(METHODS[id].id).toBe(id);
  });

  it.each(METHOD_IDS)('%s is rated on every dimension with a 1–5 score and a one-line rationale', (id) => {
    const { ratings } = METHODS[id];
    expect(Object.keys(ratings)).toEqual([...DIMENSION_IDS]);
    for (const dimension of DIMENSION_IDS) {
      const { score, rationale } = ratings[dimension];
      expect(Number.isInteger(score)).toBe(true);
      expect(score).toBeGreaterThanOrEqual(1);
      expect(score).toBeLessThanOrEqual(5);
      expect(rationale.trim().length).toBeGreaterThan(20);
      expect(rationale).not.toMatch(/\n/);
    }
  });

  it.each(METHOD_IDS)('%s lists best-fit callers, use cases, an example, watch-outs, pros and cons', (id) => {
    const profile = METHODS[id];
    expect(profile.name.length).toBeGreaterThan(0);
    expect(profile.summary.length).toBeGreaterThan(20);
    expect(profile.wireFormat).toMatch(/^(Authorization|Cookie): /);
    expect(profile.bestFitSubjects.length).toBeGreaterThan(0);
    for (const subject of profile.bestFitSubjects) expect(SUBJECTS).toContain(subject);
    expect(profile.bestFitClients.length).toBeGreaterThan(0);
    for (const client of profile.bestFitClients) expect(CLIENTS).toContain(client);
    for (const list of [profile.useWhen, profile.watchOutFor, profile.good, profile.bad]) {
      expect(list.length).toBeGreaterThanOrEqual(2);
      for (const line of list) expect(line.trim().length).toBeGreaterThan(10);
    }
    expect(profile.example.length).toBeGreaterThan(20);
  });

  it.each(METHOD_IDS)('%s has the defaults a decision record needs, with concrete numbers for lifetimes', (id) => {
    const { defaults } = METHODS[id];
    expect(defaults.identity.length).toBeGreaterThan(10);
    for (const list of [defaults.lifetimes, defaults.rotation, defaults.revocation, defaults.confirmation]) {
      expect(list.length).toBeGreaterThan(0);
      for (const line of list) expect(line.trim().length).toBeGreaterThan(10);
    }
    expect(defaults.lifetimes.some((line) => /\d/.test(line))).toBe(true);
  });

  it('states the concrete lifetimes the record promises', () => {
    expect(METHODS['api-key'].defaults.lifetimes.join(' ')).toMatch(/90 days/);
    expect(METHODS['api-key'].defaults.rotation.join(' ')).toMatch(/7 days/);
    expect(METHODS.jwt.defaults.lifetimes.join(' ')).toMatch(/5–15 minutes/);
    expect(METHODS.jwt.defaults.lifetimes.join(' ')).toMatch(/30 days/);
    expect(METHODS.session.defaults.lifetimes.join(' ')).toMatch(/inactivity/);
    expect(METHODS.oauth.defaults.lifetimes.join(' ')).toMatch(/Authorization codes/);
  });

  it('orders the methods on each dimension the way the source material does', () => {
    expect(bestOn('implementation-complexity')).toBe('api-key');
    expect(worstOn('implementation-complexity')).toBe('oauth');
    expect(bestOn('revocation')).toBe('session');
    expect(worstOn('revocation')).toBe('jwt');
    expect(bestOn('granularity')).toBe('oauth');
    expect(bestOn('scalability')).toBe('jwt');
    expect(bestOn('auditability')).toBe('oauth');
    // Sessions are rated at least as simple as JWTs for a single application.
    expect(rating('session', 'implementation-complexity')).toBeGreaterThan(rating('jwt', 'implementation-complexity'));
  });

  it('fits API keys to machines and sessions to people in browsers', () => {
    expect(METHODS['api-key'].bestFitSubjects).not.toContain('end-user');
    expect(METHODS['api-key'].bestFitClients).not.toContain('browser');
    expect(METHODS.session.bestFitClients).toEqual(['browser']);
    expect(METHODS.oauth.bestFitSubjects).toContain('third-party-app');
  });
});

describe('revisit triggers and questions', () => {
  it('has the six triggers, each touching real answer fields', () => {
    expect(Object.keys(TRIGGERS)).toEqual([...TRIGGER_IDS]);
    for (const id of TRIGGER_IDS) {
      const trigger = TRIGGERS[id];
      expect(trigger.id).toBe(id);
      expect(trigger.title.length).toBeGreaterThan(5);
      expect(trigger.description.length).toBeGreaterThan(20);
      expect(trigger.touches.length).toBeGreaterThan(0);
      for (const key of trigger.touches) expect(answerKeys).toContain(key);
    }
  });

  it('maps each trigger to the answers it may change', () => {
    expect(TRIGGERS['client-types'].touches).toEqual(['subjects', 'clients', 'sameSiteFrontend', 'exposure']);
    expect(TRIGGERS['authorization-granularity'].touches).toEqual(['granularity', 'delegatedAccess']);
    expect(TRIGGERS['revocation-audit'].touches).toEqual(['revocation', 'audit']);
    expect(TRIGGERS.distribution.touches).toEqual(['architecture', 'opsCapacity']);
    expect(TRIGGERS['framework-support'].touches).toEqual(['stack', 'opsCapacity']);
    expect(TRIGGERS['threat-model'].touches).toEqual(['exposure', 'revocation', 'audit']);
  });

  it('has the five revisit questions with distinct ids', () => {
    expect(REVISIT_QUESTIONS.map((question) => question.id)).toEqual([
      'identities',
      'incidents',
      'overcomplicated',
      'hardest-flows',
      'incremental-migration',
    ]);
    for (const question of REVISIT_QUESTIONS) expect(question.text).toMatch(/\?$/);
  });
});
