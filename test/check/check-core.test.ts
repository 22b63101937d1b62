import { describe, expect, it } from 'vitest';
import { daysUntil, evaluateCheck, methodsImpliedBy, type CheckFacts } from '../../src/core/check.js';

/** Facts for a healthy project: an API-key record for Express, reviewed on time. */
const healthy = (overrides: Partial<CheckFacts> = {}): CheckFacts => ({
  now: new Date('2026-03-01T08:00:00Z'),
  recordsDir: 'docs/decisions',
  record: {
    path: 'docs/decisions/0001-use-api-keys.md',
    number: 1,
    title: 'Use API keys',
    date: '2025-12-01',
    reviewBy: '2026-06-01',
    recommendation: 'api-key',
    methods: ['api-key'],
    stack: 'express',
  },
  otherCurrentRecords: [],
  detectedStack: 'express',
  scaffoldedStack: null,
  dependencies: ['express', 'zod'],
  scaffoldedDependencies: [],
  generatedFiles: [],
  retiring: [],
  strict: false,
  ...overrides,
});

const ids = (facts: CheckFacts) => evaluateCheck(facts).findings.map((f) => f.id);

describe('evaluateCheck', () => {
  it('all well: status ok, no findings', () => {
    expect(evaluateCheck(healthy())).toEqual({ status: 'ok', findings: [] });
  });

  it('migration-overdue: an error from the sunset day on while the manifest still wires the retiring method', () => {
    const retiring = [{ boundary: 'partners', method: 'api-key' as const, variant: 'application', sunset: '2026-03-02', record: 'docs/decisions/0002-use-oauth.md' }];
    expect(ids(healthy({ retiring, now: new Date('2026-03-01T23:59:59Z') }))).toEqual([]);
    const due = evaluateCheck(healthy({ retiring, now: new Date('2026-03-02T00:00:00Z') }));
    expect(due.status).toBe('review-needed');
    expect(due.findings).toEqual([expect.objectContaining({ id: 'migration-overdue', severity: 'error' })]);
    expect(due.findings[0]!.message).toContain('/partners still wires api-key (application), which docs/decisions/0002-use-oauth.md retires: its sunset 2026-03-02 is today');
    expect(due.findings[0]!.message).toContain('auth-decide scaffold --retire api-key');
    const late = evaluateCheck(healthy({ retiring, now: new Date('2026-04-01T08:00:00Z') }));
    expect(late.findings[0]!.message).toContain('passed 30 days ago');
  });

  it('no record: review needed', () => {
    const report = evaluateCheck(healthy({ record: null }));
    expect(report.status).toBe('review-needed');
    expect(report.findings).toEqual([
      expect.objectContaining({ id: 'no-record', severity: 'error', message: expect.stringContaining('docs/decisions') }),
    ]);
  });

  it('review-by date: the day itself is on time, the day after is due', () => {
    expect(ids(healthy({ now: new Date('2026-06-01T23:59:00Z') }))).toEqual([]);
    const late = evaluateCheck(healthy({ now: new Date('2026-06-02T00:01:00Z') }));
    expect(late.status).toBe('review-needed');
    expect(late.findings).toEqual([expect.objectContaining({ id: 'review-due', severity: 'error' })]);
    expect(late.findings[0]!.message).toContain('2026-06-01');
    expect(late.findings[0]!.message).toContain('1 day ago');
  });

  it('detected stack differs from the recorded one', () => {
    const report = evaluateCheck(healthy({ detectedStack: 'fastify' }));
    expect(report.status).toBe('review-needed');
    expect(report.findings).toEqual([expect.objectContaining({ id: 'stack-changed', severity: 'error' })]);
    expect(report.findings[0]!.message).toContain('express');
    expect(report.findings[0]!.message).toContain('fastify');
  });

  it('uses the scaffolded stack when the record names none', () => {
    const record = { ...healthy().record!, stack: null };
    expect(ids(healthy({ record, scaffoldedStack: 'hono', detectedStack: 'express' }))).toEqual(['stack-changed']);
    expect(ids(healthy({ record, scaffoldedStack: null, detectedStack: 'express' }))).toEqual([]);
  });

  it('a recorded stack that is no longer found is a warning only', () => {
    const report = evaluateCheck(healthy({ detectedStack: null }));
    expect(report).toEqual({ status: 'ok', findings: [expect.objectContaining({ id: 'stack-not-detected', severity: 'warning' })] });
  });

  it.each([
    ['passport', ['session', 'oauth', 'jwt']],
    ['jsonwebtoken', ['jwt', 'oauth']],
    ['jose', ['jwt', 'oauth']],
    ['express-jwt', ['jwt', 'oauth']],
    ['next-auth', ['session', 'oauth']],
    ['@auth/core', ['session', 'oauth']],
    ['better-auth', ['session', 'oauth']],
    ['express-session', ['session']],
    ['@fastify/session', ['session']],
    ['@fastify/secure-session', ['session']],
    ['hono-sessions', ['session']],
    ['oidc-provider', ['oauth']],
    ['openid-client', ['oauth']],
    ['lucia', ['session']],
    ['passport-saml-strategy-nobody-knows', ['session', 'oauth', 'jwt']],
  ])('%s added to an API-key decision needs a review', (dependency, implied) => {
    expect(methodsImpliedBy(dependency)).toEqual(implied);
    const report = evaluateCheck(healthy({ dependencies: ['express', dependency] }));
    expect(report.status).toBe('review-needed');
    expect(report.findings).toEqual([expect.objectContaining({ id: 'unaccounted-dependency', severity: 'error' })]);
    expect(report.findings[0]!.message).toContain(dependency);
  });

  it('dependencies the recorded method or plan explains are fine', () => {
    const record = { ...healthy().record!, recommendation: 'session' as const, methods: ['session' as const, 'oauth' as const] };
    expect(ids(healthy({ record, dependencies: ['express', 'express-session', 'openid-client', 'passport', 'jose'] }))).toEqual([]);
  });

  it('dependencies our own scaffold added are fine', () => {
    expect(ids(healthy({ dependencies: ['express', 'jose'], scaffoldedDependencies: ['jose'] }))).toEqual([]);
  });

  it('unrelated dependencies are ignored', () => {
    expect(methodsImpliedBy('lodash')).toBeNull();
    expect(ids(healthy({ dependencies: ['express', 'lodash', 'passportable'] }))).toEqual([]);
  });

  it('edited or deleted generated files: warnings, errors with strict', () => {
    const generatedFiles = [
      { path: 'src/auth/core/keys.ts', state: 'edited' as const },
      { path: 'src/auth/middleware.ts', state: 'deleted' as const },
      { path: 'src/auth/AUTH.md', state: 'unchanged' as const },
    ];
    const relaxed = evaluateCheck(healthy({ generatedFiles }));
    expect(relaxed.status).toBe('ok');
    expect(relaxed.findings.map((f) => [f.id, f.severity])).toEqual([
      ['generated-file-edited', 'warning'],
      ['generated-file-deleted', 'warning'],
    ]);
    const strict = evaluateCheck(healthy({ generatedFiles, strict: true }));
    expect(strict.status).toBe('review-needed');
    expect(strict.findings.map((f) => f.severity)).toEqual(['error', 'error']);
  });

  it('several current records: an error naming them', () => {
    const report = evaluateCheck(healthy({ otherCurrentRecords: ['docs/decisions/0000-old.md'] }));
    expect(report.status).toBe('review-needed');
    expect(report.findings[0]).toMatchObject({ id: 'several-current-records', severity: 'error' });
    expect(report.findings[0]!.message).toContain('docs/decisions/0000-old.md');
    expect(report.findings[0]!.message).toContain('superseded by ADR-0001');
  });

  it('daysUntil counts whole UTC days', () => {
    expect(daysUntil('2026-03-01', new Date('2026-03-01T23:00:00Z'))).toBe(0);
    expect(daysUntil('2026-03-01', new Date('2026-03-04T01:00:00Z'))).toBe(-3);
    expect(daysUntil('2026-03-10', new Date('2026-03-01T01:00:00Z'))).toBe(9);
  });
});
