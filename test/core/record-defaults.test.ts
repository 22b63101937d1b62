/**
 * The record states the operating defaults of the generated code. Every
 * number it states must be the one in POLICY, the table the generated code
 * reads: this test renders a record for every method, variant and token
 * format, reads the numbers back out of the text and compares them with
 * POLICY, through its own map of what each stated setting means.
 */
import { describe, expect, it } from 'vitest';
import { POLICY, type Setting } from '../../src/core/policy.js';
import { renderRecord } from '../../src/core/record/render.js';
import { TOKEN_FORMATS, VARIANTS, type MethodId, type PlanEntry, type TokenFormat, type Variant } from '../../src/core/types.js';
import { loadAdrTemplates } from '../../src/shell/records.js';
import { sessionDecision } from '../fixtures/records/decisions.js';
import { sessionInput } from '../fixtures/records/inputs.js';

const templates = await loadAdrTemplates();

/** What each label in the record stands for: the POLICY field of the method's variant (or of `dpop`). */
const LABEL_TO_FIELD: Record<string, string> = {
  'Key lifetime': 'keyLifetime',
  'Rotation overlap': 'rotationOverlap',
  'Active keys per owner': 'maxActiveKeysPerOwner',
  'Last-use timestamp resolution': 'lastUsedResolution',
  'Idle timeout': 'idleTimeout',
  'Absolute lifetime': 'absoluteLifetime',
  'Authorization-code lifetime': 'authorizationCode',
  'Device-code lifetime': 'deviceCode',
  'Polling interval': 'pollingInterval',
  'Access-token lifetime': 'accessToken',
  'Refresh token ends unused after': 'refreshTokenIdle',
  'Refresh token ends at the latest after': 'refreshTokenAbsolute',
  'Clock-skew leeway': 'clockSkew',
  'Introspection answers cached for': 'introspectionCache',
  'Grant re-checked for JWT access tokens every': 'revocationCheckCache',
  'Signing-key rotation': 'signingKeyRotation',
  'Provider key set cached for': 'jwksCacheMaxAge',
  'Least time between key-set fetches': 'jwksCooldown',
  'DPoP proof window': 'dpop.proofWindow',
};

const UNIT_SECONDS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86400 };

/** "12 hours" → 43200; anything else is not a duration. */
function seconds(text: string): number {
  const match = /^(\d+) (second|minute|hour|day)s?$/.exec(text.trim());
  if (!match) throw new Error(`not a duration: "${text}"`);
  return Number(match[1]) * UNIT_SECONDS[match[2]!]!;
}

function policyValue(method: MethodId, variant: Variant, field: string): Setting | number {
  if (field === 'dpop.proofWindow') return POLICY.dpop.proofWindow;
  const table = (POLICY[method] as unknown as Record<string, Record<string, Setting | number>>)[variant]!;
  const value = table[field];
  if (value === undefined) throw new Error(`the record states ${field}, which POLICY does not have for ${method}/${variant}`);
  return value;
}

function recordFor(method: MethodId, variant: Variant, tokenFormat: TokenFormat | null): string {
  const entry: PlanEntry = { ...sessionDecision.plan[0]!, method, variant, tokenFormat };
  return renderRecord(sessionInput({ decision: { ...sessionDecision, recommendation: method, plan: [entry] } }), templates);
}

const cases: [MethodId, Variant, TokenFormat | null][] = (Object.keys(VARIANTS) as MethodId[]).flatMap((method) =>
  (VARIANTS[method] as readonly Variant[]).flatMap((variant): [MethodId, Variant, TokenFormat | null][] =>
    method === 'oauth' ? TOKEN_FORMATS.map((format) => [method, variant, format]) : [[method, variant, null]],
  ),
);

describe('the defaults a record states', () => {
  it.each(cases)('are POLICY\'s for %s / %s (%s access tokens)', (method, variant, tokenFormat) => {
    const text = recordFor(method, variant, tokenFormat);
    const section = text.split('### Lifetimes, rotation and revocation\n')[1]!.split('\n### ')[0]!;
    const lines = section.split('\n').filter((line) => line.startsWith('* ') && !/^\* (Rotation|Revocation|Throttling)/.test(line));
    expect(lines).toHaveLength(1);
    const clauses = lines[0]!.replace(/^\* [^:]+: /, '').replace(/\.$/, '').split('; ');
    const stated = new Set<string>();
    for (const clause of clauses) {
      const match = /^(.+?): (.+?)(?: \((.+) to (.+)\))?$/.exec(clause);
      expect(match, clause).not.toBeNull();
      const [, label, value, min, max] = match!;
      const field = LABEL_TO_FIELD[label!];
      expect(field, `unknown setting "${label}"`).toBeDefined();
      stated.add(field!);
      const policy = policyValue(method, variant, field!);
      if (typeof policy === 'number') {
        expect(min).toBeUndefined();
        expect(field === 'lastUsedResolution' ? seconds(value!) : Number(value)).toBe(policy);
      } else {
        expect([seconds(value!), seconds(min!), seconds(max!)], clause).toEqual([policy.default, policy.min, policy.max]);
      }
    }
    // Every setting of the variant is stated, except the cache of the token format not in use.
    const own = Object.keys((POLICY[method] as Record<string, object>)[variant]!);
    const skipped =
      method !== 'oauth'
        ? []
        : [
            tokenFormat === 'jwt' ? 'introspectionCache' : 'revocationCheckCache',
            ...(variant === 'device-code' ? ['authorizationCode'] : []),
            ...(variant === 'resource-server' && tokenFormat === 'opaque' ? ['jwksCacheMaxAge', 'jwksCooldown'] : []),
          ];
    expect([...stated].filter((field) => field !== 'dpop.proofWindow').sort()).toEqual(own.filter((field) => !skipped.includes(field)).sort());
  });

  it('states the failed-credential throttle with POLICY\'s numbers and no others', () => {
    const text = recordFor('api-key', 'application', null);
    const line = text.split('\n').find((candidate) => candidate.startsWith('* Throttling: '))!;
    const t = POLICY.throttle;
    expect(line).toContain(`allows ${t.freeFailures} failures per account and source within ${t.window / 60} minutes`);
    expect(line).toContain(`starts at ${t.baseDelay} second and doubles up to ${t.maxDelay / 60} minutes`);
    expect(line).toContain(`${t.sourceFailures} failures from one source across accounts within ${t.window / 60} minutes`);
    // 429 is the status code, not a setting.
    const numbers = line.replace(/\b429\b/g, '').match(/\d+/g)!.map(Number);
    expect(numbers.sort((a, b) => a - b)).toEqual([t.freeFailures, t.window / 60, t.baseDelay, t.maxDelay / 60, t.sourceFailures, t.window / 60].sort((a, b) => a - b));
  });

  it('promises no number in rotation and revocation practice that POLICY does not hold', () => {
    for (const [method, variant, tokenFormat] of cases) {
      const text = recordFor(method, variant, tokenFormat);
      for (const line of text.split('\n').filter((candidate) => /^\* (Rotation|Revocation) \(/.test(candidate))) {
        expect(line.replace(/\(.*?\):/, ''), line).not.toMatch(/\d/);
      }
    }
  });
});
