import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuthStore } from '../kernel/store.js';
import { MemoryStore } from '../kernel/stores/memory.js';
import { openTestStore } from './store-fixture.js';
import type { TestStore } from './test-store.js';

const HOUR = 3_600_000;
const at = (offsetMs = 0) => new Date(Date.now() + offsetMs);

/** The store contract, against the project's real store and against the in-memory one the tests may use. */
const stores: [string, () => Promise<{ store: AuthStore; reopen: (() => Promise<AuthStore>) | null; cleanup: () => Promise<void> }>][] = [
  [
    'the configured store',
    async () => {
      const real: TestStore = await openTestStore();
      return { store: real.store, reopen: real.reopen, cleanup: real.cleanup };
    },
  ],
  ['the in-memory store', async () => ({ store: new MemoryStore({ NODE_ENV: 'test' }), reopen: null, cleanup: async () => {} })],
];

describe.each(stores)('store contract: %s', (_name, open) => {
  let store: AuthStore;
  let reopen: (() => Promise<AuthStore>) | null;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ store, reopen, cleanup } = await open());
  });
  afterEach(async () => {
    await cleanup();
  });

  it('upsert, find, findByLookup and destroy', async () => {
    await store.upsert('thing', 'a', { n: 1, nested: { list: [1, 'two', null] } }, { owner: 'alice', group: 'acme', lookup: 'alice-a' });
    const found = await store.find('thing', 'a');
    expect(found).toMatchObject({ kind: 'thing', id: 'a', value: { n: 1, nested: { list: [1, 'two', null] } }, owner: 'alice', group: 'acme', lookup: 'alice-a', consumedAt: null, expiresAt: null });
    expect((await store.findByLookup('thing', 'alice-a'))?.id).toBe('a');
    expect(await store.find('other-kind', 'a')).toBeNull();
    await store.upsert('thing', 'a', { n: 2 }, { owner: 'bob' });
    expect(await store.find('thing', 'a')).toMatchObject({ value: { n: 2 }, owner: 'bob', group: null, lookup: null });
    expect(await store.findByLookup('thing', 'alice-a')).toBeNull();
    expect(await store.destroy('thing', 'a')).toBe(true);
    expect(await store.destroy('thing', 'a')).toBe(false);
    expect(await store.find('thing', 'a')).toBeNull();
  });

  it('create succeeds once per live id, even when callers race', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, n) => store.create('jti', 'same', { n })));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.create('jti', 'same', { n: 99 })).toBe(false);
    expect(await store.create('jti', 'other', {})).toBe(true);
  });

  it('list and destroyWhere filter by owner and group', async () => {
    await store.upsert('key', 'k1', {}, { owner: 'alice', group: 'acme' });
    await store.upsert('key', 'k2', {}, { owner: 'alice', group: 'globex' });
    await store.upsert('key', 'k3', {}, { owner: 'bob', group: 'acme' });
    await store.upsert('session', 's1', {}, { owner: 'alice' });
    expect((await store.list('key')).map((r) => r.id)).toEqual(['k1', 'k2', 'k3']);
    expect((await store.list('key', { owner: 'alice' })).map((r) => r.id)).toEqual(['k1', 'k2']);
    expect((await store.list('key', { group: 'acme' })).map((r) => r.id)).toEqual(['k1', 'k3']);
    expect((await store.list('key', { owner: 'alice', group: 'acme' })).map((r) => r.id)).toEqual(['k1']);
    expect(await store.destroyWhere('key', { owner: 'alice' })).toBe(2);
    expect((await store.list('key')).map((r) => r.id)).toEqual(['k3']);
    expect((await store.list('session')).map((r) => r.id)).toEqual(['s1']);
  });

  it('consume is true for exactly one of many racing callers', async () => {
    await store.upsert('code', 'c1', { grant: 'g' });
    const results = await Promise.all(Array.from({ length: 10 }, () => store.consume('code', 'c1', at())));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await store.find('code', 'c1'))?.consumedAt).toBeInstanceOf(Date);
    expect(await store.consume('code', 'missing', at())).toBe(false);
    // Replacing a record makes it unused again.
    await store.upsert('code', 'c1', { grant: 'g2' });
    expect(await store.consume('code', 'c1', at())).toBe(true);
  });

  it('a record past its expiresAt (real time) is gone; one with a future expiry is kept', async () => {
    await store.upsert('token', 'old', {}, { expiresAt: new Date(Date.now() - 1000), lookup: 'old-l' });
    await store.upsert('token', 'new', {}, { expiresAt: at(HOUR) });
    expect(await store.find('token', 'old')).toBeNull();
    expect(await store.findByLookup('token', 'old-l')).toBeNull();
    expect((await store.list('token')).map((r) => r.id)).toEqual(['new']);
    expect((await store.find('token', 'new'))?.expiresAt?.getTime()).toBeGreaterThan(Date.now());
    expect(await store.consume('token', 'old', at())).toBe(false);
    // An expired id may be created afresh.
    expect(await store.create('token', 'old', { again: true })).toBe(true);
  });

  it('hit counts within a window of the given clock, and starts a new window after it', async () => {
    const start = at();
    expect(await store.hit('h', 60, start)).toEqual({ count: 1, resetAt: new Date(start.getTime() + 60_000) });
    expect((await store.hit('h', 60, new Date(start.getTime() + 59_000), 3)).count).toBe(4);
    // Amount 0 only reads.
    expect((await store.hit('h', 60, new Date(start.getTime() + 59_000), 0)).count).toBe(4);
    const next = await store.hit('h', 60, new Date(start.getTime() + 60_000));
    expect(next).toEqual({ count: 1, resetAt: new Date(start.getTime() + 120_000) });
    expect((await store.hit('never-hit', 60, start, 0)).count).toBe(0);
    await store.resetCounter('h');
    expect((await store.hit('h', 60, new Date(start.getTime() + 61_000), 0)).count).toBe(0);
  });

  it('parallel hits are all counted', async () => {
    const now = at();
    await Promise.all(Array.from({ length: 20 }, () => store.hit('burst', 60, now)));
    expect((await store.hit('burst', 60, now, 0)).count).toBe(20);
  });

  it('counters lists the counters under a prefix', async () => {
    await store.hit('usage:2030-01-01:api:a', 3600, at(), 2);
    await store.hit('usage:2030-01-02:api:b', 3600, at(), 5);
    await store.hit('throttle:x', 3600, at());
    expect(await store.counters('usage:')).toEqual([
      { key: 'usage:2030-01-01:api:a', count: 2 },
      { key: 'usage:2030-01-02:api:b', count: 5 },
    ]);
  });

  it('init is idempotent, and what was written survives a new connection', async () => {
    await store.init();
    await store.upsert('account', 'u1', { name: 'alice' }, { lookup: 'alice' });
    await store.hit('throttle:source:203.0.113.9', 900, at(), 7);
    if (reopen === null) return; // the in-memory store lives and dies with its process
    const again = await reopen();
    await again.init();
    expect((await again.findByLookup('account', 'alice'))?.value).toEqual({ name: 'alice' });
    expect((await again.hit('throttle:source:203.0.113.9', 900, at(), 0)).count).toBe(7);
  });
});

describe('the in-memory store', () => {
  it('refuses to run with NODE_ENV=production', () => {
    expect(() => new MemoryStore({ NODE_ENV: 'production' })).toThrow(/tests only/);
    expect(() => new MemoryStore({ NODE_ENV: 'test' })).not.toThrow();
  });
});
