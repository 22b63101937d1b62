import type { KoaContextWithOIDC } from 'oidc-provider';
import { readBody } from '../../../kernel/body.js';
import { csrfRefusal } from '../../../kernel/csrf.js';
import { headersOf, type AuthRequest } from '../../../kernel/http.js';
import type { MethodSetup } from '../../../kernel/method.js';

/** What the server's pages take from the kernel: its view of a request, its trusted origins, its body limit. */
export interface PageKit {
  requestOf: MethodSetup['requestOf'];
  trustedOrigins: readonly string[];
  bodyLimit: number;
}

export type PostedForm = { ok: true; request: AuthRequest; fields: Record<string, string> } | { ok: false; status: number; message: string };

/**
 * A form post to one of the server's pages, read the kernel's way (bounded,
 * url-encoded only) and checked against cross-site request forgery: Fetch
 * Metadata and Origin must say "this site", and the page's synchronizer token
 * must come back in `_csrf`.
 */
export async function readPostedForm(ctx: KoaContextWithOIDC, kit: PageKit, expectedToken: string | undefined): Promise<PostedForm> {
  const read = await readBody(ctx.req, headersOf(ctx.req), 'form', kit.bodyLimit);
  if (!read.ok) {
    const detail = (read.response.body as { detail?: string }).detail ?? 'The form could not be read.';
    return { ok: false, status: read.response.status, message: detail };
  }
  const fields = (read.body ?? {}) as Record<string, string>;
  const request = kit.requestOf(ctx.req, { url: ctx.originalUrl, body: fields });
  const refusal = csrfRefusal(request, { trustedOrigins: kit.trustedOrigins, expectedToken });
  if (refusal) return { ok: false, status: refusal.response.status, message: 'This form did not come from this page, or it has expired. Go back, reload the page and try again.' };
  return { ok: true, request, fields };
}
