import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashSessionId } from '../core/sessions.js';
import { alicePassword, cookie, csrfTokenIn, login, me, openLoginForm, postForm, postJson, request, setSessionId, startHarness } from './harness.js';
import type { Harness } from './harness.js';

// Checklist 3.7–3.8: cross-site request forgery, including login CSRF.

async function displayName(h: Harness, id: string): Promise<string> {
  const response = await request(h, '/me', { headers: { cookie: cookie(id) } });
  return ((await response.json()) as { displayName: string }).displayName;
}

describe('CSRF defences', { timeout: 60_000 }, () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    await h.addUser('alice');
    await h.addUser('bob');
  });
  afterEach(async () => {
    await h.close();
  });

  it('3.7 the profile form carries the session token and a same-site post with it succeeds', async () => {
    const { id, csrfToken } = await login(h, 'alice');
    const page = await request(h, '/profile', { headers: { cookie: cookie(id) } });
    expect(page.status).toBe(200);
    expect(csrfTokenIn(await page.text())).toBe(csrfToken);
    const response = await postForm(h, '/profile', id, { displayName: 'Alice A.', _csrf: csrfToken }, { origin: h.url, 'sec-fetch-site': 'same-origin' });
    expect(response.status).toBe(303);
    expect(await displayName(h, id)).toBe('Alice A.');
  });

  it('3.7 a state-changing request without a token is refused with 403', async () => {
    const { id } = await login(h, 'alice');
    const response = await postForm(h, '/profile', id, { displayName: 'forged' });
    expect(response.status).toBe(403);
    expect(await displayName(h, id)).toBe('alice');
  });

  it("3.7 another session's token is refused with 403", async () => {
    const alice = await login(h, 'alice');
    const bob = await login(h, 'bob');
    const response = await postForm(h, '/profile', alice.id, { displayName: 'forged', _csrf: bob.csrfToken });
    expect(response.status).toBe(403);
    const header = await postJson(h, '/profile', alice.id, { displayName: 'forged' }, { 'x-csrf-token': bob.csrfToken });
    expect(header.status).toBe(403);
    expect(await displayName(h, alice.id)).toBe('alice');
  });

  it('3.7 Sec-Fetch-Site: cross-site is refused with 403 even with a valid token', async () => {
    const { id, csrfToken } = await login(h, 'alice');
    for (const site of ['cross-site', 'same-site']) {
      const response = await postForm(h, '/profile', id, { displayName: 'forged', _csrf: csrfToken }, { 'sec-fetch-site': site });
      expect(response.status, site).toBe(403);
    }
    expect(await displayName(h, id)).toBe('alice');
  });

  it('3.7 a foreign or opaque Origin is refused with 403 even with a valid token', async () => {
    const { id, csrfToken } = await login(h, 'alice');
    for (const origin of ['https://evil.example', 'null', `${h.url}.evil.example`, 'http://127.0.0.1:1']) {
      const response = await postForm(h, '/profile', id, { displayName: 'forged', _csrf: csrfToken }, { origin });
      expect(response.status, origin).toBe(403);
    }
    expect(await displayName(h, id)).toBe('alice');
  });

  it('3.7 a JSON body sent as text/plain is refused with 415', async () => {
    const { id, csrfToken } = await login(h, 'alice');
    const response = await request(h, '/profile', {
      method: 'POST',
      headers: { cookie: cookie(id), 'content-type': 'text/plain' },
      body: JSON.stringify({ displayName: 'forged', _csrf: csrfToken }),
    });
    expect(response.status).toBe(415);
    const logout = await request(h, '/logout', {
      method: 'POST',
      headers: { cookie: cookie(id), 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({ _csrf: csrfToken }),
    });
    expect(logout.status).toBe(415);
    expect(await displayName(h, id)).toBe('alice');
    expect(await me(h, id)).toBe(200);
  });

  it('3.7 GET never changes state', async () => {
    const { id, csrfToken } = await login(h, 'alice');
    const reads = [`/profile?displayName=forged&_csrf=${csrfToken}`, `/logout?_csrf=${csrfToken}`, `/logout-all?_csrf=${csrfToken}`, '/me?displayName=forged'];
    for (const path of reads) {
      const response = await request(h, path, { headers: { cookie: cookie(id) } });
      expect(response.status, path).not.toBe(500);
      await response.body?.cancel();
    }
    expect(await displayName(h, id)).toBe('alice');
    expect(await me(h, id)).toBe(200);
    const user = await h.store.findUserByUsername('alice');
    expect(await h.store.countUserSessions(user!.id)).toBe(1);
  });

  it('3.8 login CSRF: a login post without a pre-session is refused with 403', async () => {
    const response = await postForm(h, '/login', undefined, { username: 'alice', password: alicePassword });
    expect(response.status).toBe(403);
    expect(setSessionId(response)).toBeUndefined();
  });

  it("3.8 login CSRF: a missing token, another pre-session's token, or a cross-site post is refused", async () => {
    const mine = await openLoginForm(h);
    const theirs = await openLoginForm(h);
    const attempts: Array<[Record<string, string>, Record<string, string>]> = [
      [{ username: 'alice', password: alicePassword }, {}],
      [{ username: 'alice', password: alicePassword, _csrf: theirs.csrfToken }, {}],
      [{ username: 'alice', password: alicePassword, _csrf: mine.csrfToken }, { 'sec-fetch-site': 'cross-site' }],
      [{ username: 'alice', password: alicePassword, _csrf: mine.csrfToken }, { origin: 'https://evil.example' }],
    ];
    for (const [fields, headers] of attempts) {
      const response = await postForm(h, '/login', mine.id, fields, headers);
      expect(response.status).toBe(403);
      expect(setSessionId(response)).toBeUndefined();
    }
    const user = await h.store.findUserByUsername('alice');
    expect(await h.store.countUserSessions(user!.id)).toBe(0);
  });

  it('3.8 login CSRF: the pre-session ends at login and cannot be used again', async () => {
    const form = await openLoginForm(h);
    const first = await postForm(h, '/login', form.id, { username: 'alice', password: alicePassword, _csrf: form.csrfToken });
    expect(first.status).toBe(303);
    expect(await h.store.findSession(hashSessionId(form.id))).toBeUndefined();
    const again = await postForm(h, '/login', form.id, { username: 'bob', password: alicePassword, _csrf: form.csrfToken });
    expect(again.status).toBe(403);
  });
});
