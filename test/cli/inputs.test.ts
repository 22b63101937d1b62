/**
 * Finding 6: inputs that used to be accepted and should not be, refused with
 * a message naming what is wrong; titles escaped and bounded; answers from
 * standard input.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseRecord } from '../../src/core/record/parse.js';
import { assertBuilt, HYBRID_YAML, INTERNAL_JSON, listRecords, makeTempDir, runCli, snapshotTree, type RunResult } from './helpers.js';

const TIMEOUT = 60_000;

let dir: string;
let cleanup: () => void;
beforeAll(assertBuilt);
beforeEach(() => {
  ({ dir, cleanup } = makeTempDir('inputs'));
  writeFileSync(join(dir, 'answers.yaml'), HYBRID_YAML);
});
afterEach(() => cleanup());

const oneLine = (text: string) => text.replace(/\s+/g, ' ');
const records = () => listRecords(join(dir, 'docs', 'decisions'));

function expectRefused(result: RunResult, message: string): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(oneLine(result.stderr)).toContain(message);
}

/** Writes a record with the real bin and returns its path relative to the project. */
async function decided(): Promise<string> {
  const result = await runCli(['decide', '--answers', 'answers.yaml'], { cwd: dir });
  expect(result.code).toBe(0);
  return `docs/decisions/${records()[0]}`;
}

const edit = (path: string, change: (text: string) => string) => writeFileSync(join(dir, path), change(readFileSync(join(dir, path), 'utf8')));

describe('answers', () => {
  it('JSON with a field given twice is refused, as YAML is', { timeout: TIMEOUT }, async () => {
    writeFileSync(
      join(dir, 'answers.json'),
      INTERNAL_JSON.replace('"revocation": "minutes",', '"revocation": "minutes",\n  "revocation": "immediate",'),
    );
    const before = snapshotTree(dir);
    const result = await runCli(['decide', '--answers', 'answers.json'], { cwd: dir });
    expectRefused(result, 'Answers file "answers.json": field "revocation" appears twice (lines 10 and 11); keep only the one you mean.');
    expect(snapshotTree(dir)).toEqual(before);
  });

  it.each([['-'], ['/dev/stdin']])('--answers %s reads standard input', { timeout: TIMEOUT }, async (name) => {
    const result = await runCli(['decide', '--answers', name, '--json', '--no-record'], { cwd: dir, input: HYBRID_YAML });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ recommendation: 'oauth', answers: { subjects: ['internal-service', 'third-party-app', 'end-user'] } });
  });

  it('--answers - with malformed input names standard input', { timeout: TIMEOUT }, async () => {
    const result = await runCli(['decide', '--answers', '-', '--no-record'], { cwd: dir, input: 'revocation: soon\n' });
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toMatch(/^Error: Answers file from standard input has \d+ problems:/);
  });
});

describe('options', () => {
  it.each([
    ['an empty --title', ['decide', '--answers', 'answers.yaml', '--title', ''], '--title is empty.'],
    ['a blank --title', ['decide', '--answers', 'answers.yaml', '--title', '   '], '--title is empty.'],
    ['a 5000-character --title', ['decide', '--answers', 'answers.yaml', '--title', 'x'.repeat(5000)], '--title is 5000 characters long; keep it to 150 or fewer.'],
    ['a --title of two lines', ['decide', '--answers', 'answers.yaml', '--title', 'One\nTwo'], '--title contains a line break'],
    ["decide --adr-dir ''", ['decide', '--answers', 'answers.yaml', '--adr-dir', ''], '--adr-dir is empty.'],
    ["check --adr-dir ''", ['check', '--adr-dir', ''], '--adr-dir is empty.'],
    ["revisit --adr-dir ''", ['revisit', '--trigger', 'threat-model', '--adr-dir', ''], '--adr-dir is empty.'],
    ['--note incidents=', ['revisit', '--trigger', 'threat-model', '--note', 'incidents='], '--note "incidents=" gives no text for incidents.'],
    ["revisit --title ''", ['revisit', '--trigger', 'threat-model', '--title', ''], '--title is empty.'],
  ])('%s is refused before anything is read or written', { timeout: TIMEOUT }, async (_label, args, message) => {
    const before = snapshotTree(dir);
    const result = await runCli(args, { cwd: dir });
    expectRefused(result, message);
    expect(snapshotTree(dir)).toEqual(before);
  });

  it('check --adr-dir naming a folder that does not exist says so instead of "review needed"', { timeout: TIMEOUT }, async () => {
    const result = await runCli(['check', '--adr-dir', '/typo'], { cwd: dir });
    expectRefused(result, 'The decision records folder /typo (from --adr-dir) does not exist.');
  });
});

describe('records', () => {
  it('reviewBy: 2027-02-31 is not a date: exit 2 naming the file, line and value', { timeout: TIMEOUT }, async () => {
    const path = await decided();
    edit(path, (text) => text.replace(/^ {2}reviewBy: .*$/m, '  reviewBy: 2027-02-31'));
    const line = readFileSync(join(dir, path), 'utf8').split('\n').indexOf('  reviewBy: 2027-02-31') + 1;
    const result = await runCli(['check'], { cwd: dir });
    expectRefused(result, `Error: ${path}:${line}: the auth-decide block has invalid fields: - reviewBy: "2027-02-31" is not a day of the calendar`);
  });

  it('a record that lost its opening --- is reported, not silently ignored', { timeout: TIMEOUT }, async () => {
    const path = await decided();
    edit(path, (text) => text.replace(/^---\n/, ''));
    const result = await runCli(['check'], { cwd: dir });
    expectRefused(result, `${path}:3: the auth-decide block is not inside front matter: the file must start with a \`---\` line.`);
  });

  it('a title with Markdown and HTML is escaped in the heading and reads back as typed', { timeout: TIMEOUT }, async () => {
    const title = 'Use </details> <b>keys</b> *now* [see](x) #1 `code` & more';
    const result = await runCli(['decide', '--answers', 'answers.yaml', '--title', title], { cwd: dir });
    expect(result.code).toBe(0);
    const text = readFileSync(join(dir, 'docs', 'decisions', records()[0]!), 'utf8');
    const heading = text.split('\n').find((line) => line.startsWith('# '))!;
    expect(heading).toBe('# Use \\</details\\> \\<b\\>keys\\</b\\> \\*now\\* \\[see\\](x) \\#1 \\`code\\` \\& more');
    // No raw HTML or Markdown syntax survives unescaped.
    expect(heading).not.toMatch(/(^|[^\\])[<>*[\]`&]/);
    expect(parseRecord(text, '0001-x.md').title).toBe(heading.slice(2));
  });
});
