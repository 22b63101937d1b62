import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BOUNDARIES } from '../../../boundaries.js';
import { describeDuration } from '../../../kernel/config.js';
import { POLICY } from '../../../policy.js';
import { runCli, spawnCli, usageErrorMismatches } from '../../../tests/cli-runner.js';
import { openTestStore } from '../../../tests/store-fixture.js';
import type { TestStore } from '../../../tests/test-store.js';
// The whole package starts in these tests: every method's test settings, not only this one's.
import { TEST_ENV } from '../../../tests/methods.js';

const json = <T>(stdout: string) => JSON.parse(stdout) as T;
const claimsOf = (header: string) => JSON.parse(Buffer.from(header.split(' ')[2]!.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
const jwtBoundary = BOUNDARIES.find((boundary) => boundary.accepts.some((accept) => accept.method === 'jwt'))!;

// Each case starts real processes, which takes seconds on a cold machine.
describe('accounts and JWT management CLI (auth:users, auth:jwt)', { timeout: 120_000 }, () => {
  let testStore: TestStore;
  let env: Record<string, string>;

  beforeEach(async () => {
    testStore = await openTestStore();
    env = { ...TEST_ENV, ...testStore.env };
  });
  afterEach(async () => {
    await testStore.cleanup();
  });

  it('users add prints a generated password once; list never shows a password or its hash; sign-out ends the tokens', async () => {
    const created = await runCli(['users', 'add', 'Alice', '--scope', 'read', '--json'], env);
    expect(created.code).toBe(0);
    const account = json<{ username: string; password: string; scopes: string[] }>(created.stdout);
    expect(account).toMatchObject({ username: 'alice', scopes: ['read'] });
    expect(account.password.length).toBeGreaterThanOrEqual(20);
    const listed = await runCli(['users', 'list', '--json'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toContain(account.password);
    expect(listed.stdout).not.toMatch(/argon2|passwordHash/);
    expect(json<{ username: string }[]>(listed.stdout).map((entry) => entry.username)).toEqual(['alice']);
    const signedOut = await runCli(['users', 'sign-out', 'alice'], env);
    expect(signedOut.code).toBe(0);
    expect(signedOut.stdout).toContain('Signed alice out everywhere');
    const nobody = await runCli(['users', 'sign-out', 'nobody'], env);
    expect(nobody.code).toBe(2);
    expect(nobody.stderr).toContain('No account named "nobody"');
  });

  it('credential mints a token for the account (made when missing) with the scopes asked for; never more than the account holds', async () => {
    const run = await runCli(['credential', '--boundary', jwtBoundary.id, '--method', 'jwt', '--subject', 'ci-user', '--scope', 'read', '--json'], env);
    expect(run.code).toBe(0);
    const { header, subject } = json<{ header: string; subject: string }>(run.stdout);
    expect(header).toMatch(/^Authorization: Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(subject).toBe('ci-user');
    const claims = claimsOf(header);
    expect(claims).toMatchObject({ sub: 'ci-user', aud: TEST_ENV.JWT_AUDIENCE, scope: 'read' });
    expect((claims.exp as number) - (claims.iat as number)).toBe(POLICY.jwt['login-endpoint'].accessToken.default);
    const wider = await runCli(['credential', '--boundary', jwtBoundary.id, '--method', 'jwt', '--subject', 'ci-user', '--scope', 'admin', '--json'], env);
    expect(wider.code).toBe(2);
    expect(wider.stdout).toBe('');
    expect(wider.stderr).toContain('does not hold admin');
    expect(wider.stderr).toContain('auth:users -- scopes ci-user --scope read --scope admin');
  });

  it('jwt keys rotate signs with a new key; keys list shows the old one retiring', async () => {
    expect((await runCli(['credential', '--boundary', jwtBoundary.id, '--method', 'jwt', '--subject', 'keys-user', '--json'], env)).code).toBe(0);
    const before = json<{ kid: string; state: string }[]>((await runCli(['jwt', 'keys', 'list', '--json'], env)).stdout);
    expect(before.filter((key) => key.state === 'signing')).toHaveLength(1);
    const rotated = await runCli(['jwt', 'keys', 'rotate', '--json'], env);
    expect(rotated.code).toBe(0);
    const after = json<{ kid: string; state: string; unpublishedAt: string | null }[]>(rotated.stdout);
    const signing = after.find((key) => key.state === 'signing')!;
    expect(signing.kid).not.toBe(before[0]!.kid);
    expect(after.find((key) => key.kid === before[0]!.kid)).toMatchObject({ state: 'retired', unpublishedAt: expect.any(String) });
    expect(JSON.stringify(after)).not.toMatch(/"d"|sealed/);
  });

  it('jwt token-service runs the issuer as its own server until SIGTERM: sign-in, key set, verifiable tokens', async () => {
    const created = json<{ password: string }>((await runCli(['users', 'add', 'svc-user', '--scope', 'read', '--json'], env)).stdout);
    const child = spawnCli(['jwt', 'token-service', '--port', '0'], env);
    let stderr = '';
    const url = await new Promise<string>((found, failed) => {
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
        if (match) found(match[1]!);
      });
      child.once('exit', (code) => failed(new Error(`token service exited with ${code}: ${stderr}`)));
    });
    try {
      const signIn = await fetch(`${url}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'svc-user', password: created.password }) });
      expect(signIn.status).toBe(200);
      const { access_token: token } = (await signIn.json()) as { access_token: string };
      const jwks = (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
      const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: TEST_ENV.JWT_TOKEN_SERVICE_ISSUER!, audience: TEST_ENV.JWT_AUDIENCE!, typ: 'at+jwt' });
      expect(payload.sub).toBe('svc-user');
      expect(protectedHeader.alg).toBe('ES256');
    } finally {
      const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });

  it('7.2 bad arguments and settings exit with code 2, naming what was wrong and its range, nothing on stdout', async () => {
    const cases: [string[], RegExp][] = [
      [['jwt', 'token-service', '--port', '70000'], /--port must be a whole number from 0 to 65535/],
      [['jwt', 'token-service', '--host', 'example.com'], /--host must be an IP address or localhost/],
      [['jwt', 'keys', 'shred'], /Unknown action "keys shred"/],
      [['jwt'], /Name what to manage/],
      [['users', 'add'], /needs a username/],
      [['users', 'add', 'bad name!'], /A username has 1 to 64/],
      [['users', 'password', 'nobody'], /No account named "nobody"/],
      [['users', 'add', 'erin', '--scope', 'Not A Scope'], /is not a scope/],
      [['users', 'frobnicate'], /Unknown action "frobnicate"/],
    ];
    expect(await usageErrorMismatches(cases, env)).toEqual([]);
    // A lifetime beyond POLICY's maximum stops every command at start-up.
    const { min, max } = POLICY.jwt['login-endpoint'].accessToken;
    const message = `JWT_ACCESS_TOKEN_SECONDS must be a whole number of seconds from ${min} (${describeDuration(min)}) to ${max} (${describeDuration(max)}); got "${max + 1}"`;
    const run = await runCli(['users', 'list'], { ...env, JWT_ACCESS_TOKEN_SECONDS: String(max + 1) });
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toContain(message);
  });
});
