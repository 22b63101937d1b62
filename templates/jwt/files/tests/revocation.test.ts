import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY } from '../../../policy.js';
import type { Reply } from '../../../tests/harness.js';
import type { JwtMethod } from '../index.js';
import type { TokenReply } from '../issuer.js';
import { bearer, PASSWORDS, startRig, type Rig } from './support.js';

function expectInvalidGrant(reply: Reply): void {
  expect(reply.status).toBe(400);
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(reply.headers.get('cache-control')).toBe('no-store');
  expect(reply.body).toMatchObject({ type: expect.stringMatching(/:invalid-grant$/), error: 'invalid_grant' });
}

/*
 * Checklist 2.15 and 2.16 for the API that signs people in: signing out, a
 * new password and a disabled account end the access tokens issued before
 * (per-account version and per-sign-in record, never a hash of the token);
 * refresh tokens rotate, their reuse ends the whole sign-in, and they have an
 * absolute lifetime. Lifetimes are POLICY's defaults, moved through with the
 * test clock.
 */
describe('revocation, login-endpoint (checklist 2.15-2.16)', { timeout: 60_000 }, () => {
  let rig: Rig;
  const policy = POLICY.jwt['login-endpoint'];
  const me = async (token: string) => (await rig.get(`/${rig.boundary}/me`, bearer(token))).status;
  const refresh = (token: string) => rig.postToken(`${rig.tokenPrefix}/token/refresh`, { refresh_token: token });
  const accounts = () => rig.api.auth.method<JwtMethod>('jwt').accounts;

  beforeAll(async () => {
    rig = await startRig('login-endpoint');
  }, 60_000);
  afterAll(async () => {
    await rig?.close();
  });

  it('2.15 after logout the old access token → 401 and its refresh token → 400; other sign-ins go on', async () => {
    const laptop = await rig.signIn('alice');
    const phone = await rig.signIn('alice');
    expect(await me(laptop.access_token)).toBe(200);
    const logout = await rig.postToken(`${rig.tokenPrefix}/logout`, { refresh_token: laptop.refresh_token });
    expect(logout.status).toBe(204);
    expect(logout.headers.get('cache-control')).toBe('no-store');
    expect(await me(laptop.access_token)).toBe(401);
    expectInvalidGrant(await refresh(laptop.refresh_token));
    expect(await me(phone.access_token)).toBe(200);
    expect((await refresh(phone.refresh_token)).status).toBe(200);
  });

  it('2.15 logout everywhere ends every access and refresh token of the account, and only of it', async () => {
    const laptop = await rig.signIn('alice');
    const phone = await rig.signIn('alice');
    const minted = await rig.mint('alice');
    const other = await rig.signIn('root');
    expect((await rig.postToken(`${rig.tokenPrefix}/logout-everywhere`, { refresh_token: phone.refresh_token })).status).toBe(204);
    for (const token of [laptop.access_token, phone.access_token, minted]) expect(await me(token)).toBe(401);
    expectInvalidGrant(await refresh(laptop.refresh_token));
    expectInvalidGrant(await refresh(phone.refresh_token));
    expect(await me(other.access_token)).toBe(200);
    // A new sign-in works at once: nothing is keyed on the old tokens.
    expect(await me((await rig.signIn('alice')).access_token)).toBe(200);
  });

  it('2.15 a password change ends the old tokens; the new password signs in', async () => {
    const tokens = await rig.signIn('root');
    await accounts().setPassword('root', 'a brand new root password');
    expect(await me(tokens.access_token)).toBe(401);
    expectInvalidGrant(await refresh(tokens.refresh_token));
    const again = await rig.postToken(`${rig.tokenPrefix}/token`, { username: 'root', password: 'a brand new root password' });
    expect(again.status).toBe(200);
    expect(await me((again.body as TokenReply).access_token)).toBe(200);
    await accounts().setPassword('root', PASSWORDS.root);
  });

  it('2.15 disabling the account ends its tokens and blocks sign-in; enabling lets it sign in again', async () => {
    const tokens = await rig.signIn('alice');
    await accounts().setDisabled('alice', true);
    expect(await me(tokens.access_token)).toBe(401);
    expectInvalidGrant(await refresh(tokens.refresh_token));
    expectInvalidGrant(await rig.postToken(`${rig.tokenPrefix}/token`, { username: 'alice', password: PASSWORDS.alice }));
    await accounts().setDisabled('alice', false);
    expect(await me((await rig.signIn('alice')).access_token)).toBe(200);
  });

  it('2.16 each refresh issues a new refresh token; reusing a spent one → 400 invalid_grant and the whole sign-in ends', async () => {
    const signIn = await rig.signIn('alice');
    const first = await refresh(signIn.refresh_token);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const rotated = first.body as TokenReply;
    expect(rotated.refresh_token).not.toBe(signIn.refresh_token);
    expect(rotated.refresh_token).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);
    expect(await me(rotated.access_token)).toBe(200);

    expectInvalidGrant(await refresh(signIn.refresh_token));
    // The legitimate holder's newer token dies with the sign-in, and so do its access tokens.
    expectInvalidGrant(await refresh(rotated.refresh_token));
    expect(await me(rotated.access_token)).toBe(401);
    expect(await me(signIn.access_token)).toBe(401);
  });

  it('2.16 refresh tokens end after POLICY\'s idle time unused, and at the absolute lifetime however often they rotate', async () => {
    const idle = await rig.signIn('alice');
    rig.advance(policy.refreshTokenIdle.default - 60);
    const kept = await refresh(idle.refresh_token);
    expect(kept.status).toBe(200);
    rig.advance(policy.refreshTokenIdle.default + 1);
    expectInvalidGrant(await refresh((kept.body as TokenReply).refresh_token));

    const login = await rig.signIn('alice');
    let current = login.refresh_token;
    const step = policy.refreshTokenIdle.default - 3_600;
    let elapsed = 0;
    while (elapsed + step < policy.refreshTokenAbsolute.default) {
      rig.advance(step);
      elapsed += step;
      const response = await refresh(current);
      expect(response.status).toBe(200);
      current = (response.body as TokenReply).refresh_token;
    }
    rig.advance(policy.refreshTokenAbsolute.default - elapsed + 1);
    expectInvalidGrant(await refresh(current));
  });

  it('2.16 unknown, malformed and missing refresh tokens → 400 invalid_grant, one body for all', async () => {
    const replies: Reply[] = [];
    for (const token of [`rt_${'A'.repeat(43)}`, 'garbage', '', 42, null]) replies.push(await refresh(token as string));
    replies.push(await rig.postToken(`${rig.tokenPrefix}/token/refresh`, {}));
    for (const reply of replies) expectInvalidGrant(reply);
    expect(new Set(replies.map((reply) => reply.text)).size).toBe(1);
  });
});

/*
 * The token-service variant's window, as the decision record states it: the
 * API holds no sign-in state of the token service, so an access token issued
 * before a sign-out keeps working until it expires (one short lifetime); the
 * refresh token stops at once.
 */
describe('revocation, token-service: the window until expiry', { timeout: 60_000 }, () => {
  let rig: Rig;
  const policy = POLICY.jwt['token-service'];

  beforeAll(async () => {
    rig = await startRig('token-service');
  }, 60_000);
  afterAll(async () => {
    await rig?.close();
  });

  it('2.15 after logout at the token service, the API accepts the old access token only until it expires', async () => {
    const tokens = await rig.signIn('alice');
    expect((await rig.postToken(`${rig.tokenPrefix}/logout`, { refresh_token: tokens.refresh_token })).status).toBe(204);
    expectInvalidGrant(await rig.postToken(`${rig.tokenPrefix}/token/refresh`, { refresh_token: tokens.refresh_token }));
    expect((await rig.get(`/${rig.boundary}/me`, bearer(tokens.access_token))).status).toBe(200);
    rig.advance(policy.accessToken.default + policy.clockSkew.default + 1);
    expect((await rig.get(`/${rig.boundary}/me`, bearer(tokens.access_token))).status).toBe(401);
  });
});
