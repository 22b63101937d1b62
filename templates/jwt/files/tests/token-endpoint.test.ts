import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY } from '../../../policy.js';
import type { Reply } from '../../../tests/harness.js';
import type { TokenReply } from '../issuer.js';
import { bearer, PASSWORDS, startRig, type Rig } from './support.js';

const throttle = POLICY.throttle;

function expectProblem(reply: Reply, status: number, kind: string): void {
  expect(reply.status).toBe(status);
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(reply.headers.get('cache-control')).toBe('no-store');
  expect(reply.body).toMatchObject({ type: expect.stringMatching(new RegExp(`:${kind}$`)), status });
  expect(reply.text).not.toMatch(/\bat \S+ \(|node_modules|\.[cm]?[jt]s\b|Error:/);
}

/*
 * The token endpoint (`POST /people/token`, `/token/refresh`): what it issues,
 * and what it does with wrong passwords, strangers and bad input (checklist
 * sections 6 and 7; findings 3 and 4 of the hardening issue).
 */
describe('the token endpoint', { timeout: 120_000 }, () => {
  let rig: Rig;
  const token = (body: unknown, source?: string, headers: Record<string, string> = {}) => rig.postToken(`${rig.tokenPrefix}/token`, body, headers, source);

  beforeAll(async () => {
    rig = await startRig('login-endpoint');
  }, 60_000);
  afterAll(async () => {
    await rig?.close();
  });

  it('issues a short-lived ES256 at+jwt and an opaque refresh token, never cached', async () => {
    const reply = await token({ username: 'alice', password: PASSWORDS.alice });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(reply.headers.get('pragma')).toBe('no-cache');
    const body = reply.body as TokenReply;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: POLICY.jwt['login-endpoint'].accessToken.default, scope: 'read' });
    expect(body.refresh_token).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);
    const header = JSON.parse(Buffer.from(body.access_token.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>;
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(Object.keys(header).sort()).toEqual(['alg', 'kid', 'typ']);
    expect((await rig.get(`/${rig.boundary}/me`, bearer(body.access_token))).body).toMatchObject({ subject: 'alice', scopes: ['read'] });
  });

  it('grants at most the account\'s scopes: a narrower request narrows, a wider one does not widen', async () => {
    expect(((await token({ username: 'root', password: PASSWORDS.root, scope: 'read' })).body as TokenReply).scope).toBe('read');
    expect(((await token({ username: 'alice', password: PASSWORDS.alice, scope: 'read admin' })).body as TokenReply).scope).toBe('read');
  });

  it('an unknown user, a wrong password and a disabled account get the same answer', async () => {
    const replies = [await token({ username: 'mallory', password: 'x'.repeat(12) }), await token({ username: 'root', password: 'wrong password' })];
    for (const reply of replies) {
      expectProblem(reply, 400, 'invalid-grant');
      expect(reply.body).toMatchObject({ error: 'invalid_grant' });
    }
    expect(replies[0]!.text).toBe(replies[1]!.text);
  });

  it('6.1/6.2 wrong passwords for dave from one address back off to 429 there; the right password still works from another address (finding 3)', async () => {
    const attacker = '203.0.113.66';
    const dave = '198.51.100.23';
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await token({ username: 'dave', password: `guess number ${i}` }, attacker)).status);
    expect(statuses.slice(0, throttle.freeFailures)).toEqual(Array(throttle.freeFailures).fill(400));
    expect(statuses.slice(throttle.freeFailures)).toEqual(Array(10 - throttle.freeFailures).fill(429));
    const blocked = await token({ username: 'dave', password: PASSWORDS.dave }, attacker);
    expectProblem(blocked, 429, 'too-many-attempts');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await token({ username: 'dave', password: PASSWORDS.dave }, dave)).status).toBe(200);
    // The back-off ends: after Retry-After, the right password works from the attacker's address too.
    rig.advance(Number(blocked.headers.get('retry-after')));
    expect((await token({ username: 'dave', password: PASSWORDS.dave }, attacker)).status).toBe(200);
  });

  it('6.3 one address spraying one password over many accounts gets 429; other addresses are unaffected (finding 4)', async () => {
    const sprayer = '203.0.113.77';
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) statuses.push((await token({ username: `user-${i}`, password: 'Summer2024!' }, sprayer)).status);
    expect(statuses.slice(0, throttle.sourceFailures)).toEqual(Array(throttle.sourceFailures).fill(400));
    expect(statuses.slice(throttle.sourceFailures)).toEqual(Array(15 - throttle.sourceFailures).fill(429));
    expectProblem(await token({ username: 'alice', password: PASSWORDS.alice }, sprayer), 429, 'too-many-attempts');
    expect((await token({ username: 'alice', password: PASSWORDS.alice }, '198.51.100.99')).status).toBe(200);
  });

  it('6.6 guessing refresh tokens from one address gets 429 too', async () => {
    const guesser = '203.0.113.88';
    const statuses: number[] = [];
    for (let i = 0; i <= throttle.sourceFailures; i++) {
      statuses.push((await rig.postToken(`${rig.tokenPrefix}/token/refresh`, { refresh_token: `rt_${String(i).padStart(43, 'A')}` }, {}, guesser)).status);
    }
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.slice(0, throttle.sourceFailures).every((status) => status === 400)).toBe(true);
  });

  it('7.1 malformed JSON, an oversized body and a wrong content type → problem+json, no trace', async () => {
    expectProblem(await token('{"username":', undefined), 400, 'malformed-body');
    expectProblem(await token({ username: 'alice', password: 'x'.repeat(rig.api.auth.settings.bodyLimit) }), 413, 'body-too-large');
    expectProblem(await token('username=alice&password=x', undefined, { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported-media-type');
    expectProblem(await token('{"username":"alice"}', undefined, { 'content-type': 'text/plain' }), 415, 'unsupported-media-type');
  });

  it('7.2 fields of the wrong type or size → 400 naming the field and what it must be', async () => {
    const cases: [unknown, string][] = [
      [[], 'body'],
      [{ password: PASSWORDS.alice }, 'username'],
      [{ username: 'alice', password: 12_345_678 }, 'password'],
      [{ username: 'a'.repeat(5_000), password: PASSWORDS.alice }, 'username'],
      [{ username: 'alice', password: PASSWORDS.alice, scope: ['read'] }, 'scope'],
      [{ username: 'alice', password: PASSWORDS.alice, scope: 'read DROP TABLE' }, 'scope'],
    ];
    for (const [body, field] of cases) {
      const reply = await token(body);
      expectProblem(reply, 400, 'invalid-input');
      expect(reply.body).toMatchObject({ errors: [{ field }] });
      expect(String((reply.body as { detail: string }).detail)).toContain(field);
    }
    expectProblem(await rig.postToken(`${rig.tokenPrefix}/logout`, 'null'), 400, 'invalid-input');
  });
});
