/**
 * Every interactive prompt of auth-decide goes through this module; it is the
 * only one that imports @inquirer/prompts. Commands take a `PromptBackend` so
 * tests can answer the questions without a terminal.
 */
import {
  checkbox as inquirerCheckbox,
  confirm as inquirerConfirm,
  input as inquirerInput,
  select as inquirerSelect,
} from '@inquirer/prompts';
import { CancelledError } from '../errors.js';
import { wrapText } from '../core/wrap.js';
import { QUESTIONS, type ChoiceValue, type Question } from '../core/questions.js';
import type { AnswerKey, Answers } from '../core/types.js';

export interface PromptChoice<V> {
  value: V;
  name: string;
  description?: string;
}

export interface SelectOptions<V> {
  message: string;
  choices: readonly PromptChoice<V>[];
  default?: V;
}

export interface CheckboxOptions<V> {
  message: string;
  choices: readonly (PromptChoice<V> & { checked?: boolean })[];
  /** Refuse an empty selection. */
  required?: boolean;
}

export interface ConfirmOptions {
  message: string;
  default?: boolean;
}

export interface InputOptions {
  message: string;
  default?: string;
  /** Return true, or a message explaining what is wrong. */
  validate?: (value: string) => true | string;
}

/** The four prompt kinds auth-decide uses, plus a way to show a help line. */
export interface PromptBackend {
  select<V>(options: SelectOptions<V>): Promise<V>;
  checkbox<V>(options: CheckboxOptions<V>): Promise<V[]>;
  confirm(options: ConfirmOptions): Promise<boolean>;
  input(options: InputOptions): Promise<string>;
  /** Shows a line of guidance above the next prompt. */
  note(text: string): void;
}

/**
 * The real terminal. Prompts draw on stderr so stdout carries only data
 * (a report or a `--json` document) even in an interactive run.
 */
export function inquirerBackend(
  streams: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream & { columns?: number } } = { input: process.stdin, output: process.stderr },
): PromptBackend {
  const context = { input: streams.input, output: streams.output, clearPromptOnDone: false };
  // Hints and descriptions wrap at word boundaries to the terminal, so none breaks mid-word.
  const width = () => Math.min(streams.output.columns && streams.output.columns >= 20 ? streams.output.columns : 80, 80);
  const wrapChoices = <C extends { description?: string }>(choices: readonly C[]): C[] =>
    choices.map((choice) => (choice.description === undefined ? { ...choice } : { ...choice, description: wrapText(choice.description, width()) }));
  return {
    select: (options) =>
      inquirerSelect(
        {
          message: options.message,
          choices: wrapChoices(options.choices),
          ...(options.default === undefined ? {} : { default: options.default }),
          pageSize: 10,
        },
        context,
      ),
    checkbox: (options) =>
      inquirerCheckbox(
        {
          message: options.message,
          choices: wrapChoices(options.choices),
          required: options.required ?? false,
          pageSize: 10,
        },
        context,
      ),
    confirm: (options) => inquirerConfirm({ message: options.message, default: options.default ?? true }, context),
    input: (options) =>
      inquirerInput(
        {
          message: options.message,
          ...(options.default === undefined ? {} : { default: options.default }),
          ...(options.validate ? { validate: options.validate } : {}),
        },
        context,
      ),
    note: (text) => {
      streams.output.write(`${wrapText(text, width())}\n`);
    },
  };
}

/** Ctrl-C or a closed terminal at a prompt is a cancel, not a crash. */
async function cancellable<T>(prompt: () => Promise<T>): Promise<T> {
  try {
    return await prompt();
  } catch (error) {
    if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError')) {
      throw new CancelledError();
    }
    throw error;
  }
}

export const select = <V>(options: SelectOptions<V>, backend: PromptBackend = inquirerBackend()): Promise<V> =>
  cancellable(() => backend.select(options));

export const checkbox = <V>(options: CheckboxOptions<V>, backend: PromptBackend = inquirerBackend()): Promise<V[]> =>
  cancellable(() => backend.checkbox(options));

export const input = (options: InputOptions, backend: PromptBackend = inquirerBackend()): Promise<string> =>
  cancellable(() => backend.input(options));

export function confirm(message: string, defaultValue = true, backend: PromptBackend = inquirerBackend()): Promise<boolean> {
  return cancellable(() => backend.confirm({ message, default: defaultValue }));
}

const sameValue = (a: unknown, b: unknown) => a === b || (a === undefined && b === null);

async function askOne(question: Question, current: unknown, backend: PromptBackend): Promise<ChoiceValue | string[]> {
  backend.note(`  ${question.help}`);
  const choices = question.choices.map((choice) => ({
    value: choice.value,
    name: choice.label,
    description: choice.description,
  }));
  if (question.kind === 'many') {
    const picked = Array.isArray(current) ? (current as unknown[]) : [];
    const values = await checkbox(
      {
        message: question.message,
        choices: choices.map((choice) => ({ ...choice, checked: picked.includes(choice.value) })),
        required: true,
      },
      backend,
    );
    return values.filter((value): value is string => typeof value === 'string');
  }
  const preselected = question.choices.find((choice) => sameValue(current, choice.value));
  return select<ChoiceValue>(
    {
      message: question.message,
      choices,
      ...(preselected ? { default: preselected.value } : {}),
    },
    backend,
  );
}

/**
 * Asks the questions for `keys`, in questionnaire order, pre-filled from
 * `defaults` (else each question's own default). A question whose `askWhen`
 * says no is skipped and keeps its default. `revisit` uses this to re-ask only
 * what a trigger touches.
 */
export async function askAnswers(
  keys: readonly AnswerKey[],
  defaults: Partial<Answers>,
  backend: PromptBackend = inquirerBackend(),
): Promise<Partial<Answers>> {
  const answers: Record<string, unknown> = { ...defaults };
  for (const question of QUESTIONS) {
    if (!keys.includes(question.key)) continue;
    const earlier = answers as Partial<Answers>;
    const fallback = question.defaultValue(earlier);
    const current = question.key in defaults ? defaults[question.key] : fallback;
    const value = question.askWhen && !question.askWhen(earlier) ? fallback : await askOne(question, current, backend);
    if (value === null) delete answers[question.key];
    else answers[question.key] = value;
  }
  return answers as Partial<Answers>;
}
