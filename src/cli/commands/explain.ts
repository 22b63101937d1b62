/**
 * `auth-decide explain [method]`: what the knowledge base says about one
 * method and its variants, or the method × dimension matrix when no method is
 * named. With `--answers`, the ratings, scores and exclusions as the engine
 * scores them for those answers (the same ranking entries `decide --json` prints).
 */
import { decideColor, type CliContext } from '../context.js';
import { UsageError } from '../../errors.js';
import { matrixDocument, methodDocument, renderMatrix, renderMethodProfile, styleFor, type ScoredContext } from '../../core/report.js';
import { METHOD_IDS, type MethodId } from '../../core/types.js';

export interface ExplainOptions {
  context: CliContext;
  method?: string | undefined;
  /** `--answers <file>` */
  answers?: string | undefined;
  json?: boolean;
}

const isMethodId = (value: string): value is MethodId => (METHOD_IDS as readonly string[]).includes(value);

export async function runExplain(options: ExplainOptions): Promise<void> {
  const { context, method } = options;
  if (method !== undefined && !isMethodId(method)) {
    throw new UsageError(`Unknown method "${method}"; allowed: ${METHOD_IDS.join(' | ')}.`, {
      hint: 'Run `auth-decide explain` without a method to see all four side by side.',
    });
  }
  let scored: ScoredContext | undefined;
  if (options.answers !== undefined) {
    const [{ readAnswersFile }, { decide }] = await Promise.all([import('../../shell/answers-file.js'), import('../../core/engine.js')]);
    scored = { decision: decide(await readAnswersFile(options.answers, context.cwd)) };
  }
  if (options.json) {
    const document = method === undefined ? matrixDocument(scored) : methodDocument(method, scored);
    context.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    return;
  }
  // Colour follows stdout here, since that is where the text goes.
  const style = styleFor(decideColor(context.env, Boolean(context.stdout.isTTY)));
  context.stdout.write(method === undefined ? renderMatrix(style, scored) : renderMethodProfile(method, style, undefined, scored));
}
