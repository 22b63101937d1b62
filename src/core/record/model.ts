/**
 * The auth decision record as data: what `decide` writes, what `revisit` and
 * `check` read back. The `RecordBlock` is the machine-readable part stored in
 * the record itself (MADR front matter or a trailing HTML comment).
 */
import { UsageError } from '../../errors.js';
import type { RevisitQuestion } from '../knowledge.js';
import type { Answers, BoundaryId, Client, Decision, MethodId, Subject, TokenFormat, TriggerId, Variant } from '../types.js';

/** The value of `tool` in every block auth-decide writes. */
export const RECORD_TOOL = 'auth-decide';

/** The key that holds the block: a front matter key in MADR, a comment tag in adr-tools. */
export const BLOCK_KEY = 'auth-decide';

export type RecordLayout = 'madr' | 'adr-tools';

export type RevisitNotes = Partial<Record<RevisitQuestion['id'], string>>;

/**
 * One boundary of the plan as stored: its id, who, from where, with which
 * method and variant. Records written before variants existed are read with
 * the variant and id derived (see `derivePlanEntry` in block.ts).
 */
export interface RecordPlanEntry {
  id: BoundaryId;
  subjects: Subject[];
  clients: Client[];
  method: MethodId;
  variant: Variant;
  tokenFormat: TokenFormat | null;
}

/** A review that kept the decision as it was. */
export interface RecordReview {
  /** YYYY-MM-DD */
  date: string;
  /** The next review-by date set by this review. */
  reviewBy: string;
  triggers: TriggerId[];
  outcome: 'unchanged';
  notes: RevisitNotes;
  /**
   * Answers that moved without changing the outcome, e.g. "revocation: minutes → immediate".
   * The block's answers, scores and plan are updated with the review so the next
   * revisit starts from what is true now.
   */
  changes?: string[];
}

/** The current state a review writes back into the block when answers moved. */
export type ReviewedState = Pick<RecordBlock, 'answers' | 'scores' | 'plan'>;

export interface RecordBlock {
  tool: string;
  version: string;
  answers: Answers;
  recommendation: MethodId;
  scores: Record<MethodId, number>;
  plan: RecordPlanEntry[];
  /** YYYY-MM-DD */
  reviewBy: string;
  reviews: RecordReview[];
  /** Number of the record this one replaced. */
  supersedes?: number;
}

export interface ParsedRecord {
  layout: RecordLayout;
  number: number;
  title: string;
  /**
   * Lower-case first word of the status: proposed | accepted | rejected |
   * deprecated | superseded, or `unknown` when the record states none.
   */
  status: string;
  supersededBy: number | null;
  date: string | null;
  /** null for records auth-decide did not write (other ADRs in the folder). */
  block: RecordBlock | null;
}

/** The record a later record points to, e.g. in "Supersedes …" links. */
export interface RecordReference {
  number: number;
  title: string;
  fileName: string;
}

export interface RecordInput {
  number: number;
  title: string;
  /** YYYY-MM-DD */
  date: string;
  decisionMakers?: string[];
  answers: Answers;
  decision: Decision;
  toolVersion: string;
  /** YYYY-MM-DD */
  reviewBy: string;
  layout: RecordLayout;
  supersedes?: RecordReference;
  /** Steps of the incremental migration from the superseded method; a default plan is written when absent. */
  migration?: string[];
  /** Answers to the revisit questions that led to this record. */
  revisitNotes?: RevisitNotes;
  /** The triggers that led to this record. */
  triggers?: TriggerId[];
}

/**
 * A decision record that cannot be read: names the file and line, and what to do.
 * It is bad input, not a bug, so it exits 2 like other usage errors.
 */
export class RecordError extends UsageError {
  override name = 'RecordError';
  readonly file: string;
  /** 1-based line in the file, when known. */
  readonly line: number | null;
  readonly problems: string[];
  constructor(options: { file: string; line: number | null; summary: string; problems?: string[]; hint?: string }) {
    const where = options.line === null ? options.file : `${options.file}:${options.line}`;
    const problems = options.problems ?? [];
    const details = problems.map((p) => `\n  - ${p}`).join('');
    const summary = problems.length === 0 && !/[.:!?]$/.test(options.summary) ? `${options.summary}.` : options.summary;
    super(`${where}: ${summary}${details}`, {
      hint:
        options.hint ??
        'Fix the auth-decide block by hand (compare it with `auth-decide decide --yes --dry-run`), or move the file ' +
          'out of the records folder and run `auth-decide decide` to write a new record.',
    });
    this.file = options.file;
    this.line = options.line;
    this.problems = problems;
  }
}
