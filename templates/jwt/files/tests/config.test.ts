import { describe, expect, it } from 'vitest';
import { describeDuration } from '../../../kernel/config.js';
import { POLICY } from '../../../policy.js';
import { readJwtConfig } from '../config.js';
import { TEST_ENV } from './env.js';

const BOTH = ['login-endpoint', 'token-service'];

const DURATIONS = [
  ['JWT_ACCESS_TOKEN_SECONDS', 'accessToken'],
  ['JWT_CLOCK_SKEW_SECONDS', 'clockSkew'],
  ['JWT_REFRESH_IDLE_SECONDS', 'refreshTokenIdle'],
  ['JWT_REFRESH_ABSOLUTE_SECONDS', 'refreshTokenAbsolute'],
  ['JWT_SIGNING_KEY_ROTATION_SECONDS', 'signingKeyRotation'],
] as const;

/*
 * The settings the decision record promises: defaults are POLICY's, and a
 * value outside POLICY's range stops the start, naming the variable and the
 * range (checklist 7.2).
 */
describe('JWT settings', () => {
  it.each(BOTH)('the defaults are POLICY.jwt[%s]\'s', (variant) => {
    const config = readJwtConfig(TEST_ENV, POLICY, [variant]);
    const policy = POLICY.jwt[variant as 'login-endpoint' | 'token-service'];
    const lifetimes = variant === 'login-endpoint' ? config.issuer!.lifetimes : config.tokenService!.lifetimes;
    for (const [, field] of DURATIONS) expect(lifetimes[field], field).toBe(policy[field].default);
    if (variant === 'token-service') {
      expect(config.tokenService).toMatchObject({ jwksCacheMaxAge: POLICY.jwt['token-service'].jwksCacheMaxAge.default, jwksCooldown: POLICY.jwt['token-service'].jwksCooldown.default });
    }
    expect(config.dpop).toBeNull();
  });

  it.each(DURATIONS)('%s: any value in POLICY\'s range is taken; outside it, the start stops naming the variable and the range', (name, field) => {
    const setting = POLICY.jwt['login-endpoint'][field];
    // Values that keep the other settings consistent (the idle time never above the absolute lifetime).
    const base = { ...TEST_ENV, JWT_REFRESH_IDLE_SECONDS: String(POLICY.jwt['login-endpoint'].refreshTokenIdle.min) };
    for (const good of [setting.min, setting.max]) {
      expect(readJwtConfig({ ...base, [name]: String(good) }, POLICY, ['login-endpoint']).issuer!.lifetimes[field]).toBe(good);
    }
    const range = `from ${setting.min} (${describeDuration(setting.min)}) to ${setting.max} (${describeDuration(setting.max)})`;
    for (const bad of [String(setting.max + 1), String(setting.min - 1), '1e308', '12.5', 'ten', '-0x10']) {
      expect(() => readJwtConfig({ ...base, [name]: bad }, POLICY, ['login-endpoint']), `${name}=${bad}`).toThrow(`${name} must be a whole number of seconds ${range}`);
    }
  });

  it('the key-set cache and cooldown of token-service boundaries are bounded by POLICY too', () => {
    const policy = POLICY.jwt['token-service'];
    expect(() => readJwtConfig({ ...TEST_ENV, JWT_JWKS_COOLDOWN_SECONDS: String(policy.jwksCooldown.min - 1) }, POLICY, ['token-service'])).toThrow(/JWT_JWKS_COOLDOWN_SECONDS must be a whole number of seconds from 5/);
    expect(() => readJwtConfig({ ...TEST_ENV, JWT_JWKS_CACHE_SECONDS: String(policy.jwksCacheMaxAge.max + 1) }, POLICY, ['token-service'])).toThrow(/JWT_JWKS_CACHE_SECONDS must be a whole number of seconds/);
  });

  it('refuses an idle refresh lifetime longer than the absolute one', () => {
    expect(() => readJwtConfig({ ...TEST_ENV, JWT_REFRESH_IDLE_SECONDS: String(20 * 86_400), JWT_REFRESH_ABSOLUTE_SECONDS: String(10 * 86_400) }, POLICY, ['login-endpoint'])).toThrow(
      /JWT_REFRESH_IDLE_SECONDS \(1728000\) cannot exceed JWT_REFRESH_ABSOLUTE_SECONDS \(864000\)/,
    );
  });

  it('needs the audience, the issuer and a 32-byte key-encryption key; never falls back to a default', () => {
    const without = (name: string) => Object.fromEntries(Object.entries(TEST_ENV).filter(([key]) => key !== name));
    expect(() => readJwtConfig(without('JWT_AUDIENCE'), POLICY, ['login-endpoint'])).toThrow(/JWT_AUDIENCE is not set/);
    expect(() => readJwtConfig(without('JWT_ISSUER'), POLICY, ['login-endpoint'])).toThrow(/JWT_ISSUER is not set/);
    expect(() => readJwtConfig(without('JWT_KEY_ENCRYPTION_KEY'), POLICY, ['login-endpoint'])).toThrow(/JWT_KEY_ENCRYPTION_KEY is not set/);
    expect(() => readJwtConfig({ ...TEST_ENV, JWT_KEY_ENCRYPTION_KEY: 'c2hvcnQ' }, POLICY, ['login-endpoint'])).toThrow(/32 random bytes/);
    expect(() => readJwtConfig({ ...TEST_ENV, JWT_ISSUER: 'my issuer' }, POLICY, ['login-endpoint'])).toThrow(/JWT_ISSUER must be a URL or URN/);
    // A ConfigError: the demo and the CLI exit with code 2 on it.
    expect(() => readJwtConfig(without('JWT_AUDIENCE'), POLICY, ['login-endpoint'])).toThrow(expect.objectContaining({ name: 'ConfigError' }));
    // An API that only verifies the token service's tokens signs nothing, so it needs no key-encryption key.
    expect(readJwtConfig({ ...without('JWT_KEY_ENCRYPTION_KEY'), JWT_TOKEN_SERVICE_JWKS_URL: 'https://auth.example.com/jwks' }, POLICY, ['token-service']).issuer).toBeNull();
  });

  it('token-service boundaries: production needs the key-set URL, over https unless on loopback', () => {
    const production = { ...TEST_ENV, NODE_ENV: 'production' };
    expect(() => readJwtConfig(production, POLICY, ['token-service'])).toThrow(/JWT_TOKEN_SERVICE_JWKS_URL is not set/);
    expect(() => readJwtConfig({ ...production, JWT_TOKEN_SERVICE_JWKS_URL: 'http://auth.example.com/jwks' }, POLICY, ['token-service'])).toThrow(/must use https in production/);
    expect(readJwtConfig({ ...production, JWT_TOKEN_SERVICE_JWKS_URL: 'http://127.0.0.1:3001/.well-known/jwks.json' }, POLICY, ['token-service']).tokenService!.jwksUrl).toBe('http://127.0.0.1:3001/.well-known/jwks.json');
    expect(readJwtConfig(TEST_ENV, POLICY, ['token-service']).tokenService!.jwksUrl).toBeNull();
    expect(() => readJwtConfig({ ...TEST_ENV, JWT_TOKEN_SERVICE_ISSUER: TEST_ENV.JWT_ISSUER! }, POLICY, BOTH)).toThrow(/must differ/);
  });

  it('DPoP: JWT_DPOP is on or off; the proof window is POLICY\'s and bounded; production needs the public origin', () => {
    expect(() => readJwtConfig({ ...TEST_ENV, JWT_DPOP: 'yes' }, POLICY, ['login-endpoint'])).toThrow(/JWT_DPOP must be one of off, on/);
    expect(readJwtConfig({ ...TEST_ENV, JWT_DPOP: 'on' }, POLICY, ['login-endpoint']).dpop).toEqual({ proofWindow: POLICY.dpop.proofWindow.default, publicOrigin: null });
    expect(() => readJwtConfig({ ...TEST_ENV, JWT_DPOP: 'on', AUTH_DPOP_PROOF_WINDOW_SECONDS: String(POLICY.dpop.proofWindow.max + 1) }, POLICY, ['login-endpoint'])).toThrow(
      /AUTH_DPOP_PROOF_WINDOW_SECONDS must be a whole number of seconds from 5/,
    );
    expect(() => readJwtConfig({ ...TEST_ENV, JWT_DPOP: 'on', NODE_ENV: 'production' }, POLICY, ['login-endpoint'])).toThrow(/AUTH_PUBLIC_ORIGIN/);
    expect(() => readJwtConfig({ ...TEST_ENV, JWT_DPOP: 'on', AUTH_PUBLIC_ORIGIN: 'https://api.example.com/v1' }, POLICY, ['login-endpoint'])).toThrow(/AUTH_PUBLIC_ORIGIN must be an origin/);
    expect(readJwtConfig({ ...TEST_ENV, JWT_DPOP: 'on', NODE_ENV: 'production', AUTH_PUBLIC_ORIGIN: 'https://api.example.com' }, POLICY, ['login-endpoint']).dpop!.publicOrigin).toBe('https://api.example.com');
  });
});
