import { describe, expect, it } from 'vitest';
import {
  describeVariant,
  DIMENSIONS,
  GROUND_RULES,
  METHODS,
  REVISIT_QUESTIONS,
  TOKEN_FORMAT_PROFILES,
  TRIGGERS,
  VARIANT_PROFILES,
  type VariantProfile,
} from '../../src/core/knowledge.js';
import { answersInputSchema } from '../../src/core/schema.js';
import { CLIENTS, DIMENSION_IDS, METHOD_IDS, SUBJECTS, TOKEN_FORMATS, TRIGGER_IDS, VARIANTS, type DimensionId, type MethodId } from '../../src/core/types.js';

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

  it('labels implementation as ease, so a 5 reads as the least effort rather than the most', () => {
    expect(DIMENSIONS['implementation-complexity'].label).toBe('Ease of implementation');
    expect(DIMENSIONS['implementation-complexity'].question).toMatch(/5 means the least effort/);
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
    expect(profile.bestFitSubjects.length).toBeGreaterThan(0);
    for (const subject of profile.bestFitSubjects) expect(SUBJECTS).toContain(subject);
    expect(profile.bestFitClients.length).toBeGreaterThan(0);
    for (const client of profile.bestFitClients) expect(CLIENTS).toContain(client);
    for (const list of [profile.useWhen, profile.watchOutFor, profile.good, profile.bad.map((item) => item.text)]) {
      expect(list.length).toBeGreaterThanOrEqual(2);
      for (const line of list) expect(line.trim().length).toBeGreaterThan(10);
    }
    expect(profile.example.length).toBeGreaterThan(20);
  });

  it.each(METHOD_IDS)('%s has a profile for each of its variants, with a wire format, who issues it, an identity and checks', (id) => {
    const variants = Object.values(VARIANT_PROFILES[id] as Record<string, VariantProfile>);
    expect(variants.map((variant) => variant.id)).toEqual([...VARIANTS[id]]);
    for (const variant of variants) {
      expect(variant.method).toBe(id);
      expect(variant.wireFormat).toMatch(/^(Authorization|Cookie): /);
      for (const text of [variant.name, variant.summary, variant.obtain, variant.identity]) expect(text.trim().length).toBeGreaterThan(3);
      expect(variant.confirmation.length).toBeGreaterThanOrEqual(2);
      for (const check of variant.confirmation) {
        expect(check.id).toMatch(new RegExp(`^${id}\\.[a-z-]+$`));
        expect(check.text.trim().length).toBeGreaterThan(20);
      }
    }
  });

  it('gives every confirmation check an id of its own, so a scaffold can map checks to tests', () => {
    const ids = METHOD_IDS.flatMap((id) => Object.values(VARIANT_PROFILES[id] as Record<string, VariantProfile>).flatMap((variant) => variant.confirmation.map((check) => check.id)));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('says who issues a JWT and how a client gets it, for each JWT variant', () => {
    expect(VARIANT_PROFILES.jwt['login-endpoint'].obtain).toMatch(/this API's login endpoint/);
    expect(VARIANT_PROFILES.jwt['token-service'].obtain).toMatch(/from the token service/);
    expect(METHODS.jwt.summary).toMatch(/^JWT is a token format/);
  });

  it('keeps API keys for programs and sessions for people, in browsers and in native apps alike', () => {
    expect(METHODS['api-key'].summary).toMatch(/never people/);
    expect(VARIANT_PROFILES.session.cookie.wireFormat).toMatch(/^Cookie: __Host-/);
    expect(VARIANT_PROFILES.session.token.wireFormat).toMatch(/^Authorization: Bearer st_/);
    expect(VARIANT_PROFILES.session.token.summary).toMatch(/no CSRF/);
  });

  it('describes both OAuth access-token formats', () => {
    expect(Object.keys(TOKEN_FORMAT_PROFILES)).toEqual([...TOKEN_FORMATS]);
    expect(describeVariant('oauth', 'device-code', 'opaque')).toBe('OAuth 2, device code, opaque access tokens');
    expect(describeVariant('session', 'token')).toBe('Server-side sessions, session token');
  });

  it('states the ground rules plainly: HTTPS, no secrets in URLs, authentication apart from authorization, JWT a format, sender-constrained tokens', () => {
    const text = GROUND_RULES.join(' ');
    expect(text).toMatch(/HTTPS for every request/);
    expect(text).toMatch(/No secrets in URLs/);
    expect(text).toMatch(/Authentication says who is calling; authorization decides/);
    expect(text).toMatch(/JWT is a token format/);
    expect(text).toMatch(/DPoP \(RFC 9449\) or mutual TLS/);
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

  it('fits API keys to machines, sessions to people, and OAuth to every kind of caller', () => {
    expect(METHODS['api-key'].bestFitSubjects).not.toContain('end-user');
    expect(METHODS['api-key'].bestFitClients).not.toContain('browser');
    expect(METHODS.session.bestFitSubjects).toEqual(['end-user']);
    expect(METHODS.session.bestFitClients).toEqual(['browser', 'mobile', 'cli']);
    expect(METHODS.oauth.bestFitSubjects).toEqual(expect.arrayContaining(['third-party-app', 'end-user', 'internal-service']));
  });

  it('names the answers a consequence depends on, so records list only those that apply', () => {
    const crossSite = METHODS.session.bad.find((item) => /another site/.test(item.text));
    expect(crossSite?.when).toBeDefined();
    expect(METHODS.session.bad.find((item) => /session store/.test(item.text))?.when).toBeUndefined();
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
    expect(TRIGGERS['framework-support'].touches).toEqual(['stack', 'opsCapacity', 'identityProvider']);
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
