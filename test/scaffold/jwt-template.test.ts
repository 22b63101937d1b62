/**
 * The JWT template's documentation states numbers the generated code
 * enforces: the defaults and ranges of POLICY.jwt and POLICY.dpop, and the
 * key-reload timings of its key ring. This test reads them back out of
 * AUTH.section.md.hbs and holds them to their sources, so the text cannot
 * drift from the code.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { POLICY, type Setting } from '../../src/core/policy.js';
import { defaultTemplatesRoot } from '../../src/shell/scaffold-templates.js';

const root = defaultTemplatesRoot();
const section = readFileSync(join(root, 'jwt', 'AUTH.section.md.hbs'), 'utf8');
const keyRing = readFileSync(join(root, 'jwt', 'files', 'signing-keys.ts'), 'utf8');

const UNIT_SECONDS: Record<string, number> = { second: 1, minute: 60, hour: 3_600, day: 86_400 };
function seconds(text: string): number {
  const match = /^(\d+) (second|minute|hour|day)s?$/.exec(text.trim());
  if (!match) throw new Error(`not a duration: "${text}"`);
  return Number(match[1]) * UNIT_SECONDS[match[2]!]!;
}

const jwt = POLICY.jwt['login-endpoint'];
const service = POLICY.jwt['token-service'];
const SETTINGS: Record<string, Setting[]> = {
  JWT_ACCESS_TOKEN_SECONDS: [jwt.accessToken, service.accessToken],
  JWT_CLOCK_SKEW_SECONDS: [jwt.clockSkew, service.clockSkew],
  JWT_REFRESH_IDLE_SECONDS: [jwt.refreshTokenIdle, service.refreshTokenIdle],
  JWT_REFRESH_ABSOLUTE_SECONDS: [jwt.refreshTokenAbsolute, service.refreshTokenAbsolute],
  JWT_SIGNING_KEY_ROTATION_SECONDS: [jwt.signingKeyRotation, service.signingKeyRotation],
  JWT_JWKS_CACHE_SECONDS: [service.jwksCacheMaxAge],
  JWT_JWKS_COOLDOWN_SECONDS: [service.jwksCooldown],
  AUTH_DPOP_PROOF_WINDOW_SECONDS: [POLICY.dpop.proofWindow],
};

const constant = (name: string): number => {
  const match = new RegExp(`export const ${name} = ([\\d_]+);`).exec(keyRing);
  if (!match) throw new Error(`signing-keys.ts has no ${name}`);
  return Number(match[1]!.replace(/_/g, ''));
};

describe('the JWT section of AUTH.md', () => {
  it.each(Object.keys(SETTINGS))('states POLICY\'s default and range for %s', (variable) => {
    const row = section.split('\n').find((line) => line.startsWith(`| \`${variable}\` |`));
    expect(row, `no settings row for ${variable}`).toBeDefined();
    const match = /\| ([^|()]+) \((.+) to (.+)\) \|/.exec(row!);
    expect(match, row).not.toBeNull();
    const [, value, min, max] = match!;
    // Both variants read the same variable; the section may state their values once only while they agree.
    for (const setting of SETTINGS[variable]!) expect([seconds(value!), seconds(min!), seconds(max!)]).toEqual([setting.default, setting.min, setting.max]);
  });

  it('states the key ring\'s publication lead, reload interval and cooldown as the code has them', () => {
    expect(constant('PUBLISH_AHEAD')).toBe(3_600);
    expect(section).toContain('it is published an\nhour before it signs');
    expect(section).toContain(`Instances reread the keys every ${constant('KEY_RELOAD') / 60} minutes`);
    expect(section).toContain(`at most\nonce per ${constant('KEY_RELOAD_COOLDOWN')} seconds`);
  });
});
