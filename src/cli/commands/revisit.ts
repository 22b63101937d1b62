/**
 * `auth-decide revisit`: reload the current auth decision record, re-ask the
 * questions the fired triggers touch, re-score, and either record a review on
 * the existing record or write a new record that supersedes it.
 */
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { decideColor, type CliContext } from '../context.js';
import { CancelledError, UsageError } from '../../errors.js';
import { METHODS, REVISIT_QUESTIONS, TRIGGERS } from '../../core/knowledge.js';
import { renderAnswersSummary, styleFor, type Style } from '../../core/report.js';
import {
  compareDecisions,
  mergeAnswers,
  migrationPlan,
  parseTriggerIds,
  renderComparison,
  renderMigrationPlan,
  touchedQuestions,
  triggersTouching,
  type MigrationPlan,
} from '../../core/review.js';
import { parseAnswers } from '../../core/schema.js';
import { TRIGGER_IDS, type Answers, type MethodId, type TriggerId } from '../../core/types.js';
import type { RecordReview, RevisitNotes } from '../../core/record/model.js';
import type { Installer } from '../../shell/installer.js';
import type { PromptBackend } from '../../shell/prompts.js';
import type { AuthRecordFile } from '../../shell/records.js';

export interface RevisitOptions {
  context: CliContext;
  /** The auth-decide version written into a new record. */
  version: string;
  /** `--answers <file>`: only the changed answers. */
  answers?: string;
  /** `--trigger <id...>`; commas also separate ids. */
  trigger?: string[];
  /** `--note <question=text>`: answers to the revisit questions. */
  note?: string[];
  adrDir?: string;
  title?: string;
  json?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  /** The prompt implementation; the terminal when absent. */
  prompts?: PromptBackend;
  /** Runs the package manager when the offered scaffold is accepted; the real one when absent. */
  installer?: Installer;
}

type NoteId = (typeof REVISIT_QUESTIONS)[number]['id'];

const NO_TERMINAL_HINT =
  'Say what happened with --trigger <id> (repeatable) and give the changed answers with --answers <file>; ' +
  'add --dry-run to see the result without writing.';

function parseTriggers(values: readonly string[] | undefined): TriggerId[] {
  const ids = (values ?? []).flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean);
  const { triggers, unknown } = parseTriggerIds(ids);
  if (unknown.length > 0) {
    throw new UsageError(
      `Unknown trigger ${unknown.map((id) => JSON.stringify(id)).join(', ')}. Allowed: ${TRIGGER_IDS.join(', ')}.`,
      { hint: 'Pass one --trigger per event that happened, e.g. --trigger client-types --trigger threat-model.' },
    );
  }
  return triggers;
}

function parseNotes(values: readonly string[] | undefined): RevisitNotes {
  const allowed = REVISIT_QUESTIONS.map((question) => question.id);
  const notes: RevisitNotes = {};
  for (const value of values ?? []) {
    const at = value.indexOf('=');
    const id = (at < 0 ? value : value.slice(0, at)).trim();
    if (at < 0 || !(allowed as string[]).includes(id)) {
      throw new UsageError(`--note ${JSON.stringify(value)} must look like <question>=<text>, with question one of: ${allowed.join(', ')}.`);
    }
    const text = value.slice(at + 1).trim();
    if (text !== '') notes[id as NoteId] = text;
  }
  return notes;
}

async function loadPrompts(options: RevisitOptions) {
  // Loaded only when someone is asked something.
  const prompts = await import('../../shell/prompts.js');
  return { ...prompts, backend: options.prompts ?? prompts.inquirerBackend() };
}

/** The record to revisit: the current one, or a clear error when there is none. */
async function findCurrentRecord(options: RevisitOptions): Promise<{ current: AuthRecordFile; warning: string | null }> {
  const records = await import('../../shell/records.js');
  const all = await records.readAuthRecords(options.context.cwd, options.adrDir);
  const current = records.currentAuthRecord(all);
  if (current === null) {
    const location = await records.locateRecords(options.context.cwd, options.adrDir);
    throw new UsageError(`No accepted auth decision record in ${location.relativeDir} (${location.source}); there is nothing to revisit.`, {
      hint: all.length > 0
        ? `Found ${all.map((record) => `${record.relativePath} (${record.parsed.status})`).join(', ')}, none of them accepted and current. Run \`auth-decide decide\` to record a new decision.`
        : 'Run `auth-decide decide` to make and record the decision first, or point --adr-dir at the records folder.',
    });
  }
  return { current: current.record, warning: current.warning };
}

const isoDay = (now: Date) => now.toISOString().slice(0, 10);

interface PlannedWrite {
  /** Relative to the working directory, with forward slashes. */
  file: string;
  action: 'update' | 'create';
  content: string;
}

export async function runRevisit(options: RevisitOptions): Promise<void> {
  const { context } = options;
  const style = styleFor(context.color);
  const say = (text: string) => context.stderr.write(`${text}\n`);

  // Usage problems first, before any file is read.
  const givenTriggers = parseTriggers(options.trigger);
  const givenNotes = parseNotes(options.note);
  const nonInteractiveInput = options.answers !== undefined || givenTriggers.length > 0;
  if (!context.interactive && !nonInteractiveInput) {
    throw new UsageError('No terminal to ask what changed, and neither --trigger nor --answers was given.', { hint: NO_TERMINAL_HINT });
  }
  const asking = context.interactive && !options.yes;

  const { current, warning } = await findCurrentRecord(options);
  if (warning) say(style.warn(`Warning: ${warning}`));
  const recordLabel = `ADR-${String(current.parsed.number).padStart(4, '0')}`;
  const block = current.parsed.block;
  const stored = block.answers;

  if (!options.json || asking) {
    say(style.bold(`Revisiting ${recordLabel} "${current.parsed.title}" (${current.relativePath})`));
    say(`Decided ${current.parsed.date ?? 'on an unknown date'}; review by ${block.reviewBy}; ${block.reviews.length} earlier review${block.reviews.length === 1 ? '' : 's'}.`);
    say(`${renderAnswersSummary(stored, style)}\n`);
  }

  // Which triggers fired.
  let triggers = givenTriggers;
  if (triggers.length === 0 && asking && options.answers === undefined) {
    const { checkbox, backend } = await loadPrompts(options);
    triggers = await checkbox<TriggerId>(
      {
        message: 'What has changed since this decision? (none: just confirm the decision still holds)',
        choices: TRIGGER_IDS.map((id) => ({ value: id, name: TRIGGERS[id].title, description: TRIGGERS[id].description })),
      },
      backend,
    );
  }

  // The changed answers: a file, then the prompts for what the triggers touch.
  let answers: Answers = stored;
  if (options.answers !== undefined) {
    const { readAnswersPatchFile } = await import('../../shell/answers-file.js');
    const patch = await readAnswersPatchFile(options.answers, context.cwd);
    const merged = mergeAnswers(stored, patch);
    if (!merged.ok) {
      throw new UsageError(`Answers file ${JSON.stringify(options.answers)} merged onto ${current.relativePath}: ${merged.problems.map((p) => p.message).join('; ')}.`);
    }
    answers = merged.value;
    if (triggers.length > 0) {
      const touched = touchedQuestions(triggers);
      for (const key of Object.keys(patch) as (keyof typeof patch)[]) {
        if (patch[key] !== undefined && !touched.includes(key)) {
          say(
            style.dim(
              `Note: ${key} is not among the questions the named triggers touch (it belongs to ${triggersTouching(key).join(', ') || 'none'}); using it anyway.`,
            ),
          );
        }
      }
    }
  }
  const touched = touchedQuestions(triggers);
  if (asking && touched.length > 0) {
    const { askAnswers, backend } = await loadPrompts(options);
    backend.note(style.bold(`Questions touched by ${triggers.map((id) => TRIGGERS[id].title.toLowerCase()).join('; ')}. Enter keeps the recorded answer.`));
    const asked = await askAnswers(touched, answers, backend);
    const result = parseAnswers(asked);
    if (!result.ok) throw new UsageError(`The answers are not valid: ${result.problems.map((p) => p.message).join('; ')}`);
    answers = result.value;
  }

  const comparison = compareDecisions(stored, answers, { recorded: block });
  const decision = comparison.afterDecision;
  const reportStyle = styleFor(decideColor(context.env, Boolean(context.stdout.isTTY)));
  const comparisonText = renderComparison(
    comparison,
    { label: recordLabel, recommendation: block.recommendation, scores: block.scores, plan: block.plan },
    reportStyle,
  );
  if (!options.json) context.stdout.write(comparisonText);
  else if (asking) context.stderr.write(comparisonText);

  // The guide's review questions, asked whatever the outcome.
  const notes: RevisitNotes = { ...givenNotes };
  if (asking) {
    const { input, backend } = await loadPrompts(options);
    backend.note(style.bold('\nFive questions for the record (Enter skips one):'));
    for (const question of REVISIT_QUESTIONS) {
      const answer = (await input({ message: question.text, ...(notes[question.id] ? { default: notes[question.id] } : {}) }, backend)).trim();
      if (answer === '') delete notes[question.id];
      else notes[question.id] = answer;
    }
  }

  const date = isoDay(context.now);
  const { defaultReviewBy } = await import('../../core/record/render.js');
  const reviewBy = defaultReviewBy(context.now, answers, decision);
  const writes: PlannedWrite[] = [];
  let migration: MigrationPlan | null = null;
  let newRecord: { number: number; title: string; fileName: string; dir: string } | null = null;

  const update = await import('../../core/record/update.js');
  if (comparison.outcome === 'same') {
    const moved = comparison.effects.map(({ question, from, to }) => `${question}: ${formatAnswer(from)} → ${formatAnswer(to)}`);
    const review: RecordReview = { date, reviewBy, triggers, outcome: 'unchanged', notes, ...(moved.length > 0 ? { changes: moved } : {}) };
    const { reviewedState } = await import('../../core/record/block.js');
    // Moved answers are written back so the next revisit starts from what is true now.
    const state = moved.length > 0 ? reviewedState(answers, decision) : undefined;
    writes.push({ file: current.relativePath, action: 'update', content: update.markReviewed(current.text, current.relativePath, review, state) });
  } else {
    const [records, render, locate] = await Promise.all([
      import('../../shell/records.js'),
      import('../../core/record/render.js'),
      import('../../core/record/locate.js'),
    ]);
    const location = await records.locateRecords(context.cwd, options.adrDir);
    const number = locate.nextRecordNumber(location.files);
    const title = options.title?.trim() || render.defaultRecordTitle(decision);
    const fileName = render.recordFileName(number, title);
    migration = migrationPlan(block, decision);
    const oldReference = { number: current.parsed.number, title: current.parsed.title, fileName: basename(current.file) };
    const text = render.renderRecord(
      {
        number,
        title,
        date,
        answers,
        decision,
        toolVersion: options.version,
        reviewBy,
        layout: location.layout,
        supersedes: oldReference,
        migration: renderMigrationPlan(migration).split('\n'),
        revisitNotes: notes,
        triggers,
      },
      await records.loadAdrTemplates(),
    );
    const relativeDir = location.relativeDir === '.' ? '' : `${location.relativeDir}/`;
    newRecord = { number, title, fileName, dir: location.dir };
    writes.push({ file: `${relativeDir}${fileName}`, action: 'create', content: text });
    writes.push({
      file: current.relativePath,
      action: 'update',
      content: update.markSuperseded(current.text, current.relativePath, { number, title, fileName }),
    });
  }

  // A person confirms before files change; scripts said what they want through the options.
  if (asking && !options.dryRun) {
    const { confirm, backend } = await loadPrompts(options);
    const summary =
      comparison.outcome === 'same'
        ? `Record the review in ${current.relativePath} (next review by ${reviewBy})?`
        : `Write ${writes[0]!.file} and mark ${recordLabel} as superseded?`;
    if (!(await confirm(summary, true, backend))) throw new CancelledError();
  }

  if (!options.dryRun) {
    if (newRecord) {
      // The new record first: if the old one cannot be updated afterwards, the decision is still on disk.
      const { writeNewRecord } = await import('../../shell/records.js');
      await writeNewRecord(newRecord.dir, newRecord.fileName, writes[0]!.content);
    }
    const oldUpdate = writes.find((write) => write.action === 'update')!;
    await writeFile(current.file, oldUpdate.content, 'utf8');
  }

  if (options.json) {
    const document = {
      record: {
        file: current.relativePath,
        number: current.parsed.number,
        title: current.parsed.title,
        date: current.parsed.date,
        reviewBy: block.reviewBy,
        answers: stored,
      },
      triggers,
      changedAnswers: comparison.effects,
      before: comparison.before,
      after: comparison.after,
      recorded: { recommendation: block.recommendation, scores: block.scores, plan: block.plan },
      scoreDeltas: comparison.scoreDeltas,
      outcome: comparison.outcome,
      methodsAdded: comparison.methodsAdded,
      methodsRetired: comparison.methodsRetired,
      variantsAdded: comparison.variantsAdded,
      variantsRetired: comparison.variantsRetired,
      notes,
      reviewBy,
      migration,
      writes: writes.map(({ file, action, content }) => ({ file, action, ...(options.dryRun ? { content } : {}) })),
      dryRun: Boolean(options.dryRun),
    };
    context.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  } else if (options.dryRun) {
    for (const write of writes) {
      context.stdout.write(`\n${reportStyle.dim(`--- ${write.file} (would be ${write.action === 'create' ? 'written' : 'updated'}) ---`)}\n${write.content}`);
    }
  }

  if (options.dryRun) {
    say(`Dry run: would ${writes.map((write) => `${write.action === 'create' ? 'write' : 'update'} ${write.file}`).join(' and ')}; nothing was written.`);
    return;
  }
  if (comparison.outcome === 'same') {
    say(`${METHODS[decision.recommendation].name} still fits. Recorded the review in ${current.relativePath}; next review by ${reviewBy}.`);
    if (comparison.effects.length > 0) {
      say(style.dim(`The record now holds the updated answers (${comparison.effects.map((e) => e.question).join(', ')}).`));
    }
    return;
  }
  say(`Wrote ${writes[0]!.file}; ${current.relativePath} is now superseded by it.`);
  if (migration && !options.json) {
    say(`\n${style.bold('Migration plan')}\n${renderMigrationPlan(migration)}\n`);
  }
  await offerScaffold(options, answers, decision.recommendation, asking);
}

async function offerScaffold(options: RevisitOptions, answers: Answers, method: MethodId, asking: boolean): Promise<void> {
  const { context } = options;
  const later = `auth-decide scaffold --method ${method}${answers.stack ? ` --stack ${answers.stack}` : ''}`;
  if (!asking) {
    context.stderr.write(`To generate code for it: ${later}\n`);
    return;
  }
  const { confirm, backend } = await loadPrompts(options);
  if (!(await confirm(`Scaffold ${METHODS[method].name} code now?`, false, backend))) {
    context.stderr.write(`Later: ${later}\n`);
    return;
  }
  const { runScaffold } = await import('./scaffold.js');
  await runScaffold({
    context,
    method,
    ...(answers.stack ? { stack: answers.stack } : {}),
    dryRun: false,
    install: true,
    yes: false,
    version: options.version,
    ...(options.prompts ? { prompts: options.prompts } : {}),
    ...(options.installer ? { installer: options.installer } : {}),
  });
}

/** An answer value as one short phrase for the review log. */
function formatAnswer(value: unknown): string {
  return Array.isArray(value) ? value.join(', ') : String(value);
}
