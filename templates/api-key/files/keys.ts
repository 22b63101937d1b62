import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Key format: `<prefix>_<id>_<secret>_<checksum>`, e.g.
 * `ak_live_3hF9k2LmQx1Z_<43 characters>_<6 characters>`.
 *
 * - prefix   tells people and secret scanners what the string is;
 * - id       12 base62 characters, public, used to find the record;
 * - secret   43 base62 characters = 256 bits from the operating system's CSPRNG;
 * - checksum CRC32 of everything before it, 6 base62 characters.
 *
 * NOTE: the checksum is not a security control. It lets a client, a log
 * scanner or this server reject a mistyped or truncated key without a store
 * round trip. A key with a valid checksum is only well formed, not genuine.
 */
export const ID_LENGTH = 12;
export const SECRET_LENGTH = 43;
export const CHECKSUM_LENGTH = 6;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const PREFIX_PATTERN = /^[a-z][a-z0-9]{1,15}(?:_[a-z0-9]{1,15}){0,2}$/;
const BODY_PATTERN = new RegExp(
  `^[0-9A-Za-z]{${ID_LENGTH}}_[0-9A-Za-z]{${SECRET_LENGTH}}_[0-9A-Za-z]{${CHECKSUM_LENGTH}}$`,
);

export interface ParsedKey {
  id: string;
  secret: string;
}

export function assertValidPrefix(prefix: string): void {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new Error(
      `API key prefix "${prefix}" is not allowed: use lowercase letters and digits in up to three parts joined by "_", e.g. "ak_live".`,
    );
  }
}

/** Uniform base62 characters: bytes >= 248 are dropped so that `% 62` has no bias. */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248) out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC32 (IEEE) of the UTF-8 bytes of `text`. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  if (/^[\x00-\x7f]*$/.test(text)) {
    // Keys are ASCII, where characters and UTF-8 bytes coincide: no Buffer on the hot path.
    for (let i = 0; i < text.length; i++) crc = CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  } else {
    for (const byte of Buffer.from(text, 'utf8')) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

export function checksumOf(text: string): string {
  let value = crc32(text);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

export function formatKey(prefix: string, id: string, secret: string): string {
  const body = `${prefix}_${id}_${secret}`;
  return `${body}_${checksumOf(body)}`;
}

export function generateKey(prefix: string): { key: string; id: string; secret: string } {
  const id = randomBase62(ID_LENGTH);
  const secret = randomBase62(SECRET_LENGTH);
  return { key: formatKey(prefix, id, secret), id, secret };
}

/**
 * Structural check only: prefix, length, charset and checksum. Runs before
 * any store access, so garbage never costs a lookup.
 */
export function parseKey(prefix: string, candidate: string): ParsedKey | null {
  const expectedLength = prefix.length + 1 + ID_LENGTH + 1 + SECRET_LENGTH + 1 + CHECKSUM_LENGTH;
  if (candidate.length !== expectedLength) return null;
  if (!candidate.startsWith(`${prefix}_`)) return null;
  const rest = candidate.slice(prefix.length + 1);
  if (!BODY_PATTERN.test(rest)) return null;
  const checksum = rest.slice(-CHECKSUM_LENGTH);
  if (checksumOf(candidate.slice(0, -CHECKSUM_LENGTH - 1)) !== checksum) return null;
  return { id: rest.slice(0, ID_LENGTH), secret: rest.slice(ID_LENGTH + 1, ID_LENGTH + 1 + SECRET_LENGTH) };
}

/**
 * Keyed hash of the secret, bound to its id. A stolen copy of the store is
 * useless without the pepper, which lives only in the server's environment.
 */
export function hashSecret(pepper: string, id: string, secret: string): string {
  return createHmac('sha256', pepper).update(`${id}.${secret}`).digest('hex');
}

const HASH_BYTES = 32;
const DUMMY_HASH = Buffer.alloc(HASH_BYTES);

/** Constant-time comparison of a computed hash with the stored one. */
export function hashesMatch(computedHex: string, storedHex: string | undefined): boolean {
  const computed = Buffer.from(computedHex, 'hex');
  const stored = storedHex === undefined ? DUMMY_HASH : Buffer.from(storedHex, 'hex');
  if (computed.length !== HASH_BYTES || stored.length !== HASH_BYTES) {
    // Still spend the comparison so a malformed stored value does not stand out.
    timingSafeEqual(DUMMY_HASH, DUMMY_HASH);
    return false;
  }
  return timingSafeEqual(computed, stored) && storedHex !== undefined;
}
