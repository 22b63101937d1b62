import { describe, expect, it } from 'vitest';
import { defaultAnswers, describeAnswer, QUESTION_ORDER, QUESTIONS, questionFor } from '../../src/core/questions.js';
import { contextDefaults, parseAnswers } from '../../src/core/schema.js';
import { ARCHITECTURES, AUDIT_NEEDS, CLIENTS, EXPOSURES, GRANULARITIES, IDENTITY_PROVIDERS, OPS_CAPACITIES, REVOCATION_NEEDS, STACKS, SUBJECTS } from '../../src/core/types.js';

const CONTRACT: Record<string, readonly unknown[]> = {
  subjects: SUBJECTS,
  clients: CLIENTS,
  delegatedAccess: [true, false],
  revocation: REVOCATION_NEEDS,
  opsCapacity: OPS_CAPACITIES,
  architecture: ARCHITECTURES,
  identityProvider: IDENTITY_PROVIDERS,
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

  it('fits every hint into 80 columns as the prompts show it', () => {
    for (const question of QUESTIONS) {
      expect(question.help).not.toContain('\n');
      // The prompt prints help indented by two spaces, and the question after "? ".
      expect(`  ${question.help}`.length, question.help).toBeLessThanOrEqual(80);
      expect(`? ${question.message}`.length, question.message).toBeLessThanOrEqual(80);
      for (const choice of question.choices) {
        // A select list draws "❯ label"; the highlighted choice's description shows on a line of its own.
        expect(`❯ ${choice.label}`.length).toBeLessThanOrEqual(80);
        expect(choice.description.length, choice.description).toBeLessThanOrEqual(80);
      }
    }
  });

  it('asks about delegated access in plain words: people letting other apps act for them', () => {
    const delegated = questionFor('delegatedAccess');
    expect(delegated.message).toMatch(/people let other apps use your API for them/);
    expect(delegated.message).not.toMatch(/elsewhere/);
  });

  it('asks about an existing identity provider with three answers', () => {
    expect(describeAnswer('identityProvider', 'hosted')).toBe('Hosted');
    expect(questionFor('identityProvider').choices.map((choice) => choice.value)).toEqual(['none', 'hosted', 'self-run']);
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
      identityProvider: 'none',
      exposure: 'internal',
      granularity: 'roles',
      // Only people call the API by default, so their requests are traced to them.
      audit: 'user',
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

describe('context defaults follow the earlier answers', () => {
  const core = { clients: ['backend-service'] as const, delegatedAccess: false };
  it('makes an API with third-party apps public with scopes, and one with partner backends a partner API', () => {
    expect(contextDefaults({ ...core, clients: ['backend-service'], subjects: ['third-party-app'] })).toMatchObject({ exposure: 'public', granularity: 'scopes' });
    expect(contextDefaults({ ...core, clients: ['backend-service'], subjects: ['backend-integration'] })).toMatchObject({ exposure: 'partners', granularity: 'roles' });
    expect(contextDefaults({ ...core, clients: ['backend-service'], subjects: ['internal-service'] })).toMatchObject({ exposure: 'internal' });
  });

  it('audits requests per application when no person is involved, per person when only people call', () => {
    expect(contextDefaults({ ...core, clients: ['backend-service'], subjects: ['internal-service'] }).audit).toBe('app');
    expect(contextDefaults({ ...core, clients: ['browser'], subjects: ['end-user'] }).audit).toBe('user');
    expect(contextDefaults({ ...core, clients: ['browser'], subjects: ['end-user', 'internal-service'] }).audit).toBe('app-and-user');
    expect(contextDefaults({ clients: ['browser'], subjects: ['end-user'], delegatedAccess: true }).audit).toBe('app-and-user');
  });

  it('gives the questionnaire the same defaults as an answers file', () => {
    const earlier = { subjects: ['third-party-app' as const, 'internal-service' as const], clients: ['backend-service' as const], delegatedAccess: true };
    for (const key of ['architecture', 'identityProvider', 'exposure', 'granularity', 'audit', 'sameSiteFrontend'] as const) {
      expect(questionFor(key).defaultValue(earlier)).toBe(contextDefaults(earlier)[key]);
    }
    const parsed = parseAnswers({ ...earlier, revocation: 'minutes', opsCapacity: 'medium' });
    expect(parsed.ok && parsed.value).toMatchObject({ exposure: 'public', granularity: 'scopes', audit: 'app-and-user', identityProvider: 'none' });
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
