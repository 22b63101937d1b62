import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY } from '../../../policy.js';
import { bearer, claimsFor, issuerKey, es256, signed, startRig, VARIANTS, type Rig } from './support.js';

/*
 * Checklist section 2, lines 10-13: the claims of a correctly signed token,
 * over real HTTP with a clock the test moves, for both variants. The lifetimes
 * are POLICY's defaults: the values the decision record states.
 */
describe.each(VARIANTS)('claims, %s (checklist 2.10-2.13)', { timeout: 60_000 }, (variant) => {
  let rig: Rig;
  const policy = POLICY.jwt[variant];
  const status = async (token: string, path = 'me') => (await rig.get(`/${rig.boundary}/${path}`, bearer(token))).status;

  beforeAll(async () => {
    rig = await startRig(variant);
  }, 60_000);
  afterAll(async () => {
    await rig?.close();
  });

  it('2.10 tokens live POLICY\'s access-token lifetime; exp inside the clock skew → 200, past it → 401', async () => {
    const token = await rig.mint('alice');
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { iat: number; exp: number };
    expect(claims.exp - claims.iat).toBe(policy.accessToken.default);
    expect(await status(token)).toBe(200);
    rig.advance(policy.accessToken.default + policy.clockSkew.default - 5);
    expect(await status(token)).toBe(200);
    rig.advance(10);
    expect(await status(token)).toBe(401);
    rig.advance(-(policy.accessToken.default + policy.clockSkew.default + 5));
    expect(await status(token)).toBe(200);
  });

  it('2.10 nbf in the future → 401; within the skew → 200', async () => {
    const now = Math.floor(rig.now() / 1000);
    expect(await status(await signed(rig, await claimsFor(rig, 'alice', { nbf: now + policy.clockSkew.default + 60 })))).toBe(401);
    expect(await status(await signed(rig, await claimsFor(rig, 'alice', { nbf: now + Math.floor(policy.clockSkew.default / 2) })))).toBe(200);
  });

  it('2.10 missing exp, or missing iat → 401', async () => {
    const noExp = await claimsFor(rig);
    delete noExp.exp;
    expect(await status(await signed(rig, noExp))).toBe(401);
    const noIat = await claimsFor(rig);
    delete noIat.iat;
    expect(await status(await signed(rig, noIat))).toBe(401);
    expect(await status(await signed(rig, await claimsFor(rig)))).toBe(200);
  });

  it('2.10 an exp far in the future does not outlive the access-token lifetime', async () => {
    const now = Math.floor(rig.now() / 1000);
    const token = await signed(rig, await claimsFor(rig, 'alice', { exp: now + 365 * 86_400 }));
    expect(await status(token)).toBe(200);
    const beyond = policy.accessToken.default + policy.clockSkew.default + 5;
    rig.advance(beyond);
    expect(await status(token)).toBe(401);
    rig.advance(-beyond);
  });

  it('2.11 wrong or missing iss → 401', async () => {
    expect(await status(await signed(rig, await claimsFor(rig, 'alice', { iss: 'https://evil.test' })))).toBe(401);
    const missing = await claimsFor(rig);
    delete missing.iss;
    expect(await status(await signed(rig, missing))).toBe(401);
  });

  it('2.11 aud absent or for another API → 401; an audience list naming this API → 200', async () => {
    const missing = await claimsFor(rig);
    delete missing.aud;
    expect(await status(await signed(rig, missing))).toBe(401);
    expect(await status(await signed(rig, await claimsFor(rig, 'alice', { aud: 'https://other-api.test' })))).toBe(401);
    expect(await status(await signed(rig, await claimsFor(rig, 'alice', { aud: ['https://other-api.test'] })))).toBe(401);
    expect(await status(await signed(rig, await claimsFor(rig, 'alice', { aud: ['https://other-api.test', rig.audience] })))).toBe(200);
  });

  it('2.12 a refresh token presented as an access token → 401', async () => {
    const tokens = await rig.signIn('alice');
    expect(await status(tokens.refresh_token)).toBe(401);
    expect(await status(tokens.access_token)).toBe(200);
  });

  it('2.12 an ID token (typ JWT, nonce, a client audience) → 401, even with this API\'s audience', async () => {
    expect(await status(await signed(rig, await claimsFor(rig, 'alice', { aud: 'web-client', nonce: 'n-0S6_WzA2Mj', auth_time: 1 }), { typ: 'JWT' }))).toBe(401);
    expect(await status(await signed(rig, await claimsFor(rig, 'alice', { nonce: 'x' }), { typ: 'JWT' }))).toBe(401);
  });

  it('2.12 a missing or other typ → 401; the media-type spelling of at+jwt → 200', async () => {
    const key = await issuerKey(rig);
    expect(await status(await es256({ kid: key.kid }, await claimsFor(rig), key.privateKey))).toBe(401);
    for (const typ of ['refresh+jwt', 'id_token+jwt', 'jwt', 'application/jwt', 'at+jwt ', 'secevent+jwt', 'dpop+jwt']) {
      expect(await status(await signed(rig, await claimsFor(rig), { typ })), typ).toBe(401);
    }
    expect(await status(await signed(rig, await claimsFor(rig), { typ: 'application/at+jwt' }))).toBe(200);
  });

  it('2.13 a valid token without the needed scope → 403 error="insufficient_scope" naming the scope', async () => {
    const reply = await rig.get(`/${rig.boundary}/admin`, bearer(await rig.mint('alice')));
    expect(reply.status).toBe(403);
    expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="api", error="insufficient_scope", scope="admin"');
    expect(reply.body).toMatchObject({ type: expect.stringMatching(/:insufficient-scope$/), scope: 'admin' });
  });

  it('2.13 the admin scope opens /admin; scopes are whole words, and must be a string', async () => {
    expect(await status(await rig.mint('root'), 'admin')).toBe(200);
    expect(await status(await signed(rig, await claimsFor(rig, 'alice', { scope: 'read administrator' })), 'admin')).toBe(403);
    expect(await status(await signed(rig, await claimsFor(rig, 'alice', { scope: ['admin'] })), 'admin')).toBe(401);
  });
});
