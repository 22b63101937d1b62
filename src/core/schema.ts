/**
 * Every zod schema of auth-decide lives here, with its inferred type.
 * Input errors name the field path, the bad value and what is allowed.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
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

// NOTE: zod/mini (chosen for start-up time) loads no messages by itself; the issues
// not phrased by describeIssues keep zod's English ones.
z.config(en());

const nonEmptySet = <T extends readonly [string, ...string[]]>(values: T) =>
  z.pipe(
    z.array(z.enum(values)).check(z.minLength(1)),
    // Canonical order and no repeats, so the same choice always serialises the same way.
    z.transform((list: T[number][]) => values.filter((v) => list.includes(v)) as T[number][]),
  );

/** Answers as written by a person or a tool: context fields are optional. */
export const answersInputSchema = z.strictObject({
  subjects: nonEmptySet(SUBJECTS),
  clients: nonEmptySet(CLIENTS),
  delegatedAccess: z.boolean(),
  revocation: z.enum(REVOCATION_NEEDS),
  opsCapacity: z.enum(OPS_CAPACITIES),
  architecture: z.optional(z.enum(ARCHITECTURES)),
  exposure: z.optional(z.enum(EXPOSURES)),
  granularity: z.optional(z.enum(GRANULARITIES)),
  audit: z.optional(z.enum(AUDIT_NEEDS)),
  sameSiteFrontend: z.optional(z.boolean()),
  stack: z.optional(z.enum(STACKS)),
});
export type AnswersInput = z.input<typeof answersInputSchema>;

/** Partial answers, e.g. `revisit --answers` with only the fields that changed. */
export const answersPatchSchema = z.partial(answersInputSchema);
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
              ? `${path} is missing; it is required, ${kind}: ${allowed}`
              : !field
                ? `${path || 'document'} is ${describe(value)}; expected ${issue.code === 'invalid_type' && issue.expected === 'array' ? 'a list' : allowed}`
                : field.list && !inList
                  ? `${path} is ${describe(value)}; expected a list of: ${allowed}`
                  : `${path} is ${describe(value)}; allowed: ${allowed}${field.values[0] === 'true' && typeof value === 'string' ? ', written without quotes' : ''}`,
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
  const result = answersPatchSchema.safeParse(document);
  if (!result.success) return { ok: false, problems: describeIssues(document, result.error.issues) };
  return { ok: true, value: result.data };
}

// ---------------------------------------------------------------------------
// Scaffolding: template metadata (templates/<method>/template.json) and the
// manifest a scaffold leaves in the project (.auth-decide/manifest.json).

export const STORE_IDS = ['sqlite', 'postgres', 'redis'] as const;
export const LANGS = ['ts', 'js'] as const;
export const MODULE_FORMATS = ['esm', 'cjs'] as const;
export const PACKAGE_MANAGERS = ['npm', 'pnpm', 'yarn'] as const;
export const OAUTH_MODES = ['provider', 'client'] as const;

const packageName = z.string().check(z.regex(/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/, 'a package name'));
/** Pinned: an exact version, or a caret/tilde range on one version. No tags, URLs or open ranges. */
const pinnedRange = z.string().check(z.regex(/^[~^]?\d+\.\d+\.\d+(-[\w.]+)?$/, 'a pinned range such as "^1.2.3", "~1.2.3" or "1.2.3"'));
const dependencyMap = z.record(packageName, pinnedRange);
const nodeRequirement = z.string().check(z.regex(/^>=\d+(\.\d+){0,2}$/, 'a Node requirement such as ">=20.19"'));

export const templateManifestSchema = z.strictObject({
  method: z.enum(['api-key', 'oauth', 'jwt', 'session']),
  title: z.string().check(z.minLength(1)),
  node: nodeRequirement,
  stores: z.array(z.enum(STORE_IDS)).check(z.minLength(1)),
  defaultStore: z.enum(STORE_IDS),
  dependencies: z._default(dependencyMap, {}),
  stackDependencies: z._default(z.partialRecord(z.enum(STACKS), dependencyMap), {}),
  storeDependencies: z._default(z.partialRecord(z.enum(STORE_IDS), dependencyMap), {}),
  devDependencies: z._default(dependencyMap, {}),
  tsDevDependencies: z._default(dependencyMap, {}),
  jsDependencies: z._default(dependencyMap, {}),
  scripts: z.record(z.string().check(z.regex(/^[\w:.-]+$/, 'a script name')), z.string().check(z.minLength(1))),
  env: z._default(
    z.array(
      z.strictObject({
        name: z.string().check(z.regex(/^[A-Z][A-Z0-9_]*$/, 'an UPPER_SNAKE_CASE variable name')),
        example: z.string(),
        description: z.string().check(z.minLength(1)),
        demo: z.optional(z.string()),
      }),
    ),
    [],
  ),
});
export type TemplateManifest = z.output<typeof templateManifestSchema>;

const sha256Hex = z.string().check(z.regex(/^[0-9a-f]{64}$/, 'a sha256 in hex'));

/** One scaffold recorded in the project; a project may hold one per method. */
export const scaffoldEntrySchema = z.strictObject({
  method: z.enum(['api-key', 'oauth', 'jwt', 'session']),
  templateVersion: z.string().check(z.minLength(1)),
  stack: z.enum(STACKS),
  store: z.enum(STORE_IDS),
  lang: z.enum(LANGS),
  moduleFormat: z.enum(MODULE_FORMATS),
  oauthMode: z.nullable(z.enum(OAUTH_MODES)),
  outDir: z.string().check(z.minLength(1)),
  /** package.json scripts as auth-decide wrote them, to tell an untouched script from an edited one. */
  scripts: z.record(z.string(), z.string()),
  /** Project-relative posix path → sha256 of the content auth-decide wrote. */
  files: z.record(z.string(), sha256Hex),
});
export type ScaffoldEntry = z.output<typeof scaffoldEntrySchema>;

export const scaffoldManifestSchema = z.strictObject({
  manifestVersion: z.literal(1),
  scaffolds: z.array(scaffoldEntrySchema),
});
export type ScaffoldManifest = z.output<typeof scaffoldManifestSchema>;

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
