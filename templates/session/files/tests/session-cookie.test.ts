import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashSessionId } from '../core/sessions.js';
import {
  alicePassword,
  cookie,
  cookieName,
  login,
  me,
  openLoginForm,
  postForm,
  postJson,
  request,
  sessionSetCookie,
  setSessionId,
  startHarness,
} from './harness.js';
import type { Harness } from './harness.js';

// Checklist 3.1–3.3: the cookie itself, fixation, and ids the server never issued.

function attributes(setCookie: string): string[] {
  return setCookie
    .split(';')
    .slice(1)
    .map((part) => part.trim().toLowerCase());
}

describe('session cookie', { timeout: 60_000 }, () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    await h.addUser('alice');
  });
  afterEach(async () => {
    await h.close();
  });

  it('3.1 login sets a __Host- cookie with Secure, HttpOnly, SameSite=Lax, Path=/, no Domain, and no-store', async () => {
    const { response } = await login(h, 'alice');
    const setCookie = sessionSetCookie(response);
    expect(setCookie).toBeDefined();
    expect(setCookie!.startsWith(`${cookieName}=`)).toBe(true);
    expect(cookieName.startsWith('__Host-')).toBe(true);
    const attrs = attributes(setCookie!);
    expect(attrs).toContain('secure');
    expect(attrs).toContain('httponly');
    expect(attrs).toContain('samesite=lax');
    expect(attrs).toContain('path=/');
    expect(attrs.some((attr) => attr.startsWith('domain'))).toBe(false);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('3.1 the login page, a form login and authenticated responses are not cacheable', async () => {
    const form = await openLoginForm(h);
    expect(form.response.headers.get('cache-control')).toBe('no-store');
    const formLogin = await postForm(h, '/login', form.id, { username: 'alice', password: alicePassword, _csrf: form.csrfToken });
    expect(formLogin.status).toBe(303);
    expect(formLogin.headers.get('cache-control')).toBe('no-store');
    const id = setSessionId(formLogin)!;
    expect(attributes(sessionSetCookie(formLogin)!)).toEqual(expect.arrayContaining(['secure', 'httponly', 'samesite=lax', 'path=/']));
    const profile = await request(h, '/me', { headers: { cookie: cookie(id) } });
    expect(profile.status).toBe(200);
    expect(profile.headers.get('cache-control')).toBe('no-store');
  });

  it('3.2 fixation: signing in with pre-login id X issues a new id, and X is then refused', async () => {
    const { id, preSessionId } = await login(h, 'alice');
    expect(id).not.toBe(preSessionId);
    expect(await me(h, id)).toBe(200);
    expect(await me(h, preSessionId)).toBe(401);
    expect(await h.store.findSession(hashSessionId(preSessionId))).toBeUndefined();
  });

  it('3.2 fixation: an id planted by someone else is never adopted, before or after login', async () => {
    const planted = 'A'.repeat(43);
    const page = await request(h, '/login', { headers: { cookie: cookie(planted) } });
    const issued = setSessionId(page);
    expect(issued).toBeDefined();
    expect(issued).not.toBe(planted);
    const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    // Posting the login with the planted id instead of the issued one is refused.
    const withPlanted = await postJson(h, '/login', planted, { username: 'alice', password: alicePassword, _csrf: token });
    expect(withPlanted.status).toBe(403);
    expect(setSessionId(withPlanted)).toBeUndefined();
    expect(await me(h, planted)).toBe(401);
  });

  it('3.3 a never-issued id is refused with 401', async () => {
    expect(await me(h, 'x'.repeat(43))).toBe(401);
    const response = await request(h, '/me');
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'unauthenticated' });
  });

  it('3.3 injection strings as the session id are refused and the server keeps working', async () => {
    const attacks = [
      "' OR '1'='1",
      '*',
      '../../../../etc/passwd',
      '${jndi:ldap://127.0.0.1/a}',
      '%00',
      'a'.repeat(5000),
      `${'A'.repeat(42)}*`,
    ];
    for (const attack of attacks) {
      const response = await request(h, '/me', { headers: { cookie: `${cookieName}=${attack}` } });
      expect(response.status, attack).toBe(401);
      await response.body?.cancel();
    }
    const { id } = await login(h, 'alice');
    expect(await me(h, id)).toBe(200);
  });

  it('3.3 a session id in the URL is ignored', async () => {
    const { id } = await login(h, 'alice');
    for (const path of [`/me?sid=${id}`, `/me?${cookieName}=${id}`, `/me?session=${id}`, `/me?_csrf=x&sessionId=${id}`]) {
      const response = await request(h, path);
      expect(response.status, path).toBe(401);
      await response.body?.cancel();
    }
  });

  it('3.3 ids carry 256 random bits, differ every time, and only their hash is stored', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 8; i += 1) ids.add((await openLoginForm(h)).id);
    const { id } = await login(h, 'alice');
    ids.add(id);
    expect(ids.size).toBe(9);
    for (const value of ids) {
      expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(value, 'base64url').length).toBe(32);
    }
    expect(await h.store.findSession(id)).toBeUndefined();
    const stored = await h.store.findSession(hashSessionId(id));
    expect(stored?.idHash).toBe(hashSessionId(id));
    expect(JSON.stringify(stored)).not.toContain(id);
  });
});
