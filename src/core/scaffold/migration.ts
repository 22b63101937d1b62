/**
 * Moving from one decision to the next in code: when the current record
 * supersedes another, the boundary that changes keeps the old method beside
 * the new one, marked retiring (dated, with a sunset), until `scaffold
 * --retire <method>` removes it. Pure: dates come in as values.
 *
 * Which new boundary takes over which old one is decided by `previousEntryOf`
 * (../plan-match.ts), the same rule the record's migration plan follows, so
 * what the record says and what the code does cannot drift apart.
 */
import { previousEntryOf } from '../plan-match.js';
import type { MethodId } from '../types.js';
import type { BoundaryChoice, MethodChoice } from './model.js';
import type { Retiring, ScaffoldManifest } from './schema.js';
import { boundaryLabel, SelectionError, type MethodsAndBoundaries, type PlannedBoundary } from './selection.js';

/** Days from the superseding record's date to the sunset, unless `--sunset` says otherwise. */
export const DEFAULT_MIGRATION_DAYS = 90;
/** The longest migration `--sunset` may ask for: two years. */
export const MAX_MIGRATION_DAYS = 730;

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** YYYY-MM-DD plus whole days, in UTC. */
export function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

const daysBetween = (from: string, to: string): number => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

/** A real calendar date written as YYYY-MM-DD (2027-02-30 is not one). */
export function isCalendarDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === value;
}

/** `--sunset`: a date after the deprecation date and at most MAX_MIGRATION_DAYS after it. */
export function checkSunset(value: string, deprecation: string): { ok: true; value: string } | { ok: false; message: string; hint: string } {
  const latest = addDays(deprecation, MAX_MIGRATION_DAYS);
  const hint = `Give a date from ${addDays(deprecation, 1)} to ${latest} (YYYY-MM-DD); without --sunset it is ${addDays(deprecation, DEFAULT_MIGRATION_DAYS)}, ${DEFAULT_MIGRATION_DAYS} days after the record's date.`;
  if (!isCalendarDate(value)) return { ok: false, message: `--sunset is "${value}", which is not a date written as YYYY-MM-DD.`, hint };
  const days = daysBetween(deprecation, value);
  if (days < 1) return { ok: false, message: `--sunset ${value} is not after ${deprecation}, the date of the record that supersedes the old method.`, hint };
  if (days > MAX_MIGRATION_DAYS) return { ok: false, message: `--sunset ${value} is ${days} days after ${deprecation}; a migration may last at most ${MAX_MIGRATION_DAYS} days.`, hint };
  return { ok: true, value };
}

/** A method the superseded decision used that stays, retiring, at a boundary of the new package. */
export interface RetiringMethod {
  boundary: string;
  method: MethodId;
  variant: string;
  retiring: Retiring;
  /** True when the boundary itself is the old one, kept because no new boundary took it over. */
  keptBoundary: boolean;
}

const copySelection = (selection: MethodsAndBoundaries): MethodsAndBoundaries => ({
  methods: selection.methods.map((choice) => ({ ...choice, variants: [...choice.variants] })),
  boundaries: selection.boundaries.map((boundary) => ({ ...boundary, accepts: boundary.accepts.map((accept) => ({ ...accept })) })),
});

function addVariant(methods: MethodChoice[], entry: Pick<PlannedBoundary, 'method' | 'variant' | 'tokenFormat'>): void {
  const existing = methods.find((choice) => choice.method === entry.method);
  if (existing === undefined) methods.push({ method: entry.method, variants: [entry.variant], tokenFormat: entry.tokenFormat });
  else if (!existing.variants.includes(entry.variant)) existing.variants.push(entry.variant);
}

/**
 * The new plan's selection with the superseded plan's methods kept, retiring,
 * where the plan changes:
 * - a new boundary that takes over an old one with another method or variant
 *   also accepts the old one, retiring;
 * - an old boundary no new one takes over stays, every method it accepted
 *   retiring, so its callers are not cut off before the sunset.
 * Methods removed earlier with `--retire` for this same record stay removed.
 */
export function withRetiringMethods(
  planned: MethodsAndBoundaries,
  input: {
    current: readonly PlannedBoundary[];
    previous: readonly PlannedBoundary[];
    retiring: Retiring;
    retired: NonNullable<ScaffoldManifest['retired']>;
  },
): { selection: MethodsAndBoundaries; retiring: RetiringMethod[] } {
  const selection = copySelection(planned);
  const added: RetiringMethod[] = [];
  const wasRetired = (boundary: string, entry: PlannedBoundary) =>
    input.retired.some((r) => r.boundary === boundary && r.method === entry.method && r.variant === entry.variant && r.record === input.retiring.record);
  const takenOver = new Set<string>();

  const keep = (boundary: BoundaryChoice, entry: PlannedBoundary, keptBoundary: boolean): void => {
    if (boundary.accepts.some((accept) => accept.method === entry.method && accept.variant === entry.variant)) return;
    if (wasRetired(boundary.id, entry)) return;
    boundary.accepts.push({ method: entry.method, variant: entry.variant, retiring: { ...input.retiring } });
    addVariant(selection.methods, entry);
    added.push({ boundary: boundary.id, method: entry.method, variant: entry.variant, retiring: { ...input.retiring }, keptBoundary });
  };

  for (const entry of input.current) {
    const previous = previousEntryOf(entry, input.previous, input.current);
    if (previous === null) continue;
    takenOver.add(previous.id);
    if (previous.method === entry.method && previous.variant === entry.variant) continue;
    const boundary = selection.boundaries.find((candidate) => candidate.id === entry.id);
    if (boundary) keep(boundary, previous, false);
  }
  for (const entry of input.previous) {
    if (takenOver.has(entry.id) || wasRetired(entry.id, entry)) continue;
    let boundary = selection.boundaries.find((candidate) => candidate.id === entry.id);
    if (boundary === undefined) {
      boundary = { id: entry.id, label: boundaryLabel(entry.id), accepts: [] };
      selection.boundaries.push(boundary);
    }
    keep(boundary, entry, true);
  }
  return { selection, retiring: added };
}

/** What `--retire <method>` takes out of the package. */
export interface Retirement {
  selection: MethodsAndBoundaries;
  /** Accepts removed, per boundary. */
  removed: { boundary: string; variant: string; retiring: Retiring | null }[];
  /** Boundaries removed because nothing else was accepted there (every one of them was retiring). */
  droppedBoundaries: string[];
  /** Boundaries where the method stays (live); its files then stay too. */
  stillAcceptedAt: string[];
  /** For the manifest: retiring entries removed, so the same record does not bring them back. */
  retired: NonNullable<ScaffoldManifest['retired']>;
}

/**
 * Takes a method out of the package. Where it is retiring, those entries go
 * (and a boundary left with nothing goes too: all it served was being phased
 * out); it stays wherever it is still a live method. A method that retires
 * nowhere is removed everywhere, unless that would leave a boundary without
 * any method.
 */
export function withoutMethod(current: MethodsAndBoundaries, method: MethodId): Retirement {
  if (!current.methods.some((choice) => choice.method === method)) {
    const present = current.methods.map((choice) => choice.method);
    throw new SelectionError(
      `${method} is not in the auth package, so there is nothing to retire.`,
      present.length > 0 ? `The package has: ${present.join(', ')}.` : 'Nothing has been scaffolded here yet.',
    );
  }
  const retiringHere = current.boundaries.some((boundary) => boundary.accepts.some((accept) => accept.method === method && accept.retiring !== undefined));
  const removes = (accept: BoundaryChoice['accepts'][number]) => accept.method === method && (!retiringHere || accept.retiring !== undefined);

  // A boundary that had a live method must keep one: retiring methods alone end at their sunset.
  const isLive = (accept: BoundaryChoice['accepts'][number]) => accept.retiring === undefined;
  const stranded = current.boundaries.filter((boundary) => boundary.accepts.some(isLive) && boundary.accepts.filter(isLive).every(removes));
  if (stranded.length > 0) {
    const names = stranded.map((boundary) => `/${boundary.id}`).join(', ');
    throw new SelectionError(
      `${method} is the only live method ${names} accept${stranded.length === 1 ? 's' : ''}; removing it would leave ${stranded.length === 1 ? 'that route group' : 'those route groups'} without authentication.`,
      `Scaffold a decision record that replaces ${method} there first: that boundary then accepts both, with ${method} retiring, and --retire removes it once clients have moved.`,
    );
  }

  const removed: Retirement['removed'] = [];
  const retired: Retirement['retired'] = [];
  const boundaries: BoundaryChoice[] = [];
  const droppedBoundaries: string[] = [];
  for (const boundary of current.boundaries) {
    const accepts = boundary.accepts.filter((accept) => {
      if (!removes(accept)) return true;
      removed.push({ boundary: boundary.id, variant: accept.variant, retiring: accept.retiring ?? null });
      if (accept.retiring) retired.push({ boundary: boundary.id, method, variant: accept.variant, record: accept.retiring.record });
      return false;
    });
    if (accepts.length === 0) droppedBoundaries.push(boundary.id);
    else boundaries.push({ ...boundary, accepts: accepts.map((accept) => ({ ...accept })) });
  }
  const stillAcceptedAt = boundaries.filter((boundary) => boundary.accepts.some((accept) => accept.method === method)).map((boundary) => boundary.id);
  const usedVariants = new Set(boundaries.flatMap((boundary) => boundary.accepts.filter((accept) => accept.method === method).map((accept) => accept.variant)));
  const methods = current.methods.flatMap((choice): MethodChoice[] => {
    if (choice.method !== method) return [{ ...choice, variants: [...choice.variants] }];
    const variants = choice.variants.filter((variant) => usedVariants.has(variant));
    return variants.length === 0 ? [] : [{ ...choice, variants }];
  });
  return { selection: { methods, boundaries }, removed, droppedBoundaries, stillAcceptedAt, retired };
}

/** Every retiring method of a package's boundaries, for `check` and messages. */
export function retiringMethods(boundaries: readonly BoundaryChoice[]): { boundary: string; method: MethodId; variant: string; retiring: Retiring }[] {
  return boundaries.flatMap((boundary) =>
    boundary.accepts.flatMap((accept) => (accept.retiring ? [{ boundary: boundary.id, method: accept.method, variant: accept.variant, retiring: accept.retiring }] : [])),
  );
}
