import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assertBuilt, HYBRID_YAML, INTERNAL_JSON, listRecords, makeTempDir, ROOT, runCli, snapshotTree } from './helpers.js';

const TIMEOUT = 60_000;
const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let dir: string;
let cleanup: () => void;
beforeAll(assertBuilt);
beforeEach(() => {
  ({ dir, cleanup } = makeTempDir('e2e'));
});
afterEach(() => cleanup());

const write = (name: string, text: string) => writeFileSync(join(dir, name), text);
const ESCAPES = /\u001b\[[0-9;]*m/;

describe('help and version', () => {
  it('prints help with every command and exits 0', { timeout: TIMEOUT }, async () => {
    const result = await runCli(['--help'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: auth-decide/);
    for (const command of ['decide', 'explain', 'scaffold', 'revisit', 'check']) expect(result.stdout).toContain(command);
    expect(result.stderr).toBe('');
  });

  it('prints help for decide', { timeout: TIMEOUT }, async () => {
    const result = await runCli(['decide', '--help'], { cwd: dir });
    expect(result.code).toBe(0);
    for (const option of ['--answers', '--yes', '--json', '--dry-run', '--adr-dir', '--no-record', '--scaffold']) {
      expect(result.stdout).toContain(option);
    }
  });

  it('prints the package version', { timeout: TIMEOUT }, async () => {
    const result = await runCli(['--version'], { cwd: dir });
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});

describe('decide --answers', () => {
  it('reads YAML, prints the report and writes the record', { timeout: TIMEOUT }, async () => {
    write('answers.yaml', HYBRID_YAML);
    const result = await runCli(['decide', '--answers', 'answers.yaml'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Recommendation: /);
    expect(result.stdout).toMatch(/^Plan: \d+ boundaries, \d+ auth systems?$/m);
    expect(result.stdout).not.toMatch(ESCAPES);
    const records = listRecords(join(dir, 'docs', 'decisions'));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatch(/^0001-/);
    expect(result.stderr).toBe(`Wrote docs/decisions/${records[0]}\n`);
    const record = readFileSync(join(dir, 'docs', 'decisions', records[0]!), 'utf8');
    expect(record).toMatch(/^---\nstatus: accepted\n/);
    expect(record).toContain('auth-decide:');
    expect(record).toContain('## Decision Outcome');
  });

  it('reads JSON and numbers the next record after existing ones', { timeout: TIMEOUT }, async () => {
    write('answers.json', INTERNAL_JSON);
    const adr = join(dir, 'docs', 'adr');
    mkdirSync(adr, { recursive: true });
    writeFileSync(join(adr, '0007-use-postgres.md'), '# Use Postgres\n');
    const result = await runCli(['--answers', 'answers.json'], { cwd: dir });
    expect(result.code).toBe(0);
    const records = listRecords(adr);
    expect(records).toHaveLength(2);
    expect(records[1]).toMatch(/^0008-/);
    expect(result.stderr).toBe(`Wrote docs/adr/${records[1]}\n`);
  });

  it('prints exactly one JSON document with --json', { timeout: TIMEOUT }, async () => {
    write('answers.yaml', HYBRID_YAML);
    const result = await runCli(['decide', '--answers', 'answers.yaml', '--json'], { cwd: dir });
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout) as {
      recommendation: string;
      ranking: { method: string; score: number; dimensions: Record<string, number>; excluded: boolean; excludedBy: string[] }[];
      plan: { id: string; subjects: string[]; clients: string[]; method: string; variant: string; tokenFormat: string | null }[];
      systems: number;
      warnings: string[];
      record: { path: string; written: boolean };
    };
    expect(Object.keys(document).slice(0, 5)).toEqual(['recommendation', 'ranking', 'plan', 'systems', 'warnings']);
    expect(document.recommendation).toBe('oauth');
    expect(document.ranking.map((entry) => entry.method).sort()).toEqual(['api-key', 'jwt', 'oauth', 'session']);
    expect(document.ranking[0]!.method).toBe(document.recommendation);
    // Best first: viable methods by score, then methods a hard rule excludes.
    const viable = document.ranking.filter((entry) => !entry.excluded);
    expect(viable.map((entry) => entry.score)).toEqual([...viable.map((entry) => entry.score)].sort((a, b) => b - a));
    expect(document.ranking.findIndex((entry) => entry.excluded)).not.toBe(0);
    for (const entry of document.ranking) expect(entry.excludedBy.length > 0).toBe(entry.excluded);
    expect(Object.keys(document.ranking[0]!.dimensions)).toEqual([
      'implementation-complexity',
      'developer-experience',
      'security-surface',
      'scalability',
      'revocation',
      'granularity',
      'auditability',
    ]);
    expect(document.plan.length).toBeGreaterThan(1);
    expect(document.plan.some((entry) => entry.method === 'oauth' && entry.subjects.includes('third-party-app'))).toBe(true);
    expect(document.plan.find((entry) => entry.method === 'oauth')).toMatchObject({ id: 'third-party-apps', variant: 'authorization-code' });
    expect(document.systems).toBe(new Set(document.plan.map((entry) => entry.method)).size);
    expect(document.record.written).toBe(true);
    expect(existsSync(join(dir, document.record.path))).toBe(true);
    expect(result.stderr).toBe(`Wrote ${document.record.path}\n`);
  });

  it('gives byte-identical JSON for the same answers', { timeout: TIMEOUT }, async () => {
    write('answers.json', INTERNAL_JSON);
    const first = await runCli(['--answers', 'answers.json', '--json', '--no-record'], { cwd: dir });
    const second = await runCli(['--answers', 'answers.json', '--json', '--no-record'], { cwd: dir });
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(second.stdout);
    expect((JSON.parse(first.stdout) as { record: unknown }).record).toBeNull();
    expect(existsSync(join(dir, 'docs'))).toBe(false);
  });

  it('--dry-run prints the record and leaves the whole tree unchanged', { timeout: TIMEOUT }, async () => {
    write('answers.yaml', HYBRID_YAML);
    mkdirSync(join(dir, 'docs', 'decisions'), { recursive: true });
    writeFileSync(join(dir, 'docs', 'decisions', '0003-earlier.md'), '# Earlier\n');
    const before = snapshotTree(dir);
    const text = await runCli(['--answers', 'answers.yaml', '--dry-run'], { cwd: dir });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/--- docs\/decisions\/0004-[a-z0-9-]+\.md \(would be written\) ---\n---\nstatus: accepted/);
    expect(text.stderr).toMatch(/^Dry run: would write docs\/decisions\/0004-[a-z0-9-]+\.md;\snothing was written\.\n$/);
    const json = await runCli(['--answers', 'answers.yaml', '--dry-run', '--json'], { cwd: dir });
    expect(json.code).toBe(0);
    const document = JSON.parse(json.stdout) as { record: { path: string; written: boolean; content: string } };
    expect(document.record.written).toBe(false);
    expect(document.record.path).toMatch(/^docs\/decisions\/0004-/);
    expect(document.record.content).toMatch(/^---\nstatus: accepted\n/);
    expect(text.stdout).toContain(document.record.content);
    expect(snapshotTree(dir)).toEqual(before);
  });

  it('follows adr-tools when the repository has .adr-dir', { timeout: TIMEOUT }, async () => {
    write('answers.json', INTERNAL_JSON);
    write('.adr-dir', 'doc/architecture\n');
    const result = await runCli(['--answers', 'answers.json', '--title', 'Authenticate batch jobs'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('Wrote doc/architecture/0001-authenticate-batch-jobs.md\n');
    const record = readFileSync(join(dir, 'doc', 'architecture', '0001-authenticate-batch-jobs.md'), 'utf8');
    expect(record.split('\n')[0]).toBe('# 1. Authenticate batch jobs');
  });

  it('--yes accepts every default without a terminal', { timeout: TIMEOUT }, async () => {
    const result = await runCli(['--yes', '--json', '--no-record'], { cwd: dir });
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout) as { recommendation: string; answers: Record<string, unknown> };
    expect(document.answers).toMatchObject({ subjects: ['end-user'], clients: ['browser'], delegatedAccess: false });
    expect(document.recommendation).toBe('session');
  });

  it('honours NO_COLOR and FORCE_COLOR', { timeout: TIMEOUT }, async () => {
    write('answers.json', INTERNAL_JSON);
    const plain = await runCli(['--answers', 'answers.json', '--no-record'], { cwd: dir, env: { FORCE_COLOR: undefined, NO_COLOR: '1' } });
    expect(plain.stdout).not.toMatch(ESCAPES);
    const coloured = await runCli(['--answers', 'answers.json', '--no-record'], { cwd: dir, env: { FORCE_COLOR: '1' } });
    expect(coloured.stdout).toMatch(ESCAPES);
  });
});

describe('bad input exits 2 and writes nothing', () => {
  it('a malformed answers file names the field, the value and what is allowed', { timeout: TIMEOUT }, async () => {
    write('answers.yaml', HYBRID_YAML.replace('revocation: immediate', 'revocation: soon'));
    const before = snapshotTree(dir);
    const result = await runCli(['--answers', 'answers.yaml'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    // Wrapped at 80 columns, at word boundaries.
    expect(result.stderr).toBe(
      'Error: Answers file "answers.yaml": revocation is "soon"; allowed: immediate |\n' +
        'minutes | at-expiry.\n' +
        'The answers contract is described in the README (section "The answers file").\n',
    );
    expect(snapshotTree(dir)).toEqual(before);
  });

  it('a missing answers file', { timeout: TIMEOUT }, async () => {
    const result = await runCli(['--answers', 'nope.yaml', '--json'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^Error: Answers file "nope.yaml" does not exist\.\n/);
  });

  it('without a terminal and without --answers it does not wait for input', { timeout: TIMEOUT }, async () => {
    // stdin is an open pipe that never sends anything: waiting on it would hang the test.
    const result = await runCli(['decide'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('No terminal to ask the questions in, and no --answers file given.');
    expect(result.stderr).toContain('--answers <file>');
    expect(result.stderr).toContain('--yes');
    expect(snapshotTree(dir)).toEqual({});
  });

  it('an unknown command', { timeout: TIMEOUT }, async () => {
    const result = await runCli(['decidee'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'decidee'");
  });

  it('an unknown option', { timeout: TIMEOUT }, async () => {
    const result = await runCli(['decide', '--answer-file', 'x.yaml'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--answer-file'");
  });

  it('--scaffold with --json', { timeout: TIMEOUT }, async () => {
    write('answers.json', INTERNAL_JSON);
    const result = await runCli(['--answers', 'answers.json', '--json', '--scaffold'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(listRecords(join(dir, 'docs', 'decisions'))).toEqual([]);
  });
});

describe('explain', () => {
  it('prints the matrix, one method, and JSON', { timeout: TIMEOUT }, async () => {
    const matrix = await runCli(['explain'], { cwd: dir });
    expect(matrix.code).toBe(0);
    expect(matrix.stdout).toMatch(/Dimension\s+api-key\s+oauth\s+jwt\s+session/);
    const one = await runCli(['explain', 'session'], { cwd: dir });
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^Server-side sessions \(session\)/);
    const json = await runCli(['explain', 'api-key', '--json'], { cwd: dir });
    expect((JSON.parse(json.stdout) as { id: string }).id).toBe('api-key');
  });

  it('rejects an unknown method, naming the allowed ids', { timeout: TIMEOUT }, async () => {
    const result = await runCli(['explain', 'saml'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown method "saml"; allowed: api-key | oauth | jwt | session.');
  });
});
