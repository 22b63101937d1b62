/**
 * What a command handler gets from the outside world. The entry point builds it
 * from `process`; tests build their own, so handlers never touch globals.
 */
export interface Output {
  write(text: string): void;
  /** Whether this stream is a terminal (used for colour and progress only). */
  readonly isTTY?: boolean;
  /** The terminal's width, when it is one. */
  readonly columns?: number;
}

/** Standard input, for `--answers -`. */
export type Input = AsyncIterable<Buffer | string> & { readonly isTTY?: boolean };

export interface CliContext {
  cwd: string;
  env: Record<string, string | undefined>;
  now: Date;
  /** True when a person can answer prompts. */
  interactive: boolean;
  /** Data: the report, `--json` documents, dry-run content. */
  stdout: Output;
  /** Messages and progress. */
  stderr: Output;
  /** Whether to colour output, decided once from NO_COLOR / FORCE_COLOR / TTY. */
  color: boolean;
  /** Standard input; absent where there is none to read (`--answers -` is then refused). */
  stdin?: Input;
}

/** Messages wrap here at most, and narrower on a narrower terminal. */
export const MESSAGE_WIDTH = 80;

/** The width messages on `output` wrap at. */
export function widthOf(output: Output): number {
  const columns = output.isTTY ? output.columns : undefined;
  return columns !== undefined && columns >= 20 ? Math.min(columns, MESSAGE_WIDTH) : MESSAGE_WIDTH;
}

/** Colour rules: FORCE_COLOR wins (0 disables), then NO_COLOR, then whether stderr is a TTY. */
export function decideColor(env: Record<string, string | undefined>, isTTY: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTTY;
}

export function processContext(): CliContext {
  const env = process.env;
  return {
    cwd: process.cwd(),
    env,
    now: new Date(),
    // NOTE: stdout first: touching process.stdin builds a stream (and loads a dozen modules), which only a terminal session needs.
    interactive: Boolean(process.stdout.isTTY && process.stdin.isTTY) && env.CI !== 'true',
    stdout: process.stdout,
    stderr: process.stderr,
    color: decideColor(env, Boolean(process.stderr.isTTY)),
    get stdin() {
      return process.stdin;
    },
  };
}
