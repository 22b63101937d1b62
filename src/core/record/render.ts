/**
 * Renders an auth decision record from Handlebars templates. Pure: the
 * templates come in as strings, the date comes in as a value, and the same
 * input always gives the same text.
 */
import { createRequire } from 'node:module';
import type Handlebars from 'handlebars';
import handlebarsRuntimeModule from 'handlebars/runtime.js';
import { describeVariant, DIMENSIONS, GROUND_RULES, METHODS, REVISIT_QUESTIONS, TRIGGERS, variantProfile } from '../knowledge.js';
import { defaultRows, practices, throttleSentence } from '../policy-text.js';
import { describeAnswer, QUESTIONS } from '../questions.js';
import { describePlanSize } from '../report.js';
import {
  DIMENSION_IDS,
  TRIGGER_IDS,
  type Answers,
  type Client,
  type Decision,
  type DimensionId,
  type MethodId,
  type MethodScore,
  type PlanEntry,
  type Subject,
  type Variant,
} from '../types.js';
import { blockFlow, blockFromInput } from './block.js';
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
/** Three of the four display names are plurals ("API keys"), so verbs must agree. */
const plural = (method: MethodId) => /s$/.test(METHODS[method].name);

/** How a method reads inside a sentence such as a record title. */
const METHOD_PHRASES: Record<MethodId, string> = {
  'api-key': 'API keys',
  oauth: 'OAuth 2 access tokens',
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

const listInWords = (items: readonly string[], conjunction = 'and'): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} ${conjunction} ${items[items.length - 1]}`;

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

const points = (value: number): string => `${value} ${Math.abs(value) === 1 ? 'point' : 'points'}`;

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

/** How a ranked method stands in this record: chosen, used at some boundaries, or neither. */
function standing(entry: MethodScore, decision: Decision): { label: string; boundaries: string[] } {
  const boundaries = decision.plan.filter((candidate) => candidate.method === entry.method).map((candidate) => `\`${candidate.id}\``);
  if (entry.method === decision.recommendation) return { label: 'chosen', boundaries };
  if (entry.excluded) return { label: boundaries.length > 0 ? 'not for all callers' : 'ruled out', boundaries };
  return { label: boundaries.length > 0 ? 'also used' : 'not chosen', boundaries };
}

/** The strongest and the weakest of a method's ratings for this API, by the points they earned. */
function prosAndCons(entry: MethodScore) {
  const byPoints = [...DIMENSION_IDS].sort(
    (a, b) => entry.dimensions[b] - entry.dimensions[a] || DIMENSION_IDS.indexOf(a) - DIMENSION_IDS.indexOf(b),
  );
  const argument = (verdict: string, dimension: DimensionId) => {
    const rating = entry.ratings[dimension];
    return `${verdict}, because its ${DIMENSIONS[dimension].label.toLowerCase()} rates ${rating.score}/5 for this API (${points(entry.dimensions[dimension])}): ${rating.rationale}`;
  };
  const strong = byPoints.filter((dimension) => entry.ratings[dimension].score >= 4).slice(0, 1);
  const weakest = [...DIMENSION_IDS].sort(
    (a, b) => entry.ratings[a].score - entry.ratings[b].score || entry.dimensions[a] - entry.dimensions[b],
  )[0]!;
  const verdict = (score: number) => (score >= 4 ? 'Good' : score === 3 ? 'Neutral' : 'Bad');
  return [
    ...strong.map((dimension) => argument('Good', dimension)),
    ...(strong.includes(weakest) ? [] : [argument(verdict(entry.ratings[weakest].score), weakest)]),
  ];
}

/** The defaults of every method and variant in the plan, one line per method, read from POLICY. */
function defaultsLines(plan: readonly PlanEntry[]): string[] {
  const lines: string[] = [];
  for (const method of [...new Set(plan.map((entry) => entry.method))]) {
    const entries = plan.filter((entry) => entry.method === method);
    const variants = [...new Set(entries.map((entry) => entry.variant))];
    const rows = new Map<string, { text: string; variants: Set<string> }>();
    for (const entry of entries) {
      for (const row of defaultRows(method, entry.variant, entry.tokenFormat)) {
        const text = `${row.label}: ${row.value}${row.range === null ? '' : ` (${row.range})`}`;
        const key = `${row.key}\u0000${text}`;
        const existing = rows.get(key) ?? { text, variants: new Set<string>() };
        existing.variants.add(entry.variant);
        rows.set(key, existing);
      }
    }
    const clauses = [...rows.values()].map(({ text, variants: own }) =>
      own.size === variants.length ? text : `${text} [${[...own].map((variant) => variantProfile(method, variant as Variant).name).join(', ')}]`,
    );
    const who = `${methodName(method)}, ${listInWords(variants.map((variant) => variantProfile(method, variant).name))}`;
    lines.push(`${who}: ${clauses.join('; ')}.`);
  }
  return lines;
}

/** Rotation and revocation in words, per variant, each sentence once. */
function practiceLines(plan: readonly PlanEntry[]): string[] {
  const seen = new Map<string, { method: MethodId; variants: string[] }>();
  for (const entry of plan) {
    const { rotation, revocation } = practices(entry.method, entry.variant, entry.tokenFormat);
    for (const [kind, text] of [['Rotation', rotation], ['Revocation', revocation]] as const) {
      const key = `${kind}\u0000${text}`;
      const found = seen.get(key) ?? { method: entry.method, variants: [] };
      const name = variantProfile(entry.method, entry.variant).name;
      if (!found.variants.includes(name)) found.variants.push(name);
      seen.set(key, found);
    }
  }
  return [...seen.entries()].map(([key, { method, variants }]) => {
    const [kind, text] = key.split('\u0000') as [string, string];
    return `${kind} (${methodName(method)}, ${listInWords(variants)}): ${text}`;
  });
}

/** Everything the templates print, computed once so the templates only lay it out. */
export function recordView(input: RecordInput) {
  const { decision, answers } = input;
  const methods = methodsInPlan(decision);
  const hybrid = methods.length > 1;
  const winner = decision.ranking.find((entry) => entry.method === decision.recommendation)!;
  const runnerUp = decision.runnerUp === null ? null : decision.ranking.find((entry) => entry.method === decision.runnerUp)!;

  // Questions the questionnaire skips for these answers (and an unset stack) say nothing about this API.
  const asked = QUESTIONS.filter(
    (question) => (question.key !== 'stack' || answers.stack !== undefined) && (question.askWhen === undefined || question.askWhen(answers)),
  );
  const drivers = asked.map((question) => {
    const value = answers[question.key] as unknown;
    const picked = (Array.isArray(value) ? value : [value]) as unknown[];
    const details = picked
      .map((item) => question.choices.find((choice) => choice.value === item)?.description)
      .filter((text): text is string => text !== undefined);
    return { label: question.label, answer: describeAnswer(question.key, value), details: details.join('; ') };
  });

  const options = decision.ranking.map((entry) => {
    const { label, boundaries } = standing(entry, decision);
    const status =
      label === 'also used' ? `used at ${listInWords(boundaries)}` : label === 'not for all callers' ? `${label}, used at ${listInWords(boundaries)}` : label;
    const rules = entry.excludedBy.map((id) => `\`${id}\``);
    return {
      name: methodName(entry.method),
      summary: METHODS[entry.method].summary,
      score: entry.score,
      status,
      arguments: prosAndCons(entry),
      rule:
        rules.length === 0
          ? null
          : boundaries.length > 0
            ? `${methodName(entry.method)} cannot serve every caller (${listInWords(rules)}), so the plan keeps ${plural(entry.method) ? 'them' : 'it'} to ${listInWords(boundaries)}.`
            : `${methodName(entry.method)} ${plural(entry.method) ? 'are' : 'is'} ruled out for this API by ${listInWords(rules)}.`,
    };
  });

  const consequences: string[] = [];
  for (const method of methods) {
    const profile = METHODS[method];
    const applicable = profile.bad.filter((item) => item.when === undefined || item.when(answers)).map((item) => item.text);
    const good = profile.good.slice(0, 2);
    const bad = applicable.slice(0, 2);
    const tag = hybrid ? ` (${profile.name})` : '';
    for (const text of good) consequences.push(`Good${tag}, because ${lowerFirst(text)}`);
    for (const text of bad) consequences.push(`Bad${tag}, because ${lowerFirst(text)}`);
  }
  if (decision.systems > 1) {
    consequences.push(
      `Bad, because the API runs ${decision.systems} auth systems side by side: each needs its own operation, and every boundary must refuse the other systems' credentials.`,
    );
  }

  const variantsInPlan = decision.plan.filter(
    (entry, index) => decision.plan.findIndex((other) => other.method === entry.method && other.variant === entry.variant) === index,
  );
  const confirmation = variantsInPlan.flatMap((entry) =>
    variantProfile(entry.method, entry.variant).confirmation.map(
      (check) => `${variantsInPlan.length > 1 ? `${describeVariant(entry.method, entry.variant)}: ` : ''}${check.text}`,
    ),
  );

  const plan = decision.plan.map((entry) => {
    const variant = variantProfile(entry.method, entry.variant);
    return {
      id: entry.id,
      callers: `${describeAnswer('subjects', entry.subjects)} (${describeAnswer('clients', entry.clients)})`,
      method: methodName(entry.method),
      variant: describeVariant(entry.method, entry.variant, entry.tokenFormat).slice(methodName(entry.method).length + 2),
      wire: variant.wireFormat,
      details: `${entry.why} Identity: ${lowerFirst(variant.identity)} Getting the credential: ${lowerFirst(variant.obtain)}`,
    };
  });

  const sensitivity = decision.sensitivity
    ? `The smallest single change that would change the recommendation: if ${QUESTIONS.find((q) => q.key === decision.sensitivity!.question)?.label ?? decision.sensitivity.question} went from "${describeAnswer(decision.sensitivity.question, decision.sensitivity.from)}" to "${describeAnswer(decision.sensitivity.question, decision.sensitivity.to)}", ${methodName(decision.sensitivity.newRecommendation)} would be recommended instead.`
    : 'No change to a single answer would change the recommendation.';
  const firmness =
    runnerUp === null
      ? ''
      : decision.closeCall
        ? `A close call: ${methodName(winner.method)} leads ${methodName(runnerUp.method)} by only ${points(decision.margin)}, so read the watch-outs of both before building; the review date is set earlier for the same reason. `
        : `Not a close call: the lead over ${methodName(runnerUp.method)} is ${points(decision.margin)}. `;

  const weightOf = (dimension: DimensionId) => decision.weights.find((weight) => weight.dimension === dimension)!;
  const marked = (entry: MethodScore) => {
    const { label } = standing(entry, decision);
    return label === 'not chosen' ? '' : ` (${label})`;
  };

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
    supersedes: input.supersedes ? { ...input.supersedes, padded: padNumber(input.supersedes.number) } : null,
    revisited: firedTriggers.length > 0 || revisitNotes.length > 0,
    firedTriggers,
    revisitNotes,
    subjectsInWords: listInWords(answers.subjects.map((subject) => SUBJECT_PHRASES[subject])),
    clientsInWords: listInWords(answers.clients.map((client) => CLIENT_PHRASES[client])),
    drivers,
    options,
    chosen: {
      name: methodName(winner.method),
      because:
        runnerUp === null
          ? `it is the only method that meets every hard rule of this API, with ${winner.score} of 100 points`
          : `it fits this API best, with ${winner.score} of 100 points against ${runnerUp.score} for ${methodName(runnerUp.method)}`,
    },
    reasons: decision.reasons.slice(1),
    planSize: describePlanSize(decision),
    planTable: plan.length > 1,
    plan,
    consequences,
    confirmation,
    defaults: defaultsLines(decision.plan),
    throttle: throttleSentence(),
    practices: practiceLines(decision.plan),
    groundRules: GROUND_RULES.join(' '),
    warnings: decision.warnings,
    analysis: {
      methods: decision.ranking.map((entry) => methodName(entry.method)),
      rows: DIMENSION_IDS.map((dimension) => {
        const weight = weightOf(dimension);
        return {
          dimension: DIMENSIONS[dimension].label,
          weight: weight.reasons.length > 0 ? `${weight.weight} (base ${weight.base}; ${weight.reasons.join('; ')})` : String(weight.weight),
          cells: decision.ranking.map((entry) => `${entry.ratings[dimension].score}/5: ${entry.dimensions[dimension]}`),
        };
      }),
      totals: decision.ranking.map((entry) => `${entry.score}${marked(entry)}`),
    },
    firmness: `${firmness}${sensitivity}`,
    reviewBy: input.reviewBy,
    triggerList: listInWords(
      TRIGGER_IDS.map((id) => `${lowerFirst(TRIGGERS[id].title)} (\`${id}\`)`),
      'or',
    ),
    methodsInWords: listInWords(methods.map(methodName)),
    chart: {
      labels: decision.ranking.map((entry) => JSON.stringify(`${methodName(entry.method)}${marked(entry)}`)).join(', '),
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
  return writeYaml(fields, { flow: blockFlow });
}

function commentBlock(input: RecordInput): string {
  return writeYaml({ ...blockFromInput(input) }, { inComment: true, flow: blockFlow });
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
