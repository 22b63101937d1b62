import { describe, expect, it } from 'vitest';
import { describeDuration } from '../../../kernel/config.js';
import { POLICY } from '../../../policy.js';
import { lifetimeVariables, readSessionConfig, SESSION_VARIANTS } from '../config.js';
import { startSessionServer } from './support.js';

/*
 * Session lifetimes are the policy table's: the defaults the decision record
 * states, and a value outside the table's range stops the start (checklist
 * 7.2), naming the variable and the range.
 */
const policy = POLICY.session;
const both = ['cookie', 'token'];

describe('session settings', () => {
  it('default to the policy table, for each variant', () => {
    const config = readSessionConfig({}, policy, both);
    for (const variant of SESSION_VARIANTS) {
      expect(config.lifetimes[variant]).toEqual({ idleTimeout: policy[variant].idleTimeout.default, absoluteLifetime: policy[variant].absoluteLifetime.default });
    }
  });

  it('take values within the range, up to its very ends', () => {
    for (const variant of SESSION_VARIANTS) {
      const names = lifetimeVariables(variant);
      const low = readSessionConfig({ [names.idleTimeout]: String(policy[variant].idleTimeout.min), [names.absoluteLifetime]: String(policy[variant].absoluteLifetime.max) }, policy, both);
      expect(low.lifetimes[variant]).toEqual({ idleTimeout: policy[variant].idleTimeout.min, absoluteLifetime: policy[variant].absoluteLifetime.max });
    }
  });

  it('7.2 refuse a value outside the range, naming the variable and the range', () => {
    for (const variant of SESSION_VARIANTS) {
      const names = lifetimeVariables(variant);
      for (const [name, setting] of [
        [names.idleTimeout, policy[variant].idleTimeout],
        [names.absoluteLifetime, policy[variant].absoluteLifetime],
      ] as const) {
        for (const value of [String(setting.max + 1), String(setting.min - 1), '1e308', '-1', 'ten', '3600.5']) {
          expect(() => readSessionConfig({ [name]: value }, policy, both), `${name}=${value}`).toThrow(
            expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining(`${name} must be a whole number of seconds from ${setting.min} (`) }),
          );
        }
      }
    }
    const { max } = policy.cookie.absoluteLifetime;
    expect(() => readSessionConfig({ SESSION_COOKIE_ABSOLUTE_LIFETIME_SECONDS: String(max + 1) }, policy, both)).toThrow(`to ${max} (${describeDuration(max)}); got "${max + 1}"`);
  });

  it('refuse an idle timeout longer than the absolute lifetime', () => {
    expect(() => readSessionConfig({ SESSION_COOKIE_IDLE_TIMEOUT_SECONDS: '7200', SESSION_COOKIE_ABSOLUTE_LIFETIME_SECONDS: '3600' }, policy, both)).toThrow(
      /SESSION_COOKIE_IDLE_TIMEOUT_SECONDS \(2 hours\) is longer than SESSION_COOKIE_ABSOLUTE_LIFETIME_SECONDS \(1 hour\)/,
    );
  });

  it('read only the variants some boundary uses', () => {
    const cookieOnly = readSessionConfig({ SESSION_TOKEN_IDLE_TIMEOUT_SECONDS: 'not read' }, policy, ['cookie']);
    expect(cookieOnly.lifetimes.token.idleTimeout).toBe(policy.token.idleTimeout.default);
    expect(() => readSessionConfig({ SESSION_TOKEN_IDLE_TIMEOUT_SECONDS: 'read now' }, policy, ['token'])).toThrow(/SESSION_TOKEN_IDLE_TIMEOUT_SECONDS/);
  });

  it('a value out of range stops the server from starting', async () => {
    await expect(startSessionServer({ env: { SESSION_TOKEN_ABSOLUTE_LIFETIME_SECONDS: String(policy.token.absoluteLifetime.max + 1) } })).rejects.toThrow(
      /SESSION_TOKEN_ABSOLUTE_LIFETIME_SECONDS must be a whole number of seconds/,
    );
  });
});
