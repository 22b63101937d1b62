import { randomUUID } from 'node:crypto';
import { hashPassword } from './passwords.js';
import { normaliseUsername } from './sessions.js';
import type { AuthStore, UserRecord } from './store.js';

// User management shared by the management CLI and the tests. Every change that takes rights away
// (disable, new password, fewer or different scopes) also ends the user's sessions: the next request
// with an old cookie gets 401, and a new sign-in gets a fresh session id.

export class AccountError extends Error {
  override name = 'AccountError';
}

const usernamePattern = /^[\p{L}\p{N}._@+-]{1,64}$/u;
const scopePattern = /^[a-z][a-z0-9:._-]*$/;

export function checkUsername(username: string): string {
  const normalised = normaliseUsername(username);
  if (!usernamePattern.test(normalised)) {
    throw new AccountError('A username has 1 to 64 letters, digits or . _ @ + - characters.');
  }
  return normalised;
}

export function checkScopes(scopes: readonly string[]): string[] {
  for (const scope of scopes) {
    if (!scopePattern.test(scope)) throw new AccountError(`Scope "${scope}" is not a lowercase word such as admin or read.`);
  }
  return [...new Set(scopes)].sort();
}

export async function createUser(
  store: AuthStore,
  input: { username: string; password: string; scopes?: string[]; displayName?: string },
  now: number = Date.now(),
): Promise<UserRecord> {
  const username = checkUsername(input.username);
  const user: UserRecord = {
    id: randomUUID(),
    username,
    passwordHash: await hashPassword(input.password),
    scopes: checkScopes(input.scopes ?? []),
    disabled: false,
    displayName: input.displayName ?? username,
    createdAt: now,
  };
  await store.createUser(user);
  return user;
}

async function requireUser(store: AuthStore, username: string): Promise<UserRecord> {
  const user = await store.findUserByUsername(normaliseUsername(username));
  if (user === undefined) throw new AccountError(`No user named "${normaliseUsername(username)}".`);
  return user;
}

export async function disableUser(store: AuthStore, username: string): Promise<{ endedSessions: number }> {
  const user = await requireUser(store, username);
  await store.updateUser(user.id, { disabled: true });
  return { endedSessions: await store.deleteUserSessions(user.id) };
}

export async function enableUser(store: AuthStore, username: string): Promise<void> {
  const user = await requireUser(store, username);
  await store.updateUser(user.id, { disabled: false });
}

export async function setPassword(store: AuthStore, username: string, password: string): Promise<{ endedSessions: number }> {
  const user = await requireUser(store, username);
  await store.updateUser(user.id, { passwordHash: await hashPassword(password) });
  return { endedSessions: await store.deleteUserSessions(user.id) };
}

export async function setScopes(store: AuthStore, username: string, scopes: string[]): Promise<{ endedSessions: number }> {
  const user = await requireUser(store, username);
  const next = checkScopes(scopes);
  await store.updateUser(user.id, { scopes: next });
  // A privilege change is a reason for a new session id; ending the old sessions forces one.
  const changed = next.join(' ') !== [...user.scopes].sort().join(' ');
  return { endedSessions: changed ? await store.deleteUserSessions(user.id) : 0 };
}

export async function endSessions(store: AuthStore, username: string): Promise<{ endedSessions: number }> {
  const user = await requireUser(store, username);
  return { endedSessions: await store.deleteUserSessions(user.id) };
}

export async function describeUser(store: AuthStore, username: string) {
  const user = await requireUser(store, username);
  return {
    subject: user.username,
    scopes: user.scopes,
    disabled: user.disabled,
    activeSessions: await store.countUserSessions(user.id),
    createdAt: new Date(user.createdAt).toISOString(),
  };
}
