import type { MethodId } from './principal.js';

/** A method and variant a boundary accepts; `retiring` while a newer decision phases it out. */
export interface AcceptedMethod {
  readonly method: MethodId;
  readonly variant: string;
  readonly retiring?: {
    /** YYYY-MM-DD: the superseding decision's date (the `Deprecation` header). */
    readonly deprecation: string;
    /** YYYY-MM-DD: from this day (UTC) the method is refused here (the `Sunset` header until then). */
    readonly sunset: string;
    /** The decision record that supersedes it (its path in the repository). */
    readonly record: string;
  };
}

/** A route group and the methods it accepts: `/<id>/…`. */
export interface Boundary {
  readonly id: string;
  readonly label: string;
  readonly accepts: readonly AcceptedMethod[];
}

export type BoundaryTable = readonly Boundary[];

export const strategyKey = (method: string, variant: string): string => `${method}/${variant}`;

const dayStart = (day: string): number => Date.parse(`${day}T00:00:00Z`);

export const isPastSunset = (accept: AcceptedMethod, at: Date): boolean => accept.retiring !== undefined && at.getTime() >= dayStart(accept.retiring.sunset);

/** RFC 9745 `Deprecation` (`@<epoch seconds>`) and RFC 8594 `Sunset` (an HTTP date). */
export function retirementHeaders(accept: AcceptedMethod): Record<string, string> {
  if (accept.retiring === undefined) return {};
  return {
    deprecation: `@${Math.floor(dayStart(accept.retiring.deprecation) / 1000)}`,
    sunset: new Date(dayStart(accept.retiring.sunset)).toUTCString(),
  };
}
