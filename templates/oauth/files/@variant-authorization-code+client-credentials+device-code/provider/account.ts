import { createHmac, randomBytes } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Accounts } from '../../../kernel/accounts.js';
import { describeDuration } from '../../../kernel/config.js';
import type { AuthStore } from '../../../kernel/store.js';
import { destroyGrant } from './adapter.js';
import { readPostedForm, type PageKit } from './forms.js';
import { findGrant, listGrants } from './grants.js';
import type { Middleware } from './interactions.js';
import { csrfField, errorPage, escapeHtml, page, sendPage } from './pages.js';
import type { ProviderSettings } from './settings.js';

/** The sign-in form's token travels in this cookie too (a signed double submit), since there is no session yet. */
const FORM_COOKIE = '_account_form';

/**
 * A person's own page at the authorization server (`/account`): the apps
 * they allowed, what each may do and until when, and a button to disconnect
 * each (its grant ends, and with it every token the app holds). A person
 * signed in at the server (during an authorization) sees it at once; anyone
 * else signs in first, through the same throttled password check.
 */
export function accountPages(deps: { provider: Provider; store: AuthStore; accounts: Accounts; kit: PageKit; settings: ProviderSettings; sessionSeconds: number }): Middleware {
  const { provider, store, accounts, kit, settings } = deps;
  const base = `${settings.mountPath}/account`;
  // A signed-in person's form token: tied to their server session, unguessable without the cookie key.
  const sessionToken = (uid: string) => createHmac('sha256', settings.cookieKeys[0]!).update(`account:${uid}`).digest('base64url');

  function signInPage(csrf: string, error: string | null): string {
    return page(
      'Your connected apps',
      `<h1>Your connected apps</h1>
<p>Sign in to see which apps you allowed, and to disconnect them.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${escapeHtml(base)}/login">
${csrfField(csrf)}
<label>Username <input name="username" autocomplete="username" required autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>`,
    );
  }

  async function grantsPage(accountId: string, csrf: string): Promise<string> {
    const grants = await listGrants(store, accountId);
    const rows: string[] = [];
    for (const grant of grants) {
      const client = await provider.Client.find(grant.clientId);
      rows.push(`<tr><td>${escapeHtml(client?.clientName ?? grant.clientId)}</td><td>${escapeHtml(grant.scopes.join(' ') || '—')}</td><td>${escapeHtml(grant.expiresAt?.slice(0, 10) ?? '—')}</td>
<td><form method="post" action="${escapeHtml(base)}/grants/${escapeHtml(grant.grantId)}/revoke">${csrfField(csrf)}<button type="submit">Disconnect</button></form></td></tr>`);
    }
    return page(
      'Your connected apps',
      `<h1>Your connected apps</h1>
<p>Signed in as <strong>${escapeHtml(accountId)}</strong>.</p>
${
  rows.length === 0
    ? '<p>No app has access to your account.</p>'
    : `<table><thead><tr><th>App</th><th>May</th><th>Until</th><th></th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>
<p>An app you disconnect loses access at once; it would have to ask you again.</p>`
}
<form method="post" action="${escapeHtml(base)}/logout">${csrfField(csrf)}<button type="submit">Sign out</button></form>`,
    );
  }

  const redirectToAccount = (ctx: KoaContextWithOIDC) => {
    ctx.set('cache-control', 'no-store');
    ctx.status = 303;
    ctx.redirect(base);
  };

  return async (ctx, next) => {
    const match = /^\/account(?:\/(login|logout)|\/grants\/([A-Za-z0-9_-]{1,64})\/revoke)?$/.exec(ctx.path);
    if (!match) return next();
    const [, action, grantId] = match;
    const session = await provider.Session.get(ctx);
    const accountId = session.accountId && (await accounts.find(session.accountId))?.disabled === false ? session.accountId : undefined;

    if (ctx.method === 'GET' && action === undefined && grantId === undefined) {
      if (accountId) return sendPage(ctx, 200, await grantsPage(accountId, sessionToken(session.uid)));
      const csrf = randomBytes(32).toString('base64url');
      ctx.cookies.set(FORM_COOKIE, csrf, { httpOnly: true, sameSite: 'strict', path: base, maxAge: 10 * 60 * 1000 });
      return sendPage(ctx, 200, signInPage(csrf, null));
    }
    if (ctx.method !== 'POST' || (action === undefined && grantId === undefined)) {
      return sendPage(ctx, 405, errorPage('Not allowed', 'This page only takes the forms it shows.'), { allow: action === undefined && grantId === undefined ? 'GET' : 'POST' });
    }

    if (action === 'login') {
      const formToken = ctx.cookies.get(FORM_COOKIE);
      const form = await readPostedForm(ctx, kit, formToken);
      if (!form.ok) return sendPage(ctx, form.status, errorPage('Form refused', form.message));
      const result = await accounts.signIn({ username: form.fields.username ?? '', password: form.fields.password ?? '', source: form.request.source });
      if (!result.ok) {
        const throttled = result.reason === 'throttled';
        const message = throttled ? `Too many failed sign-ins from here; try again in ${describeDuration(result.retryAfter)}.` : 'Wrong username or password.';
        return sendPage(ctx, throttled ? 429 : 401, signInPage(formToken!, message), throttled ? { 'retry-after': String(result.retryAfter) } : {});
      }
      // NOTE: signs the person in at the authorization server as its own sign-in page would: a new
      // session id (no fixation), the same cookie, so apps they authorize next do not ask again.
      if ((session as unknown as { new?: boolean }).new !== true) session.resetIdentifier();
      session.loginAccount({ accountId: result.account.username });
      await session.save(deps.sessionSeconds);
      ctx.cookies.set(provider.cookieName('session'), session.jti, { httpOnly: true, sameSite: 'lax', expires: new Date((session.exp ?? 0) * 1000) });
      ctx.cookies.set(FORM_COOKIE, null, { path: base });
      return redirectToAccount(ctx);
    }

    if (!accountId) return sendPage(ctx, 401, errorPage('Signed out', 'Your sign-in has ended. Open your connected apps again to sign in.'));
    const form = await readPostedForm(ctx, kit, sessionToken(session.uid));
    if (!form.ok) return sendPage(ctx, form.status, errorPage('Form refused', form.message));

    if (action === 'logout') {
      await session.destroy();
      ctx.cookies.set(provider.cookieName('session'), null);
      return redirectToAccount(ctx);
    }
    const grant = await findGrant(store, grantId!);
    // Another person's grant reads as no grant at all.
    if (!grant || grant.subject !== accountId) return sendPage(ctx, 404, errorPage('Not found', 'There is no such connection on your account.'));
    await destroyGrant(store, grant.grantId);
    return redirectToAccount(ctx);
  };
}
