import { describe, expect, it } from 'vitest';
import { readApiKeyConfig } from '../core/config.js';
import { MemoryApiKeyStore } from '../core/memory-store.js';

describe('configuration safety', () => {
  it('refuses to start without API_KEY_PEPPER', () => {
    expect(() => readApiKeyConfig({})).toThrow(/API_KEY_PEPPER is not set/);
    expect(() => readApiKeyConfig({ NODE_ENV: 'production' })).toThrow(/API_KEY_PEPPER is not set/);
  });

  it('refuses a short pepper in production and only warns elsewhere', () => {
    expect(() => readApiKeyConfig({ NODE_ENV: 'production', API_KEY_PEPPER: 'short' })).toThrow(/at least 32/);
    const development = readApiKeyConfig({ API_KEY_PEPPER: 'short' });
    expect(development.warnings.join(' ')).toMatch(/at least 32/);
    const production = readApiKeyConfig({ NODE_ENV: 'production', API_KEY_PEPPER: 'p'.repeat(32) });
    expect(production.warnings).toEqual([]);
    expect(production.prefix).toBe('ak_live');
  });

  it('refuses a prefix that scanners could not recognise', () => {
    expect(() => readApiKeyConfig({ API_KEY_PEPPER: 'p'.repeat(32), API_KEY_PREFIX: 'AK-Live' })).toThrow(/prefix/);
  });

  it('the in-memory store refuses NODE_ENV=production', () => {
    expect(() => new MemoryApiKeyStore({ NODE_ENV: 'production' })).toThrow(/tests only/);
    expect(() => new MemoryApiKeyStore({ NODE_ENV: 'test' })).not.toThrow();
  });
});
