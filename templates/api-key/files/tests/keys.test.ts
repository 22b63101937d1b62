import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { checksumOf, crc32, formatKey, generateKey, parseKey } from '../keys.js';

describe('key format: <prefix>_<id>_<secret>_<crc32>', () => {
  it('1.3 the checksum is a CRC32 of everything before it, in six base62 characters', () => {
    const key = formatKey('ak_test', 'AbCdEfGhIjKl', 'x'.repeat(43));
    expect(key.slice(-6)).toBe(checksumOf(key.slice(0, -7)));
    expect(parseKey('ak_test', key)).toEqual({ id: 'AbCdEfGhIjKl', secret: 'x'.repeat(43) });
    for (const text of ['123456789', key, 'ak_live_Ünïcode']) expect(crc32(text)).toBe(zlibCrc32(text));
  });

  it('1.5 a secret is 43 base62 characters (≥ 256 bits) from the CSPRNG, never repeated', () => {
    const secrets = Array.from({ length: 200 }, () => generateKey('ak_test').secret);
    expect(new Set(secrets).size).toBe(secrets.length);
    for (const secret of secrets) expect(secret).toMatch(/^[0-9A-Za-z]{43}$/);
    expect(43 * Math.log2(62)).toBeGreaterThanOrEqual(256);
  });
});
