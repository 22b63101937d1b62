import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BOUNDARIES } from '../../../boundaries.js';
import { POLICY } from '../../../policy.js';
import { runCli, usageErrorMismatches } from '../../../tests/cli-runner.js';
import { openTestStore } from '../../../tests/store-fixture.js';
import type { TestStore } from '../../../tests/test-store.js';
import { parseKey } from '../keys.js';
// The whole package starts in these tests: every method's test settings, not only this one's.
import { TEST_ENV } from '../../../tests/methods.js';

const policy = POLICY['api-key'].application;
const days = { min: policy.keyLifetime.min / 86_400, max: policy.keyLifetime.max / 86_400 };
const hours = (count: number) => count * 3_600_000;

// Each case starts real processes, which takes seconds on a cold machine.
describe('key management CLI (auth:keys)', { timeout: 120_000 }, () => {
  let testStore: TestStore;
  let env: Record<string, string>;

  beforeEach(async () => {
    testStore = await openTestStore();
    env = { ...TEST_ENV, ...testStore.env, API_KEY_PREFIX: 'ak_live' };
  });
  afterEach(async () => {
    await testStore.cleanup();
  });

  const json = <T>(stdout: string) => JSON.parse(stdout) as T;

  it('1.5 create prints the raw key once; list never shows it; keys expire by default', async () => {
    const created = await runCli(['keys', 'create', '--subject', 'billing-worker', '--tenant', 'acme', '--scope', 'read', '--json'], env);
    expect(created.code).toBe(0);
    const issued = json<{ key: string; id: string; scopes: string[]; status: string; createdAt: string; expiresAt: string }>(created.stdout);
    expect(parseKey('ak_live', issued.key)).not.toBeNull();
    expect(issued).toMatchObject({ scopes: ['read'], status: 'active' });
    expect(Date.parse(issued.expiresAt) - Date.parse(issued.createdAt)).toBe(policy.keyLifetime.default * 1000);
    const listed = await runCli(['keys', 'list', '--json'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toContain(issued.key);
    expect(listed.stdout).not.toContain(parseKey('ak_live', issued.key)!.secret);
    const keys = json<{ id: string; secretHash?: string }[]>(listed.stdout);
    expect(keys.map((key) => key.id)).toEqual([issued.id]);
    expect(keys[0]!.secretHash).toBeUndefined();
  });

  it('a key without expiry needs the explicit --no-expiry flag, and list says so', async () => {
    const created = await runCli(['keys', 'create', '--subject', 'legacy-batch', '--no-expiry', '--json'], env);
    expect(created.code).toBe(0);
    expect(json<{ expiresAt: string | null }>(created.stdout).expiresAt).toBeNull();
    expect((await runCli(['keys', 'list'], env)).stdout).toContain('NO EXPIRY');
  });

  it('1.7 rotate issues a successor and keeps the old key for the overlap; revoke ends a key', async () => {
    const created = json<{ id: string }>((await runCli(['keys', 'create', '--subject', 'etl', '--scope', 'read', '--json'], env)).stdout);
    const rotated = await runCli(['keys', 'rotate', created.id, '--overlap-hours', '2', '--json'], env);
    expect(rotated.code).toBe(0);
    const result = json<{ id: string; previous: { id: string; status: string; expiresAt: string; replacedBy: string } }>(rotated.stdout);
    expect(result.previous).toMatchObject({ id: created.id, status: 'rotating', replacedBy: result.id });
    const overlapEnds = Date.parse(result.previous.expiresAt) - Date.now();
    expect(overlapEnds).toBeGreaterThan(hours(1.9));
    expect(overlapEnds).toBeLessThanOrEqual(hours(2));
    const again = await runCli(['keys', 'rotate', created.id, '--json'], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already rotated');
    const revoked = await runCli(['keys', 'revoke', result.id, '--json'], env);
    expect(revoked.code).toBe(0);
    expect(json(revoked.stdout)).toMatchObject({ id: result.id, status: 'revoked' });
  });

  it('credential prints the whole Authorization header as one JSON line', async () => {
    const boundary = BOUNDARIES.find((candidate) => candidate.accepts.some((accept) => accept.method === 'api-key'))!;
    // --method: the boundary may accept another method too (a migration away from API keys, say).
    const run = await runCli(['credential', '--boundary', boundary.id, '--method', 'api-key', '--subject', 'alice', '--scope', 'admin', '--json'], env);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    const { header, subject, scopes } = json<{ header: string; subject: string; scopes: string[] }>(run.stdout);
    expect(header).toMatch(/^Authorization: ApiKey ak_live_/);
    expect(parseKey('ak_live', header.slice('Authorization: ApiKey '.length))).not.toBeNull();
    expect({ subject, scopes }).toEqual({ subject: 'alice', scopes: ['admin'] });
  });

  it('7.2 bad arguments and numbers out of range exit with code 2 and a message naming the flag and the range', async () => {
    const cases: [string[], RegExp][] = [
      [['keys', 'create', '--subject', 'x', '--expires-in-days', '1e308'], new RegExp(`--expires-in-days must be a whole number from ${days.min} to ${days.max}`)],
      [['keys', 'create', '--subject', 'x', '--expires-in-days', '0'], /--expires-in-days must be a whole number/],
      [['keys', 'create', '--subject', 'x', '--expires-in-days', '30', '--no-expiry'], /not both/],
      [['keys', 'rotate', 'abc', '--overlap-hours', '99999'], /--overlap-hours must be a whole number from 0 to 720/],
      [['keys', 'create', '--subject', 'x', '--scope', 'Bad Scope'], /is not a scope/],
      [['keys', 'create'], /needs --subject/],
      [['keys', 'rotate'], /needs the id/],
      [['keys', 'revoke', 'no-such-key'], /No API key with id/],
      [['keys', 'frobnicate'], /Unknown action/],
      [['keys', 'list', '--nope'], /Unknown option/],
    ];
    expect(await usageErrorMismatches(cases, env)).toEqual([]);
  });

  it('a missing pepper stops every command with exit 2', async () => {
    const run = await runCli(['keys', 'list'], { ...testStore.env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/API_KEY_PEPPER is not set/);
  });
});
