import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { POLICY } from '../../../policy.js';
import { bearer, startIssuerAndApi, type IssuerAndApi } from './rs-support.js';

/*
 * Issue 12, finding 6: a JWT access token outlives the revocation of its
 * grant. With OAUTH_TOKEN_CHECK=jwt-with-revocation the API also asks the
 * issuer (introspection, cached for the revocation-check period) whether the
 * token still stands: a revoked grant stops within that period. With `jwt`
 * alone it stops only at the token's expiry: AUTH.md states both windows.
 */
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const period = POLICY.oauth['resource-server'].revocationCheckCache.default;

describe('revocation-aware checks of JWT access tokens (jwt-with-revocation)', () => {
  let rig: IssuerAndApi;
  beforeAll(async () => {
    rig = await startIssuerAndApi({ check: 'jwt-with-revocation' });
  });
  afterAll(async () => {
    await rig?.close();
  });

  it(`a revoked grant's JWT works until the revocation-check period ends (${period} s), and is refused from then on`, async () => {
    expect(rig.part.settings.revocationCheckCache).toBe(period);
    const { token, grantId } = await rig.issuer.mintAccessToken({ subject: 'alice', scopes: ['read'] });
    expect(token.split('.')).toHaveLength(3);
    expect((await rig.get('/api/me', bearer(token))).status).toBe(200);
    await rig.issuer.revokeGrant(grantId);
    rig.api.clock.advance((period - 1) * 1000);
    expect((await rig.get('/api/me', bearer(token))).status).toBe(200);
    rig.api.clock.advance(1000);
    const refused = await rig.get('/api/me', bearer(token));
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="api", error="invalid_token"');
    expect(rig.api.audits.at(-1)).toContain('reason=revoked');
  });

  it('a forged or expired JWT is refused before the issuer is asked', async () => {
    const before = rig.part.introspector!.calls();
    expect((await rig.get('/api/me', bearer(await rig.sign({ exp: rig.now() - 3_600 })))).status).toBe(401);
    expect(rig.part.introspector!.calls()).toBe(before);
  });

  it('one call per token and period, however many requests', async () => {
    const { token } = await rig.issuer.mintAccessToken({ subject: 'bob', scopes: ['read'] });
    const before = rig.part.introspector!.calls();
    for (let i = 0; i < 5; i += 1) expect((await rig.get('/api/me', bearer(token))).status).toBe(200);
    expect(rig.part.introspector!.calls()).toBe(before + 1);
  });
});

describe('plain jwt checks (for contrast)', () => {
  it('a revoked grant\'s JWT keeps working until it expires: the window is the token\'s lifetime', async () => {
    const rig = await startIssuerAndApi({ check: 'jwt' });
    try {
      const { token, grantId } = await rig.issuer.mintAccessToken({ subject: 'alice', scopes: ['read'] });
      await rig.issuer.revokeGrant(grantId);
      rig.api.clock.advance(60_000);
      expect((await rig.get('/api/me', bearer(token))).status).toBe(200);
      expect(rig.part.introspector).toBeNull();
    } finally {
      await rig.close();
    }
  });
});
