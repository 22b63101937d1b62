/**
 * Reads decision records back: MADR 4 (front matter), older MADR and
 * log4brains (`* Status:` lines) and adr-tools (`# N. Title`, `## Status`).
 * Records written by other tools are read too, with `block: null`.
 */
import { basename } from 'node:path/posix';
import { parseLocatedYaml, readBlock, type LocatedYaml } from './block.js';
import { recordNumberOf } from './locate.js';
import { BLOCK_KEY, RecordError, type ParsedRecord, type RecordBlock, type RecordLayout } from './model.js';

/** A record split into lines, with where its machine-readable parts sit (0-based line indexes). */
export interface RecordText {
  lines: string[];
  /** The line ending to write back, so edits keep a CRLF file CRLF. */
  eol: '\n' | '\r\n';
  /** Lines of the opening and closing `---` of the front matter. */
  frontMatter: { open: number; close: number } | null;
  /** Lines of `<!-- auth-decide` and its closing `-->`. */
  comment: { open: number; close: number } | null;
}

const FRONT_MATTER_FENCE = /^---\s*$/;
const FRONT_MATTER_END = /^(---|\.\.\.)\s*$/;
const COMMENT_OPEN = new RegExp(`^<!--\\s*${BLOCK_KEY}\\s*$`);
const COMMENT_CLOSE = /^\s*-->\s*$/;
const ADR_TOOLS_TITLE = /^# (\d+)\. (.*\S)\s*$/;

export function splitRecord(text: string, fileName: string): RecordText {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  let frontMatter: RecordText['frontMatter'] = null;
  if (lines.length > 0 && FRONT_MATTER_FENCE.test(lines[0]!)) {
    const close = lines.findIndex((line, index) => index > 0 && FRONT_MATTER_END.test(line));
    if (close > 0) frontMatter = { open: 0, close };
    else if (lines.some((line) => line.startsWith(`${BLOCK_KEY}:`))) {
      throw new RecordError({
        file: fileName,
        line: 1,
        summary: 'the front matter opened on line 1 is never closed with a `---` line',
      });
    }
  }
  let comment: RecordText['comment'] = null;
  const open = lines.findIndex((line) => COMMENT_OPEN.test(line));
  if (frontMatter === null && open < 0) {
    // A block whose opening `---` went missing would otherwise be read as prose and silently ignored.
    const stray = lines.findIndex((line) => new RegExp(`^${BLOCK_KEY}:\\s*$`).test(line));
    if (stray >= 0) {
      throw new RecordError({
        file: fileName,
        line: stray + 1,
        summary: `the ${BLOCK_KEY} block is not inside front matter: the file must start with a \`---\` line`,
        hint: 'Put the `---` line back as the first line of the file.',
      });
    }
  }
  if (open >= 0) {
    const close = lines.findIndex((line, index) => index > open && COMMENT_CLOSE.test(line));
    if (close < 0) {
      throw new RecordError({
        file: fileName,
        line: open + 1,
        summary: `the ${BLOCK_KEY} comment opened here is never closed with a \`-->\` line`,
      });
    }
    comment = { open, close };
  }
  return { lines, eol, frontMatter, comment };
}

/** The YAML between two fence lines, located so errors name file lines. */
export function yamlBetween(record: RecordText, range: { open: number; close: number }, fileName: string, what: string): LocatedYaml {
  const yaml = record.lines.slice(range.open + 1, range.close).join('\n');
  return parseLocatedYaml(yaml, range.open + 1, fileName, what);
}

/** Lines outside fenced code blocks, so a `#` in a code sample is never taken for a heading. */
function proseLines(lines: readonly string[], from: number): { index: number; line: string }[] {
  const result: { index: number; line: string }[] = [];
  let fence: string | null = null;
  for (let index = from; index < lines.length; index += 1) {
    const line = lines[index]!;
    const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker !== undefined) {
      if (fence === null) fence = marker[0]!.repeat(marker.length);
      else if (marker.startsWith(fence)) fence = null;
      continue;
    }
    if (fence === null) result.push({ index, line });
  }
  return result;
}

/** Lines of the adr-tools `## Status` section that carry text. */
function statusSection(prose: { line: string }[]): string[] {
  const start = prose.findIndex(({ line }) => /^## Status\s*$/.test(line));
  if (start < 0) return [];
  const result: string[] = [];
  for (const { line } of prose.slice(start + 1)) {
    if (line.startsWith('#')) break;
    if (line.trim() !== '') result.push(line.trim());
  }
  return result;
}

/** The number of the record a "Superseded by …" text points to, from its link target or its words. */
function supersedingNumber(text: string): number | null {
  const match = /^superseded by\b(.*)$/i.exec(text.trim());
  if (!match) return null;
  const rest = match[1]!;
  const target = /\]\(([^)]+)\)/.exec(rest)?.[1];
  const fromLink = target === undefined ? null : recordNumberOf(basename(target.split('#')[0]!));
  if (fromLink !== null) return fromLink;
  const fromWords = /(?:ADR[-\s]?)?0*(\d+)/i.exec(rest);
  return fromWords ? Number.parseInt(fromWords[1]!, 10) : null;
}

const firstWord = (status: string): string =>
  status.trim().split(/\s+/)[0]!.toLowerCase().replace(/[^a-z-]/g, '') || 'unknown';

/**
 * Parses one record. `fileName` is used for the record number and in error
 * messages (pass the path relative to the project). Throws a RecordError only
 * when an auth-decide block is present but cannot be read.
 */
export function parseRecord(text: string, fileName: string): ParsedRecord {
  const record = splitRecord(text, fileName);
  const { lines } = record;

  let frontMatter: Record<string, unknown> | null = null;
  let block: RecordBlock | null = null;
  if (record.frontMatter) {
    const range = record.frontMatter;
    const ours = lines.slice(range.open + 1, range.close).some((line) => line.startsWith(`${BLOCK_KEY}:`));
    let located: LocatedYaml | null = null;
    try {
      located = yamlBetween(record, range, fileName, 'front matter');
    } catch (error) {
      // Another tool's broken front matter is not ours to judge.
      if (ours) throw error;
    }
    const data = located?.document.toJS() as unknown;
    if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
      frontMatter = data as Record<string, unknown>;
      if (BLOCK_KEY in frontMatter && located) block = readBlock(located, [BLOCK_KEY], fileName);
    } else if (ours) {
      throw new RecordError({ file: fileName, line: 2, summary: 'the front matter must be a mapping of fields' });
    }
  }
  if (block === null && record.comment) {
    block = readBlock(yamlBetween(record, record.comment, fileName, `${BLOCK_KEY} comment`), [], fileName);
  }

  const bodyStart = record.frontMatter ? record.frontMatter.close + 1 : 0;
  const prose = proseLines(lines, bodyStart);
  const adrToolsTitle = record.frontMatter ? null : ADR_TOOLS_TITLE.exec(lines[0] ?? '');
  const layout: RecordLayout = adrToolsTitle ? 'adr-tools' : 'madr';

  let title: string;
  let headingNumber: number | null = null;
  if (adrToolsTitle) {
    headingNumber = Number.parseInt(adrToolsTitle[1]!, 10);
    title = adrToolsTitle[2]!;
  } else {
    const heading = prose.find(({ line }) => /^# \S/.test(line))?.line;
    const fromFrontMatter = typeof frontMatter?.title === 'string' ? frontMatter.title : null;
    title = heading?.slice(2).trim() ?? fromFrontMatter ?? basename(fileName).replace(/^\d+-/, '').replace(/\.md$/i, '');
  }

  const number = recordNumberOf(basename(fileName)) ?? headingNumber;
  if (number === null) {
    throw new RecordError({
      file: fileName,
      line: null,
      summary: 'cannot tell the record number: the file name does not start with one',
      hint: 'Name decision records NNNN-title.md, as adr-tools and MADR do.',
    });
  }

  // Status and date: front matter (MADR 4), then `* Status:` lines (MADR 2, log4brains), then adr-tools.
  const listField = (name: string): string | null => {
    const pattern = new RegExp(`^\\s*[-*]\\s+${name}:\\s*(.+?)\\s*$`, 'i');
    for (const { line } of prose) {
      const match = pattern.exec(line);
      if (match) return match[1]!;
    }
    return null;
  };
  const adrToolsStatus = statusSection(prose);
  const statusText =
    (typeof frontMatter?.status === 'string' ? frontMatter.status : null) ??
    listField('status') ??
    adrToolsStatus[0] ??
    null;
  const status = statusText === null ? 'unknown' : firstWord(statusText);

  let supersededBy: number | null = statusText === null ? null : supersedingNumber(statusText);
  if (supersededBy === null) {
    for (const line of [...adrToolsStatus, ...prose.map((entry) => entry.line)]) {
      supersededBy = supersedingNumber(line);
      if (supersededBy !== null) break;
    }
  }

  const dateValue = frontMatter?.date;
  const date =
    (typeof dateValue === 'string' ? dateValue : dateValue instanceof Date ? dateValue.toISOString().slice(0, 10) : null) ??
    listField('date') ??
    prose.map(({ line }) => /^Date:\s*(\S+)/.exec(line)?.[1]).find((value) => value !== undefined) ??
    null;

  return { layout, number, title, status, supersededBy, date, block };
}

/** Whether auth-decide wrote this record (it carries a readable auth-decide block). */
export function isAuthDecisionRecord(parsed: ParsedRecord): parsed is ParsedRecord & { block: RecordBlock } {
  return parsed.block !== null;
}
