import type { AuthResponse } from '../../kernel/http.js';

/**
 * The pages people see: the sign-in form and the account page. Plain strings,
 * every interpolated value escaped; no script, and the pages may not be framed
 * or post anywhere but this site.
 */
export function escapeHtml(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

const PAGE_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
};

export function page(status: number, html: string, headers: Record<string, string> = {}): AuthResponse {
  return { status, headers: { ...PAGE_HEADERS, ...headers }, body: html };
}

/** 303, so the browser follows a form post with a GET and never posts it twice. */
export function seeOther(location: string, headers: Record<string, string> = {}): AuthResponse {
  return { status: 303, headers: { location, 'cache-control': 'no-store', ...headers }, body: null };
}

function layout(title: string, content: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}label{display:block;margin:.75rem 0}input{display:block;width:100%;padding:.4rem;box-sizing:border-box}button{margin-top:.75rem;padding:.4rem 1rem}.error{color:#a00}form{margin-bottom:1.5rem}td,th{text-align:left;padding:.2rem .6rem .2rem 0}</style>
</head>
<body>
${content}
</body>
</html>
`;
}

const hidden = (csrfToken: string) => `<input type="hidden" name="_csrf" value="${escapeHtml(csrfToken)}">`;
const alert = (error: string | undefined) => (error ? `<p class="error" role="alert">${escapeHtml(error)}</p>\n` : '');

export function loginPage(action: string, csrfToken: string, error?: string): string {
  return layout(
    'Sign in',
    `<h1>Sign in</h1>
${alert(error)}<form method="post" action="${escapeHtml(action)}">
${hidden(csrfToken)}
<label>Username <input name="username" autocomplete="username" required maxlength="64"></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>`,
  );
}

export interface AccountView {
  base: string;
  subject: string;
  displayName: string;
  csrfToken: string;
  sessions: { handle: string; variant: string; name: string | null; createdAt: Date; lastSeenAt: Date; current: boolean }[];
  error?: string;
}

const when = (date: Date) => date.toISOString().slice(0, 16).replace('T', ' ');

export function accountPage(view: AccountView): string {
  const token = hidden(view.csrfToken);
  const rows = view.sessions
    .map(
      (session) =>
        `<tr><td>${escapeHtml(session.handle)}${session.current ? ' (this one)' : ''}</td><td>${escapeHtml(session.name ?? session.variant)}</td><td>${when(session.createdAt)}</td><td>${when(session.lastSeenAt)}</td></tr>`,
    )
    .join('\n');
  return layout(
    'Your account',
    `<h1>Signed in as <span id="subject">${escapeHtml(view.subject)}</span></h1>
${alert(view.error)}<form method="post" action="${escapeHtml(view.base)}/account">
${token}
<label>Display name <input name="displayName" id="displayName" value="${escapeHtml(view.displayName)}" maxlength="100" required></label>
<button type="submit">Save</button>
</form>
<form method="post" action="${escapeHtml(view.base)}/password">
${token}
<label>Current password <input name="currentPassword" type="password" autocomplete="current-password" required></label>
<label>New password <input name="newPassword" type="password" autocomplete="new-password" required minlength="8"></label>
<button type="submit">Change password (signs out everywhere else)</button>
</form>
<h2>Where you are signed in (UTC)</h2>
<table><tr><th>Session</th><th>Kind</th><th>Since</th><th>Last seen</th></tr>
${rows}
</table>
<form method="post" action="${escapeHtml(view.base)}/logout">${token}<button type="submit">Sign out</button></form>
<form method="post" action="${escapeHtml(view.base)}/logout-all">${token}<button type="submit">Sign out everywhere</button></form>`,
  );
}

export function messagePage(title: string, text: string, link: { href: string; label: string }): string {
  return layout(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(text)}</p>\n<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>`);
}
