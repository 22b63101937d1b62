import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bearer, startHarness, SLOW_TEST_TIMEOUT_MS } from './harness.js';
import type { Harness } from './harness.js';

vi.setConfig({ testTimeout: SLOW_TEST_TIMEOUT_MS, hookTimeout: SLOW_TEST_TIMEOUT_MS });

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => {
  await harness?.close();
});

async function me(token: string): Promise<number> {
  return (await harness.get('/me', bearer(token))).status;
}

async function refresh(refreshToken: string): Promise<Response> {
  return harness.post('/auth/refresh', { refresh_token: refreshToken });
}

describe('2.15 logout and account changes end access tokens', () => {
  it('2.15 after logout the old access token → 401', async () => {
    const tokens = await harness.login('alice');
    expect(await me(tokens.access_token)).toBe(200);
    const logout = await harness.post('/auth/logout', { refresh_token: tokens.refresh_token }, bearer(tokens.access_token));
    expect(logout.status).toBe(204);
    expect(await me(tokens.access_token)).toBe(401);
    expect((await refresh(tokens.refresh_token)).status).toBe(400);
  });

  it('2.15 logout everywhere ends every access and refresh token of the user', async () => {
    const laptop = await harness.login('alice');
    const phone = await harness.login('alice');
    const other = await harness.login('root');
    expect((await harness.post('/auth/logout-all', {}, bearer(phone.access_token))).status).toBe(204);
    expect(await me(laptop.access_token)).toBe(401);
    expect(await me(phone.access_token)).toBe(401);
    expect((await refresh(laptop.refresh_token)).status).toBe(400);
    expect((await refresh(phone.refresh_token)).status).toBe(400);
    expect(await me(other.access_token)).toBe(200);
  });

  it('2.15 a password change ends the old tokens; the new password logs in', async () => {
    const tokens = await harness.login('root');
    await harness.auth.setPassword('root', 'a brand new root password');
    expect(await me(tokens.access_token)).toBe(401);
    expect((await refresh(tokens.refresh_token)).status).toBe(400);
    const again = await harness.post('/auth/token', { username: 'root', password: 'a brand new root password' });
    expect(again.status).toBe(200);
    await harness.auth.setPassword('root', 'root password for tests only');
  });

  it('2.15 disabling the account ends its tokens and blocks log-in', async () => {
    const tokens = await harness.login('alice');
    await harness.auth.setDisabled('alice', true);
    expect(await me(tokens.access_token)).toBe(401);
    expect((await refresh(tokens.refresh_token)).status).toBe(400);
    expect((await harness.post('/auth/token', { username: 'alice', password: 'correct horse battery staple' })).status).toBe(400);
    await harness.auth.setDisabled('alice', false);
    const back = await harness.login('alice');
    expect(await me(back.access_token)).toBe(200);
  });

  it('2.15 revocation is keyed on the user version, not on the token: a fresh login works right away', async () => {
    const first = await harness.login('alice');
    await harness.post('/auth/logout', {}, bearer(first.access_token));
    const second = await harness.login('alice');
    expect(await me(second.access_token)).toBe(200);
    const claims = JSON.parse(Buffer.from(second.access_token.split('.')[1] ?? '', 'base64url').toString()) as { ver: number };
    expect(claims.ver).toBeGreaterThan(0);
  });
});

describe('2.16 refresh token rotation', () => {
  it('2.16 each refresh returns a new refresh token; reusing a rotated one → 400 invalid_grant and the family is revoked', async () => {
    const login = await harness.login('alice');
    const first = await refresh(login.refresh_token);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const rotated = (await first.json()) as { access_token: string; refresh_token: string };
    expect(rotated.refresh_token).not.toBe(login.refresh_token);
    expect(await me(rotated.access_token)).toBe(200);

    const reuse = await refresh(login.refresh_token);
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toEqual({ error: 'invalid_grant' });
    // The legitimate holder's newer token dies with the family, and so do live access tokens.
    const successor = await refresh(rotated.refresh_token);
    expect(successor.status).toBe(400);
    expect(await successor.json()).toEqual({ error: 'invalid_grant' });
    expect(await me(rotated.access_token)).toBe(401);
  });

  it('2.16 refresh tokens have an absolute lifetime that rotation does not extend', async () => {
    const login = await harness.login('alice');
    let current = login.refresh_token;
    const step = harness.config.refreshTokenIdleSeconds - 3600;
    let elapsed = 0;
    while (elapsed + step < harness.config.refreshTokenMaxAgeSeconds) {
      harness.clock.advance(step);
      elapsed += step;
      const response = await refresh(current);
      expect(response.status).toBe(200);
      current = ((await response.json()) as { refresh_token: string }).refresh_token;
    }
    harness.clock.advance(harness.config.refreshTokenMaxAgeSeconds - elapsed + 1);
    const expired = await refresh(current);
    expect(expired.status).toBe(400);
    expect(await expired.json()).toEqual({ error: 'invalid_grant' });
  });

  it('2.16 unknown, malformed and idle-expired refresh tokens → 400 invalid_grant', async () => {
    for (const token of ['rt_' + 'A'.repeat(43), 'garbage', '', 42]) {
      const response = await harness.post('/auth/refresh', { refresh_token: token });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: 'invalid_grant' });
    }
    const login = await harness.login('alice');
    harness.clock.advance(harness.config.refreshTokenIdleSeconds + 1);
    expect((await refresh(login.refresh_token)).status).toBe(400);
  });
});
