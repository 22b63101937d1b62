/**
 * A V8 code cache for the CLI's own modules (dist/cli/*.cjs), so a run does
 * not parse and compile them again. Most of a short command's time is spent
 * compiling code rather than running it; a cache written at the end of a run
 * also holds the functions that run compiled along the way, which Node's own
 * compile cache (taken before a module runs) does not. docs/benchmarks.md has
 * the figures.
 *
 * The cache lives in the user's cache folder (`$XDG_CACHE_HOME/auth-decide`,
 * else `~/.cache/auth-decide`), one file per module, Node version and module
 * content, written atomically. It is used only when that folder belongs to the
 * user and no one else can write to it; `NODE_DISABLE_COMPILE_CACHE=1` turns it
 * off. V8 refuses a damaged cache or one from another V8, which is then written
 * again. Any failure means running without the cache, never failing.
 *
 * Loaded by bin/auth-decide.js before anything else; plain CommonJS, no
 * imports of the rest of auth-decide.
 */
import { hash } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Module } from 'node:module';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { Script } from 'node:vm';

interface CompilableModule {
  exports: unknown;
  require(id: string): unknown;
}
type Compile = (this: CompilableModule, content: string, filename: string) => unknown;
interface ModuleInternals {
  prototype: { _compile: Compile };
  wrap(script: string): string;
  _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string;
  _cache: unknown;
}

/** The cache folder, or null when there is none the user alone can write. */
export function cacheFolder(env: Record<string, string | undefined>): string | null {
  if (env.NODE_DISABLE_COMPILE_CACHE) return null;
  // The XDG rule: a relative XDG_CACHE_HOME is ignored.
  let base = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : undefined;
  if (!base) {
    // HOME (USERPROFILE on Windows) is what os.homedir() reads first; node:os is not loaded for it.
    const home = env.HOME || env.USERPROFILE;
    if (!home || !isAbsolute(home)) return null;
    base = join(home, '.cache');
  }
  return join(base, 'auth-decide', 'compile-cache');
}

/** A folder is safe to read code from when it is a real folder of this user that nobody else can write. */
function isPrivateFolder(folder: string): boolean {
  try {
    const info = lstatSync(folder);
    if (!info.isDirectory()) return false;
    if (typeof process.getuid === 'function' && info.uid !== process.getuid()) return false;
    return process.platform === 'win32' || (info.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/**
 * Compiles the modules under `root` through the cache. Returns whether the
 * cache is in use.
 */
export function useCompileCache(root: string, env: Record<string, string | undefined> = process.env): boolean {
  const folder = cacheFolder(env);
  if (folder === null) return false;
  const internals = Module as unknown as ModuleInternals;
  let readable = isPrivateFolder(folder);
  const pending: { file: string; script: Script }[] = [];
  const prefix = root.endsWith(sep) ? root : `${root}${sep}`;
  const original = internals.prototype._compile;

  internals.prototype._compile = function compile(this: CompilableModule, content: string, filename: string) {
    if (!filename.startsWith(prefix)) return original.call(this, content, filename);
    // NOTE: the content is part of the name because V8 compares only the source's length with the
    // cache's: another build of the same length (an upgrade, another checkout) would run stale code.
    const digest = hash('sha1', content).slice(0, 16);
    const file = join(folder, `${process.version}-${process.arch}-${relative(root, filename).split(sep).join('_')}-${digest}.bin`);
    let cachedData: Buffer | undefined;
    if (readable) {
      try {
        cachedData = readFileSync(file);
      } catch {
        cachedData = undefined;
      }
    }
    const script = new Script(internals.wrap(content), { filename, ...(cachedData ? { cachedData } : {}) });
    if (!cachedData || script.cachedDataRejected) pending.push({ file, script });
    const run = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    const requireHere = Object.assign((id: string) => this.require(id), {
      resolve: (request: string, options?: unknown) => internals._resolveFilename(request, this, false, options),
      cache: internals._cache,
    });
    return run.call(this.exports, this.exports, requireHere, this, filename, dirname(filename));
  };

  process.once('exit', () => {
    if (pending.length === 0) return;
    try {
      mkdirSync(folder, { recursive: true, mode: 0o700 });
      readable = isPrivateFolder(folder);
      if (!readable) return;
      for (const { file, script } of pending) {
        const temporary = `${file}.${process.pid}.tmp`;
        writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
        renameSync(temporary, file);
      }
    } catch {
      // A read-only or full disk only means the next run compiles again.
    }
  });
  return true;
}
