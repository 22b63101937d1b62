/**
 * Finding 1: eight real `decide` processes at once in one folder. Each ends
 * with a record of its own number or a refusal that gives the true reason;
 * no number is used twice and nothing is left behind.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assertBuilt, HYBRID_YAML, listRecords, makeTempDir, runCli, type RunResult } from './helpers.js';

const TIMEOUT = 120_000;
const RUNS = 8;

let dir: string;
let cleanup: () => void;
beforeAll(assertBuilt);
beforeEach(() => {
  ({ dir, cleanup } = makeTempDir('race'));
  writeFileSync(join(dir, 'answers.yaml'), HYBRID_YAML);
});
afterEach(() => cleanup());

const numbers = (names: string[]) => names.map((name) => name.slice(0, 4));

async function racing(title: (index: number) => string, extra: string[] = []): Promise<RunResult[]> {
  return Promise.all(
    Array.from({ length: RUNS }, (_, index) => runCli(['decide', '--answers', 'answers.yaml', '--yes', '--title', title(index), ...extra], { cwd: dir })),
  );
}

function expectCleanOutcome(results: RunResult[]): string[] {
  const records = listRecords(join(dir, 'docs', 'decisions'));
  // Every number once.
  expect(new Set(numbers(records)).size).toBe(records.length);
  // Nothing but records: no claim or temporary file survives.
  expect(readdirSync(join(dir, 'docs', 'decisions')).sort()).toEqual(records);
  for (const result of results) {
    expect(result.stderr).not.toMatch(/Internal error|another title|Choose another/i);
    if (result.code === 0) {
      const written = /^Wrote docs\/decisions\/(\S+)$/m.exec(result.stderr)?.[1];
      expect(records).toContain(written);
    } else {
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^Error: .+nothing was written\./ms);
    }
  }
  return records;
}

describe(`${RUNS} decide runs at once in one folder`, () => {
  it('different titles: one record, the others refused because it is now the current decision', { timeout: TIMEOUT }, async () => {
    const results = await racing((index) => `Decision ${index + 1}`);
    const records = expectCleanOutcome(results);
    expect(numbers(records)).toEqual(['0001']);
    const refused = results.filter((result) => result.code !== 0);
    expect(refused).toHaveLength(RUNS - 1);
    for (const result of refused) {
      expect(result.stderr.replace(/\s+/g, ' ')).toContain(`docs/decisions/${records[0]} (ADR-0001) is already the current auth decision record; nothing was written.`);
      expect(result.stderr).toContain('auth-decide revisit');
    }
  });

  it('the same title: the same outcome, never "choose another title"', { timeout: TIMEOUT }, async () => {
    const results = await racing(() => 'Same title');
    const records = expectCleanOutcome(results);
    expect(records).toEqual(['0001-same-title.md']);
    expect(results.filter((result) => result.code === 0)).toHaveLength(1);
  });

  it('with --supersede over a current record: each record gets its own number, later runs refuse with the reason', { timeout: TIMEOUT }, async () => {
    const first = await runCli(['decide', '--answers', 'answers.yaml', '--yes', '--title', 'First'], { cwd: dir });
    expect(first.code).toBe(0);
    const results = await racing((index) => `Replacement ${index + 1}`, ['--supersede']);
    const records = expectCleanOutcome(results);
    const written = results.filter((result) => result.code === 0);
    expect(written.length).toBeGreaterThanOrEqual(1);
    expect(records).toHaveLength(1 + written.length);
    for (const result of results.filter((r) => r.code !== 0)) {
      expect(result.stderr.replace(/\s+/g, ' ')).toMatch(/became the current auth decision while this run was deciding; nothing was written\./);
    }
    // The chain stays whole: the first record is superseded, exactly one record is current.
    expect(readFileSync(join(dir, 'docs', 'decisions', records[0]!), 'utf8')).toMatch(/^status: superseded by ADR-0002$/m);
    const check = await runCli(['check', '--json'], { cwd: dir });
    expect(JSON.parse(check.stdout).findings.map((finding: { id: string }) => finding.id)).not.toContain('several-current-records');
  });
});
