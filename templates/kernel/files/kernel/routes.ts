import type { IncomingMessage } from 'node:http';
import type { Auth } from './auth.js';
import { readBody } from './body.js';
import type { GuardDecision } from './guard.js';
import { json, type AuthResponse, type Route, type RouteRequest } from './http.js';
import { describePrincipal } from './principal.js';
import { ProblemError } from './problem.js';

/** What a stack adapter knows about a request, in Node terms. */
export interface RequestParts {
  incoming: IncomingMessage;
  /** Path and query as received. */
  url: string;
  params?: Record<string, string>;
  /** The unread body, for routes that take one. */
  bodyStream: () => AsyncIterable<Uint8Array> | null;
  /** A body the framework already parsed (your own body parser ran first). */
  parsedBody?: unknown;
}

export interface RouteOutcome {
  response: AuthResponse;
  /** Call once the reply is sent, with its status: writes the audit line of a guarded route. */
  finish(status: number): void;
}

const nothingToFinish = () => {};

/** The guard of a boundary, for middleware in front of your own routes. */
export async function guardRequest(auth: Auth, boundaryId: string, parts: RequestParts): Promise<GuardDecision> {
  const request = auth.requestOf(parts.incoming, { url: parts.url, ...(parts.params ? { params: parts.params } : {}), body: parts.parsedBody });
  return auth.guard(boundaryId).check(request);
}

/**
 * Runs a kernel route the same way on every stack: bounded body, then the
 * boundary's guard, then the scope, then the handler. Every check lives here
 * once; the adapters only translate.
 */
export async function runRoute(auth: Auth, route: Route, parts: RequestParts): Promise<RouteOutcome> {
  let body: unknown;
  if (route.body !== 'none') {
    if (parts.parsedBody !== undefined) body = parts.parsedBody;
    else {
      const read = await readBody(parts.bodyStream(), auth.requestOf(parts.incoming, { url: parts.url }).headers, route.body, auth.settings.bodyLimit);
      if (!read.ok) return { response: read.response, finish: nothingToFinish };
      body = read.body;
    }
  }
  const request = auth.requestOf(parts.incoming, { url: parts.url, ...(parts.params ? { params: parts.params } : {}), body });
  let principal = null;
  let headers: Record<string, string> = {};
  let finish: (status: number) => void = nothingToFinish;
  if (route.boundary !== undefined) {
    const decision = await auth.guard(route.boundary).check(request);
    if (!decision.ok) {
      const { response } = decision;
      if (route.signInPage === undefined || response.status !== 401) return { response, finish: nothingToFinish };
      // The refusal's own headers (a Set-Cookie that clears a dead cookie) go along; the problem body does not.
      const kept = Object.fromEntries(Object.entries(response.headers).filter(([name]) => name !== 'content-type' && name !== 'www-authenticate'));
      return { response: { status: 303, headers: { ...kept, location: route.signInPage, 'cache-control': 'no-store' }, body: null }, finish: nothingToFinish };
    }
    ({ principal, headers, finish } = decision);
    const refusal = route.scope === undefined ? null : auth.requireScope(decision.principal, route.scope);
    if (refusal) return { response: { ...refusal, headers: { ...headers, ...refusal.headers } }, finish };
  }
  try {
    const response = await route.handle({ ...request, principal });
    return { response: { ...response, headers: { ...headers, ...response.headers } }, finish };
  } catch (error) {
    if (error instanceof ProblemError) return { response: { ...error.response, headers: { ...headers, ...error.response.headers } }, finish };
    finish(500);
    throw error;
  }
}

/** The demo's routes: `/health`, and per boundary `/<id>/me` (GET and POST) and `/<id>/admin` (scope `admin`). */
export function demoRoutes(auth: Auth): Route[] {
  const routes: Route[] = [{ method: 'GET', path: '/health', body: 'none', handle: () => json(200, { status: 'ok' }) }];
  for (const boundary of auth.boundaries) {
    const me = (request: RouteRequest) => json(200, describePrincipal(request.principal!));
    routes.push(
      { method: 'GET', path: `/${boundary.id}/me`, boundary: boundary.id, body: 'none', handle: me },
      // An unsafe method on every boundary, so CSRF rules can be seen to apply to cookies and only to them.
      { method: 'POST', path: `/${boundary.id}/me`, boundary: boundary.id, body: 'none', handle: me },
      {
        method: 'GET',
        path: `/${boundary.id}/admin`,
        boundary: boundary.id,
        scope: 'admin',
        body: 'none',
        handle: (request) => json(200, { admin: true, subject: request.principal!.subject, boundary: boundary.id }),
      },
    );
  }
  return routes;
}
