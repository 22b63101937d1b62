import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOGIN_COOKIE, SESSION_COOKIE, storageId } from '../secrets.js';
import { bearer, cookieSet, csrfTokenIn, PASSWORD, startSessionServer, type SessionServer } from './support.js';

/*
 * Checklist section 3, lines 7–8, and 5.4: cross-site request forgery against
 * cookie sessions (every unsafe request they authenticate goes through the
 * kernel guard's CSRF checks), login CSRF, and none of it for tokens.
 */
describe('CSRF defences for cookie sessions (checklist 3.7, 5.4)', () => {
  let server: SessionServer;
  beforeEach(async () => {
    server = await startSessionServer({ people: ['alice', 'bob'] });
  });
  afterEach(() => server.close());

  const displayName = async (sid: string) =>
    ((await server.request('/web/account', { cookies: { [SESSION_COOKIE]: sid }, headers: { accept: 'application/json' } })).body as { displayName: string }).displayName;
  const rename = (sid: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    server.request('/web/account', { cookies: { [SESSION_COOKIE]: sid }, form: { displayName: 'forged', ...fields }, headers });

  it('3.7 the account page carries the session\'s token; a same-origin form post with it changes the name', async () => {
    const { sid, csrfToken } = await server.signIn('alice');
    const page = await server.request('/web/account', { cookies: { [SESSION_COOKIE]: sid } });
    expect(page.status).toBe(200);
    expect(csrfTokenIn(page.text)).toBe(csrfToken);
    const reply = await rename(sid, { displayName: 'Alice A.', _csrf: csrfToken }, { origin: server.url, 'sec-fetch-site': 'same-origin' });
    expect(reply.status).toBe(303);
    expect(await displayName(sid)).toBe('Alice A.');
  });

  it('3.7 an unsafe request without a token → 403, and nothing changes', async () => {
    const { sid } = await server.signIn('alice');
    const reply = await rename(sid, {});
    expect(reply.status).toBe(403);
    expect(reply.body).toMatchObject({ type: expect.stringMatching(/:csrf-rejected$/) });
    expect(await displayName(sid)).toBe('alice');
  });

  it("3.7 another session's token → 403, in the form and in the header", async () => {
    const alice = await server.signIn('alice');
    const bob = await server.signIn('bob');
    expect((await rename(alice.sid, { _csrf: bob.csrfToken })).status).toBe(403);
    expect((await server.request('/web/account', { cookies: { [SESSION_COOKIE]: alice.sid }, headers: { 'x-csrf-token': bob.csrfToken }, json: { displayName: 'forged' } })).status).toBe(403);
    expect(await displayName(alice.sid)).toBe('alice');
  });

  it('3.7 Sec-Fetch-Site cross-site (or same-site) → 403 even with the right token', async () => {
    const { sid, csrfToken } = await server.signIn('alice');
    for (const site of ['cross-site', 'same-site']) expect((await rename(sid, { _csrf: csrfToken }, { 'sec-fetch-site': site })).status, site).toBe(403);
    expect(await displayName(sid)).toBe('alice');
  });

  it('3.7 a foreign or opaque Origin → 403 even with the right token', async () => {
    const { sid, csrfToken } = await server.signIn('alice');
    for (const origin of ['https://evil.example', 'null', `${server.url}.evil.example`, 'http://127.0.0.1:1']) {
      expect((await rename(sid, { _csrf: csrfToken }, { origin })).status, origin).toBe(403);
    }
    expect(await displayName(sid)).toBe('alice');
  });

  it('3.7 with AUTH_TRUSTED_ORIGINS set, only those origins may post', async () => {
    const strict = await startSessionServer({ env: { AUTH_TRUSTED_ORIGINS: 'https://app.example.com' } });
    try {
      await strict.addUser('alice');
      const { sid, csrfToken } = await strict.signIn('alice');
      const post = (origin: string) => strict.request('/web/account', { cookies: { [SESSION_COOKIE]: sid }, form: { displayName: origin, _csrf: csrfToken }, headers: { origin } });
      expect((await post('https://app.example.com')).status).toBe(303);
      expect((await post(strict.url)).status).toBe(403);
    } finally {
      await strict.close();
    }
  });

  it('3.7 a JSON body sent as text/plain (what a cross-site form can send) → 415, and nothing changes', async () => {
    const { sid, csrfToken } = await server.signIn('alice');
    for (const path of ['/web/account', '/web/logout']) {
      const reply = await server.request(path, {
        method: 'POST',
        cookies: { [SESSION_COOKIE]: sid },
        headers: { 'content-type': 'text/plain;charset=UTF-8', 'x-csrf-token': csrfToken },
        json: { displayName: 'forged', _csrf: csrfToken },
      });
      expect(reply.status, path).toBe(415);
      expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect(await displayName(sid)).toBe('alice');
    expect(await server.statusOf('/web/me', { cookies: { [SESSION_COOKIE]: sid } })).toBe(200);
  });

  it('3.7 GET never changes state, whatever its query says', async () => {
    const { sid, csrfToken } = await server.signIn('alice');
    const account = await server.method.accounts.find('alice');
    for (const path of [`/web/account?displayName=forged&_csrf=${csrfToken}`, `/web/logout?_csrf=${csrfToken}`, `/web/logout-all?_csrf=${csrfToken}`, `/web/password?newPassword=forged-password&_csrf=${csrfToken}`, '/web/me?displayName=forged']) {
      const reply = await server.request(path, { cookies: { [SESSION_COOKIE]: sid } });
      expect(reply.status, path).toBeLessThan(500);
    }
    expect(await displayName(sid)).toBe('alice');
    expect(await server.statusOf('/web/me', { cookies: { [SESSION_COOKIE]: sid } })).toBe(200);
    expect((await server.method.accounts.find('alice'))!.passwordHash).toBe(account!.passwordHash);
    expect(await server.method.sessions.list(account!)).toHaveLength(1);
  });

  it('5.4 a session token needs no CSRF token and passes a cross-site unsafe request: a foreign page cannot send the header', async () => {
    const { token } = await server.signInForToken('alice');
    const reply = await server.request('/apps/account', {
      headers: { ...bearer(token), 'sec-fetch-site': 'cross-site', origin: 'https://elsewhere.example' },
      json: { displayName: 'Alice from the CLI' },
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ subject: 'alice', displayName: 'Alice from the CLI' });
  });
});

describe('login CSRF (checklist 3.8)', () => {
  let server: SessionServer;
  beforeEach(async () => {
    server = await startSessionServer({ people: ['alice', 'bob'] });
  });
  afterEach(() => server.close());

  it('3.8 a sign-in post without a pre-session → 403, and no session is made', async () => {
    for (const body of [{ form: { username: 'alice', password: PASSWORD } }, { json: { username: 'alice', password: PASSWORD } }]) {
      const reply = await server.request('/web/login', body);
      expect(reply.status).toBe(403);
      expect(cookieSet(reply, SESSION_COOKIE)).toBeUndefined();
    }
    expect(await server.store.list('session')).toEqual([]);
  });

  it("3.8 a missing token, another pre-session's token, a cross-site post or a foreign origin → 403", async () => {
    const mine = await server.openLoginForm();
    const theirs = await server.openLoginForm();
    const attempts: [Record<string, string>, Record<string, string>][] = [
      [{ username: 'alice', password: PASSWORD }, {}],
      [{ username: 'alice', password: PASSWORD, _csrf: theirs.csrfToken }, {}],
      [{ username: 'alice', password: PASSWORD, _csrf: mine.csrfToken }, { 'sec-fetch-site': 'cross-site' }],
      [{ username: 'alice', password: PASSWORD, _csrf: mine.csrfToken }, { origin: 'https://evil.example' }],
    ];
    for (const [form, headers] of attempts) {
      const reply = await server.request('/web/login', { cookies: { [LOGIN_COOKIE]: mine.preSession }, form, headers });
      expect(reply.status).toBe(403);
      expect(reply.headers.get('content-type')).toMatch(/^text\/html/);
      expect(cookieSet(reply, SESSION_COOKIE)).toBeUndefined();
    }
    expect(await server.store.list('session')).toEqual([]);
  });

  it('3.8 the pre-session ends at sign-in and cannot sign anyone in again', async () => {
    const form = await server.openLoginForm();
    const first = await server.request('/web/login', { cookies: { [LOGIN_COOKIE]: form.preSession }, form: { username: 'alice', password: PASSWORD, _csrf: form.csrfToken } });
    expect(first.status).toBe(303);
    expect(await server.store.find('session-login', storageId('login', form.preSession))).toBeNull();
    const again = await server.request('/web/login', { cookies: { [LOGIN_COOKIE]: form.preSession }, form: { username: 'bob', password: PASSWORD, _csrf: form.csrfToken } });
    expect(again.status).toBe(403);
  });

  it('3.8 a script gets the token as JSON; the form is reused while its pre-session lives, and renewed after', async () => {
    const first = await server.request('/web/login', { headers: { accept: 'application/json' } });
    const preSession = cookieSet(first, LOGIN_COOKIE)!;
    expect(first.body).toEqual({ csrfToken: expect.any(String) });
    const reload = await server.request('/web/login', { cookies: { [LOGIN_COOKIE]: preSession }, headers: { accept: 'application/json' } });
    expect(reload.body).toEqual(first.body);
    expect(cookieSet(reload, LOGIN_COOKIE)).toBeUndefined();
    server.clock.advance(15 * 60_000);
    const renewed = await server.request('/web/login', { cookies: { [LOGIN_COOKIE]: preSession }, headers: { accept: 'application/json' } });
    expect(cookieSet(renewed, LOGIN_COOKIE)).not.toBe(preSession);
    expect(renewed.body).not.toEqual(first.body);
    const signedIn = await server.request('/web/login', { cookies: { [LOGIN_COOKIE]: preSession }, headers: { 'x-csrf-token': (first.body as { csrfToken: string }).csrfToken }, json: { username: 'alice', password: PASSWORD } });
    expect(signedIn.status).toBe(403);
  });
});
