/**
 * Where each template file lands in the project, and what a TypeScript
 * source becomes for a JavaScript target. Pure string work on posix paths.
 */
import type { Stack } from '../types.js';
import type { Lang, ModuleFormat, OauthMode, StoreId } from './model.js';

/** File names that only exist to keep a folder in git. */
const IGNORED_NAMES = new Set(['.gitkeep', '.DS_Store']);

/** `stores/postgres+redis/` serves both stores, so a file two stores need is written once. */
const selects = (folder: string | undefined, chosen: string): boolean => folder !== undefined && folder.split('+').includes(chosen);

/**
 * Maps a path under `files/` to its path under the output folder, or null when
 * the file belongs to another stack, store or OAuth mode. A `modes/<mode>/`
 * prefix comes first and is dropped; the rest then follows the stack and
 * store rules, so `modes/client/stacks/express/app.ts` is Express's app in
 * client mode. A scaffold without a mode (every method but oauth) takes no
 * file under `modes/`.
 */
export function outputPathOf(sourcePath: string, stack: Stack, store: StoreId, oauthMode: OauthMode | null = null): string | null {
  let parts = sourcePath.split('/');
  const name = parts.at(-1) ?? '';
  if (IGNORED_NAMES.has(name)) return null;
  if (parts[0] === 'modes') {
    if (oauthMode === null || !selects(parts[1], oauthMode) || parts.length < 3) return null;
    parts = parts.slice(2);
  }
  let mapped: string;
  if (parts[0] === 'stacks') {
    if (!selects(parts[1], stack) || parts.length < 3) return null;
    mapped = parts.slice(2).join('/');
  } else if (parts[0] === 'stores') {
    if (!selects(parts[1], store) || parts.length < 3) return null;
    mapped = ['stores', ...parts.slice(2)].join('/');
  } else {
    mapped = parts.join('/');
  }
  return mapped.endsWith('.hbs') ? mapped.slice(0, -'.hbs'.length) : mapped;
}

export const isTypeScriptSource = (path: string): boolean =>
  path.endsWith('.ts') && !path.endsWith('.d.ts');

export const isTestFile = (path: string): boolean => /\.(test|spec)\.ts$/.test(path);

/**
 * The extensions generated JavaScript gets. Node decides a `.js` file's format
 * from the package's "type" field, so sources use `.mjs`/`.cjs` only when the
 * chosen format differs from it. Tests are always ES modules (vitest is
 * ESM-only), hence `.mjs` in CommonJS packages.
 */
export interface OutputExtensions {
  /** Extension of generated source files ("ts", "js", "mjs" or "cjs"). */
  source: 'ts' | 'js' | 'mjs' | 'cjs';
  test: 'ts' | 'js' | 'mjs';
}

export function outputExtensions(lang: Lang, moduleFormat: ModuleFormat, packageType: 'module' | 'commonjs'): OutputExtensions {
  if (lang === 'ts') return { source: 'ts', test: 'ts' };
  const packageFormat: ModuleFormat = packageType === 'module' ? 'esm' : 'cjs';
  const source = moduleFormat === packageFormat ? 'js' : moduleFormat === 'esm' ? 'mjs' : 'cjs';
  return { source, test: packageFormat === 'esm' ? 'js' : 'mjs' };
}

/** The generated name of a source file: `.ts` becomes the target's extension; `.d.ts` is dropped for JavaScript. */
export function targetPathOf(path: string, extensions: OutputExtensions): string | null {
  if (extensions.source === 'ts') return path;
  if (path.endsWith('.d.ts')) return null;
  if (!path.endsWith('.ts')) return path;
  const stem = path.slice(0, -'.ts'.length);
  return `${stem}.${isTestFile(path) ? extensions.test : extensions.source}`;
}

/** Joins posix segments, rejecting anything that would leave the project. */
export function joinInside(base: string, relative: string): string {
  const joined = base === '' || base === '.' ? relative : `${base}/${relative}`;
  const parts: string[] = [];
  for (const part of joined.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') throw new Error(`path leaves the project: ${joined}`);
    parts.push(part);
  }
  return parts.join('/');
}

/** Checks an output folder given by a person: relative, inside the project, posix-normalised. */
export function normaliseOutDir(value: string): { ok: true; value: string } | { ok: false; message: string } {
  const slashed = value.replace(/\\/g, '/').trim();
  if (slashed === '' || slashed.startsWith('/') || /^[A-Za-z]:/.test(slashed)) {
    return { ok: false, message: `--out must be a folder inside the project, relative to it; got "${value}"` };
  }
  const parts = slashed.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.length === 0) return { ok: false, message: '--out must name a folder inside the project, not the project root' };
  if (parts.includes('..')) return { ok: false, message: `--out must stay inside the project; "${value}" leaves it` };
  if (parts[0] === 'node_modules' || parts[0] === '.auth-decide') {
    return { ok: false, message: `--out cannot be inside ${parts[0]}/` };
  }
  return { ok: true, value: parts.join('/') };
}
