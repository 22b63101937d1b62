/**
 * Reads an answers file (`--answers <file>`, or `-` for standard input): JSON
 * or YAML, chosen by the extension, else sniffed from the first character.
 * Every failure is a UsageError naming the file, and where possible the
 * field, the bad value, the allowed values, or the line and column of a
 * syntax error. Inputs are bounded: size, YAML aliases, binary content.
 */
import { extname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { UsageError } from '../errors.js';
import { parseAnswers, parseAnswersPatch, type AnswersPatch, type InputProblem } from '../core/schema.js';
import type { Answers } from '../core/types.js';
import { readTextFile, readTextStream } from './files.js';

/** Where `--answers -` reads from. */
export type StandardInput = AsyncIterable<Buffer | string> & { readonly isTTY?: boolean };

/** An answers file is a dozen lines; a megabyte is a mistake or an attack. */
export const MAX_ANSWERS_BYTES = 1024 * 1024;
/** YAML aliases expand on load; a few are fine, thousands are a "billion laughs". */
const MAX_YAML_ALIASES = 50;

/** The names that mean standard input. */
const STDIN_NAMES = new Set(['-', '/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']);
export const isStandardInput = (file: string): boolean => STDIN_NAMES.has(file);

export type AnswersFormat = 'json' | 'yaml';

const HINT = 'The answers contract is described in the README (section "The answers file").';

/** JSON when the extension says so or the text starts like a JSON object or list; YAML otherwise. */
export function answersFormat(fileName: string, text: string): AnswersFormat {
  const extension = extname(fileName).toLowerCase();
  if (extension === '.json') return 'json';
  if (extension === '.yaml' || extension === '.yml') return 'yaml';
  return /^\s*[[{]/.test(text) ? 'json' : 'yaml';
}

/** Line and column (both from 1) of an offset into `text`. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/**
 * Finds where JSON text first goes wrong. NOTE: JSON.parse's own messages
 * differ between Node versions and some carry no position, so this small
 * scanner gives every Node the same line, column and reason. It is only run
 * on text JSON.parse already rejected.
 */
export function locateJsonError(text: string): { offset: number; reason: string } {
  let at = 0;
  const fail = (reason: string): never => {
    throw { offset: at, reason };
  };
  const space = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at]!)) at++;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, at)) at += word.length;
    else fail('expected a value');
  };
  const string = () => {
    at++;
    while (at < text.length && text[at] !== '"') {
      const char = text[at]!;
      if (char < ' ') fail('line break or control character inside a string');
      if (char === '\\') {
        at++;
        if (text[at] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 1, at + 5))) fail('bad \\u escape in a string');
          at += 4;
        } else if (!'"\\/bfnrt'.includes(text[at] ?? 'x')) fail('bad escape in a string');
      }
      at++;
    }
    if (at >= text.length) fail('unterminated string');
    at++;
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at));
    if (!match) fail('expected a value');
    at += match![0].length;
  };
  const value = (): void => {
    space();
    const char = text[at];
    if (char === undefined) fail('unexpected end of file, expected a value');
    else if (char === '{') members('}', () => {
      space();
      if (text[at] !== '"') fail('expected a field name in double quotes');
      string();
      space();
      if (text[at] !== ':') fail("expected ':' after the field name");
      at++;
      value();
    });
    else if (char === '[') members(']', value);
    else if (char === '"') string();
    else if (char === 't') literal('true');
    else if (char === 'f') literal('false');
    else if (char === 'n') literal('null');
    else number();
  };
  const members = (close: string, member: () => void) => {
    at++;
    space();
    if (text[at] === close) {
      at++;
      return;
    }
    for (;;) {
      member();
      space();
      if (text[at] === ',') {
        const comma = at;
        at++;
        space();
        if (text[at] === close) {
          at = comma;
          fail(`trailing comma before '${close}'`);
        }
        continue;
      }
      if (text[at] === close) {
        at++;
        return;
      }
      fail(text[at] === undefined ? `unexpected end of file, expected ',' or '${close}'` : `expected ',' or '${close}'`);
    }
  };
  try {
    value();
    space();
    if (at < text.length) fail('unexpected text after the end of the document');
  } catch (problem) {
    if (typeof problem === 'object' && problem !== null && 'reason' in problem) return problem as { offset: number; reason: string };
    throw problem;
  }
  return { offset: 0, reason: 'not valid JSON' };
}

/**
 * The first field name that appears twice in one object of valid JSON, with
 * where both are. JSON.parse keeps the last silently; YAML refuses
 * duplicates, and so do we.
 */
export function duplicateJsonKey(text: string): { key: string; first: number; second: number } | null {
  const open: ({ keys: Map<string, number>; expectKey: boolean } | null)[] = [];
  for (let at = 0; at < text.length; at += 1) {
    const char = text[at]!;
    const frame = open.at(-1);
    if (char === '"') {
      const start = at;
      for (at += 1; text[at] !== '"'; at += text[at] === '\\' ? 2 : 1);
      if (frame?.expectKey) {
        const key = JSON.parse(text.slice(start, at + 1)) as string;
        const first = frame.keys.get(key);
        if (first !== undefined) return { key, first, second: start };
        frame.keys.set(key, start);
        frame.expectKey = false;
      }
    } else if (char === '{') open.push({ keys: new Map(), expectKey: true });
    else if (char === '[') open.push(null);
    else if (char === '}' || char === ']') open.pop();
    else if (char === ',' && frame) frame.expectKey = true;
  }
  return null;
}

/** Nesting deeper than any answers file needs; deeper input is refused before it can exhaust the stack. */
const MAX_NESTING = 64;

/** How deep brackets nest, outside strings (a cheap bound before parsing). */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let at = 0; at < text.length; at += 1) {
    const char = text[at]!;
    if (inString) {
      if (char === '\\') at += 1;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{' || char === '[') deepest = Math.max(deepest, (depth += 1));
    else if (char === '}' || char === ']') depth -= 1;
  }
  return deepest;
}

/** Parses the text of an answers file; syntax errors become UsageErrors with line and column. */
export async function parseAnswersText(label: string, text: string, format: AnswersFormat): Promise<unknown> {
  if (nestingDepth(text) > MAX_NESTING) {
    throw new UsageError(`Answers file ${label} nests lists or objects more than ${MAX_NESTING} levels deep; answers are one flat object.`, { hint: HINT });
  }
  if (format === 'json') {
    let value: unknown;
    try {
      value = JSON.parse(text) as unknown;
    } catch {
      const { offset, reason } = locateJsonError(text);
      const { line, column } = lineAndColumn(text, offset);
      throw new UsageError(`Answers file ${label} is not valid JSON: ${reason} (line ${line}, column ${column}).`, { hint: HINT });
    }
    const duplicate = duplicateJsonKey(text);
    if (duplicate) {
      const first = lineAndColumn(text, duplicate.first);
      const second = lineAndColumn(text, duplicate.second);
      const where =
        first.line === second.line ? `line ${first.line}, columns ${first.column} and ${second.column}` : `lines ${first.line} and ${second.line}`;
      throw new UsageError(
        `Answers file ${label}: field "${duplicate.key}" appears twice (${where}); keep only the one you mean.`,
        { hint: HINT },
      );
    }
    return value;
  }
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const [error] = document.errors;
  if (error) {
    const reason = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    const position = error.linePos?.[0];
    const where = position ? ` (line ${position.line}, column ${position.col})` : '';
    throw new UsageError(`Answers file ${label} is not valid YAML: ${reason}${where}.`, { hint: HINT });
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: MAX_YAML_ALIASES }) as unknown;
  } catch (problem) {
    // yaml refuses to expand aliases past the limit (a "billion laughs" file).
    if (problem instanceof ReferenceError || /alias/i.test(String(problem))) {
      throw new UsageError(`Answers file ${label} expands YAML aliases (*name) too many times; write the answers out without aliases.`, {
        hint: HINT,
      });
    }
    throw problem;
  }
  // A file of comments only holds no answers; say so rather than "not a mapping".
  if (value === null || value === undefined) throw emptyFile(label);
  return value;
}

const emptyFile = (label: string) =>
  new UsageError(`Answers file ${label} is empty; it must hold the answers as JSON or YAML.`, { hint: HINT });

function problemsError(label: string, problems: readonly InputProblem[]): UsageError {
  const message =
    problems.length === 1
      ? `Answers file ${label}: ${problems[0]!.message}.`
      : `Answers file ${label} has ${problems.length} problems:\n${problems.map((problem) => `  - ${problem.message}`).join('\n')}`;
  return new UsageError(message, { hint: HINT });
}

/**
 * Reads the answers text from a file or from standard input (`-`,
 * /dev/stdin), bounded and checked to be text; "missing", "a folder",
 * "a device" and "empty" become clear UsageErrors.
 */
async function readAnswersText(file: string, cwd: string, stdin: StandardInput | undefined): Promise<{ label: string; text: string }> {
  if (file === '') throw new UsageError('--answers is empty.', { hint: 'Give the path of a JSON or YAML file, or - to read standard input.' });
  let label = JSON.stringify(file);
  let text: string;
  if (isStandardInput(file)) {
    label = 'from standard input';
    if (stdin === undefined) throw new UsageError('Standard input cannot be read here.', { hint: 'Pass the answers as a file instead.' });
    text = await readTextStream(stdin, 'the answers on standard input', { maxBytes: MAX_ANSWERS_BYTES });
  } else {
    const path = resolve(cwd, file);
    const read = readTextFile({ path, what: 'answers file', cwd, label, hint: HINT }, { maxBytes: MAX_ANSWERS_BYTES });
    if (read.kind === 'missing') throw new UsageError(`Answers file ${label} does not exist.`, { hint: `Looked for it at ${path}.` });
    text = read.text;
  }
  if (text.trim() === '') throw emptyFile(label);
  return { label, text };
}

async function readAnswersDocument(file: string, cwd: string, stdin: StandardInput | undefined): Promise<{ label: string; document: unknown }> {
  const { label, text } = await readAnswersText(file, cwd, stdin);
  return { label, document: await parseAnswersText(label, text, answersFormat(isStandardInput(file) ? '' : file, text)) };
}

/** Reads and validates a complete answers file, applying the documented defaults. */
export async function readAnswersFile(file: string, cwd: string, stdin?: StandardInput): Promise<Answers> {
  const { label, document } = await readAnswersDocument(file, cwd, stdin);
  const result = parseAnswers(document);
  if (!result.ok) throw problemsError(label, result.problems);
  return result.value;
}

/** Reads and validates a partial answers file (only the answers that changed). */
export async function readAnswersPatchFile(file: string, cwd: string, stdin?: StandardInput): Promise<AnswersPatch> {
  const { label, document } = await readAnswersDocument(file, cwd, stdin);
  const result = parseAnswersPatch(document);
  if (!result.ok) throw problemsError(label, result.problems);
  return result.value;
}
