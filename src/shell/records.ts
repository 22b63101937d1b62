/**
 * Decision records on disk: finding the folder, reading records back,
 * writing new ones without ever clobbering a file, and loading the templates.
 * All file-system access for records lives here; the rules are in src/core/record/.
 */
// Reads are synchronous: a handful of small files, read before anything else
// can happen, and node:fs/promises (with the streams it loads) costs start-up time.
import { constants as fsConstants, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { loadBuiltModule } from './built-module.js';
import { chooseCurrentRecord, type CurrentRecord } from '../core/record/current.js';
import { CONVENTIONAL_DIRS, chooseAdrDir, detectLayout, isRecordFileName, recordNumberOf } from '../core/record/locate.js';
import { RecordError, type ParsedRecord, type RecordLayout } from '../core/record/model.js';
import { isAuthDecisionRecord, parseRecord } from '../core/record/parse.js';
import { usePrecompiledTemplates, type AdrTemplates, type PrecompiledAdrTemplates } from '../core/record/render.js';

export interface RecordsLocation {
  /** Absolute path of the records folder (it may not exist yet). */
  dir: string;
  /** The folder relative to `cwd`, with forward slashes, for messages. */
  relativeDir: string;
  /** Which rule chose the folder, e.g. `.adr-dir` or `default`. */
  source: string;
  /** The layout a new record should use in this folder. */
  layout: RecordLayout;
  /** Numbered record files (`NNNN-title.md`) in the folder, lowest number first. */
  files: string[];
}

export interface AuthRecordFile {
  /** Absolute path. */
  file: string;
  /** Relative to `cwd`, with forward slashes. */
  relativePath: string;
  text: string;
  parsed: ParsedRecord & { block: NonNullable<ParsedRecord['block']> };
}

function readOptional(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (isCode(error, 'ENOENT') || isCode(error, 'EISDIR') || isCode(error, 'ENOTDIR')) return null;
    throw error;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch (error) {
    if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')) return false;
    throw error;
  }
}

function isCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

const toPosix = (path: string): string => path.split(sep).join('/');

function listRecordFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return [];
    if (isCode(error, 'ENOTDIR')) {
      throw new UsageError(`The decision records folder ${dir} is a file, not a folder.`, {
        hint: 'Pass --adr-dir <dir> to choose another folder.',
      });
    }
    throw error;
  }
  return names
    .filter(isRecordFileName)
    .sort((a, b) => (recordNumberOf(a) ?? 0) - (recordNumberOf(b) ?? 0) || a.localeCompare(b));
}

/** Finds the records folder of the project at `cwd` and what is in it. */
export async function locateRecords(cwd: string, override?: string): Promise<RecordsLocation> {
  const adrDirFile = readOptional(join(cwd, '.adr-dir'));
  const log4brainsYml = readOptional(join(cwd, '.log4brains.yml'));
  const existingDirs: string[] = [];
  for (const candidate of CONVENTIONAL_DIRS) {
    if (isDirectory(join(cwd, candidate))) existingDirs.push(candidate);
  }
  const choice = chooseAdrDir({ ...(override === undefined ? {} : { override }), adrDirFile, log4brainsYml, existingDirs });
  const dir = resolve(cwd, choice.dir);
  const files = listRecordFiles(dir);
  const firstLines: string[] = [];
  for (const name of files) {
    const text = readFileSync(join(dir, name), 'utf8');
    firstLines.push(text.split(/\r?\n/, 1)[0] ?? '');
  }
  return {
    dir,
    relativeDir: toPosix(relative(cwd, dir)) || '.',
    source: choice.source,
    layout: detectLayout({ hasAdrDirFile: adrDirFile !== null, firstLines }),
    files,
  };
}

/**
 * Every auth decision record in the folder, lowest number first. Other ADRs
 * are skipped; an auth-decide block that cannot be read is a RecordError, so a
 * damaged record is reported instead of silently ignored.
 */
export async function readAuthRecords(cwd: string, override?: string): Promise<AuthRecordFile[]> {
  const location = await locateRecords(cwd, override);
  const records: AuthRecordFile[] = [];
  for (const name of location.files) {
    const file = join(location.dir, name);
    const relativePath = toPosix(relative(cwd, file));
    const text = readFileSync(file, 'utf8');
    const parsed = parseRecord(text, relativePath);
    if (isAuthDecisionRecord(parsed)) records.push({ file, relativePath, text, parsed });
  }
  return records;
}

/**
 * The record that describes the API now, or null when there is none. When two
 * accepted records both claim to be current, the highest number wins (it is
 * the later decision) and `warning` says so.
 */
export function currentAuthRecord(records: readonly AuthRecordFile[]): { record: AuthRecordFile; warning: string | null } | null {
  const current: CurrentRecord | null = chooseCurrentRecord(records.map((record) => record.parsed));
  if (current === null) return null;
  const record = records.find((candidate) => candidate.parsed === current.record)!;
  return { record, warning: current.warning };
}

/**
 * Writes a new record and returns its absolute path. Never overwrites: the
 * text goes to a temporary file first and is then hard-linked under its real
 * name, which fails if that name exists, so the record appears complete or
 * not at all.
 */
export async function writeNewRecord(dir: string, fileName: string, text: string): Promise<string> {
  if (basename(fileName) !== fileName) throw new UsageError(`Invalid record file name "${fileName}".`);
  const { link, mkdir, open, rm } = await import('node:fs/promises');
  await mkdir(dir, { recursive: true });
  const target = join(dir, fileName);
  const number = recordNumberOf(fileName);
  if (number !== null) {
    const taken = listRecordFiles(dir).find((name) => name !== fileName && recordNumberOf(name) === number);
    if (taken) {
      throw new UsageError(`Record number ${number} is already used by ${taken} in ${dir}; nothing was written.`, {
        hint: 'Run the command again so it picks the next free number.',
      });
    }
  }
  // Loaded here: node:crypto is costly to load, and only writing a record needs it.
  const { randomBytes } = await import('node:crypto');
  const temp = join(dir, `.${fileName}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_WRONLY, 0o644);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await link(temp, target);
  } catch (error) {
    if (isCode(error, 'EEXIST')) {
      await rm(temp, { force: true });
      throw new UsageError(`${target} already exists; auth-decide never overwrites a record, so nothing was written.`, {
        hint: 'Choose another title with --title, or move the existing file away.',
      });
    }
    if (!isCode(error, 'EPERM') && !isCode(error, 'ENOTSUP') && !isCode(error, 'EXDEV')) {
      await rm(temp, { force: true });
      throw error;
    }
    // NOTE: some file systems refuse hard links; an exclusive create still never clobbers.
    await rm(temp, { force: true });
    await writeExclusive(target, text, open, rm);
    return target;
  }
  await rm(temp, { force: true });
  return target;
}

async function writeExclusive(
  target: string,
  text: string,
  open: typeof import('node:fs/promises').open,
  rm: typeof import('node:fs/promises').rm,
): Promise<void> {
  let handle;
  try {
    handle = await open(target, 'wx');
  } catch (error) {
    if (isCode(error, 'EEXIST')) {
      throw new UsageError(`${target} already exists; auth-decide never overwrites a record, so nothing was written.`);
    }
    throw error;
  }
  try {
    await handle.writeFile(text, 'utf8');
  } catch (error) {
    await handle.close();
    await rm(target, { force: true });
    throw error;
  }
  await handle.close();
}

/** Where the ADR templates live: `templates/adr` at the package root, from src/ or dist/ alike. */
export function templatesDir(): string {
  // src/shell/records.ts and dist/shell/records.js are both two levels below the package root.
  return fileURLToPath(new URL('../../templates/adr/', import.meta.url));
}

/**
 * The templates as compiled by the build (dist/adr-templates.cjs), or null when
 * running from source. NOTE: the path is computed, not a literal import, so
 * the bundler leaves it alone and source runs never need a build.
 */
async function loadPrecompiledTemplates(): Promise<PrecompiledAdrTemplates | null> {
  // From src/shell/ or dist/shell/ (also inside the bundle), one folder up is src/ or dist/.
  const url = new URL('../adr-templates.cjs', import.meta.url);
  try {
    statSync(url);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return null;
    throw error;
  }
  return loadBuiltModule<PrecompiledAdrTemplates>(url);
}

/**
 * Reads the two layouts and their shared partials. When the build compiled
 * these exact sources ahead of time, rendering them skips the compiler.
 */
export async function loadAdrTemplates(dir: string = templatesDir()): Promise<Required<AdrTemplates>> {
  const partialsDir = join(dir, 'partials');
  const madr = readFileSync(join(dir, 'madr.md.hbs'), 'utf8');
  const adrTools = readFileSync(join(dir, 'adr-tools.md.hbs'), 'utf8');
  const names = readdirSync(partialsDir)
    .filter((name) => name.endsWith('.hbs'))
    .sort();
  const partials: Record<string, string> = {};
  for (const name of names) partials[name.slice(0, -'.hbs'.length)] = readFileSync(join(partialsDir, name), 'utf8');
  const precompiled = await loadPrecompiledTemplates();
  if (precompiled) usePrecompiledTemplates(precompiled);
  return { madr, adrTools, partials };
}

export { RecordError };
