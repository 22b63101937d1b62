/**
 * The scaffold matrix: for every method on the shared kernel × stack × target
 * (TypeScript, JavaScript ESM, JavaScript CommonJS), scaffold into a fresh
 * project with the built CLI, install, type-check (TS), run the generated
 * tests, start the demo and call every boundary over HTTP with and without
 * credentials. Plus Postgres and Redis variants on one stack per method.
 *
 * Speed: one npm cache for every install (offline first), node_modules shared
 * by hard links between projects whose dependency lists are identical, and
 * better-sqlite3's native build cached as a prebuild after the first compile.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, NPM_CACHE, runStep as run } from '../support/child-process.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(REPO, 'bin', 'auth-decide.js');
const TEMPLATES = join(REPO, 'templates');
const STACKS = ['express', 'fastify', 'hono'] as const;
const TARGETS = ['esm', 'cjs', 'ts'] as const;
type Target = (typeof TARGETS)[number];

const majorMinor = (version: string) => version.replace(/^v|^>=/g, '').split('.').map((part) => Number(part) || 0);
const satisfies = (version: string, requirement: string): boolean => {
  const [a = 0, b = 0] = majorMinor(version);
  const [x = 0, y = 0] = majorMinor(requirement);
  return a !== x ? a > x : b >= y;
};

interface TemplateFacts {
  method: string;
  stores?: string[];
  node: string;
  variants?: Record<string, string>;
  env?: { name: string; demo?: string }[];
  /** Per-variant additions (OAuth): their variables count too, whichever variant the case scaffolds. */
  variantSections?: Record<string, { env?: { name: string; demo?: string }[] }>;
}

const readTemplate = (name: string): TemplateFacts => JSON.parse(readFileSync(join(TEMPLATES, name, 'template.json'), 'utf8')) as TemplateFacts;

/** Methods whose templates join the shared auth package (a template still in the single-method layout has no variants). */
const METHODS = readdirSync(TEMPLATES)
  .filter((name) => name !== 'kernel' && existsSync(join(TEMPLATES, name, 'template.json')) && readTemplate(name).variants !== undefined)
  .sort();

interface MatrixCase {
  method: string;
  stack: (typeof STACKS)[number];
  target: Target;
  store: 'postgres' | 'redis' | null;
}

const newer = (a: string, b: string) => (satisfies(a.replace(/^>=/, ''), b) ? a : b);

/** What a case needs from the templates, combined as the engine does: the strictest Node, every variable, the kernel's stores. */
const templateOf = (method: string): Required<Pick<TemplateFacts, 'stores' | 'node' | 'env'>> => {
  const kernel = readTemplate('kernel');
  const own = readTemplate(method);
  return { stores: own.stores ?? kernel.stores ?? [], node: newer(kernel.node, own.node), env: [...(kernel.env ?? []), ...(own.env ?? []), ...Object.values(own.variantSections ?? {}).flatMap((section) => section.env ?? [])] };
};

const ALL_CASES: MatrixCase[] = [
  ...METHODS.flatMap((method) => STACKS.flatMap((stack) => TARGETS.map((target): MatrixCase => ({ method, stack, target, store: null })))),
  ...METHODS.flatMap((method) =>
    (['postgres', 'redis'] as const)
      .filter((store) => templateOf(method).stores.includes(store))
      .map((store): MatrixCase => ({ method, stack: 'express', target: 'ts', store })),
  ),
];

/**
 * AUTH_DECIDE_MATRIX=smoke keeps one case per method (TypeScript, Express, default
 * store). CI runs the full matrix once, then the whole suite again on a second Node
 * major with the smoke set: each generated project already ran on the Node it
 * requires in the first pass, and the second pass only needs to show the generated
 * code still works on that Node. Cases left out are not declared, so none counts
 * as passed or skipped.
 */
const MATRIX_SCOPE = process.env.AUTH_DECIDE_MATRIX ?? 'full';
if (MATRIX_SCOPE !== 'full' && MATRIX_SCOPE !== 'smoke') {
  throw new Error(`AUTH_DECIDE_MATRIX must be "full" or "smoke", not ${JSON.stringify(MATRIX_SCOPE)}`);
}
const CASES =
  MATRIX_SCOPE === 'full'
    ? ALL_CASES
    : ALL_CASES.filter((c) => c.stack === 'express' && c.target === 'ts' && c.store === null);

interface NodeRuntime {
  bin: string;
  /** ABI of native modules built for it. */
  abi: string;
  /** Header files for native builds (npm_config_nodedir); null for this process's Node. */
  nodedir: string | null;
}
const runtimes = new Map<string, NodeRuntime>();

/**
 * The Node a template needs. When this process is older (OAuth's oidc-provider
 * needs 22), the `node` package from the npm registry provides it, as in CI.
 */
async function nodeFor(requirement: string): Promise<NodeRuntime> {
  if (satisfies(process.versions.node, requirement)) return { bin: process.execPath, abi: process.versions.modules, nodedir: null };
  const major = majorMinor(requirement)[0];
  const cached = runtimes.get(String(major));
  if (cached) return cached;
  const result = await execa('npx', ['-y', '-p', `node@${major}`, 'node', '-p', 'process.execPath + " " + process.versions.modules + " " + process.versions.node'], {
    env: baseEnv(),
    extendEnv: false,
    reject: false,
  });
  if (result.exitCode !== 0) throw new Error(`could not get Node ${major} from the npm registry:\n${result.stderr}`);
  const [bin = '', abi = '', version = ''] = result.stdout.trim().split(' ');
  // Native modules (better-sqlite3) must compile against this Node's headers, not the system's;
  // the platform package of the same release carries them.
  const headers = join(NPM_CACHE, '_node-headers', `v${version}`);
  if (!existsSync(join(headers, 'package', 'include', 'node', 'node.h'))) {
    await mkdir(headers, { recursive: true });
    await run('fetching Node headers', 'npm', ['pack', `node-${process.platform}-${process.arch}@${version}`, '--pack-destination', headers], { cwd: headers, env: baseEnv() });
    const tarball = readdirSync(headers).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack node-${process.platform}-${process.arch}@${version} produced no tarball`);
    await run('unpacking Node headers', 'tar', ['-xzf', join(headers, tarball), '-C', headers, 'package/include'], { cwd: headers, env: baseEnv() });
  }
  const runtime = { bin, abi, nodedir: join(headers, 'package') };
  runtimes.set(String(major), runtime);
  return runtime;
}

/** The environment every child process gets; native-addon headers are set per Node runtime (nodeFor). */
const baseEnv = (): Record<string, string> => childEnv({ ci: true });

let services: Record<string, string> = {};
const projects: string[] = [];
/** Dependency list → a project whose node_modules holds exactly that. */
const installed = new Map<string, string>();
const timings: { name: string; seconds: number; ok: boolean }[] = [];

beforeAll(async () => {
  if (!existsSync(join(REPO, 'dist', 'cli', 'index.js'))) throw new Error('Build first: the matrix runs the built CLI (npm run build).');
  await mkdir(NPM_CACHE, { recursive: true });
  if (CASES.some((c) => c.store !== null)) {
    if (process.env.DATABASE_URL && process.env.REDIS_URL) {
      services = { DATABASE_URL: process.env.DATABASE_URL, REDIS_URL: process.env.REDIS_URL };
    } else {
      const result = await execa('bash', [join(REPO, '.ci', 'services.sh')], { cwd: REPO, reject: false });
      for (const match of result.stdout.matchAll(/^export (DATABASE_URL|REDIS_URL)=(.+)$/gm)) services[match[1]!] = match[2]!;
    }
  }
}, 120_000);

afterAll(async () => {
  for (const dir of projects) await rm(dir, { recursive: true, force: true });
  const total = timings.reduce((sum, t) => sum + t.seconds, 0);
  process.stderr.write(
    `\nScaffold matrix (${timings.filter((t) => t.ok).length}/${timings.length} passed, ${total.toFixed(0)} s):\n` +
      timings.map((t) => `  ${t.ok ? 'ok  ' : 'FAIL'} ${t.name.padEnd(40)} ${t.seconds.toFixed(1)} s`).join('\n') + '\n',
  );
}, 120_000);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * better-sqlite3 compiles from source when its prebuilt binary cannot be
 * downloaded. prebuild-install looks in the npm cache first, so the first
 * compile is stored there under the name of the download it replaces.
 */
async function cachePrebuild(project: string, runtime: NodeRuntime): Promise<void> {
  const { abi } = runtime;
  const pkgDir = join(project, 'node_modules', 'better-sqlite3');
  const binary = join(pkgDir, 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(binary)) return;
  // Only a binary that loads in the Node it is filed under may be cached.
  const loads = await execa(runtime.bin, ['-e', `new (require(${JSON.stringify(pkgDir)}))(':memory:').close()`], { reject: false });
  if (loads.exitCode !== 0) return;
  const version = (JSON.parse(await readFile(join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  const url = `https://github.com/WiseLibs/better-sqlite3/releases/download/v${version}/better-sqlite3-v${version}-node-v${abi}-${process.platform}-${process.arch}.tar.gz`;
  const digest = createHash('sha512').update(url).digest('hex').slice(0, 6);
  const target = join(NPM_CACHE, '_prebuilds', `${digest}-${basename(url).replace(/[^a-zA-Z0-9.]+/g, '-')}`);
  if (existsSync(target)) return;
  await mkdir(join(NPM_CACHE, '_prebuilds'), { recursive: true });
  await execa('tar', ['-czf', target, '-C', pkgDir, 'build/Release/better_sqlite3.node']);
}

interface Credential {
  header: string;
}

async function mint(dir: string, env: Record<string, string>, boundary: string, subject: string, scope: string): Promise<Record<string, string>> {
  const stdout = await run(`minting a credential for ${subject} at /${boundary}`, 'npm', ['run', '-s', 'auth:credential', '--', '--boundary', boundary, '--subject', subject, '--scope', scope, '--json'], { cwd: dir, env });
  const line = stdout.trim().split('\n').filter((l) => l.trim().startsWith('{')).at(-1) ?? '';
  let parsed: Credential;
  try {
    parsed = JSON.parse(line) as Credential;
  } catch {
    throw new Error(`auth:credential --json did not print one JSON object; stdout was:\n${stdout}`);
  }
  const colon = parsed.header.indexOf(': ');
  expect(colon, `"header" must be "Name: value", got ${JSON.stringify(parsed.header)}`).toBeGreaterThan(0);
  return { [parsed.header.slice(0, colon)]: parsed.header.slice(colon + 2) };
}

async function waitForHealth(base: string, demo: ResultPromise, output: () => string): Promise<void> {
  let exited = false;
  void demo.then(() => (exited = true), () => (exited = true));
  for (let attempt = 0; attempt < 600; attempt++) {
    if (exited) throw new Error(`the demo exited before answering /health:\n${output().slice(-4000)}`);
    try {
      const response = await fetch(`${base}/health`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the demo did not answer /health within 60 s:\n${output().slice(-4000)}`);
}

async function checkDemo(dir: string, env: Record<string, string>): Promise<void> {
  const { boundaries } = JSON.parse(await readFile(join(dir, '.auth-decide', 'manifest.json'), 'utf8')) as { boundaries: { id: string }[] };
  expect(boundaries.length, 'the manifest names the boundaries').toBeGreaterThan(0);
  const port = await freePort();
  const demoEnv = { ...env, PORT: String(port) };
  const demo = execa('npm', ['run', '-s', 'auth:demo'], { cwd: dir, env: demoEnv, extendEnv: false, reject: false, all: true, detached: true, stdin: 'ignore' });
  let output = '';
  demo.all?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(base, demo, () => output);
    const status = async (path: string, headers: Record<string, string> = {}) => (await fetch(`${base}${path}`, { headers })).status;
    expect(await status('/health'), 'GET /health').toBe(200);
    expect(output, 'the demo says it listens').toContain('listening');
    for (const { id } of boundaries) {
      expect(await status(`/${id}/me`), `GET /${id}/me without a credential`).toBe(401);
      expect(await status(`/${id}/admin`), `GET /${id}/admin without a credential`).toBe(401);
      // The same environment as the demo (PORT included): issuers and audiences may derive from it.
      const admin = await mint(dir, demoEnv, id, `alice-${id}`, 'admin');
      const reader = await mint(dir, demoEnv, id, `bob-${id}`, 'read');
      const me = await fetch(`${base}/${id}/me`, { headers: admin });
      expect(me.status, `GET /${id}/me with an admin credential`).toBe(200);
      expect(JSON.stringify(await me.json()), '/me names the caller').toContain(`alice-${id}`);
      expect(await status(`/${id}/me`, reader), `GET /${id}/me with a read credential`).toBe(200);
      expect(await status(`/${id}/admin`, reader), `GET /${id}/admin without the admin scope`).toBe(403);
      expect(await status(`/${id}/admin`, admin), `GET /${id}/admin with the admin scope`).toBe(200);
      for (const other of boundaries.filter((b) => b.id !== id)) {
        expect(await status(`/${other.id}/me`, admin), `/${id}'s credential at /${other.id}`).toBe(401);
      }
    }
  } finally {
    if (demo.pid !== undefined) {
      try {
        process.kill(-demo.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    await demo;
  }
}

async function runCase(c: MatrixCase): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), `auth-decide-matrix-${c.method}-${c.stack}-${c.target}-`));
  projects.push(dir);
  if (c.target === 'cjs') {
    await writeFile(join(dir, 'package.json'), `${JSON.stringify({ name: 'matrix-cjs-app', version: '1.0.0', private: true, type: 'commonjs' }, null, 2)}\n`);
  }
  const template = templateOf(c.method);
  const runtime = await nodeFor(template.node);
  const env = baseEnv();
  // Scripts, tsx and vitest all run on the Node the template needs.
  env.PATH = `${dirname(runtime.bin)}${delimiter}${env.PATH ?? ''}`;
  if (runtime.nodedir) env.npm_config_nodedir = runtime.nodedir;
  const appEnv: Record<string, string> = { ...env };
  for (const variable of template.env) if (variable.demo !== undefined) appEnv[variable.name] = variable.demo;
  if (c.store === 'postgres') appEnv.DATABASE_URL = services.DATABASE_URL ?? '';
  if (c.store === 'redis') Object.assign(appEnv, { REDIS_URL: services.REDIS_URL ?? '', DATABASE_URL: services.DATABASE_URL ?? '' });

  const args = ['scaffold', '--method', c.method, '--stack', c.stack, '--dir', dir, '--yes', '--lang', c.target === 'ts' ? 'ts' : 'js', ...(c.store ? ['--store', c.store] : [])];
  const plan = JSON.parse(await run('scaffold --dry-run --json', runtime.bin, [BIN, ...args, '--dry-run', '--json'], { cwd: dir, env })) as {
    dependencies: { add: unknown };
    selection: { package: { moduleFormat: string; lang: string } };
  };
  expect(plan.selection.package).toMatchObject({ lang: c.target === 'ts' ? 'ts' : 'js', moduleFormat: c.target === 'cjs' ? 'cjs' : 'esm' });
  const key = JSON.stringify({ add: plan.dependencies.add, abi: runtime.abi });
  const donor = installed.get(key);
  if (donor) {
    await run('scaffold --no-install', runtime.bin, [BIN, ...args, '--no-install'], { cwd: dir, env });
    await run('sharing node_modules', 'cp', ['-al', join(donor, 'node_modules'), join(dir, 'node_modules')], { cwd: dir, env });
  } else {
    await run('scaffold (with install)', runtime.bin, [BIN, ...args], { cwd: dir, env });
    installed.set(key, dir);
    await cachePrebuild(dir, runtime);
  }
  if (c.target === 'ts') await run('type-check', runtime.bin, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', dir], { cwd: dir, env });
  await run('generated tests (npm run test:auth)', 'npm', ['run', 'test:auth'], { cwd: dir, env: appEnv });
  await checkDemo(dir, appEnv);
}

describe.sequential('scaffold matrix', () => {
  it('has at least one method with templates', () => {
    expect(METHODS.length).toBeGreaterThan(0);
  });

  for (const c of CASES) {
    const name = `${c.method} × ${c.stack} × ${c.target === 'ts' ? 'TypeScript' : c.target === 'esm' ? 'JS (ESM)' : 'JS (CJS)'}${c.store ? ` × ${c.store}` : ''}`;
    it(name, async () => {
      const started = Date.now();
      let ok = false;
      try {
        await runCase(c);
        ok = true;
      } finally {
        timings.push({ name, seconds: (Date.now() - started) / 1000, ok });
      }
    }, 15 * 60_000);
  }
});
