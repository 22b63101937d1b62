/**
 * The built bin as a real process: decide → check → revisit (same outcome) →
 * revisit (changed outcome) → check, in both record layouts.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { parseRecord } from '../../src/core/record/parse.js';
import { defaultReviewBy } from '../../src/core/record/render.js';
import { makeProject, PARTNER_ANSWERS, ROOT, runBin, type Project } from './support.js';

const TIMEOUT = 180_000;

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first.');
  }
});

let project: Project;
beforeEach(() => {
  project = makeProject('revisit-e2e');
  project.write('package.json', JSON.stringify({ name: 'api', dependencies: { express: '^5.1.0' } }));
  project.write('answers.yaml', toYaml(PARTNER_ANSWERS));
});
afterEach(() => project.cleanup());

const run = (...args: string[]) => runBin(args, project.dir);
const parsed = (path: string) => parseRecord(project.read(path), path);

async function roundTrip(recordsDir: string, layout: 'madr' | 'adr-tools') {
  const decided = await run('decide', '--answers', 'answers.yaml', '--yes');
  expect(decided.code).toBe(0);
  const [first] = project.records(recordsDir);
  const oldPath = `${recordsDir}/${first}`;
  expect(parsed(oldPath).layout).toBe(layout);
  expect((await run('check')).code).toBe(0);

  // Time passes: the review-by date is behind us.
  project.write(oldPath, project.read(oldPath).replace(/reviewBy: \d{4}-\d{2}-\d{2}/, 'reviewBy: 2025-01-31'));
  const due = await run('check', '--json');
  expect(due.code).toBe(1);
  expect(JSON.parse(due.stdout)).toMatchObject({ status: 'review-needed', findings: [{ id: 'review-due' }] });

  // Same outcome: a dated review entry, a new review-by date, no new record.
  const expectedBefore = defaultReviewBy(new Date(), { exposure: 'internal' });
  const same = await run('revisit', '--trigger', 'framework-support', '--note', 'incidents=none');
  const expectedAfter = defaultReviewBy(new Date(), { exposure: 'internal' });
  expect(same.code).toBe(0);
  expect(same.stdout).toContain('(unchanged)');
  expect(project.records(recordsDir)).toEqual([first]);
  const reviewed = parsed(oldPath).block!;
  expect([expectedBefore, expectedAfter]).toContain(reviewed.reviewBy);
  expect(reviewed.reviews).toHaveLength(1);
  expect(reviewed.reviews[0]).toMatchObject({ triggers: ['framework-support'], outcome: 'unchanged', notes: { incidents: 'none' } });
  expect(project.read(oldPath)).toMatch(/reviewed \(triggers: framework or platform support changed\); decision unchanged/);
  expect((await run('check')).code).toBe(0);

  // Changed outcome: a new record supersedes the old one, linked both ways.
  project.write('changed.yaml', 'subjects: [backend-integration, third-party-app]\ndelegatedAccess: true\n');
  const changed = await run('revisit', '--trigger', 'client-types', '--trigger', 'authorization-granularity', '--answers', 'changed.yaml');
  expect(changed.code).toBe(0);
  expect(changed.stdout).toContain('(changed)');
  const files = project.records(recordsDir);
  expect(files).toHaveLength(2);
  const newPath = `${recordsDir}/${files[1]}`;
  expect(parsed(oldPath)).toMatchObject({ status: 'superseded', supersededBy: 2 });
  expect(parsed(newPath)).toMatchObject({ status: 'accepted', layout, block: { supersedes: 1, recommendation: 'oauth' } });
  expect(project.read(oldPath)).toContain(`(${files[1]})`);
  expect(project.read(newPath)).toContain(`(${files[0]})`);
  expect(project.read(newPath)).toContain('Run both methods side by side at the boundary');
  // The command that generates the new plan, on a line of its own; it reads the plan from the new record.
  expect(changed.stderr.replace(/\s+/g, ' ')).toContain('The new plan adds OAuth 2.');
  expect(changed.stderr).toContain('\n  auth-decide scaffold --stack express\n');

  const final = await run('check', '--json');
  expect(final.code).toBe(0);
  expect(JSON.parse(final.stdout)).toMatchObject({ status: 'ok', findings: [], record: { number: 2, recommendation: 'oauth' } });
  return { oldPath, newPath };
}

describe('decide → revisit → check with the built bin', () => {
  it('MADR records', { timeout: TIMEOUT }, async () => {
    const { oldPath } = await roundTrip('docs/decisions', 'madr');
    expect(project.read(oldPath)).toMatch(/^---\nstatus: superseded by ADR-0002\n/);
  });

  it('adr-tools records', { timeout: TIMEOUT }, async () => {
    project.write('.adr-dir', 'doc/adr\n');
    const { oldPath, newPath } = await roundTrip('doc/adr', 'adr-tools');
    expect(project.read(newPath).split('\n')[0]).toMatch(/^# 2\. /);
    expect(project.read(oldPath)).toMatch(/## Status\n\nSuperseded by \[2\. /);
  });
});

describe('the built bin refuses what it cannot do', () => {
  it('revisit without a terminal and without --trigger/--answers: exit 2 at once', { timeout: TIMEOUT }, async () => {
    const result = await run('revisit');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--trigger');
    expect(result.stderr).toContain('--answers');
    expect(result.stdout).toBe('');
  });

  it('an unknown trigger: exit 2 listing the allowed ids', { timeout: TIMEOUT }, async () => {
    const result = await run('revisit', '--trigger', 'reorg');
    expect(result.code).toBe(2);
    expect(result.stderr.replace(/\s+/g, ' ')).toContain('Allowed: client-types, authorization-granularity, revocation-audit, distribution, framework-support, threat-model');
  });

  it('check without any record: exit 1, one JSON document', { timeout: TIMEOUT }, async () => {
    const result = await run('check', '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      status: 'review-needed',
      findings: [{ id: 'no-record', severity: 'error', message: expect.any(String) }],
      record: null,
    });
  });

  it('check with a corrupted record: exit 2 naming the file', { timeout: TIMEOUT }, async () => {
    expect((await run('decide', '--answers', 'answers.yaml', '--yes')).code).toBe(0);
    const path = `docs/decisions/${project.records()[0]}`;
    project.write(path, project.read(path).replace(/^---\n/, '---\n: : :\n'));
    const result = await run('check');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(path);
    expect(result.stderr).not.toContain('Internal error');
  });
});
