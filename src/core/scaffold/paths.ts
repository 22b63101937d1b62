/**
 * Where each template file lands in the project, and what a TypeScript
 * source becomes for a JavaScript target. Pure string work on posix paths.
 */
import { STACKS, type Stack } from '../types.js';
import type { Lang, ModuleFormat, StoreId } from './model.js';
import { STORE_IDS } from './schema.js';

/** File names that only exist to keep a folder in git. */
const IGNORED_NAMES = new Set(['.gitkeep', '.DS_Store']);

/** What selector folders are compared with. A kernel file has no variants (`variants: null`). */
export interface SelectorValues {
  stack: Stack;
  store: StoreId;
  variants: { chosen: readonly string[]; known: readonly string[] } | null;
}

const SELECTOR = /^@(stack|store|variant)-([a-z0-9-]+(?:\+[a-z0-9-]+)*)$/;

/**
 * Maps a path under `files/` to its path under the template's output folder,
 * or null when a selector folder on the way does not match. Selector folders
 * (`@stack-<a+b>`, `@store-<a+b>`, `@variant-<a+b>`) may sit at any depth and
 * are dropped from the output path when they match: `kernel/stores/@store-redis/redis.ts`
 * becomes `kernel/stores/redis.ts` for a Redis scaffold and nothing otherwise.
 * A folder naming several options (`+`) matches any of them, so a file two
 * stacks share exists once. Throws on an unknown selector or option: a
 * misspelt folder must not silently drop files.
 */
export function outputPathOf(sourcePath: string, values: SelectorValues): string | null {
  const parts = sourcePath.split('/');
  if (IGNORED_NAMES.has(parts.at(-1) ?? '')) return null;
  const kept: string[] = [];
  let selected = true;
  for (const [index, part] of parts.entries()) {
    if (!part.startsWith('@') || index === parts.length - 1) {
      kept.push(part);
      continue;
    }
    const match = SELECTOR.exec(part);
    if (!match) throw new Error(`"${part}" is not a selector folder (@stack-…, @store-…, @variant-…)`);
    const kind = match[1] as 'stack' | 'store' | 'variant';
    const options = match[2]!.split('+');
    let known: readonly string[];
    let chosen: readonly string[];
    if (kind === 'stack') [known, chosen] = [STACKS, [values.stack]];
    else if (kind === 'store') [known, chosen] = [STORE_IDS, [values.store]];
    else if (values.variants === null) throw new Error(`"${part}": only method templates have variants`);
    else [known, chosen] = [values.variants.known, values.variants.chosen];
    const unknown = options.filter((option) => !known.includes(option));
    if (unknown.length > 0) throw new Error(`"${part}" names unknown ${kind} ${unknown.join(', ')} (known: ${known.join(', ')})`);
    if (!options.some((option) => chosen.includes(option))) selected = false;
  }
  if (!selected) return null;
  const mapped = kept.join('/');
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
