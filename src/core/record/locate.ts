/**
 * Where decision records live and how they are numbered, decided from facts
 * the shell gathers. Follows the conventions of adr-tools, log4brains and MADR
 * so a record lands where the team already keeps its decisions.
 */
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../../errors.js';
import type { RecordLayout } from './model.js';

/** Folders checked, in this order, when nothing names the records folder. */
export const CONVENTIONAL_DIRS = ['docs/decisions', 'docs/adr', 'doc/adr'] as const;
export const DEFAULT_DIR = 'docs/decisions';

export interface AdrDirFacts {
  /** `--adr-dir` from the command line. */
  override?: string;
  /** Contents of `.adr-dir`, or null when there is none. */
  adrDirFile: string | null;
  /** Contents of `.log4brains.yml`, or null when there is none. */
  log4brainsYml: string | null;
  /** Which of `CONVENTIONAL_DIRS` exist as folders. */
  existingDirs: string[];
}

/** Drops `./` prefixes and trailing slashes so `./docs/adr/` and `docs/adr` compare equal. */
export function normaliseDir(dir: string): string {
  let result = dir.trim().replace(/\\/g, '/');
  while (result.startsWith('./')) result = result.slice(2);
  result = result.replace(/\/+$/, '');
  return result === '' ? '.' : result;
}

function log4brainsFolder(text: string): string | null {
  let config: unknown;
  try {
    config = parseYaml(text);
  } catch (error) {
    throw new UsageError(`.log4brains.yml is not valid YAML: ${(error as Error).message.split('\n')[0]}`, {
      hint: 'Fix .log4brains.yml, or pass --adr-dir <dir> to say where decision records go.',
      cause: error,
    });
  }
  if (config === null || typeof config !== 'object') return null;
  const project = (config as Record<string, unknown>).project;
  const folder =
    project !== null && typeof project === 'object' ? (project as Record<string, unknown>).adrFolder : undefined;
  return typeof folder === 'string' && folder.trim() !== '' ? folder : null;
}

/**
 * Picks the records folder: `--adr-dir`, then `.adr-dir` (adr-tools), then
 * `project.adrFolder` in `.log4brains.yml`, then an existing conventional
 * folder, else `docs/decisions` (MADR's suggestion). `source` says which rule
 * won, for messages like "records folder docs/adr (from .adr-dir)".
 */
export function chooseAdrDir(facts: AdrDirFacts): { dir: string; source: string } {
  if (facts.override !== undefined && facts.override.trim() !== '') {
    return { dir: normaliseDir(facts.override), source: '--adr-dir' };
  }
  if (facts.adrDirFile !== null) {
    // adr-tools writes the folder followed by a newline; only the first line counts.
    const first = facts.adrDirFile.split(/\r?\n/)[0]?.trim() ?? '';
    if (first !== '') return { dir: normaliseDir(first), source: '.adr-dir' };
  }
  if (facts.log4brainsYml !== null) {
    const folder = log4brainsFolder(facts.log4brainsYml);
    if (folder !== null) return { dir: normaliseDir(folder), source: '.log4brains.yml (project.adrFolder)' };
  }
  const existing = new Set(facts.existingDirs.map(normaliseDir));
  for (const dir of CONVENTIONAL_DIRS) {
    if (existing.has(dir)) return { dir, source: `existing ${dir}` };
  }
  return { dir: DEFAULT_DIR, source: 'default' };
}

const NUMBERED = /^(\d+)-/;

/** The record number at the start of a file name, as adr-tools reads it, or null. */
export function recordNumberOf(fileName: string): number | null {
  const match = NUMBERED.exec(fileName);
  return match ? Number.parseInt(match[1]!, 10) : null;
}

/** Whether a file name looks like a numbered decision record (`NNNN-title.md`). */
export function isRecordFileName(fileName: string): boolean {
  return /^\d+-.+\.md$/i.test(fileName);
}

/** log4brains names records `YYYYMMDD-title.md`; such a prefix is a date, not a record number. */
const DATE_PREFIX = /^(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])-/;

/**
 * One above the highest number in use, as `adr new` does; 1 for an empty
 * folder. Date-named log4brains records are ignored so they do not push the
 * next number into the millions.
 */
export function nextRecordNumber(fileNames: string[]): number {
  let highest = 0;
  for (const name of fileNames) {
    if (DATE_PREFIX.test(name)) continue;
    const number = recordNumberOf(name);
    if (number !== null && number > highest) highest = number;
  }
  return highest + 1;
}

const ADR_TOOLS_HEADING = /^# \d+\. \S/;

/**
 * adr-tools reads a record's title from its first line, so a repository that
 * uses it (an `.adr-dir`, or records starting with `# N. Title`) gets records
 * in its layout; everything else gets MADR 4 with front matter.
 */
export function detectLayout(facts: { hasAdrDirFile: boolean; firstLines: string[] }): RecordLayout {
  if (facts.hasAdrDirFile) return 'adr-tools';
  return facts.firstLines.some((line) => ADR_TOOLS_HEADING.test(line)) ? 'adr-tools' : 'madr';
}
