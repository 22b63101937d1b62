import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { POLICY } from '../../../policy.js';
import { signAccessToken } from '../access-tokens.js';
import { KEY_RELOAD_COOLDOWN, KeyRing, PUBLISH_AHEAD } from '../signing-keys.js';
import { attackerKey, bearer, claimsFor, es256, issuerKey, startRig, type Rig } from './support.js';

const kidOf = (token: string): string => (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
/** A kid of the right shape that no key has. */
const randomKid = () => randomBytes(32).toString('base64url');

/*
 * Checklist 2.14 for the API that signs its own tokens: keys live in the
 * store; every instance rereads them when a token names a kid it does not
 * know, at most once per cooldown, and on a schedule.
 */
describe('signing-key rotation, login-endpoint (checklist 2.14)', { timeout: 60_000 }, () => {
  let rig: Rig;
  const policy = POLICY.jwt['login-endpoint'];
  const overlap = policy.accessToken.default + policy.clockSkew.default;
  const status = async (token: string) => (await rig.get(`/${rig.boundary}/me`, bearer(token))).status;

  beforeAll(async () => {
    rig = await startRig('login-endpoint');
  }, 60_000);
  afterAll(async () => {
    await rig?.close();
  });

  it('2.14 a key another instance rotated in is picked up with one reread; the old key still verifies', async () => {
    const before = await rig.mint('alice');
    const other = new KeyRing({ store: rig.api.store, clock: rig.api.clock, keyEncryptionKey: rig.issuer.config.keyEncryptionKey, rotation: policy.signingKeyRotation.default, overlap });
    await other.rotateNow();
    const after = await signAccessToken(await other.signer(), { issuer: rig.issuerId, audience: rig.audience, subject: 'alice', scopes: ['read'], lifetime: 600, now: rig.api.clock.now(), version: await rig.version('alice') });
    expect(kidOf(after.token)).not.toBe(kidOf(before));

    rig.advance(KEY_RELOAD_COOLDOWN + 1);
    const reads = rig.keyReads();
    expect(await status(after.token)).toBe(200);
    expect(rig.keyReads()).toBe(reads + 1);
    expect(await status(before)).toBe(200);
    expect(rig.keyReads()).toBe(reads + 1);
    // Both keys are published during the overlap; the new one signs.
    const jwks = (await rig.get('/.well-known/jwks.json')).body as { keys: { kid: string; d?: string }[] };
    expect(jwks.keys.map((key) => key.kid)).toEqual(expect.arrayContaining([kidOf(before), kidOf(after.token)]));
    expect(jwks.keys.every((key) => key.d === undefined)).toBe(true);
  });

  it('2.14 a flood of made-up kids rereads the keys at most once per cooldown', async () => {
    const attacker = await attackerKey();
    for (let round = 0; round < 2; round++) {
      rig.advance(KEY_RELOAD_COOLDOWN + 1);
      const claims = await claimsFor(rig);
      const reads = rig.keyReads();
      for (let i = 0; i < 40; i++) expect(await status(await es256({ typ: 'at+jwt', kid: randomKid() }, claims, attacker.privateKey))).toBe(401);
      expect(rig.keyReads() - reads).toBeLessThanOrEqual(1);
    }
  });

  it('2.14 rotation by schedule: the successor is published an hour ahead, then signs; the old key stays published for the access-token lifetime plus the skew', async () => {
    const retiring = await issuerKey(rig);
    rig.advance(policy.signingKeyRotation.default);
    const stillOld = await rig.mint('alice');
    expect(kidOf(stillOld)).toBe(retiring.kid);
    const scheduled = await rig.issuer.keys.describe();
    const next = scheduled.find((key) => key.state === 'next')!;
    expect(next).toBeDefined();
    expect(Date.parse(next.activatesAt) - rig.now()).toBe(PUBLISH_AHEAD * 1000);
    const published = (await rig.get('/.well-known/jwks.json')).body as { keys: { kid: string }[] };
    expect(published.keys.map((key) => key.kid)).toContain(next.kid);

    rig.advance(PUBLISH_AHEAD);
    const fresh = await rig.mint('alice');
    expect(kidOf(fresh)).toBe(next.kid);
    expect(await status(fresh)).toBe(200);
    // Within the overlap, what the old key signed still verifies.
    rig.advance(overlap - 60);
    expect(await status(await es256({ typ: 'at+jwt', kid: retiring.kid }, await claimsFor(rig), retiring.privateKey))).toBe(200);
    // After it, the old key is gone from the key set and its signature is worthless.
    rig.advance(61 + KEY_RELOAD_COOLDOWN);
    expect(await status(await es256({ typ: 'at+jwt', kid: retiring.kid }, await claimsFor(rig), retiring.privateKey))).toBe(401);
    const after = (await rig.get('/.well-known/jwks.json')).body as { keys: { kid: string }[] };
    expect(after.keys.map((key) => key.kid)).not.toContain(retiring.kid);
  });

  it('2.14 a rotation forced for a leak signs with the new key at once', async () => {
    const old = await issuerKey(rig);
    await rig.issuer.keys.rotateNow();
    const fresh = await rig.mint('alice');
    expect(kidOf(fresh)).not.toBe(old.kid);
    expect(await status(fresh)).toBe(200);
  });
});

/*
 * Checklist 2.14 for the API that verifies a real token service's tokens with
 * its key set (jose's remote key set): the fetches are counted at a relay in
 * front of the token service. jose times its cache and cooldown with the
 * system clock, so these tests move Date (and only Date) instead of waiting.
 */
describe('signing-key rotation, token-service (checklist 2.14)', { timeout: 60_000 }, () => {
  let rig: Rig;
  const policy = POLICY.jwt['token-service'];
  const status = async (token: string) => (await rig.get(`/${rig.boundary}/me`, bearer(token))).status;
  const passSystemTime = (seconds: number) => vi.setSystemTime(Date.now() + seconds * 1000);

  beforeAll(async () => {
    // Date keeps running; the tests only make it jump.
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    rig = await startRig('token-service');
  }, 60_000);
  afterAll(async () => {
    await rig?.close();
    vi.useRealTimers();
  });

  it('2.14 a token with a new kid works after exactly one key-set fetch; known kids cost none', async () => {
    const first = await rig.mint('alice');
    expect(await status(first)).toBe(200);
    const fetched = rig.keyReads();
    expect(fetched).toBeGreaterThanOrEqual(1);
    expect(await status(first)).toBe(200);
    expect(rig.keyReads()).toBe(fetched);

    await rig.issuer.keys.rotateNow();
    const rotated = await rig.mint('alice');
    passSystemTime(policy.jwksCooldown.default + 1);
    expect(await status(rotated)).toBe(200);
    expect(rig.keyReads()).toBe(fetched + 1);
    expect(await status(first)).toBe(200);
    expect(rig.keyReads()).toBe(fetched + 1);
  });

  it('2.14 a flood of random kids causes at most one key-set fetch per cooldown', async () => {
    expect(await status(await rig.mint('alice'))).toBe(200);
    const attacker = await attackerKey();
    for (let round = 0; round < 2; round++) {
      passSystemTime(policy.jwksCooldown.default + 1);
      const claims = await claimsFor(rig);
      const fetched = rig.keyReads();
      for (let i = 0; i < 40; i++) expect(await status(await es256({ typ: 'at+jwt', kid: randomKid() }, claims, attacker.privateKey))).toBe(401);
      expect(rig.keyReads() - fetched).toBeLessThanOrEqual(1);
    }
  });

  it('2.14 a scheduled successor reaches the API with its cache refresh, before its first token', async () => {
    rig.advance(policy.signingKeyRotation.default);
    await rig.mint('alice'); // the token service schedules the successor while it signs
    const next = (await rig.issuer.keys.describe()).find((key) => key.state === 'next')!;
    expect(next).toBeDefined();
    passSystemTime(policy.jwksCacheMaxAge.default + 1);
    const before = rig.keyReads();
    expect(await status(await rig.mint('alice'))).toBe(200);
    expect(rig.keyReads()).toBe(before + 1);

    rig.advance(PUBLISH_AHEAD);
    const fresh = await rig.mint('alice');
    expect(kidOf(fresh)).toBe(next.kid);
    expect(await status(fresh)).toBe(200);
    expect(rig.keyReads()).toBe(before + 1);
  });
});
