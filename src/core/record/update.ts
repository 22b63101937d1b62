/**
 * Edits to an existing record, as pure text transformations: everything the
 * edit does not need to touch stays byte-identical, so the diff a team
 * reviews shows only the review or the supersession.
 */
import { isMap, isScalar, isSeq, type Document } from 'yaml';
import { REVISIT_QUESTIONS, TRIGGERS } from '../knowledge.js';
import { blockFlow, newDocument, stringifyForComment, YAML_OPTIONS } from './block.js';
import type { YamlPath } from './yaml-writer.js';
import { BLOCK_KEY, RecordError, type RecordReference, type RecordReview, type ReviewedState } from './model.js';
import { parseRecord, splitRecord, yamlBetween, type RecordText } from './parse.js';

const pad = (number: number): string => String(number).padStart(4, '0');

const REVIEW_BY_LINE = /^(\*\*Review by:\*\* )\d{4}-\d{2}-\d{2}/;
const REVIEW_LOG_HEADING = /^#{2,6} Review log\s*$/;

/** Index of the first line at or after `from` that starts a heading, outside code fences, or `end`. */
function nextHeading(lines: readonly string[], from: number, end: number): number {
  let inFence = false;
  for (let index = from; index < end; index += 1) {
    const line = lines[index]!;
    if (/^\s{0,3}(```|~~~)/.test(line)) inFence = !inFence;
    else if (!inFence && /^#{1,6}\s/.test(line)) return index;
  }
  return end;
}

/** The review as a Markdown list entry for the record's review log. */
export function reviewLogEntry(review: RecordReview): string[] {
  const triggers = review.triggers.map((id) => TRIGGERS[id].title.toLowerCase());
  const why = triggers.length === 0 ? 'scheduled review' : `triggers: ${triggers.join('; ')}`;
  const entry = [`* ${review.date}: reviewed (${why}); decision unchanged; next review by ${review.reviewBy}.`];
  if (review.changes && review.changes.length > 0) entry.push(`  * Answers updated: ${review.changes.join('; ')}.`);
  for (const question of REVISIT_QUESTIONS) {
    const note = review.notes[question.id]?.trim();
    if (note) entry.push(`  * ${question.text} ${note.replace(/\s*\r?\n\s*/g, ' ')}`);
  }
  return entry;
}

function replaceBlockYaml(record: RecordText, range: { open: number; close: number }, yaml: string): void {
  const newLines = yaml.replace(/\n$/, '').split('\n');
  record.lines.splice(range.open + 1, range.close - range.open - 1, ...newLines);
  const delta = newLines.length - (range.close - range.open - 1);
  range.close += delta;
  if (record.comment && record.frontMatter === range) {
    record.comment.open += delta;
    record.comment.close += delta;
  }
}

/** Lays out a node the way a new record's block would be written (see `blockFlow`). */
function styleLikeNewBlock(node: unknown, path: YamlPath): unknown {
  if (isSeq(node) || isMap(node)) {
    if (blockFlow(path, node.toJSON())) {
      node.flow = true;
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => styleLikeNewBlock(item, [...path, index]));
    } else {
      for (const pair of node.items) styleLikeNewBlock(pair.value, [...path, isScalar(pair.key) ? String(pair.key.value) : String(pair.key)]);
    }
  }
  return node;
}

function appendReview(document: Document, path: string[], review: RecordReview, state?: ReviewedState): void {
  document.setIn([...path, 'reviewBy'], review.reviewBy);
  if (state) {
    document.setIn([...path, 'answers'], styleLikeNewBlock(document.createNode(state.answers), ['answers']));
    document.setIn([...path, 'scores'], styleLikeNewBlock(document.createNode(state.scores), ['scores']));
    document.setIn([...path, 'plan'], styleLikeNewBlock(document.createNode(state.plan), ['plan']));
  }
  const reviews = document.getIn([...path, 'reviews'], true);
  const entry = document.createNode({
    date: review.date,
    reviewBy: review.reviewBy,
    triggers: review.triggers,
    outcome: review.outcome,
    notes: review.notes,
    ...(review.changes && review.changes.length > 0 ? { changes: review.changes } : {}),
  });
  styleLikeNewBlock(entry, ['reviews', isSeq(reviews) ? reviews.items.length : 0]);
  if (isSeq(reviews)) {
    reviews.items.push(entry);
    // `reviews: []` is written in flow style; a list of mappings reads better as a block.
    reviews.flow = false;
  } else {
    document.setIn([...path, 'reviews'], newDocument([]).createNode([review]));
  }
}

/**
 * Records a review that kept the decision: sets the new review-by date in the
 * block and in the "Review by" line, appends the review to the block's
 * `reviews`, and adds a dated entry to the record's review log.
 */
export function markReviewed(text: string, fileName: string, review: RecordReview, state?: ReviewedState): string {
  const parsed = parseRecord(text, fileName);
  if (parsed.block === null) {
    throw new RecordError({
      file: fileName,
      line: null,
      summary: `this is not an auth decision record (it has no ${BLOCK_KEY} block), so it cannot be marked as reviewed`,
      hint: 'Run `auth-decide decide` to write an auth decision record first.',
    });
  }
  const record = splitRecord(text, fileName);
  const { lines } = record;

  if (record.frontMatter && lines.slice(record.frontMatter.open + 1, record.frontMatter.close).some((l) => l.startsWith(`${BLOCK_KEY}:`))) {
    const located = yamlBetween(record, record.frontMatter, fileName, 'front matter');
    const document = located.document as unknown as Document;
    if (!isMap(document.getIn([BLOCK_KEY], true))) throw new RecordError({ file: fileName, line: 2, summary: `${BLOCK_KEY} must be a mapping` });
    appendReview(document, [BLOCK_KEY], review, state);
    replaceBlockYaml(record, record.frontMatter, document.toString(YAML_OPTIONS));
  } else if (record.comment) {
    const located = yamlBetween(record, record.comment, fileName, `${BLOCK_KEY} comment`);
    const document = located.document as unknown as Document;
    appendReview(document, [], review, state);
    replaceBlockYaml(record, record.comment, stringifyForComment(document));
  }

  // The body never includes the front matter or the trailing block.
  const bodyStart = record.frontMatter ? record.frontMatter.close + 1 : 0;
  const bodyEnd = record.comment && record.comment.open >= bodyStart ? record.comment.open : lines.length;

  const reviewByIndex = lines.findIndex((line, index) => index >= bodyStart && index < bodyEnd && REVIEW_BY_LINE.test(line));
  if (reviewByIndex >= 0) {
    lines[reviewByIndex] = lines[reviewByIndex]!.replace(REVIEW_BY_LINE, `$1${review.reviewBy}`);
  }

  const entry = reviewLogEntry(review);
  const headingIndex = lines.findIndex((line, index) => index >= bodyStart && index < bodyEnd && REVIEW_LOG_HEADING.test(line));
  if (headingIndex >= 0) {
    const sectionEnd = nextHeading(lines, headingIndex + 1, bodyEnd);
    let last = sectionEnd - 1;
    while (last > headingIndex && lines[last]!.trim() === '') last -= 1;
    const insert = last === headingIndex ? ['', ...entry] : entry;
    lines.splice(last + 1, 0, ...insert);
  } else {
    // A record edited by hand may have lost its log; start one at the end of the body.
    let last = bodyEnd - 1;
    while (last >= bodyStart && lines[last]!.trim() === '') last -= 1;
    const section = ['', '## Review log', '', ...entry];
    if (bodyEnd < lines.length) lines.splice(last + 1, 0, ...section, '');
    // At the end of the file: drop trailing blank lines, end with one newline.
    else lines.splice(last + 1, lines.length - last - 1, ...section, '');
  }
  return lines.join(record.eol);
}

/** adr-tools' `_adr_add_link`: the link goes at the end of the `## Status` section. */
function addStatusLink(lines: string[], link: string): void {
  const status = lines.findIndex((line) => line === '## Status');
  const next = lines.findIndex((line, index) => index > status && line.startsWith('##'));
  if (next < 0) {
    // NOTE: adr-tools drops the link when Status is the last section; we keep it.
    while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
    lines.push('', link, '');
    return;
  }
  lines.splice(next, 0, link, '');
}

/** adr-tools' `_adr_remove_status`: drops a status line and squeezes blank lines in the section. */
function removeStatus(lines: string[], status: string): string[] {
  const result: string[] = [];
  let inStatus = false;
  let afterBlank = false;
  for (const line of lines) {
    if (line.startsWith('##')) inStatus = false;
    if (line === '## Status') inStatus = true;
    if (inStatus && /^\s*$/.test(line)) {
      if (!afterBlank) result.push(line);
      afterBlank = true;
      continue;
    }
    if (inStatus && line === status) continue;
    if (inStatus) afterBlank = false;
    result.push(line);
  }
  return result;
}

/**
 * Marks a record as replaced by a newer one. MADR: `status: superseded by
 * ADR-NNNN` in the front matter and a link under the title. adr-tools: the
 * same edit `adr new -s` makes — "Accepted" leaves the Status section and a
 * "Superseded by [N. Title](file)" link takes its place.
 */
export function markSuperseded(text: string, fileName: string, by: RecordReference): string {
  const parsed = parseRecord(text, fileName);
  const record = splitRecord(text, fileName);
  let lines = record.lines;

  if (parsed.layout === 'adr-tools' || (!record.frontMatter && lines.includes('## Status'))) {
    if (!lines.includes('## Status')) {
      throw new RecordError({
        file: fileName,
        line: null,
        summary: 'the record has no `## Status` section to mark as superseded',
        hint: 'Add a `## Status` section (as `adr new` writes it) and run the command again.',
      });
    }
    const link = `Superseded by [${by.number}. ${by.title}](${by.fileName})`;
    if (lines.includes(link)) return text;
    addStatusLink(lines, link);
    lines = removeStatus(lines, 'Accepted');
    return lines.join(record.eol);
  }

  const link = `Superseded by [ADR-${pad(by.number)}: ${by.title}](${by.fileName})`;
  const status = `superseded by ADR-${pad(by.number)}`;
  let bodyStart = record.frontMatter ? record.frontMatter.close + 1 : 0;
  if (record.frontMatter) {
    const { open, close } = record.frontMatter;
    const statusLine = lines.findIndex((line, index) => index > open && index < close && /^status\s*:/.test(line));
    if (statusLine >= 0) lines[statusLine] = `status: ${status}`;
    else {
      lines.splice(open + 1, 0, `status: ${status}`);
      bodyStart += 1;
    }
  } else {
    const statusLine = lines.findIndex((line) => /^\s*[-*]\s+Status:/i.test(line));
    if (statusLine >= 0) lines[statusLine] = lines[statusLine]!.replace(/(Status:\s*).*$/i, `$1${status}`);
  }
  if (!lines.includes(link)) {
    const title = lines.findIndex((line, index) => index >= bodyStart && /^# \S/.test(line));
    if (title >= 0) lines.splice(title + 1, 0, '', link);
    else lines.splice(bodyStart, 0, link, '');
  }
  return lines.join(record.eol);
}
