#!/usr/bin/env node
/**
 * What installing auth-decide costs a user: `npm pack`, then
 *
 * - `npm i <tarball>` in an empty project: bytes installed (the sum of file
 *   sizes, as `du --apparent-size` counts them), packages, the largest ones;
 * - `npx --yes --package <tarball> auth-decide --version` in an empty folder,
 *   timed with an empty npm cache (cold: every dependency comes from the
 *   registry) and again with that cache filled (warm).
 *
 * Needs the npm registry. Run `npm run build` first.
 *
 *   node bench/install-size.mjs [--json]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const asJson = process.argv.includes('--json');
const work = mkdtempSync(join(tmpdir(), 'auth-decide-install-bench-'));

function bytesUnder(dir) {
  let total = 0;
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    const info = lstatSync(path);
    total += info.isDirectory() ? bytesUnder(path) : info.size;
  }
  return total;
}

/** Runs a command with its own npm cache; returns milliseconds. */
function timed(command, args, cwd, cache) {
  const env = { ...process.env, npm_config_cache: cache, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

const folder = (name) => {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  return dir;
};

try {
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' }))[0];
  const tarball = join(work, packed.filename);

  const project = folder('project');
  writeFileSync(join(project, 'package.json'), '{ "name": "install-bench", "private": true }\n');
  const installMs = timed('npm', ['install', '--no-save', tarball], project, folder('cache-install'));
  const modules = join(project, 'node_modules');
  const packages = [];
  for (const entry of readdirSync(modules)) {
    if (entry.startsWith('.')) continue;
    const names = entry.startsWith('@') ? readdirSync(join(modules, entry)).map((name) => `${entry}/${name}`) : [entry];
    for (const name of names) packages.push({ name, bytes: bytesUnder(join(modules, name)) });
  }
  packages.sort((a, b) => b.bytes - a.bytes);

  const npxCache = folder('cache-npx');
  const cold = timed('npx', ['--yes', '--package', tarball, 'auth-decide', '--version'], folder('npx-cold'), npxCache);
  const warm = timed('npx', ['--yes', '--package', tarball, 'auth-decide', '--version'], folder('npx-warm'), npxCache);

  const result = {
    node: process.version,
    tarballBytes: packed.size,
    unpackedBytes: packed.unpackedSize,
    installedBytes: bytesUnder(modules),
    packages: packages.length,
    largest: packages.slice(0, 6),
    npmInstallColdMs: Math.round(installMs),
    npxColdMs: Math.round(cold),
    npxWarmMs: Math.round(warm),
  };
  if (asJson) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
    process.stdout.write(
      [
        `Node ${result.node}`,
        `tarball ${mb(result.tarballBytes)}, auth-decide unpacked ${mb(result.unpackedBytes)}`,
        `npm i <tarball>: ${mb(result.installedBytes)} in ${result.packages} packages, ${(result.npmInstallColdMs / 1000).toFixed(1)} s with an empty cache`,
        `largest: ${result.largest.map((p) => `${p.name} ${mb(p.bytes)}`).join(', ')}`,
        `npx --package <tarball> auth-decide --version: ${(result.npxColdMs / 1000).toFixed(1)} s cold, ${(result.npxWarmMs / 1000).toFixed(1)} s warm`,
        '',
      ].join('\n'),
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
