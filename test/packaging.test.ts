/**
 * The package as users get it: `npm pack`, then `npx --yes --package <tarball>
 * auth-decide` in an empty folder, so only what `files` ships and the runtime
 * dependencies exist.
 */
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, HYBRID_YAML, listRecords, makeTempDir, ROOT } from './cli/helpers.js';

const run = promisify(execFile);
const TIMEOUT = 240_000;

let temp: { dir: string; cleanup: () => void };
let tarball: string;
let packedFiles: string[];
let npmEnv: Record<string, string>;

beforeAll(async () => {
  assertBuilt();
  temp = makeTempDir('pack');
  const { stdout: cache } = await run('npm', ['config', 'get', 'cache'], { cwd: ROOT });
  npmEnv = {
    ...(process.env as Record<string, string>),
    // The user's cache, preferred over the network, so the test runs offline once dependencies were installed.
    npm_config_cache: cache.trim(),
    npm_config_prefer_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    FORCE_COLOR: '0',
  };
  delete npmEnv.NO_COLOR;
  delete npmEnv.npm_config_prefix;
  const packDir = join(temp.dir, 'pack');
  mkdirSync(packDir);
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', packDir], { cwd: ROOT, env: npmEnv });
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  tarball = join(packDir, packed!.filename);
  packedFiles = packed!.files.map((file) => file.path);
}, TIMEOUT);

afterAll(() => temp?.cleanup());

/** Bytes of the files under `dir`, as `du --apparent-size` counts them, not following links. */
function bytesUnder(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    const info = lstatSync(path);
    total += info.isDirectory() ? bytesUnder(path) : info.size;
  }
  return total;
}

describe('the packed package', () => {
  it('ships only what runs', () => {
    expect(existsSync(tarball)).toBe(true);
    const topLevel = [...new Set(packedFiles.map((path) => path.split('/')[0]))].sort();
    for (const entry of topLevel) expect(['LICENSE', 'README.md', 'bin', 'dist', 'package.json', 'templates']).toContain(entry);
    expect(packedFiles).toContain('bin/auth-decide.js');
    expect(packedFiles).toContain('dist/cli/index.js');
    expect(packedFiles).toContain('bin/package.json');
    expect(packedFiles.some((path) => path.startsWith('templates/adr/'))).toBe(true);
    expect(packedFiles.some((path) => path.startsWith('src/') || path.startsWith('test/'))).toBe(false);
  });

  it('says where to report a bug: the project home, in package.json and the README', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      homepage: string;
      bugs: { url: string };
      repository: { url: string };
    };
    const home = 'https://github.com/auth-decide/auth-decide';
    expect(manifest.bugs.url).toBe(`${home}/issues`);
    expect(manifest.homepage.startsWith(home)).toBe(true);
    expect(manifest.repository.url).toBe(`git+${home}.git`);
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(`${home}/issues`);
  });

  it('runs with npx in an empty folder: --help, a full --answers run, a JavaScript scaffold', { timeout: TIMEOUT }, async () => {
    const work = join(temp.dir, 'project');
    mkdirSync(work);
    // As the README says: npx takes a bare absolute path for a command, so the tarball is named with --package.
    const npx = (args: string[]) => run('npx', ['--yes', '--package', tarball, 'auth-decide', ...args], { cwd: work, env: npmEnv });
    const help = await npx(['--help']);
    expect(help.stdout).toMatch(/^Usage: auth-decide/);

    writeFileSync(join(work, 'answers.yaml'), HYBRID_YAML);
    const decided = await npx(['decide', '--answers', 'answers.yaml', '--json']);
    const document = JSON.parse(decided.stdout) as { recommendation: string; record: { path: string; written: boolean } };
    expect(document.recommendation).toBe('oauth');
    expect(document.record.written).toBe(true);
    expect(listRecords(join(work, 'docs', 'decisions'))).toHaveLength(1);
    expect(readFileSync(join(work, document.record.path), 'utf8')).toContain('## Decision Outcome');

    // npx installed the tarball with its runtime dependencies only.
    const npxRoot = join(npmEnv.npm_config_cache!, '_npx');
    const install = readdirSync(npxRoot)
      .map((hash) => join(npxRoot, hash))
      .find((folder) => existsSync(join(folder, 'package.json')) && readFileSync(join(folder, 'package.json'), 'utf8').includes(basename(temp.dir)));
    expect(install).toBeDefined();
    const installed = readdirSync(join(install!, 'node_modules'));
    expect(installed).toContain('auth-decide');
    expect(installed).toContain('@inquirer');
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    for (const name of Object.keys(manifest.dependencies)) expect(existsSync(join(install!, 'node_modules', name))).toBe(true);
    const devOnly = Object.keys(manifest.devDependencies).filter((name) => !(name in manifest.dependencies));
    expect(devOnly).toContain('vitest');
    for (const name of devOnly) expect(existsSync(join(install!, 'node_modules', name)), name).toBe(false);
    // No compiler at run time: the scaffold templates were compiled and transpiled by the build.
    for (const name of ['typescript', 'handlebars', 'uglify-js', 'source-map']) expect(existsSync(join(install!, 'node_modules', name)), name).toBe(false);
    expect(bytesUnder(join(install!, 'node_modules'))).toBeLessThanOrEqual(15 * 1024 * 1024);

    // A CommonJS JavaScript project: the JavaScript comes from the build, with TypeScript nowhere installed.
    writeFileSync(join(work, 'package.json'), `${JSON.stringify({ name: 'shop', dependencies: { express: '^5.1.0' } }, null, 2)}\n`);
    const scaffolded = await npx(['scaffold', '--method', 'api-key', '--lang', 'js', '--module', 'cjs', '--no-install', '--yes']);
    expect(scaffolded.stderr).toContain('Wrote');
    const auth = readFileSync(join(work, 'auth', 'auth.js'), 'utf8');
    expect(auth).toMatch(/require\(["']\.\/methods\/api-key\/index\.js["']\)/);
    const stack = readFileSync(join(work, 'auth', 'stack.js'), 'utf8');
    expect(stack).toMatch(/require\(["']express["']\)/);
    for (const code of [auth, stack]) expect(code).not.toMatch(/import type|: Express\b|^import |^export /m);
    // The generated suites stay ES modules (vitest), even in a CommonJS project.
    expect(readFileSync(join(work, 'auth', 'methods', 'api-key', 'tests', 'http.test.mjs'), 'utf8')).toMatch(/^import /m);
    // This install is unique to the temp tarball; leave the user's cache as it was.
    rmSync(install!, { recursive: true, force: true });
  });
});
