/**
 * A migration end to end, with the built CLI, a real install and real HTTP:
 * a decision record supersedes another, `scaffold` keeps the old method at
 * the boundary it leaves, retiring; the demo answers that method with
 * Deprecation and Sunset and counts its use per client (`auth:usage`);
 * `check` flags the migration once the sunset has passed; from the sunset on
 * the old method gets 401; `scaffold --retire` takes it out and leaves every
 * other file byte for byte.
 *
 * Time is never waited for: the superseding record is dated 100 days back
 * (as a record decided earlier and merged later is), and `--sunset` moves the
 * end of the migration before or after today.
 *
 * The migrations are data: one runs when every method it names is on the
 * shared kernel (its template.json lists the variant). The issue's own case,
 * API keys → OAuth client credentials at the partners boundary, waits for the
 * OAuth port; until then, API keys for partners and internal services
 * superseded by API keys for internal services alone shows the same mechanism
 * (the partners boundary is kept, retiring, and `--retire` removes it while the
 * method stays where it is still live).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { childEnv, runStep as run } from '../support/child-process.js';
import { treeSnapshot } from '../scaffold/helpers.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(REPO, 'bin', 'auth-decide.js');
const TEMPLATES = join(REPO, 'templates');
const DAY = 86_400_000;

interface Entry {
  id: string;
  subjects: string[];
  clients: string[];
  method: string;
  variant: string;
  tokenFormat: string | null;
}

interface Migration {
  name: string;
  before: Entry[];
  after: Entry[];
  /** The boundary and method that stay, retiring. */
  retiring: { boundary: string; method: string; variant: string };
  /** After `--retire`: whether the method's own files go (false when it stays live elsewhere). */
  filesGo: boolean;
}

const partners = (method: string, variant: string, tokenFormat: string | null = null): Entry => ({
  id: 'partners',
  subjects: ['backend-integration'],
  clients: ['backend-service'],
  method,
  variant,
  tokenFormat,
});
const services: Entry = { id: 'services', subjects: ['internal-service'], clients: ['scheduled-job'], method: 'api-key', variant: 'application', tokenFormat: null };

const MIGRATIONS: Migration[] = [
  {
    name: 'API keys → OAuth client credentials at /partners',
    before: [partners('api-key', 'application')],
    after: [partners('oauth', 'client-credentials', 'opaque')],
    retiring: { boundary: 'partners', method: 'api-key', variant: 'application' },
    filesGo: true,
  },
  {
    name: 'API keys at /partners and /services → API keys at /services alone',
    before: [partners('api-key', 'application'), services],
    after: [services],
    retiring: { boundary: 'partners', method: 'api-key', variant: 'application' },
    filesGo: false,
  },
];

const variantsOf = (method: string): string[] => {
  const file = join(TEMPLATES, method, 'template.json');
  if (!existsSync(file)) return [];
  return Object.keys((JSON.parse(readFileSync(file, 'utf8')) as { variants?: Record<string, string> }).variants ?? {});
};
const ported = (entry: Entry) => variantsOf(entry.method).includes(entry.variant);
const nodeOf = (method: string) => (JSON.parse(readFileSync(join(TEMPLATES, method, 'template.json'), 'utf8')) as { node: string }).node;
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
/** ">=22" or ">=20.19" against this Node: the built CLI refuses a package this Node cannot run. */
const runsHere = (requirement: string) => {
  const [x = 0, y = 0] = requirement.replace(/^>=/, '').split('.').map(Number);
  return major !== x ? major > x : minor >= y;
};
const declared = MIGRATIONS.filter((migration) => {
  const entries = [...migration.before, ...migration.after];
  return entries.every(ported) && entries.every((entry) => runsHere(nodeOf(entry.method)));
});
// Left out: a method not on the shared kernel yet, or a package that needs a newer Node (CI's Node 22 pass runs it).
const waiting = MIGRATIONS.filter((migration) => !declared.includes(migration));

const ANSWERS = [
  'subjects: [backend-integration, internal-service]',
  'clients: [backend-service, scheduled-job]',
  'delegatedAccess: false',
  'revocation: immediate',
  'opsCapacity: low',
  'architecture: single-app',
  'identityProvider: none',
  'exposure: partners',
  'granularity: roles',
  'audit: app',
  'stack: express',
].join('\n');

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());

/** A record's plan, set as this test needs it (decide chose for the same callers; the plan is what is under test here). */
function withPlan(record: string, plan: Entry[], date?: string): string {
  const yamlEntry = (e: Entry) =>
    `    - {id: ${e.id}, subjects: [${e.subjects.join(', ')}], clients: [${e.clients.join(', ')}], method: ${e.method}, variant: ${e.variant}, tokenFormat: ${e.tokenFormat ?? 'null'}}`;
  const replaced = record.replace(/^ {2}plan:\n(?: {4}- .*\n)+/m, `  plan:\n${plan.map(yamlEntry).join('\n')}\n`);
  expect(replaced, 'the record has a plan block').not.toBe(record);
  return date === undefined ? replaced : replaced.replace(/^date: \d{4}-\d{2}-\d{2}$/m, `date: ${date}`);
}

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

/** Starts the demo, runs `body` against it, then stops it with SIGTERM (which flushes the usage counts). */
async function withDemo(dir: string, env: Record<string, string>, body: (base: string, demoEnv: Record<string, string>) => Promise<void>): Promise<void> {
  const port = await freePort();
  const demoEnv = { ...env, PORT: String(port) };
  const demo = execa('npm', ['run', '-s', 'auth:demo'], { cwd: dir, env: demoEnv, extendEnv: false, reject: false, all: true, detached: true, stdin: 'ignore' });
  let output = '';
  let exited = false;
  demo.all?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  void demo.then(() => (exited = true));
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let attempt = 0; ; attempt++) {
      if (exited || attempt > 600) throw new Error(`the demo did not answer /health:\n${output.slice(-4000)}`);
      const ok = await fetch(`${base}/health`).then((r) => r.status === 200, () => false);
      if (ok) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await body(base, demoEnv);
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

async function credential(dir: string, env: Record<string, string>, boundary: string, method: string, subject: string): Promise<Record<string, string>> {
  const stdout = await run(`minting a ${method} credential at /${boundary}`, 'npm', ['run', '-s', 'auth:credential', '--', '--boundary', boundary, '--method', method, '--subject', subject, '--json'], { cwd: dir, env });
  const header = (JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { header: string }).header;
  const colon = header.indexOf(': ');
  return { [header.slice(0, colon)]: header.slice(colon + 2) };
}

async function check(dir: string, env: Record<string, string>): Promise<{ code: number; ids: string[]; messages: string[] }> {
  const result = await execa(process.execPath, [BIN, 'check', '--json'], { cwd: dir, env, extendEnv: false, reject: false });
  const findings = (JSON.parse(result.stdout) as { findings: { id: string; message: string }[] }).findings;
  return { code: result.exitCode ?? -1, ids: findings.map((f) => f.id), messages: findings.map((f) => f.message) };
}

const projects: string[] = [];
afterAll(async () => {
  for (const dir of projects) await rm(dir, { recursive: true, force: true });
  if (waiting.length > 0) {
    process.stderr.write(`\nMigrations not declared here (a method not on the shared kernel, or Node ${process.versions.node} too old for it):\n${waiting.map((m) => `  ${m.name}`).join('\n')}\n`);
  }
}, 120_000);

describe.sequential('migration end to end (built CLI, real install, real HTTP)', () => {
  it('has a migration whose methods are ported', () => {
    expect(declared.length).toBeGreaterThan(0);
  });

  for (const migration of declared) {
    it(migration.name, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'auth-decide-migration-'));
      projects.push(dir);
      // The project runs on this Node: native addons build against its headers (npm_config_nodedir, as CI sets it for Node 22).
      const env = childEnv({ ci: true, keepNodedir: true });
      const appEnv: Record<string, string> = { ...env };
      for (const method of new Set(['kernel', ...[...migration.before, ...migration.after].map((e) => e.method)])) {
        type Variables = { env?: { name: string; demo?: string }[] };
        const template = JSON.parse(readFileSync(join(TEMPLATES, method, 'template.json'), 'utf8')) as Variables & { variantSections?: Record<string, Variables> };
        for (const variable of [...(template.env ?? []), ...Object.values(template.variantSections ?? {}).flatMap((section) => section.env ?? [])]) {
          if (variable.demo !== undefined) appEnv[variable.name] = variable.demo;
        }
      }
      const cli = (step: string, args: string[]) => run(step, process.execPath, [BIN, ...args], { cwd: dir, env });
      const { boundary, method, variant } = migration.retiring;

      // The first decision, scaffolded and installed.
      await writeFile(join(dir, 'package.json'), `${JSON.stringify({ name: 'migrating-api', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`);
      await writeFile(join(dir, 'answers.yaml'), `${ANSWERS}\n`);
      await cli('decide (first record)', ['decide', '--answers', 'answers.yaml', '--yes']);
      const first = join(dir, 'docs', 'decisions', readdirSync(join(dir, 'docs', 'decisions')).find((name) => name.startsWith('0001-'))!);
      await writeFile(first, withPlan(await readFile(first, 'utf8'), migration.before));
      await cli('scaffold (first record)', ['scaffold', '--yes', '--stack', 'express', '--lang', 'ts']);

      // The second decision supersedes it, dated 100 days back.
      await cli('decide --supersede', ['decide', '--answers', 'answers.yaml', '--yes', '--supersede']);
      const secondName = readdirSync(join(dir, 'docs', 'decisions')).find((name) => name.startsWith('0002-'))!;
      const second = join(dir, 'docs', 'decisions', secondName);
      const dated = isoDay(today - 100 * DAY);
      await writeFile(second, withPlan(await readFile(second, 'utf8'), migration.after, dated));
      const outDir = (JSON.parse(await readFile(join(dir, '.auth-decide', 'manifest.json'), 'utf8')) as { package: { outDir: string } }).package.outDir;
      const authDir = join(dir, outDir);
      const before = await treeSnapshot(authDir);

      // Scaffolded with the sunset ahead: both methods, the old one retiring.
      const ahead = isoDay(today + 30 * DAY);
      const migrating = await execa(process.execPath, [BIN, 'scaffold', '--yes', '--sunset', ahead], { cwd: dir, env, extendEnv: false, reject: false, all: true });
      expect(migrating.exitCode, migrating.all).toBe(0);
      expect(migrating.stderr).toContain(`Migration: docs/decisions/${secondName} supersedes docs/decisions/${basenameOf(first)}.`);
      expect(migrating.stderr).toContain(`/${boundary} keeps ${method} (${variant}) until ${ahead}`);
      const manifest = JSON.parse(await readFile(join(dir, '.auth-decide', 'manifest.json'), 'utf8')) as { boundaries: { id: string; accepts: Record<string, unknown>[] }[] };
      expect(manifest.boundaries.find((b) => b.id === boundary)?.accepts).toContainEqual({ method, variant, retiring: { deprecation: dated, sunset: ahead, record: `docs/decisions/${secondName}` } });
      // The retiring method's files are the same bytes as before.
      const after = await treeSnapshot(authDir);
      for (const [path, hash] of Object.entries(before)) if (path.startsWith(`methods/${method}/`)) expect(after[path], path).toBe(hash);

      await run('type-check', process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', dir], { cwd: dir, env });
      // The generated suite proves checklist 5.7 over HTTP with its own clock for every retiring entry.
      await run('generated tests (npm run test:auth)', 'npm', ['run', 'test:auth'], { cwd: dir, env: appEnv });

      let client = '';
      await withDemo(dir, appEnv, async (base, demoEnv) => {
        const old = await credential(dir, demoEnv, boundary, method, 'legacy-partner');
        const reply = await fetch(`${base}/${boundary}/me`, { headers: old });
        expect(reply.status).toBe(200);
        client = ((await reply.json()) as { client: string | null }).client ?? '-';
        expect(reply.headers.get('deprecation')).toBe(`@${Date.parse(`${dated}T00:00:00Z`) / 1000}`);
        expect(reply.headers.get('sunset')).toBe(new Date(`${ahead}T00:00:00Z`).toUTCString());
      });
      const usage = JSON.parse((await run('auth:usage --json', 'npm', ['run', '-s', 'auth:usage', '--', '--json', '--days', '1'], { cwd: dir, env: appEnv })).trim().split('\n').at(-1)!) as Record<string, unknown>[];
      expect(usage).toContainEqual(expect.objectContaining({ boundary, method, variant, client, count: 1, sunset: ahead }));
      expect(await check(dir, env)).toMatchObject({ code: 0, ids: [] });

      // The sunset moved to yesterday: check fails with migration-overdue, the old method gets 401.
      await cli('scaffold --sunset yesterday', ['scaffold', '--yes', '--no-install', '--sunset', isoDay(today - DAY)]);
      const overdue = await check(dir, env);
      expect(overdue.code).toBe(1);
      expect(overdue.ids).toEqual(['migration-overdue']);
      expect(overdue.messages[0]).toContain(`auth-decide scaffold --retire ${method}`);
      await withDemo(dir, appEnv, async (base, demoEnv) => {
        const old = await credential(dir, demoEnv, boundary, method, 'too-late');
        const refused = await fetch(`${base}/${boundary}/me`, { headers: old });
        expect(refused.status).toBe(401);
        expect(((await refused.json()) as { type: string }).type).toMatch(/:method-retired$/);
      });

      // --retire takes it out; nothing else changes.
      const beforeRetire = await treeSnapshot(authDir);
      await cli(`scaffold --retire ${method}`, ['scaffold', '--yes', '--no-install', '--retire', method]);
      const retired = await treeSnapshot(authDir);
      const changed = (path: string) => retired[path] !== beforeRetire[path];
      const plumbing = new Set(['boundaries.ts', 'AUTH.md', 'auth.ts', 'tests/methods.ts']);
      for (const path of Object.keys(beforeRetire).filter(changed)) {
        if (migration.filesGo && path.startsWith(`methods/${method}/`)) expect(retired[path], `${path} is deleted`).toBeUndefined();
        else expect(plumbing.has(path), `${path} changed on --retire`).toBe(true);
      }
      if (migration.filesGo) expect(Object.keys(retired).some((path) => path.startsWith(`methods/${method}/`) && !path.endsWith('/'))).toBe(false);
      expect(await readFile(join(authDir, 'boundaries.ts'), 'utf8')).not.toContain('retiring');
      expect(await check(dir, env)).toMatchObject({ code: 0, ids: [] });
      await run('type-check after --retire', process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', dir], { cwd: dir, env });
    }, 15 * 60_000);
  }
});

const basenameOf = (path: string) => path.split(/[\\/]/).at(-1)!;
