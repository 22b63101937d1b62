/**
 * File-system access that is safe in someone else's repository: every
 * failure the environment can cause (permissions, read-only or full disks, a
 * file where a folder should be, link loops) becomes a UsageError naming the
 * path and what to do, special files are never read blindly (a FIFO or
 * /dev/stdin would block, /proc and /sys never end), and inputs are bounded.
 */
// Synchronous on purpose: a handful of small files, read before anything else
// can happen, and node:fs/promises costs start-up time.
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  rmdirSync,
  statfsSync,
  statSync,
  type Stats,
} from 'node:fs';
import { dirname, isAbsolute, join, parse as parsePath, relative, resolve, sep } from 'node:path';
import { UsageError } from '../errors.js';

const toPosix = (path: string): string => path.split(sep).join('/');

/**
 * A path as the user should read it: relative to `cwd` when both share a
 * folder below the file-system root (the project, a subfolder of it),
 * absolute otherwise (`/proc/x`, not `../../proc/x`).
 */
export function displayPath(path: string, cwd: string): string {
  const absolute = resolve(cwd, path);
  const rel = relative(cwd, absolute);
  if (rel === '') return '.';
  const [first] = relative(parsePath(absolute).root, absolute).split(sep);
  const [cwdFirst] = relative(parsePath(cwd).root, resolve(cwd)).split(sep);
  const shareAFolder = first !== undefined && first !== '' && first === cwdFirst;
  return shareAFolder && !isAbsolute(rel) ? toPosix(rel) : toPosix(absolute);
}

export const errorCode = (error: unknown): string | undefined =>
  error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;

/**
 * Linux pseudo file systems, by statfs magic number. Their files are
 * generated on read, may never end or block (/proc/kmsg), and nothing of ours
 * belongs there.
 */
const PSEUDO_FILE_SYSTEMS = new Map<number, string>([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0xcafe4a11, 'bpf'],
  [0x62656570, 'configfs'],
  [0x6165676c, 'pstore'],
  [0xde5e81e4, 'efivarfs'],
  [0x1cd1, 'devpts'],
  [0x42494e4d, 'binfmt_misc'],
  [0x19800202, 'mqueue'],
  [0xf97cff8c, 'selinuxfs'],
  [0x65735543, 'fusectl'],
]);

/** The deepest ancestor of `path` (itself included) that exists. */
function existingAncestor(path: string): string {
  let current = path;
  for (;;) {
    try {
      statSync(current);
      return current;
    } catch {
      const parent = dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}

/** The name of the pseudo file system `path` (or its nearest existing ancestor) is on, or null. */
export function pseudoFileSystemOf(path: string, platform: NodeJS.Platform = process.platform): string | null {
  if (platform !== 'linux') return null;
  try {
    return PSEUDO_FILE_SYSTEMS.get(Number(statfsSync(existingAncestor(path)).type)) ?? null;
  } catch {
    return null;
  }
}

const shownPath = (target: FileTarget): string => target.label ?? displayPath(target.path, target.cwd);

/** What a failed operation was about, for the message. */
export interface FileTarget {
  /** Absolute path the operation used. */
  path: string;
  /** What the path is, in words: "the answers file", "the decision records folder". */
  what: string;
  /** The folder paths are shown relative to. */
  cwd: string;
  /** How to name the path in messages, when not as a path relative to `cwd` (e.g. as the user typed it). */
  label?: string;
  /** What the user can do about it; a default per failure is used when absent. */
  hint?: string;
}

type Action = 'read' | 'write' | 'create' | 'list' | 'access';
const VERBS: Record<Action, string> = { read: 'read', write: 'write', create: 'create', list: 'list', access: 'use' };

/** The first component of `path` that exists and is not a folder, if any (the cause of ENOTDIR). */
function fileInTheWay(path: string): string | null {
  const { root } = parsePath(path);
  let current = root;
  for (const part of path.slice(root.length).split(sep).filter(Boolean)) {
    current = join(current, part);
    let info: Stats;
    try {
      info = statSync(current);
    } catch {
      return null;
    }
    if (!info.isDirectory()) return current;
  }
  return null;
}

/**
 * Turns an error from the file system into a UsageError that names the path
 * and says what to do, or returns null when the error is not one the
 * environment causes (then it is a bug and stays one).
 */
export function fileSystemProblem(error: unknown, action: Action, target: FileTarget): UsageError | null {
  const code = errorCode(error);
  if (code === undefined) return null;
  const shown = shownPath(target);
  const cannot = `Cannot ${VERBS[action]} ${target.what} ${shown}`;
  const make = (message: string, hint: string) =>
    new UsageError(message, { hint: target.hint ? `${hint}\n${target.hint}` : hint, cause: error });
  switch (code) {
    case 'EACCES':
      return make(`${cannot}: permission denied.`, `Check who may write to it (ls -ld ${shown}).`);
    case 'EPERM':
      return make(
        `${cannot}: the operating system does not allow it (the file or folder may be immutable or protected).`,
        `Check its attributes (lsattr -d ${shown}) and permissions.`,
      );
    case 'EROFS':
      return make(`${cannot}: it is on a read-only file system.`, 'Run the command where files can be written.');
    case 'ENOSPC':
      return make(`${cannot}: no space is left on the device.`, 'Free some space, then run the command again.');
    case 'EDQUOT':
      return make(`${cannot}: the disk quota is used up.`, 'Free some space, then run the command again.');
    case 'ENOTDIR': {
      const file = fileInTheWay(target.path);
      return make(
        file === null
          ? `${cannot}: part of the path is a file, not a folder.`
          : file === target.path
            ? `${cannot}: it is a file, not a folder.`
            : `${cannot}: ${displayPath(file, target.cwd)} is a file, not a folder.`,
        'Give a path whose folders are folders.',
      );
    }
    case 'EISDIR':
      return make(`${cannot}: it is a folder, not a file.`, 'Give the path of a file.');
    case 'ELOOP':
      return make(`${cannot}: its symbolic links form a loop.`, `Fix the links along ${shown} (ls -l shows where each points).`);
    case 'ENAMETOOLONG':
      return make(`${cannot}: the path is too long for the file system.`, 'Use a shorter path.');
    case 'ENOENT':
      return make(`${cannot}: it does not exist.`, 'Check the path.');
    case 'EMFILE':
    case 'ENFILE':
      return make(`${cannot}: too many files are open.`, 'Close other programs or raise the limit (ulimit -n), then run the command again.');
    case 'EIO':
      return make(`${cannot}: the device reported an input/output error.`, 'Check the disk or network file system, then run the command again.');
    case 'EBUSY':
    case 'ETXTBSY':
      return make(`${cannot}: it is busy.`, 'Run the command again when whatever holds it has finished.');
    case 'ENXIO':
    case 'ENODEV':
    case 'EOPNOTSUPP':
    case 'ENOTSUP':
      return make(`${cannot}: the file system does not support it.`, 'Use a folder on an ordinary disk.');
    default:
      return null;
  }
}

/** Failures the environment causes, never auth-decide: permissions, full or read-only disks, paths that cannot be. */
export const ENVIRONMENT_CODES = new Set([
  'EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'ENOTDIR', 'EISDIR', 'ELOOP', 'ENAMETOOLONG', 'EMFILE', 'ENFILE', 'EIO',
  'EBUSY', 'ETXTBSY', 'ENXIO', 'ENODEV',
]);

/** Throws the UsageError for a file-system failure, or the error itself when it is not one. */
export function rethrowFileSystemError(error: unknown, action: Action, target: FileTarget): never {
  if (error instanceof UsageError) throw error;
  throw fileSystemProblem(error, action, target) ?? error;
}

function refusePseudoFileSystem(target: FileTarget): void {
  const kind = pseudoFileSystemOf(target.path);
  if (kind !== null) {
    throw new UsageError(
      `${capitalise(target.what)} ${shownPath(target)} is on ${kind}, a file system the kernel generates; nothing of auth-decide's belongs there.`,
      { hint: target.hint ?? 'Use a folder inside your project.' },
    );
  }
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

const KIND_OF_SPECIAL: [(info: Stats) => boolean, string][] = [
  [(info) => info.isFIFO(), 'a named pipe (FIFO)'],
  [(info) => info.isCharacterDevice(), 'a character device'],
  [(info) => info.isBlockDevice(), 'a block device'],
  [(info) => info.isSocket(), 'a socket'],
];

export interface ReadLimits {
  /** Refuse files larger than this many bytes. */
  maxBytes: number;
}

/** What a bounded text read found: the text, or why it is not text. */
export type TextRead = { kind: 'text'; text: string } | { kind: 'missing' };

/** Strict UTF-8 without a byte-order mark; invalid bytes or NUL mean the file is not text. */
export function decodeText(bytes: Uint8Array): string | null {
  if (bytes.includes(0)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return null;
  }
}

/**
 * Reads a regular text file without ever blocking: opened non-blocking, then
 * checked to be a regular file on an ordinary file system, bounded in size,
 * and decoded as strict UTF-8. A missing file (or a missing folder on the
 * way) is `missing`; everything else that stops the read is a UsageError.
 */
export function readTextFile(target: FileTarget, limits: ReadLimits): TextRead {
  let fd: number;
  try {
    fd = openSync(target.path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { kind: 'missing' };
    rethrowFileSystemError(error, 'read', target);
  }
  try {
    const info = fstatSync(fd);
    const shown = shownPath(target);
    if (info.isDirectory()) {
      throw new UsageError(`${capitalise(target.what)} ${shown} is a folder, not a file.`, { hint: target.hint ?? 'Give the path of a file.' });
    }
    if (!info.isFile()) {
      const kind = KIND_OF_SPECIAL.find(([test]) => test(info))?.[1] ?? 'not a regular file';
      throw new UsageError(`${capitalise(target.what)} ${shown} is ${kind}, not a regular file; auth-decide reads only regular files.`, {
        hint: target.hint ?? 'Give the path of a regular file.',
      });
    }
    refusePseudoFileSystem(target);
    if (info.size > limits.maxBytes) throw tooLarge(target, info.size, limits.maxBytes);
    const bytes = readBounded(fd, limits.maxBytes, target);
    const text = decodeText(bytes);
    if (text === null) {
      throw new UsageError(`${capitalise(target.what)} ${shown} is not a text file: it holds binary data (or text that is not UTF-8).`, {
        hint: target.hint ?? 'Give the path of a UTF-8 text file.',
      });
    }
    return { kind: 'text', text };
  } catch (error) {
    rethrowFileSystemError(error, 'read', target);
  } finally {
    closeSync(fd);
  }
}

function tooLarge(target: FileTarget, size: number | null, max: number): UsageError {
  return new UsageError(
    `${capitalise(target.what)} ${shownPath(target)} is ${size === null ? 'larger than' : `${formatBytes(size)}, more than`} ${formatBytes(max)}; auth-decide does not read files that large.`,
    { hint: target.hint ?? 'Check that this is the file you meant.' },
  );
}

export const formatBytes = (bytes: number): string =>
  bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB` : bytes >= 1024 ? `${Math.round(bytes / 1024)} KiB` : `${bytes} bytes`;

/** Reads at most `max` bytes; a file that keeps going past it (sizes can lie) is refused. */
function readBounded(fd: number, max: number, target: FileTarget): Buffer {
  const buffer = Buffer.alloc(Math.min(max + 1, 64 * 1024));
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const read = readSync(fd, buffer, 0, buffer.length, null);
    if (read === 0) break;
    total += read;
    if (total > max) throw tooLarge(target, null, max);
    chunks.push(Buffer.from(buffer.subarray(0, read)));
  }
  return Buffer.concat(chunks, total);
}

/** Bounded text from a stream (standard input): the same limits and checks as a file. */
export async function readTextStream(stream: AsyncIterable<Buffer | string>, label: string, limits: ReadLimits): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    total += bytes.length;
    if (total > limits.maxBytes) {
      throw new UsageError(`${capitalise(label)} is larger than ${formatBytes(limits.maxBytes)}; auth-decide does not read input that large.`);
    }
    chunks.push(bytes);
  }
  const text = decodeText(Buffer.concat(chunks, total));
  if (text === null) throw new UsageError(`${capitalise(label)} is not text: it holds binary data (or text that is not UTF-8).`);
  return text;
}

/** Whether `path` is a folder; false when nothing is there. Other failures are UsageErrors. */
export function isFolder(target: FileTarget): boolean {
  try {
    return statSync(target.path).isDirectory();
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') return false;
    if (code === 'ENOTDIR') return false;
    rethrowFileSystemError(error, 'read', target);
  }
}

/**
 * Creates a folder and its missing parents one level at a time, so a failure
 * names the folder that really could not be made (Node's recursive mkdir
 * reports a read-only parent as ENOENT on the child, and never returns on
 * /proc). Returns the folders it created, outermost first.
 */
export function ensureFolder(target: FileTarget): string[] {
  refusePseudoFileSystem(target);
  const missing: string[] = [];
  let current = target.path;
  for (;;) {
    let info: Stats | null = null;
    try {
      info = statSync(current);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') rethrowFileSystemError(error, 'create', { ...target, path: current });
    }
    if (info !== null) {
      if (!info.isDirectory()) {
        throw new UsageError(
          current === target.path
            ? `${capitalise(target.what)} ${shownPath(target)} is a file, not a folder.`
            : `Cannot create ${target.what} ${shownPath(target)}: ${displayPath(current, target.cwd)} is a file, not a folder.`,
          { hint: target.hint ?? 'Give a path whose folders are folders.' },
        );
      }
      break;
    }
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (error) {
      if (errorCode(error) === 'EEXIST' && statSync(folder).isDirectory()) continue;
      const what = folder === target.path ? target.what : `the folder ${displayPath(folder, target.cwd)} for ${target.what}`;
      rethrowFileSystemError(error, 'create', { ...target, path: folder, what, label: shownPath(target) });
    }
  }
  return missing;
}

/** Removes folders ensureFolder created (innermost first), when what was to go in them was not written. */
export function removeCreatedFolders(created: readonly string[]): void {
  for (const folder of [...created].reverse()) {
    try {
      rmdirSync(folder);
    } catch {
      // Not empty (something else wrote there meanwhile) or already gone: leave it.
    }
  }
}

/** Files that mark a project's root folder. */
export const PROJECT_MARKERS = ['package.json', '.git', '.adr-dir', '.log4brains.yml'] as const;

/**
 * The project a command runs in: the nearest folder, from `cwd` upwards, that
 * holds a package.json, a .git, an .adr-dir or a .log4brains.yml (adr-tools
 * walks up the same way to find its records). `cwd` itself when none does.
 */
export function findProjectRoot(cwd: string): string {
  let current = resolve(cwd);
  for (;;) {
    for (const marker of PROJECT_MARKERS) {
      try {
        lstatSync(join(current, marker));
        return current;
      } catch {
        // Not here (or not readable): keep walking.
      }
    }
    const parent = dirname(current);
    if (parent === current) return resolve(cwd);
    current = parent;
  }
}
