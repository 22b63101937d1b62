/**
 * The answers contract in zod, and how input problems are phrased: every
 * error names the field path, the bad value and what is allowed. The
 * scaffolding schemas live in scaffold/schema.ts (only `scaffold` and `check`
 * load them) and the record block's in record/block.ts.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import {
  ARCHITECTURES,
  AUDIT_NEEDS,
  CLIENTS,
  EXPOSURES,
  GRANULARITIES,
  IDENTITY_PROVIDERS,
  OPS_CAPACITIES,
  REVOCATION_NEEDS,
  STACKS,
  SUBJECTS,
  type Answers,
} from './types.js';

// NOTE: zod/mini (chosen for start-up time) loads no messages by itself; the issues
// not phrased by describeIssues keep zod's English ones.
z.config(en());

const nonEmptySet = <T extends readonly [string, ...string[]]>(values: T) =>
  z.pipe(
    z.array(z.enum(values)).check(z.minLength(1)),
    // Canonical order and no repeats, so the same choice always serialises the same way.
    z.transform((list: T[number][]) => values.filter((v) => list.includes(v)) as T[number][]),
  );

/** A zod type name in words: "a list", not "array". */
function expectedInWords(expected: string): string {
  const words: Record<string, string> = { array: 'a list', object: 'an object', record: 'an object', string: 'text', number: 'a number', int: 'a whole number', boolean: 'true or false' };
  return words[expected] ?? expected;
}

/**
 * What to say when a yes/no field holds text: a quoted "true" needs its quotes
 * removed; YAML 1.1 words such as yes, no, on, off are plain text in YAML 1.2
 * and JSON, so they must be replaced.
 */
function booleanAdvice(value: string): string {
  const word = value.trim().toLowerCase();
  if (word === 'true' || word === 'false') return ', written without quotes';
  if (['yes', 'no', 'y', 'n', 'on', 'off'].includes(word)) return ` (write true or false: ${value.trim()} is text, not a yes/no value, in YAML 1.2 and JSON)`;
  return '';
}

/** Answers as written by a person or a tool: context fields are optional. */
export const answersInputSchema = z.strictObject({
  subjects: nonEmptySet(SUBJECTS),
  clients: nonEmptySet(CLIENTS),
  delegatedAccess: z.boolean(),
  revocation: z.enum(REVOCATION_NEEDS),
  opsCapacity: z.enum(OPS_CAPACITIES),
  architecture: z.optional(z.enum(ARCHITECTURES)),
  identityProvider: z.optional(z.enum(IDENTITY_PROVIDERS)),
  exposure: z.optional(z.enum(EXPOSURES)),
  granularity: z.optional(z.enum(GRANULARITIES)),
  audit: z.optional(z.enum(AUDIT_NEEDS)),
  sameSiteFrontend: z.optional(z.boolean()),
  stack: z.optional(z.enum(STACKS)),
});
export type AnswersInput = z.input<typeof answersInputSchema>;

/** Partial answers, e.g. `revisit --answers` with only the fields that changed. Built on first use (start-up time). */
const buildAnswersPatchSchema = () => z.partial(answersInputSchema);
let answersPatchSchema: ReturnType<typeof buildAnswersPatchSchema> | undefined;
export type AnswersPatch = z.output<ReturnType<typeof buildAnswersPatchSchema>>;

/** The answers the context defaults depend on. */
export type CoreAnswers = Pick<Answers, 'subjects' | 'clients' | 'delegatedAccess'>;

/**
 * The documented defaults of the context questions. Some follow the core
 * answers, so a default never contradicts what was already said: third-party
 * apps mean a public API with scopes, a backend integration means partners,
 * an API no person calls is audited per application, one only people call
 * per person, and a web UI is assumed to share the API's site.
 * NOTE: the questionnaire and answers files both take their defaults from
 * here, so `--yes`, the prompts and `--answers` always agree.
 */
export function contextDefaults(core: CoreAnswers) {
  const { subjects, clients, delegatedAccess } = core;
  const people = subjects.includes('end-user');
  const onlyPeople = subjects.every((subject) => subject === 'end-user');
  return {
    architecture: 'single-app',
    identityProvider: 'none',
    exposure: subjects.includes('third-party-app') ? 'public' : subjects.includes('backend-integration') ? 'partners' : 'internal',
    granularity: delegatedAccess || subjects.includes('third-party-app') ? 'scopes' : 'roles',
    audit: !people && !delegatedAccess ? 'app' : onlyPeople && !delegatedAccess ? 'user' : 'app-and-user',
    sameSiteFrontend: clients.includes('browser'),
  } as const satisfies Partial<Answers>;
}

export function withDefaults(input: z.output<typeof answersInputSchema>): Answers {
  const defaults = contextDefaults(input);
  const answers: Answers = {
    subjects: input.subjects,
    clients: input.clients,
    delegatedAccess: input.delegatedAccess,
    revocation: input.revocation,
    opsCapacity: input.opsCapacity,
    architecture: input.architecture ?? defaults.architecture,
    identityProvider: input.identityProvider ?? defaults.identityProvider,
    exposure: input.exposure ?? defaults.exposure,
    granularity: input.granularity ?? defaults.granularity,
    audit: input.audit ?? defaults.audit,
    sameSiteFrontend: input.sameSiteFrontend ?? defaults.sameSiteFrontend,
  };
  if (input.stack !== undefined) answers.stack = input.stack;
  return answers;
}

/**
 * What each answer accepts, for error messages. NOTE: booleans are listed as
 * `true | false` because YAML 1.2 reads `yes`/`no` as text.
 */
const ANSWER_VALUES: Record<keyof AnswersInput, { values: readonly string[]; list: boolean }> = {
  subjects: { values: SUBJECTS, list: true },
  clients: { values: CLIENTS, list: true },
  delegatedAccess: { values: ['true', 'false'], list: false },
  revocation: { values: REVOCATION_NEEDS, list: false },
  opsCapacity: { values: OPS_CAPACITIES, list: false },
  architecture: { values: ARCHITECTURES, list: false },
  identityProvider: { values: IDENTITY_PROVIDERS, list: false },
  exposure: { values: EXPOSURES, list: false },
  granularity: { values: GRANULARITIES, list: false },
  audit: { values: AUDIT_NEEDS, list: false },
  sameSiteFrontend: { values: ['true', 'false'], list: false },
  stack: { values: STACKS, list: false },
};

/** One problem in an input document, phrased for a person. */
export interface InputProblem {
  /** Dotted path, e.g. `clients[1]`; empty for the document itself. */
  path: string;
  message: string;
}

const describe = (value: unknown): string => {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

const formatPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    '',
  );

const valueAt = (root: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>(
    (node, key) => (node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined),
    root,
  );

/** Turns zod issues into messages that name the field, the bad value and what is allowed. */
export function describeIssues(root: unknown, issues: readonly z.core.$ZodIssue[]): InputProblem[] {
  const problems: InputProblem[] = [];
  for (const issue of issues) {
    const path = formatPath(issue.path);
    const value = valueAt(root, issue.path);
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          const where = path ? `${path}.${key}` : key;
          const known = Object.keys(answersInputSchema.shape);
          const simplified = (name: string) => name.toLowerCase().replace(/[-_\s]/g, '');
          const close = known.find((name) => simplified(name) === simplified(key));
          problems.push({
            path: where,
            message: `unknown field "${where}"; ${close ? `did you mean "${close}"? ` : ''}allowed fields: ${known.join(', ')}`,
          });
        }
        break;
      case 'invalid_value':
      case 'invalid_type': {
        const key = String(issue.path[0]);
        const field = Object.hasOwn(ANSWER_VALUES, key) ? ANSWER_VALUES[key as keyof typeof ANSWER_VALUES] : undefined;
        const inList = issue.path.length > 1;
        const allowed = field ? field.values.join(' | ') : issue.code === 'invalid_value' ? issue.values.map(String).join(' | ') : issue.expected;
        const kind = field?.list && !inList ? 'a list of' : 'one of';
        problems.push({
          path,
          message:
            value === undefined && !inList
              ? field || issue.code === 'invalid_value'
                ? `${path} is missing; it is required, ${kind}: ${allowed}`
                : `${path} is missing; it is required (${expectedInWords(issue.expected)})`
              : !field
                ? `${path || 'document'} is ${describe(value)}; expected ${issue.code === 'invalid_type' && issue.expected === 'array' ? 'a list' : allowed}`
                : field.list && !inList
                  ? `${path} is ${describe(value)}; expected a list of: ${allowed}`
                  : `${path} is ${describe(value)}; allowed: ${allowed}${field.values[0] === 'true' && typeof value === 'string' ? booleanAdvice(value) : ''}`,
        });
        break;
      }
      case 'too_small': {
        const key = String(issue.path[0]);
        const field = Object.hasOwn(ANSWER_VALUES, key) ? ANSWER_VALUES[key as keyof typeof ANSWER_VALUES] : undefined;
        problems.push({
          path,
          message: `${path} is an empty list; give at least one${field ? ` of: ${field.values.join(' | ')}` : ' value'}`,
        });
        break;
      }
      default:
        problems.push({ path, message: `${path || 'document'}: ${issue.message}` });
    }
  }
  return problems;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; problems: InputProblem[] };

/** Validates a parsed answers document and applies the documented defaults. */
export function parseAnswers(document: unknown): ParseResult<Answers> {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    return { ok: false, problems: [{ path: '', message: `the answers must be a mapping of fields, not ${describe(document)}` }] };
  }
  const result = answersInputSchema.safeParse(document);
  if (!result.success) return { ok: false, problems: describeIssues(document, result.error.issues) };
  return { ok: true, value: withDefaults(result.data) };
}

/** Validates a partial answers document (only the fields that changed). */
export function parseAnswersPatch(document: unknown): ParseResult<AnswersPatch> {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    return { ok: false, problems: [{ path: '', message: `the answers must be a mapping of fields, not ${describe(document)}` }] };
  }
  const result = (answersPatchSchema ??= buildAnswersPatchSchema()).safeParse(document);
  if (!result.success) return { ok: false, problems: describeIssues(document, result.error.issues) };
  return { ok: true, value: result.data };
}

/** Parses a document against a schema; problems name the field path, the bad value and what is allowed. */
export function parseWith<S extends z.ZodMiniType>(schema: S, document: unknown): ParseResult<z.output<S>> {
  const result = schema.safeParse(document);
  if (result.success) return { ok: true, value: result.data };
  const problems: InputProblem[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      // describeIssues lists the answers' fields as the allowed ones; other documents need their own message.
      const path = formatPath(issue.path);
      for (const key of issue.keys) problems.push({ path: path ? `${path}.${key}` : key, message: `unknown field "${path ? `${path}.${key}` : key}"` });
    } else {
      problems.push(...describeIssues(document, [issue]));
    }
  }
  return { ok: false, problems };
}
