import type { RedisClientType } from 'redis';
import { DuplicateUserError } from '../core/store.js';
import type { AuthStore, RefreshTokenRecord, SigningKeyRecord, UserRecord } from '../core/store.js';

// Users, signing keys and refresh tokens kept in Redis itself, for deployments where Redis (with
// persistence turned on: appendonly yes) is the only shared store. When DATABASE_URL is set these
// records go to PostgreSQL instead (see index.ts).

// Marks a refresh token used only if it is neither used nor revoked: the exchange is atomic.
const MARK_USED = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local state = redis.call('HMGET', KEYS[1], 'usedAt', 'revokedAt')
if state[1] ~= '' or state[2] ~= '' then return 0 end
redis.call('HSET', KEYS[1], 'usedAt', ARGV[1])
return 1
`;

const REVOKE_MEMBERS = `
for _, key in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('HGET', key, 'revokedAt') == '' then redis.call('HSET', key, 'revokedAt', ARGV[1]) end
end
return 1
`;

type Client = RedisClientType;

export function createRedisRecords(redis: Client, prefix: string): Omit<AuthStore, 'hitRateLimit' | 'close' | 'description'> {
  const userKey = (id: string): string => `${prefix}user:${id}`;
  const usernameKey = (username: string): string => `${prefix}username:${username}`;
  const keysKey = `${prefix}signing-keys`;
  const refreshKey = (tokenHash: string): string => `${prefix}refresh:${tokenHash}`;
  const familyKey = (familyId: string): string => `${prefix}refresh-family:${familyId}`;
  const userRefreshKey = (userId: string): string => `${prefix}user-refresh:${userId}`;
  const optionalNumber = (value: string | undefined): number | null => (value === undefined || value === '' ? null : Number(value));

  const readUser = async (id: string): Promise<UserRecord | null> => {
    const fields = await redis.hGetAll(userKey(id));
    if (fields.id === undefined) return null;
    return {
      id: fields.id,
      username: fields.username ?? '',
      passwordHash: fields.passwordHash ?? '',
      scopes: JSON.parse(fields.scopes ?? '[]') as string[],
      disabled: fields.disabled === '1',
      tokenVersion: Number(fields.tokenVersion ?? 0),
      createdAt: Number(fields.createdAt ?? 0),
    };
  };

  const readKeys = async (): Promise<SigningKeyRecord[]> =>
    Object.values(await redis.hGetAll(keysKey))
      .map((json) => JSON.parse(json) as SigningKeyRecord)
      .sort((a, b) => a.createdAt - b.createdAt);

  return {
    async createUser(user) {
      if ((await redis.set(usernameKey(user.username), user.id, { condition: 'NX' })) === null) {
        throw new DuplicateUserError(user.username);
      }
      await redis.hSet(userKey(user.id), {
        id: user.id,
        username: user.username,
        passwordHash: user.passwordHash,
        scopes: JSON.stringify(user.scopes),
        disabled: user.disabled ? '1' : '0',
        tokenVersion: String(user.tokenVersion),
        createdAt: String(user.createdAt),
      });
    },
    async findUserByUsername(username) {
      const id = await redis.get(usernameKey(username));
      return id === null ? null : readUser(id);
    },
    findUserById: readUser,
    async setUserDisabled(id, disabled) {
      if (!(await redis.exists(userKey(id)))) return false;
      await redis.hSet(userKey(id), 'disabled', disabled ? '1' : '0');
      return true;
    },
    async setPasswordHash(id, passwordHash) {
      if (!(await redis.exists(userKey(id)))) return false;
      await redis.hSet(userKey(id), 'passwordHash', passwordHash);
      return true;
    },
    async bumpTokenVersion(id) {
      if (!(await redis.exists(userKey(id)))) return null;
      return Number(await redis.hIncrBy(userKey(id), 'tokenVersion', 1));
    },
    async getActiveTokenVersion(id) {
      const [disabled, version] = await redis.hmGet(userKey(id), ['disabled', 'tokenVersion']);
      if (disabled !== '0' || version === null || version === undefined) return null;
      return Number(version);
    },
    listSigningKeys: readKeys,
    async insertSigningKey(key) {
      await redis.hSet(keysKey, key.kid, JSON.stringify(key));
    },
    async retireSigningKeys(keepKid, retiresAt) {
      for (const key of await readKeys()) {
        if (key.kid !== keepKid && key.retiresAt === null) {
          await redis.hSet(keysKey, key.kid, JSON.stringify({ ...key, retiresAt }));
        }
      }
    },
    async deleteSigningKeysRetiredBefore(time) {
      for (const key of await readKeys()) {
        if (key.retiresAt !== null && key.retiresAt < time) await redis.hDel(keysKey, key.kid);
      }
    },
    async insertRefreshToken(token) {
      const key = refreshKey(token.tokenHash);
      await redis
        .multi()
        .hSet(key, {
          familyId: token.familyId,
          userId: token.userId,
          scopes: JSON.stringify(token.scopes),
          issuedAt: String(token.issuedAt),
          expiresAt: String(token.expiresAt),
          familyExpiresAt: String(token.familyExpiresAt),
          usedAt: '',
          revokedAt: '',
        })
        // Kept past the family's end so a late replay is still recognised as reuse, then dropped.
        .pExpireAt(key, token.familyExpiresAt + 7 * 86400 * 1000)
        .sAdd(familyKey(token.familyId), key)
        .pExpireAt(familyKey(token.familyId), token.familyExpiresAt + 7 * 86400 * 1000)
        .sAdd(userRefreshKey(token.userId), key)
        .exec();
    },
    async findRefreshToken(tokenHash) {
      const fields = await redis.hGetAll(refreshKey(tokenHash));
      if (fields.familyId === undefined) return null;
      return {
        tokenHash,
        familyId: fields.familyId,
        userId: fields.userId ?? '',
        scopes: JSON.parse(fields.scopes ?? '[]') as string[],
        issuedAt: Number(fields.issuedAt),
        expiresAt: Number(fields.expiresAt),
        familyExpiresAt: Number(fields.familyExpiresAt),
        usedAt: optionalNumber(fields.usedAt),
        revokedAt: optionalNumber(fields.revokedAt),
      } satisfies RefreshTokenRecord;
    },
    async markRefreshTokenUsed(tokenHash, usedAt) {
      return Number(await redis.eval(MARK_USED, { keys: [refreshKey(tokenHash)], arguments: [String(usedAt)] })) === 1;
    },
    async revokeRefreshFamily(familyId, revokedAt) {
      await redis.eval(REVOKE_MEMBERS, { keys: [familyKey(familyId)], arguments: [String(revokedAt)] });
    },
    async revokeUserRefreshTokens(userId, revokedAt) {
      await redis.eval(REVOKE_MEMBERS, { keys: [userRefreshKey(userId)], arguments: [String(revokedAt)] });
    },
  };
}
