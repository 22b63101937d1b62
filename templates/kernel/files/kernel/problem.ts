import type { AuthResponse } from './http.js';

/**
 * Error replies as RFC 9457 problem details: one shape for every stack and
 * every status, a stable `type` per kind of error, and never a stack trace, a
 * file path or a library's name (those go to the server log only).
 *
 * NOTE: the types are URNs, identifiers rather than links. If you publish
 * documentation for them, change the prefix to its address.
 */
export const PROBLEM_TYPE_PREFIX = 'urn:problem-type:auth:';

export const PROBLEMS = {
  'bad-request': { status: 400, title: 'Bad request' },
  'malformed-body': { status: 400, title: 'Malformed request body' },
  'invalid-input': { status: 400, title: 'Invalid input' },
  'invalid-grant': { status: 400, title: 'Invalid grant' },
  'invalid-dpop-proof': { status: 400, title: 'Invalid DPoP proof' },
  unauthenticated: { status: 401, title: 'Authentication required' },
  'multiple-credentials': { status: 401, title: 'More than one credential' },
  'credential-in-url': { status: 401, title: 'Credential in the URL' },
  'method-retired': { status: 401, title: 'Authentication method retired' },
  'insufficient-scope': { status: 403, title: 'Insufficient scope' },
  'csrf-rejected': { status: 403, title: 'Cross-site request refused' },
  forbidden: { status: 403, title: 'Forbidden' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'body-too-large': { status: 413, title: 'Request body too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'too-many-attempts': { status: 429, title: 'Too many attempts' },
  'internal-error': { status: 500, title: 'Internal server error' },
  'service-unavailable': { status: 503, title: 'Service unavailable' },
} as const;

export type ProblemKind = keyof typeof PROBLEMS;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problem(
  kind: ProblemKind,
  detail?: string,
  options: { headers?: Record<string, string>; extensions?: Record<string, unknown> } = {},
): AuthResponse {
  const { status, title } = PROBLEMS[kind];
  return {
    status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store', ...options.headers },
    body: { type: `${PROBLEM_TYPE_PREFIX}${kind}`, title, status, ...(detail === undefined ? {} : { detail }), ...options.extensions },
  };
}

/** 400 naming the field and what it must be, e.g. `expiresInDays` and "a whole number from 1 to 365". */
export function invalidInput(field: string, expected: string): AuthResponse {
  return problem('invalid-input', `${field} must be ${expected}.`, { extensions: { errors: [{ field, expected }] } });
}

/** Thrown by route code to answer with a problem; the stack adapter turns it into the reply. */
export class ProblemError extends Error {
  override name = 'ProblemError';
  readonly response: AuthResponse;
  constructor(response: AuthResponse) {
    super(String((response.body as { detail?: unknown; title?: unknown }).detail ?? (response.body as { title?: unknown }).title ?? 'problem'));
    this.response = response;
  }
}

/**
 * The reply for an error that escaped a handler. Expected client errors
 * (a framework's 4xx: a body parser's 400/413/415, a bad URL) keep their
 * status; anything else is a 500 whose details go to `log` only.
 */
export function problemForError(error: unknown, log: (message: string) => void): AuthResponse {
  if (error instanceof ProblemError) return error.response;
  const status = Number((error as { status?: unknown; statusCode?: unknown } | null)?.status ?? (error as { statusCode?: unknown } | null)?.statusCode);
  if (Number.isInteger(status) && status >= 400 && status < 500) {
    const type = String((error as { type?: unknown; code?: unknown }).type ?? (error as { code?: unknown }).code ?? '');
    if (status === 413) return problem('body-too-large');
    if (status === 415) return problem('unsupported-media-type');
    if (status === 404) return problem('not-found');
    if (status === 405) return problem('method-not-allowed');
    if (status === 400 && /parse|json/i.test(type)) return problem('malformed-body', 'The request body is not valid JSON.');
    return problem('bad-request');
  }
  log(`unhandled error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return problem('internal-error', 'Something went wrong on our side; it has been logged.');
}
