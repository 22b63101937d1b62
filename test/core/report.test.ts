import { describe, expect, it } from 'vitest';
import { decide } from '../../src/core/engine.js';
import {
  ansiStyle,
  decisionDocument,
  matrixDocument,
  methodDocument,
  plainStyle,
  renderAnswersSummary,
  renderMatrix,
  renderMethodProfile,
  renderReport,
  scoreBar,
  wrap,
} from '../../src/core/report.js';
import { parseAnswers } from '../../src/core/schema.js';
import { DIMENSION_IDS, METHOD_IDS, type Answers } from '../../src/core/types.js';

const answers = (input: Record<string, unknown>): Answers => {
  const result = parseAnswers(input);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.value;
};

const PLATFORM = answers({
  subjects: ['third-party-app', 'end-user', 'internal-service'],
  clients: ['browser', 'backend-service'],
  delegatedAccess: true,
  revocation: 'immediate',
  opsCapacity: 'high',
  architecture: 'multi-service',
  exposure: 'public',
  granularity: 'scopes',
});
const INTERNAL = answers({
  subjects: ['internal-service'],
  clients: ['scheduled-job'],
  delegatedAccess: false,
  revocation: 'minutes',
  opsCapacity: 'low',
});

const ESCAPES = /\u001b\[[0-9;]*m/g;
const visibleWidth = (line: string) => [...line.replace(ESCAPES, '')].length;

describe('renderReport', () => {
  for (const [name, input] of [
    ['a hybrid platform', PLATFORM],
    ['an internal job', INTERNAL],
  ] as const) {
    it(`covers every section and fits 80 columns for ${name}`, () => {
      const decision = decide(input);
      const text = renderReport(decision, plainStyle);
      for (const heading of ['Recommendation:', 'Ranking', 'Rating (1-5) and points per dimension', 'Why', 'How firm is it', 'Sensitivity:', 'Plan: ']) {
        expect(text).toContain(heading);
      }
      expect(text).not.toMatch(ESCAPES);
      for (const line of text.split('\n')) expect(visibleWidth(line)).toBeLessThanOrEqual(80);
      // Every method appears in the ranking with its score.
      for (const entry of decision.ranking) expect(text).toMatch(new RegExp(`\\b${entry.score}\\b`));
      for (const warning of decision.warnings) expect(text.replace(/\s+/g, ' ')).toContain(warning.replace(/\s+/g, ' '));
    });
  }

  it('uses colour only as decoration', () => {
    const decision = decide(PLATFORM);
    const coloured = renderReport(decision, ansiStyle);
    expect(coloured).toMatch(ESCAPES);
    expect(coloured.replace(ESCAPES, '')).toBe(renderReport(decision, plainStyle));
  });

  it('shows the plan with one entry per boundary, its id, variant and wire format, and names the number of systems', () => {
    const decision = decide(PLATFORM);
    const text = renderReport(decision, plainStyle);
    expect(decision.plan.length).toBeGreaterThan(1);
    expect(text).toContain(`Plan: ${decision.plan.length} boundaries, ${decision.systems} auth systems`);
    expect(text.match(/^ {4}Boundary: /gm)).toHaveLength(decision.plan.length);
    expect(text.match(/^ {4}Sends: /gm)).toHaveLength(decision.plan.length);
    for (const entry of decision.plan) expect(text).toContain(`[${entry.id}]`);
    expect(text).toContain('[third-party-apps] OAuth 2, authorization code, opaque access tokens');
    expect(text).toContain('[browser-app] Server-side sessions, cookie');
  });

  it('marks excluded methods in the ranking, as ruled out or, when the plan still uses them, as not for all callers', () => {
    const decision = decide(PLATFORM);
    const text = renderReport(decision, plainStyle);
    expect(text).toMatch(/^ {2}\d\. Server-side sessions +\d+ .* not for all callers$/m);
    expect(text).toMatch(/^ {2}\d\. API keys +\d+ .* ruled out$/m);
  });

  it('shows the ratings the points came from', () => {
    const decision = decide(INTERNAL);
    const text = renderReport(decision, plainStyle);
    const apiKey = decision.ranking.find((entry) => entry.method === 'api-key')!;
    expect(text).toContain(`${apiKey.ratings.auditability.score}/5 ${apiKey.dimensions.auditability}`);
  });

  it('flags a close call', () => {
    const decision = { ...decide(INTERNAL), closeCall: true, margin: 2 };
    expect(renderReport(decision, plainStyle)).toMatch(/Close call: .+ leads .+ by only 2 points/);
  });
});

describe('decisionDocument', () => {
  it('has the contract keys first, in a stable order, ranking best first', () => {
    const decision = decide(PLATFORM);
    const document = decisionDocument(decision, PLATFORM, { path: 'docs/decisions/0001-x.md', written: false, content: '# x\n' });
    expect(Object.keys(document).slice(0, 5)).toEqual(['recommendation', 'ranking', 'plan', 'systems', 'warnings']);
    expect(document.ranking.map((entry) => entry.method)).toEqual(decision.ranking.map((entry) => entry.method));
    expect(document.ranking[0]!.method).toBe(document.recommendation);
    for (const entry of document.ranking) {
      // The same keys for every entry, excluded or not, so a consumer never has to test for presence.
      expect(Object.keys(entry)).toEqual(['method', 'score', 'excluded', 'excludedBy', 'dimensions', 'ratings']);
      expect(entry.excluded).toBe(entry.excludedBy.length > 0);
      expect(Object.keys(entry.dimensions)).toEqual([...DIMENSION_IDS]);
      expect(Object.keys(entry.ratings)).toEqual([...DIMENSION_IDS]);
    }
    expect(Object.keys(document.plan[0]!)).toEqual(['id', 'subjects', 'clients', 'method', 'variant', 'tokenFormat', 'boundary', 'why']);
    expect(document.systems).toBe(decision.systems);
    expect(document.runnerUp).toBeNull();
    expect(document.record).toEqual({ path: 'docs/decisions/0001-x.md', written: false, content: '# x\n' });
    expect(JSON.stringify(decisionDocument(decide(PLATFORM), PLATFORM, null))).toBe(JSON.stringify({ ...document, record: null }));
  });
});

describe('renderAnswersSummary', () => {
  it('lists every answer in words', () => {
    const text = renderAnswersSummary(INTERNAL, plainStyle);
    expect(text).toContain('Callers');
    expect(text).toContain('Internal services');
    expect(text).toContain('Scheduled job');
    expect(text).toMatch(/Web framework\s+Not decided/);
  });
});

describe('explain views', () => {
  it('renders every method profile within 80 columns', () => {
    for (const method of METHOD_IDS) {
      const text = renderMethodProfile(method, plainStyle);
      expect(text).toContain(`(${method})`);
      expect(text).toContain('Watch out for');
      for (const line of text.split('\n')) expect(visibleWidth(line)).toBeLessThanOrEqual(80);
      expect(methodDocument(method).id).toBe(method);
      expect(Object.keys(methodDocument(method).ratings)).toEqual([...DIMENSION_IDS]);
    }
  });

  it('renders the method × dimension matrix with the ground rules', () => {
    const text = renderMatrix(plainStyle);
    for (const line of text.split('\n')) expect(visibleWidth(line)).toBeLessThanOrEqual(80);
    const rows = text.split('\n').filter((line) => /\d\/5 /.test(line));
    expect(rows).toHaveLength(DIMENSION_IDS.length);
    expect(text).toContain('Whatever the method');
    expect(text.replace(/\s+/g, ' ')).toContain('JWT is a token format, not a method');
    expect(matrixDocument().methods.map((method) => method.id)).toEqual([...METHOD_IDS]);
    expect(matrixDocument().methods.find((method) => method.id === 'oauth')?.variants).toEqual(['authorization-code', 'client-credentials', 'device-code', 'resource-server']);
  });

  it('shows each variant with what the client sends and the defaults of the generated code', () => {
    const text = renderMethodProfile('session', plainStyle);
    expect(text).toContain('Variants');
    expect(text).toContain('Sends: Authorization: Bearer st_<opaque token>');
    expect(text).toContain('Idle timeout: 30 minutes (5 minutes to 1 day)');
    const document = methodDocument('oauth');
    expect(document.variants.map((variant) => variant.id)).toEqual(['authorization-code', 'client-credentials', 'device-code', 'resource-server']);
    expect(document.tokenFormats.map((format) => format.id)).toEqual(['opaque', 'jwt']);
    expect(document.variants[2]!.defaults.map((row) => row.key)).toContain('deviceCode');
  });

  it('with answers, shows the ratings as scored and the same ranking entries as decide --json', () => {
    const decision = decide(INTERNAL);
    const scored = { decision };
    const document = matrixDocument(scored);
    expect(document.ranking).toEqual(decisionDocument(decision, INTERNAL, null).ranking);
    expect(methodDocument('api-key', scored).scored).toEqual(document.ranking?.find((entry) => entry.method === 'api-key'));
    const text = renderMethodProfile('api-key', plainStyle, 80, scored);
    expect(text).toContain('Ratings for your answers');
    expect(text).toContain('(for your answers)');
    expect(text).toMatch(/The plan uses it at api/);
    for (const line of [...text.split('\n'), ...renderMatrix(plainStyle, scored).split('\n')]) expect(visibleWidth(line)).toBeLessThanOrEqual(80);
  });
});

describe('helpers', () => {
  it('wraps words to the width with a hanging indent', () => {
    expect(wrap('one two three four', 10, '- ', '  ')).toBe('- one two\n  three\n  four');
  });
  it('draws score bars of a fixed width', () => {
    expect(scoreBar(50, 10)).toEqual({ filled: '█████', empty: '░░░░░' });
    expect(scoreBar(100, 4).filled).toBe('████');
    expect(scoreBar(0, 4).empty).toBe('░░░░');
  });
});
