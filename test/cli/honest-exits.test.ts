/**
 * Finding 3: the last words of a run are true for every exit path. A cancel
 * or a failure after the record was written says the record was written and
 * kept; a scaffold that cannot run is found before anything is written.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runDecide, type DecideOptions } from '../../src/cli/commands/decide.js';
import { exitCodeFor } from '../../src/cli/exit.js';
import { forgetWrites } from '../../src/shell/journal.js';
import type { PromptBackend } from '../../src/shell/prompts.js';
import { assertBuilt, captureContext, HYBRID_YAML, INTERNAL_JSON, listRecords, makeTempDir, runCli, snapshotTree } from './helpers.js';

const TIMEOUT = 60_000;

let dir: string;
let cleanup: () => void;
beforeAll(assertBuilt);
beforeEach(() => {
  ({ dir, cleanup } = makeTempDir('honest'));
  forgetWrites();
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'api', type: 'module', dependencies: { express: '^5.1.0' } }, null, 2));
});
afterEach(() => cleanup());

const context = (interactive: boolean) => captureContext(dir, { interactive, now: new Date('2026-03-01T12:00:00Z') });

/** Says yes to every confirmation, or throws Ctrl-C at the one whose message contains `cancelAt`. */
function answering(cancelAt?: string): PromptBackend {
  const ctrlC = () => Object.assign(new Error('User force closed the prompt with SIGINT'), { name: 'ExitPromptError' });
  return {
    select: async (options) => options.default ?? options.choices[0]!.value,
    checkbox: async (options) => options.choices.filter((choice) => choice.checked).map((choice) => choice.value),
    confirm: async (options) => {
      if (cancelAt && options.message.includes(cancelAt)) throw ctrlC();
      return true;
    },
    input: async (options) => options.default ?? '',
    note: () => {},
  };
}

/** Runs decide as the entry point would and returns the exit code and everything said on stderr. */
async function decideAsEntryPoint(options: Omit<DecideOptions, 'context' | 'version'>, interactive: boolean) {
  const { ctx, out } = context(interactive);
  let code = 0;
  try {
    await runDecide({ context: ctx, version: '0.1.0', ...options });
  } catch (error) {
    code = exitCodeFor(error, ctx);
  }
  return { code, stderr: out.stderr };
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ');

describe('after the record was written', () => {
  it('a failed install in the accepted scaffold: exit 2, and the message says the record was written and kept', { timeout: TIMEOUT }, async () => {
    writeFileSync(join(dir, 'answers.json'), INTERNAL_JSON);
    const { code, stderr } = await decideAsEntryPoint(
      {
        answers: 'answers.json',
        prompts: answering(),
        installer: async () => ({ ok: false, exitCode: 1, output: 'npm ERR! network', reason: 'npm install exited with code 1' }),
      },
      true,
    );
    const [record] = listRecords(join(dir, 'docs', 'decisions'));
    expect(code).toBe(2);
    expect(oneLine(stderr)).toContain('Error: Installing failed');
    expect(oneLine(stderr)).toContain(`Written before it stopped, and kept: the decision record docs/decisions/${record};`);
    expect(stderr).not.toMatch(/nothing was written/i);
  });

  it('Ctrl-C at a scaffold prompt: exit 130, and the message names the record that was kept', { timeout: TIMEOUT }, async () => {
    writeFileSync(join(dir, 'answers.json'), INTERNAL_JSON);
    const { code, stderr } = await decideAsEntryPoint({ answers: 'answers.json', prompts: answering('Write these files') }, true);
    const [record] = listRecords(join(dir, 'docs', 'decisions'));
    expect(code).toBe(130);
    expect(oneLine(stderr)).toContain(
      `Scaffolding cancelled: no generated code was written. Written before it stopped, and kept: the decision record docs/decisions/${record}.`,
    );
    expect(stderr).not.toMatch(/Nothing was written/);
  });
});

describe('a scaffold that cannot run is refused before the record is written', () => {
  it('OAuth with --scaffold on Node 20: exit 2, nothing written, and the message says so', { timeout: TIMEOUT }, async () => {
    writeFileSync(join(dir, 'answers.yaml'), HYBRID_YAML);
    const before = snapshotTree(dir);
    const { code, stderr } = await decideAsEntryPoint(
      { answers: 'answers.yaml', scaffold: true, nodeVersion: '20.19.0', install: false },
      false,
    );
    expect(code).toBe(2);
    expect(oneLine(stderr)).toMatch(/needs Node >=22; this is Node 20\.19\.0/);
    expect(oneLine(stderr)).toContain('Nothing was written: decide checks the scaffold before it writes the record.');
    expect(snapshotTree(dir)).toEqual(before);
  });

  it('in a terminal on Node 20, OAuth is not offered; the message says why and what to run later', { timeout: TIMEOUT }, async () => {
    writeFileSync(join(dir, 'answers.yaml'), HYBRID_YAML);
    const asked: string[] = [];
    const prompts = answering();
    const confirm = prompts.confirm.bind(prompts);
    prompts.confirm = async (options) => {
      asked.push(options.message);
      return confirm(options);
    };
    const { code, stderr } = await decideAsEntryPoint({ answers: 'answers.yaml', prompts, nodeVersion: '20.19.0' }, true);
    expect(code).toBe(0);
    expect(asked.some((message) => message.startsWith('Scaffold'))).toBe(false);
    expect(oneLine(stderr)).toContain(
      'Not offering to scaffold the plan (OAuth 2 + Server-side sessions) now: it needs Node 22 or newer, and this is Node 20.19.0. With a newer Node, run:',
    );
    // The command on a line of its own, never wrapped, so it can be copied as it is; it reads the plan from the record.
    expect(stderr).toContain('\n  auth-decide scaffold --stack express\n');
  });

  it('the built bin: a --scaffold that lacks a choice exits 2 before writing, naming the option decide accepts for it', { timeout: TIMEOUT }, async () => {
    // No framework in package.json and none in the answers: the scaffold needs --stack.
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'api', type: 'module' }, null, 2));
    writeFileSync(join(dir, 'answers.json'), INTERNAL_JSON);
    const before = snapshotTree(dir);
    const result = await runCli(['decide', '--answers', 'answers.json', '--scaffold', '--no-install'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toContain('Pass --stack express|fastify|hono.');
    expect(oneLine(result.stderr)).toContain('Nothing was written: decide checks the scaffold before it writes the record.');
    expect(snapshotTree(dir)).toEqual(before);
    // decide takes the option it was told to pass, and the scaffold then runs (as a dry run here).
    const given = await runCli(['decide', '--answers', 'answers.json', '--scaffold', '--no-install', '--stack', 'express', '--dry-run'], { cwd: dir });
    expect(given.code).toBe(0);
    expect(given.stderr).toContain('auth/methods/api-key/');
    expect(snapshotTree(dir)).toEqual(before);
  });

  it('OAuth with --scaffold needs no option decide does not take: the plan says which OAuth variants to generate', { timeout: TIMEOUT }, async () => {
    writeFileSync(join(dir, 'answers.yaml'), HYBRID_YAML);
    const before = snapshotTree(dir);
    const { code, stderr } = await decideAsEntryPoint({ answers: 'answers.yaml', scaffold: true, dryRun: true, nodeVersion: '22.12.0', install: false }, false);
    expect(stderr).not.toMatch(/^Error:/m);
    expect(code).toBe(0);
    for (const method of ['oauth', 'session']) expect(stderr).toContain(`auth/methods/${method}/`);
    expect(snapshotTree(dir)).toEqual(before);
  });
});
