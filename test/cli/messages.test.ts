/**
 * Finding 7: messages that were unclear or wrong, each now saying what is
 * wrong, where, and what to do; everything wrapped at 80 columns at word
 * boundaries; data on stdout, messages on stderr. (Prompt hints and the
 * Ctrl-C redraw are checked in a real terminal in interactive.test.ts.)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assertBuilt, HYBRID_YAML, listRecords, makeTempDir, runCli, type RunResult } from './helpers.js';

const TIMEOUT = 60_000;

let dir: string;
let cleanup: () => void;
beforeAll(assertBuilt);
beforeEach(() => {
  ({ dir, cleanup } = makeTempDir('messages'));
  writeFileSync(join(dir, 'answers.yaml'), HYBRID_YAML);
});
afterEach(() => cleanup());

const oneLine = (text: string) => text.replace(/\s+/g, ' ');
const write = (name: string, text: string) => {
  mkdirSync(join(dir, name, '..'), { recursive: true });
  writeFileSync(join(dir, name), text);
};

/** At most 80 columns; only a last word that fits no line (a path) may run past. Commands to copy stay whole. */
function expectWrapped(text: string): void {
  for (const line of text.split('\n')) {
    if (line.length <= 80 || /^\s+auth-decide\s/.test(line)) continue;
    expect(line.lastIndexOf(' '), `breakable line over 80 columns: ${line}`).toBeLessThan(80);
  }
}

function expectRefused(result: RunResult, message: string): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(oneLine(result.stderr)).toContain(message);
  expectWrapped(result.stderr);
}

describe('usage', () => {
  it('help for an unknown command is an error naming it, not the general help', { timeout: TIMEOUT }, async () => {
    const result = await runCli(['help', 'nosuch'], { cwd: dir });
    expectRefused(result, "error: unknown command 'nosuch' The commands: decide, explain, scaffold, revisit, check, inspect, help.");
  });

  it('help for a known command still works', { timeout: TIMEOUT }, async () => {
    const result = await runCli(['help', 'check'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: auth-decide check/);
  });

  it('--adr-dir afile/sub names afile as the file in the way', { timeout: TIMEOUT }, async () => {
    write('afile', 'x');
    const result = await runCli(['decide', '--answers', 'answers.yaml', '--adr-dir', 'afile/sub'], { cwd: dir });
    expectRefused(result, 'Cannot list the decision records folder afile/sub: afile is a file, not a folder.');
  });

  it('--note foo=bar says that foo is the unknown part', { timeout: TIMEOUT }, async () => {
    const result = await runCli(['revisit', '--trigger', 'threat-model', '--note', 'foo=bar'], { cwd: dir });
    expectRefused(result, '--note "foo=bar": "foo" is not a review question; the questions are identities, incidents, overcomplicated, hardest-flows, incremental-migration.');
  });
});

describe('project files', () => {
  it.each([
    ['[1,2]', 'package.json must hold one JSON object ({ "name": …, "dependencies": … }); it holds a list.'],
    ['null', 'package.json must hold one JSON object ({ "name": …, "dependencies": … }); it holds null.'],
    ['{"dependencies": ["express"]}', 'package.json: "dependencies" must be an object of package names and version ranges; it is a list.'],
    ['{"name": "x",}', 'package.json is not valid JSON: trailing comma before \'}\' (line 1, column 13).'],
  ])('package.json %s', { timeout: TIMEOUT }, async (text, message) => {
    write('package.json', text);
    await runCli(['decide', '--answers', 'answers.yaml'], { cwd: dir });
    const result = await runCli(['check'], { cwd: dir });
    expectRefused(result, message);
  });

  it('an empty manifest says it is empty; one without its fields says what they hold, not "one of: array"', { timeout: TIMEOUT }, async () => {
    await runCli(['decide', '--answers', 'answers.yaml'], { cwd: dir });
    write('.auth-decide/manifest.json', '');
    expectRefused(await runCli(['check'], { cwd: dir }), '.auth-decide/manifest.json is empty;');
    write('.auth-decide/manifest.json', '{}');
    const result = await runCli(['check'], { cwd: dir });
    expectRefused(result, 'methods is missing; it is required (a list)');
    expect(oneLine(result.stderr)).toContain('files is missing; it is required (an object)');
    expect(result.stderr).not.toMatch(/one of: array|\((array|record|object)\)/);
  });

  it('scaffold --dir <a file> stops at once, before planning anything', { timeout: TIMEOUT }, async () => {
    write('notes.txt', 'x');
    const result = await runCli(['scaffold', '--dir', 'notes.txt', '--method', 'api-key', '--stack', 'express'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('Error: The project folder notes.txt is a file, not a folder.\nGive the folder that holds (or will hold) package.json.\n');
  });
});

describe('answers and records', () => {
  it('bare "delegatedAccess: yes" is told to write true or false, not to drop quotes it does not have', { timeout: TIMEOUT }, async () => {
    write('yes.yaml', HYBRID_YAML.replace('delegatedAccess: true', 'delegatedAccess: yes'));
    const result = await runCli(['decide', '--answers', 'yes.yaml'], { cwd: dir });
    expectRefused(result, 'delegatedAccess is "yes"; allowed: true | false (write true or false: yes is text, not a yes/no value, in YAML 1.2 and JSON).');
    expect(result.stderr).not.toContain('without quotes');
  });

  it('broken YAML in a record: one line number, in the file, and no dangling colon', { timeout: TIMEOUT }, async () => {
    await runCli(['decide', '--answers', 'answers.yaml'], { cwd: dir });
    const path = `docs/decisions/${listRecords(join(dir, 'docs', 'decisions'))[0]}`;
    const text = readFileSync(join(dir, path), 'utf8').replace(/^ {2}reviewBy: .*$/m, '  reviewBy: [broken');
    write(path, text);
    const result = await runCli(['check'], { cwd: dir });
    const [error] = oneLine(result.stderr).split(' Fix the auth-decide block');
    expect(result.code).toBe(2);
    expect(error).toMatch(new RegExp(`^Error: ${path.replace(/\./g, '\\.')}:\\d+: the front matter is not valid YAML: [^:]+\\.$`));
    expect(error).not.toMatch(/line \d+, column/);
  });
});

describe('streams', () => {
  it("revisit's migration plan is data on stdout, rendered for a terminal without Markdown asterisks", { timeout: TIMEOUT }, async () => {
    write(
      'partners.yaml',
      'subjects: [backend-integration]\nclients: [backend-service]\ndelegatedAccess: false\nrevocation: minutes\nopsCapacity: low\nstack: express\n',
    );
    await runCli(['decide', '--answers', 'partners.yaml'], { cwd: dir });
    write('changed.yaml', 'subjects: [backend-integration, third-party-app]\ndelegatedAccess: true\n');
    const result = await runCli(['revisit', '--trigger', 'client-types', '--answers', 'changed.yaml'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Migration plan\nFrom API keys to OAuth 2');
    expect(result.stdout).toMatch(/^1\. Run both methods side by side at the boundary$/m);
    expect(result.stdout).not.toContain('**');
    expect(result.stderr).not.toContain('Migration plan');
    expectWrapped(result.stdout);
    expectWrapped(result.stderr);
  });

  it('messages of a whole decide run wrap at 80 columns', { timeout: TIMEOUT }, async () => {
    write('package.json', JSON.stringify({ name: 'api', dependencies: { express: '^5.1.0' } }));
    const first = await runCli(['decide', '--answers', 'answers.yaml'], { cwd: dir });
    expectWrapped(first.stderr);
    expectWrapped(first.stdout);
    const second = await runCli(['decide', '--answers', 'answers.yaml'], { cwd: dir });
    expect(second.code).toBe(2);
    expectWrapped(second.stderr);
  });
});
