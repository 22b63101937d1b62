/**
 * Messages for people, on stderr: wrapped at word boundaries to the terminal
 * (80 columns at most), with a list item's continuation lines indented under
 * its text. Data on stdout is rendered by the core's own renderers.
 */
import { widthOf, type CliContext, type Output } from './context.js';
import { wrapText } from '../core/wrap.js';

export { wrapText };

/** Writes a message (one or more lines) to `output`, wrapped to its width, ending in a newline. */
export function writeMessage(output: Output, text: string): void {
  output.write(`${wrapText(text.replace(/\n$/, ''), widthOf(output))}\n`);
}

/** `say(context)` → a function that prints messages on the context's stderr. */
export const messenger = (context: CliContext) => (text: string) => writeMessage(context.stderr, text);

/** A command line as printed for the user to run: arguments with spaces or shell characters quoted. */
export function commandLine(args: readonly string[]): string {
  return args.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}
