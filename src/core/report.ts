/**
 * Text and JSON views of a decision and of the knowledge base. Pure: values
 * in, strings or plain objects out. Colour comes in as a `Style`, so every
 * view reads the same with `plainStyle` (NO_COLOR) as with colour.
 */
import { DIMENSIONS, METHODS } from './knowledge.js';
import { QUESTIONS, describeAnswer } from './questions.js';
import { DIMENSION_IDS, METHOD_IDS, type Answers, type Decision, type DimensionId, type MethodId, type MethodScore } from './types.js';

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

function renderRanking(ranking: readonly MethodScore[], style: Style): string {
  const nameWidth = Math.max(...ranking.map((entry) => methodName(entry.method).length));
  return ranking
    .map((entry, index) => {
      const bar = scoreBar(entry.score, 30);
      const excluded = entry.excludedBy?.length ? ` ${style.bad('ruled out')}` : '';
      const name = pad(methodName(entry.method), nameWidth);
      const colour = index === 0 ? style.accent : same;
      return `  ${index + 1}. ${index === 0 ? style.bold(name) : name} ${padStart(String(entry.score), 3)} ${colour(bar.filled)}${style.dim(bar.empty)}${excluded}`;
    })
    .join('\n');
}

/** Points each method earns per dimension, with the weight used; methods in ranking order. */
function renderDimensionTable(decision: Decision, style: Style): string {
  const methods = decision.ranking.map((entry) => entry.method);
  const labelWidth = 26;
  const columnWidth = 9;
  const weightOf = (dimension: DimensionId) => decision.weights.find((weight) => weight.dimension === dimension);
  const header = `  ${pad('Dimension', labelWidth)}${padStart('weight', 7)}${methods.map((method) => padStart(method, columnWidth)).join('')}`;
  const rows = DIMENSION_IDS.map((dimension) => {
    const weight = weightOf(dimension);
    const weightText = weight ? (Math.round(weight.weight * 100) / 100).toString() : '';
    const cells = decision.ranking.map((entry) => padStart(String(Math.round(entry.dimensions[dimension] * 10) / 10), columnWidth));
    return `  ${pad(dimensionLabel(dimension), labelWidth)}${padStart(weightText, 7)}${cells.join('')}`;
  });
  const total = `  ${pad('Total', labelWidth)}${padStart('', 7)}${decision.ranking.map((entry) => padStart(String(entry.score), columnWidth)).join('')}`;
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

/** The terminal report of a decision; fits `width` columns. */
export function renderReport(decision: Decision, style: Style = plainStyle, width = REPORT_WIDTH): string {
  const winner = decision.ranking[0]!;
  const heading = (text: string) => style.bold(style.accent(text));
  const sections: string[] = [];

  sections.push(
    [
      `${style.bold('Recommendation:')} ${style.accent(style.bold(methodName(decision.recommendation)))} (${decision.recommendation})`,
      wrap(
        decision.ranking.slice(1).every((entry) => entry.excludedBy?.length)
          ? `Score ${winner.score}/100; the only method that meets every hard rule below.`
          : `Score ${winner.score}/100, ${decision.margin} ${decision.margin === 1 ? 'point' : 'points'} ahead of ${methodName(decision.runnerUp)}.`,
        width,
        '  ',
      ),
    ].join('\n'),
  );

  sections.push(`${heading('Ranking')}\n${renderRanking(decision.ranking, style)}`);
  sections.push(`${heading('Points per dimension')}\n${renderDimensionTable(decision, style)}`);

  const why = [...decision.reasons];
  if (decision.decidingDimensions.length > 0) {
    const deciders = decision.decidingDimensions
      .map((entry) => `${dimensionLabel(entry.dimension).toLowerCase()} (+${Math.round(entry.points * 10) / 10})`)
      .join(', ');
    why.push(`Against ${methodName(decision.runnerUp)}, it gained most on ${deciders}.`);
  }
  sections.push(`${heading('Why')}\n${bullets(why, width)}`);

  // One line per distinct rule, naming every method it hit, so three exclusions for one reason read once.
  const grouped = new Map<string, { effect: string; reason: string; methods: MethodId[] }>();
  for (const constraint of decision.constraints) {
    const key = `${constraint.effect}\u0000${constraint.reason}`;
    const group = grouped.get(key) ?? { effect: constraint.effect, reason: constraint.reason, methods: [] };
    group.methods.push(constraint.method);
    grouped.set(key, group);
  }
  const rules = [...grouped.values()].map(
    (group) => `${group.methods.map(methodName).join(', ')} ${group.effect}: ${group.reason}`,
  );
  if (rules.length > 0) sections.push(`${heading('Rules applied')}\n${bullets(rules, width)}`);

  const moved = decision.weights.filter((weight) => weight.reasons.length > 0);
  if (moved.length > 0) {
    const lines = moved.map(
      (weight) => `${dimensionLabel(weight.dimension)} ${weight.base} → ${Math.round(weight.weight * 100) / 100}: ${weight.reasons.join('; ')}`,
    );
    sections.push(`${heading('Weights that moved')}\n${bullets(lines, width)}`);
  }

  const confidence = [
    ...(decision.closeCall
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
      wrap(
        `${style.bold(methodName(entry.method))} for ${describeAnswer('subjects', entry.subjects)} (${describeAnswer('clients', entry.clients)})`,
        width + (style.bold('x').length - 1),
        '  - ',
        '    ',
      ),
      wrap(`Boundary: ${entry.boundary}`, width, '    '),
      wrap(`Why: ${entry.why}`, width, '    '),
    ].join('\n'),
  );
  sections.push(`${heading(decision.plan.length > 1 ? 'Plan: one method per boundary' : 'Plan')}\n${plan.join('\n')}`);

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

const dimensionsInOrder = (dimensions: Record<DimensionId, number>) =>
  Object.fromEntries(DIMENSION_IDS.map((dimension) => [dimension, dimensions[dimension]])) as Record<DimensionId, number>;

/**
 * The `--json` document. Keys are built in a fixed order so the same decision
 * always serialises to the same bytes.
 */
export function decisionDocument(decision: Decision, answers: Answers, record: RecordOutcome | null) {
  return {
    recommendation: decision.recommendation,
    ranking: decision.ranking.map((entry) => ({
      method: entry.method,
      score: entry.score,
      dimensions: dimensionsInOrder(entry.dimensions),
      ...(entry.excludedBy?.length ? { excludedBy: [...entry.excludedBy] } : {}),
    })),
    plan: decision.plan.map((entry) => ({
      subjects: [...entry.subjects],
      clients: [...entry.clients],
      method: entry.method,
      boundary: entry.boundary,
      why: entry.why,
    })),
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

/** What the knowledge base says about one method. */
export function renderMethodProfile(method: MethodId, style: Style = plainStyle, width = REPORT_WIDTH): string {
  const profile = METHODS[method];
  const heading = (text: string) => style.bold(style.accent(text));
  const labelWidth = Math.max(...DIMENSION_IDS.map((dimension) => dimensionLabel(dimension).length));
  const ratings = DIMENSION_IDS.map((dimension) => {
    const rating = profile.ratings[dimension];
    const head = `  ${pad(dimensionLabel(dimension), labelWidth)}  ${ratingBar(rating.score)} ${pad(RATING_WORDS[rating.score] ?? '', 6)}`;
    return `${head}\n${wrap(rating.rationale, width, '    ')}`;
  });
  const defaults = profile.defaults;
  const sections = [
    `${style.bold(profile.name)} (${profile.id})\n${wrap(profile.summary, width, '  ')}\n${wrap(`Sent as: ${profile.wireFormat}`, width, '  ')}`,
    `${heading('Ratings (1 poor … 5 strong)')}\n${ratings.join('\n')}`,
    `${heading('Best fit')}\n${wrap(`Callers: ${describeAnswer('subjects', profile.bestFitSubjects)}`, width, '  ')}\n${wrap(`Clients: ${describeAnswer('clients', profile.bestFitClients)}`, width, '  ')}\n${bullets(profile.useWhen, width)}\n${wrap(`Example: ${profile.example}`, width, '  ')}`,
    `${heading('Watch out for')}\n${bullets(profile.watchOutFor, width)}`,
    `${heading('Defaults a decision record starts from')}\n${wrap(`Identity: ${defaults.identity}`, width, '  ')}\n` +
      [
        ['Lifetimes', defaults.lifetimes],
        ['Rotation', defaults.rotation],
        ['Revocation', defaults.revocation],
        ['Confirmation', defaults.confirmation],
      ]
        .map(([label, items]) => `  ${label as string}:\n${bullets(items as string[], width, '  - ')}`)
        .join('\n'),
  ];
  return `${sections.join('\n\n')}\n`;
}

/** The method × dimension matrix of ratings. */
export function renderMatrix(style: Style = plainStyle): string {
  const labelWidth = 26;
  const columnWidth = 10;
  const header = `${pad('Dimension', labelWidth)}${METHOD_IDS.map((method) => padStart(method, columnWidth)).join('')}`;
  const rows = DIMENSION_IDS.map(
    (dimension) =>
      `${pad(dimensionLabel(dimension), labelWidth)}${METHOD_IDS.map((method) => padStart(`${METHODS[method].ratings[dimension].score}/5`, columnWidth)).join('')}`,
  );
  return [
    style.bold('Ratings by method and dimension (1 poor … 5 strong)'),
    '',
    style.dim(header),
    ...rows,
    '',
    ...METHOD_IDS.map((method) => wrap(METHODS[method].summary, REPORT_WIDTH, pad(method, 9), ' '.repeat(9))),
    '',
    'Run `auth-decide explain <method>` for the reasons behind each rating.',
    '',
  ].join('\n');
}

/** `explain --json` for one method, keys in a fixed order. */
export function methodDocument(method: MethodId) {
  const profile = METHODS[method];
  return {
    id: profile.id,
    name: profile.name,
    summary: profile.summary,
    wireFormat: profile.wireFormat,
    ratings: Object.fromEntries(
      DIMENSION_IDS.map((dimension) => [dimension, { score: profile.ratings[dimension].score, rationale: profile.ratings[dimension].rationale }]),
    ),
    bestFitSubjects: [...profile.bestFitSubjects],
    bestFitClients: [...profile.bestFitClients],
    useWhen: [...profile.useWhen],
    example: profile.example,
    watchOutFor: [...profile.watchOutFor],
    good: [...profile.good],
    bad: [...profile.bad],
    defaults: {
      identity: profile.defaults.identity,
      lifetimes: [...profile.defaults.lifetimes],
      rotation: [...profile.defaults.rotation],
      revocation: [...profile.defaults.revocation],
      confirmation: [...profile.defaults.confirmation],
    },
  };
}

/** `explain --json` without a method: dimensions and the ratings matrix. */
export function matrixDocument() {
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
      ratings: Object.fromEntries(DIMENSION_IDS.map((dimension) => [dimension, METHODS[method].ratings[dimension].score])),
    })),
  };
}
