/**
 * Finding 4: every command the tool prints as a next step runs as printed.
 * The scenarios below collect each printed `auth-decide …` command — on a
 * line of its own or in backticks — parse it with the real commander
 * program, and run the scaffold ones with the real handler (the package
 * manager stubbed) in the project they were printed for.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/cli/commands/check.js';
import { runDecide } from '../../src/cli/commands/decide.js';
import { runRevisit } from '../../src/cli/commands/revisit.js';
import { runScaffold, type ScaffoldOptions } from '../../src/cli/commands/scaffold.js';
import { exitCodeFor } from '../../src/cli/exit.js';
import { buildProgram, type Handlers } from '../../src/cli/program.js';
import { forgetWrites } from '../../src/shell/journal.js';
import type { PromptBackend } from '../../src/shell/prompts.js';
import { PARTNER_ANSWERS } from '../review/support.js';
import { captureContext, makeTempDir } from './helpers.js';

const TIMEOUT = 120_000;

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = makeTempDir('next'));
  forgetWrites();
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'api', type: 'module', dependencies: { express: '^5.1.0' } }, null, 2));
});
afterEach(() => cleanup());

function context(interactive: boolean, now = new Date('2026-03-01T12:00:00Z')) {
  const { ctx, out } = captureContext(dir, { interactive, now });
  return { ctx, stderr: () => out.stderr, stdout: () => out.stdout };
}

/** Declines every confirmation (so the tool prints what to run later) and takes defaults elsewhere. */
const declining: PromptBackend = {
  select: async (options) => options.default ?? options.choices[0]!.value,
  checkbox: async (options) => options.choices.filter((choice) => choice.checked).map((choice) => choice.value),
  confirm: async (options) => !options.message.startsWith('Scaffold'),
  input: async (options) => options.default ?? '',
  note: () => {},
};

/** Every `auth-decide …` command in a text: lines that are one, and `code spans`. */
function printedCommands(text: string): string[] {
  const commands = new Set<string>();
  for (const line of text.split('\n')) {
    const own = /^\s+(auth-decide\s.*)$/.exec(line);
    if (own) commands.add(own[1]!.trim());
  }
  for (const match of text.replace(/\s*\n\s*/g, ' ').matchAll(/`(auth-decide[^`]*)`/g)) commands.add(match[1]!.trim());
  return [...commands];
}

/** Splits a printed command as a POSIX shell would (plain words and '…' quoting, which is all we print). */
function shellWords(command: string): string[] {
  const words: string[] = [];
  for (const match of command.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)) words.push(match[1] !== undefined ? match[1].replace(/'\\''/g, "'") : match[2]!);
  return words;
}

/** Parses a printed command with the real program; returns which handler it reached and with what options. */
async function parse(command: string): Promise<{ name: keyof Handlers; options: Record<string, unknown> }> {
  const words = shellWords(command);
  expect(words[0]).toBe('auth-decide');
  const reached: { name: keyof Handlers; options: Record<string, unknown> }[] = [];
  const record = (name: keyof Handlers) => async (options: object) => void reached.push({ name, options: options as Record<string, unknown> });
  const { ctx } = context(false);
  const errors: string[] = [];
  const program = buildProgram(
    { ...ctx, stderr: { write: (text) => void errors.push(text) } },
    {
      version: '0.0.0-test',
      handlers: { decide: record('decide'), explain: record('explain'), scaffold: record('scaffold'), revisit: record('revisit'), check: record('check') },
    },
  );
  await expect(program.parseAsync(words.slice(1), { from: 'user' }), `${command}: ${errors.join('')}`).resolves.toBeDefined();
  expect(reached, command).toHaveLength(1);
  return reached[0]!;
}

/**
 * Runs a printed scaffold command with the real handler, as the user would,
 * in a copy of the project as it was when the command was printed; returns
 * the methods and package settings the scaffold recorded in its manifest.
 */
async function runPrintedScaffold(command: string): Promise<{ methods: string[]; package: { stack: string; store: string } }> {
  const { options } = await parse(command);
  const copy = makeTempDir('next-run');
  cpSync(dir, copy.dir, { recursive: true });
  const { ctx } = context(false);
  const installs: string[] = [];
  try {
    await runScaffold({
      ...(options as unknown as ScaffoldOptions),
      context: { ...ctx, cwd: copy.dir },
      // The OAuth templates need Node 22; the printed command is for that Node.
      nodeVersion: '22.12.0',
      version: '0.0.0-test',
      installer: async (request) => {
        installs.push(request.command.display);
        return { ok: true };
      },
    });
    expect(installs, command).toEqual(['npm install']);
    const manifest = JSON.parse(readFileSync(join(copy.dir, '.auth-decide', 'manifest.json'), 'utf8')) as {
      methods: { method: string }[];
      package: { stack: string; store: string };
    };
    return { methods: manifest.methods.map((choice) => choice.method).sort(), package: manifest.package };
  } finally {
    copy.cleanup();
  }
}

const PLATFORM = {
  subjects: ['end-user', 'third-party-app', 'internal-service'],
  clients: ['browser', 'backend-service', 'scheduled-job'],
  delegatedAccess: true,
  revocation: 'immediate',
  opsCapacity: 'high',
  exposure: 'public',
  granularity: 'scopes',
  stack: 'express',
};

describe('decide', () => {
  it('declined in a terminal: "to scaffold it later" with the options given, runnable as printed', { timeout: TIMEOUT }, async () => {
    writeFileSync(join(dir, 'answers.yaml'), toYaml(PARTNER_ANSWERS));
    const { ctx, stderr } = context(true);
    await runDecide({ context: ctx, version: '0.0.0-test', answers: 'answers.yaml', prompts: declining, store: 'redis' });
    expect(stderr()).toContain('To scaffold it later:\n');
    const commands = printedCommands(stderr());
    expect(commands).toEqual(['auth-decide scaffold --stack express --store redis']);
    for (const command of commands) {
      expect(await runPrintedScaffold(command)).toMatchObject({ methods: ['api-key'], package: { stack: 'express', store: 'redis' } });
    }
  });

  it('declined in a terminal, a plan of several methods: one printed command generates all of them', { timeout: TIMEOUT }, async () => {
    writeFileSync(join(dir, 'answers.yaml'), toYaml(PLATFORM));
    const { ctx, stderr } = context(true);
    await runDecide({ context: ctx, version: '0.0.0-test', answers: 'answers.yaml', prompts: declining, nodeVersion: '22.12.0', store: 'redis' });
    const commands = printedCommands(stderr());
    expect(commands).toEqual(['auth-decide scaffold --stack express --store redis']);
    for (const command of commands) {
      expect(await runPrintedScaffold(command)).toMatchObject({ methods: ['oauth', 'session'], package: { stack: 'express', store: 'redis' } });
    }
  });

  it('refusing a second current record points at commands that run', { timeout: TIMEOUT }, async () => {
    writeFileSync(join(dir, 'answers.yaml'), toYaml(PLATFORM));
    await runDecide({ context: context(false).ctx, version: '0.0.0-test', answers: 'answers.yaml' });
    const { ctx, stderr } = context(false);
    const code = await runDecide({ context: ctx, version: '0.0.0-test', answers: 'answers.yaml' }).then(
      () => 0,
      (error: unknown) => exitCodeFor(error, ctx),
    );
    expect(code).toBe(2);
    const commands = printedCommands(stderr());
    expect(commands).toEqual(['auth-decide revisit']);
    for (const command of commands) expect((await parse(command)).name).toBe('revisit');
    // The option the message names is one decide accepts.
    expect(stderr()).toContain('--supersede');
    expect((await parse('auth-decide decide --answers answers.yaml --supersede')).options).toMatchObject({ supersede: true });
  });
});

describe('revisit', () => {
  it('without a terminal: the command for what the new plan added, runnable as printed', { timeout: TIMEOUT }, async () => {
    // Recorded: people in a browser (sessions); now partner backends call the API instead (API keys).
    writeFileSync(join(dir, 'answers.yaml'), toYaml({ ...PARTNER_ANSWERS, subjects: ['end-user'], clients: ['browser'] }));
    await runDecide({ context: context(false).ctx, version: '0.0.0-test', answers: 'answers.yaml' });
    writeFileSync(join(dir, 'changed.yaml'), 'subjects: [backend-integration]\nclients: [backend-service]\n');
    const { ctx, stderr } = context(false, new Date('2026-08-01T12:00:00Z'));
    await runRevisit({ context: ctx, version: '0.0.0-test', answers: 'changed.yaml', trigger: ['client-types'] });
    expect(stderr().replace(/\s+/g, ' ')).toContain('The new plan adds API keys. To generate its code, run:');
    const commands = printedCommands(stderr());
    expect(commands).toEqual(['auth-decide scaffold --stack express']);
    for (const command of commands) {
      expect((await runPrintedScaffold(command)).methods).toContain('api-key');
    }
  });
});

describe('check and error hints', () => {
  it('every command in a finding or hint parses with the real program', { timeout: TIMEOUT }, async () => {
    const commands = new Set<string>();
    // No record yet.
    const empty = context(false);
    await runCheck({ context: empty.ctx }).catch(() => undefined);
    // A record whose review date passed, a changed stack, an unaccounted library.
    writeFileSync(
      join(dir, 'answers.yaml'),
      toYaml({ subjects: ['backend-integration'], clients: ['backend-service'], delegatedAccess: false, revocation: 'minutes', opsCapacity: 'low', stack: 'fastify' }),
    );
    await runDecide({ context: context(false).ctx, version: '0.0.0-test', answers: 'answers.yaml' });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'api', dependencies: { express: '^5.1.0', jsonwebtoken: '^9.0.0' } }));
    const late = context(false, new Date('2030-01-01T00:00:00Z'));
    await runCheck({ context: late.ctx }).catch(() => undefined);
    // A damaged record.
    const { readdirSync, readFileSync } = await import('node:fs');
    const folder = join(dir, 'docs', 'decisions');
    const [record] = readdirSync(folder);
    writeFileSync(join(folder, record!), readFileSync(join(folder, record!), 'utf8').replace(/reviewBy: .*/, 'reviewBy: [broken'));
    const damaged = context(false);
    await runCheck({ context: damaged.ctx }).catch((error: unknown) => exitCodeFor(error, damaged.ctx));
    // Nothing to read from, no answers.
    const bare = context(false);
    await runDecide({ context: bare.ctx, version: '0.0.0-test', json: true, scaffold: true }).catch((error: unknown) => exitCodeFor(error, bare.ctx));

    for (const run of [empty, late, damaged, bare]) {
      for (const command of [...printedCommands(run.stdout()), ...printedCommands(run.stderr())]) commands.add(command);
    }
    expect([...commands].sort()).toEqual(
      expect.arrayContaining(['auth-decide revisit', 'auth-decide revisit --trigger framework-support', 'auth-decide decide --yes --dry-run', 'auth-decide scaffold --json']),
    );
    for (const command of commands) await parse(command);
  });
});
