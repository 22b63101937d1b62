import { htmlHeaders } from './pages.js';

// The replies the core hands to the adapters: status, headers, body as a string. Every one of them
// carries `Cache-Control: no-store`, because each is either about credentials or about a signed-in user.

export interface HttpReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const noStore: Readonly<Record<string, string>> = { 'cache-control': 'no-store' };

export function json(status: number, value: unknown, extra: Record<string, string> = {}): HttpReply {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...noStore, ...extra },
    body: JSON.stringify(value),
  };
}

export function html(status: number, body: string, extra: Record<string, string> = {}): HttpReply {
  return { status, headers: { ...htmlHeaders, ...noStore, ...extra }, body };
}

export function redirect(location: string, extra: Record<string, string> = {}): HttpReply {
  // 303 so the browser follows a POST with a GET and never re-submits the form.
  return { status: 303, headers: { location, ...noStore, ...extra }, body: '' };
}
