/**
 * Typed failures. Only the CLI entry point turns these into exit codes;
 * everything below it throws.
 */

export const EXIT = {
  ok: 0,
  internal: 1,
  /** `check`: a review of the decision is needed. Shares 1 with internal errors by design of the check contract. */
  reviewNeeded: 1,
  usage: 2,
  cancelled: 130,
} as const;

/** An expected failure: bad usage or bad input. The message is shown as-is. */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly exitCode: number;
  /** Optional next step shown under the message. */
  readonly hint: string | undefined;
  constructor(message: string, options: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? EXIT.usage;
  }
}

/**
 * The user cancelled (Ctrl-C at a prompt, or declined the confirmation). The
 * entry point adds what was written before, or that nothing was.
 */
export class CancelledError extends Error {
  override name = 'CancelledError';
  readonly exitCode = EXIT.cancelled;
  constructor(message = 'Cancelled.') {
    super(message);
  }
}

/**
 * A command finished its work but wants a specific non-zero exit
 * (e.g. `check` reporting that a review is due). Its report is already printed.
 */
export class ExitError extends Error {
  override name = 'ExitError';
  constructor(readonly exitCode: number, message = `exit ${exitCode}`) {
    super(message);
  }
}

/** A bug in auth-decide: the entry point asks the user to report it. */
export class InternalError extends Error {
  override name = 'InternalError';
  readonly exitCode = EXIT.internal;
}
