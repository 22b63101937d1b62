// The demo's HTML: a sign-in form and a profile form. Plain strings, no template engine, every
// interpolated value escaped.

export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

// Forms may only post to this site; the pages cannot be framed (clickjacking) and run no script.
export const htmlHeaders: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
};

function layout(title: string, content: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}label{display:block;margin:.75rem 0}input{display:block;width:100%;padding:.4rem}button{margin-top:.75rem;padding:.4rem 1rem}.error{color:#a00}</style>
</head>
<body>
${content}
</body>
</html>
`;
}

export function loginPage(csrfToken: string, error?: string): string {
  const message = error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : '';
  return layout(
    'Sign in',
    `<h1>Sign in</h1>
${message}<form method="post" action="/login">
<input type="hidden" name="_csrf" value="${escapeHtml(csrfToken)}">
<label>Username <input name="username" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>`,
  );
}

export function profilePage(subject: string, displayName: string, csrfToken: string, notice?: string): string {
  const token = escapeHtml(csrfToken);
  const message = notice ? `<p role="status">${escapeHtml(notice)}</p>` : '';
  return layout(
    'Profile',
    `<h1>Signed in as <span id="subject">${escapeHtml(subject)}</span></h1>
${message}<form method="post" action="/profile">
<input type="hidden" name="_csrf" value="${token}">
<label>Display name <input name="displayName" id="displayName" value="${escapeHtml(displayName)}" maxlength="100"></label>
<button type="submit">Save</button>
</form>
<form method="post" action="/logout"><input type="hidden" name="_csrf" value="${token}"><button type="submit">Sign out</button></form>
<form method="post" action="/logout-all"><input type="hidden" name="_csrf" value="${token}"><button type="submit">Sign out everywhere</button></form>`,
  );
}

export function errorPage(title: string, text: string): string {
  return layout(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(text)}</p>\n<p><a href="/login">Sign in</a></p>`);
}
