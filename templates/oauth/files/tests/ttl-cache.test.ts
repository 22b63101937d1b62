import { describe, expect, it } from 'vitest';
import { TtlCache } from '../tokens/ttl-cache.js';

describe('the bounded cache of token answers', () => {
  it('keeps an entry until its own end, never after', () => {
    const cache = new TtlCache<string>(10);
    cache.set('a', 'answer', 1_000, 0);
    expect(cache.get('a', 999)).toBe('answer');
    expect(cache.get('a', 1_000)).toBeUndefined();
    cache.set('b', 'already over', 500, 500);
    expect(cache.get('b', 500)).toBeUndefined();
  });

  it('holds at most its limit, dropping the entry stored longest ago', () => {
    const cache = new TtlCache<number>(3);
    for (let i = 0; i < 100; i += 1) cache.set(`token-${i}`, i, 10_000, 0);
    expect(cache.size).toBe(3);
    expect(cache.get('token-96', 0)).toBeUndefined();
    expect([97, 98, 99].map((i) => cache.get(`token-${i}`, 0))).toEqual([97, 98, 99]);
  });
});
