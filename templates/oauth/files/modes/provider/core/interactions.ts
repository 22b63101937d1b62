import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { verifyAccountPassword } from './accounts.js';
import type { OAuthStore } from './store.js';

/** Koa middleware, the shape oidc-provider's `use()` takes. */
type Middleware = (ctx: KoaContextWithOIDC, next: () => Promise<unknown>) => Promise<unknown>;

const CSRF_MODEL = 'InteractionCsrf';
const MAX_FORM_BYTES = 8 * 1024;

/** Words shown on the consent page for each scope; unknown scopes show their name. */
const SCOPE_DESCRIPTIONS: Record<string, string> = {
  openid: 'know who you are on this platform',
  offline_access: 'keep access while you are away',
  read: 'read your data',
  write: 'change your data',
  admin: 'administer your account',
};

/**
 * Our own login and consent pages, replacing oidc-provider's development
 * interactions. Every form carries a per-interaction synchronizer token kept
 * server-side, and a post from another site is refused by its Origin /
 * Sec-Fetch-Site headers; the interaction cookie itself is SameSite=Lax.
 */
export function interactionRoutes(input: { provider: Provider; store: OAuthStore; mountPath: string }): Middleware {
  const { provider, store, mountPath } = input;
  const issuerOrigin = new URL(provider.issuer).origin;

  return async (ctx, next) => {
    const match = /^\/interaction\/([A-Za-z0-9_-]{1,64})(?:\/(login|confirm|abort))?$/.exec(ctx.path);
    if (!match) return next();
    const [, uid, action] = match;
    ctx.set('Cache-Control', 'no-store');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    // NOTE: not no-referrer: under it Chromium sends `Origin: null` on form posts, which the origin check refuses.
    ctx.set('Referrer-Policy', 'same-origin');

    // interactionDetails checks the interaction cookie: a uid without its cookie is refused.
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.uid !== uid) fail(400, 'This sign-in link belongs to another browser session.');

    if (ctx.method === 'GET' && action === undefined) {
      const csrf = randomBytes(32).toString('base64url');
      await store.upsert(CSRF_MODEL, uid, { token: csrf }, (details.exp ?? Math.floor(Date.now() / 1000) + 600) * 1000);
      const client = await provider.Client.find(String(details.params.client_id));
      const clientName = client?.clientName ?? String(details.params.client_id);
      ctx.type = 'html';
      ctx.body =
        details.prompt.name === 'login'
          ? loginPage({ action: `${mountPath}/interaction/${uid}/login`, csrf, clientName, error: null })
          : consentPage({ uid, mountPath, csrf, clientName, scopes: requestedScopes(details.prompt.details) });
      return;
    }

    if (ctx.method !== 'POST' || action === undefined) fail(405, 'Method not allowed.');
    if (!sameOrigin(ctx.req, issuerOrigin)) fail(403, 'Cross-site form posts are refused.');
    const form = await readForm(ctx.req);
    const stored = await store.find(CSRF_MODEL, uid);
    if (!stored || !tokensEqual(String(stored.token), form.get('csrf') ?? '')) fail(403, 'The form expired or was not ours; go back and try again.');

    if (action === 'abort') {
      await store.destroy(CSRF_MODEL, uid);
      return provider.interactionFinished(ctx.req, ctx.res, { error: 'access_denied', error_description: 'The person refused.' }, { mergeWithLastSubmission: false });
    }

    if (action === 'login') {
      if (details.prompt.name !== 'login') fail(400, 'Already signed in.');
      const account = await verifyAccountPassword(store, form.get('username') ?? '', form.get('password') ?? '');
      if (!account) {
        const client = await provider.Client.find(String(details.params.client_id));
        ctx.status = 401;
        ctx.type = 'html';
        ctx.body = loginPage({
          action: `${mountPath}/interaction/${uid}/login`,
          csrf: String(stored!.token),
          clientName: client?.clientName ?? String(details.params.client_id),
          error: 'Wrong username or password.',
        });
        return;
      }
      await store.destroy(CSRF_MODEL, uid);
      // interactionFinished answers 303 See Other, so the browser follows with a GET (RFC 9700 §4.12).
      return provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: account.subject } }, { mergeWithLastSubmission: false });
    }

    // action === 'confirm'
    if (details.prompt.name !== 'consent') fail(400, 'Nothing to consent to.');
    const { accountId } = details.session ?? {};
    if (!accountId) fail(400, 'Not signed in.');
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    if (!grant) fail(400, 'The grant is gone; start again.');
    const missing = details.prompt.details as PromptDetails;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    await store.destroy(CSRF_MODEL, uid);
    return provider.interactionFinished(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  };
}

interface PromptDetails {
  missingOIDCScope?: string[];
  missingOIDCClaims?: string[];
  missingResourceScopes?: Record<string, string[]>;
}

/** An HTTP error Koa shows with its message (oidc-provider renders it through renderError). */
function fail(status: number, message: string): never {
  throw Object.assign(new Error(message), { status, statusCode: status, expose: true });
}

function requestedScopes(details: unknown): string[] {
  const missing = details as PromptDetails;
  return [...new Set([...(missing.missingOIDCScope ?? []), ...Object.values(missing.missingResourceScopes ?? {}).flat()])];
}

/** Browsers send Origin on form posts and Sec-Fetch-Site on every request; both must say "this site". */
function sameOrigin(req: IncomingMessage, issuerOrigin: string): boolean {
  const fetchSite = req.headers['sec-fetch-site'];
  if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') return false;
  const origin = req.headers.origin;
  return origin === undefined || origin === issuerOrigin;
}

function tokensEqual(expected: string, actual: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(actual);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return new URLSearchParams();
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw Object.assign(new Error('form too large'), { status: 413, expose: true });
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:26rem;margin:3rem auto;padding:0 1rem}label,input,button{display:block;margin:.4rem 0}</style>
</head><body>${body}</body></html>`;
}

function loginPage(input: { action: string; csrf: string; clientName: string; error: string | null }): string {
  return page(
    'Sign in',
    `<h1>Sign in</h1>
<p>${escapeHtml(input.clientName)} asks you to sign in.</p>
${input.error ? `<p role="alert">${escapeHtml(input.error)}</p>` : ''}
<form method="post" action="${escapeHtml(input.action)}">
<input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}">
<label>Username <input name="username" autocomplete="username" required autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>`,
  );
}

function consentPage(input: { uid: string; mountPath: string; csrf: string; clientName: string; scopes: string[] }): string {
  const base = `${input.mountPath}/interaction/${input.uid}`;
  const items = input.scopes.map((scope) => `<li><code>${escapeHtml(scope)}</code>: ${escapeHtml(SCOPE_DESCRIPTIONS[scope] ?? scope)}</li>`).join('');
  return page(
    'Allow access?',
    `<h1>Allow access?</h1>
<p><strong>${escapeHtml(input.clientName)}</strong> wants to:</p>
<ul>${items}</ul>
<form method="post" action="${escapeHtml(base)}/confirm">
<input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}">
<button type="submit">Allow</button>
</form>
<form method="post" action="${escapeHtml(base)}/abort">
<input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}">
<button type="submit">Deny</button>
</form>`,
  );
}
