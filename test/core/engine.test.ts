import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { answersArbitrary } from './arbitraries.js';
import { BASE_WEIGHTS, CLOSE_CALL_MARGIN, decide } from '../../src/core/engine.js';
import { withDefaults, type AnswersInput } from '../../src/core/schema.js';
import { DIMENSION_IDS, METHOD_IDS, type Answers, type Decision, type DimensionId, type MethodId } from '../../src/core/types.js';

/** Answers as a person would write them; the documented defaults fill the rest. */
const answers = (input: AnswersInput): Answers => withDefaults(input as Parameters<typeof withDefaults>[0]);

const scoreOf = (decision: Decision, method: MethodId) => {
  const entry = decision.ranking.find((candidate) => candidate.method === method);
  if (entry === undefined) throw new Error(`${method} missing from ranking`);
  return entry;
};
const weightOf = (decision: Decision, dimension: DimensionId) => {
  const weight = decision.weights.find((candidate) => candidate.dimension === dimension);
  if (weight === undefined) throw new Error(`${dimension} missing from weights`);
  return weight;
};
const planMethods = (decision: Decision) => decision.plan.map((entry) => entry.method);

const INTERNAL_SERVICE = answers({
  subjects: ['internal-service'],
  clients: ['backend-service'],
  delegatedAccess: false,
  revocation: 'minutes',
  opsCapacity: 'medium',
});
const BROWSER_APP_SERVER_LOGIN = answers({
  subjects: ['end-user'],
  clients: ['browser'],
  delegatedAccess: false,
  revocation: 'immediate',
  opsCapacity: 'medium',
});
const PUBLIC_PLATFORM = answers({
  subjects: ['third-party-app', 'end-user'],
  clients: ['backend-service', 'browser'],
  delegatedAccess: true,
  revocation: 'minutes',
  opsCapacity: 'high',
  exposure: 'public',
  granularity: 'scopes',
});
const DISTRIBUTED_CENTRAL_IDENTITY = answers({
  subjects: ['end-user', 'internal-service'],
  clients: ['mobile', 'backend-service'],
  delegatedAccess: false,
  revocation: 'minutes',
  opsCapacity: 'high',
  architecture: 'multi-service',
});

describe('the decision shortcut', () => {
  it('an internal service integration gets API keys', () => {
    const decision = decide(INTERNAL_SERVICE);
    expect(decision.recommendation).toBe('api-key');
    expect(decision.plan).toHaveLength(1);
  });

  it('a browser app whose backend owns login gets sessions', () => {
    expect(decide(BROWSER_APP_SERVER_LOGIN).recommendation).toBe('session');
  });

  it('a public platform for third-party apps gets OAuth', () => {
    expect(decide(PUBLIC_PLATFORM).recommendation).toBe('oauth');
  });

  it('several APIs trusting one identity provider that mints brief tokens get JWTs', () => {
    const decision = decide(DISTRIBUTED_CENTRAL_IDENTITY);
    expect(decision.recommendation).toBe('jwt');
    expect(decision.ranking[0]?.method).toBe('jwt');
  });
});

describe('the good-example scenarios', () => {
  it('a data ingestion endpoint fed by a backend worker on a schedule gets API keys', () => {
    const decision = decide(
      answers({
        subjects: ['backend-integration'],
        clients: ['scheduled-job', 'backend-service'],
        delegatedAccess: false,
        revocation: 'minutes',
        opsCapacity: 'low',
        granularity: 'coarse',
        audit: 'app',
      }),
    );
    expect(decision.recommendation).toBe('api-key');
    expect(decision.closeCall).toBe(false);
  });

  it("a SaaS product reaching into a customer's calendar, drive or CRM gets OAuth", () => {
    const decision = decide(
      answers({
        subjects: ['backend-integration', 'end-user'],
        clients: ['backend-service', 'browser'],
        delegatedAccess: true,
        revocation: 'minutes',
        opsCapacity: 'medium',
        exposure: 'partners',
        granularity: 'scopes',
      }),
    );
    expect(decision.recommendation).toBe('oauth');
    const delegated = decision.plan.find((entry) => entry.subjects.includes('backend-integration'));
    expect(delegated?.method).toBe('oauth');
  });

  it('a multi-service backend with an identity service issuing short-lived tokens gets JWTs', () => {
    const decision = decide(
      answers({
        subjects: ['end-user', 'internal-service'],
        clients: ['browser', 'mobile', 'backend-service'],
        delegatedAccess: false,
        revocation: 'minutes',
        opsCapacity: 'high',
        architecture: 'multi-service',
        sameSiteFrontend: false,
      }),
    );
    expect(decision.recommendation).toBe('jwt');
    expect(scoreOf(decision, 'jwt').score).toBeGreaterThan(scoreOf(decision, 'session').score);
  });

  it('a back-office console or account area inside one web application gets sessions', () => {
    const decision = decide(
      answers({ subjects: ['end-user'], clients: ['browser'], delegatedAccess: false, revocation: 'immediate', opsCapacity: 'low', audit: 'user' }),
    );
    expect(decision.recommendation).toBe('session');
    expect(decision.plan).toEqual([expect.objectContaining({ method: 'session', subjects: ['end-user'], clients: ['browser'] })]);
  });
});

describe('hybrid plans', () => {
  const platformWithEverything = answers({
    subjects: ['internal-service', 'third-party-app', 'end-user'],
    clients: ['browser', 'backend-service'],
    delegatedAccess: true,
    revocation: 'immediate',
    opsCapacity: 'high',
    exposure: 'public',
    granularity: 'scopes',
  });

  it('splits a platform: its first-party web UI on sessions, outside apps on OAuth, internal callers on service tokens', () => {
    const decision = decide(platformWithEverything);
    expect(decision.recommendation).toBe('oauth');
    expect(decision.plan.map((entry) => [entry.id, entry.method, entry.variant, entry.subjects, entry.clients])).toEqual([
      ['third-party-apps', 'oauth', 'authorization-code', ['third-party-app'], ['backend-service']],
      // The authorization server is already there: the internal services become its clients rather than a third system.
      ['services', 'oauth', 'client-credentials', ['internal-service'], ['backend-service']],
      ['browser-app', 'session', 'cookie', ['end-user'], ['browser']],
    ]);
    expect(decision.systems).toBe(2);
    for (const entry of decision.plan) {
      expect(entry.boundary).toMatch(/↔/);
      expect(entry.why.length).toBeGreaterThan(20);
    }
    expect(decision.plan[2]?.boundary).toMatch(/same site/);
    expect(decision.warnings.some((warning) => /own boundary/.test(warning))).toBe(true);
  });

  it('puts the browser app on another site behind a cross-site boundary', () => {
    const decision = decide({ ...platformWithEverything, sameSiteFrontend: false });
    const browserEntry = decision.plan.find((entry) => entry.clients.includes('browser'));
    expect(browserEntry?.boundary).toMatch(/another site/);
  });

  it('gives internal services JWTs only from a token service', () => {
    const decision = decide(DISTRIBUTED_CENTRAL_IDENTITY);
    for (const entry of decision.plan.filter((candidate) => candidate.method === 'jwt')) expect(entry.variant).toBe('token-service');
    fc.assert(
      fc.property(answersArbitrary, (input) => {
        for (const entry of decide(input).plan) {
          if (entry.method === 'jwt' && entry.subjects.some((subject) => subject !== 'end-user')) expect(entry.variant).toBe('token-service');
        }
      }),
      { numRuns: 200 },
    );
  });

  it('keeps a single entry, covering every caller, when one method serves everyone', () => {
    const decision = decide(DISTRIBUTED_CENTRAL_IDENTITY);
    expect(decision.plan).toHaveLength(1);
    expect(decision.plan[0]).toMatchObject({
      method: 'jwt',
      subjects: DISTRIBUTED_CENTRAL_IDENTITY.subjects,
      clients: DISTRIBUTED_CENTRAL_IDENTITY.clients,
    });
  });

  it('adds a boundary for a browser dashboard next to internal services', () => {
    const decision = decide(
      answers({
        subjects: ['internal-service', 'end-user'],
        clients: ['browser', 'scheduled-job'],
        delegatedAccess: false,
        revocation: 'immediate',
        opsCapacity: 'low',
      }),
    );
    expect(new Set(planMethods(decision))).toEqual(new Set(['session', 'api-key']));
    expect(planMethods(decision)[0]).toBe(decision.recommendation);
  });
});

describe('hard constraints', () => {
  it('requires OAuth and excludes the rest when people delegate access', () => {
    const decision = decide(PUBLIC_PLATFORM);
    const delegation = decision.constraints.filter((constraint) => constraint.id === 'delegation-needs-oauth');
    expect(delegation.map((constraint) => [constraint.method, constraint.effect])).toEqual([
      ['oauth', 'required'],
      ['api-key', 'excluded'],
      ['jwt', 'excluded'],
      ['session', 'excluded'],
    ]);
    expect(decision.ranking[0]?.method).toBe('oauth');
    for (const entry of decision.ranking.slice(1)) expect(entry.excludedBy).toContain('delegation-needs-oauth');
    // Constraints, not points, decided: an excluded method may out-score the winner yet still rank below it.
    expect(decision.closeCall).toBe(false);
  });

  it('never puts a key in code that only browsers and mobile apps run', () => {
    const decision = decide(
      answers({ subjects: ['third-party-app'], clients: ['browser', 'mobile'], delegatedAccess: false, revocation: 'at-expiry', opsCapacity: 'low', audit: 'app' }),
    );
    expect(scoreOf(decision, 'api-key').excludedBy).toEqual(['no-secret-in-public-client']);
    expect(decision.ranking.at(-1)?.method).toBe('api-key');
    expect(decision.recommendation).not.toBe('api-key');
  });

  it('rules API keys out for an API only people call: keys authenticate programs', () => {
    const decision = decide(
      answers({ subjects: ['end-user'], clients: ['cli', 'scheduled-job'], delegatedAccess: false, revocation: 'minutes', opsCapacity: 'low' }),
    );
    expect(scoreOf(decision, 'api-key')).toMatchObject({ excluded: true, excludedBy: ['api-key-not-for-people'] });
  });

  it('rules sessions out when no caller is a person', () => {
    const decision = decide(INTERNAL_SERVICE);
    expect(scoreOf(decision, 'session')).toMatchObject({ excluded: true, excludedBy: ['session-needs-people'] });
    expect(decision.ranking.at(-1)?.method).toBe('session');
  });

  it('penalises OAuth when nobody delegates access, more so with little ops capacity', () => {
    const medium = decide(INTERNAL_SERVICE);
    const low = decide({ ...INTERNAL_SERVICE, opsCapacity: 'low' });
    for (const decision of [medium, low]) {
      expect(decision.constraints).toContainEqual(expect.objectContaining({ id: 'oauth-without-delegation', method: 'oauth', effect: 'penalised' }));
    }
    expect(scoreOf(low, 'oauth').score).toBeLessThan(scoreOf(medium, 'oauth').score);
    expect(decide(PUBLIC_PLATFORM).constraints.some((constraint) => constraint.id === 'oauth-without-delegation')).toBe(false);
  });

  it('ranks every excluded method below every viable one, even with a higher score', () => {
    const decision = decide(PUBLIC_PLATFORM);
    const session = scoreOf(decision, 'session');
    expect(session.excludedBy).toBeDefined();
    expect(session.score).toBeGreaterThan(scoreOf(decision, 'oauth').score);
    expect(decision.ranking.indexOf(session)).toBeGreaterThan(0);
  });
});

describe('weights', () => {
  it('starts every dimension from its documented base and explains no move when nothing moved it', () => {
    const decision = decide(INTERNAL_SERVICE);
    expect(decision.weights.map((weight) => weight.dimension)).toEqual([...DIMENSION_IDS]);
    for (const weight of decision.weights) {
      expect(weight.base).toBe(BASE_WEIGHTS[weight.dimension]);
      expect(weight.weight === weight.base).toBe(weight.reasons.length === 0);
    }
  });

  it.each([
    ['opsCapacity', 'low', 'implementation-complexity'],
    ['revocation', 'immediate', 'revocation'],
    ['granularity', 'scopes', 'granularity'],
    ['delegatedAccess', true, 'granularity'],
    ['audit', 'app-and-user', 'auditability'],
    ['architecture', 'multi-service', 'scalability'],
    ['exposure', 'public', 'security-surface'],
  ] as const)('%s = %s raises the weight of %s, with a reason', (question, value, dimension) => {
    const neutral = answers({
      subjects: ['internal-service'],
      clients: ['backend-service'],
      delegatedAccess: false,
      revocation: 'minutes',
      opsCapacity: 'medium',
      granularity: 'roles',
      audit: 'app',
      architecture: 'single-app',
      exposure: 'internal',
    });
    const before = weightOf(decide(neutral), dimension);
    const after = weightOf(decide({ ...neutral, [question]: value }), dimension);
    expect(after.weight).toBeGreaterThan(before.weight);
    expect(after.reasons.length).toBe(before.reasons.length + 1);
    expect(after.reasons.at(-1)).toMatch(/\(\+\d\)$/);
  });

  it('raises the developer-experience weight for a public API only when outside developers write the callers', () => {
    const firstPartyOnly = answers({ subjects: ['end-user'], clients: ['browser'], delegatedAccess: false, revocation: 'minutes', opsCapacity: 'medium' });
    const internal = weightOf(decide({ ...firstPartyOnly, exposure: 'internal' }), 'developer-experience');
    expect(weightOf(decide({ ...firstPartyOnly, exposure: 'public' }), 'developer-experience')).toEqual(internal);
    const partners = { ...firstPartyOnly, subjects: ['backend-integration' as const], clients: ['backend-service' as const] };
    const moved = weightOf(decide({ ...partners, exposure: 'public' }), 'developer-experience');
    expect(moved.weight).toBeGreaterThan(weightOf(decide({ ...partners, exposure: 'internal' }), 'developer-experience').weight);
    expect(moved.reasons.at(-1)).toMatch(/outside developers .*\(\+2\)$/);
  });

  it('lowers the implementation weight for a team that can run demanding infrastructure', () => {
    const high = weightOf(decide({ ...INTERNAL_SERVICE, opsCapacity: 'high' }), 'implementation-complexity');
    expect(high.weight).toBeLessThan(high.base);
    expect(high.reasons).toHaveLength(1);
  });
});

describe('context-dependent fit', () => {
  it('costs sessions points on scalability when the API spans several services', () => {
    const single = decide(BROWSER_APP_SERVER_LOGIN);
    const multi = decide({ ...BROWSER_APP_SERVER_LOGIN, architecture: 'multi-service' });
    const share = (decision: Decision) => scoreOf(decision, 'session').dimensions.scalability / weightOf(decision, 'scalability').weight;
    expect(share(multi)).toBeLessThan(share(single));
  });

  it('rates JWT revocation lower as the need for removal grows more urgent', () => {
    const relative = (decision: Decision) => scoreOf(decision, 'jwt').dimensions.revocation / weightOf(decision, 'revocation').weight;
    const base = { ...DISTRIBUTED_CENTRAL_IDENTITY };
    expect(relative(decide({ ...base, revocation: 'immediate' }))).toBeLessThan(relative(decide({ ...base, revocation: 'at-expiry' })));
  });
});

describe('scores and explanation', () => {
  it('gives integer scores whose per-dimension contributions add up exactly', () => {
    for (const scenario of [INTERNAL_SERVICE, BROWSER_APP_SERVER_LOGIN, PUBLIC_PLATFORM, DISTRIBUTED_CENTRAL_IDENTITY]) {
      const decision = decide(scenario);
      expect(decision.ranking.map((entry) => entry.method).sort()).toEqual([...METHOD_IDS].sort());
      for (const entry of decision.ranking) {
        expect(Number.isInteger(entry.score)).toBe(true);
        expect(Object.keys(entry.dimensions)).toEqual([...DIMENSION_IDS]);
        expect(Object.values(entry.dimensions).reduce((sum, points) => sum + points, 0)).toBe(entry.score);
      }
    }
  });

  it('reports the margin, the runner-up and the dimensions that decided it', () => {
    const decision = decide(BROWSER_APP_SERVER_LOGIN);
    const [winner, runnerUp] = decision.ranking;
    // Opaque OAuth tokens can be revoked at once, which puts OAuth ahead of JWTs here.
    expect(decision.runnerUp).toBe('oauth');
    expect(runnerUp?.method).toBe('oauth');
    expect(decision.margin).toBe((winner?.score ?? 0) - (runnerUp?.score ?? 0));
    expect(decision.closeCall).toBe(false);
    expect(decision.decidingDimensions.length).toBeGreaterThan(0);
    expect(['implementation-complexity', 'developer-experience']).toContain(decision.decidingDimensions[0]?.dimension);
    for (const { dimension, points } of decision.decidingDimensions) {
      expect(points).toBe((winner?.dimensions[dimension] ?? 0) - (runnerUp?.dimensions[dimension] ?? 0));
      expect(points).toBeGreaterThan(0);
    }
    const points = decision.decidingDimensions.map((entry) => entry.points);
    expect(points).toEqual([...points].sort((a, b) => b - a));
    expect(decision.reasons[0]).toMatch(/Server-side sessions score \d+ of 100, \d+ points ahead of/);
    expect(decision.reasons.some((reason) => reason.startsWith('On developer experience they gain'))).toBe(true);
  });

  it('flags a close call when the runner-up is within a few points', () => {
    const decision = decide(
      answers({
        subjects: ['end-user'],
        clients: ['browser', 'mobile'],
        delegatedAccess: false,
        revocation: 'minutes',
        opsCapacity: 'high',
        architecture: 'multi-service',
        sameSiteFrontend: false,
      }),
    );
    expect(decision.recommendation).toBe('jwt');
    expect(decision.runnerUp).toBe('session');
    expect(decision.margin).toBeLessThan(CLOSE_CALL_MARGIN);
    expect(decision.closeCall).toBe(true);
    expect(decision.reasons.some((reason) => /credible alternative/.test(reason))).toBe(true);
  });

  it('warns about tokens held by a browser when the plan gives browsers tokens', () => {
    const decision = decide(
      answers({
        subjects: ['end-user'],
        clients: ['browser'],
        delegatedAccess: false,
        revocation: 'at-expiry',
        opsCapacity: 'high',
        architecture: 'multi-service',
        sameSiteFrontend: false,
      }),
    );
    expect(decision.recommendation).toBe('jwt');
    expect(decision.warnings.some((warning) => /localStorage/.test(warning))).toBe(true);
    expect(decision.warnings.some((warning) => warning.startsWith('JWT bearer tokens: '))).toBe(true);
  });

  it('carries the watch-outs of every method in the plan', () => {
    const decision = decide(
      answers({
        subjects: ['internal-service', 'end-user'],
        clients: ['browser', 'scheduled-job'],
        delegatedAccess: false,
        revocation: 'immediate',
        opsCapacity: 'low',
      }),
    );
    expect(decision.warnings.some((warning) => warning.startsWith('Server-side sessions: '))).toBe(true);
    expect(decision.warnings.some((warning) => warning.startsWith('API keys: '))).toBe(true);
  });
});

describe('sensitivity', () => {
  it('names the smallest single change that flips the recommendation', () => {
    const decision = decide(BROWSER_APP_SERVER_LOGIN);
    expect(decision.sensitivity).toEqual({ question: 'delegatedAccess', from: false, to: true, newRecommendation: 'oauth' });
  });

  it('names a change that, applied, really gives the new recommendation', () => {
    const base = answers({
      subjects: ['end-user'],
      clients: ['browser', 'mobile'],
      delegatedAccess: false,
      revocation: 'minutes',
      opsCapacity: 'high',
      architecture: 'multi-service',
      sameSiteFrontend: false,
    });
    const decision = decide(base);
    expect(decision.sensitivity).not.toBeNull();
    const { question, to, newRecommendation } = decision.sensitivity!;
    expect(decide({ ...base, [question]: to }).recommendation).toBe(newRecommendation);
    expect(newRecommendation).not.toBe(decision.recommendation);
  });

  it('reports list changes as whole lists in canonical order', () => {
    const decision = decide(INTERNAL_SERVICE);
    const sensitivity = decision.sensitivity;
    expect(sensitivity?.question).toBe('subjects');
    expect(sensitivity?.from).toEqual(['internal-service']);
    expect(decide({ ...INTERNAL_SERVICE, subjects: sensitivity?.to as Answers['subjects'] }).recommendation).toBe(sensitivity?.newRecommendation);
  });

  it('goes two steps along one answer when no one-step change flips the result', () => {
    const thirdPartyBrowserApps = answers({
      subjects: ['third-party-app'],
      clients: ['browser'],
      delegatedAccess: false,
      revocation: 'at-expiry',
      opsCapacity: 'high',
      architecture: 'multi-service',
      exposure: 'public',
      granularity: 'scopes',
      sameSiteFrontend: false,
    });
    const decision = decide(thirdPartyBrowserApps);
    expect(decision.recommendation).toBe('oauth');
    expect(decision.sensitivity).toEqual({ question: 'opsCapacity', from: 'high', to: 'low', newRecommendation: 'jwt' });
    expect(decide({ ...thirdPartyBrowserApps, opsCapacity: 'medium' }).recommendation).toBe('oauth');
  });

  it('is null when no single change moves the recommendation', () => {
    const decision = decide(
      answers({
        subjects: ['internal-service'],
        clients: ['browser'],
        delegatedAccess: true,
        revocation: 'immediate',
        opsCapacity: 'medium',
      }),
    );
    expect(decision.recommendation).toBe('oauth');
    expect(decision.sensitivity).toBeNull();
  });

  it('ignores the stack, which never affects the scores', () => {
    const withStack = decide({ ...BROWSER_APP_SERVER_LOGIN, stack: 'hono' });
    const without = decide(BROWSER_APP_SERVER_LOGIN);
    expect(JSON.stringify(withStack)).toBe(JSON.stringify(without));
  });
});
