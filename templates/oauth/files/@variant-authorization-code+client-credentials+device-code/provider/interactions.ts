import { randomBytes } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { InteractionResults, KoaContextWithOIDC } from 'oidc-provider';
import type { Accounts } from '../../../kernel/accounts.js';
import { describeDuration } from '../../../kernel/config.js';
import type { AuthStore } from '../../../kernel/store.js';
import { readPostedForm, type PageKit } from './forms.js';
import { csrfField, errorPage, escapeHtml, page, sendPage } from './pages.js';
import type { ProviderSettings } from './settings.js';
import type { TokenLedger } from './token-status.js';

/** Koa middleware, the shape oidc-provider's `use()` takes. */
export type Middleware = (ctx: KoaContextWithOIDC, next: () => Promise<unknown>) => Promise<unknown>;

const CSRF_KIND = 'oauth:InteractionCsrf';

/** Words for the consent page; a scope without words shows its name. */
const SCOPE_WORDS: Record<string, string> = {
  openid: 'know who you are on this platform',
  offline_access: 'keep access while you are away',
  read: 'read your data',
  write: 'change your data',
  admin: 'administer your account',
};

interface MissingScopes {
  missingOIDCScope?: string[];
  missingResourceScopes?: Record<string, string[]>;
}

/** Answers with 303 See Other to where the authorization continues (RFC 9700 §4.12: never 307 after a credential post). */
async function finish(ctx: KoaContextWithOIDC, provider: Provider, result: InteractionResults, merge: boolean): Promise<void> {
  const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: merge });
  ctx.set('cache-control', 'no-store');
  ctx.status = 303;
  ctx.redirect(returnTo);
}

/** Of the API scopes asked for, what this person may hand over (their account's scopes) and what not. */
export function splitByAccount(requested: readonly string[], held: readonly string[]): { granted: string[]; refused: string[] } {
  return { granted: requested.filter((scope) => held.includes(scope)), refused: requested.filter((scope) => !held.includes(scope)) };
}

/** The part of a grant this package's consent decides on: OIDC scopes, and the API's scopes for its one audience. */
interface ConsentableGrant {
  addOIDCScope(scope: string): void;
  rejectOIDCScope(scope: string): void;
  addResourceScope(indicator: string, scope: string): void;
  rejectResourceScope(indicator: string, scope: string): void;
}

/**
 * Records a person's decision on a grant: openid and offline_access as asked;
 * the API's scopes only as far as their account holds them, the rest refused
 * (refused, not left missing, so they are not asked again). oidc-provider
 * counts the API's scopes among its OIDC scopes too (a client's registered
 * scopes must be among them), so they are decided on in both places.
 */
export function decideGrant(grant: ConsentableGrant, input: { oidcScopes: readonly string[]; resourceScopes: Record<string, readonly string[]>; apiScopes: readonly string[]; held: readonly string[] }): void {
  const api = (scope: string) => input.apiScopes.includes(scope);
  const oidc = splitByAccount(input.oidcScopes.filter(api), input.held);
  const standard = input.oidcScopes.filter((scope) => !api(scope));
  if (standard.length + oidc.granted.length > 0) grant.addOIDCScope([...standard, ...oidc.granted].join(' '));
  if (oidc.refused.length > 0) grant.rejectOIDCScope(oidc.refused.join(' '));
  for (const [indicator, scopes] of Object.entries(input.resourceScopes)) {
    const { granted, refused } = splitByAccount(scopes.filter(api), input.held);
    if (granted.length > 0) grant.addResourceScope(indicator, granted.join(' '));
    if (refused.length > 0) grant.rejectResourceScope(indicator, refused.join(' '));
  }
}

/**
 * Our own sign-in and consent pages, in place of oidc-provider's development
 * ones. Passwords are checked by the kernel's accounts, so the throttle
 * applies (back-off per account and address, a cap per address, no lock-out
 * from elsewhere); every form carries a synchronizer token and cross-site
 * posts are refused; each successful post answers 303.
 */
export function interactionPages(deps: { provider: Provider; store: AuthStore; accounts: Accounts; kit: PageKit; settings: ProviderSettings; ledger: TokenLedger }): Middleware {
  const { provider, store, accounts, kit, settings } = deps;
  const base = (uid: string) => `${settings.mountPath}/interaction/${uid}`;

  function loginPage(uid: string, csrf: string, clientName: string, error: string | null): string {
    return page(
      'Sign in',
      `<h1>Sign in</h1>
<p>${escapeHtml(clientName)} asks you to sign in.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${escapeHtml(base(uid))}/login">
${csrfField(csrf)}
<label>Username <input name="username" autocomplete="username" required autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>`,
    );
  }

  function consentPage(uid: string, csrf: string, clientName: string, scopes: { granted: string[]; refused: string[] }, refreshes: boolean): string {
    const items = scopes.granted.map((scope) => `<li><code>${escapeHtml(scope)}</code>: ${escapeHtml(SCOPE_WORDS[scope] ?? scope)}</li>`).join('\n');
    const refused =
      scopes.refused.length === 0 ? '' : `<p>It also asked for ${scopes.refused.map((scope) => `<code>${escapeHtml(scope)}</code>`).join(', ')}, which your account does not hold; it will not get that.</p>`;
    const lifetime = refreshes
      ? `<p>It stays connected for up to ${escapeHtml(describeDuration(settings.lifetimes.refreshAbsolute))} while it is used; you can disconnect it at any time from <a href="${escapeHtml(settings.mountPath)}/account">your connected apps</a>.</p>`
      : '';
    return page(
      'Allow access?',
      `<h1>Allow access?</h1>
<p><strong>${escapeHtml(clientName)}</strong> wants to:</p>
<ul>
${items || '<li>know that you signed in</li>'}
</ul>
${refused}
${lifetime}
<form method="post" action="${escapeHtml(base(uid))}/confirm">
${csrfField(csrf)}
<button type="submit">Allow</button>
</form>
<form method="post" action="${escapeHtml(base(uid))}/abort">
${csrfField(csrf)}
<button type="submit">Deny</button>
</form>`,
    );
  }

  async function heldScopes(accountId: string | undefined): Promise<string[]> {
    const account = accountId ? await accounts.find(accountId) : null;
    return account && !account.disabled ? account.scopes : [];
  }

  return async (ctx, next) => {
    const match = /^\/interaction\/([A-Za-z0-9_-]{1,64})(?:\/(login|confirm|abort))?$/.exec(ctx.path);
    if (!match) return next();
    const [, uid, action] = match as unknown as [string, string, 'login' | 'confirm' | 'abort' | undefined];

    let details: Awaited<ReturnType<Provider['interactionDetails']>>;
    try {
      // Checks the interaction cookie: a uid without the browser's cookie is refused.
      details = await provider.interactionDetails(ctx.req, ctx.res);
    } catch {
      return sendPage(ctx, 400, errorPage('Sign-in expired', 'This sign-in has expired or was started in another browser. Go back to the application and start again.'));
    }
    if (details.uid !== uid) return sendPage(ctx, 400, errorPage('Sign-in expired', 'This sign-in link belongs to another sign-in. Go back to the application and start again.'));
    const client = await provider.Client.find(String(details.params.client_id));
    const clientName = client?.clientName ?? String(details.params.client_id);
    const missing = details.prompt.details as MissingScopes;
    const requestedApiScopes = [...new Set([...(missing.missingOIDCScope ?? []), ...Object.values(missing.missingResourceScopes ?? {}).flat()])].filter((scope) =>
      settings.scopes.includes(scope),
    );

    if (ctx.method === 'GET' && action === undefined) {
      const csrf = randomBytes(32).toString('base64url');
      await store.upsert(CSRF_KIND, uid, { token: csrf }, { expiresAt: new Date((details.exp ?? Math.floor(Date.now() / 1000) + 600) * 1000) });
      if (details.prompt.name === 'login') return sendPage(ctx, 200, loginPage(uid, csrf, clientName, null));
      const scopes = splitByAccount(requestedApiScopes, await heldScopes(details.session?.accountId));
      return sendPage(ctx, 200, consentPage(uid, csrf, clientName, scopes, client?.grantTypeAllowed('refresh_token') === true));
    }
    if (ctx.method !== 'POST' || action === undefined) {
      return sendPage(ctx, 405, errorPage('Not allowed', 'This page only takes the form it shows.'), { allow: action === undefined ? 'GET' : 'POST' });
    }

    const stored = await store.find(CSRF_KIND, uid);
    const form = await readPostedForm(ctx, kit, typeof stored?.value.token === 'string' ? stored.value.token : undefined);
    if (!form.ok) return sendPage(ctx, form.status, errorPage('Form refused', form.message));

    if (action === 'abort') {
      await store.destroy(CSRF_KIND, uid);
      return finish(ctx, provider, { error: 'access_denied', error_description: 'The person declined.' }, false);
    }

    if (action === 'login') {
      if (details.prompt.name !== 'login') return sendPage(ctx, 400, errorPage('Already signed in', 'Go back to the application and start again.'));
      const result = await accounts.signIn({ username: form.fields.username ?? '', password: form.fields.password ?? '', source: form.request.source });
      if (!result.ok && result.reason === 'throttled') {
        return sendPage(ctx, 429, loginPage(uid, String(stored!.value.token), clientName, `Too many failed sign-ins from here; try again in ${describeDuration(result.retryAfter)}.`), {
          'retry-after': String(result.retryAfter),
        });
      }
      if (!result.ok) return sendPage(ctx, 401, loginPage(uid, String(stored!.value.token), clientName, 'Wrong username or password.'));
      await store.destroy(CSRF_KIND, uid);
      return finish(ctx, provider, { login: { accountId: result.account.username } }, false);
    }

    // action === 'confirm'
    if (details.prompt.name !== 'consent') return sendPage(ctx, 400, errorPage('Nothing to allow', 'Go back to the application and start again.'));
    const accountId = details.session?.accountId;
    if (!accountId) return sendPage(ctx, 400, errorPage('Not signed in', 'Go back to the application and start again.'));
    const grant = (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ?? new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    decideGrant(grant, {
      oidcScopes: missing.missingOIDCScope ?? [],
      resourceScopes: missing.missingResourceScopes ?? {},
      apiScopes: settings.scopes,
      held: await heldScopes(accountId),
    });
    const grantId = await grant.save();
    await deps.ledger.bindGrant({ grantId, accountId, exp: grant.exp });
    await store.destroy(CSRF_KIND, uid);
    return finish(ctx, provider, { consent: { grantId } }, true);
  };
}
