/**
 * The entry point: builds the program, runs it, and is the only place that
 * exits the process. Every exit path ends on a message that tells the truth
 * about what was written.
 */
import { processContext } from './context.js';
import { cancelMessage, exitCodeFor, packageVersion } from './exit.js';
import { writeMessage } from './output.js';
import { buildProgram } from './program.js';
import { EXIT } from '../errors.js';
import { onInterrupt } from '../shell/journal.js';

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
  const program = buildProgram(context, { version: packageVersion });
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

// NOTE: no top-level await: the CLI is built as CommonJS, to run from a code cache (src/shell/compile-cache.ts).
void main().then((code) => {
  process.exitCode = code;
});
