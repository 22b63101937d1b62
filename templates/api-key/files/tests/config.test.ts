import { describe, expect, it } from 'vitest';
import { POLICY } from '../../../policy.js';
import { readApiKeyConfig } from '../config.js';

const policy = POLICY['api-key'].application;
const PEPPER = 'p'.repeat(32);

describe('API key settings', () => {
  it('refuses to start without API_KEY_PEPPER', () => {
    expect(() => readApiKeyConfig({}, policy, [])).toThrow(/API_KEY_PEPPER is not set/);
    // A ConfigError: the demo and the CLI exit with code 2 on it.
    expect(() => readApiKeyConfig({ NODE_ENV: 'production' }, policy, [])).toThrow(expect.objectContaining({ name: 'ConfigError' }));
  });

  it('refuses a short pepper in production and only warns elsewhere', () => {
    expect(() => readApiKeyConfig({ NODE_ENV: 'production', API_KEY_PEPPER: 'short' }, policy, [])).toThrow(/at least 32/);
    const warnings: string[] = [];
    readApiKeyConfig({ API_KEY_PEPPER: 'short' }, policy, warnings);
    expect(warnings.join(' ')).toMatch(/at least 32/);
    const production = readApiKeyConfig({ NODE_ENV: 'production', API_KEY_PEPPER: PEPPER }, policy, []);
    expect(production).toMatchObject({ prefix: 'ak_live', realm: 'api', keyLifetime: policy.keyLifetime.default, rotationOverlap: policy.rotationOverlap.default });
  });

  it('refuses a prefix that secret scanners could not recognise', () => {
    expect(() => readApiKeyConfig({ API_KEY_PEPPER: PEPPER, API_KEY_PREFIX: 'AK-Live' }, policy, [])).toThrow(/API_KEY_PREFIX/);
  });

  it('7.2 lifetimes and overlaps come from the policy, bounded by it', () => {
    expect(readApiKeyConfig({ API_KEY_PEPPER: PEPPER, API_KEY_LIFETIME_SECONDS: String(policy.keyLifetime.min) }, policy, []).keyLifetime).toBe(policy.keyLifetime.min);
    expect(() => readApiKeyConfig({ API_KEY_PEPPER: PEPPER, API_KEY_LIFETIME_SECONDS: '1e308' }, policy, [])).toThrow(
      `API_KEY_LIFETIME_SECONDS must be a whole number of seconds from ${policy.keyLifetime.min}`,
    );
    expect(() => readApiKeyConfig({ API_KEY_PEPPER: PEPPER, API_KEY_ROTATION_OVERLAP_SECONDS: String(policy.rotationOverlap.max + 1) }, policy, [])).toThrow(
      /API_KEY_ROTATION_OVERLAP_SECONDS must be a whole number of seconds from 0/,
    );
  });
});
