/** Shared pieces of the scaffold engine tests: temp projects, a recording context, tree hashes. */
import { createHash } from 'node:crypto';
import { cp, lstat, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliContext } from '../../src/cli/context.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const FIXTURE_TEMPLATES = join(FIXTURES, 'templates');

export async function tempDir(prefix = 'auth-decide-scaffold-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Copies a fixture project into a fresh temp folder. */
export async function fixtureProject(name: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const temp = await tempDir();
  await cp(join(FIXTURES, 'projects', name), temp.dir, { recursive: true });
  return temp;
}

export interface RecordingContext extends CliContext {
  out: () => string;
  err: () => string;
}

export function recordingContext(cwd: string, overrides: Partial<CliContext> = {}): RecordingContext {
  let out = '';
  let err = '';
  return {
    cwd,
    env: { PATH: process.env.PATH },
    now: new Date('2025-01-01T00:00:00Z'),
    interactive: false,
    stdout: { write: (text: string) => void (out += text) },
    stderr: { write: (text: string) => void (err += text) },
    color: false,
    ...overrides,
    out: () => out,
    err: () => err,
  };
}

/** Every path under `dir` with its type, mode and content hash: equal maps mean an unchanged tree. */
export async function treeSnapshot(dir: string): Promise<Record<string, string>> {
  const snapshot: Record<string, string> = {};
  const walk = async (current: string, prefix: string): Promise<void> => {
    for (const entry of (await readdir(current)).sort()) {
      const path = join(current, entry);
      const rel = prefix ? `${prefix}/${entry}` : entry;
      const info = await lstat(path);
      if (info.isDirectory()) {
        snapshot[`${rel}/`] = `dir ${(info.mode & 0o7777).toString(8)}`;
        await walk(path, rel);
      } else if (info.isSymbolicLink()) {
        snapshot[rel] = `link ${await readlink(path)}`;
      } else {
        snapshot[rel] = `file ${(info.mode & 0o7777).toString(8)} ${createHash('sha256').update(await readFile(path)).digest('hex')}`;
      }
    }
  };
  await walk(dir, '');
  return snapshot;
}

/**
 * Runs the command and returns the exit code its typed error carries (what the
 * CLI entry point exits with), printing a usage error as the entry point does.
 * Anything untyped is a bug and fails the test.
 */
export async function exitCodeOf(promise: Promise<unknown>, context: RecordingContext): Promise<number> {
  try {
    await promise;
    return 0;
  } catch (error) {
    if (!(error instanceof Error) || !['UsageError', 'ExitError', 'CancelledError'].includes(error.name)) throw error;
    const { exitCode, hint } = error as Error & { exitCode: number; hint?: string };
    if (error.name === 'UsageError') context.stderr.write(`Error: ${error.message}\n${hint ? `${hint}\n` : ''}`);
    return exitCode;
  }
}
