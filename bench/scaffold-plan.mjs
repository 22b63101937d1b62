#!/usr/bin/env node
/**
 * Scaffold planning and rendering time, no install: median wall time of
 * `auth-decide scaffold --method M --stack express --dry-run --json` for each
 * method, in a fresh TypeScript project and a fresh CommonJS JavaScript project
 * (whose JavaScript comes prepared by the build), compared with `node -e 0`
 * measured in the same interleaved run. Run `npm run build` first.
 *
 *   node bench/scaffold-plan.mjs [--runs 15]
 */
import { spawnSync } from 'node:child_process';
import { interleavedMedians } from './timing.mjs';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'auth-decide.js');
const templates = join(root, 'templates');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 15;

const work = mkdtempSync(join(tmpdir(), 'auth-decide-scaffold-bench-'));
const project = (name, pkg) => {
  const dir = join(work, name);
  spawnSync('mkdir', ['-p', join(dir, 'src')]);
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  return dir;
};
const tsProject = project('ts', { name: 'bench-ts', type: 'module', dependencies: { express: '^5.1.0' } });
writeFileSync(join(tsProject, 'tsconfig.json'), '{ "compilerOptions": { "strict": true } }\n');
const cjsProject = project('cjs', { name: 'bench-cjs', dependencies: { express: '^5.1.0' } });

// The OAuth templates require Node 22, and scaffold refuses them on an older Node.
const nodeMajor = Number(process.versions.node.split('.')[0]);
const methods = ['api-key', 'jwt', 'session', 'oauth']
  .filter((m) => existsSync(join(templates, m, 'template.json')))
  .filter((m) => m !== 'oauth' || nodeMajor >= 22);
const modeOf = (method) => (method === 'oauth' ? ['--oauth-mode', 'provider'] : []);
const commands = [
  { name: 'node -e 0', argv: ['-e', '0'], cwd: work },
  ...methods.flatMap((method) =>
    [
      ['TS', tsProject],
      ['JS CJS', cjsProject],
    ].map(([label, dir]) => ({
      name: `scaffold ${method} (express, ${label}) --dry-run`,
      argv: [bin, 'scaffold', '--method', method, '--stack', 'express', '--dir', dir, '--dry-run', '--json', '--yes', ...modeOf(method)],
      cwd: dir,
    })),
  ),
];

const env = { ...process.env, FORCE_COLOR: '0' };
try {
  const medians = interleavedMedians(commands, runs, env);
  const base = medians[0];
  console.log(`Node ${process.version}, ${availableParallelism()} cores, load average ${loadavg()[0].toFixed(1)}, ${runs} runs each`);
  console.log(`| Command | median ms | × node -e 0 |\n| --- | ---: | ---: |`);
  commands.forEach((command, index) => {
    const value = medians[index];
    console.log(`| ${command.name} | ${value.toFixed(0)} | ${(value / base).toFixed(2)} |`);
  });
} finally {
  rmSync(work, { recursive: true, force: true });
}
