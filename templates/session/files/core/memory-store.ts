import { DuplicateUserError } from './store.js';
import type { AuthStore, LoginFailures, SessionRecord, UserRecord, UserUpdate } from './store.js';

// For unit tests of code built on this module. It forgets everything on restart and is not shared
// between processes, so it refuses to run in production.

export class InMemoryStoreInProductionError extends Error {
  override name = 'InMemoryStoreInProductionError';
  constructor() {
    super('The in-memory session store is for tests only and refuses to start when NODE_ENV=production. Use the SQLite or Redis store.');
  }
}

export function createMemoryStore(env: Readonly<Record<string, string | undefined>> = process.env): AuthStore {
  if (env.NODE_ENV === 'production') throw new InMemoryStoreInProductionError();
  const users = new Map<string, UserRecord>();
  const sessions = new Map<string, SessionRecord>();
  const failures = new Map<string, LoginFailures>();
  const copy = <T>(value: T): T => structuredClone(value);

  return {
    async createUser(user) {
      for (const existing of users.values()) if (existing.username === user.username) throw new DuplicateUserError(user.username);
      users.set(user.id, copy(user));
    },
    async findUserById(id) {
      const user = users.get(id);
      return user && copy(user);
    },
    async findUserByUsername(username) {
      for (const user of users.values()) if (user.username === username) return copy(user);
      return undefined;
    },
    async updateUser(id, update: UserUpdate) {
      const user = users.get(id);
      if (user) users.set(id, { ...user, ...copy(update) });
    },
    async createSession(session) {
      sessions.set(session.idHash, copy(session));
    },
    async findSession(idHash) {
      const session = sessions.get(idHash);
      return session && copy(session);
    },
    async touchSession(idHash, lastSeenAt) {
      const session = sessions.get(idHash);
      if (session) session.lastSeenAt = lastSeenAt;
    },
    async deleteSession(idHash) {
      sessions.delete(idHash);
    },
    async deleteUserSessions(userId) {
      let ended = 0;
      for (const [idHash, session] of sessions) {
        if (session.userId === userId) {
          sessions.delete(idHash);
          ended += 1;
        }
      }
      return ended;
    },
    async countUserSessions(userId) {
      return [...sessions.values()].filter((session) => session.userId === userId).length;
    },
    async recordLoginFailure(account, now, windowMs) {
      const current = failures.get(account);
      const next =
        current === undefined || now - current.windowStartedAt >= windowMs
          ? { count: 1, windowStartedAt: now }
          : { count: current.count + 1, windowStartedAt: current.windowStartedAt };
      failures.set(account, next);
      return { ...next };
    },
    async loginFailures(account) {
      const current = failures.get(account);
      return current && { ...current };
    },
    async clearLoginFailures(account) {
      failures.delete(account);
    },
    async removeAllData() {
      users.clear();
      sessions.clear();
      failures.clear();
    },
    async close() {},
  };
}
