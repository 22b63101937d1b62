/** Which methods, variants and boundaries a scaffold generates: from a plan, from the manifest, from --method. */
import { describe, expect, it } from 'vitest';
import { decide } from '../../src/core/engine.js';
import { parseAnswers } from '../../src/core/schema.js';
import { derivedBoundaryId, derivedVariant, selectionFromPlan, SelectionError, withMethod } from '../../src/core/scaffold/selection.js';

describe('plans from records written before variants and boundary ids', () => {
  it('derives variants as the record contract says', () => {
    expect(derivedVariant('api-key', ['backend-service'])).toBe('application');
    expect(derivedVariant('session', ['browser', 'mobile'])).toBe('cookie');
    expect(derivedVariant('session', ['mobile', 'cli'])).toBe('token');
    expect(derivedVariant('jwt', ['mobile'])).toBe('login-endpoint');
    expect(derivedVariant('oauth', ['backend-service'])).toBe('authorization-code');
  });

  it('derives boundary ids from who calls and from where', () => {
    expect(derivedBoundaryId(['end-user'], ['browser'], 1)).toBe('api');
    expect(derivedBoundaryId(['third-party-app'], ['backend-service'], 2)).toBe('third-party-apps');
    expect(derivedBoundaryId(['end-user'], ['browser'], 2)).toBe('browser-app');
    expect(derivedBoundaryId(['end-user'], ['mobile', 'cli'], 2)).toBe('native-apps');
    expect(derivedBoundaryId(['end-user'], ['cli'], 2)).toBe('cli-users');
    expect(derivedBoundaryId(['backend-integration'], ['backend-service'], 2)).toBe('partners');
    expect(derivedBoundaryId(['internal-service', 'backend-integration'], ['scheduled-job'], 2)).toBe('services');
  });

  it('reads ids, variants and token formats when the record has them, and ignores what it cannot use', () => {
    const selection = selectionFromPlan([
      { id: 'partners', method: 'api-key', variant: 'application', subjects: ['backend-integration'], clients: ['backend-service'] },
      { id: 'apps', method: 'oauth', variant: 'client-credentials', tokenFormat: 'opaque', subjects: ['third-party-app'], clients: ['backend-service'] },
      { id: 'Not An Id!', method: 'session', variant: 'carrier-pigeon', subjects: ['end-user'], clients: ['mobile'] },
    ]);
    expect(selection).toEqual({
      methods: [
        { method: 'api-key', variants: ['application'], tokenFormat: null },
        { method: 'oauth', variants: ['client-credentials'], tokenFormat: 'opaque' },
        { method: 'session', variants: ['token'], tokenFormat: null },
      ],
      boundaries: [
        { id: 'partners', label: 'Partner backends', accepts: [{ method: 'api-key', variant: 'application' }] },
        { id: 'apps', label: 'Apps', accepts: [{ method: 'oauth', variant: 'client-credentials' }] },
        { id: 'native-apps', label: 'Mobile and other installed apps', accepts: [{ method: 'session', variant: 'token' }] },
      ],
    });
    expect(() => selectionFromPlan([{ method: 'smoke-signals' }])).toThrow(/plan entry 1 names no known method/);
  });

  it("turns a real decision's plan into one boundary per entry, one method per id", () => {
    const answers = parseAnswers({
      subjects: ['end-user', 'third-party-app', 'backend-integration'],
      clients: ['browser', 'backend-service'],
      delegatedAccess: true,
      revocation: 'immediate',
      opsCapacity: 'medium',
    });
    if (!answers.ok) throw new Error('bad answers');
    const { plan } = decide(answers.value);
    const selection = selectionFromPlan(plan as unknown as Record<string, unknown>[]);
    expect(selection.boundaries).toHaveLength(plan.length);
    expect(new Set(selection.boundaries.map((b) => b.id)).size).toBe(plan.length);
    expect(selection.methods.map((m) => m.method).sort()).toEqual([...new Set(plan.map((entry) => entry.method))].sort());
  });
});

describe('--method X on top of what is there', () => {
  const empty = { methods: [], boundaries: [] };

  it('a first method serves every caller: boundary "api"', () => {
    expect(withMethod(empty, { method: 'api-key' }, null)).toEqual({
      methods: [{ method: 'api-key', variants: ['application'], tokenFormat: null }],
      boundaries: [{ id: 'api', label: 'Every caller of the API', accepts: [{ method: 'api-key', variant: 'application' }] }],
    });
  });

  it('a second method gets a boundary of its own; a refresh changes nothing', () => {
    const first = withMethod(empty, { method: 'api-key' }, null);
    const second = withMethod(first, { method: 'session', variant: 'token' }, null);
    expect(second.boundaries.map((b) => [b.id, b.accepts.map((a) => `${a.method}/${a.variant}`)])).toEqual([
      ['api', ['api-key/application']],
      ['native-apps', ['session/token']],
    ]);
    expect(withMethod(second, { method: 'session' }, null)).toEqual(second);
  });

  it('the plan says where a method goes when it names it', () => {
    const planned = selectionFromPlan([
      { id: 'partners', method: 'api-key', subjects: ['backend-integration'], clients: ['backend-service'] },
      { id: 'browser-app', method: 'session', subjects: ['end-user'], clients: ['browser'] },
    ]);
    const next = withMethod(empty, { method: 'session' }, planned);
    expect(next.boundaries).toEqual([{ id: 'browser-app', label: 'First-party browser app', accepts: [{ method: 'session', variant: 'cookie' }] }]);
  });

  it('--boundary naming an existing boundary makes the method one more it accepts', () => {
    const first = withMethod(empty, { method: 'session', variant: 'cookie' }, null);
    const both = withMethod(first, { method: 'jwt', boundary: 'api' }, null);
    expect(both.boundaries).toEqual([
      { id: 'api', label: 'Every caller of the API', accepts: [{ method: 'session', variant: 'cookie' }, { method: 'jwt', variant: 'login-endpoint' }] },
    ]);
  });

  it('a default boundary already taken by another method is a question, not a silent merge', () => {
    const taken = { methods: [{ method: 'jwt' as const, variants: ['login-endpoint'], tokenFormat: null }], boundaries: [{ id: 'browser-app', label: 'x', accepts: [{ method: 'jwt' as const, variant: 'login-endpoint' }] }] };
    expect(() => withMethod(taken, { method: 'session', variant: 'cookie' }, null)).toThrow(SelectionError);
    expect(() => withMethod(taken, { method: 'session', variant: 'cookie' }, null)).toThrow(/already accepts jwt \(login-endpoint\)/);
    expect(() => withMethod(taken, { method: 'session', boundary: 'Bad Id' }, null)).toThrow(/is not a boundary id/);
  });
});
