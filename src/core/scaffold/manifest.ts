/**
 * The record a scaffold leaves in the project (`.auth-decide/manifest.json`):
 * what was generated, with which choices, and a sha256 of every file, so the
 * next run can tell an untouched file from an edited one.
 */
import { createHash } from 'node:crypto';
import { parseWith, type InputProblem } from '../schema.js';
import { scaffoldManifestSchema, type ScaffoldEntry, type ScaffoldManifest } from './schema.js';

export const MANIFEST_PATH = '.auth-decide/manifest.json';

export const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export const emptyManifest = (): ScaffoldManifest => ({ manifestVersion: 1, scaffolds: [] });

export function parseManifest(text: string): { ok: true; value: ScaffoldManifest } | { ok: false; problems: InputProblem[] } {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [{ path: '', message: `not valid JSON (${error instanceof Error ? error.message : String(error)})` }] };
  }
  return parseWith(scaffoldManifestSchema, document);
}

/** The hash recorded for a file by any earlier scaffold, if one generated it. */
export function recordedHash(manifest: ScaffoldManifest | null, path: string): string | undefined {
  for (const entry of manifest?.scaffolds ?? []) {
    const hash = entry.files[path];
    if (hash !== undefined) return hash;
  }
  return undefined;
}

export function recordedScript(manifest: ScaffoldManifest | null, name: string): string | undefined {
  for (const entry of manifest?.scaffolds ?? []) {
    const value = entry.scripts[name];
    if (value !== undefined) return value;
  }
  return undefined;
}

/** The manifest after this run: the entry for the same method and folder is replaced, others stay. */
export function withEntry(previous: ScaffoldManifest | null, entry: ScaffoldEntry): ScaffoldManifest {
  const others = (previous?.scaffolds ?? []).filter((e) => !(e.method === entry.method && e.outDir === entry.outDir));
  const sortedEntry: ScaffoldEntry = {
    ...entry,
    scripts: Object.fromEntries(Object.entries(entry.scripts).sort(([a], [b]) => a.localeCompare(b))),
    files: Object.fromEntries(Object.entries(entry.files).sort(([a], [b]) => a.localeCompare(b))),
  };
  return {
    manifestVersion: 1,
    scaffolds: [...others, sortedEntry].sort((a, b) => a.method.localeCompare(b.method) || a.outDir.localeCompare(b.outDir)),
  };
}

export const serializeManifest = (manifest: ScaffoldManifest): string => `${JSON.stringify(manifest, null, 2)}\n`;
