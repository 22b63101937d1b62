/**
 * Plan first, then write: everything a scaffold run will do, computed in
 * memory from the template, the choices and what is in the project now.
 */
import type { MethodId } from '../types.js';
import { RUN_SCRIPT } from './context.js';
import { templateOfPath, type RenderedPackage } from './compose.js';
import { addedCount, installCommand, planDependencies } from './dependencies.js';
import { unifiedDiff } from './diff.js';
import { MANIFEST_PATH, recordedHash, recordedScript, serializeManifest, sha256, type ReadManifest } from './manifest.js';
import type { ScaffoldManifest } from './schema.js';
import type { DependencyPlan, FileAction, InstallCommand, PlannedFile, ProjectInfo, ScaffoldSelection } from './model.js';
import { editPackageJson, newPackageJson, newTsconfig, planScripts, withEnvExample, type ScriptChange } from './project-files.js';
import { KERNEL } from './schema.js';

export const PROJECT_FILES = { packageJson: 'package.json', tsconfig: 'tsconfig.json', envExample: '.env.example' } as const;

/** What is at a path now. */
export type ExistingFile = { kind: 'file'; content: string } | { kind: 'missing' } | { kind: 'not-a-file' };

/** Every path the planner needs to look at, for the shell to read. */
export function pathsToRead(rendered: RenderedPackage, previous: ReadManifest | null): string[] {
  const recorded = Object.keys(previous?.manifest.files ?? {});
  return [...new Set([...rendered.files.map((f) => f.path), ...recorded, ...Object.values(PROJECT_FILES), MANIFEST_PATH])];
}

export interface ScaffoldPlan {
  selection: ScaffoldSelection;
  templateVersion: string;
  node: string;
  /** Set by `--method X`: the one method whose files this run refreshes; the others stay as they are. */
  only: MethodId | null;
  /** Set by `--retire X`: the method taken out; every method's remaining files stay as they are. */
  retire: MethodId | null;
  files: PlannedFile[];
  scripts: ScriptChange[];
  dependencies: DependencyPlan;
  /** Null when nothing needs installing. */
  install: InstallCommand | null;
  /** Files that differ from what would be generated and were changed by someone else. */
  conflicts: PlannedFile[];
  /** Whether anything would be written or removed. */
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

const diffOf = (path: string, from: string, to: string): string => unifiedDiff(from, to, { fromName: `a/${path}`, toName: `b/${path}` });

export function planScaffold(input: {
  rendered: RenderedPackage;
  project: Pick<ProjectInfo, 'name' | 'hasPackageJson' | 'dependencies'>;
  existing: ReadonlyMap<string, ExistingFile>;
  previous: ReadManifest | null;
  force: boolean;
  /** `--method X`: refresh X (and the kernel); leave every other method's files byte for byte. */
  only?: MethodId | null;
  /** `--retire X`: remove X's files no longer generated; leave every method's other files byte for byte. */
  retire?: MethodId | null;
  /** Retiring methods removed so far (`--retire`), for the manifest; the previous manifest's when absent. */
  retired?: ScaffoldManifest['retired'];
}): ScaffoldPlan {
  const { rendered, existing, previous, force } = input;
  const only = input.only ?? null;
  const retire = input.retire ?? null;
  const settings = rendered.selection.package;
  const lookup = (path: string): ExistingFile => existing.get(path) ?? { kind: 'missing' };
  const files: PlannedFile[] = [];
  const hashes: Record<string, string> = {};
  const previousMethods = new Set(previous?.manifest.methods.map((choice) => choice.method) ?? []);
  // With --method X, a file of another method that was generated before is that method's to refresh;
  // with --retire X, every method's files are left as they are, and only X's unwanted ones go.
  const heldBack = (path: string): string | null => {
    if (only === null && retire === null) return null;
    const owner = templateOfPath(settings.outDir, path);
    return owner !== null && owner !== KERNEL && owner !== only && previousMethods.has(owner as MethodId) ? owner : null;
  };
  const refreshWith = (owner: string) => (retire !== null ? `\`scaffold --method ${owner}\` refreshes it` : `refresh it with \`scaffold --method ${owner}\``);

  for (const file of rendered.files) {
    const now = lookup(file.path);
    const recorded = recordedHash(previous, file.path);
    const current = contentOf(now);
    const owner = heldBack(file.path);
    if (owner !== null && current !== file.content) {
      files.push({
        path: file.path,
        action: 'skip',
        reason: `${owner}'s file; ${refreshWith(owner)}`,
        write: false,
        content: current,
        current,
        diff: null,
        origin: file.origin,
      });
      if (recorded !== undefined) hashes[file.path] = recorded;
      continue;
    }
    const verdict = classifyFile({ next: file.content, existing: now, recorded, force });
    files.push({
      path: file.path,
      ...verdict,
      content: file.content,
      current,
      diff: current !== null && (verdict.action === 'conflict' || verdict.action === 'update') ? diffOf(file.path, current, file.content) : null,
      origin: file.origin,
    });
    // A file left alone keeps its old record, so it is still recognised (or still a conflict) next time.
    if (verdict.write || verdict.action === 'identical') hashes[file.path] = sha256(file.content);
    else if (recorded !== undefined) hashes[file.path] = recorded;
  }

  // Generated before, not any more: removed when untouched, kept (and no longer ours) when edited.
  const wanted = new Set(rendered.files.map((file) => file.path));
  for (const [path, recorded] of Object.entries(previous?.manifest.files ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    if (wanted.has(path)) continue;
    const now = lookup(path);
    const owner = heldBack(path);
    if (owner !== null && owner !== retire && rendered.selection.methods.some((choice) => choice.method === owner)) {
      if (now.kind === 'file') hashes[path] = recorded;
      continue;
    }
    if (now.kind !== 'file') continue;
    const origin = { kind: 'template' as const, source: path, template: templateOfPath(settings.outDir, path) ?? KERNEL };
    if (sha256(now.content) === recorded) {
      files.push({ path, action: 'delete', reason: 'no longer generated; untouched since the last scaffold', write: true, content: null, current: now.content, diff: null, origin });
    } else {
      files.push({ path, action: 'keep', reason: 'no longer generated, but edited since the last scaffold: left for you to remove', write: false, content: now.content, current: now.content, diff: null, origin });
    }
  }

  // package.json: dependencies and scripts, in the same transaction as the files.
  const dependencies = planDependencies(rendered.dependencies, input.project.dependencies);
  const packageJsonNow = lookup(PROJECT_FILES.packageJson);
  const packageJsonText = contentOf(packageJsonNow) ?? `${JSON.stringify(newPackageJson(input.project.name, RUN_SCRIPT[settings.packageManager]), null, 2)}\n`;
  let currentScripts: Record<string, unknown> = {};
  try {
    currentScripts = ((JSON.parse(packageJsonText) as { scripts?: Record<string, unknown> }).scripts ?? {}) as Record<string, unknown>;
  } catch {
    // Detection already refused an unreadable package.json; an empty map keeps this function total.
  }
  const scripts = [
    ...planScripts(rendered.scripts, currentScripts, (name) => recordedScript(previous, name)),
    ...unwantedScripts(Object.keys(rendered.scripts), currentScripts, previous?.manifest.scripts ?? {}),
  ];
  const scriptConflicts = scripts.filter((s) => s.action === 'conflict');
  const scriptsToWrite = Object.fromEntries(
    scripts.filter((s) => s.action === 'add' || s.action === 'update' || (s.action === 'conflict' && force)).map((s) => [s.name, s.value]),
  );
  const nextPackageJson = editPackageJson(packageJsonText, {
    dependencies: dependencies.add,
    scripts: scriptsToWrite,
    removeScripts: scripts.filter((s) => s.action === 'remove').map((s) => s.name),
  });
  files.push(projectFile({
    path: PROJECT_FILES.packageJson,
    now: packageJsonNow,
    next: nextPackageJson,
    purpose: 'dependencies and scripts',
    conflict: scriptConflicts.length > 0 ? `scripts you changed: ${scriptConflicts.map((s) => s.name).join(', ')}` : null,
    force,
    changeReason: describePackageJsonEdit(dependencies, scripts),
  }));

  if (settings.lang === 'ts') {
    const tsconfigNow = lookup(PROJECT_FILES.tsconfig);
    if (tsconfigNow.kind === 'missing') {
      files.push(projectFile({ path: PROJECT_FILES.tsconfig, now: tsconfigNow, next: newTsconfig(), purpose: 'TypeScript settings', conflict: null, force, changeReason: '' }));
    }
  }

  const envNow = lookup(PROJECT_FILES.envExample);
  if (rendered.env.length > 0 && envNow.kind !== 'not-a-file') {
    const nextEnv = withEnvExample(contentOf(envNow), rendered.env, 'Auth package');
    files.push(projectFile({ path: PROJECT_FILES.envExample, now: envNow, next: nextEnv, purpose: 'example environment', conflict: null, force, changeReason: 'adds missing variables' }));
  }

  const entryScripts = Object.fromEntries(
    scripts.filter((s) => s.action !== 'remove' && s.action !== 'keep' && (s.action !== 'conflict' || force)).map((s) => [s.name, s.value]),
  );
  // A script the user changed keeps its old record, like a kept file.
  for (const s of scriptConflicts) {
    const old = recordedScript(previous, s.name);
    if (!force && old !== undefined) entryScripts[s.name] = old;
  }
  const manifest = serializeManifest({
    manifestVersion: 2,
    templateVersion: rendered.templateVersion,
    package: settings,
    methods: rendered.selection.methods,
    boundaries: rendered.selection.boundaries,
    scripts: entryScripts,
    dependencies: [...new Set([...Object.keys(rendered.dependencies.dependencies), ...Object.keys(rendered.dependencies.devDependencies)])],
    files: hashes,
    retired: input.retired ?? previous?.manifest.retired,
  });
  files.push(projectFile({ path: MANIFEST_PATH, now: lookup(MANIFEST_PATH), next: manifest, purpose: 'scaffold manifest', conflict: null, force: true, changeReason: 'records this scaffold' }));

  const conflicts = files.filter((f) => f.action === 'conflict');
  return {
    selection: rendered.selection,
    templateVersion: rendered.templateVersion,
    node: rendered.node,
    only,
    retire,
    files,
    scripts,
    dependencies,
    install: addedCount(dependencies) > 0 ? installCommand(settings.packageManager) : null,
    conflicts,
    changes: files.some((f) => f.write),
  };
}

/**
 * Scripts the last scaffold wrote that nothing generates any more (a retired
 * method's own): removed when they still hold what was written, left (and
 * dropped from the manifest) when someone changed them.
 */
function unwantedScripts(wanted: readonly string[], current: Record<string, unknown>, recorded: Record<string, string>): ScriptChange[] {
  return Object.entries(recorded)
    .filter(([name]) => !wanted.includes(name) && current[name] !== undefined)
    .map(([name, value]): ScriptChange => {
      const text = typeof current[name] === 'string' ? (current[name] as string) : JSON.stringify(current[name]);
      return { name, value: text, current: text, action: text === value ? 'remove' : 'keep' };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function describePackageJsonEdit(dependencies: DependencyPlan, scripts: ScriptChange[]): string {
  const parts: string[] = [];
  const added = addedCount(dependencies);
  if (added > 0) parts.push(`adds ${added} ${added === 1 ? 'dependency' : 'dependencies'}`);
  const newScripts = scripts.filter((s) => s.action === 'add').length;
  if (newScripts > 0) parts.push(`adds ${newScripts} ${newScripts === 1 ? 'script' : 'scripts'}`);
  const updated = scripts.filter((s) => s.action === 'update').length;
  if (updated > 0) parts.push(`updates ${updated} ${updated === 1 ? 'script' : 'scripts'}`);
  const removed = scripts.filter((s) => s.action === 'remove').length;
  if (removed > 0) parts.push(`removes ${removed} ${removed === 1 ? 'script' : 'scripts'}`);
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
    ? diffOf(input.path, current, input.next)
    : null;
  if (input.now.kind === 'not-a-file') {
    return { ...base, action: 'conflict', reason: 'something that is not a file is in the way', write: input.force, diff: null };
  }
  if (current === null) return { ...base, action: 'create', reason: input.purpose, write: true, diff: null };
  if (input.conflict !== null) return { ...base, action: 'conflict', reason: input.conflict, write: input.force, diff };
  if (current === input.next) return { ...base, action: 'identical', reason: 'already up to date', write: false, diff: null };
  return { ...base, action: 'update', reason: input.changeReason, write: true, diff };
}
