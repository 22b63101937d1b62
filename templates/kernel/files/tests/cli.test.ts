import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOUNDARIES } from '../boundaries.js';
import { runCli, usageErrorMismatches } from './cli-runner.js';
import { TEST_ENV } from './methods.js';
import { openTestStore } from './store-fixture.js';
import type { TestStore } from './test-store.js';

// Each case starts real processes, which takes seconds on a cold machine.
describe('the management CLI', { timeout: 120_000 }, () => {
  let testStore: TestStore;
  let env: Record<string, string>;

  beforeAll(async () => {
    testStore = await openTestStore();
    env = { ...testStore.env, ...TEST_ENV };
  });
  afterAll(async () => {
    await testStore.cleanup();
  });

  it.each(BOUNDARIES.map((boundary) => [boundary.id]))('credential --boundary %s prints one JSON line holding the header to send', async (id) => {
    const run = await runCli(['credential', '--boundary', id, '--subject', `cli-${id}`, '--scope', 'admin', '--json'], env);
    expect(run.stderr).not.toMatch(/^error:/m);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const { header } = JSON.parse(lines[0]!) as { header: string };
    expect(header).toMatch(/^[A-Za-z-]+: \S/);
  });

  // Where a boundary accepts several methods (a migration, say), --method mints each one's credential.
  const shared = BOUNDARIES.flatMap((boundary) => (boundary.accepts.length > 1 ? boundary.accepts.map((accept) => [boundary.id, accept.method, accept.variant] as const) : []));
  it.each(shared)('credential --boundary %s --method %s mints that method\'s credential (%s)', async (id, method) => {
    const run = await runCli(['credential', '--boundary', id, '--method', method, '--subject', `cli-${method}`, '--json'], env);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout.trim())).toMatchObject({ header: expect.stringMatching(/^[A-Za-z-]+: \S/) });
  });

  it('credential is refused with NODE_ENV=production before any method starts: it creates what it names', async () => {
    const run = await runCli(['credential', '--boundary', BOUNDARIES[0]!.id, '--subject', 'prod-demo', '--scope', 'admin'], { ...env, NODE_ENV: 'production' });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('demos and tests only');
  });

  it('usage --json reports the counts in the store', async () => {
    const run = await runCli(['usage', '--json', '--days', '7'], env);
    expect(run.code).toBe(0);
    expect(Array.isArray(JSON.parse(run.stdout))).toBe(true);
  });

  it('7.2 bad arguments exit with code 2 and a message naming what was wrong, nothing on stdout', async () => {
    const cases: [string[], RegExp][] = [
      [['usage', '--days', '1e308'], /--days must be a whole number from 1 to 400/],
      [['usage', '--days', '0'], /--days must be a whole number from 1 to 400/],
      [['credential', '--json'], /needs --subject/],
      [['credential', '--subject', 'x', '--scope', 'Bad Scope'], /is not a scope/],
      [['credential', '--subject', 'x', '--boundary', 'nowhere'], /no boundary "nowhere"/],
      [['credential', '--subject', 'x', '--boundary', BOUNDARIES[0]!.id, '--method', 'carrier-pigeon'], /does not accept carrier-pigeon/],
      [['frobnicate'], /Unknown command "frobnicate"/],
      [['usage', '--nope'], /Unknown option/],
      [[], /Name a command/],
    ];
    expect(await usageErrorMismatches(cases, env)).toEqual([]);
  });

  it('a setting out of range stops the CLI with exit 2, naming the variable and the range', async () => {
    const run = await runCli(['usage'], { ...env, AUTH_TRUST_PROXY: '1e308' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('AUTH_TRUST_PROXY must be a whole number from 0 to 10');
  });
});
