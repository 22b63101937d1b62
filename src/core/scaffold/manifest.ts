/**
 * The record a scaffold leaves in the project (`.auth-decide/manifest.json`):
 * the package settings, the methods and boundaries generated, the scripts and
 * dependencies asked for, and a sha256 of every file, so the next run can tell
 * an untouched file from an edited one.
 *
 * Version 2 describes one shared auth package. Version 1 (auth-decide 0.1.0,
 * one scaffold per method) is still read, and understood as a package of
 * those methods, so older projects keep working with `check` and `scaffold`.
 */
import { createHash } from 'node:crypto';
import type { MethodId } from '../types.js';
import { parseWith, type InputProblem } from '../schema.js';
import type { BoundaryChoice, MethodChoice } from './model.js';
import { scaffoldManifestSchema, scaffoldManifestV1Schema, type ScaffoldEntry, type ScaffoldManifest } from './schema.js';
import { boundaryLabel, defaultBoundaryId, derivedVariant } from './selection.js';

export const MANIFEST_PATH = '.auth-decide/manifest.json';

export const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** A manifest as read: always in the current shape; `legacy` holds the 0.1.0 entries it was made from. */
export interface ReadManifest {
  manifest: ScaffoldManifest;
  legacy: ScaffoldEntry[] | null;
}

/** What a 0.1.0 variant-less scaffold generated, in today's terms. */
const legacyVariant = (entry: ScaffoldEntry): string =>
  entry.method === 'oauth' && entry.oauthMode === 'client' ? 'client' : derivedVariant(entry.method, []);

function fromVersion1(entries: ScaffoldEntry[]): ScaffoldManifest {
  const first = entries[0];
  const methods: MethodChoice[] = [];
  const boundaries: BoundaryChoice[] = [];
  for (const entry of entries) {
    const variant = legacyVariant(entry);
    if (!methods.some((choice) => choice.method === entry.method)) {
      methods.push({ method: entry.method, variants: [variant], tokenFormat: entry.method === 'oauth' ? 'jwt' : null });
    }
    const id = defaultBoundaryId(entry.method, variant, boundaries.length > 0);
    if (!boundaries.some((boundary) => boundary.id === id)) boundaries.push({ id, label: boundaryLabel(id), accepts: [{ method: entry.method, variant }] });
  }
  return {
    manifestVersion: 2,
    templateVersion: first?.templateVersion ?? '0.1.0',
    package: {
      outDir: first?.outDir ?? 'auth',
      stack: first?.stack ?? 'express',
      store: first?.store ?? 'sqlite',
      lang: first?.lang ?? 'ts',
      moduleFormat: first?.moduleFormat ?? 'esm',
      packageManager: 'npm',
    },
    methods,
    boundaries,
    scripts: Object.assign({}, ...entries.map((entry) => entry.scripts)) as Record<string, string>,
    dependencies: [],
    files: Object.assign({}, ...entries.map((entry) => entry.files)) as Record<string, string>,
  };
}

export function parseManifest(text: string): { ok: true; value: ReadManifest } | { ok: false; problems: InputProblem[] } {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [{ path: '', message: `not valid JSON (${error instanceof Error ? error.message : String(error)})` }] };
  }
  if (document !== null && typeof document === 'object' && (document as { manifestVersion?: unknown }).manifestVersion === 1) {
    const legacy = parseWith(scaffoldManifestV1Schema, document);
    if (!legacy.ok) return legacy;
    return { ok: true, value: { manifest: fromVersion1(legacy.value.scaffolds), legacy: legacy.value.scaffolds } };
  }
  const current = parseWith(scaffoldManifestSchema, document);
  if (!current.ok) return current;
  return { ok: true, value: { manifest: current.value, legacy: null } };
}

/** The hash recorded for a file by the last scaffold, if it generated it. */
export const recordedHash = (previous: ReadManifest | null, path: string): string | undefined => previous?.manifest.files[path];

export const recordedScript = (previous: ReadManifest | null, name: string): string | undefined => previous?.manifest.scripts[name];

/** The methods an earlier scaffold generated. */
export const recordedMethods = (previous: ReadManifest | null): MethodId[] => previous?.manifest.methods.map((choice) => choice.method) ?? [];

const sortedRecord = (record: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));

/** The manifest text: keys in a fixed order, maps sorted, so a diff shows what changed. */
export function serializeManifest(manifest: ScaffoldManifest): string {
  const ordered: ScaffoldManifest = {
    manifestVersion: 2,
    templateVersion: manifest.templateVersion,
    package: manifest.package,
    methods: manifest.methods,
    boundaries: manifest.boundaries,
    scripts: sortedRecord(manifest.scripts),
    dependencies: [...manifest.dependencies].sort(),
    files: sortedRecord(manifest.files),
    ...(manifest.retired && manifest.retired.length > 0 ? { retired: manifest.retired } : {}),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}
