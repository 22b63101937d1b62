import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SESSION_COOKIE, storageId, TOKEN_PREFIX } from '../secrets.js';
import { bearer, PASSWORD, startSessionServer, type SessionServer } from './support.js';

/*
 * The token variant: the same server-side session behind
 * `Authorization: Bearer st_<token>`, for native apps and CLIs; and checklist
 * 5.3: a cookie's id is never a token, a token never a cookie.
 */
describe('session tokens', () => {
  let server: SessionServer;
  beforeEach(async () => {
    server = await startSessionServer({ people: [['alice', ['read']]] });
  });
  afterEach(() => server.close());

  const me = (token: string, path = '/apps/me') => server.request(path, { headers: bearer(token) });

  it('signing in at /apps/sessions returns a token once, not cacheable; it authenticates the person at /apps', async () => {
    const { token, handle, reply } = await server.signInForToken('alice');
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(reply.headers.get('set-cookie')).toBeNull();
    expect(reply.body).toMatchObject({ tokenType: 'Bearer', subject: 'alice', scopes: ['read'], handle });
    expect(token).toMatch(/^st_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url')).toHaveLength(32);
    const reply2 = await me(token);
    expect(reply2.status).toBe(200);
    expect(reply2.body).toMatchObject({ subject: 'alice', kind: 'person', method: 'session', variant: 'token', boundary: 'apps', credentialId: handle, scopes: ['read'] });
    expect(reply2.text).not.toContain(token);
  });

  it('the store holds a hash of the token only', async () => {
    const { token } = await server.signInForToken('alice');
    const secret = token.slice(TOKEN_PREFIX.length);
    const held = JSON.stringify([...(await server.store.list('session')), ...(await server.store.list('session-seen'))]);
    expect(held).not.toContain(secret);
    expect(await server.store.find('session', storageId('token', secret))).not.toBeNull();
  });

  it('a malformed token → 401 error="invalid_token" without a store lookup; an unknown one → the same reply', async () => {
    for (const token of ['st_', 'st_short', `st_${'A'.repeat(42)}*`, `st_${'A'.repeat(44)}`, `st_${'A'.repeat(43)} x`]) {
      const reply = await me(token);
      expect(reply.status, token).toBe(401);
      expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="api", error="invalid_token"');
    }
    expect(server.store.finds.session ?? 0).toBe(0);
    const unknown = await me(`st_${'A'.repeat(43)}`);
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toBe('Bearer realm="api", error="invalid_token"');
    const missing = await server.request('/apps/me');
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="api"');
  });

  it('revocation bites at the next request: logout, ending it by handle, and a password change', async () => {
    const first = await server.signInForToken('alice');
    expect((await server.request('/apps/logout', { method: 'POST', headers: bearer(first.token) })).status).toBe(200);
    expect((await me(first.token)).status).toBe(401);

    const second = await server.signInForToken('alice');
    expect(await server.method.sessions.endByHandle(second.handle)).not.toBeNull();
    expect((await me(second.token)).status).toBe(401);

    const third = await server.signInForToken('alice');
    const changed = await server.request('/apps/password', { headers: bearer(third.token), json: { currentPassword: PASSWORD, newPassword: 'another long passphrase' } });
    expect(changed.status).toBe(200);
    const { token: fresh } = changed.body as { token: string };
    expect(fresh).not.toBe(third.token);
    expect((await me(third.token)).status).toBe(401);
    expect((await me(fresh)).status).toBe(200);
  });

  it('5.3 a session id sent as a bearer token, or a token sent as the session cookie → 401', async () => {
    const browser = await server.signIn('alice');
    const { token } = await server.signInForToken('alice');
    const secret = token.slice(TOKEN_PREFIX.length);
    // Both credentials work where they belong, and at the boundary that takes either.
    expect((await me(token)).status).toBe(200);
    expect((await me(token, '/both/me')).status).toBe(200);
    expect(await server.statusOf('/both/me', { cookies: { [SESSION_COOKIE]: browser.sid } })).toBe(200);
    for (const path of ['/apps/me', '/both/me']) {
      expect(await server.statusOf(path, { headers: bearer(browser.sid) }), `${path}: Bearer <cookie id>`).toBe(401);
      expect(await server.statusOf(path, { headers: bearer(`${TOKEN_PREFIX}${browser.sid}`) }), `${path}: Bearer st_<cookie id>`).toBe(401);
    }
    for (const path of ['/web/me', '/both/me']) {
      expect(await server.statusOf(path, { cookies: { [SESSION_COOKIE]: token } }), `${path}: cookie st_…`).toBe(401);
      expect(await server.statusOf(path, { cookies: { [SESSION_COOKIE]: secret } }), `${path}: cookie <token secret>`).toBe(401);
    }
    // Both at once: two credentials, refused whichever is valid.
    const both = await server.request('/both/me', { headers: bearer(token), cookies: { [SESSION_COOKIE]: browser.sid } });
    expect(both.status).toBe(401);
    expect(both.body).toMatchObject({ type: expect.stringMatching(/:multiple-credentials$/) });
    // A token leaked into a URL is recognised and refused.
    const leaked = await server.request(`/apps/me?t=${token}`, { headers: bearer(token) });
    expect(leaked.body).toMatchObject({ type: expect.stringMatching(/:credential-in-url$/) });
  });

  it('a token names its device or tool; the name must be short text', async () => {
    const named = await server.request('/apps/sessions', { json: { username: 'alice', password: PASSWORD, name: 'alice-laptop CLI' } });
    expect(named.status).toBe(201);
    const account = await server.request('/apps/account', { headers: bearer((named.body as { token: string }).token) });
    expect(account.body).toMatchObject({ sessions: [{ name: 'alice-laptop CLI', variant: 'token', current: true }] });
    for (const name of ['', '   ', 'x'.repeat(65), 'tab\there', 42]) {
      const reply = await server.request('/apps/sessions', { json: { username: 'alice', password: PASSWORD, name } });
      expect(reply.status, String(name)).toBe(400);
      expect(reply.body).toMatchObject({ errors: [{ field: 'name' }] });
    }
  });
});
