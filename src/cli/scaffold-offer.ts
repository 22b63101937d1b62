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
  oauthMode?: string;
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
  oauthMode: '--oauth-mode',
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

/**
 * OAuth mode for a next step when none was chosen: the API being decided on
 * authenticates its callers, so it is the side that runs (or trusts) the
 * authorization server.
 */
export const DEFAULT_OAUTH_MODE = 'provider';

interface TemplateFacts {
  stores: readonly string[];
  /** The Node requirement (`>=22`) for a mode, or for the method when it has none. */
  node(mode: string | null): string;
}

async function templateFacts(method: MethodId, templatesRoot: string | undefined): Promise<TemplateFacts | null> {
  const [{ defaultTemplatesRoot, loadTemplate }, { manifestForMode }] = await Promise.all([
    import('../shell/scaffold-templates.js'),
    import('../core/scaffold/modes.js'),
  ]);
  const template = await loadTemplate(templatesRoot ?? defaultTemplatesRoot(), method);
  if (template === null) return null;
  return {
    stores: template.manifest.stores,
    node: (mode) => manifestForMode(template.manifest, mode as Parameters<typeof manifestForMode>[1]).node,
  };
}

export interface ScaffoldStep {
  method: MethodId;
  /** The command to run, split into arguments (the first is `auth-decide`). */
  args: string[];
  /** Why it cannot run on this Node, or null. */
  nodeRefusal: string | null;
}

/**
 * The `auth-decide scaffold` command for `method` with the choices given, as
 * the user can run it later: the OAuth mode always stated (a run without a
 * terminal needs it), a store only when the method offers it.
 */
export async function scaffoldStep(
  method: MethodId,
  choices: ScaffoldChoices,
  facts: { stack: Stack | null; nodeVersion: string; templatesRoot?: string },
): Promise<ScaffoldStep> {
  const template = await templateFacts(method, facts.templatesRoot);
  const args = ['auth-decide', 'scaffold', '--method', method];
  const mode = method === 'oauth' ? (choices.oauthMode ?? DEFAULT_OAUTH_MODE) : null;
  if (mode) args.push('--oauth-mode', mode);
  const stack = choices.stack ?? facts.stack;
  if (stack) args.push('--stack', stack);
  if (choices.store && template?.stores.includes(choices.store)) args.push('--store', choices.store);
  if (choices.out !== undefined) args.push('--out', choices.out);
  if (choices.lang) args.push('--lang', choices.lang);
  if (choices.module) args.push('--module', choices.module);
  if (choices.install === false) args.push('--no-install');
  let nodeRefusal: string | null = null;
  if (template) {
    const { satisfiesNode } = await import('../core/scaffold/node-version.js');
    const requirement = template.node(mode);
    if (!satisfiesNode(facts.nodeVersion, requirement)) {
      nodeRefusal = `it needs Node ${requirement.replace(/^>=/, '')} or newer, and this is Node ${facts.nodeVersion}`;
    }
  }
  return { method, args, nodeRefusal };
}

export const printable = (step: ScaffoldStep): string => commandLine(step.args);

/** The options for runScaffold from a command's choices. */
export function scaffoldOptions(
  context: CliContext,
  method: MethodId,
  choices: ScaffoldChoices,
  extra: Partial<ScaffoldOptions>,
): ScaffoldOptions {
  const options: ScaffoldOptions = { context, method, install: choices.install !== false, ...extra };
  if (choices.stack !== undefined) options.stack = choices.stack;
  if (choices.out !== undefined) options.out = choices.out;
  if (choices.store !== undefined) options.store = choices.store;
  if (choices.lang !== undefined) options.lang = choices.lang;
  if (choices.module !== undefined) options.module = choices.module;
  if (method === 'oauth' && choices.oauthMode !== undefined) options.oauthMode = choices.oauthMode;
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
