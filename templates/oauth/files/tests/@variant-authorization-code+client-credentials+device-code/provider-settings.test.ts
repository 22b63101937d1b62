import { describe, expect, it } from 'vitest';
import { POLICY } from '../../../policy.js';
import { readProviderSettings } from '../provider/settings.js';
import { PLANNED_TOKEN_FORMAT } from '../provider/token-format.js';
import { startProviderServer } from './server-harness.js';

/*
 * The authorization server's lifetimes come from the policy table the
 * decision record states: its defaults when nothing is set, and a value
 * outside its range stops the start, naming the variable and the range.
 */
const ALL = ['authorization-code', 'client-credentials', 'device-code'];
const BASE = { OAUTH_SERVER_COOKIE_KEYS: 'settings-test-cookie-key-0123456789-abcdef', PORT: '4000' };
const read = (env: Record<string, string>, variants: string[] = ALL) => readProviderSettings({ ...BASE, ...env }, POLICY.oauth, variants, []);

describe('authorization server settings', () => {
  it('defaults: every lifetime is the policy default; the token format is the one the record chose; loopback URLs', () => {
    const settings = read({});
    const people = POLICY.oauth['authorization-code'];
    const device = POLICY.oauth['device-code'];
    expect(settings.lifetimes).toEqual({
      authorizationCode: people.authorizationCode.default,
      accessToken: people.accessToken.default,
      serviceToken: POLICY.oauth['client-credentials'].accessToken.default,
      refreshIdle: people.refreshTokenIdle.default,
      refreshAbsolute: people.refreshTokenAbsolute.default,
      deviceCode: device.deviceCode.default,
      pollingInterval: device.pollingInterval.default,
      clockSkew: people.clockSkew.default,
      keyRotation: people.signingKeyRotation.default,
    });
    // Issue 12 finding 6: access tokens live at most five minutes.
    expect(settings.lifetimes.accessToken).toBeLessThanOrEqual(300);
    expect(settings.tokenFormat).toBe(PLANNED_TOKEN_FORMAT);
    expect(settings.issuer).toBe('http://127.0.0.1:4000/oauth');
    expect(settings.audience).toBe('http://127.0.0.1:4000');
    expect(settings.mountPath).toBe('/oauth');
  });

  it.each([
    ['OAUTH_SERVER_ACCESS_TOKEN_SECONDS', POLICY.oauth['authorization-code'].accessToken],
    ['OAUTH_SERVER_AUTHORIZATION_CODE_SECONDS', POLICY.oauth['authorization-code'].authorizationCode],
    ['OAUTH_SERVER_REFRESH_IDLE_SECONDS', POLICY.oauth['authorization-code'].refreshTokenIdle],
    ['OAUTH_SERVER_REFRESH_ABSOLUTE_SECONDS', POLICY.oauth['authorization-code'].refreshTokenAbsolute],
    ['OAUTH_SERVER_DEVICE_CODE_SECONDS', POLICY.oauth['device-code'].deviceCode],
    ['OAUTH_SERVER_DEVICE_POLLING_SECONDS', POLICY.oauth['device-code'].pollingInterval],
    ['OAUTH_SERVER_CLOCK_SKEW_SECONDS', POLICY.oauth['authorization-code'].clockSkew],
    ['OAUTH_SERVER_KEY_ROTATION_SECONDS', POLICY.oauth['authorization-code'].signingKeyRotation],
  ])('%s: the bounds are accepted, one past either bound is refused naming the variable and the range', (name, setting) => {
    const pairs: Record<string, string> = name === 'OAUTH_SERVER_REFRESH_IDLE_SECONDS' ? { OAUTH_SERVER_REFRESH_ABSOLUTE_SECONDS: String(POLICY.oauth['authorization-code'].refreshTokenAbsolute.max) } : {};
    if (name === 'OAUTH_SERVER_REFRESH_ABSOLUTE_SECONDS') pairs.OAUTH_SERVER_REFRESH_IDLE_SECONDS = String(POLICY.oauth['authorization-code'].refreshTokenIdle.min);
    expect(() => read({ ...pairs, [name]: String(setting.min) })).not.toThrow();
    expect(() => read({ ...pairs, [name]: String(setting.max) })).not.toThrow();
    for (const bad of [setting.max + 1, ...(setting.min > 0 ? [setting.min - 1] : []), 'soon']) {
      expect(() => read({ ...pairs, [name]: String(bad) })).toThrow(new RegExp(`${name} must be a whole number of seconds from ${setting.min} .* to ${setting.max} `));
    }
  });

  it('a refresh token may not be allowed to idle longer than its grant lives', () => {
    expect(() => read({ OAUTH_SERVER_REFRESH_IDLE_SECONDS: String(3 * 86_400), OAUTH_SERVER_REFRESH_ABSOLUTE_SECONDS: String(2 * 86_400) })).toThrow(/may not exceed OAUTH_SERVER_REFRESH_ABSOLUTE_SECONDS/);
  });

  it('production: the issuer and audience must be set and https; cookie keys must be long', () => {
    expect(() => read({ NODE_ENV: 'production' })).toThrow(/OAUTH_SERVER_ISSUER is not set/);
    expect(() => read({ NODE_ENV: 'production', OAUTH_SERVER_ISSUER: 'http://auth.example.com/oauth', OAUTH_SERVER_AUDIENCE: 'https://api.example.com' })).toThrow(/must use https/);
    expect(() => read({ NODE_ENV: 'production', OAUTH_SERVER_ISSUER: 'https://auth.example.com/oauth', OAUTH_SERVER_AUDIENCE: 'https://api.example.com', OAUTH_SERVER_COOKIE_KEYS: 'short' })).toThrow(
      /shorter than 32 characters/,
    );
    expect(() => read({ OAUTH_SERVER_COOKIE_KEYS: '' })).toThrow(/OAUTH_SERVER_COOKIE_KEYS is not set/);
  });

  it('an issuer without a path of its own, a bad scope or token format is refused', () => {
    expect(() => read({ OAUTH_SERVER_ISSUER: 'http://127.0.0.1:4000' })).toThrow(/needs a path of its own/);
    expect(() => read({ OAUTH_SERVER_SCOPES: 'read openid' })).toThrow(/managed by the authorization server/);
    expect(() => read({ OAUTH_SERVER_SCOPES: 'Read!' })).toThrow(/is not a scope/);
    expect(() => read({ OAUTH_SERVER_TOKEN_FORMAT: 'paseto' })).toThrow(/OAUTH_SERVER_TOKEN_FORMAT must be one of jwt, opaque/);
  });

  it('the server does not start with an access-token lifetime past the policy maximum', async () => {
    const max = POLICY.oauth['authorization-code'].accessToken.max;
    await expect(startProviderServer({ variants: ['authorization-code'], env: { OAUTH_SERVER_ACCESS_TOKEN_SECONDS: String(max + 1) } })).rejects.toThrow(
      /OAUTH_SERVER_ACCESS_TOKEN_SECONDS must be a whole number of seconds/,
    );
  });
});

describe('in production', () => {
  it('the demo credential is refused: it would create the account or client it names', async () => {
    const server = await startProviderServer({
      variants: ['authorization-code'],
      env: { NODE_ENV: 'production', OAUTH_SERVER_ISSUER: 'https://auth.example.test/oauth', OAUTH_SERVER_AUDIENCE: 'https://api.example.test' },
    });
    try {
      await expect(server.auth.credential({ boundary: 'apps', subject: 'mallory', scopes: ['read'] })).rejects.toThrow(/demos and tests only/);
      expect(await server.part.accounts.find('mallory')).toBeNull();
    } finally {
      await server.close();
    }
  });
});
