import { describe, expect, it } from 'vitest';
import { decide } from '../../src/core/engine.js';
import { METHODS, TRIGGERS } from '../../src/core/knowledge.js';
import {
  changedAnswers,
  compareDecisions,
  describePlanAdditions,
  mergeAnswers,
  methodsInUse,
  migrationPlan,
  parseTriggerIds,
  renderComparison,
  renderMigrationPlan,
  touchedQuestions,
  triggersTouching,
} from '../../src/core/review.js';
import { parseAnswers } from '../../src/core/schema.js';
import { METHOD_IDS, TRIGGER_IDS, type Answers } from '../../src/core/types.js';

const answers = (input: Record<string, unknown>): Answers => {
  const result = parseAnswers(input);
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('; '));
  return result.value;
};

const partner = answers({
  subjects: ['backend-integration'],
  clients: ['backend-service'],
  delegatedAccess: false,
  revocation: 'minutes',
  opsCapacity: 'low',
  stack: 'express',
});

describe('triggers', () => {
  it('accepts the six ids in canonical order and reports unknown ones', () => {
    expect(parseTriggerIds(['threat-model', 'client-types', 'threat-model'])).toEqual({
      triggers: ['client-types', 'threat-model'],
      unknown: [],
    });
    expect(parseTriggerIds(['client-types', 'new-ceo'])).toEqual({ triggers: ['client-types'], unknown: ['new-ceo'] });
  });

  it.each(TRIGGER_IDS)('%s re-asks exactly the questions it touches, in questionnaire order', (id) => {
    const touched = touchedQuestions([id]);
    expect(new Set(touched)).toEqual(new Set(TRIGGERS[id].touches));
    expect(touched.length).toBeGreaterThan(0);
    for (const key of touched) expect(triggersTouching(key)).toContain(id);
  });

  it('unions the questions of several triggers without repeats', () => {
    const touched = touchedQuestions(['revocation-audit', 'threat-model']);
    expect(touched).toEqual(['revocation', 'exposure', 'audit']);
  });

  it('touches nothing when no trigger fired', () => {
    expect(touchedQuestions([])).toEqual([]);
  });
});

describe('mergeAnswers', () => {
  it('lays only the changed fields over the stored answers', () => {
    const merged = mergeAnswers(partner, { revocation: 'immediate', clients: ['mobile', 'backend-service'] });
    expect(merged.ok).toBe(true);
    if (!merged.ok) return;
    expect(merged.value).toEqual({ ...partner, revocation: 'immediate', clients: ['mobile', 'backend-service'] });
    expect(changedAnswers(partner, merged.value).map((c) => c.question)).toEqual(['clients', 'revocation']);
  });

  it('an empty patch changes nothing', () => {
    const merged = mergeAnswers(partner, {});
    expect(merged).toEqual({ ok: true, value: partner });
  });
});

describe('compareDecisions', () => {
  it('same answers: same outcome, no effects', () => {
    const comparison = compareDecisions(partner, partner);
    expect(comparison.outcome).toBe('same');
    expect(comparison.effects).toEqual([]);
    expect(Object.values(comparison.scoreDeltas).every((delta) => delta === 0)).toBe(true);
  });

  it('delegated access for third-party apps changes the outcome and says which answer moved OAuth', () => {
    const after = { ...partner, subjects: ['backend-integration', 'third-party-app'], delegatedAccess: true } as Answers;
    const comparison = compareDecisions(partner, after);
    expect(comparison.outcome).toBe('changed');
    expect(methodsInUse(comparison.afterDecision)).toContain('oauth');
    expect(comparison.methodsAdded).toContain('oauth');
    expect(comparison.effects.map((e) => e.question)).toEqual(['subjects', 'delegatedAccess']);
    // Each effect is a real re-score of the old answers with that one answer changed.
    for (const effect of comparison.effects) {
      const single = decide({ ...partner, [effect.question]: effect.to } as Answers);
      for (const method of METHOD_IDS) {
        const expected =
          single.ranking.find((r) => r.method === method)!.score - comparison.beforeDecision.ranking.find((r) => r.method === method)!.score;
        expect(effect.scoreDeltas[method]).toBe(expected);
      }
      expect(effect.recommendationAlone).toBe(single.recommendation);
    }
    const delegation = comparison.effects.find((e) => e.question === 'delegatedAccess')!;
    expect(delegation.scoreDeltas.oauth).toBeGreaterThan(0);
  });

  it('judges the outcome against what the record says, not a re-score of the old answers', () => {
    const recorded = { recommendation: 'session' as const, plan: [{ method: 'session' as const, variant: 'cookie' as const }] };
    const comparison = compareDecisions(partner, partner, { recorded });
    expect(comparison.before.recommendation).toBe('api-key');
    expect(comparison.outcome).toBe('changed');
    expect(comparison.methodsRetired).toEqual(['session']);
  });

  it('renders old and new side by side within 80 columns', () => {
    const after = { ...partner, subjects: ['backend-integration', 'third-party-app'], delegatedAccess: true } as Answers;
    const comparison = compareDecisions(partner, after);
    const before = comparison.beforeDecision;
    const text = renderComparison(comparison, {
      label: 'ADR-0001',
      recommendation: before.recommendation,
      scores: Object.fromEntries(before.ranking.map((r) => [r.method, r.score])) as Record<(typeof METHOD_IDS)[number], number>,
      plan: before.plan,
    });
    expect(text).toContain(`Recommendation: ${METHODS['api-key'].name} -> ${METHODS[comparison.after.recommendation].name} (changed)`);
    expect(text).toContain('Delegated access: No -> Yes');
    expect(text).toContain('Plan recorded in ADR-0001');
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });
});

describe('describePlanAdditions', () => {
  it('names the methods the plan gained, then new variants of methods already in use; nothing when it only drops', () => {
    expect(describePlanAdditions({ methodsAdded: [], variantsAdded: [] })).toBeNull();
    expect(describePlanAdditions({ methodsAdded: ['oauth'], variantsAdded: [{ method: 'oauth', variant: 'client-credentials' }] })).toBe('OAuth 2');
    expect(describePlanAdditions({ methodsAdded: [], variantsAdded: [{ method: 'session', variant: 'token' }] })).toBe('Server-side sessions (session token)');
    expect(
      describePlanAdditions({
        methodsAdded: ['api-key', 'oauth'],
        variantsAdded: [
          { method: 'api-key', variant: 'application' },
          { method: 'session', variant: 'token' },
        ],
      }),
    ).toBe('API keys, OAuth 2 and Server-side sessions (session token)');
  });

  it('a plan that keeps its method and adds a variant is a change with something to add', () => {
    const browser = answers({ subjects: ['end-user'], clients: ['browser'], delegatedAccess: false, revocation: 'minutes', opsCapacity: 'low' });
    const comparison = compareDecisions(browser, { ...browser, clients: ['browser', 'mobile'] });
    expect(comparison.outcome).toBe('changed');
    expect(comparison.methodsAdded).toEqual([]);
    expect(describePlanAdditions(comparison)).toBe('Server-side sessions (session token)');
  });
});

describe('migrationPlan', () => {
  const sessionApp = answers({ subjects: ['end-user'], clients: ['browser'], delegatedAccess: false, revocation: 'immediate', opsCapacity: 'medium' });

  it('moves existing callers in three steps: side by side, move clients, retire the old method', () => {
    const before = decide(partner);
    const after = decide({ ...partner, subjects: ['third-party-app'], delegatedAccess: true, granularity: 'scopes' });
    expect(before.recommendation).toBe('api-key');
    expect(after.recommendation).toBe('oauth');
    const plan = migrationPlan(before, after);
    expect(plan.steps.map((s) => s.phase)).toEqual(['side-by-side', 'move-clients', 'retire']);
    const text = renderMigrationPlan(plan);
    expect(text).toMatch(/^From API keys to OAuth 2, in three steps:/);
    expect(methodsInUse(after)).toEqual(['oauth']);
    // One method for every caller before and after: the same boundary, so callers move rather than start fresh.
    expect(plan.steps[0]!.details[0]).toContain('accept API keys (per application) and OAuth 2 (authorization code) at the same time');
    expect(plan.steps[1]!.details[0]).toContain('from API keys (per application) to OAuth 2 (authorization code)');
    expect(plan.steps[2]!.details[0]).toContain('Stop issuing new API keys');
  });

  it('moves a boundary whose variant changes, even when the method stays', () => {
    const before = decide(sessionApp);
    const after = decide({ ...sessionApp, clients: ['mobile'] });
    expect(after.plan).toEqual([expect.objectContaining({ id: 'api', method: 'session', variant: 'token' })]);
    const plan = migrationPlan(before, after);
    expect(plan.steps[0]!.details[0]).toContain('accept Server-side sessions (cookie) and Server-side sessions (session token) at the same time');
  });

  it('a new kind of caller opens a new boundary without moving anyone', () => {
    const before = decide(sessionApp);
    const after = decide({ ...sessionApp, subjects: ['end-user', 'third-party-app'], clients: ['browser', 'backend-service'], delegatedAccess: true });
    const plan = migrationPlan(before, after);
    expect(plan.from).toEqual(['session']);
    expect(plan.to).toEqual(['oauth', 'session']);
    expect(plan.steps[0]!.details[0]).toMatch(/^Open the boundary `third-party-apps` \(.+\) with OAuth 2 \(authorization code\) next to Server-side sessions/);
    expect(plan.steps[1]!.details[0]).toContain('No existing caller has to switch');
    expect(plan.steps[2]!.details[0]).toContain('Nothing is retired');
  });
});
