/**
 * Shared by the revisit and check suites: a temp project, a CliContext that
 * captures output, a scripted prompt backend, and records written by the real
 * `decide` handler.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify as toYaml } from 'yaml';
import type { CliContext } from '../../src/cli/context.js';
import { runDecide } from '../../src/cli/commands/decide.js';
import { QUESTIONS } from '../../src/core/questions.js';
import type { AnswerKey, Answers } from '../../src/core/types.js';
import type { CheckboxOptions, ConfirmOptions, InputOptions, PromptBackend, SelectOptions } from '../../src/shell/prompts.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'auth-decide.js');

export interface Project {
  dir: string;
  path(...parts: string[]): string;
  write(relativePath: string, text: string): void;
  read(relativePath: string): string;
  exists(relativePath: string): boolean;
  records(folder?: string): string[];
  cleanup(): void;
}

export function makeProject(prefix: string): Project {
  const dir = mkdtempSync(join(tmpdir(), `auth-decide-${prefix}-`));
  const path = (...parts: string[]) => join(dir, ...parts);
  return {
    dir,
    path,
    write: (relativePath, text) => {
      mkdirSync(dirname(path(relativePath)), { recursive: true });
      writeFileSync(path(relativePath), text);
    },
    read: (relativePath) => readFileSync(path(relativePath), 'utf8'),
    exists: (relativePath) => existsSync(path(relativePath)),
    records: (folder = 'docs/decisions') =>
      existsSync(path(folder)) ? readdirSync(path(folder)).filter((name) => /^\d{4}-.*\.md$/.test(name)).sort() : [],
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface TestContext extends CliContext {
  out(): string;
  err(): string;
}

export function testContext(dir: string, overrides: Partial<CliContext> = {}): TestContext {
  let out = '';
  let err = '';
  return {
    cwd: dir,
    env: { NO_COLOR: '1' },
    now: new Date('2026-03-01T12:00:00Z'),
    interactive: false,
    stdout: { write: (text: string) => void (out += text), isTTY: false },
    stderr: { write: (text: string) => void (err += text), isTTY: false },
    color: false,
    ...overrides,
    out: () => out,
    err: () => err,
  };
}

/** The question key behind a prompt message, or null for other prompts. */
export const questionKeyOf = (message: string): AnswerKey | null =>
  QUESTIONS.find((question) => question.message === message)?.key ?? null;

export interface Script {
  /** Triggers picked in the "what has changed" checkbox. */
  triggers?: string[];
  /** Answers for questionnaire prompts; a question not listed keeps its pre-filled value. */
  answers?: Partial<Answers>;
  /** Answers to the five review questions, by position. */
  notes?: string[];
  /** Replies to confirmations, in order; `true` when the script runs out. */
  confirms?: boolean[];
  /** Throw the inquirer Ctrl-C error at the prompt whose message contains this text. */
  cancelAt?: string;
}

export interface ScriptedBackend extends PromptBackend {
  asked: AnswerKey[];
  confirmations: string[];
  inputs: string[];
  checkboxes: string[];
}

const ctrlC = () => Object.assign(new Error('User force closed the prompt with SIGINT'), { name: 'ExitPromptError' });

/** A prompt backend that answers from a script and remembers what it was asked. */
export function scriptedBackend(script: Script): ScriptedBackend {
  const asked: AnswerKey[] = [];
  const confirmations: string[] = [];
  const inputs: string[] = [];
  const checkboxes: string[] = [];
  const confirms = [...(script.confirms ?? [])];
  const notes = [...(script.notes ?? [])];
  const guard = (message: string) => {
    if (script.cancelAt && message.includes(script.cancelAt)) throw ctrlC();
  };
  return {
    asked,
    confirmations,
    inputs,
    checkboxes,
    async select<V>(options: SelectOptions<V>): Promise<V> {
      guard(options.message);
      const key = questionKeyOf(options.message);
      if (key) asked.push(key);
      if (key && script.answers && key in script.answers) return script.answers[key] as V;
      if (options.default !== undefined) return options.default;
      return options.choices[0]!.value;
    },
    async checkbox<V>(options: CheckboxOptions<V>): Promise<V[]> {
      guard(options.message);
      const key = questionKeyOf(options.message);
      if (key) {
        asked.push(key);
        if (script.answers && key in script.answers) return script.answers[key] as V[];
        return options.choices.filter((choice) => choice.checked).map((choice) => choice.value);
      }
      checkboxes.push(options.message);
      return (script.triggers ?? []) as V[];
    },
    async confirm(options: ConfirmOptions): Promise<boolean> {
      guard(options.message);
      confirmations.push(options.message);
      return confirms.length > 0 ? confirms.shift()! : true;
    },
    async input(options: InputOptions): Promise<string> {
      guard(options.message);
      inputs.push(options.message);
      return notes.length > 0 ? notes.shift()! : (options.default ?? '');
    },
    note: () => {},
  };
}

/** Writes an answers file and records a decision with the real `decide` handler. */
export async function decideInto(
  project: Project,
  answers: Partial<Answers>,
  options: { now?: Date; adrDir?: string } = {},
): Promise<string> {
  project.write('answers.yaml', toYaml(answers));
  const context = testContext(project.dir, options.now ? { now: options.now } : {});
  await runDecide({ context, version: '0.1.0', answers: 'answers.yaml', yes: true, ...(options.adrDir ? { adrDir: options.adrDir } : {}) });
  const written = /Wrote (.+)\n/.exec(context.err())?.[1];
  if (!written) throw new Error(`decide wrote no record:\n${context.err()}`);
  return written;
}

/** Copies a record under another number, as when two branches each recorded a decision; returns its path. */
export function duplicateRecord(project: Project, path: string, number: number): string {
  const copy = path.replace(/\/\d{4}-/, `/${String(number).padStart(4, '0')}-`);
  project.write(copy, project.read(path));
  return copy;
}

/** Backend integrations on their own servers: API keys, with the default review pace. */
export const PARTNER_ANSWERS: Partial<Answers> = {
  subjects: ['backend-integration'],
  clients: ['backend-service'],
  delegatedAccess: false,
  revocation: 'minutes',
  opsCapacity: 'low',
  stack: 'express',
};

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built bin as a real process, without a terminal, colour off. */
export function runBin(args: string[], cwd: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, FORCE_COLOR: '0', CI: '' };
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Exit code the entry point would use for an error thrown by a handler. */
export function exitCodeOf(error: unknown): number | undefined {
  return (error as { exitCode?: number }).exitCode;
}

/** Calls a handler and returns what it threw (or null). */
export async function caught(run: () => Promise<unknown>): Promise<(Error & { exitCode?: number; hint?: string }) | null> {
  try {
    await run();
    return null;
  } catch (error) {
    return error as Error & { exitCode?: number };
  }
}
