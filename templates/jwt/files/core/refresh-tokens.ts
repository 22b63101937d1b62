import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { RefreshTokenRecord } from './store.js';

// Refresh tokens are opaque (256 random bits), never JWTs: they cannot be mistaken for access tokens
// and they mean nothing without the server-side record, which holds only their SHA-256.

const PREFIX = 'rt_';
const REFRESH_TOKEN_SHAPE = /^rt_[A-Za-z0-9_-]{43}$/;

export function newRefreshToken(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

export function isRefreshTokenShape(value: unknown): value is string {
  return typeof value === 'string' && REFRESH_TOKEN_SHAPE.test(value);
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newFamilyId(): string {
  return randomUUID();
}

export function refreshRecord(options: {
  token: string;
  familyId: string;
  userId: string;
  scopes: string[];
  now: number;
  idleSeconds: number;
  familyExpiresAt: number;
}): RefreshTokenRecord {
  return {
    tokenHash: hashRefreshToken(options.token),
    familyId: options.familyId,
    userId: options.userId,
    scopes: options.scopes,
    issuedAt: options.now,
    expiresAt: Math.min(options.now + options.idleSeconds * 1000, options.familyExpiresAt),
    familyExpiresAt: options.familyExpiresAt,
    usedAt: null,
    revokedAt: null,
  };
}
