/**
 * Reads an answers file (`--answers <file>`): JSON or YAML, chosen by the
 * extension, else sniffed from the first character. Every failure is a
 * UsageError naming the file, and where possible the field, the bad value,
 * the allowed values, or the line and column of a syntax error.
 */
import { readFileSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { UsageError } from '../errors.js';
import { parseAnswers, parseAnswersPatch, type AnswersPatch, type InputProblem } from '../core/schema.js';
import type { Answers } from '../core/types.js';

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

/** Parses the text of an answers file; syntax errors become UsageErrors with line and column. */
export async function parseAnswersText(label: string, text: string, format: AnswersFormat): Promise<unknown> {
  if (format === 'json') {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      const { offset, reason } = locateJsonError(text);
      const { line, column } = lineAndColumn(text, offset);
      throw new UsageError(`Answers file ${label} is not valid JSON: ${reason} (line ${line}, column ${column}).`, { hint: HINT });
    }
  }
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const [error] = document.errors;
  if (error) {
    const reason = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    const position = error.linePos?.[0];
    const where = position ? ` (line ${position.line}, column ${position.col})` : '';
    throw new UsageError(`Answers file ${label} is not valid YAML: ${reason}${where}.`, { hint: HINT });
  }
  const value = document.toJS() as unknown;
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

/** Reads a file's text, turning "missing", "a directory" and "empty" into clear UsageErrors. */
async function readAnswersText(file: string, cwd: string): Promise<{ label: string; text: string }> {
  const label = JSON.stringify(file);
  const path = resolve(cwd, file);
  let text: string;
  try {
    const info = statSync(path);
    if (info.isDirectory()) throw new UsageError(`Answers file ${label} is a directory; give the path of a JSON or YAML file.`);
    if (!info.isFile()) throw new UsageError(`Answers file ${label} is not a regular file; give the path of a JSON or YAML file.`);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`Answers file ${label} does not exist.`, { hint: `Looked for it at ${path}.` });
    if (code === 'EACCES') throw new UsageError(`Answers file ${label} cannot be read: permission denied.`);
    throw new UsageError(`Answers file ${label} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  if (text.trim() === '') throw emptyFile(label);
  return { label, text: text.replace(/^\uFEFF/, '') };
}

async function readAnswersDocument(file: string, cwd: string): Promise<{ label: string; document: unknown }> {
  const { label, text } = await readAnswersText(file, cwd);
  return { label, document: await parseAnswersText(label, text, answersFormat(file, text)) };
}

/** Reads and validates a complete answers file, applying the documented defaults. */
export async function readAnswersFile(file: string, cwd: string): Promise<Answers> {
  const { label, document } = await readAnswersDocument(file, cwd);
  const result = parseAnswers(document);
  if (!result.ok) throw problemsError(label, result.problems);
  return result.value;
}

/** Reads and validates a partial answers file (only the answers that changed). */
export async function readAnswersPatchFile(file: string, cwd: string): Promise<AnswersPatch> {
  const { label, document } = await readAnswersDocument(file, cwd);
  const result = parseAnswersPatch(document);
  if (!result.ok) throw problemsError(label, result.problems);
  return result.value;
}
