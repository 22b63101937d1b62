import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { displayPath, ensureFolder, findProjectRoot, pseudoFileSystemOf, readTextFile, removeCreatedFolders } from '../../src/shell/files.js';
import { duplicateJsonKey } from '../../src/shell/answers-file.js';

let dir: string;
beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'auth-decide-files-')));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const target = (path: string, what = 'the file') => ({ path, what, cwd: dir });
const limits = { maxBytes: 64 };

describe('findProjectRoot', () => {
  it('walks up to the nearest package.json, .git, .adr-dir or .log4brains.yml', () => {
    mkdirSync(join(dir, 'app', 'src', 'lib'), { recursive: true });
    expect(findProjectRoot(join(dir, 'app', 'src', 'lib'))).toBe(join(dir, 'app', 'src', 'lib'));
    for (const marker of ['.git', 'package.json', '.adr-dir', '.log4brains.yml']) {
      const root = join(dir, marker.replace('.', 'with-'));
      mkdirSync(join(root, 'src', 'lib'), { recursive: true });
      if (marker === '.git') mkdirSync(join(root, marker));
      else writeFileSync(join(root, marker), '');
      expect(findProjectRoot(join(root, 'src', 'lib'))).toBe(root);
    }
  });

  it('stops at the nearest one: a package inside a repository is its own project', () => {
    mkdirSync(join(dir, '.git'));
    mkdirSync(join(dir, 'packages', 'api', 'src'), { recursive: true });
    writeFileSync(join(dir, 'packages', 'api', 'package.json'), '{}');
    expect(findProjectRoot(join(dir, 'packages', 'api', 'src'))).toBe(join(dir, 'packages', 'api'));
    expect(findProjectRoot(join(dir, 'packages'))).toBe(dir);
  });
});

describe('displayPath', () => {
  it('is relative inside the project and from a subfolder, absolute across the file system', () => {
    expect(displayPath(join(dir, 'docs', 'decisions'), dir)).toBe('docs/decisions');
    expect(displayPath(join(dir, 'docs'), join(dir, 'src', 'lib'))).toBe('../../docs');
    expect(displayPath('/proc/x/adr', dir)).toBe('/proc/x/adr');
    expect(displayPath(dir, dir)).toBe('.');
  });
});

describe('readTextFile', () => {
  it('reads UTF-8 text without its byte-order mark, and reports a missing file as missing', () => {
    writeFileSync(join(dir, 'a.txt'), '\uFEFFhello');
    expect(readTextFile(target(join(dir, 'a.txt')), limits)).toEqual({ kind: 'text', text: 'hello' });
    expect(readTextFile(target(join(dir, 'nope.txt')), limits)).toEqual({ kind: 'missing' });
  });

  it.each([
    ['larger than the limit', () => writeFileSync(join(dir, 'x'), 'x'.repeat(65)), /is 65 bytes, more than 64 bytes/],
    ['binary', () => writeFileSync(join(dir, 'x'), Buffer.from([0x68, 0x00, 0x69])), /not a text file/],
    ['invalid UTF-8', () => writeFileSync(join(dir, 'x'), Buffer.from([0xc3, 0x28])), /not a text file/],
    ['a folder', () => mkdirSync(join(dir, 'x')), /is a folder, not a file/],
    ['a FIFO', () => execFileSync('mkfifo', [join(dir, 'x')]), /named pipe \(FIFO\)/],
    ['a file where a folder is expected', () => writeFileSync(join(dir, 'x'), ''), /x is a file, not a folder/, 'x/y'],
  ])('refuses a file that is %s, naming it', (_kind, make, message, name = 'x') => {
    make();
    const read = () => readTextFile(target(join(dir, name)), limits);
    expect(read).toThrow(UsageError);
    expect(read).toThrow(message);
    expect(read).toThrow(name);
  });

  it('never reads /proc, whose files have no real size', () => {
    expect(pseudoFileSystemOf('/proc/self/status')).toBe('proc');
    expect(() => readTextFile(target('/proc/self/status'), { maxBytes: 1 << 20 })).toThrow(/is on proc/);
  });
});

describe('ensureFolder', () => {
  it('creates missing folders one by one and says which it made, so they can be removed again', () => {
    const created = ensureFolder(target(join(dir, 'a', 'b', 'c'), 'the folder'));
    expect(created).toEqual([join(dir, 'a'), join(dir, 'a', 'b'), join(dir, 'a', 'b', 'c')]);
    expect(ensureFolder(target(join(dir, 'a', 'b', 'c'), 'the folder'))).toEqual([]);
    removeCreatedFolders(created);
    expect(readTextFile(target(join(dir, 'a')), limits)).toEqual({ kind: 'missing' });
  });

  it('names the file that stands where a folder should be', () => {
    writeFileSync(join(dir, 'afile'), '');
    expect(() => ensureFolder(target(join(dir, 'afile', 'sub'), 'the records folder'))).toThrow(
      'Cannot create the records folder afile/sub: afile is a file, not a folder.',
    );
  });

  it('refuses kernel file systems before creating anything (Node\'s own recursive mkdir never returns on /proc)', () => {
    expect(() => ensureFolder(target('/proc/auth-decide/adr', 'the records folder'))).toThrow(/is on proc/);
  });
});

describe('duplicateJsonKey', () => {
  it('finds a field given twice in one object, wherever the object is', () => {
    expect(duplicateJsonKey('{"a": 1, "b": {"a": 2}, "c": ["a", "a"]}')).toBeNull();
    expect(duplicateJsonKey('{"a": 1, "b": 2, "a": 3}')).toEqual({ key: 'a', first: 1, second: 17 });
    expect(duplicateJsonKey('[{"x": {"k\\"": 1, "k\\"": 2}}]')?.key).toBe('k"');
    expect(duplicateJsonKey('{"a": "\\\\", "a": 1}')?.key).toBe('a');
  });
});
