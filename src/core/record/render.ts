/**
 * Renders an auth decision record from Handlebars templates. Pure: the
 * templates come in as strings, the date comes in as a value, and the same
 * input always gives the same text.
 */
import { createRequire } from 'node:module';
import type Handlebars from 'handlebars';
import handlebarsRuntimeModule from 'handlebars/runtime.js';
import { DIMENSIONS, METHODS, REVISIT_QUESTIONS, TRIGGERS, type Rating } from '../knowledge.js';
import { describeAnswer, QUESTIONS } from '../questions.js';
import { DIMENSION_IDS, TRIGGER_IDS, type Answers, type Client, type Subject, type Decision, type MethodId, type PlanEntry } from '../types.js';
import { blockFromInput } from './block.js';
import { BLOCK_KEY, type RecordInput } from './model.js';
import { writeYaml } from './yaml-writer.js';
import { escapeInline } from './escape.js';

export interface AdrTemplates {
  /** MADR 4 layout with YAML front matter. */
  madr: string;
  /** adr-tools layout: `# N. Title`, `Date:`, `## Status`, block in a trailing comment. */
  adrTools: string;
  /** Sections both layouts share, by partial name. */
  partials?: Record<string, string>;
}

/**
 * The ADR templates compiled ahead of time (by the build, with
 * `Handlebars.precompile`), together with the sources they were compiled from.
 */
export interface PrecompiledAdrTemplates {
  sources: Required<AdrTemplates>;
  /** The compile options used; output made with other options is not used. */
  options: Record<string, unknown>;
  specs: {
    madr: TemplateSpecification;
    adrTools: TemplateSpecification;
    partials: Record<string, TemplateSpecification>;
  };
}

const methodName = (method: MethodId): string => METHODS[method].name;

/** How a method reads inside a sentence such as a record title. */
const METHOD_PHRASES: Record<MethodId, string> = {
  'api-key': 'API keys',
  oauth: 'OAuth 2 delegated access',
  jwt: 'short-lived JWT bearer tokens',
  session: 'server-side sessions',
};

/** Callers and clients as they read inside a sentence. */
const SUBJECT_PHRASES: Record<Subject, string> = {
  'internal-service': 'our own internal services',
  'backend-integration': 'customer or partner backends',
  'third-party-app': 'third-party apps',
  'end-user': 'signed-in end users',
};
const CLIENT_PHRASES: Record<Client, string> = {
  browser: 'web browsers',
  mobile: 'mobile apps',
  cli: 'command-line tools',
  'scheduled-job': 'scheduled jobs',
  'backend-service': 'backend services',
};

const listInWords = (items: readonly string[]): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;

/** Methods in use, the recommendation first, then the plan's others in plan order. */
function methodsInPlan(decision: Pick<Decision, 'recommendation' | 'plan'>): MethodId[] {
  const methods: MethodId[] = [decision.recommendation];
  for (const entry of decision.plan) if (!methods.includes(entry.method)) methods.push(entry.method);
  return methods;
}

/** e.g. "Authenticate API callers with server-side sessions and API keys". */
export function defaultRecordTitle(decision: Pick<Decision, 'recommendation' | 'plan'>): string {
  return `Authenticate API callers with ${listInWords(methodsInPlan(decision).map((m) => METHOD_PHRASES[m]))}`;
}

/** A date as YYYY-MM-DD, in UTC so the same instant gives the same date on every machine. */
export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Adds calendar months in UTC, clamping to the month's last day (Aug 31 + 6 months = Feb 28/29). */
export function addMonths(date: Date, months: number): Date {
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month, Math.min(date.getUTCDate(), lastDay)));
}

/** Months until the next review: the normal pace, and the pace for riskier decisions. */
export const REVIEW_MONTHS = { normal: 6, soon: 3 } as const;

/**
 * When the decision should be looked at again: six months from now, or three
 * when the API is public (its threat model moves fastest) or the result was a
 * close call (a small change in needs could flip it).
 */
export function defaultReviewBy(
  now: Date,
  answers: Pick<Answers, 'exposure'>,
  decision?: Pick<Decision, 'closeCall'>,
): string {
  const soon = answers.exposure === 'public' || decision?.closeCall === true;
  return isoDate(addMonths(now, soon ? REVIEW_MONTHS.soon : REVIEW_MONTHS.normal));
}

/** Lower-case words joined by dashes, ASCII only, like `adr new` names its files. */
const TRAILING_WORDS = new Set(['a', 'an', 'and', 'as', 'at', 'by', 'for', 'from', 'in', 'of', 'on', 'or', 'the', 'to', 'with']);

export function slugify(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length <= 80) return slug || 'decision';
  // Cut long titles at a word boundary so file names stay readable, and never end on a joining word.
  const cut = slug.slice(0, 80);
  const words = cut.slice(0, cut.lastIndexOf('-') > 40 ? cut.lastIndexOf('-') : 80).split('-');
  while (words.length > 1 && TRAILING_WORDS.has(words[words.length - 1]!)) words.pop();
  return words.join('-');
}

/** Record numbers are at least four digits, as adr-tools and MADR write them. */
export const padNumber = (number: number): string => String(number).padStart(4, '0');

/** `NNNN-kebab-title.md` */
export function recordFileName(number: number, title: string): string {
  return `${padNumber(number)}-${slugify(title)}.md`;
}

/** "Needs a store" → "needs a store", but "API keys" and "OAuth" keep their capitals. */
export function lowerFirst(text: string): string {
  return /^[A-Z](?:[a-z]|\s)/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}

export const capitalise = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** Keeps a value inside one Markdown table cell. */
export function tableCell(value: unknown): string {
  return String(value).replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

const verdictOf = (rating: Rating): 'Good' | 'Neutral' | 'Bad' =>
  rating.score >= 4 ? 'Good' : rating.score === 3 ? 'Neutral' : 'Bad';

const points = (value: number): string => `${value} ${Math.abs(value) === 1 ? 'point' : 'points'}`;

const signed = (value: number): string => (value > 0 ? `+${value}` : String(value));

/** A migration step list is rendered as a numbered list unless it already is Markdown blocks. */
function migrationLines(steps: readonly string[]): string[] {
  const isMarkdown = steps.some((line) => line.trim() === '' || /^\s*([-*+]|\d+\.)\s/.test(line));
  return isMarkdown ? [...steps] : steps.map((step, index) => `${index + 1}. ${step}`);
}

function defaultMigration(decision: Decision): string[] {
  const target = listInWords(methodsInPlan(decision).map(methodName));
  return [
    `Run ${target} next to the method being replaced at each boundary that changes, behind the same authorization checks, and log which credential each request used.`,
    'Move clients over one group at a time, each with a dated deadline, and wait until the old credential stops appearing in the logs.',
    'Stop issuing old credentials, revoke those still outstanding, and remove the old code path and its configuration.',
  ];
}

function planRow(entry: PlanEntry) {
  return {
    boundary: entry.boundary,
    subjects: describeAnswer('subjects', entry.subjects),
    clients: describeAnswer('clients', entry.clients),
    method: methodName(entry.method),
    subjectsInWords: capitalise(listInWords(entry.subjects.map((subject) => SUBJECT_PHRASES[subject]))),
    clientsInWords: listInWords(entry.clients.map((client) => CLIENT_PHRASES[client])),
    why: entry.why,
    identity: METHODS[entry.method].defaults.identity,
  };
}

/** Everything the templates print, computed once so the templates only lay it out. */
export function recordView(input: RecordInput) {
  const { decision, answers } = input;
  const chosen = METHODS[decision.recommendation];
  const winner = decision.ranking.find((entry) => entry.method === decision.recommendation);
  const methods = methodsInPlan(decision);
  const hybrid = methods.length > 1;

  const drivers = QUESTIONS.filter((question) => question.key !== 'stack' || answers.stack !== undefined).map(
    (question) => {
      const value = answers[question.key] as unknown;
      const picked = (Array.isArray(value) ? value : [value]) as unknown[];
      const details = picked
        .map((item) => question.choices.find((choice) => choice.value === item)?.description)
        .filter((text): text is string => text !== undefined);
      return {
        label: question.label,
        answer: describeAnswer(question.key, value),
        details: details.join('; '),
      };
    },
  );

  const options = decision.ranking.map((entry) => {
    const profile = METHODS[entry.method];
    const constraints = decision.constraints.filter((constraint) => constraint.method === entry.method);
    return {
      name: profile.name,
      summary: profile.summary,
      score: entry.score,
      chosen: entry.method === decision.recommendation,
      inPlan: entry.method !== decision.recommendation && methods.includes(entry.method),
      excluded: entry.excludedBy !== undefined && entry.excludedBy.length > 0,
      arguments: DIMENSION_IDS.map((dimension) => {
        const rating = profile.ratings[dimension];
        return {
          verdict: verdictOf(rating),
          dimension: DIMENSIONS[dimension].label,
          rating: rating.score,
          rationale: rating.rationale,
          contribution: entry.dimensions[dimension],
        };
      }),
      constraints: constraints.map((constraint) => ({
        effect: { excluded: 'Ruled out', penalised: 'Penalised', required: 'Required' }[constraint.effect],
        reason: constraint.reason,
      })),
    };
  });

  const perMethod = (pick: (defaults: (typeof METHODS)[MethodId]['defaults']) => string[]) =>
    methods.map((method) => ({ name: methodName(method), items: pick(METHODS[method].defaults) }));

  const sensitivity = decision.sensitivity
    ? {
        question: QUESTIONS.find((q) => q.key === decision.sensitivity!.question)?.label ?? decision.sensitivity.question,
        from: describeAnswer(decision.sensitivity.question, decision.sensitivity.from),
        to: describeAnswer(decision.sensitivity.question, decision.sensitivity.to),
        newRecommendation: methodName(decision.sensitivity.newRecommendation),
      }
    : null;

  const notes = input.revisitNotes ?? {};
  const revisitNotes = REVISIT_QUESTIONS.filter((question) => (notes[question.id] ?? '').trim() !== '').map(
    (question) => ({ question: question.text, answer: notes[question.id]!.trim() }),
  );
  const firedTriggers = (input.triggers ?? []).map((id) => TRIGGERS[id]);

  return {
    // A title is one line: adr-tools reads it from the first line of the file.
    title: escapeInline(input.title.replace(/\s+/g, ' ').trim()),
    number: input.number,
    date: input.date,
    decisionMakers: input.decisionMakers && input.decisionMakers.length > 0 ? input.decisionMakers.join(', ') : null,
    supersedes: input.supersedes
      ? { ...input.supersedes, padded: padNumber(input.supersedes.number) }
      : null,
    revisited: firedTriggers.length > 0 || revisitNotes.length > 0,
    firedTriggers,
    revisitNotes,
    subjectsInWords: listInWords(answers.subjects.map((subject) => SUBJECT_PHRASES[subject])),
    clientsInWords: listInWords(answers.clients.map((client) => CLIENT_PHRASES[client])),
    drivers,
    options,
    chosen: {
      name: chosen.name,
      summary: chosen.summary,
      wireFormat: chosen.wireFormat,
      score: winner?.score ?? 0,
      good: chosen.good,
      bad: chosen.bad,
    },
    runnerUp: {
      name: methodName(decision.runnerUp),
      margin: points(decision.margin),
      // NOTE: when every other method is ruled out, the margin says nothing; the record says why instead.
      excluded: (decision.ranking.find((entry) => entry.method === decision.runnerUp)?.excludedBy?.length ?? 0) > 0,
    },
    deciding: listInWords(
      decision.decidingDimensions.map((entry) => `${DIMENSIONS[entry.dimension].label.toLowerCase()} (${signed(entry.points)})`),
    ),
    reasons: decision.reasons,
    warnings: decision.warnings,
    closeCall: decision.closeCall,
    sensitivity,
    hybrid,
    methodsInWords: listInWords(methods.map(methodName)),
    plan: decision.plan.map(planRow),
    weights: decision.weights.map((weight) => ({
      dimension: DIMENSIONS[weight.dimension].label,
      weight: weight.weight,
      base: weight.base,
      reasons: weight.reasons.join(' '),
    })),
    lifetimes: perMethod((d) => d.lifetimes),
    rotation: perMethod((d) => d.rotation),
    revocation: perMethod((d) => d.revocation),
    confirmation: perMethod((d) => d.confirmation),
    reviewBy: input.reviewBy,
    triggers: TRIGGER_IDS.map((id) => TRIGGERS[id]),
    chart: {
      labels: decision.ranking.map((entry) => JSON.stringify(methodName(entry.method))).join(', '),
      values: decision.ranking.map((entry) => entry.score).join(', '),
    },
    migration: input.supersedes ? migrationLines(input.migration ?? defaultMigration(decision)) : null,
  };
}

/** The machine-readable block as MADR front matter, after `status`, `date` and `decision-makers`. */
function frontMatter(input: RecordInput): string {
  const fields: Record<string, unknown> = { status: 'accepted', date: input.date };
  if (input.decisionMakers && input.decisionMakers.length > 0) fields['decision-makers'] = input.decisionMakers.join(', ');
  fields[BLOCK_KEY] = blockFromInput(input);
  return writeYaml(fields);
}

function commentBlock(input: RecordInput): string {
  return writeYaml({ ...blockFromInput(input) }, { inComment: true });
}

/** Options for every ADR template; the build precompiles with the same ones. */
export const ADR_COMPILE_OPTIONS = { noEscape: true, strict: true } as const;

type HandlebarsEnvironment = typeof Handlebars;
type AdrTemplateFunctions = { madr: HandlebarsTemplateDelegate; adrTools: HandlebarsTemplateDelegate };

// NOTE: the package declares no types for `handlebars/runtime`; it is the same API as `handlebars`
// without the compiler, which is the part that costs start-up time.
const handlebarsRuntime = handlebarsRuntimeModule as unknown as HandlebarsEnvironment;

/** The full Handlebars (with its compiler), loaded only when a template must be compiled from source. */
let handlebarsCompiler: HandlebarsEnvironment | undefined;
function compilerHandlebars(): HandlebarsEnvironment {
  // A synchronous load keeps renderRecord synchronous; the compiler is needed only without build output.
  handlebarsCompiler ??= createRequire(import.meta.url)('handlebars') as HandlebarsEnvironment;
  return handlebarsCompiler;
}

/** An isolated instance with the record helpers: partials and helpers never leak into other Handlebars users. */
function adrEnvironment(base: HandlebarsEnvironment): HandlebarsEnvironment {
  const handlebars = base.create();
  handlebars.registerHelper('lowerFirst', lowerFirst);
  handlebars.registerHelper('cell', tableCell);
  return handlebars;
}

/** Identifies a set of template sources; partial order does not matter. */
function sourcesKey(templates: AdrTemplates): string {
  const partials = Object.entries(templates.partials ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([templates.madr, templates.adrTools, partials]);
}

const optionsKey = (options: Record<string, unknown>): string => JSON.stringify(Object.entries(options).sort());

/** Template functions by template sources, so each set of sources compiles once. */
const compiled = new Map<string, AdrTemplateFunctions>();

/**
 * Makes build-time compiled templates available. renderRecord uses them only
 * for exactly the sources they were compiled from, so edited templates are
 * still compiled from source and the output never depends on a stale build.
 */
export function usePrecompiledTemplates(precompiled: PrecompiledAdrTemplates): void {
  const key = sourcesKey(precompiled.sources);
  if (compiled.has(key) || optionsKey(precompiled.options) !== optionsKey(ADR_COMPILE_OPTIONS)) return;
  const handlebars = adrEnvironment(handlebarsRuntime);
  for (const [name, spec] of Object.entries(precompiled.specs.partials)) handlebars.registerPartial(name, handlebars.template(spec));
  compiled.set(key, { madr: handlebars.template(precompiled.specs.madr), adrTools: handlebars.template(precompiled.specs.adrTools) });
}

function compile(templates: AdrTemplates): AdrTemplateFunctions {
  const key = sourcesKey(templates);
  const cached = compiled.get(key);
  if (cached) return cached;
  const handlebars = adrEnvironment(compilerHandlebars());
  for (const [name, source] of Object.entries(templates.partials ?? {})) handlebars.registerPartial(name, source);
  const result = {
    madr: handlebars.compile(templates.madr, { ...ADR_COMPILE_OPTIONS }),
    adrTools: handlebars.compile(templates.adrTools, { ...ADR_COMPILE_OPTIONS }),
  };
  compiled.set(key, result);
  return result;
}

/** Stands in for the YAML while the body is tidied, so the block's own text is never touched. */
const BLOCK_PLACEHOLDER = '\u0000auth-decide-block\u0000';

/** The full text of a new record in the requested layout. */
export function renderRecord(input: RecordInput, templates: AdrTemplates): string {
  const { madr, adrTools } = compile(templates);
  const view = recordView(input);
  const text =
    input.layout === 'madr'
      ? madr({ ...view, frontMatter: BLOCK_PLACEHOLDER })
      : adrTools({ ...view, block: BLOCK_PLACEHOLDER });
  // Optional parts left out by the templates may leave runs of blank lines.
  const body = `${text.replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
  const block = input.layout === 'madr' ? frontMatter(input) : commentBlock(input);
  return body.replace(BLOCK_PLACEHOLDER, () => block);
}
