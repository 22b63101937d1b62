import { headerValue } from './cookies.js';
import { formMediaType, mediaType } from './csrf.js';
import { profilePage } from './pages.js';
import { html, json, redirect } from './replies.js';
import type { HttpReply } from './replies.js';
import type { AuthRequest, SessionAuth } from './sessions.js';
import type { AuthStore } from './store.js';

// The demo's CSRF-protected form: GET /profile shows it, POST /profile changes the display name.
// It stands for any state-changing page of the app behind the session.

const maxDisplayNameLength = 100;

export function createProfileRoutes(auth: SessionAuth, store: AuthStore) {
  async function show(request: AuthRequest): Promise<HttpReply> {
    // GET only reads: whatever its query string says, nothing is written here.
    const check = await auth.identify(request);
    if (!check.ok) return redirect('/login');
    return html(200, profilePage(check.principal.subject, check.principal.displayName, check.session.csrfToken));
  }

  async function update(request: AuthRequest): Promise<HttpReply> {
    const check = await auth.guard(request);
    if (!check.ok) return check;
    const body = request.body as Record<string, unknown> | undefined;
    const displayName = typeof body?.displayName === 'string' ? body.displayName.trim() : undefined;
    if (displayName === undefined || [...displayName].length > maxDisplayNameLength) {
      return json(400, { error: 'invalid_request', message: `displayName must be text of at most ${maxDisplayNameLength} characters.` });
    }
    await store.updateUser(check.session.userId, { displayName });
    const asForm = mediaType(headerValue(request.headers['content-type'])) === formMediaType;
    return asForm ? redirect('/profile') : json(200, { subject: check.principal.subject, displayName });
  }

  return { show, update };
}
