/**
 * A unified diff (the `diff -u` format) between two texts, for showing a
 * conflict before anything is overwritten. Lines are matched with a longest
 * common subsequence after trimming the common head and tail, which keeps the
 * table small for the edits people make to generated files.
 */

type Edit = { kind: 'same' | 'del' | 'add'; line: string };

/** Above this many table cells the diff shows the changed middle as one replacement. */
const MAX_CELLS = 4_000_000;

// NOTE: a last line without its newline differs from the same text with one;
// the marker makes the comparison see that and is printed as diff's own note.
const NO_EOL = '\u0000';

function splitLines(text: string): string[] {
  if (text === '') return [];
  const finalNewline = text.endsWith('\n');
  const lines = (finalNewline ? text.slice(0, -1) : text).split('\n');
  if (!finalNewline) lines[lines.length - 1] += NO_EOL;
  return lines;
}

function editScript(a: string[], b: string[]): Edit[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  const edits: Edit[] = a.slice(0, head).map((line) => ({ kind: 'same', line }));
  const n = midA.length;
  const m = midB.length;
  if (n * m > MAX_CELLS) {
    for (const line of midA) edits.push({ kind: 'del', line });
    for (const line of midB) edits.push({ kind: 'add', line });
  } else {
    // lcs[i][j] = length of the LCS of midA[i..] and midB[j..]
    const width = m + 1;
    const lcs = new Uint32Array((n + 1) * width);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * width + j] = midA[i] === midB[j] ? lcs[(i + 1) * width + j + 1]! + 1 : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (midA[i] === midB[j]) {
        edits.push({ kind: 'same', line: midA[i]! });
        i++;
        j++;
      } else if (lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!) {
        edits.push({ kind: 'del', line: midA[i++]! });
      } else {
        edits.push({ kind: 'add', line: midB[j++]! });
      }
    }
    while (i < n) edits.push({ kind: 'del', line: midA[i++]! });
    while (j < m) edits.push({ kind: 'add', line: midB[j++]! });
  }
  for (const line of a.slice(a.length - tail)) edits.push({ kind: 'same', line });
  return edits;
}

const range = (start: number, count: number): string =>
  count === 1 ? `${start}` : `${count === 0 ? start - 1 : start},${count}`;

/**
 * The unified diff from `before` to `after`, with `context` lines around each
 * change; an empty string when they are equal.
 */
export function unifiedDiff(before: string, after: string, options: { fromName: string; toName: string; context?: number }): string {
  if (before === after) return '';
  const context = options.context ?? 3;
  const a = splitLines(before);
  const b = splitLines(after);
  const edits = editScript(a, b);
  // Positions (0-based) of each edit in a and b.
  const positions: { aIndex: number; bIndex: number }[] = [];
  let ai = 0;
  let bi = 0;
  for (const edit of edits) {
    positions.push({ aIndex: ai, bIndex: bi });
    if (edit.kind !== 'add') ai++;
    if (edit.kind !== 'del') bi++;
  }
  const changed = edits.map((edit, k) => (edit.kind === 'same' ? -1 : k)).filter((k) => k >= 0);
  const out = [`--- ${options.fromName}`, `+++ ${options.toName}`];
  let cursor = 0;
  while (cursor < changed.length) {
    const start = Math.max(0, changed[cursor]! - context);
    let end = changed[cursor]!;
    while (cursor + 1 < changed.length && changed[cursor + 1]! - end <= 2 * context) end = changed[++cursor]!;
    end = Math.min(edits.length - 1, end + context);
    cursor++;
    const slice = edits.slice(start, end + 1);
    const aStart = positions[start]!.aIndex;
    const bStart = positions[start]!.bIndex;
    const aCount = slice.filter((e) => e.kind !== 'add').length;
    const bCount = slice.filter((e) => e.kind !== 'del').length;
    out.push(`@@ -${range(aStart + 1, aCount)} +${range(bStart + 1, bCount)} @@`);
    slice.forEach((edit) => {
      const sign = edit.kind === 'same' ? ' ' : edit.kind === 'del' ? '-' : '+';
      if (edit.line.endsWith(NO_EOL)) out.push(`${sign}${edit.line.slice(0, -1)}`, '\\ No newline at end of file');
      else out.push(`${sign}${edit.line}`);
    });
  }
  return `${out.join('\n')}\n`;
}
