/**
 * The scaffolding vocabulary shared by the pure planner (this folder) and the
 * shell that reads the project, writes files and installs packages.
 */
import type { Stack } from '../types.js';
import type { BoundaryChoice, LANGS, MethodChoice, MODULE_FORMATS, OAUTH_MODES, PACKAGE_MANAGERS, PackageSettings, STORE_IDS, TemplateManifest } from './schema.js';

export type { BoundaryChoice, MethodChoice, PackageSettings } from './schema.js';

export type StoreId = (typeof STORE_IDS)[number];
export type Lang = (typeof LANGS)[number];
export type ModuleFormat = (typeof MODULE_FORMATS)[number];
export type PackageManager = (typeof PACKAGE_MANAGERS)[number];
export type OauthMode = (typeof OAUTH_MODES)[number];

/** A value found in the project, and the evidence it was found from (shown in the plan). */
export interface Detected<T> {
  value: T;
  source: string;
}

export interface DeclaredDependency {
  name: string;
  range: string;
  field: 'dependencies' | 'devDependencies' | 'peerDependencies' | 'optionalDependencies';
}

/** What `detectProject` learns about a folder. Paths are relative to the project root, posix style. */
export interface ProjectInfo {
  /** Absolute path of the project root. */
  root: string;
  /** The package name, or the folder's name when there is no package.json. */
  name: string;
  hasPackageJson: boolean;
  /** The package.json text as found (null when absent), kept so edits preserve what we do not touch. */
  packageJsonText: string | null;
  /** The `"type"` field: decides how Node treats `.js` files. */
  packageType: 'module' | 'commonjs' | null;
  lang: Detected<Lang>;
  moduleFormat: Detected<ModuleFormat>;
  packageManager: Detected<PackageManager>;
  /** Null when none of express, fastify, hono is declared, or when several are (see `stackCandidates`). */
  stack: Detected<Stack> | null;
  stackCandidates: Stack[];
  /** `src` when the project keeps its code there, else null. */
  sourceDir: string | null;
  dependencies: DeclaredDependency[];
  /** Declared packages that do authentication or authorization work (for `check` and the plan). */
  authDependencies: DeclaredDependency[];
}

/**
 * Every choice a scaffold run needs, after flags, records, detection and
 * prompts: the package settings (`outDir` is relative to the project root,
 * posix style, no trailing slash), the methods with their variants, and the
 * boundaries saying which route group accepts which method and variant.
 */
export interface ScaffoldSelection {
  package: PackageSettings;
  methods: MethodChoice[];
  boundaries: BoundaryChoice[];
}

/** A template as loaded from disk: its metadata and its files, paths relative to `files/`. */
export interface TemplateSource {
  manifest: TemplateManifest;
  files: { path: string; content: string }[];
  /** A method's part of AUTH.md (`AUTH.section.md.hbs` beside template.json); null when it has none. */
  authSection: string | null;
}

/** A file the scaffold wants in the project, before it is compared with what is there. */
export interface DesiredFile {
  /** Project-relative posix path. */
  path: string;
  content: string;
  /** Where it came from: a template file (of the kernel or of a method), or a project file the engine edits. */
  origin: { kind: 'template'; source: string; template: string } | { kind: 'project'; purpose: string };
}

/**
 * How one file relates to the project:
 * - create: not there yet;
 * - identical: already exactly as generated;
 * - update: changed by auth-decide only (its hash matches the manifest), safe to replace;
 * - conflict: differs and was changed by someone else; replaced only with --force;
 * - skip: left alone (deleted by the user after generation, or another method's file a
 *   `--method` run does not refresh);
 * - delete: generated before, no longer wanted, and untouched since: removed;
 * - keep: generated before, no longer wanted, but edited since: left in place for its owner.
 */
export type FileAction = 'create' | 'identical' | 'update' | 'conflict' | 'skip' | 'delete' | 'keep';

export interface PlannedFile {
  path: string;
  action: FileAction;
  /** Why this action, in a few words. */
  reason: string;
  /** Whether the run writes this file (a conflict is written only with --force). */
  write: boolean;
  /** The content after the run (null for a file the run deletes). */
  content: string | null;
  /** The content now; null when absent. */
  current: string | null;
  /** Unified diff from current to content, for updates and conflicts. */
  diff: string | null;
  origin: DesiredFile['origin'];
}

export interface DependencyPlan {
  /** Added to package.json, by field. */
  add: { dependencies: Record<string, string>; devDependencies: Record<string, string> };
  /** Wanted but already declared by the project; their range is kept. */
  kept: { name: string; wanted: string; declared: string }[];
}

export interface InstallCommand {
  file: PackageManager;
  args: string[];
  /** The command as a person would type it. */
  display: string;
}
