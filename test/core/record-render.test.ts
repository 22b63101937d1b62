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
      '## More Information',
    ]);
    expect(text).toContain('\n### Consequences\n');
    expect(text).toContain('\n### Confirmation\n');
  });

  it('names the chosen option the MADR way and lists all four options with their standing', () => {
    expect(text).toContain('Chosen option: "Server-side sessions", because it fits this API best, with 81 of 100 points against 70 for JWT bearer tokens.');
    const considered = text.split('## Considered Options\n\n')[1]!.split('\n\n')[0]!;
    const options = considered.split('\n').filter((line) => line.startsWith('* '));
    expect(options.map((line) => /^\* \*\*(.+?)\*\* \((.+?), (\d+) of 100\)/.exec(line)?.slice(1))).toEqual([
      ['Server-side sessions', 'chosen', '81'],
      ['JWT bearer tokens', 'not chosen', '70'],
      ['OAuth 2', 'not chosen', '66'],
      ['API keys', 'ruled out', '67'],
    ]);
    expect(considered).toContain('  * API keys are ruled out for this API by `no-secret-in-browser`.');
  });

  it('argues with the ratings the scores came from, not the typical ones (finding 8)', () => {
    const considered = text.split('## Considered Options')[1]!.split('## Decision Outcome')[0]!;
    const session = sessionDecision.ranking[0]!;
    expect(considered).toContain(`its revocation rates ${session.ratings.revocation.score}/5 for this API (19 points): Scored session on revocation for this API.`);
    for (const method of Object.values(METHODS)) {
      for (const rating of Object.values(method.ratings)) expect(text).not.toContain(rating.rationale);
    }
    const row = text.split('\n').find((line) => line.startsWith('| Revocation |'))!;
    expect(row).toContain(`| ${session.ratings.revocation.score}/5: 19 |`);
  });

  it('captures what an auth decision record must hold', () => {
    for (const heading of ['Lifetimes, rotation and revocation', 'Watch out for', 'How the scores were reached', 'When to review this decision', 'Review log']) {
      expect(text).toContain(`\n### ${heading}\n`);
    }
    expect(text).toContain('The plan: 1 boundary, 1 auth system.');
    expect(text).toContain('* `api` (Server-side sessions, cookie, for End users (Browser)) sends `Cookie: __Host-sid=<opaque id>`. The server owns the login');
    expect(text).toContain('Identity: the signed-in person, through the session record on the server.');
    expect(text).toContain('* Server-side sessions, cookie: Idle timeout: 30 minutes (5 minutes to 1 day); Absolute lifetime: 12 hours (1 hour to 7 days).');
    expect(text).toContain('**Review by:** 2025-07-15');
    for (const trigger of ['client-types', 'authorization-granularity', 'revocation-audit', 'distribution', 'framework-support', 'threat-model']) {
      expect(text).toContain(`(\`${trigger}\`)`);
    }
    expect(text).toContain('if Revocation went from "Immediately" to "When it expires", JWT bearer tokens would be recommended');
    expect(text).toContain('Whatever the method: HTTPS for every request');
  });

  it('charts the scores in Mermaid, best first, and marks the chosen and the excluded method', () => {
    expect(text).toContain(
      '```mermaid\nxychart-beta\n  title "Score for this API (0-100)"\n' +
        '  x-axis ["Server-side sessions (chosen)", "JWT bearer tokens", "OAuth 2", "API keys (ruled out)"]\n' +
        '  y-axis "Score" 0 --> 100\n  bar [81, 70, 66, 67]\n```',
    );
    expect(text).toContain('| Total | | 81 (chosen) | 70 | 66 | 67 (ruled out) |');
  });

  it('checks the variants of the plan in Confirmation', () => {
    const confirmation = text.split('### Confirmation\n\n')[1]!.split('\n\n')[0]!;
    expect(confirmation).toContain('* A state-changing request without a valid CSRF token, or from a cross-site origin, gets 403.');
    expect(confirmation).toContain('`npx auth-decide check` runs in CI');
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
      '# Authenticate API callers with OAuth 2 access tokens, server-side sessions and API keys\n\n' +
        'Supersedes [ADR-0003: Use API keys for every caller](0003-use-api-keys-for-every-caller.md)\n',
    );
    expect(revised).toContain('\n### Migration plan\n\n1. Run OAuth 2, Server-side sessions and API keys next to the method being replaced');
    expect(revised).toContain('* The kinds of callers changed:');
    expect(revised).toContain('A partner key leaked --> through a support ticket.');
    expect(revised).toContain('| `third-party-apps` | Third-party apps (Backend service) | OAuth 2 | authorization code, opaque access tokens |');
    expect(revised).toContain('The plan: 3 boundaries, 3 auth systems.');
    expect(revised).toContain('A close call');
    expect(frontMatterOf(revised)['auth-decide']).toMatchObject({ supersedes: 3, reviewBy: '2025-06-02' });
  });

  it('writes consequences for every method in the plan, and the cost of running several systems', () => {
    const revised = renderRecord(platformInput(), templates);
    const consequences = revised.split('### Consequences\n\n')[1]!.split('\n\n')[0]!;
    for (const name of ['OAuth 2', 'Server-side sessions', 'API keys']) {
      expect(consequences).toMatch(new RegExp(`^\\* Good \\(${name}\\), because`, 'm'));
      expect(consequences).toMatch(new RegExp(`^\\* Bad \\(${name}\\), because`, 'm'));
    }
    expect(consequences).toContain('* Bad, because the API runs 3 auth systems side by side');
  });

  it('writes a given migration plan as it is when it is already Markdown', () => {
    const steps = ['From API keys to OAuth 2, in three steps:', '', '1. **Run both**', '   - accept both at the edge'];
    const revised = renderRecord(platformInput({ migration: steps }), templates);
    expect(revised).toContain(`### Migration plan\n\n${steps.join('\n')}\n`);
  });

  it('escapes table cells so a pipe in a reason cannot break the table', () => {
    const weights = platformDecision.weights.map((weight) =>
      weight.dimension === 'granularity' ? { ...weight, weight: 2, reasons: ['scopes | roles (+1)'] } : weight,
    );
    const revised = renderRecord(platformInput({ decision: { ...platformDecision, weights } }), templates);
    expect(revised).toContain('| Granularity | 2 (base 1; scopes \\| roles (+1)) |');
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
    expect(text).toContain('\n### Considered options\n');
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
    expect(defaultRecordTitle(platformDecision)).toBe('Authenticate API callers with OAuth 2 access tokens, server-side sessions and API keys');
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
  it('says the winner is the only method meeting the rules instead of quoting a margin', async () => {
    const { decide } = await import('../../src/core/engine.js');
    const answers = { ...platformInput().answers, subjects: ['end-user' as const], clients: ['browser' as const], delegatedAccess: true };
    const decision = decide(answers);
    expect(decision.runnerUp).toBeNull();
    const text = renderRecord({ ...platformInput(), answers, decision }, templates);
    expect(text).toContain(`Chosen option: "${METHODS.oauth.name}", because it is the only method that meets every hard rule of this API`);
    expect(text).not.toMatch(/points? ahead of/);
    expect(text).not.toMatch(/close call/i);
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
