/**
 * The scaffold matrix. Every case scaffolds a plan (one or more boundaries,
 * each accepting a method and variant) into a fresh project with the built CLI,
 * installs it, type-checks it (TS), runs the generated tests, starts the demo
 * and calls every boundary over HTTP: its own credential → 200, none → 401,
 * another boundary's → 401 with WWW-Authenticate naming the schemes it accepts.
 *
 * The cases come from the templates (a method joins when its template.json
 * lists variants, i.e. it is on the shared kernel):
 * - every stack × TypeScript / JS ESM / JS CommonJS, the ported (method,
 *   variant) pairs dealt out over those nine so that together they cover all;
 * - PostgreSQL and Redis, each with the full plan (every ported pair);
 * - the hybrid plans session + API keys and OAuth (authorization code + client
 *   credentials) + session on Express, Fastify and Hono;
 * - the examples in docs/examples, through `decide --answers … --scaffold`.
 * A hybrid or example whose methods are not all ported yet is not declared (so
 * it never counts as passed or skipped); the summary names what it waits for.
 *
 * Speed: one npm cache for every install (offline first), node_modules shared
 * by hard links between projects whose dependency lists are identical, and
 * better-sqlite3's native build cached as a prebuild after the first compile.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, execaSync, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VARIANTS } from '../../src/core/types.js';
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

interface PlanEntry {
  method: string;
  variant: string;
  boundary: string;
}

interface MatrixCase {
  name: string;
  plan: PlanEntry[];
  /** docs/examples/<name>/answers.yaml, scaffolded through `decide --answers … --scaffold`. */
  example: string | null;
  stack: (typeof STACKS)[number];
  target: Target;
  store: 'postgres' | 'redis' | null;
}

const newer = (a: string, b: string) => (satisfies(a.replace(/^>=/, ''), b) ? a : b);

/** What a plan needs from the templates, combined as the engine does: the strictest Node, every variable, the stores all of them support. */
const templateOf = (methods: readonly string[]): Required<Pick<TemplateFacts, 'stores' | 'node' | 'env'>> => {
  const kernel = readTemplate('kernel');
  const own = [...new Set(methods)].map(readTemplate);
  return {
    stores: (kernel.stores ?? []).filter((store) => own.every((template) => (template.stores ?? kernel.stores ?? []).includes(store))),
    node: own.reduce((node, template) => newer(node, template.node), kernel.node),
    // A template's per-variant sections may add variables (OAuth's demo settings live there).
    env: [...(kernel.env ?? []), ...own.flatMap((template) => [...(template.env ?? []), ...Object.values(template.variantSections ?? {}).flatMap((section) => section.env ?? [])])],
  };
};

/**
 * Every (method, variant) of a decision's plan that the ported templates offer, each at a boundary of its
 * own. A template section that is no plan variant (OAuth's client mode, scaffolded with --oauth-mode
 * client) is not a boundary's method and is not among them.
 */
const PAIRS: PlanEntry[] = METHODS.flatMap((method) =>
  Object.keys(readTemplate(method).variants ?? {})
    .filter((variant) => ((VARIANTS as Record<string, readonly string[]>)[method] ?? []).includes(variant))
    .map((variant) => ({ method, variant, boundary: `${method}-${variant}`.slice(0, 32) })),
);
const isPorted = (entry: Pick<PlanEntry, 'method' | 'variant'>) => PAIRS.some((pair) => pair.method === entry.method && pair.variant === entry.variant);
const targetName = (target: Target) => (target === 'ts' ? 'TypeScript' : target === 'esm' ? 'JS (ESM)' : 'JS (CJS)');
const planName = (plan: readonly PlanEntry[]) => plan.map((entry) => `${entry.method}/${entry.variant}`).join(' + ');

/** Not declared yet: a plan naming a method or variant no template offers. */
const waiting: string[] = [];

/**
 * (a) Every stack × target; pair j goes to combination j mod 9, and a combination left over repeats a
 * pair, shifted by one per stack so that a pair meets another target on each stack.
 */
const COMBINATIONS = STACKS.flatMap((stack) => TARGETS.map((target) => ({ stack, target })));
const STACK_CASES: MatrixCase[] = COMBINATIONS.map(({ stack, target }, index) => {
  const dealt = PAIRS.filter((_, j) => j % COMBINATIONS.length === index);
  const shifted = index + Math.floor(index / TARGETS.length);
  const plan = dealt.length > 0 ? dealt : PAIRS.length > 0 ? [PAIRS[shifted % PAIRS.length]!] : [];
  return { name: `${planName(plan)} × ${stack} × ${targetName(target)}`, plan, example: null, stack, target, store: null };
});

/** (b) The shared stores, each with the full plan. */
const FULL_PLAN = PAIRS;
const STORE_CASES: MatrixCase[] = (['postgres', 'redis'] as const)
  .filter((store) => templateOf(FULL_PLAN.map((pair) => pair.method)).stores.includes(store))
  .map((store) => ({ name: `full plan (${planName(FULL_PLAN)}) × express × TypeScript × ${store}`, plan: FULL_PLAN, example: null, stack: 'express', target: 'ts', store }));

/** (c) The hybrid plans of the issue, on every stack, TypeScript and JavaScript of both module formats among them. */
const HYBRIDS: { plan: PlanEntry[]; targets: Partial<Record<(typeof STACKS)[number], Target>> }[] = [
  // Two route groups with the same method: one package serves both, each behind its own guard.
  {
    plan: [
      { method: 'api-key', variant: 'application', boundary: 'partners' },
      { method: 'api-key', variant: 'application', boundary: 'services' },
    ],
    targets: { hono: 'ts' },
  },
  {
    plan: [
      { method: 'session', variant: 'cookie', boundary: 'browser-app' },
      { method: 'api-key', variant: 'application', boundary: 'partners' },
    ],
    targets: { express: 'ts', fastify: 'esm', hono: 'cjs' },
  },
  {
    plan: [
      { method: 'oauth', variant: 'authorization-code', boundary: 'third-party-apps' },
      { method: 'oauth', variant: 'client-credentials', boundary: 'services' },
      { method: 'session', variant: 'cookie', boundary: 'browser-app' },
    ],
    targets: { express: 'cjs', fastify: 'ts', hono: 'esm' },
  },
];
const HYBRID_CASES: MatrixCase[] = HYBRIDS.flatMap(({ plan, targets }) => {
  const missing = plan.filter((entry) => !isPorted(entry));
  if (missing.length > 0) {
    waiting.push(`hybrid ${planName(plan)}: waits for ${planName(missing)}`);
    return [];
  }
  return STACKS.flatMap((stack): MatrixCase[] => {
    const target = targets[stack];
    return target === undefined ? [] : [{ name: `hybrid ${planName(plan)} × ${stack} × ${targetName(target)}`, plan, example: null, stack, target, store: null }];
  });
});

/** (d) docs/examples: the plan is what `decide` makes of the answers; the stack is the answers' own where they name one. */
const EXAMPLE_TARGETS: Target[] = ['ts', 'esm', 'cjs'];
const EXAMPLES_DIR = join(REPO, 'docs', 'examples');
const EXAMPLE_CASES: MatrixCase[] = existsSync(join(REPO, 'dist', 'cli', 'index.js'))
  ? readdirSync(EXAMPLES_DIR)
      .filter((name) => existsSync(join(EXAMPLES_DIR, name, 'answers.yaml')))
      .sort()
      .flatMap((name, index): MatrixCase[] => {
        const file = join(EXAMPLES_DIR, name, 'answers.yaml');
        const decided = execaSync(process.execPath, [BIN, 'decide', '--answers', file, '--dry-run', '--json'], { cwd: tmpdir(), reject: false });
        if (decided.exitCode !== 0) throw new Error(`decide --answers ${file} failed:\n${decided.stderr}`);
        const result = JSON.parse(decided.stdout) as { plan: { id: string; method: string; variant: string }[]; answers: { stack?: string } };
        const plan = result.plan.map((entry) => ({ method: entry.method, variant: entry.variant, boundary: entry.id }));
        const missing = plan.filter((entry) => !isPorted(entry));
        if (missing.length > 0) {
          waiting.push(`example ${name} (${planName(plan)}): waits for ${planName(missing)}`);
          return [];
        }
        const stack = STACKS.find((candidate) => candidate === result.answers.stack) ?? STACKS[index % STACKS.length]!;
        const target = EXAMPLE_TARGETS[index % EXAMPLE_TARGETS.length]!;
        return [{ name: `example ${name} (${planName(plan)}) × ${stack} × ${targetName(target)}`, plan, example: file, stack, target, store: null }];
      })
  : [];

/** AUTH_DECIDE_MATRIX=smoke: the full plan once, on Express and TypeScript with the default store. */
const SMOKE_CASES: MatrixCase[] = FULL_PLAN.length > 0 ? [{ name: `full plan (${planName(FULL_PLAN)}) × express × TypeScript`, plan: FULL_PLAN, example: null, stack: 'express', target: 'ts', store: null }] : [];

/**
 * AUTH_DECIDE_MATRIX=smoke keeps one case (see SMOKE_CASES). CI runs the full
 * matrix once, then the whole suite again on a second Node major with the smoke
 * set: each generated project already ran on the Node it requires in the first
 * pass, and the second pass only needs to show the generated code still works
 * on that Node. Cases left out are not declared, so none counts as passed or
 * skipped.
 */
const MATRIX_SCOPE = process.env.AUTH_DECIDE_MATRIX ?? 'full';
if (MATRIX_SCOPE !== 'full' && MATRIX_SCOPE !== 'smoke') {
  throw new Error(`AUTH_DECIDE_MATRIX must be "full" or "smoke", not ${JSON.stringify(MATRIX_SCOPE)}`);
}
const CASES = MATRIX_SCOPE === 'full' ? [...STACK_CASES, ...STORE_CASES, ...HYBRID_CASES, ...EXAMPLE_CASES] : SMOKE_CASES;

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
      timings.map((t) => `  ${t.ok ? 'ok  ' : 'FAIL'} ${t.name.padEnd(40)} ${t.seconds.toFixed(1)} s`).join('\n') + '\n' +
      (waiting.length > 0 ? `Not declared until their methods are on the shared kernel:\n${waiting.map((line) => `  ${line}`).join('\n')}\n` : ''),
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

/** The Authorization scheme a variant is presented with, from its template.json description ("Authorization: ApiKey <key>"); null for others (a cookie). */
function schemeOf(accept: { method: string; variant: string }): string | null {
  const description = readTemplate(accept.method).variants?.[accept.variant] ?? '';
  return /^Authorization:\s+([A-Za-z][\w-]*)\s/i.exec(description)?.[1] ?? null;
}

async function checkDemo(dir: string, env: Record<string, string>): Promise<void> {
  const { boundaries } = JSON.parse(await readFile(join(dir, '.auth-decide', 'manifest.json'), 'utf8')) as {
    boundaries: { id: string; accepts: { method: string; variant: string }[] }[];
  };
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
    for (const { id, accepts } of boundaries) {
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
      // A credential of another method gets 401 (issue 10). One method at two boundaries (two groups of API
      // keys) shares its credentials between them today; that pairing is not asserted here.
      const methodsHere = new Set(accepts.map((accept) => accept.method));
      for (const other of boundaries.filter((b) => b.id !== id && !b.accepts.some((accept) => methodsHere.has(accept.method)))) {
        const refused = await fetch(`${base}/${other.id}/me`, { headers: admin });
        expect(refused.status, `/${id}'s credential at /${other.id}`).toBe(401);
        const challenge = refused.headers.get('www-authenticate') ?? '';
        for (const scheme of other.accepts.map(schemeOf).filter((name) => name !== null)) {
          expect(challenge, `WWW-Authenticate at /${other.id} names ${scheme}`).toMatch(new RegExp(`(^|,\\s*)${scheme}( |,|$)`));
        }
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
  const dir = await mkdtemp(join(tmpdir(), `auth-decide-matrix-${c.stack}-${c.target}-`));
  projects.push(dir);
  if (c.target === 'cjs') {
    await writeFile(join(dir, 'package.json'), `${JSON.stringify({ name: 'matrix-cjs-app', version: '1.0.0', private: true, type: 'commonjs' }, null, 2)}\n`);
  }
  const template = templateOf(c.plan.map((entry) => entry.method));
  const runtime = await nodeFor(template.node);
  const env = baseEnv();
  // Scripts, tsx and vitest all run on the Node the template needs.
  env.PATH = `${dirname(runtime.bin)}${delimiter}${env.PATH ?? ''}`;
  if (runtime.nodedir) env.npm_config_nodedir = runtime.nodedir;
  const appEnv: Record<string, string> = { ...env };
  for (const variable of template.env) if (variable.demo !== undefined) appEnv[variable.name] = variable.demo;
  if (c.store === 'postgres') appEnv.DATABASE_URL = services.DATABASE_URL ?? '';
  if (c.store === 'redis') Object.assign(appEnv, { REDIS_URL: services.REDIS_URL ?? '', DATABASE_URL: services.DATABASE_URL ?? '' });
  // The servers are shared (other cases, earlier runs, other checkouts): each case keeps its demo's
  // records under a prefix of its own, so keys minted by an earlier run never count against this one.
  if (c.store !== null) appEnv.AUTH_STORE_PREFIX = `m_${randomBytes(6).toString('hex')}`;

  // The package's choices go with the first run; later runs take them from the manifest, as a user's would.
  const packageFlags = ['--stack', c.stack, '--lang', c.target === 'ts' ? 'ts' : 'js', ...(c.store ? ['--store', c.store] : [])];
  if (c.example !== null) {
    await run('decide --answers … --scaffold', runtime.bin, [BIN, 'decide', '--answers', c.example, '--scaffold', '--yes', '--no-install', ...packageFlags], { cwd: dir, env });
  } else {
    for (const [index, entry] of c.plan.entries()) {
      const flags = ['--method', entry.method, '--variant', entry.variant, '--boundary', entry.boundary];
      await run(`scaffold ${flags.join(' ')}`, runtime.bin, [BIN, 'scaffold', ...flags, '--dir', dir, '--yes', '--no-install', ...(index === 0 ? packageFlags : [])], { cwd: dir, env });
    }
  }
  const manifest = JSON.parse(await readFile(join(dir, '.auth-decide', 'manifest.json'), 'utf8')) as {
    package: { lang: string; moduleFormat: string; stack: string };
    boundaries: { id: string; accepts: { method: string; variant: string }[] }[];
  };
  expect(manifest.package).toMatchObject({ stack: c.stack, lang: c.target === 'ts' ? 'ts' : 'js', moduleFormat: c.target === 'cjs' ? 'cjs' : 'esm' });
  const served = manifest.boundaries.flatMap((boundary) => boundary.accepts.map((accept) => ({ method: accept.method, variant: accept.variant, boundary: boundary.id })));
  expect(served, 'the package serves the plan, boundary for boundary').toEqual(expect.arrayContaining(c.plan));
  expect(served).toHaveLength(c.plan.length);

  // node_modules is shared by hard links between projects with the same dependencies on the same Node.
  const packageJson = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { dependencies?: unknown; devDependencies?: unknown };
  const key = JSON.stringify({ dependencies: packageJson.dependencies, devDependencies: packageJson.devDependencies, abi: runtime.abi });
  const donor = installed.get(key);
  if (donor) {
    await run('sharing node_modules', 'cp', ['-al', join(donor, 'node_modules'), join(dir, 'node_modules')], { cwd: dir, env });
  } else {
    // What the scaffold printed to run after --no-install.
    await run('npm install', 'npm', ['install'], { cwd: dir, env });
    installed.set(key, dir);
    await cachePrebuild(dir, runtime);
  }
  if (c.target === 'ts') await run('type-check', runtime.bin, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', dir], { cwd: dir, env });
  await run('generated tests (npm run test:auth)', 'npm', ['run', 'test:auth'], { cwd: dir, env: appEnv });
  try {
    await checkDemo(dir, appEnv);
    // A restart finds its tables (and the keys minted above) already there: start-up must take them as they are.
    if (c.store !== null) await checkDemo(dir, appEnv);
  } finally {
    if (c.store !== null) await dropStore(dir, c.store, appEnv);
  }
}

/** Removes what a case's demo wrote to a shared server, through the project's own client library. */
async function dropStore(dir: string, store: 'postgres' | 'redis', env: Record<string, string>): Promise<void> {
  const prefix = env.AUTH_STORE_PREFIX ?? '';
  const script =
    store === 'postgres'
      ? `const pg = require('pg'); const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
         c.connect().then(() => c.query('DROP TABLE IF EXISTS ${prefix}_records, ${prefix}_counters')).finally(() => c.end());`
      : `const { createClient } = require('redis'); const c = createClient({ url: process.env.REDIS_URL });
         (async () => { await c.connect(); const keys = []; for await (const batch of c.scanIterator({ MATCH: '${prefix}:*', COUNT: 500 })) keys.push(...[].concat(batch));
           if (keys.length > 0) await c.del(keys); await c.quit(); })();`;
  await run(`removing the case's ${store} records`, 'node', ['-e', script], { cwd: dir, env });
}

describe.sequential('scaffold matrix', () => {
  it('has at least one method with templates', () => {
    expect(METHODS.length).toBeGreaterThan(0);
  });

  for (const c of CASES) {
    const name = c.name;
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
