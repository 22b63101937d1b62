/**
 * Finding 2: what the environment does to a run — permissions, read-only and
 * full disks, immutable folders, files where folders belong, link loops,
 * kernel file systems, pipes and devices, hostile inputs — is bad input
 * (exit 2, naming the path and what to do), never "Internal error", never a
 * hang, and never half-written. Each fault is real: a read-only or tiny
 * tmpfs mounted in a private mount namespace, capabilities dropped so
 * permission bits bind even for root, `chattr +i`, a FIFO, /proc and /sys.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assertBuilt, HYBRID_YAML, makeTempDir, runCli, snapshotTree, type RunResult } from './helpers.js';

const TIMEOUT = 60_000;
const isRoot = process.getuid?.() === 0;

let dir: string;
let cleanup: () => void;
beforeAll(assertBuilt);
beforeEach(() => {
  ({ dir, cleanup } = makeTempDir('faults'));
  writeFileSync(join(dir, 'answers.yaml'), HYBRID_YAML);
});
afterEach(() => cleanup());

/** Runs the CLI with a fresh tmpfs (`options`, e.g. `ro` or `size=8k`) mounted over `target`, visible to it alone. */
const withTmpfs = (target: string, options: string): string[] => [
  'unshare',
  ...(isRoot ? ['--mount'] : ['--mount', '--map-root-user']),
  'sh',
  '-c',
  `mount -t tmpfs -o ${options} tmpfs "$0" && cd "$PWD" && exec "$@"`,
  target,
];

/** Runs the CLI without the capabilities that let root ignore permission bits. */
const withoutOverride = isRoot
  ? ['setpriv', '--bounding-set=-dac_override,-dac_read_search', '--inh-caps=-dac_override,-dac_read_search']
  : [];

/** The common promise: exit 2, an error line naming `path`, the reason, a next step, and nothing else. */
function expectRefusal(result: RunResult, path: string, reason: RegExp): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  const text = result.stderr.replace(/\s+/g, ' ');
  expect(text).toMatch(/^Error: /);
  expect(text).toContain(path);
  expect(text).toMatch(reason);
  expect(result.stderr).not.toMatch(/Internal error|hit a bug|\n\s+at /);
  // A second line says what to do.
  expect(result.stderr.trim().split('\n').length).toBeGreaterThan(1);
}

describe('the records folder cannot be written', () => {
  it('EROFS: the project is on a read-only file system (not a misleading ENOENT mkdir)', { timeout: TIMEOUT }, async () => {
    const project = join(dir, 'project');
    mkdirSync(project);
    const result = await runCli(['decide', '--answers', join(dir, 'answers.yaml')], { cwd: project, via: withTmpfs(project, 'ro,size=64k') });
    expectRefusal(result, 'docs', /read-only file system/);
    expect(result.stderr).not.toMatch(/ENOENT|does not exist/);
  });

  it('EROFS: --adr-dir on a read-only file system', { timeout: TIMEOUT }, async () => {
    const mount = join(dir, 'readonly');
    mkdirSync(mount);
    const result = await runCli(['decide', '--answers', 'answers.yaml', '--adr-dir', 'readonly/adr'], { cwd: dir, via: withTmpfs(mount, 'ro,size=64k') });
    expectRefusal(result, 'readonly/adr', /read-only file system/);
  });

  it('ENOSPC: the disk is full; the folders made for the record are removed again', { timeout: TIMEOUT }, async () => {
    const project = join(dir, 'project');
    mkdirSync(project);
    const result = await runCli(
      ['decide', '--answers', join(dir, 'answers.yaml')],
      // After the record fails, list what is left on the tiny disk.
      { cwd: project, via: [...withTmpfs(project, 'size=8k'), 'sh', '-c', '"$@"; code=$?; find . >&2; exit $code', 'run'] },
    );
    expectRefusal(result, 'docs/decisions', /no space is left/);
    expect(result.stderr.trimEnd().split('\n').at(-1)).toBe('.');
  });

  it('EACCES: a folder the user may not write to', { timeout: TIMEOUT }, async () => {
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    const result = await runCli(['decide', '--answers', join(dir, 'answers.yaml')], { cwd: locked, via: withoutOverride });
    expectRefusal(result, 'docs', /permission denied/);
  });

  it('EPERM: an immutable folder', { timeout: TIMEOUT }, async () => {
    if (!isRoot) throw new Error('chattr +i needs root (CAP_LINUX_IMMUTABLE); run this suite as root, as CI does');
    const frozen = join(dir, 'frozen');
    mkdirSync(frozen);
    execFileSync('chattr', ['+i', frozen]);
    try {
      const result = await runCli(['decide', '--answers', join(dir, 'answers.yaml')], { cwd: frozen });
      expectRefusal(result, 'docs', /does not allow it/);
    } finally {
      execFileSync('chattr', ['-i', frozen]);
    }
  });

  it('ENOTDIR: --adr-dir through a file names the file', { timeout: TIMEOUT }, async () => {
    writeFileSync(join(dir, 'afile'), 'x');
    const before = snapshotTree(dir);
    const result = await runCli(['decide', '--answers', 'answers.yaml', '--adr-dir', 'afile/sub'], { cwd: dir });
    expectRefusal(result, 'afile/sub', /afile is a file, not a folder/);
    expect(snapshotTree(dir)).toEqual(before);
  });

  it('ELOOP: --adr-dir through a symbolic link loop', { timeout: TIMEOUT }, async () => {
    symlinkSync('loop', join(dir, 'loop'));
    const result = await runCli(['decide', '--answers', 'answers.yaml', '--adr-dir', 'loop/adr'], { cwd: dir });
    expectRefusal(result, 'loop/adr', /symbolic links form a loop/);
  });

  it.each([
    ['/proc/x/adr', 'proc'],
    ['/sys/kernel/auth-decide', 'sysfs'],
  ])('%s: a kernel file system is refused at once, never a hang', { timeout: TIMEOUT }, async (folder, kind) => {
    const result = await runCli(['decide', '--answers', 'answers.yaml', '--adr-dir', folder], { cwd: dir });
    expectRefusal(result, folder, new RegExp(`is on ${kind}`));
  });

  it('check and revisit name an unreadable records folder too', { timeout: TIMEOUT }, async () => {
    const locked = join(dir, 'docs', 'decisions');
    mkdirSync(locked, { recursive: true });
    chmodSync(locked, 0o000);
    for (const args of [['check'], ['revisit', '--trigger', 'threat-model']]) {
      const result = await runCli(args, { cwd: dir, via: withoutOverride });
      expectRefusal(result, 'docs/decisions', /permission denied/);
    }
    chmodSync(locked, 0o700);
  });
});

describe('the answers input', () => {
  it('EACCES: an answers file that may not be read', { timeout: TIMEOUT }, async () => {
    chmodSync(join(dir, 'answers.yaml'), 0o000);
    const result = await runCli(['decide', '--answers', 'answers.yaml'], { cwd: dir, via: withoutOverride });
    expectRefusal(result, '"answers.yaml"', /permission denied/);
  });

  it('EISDIR: a folder given as the answers file', { timeout: TIMEOUT }, async () => {
    mkdirSync(join(dir, 'answers'));
    const result = await runCli(['decide', '--answers', 'answers'], { cwd: dir });
    expectRefusal(result, '"answers"', /is a folder, not a file/);
  });

  it('a FIFO nobody writes to is refused, not waited on', { timeout: TIMEOUT }, async () => {
    execFileSync('mkfifo', [join(dir, 'pipe.yaml')]);
    const result = await runCli(['decide', '--answers', 'pipe.yaml'], { cwd: dir });
    expectRefusal(result, '"pipe.yaml"', /named pipe \(FIFO\), not a regular file/);
  });

  it.each([
    ['/dev/zero', /character device/],
    ['/proc/self/environ', /is on proc/],
  ])('%s is never read', { timeout: TIMEOUT }, async (file, reason) => {
    const result = await runCli(['decide', '--answers', file], { cwd: dir });
    expectRefusal(result, file, reason);
  });

  it('a YAML alias bomb is refused before it expands', { timeout: TIMEOUT }, async () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [index, name] of ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].entries()) {
      const previous = String.fromCharCode(97 + index);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`);
    }
    writeFileSync(join(dir, 'bomb.yaml'), `${levels.join('\n')}\n`);
    const result = await runCli(['decide', '--answers', 'bomb.yaml'], { cwd: dir });
    expectRefusal(result, '"bomb.yaml"', /expands YAML aliases/);
  });

  it('an absurd size is refused without reading it all', { timeout: TIMEOUT }, async () => {
    writeFileSync(join(dir, 'huge.yaml'), `# ${'x'.repeat(3 * 1024 * 1024)}\n`);
    const result = await runCli(['decide', '--answers', 'huge.yaml'], { cwd: dir });
    expectRefusal(result, '"huge.yaml"', /is 3 MiB, more than 1 MiB/);
  });

  it('absurd nesting is refused before it can exhaust the stack', { timeout: TIMEOUT }, async () => {
    writeFileSync(join(dir, 'deep.json'), '['.repeat(200_000));
    const result = await runCli(['decide', '--answers', 'deep.json'], { cwd: dir });
    expectRefusal(result, '"deep.json"', /more than 64 levels deep/);
  });

  it('a binary file is refused without echoing its bytes', { timeout: TIMEOUT }, async () => {
    writeFileSync(join(dir, 'image.yaml'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0xff, 0xfe, 0x3a, 0x20]));
    const result = await runCli(['decide', '--answers', 'image.yaml'], { cwd: dir });
    expectRefusal(result, '"image.yaml"', /not a text file/);
    // eslint-disable-next-line no-control-regex
    expect(result.stderr).not.toMatch(/[\u0000-\u0008\u000e-\u001f\ufffd]/);
  });
});

describe('a generated scaffold cannot be written', () => {
  it('EROFS: scaffold into a read-only project writes nothing and says so', { timeout: TIMEOUT }, async () => {
    const project = join(dir, 'project');
    mkdirSync(project);
    const result = await runCli(['scaffold', '--method', 'api-key', '--stack', 'express', '--no-install', '--yes'], {
      cwd: project,
      via: withTmpfs(project, 'ro,size=64k'),
    });
    expect(result.code).toBe(2);
    const error = result.stderr.slice(result.stderr.indexOf('Error: ')).replace(/\s+/g, ' ');
    expect(error).toMatch(/^Error: Could not write auth\/\S+\. Cannot create the folder auth: it is on a read-only file system\./);
    expect(error).toContain('Nothing was changed');
    expect(result.stderr).not.toMatch(/Internal error|\n\s+at /);
  });
});
