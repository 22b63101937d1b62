import { describe, expect, it, vi } from 'vitest';
import { POLICY } from '../../../policy.js';
import { readResourceServerSettings } from '../resource-server/settings.js';
import { startIssuerAndApi } from './rs-support.js';

/*
 * The resource server's settings: the values the decision record states
 * (POLICY.oauth['resource-server'], POLICY.dpop) are the defaults, and a value
 * outside its range stops the start with a message naming the variable and
 * the range (checklist 7.2).
 */
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const policy = { rs: POLICY.oauth['resource-server'], dpop: POLICY.dpop };
const base = { OAUTH_TRUSTED_ISSUER: 'https://login.example.com/', OAUTH_TRUSTED_AUDIENCE: 'https://api.example.com' };
const read = (env: Record<string, string>, planned = 'jwt') => readResourceServerSettings({ ...base, ...env }, policy, planned, []);
const refusal = (env: Record<string, string>, planned = 'jwt') => {
  try {
    read(env, planned);
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  return null;
};

describe('resource-server settings', () => {
  it('defaults are the policy\'s: skew, JWKS cache and cooldown, both caches, the DPoP proof window', () => {
    expect(read({})).toMatchObject({
      issuer: 'https://login.example.com/',
      audience: 'https://api.example.com',
      check: 'jwt',
      clockSkew: policy.rs.clockSkew.default,
      jwksCacheMaxAge: policy.rs.jwksCacheMaxAge.default,
      jwksCooldown: policy.rs.jwksCooldown.default,
      introspectionCache: policy.rs.introspectionCache.default,
      revocationCheckCache: policy.rs.revocationCheckCache.default,
      dpopProofWindow: policy.dpop.proofWindow.default,
      algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
    });
  });

  it.each([
    ['OAUTH_CLOCK_SKEW_SECONDS', policy.rs.clockSkew],
    ['OAUTH_JWKS_CACHE_MAX_AGE_SECONDS', policy.rs.jwksCacheMaxAge],
    ['OAUTH_JWKS_COOLDOWN_SECONDS', policy.rs.jwksCooldown],
    ['OAUTH_INTROSPECTION_CACHE_SECONDS', policy.rs.introspectionCache],
    ['OAUTH_REVOCATION_CHECK_CACHE_SECONDS', policy.rs.revocationCheckCache],
    ['OAUTH_DPOP_PROOF_WINDOW_SECONDS', policy.dpop.proofWindow],
  ])('7.2 %s: the bounds are accepted, one beyond either is refused naming the variable and the range', (name, setting) => {
    expect(read({ [name]: String(setting.min) })).toBeTruthy();
    expect(read({ [name]: String(setting.max) })).toBeTruthy();
    for (const bad of [String(setting.max + 1), ...(setting.min > 0 ? [String(setting.min - 1)] : ['-1']), 'soon', '1e3']) {
      const refused = refusal({ [name]: bad });
      expect(refused?.name).toBe('ConfigError');
      expect(refused?.message).toContain(name);
      expect(refused?.message).toContain(`from ${setting.min}`);
      expect(refused?.message).toContain(`to ${setting.max}`);
    }
  });

  it('the issuer and audience are required, the issuer https (http on loopback only), and HMAC or unknown algorithms are refused', () => {
    expect(refusal({ OAUTH_TRUSTED_ISSUER: '' })?.message).toMatch(/OAUTH_TRUSTED_ISSUER is not set/);
    expect(refusal({ OAUTH_TRUSTED_AUDIENCE: '' })?.message).toMatch(/OAUTH_TRUSTED_AUDIENCE is not set/);
    expect(refusal({ OAUTH_TRUSTED_ISSUER: 'http://login.example.com/' })?.message).toMatch(/https/);
    expect(read({ OAUTH_TRUSTED_ISSUER: 'http://127.0.0.1:4000/issuer' }).issuer).toBe('http://127.0.0.1:4000/issuer');
    expect(refusal({ OAUTH_TRUSTED_ISSUER: 'http://127.0.0.1:4000/issuer', NODE_ENV: 'production' })?.message).toMatch(/https when NODE_ENV=production/);
    for (const algorithms of ['HS256', 'ES256,none', 'RS256,HS512']) expect(refusal({ OAUTH_TOKEN_ALGORITHMS: algorithms })?.message).toMatch(/OAUTH_TOKEN_ALGORITHMS/);
    expect(read({ OAUTH_TOKEN_ALGORITHMS: 'RS256, ES256' }).algorithms).toEqual(['RS256', 'ES256']);
  });

  it('the token check: from the planned token format by default; introspection needs this API\'s client credentials', () => {
    expect(read({ OAUTH_INTROSPECTION_CLIENT_ID: 'api', OAUTH_INTROSPECTION_CLIENT_SECRET: 's' }, 'opaque').check).toBe('introspection');
    expect(refusal({}, 'opaque')?.message).toMatch(/OAUTH_INTROSPECTION_CLIENT_ID is not set/);
    expect(refusal({ OAUTH_TOKEN_CHECK: 'jwt-with-revocation', OAUTH_INTROSPECTION_CLIENT_ID: 'api' })?.message).toMatch(/OAUTH_INTROSPECTION_CLIENT_SECRET is not set/);
    expect(refusal({ OAUTH_TOKEN_CHECK: 'trust-me' })?.message).toMatch(/OAUTH_TOKEN_CHECK must be one of jwt, jwt-with-revocation, introspection/);
    expect(read({ OAUTH_TOKEN_CHECK: 'jwt-with-revocation', OAUTH_INTROSPECTION_CLIENT_ID: 'api', OAUTH_INTROSPECTION_CLIENT_SECRET: 's' }).introspection).toEqual({ clientId: 'api', clientSecret: 's' });
  });

  it('the practice issuer is refused in production, and replaces a configured issuer with a warning elsewhere', () => {
    expect(refusal({ OAUTH_PRACTICE_ISSUER: '1', NODE_ENV: 'production' })?.message).toMatch(/OAUTH_PRACTICE_ISSUER/);
    expect(refusal({ OAUTH_PRACTICE_ISSUER: 'yes' })?.message).toMatch(/OAUTH_PRACTICE_ISSUER must be 1/);
    const warnings: string[] = [];
    expect(readResourceServerSettings({ ...base, OAUTH_PRACTICE_ISSUER: '1' }, policy, 'jwt', warnings).issuer).toBeNull();
    expect(warnings.join('\n')).toMatch(/overrides OAUTH_TRUSTED_ISSUER/);
  });

  it('7.2 a setting out of range stops the start of the whole package, naming it', async () => {
    await expect(startIssuerAndApi({ env: { OAUTH_REVOCATION_CHECK_CACHE_SECONDS: String(policy.rs.revocationCheckCache.max + 1) } })).rejects.toThrow(/OAUTH_REVOCATION_CHECK_CACHE_SECONDS/);
  });
});
