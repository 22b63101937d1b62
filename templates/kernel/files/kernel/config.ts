/**
 * Settings from the environment, read through one bounded reader: every
 * number has a default, a minimum and a maximum (for durations, from the
 * policy table in ../policy.ts), and a value outside them stops the start
 * with a message naming the variable and the range. The same range wording
 * answers bad endpoint inputs and command-line flags.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export interface Setting {
  readonly default: number;
  readonly min: number;
  readonly max: number;
}

/** A setting that cannot be used; the demo and the CLI exit with code 2 on it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const UNITS: [number, string][] = [
  [86_400, 'day'],
  [3_600, 'hour'],
  [60, 'minute'],
  [1, 'second'],
];

/** 7776000 → "90 days", 90 → "90 seconds", 0 → "0 seconds". */
export function describeDuration(seconds: number): string {
  for (const [size, unit] of UNITS) {
    if (seconds !== 0 && seconds % size === 0) {
      const count = seconds / size;
      return `${count} ${unit}${count === 1 ? '' : 's'}`;
    }
  }
  return `${seconds} seconds`;
}

/** "a whole number from 1 to 365" (and the unit, when given). */
export const rangeText = (min: number, max: number, unit = ''): string => `a whole number from ${min} to ${max}${unit === '' ? '' : ` (${unit})`}`;

/** A whole number within [min, max], or the reason it is not. */
export function checkWhole(value: unknown, min: number, max: number): { ok: true; value: number } | { ok: false } {
  const number = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < min || number > max) return { ok: false };
  return { ok: true, value: number };
}

/** A whole number from the environment, e.g. `AUTH_TRUST_PROXY`. */
export function readWhole(env: Env, name: string, range: Setting, unit = ''): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return range.default;
  const checked = checkWhole(raw, range.min, range.max);
  if (!checked.ok) throw new ConfigError(`${name} must be ${rangeText(range.min, range.max, unit)}; got "${raw}".`);
  return checked.value;
}

/** A duration in seconds from the environment, bounded by its policy setting. */
export function readSeconds(env: Env, name: string, setting: Setting): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return setting.default;
  const checked = checkWhole(raw, setting.min, setting.max);
  if (!checked.ok) {
    throw new ConfigError(
      `${name} must be a whole number of seconds from ${setting.min} (${describeDuration(setting.min)}) to ${setting.max} (${describeDuration(setting.max)}); got "${raw}".`,
    );
  }
  return checked.value;
}

export function readChoice<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if ((choices as readonly string[]).includes(raw.trim())) return raw.trim() as T;
  throw new ConfigError(`${name} must be one of ${choices.join(', ')}; got "${raw}".`);
}

/**
 * A required secret. `production` (NODE_ENV=production) refuses a short one;
 * elsewhere a short one is accepted with a warning, so a demo can start.
 */
export function readSecret(env: Env, name: string, options: { minLength: number; hint: string }, warnings: string[]): string {
  const value = env[name] ?? '';
  if (value === '') throw new ConfigError(`${name} is not set. ${options.hint}`);
  if (value.length < options.minLength) {
    const problem = `${name} is ${value.length} characters long; at least ${options.minLength} are required.`;
    if (env.NODE_ENV === 'production') throw new ConfigError(`${problem} ${options.hint}`);
    warnings.push(`${problem} Accepted because NODE_ENV is not "production". ${options.hint}`);
  }
  return value;
}

/** Comma-separated origins such as `https://app.example.com`; each must be an origin, nothing more. */
export function readOrigins(env: Env, name: string): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return [];
  return raw.split(',').map((item) => {
    const value = item.trim();
    let origin: string | null = null;
    try {
      origin = new URL(value).origin;
    } catch {
      origin = null;
    }
    if (origin === null || origin === 'null' || origin !== value.replace(/\/$/, '')) {
      throw new ConfigError(`${name} must list origins such as https://app.example.com (scheme, host and port only); "${value}" is not one.`);
    }
    return origin;
  });
}
