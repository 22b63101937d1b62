/**
 * `auth-decide decide`: gather the answers (questionnaire, `--answers` file or
 * `--yes`), score the four methods, show why, write the decision record, and
 * offer to scaffold the plan.
 */
import { basename } from 'node:path';
import { decideColor, type CliContext } from '../context.js';
import { checkTitle } from '../options.js';
import { messenger } from '../output.js';
import {
  givenScaffoldFlags,
  preflightScaffold,
  printable,
  scaffoldChoicesOf,
  scaffoldOptions,
  scaffoldStep,
  type ScaffoldChoices,
  type ScaffoldStep,
} from '../scaffold-offer.js';
import { CancelledError, InternalError, UsageError } from '../../errors.js';
import { decide } from '../../core/engine.js';
import { METHODS } from '../../core/knowledge.js';
import { defaultAnswers, QUESTION_ORDER } from '../../core/questions.js';
import { decisionDocument, renderAnswersSummary, renderReport, styleFor, type RecordOutcome, type Style } from '../../core/report.js';
import { nextRecordNumber } from '../../core/record/locate.js';
import { RecordError } from '../../core/record/model.js';
import { defaultRecordTitle, defaultReviewBy, isoDate, padNumber, recordFileName, renderRecord } from '../../core/record/render.js';
import { parseAnswers } from '../../core/schema.js';
import type { Answers, Decision, MethodId } from '../../core/types.js';
import { isStandardInput, readAnswersFile } from '../../shell/answers-file.js';
import type { Installer } from '../../shell/installer.js';
import { noteWritten, withoutInterrupts } from '../../shell/journal.js';
import type { PromptBackend } from '../../shell/prompts.js';
import {
  checkAdrDirOption,
  currentAuthRecord,
  loadAdrTemplates,
  locateRecords,
  readAuthRecordsAt,
  replaceRecord,
  writeNewRecord,
  type AuthRecordFile,
  type RecordsLocation,
  type RenderedRecord,
} from '../../shell/records.js';

export interface DecideOptions extends ScaffoldChoices {
  context: CliContext;
  /** The auth-decide version written into the record. */
  version: string;
  /** `--answers <file>`; `-` reads standard input. */
  answers?: string;
  yes?: boolean;
  json?: boolean;
  dryRun?: boolean;
  adrDir?: string;
  title?: string;
  /** Comma-separated, as typed. */
  decisionMakers?: string;
  /** false with `--no-record`. */
  record?: boolean;
  /** Write a new record even though a current one exists, superseding it. */
  supersede?: boolean;
  scaffold?: boolean;
  /** The prompt implementation; the terminal when absent. */
  prompts?: PromptBackend;
  /** Runs the package manager for an accepted scaffold; the real one when absent. */
  installer?: Installer;
  /** The Node version generated code will run on; this process's when absent. */
  nodeVersion?: string;
  /** Where the scaffold templates live; the package's own when absent. */
  templatesRoot?: string;
}

const NO_TERMINAL_HINT =
  'Pass --answers <file> (a JSON or YAML file; see "The answers file" in the README; - reads standard input), ' +
  'or --yes to accept every default answer.';

async function promptsFor(options: DecideOptions) {
  // Loaded only when someone is asked something: @inquirer/prompts is not needed for --answers runs.
  const prompts = await import('../../shell/prompts.js');
  const backend = options.prompts ?? prompts.inquirerBackend();
  return { ...prompts, backend };
}

function validated(candidate: Partial<Answers>, origin: string): Answers {
  const result = parseAnswers(candidate);
  if (!result.ok) {
    throw new InternalError(`${origin} produced invalid answers: ${result.problems.map((problem) => problem.message).join('; ')}`);
  }
  return result.value;
}

/** The questionnaire, then a summary to confirm; "No" goes round again with the answers pre-filled. */
async function askQuestionnaire(options: DecideOptions, style: Style): Promise<Answers> {
  const { askAnswers, confirm, backend } = await promptsFor(options);
  backend.note(style.bold('Answer a few questions about your API. Enter keeps the suggested answer; Ctrl-C quits.'));
  let answers: Partial<Answers> = {};
  for (;;) {
    answers = await askAnswers(QUESTION_ORDER, answers, backend);
    const complete = validated(answers, 'The questionnaire');
    backend.note(`\n${style.bold('Your answers')}\n${renderAnswersSummary(complete, style)}\n`);
    if (await confirm('Compare the four methods with these answers? (No: change them)', true, backend)) return complete;
  }
}

async function resolveAnswers(options: DecideOptions, interactive: boolean, style: Style, willWrite: boolean): Promise<Answers> {
  const { context } = options;
  if (options.answers !== undefined) {
    const answers = await readAnswersFile(options.answers, context.cwd, context.stdin);
    // A person at a terminal sees what the file says before anything is written.
    if (interactive && willWrite && !options.yes) {
      const { confirm, backend } = await promptsFor(options);
      backend.note(`${style.bold(`Answers from ${options.answers}`)}\n${renderAnswersSummary(answers, style)}\n`);
      if (!(await confirm('Decide with these answers and write the record?', true, backend))) throw new CancelledError();
    }
    return answers;
  }
  if (options.yes) return validated(defaultAnswers(), 'The default answers');
  if (!interactive) {
    throw new UsageError('No terminal to ask the questions in, and no --answers file given.', { hint: NO_TERMINAL_HINT });
  }
  return askQuestionnaire(options, style);
}

const label = (record: AuthRecordFile) => `ADR-${padNumber(record.parsed.number)}`;

/**
 * The current auth decision record, if any. A record that cannot be read
 * stops a run that would write (it may be the current decision); a dry run
 * only warns.
 */
function currentRecord(location: RecordsLocation, options: DecideOptions, writing: boolean, say: (text: string) => void): AuthRecordFile | null {
  let records: AuthRecordFile[];
  try {
    records = readAuthRecordsAt(location, options.context.cwd);
  } catch (error) {
    if (writing || !(error instanceof RecordError)) throw error;
    say(`Warning: ${error.message}`);
    return null;
  }
  const current = currentAuthRecord(records);
  if (current?.warning) say(`Warning: ${current.warning}`);
  return current?.record ?? null;
}

function refuseSecondRecord(existing: AuthRecordFile): UsageError {
  return new UsageError(
    `${existing.relativePath} (${label(existing)}) is already the current auth decision record; nothing was written.`,
    {
      hint:
        'To re-decide, run `auth-decide revisit`: it compares new answers with the recorded ones and supersedes the record when the outcome changes. ' +
        'To replace it with a new decision anyway, add --supersede.',
    },
  );
}

interface PreparedRecord {
  location: RecordsLocation;
  title: string;
  /** The number a write starts from; the written record may take a later one. */
  number: number;
  render: (number: number) => RenderedRecord;
  /** Relative to the working directory, with forward slashes. */
  pathOf: (fileName: string) => string;
}

async function prepareRecord(
  options: DecideOptions,
  location: RecordsLocation,
  answers: Answers,
  decision: Decision,
  supersedes: AuthRecordFile | null,
): Promise<PreparedRecord> {
  const { context } = options;
  const title = checkTitle(options.title) ?? defaultRecordTitle(decision);
  const decisionMakers = (options.decisionMakers ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const templates = await loadAdrTemplates();
  let migration: string[] | undefined;
  if (supersedes) {
    const { migrationPlan, renderMigrationPlan } = await import('../../core/review.js');
    migration = renderMigrationPlan(migrationPlan(supersedes.parsed.block, decision)).split('\n');
  }
  const render = (number: number): RenderedRecord => ({
    fileName: recordFileName(number, title),
    text: renderRecord(
      {
        number,
        title,
        date: isoDate(context.now),
        ...(decisionMakers.length > 0 ? { decisionMakers } : {}),
        answers,
        decision,
        toolVersion: options.version,
        reviewBy: defaultReviewBy(context.now, answers, decision),
        layout: location.layout,
        ...(supersedes
          ? {
              supersedes: { number: supersedes.parsed.number, title: supersedes.parsed.title, fileName: basename(supersedes.file) },
              ...(migration ? { migration } : {}),
            }
          : {}),
      },
      templates,
    ),
  });
  const relativeDir = location.relativeDir;
  const pathOf = (fileName: string) => (relativeDir === '' || relativeDir === '.' ? fileName : `${relativeDir}/${fileName}`);
  return { location, title, number: nextRecordNumber(location.files), render, pathOf };
}

/** Writes the record (and marks the one it supersedes); returns what to tell the user. */
async function writeRecord(options: DecideOptions, prepared: PreparedRecord, supersedes: AuthRecordFile | null): Promise<{ path: string; messages: string[] }> {
  const { context } = options;
  return withoutInterrupts(async () => {
    const written = await writeNewRecord(prepared.location, prepared.number, prepared.render, context.cwd, {
      // Checked again with the number held: another run may have written the current decision meanwhile.
      verify: async () => {
        const fresh = await locateRecords(context.cwd, { override: options.adrDir });
        const now = currentAuthRecord(readAuthRecordsAt(fresh, context.cwd))?.record ?? null;
        if (now === null || now.file === supersedes?.file) return;
        if (supersedes === null) throw refuseSecondRecord(now);
        throw new UsageError(`${now.relativePath} became the current auth decision while this run was deciding; nothing was written.`, {
          hint: 'Run the command again to supersede the record that is current now, or use `auth-decide revisit`.',
        });
      },
    });
    const path = prepared.pathOf(written.fileName);
    noteWritten(`the decision record ${path}`);
    const messages = [`Wrote ${path}`];
    if (supersedes) {
      const { markSuperseded } = await import('../../core/record/update.js');
      const by = { number: written.number, title: prepared.title, fileName: written.fileName };
      const updated = markSuperseded(supersedes.text, supersedes.relativePath, by);
      replaceRecord(supersedes.file, updated, context.cwd);
      noteWritten(`the superseded record ${supersedes.relativePath}`);
      messages.push(`Marked ${supersedes.relativePath} as superseded by ADR-${padNumber(written.number)}.`);
    }
    return { path, messages };
  });
}

export async function runDecide(options: DecideOptions): Promise<void> {
  const { context } = options;
  const say = messenger(context);
  if (options.json && options.scaffold) {
    throw new UsageError('--scaffold cannot be combined with --json: the output must stay one JSON document.', {
      hint: 'Run `auth-decide scaffold --json` after deciding.',
    });
  }
  checkTitle(options.title);
  // Answers read from standard input leave no terminal to ask anything on.
  const interactive = context.interactive && !(options.answers !== undefined && isStandardInput(options.answers));
  const offering = interactive && !options.yes && !options.scaffold && !options.json;
  if (!offering && !options.scaffold) {
    const flags = givenScaffoldFlags(options);
    if (flags.length > 0) {
      throw new UsageError(`${flags.join(', ')} ${flags.length === 1 ? 'applies' : 'apply'} to the scaffold, and this run does not scaffold.`, {
        hint: 'Add --scaffold to scaffold right after deciding.',
      });
    }
  }
  const recording = options.record !== false;
  const writing = recording && !options.dryRun;

  // Before any question: is there already a current decision?
  let location: RecordsLocation | null = null;
  let existing: AuthRecordFile | null = null;
  if (recording) {
    location = await locateRecords(context.cwd, { override: options.adrDir });
    existing = currentRecord(location, options, writing, say);
    if (existing && !options.supersede) {
      if (writing) throw refuseSecondRecord(existing);
      say(`Note: ${existing.relativePath} is already the current auth decision; a real run would refuse unless given --supersede (or use \`auth-decide revisit\`).`);
    }
  } else {
    checkAdrDirOption(options.adrDir);
    if (options.supersede) throw new UsageError('--supersede writes a record, and --no-record says not to write one.', { hint: 'Leave out one of them.' });
  }
  if (options.supersede && recording && existing === null) say('Note: there is no current auth decision record to supersede; writing a first one.');

  const messageStyle = styleFor(context.color);
  const answers = await resolveAnswers(options, interactive, messageStyle, writing);
  const decision = decide(answers);
  const nodeVersion = options.nodeVersion ?? process.versions.node;
  const scaffoldExtra = {
    version: options.version,
    nodeVersion,
    ...(options.templatesRoot ? { templatesRoot: options.templatesRoot } : {}),
    ...(options.installer ? { installer: options.installer } : {}),
    ...(options.prompts ? { prompts: options.prompts } : {}),
  };
  const stack = options.stack ?? answers.stack;
  const chosen: ScaffoldChoices = { ...scaffoldChoicesOf(options), ...(stack ? { stack } : {}) };

  // A scaffold asked for up front must be able to run before the record is written.
  if (options.scaffold && !options.dryRun) {
    try {
      await preflightScaffold(scaffoldOptions(context, planOf(decision), chosen, scaffoldExtra));
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      throw new UsageError(`${error.message}\nNothing was written: decide checks the scaffold before it writes the record.`, {
        hint: `${error.hint ? `${error.hint}\n` : ''}Or leave out --scaffold to write the record alone.`,
      });
    }
  }

  const supersedes = options.supersede ? existing : null;
  const prepared = recording && location ? await prepareRecord(options, location, answers, decision, supersedes) : null;
  const written = prepared && writing ? await writeRecord(options, prepared, supersedes) : null;
  const planned = prepared && !writing ? prepared.render(prepared.number) : null;

  if (options.json) {
    const outcome: RecordOutcome | null = written
      ? { path: written.path, written: true }
      : planned && prepared
        ? { path: prepared.pathOf(planned.fileName), written: false, content: planned.text }
        : null;
    context.stdout.write(`${JSON.stringify(decisionDocument(decision, answers, outcome), null, 2)}\n`);
  } else {
    // Colour follows stdout here, since that is where the report goes.
    const reportStyle = styleFor(decideColor(context.env, Boolean(context.stdout.isTTY)));
    context.stdout.write(renderReport(decision, reportStyle));
    if (planned && prepared) {
      context.stdout.write(`\n${reportStyle.dim(`--- ${prepared.pathOf(planned.fileName)} (would be written) ---`)}\n${planned.text}`);
    }
  }

  for (const message of written?.messages ?? []) say(message);
  if (planned && prepared) say(`Dry run: would write ${prepared.pathOf(planned.fileName)}; nothing was written.`);
  else if (!recording && options.dryRun) say('Dry run: nothing was written.');

  if (!options.json) await scaffoldAfterDeciding(options, { offering, answers, decision, chosen, nodeVersion, scaffoldExtra });
}

interface ScaffoldContext {
  offering: boolean;
  answers: Answers;
  decision: Decision;
  chosen: ScaffoldChoices;
  nodeVersion: string;
  scaffoldExtra: Parameters<typeof scaffoldOptions>[3];
}

/** The methods of the plan, the recommendation first. */
const planMethods = (decision: Decision): MethodId[] => [
  ...new Set([decision.recommendation, ...decision.plan.map((entry) => entry.method)]),
];

/** The decision's plan as the scaffold reads it, so a dry run or --no-record scaffolds the same thing. */
const planOf = (decision: Decision) => decision.plan.map((entry) => ({ ...entry }) as Record<string, unknown>);

/** `--scaffold`, the offer in a terminal, or nothing: the whole plan as one auth package. */
async function scaffoldAfterDeciding(options: DecideOptions, scaffold: ScaffoldContext): Promise<void> {
  const { context } = options;
  const say = messenger(context);
  if (!scaffold.offering && !options.scaffold) return;
  const methods = planMethods(scaffold.decision);
  const step = await scaffoldStep(methods, scaffold.chosen, {
    stack: scaffold.answers.stack ?? null,
    nodeVersion: scaffold.nodeVersion,
    ...(options.templatesRoot ? { templatesRoot: options.templatesRoot } : {}),
  });
  const names = methods.map((method) => METHODS[method].name).join(' + ');

  if (options.scaffold) {
    await runChosenScaffold(options, scaffold, false);
  } else if (step.nodeRefusal) {
    say(`Not offering to scaffold the plan (${names}) now: ${step.nodeRefusal}. With a newer Node, run:\n  ${printable(step)}`);
  } else {
    const { confirm, backend } = await promptsFor(options);
    const stack = scaffold.chosen.stack ?? 'the framework found in package.json';
    if (await confirm(`Scaffold the plan (${names}) for ${stack} now?`, false, backend)) {
      await runChosenScaffold(options, scaffold, true);
    } else {
      say(`To scaffold it later:\n  ${printable(step)}`);
    }
  }
}

async function runChosenScaffold(options: DecideOptions, scaffold: ScaffoldContext, asking: boolean): Promise<void> {
  const { runScaffold } = await import('./scaffold.js');
  try {
    await runScaffold(
      scaffoldOptions(options.context, planOf(scaffold.decision), scaffold.chosen, {
        ...scaffold.scaffoldExtra,
        dryRun: options.dryRun ?? false,
        yes: !asking,
      }),
    );
  } catch (error) {
    // The scaffold's "nothing was written" is about its own files; the record may already be on disk.
    if (error instanceof CancelledError) throw new CancelledError('Scaffolding cancelled: no generated code was written.');
    throw error;
  }
}
