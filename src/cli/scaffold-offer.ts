/**
 * What `decide` and `revisit` need to offer a scaffold honestly: the command
 * to print for later (runnable as printed, with every option it needs), a
 * check that this Node can run what would be generated, and a dry run of the
 * real scaffold before anything is written.
 */
import type { CliContext } from './context.js';
import { commandLine } from './output.js';
import type { ScaffoldOptions } from './commands/scaffold.js';
import { UsageError } from '../errors.js';
import type { MethodId, Stack } from '../core/types.js';

/** Scaffold options a command passes on, as `scaffold` takes them. */
export interface ScaffoldChoices {
  stack?: string;
  out?: string;
  store?: string;
  lang?: string;
  module?: string;
  force?: boolean;
  /** false with --no-install. */
  install?: boolean;
}

/** The option names of ScaffoldChoices as typed on the command line. */
export const SCAFFOLD_FLAGS: Record<keyof ScaffoldChoices, string> = {
  stack: '--stack',
  out: '--out',
  store: '--store',
  lang: '--lang',
  module: '--module',
  force: '--force',
  install: '--no-install',
};

/** The scaffold choices among a command's options. */
export function scaffoldChoicesOf(options: ScaffoldChoices): ScaffoldChoices {
  const choices: ScaffoldChoices = {};
  for (const key of Object.keys(SCAFFOLD_FLAGS) as (keyof ScaffoldChoices)[]) {
    if (options[key] !== undefined) (choices as Record<string, unknown>)[key] = options[key];
  }
  return choices;
}

/** The scaffold choices given on the command line, by flag, for messages. */
export function givenScaffoldFlags(choices: ScaffoldChoices): string[] {
  return (Object.keys(SCAFFOLD_FLAGS) as (keyof ScaffoldChoices)[])
    .filter((key) => (key === 'install' ? choices.install === false : choices[key] !== undefined && choices[key] !== false))
    .map((key) => SCAFFOLD_FLAGS[key]);
}

/** The strictest Node requirement of the kernel and the plan's methods, or null when a template is missing. */
async function nodeRequirementOf(methods: readonly MethodId[], templatesRoot: string | undefined): Promise<string | null> {
  const [{ openTemplateLibrary }, { stricterNode }] = await Promise.all([
    import('../shell/scaffold-templates.js'),
    import('../core/scaffold/compose.js'),
  ]);
  const library = openTemplateLibrary(templatesRoot);
  const templates = await Promise.all(['kernel', ...methods].map((name) => library.load(name)));
  if (templates.some((template) => template === null)) return null;
  return templates.reduce((strictest, template) => stricterNode(strictest, template!.manifest.node), '>=0');
}

export interface ScaffoldStep {
  /** The methods of the plan the step scaffolds. */
  methods: MethodId[];
  /** The command to run, split into arguments (the first is `auth-decide`). */
  args: string[];
  /** Why it cannot run on this Node, or null. */
  nodeRefusal: string | null;
}

/**
 * The `auth-decide scaffold` command that realises the current record's whole
 * plan with the choices given, as the user can run it later (it reads the
 * plan from the record, so it runs as printed once the record is written).
 */
export async function scaffoldStep(
  methods: readonly MethodId[],
  choices: ScaffoldChoices,
  facts: { stack: Stack | null; nodeVersion: string; templatesRoot?: string },
): Promise<ScaffoldStep> {
  const args = ['auth-decide', 'scaffold'];
  const stack = choices.stack ?? facts.stack;
  if (stack) args.push('--stack', stack);
  if (choices.store) args.push('--store', choices.store);
  if (choices.out !== undefined) args.push('--out', choices.out);
  if (choices.lang) args.push('--lang', choices.lang);
  if (choices.module) args.push('--module', choices.module);
  if (choices.install === false) args.push('--no-install');
  let nodeRefusal: string | null = null;
  const requirement = await nodeRequirementOf(methods, facts.templatesRoot);
  if (requirement !== null) {
    const { satisfiesNode } = await import('../core/scaffold/node-version.js');
    if (!satisfiesNode(facts.nodeVersion, requirement)) {
      nodeRefusal = `it needs Node ${requirement.replace(/^>=/, '')} or newer, and this is Node ${facts.nodeVersion}`;
    }
  }
  return { methods: [...methods], args, nodeRefusal };
}

export const printable = (step: ScaffoldStep): string => commandLine(step.args);

/** The options for runScaffold from a command's choices: the plan given, else the current record's. */
export function scaffoldOptions(
  context: CliContext,
  plan: ScaffoldOptions['plan'] | undefined,
  choices: ScaffoldChoices,
  extra: Partial<ScaffoldOptions>,
): ScaffoldOptions {
  const options: ScaffoldOptions = { context, install: choices.install !== false, ...extra };
  if (plan !== undefined) options.plan = plan;
  if (choices.stack !== undefined) options.stack = choices.stack;
  if (choices.out !== undefined) options.out = choices.out;
  if (choices.store !== undefined) options.store = choices.store;
  if (choices.lang !== undefined) options.lang = choices.lang;
  if (choices.module !== undefined) options.module = choices.module;
  if (choices.force) options.force = true;
  return options;
}

const discard = { write: () => undefined, isTTY: false };

/**
 * Runs the real scaffold as a quiet dry run: whatever would stop the real
 * run (a Node version, a missing choice, an unsupported store, files that
 * differ) is found before anything is written. Throws the scaffold's own
 * UsageError, or one listing the conflicting files.
 */
export async function preflightScaffold(options: ScaffoldOptions): Promise<void> {
  let report = '';
  const quiet: CliContext = {
    ...options.context,
    interactive: false,
    stdout: { write: (text: string) => void (report += text), isTTY: false },
    stderr: discard,
  };
  const { runScaffold } = await import('./commands/scaffold.js');
  await runScaffold({ ...options, context: quiet, dryRun: true, json: true, yes: true, install: false });
  const parsed = JSON.parse(report) as { files?: { path: string; action: string; write: boolean }[] };
  const blocking = (parsed.files ?? []).filter((file) => file.action === 'conflict' && !file.write).map((file) => file.path);
  if (blocking.length > 0) {
    throw new UsageError(
      `The scaffold would stop: ${blocking.length} file${blocking.length === 1 ? '' : 's'} differ${blocking.length === 1 ? 's' : ''} from what would be generated (${blocking.join(', ')}).`,
      { hint: 'Add --force to overwrite them, or move your changes aside.' },
    );
  }
}
