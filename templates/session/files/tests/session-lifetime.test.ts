import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { disableUser } from '../core/accounts.js';
import { hashSessionId } from '../core/sessions.js';
import { alicePassword, login, me, postForm, postJson, sessionSetCookie, setSessionId, startHarness } from './harness.js';
import type { Harness } from './harness.js';

// Checklist 3.4–3.6: timeouts, logout, and ending every session of a user.

const minute = 60_000;

describe('session lifetime', { timeout: 60_000 }, () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ idleTimeoutSeconds: 10 * 60, absoluteTimeoutSeconds: 60 * 60, touchIntervalSeconds: 60 });
    await h.addUser('alice');
    await h.addUser('bob');
    await h.addUser('root', alicePassword, ['admin']);
  });
  afterEach(async () => {
    await h.close();
  });

  it('3.4 idle timeout: a session unused past the limit gets 401 and its store entry is gone', async () => {
    const { id } = await login(h, 'alice');
    h.advance(9 * minute);
    expect(await me(h, id)).toBe(200);
    h.advance(10 * minute + 1);
    expect(await me(h, id)).toBe(401);
    expect(await h.store.findSession(hashSessionId(id))).toBeUndefined();
  });

  it('3.4 absolute timeout: a session in constant use still ends at its absolute lifetime', async () => {
    const { id } = await login(h, 'alice');
    for (let elapsed = 0; elapsed < 55 * minute; elapsed += 5 * minute) {
      h.advance(5 * minute);
      expect(await me(h, id)).toBe(200);
    }
    h.advance(6 * minute);
    expect(await me(h, id)).toBe(401);
    expect(await h.store.findSession(hashSessionId(id))).toBeUndefined();
  });

  it('3.5 logout deletes the server record, expires the cookie, and a replayed cookie gets 401', async () => {
    const { id, csrfToken } = await login(h, 'alice');
    const response = await postForm(h, '/logout', id, { _csrf: csrfToken });
    expect(response.status).toBe(303);
    const expired = sessionSetCookie(response);
    expect(expired).toBeDefined();
    expect(expired!.toLowerCase()).toContain('max-age=0');
    expect(setSessionId(response)).toBe('');
    expect(await h.store.findSession(hashSessionId(id))).toBeUndefined();
    expect(await me(h, id)).toBe(401);
  });

  it('3.5 logout without the CSRF token is refused and the session stays valid', async () => {
    const { id } = await login(h, 'alice');
    const response = await postJson(h, '/logout', id, {});
    expect(response.status).toBe(403);
    expect(await me(h, id)).toBe(200);
  });

  it('3.6 logout everywhere ends every session of that user and no one else', async () => {
    const laptop = await login(h, 'alice');
    const phone = await login(h, 'alice');
    const bob = await login(h, 'bob');
    const response = await postJson(h, '/logout-all', phone.id, {}, { 'x-csrf-token': phone.csrfToken });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ endedSessions: 2 });
    expect(await me(h, laptop.id)).toBe(401);
    expect(await me(h, phone.id)).toBe(401);
    expect(await me(h, bob.id)).toBe(200);
  });

  it('3.6 a password change ends every other session and rotates the current one', async () => {
    const laptop = await login(h, 'alice');
    const phone = await login(h, 'alice');
    const newPassword = 'a new and rather long passphrase';
    const response = await postJson(
      h,
      '/password',
      phone.id,
      { currentPassword: alicePassword, newPassword },
      { 'x-csrf-token': phone.csrfToken },
    );
    expect(response.status).toBe(200);
    const rotated = setSessionId(response)!;
    expect(rotated).not.toBe(phone.id);
    expect(await me(h, laptop.id)).toBe(401);
    expect(await me(h, phone.id)).toBe(401);
    expect(await me(h, rotated)).toBe(200);
    await login(h, 'alice', newPassword);
  });

  it('3.6 disabling the account ends its sessions at once and blocks new logins', async () => {
    const { id } = await login(h, 'alice');
    const result = await disableUser(h.store, 'alice');
    expect(result.endedSessions).toBe(1);
    expect(await me(h, id)).toBe(401);
    await expect(login(h, 'alice')).rejects.toThrow(/answered 401/);
  });

  it('3.6 an admin ends another user\'s sessions; a non-admin may not', async () => {
    const alice = await login(h, 'alice');
    const bob = await login(h, 'bob');
    const root = await login(h, 'root');

    const denied = await postJson(h, '/admin/sessions/end', bob.id, { username: 'alice' }, { 'x-csrf-token': bob.csrfToken });
    expect(denied.status).toBe(403);
    expect(await me(h, alice.id)).toBe(200);

    const ended = await postJson(h, '/admin/sessions/end', root.id, { username: 'alice' }, { 'x-csrf-token': root.csrfToken });
    expect(ended.status).toBe(200);
    expect(await ended.json()).toEqual({ subject: 'alice', endedSessions: 1 });
    expect(await me(h, alice.id)).toBe(401);
    expect(await me(h, root.id)).toBe(200);
    expect(await me(h, bob.id)).toBe(200);
  });

  it('3.6 the session index forgets ended sessions (per-user count)', async () => {
    const first = await login(h, 'alice');
    await login(h, 'alice');
    const user = await h.store.findUserByUsername('alice');
    expect(await h.store.countUserSessions(user!.id)).toBe(2);
    await postJson(h, '/logout', first.id, {}, { 'x-csrf-token': first.csrfToken });
    expect(await h.store.countUserSessions(user!.id)).toBe(1);
  });
});
