/**
 * The machine-readable block of a record: built from a decision, written as
 * YAML, and read back with errors that point at the line to fix.
 */
import * as z from 'zod/mini';
import { Document, LineCounter, parseDocument, visit, type Node as YamlNode } from 'yaml';
import { describeIssues, parseAnswers, answersInputSchema } from '../schema.js';
import {
  BOUNDARY_IDS,
  CLIENTS,
  METHOD_IDS,
  SUBJECTS,
  TOKEN_FORMATS,
  TRIGGER_IDS,
  VARIANTS,
  type Answers,
  type BoundaryId,
  type Client,
  type Decision,
  type MethodId,
  type Subject,
  type TokenFormat,
  type Variant,
} from '../types.js';
import type { RevisitQuestion } from '../knowledge.js';
import { QUESTION_ORDER } from '../questions.js';
import { RECORD_TOOL, RecordError, type RecordBlock, type RecordInput, type RecordPlanEntry, type ReviewedState } from './model.js';
import type { YamlPath } from './yaml-writer.js';

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
          // Optional: records written by auth-decide 0.1.0 have no ids, variants or token formats.
          id: z.optional(z.enum(BOUNDARY_IDS)),
          subjects: z.array(z.enum(SUBJECTS)).check(z.minLength(1)),
          clients: z.array(z.enum(CLIENTS)).check(z.minLength(1)),
          method: z.enum(METHOD_IDS),
          variant: z.optional(z.string()),
          tokenFormat: z.optional(z.nullable(z.enum(TOKEN_FORMATS))),
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
  // Questionnaire order, whatever order the answers object was built in: the same answers always read the same.
  const ordered = Object.fromEntries(
    QUESTION_ORDER.filter((key) => answers[key] !== undefined).map((key) => [key, answers[key]]),
  ) as unknown as Answers;
  return {
    answers: ordered,
    scores,
    plan: decision.plan.map((entry) => ({
      id: entry.id,
      subjects: [...entry.subjects],
      clients: [...entry.clients],
      method: entry.method,
      variant: entry.variant,
      tokenFormat: entry.tokenFormat,
    })),
  };
}

/**
 * What the block writes on one line: the answers, the scores, each plan entry
 * and short lists of ids. It keeps the front matter of a record short (the
 * Decision Drivers say the same in words); review entries stay one value per
 * line.
 */
export function blockFlow(path: YamlPath, value: unknown): boolean {
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  if (Array.isArray(value)) return value.every((item) => typeof item === 'string' && /^[a-z][a-z0-9-]*$/.test(item));
  return last === 'scores' || last === 'answers' || (parent === 'plan' && typeof last === 'number');
}

const DERIVED_ID_ORDER: readonly BoundaryId[] = ['third-party-apps', 'browser-app', 'native-apps', 'cli-users', 'people', 'partners', 'services'];

/** The boundary ids an entry's callers suggest, best first. */
function idCandidates(subjects: readonly Subject[], clients: readonly Client[]): BoundaryId[] {
  const candidates: BoundaryId[] = [];
  const people = subjects.includes('end-user');
  if (subjects.includes('third-party-app')) candidates.push('third-party-apps');
  if (people && clients.includes('browser')) candidates.push('browser-app');
  if (people && clients.includes('mobile')) candidates.push('native-apps');
  if (people && clients.includes('cli')) candidates.push('cli-users');
  if (people) candidates.push('people');
  if (subjects.includes('backend-integration') && !subjects.includes('internal-service')) candidates.push('partners');
  if (subjects.includes('internal-service') || subjects.includes('backend-integration')) candidates.push('services');
  return [...candidates, ...DERIVED_ID_ORDER.filter((id) => !candidates.includes(id))];
}

/**
 * Fills in what a 0.1.0 record's plan entry lacks: the variant that version's
 * method stood for (sessions were cookies unless no browser called; JWTs came
 * from the API's own login; OAuth meant the code flow with JWT access tokens),
 * and an id from the entry's callers, unique in the plan.
 */
export function derivePlanEntries(
  entries: readonly { id?: BoundaryId | undefined; subjects: Subject[]; clients: Client[]; method: MethodId; variant?: string | undefined; tokenFormat?: TokenFormat | null | undefined }[],
): RecordPlanEntry[] {
  const taken = new Set<BoundaryId>(entries.flatMap((entry) => (entry.id === undefined ? [] : [entry.id])));
  return entries.map((entry) => {
    const variant = (entry.variant ??
      { 'api-key': 'application', session: entry.clients.includes('browser') ? 'cookie' : 'token', jwt: 'login-endpoint', oauth: 'authorization-code' }[
        entry.method
      ]) as Variant;
    let id = entry.id;
    if (id === undefined) {
      id = entries.length === 1 ? 'api' : idCandidates(entry.subjects, entry.clients).find((candidate) => !taken.has(candidate))!;
      taken.add(id);
    }
    const tokenFormat = entry.tokenFormat !== undefined ? entry.tokenFormat : entry.method === 'oauth' ? 'jwt' : null;
    return { id, subjects: [...entry.subjects], clients: [...entry.clients], method: entry.method, variant, tokenFormat };
  });
}

/** Problems with the plan's ids, variants and token formats, each with its path in the block. */
function planProblems(plan: readonly RecordPlanEntry[]): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const seen = new Set<string>();
  plan.forEach((entry, index) => {
    const allowed = VARIANTS[entry.method] as readonly string[];
    if (!allowed.includes(entry.variant)) {
      problems.push({ path: ['plan', index, 'variant'], message: `plan[${index}].variant is ${JSON.stringify(entry.variant)}; allowed for ${entry.method}: ${allowed.join(' | ')}` });
    }
    if (entry.method === 'oauth' && entry.tokenFormat === null) {
      problems.push({ path: ['plan', index, 'tokenFormat'], message: `plan[${index}].tokenFormat is null; an oauth boundary needs one of: ${TOKEN_FORMATS.join(' | ')}` });
    }
    if (entry.method !== 'oauth' && entry.tokenFormat !== null) {
      problems.push({ path: ['plan', index, 'tokenFormat'], message: `plan[${index}].tokenFormat is ${JSON.stringify(entry.tokenFormat)}; only oauth boundaries have one, write null` });
    }
    if (seen.has(entry.id)) problems.push({ path: ['plan', index, 'id'], message: `plan[${index}].id "${entry.id}" is used by another boundary too; ids must be unique` });
    seen.add(entry.id);
  });
  return problems;
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
export const YAML_OPTIONS = { lineWidth: 0, indent: 2, flowCollectionPadding: false } as const;

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
  const plan = derivePlanEntries(result.data.plan);
  const problems = planProblems(plan);
  if (problems.length > 0) {
    throw new RecordError({
      file: fileName,
      line: lineOf(located, [...blockPath, ...problems[0]!.path]),
      summary: 'the plan in the auth-decide block is not consistent:',
      problems: problems.map((problem) => problem.message),
    });
  }
  const { supersedes, ...rest } = result.data;
  const block: RecordBlock = { ...rest, plan, answers: answers.value, reviews: rest.reviews };
  if (supersedes !== undefined) block.supersedes = supersedes;
  return block;
}

