/**
 * `auth-decide scaffold`: choose (flags → decision record → detection →
 * prompts), plan in memory, show the plan, then write everything in one
 * transaction and install what is missing.
 *
 * Exit codes: 0 done (or a dry run); 2 bad input, conflicts without --force
 * (nothing written), a failed write (rolled back) or a failed install (files
 * written, the package manager's output shown); 130 cancelled.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CliContext } from '../context.js';
import { CancelledError, ExitError, UsageError } from '../../errors.js';
import { METHOD_IDS, STACKS, type MethodId, type Stack } from '../../core/types.js';
import { LANGS, MODULE_FORMATS, OAUTH_MODES, STORE_IDS, type ScaffoldManifest } from '../../core/scaffold/schema.js';
import type { Lang, ModuleFormat, OauthMode, ProjectInfo, ScaffoldSelection, StoreId } from '../../core/scaffold/model.js';
import { MANIFEST_PATH, parseManifest } from '../../core/scaffold/manifest.js';
import { normaliseOutDir } from '../../core/scaffold/paths.js';
import { planScaffold, pathsToRead, renderScaffold, type ScaffoldPlan } from '../../core/scaffold/plan.js';
import { buildReport, formatPlan, plainStyle, type PlanStyle, type ScaffoldReport } from '../../core/scaffold/report.js';
import { manifestForMode } from '../../core/scaffold/modes.js';
import { OAUTH_NODE_REASON, satisfiesNode } from '../../core/scaffold/node-version.js';
import { TemplateError, type JavaScriptOutput } from '../../core/scaffold/render.js';
import { RUN_SCRIPT } from '../../core/scaffold/context.js';
import { findProjectRoot } from '../../shell/files.js';
import { detectProject } from '../../shell/project.js';
import { packageManagerInstaller, type Installer } from '../../shell/installer.js';
import { readExistingFiles, writeTransaction } from '../../shell/scaffold-writer.js';
import { openTemplateLibrary } from '../../shell/scaffold-templates.js';
import type { PromptBackend } from '../../shell/prompts.js';
import { InternalError } from '../../errors.js';

export interface ScaffoldOptions {
  context: CliContext;
  method?: string;
  stack?: string;
  dir?: string;
  out?: string;
  store?: string;
  lang?: string;
  module?: string;
  oauthMode?: string;
  dryRun?: boolean;
  force?: boolean;
  /** false with --no-install. */
  install?: boolean;
  yes?: boolean;
  json?: boolean;
  /** Runs the package manager; replaced in tests. */
  installer?: Installer;
  /** Answers prompts; replaced in tests. */
  prompts?: PromptBackend;
  /** Folder holding `<method>/template.json`, compiled as met; defaults to the templates shipped with auth-decide. */
  templatesRoot?: string;
  /** The Node version the generated code will run on; defaults to this process's. */
  nodeVersion?: string;
  /** auth-decide's version, recorded as the template version. */
  version?: string;
}

const ownVersion = (): string =>
  (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag} is "${value}"; allowed: ${allowed.join(' | ')}`);
}

async function promptsModule() {
  return import('../../shell/prompts.js');
}

interface RecordDefaults {
  method: MethodId | null;
  stack: Stack | null;
  source: string | null;
}

async function recordDefaults(root: string, warnings: string[]): Promise<RecordDefaults> {
  try {
    const { readAuthRecords, currentAuthRecord } = await import('../../shell/records.js');
    const current = currentAuthRecord(await readAuthRecords(root));
    if (current === null) return { method: null, stack: null, source: null };
    if (current.warning) warnings.push(current.warning);
    const block = current.record.parsed.block;
    return { method: block.recommendation, stack: block.answers.stack ?? null, source: current.record.relativePath };
  } catch (error) {
    // A damaged record should not stop a scaffold whose choices come from flags.
    warnings.push(`Could not read the decision records: ${error instanceof Error ? error.message : String(error)}`);
    return { method: null, stack: null, source: null };
  }
}

function styleFor(color: boolean): PlanStyle {
  if (!color) return plainStyle;
  const paint = (code: number) => (text: string) => `\u001b[${code}m${text}\u001b[39m`;
  const colours = { create: paint(32), update: paint(36), conflict: paint(31), skip: paint(33), identical: paint(90) } as const;
  return {
    action: (action, text) => colours[action](text),
    dim: (text) => `\u001b[2m${text}\u001b[22m`,
    bold: (text) => `\u001b[1m${text}\u001b[22m`,
  };
}

export async function runScaffold(options: ScaffoldOptions): Promise<void> {
  const { context } = options;
  const warnings: string[] = [];
  const canAsk = context.interactive && !options.yes && !options.json;
  // Without --dir: the project the current folder belongs to, as every command finds it.
  const root = options.dir !== undefined ? resolve(context.cwd, options.dir) : findProjectRoot(context.cwd);
  const templates = openTemplateLibrary(options.templatesRoot);
  const nodeVersion = options.nodeVersion ?? process.versions.node;
  const version = options.version ?? ownVersion();

  const methodFlag = oneOf(options.method, METHOD_IDS, '--method');
  const stackFlag = oneOf(options.stack, STACKS, '--stack');
  const storeFlag = oneOf(options.store, STORE_IDS, '--store');
  const langFlag = oneOf(options.lang, LANGS, '--lang');
  const moduleFlag = oneOf(options.module, MODULE_FORMATS, '--module');
  const oauthModeFlag = oneOf(options.oauthMode, OAUTH_MODES, '--oauth-mode');
  let outDir: string | undefined;
  if (options.out !== undefined) {
    const checked = normaliseOutDir(options.out);
    if (!checked.ok) throw new UsageError(checked.message);
    outDir = checked.value;
  }

  const project = await detectProject(root, context.env, context.cwd);
  const recorded = methodFlag && stackFlag ? { method: null, stack: null, source: null } : await recordDefaults(root, warnings);

  // Method: flag, then the decision record, then a question.
  let method: MethodId | undefined = methodFlag ?? recorded.method ?? undefined;
  if (method === undefined) {
    if (!canAsk) {
      throw new UsageError('No auth method given and no decision record found.', {
        hint: 'Pass --method api-key|jwt|session|oauth, or run `auth-decide decide` first.',
      });
    }
    const { select } = await promptsModule();
    method = await select<MethodId>(
      { message: 'Which auth method should be scaffolded?', choices: METHOD_IDS.map((id) => ({ value: id, name: id })) },
      ...(options.prompts ? [options.prompts] : []),
    );
  }

  let oauthMode: OauthMode | null = null;
  if (method === 'oauth') {
    oauthMode = oauthModeFlag ?? null;
    if (oauthMode === null) {
      if (!canAsk) throw new UsageError('OAuth needs a mode.', { hint: 'Pass --oauth-mode provider (you run the authorization server) or --oauth-mode client (your app acts for users at another provider).' });
      const { select } = await promptsModule();
      oauthMode = await select<OauthMode>(
        {
          message: 'Which side of OAuth is this API on?',
          choices: [
            { value: 'provider', name: 'provider', description: 'third-party apps connect to your platform' },
            { value: 'client', name: 'client', description: 'your app acts for users at another provider' },
          ],
        },
        ...(options.prompts ? [options.prompts] : []),
      );
    }
  } else if (oauthModeFlag !== undefined) {
    throw new UsageError('--oauth-mode applies only to --method oauth.');
  }
  const template = await templates.load(method);
  if (template === null) {
    throw new UsageError(`There are no templates for method ${method} in this version of auth-decide.`, {
      hint: 'Choose another method with --method.',
    });
  }
  // Refused before any further question: the generated code (its tests included) would not run.
  const nodeRequirement = manifestForMode(template.manifest, oauthMode).node;
  if (!satisfiesNode(nodeVersion, nodeRequirement)) {
    const wanted = nodeRequirement.slice(2);
    if (oauthMode !== null) {
      throw new UsageError(`OAuth ${oauthMode} mode needs Node ${wanted} or newer (${OAUTH_NODE_REASON[oauthMode]}); this is Node ${nodeVersion}.`, {
        hint: `Run the scaffold again under Node ${wanted} or newer.`,
      });
    }
    throw new UsageError(`The ${method} code needs Node ${nodeRequirement}; this is Node ${nodeVersion}.`, {
      hint: 'Upgrade Node, then run the scaffold again.',
    });
  }

  // Stack: flag, then what package.json declares, then the record, then a question.
  let stack: Stack | undefined = stackFlag ?? project.stack?.value ?? recorded.stack ?? undefined;
  if (!stackFlag && project.stack && recorded.stack && project.stack.value !== recorded.stack) {
    warnings.push(`The decision record names ${recorded.stack}, but package.json declares ${project.stack.value}; using ${project.stack.value}.`);
  }
  if (stack === undefined) {
    const candidates: readonly Stack[] = project.stackCandidates.length > 1 ? project.stackCandidates : STACKS;
    if (!canAsk) {
      throw new UsageError(
        project.stackCandidates.length > 1
          ? `package.json declares several web frameworks (${project.stackCandidates.join(', ')}).`
          : 'No web framework found in package.json and none given.',
        { hint: `Pass --stack ${candidates.join('|')}.` },
      );
    }
    const { select } = await promptsModule();
    stack = await select<Stack>(
      { message: 'Which web framework?', choices: candidates.map((id) => ({ value: id, name: id })) },
      ...(options.prompts ? [options.prompts] : []),
    );
  }

  const store: StoreId = storeFlag ?? template.manifest.defaultStore;
  if (!template.manifest.stores.includes(store)) {
    throw new UsageError(`The ${method} templates support the stores ${template.manifest.stores.join(', ')}; --store ${store} is not one of them.`);
  }

  const lang: Lang = langFlag ?? project.lang.value;
  const moduleFormat: ModuleFormat = moduleFlag ?? (project.hasPackageJson ? project.moduleFormat.value : 'esm');
  const selection: ScaffoldSelection = {
    method,
    stack,
    store,
    lang,
    moduleFormat,
    oauthMode,
    outDir: outDir ?? (project.sourceDir ? `${project.sourceDir}/auth` : 'auth'),
    packageManager: project.packageManager.value,
  };

  const javascript: JavaScriptOutput | null = lang === 'js' ? await templates.javascript([method], moduleFormat) : null;

  let rendered;
  try {
    rendered = renderScaffold({ selection, template, templateName: method, templateVersion: version, project, renderer: templates.renderer, javascript });
  } catch (error) {
    if (error instanceof TemplateError) throw new InternalError(`The ${method} template is broken: ${error.message}`, { cause: error });
    throw error;
  }

  const previousManifest = await readPreviousManifest(root);
  const existing = await readExistingFiles(root, pathsToRead(rendered, previousManifest));
  const makePlan = (force: boolean) => planScaffold({ rendered, project, existing, previousManifest, force });
  let plan = makePlan(Boolean(options.force));
  const style = styleFor(context.color);
  const dryRun = Boolean(options.dryRun);

  for (const warning of warnings) context.stderr.write(`Warning: ${warning}\n`);
  if (!options.json) {
    context.stderr.write(describeDetection(project, selection, recorded.source));
    context.stderr.write(formatPlan(plan, style, { dryRun, showDiffs: true }));
  }

  const report = (extra: { written: boolean; install: ScaffoldReport['install'] }): void => {
    if (options.json) {
      context.stdout.write(`${JSON.stringify(buildReport({ plan, project, dryRun, warnings, ...extra }), null, 2)}\n`);
    }
  };

  const blocking = plan.conflicts.filter((file) => !file.write);
  if (dryRun) {
    report({ written: false, install: plan.install ? { command: plan.install.display, ran: false, ok: null } : null });
    if (!options.json) {
      context.stderr.write(
        blocking.length > 0
          ? `Dry run: a real run would stop at ${blocking.length} conflict${blocking.length === 1 ? '' : 's'} unless given --force.\n`
          : `Dry run: nothing was written${plan.install ? `; a real run would then run \`${plan.install.display}\`` : ''}.\n`,
      );
    }
    return;
  }

  if (blocking.length > 0) {
    if (canAsk) {
      const { confirm } = await promptsModule();
      const overwrite = await confirm(
        `Overwrite ${blocking.length} changed file${blocking.length === 1 ? '' : 's'} with the generated version (diffs above)?`,
        false,
        ...(options.prompts ? [options.prompts] : []),
      );
      if (!overwrite) throw new CancelledError('Nothing was written: your changed files were kept.');
      plan = makePlan(true);
    } else {
      report({ written: false, install: null });
      context.stderr.write(
        `Nothing was written: ${blocking.length} file${blocking.length === 1 ? ' differs' : 's differ'} from what would be generated (${blocking.map((f) => f.path).join(', ')}).\n` +
          'Review the diffs, then re-run with --force to overwrite, or move your changes aside.\n',
      );
      throw new ExitError(2, 'conflicts');
    }
  } else if (canAsk && plan.changes) {
    const { confirm } = await promptsModule();
    const go = await confirm(
      `Write these files${plan.install && options.install !== false ? ` and run \`${plan.install.display}\`` : ''}?`,
      true,
      ...(options.prompts ? [options.prompts] : []),
    );
    if (!go) throw new CancelledError();
  }

  const writes = plan.files.filter((file) => file.write).map((file) => ({ path: file.path, content: file.content }));
  if (writes.length > 0) await writeTransaction(root, writes);
  if (!options.json) {
    context.stderr.write(writes.length > 0 ? `Wrote ${writes.length} file${writes.length === 1 ? '' : 's'}.\n` : 'Everything is already up to date.\n');
  }

  let install: ScaffoldReport['install'] = null;
  if (plan.install) {
    if (options.install === false) {
      install = { command: plan.install.display, ran: false, ok: null };
      context.stderr.write(`Install the new dependencies with: ${plan.install.display}\n`);
    } else {
      const installer = options.installer ?? packageManagerInstaller;
      context.stderr.write(`Installing dependencies: ${plan.install.display}\n`);
      const result = await installer({
        cwd: root,
        command: plan.install,
        env: context.env,
        onOutput: (line) => context.stderr.write(`  ${plan.install!.file} │ ${line}\n`),
      });
      install = { command: plan.install.display, ran: true, ok: result.ok };
      if (!result.ok) {
        report({ written: writes.length > 0, install });
        throw new UsageError(`Installing failed: ${result.reason}.${result.output ? `\n${result.output.trimEnd()}` : ''}`, {
          hint: `The files were written. Fix the problem above, then run \`${plan.install.display}\` in ${root}.`,
        });
      }
      context.stderr.write('Dependencies installed.\n');
    }
  }
  report({ written: writes.length > 0, install });
  if (!options.json) context.stderr.write(nextSteps(plan));
}

async function readPreviousManifest(root: string): Promise<ScaffoldManifest | null> {
  const existing = (await readExistingFiles(root, [MANIFEST_PATH])).get(MANIFEST_PATH);
  if (existing?.kind !== 'file') return null;
  const parsed = parseManifest(existing.content);
  if (!parsed.ok) {
    throw new UsageError(`${MANIFEST_PATH} cannot be read: ${parsed.problems.map((p) => p.message).join('; ')}`, {
      hint: 'Restore it from version control, or delete it to treat every generated file as yours.',
    });
  }
  return parsed.value;
}

function describeDetection(project: ProjectInfo, selection: ScaffoldSelection, recordSource: string | null): string {
  const lines = [
    `Project: ${project.root}${project.hasPackageJson ? '' : ' (no package.json: a new project will be created)'}`,
    `  language         ${selection.lang} (${selection.lang === project.lang.value ? project.lang.source : 'from --lang'})`,
    `  modules          ${selection.moduleFormat} (${selection.moduleFormat === project.moduleFormat.value ? project.moduleFormat.source : 'from --module'})`,
    `  package manager  ${selection.packageManager} (${project.packageManager.source})`,
  ];
  if (recordSource) lines.push(`  decision record  ${recordSource}`);
  if (project.authDependencies.length > 0) {
    lines.push(`  auth packages    ${project.authDependencies.map((d) => d.name).join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

function nextSteps(plan: ScaffoldPlan): string {
  const run = RUN_SCRIPT[plan.selection.packageManager];
  return [
    'Next steps:',
    `  ${run} test:auth      run the generated tests`,
    `  ${run} auth:demo      start the demo server (PORT, default 3000)`,
    `  read ${plan.selection.outDir}/AUTH.md to wire it into your app`,
    '',
  ].join('\n');
}
