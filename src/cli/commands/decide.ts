/**
 * `auth-decide decide`: gather the answers (questionnaire, `--answers` file or
 * `--yes`), score the four methods, show why, write the decision record, and
 * offer to scaffold the chosen method.
 */
import { decideColor, type CliContext } from '../context.js';
import { CancelledError, InternalError, UsageError } from '../../errors.js';
import { decide } from '../../core/engine.js';
import { METHODS } from '../../core/knowledge.js';
import { defaultAnswers, QUESTION_ORDER } from '../../core/questions.js';
import { decisionDocument, renderAnswersSummary, renderReport, styleFor, type RecordOutcome, type Style } from '../../core/report.js';
import { nextRecordNumber } from '../../core/record/locate.js';
import { defaultRecordTitle, defaultReviewBy, isoDate, recordFileName, renderRecord } from '../../core/record/render.js';
import { parseAnswers } from '../../core/schema.js';
import type { Answers, Decision } from '../../core/types.js';
import { readAnswersFile } from '../../shell/answers-file.js';
import type { PromptBackend } from '../../shell/prompts.js';
import { loadAdrTemplates, locateRecords, writeNewRecord } from '../../shell/records.js';

export interface DecideOptions {
  context: CliContext;
  /** The auth-decide version written into the record. */
  version: string;
  /** `--answers <file>` */
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
  scaffold?: boolean;
  /** The prompt implementation; the terminal when absent. */
  prompts?: PromptBackend;
}

const NO_TERMINAL_HINT =
  'Pass --answers <file> (a JSON or YAML file; see "The answers file" in the README), ' +
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

async function resolveAnswers(options: DecideOptions, style: Style, willWrite: boolean): Promise<Answers> {
  const { context } = options;
  if (options.answers !== undefined) {
    const answers = await readAnswersFile(options.answers, context.cwd);
    // A person at a terminal sees what the file says before anything is written.
    if (context.interactive && willWrite && !options.yes) {
      const { confirm, backend } = await promptsFor(options);
      backend.note(`${style.bold(`Answers from ${options.answers}`)}\n${renderAnswersSummary(answers, style)}\n`);
      if (!(await confirm('Decide with these answers and write the record?', true, backend))) throw new CancelledError();
    }
    return answers;
  }
  if (options.yes) return validated(defaultAnswers(), 'The default answers');
  if (!context.interactive) {
    throw new UsageError('No terminal to ask the questions in, and no --answers file given.', { hint: NO_TERMINAL_HINT });
  }
  return askQuestionnaire(options, style);
}

interface PreparedRecord {
  dir: string;
  fileName: string;
  /** `/`-separated, relative to the working directory. */
  path: string;
  text: string;
}

async function prepareRecord(options: DecideOptions, answers: Answers, decision: Decision): Promise<PreparedRecord> {
  const { context } = options;
  const location = await locateRecords(context.cwd, options.adrDir);
  const number = nextRecordNumber(location.files);
  const title = options.title?.trim() || defaultRecordTitle(decision);
  const decisionMakers = (options.decisionMakers ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const text = renderRecord(
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
    },
    await loadAdrTemplates(),
  );
  const fileName = recordFileName(number, title);
  const relativeDir = location.relativeDir.replace(/\\/g, '/');
  const path = relativeDir === '' || relativeDir === '.' ? fileName : `${relativeDir}/${fileName}`;
  return { dir: location.dir, fileName, path, text };
}

async function writeRecord(record: PreparedRecord): Promise<void> {
  await writeNewRecord(record.dir, record.fileName, record.text);
}

async function offerScaffold(options: DecideOptions, answers: Answers, decision: Decision): Promise<void> {
  const { context } = options;
  const methods = [...new Set(decision.plan.map((entry) => entry.method))];
  const names = methods.map((method) => METHODS[method].name).join(' + ');
  const interactive = context.interactive && !options.yes && !options.scaffold;
  if (interactive) {
    const { confirm, backend } = await promptsFor(options);
    const stack = answers.stack ?? 'the framework found in package.json';
    if (!(await confirm(`Scaffold the plan (${names}) for ${stack} now?`, false, backend))) {
      context.stderr.write(`Later: auth-decide scaffold${answers.stack ? ` --stack ${answers.stack}` : ''}\n`);
      return;
    }
  } else if (!options.scaffold) {
    return;
  }
  const { runScaffold } = await import('./scaffold.js');
  await runScaffold({
    context,
    // The plan itself, so a dry run or --no-record (no record on disk) scaffolds the same thing.
    plan: decision.plan as unknown as Record<string, unknown>[],
    ...(answers.stack ? { stack: answers.stack } : {}),
    dryRun: options.dryRun ?? false,
    install: true,
    yes: !interactive,
  });
}

export async function runDecide(options: DecideOptions): Promise<void> {
  const { context } = options;
  if (options.json && options.scaffold) {
    throw new UsageError('--scaffold cannot be combined with --json: the output must stay one JSON document.', {
      hint: 'Run `auth-decide scaffold --json` after deciding.',
    });
  }
  const recording = options.record !== false;
  const messageStyle = styleFor(context.color);
  const answers = await resolveAnswers(options, messageStyle, recording && !options.dryRun);
  const decision = decide(answers);

  const record = recording ? await prepareRecord(options, answers, decision) : null;
  if (record && !options.dryRun) await writeRecord(record);

  if (options.json) {
    const outcome: RecordOutcome | null = record
      ? { path: record.path, written: !options.dryRun, ...(options.dryRun ? { content: record.text } : {}) }
      : null;
    context.stdout.write(`${JSON.stringify(decisionDocument(decision, answers, outcome), null, 2)}\n`);
  } else {
    // Colour follows stdout here, since that is where the report goes.
    const reportStyle = styleFor(decideColor(context.env, Boolean(context.stdout.isTTY)));
    context.stdout.write(renderReport(decision, reportStyle));
    if (record && options.dryRun) {
      context.stdout.write(`\n${reportStyle.dim(`--- ${record.path} (would be written) ---`)}\n${record.text}`);
    }
  }

  if (record) {
    context.stderr.write(options.dryRun ? `Dry run: would write ${record.path}; nothing was written.\n` : `Wrote ${record.path}\n`);
  } else if (options.dryRun) {
    context.stderr.write('Dry run: nothing was written.\n');
  }

  if (!options.json) await offerScaffold(options, answers, decision);
}
