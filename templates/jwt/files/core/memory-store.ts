import { DuplicateUserError } from './store.js';
import type { AuthStore, RefreshTokenRecord, SigningKeyRecord, UserRecord } from './store.js';

/**
 * Keeps everything in process memory: lost on restart and not shared between instances.
 * For tests only; it refuses to exist when NODE_ENV=production.
 */
export function createMemoryStore(env: Readonly<Record<string, string | undefined>> = process.env): AuthStore {
  if (env.NODE_ENV === 'production') {
    throw new Error('The in-memory auth store is for tests only and cannot be used with NODE_ENV=production.');
  }
  const users = new Map<string, UserRecord>();
  const keys = new Map<string, SigningKeyRecord>();
  const refreshTokens = new Map<string, RefreshTokenRecord>();
  const hits = new Map<string, { windowStart: number; count: number }>();
  const copy = <T>(value: T): T => structuredClone(value);

  return {
    description: 'in-memory (tests only)',
    async createUser(user) {
      for (const existing of users.values()) {
        if (existing.username === user.username) throw new DuplicateUserError(user.username);
      }
      users.set(user.id, copy(user));
    },
    async findUserByUsername(username) {
      for (const user of users.values()) if (user.username === username) return copy(user);
      return null;
    },
    async findUserById(id) {
      const user = users.get(id);
      return user ? copy(user) : null;
    },
    async setUserDisabled(id, disabled) {
      const user = users.get(id);
      if (!user) return false;
      user.disabled = disabled;
      return true;
    },
    async setPasswordHash(id, passwordHash) {
      const user = users.get(id);
      if (!user) return false;
      user.passwordHash = passwordHash;
      return true;
    },
    async bumpTokenVersion(id) {
      const user = users.get(id);
      if (!user) return null;
      user.tokenVersion += 1;
      return user.tokenVersion;
    },
    async getActiveTokenVersion(id) {
      const user = users.get(id);
      return user && !user.disabled ? user.tokenVersion : null;
    },
    async listSigningKeys() {
      return [...keys.values()].map(copy);
    },
    async insertSigningKey(key) {
      keys.set(key.kid, copy(key));
    },
    async retireSigningKeys(keepKid, retiresAt) {
      for (const key of keys.values()) if (key.kid !== keepKid && key.retiresAt === null) key.retiresAt = retiresAt;
    },
    async deleteSigningKeysRetiredBefore(time) {
      for (const key of [...keys.values()]) if (key.retiresAt !== null && key.retiresAt < time) keys.delete(key.kid);
    },
    async insertRefreshToken(token) {
      refreshTokens.set(token.tokenHash, copy(token));
    },
    async findRefreshToken(tokenHash) {
      const token = refreshTokens.get(tokenHash);
      return token ? copy(token) : null;
    },
    async markRefreshTokenUsed(tokenHash, usedAt) {
      const token = refreshTokens.get(tokenHash);
      if (!token || token.usedAt !== null || token.revokedAt !== null) return false;
      token.usedAt = usedAt;
      return true;
    },
    async revokeRefreshFamily(familyId, revokedAt) {
      for (const token of refreshTokens.values()) if (token.familyId === familyId) token.revokedAt ??= revokedAt;
    },
    async revokeUserRefreshTokens(userId, revokedAt) {
      for (const token of refreshTokens.values()) if (token.userId === userId) token.revokedAt ??= revokedAt;
    },
    async hitRateLimit(key, windowMs, now) {
      const windowStart = now - (now % windowMs);
      const entry = hits.get(key);
      if (!entry || entry.windowStart !== windowStart) {
        hits.set(key, { windowStart, count: 1 });
        return 1;
      }
      entry.count += 1;
      return entry.count;
    },
    async close() {},
  };
}
