/**
 * Which auth decision record describes the API now. Pure, so `revisit` and
 * `check` agree on the answer.
 */
import type { ParsedRecord } from './model.js';

export interface CurrentRecord {
  record: ParsedRecord;
  /** Set when more than one record claimed to be current; says which one was used. */
  warning: string | null;
}

/**
 * The accepted auth record that nothing supersedes. A record counts as
 * superseded when its status says so or when a later record's block names it
 * in `supersedes` (the status may have been edited by hand). When several
 * remain, the highest number wins: it is the most recent decision.
 */
export function chooseCurrentRecord(records: readonly ParsedRecord[]): CurrentRecord | null {
  const replaced = new Set(
    records.flatMap((record) => (record.block?.supersedes === undefined ? [] : [record.block.supersedes])),
  );
  const candidates = records
    .filter((record) => record.block !== null)
    .filter((record) => record.status === 'accepted' && record.supersededBy === null && !replaced.has(record.number))
    .sort((a, b) => b.number - a.number);
  const [latest, ...others] = candidates;
  if (latest === undefined) return null;
  const warning =
    others.length === 0
      ? null
      : `${candidates.length} accepted auth decision records claim to be current ` +
        `(${candidates.map((record) => `ADR-${record.number}`).join(', ')}); using the latest, ADR-${latest.number}. ` +
        `Mark the older ${others.length === 1 ? 'one' : 'ones'} as superseded to silence this warning.`;
  return { record: latest, warning };
}
