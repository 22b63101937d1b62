/**
 * auth-decide's API-key format, as the generated code writes it
 * (templates/api-key/files/core/keys.ts): `<prefix>_<id>_<secret>_<checksum>`,
 * with a 12-character base62 id, a 43-character base62 secret (256 bits) and
 * a 6-character base62 CRC32 of everything before the checksum.
 * test/core/inspect.test.ts holds this reading equal to the template's keys.
 */

export const KEY_ID_LENGTH = 12;
export const KEY_SECRET_LENGTH = 43;
export const KEY_CHECKSUM_LENGTH = 6;

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const PREFIX = /^[a-z][a-z0-9]{1,15}(?:_[a-z0-9]{1,15}){0,2}$/;
const base62Of = (length: number) => new RegExp(`^[0-9A-Za-z]{${length}}$`);
const ID = base62Of(KEY_ID_LENGTH);
const SECRET = base62Of(KEY_SECRET_LENGTH);
const CHECKSUM = base62Of(KEY_CHECKSUM_LENGTH);

export interface KeyParts {
  prefix: string;
  id: string;
  secret: string;
  checksum: string;
}

/** The parts of a string shaped like an auth-decide API key, or null. The checksum is not checked here. */
export function keyParts(text: string): KeyParts | null {
  const parts = text.split('_');
  if (parts.length < 4) return null;
  const [id, secret, checksum] = parts.slice(-3) as [string, string, string];
  const prefix = parts.slice(0, -3).join('_');
  if (!PREFIX.test(prefix) || !ID.test(id) || !SECRET.test(secret) || !CHECKSUM.test(checksum)) return null;
  return { prefix, id, secret, checksum };
}

/** CRC-32 (IEEE 802.3, reflected) of ASCII text, bit by bit: a key is short, a table buys nothing here. */
function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) {
    crc ^= text.charCodeAt(i) & 0xff;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** The checksum the generated code gives `body` (`<prefix>_<id>_<secret>`): its CRC-32 in six base62 digits. */
export function keyChecksum(body: string): string {
  const digits: string[] = [];
  let rest = crc32(body);
  while (digits.length < KEY_CHECKSUM_LENGTH) {
    digits.push(ALPHABET[rest % 62]!);
    rest = Math.floor(rest / 62);
  }
  return digits.reverse().join('');
}

export const checksumMatches = (parts: KeyParts): boolean =>
  keyChecksum(`${parts.prefix}_${parts.id}_${parts.secret}`) === parts.checksum;
