import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOGIN_COOKIE, SESSION_COOKIE, storageId } from '../secrets.js';
import { cookieSet, PASSWORD, setCookieLine, startSessionServer, type SessionServer } from './support.js';

/*
 * Checklist section 3, lines 1–3, over real HTTP on this project's stack with
 * the real store: the cookie itself, fixation, and ids the server never issued.
 */
const attributesOf = (line: string) =>
  line
    .split(';')
    .slice(1)
    .map((part) => part.trim().toLowerCase());

describe('the session cookie (checklist 3.1–3.3)', () => {
  let server: SessionServer;
  beforeEach(async () => {
    server = await startSessionServer({ people: ['alice', 'bob'] });
  });
  afterEach(() => server.close());

  const me = (sid: string) => server.statusOf('/web/me', { cookies: { [SESSION_COOKIE]: sid } });

  it('3.1 sign-in sets a __Host- cookie: Secure, HttpOnly, SameSite=Lax, Path=/, no Domain, no Max-Age; the reply is not cacheable', async () => {
    const { reply } = await server.signIn('alice');
    const line = setCookieLine(reply, SESSION_COOKIE)!;
    expect(SESSION_COOKIE.startsWith('__Host-')).toBe(true);
    expect(attributesOf(line).sort()).toEqual(['httponly', 'path=/', 'samesite=lax', 'secure']);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('3.1 the form sign-in too; the login page, its pre-session cookie and every signed-in reply are not cacheable', async () => {
    const form = await server.openLoginForm();
    expect(form.reply.headers.get('cache-control')).toBe('no-store');
    expect(form.reply.headers.get('content-type')).toMatch(/^text\/html/);
    expect(form.reply.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(attributesOf(setCookieLine(form.reply, LOGIN_COOKIE)!).sort()).toEqual(['httponly', 'path=/', 'samesite=lax', 'secure']);
    const posted = await server.request('/web/login', { cookies: { [LOGIN_COOKIE]: form.preSession }, form: { username: 'alice', password: PASSWORD, _csrf: form.csrfToken } });
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe('/web/account');
    expect(posted.headers.get('cache-control')).toBe('no-store');
    const sid = cookieSet(posted, SESSION_COOKIE)!;
    expect(attributesOf(setCookieLine(posted, SESSION_COOKIE)!).sort()).toEqual(['httponly', 'path=/', 'samesite=lax', 'secure']);
    for (const path of ['/web/me', '/web/account']) {
      const reply = await server.request(path, { cookies: { [SESSION_COOKIE]: sid } });
      expect(reply.status, path).toBe(200);
      expect(reply.headers.get('cache-control'), path).toBe('no-store');
    }
  });

  it('3.2 fixation: signing in while holding session X issues a new id, and X is then refused and gone from the store', async () => {
    const before = await server.signIn('bob');
    const form = await server.openLoginForm();
    const reply = await server.request('/web/login', {
      cookies: { [SESSION_COOKIE]: before.sid, [LOGIN_COOKIE]: form.preSession },
      json: { username: 'alice', password: PASSWORD, _csrf: form.csrfToken },
    });
    expect(reply.status).toBe(200);
    const after = cookieSet(reply, SESSION_COOKIE)!;
    expect(after).not.toBe(before.sid);
    expect(await me(after)).toBe(200);
    expect(await me(before.sid)).toBe(401);
    expect(await server.store.find('session', storageId('cookie', before.sid))).toBeNull();
    // The pre-session's id was never a session id either.
    expect(await me(form.preSession)).toBe(401);
  });

  it('3.2 fixation: a planted pre-session or session id is never adopted', async () => {
    const planted = 'A'.repeat(43);
    const page = await server.request('/web/login', { cookies: { [LOGIN_COOKIE]: planted } });
    const issued = cookieSet(page, LOGIN_COOKIE);
    expect(issued).toBeDefined();
    expect(issued).not.toBe(planted);
    // Posting with the planted pre-session instead of the issued one is refused, whatever the token.
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const withPlanted = await server.request('/web/login', { cookies: { [LOGIN_COOKIE]: planted }, json: { username: 'alice', password: PASSWORD, _csrf: token } });
    expect(withPlanted.status).toBe(403);
    expect(cookieSet(withPlanted, SESSION_COOKIE)).toBeUndefined();
    expect(await me(planted)).toBe(401);
  });

  it('3.3 a never-issued id → 401 with the body every refusal gets, and the dead cookie is expired', async () => {
    const unknown = await server.request('/web/me', { cookies: { [SESSION_COOKIE]: 'x'.repeat(43) } });
    const none = await server.request('/web/me');
    expect(unknown.status).toBe(401);
    expect(none.status).toBe(401);
    expect(unknown.text).toBe(none.text);
    expect(unknown.body).toMatchObject({ type: expect.stringMatching(/:unauthenticated$/) });
    expect(unknown.headers.get('www-authenticate')).toBe(`Cookie cookie-name="${SESSION_COOKIE}"`);
    expect(setCookieLine(unknown, SESSION_COOKIE)).toMatch(/^__Host-sid=;.*Max-Age=0/);
    expect(setCookieLine(none, SESSION_COOKIE)).toBeUndefined();
  });

  it('3.3 injection strings as the id → 401 without a store lookup; the server keeps working', async () => {
    const attacks = ["' OR '1'='1", '*', '../../../../etc/passwd', '${jndi:ldap://127.0.0.1/a}', '%00', 'a'.repeat(5000), `${'A'.repeat(42)}*`, `st_${'A'.repeat(43)}`];
    for (const attack of attacks) expect(await me(encodeURIComponent(attack)), attack).toBe(401);
    expect(server.store.finds.session ?? 0).toBe(0);
    const { sid } = await server.signIn('alice');
    expect(await me(sid)).toBe(200);
  });

  it('3.3 a session id in the URL is never read: without the cookie every such request → 401', async () => {
    const { sid } = await server.signIn('alice');
    for (const path of [`/web/me?sid=${sid}`, `/web/me?${SESSION_COOKIE}=${sid}`, `/web/me?session=${sid}`, `/web/me?q=${sid}`, `/web/account?sessionId=${sid}`]) {
      const reply = await server.request(path);
      expect([401, 303], path).toContain(reply.status);
      expect(reply.text, path).not.toContain('alice');
    }
    // A URL that carries it beside the cookie is refused too: the id has leaked into a URL.
    expect(await server.statusOf(`/web/me?sid=${sid}`, { cookies: { [SESSION_COOKIE]: sid } })).toBe(401);
  });

  it('3.3 ids carry 256 random bits, differ every time, and the store keeps only their hash', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 8; i += 1) ids.add((await server.signIn(i % 2 ? 'alice' : 'bob')).sid);
    expect(ids.size).toBe(8);
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(id, 'base64url')).toHaveLength(32);
    }
    const held = JSON.stringify([...(await server.store.list('session')), ...(await server.store.list('session-seen'))]);
    for (const id of ids) {
      expect(held).not.toContain(id);
      expect(await server.store.find('session', storageId('cookie', id))).not.toBeNull();
    }
  });
});
