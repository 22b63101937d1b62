/**
 * Revisiting a recorded auth decision: pure functions only. The shell finds
 * the record, asks the questions and writes files; everything that can be
 * computed from values lives here.
 */
import { decide } from './engine.js';
import { describeVariant, METHODS, TRIGGERS, variantProfile } from './knowledge.js';
import { describeAnswer, QUESTION_ORDER, questionFor } from './questions.js';
import { exclusionLabel, planDocument, plainStyle, rankingDocument, REPORT_WIDTH, wrap, type Style } from './report.js';
import { parseAnswers, type AnswersPatch, type InputProblem } from './schema.js';
import {
  METHOD_IDS,
  TRIGGER_IDS,
  type AnswerKey,
  type Answers,
  type Decision,
  type MethodId,
  type PlanEntry,
  type TriggerId,
  type Variant,
} from './types.js';

/** The order questions are asked in `decide`; revisit keeps it. */
export const ANSWER_ORDER: readonly AnswerKey[] = QUESTION_ORDER;

export function isTriggerId(value: string): value is TriggerId {
  return (TRIGGER_IDS as readonly string[]).includes(value);
}

/** Canonical order, no repeats; unknown ids are reported, not dropped. */
export function parseTriggerIds(values: readonly string[]): { triggers: TriggerId[]; unknown: string[] } {
  const unknown = values.filter((value) => !isTriggerId(value));
  const triggers = TRIGGER_IDS.filter((id) => values.includes(id));
  return { triggers, unknown };
}

/** The questions the fired triggers may have changed, in questionnaire order. */
export function touchedQuestions(triggers: readonly TriggerId[]): AnswerKey[] {
  const touched = new Set<AnswerKey>(triggers.flatMap((id) => TRIGGERS[id].touches));
  return ANSWER_ORDER.filter((key) => touched.has(key));
}

/** Which triggers would re-ask this question (used to explain an answers file that goes beyond them). */
export function triggersTouching(key: AnswerKey): TriggerId[] {
  return TRIGGER_IDS.filter((id) => TRIGGERS[id].touches.includes(key));
}

/**
 * Lays the changed fields over the stored answers and validates the result as
 * a whole, so a merge can never produce answers `decide` would reject.
 */
export function mergeAnswers(
  stored: Answers,
  patch: AnswersPatch,
): { ok: true; value: Answers } | { ok: false; problems: InputProblem[] } {
  const merged: Record<string, unknown> = { ...stored };
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined) merged[key] = value;
  }
  return parseAnswers(merged);
}

const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Answers whose value differs, in questionnaire order. */
export function changedAnswers(before: Answers, after: Answers): { question: AnswerKey; from: unknown; to: unknown }[] {
  return ANSWER_ORDER.filter((key) => !sameValue(before[key], after[key])).map((question) => ({
    question,
    from: before[question],
    to: after[question],
  }));
}

/** A decision as `revisit --json` prints it: ranking and plan entries in the same shape as `decide --json`. */
export interface DecisionSummary {
  recommendation: MethodId;
  ranking: ReturnType<typeof rankingDocument>[];
  plan: ReturnType<typeof planDocument>[];
  systems: number;
}

export function summarise(decision: Decision): DecisionSummary {
  return {
    recommendation: decision.recommendation,
    ranking: decision.ranking.map(rankingDocument),
    plan: decision.plan.map(planDocument),
    systems: decision.systems,
  };
}

/** One changed answer and what it did to each method's score when applied on its own. */
export interface AnswerEffect {
  question: AnswerKey;
  from: unknown;
  to: unknown;
  /** Score points per method (new − old), with only this answer changed. */
  scoreDeltas: Record<MethodId, number>;
  /** The recommendation with only this answer changed. */
  recommendationAlone: MethodId;
}

export interface DecisionComparison {
  before: DecisionSummary;
  after: DecisionSummary;
  /** Score points per method, all changes together (new − old). */
  scoreDeltas: Record<MethodId, number>;
  effects: AnswerEffect[];
  /**
   * `changed` when the recommendation differs or the plan now uses a different
   * set of methods or variants; in each case the record no longer describes
   * the code the API should run.
   */
  outcome: 'same' | 'changed';
  methodsAdded: MethodId[];
  methodsRetired: MethodId[];
  /** Method and variant pairs the plan gained or lost, e.g. `{ method: 'oauth', variant: 'device-code' }`. */
  variantsAdded: VariantInUse[];
  variantsRetired: VariantInUse[];
}

export interface VariantInUse {
  method: MethodId;
  variant: Variant;
}

/** The method and variant pairs of a plan, each once, in plan order. */
export function variantsInUse(plan: readonly Pick<PlanEntry, 'method' | 'variant'>[]): VariantInUse[] {
  const pairs: VariantInUse[] = [];
  for (const entry of plan) {
    if (!pairs.some((pair) => pair.method === entry.method && pair.variant === entry.variant)) pairs.push({ method: entry.method, variant: entry.variant });
  }
  return pairs;
}

const samePair = (a: VariantInUse) => (b: VariantInUse) => a.method === b.method && a.variant === b.variant;

const scoreOf = (decision: Decision, method: MethodId): number =>
  decision.ranking.find((entry) => entry.method === method)?.score ?? 0;

const deltas = (before: Decision, after: Decision): Record<MethodId, number> =>
  Object.fromEntries(METHOD_IDS.map((m) => [m, scoreOf(after, m) - scoreOf(before, m)])) as Record<MethodId, number>;

/** Methods a decision relies on: the recommendation first, then the plan's others in plan order. */
export function methodsInUse(decision: { recommendation: MethodId; plan: readonly { method: MethodId }[] }): MethodId[] {
  return [...new Set<MethodId>([decision.recommendation, ...decision.plan.map((entry) => entry.method)])];
}

/**
 * Re-scores the old answers with one changed answer at a time, so the report
 * can say which answer moved which score. Interactions between answers mean
 * the single effects need not add up to the total; the total is reported too.
 */
export function compareDecisions(
  beforeAnswers: Answers,
  afterAnswers: Answers,
  options: {
    /**
     * What the record says was decided. The outcome is judged against it, not
     * against a re-score of the old answers: if a newer auth-decide scores the
     * same answers differently, the record no longer matches the advice either.
     */
    recorded?: Pick<Decision, 'recommendation'> & { plan: Pick<PlanEntry, 'method' | 'variant'>[] };
    score?: (answers: Answers) => Decision;
  } = {},
): DecisionComparison & { beforeDecision: Decision; afterDecision: Decision } {
  const score = options.score ?? decide;
  const beforeDecision = score(beforeAnswers);
  const afterDecision = score(afterAnswers);
  const effects = changedAnswers(beforeAnswers, afterAnswers).map(({ question, from, to }) => {
    const single = { ...beforeAnswers, [question]: to } as Answers;
    if (to === undefined) delete single[question];
    const singleDecision = score(single);
    return {
      question,
      from,
      to,
      scoreDeltas: deltas(beforeDecision, singleDecision),
      recommendationAlone: singleDecision.recommendation,
    };
  });
  const recorded = options.recorded ?? beforeDecision;
  const oldMethods = methodsInUse(recorded);
  const newMethods = methodsInUse(afterDecision);
  const methodsAdded = newMethods.filter((m) => !oldMethods.includes(m));
  const methodsRetired = oldMethods.filter((m) => !newMethods.includes(m));
  const oldVariants = variantsInUse(recorded.plan);
  const newVariants = variantsInUse(afterDecision.plan);
  const variantsAdded = newVariants.filter((pair) => !oldVariants.some(samePair(pair)));
  const variantsRetired = oldVariants.filter((pair) => !newVariants.some(samePair(pair)));
  const changed =
    recorded.recommendation !== afterDecision.recommendation ||
    methodsAdded.length > 0 ||
    methodsRetired.length > 0 ||
    variantsAdded.length > 0 ||
    variantsRetired.length > 0;
  return {
    before: summarise(beforeDecision),
    after: summarise(afterDecision),
    scoreDeltas: deltas(beforeDecision, afterDecision),
    effects,
    outcome: changed ? 'changed' : 'same',
    methodsAdded,
    methodsRetired,
    variantsAdded,
    variantsRetired,
    beforeDecision,
    afterDecision,
  };
}

export interface MigrationStep {
  phase: 'side-by-side' | 'move-clients' | 'retire';
  title: string;
  details: string[];
}

export interface MigrationPlan {
  from: MethodId[];
  to: MethodId[];
  steps: MigrationStep[];
}

const nameOf = (method: MethodId): string => METHODS[method].name;
/** "OAuth 2 (authorization code)": a method and variant inside a sentence. */
const withVariant = (method: MethodId, variant: Variant): string => `${nameOf(method)} (${variantProfile(method, variant).name})`;

/** What a method hands out, for sentences such as "stop issuing …". */
const CREDENTIALS: Record<MethodId, string> = {
  'api-key': 'new API keys',
  oauth: 'new OAuth tokens and client registrations',
  jwt: 'new JWTs',
  session: 'new sessions',
};
const list = (items: readonly string[]): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;

/**
 * What the new plan adds, in words: each method it did not use before, then
 * each new variant of a method already in use, e.g. "OAuth 2 and Server-side
 * sessions (session token)"; null when it adds nothing (it only drops).
 */
export function describePlanAdditions(comparison: Pick<DecisionComparison, 'methodsAdded' | 'variantsAdded'>): string | null {
  const variants = comparison.variantsAdded.filter((pair) => !comparison.methodsAdded.includes(pair.method));
  const items = [...comparison.methodsAdded.map(nameOf), ...variants.map((pair) => withVariant(pair.method, pair.variant))];
  return items.length === 0 ? null : list(items);
}

/**
 * The incremental path from the old decision to the new one: accept both
 * credentials at each boundary that changes, move clients over group by
 * group, and only then switch the old method off. Never a big-bang cut-over.
 */
export function migrationPlan(
  before: { recommendation: MethodId; plan: readonly Pick<PlanEntry, 'id' | 'subjects' | 'clients' | 'method' | 'variant'>[] },
  after: Pick<Decision, 'recommendation' | 'plan'>,
): MigrationPlan {
  const from = methodsInUse(before);
  const to = methodsInUse(after);
  const retired = from.filter((m) => !to.includes(m));
  const added = to.filter((m) => !from.includes(m));
  // Each new boundary is matched to the old one with the same id, else to one that served the same kind of caller.
  const boundaries = after.plan.map((entry) => {
    const previous =
      before.plan.find((old) => old.id === entry.id) ??
      before.plan.find((old) => old.subjects.some((s) => entry.subjects.includes(s))) ??
      // One method for every caller before and after: the same boundary, even if the callers were renamed.
      (before.plan.length === 1 && after.plan.length === 1 ? before.plan[0] : undefined);
    return { entry, previous: previous ?? null };
  });
  const moves = boundaries
    .filter((b) => b.previous !== null && (b.previous.method !== b.entry.method || b.previous.variant !== b.entry.variant))
    .map((b) => ({ entry: b.entry, previousMethod: b.previous!.method, previousName: withVariant(b.previous!.method, b.previous!.variant) }));
  const newcomers = boundaries.filter((b) => b.previous === null && !from.includes(b.entry.method));
  const callers = (entry: Pick<PlanEntry, 'subjects' | 'clients'>) =>
    `${describeAnswer('subjects', entry.subjects)} (${describeAnswer('clients', entry.clients)})`;

  const sideBySide: string[] = moves.map(
    ({ entry, previousName }) =>
      `At the boundary \`${entry.id}\` (${entry.boundary}), accept ${previousName} and ${withVariant(entry.method, entry.variant)} at the same time: ` +
      'check the new credential first, fall back to the old one, and log which one each request used.',
  );
  for (const { entry } of newcomers) {
    sideBySide.push(
      `Open the boundary \`${entry.id}\` (${entry.boundary}) with ${withVariant(entry.method, entry.variant)} next to ${list(from.map(nameOf))}; ` +
        `${callers(entry)} start there directly, and existing callers are not affected.`,
    );
  }
  if (sideBySide.length === 0 && added.length > 0) {
    sideBySide.push(`Add ${list(added.map(nameOf))} next to the methods in use; nothing existing has to change yet.`);
  }
  sideBySide.push('Keep one authorization layer behind every method, so a caller gets the same permissions whichever credential it sends.');

  const moveClients: string[] = moves.map(
    ({ entry, previousName }) =>
      `Move ${callers(entry)} from ${previousName} to ${withVariant(entry.method, entry.variant)}, one client group at a time.`,
  );
  if (moves.length === 0) {
    moveClients.push('No existing caller has to switch; point new client developers at the new boundary from day one.');
  } else {
    moveClients.push('Give each group a dated deadline, and wait until the log shows no more old-method requests from it.');
  }

  const retire: string[] = retired.map(
    (m) => `Stop issuing ${CREDENTIALS[m]}, revoke those still outstanding, then remove the ${nameOf(m)} code path and its configuration.`,
  );
  if (moves.length > 0) {
    retire.push('Remove the fallback to the old credential once no request has used it for an agreed period.');
  } else if (retired.length === 0) {
    retire.push(`Nothing is retired: callers already on ${list(from.map(nameOf))} stay where they are.`);
  }
  retire.push('Update this record and the API documentation so new clients only learn the new method.');

  return {
    from,
    to,
    steps: [
      { phase: 'side-by-side', title: 'Run both methods side by side at the boundary', details: sideBySide },
      { phase: 'move-clients', title: 'Move clients over', details: moveClients },
      { phase: 'retire', title: 'Retire the old method', details: retire },
    ],
  };
}

/** The migration plan as Markdown, for the new decision record. */
export function renderMigrationPlan(plan: MigrationPlan): string {
  const lines = [`From ${list(plan.from.map(nameOf))} to ${list(plan.to.map(nameOf))}, in three steps:`, ''];
  plan.steps.forEach((step, index) => {
    lines.push(`${index + 1}. **${step.title}**`);
    for (const detail of step.details) lines.push(`   - ${detail}`);
  });
  return lines.join('\n');
}

const padEnd = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - text.length));
const padStart = (text: string, width: number) => ' '.repeat(Math.max(0, width - text.length)) + text;
const signed = (value: number): string => (value > 0 ? `+${value}` : String(value));

function renderPlan(plan: readonly Pick<PlanEntry, 'id' | 'subjects' | 'clients' | 'method' | 'variant' | 'tokenFormat'>[], width: number): string[] {
  return plan.map((entry) => {
    const callers = `${describeAnswer('subjects', entry.subjects)} (${describeAnswer('clients', entry.clients)})`;
    return wrap(`[${entry.id}] ${describeVariant(entry.method, entry.variant, entry.tokenFormat)}: ${callers}`, width, '  - ', '    ');
  });
}

/** What the terminal shows after re-scoring: old and new side by side, then what moved. */
export function renderComparison(
  comparison: DecisionComparison,
  recorded: { label: string; recommendation: MethodId; scores: Record<MethodId, number>; plan: readonly Pick<PlanEntry, 'id' | 'subjects' | 'clients' | 'method' | 'variant' | 'tokenFormat'>[] },
  style: Style = plainStyle,
  width = REPORT_WIDTH,
): string {
  const lines: string[] = [];
  const { after } = comparison;
  const verdict =
    comparison.outcome === 'same' ? style.good('unchanged') : style.warn('changed');
  lines.push(style.bold(`Recommendation: ${nameOf(recorded.recommendation)} -> ${nameOf(after.recommendation)} (${verdict})`));
  lines.push('');

  const nameWidth = Math.max(...METHOD_IDS.map((m) => nameOf(m).length)) + 2;
  lines.push(style.bold(`${padEnd('Ranking', nameWidth + 2)}${padStart('recorded', 9)}${padStart('now', 7)}${padStart('change', 8)}`));
  for (const entry of after.ranking) {
    const before = recorded.scores[entry.method] ?? 0;
    const note = entry.excluded ? style.dim(`  ${exclusionLabel(entry.method, after.plan)}`) : entry.method === after.recommendation ? style.accent('  <- recommended') : '';
    lines.push(
      `  ${padEnd(nameOf(entry.method), nameWidth)}${padStart(String(before), 9)}${padStart(String(entry.score), 7)}${padStart(signed(entry.score - before), 8)}${note}`,
    );
  }
  lines.push('');

  lines.push(style.bold(`Plan recorded in ${recorded.label}`));
  lines.push(...renderPlan(recorded.plan, width));
  lines.push(style.bold('Plan now'));
  lines.push(...renderPlan(after.plan, width));
  if (comparison.methodsAdded.length > 0) lines.push(`  Added: ${list(comparison.methodsAdded.map(nameOf))}`);
  if (comparison.methodsRetired.length > 0) lines.push(`  Dropped: ${list(comparison.methodsRetired.map(nameOf))}`);
  const pairs = (items: readonly VariantInUse[]) => list(items.map((pair) => describeVariant(pair.method, pair.variant)));
  const newVariants = comparison.variantsAdded.filter((pair) => !comparison.methodsAdded.includes(pair.method));
  const oldVariants = comparison.variantsRetired.filter((pair) => !comparison.methodsRetired.includes(pair.method));
  if (newVariants.length > 0) lines.push(wrap(`Variants added: ${pairs(newVariants)}`, width, '  ', '    '));
  if (oldVariants.length > 0) lines.push(wrap(`Variants dropped: ${pairs(oldVariants)}`, width, '  ', '    '));
  lines.push('');

  if (comparison.effects.length === 0) {
    lines.push(style.bold('No answer changed.'));
    if (comparison.before.recommendation !== recorded.recommendation) {
      lines.push(
        wrap(
          `This version of auth-decide scores the recorded answers differently: it now recommends ${nameOf(comparison.before.recommendation)}.`,
          width,
          '  ',
        ),
      );
    }
  } else {
    lines.push(style.bold('What moved the scores (each changed answer applied alone to the recorded ones)'));
    for (const effect of comparison.effects) {
      const label = questionFor(effect.question).label;
      lines.push(wrap(`${label}: ${describeAnswer(effect.question, effect.from)} -> ${describeAnswer(effect.question, effect.to)}`, width, '  - ', '    '));
      const moved = METHOD_IDS.map((m) => `${nameOf(m)} ${signed(effect.scoreDeltas[m])}`).join(', ');
      const alone =
        effect.recommendationAlone === comparison.before.recommendation
          ? 'alone it keeps the recommendation'
          : `alone it would recommend ${nameOf(effect.recommendationAlone)}`;
      lines.push(wrap(`${moved}; ${alone}.`, width, '    ', '    '));
    }
    if (comparison.effects.length > 1) {
      const total = METHOD_IDS.map((m) => `${nameOf(m)} ${signed(comparison.scoreDeltas[m])}`).join(', ');
      lines.push(wrap(`All changes together: ${total}.`, width, '  ', '  '));
    }
  }
  return `${lines.join('\n')}\n`;
}
