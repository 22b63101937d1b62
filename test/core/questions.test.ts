import { describe, expect, it } from 'vitest';
import { defaultAnswers, describeAnswer, QUESTION_ORDER, QUESTIONS, questionFor } from '../../src/core/questions.js';
import { parseAnswers } from '../../src/core/schema.js';
import { ARCHITECTURES, AUDIT_NEEDS, CLIENTS, EXPOSURES, GRANULARITIES, OPS_CAPACITIES, REVOCATION_NEEDS, STACKS, SUBJECTS } from '../../src/core/types.js';

const CONTRACT: Record<string, readonly unknown[]> = {
  subjects: SUBJECTS,
  clients: CLIENTS,
  delegatedAccess: [true, false],
  revocation: REVOCATION_NEEDS,
  opsCapacity: OPS_CAPACITIES,
  architecture: ARCHITECTURES,
  exposure: EXPOSURES,
  granularity: GRANULARITIES,
  audit: AUDIT_NEEDS,
  sameSiteFrontend: [true, false],
  stack: [...STACKS, null],
};

describe('QUESTIONS', () => {
  it('asks the five questions first, then the context questions', () => {
    expect(QUESTION_ORDER.slice(0, 5)).toEqual(['subjects', 'clients', 'delegatedAccess', 'revocation', 'opsCapacity']);
    expect(QUESTIONS.slice(0, 5).every((question) => question.group === 'core')).toBe(true);
    expect(QUESTIONS.slice(5).every((question) => question.group === 'context')).toBe(true);
    expect([...QUESTION_ORDER].sort()).toEqual(Object.keys(CONTRACT).sort());
  });

  it('offers exactly the values of the answers contract, each with a label and a description', () => {
    for (const question of QUESTIONS) {
      expect(question.choices.map((choice) => choice.value)).toEqual([...CONTRACT[question.key]!]);
      for (const choice of question.choices) {
        expect(choice.label.length).toBeGreaterThan(0);
        expect(choice.description.length).toBeGreaterThan(0);
      }
    }
  });

  it('has one-line help that fits a terminal', () => {
    for (const question of QUESTIONS) {
      expect(question.help).not.toContain('\n');
      // The prompt indents help by two spaces; it must fit 80 columns.
      expect(question.help.length + 2).toBeLessThanOrEqual(100);
      expect(question.message.length).toBeLessThanOrEqual(80);
    }
  });

  it('asks about a same-site web UI only when a browser calls the API', () => {
    const sameSite = questionFor('sameSiteFrontend');
    expect(sameSite.askWhen?.({ clients: ['browser', 'mobile'] })).toBe(true);
    expect(sameSite.askWhen?.({ clients: ['mobile'] })).toBe(false);
    expect(sameSite.defaultValue({ clients: ['mobile'] })).toBe(false);
  });
});

describe('defaultAnswers', () => {
  it('is a valid, complete answers object a newcomer can accept', () => {
    const defaults = defaultAnswers();
    const parsed = parseAnswers(defaults);
    expect(parsed.ok).toBe(true);
    expect(defaults).toEqual({
      subjects: ['end-user'],
      clients: ['browser'],
      delegatedAccess: false,
      revocation: 'minutes',
      opsCapacity: 'medium',
      architecture: 'single-app',
      exposure: 'internal',
      granularity: 'roles',
      audit: 'app-and-user',
      sameSiteFrontend: true,
    });
  });

  it('matches the schema defaults for every context question', () => {
    const defaults = defaultAnswers();
    const minimal = parseAnswers({
      subjects: defaults.subjects,
      clients: defaults.clients,
      delegatedAccess: defaults.delegatedAccess,
      revocation: defaults.revocation,
      opsCapacity: defaults.opsCapacity,
    });
    expect(minimal.ok && minimal.value).toEqual(defaults);
  });
});

describe('describeAnswer', () => {
  it('puts answers into words', () => {
    expect(describeAnswer('subjects', ['internal-service', 'end-user'])).toBe('Internal services, End users');
    expect(describeAnswer('delegatedAccess', true)).toBe('Yes');
    expect(describeAnswer('stack', undefined)).toBe('Not decided');
    expect(describeAnswer('revocation', 'at-expiry')).toBe('When it expires');
  });
});
