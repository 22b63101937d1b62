/**
 * Scaffolding schemas: template metadata (templates/<method>/template.json)
 * and the manifest a scaffold leaves in the project
 * (.auth-decide/manifest.json). Kept apart from the answers contract so that
 * `decide` never builds them. Errors are phrased by ../schema.ts (parseWith).
 */
import * as z from 'zod/mini';
import { STACKS } from '../types.js';

export const STORE_IDS = ['sqlite', 'postgres', 'redis'] as const;
export const LANGS = ['ts', 'js'] as const;
export const MODULE_FORMATS = ['esm', 'cjs'] as const;
export const PACKAGE_MANAGERS = ['npm', 'pnpm', 'yarn'] as const;
export const OAUTH_MODES = ['provider', 'client'] as const;

const packageName = z.string().check(z.regex(/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/, 'a package name'));
/** Pinned: an exact version, or a caret/tilde range on one version. No tags, URLs or open ranges. */
const pinnedRange = z.string().check(z.regex(/^[~^]?\d+\.\d+\.\d+(-[\w.]+)?$/, 'a pinned range such as "^1.2.3", "~1.2.3" or "1.2.3"'));
const dependencyMap = z.record(packageName, pinnedRange);
const nodeRequirement = z.string().check(z.regex(/^>=\d+(\.\d+){0,2}$/, 'a Node requirement such as ">=20.19"'));

const scriptMap = z.record(z.string().check(z.regex(/^[\w:.-]+$/, 'a script name')), z.string().check(z.minLength(1)));
const envList = z.array(
  z.strictObject({
    name: z.string().check(z.regex(/^[A-Z][A-Z0-9_]*$/, 'an UPPER_SNAKE_CASE variable name')),
    example: z.string(),
    description: z.string().check(z.minLength(1)),
    demo: z.optional(z.string()),
  }),
);

/**
 * What one OAuth mode changes: merged over the base manifest by
 * `manifestForMode` (scaffold/modes.ts). Maps and scripts are merged key by
 * key, `env` entries are added (one with a base name replaces it), `title`
 * and `node` replace the base's.
 */
const modeSectionSchema = z.strictObject({
  title: z.optional(z.string().check(z.minLength(1))),
  node: z.optional(nodeRequirement),
  dependencies: z.optional(dependencyMap),
  stackDependencies: z.optional(z.partialRecord(z.enum(STACKS), dependencyMap)),
  storeDependencies: z.optional(z.partialRecord(z.enum(STORE_IDS), dependencyMap)),
  devDependencies: z.optional(dependencyMap),
  tsDevDependencies: z.optional(dependencyMap),
  stackTsDevDependencies: z.optional(z.partialRecord(z.enum(STACKS), dependencyMap)),
  storeTsDevDependencies: z.optional(z.partialRecord(z.enum(STORE_IDS), dependencyMap)),
  jsDependencies: z.optional(dependencyMap),
  scripts: z.optional(scriptMap),
  env: z.optional(envList),
});
export type ModeSection = z.output<typeof modeSectionSchema>;

export const templateManifestSchema = z.strictObject({
  method: z.enum(['api-key', 'oauth', 'jwt', 'session']),
  title: z.string().check(z.minLength(1)),
  node: nodeRequirement,
  stores: z.array(z.enum(STORE_IDS)).check(z.minLength(1)),
  defaultStore: z.enum(STORE_IDS),
  dependencies: z._default(dependencyMap, {}),
  stackDependencies: z._default(z.partialRecord(z.enum(STACKS), dependencyMap), {}),
  storeDependencies: z._default(z.partialRecord(z.enum(STORE_IDS), dependencyMap), {}),
  devDependencies: z._default(dependencyMap, {}),
  tsDevDependencies: z._default(dependencyMap, {}),
  /** Type packages only TypeScript projects on that stack or store need (e.g. `@types/express`). */
  stackTsDevDependencies: z._default(z.partialRecord(z.enum(STACKS), dependencyMap), {}),
  storeTsDevDependencies: z._default(z.partialRecord(z.enum(STORE_IDS), dependencyMap), {}),
  jsDependencies: z._default(dependencyMap, {}),
  scripts: scriptMap,
  env: z._default(envList, []),
  /** Per OAuth mode (`--oauth-mode`): what that mode adds to or changes in the fields above. */
  modes: z.optional(z.partialRecord(z.enum(OAUTH_MODES), modeSectionSchema)),
});
export type TemplateManifest = z.output<typeof templateManifestSchema>;

const sha256Hex = z.string().check(z.regex(/^[0-9a-f]{64}$/, 'a sha256 in hex'));

/** One scaffold recorded in the project; a project may hold one per method. */
export const scaffoldEntrySchema = z.strictObject({
  method: z.enum(['api-key', 'oauth', 'jwt', 'session']),
  templateVersion: z.string().check(z.minLength(1)),
  stack: z.enum(STACKS),
  store: z.enum(STORE_IDS),
  lang: z.enum(LANGS),
  moduleFormat: z.enum(MODULE_FORMATS),
  oauthMode: z.nullable(z.enum(OAUTH_MODES)),
  outDir: z.string().check(z.minLength(1)),
  /** package.json scripts as auth-decide wrote them, to tell an untouched script from an edited one. */
  scripts: z.record(z.string(), z.string()),
  /** Project-relative posix path → sha256 of the content auth-decide wrote. */
  files: z.record(z.string(), sha256Hex),
});
export type ScaffoldEntry = z.output<typeof scaffoldEntrySchema>;

export const scaffoldManifestSchema = z.strictObject({
  manifestVersion: z.literal(1),
  scaffolds: z.array(scaffoldEntrySchema),
});
export type ScaffoldManifest = z.output<typeof scaffoldManifestSchema>;
