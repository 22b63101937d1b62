/**
 * Runs the package manager. The scaffold command receives an `Installer`, so
 * tests hand it their own implementation instead of switching this one off.
 */
import type { InstallCommand } from '../core/scaffold/model.js';

export interface InstallRequest {
  cwd: string;
  command: InstallCommand;
  env: Record<string, string | undefined>;
  /** Called with each line the package manager prints, for progress. */
  onOutput: (line: string) => void;
}

export type InstallResult = { ok: true } | { ok: false; exitCode: number | null; output: string; reason: string };

export type Installer = (request: InstallRequest) => Promise<InstallResult>;

/** The real installer: the package manager through execa (loaded only when installing). */
export const packageManagerInstaller: Installer = async (request) => {
  const { execa } = await import('execa');
  const subprocess = execa(request.command.file, request.command.args, {
    cwd: request.cwd,
    env: request.env,
    extendEnv: false,
    all: true,
    reject: false,
    stdin: 'ignore',
    lines: false,
  });
  let buffered = '';
  subprocess.all?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split(/\r?\n/);
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') request.onOutput(line);
  });
  const result = await subprocess;
  if (buffered.trim() !== '') request.onOutput(buffered);
  if (result.exitCode === 0 && !result.failed) return { ok: true };
  const output = typeof result.all === 'string' ? result.all : '';
  const reason = result.code === 'ENOENT' || /ENOENT/.test(result.shortMessage ?? '')
    ? `${request.command.file} was not found on PATH`
    : `${request.command.display} exited with code ${result.exitCode ?? 'unknown'}`;
  return { ok: false, exitCode: result.exitCode ?? null, output, reason };
};
