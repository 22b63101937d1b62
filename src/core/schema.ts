/**
 * Every zod schema of auth-decide lives here, with its inferred type.
 * Input errors name the field path, the bad value and what is allowed.
 */
import { z } from 'zod';
import {
  ARCHITECTURES,
  AUDIT_NEEDS,
  CLIENTS,
  EXPOSURES,
  GRANULARITIES,
  OPS_CAPACITIES,
  REVOCATION_NEEDS,
  STACKS,
  SUBJECTS,
  type Answers,
} from './types.js';

const nonEmptySet = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .array(z.enum(values))
    .min(1)
    // Canonical order and no repeats, so the same choice always serialises the same way.
    .transform((list) => values.filter((v) => list.includes(v)) as T[number][]);

/** Answers as written by a person or a tool: context fields are optional. */
export const answersInputSchema = z.strictObject({
  subjects: nonEmptySet(SUBJECTS),
  clients: nonEmptySet(CLIENTS),
  delegatedAccess: z.boolean(),
  revocation: z.enum(REVOCATION_NEEDS),
  opsCapacity: z.enum(OPS_CAPACITIES),
  architecture: z.enum(ARCHITECTURES).optional(),
  exposure: z.enum(EXPOSURES).optional(),
  granularity: z.enum(GRANULARITIES).optional(),
  audit: z.enum(AUDIT_NEEDS).optional(),
  sameSiteFrontend: z.boolean().optional(),
  stack: z.enum(STACKS).optional(),
});
export type AnswersInput = z.input<typeof answersInputSchema>;

/** Partial answers, e.g. `revisit --answers` with only the fields that changed. */
export const answersPatchSchema = answersInputSchema.partial();
export type AnswersPatch = z.output<typeof answersPatchSchema>;

/**
 * The documented defaults of the context questions. `sameSiteFrontend`
 * defaults to true only when a browser is among the clients.
 */
export const CONTEXT_DEFAULTS = {
  architecture: 'single-app',
  exposure: 'internal',
  granularity: 'roles',
  audit: 'app-and-user',
} as const;

export function withDefaults(input: z.output<typeof answersInputSchema>): Answers {
  const answers: Answers = {
    subjects: input.subjects,
    clients: input.clients,
    delegatedAccess: input.delegatedAccess,
    revocation: input.revocation,
    opsCapacity: input.opsCapacity,
    architecture: input.architecture ?? CONTEXT_DEFAULTS.architecture,
    exposure: input.exposure ?? CONTEXT_DEFAULTS.exposure,
    granularity: input.granularity ?? CONTEXT_DEFAULTS.granularity,
    audit: input.audit ?? CONTEXT_DEFAULTS.audit,
    sameSiteFrontend: input.sameSiteFrontend ?? input.clients.includes('browser'),
  };
  if (input.stack !== undefined) answers.stack = input.stack;
  return answers;
}

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
          problems.push({ path: where, message: `unknown field "${where}"; allowed fields: ${Object.keys(answersInputSchema.shape).join(', ')}` });
        }
        break;
      case 'invalid_value':
        problems.push({
          path,
          message: `${path || 'value'} is ${describe(value)}; allowed: ${issue.values.map((v) => String(v)).join(' | ')}`,
        });
        break;
      case 'invalid_type':
        problems.push({
          path,
          message:
            value === undefined
              ? `${path} is missing; it is required (${issue.expected})`
              : `${path || 'document'} is ${describe(value)}; expected ${issue.expected === 'array' ? 'a list' : issue.expected}`,
        });
        break;
      case 'too_small':
        problems.push({ path, message: `${path} is an empty list; give at least one value` });
        break;
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
  const result = answersPatchSchema.safeParse(document);
  if (!result.success) return { ok: false, problems: describeIssues(document, result.error.issues) };
  return { ok: true, value: result.data };
}
