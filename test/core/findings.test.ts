/**
 * The review of the decision model found places where the advice was wrong
 * for common APIs. Each block reproduces one finding with the answers that
 * showed it and checks the corrected plan.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { answersArbitrary } from './arbitraries.js';
import { decide } from '../../src/core/engine.js';
import { renderReport } from '../../src/core/report.js';
import { withDefaults, type AnswersInput } from '../../src/core/schema.js';
import type { Decision, MethodId } from '../../src/core/types.js';

const answers = (input: AnswersInput) => withDefaults(input as Parameters<typeof withDefaults>[0]);
const rankingOf = (decision: Decision, method: MethodId) => decision.ranking.find((entry) => entry.method === method)!;
const planShape = (decision: Decision) => decision.plan.map((entry) => [entry.id, entry.method, entry.variant, entry.tokenFormat]);

describe('finding 1: sessions are not only browser cookies', () => {
  const mobile = answers({ subjects: ['end-user'], clients: ['mobile'], delegatedAccess: false, revocation: 'immediate', opsCapacity: 'medium' });

  it('gives people on a mobile app who must be cut off at once an opaque session token, not JWTs', () => {
    const decision = decide(mobile);
    expect(decision.recommendation).toBe('session');
    expect(rankingOf(decision, 'session').excluded).toBe(false);
    expect(planShape(decision)).toEqual([['api', 'session', 'token', null]]);
  });

  it('gives a command-line tool the same session token', () => {
    expect(planShape(decide({ ...mobile, clients: ['cli'] }))).toEqual([['api', 'session', 'token', null]]);
  });
});

describe('finding 2: API keys are not for people', () => {
  const cliPeople = answers({ subjects: ['end-user'], clients: ['cli'], delegatedAccess: false, revocation: 'minutes', opsCapacity: 'low' });

  it('signs people on a command-line tool in with a session token, the cheapest option, and names personal access tokens only as a fallback', () => {
    const decision = decide(cliPeople);
    expect(rankingOf(decision, 'api-key')).toMatchObject({ excluded: true, excludedBy: ['api-key-not-for-people'] });
    expect(planShape(decision)).toEqual([['api', 'session', 'token', null]]);
    expect(decision.warnings.some((warning) => /personal access token .* at most a fallback/.test(warning))).toBe(true);
  });

  it('uses the device flow for them once an authorization server is in the plan', () => {
    const decision = decide({ ...cliPeople, subjects: ['end-user', 'third-party-app'], clients: ['cli', 'backend-service'], delegatedAccess: true, opsCapacity: 'medium' });
    const people = decision.plan.find((entry) => entry.id === 'cli-users');
    expect(people).toMatchObject({ method: 'oauth', variant: 'device-code' });
    expect(decision.systems).toBe(1);
  });
});

describe('finding 3: OAuth also means service tokens', () => {
  it('lets internal services get client-credentials tokens from the authorization server the plan already runs', () => {
    const decision = decide(
      answers({
        subjects: ['end-user', 'third-party-app', 'internal-service'],
        clients: ['browser', 'backend-service', 'scheduled-job'],
        delegatedAccess: true,
        revocation: 'immediate',
        opsCapacity: 'high',
        architecture: 'multi-service',
        exposure: 'public',
        granularity: 'scopes',
      }),
    );
    expect(decision.plan.find((entry) => entry.id === 'services')).toMatchObject({ method: 'oauth', variant: 'client-credentials' });
    expect(decision.plan.find((entry) => entry.id === 'third-party-apps')).toMatchObject({ method: 'oauth', variant: 'authorization-code' });
  });
});

describe('finding 4: JWT is a format, so the plan says who issues the tokens', () => {
  it('has a token service issue them when several services verify them, and says so', () => {
    const distributed = answers({
      subjects: ['end-user', 'internal-service'],
      clients: ['mobile', 'backend-service'],
      delegatedAccess: false,
      revocation: 'minutes',
      opsCapacity: 'high',
      architecture: 'multi-service',
    });
    const decision = decide(distributed);
    expect(decision.recommendation).toBe('jwt');
    expect(decision.plan).toEqual([expect.objectContaining({ method: 'jwt', variant: 'token-service', why: expect.stringMatching(/^A token service of yours issues/) })]);
  });

  it('says in every JWT boundary who issues the tokens', () => {
    fc.assert(
      fc.property(answersArbitrary, (input) => {
        for (const entry of decide(input).plan.filter((candidate) => candidate.method === 'jwt')) {
          expect(entry.why).toMatch(/^(This API signs people in and issues|A token service of yours issues)/);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('records the format of OAuth access tokens as a choice of its own: opaque where revocation must be immediate', () => {
    const platform = answers({ subjects: ['third-party-app', 'end-user'], clients: ['backend-service', 'browser'], delegatedAccess: true, revocation: 'immediate', opsCapacity: 'high', architecture: 'multi-service' });
    expect(decide(platform).plan.find((entry) => entry.method === 'oauth')?.tokenFormat).toBe('opaque');
    expect(decide({ ...platform, revocation: 'minutes' }).plan.find((entry) => entry.method === 'oauth')?.tokenFormat).toBe('jwt');
  });
});

describe('finding 5: no auth system too many', () => {
  const platform = answers({
    subjects: ['end-user', 'third-party-app'],
    clients: ['browser', 'mobile', 'backend-service'],
    delegatedAccess: true,
    revocation: 'minutes',
    opsCapacity: 'medium',
  });

  it('makes the mobile app a public client of the authorization server already in the plan, not a JWT system of its own', () => {
    const decision = decide(platform);
    expect(decision.plan.some((entry) => entry.method === 'jwt')).toBe(false);
    const mobile = decision.plan.find((entry) => entry.clients.includes('mobile') && entry.subjects.includes('end-user'));
    expect(mobile).toMatchObject({ method: 'oauth', variant: 'authorization-code' });
    expect(mobile?.why).toMatch(/second token system/);
    expect(decision.systems).toBe(2);
  });

  it('names the number of auth systems in the report', () => {
    expect(renderReport(decide(platform))).toMatch(/^Plan: 2 boundaries, 2 auth systems$/m);
  });
});

describe('finding 6: a browser UI on another site', () => {
  it('warns that Safari and Firefox hold back the cookie and points to one site or to tokens', () => {
    const decision = decide(
      answers({ subjects: ['end-user'], clients: ['browser'], delegatedAccess: false, revocation: 'minutes', opsCapacity: 'medium', sameSiteFrontend: false }),
    );
    expect(decision.plan[0]).toMatchObject({ method: 'session', variant: 'cookie' });
    const warning = decision.warnings.find((text) => /third-party cookie/.test(text));
    expect(warning).toMatch(/Safari/);
    expect(warning).toMatch(/Firefox/);
    expect(warning).toMatch(/reverse proxy, or a backend-for-frontend/);
    expect(warning).toMatch(/token in the Authorization header/);
  });

  it('tells a cross-site session drawback as the runner-up\'s weakness, never as the reason for a gain', () => {
    const crossSite = answers({
      subjects: ['end-user'],
      clients: ['browser', 'mobile'],
      delegatedAccess: false,
      revocation: 'minutes',
      opsCapacity: 'low',
      exposure: 'public',
      sameSiteFrontend: false,
    });
    fc.assert(
      fc.property(answersArbitrary, (input) => {
        const decision = decide({ ...input, ...crossSite, revocation: input.revocation, opsCapacity: input.opsCapacity, exposure: input.exposure });
        for (const reason of decision.reasons.filter((text) => /gain/.test(text))) expect(reason).not.toMatch(/SameSite=None/);
      }),
      { numRuns: 100 },
    );
    const reasons = decide(crossSite).reasons.filter((text) => /on security surface/i.test(text));
    for (const reason of reasons) expect(reason).toMatch(/rate lower|stronger|trail/);
  });
});

describe('finding 7: an identity provider the team already has', () => {
  const people = answers({
    subjects: ['end-user', 'internal-service'],
    clients: ['browser', 'mobile', 'backend-service'],
    delegatedAccess: false,
    revocation: 'minutes',
    opsCapacity: 'low',
    identityProvider: 'hosted',
  });

  it('makes the API a resource server of that issuer for every boundary people use', () => {
    const decision = decide(people);
    expect(decision.recommendation).toBe('oauth');
    expect(decision.constraints).toContainEqual(expect.objectContaining({ id: 'identity-provider-in-place', method: 'oauth', effect: 'required' }));
    for (const entry of decision.plan.filter((candidate) => candidate.subjects.includes('end-user'))) {
      expect(entry).toMatchObject({ method: 'oauth', variant: 'resource-server', tokenFormat: 'jwt' });
    }
  });

  it('rates OAuth cheap to build when the provider runs sign-in and token issuance', () => {
    const withProvider = rankingOf(decide(people), 'oauth').ratings['implementation-complexity'];
    const without = rankingOf(decide({ ...people, identityProvider: 'none' }), 'oauth').ratings['implementation-complexity'];
    expect(withProvider.score).toBeGreaterThan(without.score);
    expect(withProvider.rationale).toMatch(/identity provider/);
  });

  it('accepts answers written before the question existed, as having no provider', () => {
    expect(answers({ subjects: ['end-user'], clients: ['browser'], delegatedAccess: false, revocation: 'minutes', opsCapacity: 'low' }).identityProvider).toBe('none');
  });
});

describe('finding 11: the runner-up is never an excluded method', () => {
  it('has no runner-up and no margin when every other method is excluded, even one that out-scores the winner', () => {
    const decision = decide(
      answers({ subjects: ['end-user', 'third-party-app'], clients: ['browser', 'mobile', 'backend-service'], delegatedAccess: true, revocation: 'minutes', opsCapacity: 'medium' }),
    );
    const session = rankingOf(decision, 'session');
    expect(session.excluded).toBe(true);
    expect(session.score).toBeGreaterThan(rankingOf(decision, 'oauth').score);
    expect(decision).toMatchObject({ runnerUp: null, margin: 0, closeCall: false });
  });

  it('measures the margin against the best viable other method', () => {
    const decision = decide(answers({ subjects: ['end-user'], clients: ['mobile'], delegatedAccess: false, revocation: 'immediate', opsCapacity: 'medium' }));
    const viable = decision.ranking.filter((entry) => !entry.excluded);
    expect(decision.runnerUp).toBe(viable[1]!.method);
    expect(decision.margin).toBe(viable[0]!.score - viable[1]!.score);
    for (const entry of decision.ranking) expect(entry.excludedBy).toBeInstanceOf(Array);
  });
});
