/**
 * What the command line of either OAuth mode (`cli.ts`, `npm run auth:oauth`)
 * shares: its usage errors, the checks on --subject and --scope, --help and
 * --json, and the exit codes: 0 done, 2 bad usage or configuration, 1 anything
 * else.
 */
export class UsageError extends Error {}

const SCOPE_PATTERN = /^[a-z][a-z0-9:._-]*$/;
const SUBJECT_PATTERN = /^[A-Za-z0-9._@-]{1,128}$/;

/** The --scope values, each a lowercase scope name. */
export function checkedScopes(scopes: string[] | undefined): string[] {
  for (const scope of scopes ?? []) if (!SCOPE_PATTERN.test(scope)) throw new UsageError(`"${scope}" is not a scope (lowercase word).`);
  return scopes ?? [];
}

/** The --subject value, which commands that act for a person require. */
export function checkedSubject(subject: string | undefined): string {
  if (!subject || !SUBJECT_PATTERN.test(subject)) throw new UsageError('--subject <id> is required (letters, digits, . _ @ -).');
  return subject;
}

/** Prints the usage for --help (true: nothing more to do); no command at all is a usage error. */
export function showedUsage(usage: string, help: boolean | undefined, command: string | undefined): boolean {
  if (!help && command !== undefined) return false;
  console.error(usage);
  if (!help) throw new UsageError('Name a command.');
  return true;
}

/** Prints `json` as one line of JSON with --json, else `text`. */
export const printerFor =
  (asJson: boolean | undefined) =>
  (json: unknown, text: string): void =>
    console.log(asJson ? JSON.stringify(json) : text);

/** Runs a command and sets the exit code; errors of `usageErrors` kinds (and bad arguments) exit 2. */
export async function runCommandLine(run: () => Promise<void>, usageErrors: readonly (new (...args: never[]) => Error)[] = []): Promise<void> {
  try {
    await run();
  } catch (error) {
    const usage =
      error instanceof UsageError ||
      usageErrors.some((kind) => error instanceof kind) ||
      (error as { code?: string } | null)?.code?.startsWith('ERR_PARSE_ARGS') === true;
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = usage ? 2 : 1;
  }
}
