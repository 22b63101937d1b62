import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BodyKind } from './body.js';
import type { Principal } from './principal.js';

/** A request as the kernel sees it, whatever the framework: every check reads this and nothing else. */
export interface AuthRequest {
  method: string;
  /** Path and query as received. Never logged as is: the query may carry a leaked credential. */
  url: string;
  /** The path without the query. */
  path: string;
  /** Lower-case names; a repeated header is joined with ", ". */
  headers: Readonly<Record<string, string | undefined>>;
  /** Every Authorization header, in order: two of them are two credentials. */
  authorization: readonly string[];
  /** Every cookie, in order, duplicates included. */
  cookies: readonly { name: string; value: string }[];
  /** The client's address, resolved by kernel/source.ts. */
  source: string;
  /** Route parameters (`/tenants/:tenant` → `{ tenant }`). */
  params: Readonly<Record<string, string>>;
  /** The parsed body, when a kernel route or the framework read one. */
  body?: unknown;
}

/** A reply as the kernel makes it; each stack adapter only copies it onto its own response. */
export interface AuthResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** A JSON value, a string sent as is, or null for no body. */
  body: unknown;
}

export interface RouteRequest extends AuthRequest {
  /** Set when the route belongs to a boundary; its guard let the request in. */
  principal: Principal | null;
}

/**
 * A framework-agnostic route a method contributes (or the demo). The stack
 * adapter mounts it: bounded body parsing first, then the boundary's guard,
 * then the scope, then `handle`.
 */
export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Express-style path, e.g. `/partners/keys` or `/partners/tenants/:tenant`. */
  path: string;
  boundary?: string;
  scope?: string;
  body: BodyKind | 'none';
  /**
   * For a page people open in a browser: where to send them (303) when the
   * boundary's guard answers 401, instead of showing the problem reply.
   */
  signInPage?: string;
  handle(request: RouteRequest): Promise<AuthResponse> | AuthResponse;
}

/** A raw Node handler served before the framework sees the request (e.g. an OAuth provider under `/oidc`). */
export interface RawMount {
  path: string;
  handle(req: IncomingMessage, res: ServerResponse): void;
}

/**
 * A JSON reply. `Cache-Control: no-store` by default: what auth routes return
 * (identities, keys, tokens) must not sit in a shared cache.
 */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): AuthResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers }, body };
}

/** A reply as bytes on the wire: a JSON body is serialised and labelled, a string goes as it is, null sends nothing. */
export function serialise(response: AuthResponse): { status: number; headers: Record<string, string>; body: string | null } {
  if (response.body === null || response.body === undefined) return { status: response.status, headers: response.headers, body: null };
  if (typeof response.body === 'string') return { status: response.status, headers: response.headers, body: response.body };
  const headers = 'content-type' in response.headers ? response.headers : { ...response.headers, 'content-type': 'application/json; charset=utf-8' };
  return { status: response.status, headers, body: JSON.stringify(response.body) };
}

/** `Cookie` header → name/value pairs, in order, duplicates kept. */
export function parseCookies(header: string | undefined): { name: string; value: string }[] {
  if (header === undefined || header === '') return [];
  const cookies: { name: string; value: string }[] = [];
  for (const part of header.split(';')) {
    const equals = part.indexOf('=');
    if (equals <= 0) continue;
    const name = part.slice(0, equals).trim();
    let value = part.slice(equals + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (name !== '') cookies.push({ name, value });
  }
  return cookies;
}

/** The first value of a cookie, if sent. */
export const cookieValue = (request: Pick<AuthRequest, 'cookies'>, name: string): string | undefined =>
  request.cookies.find((cookie) => cookie.name === name)?.value;

/** Every value of a header from Node's raw header list (which keeps repeats apart). */
export function rawHeaderValues(rawHeaders: readonly string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === name) values.push(rawHeaders[i + 1]!);
  return values;
}

export function headersOf(incoming: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(incoming.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}

export const pathOf = (url: string): string => {
  const mark = url.indexOf('?');
  return mark === -1 ? url : url.slice(0, mark);
};
