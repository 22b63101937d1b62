import type { KoaContextWithOIDC } from 'oidc-provider';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** Headers of every page a person sees: never cached, never framed, no resource from anywhere else. */
export const PAGE_HEADERS: Record<string, string> = {
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  // NOTE: not no-referrer: under it Chromium sends `Origin: null` on form posts, which the origin check refuses.
  'referrer-policy': 'same-origin',
};

/** A whole HTML page; `body` is markup the caller has escaped. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;line-height:1.4}label,input,button{display:block;margin:.4rem 0}input{width:100%;box-sizing:border-box;padding:.4rem}button{padding:.4rem 1rem}.error{color:#b00020}table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3rem .4rem;border-bottom:1px solid #ddd;vertical-align:top}</style>
</head><body>
${body}
</body></html>`;
}

/** Answers with a page and its headers. */
export function sendPage(ctx: KoaContextWithOIDC, status: number, html: string, headers: Record<string, string> = {}): void {
  for (const [name, value] of Object.entries({ ...PAGE_HEADERS, ...headers })) ctx.set(name, value);
  ctx.status = status;
  ctx.type = 'html';
  ctx.body = html;
}

/** A page that says what went wrong and what to do; the details stay in the server log. */
export function errorPage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>`);
}

/** A hidden field carrying the form's synchronizer token. */
export const csrfField = (token: string): string => `<input type="hidden" name="_csrf" value="${escapeHtml(token)}">`;
