/**
 * Which boundary of an older plan a boundary of a newer plan takes over.
 * The record's migration plan and the scaffold's retiring methods both ask
 * this question; answering it once keeps what the record says and what the
 * generated code does the same.
 */
import type { Subject } from './types.js';

/** What matching needs of a plan entry. */
export interface MatchableEntry {
  id: string;
  subjects: readonly Subject[];
}

/**
 * The entry of `before` that `entry` (one of `after`) takes over: the one with
 * the same id, else the first serving one of the same callers, else, when
 * each plan has one entry, that one (one method for every caller before and
 * after, even if the callers were renamed). Null when none.
 */
export function previousEntryOf<T extends MatchableEntry>(entry: MatchableEntry, before: readonly T[], after: readonly MatchableEntry[]): T | null {
  return (
    before.find((old) => old.id === entry.id) ??
    before.find((old) => old.subjects.some((subject) => entry.subjects.includes(subject))) ??
    (before.length === 1 && after.length === 1 ? before[0]! : null)
  );
}
