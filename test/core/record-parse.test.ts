import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { blockFromInput, derivePlanEntries } from '../../src/core/record/block.js';
import { chooseCurrentRecord } from '../../src/core/record/current.js';
import { RecordError, type ParsedRecord } from '../../src/core/record/model.js';
import { isAuthDecisionRecord, parseRecord } from '../../src/core/record/parse.js';
import { renderRecord } from '../../src/core/record/render.js';
import { loadAdrTemplates } from '../../src/shell/records.js';
import { platformInput, sessionInput } from '../fixtures/records/inputs.js';

const templates = await loadAdrTemplates();
const madr = renderRecord(sessionInput(), templates);
const adrTools = renderRecord(sessionInput({ layout: 'adr-tools' }), templates);

/** Runs `fn`, expecting a RecordError, and returns it. */
function recordError(fn: () => unknown): RecordError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RecordError) return error;
    throw error;
  }
  throw new Error('expected a RecordError');
}

const lineOf = (text: string, needle: string): number => text.split('\n').findIndex((line) => line.includes(needle)) + 1;

describe('parseRecord round trip', () => {
  it('reads back a MADR record: the block deep-equals what was written', () => {
    const parsed = parseRecord(madr, 'docs/decisions/0008-authenticate-api-callers-with-server-side-sessions.md');
    expect(parsed).toEqual({
      layout: 'madr',
      number: 8,
      title: 'Authenticate API callers with server-side sessions',
      status: 'accepted',
      supersededBy: null,
      date: '2025-01-15',
      block: blockFromInput(sessionInput()),
    });
    expect(isAuthDecisionRecord(parsed)).toBe(true);
  });

  it('reads back an adr-tools record with the block in its trailing comment', () => {
    const parsed = parseRecord(adrTools, 'doc/adr/0008-authenticate-api-callers-with-server-side-sessions.md');
    expect(parsed).toEqual({
      layout: 'adr-tools',
      number: 8,
      title: 'Authenticate API callers with server-side sessions',
      status: 'accepted',
      supersededBy: null,
      date: '2025-01-15',
      block: blockFromInput(sessionInput({ layout: 'adr-tools' })),
    });
  });

  it('keeps supersedes and answers without a stack', () => {
    const input = platformInput();
    expect(input.answers.stack).toBeUndefined();
    for (const layout of ['madr', 'adr-tools'] as const) {
      const parsed = parseRecord(renderRecord({ ...input, layout }, templates), '0009-platform.md');
      expect(parsed.block).toEqual(blockFromInput(input));
      expect(parsed.block?.supersedes).toBe(3);
      expect(parsed.block && 'stack' in parsed.block.answers).toBe(false);
    }
  });

  it('reads CRLF files the same way', () => {
    const parsed = parseRecord(madr.replace(/\n/g, '\r\n'), '0008-x.md');
    expect(parsed.block).toEqual(blockFromInput(sessionInput()));
    expect(parsed.title).toBe('Authenticate API callers with server-side sessions');
  });
});

describe('records without an auth-decide block', () => {
  it('reads the record adr-tools writes on `adr init`', () => {
    const text = [
      '# 1. Record architecture decisions',
      '',
      'Date: 2024-02-01',
      '',
      '## Status',
      '',
      'Accepted',
      '',
      '## Context',
      '',
      'We need to record the architectural decisions made on this project.',
      '',
    ].join('\n');
    const parsed = parseRecord(text, 'doc/adr/0001-record-architecture-decisions.md');
    expect(parsed).toEqual({
      layout: 'adr-tools',
      number: 1,
      title: 'Record architecture decisions',
      status: 'accepted',
      supersededBy: null,
      date: '2024-02-01',
      block: null,
    });
    expect(isAuthDecisionRecord(parsed)).toBe(false);
  });

  it('reads a superseded adr-tools record and the number it points to', () => {
    const text = '# 2. Use MySQL\n\nDate: 2024-02-01\n\n## Status\n\nSuperseded by [5. Use PostgreSQL](0005-use-postgresql.md)\n\n## Context\n';
    const parsed = parseRecord(text, '0002-use-mysql.md');
    expect(parsed.status).toBe('superseded');
    expect(parsed.supersededBy).toBe(5);
  });

  it('reads a plain MADR 4 record and an older MADR record with a status list', () => {
    const madr4 = '---\nstatus: "proposed"\ndate: 2024-05-06\n---\n\n# Use Vitest for tests\n\n## Context and Problem Statement\n';
    expect(parseRecord(madr4, '0004-use-vitest.md')).toEqual({
      layout: 'madr',
      number: 4,
      title: 'Use Vitest for tests',
      status: 'proposed',
      supersededBy: null,
      date: '2024-05-06',
      block: null,
    });
    const madr2 = '# Use Markdown ADRs\n\n* Status: superseded by [ADR-0007](0007-use-madr-4.md)\n* Date: 2020-01-02\n\n## Context\n';
    expect(parseRecord(madr2, '0002-use-markdown-adrs.md')).toMatchObject({
      status: 'superseded',
      supersededBy: 7,
      date: '2020-01-02',
      block: null,
    });
  });

  it('does not judge the broken front matter of another tool', () => {
    const text = '---\ntitle: [unclosed\n---\n\n# Something else\n';
    expect(parseRecord(text, '0005-something-else.md')).toMatchObject({ block: null, title: 'Something else', status: 'unknown' });
  });

  it('ignores headings inside code blocks', () => {
    const text = '---\nstatus: accepted\n---\n\n```sh\n# not a title\n```\n\n# Real title\n';
    expect(parseRecord(text, '0006-x.md').title).toBe('Real title');
  });
});

describe('corrupted auth-decide blocks', () => {
  const file = 'docs/decisions/0008-authenticate-api-callers-with-server-side-sessions.md';

  it('names the file and line of a YAML syntax error in the front matter', () => {
    const broken = madr.replace('  recommendation: session\n', '  recommendation: [session\n');
    const error = recordError(() => parseRecord(broken, file));
    expect(error.file).toBe(file);
    expect(error.line).toBeGreaterThanOrEqual(lineOf(broken, 'recommendation: [session'));
    expect(error.message).toMatch(new RegExp(`^${file}:\\d+: the front matter is not valid YAML`));
    expect(error.hint).toContain('auth-decide decide');
    expect(error.exitCode).toBe(2);
  });

  it('points at the answer that breaks the answers contract', () => {
    const broken = madr.replace('revocation: immediate,', 'revocation: someday,');
    const error = recordError(() => parseRecord(broken, file));
    expect(error.line).toBe(lineOf(broken, 'revocation: someday'));
    expect(error.message).toContain(`${file}:${lineOf(broken, 'revocation: someday')}:`);
    expect(error.message).toContain('revocation is "someday"; allowed: immediate | minutes | at-expiry');
  });

  it('points at an unknown answer field', () => {
    const broken = madr.replace('revocation: immediate,', 'revocation: immediate, colour: blue,');
    const error = recordError(() => parseRecord(broken, file));
    expect(error.message).toContain('unknown field "colour"');
  });

  it('points at a bad field of the block itself', () => {
    const broken = madr.replace('  recommendation: session\n', '  recommendation: kerberos\n');
    const error = recordError(() => parseRecord(broken, file));
    expect(error.line).toBe(lineOf(broken, 'recommendation: kerberos'));
    expect(error.message).toContain('recommendation is "kerberos"');
    expect(error.message).toContain('api-key | oauth | jwt | session');
  });

  it('rejects a review-by date that is not a date', () => {
    const broken = madr.replace('  reviewBy: 2025-07-15\n', '  reviewBy: next summer\n');
    const error = recordError(() => parseRecord(broken, file));
    expect(error.line).toBe(lineOf(broken, 'reviewBy: next summer'));
    expect(error.message).toContain('YYYY-MM-DD');
  });

  it('rejects a block that is not a mapping', () => {
    const broken = madr.replace(/auth-decide:\n[\s\S]*?\n---\n/, 'auth-decide: yes\n---\n');
    const error = recordError(() => parseRecord(broken, file));
    expect(error.line).toBe(lineOf(broken, 'auth-decide: yes'));
    expect(error.message).toContain('must be a mapping');
  });

  it('reports an unclosed front matter', () => {
    const broken = madr.replace('\n---\n\n# ', '\n\n# ');
    const error = recordError(() => parseRecord(broken, file));
    expect(error.line).toBe(1);
    expect(error.message).toContain('never closed');
  });

  it('reports a corrupted adr-tools comment block with its file line', () => {
    const broken = adrTools.replace('revocation: immediate,', 'revocation: "immediate,');
    const error = recordError(() => parseRecord(broken, 'doc/adr/0008-x.md'));
    expect(error.message).toMatch(/^doc\/adr\/0008-x\.md:\d+: the auth-decide comment is not valid YAML/);
    expect(error.line).toBeGreaterThanOrEqual(lineOf(broken, 'revocation: "immediate'));
    const unclosed = adrTools.replace(/\n-->\n$/, '\n');
    expect(recordError(() => parseRecord(unclosed, 'doc/adr/0008-x.md')).line).toBe(lineOf(unclosed, '<!-- auth-decide'));
  });
});

describe('the plan in the block', () => {
  const file = 'docs/decisions/0008-authenticate-api-callers-with-server-side-sessions.md';
  it('stores the id, variant and token format of each boundary', () => {
    const parsed = parseRecord(renderRecord(platformInput(), templates), '0009-platform.md');
    expect(parsed.block?.plan.map((entry) => [entry.id, entry.method, entry.variant, entry.tokenFormat])).toEqual([
      ['third-party-apps', 'oauth', 'authorization-code', 'opaque'],
      ['browser-app', 'session', 'cookie', null],
      ['services', 'api-key', 'application', null],
    ]);
  });

  it('refuses a variant the method does not have, naming the line and the allowed variants', () => {
    const broken = madr.replace('variant: cookie', 'variant: device-code');
    const error = recordError(() => parseRecord(broken, file));
    expect(error.line).toBe(lineOf(broken, 'variant: device-code'));
    expect(error.message).toContain('plan[0].variant is "device-code"; allowed for session: cookie | token');
  });

  it('refuses a token format on a boundary that is not OAuth, and a repeated boundary id', () => {
    expect(recordError(() => parseRecord(madr.replace('tokenFormat: null', 'tokenFormat: jwt'), file)).message).toContain(
      'plan[0].tokenFormat is "jwt"; only oauth boundaries have one',
    );
    const platform = renderRecord(platformInput(), templates).replace('id: services', 'id: browser-app');
    expect(recordError(() => parseRecord(platform, file)).message).toContain('plan[2].id "browser-app" is used by another boundary too');
  });
});

describe('records written by auth-decide 0.1.0', () => {
  const fixture = (path: string) => readFileSync(new URL(`../fixtures/records/v0.1.0/${path}`, import.meta.url), 'utf8');

  it('reads a MADR record with a review, deriving the variants and ids 0.1.0 meant', () => {
    const parsed = parseRecord(fixture('madr/0001-authenticate-the-platform-api-callers.md'), '0001-authenticate-the-platform-api-callers.md');
    expect(parsed.block?.version).toBe('0.1.0');
    expect(parsed.block?.answers.identityProvider).toBe('none');
    expect(parsed.block?.reviews).toHaveLength(1);
    expect(parsed.block?.plan.map((entry) => [entry.id, entry.method, entry.variant, entry.tokenFormat])).toEqual([
      ['third-party-apps', 'oauth', 'authorization-code', 'jwt'],
      ['browser-app', 'session', 'cookie', null],
      ['services', 'api-key', 'application', null],
    ]);
  });

  it('reads an adr-tools record whose one method served every caller as the `api` boundary', () => {
    const parsed = parseRecord(
      fixture('adr-tools/0001-authenticate-api-callers-with-short-lived-jwt-bearer-tokens.md'),
      '0001-authenticate-api-callers-with-short-lived-jwt-bearer-tokens.md',
    );
    expect(parsed.layout).toBe('adr-tools');
    expect(parsed.block?.plan).toEqual([{ id: 'api', subjects: ['end-user'], clients: ['mobile'], method: 'jwt', variant: 'login-endpoint', tokenFormat: null }]);
  });

  it('derives a session token for a 0.1.0 session boundary without a browser, and keeps derived ids unique', () => {
    const plan = derivePlanEntries([
      { subjects: ['end-user'], clients: ['mobile'], method: 'session' },
      { subjects: ['end-user'], clients: ['browser', 'mobile'], method: 'jwt' },
      { subjects: ['internal-service', 'backend-integration'], clients: ['backend-service'], method: 'api-key' },
    ]);
    expect(plan.map((entry) => [entry.id, entry.variant])).toEqual([
      ['native-apps', 'token'],
      ['browser-app', 'login-endpoint'],
      ['services', 'application'],
    ]);
  });
});

describe('chooseCurrentRecord', () => {
  const record = (number: number, overrides: Partial<ParsedRecord> = {}): ParsedRecord => ({
    layout: 'madr',
    number,
    title: `Record ${number}`,
    status: 'accepted',
    supersededBy: null,
    date: '2025-01-01',
    block: blockFromInput(sessionInput({ number })),
    ...overrides,
  });

  it('picks the accepted record nothing supersedes', () => {
    const records = [record(2, { status: 'superseded', supersededBy: 5 }), record(5), record(6, { status: 'proposed' })];
    expect(chooseCurrentRecord(records)).toEqual({ record: records[1], warning: null });
  });

  it('treats a record named in a later block as superseded even if its status was not updated', () => {
    const newer = record(5, { block: { ...blockFromInput(sessionInput()), supersedes: 2 } });
    expect(chooseCurrentRecord([record(2), newer])).toEqual({ record: newer, warning: null });
  });

  it('uses the highest number when two records claim to be current, and says so', () => {
    const current = chooseCurrentRecord([record(4), record(2), record(3, { block: null })]);
    expect(current?.record.number).toBe(4);
    expect(current?.warning).toContain('ADR-4, ADR-2');
    expect(current?.warning).toContain('using the latest, ADR-4');
  });

  it('returns null without an accepted auth record', () => {
    expect(chooseCurrentRecord([record(1, { block: null }), record(2, { status: 'rejected' })])).toBeNull();
  });
});
