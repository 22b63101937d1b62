import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AuthConfigError } from './config.js';

// Private signing keys are stored encrypted (AES-256-GCM) under a key-encryption key (KEK) that never
// enters the database: a leaked database or backup alone cannot be used to forge tokens.

const KEK_BYTES = 32;

export function parseKeyEncryptionKey(encoded: string): Buffer {
  const key = Buffer.from(encoded, 'base64url');
  if (key.length !== KEK_BYTES || key.toString('base64url') !== encoded.replace(/=+$/, '')) {
    throw new AuthConfigError(
      'JWT_KEY_ENCRYPTION_KEY must be 32 random bytes in base64url ' +
        '(create one with: node -e "console.log(require(\'node:crypto\').randomBytes(32).toString(\'base64url\'))").',
    );
  }
  return key;
}

/**
 * Takes the KEK from JWT_KEY_ENCRYPTION_KEY. Outside production, when it is unset, a key file is
 * created in `dataDir` readable by the owner only, so the demo runs without setup.
 */
export function resolveKeyEncryptionKey(
  env: Readonly<Record<string, string | undefined>>,
  dataDir: string,
): { key: Buffer; source: 'env' | 'file'; path?: string } {
  const encoded = env.JWT_KEY_ENCRYPTION_KEY;
  if (encoded !== undefined && encoded !== '') return { key: parseKeyEncryptionKey(encoded), source: 'env' };
  if (env.NODE_ENV === 'production') {
    throw new AuthConfigError('JWT_KEY_ENCRYPTION_KEY must be set when NODE_ENV=production.');
  }
  const path = join(dataDir, 'key-encryption.key');
  if (existsSync(path)) {
    return { key: parseKeyEncryptionKey(readFileSync(path, 'utf8').trim()), source: 'file', path };
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(KEK_BYTES);
  writeFileSync(path, `${key.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return { key, source: 'file', path };
}

export function encryptWithKek(kek: Buffer, plaintext: string, associatedData: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

export function decryptWithKek(kek: Buffer, sealed: string, associatedData: string): string {
  const [version, iv, ciphertext, tag] = sealed.split('.');
  if (version !== 'v1' || iv === undefined || ciphertext === undefined || tag === undefined) {
    throw new Error('Unrecognised encrypted key format.');
  }
  const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}
