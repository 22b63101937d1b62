/**
 * One line per request that reaches a guard: which boundary, method, variant,
 * subject and client, what happened and the status. The line is built from
 * named fields only, never from the request, so a secret, a token, a key or a
 * query string cannot end up in it.
 */
export interface AuditEntry {
  boundary: string;
  /** The path without its query. */
  path: string;
  method: string | null;
  variant: string | null;
  outcome: 'authenticated' | 'refused';
  /** Why a request was refused (e.g. `unknown`, `expired`, `multiple-credentials`); never a credential. */
  reason?: string;
  status: number;
  subject: string | null;
  client: string | null;
}

export type AuditSink = (line: string) => void;

/** Keeps a value on one line and short: no spaces, no control characters, no quotes. */
const field = (value: string | null | undefined): string =>
  value === null || value === undefined || value === '' ? '-' : value.replace(/[^\w.@:/+-]/g, '_').slice(0, 128);

export function auditLine(entry: AuditEntry): string {
  return [
    'auth',
    `boundary=${field(entry.boundary)}`,
    `method=${field(entry.method)}`,
    `variant=${field(entry.variant)}`,
    `outcome=${entry.outcome}`,
    ...(entry.reason === undefined ? [] : [`reason=${field(entry.reason)}`]),
    `status=${entry.status}`,
    `subject=${field(entry.subject)}`,
    `client=${field(entry.client)}`,
    `path=${field(entry.path)}`,
  ].join(' ');
}
