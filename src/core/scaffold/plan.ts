/**
 * Plan first, then write: everything a scaffold run will do, computed in
 * memory from the template, the choices and what is in the project now.
 */
import type { ScaffoldManifest, TemplateManifest } from './schema.js';
import { buildTemplateContext, RUN_SCRIPT, type TemplateContext } from './context.js';
import { addedCount, installCommand, planDependencies, wantedDependencies } from './dependencies.js';
import { unifiedDiff } from './diff.js';
import { MANIFEST_PATH, recordedHash, recordedScript, serializeManifest, sha256, withEntry } from './manifest.js';
import type { DependencyPlan, DesiredFile, FileAction, InstallCommand, PlannedFile, ProjectInfo, ScaffoldSelection, TemplateSource } from './model.js';
import { manifestForMode } from './modes.js';
import { outputExtensions } from './paths.js';
import { editPackageJson, newPackageJson, newTsconfig, planScripts, withEnvExample, type ScriptChange } from './project-files.js';
import { renderScripts, renderTemplateFiles, type JavaScriptOutput, type Renderer } from './render.js';

export const PROJECT_FILES = { packageJson: 'package.json', tsconfig: 'tsconfig.json', envExample: '.env.example' } as const;

export interface RenderedScaffold {
  selection: ScaffoldSelection;
  context: TemplateContext;
  templateManifest: TemplateManifest;
  templateVersion: string;
  files: DesiredFile[];
  scripts: Record<string, string>;
}

export function renderScaffold(input: {
  selection: ScaffoldSelection;
  template: TemplateSource;
  templateName: string;
  templateVersion: string;
  project: Pick<ProjectInfo, 'name' | 'packageType' | 'hasPackageJson'>;
  renderer: Renderer;
  javascript: JavaScriptOutput | null;
}): RenderedScaffold {
  const { selection } = input;
  // The rest of the plan sees the manifest of the chosen OAuth mode only.
  const template: TemplateSource = { ...input.template, manifest: manifestForMode(input.template.manifest, selection.oauthMode) };
  // A project created by the scaffold gets "type": "module".
  const packageType = input.project.hasPackageJson ? (input.project.packageType ?? 'commonjs') : 'module';
  const extensions = outputExtensions(selection.lang, selection.moduleFormat, packageType);
  const context = buildTemplateContext({
    selection,
    extensions,
    nodeRequirement: template.manifest.node,
    projectName: input.project.name,
    templateVersion: input.templateVersion,
  });
  const files = renderTemplateFiles({
    template,
    templateName: input.templateName,
    context,
    extensions,
    moduleFormat: selection.moduleFormat,
    outDir: selection.outDir,
    renderer: input.renderer,
    javascript: input.javascript,
  });
  return {
    selection,
    context,
    templateManifest: template.manifest,
    templateVersion: input.templateVersion,
    files,
    scripts: renderScripts(template, context, input.renderer, input.templateName),
  };
}

/** What is at a path now. */
export type ExistingFile = { kind: 'file'; content: string } | { kind: 'missing' } | { kind: 'not-a-file' };

/** Every path the planner needs to look at, for the shell to read. */
export function pathsToRead(rendered: RenderedScaffold, previousManifest: ScaffoldManifest | null): string[] {
  const recorded = (previousManifest?.scaffolds ?? []).flatMap((entry) => Object.keys(entry.files));
  return [...new Set([...rendered.files.map((f) => f.path), ...recorded, ...Object.values(PROJECT_FILES), MANIFEST_PATH])];
}

export interface ScaffoldPlan {
  selection: ScaffoldSelection;
  templateVersion: string;
  files: PlannedFile[];
  scripts: ScriptChange[];
  dependencies: DependencyPlan;
  /** Null when nothing needs installing. */
  install: InstallCommand | null;
  /** Files that differ from what would be generated and were changed by someone else. */
  conflicts: PlannedFile[];
  /** Whether anything would be written. */
  changes: boolean;
}

/** Classifies one generated file against the project and the previous manifest. */
export function classifyFile(input: {
  next: string;
  existing: ExistingFile;
  recorded: string | undefined;
  force: boolean;
}): { action: FileAction; reason: string; write: boolean } {
  const { existing, recorded, force } = input;
  if (existing.kind === 'not-a-file') {
    return { action: 'conflict', reason: 'something that is not a file is in the way', write: force };
  }
  if (existing.kind === 'missing') {
    if (recorded !== undefined && !force) {
      return { action: 'skip', reason: 'deleted after the last scaffold; --force recreates it', write: false };
    }
    return { action: 'create', reason: recorded !== undefined ? 'recreated (--force)' : 'new file', write: true };
  }
  if (existing.content === input.next) return { action: 'identical', reason: 'already up to date', write: false };
  if (recorded !== undefined && sha256(existing.content) === recorded) {
    return { action: 'update', reason: 'unchanged since the last scaffold', write: true };
  }
  return {
    action: 'conflict',
    reason: recorded === undefined ? 'a file of yours is in the way' : 'edited since the last scaffold',
    write: force,
  };
}

const contentOf = (existing: ExistingFile | undefined): string | null => (existing?.kind === 'file' ? existing.content : null);

export function planScaffold(input: {
  rendered: RenderedScaffold;
  project: Pick<ProjectInfo, 'name' | 'hasPackageJson' | 'dependencies'>;
  existing: ReadonlyMap<string, ExistingFile>;
  previousManifest: ScaffoldManifest | null;
  force: boolean;
}): ScaffoldPlan {
  const { rendered, existing, previousManifest, force } = input;
  const { selection } = rendered;
  const lookup = (path: string): ExistingFile => existing.get(path) ?? { kind: 'missing' };
  const files: PlannedFile[] = [];
  const hashes: Record<string, string> = {};

  for (const file of rendered.files) {
    const now = lookup(file.path);
    const recorded = recordedHash(previousManifest, file.path);
    const verdict = classifyFile({ next: file.content, existing: now, recorded, force });
    const current = contentOf(now);
    files.push({
      path: file.path,
      ...verdict,
      content: file.content,
      current,
      diff: current !== null && (verdict.action === 'conflict' || verdict.action === 'update')
        ? unifiedDiff(current, file.content, { fromName: `a/${file.path}`, toName: `b/${file.path}` })
        : null,
      origin: file.origin,
    });
    // A file left alone keeps its old record, so it is still recognised (or still a conflict) next time.
    if (verdict.write || verdict.action === 'identical') hashes[file.path] = sha256(file.content);
    else if (recorded !== undefined) hashes[file.path] = recorded;
  }

  // package.json: dependencies and scripts, in the same transaction as the files.
  const dependencies = planDependencies(wantedDependencies(rendered.templateManifest, selection), input.project.dependencies);
  const packageJsonNow = lookup(PROJECT_FILES.packageJson);
  const packageJsonText = contentOf(packageJsonNow) ?? `${JSON.stringify(newPackageJson(input.project.name, RUN_SCRIPT[selection.packageManager]), null, 2)}\n`;
  let currentScripts: Record<string, unknown> = {};
  try {
    currentScripts = ((JSON.parse(packageJsonText) as { scripts?: Record<string, unknown> }).scripts ?? {}) as Record<string, unknown>;
  } catch {
    // Detection already refused an unreadable package.json; an empty map keeps this function total.
  }
  const scripts = planScripts(rendered.scripts, currentScripts, (name) => recordedScript(previousManifest, name));
  const scriptConflicts = scripts.filter((s) => s.action === 'conflict');
  const scriptsToWrite = Object.fromEntries(
    scripts.filter((s) => s.action === 'add' || s.action === 'update' || (s.action === 'conflict' && force)).map((s) => [s.name, s.value]),
  );
  const nextPackageJson = editPackageJson(packageJsonText, { dependencies: dependencies.add, scripts: scriptsToWrite });
  files.push(projectFile({
    path: PROJECT_FILES.packageJson,
    now: packageJsonNow,
    next: nextPackageJson,
    purpose: 'dependencies and scripts',
    conflict: scriptConflicts.length > 0
      ? `scripts you changed: ${scriptConflicts.map((s) => s.name).join(', ')}`
      : null,
    force,
    changeReason: describePackageJsonEdit(dependencies, scripts),
  }));

  if (selection.lang === 'ts') {
    const tsconfigNow = lookup(PROJECT_FILES.tsconfig);
    if (tsconfigNow.kind === 'missing') {
      files.push(projectFile({ path: PROJECT_FILES.tsconfig, now: tsconfigNow, next: newTsconfig(), purpose: 'TypeScript settings', conflict: null, force, changeReason: '' }));
    }
  }

  const envNow = lookup(PROJECT_FILES.envExample);
  if (rendered.templateManifest.env.length > 0 && envNow.kind !== 'not-a-file') {
    const nextEnv = withEnvExample(contentOf(envNow), rendered.templateManifest.env, rendered.templateManifest.title);
    files.push(projectFile({ path: PROJECT_FILES.envExample, now: envNow, next: nextEnv, purpose: 'example environment', conflict: null, force, changeReason: 'adds missing variables' }));
  }

  const entryScripts = Object.fromEntries(
    scripts
      .filter((s) => s.action !== 'conflict' || force)
      .map((s) => [s.name, s.value]),
  );
  // A script the user changed keeps its old record, like a kept file.
  for (const s of scriptConflicts) {
    const old = recordedScript(previousManifest, s.name);
    if (!force && old !== undefined) entryScripts[s.name] = old;
  }
  const manifest = withEntry(previousManifest, {
    method: selection.method,
    templateVersion: rendered.templateVersion,
    stack: selection.stack,
    store: selection.store,
    lang: selection.lang,
    moduleFormat: selection.moduleFormat,
    oauthMode: selection.oauthMode,
    outDir: selection.outDir,
    scripts: entryScripts,
    files: hashes,
  });
  const manifestNow = lookup(MANIFEST_PATH);
  files.push(projectFile({ path: MANIFEST_PATH, now: manifestNow, next: serializeManifest(manifest), purpose: 'scaffold manifest', conflict: null, force: true, changeReason: 'records this scaffold' }));

  const conflicts = files.filter((f) => f.action === 'conflict');
  const generatedChanges = files.some((f) => f.write && f.path !== MANIFEST_PATH);
  return {
    selection,
    templateVersion: rendered.templateVersion,
    files,
    scripts,
    dependencies,
    install: addedCount(dependencies) > 0 ? installCommand(selection.packageManager) : null,
    conflicts,
    changes: generatedChanges || files.some((f) => f.write),
  };
}

function describePackageJsonEdit(dependencies: DependencyPlan, scripts: ScriptChange[]): string {
  const parts: string[] = [];
  const added = addedCount(dependencies);
  if (added > 0) parts.push(`adds ${added} ${added === 1 ? 'dependency' : 'dependencies'}`);
  const newScripts = scripts.filter((s) => s.action === 'add').length;
  if (newScripts > 0) parts.push(`adds ${newScripts} ${newScripts === 1 ? 'script' : 'scripts'}`);
  const updated = scripts.filter((s) => s.action === 'update').length;
  if (updated > 0) parts.push(`updates ${updated} ${updated === 1 ? 'script' : 'scripts'}`);
  return parts.join(', ') || 'edited';
}

function projectFile(input: {
  path: string;
  now: ExistingFile;
  next: string;
  purpose: string;
  conflict: string | null;
  force: boolean;
  changeReason: string;
}): PlannedFile {
  const current = contentOf(input.now);
  const base = { path: input.path, content: input.next, current, origin: { kind: 'project' as const, purpose: input.purpose } };
  const diff = current !== null && current !== input.next
    ? unifiedDiff(current, input.next, { fromName: `a/${input.path}`, toName: `b/${input.path}` })
    : null;
  if (input.now.kind === 'not-a-file') {
    return { ...base, action: 'conflict', reason: 'something that is not a file is in the way', write: input.force, diff: null };
  }
  if (current === null) return { ...base, action: 'create', reason: input.purpose, write: true, diff: null };
  if (input.conflict !== null) return { ...base, action: 'conflict', reason: input.conflict, write: input.force, diff };
  if (current === input.next) return { ...base, action: 'identical', reason: 'already up to date', write: false, diff: null };
  return { ...base, action: 'update', reason: input.changeReason, write: true, diff };
}
