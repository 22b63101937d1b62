/**
 * `auth-decide scaffold`: choose what the auth package holds (the decision
 * record's plan, or `--method X` on top of what is there; package settings
 * from flags, the manifest, detection and prompts), render it in memory, show
 * the plan, then write everything in one transaction and install what is
 * missing.
 *
 * Exit codes: 0 done (or a dry run); 2 bad input, conflicts without --force
 * (nothing written), a failed write (rolled back) or a failed install (files
 * written, the package manager's output shown); 130 cancelled.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CliContext } from '../context.js';
import { CancelledError, ExitError, InternalError, UsageError } from '../../errors.js';
import { METHOD_IDS, STACKS, TOKEN_FORMATS, VARIANTS, type MethodId, type Stack, type TokenFormat } from '../../core/types.js';
import { ENV_FLAGS, KERNEL, LANGS, MODULE_FORMATS, OAUTH_MODES, STORE_IDS } from '../../core/scaffold/schema.js';
import type { FileAction, Lang, ModuleFormat, PackageSettings, ProjectInfo, ScaffoldSelection, StoreId, TemplateSource } from '../../core/scaffold/model.js';
import { MANIFEST_PATH, parseManifest, type ReadManifest } from '../../core/scaffold/manifest.js';
import { normaliseOutDir } from '../../core/scaffold/paths.js';
import { renderPackage, stricterNode, type RenderedPackage, type TemplateSet } from '../../core/scaffold/compose.js';
import { planScaffold, pathsToRead, type ScaffoldPlan } from '../../core/scaffold/plan.js';
import { buildReport, formatPlan, plainStyle, type PlanStyle, type ScaffoldReport } from '../../core/scaffold/report.js';
import { satisfiesNode } from '../../core/scaffold/node-version.js';
import { manifestForVariants } from '../../core/scaffold/modes.js';
import { TemplateError, type JavaScriptOutput } from '../../core/scaffold/render.js';
import { SelectionError, selectionFromPlan, withMethod, type LoosePlanEntry, type MethodsAndBoundaries } from '../../core/scaffold/selection.js';
import { RUN_SCRIPT } from '../../core/scaffold/context.js';
import { findProjectRoot } from '../../shell/files.js';
import { detectProject } from '../../shell/project.js';
import { packageManagerInstaller, type Installer } from '../../shell/installer.js';
import { readExistingFiles, writeTransaction } from '../../shell/scaffold-writer.js';
import { openTemplateLibrary, type TemplateLibrary } from '../../shell/scaffold-templates.js';
import type { PromptBackend } from '../../shell/prompts.js';

export interface ScaffoldOptions {
  context: CliContext;
  /** Add or refresh this method only; without it, the decision record's whole plan. */
  method?: string;
  variant?: string;
  boundary?: string;
  tokenFormat?: string;
  /** With --method oauth: `client` adds OAuth client mode (the `client` variant, which no plan names). */
  oauthMode?: string;
  /** With the OAuth resource-server variant: written to `.env.example` as the trusted issuer and this API's audience. */
  issuer?: string;
  audience?: string;
  stack?: string;
  dir?: string;
  out?: string;
  store?: string;
  lang?: string;
  module?: string;
  dryRun?: boolean;
  force?: boolean;
  /** false with --no-install. */
  install?: boolean;
  yes?: boolean;
  json?: boolean;
  /** A decision's plan to realise, as `decide --scaffold` passes it; else the current record's. */
  plan?: readonly LoosePlanEntry[];
  /** Runs the package manager; replaced in tests. */
  installer?: Installer;
  /** Answers prompts; replaced in tests. */
  prompts?: PromptBackend;
  /** Folder holding `kernel/` and `<method>/` templates; defaults to the templates shipped with auth-decide. */
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
  plan: LoosePlanEntry[] | null;
  stack: Stack | null;
  source: string | null;
}

async function recordDefaults(root: string, warnings: string[]): Promise<RecordDefaults> {
  try {
    const { readAuthRecords, currentAuthRecord } = await import('../../shell/records.js');
    const current = currentAuthRecord(await readAuthRecords(root));
    if (current === null) return { plan: null, stack: null, source: null };
    if (current.warning) warnings.push(current.warning);
    const block = current.record.parsed.block;
    return { plan: block.plan as unknown as LoosePlanEntry[], stack: block.answers.stack ?? null, source: current.record.relativePath };
  } catch (error) {
    // A damaged record should not stop a scaffold whose choices come from flags.
    warnings.push(`Could not read the decision records: ${error instanceof Error ? error.message : String(error)}`);
    return { plan: null, stack: null, source: null };
  }
}

function styleFor(color: boolean): PlanStyle {
  if (!color) return plainStyle;
  const paint = (code: number) => (text: string) => `\u001b[${code}m${text}\u001b[39m`;
  const colours: Record<FileAction, (text: string) => string> = {
    create: paint(32),
    update: paint(36),
    conflict: paint(31),
    skip: paint(33),
    identical: paint(90),
    delete: paint(35),
    keep: paint(33),
  };
  return {
    action: (action, text) => colours[action](text),
    dim: (text) => `\u001b[2m${text}\u001b[22m`,
    bold: (text) => `\u001b[1m${text}\u001b[22m`,
  };
}

const describePlanError = (error: unknown, where: string): UsageError =>
  new UsageError(`${where} cannot be scaffolded: ${error instanceof Error ? error.message : String(error)}`, {
    hint: 'Fix the plan in the record (or decide again), or scaffold one method with --method.',
  });

/** The methods and boundaries of this run, and where they came from. */
async function chooseMethods(input: {
  options: ScaffoldOptions;
  methodFlag: MethodId | undefined;
  tokenFormat: TokenFormat | undefined;
  variant: string | undefined;
  previous: ReadManifest | null;
  recorded: () => Promise<RecordDefaults>;
  canAsk: boolean;
  warnings: string[];
}): Promise<MethodsAndBoundaries> {
  const { options, methodFlag, previous, warnings } = input;
  const fromManifest: MethodsAndBoundaries = { methods: previous?.manifest.methods ?? [], boundaries: previous?.manifest.boundaries ?? [] };
  const planned = async (): Promise<{ plan: MethodsAndBoundaries; source: string } | null> => {
    if (options.plan) {
      try {
        return { plan: selectionFromPlan(options.plan), source: 'the decision' };
      } catch (error) {
        throw describePlanError(error, 'The decision');
      }
    }
    const record = await input.recorded();
    if (record.plan === null || record.source === null) return null;
    try {
      return { plan: selectionFromPlan(record.plan), source: record.source };
    } catch (error) {
      throw describePlanError(error, `The plan in ${record.source}`);
    }
  };

  if (methodFlag !== undefined) {
    try {
      return withMethod(
        fromManifest,
        {
          method: methodFlag,
          ...(input.variant !== undefined ? { variant: input.variant } : {}),
          ...(options.boundary !== undefined ? { boundary: options.boundary } : {}),
          ...(input.tokenFormat !== undefined ? { tokenFormat: input.tokenFormat } : {}),
        },
        (await planned())?.plan ?? null,
      );
    } catch (error) {
      if (error instanceof SelectionError) throw new UsageError(error.message, error.hint === undefined ? {} : { hint: error.hint });
      throw error;
    }
  }

  const plan = await planned();
  if (plan !== null) {
    // What an earlier scaffold generated and the plan no longer names stays: removing a method is an explicit step.
    const methods = [...plan.plan.methods];
    const boundaries = [...plan.plan.boundaries];
    for (const choice of fromManifest.methods) {
      if (methods.some((m) => m.method === choice.method)) continue;
      methods.push(choice);
      for (const boundary of fromManifest.boundaries.filter((b) => b.accepts.some((a) => a.method === choice.method))) {
        if (!boundaries.some((b) => b.id === boundary.id)) boundaries.push(boundary);
      }
      warnings.push(`${plan.source} no longer plans ${choice.method}; its generated files are kept and refreshed.`);
    }
    return { methods, boundaries };
  }
  if (fromManifest.methods.length > 0) return fromManifest;

  if (!input.canAsk) {
    throw new UsageError('No auth method given, no decision record found and nothing scaffolded before.', {
      hint: 'Pass --method api-key|jwt|session|oauth, or run `auth-decide decide` first.',
    });
  }
  const { select } = await promptsModule();
  const method = await select<MethodId>(
    { message: 'Which auth method should be scaffolded?', choices: METHOD_IDS.map((id) => ({ value: id, name: id })) },
    ...(options.prompts ? [options.prompts] : []),
  );
  return withMethod(fromManifest, { method }, null);
}

/** The kernel and every chosen method's template; refuses methods this version cannot put in a shared package. */
async function loadTemplates(library: TemplateLibrary, selection: MethodsAndBoundaries): Promise<TemplateSet> {
  const kernel = await library.load(KERNEL);
  if (kernel === null) throw new InternalError('The templates have no kernel template.');
  const methods = new Map<MethodId, TemplateSource>();
  for (const choice of selection.methods) {
    const template = await library.load(choice.method);
    if (template === null) {
      throw new UsageError(`There are no templates for method ${choice.method} in this version of auth-decide.`, {
        hint: 'Choose another method with --method.',
      });
    }
    const variants = template.manifest.variants;
    if (variants === undefined) {
      throw new UsageError(`The ${choice.method} templates in this version cannot join the shared auth package yet: they still generate a stand-alone project.`, {
        hint: `Scaffold the other methods of the plan one by one with --method, and ${choice.method} with a version of auth-decide that ships it on the shared kernel.`,
      });
    }
    const unknown = choice.variants.filter((variant) => !(variant in variants));
    if (unknown.length > 0) {
      const allowed = Object.keys(variants);
      const planned = (VARIANTS[choice.method] as readonly string[]).filter((variant) => !allowed.includes(variant));
      throw new UsageError(`${choice.method} has no variant ${unknown.join(', ')} in this version; it can generate: ${allowed.join(', ')}.`, {
        hint: planned.includes(unknown[0]!) ? `Choose one of those with --variant.` : `Check the spelling of --variant (${allowed.join(' | ')}).`,
      });
    }
    methods.set(choice.method, template);
  }
  return { kernel, methods };
}

export async function runScaffold(options: ScaffoldOptions): Promise<void> {
  const { context } = options;
  const warnings: string[] = [];
  const canAsk = context.interactive && !options.yes && !options.json;
  // Without --dir: the project the current folder belongs to, as every command finds it.
  const root = options.dir !== undefined ? resolve(context.cwd, options.dir) : findProjectRoot(context.cwd);
  const library = openTemplateLibrary(options.templatesRoot);
  const nodeVersion = options.nodeVersion ?? process.versions.node;
  const version = options.version ?? ownVersion();

  const methodFlag = oneOf(options.method, METHOD_IDS, '--method');
  const stackFlag = oneOf(options.stack, STACKS, '--stack');
  const storeFlag = oneOf(options.store, STORE_IDS, '--store');
  const langFlag = oneOf(options.lang, LANGS, '--lang');
  const moduleFlag = oneOf(options.module, MODULE_FORMATS, '--module');
  const tokenFormat = oneOf(options.tokenFormat, TOKEN_FORMATS, '--token-format');
  if (methodFlag === undefined) {
    for (const [flag, value] of [['--variant', options.variant], ['--boundary', options.boundary], ['--token-format', options.tokenFormat]] as const) {
      if (value !== undefined) throw new UsageError(`${flag} goes with --method: it says how that method is added.`, { hint: `Add --method <method>, e.g. --method api-key ${flag} ${value}.` });
    }
  }
  if (methodFlag !== undefined && options.variant !== undefined && !(VARIANTS[methodFlag] as readonly string[]).includes(options.variant)) {
    throw new UsageError(`--variant is "${options.variant}"; ${methodFlag} has: ${VARIANTS[methodFlag].join(' | ')}`, {
      ...(methodFlag === 'oauth' && options.variant === 'client' ? { hint: 'OAuth client mode is not a variant of a plan: pass --oauth-mode client.' } : {}),
    });
  }
  const oauthMode = oneOf(options.oauthMode, OAUTH_MODES, '--oauth-mode');
  const envFlags = Object.fromEntries(ENV_FLAGS.flatMap((flag) => (options[flag] === undefined ? [] : [[flag, options[flag]]]))) as Partial<Record<(typeof ENV_FLAGS)[number], string>>;
  for (const flag of [...(oauthMode === undefined ? [] : ['--oauth-mode']), ...Object.keys(envFlags).map((name) => `--${name}`)]) {
    if (methodFlag !== 'oauth') throw new UsageError(`${flag} applies only to --method oauth.`);
  }
  if (oauthMode === 'client' && options.variant !== undefined) {
    throw new UsageError(`--oauth-mode client and --variant ${options.variant} name two things to add; pass one of them.`);
  }
  // Client mode is the template's `client` variant: generated like a variant, never named by a plan.
  const variant = oauthMode === 'client' ? 'client' : options.variant;
  checkEnvFlags(envFlags);
  if (tokenFormat !== undefined && methodFlag !== 'oauth') throw new UsageError('--token-format applies only to --method oauth.');
  let outFlag: string | undefined;
  if (options.out !== undefined) {
    const checked = normaliseOutDir(options.out);
    if (!checked.ok) throw new UsageError(checked.message);
    outFlag = checked.value;
  }

  const project = await detectProject(root, context.env, context.cwd);
  const previous = await readPreviousManifest(root);
  let recordCache: RecordDefaults | undefined;
  const recorded = async (): Promise<RecordDefaults> => (recordCache ??= await recordDefaults(root, warnings));
  const chosen = await chooseMethods({ options, methodFlag, tokenFormat, variant, previous, recorded, canAsk, warnings });
  const templates = await loadTemplates(library, chosen);

  // Refused before any further question: the generated code (its tests included) would not run.
  const methodNode = (method: MethodId, template: TemplateSource) =>
    manifestForVariants(template.manifest, chosen.methods.find((choice) => choice.method === method)?.variants ?? []).node;
  const nodeRequirement = [...templates.methods.entries()].reduce((strictest, [method, t]) => stricterNode(strictest, methodNode(method, t)), templates.kernel.manifest.node);
  if (!satisfiesNode(nodeVersion, nodeRequirement)) {
    const needy = [...templates.methods.entries()].filter(([method, t]) => methodNode(method, t) === nodeRequirement).map(([method]) => method);
    throw new UsageError(`The auth package${needy.length > 0 ? ` (${needy.join(', ')})` : ''} needs Node ${nodeRequirement}; this is Node ${nodeVersion}.`, {
      hint: `Run the scaffold again under Node ${nodeRequirement.slice(2)} or newer.`,
    });
  }

  // Package settings: a flag, then what the last scaffold used, then the project and the record.
  const before = previous?.manifest.package ?? null;
  const others = (previous?.manifest.methods ?? []).filter((choice) => choice.method !== methodFlag);
  if (methodFlag !== undefined && before !== null && others.length > 0) {
    const changed = (
      [['--stack', stackFlag, before.stack], ['--store', storeFlag, before.store], ['--lang', langFlag, before.lang], ['--module', moduleFlag, before.moduleFormat], ['--out', outFlag, before.outDir]] as const
    ).filter(([, flag, was]) => flag !== undefined && flag !== was);
    if (changed.length > 0) {
      throw new UsageError(
        `${changed.map(([name, flag, was]) => `${name} ${flag}`).join(', ')} would change every method's files, but --method ${methodFlag} refreshes only its own.`,
        { hint: `Run \`auth-decide scaffold ${changed.map(([name, flag]) => `${name} ${flag}`).join(' ')}\` without --method to regenerate the whole package (${others.map((c) => c.method).join(', ')} included).` },
      );
    }
  }

  let stack: Stack | undefined = stackFlag ?? before?.stack ?? project.stack?.value ?? undefined;
  if (stack === undefined) {
    const recordStack = (await recorded()).stack;
    stack = recordStack ?? undefined;
  } else if (!stackFlag && before === null && project.stack) {
    const recordStack = (await recorded()).stack;
    if (recordStack && project.stack.value !== recordStack) {
      warnings.push(`The decision record names ${recordStack}, but package.json declares ${project.stack.value}; using ${project.stack.value}.`);
    }
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

  const kernelStores = templates.kernel.manifest.stores ?? [];
  const store: StoreId = storeFlag ?? before?.store ?? templates.kernel.manifest.defaultStore ?? 'sqlite';
  const unsupported = [...templates.methods.entries()].filter(([, t]) => !(t.manifest.stores ?? kernelStores).includes(store)).map(([method]) => method);
  if (!kernelStores.includes(store) || unsupported.length > 0) {
    throw new UsageError(
      `--store ${store} is not available${unsupported.length > 0 ? ` for ${unsupported.join(', ')}` : ''}; the auth package supports ${kernelStores.join(', ')}.`,
    );
  }

  const lang: Lang = langFlag ?? before?.lang ?? project.lang.value;
  const moduleFormat: ModuleFormat = moduleFlag ?? before?.moduleFormat ?? (project.hasPackageJson ? project.moduleFormat.value : 'esm');
  const settings: PackageSettings = {
    outDir: outFlag ?? before?.outDir ?? (project.sourceDir ? `${project.sourceDir}/auth` : 'auth'),
    stack,
    store,
    lang,
    moduleFormat,
    packageManager: project.packageManager.value,
  };
  const selection: ScaffoldSelection = { package: settings, ...chosen };

  const javascript: JavaScriptOutput | null =
    lang === 'js' ? await library.javascript([KERNEL, ...chosen.methods.map((choice) => choice.method)], moduleFormat) : null;

  let rendered;
  try {
    rendered = renderPackage({ selection, templates, templateVersion: version, project, renderer: library.renderer, javascript });
  } catch (error) {
    if (error instanceof TemplateError) throw new InternalError(`A template is broken: ${error.message}`, { cause: error });
    throw error;
  }
  rendered = { ...rendered, env: withFlagValues(rendered.env, envFlags) };

  const existing = await readExistingFiles(root, pathsToRead(rendered, previous));
  const only = methodFlag ?? null;
  const makePlan = (force: boolean) => planScaffold({ rendered, project, existing, previous, force, only });
  let plan = makePlan(Boolean(options.force));
  const envExample = plan.files.find((file) => file.path === '.env.example')?.content ?? null;
  for (const variable of rendered.env.filter((v) => v.flag !== undefined && envFlags[v.flag] !== undefined)) {
    if (!(envExample ?? '').split(/\r?\n/).includes(`${variable.name}=${variable.example}`)) {
      warnings.push(`.env.example already sets ${variable.name}, so --${variable.flag} was not written there; set ${variable.name} in your environment.`);
    }
  }
  const style = styleFor(context.color);
  const dryRun = Boolean(options.dryRun);
  const recordSource = recordCache?.source ?? null;

  for (const warning of warnings) context.stderr.write(`Warning: ${warning}\n`);
  if (!options.json) {
    context.stderr.write(describeDetection(project, settings, recordSource));
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
    const removed = writes.filter((write) => write.content === null).length;
    const written = writes.length - removed;
    const kept = plan.files.filter((file) => file.action === 'keep');
    context.stderr.write(
      writes.length === 0
        ? 'Everything is already up to date.\n'
        : `${[written > 0 ? `Wrote ${written} file${written === 1 ? '' : 's'}` : '', removed > 0 ? `removed ${removed} no longer generated` : ''].filter(Boolean).join('; ')}.\n`,
    );
    if (kept.length > 0) {
      context.stderr.write(`No longer generated but edited, so left in place (yours to remove): ${kept.map((file) => file.path).join(', ')}\n`);
    }
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

type EnvFlags = Partial<Record<(typeof ENV_FLAGS)[number], string>>;

/** `--issuer` must be an https URL (http only on loopback), `--audience` one printable word: both become lines of `.env.example`. */
function checkEnvFlags(flags: EnvFlags): void {
  if (flags.issuer !== undefined) {
    let url: URL | null = null;
    try {
      url = new URL(flags.issuer);
    } catch {
      url = null;
    }
    const loopback = url !== null && url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    if (url === null || (url.protocol !== 'https:' && !loopback) || /\s/.test(flags.issuer)) {
      throw new UsageError(`--issuer is "${flags.issuer}"; it must be the issuer's URL, https (http only on 127.0.0.1 or localhost).`, {
        hint: 'Use the issuer exactly as its discovery document spells it, e.g. --issuer https://login.example.com/.',
      });
    }
  }
  if (flags.audience !== undefined && !/^[\x21-\x7e]{1,512}$/.test(flags.audience)) {
    throw new UsageError(`--audience is "${flags.audience}"; it must be 1 to 512 printable characters without spaces, e.g. https://api.example.com.`);
  }
}

/** The package's variables with the values of the flags they take (`flag` in template.json) as their examples; a flag no variable takes is a usage error. */
function withFlagValues(env: RenderedPackage['env'], flags: EnvFlags): RenderedPackage['env'] {
  for (const flag of Object.keys(flags) as (keyof EnvFlags)[]) {
    if (!env.some((variable) => variable.flag === flag)) {
      throw new UsageError(`--${flag} applies to the OAuth resource-server variant, which this scaffold does not include.`, {
        hint: 'Add it with --method oauth --variant resource-server.',
      });
    }
  }
  return env.map((variable) => {
    const value = variable.flag === undefined ? undefined : flags[variable.flag];
    return value === undefined ? variable : { ...variable, example: value };
  });
}

async function readPreviousManifest(root: string): Promise<ReadManifest | null> {
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

function describeDetection(project: ProjectInfo, settings: PackageSettings, recordSource: string | null): string {
  const lines = [
    `Project: ${project.root}${project.hasPackageJson ? '' : ' (no package.json: a new project will be created)'}`,
    `  language         ${settings.lang} (${settings.lang === project.lang.value ? project.lang.source : 'from --lang or the last scaffold'})`,
    `  modules          ${settings.moduleFormat} (${settings.moduleFormat === project.moduleFormat.value ? project.moduleFormat.source : 'from --module or the last scaffold'})`,
    `  package manager  ${settings.packageManager} (${project.packageManager.source})`,
  ];
  if (recordSource) lines.push(`  decision record  ${recordSource}`);
  if (project.authDependencies.length > 0) {
    lines.push(`  auth packages    ${project.authDependencies.map((d) => d.name).join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

function nextSteps(plan: ScaffoldPlan): string {
  const run = RUN_SCRIPT[plan.selection.package.packageManager];
  const first = plan.selection.boundaries[0]?.id;
  return [
    'Next steps:',
    `  ${run} test:auth        run the generated tests`,
    `  ${run} auth:demo        start the demo server (PORT, default 3000)`,
    ...(first === undefined ? [] : [`  ${run} auth:credential -- --boundary ${first} --subject alice --scope admin --json`]),
    `  read ${plan.selection.package.outDir}/AUTH.md to wire it into your app`,
    '',
  ].join('\n');
}
