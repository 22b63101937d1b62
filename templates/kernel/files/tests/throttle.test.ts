import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAccounts } from '../kernel/accounts.js';
import { createThrottle, type Throttle } from '../kernel/throttle.js';
import { POLICY } from '../policy.js';
import { TestClock } from './harness.js';
import { openTestStore } from './store-fixture.js';
import type { TestStore } from './test-store.js';

const policy = POLICY.throttle;
const A = '198.51.100.7';
const B = '203.0.113.42';

describe('throttle (checklist section 6), state in the real store', () => {
  let testStore: TestStore;
  let clock: TestClock;
  let throttle: Throttle;

  beforeEach(async () => {
    testStore = await openTestStore();
    clock = new TestClock();
    throttle = createThrottle(testStore.store, policy, clock);
  });
  afterEach(async () => {
    await testStore.cleanup();
  });

  async function fail(times: number, attempt: { source: string; account?: string }) {
    let last = await throttle.check(attempt);
    for (let i = 0; i < times; i++) last = await throttle.failed(attempt);
    return last;
  }

  it('6.1 repeated failures for one account from one source back off, doubling, then 429 with a Retry-After', async () => {
    const attempt = { source: A, account: 'dave' };
    expect(await fail(policy.freeFailures, attempt)).toEqual({ allowed: true });
    const first = await throttle.failed(attempt);
    expect(first).toEqual({ allowed: false, retryAfter: policy.baseDelay });
    expect(await throttle.check(attempt)).toEqual({ allowed: false, retryAfter: policy.baseDelay });
    clock.advance(policy.baseDelay * 1000);
    expect(await throttle.check(attempt)).toEqual({ allowed: true });
    const second = await throttle.failed(attempt);
    expect(second).toEqual({ allowed: false, retryAfter: policy.baseDelay * 2 });
    // The delay never exceeds the policy's maximum.
    for (let i = 0; i < 30; i++) {
      clock.advance(1);
      await throttle.failed({ source: A, account: 'dave' });
    }
    const capped = await throttle.check(attempt);
    expect(capped.allowed).toBe(false);
    if (!capped.allowed) expect(capped.retryAfter).toBeLessThanOrEqual(policy.maxDelay);
  });

  it('6.2 an attacker at source A cannot lock out the user at source B', async () => {
    await fail(50, { source: A, account: 'dave' });
    expect((await throttle.check({ source: A, account: 'dave' })).allowed).toBe(false);
    expect(await throttle.check({ source: B, account: 'dave' })).toEqual({ allowed: true });
  });

  it('6.3 spraying many accounts from one source hits 429; other sources are unaffected', async () => {
    let verdict = await throttle.check({ source: A, account: 'user-0' });
    let tried = 0;
    while (verdict.allowed && tried < 100) {
      verdict = await throttle.failed({ source: A, account: `user-${tried}` });
      tried += 1;
    }
    expect(tried).toBe(policy.sourceFailures + 1);
    expect(verdict.allowed).toBe(false);
    expect((await throttle.check({ source: A, account: 'someone-new' })).allowed).toBe(false);
    expect(await throttle.check({ source: B, account: 'someone-new' })).toEqual({ allowed: true });
    // The block lasts until the window ends, then the source may try again.
    clock.advance(policy.window * 1000);
    expect(await throttle.check({ source: A, account: 'someone-new' })).toEqual({ allowed: true });
  });

  it('a success resets the back-off of that account at that source', async () => {
    await fail(policy.freeFailures, { source: A, account: 'erin' });
    await throttle.succeeded({ source: A, account: 'erin' });
    expect(await throttle.failed({ source: A, account: 'erin' })).toEqual({ allowed: true });
  });

  it('6.5 the throttle state survives a restart: a new connection and a new throttle still refuse', async () => {
    await fail(policy.freeFailures + 1, { source: A, account: 'frank' });
    await fail(policy.sourceFailures + 1, { source: B });
    const restarted = createThrottle(await testStore.reopen(), policy, clock);
    expect((await restarted.check({ source: A, account: 'frank' })).allowed).toBe(false);
    expect((await restarted.check({ source: B })).allowed).toBe(false);
  });
});

describe('sign-in through accounts: passwords checked the throttled way', { timeout: 60_000 }, () => {
  let testStore: TestStore;
  beforeEach(async () => {
    testStore = await openTestStore();
  });
  afterEach(async () => {
    await testStore.cleanup();
  });

  it('6.2/3.9 unknown user, wrong password and disabled account read the same; a stranger elsewhere does not block the owner', async () => {
    const clock = new TestClock();
    const accounts = createAccounts(testStore.store, clock, createThrottle(testStore.store, policy, clock));
    await accounts.create({ username: 'Grace', password: 'correct horse battery' });
    await accounts.create({ username: 'heidi', password: 'another good passphrase' });
    await accounts.setDisabled('heidi', true);
    expect(await accounts.signIn({ username: 'nobody', password: 'x'.repeat(12), source: A })).toEqual({ ok: false, reason: 'invalid' });
    expect(await accounts.signIn({ username: 'grace', password: 'wrong password!', source: A })).toEqual({ ok: false, reason: 'invalid' });
    expect(await accounts.signIn({ username: 'heidi', password: 'another good passphrase', source: A })).toEqual({ ok: false, reason: 'invalid' });
    for (let i = 0; i <= policy.freeFailures; i++) await accounts.signIn({ username: 'grace', password: `wrong ${i}`, source: B });
    expect(await accounts.signIn({ username: 'grace', password: 'correct horse battery', source: B })).toMatchObject({ ok: false, reason: 'throttled' });
    const elsewhere = await accounts.signIn({ username: 'GRACE', password: 'correct horse battery', source: A });
    expect(elsewhere.ok).toBe(true);
    if (elsewhere.ok) expect(elsewhere.account.username).toBe('grace');
  });

  it('taking rights away bumps the account version', async () => {
    const clock = new TestClock();
    const accounts = createAccounts(testStore.store, clock, createThrottle(testStore.store, policy, clock));
    const created = await accounts.create({ username: 'ivan', password: 'long enough pass', scopes: ['read'] });
    expect((await accounts.setScopes('ivan', ['read'])).version).toBe(created.version);
    expect((await accounts.setScopes('ivan', ['admin'])).version).toBe(created.version + 1);
    expect((await accounts.setPassword('ivan', 'a new long password')).version).toBe(created.version + 2);
    expect((await accounts.setDisabled('ivan', true)).version).toBe(created.version + 3);
    await expect(accounts.create({ username: 'IVAN', password: 'whatever long' })).rejects.toThrow(/exists already/);
  });
});
