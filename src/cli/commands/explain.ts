/**
 * `auth-decide explain [method]`: what the knowledge base says about one
 * method, or the method × dimension matrix when no method is named.
 */
import { decideColor, type CliContext } from '../context.js';
import { UsageError } from '../../errors.js';
import { matrixDocument, methodDocument, renderMatrix, renderMethodProfile, styleFor } from '../../core/report.js';
import { METHOD_IDS, type MethodId } from '../../core/types.js';

export interface ExplainOptions {
  context: CliContext;
  method?: string | undefined;
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
  if (options.json) {
    const document = method === undefined ? matrixDocument() : methodDocument(method);
    context.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    return;
  }
  // Colour follows stdout here, since that is where the text goes.
  const style = styleFor(decideColor(context.env, Boolean(context.stdout.isTTY)));
  context.stdout.write(method === undefined ? renderMatrix(style) : renderMethodProfile(method, style));
}
