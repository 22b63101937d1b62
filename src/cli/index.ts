/**
 * The entry point: builds the program, runs it, and is the only place that
 * exits the process. Every exit path ends on a message that tells the truth
 * about what was written.
 */
import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { processContext, type CliContext } from './context.js';
import { writeMessage } from './output.js';
import { buildProgram } from './program.js';
import { CancelledError, EXIT, ExitError, UsageError } from '../errors.js';
import { ENVIRONMENT_CODES, fileSystemProblem } from '../shell/files.js';
import { onInterrupt, writtenSoFar } from '../shell/journal.js';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
  bugs?: { url?: string };
};

/** What was written before the command stopped, or null when nothing was. */
function keptSentence(): string | null {
  const written = writtenSoFar();
  return written.length === 0 ? null : `Written before it stopped, and kept: ${written.join('; ')}.`;
}

/** The message for a cancel: what was cancelled, then what is on disk. */
export function cancelMessage(message = 'Cancelled.'): string {
  const kept = keptSentence();
  if (kept) return `${message}\n${kept}`;
  return /\bwritten\b/i.test(message) ? message : `${message} Nothing was written.`;
}

/**
 * A file-system failure that escaped the command's own handling: still the
 * environment's doing (permissions, a full or read-only disk), so bad input
 * rather than a bug.
 */
function environmentProblem(error: unknown, context: CliContext): UsageError | null {
  const errno = error as NodeJS.ErrnoException;
  if (!(error instanceof Error) || errno.code === undefined || !ENVIRONMENT_CODES.has(errno.code) || typeof errno.path !== 'string') return null;
  const action = errno.syscall === 'mkdir' ? 'create' : errno.syscall === 'scandir' ? 'list' : errno.syscall === 'read' ? 'read' : 'access';
  return fileSystemProblem(error, action, { path: errno.path, what: 'the file', cwd: context.cwd });
}

/** Maps anything thrown by a command to an exit code, printing what the user needs. */
export function exitCodeFor(error: unknown, context: CliContext): number {
  const say = (text: string) => writeMessage(context.stderr, text);
  if (error instanceof CommanderError) {
    // Help and version are successes; every other commander complaint is bad usage.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof CancelledError) {
    say(cancelMessage(error.message));
    return EXIT.cancelled;
  }
  if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError')) {
    say(cancelMessage());
    return EXIT.cancelled;
  }
  if (error instanceof ExitError) return error.exitCode;
  // Subclasses such as RecordError are usage errors too: bad input, not a bug.
  const usage = error instanceof UsageError ? error : environmentProblem(error, context);
  if (usage) {
    say(`Error: ${usage.message}`);
    if (usage.hint) say(usage.hint);
    const kept = keptSentence();
    if (kept) say(kept);
    return usage.exitCode;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  const tracker = packageJson.bugs?.url ? ` (${packageJson.bugs.url})` : '';
  context.stderr.write(`Internal error: auth-decide ${packageJson.version} hit a bug.\n${detail}\n`);
  say(`Please report it to the auth-decide issue tracker${tracker} with the command you ran.`);
  const kept = keptSentence();
  if (kept) say(kept);
  return EXIT.internal;
}

async function main(): Promise<number> {
  const context = processContext();
  process.on('SIGINT', () => {
    // Held back while files are being written, so a Ctrl-C never leaves half of them.
    onInterrupt(() => {
      context.stderr.write('\n');
      writeMessage(context.stderr, cancelMessage());
      process.exit(EXIT.cancelled);
    });
  });
  const program = buildProgram(context, { version: packageJson.version });
  try {
    await program.parseAsync(process.argv);
    return EXIT.ok;
  } catch (error) {
    return exitCodeFor(error, context);
  }
}

// A reader that stops early (`auth-decide explain | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
    throw error;
  });
}

process.exitCode = await main();
