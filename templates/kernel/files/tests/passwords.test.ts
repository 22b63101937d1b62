import { describe, expect, it } from 'vitest';
import { checkNewPassword, dummyPasswordHash, hashPassword, verifyPassword, WeakPasswordError } from '../kernel/passwords.js';

describe('passwords (checklist 3.10): argon2id, nothing truncated', { timeout: 60_000 }, () => {
  it('hashes with argon2id, 19 MiB, two passes, one lane', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hash, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(hash, 'correct horse battery stapl')).toBe(false);
  });

  it('accepts a 64-character password and uses every character of it', async () => {
    const long = 'a'.repeat(63) + 'b';
    const hash = await hashPassword(long);
    expect(await verifyPassword(hash, long)).toBe(true);
    expect(await verifyPassword(hash, 'a'.repeat(64))).toBe(false);
  });

  it('refuses passwords too short or absurdly long, and reads a broken stored hash as "wrong"', async () => {
    expect(() => checkNewPassword('short')).toThrow(WeakPasswordError);
    expect(() => checkNewPassword('x'.repeat(1025))).toThrow(WeakPasswordError);
    expect(await verifyPassword('not-a-hash', 'whatever')).toBe(false);
    expect(await verifyPassword(await dummyPasswordHash(), 'guess')).toBe(false);
  });
});
