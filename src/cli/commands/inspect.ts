/**
 * `auth-decide inspect <token|key|->`: decodes a credential offline and lists
 * the risks visible without asking a server. The credential never leaves the
 * process and no secret part of it is printed back.
 *
 * Exit codes: 0 decoded (risks are findings), 1 with --strict when it shows
 * risks or errors, 2 when the input is not a credential inspect recognises.
 */
import type { CliContext } from '../context.js';
import { ExitError, UsageError } from '../../errors.js';
import { inspectCredential, renderInspection, type RecordedMethod } from '../../core/inspect/index.js';
import type { Client, MethodId } from '../../core/types.js';

export interface InspectOptions {
  context: CliContext;
  /** The credential, or `-` to read it from standard input. */
  credential: string;
  json?: boolean;
  strict?: boolean;
  adrDir?: string;
  /** Reads standard input; replaced in tests. */
  readStdin?: () => Promise<string>;
}

/** Far more than any real token; a bigger input is not a credential. */
const MAX_INPUT = 64 * 1024;

async function processStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.length > MAX_INPUT) break;
  }
  return text;
}

/** The variant a plan entry stands for; records written before variants existed name none. */
function variantOf(entry: { method: MethodId; clients: Client[]; variant?: unknown }): string {
  if (typeof entry.variant === 'string') return entry.variant;
  switch (entry.method) {
    case 'api-key':
      return 'application';
    case 'jwt':
      return 'login-endpoint';
    case 'oauth':
      return 'authorization-code';
    case 'session':
      return entry.clients.includes('browser') ? 'cookie' : 'token';
  }
}

/** The methods of the current record's plan, or null when there is no record to read. */
async function recordedMethods(options: InspectOptions): Promise<RecordedMethod[] | null> {
  const { context } = options;
  try {
    const { currentAuthRecord, readAuthRecords } = await import('../../shell/records.js');
    const current = currentAuthRecord(await readAuthRecords(context.cwd, options.adrDir));
    if (current === null) return null;
    return current.record.parsed.block.plan.map((entry) => ({ method: entry.method, variant: variantOf(entry) }));
  } catch (error) {
    // A folder named on purpose must exist; without one, a missing or damaged record only costs the record's defaults.
    if (options.adrDir !== undefined) throw error;
    context.stderr.write(`Warning: could not read the decision records (${error instanceof Error ? error.message : String(error)}); using the built-in defaults.\n`);
    return null;
  }
}

export async function runInspect(options: InspectOptions): Promise<void> {
  const { context } = options;
  let input = options.credential;
  if (input === '-') {
    input = await (options.readStdin ?? processStdin)();
    if (input.length > MAX_INPUT) {
      throw new UsageError(`The input on standard input is over ${MAX_INPUT / 1024} KB: that is not a credential.`, {
        hint: 'Pipe in one token or key, e.g. `pbpaste | auth-decide inspect -`.',
      });
    }
  }
  const recorded = await recordedMethods(options);
  const result = inspectCredential(input, { now: context.now, recorded });
  if (!result.ok) {
    throw new UsageError(result.message, { hint: 'Pass the credential itself, or - to read it from standard input.' });
  }
  const { inspection } = result;
  if (options.json) context.stdout.write(`${JSON.stringify(inspection, null, 2)}\n`);
  else context.stdout.write(renderInspection(inspection));
  const problems = inspection.findings.filter((finding) => finding.severity !== 'note').length;
  if (options.strict && problems > 0) {
    if (!options.json) context.stderr.write(`--strict: ${problems} ${problems === 1 ? 'problem' : 'problems'} found.\n`);
    throw new ExitError(1, 'inspect found risks');
  }
}
