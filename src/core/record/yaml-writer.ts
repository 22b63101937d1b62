/**
 * Writes the YAML of a new record's block: block style, two-space indents,
 * one value per line, except the parts a `flow` rule puts on one line (short
 * lists, small mappings), in the same layout the `yaml` package gives with
 * YAML_OPTIONS, so a record that `revisit` later edits through `yaml` keeps
 * its shape and its diff stays small.
 *
 * Why not `yaml` itself: `decide` writes one small block of known shape, and
 * building a `yaml` Document for it costs more start-up time than everything
 * else in the record together. Reading records still goes through `yaml`.
 * test/core/record.yaml-writer.test.ts holds this writer to `yaml`'s output
 * and round-trips arbitrary text through `yaml`'s parser.
 */
import { InternalError } from '../../errors.js';

/** Where a value sits: the keys and list indexes that lead to it. */
export type YamlPath = readonly (string | number)[];

export interface YamlWriteOptions {
  /**
   * The YAML goes inside an HTML comment: text holding `--` is double-quoted
   * with the dashes escaped, since `-->` (or `--!>`) would end the comment early.
   */
  inComment?: boolean;
  /** Lists and mappings to write on one line (`[a, b]`, `{k: v}`); everything inside them follows. */
  flow?: (path: YamlPath, value: unknown) => boolean;
}

/** Text that is safe unquoted inside `[…]` or `{…}` as well: no flow indicators. */
const FLOW_UNSAFE = /[,[\]{}]/;

/** Words some YAML readers (1.1 ones included) take for booleans or null. */
const RESERVED_WORDS = /^(?:true|false|null|~|yes|no|on|off|y|n)$/i;
/** Text a YAML reader may take for a number. */
const NUMBER_LIKE = /^[-+]?(?:\.(?:inf|nan)|0[xob][\da-f_]+|(?:\d[\d_]*)?(?:\.\d*)?(?:e[-+]?\d+)?)$/i;
/** Plain (unquoted) text this writer allows: starts with a letter or digit, then no YAML indicators. */
const PLAIN_TEXT = /^[A-Za-z0-9][A-Za-z0-9 ._/+@(),'-]*$/;
/** Characters YAML does not allow raw in a quoted scalar, plus separators some readers treat as line breaks. */
const NEEDS_ESCAPE = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g;
const KEY = /^[A-Za-z][A-Za-z0-9_-]*$/;

const escapeChar = (char: string): string => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

function isPlain(text: string, options: YamlWriteOptions): boolean {
  return (
    PLAIN_TEXT.test(text) &&
    !text.endsWith(' ') &&
    !RESERVED_WORDS.test(text) &&
    !NUMBER_LIKE.test(text) &&
    !(options.inComment && text.includes('--'))
  );
}

function scalar(value: unknown, options: YamlWriteOptions, inFlow = false): string {
  if (typeof value === 'string') {
    if (isPlain(value, options) && !(inFlow && FLOW_UNSAFE.test(value))) return value;
    // A JSON string is a valid YAML double-quoted scalar once the characters YAML forbids raw are escaped.
    const quoted = JSON.stringify(value).replace(NEEDS_ESCAPE, escapeChar);
    return options.inComment ? quoted.replaceAll('--', '-\\x2d') : quoted;
  }
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (value === null) return 'null';
  throw new InternalError(`the record block holds a value YAML cannot carry: ${String(value)}`);
}

const isMapping = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function key(name: string): string {
  if (!KEY.test(name)) throw new InternalError(`the record block has a key that is not a plain identifier: ${JSON.stringify(name)}`);
  return name;
}

/** A list or mapping on one line, as the `yaml` package writes flow collections without padding. */
function flowText(value: unknown, options: YamlWriteOptions): string {
  if (Array.isArray(value)) return `[${value.map((item) => flowText(item, options)).join(', ')}]`;
  if (isMapping(value)) {
    const pairs = Object.entries(value).filter(([, item]) => item !== undefined);
    return `{${pairs.map(([name, item]) => `${key(name)}: ${flowText(item, options)}`).join(', ')}}`;
  }
  return scalar(value, options, true);
}

const isCollection = (value: unknown) => Array.isArray(value) || isMapping(value);

/** `key: value` lines of a mapping; `first` replaces the indentation of the first line (after `- `). */
function mappingLines(mapping: Record<string, unknown>, indent: number, options: YamlWriteOptions, out: string[], first?: string, path: YamlPath = []): void {
  let pad = first ?? ' '.repeat(indent);
  for (const [name, value] of Object.entries(mapping)) {
    if (value === undefined) continue;
    const head = `${pad}${key(name)}:`;
    pad = ' '.repeat(indent);
    const here = [...path, name];
    if (isCollection(value) && options.flow?.(here, value)) {
      out.push(`${head} ${flowText(value, options)}`);
    } else if (Array.isArray(value)) {
      if (value.length === 0) out.push(`${head} []`);
      else {
        out.push(head);
        sequenceLines(value, indent + 2, options, out, here);
      }
    } else if (isMapping(value)) {
      if (Object.values(value).every((item) => item === undefined)) out.push(`${head} {}`);
      else {
        out.push(head);
        mappingLines(value, indent + 2, options, out, undefined, here);
      }
    } else {
      out.push(`${head} ${scalar(value, options)}`);
    }
  }
}

function sequenceLines(items: readonly unknown[], indent: number, options: YamlWriteOptions, out: string[], path: YamlPath): void {
  const pad = ' '.repeat(indent);
  for (const [index, item] of items.entries()) {
    if (isCollection(item) && options.flow?.([...path, index], item)) {
      out.push(`${pad}- ${flowText(item, options)}`);
    } else if (isMapping(item) && Object.values(item).some((value) => value !== undefined)) {
      mappingLines(item, indent + 2, options, out, `${pad}- `, [...path, index]);
    } else if (Array.isArray(item) || isMapping(item)) {
      throw new InternalError('the record block holds a list or empty mapping directly inside a list');
    } else {
      out.push(`${pad}- ${scalar(item, options)}`);
    }
  }
}

/** The mapping as block YAML text, ending with a line break. */
export function writeYaml(mapping: Record<string, unknown>, options: YamlWriteOptions = {}): string {
  const out: string[] = [];
  mappingLines(mapping, 0, options, out);
  return `${out.join('\n')}\n`;
}
