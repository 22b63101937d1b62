import { createClient } from 'redis';
import { DuplicateUserError } from '../core/store.js';
import type { AuthStore, LoginFailures, SessionRecord, UserRecord, UserUpdate } from '../core/store.js';

// Redis store: shared by every instance behind a load balancer. Sessions expire in Redis on their
// own (PX), so a crashed instance leaves nothing behind; the core still checks both timeouts itself.
//
// Keys, all under one prefix:
//   <p>user:<id>               hash of the user's fields
//   <p>username:<name>         the user's id (SET NX makes names unique)
//   <p>session:<sha256 of id>  JSON of the session, with a TTL
//   <p>user-sessions:<userId>  set of that user's session hashes (logout everywhere, admin termination)
//   <p>login-failures:<name>   hash {count, start}

export interface RedisStoreOptions {
  url: string;
  /** Namespace for every key, e.g. `myapp:auth:`. */
  prefix?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export class RedisConfigError extends Error {
  override name = 'RedisConfigError';
}

/** Opens the store configured by the environment: REDIS_URL (required) and SESSION_REDIS_PREFIX. */
export async function openAuthStore(env: Env = process.env, _cwd?: string): Promise<AuthStore> {
  const url = env.REDIS_URL;
  if (!url) {
    throw new RedisConfigError('REDIS_URL is not set. Point it at your Redis server, e.g. REDIS_URL=redis://127.0.0.1:6379.');
  }
  return openRedisStore({ url, prefix: env.SESSION_REDIS_PREFIX || 'auth:' });
}

// Counts a failure, starting a new window when the previous one is over, in one atomic step.
const recordFailureScript = `
local start = tonumber(redis.call('HGET', KEYS[1], 'start'))
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
if (not start) or now - start >= window then
  redis.call('HSET', KEYS[1], 'start', ARGV[1], 'count', 1)
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, now}
end
local count = redis.call('HINCRBY', KEYS[1], 'count', 1)
return {count, start}
`;

const updateUserScript = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.call('HSET', KEYS[1], unpack(ARGV))
end
return 0
`;

export async function openRedisStore(options: RedisStoreOptions): Promise<AuthStore> {
  const prefix = options.prefix ?? 'auth:';
  const client = createClient({ url: options.url });
  client.on('error', (error: unknown) => {
    // Without a listener a lost connection would crash the process; the next command reports it instead.
    console.error('redis:', error instanceof Error ? error.message : error);
  });
  await client.connect();

  const key = {
    user: (id: string) => `${prefix}user:${id}`,
    username: (name: string) => `${prefix}username:${name}`,
    session: (idHash: string) => `${prefix}session:${idHash}`,
    userSessions: (userId: string) => `${prefix}user-sessions:${userId}`,
    failures: (account: string) => `${prefix}login-failures:${account}`,
  };

  async function findUserById(id: string): Promise<UserRecord | undefined> {
    const fields = await client.hGetAll(key.user(id));
    if (fields.id === undefined) return undefined;
    return {
      id: fields.id,
      username: fields.username ?? '',
      passwordHash: fields.passwordHash ?? '',
      scopes: (fields.scopes ?? '').split(' ').filter(Boolean),
      disabled: fields.disabled === '1',
      displayName: fields.displayName ?? '',
      createdAt: Number(fields.createdAt),
    };
  }

  function userFields(update: UserUpdate): string[] {
    const fields: string[] = [];
    if (update.passwordHash !== undefined) fields.push('passwordHash', update.passwordHash);
    if (update.scopes !== undefined) fields.push('scopes', update.scopes.join(' '));
    if (update.disabled !== undefined) fields.push('disabled', update.disabled ? '1' : '0');
    if (update.displayName !== undefined) fields.push('displayName', update.displayName);
    return fields;
  }

  return {
    async createUser(user) {
      const claimed = await client.set(key.username(user.username), user.id, { condition: 'NX' });
      if (claimed === null) throw new DuplicateUserError(user.username);
      await client.hSet(key.user(user.id), ['id', user.id, 'username', user.username, 'createdAt', String(user.createdAt), ...userFields(user)]);
    },
    findUserById,
    async findUserByUsername(username) {
      const id = await client.get(key.username(username));
      return id === null ? undefined : findUserById(id);
    },
    async updateUser(id, update) {
      const fields = userFields(update);
      if (fields.length === 0) return;
      // Field-level writes in one script: concurrent updates of different fields cannot undo each other,
      // and a deleted user is not brought back as a partial record.
      await client.eval(updateUserScript, { keys: [key.user(id)], arguments: fields });
    },
    async createSession(session: SessionRecord, ttlMs: number) {
      const multi = client.multi().set(key.session(session.idHash), JSON.stringify(session), { expiration: { type: 'PX', value: ttlMs } });
      if (session.userId !== null) {
        multi.sAdd(key.userSessions(session.userId), session.idHash);
        // The index lives at least as long as the longest session in it.
        multi.pExpire(key.userSessions(session.userId), ttlMs, 'GT');
        multi.pExpire(key.userSessions(session.userId), ttlMs, 'NX');
      }
      await multi.exec();
    },
    async findSession(idHash) {
      const raw = await client.get(key.session(idHash));
      return raw === null ? undefined : (JSON.parse(raw) as SessionRecord);
    },
    async touchSession(idHash, lastSeenAt, ttlMs) {
      const raw = await client.get(key.session(idHash));
      if (raw === null) return;
      const session = JSON.parse(raw) as SessionRecord;
      const multi = client
        .multi()
        .set(key.session(idHash), JSON.stringify({ ...session, lastSeenAt }), { expiration: { type: 'PX', value: ttlMs }, condition: 'XX' });
      if (session.userId !== null) multi.pExpire(key.userSessions(session.userId), ttlMs, 'GT');
      await multi.exec();
    },
    async deleteSession(idHash) {
      const raw = await client.get(key.session(idHash));
      const multi = client.multi().del(key.session(idHash));
      if (raw !== null) {
        const session = JSON.parse(raw) as SessionRecord;
        if (session.userId !== null) multi.sRem(key.userSessions(session.userId), idHash);
      }
      await multi.exec();
    },
    async deleteUserSessions(userId) {
      const members = await client.sMembers(key.userSessions(userId));
      if (members.length === 0) return 0;
      // Removes exactly the members read above, so a session created meanwhile stays indexed.
      const replies = await client
        .multi()
        .del(members.map((idHash) => key.session(idHash)))
        .sRem(key.userSessions(userId), members)
        .exec();
      return Number(replies[0]);
    },
    async countUserSessions(userId) {
      const members = await client.sMembers(key.userSessions(userId));
      if (members.length === 0) return 0;
      return client.exists(members.map((idHash) => key.session(idHash)));
    },
    async recordLoginFailure(account, now, windowMs): Promise<LoginFailures> {
      const reply = (await client.eval(recordFailureScript, {
        keys: [key.failures(account)],
        arguments: [String(now), String(windowMs)],
      })) as [number, number];
      return { count: Number(reply[0]), windowStartedAt: Number(reply[1]) };
    },
    async loginFailures(account) {
      const entry = await client.hGetAll(key.failures(account));
      if (entry.count === undefined || entry.start === undefined) return undefined;
      return { count: Number(entry.count), windowStartedAt: Number(entry.start) };
    },
    async clearLoginFailures(account) {
      await client.del(key.failures(account));
    },
    async removeAllData() {
      const doomed: string[] = [];
      for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) doomed.push(...batch);
      if (doomed.length > 0) await client.unlink(doomed);
    },
    async close() {
      await client.quit();
    },
  };
}
