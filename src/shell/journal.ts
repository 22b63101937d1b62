/**
 * What this run has written so far, in words ("the decision record
 * docs/decisions/0003-….md"). Every writer notes what it finished, so the
 * final message of any exit path (an error, Ctrl-C, a refused scaffold after
 * the record was written) can tell the truth about what is on disk.
 */
const entries: string[] = [];

/** Notes something this run wrote and leaves in place. */
export function noteWritten(description: string): void {
  entries.push(description);
}

/** Everything written so far, oldest first. */
export function writtenSoFar(): readonly string[] {
  return entries;
}

/** Starts a new record of writes (tests that run several commands in one process). */
export function forgetWrites(): void {
  entries.length = 0;
}

/**
 * Ctrl-C while files are being written must not leave half of them: the
 * interrupt waits until the write in progress has finished (or rolled back).
 */
let critical = 0;
let interrupted: (() => void) | null = null;

/** Runs `write` with interrupts held back; a Ctrl-C that arrived meanwhile is handled afterwards. */
export async function withoutInterrupts<T>(write: () => Promise<T> | T): Promise<T> {
  critical += 1;
  try {
    return await write();
  } finally {
    critical -= 1;
    if (critical === 0 && interrupted) {
      const handle = interrupted;
      interrupted = null;
      handle();
    }
  }
}

/** Called by the SIGINT handler: runs `handle` now, or as soon as no write is in progress. */
export function onInterrupt(handle: () => void): void {
  if (critical === 0) handle();
  else interrupted = handle;
}
