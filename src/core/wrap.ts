/**
 * Word wrap for text shown in a terminal: messages, prompt hints. Pure, so
 * the command-line layer and the prompts share one rule.
 */

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** Length as a terminal shows it: colour codes take no room. */
export const visibleLength = (text: string): number => text.replace(ANSI, '').length;

/** Words of a line, with a `code span` kept whole so a command is never split. */
function words(text: string): string[] {
  const result: string[] = [];
  let open: string | null = null;
  for (const word of text.split(/ +/).filter(Boolean)) {
    if (open !== null) {
      open += ` ${word}`;
      if ((word.match(/`/g)?.length ?? 0) % 2 === 1) {
        result.push(open);
        open = null;
      }
    } else if ((word.match(/`/g)?.length ?? 0) % 2 === 1) open = word;
    else result.push(word);
  }
  if (open !== null) result.push(open);
  return result;
}

/**
 * Greedy word wrap of every line of `text` to `width` columns. A line keeps
 * its indentation; a list item (`- `, `* `, `1. `) continues under its text.
 * Never split: a `code span`, a word too long for any line (a path), and a
 * line that is a command to run (it starts with `auth-decide `), so what is
 * printed can be copied and run.
 */
export function wrapText(text: string, width: number): string {
  return text
    .split('\n')
    .map((line) => {
      if (visibleLength(line) <= width || /^\s*auth-decide\s/.test(line)) return line;
      const first = /^(\s*)((?:[-*]|\d+\.)\s+)?/.exec(line)![0];
      const rest = ' '.repeat(first.length);
      const lines: string[] = [];
      let current = first;
      let empty = true;
      for (const word of words(line.slice(first.length))) {
        // Breaking before a word too long for any line gains nothing.
        const fitsAlone = visibleLength(rest) + visibleLength(word) <= width;
        if (!empty && fitsAlone && visibleLength(current) + 1 + visibleLength(word) > width) {
          lines.push(current);
          current = rest + word;
        } else {
          current += (empty ? '' : ' ') + word;
        }
        empty = false;
      }
      lines.push(current);
      return lines.join('\n');
    })
    .join('\n');
}
