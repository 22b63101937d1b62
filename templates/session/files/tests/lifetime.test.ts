import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { POLICY } from '../../../policy.js';
import { SESSION_COOKIE, storageId } from '../secrets.js';
import { bearer, cookieSet, PASSWORD, setCookieLine, startSessionServer, type SessionServer } from './support.js';

/*
 * Checklist section 3, lines 4–6, with a clock the tests move by hand: the
 * timeouts the decision record promises (POLICY.session), logout, and every
 * way a person's sessions end at once.
 */
const second = 1000;
const cookiePolicy = POLICY.session.cookie;
const tokenPolicy = POLICY.session.token;

describe('session lifetimes (checklist 3.4), as the policy table says', () => {
  let server: SessionServer;
  beforeEach(async () => {
    server = await startSessionServer({ people: ['alice'] });
  });
  afterEach(() => server.close());

  const me = (sid: string) => server.statusOf('/web/me', { cookies: { [SESSION_COOKIE]: sid } });
  const recordOf = (sid: string) => server.store.find('session', storageId('cookie', sid));

  it(`3.4 idle: a browser session unused for ${cookiePolicy.idleTimeout.default} s (the default) → 401, and its store entry is gone`, async () => {
    const { sid } = await server.signIn('alice');
    server.clock.advance(cookiePolicy.idleTimeout.default * second - second);
    expect(await me(sid)).toBe(200);
    server.clock.advance(cookiePolicy.idleTimeout.default * second);
    expect(await me(sid)).toBe(401);
    expect(await recordOf(sid)).toBeNull();
    // Ended exactly at the timeout, not a moment later.
    const next = await server.signIn('alice');
    server.clock.advance(cookiePolicy.idleTimeout.default * second);
    expect(await me(next.sid)).toBe(401);
  });

  it(`3.4 absolute: a browser session in constant use still ends ${cookiePolicy.absoluteLifetime.default} s (the default) after sign-in`, async () => {
    const { sid } = await server.signIn('alice');
    const step = cookiePolicy.idleTimeout.default * second - 60 * second;
    let elapsed = 0;
    while (elapsed + step < cookiePolicy.absoluteLifetime.default * second) {
      server.clock.advance(step);
      elapsed += step;
      expect(await me(sid), `after ${elapsed / second} s`).toBe(200);
    }
    server.clock.advance(cookiePolicy.absoluteLifetime.default * second - elapsed - second);
    expect(await me(sid)).toBe(200);
    server.clock.advance(second);
    expect(await me(sid)).toBe(401);
    expect(await recordOf(sid)).toBeNull();
  });

  it(`3.4 a session token lives by its own policy: idle ${tokenPolicy.idleTimeout.default} s, absolute ${tokenPolicy.absoluteLifetime.default} s`, async () => {
    const idle = await server.signInForToken('alice');
    server.clock.advance(tokenPolicy.idleTimeout.default * second - second);
    expect(await server.statusOf('/apps/me', { headers: bearer(idle.token) })).toBe(200);
    server.clock.advance(tokenPolicy.idleTimeout.default * second);
    expect(await server.statusOf('/apps/me', { headers: bearer(idle.token) })).toBe(401);

    const busy = await server.signInForToken('alice');
    const step = tokenPolicy.idleTimeout.default * second - 60 * second;
    let elapsed = 0;
    while (elapsed + step < tokenPolicy.absoluteLifetime.default * second) {
      server.clock.advance(step);
      elapsed += step;
      expect(await server.statusOf('/apps/me', { headers: bearer(busy.token) })).toBe(200);
    }
    server.clock.advance(tokenPolicy.absoluteLifetime.default * second - elapsed);
    expect(await server.statusOf('/apps/me', { headers: bearer(busy.token) })).toBe(401);
    expect(await server.store.list('session', { owner: (await server.method.accounts.find('alice'))!.id })).toEqual([]);
  });

  it('3.4 configured lifetimes within the policy range are what the code enforces', async () => {
    const configured = await startSessionServer({ env: { SESSION_COOKIE_IDLE_TIMEOUT_SECONDS: '600', SESSION_COOKIE_ABSOLUTE_LIFETIME_SECONDS: '3600' } });
    try {
      await configured.addUser('alice');
      const first = await configured.signIn('alice');
      configured.clock.advance(600 * second);
      expect(await configured.statusOf('/web/me', { cookies: { [SESSION_COOKIE]: first.sid } })).toBe(401);
      const active = await configured.signIn('alice');
      for (let i = 0; i < 6; i += 1) {
        configured.clock.advance(590 * second);
        expect(await configured.statusOf('/web/me', { cookies: { [SESSION_COOKIE]: active.sid } })).toBe(200);
      }
      configured.clock.advance(60 * second);
      expect(await configured.statusOf('/web/me', { cookies: { [SESSION_COOKIE]: active.sid } })).toBe(401);
    } finally {
      await configured.close();
    }
  });
});

describe('ending sessions (checklist 3.5–3.6)', () => {
  let server: SessionServer;
  beforeEach(async () => {
    server = await startSessionServer({ people: ['alice', 'bob', ['root', ['admin']]] });
  });
  afterEach(() => server.close());

  const me = (sid: string) => server.statusOf('/web/me', { cookies: { [SESSION_COOKIE]: sid } });
  const tokenMe = (token: string) => server.statusOf('/apps/me', { headers: bearer(token) });
  const post = (path: string, sid: string, csrfToken: string, json: unknown = {}) =>
    server.request(path, { cookies: { [SESSION_COOKIE]: sid }, headers: { 'x-csrf-token': csrfToken }, json });

  it('3.5 logout deletes the server record and expires the cookie; replaying the cookie → 401', async () => {
    const { sid, csrfToken } = await server.signIn('alice');
    const reply = await server.request('/web/logout', { cookies: { [SESSION_COOKIE]: sid }, form: { _csrf: csrfToken } });
    expect(reply.status).toBe(303);
    expect(reply.headers.get('location')).toBe('/web/login');
    expect(setCookieLine(reply, SESSION_COOKIE)).toMatch(/^__Host-sid=; .*Max-Age=0/);
    expect(cookieSet(reply, SESSION_COOKIE)).toBe('');
    expect(await server.store.find('session', storageId('cookie', sid))).toBeNull();
    expect(await me(sid)).toBe(401);
  });

  it('3.5 a script logs out with JSON; without the CSRF token the logout is refused and the session lives on', async () => {
    const { sid, csrfToken } = await server.signIn('alice');
    const refused = await server.request('/web/logout', { cookies: { [SESSION_COOKIE]: sid }, json: {} });
    expect(refused.status).toBe(403);
    expect(await me(sid)).toBe(200);
    const done = await post('/web/logout', sid, csrfToken);
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ signedOut: true, ended: 1 });
    expect(await me(sid)).toBe(401);
  });

  it('3.5 a token logs out at /apps/logout: its record is deleted and the token → 401 at the next request', async () => {
    const { token } = await server.signInForToken('alice');
    const reply = await server.request('/apps/logout', { headers: bearer(token), method: 'POST' });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('set-cookie')).toBeNull();
    expect(await tokenMe(token)).toBe(401);
  });

  it('3.6 logout everywhere ends every session of that person, cookies and tokens, and no one else\'s', async () => {
    const laptop = await server.signIn('alice');
    const phone = await server.signIn('alice');
    const cli = await server.signInForToken('alice');
    const bob = await server.signIn('bob');
    const reply = await post('/web/logout-all', phone.sid, phone.csrfToken);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ signedOut: true, ended: 3 });
    expect(await me(laptop.sid)).toBe(401);
    expect(await me(phone.sid)).toBe(401);
    expect(await tokenMe(cli.token)).toBe(401);
    expect(await me(bob.sid)).toBe(200);
  });

  it('3.6 a password change ends every session and signs the current one in afresh, with a new id', async () => {
    const laptop = await server.signIn('alice');
    const phone = await server.signIn('alice');
    const cli = await server.signInForToken('alice');
    const newPassword = 'a new and rather long passphrase';
    const wrong = await post('/web/password', phone.sid, phone.csrfToken, { currentPassword: 'not it at all', newPassword });
    expect(wrong.status).toBe(403);
    const reply = await post('/web/password', phone.sid, phone.csrfToken, { currentPassword: PASSWORD, newPassword });
    expect(reply.status).toBe(200);
    const rotated = cookieSet(reply, SESSION_COOKIE)!;
    expect(rotated).not.toBe(phone.sid);
    expect(await me(laptop.sid)).toBe(401);
    expect(await me(phone.sid)).toBe(401);
    expect(await tokenMe(cli.token)).toBe(401);
    expect(await me(rotated)).toBe(200);
    await expect(server.signIn('alice')).rejects.toThrow(/answered 401/);
    await server.signIn('alice', newPassword);
  });

  it('3.6 disabling the account, or taking scopes away, ends its sessions at their next request; a disabled account cannot sign in', async () => {
    const browser = await server.signIn('alice');
    const cli = await server.signInForToken('alice');
    await server.method.accounts.setDisabled('alice', true);
    expect(await me(browser.sid)).toBe(401);
    expect(await tokenMe(cli.token)).toBe(401);
    await expect(server.signIn('alice')).rejects.toThrow(/answered 401/);
    // Enabling the account again does not bring the old sessions back.
    await server.method.accounts.setDisabled('alice', false);
    expect(await me(browser.sid)).toBe(401);
    const again = await server.signIn('alice');
    await server.method.accounts.setScopes('alice', ['reports']);
    expect(await me(again.sid)).toBe(401);
  });

  it("3.6 an admin ends another person's sessions; a person without the admin scope may not", async () => {
    const alice = await server.signIn('alice');
    const aliceCli = await server.signInForToken('alice');
    const bob = await server.signIn('bob');
    const root = await server.signIn('root');
    const denied = await post('/web/sessions/end', bob.sid, bob.csrfToken, { username: 'alice' });
    expect(denied.status).toBe(403);
    expect(await me(alice.sid)).toBe(200);
    const ended = await post('/web/sessions/end', root.sid, root.csrfToken, { username: 'alice' });
    expect(ended.status).toBe(200);
    expect(ended.body).toEqual({ subject: 'alice', ended: 2 });
    expect(await me(alice.sid)).toBe(401);
    expect(await tokenMe(aliceCli.token)).toBe(401);
    expect(await me(root.sid)).toBe(200);
    expect(await me(bob.sid)).toBe(200);
    const unknown = await post('/web/sessions/end', root.sid, root.csrfToken, { username: 'nobody' });
    expect(unknown.status).toBe(404);
  });

  it('lists the live sessions of the signed-in person on the account page and as JSON', async () => {
    const browser = await server.signIn('alice');
    server.clock.advance(second);
    const cli = await server.signInForToken('alice');
    const page = await server.request('/web/account', { cookies: { [SESSION_COOKIE]: browser.sid } });
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain(cli.handle);
    const listed = await server.request('/apps/account', { headers: bearer(cli.token) });
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ subject: 'alice', sessions: [{ variant: 'cookie', current: false }, { handle: cli.handle, variant: 'token', current: true }] });
  });
});
