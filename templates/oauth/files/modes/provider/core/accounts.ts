import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { OAuthStore } from './store.js';

const MODEL = 'Account';
/** scrypt N=2^17, r=8, p=1 (OWASP Password Storage Cheat Sheet); 64-byte output. */
const SCRYPT = { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 } satisfies ScryptOptions;
const KEY_LENGTH = 64;

const scrypt = (password: string, salt: Buffer) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCallback(password.normalize('NFKC'), salt, KEY_LENGTH, SCRYPT, (error, key) => (error ? reject(error) : resolve(key))),
  );

export const USERNAME_PATTERN = /^[a-z][a-z0-9._-]{0,63}$/;

export interface Account {
  /** The stable subject (`sub`) of this person's tokens. */
  subject: string;
  username: string;
}

/** Creates or replaces an account; the username is also its subject. */
export async function setAccountPassword(store: OAuthStore, username: string, password: string): Promise<Account> {
  if (!USERNAME_PATTERN.test(username)) throw new Error('A username is lowercase letters, digits, ".", "_" or "-", starting with a letter.');
  if (password.length < 12 || password.length > 1024) throw new Error('A password has 12 to 1024 characters.');
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt);
  await store.upsert(MODEL, username, { subject: username, salt: salt.toString('base64'), hash: hash.toString('base64') }, null);
  return { subject: username, username };
}

// A fixed salt and hash make unknown usernames cost the same scrypt run as known ones.
const DECOY = { salt: Buffer.alloc(16, 7), hash: Buffer.alloc(KEY_LENGTH, 0) };

/** The account when the password matches, else null; unknown users take as long as wrong passwords. */
export async function verifyAccountPassword(store: OAuthStore, username: string, password: string): Promise<Account | null> {
  const record = USERNAME_PATTERN.test(username) ? await store.find(MODEL, username) : undefined;
  const salt = record ? Buffer.from(String(record.salt), 'base64') : DECOY.salt;
  const expected = record ? Buffer.from(String(record.hash), 'base64') : DECOY.hash;
  const actual = await scrypt(password.slice(0, 1024), salt);
  const matches = expected.length === actual.length && timingSafeEqual(expected, actual);
  return record && matches ? { subject: String(record.subject), username } : null;
}

export async function findAccount(store: OAuthStore, subject: string): Promise<Account | null> {
  const record = await store.find(MODEL, subject);
  return record ? { subject: String(record.subject), username: subject } : null;
}
