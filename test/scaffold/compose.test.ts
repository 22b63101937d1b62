/**
 * One auth package from several templates, end to end on temp folders with the
 * fixture templates (kernel, api-key, jwt): methods added one by one or as a
 * plan, refreshes that leave other methods alone, files no longer wanted.
 */
import { createHash } from 'node:crypto';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runScaffold, type ScaffoldOptions } from '../../src/cli/commands/scaffold.js';
import { exitCodeOf, FIXTURE_TEMPLATES, fixtureProject, recordingContext, tempDir, treeSnapshot, type RecordingContext } from './helpers.js';

// Each test scaffolds, writes and checks real folders; on a busy machine that takes seconds. The limit only stops a hang.
vi.setConfig({ testTimeout: 60_000 });

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function project(): Promise<string> {
  const temp = await fixtureProject('npm-esm-ts');
  cleanups.push(temp.cleanup);
  return temp.dir;
}

async function templatesCopy(): Promise<string> {
  const temp = await tempDir();
  cleanups.push(temp.cleanup);
  await cp(FIXTURE_TEMPLATES, temp.dir, { recursive: true });
  return temp.dir;
}

async function scaffold(dir: string, options: Partial<ScaffoldOptions> = {}, context: RecordingContext = recordingContext(dir)): Promise<RecordingContext> {
  await runScaffold({ context, templatesRoot: FIXTURE_TEMPLATES, installer: async () => ({ ok: true }), install: false, yes: true, nodeVersion: '20.19.0', version: '9.9.9', ...options });
  return context;
}


/** sha256 of every file under `folder` of `dir`. */
async function hashesUnder(dir: string, folder: string): Promise<Record<string, string>> {
  const tree = await treeSnapshot(join(dir, folder));
  return Object.fromEntries(Object.entries(tree).filter(([path]) => !path.endsWith('/')));
}

const manifestOf = async (dir: string) => JSON.parse(await readFile(join(dir, '.auth-decide/manifest.json'), 'utf8')) as Record<string, any>;

const PLAN = [
  { id: 'partners', method: 'api-key', variant: 'application', subjects: ['backend-integration'], clients: ['backend-service'] },
  { id: 'people', method: 'jwt', variant: 'token-service', subjects: ['end-user'], clients: ['mobile'] },
];

describe('scaffolding a plan of several methods', () => {
  it('two methods in sequence leave the first one\'s files byte for byte, and equal the plan scaffolded at once', async () => {
    const sequence = await project();
    await scaffold(sequence, { method: 'api-key', boundary: 'partners' });
    const apiKeyFiles = await hashesUnder(sequence, 'src/auth/methods/api-key');
    expect(Object.keys(apiKeyFiles)).toEqual(['keys.ts', 'tests/keys.test.ts']);
    const second = await scaffold(sequence, { method: 'jwt', variant: 'token-service', boundary: 'people' });
    expect(await hashesUnder(sequence, 'src/auth/methods/api-key')).toEqual(apiKeyFiles);
    // Only the plan-dependent files of the kernel changed.
    expect(second.err()).toMatch(/update\s+src\/auth\/AUTH\.md/);
    expect(second.err()).toMatch(/update\s+src\/auth\/boundaries\.ts/);
    expect(second.err()).toMatch(/identical src\/auth\/core\/greeting\.ts/);

    const atOnce = await project();
    await scaffold(atOnce, { plan: PLAN });
    expect(await hashesUnder(atOnce, 'src/auth')).toEqual(await hashesUnder(sequence, 'src/auth'));
    const [a, b] = [await manifestOf(sequence), await manifestOf(atOnce)];
    expect(a.boundaries).toEqual(b.boundaries);
    expect(a.files).toEqual(b.files);
    expect(b.boundaries).toEqual([
      { id: 'partners', label: 'Partner backends', accepts: [{ method: 'api-key', variant: 'application' }] },
      { id: 'people', label: 'People signing in', accepts: [{ method: 'jwt', variant: 'token-service' }] },
    ]);
    const auth = await readFile(join(atOnce, 'src/auth/AUTH.md'), 'utf8');
    expect(auth).toContain('| `/partners` Partner backends | api-key (application): Authorization: ApiKey <key> |');
    expect(auth).toContain('Keys for express (application), in `src/auth/methods/api-key/`.');
  }, 60_000);

  it('--method X refreshes X and the shared files; another method\'s changed template does not touch its files', async () => {
    const dir = await project();
    const templatesRoot = await templatesCopy();
    await scaffold(dir, { plan: PLAN, templatesRoot });
    const jwtBefore = await hashesUnder(dir, 'src/auth/methods/jwt');
    // A newer version of both method templates.
    for (const file of ['jwt/files/tokens.ts.hbs', 'api-key/files/keys.ts']) {
      const path = join(templatesRoot, file);
      await writeFile(path, `// v2\n${await readFile(path, 'utf8')}`);
    }
    const context = await scaffold(dir, { method: 'api-key', templatesRoot });
    expect(await hashesUnder(dir, 'src/auth/methods/jwt')).toEqual(jwtBefore);
    expect(context.err()).toMatch(/skip\s+src\/auth\/methods\/jwt\/tokens\.ts\s+\(jwt's file; refresh it with `scaffold --method jwt`\)/);
    expect(await readFile(join(dir, 'src/auth/methods/api-key/keys.ts'), 'utf8')).toMatch(/^\/\/ v2\n/);
    // The manifest still knows jwt's file as it is, so refreshing jwt later is a clean update.
    const refresh = await scaffold(dir, { method: 'jwt', templatesRoot });
    expect(refresh.err()).toMatch(/update\s+src\/auth\/methods\/jwt\/tokens\.ts \(unchanged since the last scaffold\)/);
  }, 60_000);

  it('a file no longer generated is removed when untouched, and kept (and reported) when edited', async () => {
    const dir = await project();
    await scaffold(dir, { plan: PLAN });
    const jwks = join(dir, 'src/auth/methods/jwt/jwks.ts');
    await readFile(jwks, 'utf8');
    const loginOnly = [PLAN[0]!, { ...PLAN[1]!, variant: 'login-endpoint' }];
    const dry = await scaffold(dir, { plan: loginOnly, dryRun: true });
    expect(dry.err()).toMatch(/delete\s+src\/auth\/methods\/jwt\/jwks\.ts\s+\(no longer generated; untouched since the last scaffold\)/);
    await scaffold(dir, { plan: loginOnly });
    await expect(readFile(jwks, 'utf8')).rejects.toThrow(/ENOENT/);
    expect(Object.keys((await manifestOf(dir)).files)).not.toContain('src/auth/methods/jwt/jwks.ts');

    // Back to token-service, then the user edits the file before it goes away again.
    await scaffold(dir, { plan: PLAN });
    await writeFile(jwks, '// mine now\n');
    const kept = await scaffold(dir, { plan: loginOnly });
    expect(kept.err()).toMatch(/keep\s+src\/auth\/methods\/jwt\/jwks\.ts/);
    expect(kept.err()).toContain('left in place (yours to remove): src/auth/methods/jwt/jwks.ts');
    expect(await readFile(jwks, 'utf8')).toBe('// mine now\n');
    expect(Object.keys((await manifestOf(dir)).files)).not.toContain('src/auth/methods/jwt/jwks.ts');
  }, 60_000);

  it('a plan without ids or variants (a 0.1.0 record) gets them derived', async () => {
    const dir = await project();
    await scaffold(dir, {
      plan: [
        { method: 'api-key', subjects: ['backend-integration'], clients: ['backend-service'] },
        { method: 'jwt', subjects: ['end-user'], clients: ['browser'] },
      ],
    });
    expect((await manifestOf(dir)).boundaries).toEqual([
      { id: 'partners', label: 'Partner backends', accepts: [{ method: 'api-key', variant: 'application' }] },
      { id: 'browser-app', label: 'First-party browser app', accepts: [{ method: 'jwt', variant: 'login-endpoint' }] },
    ]);
  }, 30_000);

  it('without --method, the manifest\'s methods are refreshed; a method the new plan drops is kept with a warning', async () => {
    const dir = await project();
    await scaffold(dir, { plan: PLAN });
    const refresh = await scaffold(dir);
    expect(refresh.err()).toContain('Everything is already up to date.');
    const dropped = await scaffold(dir, { plan: [PLAN[0]!] });
    expect(dropped.err()).toContain('Warning: the decision no longer plans jwt; its generated files are kept and refreshed.');
    expect((await manifestOf(dir)).methods.map((m: { method: string }) => m.method)).toEqual(['api-key', 'jwt']);
  }, 30_000);

  it('flags that make no sense, or would change every method through one, are exit 2 with nothing written', async () => {
    const dir = await project();
    await scaffold(dir, { plan: PLAN });
    const before = await treeSnapshot(dir);
    const cases: [Partial<ScaffoldOptions>, string][] = [
      [{ variant: 'cookie' }, '--variant goes with --method'],
      [{ boundary: 'partners' }, '--boundary goes with --method'],
      [{ method: 'jwt', variant: 'cookie' }, '--variant is "cookie"; jwt has: login-endpoint | token-service'],
      [{ method: 'api-key', stack: 'hono' }, '--stack hono would change every method\'s files, but --method api-key refreshes only its own.'],
      [{ method: 'api-key', boundary: 'Bad Id' }, '--boundary "Bad Id" is not a boundary id'],
    ];
    for (const [options, message] of cases) {
      const context = recordingContext(dir);
      expect(await exitCodeOf(scaffold(dir, options, context), context), message).toBe(2);
      expect(context.err()).toContain(message);
    }
    expect(await treeSnapshot(dir)).toEqual(before);
  }, 30_000);

  it('a 0.1.0 manifest is understood: its untouched files that are no longer generated go, edited ones stay', async () => {
    const dir = await project();
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    const files = { 'src/auth/middleware.ts': 'export const old = 1;\n', 'src/auth/core/keys.ts': 'export const keys = 1;\n' };
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(dir, path, '..'), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    await mkdir(join(dir, '.auth-decide'), { recursive: true });
    await writeFile(
      join(dir, '.auth-decide/manifest.json'),
      JSON.stringify({
        manifestVersion: 1,
        scaffolds: [
          {
            method: 'api-key',
            templateVersion: '0.1.0',
            stack: 'express',
            store: 'sqlite',
            lang: 'ts',
            moduleFormat: 'esm',
            oauthMode: null,
            outDir: 'src/auth',
            scripts: { 'test:auth': 'vitest run src/auth' },
            files: Object.fromEntries(Object.entries(files).map(([path, text]) => [path, sha(text)])),
          },
        ],
      }),
    );
    await writeFile(join(dir, 'src/auth/core/keys.ts'), 'export const keys = 2; // edited\n');
    const context = await scaffold(dir);
    expect(context.err()).toMatch(/delete\s+src\/auth\/middleware\.ts/);
    expect(context.err()).toMatch(/keep\s+src\/auth\/core\/keys\.ts/);
    expect(await readFile(join(dir, 'src/auth/core/keys.ts'), 'utf8')).toContain('edited');
    const manifest = await manifestOf(dir);
    expect(manifest.manifestVersion).toBe(2);
    expect(manifest.boundaries).toEqual([{ id: 'api', label: 'Every caller of the API', accepts: [{ method: 'api-key', variant: 'application' }] }]);
  }, 30_000);
});

describe('the shipped templates, from a decision record to check', () => {
  it('scaffold without --method realises the record\'s plan; check accounts for every file and package it added', async () => {
    const { decideInto, makeProject, PARTNER_ANSWERS, testContext } = await import('../review/support.js');
    const { runCheck } = await import('../../src/cli/commands/check.js');
    const project = makeProject('scaffold-plan');
    cleanups.push(async () => project.cleanup());
    project.write('package.json', JSON.stringify({ name: 'api', type: 'module', dependencies: { express: '^5.1.0' } }, null, 2));
    await decideInto(project, PARTNER_ANSWERS, { now: new Date('2026-03-01T12:00:00Z') });
    const context = recordingContext(project.dir);
    await runScaffold({ context, installer: async () => ({ ok: true }), yes: true, version: '9.9.9' });
    expect(context.err()).toMatch(/decision record\s+docs\/decisions\/0001-/);
    expect(context.err()).toContain('/api: api-key (application)');
    const manifest = await manifestOf(project.dir);
    expect(manifest.dependencies).toEqual(expect.arrayContaining(['@node-rs/argon2', 'jose', 'better-sqlite3', 'express']));
    const checkContext = testContext(project.dir, { now: new Date('2026-04-01T12:00:00Z') });
    await runCheck({ context: checkContext, json: true });
    expect(JSON.parse(checkContext.out())).toMatchObject({ status: 'ok', findings: [] });
  }, 60_000);
});
