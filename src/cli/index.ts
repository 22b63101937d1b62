/**
 * The entry point: builds the program, runs it, and is the only place that
 * exits the process.
 */
import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { processContext, type CliContext } from './context.js';
import { buildProgram } from './program.js';
import { EXIT } from '../errors.js';

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
  if (error instanceof Error) {
    switch (error.name) {
      case 'ExitPromptError':
      case 'AbortPromptError':
      case 'CancelledError':
        context.stderr.write(`${error.name === 'CancelledError' ? error.message : 'Cancelled. Nothing was written.'}\n`);
        return EXIT.cancelled;
      case 'ExitError':
        return (error as Error & { exitCode: number }).exitCode;
      case 'UsageError': {
        const { hint, exitCode } = error as Error & { hint?: string; exitCode: number };
        context.stderr.write(`Error: ${error.message}\n${hint ? `${hint}\n` : ''}`);
        return exitCode;
      }
    }
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  context.stderr.write(
    `Internal error: auth-decide ${packageJson.version} hit a bug.\n${detail}\n` +
      'Please report it with the command you ran: https://github.com/auth-decide/auth-decide/issues\n',
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

process.on('SIGINT', () => {
  process.stderr.write('\nCancelled. Nothing was written.\n');
  process.exit(EXIT.cancelled);
});

process.exitCode = await main();
