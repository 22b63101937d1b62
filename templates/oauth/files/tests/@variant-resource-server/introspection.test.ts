import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { POLICY } from '../../../policy.js';
import { bearer, startIssuerAndApi, type IssuerAndApi } from './rs-support.js';

/*
 * Opaque access tokens, checked by RFC 7662 introspection at the real issuer,
 * through a bounded cache: one call per token and period, an active answer
 * never kept past the token's exp, an inactive one never past the period, so
 * a revoked token stops within the period (issue 12, finding 7).
 */
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const period = POLICY.oauth['resource-server'].introspectionCache.default;
let rig: IssuerAndApi;

beforeAll(async () => {
  rig = await startIssuerAndApi({ check: 'introspection' });
});
afterAll(async () => {
  await rig?.close();
});

const calls = () => rig.part.introspector!.calls();
const me = (token: string) => rig.get('/api/me', bearer(token));

describe('introspection mode (opaque tokens)', () => {
  it('the issuer\'s opaque token → 200 naming the caller; a second request asks the issuer nothing', async () => {
    expect(rig.part.settings.introspectionCache).toBe(period);
    const { token } = await rig.issuer.mintAccessToken({ subject: 'dora', scopes: ['read'] });
    expect(token).not.toContain('.');
    const before = calls();
    expect((await me(token)).body).toMatchObject({ subject: 'dora', issuer: rig.issuer.issuer, client: 'practice-app', scopes: ['read'] });
    expect((await me(token)).status).toBe(200);
    expect(calls()).toBe(before + 1);
  });

  it(`a revoked token keeps working only until the cache period ends (${period} s), then → 401`, async () => {
    const { token, grantId } = await rig.issuer.mintAccessToken({ subject: 'erin', scopes: ['read'] });
    expect((await me(token)).status).toBe(200);
    await rig.issuer.revokeGrant(grantId);
    // The issuer already says no; this API still holds its earlier answer.
    rig.api.clock.advance((period - 1) * 1000);
    expect((await me(token)).status).toBe(200);
    rig.api.clock.advance(1000);
    const reply = await me(token);
    expect(reply.status).toBe(401);
    expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="api", error="invalid_token"');
  });

  it('an inactive answer is remembered for the period and not longer', async () => {
    const unknown = 'not-a-token-the-issuer-ever-issued';
    const before = calls();
    expect((await me(unknown)).status).toBe(401);
    expect((await me(unknown)).status).toBe(401);
    expect(calls()).toBe(before + 1);
    rig.api.clock.advance(period * 1000);
    expect((await me(unknown)).status).toBe(401);
    expect(calls()).toBe(before + 2);
  });

  it('a refresh token is not an access token (its answer has no access-token type) → 401', async () => {
    const { refreshToken } = await rig.issuer.mintConnection({ subject: 'alice', scopes: ['read'] });
    expect((await me(refreshToken)).status).toBe(401);
  });

  it('scopes from the answer: 403 without admin, 200 with it', async () => {
    const read = (await rig.issuer.mintAccessToken({ subject: 'fay', scopes: ['read'] })).token;
    const admin = (await rig.issuer.mintAccessToken({ subject: 'gus', scopes: ['read', 'admin'] })).token;
    expect((await rig.get('/api/admin', bearer(read))).status).toBe(403);
    expect((await rig.get('/api/admin', bearer(admin))).status).toBe(200);
  });
});

describe('an answer is never kept past the token\'s exp', () => {
  it('a token that expires within the cache period is asked about again once it has expired', async () => {
    const short = await startIssuerAndApi({ check: 'introspection', accessTokenTtl: 5 });
    try {
      const { token } = await short.issuer.mintAccessToken({ subject: 'hal', scopes: ['read'] });
      expect((await short.get('/api/me', bearer(token))).status).toBe(200);
      const before = short.part.introspector!.calls();
      short.api.clock.advance(6_000);
      await short.get('/api/me', bearer(token));
      expect(short.part.introspector!.calls()).toBe(before + 1);
    } finally {
      await short.close();
    }
  });
});

describe('this API\'s audience and credentials', () => {
  it('a token for another API (aud) → 401; wrong introspection credentials → 503, logged for the operator', async () => {
    const other = await startIssuerAndApi({ check: 'introspection', env: { OAUTH_TRUSTED_AUDIENCE: 'https://another-api.example.test' } });
    try {
      const { token } = await other.issuer.mintAccessToken({ subject: 'ivy', scopes: ['read'] });
      expect((await other.get('/api/me', bearer(token))).status).toBe(401);
    } finally {
      await other.close();
    }
    const misconfigured = await startIssuerAndApi({ check: 'introspection', env: { OAUTH_INTROSPECTION_CLIENT_SECRET: 'wrong-secret' } });
    try {
      const { token } = await misconfigured.issuer.mintAccessToken({ subject: 'ivy', scopes: ['read'] });
      const reply = await misconfigured.get('/api/me', bearer(token));
      expect(reply.status).toBe(503);
      expect(misconfigured.api.logs.join('\n')).toMatch(/introspection: 401/);
    } finally {
      await misconfigured.close();
    }
  });
});
