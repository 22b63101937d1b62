/**
 * `auth-decide revisit`: reload the current auth decision record, re-ask the
 * questions the fired triggers touch, re-score, and either record a review on
 * the existing record or write a new record that supersedes it.
 */
import { basename } from 'node:path';
import { decideColor, widthOf, type CliContext } from '../context.js';
import { checkTitle } from '../options.js';
import { messenger, wrapText } from '../output.js';
import { printable, scaffoldOptions, scaffoldStep } from '../scaffold-offer.js';
import { CancelledError, UsageError } from '../../errors.js';
import { METHODS, REVISIT_QUESTIONS, TRIGGERS } from '../../core/knowledge.js';
import { renderAnswersSummary, styleFor, type Style } from '../../core/report.js';
import {
  compareDecisions,
  describePlanAdditions,
  methodsInUse,
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
import { isStandardInput } from '../../shell/answers-file.js';
import type { Installer } from '../../shell/installer.js';
import { noteWritten, withoutInterrupts } from '../../shell/journal.js';
import type { PromptBackend } from '../../shell/prompts.js';
import type { AuthRecordFile, RecordsLocation, RenderedRecord } from '../../shell/records.js';

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
  /** The Node version generated code will run on; this process's when absent. */
  nodeVersion?: string;
  /** Where the scaffold templates live; the package's own when absent. */
  templatesRoot?: string;
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

/** A review note is a sentence or a paragraph; a megabyte of it is a mistake. */
const MAX_NOTE_LENGTH = 2000;

function parseNotes(values: readonly string[] | undefined): RevisitNotes {
  const allowed = REVISIT_QUESTIONS.map((question) => question.id);
  const notes: RevisitNotes = {};
  const shape = `--note takes <question>=<text>, with question one of: ${allowed.join(', ')}.`;
  for (const value of values ?? []) {
    const at = value.indexOf('=');
    if (at < 0) throw new UsageError(`--note ${JSON.stringify(value)} has no "=": ${shape}`);
    const id = value.slice(0, at).trim();
    if (!(allowed as string[]).includes(id)) {
      throw new UsageError(`--note ${JSON.stringify(value)}: "${id}" is not a review question; the questions are ${allowed.join(', ')}.`, {
        hint: 'Write it as --note <question>=<text>, e.g. --note "incidents=A partner shared one key".',
      });
    }
    const text = value.slice(at + 1).trim();
    if (text === '') {
      throw new UsageError(`--note ${JSON.stringify(value)} gives no text for ${id}.`, {
        hint: `Write the answer after the "=", or leave the note out to skip ${id}.`,
      });
    }
    if (text.length > MAX_NOTE_LENGTH) {
      throw new UsageError(`--note ${id} is ${text.length} characters long; keep a note to ${MAX_NOTE_LENGTH} or fewer.`);
    }
    if (notes[id as NoteId] !== undefined) throw new UsageError(`--note ${id} is given twice; give each question one note.`);
    notes[id as NoteId] = text;
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
  const location = await records.locateRecords(options.context.cwd, { override: options.adrDir, mustExist: true });
  const all = records.readAuthRecordsAt(location, options.context.cwd);
  const current = records.currentAuthRecord(all);
  if (current === null) {
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

/** The migration plan for a terminal: bold step titles instead of Markdown asterisks, wrapped. */
function renderMigrationForTerminal(plan: MigrationPlan, style: Style, width: number): string {
  const names = (methods: MethodId[]) => methods.map((method) => METHODS[method].name).join(' + ');
  const lines = [style.bold('Migration plan'), wrapText(`From ${names(plan.from)} to ${names(plan.to)}, in ${plan.steps.length} steps:`, width)];
  plan.steps.forEach((step, index) => {
    lines.push(`${index + 1}. ${style.bold(step.title)}`);
    for (const detail of step.details) lines.push(wrapText(`   - ${detail}`, width));
  });
  return `${lines.join('\n')}\n`;
}

export async function runRevisit(options: RevisitOptions): Promise<void> {
  const { context } = options;
  const style = styleFor(context.color);
  const say = messenger(context);

  // Usage problems first, before any file is read.
  const givenTriggers = parseTriggers(options.trigger);
  const givenNotes = parseNotes(options.note);
  const title = checkTitle(options.title);
  const nonInteractiveInput = options.answers !== undefined || givenTriggers.length > 0;
  // Answers read from standard input leave no terminal to ask anything on.
  const interactive = context.interactive && !(options.answers !== undefined && isStandardInput(options.answers));
  if (!interactive && !nonInteractiveInput) {
    throw new UsageError('No terminal to ask what changed, and neither --trigger nor --answers was given.', { hint: NO_TERMINAL_HINT });
  }
  const asking = interactive && !options.yes;

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
    const patch = await readAnswersPatchFile(options.answers, context.cwd, context.stdin);
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
  /** Renders the new record for a number; its text and the old record's link depend on the number it gets. */
  let newRecord: {
    location: RecordsLocation;
    number: number;
    title: string;
    render: (number: number) => RenderedRecord;
    pathOf: (fileName: string) => string;
  } | null = null;

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
    const location = await records.locateRecords(context.cwd, { override: options.adrDir });
    const number = locate.nextRecordNumber(location.files);
    const newTitle = title ?? render.defaultRecordTitle(decision);
    migration = migrationPlan(block, decision);
    const oldReference = { number: current.parsed.number, title: current.parsed.title, fileName: basename(current.file) };
    const templates = await records.loadAdrTemplates();
    const migrationLines = renderMigrationPlan(migration).split('\n');
    const renderFor = (n: number): RenderedRecord => ({
      fileName: render.recordFileName(n, newTitle),
      text: render.renderRecord(
        {
          number: n,
          title: newTitle,
          date,
          answers,
          decision,
          toolVersion: options.version,
          reviewBy,
          layout: location.layout,
          supersedes: oldReference,
          migration: migrationLines,
          revisitNotes: notes,
          triggers,
        },
        templates,
      ),
    });
    const relativeDir = location.relativeDir === '.' ? '' : `${location.relativeDir}/`;
    newRecord = { location, number, title: newTitle, render: renderFor, pathOf: (fileName) => `${relativeDir}${fileName}` };
    const predicted = renderFor(number);
    writes.push({ file: newRecord.pathOf(predicted.fileName), action: 'create', content: predicted.text });
    writes.push({
      file: current.relativePath,
      action: 'update',
      content: update.markSuperseded(current.text, current.relativePath, { number, title: newTitle, fileName: predicted.fileName }),
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
    const { replaceRecord, writeNewRecord } = await import('../../shell/records.js');
    await withoutInterrupts(async () => {
      if (newRecord) {
        // The new record first: if the old one cannot be updated afterwards, the decision is still on disk.
        const written = await writeNewRecord(newRecord.location, newRecord.number, newRecord.render, context.cwd, {
          // Checked again with the number held: another run may have superseded the record meanwhile.
          verify: async () => {
            const { currentAuthRecord, locateRecords, readAuthRecordsAt } = await import('../../shell/records.js');
            const fresh = await locateRecords(context.cwd, { override: options.adrDir });
            const now = currentAuthRecord(readAuthRecordsAt(fresh, context.cwd))?.record ?? null;
            if (now?.file !== current.file) {
              throw new UsageError(`${current.relativePath} is no longer the current auth decision record (another run changed the records meanwhile); nothing was written.`, {
                hint: 'Run `auth-decide revisit` again to revisit the record that is current now.',
              });
            }
          },
        });
        const path = newRecord.pathOf(written.fileName);
        noteWritten(`the new decision record ${path}`);
        writes[0] = { file: path, action: 'create', content: written.text };
        writes[1] = {
          file: current.relativePath,
          action: 'update',
          content: update.markSuperseded(current.text, current.relativePath, { number: written.number, title: newRecord.title, fileName: written.fileName }),
        };
      }
      const oldUpdate = writes.find((write) => write.action === 'update')!;
      replaceRecord(current.file, oldUpdate.content, context.cwd);
      noteWritten(`the updated record ${current.relativePath}`);
    });
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
  } else {
    if (migration) context.stdout.write(`\n${renderMigrationForTerminal(migration, reportStyle, widthOf(context.stdout))}`);
    if (options.dryRun) {
      for (const write of writes) {
        context.stdout.write(`\n${reportStyle.dim(`--- ${write.file} (would be ${write.action === 'create' ? 'written' : 'updated'}) ---`)}\n${write.content}`);
      }
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
  await offerScaffold(options, answers, { methods: methodsInUse(decision), adds: describePlanAdditions(comparison) }, asking);
}

/**
 * Offers to scaffold the new record's plan, which adds what the plan gained
 * (code already generated for the other methods is kept); without a terminal,
 * prints the command that does it. Whether this Node can run the generated
 * code is judged on the whole plan, since that is what the scaffold generates.
 */
async function offerScaffold(
  options: RevisitOptions,
  answers: Answers,
  newPlan: { methods: readonly MethodId[]; adds: string | null },
  asking: boolean,
): Promise<void> {
  if (newPlan.adds === null) return;
  const { context } = options;
  const say = messenger(context);
  const nodeVersion = options.nodeVersion ?? process.versions.node;
  const facts = { stack: answers.stack ?? null, nodeVersion, ...(options.templatesRoot ? { templatesRoot: options.templatesRoot } : {}) };
  const step = await scaffoldStep(newPlan.methods, {}, facts);
  if (step.nodeRefusal) {
    say(`The new plan adds ${newPlan.adds}. Its code cannot be scaffolded here: ${step.nodeRefusal}. With a newer Node, run:\n  ${printable(step)}`);
    return;
  }
  if (!asking) {
    say(`The new plan adds ${newPlan.adds}. To generate its code, run:\n  ${printable(step)}`);
    return;
  }
  const { confirm, backend } = await loadPrompts(options);
  if (!(await confirm(`Scaffold the new plan now? It adds ${newPlan.adds}.`, false, backend))) {
    say(`To scaffold it later:\n  ${printable(step)}`);
    return;
  }
  const { runScaffold } = await import('./scaffold.js');
  try {
    // No plan passed: the scaffold reads the record just written, so it marks what the new record retires.
    await runScaffold(
      scaffoldOptions(context, undefined, answers.stack ? { stack: answers.stack } : {}, {
        dryRun: false,
        yes: false,
        version: options.version,
        nodeVersion,
        ...(options.templatesRoot ? { templatesRoot: options.templatesRoot } : {}),
        ...(options.prompts ? { prompts: options.prompts } : {}),
        ...(options.installer ? { installer: options.installer } : {}),
      }),
    );
  } catch (error) {
    // The scaffold's "nothing was written" is about its own files; the records are already on disk.
    if (error instanceof CancelledError) throw new CancelledError('Scaffolding cancelled: no generated code was written.');
    throw error;
  }
}

/** An answer value as one short phrase for the review log. */
function formatAnswer(value: unknown): string {
  return Array.isArray(value) ? value.join(', ') : String(value);
}
