/**
 * The machine-readable block of a record: built from a decision, written as
 * YAML, and read back with errors that point at the line to fix.
 */
import * as z from 'zod/mini';
import { Document, LineCounter, parseDocument, visit, type Node as YamlNode } from 'yaml';
import { describeIssues, parseAnswers, answersInputSchema } from '../schema.js';
import { CLIENTS, METHOD_IDS, SUBJECTS, TRIGGER_IDS, type Answers, type Decision, type MethodId } from '../types.js';
import type { RevisitQuestion } from '../knowledge.js';
import { RECORD_TOOL, RecordError, type RecordBlock, type RecordInput, type ReviewedState } from './model.js';

const REVISIT_QUESTION_IDS = [
  'identities',
  'incidents',
  'overcomplicated',
  'hardest-flows',
  'incremental-migration',
] as const satisfies readonly RevisitQuestion['id'][];

/** Whether a YYYY-MM-DD string names a real day (2027-02-31 does not). */
function isCalendarDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return true; // the format check reports it
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * Everything in the block except `answers`, which the answers contract
 * validates. Not strict: a newer auth-decide may add fields an older one ignores.
 * NOTE: kept next to the record code because only records use it; it follows
 * the conventions of src/core/schema.ts. Built on first use: `decide` writes
 * blocks but never reads one, and building zod schemas costs start-up time.
 */
function buildRecordBlockSchema() {
  const isoDate = z.string().check(
    z.regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date written as YYYY-MM-DD'),
    z.refine(isCalendarDate, { error: (issue) => `${JSON.stringify(issue.input)} is not a day of the calendar` }),
  );
  return z.object({
    tool: z.string(),
    version: z.string(),
    answers: z.unknown(),
    recommendation: z.enum(METHOD_IDS),
    scores: z.record(z.enum(METHOD_IDS), z.number()),
    plan: z
      .array(
        z.object({
          subjects: z.array(z.enum(SUBJECTS)).check(z.minLength(1)),
          clients: z.array(z.enum(CLIENTS)).check(z.minLength(1)),
          method: z.enum(METHOD_IDS),
        }),
      )
      .check(z.minLength(1)),
    reviewBy: isoDate,
    reviews: z._default(
      z.array(
        z.object({
          date: isoDate,
          reviewBy: isoDate,
          triggers: z.array(z.enum(TRIGGER_IDS)),
          outcome: z.literal('unchanged'),
          notes: z._default(z.partialRecord(z.enum(REVISIT_QUESTION_IDS), z.string()), {}),
          changes: z.optional(z.array(z.string())),
        }),
      ),
      [],
    ),
    supersedes: z.optional(z.int().check(z.positive())),
  });
}
let recordBlockSchema: ReturnType<typeof buildRecordBlockSchema> | undefined;

/** What the block stores of a decision: the answers behind it, every method's score, the plan. */
export function reviewedState(answers: Answers, decision: Decision): ReviewedState {
  const scores = Object.fromEntries(
    METHOD_IDS.map((method) => [method, decision.ranking.find((entry) => entry.method === method)?.score ?? 0]),
  ) as Record<MethodId, number>;
  return {
    answers,
    scores,
    plan: decision.plan.map((entry) => ({
      subjects: [...entry.subjects],
      clients: [...entry.clients],
      method: entry.method,
    })),
  };
}

/** The block a new record stores. Key order here is the order in the file. */
export function blockFromInput(input: RecordInput): RecordBlock {
  const state = reviewedState(input.answers, input.decision);
  const block: RecordBlock = {
    tool: RECORD_TOOL,
    version: input.toolVersion,
    recommendation: input.decision.recommendation,
    reviewBy: input.reviewBy,
    answers: state.answers,
    scores: state.scores,
    plan: state.plan,
    reviews: [],
  };
  if (input.supersedes !== undefined) block.supersedes = input.supersedes.number;
  return block;
}

/** One style for every YAML auth-decide writes: no folding, so a diff shows one changed line. */
export const YAML_OPTIONS = { lineWidth: 0, indent: 2 } as const;

/**
 * Stringifies a YAML document so it can sit inside an HTML comment: any
 * scalar holding `--` is double-quoted and the dashes escaped, because `-->`
 * (or `--!>`) would end the comment early.
 */
export function stringifyForComment(document: Document): string {
  visit(document, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && node.value.includes('--')) node.type = 'QUOTE_DOUBLE';
    },
  });
  // Keys are fixed identifiers, so every `--` left in the text sits inside a double-quoted scalar.
  return document.toString(YAML_OPTIONS).replaceAll('--', '-\\x2d');
}

export function newDocument(value: unknown): Document {
  return new Document(value, { version: '1.2' });
}

/** A parsed YAML text plus what is needed to turn offsets into file lines. */
export interface LocatedYaml {
  document: Document.Parsed;
  lineCounter: LineCounter;
  /** Lines in the file before the YAML text starts. */
  lineOffset: number;
}

/** Parses YAML, turning syntax errors into a RecordError at the right file line. */
export function parseLocatedYaml(text: string, lineOffset: number, fileName: string, what: string): LocatedYaml {
  const lineCounter = new LineCounter();
  // YAML 1.2 core schema: dates stay strings, as the record contract wants.
  const document = parseDocument(text, { lineCounter, version: '1.2', prettyErrors: true, uniqueKeys: true });
  const error = document.errors[0];
  if (error) {
    const line = error.linePos ? error.linePos[0].line + lineOffset : null;
    // yaml's message repeats the position (relative to the YAML text, not the file) and ends on a colon.
    const reason = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?\s*$/, '').replace(/:\s*$/, '');
    throw new RecordError({
      file: fileName,
      line,
      summary: `the ${what} is not valid YAML: ${reason}`,
    });
  }
  try {
    // Aliases expand when read; a record needs none, and thousands are a "billion laughs".
    document.toJS({ maxAliasCount: 100 });
  } catch {
    throw new RecordError({ file: fileName, line: lineOffset + 1, summary: `the ${what} expands YAML aliases (*name) too many times` });
  }
  return { document, lineCounter, lineOffset };
}

/** The file line of the deepest node that exists along `path`. */
function lineOf(located: LocatedYaml, path: readonly PropertyKey[]): number | null {
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node = located.document.getIn(path.slice(0, depth) as unknown[], true) as YamlNode | undefined;
    if (node && typeof node === 'object' && 'range' in node && node.range) {
      // Scalars under a key point at their value; report the value's line.
      return located.lineCounter.linePos(node.range[0]).line + located.lineOffset;
    }
  }
  return null;
}

/**
 * Validates the block found at `blockPath` in the YAML document. Throws a
 * RecordError naming the first bad field's line.
 */
export function readBlock(located: LocatedYaml, blockPath: readonly string[], fileName: string): RecordBlock {
  const raw = located.document.getIn(blockPath as string[], false) as unknown;
  const json = raw !== null && typeof raw === 'object' && 'toJSON' in raw ? (raw as { toJSON(): unknown }).toJSON() : raw;
  const blockLine = lineOf(located, blockPath);
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new RecordError({
      file: fileName,
      line: blockLine,
      summary: `the ${blockPath.join('.') || 'auth-decide'} block must be a mapping of fields, not ${JSON.stringify(json)}`,
    });
  }
  const result = (recordBlockSchema ??= buildRecordBlockSchema()).safeParse(json);
  if (!result.success) {
    const first = result.error.issues[0]!;
    throw new RecordError({
      file: fileName,
      line: lineOf(located, [...blockPath, ...first.path]),
      summary: 'the auth-decide block has invalid fields:',
      problems: describeIssues(json, result.error.issues).map((problem) => problem.message),
    });
  }
  const answers = parseAnswers(result.data.answers);
  if (!answers.ok) {
    const issue = answersInputSchema.safeParse(result.data.answers).error?.issues[0];
    throw new RecordError({
      file: fileName,
      line: lineOf(located, [...blockPath, 'answers', ...(issue?.path ?? [])]),
      summary: 'the answers stored in the auth-decide block do not match the answers contract:',
      problems: answers.problems.map((problem) => problem.message),
    });
  }
  const { supersedes, ...rest } = result.data;
  const block: RecordBlock = { ...rest, answers: answers.value, reviews: rest.reviews };
  if (supersedes !== undefined) block.supersedes = supersedes;
  return block;
}

