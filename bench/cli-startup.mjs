#!/usr/bin/env node
/**
 * CLI start-up benchmark: median wall time of auth-decide commands compared
 * with `node -e 0` measured in the same run, runs interleaved so machine noise
 * hits every command alike. Run `npm run bench` (it builds first).
 *
 * The scaffold rows plan (and print, --dry-run --json) the API-key scaffold
 * for Express in a fresh TypeScript project and a fresh CommonJS JavaScript
 * project: detection, rendering every file, the JavaScript forms, the plan.
 *
 *   node bench/cli-startup.mjs [--runs 40] [--json]
 */
import { interleavedMedians } from './timing.mjs';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'auth-decide.js');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 40;
const asJson = args.includes('--json');

const work = mkdtempSync(join(tmpdir(), 'auth-decide-bench-'));
writeFileSync(
  join(work, 'f.yaml'),
  [
    'subjects: [end-user, third-party-app, internal-service]',
    'clients: [browser, backend-service]',
    'delegatedAccess: true',
    'revocation: immediate',
    'opsCapacity: medium',
    '',
  ].join('\n'),
);

/** A project folder with this package.json (and tsconfig.json for TypeScript). */
function project(name, packageJson, typescript) {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
  if (typescript) writeFileSync(join(dir, 'tsconfig.json'), '{ "compilerOptions": { "strict": true } }\n');
  return dir;
}
const tsProject = project('ts', { name: 'bench-ts', type: 'module', dependencies: { express: '^5.1.0' } }, true);
const jsProject = project('js', { name: 'bench-js', dependencies: { express: '^5.1.0' } }, false);
const scaffold = ['scaffold', '--method', 'api-key', '--stack', 'express', '--dry-run', '--json', '--yes'];

const commands = [
  { name: 'node -e 0', argv: ['-e', '0'], target: null },
  { name: 'auth-decide --help', argv: [bin, '--help'], target: 1.25 },
  { name: 'auth-decide decide --answers f.yaml --json --dry-run', argv: [bin, 'decide', '--answers', 'f.yaml', '--json', '--dry-run'], target: 1.6 },
  { name: 'auth-decide scaffold --method api-key (TypeScript) --dry-run --json', argv: [bin, ...scaffold], cwd: tsProject, target: 2 },
  { name: 'auth-decide scaffold --method api-key (JavaScript, CommonJS) --dry-run --json', argv: [bin, ...scaffold], cwd: jsProject, target: 2 },
];

const env = { ...process.env, FORCE_COLOR: '0' };
try {
  const medians = interleavedMedians(
    commands.map((command) => ({ ...command, cwd: command.cwd ?? work })),
    runs,
    env,
  );
  const baseline = medians[0];
  const results = commands.map((command, index) => {
    const ms = medians[index];
    return { command: command.name, medianMs: Math.round(ms * 10) / 10, ratio: Math.round((ms / baseline) * 100) / 100, target: command.target };
  });
  // Ratios hold up under load better than milliseconds; say how busy the machine was.
  const machine = `${availableParallelism()} cores, load average ${loadavg()[0].toFixed(1)} at the end`;
  if (asJson) {
    process.stdout.write(`${JSON.stringify({ node: process.version, machine, runs, results }, null, 2)}\n`);
  } else {
    process.stdout.write(`Node ${process.version}, ${machine}; ${runs} interleaved runs each, median wall time\n\n`);
    process.stdout.write('| Command | Median (ms) | × `node -e 0` | Target |\n| --- | ---: | ---: | ---: |\n');
    for (const result of results) {
      process.stdout.write(
        `| \`${result.command}\` | ${result.medianMs.toFixed(1)} | ${result.ratio.toFixed(2)} | ${result.target === null ? '—' : `≤ ${result.target}`} |\n`,
      );
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
