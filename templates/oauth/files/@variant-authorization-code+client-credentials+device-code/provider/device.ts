import { createHash } from 'node:crypto';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Clock } from '../../../kernel/clock.js';
import { describeDuration } from '../../../kernel/config.js';
import type { AuthStore } from '../../../kernel/store.js';
import type { Throttle } from '../../../kernel/throttle.js';
import { DEVICE_CODE_GRANT } from './clients.js';
import type { PageKit } from './forms.js';
import type { Middleware } from './interactions.js';
import { errorPage, escapeHtml, page, sendPage } from './pages.js';

const POLL_KIND = 'oauth:DevicePoll';
/** RFC 8628 §3.5: each `slow_down` adds five seconds to the interval a device must keep. */
const SLOW_DOWN_STEP = 5;
const digest = (value: string) => createHash('sha256').update(value).digest('base64url');

/** Errors oidc-provider reports for a user code that was typed but matches no live request: guesses count against the address. */
const GUESSES = new Set(['NotFoundError', 'ExpiredError', 'AlreadyUsedError']);

interface DevicePages {
  userCodeInputSource(ctx: KoaContextWithOIDC, form: string, out?: unknown, error?: unknown): Promise<void>;
  userCodeConfirmSource(ctx: KoaContextWithOIDC, form: string, client: { clientName?: string; clientId: string }, deviceInfo: unknown, userCode: string): Promise<void>;
  successSource(ctx: KoaContextWithOIDC): Promise<void>;
}

/**
 * The device flow's pages (RFC 8628): where a person types the code their
 * device shows, confirms it, and is told they may go back to the device.
 * Wrong codes count against the address they come from (the kernel's
 * throttle); past its limit the page answers 429 until the window ends.
 */
export function devicePages(deps: { throttle: Throttle; kit: PageKit; mountPath: string }): DevicePages {
  const { throttle, kit } = deps;
  const sourceOf = (ctx: KoaContextWithOIDC) => kit.requestOf(ctx.req, { url: ctx.originalUrl }).source;

  const inputPage = (form: string, message: string | null) =>
    page(
      'Connect a device',
      `<h1>Connect a device</h1>
<p>Type the code your device shows.</p>
${message ? `<p class="error" role="alert">${escapeHtml(message)}</p>` : ''}
${form}
<button type="submit" form="op.deviceInputForm">Continue</button>`,
    );

  return {
    async userCodeInputSource(ctx, form, _out, error) {
      const name = (error as { name?: string } | undefined)?.name;
      if (name !== undefined && GUESSES.has(name)) {
        const verdict = await throttle.failed({ source: sourceOf(ctx) });
        if (!verdict.allowed) {
          return sendPage(ctx, 429, errorPage('Too many wrong codes', `Too many wrong codes from here; try again in ${describeDuration(verdict.retryAfter)}.`), {
            'retry-after': String(verdict.retryAfter),
          });
        }
        return sendPage(ctx, 400, inputPage(form, 'That code is wrong or has expired. Check your device and try again.'));
      }
      if (name === 'AbortedError') return sendPage(ctx, 200, inputPage(form, 'The sign-in was cancelled. Start again on your device.'));
      if (name !== undefined && name !== 'NoCodeError') return sendPage(ctx, 400, inputPage(form, 'Something went wrong with that code; start again on your device.'));
      return sendPage(ctx, 200, inputPage(form, name === 'NoCodeError' ? 'Type the code first.' : null));
    },

    async userCodeConfirmSource(ctx, form, client, _deviceInfo, userCode) {
      sendPage(
        ctx,
        200,
        page(
          'Connect this device?',
          `<h1>Connect this device?</h1>
<p><strong>${escapeHtml(client.clientName ?? client.clientId)}</strong> asks to connect.</p>
<p>Your device should show <code>${escapeHtml(userCode)}</code>. If it does not, or you did not start this, cancel.</p>
${form}
<button type="submit" form="op.deviceConfirmForm">Continue</button>
<button type="submit" form="op.deviceConfirmForm" name="abort" value="yes">Cancel</button>`,
        ),
      );
    },

    async successSource(ctx) {
      sendPage(ctx, 200, page('Device connected', '<h1>Device connected</h1>\n<p>You can go back to your device and close this page.</p>'));
    },
  };
}

/** Before the code page takes a code: an address past its limit of wrong codes waits. */
export function deviceCodeThrottle(deps: { throttle: Throttle; kit: PageKit }): Middleware {
  return async (ctx, next) => {
    if (ctx.method !== 'POST' || ctx.path !== '/device') return next();
    const verdict = await deps.throttle.check({ source: deps.kit.requestOf(ctx.req, { url: ctx.originalUrl }).source });
    if (!verdict.allowed) {
      return sendPage(ctx, 429, errorPage('Too many wrong codes', `Too many wrong codes from here; try again in ${describeDuration(verdict.retryAfter)}.`), {
        'retry-after': String(verdict.retryAfter),
      });
    }
    return next();
  };
}

/**
 * The polling interval of the device flow, from the policy: the device
 * authorization response names it, and a device polling the token endpoint
 * faster gets `slow_down` (and five more seconds to wait), as RFC 8628 §3.5
 * says. oidc-provider leaves both to the deployment.
 */
export function devicePolling(deps: { store: AuthStore; clock: Clock; interval: number }): Middleware {
  const { store, clock } = deps;
  return async (ctx, next) => {
    await next();
    if (ctx.method !== 'POST') return;
    const body = ctx.body as Record<string, unknown> | undefined;
    if (ctx.path === '/device/auth' && ctx.status === 200 && typeof body?.device_code === 'string') {
      body.interval = deps.interval;
      const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : 600;
      await store.upsert(POLL_KIND, digest(body.device_code), { interval: deps.interval, last: 0 }, { expiresAt: new Date(Date.now() + expiresIn * 1000) });
      return;
    }
    const params = ctx.oidc?.params as Record<string, unknown> | undefined;
    if (ctx.path !== '/token' || params?.grant_type !== DEVICE_CODE_GRANT || typeof params.device_code !== 'string') return;
    if (ctx.status !== 400 || body?.error !== 'authorization_pending') return;
    const id = digest(params.device_code);
    const record = await store.find(POLL_KIND, id);
    if (!record) return;
    const now = clock.now().getTime();
    const interval = Number(record.value.interval);
    const tooSoon = now - Number(record.value.last) < interval * 1000;
    const required = tooSoon ? interval + SLOW_DOWN_STEP : interval;
    await store.upsert(POLL_KIND, id, { interval: required, last: now }, { expiresAt: record.expiresAt });
    if (tooSoon) {
      ctx.body = { error: 'slow_down', error_description: `Poll at most every ${required} seconds.` };
    }
  };
}
