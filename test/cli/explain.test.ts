/**
 * `explain` as a real process: the knowledge base with its variants, and with
 * `--answers` the scores for those answers, in the ranking shape `decide`
 * prints.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assertBuilt, HYBRID_YAML, makeTempDir, runCli, snapshotTree } from './helpers.js';

const TIMEOUT = 60_000;

let dir: string;
let cleanup: () => void;
beforeAll(assertBuilt);
beforeEach(() => ({ dir, cleanup } = makeTempDir('explain')));
afterEach(() => cleanup());

describe('explain', () => {
  it('shows a method with its variants, what each sends and the defaults of the generated code', { timeout: TIMEOUT }, async () => {
    const result = await runCli(['explain', 'session'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Variants');
    expect(result.stdout).toContain('session token (token)');
    expect(result.stdout).toContain('Sends: Authorization: Bearer st_<opaque token>');
    expect(result.stdout).toContain('Absolute lifetime: 30 days (1 day to 90 days)');
    for (const line of result.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('with --answers --json, prints the same ranking entries as decide --json, and writes nothing', { timeout: TIMEOUT }, async () => {
    writeFileSync(join(dir, 'answers.yaml'), HYBRID_YAML);
    const before = snapshotTree(dir);
    const [explained, decided] = await Promise.all([
      runCli(['explain', '--answers', 'answers.yaml', '--json'], { cwd: dir }),
      runCli(['decide', '--answers', 'answers.yaml', '--json', '--no-record'], { cwd: dir }),
    ]);
    expect(explained.code).toBe(0);
    expect(decided.code).toBe(0);
    const matrix = JSON.parse(explained.stdout);
    const decision = JSON.parse(decided.stdout);
    expect(matrix.ranking).toEqual(decision.ranking);
    expect(matrix.plan).toEqual(decision.plan);
    expect(matrix.systems).toBe(decision.systems);
    expect(snapshotTree(dir)).toEqual(before);

    const method = await runCli(['explain', 'session', '--answers', 'answers.yaml', '--json'], { cwd: dir });
    expect(JSON.parse(method.stdout).scored).toEqual(decision.ranking.find((entry: { method: string }) => entry.method === 'session'));
  });

  it('refuses a bad answers file with exit 2, naming the field', { timeout: TIMEOUT }, async () => {
    writeFileSync(join(dir, 'answers.yaml'), HYBRID_YAML.replace(/revocation: \S+/, 'revocation: someday'));
    const result = await runCli(['explain', '--answers', 'answers.yaml'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('revocation is "someday"');
  });
});
