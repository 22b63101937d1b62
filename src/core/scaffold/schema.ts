/**
 * Scaffolding schemas: template metadata (templates/<name>/template.json)
 * and the manifest a scaffold leaves in the project
 * (.auth-decide/manifest.json). Kept apart from the answers contract so that
 * `decide` never builds them. Errors are phrased by ../schema.ts (parseWith).
 */
import * as z from 'zod/mini';
import { METHOD_IDS, STACKS, TOKEN_FORMATS } from '../types.js';

export const STORE_IDS = ['sqlite', 'postgres', 'redis'] as const;
export const LANGS = ['ts', 'js'] as const;
export const MODULE_FORMATS = ['esm', 'cjs'] as const;
export const PACKAGE_MANAGERS = ['npm', 'pnpm', 'yarn'] as const;
export const OAUTH_MODES = ['provider', 'client'] as const;
/** Scaffold flags that fill in a variable of `.env.example` (see `flag` in a template's `env`). */
export const ENV_FLAGS = ['issuer', 'audience'] as const;

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
    /** A scaffold flag whose value, when given, replaces `example` in `.env.example` (`--issuer`, `--audience`). */
    flag: z.optional(z.enum(ENV_FLAGS)),
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

/** The shared kernel's template is named like this; every other template is a method's. */
export const KERNEL = 'kernel';

const variantName = z.string().check(z.regex(/^[a-z][a-z0-9-]*$/, 'a kebab-case variant name'));

export const templateManifestSchema = z.strictObject({
  /** The folder name: `kernel`, or the method id. */
  method: z.enum([KERNEL, ...METHOD_IDS]),
  title: z.string().check(z.minLength(1)),
  node: nodeRequirement,
  /**
   * A method on the shared kernel: each variant it can generate, with how its
   * credential travels (shown in AUTH.md). Absent on a method template still in
   * the single-method layout, which cannot join a shared auth package.
   */
  variants: z.optional(z.record(variantName, z.string().check(z.minLength(1)))),
  /** The kernel's stores (required there); a method may name the subset it supports. */
  stores: z.optional(z.array(z.enum(STORE_IDS)).check(z.minLength(1))),
  defaultStore: z.optional(z.enum(STORE_IDS)),
  dependencies: z._default(dependencyMap, {}),
  stackDependencies: z._default(z.partialRecord(z.enum(STACKS), dependencyMap), {}),
  storeDependencies: z._default(z.partialRecord(z.enum(STORE_IDS), dependencyMap), {}),
  devDependencies: z._default(dependencyMap, {}),
  tsDevDependencies: z._default(dependencyMap, {}),
  /** Type packages only TypeScript projects on that stack or store need (e.g. `@types/express`). */
  stackTsDevDependencies: z._default(z.partialRecord(z.enum(STACKS), dependencyMap), {}),
  storeTsDevDependencies: z._default(z.partialRecord(z.enum(STORE_IDS), dependencyMap), {}),
  jsDependencies: z._default(dependencyMap, {}),
  scripts: z._default(scriptMap, {}),
  env: z._default(envList, []),
  /** Per OAuth mode (`--oauth-mode` of auth-decide 0.1.0's single-method layout): what that mode adds to or changes in the fields above. */
  modes: z.optional(z.partialRecord(z.enum(OAUTH_MODES), modeSectionSchema)),
  /**
   * Per variant (a key of `variants`): what the package gains when that
   * variant is chosen, e.g. a package only one variant's tests need. Merged
   * over the fields above for each chosen variant, in the order chosen.
   */
  variantSections: z.optional(z.record(variantName, modeSectionSchema)),
});
export type TemplateManifest = z.output<typeof templateManifestSchema>;

const sha256Hex = z.string().check(z.regex(/^[0-9a-f]{64}$/, 'a sha256 in hex'));
const isoDate = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'a date written as YYYY-MM-DD'));
/** Route-segment safe: the demo serves `/<id>/me`. */
export const BOUNDARY_ID_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

/** One scaffold recorded by auth-decide 0.1.0 (single-method layout); read so older projects stay understood. */
export const scaffoldEntrySchema = z.strictObject({
  method: z.enum(METHOD_IDS),
  templateVersion: z.string().check(z.minLength(1)),
  stack: z.enum(STACKS),
  store: z.enum(STORE_IDS),
  lang: z.enum(LANGS),
  moduleFormat: z.enum(MODULE_FORMATS),
  oauthMode: z.nullable(z.enum(OAUTH_MODES)),
  outDir: z.string().check(z.minLength(1)),
  scripts: z.record(z.string(), z.string()),
  files: z.record(z.string(), sha256Hex),
});
export type ScaffoldEntry = z.output<typeof scaffoldEntrySchema>;

export const scaffoldManifestV1Schema = z.strictObject({
  manifestVersion: z.literal(1),
  scaffolds: z.array(scaffoldEntrySchema),
});
export type ScaffoldManifestV1 = z.output<typeof scaffoldManifestV1Schema>;

/** The package settings every file of the auth package is generated for. */
export const packageSettingsSchema = z.strictObject({
  outDir: z.string().check(z.minLength(1)),
  stack: z.enum(STACKS),
  store: z.enum(STORE_IDS),
  lang: z.enum(LANGS),
  moduleFormat: z.enum(MODULE_FORMATS),
  packageManager: z.enum(PACKAGE_MANAGERS),
});

export const methodChoiceSchema = z.strictObject({
  method: z.enum(METHOD_IDS),
  variants: z.array(variantName).check(z.minLength(1)),
  tokenFormat: z.nullable(z.enum(TOKEN_FORMATS)),
});

export const boundaryChoiceSchema = z.strictObject({
  id: z.string().check(z.regex(BOUNDARY_ID_PATTERN, 'a kebab-case id of at most 32 characters')),
  label: z.string().check(z.minLength(1)),
  accepts: z
    .array(
      z.strictObject({
        method: z.enum(METHOD_IDS),
        variant: variantName,
        /** Set while a superseding decision phases this method out at the boundary. */
        retiring: z.optional(z.strictObject({ deprecation: isoDate, sunset: isoDate, record: z.int().check(z.positive()) })),
      }),
    )
    .check(z.minLength(1)),
});

/** The manifest of a shared auth package: one per project. */
export const scaffoldManifestSchema = z.strictObject({
  manifestVersion: z.literal(2),
  templateVersion: z.string().check(z.minLength(1)),
  package: packageSettingsSchema,
  methods: z.array(methodChoiceSchema),
  boundaries: z.array(boundaryChoiceSchema),
  /** package.json scripts as auth-decide wrote them, to tell an untouched script from an edited one. */
  scripts: z.record(z.string(), z.string()),
  /** Packages the scaffold asked for, so `check` does not report auth-decide's own choices. */
  dependencies: z.array(z.string()),
  /** Project-relative posix path → sha256 of the content auth-decide wrote. */
  files: z.record(z.string(), sha256Hex),
});
export type ScaffoldManifest = z.output<typeof scaffoldManifestSchema>;
export type PackageSettings = z.output<typeof packageSettingsSchema>;
export type MethodChoice = z.output<typeof methodChoiceSchema>;
export type BoundaryChoice = z.output<typeof boundaryChoiceSchema>;
