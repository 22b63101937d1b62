/**
 * The package as users get it: `npm pack`, then `npx --yes <tarball>` in an
 * empty folder, so only what `files` ships and the runtime dependencies exist.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
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

describe('the packed package', () => {
  it('ships only what runs', () => {
    expect(existsSync(tarball)).toBe(true);
    const topLevel = [...new Set(packedFiles.map((path) => path.split('/')[0]))].sort();
    for (const entry of topLevel) expect(['LICENSE', 'README.md', 'bin', 'dist', 'package.json', 'templates']).toContain(entry);
    expect(packedFiles).toContain('bin/auth-decide.js');
    expect(packedFiles).toContain('dist/cli/index.js');
    expect(packedFiles.some((path) => path.startsWith('templates/adr/'))).toBe(true);
    expect(packedFiles.some((path) => path.startsWith('src/') || path.startsWith('test/'))).toBe(false);
  });

  it('runs with npx in an empty folder: --help, then a full --answers run', { timeout: TIMEOUT }, async () => {
    const work = join(temp.dir, 'project');
    mkdirSync(work);
    // NOTE: relative on purpose: npx runs an absolute path as a command instead of installing it.
    const spec = relative(work, tarball);
    const help = await run('npx', ['--yes', spec, '--help'], { cwd: work, env: npmEnv });
    expect(help.stdout).toMatch(/^Usage: auth-decide/);

    writeFileSync(join(work, 'answers.yaml'), HYBRID_YAML);
    const decided = await run('npx', ['--yes', spec, 'decide', '--answers', 'answers.yaml', '--json'], { cwd: work, env: npmEnv });
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
    expect(installed).toContain('commander');
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    for (const name of Object.keys(manifest.dependencies)) expect(existsSync(join(install!, 'node_modules', name))).toBe(true);
    const devOnly = Object.keys(manifest.devDependencies).filter((name) => !(name in manifest.dependencies));
    expect(devOnly).toContain('vitest');
    for (const name of devOnly) expect(existsSync(join(install!, 'node_modules', name)), name).toBe(false);
    // This install is unique to the temp tarball; leave the user's cache as it was.
    rmSync(install!, { recursive: true, force: true });
  });
});
