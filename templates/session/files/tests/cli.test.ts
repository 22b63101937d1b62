import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BOUNDARIES } from '../../../boundaries.js';
import { assembleAuth, type Auth } from '../../../kernel/auth.js';
import type { RunningServer } from '../../../kernel/server.js';
import { serve } from '../../../stack.js';
import { runCli, usageErrorMismatches } from '../../../tests/cli-runner.js';
import { call, headerOf, TestClock } from '../../../tests/harness.js';
import { TEST_ENV } from '../../../tests/methods.js';
import { openTestStore } from '../../../tests/store-fixture.js';
import type { TestStore } from '../../../tests/test-store.js';
import { sessionMethod, type SessionMethod } from '../index.js';

/*
 * The management CLI as its users run it (real processes on this package's
 * store), checked against this package's boundaries served in the test: the
 * accounts it manages and the sessions it ends are the ones the server sees.
 */
const boundaryOf = (variant: string) => BOUNDARIES.find((boundary) => boundary.accepts.some((accept) => accept.method === 'session' && accept.variant === variant));
// This package's boundaries as far as sessions go: the server in the test runs the session method alone.
const sessionBoundaries = BOUNDARIES.filter((boundary) => boundary.accepts.some((accept) => accept.method === 'session')).map((boundary) => ({
  ...boundary,
  accepts: boundary.accepts.filter((accept) => accept.method === 'session'),
}));
const cookieBoundary = boundaryOf('cookie');
const tokenBoundary = boundaryOf('token');

describe('users and sessions on the command line (auth:users, auth:sessions)', { timeout: 120_000 }, () => {
  let testStore: TestStore;
  let env: Record<string, string>;
  let auth: Auth;
  let server: RunningServer;

  beforeEach(async () => {
    testStore = await openTestStore();
    env = { ...TEST_ENV, ...testStore.env };
    auth = await assembleAuth({ methods: [sessionMethod], boundaries: sessionBoundaries, env: { NODE_ENV: 'test', ...env }, store: testStore.store, clock: new TestClock(), audit: () => {}, log: () => {}, usageFlushEvery: 0 });
    server = await serve(auth, { port: 0, host: '127.0.0.1', demo: true });
  });
  afterEach(async () => {
    await server.close();
    await auth.close();
    await testStore.cleanup();
  });

  const json = <T>(stdout: string) => JSON.parse(stdout) as T;
  const method = () => auth.method<SessionMethod>('session');
  /** A live session of the package's first session variant, made in the server. */
  async function liveSession(username: string): Promise<{ boundary: string; headers: Record<string, string> }> {
    const account = (await method().accounts.find(username))!;
    const variant = cookieBoundary ? 'cookie' : 'token';
    const issued = await method().sessions.issue(account, variant);
    const boundary = (cookieBoundary ?? tokenBoundary)!.id;
    return { boundary, headers: variant === 'cookie' ? { cookie: `__Host-sid=${issued.credential}` } : { authorization: `Bearer ${issued.credential}` } };
  }
  const statusOf = async ({ boundary, headers }: { boundary: string; headers: Record<string, string> }) => (await call(server.url, `/${boundary}/me`, { headers })).status;

  it('users add prints a generated password once; list never shows a hash', async () => {
    const added = await runCli(['users', 'add', 'alice', '--scope', 'read', '--display-name', 'Alice L.', '--json'], env);
    expect(added.code).toBe(0);
    const { password, username, scopes } = json<{ password: string; username: string; scopes: string[] }>(added.stdout);
    expect({ username, scopes }).toEqual({ username: 'alice', scopes: ['read'] });
    expect(password.length).toBeGreaterThanOrEqual(20);
    const signIn = await method().accounts.signIn({ username: 'alice', password, source: '192.0.2.1' });
    expect(signIn.ok).toBe(true);
    const listed = await runCli(['users', 'list', '--json'], env);
    expect(listed.stdout).not.toContain('argon2');
    expect(listed.stdout).not.toContain(password);
    expect(json<{ username: string; displayName: string }[]>(listed.stdout)).toEqual([expect.objectContaining({ username: 'alice', displayName: 'Alice L.' })]);
  });

  it('users password reads standard input, and the old sessions end at their next request', async () => {
    await runCli(['users', 'add', 'bob', '--password-stdin'], env, 'the first long passphrase\n');
    const session = await liveSession('bob');
    expect(await statusOf(session)).toBe(200);
    const changed = await runCli(['users', 'password', 'bob', '--password-stdin'], env, 'a second long passphrase\n');
    expect(changed.code).toBe(0);
    expect(changed.stdout).not.toContain('passphrase');
    expect(await statusOf(session)).toBe(401);
    expect((await method().accounts.signIn({ username: 'bob', password: 'a second long passphrase', source: '192.0.2.2' })).ok).toBe(true);
  });

  it('users disable ends every session at its next request; enable lets the person sign in again', async () => {
    await runCli(['users', 'add', 'carol'], env);
    const session = await liveSession('carol');
    const disabled = await runCli(['users', 'disable', 'carol'], env);
    expect(disabled.code).toBe(0);
    expect(disabled.stdout).toContain('Disabled carol');
    expect(await statusOf(session)).toBe(401);
    expect((await runCli(['users', 'enable', 'carol', '--json'], env)).stdout).toContain('"disabled":false');
  });

  it('3.6 sessions end (admin termination) ends every session of the person; --handle ends one', async () => {
    await runCli(['users', 'add', 'dave'], env);
    const first = await liveSession('dave');
    const second = await liveSession('dave');
    const listed = json<{ handle: string }[]>((await runCli(['sessions', 'list', 'dave', '--json'], env)).stdout);
    expect(listed).toHaveLength(2);
    const one = await runCli(['sessions', 'end', '--handle', listed[0]!.handle, '--json'], env);
    expect(json(one.stdout)).toEqual({ ended: 1, handle: listed[0]!.handle });
    const rest = await runCli(['sessions', 'end', 'dave', '--json'], env);
    expect(json(rest.stdout)).toEqual({ subject: 'dave', ended: 1 });
    expect(await statusOf(first)).toBe(401);
    expect(await statusOf(second)).toBe(401);
  });

  it('sessions token mints a bearer token for an existing person when a boundary takes tokens', async () => {
    await runCli(['users', 'add', 'erin'], env);
    const minted = await runCli(['sessions', 'token', 'erin', '--name', 'build server', '--json'], env);
    if (tokenBoundary) {
      expect(minted.code).toBe(0);
      const { token } = json<{ token: string }>(minted.stdout);
      expect((await call(server.url, `/${tokenBoundary.id}/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    } else {
      expect(minted.code).toBe(2);
      expect(minted.stderr).toContain('No boundary of this package accepts session tokens');
    }
  });

  it.each(sessionBoundaries.map((boundary) => [boundary.id]))('credential --boundary %s prints a header that works there', async (id) => {
    const run = await runCli(['credential', '--boundary', id, '--method', 'session', '--subject', 'frank', '--scope', 'admin', '--json'], env);
    expect(run.code).toBe(0);
    const issued = json<{ header: string; subject: string; scopes: string[] }>(run.stdout);
    expect({ subject: issued.subject, scopes: issued.scopes }).toEqual({ subject: 'frank', scopes: ['admin'] });
    const reply = await call(server.url, `/${id}/admin`, { headers: headerOf(issued.header) });
    expect(reply.status).toBe(200);
  });

  it('credential refuses to run with NODE_ENV=production: it would create accounts', async () => {
    const run = await runCli(['credential', '--subject', 'grace', '--boundary', sessionBoundaries[0]!.id], { ...env, NODE_ENV: 'production' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('demos and tests only');
    expect(await method().accounts.find('grace')).toBeNull();
  });

  it('7.2 bad arguments exit with code 2 and a message naming what was wrong, nothing on stdout', async () => {
    await runCli(['users', 'add', 'heidi'], env);
    const cases: [string[], RegExp][] = [
      [['users'], /Name an action/],
      [['users', 'add'], /needs a username/],
      [['users', 'add', 'heidi'], /exists already/],
      [['users', 'add', 'bad name'], /A username has 1 to 64/],
      [['users', 'add', 'ivan', '--scope', 'Bad Scope'], /is not a scope/],
      [['users', 'add', 'ivan', '--display-name', ''], /A display name has 1 to 100 characters/],
      [['users', 'password', 'nobody'], /No account named "nobody"/],
      [['users', 'frobnicate', 'heidi'], /Unknown action "frobnicate"/],
      [['sessions', 'list'], /needs a username/],
      [['sessions', 'end', 'nobody'], /No account named "nobody"/],
      [['sessions', 'end', '--handle', 'ses_nothing'], /No live session has the handle/],
      [['sessions', 'end', 'heidi', '--handle', 'ses_x'], /not both/],
      [['sessions', 'token', 'heidi', '--name', 'x'.repeat(65)], tokenBoundary ? /--name must be 1 to 64 characters/ : /No boundary of this package accepts session tokens/],
      [['sessions', 'frobnicate'], /Unknown action/],
    ];
    expect(await usageErrorMismatches(cases, env)).toEqual([]);
    const weak = await runCli(['users', 'add', 'judy', '--password-stdin'], env, 'short\n');
    expect(weak.code).toBe(2);
    expect(weak.stderr).toContain('at least 8 characters');
  });
});
