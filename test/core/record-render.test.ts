import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { METHODS } from '../../src/core/knowledge.js';
import { blockFromInput } from '../../src/core/record/block.js';
import {
  addMonths,
  defaultRecordTitle,
  defaultReviewBy,
  recordFileName,
  renderRecord,
  slugify,
} from '../../src/core/record/render.js';
import { loadAdrTemplates } from '../../src/shell/records.js';
import { browserAnswers, platformDecision, sessionDecision } from '../fixtures/records/decisions.js';
import { platformInput, sessionInput } from '../fixtures/records/inputs.js';

const templates = await loadAdrTemplates();

/** Dates are inputs, but snapshots should not change when a fixture's date does. */
const withoutDates = (text: string) => text.replace(/\d{4}-\d{2}-\d{2}/g, 'YYYY-MM-DD');

const frontMatterOf = (text: string): Record<string, unknown> => {
  const match = /^---\n([\s\S]*?)\n---\n/.exec(text);
  if (!match) throw new Error('no front matter');
  return parseYaml(match[1]!) as Record<string, unknown>;
};

describe('renderRecord, MADR layout', () => {
  const text = renderRecord(sessionInput(), templates);

  it('matches the reviewed example', async () => {
    await expect(withoutDates(text)).toMatchFileSnapshot('../fixtures/records/snapshots/madr-session.md');
  });

  it('opens with front matter holding status, date, decision-makers and the auth-decide block', () => {
    expect(text.startsWith('---\nstatus: accepted\ndate: 2025-01-15\ndecision-makers: Ana Lima, Ben Okafor\nauth-decide:\n')).toBe(true);
    const front = frontMatterOf(text);
    expect(front['auth-decide']).toEqual(blockFromInput(sessionInput()));
  });

  it('has the MADR 4 sections in order', () => {
    const headings = text.split('\n').filter((line) => /^##? /.test(line));
    expect(headings).toEqual([
      '# Authenticate API callers with server-side sessions',
      '## Context and Problem Statement',
      '## Decision Drivers',
      '## Considered Options',
      '## Decision Outcome',
      '## Pros and Cons of the Options',
      '## More Information',
    ]);
    expect(text).toContain('\n### Consequences\n');
    expect(text).toContain('\n### Confirmation\n');
  });

  it('names the chosen option the MADR way and lists all four options', () => {
    expect(text).toContain('Chosen option: "Server-side sessions", because it fits this API best: it scored 81 of 100');
    const considered = text.split('## Considered Options\n\n')[1]!.split('\n\n')[0]!;
    expect(considered.split('\n').sort()).toEqual(Object.values(METHODS).map((m) => `* ${m.name}`).sort());
    for (const method of Object.values(METHODS)) expect(text).toContain(`\n### ${method.name}`);
  });

  it('captures what an auth decision record must hold', () => {
    for (const heading of [
      'Identity behind each request',
      'Intended clients',
      'Token and session lifetimes',
      'Rotation plan',
      'Revocation approach',
      'When to review this decision',
      'Close call and sensitivity',
    ]) {
      expect(text).toContain(`\n### ${heading}\n`);
    }
    expect(text).toContain(METHODS.session.defaults.identity);
    expect(text).toContain('**Review by:** 2025-07-15');
    for (const trigger of ['client-types', 'authorization-granularity', 'revocation-audit', 'distribution', 'framework-support', 'threat-model']) {
      expect(text).toContain(`(\`${trigger}\`)`);
    }
    expect(text).toContain('if Revocation went from "Immediately" to "When it expires", JWT bearer tokens would be recommended');
  });

  it('charts the scores in Mermaid, best first', () => {
    expect(text).toContain(
      '```mermaid\nxychart-beta\n  title "Score for this API (0-100)"\n' +
        '  x-axis ["Server-side sessions", "JWT bearer tokens", "OAuth 2", "API keys"]\n' +
        '  y-axis "Score" 0 --> 100\n  bar [81, 70, 66, 67]\n```',
    );
  });

  it('rates every option on all seven dimensions with Good, Neutral or Bad', () => {
    const prosAndCons = text.split('## Pros and Cons of the Options')[1]!.split('## More Information')[0]!;
    const verdicts = prosAndCons.split('\n').filter((line) => /^\* (Good|Neutral|Bad), because of its /.test(line));
    expect(verdicts).toHaveLength(4 * 7);
    expect(prosAndCons).toContain('* Ruled out for this API: A key shipped to browsers is readable');
  });

  it('leaves out decision-makers, supersession and migration when not given', () => {
    const plain = renderRecord(sessionInput({ decisionMakers: [] }), templates);
    expect(plain).not.toContain('decision-makers');
    expect(plain).not.toContain('Supersedes');
    expect(plain).not.toContain('Migration plan');
    expect(plain).not.toMatch(/\n{3}/);
  });

  it('links the superseded record, explains the revisit and plans the migration', async () => {
    const revised = renderRecord(platformInput(), templates);
    await expect(withoutDates(revised)).toMatchFileSnapshot('../fixtures/records/snapshots/madr-platform.md');
    expect(revised).toContain(
      '# Authenticate API callers with OAuth 2 delegated access, server-side sessions and API keys\n\n' +
        'Supersedes [ADR-0003: Use API keys for every caller](0003-use-api-keys-for-every-caller.md)\n',
    );
    expect(revised).toContain('\n### Migration plan\n\n1. Run OAuth 2, Server-side sessions and API keys next to the method being replaced');
    expect(revised).toContain('* The kinds of callers changed:');
    expect(revised).toContain('A partner key leaked --> through a support ticket.');
    expect(revised).toContain('| third-party apps ↔ public API | Third-party apps | Backend service | OAuth 2 |');
    expect(revised).toContain('This was a close call');
    expect(frontMatterOf(revised)['auth-decide']).toMatchObject({ supersedes: 3, reviewBy: '2025-06-02' });
  });

  it('writes a given migration plan as it is when it is already Markdown', () => {
    const steps = ['From API keys to OAuth 2, in three steps:', '', '1. **Run both**', '   - accept both at the edge'];
    const revised = renderRecord(platformInput({ migration: steps }), templates);
    expect(revised).toContain(`### Migration plan\n\n${steps.join('\n')}\n`);
  });

  it('escapes table cells so a pipe in a reason cannot break the table', () => {
    const revised = renderRecord(platformInput(), templates);
    expect(revised).toContain('* Required for this API: Delegated access | consent is what OAuth exists for.');
  });

  it('is deterministic', () => {
    expect(renderRecord(sessionInput(), templates)).toBe(text);
  });
});

describe('renderRecord, adr-tools layout', () => {
  const text = renderRecord(sessionInput({ layout: 'adr-tools' }), templates);

  it('matches the reviewed example', async () => {
    await expect(withoutDates(text)).toMatchFileSnapshot('../fixtures/records/snapshots/adr-tools-session.md');
  });

  it('starts like adr-tools records do and keeps adr-tools sections', () => {
    const lines = text.split('\n');
    expect(lines.slice(0, 9)).toEqual([
      '# 8. Authenticate API callers with server-side sessions',
      '',
      'Date: 2025-01-15',
      '',
      'Decision-makers: Ana Lima, Ben Okafor',
      '',
      '## Status',
      '',
      'Accepted',
    ]);
    expect(lines.filter((line) => /^## /.test(line))).toEqual(['## Status', '## Context', '## Decision', '## Consequences']);
  });

  it('keeps the machine-readable block in an HTML comment at the very end', () => {
    const match = /\n<!-- auth-decide\n([\s\S]*)\n-->\n$/.exec(text);
    expect(match).not.toBeNull();
    expect(parseYaml(match![1]!)).toEqual(blockFromInput(sessionInput({ layout: 'adr-tools' })));
    expect(text.indexOf('<!--')).toBe(text.lastIndexOf('<!--'));
  });

  it('writes "Supersedes" in the Status section, as `adr new -s` does', () => {
    const revised = renderRecord(platformInput({ layout: 'adr-tools' }), templates);
    expect(revised).toContain('## Status\n\nAccepted\n\nSupersedes [3. Use API keys for every caller](0003-use-api-keys-for-every-caller.md)\n\n## Context');
  });
});

describe('record names and dates', () => {
  it('titles the record after the methods in use', () => {
    expect(defaultRecordTitle(sessionDecision)).toBe('Authenticate API callers with server-side sessions');
    expect(defaultRecordTitle(platformDecision)).toBe(
      'Authenticate API callers with OAuth 2 delegated access, server-side sessions and API keys',
    );
  });

  it('names files NNNN-kebab-title.md', () => {
    expect(recordFileName(8, 'Authenticate API callers with server-side sessions')).toBe(
      '0008-authenticate-api-callers-with-server-side-sessions.md',
    );
    expect(recordFileName(12345, 'Ünïcode & “quotes” — OK?')).toBe('12345-unicode-quotes-ok.md');
    expect(slugify('***')).toBe('decision');
    expect(slugify('word '.repeat(40)).length).toBeLessThanOrEqual(80);
    // A long title cut at a word boundary never ends on a joining word.
    const cut = slugify('Authenticate third-party apps with OAuth and first-party browsers with sessions and internal services with API keys');
    expect(cut.length).toBeLessThanOrEqual(80);
    expect(cut).not.toMatch(/-(and|with|for|the|of)$/);
  });

  it('reviews in six months, or three when the API is public or the call was close', () => {
    const now = new Date('2025-01-15T10:00:00Z');
    expect(defaultReviewBy(now, browserAnswers, sessionDecision)).toBe('2025-07-15');
    expect(defaultReviewBy(now, { ...browserAnswers, exposure: 'public' }, sessionDecision)).toBe('2025-04-15');
    expect(defaultReviewBy(now, browserAnswers, { closeCall: true })).toBe('2025-04-15');
    expect(defaultReviewBy(now, browserAnswers)).toBe('2025-07-15');
  });

  it('clamps to the end of shorter months', () => {
    expect(addMonths(new Date('2025-08-31T00:00:00Z'), 6).toISOString().slice(0, 10)).toBe('2026-02-28');
    expect(addMonths(new Date('2023-08-31T00:00:00Z'), 6).toISOString().slice(0, 10)).toBe('2024-02-29');
    expect(addMonths(new Date('2025-11-30T00:00:00Z'), 3).toISOString().slice(0, 10)).toBe('2026-02-28');
  });
});

describe('renderRecord with a real decision whose runner-up is ruled out', () => {
  it('says the winner is the only method meeting the constraints instead of quoting a zero margin', async () => {
    const { decide } = await import('../../src/core/engine.js');
    const answers = { ...platformInput().answers, subjects: ['end-user' as const], clients: ['browser' as const], delegatedAccess: true };
    const decision = decide(answers);
    expect(decision.ranking.find((entry) => entry.method === decision.runnerUp)?.excludedBy?.length).toBeGreaterThan(0);
    const text = renderRecord({ ...platformInput(), answers, decision }, templates);
    expect(text).toContain('is the only method that meets the hard constraints of this API');
    expect(text).not.toMatch(/leads .* by 0 points/);
    expect(text).toContain(`Chosen option: "${METHODS.oauth.name}", because it is the only option that meets the hard constraints of this API`);
    expect(text).not.toMatch(/0 points ahead of/);
  });
});

describe('lowerFirst', () => {
  it('lowers a leading capital word, including a one-letter article, and keeps acronyms and names', async () => {
    const { lowerFirst } = await import('../../src/core/record/render.js');
    expect(lowerFirst('A widely understood standard')).toBe('a widely understood standard');
    expect(lowerFirst('Needs a store')).toBe('needs a store');
    expect(lowerFirst('API keys leak')).toBe('API keys leak');
    expect(lowerFirst('OAuth is heavy')).toBe('OAuth is heavy');
  });
});
