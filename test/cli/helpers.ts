import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliContext } from '../../src/cli/context.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'auth-decide.js');

/** The end-to-end suites run the built package; `npm test` builds it first. */
export function assertBuilt(): void {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` (or `npm test`, which builds first).');
  }
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built bin as a real process. stdin stays an open pipe unless
 * `input` is given, so a command that waited for input would hang (and the
 * test would time out) instead of passing by accident.
 */
export function runCli(
  args: string[],
  options: {
    cwd: string;
    env?: Record<string, string | undefined>;
    input?: string;
    /** A command that runs the CLI (e.g. `unshare -m …`): it gets node, the bin and `args` appended. */
    via?: string[];
  },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    // An `undefined` in options.env removes that variable.
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: undefined, FORCE_COLOR: '0', CI: undefined, ...options.env };
    for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
    const [file, ...rest] = [...(options.via ?? []), process.execPath, BIN, ...args];
    const child = spawn(file!, rest, { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    if (options.input !== undefined) child.stdin.end(options.input);
  });
}

/** A CliContext for calling a handler directly, capturing what it prints. */
export function captureContext(cwd: string, options: { interactive?: boolean; now?: Date } = {}) {
  const out = { stdout: '', stderr: '' };
  const ctx: CliContext = {
    cwd,
    env: {},
    now: options.now ?? new Date('2025-03-01T12:00:00Z'),
    interactive: options.interactive ?? false,
    stdout: { write: (text) => void (out.stdout += text) },
    stderr: { write: (text) => void (out.stderr += text) },
    color: false,
  };
  return { ctx, out };
}

export function makeTempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `auth-decide-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every file and folder under `dir` with size, mtime and content, to prove nothing changed. */
export function snapshotTree(dir: string): Record<string, string> {
  const entries: Record<string, string> = {};
  const walk = (folder: string) => {
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name);
      const info = statSync(path);
      const key = relative(dir, path);
      if (info.isDirectory()) {
        entries[`${key}/`] = `dir ${info.mtimeMs}`;
        walk(path);
      } else {
        entries[key] = `${info.size} ${info.mtimeMs} ${readFileSync(path, 'utf8')}`;
      }
    }
  };
  walk(dir);
  return entries;
}

export function listRecords(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((name) => /^\d{4}-.*\.md$/.test(name)).sort() : [];
}

export const HYBRID_YAML = `# A platform: its own web app, third-party apps, internal jobs.
subjects: [end-user, third-party-app, internal-service]
clients: [browser, backend-service, scheduled-job]
delegatedAccess: true
revocation: immediate
opsCapacity: high
exposure: public
granularity: scopes
stack: express
`;

export const INTERNAL_JSON = `${JSON.stringify(
  {
    subjects: ['internal-service'],
    clients: ['scheduled-job', 'backend-service'],
    delegatedAccess: false,
    revocation: 'minutes',
    opsCapacity: 'low',
  },
  null,
  2,
)}\n`;
