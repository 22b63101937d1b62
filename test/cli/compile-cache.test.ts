/**
 * The code cache the bin runs auth-decide's modules from
 * (src/shell/compile-cache.ts): written once, used afterwards, refused when
 * damaged or in a folder others can write, never needed for a run to work.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, makeTempDir, ROOT, runCli } from './helpers.js';

beforeAll(assertBuilt);
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

function cacheHome(): { home: string; folder: string; env: Record<string, string> } {
  const temp = makeTempDir('compile-cache');
  cleanups.push(temp.cleanup);
  return { home: temp.dir, folder: join(temp.dir, 'auth-decide', 'compile-cache'), env: { XDG_CACHE_HOME: temp.dir } };
}
const filesIn = (folder: string) => (existsSync(folder) ? readdirSync(folder).sort() : []);

describe('the compile cache', () => {
  it('is written by the first run and used, unchanged, by the next', async () => {
    const { home, folder, env } = cacheHome();
    const first = await runCli(['explain', 'jwt'], { cwd: home, env });
    expect(first.code).toBe(0);
    const files = filesIn(folder);
    expect(files.some((name) => name.includes('cli_index.js'))).toBe(true);
    expect(statSync(folder).mode & 0o077).toBe(0);
    const written = Object.fromEntries(files.map((name) => [name, statSync(join(folder, name)).mtimeMs]));

    const second = await runCli(['explain', 'jwt'], { cwd: home, env });
    expect(second).toEqual(first);
    // Accepted caches are not written again.
    for (const name of files) expect(statSync(join(folder, name)).mtimeMs, name).toBe(written[name]);
  });

  it('never runs the cache of other code of the same length (another build, an upgrade)', { timeout: 60_000 }, async () => {
    const { home, env } = cacheHome();
    // A copy of the built package, so its code can change the way a new build changes it.
    const copy = join(home, 'package');
    for (const entry of ['bin', 'dist', 'package.json']) cpSync(join(ROOT, entry), join(copy, entry), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
    const childEnv: Record<string, string | undefined> = { ...process.env, ...env, FORCE_COLOR: '0' };
    delete childEnv.NODE_DISABLE_COMPILE_CACHE;
    const help = () => execFileSync(process.execPath, [join(copy, 'bin', 'auth-decide.js'), '--help'], { cwd: home, env: childEnv, encoding: 'utf8' });
    expect(help()).toContain('show help');
    const index = join(copy, 'dist', 'cli', 'index.js');
    const before = readFileSync(index, 'utf8');
    const changed = before.replace(/(['"`])show help\1/, '$1show HELP$1');
    expect(changed).not.toBe(before);
    expect(changed.length).toBe(before.length);
    writeFileSync(index, changed);
    expect(help()).toContain('show HELP');
  });

  it('refuses a damaged cache and writes it again', async () => {
    const { home, folder, env } = cacheHome();
    const expected = await runCli(['--help'], { cwd: home, env });
    const [index] = filesIn(folder).filter((name) => name.includes('cli_index.js'));
    writeFileSync(join(folder, index!), 'not a code cache');
    const again = await runCli(['--help'], { cwd: home, env });
    expect(again).toEqual(expected);
    expect(readFileSync(join(folder, index!), 'utf8')).not.toBe('not a code cache');
  });

  it('leaves alone a cache folder others can write', async () => {
    const { home, folder, env } = cacheHome();
    mkdirSync(folder, { recursive: true });
    chmodSync(folder, 0o777);
    const planted = join(folder, `${process.version}-${process.arch}-cli_index.js.bin`);
    writeFileSync(planted, 'planted by someone else');
    const result = await runCli(['--version'], { cwd: home, env });
    expect(result.code).toBe(0);
    expect(readFileSync(planted, 'utf8')).toBe('planted by someone else');
    expect(filesIn(folder)).toEqual([`${process.version}-${process.arch}-cli_index.js.bin`]);
  });

  it('is off with NODE_DISABLE_COMPILE_CACHE, and a relative XDG_CACHE_HOME is ignored', async () => {
    const { home, env } = cacheHome();
    expect((await runCli(['--version'], { cwd: home, env: { ...env, NODE_DISABLE_COMPILE_CACHE: '1' } })).code).toBe(0);
    expect(filesIn(join(home, 'auth-decide'))).toEqual([]);

    const relative = await runCli(['--version'], { cwd: home, env: { XDG_CACHE_HOME: 'cache', HOME: home } });
    expect(relative.code).toBe(0);
    expect(existsSync(join(home, 'cache'))).toBe(false);
    expect(filesIn(join(home, '.cache', 'auth-decide', 'compile-cache')).length).toBeGreaterThan(0);
  });
});
