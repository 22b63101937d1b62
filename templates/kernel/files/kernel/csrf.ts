import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuthRequest, AuthResponse } from './http.js';
import { problem } from './problem.js';

/**
 * Cross-site request forgery defences for requests authenticated by a cookie
 * (a browser sends cookies on its own, whoever made the page). Requests
 * authenticated by a header need none: a foreign page cannot set one.
 *
 * On unsafe methods: Fetch Metadata and Origin must say "this site"; only
 * forms and JSON are accepted as bodies (a cross-site `text/plain` post needs
 * no preflight); and the session's synchronizer token must come back in the
 * `x-csrf-token` header or a `_csrf` form field.
 */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

const BODY_TYPES = new Set(['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data']);

function sameSite(request: AuthRequest, trustedOrigins: readonly string[]): string | null {
  const fetchSite = request.headers['sec-fetch-site'];
  // 'none' is a navigation the user started; 'same-site' is refused because a sibling subdomain may belong to someone else.
  if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') return 'cross-site request';
  const origin = request.headers.origin;
  if (origin === undefined) return null;
  if (origin === 'null') return 'opaque origin';
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return 'malformed origin';
  }
  if (trustedOrigins.length > 0) return trustedOrigins.includes(parsed.origin) ? null : 'foreign origin';
  // NOTE: without AUTH_TRUSTED_ORIGINS only the host is compared: behind a TLS-terminating proxy the
  // app cannot tell which scheme the browser used. Set the variable in production.
  const host = request.headers.host;
  return host !== undefined && parsed.host === host.toLowerCase() ? null : 'foreign origin';
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Constant-time comparison; hashing first makes the lengths equal. */
export function tokensMatch(expected: string, submitted: string | undefined): boolean {
  if (submitted === undefined || submitted === '') return false;
  return timingSafeEqual(digest(expected), digest(submitted));
}

function submittedToken(request: AuthRequest): string | undefined {
  const header = request.headers['x-csrf-token'];
  if (header) return header;
  const body = request.body;
  if (body !== null && typeof body === 'object' && typeof (body as Record<string, unknown>)._csrf === 'string') return (body as Record<string, string>)._csrf;
  return undefined;
}

/** Null when the request may go on; else the 403 (or 415) reply, and the reason for the audit line. */
export function csrfRefusal(
  request: AuthRequest,
  options: { trustedOrigins: readonly string[]; expectedToken: string | undefined },
): { response: AuthResponse; reason: string } | null {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return null;
  const site = sameSite(request, options.trustedOrigins);
  if (site !== null) return { response: problem('csrf-rejected', 'This request did not come from this site.'), reason: site };
  const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (type !== undefined && type !== '' && !BODY_TYPES.has(type)) {
    return { response: problem('unsupported-media-type', 'Send JSON or a form.'), reason: `content type ${type}` };
  }
  // A cookie-based strategy that offers no token fails closed.
  if (options.expectedToken === undefined || !tokensMatch(options.expectedToken, submittedToken(request))) {
    return { response: problem('csrf-rejected', 'The CSRF token is missing or wrong.'), reason: 'csrf token' };
  }
  return null;
}
