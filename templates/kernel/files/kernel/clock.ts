/**
 * Where "now" comes from. Every expiry, window and timestamp in the package
 * reads this clock, so tests can move time instead of waiting for it.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
