import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Auth, AuthConfig } from './auth.js';
import { checkWhole, ConfigError, rangeText } from './config.js';
import type { MethodModule } from './method.js';
import type { MethodId } from './principal.js';
import { usageReport } from './usage.js';

/**
 * The management command line's plumbing: one entry (`cli.ts`), commands
 * contributed by the kernel (`credential`, `usage`) and by each method, one
 * way to parse flags, and meaningful exit codes: 0 done, 2 bad usage or
 * input (a flag out of range, a missing setting), 1 anything else.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CommandInput {
  auth: Auth;
  values: Values;
  positionals: string[];
  /** Prints one JSON line with --json, else the text; data goes to stdout. */
  print(json: unknown, text: string): void;
}

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage lines, without the program name. */
  usage: string;
  options: Options;
  /**
   * Set on commands for demos and tests (they create the accounts, clients or
   * keys they name): with NODE_ENV=production they are refused, with this text,
   * before any method starts.
   */
  demoOnly?: string;
  run(input: CommandInput): Promise<void>;
}

/** A whole-number flag within its range, e.g. `--expires-in-days` from 1 to 365. */
export function wholeFlag(values: Values, name: string, min: number, max: number, unit = ''): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const checked = checkWhole(raw, min, max);
  if (!checked.ok) throw new UsageError(`--${name} must be ${rangeText(min, max, unit)}; got "${String(raw)}".`);
  return checked.value;
}

const SCOPE = /^[a-z][a-z0-9:._-]{0,63}$/;
const SUBJECT = /^[A-Za-z0-9][A-Za-z0-9._@:-]{0,99}$/;

export function scopesFlag(values: Values): string[] {
  const scopes = ((values.scope as string[] | undefined) ?? []).map(String);
  for (const scope of scopes) if (!SCOPE.test(scope)) throw new UsageError(`--scope "${scope}" is not a scope: a lowercase word such as admin or orders:read.`);
  return [...new Set(scopes)];
}

export function subjectFlag(values: Values, command: string): string {
  const subject = values.subject;
  if (typeof subject !== 'string' || subject === '') throw new UsageError(`${command} needs --subject <id>.`);
  if (!SUBJECT.test(subject)) throw new UsageError(`--subject "${subject}" is not valid: 1 to 100 letters, digits and . _ @ : -, starting with a letter or digit.`);
  return subject;
}

const credentialCommand: Command = {
  name: 'credential',
  summary: 'mint a credential for a boundary and print the request header to send',
  usage: 'credential [--boundary <id>] [--method <method>] --subject <id> [--scope <scope>]... [--json]',
  options: { boundary: { type: 'string' }, method: { type: 'string' }, subject: { type: 'string' }, scope: { type: 'string', multiple: true } },
  demoOnly:
    'credential mints a credential for demos and tests only: it creates the account, client or key it names. With NODE_ENV=production, create credentials with the commands of each method (users, keys, oauth) or let people sign in.',
  async run({ auth, values, print }) {
    const subject = subjectFlag(values, 'credential');
    // --method picks one of several a boundary accepts (a retiring one, say); another is refused, naming the boundary.
    const issued = await auth.credential({
      ...(typeof values.boundary === 'string' ? { boundary: values.boundary } : {}),
      ...(typeof values.method === 'string' ? { method: values.method as MethodId } : {}),
      subject,
      scopes: scopesFlag(values),
    });
    print(issued, issued.header);
  },
};

const usageCommand: Command = {
  name: 'usage',
  summary: 'show who used which method, per boundary, client and day',
  usage: 'usage [--days <1-400>] [--json]',
  options: { days: { type: 'string' } },
  async run({ auth, values, print }) {
    const days = wholeFlag(values, 'days', 1, 400, 'days') ?? 30;
    // Rows of a method that is being retired at its boundary say so, with the day it stops working there.
    const sunsetOf = (row: { boundary: string; method: string; variant: string }) =>
      auth.boundaries.find((b) => b.id === row.boundary)?.accepts.find((a) => a.method === row.method && a.variant === row.variant)?.retiring?.sunset ?? null;
    const rows = (await usageReport(auth.store, auth.clock, days)).map((row) => ({ ...row, sunset: sunsetOf(row) }));
    const text =
      rows.length === 0
        ? `No authenticated requests in the last ${days} days.`
        : rows
            .map((row) => `${row.day}  /${row.boundary}  ${row.method} (${row.variant})  client ${row.client}  ${row.count}${row.sunset ? `  retiring, refused from ${row.sunset}` : ''}`)
            .join('\n');
    print(rows, text);
  },
};

function usageText(commands: readonly Command[]): string {
  return [
    'Manage the auth package.',
    '',
    'Usage:',
    ...commands.map((command) => `  cli ${command.usage}`),
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(12)} ${command.summary}`),
    '',
    'Every command takes --json (one JSON line on stdout) and --help.',
  ].join('\n');
}

/** The commands of a package: the kernel's, then each method's; one the kernel lends to several methods (`users`) appears once. */
export function commandsOf(methods: readonly MethodModule[]): Command[] {
  const commands = [credentialCommand, usageCommand, ...methods.flatMap((method) => method.commands ?? [])];
  return commands.filter((command, index) => commands.indexOf(command) === index);
}

/** Runs one command; sets `process.exitCode`, never exits by itself. */
export async function runCommandLine(
  argv: readonly string[],
  setup: { methods: readonly MethodModule[]; createAuth: (config?: AuthConfig) => Promise<Auth> },
): Promise<void> {
  const commands = commandsOf(setup.methods);
  // `pnpm run x -- --flag` passes the "--" along.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  const [name, ...rest] = args;
  let auth: Auth | null = null;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      (name === undefined ? console.error : console.log)(usageText(commands));
      if (name === undefined) throw new UsageError('Name a command.');
      return;
    }
    const command = commands.find((candidate) => candidate.name === name);
    if (!command) throw new UsageError(`Unknown command "${name}". Commands: ${commands.map((c) => c.name).join(', ')}.`);
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...command.options, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      console.log(`Usage: cli ${command.usage}`);
      return;
    }
    if (command.demoOnly && process.env.NODE_ENV === 'production') throw new UsageError(command.demoOnly);
    auth = await setup.createAuth({ usageFlushEvery: 0 });
    for (const warning of auth.warnings) console.error(`warning: ${warning}`);
    const asJson = values.json === true;
    await command.run({
      auth,
      values: values as Values,
      positionals,
      print: (json, text) => console.log(asJson ? JSON.stringify(json) : text),
    });
  } catch (error) {
    const usage =
      error instanceof UsageError || error instanceof ConfigError || String((error as { code?: unknown } | null)?.code ?? '').startsWith('ERR_PARSE_ARGS');
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    if (usage) console.error('Run with --help for usage.');
    process.exitCode = usage ? 2 : 1;
  } finally {
    await auth?.close();
  }
}
