/**
 * What the suites that install and run generated projects (the scaffold
 * matrix, the real-browser tests) share: one npm cache, the environment their
 * child processes get, and a way to run a step that fails with its output.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

/** One cache for every suite, so each package is downloaded and better-sqlite3 compiled once. */
export const NPM_CACHE = process.env.AUTH_DECIDE_NPM_CACHE ?? join(tmpdir(), 'auth-decide-matrix-npm-cache');

export interface ChildEnvOptions {
  /**
   * Keep `npm_config_nodedir`: native addons then build against the headers
   * of the Node that runs these tests. A suite that runs projects on another
   * Node sets the headers per runtime instead.
   */
  keepNodedir?: boolean;
  /** Set `CI=true`, as a CI job would (no progress output, no prompts). */
  ci?: boolean;
}

/** The environment for child processes: this one minus test-runner and npm-run state, plus the shared npm cache. */
export function childEnv(options: ChildEnvOptions = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith('VITEST') || key === 'NODE_ENV' || key === 'TEST') continue;
    if (key.startsWith('npm_') && !(options.keepNodedir && key === 'npm_config_nodedir')) continue;
    env[key] = value;
  }
  return {
    ...env,
    npm_config_cache: NPM_CACHE,
    npm_config_prefer_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    npm_config_loglevel: 'warn',
    FORCE_COLOR: '0',
    NO_COLOR: '1',
    ...(options.ci ? { CI: 'true' } : {}),
  };
}

/** Runs a command and fails with its output when it does not exit 0; resolves to stdout. */
export async function runStep(
  step: string,
  file: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; input?: string },
): Promise<string> {
  const result = await execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    reject: false,
    all: true,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
  });
  if (result.exitCode !== 0) {
    throw new Error(`${step} failed (exit ${result.exitCode}): ${file} ${args.join(' ')}\n${(result.all ?? '').slice(-6000)}`);
  }
  return result.stdout;
}
