/**
 * Shared plumbing for the real-browser suites: Debian's Chromium driven by
 * playwright-core, a project scaffolded by the built CLI and installed with
 * npm, its demo server started as a real process, and small local web servers
 * that play a third-party site.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { chromium, type Browser } from 'playwright-core';
import { childEnv, NPM_CACHE, runStep } from '../support/child-process.js';

/** The environment for generated projects: they run on this process's Node, so native addons keep its headers. */
export const projectEnv = (): Record<string, string> => childEnv({ keepNodedir: true });
export { runStep };

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(REPO, 'bin', 'auth-decide.js');
const TEMPLATES = join(REPO, 'templates');
export const CHROMIUM_PATH = process.env.AUTH_DECIDE_CHROMIUM ?? '/usr/bin/chromium';

/** Starts headless Chromium; never downloads a browser of its own. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium was not found at ${CHROMIUM_PATH}. The browser tests drive the system Chromium: ` +
        'install it with `apt-get install chromium` (Debian), or point AUTH_DECIDE_CHROMIUM at a Chromium binary.',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // No sandbox because CI runs as root; the rest keeps Chromium from reaching out to the network.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 120_000,
  });
}

/**
 * better-sqlite3 compiles from source when its prebuilt binary cannot be downloaded; prebuild-install
 * looks in the npm cache first, so the first compile is stored there under the download's name.
 */
async function cachePrebuild(project: string, env: Record<string, string>): Promise<void> {
  const pkgDir = join(project, 'node_modules', 'better-sqlite3');
  const binary = join(pkgDir, 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(binary)) return;
  // NOTE: the ABI is that of the `node` on PATH, which built the addon and runs the project; it need not be
  // the Node running these tests. Only a binary that opens a database there (the addon loads lazily) is
  // cached, so an addon built against the wrong headers never spreads to other projects.
  const probe = await execa('node', ['-e', "new (require('better-sqlite3'))(':memory:').close(); process.stdout.write(process.versions.modules)"], { cwd: project, env, extendEnv: false, reject: false });
  if (probe.exitCode !== 0 || !/^\d+$/.test(probe.stdout)) return;
  const version = (JSON.parse(await readFile(join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  const url = `https://github.com/WiseLibs/better-sqlite3/releases/download/v${version}/better-sqlite3-v${version}-node-v${probe.stdout}-${process.platform}-${process.arch}.tar.gz`;
  const digest = createHash('sha512').update(url).digest('hex').slice(0, 6);
  const target = join(NPM_CACHE, '_prebuilds', `${digest}-${basename(url).replace(/[^a-zA-Z0-9.]+/g, '-')}`);
  if (existsSync(target)) return;
  await mkdir(join(NPM_CACHE, '_prebuilds'), { recursive: true });
  await execa('tar', ['-czf', target, '-C', pkgDir, 'build/Release/better_sqlite3.node']);
}

export interface ScaffoldedProject {
  dir: string;
  /** For npm and the CLI. */
  env: Record<string, string>;
  /** `env` plus the template's `demo` values: what `auth:*` scripts run with. */
  appEnv: Record<string, string>;
  remove(): Promise<void>;
}

/** Scaffolds into a fresh temp folder with the built bin, which installs the dependencies with npm. */
export async function scaffoldProject(options: { method: string; stack: string; args?: string[] }): Promise<ScaffoldedProject> {
  if (!existsSync(join(REPO, 'dist', 'cli', 'index.js'))) throw new Error('Build first: the browser tests run the built CLI (npm run build).');
  await mkdir(NPM_CACHE, { recursive: true });
  const dir = await mkdtemp(join(tmpdir(), `auth-decide-browser-${options.method}-${options.stack}-`));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    const env = projectEnv();
    // The package's variables are the kernel's and the method's; the CI values are their `demo` ones.
    const variables: { name: string; demo?: string }[] = [];
    for (const name of ['kernel', options.method]) {
      const template = JSON.parse(await readFile(join(TEMPLATES, name, 'template.json'), 'utf8')) as { env?: { name: string; demo?: string }[] };
      variables.push(...(template.env ?? []));
    }
    const appEnv = { ...env };
    for (const variable of variables) if (variable.demo !== undefined) appEnv[variable.name] = variable.demo;
    const args = ['scaffold', '--method', options.method, '--stack', options.stack, '--dir', dir, '--yes', ...(options.args ?? [])];
    await runStep('scaffold (with install)', process.execPath, [BIN, ...args], { cwd: dir, env });
    await cachePrebuild(dir, env);
    return { dir, env, appEnv, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningDemo {
  port: number;
  output(): string;
  stop(): Promise<void>;
}

/** Starts `npm run auth:demo` on 127.0.0.1 and a free port, and waits until /health answers 200. */
export async function startDemo(project: ScaffoldedProject, extraEnv: Record<string, string> = {}): Promise<RunningDemo> {
  const port = await freePort();
  // detached: a process group of its own, so stopping it also stops npm's child (tsx, node).
  const demo: ResultPromise = execa('npm', ['run', '-s', 'auth:demo'], {
    cwd: project.dir,
    env: { ...project.appEnv, ...extraEnv, PORT: String(port) },
    extendEnv: false,
    reject: false,
    all: true,
    detached: true,
    stdin: 'ignore',
  });
  let output = '';
  demo.all?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let exited = false;
  void demo.then(() => (exited = true), () => (exited = true));
  const stop = async () => {
    if (demo.pid !== undefined && !exited) {
      try {
        process.kill(-demo.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    await demo;
  };
  try {
    for (let attempt = 0; ; attempt++) {
      if (exited) throw new Error(`the demo exited before answering /health:\n${output.slice(-4000)}`);
      if (attempt >= 1200) throw new Error(`the demo did not answer /health within 120 s:\n${output.slice(-4000)}`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}/health`)).status === 200) break;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, output: () => output, stop };
}

export interface PageServer {
  port: number;
  close(): Promise<void>;
}

/** A web server on 127.0.0.1 answering every GET with the page `html` returns: a stand-in for another site. */
export async function servePage(html: (path: string) => string): Promise<PageServer> {
  const server: Server = createHttpServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(html(request.url ?? '/'));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
