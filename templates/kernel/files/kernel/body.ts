import type { AuthResponse } from './http.js';
import { problem } from './problem.js';

/** What a route reads: JSON, an HTML form, or either (a page's form and a script's JSON posting to one route). */
export type BodyKind = 'json' | 'form' | 'form-or-json';

const isJson = (type: string) => type === 'application/json' || /^application\/[\w.+-]+\+json$/.test(type);
const isForm = (type: string) => type === 'application/x-www-form-urlencoded';

const MEDIA_TYPES: Record<BodyKind, (type: string) => boolean> = {
  json: isJson,
  form: isForm,
  'form-or-json': (type) => isJson(type) || isForm(type),
};

const EXPECTED: Record<BodyKind, string> = {
  json: 'Send application/json.',
  form: 'Send application/x-www-form-urlencoded.',
  'form-or-json': 'Send application/json or application/x-www-form-urlencoded.',
};

/**
 * Reads a request body within `limit` bytes, for the kernel's own routes on
 * every stack alike: wrong content type → 415, too large → 413 (decided from
 * Content-Length before reading when it is sent), not JSON → 400. A missing
 * body reads as `undefined`, for the route to refuse with a field error.
 */
export async function readBody(
  chunks: AsyncIterable<Uint8Array> | null,
  headers: Readonly<Record<string, string | undefined>>,
  kind: BodyKind,
  limit: number,
): Promise<{ ok: true; body: unknown } | { ok: false; response: AuthResponse }> {
  const type = headers['content-type']?.split(';')[0]?.trim().toLowerCase() ?? '';
  const declared = headers['content-length'] === undefined ? null : Number(headers['content-length']);
  const tooLarge = (): { ok: false; response: AuthResponse } => ({
    ok: false,
    // NOTE: the rest of the body is not read; the connection is closed instead of drained.
    response: problem('body-too-large', `Send at most ${limit} bytes.`, { headers: { connection: 'close' } }),
  });
  if (declared !== null && Number.isFinite(declared) && declared > limit) return tooLarge();
  if (type !== '' && !MEDIA_TYPES[kind](type)) {
    return { ok: false, response: problem('unsupported-media-type', EXPECTED[kind]) };
  }
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks ?? []) {
    size += chunk.byteLength;
    if (size > limit) return tooLarge();
    parts.push(Buffer.from(chunk));
  }
  if (size === 0) return { ok: true, body: undefined };
  if (type === '') return { ok: false, response: problem('unsupported-media-type', EXPECTED[kind]) };
  const text = Buffer.concat(parts).toString('utf8');
  if (isForm(type)) return { ok: true, body: Object.fromEntries(new URLSearchParams(text)) };
  try {
    return { ok: true, body: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, response: problem('malformed-body', 'The request body is not valid JSON.') };
  }
}
