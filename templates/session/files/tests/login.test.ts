import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { disableUser } from '../core/accounts.js';
import { passwordHashParameters } from '../core/passwords.js';
import { alicePassword, login, me, openLoginForm, postForm, postJson, startHarness } from './harness.js';
import type { Harness } from './harness.js';

// Checklist 3.9–3.10: one answer for every failed login, throttling, and password hashing.

const minute = 60_000;

async function attempt(h: Harness, username: string, password: string) {
  const form = await openLoginForm(h);
  const response = await postJson(h, '/login', form.id, { username, password, _csrf: form.csrfToken });
  return { status: response.status, body: await response.text(), retryAfter: response.headers.get('retry-after') };
}

describe('password login', { timeout: 60_000 }, () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ loginFailureLimit: 5, loginFailureWindowSeconds: 15 * 60 });
    await h.addUser('alice');
    await h.addUser('carol');
  });
  afterEach(async () => {
    await h.close();
  });

  it('3.9 unknown user and wrong password get the same status and body (JSON)', async () => {
    const unknown = await attempt(h, 'mallory', alicePassword);
    const wrong = await attempt(h, 'alice', 'not the password');
    expect(unknown.status).toBe(401);
    expect(wrong).toEqual(unknown);
  });

  it('3.9 unknown user and wrong password get the same page from the form, with no early exit', async () => {
    const form = await openLoginForm(h);
    const before = h.passwordVerifications();
    const unknown = await postForm(h, '/login', form.id, { username: 'mallory', password: alicePassword, _csrf: form.csrfToken });
    const afterUnknown = h.passwordVerifications();
    const wrong = await postForm(h, '/login', form.id, { username: 'alice', password: 'not the password', _csrf: form.csrfToken });
    const afterWrong = h.passwordVerifications();
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toBe(await unknown.text());
    // Each answer took exactly one full hash verification: the unknown name was checked against a dummy hash.
    expect(afterUnknown - before).toBe(1);
    expect(afterWrong - afterUnknown).toBe(1);
  });

  it('3.9 a disabled account answers like a wrong password', async () => {
    await disableUser(h.store, 'carol');
    const disabled = await attempt(h, 'carol', alicePassword);
    const wrong = await attempt(h, 'alice', 'not the password');
    expect(disabled).toEqual(wrong);
  });

  it('3.9 repeated failures are throttled per account with 429, even for the right password', async () => {
    for (let i = 0; i < 5; i += 1) expect((await attempt(h, 'alice', `wrong ${i}`)).status).toBe(401);
    const blocked = await attempt(h, 'alice', alicePassword);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.retryAfter)).toBeGreaterThan(0);
    // Another account is not affected.
    await login(h, 'carol');
    // The window ends and the right password works again.
    h.advance(15 * minute + 1);
    const { id } = await login(h, 'alice');
    expect(await me(h, id)).toBe(200);
  });

  it('3.9 an unknown account is throttled the same way, so 429 reveals nothing', async () => {
    for (let i = 0; i < 5; i += 1) expect((await attempt(h, 'mallory', `wrong ${i}`)).status).toBe(401);
    const unknownBlocked = await attempt(h, 'mallory', 'wrong again');
    for (let i = 0; i < 5; i += 1) await attempt(h, 'alice', `wrong ${i}`);
    const knownBlocked = await attempt(h, 'alice', 'wrong again');
    expect(unknownBlocked.status).toBe(429);
    expect(knownBlocked.status).toBe(429);
    expect(knownBlocked.body).toBe(unknownBlocked.body);
  });

  it('3.10 passwords are stored as Argon2id with m=19456 KiB, t=2, p=1', async () => {
    const user = await h.store.findUserByUsername('alice');
    expect(passwordHashParameters.memoryCost).toBeGreaterThanOrEqual(19456);
    expect(user!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(user!.passwordHash).not.toContain(alicePassword);
  });

  it('3.10 a 64-character password is accepted and not truncated', async () => {
    const password = 'Tr0ub4dor&3-correct-horse-battery-staple-0123456789-abcdefghijkl';
    expect(password).toHaveLength(64);
    await h.addUser('dave', password);
    const { id } = await login(h, 'dave', password);
    expect(await me(h, id)).toBe(200);
    expect((await attempt(h, 'dave', password.slice(0, 63))).status).toBe(401);
    expect((await attempt(h, 'dave', `${password.slice(0, 63)}X`)).status).toBe(401);
  });

  it('3.10 characters beyond 72 bytes still count (no bcrypt-style cut-off)', async () => {
    const password = `${'p'.repeat(99)}1`;
    await h.addUser('erin', password);
    await login(h, 'erin', password);
    expect((await attempt(h, 'erin', `${'p'.repeat(99)}2`)).status).toBe(401);
  });
});
