/**
 * Writes a scaffold as one transaction: either every file of the run is in
 * place (and every file it removes is gone), or the project is exactly as
 * before. Each file is first written to a temporary file beside its target
 * (same folder, so the final rename is atomic), then all are renamed into
 * place and the removed ones unlinked; on any failure the renamed or removed
 * ones are restored from in-memory backups and new files and folders are
 * removed. Folders a removal leaves empty are removed afterwards.
 */
import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readFile, rename, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../errors.js';
import type { ExistingFile } from '../core/scaffold/plan.js';
import { fileSystemProblem, pseudoFileSystemOf } from './files.js';
import { noteWritten, withoutInterrupts } from './journal.js';

export interface FileWrite {
  /** Relative to the project root, posix style. */
  path: string;
  /** Null removes the file. */
  content: string | null;
}

function resolveInside(root: string, path: string): string {
  const target = resolve(root, ...path.split('/'));
  const rel = relative(root, target);
  if (rel === '' || rel.startsWith('..') || rel.split(sep).includes('..')) {
    throw new UsageError(`refusing to write outside the project: ${path}`);
  }
  return target;
}

/** What is at each path now: a file's text, nothing, or something that is not a file. */
export async function readExistingFiles(root: string, paths: readonly string[]): Promise<Map<string, ExistingFile>> {
  const found = new Map<string, ExistingFile>();
  for (const path of paths) {
    const target = resolveInside(root, path);
    try {
      const info = await lstat(target);
      found.set(path, info.isFile() ? { kind: 'file', content: await readFile(target, 'utf8') } : { kind: 'not-a-file' });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') found.set(path, { kind: 'missing' });
      else if (code === 'ENOTDIR') found.set(path, { kind: 'not-a-file' });
      else throw error;
    }
  }
  return found;
}

interface Staged {
  path: string;
  target: string;
  /** Null for a removal. */
  temp: string | null;
  backup: { content: Buffer; mode: number } | null;
  committed: boolean;
}

/** Creates `dir` and any missing parents, remembering each folder it made (outermost first). */
async function ensureDirectory(dir: string, created: string[]): Promise<void> {
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) throw Object.assign(new Error(`${dir} is not a folder`), { code: 'ENOTDIR' });
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const parent = dirname(dir);
  if (parent !== dir) await ensureDirectory(parent, created);
  await mkdir(dir);
  created.push(dir);
}

/**
 * Writes every file or none. Throws a UsageError (exit 2) naming the file that
 * failed and confirming the rollback, or listing what could not be restored.
 */
export async function writeTransaction(root: string, writes: readonly FileWrite[]): Promise<void> {
  const pseudo = pseudoFileSystemOf(root);
  if (pseudo !== null) {
    throw new UsageError(`${root} is on ${pseudo}, a file system the kernel generates; generated code cannot go there.`, {
      hint: 'Run the scaffold in your project folder, or pass --dir <project>.',
    });
  }
  // A Ctrl-C waits until every file is in place or rolled back.
  await withoutInterrupts(() => writeAll(root, writes));
  noteWritten(`${writes.length} generated file${writes.length === 1 ? '' : 's'} in ${root}`);
}

async function writeAll(root: string, writes: readonly FileWrite[]): Promise<void> {
  const staged: Staged[] = [];
  const createdDirs: string[] = [];
  const suffix = randomBytes(4).toString('hex');
  let failedPath = '';
  try {
    for (const write of writes) {
      failedPath = write.path;
      const target = resolveInside(root, write.path);
      if (write.content === null) {
        const info = await lstat(target);
        staged.push({ path: write.path, target, temp: null, backup: { content: await readFile(target), mode: info.mode & 0o7777 }, committed: false });
        continue;
      }
      await ensureDirectory(dirname(target), createdDirs);
      let backup: Staged['backup'] = null;
      try {
        const info = await lstat(target);
        if (info.isFile()) backup = { content: await readFile(target), mode: info.mode & 0o7777 };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      const temp = join(dirname(target), `.${write.path.split('/').at(-1)}.auth-decide-${suffix}.tmp`);
      const entry: Staged = { path: write.path, target, temp, backup, committed: false };
      staged.push(entry);
      await writeFile(temp, write.content, { flag: 'wx' });
      if (backup) await chmod(temp, backup.mode);
    }
    for (const entry of staged) {
      failedPath = entry.path;
      if (entry.temp === null) await unlink(entry.target);
      else await rename(entry.temp, entry.target);
      entry.committed = true;
    }
  } catch (error) {
    const unrestored = await rollBack(staged, createdDirs);
    const errno = error as NodeJS.ErrnoException;
    const folder = errno.syscall === 'mkdir';
    const problem = fileSystemProblem(error, folder ? 'create' : 'write', {
      path: typeof errno.path === 'string' ? errno.path : join(root, failedPath),
      what: folder ? 'the folder' : 'the file',
      cwd: root,
    });
    const reason = problem?.message ?? (error instanceof Error ? error.message : String(error));
    throw new UsageError(`Could not write ${failedPath}. ${reason}`, {
      hint:
        unrestored.length === 0
          ? 'Nothing was changed: every file this run had written was restored and new folders were removed.'
          : `Rolling back failed for: ${unrestored.join(', ')}. Check these files by hand.`,
      cause: error,
    });
  }
  await removeEmptyFolders(root, staged.filter((entry) => entry.temp === null).map((entry) => dirname(entry.target)));
}

/** Best effort: folders emptied by removals go too, up to (not including) the project root. */
async function removeEmptyFolders(root: string, dirs: string[]): Promise<void> {
  const deepestFirst = [...new Set(dirs)].sort((a, b) => b.length - a.length);
  for (let dir of deepestFirst) {
    while (dir !== root && relative(root, dir) !== '' && !relative(root, dir).startsWith('..')) {
      try {
        await rmdir(dir);
      } catch {
        break;
      }
      dir = dirname(dir);
    }
  }
}

async function rollBack(staged: Staged[], createdDirs: string[]): Promise<string[]> {
  const unrestored: string[] = [];
  for (const entry of [...staged].reverse()) {
    try {
      if (entry.committed) {
        if (entry.backup) {
          const temp = entry.temp ?? `${entry.target}.auth-decide-restore.tmp`;
          await writeFile(temp, entry.backup.content);
          await chmod(temp, entry.backup.mode);
          await rename(temp, entry.target);
        } else {
          await unlink(entry.target);
        }
      } else if (entry.temp !== null) {
        await unlink(entry.temp).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        });
      }
    } catch {
      unrestored.push(entry.path);
    }
  }
  for (const dir of [...createdDirs].reverse()) {
    try {
      await rmdir(dir);
    } catch {
      unrestored.push(`${dir}/`);
    }
  }
  return unrestored;
}
