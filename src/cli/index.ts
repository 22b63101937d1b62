/**
 * The entry point: builds the program, runs it, and is the only place that
 * exits the process.
 */
import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { processContext, type CliContext } from './context.js';
import { buildProgram } from './program.js';
import { CancelledError, EXIT, ExitError, UsageError } from '../errors.js';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
  bugs?: { url?: string };
};

/** Maps anything thrown by a command to an exit code, printing what the user needs. */
export function exitCodeFor(error: unknown, context: CliContext): number {
  if (error instanceof CommanderError) {
    // Help and version are successes; every other commander complaint is bad usage.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof CancelledError) {
    context.stderr.write(`${error.message}\n`);
    return EXIT.cancelled;
  }
  if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError')) {
    context.stderr.write('Cancelled. Nothing was written.\n');
    return EXIT.cancelled;
  }
  if (error instanceof ExitError) return error.exitCode;
  // Subclasses such as RecordError are usage errors too: bad input, not a bug.
  if (error instanceof UsageError) {
    context.stderr.write(`Error: ${error.message}\n${error.hint ? `${error.hint}\n` : ''}`);
    return error.exitCode;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  context.stderr.write(
    `Internal error: auth-decide ${packageJson.version} hit a bug.\n${detail}\n` +
      `Please report it at ${packageJson.bugs?.url ?? 'the auth-decide issue tracker'} with the command you ran.\n`,
  );
  return EXIT.internal;
}

async function main(): Promise<number> {
  const context = processContext();
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

process.on('SIGINT', () => {
  process.stderr.write('\nCancelled. Nothing was written.\n');
  process.exit(EXIT.cancelled);
});

// NOTE: no top-level await: the CLI is built as CommonJS, to run from a code cache (src/shell/compile-cache.ts).
void main().then((code) => {
  process.exitCode = code;
});
