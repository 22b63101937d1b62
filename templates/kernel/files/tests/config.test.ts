import { describe, expect, it } from 'vitest';
import { readKernelSettings } from '../kernel/auth.js';
import { describeDuration, readSeconds, readWhole } from '../kernel/config.js';
import { POLICY } from '../policy.js';

describe('bounded settings (checklist 7.2)', () => {
  const lifetime = POLICY['api-key'].application.keyLifetime;

  it('reads a duration within its policy range, and defaults to the policy', () => {
    expect(readSeconds({}, 'X_SECONDS', lifetime)).toBe(lifetime.default);
    expect(readSeconds({ X_SECONDS: String(lifetime.min) }, 'X_SECONDS', lifetime)).toBe(lifetime.min);
  });

  it.each(['0', '1e308', '-5', '86400.5', 'ninety', String(lifetime.max + 1)])('refuses %s, naming the variable and the range', (value) => {
    expect(() => readSeconds({ X_SECONDS: value }, 'X_SECONDS', lifetime)).toThrow(expect.objectContaining({ name: 'ConfigError' }));
    expect(() => readSeconds({ X_SECONDS: value }, 'X_SECONDS', lifetime)).toThrow(
      `X_SECONDS must be a whole number of seconds from ${lifetime.min} (${describeDuration(lifetime.min)}) to ${lifetime.max} (${describeDuration(lifetime.max)}); got "${value}".`,
    );
  });

  it('describes durations the way people say them', () => {
    expect(describeDuration(90 * 86_400)).toBe('90 days');
    expect(describeDuration(3_600)).toBe('1 hour');
    expect(describeDuration(90)).toBe('90 seconds');
  });

  it("checks the kernel's own settings", () => {
    expect(readKernelSettings({}, '/app')).toMatchObject({ proxy: { hops: 0, header: 'x-forwarded-for' }, trustedOrigins: [], bodyLimit: 16_384 });
    expect(() => readKernelSettings({ AUTH_TRUST_PROXY: '99' }, '/app')).toThrow('AUTH_TRUST_PROXY must be a whole number from 0 to 10');
    expect(() => readKernelSettings({ AUTH_PROXY_HEADER: 'x-client-ip' }, '/app')).toThrow('AUTH_PROXY_HEADER must be one of x-forwarded-for, x-real-ip, forwarded');
    expect(() => readKernelSettings({ AUTH_TRUSTED_ORIGINS: 'https://app.example.com/path' }, '/app')).toThrow(/AUTH_TRUSTED_ORIGINS/);
    expect(() => readKernelSettings({ AUTH_BODY_LIMIT: '1e9' }, '/app')).toThrow('AUTH_BODY_LIMIT must be a whole number from 1024 to 1048576 (bytes)');
    expect(() => readKernelSettings({ AUTH_STORE_PREFIX: 'Drop Table' }, '/app')).toThrow(/AUTH_STORE_PREFIX/);
    expect(readWhole({ PORT: '0' }, 'PORT', { default: 3000, min: 0, max: 65_535 })).toBe(0);
  });
});
