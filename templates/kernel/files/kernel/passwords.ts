import { hash, verify } from '@node-rs/argon2';
import type { Algorithm } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';

// Argon2id with OWASP's minimum profile: 19 MiB of memory, 2 passes, 1 lane. The parameters travel
// inside every PHC string, so raising them later only affects new hashes; old ones keep verifying.
export const passwordHashParameters = {
  algorithm: 2 as Algorithm, // Argon2id (a const enum in the package's types, so spelled as its value)
  memoryCost: 19456, // KiB
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
} as const;

export const minimumPasswordLength = 8;
// Long enough for any passphrase or manager-generated password; short enough that a huge body
// cannot make the hash function work on megabytes. Argon2 reads every byte (no 72-byte cut-off).
export const maximumPasswordLength = 1024;

export class WeakPasswordError extends Error {
  override name = 'WeakPasswordError';
}

export function checkNewPassword(password: string): void {
  const length = [...password].length;
  if (length < minimumPasswordLength) throw new WeakPasswordError(`A password needs at least ${minimumPasswordLength} characters.`);
  if (length > maximumPasswordLength) throw new WeakPasswordError(`A password can have at most ${maximumPasswordLength} characters.`);
}

export async function hashPassword(password: string): Promise<string> {
  checkNewPassword(password);
  return hash(password.normalize('NFC'), passwordHashParameters);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  if (password.length > maximumPasswordLength * 4) return false;
  try {
    return await verify(passwordHash, password.normalize('NFC'));
  } catch {
    // A malformed stored hash must read as "wrong password", not as a server error an attacker can probe.
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * A hash of a random password, verified when the username is unknown so that answering "no such user"
 * costs the same time as answering "wrong password".
 */
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hash(randomBytes(32).toString('base64url'), passwordHashParameters);
  return dummyHash;
}
