/**
 * The scaffold command end to end, on real temp folders, with the small
 * fixture templates in test/fixtures/templates (the engine takes a templates
 * root, so these tests do not depend on the real method templates).
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runScaffold, type ScaffoldOptions } from '../../src/cli/commands/scaffold.js';
import { packageManagerInstaller, type InstallRequest, type Installer } from '../../src/shell/installer.js';
import { defaultTemplatesRoot } from '../../src/shell/scaffold-templates.js';
import type { PromptBackend } from '../../src/shell/prompts.js';
import { exitCodeOf, FIXTURE_TEMPLATES, fixtureProject, recordingContext, tempDir, treeSnapshot, type RecordingContext } from './helpers.js';

const REPO_NODE_MODULES = fileURLToPath(new URL('../../node_modules', import.meta.url));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function fresh(): Promise<string> {
  const temp = await tempDir();
  cleanups.push(temp.cleanup);
  return temp.dir;
}
async function fixture(name: string): Promise<string> {
  const temp = await fixtureProject(name);
  cleanups.push(temp.cleanup);
  return temp.dir;
}

/** An installer that records what it was asked and answers as told. */
function fakeInstaller(result: Awaited<ReturnType<Installer>> = { ok: true }) {
  const calls: InstallRequest[] = [];
  const installer: Installer = async (request) => {
    calls.push(request);
    request.onOutput('added 3 packages');
    return result;
  };
  return { installer, calls };
}

async function scaffold(dir: string, options: Partial<ScaffoldOptions> = {}, context: RecordingContext = recordingContext(dir)) {
  const { installer } = fakeInstaller();
  await runScaffold({ context, templatesRoot: FIXTURE_TEMPLATES, installer, yes: true, nodeVersion: '20.19.0', version: '9.9.9', ...options });
  return context;
}


/** A private copy of the fixture templates, so a test can play "a newer template version". */
async function templatesCopy(): Promise<string> {
  const root = await fresh();
  await cp(FIXTURE_TEMPLATES, root, { recursive: true });
  return root;
}

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as Record<string, any>;

describe('scaffold: planning and dry runs', () => {
  it('--dry-run writes nothing and installs nothing', async () => {
    const dir = await fixture('npm-esm-ts');
    const before = await treeSnapshot(dir);
    const { installer, calls } = fakeInstaller();
    const context = recordingContext(dir);
    await runScaffold({ context, templatesRoot: FIXTURE_TEMPLATES, installer, method: 'api-key', dryRun: true, yes: true });
    expect(await treeSnapshot(dir)).toEqual(before);
    expect(calls).toEqual([]);
    expect(context.err()).toContain('Plan (dry run, nothing is written):\n  auth package for express, store sqlite, TypeScript, into src/auth/\n    /api: api-key (application)\n');
    expect(context.err()).toMatch(/create\s+src\/auth\/core\/greeting\.ts/);
    expect(context.err()).toContain('a real run would then run `npm install`');
  }, 30_000);

  it('--dry-run --json prints one JSON document with the plan', async () => {
    const dir = await fixture('pnpm-cjs-js');
    const before = await treeSnapshot(dir);
    const context = await scaffold(dir, { method: 'api-key', dryRun: true, json: true });
    expect(await treeSnapshot(dir)).toEqual(before);
    const report = JSON.parse(context.out()) as Record<string, any>;
    expect(report.dryRun).toBe(true);
    expect(report.written).toBe(false);
    expect(report.selection).toEqual({
      package: { stack: 'fastify', store: 'sqlite', lang: 'js', moduleFormat: 'cjs', outDir: 'src/auth', packageManager: 'pnpm' },
      methods: [{ method: 'api-key', variants: ['application'], tokenFormat: null }],
      boundaries: [{ id: 'api', label: 'Every caller of the API', accepts: [{ method: 'api-key', variant: 'application' }] }],
    });
    expect(report.install).toEqual({ command: 'pnpm install', ran: false, ok: null });
    expect(report.dependencies.add.dependencies).toEqual({ 'better-sqlite3': '^12.4.1', picocolors: '^1.1.1' });
    expect(report.dependencies.kept).toEqual([{ name: 'fastify', wanted: '^5.6.1', declared: '^5.4.0' }]);
    expect(report.files.map((f: { path: string }) => f.path)).toContain('src/auth/tests/greeting.test.mjs');
  }, 30_000);
});

describe('scaffold: writing', () => {
  it('creates a minimal runnable TypeScript project where there is no package.json', async () => {
    const parent = await fresh();
    const dir = join(parent, 'Shop API');
    const context = recordingContext(parent);
    const { installer, calls } = fakeInstaller();
    await runScaffold({ context, dir: 'Shop API', method: 'api-key', stack: 'hono', templatesRoot: FIXTURE_TEMPLATES, installer, yes: true, version: '9.9.9' });
    const pkg = await readJson(join(dir, 'package.json'));
    expect(pkg).toMatchObject({ name: 'shop-api', private: true, type: 'module' });
    expect(pkg.scripts).toEqual({
      start: 'npm run auth:demo',
      'auth:credential': 'tsx auth/demo.ts credential',
      'auth:demo': 'tsx auth/demo.ts',
      'auth:keys': 'tsx auth/methods/api-key/keys.ts',
      'test:auth': 'vitest run auth',
    });
    expect(pkg.dependencies).toEqual({ '@hono/node-server': '^1.19.5', 'better-sqlite3': '^12.4.1', hono: '^4.10.4', picocolors: '^1.1.1' });
    expect(Object.keys(pkg.devDependencies)).toEqual(['@types/node', 'tsx', 'typescript', 'vitest']);
    expect((await readJson(join(dir, 'tsconfig.json'))).compilerOptions).toMatchObject({ module: 'NodeNext', strict: true });
    expect(await readFile(join(dir, 'auth/adapter.ts'), 'utf8')).toContain('The hono adapter, generated for a ts project (esm)');
    expect(await readFile(join(dir, 'auth/AUTH.md'), 'utf8')).toContain('# Fixture auth for shop-api');
    expect(calls.map((c) => [c.command.display, c.cwd])).toEqual([['npm install', dir]]);
    expect(context.err()).toContain('npm │ added 3 packages');
    const manifest = await readJson(join(dir, '.auth-decide/manifest.json'));
    expect(manifest).toMatchObject({
      manifestVersion: 2,
      templateVersion: '9.9.9',
      package: { stack: 'hono', store: 'sqlite', lang: 'ts', moduleFormat: 'esm', outDir: 'auth', packageManager: 'npm' },
      methods: [{ method: 'api-key', variants: ['application'], tokenFormat: null }],
    });
    expect(manifest.dependencies).toEqual(['@hono/node-server', '@types/node', 'better-sqlite3', 'hono', 'picocolors', 'tsx', 'typescript', 'vitest']);
    expect(Object.keys(manifest.files)).toEqual([
      'auth/adapter.ts',
      'auth/AUTH.md',
      'auth/boundaries.ts',
      'auth/core/greeting.ts',
      'auth/core/principal.ts',
      'auth/demo.ts',
      'auth/methods/api-key/keys.ts',
      'auth/methods/api-key/tests/keys.test.ts',
      'auth/stores/store.ts',
      'auth/tests/greeting.test.ts',
    ]);
  }, 30_000);

  it('appends missing keys to .env.example and never touches .env', async () => {
    const dir = await fixture('npm-esm-ts');
    await writeFile(join(dir, '.env'), 'FIXTURE_PEPPER=real-secret\n');
    await writeFile(join(dir, '.env.example'), 'PORT=3000\n');
    await scaffold(dir, { method: 'api-key', install: false });
    expect(await readFile(join(dir, '.env'), 'utf8')).toBe('FIXTURE_PEPPER=real-secret\n');
    expect(await readFile(join(dir, '.env.example'), 'utf8')).toBe(
      'PORT=3000\n\n# Auth package (added by auth-decide)\n# secret mixed into every hash\nFIXTURE_PEPPER=\n',
    );
  }, 30_000);

  it('adds only undeclared dependencies, keeps the project formatting, and --no-install only prints the command', async () => {
    const dir = await fixture('pnpm-cjs-js');
    const { installer, calls } = fakeInstaller();
    const context = recordingContext(dir);
    await runScaffold({ context, templatesRoot: FIXTURE_TEMPLATES, installer, method: 'api-key', install: false, yes: true });
    expect(calls).toEqual([]);
    expect(context.err()).toContain('Install the new dependencies with: pnpm install');
    const text = await readFile(join(dir, 'package.json'), 'utf8');
    expect(text).toContain('\n    "dependencies": {\n        "better-sqlite3": "^12.4.1",\n        "fastify": "^5.4.0",');
    expect(JSON.parse(text).dependencies.fastify).toBe('^5.4.0');
  }, 30_000);

  it('generates ES module JavaScript that runs, with .js tests', async () => {
    const dir = await fresh();
    await scaffold(dir, { method: 'api-key', stack: 'express', lang: 'js', install: false });
    const greeting = await readFile(join(dir, 'auth/core/greeting.js'), 'utf8');
    expect(greeting).toMatch(/^\/\*\*\n \* A framework-agnostic check/);
    expect(greeting).toContain("import { describePrincipal } from './principal.js';");
    expect(greeting).not.toContain('interface');
    expect(greeting).toContain('hello ${describePrincipal(principal)}\n\nbye');
    expect(execFileSync(process.execPath, ['auth/demo.js', 'carol'], { cwd: dir, encoding: 'utf8' })).toBe('express:sqlite:hello carol (no scopes)\n\nbye\n');
    expect(await readFile(join(dir, 'auth/tests/greeting.test.js'), 'utf8')).toContain("import { describe, expect, it } from 'vitest';");
  }, 30_000);

  it('generates CommonJS that runs, with ES module tests (.test.mjs) that vitest runs against it', async () => {
    const dir = await fixture('pnpm-cjs-js');
    await scaffold(dir, { method: 'api-key', install: false });
    const adapter = await readFile(join(dir, 'src/auth/adapter.js'), 'utf8');
    expect(adapter).toContain('"use strict"');
    expect(adapter).toContain('require("./core/greeting.js")');
    expect(execFileSync(process.execPath, ['src/auth/demo.js', 'dave'], { cwd: dir, encoding: 'utf8' })).toBe('fastify:sqlite:hello dave (no scopes)\n\nbye\n');
    await symlink(REPO_NODE_MODULES, join(dir, 'node_modules'), 'dir');
    const vitest = join(REPO_NODE_MODULES, 'vitest', 'vitest.mjs');
    const output = execFileSync(process.execPath, [vitest, 'run', 'src/auth'], { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: 'true' } })
      .replace(/\u001b\[[0-9;]*m/g, '');
    expect(output).toContain('src/auth/tests/greeting.test.mjs');
    expect(output).toContain('src/auth/methods/api-key/tests/keys.test.mjs');
    expect(output).toMatch(/Tests\s+3 passed/);
  }, 90_000);

  it('uses .mjs sources when --module esm is asked for in a CommonJS package', async () => {
    const dir = await fixture('pnpm-cjs-js');
    await scaffold(dir, { method: 'api-key', module: 'esm', install: false });
    expect(await readFile(join(dir, 'src/auth/adapter.mjs'), 'utf8')).toContain("import { greet } from './core/greeting.mjs';");
    expect((await readJson(join(dir, 'package.json'))).scripts['auth:demo']).toBe('node src/auth/demo.mjs');
    expect(execFileSync(process.execPath, ['src/auth/demo.mjs', 'erin'], { cwd: dir, encoding: 'utf8' })).toContain('fastify:sqlite:hello erin');
  }, 30_000);

  it('a second run with nothing changed writes nothing', async () => {
    const dir = await fixture('npm-esm-ts');
    await scaffold(dir, { method: 'api-key', install: false });
    const before = await treeSnapshot(dir);
    const context = await scaffold(dir, { method: 'api-key', install: false });
    expect(await treeSnapshot(dir)).toEqual(before);
    expect(context.err()).toContain('Everything is already up to date.');
    expect(context.err()).toMatch(/\d+ identical/);
  }, 30_000);
});

describe('scaffold: manifest, updates and conflicts', () => {

  it('updates files nobody touched, and stops at edited ones with a diff and exit 2, writing nothing', async () => {
    const dir = await fixture('npm-esm-ts');
    const templatesRoot = await templatesCopy();
    await scaffold(dir, { method: 'api-key', install: false, templatesRoot });
    // The user edits one generated file; then a newer template changes two files.
    const edited = join(dir, 'src/auth/core/principal.ts');
    await writeFile(edited, (await readFile(edited, 'utf8')).replace("'no scopes'", "'nothing'"));
    for (const name of ['core/principal.ts', 'core/greeting.ts']) {
      const file = join(templatesRoot, 'kernel/files', name);
      await writeFile(file, `// v2\n${await readFile(file, 'utf8')}`);
    }
    const before = await treeSnapshot(dir);
    const context = recordingContext(dir);
    const code = await exitCodeOf(scaffold(dir, { method: 'api-key', install: false, templatesRoot }, context), context);
    expect(code).toBe(2);
    expect(await treeSnapshot(dir)).toEqual(before);
    const err = context.err();
    expect(err).toMatch(/conflict\s+src\/auth\/core\/principal\.ts \(edited since the last scaffold\)/);
    expect(err).toMatch(/update\s+src\/auth\/core\/greeting\.ts \(unchanged since the last scaffold\)/);
    expect(err).toContain('--- a/src/auth/core/principal.ts\n+++ b/src/auth/core/principal.ts\n@@ -1,3 +1,4 @@\n+// v2\n');
    expect(err).toContain("-  return `${principal.subject} (${principal.scopes.join(', ') || 'nothing'})`;");
    expect(err).toContain('re-run with --force');

    // Without the edit in the way, the untouched file is updated.
    await scaffold(dir, { method: 'api-key', install: false, templatesRoot, force: true });
    expect(await readFile(join(dir, 'src/auth/core/greeting.ts'), 'utf8')).toMatch(/^\/\/ v2\n/);
    expect(await readFile(edited, 'utf8')).toMatch(/^\/\/ v2\n/);
  }, 60_000);

  it('treats a generated file the user deleted as skipped, and an edited script as a conflict', async () => {
    const dir = await fixture('npm-esm-ts');
    await scaffold(dir, { method: 'api-key', install: false });
    await rm(join(dir, 'src/auth/AUTH.md'));
    const pkgPath = join(dir, 'package.json');
    const pkg = await readJson(pkgPath);
    pkg.scripts['test:auth'] = 'vitest run src/auth --reporter dot';
    await writeFile(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
    const context = recordingContext(dir);
    const code = await exitCodeOf(scaffold(dir, { method: 'api-key', install: false, json: true }, context), context);
    expect(code).toBe(2);
    const report = JSON.parse(context.out()) as Record<string, any>;
    expect(report.written).toBe(false);
    expect(report.files.find((f: { path: string }) => f.path === 'src/auth/AUTH.md')).toMatchObject({ action: 'skip', write: false });
    expect(report.conflicts).toEqual([expect.objectContaining({ path: 'package.json', reason: 'scripts you changed: test:auth' })]);
  }, 30_000);

  it('a file of the user that is in the way is a conflict on the first run', async () => {
    const dir = await fixture('npm-esm-ts');
    await mkdir(join(dir, 'src/auth'), { recursive: true });
    await writeFile(join(dir, 'src/auth/demo.ts'), 'console.log("mine");\n');
    const before = await treeSnapshot(dir);
    const context = recordingContext(dir);
    expect(await exitCodeOf(scaffold(dir, { method: 'api-key', install: false }, context), context)).toBe(2);
    expect(context.err()).toMatch(/conflict\s+src\/auth\/demo\.ts \(a file of yours is in the way\)/);
    expect(context.err()).toContain('-console.log("mine");');
    expect(await treeSnapshot(dir)).toEqual(before);
  }, 30_000);

  it('asks before overwriting conflicts in an interactive run', async () => {
    const dir = await fixture('npm-esm-ts');
    await mkdir(join(dir, 'src/auth'), { recursive: true });
    await writeFile(join(dir, 'src/auth/demo.ts'), 'console.log("mine");\n');
    const asked: string[] = [];
    const prompts = {
      confirm: async ({ message }: { message: string }) => (asked.push(message), false),
    } as unknown as PromptBackend;
    const context = recordingContext(dir, { interactive: true });
    const before = await treeSnapshot(dir);
    expect(await exitCodeOf(runScaffold({ context, templatesRoot: FIXTURE_TEMPLATES, method: 'api-key', install: false, prompts }), context)).toBe(130);
    expect(asked).toEqual(['Overwrite 1 changed file with the generated version (diffs above)?']);
    expect(await treeSnapshot(dir)).toEqual(before);
  }, 30_000);
});

describe('scaffold: all or nothing', () => {
  it('rolls back every write when the last one fails', async () => {
    const dir = await fixture('npm-esm-ts');
    // The manifest is written last; a folder in its place makes that final rename fail.
    await mkdir(join(dir, '.auth-decide/manifest.json/inside'), { recursive: true });
    const before = await treeSnapshot(dir);
    const context = recordingContext(dir);
    const code = await exitCodeOf(scaffold(dir, { method: 'api-key', install: false }, context), context);
    expect(code).toBe(2);
    expect(context.err()).toContain('Error: Could not write .auth-decide/manifest.json');
    expect(context.err()).toContain('Nothing was changed');
    expect(await treeSnapshot(dir)).toEqual(before);
  }, 30_000);

  it('rolls back when a folder cannot be created midway (a file where a folder must go)', async () => {
    const dir = await fixture('npm-esm-ts');
    await mkdir(join(dir, 'src/auth'), { recursive: true });
    await writeFile(join(dir, 'src/auth/stores'), 'not a folder\n');
    const before = await treeSnapshot(dir);
    const context = recordingContext(dir);
    expect(await exitCodeOf(scaffold(dir, { method: 'api-key', install: false, force: true }, context), context)).toBe(2);
    expect(context.err()).toContain('Could not write src/auth/stores/store.ts');
    expect(await treeSnapshot(dir)).toEqual(before);
  }, 30_000);
});

describe('scaffold: installing', () => {
  it('passes an installer failure through with its output (exit 2), keeping the written files', async () => {
    const dir = await fixture('yarn-esm-js');
    const { installer } = fakeInstaller({ ok: false, exitCode: 1, output: 'error Couldn\'t find package "nope"', reason: 'yarn install exited with code 1' });
    const context = recordingContext(dir);
    const code = await exitCodeOf(runScaffold({ context, templatesRoot: FIXTURE_TEMPLATES, installer, method: 'api-key', yes: true }), context);
    expect(code).toBe(2);
    expect(context.err()).toContain('Installing dependencies: yarn install');
    expect(context.err()).toContain('Error: Installing failed: yarn install exited with code 1.\nerror Couldn\'t find package "nope"');
    expect(context.err()).toContain('The files were written.');
    expect(await readFile(join(dir, 'auth/adapter.js'), 'utf8')).toContain('hono');
  }, 30_000);

  it('the real installer runs the package manager and returns its failure output', async () => {
    const dir = await fresh();
    await writeFile(join(dir, 'package.json'), '{ "name": "x", "dependencies": { ');
    const lines: string[] = [];
    const result = await packageManagerInstaller({
      cwd: dir,
      command: { file: 'npm', args: ['install', '--offline', '--no-audit', '--no-fund'], display: 'npm install' },
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      onOutput: (line) => lines.push(line),
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.exitCode).not.toBe(0);
      expect(result.output).toContain('package.json');
    }
    expect(lines.length).toBeGreaterThan(0);
  }, 60_000);
});

describe('scaffold: choices', () => {
  it('without a TTY, a missing method is exit 2 naming --method', async () => {
    const dir = await fixture('npm-esm-ts');
    const context = recordingContext(dir);
    expect(await exitCodeOf(runScaffold({ context, templatesRoot: FIXTURE_TEMPLATES }), context)).toBe(2);
    expect(context.err()).toContain('--method');
  });

  it('a method without templates is exit 2', async () => {
    const dir = await fixture('npm-esm-ts');
    const context = recordingContext(dir);
    expect(await exitCodeOf(scaffold(dir, { method: 'session' }, context), context)).toBe(2);
    expect(context.err()).toContain('There are no templates for method session in this version');
  });

  it('a method whose templates still use the single-method layout is refused with exit 2, writing nothing', async () => {
    const dir = await fixture('npm-esm-ts');
    const before = await treeSnapshot(dir);
    // Every method this version ships is on the shared kernel; a copy of the templates in which the
    // JWT manifest names no variants stands for a template still in the stand-alone layout.
    const { dir: templatesRoot, cleanup } = await tempDir('old-layout-templates-');
    cleanups.push(cleanup);
    for (const name of ['kernel', 'jwt']) await cp(join(defaultTemplatesRoot(), name), join(templatesRoot, name), { recursive: true });
    const manifest = JSON.parse(await readFile(join(templatesRoot, 'jwt', 'template.json'), 'utf8')) as Record<string, unknown>;
    // The old layout: no variants, and its own stores.
    delete manifest.variants;
    Object.assign(manifest, { stores: ['sqlite'], defaultStore: 'sqlite' });
    await writeFile(join(templatesRoot, 'jwt', 'template.json'), JSON.stringify(manifest));
    const context = recordingContext(dir);
    expect(await exitCodeOf(scaffold(dir, { method: 'jwt', templatesRoot }, context), context)).toBe(2);
    expect(context.err()).toContain('The jwt templates in this version cannot join the shared auth package yet');
    expect(await treeSnapshot(dir)).toEqual(before);
  });

  it('refuses a Node older than the strictest template of the package needs', async () => {
    const templatesRoot = await templatesCopy();
    const jwtManifest = join(templatesRoot, 'jwt/template.json');
    await writeFile(jwtManifest, (await readFile(jwtManifest, 'utf8')).replace('">=20.19"', '">=22"'));
    const dir = await fixture('npm-esm-ts');
    const context = recordingContext(dir);
    expect(await exitCodeOf(scaffold(dir, { method: 'jwt', nodeVersion: '20.19.5', templatesRoot }, context), context)).toBe(2);
    expect(context.err()).toContain('The auth package (jwt) needs Node >=22; this is Node 20.19.5.');
    await scaffold(dir, { method: 'jwt', nodeVersion: '22.1.0', templatesRoot, install: false });
    expect(await readFile(join(dir, 'src/auth/AUTH.md'), 'utf8')).toContain('needs Node >=22');
  });

  it('asks for the stack when several are declared, and refuses without a TTY', async () => {
    const dir = await fixture('multi-stack');
    const context = recordingContext(dir);
    expect(await exitCodeOf(scaffold(dir, { method: 'api-key', dryRun: true }, context), context)).toBe(2);
    expect(context.err()).toContain('several web frameworks (express, fastify)');
    const prompts = {
      select: async ({ choices }: { choices: { value: string }[] }) => choices.at(-1)!.value,
      confirm: async () => true,
      note: () => undefined,
    } as unknown as PromptBackend;
    const interactive = recordingContext(dir, { interactive: true });
    await runScaffold({ context: interactive, templatesRoot: FIXTURE_TEMPLATES, method: 'api-key', dryRun: true, prompts, yes: false });
    expect(interactive.err()).toContain('auth package for fastify');
    expect(interactive.err()).toContain('  language         js (no tsconfig.json)');
  }, 30_000);

  it('rejects an --out outside the project', async () => {
    const dir = await fixture('npm-esm-ts');
    const context = recordingContext(dir);
    expect(await exitCodeOf(scaffold(dir, { method: 'api-key', out: '../elsewhere' }, context), context)).toBe(2);
    expect(context.err()).toContain('--out must stay inside the project');
  });
});
