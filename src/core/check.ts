/**
 * `check` as a pure function: plain facts in (gathered by the shell), findings
 * out. No fs, no clock: `now` is one of the facts.
 */
import { METHOD_IDS, type MethodId, type Stack } from './types.js';

export type Severity = 'error' | 'warning';

export interface Finding {
  /** Stable id, e.g. `review-due`; CI scripts may match on it. */
  id:
    | 'no-record'
    | 'several-current-records'
    | 'review-due'
    | 'stack-changed'
    | 'stack-not-detected'
    | 'unaccounted-dependency'
    | 'migration-overdue'
    | 'generated-file-edited'
    | 'generated-file-deleted';
  severity: Severity;
  message: string;
}

export interface RecordFacts {
  /** Path relative to the project, for messages. */
  path: string;
  number: number;
  title: string;
  date: string;
  /** ISO date (YYYY-MM-DD). */
  reviewBy: string;
  recommendation: MethodId;
  /** Methods the record accounts for: the recommendation and every boundary of its plan. */
  methods: MethodId[];
  /** The stack the record names (answers.stack), if any. */
  stack: Stack | null;
}

export interface GeneratedFileFacts {
  path: string;
  state: 'unchanged' | 'edited' | 'deleted';
}

/** A method the scaffolded package still accepts at a boundary while a newer decision phases it out. */
export interface RetiringFacts {
  boundary: string;
  method: MethodId;
  variant: string;
  /** YYYY-MM-DD: from this day (UTC) the generated guard refuses the method at this boundary. */
  sunset: string;
  /** The record that supersedes it (path from the project root). */
  record: string;
}

export interface CheckFacts {
  now: Date;
  /** The records folder that was searched, for messages. */
  recordsDir: string;
  record: RecordFacts | null;
  /** Other accepted auth records that also claim to be current (paths); the latest one is `record`. */
  otherCurrentRecords: string[];
  /** Web framework found in the project, or null when none of the known ones is used. */
  detectedStack: Stack | null;
  /** The stack the scaffold last generated code for (manifest), used when the record names none. */
  scaffoldedStack: Stack | null;
  /** Names of the project's dependencies (all kinds). */
  dependencies: string[];
  /** Dependencies our own scaffold added, per the manifest; never reported. */
  scaffoldedDependencies: string[];
  generatedFiles: GeneratedFileFacts[];
  /** Retiring methods the scaffold manifest still wires. */
  retiring: RetiringFacts[];
  strict: boolean;
}

export interface CheckReport {
  status: 'ok' | 'review-needed';
  findings: Finding[];
}

/**
 * Auth-related packages and the methods that explain them. A package is fine
 * when the record uses at least one of its methods. Exact names first; the
 * prefix rules catch the many passport strategies.
 */
const ALL_BUT_KEYS: MethodId[] = ['session', 'oauth', 'jwt'];
export const AUTH_DEPENDENCIES: Record<string, MethodId[]> = {
  passport: ALL_BUT_KEYS,
  'passport-local': ['session'],
  'passport-jwt': ['jwt', 'oauth'],
  'passport-http-bearer': ['jwt', 'oauth', 'api-key'],
  'passport-headerapikey': ['api-key'],
  'passport-oauth2': ['oauth'],
  'passport-openidconnect': ['oauth'],
  'passport-google-oauth20': ['oauth'],
  'passport-github2': ['oauth'],
  'passport-azure-ad': ['oauth'],
  jsonwebtoken: ['jwt', 'oauth'],
  jose: ['jwt', 'oauth'],
  'express-jwt': ['jwt', 'oauth'],
  'express-oauth2-jwt-bearer': ['jwt', 'oauth'],
  '@fastify/jwt': ['jwt', 'oauth'],
  'fast-jwt': ['jwt', 'oauth'],
  'jwks-rsa': ['jwt', 'oauth'],
  'next-auth': ['session', 'oauth'],
  '@auth/core': ['session', 'oauth'],
  '@auth/express': ['session', 'oauth'],
  '@hono/auth-js': ['session', 'oauth'],
  'better-auth': ['session', 'oauth'],
  lucia: ['session'],
  oslo: ['session'],
  'express-session': ['session'],
  'cookie-session': ['session'],
  'connect-redis': ['session'],
  'connect-pg-simple': ['session'],
  'iron-session': ['session'],
  '@fastify/session': ['session'],
  '@fastify/secure-session': ['session'],
  'hono-sessions': ['session'],
  '@hono/session': ['session'],
  'oidc-provider': ['oauth'],
  'openid-client': ['oauth'],
  oauth4webapi: ['oauth'],
  'simple-oauth2': ['oauth'],
  'express-openid-connect': ['oauth', 'session'],
  '@fastify/oauth2': ['oauth'],
  '@hono/oauth-providers': ['oauth'],
  'keycloak-connect': ['oauth'],
  '@node-oauth/oauth2-server': ['oauth'],
  '@fastify/bearer-auth': ['api-key'],
};

/** The methods an auth-related package implies, or null when it is not auth-related. */
export function methodsImpliedBy(dependency: string): MethodId[] | null {
  const known = AUTH_DEPENDENCIES[dependency];
  if (known) return known;
  if (dependency.startsWith('passport-')) return ALL_BUT_KEYS;
  if (dependency.startsWith('@auth/')) return ['session', 'oauth'];
  return null;
}

const methodList = (methods: readonly MethodId[]): string => methods.join(' or ');

/** Whole days from `now` to an ISO date; negative when the date has passed. UTC, so CI time zones agree. */
export function daysUntil(isoDate: string, now: Date): number {
  const target = Date.parse(`${isoDate}T00:00:00Z`);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Math.round((target - today) / 86_400_000);
}

export function evaluateCheck(facts: CheckFacts): CheckReport {
  const findings: Finding[] = [];
  const { record } = facts;

  if (!record) {
    findings.push({
      id: 'no-record',
      severity: 'error',
      message: `No accepted auth decision record was found in ${facts.recordsDir}. Run \`auth-decide decide\` to write one (or pass --adr-dir).`,
    });
  } else {
    if (facts.otherCurrentRecords.length > 0) {
      const others = facts.otherCurrentRecords;
      findings.push({
        id: 'several-current-records',
        severity: 'error',
        message:
          `${others.join(', ')} and ${record.path} all claim to be the current auth decision; ${record.path} (the latest) was checked. ` +
          `Set the status of the older ${others.length === 1 ? 'one' : 'ones'} to "superseded by ADR-${String(record.number).padStart(4, '0')}".`,
      });
    }
    const days = daysUntil(record.reviewBy, facts.now);
    // The review-by day itself is still on time; the day after it is due.
    if (days < 0) {
      findings.push({
        id: 'review-due',
        severity: 'error',
        message: `The review-by date ${record.reviewBy} of ${record.path} passed ${-days} day${days === -1 ? '' : 's'} ago. Run \`auth-decide revisit\`.`,
      });
    }

    const recordedStack = record.stack ?? facts.scaffoldedStack;
    if (recordedStack && facts.detectedStack && facts.detectedStack !== recordedStack) {
      findings.push({
        id: 'stack-changed',
        severity: 'error',
        message: `The record was made for ${recordedStack}, but the project now uses ${facts.detectedStack}. Run \`auth-decide revisit --trigger framework-support\`.`,
      });
    } else if (recordedStack && !facts.detectedStack) {
      findings.push({
        id: 'stack-not-detected',
        severity: 'warning',
        message: `The record was made for ${recordedStack}, but no ${recordedStack} dependency was found in this project.`,
      });
    }

    const scaffolded = new Set(facts.scaffoldedDependencies);
    for (const dependency of [...new Set(facts.dependencies)].sort()) {
      const implied = methodsImpliedBy(dependency);
      if (!implied || scaffolded.has(dependency)) continue;
      if (implied.some((method) => record.methods.includes(method))) continue;
      findings.push({
        id: 'unaccounted-dependency',
        severity: 'error',
        message: `${dependency} suggests ${methodList(implied)}, which ${record.path} does not use (it chose ${record.methods.join(', ')}). Run \`auth-decide revisit\` or remove the dependency.`,
      });
    }
  }

  // From the sunset day on the guard refuses the method anyway; still wiring it means the migration was never finished.
  for (const entry of facts.retiring) {
    const days = daysUntil(entry.sunset, facts.now);
    if (days > 0) continue;
    findings.push({
      id: 'migration-overdue',
      severity: 'error',
      message:
        `/${entry.boundary} still wires ${entry.method} (${entry.variant}), which ${entry.record} retires: its sunset ${entry.sunset} ${days === 0 ? 'is today' : `passed ${-days} day${days === -1 ? '' : 's'} ago`}, ` +
        `so the generated code refuses it there with 401. See who still used it with the auth:usage script, then run \`auth-decide scaffold --retire ${entry.method}\`.`,
    });
  }

  for (const file of facts.generatedFiles) {
    if (file.state === 'unchanged') continue;
    findings.push({
      id: file.state === 'edited' ? 'generated-file-edited' : 'generated-file-deleted',
      severity: facts.strict ? 'error' : 'warning',
      message:
        file.state === 'edited'
          ? `${file.path} was generated by auth-decide and has been edited since. Review the change, or re-run \`auth-decide scaffold\` to compare.`
          : `${file.path} was generated by auth-decide and has been deleted. Restore it with \`auth-decide scaffold\`, or remove it from the manifest.`,
    });
  }

  return { status: findings.some((f) => f.severity === 'error') ? 'review-needed' : 'ok', findings };
}

/** Guard for method ids read from a hand-editable record. */
export function isMethodId(value: unknown): value is MethodId {
  return typeof value === 'string' && (METHOD_IDS as readonly string[]).includes(value);
}
