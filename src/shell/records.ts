/**
 * Decision records on disk: finding the folder (from the project root, so a
 * command run in a subfolder finds the same records), reading records back,
 * writing new ones without ever clobbering a file or reusing a number, and
 * loading the templates. All file-system access for records lives here; the
 * rules are in src/core/record/.
 */
// Reads are synchronous: a handful of small files, read before anything else
// can happen, and node:fs/promises (with the streams it loads) costs start-up time.
import {
  closeSync,
  constants as fsConstants,
  fsyncSync,
  linkSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  type Dirent,
} from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { loadBuiltModule } from './built-module.js';
import { chooseCurrentRecord, type CurrentRecord } from '../core/record/current.js';
import { CONVENTIONAL_DIRS, chooseAdrDir, detectLayout, isRecordFileName, nextRecordNumber, recordNumberOf } from '../core/record/locate.js';
import { RecordError, type ParsedRecord, type RecordLayout } from '../core/record/model.js';
import { isAuthDecisionRecord, parseRecord } from '../core/record/parse.js';
import { usePrecompiledTemplates, type AdrTemplates, type PrecompiledAdrTemplates } from '../core/record/render.js';
import {
  displayPath,
  ensureFolder,
  errorCode,
  findProjectRoot,
  isFolder,
  readTextFile,
  removeCreatedFolders,
  rethrowFileSystemError,
  type FileTarget,
} from './files.js';

export interface RecordsLocation {
  /** The project root the folder was found from (see findProjectRoot). */
  root: string;
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

/** A record is a page of prose; anything far larger is not one. */
const MAX_RECORD_BYTES = 4 * 1024 * 1024;
/** `.adr-dir` and `.log4brains.yml` are a few lines. */
const MAX_CONFIG_BYTES = 256 * 1024;

const RECORDS_HINT = 'Pass --adr-dir <dir> to use another folder.';

const toPosix = (path: string): string => path.split(sep).join('/');

/** A configuration file's text, or null when there is none (a folder of that name counts as none). */
function readConfig(path: string, cwd: string): string | null {
  if (isFolder({ path, what: basename(path), cwd })) return null;
  const read = readTextFile({ path, what: basename(path), cwd }, { maxBytes: MAX_CONFIG_BYTES });
  return read.kind === 'text' ? read.text : null;
}

function recordsTarget(dir: string, cwd: string): FileTarget {
  return { path: dir, what: 'the decision records folder', cwd, hint: RECORDS_HINT };
}

/** Numbered record names in the folder (folders of such a name count for numbering, never for reading). */
function listRecordEntries(dir: string, cwd: string): Dirent[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') return [];
    rethrowFileSystemError(error, 'list', recordsTarget(dir, cwd));
  }
  return entries
    .filter((entry) => isRecordFileName(entry.name))
    .sort((a, b) => (recordNumberOf(a.name) ?? 0) - (recordNumberOf(b.name) ?? 0) || a.name.localeCompare(b.name));
}

const listRecordFiles = (dir: string, cwd: string): string[] => listRecordEntries(dir, cwd).map((entry) => entry.name);

function readRecordText(file: string, cwd: string): string | null {
  const read = readTextFile({ path: file, what: 'the decision record', cwd, hint: 'Move it out of the records folder, or pass --adr-dir <dir>.' }, { maxBytes: MAX_RECORD_BYTES });
  return read.kind === 'text' ? read.text : null;
}

export interface LocateOptions {
  /** `--adr-dir`, as typed (relative to `cwd`). */
  override?: string | undefined;
  /** Refuse a `--adr-dir` folder that does not exist (commands that only read records). */
  mustExist?: boolean;
}

/** Refuses `--adr-dir ""`: an empty folder name is a mistake, not a request for the default. */
export function checkAdrDirOption(override: string | undefined): void {
  if (override !== undefined && override.trim() === '') {
    throw new UsageError('--adr-dir is empty.', { hint: 'Give the records folder, or leave the option out to use the detected one.' });
  }
}

/**
 * Finds the records folder of the project `cwd` belongs to and what is in it.
 * `--adr-dir` is taken relative to `cwd`, where the user typed it; every
 * other rule applies at the project root.
 */
export async function locateRecords(cwd: string, options: LocateOptions | string = {}): Promise<RecordsLocation> {
  const { override, mustExist = false } = typeof options === 'string' ? { override: options } : options;
  checkAdrDirOption(override);
  const root = findProjectRoot(cwd);
  const adrDirFile = readConfig(join(root, '.adr-dir'), cwd);
  const log4brainsYml = readConfig(join(root, '.log4brains.yml'), cwd);
  const existingDirs: string[] = [];
  for (const candidate of CONVENTIONAL_DIRS) {
    if (isFolder({ path: join(root, candidate), what: 'the folder', cwd })) existingDirs.push(candidate);
  }
  const choice = chooseAdrDir({ ...(override === undefined ? {} : { override }), adrDirFile, log4brainsYml, existingDirs });
  const dir = choice.source === '--adr-dir' ? resolve(cwd, choice.dir) : resolve(root, choice.dir);
  if (mustExist && choice.source === '--adr-dir' && !isFolder(recordsTarget(dir, cwd))) {
    // A typo must not read as "no decision recorded".
    listRecordEntries(dir, cwd);
    throw new UsageError(`The decision records folder ${displayPath(dir, cwd)} (from --adr-dir) does not exist.`, {
      hint: 'Check the path, or leave --adr-dir out to use the detected folder.',
    });
  }
  const entries = listRecordEntries(dir, cwd);
  const firstLines: string[] = [];
  for (const entry of entries) {
    if (entry.isDirectory()) continue;
    const text = readRecordText(join(dir, entry.name), cwd);
    if (text !== null) firstLines.push(text.split(/\r?\n/, 1)[0] ?? '');
  }
  return {
    root,
    dir,
    relativeDir: toPosix(relative(cwd, dir)) || '.',
    source: choice.source,
    layout: detectLayout({ hasAdrDirFile: adrDirFile !== null, firstLines }),
    files: entries.map((entry) => entry.name),
  };
}

/**
 * Every auth decision record in the folder, lowest number first. Other ADRs
 * are skipped; an auth-decide block that cannot be read is a RecordError, so a
 * damaged record is reported instead of silently ignored.
 */
export async function readAuthRecords(cwd: string, options: LocateOptions | string = {}): Promise<AuthRecordFile[]> {
  const location = await locateRecords(cwd, options);
  return readAuthRecordsAt(location, cwd);
}

/** How often a folder that keeps changing while it is read is read again before its last reading is used. */
const MAX_READINGS = 20;

/**
 * The auth decision records of an already located folder, as one consistent
 * reading. A run that supersedes a record publishes its new record before it
 * marks the old one, so a reading can only see "superseded by ADR-n" without
 * ADR-n when the folder changed while it was being read: the listing is taken
 * again afterwards, and the folder is read again until it stands still.
 */
export function readAuthRecordsAt(location: RecordsLocation, cwd: string): AuthRecordFile[] {
  let names = location.files;
  for (let reading = 1; ; reading += 1) {
    const records = readListedRecords(location.dir, names, cwd);
    const now = listRecordEntries(location.dir, cwd).map((entry) => entry.name);
    if (reading >= MAX_READINGS || (now.length === names.length && now.every((name, index) => name === names[index]))) return records;
    names = now;
  }
}

function readListedRecords(dir: string, names: readonly string[], cwd: string): AuthRecordFile[] {
  const records: AuthRecordFile[] = [];
  for (const name of names) {
    const file = join(dir, name);
    if (isFolder({ path: file, what: 'the decision record', cwd })) continue;
    const relativePath = toPosix(relative(cwd, file));
    const text = readRecordText(file, cwd);
    if (text === null) continue;
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

/** A record rendered for one number: its text depends on the number, so a retry renders again. */
export interface RenderedRecord {
  fileName: string;
  text: string;
}

export interface WrittenRecord extends RenderedRecord {
  number: number;
  /** Absolute path. */
  file: string;
}

/** How many numbers to try before giving up on a folder that keeps filling up. */
const MAX_ATTEMPTS = 200;
/** A claim this old belongs to a process that died; writing a record takes milliseconds. */
const STALE_CLAIM_MS = 60_000;

const claimName = (number: number) => `.${String(number).padStart(4, '0')}.auth-decide-claim`;

/**
 * Takes `number` for this process: an exclusive create of a claim file named
 * after the number alone, so two auth-decide runs can never both hold it,
 * whatever their titles. Returns the claim's descriptor, or null when another
 * run holds it.
 */
function claimNumber(dir: string, number: number, target: FileTarget): { fd: number; path: string } | null {
  const path = join(dir, claimName(number));
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      return { fd: openSync(path, fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_WRONLY, 0o644), path };
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') rethrowFileSystemError(error, 'write', target);
      // NOTE: a claim left by a run that was killed would hold its number for ever; an old one is removed.
      let age: number;
      try {
        age = Date.now() - statSync(path).mtimeMs;
      } catch {
        continue;
      }
      if (age < STALE_CLAIM_MS) return null;
      try {
        unlinkSync(path);
      } catch {
        return null;
      }
    }
  }
  return null;
}

function release(claim: { fd: number | null; path: string }): void {
  if (claim.fd !== null) closeSync(claim.fd);
  try {
    unlinkSync(claim.path);
  } catch {
    // Already gone.
  }
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

export interface WriteOptions {
  /**
   * Called while the number is held and every run with a lower number has
   * finished: throws to refuse the write when the folder no longer allows it
   * (e.g. another run has just written the current decision).
   */
  verify?: () => void | Promise<void>;
}

const CLAIM = /^\.(\d+)\.auth-decide-claim$/;

/**
 * Waits until no run holds a lower number, so records appear in number order
 * and `verify` sees every record written before this one.
 */
async function earlierClaimsSettled(dir: string, number: number): Promise<void> {
  for (;;) {
    const earlier = readdirSync(dir).filter((name) => {
      const match = CLAIM.exec(name);
      if (!match || Number(match[1]) >= number) return false;
      try {
        return Date.now() - statSync(join(dir, name)).mtimeMs < STALE_CLAIM_MS;
      } catch {
        return false;
      }
    });
    if (earlier.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Writes a new record under the lowest free number from `firstNumber` on and
 * returns what was written. Race-free between concurrent runs: a number is
 * claimed exclusively (see claimNumber) and checked against the folder again
 * while held; the record is written in full under the claim and then
 * hard-linked to its real name, which never replaces an existing file. A
 * number another run or tool took meanwhile means a retry with the next one.
 */
export async function writeNewRecord(
  location: Pick<RecordsLocation, 'dir'>,
  firstNumber: number,
  render: (number: number) => RenderedRecord,
  cwd: string,
  options: WriteOptions = {},
): Promise<WrittenRecord> {
  const { dir } = location;
  const created = ensureFolder(recordsTarget(dir, cwd));
  try {
    return await writeUnderFreeNumber(dir, firstNumber, render, cwd, options);
  } catch (error) {
    // Nothing was written: the folders made for it go too.
    removeCreatedFolders(created);
    throw error;
  }
}

async function writeUnderFreeNumber(
  dir: string,
  firstNumber: number,
  render: (number: number) => RenderedRecord,
  cwd: string,
  options: WriteOptions,
): Promise<WrittenRecord> {
  const target: FileTarget = { ...recordsTarget(dir, cwd), what: 'a new record in the decision records folder' };
  let number = Math.max(firstNumber, nextRecordNumber(listRecordFiles(dir, cwd)));
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1, number += 1) {
    const claim = claimNumber(dir, number, target);
    if (claim === null) continue;
    const held: { fd: number | null; path: string } = claim;
    try {
      // Checked while the number is held: a run that finished with it before our claim is seen here.
      await earlierClaimsSettled(dir, number);
      const taken = nextRecordNumber(listRecordFiles(dir, cwd));
      if (taken > number) {
        number = taken - 1;
        continue;
      }
      await options.verify?.();
      const rendered = render(number);
      if (basename(rendered.fileName) !== rendered.fileName || recordNumberOf(rendered.fileName) !== number) {
        throw new Error(`record file name ${rendered.fileName} does not carry number ${number}`);
      }
      const file = join(dir, rendered.fileName);
      writeAll(claim.fd, rendered.text);
      fsyncSync(claim.fd);
      closeSync(claim.fd);
      held.fd = null;
      if (publish(claim.path, file, rendered.text, { ...target, path: file, what: 'the decision record' })) {
        return { ...rendered, number, file };
      }
      // Another tool (adr-tools, an editor) created that very name meanwhile.
    } catch (error) {
      rethrowFileSystemError(error, 'write', target);
    } finally {
      release(held);
    }
  }
  throw new UsageError(
    `No free record number found in ${displayPath(dir, cwd)} after ${MAX_ATTEMPTS} tries: other programs keep adding records there. Nothing was written.`,
    { hint: 'Run the command again when they have finished.' },
  );
}

/** Puts the finished text under its real name without replacing anything; false when the name is taken. */
function publish(claimPath: string, file: string, text: string, target: FileTarget): boolean {
  try {
    linkSync(claimPath, file);
    return true;
  } catch (error) {
    const code = errorCode(error);
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV' && code !== 'EMLINK') {
      rethrowFileSystemError(error, 'write', target);
    }
  }
  // NOTE: some file systems refuse hard links; an exclusive create still never clobbers.
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    rethrowFileSystemError(error, 'write', target);
  }
  try {
    writeAll(fd, text);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(file);
    rethrowFileSystemError(error, 'write', target);
  }
  closeSync(fd);
  return true;
}

/**
 * Replaces an existing record's text in one step: the new text goes to a
 * temporary file beside it, then is renamed over it, so a full disk or a
 * kill midway leaves the old text intact.
 */
export function replaceRecord(file: string, text: string, cwd: string): void {
  const target: FileTarget = { path: file, what: 'the decision record', cwd };
  const temp = join(dirname(file), `.${basename(file)}.auth-decide-${process.pid}.tmp`);
  let fd: number | null = null;
  try {
    const mode = statSync(file).mode & 0o777;
    fd = openSync(temp, fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_WRONLY, mode);
    writeAll(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(temp, file);
  } catch (error) {
    if (fd !== null) closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // Never created, or already renamed.
    }
    rethrowFileSystemError(error, 'write', target);
  }
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
    if (errorCode(error) === 'ENOENT') return null;
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
