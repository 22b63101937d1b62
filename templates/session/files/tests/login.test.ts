import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuthStore } from '../../../kernel/store.js';
import { passwordHashParameters } from '../../../kernel/passwords.js';
import { POLICY } from '../../../policy.js';
import type { Reply } from '../../../tests/harness.js';
import { LOGIN_COOKIE } from '../secrets.js';
import { PASSWORD, startSessionServer, type SessionServer } from './support.js';

/*
 * Checklist section 3, lines 9–10, and sections 6 and 7 for the sign-in
 * endpoints: one answer for every failed sign-in, throttling that no stranger
 * can turn against a user, argon2id, and error replies.
 */
const throttle = POLICY.throttle;
const A = '203.0.113.10';
const B = '198.51.100.20';

/** Records which store calls a request makes: the verb, and the kind of record or counter. */
function recording(calls: string[]): (store: AuthStore) => AuthStore {
  return (store) =>
    new Proxy(store, {
      get(target, property) {
        const value = Reflect.get(target, property, target) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const first = String(args[0] ?? '');
          calls.push(`${String(property)} ${property === 'hit' || property === 'resetCounter' ? first.split(':').slice(0, 2).join(':') : first}`);
          return (value as (...parameters: unknown[]) => unknown).apply(target, args);
        };
      },
    });
}

describe('password sign-in (checklist 3.9, 3.10, 6, 7)', () => {
  let server: SessionServer;
  const calls: string[] = [];
  beforeEach(async () => {
    calls.length = 0;
    server = await startSessionServer({ wrapStore: recording(calls), people: ['alice', 'carol'] });
  });
  afterEach(() => server.close());

  /** One JSON sign-in through the form's pre-session, from `source`. */
  async function attempt(username: string, password: string, source?: string): Promise<Reply> {
    const form = await server.openLoginForm('web', source ? { source } : {});
    return server.request('/web/login', { cookies: { [LOGIN_COOKIE]: form.preSession }, json: { username, password, _csrf: form.csrfToken }, ...(source ? { source } : {}) });
  }
  const tokenAttempt = (username: string, password: string, source?: string) => server.request('/apps/sessions', { json: { username, password }, ...(source ? { source } : {}) });
  const answer = (reply: Reply) => ({ status: reply.status, type: reply.headers.get('content-type'), challenge: reply.headers.get('www-authenticate'), body: reply.text });

  it('3.9 an unknown user, a wrong password and a disabled account get the same status and body', async () => {
    await server.method.accounts.setDisabled('carol', true);
    const wrong = await attempt('alice', 'not the password');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer(await attempt('mallory', PASSWORD))).toEqual(answer(wrong));
    expect(answer(await attempt('carol', PASSWORD))).toEqual(answer(wrong));
    // The form gets the same page for each, as a page.
    const pages = [];
    for (const username of ['alice', 'mallory', 'carol']) {
      const form = await server.openLoginForm();
      const reply = await server.request('/web/login', { cookies: { [LOGIN_COOKIE]: form.preSession }, form: { username, password: username === 'alice' ? 'not the password' : PASSWORD, _csrf: form.csrfToken } });
      pages.push({ status: reply.status, type: reply.headers.get('content-type'), text: reply.text.replace(form.csrfToken, 'TOKEN') });
    }
    expect(pages[0]!.status).toBe(401);
    expect(pages[0]!.type).toMatch(/^text\/html/);
    expect(pages[1]).toEqual(pages[0]);
    expect(pages[2]).toEqual(pages[0]);
    // And the token endpoint.
    const tokenWrong = await tokenAttempt('alice', 'not the password');
    expect(answer(await tokenAttempt('mallory', PASSWORD))).toEqual(answer(tokenWrong));
  });

  it('3.9 no early exit: an unknown user takes the same path through the store as a wrong password', async () => {
    const pathOf = async (username: string, password: string) => {
      const form = await server.openLoginForm();
      calls.length = 0;
      await server.request('/web/login', { cookies: { [LOGIN_COOKIE]: form.preSession }, json: { username, password, _csrf: form.csrfToken } });
      return [...calls];
    };
    const wrong = await pathOf('alice', 'not the password');
    expect(wrong).toContain('findByLookup account');
    expect(await pathOf('mallory', 'not the password')).toEqual(wrong);
  });

  it(`3.9/6.1 failures for one account from one address back off: after ${throttle.freeFailures} free ones → 429 with Retry-After, even for the right password`, async () => {
    for (let i = 0; i < throttle.freeFailures; i += 1) expect((await attempt('alice', `wrong ${i}`, A)).status).toBe(401);
    const limited = await attempt('alice', 'wrong again', A);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ type: expect.stringMatching(/:too-many-attempts$/) });
    expect(Number(limited.headers.get('retry-after'))).toBe(throttle.baseDelay);
    expect((await attempt('alice', PASSWORD, A)).status).toBe(429);
    // The wait doubles with each further failure, and then the right password works.
    server.clock.advance(throttle.baseDelay * 1000);
    expect(Number((await attempt('alice', 'wrong once more', A)).headers.get('retry-after'))).toBe(throttle.baseDelay * 2);
    server.clock.advance(throttle.baseDelay * 2000);
    expect((await attempt('alice', PASSWORD, A)).status).toBe(200);
  });

  it('6.2 (issue finding 3) a stranger failing at address A cannot lock the user out at address B', async () => {
    for (let i = 0; i < throttle.freeFailures * 2; i += 1) await attempt('alice', `wrong ${i}`, A);
    expect((await attempt('alice', PASSWORD, A)).status).toBe(429);
    expect((await attempt('alice', PASSWORD, B)).status).toBe(200);
    for (let i = 0; i < throttle.freeFailures * 2; i += 1) await tokenAttempt('alice', `wrong ${i}`, A);
    expect((await tokenAttempt('alice', PASSWORD, B)).status).toBe(201);
  });

  it('6.3 (issue finding 4) spraying one password over 12 accounts from one address → 429; other addresses sign in', async () => {
    const statuses = [];
    for (let i = 0; i < 12; i += 1) statuses.push((await attempt(`user-${i}`, 'Summer2025!', A)).status);
    expect(statuses.slice(0, throttle.sourceFailures)).toEqual(Array(throttle.sourceFailures).fill(401));
    expect(statuses.slice(throttle.sourceFailures)).toEqual(Array(12 - throttle.sourceFailures).fill(429));
    expect((await attempt('alice', PASSWORD, A)).status).toBe(429);
    expect((await attempt('alice', PASSWORD, B)).status).toBe(200);
    const sprayed = [];
    for (let i = 0; i < 12; i += 1) sprayed.push((await tokenAttempt(`user-${i}`, 'Summer2025!', B)).status);
    expect(sprayed.at(-1)).toBe(429);
  });

  it('7.1 the JSON sign-in endpoints answer bad input with problem+json; 7.3 replies are not cacheable', async () => {
    const problems: [Promise<Reply>, number, string][] = [
      [server.request('/apps/sessions', { method: 'POST', headers: { 'content-type': 'application/json' }, json: undefined }), 400, 'invalid-input'],
      [tokenAttempt('alice', ''), 400, 'invalid-input'],
      [server.request('/apps/sessions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":' }), 400, 'malformed-body'],
      [server.request('/apps/sessions', { json: ['alice', PASSWORD] }), 400, 'invalid-input'],
      [server.request('/apps/sessions', { headers: { 'content-type': 'text/plain' }, json: { username: 'alice', password: PASSWORD } }), 415, 'unsupported-media-type'],
      [server.request('/apps/sessions', { json: { username: 'alice', password: 'x'.repeat(server.auth.settings.bodyLimit) } }), 413, 'body-too-large'],
      [server.request('/apps/sessions', { json: { username: 'alice', password: PASSWORD, name: 'n'.repeat(65) } }), 400, 'invalid-input'],
    ];
    for (const [pending, status, kind] of problems) {
      const reply = await pending;
      expect(reply.status, kind).toBe(status);
      expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(reply.headers.get('cache-control')).toBe('no-store');
      expect(reply.body).toMatchObject({ type: expect.stringMatching(new RegExp(`:${kind}$`)) });
    }
    const missing = await tokenAttempt('alice', '');
    expect(missing.body).toMatchObject({ errors: [{ field: 'password' }] });
    const issued = await tokenAttempt('alice', PASSWORD);
    expect(issued.headers.get('cache-control')).toBe('no-store');
  });

  it('3.10 passwords are stored as argon2id with m=19456 KiB, t=2, p=1', async () => {
    expect(passwordHashParameters).toMatchObject({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    const alice = await server.method.accounts.find('alice');
    expect(alice!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(JSON.stringify(await server.store.list('account'))).not.toContain(PASSWORD);
  });

  it('3.10 a 64-character password is accepted and not truncated; characters past 72 bytes still count', async () => {
    const password = 'Tr0ub4dor&3-correct-horse-battery-staple-0123456789-abcdefghijkl';
    expect(password).toHaveLength(64);
    await server.addUser('dave', { password });
    expect((await attempt('dave', password)).status).toBe(200);
    expect((await attempt('dave', password.slice(0, 63))).status).toBe(401);
    expect((await attempt('dave', `${password.slice(0, 63)}X`)).status).toBe(401);
    const long = `${'p'.repeat(99)}1`;
    await server.addUser('erin', { password: long });
    expect((await attempt('erin', long)).status).toBe(200);
    expect((await attempt('erin', `${'p'.repeat(99)}2`)).status).toBe(401);
  });
});
