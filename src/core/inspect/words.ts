/** Durations and moments in words, for people reading a token at a terminal. */

const UNITS: [name: string, seconds: number, below: number][] = [
  ['second', 1, 59.5],
  ['minute', 60, 59.5 * 60],
  ['hour', 3600, 48 * 3600],
  ['day', 86_400, 730 * 86_400],
  ['year', 365 * 86_400, Number.POSITIVE_INFINITY],
];

/** "9 minutes", "1 hour", "3 days": rounded to the nearest whole unit that reads naturally. */
export function duration(seconds: number): string {
  const size = Math.abs(seconds);
  const [name, unit] = UNITS.find(([, , below]) => size < below)!;
  const count = Math.round(size / unit);
  return `${count} ${name}${count === 1 ? '' : 's'}`;
}

/** `past` and `future` phrase a moment relative to now: ("expired", "expires") → "expired 2 hours ago" / "expires in 9 minutes". */
export function relative(at: number, now: number, phrases: { past: string; future: string }): string {
  const delta = at - now;
  if (Math.abs(delta) < 1) return `${phrases.past} just now`;
  return delta < 0 ? `${phrases.past} ${duration(delta)} ago` : `${phrases.future} in ${duration(delta)}`;
}
