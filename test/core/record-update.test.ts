import { describe, expect, it } from 'vitest';
import { blockFromInput } from '../../src/core/record/block.js';
import { RecordError, type RecordReview } from '../../src/core/record/model.js';
import { parseRecord } from '../../src/core/record/parse.js';
import { renderRecord } from '../../src/core/record/render.js';
import { markReviewed, markSuperseded } from '../../src/core/record/update.js';
import { loadAdrTemplates } from '../../src/shell/records.js';
import { sessionInput } from '../fixtures/records/inputs.js';

const templates = await loadAdrTemplates();
const file = '0008-authenticate-api-callers-with-server-side-sessions.md';

const review: RecordReview = {
  date: '2025-07-10',
  reviewBy: '2026-01-10',
  triggers: ['revocation-audit'],
  outcome: 'unchanged',
  notes: {
    incidents: 'None; one admin asked for a "log out everywhere" button --> added.',
    'hardest-flows': 'CSRF tokens\nin the mobile web view.',
  },
};

/** Lines of `after` that are not in `before`, and the reverse: a small line diff for assertions. */
function lineDiff(before: string, after: string): { added: string[]; removed: string[] } {
  const count = (lines: string[]) => lines.reduce((map, line) => map.set(line, (map.get(line) ?? 0) + 1), new Map<string, number>());
  const a = count(before.split('\n'));
  const b = count(after.split('\n'));
  const added: string[] = [];
  const removed: string[] = [];
  for (const [line, n] of b) for (let i = a.get(line) ?? 0; i < n; i += 1) added.push(line);
  for (const [line, n] of a) for (let i = b.get(line) ?? 0; i < n; i += 1) removed.push(line);
  return { added, removed };
}

describe.each(['madr', 'adr-tools'] as const)('markReviewed (%s)', (layout) => {
  const original = renderRecord(sessionInput({ layout }), templates);
  const reviewed = markReviewed(original, file, review);

  it('stores the review and the new review-by date in the block', () => {
    const parsed = parseRecord(reviewed, file);
    expect(parsed.block).toEqual({ ...blockFromInput(sessionInput({ layout })), reviewBy: '2026-01-10', reviews: [review] });
    expect(parsed.status).toBe('accepted');
  });

  it('adds a dated entry to the review log and moves the review-by line', () => {
    expect(reviewed).toContain(
      '* 2025-01-15: decided on Server-side sessions (1 boundary, 1 auth system); review by 2025-07-15.\n' +
        '* 2025-07-10: reviewed (triggers: revocation or audit falls short); decision unchanged; next review by 2026-01-10.\n' +
        '  * Which real incidents or recurring operational problems has the current method caused? None; one admin asked for a "log out everywhere" button --> added.\n' +
        '  * Which flows do client developers get wrong most often? CSRF tokens in the mobile web view.\n',
    );
    expect(reviewed).toContain('**Review by:** 2026-01-10, or sooner');
    expect(reviewed).not.toContain('**Review by:** 2025-07-15');
  });

  it('leaves every other line as it was', () => {
    const { added, removed } = lineDiff(original, reviewed);
    expect(removed.filter((line) => !/reviewBy: 2025-07-15|reviews: \[\]|\*\*Review by:\*\* 2025-07-15/.test(line))).toEqual([]);
    // Everything added is the review itself: block lines, the review log entry, the new date.
    for (const line of added) {
      expect(line).toMatch(/2026-01-10|2025-07-10|^\s+(- |notes:|triggers:|outcome:|incidents:|hardest-flows:|reviewBy:|date:)|^\s{2}\* |^reviews:|^\s+reviews:|^\s+[|>]|^\s+\S/);
    }
    expect(reviewed.split('\n').length - original.split('\n').length).toBe(added.length - removed.length);
  });

  it('can be applied again, keeping earlier reviews', () => {
    const second: RecordReview = { date: '2026-01-05', reviewBy: '2026-07-05', triggers: [], outcome: 'unchanged', notes: {} };
    const twice = markReviewed(reviewed, file, second);
    expect(parseRecord(twice, file).block?.reviews).toEqual([review, second]);
    expect(twice).toContain('* 2026-01-05: reviewed (scheduled review); decision unchanged; next review by 2026-07-05.');
    expect(twice.indexOf('2025-07-10: reviewed')).toBeLessThan(twice.indexOf('2026-01-05: reviewed'));
  });
});

describe('markReviewed on edited records', () => {
  it('keeps the HTML comment intact when notes contain "-->"', () => {
    const reviewed = markReviewed(renderRecord(sessionInput({ layout: 'adr-tools' }), templates), file, review);
    const comment = reviewed.slice(reviewed.indexOf('<!-- auth-decide'));
    expect(comment.indexOf('-->')).toBe(comment.length - '-->\n'.length);
    expect(parseRecord(reviewed, file).block?.reviews[0]?.notes.incidents).toBe(review.notes.incidents);
  });

  it('starts a review log when the record lost it', () => {
    const original = renderRecord(sessionInput(), templates);
    const withoutLog = original.slice(0, original.indexOf('### Review log'));
    const reviewed = markReviewed(withoutLog, file, review);
    // The last lines of what is left, with the review-by date the review moves.
    const lastLines = withoutLog.trimEnd().split('\n').slice(-3).join('\n').replace('2025-07-15', '2026-01-10');
    expect(reviewed).toContain(`${lastLines}\n\n## Review log\n\n* 2025-07-10: reviewed`);
    expect(reviewed.endsWith('in the mobile web view.\n')).toBe(true);
  });

  it('writes moved answers into a 0.1.0 record the way a new block lays them out, with the plan\'s variants', async () => {
    const { readFileSync } = await import('node:fs');
    const { decide } = await import('../../src/core/engine.js');
    const { reviewedState } = await import('../../src/core/record/block.js');
    const old = readFileSync(new URL('../fixtures/records/v0.1.0/madr/0001-authenticate-the-platform-api-callers.md', import.meta.url), 'utf8');
    const block = parseRecord(old, file).block!;
    const answers = { ...block.answers, granularity: 'roles' as const };
    const reviewed = markReviewed(old, file, review, reviewedState(answers, decide(answers)));
    expect(reviewed).toMatch(/^  answers: \{subjects: \[internal-service, third-party-app, end-user\], /m);
    expect(reviewed).toMatch(/^    - \{id: [a-z-]+, subjects: \[/m);
    const parsed = parseRecord(reviewed, file).block!;
    expect(parsed.answers.granularity).toBe('roles');
    expect(parsed.plan).toEqual(decide(answers).plan.map(({ id, subjects, clients, method, variant, tokenFormat }) => ({ id, subjects, clients, method, variant, tokenFormat })));
    // The review already in the record keeps its block layout.
    expect(reviewed).toContain('  reviews:\n    - date: 2026-12-01\n');
  });

  it('keeps CRLF line endings', () => {
    const crlf = renderRecord(sessionInput(), templates).replace(/\n/g, '\r\n');
    const reviewed = markReviewed(crlf, file, review);
    expect(reviewed.replace(/\r\n/g, '')).not.toContain('\n');
    expect(parseRecord(reviewed, file).block?.reviewBy).toBe('2026-01-10');
  });

  it('refuses records that auth-decide did not write', () => {
    expect(() => markReviewed('# 1. Record architecture decisions\n\n## Status\n\nAccepted\n', '0001-x.md', review)).toThrow(RecordError);
  });
});

describe('markSuperseded', () => {
  const by = { number: 12, title: 'Authenticate API callers with OAuth 2', fileName: '0012-authenticate-api-callers-with-oauth-2.md' };

  it('MADR: sets the front matter status and links the newer record under the title', () => {
    const original = renderRecord(sessionInput(), templates);
    const superseded = markSuperseded(original, file, by);
    expect(superseded).toContain('\nstatus: superseded by ADR-0012\n');
    expect(superseded).toContain(
      '# Authenticate API callers with server-side sessions\n\nSuperseded by [ADR-0012: Authenticate API callers with OAuth 2](0012-authenticate-api-callers-with-oauth-2.md)\n\n## Context',
    );
    const { added, removed } = lineDiff(original, superseded);
    expect(removed).toEqual(['status: accepted']);
    expect(added.sort()).toEqual(['', 'Superseded by [ADR-0012: Authenticate API callers with OAuth 2](0012-authenticate-api-callers-with-oauth-2.md)', 'status: superseded by ADR-0012'].sort());
    const parsed = parseRecord(superseded, file);
    expect(parsed).toMatchObject({ status: 'superseded', supersededBy: 12, block: blockFromInput(sessionInput()) });
  });

  it('adr-tools: replaces "Accepted" with a "Superseded by" link in the Status section', () => {
    const original = renderRecord(sessionInput({ layout: 'adr-tools' }), templates);
    const superseded = markSuperseded(original, file, by);
    expect(superseded).toContain(
      '## Status\n\nSuperseded by [12. Authenticate API callers with OAuth 2](0012-authenticate-api-callers-with-oauth-2.md)\n\n## Context',
    );
    expect(parseRecord(superseded, file)).toMatchObject({ layout: 'adr-tools', status: 'superseded', supersededBy: 12 });
    expect(markSuperseded(superseded, file, by)).toBe(superseded);
  });

  it('adr-tools: keeps other links of the Status section', () => {
    const text = '# 3. Use keys\n\nDate: 2024-01-01\n\n## Status\n\nAccepted\n\nAmended by [4. Rotate keys](0004-rotate-keys.md)\n\n## Context\n\nx\n';
    expect(markSuperseded(text, '0003-use-keys.md', by)).toBe(
      '# 3. Use keys\n\nDate: 2024-01-01\n\n## Status\n\nAmended by [4. Rotate keys](0004-rotate-keys.md)\n\n' +
        'Superseded by [12. Authenticate API callers with OAuth 2](0012-authenticate-api-callers-with-oauth-2.md)\n\n## Context\n\nx\n',
    );
  });
});
