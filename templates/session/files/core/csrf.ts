import { createHash, timingSafeEqual } from 'node:crypto';
import { headerValue } from './cookies.js';
import type { HeaderValue } from './cookies.js';

// Cross-site request forgery defences, applied to every state-changing request:
// 1. Fetch Metadata and Origin: a browser says where a request comes from; anything but this site is refused.
// 2. Content type: only forms and JSON; `text/plain` (which a cross-site form or a "simple" fetch can
//    send without a preflight) is refused even when its body looks like JSON.
// 3. A synchronizer token bound to the session, sent as the `_csrf` form field or the `x-csrf-token` header.

export const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

export type CsrfVerdict = { ok: true } | { ok: false; status: 403 | 415; reason: string };

export interface RequestOrigin {
  headers: Record<string, HeaderValue>;
}

export function checkRequestOrigin(request: RequestOrigin, trustedOrigins: readonly string[]): CsrfVerdict {
  const fetchSite = headerValue(request.headers['sec-fetch-site']);
  // 'none' is a navigation the user started (typed address, bookmark); 'same-site' is refused because
  // a sibling subdomain may be run by someone else.
  if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') {
    return { ok: false, status: 403, reason: 'cross-site request' };
  }
  const origin = headerValue(request.headers.origin);
  if (origin === undefined) return { ok: true };
  if (origin === 'null') return { ok: false, status: 403, reason: 'opaque origin' };
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return { ok: false, status: 403, reason: 'malformed origin' };
  }
  if (trustedOrigins.length > 0) {
    return trustedOrigins.includes(parsed.origin) ? { ok: true } : { ok: false, status: 403, reason: 'foreign origin' };
  }
  // NOTE: without configured origins only the host is compared, not the scheme: behind a TLS-terminating
  // proxy the app cannot tell which scheme the browser used. Configure SESSION_TRUSTED_ORIGINS in production.
  const host = headerValue(request.headers.host);
  return host !== undefined && parsed.host === host.toLowerCase()
    ? { ok: true }
    : { ok: false, status: 403, reason: 'foreign origin' };
}

export function mediaType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  return contentType.split(';')[0]!.trim().toLowerCase() || undefined;
}

export const formMediaType = 'application/x-www-form-urlencoded';
export const jsonMediaType = 'application/json';

export function checkContentType(contentType: string | undefined): CsrfVerdict {
  const type = mediaType(contentType);
  if (type === undefined || type === formMediaType || type === jsonMediaType) return { ok: true };
  return { ok: false, status: 415, reason: `unsupported content type ${type}` };
}

export function submittedCsrfToken(headers: Record<string, HeaderValue>, body: unknown): string | undefined {
  const fromHeader = headerValue(headers['x-csrf-token']);
  if (fromHeader) return fromHeader;
  if (body !== null && typeof body === 'object' && '_csrf' in body) {
    const value = (body as Record<string, unknown>)._csrf;
    if (typeof value === 'string') return value;
  }
  return undefined;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Constant-time comparison; hashing first makes the lengths equal. */
export function tokensMatch(expected: string, submitted: string | undefined): boolean {
  if (submitted === undefined || submitted === '') return false;
  return timingSafeEqual(digest(expected), digest(submitted));
}
