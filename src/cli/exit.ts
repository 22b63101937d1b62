/**
 * How a run ends: anything a command throws becomes an exit code and a final
 * message that tells the truth about what was written.
 */
import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import type { CliContext } from './context.js';
import { writeMessage } from './output.js';
import { CancelledError, EXIT, ExitError, UsageError } from '../errors.js';
import { ENVIRONMENT_CODES, fileSystemProblem } from '../shell/files.js';
import { writtenSoFar } from '../shell/journal.js';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
  bugs?: { url?: string } | string;
};

export const packageVersion = packageJson.version;

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
  const bugs = typeof packageJson.bugs === 'string' ? packageJson.bugs : packageJson.bugs?.url;
  const tracker = bugs ? ` (${bugs})` : '';
  context.stderr.write(`Internal error: auth-decide ${packageJson.version} hit a bug.\n${detail}\n`);
  say(`Please report it to the auth-decide issue tracker${tracker} with the command you ran.`);
  const kept = keptSentence();
  if (kept) say(kept);
  return EXIT.internal;
}

