/**
 * Text and JSON views of a decision and of the knowledge base. Pure: values
 * in, strings or plain objects out. Colour comes in as a `Style`, so every
 * view reads the same with `plainStyle` (NO_COLOR) as with colour.
 */
import { describeVariant, DIMENSIONS, GROUND_RULES, METHODS, TOKEN_FORMAT_PROFILES, VARIANT_PROFILES, variantProfile, type VariantProfile } from './knowledge.js';
import { defaultRows, practices, throttleSentence } from './policy-text.js';
import { QUESTIONS, describeAnswer } from './questions.js';
import { DIMENSION_IDS, METHOD_IDS, TOKEN_FORMATS, type Answers, type Decision, type DimensionId, type MethodId, type MethodScore, type PlanEntry } from './types.js';

export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  /** The recommendation and headings. */
  accent(text: string): string;
  good(text: string): string;
  warn(text: string): string;
  bad(text: string): string;
}

const same = (text: string) => text;
export const plainStyle: Style = { bold: same, dim: same, accent: same, good: same, warn: same, bad: same };

const sgr = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
/** ANSI colours; the shell picks this or `plainStyle` from NO_COLOR / FORCE_COLOR / TTY. */
export const ansiStyle: Style = {
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  accent: sgr(36, 39),
  good: sgr(32, 39),
  warn: sgr(33, 39),
  bad: sgr(31, 39),
};

export const styleFor = (color: boolean): Style => (color ? ansiStyle : plainStyle);

export const REPORT_WIDTH = 80;

/** Greedy word wrap; `first` prefixes the first line, `rest` the others. */
export function wrap(text: string, width: number, first = '', rest = ' '.repeat(first.length)): string {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = rest + word;
    } else {
      line += (empty ? '' : ' ') + word;
    }
    empty = false;
  }
  lines.push(line);
  return lines.join('\n');
}

const pad = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - text.length));
const padStart = (text: string, width: number) => ' '.repeat(Math.max(0, width - text.length)) + text;

const methodName = (method: MethodId) => METHODS[method].name;
const dimensionLabel = (dimension: DimensionId) => DIMENSIONS[dimension].label;
const questionLabel = (key: string) => QUESTIONS.find((question) => question.key === key)?.label ?? key;

/** A 0–100 score as a bar of `width` cells. */
export function scoreBar(score: number, width: number): { filled: string; empty: string } {
  const cells = Math.max(0, Math.min(width, Math.round((score / 100) * width)));
  return { filled: '█'.repeat(cells), empty: '░'.repeat(width - cells) };
}

const bullets = (items: readonly string[], width: number, marker = '- ') =>
  items.map((item) => wrap(item, width, `  ${marker}`, '    ')).join('\n');

/** The answers in words, one per line: the summary shown before confirming. */
export function renderAnswersSummary(answers: Partial<Answers>, style: Style = plainStyle): string {
  const rows = QUESTIONS.filter((question) => question.key in answers || question.key === 'stack');
  const width = Math.max(...rows.map((question) => question.label.length));
  return rows
    .map((question) => `  ${style.dim(pad(question.label, width))}  ${describeAnswer(question.key, answers[question.key])}`)
    .join('\n');
}

/** How a ranking marks an excluded method: "ruled out", unless the plan still uses it at some boundary. */
export function exclusionLabel(method: MethodId, plan: readonly Pick<PlanEntry, 'method'>[]): string {
  return plan.some((entry) => entry.method === method) ? 'not for all callers' : 'ruled out';
}

function renderRanking(decision: Decision, style: Style): string {
  const nameWidth = Math.max(...decision.ranking.map((entry) => methodName(entry.method).length));
  return decision.ranking
    .map((entry, index) => {
      const bar = scoreBar(entry.score, 20);
      const excluded = entry.excluded ? ` ${style.bad(exclusionLabel(entry.method, decision.plan))}` : '';
      const name = pad(methodName(entry.method), nameWidth);
      const colour = index === 0 ? style.accent : same;
      return `  ${index + 1}. ${index === 0 ? style.bold(name) : name} ${padStart(String(entry.score), 3)} ${colour(bar.filled)}${style.dim(bar.empty)}${excluded}`;
    })
    .join('\n');
}

/** Rating and points each method earns per dimension, with the weight used; methods in ranking order. */
function renderDimensionTable(decision: Decision, style: Style): string {
  const methods = decision.ranking.map((entry) => entry.method);
  const labelWidth = 24;
  const columnWidth = 10;
  const weightOf = (dimension: DimensionId) => decision.weights.find((weight) => weight.dimension === dimension);
  const header = `  ${pad('Dimension', labelWidth)}${padStart('weight', 6)}${methods.map((method) => padStart(method, columnWidth)).join('')}`;
  const rows = DIMENSION_IDS.map((dimension) => {
    const weight = weightOf(dimension);
    const weightText = weight ? (Math.round(weight.weight * 100) / 100).toString() : '';
    const cells = decision.ranking.map((entry) => padStart(`${entry.ratings[dimension].score}/5 ${entry.dimensions[dimension]}`, columnWidth));
    return `  ${pad(dimensionLabel(dimension), labelWidth)}${padStart(weightText, 6)}${cells.join('')}`;
  });
  const total = `  ${pad('Total', labelWidth)}${padStart('', 6)}${decision.ranking.map((entry) => padStart(String(entry.score), columnWidth)).join('')}`;
  return [style.dim(header), ...rows, style.bold(total)].join('\n');
}

/** The sensitivity line: the smallest single change to an answer that flips the result. */
export function describeSensitivity(decision: Decision): string {
  const { sensitivity } = decision;
  if (!sensitivity) return 'No single changed answer would change the recommendation.';
  const from = describeAnswer(sensitivity.question, sensitivity.from);
  const to = describeAnswer(sensitivity.question, sensitivity.to);
  return `If "${questionLabel(sensitivity.question)}" were "${to}" instead of "${from}", ${methodName(sensitivity.newRecommendation)} would be recommended.`;
}

/** "3 boundaries, 2 auth systems" */
export function describePlanSize(decision: Pick<Decision, 'plan' | 'systems'>): string {
  const boundaries = decision.plan.length;
  return `${boundaries} ${boundaries === 1 ? 'boundary' : 'boundaries'}, ${decision.systems} auth ${decision.systems === 1 ? 'system' : 'systems'}`;
}

/** The terminal report of a decision; fits `width` columns. */
export function renderReport(decision: Decision, style: Style = plainStyle, width = REPORT_WIDTH): string {
  const winner = decision.ranking[0]!;
  const heading = (text: string) => style.bold(style.accent(text));
  const sections: string[] = [];

  sections.push(
    [
      `${style.bold('Recommendation:')} ${style.accent(style.bold(methodName(decision.recommendation)))} (${decision.recommendation})`,
      wrap(
        decision.runnerUp === null
          ? `Score ${winner.score}/100; the only method that meets every hard rule below.`
          : `Score ${winner.score}/100, ${decision.margin} ${decision.margin === 1 ? 'point' : 'points'} ahead of ${methodName(decision.runnerUp)}.`,
        width,
        '  ',
      ),
    ].join('\n'),
  );

  sections.push(`${heading('Ranking')}\n${renderRanking(decision, style)}`);
  sections.push(`${heading('Rating (1-5) and points per dimension')}\n${renderDimensionTable(decision, style)}`);

  const why = [...decision.reasons];
  if (decision.decidingDimensions.length > 0 && decision.runnerUp !== null) {
    const deciders = decision.decidingDimensions
      .map((entry) => `${dimensionLabel(entry.dimension).toLowerCase()} (+${entry.points})`)
      .join(', ');
    why.push(`Against ${methodName(decision.runnerUp)}, it gained most on ${deciders}.`);
  }
  sections.push(`${heading('Why')}\n${bullets(why, width)}`);

  const moved = decision.weights.filter((weight) => weight.reasons.length > 0);
  if (moved.length > 0) {
    const lines = moved.map(
      (weight) => `${dimensionLabel(weight.dimension)} ${weight.base} → ${Math.round(weight.weight * 100) / 100}: ${weight.reasons.join('; ')}`,
    );
    sections.push(`${heading('Weights that moved')}\n${bullets(lines, width)}`);
  }

  const confidence = [
    ...(decision.closeCall && decision.runnerUp !== null
      ? [
          style.warn(
            `Close call: ${methodName(decision.recommendation)} leads ${methodName(decision.runnerUp)} by only ${decision.margin} ${decision.margin === 1 ? 'point' : 'points'}; read the watch-outs of both before committing.`,
          ),
        ]
      : []),
    `Sensitivity: ${describeSensitivity(decision)}`,
  ];
  sections.push(`${heading('How firm is it')}\n${bullets(confidence, width)}`);

  if (decision.warnings.length > 0) sections.push(`${heading('Watch out for')}\n${bullets(decision.warnings, width)}`);

  const plan = decision.plan.map((entry) =>
    [
      wrap(`${style.bold(`[${entry.id}]`)} ${describeVariant(entry.method, entry.variant, entry.tokenFormat)}`, width + (style.bold('x').length - 1), '  - ', '    '),
      wrap(`Callers: ${describeAnswer('subjects', entry.subjects)} (${describeAnswer('clients', entry.clients)})`, width, '    ', '      '),
      wrap(`Boundary: ${entry.boundary}`, width, '    ', '      '),
      wrap(`Sends: ${variantProfile(entry.method, entry.variant).wireFormat}`, width, '    ', '      '),
      wrap(`Why: ${entry.why}`, width, '    ', '      '),
    ].join('\n'),
  );
  sections.push(`${heading(`Plan: ${describePlanSize(decision)}`)}\n${plan.join('\n')}`);

  return `${sections.join('\n\n')}\n`;
}

/** What `--json` says about the record. */
export interface RecordOutcome {
  /** Relative to the working directory, `/`-separated. */
  path: string;
  written: boolean;
  /** The record's text, in a dry run. */
  content?: string;
}

const inDimensionOrder = <T>(values: Record<DimensionId, T>) =>
  Object.fromEntries(DIMENSION_IDS.map((dimension) => [dimension, values[dimension]])) as Record<DimensionId, T>;

/**
 * One ranking entry as every `--json` document prints it (`decide`,
 * `revisit`, `explain --answers`): the same keys, in the same order.
 */
export function rankingDocument(entry: MethodScore) {
  return {
    method: entry.method,
    score: entry.score,
    excluded: entry.excluded,
    excludedBy: [...entry.excludedBy],
    dimensions: inDimensionOrder(entry.dimensions),
    ratings: inDimensionOrder(Object.fromEntries(DIMENSION_IDS.map((dimension) => [dimension, entry.ratings[dimension].score])) as Record<DimensionId, number>),
  };
}

/** One plan entry as every `--json` document prints it. */
export function planDocument(entry: PlanEntry) {
  return {
    id: entry.id,
    subjects: [...entry.subjects],
    clients: [...entry.clients],
    method: entry.method,
    variant: entry.variant,
    tokenFormat: entry.tokenFormat,
    boundary: entry.boundary,
    why: entry.why,
  };
}

/**
 * The `--json` document. Keys are built in a fixed order so the same decision
 * always serialises to the same bytes.
 */
export function decisionDocument(decision: Decision, answers: Answers, record: RecordOutcome | null) {
  return {
    recommendation: decision.recommendation,
    ranking: decision.ranking.map(rankingDocument),
    plan: decision.plan.map(planDocument),
    systems: decision.systems,
    warnings: [...decision.warnings],
    runnerUp: decision.runnerUp,
    margin: decision.margin,
    closeCall: decision.closeCall,
    decidingDimensions: decision.decidingDimensions.map((entry) => ({ dimension: entry.dimension, points: entry.points })),
    sensitivity: decision.sensitivity
      ? {
          question: decision.sensitivity.question,
          from: decision.sensitivity.from,
          to: decision.sensitivity.to,
          newRecommendation: decision.sensitivity.newRecommendation,
        }
      : null,
    reasons: [...decision.reasons],
    constraints: decision.constraints.map((constraint) => ({
      id: constraint.id,
      method: constraint.method,
      effect: constraint.effect,
      reason: constraint.reason,
    })),
    weights: decision.weights.map((weight) => ({
      dimension: weight.dimension,
      base: weight.base,
      weight: weight.weight,
      reasons: [...weight.reasons],
    })),
    answers: answersInOrder(answers),
    record: record ? { path: record.path, written: record.written, ...(record.content === undefined ? {} : { content: record.content }) } : null,
  };
}

/** Answers with keys in questionnaire order. */
export function answersInOrder(answers: Partial<Answers>): Partial<Answers> {
  const ordered: Record<string, unknown> = {};
  for (const question of QUESTIONS) {
    const value = answers[question.key];
    if (value !== undefined) ordered[question.key] = Array.isArray(value) ? [...value] : value;
  }
  return ordered as Partial<Answers>;
}

// ---- explain ---------------------------------------------------------------

const RATING_WORDS = ['', 'poor', 'weak', 'fair', 'good', 'strong'] as const;
const ratingBar = (score: number) => `${'●'.repeat(score)}${'○'.repeat(5 - score)}`;

/** How one method fared for a particular set of answers, for `explain --answers`. */
export interface ScoredContext {
  decision: Decision;
}

const scoredEntry = (context: ScoredContext, method: MethodId) => context.decision.ranking.find((entry) => entry.method === method)!;

/** A variant in words: what it is, what a client sends, how it gets it, and the defaults the code uses. */
function renderVariant(variant: VariantProfile, width: number, style: Style): string {
  const rows = defaultRows(variant.method, variant.id, null);
  const { rotation, revocation } = practices(variant.method, variant.id, null);
  return [
    `  ${style.bold(variant.name)}${variant.name === variant.id ? '' : ` (${variant.id})`}`,
    wrap(variant.summary, width, '    '),
    wrap(`Sends: ${variant.wireFormat}`, width, '    ', '      '),
    wrap(`Gets it: ${variant.obtain}`, width, '    ', '      '),
    wrap(`Identity: ${variant.identity}`, width, '    ', '      '),
    '    Defaults (changeable within the range):',
    ...rows.map((row) => wrap(`${row.label}: ${row.value}${row.range === null ? '' : ` (${row.range})`}`, width, '      - ', '        ')),
    wrap(`Rotation: ${rotation}`, width, '    ', '      '),
    wrap(`Revocation: ${revocation}`, width, '    ', '      '),
    '    Checks:',
    ...variant.confirmation.map((check) => wrap(check.text, width, '      - ', '        ')),
  ].join('\n');
}

/** What the knowledge base says about one method; with answers, the ratings as scored for them. */
export function renderMethodProfile(method: MethodId, style: Style = plainStyle, width = REPORT_WIDTH, scored?: ScoredContext): string {
  const profile = METHODS[method];
  const heading = (text: string) => style.bold(style.accent(text));
  const labelWidth = Math.max(...DIMENSION_IDS.map((dimension) => dimensionLabel(dimension).length));
  const entry = scored ? scoredEntry(scored, method) : undefined;
  const ratings = DIMENSION_IDS.map((dimension) => {
    const rating = entry ? entry.ratings[dimension] : { ...profile.ratings[dimension], contextual: false };
    const head = `  ${pad(dimensionLabel(dimension), labelWidth)}  ${ratingBar(rating.score)} ${pad(RATING_WORDS[rating.score] ?? '', 6)}${rating.contextual ? ' (for your answers)' : ''}`.trimEnd();
    return `${head}\n${wrap(rating.rationale, width, '    ')}`;
  });
  const sections = [
    `${style.bold(profile.name)} (${profile.id})\n${wrap(profile.summary, width, '  ')}`,
    `${heading(entry ? 'Ratings for your answers (1 poor … 5 strong)' : 'Ratings (1 poor … 5 strong)')}\n${ratings.join('\n')}`,
    `${heading('Best fit')}\n${wrap(`Callers: ${describeAnswer('subjects', profile.bestFitSubjects)}`, width, '  ')}\n${wrap(`Clients: ${describeAnswer('clients', profile.bestFitClients)}`, width, '  ')}\n${bullets(profile.useWhen, width)}\n${wrap(`Example: ${profile.example}`, width, '  ')}`,
    `${heading('Variants')}\n${Object.values(VARIANT_PROFILES[method] as Record<string, VariantProfile>)
      .map((variant) => renderVariant(variant, width, style))
      .join('\n')}`,
  ];
  if (method === 'oauth') {
    sections.push(`${heading('Access-token formats')}\n${bullets(TOKEN_FORMATS.map((format) => `${format}: ${TOKEN_FORMAT_PROFILES[format].summary}`), width)}`);
  }
  sections.push(`${heading('Watch out for')}\n${bullets(profile.watchOutFor, width)}`);
  if (entry && scored) {
    const boundaries = scored.decision.plan.filter((candidate) => candidate.method === method);
    const lines = [
      `Score ${entry.score}/100, rank ${scored.decision.ranking.indexOf(entry) + 1} of ${scored.decision.ranking.length}.`,
      ...(entry.excluded ? [`Cannot serve every caller (${entry.excludedBy.join(', ')}).`] : []),
      boundaries.length > 0
        ? `The plan uses it at ${boundaries.map((candidate) => `${candidate.id} (${variantProfile(candidate.method, candidate.variant).name})`).join(', ')}.`
        : 'The plan does not use it.',
    ];
    sections.push(`${heading('For your answers')}\n${bullets(lines, width)}`);
  }
  return `${sections.join('\n\n')}\n`;
}

/** The method × dimension matrix of ratings; with answers, the ratings and scores as scored for them. */
export function renderMatrix(style: Style = plainStyle, scored?: ScoredContext): string {
  const labelWidth = 26;
  const columnWidth = 10;
  const ratingOf = (method: MethodId, dimension: DimensionId) =>
    scored ? scoredEntry(scored, method).ratings[dimension].score : METHODS[method].ratings[dimension].score;
  const header = `${pad('Dimension', labelWidth)}${METHOD_IDS.map((method) => padStart(method, columnWidth)).join('')}`;
  const rows = DIMENSION_IDS.map(
    (dimension) => `${pad(dimensionLabel(dimension), labelWidth)}${METHOD_IDS.map((method) => padStart(`${ratingOf(method, dimension)}/5`, columnWidth)).join('')}`,
  );
  const scoreRows = scored
    ? [
        `${pad('Score for your answers', labelWidth)}${METHOD_IDS.map((method) => padStart(String(scoredEntry(scored, method).score), columnWidth)).join('')}`,
        ...METHOD_IDS.filter((method) => scoredEntry(scored, method).excluded).map((method) =>
          wrap(`${method}: ${exclusionLabel(method, scored.decision.plan)} (${scoredEntry(scored, method).excludedBy.join(', ')})`, REPORT_WIDTH),
        ),
      ]
    : [];
  return [
    style.bold(scored ? 'Ratings for your answers (1 poor … 5 strong)' : 'Ratings by method and dimension (1 poor … 5 strong)'),
    '',
    style.dim(header),
    ...rows,
    ...scoreRows,
    '',
    ...METHOD_IDS.map((method) => wrap(METHODS[method].summary, REPORT_WIDTH, pad(method, 9), ' '.repeat(9))),
    '',
    style.bold('Whatever the method'),
    ...GROUND_RULES.map((rule) => wrap(rule, REPORT_WIDTH, '- ', '  ')),
    wrap(throttleSentence(), REPORT_WIDTH, '- ', '  '),
    '',
    wrap('Run `auth-decide explain <method>` for the reasons behind each rating and the variants.', REPORT_WIDTH),
    '',
  ].join('\n');
}

function variantDocument(variant: VariantProfile) {
  const { rotation, revocation } = practices(variant.method, variant.id, null);
  return {
    id: variant.id,
    name: variant.name,
    summary: variant.summary,
    wireFormat: variant.wireFormat,
    obtain: variant.obtain,
    identity: variant.identity,
    defaults: defaultRows(variant.method, variant.id, null).map((row) => ({ key: row.key, label: row.label, value: row.value, range: row.range })),
    rotation,
    revocation,
    confirmation: variant.confirmation.map((check) => ({ id: check.id, text: check.text })),
  };
}

/** `explain --json` for one method, keys in a fixed order; with answers, how it fared for them. */
export function methodDocument(method: MethodId, scored?: ScoredContext) {
  const profile = METHODS[method];
  return {
    id: profile.id,
    name: profile.name,
    summary: profile.summary,
    ratings: Object.fromEntries(
      DIMENSION_IDS.map((dimension) => [dimension, { score: profile.ratings[dimension].score, rationale: profile.ratings[dimension].rationale }]),
    ),
    bestFitSubjects: [...profile.bestFitSubjects],
    bestFitClients: [...profile.bestFitClients],
    useWhen: [...profile.useWhen],
    example: profile.example,
    watchOutFor: [...profile.watchOutFor],
    good: [...profile.good],
    bad: profile.bad.map((item) => item.text),
    variants: Object.values(VARIANT_PROFILES[method] as Record<string, VariantProfile>).map(variantDocument),
    tokenFormats: method === 'oauth' ? TOKEN_FORMATS.map((format) => ({ id: format, ...TOKEN_FORMAT_PROFILES[format] })) : [],
    ...(scored
      ? {
          scored: rankingDocument(scoredEntry(scored, method)),
          plan: scored.decision.plan.filter((entry) => entry.method === method).map(planDocument),
        }
      : {}),
  };
}

/** `explain --json` without a method: dimensions, the ratings matrix and the ground rules; with answers, the ranking too. */
export function matrixDocument(scored?: ScoredContext) {
  return {
    dimensions: DIMENSION_IDS.map((dimension) => ({
      id: dimension,
      label: DIMENSIONS[dimension].label,
      question: DIMENSIONS[dimension].question,
    })),
    methods: METHOD_IDS.map((method) => ({
      id: method,
      name: METHODS[method].name,
      summary: METHODS[method].summary,
      variants: Object.keys(VARIANT_PROFILES[method]),
      ratings: Object.fromEntries(DIMENSION_IDS.map((dimension) => [dimension, METHODS[method].ratings[dimension].score])),
    })),
    groundRules: [...GROUND_RULES, throttleSentence()],
    ...(scored
      ? {
          recommendation: scored.decision.recommendation,
          ranking: scored.decision.ranking.map(rankingDocument),
          plan: scored.decision.plan.map(planDocument),
          systems: scored.decision.systems,
        }
      : {}),
  };
}
