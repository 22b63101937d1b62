import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { POLICY } from '../../../policy.js';
import { absolute, Browser, csrfOf, PASSWORD, startProviderServer, timeTravel, type ProviderServer, type TestClient } from './server-harness.js';

/*
 * The device flow (RFC 8628) over real HTTP, start to end: the device asks
 * for a code, a person types it at the verification page in a browser, signs
 * in and approves, and the device, polling, gets its token; the API's
 * /devices boundary checks it. The real oidc-provider on this project's stack
 * and store; time moves with a controllable clock, never by waiting.
 */
const policy = POLICY.oauth['device-code'];

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });
const { travel, restore } = timeTravel(vi);
afterEach(restore);

interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

interface TokenAnswer {
  access_token?: string;
  token_type?: string;
  expires_in?: number;
  error?: string;
}

/** The named form of a page: where it posts and its hidden fields. */
function formOf(html: string, id: string, base: string): { action: string; fields: Record<string, string> } {
  const start = html.indexOf(`id="${id}"`);
  if (start < 0) throw new Error(`no form ${id} in the page:\n${html.slice(0, 600)}`);
  const open = html.lastIndexOf('<form', start);
  const close = html.indexOf('</form>', start);
  const form = html.slice(open, close);
  const action = /action="([^"]*)"/.exec(form)?.[1] ?? base;
  const fields: Record<string, string> = {};
  for (const input of form.match(/<input[^>]*>/g) ?? []) {
    if (!/type="hidden"/.test(input)) continue;
    const name = /name="([^"]+)"/.exec(input)?.[1];
    if (name) fields[name] = /value="([^"]*)"/.exec(input)?.[1] ?? '';
  }
  return { action: absolute(base, action), fields };
}

describe('the device flow (RFC 8628)', () => {
  let server: ProviderServer;
  let device: TestClient;
  let origin: string;

  beforeAll(async () => {
    server = await startProviderServer({ variants: ['device-code'] });
    await server.addPerson('alice', ['read', 'write']);
    device = await server.addClient({ type: 'device', name: 'Living-room TV', publicClient: true, scopes: ['read', 'write'] });
    origin = new URL(server.issuer).origin;
  });
  afterAll(async () => {
    await server?.close();
  });

  const begin = async (scope = 'read'): Promise<DeviceAuthorization> => {
    const response = await server.post('/device/auth', { client_id: device.clientId, scope });
    expect(response.status).toBe(200);
    return (await response.json()) as DeviceAuthorization;
  };
  const poll = async (deviceCode: string) =>
    (await (await server.post('/token', { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: deviceCode, client_id: device.clientId })).json()) as TokenAnswer;

  /** A person types the code at the verification page, signs in if asked, and approves (or cancels) at each step. */
  async function enterCode(userCode: string, options: { browser?: Browser; cancel?: boolean } = {}): Promise<{ status: number; html: string }> {
    const browser = options.browser ?? new Browser();
    const page = `${server.issuer}/device`;
    const input = await browser.fetch(page);
    expect(input.status).toBe(200);
    const entry = formOf(await input.text(), 'op.deviceInputForm', page);
    let response = await browser.postForm(entry.action, { ...entry.fields, user_code: userCode }, origin);
    let html = await response.text();
    if (response.status !== 200 || !html.includes('op.deviceConfirmForm')) return { status: response.status, html };
    const confirm = formOf(html, 'op.deviceConfirmForm', page);
    response = await browser.postForm(confirm.action, { ...confirm.fields, ...(options.cancel ? { abort: 'yes' } : {}) }, origin);
    let at = confirm.action;
    for (let hop = 0; hop < 12; hop++) {
      if (response.status >= 300 && response.status < 400) {
        at = absolute(at, response.headers.get('location'));
        response = await browser.fetch(at);
        continue;
      }
      html = await response.text();
      if (response.status !== 200 || !html.includes('name="_csrf"')) return { status: response.status, html };
      const fields = html.includes('name="password"') ? { _csrf: csrfOf(html), username: 'alice', password: PASSWORD } : { _csrf: csrfOf(html) };
      response = await browser.postForm(`${at}/${html.includes('name="password"') ? 'login' : 'confirm'}`, fields, origin);
      expect(response.status).toBe(303);
      at = `${at}/`;
    }
    throw new Error('the device pages did not come to an end');
  }

  it('device authorization → code entered and approved at the verification page → token; the API accepts it', async () => {
    const started = await begin('read');
    expect(started.verification_uri).toBe(`${server.issuer}/device`);
    expect(started.interval).toBe(policy.pollingInterval.default);
    expect(started.expires_in).toBe(policy.deviceCode.default);
    expect(started.user_code).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);

    expect((await poll(started.device_code)).error).toBe('authorization_pending');
    const done = await enterCode(started.user_code);
    expect(done.status).toBe(200);
    expect(done.html).toContain('Device connected');

    travel(server, started.interval);
    const answer = await poll(started.device_code);
    expect(answer.error).toBeUndefined();
    expect(answer.token_type?.toLowerCase()).toBe('bearer');
    expect(answer.expires_in).toBe(policy.accessToken.default);
    const reply = await server.get('/devices/me', { authorization: `Bearer ${answer.access_token}` });
    expect(reply.status).toBe(200);
    expect(await reply.json()).toMatchObject({ subject: 'alice', kind: 'person', method: 'oauth', variant: 'device-code', client: device.clientId, scopes: ['read'] });

    // The device code is spent: asking again gives nothing.
    travel(server, started.interval);
    expect((await poll(started.device_code)).error).toBe('invalid_grant');
  });

  it(`polling faster than every ${policy.pollingInterval.default} s → slow_down, and the interval grows by five seconds`, async () => {
    const started = await begin();
    expect((await poll(started.device_code)).error).toBe('authorization_pending');
    expect((await poll(started.device_code)).error).toBe('slow_down');
    // Now the device must wait interval + 5 seconds; polling after only the interval slows it down again (+5 more).
    travel(server, started.interval);
    expect((await poll(started.device_code)).error).toBe('slow_down');
    travel(server, started.interval + 10);
    expect((await poll(started.device_code)).error).toBe('authorization_pending');
    // Keeping the interval now reached is enough.
    travel(server, started.interval + 10);
    expect((await poll(started.device_code)).error).toBe('authorization_pending');
  });

  it('cancel at the confirmation page → the device gets access_denied', async () => {
    const started = await begin();
    await enterCode(started.user_code, { cancel: true });
    travel(server, started.interval);
    expect((await poll(started.device_code)).error).toBe('access_denied');
  });

  it(`a device code not used within ${policy.deviceCode.default} s → expired_token; its user code no longer works`, async () => {
    const started = await begin();
    travel(server, policy.deviceCode.default + 1);
    expect((await poll(started.device_code)).error).toBe('expired_token');
    const typed = await enterCode(started.user_code);
    expect(typed.status).toBe(400);
  });

  it('wrong user codes from one address → 400, then 429 with Retry-After; another address still gets in', async () => {
    const browser = new Browser();
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let attempt = 0; attempt < 40 && retryAfter === null; attempt++) {
      const page = `${server.issuer}/device`;
      const input = await browser.fetch(page);
      if (input.status === 429) {
        retryAfter = input.headers.get('retry-after');
        statuses.push(429);
        break;
      }
      const entry = formOf(await input.text(), 'op.deviceInputForm', page);
      const response = await browser.postForm(entry.action, { ...entry.fields, user_code: 'BCDF-GHJK' }, origin);
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get('retry-after');
    }
    expect(statuses[0]).toBe(400);
    expect(statuses.at(-1)).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);

    const started = await begin();
    const done = await enterCode(started.user_code);
    expect(done.html).toContain('Device connected');
  });

  it('a device (a public client, no secret) cannot ask for service tokens', async () => {
    const response = await server.post('/token', { grant_type: 'client_credentials', client_id: device.clientId, scope: 'read' });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(((await response.json()) as TokenAnswer).access_token).toBeUndefined();
  });
});
