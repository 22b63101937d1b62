/** Milliseconds since the epoch. Injected so tests can move time; production uses Date.now. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();
